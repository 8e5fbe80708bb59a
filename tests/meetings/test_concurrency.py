"""Seats are never oversold: many people press the button at the same moment.

Against a real gunicorn with several worker processes (the ``live_server``
fixture) on the suite's database (SQLite or PostgreSQL). Every client is its own
browser: a ``requests.Session`` that fetches the form for its CSRF token; then
all of them POST at once.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, func, select

from participation.meetings import mail, service
from participation.models import Meeting, OutboxMessage, Registration
from tests.helpers import count, csrf_token

pytestmark = pytest.mark.slow

SEATS = 20
TIMEOUT = 120  # seconds for one request; generous, nothing is timed


class Client:
    """One browser: loads a form, then waits at the barrier and sends it."""

    def __init__(self, url: str, data: dict) -> None:
        self.url = url
        self.data = data
        self.http = requests.Session()
        self.response: requests.Response | None = None
        self.error: BaseException | None = None

    def load(self) -> None:
        # Not kept alive: gunicorn closes idle connections after 2 s, and a POST sent
        # on one just as it closes would be reset. Each POST opens its own connection.
        page = self.http.get(self.url, headers={"Connection": "close"}, timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        self.data["csrf_token"] = csrf_token(page.text)

    def send(self, barrier: threading.Barrier) -> None:
        try:
            barrier.wait(timeout=TIMEOUT)
            self.response = self.http.post(
                self.url, data=self.data, allow_redirects=False, timeout=TIMEOUT
            )
        except BaseException as error:  # reported by the test, not swallowed
            self.error = error
        finally:
            self.http.close()


def run_all_at_once(clients: list[Client], server) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda c: c.load(), clients))
    barrier = threading.Barrier(len(clients))
    threads = [threading.Thread(target=c.send, args=(barrier,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [c.error for c in clients if c.error is not None]
    assert not errors, (errors[:3], server.log.read_text()[-3000:])


def signup_client(base: str, meeting_id: int, n: int) -> Client:
    return Client(
        f"{base}/moter/{meeting_id}/pamelding",
        {
            "name": f"Deltaker {n}",
            "email": f"deltaker{n}@example.no",
            "category": "citizen",
            "consent": "y",
        },
    )


class ConfirmedWatcher:
    """Counts confirmed registrations over and over while the clients run."""

    def __init__(self, url: str, meeting_id: int) -> None:
        self.engine = create_engine(url)
        self.meeting_id = meeting_id
        self.highest = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        query = select(func.count(Registration.id)).where(
            Registration.meeting_id == self.meeting_id, Registration.status == "confirmed"
        )
        with self.engine.connect() as conn:
            while not self._stop.is_set():
                self.highest = max(self.highest, conn.scalar(query))
                conn.rollback()  # a fresh snapshot for the next look
                self.samples += 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.engine.dispose()


def test_100_simultaneous_signups_for_20_seats(live_server, app, session, make_meeting):
    meeting = make_meeting(seats=SEATS)
    session.commit()
    clients = [signup_client(live_server.url, meeting.id, n) for n in range(100)]

    with ConfirmedWatcher(app.config["SQLALCHEMY_DATABASE_URI"], meeting.id) as watcher:
        run_all_at_once(clients, live_server)

    statuses = Counter(c.response.status_code for c in clients)
    assert statuses == {303: 100}, statuses
    assert {c.response.headers["Location"] for c in clients} == {"/moter/pamelding/kvittering"}

    session.commit()  # end the read snapshot taken before the clients ran
    assert service.registration_counts(session, meeting.id) == {"confirmed": 20, "waiting": 80}
    assert session.get(Meeting, meeting.id).confirmed_count == SEATS
    assert count(session, Registration.id) == 100
    assert count(session, OutboxMessage.id) == 100
    stored = set(session.execute(select(Registration.email)).scalars())
    assert stored == {c.data["email"] for c in clients}  # nothing lost
    assert watcher.highest <= SEATS and watcher.samples > 0


def test_cancellations_mixed_with_signups_promote_exactly_one_each(
    live_server, app, session, make_meeting, signup_data
):
    meeting = make_meeting(seats=SEATS)
    people = [service.register(session, meeting.id, signup_data()) for _ in range(60)]
    session.commit()
    holders = [p for p in people if p.status == "confirmed"]
    waiting = [p for p in people if p.status == "waiting"]
    assert (len(holders), len(waiting)) == (20, 40)

    # 15 seat holders and 10 people in the middle of the waiting list cancel,
    # while 40 new people sign up, all at the same moment.
    leaving = holders[:15] + waiting[10:20]
    clients = [
        Client(f"{live_server.url}/moter/avmelding/{mail.cancel_token(p)}", {}) for p in leaving
    ]
    clients += [signup_client(live_server.url, meeting.id, 1000 + n) for n in range(40)]
    mails_before = count(session, OutboxMessage.id)

    with ConfirmedWatcher(app.config["SQLALCHEMY_DATABASE_URI"], meeting.id) as watcher:
        run_all_at_once(clients, live_server)

    assert Counter(c.response.status_code for c in clients) == {303: 65}
    session.commit()  # end the read snapshot taken before the clients ran
    regs = {r.id: r for r in session.execute(select(Registration)).scalars()}
    assert len(regs) == 100
    assert all(regs[p.id].status == "cancelled" for p in leaving)
    confirmed = [r for r in regs.values() if r.status == "confirmed"]
    assert len(confirmed) == SEATS
    assert session.get(Meeting, meeting.id).confirmed_count == SEATS
    assert watcher.highest <= SEATS

    # Each seat given up went to exactly one waiting person (someone promoted and
    # then cancelling gives up a seat too), who was told once.
    holder_ids = {h.id for h in holders}
    promoted = [r for r in regs.values() if r.confirmed_at and r.id not in holder_ids]
    seats_given_up = [r for r in regs.values() if r.status == "cancelled" and r.confirmed_at]
    assert len(seats_given_up) >= 15
    assert len(promoted) == len(seats_given_up)
    promotion_mails = Counter(
        session.execute(
            select(OutboxMessage.registration_id).where(
                OutboxMessage.subject.like("Du har fått plass%")
            )
        ).scalars()
    )
    assert promotion_mails == Counter(r.id for r in promoted)
    # First in, first out: everyone still waiting came after everyone promoted.
    still_waiting = [r for r in regs.values() if r.status == "waiting"]
    assert max(r.id for r in promoted) < min(r.id for r in still_waiting)
    # Each sign-up and cancellation queued its e-mail, and each promotion one more.
    assert count(session, OutboxMessage.id) == mails_before + 65 + len(promoted)
