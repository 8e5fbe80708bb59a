"""The meetings' work on the job queue: the reminders (periodic) and a message to a
meeting's registrants (a job).

Reminders: every hour, each confirmed participant of a meeting starting within
MEETING_REMINDER_HOURS gets one reminder.

A message: the back office stores it (``service.create_message``) and queues this job,
which writes one outbox e-mail per registrant, ``JOBS_CHUNK_ROWS`` per transaction,
with progress and cancel between chunks. Who has had theirs is recorded in the
transaction that queues it (``meeting_message_recipient``), so a job killed mid-way and
started again goes on with the rest: nobody gets two copies.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from participation import jobs
from participation.extensions import db
from participation.jobs import periodic
from participation.meetings import service
from participation.meetings.service import send_reminders
from participation.models import Job, JobStatus, MeetingMessage, User

MESSAGE_KIND = "meeting_message"


@periodic("meeting_reminders", minute="5")
def meeting_reminders(app: Flask) -> None:
    send_reminders(db.session, hours=app.config["MEETING_REMINDER_HOURS"])
    db.session.commit()


@jobs.on_end_of("message_id")
def _message_ended(session: Session, message_id: int, job: Job) -> None:
    status = "cancelled" if job.status == JobStatus.CANCELLED else "failed"
    service.finish_message(session, message_id, status)


def _message_page(job: Job) -> str:
    return url_for(
        "backoffice.meeting_message", meeting_id=job.params.get("meeting_id", 0), job=job.id
    )


@jobs.kind(
    MESSAGE_KIND,
    title=_l("Message to the registrants"),
    return_url=_message_page,
    on_end=_message_ended,
)
def send_message(ctx: jobs.JobContext) -> dict:
    session = ctx.session
    message = ctx.subject(MeetingMessage, "message_id", "meeting message")
    message_id = message.id
    done = message.sent_count
    total = max(1, done + service.message_remaining(session, message_id))
    session.commit()
    # Who signs up while it is sent gets it too; MessageEnded: an earlier attempt finished it.
    ctx.in_chunks(
        "sending",
        lambda size: service.queue_message_chunk(session, message_id, size),
        done=done,
        total=total,
        ended=service.MessageEnded,
        open_ended=True,
    )
    service.finish_message(session, message_id, "sent")
    session.commit()
    message = session.get(MeetingMessage, message_id, populate_existing=True)
    return {"message_id": message_id, "meeting_id": message.meeting_id, "sent": message.sent_count}


def start(session: Session, actor: User, meeting_id: int, **message) -> Job:
    """Store the message (``service.create_message``'s keyword arguments: subject,
    body, to_confirmed, to_waiting) and queue its job, in one transaction (commits).
    Raises what ``service.create_message`` raises."""
    stored = service.create_message(session, actor, meeting_id, **message)
    return jobs.enqueue(
        MESSAGE_KIND, {"message_id": stored.id, "meeting_id": meeting_id}, user=actor
    )
