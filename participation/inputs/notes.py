"""Workshop notes: what was said at an input meeting, typed in or imported from CSV.

A note is an ``Input`` of the channel ``workshop_note`` tied to its meeting; it is
created through ``inputs.service.create_input`` like every other input.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from participation import audit
from participation.common import LOCAL_TIMEZONE, normalize_newlines
from participation.db import begin_write
from participation.inputs.service import InputError, UnknownMeeting, create_input
from participation.models import (
    FocusArea,
    Input,
    InputChannel,
    Meeting,
    NoteImport,
    NoteImportRow,
    Region,
    RespondentCategory,
    User,
    utcnow,
)

NOTE_MAX_LENGTH = 20000


def record_workshop_note(
    session: Session,
    *,
    meeting_id: int,
    text: str,
    respondent_category: str | None = None,
    focus_area_ids: Iterable[int] = (),
    region_id: int | None = None,
    created_on: date | None = None,
    actor: User | None = None,
    process_id: int | None = None,
) -> Input:
    """One note from an input meeting (flip-chart, minutes), tied to that meeting and
    its process (a meeting of another process than ``process_id`` is not found).

    Region and date default to the meeting's region and its local day.
    """
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or (process_id is not None and meeting.process_id != process_id):
        raise UnknownMeeting()
    if len(normalize_newlines(text).strip()) > NOTE_MAX_LENGTH:
        raise InputError("text too long")
    item = create_input(
        session,
        channel=InputChannel.WORKSHOP_NOTE,
        text=text,
        region_id=region_id if region_id is not None else meeting.region_id,
        respondent_category=respondent_category,
        focus_area_ids=focus_area_ids,
        created_on=created_on or meeting.starts_at.astimezone(LOCAL_TIMEZONE).date(),
        meeting_id=meeting.id,
        process_id=meeting.process_id,
    )
    if actor is not None:
        audit.record(session, actor, "input.create", "input", item.id)
    return item


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

# What is wrong with an uploaded file as a whole (checked before anything is kept).
FILE_ERRORS = {
    "empty_file": NOTE_ERRORS["empty_file"],
    "too_large": _l("The file is larger than %(mb)d MB. Split it into smaller files."),
    "too_many_rows": _l("The file has more than %(rows)d rows. Split it into smaller files."),
    "spreadsheet": _l(
        "This is a spreadsheet, not a CSV file. Save it as CSV (UTF-8) and choose that file."
    ),
    "not_text": _l("The file is not a text file. Choose a CSV file (UTF-8)."),
    "not_csv": NOTE_ERRORS["not_csv"],
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
class _RowErrors:
    """A result that lists its rows' errors; ok when there are none."""

    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class NoteImportReport(_RowErrors):
    created: list[Input] = field(default_factory=list)


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


@dataclass(frozen=True)
class NoteRow:
    """One checked data row of a workshop-notes file."""

    meeting_id: int
    text: str
    category: str | None
    area_ids: tuple[int, ...]
    created_on: date | None


@dataclass
class ParsedNotes(_RowErrors):
    rows: list[NoteRow] = field(default_factory=list)


def parse_workshop_notes(
    session: Session,
    source: str,
    *,
    default_meeting_id: int | None = None,
    process_id: int | None = None,
) -> ParsedNotes:
    """Check every row of a workshop-notes CSV text; writes nothing.

    Columns (header row, any order, comma or semicolon separated): ``text``
    (required); ``meeting_id`` or ``region`` (slug or name of a region with one
    meeting) unless ``default_meeting_id`` is given; optional ``category``
    (a RespondentCategory value), ``focus_areas`` (keys separated by ``;``, ``,``
    or ``|``) and ``date`` (YYYY-MM-DD or DD.MM.YYYY; default the meeting's day).
    Every error is reported with its line number. With ``process_id``, only that
    process's meetings are known.
    """
    report = ParsedNotes()

    def meeting_known(meeting_id: int) -> bool:
        meeting = session.get(Meeting, meeting_id)
        return meeting is not None and process_id in (None, meeting.process_id)

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
    if default_meeting_id is not None and not meeting_known(default_meeting_id):
        report.errors.append(RowError(1, "unknown_meeting", str(default_meeting_id)))
        return report

    areas_by_key = {a.key: a.id for a in session.execute(select(FocusArea)).scalars()}
    meetings_by_region: dict[str, set[int]] = {}
    by_region = select(Meeting.id, Region.slug, Region.name).join(
        Region, Meeting.region_id == Region.id
    )
    if process_id is not None:
        by_region = by_region.where(Meeting.process_id == process_id)
    for meeting_id, slug, name in session.execute(by_region):
        meetings_by_region.setdefault(slug.lower(), set()).add(meeting_id)
        meetings_by_region.setdefault(name.lower(), set()).add(meeting_id)
    categories = {c.value for c in RespondentCategory}

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
                if raw.isdigit() and meeting_known(int(raw)):
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
                report.rows.append(NoteRow(meeting_id, text, category, tuple(area_ids), created_on))
    except csv.Error:
        report.errors.append(RowError(reader.line_num, "not_csv"))
    if not report.rows and not report.errors:
        report.errors.append(RowError(1, "empty_file"))
    return report


def import_workshop_notes(
    session: Session,
    source: str,
    *,
    default_meeting_id: int | None = None,
    actor: User | None = None,
    process_id: int | None = None,
) -> NoteImportReport:
    """Workshop notes from CSV text, in one transaction; all rows or none (the
    command line's import; the back office's runs as a job, see ``NoteImport``).

    When any row is wrong (see ``parse_workshop_notes``), nothing is stored and every
    error is reported with its line number.
    """
    parsed = parse_workshop_notes(
        session, source, default_meeting_id=default_meeting_id, process_id=process_id
    )
    report = NoteImportReport(errors=parsed.errors)
    if not parsed.ok:
        return report
    for row in parsed.rows:
        report.created.append(_record(session, row))
    if actor is not None:
        audit.record(session, actor, "input.import", details={"created": len(report.created)})
    return report


def _record(session: Session, row: NoteRow) -> Input:
    return record_workshop_note(
        session,
        meeting_id=row.meeting_id,
        text=row.text,
        respondent_category=row.category,
        focus_area_ids=row.area_ids,
        created_on=row.created_on,
    )


# ---------------------------------------------------------------- the uploaded file


class NoteFileError(InputError):
    """The uploaded file as a whole cannot be imported; ``code`` is a FILE_ERRORS key."""

    def __init__(self, code: str, **values) -> None:
        super().__init__(code)
        self.code = code
        self.values = values

    @property
    def message(self) -> str:
        return FILE_ERRORS[self.code] % self.values if self.values else FILE_ERRORS[self.code]


_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx/ods (zip), xls (OLE)


def read_note_file(data: bytes, *, filename: str = "", max_bytes: int, max_rows: int) -> str:
    """The text of an uploaded workshop-notes file, or :class:`NoteFileError`: empty,
    too large, a spreadsheet or other binary file, more than ``max_rows`` lines.
    UTF-8 (with or without BOM), or Windows-1252 from older Excel."""
    if filename.lower().rsplit(".", 1)[-1] in ("xlsx", "xls", "xlsm", "ods", "numbers"):
        raise NoteFileError("spreadsheet")
    if not data.strip():
        raise NoteFileError("empty_file")
    if len(data) > max_bytes:
        raise NoteFileError("too_large", mb=max(1, max_bytes // (1024 * 1024)))
    if data.startswith(_SPREADSHEET_MAGIC):
        raise NoteFileError("spreadsheet")
    if b"\x00" in data:  # UTF-16 or a binary file
        raise NoteFileError("not_text")
    source = decode_csv_bytes(data)
    controls = sum(1 for c in source if ord(c) < 32 and c not in "\t\r\n")
    if controls or source.count("\ufffd") > max(3, len(source) // 100):
        raise NoteFileError("not_text")
    if normalize_newlines(source).count("\n") > max_rows:
        raise NoteFileError("too_many_rows", rows=max_rows)
    return source


# ---------------------------------------------------------------- import as a job

NOTE_IMPORT_DONE = "done"
NOTE_IMPORT_ENDED = ("done", "cancelled", "failed")


class ImportMoved(InputError):
    """Another attempt has imported these rows, or the import has ended."""


def create_note_import(
    session: Session,
    actor: User | None,
    *,
    source: str,
    rows: int,
    filename: str = "",
    default_meeting_id: int | None = None,
    process_id: int | None,
) -> NoteImport:
    """Keep a checked file for the job that imports it. Flushes; the caller commits."""
    found = NoteImport(
        process_id=process_id,
        created_by_id=actor.id if actor is not None else None,
        filename=(filename or "")[:200],
        source=source,
        default_meeting_id=default_meeting_id,
        rows_total=rows,
        rows_done=0,
        status="queued",
    )
    session.add(found)
    session.flush()
    return found


def import_chunk(
    session: Session, import_id: int, rows: list[NoteRow], start: int, size: int
) -> int:
    """Import ``rows[start:start + size]`` and move the import's ``rows_done`` from
    ``start`` to the end of the chunk, in the caller's transaction (commit it before
    reporting progress). Raises :class:`ImportMoved` when ``rows_done`` is no longer
    ``start`` (an attempt that took over got there first, or the import ended): the
    conditional UPDATE comes first and holds the row, so two attempts cannot both
    import a chunk. Returns the new ``rows_done``."""
    end = min(start + size, len(rows))
    begin_write(session)
    moved = session.execute(
        update(NoteImport)
        .where(
            NoteImport.id == import_id,
            NoteImport.rows_done == start,
            NoteImport.finished_at.is_(None),
        )
        .values(rows_done=end, status="importing")
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise ImportMoved()
    for number in range(start, end):
        item = _record(session, rows[number])
        session.add(NoteImportRow(import_id=import_id, row=number, input_id=item.id))
    session.flush()
    return end


def finish_note_import(
    session: Session, import_id: int, status: str, actor: User | None
) -> NoteImport | None:
    """End an import (``done``, ``cancelled`` or ``failed``) once: forget the file and
    record the audit entry with what was imported. None when it had already ended.
    Flushes; the caller commits."""
    begin_write(session)
    ended = session.execute(
        update(NoteImport)
        .where(NoteImport.id == import_id, NoteImport.finished_at.is_(None))
        .values(status=status, finished_at=utcnow(), source=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if ended != 1:
        return None
    found = session.get(NoteImport, import_id, populate_existing=True)
    details = {"created": imported_count(session, import_id), "import": import_id}
    if status != NOTE_IMPORT_DONE:
        details["ended"] = status
    audit.record(session, actor, "input.import", "note_import", import_id, details=details)
    session.flush()
    return found


def imported_count(session: Session, import_id: int, *, duplicates: bool = False) -> int:
    query = select(func.count(NoteImportRow.row)).where(NoteImportRow.import_id == import_id)
    if duplicates:
        query = query.join(Input, Input.id == NoteImportRow.input_id).where(
            Input.duplicate_of_id.is_not(None)
        )
    return session.scalar(query) or 0
