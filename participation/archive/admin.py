"""The back office's archive page for a consultation: how many of its responses are
archived, each response's journalpost ID, and the export: a button starts it as a job
on the queue (``archive/tasks.py``), or it runs on the server with ``flask archive
export``.

Attached to the back office's blueprint like every domain's ``admin.py``.
"""

from __future__ import annotations

from flask import redirect, render_template, url_for

from participation import jobs
from participation.archive import service
from participation.backoffice.blueprint import actor, bp, staff_required
from participation.extensions import db
from participation.forms import PostForm
from participation.jobs import service as job_service
from participation.models import DraftStrategy, utcnow


@bp.get("/horing/<int:draft_id>/arkiv")
@staff_required
def draft_archive(draft_id: int):
    draft = db.get_or_404(DraftStrategy, draft_id)
    return render_template(
        "backoffice/draft_archive.html",
        draft=draft,
        status=service.archive_status(db.session, draft),
        responses=service.journal(db.session, draft),
        now=utcnow(),
        form=PostForm(),
        job=job_service.latest_job(db.session, "archive_export", draft_id=draft.id),
    )


@bp.post("/horing/<int:draft_id>/arkiv")
@staff_required
def draft_archive_export(draft_id: int):
    """Start the archive export as a job; its page shows the progress and the zip file."""
    draft = db.get_or_404(DraftStrategy, draft_id)
    form = PostForm()
    if not form.validate_on_submit() or utcnow() < draft.closes_at:
        return redirect(url_for("backoffice.draft_archive", draft_id=draft.id), code=303)
    job = jobs.enqueue("archive_export", {"draft_id": draft.id}, user=actor())
    return redirect(url_for("backoffice.job", job_id=job.id), code=303)
