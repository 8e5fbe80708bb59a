"""The job queue: kinds of work, putting a job on the queue, and carrying it out.

Huey carries job ids from the app to the workers (Redis in production, a SQLite file
in the instance folder by default, memory in tests) and runs the periodic work. What a
job is and how far it got lives in the ``job`` table (``participation.jobs.service``):
a worker *claims* the job with a lease, renews the lease from a heartbeat thread while
the work goes on, and only the lease holder can complete it. A worker that dies
(SIGKILL, OOM, a host gone) stops renewing; every worker looks for jobs whose lease ran
out and puts them back on the queue, so another worker starts them again.

Other packages use three things::

    from participation import jobs

    @jobs.kind("report", title=_l("Consultation report"))
    def build_report(ctx: jobs.JobContext) -> jobs.JobResult:
        for i, part in enumerate(parts):
            ctx.progress(i / len(parts), "writing")     # raises JobStopped when cancelled
            ...
        return jobs.JobResult(file=jobs.JobFile("rapport.docx", DOCX, data))

    job = jobs.enqueue("report", {"draft_id": 3}, user=current_user)   # commits
    return redirect(url_for("backoffice.job", job_id=job.id))         # progress page

and ``jobs.periodic("name", minute="*/5")`` for scheduled work.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, has_request_context
from sqlalchemy.orm import Session

from participation.extensions import db
from participation.jobs import service
from participation.models import Job, User

log = logging.getLogger(__name__)

EXTENSION = "innspill_jobs"
TASK_NAME = "innspill.run_job"
# Progress is written at most this often (seconds), and at every new stage.
PROGRESS_INTERVAL = 0.5

T = TypeVar("T")


class JobStopped(BaseException):  # noqa: N818
    """Raised inside a job's work by ``ctx.progress`` when it must stop.

    A ``BaseException``, like ``KeyboardInterrupt``, so that work which records its
    own failures with ``except Exception`` does not swallow it.
    """


class JobCancelled(JobStopped):
    """Someone pressed cancel."""


class JobLost(JobStopped):
    """This worker no longer holds the job's lease (another worker has it)."""


@dataclass
class JobFile:
    """A file for the user to download from the job's page (kept for a while)."""

    name: str
    mimetype: str
    data: bytes


@dataclass
class JobResult:
    """What a job produced: ``data`` for the page (JSON), optionally a file."""

    data: dict[str, Any] = field(default_factory=dict)
    file: JobFile | None = None


@dataclass
class Kind:
    name: str
    work: Callable[[JobContext], JobResult | dict | None]
    title: Any  # a (lazy) translated string
    # Where the user sees the result, or goes back to (e.g. the analysis page).
    return_url: Callable[[Job], str | None] | None = None
    # Called (in a session of its own) when the job ends without success: failed,
    # cancelled, or given up after too many interruptions.
    on_end: Callable[[Session, Job], None] | None = None
    max_attempts: int | None = None


KINDS: dict[str, Kind] = {}


def kind(
    name: str,
    *,
    title: Any,
    return_url: Callable[[Job], str | None] | None = None,
    on_end: Callable[[Session, Job], None] | None = None,
    max_attempts: int | None = None,
) -> Callable:
    """Register the work of a kind of job (a decorator)."""

    def register(work: Callable[[JobContext], Any]) -> Callable[[JobContext], Any]:
        KINDS[name] = Kind(name, work, title, return_url, on_end, max_attempts)
        return work

    return register


def on_end_of(param: str) -> Callable:
    """Make ``end(session, row_id, job)`` the ``on_end`` of a kind that works on one row
    (``JobContext.subject``): it is called only when the job names its row in ``param``."""

    def wrap(end: Callable[[Session, Any, Job], None]) -> Callable[[Session, Job], None]:
        def on_end(session: Session, job: Job) -> None:
            row_id = (job.params or {}).get(param)
            if row_id is not None:
                end(session, row_id, job)

        return on_end

    return wrap


@dataclass
class Periodic:
    name: str
    work: Callable[[Flask], Any]
    schedule: dict[str, str]


PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, **crontab: str) -> Callable:
    """Register scheduled work, ``crontab`` as Huey's (``minute="*/5"``, ``hour="3"``),
    in UTC. ``work(app)`` runs in an app context on the worker that runs the scheduler."""

    def register(work: Callable[[Flask], Any]) -> Callable[[Flask], Any]:
        PERIODIC[name] = Periodic(name, work, crontab)
        return work

    return register


# ---------------------------------------------------------------- the queue


def make_huey(app: Flask):
    """The Huey instance for ``JOBS_URL``: ``sqlite:///path`` (default: the instance
    folder), ``redis://…``, ``memory://`` (this process only) or ``immediate`` (run
    at once inside the request; development only)."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    url = app.config.get("JOBS_URL") or ""
    name = app.config.get("JOBS_QUEUE_NAME") or "innspill"
    options = {"results": False, "utc": True}
    if url == "immediate":
        return MemoryHuey(name, immediate=True, **options)
    if url.startswith("memory:"):
        return MemoryHuey(name, **options)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, **options)
    if not url or url.startswith("sqlite:"):
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        path = path or str(Path(app.instance_path) / "jobs.sqlite")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=path, **options)
    raise ValueError(f"INNSPILL_JOBS_URL: unknown queue {url!r}")


class Engine:
    """The app's queue: its Huey instance with the task and the periodic work."""

    def __init__(self, app: Flask) -> None:
        from huey import crontab

        self.app = app
        self.huey = make_huey(app)
        self.run_task = self.huey.task(name=TASK_NAME)(self._run)
        for item in PERIODIC.values():
            self.huey.periodic_task(crontab(**item.schedule), name=f"innspill.{item.name}")(
                self._periodic_runner(item)
            )

    def _run(self, job_id: int) -> None:
        execute(self.app, job_id)

    def _periodic_runner(self, item: Periodic) -> Callable[[], None]:
        def run() -> None:
            with self.app.app_context():
                try:
                    item.work(self.app)
                except Exception:  # noqa: BLE001  (logged; the next tick tries again)
                    log.exception("periodic job %s failed", item.name)
                finally:
                    db.session.remove()

        run.__name__ = item.name
        return run

    def send(self, job_id: int) -> bool:
        """Put a job id on the queue. False when the queue could not be reached: the
        job waits in the table and a worker picks it up when its lease runs out."""
        try:
            self.run_task(job_id)
        except Exception:  # noqa: BLE001  (the row is the truth; recovery re-sends)
            log.exception("job %s could not be put on the queue; it will be re-sent", job_id)
            return False
        return True

    def pending(self) -> int:
        return self.huey.pending_count()

    def run_pending(self, limit: int = 100) -> int:
        """Carry out what is on the queue in this thread (tests, ``flask jobs run``)."""
        done = 0
        while done < limit:
            task = self.huey.dequeue()
            if task is None:
                break
            self.huey.execute(task)
            done += 1
        return done


def init_app(app: Flask) -> Engine:
    engine = Engine(app)
    app.extensions[EXTENSION] = engine
    return engine


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions[EXTENSION]


def lease_seconds(app: Flask | None = None) -> float:
    return float((app or current_app).config["JOBS_LEASE_SECONDS"])


def _locale() -> str:
    if has_request_context():
        from flask_babel import get_locale

        return str(get_locale() or "nb")
    return "nb"


def enqueue(
    kind_name: str,
    params: dict[str, Any] | None = None,
    user: User | None = None,
    *,
    locale: str | None = None,
) -> Job:
    """Queue a job of a registered kind and return its row. Commits ``db.session``."""
    found = KINDS.get(kind_name)
    if found is None:
        raise ValueError(f"no job kind {kind_name!r}")
    config = current_app.config
    job = service.create_job(
        db.session,
        kind_name,
        params,
        user,
        locale=locale or _locale(),
        lease_seconds=lease_seconds(),
        max_attempts=found.max_attempts or config["JOBS_MAX_ATTEMPTS"],
    )
    db.session.commit()
    get_engine().send(job.id)
    return job


def cancel(job_id: int) -> Job:
    """Cancel (see ``service.request_cancel``); a queued job ends at once."""
    job = service.request_cancel(db.session, job_id)
    if job.status == "cancelled":
        _ended(current_app._get_current_object(), job.id)
    return job


# ---------------------------------------------------------------- carrying one out


class JobContext:
    """What a job's work gets: its parameters, a session, and ``progress``."""

    def __init__(self, app: Flask, job: Job, owner: str, book: Session) -> None:
        self.app = app
        self.job_id = job.id
        self.kind = job.kind
        self.params: dict[str, Any] = dict(job.params or {})
        self.user_id = job.created_by_id
        self.locale = job.locale
        self.attempt = job.attempts
        self.owner = owner
        self._book = book
        self._lock = threading.Lock()
        self._signal = service.Signal.GO
        self._stage = ""
        self._last = 0.0

    @property
    def session(self) -> Session:
        """The work's own session (``db.session`` of the job's app context)."""
        return db.session

    def subject(self, model: type[T], param: str, name: str) -> T:
        """The row the job works on, by the id in its parameter ``param``; raises
        ``LookupError`` ("<name> <id> does not exist") when it is gone."""
        row_id = int(self.params[param])
        found = self.session.get(model, row_id)
        if found is None:
            raise LookupError(f"{name} {row_id} does not exist")
        return found

    def check(self) -> None:
        """Raise :class:`JobStopped` if the job must stop."""
        if self._signal == service.Signal.CANCEL:
            raise JobCancelled()
        if self._signal == service.Signal.LOST:
            raise JobLost()

    def progress(self, fraction: float, stage: str | None = None) -> None:
        """Record how far the work got (0..1) and the stage it is in; raise
        :class:`JobStopped` when it must stop. Cheap to call often."""
        now = time.monotonic()
        stage = stage if stage is not None else self._stage
        if stage == self._stage and now - self._last < PROGRESS_INTERVAL:
            self.check()
            return
        self._stage, self._last = stage, now
        self.beat(progress=fraction, stage=stage)
        self.check()

    def in_chunks(
        self,
        stage: str,
        write: Callable[[int], int],
        *,
        done: int,
        total: int,
        ended: type[Exception] | tuple[type[Exception], ...] = (),
        open_ended: bool = False,
    ) -> bool:
        """Write the work's rows ``JOBS_CHUNK_ROWS`` per transaction, so the heartbeat and
        other writers are never held up for long (SQLite has one writer).

        ``write(size)`` writes up to ``size`` more rows in ``self.session`` and returns
        how many (0: nothing left). Each chunk is committed, then progress (``done`` of
        ``total`` rows, in ``stage``) is reported and cancel heeded. ``open_ended``: more
        rows may come than ``total`` counted, so progress stays below 1 until the work
        ends. ``ended``: what ``write`` raises when the work was ended elsewhere; that
        chunk is rolled back and False returned. True when all rows are written."""
        session = self.session
        size = max(1, int(self.app.config["JOBS_CHUNK_ROWS"]))
        self.progress(done / total, stage)
        while True:
            try:
                written = write(size)
            except ended:
                session.rollback()
                return False
            session.commit()
            if not written:
                return True
            done += written
            self.progress(min(done / total, 0.99) if open_ended else done / total, stage)

    def beat(self, **values: Any) -> None:
        with self._lock:
            signal = service.heartbeat(
                self._book,
                self.job_id,
                self.owner,
                lease_seconds=lease_seconds(self.app),
                **values,
            )
            if self._signal == service.Signal.GO:
                self._signal = signal


class _Heartbeat:
    """Renews the lease every third of it while the work runs, even when the work
    reports no progress for a long time (one long scikit-learn call)."""

    def __init__(self, ctx: JobContext, every: float) -> None:
        self.ctx = ctx
        self.every = every
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"job-heartbeat-{ctx.job_id}", daemon=True
        )

    def _run(self) -> None:
        with self.ctx.app.app_context():
            while not self.stop.wait(self.every):
                try:
                    self.ctx.beat()
                except Exception:  # noqa: BLE001  (a missed beat; the lease has slack)
                    log.warning("heartbeat of job %s failed", self.ctx.job_id, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:120]


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def execute(app: Flask, job_id: int) -> str:
    """Claim and carry out one job in this thread. Returns what became of it:
    ``done``, ``failed``, ``cancelled``, ``lost`` or ``skipped`` (not claimable)."""
    from flask_babel import force_locale

    with app.app_context():
        book = Session(db.engine)  # the job row's own session, apart from the work's
        owner = _owner()
        try:
            job = service.claim(book, job_id, owner, lease_seconds=lease_seconds(app))
            if job is None:
                return "skipped"
            found = KINDS.get(job.kind)
            if found is None:
                service.fail(book, job_id, owner, f"Unknown kind of job: {job.kind}")
                return "failed"
            ctx = JobContext(app, job, owner, book)
            log.info("job %s (%s) started, attempt %s", job_id, job.kind, job.attempts)
            try:
                with _Heartbeat(ctx, lease_seconds(app) / 3), force_locale(job.locale):
                    outcome = found.work(ctx)
                    ctx.check()
            except JobCancelled:
                db.session.rollback()
                service.finish_cancelled(book, job_id, owner)
                _ended(app, job_id)
                return "cancelled"
            except JobLost:
                db.session.rollback()
                log.warning("job %s: lease lost; another worker has it", job_id)
                return "lost"
            except Exception as error:  # noqa: BLE001  (recorded on the job)
                db.session.rollback()
                log.exception("job %s (%s) failed", job_id, job.kind)
                service.fail(book, job_id, owner, _describe(error))
                _ended(app, job_id)
                return "failed"
            result = outcome if isinstance(outcome, JobResult) else JobResult(dict(outcome or {}))
            file = result.file
            completed = service.complete(
                book,
                job_id,
                owner,
                result=result.data,
                file=(file.name, file.mimetype, file.data) if file is not None else None,
                keep_for=timedelta(hours=app.config["JOBS_RESULT_HOURS"]),
            )
            if not completed:
                log.warning("job %s finished but its lease was gone; not completed", job_id)
                return "lost"
            log.info("job %s (%s) done", job_id, job.kind)
            return "done"
        finally:
            book.close()
            db.session.remove()


def _ended(app: Flask, job_id: int) -> None:
    """Let the kind tidy up after a job that ended without success."""
    with app.app_context():
        try:
            job = db.session.get(Job, job_id)
            found = KINDS.get(job.kind) if job is not None else None
            if found is not None and found.on_end is not None:
                found.on_end(db.session, job)
                db.session.commit()
        except Exception:  # noqa: BLE001
            db.session.rollback()
            log.exception("tidying up after job %s failed", job_id)


def recover(app: Flask) -> tuple[list[int], list[int]]:
    """Requeue jobs whose worker died (lease ran out); tidy up those given up."""
    with app.app_context():
        try:
            requeued, failed = service.recover(db.session, lease_seconds=lease_seconds(app))
        finally:
            db.session.remove()
    for job_id in requeued:
        log.warning("job %s: its worker stopped; queued again", job_id)
        get_engine(app).send(job_id)
    for job_id in failed:
        _ended(app, job_id)
    return requeued, failed


# ---------------------------------------------------------------- the worker


def run_worker(app: Flask, *, workers: int = 2, scheduler: bool = True) -> None:
    """Run a consumer (blocks until SIGINT/SIGTERM): ``workers`` threads carrying out
    jobs, a thread requeueing jobs of dead workers, and (``scheduler``) the periodic
    work. Run the scheduler in one worker process per installation."""
    eng = get_engine(app)
    stop = threading.Event()
    every = max(0.5, lease_seconds(app) / 3)

    def recovering() -> None:
        while not stop.wait(every):
            try:
                recover(app)
            except Exception:  # noqa: BLE001  (the database may be away; try again)
                log.warning("recovering jobs failed", exc_info=True)

    thread = threading.Thread(target=recovering, name="job-recovery", daemon=True)
    recover(app)
    thread.start()
    consumer = eng.huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=scheduler,
        max_delay=float(app.config["JOBS_POLL_SECONDS"]),
        check_worker_health=True,
    )
    try:
        consumer.run()
    finally:
        stop.set()
