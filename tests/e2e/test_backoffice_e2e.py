"""The back office in a real browser (Chromium against gunicorn): a reviewer logs
in, filters the inbox, hides an input, confirms a focus area and downloads an
export; axe-core finds no WCAG 2.1 A/AA violations on the back-office pages."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from participation.inputs import notes
from participation.jobs import engine as job_engine
from participation.models import ConfirmedFocusArea, FocusArea, Input

pytestmark = pytest.mark.e2e

PASSWORD = "riktig hest batteri stift"
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def office(session, make_meeting, make_region, signup_data):
    """Staff, focus areas, inputs from every channel, a meeting with registrations,
    a draft with responses."""
    from datetime import UTC, datetime, timedelta

    from participation.backoffice.service import create_user
    from participation.consultation import service as consultation
    from participation.inputs import service as inputs
    from participation.meetings import service as meetings

    admin = create_user(session, "admin@fylke.example.no", PASSWORD, "admin", "Ada Admin")
    create_user(session, "reviewer@fylke.example.no", PASSWORD, "reviewer", "Rune Reviewer")
    areas = []
    for position, (key, nb, nn, en) in enumerate(
        [
            ("lokalmat", "Lokalmat", "Lokalmat", "Local food"),
            ("reiseliv", "Reiseliv", "Reiseliv", "Tourism"),
            ("havbruk", "Fiskeri og havbruk", "Fiskeri og havbruk", "Fisheries and aquaculture"),
        ]
    ):
        area = FocusArea(key=key, name_nb=nb, name_nn=nn, name_en=en, position=position)
        session.add(area)
        areas.append(area)
    region = make_region(slug="nord-troms", name="Nord-Troms")
    meeting = make_meeting(region=region, title="Innspillsmøte Nord-Troms", seats=1)
    session.commit()
    meetings.register(session, meeting.id, signup_data(name="Kari Nordmann"))
    meetings.register(session, meeting.id, signup_data(name="Ola Venter"))
    for n in range(3):
        inputs.create_input(
            session,
            channel="suggestion_box",
            text=f"Reiselivet i Nord-Troms trenger bedre veier og flere overnattingssteder ({n}).",
            region_id=region.id,
            respondent_category="citizen",
            focus_area_ids=[areas[1].id],
            created_on=date(2026, 3, 2 + n),
        )
    target = inputs.create_input(
        session,
        channel="suggestion_box",
        text="Lokalmat fra små produsenter trenger et felles mottak og en felles merkevare.",
        region_id=region.id,
        respondent_category="business",
        created_on=date(2026, 3, 5),
    )
    notes.record_workshop_note(
        session, meeting_id=meeting.id, text="Flippover: havbruk trenger flere fagarbeidere."
    )
    now = datetime.now(UTC)
    draft = consultation.import_markdown(
        session,
        "# Næringsplan\n\nInnledning.\n\n## 1 Kompetanse\n\nTekst.\n\n### 1.1 Fagskole\n",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )
    session.commit()
    response = consultation.submit_response(
        session,
        draft.id,
        consultation.ResponseData(
            text="Vi støtter satsingen på fagskole, men ber om flere plasser i nord.",
            name="Per Svar",
            email="per@example.no",
            category="organisation",
            locale="nb",
            stance="partly",
            section_id=draft.sections[0].id,
        ),
        upload_dir="/tmp",
    )
    session.commit()
    return {
        "admin": admin,
        "areas": areas,
        "target": target,
        "meeting": meeting,
        "draft": draft,
        "response": response,
    }


def log_in(page, email: str) -> None:
    page.goto("/admin/logg-inn")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def test_reviewer_filters_hides_tags_and_exports(browser_page, office, session):
    page = browser_page
    log_in(page, "reviewer@fylke.example.no")
    assert page.url.endswith("/admin/")
    assert "Viser 1–6 av 6 innspill" in page.inner_text("#result-count")

    # Filter: business respondents, searching for "lokalmat".
    page.select_option("#category", "business")
    page.fill("#q", "lokalmat")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "category=business" in page.url
    assert "Viser 1–1 av 1 innspill" in page.inner_text("#result-count")

    # Open the input and hide it, with a reason.
    target = office["target"]
    with page.expect_navigation():
        page.click(f"a[href^='/admin/innspill/{target.id}?']")
    page.fill("#status-reason", "Reklame for egen bedrift")
    with page.expect_navigation():
        page.click("button[name='status-action'][value='hide']")
    assert "Innspillet er skjult." in page.inner_text("main")

    # Confirm a focus area.
    page.check("label:has-text('Lokalmat')")
    with page.expect_navigation():
        page.click("text=Bekreft satsingsområdene")
    assert "Satsingsområdene er bekreftet." in page.inner_text("main")

    session.rollback()  # end the test's read snapshot; see what the server wrote
    hidden = session.get(Input, target.id)
    assert (hidden.status, hidden.hidden_reason) == ("hidden", "Reklame for egen bedrift")
    confirmed = (
        session.execute(
            select(ConfirmedFocusArea.focus_area_id).where(ConfirmedFocusArea.input_id == target.id)
        )
        .scalars()
        .all()
    )
    assert confirmed == [office["areas"][0].id]

    # Back to the filtered inbox, and download it as CSV.
    with page.expect_navigation():
        page.click("text=Tilbake til innboksen")
    assert "category=business" in page.url
    with page.expect_download() as download_info:
        page.click("a[href^='/admin/eksport/innspill.csv']")
    download = download_info.value
    assert download.suggested_filename.startswith("innspill-")
    with open(download.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    assert len(rows) == 2
    assert rows[1][0] == str(target.id)
    assert "Skjult" in rows[1] and "Lokalmat" in rows[1]


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def sideways_at_320(page) -> list[str]:
    """The page at 320 CSS pixels wide does not scroll sideways (WCAG 1.4.10); the
    crawler in test_reflow.py reaches GET pages only, not these."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 720})
    wide = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size(size)
    return [f"scrolls sideways by {wide} px at 320 px"] if wide > 0 else []


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
def test_backoffice_pages_have_no_wcag_violations(app, browser_page, office, locale):
    page = browser_page
    page.goto(f"/sprak/{locale}?next=/admin/logg-inn")
    found = {"login": violations(page)}
    page.fill("#email", "admin@fylke.example.no")
    page.fill("#password", "wrong password, wrong")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    found["login failed"] = violations(page)
    log_in(page, "admin@fylke.example.no")

    meeting, draft, response = office["meeting"], office["draft"], office["response"]
    target = office["target"]
    pages = {
        "inbox": "/admin/",
        "inbox filtered": "/admin/?status=new&q=lokalmat&date_from=bad",
        "input": f"/admin/innspill/{target.id}",
        "dashboard": "/admin/oversikt",
        "meetings": "/admin/moter",
        "meeting": f"/admin/moter/{meeting.id}",
        "meeting new": "/admin/moter/ny",
        "meeting edit": f"/admin/moter/{meeting.id}/endre",
        "meeting cancel": f"/admin/moter/{meeting.id}/avlys",
        "attendance": f"/admin/moter/{meeting.id}/oppmote",
        "attendance list": f"/admin/moter/{meeting.id}/deltakarliste",
        "message": f"/admin/moter/{meeting.id}/melding",
        "regions": "/admin/regioner",
        "workshop note": "/admin/innspill/motenotat",
        "workshop import": "/admin/innspill/import",
        "drafts": "/admin/horing",
        "draft": f"/admin/horing/{draft.id}",
        "draft new": "/admin/horing/ny",
        "draft import": "/admin/horing/import",
        "draft edit": f"/admin/horing/{draft.id}/endre",
        "section new": f"/admin/horing/{draft.id}/del/ny",
        "section edit": f"/admin/horing/{draft.id}/del/{draft.sections[0].id}",
        "responses": f"/admin/horing/{draft.id}/svar",
        "response": f"/admin/horing/svar/{response.id}",
        "summary": f"/admin/horing/{draft.id}/samandrag",
        "exports": "/admin/eksport",
        "privacy": "/admin/personvern",
        "users": "/admin/brukere",
        "user new": "/admin/brukere/ny",
        "user edit": f"/admin/brukere/{office['admin'].id}",
        "audit log": "/admin/logg",
        "focus areas": "/admin/satsingsomrader",
        "focus area new": "/admin/satsingsomrader/ny",
        "focus area edit": f"/admin/satsingsomrader/{office['areas'][0].id}",
    }
    for name, path in pages.items():
        page.goto(path)
        assert page.get_attribute("html", "lang") == locale, name
        found[name] = violations(page)

    # Forms showing their errors.
    page.goto("/admin/moter/ny")
    page.fill("#day", "")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    found["meeting form errors"] = violations(page)
    page.goto(f"/admin/innspill/{target.id}")
    with page.expect_navigation():
        page.click("button[name='status-action'][value='hide']")
    found["hide without reason"] = violations(page)
    page.goto("/admin/personvern")
    page.fill("#lookup-email", "kari@example.no")
    with page.expect_navigation():
        page.click("form[action='/admin/personvern'] button[type=submit] >> nth=0")
    found["privacy results"] = violations(page)

    # A message to the registrants: errors, preview, then its job's page while it
    # waits and once it has run (carried out here; the server has no job worker).
    page.goto(f"/admin/moter/{meeting.id}/melding")
    page.uncheck("#to_confirmed")
    page.uncheck("#to_waiting")
    with page.expect_navigation():
        page.click("button[value=preview]")
    found["message errors"] = violations(page)
    page.fill("#subject", "Nytt møterom")
    page.fill("#body", "Vi er i sal 2.\nVelkommen!")
    page.check("#to_confirmed")
    with page.expect_navigation():
        page.click("button[value=preview]")
    found["message preview"] = violations(page) + sideways_at_320(page)
    with page.expect_navigation():
        page.click("button[value=send]")
    found["message not confirmed"] = violations(page)
    page.check("#confirm")
    with page.expect_navigation():
        page.click("button[value=send]")
    assert "job=" in page.url
    found["message queued"] = violations(page)
    assert job_engine.execute(app, int(page.url.rsplit("=", 1)[1])) == "done"
    page.reload()
    found["message sent"] = violations(page) + sideways_at_320(page)

    # A workshop-notes import: a bad file, then a good one queued and imported.
    page.goto("/admin/innspill/import")
    page.set_input_files(
        "#file", files=[{"name": "notat.xlsx", "mimeType": "text/csv", "buffer": b"PK\x03\x04"}]
    )
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    found["import refused"] = violations(page)
    page.set_input_files(
        "#file",
        files=[{"name": "notat.csv", "mimeType": "text/csv", "buffer": b"text\nFlippover 1\n"}],
    )
    page.select_option("#meeting", str(meeting.id))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "job=" in page.url
    found["import queued"] = violations(page)
    assert job_engine.execute(app, int(page.url.rsplit("=", 1)[1])) == "done"
    page.reload()
    found["import done"] = violations(page) + sideways_at_320(page)

    assert {name: v for name, v in found.items() if v} == {}
