"""Two processes at once in a real browser: a suggestion sent to one process's box is
in that process's inbox and not in the other's; the process pages and the switcher
have no WCAG 2.1 A/AA violation in Bokmål, Nynorsk, English and Northern Sami."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from participation.models import Input
from participation.processes import service
from tests.helpers import PASSWORD

pytestmark = pytest.mark.e2e

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
TEXT = "Kompetanseplanen bør gi flere lærlingplasser i bygdene, særlig innen elektrofag."


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(monkeypatch):
    monkeypatch.setenv("INNSPILL_SUGGESTION_MIN_SECONDS", "0")


@pytest.fixture
def two(session, make_process, process, admin):
    today = date.today()
    other = make_process(
        slug="kompetanseplan",
        titles={"nb": "Regional plan for kompetanse", "nn": "Regional plan for kompetanse"},
        summaries={"nb": "Hvordan får vi fagfolkene vi trenger?"},
        introductions={"nb": "Planen skrives i **to** trinn."},
        questions={"nb": "Hva trengs for å få flere fagfolk?", "nn": "Kva trengst?"},
        phases=[
            service.PhaseData({"nb": "Medvirkning", "nn": "Medverknad"}, today - timedelta(days=5), today + timedelta(days=30)),
            service.PhaseData({"nb": "Vedtak"}, today + timedelta(days=31), today + timedelta(days=60)),
        ],
    )  # fmt: skip
    earlier = make_process(status="archived", slug="tidligere", titles={"nb": "Tidligere plan"})
    return {"standard": process, "other": other, "earlier": earlier}


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def test_a_suggestion_to_one_process_is_in_its_inbox_only(browser_page, session, two):
    page = browser_page
    page.goto("/")
    assert "Regional plan for kompetanse" in page.inner_text("main")
    assert "Tidligere plan" in page.inner_text("main")
    page.get_by_role("link", name="Regional plan for kompetanse").click()
    page.wait_for_url("**/prosess/kompetanseplan")
    assert "Nå: Medvirkning" in page.inner_text("main")
    page.get_by_role("link", name="Skriv anonymt i innspillskassen").click()
    page.wait_for_url("**/prosess/kompetanseplan/innspill")
    assert "Hva trengs for å få flere fagfolk?" in page.inner_text("main")
    page.fill("#text", TEXT)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/innspill/kvittering")
    session.commit()
    (item,) = session.execute(select(Input)).scalars()
    assert item.process_id == two["other"].id

    page.goto("/admin/logg-inn")
    page.fill("#email", "admin@fylke.example.no")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert TEXT in page.inner_text("main")  # the newest active process is shown first
    page.select_option("#process-switcher", str(two["standard"].id))
    with page.expect_navigation():
        page.locator("form.process-switcher button").click()
    assert page.url.endswith("/admin/")
    assert TEXT not in page.inner_text("main")
    assert page.locator("#process-switcher").input_value() == str(two["standard"].id)


@pytest.mark.parametrize("locale", ["nb", "nn", "en", "se"])
def test_process_pages_have_no_wcag_violations(browser_page, two, locale):
    page = browser_page
    found = {}
    for path in [
        "/",
        "/prosess/kompetanseplan",
        "/prosess/tidligere",
        "/prosess/tidligere/innspill",
    ]:
        page.goto(f"/sprak/{locale}?next={path}")
        assert page.get_attribute("html", "lang") == locale
        found[path] = violations(page)
    page.goto("/admin/logg-inn")
    page.fill("#email", "admin@fylke.example.no")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    found["back office with the switcher"] = violations(page)
    assert found == {name: [] for name in found}
