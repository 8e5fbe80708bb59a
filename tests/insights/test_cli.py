"""``flask --app participation analysis run|retrain|status``."""

from __future__ import annotations

from participation.insights import runs
from participation.models import AnalysisRun, InputAnalysis, RunStatus


def test_analysis_run_stores_a_run_and_reports_it(runner, session, corpus):
    result = runner.invoke(args=["analysis", "run", "--themes", "3"])

    assert result.exit_code == 0, result.output
    run = session.query(AnalysisRun).one()
    assert run.status == RunStatus.DONE and run.kind == "run"
    assert run.triggered_by == "cli"
    assert run.parameters["n_themes"] == 3
    assert session.query(InputAnalysis).filter_by(run_id=run.id).count() == len(corpus)
    assert f"run {run.id} done" in result.output
    assert (
        f"{len(corpus)} inputs ({len(corpus) - 2} counting near-duplicates once)" in result.output
    )
    assert result.output.count("theme ") == 3
    assert "tagging" in result.stderr  # progress, on stderr


def test_analysis_retrain_trains_then_analyses(runner, session, corpus):
    result = runner.invoke(args=["analysis", "retrain"])

    assert result.exit_code == 0, result.output
    run = session.query(AnalysisRun).one()
    assert run.kind == "retrain" and run.status == RunStatus.DONE
    assert "created" in run.parameters["retrained"]
    assert "training" in result.stderr
    assert "out-of-fold F1 micro" in result.output


def test_analysis_run_refuses_while_another_run_is_active(runner, session, default_areas):
    busy = runs.start_run(session, actor="someone")
    session.commit()

    result = runner.invoke(args=["analysis", "run"])

    assert result.exit_code == 1
    assert f"already queued or running (run {busy.id}" in result.output
    assert session.query(AnalysisRun).count() == 1


def test_analysis_run_reports_a_failure(runner, session, corpus, monkeypatch):
    from analysis import service as analysis_service

    def broken(*args, **kwargs):
        raise RuntimeError("out of disk")

    monkeypatch.setattr(analysis_service, "run_analysis", broken)
    result = runner.invoke(args=["analysis", "run"])

    assert result.exit_code == 1
    assert "failed: RuntimeError: out of disk" in result.output
    assert session.query(AnalysisRun).one().status == RunStatus.FAILED


def test_analysis_run_rejects_a_silly_number_of_themes(runner, default_areas):
    result = runner.invoke(args=["analysis", "run", "--themes", "1"])
    assert result.exit_code == 2


def test_analysis_status_lists_the_runs(runner, session, default_areas):
    assert "no analysis runs yet" in runner.invoke(args=["analysis", "status"]).output
    runs.start_run(session, actor="cli")
    session.commit()
    output = runner.invoke(args=["analysis", "status"]).output
    assert "run" in output and "queued" in output
