"""The job queue in one process: a job's life (queued, running with progress, done
with a download), cancelling, failing, the lease that lets another worker take over a
job whose worker died, the completion guard, and the back-office pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import jobs
from participation.jobs import engine as job_engine
from participation.jobs import service
from participation.models import AnalysisRun, Job, JobStatus, RunStatus, utcnow
from tests.helpers import csrf_token, login


@pytest.fixture
def kinds():
    """Register job kinds for one test."""
    added: list[str] = []

    def add(name, work, **options):
        jobs.kind(name, title=f"Test job {name}", **options)(work)
        added.append(name)

    yield add
    for name in added:
        jobs.KINDS.pop(name, None)


def _other_view(app, job_id: int) -> Job:
    """The job row as another connection (another host's page) sees it."""
    from participation.extensions import db

    with Session(db.engine) as other:
        return other.execute(select(Job).where(Job.id == job_id)).scalar_one()


def test_a_job_runs_reports_progress_and_leaves_its_file(app, session, kinds, run_jobs, admin):
    seen = []

    def work(ctx):
        assert ctx.params == {"rows": 3} and ctx.user_id == admin.id and ctx.attempt == 1
        for step in range(3):
            ctx.progress(step / 3, "writing")
            ctx.progress(step / 3, f"step-{step}")  # a new stage is written at once
            row = _other_view(app, ctx.job_id)
            seen.append((row.status, row.stage, round(row.progress, 2)))
        return jobs.JobResult({"rows": 3}, jobs.JobFile("rows.csv", "text/csv", b"a;b\r\n1;2\r\n"))

    kinds("rows", work)
    job = jobs.enqueue("rows", {"rows": 3}, user=admin)
    assert job.status == JobStatus.QUEUED and job.progress == 0.0

    assert run_jobs() == 1
    assert seen == [
        ("running", "step-0", 0.0),
        ("running", "step-1", 0.33),
        ("running", "step-2", 0.67),
    ]
    session.rollback()
    done = session.get(Job, job.id)
    assert done.status == JobStatus.DONE and done.progress == 1.0
    assert done.result == {"rows": 3} and done.completions == 1 and done.attempts == 1
    assert done.result_name == "rows.csv" and done.result_size == 10
    assert done.result_expires_at > utcnow() + timedelta(hours=23)


def test_the_job_pages_show_progress_and_the_download(app, session, kinds, run_jobs, admin, client):
    kinds("rows", lambda ctx: jobs.JobResult(file=jobs.JobFile("r.csv", "text/csv", b"x\r\n")))
    job = jobs.enqueue("rows", user=admin)
    client.set_cookie("lang", "en")
    login(client, admin)

    page = client.get(f"/admin/jobbar/{job.id}")
    assert page.status_code == 200
    # A progress bar with its value as text, the stage in words, a live region.
    assert f'<progress id="job-progress-{job.id}" max="100" value="0"' in page.text
    assert ">0 %</progress>" in page.text and "Waiting to start" in page.text
    assert 'aria-live="polite"' in page.text
    assert f'data-status-url="/admin/jobbar/{job.id}/status"' in page.text
    assert "Refresh to see the progress" in page.text and "Cancel the job" in page.text
    status = client.get(f"/admin/jobbar/{job.id}/status").get_json()
    assert status["status"] == "queued" and status["active"] and status["percent"] == 0

    run_jobs()
    status = client.get(f"/admin/jobbar/{job.id}/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100 and not status["active"]
    assert status["download_url"] == f"/admin/jobbar/{job.id}/fil"
    page = client.get(f"/admin/jobbar/{job.id}")
    assert "Download r.csv" in page.text and "Cancel the job" not in page.text
    download = client.get(f"/admin/jobbar/{job.id}/fil")
    assert download.status_code == 200 and download.data == b"x\r\n"
    assert download.headers["Content-Disposition"] == 'attachment; filename="r.csv"'
    assert f"/admin/jobbar/{job.id}" in client.get("/admin/jobbar").text

    # The link expires; the file is then forgotten by the periodic purge.
    session.execute(
        Job.__table__.update().values(result_expires_at=utcnow() - timedelta(minutes=1))
    )
    session.commit()
    expired = client.get(f"/admin/jobbar/{job.id}/fil")
    assert expired.status_code == 303 and expired.headers["Location"] == f"/admin/jobbar/{job.id}"
    assert "The file is no longer available." in client.get(f"/admin/jobbar/{job.id}").text
    assert service.purge_results(session) == 1
    assert session.scalar(select(Job.result_data)) is None


def test_a_job_is_only_shown_to_who_started_it_and_admins(
    app, session, kinds, make_user, admin, client
):
    kinds("rows", lambda ctx: None)
    owner = make_user("reviewer")
    other = make_user("reviewer")
    job = jobs.enqueue("rows", user=owner)
    login(client, other)
    for url in (
        f"/admin/jobbar/{job.id}",
        f"/admin/jobbar/{job.id}/status",
        f"/admin/jobbar/{job.id}/fil",
    ):
        assert client.get(url).status_code == 404, url
    assert f"/admin/jobbar/{job.id}" not in client.get("/admin/jobbar").text
    client.post("/admin/logg-ut", data={"csrf_token": csrf_token(client.get("/admin/jobbar").text)})
    login(client, admin)
    assert client.get(f"/admin/jobbar/{job.id}").status_code == 200


def test_cancelling_a_queued_job_ends_it_before_it_runs(
    app, session, kinds, run_jobs, admin, client
):
    ran, ended = [], []
    kinds("rows", lambda ctx: ran.append(1), on_end=lambda s, job: ended.append(job.status))
    job = jobs.enqueue("rows", user=admin)
    client.set_cookie("lang", "en")
    login(client, admin)
    page = client.get(f"/admin/jobbar/{job.id}")
    response = client.post(
        f"/admin/jobbar/{job.id}/avbryt", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/jobbar/{job.id}"
    run_jobs()
    session.rollback()
    assert session.get(Job, job.id).status == JobStatus.CANCELLED
    assert ran == [] and ended == ["cancelled"]
    again = client.post(
        f"/admin/jobbar/{job.id}/avbryt", data={"csrf_token": csrf_token(page.text)}
    )
    assert "The job has already ended." in client.get(again.headers["Location"]).text
    assert client.post(f"/admin/jobbar/{job.id}/avbryt").status_code == 400  # no token


def test_cancelling_a_running_job_stops_it_at_its_next_step(app, session, kinds, run_jobs, admin):
    steps, ended = [], []

    def work(ctx):
        for step in range(10):
            if step == 3:
                jobs.cancel(ctx.job_id)  # someone presses cancel on the page
            ctx.progress(step / 10, f"step-{step}")
            steps.append(step)
        return {"finished": True}

    kinds("slow", work, on_end=lambda s, job: ended.append(job.status))
    job = jobs.enqueue("slow", user=admin)
    run_jobs()
    session.rollback()
    found = session.get(Job, job.id)
    assert found.status == JobStatus.CANCELLED and found.completions == 0
    assert steps == [0, 1, 2] and ended == ["cancelled"]


def test_work_that_raises_fails_the_job_with_its_reason(app, session, kinds, run_jobs, admin):
    ended = []

    def work(ctx):
        try:
            ctx.progress(0.1, "writing")
            raise ValueError("the file is broken")
        except Exception:  # work that records its own failures must not swallow a stop
            raise

    kinds("broken", work, on_end=lambda s, job: ended.append(job.error))
    job = jobs.enqueue("broken", user=admin)
    run_jobs()
    session.rollback()
    found = session.get(Job, job.id)
    assert found.status == JobStatus.FAILED and found.error == "ValueError: the file is broken"
    assert ended == ["ValueError: the file is broken"]


def test_a_job_whose_worker_died_is_run_again_and_completed_once(
    app, session, kinds, run_jobs, admin
):
    attempts = []
    kinds("rows", lambda ctx: attempts.append(ctx.attempt) or {"attempt": ctx.attempt})
    job = jobs.enqueue("rows", user=admin)
    # A worker took it off the queue and was killed: the message is gone, the row says
    # running with a lease that nobody renews.
    assert job_engine.get_engine(app).huey.dequeue() is not None
    dead = service.claim(session, job.id, "dead-worker", lease_seconds=60)
    assert dead.status == JobStatus.RUNNING and dead.attempts == 1
    assert run_jobs() == 0
    assert job_engine.recover(app) == ([], [])  # the lease still runs: nothing to do

    later = utcnow() + timedelta(seconds=61)
    assert service.recover(session, lease_seconds=60, now=later) == ([job.id], [])
    assert service.recover(session, lease_seconds=60, now=later) == ([], [])  # once
    job_engine.get_engine(app).send(job.id)
    assert run_jobs() == 1
    session.rollback()
    done = session.get(Job, job.id)
    assert done.status == JobStatus.DONE and done.attempts == 2 and done.completions == 1
    assert attempts == [2] and done.result == {"attempt": 2}
    # The dead worker (had it only stalled) can neither renew, finish nor complete it.
    assert service.heartbeat(session, job.id, "dead-worker", lease_seconds=60) == "lost"
    assert not service.complete(session, job.id, "dead-worker", result={"attempt": 1})
    assert not service.fail(session, job.id, "dead-worker", "late")
    session.rollback()
    assert session.get(Job, job.id).completions == 1
    assert session.get(Job, job.id).result == {"attempt": 2}


def test_a_job_interrupted_too_often_fails_and_a_lost_message_is_resent(
    app, session, kinds, run_jobs, admin
):
    ended = []
    kinds("rows", lambda ctx: {"ok": True}, on_end=lambda s, job: ended.append(job.status))
    job = jobs.enqueue("rows", user=admin)
    job_engine.get_engine(app).huey.flush()  # the queue lost the message
    assert run_jobs() == 0
    session.execute(Job.__table__.update().values(lease_until=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert job_engine.recover(app) == ([job.id], [])  # put on the queue again
    assert run_jobs() == 1
    session.rollback()
    assert session.get(Job, job.id).status == JobStatus.DONE

    second = jobs.enqueue("rows", user=admin)
    job_engine.get_engine(app).huey.flush()
    for n in range(second.max_attempts):
        assert service.claim(session, second.id, f"worker-{n}", lease_seconds=60) is not None
        session.execute(
            Job.__table__.update()
            .where(Job.id == second.id)
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
        session.commit()
        requeued, failed = job_engine.recover(app)
    assert failed == [second.id] and ended == ["failed"]
    session.rollback()
    assert session.get(Job, second.id).status == JobStatus.FAILED
    assert "interrupted too many times" in session.get(Job, second.id).error


def test_an_unknown_kind_is_refused(app, admin):
    with pytest.raises(ValueError):
        jobs.enqueue("no-such-kind", user=admin)


def test_the_analysis_run_can_be_cancelled_from_its_page(app, session, client, admin, run_jobs):
    from participation.insights import tasks
    from participation.insights.runs import stale_after

    client.set_cookie("lang", "en")
    login(client, admin)
    run, job = tasks.start(
        session, kind="run", user=admin, n_themes=None, stale_after=stale_after(app)
    )
    page = client.get("/admin/analyse/")
    assert f'action="/admin/jobbar/{job.id}/avbryt"' in page.text and "Cancel the run" in page.text
    response = client.post(
        f"/admin/jobbar/{job.id}/avbryt",
        data={"csrf_token": csrf_token(page.text), "next": "/admin/analyse/"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/admin/analyse/"
    session.rollback()
    found = session.get(AnalysisRun, run.id)
    assert found.status == RunStatus.FAILED and found.error == "The run was cancelled."
    assert not found.is_active
    run_jobs()
    assert session.get(Job, job.id).status == JobStatus.CANCELLED
