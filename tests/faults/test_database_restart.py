"""PostgreSQL goes away under load: a clear 503 "try again" page, never a stack
trace, nothing half-stored, and the site recovers by itself."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import requests
from flask_migrate import upgrade
from sqlalchemy import func, select

from participation import create_app
from participation.extensions import db
from participation.models import Meeting, Process, Region, Registration
from tests.conftest import base_config, start_gunicorn, stop_gunicorn
from tests.faults.proxy import TcpProxy


def _prepare(database_url: str, tmp_path) -> int:
    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        upgrade()
        region = Region(slug="nord-troms", name="Nord-Troms")
        starts = datetime.now(UTC) + timedelta(days=20)
        meeting = Meeting(
            process=Process(slug="prosess", title_nb="Prosess", status="active"),
            region=region,
            title="Innspillsmøte",
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            venue="Nordreisa",
            seats=50,
            registration_deadline=starts - timedelta(days=2),
        )
        db.session.add(meeting)
        db.session.commit()
        meeting_id = meeting.id
        db.session.remove()
        db.engine.dispose()
    return meeting_id


def _count_registrations(database_url: str, tmp_path) -> int:
    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        n = db.session.scalar(select(func.count(Registration.id)))
        db.session.remove()
        db.engine.dispose()
    return n


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    marker = 'name="csrf_token" type="hidden" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def test_database_restart_gives_503_and_recovers(postgres_url, tmp_path):
    meeting_id = _prepare(postgres_url, tmp_path)
    proxy = TcpProxy("127.0.0.1", 5432)
    port = proxy.start()
    server = start_gunicorn(postgres_url.replace(":5432/", f":{port}/"), tmp_path, workers=2)
    page_url = f"{server.url}/moter/{meeting_id}"
    form_url = f"{page_url}/pamelding"
    statuses: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def keep_browsing() -> None:
        with requests.Session() as browser:
            while not stop.is_set():
                try:
                    statuses.append(browser.get(page_url, timeout=20).status_code)
                except requests.RequestException as error:
                    errors.append(repr(error))

    try:
        client = requests.Session()
        token = _csrf(client, form_url)
        assert client.get(page_url, timeout=10).status_code == 200
        browsers = [threading.Thread(target=keep_browsing) for _ in range(4)]
        for thread in browsers:
            thread.start()
        time.sleep(0.5)

        proxy.cut()
        down_en = client.get(page_url, headers={"Accept-Language": "en"}, timeout=20)
        down_nn = client.get(page_url, headers={"Accept-Language": "nn"}, timeout=20)
        refused_post = client.post(
            form_url,
            data={
                "csrf_token": token,
                "name": "Ola",
                "email": "ola@example.no",
                "category": "citizen",
                "consent": "y",
            },
            allow_redirects=False,
            timeout=20,
        )
        time.sleep(1)
        proxy.restore()

        deadline = time.monotonic() + 20
        recovered = None
        while time.monotonic() < deadline:
            recovered = client.get(page_url, timeout=20)
            if recovered.status_code == 200:
                break
            time.sleep(0.5)
        stop.set()
        for thread in browsers:
            thread.join(timeout=30)

        after = client.post(
            form_url,
            data={
                "csrf_token": token,
                "name": "Kari",
                "email": "kari@example.no",
                "category": "citizen",
                "consent": "y",
            },
            allow_redirects=False,
            timeout=20,
        )
    finally:
        stop.set()
        stop_gunicorn(server)
        proxy.stop()

    assert down_en.status_code == 503
    assert "try again" in down_en.text
    assert down_en.headers.get("Retry-After")
    assert "Traceback" not in down_en.text and "psycopg" not in down_en.text
    assert down_nn.status_code == 503
    assert 'lang="nn"' in down_nn.text and "try again" not in down_nn.text
    assert refused_post.status_code == 503
    assert recovered is not None and recovered.status_code == 200
    assert after.status_code == 303
    # Requests caught in the outage failed cleanly; none crashed a worker.
    assert errors == []
    log = server.log.read_text()
    assert set(statuses) <= {200, 503}, log[log.find("Traceback") :][:4000]
    assert 503 in statuses or down_en.status_code == 503
    # The refused sign-up stored nothing; the one after recovery is there.
    assert _count_registrations(postgres_url, tmp_path) == 1
