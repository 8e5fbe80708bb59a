"""The common inbox: every input from every channel, its moderation, redaction
edits, duplicates and confirmed focus areas; and the focus areas themselves.

Every channel creates its ``Input`` through :func:`create_input`, which redacts
personal data (``inputs.redaction``), detects the written form (Bokmål, Nynorsk,
other) and marks exact and near duplicates. The only module that writes inputs,
their reviews, notes and confirmed focus areas, and focus areas. Functions take a
session, flush, raise an ``InputError`` when the rules refuse, record the audit
entry for a staff member's change, and leave the commit to the caller.

Publication: an input is published when its status is ``published``. A
consultation response is published with the text the project group approved on
the consultation's own page (``consultation.service.approve_for_publication``);
the inbox can hide it (then it is off the consultation page too) or publish it
again, but not publish one that was never approved.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from participation import audit
from participation.common import Paged, clamp_page, local_date, normalize_newlines, random_code
from participation.db import get_all_or_raise, get_or_raise
from participation.inputs.redaction import redact
from participation.models import (
    ConsultationResponse,
    DuplicateKind,
    FocusArea,
    Input,
    InputChannel,
    InputStatus,
    Meeting,
    Region,
    RespondentCategory,
    User,
    input_focus_area,
    utcnow,
)
from participation.models.backoffice import ConfirmedFocusArea, InputNote, InputReview
from participation.models.inputs import FTS_CONFIG, NoteImportRow
from participation.processes import service as processes

# Near duplicates: Jaccard similarity of character 5-gram shingles of the
# normalised text, against the most recent inputs of similar length.
SHINGLE_SIZE = 5
NEAR_DUPLICATE_THRESHOLD = 0.8
NEAR_DUPLICATE_CANDIDATES = 500

PER_PAGE = 50
MAX_BULK = 500


class InputError(Exception):
    """Something the rules refuse; nothing was changed."""


class InputNotFound(InputError):
    """No input has this id (any more)."""


class UnknownMeeting(InputError):
    """The input names a meeting that does not exist."""


class UnknownRegion(InputError):
    """The input names a region that does not exist."""


class UnknownFocusArea(InputError):
    """A focus area that does not exist."""


class UnknownCategory(InputError):
    """Not a ``RespondentCategory`` value."""


class EmptyText(InputError):
    """Nothing but white space."""


class InvalidStatus(InputError):
    """Not an ``InputStatus`` value."""


class NotPublishable(InputError):
    """The writer did not allow publication (consultation responses)."""


class NotApproved(InputError):
    """A consultation response is first published from the consultation's page."""


class UnknownAction(InputError):
    pass


class KeyTaken(InputError):
    """Another focus area has this key."""


# ------------------------------------------------------------------ creating


def new_code() -> str:
    """A receipt code, ``XXXX-XXXX``."""
    raw = random_code(8)
    return f"{raw[:4]}-{raw[4:]}"


def normalize_for_fingerprint(text: str) -> str:
    """Case, accents-as-composed, spacing and punctuation do not make a new text."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def fingerprint(text: str) -> str:
    return hashlib.sha256(normalize_for_fingerprint(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    normalized = normalize_for_fingerprint(text)
    if len(normalized) <= size:
        return {normalized} if normalized else set()
    return {normalized[i : i + size] for i in range(len(normalized) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class DuplicateMatch:
    original_id: int
    kind: DuplicateKind
    score: float


def find_duplicate(
    session: Session,
    text: str,
    *,
    exclude_id: int | None = None,
    process_id: int | None = None,
) -> DuplicateMatch | None:
    """The earlier input of the same process this text repeats, exactly or nearly."""
    print_ = fingerprint(text)
    query = select(Input.id, Input.duplicate_of_id).where(Input.fingerprint == print_)
    if process_id is not None:
        query = query.where(Input.process_id == process_id)
    if exclude_id is not None:
        query = query.where(Input.id != exclude_id)
    exact = session.execute(query.order_by(Input.id).limit(1)).first()
    if exact is not None:
        return DuplicateMatch(exact.duplicate_of_id or exact.id, DuplicateKind.EXACT, 1.0)

    mine = shingles(text)
    if len(mine) < 3:
        return None
    length = len(text)
    # Jaccard >= t needs the lengths within a factor t of each other.
    query = (
        select(Input.id, Input.duplicate_of_id, Input.redacted_text)
        .where(
            Input.text_length >= int(length * NEAR_DUPLICATE_THRESHOLD),
            Input.text_length <= int(length / NEAR_DUPLICATE_THRESHOLD) + 1,
        )
        .order_by(Input.id.desc())
        .limit(NEAR_DUPLICATE_CANDIDATES)
    )
    if process_id is not None:
        query = query.where(Input.process_id == process_id)
    if exclude_id is not None:
        query = query.where(Input.id != exclude_id)
    # Newest first, and the first close match will do: copy-paste campaigns (the
    # common case) then cost one comparison instead of hundreds.
    for row in session.execute(query):
        score = jaccard(mine, shingles(row.redacted_text))
        if score >= NEAR_DUPLICATE_THRESHOLD:
            return DuplicateMatch(row.duplicate_of_id or row.id, DuplicateKind.NEAR, score)
    return None


def _focus_areas(session: Session, ids: Iterable[int]) -> list[FocusArea]:
    return get_all_or_raise(session, select(FocusArea), FocusArea.id, ids, UnknownFocusArea)


def create_input(
    session: Session,
    *,
    channel: InputChannel | str,
    text: str,
    region_id: int | None = None,
    respondent_category: str | None = None,
    focus_area_ids: Iterable[int] = (),
    created_on: date | None = None,
    meeting_id: int | None = None,
    consultation_response_id: int | None = None,
    receipt_code: str | None = None,
    status: InputStatus | str = InputStatus.NEW,
    process_id: int | None = None,
) -> Input:
    """Add one input to a process (default: the current one): redacted, language
    detected, duplicates within the process marked. Flushes."""
    from analysis.text import detect_written_form

    if process_id is None and channel == InputChannel.ACCESSIBILITY:
        # About the site, not a process: kept even when only archived processes exist.
        process_id = processes.inbox_process_id(session)
    else:
        process_id = processes.resolve_id(session, process_id)
        processes.check_writable_id(session, process_id)
    text = normalize_newlines(text).strip()
    if not text:
        raise EmptyText()
    if respondent_category is not None and respondent_category not in {
        c.value for c in RespondentCategory
    }:
        raise UnknownCategory()
    if region_id is not None and session.get(Region, region_id) is None:
        raise UnknownRegion()
    if meeting_id is not None and session.get(Meeting, meeting_id) is None:
        raise UnknownMeeting()
    areas = _focus_areas(session, focus_area_ids)

    redacted = redact(text).text
    if str(channel) == InputChannel.SUGGESTION_BOX:
        # The suggestion box promises that personal data is removed: only the
        # redacted text is stored (consultation responses, case documents, and staff
        # notes keep the text as received, for staff; see ``original_text``).
        text = redacted
    duplicate = find_duplicate(session, redacted, process_id=process_id)
    item = Input(
        process_id=process_id,
        channel=str(channel),
        text=text,
        redacted_text=redacted,
        region_id=region_id,
        respondent_category=respondent_category or None,
        written_form=detect_written_form(redacted),
        created_on=created_on or local_date(),
        status=str(status),
        fingerprint=fingerprint(redacted),
        duplicate_of_id=duplicate.original_id if duplicate else None,
        duplicate_kind=str(duplicate.kind) if duplicate else None,
        duplicate_score=round(duplicate.score, 3) if duplicate else None,
        text_length=len(redacted),
        receipt_code=receipt_code,
        meeting_id=meeting_id,
        consultation_response_id=consultation_response_id,
        focus_areas=areas,
    )
    session.add(item)
    session.flush()
    return item


_RECEIPT_CODE = re.compile(r"[A-Z0-9]{4}-?[A-Z0-9]{4}")
_RESPONSE_REFERENCE = re.compile(r"H-?[A-Z0-9]{8}")


def normalize_receipt_code(code: str) -> str | None:
    """``XXXX-XXXX`` from a code as people type it (any case, spaces, with or without
    the hyphen); None when it cannot be a receipt code."""
    compact = re.sub(r"\s+", "", code or "").upper()
    if not _RECEIPT_CODE.fullmatch(compact):
        return None
    return f"{compact[:4]}-{compact[-4:]}"


def normalize_response_reference(code: str) -> str | None:
    """``H-XXXXXXXX`` (a consultation response's reference) as people type it."""
    compact = re.sub(r"\s+", "", code or "").upper()
    if not _RESPONSE_REFERENCE.fullmatch(compact):
        return None
    return f"H-{compact[-8:]}"


def find_by_receipt(session: Session, code: str) -> Input | None:
    code = normalize_receipt_code(code)
    if not code:
        return None
    return session.execute(select(Input).where(Input.receipt_code == code)).scalar_one_or_none()


def code_search_condition(query: str) -> ColumnElement[bool] | None:
    """The input a receipt code (suggestion box) or reference (consultation response)
    names, when ``query`` is one; else None."""
    receipt = normalize_receipt_code(query)
    if receipt is not None:
        return Input.receipt_code == receipt
    reference = normalize_response_reference(query)
    if reference is not None:
        return Input.consultation_response_id.in_(
            select(ConsultationResponse.id).where(ConsultationResponse.reference == reference)
        )
    return None


# ------------------------------------------------------------------ the inbox


def text_search_condition(session: Session, query: str) -> ColumnElement[bool]:
    """A WHERE condition matching ``query`` in the redacted text.

    PostgreSQL: full-text search (``norwegian`` configuration, served by the GIN
    index ``ix_input_redacted_text_fts``). SQLite: every word must occur (LIKE).
    """
    words = query.split()
    if not words:
        return true()
    if session.get_bind().dialect.name == "postgresql":
        return func.to_tsvector(FTS_CONFIG, Input.redacted_text).bool_op("@@")(
            func.plainto_tsquery(FTS_CONFIG, query)
        )
    conditions = []
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Input.redacted_text.ilike(f"%{escaped}%", escape="\\"))
    return and_(*conditions)


@dataclass
class InputFilter:
    """Filters the back office offers; every field optional but the process."""

    process_id: int | None = None
    channels: Sequence[str] = ()
    statuses: Sequence[str] = ()
    region_ids: Sequence[int] = ()
    categories: Sequence[str] = ()
    focus_area_ids: Sequence[int] = ()
    written_forms: Sequence[str] = ()
    meeting_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    # None: all; True: only inputs marked as duplicates; False: hide them.
    duplicates: bool | None = None
    search: str = ""
    note_import_id: int | None = None  # only the notes this import created


def filtered_inputs(session: Session, f: InputFilter) -> Select:
    """A SELECT of Input rows matching ``f``, newest first; add paging yourself."""
    query = select(Input).options(selectinload(Input.focus_areas), selectinload(Input.region))
    if f.process_id is not None:
        query = query.where(Input.process_id == f.process_id)
    if f.channels:
        query = query.where(Input.channel.in_(list(f.channels)))
    if f.statuses:
        query = query.where(Input.status.in_(list(f.statuses)))
    if f.region_ids:
        query = query.where(Input.region_id.in_(list(f.region_ids)))
    if f.categories:
        query = query.where(Input.respondent_category.in_(list(f.categories)))
    if f.written_forms:
        query = query.where(Input.written_form.in_(list(f.written_forms)))
    if f.focus_area_ids:
        query = query.where(
            Input.id.in_(
                select(input_focus_area.c.input_id).where(
                    input_focus_area.c.focus_area_id.in_(list(f.focus_area_ids))
                )
            )
        )
    if f.meeting_id is not None:
        query = query.where(Input.meeting_id == f.meeting_id)
    if f.note_import_id is not None:
        query = query.where(
            Input.id.in_(
                select(NoteImportRow.input_id).where(NoteImportRow.import_id == f.note_import_id)
            )
        )
    if f.date_from is not None:
        query = query.where(Input.created_on >= f.date_from)
    if f.date_to is not None:
        query = query.where(Input.created_on <= f.date_to)
    if f.duplicates is True:
        query = query.where(Input.duplicate_of_id.is_not(None))
    elif f.duplicates is False:
        query = query.where(Input.duplicate_of_id.is_(None))
    if f.search.strip():
        # A receipt code or response reference finds its input, as the receipt promises.
        condition = text_search_condition(session, f.search.strip())
        by_code = code_search_condition(f.search)
        query = query.where(condition if by_code is None else or_(by_code, condition))
    return query.order_by(Input.created_on.desc(), Input.id.desc())


def campaign(session: Session, input_id: int) -> ColumnElement[bool] | None:
    """Which inputs make up the campaign ``input_id`` is part of: its original and every
    input marked as the original's duplicate. None when there is no such input."""
    item = session.get(Input, input_id)
    if item is None:
        return None
    root = item.duplicate_of_id or item.id
    return or_(Input.id == root, Input.duplicate_of_id == root)


def duplicate_group(session: Session, input_id: int) -> list[Input]:
    """The original and every input marked as its duplicate, oldest first."""
    members = campaign(session, input_id)
    if members is None:
        return []
    return list(session.execute(select(Input).where(members).order_by(Input.id)).scalars())


@dataclass
class InboxFilter:
    """The inbox's filters: those of ``InputFilter`` plus the review state.

    ``focus_area_ids`` matches an input whose writer chose the area or whose
    reviewer confirmed it.
    """

    base: InputFilter = field(default_factory=InputFilter)
    focus_area_ids: Sequence[int] = ()
    # None: all; True: focus areas confirmed by a reviewer; False: not yet.
    reviewed: bool | None = None


def filtered_query(session: Session, f: InboxFilter):
    query = filtered_inputs(session, replace(f.base, focus_area_ids=()))
    if f.focus_area_ids:
        ids = list(f.focus_area_ids)
        query = query.where(
            or_(
                Input.id.in_(
                    select(input_focus_area.c.input_id).where(
                        input_focus_area.c.focus_area_id.in_(ids)
                    )
                ),
                Input.id.in_(
                    select(ConfirmedFocusArea.input_id).where(
                        ConfirmedFocusArea.focus_area_id.in_(ids)
                    )
                ),
            )
        )
    if f.reviewed is not None:
        reviewed = select(InputReview.input_id).where(
            InputReview.focus_areas_confirmed_at.is_not(None)
        )
        query = query.where(Input.id.in_(reviewed) if f.reviewed else Input.id.not_in(reviewed))
    return query


@dataclass
class InboxPage(Paged):
    items: list[Input]
    total: int
    page: int
    per_page: int
    confirmed: dict[int, list[FocusArea]]
    reviewed: set[int]
    note_counts: dict[int, int]

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def inbox_page(
    session: Session, f: InboxFilter, *, page: int = 1, per_page: int = PER_PAGE
) -> InboxPage:
    """One page of the inbox. The number of queries is fixed (count, rows, and one
    per related collection), however many inputs there are."""
    query = filtered_query(session, f)
    ids = query.with_only_columns(Input.id).order_by(None)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = clamp_page(page, total, per_page)
    items = list(
        session.execute(
            query.options(selectinload(Input.meeting)).limit(per_page).offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    page_ids = [item.id for item in items]
    return InboxPage(
        items=items,
        total=total,
        page=page,
        per_page=per_page,
        confirmed=confirmed_areas(session, page_ids),
        reviewed=reviewed_ids(session, page_ids),
        note_counts=note_counts(session, page_ids),
    )


def confirmed_areas(session: Session, input_ids: Iterable[int]) -> dict[int, list[FocusArea]]:
    ids = list(input_ids)
    result: dict[int, list[FocusArea]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = session.execute(
        select(ConfirmedFocusArea.input_id, FocusArea)
        .join(FocusArea, FocusArea.id == ConfirmedFocusArea.focus_area_id)
        .where(ConfirmedFocusArea.input_id.in_(ids))
        .order_by(FocusArea.position, FocusArea.key)
    ).all()
    for input_id, area in rows:
        result[input_id].append(area)
    return result


def reviewed_ids(session: Session, input_ids: Iterable[int]) -> set[int]:
    ids = list(input_ids)
    if not ids:
        return set()
    return set(
        session.execute(
            select(InputReview.input_id).where(
                InputReview.input_id.in_(ids), InputReview.focus_areas_confirmed_at.is_not(None)
            )
        ).scalars()
    )


def note_counts(session: Session, input_ids: Iterable[int]) -> dict[int, int]:
    ids = list(input_ids)
    if not ids:
        return {}
    return dict(
        session.execute(
            select(InputNote.input_id, func.count(InputNote.id))
            .where(InputNote.input_id.in_(ids))
            .group_by(InputNote.input_id)
        ).all()
    )


# ---------------------------------------------------------------- one input


@dataclass
class InputDetail:
    item: Input
    confirmed: list[FocusArea]
    review: InputReview | None
    notes: list[InputNote]
    duplicates: list[Input]


def get_input(session: Session, input_id: int) -> Input:
    item = session.execute(
        select(Input)
        .options(
            selectinload(Input.focus_areas),
            selectinload(Input.region),
            selectinload(Input.meeting),
            selectinload(Input.consultation_response),
        )
        .where(Input.id == input_id)
    ).scalar_one_or_none()
    if item is None:
        raise InputNotFound()
    return item


def input_detail(session: Session, input_id: int) -> InputDetail:
    item = get_input(session, input_id)
    notes = list(
        session.execute(
            select(InputNote).where(InputNote.input_id == item.id).order_by(InputNote.id)
        ).scalars()
    )
    group = duplicate_group(session, item.id)
    return InputDetail(
        item=item,
        confirmed=confirmed_areas(session, [item.id])[item.id],
        review=session.get(InputReview, item.id),
        notes=notes,
        duplicates=[other for other in group if other.id != item.id] if len(group) > 1 else [],
    )


def has_original(item: Input) -> bool:
    """Whether staff can see a text as received that differs from the redacted one
    (never for the suggestion box, which stores only the redacted text)."""
    return item.channel != InputChannel.SUGGESTION_BOX and item.text != item.redacted_text


def original_text(session: Session, actor: User, input_id: int) -> Input:
    """An input's text as received, for a staff member; every view is recorded."""
    item = get_input(session, input_id)
    if not has_original(item):
        raise InputNotFound()
    audit.record(session, actor, "input.original", "input", item.id)
    session.flush()
    return item


# ------------------------------------------------------------------ moderation and tagging


def set_status(
    session: Session, input_id: int, status: InputStatus | str, hidden_reason: str | None = None
) -> Input:
    """Moderate an input: new, published or hidden (with an optional reason)."""
    item = get_or_raise(session, Input, input_id, InputNotFound)
    if str(status) not in {s.value for s in InputStatus}:
        raise InvalidStatus()
    item.status = str(status)
    item.hidden_reason = (hidden_reason or "").strip() or None if status == "hidden" else None
    session.flush()
    return item


def _check_publishable(item: Input) -> None:
    response = item.consultation_response
    if response is None:
        return
    if not response.may_publish:
        raise NotPublishable()
    if response.published_at is None:
        raise NotApproved()


def publish(session: Session, actor: User, input_id: int, *, bulk: bool = False) -> Input:
    """Publish an input (its redacted text). A consultation response whose writer
    did not allow publication cannot be published."""
    item = get_or_raise(session, Input, input_id, InputNotFound)
    _check_publishable(item)
    set_status(session, item.id, InputStatus.PUBLISHED)
    audit.record(session, actor, "input.publish", "input", item.id, details=_bulk(bulk))
    return item


def hide(
    session: Session, actor: User, input_id: int, reason: str = "", *, bulk: bool = False
) -> Input:
    """Hide an input. A hidden consultation response is off the consultation page too
    (see ``ConsultationResponse.is_published``)."""
    item = get_or_raise(session, Input, input_id, InputNotFound)
    set_status(session, item.id, InputStatus.HIDDEN, hidden_reason=reason)
    audit.record(session, actor, "input.hide", "input", item.id, details=_bulk(bulk))
    return item


def reset(session: Session, actor: User, input_id: int, *, bulk: bool = False) -> Input:
    item = get_or_raise(session, Input, input_id, InputNotFound)
    set_status(session, item.id, InputStatus.NEW)
    audit.record(session, actor, "input.reset", "input", item.id, details=_bulk(bulk))
    return item


def _bulk(bulk: bool) -> dict:
    return {"bulk": True} if bulk else {}


def edit_redaction(session: Session, actor: User, input_id: int, redacted_text: str) -> Input:
    """Replace the redacted text (e.g. to remove a name the automatic redaction
    missed). A consultation response or workshop note keeps its text as received,
    for staff only; a suggestion keeps nothing else, so the removed words are gone."""
    item = get_or_raise(session, Input, input_id, InputNotFound)
    text = normalize_newlines(redacted_text).strip()
    if not text:
        raise EmptyText()
    if text == item.redacted_text:
        return item
    if item.channel == InputChannel.SUGGESTION_BOX:
        item.text = text
    item.redacted_text = text
    item.text_length = len(text)
    item.fingerprint = fingerprint(text)
    session.flush()
    audit.record(session, actor, "input.redaction", "input", item.id)
    return item


def confirm_focus_areas(
    session: Session,
    actor: User,
    input_id: int,
    focus_area_ids: Iterable[int],
    *,
    now: datetime | None = None,
) -> list[FocusArea]:
    """Set the confirmed focus areas of an input (possibly none: "none apply").

    These are the labels the analysis learns from."""
    now = now or utcnow()
    item = get_or_raise(session, Input, input_id, InputNotFound)
    areas = _focus_areas(session, focus_area_ids)
    wanted = {area.id for area in areas}
    current = set(
        session.execute(
            select(ConfirmedFocusArea.focus_area_id).where(ConfirmedFocusArea.input_id == item.id)
        ).scalars()
    )
    added, removed = wanted - current, current - wanted
    if removed:
        session.execute(
            delete(ConfirmedFocusArea).where(
                ConfirmedFocusArea.input_id == item.id,
                ConfirmedFocusArea.focus_area_id.in_(removed),
            )
        )
    for area_id in sorted(added):
        _add_confirmed(session, actor, item.id, area_id, now)
    _mark_reviewed(session, actor, item.id, now)
    session.flush()
    keys = {area.id: area.key for area in areas}
    removed_keys = (
        list(session.execute(select(FocusArea.key).where(FocusArea.id.in_(removed))).scalars())
        if removed
        else []
    )
    _record_areas(
        session,
        actor,
        item,
        confirmed=sorted(keys.values()),
        added=sorted(keys[i] for i in added),
        removed=sorted(removed_keys),
    )
    return sorted(areas, key=lambda a: (a.position, a.key))


def add_confirmed_focus_area(
    session: Session, actor: User, input_id: int, focus_area_id: int, *, now=None
) -> None:
    """Bulk tagging: add one confirmed area, keeping the ones already confirmed."""
    now = now or utcnow()
    item = get_or_raise(session, Input, input_id, InputNotFound)
    if session.get(FocusArea, focus_area_id) is None:
        raise UnknownFocusArea()
    if session.get(ConfirmedFocusArea, (item.id, focus_area_id)) is None:
        _add_confirmed(session, actor, item.id, focus_area_id, now)
    _mark_reviewed(session, actor, item.id, now)
    session.flush()
    _record_areas(
        session, actor, item, added=[session.get(FocusArea, focus_area_id).key], bulk=True
    )


def _record_areas(session: Session, actor: User, item: Input, **details) -> None:
    audit.record(session, actor, "input.focus_areas", "input", item.id, details=details)


def _add_confirmed(
    session: Session, actor: User, input_id: int, focus_area_id: int, now: datetime
) -> None:
    session.add(
        ConfirmedFocusArea(
            input_id=input_id,
            focus_area_id=focus_area_id,
            confirmed_by_id=actor.id,
            confirmed_at=now,
        )
    )


def _mark_reviewed(session: Session, actor: User, input_id: int, now: datetime) -> None:
    review = session.get(InputReview, input_id)
    if review is None:
        review = InputReview(input_id=input_id)
        session.add(review)
    review.focus_areas_confirmed_at = now
    review.focus_areas_confirmed_by_id = actor.id


def add_note(session: Session, actor: User, input_id: int, text: str) -> InputNote:
    item = get_or_raise(session, Input, input_id, InputNotFound)
    text = normalize_newlines(text).strip()
    if not text:
        raise EmptyText()
    note = InputNote(input_id=item.id, user_id=actor.id, author=actor.email, text=text)
    session.add(note)
    session.flush()
    audit.record(session, actor, "input.note", "input", item.id)
    return note


def mark_not_duplicate(session: Session, actor: User | None, input_id: int) -> Input:
    """A reviewer decides an input marked as a duplicate is its own input after all."""
    item = get_or_raise(session, Input, input_id, InputNotFound)
    item.duplicate_of_id = None
    item.duplicate_kind = None
    item.duplicate_score = None
    session.flush()
    audit.record(session, actor, "input.duplicate", "input", item.id, details={"duplicate": False})
    return item


BULK_ACTIONS = ("publish", "hide", "reset", "tag", "not_duplicate")


@dataclass
class BulkOutcome:
    done: int = 0
    skipped: int = 0  # e.g. responses that may not be published


def bulk(
    session: Session,
    actor: User,
    input_ids: Iterable[int],
    action: str,
    *,
    reason: str = "",
    focus_area_id: int | None = None,
) -> BulkOutcome:
    """Apply one action to a selection of inputs (at most MAX_BULK)."""
    if action not in BULK_ACTIONS:
        raise UnknownAction()
    ids = sorted({int(i) for i in input_ids})[:MAX_BULK]
    existing = set(session.execute(select(Input.id).where(Input.id.in_(ids))).scalars())
    outcome = BulkOutcome()
    if action == "tag" and (focus_area_id is None or session.get(FocusArea, focus_area_id) is None):
        raise UnknownFocusArea()
    for input_id in ids:
        if input_id not in existing:
            outcome.skipped += 1
            continue
        try:
            if action == "publish":
                publish(session, actor, input_id, bulk=True)
            elif action == "hide":
                hide(session, actor, input_id, reason, bulk=True)
            elif action == "reset":
                reset(session, actor, input_id, bulk=True)
            elif action == "tag":
                add_confirmed_focus_area(session, actor, input_id, focus_area_id)
            else:
                mark_not_duplicate(session, actor, input_id)
        except (NotPublishable, NotApproved):
            outcome.skipped += 1
            continue
        outcome.done += 1
    audit.record(
        session,
        actor,
        "input.bulk",
        details={"action": action, "done": outcome.done, "skipped": outcome.skipped},
    )
    return outcome


# ------------------------------------------------------------------ focus areas


def active_focus_areas(session: Session, process_id: int | None = None) -> list[FocusArea]:
    """The focus areas forms offer and the analysis uses, in their list order: the
    process's set (a process that has chosen none uses every area), or all."""
    if process_id is not None:
        chosen = processes.focus_areas(session, process_id)
        if chosen or processes.focus_areas(session, process_id, active_only=False):
            return chosen
    return list(
        session.execute(
            select(FocusArea)
            .where(FocusArea.active.is_(True))
            .order_by(FocusArea.position, FocusArea.key)
        ).scalars()
    )


@dataclass
class FocusAreaData:
    name_nb: str
    name_nn: str
    name_en: str
    description_nb: str = ""
    description_nn: str = ""
    description_en: str = ""
    # Northern Sami, optional (empty: Bokmål is shown on the Sami pages).
    name_se: str = ""
    description_se: str = ""
    seed_terms: list[str] = field(default_factory=list)
    position: int = 0
    active: bool = True


def parse_terms(raw: str) -> list[str]:
    """Seed terms from a text box: one per line or separated by commas; each once."""
    seen: list[str] = []
    for term in re.split(r"[,\n;]", raw or ""):
        term = " ".join(term.split()).lower()
        if term and term not in seen:
            seen.append(term)
    return seen


def list_focus_areas(session: Session) -> list[FocusArea]:
    return list(
        session.execute(select(FocusArea).order_by(FocusArea.position, FocusArea.key)).scalars()
    )


def _apply(area: FocusArea, data: FocusAreaData) -> list[str]:
    changed = []
    for name, value in vars(data).items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(area, name) != value:
            changed.append(name)
            setattr(area, name, value)
    return sorted(changed)


def create_focus_area(session: Session, actor: User, key: str, data: FocusAreaData) -> FocusArea:
    key = key.strip().lower()
    if session.execute(select(FocusArea.id).where(FocusArea.key == key)).first():
        raise KeyTaken()
    area = FocusArea(key=key, name_nb="", name_nn="", name_en="", seed_terms=[])
    _apply(area, data)
    session.add(area)
    session.flush()
    audit.record(session, actor, "focus_area.create", "focus_area", area.id, details={"key": key})
    return area


def update_focus_area(
    session: Session, actor: User, focus_area_id: int, data: FocusAreaData
) -> FocusArea:
    area = get_or_raise(session, FocusArea, focus_area_id, UnknownFocusArea)
    changed = _apply(area, data)
    session.flush()
    audit.record(
        session, actor, "focus_area.update", "focus_area", area.id, details={"changed": changed}
    )
    return area
