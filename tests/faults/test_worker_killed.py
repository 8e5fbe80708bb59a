"""A gunicorn worker is killed (SIGKILL) during a burst of sign-ups: every
sign-up that got a success page is stored, and nothing is half-written."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from participation.models import Meeting, OutboxMessage, Registration, RegistrationStatus

pytestmark = pytest.mark.slow


def worker_pids(master: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(stat.parent.name))
    return children


def _token(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_sign_ups_survive_a_killed_worker(live_server, make_meeting, session):
    meeting = make_meeting(seats=25)
    session.commit()
    form_url = f"{live_server.url}/moter/{meeting.id}/pamelding"
    clients = []
    for _ in range(60):
        browser = requests.Session()
        clients.append((browser, _token(browser.get(form_url, timeout=10).text)))

    started = threading.Barrier(13)
    killed = []

    def sign_up(index: int):
        browser, token = clients[index]
        if index < 12:
            started.wait(timeout=30)
        try:
            response = browser.post(
                form_url,
                data={
                    "csrf_token": token,
                    "name": f"Deltaker {index}",
                    "email": f"deltaker{index}@example.no",
                    "category": "business",
                    "consent": "y",
                },
                allow_redirects=False,
                timeout=30,
            )
        except requests.RequestException:
            return index, None
        return index, response.status_code

    def killer():
        started.wait(timeout=30)
        pids = worker_pids(live_server.process.pid)
        os.kill(pids[0], signal.SIGKILL)
        killed.append(pids[0])

    threading.Thread(target=killer).start()
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(sign_up, range(60)))

    assert killed, "no worker was killed"
    succeeded = {i for i, status in results if status == 303}
    assert succeeded, "no sign-up succeeded at all"
    assert all(status in (None, 303, 502) for _, status in results), results

    session.rollback()  # a fresh snapshot: the server wrote after our last read
    stored = session.execute(select(Registration).where(Registration.meeting_id == meeting.id))
    stored = list(stored.scalars())
    emails = {r.email for r in stored}
    # Every success page the client saw is backed by a stored registration.
    assert {f"deltaker{i}@example.no" for i in succeeded} <= emails
    # Nothing half-written: each stored registration is whole, with its e-mail queued,
    # and the seat count matches the confirmed registrations.
    for registration in stored:
        assert registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)
        queued = session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.registration_id == registration.id
            )
        )
        assert queued == 1
    confirmed = sum(r.status == RegistrationStatus.CONFIRMED for r in stored)
    assert session.get(Meeting, meeting.id).confirmed_count == confirmed <= 25
