"""Generating the reports: the høringsnotat (Word or tagged PDF) and merknader.xlsx.

Called by the command line and by the back office's background job; the audit
entry for a generated report is written here.
"""

from __future__ import annotations

from typing import IO

from flask import current_app
from sqlalchemy.orm import Session

from participation import audit
from participation.models import User
from participation.reports import horingsnotat as notat
from participation.reports import merknader as sheet

FORMATS = ("docx", "pdf")


def options(locale: str) -> notat.ReportOptions:
    return notat.ReportOptions(locale=locale, organisation=current_app.config["ORGANISATION_NAME"])


def horingsnotat(
    session: Session,
    target: str | IO[bytes],
    fmt: str,
    *,
    locale: str = "nb",
    actor: User | None = None,
    progress: notat.Progress | None = None,
) -> None:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    notat.write(session, target, fmt, options(locale), progress)
    audit.record(session, actor, "report.generate", details={"kind": "horingsnotat", "format": fmt})
    session.flush()


def merknader(
    session: Session, target: str | IO[bytes], *, locale: str = "nb", actor: User | None = None
) -> int:
    n = sheet.write(session, target, locale=locale, timezone=current_app.config["TIMEZONE"])
    audit.record(session, actor, "report.generate", details={"kind": "merknader", "rows": n})
    session.flush()
    return n
