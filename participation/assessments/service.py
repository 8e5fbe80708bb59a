"""The administration's assessment of every input, and publishing the answers.

The only module that writes ``Assessment`` rows and ``Publication`` rows. Every
function takes a session, checks everything before changing anything (a refused
call changes nothing), writes the audit entries, flushes and leaves the commit
to the caller.

States: no row is "not assessed"; :func:`draft` writes the comment, outcome and
sections (state ``drafted``); :func:`approve` makes it ``approved``. Who may
approve: with four eyes (``ASSESSMENT_FOUR_EYES``, the default) anyone on the
staff but the person who drafted it; without, an administrator may approve their
own drafts too. A changed draft must be approved again.

Scope: every query of inputs goes through :func:`scoped`, which narrows the inputs
to one process; every function works in one process (``process_id``; None: the
current process, ``processes.service.current_process``). Publications are per
process, and so are the sections an assessment may name and the e-mails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from participation import audit
from participation.assessments import mail
from participation.common import normalize_newlines, random_code
from participation.db import get_all_or_raise
from participation.inputs.service import campaign
from participation.models import (
    Assessment,
    AssessmentState,
    ConsultationResponse,
    DraftSection,
    DraftStrategy,
    FocusArea,
    Input,
    InputStatus,
    Meeting,
    Outcome,
    Publication,
    PublicationKind,
    Registration,
    RegistrationStatus,
    User,
    input_focus_area,
    utcnow,
)
from participation.models.backoffice import ConfirmedFocusArea
from participation.processes import service as processes

COMMENT_MAX = 5000  # characters of Markdown
MAX_GROUP = 500  # inputs answered at once
OUTCOMES = tuple(Outcome)


class AssessmentError(Exception):
    """Something the rules refuse; nothing was changed."""


class InvalidOutcome(AssessmentError):
    """Not one of the four outcomes."""


class CommentTooLong(AssessmentError):
    """More than ``COMMENT_MAX`` characters."""


class NoInputs(AssessmentError):
    """An empty group."""


class GroupTooLarge(AssessmentError):
    """More than ``MAX_GROUP`` inputs at once."""


class InputNotFound(AssessmentError):
    """An input in the group is gone (or hidden)."""


class UnknownSection(AssessmentError):
    """A draft section that does not exist."""


class NotDrafted(AssessmentError):
    """Approving an input that has no drafted assessment."""


class OwnDraft(AssessmentError):
    """Four eyes: the person who drafted an assessment cannot approve it."""


class NotAllowed(AssessmentError):
    """Without four eyes, a reviewer still cannot approve their own draft."""


class NothingApproved(AssessmentError):
    """Publishing the answers before any assessment is approved."""


# ---------------------------------------------------------------- scope


def scoped(query: Select, process_id: int) -> Select:
    """Inputs that need an assessment: one process's, every channel, hidden ones
    left out. Every query of inputs here and in ``figures`` goes through it."""
    return query.where(Input.process_id == process_id, Input.status != InputStatus.HIDDEN)


def resolve(session: Session, process_id: int | None) -> int:
    """``process_id``, or the current process's when None."""
    return processes.resolve_id(session, process_id)


# ---------------------------------------------------------------- writing


@dataclass
class AssessmentData:
    outcome: str
    comment: str = ""
    section_ids: Sequence[int] = field(default_factory=tuple)


def _check(
    session: Session, data: AssessmentData, process_id: int
) -> tuple[str, list[DraftSection]]:
    if data.outcome not in OUTCOMES:
        raise InvalidOutcome()
    comment = normalize_newlines(data.comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise CommentTooLong()
    sections = get_all_or_raise(
        session, _sections(process_id), DraftSection.id, data.section_ids, UnknownSection
    )
    return comment, sections


def _sections(process_id: int) -> Select:
    return (
        select(DraftSection)
        .join(DraftStrategy, DraftStrategy.id == DraftSection.draft_id)
        .where(DraftStrategy.process_id == process_id)
    )


def _inputs(session: Session, input_ids: Sequence[int], process_id: int) -> list[Input]:
    ids = sorted({int(i) for i in input_ids})
    if not ids:
        raise NoInputs()
    if len(ids) > MAX_GROUP:
        raise GroupTooLarge()
    return get_all_or_raise(
        session, scoped(select(Input), process_id).order_by(Input.id), Input.id, ids, InputNotFound
    )


def _existing(session: Session, ids: Sequence[int]) -> dict[int, Assessment]:
    rows = session.execute(
        select(Assessment)
        .where(Assessment.input_id.in_(list(ids)))
        .options(selectinload(Assessment.sections))
    ).scalars()
    return {row.input_id: row for row in rows}


def draft(
    session: Session,
    actor: User,
    input_ids: Sequence[int],
    data: AssessmentData,
    *,
    process_id: int | None = None,
    now: datetime | None = None,
) -> list[Assessment]:
    """Write the same assessment for every input in ``input_ids``, each in its own row.

    Several inputs answered at once share a group code. An approved assessment that
    is drafted again goes back to ``drafted``. Inputs and sections of another
    process are refused like ones that are gone."""
    process_id = resolve(session, process_id)
    comment, sections = _check(session, data, process_id)
    items = _inputs(session, input_ids, process_id)
    now = now or utcnow()
    existing = _existing(session, [i.id for i in items])
    group = random_code(8) if len(items) > 1 else None
    result = []
    for item in items:
        row = existing.get(item.id)
        if row is None:
            row = Assessment(input_id=item.id)
            session.add(row)
        row.comment = comment
        row.outcome = data.outcome
        row.sections = list(sections)
        row.state = AssessmentState.DRAFTED
        row.group_code = group
        row.drafted_by_id = actor.id
        row.drafted_at = now
        row.approved_by_id = None
        row.approved_at = None
        audit.record(
            session,
            actor,
            "assessment.draft",
            "input",
            item.id,
            details={"outcome": data.outcome, "group": group, "count": len(items)},
            now=now,
        )
        result.append(row)
    session.flush()
    return result


def may_approve(actor: User, row: Assessment, *, four_eyes: bool) -> bool:
    if row.drafted_by_id != actor.id:
        return True
    return not four_eyes and actor.is_admin


def approve(
    session: Session,
    actor: User,
    input_ids: Sequence[int],
    *,
    four_eyes: bool = True,
    process_id: int | None = None,
    now: datetime | None = None,
) -> list[Assessment]:
    """Approve drafted assessments; all or none."""
    items = _inputs(session, input_ids, resolve(session, process_id))
    existing = _existing(session, [i.id for i in items])
    rows = []
    for item in items:
        row = existing.get(item.id)
        if row is None or row.state != AssessmentState.DRAFTED:
            raise NotDrafted()
        if not may_approve(actor, row, four_eyes=four_eyes):
            raise OwnDraft() if four_eyes else NotAllowed()
        rows.append(row)
    now = now or utcnow()
    for row in rows:
        row.state = AssessmentState.APPROVED
        row.approved_by_id = actor.id
        row.approved_at = now
        audit.record(
            session,
            actor,
            "assessment.approve",
            "input",
            row.input_id,
            details={"count": len(rows)},
            now=now,
        )
    session.flush()
    return rows


def publish_answers(
    session: Session,
    actor: User,
    *,
    process_id: int | None = None,
    now: datetime | None = None,
) -> Publication:
    """Publish the process's answers page (and the receipt look-up's outcomes)."""
    process_id = resolve(session, process_id)
    approved = session.scalar(
        scoped(
            select(func.count(Assessment.input_id))
            .join(Input, Input.id == Assessment.input_id)
            .where(Assessment.state == AssessmentState.APPROVED),
            process_id,
        )
    )
    if not approved:
        raise NothingApproved()
    row = mark_published(session, actor, PublicationKind.ANSWERS, process_id, now)
    notified = 0
    if row.notified_at is None:
        # Once only: publishing again (with later approvals) writes to nobody.
        notified = mail.queue_answers_published(
            session, recipients(session, process_id), processes.get(session, process_id).slug
        )
        row.notified_at = row.published_at
    audit.record(
        session,
        actor,
        "answers.publish",
        "process",
        process_id,
        details={"approved": approved, "notified": notified},
        now=now,
    )
    session.flush()
    return row


def recipients(session: Session, process_id: int) -> list[tuple[str, str, str | None]]:
    """Who is told that the process's answers are published: (address, locale, reference).

    The process's consultation respondents (they left an address with their
    response, which is not hidden) and participants of its meetings who ticked
    "tell me what came of it"; nobody else. Each address once, in the language of
    its first response or sign-up."""
    seen: set[str] = set()
    result: list[tuple[str, str, str | None]] = []
    responses = session.execute(
        scoped(
            select(
                ConsultationResponse.email,
                ConsultationResponse.locale,
                ConsultationResponse.reference,
            ).join(Input, Input.consultation_response_id == ConsultationResponse.id),
            process_id,
        ).order_by(ConsultationResponse.id)
    ).all()
    registrations = session.execute(
        select(Registration.email, Registration.locale)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .where(
            Meeting.process_id == process_id,
            Registration.notify_outcome.is_(True),
            Registration.email.is_not(None),
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .order_by(Registration.id)
    ).all()
    for address, locale, reference in [*responses, *[(e, loc, None) for e, loc in registrations]]:
        key = (address or "").strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        result.append((address, locale or "nb", reference))
    return result


def withdraw_answers(session: Session, actor: User, *, process_id: int | None = None) -> None:
    process_id = resolve(session, process_id)
    unpublish(session, actor, PublicationKind.ANSWERS, process_id, "answers.withdraw")


def publication(session: Session, kind: str, process_id: int) -> Publication | None:
    """The process's publication of this kind, if published."""
    return session.execute(
        select(Publication).where(Publication.kind == kind, Publication.process_id == process_id)
    ).scalar_one_or_none()


def mark_published(
    session: Session, actor: User, kind: str, process_id: int, now: datetime | None
) -> Publication:
    """The process's publication of this kind (created if need be), published now by
    ``actor``; the caller records the audit entry (with its own details) and flushes."""
    row = publication(session, kind, process_id)
    if row is None:
        row = Publication(kind=kind, process_id=process_id)
        session.add(row)
    row.published_at = now or utcnow()
    row.published_by_id = actor.id
    return row


def unpublish(session: Session, actor: User, kind: str, process_id: int, action: str) -> None:
    """Take the process's publication of this kind down, recorded as ``action``; when it
    is not published, nothing happens (and nothing is recorded)."""
    row = publication(session, kind, process_id)
    if row is not None:
        session.delete(row)
        audit.record(session, actor, action, "process", process_id)
        session.flush()


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Progress:
    total: int
    drafted: int
    approved: int

    @property
    def assessed(self) -> int:
        return self.drafted + self.approved

    @property
    def not_assessed(self) -> int:
        return self.total - self.assessed


def progress(session: Session, process_id: int) -> Progress:
    total = session.scalar(scoped(select(func.count(Input.id)), process_id)) or 0
    counts = dict(
        session.execute(
            scoped(
                select(Assessment.state, func.count())
                .join(Input, Input.id == Assessment.input_id)
                .group_by(Assessment.state),
                process_id,
            )
        ).all()
    )
    return Progress(
        total=total,
        drafted=counts.get(AssessmentState.DRAFTED, 0),
        approved=counts.get(AssessmentState.APPROVED, 0),
    )


def _not_assessed(process_id: int) -> Select:
    return scoped(select(Input.id), process_id).where(Input.id.not_in(select(Assessment.input_id)))


@dataclass(frozen=True)
class QueueCount:
    key: int | None  # section or focus-area id; None: the whole draft / no focus area
    label: str
    count: int


@dataclass
class Queue:
    by_section: list[QueueCount]
    by_focus_area: list[tuple[FocusArea | None, int]]
    total: int


def queue(session: Session, process_id: int) -> Queue:
    """Inputs not yet assessed: per draft section (consultation responses name one)
    and per focus area (chosen by the writer or confirmed by a reviewer), with counts."""
    waiting = _not_assessed(process_id).subquery()
    total = session.scalar(select(func.count()).select_from(waiting)) or 0
    section_rows = session.execute(
        select(DraftSection, func.count(Input.id))
        .join(ConsultationResponse, ConsultationResponse.section_id == DraftSection.id)
        .join(Input, Input.consultation_response_id == ConsultationResponse.id)
        .where(Input.id.in_(select(waiting.c.id)))
        .group_by(DraftSection.id)
        .order_by(DraftSection.draft_id, DraftSection.position)
    ).all()
    by_section = [QueueCount(s.id, s.label, n) for s, n in section_rows]
    area_of = (
        select(input_focus_area.c.input_id.label("input_id"), input_focus_area.c.focus_area_id)
        .union(select(ConfirmedFocusArea.input_id, ConfirmedFocusArea.focus_area_id))
        .subquery()
    )
    area_rows = session.execute(
        select(FocusArea, func.count(func.distinct(area_of.c.input_id)))
        .join(area_of, area_of.c.focus_area_id == FocusArea.id)
        .where(area_of.c.input_id.in_(select(waiting.c.id)))
        .group_by(FocusArea.id)
        .order_by(FocusArea.position)
    ).all()
    with_area = session.scalar(
        select(func.count(func.distinct(area_of.c.input_id))).where(
            area_of.c.input_id.in_(select(waiting.c.id))
        )
    )
    by_area: list[tuple[FocusArea | None, int]] = [(a, n) for a, n in area_rows]
    if total - (with_area or 0):
        by_area.append((None, total - (with_area or 0)))
    return Queue(by_section=by_section, by_focus_area=by_area, total=total)


def waiting_ids(
    session: Session,
    process_id: int,
    *,
    section_id: int | None = None,
    focus_area_id: int | None = None,
    limit: int = MAX_GROUP,
) -> list[int]:
    """Ids of inputs not yet assessed, optionally of one section or focus area."""
    query = _not_assessed(process_id)
    if section_id is not None:
        query = query.where(
            Input.consultation_response_id.in_(
                select(ConsultationResponse.id).where(ConsultationResponse.section_id == section_id)
            )
        )
    if focus_area_id is not None:
        query = query.where(
            Input.id.in_(
                select(input_focus_area.c.input_id).where(
                    input_focus_area.c.focus_area_id == focus_area_id
                )
            )
            | Input.id.in_(
                select(ConfirmedFocusArea.input_id).where(
                    ConfirmedFocusArea.focus_area_id == focus_area_id
                )
            )
        )
    return list(session.execute(query.order_by(Input.id).limit(limit)).scalars())


def assessments_for(session: Session, input_ids: Sequence[int]) -> dict[int, Assessment]:
    """The assessments of inputs already read through :func:`scoped`."""
    return _existing(session, input_ids) if input_ids else {}


def drafted_ids(session: Session, process_id: int, *, limit: int = MAX_GROUP) -> list[int]:
    """Drafted assessments waiting for approval, oldest first."""
    return list(
        session.execute(
            scoped(
                select(Assessment.input_id)
                .join(Input, Input.id == Assessment.input_id)
                .where(Assessment.state == AssessmentState.DRAFTED),
                process_id,
            )
            .order_by(Assessment.drafted_at, Assessment.input_id)
            .limit(limit)
        ).scalars()
    )


def theme_ids(
    session: Session, process_id: int, number: int, *, limit: int = MAX_GROUP
) -> list[int]:
    """Inputs the process's latest finished analysis run put in theme ``number``."""
    from participation.insights.runs import latest_done_run
    from participation.models import InputAnalysis

    run = latest_done_run(session, process_id)
    if run is None:
        return []
    return list(
        session.execute(
            scoped(
                select(Input.id)
                .join(InputAnalysis, InputAnalysis.input_id == Input.id)
                .where(InputAnalysis.run_id == run.id, InputAnalysis.theme == number),
                process_id,
            )
            .order_by(Input.id)
            .limit(limit)
        ).scalars()
    )


def duplicate_ids(session: Session, process_id: int, input_id: int) -> list[int]:
    """The original and every input marked as its duplicate (a campaign)."""
    members = campaign(session, input_id)
    if members is None:
        return []
    return list(
        session.execute(
            scoped(select(Input.id), process_id).where(members).order_by(Input.id).limit(MAX_GROUP)
        ).scalars()
    )


def inputs_with_assessment(
    session: Session, process_id: int, input_ids: Sequence[int]
) -> list[Input]:
    if not input_ids:
        return []
    return list(
        session.execute(
            scoped(select(Input).where(Input.id.in_(list(input_ids))), process_id)
            .options(selectinload(Input.consultation_response))
            .order_by(Input.id)
        ).scalars()
    )


def all_sections(session: Session, process_id: int) -> list[DraftSection]:
    """The sections of the process's drafts."""
    return list(
        session.execute(
            _sections(process_id).order_by(DraftSection.draft_id, DraftSection.position)
        ).scalars()
    )
