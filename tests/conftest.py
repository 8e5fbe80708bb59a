"""Shared fixtures: the app on SQLite (default) or PostgreSQL (DATABASE_URL).

The schema is built once per session by running the Alembic migrations, so the
tests also prove that the migrations produce what the models describe. Each
test starts from empty tables.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from participation import create_app
from participation.extensions import db as _db
from participation.models import Base
from tests.helpers import DRAFT_MARKDOWN, DRAFT_MD, PASSWORD, login, reset_request_state

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-key-not-for-production"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{tmp_root / 'test.sqlite'}"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory.mktemp("db"))
    if url.startswith("postgresql"):
        _reset_postgres(url)
    return url


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "ENV": "development",
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATABASE_URL": database_url,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_DIR": str(instance / "uploads"),
        "MODEL_DIR": str(instance / "models"),
        # A busy CI machine can stall a test request for seconds; the fault tests
        # set the production timeouts themselves.
        "DB_STATEMENT_TIMEOUT": 30,
        "DB_IDLE_IN_TRANSACTION_TIMEOUT": 120,
        # Jobs wait in this process's memory until a test carries them out
        # (``run_jobs``); the worker tests start real worker processes.
        "JOBS_URL": "memory://",
    }


@pytest.fixture(scope="session")
def _migrated(database_url, tmp_path_factory) -> str:
    """Run the real migrations once on an empty database."""
    from flask_migrate import upgrade

    instance = tmp_path_factory.mktemp("instance")
    app = create_app(base_config(database_url, instance))
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return database_url


@pytest.fixture
def app(_migrated, tmp_path):
    app = create_app(base_config(_migrated, tmp_path))
    reset_request_state(app)
    with app.app_context():
        yield app
        _db.session.remove()
        _empty_tables()
        _db.engine.dispose()


def _empty_tables() -> None:
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def every_progress(monkeypatch):
    """Every progress report of the jobs run in the test, as (stage, fraction) —
    all of them, not only one each half second."""
    from participation.jobs import engine, service

    seen: list[tuple[str | None, float]] = []
    real = service.heartbeat
    monkeypatch.setattr(engine, "PROGRESS_INTERVAL", 0.0)

    def recording(session, job_id, owner, **values):
        if values.get("progress") is not None:
            seen.append((values.get("stage"), round(values["progress"], 3)))
        return real(session, job_id, owner, **values)

    monkeypatch.setattr(service, "heartbeat", recording)
    return seen


@pytest.fixture
def run_jobs(app):
    """Carry out the queued jobs in this thread; returns how many ran. The test's
    session (which the test client's requests share) starts afresh afterwards, so it
    sees what the jobs wrote (SQLite keeps a read snapshot until the transaction ends)."""
    from participation.jobs import get_engine

    def run() -> int:
        _db.session.rollback()
        done = get_engine(app).run_pending()
        _db.session.rollback()
        return done

    return run


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    return _db.session


# ---------------------------------------------------------------- factories


@pytest.fixture
def make_process(session):
    """Processes through ``processes.service`` (active unless ``status`` says otherwise)."""
    from participation.processes import service as processes

    counter = {"n": 0}

    def make(status: str = "active", **overrides):
        counter["n"] += 1
        values = {
            "slug": f"prosess-{counter['n']}",
            "titles": {"nb": f"Prosess {counter['n']}", "nn": f"Prosess {counter['n']}"},
        }
        values.update(overrides)
        process = processes.create_process(session, None, processes.ProcessData(**values))
        if status in ("active", "archived"):
            processes.activate(session, None, process.id)
        if status == "archived":
            processes.archive(session, None, process.id)
        session.commit()
        return process

    return make


@pytest.fixture(autouse=True)
def process(request):
    """Every test with the app has one active process, the current one: what the
    services fall back to when a test does not name a process."""
    if "app" not in request.fixturenames and "session" not in request.fixturenames:
        yield None
        return
    from participation.models import Process, utcnow

    session = request.getfixturevalue("session")
    # Set-up data, like the other factories' rows: no audit entry of its own.
    made = Process(
        slug="standard", title_nb="Standardprosess", status="active", activated_at=utcnow()
    )
    session.add(made)
    session.commit()
    yield made


@pytest.fixture
def make_region(session):
    counter = {"n": 0}

    def make(**overrides):
        from participation.models import Region

        counter["n"] += 1
        values = {"slug": f"region-{counter['n']}", "name": f"Region {counter['n']}"}
        values.update(overrides)
        region = Region(**values)
        session.add(region)
        session.flush()
        return region

    return make


@pytest.fixture
def make_meeting(session, make_region, process):
    def make(**overrides):
        from participation.models import Meeting

        now = datetime.now(UTC)
        starts = overrides.pop("starts_at", now + timedelta(days=30))
        values = {
            "title": "Innspillsmøte Testregion",
            "description": "Beskrivelse",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=4),
            "venue": "Rådhuset",
            "address": "Storgata 1, 9008 Tromsø",
            "seats": 20,
            "registration_deadline": starts - timedelta(days=3),
        }
        if "region" not in overrides and "region_id" not in overrides:
            overrides["region"] = make_region()
        if "process" not in overrides and "process_id" not in overrides:
            overrides["process_id"] = process.id
        values.update(overrides)
        meeting = Meeting(**values)
        session.add(meeting)
        session.flush()
        return meeting

    return make


@pytest.fixture
def signup_data():
    counter = {"n": 0}

    def make(**overrides):
        from participation.meetings.service import SignupData

        counter["n"] += 1
        values = {
            "name": f"Person {counter['n']}",
            "email": f"person{counter['n']}@example.no",
            "category": "citizen",
            "locale": "nb",
        }
        values.update(overrides)
        return SignupData(**values)

    return make


@pytest.fixture
def focus_areas(session):
    """Four focus areas; the last is retired (inactive), so forms do not offer it."""
    from participation.models import FocusArea

    areas = []
    for position, (key, nb, en, active) in enumerate(
        [
            ("lokalmat", "Lokalmat", "Local food", True),
            ("reiseliv", "Reiseliv", "Tourism", True),
            ("havbruk", "Fiskeri og havbruk", "Fisheries and aquaculture", True),
            ("petroleum", "Petroleum", "Petroleum", False),
        ]
    ):
        area = FocusArea(
            key=key, name_nb=nb, name_nn=nb, name_en=en, active=active, position=position
        )
        session.add(area)
        areas.append(area)
    session.commit()
    return areas


@pytest.fixture
def make_input(session):
    """Inputs as any channel creates them (``inputs.service.create_input``), committed."""
    from participation.inputs import service as inputs

    counter = {"n": 0}

    def make(text: str | None = None, **kwargs):
        counter["n"] += 1
        kwargs.setdefault("channel", "suggestion_box")
        item = inputs.create_input(
            session,
            text=text or f"Innspill nummer {counter['n']} om næringsutvikling i regionen vår.",
            **kwargs,
        )
        session.commit()
        return item

    return make


@pytest.fixture
def make_draft(session):
    """Draft strategies imported from Markdown (``DRAFT_MD`` unless given), open now."""
    from participation.consultation import service

    counter = {"n": 0}

    def make(opens_at=None, closes_at=None, source=DRAFT_MD, **kwargs):
        counter["n"] += 1
        now = datetime.now(UTC)
        draft = service.import_markdown(
            session,
            source,
            opens_at=opens_at or now - timedelta(days=1),
            closes_at=closes_at or now + timedelta(days=20),
            slug=kwargs.pop("slug", f"utkast-{counter['n']}"),
            **kwargs,
        )
        session.commit()
        return draft

    return make


@pytest.fixture
def draft(make_draft):
    """The back office's draft (``DRAFT_MARKDOWN``), open for thirty days."""
    now = datetime.now(UTC)
    return make_draft(
        source=DRAFT_MARKDOWN,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        slug=None,
    )


@pytest.fixture
def make_response(session, app):
    from participation.consultation import service as consultation

    counter = {"n": 0}

    def make(draft, section=None, **overrides):
        counter["n"] += 1
        values = {
            "text": f"Høringssvar nummer {counter['n']}: vi støtter satsingen på kompetanse og samarbeid.",
            "name": f"Svarer {counter['n']}",
            "email": f"svarer{counter['n']}@example.no",
            "category": "business",
            "locale": "nb",
            "stance": "support",
            "may_publish": True,
            "section_id": section.id if section is not None else None,
            "organisation": "Testbedrift AS",
        }
        uploads = overrides.pop("uploads", ())
        values.update(overrides)
        response = consultation.submit_response(
            session,
            draft.id,
            consultation.ResponseData(**values),
            uploads,
            upload_dir=app.config["UPLOAD_DIR"],
        )
        session.commit()
        return response

    return make


@pytest.fixture
def make_user(session):
    from participation.backoffice.service import create_user

    counter = {"n": 0}

    def make(role: str = "reviewer", **overrides):
        counter["n"] += 1
        values = {
            "email": f"staff{counter['n']}@fylke.example.no",
            "password": PASSWORD,
            "role": role,
            "name": f"Staff {counter['n']}",
        }
        values.update(overrides)
        user = create_user(session, **values)
        session.commit()
        return user

    return make


@pytest.fixture
def admin(make_user):
    return make_user("admin", email="admin@fylke.example.no", name="Ada Admin")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", email="reviewer@fylke.example.no", name="Rune Reviewer")


@pytest.fixture
def as_admin(client, admin):
    response = login(client, admin)
    assert response.status_code == 303
    return client


@pytest.fixture
def as_reviewer(client, reviewer):
    response = login(client, reviewer)
    assert response.status_code == 303
    return client


# ---------------------------------------------------------------- real servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real local SMTP server (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    controller.received = received
    yield controller
    controller.stop()


class LiveServer:
    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log


def start_gunicorn(
    database_url: str,
    workdir: Path,
    *,
    workers: int = 3,
    extra_env: dict | None = None,
    graceful_timeout: int = 5,
) -> LiveServer:
    """gunicorn with several worker processes on ``database_url``."""
    port = free_port()
    env = {
        **os.environ,
        "INNSPILL_DATABASE_URL": database_url,
        "INNSPILL_SECRET_KEY": TEST_SECRET,
        "INNSPILL_ENV": "development",
        "INNSPILL_RATELIMIT_ENABLED": "false",
        "INNSPILL_BASE_URL": f"http://127.0.0.1:{port}",
        "INNSPILL_UPLOAD_DIR": str(workdir / "uploads"),
        "INNSPILL_MODEL_DIR": str(workdir / "models"),
        # Several workers share the page cache only through Redis, as in production.
        "INNSPILL_CACHE_URL": "redis://127.0.0.1:6379/0",
        "INNSPILL_CACHE_KEY_PREFIX": f"innspill-test-{port}-{os.getpid()}:",
        # Jobs go to a queue in the test's folder, for a worker started beside it.
        "INNSPILL_JOBS_URL": f"sqlite:///{workdir / 'jobs.sqlite'}",
        # As in base_config: room for a busy machine (the stall tests set the defaults).
        "INNSPILL_DB_STATEMENT_TIMEOUT": "30",
        "INNSPILL_DB_IDLE_IN_TRANSACTION_TIMEOUT": "120",
        **(extra_env or {}),
    }
    env.pop("DATABASE_URL", None)
    log = workdir / f"gunicorn-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--timeout",
                "60",
                "--graceful-timeout",
                str(graceful_timeout),
                # Import the app once and fork: workers are all up in seconds rather
                # than each importing everything (about 12 s on a busy 2-CPU machine).
                "--preload",
                "participation.wsgi:app",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
    except RuntimeError:
        process.kill()
        process.wait()  # reaped, or the next test fails on a ResourceWarning
        raise
    return LiveServer(url, process, log)


def stop_gunicorn(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def start_job_worker(
    database_url: str,
    workdir: Path,
    *,
    jobs_url: str | None = None,
    scheduler: bool = False,
    extra_env: dict | None = None,
    name: str = "worker",
) -> subprocess.Popen:
    """``flask jobs worker`` in a process of its own, on the queue ``start_gunicorn``
    uses in ``workdir`` (unless ``jobs_url`` says otherwise)."""
    env = {
        **os.environ,
        "FLASK_APP": "participation",
        "INNSPILL_DATABASE_URL": database_url,
        "INNSPILL_SECRET_KEY": TEST_SECRET,
        "INNSPILL_ENV": "development",
        "INNSPILL_UPLOAD_DIR": str(workdir / "uploads"),
        "INNSPILL_MODEL_DIR": str(workdir / "models"),
        "INNSPILL_JOBS_URL": jobs_url or f"sqlite:///{workdir / 'jobs.sqlite'}",
        "INNSPILL_CACHE_URL": "none",
        **(extra_env or {}),
    }
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "flask", "jobs", "worker", "--workers", "1"]
    command.append("--scheduler" if scheduler else "--no-scheduler")
    log = workdir / f"{name}.log"
    with open(log, "w") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def kill_mid_way_and_take_over(app, session, workdir: Path, job_id: int, read_done) -> int:
    """A job's worker SIGKILLed in the middle of its work, and the job finished by
    another attempt. A ``flask jobs worker`` (one row per chunk) starts the job, which
    must be on the queue in ``workdir`` (``JOBS_URL`` ``sqlite:///<workdir>/jobs.sqlite``);
    once ``read_done()`` shows work committed, the worker is frozen where it stands
    (SIGSTOP), ``read_done`` is read again and the worker killed. Then what another
    worker does once the lease ran out: the job is queued again and carried out (here,
    in this process, bigger chunks). Returns what ``read_done`` said at the kill."""
    from participation.jobs import engine, service
    from participation.models import Job, JobStatus, utcnow

    env = {"INNSPILL_JOBS_CHUNK_ROWS": "1"}
    worker = start_job_worker(app.config["SQLALCHEMY_DATABASE_URI"], workdir, extra_env=env)
    try:
        deadline = time.monotonic() + 240  # a busy machine; never asserted as a duration
        while read_done() == 0:
            assert worker.poll() is None, (workdir / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker did not start the work"
            time.sleep(0.005)
        os.kill(worker.pid, signal.SIGSTOP)
        done = read_done()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        stop_process(worker)
    session.rollback()
    job = session.get(Job, job_id)
    assert job.status == JobStatus.RUNNING and job.attempts == 1

    app.config["JOBS_CHUNK_ROWS"] = 50
    lease = float(app.config["JOBS_LEASE_SECONDS"])
    requeued, _ = service.recover(
        session, lease_seconds=lease, now=utcnow() + timedelta(seconds=lease + 1)
    )
    assert requeued == [job_id]
    assert engine.execute(app, job_id) == "done"
    session.rollback()
    job = session.get(Job, job_id)
    assert job.status == JobStatus.DONE and job.attempts == 2 and job.completions == 1
    return done


@pytest.fixture
def live_server(app, tmp_path) -> Iterator[LiveServer]:
    """gunicorn with several worker processes on the test database."""
    server = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    yield server
    stop_gunicorn(server)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    import urllib.request

    # Importing the app takes seconds, and much longer on a machine busy with other runs.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + log.read_text())
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start:\n" + log.read_text())
