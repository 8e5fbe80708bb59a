"""Demo data keeps to the Norwegian calendar (issue 9, point 12): no input meeting in
romjul, no deadline on a public holiday or a weekend."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from participation import demo
from participation.common import LOCAL_TIMEZONE, is_working_day, working_day
from participation.models import DraftStrategy, Meeting


def test_working_days_follow_the_norwegian_calendar():
    assert not is_working_day(date(2026, 12, 25))  # første juledag
    assert not is_working_day(date(2026, 12, 28))  # a Monday in romjul
    assert not is_working_day(date(2027, 5, 17))  # grunnlovsdagen, a Monday
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday
    assert not is_working_day(date(2026, 12, 5))  # a Saturday
    assert is_working_day(date(2027, 1, 4))
    assert working_day(date(2026, 12, 24)) == date(2027, 1, 4)
    assert working_day(date(2026, 12, 25), forward=False) == date(2026, 12, 23)


def test_the_meeting_tour_avoids_holidays_whatever_the_day_it_is_seeded():
    for n in range(0, 2 * 366):
        today = date(2026, 1, 1) + timedelta(days=n)
        first = demo.first_meeting_day(today)
        assert first >= today + timedelta(days=21) and first.weekday() == 0
        for *_, offset, _seats in demo.TROMS_MEETINGS:
            day = first + timedelta(days=offset)
            assert is_working_day(day), (today, day)
            deadline = demo.registration_deadline(day)
            assert is_working_day(deadline) and deadline <= day - timedelta(days=3)


def test_seeded_in_early_december_the_demo_skips_christmas(session):
    # Seeded on 4 December 2026 the tour used to start on 28 December, with a sign-up
    # deadline on Christmas Day.
    demo.seed_demo(session, today=date(2026, 12, 4))
    session.commit()
    meetings = list(session.execute(select(Meeting)).scalars())
    assert meetings
    for meeting in meetings:
        for moment in (meeting.starts_at, meeting.registration_deadline):
            assert is_working_day(moment.astimezone(LOCAL_TIMEZONE).date()), meeting.title
    for draft in session.execute(select(DraftStrategy)).scalars():
        assert is_working_day(draft.closes_at.astimezone(LOCAL_TIMEZONE).date())
