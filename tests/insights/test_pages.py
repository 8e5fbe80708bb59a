"""The analysis pages in the back office (/admin/analyse)."""

from __future__ import annotations

import re

import pytest

from participation.insights import results as service
from participation.insights import runs as tasks
from participation.models import AnalysisRun, InputAnalysis, RunStatus
from participation.models.backoffice import ConfirmedFocusArea, InputReview
from tests.backoffice.test_access import sample_url
from tests.helpers import csrf_token, login


def insights_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("insights.")]


@pytest.fixture
def as_reviewer(client, reviewer):
    """A logged-in reviewer who reads the pages in English (the tests' language)."""
    client.set_cookie("lang", "en")
    assert login(client, reviewer).status_code == 303
    return client


def start_from_page(client, data=None):
    page = client.get("/admin/analyse/")
    return client.post(
        "/admin/analyse/kjor", data={"csrf_token": csrf_token(page.text), **(data or {})}
    )


def finish_background_runs(session):
    """Carry out the queued jobs (the runs), then end this session's read snapshot."""
    from flask import current_app

    from participation.jobs import get_engine

    session.rollback()
    get_engine(current_app).run_pending()
    session.rollback()


# ---------------------------------------------------------------- access


def test_every_page_requires_a_login(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    rules = insights_rules(app)
    assert len(rules) >= 13
    for rule in rules:
        url = sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (302, 303), (method, url)
            assert response.headers["Location"].startswith("/admin/logg-inn"), (method, url)


def test_every_view_declares_its_role(app):
    for rule in insights_rules(app):
        assert hasattr(app.view_functions[rule.endpoint], "required_role"), rule.endpoint


def test_the_back_office_menu_links_to_the_analysis(as_reviewer):
    page = as_reviewer.get("/admin/analyse/")
    assert page.status_code == 200
    assert re.search(r'href="/admin/analyse/"[^>]*aria-current="page"', page.text)


# ---------------------------------------------------------------- before any run


def test_the_pages_say_what_to_do_before_the_first_run(as_reviewer, default_areas):
    page = as_reviewer.get("/admin/analyse/")
    assert page.status_code == 200
    assert "The analysis has not been run yet." in page.text
    for url in ("/admin/analyse/ko", "/admin/analyse/kart", "/admin/analyse/kvalitet"):
        response = as_reviewer.get(url)
        assert response.status_code == 303 and response.headers["Location"] == "/admin/analyse/"
    assert as_reviewer.get("/admin/analyse/kjoringar").status_code == 200
    assert as_reviewer.get("/admin/analyse/status").get_json() == {"status": None, "active": False}


# ---------------------------------------------------------------- starting runs


def test_a_reviewer_starts_a_run_and_sees_the_themes(as_reviewer, session, corpus, reviewer):
    response = start_from_page(as_reviewer, {"n_themes": "3"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/analyse/#run-status"
    run = session.query(AnalysisRun).one()
    assert run.triggered_by == reviewer.email and run.n_themes_requested == 3
    finish_background_runs(session)

    run = session.query(AnalysisRun).one()
    assert run.status == RunStatus.DONE, run.error
    status = as_reviewer.get(f"/admin/analyse/kjoringar/{run.id}/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100 and not status["active"]
    assert status["stage_label"] == "Done"

    page = as_reviewer.get("/admin/analyse/")
    assert page.status_code == 200
    assert "The analysis has started." in page.text  # the flashed message
    assert page.text.count('class="theme card"') == 3
    assert "Typical inputs" in page.text
    assert "3 near-identical inputs" in page.text
    assert "counting near-duplicates once" in page.text
    assert "Local food and drink" in page.text  # focus-area table and spread
    assert "Nord-Troms" in page.text  # spread over regions
    # Quotes are the redacted text, linked to the input page.
    assert re.search(r'href="/admin/innspill/\d+">Input #\d+</a>', page.text)


def test_a_run_shows_its_progress_while_it_works(as_reviewer, session, default_areas):
    run = tasks.start_run(session, actor="test")
    run.status = RunStatus.RUNNING
    run.stage = "clustering"
    run.progress = 0.42
    session.commit()

    page = as_reviewer.get("/admin/analyse/")
    assert f'data-status-url="/admin/analyse/kjoringar/{run.id}/status"' in page.text
    assert '<progress id="run-progress" max="100" value="42"' in page.text
    assert "Finding themes" in page.text
    assert 'aria-live="polite"' in page.text
    assert "Refresh to see the progress" in page.text  # without JavaScript
    assert 'src="/static/js/insights.js"' in page.text
    status = as_reviewer.get("/admin/analyse/status").get_json()
    assert status == {
        "id": run.id,
        "kind": "run",
        "status": "running",
        "stage": "clustering",
        "progress": 0.42,
        "percent": 42,
        "active": True,
        "error": None,
        "status_label": "Running",
        "stage_label": "Finding themes",
    }


def test_a_second_run_is_refused_while_one_runs(as_reviewer, session, default_areas):
    busy = tasks.start_run(session, actor="test")
    session.commit()

    response = start_from_page(as_reviewer)

    assert response.status_code == 303
    assert session.query(AnalysisRun).count() == 1
    page = as_reviewer.get(response.headers["Location"])
    assert "An analysis is already running." in page.text
    assert busy.status == RunStatus.QUEUED


def test_a_stale_run_shows_as_failed(as_reviewer, session, default_areas):
    from datetime import timedelta

    from participation.models import utcnow

    run = tasks.start_run(session, actor="test")
    run.heartbeat_at = utcnow() - timedelta(hours=3)
    session.commit()

    status = as_reviewer.get(f"/admin/analyse/kjoringar/{run.id}/status").get_json()
    assert status["status"] == "failed" and not status["active"]
    assert "stopped without finishing" in status["error"]
    assert start_from_page(as_reviewer).status_code == 303
    finish_background_runs(session)
    assert session.query(AnalysisRun).count() == 2


def test_a_failed_run_shows_its_reason(as_reviewer, session, default_areas):
    run = tasks.start_run(session, actor="test")
    session.commit()
    tasks.execute_run(session, run.id, analyse=lambda *a, **k: 1 / 0)

    page = as_reviewer.get("/admin/analyse/")
    assert "The run failed:" in page.text and "ZeroDivisionError" in page.text
    detail = as_reviewer.get(f"/admin/analyse/kjoringar/{run.id}")
    assert detail.status_code == 200 and "ZeroDivisionError" in detail.text


def test_an_unknown_number_of_themes_is_refused(as_reviewer, session, default_areas):
    response = start_from_page(as_reviewer, {"n_themes": "999"})
    assert response.status_code == 303
    assert session.query(AnalysisRun).count() == 0
    page = as_reviewer.get("/admin/analyse/")
    assert "Choose a number of themes from the list." in page.text


def test_a_post_without_the_form_token_is_refused(as_reviewer, session, default_areas):
    assert as_reviewer.post("/admin/analyse/kjor").status_code == 400
    assert as_reviewer.post("/admin/analyse/tren").status_code == 400
    assert session.query(AnalysisRun).count() == 0


def test_retraining_from_the_page(as_reviewer, session, corpus):
    page = as_reviewer.get("/admin/analyse/")
    response = as_reviewer.post("/admin/analyse/tren", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    finish_background_runs(session)
    run = session.query(AnalysisRun).one()
    assert run.kind == "retrain" and run.status == RunStatus.DONE, run.error
    assert "Retraining has started." in as_reviewer.get("/admin/analyse/").text


# ---------------------------------------------------------------- results pages


@pytest.fixture
def done_run(session, corpus, run_analysis):
    return run_analysis(n_themes=3)


def test_theme_page(as_reviewer, session, done_run, corpus):
    theme = done_run.themes[0]
    page = as_reviewer.get(f"/admin/analyse/tema/{theme.number}")
    assert page.status_code == 200
    assert f"Theme {theme.number}" in page.text
    assert "All inputs in the theme" in page.text
    assert (
        page.text.count('<tr>\n    <th scope="row"><a class="ds-link" href="/admin/innspill/')
        == theme.size
    )
    assert "<caption>Regions</caption>" in page.text
    assert as_reviewer.get("/admin/analyse/tema/999").status_code == 404


def test_map_is_an_accessible_svg_with_a_table(as_reviewer, done_run, corpus):
    page = as_reviewer.get("/admin/analyse/kart")
    assert page.status_code == 200
    assert '<svg role="img" aria-labelledby="map-title map-desc"' in page.text
    assert '<title id="map-title">' in page.text and '<desc id="map-desc">' in page.text
    svg = page.text[
        page.text.index("<svg role") : page.text.index("</svg>", page.text.index("<svg role"))
    ]
    marks = len(re.findall(r"<(circle|rect|polygon) ", svg)) - 1  # less the frame
    assert marks == len(corpus)
    assert "Show the map as a table" in page.text
    assert page.text.count("Input #") >= len(corpus)
    assert "style=" not in page.text  # the CSP allows no inline style


def test_inputs_suggested_for_a_focus_area(as_reviewer, session, done_run, corpus):
    page = as_reviewer.get("/admin/analyse/innspill?satsingsomrade=local_food")
    assert page.status_code == 200
    assert f'href="/admin/innspill/{corpus[0].id}"' in page.text
    assert f'href="/admin/innspill/{corpus[4].id}"' not in page.text  # aquaculture
    assert as_reviewer.get("/admin/analyse/innspill?satsingsomrade=nope").status_code == 404
    index = as_reviewer.get("/admin/analyse/").text
    assert 'href="/admin/analyse/innspill?satsingsomrade=local_food"' in index


def test_run_history_and_details(as_reviewer, done_run):
    page = as_reviewer.get("/admin/analyse/kjoringar")
    assert page.status_code == 200
    assert f"Run {done_run.id}" in page.text and "Done" in page.text
    detail = as_reviewer.get(f"/admin/analyse/kjoringar/{done_run.id}")
    assert detail.status_code == 200
    for text in (
        "scikit-learn",
        "Seconds per stage",
        "LSA dimensions",
        "Number of themes asked for",
    ):
        assert text in detail.text
    assert as_reviewer.get("/admin/analyse/kjoringar/999").status_code == 404


def test_quality_page(as_reviewer, session, done_run, corpus, reviewer):
    page = as_reviewer.get("/admin/analyse/kvalitet")
    assert page.status_code == 200
    assert "Out-of-fold scores of the tagger" in page.text
    assert "No input has been confirmed since this run yet." in page.text
    service.confirm_suggestion(session, reviewer, corpus[0].id)
    session.commit()
    page = as_reviewer.get("/admin/analyse/kvalitet")
    assert "Agreement on 1 input confirmed after the run" in page.text


# ---------------------------------------------------------------- reviewing


def test_the_queue_shows_the_least_certain_inputs_first(as_reviewer, session, done_run):
    page = as_reviewer.get("/admin/analyse/ko")
    assert page.status_code == 200
    shown = [
        int(i)
        for i in re.findall(
            r'<article class="queue-item card" aria-labelledby="q(\d+)-heading"', page.text
        )
    ]
    assert len(shown) == 10
    expected = [
        row.input_id
        for row in session.query(InputAnalysis)
        .filter_by(run_id=done_run.id)
        .order_by(InputAnalysis.uncertainty, InputAnalysis.input_id)
        .limit(10)
    ]
    assert shown == expected
    # The suggested focus areas are ticked already.
    first = shown[0]
    suggested = service.suggested_area_ids(session, done_run, first)
    for area_id in suggested:
        assert re.search(
            rf'id="q{first}-focus_areas-\d+"[^>]*value="{area_id}"[^>]*checked|checked[^>]*value="{area_id}"',
            page.text,
        )


def test_confirming_from_the_queue(as_reviewer, session, done_run, default_areas, corpus):
    page = as_reviewer.get("/admin/analyse/ko")
    first = int(re.search(r'aria-labelledby="q(\d+)-heading"', page.text).group(1))
    food, tourism = default_areas["local_food"], default_areas["tourism"]

    response = as_reviewer.post(
        f"/admin/analyse/ko/{first}?page=1",
        data={
            f"q{first}-csrf_token": csrf_token(page.text, f"q{first}-csrf_token"),
            f"q{first}-focus_areas": [str(food.id), str(tourism.id)],
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/analyse/ko?page=1"
    assert {
        c.focus_area_id for c in session.query(ConfirmedFocusArea).filter_by(input_id=first)
    } == {
        food.id,
        tourism.id,
    }
    after = as_reviewer.get("/admin/analyse/ko")
    assert f'aria-labelledby="q{first}-heading"' not in after.text
    assert f"Input #{first}: confirmed" in after.text


def test_confirming_none_from_the_queue(as_reviewer, session, done_run):
    page = as_reviewer.get("/admin/analyse/ko")
    first = int(re.search(r'aria-labelledby="q(\d+)-heading"', page.text).group(1))
    response = as_reviewer.post(
        f"/admin/analyse/ko/{first}",
        data={f"q{first}-csrf_token": csrf_token(page.text, f"q{first}-csrf_token")},
    )
    assert response.status_code == 303
    assert session.get(InputReview, first).focus_areas_confirmed_at is not None
    assert session.query(ConfirmedFocusArea).filter_by(input_id=first).count() == 0


def test_the_input_page_offers_the_suggestion_in_one_click(as_reviewer, session, done_run, corpus):
    item = corpus[0]
    page = as_reviewer.get(f"/admin/innspill/{item.id}")
    assert page.status_code == 200
    assert "Suggested by the analysis" in page.text
    assert re.search(r"Local food and drink \(\d+\s%\)", page.text)  # with its probability
    assert "From the analysis" in page.text
    assert "Confirm the suggestion: Local food and drink" in page.text

    response = as_reviewer.post(
        f"/admin/analyse/innspill/{item.id}/stadfest",
        data={"csrf_token": csrf_token(page.text), "next": f"/admin/innspill/{item.id}"},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/innspill/{item.id}"
    keys = tasks.confirmed_keys(session)[item.id]
    assert "local_food" in keys
    page = as_reviewer.get(f"/admin/innspill/{item.id}")
    assert "The suggested focus areas were confirmed" in page.text


def test_the_inbox_shows_suggestions(as_reviewer, done_run, corpus):
    page = as_reviewer.get("/admin/")
    assert page.status_code == 200
    assert re.search(r'tag-suggested"[^>]*>Local food and drink \d+\s%', page.text)


def test_pages_in_nynorsk(as_reviewer, done_run):
    as_reviewer.set_cookie("lang", "nn")
    page = as_reviewer.get("/admin/analyse/")
    assert page.status_code == 200
    assert 'lang="nn"' in page.text
    assert "Analyse av innspela" in page.text
