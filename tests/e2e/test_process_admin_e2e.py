"""The back office's process pages in a real browser: an administrator creates a process
with a phase; the list, the form (also with errors), activation and archiving have no
WCAG 2.1 A/AA violation in Bokmål, Nynorsk and English, and none scrolls sideways on a
320 px wide screen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from participation.models import Process
from participation.processes import service
from tests.e2e.test_reflow import OVERFLOW
from tests.helpers import PASSWORD

pytestmark = pytest.mark.e2e

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def setup(session, make_process, process, admin, focus_areas, make_region):
    today = date.today()
    make_region(name="Nord-Troms")
    prepared = make_process(
        status="draft",
        slug="kompetanseplan",
        titles={"nb": "Regional plan for kompetanse", "se": "Gealbbolašvuođa plána"},
        phases=[
            service.PhaseData({"nb": "Medvirkning"}, today, today + timedelta(days=30)),
            service.PhaseData(
                {"nb": "Vedtak"}, today + timedelta(days=31), today + timedelta(days=60)
            ),
        ],
    )
    return {"prepared": prepared, "active": process}


def _log_in(page, locale: str) -> None:
    page.goto(f"/sprak/{locale}?next=/admin/logg-inn")
    page.fill("#email", "admin@fylke.example.no")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def _check(page, found: dict, name: str) -> None:
    """axe-core at the usual width, then the page at 320 px."""
    results = Axe().run(page, options=WCAG_21_AA)
    found[name] = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]
    page.set_viewport_size({"width": 320, "height": 720})
    overflow = page.evaluate(OVERFLOW)
    if overflow:
        found[name].append(f"scrolls sideways at 320 px: {overflow}")
    page.set_viewport_size({"width": 1280, "height": 720})


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
def test_the_process_pages_are_accessible_and_reflow(browser_page, setup, locale):
    page = browser_page
    _log_in(page, locale)
    assert page.get_attribute("html", "lang") == locale
    found: dict[str, list[str]] = {}
    prepared, active = setup["prepared"].id, setup["active"].id
    page.goto("/admin/prosesser")
    _check(page, found, "list")
    page.goto("/admin/prosesser/ny")
    _check(page, found, "new")
    with page.expect_navigation():
        page.locator("button[value=add_phase]").click()
    _check(page, found, "new, one more phase")
    page.fill("#slug", "Ikke gyldig!")
    page.fill("#phases-0-name_nb", "Fase uten datoer")
    with page.expect_navigation():
        page.locator("button[value=save]").last.click()
    assert page.locator("#error-summary").is_visible()
    _check(page, found, "new, with errors")
    page.goto(f"/admin/prosesser/{prepared}")
    _check(page, found, "edit")
    page.goto(f"/admin/prosesser/{prepared}/aktiver")
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()  # not ticked: an error
    _check(page, found, "activate, not confirmed")
    page.goto(f"/admin/prosesser/{active}/arkiver")
    _check(page, found, "archive")
    assert found == {name: [] for name in found}


def test_an_administrator_creates_a_process_in_the_browser(browser_page, session, setup):
    page = browser_page
    _log_in(page, "nb")
    page.get_by_role("link", name="Prosesser", exact=True).click()
    page.get_by_role("link", name="Ny prosess").click()
    page.fill("#slug", "skoleplan")
    page.fill("#title_nb", "Plan for skolene")
    page.fill("#title_se", "Skuvllaid plána")
    page.fill("#phases-0-name_nb", "Medvirkning")
    page.fill("#phases-0-starts_on", "2027-01-04")
    page.fill("#phases-0-ends_on", "2027-02-26")
    page.get_by_label("Lokalmat").check()
    with page.expect_navigation():  # Enter saves (the first button), never adds a phase
        page.press("#title_nb", "Enter")
    assert "Prosessen Plan for skolene ble lagret." in page.inner_text("main")
    session.rollback()
    made = session.execute(select(Process).where(Process.slug == "skoleplan")).scalar_one()
    assert (made.status, made.title_se) == ("draft", "Skuvllaid plána")
    assert [(p.name_nb, p.starts_on) for p in made.phases] == [("Medvirkning", date(2027, 1, 4))]
    assert [a.key for a in service.focus_areas(session, made.id)] == ["lokalmat"]
