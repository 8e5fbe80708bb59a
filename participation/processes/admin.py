"""Back-office pages of processes: the switcher, and (administrators) the list of
processes, creating and editing one with its texts in every language of
``TEXT_LANGUAGES``, its phases, focus areas and regions, and activating and archiving
it after a confirmation. The rules are ``processes.service``'s."""

from __future__ import annotations

from datetime import UTC, time
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.backoffice.blueprint import (
    actor,
    admin_required,
    bp,
    form_page,
    safe_next,
    staff_required,
    tell,
)
from participation.common import local_date
from participation.extensions import db
from participation.forms import PostForm, choice, local_datetime, parse_date, parse_time
from participation.labels import TEXT_LANGUAGE_LABELS
from participation.models import FocusArea, Process, Region
from participation.models.processes import TEXT_LANGUAGES
from participation.processes import service
from participation.processes.forms import MAX_PHASES, ConfirmForm, ProcessForm, phase_is_blank
from participation.processes.messages import error_message


@bp.post("/prosess")
@staff_required
def process_switch():
    """Show the back office for another process; remembered on the account."""
    if not PostForm().validate_on_submit():
        abort(400)
    raw = request.form.get("process", "")
    if not raw.isdigit():
        abort(400)
    try:
        chosen = service.switch_process(db.session, actor(), int(raw))
    except service.ProcessError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    tell(_l("Now showing %(title)s.", title=chosen.text("title", str(get_locale()))), "info")
    return redirect(safe_next(request.form.get("next")), code=303)


# ---------------------------------------------------------------- the list


def _locale() -> str:
    return str(get_locale())


@bp.get("/prosesser")
@admin_required
def processes():
    return render_template(
        "backoffice/processes.html", rows=service.overview(db.session), today=local_date()
    )


# ---------------------------------------------------------------- create and edit


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _moment(day: str | None, clock: str | None, default: time):
    parsed = parse_date(day)
    if parsed is None:
        return None
    moment = local_datetime(parsed, parse_time(clock) or default, current_app.config["TIMEZONE"])
    return moment.astimezone(UTC)


def _choices(form, process: Process | None) -> None:
    locale = _locale()
    areas = db.session.execute(select(FocusArea).order_by(FocusArea.position, FocusArea.key))
    form.focus_areas.choices = [
        choice(
            str(a.id),
            a.name(locale) if a.active else _l("%(name)s (not in use)", name=a.name(locale)),
        )
        for a in areas.scalars()
    ]
    regions = db.session.execute(select(Region).order_by(Region.position, Region.name))
    form.regions.choices = [choice(str(r.id), r.name) for r in regions.scalars()]
    form.copy_from.choices = [choice("", _l("None"))] + [
        choice(str(p.id), p.text("title", locale))
        for p in service.list_processes(db.session)
        if process is None or p.id != process.id
    ]


def _fill(form, process: Process) -> None:
    """The form as the process stands (a GET of the edit page)."""
    form.slug.data = process.slug
    for lang in TEXT_LANGUAGES:
        for name in ("title", "summary", "introduction", "question"):
            form[f"{name}_{lang}"].data = getattr(process, f"{name}_{lang}")
    form.organisation.data = process.organisation
    form.contact_email.data = process.contact_email
    for prefix, moment in (
        ("opens", process.suggestions_open_at),
        ("closes", process.suggestions_close_at),
    ):
        if moment is not None:
            local = moment.astimezone(_tz())
            form[f"{prefix}_day"].data = local.date().isoformat()
            form[f"{prefix}_time"].data = local.strftime("%H:%M")
    form.focus_areas.data = [
        str(a.id) for a in service.focus_areas(db.session, process.id, active_only=False)
    ]
    form.regions.data = [str(r.id) for r in service.regions(db.session, process.id)]
    while form.phases.entries:
        form.phases.pop_entry()
    for phase in process.phases:
        values = {"starts_on": phase.starts_on.isoformat(), "ends_on": phase.ends_on.isoformat()}
        for lang in TEXT_LANGUAGES:
            values[f"name_{lang}"] = getattr(phase, f"name_{lang}")
            values[f"description_{lang}"] = getattr(phase, f"description_{lang}")
        if len(form.phases.entries) < MAX_PHASES:
            form.phases.append_entry(values)
    _room_for_one_more(form)


def _room_for_one_more(form) -> None:
    """An empty phase row to fill in (a blank row is left out when saving)."""
    if len(form.phases.entries) < MAX_PHASES:
        form.phases.append_entry()


def _kept_phases(form) -> list:
    return [p.form for p in form.phases if not p.form.remove.data and not phase_is_blank(p.form)]


def _data(form) -> service.ProcessData:
    def per_language(name: str) -> dict[str, str]:
        return {lang: form[f"{name}_{lang}"].data or "" for lang in TEXT_LANGUAGES}

    return service.ProcessData(
        slug=form.slug.data,
        titles=per_language("title"),
        summaries=per_language("summary"),
        introductions=per_language("introduction"),
        questions=per_language("question"),
        organisation=form.organisation.data or "",
        contact_email=form.contact_email.data or "",
        suggestions_open_at=_moment(form.opens_day.data, form.opens_time.data, time(0, 0)),
        suggestions_close_at=_moment(form.closes_day.data, form.closes_time.data, time(23, 59)),
        phases=[
            service.PhaseData(
                names={lang: phase[f"name_{lang}"].data or "" for lang in TEXT_LANGUAGES},
                descriptions={
                    lang: phase[f"description_{lang}"].data or "" for lang in TEXT_LANGUAGES
                },
                starts_on=parse_date(phase.starts_on.data),
                ends_on=parse_date(phase.ends_on.data),
            )
            for phase in _kept_phases(form)
        ],
        focus_area_ids=[int(v) for v in form.focus_areas.data or []],
        region_ids=[int(v) for v in form.regions.data or []],
        copy_from=int(form.copy_from.data) if form.copy_from.data else None,
    )


def _place_error(form, error: service.ProcessError) -> str | None:
    """Put a refusal on the field it concerns; what concerns no one field is returned."""
    message = error_message(error)
    position = getattr(error, "position", None)
    if position is not None:
        kept = _kept_phases(form)
        if 0 < position <= len(kept):
            phase = kept[position - 1]
            target = {
                service.PhaseNameMissing: phase.name_nb,
                service.PhaseEndsBeforeStart: phase.ends_on,
                service.PhasesOverlap: phase.starts_on,
            }.get(type(error))
            if target is not None:
                target.errors = [*target.errors, message]
                return None
    field = {
        service.SlugTaken: form.slug,
        service.InvalidSlug: form.slug,
        service.TitleMissing: form.title_nb,
        service.BoxClosesBeforeOpening: form.closes_day,
        service.RegionInUse: form.regions,
        service.ProcessNotFound: form.copy_from,
    }.get(type(error))
    if field is None:
        return str(message)
    field.errors = [*field.errors, message]
    return None


def phase_errors(form) -> list[tuple[str, str]]:
    """(field id, "Phase n: message") for the error summary."""
    found = []
    for n, entry in enumerate(form.phases, start=1):
        for field in entry.form:
            for message in field.errors:
                found.append((field.id, _l("Phase %(n)d: %(error)s", n=n, error=message)))
    return found


def _page(form, process: Process | None, error=None):
    in_phases = phase_errors(form)
    page, status = form_page(
        "backoffice/process_form.html",
        form,
        error=error,
        process=process,
        text_languages=TEXT_LANGUAGES,
        text_language_labels=TEXT_LANGUAGE_LABELS,
        max_phases=MAX_PHASES,
        phase_errors=in_phases,
    )
    # A refusal placed on a phase after validation is not among ``form.errors``.
    return page, 422 if in_phases else status


def _save(form, process: Process | None):
    """Validate and save; a response to return, or None when the form is shown again."""
    if request.form.get("action") == "add_phase":
        _room_for_one_more(form)
        return None
    if not form.validate_on_submit():
        return None
    try:
        if process is None:
            process = service.create_process(db.session, actor(), _data(form))
        else:
            service.update_process(db.session, actor(), process.id, _data(form))
    except service.ProcessError as refused:
        db.session.rollback()
        return refused
    db.session.commit()
    tell(_l("The process %(title)s was saved.", title=process.text("title", _locale())))
    return redirect(url_for("backoffice.process_edit", process_id=process.id), code=303)


@bp.route("/prosesser/ny", methods=["GET", "POST"])
@admin_required
def process_new():
    form = ProcessForm()
    _choices(form, None)
    result = _save(form, None) if request.method == "POST" else None
    if isinstance(result, service.ProcessError):
        return _page(form, None, _place_error(form, result))
    return result or _page(form, None)


@bp.route("/prosesser/<int(max=2147483647):process_id>", methods=["GET", "POST"])
@admin_required
def process_edit(process_id: int):
    process = db.get_or_404(Process, process_id)
    form = ProcessForm()
    _choices(form, process)
    if request.method == "GET":
        _fill(form, process)
    result = _save(form, process) if request.method == "POST" else None
    if isinstance(result, service.ProcessError):
        process = db.session.get(Process, process_id)
        return _page(form, process, _place_error(form, result))
    return result or _page(form, process)


# ---------------------------------------------------------------- activate and archive


# What each confirmed change does, and what it says when done.
CHANGES = {
    "activate": (service.activate, lambda title: _l("%(title)s is active.", title=title)),
    "archive": (service.archive, lambda title: _l("%(title)s is archived.", title=title)),
}


def _confirm(process_id: int, action: str):
    process = db.get_or_404(Process, process_id)
    change, done = CHANGES[action]
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            change(db.session, actor(), process.id)
        except service.ProcessError as refused:
            db.session.rollback()
            process = db.session.get(Process, process_id)
            error = error_message(refused)
        else:
            db.session.commit()
            tell(done(process.text("title", _locale())))
            return redirect(url_for("backoffice.processes"), code=303)
    return form_page(
        "backoffice/process_confirm.html", form, error=error, process=process, action=action
    )


@bp.route("/prosesser/<int(max=2147483647):process_id>/aktiver", methods=["GET", "POST"])
@admin_required
def process_activate(process_id: int):
    return _confirm(process_id, "activate")


@bp.route("/prosesser/<int(max=2147483647):process_id>/arkiver", methods=["GET", "POST"])
@admin_required
def process_archive(process_id: int):
    return _confirm(process_id, "archive")
