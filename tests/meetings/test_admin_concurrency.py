"""Administrators moving people while the public signs up: never oversold.

Threads, each with its own app context and database session, demote, promote
and sign up at the same moment on the suite's database (SQLite or PostgreSQL);
afterwards the meeting's seat counter equals its confirmed registrations and
never exceeds its seats.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from participation.meetings import service
from participation.meetings import service as public
from participation.models import Meeting, Registration, User

pytestmark = pytest.mark.slow


def test_moves_and_signups_at_the_same_moment(app, session, admin, make_meeting, signup_data):
    from participation.extensions import db

    meeting = make_meeting(seats=3)
    session.commit()
    confirmed = [public.register(session, meeting.id, signup_data()) for _ in range(3)]
    waiting = [public.register(session, meeting.id, signup_data()) for _ in range(6)]
    session.commit()
    meeting_id, admin_id = meeting.id, admin.id
    newcomers = [signup_data() for _ in range(4)]

    jobs = (
        [("demote", r.id) for r in confirmed]
        + [("promote", r.id) for r in waiting]
        + [("register", data) for data in newcomers]
    )
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def work(kind, arg):
        with app.app_context():
            own = db.session
            try:
                actor = own.get(User, admin_id)
                barrier.wait(timeout=60)
                if kind == "demote":
                    service.move_within_meeting(own, actor, arg, "waiting")
                elif kind == "promote":
                    service.move_within_meeting(own, actor, arg, "confirmed")
                else:
                    public.register(own, meeting_id, arg)
                own.commit()
                outcomes.append(kind)
            except service.MeetingError:
                own.rollback()
                outcomes.append(f"{kind} refused")
            except BaseException as error:  # reported below
                own.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert len(outcomes) == len(jobs)

    session.expire_all()
    seats_taken = session.get(Meeting, meeting_id).confirmed_count
    really_confirmed = session.scalar(
        select(func.count(Registration.id)).where(
            Registration.meeting_id == meeting_id, Registration.status == "confirmed"
        )
    )
    assert seats_taken == really_confirmed <= 3
    assert outcomes.count("demote") == 3
