"""The analysis run as a job on the queue (see ``participation.jobs``).

The back office queues a run (``runs.start_run``; the database allows one active run)
and a job that carries it out on a worker. A worker killed mid-run loses its lease; the
job is queued again and the next worker starts the run afresh (``runs.resume_run``):
a run's results are stored in one transaction at its end, so an interrupted attempt
leaves nothing behind, and a finished run is never carried out again.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from participation import jobs
from participation.insights import runs
from participation.models import AnalysisRun, Job, JobStatus, RunStatus

KIND = "analysis"


class RunFailed(Exception):
    """The run ended failed (its reason is on the run)."""


@jobs.on_end_of("run_id")
def _ended(session: Session, run_id: int, job: Job) -> None:
    if job.status == JobStatus.CANCELLED:
        runs.end_run(session, run_id, "The run was cancelled.")
    else:
        runs.end_run(session, run_id, job.error or "The run's job failed.")


@jobs.kind(
    KIND,
    title=_l("Analysis run"),
    return_url=lambda job: url_for("insights.index", _anchor="run-status"),
    on_end=_ended,
)
def carry_out(ctx: jobs.JobContext) -> dict:
    run_id = int(ctx.params["run_id"])
    session = ctx.session
    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise runs.RunNotFound(f"analysis run {run_id} does not exist")
    if run.status == RunStatus.DONE:  # finished by an earlier attempt
        return {"run_id": run_id}
    if run.status == RunStatus.RUNNING:  # an earlier attempt's worker died
        runs.resume_run(session, run_id)
    config = ctx.app.config
    run = runs.execute_run(
        session,
        run_id,
        model_dir=config["MODEL_DIR"],
        keep_runs=config["ANALYSIS_KEEP_RUNS"],
        on_progress=lambda stage, fraction: ctx.progress(fraction, stage),
    )
    if run.status != RunStatus.DONE:
        raise RunFailed(run.error or run.status)
    return {"run_id": run_id}


def start(
    session: Session, *, kind, user, n_themes, stale_after, process_id: int | None = None
) -> tuple[AnalysisRun, Job]:
    """Queue a run of a process's input (default: the current process) and its job in
    one transaction. Raises ``runs.RunInProgress``."""
    run = runs.start_run(
        session,
        kind=kind,
        user=user,
        n_themes=n_themes,
        stale_after=stale_after,
        process_id=process_id,
    )
    job = jobs.enqueue(KIND, {"run_id": run.id}, user=user)
    return run, job


def job_for(session: Session, run: AnalysisRun) -> Job | None:
    from participation.jobs import service

    return service.latest_job(session, KIND, run_id=run.id)
