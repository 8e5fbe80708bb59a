"""The back office's archive page for a consultation: how many of its responses are
archived, each response's journalpost ID, and how to run the export (on the server
for now; a button will start it as a background job once the job queue exists).

Attached to the back office's blueprint like every domain's ``admin.py``.
"""

from __future__ import annotations

from flask import abort, render_template

from participation.archive import service
from participation.backoffice.blueprint import bp, staff_required
from participation.extensions import db
from participation.models import DraftStrategy, utcnow


@bp.get("/horing/<int:draft_id>/arkiv")
@staff_required
def draft_archive(draft_id: int):
    draft = db.session.get(DraftStrategy, draft_id)
    if draft is None:
        abort(404)
    return render_template(
        "backoffice/draft_archive.html",
        draft=draft,
        status=service.archive_status(db.session, draft),
        responses=service.journal(db.session, draft),
        now=utcnow(),
    )
