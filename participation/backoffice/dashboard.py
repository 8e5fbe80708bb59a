"""Dashboard: how much input came in, from where and from whom, about what
(counts per channel, region, respondent category, focus area and week; read only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation import formatting
from participation.backoffice.blueprint import bp, current_process_id, staff_required
from participation.extensions import db
from participation.labels import CATEGORY_LABELS, CHANNEL_LABELS, INPUT_STATUS_LABELS
from participation.models import FocusArea, Input, InputStatus, Region, input_focus_area
from participation.models.backoffice import ConfirmedFocusArea


@dataclass
class Dashboard:
    total: int
    duplicates: int
    by_status: dict[str, int]
    by_channel: dict[str, int]
    by_region: list[tuple[str, int]]  # region name (or "" for none), count
    by_category: dict[str, int]  # "" for none given
    by_chosen_area: list[tuple[FocusArea, int]]
    by_confirmed_area: list[tuple[FocusArea, int]]
    by_week: list[tuple[date, int]]  # Monday of the ISO week, count; gaps filled with 0


def _base(include_duplicates: bool, include_hidden: bool, process_id: int | None = None):
    conditions = [] if process_id is None else [Input.process_id == process_id]
    if not include_duplicates:
        conditions.append(Input.duplicate_of_id.is_(None))
    if not include_hidden:
        conditions.append(Input.status != InputStatus.HIDDEN)
    return conditions


def counts(
    session: Session,
    *,
    include_duplicates: bool = False,
    include_hidden: bool = True,
    process_id: int | None = None,
) -> Dashboard:
    """Everything the dashboard shows (of one process), in a fixed number of GROUP BY
    queries."""
    where = _base(include_duplicates, include_hidden, process_id)

    def grouped(column):
        return dict(
            session.execute(
                select(column, func.count(Input.id)).where(*where).group_by(column)
            ).all()
        )

    total = session.scalar(select(func.count(Input.id)).where(*where)) or 0
    duplicates = session.scalar(
        select(func.count(Input.id)).where(
            Input.duplicate_of_id.is_not(None), *_base(True, True, process_id)
        )
    )
    by_region = session.execute(
        select(Region.name, func.count(Input.id))
        .select_from(Input)
        .outerjoin(Region, Region.id == Input.region_id)
        .where(*where)
        .group_by(Region.name, Region.position)
        .order_by(Region.position, Region.name)
    ).all()

    chosen = session.execute(
        select(FocusArea, func.count(Input.id))
        .select_from(FocusArea)
        .join(input_focus_area, input_focus_area.c.focus_area_id == FocusArea.id)
        .join(Input, Input.id == input_focus_area.c.input_id)
        .where(*where)
        .group_by(FocusArea.id)
        .order_by(func.count(Input.id).desc(), FocusArea.position)
    ).all()
    confirmed = session.execute(
        select(FocusArea, func.count(Input.id))
        .select_from(FocusArea)
        .join(ConfirmedFocusArea, ConfirmedFocusArea.focus_area_id == FocusArea.id)
        .join(Input, Input.id == ConfirmedFocusArea.input_id)
        .where(*where)
        .group_by(FocusArea.id)
        .order_by(func.count(Input.id).desc(), FocusArea.position)
    ).all()
    days = session.execute(
        select(Input.created_on, func.count(Input.id)).where(*where).group_by(Input.created_on)
    ).all()
    return Dashboard(
        total=total,
        duplicates=duplicates or 0,
        by_status=grouped(Input.status),
        by_channel=grouped(Input.channel),
        by_region=[(name or "", n) for name, n in by_region],
        by_category={k or "": v for k, v in grouped(Input.respondent_category).items()},
        by_chosen_area=[(area, n) for area, n in chosen],
        by_confirmed_area=[(area, n) for area, n in confirmed],
        by_week=weekly(days),
    )


def weekly(days: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """Sum daily counts into ISO weeks (keyed by their Monday), with empty weeks as 0."""
    weeks: dict[date, int] = {}
    for day, n in days:
        if isinstance(day, str):  # SQLite may hand back text for a grouped date
            day = date.fromisoformat(day)
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + n
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    result = []
    week = first
    while week <= last:
        result.append((week, weeks.get(week, 0)))
        week += timedelta(days=7)
    return result


@bp.get("/oversikt")
@staff_required
def dashboard():
    include_duplicates = request.args.get("duplicates") == "1"
    data = counts(
        db.session, include_duplicates=include_duplicates, process_id=current_process_id()
    )
    locale = str(get_locale())
    none_given = _("Not given")
    charts = {
        "channel": [(str(CHANNEL_LABELS.get(k, k)), n) for k, n in _sorted(data.by_channel)],
        "region": [(name or none_given, n) for name, n in data.by_region],
        "category": [
            (str(CATEGORY_LABELS.get(k, k)) if k else none_given, n)
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
    return formatting.date_short(day)
