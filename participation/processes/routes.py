"""A process's public page: its introduction, phases and the ways to take part."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import format_date

from participation.extensions import db
from participation.models import utcnow
from participation.processes import service

bp = Blueprint("processes", __name__, url_prefix="/prosess")


@bp.get("/<slug>")
def process(slug: str):
    found = (
        service.get_by_slug(db.session, slug) if len(slug) <= 80 and "\x00" not in slug else None
    )
    if found is None or found.status == "draft":
        abort(404)
    now = utcnow()
    return render_template(
        "processes/process.html",
        process=found,
        offer=service.participation(db.session, found, now),
        now=now,
    )


@bp.app_template_filter("day_long")
def day_long(value) -> str:
    """A calendar date (a phase's start or end) in the reader's long form."""
    return format_date(value, "long")
