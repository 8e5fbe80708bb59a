"""Administering the consultation: drafts and sections, the period, approving
responses for publication, and the figures per section.

Creating drafts, importing Markdown and publishing responses go through
``participation.consultation.service``; what is here is what the public side
does not need (editing, section CRUD, counts over all responses, the summary).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from participation import audit
from participation.consultation import service as consultation
from participation.consultation.markdown import ParsedDraft, anchor_for
from participation.models import (
    ConsultationResponse,
    DraftSection,
    DraftStrategy,
    Stance,
    User,
)


class SectionError(consultation.ConsultationError):
    pass


class BadNumber(SectionError):
    """Section numbers are like 1, 1.2 or 1.2.3."""


class NumberTaken(SectionError):
    pass


class NoParent(SectionError):
    """Section 1.2 needs a section 1 first."""


class SectionHasResponses(SectionError):
    pass


class SectionHasChildren(SectionError):
    pass


# ---------------------------------------------------------------- drafts


def create_empty_draft(
    session: Session,
    actor: User,
    *,
    title: str,
    introduction: str,
    opens_at: datetime,
    closes_at: datetime,
    slug: str | None = None,
) -> DraftStrategy:
    draft = consultation.create_draft(
        session,
        ParsedDraft(title=title, introduction=introduction.strip()),
        opens_at=opens_at,
        closes_at=closes_at,
        title=title,
        slug=slug,
    )
    audit.record(session, actor, "draft.create", "draft", draft.id)
    return draft


def import_draft(
    session: Session,
    actor: User,
    source: str,
    *,
    opens_at: datetime,
    closes_at: datetime,
    title: str | None = None,
) -> DraftStrategy:
    """Raises ``DraftFormatError`` (bad Markdown) or a ``ConsultationError``."""
    draft = consultation.import_markdown(
        session, source, opens_at=opens_at, closes_at=closes_at, title=title
    )
    audit.record(
        session, actor, "draft.import", "draft", draft.id, details={"sections": len(draft.sections)}
    )
    return draft


def update_draft(
    session: Session,
    actor: User,
    draft_id: int,
    *,
    title: str,
    introduction: str,
    opens_at: datetime,
    closes_at: datetime,
) -> DraftStrategy:
    """Change the title, introduction and period (the slug, and so the address, stays)."""
    draft = session.get(DraftStrategy, draft_id)
    if draft is None:
        raise consultation.DraftNotFound()
    if not title.strip():
        raise consultation.MissingTitle()
    if closes_at <= opens_at:
        raise consultation.BadPeriod()
    changed = []
    for name, value in (
        ("title", title.strip()),
        ("introduction", introduction.strip()),
        ("opens_at", opens_at),
        ("closes_at", closes_at),
    ):
        if getattr(draft, name) != value:
            changed.append(name)
            setattr(draft, name, value)
    session.flush()
    audit.record(session, actor, "draft.update", "draft", draft.id, details={"changed": changed})
    return draft


def get_draft(session: Session, draft_id: int) -> DraftStrategy:
    draft = session.execute(
        select(DraftStrategy)
        .options(selectinload(DraftStrategy.sections))
        .where(DraftStrategy.id == draft_id)
    ).scalar_one_or_none()
    if draft is None:
        raise consultation.DraftNotFound()
    return draft


# ---------------------------------------------------------------- sections


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def _valid_number(number: str) -> bool:
    parts = number.split(".")
    return 0 < len(parts) <= 4 and all(p.isdigit() and 0 < len(p) <= 3 for p in parts)


def _renumber_positions(session: Session, draft_id: int) -> None:
    sections = list(
        session.execute(select(DraftSection).where(DraftSection.draft_id == draft_id)).scalars()
    )
    for position, section in enumerate(sorted(sections, key=lambda s: _number_key(s.number))):
        section.position = position
    session.flush()


def add_section(
    session: Session, actor: User, draft_id: int, *, number: str, title: str, body: str = ""
) -> DraftSection:
    """A new section; its place in the document follows from its number."""
    draft = get_draft(session, draft_id)
    number = number.strip().rstrip(".")
    if not _valid_number(number):
        raise BadNumber()
    if any(s.number == number for s in draft.sections):
        raise NumberTaken()
    parent = None
    if "." in number:
        parent_number = number.rsplit(".", 1)[0]
        parent = next((s for s in draft.sections if s.number == parent_number), None)
        if parent is None:
            raise NoParent()
    section = DraftSection(
        draft_id=draft.id,
        parent_id=parent.id if parent else None,
        number=number,
        level=number.count(".") + 1,
        title=title.strip(),
        body=body.strip(),
        anchor=anchor_for(number),
        position=len(draft.sections),
    )
    session.add(section)
    session.flush()
    _renumber_positions(session, draft.id)
    audit.record(
        session, actor, "section.create", "section", section.id, details={"draft": draft.id}
    )
    return section


def update_section(
    session: Session, actor: User, section_id: int, *, title: str, body: str
) -> DraftSection:
    """Change a section's title and text; its number and anchor stay, so links hold."""
    section = session.get(DraftSection, section_id)
    if section is None:
        raise consultation.SectionNotFound()
    changed = [
        name
        for name, value in (("title", title.strip()), ("body", body.strip()))
        if getattr(section, name) != value
    ]
    section.title = title.strip()
    section.body = body.strip()
    session.flush()
    audit.record(
        session, actor, "section.update", "section", section.id, details={"changed": changed}
    )
    return section


def delete_section(session: Session, actor: User, section_id: int) -> None:
    """Delete a section that has no sub-sections and no responses."""
    section = session.get(DraftSection, section_id)
    if section is None:
        raise consultation.SectionNotFound()
    if session.scalar(
        select(func.count(ConsultationResponse.id)).where(
            ConsultationResponse.section_id == section.id
        )
    ):
        raise SectionHasResponses()
    if session.scalar(
        select(func.count(DraftSection.id)).where(DraftSection.parent_id == section.id)
    ):
        raise SectionHasChildren()
    draft_id = section.draft_id
    draft = session.get(DraftStrategy, draft_id)
    if draft is not None and section in draft.sections:
        draft.sections.remove(section)
    session.delete(section)
    session.flush()
    _renumber_positions(session, draft_id)
    audit.record(
        session, actor, "section.delete", "section", section_id, details={"draft": draft_id}
    )


# ---------------------------------------------------------------- responses


@dataclass
class SectionFigures:
    section: DraftSection | None  # None: the whole draft
    total: int = 0
    published: int = 0
    awaiting: int = 0  # may be published, not yet approved
    stances: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Stance})


def figures_by_section(session: Session, draft: DraftStrategy) -> list[SectionFigures]:
    """Responses per section (all responses, not only published), with stance counts.

    The whole draft comes first, then the sections in document order. Two queries."""
    rows = session.execute(
        select(
            ConsultationResponse.section_id,
            ConsultationResponse.stance,
            func.count(ConsultationResponse.id),
            func.count(ConsultationResponse.published_at),
        )
        .where(ConsultationResponse.draft_id == draft.id)
        .group_by(ConsultationResponse.section_id, ConsultationResponse.stance)
    ).all()
    awaiting = dict(
        session.execute(
            select(ConsultationResponse.section_id, func.count(ConsultationResponse.id))
            .where(
                ConsultationResponse.draft_id == draft.id,
                ConsultationResponse.may_publish.is_(True),
                ConsultationResponse.published_at.is_(None),
            )
            .group_by(ConsultationResponse.section_id)
        ).all()
    )
    figures = {None: SectionFigures(None)} | {s.id: SectionFigures(s) for s in draft.sections}
    for section_id, stance, n, published in rows:
        entry = figures.get(section_id)
        if entry is None:
            continue
        entry.total += n
        entry.published += published
        entry.stances[stance] = entry.stances.get(stance, 0) + n
    for section_id, n in awaiting.items():
        if section_id in figures:
            figures[section_id].awaiting = n
    return list(figures.values())


RESPONSE_STATES = ("awaiting", "published", "not_publishable")


def list_responses(
    session: Session,
    draft_id: int,
    *,
    section_id: int | None = None,
    whole_draft: bool = False,
    state: str | None = None,
) -> list[ConsultationResponse]:
    # The list is not paged: one statement with joins, whatever the number of responses
    # (selectinload would send one more per 500 responses and relation).
    query = (
        select(ConsultationResponse)
        .options(
            joinedload(ConsultationResponse.section),
            joinedload(ConsultationResponse.input),
            joinedload(ConsultationResponse.attachments),
        )
        .where(ConsultationResponse.draft_id == draft_id)
    )
    if whole_draft:
        query = query.where(ConsultationResponse.section_id.is_(None))
    elif section_id is not None:
        query = query.where(ConsultationResponse.section_id == section_id)
    if state == "awaiting":
        query = query.where(
            ConsultationResponse.may_publish.is_(True), ConsultationResponse.published_at.is_(None)
        )
    elif state == "published":
        query = query.where(ConsultationResponse.published_at.is_not(None))
    elif state == "not_publishable":
        query = query.where(ConsultationResponse.may_publish.is_(False))
    return list(session.execute(query.order_by(ConsultationResponse.id)).unique().scalars())


def get_response(session: Session, response_id: int) -> ConsultationResponse:
    response = session.execute(
        select(ConsultationResponse)
        .options(
            selectinload(ConsultationResponse.draft),
            selectinload(ConsultationResponse.section),
            selectinload(ConsultationResponse.input),
            selectinload(ConsultationResponse.attachments),
        )
        .where(ConsultationResponse.id == response_id)
    ).scalar_one_or_none()
    if response is None:
        raise consultation.ResponseNotFound()
    return response


def approve(
    session: Session,
    actor: User,
    response_id: int,
    redacted_text: str,
    *,
    withhold_attachment_ids: Iterable[int] = (),
) -> ConsultationResponse:
    withhold_attachment_ids = list(withhold_attachment_ids)
    response = consultation.approve_for_publication(
        session,
        response_id,
        redacted_text,
        approved_by_id=actor.id,
        withhold_attachment_ids=withhold_attachment_ids,
    )
    audit.record(
        session,
        actor,
        "response.approve",
        "response",
        response.id,
        details={"withheld_attachments": len(withhold_attachment_ids)},
    )
    return response


def withdraw(session: Session, actor: User, response_id: int) -> ConsultationResponse:
    response = consultation.withdraw_publication(session, response_id)
    audit.record(session, actor, "response.reject", "response", response.id)
    return response


# ---------------------------------------------------------------- summary


@dataclass
class SummarySection:
    figures: SectionFigures
    quotes: list[ConsultationResponse]


def summary(session: Session, draft: DraftStrategy) -> list[SummarySection]:
    """Per section (whole draft first): counts, stances and the published responses."""
    published = consultation.published_responses(session, draft.id)
    by_section: dict[int | None, list[ConsultationResponse]] = {}
    for response in published:
        by_section.setdefault(response.section_id, []).append(response)
    return [
        SummarySection(f, by_section.get(f.section.id if f.section else None, []))
        for f in figures_by_section(session, draft)
    ]


def response_rows_query(draft_id: int):
    """Responses of a draft for export, grouped by section (document order) then id."""
    return (
        select(ConsultationResponse)
        .options(
            selectinload(ConsultationResponse.section),
            selectinload(ConsultationResponse.input),
            selectinload(ConsultationResponse.attachments),
        )
        .where(ConsultationResponse.draft_id == draft_id)
    )
