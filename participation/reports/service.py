"""Generating the reports: the høringsnotat (Word or tagged PDF) and merknader.xlsx.

Called by the command line and by the back office's background job; the audit
entry for a generated report is written here. A report is one process's
(``process_id``; None: the current process).
"""

from __future__ import annotations

from typing import IO

from flask import current_app
from sqlalchemy.orm import Session

from participation import audit
from participation.db import begin_write
from participation.models import User
from participation.processes import service as processes
from participation.reports import horingsnotat as notat
from participation.reports import merknader as sheet

FORMATS = ("docx", "pdf")


def options(session: Session, locale: str, process_id: int) -> notat.ReportOptions:
    return notat.ReportOptions(
        process_id=process_id,
        locale=locale,
        organisation=current_app.config["ORGANISATION_NAME"],
        priorities=lambda writer: _priorities(session, writer, locale, process_id),
    )


def _priorities(session: Session, writer: notat.Writer, locale: str, process_id: int) -> None:
    from flask_babel import gettext, ngettext

    from participation.priorities import service as priorities

    results = priorities.results(session, process_id)
    if not results.answers:
        writer.paragraph(gettext("No answers yet."))
        return
    text = ngettext("Based on %(num)d answer.", "Based on %(num)d answers.", results.answers)
    if results.flagged:
        text += " " + ngettext(
            "%(num)d answer sent in a burst is not counted.",
            "%(num)d answers sent in a burst are not counted.",
            results.flagged,
        )
    writer.paragraph(text)
    writer.table(
        gettext("All answers"),
        [
            gettext("Rank"),
            gettext("Focus area"),
            gettext("Chosen by"),
            gettext("Share"),
            gettext("As first choice"),
        ],
    )
    for row in results.areas:
        writer.row(
            [
                str(row.rank),
                row.area.name(locale),
                str(row.count),
                f"{row.share * 100:.1f} %",
                str(row.first),
            ]
        )
    writer.end_table()


def horingsnotat(
    session: Session,
    target: str | IO[bytes],
    fmt: str,
    *,
    locale: str = "nb",
    actor: User | None = None,
    progress: notat.Progress | None = None,
    process_id: int | None = None,
) -> None:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    process_id = processes.resolve_id(session, process_id)
    notat.write(session, target, fmt, options(session, locale, process_id), progress)
    _generated(session, actor, process_id, {"kind": "horingsnotat", "format": fmt})


def _generated(session: Session, actor: User | None, process_id: int, details: dict) -> None:
    """The audit entry for a generated report. The report only read (a long
    snapshot); the write lock is taken afresh for the entry."""
    begin_write(session)
    audit.record(session, actor, "report.generate", "process", process_id, details=details)
    session.flush()


def merknader(
    session: Session,
    target: str | IO[bytes],
    *,
    locale: str = "nb",
    actor: User | None = None,
    process_id: int | None = None,
) -> int:
    process_id = processes.resolve_id(session, process_id)
    n = sheet.write(
        session, target, process_id, locale=locale, timezone=current_app.config["TIMEZONE"]
    )
    _generated(session, actor, process_id, {"kind": "merknader", "rows": n})
    return n
