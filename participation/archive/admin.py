"""The back office's archive page for a consultation: how many of its responses are
archived, each response's journalpost ID, and how to run the export (on the server
for now; a button will start it as a background job once the job queue exists).

``attach`` adds the view to the back-office blueprint, which calls it, so this
module needs nothing from the blueprint's package at import time.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from participation.archive import service
from participation.backoffice.access import staff_required
from participation.extensions import db
from participation.models import DraftStrategy, utcnow


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


def attach(bp: Blueprint) -> None:
    bp.add_url_rule("/horing/<int:draft_id>/arkiv", view_func=draft_archive, methods=["GET"])
