"""The reminder the day before a meeting: to each confirmed participant once, in their
language, with the cancel link; run as periodic work of the job queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from participation.jobs import get_engine
from participation.jobs.engine import PERIODIC
from participation.meetings import service
from participation.meetings.mail import cancel_url
from participation.models import (
    Meeting,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    utcnow,
)


def _signed_up(session, meeting, data, *, days_before: int = 5):
    registration = service.register(session, meeting.id, data)
    # Signed up well before the meeting (the factory's meetings start in 30 days).
    session.execute(
        update(Registration)
        .where(Registration.id == registration.id)
        .values(
            created_at=meeting.starts_at - timedelta(days=days_before),
            confirmed_at=meeting.starts_at - timedelta(days=days_before)
            if registration.confirmed_at
            else None,
        )
    )
    session.commit()
    return registration


def test_confirmed_participants_get_one_reminder_in_their_language(
    app, session, make_meeting, signup_data
):
    soon = make_meeting(seats=2, title="Innspillsmøte Nord-Troms")
    later = make_meeting(seats=5, starts_at=utcnow() + timedelta(days=40))
    cancelled = make_meeting(seats=5)
    kari = _signed_up(session, soon, signup_data(name="Kari", locale="nb"))
    ola = _signed_up(session, soon, signup_data(name="Ola", locale="nn"))
    waiting = _signed_up(session, soon, signup_data(locale="nb"))
    gone = _signed_up(session, cancelled, signup_data())
    _signed_up(session, later, signup_data())
    assert waiting.status == RegistrationStatus.WAITING
    service.cancel_meeting(session, None, cancelled.id, reason="Sykdom")
    session.execute(update(OutboxMessage).values(status="sent"))
    session.commit()

    now = soon.starts_at - timedelta(hours=20)
    assert service.send_reminders(session, now=now) == 2
    session.commit()
    assert service.send_reminders(session, now=now + timedelta(hours=1)) == 0  # once

    messages = (
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending")
            .order_by(OutboxMessage.id)
        )
        .scalars()
        .all()
    )
    assert [m.recipient for m in messages] == [kari.email, ola.email]
    assert messages[0].subject == "Påminnelse: Innspillsmøte Nord-Troms"
    assert messages[1].subject == "Påminning: Innspillsmøte Nord-Troms"
    assert "Hei Kari," in messages[0].body_text and "Hei Ola," in messages[1].body_text
    assert cancel_url(kari) in messages[0].body_text
    assert cancel_url(ola) in messages[1].body_text
    assert "Vennlig hilsen" in messages[0].body_text
    session.expire_all()
    assert session.get(Registration, gone.id).reminder_sent_at is None
    assert session.get(Registration, waiting.id).reminder_sent_at is None


def test_someone_who_just_got_a_seat_is_not_reminded(app, session, make_meeting, signup_data):
    meeting = make_meeting(seats=5)
    _signed_up(session, meeting, signup_data(), days_before=0)  # signed up hours before
    assert service.send_reminders(session, now=meeting.starts_at - timedelta(hours=10)) == 0


def test_the_schedule_runs_the_reminders_the_outbox_and_the_purge(
    app, session, make_meeting, signup_data
):
    huey = get_engine(app).huey

    def due(at: datetime) -> set[str]:
        return {task.name for task in huey.read_periodic(at)}

    assert {"innspill.send_outbox"} <= due(datetime(2031, 1, 14, 10, 3, tzinfo=UTC))
    assert "innspill.meeting_reminders" in due(datetime(2031, 1, 14, 10, 5, tzinfo=UTC))
    assert "innspill.retention_purge" in due(datetime(2031, 1, 14, 2, 15, tzinfo=UTC))
    assert "innspill.retention_purge" not in due(datetime(2031, 1, 14, 3, 15, tzinfo=UTC))

    meeting = make_meeting(seats=5)
    registration = _signed_up(session, meeting, signup_data())
    # The meeting is now tomorrow.
    session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(starts_at=utcnow() + timedelta(hours=23), ends_at=utcnow() + timedelta(hours=27))
    )
    session.execute(update(Registration).values(confirmed_at=utcnow() - timedelta(days=3)))
    session.execute(update(OutboxMessage).values(status="sent"))
    session.commit()
    PERIODIC["meeting_reminders"].work(app)
    session.rollback()
    assert session.get(Registration, registration.id).reminder_sent_at is not None
    assert session.scalar(
        select(OutboxMessage.subject).where(OutboxMessage.status == "pending")
    ).startswith("Påminnelse:")
