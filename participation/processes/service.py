"""Processes: the one writer of ``process`` and ``process_phase`` rows, and the
rules for which process a page, a staff member or a new row belongs to.

Plain functions taking a session; they flush, raise a ``ProcessError`` and change
nothing when the rules refuse, and record the audit entry; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Column, and_, delete, exists, func, insert, select
from sqlalchemy.orm import Session, selectinload

from participation import audit
from participation.common import local_date
from participation.models import (
    DraftStrategy,
    FocusArea,
    Input,
    Meeting,
    Process,
    ProcessPhase,
    ProcessStatus,
    Region,
    User,
    process_focus_area,
    process_region,
    user_process,
    utcnow,
)
from participation.models.processes import TEXT_LANGUAGES

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ProcessError(Exception):
    """A change the rules refuse; nothing was changed."""


class ProcessNotFound(ProcessError):
    pass


class NoCurrentProcess(ProcessError):
    """No process is active, so a page or command has no process to belong to."""


class SlugTaken(ProcessError):
    pass


class InvalidSlug(ProcessError):
    pass


class TitleMissing(ProcessError):
    """A title in Bokmål is required (the fallback for every language)."""


class PhaseEndsBeforeStart(ProcessError):
    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


class PhasesOverlap(ProcessError):
    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


class PhaseNameMissing(ProcessError):
    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


class ConsultationStillOpen(ProcessError):
    """A process cannot be archived while one of its consultations is open."""


class ProcessArchived(ProcessError):
    """An archived process is read-only."""


class WrongStatus(ProcessError):
    """The change does not apply to a process in this status."""


class AccessDenied(ProcessError):
    """The account is limited to other processes."""


class NotInProcess(ProcessError):
    """A region or focus area that is not in the process's set."""


class BoxClosesBeforeOpening(ProcessError):
    """The suggestion box's close time is not after its open time."""


class UnknownChoice(ProcessError):
    """A focus area or region that does not exist (the form's choices changed)."""


class RegionInUse(ProcessError):
    """A region the process's meetings are held in cannot leave its set."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


# ---------------------------------------------------------------- reading


def get_by_slug(session: Session, slug: str) -> Process | None:
    return session.execute(
        select(Process).where(Process.slug == slug).options(selectinload(Process.phases))
    ).scalar_one_or_none()


def public_by_slug(session: Session, slug: str) -> Process | None:
    """The process a public address ``/prosess/<slug>/…`` names; None for an unknown
    slug or a process still being prepared (its pages are not found)."""
    if len(slug) > 80 or "\x00" in slug:
        return None
    found = get_by_slug(session, slug)
    return None if found is None or found.status == ProcessStatus.DRAFT else found


def get(session: Session, process_id: int) -> Process:
    process = session.get(Process, process_id)
    if process is None:
        raise ProcessNotFound()
    return process


def list_processes(session: Session) -> list[Process]:
    order = {ProcessStatus.ACTIVE: 0, ProcessStatus.DRAFT: 1, ProcessStatus.ARCHIVED: 2}
    processes = list(
        session.execute(
            select(Process).options(selectinload(Process.phases)).order_by(Process.id.desc())
        ).scalars()
    )
    return sorted(processes, key=lambda p: order.get(p.status, 3))


@dataclass
class ProcessRow:
    """A line of the back office's list of processes."""

    process: Process
    meetings: int
    drafts: int
    inputs: int
    focus_areas: int
    regions: int


def overview(session: Session) -> list[ProcessRow]:
    """Every process (active, being prepared, archived) with what it holds."""

    def count(column) -> dict[int, int]:
        return dict(session.execute(select(column, func.count()).group_by(column)).all())

    meetings = count(Meeting.process_id)
    drafts = count(DraftStrategy.process_id)
    inputs = count(Input.process_id)
    areas = count(process_focus_area.c.process_id)
    chosen_regions = count(process_region.c.process_id)
    return [
        ProcessRow(
            process=p,
            meetings=meetings.get(p.id, 0),
            drafts=drafts.get(p.id, 0),
            inputs=inputs.get(p.id, 0),
            focus_areas=areas.get(p.id, 0),
            regions=chosen_regions.get(p.id, 0),
        )
        for p in list_processes(session)
    ]


def active_processes(session: Session) -> list[Process]:
    """Active processes, the most recently activated first."""
    return list(
        session.execute(
            select(Process)
            .where(Process.status == ProcessStatus.ACTIVE)
            .options(selectinload(Process.phases))
            .order_by(Process.activated_at.desc(), Process.id.desc())
        ).scalars()
    )


def earlier_processes(session: Session) -> list[Process]:
    return list(
        session.execute(
            select(Process)
            .where(Process.status == ProcessStatus.ARCHIVED)
            .order_by(Process.archived_at.desc(), Process.id.desc())
        ).scalars()
    )


def current_process(session: Session) -> Process | None:
    """The process the addresses without a process in them (``/innspill/``, the
    CLI's defaults) belong to: the most recently activated active process."""
    found = active_processes(session)
    return found[0] if found else None


def current_process_id(session: Session) -> int:
    process = current_process(session)
    if process is None:
        raise NoCurrentProcess()
    return process.id


def inbox_process_id(session: Session) -> int:
    """Where input about the site itself (accessibility feedback) goes: the current
    process, else the newest process of any status."""
    current = current_process(session)
    if current is not None:
        return current.id
    newest = session.execute(select(Process.id).order_by(Process.id.desc()).limit(1)).scalar()
    if newest is None:
        raise NoCurrentProcess()
    return newest


def resolve_id(session: Session, process_id: int | None) -> int:
    """``process_id``, or the current process's when None."""
    return process_id if process_id is not None else current_process_id(session)


# ---------------------------------------------------------------- access


def limited_to(session: Session, user: User) -> set[int] | None:
    """The processes an account is limited to, or None when it sees every process."""
    if user.is_admin:
        return None
    ids = set(
        session.execute(
            select(user_process.c.process_id).where(user_process.c.user_id == user.id)
        ).scalars()
    )
    return ids or None


def visible_processes(session: Session, user: User) -> list[Process]:
    allowed = limited_to(session, user)
    return [p for p in list_processes(session) if allowed is None or p.id in allowed]


def can_access(session: Session, user: User, process_id: int) -> bool:
    allowed = limited_to(session, user)
    return allowed is None or process_id in allowed


def check_access(session: Session, user: User, process_id: int) -> None:
    if not can_access(session, user, process_id):
        raise AccessDenied()


def staff_process(session: Session, user: User) -> Process | None:
    """The process the back office shows ``user``: the one chosen in the switcher,
    else the current process, else the newest the account may see."""
    if user.current_process_id is not None and can_access(session, user, user.current_process_id):
        chosen = session.get(Process, user.current_process_id)
        if chosen is not None:
            return chosen
    current = current_process(session)
    if current is not None and can_access(session, user, current.id):
        return current
    visible = visible_processes(session, user)
    return visible[0] if visible else None


def switch_process(session: Session, user: User, process_id: int) -> Process:
    process = get(session, process_id)
    check_access(session, user, process.id)
    user.current_process_id = process.id
    session.flush()
    return process


def set_user_processes(
    session: Session, actor: User, user: User, process_ids: Iterable[int]
) -> None:
    """Limit ``user`` to these processes (none: every process)."""
    wanted = set(process_ids)
    known = set(session.execute(select(Process.id).where(Process.id.in_(wanted))).scalars())
    if known != wanted:
        raise ProcessNotFound()
    session.execute(delete(user_process).where(user_process.c.user_id == user.id))
    if wanted:
        session.execute(
            insert(user_process), [{"user_id": user.id, "process_id": p} for p in sorted(wanted)]
        )
    audit.record(
        session, actor, "user.processes", "user", user.id, details={"processes": sorted(wanted)}
    )
    session.flush()


def check_writable(process: Process) -> None:
    if process.status == ProcessStatus.ARCHIVED:
        raise ProcessArchived()


def check_writable_id(session: Session, process_id: int) -> None:
    check_writable(get(session, process_id))


# ---------------------------------------------------------------- the process's sets


def focus_areas(session: Session, process_id: int, *, active_only: bool = True) -> list[FocusArea]:
    query = (
        select(FocusArea)
        .join(process_focus_area, process_focus_area.c.focus_area_id == FocusArea.id)
        .where(process_focus_area.c.process_id == process_id)
        .order_by(FocusArea.position, FocusArea.key)
    )
    if active_only:
        query = query.where(FocusArea.active)
    return list(session.execute(query).scalars())


def regions(session: Session, process_id: int) -> list[Region]:
    return list(
        session.execute(
            select(Region)
            .join(process_region, process_region.c.region_id == Region.id)
            .where(process_region.c.process_id == process_id)
            .order_by(Region.position, Region.name)
        ).scalars()
    )


def has_region(session: Session, process_id: int, region_id: int) -> bool:
    return _has_chosen(session, process_region.c.region_id, process_id, region_id)


def has_focus_area(session: Session, process_id: int, focus_area_id: int) -> bool:
    return _has_chosen(session, process_focus_area.c.focus_area_id, process_id, focus_area_id)


def _has_chosen(session: Session, chosen: Column, process_id: int, row_id: int) -> bool:
    """Whether the process has chosen this row: ``chosen`` is its column in the link table."""
    link = chosen.table
    return bool(
        session.execute(
            select(exists().where(and_(link.c.process_id == process_id, chosen == row_id)))
        ).scalar()
    )


def add_regions(session: Session, process_id: int, region_ids: Iterable[int]) -> None:
    have = {r.id for r in regions(session, process_id)}
    new = [r for r in dict.fromkeys(region_ids) if r not in have]
    if new:
        session.execute(
            insert(process_region), [{"process_id": process_id, "region_id": r} for r in new]
        )
    session.flush()


def add_focus_areas(session: Session, process_id: int, area_ids: Iterable[int]) -> None:
    have = {a.id for a in focus_areas(session, process_id, active_only=False)}
    new = [a for a in dict.fromkeys(area_ids) if a not in have]
    if new:
        session.execute(
            insert(process_focus_area),
            [{"process_id": process_id, "focus_area_id": a} for a in new],
        )
    session.flush()


def set_focus_areas(session: Session, process_id: int, area_ids: Iterable[int]) -> None:
    session.execute(delete(process_focus_area).where(process_focus_area.c.process_id == process_id))
    session.flush()
    add_focus_areas(session, process_id, area_ids)


def set_regions(session: Session, process_id: int, region_ids: Iterable[int]) -> None:
    session.execute(delete(process_region).where(process_region.c.process_id == process_id))
    session.flush()
    add_regions(session, process_id, region_ids)


def copy_setup(session: Session, actor: User | None, source_id: int, target_id: int) -> None:
    """Give ``target`` the focus areas and regions of ``source`` (added to its own)."""
    source = get(session, source_id)
    target = get(session, target_id)
    check_writable(target)
    add_focus_areas(
        session, target.id, [a.id for a in focus_areas(session, source.id, active_only=False)]
    )
    add_regions(session, target.id, [r.id for r in regions(session, source.id)])
    audit.record(session, actor, "process.copy", "process", target.id, details={"from": source.id})


# ---------------------------------------------------------------- writing


@dataclass
class PhaseData:
    names: dict[str, str]
    starts_on: date
    ends_on: date
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass
class ProcessData:
    slug: str
    titles: dict[str, str]
    summaries: dict[str, str] = field(default_factory=dict)
    introductions: dict[str, str] = field(default_factory=dict)
    questions: dict[str, str] = field(default_factory=dict)
    organisation: str = ""
    contact_email: str = ""
    suggestions_open_at: datetime | None = None
    suggestions_close_at: datetime | None = None
    phases: list[PhaseData] = field(default_factory=list)
    # The process's sets (None: leave them as they are); ``copy_from`` adds the focus
    # areas and regions of that process to them.
    focus_area_ids: list[int] | None = None
    region_ids: list[int] | None = None
    copy_from: int | None = None


def check_phases(phases: list[PhaseData]) -> None:
    """Each phase ends on or after its start and no two phases share a day."""
    for position, phase in enumerate(phases, start=1):
        if not (phase.names.get("nb") or "").strip():
            raise PhaseNameMissing(position)
        if phase.ends_on < phase.starts_on:
            raise PhaseEndsBeforeStart(position)
    ordered = sorted(enumerate(phases, start=1), key=lambda item: item[1].starts_on)
    for (_, before), (position, after) in zip(ordered, ordered[1:], strict=False):
        if after.starts_on <= before.ends_on:
            raise PhasesOverlap(position)


def _check(session: Session, data: ProcessData, process_id: int | None) -> str:
    slug = data.slug.strip().lower()
    if not SLUG_PATTERN.match(slug) or len(slug) > 80:
        raise InvalidSlug()
    taken = session.execute(select(Process.id).where(Process.slug == slug)).scalar()
    if taken is not None and taken != process_id:
        raise SlugTaken()
    if not (data.titles.get("nb") or "").strip():
        raise TitleMissing()
    check_phases(data.phases)
    opens, closes = data.suggestions_open_at, data.suggestions_close_at
    if opens is not None and closes is not None and closes <= opens:
        raise BoxClosesBeforeOpening()
    _check_choices(session, FocusArea, data.focus_area_ids)
    _check_choices(session, Region, data.region_ids)
    if data.copy_from is not None:
        get(session, data.copy_from)
    if process_id is not None and data.region_ids:
        _check_regions_in_use(session, process_id, set(data.region_ids))
    return slug


def _check_choices(session: Session, model, ids: list[int] | None) -> None:
    if not ids:
        return
    known = set(session.execute(select(model.id).where(model.id.in_(set(ids)))).scalars())
    if known != set(ids):
        raise UnknownChoice()


def _check_regions_in_use(session: Session, process_id: int, kept: set[int]) -> None:
    """A region with meetings of the process stays in its set."""
    used = session.execute(
        select(Region.name)
        .join(Meeting, Meeting.region_id == Region.id)
        .where(Meeting.process_id == process_id, Region.id.not_in(kept))
        .order_by(Region.position, Region.name)
        .limit(1)
    ).scalar()
    if used is not None:
        raise RegionInUse(used)


def _set_choices(
    session: Session, actor: User | None, process: Process, data: ProcessData
) -> list[str]:
    """The process's focus areas and regions as ``data`` says; what changed."""
    changed = []
    if data.focus_area_ids is not None:
        before = {a.id for a in focus_areas(session, process.id, active_only=False)}
        if before != set(data.focus_area_ids):
            set_focus_areas(session, process.id, data.focus_area_ids)
            changed.append("focus_areas")
    if data.region_ids is not None:
        before = {r.id for r in regions(session, process.id)}
        if before != set(data.region_ids):
            set_regions(session, process.id, data.region_ids)
            changed.append("regions")
    if data.copy_from is not None:
        copy_setup(session, actor, data.copy_from, process.id)
    return changed


# What an audit entry names when it changed (the texts in any language).
_TEXT_FIELDS = ("title", "summary", "introduction", "question")
_PLAIN_FIELDS = ("organisation", "contact_email", "suggestions_open_at", "suggestions_close_at")


def _snapshot(process: Process) -> dict:
    shot = {"slug": process.slug}
    for name in _TEXT_FIELDS:
        shot[name] = tuple(getattr(process, f"{name}_{lang}") for lang in TEXT_LANGUAGES)
    for name in _PLAIN_FIELDS:
        shot[name] = getattr(process, name)
    shot["phases"] = [
        (
            p.starts_on,
            p.ends_on,
            *(getattr(p, f"name_{lang}") for lang in TEXT_LANGUAGES),
            *(getattr(p, f"description_{lang}") for lang in TEXT_LANGUAGES),
        )
        for p in process.phases
    ]
    return shot


def _apply(process: Process, data: ProcessData, slug: str) -> None:
    process.slug = slug
    for language in TEXT_LANGUAGES:
        process.__setattr__(f"title_{language}", (data.titles.get(language) or "").strip())
        process.__setattr__(f"summary_{language}", (data.summaries.get(language) or "").strip())
        process.__setattr__(
            f"introduction_{language}", (data.introductions.get(language) or "").strip()
        )
        process.__setattr__(f"question_{language}", (data.questions.get(language) or "").strip())
    process.organisation = data.organisation.strip()
    process.contact_email = data.contact_email.strip()
    process.suggestions_open_at = data.suggestions_open_at
    process.suggestions_close_at = data.suggestions_close_at


def _phases(data: ProcessData) -> list[ProcessPhase]:
    ordered = sorted(data.phases, key=lambda phase: phase.starts_on)
    return [
        ProcessPhase(
            position=position,
            starts_on=phase.starts_on,
            ends_on=phase.ends_on,
            **{f"name_{lang}": (phase.names.get(lang) or "").strip() for lang in TEXT_LANGUAGES},
            **{
                f"description_{lang}": (phase.descriptions.get(lang) or "").strip()
                for lang in TEXT_LANGUAGES
            },
        )
        for position, phase in enumerate(ordered)
    ]


def create_process(session: Session, actor: User | None, data: ProcessData) -> Process:
    slug = _check(session, data, None)
    process = Process(status=ProcessStatus.DRAFT, title_nb="")
    _apply(process, data, slug)
    process.phases = _phases(data)
    session.add(process)
    session.flush()
    audit.record(session, actor, "process.create", "process", process.id, details={"slug": slug})
    _set_choices(session, actor, process, data)
    return process


def update_process(
    session: Session, actor: User | None, process_id: int, data: ProcessData
) -> Process:
    process = get(session, process_id)
    check_writable(process)
    slug = _check(session, data, process.id)
    before = _snapshot(process)
    _apply(process, data, slug)
    process.phases = _phases(data)
    session.flush()
    after = _snapshot(process)
    changed = [name for name in before if before[name] != after[name]]
    changed += _set_choices(session, None, process, replace(data, copy_from=None))
    audit.record(
        session,
        actor,
        "process.update",
        "process",
        process.id,
        details={"slug": slug, "changed": changed},
    )
    if data.copy_from is not None:
        copy_setup(session, actor, data.copy_from, process.id)
    return process


def activate(session: Session, actor: User | None, process_id: int) -> Process:
    process = get(session, process_id)
    if process.status != ProcessStatus.DRAFT:
        raise WrongStatus()
    process.status = ProcessStatus.ACTIVE
    process.activated_at = utcnow()
    session.flush()
    audit.record(session, actor, "process.activate", "process", process.id, details={})
    return process


def archive(
    session: Session, actor: User | None, process_id: int, now: datetime | None = None
) -> Process:
    process = get(session, process_id)
    if process.status == ProcessStatus.ARCHIVED:
        raise WrongStatus()
    now = now or utcnow()
    drafts = session.execute(
        select(DraftStrategy).where(DraftStrategy.process_id == process.id)
    ).scalars()
    if any(draft.is_open(now) for draft in drafts):
        raise ConsultationStillOpen()
    process.status = ProcessStatus.ARCHIVED
    process.archived_at = now
    session.flush()
    audit.record(session, actor, "process.archive", "process", process.id, details={})
    return process


# ---------------------------------------------------------------- the public view


@dataclass
class Participation:
    """What a process offers the public at a moment: its phase and open ways to take part."""

    process: Process
    phase: ProcessPhase | None
    meetings: list[Meeting]  # upcoming, not cancelled, in date order
    open_meetings: int  # of those, how many still take sign-ups
    box_open: bool
    drafts: list[DraftStrategy]  # not yet open or open, the soonest first
    open_drafts: list[DraftStrategy]

    @property
    def anything_open(self) -> bool:
        return bool(self.open_meetings or self.box_open or self.open_drafts)


def participation(
    session: Session, process: Process, now: datetime | None = None, today: date | None = None
) -> Participation:
    now = now or utcnow()
    today = today or local_date(now)
    meetings = list(
        session.execute(
            select(Meeting)
            .where(
                Meeting.process_id == process.id,
                Meeting.cancelled_at.is_(None),
                Meeting.starts_at > now,
            )
            .options(selectinload(Meeting.region))
            .order_by(Meeting.starts_at)
        ).scalars()
    )
    drafts = list(
        session.execute(
            select(DraftStrategy)
            .where(DraftStrategy.process_id == process.id, DraftStrategy.closes_at > now)
            .order_by(DraftStrategy.opens_at)
        ).scalars()
    )
    active = process.status == ProcessStatus.ACTIVE
    return Participation(
        process=process,
        phase=process.current_phase(today),
        meetings=meetings,
        open_meetings=sum(1 for m in meetings if now < m.registration_deadline) if active else 0,
        box_open=process.suggestions_open(now),
        drafts=drafts,
        open_drafts=[d for d in drafts if d.is_open(now)] if active else [],
    )


def suggestion_box_process(session: Session, now: datetime | None = None) -> Process | None:
    """The process ``/innspill/`` belongs to: the latest active one whose box is open,
    else the current process."""
    now = now or utcnow()
    active = active_processes(session)
    for process in active:
        if process.suggestions_open(now):
            return process
    return active[0] if active else None


# ---------------------------------------------------------------- whose is a row


def _owner_queries() -> dict:
    from participation.models import (
        AnalysisRun,
        Attachment,
        ConsultationResponse,
        DraftSection,
        Input,
        Registration,
    )

    draft_of_response = select(DraftStrategy.process_id).join(
        ConsultationResponse, ConsultationResponse.draft_id == DraftStrategy.id
    )
    return {
        "input_id": lambda i: select(Input.process_id).where(Input.id == i),
        "meeting_id": lambda i: select(Meeting.process_id).where(Meeting.id == i),
        "registration_id": lambda i: (
            select(Meeting.process_id)
            .join(Registration, Registration.meeting_id == Meeting.id)
            .where(Registration.id == i)
        ),
        "draft_id": lambda i: select(DraftStrategy.process_id).where(DraftStrategy.id == i),
        "section_id": lambda i: (
            select(DraftStrategy.process_id)
            .join(DraftSection, DraftSection.draft_id == DraftStrategy.id)
            .where(DraftSection.id == i)
        ),
        "response_id": lambda i: draft_of_response.where(ConsultationResponse.id == i),
        "attachment_id": lambda i: draft_of_response.join(
            Attachment, Attachment.response_id == ConsultationResponse.id
        ).where(Attachment.id == i),
        "run_id": lambda i: select(AnalysisRun.process_id).where(AnalysisRun.id == i),
    }


def owners(session: Session, view_args: dict) -> set[int]:
    """The processes the rows named in a URL's arguments belong to (``input_id``,
    ``meeting_id``, ``draft_id``, an analysis job's run …); unknown rows name none."""
    from participation.models import Job

    queries = _owner_queries()
    found = set()
    for key, value in view_args.items():
        if not isinstance(value, int):
            continue
        if key == "job_id":
            job = session.get(Job, value)
            params = (job.params or {}) if job is not None else {}
            if isinstance(params.get("process_id"), int):
                found.add(params["process_id"])  # a report's job
            run_id = params.get("run_id")
            if not isinstance(run_id, int):
                continue
            key, value = "run_id", run_id
        make = queries.get(key)
        owner = session.execute(make(value)).scalar() if make is not None else None
        if owner is not None:
            found.add(owner)
    return found
