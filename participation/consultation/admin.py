"""The consultation in the back office: drafts, sections, the period, responses,
approval for publication, attachments and the printable summary (rules:
``consultation.service``, the same the public pages follow)."""

from __future__ import annotations

from datetime import UTC
from functools import partial
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation import audit
from participation.backoffice.blueprint import (
    actor,
    admin_required,
    bp,
    current_process_id,
    form_page,
    staff_required,
    tell,
)
from participation.backoffice.exports import builder as export_builder
from participation.backoffice.exports import labels as export_labels
from participation.backoffice.exports import response_sheet, send
from participation.consultation import service
from participation.consultation.forms import ApproveForm, DraftForm, DraftImportForm, SectionForm
from participation.consultation.markdown import DraftFormatError
from participation.consultation.routes import send_attachment
from participation.extensions import db
from participation.forms import PostForm, choice, local_datetime, parse_date, parse_time
from participation.models import DraftSection, utcnow
from participation.views import commit_or_refuse

DRAFT_ERRORS = {
    service.BadPeriod: _l("The deadline must be after the opening time."),
    service.MissingTitle: _l("Enter a title, or give the file a # heading."),
    service.SlugTaken: _l("A draft with this title already exists. Choose another title."),
    DraftFormatError: _l(
        "The Markdown could not be read as a draft. Each section needs a heading (## …) with text, and no two sections may have the same number."
    ),
    UnicodeDecodeError: _l("The file must be a text file in UTF-8."),
    service.NoProcess: _l("There is no active process to add the draft to."),
    service.ProcessArchived: _l("The process is archived, so its drafts cannot be changed."),
}
SECTION_ERRORS = {
    service.BadNumber: _l(
        "Write the number as digits separated by full stops, for example 2 or 2.1."
    ),
    service.NumberTaken: _l("The draft already has a section with this number."),
    service.NoParent: _l("Add the section above it first (for 2.1, section 2)."),
    service.SectionHasResponses: _l("The section has responses, so it cannot be deleted."),
    service.SectionHasChildren: _l("Delete the sub-sections first."),
}
APPROVE_ERRORS = {
    service.NotPublishable: _l(
        "The sender did not allow publication, so this response cannot be published."
    ),
}
RESPONSE_HEADER = (
    _l("Section number"),
    _l("Section"),
    _l("Reference code"),
    _l("Received"),
    _l("Stance"),
    _l("Name"),
    _l("Organisation"),
    _l("Organisation number"),
    _l("Category"),
    _l("May be published"),
    _l("Published"),
    _l("Attachments"),
    _l("Text"),
    _l("Published text"),
)


def _draft_or_404(draft_id: int):
    try:
        return service.get_draft_by_id(db.session, draft_id)
    except service.DraftNotFound:
        abort(404)


def _period(form):
    tz = current_app.config["TIMEZONE"]
    opens = local_datetime(parse_date(form.opens_day.data), parse_time(form.opens_time.data), tz)
    closes = local_datetime(parse_date(form.closes_day.data), parse_time(form.closes_time.data), tz)
    return opens.astimezone(UTC), closes.astimezone(UTC)


def _fill_period(form, draft) -> None:
    tz = ZoneInfo(current_app.config["TIMEZONE"])
    opens, closes = draft.opens_at.astimezone(tz), draft.closes_at.astimezone(tz)
    form.opens_day.data, form.opens_time.data = opens.date().isoformat(), opens.strftime("%H:%M")
    form.closes_day.data, form.closes_time.data = (
        closes.date().isoformat(),
        closes.strftime("%H:%M"),
    )


@bp.get("/horing")
@staff_required
def drafts():
    found = service.list_drafts(db.session, current_process_id())
    return render_template(
        "backoffice/drafts.html",
        drafts=[
            (d, service.figures_by_section(db.session, service.get_draft_by_id(db.session, d.id)))
            for d in found
        ],
        now=utcnow(),
    )


def _draft_page(form, template: str, save, saved, draft=None):
    """Save a draft from ``form`` with ``save(session, actor, opens_at=…, closes_at=…)``;
    the page again with the reason when the rules refuse."""
    error = None
    if form.validate_on_submit():
        opens, closes = _period(form)
        result, error = commit_or_refuse(
            lambda: save(db.session, actor(), opens_at=opens, closes_at=closes), DRAFT_ERRORS
        )
        if error is None:
            tell(saved(result))
            return redirect(url_for("backoffice.draft", draft_id=result.id), code=303)
    return form_page(template, form, draft=draft, error=error)


@bp.route("/horing/ny", methods=["GET", "POST"])
@admin_required
def draft_new():
    form = DraftForm()
    return _draft_page(
        form,
        "backoffice/draft_form.html",
        partial(
            service.create_empty_draft,
            title=form.title.data,
            introduction=form.introduction.data or "",
            process_id=current_process_id(),
        ),
        lambda draft: _l("The draft was created. Add its sections."),
    )


def _markdown_source(form: DraftImportForm) -> str:
    """The uploaded file (UTF-8, else ``UnicodeDecodeError``) or the pasted text."""
    if form.file.data and getattr(form.file.data, "filename", ""):
        return form.file.data.read().decode("utf-8-sig")
    return form.source.data


@bp.route("/horing/import", methods=["GET", "POST"])
@admin_required
def draft_import():
    form = DraftImportForm()
    return _draft_page(
        form,
        "backoffice/draft_import.html",
        lambda session, user, **period: service.import_draft(
            session,
            user,
            _markdown_source(form),
            title=form.title.data or None,
            process_id=current_process_id(),
            **period,
        ),
        lambda draft: _l("The draft was imported with %(n)d sections.", n=len(draft.sections)),
    )


@bp.get("/horing/<int:draft_id>")
@staff_required
def draft(draft_id: int):
    found = _draft_or_404(draft_id)
    return render_template(
        "backoffice/draft.html",
        draft=found,
        figures=service.figures_by_section(db.session, found),
        response_link=lambda f: _responses_url(found, f.section),
        now=utcnow(),
        post_form=PostForm(),
    )


@bp.route("/horing/<int:draft_id>/endre", methods=["GET", "POST"])
@admin_required
def draft_edit(draft_id: int):
    found = _draft_or_404(draft_id)
    form = DraftForm(obj=found)
    if request.method == "GET":
        _fill_period(form, found)
    return _draft_page(
        form,
        "backoffice/draft_form.html",
        partial(
            service.update_draft,
            draft_id=found.id,
            title=form.title.data,
            introduction=form.introduction.data or "",
        ),
        lambda draft: _l("The draft was saved."),
        draft=found,
    )


@bp.route("/horing/<int:draft_id>/del/ny", methods=["GET", "POST"])
@admin_required
def section_new(draft_id: int):
    found = _draft_or_404(draft_id)
    form = SectionForm()
    if form.validate_on_submit():
        section, refusal = commit_or_refuse(
            lambda: service.add_section(
                db.session,
                actor(),
                found.id,
                number=form.number.data,
                title=form.title.data,
                body=form.body.data or "",
            ),
            SECTION_ERRORS,
        )
        if refusal is None:
            tell(_l("Section %(number)s was added.", number=section.number))
            return redirect(url_for("backoffice.draft", draft_id=found.id), code=303)
        form.number.errors.append(refusal)
    return form_page(
        "backoffice/section_form.html", form, draft=found, current_section=None, error=None
    )


def _section_or_404(draft, section_id: int) -> DraftSection:
    section = db.session.get(DraftSection, section_id)
    if section is None or section.draft_id != draft.id:
        abort(404)
    return section


@bp.route("/horing/<int:draft_id>/del/<int:section_id>", methods=["GET", "POST"])
@admin_required
def section_edit(draft_id: int, section_id: int):
    found = _draft_or_404(draft_id)
    section = _section_or_404(found, section_id)
    form = SectionForm(obj=section)
    form.number.data = section.number  # fixed: the anchor and links depend on it
    if form.validate_on_submit():
        service.update_section(
            db.session, actor(), section.id, title=form.title.data, body=form.body.data or ""
        )
        db.session.commit()
        tell(_l("Section %(number)s was saved.", number=section.number))
        return redirect(url_for("backoffice.draft", draft_id=found.id), code=303)
    return form_page(
        "backoffice/section_form.html",
        form,
        draft=found,
        current_section=section,
        error=None,
        post_form=PostForm(),
    )


@bp.post("/horing/<int:draft_id>/del/<int:section_id>/slett")
@admin_required
def section_delete(draft_id: int, section_id: int):
    found = _draft_or_404(draft_id)
    section = _section_or_404(found, section_id)
    if PostForm().validate_on_submit():
        number = section.number
        _, refusal = commit_or_refuse(
            lambda: service.delete_section(db.session, actor(), section.id), SECTION_ERRORS
        )
        if refusal is None:
            tell(_l("Section %(number)s was deleted.", number=number))
        else:
            tell(refusal, "danger")
    return redirect(url_for("backoffice.draft", draft_id=found.id), code=303)


def _responses_url(draft, section, **args) -> str:
    scope = section.anchor if section is not None else service.WHOLE_DRAFT
    return url_for("backoffice.draft_responses", draft_id=draft.id, **{"del": scope}, **args)


@bp.get("/horing/<int:draft_id>/svar")
@staff_required
def draft_responses(draft_id: int):
    found = _draft_or_404(draft_id)
    chosen = request.args.get("del", "")
    state = request.args.get("status", "")
    if state not in service.RESPONSE_STATES:
        state = ""
    section = next((s for s in found.sections if s.anchor == chosen), None)
    whole = chosen == service.WHOLE_DRAFT
    if section is None and not whole:
        chosen = ""
    responses = service.list_responses(
        db.session,
        found.id,
        section_id=section.id if section else None,
        whole_draft=whole,
        state=state or None,
    )
    figures = service.figures_by_section(db.session, found)
    shown = next(
        (f for f in figures if (f.section is None and whole) or (section and f.section == section)),
        None,
    )
    return render_template(
        "backoffice/draft_responses.html",
        draft=found,
        responses=responses,
        chosen=chosen,
        state=state,
        whole=service.WHOLE_DRAFT,
        section=section,
        figures=figures,
        shown=shown,
        section_choices=[("", _l("All")), (service.WHOLE_DRAFT, _l("The whole draft"))]
        + [(s.anchor, s.label) for s in found.sections],
    )


def _response_or_404(response_id: int):
    try:
        return service.get_response(db.session, response_id)
    except service.ResponseNotFound:
        abort(404)


@bp.route("/horing/svar/<int:response_id>", methods=["GET", "POST"])
@staff_required
def response(response_id: int):
    found = _response_or_404(response_id)
    form = ApproveForm()
    form.withhold.choices = [choice(str(a.id), a.original_filename) for a in found.attachments]
    if request.method == "GET":
        item = found.input
        form.published_text.data = found.published_text or (item.redacted_text if item else "")
        form.withhold.data = [
            str(a.id) for a in found.attachments if found.is_published and not a.published
        ]
    error = None
    if form.validate_on_submit():
        _, error = commit_or_refuse(
            lambda: service.approve(
                db.session,
                actor(),
                found.id,
                form.published_text.data,
                withhold_attachment_ids=[int(v) for v in form.withhold.data or []],
            ),
            APPROVE_ERRORS,
        )
        if error is None:
            tell(_l("The response is published."))
            return redirect(url_for("backoffice.response", response_id=found.id), code=303)
    return form_page(
        "backoffice/response.html",
        form,
        response=found,
        post_form=PostForm(),
        history=audit.entries_for(db.session, "response", found.id),
        error=error,
    )


@bp.post("/horing/svar/<int:response_id>/trekk")
@staff_required
def response_withdraw(response_id: int):
    found = _response_or_404(response_id)
    if PostForm().validate_on_submit():
        service.withdraw(db.session, actor(), found.id)
        db.session.commit()
        tell(_l("The response is no longer published."))
    return redirect(url_for("backoffice.response", response_id=found.id), code=303)


@bp.get("/horing/vedlegg/<int:attachment_id>")
@staff_required
def attachment(attachment_id: int):
    try:
        item = service.staff_attachment(db.session, actor(), attachment_id)
    except service.ResponseNotFound:
        abort(404)
    download = send_attachment(item)
    db.session.commit()
    return download


@bp.get("/horing/<int:draft_id>/samandrag")
@staff_required
def draft_summary(draft_id: int):
    found = _draft_or_404(draft_id)
    return render_template(
        "backoffice/draft_summary.html",
        draft=found,
        sections=service.summary(db.session, found),
        printed_at=utcnow(),
    )


def _count_responses(session, params: dict) -> int:
    return service.count_responses(session, params["draft_id"])


@export_builder("responses", _count_responses)
def build_responses(session, params: dict):
    header = [str(h) for h in RESPONSE_HEADER]
    return [
        response_sheet(
            session,
            params["draft_id"],
            export_labels(),
            header,
            _("Consultation responses"),
            whole_draft_label=_("The whole draft"),
            yes=_("Yes"),
            no=_("No"),
        )
    ]


@bp.get("/eksport/horingssvar/<int:draft_id>.<fmt>")
@staff_required
def export_responses(draft_id: int, fmt: str):
    found = _draft_or_404(draft_id)
    # The sheet is built from the export's own session: nothing of db.session in it.
    params = {"draft_id": found.id}
    return send(
        lambda session: build_responses(session, params),
        f"horingssvar-{found.slug}",
        fmt,
        "responses",
        details={"draft": found.id},
        params=params,
    )
