"""Large exports as jobs: an export with more than ``EXPORT_JOB_ROWS`` rows is built
on a job worker (``exports.send`` queues it), and its file is offered on the job's page.

The sheets are built by the same functions as a download made at once
(``exports.BUILDERS``), from the parameters the view stored, in the language of the
person who asked for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from participation import audit, jobs
from participation.backoffice import exports
from participation.extensions import db
from participation.models import User, utcnow

MIMETYPES = {"csv": "text/csv", "xlsx": exports.XLSX_MIMETYPE}
PROGRESS_EVERY = 200


def _counted(rows, ctx: jobs.JobContext, done: list[int], total: int) -> Iterator[Sequence]:
    for row in rows:
        yield row
        done[0] += 1
        if done[0] % PROGRESS_EVERY == 0:
            ctx.progress(min(done[0] / total, 0.99), "writing")


@jobs.kind(
    exports.EXPORT_JOB,
    title=_l("Export"),
    return_url=lambda job: url_for("backoffice.exports"),
)
def build_export(ctx: jobs.JobContext) -> jobs.JobResult:
    kind, fmt = ctx.params["kind"], ctx.params["fmt"]
    if kind not in exports.BUILDERS or fmt not in exports.FORMATS:
        raise ValueError(f"unknown export {kind}.{fmt}")
    total = max(1, int(ctx.params.get("rows") or 1))
    done = [0]
    ctx.progress(0.0, "writing")
    session = Session(db.engine)  # its own, so batches are released as they are written
    try:
        sheets = exports.BUILDERS[kind](session, ctx.params["params"])
        for sheet in sheets:
            sheet.rows = _counted(sheet.rows, ctx, done, total)
        data = exports.write_file(sheets, fmt, timezone=ctx.app.config["TIMEZONE"])
    finally:
        session.close()
    # Recorded once the file exists (issue 9: an export is audited only once produced).
    user = ctx.session.get(User, ctx.user_id) if ctx.user_id else None
    details = ctx.params.get("details") or {"format": fmt}
    audit.record(ctx.session, user, "export", "export", kind, details=details)
    ctx.session.commit()
    name = f"{ctx.params['name']}-{utcnow():%Y-%m-%d}.{fmt}"
    return jobs.JobResult({"rows": done[0]}, jobs.JobFile(name, MIMETYPES[fmt], data))
