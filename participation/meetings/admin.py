"""The back office's meeting pages: meetings, registrations, attendance, messages, regions.

The seat rules are ``meetings.service``'s, the same the public sign-up follows."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.backoffice.blueprint import (
    actor,
    admin_required,
    bp,
    carry_out,
    current_process_id,
    form_page,
    staff_required,
    tell,
)
from participation.extensions import db
from participation.forms import PostForm, choice, local_datetime, parse_date, parse_time
from participation.jobs import admin as job_pages
from participation.labels import MESSAGE_STATUS_LABELS, REGISTRATION_STATUS_LABELS
from participation.meetings import service
from participation.meetings import tasks as message_tasks
from participation.meetings.forms import (
    AttendanceForm,
    CancelMeetingForm,
    MeetingForm,
    MessageForm,
    MoveForm,
    RegionForm,
)
from participation.models import Job, Meeting, MeetingMessage, Region, Registration, utcnow
from participation.processes import service as processes
from participation.views import commit_or_refuse

MOVE_ERRORS = {
    service.NoSeatLeft: _l(
        "The meeting has no free seat. Move someone to the waiting list first, or add seats."
    ),
    service.MeetingCancelled: _l("The meeting is cancelled."),
    service.MeetingAlreadyHeld: _l(
        "The meeting has already started, so registrations can no longer be moved."
    ),
    service.DuplicateRegistration: _l("This person is already signed up for that meeting."),
    service.NotMovable: _l("This registration cannot be moved."),
    service.MeetingNotFound: _l("We could not find the meeting."),
    service.RegistrationNotFound: _l("We could not find the registration."),
    service.OtherProcess: _l("A registration can only move to a meeting of the same process."),
    service.ProcessArchived: _l("The process is archived, so its meetings cannot be changed."),
}
CANCEL_ERRORS = MOVE_ERRORS | {
    service.MeetingAlreadyHeld: _l(
        "The meeting has already taken place, so the registration cannot be cancelled."
    ),
    # Any other refusal of the domain.
    service.MeetingError: _l("This registration cannot be moved."),
}


def _region_choices(process_id: int | None):
    """The process's regions (every region when it has chosen none)."""
    regions = (processes.regions(db.session, process_id) if process_id is not None else []) or list(
        db.session.execute(select(Region).order_by(Region.position, Region.name)).scalars()
    )
    return [choice("", _l("Choose…"))] + [choice(str(r.id), r.name) for r in regions]


PROCESS_ERRORS = {
    service.RegionNotInProcess: _l(
        "The region is not one of this process's regions. Choose one of them, "
        "or add the region to the process first."
    ),
    service.ProcessArchived: _l("The process is archived, so its meetings cannot be changed."),
    service.MeetingNotFound: _l("There is no active process to add the meeting to."),
}


def _meeting_form(meeting: Meeting | None = None) -> MeetingForm:
    form = MeetingForm()
    form.region.choices = _region_choices(
        meeting.process_id if meeting is not None else current_process_id()
    )
    if meeting is not None and request.method == "GET":
        tz = ZoneInfo(current_app.config["TIMEZONE"])
        starts = meeting.starts_at.astimezone(tz)
        deadline = meeting.registration_deadline.astimezone(tz)
        form.region.data = str(meeting.region_id)
        form.title.data = meeting.title
        form.description.data = meeting.description
        for language, title, description in form.other_languages():
            title.data = getattr(meeting, f"title_{language}")
            description.data = getattr(meeting, f"description_{language}")
        form.day.data = starts.date().isoformat()
        form.starts.data = starts.strftime("%H:%M")
        form.ends.data = meeting.ends_at.astimezone(tz).strftime("%H:%M")
        form.venue.data = meeting.venue
        form.address.data = meeting.address
        form.seats.data = meeting.seats
        form.deadline_day.data = deadline.date().isoformat()
        form.deadline_time.data = deadline.strftime("%H:%M")
    return form


def _meeting_data(form: MeetingForm) -> service.MeetingData:
    tz = current_app.config["TIMEZONE"]
    day = parse_date(form.day.data)
    return service.MeetingData(
        process_id=current_process_id(),
        region_id=int(form.region.data),
        title=form.title.data,
        description=form.description.data or "",
        titles={language: title.data or "" for language, title, _ in form.other_languages()},
        descriptions={
            language: description.data or "" for language, _, description in form.other_languages()
        },
        starts_at=local_datetime(day, parse_time(form.starts.data), tz).astimezone(UTC),
        ends_at=local_datetime(day, parse_time(form.ends.data), tz).astimezone(UTC),
        venue=form.venue.data,
        address=form.address.data or "",
        seats=form.seats.data,
        registration_deadline=local_datetime(
            parse_date(form.deadline_day.data), parse_time(form.deadline_time.data), tz
        ).astimezone(UTC),
    )


SCHEDULE_ERROR = _l(
    "The registration deadline must be before the meeting starts, and the meeting must end after it starts."
)


@bp.get("/moter")
@staff_required
def meetings():
    return render_template(
        "backoffice/meetings.html",
        rows=service.meeting_overview(db.session, current_process_id()),
        flagged=service.flagged_counts(db.session),
        now=utcnow(),
    )


@bp.route("/moter/ny", methods=["GET", "POST"])
@admin_required
def meeting_new():
    form = _meeting_form()
    error = None
    if form.validate_on_submit():
        meeting, error = commit_or_refuse(
            lambda: service.create_meeting(db.session, actor(), _meeting_data(form)),
            {service.InvalidSchedule: SCHEDULE_ERROR, **PROCESS_ERRORS},
        )
        if error is None:
            tell(_l("The meeting was created."), "success")
            return redirect(url_for("backoffice.meeting", meeting_id=meeting.id), code=303)
    return form_page("backoffice/meeting_form.html", form, meeting=None, error=error)


@bp.route("/moter/<int:meeting_id>/endre", methods=["GET", "POST"])
@admin_required
def meeting_edit(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = _meeting_form(meeting)
    error = None
    if meeting.cancelled_at is not None:
        error = _l("The meeting is cancelled.")
    elif form.validate_on_submit():
        try:
            outcome = service.update_meeting(db.session, actor(), meeting.id, _meeting_data(form))
        except service.InvalidSchedule:
            db.session.rollback()
            error = SCHEDULE_ERROR
        except service.SeatsBelowConfirmed as refused:
            db.session.rollback()
            form.seats.errors.append(
                _l(
                    "%(n)d people already have a confirmed seat. Enter at least %(n)d seats, or move people to the waiting list first.",
                    n=refused.confirmed,
                )
            )
        except service.MeetingCancelled:
            db.session.rollback()
            error = _l("The meeting is cancelled.")
        except tuple(PROCESS_ERRORS) as refused:
            db.session.rollback()
            error = PROCESS_ERRORS[type(refused)]
        else:
            db.session.commit()
            tell(_l("The meeting was saved."), "success")
            if outcome.promoted:
                tell(
                    _l(
                        "%(n)d people moved up from the waiting list and were told by e-mail.",
                        n=len(outcome.promoted),
                    ),
                    "info",
                )
            return redirect(url_for("backoffice.meeting", meeting_id=meeting.id), code=303)
    return form_page("backoffice/meeting_form.html", form, meeting=meeting, error=error)


@bp.get("/moter/<int:meeting_id>")
@staff_required
def meeting(meeting_id: int):
    found = db.get_or_404(Meeting, meeting_id)
    lists = service.open_registration_list(db.session, actor(), found.id)
    now = utcnow()
    # Every registration row has this list as move targets: only meetings a registration
    # can still be moved to (the service refuses cancelled and started ones), so the page
    # does not grow with every past meeting.
    others = [
        m
        for m in service.list_meetings(db.session, process_ids=[found.process_id])
        if m.id != found.id and m.cancelled_at is None and now < m.starts_at
    ]
    return render_template(
        "backoffice/meeting.html",
        meeting=found,
        lists=lists,
        other_meetings=others,
        now=now,
        statuses=REGISTRATION_STATUS_LABELS,
        post_form=PostForm(),
    )


def _move_targets(registration: Registration, others: list[Meeting]):
    choices = [choice("", _l("Choose…"))]
    if registration.status == "waiting":
        choices.append(choice("confirmed", _l("A seat at this meeting")))
    if registration.status == "confirmed":
        choices.append(choice("waiting", _l("The waiting list of this meeting")))
    choices += [choice(f"meeting:{m.id}", m.title) for m in others]
    return choices


def _registration_or_404(meeting_id: int, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.meeting_id != meeting_id:
        abort(404)
    return registration


@bp.post("/moter/<int:meeting_id>/pameldinger/<int:registration_id>/flytt")
@admin_required
def registration_move(meeting_id: int, registration_id: int):
    registration = _registration_or_404(meeting_id, registration_id)
    others = [
        m
        for m in service.list_meetings(db.session, process_ids=[registration.meeting.process_id])
        if m.id != meeting_id and m.cancelled_at is None
    ]
    form = MoveForm()
    form.target.choices = _move_targets(registration, others)
    if not form.validate_on_submit():
        tell(
            form.target.errors[0]
            if form.target.errors
            else _l("Choose where to move the registration."),
            "danger",
        )
        return redirect(url_for("backoffice.meeting", meeting_id=meeting_id), code=303)
    target = form.target.data

    def move():
        if target in ("confirmed", "waiting"):
            return service.move_within_meeting(
                db.session, actor(), registration.id, target, notify=form.notify.data
            )
        return service.move_to_meeting(
            db.session,
            actor(),
            registration.id,
            int(target.split(":", 1)[1]),
            notify=form.notify.data,
        )

    carry_out(move, MOVE_ERRORS, _l("The registration was moved."))
    return redirect(url_for("backoffice.meeting", meeting_id=meeting_id), code=303)


@bp.post("/moter/<int:meeting_id>/pameldinger/<int:registration_id>/gjennomgatt")
@staff_required
def registration_reviewed(meeting_id: int, registration_id: int):
    """A reviewer found a registration flagged as part of a burst genuine."""
    registration = _registration_or_404(meeting_id, registration_id)
    if not PostForm().validate_on_submit():
        abort(400)
    service.clear_burst_flag(db.session, actor(), registration.id)
    db.session.commit()
    tell(_l("The flag was removed."), "success")
    return redirect(url_for("backoffice.meeting", meeting_id=meeting_id), code=303)


@bp.post("/moter/<int:meeting_id>/pameldinger/<int:registration_id>/avmeld")
@admin_required
def registration_cancel(meeting_id: int, registration_id: int):
    registration = _registration_or_404(meeting_id, registration_id)
    form = PostForm()
    if form.validate_on_submit():
        outcome, refusal = carry_out(
            lambda: service.cancel_registration(db.session, actor(), registration.id),
            CANCEL_ERRORS,
            _l("The registration was cancelled and the person was told by e-mail."),
        )
        if refusal is None and outcome.promoted is not None:
            tell(_l("The first on the waiting list got the seat and was told by e-mail."), "info")
    return redirect(url_for("backoffice.meeting", meeting_id=meeting_id), code=303)


@bp.route("/moter/<int:meeting_id>/avlys", methods=["GET", "POST"])
@admin_required
def meeting_cancel(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = CancelMeetingForm()
    error = _l("The meeting is already cancelled.") if meeting.cancelled_at else None
    if error is None and form.validate_on_submit():
        told, error = commit_or_refuse(
            lambda: service.cancel_meeting(
                db.session, actor(), meeting.id, reason=form.reason.data or ""
            ),
            {service.MeetingCancelled: _l("The meeting is already cancelled.")},
        )
        if error is None:
            tell(
                _l("The meeting was cancelled. %(n)d people will be told by e-mail.", n=told),
                "success",
            )
            return redirect(url_for("backoffice.meeting", meeting_id=meeting.id), code=303)
    counts = service.registration_counts(db.session, meeting.id)
    return form_page(
        "backoffice/meeting_cancel.html", form, meeting=meeting, counts=counts, error=error
    )


@bp.route("/moter/<int:meeting_id>/oppmote", methods=["GET", "POST"])
@admin_required
def meeting_attendance(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    if request.method == "GET":
        confirmed = service.open_registration_list(
            db.session, actor(), meeting.id, page="attendance"
        ).confirmed
    else:
        confirmed = service.registrations_for(db.session, meeting.id).confirmed
    form = AttendanceForm()
    form.attended.choices = [choice(str(r.id), r.name or r.reference) for r in confirmed]
    if request.method == "GET":
        form.attended.data = [str(r.id) for r in confirmed if r.attended]
    if form.validate_on_submit():
        present = service.set_attendance(
            db.session, actor(), meeting.id, {int(v) for v in form.attended.data or []}
        )
        db.session.commit()
        tell(
            _l(
                "Attendance saved: %(present)d of %(total)d came.",
                present=present,
                total=len(confirmed),
            ),
            "success",
        )
        return redirect(url_for("backoffice.meeting", meeting_id=meeting.id), code=303)
    return form_page(
        "backoffice/meeting_attendance.html", form, meeting=meeting, confirmed=confirmed
    )


@bp.get("/moter/<int:meeting_id>/deltakarliste")
@staff_required
def attendance_list(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    lists = service.open_registration_list(db.session, actor(), meeting.id, page="list")
    return render_template(
        "backoffice/attendance_list.html",
        meeting=meeting,
        confirmed=sorted(lists.confirmed, key=lambda r: (r.name or "").lower()),
        printed_at=utcnow(),
    )


MESSAGE_ERRORS = {
    service.MeetingCancelled: _l("The meeting is cancelled."),
    service.NoAudience: _l("Choose who gets the message."),
    service.NoRecipients: _l(
        "No one would get this message: nobody among those you chose has an e-mail address."
    ),
}


@bp.route("/moter/<int:meeting_id>/melding", methods=["GET", "POST"])
@admin_required
def meeting_message(meeting_id: int):
    """Write a message (GET, or ``action=edit``), see it with the number of people it
    goes to (``action=preview``), and send it on confirmation (``action=send``): a job
    queues one e-mail per registrant, and this page (``?job=<id>``) follows it."""
    meeting = db.get_or_404(Meeting, meeting_id)
    form = MessageForm()
    action = request.form.get("action", "") if request.method == "POST" else ""
    error = _l("The meeting is cancelled.") if meeting.cancelled_at is not None else None
    if error is None and action in ("preview", "send") and form.validate_on_submit():
        audience = service.message_audience(
            db.session,
            meeting.id,
            to_confirmed=form.to_confirmed.data,
            to_waiting=form.to_waiting.data,
        )
        if audience.total == 0:
            error = MESSAGE_ERRORS[service.NoRecipients]
        elif action == "send" and form.confirm.data:
            try:
                job = message_tasks.start(
                    db.session,
                    actor(),
                    meeting.id,
                    subject=form.subject.data,
                    body=form.body.data,
                    to_confirmed=form.to_confirmed.data,
                    to_waiting=form.to_waiting.data,
                )
            except tuple(MESSAGE_ERRORS) as refused:
                db.session.rollback()
                error = MESSAGE_ERRORS[type(refused)]
            else:
                return redirect(
                    url_for("backoffice.meeting_message", meeting_id=meeting.id, job=job.id),
                    code=303,
                )
        else:
            if action == "send":
                form.confirm.errors.append(_l("Confirm that you want to send the message."))
            return render_template(
                "backoffice/meeting_message_preview.html",
                form=form,
                meeting=meeting,
                audience=audience,
            ), (422 if form.errors else 200)
    job = _message_job(meeting.id, request.args.get("job", ""))
    return render_template(
        "backoffice/meeting_message.html",
        form=form,
        meeting=meeting,
        counts=service.registration_counts(db.session, meeting.id),
        error=error,
        job=job,
        status=job_pages.status_of(job) if job else None,
        message=db.session.get(MeetingMessage, job.params.get("message_id", 0)) if job else None,
        messages=service.meeting_messages(db.session, meeting.id),
        message_statuses=MESSAGE_STATUS_LABELS,
        post_form=PostForm(),
    ), (422 if (form.errors or (error and request.method == "POST")) else 200)


def _message_job(meeting_id: int, job_id: str) -> Job | None:
    """The message job this page follows, if it is this meeting's."""
    if not job_id.isdigit() or int(job_id) > job_pages.MAX_ID:
        return None
    job = db.session.get(Job, int(job_id))
    if job is None or job.kind != message_tasks.MESSAGE_KIND:
        return None
    return job if job.params.get("meeting_id") == meeting_id else None


@bp.route("/regioner", methods=["GET", "POST"])
@admin_required
def regions():
    form = RegionForm()
    if form.validate_on_submit():
        region = service.create_region(db.session, actor(), form.name.data)
        db.session.commit()
        tell(_l("The region %(name)s was created.", name=region.name), "success")
        return redirect(url_for("backoffice.regions"), code=303)
    regions = db.session.execute(select(Region).order_by(Region.position, Region.name)).scalars()
    return form_page("backoffice/regions.html", form, regions=list(regions))
