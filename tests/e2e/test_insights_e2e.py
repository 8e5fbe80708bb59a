"""The analysis in a real browser (Chromium against gunicorn): a reviewer starts a
run, follows its progress (the page polls the run's status), sees the themes,
confirms an input from the review queue; axe-core finds no WCAG 2.1 A/AA
violations on the analysis pages."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import start_gunicorn, start_job_worker, stop_gunicorn, stop_process
from tests.insights.conftest import TEXTS

pytestmark = pytest.mark.e2e

PASSWORD = "riktig hest batteri stift"
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Training the model and analysing happen in the job worker's process: the
# browser waits for the page to say it is done (this is a wait, not a timed assertion).
RUN_WAIT_MS = 240_000


@pytest.fixture
def analysis_data(session, make_region):
    from participation.backoffice.service import create_user
    from participation.demo import DemoReport, seed_focus_areas
    from participation.inputs import service as inputs

    create_user(session, "reviewer@fylke.example.no", PASSWORD, "reviewer", "Rune Reviewer")
    seed_focus_areas(session, DemoReport())
    nord = make_region(slug="nord-troms", name="Nord-Troms")
    sor = make_region(slug="sor-troms", name="Sør-Troms")
    for i, text in enumerate(TEXTS):
        inputs.create_input(
            session,
            channel="suggestion_box" if i % 4 else "workshop_note",
            text=text,
            region_id=(nord if i % 2 else sor).id,
            respondent_category="business" if i % 3 == 0 else "citizen",
        )
    session.commit()


@pytest.fixture
def server(app, tmp_path, analysis_data):
    found = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    # The run is a job: a worker beside the server carries it out.
    worker = start_job_worker(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    yield found
    stop_process(worker)
    stop_gunicorn(found)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url, locale="nb-NO")
    context.set_default_timeout(30_000)
    found = context.new_page()
    yield found
    context.close()


def log_in(page) -> None:
    page.goto("/admin/logg-inn")
    page.fill("#email", "reviewer@fylke.example.no")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def violations(page) -> list[str]:
    # Open every <details> so the tables inside are checked too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def test_reviewer_runs_the_analysis_and_sees_the_themes(page):
    problems: list[str] = []
    log_in(page)
    with page.expect_navigation():
        page.click('ul.backoffice-nav a:text-is("Analyse")')
    assert page.url.endswith("/admin/analyse/")
    assert "Analysen er ikke kjørt ennå." in page.inner_text("#run-status")
    problems += violations(page)

    page.select_option("#n_themes", "4")
    with page.expect_navigation():
        page.get_by_role("button", name="Start analysen").click()
    assert "Analysen har startet." in page.inner_text("main")
    problems += violations(page)  # the progress box (or, on a fast machine, the result)

    # The server's model folder is new, so the run trains the model first: the page
    # shows the run in progress. The script polls the status and offers the results.
    assert page.locator("[data-status-url]").count() == 1
    assert page.locator("progress#run-progress").count() == 1
    page.locator("[data-run-done]").wait_for(state="visible", timeout=RUN_WAIT_MS)
    assert "Analysen er ferdig." in page.inner_text("[data-run-live]")
    assert page.inner_text("[data-run-status]") == "Ferdig"
    with page.expect_navigation():
        page.get_by_role("link", name="Vis de nye resultatene").click()

    assert page.locator("article.theme").count() == 4
    assert "Typiske innspill" in page.inner_text("main")
    assert "3 nesten like innspill" in page.inner_text("main")
    problems += violations(page)

    # A theme, the map, the runs, the quality figures, a focus area's inputs.
    with page.expect_navigation():
        page.locator("article.theme h3 a").first.click()
    assert re.search(r"/admin/analyse/tema/\d+$", page.url)
    problems += violations(page)
    for path in (
        "/admin/analyse/kart",
        "/admin/analyse/kjoringar",
        "/admin/analyse/kjoringar/1",
        "/admin/analyse/kvalitet",
        "/admin/analyse/innspill?satsingsomrade=local_food",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        problems += violations(page)
    page.goto("/admin/analyse/kart")
    assert page.locator("svg[role=img] title").text_content().startswith("Kart over 18 innspill")

    # The review queue: confirm the least certain input.
    page.goto("/admin/analyse/ko")
    problems += violations(page)
    first = page.locator("article.queue-item").first
    heading = first.locator("h2 a").inner_text()
    with page.expect_navigation():
        first.locator("button[type=submit]").click()
    assert f"{heading}: bekreftet" in page.inner_text("main")

    # The input page shows the analysis with its one-click confirmation.
    page.goto("/admin/innspill/1")
    assert "Fra analysen" in page.inner_text("main")
    problems += violations(page)

    assert problems == []


def test_analysis_pages_have_no_wcag_violations_in_nynorsk_and_english(page, app, session):
    from participation.insights import runs

    run = runs.run_now(session, actor="test", model_dir=app.config["MODEL_DIR"])
    assert run.status == "done", run.error
    log_in(page)
    problems: list[str] = []
    for locale in ("nn", "en"):
        page.goto(f"/sprak/{locale}?next=/admin/analyse/")
        assert page.locator("html").get_attribute("lang") == locale
        problems += violations(page)
        for path in ("/admin/analyse/ko", "/admin/analyse/kart", "/admin/analyse/kvalitet"):
            page.goto(path)
            problems += violations(page)
    assert problems == []
