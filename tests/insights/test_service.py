"""The analysis service: what a run reads, what it stores, and the rules around runs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.extensions import db
from participation.inputs import service as inbox
from participation.insights import results, runs
from participation.models import (
    AnalysisRun,
    AnalysisTheme,
    AuditEntry,
    FocusArea,
    InputAnalysis,
    InputSuggestion,
    RunKind,
    RunStatus,
    utcnow,
)
from participation.models.backoffice import ConfirmedFocusArea, InputReview


def suggested_keys(session, run, input_id) -> set[str]:
    return set(
        session.execute(
            select(FocusArea.key)
            .join(InputSuggestion, InputSuggestion.focus_area_id == FocusArea.id)
            .where(
                InputSuggestion.run_id == run.id,
                InputSuggestion.input_id == input_id,
                InputSuggestion.suggested.is_(True),
            )
        ).scalars()
    )


def probability(session, run, input_id, key) -> float:
    return (
        session.execute(
            select(InputSuggestion.probability)
            .join(FocusArea, FocusArea.id == InputSuggestion.focus_area_id)
            .where(
                InputSuggestion.run_id == run.id,
                InputSuggestion.input_id == input_id,
                FocusArea.key == key,
            )
        ).scalar_one_or_none()
        or 0.0
    )


# ---------------------------------------------------------------- what a run reads


def test_records_use_the_redacted_text_and_leave_hidden_inputs_out(
    session, make_input, default_areas
):
    kept = make_input("Ring meg på 912 34 567 om lokalmat, eller skriv til ola@example.no.")
    hidden = make_input("Reklame for billige klokker, kjøp nå.")
    from participation.inputs import service as inputs

    inputs.set_status(session, hidden.id, "hidden")
    session.commit()

    records = runs.input_records(session)

    assert [r.id for r in records] == [kept.id]
    assert "912 34 567" not in records[0].text
    assert "ola@example.no" not in records[0].text
    assert records[0].text == kept.redacted_text
    assert records[0].metadata["channel"] == "suggestion_box"
    assert records[0].confirmed_areas is None


def test_focus_areas_come_from_the_database(session, default_areas):
    area = default_areas["local_food"]
    area.name_nb = "Mat fra regionen"
    default_areas["petroleum"].active = False
    session.add(
        FocusArea(
            key="space",
            name_nb="Romfart",
            name_nn="Romfart",
            name_en="Space",
            seed_terms=["romhamn", "satellitt", "rakettoppskyting"],
            position=99,
        )
    )
    session.commit()

    specs = {s.key: s for s in runs.focus_area_specs(session)}

    assert specs["local_food"].names["nb"] == "Mat fra regionen"
    assert "petroleum" not in specs
    assert specs["space"].seed_terms == ("romhamn", "satellitt", "rakettoppskyting")
    assert list(specs)[-1] == "space"  # list order is the areas' position


def test_confirmed_areas_and_none_become_labelled_examples(
    session, corpus, default_areas, reviewer
):
    food, tourism = corpus[0], corpus[2]
    inbox.confirm_focus_areas(session, reviewer, food.id, [default_areas["local_food"].id])
    inbox.confirm_focus_areas(session, reviewer, tourism.id, [])  # "none of them"
    session.commit()

    confirmed = runs.confirmed_keys(session)
    labelled = runs.labelled_examples(session)

    assert confirmed == {food.id: ("local_food",), tourism.id: ()}
    assert labelled == [(food.redacted_text, ["local_food"]), (tourism.redacted_text, [])]
    records = {r.id: r for r in runs.input_records(session)}
    assert records[food.id].confirmed_areas == ("local_food",)
    assert records[tourism.id].confirmed_areas == ()


# ---------------------------------------------------------------- a run


def test_a_run_stores_suggestions_themes_and_per_input_rows(session, corpus, run_analysis):
    run = run_analysis(n_themes=4)

    assert run.status == RunStatus.DONE and run.active is None
    assert run.progress == 1.0 and run.stage == "done"
    assert run.n_inputs == len(corpus)
    assert run.finished_at >= run.started_at
    assert run.versions["scikit-learn"]
    assert run.timings["total"] > 0
    assert run.metrics["n_inputs"] == len(corpus)
    assert run.metrics["tagger"]["oof_f1_micro"] > 0
    assert run.parameters["n_themes"] == 4
    assert run.model["model_class"].endswith("FocusAreaTagger")
    assert run.centres

    rows = {a.input_id: a for a in session.query(InputAnalysis).filter_by(run_id=run.id)}
    assert set(rows) == {item.id for item in corpus}
    themes = session.query(AnalysisTheme).filter_by(run_id=run.id).all()
    assert len(themes) == 4
    assert sum(t.size for t in themes) == len(corpus)
    assert {rows[i].theme for i in rows} == {t.number for t in themes}
    assert any(theme.label_words for theme in themes)
    for theme in themes:
        assert theme.representative_ids
        assert set(theme.spread) >= {"focus_areas", "region", "channel", "category"}

    # The copy-paste campaign is one near-duplicate group of three, counted once.
    campaign = [item.id for item in corpus if item.redacted_text.startswith("Stopp")]
    assert {rows[i].duplicate_group for i in campaign} == {campaign[0]}
    assert {rows[i].duplicate_count for i in campaign} == {3}
    assert run.metrics["n_unique"] == len(corpus) - 2

    assert "local_food" in suggested_keys(session, run, corpus[0].id)
    assert "fisheries_aquaculture" in suggested_keys(session, run, corpus[5].id)
    # Only useful probabilities are stored, never one row per area for every input.
    stored = session.scalar(select(func.count()).select_from(InputSuggestion))
    assert stored < len(corpus) * len(run.parameters["area_keys"]) / 2


def test_confirmed_tags_are_never_overwritten_and_teach_the_model(
    session, make_input, default_areas, reviewer, run_analysis
):
    """Reviewers' tags survive a run untouched, and a retrain learns from them: a text
    with the confirmed pattern gets the confirmed area suggested afterwards."""
    minerals = default_areas["minerals"]
    taught = [
        make_input(text)
        for text in (
            "Zorblaxverket må utvides med nye zorblax-linjer.",
            "Vi vil ha mer zorblax-produksjon i kommunen.",
            "Zorblax er framtida for regionen vår.",
            "Satsing på zorblaxverk gir mange nye arbeidsplasser.",
        )
    ]
    probe = make_input("Zorblaxverket i hamna bør få fleire zorblax-linjer.")
    make_input("Vi trenger mer lokalmat i butikkene og på hotellene i regionen.")

    before = run_analysis()
    assert "minerals" not in suggested_keys(session, before, probe.id)
    p_before = probability(session, before, probe.id, "minerals")

    for item in taught:
        inbox.confirm_focus_areas(session, reviewer, item.id, [minerals.id])
    session.commit()
    confirmed_before = session.execute(
        select(
            ConfirmedFocusArea.input_id,
            ConfirmedFocusArea.focus_area_id,
            ConfirmedFocusArea.confirmed_at,
        )
    ).all()
    reviews_before = session.execute(
        select(InputReview.input_id, InputReview.focus_areas_confirmed_at)
    ).all()

    after = run_analysis(kind=RunKind.RETRAIN)

    assert after.kind == "retrain" and after.parameters["retrained"]
    assert after.n_labelled == 4
    assert after.model["n_confirmed"] == 4
    assert after.metrics["n_confirmed"] == 4
    assert "minerals" in suggested_keys(session, after, probe.id)
    assert probability(session, after, probe.id, "minerals") > p_before + 0.2
    # Nothing the reviewers entered changed.
    session.expire_all()
    assert (
        session.execute(
            select(
                ConfirmedFocusArea.input_id,
                ConfirmedFocusArea.focus_area_id,
                ConfirmedFocusArea.confirmed_at,
            )
        ).all()
        == confirmed_before
    )
    assert (
        session.execute(select(InputReview.input_id, InputReview.focus_areas_confirmed_at)).all()
        == reviews_before
    )
    rows = {a.input_id: a for a in session.query(InputAnalysis).filter_by(run_id=after.id)}
    assert all(rows[item.id].confirmed for item in taught)
    assert not rows[probe.id].confirmed


def test_added_renamed_and_retired_focus_areas_flow_into_the_next_run(
    session, make_input, default_areas, run_analysis
):
    probe = make_input("Romhamna på Andøya og satellittoppskyting gir nye arbeidsplassar.")
    make_input("Vi trenger mer lokalmat i butikkene og på hotellene i regionen.")
    default_areas["petroleum"].active = False
    default_areas["local_food"].name_nn = "Mat frå regionen"
    space = FocusArea(
        key="space",
        name_nb="Romfart",
        name_nn="Romfart",
        name_en="Space industry",
        description_nb="Romhavn, satellitter og oppskyting av raketter.",
        seed_terms=["romhamn", "romhavn", "satellitt", "satellittoppskyting", "rakett"],
        position=99,
    )
    session.add(space)
    session.commit()

    run = run_analysis()

    keys = run.parameters["area_keys"]
    assert "space" in keys and "petroleum" not in keys
    assert "space" in suggested_keys(session, run, probe.id)
    petroleum_rows = session.scalar(
        select(func.count())
        .select_from(InputSuggestion)
        .where(InputSuggestion.focus_area_id == default_areas["petroleum"].id)
    )
    assert petroleum_rows == 0


def test_themes_keep_their_numbers_between_runs(session, corpus, run_analysis):
    first = run_analysis(n_themes=3)
    second = run_analysis(n_themes=3)

    assert second.parameters["previous_centres"] == len(first.centres)
    numbers = lambda run: {  # noqa: E731
        a.input_id: a.theme for a in session.query(InputAnalysis).filter_by(run_id=run.id)
    }
    assert numbers(first) == numbers(second)


def test_old_runs_lose_their_per_input_rows_but_keep_their_summary(session, corpus, run_analysis):
    first = run_analysis(keep_runs=1)
    second = run_analysis(keep_runs=1)

    session.expire_all()
    assert first.pruned and not second.pruned
    assert session.query(InputAnalysis).filter_by(run_id=first.id).count() == 0
    assert session.query(InputSuggestion).filter_by(run_id=first.id).count() == 0
    assert session.query(AnalysisTheme).filter_by(run_id=first.id).count() > 0
    assert first.metrics["n_inputs"] == len(corpus)
    assert session.query(InputAnalysis).filter_by(run_id=second.id).count() == len(corpus)


# ---------------------------------------------------------------- the rules around runs


def test_a_second_run_is_refused_while_one_is_queued_or_running(session, default_areas):
    first = runs.start_run(session, actor="test")
    session.commit()

    with pytest.raises(runs.RunInProgress) as refused:
        runs.start_run(session, actor="test")
    assert refused.value.run.id == first.id
    session.rollback()

    first.status = RunStatus.RUNNING
    session.commit()
    with pytest.raises(runs.RunInProgress):
        runs.start_run(session, actor="test")
    session.rollback()
    assert session.query(AnalysisRun).count() == 1


def test_two_people_starting_at_the_same_moment_get_one_run(app, default_areas):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    engine = db.engine

    def press():
        with Session(engine) as own:
            barrier.wait()
            try:
                runs.start_run(own, actor="test")
                own.commit()
                outcomes.append("started")
            except runs.RunInProgress:
                own.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes) == ["refused", "started"]
    with Session(db.engine) as check:
        assert check.scalar(select(func.count()).select_from(AnalysisRun)) == 1


def test_a_stale_run_counts_as_failed(session, default_areas):
    stale = runs.start_run(session, actor="test")
    stale.status = RunStatus.RUNNING
    stale.heartbeat_at = utcnow() - timedelta(hours=2)
    session.commit()

    assert runs.active_run(session, stale_after=timedelta(hours=1)) is None
    fresh = runs.start_run(session, actor="test", stale_after=timedelta(hours=1))
    session.commit()

    session.refresh(stale)
    assert stale.status == RunStatus.FAILED and stale.active is None
    assert "signs of life" in stale.error
    assert fresh.status == RunStatus.QUEUED


def test_progress_is_written_to_the_run_as_it_goes(app, session, corpus):
    """Another session (another request, another worker) sees each stage."""
    from analysis.service import run_analysis

    seen: list[tuple[str, float]] = []
    visible: list[tuple[str, float]] = []

    def observed(*args, progress=None, **kwargs):
        def spy(stage, fraction):
            progress(stage, fraction)
            with Session(db.engine) as other:
                row = other.get(AnalysisRun, run.id)
                visible.append((row.stage, row.progress))

        return run_analysis(*args, progress=spy, **kwargs)

    run = runs.start_run(session, actor="test")
    session.commit()
    runs.execute_run(
        session,
        run.id,
        model_dir=app.config["MODEL_DIR"],
        analyse=observed,
        on_progress=lambda stage, fraction: seen.append((stage, fraction)),
    )

    stages = [stage for stage, _ in seen]
    assert stages[0] == "model"
    assert {"tagging", "clustering", "themes", "storing"} <= set(stages)
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions)
    assert 0 < fractions[-1] <= 1
    assert {"tagging", "clustering"} <= {stage for stage, _ in visible}
    session.refresh(run)
    assert run.status == RunStatus.DONE and run.progress == 1.0


def test_a_heartbeat_shows_a_quiet_run_is_alive(app, session, corpus):
    """A long stage without progress callbacks still gets heartbeats."""
    import time

    from analysis.service import run_analysis

    engine = db.engine
    seen = []

    def quiet(*args, **kwargs):
        def heartbeat():
            with Session(engine) as other:  # a new snapshot each time
                return other.get(AnalysisRun, run.id).heartbeat_at

        start = heartbeat()
        for _ in range(400):  # wait for a beat (a wait, not a timing assertion)
            time.sleep(0.025)
            if heartbeat() > start:
                seen.append(True)
                break
        return run_analysis(*args, **kwargs)

    run = runs.start_run(session, actor="test")
    session.commit()
    runs.execute_run(
        session, run.id, model_dir=app.config["MODEL_DIR"], analyse=quiet, heartbeat_seconds=0.05
    )

    assert seen == [True]
    session.refresh(run)
    assert run.status == RunStatus.DONE


def test_reviewers_can_confirm_tags_while_a_run_works(
    app, session, corpus, reviewer, default_areas
):
    from analysis.service import run_analysis
    from participation.db import begin_write
    from participation.models import User

    engine = db.engine

    def meanwhile(*args, progress=None, **kwargs):
        progress("tagging", 0.1)
        with Session(engine) as other:  # another request, another connection
            begin_write(other)
            inbox.confirm_focus_areas(
                other, other.get(User, reviewer.id), corpus[0].id, [default_areas["energy"].id]
            )
            other.commit()
        progress("clustering", 0.5)  # the run writes again after someone else did
        return run_analysis(*args, progress=progress, **kwargs)

    run = runs.start_run(session, actor="test")
    session.commit()
    run = runs.execute_run(session, run.id, model_dir=app.config["MODEL_DIR"], analyse=meanwhile)

    assert run.status == RunStatus.DONE, run.error
    assert runs.confirmed_keys(session)[corpus[0].id] == ("energy",)


def test_a_failing_run_is_recorded_with_its_reason_and_frees_the_way(session, corpus, app):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    run = runs.start_run(session, actor="test")
    session.commit()
    runs.execute_run(session, run.id, model_dir=app.config["MODEL_DIR"], analyse=broken)

    session.expire_all()
    run = session.get(AnalysisRun, run.id)
    assert run.status == RunStatus.FAILED and run.active is None and run.stage == "failed"
    assert run.error == "RuntimeError: the disk is full"
    assert run.finished_at is not None
    assert session.query(InputAnalysis).count() == 0
    assert runs.start_run(session, actor="test").status == RunStatus.QUEUED


def test_a_model_from_another_scikit_learn_is_rebuilt(session, corpus, app, monkeypatch):
    from analysis import persistence
    from analysis.service import run_analysis

    rebuilt = []
    monkeypatch.setattr(
        persistence,
        "get_or_train_tagger",
        lambda *args, **kwargs: rebuilt.append(kwargs.get("retrain")),
    )
    calls = []

    def once_outdated(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise persistence.ModelVersionError("model saved with scikit-learn 0.1")
        return run_analysis(*args, **kwargs)

    run = runs.start_run(session, actor="test")
    session.commit()
    run = runs.execute_run(
        session, run.id, model_dir=app.config["MODEL_DIR"], analyse=once_outdated
    )

    assert run.status == RunStatus.DONE
    assert rebuilt == [True]
    assert "scikit-learn 0.1" in run.parameters["model_rebuilt"]


def test_a_run_that_cannot_rebuild_the_model_fails_clearly(session, corpus, app, monkeypatch):
    from analysis import persistence

    monkeypatch.setattr(persistence, "get_or_train_tagger", lambda *a, **k: None)

    def always_outdated(*args, **kwargs):
        raise persistence.ModelVersionError("model saved with scikit-learn 0.1")

    run = runs.start_run(session, actor="test")
    session.commit()
    run = runs.execute_run(
        session, run.id, model_dir=app.config["MODEL_DIR"], analyse=always_outdated
    )

    assert run.status == RunStatus.FAILED
    assert run.error.startswith("The saved model could not be used")


# ---------------------------------------------------------------- review queue and quality


def test_the_review_queue_offers_the_least_certain_unconfirmed_inputs_first(
    session, corpus, run_analysis, reviewer, default_areas
):
    run = run_analysis()
    inbox.confirm_focus_areas(session, reviewer, corpus[1].id, [default_areas["local_food"].id])
    session.commit()

    queue = results.review_queue(session, run, per_page=50)

    ids = [row.item.id for row in queue.rows]
    assert corpus[1].id not in ids
    assert queue.total == len(corpus) - 1
    scores = [row.analysis.uncertainty for row in queue.rows]
    assert scores == sorted(scores)
    first_page = results.review_queue(session, run, per_page=5)
    assert [row.item.id for row in first_page.rows] == ids[:5]
    assert all(row.suggestions is not None for row in first_page.rows)


def test_confirming_a_suggestion_uses_the_back_office_confirmation(
    session, corpus, run_analysis, reviewer
):
    run = run_analysis()
    item = corpus[0]
    expected = suggested_keys(session, run, item.id)
    assert expected

    areas = results.confirm_suggestion(session, reviewer, item.id)
    session.commit()

    assert {a.key for a in areas} == expected
    assert runs.confirmed_keys(session)[item.id] == tuple(a.key for a in areas)
    entry = session.query(AuditEntry).filter_by(action="input.focus_areas").one()
    assert entry.object_id == str(item.id) and entry.user_id == reviewer.id


def test_quality_compares_suggestions_with_later_confirmations(
    session, corpus, run_analysis, reviewer, default_areas
):
    run = run_analysis()
    assert results.quality(session, run).agreement is None

    for item in corpus[:4]:
        results.confirm_suggestion(session, reviewer, item.id)  # agrees with the run
    inbox.confirm_focus_areas(session, reviewer, corpus[4].id, [default_areas["energy"].id])
    session.commit()

    found = results.quality(session, run)

    assert found.agreement["n"] == 5
    assert 0 < found.agreement["f1_micro"] < 1
    assert found.agreement["per_area"]["energy"]["support"] == 1
    assert found.tagger["oof_f1_micro"] > 0
    assert found.thresholds and found.n_training["example"] > 0


def test_latest_suggestions_feed_the_back_office(session, corpus, run_analysis):
    from participation.insights import results

    run = run_analysis()
    found = results.latest_suggestions(session, [item.id for item in corpus[:2]])

    assert {s.focus_area.key for s in found[corpus[0].id]} == suggested_keys(
        session, run, corpus[0].id
    )
    insight = results.input_insight(session, corpus[0].id)
    assert insight.run.id == run.id and insight.theme is not None


def test_suggestions_are_stored_as_the_analysis_returns_them(app, session, corpus):
    """The run stores ``InputResult.suggested`` as it is: nothing re-decides it."""
    from analysis import service as analysis_service

    returned = {}

    def analyse(*args, **kwargs):
        result = analysis_service.run_analysis(*args, **kwargs)
        returned.update({item.id: set(item.suggested) for item in result.inputs})
        return result

    run = runs.start_run(session, actor="test")
    session.commit()
    run = runs.execute_run(session, run.id, model_dir=app.config["MODEL_DIR"], analyse=analyse)
    assert run.status == RunStatus.DONE, run.error
    assert any(returned.values())
    for item in corpus:
        assert suggested_keys(session, run, item.id) == returned[item.id]


def test_a_retired_focus_area_is_offered_nowhere(session, corpus, run_analysis, reviewer):
    run = run_analysis()
    item = next(i for i in corpus if suggested_keys(session, run, i.id))
    retired_key = sorted(suggested_keys(session, run, item.id))[0]
    area = session.execute(select(FocusArea).where(FocusArea.key == retired_key)).scalar_one()
    area.active = False
    session.commit()

    shown = results.latest_suggestions(session, [item.id])[item.id]
    assert retired_key not in {s.focus_area.key for s in shown}
    assert area not in results.input_insight(session, item.id).suggested
    confirmed = results.confirm_suggestion(session, reviewer, item.id)
    assert area not in confirmed
    assert {a.key for a in confirmed} == suggested_keys(session, run, item.id) - {retired_key}
