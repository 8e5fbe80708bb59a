"""The common inbox: creating inputs from any channel, duplicates, workshop notes,
and query helpers for the back office.

Every channel creates its ``Input`` through :func:`create_input`, which redacts
personal data, detects the written form (Bokmål, Nynorsk, other) and marks exact
and near duplicates. Functions take a session, flush, and leave the commit to the
caller.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from participation.models import (
    DuplicateKind,
    FocusArea,
    Input,
    InputChannel,
    InputStatus,
    Meeting,
    Region,
    RespondentCategory,
    input_focus_area,
    utcnow,
)
from participation.models.inputs import FTS_CONFIG
from participation.redaction import redact

OSLO = ZoneInfo("Europe/Oslo")

# No 0/O, 1/I/L: codes are read aloud on the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

# Near duplicates: Jaccard similarity of character 5-gram shingles of the
# normalised text, against the most recent inputs of similar length.
SHINGLE_SIZE = 5
NEAR_DUPLICATE_THRESHOLD = 0.8
NEAR_DUPLICATE_CANDIDATES = 500

NOTE_MAX_LENGTH = 20000


class InputError(Exception):
    """Input the rules refuse; nothing was stored."""


class UnknownMeeting(InputError):
    pass


class UnknownRegion(InputError):
    pass


class UnknownFocusArea(InputError):
    pass


class UnknownCategory(InputError):
    pass


class EmptyText(InputError):
    pass


# ------------------------------------------------------------------ creating


def today_in_oslo(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(OSLO).date()


def new_code(length: int = 8) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return f"{raw[:4]}-{raw[4:]}" if length == 8 else raw


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
    session: Session, text: str, *, exclude_id: int | None = None
) -> DuplicateMatch | None:
    """The earlier input this text repeats, exactly or nearly, if any."""
    print_ = fingerprint(text)
    query = select(Input.id, Input.duplicate_of_id).where(Input.fingerprint == print_)
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
    ids = sorted({int(i) for i in ids})
    if not ids:
        return []
    areas = list(session.execute(select(FocusArea).where(FocusArea.id.in_(ids))).scalars())
    if len(areas) != len(ids):
        raise UnknownFocusArea()
    return areas


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
) -> Input:
    """Add one input: redacted, language detected, duplicates marked. Flushes."""
    from analysis.text import detect_written_form

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
    duplicate = find_duplicate(session, redacted)
    item = Input(
        channel=str(channel),
        text=text,
        redacted_text=redacted,
        region_id=region_id,
        respondent_category=respondent_category or None,
        written_form=detect_written_form(redacted),
        created_on=created_on or today_in_oslo(),
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


def normalize_newlines(text: str) -> str:
    # Browsers send CRLF from a textarea; count and store one character per line break.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def find_by_receipt(session: Session, code: str) -> Input | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return session.execute(select(Input).where(Input.receipt_code == code)).scalar_one_or_none()


# ------------------------------------------------------------------ moderation


class InvalidStatus(InputError):
    pass


def set_status(
    session: Session, input_id: int, status: InputStatus | str, hidden_reason: str | None = None
) -> Input:
    """Moderate an input: new, published or hidden (with an optional reason)."""
    item = session.get(Input, input_id)
    if item is None:
        raise LookupError(input_id)
    if str(status) not in {s.value for s in InputStatus}:
        raise InvalidStatus()
    item.status = str(status)
    item.hidden_reason = (hidden_reason or "").strip() or None if status == "hidden" else None
    session.flush()
    return item


def mark_not_duplicate(session: Session, input_id: int) -> Input:
    """A reviewer decides an input marked as a duplicate is its own input after all."""
    item = session.get(Input, input_id)
    if item is None:
        raise LookupError(input_id)
    item.duplicate_of_id = None
    item.duplicate_kind = None
    item.duplicate_score = None
    session.flush()
    return item


# ------------------------------------------------------------------ workshop notes


def record_workshop_note(
    session: Session,
    *,
    meeting_id: int,
    text: str,
    respondent_category: str | None = None,
    focus_area_ids: Iterable[int] = (),
    region_id: int | None = None,
    created_on: date | None = None,
) -> Input:
    """One note from an input meeting (flip-chart, minutes), tied to that meeting.

    Region and date default to the meeting's region and its day in Europe/Oslo.
    """
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise UnknownMeeting()
    if len(normalize_newlines(text).strip()) > NOTE_MAX_LENGTH:
        raise InputError("text too long")
    return create_input(
        session,
        channel=InputChannel.WORKSHOP_NOTE,
        text=text,
        region_id=region_id if region_id is not None else meeting.region_id,
        respondent_category=respondent_category,
        focus_area_ids=focus_area_ids,
        created_on=created_on or meeting.starts_at.astimezone(OSLO).date(),
        meeting_id=meeting.id,
    )


NOTE_ERRORS = {
    "no_text_column": _l("The file has no column named “text”."),
    "no_meeting_column": _l(
        "The file needs a “meeting_id” or “region” column, or choose a meeting for the whole file."
    ),
    "empty_text": _l("The text is empty."),
    "text_too_long": _l("The text is longer than 20000 characters."),
    "unknown_meeting": _l("There is no meeting with this id."),
    "unknown_region": _l("There is no region with this name."),
    "ambiguous_region": _l("The region has more than one meeting; give meeting_id instead."),
    "region_without_meeting": _l("The region has no meeting; give meeting_id instead."),
    "unknown_category": _l("Unknown category."),
    "unknown_focus_area": _l("Unknown focus area."),
    "bad_date": _l("The date must be written as YYYY-MM-DD or DD.MM.YYYY."),
    "empty_file": _l("The file has no rows."),
    "not_csv": _l("The file could not be read as CSV (UTF-8, comma or semicolon separated)."),
}


@dataclass(frozen=True)
class RowError:
    line: int  # line number in the file, header = 1
    code: str  # a key of NOTE_ERRORS
    value: str = ""

    @property
    def message(self):
        return NOTE_ERRORS[self.code]


@dataclass
class NoteImportReport:
    created: list[Input] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows-1252 from older Excel as a fallback."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_CATEGORY_ALIASES = {
    "privatperson": "citizen",
    "innbygger": "citizen",
    "naeringsliv": "business",
    "næringsliv": "business",
    "bedrift": "business",
    "kommune": "municipality",
    "fylke/stat": "county_state",
    "public_sector": "county_state",
    "fou": "research_education",
    "organisasjon": "organisation",
    "organisasjon/forening": "organisation",
}


def _parse_date(value: str) -> date | None:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def import_workshop_notes(
    session: Session, source: str, *, default_meeting_id: int | None = None
) -> NoteImportReport:
    """Workshop notes from CSV text; all rows or none.

    Columns (header row, any order, comma or semicolon separated): ``text``
    (required); ``meeting_id`` or ``region`` (slug or name of a region with one
    meeting) unless ``default_meeting_id`` is given; optional ``category``
    (a RespondentCategory value), ``focus_areas`` (keys separated by ``;``, ``,``
    or ``|``) and ``date`` (YYYY-MM-DD or DD.MM.YYYY; default the meeting's day).
    When any row is wrong, nothing is stored and every error is reported with its
    line number.
    """
    report = NoteImportReport()
    header = source.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.DictReader(io.StringIO(source.lstrip("\ufeff")), delimiter=delimiter)
    try:
        fieldnames = [(name or "").strip().lower() for name in reader.fieldnames or []]
    except csv.Error:
        report.errors.append(RowError(1, "not_csv"))
        return report
    reader.fieldnames = fieldnames
    if "text" not in fieldnames:
        report.errors.append(RowError(1, "no_text_column"))
        return report
    if default_meeting_id is None and "meeting_id" not in fieldnames and "region" not in fieldnames:
        report.errors.append(RowError(1, "no_meeting_column"))
        return report
    if default_meeting_id is not None and session.get(Meeting, default_meeting_id) is None:
        report.errors.append(RowError(1, "unknown_meeting", str(default_meeting_id)))
        return report

    areas_by_key = {a.key: a.id for a in session.execute(select(FocusArea)).scalars()}
    meetings_by_region: dict[str, set[int]] = {}
    for meeting_id, slug, name in session.execute(
        select(Meeting.id, Region.slug, Region.name).join(Region, Meeting.region_id == Region.id)
    ):
        meetings_by_region.setdefault(slug.lower(), set()).add(meeting_id)
        meetings_by_region.setdefault(name.lower(), set()).add(meeting_id)
    categories = {c.value for c in RespondentCategory}

    rows = []
    try:
        for row in reader:
            line = reader.line_num
            values = {k: (v or "").strip() for k, v in row.items() if k}
            if not any(values.values()):
                continue
            errors_before = len(report.errors)
            text = normalize_newlines(values.get("text", "")).strip()
            if not text:
                report.errors.append(RowError(line, "empty_text"))
            elif len(text) > NOTE_MAX_LENGTH:
                report.errors.append(RowError(line, "text_too_long"))

            meeting_id = default_meeting_id
            if values.get("meeting_id"):
                raw = values["meeting_id"]
                if raw.isdigit() and session.get(Meeting, int(raw)) is not None:
                    meeting_id = int(raw)
                else:
                    report.errors.append(RowError(line, "unknown_meeting", raw))
            elif values.get("region"):
                found = meetings_by_region.get(values["region"].lower())
                if found is None:
                    report.errors.append(RowError(line, "unknown_region", values["region"]))
                elif len(found) > 1:
                    report.errors.append(RowError(line, "ambiguous_region", values["region"]))
                else:
                    meeting_id = next(iter(found))
            elif meeting_id is None:
                report.errors.append(RowError(line, "unknown_meeting", ""))

            category = values.get("category", "").lower() or None
            if category:
                category = _CATEGORY_ALIASES.get(category, category)
                if category not in categories:
                    report.errors.append(RowError(line, "unknown_category", values["category"]))

            area_ids = []
            for key in re.split(r"[;,|]", values.get("focus_areas", "")):
                key = key.strip()
                if not key:
                    continue
                if key in areas_by_key:
                    area_ids.append(areas_by_key[key])
                else:
                    report.errors.append(RowError(line, "unknown_focus_area", key))

            created_on = None
            if values.get("date"):
                try:
                    created_on = _parse_date(values["date"])
                except ValueError:
                    report.errors.append(RowError(line, "bad_date", values["date"]))
            if len(report.errors) == errors_before:
                rows.append((meeting_id, text, category, area_ids, created_on))
    except csv.Error:
        report.errors.append(RowError(reader.line_num, "not_csv"))
    if not rows and not report.errors:
        report.errors.append(RowError(1, "empty_file"))
    if report.errors:
        return report

    for meeting_id, text, category, area_ids, created_on in rows:
        report.created.append(
            record_workshop_note(
                session,
                meeting_id=meeting_id,
                text=text,
                respondent_category=category,
                focus_area_ids=area_ids,
                created_on=created_on,
            )
        )
    return report


# ------------------------------------------------------------------ reading (back office)


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
    """Filters the back office offers; every field optional."""

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


def filtered_inputs(session: Session, f: InputFilter) -> Select:
    """A SELECT of Input rows matching ``f``, newest first; add paging yourself."""
    query = select(Input).options(selectinload(Input.focus_areas), selectinload(Input.region))
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
    if f.date_from is not None:
        query = query.where(Input.created_on >= f.date_from)
    if f.date_to is not None:
        query = query.where(Input.created_on <= f.date_to)
    if f.duplicates is True:
        query = query.where(Input.duplicate_of_id.is_not(None))
    elif f.duplicates is False:
        query = query.where(Input.duplicate_of_id.is_(None))
    if f.search.strip():
        query = query.where(text_search_condition(session, f.search.strip()))
    return query.order_by(Input.created_on.desc(), Input.id.desc())


def duplicate_group(session: Session, input_id: int) -> list[Input]:
    """The original and every input marked as its duplicate, oldest first."""
    item = session.get(Input, input_id)
    if item is None:
        return []
    root = item.duplicate_of_id or item.id
    return list(
        session.execute(
            select(Input)
            .where(or_(Input.id == root, Input.duplicate_of_id == root))
            .order_by(Input.id)
        ).scalars()
    )
