"""The project group's back office (/admin): inbox, moderation, meetings,
consultation, exports, privacy, staff accounts and the audit log.

One blueprint; its views are split into modules by area and registered by
importing them below. Every view requires a login (see ``access``).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from flask_babel import format_date, get_timezone

from participation.backoffice.access import guard_request

bp = Blueprint("backoffice", __name__, url_prefix="/admin")
bp.before_request(guard_request)


@bp.app_template_filter("date_short")
def date_short(value) -> str:
    """A calendar date (or a timestamp's Oslo date) in the short local form."""
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone()).date()
    return format_date(value, "short")


# The view modules attach their routes to ``bp``.
from participation.archive import admin as archive_admin  # noqa: E402
from participation.backoffice import (  # noqa: E402, F401
    audit_log,
    auth,
    consultation,
    dashboard,
    exports,
    focus_areas,
    inbox,
    meetings,
    privacy,
    users,
)

archive_admin.attach(bp)
