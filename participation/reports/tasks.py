"""The reports as jobs on the queue: the back office asks, a worker writes the file,
the job's page shows the progress and offers the file for download."""

from __future__ import annotations

import io

from flask import url_for
from flask_babel import lazy_gettext as _l

from participation import jobs
from participation.models import User
from participation.reports import service

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"docx": DOCX, "pdf": "application/pdf", "xlsx": XLSX}


def _back(job) -> str:
    return url_for("backoffice.reports")


@jobs.kind("horingsnotat", title=_l("Consultation memo"), return_url=_back)
def horingsnotat(ctx: jobs.JobContext) -> jobs.JobResult:
    fmt = ctx.params.get("format", "docx")
    locale = ctx.params.get("locale") or ctx.locale or "nb"
    session = ctx.session
    actor = session.get(User, ctx.user_id) if ctx.user_id else None
    buffer = io.BytesIO()
    service.horingsnotat(
        session,
        buffer,
        fmt,
        locale=locale,
        actor=actor,
        progress=lambda fraction, stage: ctx.progress(fraction, stage),
        process_id=ctx.params.get("process_id"),
    )
    session.commit()
    return jobs.JobResult(
        data={"format": fmt},
        file=jobs.JobFile(f"horingsnotat.{fmt}", MIMETYPES[fmt], buffer.getvalue()),
    )


@jobs.kind("merknader", title=_l("Inputs with their assessment (Excel)"), return_url=_back)
def merknader(ctx: jobs.JobContext) -> jobs.JobResult:
    locale = ctx.params.get("locale") or ctx.locale or "nb"
    session = ctx.session
    actor = session.get(User, ctx.user_id) if ctx.user_id else None
    ctx.progress(0.0, "writing")
    buffer = io.BytesIO()
    rows = service.merknader(
        session, buffer, locale=locale, actor=actor, process_id=ctx.params.get("process_id")
    )
    session.commit()
    return jobs.JobResult(
        data={"rows": rows}, file=jobs.JobFile("merknader.xlsx", XLSX, buffer.getvalue())
    )
