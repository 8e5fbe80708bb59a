"""Rules for the consultation: drafts from Markdown, the period, responses,
attachments and publication.

Functions take a session, flush, raise a ``ConsultationError`` and change
nothing when the rules refuse; the caller commits.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from participation.consultation import attachments as files
from participation.consultation.markdown import ParsedDraft, parse_draft_markdown
from participation.forms import valid_org_number
from participation.inputs import service as inputs
from participation.models import (
    Attachment,
    ConsultationResponse,
    DraftSection,
    DraftStrategy,
    InputChannel,
    InputStatus,
    RespondentCategory,
    Stance,
    utcnow,
)

OSLO = ZoneInfo("Europe/Oslo")
REFERENCE_ALPHABET = inputs.CODE_ALPHABET
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


# ------------------------------------------------------------------ drafts


def slugify(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:100] or "horing"


def get_draft(session: Session, slug: str) -> DraftStrategy | None:
    return session.execute(
        select(DraftStrategy)
        .options(selectinload(DraftStrategy.sections))
        .where(DraftStrategy.slug == slug)
    ).scalar_one_or_none()


def list_drafts(session: Session) -> list[DraftStrategy]:
    return list(
        session.execute(
            select(DraftStrategy).order_by(DraftStrategy.opens_at.desc(), DraftStrategy.id)
        ).scalars()
    )


def create_draft(
    session: Session,
    parsed: ParsedDraft,
    *,
    opens_at: datetime,
    closes_at: datetime,
    title: str | None = None,
    slug: str | None = None,
) -> DraftStrategy:
    """A draft and its sections from parsed Markdown."""
    title = (title or parsed.title or "").strip()
    if not title:
        raise MissingTitle()
    if closes_at <= opens_at:
        raise BadPeriod()
    slug = slugify(slug or title)
    if session.execute(select(DraftStrategy.id).where(DraftStrategy.slug == slug)).first():
        raise SlugTaken(slug)
    draft = DraftStrategy(
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


def import_markdown(
    session: Session,
    source: str,
    *,
    opens_at: datetime,
    closes_at: datetime,
    title: str | None = None,
    slug: str | None = None,
) -> DraftStrategy:
    """Parse ``source`` (raises ``DraftFormatError``) and create the draft."""
    return create_draft(
        session,
        parse_draft_markdown(source),
        opens_at=opens_at,
        closes_at=closes_at,
        title=title,
        slug=slug,
    )


def time_left(draft: DraftStrategy, now: datetime) -> timedelta:
    return max(draft.closes_at - now, timedelta(0))


def section_by_anchor(draft: DraftStrategy, anchor: str | None) -> DraftSection | None:
    if not anchor:
        return None
    for section in draft.sections:
        if section.anchor == anchor:
            return section
    return None


def check_open(draft: DraftStrategy | None, now: datetime) -> DraftStrategy:
    if draft is None:
        raise DraftNotFound()
    if now < draft.opens_at:
        raise NotYetOpen()
    if now >= draft.closes_at:
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
    return "H-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _check_data(data: ResponseData) -> str:
    text = inputs.normalize_newlines(data.text).strip()
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
    max_bytes: int = 10 * 1024 * 1024,
    max_files: int = 3,
    now: datetime | None = None,
    notify: bool = True,
) -> ConsultationResponse:
    """Store a response, its ``Input`` row and attachments; queue the receipt e-mail.

    Refuses (``NotYetOpen``, ``Closed``, ``SectionNotFound``, ``InvalidResponse``,
    ``AttachmentError``) before anything is written. Attachment files are written
    last; if the caller's commit fails it should call ``discard_files``.
    """
    from participation.consultation import mail

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
    inputs.create_input(
        session,
        channel=InputChannel.CONSULTATION_RESPONSE,
        text=text,
        respondent_category=data.category,
        created_on=inputs.today_in_oslo(now),
        consultation_response_id=response.id,
    )
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
        mail.queue_receipt(session, response)
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
    response = session.get(ConsultationResponse, response_id)
    if response is None:
        raise ResponseNotFound()
    if not response.may_publish:
        raise NotPublishable()
    text = inputs.normalize_newlines(redacted_text or "").strip()
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
    response = session.get(ConsultationResponse, response_id)
    if response is None:
        raise ResponseNotFound()
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
        ConsultationResponse.draft_id == draft_id,
        ConsultationResponse.published_at.is_not(None),
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
        .where(
            ConsultationResponse.draft_id == draft_id,
            ConsultationResponse.published_at.is_not(None),
        )
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
    if response.draft_id != draft.id or response.published_at is None:
        return None
    return attachment
