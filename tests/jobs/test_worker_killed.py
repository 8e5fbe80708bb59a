"""A job survives its worker's SIGKILL: two ``flask jobs worker`` processes share the
queue; the one that took an analysis run is killed in the middle of it; the other
takes the job over once its lease runs out, and the run is finished whole, once."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import func, select

from participation.insights import tasks
from participation.insights.runs import stale_after
from participation.jobs import engine as job_engine
from participation.models import (
    AnalysisRun,
    AnalysisTheme,
    Input,
    InputAnalysis,
    Job,
    JobStatus,
    RunStatus,
)
from tests.conftest import start_job_worker, stop_process
from tests.insights.conftest import TEXTS

pytestmark = pytest.mark.slow

LEASE_SECONDS = "3"
# Waits for processes on a busy machine; never asserted as durations.
WAIT = 240


def _wait_for(read, predicate, what: str, processes=()):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = read()
        if predicate(value):
            return value
        for process in processes:
            assert process.poll() is None or process.returncode == -signal.SIGKILL, what
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {value!r}")


def test_a_job_survives_its_workers_sigkill(app, session, make_input, admin, tmp_path):
    from participation.demo import DemoReport, seed_focus_areas

    seed_focus_areas(session, DemoReport())
    for text in TEXTS:
        make_input(text)
    # This test's queue is a SQLite file the two worker processes share.
    app.config["JOBS_URL"] = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    app.config["JOBS_LEASE_SECONDS"] = int(LEASE_SECONDS)
    job_engine.init_app(app)
    run, job = tasks.start(
        session, kind="run", user=admin, n_themes=3, stale_after=stale_after(app)
    )
    run_id, job_id = run.id, job.id

    env = {"INNSPILL_JOBS_LEASE_SECONDS": LEASE_SECONDS}
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [
        start_job_worker(database, tmp_path, extra_env=env, name=f"worker-{n}") for n in (1, 2)
    ]
    try:

        def read():
            session.rollback()
            found = session.get(Job, job_id)
            session.refresh(found)
            return found.status, found.lease_owner, session.get(AnalysisRun, run_id).status

        status, owner, run_status = _wait_for(
            read,
            lambda v: v[0] == JobStatus.RUNNING and v[2] == RunStatus.RUNNING,
            "the run to start",
            workers,
        )
        pid = int(owner.split(":")[1])
        victim = next(w for w in workers if w.pid == pid)
        os.kill(pid, signal.SIGKILL)
        victim.wait(timeout=30)
        # It was killed in the middle of the run, not after it.
        status, _, run_status = read()
        assert status == JobStatus.RUNNING and run_status == RunStatus.RUNNING

        survivor = next(w for w in workers if w is not victim)
        _wait_for(
            read,
            lambda v: v[0] not in (JobStatus.QUEUED, JobStatus.RUNNING),
            "the other worker to finish the job",
            [survivor],
        )
    finally:
        for worker in workers:
            stop_process(worker)

    session.rollback()
    found = session.get(Job, job_id)
    logs = "".join((tmp_path / f"worker-{n}.log").read_text() for n in (1, 2))
    assert found.status == JobStatus.DONE, (found.error, logs)
    assert found.attempts == 2 and found.completions == 1  # completed once, by the second
    assert found.result == {"run_id": run_id}
    finished = session.get(AnalysisRun, run_id)
    assert finished.status == RunStatus.DONE and finished.active is None
    assert session.scalar(select(func.count(AnalysisRun.id))) == 1
    # The result is whole: every input analysed once, the themes asked for.
    inputs = session.scalar(select(func.count(Input.id)))
    rows = session.execute(
        select(InputAnalysis.input_id).where(InputAnalysis.run_id == run_id)
    ).scalars()
    assert sorted(rows) == sorted(session.execute(select(Input.id)).scalars())
    assert finished.n_inputs == inputs == len(TEXTS)
    assert (
        session.scalar(select(func.count(AnalysisTheme.id)).where(AnalysisTheme.run_id == run_id))
        == 3
    )
