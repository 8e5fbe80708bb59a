"""Privacy (GDPR): find, export and delete what is held about an e-mail address;
the retention purge. Administrators only. The address travels in POST bodies,
never in a URL, so it stays out of server logs and browser history."""

from __future__ import annotations

import json

from flask import Response, current_app, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired

from participation.backoffice.blueprint import actor, admin_required, bp, tell
from participation.extensions import db
from participation.forms import BaseForm, email_validators, must_tick
from participation.inputs.service import normalize_receipt_code
from participation.labels import REGISTRATION_STATUS_LABELS
from participation.privacy import service


class PrivacyLookupForm(BaseForm):
    email = StringField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter an e-mail address.")), *email_validators()],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "email"},
    )


class PrivacyDeleteForm(PrivacyLookupForm):
    confirm = must_tick(
        _l("Yes, delete everything held about this e-mail address"),
        _l("Confirm that you want to delete the data."),
    )


def _receipt_code(form, field) -> None:
    if normalize_receipt_code(field.data or "") is None:
        raise ValidationError(
            _l("Write the receipt code as on the receipt, for example ABCD-EFGH.")
        )


class ReceiptLookupForm(BaseForm):
    code = StringField(
        _l("Receipt code"),
        validators=[DataRequired(message=_l("Enter the receipt code.")), _receipt_code],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ReceiptDeleteForm(ReceiptLookupForm):
    confirm = must_tick(
        _l("Yes, delete this suggestion"),
        _l("Confirm that you want to delete the suggestion."),
    )


class PurgeForm(BaseForm):
    """Only the CSRF token: runs the retention purge now."""


def _shown(form_class, prefix: str, **values):
    """The look-up or delete form beside the one just sent, filled in with ``values``."""
    form = form_class(prefix=prefix, formdata=None)
    for name, value in values.items():
        form[name].data = value
    return form


def _page(
    lookup=None, delete=None, data=None, code=200, receipt=None, receipt_delete=None, found=False
):
    retention = current_app.config["RETENTION_DAYS"]
    return render_template(
        "backoffice/privacy.html",
        lookup_form=lookup or PrivacyLookupForm(prefix="lookup"),
        delete_form=delete or PrivacyDeleteForm(prefix="delete"),
        receipt_form=receipt or ReceiptLookupForm(prefix="receipt"),
        receipt_delete_form=receipt_delete or ReceiptDeleteForm(prefix="receipt-delete"),
        suggestion=found,
        purge_form=PurgeForm(prefix="purge"),
        data=data,
        retention_days=retention,
        due=service.due_for_purge(db.session, retention_days=retention),
        statuses=REGISTRATION_STATUS_LABELS,
    ), code


@bp.get("/personvern")
@admin_required
def privacy():
    return _page()


@bp.post("/personvern")
@admin_required
def privacy_lookup():
    return _about_person(download=False)


@bp.post("/personvern/eksport")
@admin_required
def privacy_export():
    return _about_person(download=True)


def _about_person(*, download: bool):
    """What is held about the address in the look-up form: shown, or as a JSON file."""
    form = PrivacyLookupForm(prefix="lookup")
    if not form.validate_on_submit():
        return _page(lookup=form, code=422)
    if download:
        payload = service.export(db.session, actor(), form.email.data)
        db.session.commit()
        return Response(
            json.dumps(payload, ensure_ascii=False, indent=2),
            mimetype="application/json",
            headers={"Content-Disposition": 'attachment; filename="personopplysningar.json"'},
        )
    data = service.look_up(db.session, actor(), form.email.data)
    db.session.commit()
    return _page(
        lookup=form, delete=_shown(PrivacyDeleteForm, "delete", email=data.email), data=data
    )


@bp.post("/personvern/slett")
@admin_required
def privacy_delete():
    form = PrivacyDeleteForm(prefix="delete")
    if not form.validate_on_submit():
        data = None
        if form.email.data and not form.email.errors:
            data = service.find_person(db.session, form.email.data)
        lookup = _shown(PrivacyLookupForm, "lookup", email=form.email.data)
        return _page(lookup=lookup, delete=form, data=data, code=422)
    report = service.delete_person(db.session, actor(), form.email.data)
    db.session.commit()
    service.remove_files(current_app.config["UPLOAD_DIR"], report.files_removed)
    tell(
        _l(
            "Deleted: %(registrations)d registrations, %(responses)d consultation responses, %(messages)d e-mails; the address was removed from %(texts)d other texts.",
            registrations=report.registrations,
            responses=report.responses,
            messages=report.outbox_messages,
            texts=report.texts_scrubbed,
        )
    )
    if report.archived_kept:  # archive exemption
        tell(_archived_kept(report.archived_kept), "info")
    return redirect(url_for("backoffice.privacy"), code=303)


@bp.post("/personvern/kvittering")
@admin_required
def privacy_receipt():
    """The suggestion a receipt code names: shown, with a form to delete it."""
    form = ReceiptLookupForm(prefix="receipt")
    if not form.validate_on_submit():
        return _page(receipt=form, code=422)
    item = service.look_up_suggestion(db.session, actor(), form.code.data)
    db.session.commit()
    code = item.receipt_code if item is not None else form.code.data
    delete = _shown(ReceiptDeleteForm, "receipt-delete", code=code)
    return _page(receipt=form, receipt_delete=delete, found=item)


@bp.post("/personvern/kvittering/slett")
@admin_required
def privacy_receipt_delete():
    form = ReceiptDeleteForm(prefix="receipt-delete")
    if not form.validate_on_submit():
        item = None
        if not form.code.errors:
            item = service.look_up_suggestion(db.session, actor(), form.code.data)
            db.session.commit()
        lookup = _shown(ReceiptLookupForm, "receipt", code=form.code.data)
        return _page(receipt=lookup, receipt_delete=form, found=item, code=422)
    if service.delete_suggestion(db.session, actor(), form.code.data):
        db.session.commit()
        tell(_l("The suggestion was deleted."))
    else:
        tell(_l("No suggestion has this receipt code (any more)."), "warning")
    return redirect(url_for("backoffice.privacy"), code=303)


@bp.post("/personvern/rydd")
@admin_required
def privacy_purge():
    if PurgeForm(prefix="purge").validate_on_submit():
        report = service.purge_expired(
            db.session,
            retention_days=current_app.config["RETENTION_DAYS"],
            actor=actor(),
        )
        db.session.commit()
        tell(
            _l(
                "Personal data removed from %(n)d registrations; %(m)d old e-mails deleted.",
                n=report.registrations,
                m=report.outbox_messages,
            )
        )
        if report.archived_responses:  # archive exemption
            tell(_archived_kept(report.archived_responses), "info")
    return redirect(url_for("backoffice.privacy"), code=303)


def _archived_kept(count: int) -> str:
    return ngettext(
        "%(num)d archived consultation response was kept: the archive duty overrides deletion.",
        "%(num)d archived consultation responses were kept: the archive duty overrides deletion.",
        count,
    )
