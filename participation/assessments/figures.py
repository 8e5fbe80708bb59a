"""Read-only figures about the input and its assessment, for the public answers page,
the receipt look-up and the høringsnotat. Nothing here writes; no Flask.

Every function works in one process (``process_id``) and every query of inputs
goes through ``service.scoped``: nothing of another process is counted or shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from participation.assessments.service import scoped
from participation.consultation.service import find_by_reference
from participation.inputs.service import find_by_receipt
from participation.models import (
    Assessment,
    AssessmentState,
    ConsultationResponse,
    FocusArea,
    Input,
    InputChannel,
    InputStatus,
    Meeting,
    Publication,
    PublicationKind,
    Region,
    Registration,
    RegistrationStatus,
    input_focus_area,
    utcnow,
)
from participation.models.backoffice import ConfirmedFocusArea

EXTRACT_LENGTH = 300


def extract(text: str, length: int = EXTRACT_LENGTH) -> str:
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


# ---------------------------------------------------------------- participation


@dataclass
class MeetingFigure:
    meeting: Meeting
    confirmed: int
    attended: int | None  # None: attendance not marked


@dataclass
class Participation:
    total: int
    by_channel: dict[str, int]
    by_region: list[tuple[str | None, int]]  # region name (None: not given), count
    by_category: dict[str | None, int]
    meetings: list[MeetingFigure]


def _count_by(session: Session, column, inputs) -> dict:
    """How many of ``inputs`` (a subquery of input ids) have each value of ``column``."""
    return dict(
        session.execute(
            select(column, func.count())
            .where(Input.id.in_(select(inputs.c.id)))
            .group_by(column)
        ).all()
    )


def participation(
    session: Session, process_id: int, *, now: datetime | None = None
) -> Participation:
    now = now or utcnow()
    inputs = scoped(select(Input.id), process_id).subquery()
    by_channel = _count_by(session, Input.channel, inputs)
    regions = session.execute(
        select(Region.name, func.count(Input.id))
        .select_from(Input)
        .outerjoin(Region, Region.id == Input.region_id)
        .where(Input.id.in_(select(inputs.c.id)))
        .group_by(Region.name, Region.position)
        .order_by(Region.position, Region.name)
    ).all()
    by_category = _count_by(session, Input.respondent_category, inputs)
    held = list(
        session.execute(
            select(Meeting)
            .where(
                Meeting.process_id == process_id,
                Meeting.starts_at <= now,
                Meeting.cancelled_at.is_(None),
            )
            .order_by(Meeting.starts_at)
        ).scalars()
    )
    counts: dict[int, tuple[int, int, int]] = {}
    if held:
        rows = session.execute(
            select(
                Registration.meeting_id,
                func.count(),
                func.count(Registration.attended),
                func.sum(case((Registration.attended.is_(True), 1), else_=0)),
            )
            .where(
                Registration.meeting_id.in_([m.id for m in held]),
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .group_by(Registration.meeting_id)
        ).all()
        counts = {m: (n, marked, int(present or 0)) for m, n, marked, present in rows}
    meetings = []
    for meeting in held:
        confirmed, marked, present = counts.get(meeting.id, (0, 0, 0))
        meetings.append(MeetingFigure(meeting, confirmed, present if marked else None))
    return Participation(
        total=sum(by_channel.values()),
        by_channel=by_channel,
        by_region=[(name, n) for name, n in regions],
        by_category=by_category,
        meetings=meetings,
    )


# ---------------------------------------------------------------- focus areas and outcomes


@dataclass
class AreaFigure:
    area: FocusArea | None  # None: no focus area
    inputs: int
    outcomes: dict[str, int]  # approved assessments by outcome
    quotes: list[str] = field(default_factory=list)


def _areas_of():
    return (
        select(input_focus_area.c.input_id.label("input_id"), input_focus_area.c.focus_area_id)
        .union(select(ConfirmedFocusArea.input_id, ConfirmedFocusArea.focus_area_id))
        .subquery()
    )


def by_focus_area(
    session: Session,
    process_id: int,
    *,
    quotes: int = 0,
    approved_only: bool = True,
    published_quotes: bool = True,
) -> list[AreaFigure]:
    """Per focus area (chosen by the writer or confirmed by a reviewer): inputs, the
    outcomes of approved assessments, and a few quotes (published inputs only)."""
    area_of = _areas_of()
    inputs = scoped(select(Input.id), process_id).subquery()
    counts = dict(
        session.execute(
            select(area_of.c.focus_area_id, func.count(func.distinct(area_of.c.input_id)))
            .where(area_of.c.input_id.in_(select(inputs.c.id)))
            .group_by(area_of.c.focus_area_id)
        ).all()
    )
    states = [AssessmentState.APPROVED] if approved_only else list(AssessmentState)
    outcome_rows = session.execute(
        select(
            area_of.c.focus_area_id,
            Assessment.outcome,
            func.count(func.distinct(Assessment.input_id)),
        )
        .join(Assessment, Assessment.input_id == area_of.c.input_id)
        .where(area_of.c.input_id.in_(select(inputs.c.id)), Assessment.state.in_(states))
        .group_by(area_of.c.focus_area_id, Assessment.outcome)
    ).all()
    outcomes: dict[int, dict[str, int]] = defaultdict(dict)
    for area_id, outcome, n in outcome_rows:
        outcomes[area_id][outcome] = n
    areas = list(
        session.execute(
            select(FocusArea).where(FocusArea.id.in_(list(counts))).order_by(FocusArea.position)
        ).scalars()
    )
    result = [AreaFigure(a, counts[a.id], outcomes.get(a.id, {})) for a in areas]
    result.sort(key=lambda f: -f.inputs)
    if quotes:
        for figure in result:
            query = (
                scoped(select(Input.redacted_text), process_id)
                .where(
                    Input.id.in_(
                        select(area_of.c.input_id).where(area_of.c.focus_area_id == figure.area.id)
                    )
                )
                .where(Input.duplicate_of_id.is_(None))
            )
            if published_quotes:
                query = query.where(Input.status == InputStatus.PUBLISHED)
            texts = session.execute(
                query.order_by(Input.text_length.desc(), Input.id).limit(quotes)
            ).scalars()
            figure.quotes = [extract(t, 240) for t in texts]
    return result


def outcome_totals(session: Session, process_id: int) -> dict[str, int]:
    return dict(
        session.execute(
            scoped(
                select(Assessment.outcome, func.count())
                .join(Input, Input.id == Assessment.input_id)
                .where(Assessment.state == AssessmentState.APPROVED)
                .group_by(Assessment.outcome),
                process_id,
            )
        ).all()
    )


# ---------------------------------------------------------------- answered inputs


@dataclass
class AnsweredInput:
    input: Input
    assessment: Assessment
    sender: (
        str | None
    )  # organisation or name for a published consultation response; None: anonymous
    reference: str  # the consultation reference, or "#id"


def sender_of(item: Input) -> str | None:
    """Who may be named publicly: the organisation, else the name, of a consultation
    response published with its writer's consent; nobody else."""
    response = item.consultation_response
    if response is None or not response.may_publish or not response.is_published:
        return None
    return response.organisation or response.name or None


def public_text(item: Input) -> str:
    response = item.consultation_response
    if response is not None and response.published_text:
        return response.published_text
    return item.redacted_text


def _answered_query(process_id: int):
    return scoped(
        select(Input)
        .join(Assessment, Assessment.input_id == Input.id)
        .where(Assessment.state == AssessmentState.APPROVED, Input.status == InputStatus.PUBLISHED),
        process_id,
    )


def answered_count(session: Session, process_id: int) -> int:
    query = _answered_query(process_id).subquery()
    return session.scalar(select(func.count()).select_from(query)) or 0


def answered_inputs(
    session: Session, process_id: int, *, page: int = 1, per_page: int = 50
) -> list[AnsweredInput]:
    """The process's published inputs with an approved assessment, oldest first; one page."""
    items = list(
        session.execute(
            _answered_query(process_id)
            .options(selectinload(Input.consultation_response))
            .order_by(Input.id)
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        ).scalars()
    )
    assessments = _assessments_of(session, items)
    return [
        AnsweredInput(
            item,
            assessments[item.id],
            sender_of(item),
            item.consultation_response.reference if item.consultation_response else f"#{item.id}",
        )
        for item in items
    ]


def _assessments_of(session: Session, items: Sequence[Input]) -> dict[int, Assessment]:
    """The assessments of these inputs (with their sections), by input id."""
    return {
        a.input_id: a
        for a in session.execute(
            select(Assessment)
            .where(Assessment.input_id.in_([i.id for i in items]))
            .options(selectinload(Assessment.sections))
        ).scalars()
    }


# ---------------------------------------------------------------- every input (the report)


@dataclass
class InputRow:
    input: Input
    assessment: Assessment | None
    section_labels: list[str]


def every_input(
    session: Session, process_id: int, *, where=None, batch: int = 500
) -> Iterator[InputRow]:
    """Every input of the process with its assessment, in id order, ``batch`` at a time
    (keyset paging; the session is expunged after each batch so memory stays flat)."""
    last = 0
    while True:
        items = list(
            session.execute(
                scoped(select(Input), process_id)
                .where(Input.id > last, *([where] if where is not None else []))
                .options(
                    selectinload(Input.consultation_response).selectinload(
                        ConsultationResponse.section
                    ),
                    selectinload(Input.region),
                    selectinload(Input.meeting),
                    selectinload(Input.focus_areas),
                )
                .order_by(Input.id)
                .limit(batch)
            ).scalars()
        )
        if not items:
            return
        assessments = _assessments_of(session, items)
        for item in items:
            row = assessments.get(item.id)
            labels = [s.label for s in row.sections] if row else []
            yield InputRow(item, row, labels)
        last = items[-1].id
        full = len(items) == batch
        # Release the batch (not the rest of the caller's session), so memory stays flat.
        for item in items:
            for obj in (item, item.consultation_response, assessments.get(item.id)):
                if obj is not None and obj in session:
                    session.expunge(obj)
        items.clear()
        assessments.clear()
        if not full:
            return


# ---------------------------------------------------------------- the receipt look-up


@dataclass(frozen=True)
class ReceiptStatus:
    answered: bool
    outcome: str | None = None
    comment: str = ""
    channel: str = ""


def look_up(session: Session, code: str, *, process_id: int | None = None) -> ReceiptStatus | None:
    """What happened to the input with this receipt code (suggestion box) or reference
    (consultation response): its outcome once its process's answers are published.
    ``process_id``: only that process's inputs (None: any process's). ``None`` for a
    code we cannot show: unknown, of another process, or an input that is hidden;
    the caller answers all of them the same way. The same queries run whatever the
    code."""
    code = (code or "").strip().upper()
    item = find_by_receipt(session, code)
    response = find_by_reference(session, code)
    if item is None and response is not None:
        item = response.input
    owner = item.process_id if item is not None else -1
    if process_id is not None and owner != process_id:
        owner = -1
    visible = (
        session.scalar(
            scoped(select(func.count(Input.id)).where(Input.id == (item.id if item else -1)), owner)
        )
        == 1
    )
    published = (
        session.scalar(
            select(func.count(Publication.id)).where(
                Publication.kind == PublicationKind.ANSWERS,
                Publication.process_id == (owner if visible else -1),
            )
        )
        == 1
    )
    row = session.execute(
        select(Assessment).where(
            and_(
                Assessment.input_id == (item.id if visible else -1),
                Assessment.state == AssessmentState.APPROVED,
            )
        )
    ).scalar_one_or_none()
    if not visible:
        return None
    if row is None or not published:
        return ReceiptStatus(answered=False, channel=item.channel)
    return ReceiptStatus(
        answered=True, outcome=row.outcome, comment=row.comment, channel=item.channel
    )


def channel_counts(p: Participation) -> list[tuple[str, int]]:
    order = [c.value for c in InputChannel]
    return sorted(p.by_channel.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)


def ids(rows: Sequence[Input]) -> list[int]:
    return [r.id for r in rows]
