"""Public pages for input meetings: regions, meetings, sign-up, cancellation."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from participation.common import normalize_org_number
from participation.extensions import db, limiter
from participation.forms import choice, normalize_phone
from participation.inputs.service import active_focus_areas
from participation.meetings import mail, service
from participation.meetings.forms import CancelForm, SignupForm
from participation.models import Meeting, MeetingStatus, RegistrationStatus, utcnow
from participation.processes import service as processes
from participation.ratelimit import client_key, configured
from participation.views import commit_or_refuse

bp = Blueprint("meetings", __name__, url_prefix="/moter")

# Ids beyond the database's integer range are simply not found (no overflow error).
MAX_ID = 2**31 - 1

SIGNUP_ERRORS = {
    service.RegistrationClosed: _l("Registration for this meeting has closed."),
    service.MeetingCancelled: _l("This meeting has been cancelled."),
    service.DuplicateRegistration: _l(
        "This e-mail address is already signed up for this meeting. "
        "Check your e-mail for the confirmation, or use the link in it to cancel."
    ),
    service.MeetingNotFound: _l("We could not find the meeting."),
}

CANCEL_ERRORS = {
    service.MeetingAlreadyHeld: _l(
        "The meeting has already taken place, so the registration cannot be cancelled."
    ),
}


def _active_ids() -> list[int]:
    return [p.id for p in processes.active_processes(db.session)]


@bp.get("/")
def regions():
    return render_template(
        "meetings/regions.html",
        regions=service.list_regions(db.session, process_ids=_active_ids()),
    )


@bp.get("/region/<slug>")
def region(slug: str):
    found = service.get_region(db.session, slug)
    if found is None:
        abort(404)
    meetings = service.list_meetings(db.session, found, process_ids=_active_ids())
    return render_template("meetings/region.html", region=found, meetings=meetings, now=utcnow())


@bp.get(f"/<int(max={MAX_ID}):meeting_id>")
def meeting(meeting_id: int):
    found = db.get_or_404(Meeting, meeting_id)
    return render_template("meetings/meeting.html", meeting=found, now=utcnow())


def _signup_form(meeting: Meeting) -> SignupForm:
    form = SignupForm()
    locale = str(get_locale())
    form.focus_areas.choices = [
        choice(str(area.id), area.name(locale))
        for area in active_focus_areas(db.session, meeting.process_id)
    ]
    return form


_signup_limit = configured("SIGNUP_RATE_LIMIT")
_meeting_limit = configured("SIGNUP_MEETING_LIMIT")


def _client_and_meeting() -> str:
    # The keyed, daily rotating hash of the client, per meeting: never stored.
    return f"{client_key()}:{(request.view_args or {}).get('meeting_id')}"


def _flag_if_burst(registration_id: int) -> None:
    """Flag this sign-up, and the client's others in the window, when one client (keyed
    hash) signed up SIGNUP_BURST_COUNT times within SIGNUP_BURST_MINUTES. The project
    group reviews the flags; nothing is removed."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return
    recent = current_app.extensions["innspill_recent"].add(
        "signup", client_key(), registration_id, config["SIGNUP_BURST_MINUTES"] * 60
    )
    if len(recent) >= config["SIGNUP_BURST_COUNT"]:
        service.flag_burst(db.session, recent)
        db.session.commit()


@bp.route(f"/<int(max={MAX_ID}):meeting_id>/pamelding", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
@limiter.limit(
    _meeting_limit, key_func=_client_and_meeting, methods=["POST"], scope="signup-meeting"
)
def signup(meeting_id: int):
    found = db.get_or_404(Meeting, meeting_id)
    now = utcnow()
    status = found.status(now)
    if found.process.is_archived and status != MeetingStatus.CANCELLED:
        status = MeetingStatus.CLOSED
    form = _signup_form(found)

    def page(refusal=None, code=200):
        return render_template(
            "meetings/signup.html",
            meeting=found,
            form=form,
            refusal=refusal,
            now=now,
        ), code

    if status not in (MeetingStatus.OPEN, MeetingStatus.FULL):
        error = (
            service.MeetingCancelled
            if status == MeetingStatus.CANCELLED
            else service.RegistrationClosed
        )
        # A POST after the deadline is refused plainly and stores nothing.
        return page(SIGNUP_ERRORS[error], 409 if form.is_submitted() else 200)

    if form.validate_on_submit():
        data = service.SignupData(
            name=form.name.data,
            email=form.email.data,
            phone=normalize_phone(form.phone.data) or None,
            organisation=form.organisation.data,
            org_number=normalize_org_number(form.org_number.data) or None,
            category=form.category.data,
            needs=form.needs.data,
            focus_area_ids=[int(v) for v in form.focus_areas.data or []],
            locale=str(get_locale()),
            notify_outcome=bool(form.notify_outcome.data),
        )
        try:
            registration = service.register(db.session, meeting_id, data)
        except service.MeetingError as error:
            db.session.rollback()
            message = SIGNUP_ERRORS[type(error)]
            if not isinstance(error, service.DuplicateRegistration):
                # Closed or cancelled between showing the form and sending it.
                return page(message, 409)
            form.email.errors.append(message)
        else:
            db.session.commit()
            _flag_if_burst(registration.id)
            session["receipt"] = registration.reference
            return redirect(url_for("meetings.receipt"), code=303)
    return page(code=422 if form.errors else 200)


@bp.get("/pamelding/kvittering")
def receipt():
    reference = session.get("receipt")
    registration = service.find_by_reference(db.session, reference) if reference else None
    if registration is None:
        return redirect(url_for("meetings.regions"), code=303)
    return render_template(
        "meetings/receipt.html",
        registration=registration,
        meeting=registration.meeting,
        position=service.waiting_position(db.session, registration),
    )


@bp.route("/avmelding/<token>", methods=["GET", "POST"])
def cancel(token: str):
    reference = mail.reference_from_token(token)
    registration = service.find_by_reference(db.session, reference) if reference else None
    if registration is None:
        abort(404)
    form = CancelForm()
    error = None
    if form.validate_on_submit():
        outcome, error = commit_or_refuse(
            lambda: service.cancel(db.session, registration.reference), CANCEL_ERRORS
        )
        if error is None:
            if not outcome.already_cancelled:
                session["cancelled"] = {
                    "reference": registration.reference,
                    "seat_passed_on": outcome.promoted is not None,
                }
            return redirect(url_for("meetings.cancel", token=token), code=303)
    if registration.status == RegistrationStatus.CANCELLED:
        just = session.pop("cancelled", None)
        just = just if isinstance(just, dict) and just.get("reference") == reference else None
        return render_template(
            "meetings/cancelled.html",
            meeting=registration.meeting,
            already=just is None,
            seat_passed_on=bool(just and just.get("seat_passed_on")),
        )
    return render_template(
        "meetings/cancel.html",
        form=form,
        registration=registration,
        meeting=registration.meeting,
        error=error,
        now=utcnow(),
    ), (409 if error else 200)
