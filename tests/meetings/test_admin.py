"""Administering meetings: services (seats under lock, mails) and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.meetings import service
from participation.meetings import service as public
from participation.models import AuditEntry, Meeting, OutboxMessage, Registration
from tests.helpers import count, csrf_token, post_form
from tests.meetings.conftest import meeting_form


def _data(meeting_or_region_id, **overrides) -> service.MeetingData:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    values = {
        "region_id": meeting_or_region_id,
        "title": "Innspillsmøte Senja",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "venue": "Kulturhuset",
        "seats": 10,
        "registration_deadline": starts - timedelta(days=2),
        "description": "Om strategien",
        "address": "Storgata 2",
    }
    values.update(overrides)
    return service.MeetingData(**values)


def _messages(session, registration_id):
    return list(
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.registration_id == registration_id)
            .order_by(OutboxMessage.id)
        ).scalars()
    )


# ---------------------------------------------------------------- services


def test_create_meeting_records_the_audit_entry(session, admin, make_region):
    region = make_region()
    meeting = service.create_meeting(session, admin, _data(region.id))
    session.commit()
    assert meeting.confirmed_count == 0
    entry = session.execute(select(AuditEntry)).scalar_one()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "meeting.create",
        "meeting",
        str(meeting.id),
    )
    assert entry.user_id == admin.id and entry.actor == admin.email


def test_schedule_must_make_sense(session, admin, make_region):
    region = make_region()
    data = _data(region.id)
    with pytest.raises(service.InvalidSchedule):
        service.create_meeting(session, admin, _data(region.id, ends_at=data.starts_at))
    with pytest.raises(service.InvalidSchedule):
        service.create_meeting(
            session,
            admin,
            _data(region.id, registration_deadline=data.starts_at + timedelta(minutes=1)),
        )


def test_fewer_seats_than_confirmed_is_refused(session, admin, make_meeting, signup_data):
    meeting = make_meeting(seats=3)
    for _ in range(3):
        public.register(session, meeting.id, signup_data())
    session.commit()
    with pytest.raises(service.SeatsBelowConfirmed) as refused:
        service.update_meeting(session, admin, meeting.id, _data(meeting.region_id, seats=2))
    session.rollback()
    assert refused.value.confirmed == 3
    assert session.get(Meeting, meeting.id).seats == 3


def test_more_seats_move_the_waiting_list_up_and_tell_them(
    session, admin, make_meeting, signup_data
):
    meeting = make_meeting(seats=1)
    public.register(session, meeting.id, signup_data())
    first = public.register(session, meeting.id, signup_data(locale="nn"))
    second = public.register(session, meeting.id, signup_data())
    third = public.register(session, meeting.id, signup_data())
    session.commit()

    outcome = service.update_meeting(
        session,
        admin,
        meeting.id,
        _data(
            meeting.region_id,
            seats=3,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            registration_deadline=meeting.registration_deadline,
        ),
    )
    session.commit()
    assert [r.id for r in outcome.promoted] == [first.id, second.id]
    assert session.get(Registration, third.id).status == "waiting"
    assert session.get(Meeting, meeting.id).confirmed_count == 3
    promotion = _messages(session, first.id)[-1]
    assert promotion.locale == "nn"
    assert "Du fekk plass" in promotion.subject or "plass" in promotion.subject


def test_cancel_meeting_mails_everyone_in_their_language(session, admin, make_meeting, signup_data):
    meeting = make_meeting(seats=1)
    holder = public.register(session, meeting.id, signup_data(locale="en"))
    waiting = public.register(session, meeting.id, signup_data(locale="nn"))
    gone = public.register(session, meeting.id, signup_data())
    public.cancel(session, gone.reference)
    session.commit()

    told = service.cancel_meeting(session, admin, meeting.id, reason="Storm i hele fylket.")
    session.commit()
    assert told == 2
    assert session.get(Meeting, meeting.id).cancelled_at is not None
    english = _messages(session, holder.id)[-1]
    assert english.subject.startswith("The meeting is cancelled")
    assert "Storm i hele fylket." in english.body_text
    nynorsk = _messages(session, waiting.id)[-1]
    assert nynorsk.subject.startswith("Møtet er avlyst")
    assert "treng ikkje gjere noko" in nynorsk.body_text
    assert all("avlyst" not in m.subject for m in _messages(session, gone.id))
    with pytest.raises(service.MeetingCancelled):
        service.cancel_meeting(session, admin, meeting.id)


def test_promote_only_within_capacity(session, admin, make_meeting, signup_data):
    meeting = make_meeting(seats=1)
    holder = public.register(session, meeting.id, signup_data())
    waiting = public.register(session, meeting.id, signup_data())
    session.commit()
    with pytest.raises(service.NoSeatLeft):
        service.move_within_meeting(session, admin, waiting.id, "confirmed")
    session.rollback()

    service.move_within_meeting(session, admin, holder.id, "waiting")
    session.commit()
    assert session.get(Meeting, meeting.id).confirmed_count == 0
    assert session.get(Registration, holder.id).status == "waiting"
    demoted_mail = _messages(session, holder.id)[-1]
    assert "venteliste" in demoted_mail.subject.lower()

    service.move_within_meeting(session, admin, waiting.id, "confirmed")
    session.commit()
    assert session.get(Registration, waiting.id).status == "confirmed"
    assert session.get(Meeting, meeting.id).confirmed_count == 1
    with pytest.raises(service.NoSeatLeft):
        service.move_within_meeting(session, admin, holder.id, "confirmed")
    session.rollback()
    assert session.get(Meeting, meeting.id).confirmed_count == 1


def test_move_to_another_meeting_frees_the_seat_for_the_waiting_list(
    session, admin, make_meeting, signup_data
):
    source = make_meeting(seats=1)
    target = make_meeting(seats=1)
    mover = public.register(session, source.id, signup_data(email="flytt@example.no"))
    next_in_line = public.register(session, source.id, signup_data())
    session.commit()

    moved = service.move_to_meeting(session, admin, mover.id, target.id)
    session.commit()
    assert moved.meeting_id == target.id and moved.status == "confirmed"
    assert session.get(Registration, next_in_line.id).status == "confirmed"
    assert session.get(Meeting, source.id).confirmed_count == 1
    assert session.get(Meeting, target.id).confirmed_count == 1
    moved_mail = _messages(session, mover.id)[-1]
    assert moved_mail.attachments and moved_mail.attachments[0]["content_type"] == "text/calendar"

    # The target is now full: the next one moved there goes to its waiting list.
    other = public.register(session, source.id, signup_data())
    session.commit()
    again = service.move_to_meeting(session, admin, other.id, target.id)
    session.commit()
    assert again.status == "waiting"
    assert session.get(Meeting, target.id).confirmed_count == 1


def test_cannot_move_someone_to_a_meeting_they_are_already_on(
    session, admin, make_meeting, signup_data
):
    first, second = make_meeting(), make_meeting()
    a = public.register(session, first.id, signup_data(email="to@example.no"))
    public.register(session, second.id, signup_data(email="to@example.no"))
    session.commit()
    with pytest.raises(service.DuplicateRegistration):
        service.move_to_meeting(session, admin, a.id, second.id)


def test_attendance_is_recorded_for_confirmed_only(session, admin, make_meeting, signup_data):
    meeting = make_meeting(seats=2)
    came = public.register(session, meeting.id, signup_data())
    absent = public.register(session, meeting.id, signup_data())
    waiting = public.register(session, meeting.id, signup_data())
    session.commit()
    present = service.set_attendance(session, admin, meeting.id, {came.id, waiting.id})
    session.commit()
    assert present == 1
    assert session.get(Registration, came.id).attended is True
    assert session.get(Registration, absent.id).attended is False
    assert session.get(Registration, waiting.id).attended is None


# ---------------------------------------------------------------- pages


def test_admin_creates_a_meeting_in_oslo_time(as_admin, session, make_region):
    region = make_region(name="Nord-Troms")
    session.commit()
    response = post_form(as_admin, "/admin/moter/ny", meeting_form(region.id))
    assert response.status_code == 303
    meeting = session.execute(select(Meeting)).scalar_one()
    assert response.headers["Location"] == f"/admin/moter/{meeting.id}"
    assert meeting.starts_at == datetime(2031, 6, 10, 7, 0, tzinfo=UTC)  # CEST = UTC+2
    assert meeting.seats == 12


def test_meeting_form_errors_are_translated(as_admin, session, make_region):
    make_region()
    session.commit()
    response = post_form(
        as_admin,
        "/admin/moter/ny",
        {"title": "", "day": "10.06.2031", "starts": "25:00", "seats": "0"},
        headers={"Accept-Language": "nn"},
    )
    assert response.status_code == 422
    assert "Skriv datoen som ÅÅÅÅ-MM-DD" in response.text
    assert "Vel ein region." in response.text
    assert "Skriv eit tal frå 1 til 10000." in response.text
    assert count(session, Meeting.id) == 0


def test_cancel_page_needs_confirmation_and_then_mails(
    as_admin, session, make_meeting, signup_data
):
    meeting = make_meeting()
    reg = public.register(session, meeting.id, signup_data())
    session.commit()
    url = f"/admin/moter/{meeting.id}/avlys"
    refused = post_form(as_admin, url, {"reason": ""})
    assert refused.status_code == 422
    assert session.get(Meeting, meeting.id).cancelled_at is None
    done = post_form(as_admin, url, {"reason": "Flyttet til våren.", "confirm": "y"})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Meeting, meeting.id).cancelled_at is not None
    assert "Flyttet til våren." in _messages(session, reg.id)[-1].body_text


def test_meeting_page_lists_registrations_and_moves_people(
    as_admin, session, make_meeting, signup_data
):
    meeting = make_meeting(seats=1)
    holder = public.register(session, meeting.id, signup_data(name="Kari Nordmann"))
    waiting = public.register(session, meeting.id, signup_data(name="Ola Venter"))
    session.commit()
    page = as_admin.get(f"/admin/moter/{meeting.id}")
    assert "Kari Nordmann" in page.text and "Ola Venter" in page.text
    url = f"/admin/moter/{meeting.id}/pameldinger/{waiting.id}/flytt"
    token = csrf_token(page.text)
    full = as_admin.post(url, data={"csrf_token": token, "target": "confirmed", "notify": "y"})
    assert full.status_code == 303
    assert "ingen ledig plass" in as_admin.get(full.headers["Location"]).text
    as_admin.post(
        f"/admin/moter/{meeting.id}/pameldinger/{holder.id}/flytt",
        data={"csrf_token": token, "target": "waiting", "notify": "y"},
    )
    as_admin.post(url, data={"csrf_token": token, "target": "confirmed", "notify": "y"})
    session.expire_all()
    assert session.get(Registration, waiting.id).status == "confirmed"
    assert session.get(Registration, holder.id).status == "waiting"


def test_attendance_page_and_printable_list(as_admin, session, make_meeting, signup_data):
    meeting = make_meeting(seats=5)
    a = public.register(session, meeting.id, signup_data(name="Anne Attende"))
    b = public.register(session, meeting.id, signup_data(name="Bjørn Borte"))
    session.commit()
    response = post_form(as_admin, f"/admin/moter/{meeting.id}/oppmote", {"attended": [str(a.id)]})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Registration, a.id).attended is True
    assert session.get(Registration, b.id).attended is False
    printable = as_admin.get(f"/admin/moter/{meeting.id}/deltakarliste")
    assert printable.status_code == 200
    assert printable.text.index("Anne Attende") < printable.text.index("Bjørn Borte")
    assert "Signatur" in printable.text


def test_reviewer_sees_meetings_but_cannot_change_them(as_reviewer, make_meeting, session):
    meeting = make_meeting()
    session.commit()
    page = as_reviewer.get(f"/admin/moter/{meeting.id}")
    assert page.status_code == 200
    assert f"/admin/moter/{meeting.id}/avlys" not in page.text
    assert as_reviewer.get(f"/admin/moter/{meeting.id}/avlys").status_code == 403
