"""The back office's import of workshop notes as a job on the queue.

The request checks the file (type, size, encoding, every row) and keeps it in a
``NoteImport`` row; this job imports it ``JOBS_CHUNK_ROWS`` rows per transaction,
reporting progress and heeding cancel between chunks, so the heartbeat and other
writers are never held up for long (SQLite has one writer).

Idempotent: each chunk moves the import's ``rows_done`` by a conditional UPDATE in the
transaction that stores the chunk's inputs (``notes.import_chunk``), and
``note_import_row`` has the primary key (import, row). A job killed mid-way and
started again goes on from ``rows_done``: no row is imported twice, none is lost.
Cancelled (or failed), the import ends where it stood: the notes already imported
stay, and the import's page says how many.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from participation import jobs
from participation.inputs import notes
from participation.models import Job, JobStatus, NoteImport, User

KIND = "note_import"


class FileNoLongerFits(Exception):
    """The kept file no longer matches the database (a meeting or focus area went)."""


@jobs.on_end_of("import_id")
def _ended(session: Session, import_id: int, job: Job) -> None:
    status = "cancelled" if job.status == JobStatus.CANCELLED else "failed"
    actor = session.get(User, job.created_by_id) if job.created_by_id else None
    notes.finish_note_import(session, import_id, status, actor)


def _result(session: Session, found: NoteImport) -> dict:
    return {
        "import_id": found.id,
        "created": notes.imported_count(session, found.id),
        "duplicates": notes.imported_count(session, found.id, duplicates=True),
    }


@jobs.kind(
    KIND,
    title=_l("Import of workshop notes"),
    return_url=lambda job: url_for("backoffice.workshop_import", job=job.id),
    on_end=_ended,
)
def import_notes(ctx: jobs.JobContext) -> dict:
    session = ctx.session
    found = ctx.subject(NoteImport, "import_id", "note import")
    import_id = found.id
    if found.status == notes.NOTE_IMPORT_DONE:  # an earlier attempt finished it
        return _result(session, found)
    parsed = notes.parse_workshop_notes(
        session,
        found.source or "",
        default_meeting_id=found.default_meeting_id,
        process_id=found.process_id,
    )
    done = found.rows_done
    session.commit()  # end the read before the first chunk takes the write lock
    if not parsed.ok:
        first = parsed.errors[0]
        raise FileNoLongerFits(
            gettext("Line %(line)d:", line=first.line)
            + f" {first.message}"
            + (f" ({first.value})" if first.value else "")
        )
    total = len(parsed.rows)

    def write(size: int) -> int:
        nonlocal done
        if done >= total:
            return 0
        before, done = done, notes.import_chunk(session, import_id, parsed.rows, done, size)
        return done - before

    if not ctx.in_chunks("importing", write, done=done, total=total, ended=notes.ImportMoved):
        raise jobs.JobLost()  # another attempt moved the import on
    actor = session.get(User, ctx.user_id) if ctx.user_id else None
    notes.finish_note_import(session, import_id, notes.NOTE_IMPORT_DONE, actor)
    session.commit()
    return _result(session, session.get(NoteImport, import_id, populate_existing=True))


def start(
    session: Session,
    actor: User,
    *,
    source: str,
    rows: int,
    filename: str,
    default_meeting_id: int | None,
    process_id: int | None,
) -> Job:
    """Keep the checked file and queue its import, in one transaction (commits)."""
    found = notes.create_note_import(
        session,
        actor,
        source=source,
        rows=rows,
        filename=filename,
        default_meeting_id=default_meeting_id,
        process_id=process_id,
    )
    return jobs.enqueue(KIND, {"import_id": found.id}, user=actor)
