"""Administering meetings: create, edit, cancel, move registrations, attendance, messages.

Seat changes follow the rules of ``participation.meetings.service``: the meeting
row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on
SQLite) and ``meeting.confirmed_count`` changes only by conditional UPDATE, so
an administrator's move can never oversell a meeting that the public is
signing up for at the same moment.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from participation import audit, outbox
from participation.db import begin_write
from participation.meetings import mail
from participation.meetings import service as public_service
from participation.models import (
    Meeting,
    Region,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)


class MeetingAdminError(Exception):
    """A change the rules refuse; nothing was changed."""


class MeetingNotFound(MeetingAdminError):
    pass


class RegistrationNotFound(MeetingAdminError):
    pass


class InvalidSchedule(MeetingAdminError):
    """The meeting must end after it starts, and the deadline must not be after the start."""


class SeatsBelowConfirmed(MeetingAdminError):
    def __init__(self, confirmed: int) -> None:
        super().__init__(confirmed)
        self.confirmed = confirmed


class MeetingIsCancelled(MeetingAdminError):
    pass


class MeetingIsOver(MeetingAdminError):
    pass


class NoSeatLeft(MeetingAdminError):
    pass


class AlreadyRegistered(MeetingAdminError):
    """The person already holds a place at the meeting they would be moved to."""


class NotMovable(MeetingAdminError):
    """Cancelled or anonymised registrations stay where they are."""


@dataclass
class MeetingData:
    region_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    seats: int
    registration_deadline: datetime
    description: str = ""
    address: str = ""


def _check_schedule(data: MeetingData) -> None:
    if data.ends_at <= data.starts_at or data.registration_deadline > data.starts_at:
        raise InvalidSchedule()


def lock_meetings(session: Session, *meeting_ids: int) -> dict[int, Meeting]:
    """Take the meeting rows' locks (in id order) for the rest of the transaction."""
    begin_write(session)
    found = session.execute(
        select(Meeting)
        .where(Meeting.id.in_(meeting_ids))
        .order_by(Meeting.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalars()
    meetings = {meeting.id: meeting for meeting in found}
    if len(meetings) != len(set(meeting_ids)):
        raise MeetingNotFound()
    return meetings


def lock_meeting(session: Session, meeting_id: int) -> Meeting:
    return lock_meetings(session, meeting_id)[meeting_id]


def create_meeting(session: Session, actor: User, data: MeetingData) -> Meeting:
    _check_schedule(data)
    if session.get(Region, data.region_id) is None:
        raise MeetingNotFound()
    meeting = Meeting(
        region_id=data.region_id,
        title=data.title.strip(),
        description=data.description.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        venue=data.venue.strip(),
        address=data.address.strip(),
        seats=data.seats,
        registration_deadline=data.registration_deadline,
        confirmed_count=0,
    )
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "meeting.create", "meeting", meeting.id)
    return meeting


@dataclass(frozen=True)
class UpdateOutcome:
    meeting: Meeting
    promoted: list[Registration]


def update_meeting(
    session: Session,
    actor: User,
    meeting_id: int,
    data: MeetingData,
    *,
    now: datetime | None = None,
) -> UpdateOutcome:
    """Change a meeting. More seats move people up from the waiting list (and tell them);
    fewer seats than confirmed participants are refused."""
    now = now or utcnow()
    _check_schedule(data)
    meeting = lock_meeting(session, meeting_id)
    if meeting.cancelled_at is not None:
        raise MeetingIsCancelled()
    if data.seats < meeting.confirmed_count:
        raise SeatsBelowConfirmed(meeting.confirmed_count)
    changed = sorted(
        name
        for name in (
            "region_id",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "venue",
            "address",
            "seats",
            "registration_deadline",
        )
        if getattr(meeting, name) != getattr(data, name)
    )
    meeting.region_id = data.region_id
    meeting.title = data.title.strip()
    meeting.description = data.description.strip()
    meeting.starts_at = data.starts_at
    meeting.ends_at = data.ends_at
    meeting.venue = data.venue.strip()
    meeting.address = data.address.strip()
    meeting.seats = data.seats
    meeting.registration_deadline = data.registration_deadline
    session.flush()
    promoted = []
    if now < meeting.starts_at:
        while meeting.confirmed_count < meeting.seats:
            registration = _first_waiting(session, meeting.id)
            if registration is None:
                break
            _take_seat(session, meeting, registration, now)
            promoted.append(registration)
    for registration in promoted:
        mail.queue_promotion(session, registration, meeting)
    audit.record(
        session,
        actor,
        "meeting.update",
        "meeting",
        meeting.id,
        details={"changed": changed, "promoted": len(promoted)},
    )
    return UpdateOutcome(meeting, promoted)


def cancel_meeting(
    session: Session,
    actor: User,
    meeting_id: int,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> int:
    """Cancel the meeting and e-mail everyone with a live registration.

    The registrations keep their status (so the list of who had signed up is
    not lost); the meeting's ``cancelled_at`` tells everyone it is off.
    Returns the number of people told.
    """
    now = now or utcnow()
    meeting = lock_meeting(session, meeting_id)
    if meeting.cancelled_at is not None:
        raise MeetingIsCancelled()
    meeting.cancelled_at = now
    session.flush()
    live = _live_registrations(session, meeting.id)
    meetings_url = outbox.external_url("meetings.regions")
    for registration in live:
        if not registration.email:
            continue
        outbox.enqueue(
            session,
            recipient=registration.email,
            locale=registration.locale,
            template="meeting_cancelled",
            registration_id=registration.id,
            registration=registration,
            meeting=meeting,
            reason=reason.strip(),
            meetings_url=meetings_url,
        )
    audit.record(
        session, actor, "meeting.cancel", "meeting", meeting.id, details={"notified": len(live)}
    )
    return len(live)


def _live_registrations(session: Session, meeting_id: int) -> list[Registration]:
    return list(
        session.execute(
            select(Registration)
            .where(
                Registration.meeting_id == meeting_id,
                Registration.status != RegistrationStatus.CANCELLED,
                Registration.purged_at.is_(None),
            )
            .order_by(Registration.id)
        ).scalars()
    )


def _first_waiting(session: Session, meeting_id: int) -> Registration | None:
    return session.execute(
        select(Registration)
        .where(
            Registration.meeting_id == meeting_id,
            Registration.status == RegistrationStatus.WAITING,
        )
        .order_by(Registration.id)
        .limit(1)
    ).scalar_one_or_none()


def _take_seat(session: Session, meeting: Meeting, registration: Registration, now) -> None:
    """Confirm ``registration`` if the (locked) meeting has a seat, else NoSeatLeft."""
    took = session.execute(
        update(Meeting)
        .where(
            Meeting.id == meeting.id,
            Meeting.confirmed_count < Meeting.seats,
            Meeting.cancelled_at.is_(None),
        )
        .values(confirmed_count=Meeting.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if took != 1:
        raise NoSeatLeft()
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    session.flush()
    session.refresh(meeting)


def _free_seat(session: Session, meeting: Meeting) -> None:
    session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(confirmed_count=Meeting.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(meeting)


@dataclass(frozen=True)
class RegistrationLists:
    confirmed: list[Registration]
    waiting: list[Registration]
    cancelled: list[Registration]


def registrations_for(session: Session, meeting_id: int) -> RegistrationLists:
    rows = list(
        session.execute(
            select(Registration)
            .where(Registration.meeting_id == meeting_id)
            .order_by(Registration.id)
        ).scalars()
    )
    return RegistrationLists(
        confirmed=[r for r in rows if r.status == RegistrationStatus.CONFIRMED],
        waiting=[r for r in rows if r.status == RegistrationStatus.WAITING],
        cancelled=[r for r in rows if r.status == RegistrationStatus.CANCELLED],
    )


def _load_registration(session: Session, registration_id: int) -> Registration:
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise RegistrationNotFound()
    return registration


def _check_movable(meeting: Meeting, registration: Registration, now: datetime) -> None:
    if registration.status == RegistrationStatus.CANCELLED or registration.purged_at is not None:
        raise NotMovable()
    if meeting.cancelled_at is not None:
        raise MeetingIsCancelled()
    if now >= meeting.starts_at:
        raise MeetingIsOver()


def _lock_movable(
    session: Session, registration_id: int, now: datetime
) -> tuple[Meeting, Registration]:
    """Lock the registration's meeting, then re-read the registration under it."""
    meeting_id = _load_registration(session, registration_id).meeting_id
    meeting = lock_meeting(session, meeting_id)
    registration = _load_registration(session, registration_id)
    session.refresh(registration)
    _check_movable(meeting, registration, now)
    return meeting, registration


def promote(
    session: Session,
    actor: User,
    registration_id: int,
    *,
    notify: bool = True,
    now: datetime | None = None,
) -> Registration:
    """Give a waiting-list registration a seat, if the meeting has one free."""
    now = now or utcnow()
    meeting, registration = _lock_movable(session, registration_id, now)
    if registration.status != RegistrationStatus.WAITING:
        raise NotMovable()
    _take_seat(session, meeting, registration, now)
    if notify:
        mail.queue_promotion(session, registration, meeting)
    audit.record(
        session,
        actor,
        "registration.move",
        "registration",
        registration.id,
        details={"meeting": meeting.id, "to": "confirmed"},
    )
    return registration


def demote(
    session: Session,
    actor: User,
    registration_id: int,
    *,
    notify: bool = True,
    now: datetime | None = None,
) -> Registration:
    """Move a confirmed registration to the waiting list. It keeps its place in
    the order of sign-up, so it is usually first in line for the next free seat;
    the seat it frees is not handed on automatically (the administrator moves
    someone up, or the next sign-up takes it)."""
    now = now or utcnow()
    meeting, registration = _lock_movable(session, registration_id, now)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise NotMovable()
    registration.status = RegistrationStatus.WAITING
    registration.confirmed_at = None
    session.flush()
    _free_seat(session, meeting)
    if notify and registration.email:
        outbox.enqueue(
            session,
            recipient=registration.email,
            locale=registration.locale,
            template="registration_waitlisted",
            registration_id=registration.id,
            registration=registration,
            meeting=meeting,
            position=public_service.waiting_position(session, registration),
            cancel_url=mail.cancel_url(registration),
        )
    audit.record(
        session,
        actor,
        "registration.move",
        "registration",
        registration.id,
        details={"meeting": meeting.id, "to": "waiting"},
    )
    return registration


def move_to_meeting(
    session: Session,
    actor: User,
    registration_id: int,
    target_meeting_id: int,
    *,
    notify: bool = True,
    now: datetime | None = None,
) -> Registration:
    """Move a registration to another meeting: a seat there if one is free,
    else its waiting list. A seat it leaves goes to the first on the old
    meeting's waiting list. Both meeting rows are locked, in id order."""
    now = now or utcnow()
    source_id = _load_registration(session, registration_id).meeting_id
    if source_id == target_meeting_id:
        raise NotMovable()
    locked = lock_meetings(session, source_id, target_meeting_id)
    source, target = locked[source_id], locked[target_meeting_id]
    registration = _load_registration(session, registration_id)
    session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED or registration.purged_at is not None:
        raise NotMovable()
    _check_movable(target, registration, now)
    if public_service.find_live_registration(session, target.id, registration.email or ""):
        raise AlreadyRegistered()

    held_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.meeting_id = target.id
    registration.status = RegistrationStatus.WAITING
    registration.confirmed_at = None
    session.flush()
    promoted = None
    if held_seat:
        _free_seat(session, source)
        if source.cancelled_at is None and now < source.starts_at:
            promoted = _first_waiting(session, source.id)
            if promoted is not None:
                _take_seat(session, source, promoted, now)
    with contextlib.suppress(NoSeatLeft):  # else it stays on the target's waiting list
        _take_seat(session, target, registration, now)
    session.refresh(registration)
    if notify and registration.email:
        outbox.enqueue(
            session,
            recipient=registration.email,
            locale=registration.locale,
            template="registration_moved",
            attachments=(
                [mail.meeting_ics(target, registration)]
                if registration.status == RegistrationStatus.CONFIRMED
                else []
            ),
            registration_id=registration.id,
            registration=registration,
            meeting=target,
            position=public_service.waiting_position(session, registration),
            cancel_url=mail.cancel_url(registration),
        )
    if promoted is not None:
        mail.queue_promotion(session, promoted, source)
    audit.record(
        session,
        actor,
        "registration.move",
        "registration",
        registration.id,
        details={"from": source.id, "meeting": target.id, "to": registration.status},
    )
    return registration


def cancel_registration(
    session: Session,
    actor: User,
    registration_id: int,
    *,
    notify: bool = True,
    now: datetime | None = None,
) -> public_service.CancelOutcome:
    """Cancel on someone's behalf (e.g. they phoned); the public rules apply."""
    registration = _load_registration(session, registration_id)
    outcome = public_service.cancel(session, registration.reference, now=now, notify=notify)
    audit.record(
        session,
        actor,
        "registration.cancel",
        "registration",
        registration.id,
        details={"meeting": registration.meeting_id},
    )
    return outcome


def set_attendance(session: Session, actor: User, meeting_id: int, attended_ids: set[int]) -> int:
    """Mark who came: confirmed registrations in ``attended_ids`` attended, the rest did not."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise MeetingNotFound()
    confirmed = registrations_for(session, meeting_id).confirmed
    for registration in confirmed:
        registration.attended = registration.id in attended_ids
    session.flush()
    present = sum(1 for r in confirmed if r.attended)
    audit.record(
        session,
        actor,
        "meeting.attendance",
        "meeting",
        meeting.id,
        details={"attended": present, "confirmed": len(confirmed)},
    )
    return present


def message_registrants(
    session: Session,
    actor: User,
    meeting_id: int,
    *,
    subject: str,
    body: str,
    include_waiting: bool = True,
) -> int:
    """Queue one e-mail per registrant, each in their own language. Returns how many."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise MeetingNotFound()
    statuses = [RegistrationStatus.CONFIRMED]
    if include_waiting:
        statuses.append(RegistrationStatus.WAITING)
    recipients = [
        r for r in _live_registrations(session, meeting_id) if r.status in statuses and r.email
    ]
    subject = " ".join(subject.split())
    for registration in recipients:
        outbox.enqueue(
            session,
            recipient=registration.email,
            locale=registration.locale,
            template="meeting_message",
            registration_id=registration.id,
            registration=registration,
            meeting=meeting,
            subject=subject,
            body=body.strip(),
            cancel_url=mail.cancel_url(registration),
        )
    audit.record(
        session,
        actor,
        "meeting.message",
        "meeting",
        meeting.id,
        details={"recipients": len(recipients), "waiting_included": include_waiting},
    )
    return len(recipients)


# ---------------------------------------------------------------- regions


def slugify(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})
    ascii_name = (
        unicodedata.normalize("NFKD", name.translate(table)).encode("ascii", "ignore").decode()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "region"


def create_region(session: Session, actor: User, name: str) -> Region:
    base = slugify(name)
    slug, n = base, 1
    while session.execute(select(Region.id).where(Region.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    position = (session.scalar(select(func.max(Region.position))) or 0) + 1
    region = Region(slug=slug, name=name.strip(), position=position)
    session.add(region)
    session.flush()
    audit.record(session, actor, "region.create", "region", region.id)
    return region


@dataclass(frozen=True)
class MeetingRow:
    meeting: Meeting
    confirmed: int
    waiting: int


def meeting_overview(session: Session) -> list[MeetingRow]:
    """Every meeting with its confirmed and waiting counts (two queries)."""
    meetings = public_service.list_meetings(session)
    counts = session.execute(
        select(Registration.meeting_id, Registration.status, func.count(Registration.id))
        .where(Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Registration.meeting_id, Registration.status)
    ).all()
    by_meeting: dict[int, dict[str, int]] = {}
    for meeting_id, status, n in counts:
        by_meeting.setdefault(meeting_id, {})[status] = n
    return [
        MeetingRow(
            m,
            by_meeting.get(m.id, {}).get(RegistrationStatus.CONFIRMED, 0),
            by_meeting.get(m.id, {}).get(RegistrationStatus.WAITING, 0),
        )
        for m in meetings
    ]
