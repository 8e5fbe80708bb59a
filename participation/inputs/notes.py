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
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.common import LOCAL_TIMEZONE, normalize_newlines
from participation.inputs.service import InputError, UnknownMeeting, create_input
from participation.models import (
    FocusArea,
    Input,
    InputChannel,
    Meeting,
    Region,
    RespondentCategory,
    User,
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
    session: Session,
    source: str,
    *,
    default_meeting_id: int | None = None,
    actor: User | None = None,
    process_id: int | None = None,
) -> NoteImportReport:
    """Workshop notes from CSV text; all rows or none.

    Columns (header row, any order, comma or semicolon separated): ``text``
    (required); ``meeting_id`` or ``region`` (slug or name of a region with one
    meeting) unless ``default_meeting_id`` is given; optional ``category``
    (a RespondentCategory value), ``focus_areas`` (keys separated by ``;``, ``,``
    or ``|``) and ``date`` (YYYY-MM-DD or DD.MM.YYYY; default the meeting's day).
    When any row is wrong, nothing is stored and every error is reported with its
    line number. With ``process_id``, only that process's meetings are known.
    """
    report = NoteImportReport()

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
    if actor is not None:
        audit.record(session, actor, "input.import", details={"created": len(report.created)})
    return report
