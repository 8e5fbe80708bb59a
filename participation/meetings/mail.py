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
    """The cancel link, opening in the language the registration was made in."""
    return outbox.external_url(
        "meetings.cancel", token=cancel_token(registration), locale=registration.locale
    )


def meeting_url(meeting: Meeting, locale: str | None = None) -> str:
    return outbox.external_url("meetings.meeting", meeting_id=meeting.id, locale=locale)


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
    event.add("summary", meeting.text("title", registration.locale))
    event["location"] = vText(", ".join(p for p in (meeting.venue, meeting.address) if p))
    event.add("description", meeting_url(meeting, registration.locale))
    event.add("url", meeting_url(meeting, registration.locale))
    calendar.add_component(event)
    return outbox.Attachment("innspillsmote.ics", "text/calendar", calendar.to_ical().decode())


def _queue(
    session: Session,
    template: str,
    registration: Registration,
    meeting: Meeting,
    *,
    attachments: list[outbox.Attachment] | None = None,
    **context,
) -> None:
    """One e-mail to a registrant, in their language; anonymised ones get none."""
    if not registration.email:
        return
    outbox.enqueue(
        session,
        recipient=registration.email,
        locale=registration.locale,
        template=template,
        attachments=attachments or [],
        registration_id=registration.id,
        registration=registration,
        meeting=meeting,
        **context,
    )


def _calendar(meeting: Meeting, registration: Registration) -> list[outbox.Attachment]:
    """The calendar file, for someone who holds a seat."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return []
    return [meeting_ics(meeting, registration)]


def _queue_about_place(
    session: Session, template: str, registration: Registration, meeting: Meeting, **context
) -> None:
    """An e-mail about a place (or a place on the waiting list): with the calendar
    entry, the link that cancels it and the meeting's page."""
    _queue(
        session,
        template,
        registration,
        meeting,
        attachments=_calendar(meeting, registration),
        cancel_url=cancel_url(registration),
        meeting_url=meeting_url(meeting, registration.locale),
        **context,
    )


def queue_signup_receipt(
    session: Session, registration: Registration, meeting: Meeting, *, position: int | None
) -> None:
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    template = "signup_confirmed" if confirmed else "signup_waiting"
    _queue_about_place(session, template, registration, meeting, position=position)


def queue_promotion(session: Session, registration: Registration, meeting: Meeting) -> None:
    _queue_about_place(session, "signup_promoted", registration, meeting)


def queue_cancel_receipt(session: Session, registration: Registration, meeting: Meeting) -> None:
    _queue(
        session,
        "signup_cancelled",
        registration,
        meeting,
        meeting_url=meeting_url(meeting, registration.locale),
    )


def queue_meeting_cancelled(
    session: Session, registration: Registration, meeting: Meeting, *, reason: str
) -> None:
    _queue(
        session,
        "meeting_cancelled",
        registration,
        meeting,
        reason=reason,
        meetings_url=outbox.external_url("meetings.regions", locale=registration.locale),
    )


def queue_waitlisted(
    session: Session, registration: Registration, meeting: Meeting, *, position: int | None
) -> None:
    _queue(
        session,
        "registration_waitlisted",
        registration,
        meeting,
        position=position,
        cancel_url=cancel_url(registration),
    )


def queue_moved(
    session: Session, registration: Registration, meeting: Meeting, *, position: int | None
) -> None:
    _queue(
        session,
        "registration_moved",
        registration,
        meeting,
        attachments=_calendar(meeting, registration),
        position=position,
        cancel_url=cancel_url(registration),
    )


def queue_message(
    session: Session, registration: Registration, meeting: Meeting, *, subject: str, body: str
) -> None:
    _queue(
        session,
        "meeting_message",
        registration,
        meeting,
        subject=subject,
        body=body,
        cancel_url=cancel_url(registration),
    )


def queue_reminder(session: Session, registration: Registration, meeting: Meeting) -> None:
    """The day before: where and when, and the cancel link, so an unused seat goes to
    the waiting list in time."""
    _queue(
        session,
        "meeting_reminder",
        registration,
        meeting,
        cancel_url=cancel_url(registration),
        meeting_url=meeting_url(meeting, registration.locale),
    )
