"""The analysis in the back office (/admin/analyse): results, runs, review queue, quality.

Every staff member (reviewer or administrator) may look, start a run, retrain and
confirm tags: running the analysis changes nothing anyone entered, and confirming
tags is a reviewer's everyday work.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from participation.backoffice.access import guard_request, safe_next, staff_required
from participation.backoffice.forms import ConfirmAreasForm, PostForm
from participation.backoffice.labels import (
    CHANNEL_LABELS,
    RESPONDENT_CATEGORY_LABELS,
    WRITTEN_FORM_LABELS,
)
from participation.backoffice.util import actor, tell
from participation.extensions import db
from participation.forms import choice
from participation.insights import labels, service, tasks
from participation.insights.forms import StartRunForm
from participation.models import AnalysisRun, FocusArea, RunKind, RunStatus, utcnow

bp = Blueprint("insights", __name__, url_prefix="/admin/analyse")
bp.before_request(guard_request)

MAX_ID = 2**31 - 1
STALE_MESSAGE = _l(
    "The run stopped without finishing (the server was probably restarted). Start a new run."
)


def _locale() -> str:
    return str(get_locale() or "nb")


def _is_stale(run: AnalysisRun) -> bool:
    return run.is_active and run.heartbeat_at < utcnow() - tasks.stale_after()


def status_of(run: AnalysisRun) -> dict:
    """The run's state for the page and the poller; a stale run shows as failed."""
    data = service.run_status(run)
    if _is_stale(run):
        data.update(status=RunStatus.FAILED, stage="failed", active=False, error=str(STALE_MESSAGE))
    data["status_label"] = str(labels.STATUS_LABELS.get(data["status"], data["status"]))
    data["stage_label"] = str(labels.STAGE_LABELS.get(data["stage"], data["stage"]))
    return data


def _common(**context):
    context.setdefault("locale", _locale())
    context.setdefault("stage_labels", labels.STAGE_LABELS)
    context.setdefault("status_labels", labels.STATUS_LABELS)
    context.setdefault("kind_labels", labels.KIND_LABELS)
    context.setdefault("training_sources", labels.TRAINING_SOURCE_LABELS)
    context.setdefault("timing_labels", labels.TIMING_LABELS)
    context.setdefault("written_form_labels", WRITTEN_FORM_LABELS)
    return context


def _latest_done_or_none():
    return service.latest_done_run(db.session)


def _require_results():
    run = _latest_done_or_none()
    if run is None:
        tell(_l("There are no results yet. Start an analysis run first."), "info")
        return None
    return run


# ---------------------------------------------------------------- results


@bp.get("/")
@staff_required
def index():
    latest = service.latest_run(db.session)
    done = _latest_done_or_none()
    overview = service.overview(db.session, done) if done is not None else None
    return render_template(
        "insights/index.html",
        **_common(
            latest=latest,
            latest_status=status_of(latest) if latest is not None else None,
            overview=overview,
            form=StartRunForm(),
            post_form=PostForm(),
            theme_style=labels.theme_style,
            spread_labels=labels.SPREAD_LABELS,
            spread_value=labels.spread_value,
        ),
    )


@bp.get(f"/tema/<int(max={MAX_ID}):number>")
@staff_required
def theme(number: int):
    run = _require_results()
    if run is None:
        return redirect(url_for("insights.index"), code=303)
    try:
        found = service.get_theme(db.session, run, number)
    except service.RunNotFound:
        abort(404)
    page = service.list_inputs(
        db.session, run, theme=number, page=request.args.get("page", 1, type=int) or 1
    )
    return render_template(
        "insights/theme.html",
        **_common(
            run=run,
            theme=found,
            quotes=service.quotes_for(db.session, found.representative_ids),
            page=page,
            page_url=lambda n: url_for("insights.theme", number=number, page=n),
            areas_by_key=_areas_by_key(),
            theme_style=labels.theme_style,
            spread_labels=labels.SPREAD_LABELS,
            spread_value=labels.spread_value,
            channels=CHANNEL_LABELS,
        ),
    )


def _areas_by_key() -> dict[str, FocusArea]:
    return {a.key: a for a in db.session.query(FocusArea).all()}


@bp.get("/innspill")
@staff_required
def inputs():
    """Inputs of the latest run whose suggestions include a focus area."""
    run = _require_results()
    if run is None:
        return redirect(url_for("insights.index"), code=303)
    key = request.args.get("satsingsomrade", "")
    area = db.session.query(FocusArea).filter_by(key=key).one_or_none() if key else None
    if area is None:
        abort(404)
    page = service.list_inputs(
        db.session,
        run,
        suggested_area_id=area.id,
        page=request.args.get("page", 1, type=int) or 1,
    )
    return render_template(
        "insights/inputs.html",
        **_common(
            run=run,
            area=area,
            page=page,
            page_url=lambda n: url_for("insights.inputs", satsingsomrade=area.key, page=n),
            channels=CHANNEL_LABELS,
        ),
    )


@bp.get("/kart")
@staff_required
def map_page():
    run = _require_results()
    if run is None:
        return redirect(url_for("insights.index"), code=303)
    themes = list(run.themes)
    return render_template(
        "insights/map.html",
        **_common(
            run=run,
            input_map=service.input_map(db.session, run),
            themes=themes,
            theme_position={t.number: i for i, t in enumerate(themes)},
            theme_by_number={t.number: t for t in themes},
            theme_style=labels.theme_style,
        ),
    )


# ---------------------------------------------------------------- runs


def _start(kind: RunKind, n_themes: int | None):
    try:
        run = service.start_run(
            db.session,
            kind=kind,
            user=actor(),
            n_themes=n_themes,
            stale_after=tasks.stale_after(),
        )
    except service.RunInProgress:
        db.session.rollback()
        tell(
            _l("An analysis is already running. Wait for it to finish before starting another."),
            "warning",
        )
        return redirect(url_for("insights.index"), code=303)
    db.session.commit()
    tasks.start_in_background(current_app._get_current_object(), run.id)
    if kind == RunKind.RETRAIN:
        tell(_l("Retraining has started. The results are updated when it is done."), "info")
    else:
        tell(_l("The analysis has started. The results are updated when it is done."), "info")
    return redirect(url_for("insights.index", _anchor="run-status"), code=303)


@bp.post("/kjor")
@staff_required
def start():
    form = StartRunForm()
    if not form.validate_on_submit():
        for error in form.n_themes.errors:
            tell(error, "danger")
        if form.csrf_token.errors:
            abort(400)
        return redirect(url_for("insights.index"), code=303)
    return _start(RunKind.RUN, form.themes)


@bp.post("/tren")
@staff_required
def retrain():
    if not PostForm().validate_on_submit():
        abort(400)
    return _start(RunKind.RETRAIN, None)


@bp.get("/status")
@staff_required
def latest_status():
    """The latest run's state as JSON, for the progress poller."""
    run = service.latest_run(db.session)
    if run is None:
        return jsonify({"status": None, "active": False})
    return jsonify(status_of(run))


@bp.get(f"/kjoringar/<int(max={MAX_ID}):run_id>/status")
@staff_required
def run_status(run_id: int):
    run = db.session.get(AnalysisRun, run_id) or abort(404)
    return jsonify(status_of(run))


@bp.get("/kjoringar")
@staff_required
def runs():
    found = service.list_runs(db.session, limit=100)
    return render_template(
        "insights/runs.html",
        **_common(runs=found, statuses={r.id: status_of(r) for r in found}),
    )


@bp.get(f"/kjoringar/<int(max={MAX_ID}):run_id>")
@staff_required
def run_detail(run_id: int):
    run = db.session.get(AnalysisRun, run_id) or abort(404)
    return render_template(
        "insights/run.html",
        **_common(run=run, status=status_of(run), areas_by_key=_areas_by_key()),
    )


# ---------------------------------------------------------------- reviewing


def _queue_form(row, active_areas) -> ConfirmAreasForm:
    locale = _locale()
    form = ConfirmAreasForm(prefix=f"q{row.item.id}")
    form.focus_areas.choices = [choice(str(a.id), a.name(locale)) for a in active_areas]
    if request.method == "GET":
        form.focus_areas.data = [
            str(s.focus_area_id) for s in row.suggestions if s.suggested and s.focus_area.active
        ]
    return form


@bp.get("/ko")
@staff_required
def queue():
    run = _require_results()
    if run is None:
        return redirect(url_for("insights.index"), code=303)
    page = service.review_queue(db.session, run, page=request.args.get("page", 1, type=int) or 1)
    active_areas = service.active_focus_areas(db.session)
    return render_template(
        "insights/queue.html",
        **_common(
            run=run,
            page=page,
            forms={row.item.id: _queue_form(row, active_areas) for row in page.rows},
            page_url=lambda n: url_for("insights.queue", page=n),
            channels=CHANNEL_LABELS,
            categories=RESPONDENT_CATEGORY_LABELS,
            written_forms=WRITTEN_FORM_LABELS,
        ),
    )


@bp.post(f"/ko/<int(max={MAX_ID}):input_id>")
@staff_required
def queue_confirm(input_id: int):
    from participation.backoffice.services import inbox

    locale = _locale()
    form = ConfirmAreasForm(prefix=f"q{input_id}")
    form.focus_areas.choices = [
        choice(str(a.id), a.name(locale)) for a in service.active_focus_areas(db.session)
    ]
    page = request.args.get("page", 1, type=int) or 1
    back = url_for("insights.queue", page=page)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        for error in form.focus_areas.errors:
            tell(error, "danger")
        return redirect(back, code=303)
    try:
        areas = inbox.confirm_focus_areas(
            db.session, actor(), input_id, [int(v) for v in form.focus_areas.data or []]
        )
    except inbox.InputNotFound:
        abort(404)
    except inbox.UnknownFocusArea:
        db.session.rollback()
        tell(_l("Choose among the options shown."), "danger")
        return redirect(back, code=303)
    db.session.commit()
    if areas:
        tell(
            _l(
                "Input #%(id)s: confirmed %(areas)s.",
                id=input_id,
                areas=", ".join(a.name(locale) for a in areas),
            )
        )
    else:
        tell(_l("Input #%(id)s: confirmed that none of the focus areas applies.", id=input_id))
    return redirect(back, code=303)


@bp.post(f"/innspill/<int(max={MAX_ID}):input_id>/stadfest")
@staff_required
def confirm_suggestion(input_id: int):
    """One click on the input page: confirm what the analysis suggests."""
    from participation.backoffice.services import inbox

    if not PostForm().validate_on_submit():
        abort(400)
    back = safe_next(request.form.get("next"))
    try:
        areas = service.confirm_suggestion(db.session, actor(), input_id)
    except inbox.InputNotFound:
        abort(404)
    except service.NoSuggestion:
        tell(_l("The analysis has no suggestion for this input yet."), "warning")
        return redirect(back, code=303)
    db.session.commit()
    if areas:
        locale = _locale()
        tell(
            _l(
                "The suggested focus areas were confirmed: %(areas)s.",
                areas=", ".join(a.name(locale) for a in areas),
            )
        )
    else:
        tell(_l("Confirmed: none of the focus areas applies."))
    return redirect(back, code=303)


# ---------------------------------------------------------------- quality


@bp.get("/kvalitet")
@staff_required
def quality():
    run = _require_results()
    if run is None:
        return redirect(url_for("insights.index"), code=303)
    return render_template(
        "insights/quality.html", **_common(quality=service.quality(db.session, run), run=run)
    )


@bp.record_once
def _register_hooks(state) -> None:
    from participation.insights import hooks

    hooks.register()
