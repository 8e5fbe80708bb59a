"""Public priorities pages: the short form (alone, or a meeting's own for a workshop),
and the results once the project group has published them.

Anonymous like the suggestion box (its form guards: CSRF, honeypot, minimum fill
time; its rate limit on the keyed client hash). Answers from one client within
``PRIORITY_BURST_MINUTES`` beyond ``PRIORITY_BURST_LIMIT`` are stored flagged: the
count lives only in the rate-limit store under the keyed hash, which expires it.

Per process: ``/prosess/<slug>/prioriteringar`` (and ``…/resultat``) are one
process's; ``/prioriteringar/`` and ``/prioriteringar/resultat`` the current
process's (links given out earlier keep working); a meeting's form is its
process's.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.extensions import db, limiter
from participation.forms import choice
from participation.labels import CATEGORY_LABELS
from participation.models import (
    Meeting,
    PriorityChannel,
    Process,
    ProcessStatus,
    Region,
    RespondentCategory,
)
from participation.priorities import service
from participation.priorities.box import (
    area_choices,
    choice_fields,
    chosen,
    error_message,
    in_burst,
    max_choices,
)
from participation.processes import service as processes
from participation.ratelimit import configured
from participation.suggestions.forms import SuggestionForm, new_started_token
from participation.views import public_process_or_404

bp = Blueprint("priorities", __name__)

_FORMS: dict[int, type] = {}


def form_class(n: int) -> type:
    """The priorities form with ``n`` ordered choices (the suggestion box's guards,
    without its text)."""
    if n not in _FORMS:
        fields = {"text": None, "focus_area": None, "confirm_personal_data": None}
        fields.update(choice_fields("choice", n))
        _FORMS[n] = type(f"PriorityForm{n}", (SuggestionForm,), fields)
    return _FORMS[n]


def build_form(process_id: int):
    n = max_choices()
    form = form_class(n)()
    areas = area_choices(process_id)
    for i in range(1, n + 1):
        form[f"choice_{i}"].choices = areas
    regions = (
        processes.regions(db.session, process_id)
        or db.session.execute(select(Region).order_by(Region.position, Region.name)).scalars()
    )
    form.region.choices = [choice("", _l("Don't want to say"))] + [
        choice(str(r.id), r.name) for r in regions
    ]
    form.category.choices = [choice("", _l("Don't want to say"))] + [
        choice(k.value, CATEGORY_LABELS[k]) for k in RespondentCategory
    ]
    return form


_rate_limit = configured("SUGGESTION_RATE_LIMIT")


def _answer(process: Process, meeting: Meeting | None):
    form = build_form(process.id)
    n = max_choices()
    guard_errors: list = []
    if form.is_submitted():
        valid = form.validate()
        guard_errors = form.take_guard_errors()
        if valid and not guard_errors:
            ids = [int(v) for v in chosen(form, "choice", n) if v.isdigit() and len(v) < 10]
            data = service.PriorityData(
                focus_area_ids=ids,
                channel=PriorityChannel.WORKSHOP if meeting else PriorityChannel.FORM,
                region_id=int(form.region.data) if form.region.data else None,
                category=form.category.data or None,
                meeting_id=meeting.id if meeting else None,
            )
            try:
                service.submit(
                    db.session,
                    data,
                    max_choices=n,
                    flagged=lambda: in_burst(meeting.id if meeting else None),
                    process_id=process.id,
                )
            except service.PriorityError as error:
                db.session.rollback()
                guard_errors.append(error_message(error, n))
            else:
                db.session.commit()
                target = url_for("priorities.thanks", mote=meeting.id if meeting else None)
                return redirect(target, code=303)
        form.started.data = new_started_token()
    else:
        form.started.data = new_started_token()
    status = 422 if (form.errors or guard_errors) else 200
    return (
        render_template(
            "priorities/new.html",
            form=form,
            guard_errors=guard_errors,
            choice_fields=[form[f"choice_{i}"] for i in range(1, n + 1)],
            meeting=meeting,
            max_choices=n,
            process=process,
            action=(
                url_for("priorities.workshop", meeting_id=meeting.id)
                if meeting
                else url_for("priorities.process_new", slug=process.slug)
            ),
        ),
        status,
    )


def _current() -> Process:
    process = processes.current_process(db.session)
    if process is None:
        abort(404)
    return process


@bp.route("/prioriteringar/", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def new():
    return _answer(_current(), None)


@bp.route("/prosess/<slug>/prioriteringar", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def process_new(slug: str):
    return _answer(public_process_or_404(slug), None)


@bp.route("/prioriteringar/mote/<int(max=2147483647):meeting_id>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def workshop(meeting_id: int):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.cancelled_at is not None:
        abort(404)
    process = db.session.get(Process, meeting.process_id)
    if process is None or process.status == ProcessStatus.DRAFT:
        abort(404)
    return _answer(process, meeting)


@bp.get("/prioriteringar/takk")
def thanks():
    return render_template("priorities/thanks.html")


@bp.get("/prioriteringar/resultat")
def results():
    return _results(processes.current_process(db.session))


@bp.get("/prosess/<slug>/prioriteringar/resultat")
def process_results(slug: str):
    return _results(public_process_or_404(slug))


def _results(process: Process | None):
    published = service.publication(db.session, process.id) if process is not None else None
    if published is None:
        return render_template("priorities/not_published.html", process=process)
    return render_template(
        "priorities/results.html",
        results=service.all_results(db.session, process.id),
        public=True,
        process=process,
    )
