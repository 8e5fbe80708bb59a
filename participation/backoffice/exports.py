"""Downloads: inputs, registrations and consultation responses as CSV or Excel.

Exports (CSV and Excel) stream, so 100 000 rows take little memory.

Rows are read in keyset batches (``WHERE id > last ORDER BY id LIMIT n``) with
each batch's related rows loaded by one query per relation, then released from
the session; CSV is written row by row into the response; Excel is written by
openpyxl in write-only mode to a temporary file that is then sent.

Every text cell that a spreadsheet could read as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import IO
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from participation import audit, formatting
from participation.backoffice.blueprint import actor, bp, current_process_id, staff_required
from participation.common import LOCAL_TIMEZONE
from participation.consultation import service as consultation
from participation.extensions import db
from participation.inputs.admin import filter_args, filter_form, inbox_filter
from participation.inputs.service import (
    InboxFilter,
    InputFilter,
    confirmed_areas,
    filtered_query,
)
from participation.labels import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    DUPLICATE_LABELS,
    INPUT_STATUS_LABELS,
    REGISTRATION_STATUS_LABELS,
    STANCE_LABELS,
    WRITTEN_FORM_LABELS,
)
from participation.meetings import service as meeting_service
from participation.models import (
    ConsultationResponse,
    DraftSection,
    DraftStrategy,
    Input,
    Meeting,
    Registration,
    utcnow,
)
from participation.processes import service as processes

BATCH = 1000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Builders of the sheets of each export, by kind, from JSON parameters: the same for
# a download made at once and for one built by a job on a worker.
BUILDERS: dict[str, Callable[[Session, dict], list[Sheet]]] = {}
# Rows in an export, by kind (a quick count, to choose between at once and a job).
COUNTERS: dict[str, Callable[[Session, dict], int]] = {}


def builder(kind: str, counter: Callable[[Session, dict], int]) -> Callable:
    """Register how an export of ``kind`` is built from its parameters (a decorator)."""

    def register(build: Callable[[Session, dict], list[Sheet]]):
        BUILDERS[kind] = build
        COUNTERS[kind] = counter
        return build

    return register


def neutralise(value):
    """A cell value that no spreadsheet will evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclass
class Sheet:
    """One table to export: a title, the column headings and a row iterator."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    # Per column, "text" (long free text), "datetime" or "" (see ``column_width``).
    kinds: Sequence[str] = ()


# ---------------------------------------------------------------- writers


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime | date):
        # Machine-readable: local time with its offset, whole seconds.
        return formatting.iso(value)
    return str(neutralise(value) if isinstance(value, str) else value)


def csv_stream(sheet: Sheet, *, chunk_rows: int = 200) -> Iterator[str]:
    """The sheet as CSV text in chunks (UTF-8 with BOM, so Excel reads the letters æøå)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([_csv_cell(h) for h in sheet.header])
    pending = 0
    for row in sheet.rows:
        writer.writerow([_csv_cell(v) for v in row])
        pending += 1
        if pending >= chunk_rows:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def _xlsx_cell(value, tz: ZoneInfo, worksheet):
    if isinstance(value, datetime):
        # Excel has no time zones: the local wall-clock time, shown without seconds.
        cell = WriteOnlyCell(worksheet, formatting.local(value, tz).replace(tzinfo=None))
        cell.number_format = formatting.XLSX_DATETIME
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(worksheet, value)
        cell.number_format = formatting.XLSX_DATE
        return cell
    if isinstance(value, str):
        return neutralise(_xml_safe(value))
    return value


# Column widths (in characters) for cells whose heading says little of their size.
MIN_WIDTH, MAX_WIDTH, TEXT_WIDTH = 10, 40, 80


def column_width(heading: str, kind: str = "") -> float:
    """A readable width: the heading's length within bounds; wide for free text."""
    if kind == "text":
        return TEXT_WIDTH
    if kind == "datetime":
        return max(18, min(len(heading) + 4, MAX_WIDTH))
    return max(MIN_WIDTH, min(len(heading) + 4, MAX_WIDTH))


def _xml_safe(value: str) -> str:
    # openpyxl refuses control characters that XML cannot carry.
    return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)


def write_xlsx(
    sheets: Sequence[Sheet], target: IO[bytes] | str, *, timezone: str = LOCAL_TIMEZONE.key
) -> None:
    """Write the sheets to ``target`` with openpyxl's write-only (streaming) workbook."""
    tz = ZoneInfo(timezone)
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=_sheet_title(sheet.title))
        # Write-only sheets take their layout before the first row.
        kinds = list(sheet.kinds) + [""] * (len(sheet.header) - len(sheet.kinds))
        for index, (heading, kind) in enumerate(zip(sheet.header, kinds, strict=False), 1):
            letter = get_column_letter(index)
            worksheet.column_dimensions[letter].width = column_width(str(heading), kind)
        worksheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for heading in sheet.header:
            cell = WriteOnlyCell(worksheet, str(heading))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for row in sheet.rows:
            worksheet.append([_xlsx_cell(v, tz, worksheet) for v in row])
    workbook.save(target)


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet"


def xlsx_tempfile(
    sheets: Sequence[Sheet], *, timezone: str = LOCAL_TIMEZONE.key, directory: str | None = None
) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound, ready to send.

    The file is unlinked at once; it disappears when the returned handle closes."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", dir=directory)
    os.close(handle)
    try:
        write_xlsx(sheets, path, timezone=timezone)
        stream = open(path, "rb")  # noqa: SIM115 - closed by the response
    finally:
        os.unlink(path)
    return stream


# ---------------------------------------------------------------- batches


def batched(
    session: Session,
    query: Select,
    id_column,
    *,
    batch: int = BATCH,
    each_batch: Callable[[list], None] | None = None,
) -> Iterator:
    """Entities of ``query`` in id order, read ``batch`` at a time and then released.

    ``session`` must be a session of the export's own (see ``export_session``):
    after each batch everything in it is expunged, so memory stays flat."""
    last = 0
    base = query.order_by(None)
    while True:
        rows = list(
            session.execute(base.where(id_column > last).order_by(id_column).limit(batch)).scalars()
        )
        if not rows:
            return
        if each_batch is not None:
            each_batch(rows)
        yield from rows
        full = len(rows) == batch
        last = rows[-1].id if full else None
        rows.clear()
        session.expunge_all()
        if last is None:
            return


# ---------------------------------------------------------------- inputs


class Labels:
    """The labels of ``participation.labels`` translated once into the user's language
    (not once per cell), for exported cells."""

    def __init__(self, locale: str = "nb") -> None:
        self.locale = locale
        for name, mapping in (
            ("channels", CHANNEL_LABELS),
            ("statuses", INPUT_STATUS_LABELS),
            ("categories", CATEGORY_LABELS),
            ("written_forms", WRITTEN_FORM_LABELS),
            ("stances", STANCE_LABELS),
            ("duplicate_kinds", DUPLICATE_LABELS),
            ("registration_statuses", REGISTRATION_STATUS_LABELS),
        ):
            setattr(self, name, {k: str(v) for k, v in mapping.items()})

    def of(self, mapping: dict, key):
        if key is None or key == "":
            return ""
        return str(mapping.get(key, key))


def input_sheet(
    session: Session, f: InboxFilter, labels: Labels, header: Sequence[str], title: str
) -> Sheet:
    """Inputs matching the inbox filter, with all their metadata and tags."""
    query = filtered_query(session, f).options(
        selectinload(Input.meeting),
        selectinload(Input.consultation_response).selectinload(ConsultationResponse.section),
    )
    confirmed: dict[int, list] = {}

    def load_confirmed(rows: list[Input]) -> None:
        confirmed.clear()
        confirmed.update(confirmed_areas(session, [r.id for r in rows]))

    def rows() -> Iterator[list]:
        for item in batched(session, query, Input.id, each_batch=load_confirmed):
            response = item.consultation_response
            yield [
                item.id,
                item.created_on,
                labels.of(labels.channels, item.channel),
                labels.of(labels.statuses, item.status),
                item.hidden_reason or "",
                item.region.name if item.region is not None else "",
                labels.of(labels.categories, item.respondent_category),
                labels.of(labels.written_forms, item.written_form),
                "; ".join(a.name(labels.locale) for a in item.focus_areas),
                "; ".join(a.name(labels.locale) for a in confirmed.get(item.id, [])),
                item.meeting.title if item.meeting is not None else "",
                (response.section.label if response and response.section else "")
                if response
                else "",
                labels.of(labels.stances, response.stance) if response else "",
                item.duplicate_of_id or "",
                labels.of(labels.duplicate_kinds, item.duplicate_kind),
                item.redacted_text,
            ]

    return Sheet(title, header, rows(), kinds=[""] * 15 + ["text"])


def registration_sheet(
    session: Session,
    labels: Labels,
    header: Sequence[str],
    title: str,
    *,
    meeting_id: int | None = None,
    process_id: int | None = None,
) -> Sheet:
    query = select(Registration).options(
        selectinload(Registration.meeting).selectinload(Meeting.region),
        selectinload(Registration.focus_areas),
    )
    if meeting_id is not None:
        query = query.where(Registration.meeting_id == meeting_id)
    if process_id is not None:
        query = query.where(
            Registration.meeting_id.in_(select(Meeting.id).where(Meeting.process_id == process_id))
        )

    def rows() -> Iterator[list]:
        for r in batched(session, query, Registration.id):
            yield [
                r.meeting.title,
                r.meeting.starts_at,
                r.meeting.region.name,
                r.reference,
                labels.of(labels.registration_statuses, r.status),
                r.name or "",
                r.email or "",
                r.phone or "",
                r.organisation or "",
                r.org_number or "",
                labels.of(labels.categories, r.category),
                "; ".join(a.name(labels.locale) for a in r.focus_areas),
                r.needs or "",
                r.created_at,
                "" if r.attended is None else r.attended,
            ]

    kinds = ["", "datetime"] + [""] * 11 + ["datetime", ""]
    return Sheet(title, header, rows(), kinds=kinds)


# ---------------------------------------------------------------- consultation responses


def response_sheet(
    session: Session,
    draft_id: int,
    labels: Labels,
    header: Sequence[str],
    title: str,
    *,
    whole_draft_label: str,
    yes: str,
    no: str,
) -> Sheet:
    """Responses grouped by section: the whole draft first, then each section in
    document order; within a group, oldest first."""
    sections = list(
        session.execute(
            select(DraftSection.id, DraftSection.number, DraftSection.title)
            .where(DraftSection.draft_id == draft_id)
            .order_by(DraftSection.position)
        ).all()
    )
    scopes = [(None, "", whole_draft_label)] + [(s.id, s.number, s.title) for s in sections]

    def rows() -> Iterator[list]:
        for section_id, number, section_title in scopes:
            query = consultation.response_rows_query(draft_id).where(
                ConsultationResponse.section_id.is_(None)
                if section_id is None
                else ConsultationResponse.section_id == section_id
            )
            for r in batched(session, query, ConsultationResponse.id):
                yield [
                    number,
                    section_title,
                    r.reference,
                    r.created_at,
                    labels.of(labels.stances, r.stance),
                    r.name,
                    r.organisation or "",
                    r.org_number or "",
                    labels.of(labels.categories, r.category),
                    yes if r.may_publish else no,
                    r.published_at if r.is_published else None,
                    len(r.attachments),
                    r.text,
                    r.published_text or "",
                ]

    kinds = ["", "", "", "datetime"] + [""] * 6 + ["datetime", "", "text", "text"]
    return Sheet(title, header, rows(), kinds=kinds)


# ---------------------------------------------------------------- exports by parameters


def filter_to_json(f: InboxFilter) -> dict:
    """The inbox filter as JSON (for an export job's parameters)."""
    base = asdict(f.base)
    for key in ("date_from", "date_to"):
        base[key] = base[key].isoformat() if base[key] is not None else None
    for key, value in base.items():
        if isinstance(value, tuple):
            base[key] = list(value)
    return {
        "base": base,
        "focus_area_ids": list(f.focus_area_ids),
        "reviewed": f.reviewed,
    }


def filter_from_json(data: dict) -> InboxFilter:
    base = dict(data.get("base") or {})
    for key in ("date_from", "date_to"):
        base[key] = date.fromisoformat(base[key]) if base.get(key) else None
    return InboxFilter(
        base=InputFilter(**base),
        focus_area_ids=list(data.get("focus_area_ids") or ()),
        reviewed=data.get("reviewed"),
    )


def _count_inputs(session: Session, params: dict) -> int:
    query = filtered_query(session, filter_from_json(params["filter"])).order_by(None)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


@builder("inputs", _count_inputs)
def build_inputs(session: Session, params: dict) -> list[Sheet]:
    header = [str(h) for h in INPUT_HEADER]
    f = filter_from_json(params["filter"])
    return [input_sheet(session, f, labels(), header, str(_l("Inputs")))]


def _count_registrations(session: Session, params: dict) -> int:
    query = select(func.count(Registration.id))
    if params.get("meeting_id") is not None:
        query = query.where(Registration.meeting_id == params["meeting_id"])
    if params.get("process_id") is not None:
        query = query.where(
            Registration.meeting_id.in_(
                select(Meeting.id).where(Meeting.process_id == params["process_id"])
            )
        )
    return session.scalar(query) or 0


@builder("registrations", _count_registrations)
def build_registrations(session: Session, params: dict) -> list[Sheet]:
    header = [str(h) for h in REGISTRATION_HEADER]
    return [
        registration_sheet(
            session,
            labels(),
            header,
            str(_l("Registrations")),
            meeting_id=params.get("meeting_id"),
            process_id=params.get("process_id"),
        )
    ]


def write_file(sheets: Sequence[Sheet], fmt: str, *, timezone: str) -> bytes:
    """The whole export as bytes (for a job's file)."""
    if fmt == "csv":
        out = io.BytesIO()
        for index, sheet in enumerate(sheets):
            if index:
                out.write(b"\r\n")
            for chunk in csv_stream(sheet):
                out.write(chunk.encode("utf-8"))
        return out.getvalue()
    with xlsx_tempfile(sheets, timezone=timezone) as stream:
        return stream.read()


# ---------------------------------------------------------------- views

FORMATS = {"csv", "xlsx"}
EXPORT_JOB = "export"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

INPUT_HEADER = (
    _l("Id"),
    _l("Date"),
    _l("Channel"),
    _l("Status"),
    _l("Reason for hiding"),
    _l("Region"),
    _l("Respondent category"),
    _l("Language"),
    _l("Focus areas chosen by the writer"),
    _l("Confirmed focus areas"),
    _l("Meeting"),
    _l("Section"),
    _l("Stance"),
    _l("Duplicate of"),
    _l("Kind of duplicate"),
    _l("Text (redacted)"),
)

REGISTRATION_HEADER = (
    _l("Meeting"),
    _l("Meeting starts"),
    _l("Region"),
    _l("Reference code"),
    _l("Status"),
    _l("Name"),
    _l("E-mail address"),
    _l("Phone"),
    _l("Organisation"),
    _l("Organisation number"),
    _l("Category"),
    _l("Focus areas"),
    _l("Needs"),
    _l("Registered"),
    _l("Attended"),
)


def labels() -> Labels:
    return Labels(str(get_locale()))


def export_session() -> Session:
    """A session of the export's own, so batches can be released as they are written."""
    return Session(db.engine)


def csv_tempfile(sheets: Sequence[Sheet], *, directory: str | None = None) -> IO[bytes]:
    """The sheets as CSV (one after the other, a blank line between) in an anonymous
    temporary file, rewound, ready to send."""
    stream = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by the response
    try:
        for index, sheet in enumerate(sheets):
            if index:
                stream.write(b"\r\n")
            for chunk in csv_stream(sheet):
                stream.write(chunk.encode("utf-8"))
        stream.seek(0)
    except BaseException:
        stream.close()
        raise
    return stream


def send(
    sheet_factory,
    name: str,
    fmt: str,
    kind: str,
    details: dict | None = None,
    *,
    params: dict | None = None,
):
    """Produce the CSV or Excel file, record the export, then send the file; or, when it
    has more than ``EXPORT_JOB_ROWS`` rows and ``params`` rebuild it (``BUILDERS[kind]``),
    queue it as a job (which records the export once it has written the file) and send
    the person to the job's page, where the file will be.

    ``sheet_factory(session)`` builds the sheet(s) from the export's own session; it
    must not touch objects of ``db.session``. The file is written to a temporary file
    first, so a failure is an error page rather than half a file, and the audit log
    records only exports that were produced. The file streams from disk, so memory
    stays flat however many rows there are."""
    if fmt not in FORMATS:
        abort(404)
    details = {"format": fmt, **(details or {})}
    if params is not None and kind in BUILDERS:
        rows = COUNTERS[kind](db.session, params)
        if rows > current_app.config["EXPORT_JOB_ROWS"]:
            from participation import jobs

            job = jobs.enqueue(
                EXPORT_JOB,
                {
                    "kind": kind,
                    "fmt": fmt,
                    "name": name,
                    "rows": rows,
                    "params": params,
                    "details": details,
                },
                user=actor(),
            )
            return redirect(url_for("backoffice.job", job_id=job.id), code=303)
    session = export_session()
    try:
        sheets = sheet_factory(session)
        if fmt == "csv":
            stream = csv_tempfile(sheets)
        else:
            stream = xlsx_tempfile(sheets, timezone=current_app.config["TIMEZONE"])
    finally:
        session.close()
    try:
        audit.record(db.session, actor(), "export", "export", kind, details=details)
        db.session.commit()
    except BaseException:
        stream.close()
        raise
    size = os.fstat(stream.fileno()).st_size
    filename = f"{name}-{utcnow():%Y-%m-%d}.{fmt}"
    return Response(
        _chunks(stream),
        mimetype="text/csv" if fmt == "csv" else XLSX_MIMETYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(size),
        },
    )


def _chunks(stream, size: int = 64 * 1024):
    """The file in chunks; closed (and so gone from disk) when sent or abandoned."""
    try:
        while chunk := stream.read(size):
            yield chunk
    finally:
        stream.close()


@bp.get("/eksport")
@staff_required
def exports():
    process_id = current_process_id()
    drafts = select(DraftStrategy).order_by(DraftStrategy.id)
    if process_id is not None:
        drafts = drafts.where(DraftStrategy.process_id == process_id)
    from participation.jobs import admin as job_pages
    from participation.jobs import service as job_service

    recent = job_service.list_jobs(db.session, user=actor(), kind=EXPORT_JOB, limit=5)
    return render_template(
        "backoffice/exports.html",
        meetings=meeting_service.list_meetings(
            db.session, process_ids=None if process_id is None else [process_id]
        ),
        drafts=list(db.session.execute(drafts).scalars()),
        recent=[(job, job_pages.status_of(job)) for job in recent],
        job_rows=current_app.config["EXPORT_JOB_ROWS"],
    )


@bp.get("/eksport/innspill.<fmt>")
@staff_required
def export_inputs(fmt: str):
    params = {"filter": filter_to_json(inbox_filter(filter_form()))}
    return send(
        lambda session: build_inputs(session, params),
        "innspill",
        fmt,
        "inputs",
        details={"filtered": bool(filter_args())},
        params=params,
    )


@bp.get("/eksport/pameldingar.<fmt>")
@staff_required
def export_registrations(fmt: str):
    meeting_id = request.args.get("meeting", type=int)
    process_id = current_process_id()
    if meeting_id is not None:
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None or not processes.can_access(db.session, actor(), meeting.process_id):
            abort(404)
        process_id = meeting.process_id
    params = {"meeting_id": meeting_id, "process_id": process_id}
    return send(
        lambda session: build_registrations(session, params),
        "pameldingar",
        fmt,
        "registrations",
        details={"meeting": meeting_id} if meeting_id else {},
        params=params,
    )
