"""The archive export as a job on the queue: the back office asks, a worker writes the
arkivuttrekk (the same ``export_consultation`` as ``flask archive export``), and the
job's page offers it as a zip file to hand to the records office."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from flask import url_for
from flask_babel import lazy_gettext as _l

from participation import jobs
from participation.archive import messages, service
from participation.models import DraftStrategy, User


def _back(job) -> str:
    return url_for("backoffice.draft_archive", draft_id=job.params["draft_id"])


@jobs.kind("archive_export", title=_l("Archive export (Noark 5)"), return_url=_back)
def archive_export(ctx: jobs.JobContext) -> jobs.JobResult:
    session = ctx.session
    draft = session.get(DraftStrategy, ctx.params["draft_id"])
    if draft is None:
        raise RuntimeError(str(_l("The consultation no longer exists.")))
    actor = session.get(User, ctx.user_id) if ctx.user_id else None
    config = ctx.app.config

    sqlite = session.get_bind().dialect.name == "sqlite"

    def progress(done: int, total: int, stage: str) -> None:
        if sqlite:
            # SQLite has one writer: a read transaction held across the job's progress
            # writes (another connection) would lock them both. The export writes
            # nothing until the end, so ending the transaction here loses nothing.
            # (PostgreSQL keeps its row lock, which lets one export run at a time.)
            session.commit()
        ctx.progress(0.9 * done / max(total, 1), stage)

    with tempfile.TemporaryDirectory(prefix="arkivuttrekk-") as tmp:
        target = Path(tmp) / "arkivuttrekk"
        try:
            summary = service.export_consultation(
                session,
                draft,
                target,
                progress,
                upload_dir=config["UPLOAD_DIR"],
                settings=service.settings_from_config(config),
                actor=actor,
            )
        except service.ArchiveError as error:
            session.rollback()
            raise RuntimeError(messages.error_message(error)) from error
        session.commit()
        ctx.progress(0.95, "writing")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(target.rglob("*")):
                if path.is_file():
                    archive.write(path, Path("arkivuttrekk") / path.relative_to(target))
    return jobs.JobResult(
        data={
            "journalposts": summary.journalposts,
            "newly_archived": summary.newly_archived,
            "documents": summary.documents,
        },
        file=jobs.JobFile(f"arkivuttrekk-{draft.slug}.zip", "application/zip", buffer.getvalue()),
    )
