"""The analysis in the back office (/admin/analyse): results, runs, review queue, quality.

Its own blueprint (endpoints ``insights.*``) under the back office's address, guarded
like it.

Every staff member (reviewer or administrator) may look, start a run, retrain and
confirm tags: running the analysis changes nothing anyone entered, and confirming
tags is a reviewer's everyday work.
"""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from participation import labels
from participation.backoffice.blueprint import (
    actor,
    current_process_id,
    guard_request,
    safe_next,
    staff_required,
    tell,
)
from participation.extensions import db
from participation.forms import BaseForm, OneOf, PostForm, choice, field_choices
from participation.inputs import service as inputs_service
from participation.inputs.admin import ConfirmAreasForm
from participation.insights import results, tasks
from participation.insights import runs as lifecycle
from participation.models import AnalysisRun, FocusArea, RunKind, RunStatus, utcnow

bp = Blueprint("insights", __name__, url_prefix="/admin/analyse")
bp.before_request(guard_request)

MAX_ID = 2**31 - 1
STALE_MESSAGE = _l(
    "The run stopped without finishing (the server was probably restarted). Start a new run."
)


MIN_THEMES = 2
MAX_THEMES = 30


class StartRunForm(BaseForm):
    n_themes = SelectField(
        _l("Number of themes"),
        validate_choice=False,
        validators=[OneOf(field_choices, message=_l("Choose a number of themes from the list."))],
        description=_l(
            "Leave it to the analysis unless the themes come out too broad or too narrow."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.n_themes.choices = [choice("", _l("Choose automatically"))] + [
            choice(str(n), str(n)) for n in range(MIN_THEMES, MAX_THEMES + 1)
        ]

    @property
    def themes(self) -> int | None:
        return int(self.n_themes.data) if self.n_themes.data else None


def spread_value(column: str, value: str, areas_by_key: dict, locale: str) -> str:
    """A readable name for one value of a spread column."""
    if column in ("focus_areas", "chosen_areas"):
        if not value:
            return str(labels.NO_AREA)
        area = areas_by_key.get(value)
        return area.name(locale) if area is not None else value
    if not value:
        return str(labels.NOT_GIVEN)
    if column == "channel":
        return str(labels.CHANNEL_LABELS.get(value, value))
    if column == "category":
        return str(labels.CATEGORY_LABELS.get(value, value))
    if column == "written_form":
        return str(labels.WRITTEN_FORM_LABELS.get(value, value))
    return value


# Theme colours (colour-blind-safe, at least 3:1 against white) and marker shapes:
# a theme is told apart by both, and the table gives the same information in words.
THEME_COLOURS = (
    "#0072B2",
    "#C24E00",
    "#007756",
    "#B3478C",
    "#6B4C9A",
    "#8A6D00",
    "#333333",
    "#1F6F8B",
)
THEME_SHAPES = ("circle", "square", "triangle", "diamond")


def theme_style(position: int) -> tuple[str, str]:
    """(colour, shape) for the theme at ``position`` in the run's list."""
    return (
        THEME_COLOURS[position % len(THEME_COLOURS)],
        THEME_SHAPES[(position // len(THEME_COLOURS) + position) % len(THEME_SHAPES)],
    )


def _locale() -> str:
    return str(get_locale() or "nb")


def _is_stale(run: AnalysisRun) -> bool:
    return run.is_active and run.heartbeat_at < utcnow() - lifecycle.stale_after()


def status_of(run: AnalysisRun) -> dict:
    """The run's state for the page and the poller; a stale run shows as failed."""
    data = lifecycle.run_status(run)
    if _is_stale(run):
        data.update(status=RunStatus.FAILED, stage="failed", active=False, error=str(STALE_MESSAGE))
    if data["active"]:
        job = tasks.job_for(db.session, run)
        if job is not None and job.is_active:
            data["job_id"] = job.id
    data["status_label"] = str(labels.RUN_STATUS_LABELS.get(data["status"], data["status"]))
    data["stage_label"] = str(labels.RUN_STAGE_LABELS.get(data["stage"], data["stage"]))
    return data


def _common(**context):
    context.setdefault("locale", _locale())
    return context


def _latest_done_or_none():
    return lifecycle.latest_done_run(db.session, current_process_id())


def results_required(view):
    """Views of the latest finished run's results get it as ``run``; without one, the
    overview says so."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        run = _latest_done_or_none()
        if run is None:
            tell(_l("There are no results yet. Start an analysis run first."), "info")
            return redirect(url_for("insights.index"), code=303)
        return view(*args, run=run, **kwargs)

    return wrapped


# ---------------------------------------------------------------- results


@bp.get("/")
@staff_required
def index():
    latest = lifecycle.latest_run(db.session, current_process_id())
    done = _latest_done_or_none()
    overview = results.overview(db.session, done) if done is not None else None
    return render_template(
        "insights/index.html",
        **_common(
            latest=latest,
            latest_status=status_of(latest) if latest is not None else None,
            overview=overview,
            form=StartRunForm(),
            post_form=PostForm(),
            theme_style=theme_style,
            spread_value=spread_value,
        ),
    )


@bp.get(f"/tema/<int(max={MAX_ID}):number>")
@staff_required
@results_required
def theme(run: AnalysisRun, number: int):
    try:
        found = results.get_theme(db.session, run, number)
    except results.RunNotFound:
        abort(404)
    page = results.list_inputs(
        db.session, run, theme=number, page=request.args.get("page", 1, type=int) or 1
    )
    return render_template(
        "insights/theme.html",
        **_common(
            run=run,
            theme=found,
            quotes=results.quotes_for(db.session, found.representative_ids),
            page=page,
            page_url=lambda n: url_for("insights.theme", number=number, page=n),
            areas_by_key=_areas_by_key(),
            theme_style=theme_style,
            spread_value=spread_value,
        ),
    )


def _areas_by_key() -> dict[str, FocusArea]:
    return {a.key: a for a in db.session.query(FocusArea).all()}


@bp.get("/innspill")
@staff_required
@results_required
def inputs(run: AnalysisRun):
    """Inputs of the latest run whose suggestions include a focus area."""
    key = request.args.get("satsingsomrade", "")
    area = db.session.query(FocusArea).filter_by(key=key).one_or_none() if key else None
    if area is None:
        abort(404)
    page = results.list_inputs(
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
        ),
    )


@bp.get("/kart")
@staff_required
@results_required
def map_page(run: AnalysisRun):
    themes = list(run.themes)
    return render_template(
        "insights/map.html",
        **_common(
            run=run,
            input_map=results.input_map(db.session, run),
            themes=themes,
            theme_position={t.number: i for i, t in enumerate(themes)},
            theme_by_number={t.number: t for t in themes},
            theme_style=theme_style,
        ),
    )


# ---------------------------------------------------------------- runs


def _start(kind: RunKind, n_themes: int | None):
    try:
        tasks.start(
            db.session,
            kind=kind,
            user=actor(),
            n_themes=n_themes,
            stale_after=lifecycle.stale_after(),
            process_id=current_process_id(),
        )
    except lifecycle.RunInProgress:
        db.session.rollback()
        tell(
            _l("An analysis is already running. Wait for it to finish before starting another."),
            "warning",
        )
        return redirect(url_for("insights.index"), code=303)
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
    run = lifecycle.latest_run(db.session, current_process_id())
    if run is None:
        return jsonify({"status": None, "active": False})
    return jsonify(status_of(run))


@bp.get(f"/kjoringar/<int(max={MAX_ID}):run_id>/status")
@staff_required
def run_status(run_id: int):
    run = db.get_or_404(AnalysisRun, run_id)
    return jsonify(status_of(run))


@bp.get("/kjoringar")
@staff_required
def runs():
    found = lifecycle.list_runs(db.session, limit=100, process_id=current_process_id())
    return render_template(
        "insights/runs.html",
        **_common(runs=found, statuses={r.id: status_of(r) for r in found}),
    )


@bp.get(f"/kjoringar/<int(max={MAX_ID}):run_id>")
@staff_required
def run_detail(run_id: int):
    run = db.get_or_404(AnalysisRun, run_id)
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
        form.focus_areas.data = [str(s.focus_area_id) for s in row.suggestions if s.suggested]
    return form


@bp.get("/ko")
@staff_required
@results_required
def queue(run: AnalysisRun):
    page = results.review_queue(db.session, run, page=request.args.get("page", 1, type=int) or 1)
    active_areas = inputs_service.active_focus_areas(db.session, current_process_id())
    return render_template(
        "insights/queue.html",
        **_common(
            run=run,
            page=page,
            forms={row.item.id: _queue_form(row, active_areas) for row in page.rows},
            page_url=lambda n: url_for("insights.queue", page=n),
        ),
    )


@bp.post(f"/ko/<int(max={MAX_ID}):input_id>")
@staff_required
def queue_confirm(input_id: int):
    locale = _locale()
    form = ConfirmAreasForm(prefix=f"q{input_id}")
    form.focus_areas.choices = [
        choice(str(a.id), a.name(locale)) for a in inputs_service.active_focus_areas(db.session, current_process_id())
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
        areas = inputs_service.confirm_focus_areas(
            db.session, actor(), input_id, [int(v) for v in form.focus_areas.data or []]
        )
    except inputs_service.InputNotFound:
        abort(404)
    except inputs_service.UnknownFocusArea:
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
    if not PostForm().validate_on_submit():
        abort(400)
    back = safe_next(request.form.get("next"))
    try:
        areas = results.confirm_suggestion(db.session, actor(), input_id)
    except inputs_service.InputNotFound:
        abort(404)
    except results.NoSuggestion:
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
@results_required
def quality(run: AnalysisRun):
    return render_template(
        "insights/quality.html", **_common(quality=results.quality(db.session, run), run=run)
    )
