"""E-mails about registrations, queued in the registrant's own language."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from icalendar import Calendar, Event, vText
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.orm import Session

from participation import outbox
from participation.models import Meeting, Registration, RegistrationStatus, utcnow

_CANCEL_SALT = "registration-cancel"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_CANCEL_SALT)


def cancel_token(registration: Registration) -> str:
    return _serializer().dumps(registration.reference)


def reference_from_token(token: str) -> str | None:
    try:
        value = _serializer().loads(token)
    except BadData:
        return None
    return value if isinstance(value, str) else None


def cancel_url(registration: Registration) -> str:
    return outbox.external_url("meetings.cancel", token=cancel_token(registration))


def meeting_url(meeting: Meeting) -> str:
    return outbox.external_url("meetings.meeting", meeting_id=meeting.id)


def meeting_ics(meeting: Meeting, registration: Registration) -> outbox.Attachment:
    calendar = Calendar()
    calendar.add("prodid", "-//Innspill//innspillsmote//NO")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}-{registration.reference}@innspill")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + timedelta(hours=4))
    event.add("summary", meeting.title)
    event["location"] = vText(", ".join(p for p in (meeting.venue, meeting.address) if p))
    event.add("description", meeting_url(meeting))
    event.add("url", meeting_url(meeting))
    calendar.add_component(event)
    return outbox.Attachment("innspillsmote.ics", "text/calendar", calendar.to_ical().decode())


def queue_signup_receipt(session: Session, registration: Registration, meeting: Meeting) -> None:
    from participation.meetings.service import waiting_position

    confirmed = registration.status == RegistrationStatus.CONFIRMED
    outbox.enqueue(
        session,
        recipient=registration.email,
        locale=registration.locale,
        template="signup_confirmed" if confirmed else "signup_waiting",
        attachments=[meeting_ics(meeting, registration)] if confirmed else [],
        registration_id=registration.id,
        registration=registration,
        meeting=meeting,
        position=waiting_position(session, registration),
        cancel_url=cancel_url(registration),
        meeting_url=meeting_url(meeting),
    )


def queue_promotion(session: Session, registration: Registration, meeting: Meeting) -> None:
    outbox.enqueue(
        session,
        recipient=registration.email,
        locale=registration.locale,
        template="signup_promoted",
        attachments=[meeting_ics(meeting, registration)],
        registration_id=registration.id,
        registration=registration,
        meeting=meeting,
        cancel_url=cancel_url(registration),
        meeting_url=meeting_url(meeting),
    )


def queue_cancel_receipt(session: Session, registration: Registration, meeting: Meeting) -> None:
    outbox.enqueue(
        session,
        recipient=registration.email,
        locale=registration.locale,
        template="signup_cancelled",
        registration_id=registration.id,
        registration=registration,
        meeting=meeting,
        meeting_url=meeting_url(meeting),
    )
