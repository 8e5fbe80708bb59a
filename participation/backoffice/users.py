"""Staff accounts, managed by administrators (the rules: ``backoffice.service``)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from participation.backoffice import service
from participation.backoffice.blueprint import actor, admin_required, bp, form_page, tell
from participation.backoffice.service import MIN_PASSWORD_LENGTH
from participation.extensions import db
from participation.forms import BaseForm, choice, email_validators, select_field, text
from participation.labels import ROLE_LABELS
from participation.models import User
from participation.views import commit_or_refuse


def _password_field(label, required: bool):
    validators = [DataRequired(message=_l("Enter a password."))] if required else [Optional()]
    return PasswordField(
        label,
        validators=[
            *validators,
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("The password must have at least 12 characters."),
            ),
            Length(max=1000, message=_l("The password is too long.")),
        ],
        description=_l("At least 12 characters. A sentence of several words is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )


def _role_field():
    return select_field(
        _l("Role"),
        _l("Choose a role."),
        required=True,
        choices=[choice(role.value, label) for role, label in ROLE_LABELS.items()],
        description=_l(
            "Reviewers read, moderate, tag and export input. Administrators also manage "
            "meetings, drafts, focus areas and accounts."
        ),
    )


class UserCreateForm(BaseForm):
    email = StringField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter an e-mail address.")), *email_validators()],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "email"},
    )
    name = text(_l("Name"), required_message=_l("Enter a name."))
    role = _role_field()
    password = _password_field(_l("Password"), required=True)


class UserEditForm(BaseForm):
    name = text(_l("Name"), required_message=_l("Enter a name."))
    role = _role_field()
    active = BooleanField(_l("The account is active (can log in)"))
    password = _password_field(_l("New password (optional)"), required=False)


@bp.get("/brukere")
@admin_required
def users():
    return render_template("backoffice/users.html", users=service.list_users(db.session))


@bp.route("/brukere/ny", methods=["GET", "POST"])
@admin_required
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        user, refusal = commit_or_refuse(
            lambda: service.add_user(
                db.session,
                actor(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
            ),
            {service.EmailTaken: _l("An account with this e-mail address already exists.")},
        )
        if refusal is None:
            tell(_l("The account for %(email)s was created.", email=user.email), "success")
            return redirect(url_for("backoffice.users"), code=303)
        form.email.errors.append(refusal)
    return form_page("backoffice/user_form.html", form, user=None)


EDIT_ERRORS = {
    service.CannotLockOutSelf: _l(
        "You cannot deactivate your own account or take away your own administrator role."
    ),
    service.LastAdministrator: _l("There must be at least one active administrator."),
}


@bp.route("/brukere/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    error = None
    if form.validate_on_submit():
        _, error = commit_or_refuse(
            lambda: service.update_user(
                db.session,
                actor(),
                user.id,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
                password=form.password.data or None,
            ),
            EDIT_ERRORS,
        )
        if error is None:
            tell(_l("The account for %(email)s was saved.", email=user.email), "success")
            return redirect(url_for("backoffice.users"), code=303)
    return form_page("backoffice/user_form.html", form, user=user, error=error)
