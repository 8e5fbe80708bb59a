"""Public pages for the consultation (høring) on the draft strategy."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import format_timedelta, get_locale
from flask_babel import lazy_gettext as _l

from participation.common import normalize_org_number
from participation.consultation import attachments as files
from participation.consultation import service
from participation.consultation.forms import ResponseForm
from participation.consultation.markdown import render_markdown
from participation.extensions import db, limiter
from participation.forms import choice
from participation.models import ConsultationState, utcnow
from participation.processes import service as processes
from participation.ratelimit import configured, rate_limited

bp = Blueprint("consultation", __name__, url_prefix="/horing")

RATE_LIMITED = _l(
    "You have sent the form many times in a short while. Wait a few minutes and send it "
    "again: what you wrote and attached is kept below."
)

REFUSALS = {
    service.NotYetOpen: _l("The consultation has not opened yet. Responses cannot be sent yet."),
    service.Closed: _l(
        "The consultation has closed. The deadline has passed, and responses can no longer be sent."
    ),
    service.SectionNotFound: _l("The section you chose is not in this draft."),
}


@bp.app_template_filter("markdown")
def markdown_filter(source: str | None):
    return render_markdown(source)


@bp.app_template_filter("duration")
def duration_filter(delta: timedelta) -> str:
    return format_timedelta(delta, threshold=2, granularity="minute")


@bp.url_value_preprocessor
def allow_attachments(endpoint, values) -> None:
    # Runs before the CSRF check parses the form: only the response form may carry
    # several PDFs, so only it gets a larger request limit than MAX_CONTENT_LENGTH.
    if (
        endpoint == "consultation.respond"
        and request.method == "POST"
        and request.mimetype == "multipart/form-data"
    ):
        config = current_app.config
        allowed = config["ATTACHMENT_MAX_FILES"] * config["ATTACHMENT_MAX_BYTES"] + 1024 * 1024
        request.max_content_length = max(allowed, config["MAX_CONTENT_LENGTH"] or 0)


_rate_limit = configured("CONSULTATION_RATE_LIMIT")


def _draft_or_404(slug: str):
    draft = service.get_draft(db.session, slug)
    if draft is None:
        abort(404)
    return draft


@bp.get("/")
def index():
    # Drafts of active processes, then of earlier ones (their published responses stay).
    shown = processes.active_processes(db.session) + processes.earlier_processes(db.session)
    return render_template(
        "consultation/index.html",
        drafts=service.list_drafts(db.session, process_ids=[p.id for p in shown]),
        now=utcnow(),
    )


@bp.get("/<slug>")
def draft(slug: str):
    found = _draft_or_404(slug)
    now = utcnow()
    return render_template(
        "consultation/draft.html",
        draft=found,
        now=now,
        state=found.state(now),
        time_left=service.time_left(found, now),
        counts=service.published_counts_by_section(db.session, found.id),
        stance_counts=service.stance_counts(db.session, found.id),
    )


def _response_form(draft) -> ResponseForm:
    form = ResponseForm()
    form.section.choices = [choice("", _l("The whole draft"))] + [
        choice(section.anchor, f"{section.number} {section.title}") for section in draft.sections
    ]
    config = current_app.config
    form.attachments.description = _l(
        "PDF files only. At most %(max)s files of up to %(size)s MB each. "
        "Personal data in attachments is not removed automatically.",
        max=config["ATTACHMENT_MAX_FILES"],
        size=config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
    )
    return form


def _pending_key(slug: str) -> str:
    return f"pending_uploads:{slug}"


def _kept_uploads(found) -> tuple[str | None, list]:
    """PDFs kept from an earlier attempt of this form (minus those ticked for removal);
    what was left too long is gone first."""
    config = current_app.config
    files.sweep_pending(
        config["UPLOAD_DIR"],
        max_age_seconds=config["PENDING_UPLOAD_MINUTES"] * 60,
        now=time.time(),
    )
    token = session.get(_pending_key(found.slug))
    kept = files.load_pending(current_app.config["UPLOAD_DIR"], token)
    if request.method == "POST":
        removed = set(request.form.getlist("remove_kept"))
        kept = [upload for index, upload in enumerate(kept) if str(index) not in removed]
    return token, kept


def _keep_for_next_attempt(found, token: str | None, uploads: list) -> None:
    """Nothing attached is lost: the checked PDFs wait for the next attempt (for this
    form in this browser only, size-limited as any response, deleted when sent, removed
    or left too long)."""
    config = current_app.config
    token = files.keep_pending(config["UPLOAD_DIR"], token, uploads)
    if token:
        session[_pending_key(found.slug)] = token
    else:
        session.pop(_pending_key(found.slug), None)


@bp.route("/<slug>/svar", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def respond(slug: str):
    found = _draft_or_404(slug)
    now = utcnow()
    state = found.state(now)
    form = _response_form(found)
    # Too many requests (setup.py shows the form again): nothing is sent, nothing lost.
    limited = rate_limited()
    token, form.kept = _kept_uploads(found)
    if request.method == "GET":
        form.section.data = request.args.get("del", "")
        if service.section_by_anchor(found, form.section.data) is None:
            form.section.data = ""

    refusal = None
    if state == ConsultationState.NOT_OPEN:
        refusal = REFUSALS[service.NotYetOpen]
    elif state == ConsultationState.CLOSED:
        refusal = REFUSALS[service.Closed]

    if refusal is None and not limited and form.validate_on_submit():
        section = service.section_by_anchor(found, form.section.data)
        data = service.ResponseData(
            text=form.text.data,
            name=form.name.data,
            email=form.email.data,
            category=form.category.data,
            locale=str(get_locale()),
            stance=form.stance.data,
            may_publish=form.may_publish.data == "yes",
            section_id=section.id if section else None,
            organisation=form.organisation.data or None,
            org_number=normalize_org_number(form.org_number.data) or None,
        )
        config = current_app.config
        try:
            response = service.submit_response(
                db.session,
                found.id,
                data,
                getattr(form, "uploads", []),
                upload_dir=config["UPLOAD_DIR"],
                max_bytes=config["ATTACHMENT_MAX_BYTES"],
                max_files=config["ATTACHMENT_MAX_FILES"],
                now=now,
            )
        except (service.NotYetOpen, service.Closed, service.SectionNotFound) as error:
            db.session.rollback()
            refusal = REFUSALS[type(error)]
        else:
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                service.discard_files(config["UPLOAD_DIR"], response)
                raise
            session["consultation_receipt"] = response.reference
            files.drop_pending(config["UPLOAD_DIR"], token)
            session.pop(_pending_key(found.slug), None)
            return redirect(url_for("consultation.receipt", slug=found.slug), code=303)
    elif refusal is not None and request.method == "POST":
        # Outside the period: refuse plainly and store nothing.
        files.drop_pending(current_app.config["UPLOAD_DIR"], token)
        session.pop(_pending_key(found.slug), None)
        return _render_respond(found, form, refusal, state, now), 409

    if request.method == "POST":
        if limited:
            form.validate()  # checks new PDFs, so they can be kept too
        # The PDFs that passed the check (else those kept before) wait for the next try.
        form.kept = getattr(form, "uploads", None) or form.kept
        _keep_for_next_attempt(found, token, form.kept)
    if limited:
        status = 429
    else:
        status = 422 if form.errors else (409 if refusal and request.method == "POST" else 200)
    notices = [RATE_LIMITED] if limited else []
    return _render_respond(found, form, refusal, state, now, notices), status


def _render_respond(found, form, refusal, state, now, notices=()):
    return render_template(
        "consultation/respond.html",
        draft=found,
        form=form,
        notices=notices,
        refusal=refusal,
        state=state,
        now=now,
        time_left=service.time_left(found, now),
        max_files=current_app.config["ATTACHMENT_MAX_FILES"],
        max_megabytes=current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
        section=service.section_by_anchor(found, form.section.data),
    )


@bp.get("/<slug>/kvittering")
def receipt(slug: str):
    found = _draft_or_404(slug)
    reference = session.get("consultation_receipt")
    response = service.find_by_reference(db.session, reference) if reference else None
    if response is None or response.draft_id != found.id:
        return redirect(url_for("consultation.draft", slug=found.slug), code=303)
    return render_template(
        "consultation/receipt.html",
        draft=found,
        response=response,
    )


@bp.get("/<slug>/horingssvar")
def responses(slug: str):
    found = _draft_or_404(slug)
    chosen = request.args.get("del", "")
    section = service.section_by_anchor(found, chosen)
    if section is not None:
        scope = section.id
    elif chosen == service.WHOLE_DRAFT:
        scope = service.WHOLE_DRAFT
    else:
        scope, chosen = None, ""
    return render_template(
        "consultation/responses.html",
        draft=found,
        section=section,
        chosen=chosen,
        whole=service.WHOLE_DRAFT,
        responses=service.published_responses(db.session, found.id, scope),
        stance_counts=service.stance_counts(db.session, found.id, scope),
        counts=service.published_counts_by_section(db.session, found.id),
    )


# Ids beyond the database's integer range are simply not found.
MAX_ID = 2**31 - 1


@bp.get(f"/<slug>/vedlegg/<int(max={MAX_ID}):attachment_id>")
def attachment(slug: str, attachment_id: int):
    found = _draft_or_404(slug)
    item = service.public_attachment(db.session, found, attachment_id)
    if item is None:
        abort(404)
    return send_attachment(item)


def send_attachment(item):
    """The PDF as a download under its original name; 404 when the file is gone."""
    try:
        path = files.path_of(current_app.config["UPLOAD_DIR"], item.stored_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=item.original_filename,
        max_age=0,
    )
