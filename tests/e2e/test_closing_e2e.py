"""Closing the loop in a real browser (Chromium against gunicorn): a reviewer answers
a group of inputs at once, an administrator approves and publishes, the answers page
shows them and a receipt code shows its outcome; axe-core finds no WCAG 2.1 A/AA
violation on the new pages in Bokmål, Nynorsk and English, and the public ones do
not scroll sideways at 320 px."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe

from participation.models import FocusArea

pytestmark = pytest.mark.e2e

PASSWORD = "riktig hest batteri stift"
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
COMMENT = "Vi følger opp **lokalmat** i handlingsplanen."


@pytest.fixture
def closing(session, make_meeting):
    from participation.backoffice.service import create_user
    from participation.inputs import service as inputs

    admin = create_user(session, "admin@fylke.example.no", PASSWORD, "admin", "Ada Admin")
    create_user(session, "reviewer@fylke.example.no", PASSWORD, "reviewer", "Rune Reviewer")
    area = FocusArea(key="lokalmat", name_nb="Lokalmat", name_nn="Lokalmat", name_en="Local food")
    other = FocusArea(key="reiseliv", name_nb="Reiseliv", name_nn="Reiseliv", name_en="Tourism")
    session.add_all([area, other])
    session.flush()
    codes = ["ABCD-2345", "EFGH-2345", "JKMN-2345"]
    for n, code in enumerate(codes):
        item = inputs.create_input(
            session,
            channel="suggestion_box",
            text=f"Lokalmat fra små produsenter trenger et felles mottak i Nord-Troms ({n}).",
            focus_area_ids=[area.id],
            created_on=date(2026, 3, 2 + n),
            receipt_code=code,
        )
        inputs.publish(session, admin, item.id)
    inputs.create_input(
        session,
        channel="suggestion_box",
        text="Reiselivet trenger flere helårsarbeidsplasser og bedre veier.",
        focus_area_ids=[other.id],
        created_on=date(2026, 3, 9),
    )
    make_meeting(title="Innspillsmøte Midt-Troms")
    session.commit()
    return {"area": area, "codes": codes}


def log_in(page, email: str) -> None:
    page.goto("/admin/logg-inn")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def assert_accessible(page, axe: Axe) -> None:
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, (page.url, results.generate_report())


def test_group_assessed_approved_published_and_looked_up(
    browser, live_server, browser_page, closing
):
    axe = Axe()
    page = browser_page
    log_in(page, "reviewer@fylke.example.no")
    page.goto("/admin/vurdering/")
    assert "0 av 4 vurdert" in page.inner_text("main")
    assert_accessible(page, axe)
    page.click("a[href*='focus_area=']")  # the focus area's three inputs
    assert "3 innspill får denne vurderingen" in page.inner_text("main")
    assert_accessible(page, axe)
    page.check("input[name=outcome][value=partly]")
    page.fill("#comment", COMMENT)
    with page.expect_navigation():
        page.click("text=Lagre utkastet til vurdering")
    assert "3 av 4 vurdert" in page.inner_text("main")

    admin_context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    admin = admin_context.new_page()
    log_in(admin, "admin@fylke.example.no")
    admin.goto("/admin/vurdering/godkjenn")
    assert admin.locator("input[name=ids]").count() == 3
    assert_accessible(admin, axe)
    with admin.expect_navigation():
        admin.click("text=Godkjenn de valgte vurderingene")
    admin.goto("/admin/vurdering/")
    with admin.expect_navigation():
        admin.click("text=Publiser svarene")
    assert "Svarene er publisert." in admin.inner_text("main")
    admin.goto("/admin/prioriteringar/")
    assert_accessible(admin, axe)
    admin_context.close()

    public_context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    visitor = public_context.new_page()
    for lang in ("nb", "nn", "en"):
        visitor.goto(f"/sprak/{lang}?next=/svar/")
        assert visitor.get_attribute("html", "lang") == lang
        text = visitor.inner_text("main")
        assert "Vi følger opp lokalmat i handlingsplanen." in text
        assert visitor.locator(".answer .comment strong").first.inner_text() == "lokalmat"
        assert_accessible(visitor, axe)
        visitor.goto("/svar/kvittering")
        assert_accessible(visitor, axe)
        visitor.fill("#code", closing["codes"][1].lower())
        with visitor.expect_navigation():
            visitor.click("form.form button[type=submit]")
        result = visitor.inner_text(".lookup-result")
        assert {
            "nb": "Delvis tatt til følge",
            "nn": "Delvis teke til følgje",
            "en": "Partly adopted",
        }[lang] in result
        assert_accessible(visitor, axe)
        visitor.goto("/prioriteringar/")
        assert_accessible(visitor, axe)
    # A code of the wrong shape: a translated error, linked from the summary.
    visitor.goto("/svar/kvittering")
    visitor.fill("#code", "1234")
    with visitor.expect_navigation():
        visitor.click("form.form button[type=submit]")
    assert "A code has eight letters and digits" in visitor.inner_text("#error-summary")
    assert_accessible(visitor, axe)
    # No sideways scrolling at 320 px.
    visitor.set_viewport_size({"width": 320, "height": 800})
    for path in ("/svar/", "/svar/kvittering", "/prioriteringar/"):
        visitor.goto(path)
        width = visitor.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)
    public_context.close()
