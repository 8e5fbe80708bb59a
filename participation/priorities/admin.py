"""The back office's priorities pages: the results (chart and table, overall, by
region and by respondent category), publishing them, and a meeting's screen for
running the question live at a workshop (QR code, short link, results that update)."""

from __future__ import annotations

import segno
from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from participation import outbox
from participation.backoffice.blueprint import (
    admin_required,
    bp,
    publish_or_withdraw,
    shown_process_id,
    staff_required,
)
from participation.extensions import db
from participation.forms import PostForm
from participation.meetings import service as meeting_service
from participation.models import Meeting
from participation.priorities import service


@bp.get("/prioriteringar/")
@staff_required
def priorities():
    process_id = shown_process_id()
    return render_template(
        "priorities/admin.html",
        results=service.all_results(db.session, process_id),
        channel_counts=service.channel_counts(db.session, process_id),
        per_meeting=service.by_meeting(db.session, process_id),
        meetings=meeting_service.list_meetings(db.session, process_ids=[process_id]),
        published=service.publication(db.session, process_id),
        form=PostForm(),
    )


@bp.post("/prioriteringar/publiser")
@admin_required
def priorities_publish():
    return publish_or_withdraw(
        "backoffice.priorities",
        service.publish,
        service.withdraw,
        published=_l("The priorities results are published."),
        withdrawn=_l("The priorities results are no longer public."),
    )


def _meeting(meeting_id: int) -> Meeting:
    """The meeting (the back office's process guard has refused one of a process the
    account may not see); its answers are its process's."""
    return db.get_or_404(Meeting, meeting_id)


def qr_svg(url: str) -> Markup:
    """The link as an SVG QR code (no script, no request to anyone)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=8, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)


@bp.get("/prioriteringar/mote/<int(max=2147483647):meeting_id>/skjerm")
@staff_required
def priorities_screen(meeting_id: int):
    meeting = _meeting(meeting_id)
    link = outbox.external_url("priorities.workshop", meeting_id=meeting.id)
    return render_template(
        "priorities/screen.html",
        meeting=meeting,
        link=link,
        short_link=link.split("://", 1)[-1],
        qr=qr_svg(link),
        results=service.results(db.session, meeting.process_id, meeting_id=meeting.id),
    )


@bp.get("/prioriteringar/mote/<int(max=2147483647):meeting_id>/resultat")
@staff_required
def priorities_live(meeting_id: int):
    """The room's result as an HTML fragment, fetched by the screen every few seconds."""
    meeting = _meeting(meeting_id)
    return render_template(
        "priorities/_live.html",
        meeting=meeting,
        results=service.results(db.session, meeting.process_id, meeting_id=meeting.id),
    )
