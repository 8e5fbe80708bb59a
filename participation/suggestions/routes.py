"""The digital suggestion box (innspillskassen): one page, anonymous.

The views never read the client address, headers or cookies (the rate limiter's
key function alone reads the address, and keeps only a keyed hash in its store).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.extensions import db, limiter
from participation.forms import choice
from participation.inputs.service import active_focus_areas
from participation.labels import CATEGORY_LABELS
from participation.models import (
    PriorityChannel,
    Process,
    ProcessStatus,
    Region,
    RespondentCategory,
    utcnow,
)
from participation.priorities import box as priority_box
from participation.priorities import service as priorities
from participation.processes import service as processes
from participation.ratelimit import configured, rate_limited
from participation.suggestions import service
from participation.suggestions.forms import DONT_KNOW, SuggestionForm, new_started_token

# /innspill/ is the box of the current process (links given out before processes
# existed keep working); /prosess/<slug>/innspill is one process's own box.
bp = Blueprint("suggestions", __name__)

SUBMIT_ERRORS = {
    service.TextTooShort: _l("The suggestion must be at least 20 characters."),
    service.TextTooLong: _l("The suggestion can be at most 5000 characters."),
    service.InvalidChoice: _l("One of the choices is no longer available. Choose again."),
    service.BoxClosed: _l("The suggestion box is closed. Nothing was sent."),
}


_FORMS: dict[int, type] = {}


def box_form_class(n: int) -> type:
    """The box's form with the priorities question: ``priority_1`` … ``priority_n``."""
    if n not in _FORMS:
        _FORMS[n] = type(
            f"SuggestionBoxForm{n}", (SuggestionForm,), priority_box.choice_fields("priority", n)
        )
    return _FORMS[n]


RATE_LIMITED = _l(
    "You have sent the form many times in a short while. Wait a few minutes and send it "
    "again: your text is kept below."
)


_rate_limit = configured("SUGGESTION_RATE_LIMIT")


def _form(process: Process | None) -> SuggestionForm:
    form = box_form_class(priority_box.max_choices())()
    locale = str(get_locale())
    process_id = process.id if process is not None else None
    if process_id is not None:
        areas = priority_box.area_choices(process_id)
        for field in priority_fields(form):
            field.choices = areas
    form.focus_area.choices = [
        choice(str(area.id), area.name(locale))
        for area in active_focus_areas(db.session, process_id)
    ] + [choice(DONT_KNOW, _l("Don't know"))]
    regions = (
        processes.regions(db.session, process_id) if process_id is not None else []
    ) or db.session.execute(select(Region).order_by(Region.position, Region.name)).scalars()
    form.region.choices = [choice("", _l("Don't want to say"))] + [
        choice(str(r.id), r.name) for r in regions
    ]
    form.category.choices = [choice("", _l("Don't want to say"))] + [
        choice(key.value, CATEGORY_LABELS[key]) for key in RespondentCategory
    ]
    return form


@bp.route("/innspill/", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def new():
    return _box(processes.suggestion_box_process(db.session))


@bp.route("/prosess/<slug>/innspill", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def process_new(slug: str):
    found = (
        processes.get_by_slug(db.session, slug) if len(slug) <= 80 and "\x00" not in slug else None
    )
    if found is None or found.status == ProcessStatus.DRAFT:
        abort(404)
    return _box(found)


def _box(process: Process | None):
    """The box of ``process``: the form while it is open, else a plain message."""
    is_open = process is not None and process.suggestions_open(utcnow())
    if not is_open:
        return render_template("suggestions/closed.html", process=process), (
            409 if request.method == "POST" else 200
        )
    form = _form(process)
    n = priority_box.max_choices()
    guard_errors: list = []
    warning = None
    if rate_limited():
        # Too many requests (setup.py shows the form again): nothing is stored, and
        # the text comes back with a message to wait.
        guard_errors.append(RATE_LIMITED)
    elif form.is_submitted():
        valid = form.validate()
        guard_errors = form.take_guard_errors()
        if valid:
            check = service.check_personal_data(form.text.data)
            confirmed = form.confirm_personal_data.data == "1"
            if check.findings and not confirmed:
                # Warn before anything is stored; the next press sends it redacted.
                warning = check
            else:
                data = service.SuggestionData(
                    text=form.text.data,
                    focus_area_id=(
                        int(form.focus_area.data)
                        if form.focus_area.data not in (None, "", DONT_KNOW)
                        else None
                    ),
                    region_id=int(form.region.data) if form.region.data else None,
                    category=form.category.data or None,
                )
                chosen = priority_box.chosen(form, "priority", n)
                answer = priorities.PriorityData(
                    [int(v) if v.isdigit() and len(v) < 10 else -1 for v in chosen],
                    channel=PriorityChannel.SUGGESTION_BOX,
                    region_id=data.region_id,
                    category=data.category,
                )
                try:
                    # The priorities are checked before anything is stored: a refused
                    # choice stores neither them nor the suggestion.
                    if chosen:
                        priorities.check(db.session, answer, process.id, max_choices=n)
                    suggestion = service.submit_suggestion(db.session, data, process_id=process.id)
                    if chosen:
                        priorities.submit(
                            db.session,
                            answer,
                            max_choices=n,
                            flagged=lambda: priority_box.in_burst(None),
                            process_id=process.id,
                        )
                except service.SuggestionError as error:
                    db.session.rollback()
                    guard_errors.append(SUBMIT_ERRORS[type(error)])
                except priorities.PriorityError as error:
                    db.session.rollback()
                    # On the first choice: the error summary links to it.
                    form.priority_1.errors = [
                        *form.priority_1.errors,
                        priority_box.error_message(error, n),
                    ]
                else:
                    code = suggestion.receipt_code
                    db.session.commit()
                    session["suggestion_receipt"] = code
                    return redirect(url_for("suggestions.receipt"), code=303)
        if guard_errors:
            # A fresh start time for the next attempt (too fast, expired or tampered).
            form.started.data = new_started_token()
    else:
        form.started.data = new_started_token()

    refused = any(field.errors for field in form)
    status = 422 if (refused or guard_errors) else 200
    return (
        render_template(
            "suggestions/new.html",
            form=form,
            guard_errors=guard_errors,
            warning=warning,
            min_length=service.MIN_LENGTH,
            max_length=service.MAX_LENGTH,
            process=process,
            priority_fields=priority_fields(form) if len(form.priority_1.choices or []) > 1 else [],
        ),
        status,
    )


def priority_fields(form) -> list:
    return [form[f"priority_{i}"] for i in range(1, priority_box.max_choices() + 1)]


@bp.get("/innspill/kvittering")
def receipt():
    code = session.get("suggestion_receipt")
    if not code:
        return redirect(url_for("suggestions.new"), code=303)
    return render_template("suggestions/receipt.html", code=code)
