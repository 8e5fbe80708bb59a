from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from participation.meetings import service
from participation.models import Meeting, OutboxMessage, Registration, RegistrationStatus


def test_confirmed_while_seats_remain_then_waiting_list(session, make_meeting, signup_data):
    meeting = make_meeting(seats=2)
    first = service.register(session, meeting.id, signup_data())
    second = service.register(session, meeting.id, signup_data())
    third = service.register(session, meeting.id, signup_data())
    session.commit()

    assert [first.status, second.status, third.status] == ["confirmed", "confirmed", "waiting"]
    assert session.get(Meeting, meeting.id).confirmed_count == 2
    assert service.waiting_position(session, third) == 1
    assert session.scalar(select(func.count(OutboxMessage.id))) == 3


def test_same_email_cannot_hold_two_places(session, make_meeting, signup_data):
    meeting = make_meeting(seats=5)
    service.register(session, meeting.id, signup_data(email="kari@example.no"))
    session.commit()

    with pytest.raises(service.DuplicateRegistration):
        service.register(session, meeting.id, signup_data(email=" KARI@example.no "))
    session.rollback()
    assert session.scalar(select(func.count(Registration.id))) == 1
    assert session.get(Meeting, meeting.id).confirmed_count == 1


def test_registration_refused_after_deadline(session, make_meeting, signup_data):
    now = datetime.now(UTC)
    meeting = make_meeting(starts_at=now + timedelta(days=2))  # deadline was yesterday
    session.commit()
    with pytest.raises(service.RegistrationClosed):
        service.register(session, meeting.id, signup_data())
    session.rollback()
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_cancel_promotes_first_waiting_and_mails_them(session, make_meeting, signup_data):
    meeting = make_meeting(seats=1)
    holder = service.register(session, meeting.id, signup_data())
    first_waiting = service.register(session, meeting.id, signup_data(locale="nn"))
    second_waiting = service.register(session, meeting.id, signup_data())
    session.commit()

    outcome = service.cancel(session, holder.reference)
    session.commit()

    assert outcome.promoted.id == first_waiting.id
    assert session.get(Registration, first_waiting.id).status == RegistrationStatus.CONFIRMED
    assert session.get(Registration, second_waiting.id).status == RegistrationStatus.WAITING
    assert session.get(Meeting, meeting.id).confirmed_count == 1
    promotion = (
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.registration_id == first_waiting.id)
            .order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .first()
    )
    assert promotion.locale == "nn"
    assert promotion.attachments[0]["content_type"] == "text/calendar"


def test_cancel_without_waiting_list_frees_the_seat(session, make_meeting, signup_data):
    meeting = make_meeting(seats=3)
    reg = service.register(session, meeting.id, signup_data())
    session.commit()
    service.cancel(session, reg.reference)
    session.commit()
    assert session.get(Meeting, meeting.id).confirmed_count == 0
    again = service.cancel(session, reg.reference)
    assert again.already_cancelled
