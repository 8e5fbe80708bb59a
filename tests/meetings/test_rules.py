"""The sign-up rules, tested directly on the service with a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.common import valid_org_number
from participation.forms import normalize_phone
from participation.meetings import service
from participation.models import Meeting, MeetingStatus, OutboxMessage, Registration
from tests.helpers import count

NOW = datetime.now(UTC)


def test_status_follows_time_seats_and_cancellation(make_meeting):
    meeting = make_meeting(seats=2, starts_at=NOW + timedelta(days=10))
    assert meeting.status(NOW) == MeetingStatus.OPEN
    meeting.confirmed_count = 2
    assert meeting.status(NOW) == MeetingStatus.FULL
    assert meeting.seats_left == 0
    assert meeting.status(meeting.registration_deadline) == MeetingStatus.CLOSED
    assert meeting.status(meeting.registration_deadline - timedelta(seconds=1)) == "full"
    assert meeting.status(meeting.starts_at) == MeetingStatus.PAST
    meeting.cancelled_at = NOW
    assert meeting.status(NOW) == MeetingStatus.CANCELLED


def test_seats_left_counts_confirmed_only(session, make_meeting, signup_data):
    meeting = make_meeting(seats=3)
    service.register(session, meeting.id, signup_data())
    service.register(session, meeting.id, signup_data())
    session.commit()
    assert session.get(Meeting, meeting.id).seats_left == 1


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"cancelled_at": NOW}, service.MeetingCancelled),
        ({"registration_deadline": NOW - timedelta(seconds=1)}, service.RegistrationClosed),
        ({"starts_at": NOW - timedelta(hours=1)}, service.RegistrationClosed),
    ],
)
def test_refusals_change_nothing(session, make_meeting, signup_data, overrides, error):
    meeting = make_meeting(**overrides)
    session.commit()
    with pytest.raises(error):
        service.register(session, meeting.id, signup_data())
    session.rollback()
    assert count(session, Registration.id) == 0
    assert count(session, OutboxMessage.id) == 0
    assert session.get(Meeting, meeting.id).confirmed_count == 0


def test_deadline_is_exclusive(session, make_meeting, signup_data):
    meeting = make_meeting()
    session.commit()
    deadline = meeting.registration_deadline
    service.register(session, meeting.id, signup_data(), now=deadline - timedelta(seconds=1))
    session.commit()
    with pytest.raises(service.RegistrationClosed):
        service.register(session, meeting.id, signup_data(), now=deadline)


def test_unknown_meeting(session, signup_data):
    with pytest.raises(service.MeetingNotFound):
        service.register(session, 424242, signup_data())


def test_waiting_list_is_first_in_first_out(session, make_meeting, signup_data):
    meeting = make_meeting(seats=2)
    a, b = (service.register(session, meeting.id, signup_data()) for _ in range(2))
    waiting = [service.register(session, meeting.id, signup_data()) for _ in range(3)]
    session.commit()
    assert [service.waiting_position(session, r) for r in waiting] == [1, 2, 3]

    assert service.cancel(session, a.reference).promoted.id == waiting[0].id
    session.commit()
    assert service.cancel(session, b.reference).promoted.id == waiting[1].id
    session.commit()
    assert service.waiting_position(session, session.get(Registration, waiting[2].id)) == 1
    assert session.get(Meeting, meeting.id).confirmed_count == 2
    assert service.registration_counts(session, meeting.id) == {
        "cancelled": 2,
        "confirmed": 2,
        "waiting": 1,
    }


def test_promoted_person_is_mailed_in_their_language(session, make_meeting, signup_data):
    meeting = make_meeting(seats=1)
    holder = service.register(session, meeting.id, signup_data(locale="en"))
    waiting = service.register(session, meeting.id, signup_data(locale="nn", name="Per"))
    session.commit()
    service.cancel(session, holder.reference)
    session.commit()
    mails = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == waiting.id)
        .order_by(OutboxMessage.id)
    ).scalars()
    waiting_mail, promotion = list(mails)
    assert waiting_mail.subject.startswith("Venteliste:") and not waiting_mail.attachments
    assert promotion.recipient == waiting.email
    assert promotion.locale == "nn"
    assert promotion.subject.startswith("Du har fått plass:")
    assert "Hei Per," in promotion.body_text
    assert "No er du påmeld" in promotion.body_text
    assert promotion.attachments[0]["content_type"] == "text/calendar"


def test_cancel_without_notify_queues_nothing(session, make_meeting, signup_data):
    meeting = make_meeting(seats=1)
    holder = service.register(session, meeting.id, signup_data())
    service.register(session, meeting.id, signup_data())
    session.commit()
    before = count(session, OutboxMessage.id)
    outcome = service.cancel(session, holder.reference, notify=False)
    session.commit()
    assert outcome.promoted is not None
    assert count(session, OutboxMessage.id) == before


def test_cancelling_in_a_cancelled_meeting_promotes_no_one(session, make_meeting, signup_data):
    meeting = make_meeting(seats=1)
    holder = service.register(session, meeting.id, signup_data())
    waiting = service.register(session, meeting.id, signup_data())
    session.commit()
    session.get(Meeting, meeting.id).cancelled_at = NOW
    session.commit()
    outcome = service.cancel(session, holder.reference)
    session.commit()
    assert outcome.promoted is None
    assert session.get(Registration, waiting.id).status == "waiting"
    assert session.get(Meeting, meeting.id).confirmed_count == 0


def test_cannot_cancel_after_the_start(session, make_meeting, signup_data):
    meeting = make_meeting()
    reg = service.register(session, meeting.id, signup_data())
    session.commit()
    with pytest.raises(service.MeetingAlreadyHeld):
        service.cancel(session, reg.reference, now=meeting.starts_at)
    session.rollback()
    assert session.get(Registration, reg.id).status == "confirmed"


def test_cancel_unknown_reference(session):
    with pytest.raises(service.MeetingNotFound):
        service.cancel(session, "NOSUCHREF")


def test_only_active_focus_areas_are_stored(session, make_meeting, signup_data, focus_areas):
    meeting = make_meeting()
    reg = service.register(
        session,
        meeting.id,
        # lokalmat, reiseliv and the retired petroleum
        signup_data(focus_area_ids=[focus_areas[i].id for i in (0, 1, 3)]),
    )
    session.commit()
    assert sorted(a.key for a in reg.focus_areas) == ["lokalmat", "reiseliv"]


def test_references_are_unique_and_readable(session, make_meeting, signup_data):
    meeting = make_meeting(seats=50)
    refs = {service.register(session, meeting.id, signup_data()).reference for _ in range(30)}
    assert len(refs) == 30
    assert all(len(r) == 8 and not set(r) & set("01OIL") for r in refs)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("974760673", True),
        ("923609016", True),
        ("974760674", False),
        ("97476067", False),
        ("9747606731", False),
        ("abcdefghi", False),
        ("", False),
    ],
)
def test_org_number_mod11(value, ok):
    assert valid_org_number(value) is ok


def test_org_number_with_check_digit_ten_is_invalid():
    # Weighted sum ≡ 1 (mod 11) gives check digit 10, which no number can carry.
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    for n in range(10_000_000, 10_001_000):
        digits = str(n).zfill(8)
        if sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 1:
            assert not any(valid_org_number(digits + str(last)) for last in range(10))
            return
    pytest.fail("no example found")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91234567", "+4791234567"),
        ("912 34 567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 912 34 567", "+4791234567"),
        ("22-22-22-22", "+4722222222"),
        ("+4722222222", "+4722222222"),
        # Troms borders Sweden and Finland: numbers abroad with their country code.
        ("+46 70 123 45 67", "+46701234567"),
        ("0046 70 123 45 67", "+46701234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("9123456", ""),
        ("+47 9123 4567 8", ""),
        ("+1 912 34 567", ""),
        ("tlf 91234567", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_phone(value, expected):
    assert normalize_phone(value) == expected
