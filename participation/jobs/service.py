"""The job rows' only writer: create, claim, report progress, complete, fail, cancel,
recover. Plain functions on a SQLAlchemy session; no Flask, no queue.

Every state change is one conditional UPDATE, so two workers (or a worker and a
person pressing "cancel") can never both win:

- ``claim`` takes a *queued* job and gives it a lease (``lease_owner``,
  ``lease_until``); only the lease holder may report progress, complete or fail it;
- ``heartbeat`` renews the lease while the work goes on and says whether it should
  stop (cancel asked, or the lease was lost);
- ``complete`` succeeds once: ``WHERE status = 'running' AND lease_owner = me``, and it
  counts ``completions``;
- ``recover`` puts a job whose lease ran out (its worker died, or its message was lost
  on the way) back to *queued*, or fails it after ``max_attempts``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from participation.db import begin_write
from participation.models import Job, JobStatus, User, utcnow
from participation.models.jobs import ACTIVE_STATUSES

ERROR_LIMIT = 4000


class JobError(Exception):
    """Something the rules refuse; nothing was changed."""


class JobNotFound(JobError):
    pass


class JobNotCancellable(JobError):
    pass


def create_job(
    session: Session,
    kind: str,
    params: dict[str, Any] | None = None,
    user: User | None = None,
    *,
    locale: str = "nb",
    lease_seconds: float = 60,
    max_attempts: int = 3,
    now: datetime | None = None,
) -> Job:
    """A queued job. Flushes; the caller commits (and then puts it on the queue)."""
    now = now or utcnow()
    job = Job(
        kind=kind,
        params=dict(params or {}),
        status=JobStatus.QUEUED,
        locale=locale,
        stage="queued",
        progress=0.0,
        created_by_id=user.id if user is not None else None,
        created_at=now,
        # A queued job that no worker claims in this time is handed out again.
        lease_until=now + timedelta(seconds=lease_seconds),
        attempts=0,
        max_attempts=max(1, max_attempts),
        completions=0,
        cancel_requested=False,
        result={},
    )
    session.add(job)
    session.flush()
    return job


def _update(session: Session, job_id: int, *where, **values) -> bool:
    begin_write(session)
    result = session.execute(
        update(Job).where(Job.id == job_id, *where).values(**values),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    return result.rowcount == 1


def _held(session: Session, job_id: int, owner: str, **values) -> bool:
    """Change the job only while it runs and ``owner`` still holds it. Commits."""
    return _update(
        session, job_id, Job.status == JobStatus.RUNNING, Job.lease_owner == owner, **values
    )


def _queued(session: Session, job_id: int, *, cancel_requested: bool, **values) -> bool:
    """Change the job only while it waits on the queue with cancel asked or not. Commits."""
    return _update(
        session,
        job_id,
        Job.status == JobStatus.QUEUED,
        Job.cancel_requested.is_(cancel_requested),
        **values,
    )


def claim(
    session: Session, job_id: int, owner: str, *, lease_seconds: float, now: datetime | None = None
) -> Job | None:
    """Take a queued job for ``owner``; None when it is not queued (done, cancelled,
    or another worker has it). Commits."""
    now = now or utcnow()
    won = _queued(
        session,
        job_id,
        cancel_requested=False,
        status=JobStatus.RUNNING,
        lease_owner=owner,
        lease_until=now + timedelta(seconds=lease_seconds),
        heartbeat_at=now,
        started_at=now,
        attempts=Job.attempts + 1,
        error=None,
    )
    if not won:
        # A job cancelled while it waited on the queue ends here.
        _queued(session, job_id, cancel_requested=True, status=JobStatus.CANCELLED, finished_at=now)
        return None
    return session.get(Job, job_id, populate_existing=True)


class Signal:
    """What a heartbeat found: carry on, stop because cancelled, or stop because lost."""

    GO = "go"
    CANCEL = "cancel"
    LOST = "lost"


def heartbeat(
    session: Session,
    job_id: int,
    owner: str,
    *,
    lease_seconds: float,
    progress: float | None = None,
    stage: str | None = None,
    now: datetime | None = None,
) -> str:
    """Renew the lease (and record progress). Returns a :class:`Signal` value. Commits."""
    now = now or utcnow()
    values: dict[str, Any] = {
        "lease_until": now + timedelta(seconds=lease_seconds),
        "heartbeat_at": now,
    }
    if progress is not None:
        values["progress"] = max(0.0, min(1.0, float(progress)))
    if stage is not None:
        values["stage"] = stage[:60]
    held = _held(session, job_id, owner, **values)
    if not held:
        return Signal.LOST
    cancel = session.execute(
        select(Job.cancel_requested).where(Job.id == job_id)
    ).scalar_one_or_none()
    session.commit()
    return Signal.CANCEL if cancel else Signal.GO


def complete(
    session: Session,
    job_id: int,
    owner: str,
    *,
    result: dict[str, Any] | None = None,
    file: tuple[str, str, bytes] | None = None,
    keep_for: timedelta | None = None,
    now: datetime | None = None,
) -> bool:
    """Mark done, with its result, if ``owner`` still holds it. True once per job. Commits."""
    now = now or utcnow()
    values: dict[str, Any] = {
        "status": JobStatus.DONE,
        "progress": 1.0,
        "stage": "done",
        "finished_at": now,
        "heartbeat_at": now,
        "lease_owner": None,
        "completions": Job.completions + 1,
        "result": dict(result or {}),
    }
    if file is not None:
        name, mimetype, data = file
        values.update(
            result_name=name[:200],
            result_mimetype=mimetype,
            result_data=data,
            result_size=len(data),
            result_expires_at=now + (keep_for or timedelta(hours=24)),
        )
    return _held(session, job_id, owner, **values)


def finish_cancelled(
    session: Session, job_id: int, owner: str, now: datetime | None = None
) -> bool:
    """The worker stopped because cancel was asked. Commits."""
    return _end(session, job_id, owner, JobStatus.CANCELLED, now)


def fail(
    session: Session, job_id: int, owner: str, error: str, now: datetime | None = None
) -> bool:
    """The work raised: failed for good (a bug or bad data does not mend by retrying;
    retries are for workers that died). Commits."""
    return _end(session, job_id, owner, JobStatus.FAILED, now, error=error[:ERROR_LIMIT])


def _ended(status: JobStatus, now: datetime) -> dict[str, Any]:
    """The values of a job that ends with ``status``: its stage says so too, and nobody holds it."""
    return {"status": status, "stage": str(status), "finished_at": now, "lease_owner": None}


def _end(session: Session, job_id: int, owner: str, status: JobStatus, now, **values) -> bool:
    """The running job ends with ``status``, if ``owner`` holds it."""
    return _held(session, job_id, owner, **_ended(status, now or utcnow()), **values)


def request_cancel(session: Session, job_id: int, now: datetime | None = None) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next heartbeat.
    Raises :class:`JobNotCancellable` when it has ended. Commits."""
    now = now or utcnow()
    if _update(
        session,
        job_id,
        Job.status == JobStatus.QUEUED,
        status=JobStatus.CANCELLED,
        stage="cancelled",
        cancel_requested=True,
        finished_at=now,
    ) or _update(session, job_id, Job.status == JobStatus.RUNNING, cancel_requested=True):
        return session.get(Job, job_id, populate_existing=True)
    if session.get(Job, job_id) is None:
        raise JobNotFound()
    raise JobNotCancellable()


def recover(
    session: Session, *, lease_seconds: float, now: datetime | None = None
) -> tuple[list[int], list[int]]:
    """Jobs whose lease ran out: back on the queue (ids returned first, for the caller to
    enqueue), or failed when they have had ``max_attempts`` (ids returned second).

    A job is requeued by one conditional UPDATE each, so two recoverers never both
    requeue it. Commits.
    """
    now = now or utcnow()
    expired = list(
        session.execute(
            select(Job.id, Job.status, Job.attempts, Job.max_attempts, Job.cancel_requested).where(
                Job.status.in_(list(ACTIVE_STATUSES)), Job.lease_until < now
            )
        ).all()
    )
    session.commit()
    requeued, failed = [], []
    for job_id, status, attempts, max_attempts, cancel in expired:
        stale = (Job.status == status, Job.lease_until < now)
        if cancel:
            _update(session, job_id, *stale, **_ended(JobStatus.CANCELLED, now))
        elif attempts >= max_attempts:
            if _update(
                session,
                job_id,
                *stale,
                **_ended(JobStatus.FAILED, now),
                error="The job was interrupted too many times (its worker stopped).",
            ):
                failed.append(job_id)
        elif _update(
            session,
            job_id,
            *stale,
            status=JobStatus.QUEUED,
            stage="queued",
            lease_owner=None,
            lease_until=now + timedelta(seconds=lease_seconds),
        ):
            requeued.append(job_id)
    return requeued, failed


def purge_results(session: Session, now: datetime | None = None) -> int:
    """Forget downloads whose link has expired. Commits."""
    now = now or utcnow()
    begin_write(session)
    result = session.execute(
        update(Job)
        .where(Job.result_expires_at < now, Job.result_data.is_not(None))
        .values(result_data=None),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    return result.rowcount


# ---------------------------------------------------------------- reading


def get_job(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def list_jobs(
    session: Session, *, user: User | None = None, kind: str | None = None, limit: int = 50
) -> list[Job]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if user is not None:
        query = query.where(Job.created_by_id == user.id)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(session.execute(query).scalars())


def latest_job(session: Session, kind: str, **params: Any) -> Job | None:
    """The newest job of ``kind`` whose params include ``params``."""
    for job in list_jobs(session, kind=kind, limit=20):
        if all(job.params.get(k) == v for k, v in params.items()):
            return job
    return None


def active_jobs(session: Session, kind: str | None = None) -> list[Job]:
    query = select(Job).where(Job.status.in_(list(ACTIVE_STATUSES))).order_by(Job.id)
    if kind is not None:
        query = query.where(Job.kind == kind)
    return list(session.execute(query).scalars())


def download_ready(job: Job, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        job.status == JobStatus.DONE
        and job.result_name is not None
        and job.result_expires_at is not None
        and job.result_expires_at > now
    )
