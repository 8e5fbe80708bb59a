"""Downloads: inputs, registrations and consultation responses as CSV or Excel."""

from __future__ import annotations

import os

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.backoffice import bp
from participation.backoffice.access import staff_required
from participation.backoffice.inbox import filter_args, filter_form, inbox_filter
from participation.backoffice.labels import (
    CHANNEL_LABELS,
    DUPLICATE_LABELS,
    INPUT_STATUS_LABELS,
    REGISTRATION_STATUS_LABELS,
    RESPONDENT_CATEGORY_LABELS,
    STANCE_LABELS,
    WRITTEN_FORM_LABELS,
)
from participation.backoffice.services import exports as service
from participation.backoffice.util import actor
from participation.extensions import db
from participation.meetings import service as meeting_service
from participation.models import DraftStrategy, Meeting, utcnow

FORMATS = {"csv", "xlsx"}
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


def labels() -> service.Labels:
    return service.Labels(
        channels=CHANNEL_LABELS,
        statuses=INPUT_STATUS_LABELS,
        categories=RESPONDENT_CATEGORY_LABELS,
        written_forms=WRITTEN_FORM_LABELS,
        stances=STANCE_LABELS,
        duplicate_kinds=DUPLICATE_LABELS,
        locale=str(get_locale()),
    )


def export_session() -> Session:
    """A session of the export's own, so batches can be released as they are written."""
    return Session(db.engine)


def send(sheet_factory, name: str, fmt: str, kind: str, details: dict | None = None):
    """Record the export, then stream CSV or send the Excel file.

    ``sheet_factory(session)`` builds the sheet(s) from the export's own session."""
    if fmt not in FORMATS:
        abort(404)
    audit.record(
        db.session, actor(), "export", "export", kind, details={"format": fmt, **(details or {})}
    )
    db.session.commit()
    filename = f"{name}-{utcnow():%Y-%m-%d}.{fmt}"
    if fmt == "csv":

        def generate():
            session = export_session()
            try:
                sheets = sheet_factory(session)
                for index, sheet in enumerate(sheets):
                    if index:
                        yield "\r\n"
                    yield from service.csv_stream(sheet)
            finally:
                session.close()

        return Response(
            stream_with_context(generate()),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    session = export_session()
    try:
        stream = service.xlsx_tempfile(
            sheet_factory(session), timezone=current_app.config["TIMEZONE"]
        )
    finally:
        session.close()
    size = os.fstat(stream.fileno()).st_size
    return Response(
        _chunks(stream),
        mimetype=XLSX_MIMETYPE,
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
    drafts = db.session.execute(select(DraftStrategy).order_by(DraftStrategy.id)).scalars()
    return render_template(
        "backoffice/exports.html",
        meetings=meeting_service.list_meetings(db.session),
        drafts=list(drafts),
    )


@bp.get("/eksport/innspill.<fmt>")
@staff_required
def export_inputs(fmt: str):
    f = inbox_filter(filter_form())
    names = labels()
    header = [str(h) for h in INPUT_HEADER]
    title = str(_l("Inputs"))
    return send(
        lambda session: [service.input_sheet(session, f, names, header, title)],
        "innspill",
        fmt,
        "inputs",
        details={"filtered": bool(filter_args())},
    )


@bp.get("/eksport/pameldingar.<fmt>")
@staff_required
def export_registrations(fmt: str):
    meeting_id = request.args.get("meeting", type=int)
    if meeting_id is not None and db.session.get(Meeting, meeting_id) is None:
        abort(404)
    names = labels()
    header = [str(h) for h in REGISTRATION_HEADER]
    title = str(_l("Registrations"))
    return send(
        lambda session: [
            service.registration_sheet(
                session,
                names,
                header,
                title,
                registration_statuses={k: str(v) for k, v in REGISTRATION_STATUS_LABELS.items()},
                meeting_id=meeting_id,
            )
        ],
        "pameldingar",
        fmt,
        "registrations",
        details={"meeting": meeting_id} if meeting_id else {},
    )
