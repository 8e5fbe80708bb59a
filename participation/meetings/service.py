"""Rules for meetings and registrations, for the public pages and the back office alike.

The one place for seats: signing up, the waiting list, cancelling, promotion and
demotion, moving people between meetings, and the meeting's own changes. Every seat
change for a meeting happens with the meeting row locked (``SELECT … FOR UPDATE``
on PostgreSQL, the write lock on SQLite) and changes ``meeting.confirmed_count``
only by conditional UPDATE in :func:`_take_seat` / :func:`_free_seat`, so
concurrent sign-ups, cancellations and an administrator's moves never oversell a
meeting (a CHECK constraint in the database backs this up).

Functions take a session, flush, raise a ``MeetingError`` and change nothing when
the rules refuse, and record the audit entry for a staff member's change; the
caller commits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from participation import audit
from participation.common import normalize_email, normalize_newlines, random_code, slugify
from participation.db import begin_write
from participation.meetings import mail
from participation.models import (
    FocusArea,
    Meeting,
    MeetingMessage,
    MeetingMessageRecipient,
    MeetingStatus,
    Region,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from participation.models.base import OTHER_LANGUAGES
from participation.processes import service as processes


class MeetingError(Exception):
    """A sign-up or change the rules refuse; nothing was changed."""


class MeetingNotFound(MeetingError):
    pass


class RegistrationNotFound(MeetingError):
    pass


class RegistrationClosed(MeetingError):
    """The registration deadline has passed."""


class MeetingCancelled(MeetingError):
    pass


class MeetingAlreadyHeld(MeetingError):
    """The meeting has started: registrations can no longer be cancelled or moved."""


class DuplicateRegistration(MeetingError):
    """The e-mail address already holds a place at the meeting."""


class NoSeatLeft(MeetingError):
    pass


class NotMovable(MeetingError):
    """Cancelled or anonymised registrations stay where they are."""


class InvalidSchedule(MeetingError):
    """The meeting must end after it starts, and the deadline must not be after the start."""


class RegionNotInProcess(MeetingError):
    """The region is not one of the meeting's process's regions."""


class OtherProcess(MeetingError):
    """A registration cannot move to a meeting of another process."""


class ProcessArchived(MeetingError):
    """The meeting's process is archived: read-only."""


class SeatsBelowConfirmed(MeetingError):
    def __init__(self, confirmed: int) -> None:
        super().__init__(confirmed)
        self.confirmed = confirmed


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
    # "Tell me what came of it": one e-mail when the answers are published.
    notify_outcome: bool = False


@dataclass(frozen=True)
class RegionSummary:
    region: Region
    upcoming_meetings: int


def list_regions(
    session: Session, now: datetime | None = None, process_ids: Iterable[int] | None = None
) -> list[RegionSummary]:
    """Every region with its upcoming meetings (of these processes, when given)."""
    now = now or utcnow()
    upcoming = select(Meeting.region_id, func.count(Meeting.id).label("n")).where(
        Meeting.starts_at > now, Meeting.cancelled_at.is_(None)
    )
    if process_ids is not None:
        upcoming = upcoming.where(Meeting.process_id.in_(list(process_ids)))
    counts = upcoming.group_by(Meeting.region_id).subquery()
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


def meeting_period(session: Session, process_id: int | None = None) -> MeetingPeriod:
    query = select(func.min(Meeting.starts_at), func.max(Meeting.starts_at)).where(
        Meeting.cancelled_at.is_(None)
    )
    if process_id is not None:
        query = query.where(Meeting.process_id == process_id)
    first, last = session.execute(query).one()
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


def list_meetings(
    session: Session,
    region: Region | None = None,
    process_ids: Iterable[int] | None = None,
) -> list[Meeting]:
    query = select(Meeting).options(selectinload(Meeting.region)).order_by(Meeting.starts_at)
    if region is not None:
        query = query.where(Meeting.region_id == region.id)
    if process_ids is not None:
        query = query.where(Meeting.process_id.in_(list(process_ids)))
    return list(session.execute(query).scalars())


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


# ---------------------------------------------------------------- seats


def lock_meetings(session: Session, *meeting_ids: int) -> dict[int, Meeting]:
    """Take the meeting rows' locks (in id order) for the rest of the transaction."""
    begin_write(session)
    return _locked(session, meeting_ids)


def _locked(session: Session, meeting_ids) -> dict[int, Meeting]:
    """``SELECT … FOR UPDATE`` of the meetings, in id order (the write lock on SQLite is
    the caller's ``begin_write``)."""
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


def _take_seat(session: Session, meeting: Meeting, registration: Registration, now) -> None:
    """Confirm ``registration`` if the meeting has a seat, else :class:`NoSeatLeft`.

    The only place a seat is taken: a conditional UPDATE, so it cannot oversell.
    """
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
    """The only place a seat is given back."""
    session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(confirmed_count=Meeting.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(meeting)


def _hand_on_seat(session: Session, meeting: Meeting, now: datetime) -> Registration | None:
    """A confirmed registration left ``meeting``: its seat is given back and goes to the
    first on the waiting list, who is returned (None when nobody moves up)."""
    _free_seat(session, meeting)
    return next(iter(_promote_waiting(session, meeting, now, at_most=1)), None)


def _first_waiting(session: Session, meeting_id: int) -> Registration | None:
    """First on the waiting list: the earliest sign-up still waiting."""
    return session.execute(
        select(Registration)
        .where(
            Registration.meeting_id == meeting_id,
            Registration.status == RegistrationStatus.WAITING,
        )
        .order_by(Registration.id)
        .limit(1)
    ).scalar_one_or_none()


def _promote_waiting(
    session: Session, meeting: Meeting, now: datetime, *, at_most: int | None = None
) -> list[Registration]:
    """Give free seats of a locked meeting to its waiting list, in the order of sign-up.

    Nobody moves up at a cancelled meeting or one that has started.
    """
    promoted: list[Registration] = []
    if meeting.cancelled_at is not None or now >= meeting.starts_at:
        return promoted
    while meeting.seats_left and (at_most is None or len(promoted) < at_most):
        registration = _first_waiting(session, meeting.id)
        if registration is None:
            break
        _take_seat(session, meeting, registration, now)
        promoted.append(registration)
    return promoted


# ---------------------------------------------------------------- signing up


def _check_open_for_signup(meeting: Meeting | None, now: datetime) -> Meeting:
    if meeting is None:
        raise MeetingNotFound()
    status = meeting.status(now)
    if status == MeetingStatus.CANCELLED:
        raise MeetingCancelled()
    if status in (MeetingStatus.CLOSED, MeetingStatus.PAST) or meeting.process.is_archived:
        raise RegistrationClosed()
    return meeting


def register(
    session: Session, meeting_id: int, data: SignupData, *, now: datetime | None = None
) -> Registration:
    """Sign someone up: a confirmed seat while any remain, else the waiting list.

    Raises a ``MeetingError`` and changes nothing when the meeting is closed,
    cancelled or the e-mail address already holds a place. Queues the
    confirmation e-mail in the same transaction. The caller commits.
    """
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
        reference=random_code(),
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
        notify_outcome=bool(data.notify_outcome),
    )
    session.add(registration)
    try:
        # The partial unique index catches a duplicate sent at the same moment.
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise DuplicateRegistration() from error
    with contextlib.suppress(NoSeatLeft):  # full: it stays on the waiting list
        _take_seat(session, meeting, registration, now)
    session.refresh(meeting)
    mail.queue_signup_receipt(
        session, registration, meeting, position=waiting_position(session, registration)
    )
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
    now = now or utcnow()
    begin_write(session)
    registration = find_by_reference(session, reference)
    if registration is None:
        raise MeetingNotFound()
    meeting = _locked(session, [registration.meeting_id])[registration.meeting_id]
    session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return CancelOutcome(registration, None, already_cancelled=True)
    if now >= meeting.starts_at:
        raise MeetingAlreadyHeld()

    held_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    session.flush()
    promoted = _hand_on_seat(session, meeting, now) if held_seat else None
    if notify:
        mail.queue_cancel_receipt(session, registration, meeting)
        if promoted is not None:
            mail.queue_promotion(session, promoted, meeting)
    return CancelOutcome(registration, promoted)


def registration_counts(session: Session, meeting_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.meeting_id == meeting_id)
        .group_by(Registration.status)
    ).all()
    return {status: n for status, n in rows}


# ---------------------------------------------------------------- the back office


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
    process_id: int | None = None  # None: the current process (new meetings only)
    # The title and description in the other languages, ``{"se": …}``; one left out
    # or empty is shown in Bokmål.
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UpdateOutcome:
    meeting: Meeting
    promoted: list[Registration]


def _check_schedule(data: MeetingData) -> None:
    if data.ends_at <= data.starts_at or data.registration_deadline > data.starts_at:
        raise InvalidSchedule()


# Fields whose old and new values the audit log shows ("Plasser: 40 → 30"); the
# descriptions are only named as changed.
_SHOWN_VALUES = {"title", "starts_at", "ends_at", "venue", "address", "seats"} | {
    f"title_{language}" for language in OTHER_LANGUAGES
}
_TIMES = {"starts_at", "ends_at", "registration_deadline"}
_FIELDS = (
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


def _incoming(data: MeetingData) -> dict[str, object]:
    """Every field of the meeting ``data`` sets, by its column name (``title_se`` …)."""
    incoming = {name: getattr(data, name) for name in _FIELDS}
    for language in OTHER_LANGUAGES:
        incoming[f"title_{language}"] = data.titles.get(language) or ""
        incoming[f"description_{language}"] = data.descriptions.get(language) or ""
    return incoming


def _apply(meeting: Meeting, data: MeetingData) -> tuple[dict[str, list], list[str]]:
    """Copy ``data`` onto the meeting (texts trimmed, line breaks normalised). Returns
    what really changed: ``{field: [old, new]}`` for short values, and the names of
    the other changed fields."""
    values: dict[str, list] = {}
    named: list[str] = []
    for name, value in _incoming(data).items():
        if isinstance(value, str):
            value = normalize_newlines(value).strip()
        old = getattr(meeting, name)
        if old != value:
            if name in _SHOWN_VALUES or name in _TIMES:
                shown = [old, value]
                if name in _TIMES:
                    shown = [v.isoformat() if v is not None else None for v in shown]
                values[name] = shown
            elif name != "region_id":
                named.append(name)
            else:
                values["region"] = [old, value]  # ids; names filled in by the caller
        setattr(meeting, name, value)
    return values, sorted(named)


def _check_region(session: Session, process_id: int, region_id: int) -> None:
    """The region exists and is in the process's set (a process with no set takes any)."""
    if session.get(Region, region_id) is None:
        raise MeetingNotFound()
    if processes.regions(session, process_id) and not processes.has_region(
        session, process_id, region_id
    ):
        raise RegionNotInProcess()


def _check_writable(session: Session, process_id: int) -> None:
    try:
        processes.check_writable_id(session, process_id)
    except processes.ProcessArchived as error:
        raise ProcessArchived() from error


def create_meeting(session: Session, actor: User, data: MeetingData) -> Meeting:
    _check_schedule(data)
    try:
        process_id = processes.resolve_id(session, data.process_id)
    except processes.NoCurrentProcess as error:
        raise MeetingNotFound() from error
    _check_writable(session, process_id)
    _check_region(session, process_id, data.region_id)
    meeting = Meeting(confirmed_count=0, process_id=process_id)
    _apply(meeting, data)
    session.add(meeting)
    session.flush()
    audit.record(session, actor, "meeting.create", "meeting", meeting.id)
    return meeting


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
    _check_writable(session, meeting.process_id)
    if meeting.cancelled_at is not None:
        raise MeetingCancelled()
    _check_region(session, meeting.process_id, data.region_id)
    if data.seats < meeting.confirmed_count:
        raise SeatsBelowConfirmed(meeting.confirmed_count)
    values, named = _apply(meeting, data)
    if "region" in values:
        values["region"] = [
            region.name if region is not None else None
            for region in (session.get(Region, i) for i in values["region"])
        ]
    session.flush()
    promoted = _promote_waiting(session, meeting, now)
    for registration in promoted:
        mail.queue_promotion(session, registration, meeting)
    details: dict = {"changes": values}
    if named:
        details["changed"] = named
    if promoted:
        details["promoted"] = len(promoted)
    audit.record(session, actor, "meeting.update", "meeting", meeting.id, details=details)
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
        raise MeetingCancelled()
    meeting.cancelled_at = now
    session.flush()
    live = _live_registrations(session, meeting.id)
    for registration in live:
        mail.queue_meeting_cancelled(session, registration, meeting, reason=reason.strip())
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


@dataclass(frozen=True)
class RegistrationLists:
    confirmed: list[Registration]
    waiting: list[Registration]
    cancelled: list[Registration]


def open_registration_list(
    session: Session, actor: User, meeting_id: int, *, page: str = "meeting"
) -> RegistrationLists:
    """The registrations of a meeting for a staff member: opening the list (names,
    addresses, needs) is recorded in the audit log."""
    audit.record(
        session, actor, "meeting.registrations", "meeting", meeting_id, details={"page": page}
    )
    # On record before the names are read; committing first also keeps the rows loaded
    # below from being expired (and read again one by one) by a later commit.
    session.commit()
    return registrations_for(session, meeting_id)


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
        raise MeetingCancelled()
    if now >= meeting.starts_at:
        raise MeetingAlreadyHeld()


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


def _record_move(session: Session, actor: User, registration: Registration, **details) -> None:
    audit.record(
        session, actor, "registration.move", "registration", registration.id, details=details
    )


def move_within_meeting(
    session: Session,
    actor: User,
    registration_id: int,
    to: RegistrationStatus | str,
    *,
    notify: bool = True,
    now: datetime | None = None,
) -> Registration:
    """Give a waiting-list registration a seat, if the meeting has one free (``to``
    confirmed), or move a confirmed one to the waiting list (``to`` waiting).

    A registration moved to the waiting list keeps its place in the order of sign-up,
    so it is usually first in line for the next free seat; the seat it frees is not
    handed on automatically (the administrator moves someone up, or the next sign-up
    takes it).
    """
    now = now or utcnow()
    meeting, registration = _lock_movable(session, registration_id, now)
    if to == RegistrationStatus.CONFIRMED and registration.status == RegistrationStatus.WAITING:
        _take_seat(session, meeting, registration, now)
        if notify:
            mail.queue_promotion(session, registration, meeting)
    elif to == RegistrationStatus.WAITING and registration.status == RegistrationStatus.CONFIRMED:
        registration.status = RegistrationStatus.WAITING
        registration.confirmed_at = None
        session.flush()
        _free_seat(session, meeting)
        if notify:
            mail.queue_waitlisted(
                session, registration, meeting, position=waiting_position(session, registration)
            )
    else:
        raise NotMovable()
    _record_move(session, actor, registration, meeting=meeting.id, to=str(to))
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
    if source.process_id != target.process_id:
        raise OtherProcess()
    _check_writable(session, source.process_id)
    registration = _load_registration(session, registration_id)
    session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED or registration.purged_at is not None:
        raise NotMovable()
    _check_movable(target, registration, now)
    if find_live_registration(session, target.id, registration.email or ""):
        raise DuplicateRegistration()

    held_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.meeting_id = target.id
    registration.status = RegistrationStatus.WAITING
    registration.confirmed_at = None
    session.flush()
    promoted = _hand_on_seat(session, source, now) if held_seat else None
    with contextlib.suppress(NoSeatLeft):  # else it stays on the target's waiting list
        _take_seat(session, target, registration, now)
    session.refresh(registration)
    if notify:
        mail.queue_moved(
            session, registration, target, position=waiting_position(session, registration)
        )
    if promoted is not None:
        mail.queue_promotion(session, promoted, source)
    _record_move(
        session,
        actor,
        registration,
        **{"from": source.id},
        meeting=target.id,
        to=registration.status,
    )
    return registration


def cancel_registration(
    session: Session,
    actor: User,
    registration_id: int,
    *,
    notify: bool = True,
    now: datetime | None = None,
) -> CancelOutcome:
    """Cancel on someone's behalf (e.g. they phoned); the public rules apply."""
    registration = _load_registration(session, registration_id)
    outcome = cancel(session, registration.reference, now=now, notify=notify)
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


class NoAudience(MeetingError):
    """Neither those with a seat nor the waiting list was chosen."""


class NoRecipients(MeetingError):
    """No one the message was meant for can get it."""


class MessageEnded(MeetingError):
    """The message has been sent, cancelled or given up; nothing more is queued."""


@dataclass(frozen=True)
class Audience:
    confirmed: int
    waiting: int

    @property
    def total(self) -> int:
        return self.confirmed + self.waiting


def _audience_statuses(to_confirmed: bool, to_waiting: bool) -> list[str]:
    return [
        status
        for status, chosen in (
            (RegistrationStatus.CONFIRMED, to_confirmed),
            (RegistrationStatus.WAITING, to_waiting),
        )
        if chosen
    ]


def _reachable(meeting_id: int, statuses: list[str]):
    """Registrations a message reaches: live (not withdrawn), not purged, with an address."""
    return (
        Registration.meeting_id == meeting_id,
        Registration.status.in_(statuses),
        Registration.purged_at.is_(None),
        Registration.email.is_not(None),
    )


def message_audience(
    session: Session, meeting_id: int, *, to_confirmed: bool, to_waiting: bool
) -> Audience:
    """How many a message to these registrants would reach now (the preview's count)."""
    statuses = _audience_statuses(to_confirmed, to_waiting)
    counts = dict(
        session.execute(
            select(Registration.status, func.count(Registration.id))
            .where(*_reachable(meeting_id, statuses or ["-"]))
            .group_by(Registration.status)
        ).all()
    )
    return Audience(
        counts.get(RegistrationStatus.CONFIRMED, 0), counts.get(RegistrationStatus.WAITING, 0)
    )


def create_message(
    session: Session,
    actor: User,
    meeting_id: int,
    *,
    subject: str,
    body: str,
    to_confirmed: bool,
    to_waiting: bool,
) -> MeetingMessage:
    """A message to a meeting's registrants, to be queued by a job
    (``queue_message_chunk``), and its audit entry. Raises ``MeetingNotFound``,
    ``MeetingCancelled``, ``NoAudience`` or ``NoRecipients``. Flushes."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise MeetingNotFound()
    if meeting.cancelled_at is not None:
        raise MeetingCancelled()
    if not (to_confirmed or to_waiting):
        raise NoAudience()
    audience = message_audience(
        session, meeting_id, to_confirmed=to_confirmed, to_waiting=to_waiting
    )
    if audience.total == 0:
        raise NoRecipients()
    message = MeetingMessage(
        meeting_id=meeting.id,
        subject=" ".join(subject.split())[:200],
        body=normalize_newlines(body).strip(),
        to_confirmed=to_confirmed,
        to_waiting=to_waiting,
        created_by_id=actor.id,
        status="sending",
        sent_count=0,
    )
    session.add(message)
    session.flush()
    audit.record(
        session,
        actor,
        "meeting.message",
        "meeting",
        meeting.id,
        details={
            "message": message.id,
            "recipients": audience.total,
            "confirmed_included": to_confirmed,
            "waiting_included": to_waiting,
        },
    )
    return message


def message_remaining(session: Session, message_id: int) -> int:
    """Registrants the message is still to be queued for."""
    message = session.get(MeetingMessage, message_id)
    return session.scalar(_unsent(message).with_only_columns(func.count(Registration.id))) or 0


def _unsent(message: MeetingMessage):
    statuses = _audience_statuses(message.to_confirmed, message.to_waiting)
    sent = select(MeetingMessageRecipient.registration_id).where(
        MeetingMessageRecipient.message_id == message.id
    )
    return select(Registration).where(
        *_reachable(message.meeting_id, statuses), Registration.id.not_in(sent)
    )


def queue_message_chunk(session: Session, message_id: int, size: int) -> int:
    """Queue the message's e-mail for up to ``size`` more registrants, each in their
    language with their cancel link around the staff's text, and record each as a
    recipient in the same transaction (the caller commits), so a job started again
    never queues a second copy. The message row is locked first, so two attempts
    take turns. Registrants who withdrew or were purged since get nothing. Returns how
    many were queued (0: done). Raises ``MessageEnded``."""
    begin_write(session)
    message = session.execute(
        select(MeetingMessage)
        .where(MeetingMessage.id == message_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if message.finished_at is not None:
        raise MessageEnded()
    meeting = session.get(Meeting, message.meeting_id)
    batch = list(session.execute(_unsent(message).order_by(Registration.id).limit(size)).scalars())
    for registration in batch:
        session.add(MeetingMessageRecipient(message_id=message.id, registration_id=registration.id))
        mail.queue_message(
            session, registration, meeting, subject=message.subject, body=message.body
        )
    message.sent_count += len(batch)
    session.flush()
    return len(batch)


def finish_message(session: Session, message_id: int, status: str) -> bool:
    """End a message once (``sent``, ``cancelled`` or ``failed``). Flushes."""
    begin_write(session)
    ended = session.execute(
        update(MeetingMessage)
        .where(MeetingMessage.id == message_id, MeetingMessage.finished_at.is_(None))
        .values(status=status, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    return ended == 1


def meeting_messages(session: Session, meeting_id: int, limit: int = 20) -> list[MeetingMessage]:
    """The meeting's messages, newest first."""
    return list(
        session.execute(
            select(MeetingMessage)
            .where(MeetingMessage.meeting_id == meeting_id)
            .order_by(MeetingMessage.id.desc())
            .limit(limit)
        ).scalars()
    )


# ---------------------------------------------------------------- regions


def create_region(session: Session, actor: User, name: str) -> Region:
    base = slugify(name, fallback="region")
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


def meeting_overview(session: Session, process_id: int | None = None) -> list[MeetingRow]:
    """Every meeting (of the process) with its confirmed and waiting counts (two queries)."""
    meetings = list_meetings(session, process_ids=None if process_id is None else [process_id])
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


# ---------------------------------------------------------------- reminders


def send_reminders(session: Session, *, hours: int = 24, now: datetime | None = None) -> int:
    """Queue the reminder e-mail for every confirmed participant of a meeting that starts
    within ``hours`` (and is not cancelled), once per registration, in their language
    with their cancel link. Someone who got their seat less than ``hours`` before the
    meeting has just had their confirmation and gets no reminder.

    Each reminder is claimed by a conditional UPDATE (``reminder_sent_at IS NULL``) in
    the transaction that queues the e-mail, so two schedulers cannot both send it.
    Flushes; the caller commits. Returns how many were queued.
    """
    now = now or utcnow()
    window = timedelta(hours=hours)
    begin_write(session)
    candidates = session.execute(
        select(Registration, Meeting)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.reminder_sent_at.is_(None),
            Registration.email.is_not(None),
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at > now,
            Meeting.starts_at <= now + window,
        )
        .order_by(Registration.id)
    ).all()
    queued = 0
    for registration, meeting in candidates:
        confirmed_at = registration.confirmed_at or registration.created_at
        if confirmed_at > meeting.starts_at - window:
            continue
        claimed = session.execute(
            update(Registration)
            .where(Registration.id == registration.id, Registration.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            mail.queue_reminder(session, registration, meeting)
            queued += 1
    session.flush()
    return queued


# ---------------------------------------------------------------- abuse flags


def flag_burst(session: Session, registration_ids: list[int]) -> int:
    """Flag registrations that came in a burst from one client, for the project group to
    review. Only a flag: nothing is cancelled or removed. Flushes; the caller commits."""
    if not registration_ids:
        return 0
    begin_write(session)
    flagged = session.execute(
        update(Registration)
        .where(Registration.id.in_(list(registration_ids)), Registration.flagged_burst.is_(False))
        .values(flagged_burst=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    return flagged


def clear_burst_flag(session: Session, actor: User, registration_id: int) -> Registration:
    """A reviewer looked at a flagged registration and found it genuine. Flushes."""
    begin_write(session)
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise RegistrationNotFound()
    if registration.flagged_burst:
        registration.flagged_burst = False
        audit.record(
            session,
            actor,
            "registration.burst_reviewed",
            "registration",
            registration.id,
            details={"meeting": registration.meeting_id},
        )
    session.flush()
    return registration


def flagged_counts(session: Session) -> dict[int, int]:
    """Flagged live registrations per meeting."""
    return dict(
        session.execute(
            select(Registration.meeting_id, func.count(Registration.id))
            .where(
                Registration.flagged_burst.is_(True),
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .group_by(Registration.meeting_id)
        ).all()
    )
