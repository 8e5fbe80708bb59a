"""The consultation in a real browser: responding to one section with a PDF, the
published responses, and axe-core (WCAG 2.1 A/AA) in Bokmål, Nynorsk and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from participation.consultation import service
from participation.models import ConsultationResponse, OutboxMessage
from tests.helpers import DRAFT_MD, pdf_bytes

pytestmark = pytest.mark.e2e

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
TEXT = "Vi støtter delvis forslaget, men kystsoneplanene må ta hensyn til fiskeriene."


@pytest.fixture
def draft(session):
    now = datetime.now(UTC)
    found = service.import_markdown(
        session,
        DRAFT_MD,
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=30),
        slug="troms",
    )
    session.commit()
    return found


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def test_responding_to_a_section_end_to_end(browser_page, session, draft, tmp_path):
    page = browser_page
    page.goto("/horing/troms")
    assert page.locator("#s-1-1-2").is_visible()
    page.get_by_role("link", name="Gi høringssvar til punkt 1.1.2").click()

    page.wait_for_url("**/horing/troms/svar?del=s-1-1-2")
    assert page.locator("#section").input_value() == "s-1-1-2"
    page.get_by_label("Støtter delvis").check()
    page.fill("#text", TEXT)
    attachment = tmp_path / "Høringsuttalelse.pdf"
    attachment.write_bytes(pdf_bytes())
    page.set_input_files("#attachments", str(attachment))
    page.fill("#name", "Kari Nordmann")
    page.fill("#email", "kari@example.no")
    page.select_option("#category", value="business")
    page.fill("#organisation", "Senja Sjømat AS")
    page.fill("#org_number", "974 760 673")
    # Consent is an active choice: nothing is ticked in advance (issue 9).
    consent = page.get_by_label("Ja, høringssvaret mitt kan publiseres")
    assert not consent.is_checked()
    consent.check()
    page.get_by_role("button", name="Send høringssvar").click()

    page.wait_for_url("**/horing/troms/kvittering")
    reference = page.locator("#reference").inner_text()
    session.commit()
    response = session.execute(select(ConsultationResponse)).scalar_one()
    assert response.reference == reference
    assert response.section.number == "1.1.2" and response.stance == "partly"
    assert [a.original_filename for a in response.attachments] == ["Høringsuttalelse.pdf"]
    mail = session.execute(select(OutboxMessage)).scalar_one()
    assert mail.recipient == "kari@example.no" and reference in mail.body_text

    # The project group approves it (back office); the public can read it per section.
    service.approve_for_publication(session, response.id, TEXT)
    session.commit()
    page.goto("/horing/troms")
    page.get_by_role("link", name="1 publisert høringssvar til punkt 1.1.2").click()
    assert TEXT in page.locator(".response-list").inner_text()
    assert "Støtter delvis" in page.locator(".stance-counts").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Høringsuttalelse.pdf").click()
    assert download.value.suggested_filename == "Høringsuttalelse.pdf"


def test_errors_are_shown_and_nothing_is_stored(browser_page, session, draft):
    page = browser_page
    page.goto("/horing/troms/svar")
    page.fill("#org_number", "123 456 789")
    page.get_by_role("button", name="Send høringssvar").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "organisasjonsnummer" in text and "Skriv høringssvaret ditt" in text
    session.commit()
    assert session.execute(select(ConsultationResponse)).first() is None


@pytest.mark.parametrize("locale", ["nb", "nn", "en", "se"])
def test_consultation_pages_have_no_wcag_violations(browser_page, session, draft, locale):
    made = service.submit_response(
        session,
        draft.id,
        service.ResponseData(
            text=TEXT,
            name="Ola",
            email="ola@example.no",
            category="municipality",
            locale="nb",
            stance="support",
            section_id=draft.sections[3].id,
            organisation="Tromsø kommune",
        ),
        upload_dir="",
        notify=False,
    )
    service.approve_for_publication(session, made.id, TEXT)
    session.commit()

    page = browser_page
    page.goto(f"/sprak/{locale}?next=/horing/")
    assert page.get_attribute("html", "lang") == locale
    found = {"index": violations(page)}
    for name, path in {
        "draft": "/horing/troms",
        "response form": "/horing/troms/svar?del=s-1-1",
        "published responses": "/horing/troms/horingssvar",
        "published responses to a section": "/horing/troms/horingssvar?del=s-1-1-2",
    }.items():
        page.goto(path)
        found[name] = violations(page)

    page.goto("/horing/troms/svar")
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    found["response form with errors"] = violations(page)

    page.fill("#text", TEXT)
    page.fill("#name", "Kari Nordmann")
    page.fill("#email", "kari@example.no")
    page.select_option("#category", value="citizen")
    page.locator("#may_publish-0").check()
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/horing/troms/kvittering")
    found["receipt"] = violations(page)

    assert found == {name: [] for name in found}


def test_attachments_and_typed_text_survive_a_mistake_and_a_language_switch(
    browser_page, session, draft, tmp_path
):
    """Issue 9, point 3 in a browser: after an invalid organisation number the chosen PDF
    is shown as attached; switching language mid-form keeps what was typed; the next
    press sends the response with the PDF."""
    page = browser_page
    page.goto("/horing/troms/svar")
    page.fill("#text", TEXT)
    attachment = tmp_path / "Uttale fra Senja.pdf"
    attachment.write_bytes(pdf_bytes())
    page.set_input_files("#attachments", str(attachment))
    page.fill("#name", "Kari Nordmann")
    page.fill("#email", "kari@example.no")
    page.select_option("#category", value="business")
    page.fill("#org_number", "123 456 789")
    page.get_by_label("Nei, ikke publiser høringssvaret mitt på nettstedet").check()
    page.get_by_role("button", name="Send høringssvar").click()
    assert "organisasjonsnummer" in page.locator("#error-summary").inner_text()
    kept = page.locator("#kept-attachments")
    assert kept.is_visible() and "Uttale fra Senja.pdf" in kept.inner_text()

    # Switching to Nynorsk mid-form keeps what was typed (and the attachment).
    page.get_by_role("link", name="Nynorsk").click()
    page.wait_for_function("document.documentElement.lang === 'nn'")
    assert page.locator("#text").input_value() == TEXT
    assert page.locator("#name").input_value() == "Kari Nordmann"
    assert page.locator("#category").input_value() == "business"
    assert page.locator("#may_publish-1").is_checked()
    assert "Uttale fra Senja.pdf" in page.locator("#kept-attachments").inner_text()

    page.fill("#org_number", "974 760 673")
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/horing/troms/kvittering")
    session.commit()
    response = session.execute(select(ConsultationResponse)).scalar_one()
    assert [a.original_filename for a in response.attachments] == ["Uttale fra Senja.pdf"]
    assert response.locale == "nn" and response.may_publish is False
