"""Dashboard: how much input came in, from where and from whom, about what."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from participation.backoffice import bp
from participation.backoffice.access import staff_required
from participation.backoffice.labels import (
    CHANNEL_LABELS,
    INPUT_STATUS_LABELS,
    RESPONDENT_CATEGORY_LABELS,
)
from participation.backoffice.services import dashboard as service
from participation.extensions import db


@bp.get("/oversikt")
@staff_required
def dashboard():
    include_duplicates = request.args.get("duplicates") == "1"
    data = service.dashboard(db.session, include_duplicates=include_duplicates)
    locale = str(get_locale())
    none_given = _("Not given")
    charts = {
        "channel": [(str(CHANNEL_LABELS.get(k, k)), n) for k, n in _sorted(data.by_channel)],
        "region": [(name or none_given, n) for name, n in data.by_region],
        "category": [
            (str(RESPONDENT_CATEGORY_LABELS.get(k, k)) if k else none_given, n)
            for k, n in _sorted(data.by_category)
        ],
        "chosen": [(area.name(locale), n) for area, n in data.by_chosen_area],
        "confirmed": [(area.name(locale), n) for area, n in data.by_confirmed_area],
        "week": [
            (_("Week of %(date)s", date=date_long_short(monday)), n) for monday, n in data.by_week
        ],
        "status": [(str(INPUT_STATUS_LABELS.get(k, k)), n) for k, n in _sorted(data.by_status)],
    }
    return render_template(
        "backoffice/dashboard.html",
        data=data,
        charts=charts,
        include_duplicates=include_duplicates,
    )


def _sorted(counts: dict) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))


def date_long_short(day) -> str:
    return format_date(day, "d. MMM yyyy")
