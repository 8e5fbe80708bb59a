"""Rules for the consultation, for the public pages and the back office alike: drafts
(from Markdown or typed in) and their sections, the period, responses and their
attachments, publication and withdrawal, and the figures per section.

Open or closed is decided in one place, :func:`check_open` (``consultation_state``
for pages). Published means one thing everywhere, ``ConsultationResponse.is_published`` /
:func:`published_clause`: approved with a redacted text here, and its input not
hidden or set back in the inbox; the public pages, the back office and the exports
all ask it.

Functions take a session, flush, raise a ``ConsultationError`` and change nothing
when the rules refuse, and record the audit entry for a staff member's change; the
caller commits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from participation import audit
from participation.common import (
    local_date,
    normalize_newlines,
    random_code,
    slugify,
    valid_org_number,
)
from participation.config import Config
from participation.consultation import attachments as files
from participation.consultation import mail
from participation.consultation.markdown import ParsedDraft, anchor_for, parse_draft_markdown
from participation.db import get_or_raise
from participation.inputs import service as inputs
from participation.models import (
    Attachment,
    ConsultationResponse,
    ConsultationState,
    DraftSection,
    DraftStrategy,
    Input,
    InputChannel,
    InputStatus,
    RespondentCategory,
    Stance,
    User,
    WrittenForm,
    utcnow,
)
from participation.processes import service as processes

MIN_TEXT = 20
MAX_TEXT = 20000


class ConsultationError(Exception):
    """A request the rules refuse; nothing was changed."""


class DraftNotFound(ConsultationError):
    pass


class SectionNotFound(ConsultationError):
    pass


class NotYetOpen(ConsultationError):
    pass


class Closed(ConsultationError):
    pass


class InvalidResponse(ConsultationError):
    """A field the form should have caught (text length, stance, category, org number)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


class ResponseNotFound(ConsultationError):
    pass


class NotPublishable(ConsultationError):
    """The respondent did not allow publication."""


class SlugTaken(ConsultationError):
    pass


class MissingTitle(ConsultationError):
    """No --title given and the Markdown has no leading # heading."""


class BadPeriod(ConsultationError):
    """The consultation would close before it opens."""


class NoProcess(ConsultationError):
    """No process to put the draft in (none is active)."""


class ProcessArchived(ConsultationError):
    """The draft's process is archived: read-only."""


def _check_writable(session: Session, process_id: int) -> None:
    try:
        processes.check_writable_id(session, process_id)
    except processes.ProcessArchived as error:
        raise ProcessArchived() from error


class SectionError(ConsultationError):
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


# ------------------------------------------------------------------ drafts


def get_draft(session: Session, slug: str) -> DraftStrategy | None:
    return session.execute(
        select(DraftStrategy)
        .options(selectinload(DraftStrategy.sections))
        .where(DraftStrategy.slug == slug)
    ).scalar_one_or_none()


def list_drafts(
    session: Session, process_id: int | None = None, process_ids: Iterable[int] | None = None
) -> list[DraftStrategy]:
    """Drafts, the latest period first: of one process, of some, or all."""
    query = select(DraftStrategy).order_by(DraftStrategy.opens_at.desc(), DraftStrategy.id)
    if process_id is not None:
        query = query.where(DraftStrategy.process_id == process_id)
    if process_ids is not None:
        query = query.where(DraftStrategy.process_id.in_(list(process_ids)))
    return list(session.execute(query).scalars())


def create_draft(
    session: Session,
    parsed: ParsedDraft,
    *,
    opens_at: datetime,
    closes_at: datetime,
    title: str | None = None,
    slug: str | None = None,
    process_id: int | None = None,
) -> DraftStrategy:
    """A draft and its sections from parsed Markdown, in a process (default: the
    current one)."""
    title = (title or parsed.title or "").strip()
    if not title:
        raise MissingTitle()
    _check_period(opens_at, closes_at)
    try:
        process_id = processes.resolve_id(session, process_id)
    except processes.NoCurrentProcess as error:
        raise NoProcess() from error
    _check_writable(session, process_id)
    slug = slugify(slug or title, fallback="horing")[:100]
    if session.execute(select(DraftStrategy.id).where(DraftStrategy.slug == slug)).first():
        raise SlugTaken(slug)
    draft = DraftStrategy(
        process_id=process_id,
        title=title[:300],
        slug=slug,
        introduction=parsed.introduction,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    session.add(draft)
    session.flush()
    created: list[DraftSection] = []
    for parsed_section in parsed.sections:
        section = DraftSection(
            draft_id=draft.id,
            parent_id=(
                created[parsed_section.parent].id if parsed_section.parent is not None else None
            ),
            number=parsed_section.number,
            level=parsed_section.level,
            title=parsed_section.title,
            body=parsed_section.body,
            anchor=parsed_section.anchor,
            position=parsed_section.position,
        )
        session.add(section)
        session.flush()
        created.append(section)
    session.refresh(draft)
    return draft


def import_markdown(session: Session, source: str, **draft: Any) -> DraftStrategy:
    """Parse ``source`` (raises ``DraftFormatError``) and create the draft
    (``draft``: the period, title and slug, as :func:`create_draft` takes them)."""
    return create_draft(session, parse_draft_markdown(source), **draft)


def time_left(draft: DraftStrategy, now: datetime) -> timedelta:
    return max(draft.closes_at - now, timedelta(0))


def section_by_anchor(draft: DraftStrategy, anchor: str | None) -> DraftSection | None:
    if not anchor:
        return None
    for section in draft.sections:
        if section.anchor == anchor:
            return section
    return None


def _check_period(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise BadPeriod()


def check_open(draft: DraftStrategy | None, now: datetime) -> DraftStrategy:
    """The draft, if it takes responses at ``now``; else why not (one rule for every page)."""
    if draft is None:
        raise DraftNotFound()
    if draft.process.is_archived:
        raise Closed()
    state = draft.state(now)
    if state == ConsultationState.NOT_OPEN:
        raise NotYetOpen()
    if state == ConsultationState.CLOSED:
        raise Closed()
    return draft


# ------------------------------------------------------------------ responses


@dataclass
class ResponseData:
    text: str
    name: str
    email: str
    category: str
    locale: str
    stance: str = Stance.NONE
    may_publish: bool = True
    section_id: int | None = None
    organisation: str | None = None
    org_number: str | None = None


def new_reference() -> str:
    return "H-" + random_code(8)


def _check_data(data: ResponseData) -> str:
    text = normalize_newlines(data.text).strip()
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        raise InvalidResponse("text")
    if data.stance not in {s.value for s in Stance}:
        raise InvalidResponse("stance")
    if data.category not in {c.value for c in RespondentCategory}:
        raise InvalidResponse("category")
    if not data.name.strip() or "@" not in data.email:
        raise InvalidResponse("name")
    if data.org_number and not valid_org_number(data.org_number):
        raise InvalidResponse("org_number")
    return text


def submit_response(
    session: Session,
    draft_id: int,
    data: ResponseData,
    uploads: Sequence[files.UploadedFile] = (),
    *,
    upload_dir: str | os.PathLike,
    max_bytes: int = Config.ATTACHMENT_MAX_BYTES,
    max_files: int = Config.ATTACHMENT_MAX_FILES,
    now: datetime | None = None,
    notify: bool = True,
) -> ConsultationResponse:
    """Store a response, its ``Input`` row and attachments; queue the receipt e-mail.

    Refuses (``NotYetOpen``, ``Closed``, ``SectionNotFound``, ``InvalidResponse``,
    ``AttachmentError``) before anything is written. Attachment files are written
    last; if the caller's commit fails it should call ``discard_files``.
    """
    now = now or utcnow()
    draft = check_open(session.get(DraftStrategy, draft_id), now)
    if data.section_id is not None:
        section = session.get(DraftSection, data.section_id)
        if section is None or section.draft_id != draft.id:
            raise SectionNotFound()
    text = _check_data(data)
    checked = files.check_pdfs(list(uploads), max_bytes=max_bytes, max_files=max_files)

    response = ConsultationResponse(
        draft_id=draft.id,
        section_id=data.section_id,
        reference=new_reference(),
        stance=data.stance,
        name=data.name.strip(),
        email=data.email.strip(),
        organisation=(data.organisation or "").strip() or None,
        org_number=data.org_number or None,
        category=data.category,
        may_publish=data.may_publish,
        locale=data.locale,
        created_at=now,
    )
    session.add(response)
    session.flush()
    item = inputs.create_input(
        session,
        channel=InputChannel.CONSULTATION_RESPONSE,
        text=text,
        respondent_category=data.category,
        created_on=local_date(now),
        consultation_response_id=response.id,
        process_id=draft.process_id,
    )
    if item.written_form == WrittenForm.SAMI:
        # Written in Sami: the receipt and any answer go out in Sami (sameloven § 3-3),
        # whatever language the page was shown in.
        response.locale = WrittenForm.SAMI
    stored: list[str] = []
    try:
        for pdf in checked:
            name = files.store(upload_dir, pdf)
            stored.append(name)
            session.add(
                Attachment(
                    response_id=response.id,
                    original_filename=pdf.filename,
                    stored_name=name,
                    size=pdf.size,
                    sha256=pdf.sha256,
                    content_type="application/pdf",
                    page_count=pdf.page_count,
                    created_at=now,
                )
            )
        session.flush()
    except Exception:
        files.remove(upload_dir, stored)
        raise
    session.refresh(response)
    if notify:
        mail.queue_receipt(session, response, response.draft, response.section)
    return response


def discard_files(upload_dir: str | os.PathLike, response: ConsultationResponse) -> None:
    """Remove the stored files of a response whose transaction was rolled back."""
    files.remove(upload_dir, [a.stored_name for a in response.attachments])


def find_by_reference(session: Session, reference: str) -> ConsultationResponse | None:
    return session.execute(
        select(ConsultationResponse)
        .options(
            selectinload(ConsultationResponse.attachments),
            selectinload(ConsultationResponse.section),
        )
        .where(ConsultationResponse.reference == reference)
    ).scalar_one_or_none()


# ------------------------------------------------------------------ publication


def published_clause():
    """SQL for "on the public pages" (``ConsultationResponse.is_published`` in Python):
    approved here, and its input published in the inbox (hidden or set back to new
    takes it off)."""
    return and_(
        ConsultationResponse.published_at.is_not(None),
        ConsultationResponse.input.has(Input.status == InputStatus.PUBLISHED),
    )


def approve_for_publication(
    session: Session,
    response_id: int,
    redacted_text: str,
    *,
    approved_by_id: int | None = None,
    withhold_attachment_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> ConsultationResponse:
    """Publish a response with the text the project group approved (personal data removed).

    Its attachments are published too, except those in ``withhold_attachment_ids``.
    The response's ``Input`` gets status ``published``.
    """
    response = get_or_raise(session, ConsultationResponse, response_id, ResponseNotFound)
    if not response.may_publish:
        raise NotPublishable()
    text = normalize_newlines(redacted_text or "").strip()
    if not text:
        raise InvalidResponse("text")
    withheld = set(withhold_attachment_ids)
    response.published_text = text
    response.published_at = now or utcnow()
    response.approved_by_id = approved_by_id
    for attachment in response.attachments:
        attachment.published = attachment.id not in withheld
    if response.input is not None:
        response.input.status = InputStatus.PUBLISHED
    session.flush()
    return response


def withdraw_publication(session: Session, response_id: int) -> ConsultationResponse:
    """Take a published response off the public pages again."""
    response = get_or_raise(session, ConsultationResponse, response_id, ResponseNotFound)
    response.published_at = None
    for attachment in response.attachments:
        attachment.published = False
    if response.input is not None and response.input.status == InputStatus.PUBLISHED:
        response.input.status = InputStatus.NEW
    session.flush()
    return response


WHOLE_DRAFT = "whole"  # scope: only responses to the draft as a whole


def _published(draft_id: int, scope: int | str | None):
    query = select(ConsultationResponse).where(
        ConsultationResponse.draft_id == draft_id, published_clause()
    )
    if scope == WHOLE_DRAFT:
        query = query.where(ConsultationResponse.section_id.is_(None))
    elif isinstance(scope, int):
        query = query.where(ConsultationResponse.section_id == scope)
    return query


def published_responses(
    session: Session, draft_id: int, scope: int | str | None = None
) -> list[ConsultationResponse]:
    """Published responses: all (``None``), to the whole draft only (``WHOLE_DRAFT``)
    or to one section (its id); oldest first. One statement however many there are."""
    query = (
        _published(draft_id, scope)
        .options(
            joinedload(ConsultationResponse.attachments),
            joinedload(ConsultationResponse.section),
        )
        .order_by(ConsultationResponse.published_at, ConsultationResponse.id)
    )
    return list(session.execute(query).unique().scalars())


def stance_counts(
    session: Session, draft_id: int, scope: int | str | None = None
) -> dict[str, int]:
    """Published responses per stance, every stance present (0 when none)."""
    sub = _published(draft_id, scope).subquery()
    rows = session.execute(select(sub.c.stance, func.count()).group_by(sub.c.stance)).all()
    counts = {stance.value: 0 for stance in Stance}
    for stance, n in rows:
        counts[stance] = n
    return counts


def published_counts_by_section(session: Session, draft_id: int) -> dict[int | None, int]:
    """How many published responses each section has (key ``None``: the whole draft)."""
    rows = session.execute(
        select(ConsultationResponse.section_id, func.count(ConsultationResponse.id))
        .where(ConsultationResponse.draft_id == draft_id, published_clause())
        .group_by(ConsultationResponse.section_id)
    ).all()
    return {section_id: n for section_id, n in rows}


def public_attachment(
    session: Session, draft: DraftStrategy, attachment_id: int
) -> Attachment | None:
    """An attachment the public may download: it and its response are published."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or not attachment.published:
        return None
    response = attachment.response
    if response.draft_id != draft.id or not response.is_published:
        return None
    return attachment


# ------------------------------------------------------------------ the back office

# ---------------------------------------------------------------- drafts (back office)


def create_empty_draft(
    session: Session,
    actor: User,
    *,
    title: str,
    introduction: str,
    opens_at: datetime,
    closes_at: datetime,
    slug: str | None = None,
    process_id: int | None = None,
) -> DraftStrategy:
    draft = create_draft(
        session,
        ParsedDraft(title=title, introduction=introduction.strip()),
        opens_at=opens_at,
        closes_at=closes_at,
        title=title,
        slug=slug,
        process_id=process_id,
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
    process_id: int | None = None,
) -> DraftStrategy:
    """Raises ``DraftFormatError`` (bad Markdown) or a ``ConsultationError``."""
    draft = import_markdown(
        session,
        source,
        opens_at=opens_at,
        closes_at=closes_at,
        title=title,
        process_id=process_id,
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
    draft = get_or_raise(session, DraftStrategy, draft_id, DraftNotFound)
    if not title.strip():
        raise MissingTitle()
    _check_period(opens_at, closes_at)
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


def get_draft_by_id(session: Session, draft_id: int) -> DraftStrategy:
    draft = session.execute(
        select(DraftStrategy)
        .options(selectinload(DraftStrategy.sections))
        .where(DraftStrategy.id == draft_id)
    ).scalar_one_or_none()
    if draft is None:
        raise DraftNotFound()
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
    draft = get_draft_by_id(session, draft_id)
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
    section = get_or_raise(session, DraftSection, section_id, SectionNotFound)
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
    section = get_or_raise(session, DraftSection, section_id, SectionNotFound)
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
            func.count(case((published_clause(), 1))),
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
                ~published_clause(),
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
        query = query.where(ConsultationResponse.may_publish.is_(True), ~published_clause())
    elif state == "published":
        query = query.where(published_clause())
    elif state == "not_publishable":
        query = query.where(ConsultationResponse.may_publish.is_(False))
    return list(session.execute(query.order_by(ConsultationResponse.id)).unique().scalars())


def responses_in_full():
    """A SELECT of responses with all they hold (draft, section, input, attachments)."""
    return select(ConsultationResponse).options(
        selectinload(ConsultationResponse.draft),
        selectinload(ConsultationResponse.section),
        selectinload(ConsultationResponse.input),
        selectinload(ConsultationResponse.attachments),
    )


def get_response(session: Session, response_id: int) -> ConsultationResponse:
    response = session.execute(
        responses_in_full().where(ConsultationResponse.id == response_id)
    ).scalar_one_or_none()
    if response is None:
        raise ResponseNotFound()
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
    response = approve_for_publication(
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
    response = withdraw_publication(session, response_id)
    audit.record(session, actor, "response.reject", "response", response.id)
    return response


# ---------------------------------------------------------------- summary


@dataclass
class SummarySection:
    figures: SectionFigures
    quotes: list[ConsultationResponse]


def summary(session: Session, draft: DraftStrategy) -> list[SummarySection]:
    """Per section (whole draft first): counts, stances and the published responses."""
    published = published_responses(session, draft.id)
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


def count_responses(session: Session, draft_id: int) -> int:
    """How many responses a draft has (every state)."""
    return (
        session.scalar(
            select(func.count(ConsultationResponse.id)).where(
                ConsultationResponse.draft_id == draft_id
            )
        )
        or 0
    )


def staff_attachment(session: Session, actor: User, attachment_id: int) -> Attachment:
    """An attachment a staff member downloads; the download is recorded."""
    attachment = get_or_raise(session, Attachment, attachment_id, ResponseNotFound)
    audit.record(session, actor, "attachment.download", "attachment", attachment.id)
    session.flush()
    return attachment
