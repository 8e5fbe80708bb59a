"""The inbox: every input in one list, one input's page, moderation and tagging,
workshop notes, and the focus areas (the back office's pages of the inputs domain)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    ValidationError,
)
from wtforms.validators import NumberRange, Optional

from participation import audit
from participation.backoffice.blueprint import (
    actor,
    admin_required,
    bp,
    current_process_id,
    form_page,
    safe_next,
    staff_required,
    tell,
)
from participation.extensions import db
from participation.forms import (
    BaseForm,
    PostForm,
    checkboxes,
    choice,
    date_field,
    identifier,
    long_text,
    parse_date,
    select_field,
    text,
)
from participation.inputs import notes, service
from participation.inputs import tasks as note_tasks
from participation.insights import results
from participation.jobs import admin as job_pages
from participation.labels import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    INPUT_STATUS_LABELS,
    WRITTEN_FORM_LABELS,
)
from participation.meetings import service as meeting_service
from participation.models import FocusArea, Job, NoteImport, Region, RespondentCategory
from participation.views import commit_or_refuse

# ---------------------------------------------------------------- forms


class FilterForm(BaseForm):
    """The inbox filters: a GET form, so a filtered list has its own address."""

    class Meta:
        csrf = False

    q = text(_l("Search the text"), render_kw={"type": "search"})
    channel = select_field(_l("Channel"))
    status = select_field(_l("Status"))
    region = select_field(_l("Region"))
    category = select_field(_l("Respondent category"))
    focus_area = select_field(_l("Focus area"))
    written_form = select_field(_l("Language"))
    meeting = select_field(_l("Meeting"))
    date_from = date_field(_l("From date"))
    date_to = date_field(_l("To date"))
    duplicates = select_field(_l("Duplicates"))
    reviewed = select_field(_l("Focus areas confirmed"))


class _HidingNeedsReason:
    """Hiding (``action`` "hide") needs a ``reason``."""

    missing_reason = _l("Give a reason for hiding the input.")

    def check_across_fields(self):
        if self.action.data == "hide" and not (self.reason.data or "").strip():
            return self.reason, self.missing_reason
        return None


class StatusForm(_HidingNeedsReason, BaseForm):
    action = select_field(
        _l("Action"),
        _l("Choose an action."),
        choices=[choice("publish", "publish"), choice("hide", "hide"), choice("reset", "reset")],
    )
    reason = text(
        _l("Reason for hiding"),
        max_length=500,
        description=_l("For the project group, for example: abusive, off topic, personal data."),
    )


class RedactionForm(BaseForm):
    redacted_text = long_text(
        _l("Text shown and analysed (redacted)"),
        required_message=_l("The text cannot be empty."),
        max_length=20000,
        description=_l(
            "Remove names and other personal data the automatic redaction missed. "
            "A consultation response keeps its text as received, for staff; a suggestion "
            "keeps only this text."
        ),
    )


class ConfirmAreasForm(BaseForm):
    focus_areas = checkboxes(
        _l("Confirmed focus areas"),
        description=_l(
            "Tick every focus area the input concerns, or none. The analysis learns from what you confirm."
        ),
    )


class NoteForm(BaseForm):
    note = long_text(
        _l("New note"),
        required_message=_l("Write the note."),
        max_length=5000,
        description=_l("Only the project group sees notes."),
    )


class BulkForm(_HidingNeedsReason, BaseForm):
    action = select_field(
        _l("Do this with the selected inputs"), _l("Choose an action."), required=True
    )
    reason = text(_l("Reason for hiding"), max_length=500)
    focus_area = select_field(_l("Focus area to confirm"), _l("Choose a focus area."))
    return_to = HiddenField()

    missing_reason = _l("Give a reason for hiding the inputs.")

    def validate_focus_area(self, field) -> None:
        if self.action.data == "tag" and not field.data:
            raise ValidationError(_l("Choose a focus area."))


class WorkshopNoteForm(BaseForm):
    meeting = select_field(_l("Meeting"), _l("Choose the meeting."), required=True)
    text = long_text(
        _l("Note"),
        required_message=_l("Write the note."),
        max_length=20000,
        description=_l(
            "What was said or written at the meeting, for example one flip-chart sheet."
        ),
    )
    category = select_field(_l("Respondent category (optional)"))
    focus_areas = checkboxes(_l("Focus areas (optional)"))


class NoteImportForm(BaseForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file."))],
        description=_l(
            "UTF-8, comma or semicolon separated, with a header row. Columns: text (required), "
            "meeting_id or region, and optionally category, focus_areas and date."
        ),
    )
    meeting = select_field(
        _l("Meeting for every row (optional)"),
        description=_l("Leave empty when the file has a meeting_id or region column."),
    )


class FocusAreaForm(BaseForm):
    key = identifier(
        _l("Key"),
        required_message=_l("Enter a key."),
        max_length=64,
        description=_l(
            "Lower-case letters, digits and hyphens, for example lokalmat. "
            "Used by the analysis; it cannot be changed later."
        ),
        render_kw={"spellcheck": "false"},
    )
    name_nb = text(
        _l("Name in Bokmål"), required_message=_l("Enter a name in Bokmål."), max_length=160
    )
    name_nn = text(
        _l("Name in Nynorsk"), required_message=_l("Enter a name in Nynorsk."), max_length=160
    )
    name_en = text(
        _l("Name in English"), required_message=_l("Enter a name in English."), max_length=160
    )
    description_nb = long_text(_l("Description in Bokmål"), max_length=2000)
    description_nn = long_text(_l("Description in Nynorsk"), max_length=2000)
    description_en = long_text(_l("Description in English"), max_length=2000)
    name_se = text(
        _l("Name in Northern Sami (optional)"),
        max_length=160,
        description=_l("Empty: the Sami pages show the name in Bokmål."),
    )
    description_se = long_text(_l("Description in Northern Sami (optional)"), max_length=2000)
    seed_terms = long_text(
        _l("Seed terms"),
        max_length=4000,
        description=_l("Words that point to this focus area, one per line or separated by commas."),
    )
    position = IntegerField(
        _l("Position in lists"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=1000, message=_l("Enter a number from 0 to 1000.")),
        ],
    )
    active = BooleanField(_l("Active (shown in forms and used by the analysis)"), default=True)

    def validate_key(self, field) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", field.data or ""):
            raise ValidationError(
                _l("Use only lower-case letters a–z, digits and hyphens, for example lokalmat.")
            )


# ---------------------------------------------------------------- the inbox


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
    "import",  # the notes one workshop-notes import created (its result links here)
)


def _focus_areas() -> list[FocusArea]:
    return list(
        db.session.execute(select(FocusArea).order_by(FocusArea.position, FocusArea.key)).scalars()
    )


def _process_meetings():
    process_id = current_process_id()
    return meeting_service.list_meetings(
        db.session, process_ids=None if process_id is None else [process_id]
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
        choice(c.value, CATEGORY_LABELS[c]) for c in RespondentCategory
    ]
    form.focus_area.choices = _all() + [choice(str(a.id), a.name(locale)) for a in _focus_areas()]
    form.written_form.choices = _all() + [choice(k, v) for k, v in WRITTEN_FORM_LABELS.items()]
    form.meeting.choices = _all() + [choice(str(m.id), m.title) for m in _process_meetings()]
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

    base = service.InputFilter(
        process_id=current_process_id(),
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
        note_import_id=int_or_none(request.args.get("import", "")[:10]),
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
        suggestions=results.latest_suggestions(db.session, [item.id for item in page.items]),
        filter_args=args,
        page_url=lambda n: url_for("backoffice.inbox", **args, page=n),
        export_query=urlencode(args),
        bulk=bulk,
        statuses=INPUT_STATUS_LABELS,
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
        suggestions=results.latest_suggestions(db.session, [item.id]).get(item.id, []),
        panels=_analysis_panels(item),
        history=audit.entries_for(db.session, "input", item.id),
        has_original=service.has_original(item),
        statuses=INPUT_STATUS_LABELS,
        locale=str(get_locale()),
        post_form=PostForm(),
        back=safe_next(request.args.get("back")),
        **forms,
    ), code


def _analysis_panels(item) -> list[tuple[str, dict]]:
    """What the latest analysis run says about the input, when it has a result."""
    insight = results.input_insight(db.session, item.id)
    if insight is None:
        return []
    locale = str(get_locale() or "nb")
    names = ", ".join(area.name(locale) for area in insight.suggested)
    return [("insights/_input_panel.html", {"insight": insight, "suggested_names": names})]


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


@bp.get("/innspill/<int:input_id>/original")
@staff_required
def input_original(input_id: int):
    """The text as received (consultation responses, workshop notes); every view is
    recorded in the audit log. A suggestion has no original: only its redacted text
    was stored."""
    try:
        item = service.original_text(db.session, actor(), input_id)
    except service.InputNotFound:
        abort(404)
    db.session.commit()
    return render_template("backoffice/input_original.html", item=item)


def _back_to_detail(input_id: int):
    back = request.args.get("back")
    params = {"back": back} if back else {}
    return redirect(url_for("backoffice.input_detail", input_id=input_id, **params), code=303)


STATUS_ERRORS = {
    service.NotPublishable: _l(
        "The writer did not allow publication, so this response cannot be published."
    ),
    service.NotApproved: _l(
        "A consultation response is published from the consultation's page, "
        "where its published text is approved."
    ),
}


def _post_on_detail(input_id: int, form_name: str, change):
    """A POST of one of the input page's forms: the page again with the form's errors,
    or ``change(form)`` (which returns the message to show), one commit, back to the page."""
    detail = _detail(input_id)
    forms = _detail_forms(detail)
    form = forms[form_name]
    if not form.validate_on_submit():
        return _render_detail(detail, forms, 422)
    message, refusal = commit_or_refuse(lambda: change(form), STATUS_ERRORS)
    if refusal is None:
        tell(message)
    else:
        tell(refusal, "danger")
    return _back_to_detail(input_id)


def _change_status(input_id: int, form):
    if form.action.data == "publish":
        service.publish(db.session, actor(), input_id)
        return _l("The input is published.")
    if form.action.data == "hide":
        service.hide(db.session, actor(), input_id, form.reason.data or "")
        return _l("The input is hidden.")
    service.reset(db.session, actor(), input_id)
    return _l("The input is set back to new.")


def _save_redaction(input_id: int, form):
    service.edit_redaction(db.session, actor(), input_id, form.redacted_text.data)
    return _l("The redacted text was saved.")


def _confirm_areas(input_id: int, form):
    chosen = [int(v) for v in form.focus_areas.data or []]
    if service.confirm_focus_areas(db.session, actor(), input_id, chosen):
        return _l("The focus areas were confirmed.")
    return _l("Confirmed: none of the focus areas applies.")


def _add_note(input_id: int, form):
    service.add_note(db.session, actor(), input_id, form.note.data)
    return _l("The note was added.")


# The input page's forms: (address, endpoint, form, what a valid POST does).
DETAIL_ACTIONS = (
    ("status", "input_status", "status_form", _change_status),
    ("sladding", "input_redaction", "redaction_form", _save_redaction),
    ("satsingsomrader", "input_focus_areas", "areas_form", _confirm_areas),
    ("notat", "input_note", "note_form", _add_note),
)


def _detail_action(form_name: str, change):
    @staff_required
    def view(input_id: int):
        return _post_on_detail(input_id, form_name, lambda form: change(input_id, form))

    return view


for _path, _endpoint, _form_name, _change in DETAIL_ACTIONS:
    bp.add_url_rule(
        f"/innspill/<int:input_id>/{_path}",
        endpoint=_endpoint,
        view_func=_detail_action(_form_name, _change),
        methods=["POST"],
    )


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
        choice(str(m.id), f"{m.title} ({m.region.name})") for m in _process_meetings()
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
        choice(c.value, CATEGORY_LABELS[c]) for c in RespondentCategory
    ]
    form.focus_areas.choices = [
        choice(str(a.id), a.name(locale))
        for a in service.active_focus_areas(db.session, current_process_id())
    ]
    if form.validate_on_submit():
        notes.record_workshop_note(
            db.session,
            actor=actor(),
            meeting_id=int(form.meeting.data),
            text=form.text.data,
            respondent_category=form.category.data or None,
            focus_area_ids=[int(v) for v in form.focus_areas.data or []],
            process_id=current_process_id(),
        )
        db.session.commit()
        tell(_l("The workshop note was recorded."))
        return redirect(url_for("backoffice.workshop_note", meeting=form.meeting.data), code=303)
    return form_page("backoffice/workshop_note.html", form)


@bp.route("/innspill/import", methods=["GET", "POST"])
@staff_required
def workshop_import():
    """Upload a CSV file of workshop notes. The request checks the file and every row
    and keeps it; a job imports it (``inputs.tasks``), and this page follows the job
    (``?job=<id>``) and shows what it imported."""
    form = NoteImportForm()
    form.meeting.choices = _meeting_choices(_l("Given in the file"))
    errors = []
    if form.validate_on_submit():
        config = current_app.config
        upload = form.file.data
        try:
            source = notes.read_note_file(
                upload.read(config["NOTE_IMPORT_MAX_BYTES"] + 1),
                filename=upload.filename or "",
                max_bytes=config["NOTE_IMPORT_MAX_BYTES"],
                max_rows=config["NOTE_IMPORT_MAX_ROWS"],
            )
        except notes.NoteFileError as error:
            form.file.errors.append(error.message)
        else:
            default_meeting = int(form.meeting.data) if form.meeting.data else None
            parsed = notes.parse_workshop_notes(
                db.session,
                source,
                default_meeting_id=default_meeting,
                process_id=current_process_id(),
            )
            if parsed.ok:
                job = note_tasks.start(
                    db.session,
                    actor(),
                    source=source,
                    rows=len(parsed.rows),
                    filename=upload.filename or "",
                    default_meeting_id=default_meeting,
                    process_id=current_process_id(),
                )
                return redirect(url_for("backoffice.workshop_import", job=job.id), code=303)
            db.session.rollback()
            errors = parsed.errors
    job = _import_job(request.args.get("job", ""))
    found = db.session.get(NoteImport, job.params.get("import_id", 0)) if job else None
    return render_template(
        "backoffice/workshop_import.html",
        form=form,
        errors=errors,
        job=job,
        status=job_pages.status_of(job) if job else None,
        note_import=found,
        post_form=PostForm(),
    ), (422 if (form.errors or errors) else 200)


def _import_job(job_id: str) -> Job | None:
    """The import job the page follows: the one asked for (if this person may see it)."""
    if not job_id.isdigit() or int(job_id) > job_pages.MAX_ID:
        return None
    job = db.session.get(Job, int(job_id))
    if job is None or job.kind != note_tasks.KIND:
        return None
    if not (current_user.is_admin or job.created_by_id == current_user.id):
        return None
    return job


# ---------------------------------------------------------------- focus areas


def _data(form: FocusAreaForm) -> service.FocusAreaData:
    return service.FocusAreaData(
        name_nb=form.name_nb.data,
        name_nn=form.name_nn.data,
        name_en=form.name_en.data,
        description_nb=form.description_nb.data or "",
        description_nn=form.description_nn.data or "",
        description_en=form.description_en.data or "",
        name_se=form.name_se.data or "",
        description_se=form.description_se.data or "",
        seed_terms=service.parse_terms(form.seed_terms.data or ""),
        position=form.position.data or 0,
        active=form.active.data,
    )


@bp.get("/satsingsomrader")
@admin_required
def focus_areas():
    return render_template(
        "backoffice/focus_areas.html", areas=service.list_focus_areas(db.session)
    )


@bp.route("/satsingsomrader/ny", methods=["GET", "POST"])
@admin_required
def focus_area_new():
    form = FocusAreaForm()
    if form.validate_on_submit():
        try:
            area = service.create_focus_area(db.session, actor(), form.key.data, _data(form))
        except service.KeyTaken:
            db.session.rollback()
            form.key.errors.append(_l("A focus area with this key already exists."))
        else:
            db.session.commit()
            tell(_l("The focus area %(name)s was created.", name=area.name_nb))
            return redirect(url_for("backoffice.focus_areas"), code=303)
    return form_page("backoffice/focus_area_form.html", form, area=None)


@bp.route("/satsingsomrader/<int:focus_area_id>", methods=["GET", "POST"])
@admin_required
def focus_area_edit(focus_area_id: int):
    area = db.get_or_404(FocusArea, focus_area_id)
    form = FocusAreaForm(obj=area)
    if request.method == "GET":
        form.seed_terms.data = "\n".join(area.seed_terms or [])
    # The key is fixed once created: the analysis and exports refer to it.
    form.key.data = area.key
    if form.validate_on_submit():
        service.update_focus_area(db.session, actor(), area.id, _data(form))
        db.session.commit()
        tell(_l("The focus area %(name)s was saved.", name=area.name_nb))
        return redirect(url_for("backoffice.focus_areas"), code=303)
    return form_page("backoffice/focus_area_form.html", form, area=area)
