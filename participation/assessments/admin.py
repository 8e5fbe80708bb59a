"""The back office's assessment pages: the queue with progress, answering a group
of inputs at once, approving drafts, and publishing the answers."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from participation.assessments import service
from participation.backoffice.blueprint import (
    actor,
    admin_required,
    bp,
    form_page,
    publish_or_withdraw,
    shown_process_id,
    staff_required,
    tell,
)
from participation.consultation.markdown import render_markdown
from participation.extensions import db
from participation.forms import BaseForm, PostForm, checkboxes, choice, long_text, radio_field
from participation.inputs.admin import FILTER_KEYS, filter_args, filter_form, inbox_filter
from participation.inputs.service import filtered_query
from participation.labels import OUTCOME_LABELS
from participation.models import Input
from participation.views import commit_or_refuse

ERRORS = {
    service.InvalidOutcome: _l("Choose one of the four outcomes."),
    service.CommentTooLong: _l(
        "The comment can be at most %(max)d characters.", max=service.COMMENT_MAX
    ),
    service.NoInputs: _l("Select at least one input."),
    service.GroupTooLarge: _l(
        "At most %(max)d inputs can be answered at once. Narrow the selection.",
        max=service.MAX_GROUP,
    ),
    service.InputNotFound: _l(
        "One of the inputs no longer exists or has been hidden. Nothing was changed."
    ),
    service.UnknownSection: _l("One of the sections no longer exists. Choose again."),
    service.NotDrafted: _l("Only drafted assessments can be approved. Nothing was changed."),
    service.OwnDraft: _l(
        "Someone other than the person who drafted an assessment must approve it. Nothing was changed."
    ),
    service.NotAllowed: _l(
        "Only an administrator may approve their own draft. Nothing was changed."
    ),
    service.NothingApproved: _l("Approve at least one assessment before publishing the answers."),
}


class AssessForm(BaseForm):
    outcome = radio_field(_l("Outcome"), _l("Choose one of the four outcomes."))
    comment = long_text(
        _l("The administration's comment"),
        max_length=service.COMMENT_MAX,
        description=_l(
            "Shown to the participants and in the consultation memo. Markdown: *emphasis*, lists and links."
        ),
    )
    sections = checkboxes(_l("Draft sections it concerns (optional)"))


def _assess_form() -> AssessForm:
    form = AssessForm()
    form.outcome.choices = [choice(k.value, v) for k, v in OUTCOME_LABELS.items()]
    form.sections.choices = [
        choice(str(s.id), s.label) for s in service.all_sections(db.session, shown_process_id())
    ]
    return form


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _selected_ids() -> tuple[list[int], str]:
    """The inputs the page's address names (of the process shown), and what the
    selection is called."""
    args = request.args
    process_id = shown_process_id()
    if args.getlist("input"):
        ids = [int(v) for v in args.getlist("input") if v.isdigit() and len(v) < 10]
        return ids[: service.MAX_GROUP + 1], "inputs"
    if (number := _int("duplicate_of")) is not None:
        return service.duplicate_ids(db.session, process_id, number), "campaign"
    if (number := _int("theme")) is not None:
        return service.theme_ids(db.session, process_id, number), "theme"
    if (number := _int("section")) is not None:
        return service.waiting_ids(db.session, process_id, section_id=number), "section"
    if (number := _int("focus_area")) is not None:
        return service.waiting_ids(db.session, process_id, focus_area_id=number), "focus_area"
    if any(args.get(k) for k in FILTER_KEYS):
        query = service.scoped(
            filtered_query(db.session, inbox_filter(filter_form())).with_only_columns(Input.id),
            process_id,
        )
        ids = list(db.session.execute(query.limit(service.MAX_GROUP + 1)).scalars())
        return ids, "filter"
    return service.waiting_ids(db.session, process_id), "waiting"


@bp.get("/vurdering/")
@staff_required
def assessments():
    process_id = shown_process_id()
    return render_template(
        "assessments/index.html",
        progress=service.progress(db.session, process_id),
        queue=service.queue(db.session, process_id),
        drafted=len(service.drafted_ids(db.session, process_id)),
        published=service.publication(db.session, "answers", process_id),
        publish_form=PostForm(),
    )


@bp.route("/vurdering/svar", methods=["GET", "POST"])
@staff_required
def assessment_group():
    process_id = shown_process_id()
    form = _assess_form()
    error = None
    if request.method == "POST":
        ids = [int(v) for v in request.form.getlist("ids") if v.isdigit() and len(v) < 10]
    else:
        ids, _kind = _selected_ids()
    if form.validate_on_submit():
        data = service.AssessmentData(
            outcome=form.outcome.data,
            comment=form.comment.data or "",
            section_ids=[int(v) for v in form.sections.data or []],
        )
        rows, error = commit_or_refuse(
            lambda: service.draft(db.session, actor(), ids, data, process_id=process_id), ERRORS
        )
        if error is None:
            tell(_l("Assessment drafted for %(n)d inputs.", n=len(rows)))
            return redirect(url_for("backoffice.assessments"), code=303)
    elif request.method == "GET" and len(ids) == 1:
        existing = service.assessments_for(db.session, ids).get(ids[0])
        if existing is not None:
            form.outcome.data = existing.outcome
            form.comment.data = existing.comment
            form.sections.data = [str(s.id) for s in existing.sections]
    too_many = len(ids) > service.MAX_GROUP
    shown = ids[: service.MAX_GROUP]
    return form_page(
        "assessments/group.html",
        form,
        error=error or (ERRORS[service.GroupTooLarge] if too_many else None),
        items=service.inputs_with_assessment(db.session, process_id, shown),
        existing=service.assessments_for(db.session, shown),
        ids=shown,
        render_markdown=render_markdown,
    )


class ApproveForm(BaseForm):
    ids = checkboxes(_l("Assessments to approve"))


@bp.route("/vurdering/godkjenn", methods=["GET", "POST"])
@staff_required
def assessment_approve():
    process_id = shown_process_id()
    form = ApproveForm()
    ids = service.drafted_ids(db.session, process_id)
    form.ids.choices = [choice(str(i), str(i)) for i in ids]
    error = None
    four_eyes = current_app.config["ASSESSMENT_FOUR_EYES"]
    if request.method == "POST":
        chosen = [int(v) for v in request.form.getlist("ids") if v.isdigit() and len(v) < 10]
        if form.validate_on_submit() or chosen:
            rows, error = commit_or_refuse(
                lambda: service.approve(
                    db.session, actor(), chosen, four_eyes=four_eyes, process_id=process_id
                ),
                ERRORS,
            )
            if error is None:
                tell(_l("%(n)d assessments approved.", n=len(rows)))
                return redirect(url_for("backoffice.assessment_approve"), code=303)
        else:
            error = ERRORS[service.NoInputs]
    me = actor()
    return form_page(
        "assessments/approve.html",
        form,
        error=error,
        items=service.inputs_with_assessment(db.session, process_id, ids),
        existing=service.assessments_for(db.session, ids),
        may_approve=lambda row: service.may_approve(me, row, four_eyes=four_eyes),
        render_markdown=render_markdown,
    )


@bp.post("/vurdering/publiser")
@admin_required
def answers_publish():
    return publish_or_withdraw(
        "backoffice.assessments",
        service.publish_answers,
        service.withdraw_answers,
        published=_l("The answers are published."),
        withdrawn=_l("The answers are no longer public."),
        refusals=ERRORS,
    )


def inbox_group_link() -> str:
    """The group page for the inbox's current filter (a link on the inbox)."""
    return url_for("backoffice.assessment_group", **filter_args())
