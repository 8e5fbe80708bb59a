"""Public pages for input meetings: regions, meetings, sign-up, cancellation."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from participation.extensions import db
from participation.forms import normalize_org_number, normalize_phone
from participation.meetings import mail, service
from participation.meetings.forms import CATEGORY_LABELS, CancelForm, SignupForm
from participation.models import Meeting, MeetingStatus, utcnow

bp = Blueprint("meetings", __name__, url_prefix="/moter")

SIGNUP_ERRORS = {
    service.RegistrationClosed: _l("Registration for this meeting has closed."),
    service.MeetingCancelled: _l("This meeting has been cancelled."),
    service.DuplicateRegistration: _l(
        "This e-mail address is already signed up for this meeting. "
        "Check your e-mail for the confirmation, or use the link in it to cancel."
    ),
    service.MeetingNotFound: _l("We could not find the meeting."),
}


@bp.get("/")
def regions():
    return render_template("meetings/regions.html", regions=service.list_regions(db.session))


@bp.get("/region/<slug>")
def region(slug: str):
    found = service.get_region(db.session, slug)
    if found is None:
        abort(404)
    meetings = service.list_meetings(db.session, found)
    return render_template("meetings/region.html", region=found, meetings=meetings, now=utcnow())


@bp.get("/<int:meeting_id>")
def meeting(meeting_id: int):
    found = db.session.get(Meeting, meeting_id) or abort(404)
    return render_template("meetings/meeting.html", meeting=found, now=utcnow())


def _signup_form() -> SignupForm:
    form = SignupForm()
    locale = str(get_locale())
    form.focus_areas.choices = [
        (str(area.id), area.name(locale)) for area in service.active_focus_areas(db.session)
    ]
    return form


@bp.route("/<int:meeting_id>/pamelding", methods=["GET", "POST"])
def signup(meeting_id: int):
    found = db.session.get(Meeting, meeting_id) or abort(404)
    now = utcnow()
    status = found.status(now)
    open_for_signup = status in (MeetingStatus.OPEN, MeetingStatus.FULL)
    form = _signup_form()
    refusal = None
    if not open_for_signup:
        refusal = SIGNUP_ERRORS[
            service.MeetingCancelled
            if status == MeetingStatus.CANCELLED
            else service.RegistrationClosed
        ]
    if open_for_signup and form.validate_on_submit():
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
        )
        try:
            registration = service.register(db.session, meeting_id, data)
        except service.SignupError as error:
            db.session.rollback()
            message = SIGNUP_ERRORS[type(error)]
            if isinstance(error, service.DuplicateRegistration):
                form.email.errors.append(message)
            else:
                refusal = message
        else:
            db.session.commit()
            session["receipt"] = registration.reference
            return redirect(url_for("meetings.receipt"), code=303)
    elif not open_for_signup and form.is_submitted():
        # A POST after the deadline: refuse plainly, store nothing.
        return (
            render_template(
                "meetings/signup.html",
                meeting=found,
                form=form,
                refusal=refusal,
                now=now,
                categories=CATEGORY_LABELS,
            ),
            409,
        )
    status_code = 422 if form.errors else 200
    return (
        render_template(
            "meetings/signup.html",
            meeting=found,
            form=form,
            refusal=refusal,
            now=now,
            categories=CATEGORY_LABELS,
        ),
        status_code,
    )


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
        try:
            outcome = service.cancel(db.session, registration.reference)
        except service.MeetingAlreadyHeld:
            db.session.rollback()
            error = _l(
                "The meeting has already taken place, so the registration cannot be cancelled."
            )
        else:
            db.session.commit()
            return render_template(
                "meetings/cancelled.html",
                meeting=outcome.registration.meeting,
                already=outcome.already_cancelled,
            )
    return render_template(
        "meetings/cancel.html",
        form=form,
        registration=registration,
        meeting=registration.meeting,
        error=error,
        now=utcnow(),
    ), (409 if error else 200)
