"""Rules for meetings and sign-up: seat allocation, waiting list, cancellation.

Every seat change for a meeting goes through a conditional UPDATE of
``meeting.confirmed_count`` or under a lock on the meeting row, so concurrent
sign-ups and cancellations never oversell a meeting (a CHECK constraint in the
database backs this up).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from participation.db import begin_write
from participation.models import (
    FocusArea,
    Meeting,
    MeetingStatus,
    Region,
    Registration,
    RegistrationStatus,
    utcnow,
)

# No 0/O, 1/I/L: codes are read aloud on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class SignupError(Exception):
    """A sign-up or cancellation the rules refuse; nothing was changed."""


class MeetingNotFound(SignupError):
    pass


class RegistrationClosed(SignupError):
    pass


class MeetingCancelled(SignupError):
    pass


class DuplicateRegistration(SignupError):
    pass


class MeetingAlreadyHeld(SignupError):
    pass


@dataclass
class SignupData:
    name: str
    email: str
    category: str
    locale: str
    phone: str | None = None
    organisation: str | None = None
    org_number: str | None = None
    needs: str | None = None
    focus_area_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class RegionSummary:
    region: Region
    upcoming_meetings: int


def normalize_email(email: str) -> str:
    return email.strip().lower()


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def list_regions(session: Session, now: datetime | None = None) -> list[RegionSummary]:
    now = now or utcnow()
    counts = (
        select(Meeting.region_id, func.count(Meeting.id).label("n"))
        .where(Meeting.starts_at > now, Meeting.cancelled_at.is_(None))
        .group_by(Meeting.region_id)
        .subquery()
    )
    rows = session.execute(
        select(Region, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.region_id == Region.id)
        .order_by(Region.position, Region.name)
    ).all()
    return [RegionSummary(region, n) for region, n in rows]


@dataclass(frozen=True)
class MeetingPeriod:
    meetings_from: datetime | None
    meetings_to: datetime | None


def meeting_period(session: Session) -> MeetingPeriod:
    first, last = session.execute(
        select(func.min(Meeting.starts_at), func.max(Meeting.starts_at)).where(
            Meeting.cancelled_at.is_(None)
        )
    ).one()
    # min()/max() bypass the column type on SQLite; restore aware UTC.
    return MeetingPeriod(_as_utc(first), _as_utc(last))


def _as_utc(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def get_region(session: Session, slug: str) -> Region | None:
    if len(slug) > 80 or "\x00" in slug:
        return None  # cannot exist; PostgreSQL would refuse a NUL byte outright
    return session.execute(select(Region).where(Region.slug == slug)).scalar_one_or_none()


def list_meetings(session: Session, region: Region | None = None) -> list[Meeting]:
    query = select(Meeting).options(selectinload(Meeting.region)).order_by(Meeting.starts_at)
    if region is not None:
        query = query.where(Meeting.region_id == region.id)
    return list(session.execute(query).scalars())


def active_focus_areas(session: Session) -> list[FocusArea]:
    return list(
        session.execute(
            select(FocusArea).where(FocusArea.active).order_by(FocusArea.position, FocusArea.key)
        ).scalars()
    )


def find_live_registration(session: Session, meeting_id: int, email: str) -> Registration | None:
    return session.execute(
        select(Registration).where(
            Registration.meeting_id == meeting_id,
            Registration.email_normalized == normalize_email(email),
            Registration.status != RegistrationStatus.CANCELLED,
        )
    ).scalar_one_or_none()


def waiting_position(session: Session, registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = session.scalar(
        select(func.count(Registration.id)).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == RegistrationStatus.WAITING,
            Registration.id < registration.id,
        )
    )
    return (ahead or 0) + 1


def _check_open_for_signup(meeting: Meeting | None, now: datetime) -> Meeting:
    if meeting is None:
        raise MeetingNotFound()
    status = meeting.status(now)
    if status == MeetingStatus.CANCELLED:
        raise MeetingCancelled()
    if status in (MeetingStatus.CLOSED, MeetingStatus.PAST):
        raise RegistrationClosed()
    return meeting


def register(
    session: Session, meeting_id: int, data: SignupData, *, now: datetime | None = None
) -> Registration:
    """Sign someone up: a confirmed seat while any remain, else the waiting list.

    Raises a ``SignupError`` and changes nothing when the meeting is closed,
    cancelled or the e-mail address already holds a place. Queues the
    confirmation e-mail in the same transaction. The caller commits.
    """
    from participation.meetings import mail

    now = now or utcnow()
    begin_write(session)
    meeting = _check_open_for_signup(session.get(Meeting, meeting_id), now)
    if find_live_registration(session, meeting_id, data.email) is not None:
        raise DuplicateRegistration()

    areas = []
    if data.focus_area_ids:
        areas = list(
            session.execute(
                select(FocusArea).where(FocusArea.id.in_(data.focus_area_ids), FocusArea.active)
            ).scalars()
        )
    registration = Registration(
        meeting_id=meeting.id,
        reference=new_reference(),
        status=RegistrationStatus.WAITING,
        name=data.name.strip(),
        email=data.email.strip(),
        email_normalized=normalize_email(data.email),
        phone=data.phone or None,
        organisation=(data.organisation or "").strip() or None,
        org_number=data.org_number or None,
        needs=(data.needs or "").strip() or None,
        category=data.category,
        locale=data.locale,
        consent_at=now,
        created_at=now,
        focus_areas=areas,
    )
    session.add(registration)
    try:
        # The partial unique index catches a duplicate sent at the same moment.
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise DuplicateRegistration() from error

    took_seat = session.execute(
        update(Meeting)
        .where(
            Meeting.id == meeting.id,
            Meeting.confirmed_count < Meeting.seats,
            Meeting.cancelled_at.is_(None),
        )
        .values(confirmed_count=Meeting.confirmed_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if took_seat == 1:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
    session.flush()
    session.refresh(meeting)
    mail.queue_signup_receipt(session, registration, meeting)
    return registration


def find_by_reference(session: Session, reference: str) -> Registration | None:
    return session.execute(
        select(Registration)
        .options(selectinload(Registration.meeting))
        .where(Registration.reference == reference)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class CancelOutcome:
    registration: Registration
    promoted: Registration | None
    already_cancelled: bool = False


def cancel(
    session: Session, reference: str, *, now: datetime | None = None, notify: bool = True
) -> CancelOutcome:
    """Cancel a registration; a freed seat goes to the first on the waiting list.

    The meeting row is locked first, so two cancellations cannot promote the
    same person and a sign-up cannot slip into a seat being handed over.
    """
    from participation.meetings import mail

    now = now or utcnow()
    begin_write(session)
    registration = find_by_reference(session, reference)
    if registration is None:
        raise MeetingNotFound()
    meeting = session.execute(
        select(Meeting).where(Meeting.id == registration.meeting_id).with_for_update()
    ).scalar_one()
    session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return CancelOutcome(registration, None, already_cancelled=True)
    if now >= meeting.starts_at:
        raise MeetingAlreadyHeld()

    held_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    promoted = None
    if held_seat:
        promoted = _promote_first_waiting(session, meeting, now)
        if promoted is None:
            session.execute(
                update(Meeting)
                .where(Meeting.id == meeting.id)
                .values(confirmed_count=Meeting.confirmed_count - 1)
                .execution_options(synchronize_session=False)
            )
    session.flush()
    session.refresh(meeting)
    if notify:
        mail.queue_cancel_receipt(session, registration, meeting)
        if promoted is not None:
            mail.queue_promotion(session, promoted, meeting)
    return CancelOutcome(registration, promoted)


def _promote_first_waiting(
    session: Session, meeting: Meeting, now: datetime
) -> Registration | None:
    if meeting.cancelled_at is not None:
        return None
    first = session.execute(
        select(Registration)
        .where(
            Registration.meeting_id == meeting.id,
            Registration.status == RegistrationStatus.WAITING,
        )
        .order_by(Registration.id)
        .limit(1)
    ).scalar_one_or_none()
    if first is not None:
        first.status = RegistrationStatus.CONFIRMED
        first.confirmed_at = now
    return first


def registration_counts(session: Session, meeting_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.meeting_id == meeting_id)
        .group_by(Registration.status)
    ).all()
    return {status: n for status, n in rows}
