"""Priorities: which focus areas should come first, in order, answered anonymously.

The only module that writes ``PriorityAnswer``/``PriorityChoice`` rows (the
priorities' ``Publication`` it writes through the assessments service, as the
answers' is written). An answer holds the date (never the time), the writer's
optional region and category, the channel, the meeting for a workshop answer,
and the chosen focus areas in order. Nothing about the writer's connection
is passed in: whether the answer came in a burst from one client is decided at the
door (``routes.py``) and arrives here as ``flagged`` only. Flagged answers are
kept, shown to the project group and left out of every figure.

Everything is per process: an answer belongs to one (a workshop answer to its
meeting's), and may choose only that process's active focus areas and regions;
figures and the publication are the process's. ``process_id`` None: the current
process (``processes.service.current_process``).

Figures: per focus area the number of answers that chose it (``count``), its
``share`` of the answers counted, the number of first choices, and its ``rank``
(most chosen first; ties broken by first choices, then by the mean position).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from participation import audit
from participation.assessments import service as assessments
from participation.common import local_date
from participation.inputs.service import active_focus_areas
from participation.models import (
    FocusArea,
    Meeting,
    PriorityAnswer,
    PriorityChannel,
    PriorityChoice,
    Publication,
    PublicationKind,
    Region,
    RespondentCategory,
    User,
)
from participation.processes import service as processes

DEFAULT_MAX_CHOICES = 3


class PriorityError(Exception):
    """An answer the rules refuse; nothing was stored."""


class NoChoice(PriorityError):
    """No focus area chosen."""


class TooManyChoices(PriorityError):
    """More focus areas than the configured number."""


class SameAreaTwice(PriorityError):
    """One focus area in two places."""


class InvalidChoice(PriorityError):
    """A focus area that is retired, gone or not the process's, a region or meeting
    that is gone or not the process's, or a category or channel that does not exist."""


class ProcessClosed(PriorityError):
    """The process is archived (read-only)."""


@dataclass
class PriorityData:
    focus_area_ids: Sequence[int]  # in order, most important first
    channel: str = PriorityChannel.FORM
    region_id: int | None = None
    category: str | None = None
    meeting_id: int | None = None


def submit(
    session: Session,
    data: PriorityData,
    *,
    max_choices: int = DEFAULT_MAX_CHOICES,
    flagged: bool | Callable[[], bool] = False,
    process_id: int | None = None,
    today: date | None = None,
) -> PriorityAnswer:
    """Store an answer in a process. ``flagged`` may be a function, asked only once
    the answer is accepted (a refused answer does not count towards a burst)."""
    process_id = processes.resolve_id(session, process_id)
    ids = check(session, data, process_id, max_choices=max_choices)
    meeting_id = data.meeting_id if data.channel == PriorityChannel.WORKSHOP else None
    if callable(flagged):
        flagged = flagged()
    answer = PriorityAnswer(
        process_id=process_id,
        channel=data.channel,
        created_on=today or local_date(),
        region_id=data.region_id,
        respondent_category=data.category or None,
        meeting_id=meeting_id,
        flagged=flagged,
        choices=[PriorityChoice(focus_area_id=i, rank=n) for n, i in enumerate(ids, start=1)],
    )
    session.add(answer)
    session.flush()
    return answer


def check(session: Session, data: PriorityData, process_id: int, *, max_choices: int) -> list[int]:
    """Refuse an answer the rules do not allow (``PriorityError``); returns the chosen
    focus-area ids in order. Reads only: the suggestion box checks its priorities
    with this before it stores anything."""
    if processes.get(session, process_id).is_archived:
        raise ProcessClosed()
    ids = [int(i) for i in data.focus_area_ids]
    if not ids:
        raise NoChoice()
    if len(ids) > max_choices:
        raise TooManyChoices()
    if len(set(ids)) != len(ids):
        raise SameAreaTwice()
    offered = {a.id for a in active_focus_areas(session, process_id)}
    if any(i not in offered for i in ids):
        raise InvalidChoice()
    if data.channel not in set(PriorityChannel):
        raise InvalidChoice()
    if data.region_id is not None:
        if session.get(Region, data.region_id) is None:
            raise InvalidChoice()
        if processes.regions(session, process_id) and not processes.has_region(
            session, process_id, data.region_id
        ):
            raise InvalidChoice()
    if data.category and data.category not in set(RespondentCategory):
        raise InvalidChoice()
    if data.channel == PriorityChannel.WORKSHOP:
        meeting = session.get(Meeting, data.meeting_id) if data.meeting_id is not None else None
        if meeting is None or meeting.cancelled_at is not None or meeting.process_id != process_id:
            raise InvalidChoice()
    return ids


# ---------------------------------------------------------------- figures


@dataclass
class AreaResult:
    area: FocusArea
    count: int
    share: float  # 0..1 of the answers counted
    first: int  # times chosen first
    mean_position: float
    rank: int = 0


@dataclass
class Results:
    answers: int  # counted
    flagged: int  # left out
    areas: list[AreaResult]


@dataclass
class Breakdown:
    label_key: str | None  # region name or category value; None: not given
    results: Results


@dataclass
class AllResults:
    overall: Results
    by_region: list[Breakdown] = field(default_factory=list)
    by_category: list[Breakdown] = field(default_factory=list)


def _rank(areas: list[AreaResult]) -> list[AreaResult]:
    areas.sort(key=lambda r: (-r.count, -r.first, r.mean_position, r.area.position))
    previous = None
    for index, row in enumerate(areas, start=1):
        key = (row.count, row.first, row.mean_position)
        row.rank = previous[1] if previous and previous[0] == key else index
        previous = (key, row.rank)
    return areas


def results(
    session: Session, process_id: int, *, meeting_id: int | None = None, where=None
) -> Results:
    """Count, share, first choices and rank per focus area, of the process's answers
    not flagged (all of them, or one meeting's)."""
    answers = select(PriorityAnswer.id).where(PriorityAnswer.process_id == process_id)
    if meeting_id is not None:
        answers = answers.where(PriorityAnswer.meeting_id == meeting_id)
    if where is not None:
        answers = answers.where(where)
    counted = answers.where(PriorityAnswer.flagged.is_(False))
    n = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    flagged = (
        session.scalar(
            select(func.count()).select_from(
                answers.where(PriorityAnswer.flagged.is_(True)).subquery()
            )
        )
        or 0
    )
    rows = session.execute(
        select(
            PriorityChoice.focus_area_id,
            func.count(),
            func.sum(case((PriorityChoice.rank == 1, 1), else_=0)),
            func.avg(PriorityChoice.rank),
        )
        .where(PriorityChoice.answer_id.in_(counted))
        .group_by(PriorityChoice.focus_area_id)
    ).all()
    areas = {
        a.id: a
        for a in session.execute(
            select(FocusArea).where(FocusArea.id.in_([r[0] for r in rows]))
        ).scalars()
    }
    result = [
        AreaResult(
            area=areas[area_id],
            count=count,
            share=(count / n) if n else 0.0,
            first=int(first or 0),
            mean_position=round(float(mean or 0), 2),
        )
        for area_id, count, first, mean in rows
    ]
    return Results(answers=n, flagged=flagged, areas=_rank(result))


def all_results(session: Session, process_id: int) -> AllResults:
    """Overall, by region and by respondent category; each with its own number of
    answers behind it."""
    overall = results(session, process_id)
    by_region = []
    region_rows = session.execute(
        select(PriorityAnswer.region_id, Region.name)
        .outerjoin(Region, Region.id == PriorityAnswer.region_id)
        .where(PriorityAnswer.process_id == process_id, PriorityAnswer.flagged.is_(False))
        .group_by(PriorityAnswer.region_id, Region.name, Region.position)
        .order_by(Region.position, Region.name)
    ).all()
    for region_id, name in region_rows:
        condition = (
            PriorityAnswer.region_id == region_id
            if region_id is not None
            else PriorityAnswer.region_id.is_(None)
        )
        by_region.append(Breakdown(name, results(session, process_id, where=condition)))
    by_category = []
    categories = session.execute(
        select(PriorityAnswer.respondent_category)
        .where(PriorityAnswer.process_id == process_id, PriorityAnswer.flagged.is_(False))
        .group_by(PriorityAnswer.respondent_category)
    ).scalars()
    for category in categories:
        condition = (
            PriorityAnswer.respondent_category == category
            if category is not None
            else PriorityAnswer.respondent_category.is_(None)
        )
        by_category.append(Breakdown(category, results(session, process_id, where=condition)))
    return AllResults(overall, by_region, by_category)


def channel_counts(session: Session, process_id: int) -> dict[str, int]:
    return dict(
        session.execute(
            select(PriorityAnswer.channel, func.count())
            .where(PriorityAnswer.process_id == process_id, PriorityAnswer.flagged.is_(False))
            .group_by(PriorityAnswer.channel)
        ).all()
    )


# ---------------------------------------------------------------- publication


def publication(session: Session, process_id: int) -> Publication | None:
    return assessments.publication(session, PublicationKind.PRIORITIES, process_id)


def publish(
    session: Session,
    actor: User,
    *,
    process_id: int | None = None,
    now: datetime | None = None,
) -> Publication:
    process_id = processes.resolve_id(session, process_id)
    row = assessments.mark_published(session, actor, PublicationKind.PRIORITIES, process_id, now)
    audit.record(session, actor, "priorities.publish", "process", process_id, now=now)
    session.flush()
    return row


def withdraw(session: Session, actor: User, *, process_id: int | None = None) -> None:
    process_id = processes.resolve_id(session, process_id)
    assessments.unpublish(
        session, actor, PublicationKind.PRIORITIES, process_id, "priorities.withdraw"
    )


def by_meeting(session: Session, process_id: int) -> dict[int, int]:
    rows = session.execute(
        select(PriorityAnswer.meeting_id, func.count())
        .where(
            PriorityAnswer.process_id == process_id,
            PriorityAnswer.meeting_id.is_not(None),
            PriorityAnswer.flagged.is_(False),
        )
        .group_by(PriorityAnswer.meeting_id)
    ).all()
    return {m: n for m, n in rows}
