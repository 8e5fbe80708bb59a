"""The inbox: every input in one list, one input's page, moderation and tagging."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation import audit
from participation.backoffice import bp, hooks
from participation.backoffice.access import safe_next, staff_required
from participation.backoffice.forms import (
    BulkForm,
    ConfirmAreasForm,
    FilterForm,
    NoteForm,
    NoteImportForm,
    PostForm,
    RedactionForm,
    StatusForm,
    WorkshopNoteForm,
    parse_date,
)
from participation.backoffice.labels import (
    ACTION_LABELS,
    CHANNEL_LABELS,
    DUPLICATE_LABELS,
    INPUT_STATUS_LABELS,
    RESPONDENT_CATEGORY_LABELS,
    WRITTEN_FORM_LABELS,
)
from participation.backoffice.services import inbox as service
from participation.backoffice.util import actor, tell
from participation.extensions import db
from participation.forms import choice
from participation.inputs import service as inputs
from participation.meetings import service as meeting_service
from participation.models import FocusArea, Region, RespondentCategory

FILTER_KEYS = (
    "q",
    "channel",
    "status",
    "region",
    "category",
    "focus_area",
    "written_form",
    "meeting",
    "date_from",
    "date_to",
    "duplicates",
    "reviewed",
)


def _focus_areas() -> list[FocusArea]:
    return list(
        db.session.execute(select(FocusArea).order_by(FocusArea.position, FocusArea.key)).scalars()
    )


def _all(label=None):
    return [choice("", label or _l("All"))]


def filter_form() -> FilterForm:
    form = FilterForm(request.args)
    locale = str(get_locale())
    form.channel.choices = _all() + [choice(k, v) for k, v in CHANNEL_LABELS.items()]
    form.status.choices = _all() + [choice(k, v) for k, v in INPUT_STATUS_LABELS.items()]
    regions = db.session.execute(select(Region).order_by(Region.position, Region.name)).scalars()
    form.region.choices = _all() + [choice(str(r.id), r.name) for r in regions]
    form.category.choices = _all() + [
        choice(c.value, RESPONDENT_CATEGORY_LABELS[c.value]) for c in RespondentCategory
    ]
    form.focus_area.choices = _all() + [choice(str(a.id), a.name(locale)) for a in _focus_areas()]
    form.written_form.choices = _all() + [choice(k, v) for k, v in WRITTEN_FORM_LABELS.items()]
    form.meeting.choices = _all() + [
        choice(str(m.id), m.title) for m in meeting_service.list_meetings(db.session)
    ]
    form.duplicates.choices = [
        choice("", _l("Show all")),
        choice("hide", _l("Hide duplicates")),
        choice("only", _l("Only duplicates")),
    ]
    form.reviewed.choices = [
        choice("", _l("All")),
        choice("no", _l("Not yet confirmed")),
        choice("yes", _l("Confirmed")),
    ]
    return form


def inbox_filter(form: FilterForm) -> service.InboxFilter:
    """The filter the form describes; fields with errors are left out."""
    form.validate()

    def ok(field) -> str:
        return "" if field.errors else (field.data or "")

    def int_or_none(value: str) -> int | None:
        return int(value) if value.isdigit() else None

    base = inputs.InputFilter(
        channels=[ok(form.channel)] if ok(form.channel) else [],
        statuses=[ok(form.status)] if ok(form.status) else [],
        region_ids=[int(ok(form.region))] if ok(form.region).isdigit() else [],
        categories=[ok(form.category)] if ok(form.category) else [],
        written_forms=[ok(form.written_form)] if ok(form.written_form) else [],
        meeting_id=int_or_none(ok(form.meeting)),
        date_from=parse_date(ok(form.date_from)),
        date_to=parse_date(ok(form.date_to)),
        duplicates={"only": True, "hide": False}.get(ok(form.duplicates)),
        search=ok(form.q),
    )
    return service.InboxFilter(
        base=base,
        focus_area_ids=[int(ok(form.focus_area))] if ok(form.focus_area).isdigit() else [],
        reviewed={"yes": True, "no": False}.get(ok(form.reviewed)),
    )


def filter_args() -> dict[str, str]:
    return {k: request.args[k] for k in FILTER_KEYS if request.args.get(k)}


def _bulk_form(**kwargs) -> BulkForm:
    form = BulkForm(**kwargs)
    locale = str(get_locale())
    form.action.choices = [
        choice("", _l("Choose…")),
        choice("publish", _l("Publish")),
        choice("hide", _l("Hide")),
        choice("reset", _l("Set back to new")),
        choice("tag", _l("Confirm a focus area")),
        choice("not_duplicate", _l("Not a duplicate")),
    ]
    form.focus_area.choices = [choice("", _l("Choose…"))] + [
        choice(str(a.id), a.name(locale)) for a in _focus_areas()
    ]
    return form


@bp.get("/")
@staff_required
def inbox():
    form = filter_form()
    f = inbox_filter(form)
    page = service.inbox_page(db.session, f, page=request.args.get("page", 1, type=int) or 1)
    args = filter_args()
    bulk = _bulk_form()
    bulk.return_to.data = request.full_path.rstrip("?")
    return render_template(
        "backoffice/inbox.html",
        form=form,
        page=page,
        suggestions=hooks.suggestions_for(db.session, page.items),
        filter_args=args,
        page_url=lambda n: url_for("backoffice.inbox", **args, page=n),
        export_query=urlencode(args),
        bulk=bulk,
        channels=CHANNEL_LABELS,
        statuses=INPUT_STATUS_LABELS,
        categories=RESPONDENT_CATEGORY_LABELS,
        written_forms=WRITTEN_FORM_LABELS,
        locale=str(get_locale()),
    )


@bp.post("/innspill/utval")
@staff_required
def inbox_bulk():
    form = _bulk_form()
    back = safe_next(form.return_to.data)
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    if not ids:
        tell(_l("Select at least one input."), "danger")
        return redirect(back, code=303)
    if not form.validate_on_submit():
        for field in (form.action, form.reason, form.focus_area):
            for error in field.errors:
                tell(error, "danger")
        return redirect(back, code=303)
    focus_area_id = int(form.focus_area.data) if form.focus_area.data else None
    outcome = service.bulk(
        db.session,
        actor(),
        ids,
        form.action.data,
        reason=form.reason.data or "",
        focus_area_id=focus_area_id,
    )
    db.session.commit()
    tell(_l("Done for %(n)d inputs.", n=outcome.done))
    if outcome.skipped:
        tell(
            _l(
                "%(n)d inputs were left as they were: responses whose writers did not allow publication, or inputs that no longer exist.",
                n=outcome.skipped,
            ),
            "warning",
        )
    return redirect(back, code=303)


def _detail_forms(detail: service.InputDetail):
    locale = str(get_locale())
    item = detail.item
    status = StatusForm(prefix="status")
    redaction = RedactionForm(prefix="redaction")
    areas = ConfirmAreasForm(prefix="areas")
    note = NoteForm(prefix="note")
    areas.focus_areas.choices = [
        choice(str(a.id), a.name(locale))
        for a in _focus_areas()
        if a.active or a in detail.confirmed
    ]
    if request.method == "GET":
        redaction.redacted_text.data = item.redacted_text
        status.reason.data = item.hidden_reason or ""
        confirmed = detail.confirmed if detail.review is not None else item.focus_areas
        areas.focus_areas.data = [str(a.id) for a in confirmed]
    return {
        "status_form": status,
        "redaction_form": redaction,
        "areas_form": areas,
        "note_form": note,
    }


def _render_detail(detail: service.InputDetail, forms: dict, code: int = 200):
    item = detail.item
    return render_template(
        "backoffice/input.html",
        detail=detail,
        item=item,
        suggestions=hooks.suggestions_for(db.session, [item])[item.id],
        panels=hooks.panels_for(db.session, item),
        history=audit.entries_for(db.session, "input", item.id),
        channels=CHANNEL_LABELS,
        statuses=INPUT_STATUS_LABELS,
        categories=RESPONDENT_CATEGORY_LABELS,
        written_forms=WRITTEN_FORM_LABELS,
        duplicate_kinds=DUPLICATE_LABELS,
        action_labels=ACTION_LABELS,
        locale=str(get_locale()),
        post_form=PostForm(),
        back=safe_next(request.args.get("back")),
        **forms,
    ), code


def _detail(input_id: int) -> service.InputDetail:
    try:
        return service.input_detail(db.session, input_id)
    except service.InputNotFound:
        abort(404)


@bp.get("/innspill/<int:input_id>")
@staff_required
def input_detail(input_id: int):
    detail = _detail(input_id)
    return _render_detail(detail, _detail_forms(detail))


def _back_to_detail(input_id: int):
    back = request.args.get("back")
    params = {"back": back} if back else {}
    return redirect(url_for("backoffice.input_detail", input_id=input_id, **params), code=303)


@bp.post("/innspill/<int:input_id>/status")
@staff_required
def input_status(input_id: int):
    detail = _detail(input_id)
    forms = _detail_forms(detail)
    form = forms["status_form"]
    if not form.validate_on_submit():
        return _render_detail(detail, forms, 422)
    try:
        if form.action.data == "publish":
            service.publish(db.session, actor(), input_id)
            message = _l("The input is published.")
        elif form.action.data == "hide":
            service.hide(db.session, actor(), input_id, form.reason.data or "")
            message = _l("The input is hidden.")
        else:
            service.reset(db.session, actor(), input_id)
            message = _l("The input is set back to new.")
    except service.NotPublishable:
        db.session.rollback()
        tell(
            _l("The writer did not allow publication, so this response cannot be published."),
            "danger",
        )
        return _back_to_detail(input_id)
    db.session.commit()
    tell(message)
    return _back_to_detail(input_id)


@bp.post("/innspill/<int:input_id>/sladding")
@staff_required
def input_redaction(input_id: int):
    detail = _detail(input_id)
    forms = _detail_forms(detail)
    form = forms["redaction_form"]
    if not form.validate_on_submit():
        return _render_detail(detail, forms, 422)
    service.edit_redaction(db.session, actor(), input_id, form.redacted_text.data)
    db.session.commit()
    tell(_l("The redacted text was saved."))
    return _back_to_detail(input_id)


@bp.post("/innspill/<int:input_id>/satsingsomrader")
@staff_required
def input_focus_areas(input_id: int):
    detail = _detail(input_id)
    forms = _detail_forms(detail)
    form = forms["areas_form"]
    if not form.validate_on_submit():
        return _render_detail(detail, forms, 422)
    areas = service.confirm_focus_areas(
        db.session, actor(), input_id, [int(v) for v in form.focus_areas.data or []]
    )
    db.session.commit()
    if areas:
        tell(_l("The focus areas were confirmed."))
    else:
        tell(_l("Confirmed: none of the focus areas applies."))
    return _back_to_detail(input_id)


@bp.post("/innspill/<int:input_id>/notat")
@staff_required
def input_note(input_id: int):
    detail = _detail(input_id)
    forms = _detail_forms(detail)
    form = forms["note_form"]
    if not form.validate_on_submit():
        return _render_detail(detail, forms, 422)
    service.add_note(db.session, actor(), input_id, form.note.data)
    db.session.commit()
    tell(_l("The note was added."))
    return _back_to_detail(input_id)


@bp.post("/innspill/<int:input_id>/ikkje-duplikat")
@staff_required
def input_not_duplicate(input_id: int):
    _detail(input_id)
    if PostForm().validate_on_submit():
        service.mark_not_duplicate(db.session, actor(), input_id)
        db.session.commit()
        tell(_l("The input is no longer marked as a duplicate."))
    return _back_to_detail(input_id)


# ---------------------------------------------------------------- workshop notes


def _meeting_choices(empty_label):
    return [choice("", empty_label)] + [
        choice(str(m.id), f"{m.title} ({m.region.name})")
        for m in meeting_service.list_meetings(db.session)
    ]


@bp.route("/innspill/motenotat", methods=["GET", "POST"])
@staff_required
def workshop_note():
    locale = str(get_locale())
    form = WorkshopNoteForm()
    form.meeting.choices = _meeting_choices(_l("Choose…"))
    if request.method == "GET" and request.args.get("meeting", "").isdigit():
        form.meeting.data = request.args["meeting"]
    form.category.choices = [choice("", _l("Not given"))] + [
        choice(c.value, RESPONDENT_CATEGORY_LABELS[c.value]) for c in RespondentCategory
    ]
    form.focus_areas.choices = [
        choice(str(a.id), a.name(locale)) for a in _focus_areas() if a.active
    ]
    if form.validate_on_submit():
        item = inputs.record_workshop_note(
            db.session,
            meeting_id=int(form.meeting.data),
            text=form.text.data,
            respondent_category=form.category.data or None,
            focus_area_ids=[int(v) for v in form.focus_areas.data or []],
        )
        audit.record(db.session, actor(), "input.create", "input", item.id)
        db.session.commit()
        tell(_l("The workshop note was recorded."))
        return redirect(url_for("backoffice.workshop_note", meeting=form.meeting.data), code=303)
    return render_template("backoffice/workshop_note.html", form=form), (
        422 if form.errors else 200
    )


@bp.route("/innspill/import", methods=["GET", "POST"])
@staff_required
def workshop_import():
    form = NoteImportForm()
    form.meeting.choices = _meeting_choices(_l("Given in the file"))
    errors = []
    if form.validate_on_submit():
        source = inputs.decode_csv_bytes(form.file.data.read())
        report = inputs.import_workshop_notes(
            db.session,
            source,
            default_meeting_id=int(form.meeting.data) if form.meeting.data else None,
        )
        if report.ok:
            audit.record(
                db.session, actor(), "input.import", details={"created": len(report.created)}
            )
            db.session.commit()
            tell(_l("%(n)d workshop notes were imported.", n=len(report.created)))
            return redirect(url_for("backoffice.inbox", channel="workshop_note"), code=303)
        db.session.rollback()
        errors = report.errors
    return render_template("backoffice/workshop_import.html", form=form, errors=errors), (
        422 if (form.errors or errors) else 200
    )
