"""A message to a meeting's registrants: written, previewed with the count, sent on
confirmation by a job that writes one outbox e-mail per registrant (in their language
around the staff's text), with progress and cancel, and never two copies to anyone,
even when the job is started again after its worker was killed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.extensions import db
from participation.jobs import engine as job_engine
from participation.jobs import service as job_service
from participation.meetings import service
from participation.models import (
    AuditEntry,
    Job,
    JobStatus,
    MeetingMessage,
    MeetingMessageRecipient,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    utcnow,
)
from tests.conftest import kill_mid_way_and_take_over
from tests.helpers import count, csrf_token, login

SUBJECT = "Endret møterom"
BODY = "Møtet flyttes til sal 2 i andre etasje.\nVelkommen!"
TO_ALL = {"subject": SUBJECT, "body": BODY, "to_confirmed": True, "to_waiting": True}


def _url(meeting_id: int) -> str:
    return f"/admin/moter/{meeting_id}/melding"


def _post(client, meeting_id: int, **values):
    page = client.get(_url(meeting_id))
    data = {
        "csrf_token": csrf_token(page.text),
        "subject": SUBJECT,
        "body": BODY,
        "to_confirmed": "y",
        "to_waiting": "y",
        "action": "preview",
    }
    data.update(values)
    return client.post(_url(meeting_id), data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def staff(client, admin):
    client.set_cookie("lang", "en")
    assert login(client, admin).status_code == 303
    return client


@pytest.fixture
def signed_up(session, make_meeting, signup_data, admin):
    """A meeting with 2 seats: 2 confirmed, 3 waiting (one withdrew), 1 purged."""
    meeting = make_meeting(seats=2)
    made = [
        service.register(session, meeting.id, signup_data(locale=locale))
        for locale in ("nb", "en", "nn", "se", "nb", "nb")
    ]
    session.flush()
    service.cancel_registration(session, admin, made[4].id)
    made[5].purged_at, made[5].email, made[5].name = utcnow(), None, None
    session.commit()
    return meeting, made


def _messages(session, subject: str = SUBJECT) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subject == subject)
            .order_by(OutboxMessage.registration_id)
        )
    )


def test_preview_with_the_count_then_confirm_then_the_job_sends_one_each(
    app, staff, session, signed_up, run_jobs, every_progress
):
    meeting, made = signed_up
    app.config["JOBS_CHUNK_ROWS"] = 2
    assert "Who gets the message" in staff.get(_url(meeting.id)).text

    preview = _post(staff, meeting.id)
    assert preview.status_code == 200
    assert "The message goes to 4 people: 2 with a seat and 2 on the waiting list." in preview.text
    assert "Møtet flyttes til sal 2" in preview.text and 'value="send"' in preview.text
    # Only those with a seat
    only_seats = _post(staff, meeting.id, to_waiting=None)
    assert "The message goes to 2 people: 2 with a seat and 0 on the waiting list." in (
        only_seats.text
    )
    # Send without ticking the confirmation: asked again, nothing stored.
    unconfirmed = _post(staff, meeting.id, action="send")
    assert unconfirmed.status_code == 422
    assert "Confirm that you want to send the message." in unconfirmed.text
    assert count(session, MeetingMessage.id) == 0 and count(session, Job.id) == 0

    sent = _post(staff, meeting.id, action="send", confirm="y")
    job = session.scalars(select(Job)).one()
    assert sent.status_code == 303
    assert sent.headers["Location"] == f"{_url(meeting.id)}?job={job.id}"
    assert _messages(session) == []  # the request stored the message only
    page = staff.get(sent.headers["Location"])
    assert "<progress" in page.text and 'aria-live="polite"' in page.text
    assert "Cancel the job" in page.text
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "meeting.message")).one()
    assert entry.details["recipients"] == 4 and entry.user_id is not None

    assert run_jobs() == 1
    job = session.get(Job, job.id)
    assert job.status == JobStatus.DONE and job.completions == 1
    assert job.result["sent"] == 4
    assert [p for stage, p in every_progress if stage == "sending"] == [0.0, 0.5, 0.99]
    messages = _messages(session)
    live = [r for r in made if r.status != RegistrationStatus.CANCELLED and r.purged_at is None]
    assert [m.registration_id for m in messages] == [r.id for r in live]
    for message, registration in zip(messages, live, strict=True):
        assert message.recipient == registration.email and message.locale == registration.locale
        assert "Møtet flyttes til sal 2 i andre etasje.\nVelkommen!" in message.body_text
        assert "/moter/avmelding/" in message.body_text  # their own cancel link
    greetings = {m.locale: m.body_text.split("\n", 1)[0] for m in messages}
    assert greetings["en"].startswith("Hello ") and greetings["se"].startswith("Buorre ")
    stored = session.scalars(select(MeetingMessage)).one()
    assert stored.status == "sent" and stored.sent_count == 4

    page = staff.get(sent.headers["Location"])
    assert "The message was queued for 4 people." in page.text
    assert "Messages sent" in page.text and SUBJECT in page.text


def test_started_again_it_sends_only_to_those_not_yet_sent_to(
    app, session, signed_up, admin, run_jobs
):
    """The retry path in one process: an attempt that died after two registrants
    had their copy (committed) leaves the rest to the next, nobody twice."""
    meeting, _ = signed_up
    message = service.create_message(session, admin, meeting.id, **TO_ALL)
    session.commit()
    assert service.queue_message_chunk(session, message.id, 2) == 2
    session.commit()
    assert len(_messages(session)) == 2
    # A registrant withdraws before the rest are sent: they get nothing.
    waiting = session.scalars(
        select(Registration).where(
            Registration.status == RegistrationStatus.WAITING, Registration.purged_at.is_(None)
        )
    ).all()
    service.cancel_registration(session, admin, waiting[-1].id)
    session.commit()
    assert service.queue_message_chunk(session, message.id, 10) == 1
    session.commit()
    assert service.queue_message_chunk(session, message.id, 10) == 0
    assert len(_messages(session)) == 3
    assert service.finish_message(session, message.id, "sent")
    session.commit()
    with pytest.raises(service.MessageEnded):
        service.queue_message_chunk(session, message.id, 10)
    session.rollback()
    assert not service.finish_message(session, message.id, "failed")  # ends once


def test_cancel_stops_between_chunks(app, staff, session, signed_up, run_jobs, monkeypatch):
    meeting, _ = signed_up
    app.config["JOBS_CHUNK_ROWS"] = 1
    monkeypatch.setattr(job_engine, "PROGRESS_INTERVAL", 0.0)
    sent = _post(staff, meeting.id, action="send", confirm="y")
    job_id = session.scalars(select(Job.id)).one()
    real = service.queue_message_chunk
    calls = []

    def then_cancel(session_, message_id, size):
        calls.append(message_id)
        if len(calls) == 3:  # pressed as the third chunk begins: it stops after that one
            with Session(db.engine) as other:
                job_service.request_cancel(other, job_id)
        return real(session_, message_id, size)

    monkeypatch.setattr(service, "queue_message_chunk", then_cancel)
    run_jobs()
    assert session.get(Job, job_id).status == JobStatus.CANCELLED
    stored = session.scalars(select(MeetingMessage)).one()
    assert stored.status == "cancelled" and stored.sent_count == 3
    assert len(_messages(session)) == 3 == count(session, MeetingMessageRecipient.message_id)
    page = staff.get(sent.headers["Location"])
    assert "the message was queued for 3 people before it stopped" in page.text


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"subject": ""}, "Enter a subject."),
        ({"subject": "x" * 201}, "Write at most 200 characters."),
        ({"body": "   "}, "Write the message."),
        ({"body": "x" * 10001}, "Write at most 10000 characters."),
        ({"to_confirmed": None, "to_waiting": None}, "Choose who gets the message."),
        ({"action": "send", "confirm": "y", "to_confirmed": None, "to_waiting": None}, "Choose"),
        ({"csrf_token": "forged"}, ""),  # the translated 400 page
    ],
)
def test_bad_input_gets_a_translated_error_and_nothing_is_sent(
    staff, session, signed_up, values, message
):
    meeting, _ = signed_up
    response = _post(staff, meeting.id, **values)
    assert response.status_code in (400, 422)
    assert message in response.text
    assert count(session, MeetingMessage.id) == 0 and count(session, Job.id) == 0


def test_no_recipients_or_a_cancelled_meeting_is_refused(
    staff, session, make_meeting, signed_up, admin
):
    empty = make_meeting()
    session.commit()
    response = _post(staff, empty.id, action="send", confirm="y")
    assert response.status_code == 422 and "No one would get this message" in response.text
    meeting, _ = signed_up
    service.cancel_meeting(session, admin, meeting.id, reason="")
    session.commit()
    response = _post(staff, meeting.id, action="send", confirm="y")
    assert response.status_code == 422 and "The meeting is cancelled." in response.text
    assert count(session, MeetingMessage.id) == 0 and count(session, Job.id) == 0


def test_errors_in_norwegian_and_reviewers_are_refused(client, admin, reviewer, signed_up):
    meeting, _ = signed_up
    login(client, admin)
    response = _post(client, meeting.id, to_confirmed=None, to_waiting=None)
    assert "Velg hvem som skal få meldingen." in response.text
    other = client.application.test_client()
    login(other, reviewer)
    assert other.get(_url(meeting.id)).status_code == 403


@pytest.mark.slow
def test_a_message_job_killed_mid_way_and_started_again_sends_each_one_copy(
    app, session, make_meeting, admin, tmp_path
):
    meeting = make_meeting(seats=250)
    total = 200
    now = utcnow()
    session.add_all(
        Registration(
            meeting_id=meeting.id,
            reference=f"R{n:07d}",
            status=RegistrationStatus.CONFIRMED,
            name=f"Deltaker {n}",
            email=f"deltaker{n}@example.no",
            email_normalized=f"deltaker{n}@example.no",
            category="citizen",
            locale=("nb", "nn", "en", "se")[n % 4],
            consent_at=now,
            confirmed_at=now,
        )
        for n in range(total)
    )
    session.commit()
    app.config["JOBS_URL"] = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    job_engine.init_app(app)
    from participation.meetings import tasks

    job_id = tasks.start(session, admin, meeting.id, **TO_ALL).id

    def sent_so_far() -> int:
        session.rollback()
        return session.scalar(select(func.count(MeetingMessageRecipient.registration_id)))

    done_when_killed = kill_mid_way_and_take_over(app, session, tmp_path, job_id, sent_so_far)
    assert 0 < done_when_killed < total
    job = session.get(Job, job_id)
    assert job.result["sent"] == total
    per_registration = session.execute(
        select(OutboxMessage.registration_id, func.count(OutboxMessage.id))
        .where(OutboxMessage.subject == SUBJECT)
        .group_by(OutboxMessage.registration_id)
    ).all()
    assert len(per_registration) == total and {n for _, n in per_registration} == {1}
    assert count(session, AuditEntry.id, AuditEntry.action == "meeting.message") == 1
