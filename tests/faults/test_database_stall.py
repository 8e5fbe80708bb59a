"""PostgreSQL goes silent in the middle of a burst of sign-ups (a network black
hole: open connections stay open and pass nothing, new ones are refused or never
answered for a while). Every sign-up is answered, 503 or success, within 10 s;
nothing is oversold or half-stored; the server ends what the vanished requests
left open; the site serves again by itself once the database answers; gunicorn
stops promptly when told to.

The answers are bounded by client-side timeouts: a request with no answer within
10 s counts as a failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from participation import create_app
from participation.extensions import db
from participation.models import (
    Meeting,
    OutboxMessage,
    Process,
    Region,
    Registration,
    RegistrationStatus,
)
from tests.conftest import base_config, start_gunicorn, stop_gunicorn
from tests.faults.proxy import StallingProxy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
        reason="a stalled database server is a PostgreSQL matter: SQLite has no network",
    ),
]

ANSWER_WITHIN = 10  # seconds: a sign-up with no answer by then is a failure
SEATS = 40


def _prepare(database_url: str, tmp_path) -> int:
    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        upgrade()
        starts = datetime.now(UTC) + timedelta(days=20)
        meeting = Meeting(
            process=Process(slug="prosess", title_nb="Prosess", status="active"),
            region=Region(slug="nord-troms", name="Nord-Troms"),
            title="Innspillsmøte",
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            venue="Nordreisa",
            seats=SEATS,
            registration_deadline=starts - timedelta(days=2),
        )
        db.session.add(meeting)
        db.session.commit()
        meeting_id = meeting.id
        db.session.remove()
        db.engine.dispose()
    return meeting_id


def _token(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _sign_up(browser: requests.Session, url: str, token: str, n: int):
    try:
        response = browser.post(
            url,
            data={
                "csrf_token": token,
                "name": f"Deltaker {n}",
                "email": f"deltaker{n}@example.no",
                "category": "citizen",
                "consent": "y",
            },
            headers={"Accept-Language": "en"},
            allow_redirects=False,
            timeout=ANSWER_WITHIN,
        )
    except requests.RequestException as error:
        return n, None, repr(error)
    return n, response.status_code, response.text


def _stalled_server(postgres_url, tmp_path, proxy, **kwargs):
    port = proxy.start()
    return start_gunicorn(
        postgres_url.replace(":5432/", f":{port}/"),
        tmp_path,
        workers=2,
        # The default timeouts, stated so the test shows what it relies on.
        extra_env={
            "INNSPILL_DB_CONNECT_TIMEOUT": "3",
            "INNSPILL_DB_STATEMENT_TIMEOUT": "2",
            "INNSPILL_DB_LOCK_TIMEOUT": "3",
            "INNSPILL_DB_IDLE_IN_TRANSACTION_TIMEOUT": "10",
        },
        **kwargs,
    )


def _left_open(postgres_url: str) -> list:
    """Sessions of the test database still inside a transaction (other than ours)."""
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE '%transaction%'"
            )
        ).all()
    engine.dispose()
    return rows


@pytest.mark.parametrize("new", ["refuse", "blackhole"])
def test_sign_ups_are_answered_while_the_database_is_silent(postgres_url, tmp_path, new):
    meeting_id = _prepare(postgres_url, tmp_path)
    proxy = StallingProxy("127.0.0.1", 5432)
    server = _stalled_server(postgres_url, tmp_path, proxy)
    form_url = f"{server.url}/moter/{meeting_id}/pamelding"
    page_url = f"{server.url}/moter/{meeting_id}"
    try:
        clients = []
        for _ in range(80):
            browser = requests.Session()
            clients.append((browser, _token(browser.get(form_url, timeout=10).text)))

        answered = []

        def stall_mid_burst():
            while len(answered) < 15:
                time.sleep(0.01)
            proxy.stall(new=new, new_for=1.0)

        staller = threading.Thread(target=stall_mid_burst)
        staller.start()

        def one(n):
            result = _sign_up(*clients[n][:1], form_url, clients[n][1], n)
            answered.append(result)
            return result

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(one, range(len(clients))))
        staller.join(timeout=30)

        # The database answers again (new connections pass; the stalled ones never
        # will): the site serves without anyone restarting it.
        recovered = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                recovered = requests.get(page_url, timeout=ANSWER_WITHIN)
                if recovered.status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.25)
        browser, token = requests.Session(), None
        token = _token(browser.get(form_url, timeout=ANSWER_WITHIN).text)
        after = _sign_up(browser, form_url, token, 1000)

        # What the stalled requests left open on the server is ended by the server.
        deadline = time.monotonic() + 30
        while _left_open(postgres_url) and time.monotonic() < deadline:
            time.sleep(0.5)
        left_open = _left_open(postgres_url)
    finally:
        stop_gunicorn(server)
        proxy.stop()

    log = server.log.read_text()
    unanswered = [(n, error) for n, status, error in results if status is None]
    assert unanswered == [], log[-4000:]
    statuses = {status for _, status, _ in results}
    assert statuses <= {303, 503}, (statuses, log[log.find("Traceback") :][:4000])
    assert 503 in statuses, "the stall came too late to catch any sign-up"
    assert 303 in statuses
    for _, status, body in results:
        if status == 503:
            assert "try again" in body and "Traceback" not in body and "psycopg" not in body
    assert recovered is not None and recovered.status_code == 200
    assert after[1] == 303
    assert left_open == []

    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        stored = conn.execute(
            select(Registration.email, Registration.status, Registration.id).where(
                Registration.meeting_id == meeting_id
            )
        ).all()
        queued = dict(
            conn.execute(
                select(OutboxMessage.registration_id, func.count(OutboxMessage.id)).group_by(
                    OutboxMessage.registration_id
                )
            ).all()
        )
        confirmed_count = conn.scalar(
            select(Meeting.confirmed_count).where(Meeting.id == meeting_id)
        )
    engine.dispose()
    emails = {row.email for row in stored}
    succeeded = {f"deltaker{n}@example.no" for n, status, _ in results if status == 303}
    # Every success page is backed by a stored registration, and every stored
    # registration is whole: its e-mail is queued, and the seat count agrees.
    assert succeeded | {"deltaker1000@example.no"} <= emails
    assert all(queued.get(row.id) == 1 for row in stored)
    confirmed = sum(row.status == RegistrationStatus.CONFIRMED for row in stored)
    assert confirmed == confirmed_count <= SEATS


def test_gunicorn_stops_promptly_while_the_database_is_silent(postgres_url, tmp_path):
    meeting_id = _prepare(postgres_url, tmp_path)
    proxy = StallingProxy("127.0.0.1", 5432)
    # A long graceful timeout: gunicorn must stop because its requests end, not
    # because it gave up waiting for them.
    server = _stalled_server(postgres_url, tmp_path, proxy, graceful_timeout=90)
    form_url = f"{server.url}/moter/{meeting_id}/pamelding"
    try:
        clients = []
        for _ in range(8):
            browser = requests.Session()
            clients.append((browser, _token(browser.get(form_url, timeout=10).text)))
        proxy.stall(new="blackhole", new_for=60)
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [
                pool.submit(_sign_up, browser, form_url, token, n)
                for n, (browser, token) in enumerate(clients)
            ]
            time.sleep(1)  # the sign-ups are waiting on the silent database
            server.process.send_signal(signal.SIGTERM)
            try:
                # Well inside the graceful timeout, with room for a busy machine.
                server.process.wait(timeout=30)
                stopped = True
            except subprocess.TimeoutExpired:
                stopped = False
            results = [future.result() for future in futures]
    finally:
        stop_gunicorn(server)
        proxy.stop()
    assert stopped, server.log.read_text()[-4000:]
    assert {status for _, status, _ in results} <= {503, None}
    assert any(status == 503 for _, status, _ in results)
