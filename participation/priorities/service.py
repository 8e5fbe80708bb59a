"""Priorities: which focus areas should come first, in order, answered anonymously.

The only module that writes ``PriorityAnswer``/``PriorityChoice`` rows and the
priorities' ``Publication``. An answer holds the date (never the time), the
writer's optional region and category, the channel, the meeting for a workshop
answer, and the chosen focus areas in order. Nothing about the writer's connection
is passed in: whether the answer came in a burst from one client is decided at the
door (``routes.py``) and arrives here as ``flagged`` only. Flagged answers are
kept, shown to the project group and left out of every figure.

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
from participation.common import local_date
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
    utcnow,
)

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
    """A focus area that is retired or gone, a region or meeting that is gone, or a
    category or channel that does not exist."""


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
    today: date | None = None,
) -> PriorityAnswer:
    """Store an answer. ``flagged`` may be a function, asked only once the answer is
    accepted (a refused answer does not count towards a burst)."""
    ids = [int(i) for i in data.focus_area_ids]
    if not ids:
        raise NoChoice()
    if len(ids) > max_choices:
        raise TooManyChoices()
    if len(set(ids)) != len(ids):
        raise SameAreaTwice()
    areas = {
        a.id: a for a in session.execute(select(FocusArea).where(FocusArea.id.in_(ids))).scalars()
    }
    if any(i not in areas or not areas[i].active for i in ids):
        raise InvalidChoice()
    if data.channel not in set(PriorityChannel):
        raise InvalidChoice()
    if data.region_id is not None and session.get(Region, data.region_id) is None:
        raise InvalidChoice()
    if data.category and data.category not in set(RespondentCategory):
        raise InvalidChoice()
    meeting_id = data.meeting_id
    if data.channel == PriorityChannel.WORKSHOP:
        meeting = session.get(Meeting, meeting_id) if meeting_id is not None else None
        if meeting is None or meeting.cancelled_at is not None:
            raise InvalidChoice()
    else:
        meeting_id = None
    if callable(flagged):
        flagged = flagged()
    answer = PriorityAnswer(
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


def results(session: Session, *, meeting_id: int | None = None, where=None) -> Results:
    """Count, share, first choices and rank per focus area, of the answers not
    flagged (all answers, or one meeting's)."""
    answers = select(PriorityAnswer.id)
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


def all_results(session: Session) -> AllResults:
    """Overall, by region and by respondent category; each with its own number of
    answers behind it."""
    overall = results(session)
    by_region = []
    region_rows = session.execute(
        select(PriorityAnswer.region_id, Region.name)
        .outerjoin(Region, Region.id == PriorityAnswer.region_id)
        .where(PriorityAnswer.flagged.is_(False))
        .group_by(PriorityAnswer.region_id, Region.name, Region.position)
        .order_by(Region.position, Region.name)
    ).all()
    for region_id, name in region_rows:
        condition = (
            PriorityAnswer.region_id == region_id
            if region_id is not None
            else PriorityAnswer.region_id.is_(None)
        )
        by_region.append(Breakdown(name, results(session, where=condition)))
    by_category = []
    categories = session.execute(
        select(PriorityAnswer.respondent_category)
        .where(PriorityAnswer.flagged.is_(False))
        .group_by(PriorityAnswer.respondent_category)
    ).scalars()
    for category in categories:
        condition = (
            PriorityAnswer.respondent_category == category
            if category is not None
            else PriorityAnswer.respondent_category.is_(None)
        )
        by_category.append(Breakdown(category, results(session, where=condition)))
    return AllResults(overall, by_region, by_category)


def channel_counts(session: Session) -> dict[str, int]:
    return dict(
        session.execute(
            select(PriorityAnswer.channel, func.count())
            .where(PriorityAnswer.flagged.is_(False))
            .group_by(PriorityAnswer.channel)
        ).all()
    )


# ---------------------------------------------------------------- publication


def publication(session: Session) -> Publication | None:
    return session.execute(
        select(Publication).where(Publication.kind == PublicationKind.PRIORITIES)
    ).scalar_one_or_none()


def publish(session: Session, actor: User, *, now: datetime | None = None) -> Publication:
    row = publication(session)
    if row is None:
        row = Publication(kind=PublicationKind.PRIORITIES)
        session.add(row)
    row.published_at = now or utcnow()
    row.published_by_id = actor.id
    audit.record(session, actor, "priorities.publish", now=now)
    session.flush()
    return row


def withdraw(session: Session, actor: User) -> None:
    row = publication(session)
    if row is not None:
        session.delete(row)
        audit.record(session, actor, "priorities.withdraw")
        session.flush()


def by_meeting(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(PriorityAnswer.meeting_id, func.count())
        .where(PriorityAnswer.meeting_id.is_not(None), PriorityAnswer.flagged.is_(False))
        .group_by(PriorityAnswer.meeting_id)
    ).all()
    return {m: n for m, n in rows}
