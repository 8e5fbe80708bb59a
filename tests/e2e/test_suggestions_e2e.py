"""The suggestion box in a real browser: the live character count, the personal-data
warning, sending, and axe-core (WCAG 2.1 A/AA) in Bokmål, Nynorsk and English."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from participation.models import FocusArea, Input, PriorityAnswer

pytestmark = pytest.mark.e2e

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
TEXT = "Fylket bør satse mer på lokalmat og reiseliv i Nord-Troms, gjerne sammen."


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(monkeypatch):
    # The browser fills the form faster than a person; the rule itself is tested over HTTP.
    monkeypatch.setenv("INNSPILL_SUGGESTION_MIN_SECONDS", "0")


@pytest.fixture
def choices(session, make_region):
    for position, (key, nb, nn, en) in enumerate(
        [
            ("local_food", "Lokalmat", "Lokalmat", "Local food"),
            ("tourism", "Reiseliv", "Reiseliv", "Tourism"),
        ]
    ):
        session.add(FocusArea(key=key, name_nb=nb, name_nn=nn, name_en=en, position=position))
    region = make_region(slug="nord-troms", name="Nord-Troms")
    session.commit()
    return region


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def stored(session) -> list[Input]:
    session.commit()  # a fresh snapshot: the server wrote these
    return list(session.execute(select(Input).order_by(Input.id)).scalars())


def test_writing_a_suggestion_end_to_end(browser_page, session, choices):
    page = browser_page
    page.goto("/innspill/")
    count = page.locator("#text-count")
    assert count.inner_text() == "Skriv minst 20 tegn til"

    page.fill("#text", "Kort tekst")
    assert count.inner_text() == "Skriv minst 10 tegn til"
    page.fill("#text", TEXT + " Skriv til meg på kari@example.no")
    assert re.fullmatch(r"Tegn igjen: \d+", count.inner_text())
    assert "personopplysninger" in page.locator(".personal-data-hint").inner_text()
    page.fill("#text", "x" * 5003)
    assert count.inner_text() == "Tegn for mye: 3"

    page.fill("#text", TEXT + " Skriv til meg på kari@example.no")
    page.get_by_label("Lokalmat").check()
    page.select_option("#region", label="Nord-Troms")
    page.select_option("#category", value="business")
    page.get_by_role("button", name="Send innspill").click()

    # Warned before anything is stored, with a preview of the redacted text.
    warning = page.locator("#personal-data-warning")
    assert warning.is_visible()
    assert "[e-post]" in warning.inner_text() and "kari@example.no" not in warning.inner_text()
    assert stored(session) == []
    page.get_by_role("button", name="Send likevel – personopplysningene blir fjernet").click()

    page.wait_for_url("**/innspill/kvittering")
    code = page.locator("#receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    (item,) = stored(session)
    assert item.receipt_code == code
    assert item.redacted_text == TEXT + " Skriv til meg på [e-post]"
    assert [a.key for a in item.focus_areas] == ["local_food"]
    assert item.region_id == choices.id and item.respondent_category == "business"


def test_errors_are_shown_and_focused(browser_page, session, choices):
    page = browser_page
    page.goto("/innspill/")
    page.fill("#text", "For kort")
    with page.expect_navigation():
        page.get_by_role("button", name="Send innspill").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert "minst 20 tegn" in summary.inner_text()
    summary.get_by_role("link").first.click()
    expect(page.locator("#text")).to_be_focused()
    assert stored(session) == []


def test_priorities_in_the_box_by_keyboard(browser_page, session, choices):
    """The box's priorities question with the keyboard alone: tab to each choice,
    choose with the arrow keys, send with Enter; one submission stores both."""
    page = browser_page
    page.goto("/innspill/")
    legend = page.locator("fieldset.priorities legend")
    assert legend.inner_text() == "Hvilke satsingsområder bør komme først? (valgfritt)"
    page.locator("#text").focus()
    page.keyboard.type(TEXT)
    first = page.locator("#priority_1")
    for _ in range(12):
        if page.evaluate("document.activeElement.id") == "priority_1":
            break
        page.keyboard.press("Tab")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")  # "Choose…" → the first focus area
    page.keyboard.press("ArrowDown")  # → the second: Reiseliv
    page.keyboard.press("Tab")
    expect(page.locator("#priority_2")).to_be_focused()
    page.keyboard.press("ArrowDown")  # → Lokalmat
    assert first.input_value() != page.locator("#priority_2").input_value()
    with page.expect_navigation():
        page.locator("#text").focus()
        page.keyboard.press("Tab")
        page.locator("button[type=submit]").focus()
        page.keyboard.press("Enter")
    page.wait_for_url("**/innspill/kvittering")
    (item,) = stored(session)
    answer = session.execute(select(PriorityAnswer)).scalar_one()
    keys = [c.focus_area.key for c in answer.choices]
    assert keys == ["tourism", "local_food"]
    assert answer.channel == "suggestion_box" and item.process_id == answer.process_id


def test_a_refused_priority_is_announced_and_focusable(browser_page, session, choices):
    page = browser_page
    page.goto("/innspill/")
    page.fill("#text", TEXT)
    page.select_option("#priority_1", label="Lokalmat")
    page.select_option("#priority_2", label="Lokalmat")
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert "Velg hvert satsingsområde bare én gang." in summary.inner_text()
    summary.get_by_role("link").first.click()
    expect(page.locator("#priority_1")).to_be_focused()
    assert page.locator("#text").input_value() == TEXT
    assert stored(session) == []


@pytest.mark.parametrize("locale", ["nb", "nn", "en", "se"])
def test_suggestion_pages_have_no_wcag_violations(browser_page, session, choices, locale):
    page = browser_page
    page.goto(f"/sprak/{locale}?next=/innspill/")
    assert page.get_attribute("html", "lang") == locale
    assert page.locator("#priority_1").count() == 1  # the priorities question is scanned too
    found = {"form": violations(page)}

    page.select_option("#priority_1", index=1)
    page.select_option("#priority_2", index=1)
    page.fill("#text", TEXT)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert page.locator("#priority_1[aria-invalid=true]").count() == 1
    found["form with a refused priority"] = violations(page)
    page.select_option("#priority_1", index=0)
    page.select_option("#priority_2", index=0)

    page.fill("#text", "Kort")
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    found["form with errors"] = violations(page)

    page.fill("#text", TEXT + " Ring 912 34 567.")
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert page.locator("#personal-data-warning").is_visible()
    found["personal-data warning"] = violations(page)

    page.locator("button[name=confirm_personal_data]").click()
    page.wait_for_url("**/innspill/kvittering")
    found["receipt"] = violations(page)

    assert found == {name: [] for name in found}
