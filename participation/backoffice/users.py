"""Staff accounts: administrators create accounts and change roles."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from participation.backoffice import bp
from participation.backoffice.access import admin_required
from participation.backoffice.forms import ROLE_LABELS, UserCreateForm, UserEditForm
from participation.backoffice.services import users as service
from participation.backoffice.util import actor, tell
from participation.extensions import db
from participation.models import User
from participation.users import EmailTaken


@bp.get("/brukere")
@admin_required
def users():
    return render_template(
        "backoffice/users.html", users=service.list_users(db.session), roles=ROLE_LABELS
    )


@bp.route("/brukere/ny", methods=["GET", "POST"])
@admin_required
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = service.add_user(
                db.session,
                actor(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
            )
        except EmailTaken:
            db.session.rollback()
            form.email.errors.append(_l("An account with this e-mail address already exists."))
        else:
            db.session.commit()
            tell(_l("The account for %(email)s was created.", email=user.email), "success")
            return redirect(url_for("backoffice.users"), code=303)
    return render_template("backoffice/user_form.html", form=form, user=None), (
        422 if form.errors else 200
    )


@bp.route("/brukere/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=user)
    error = None
    if form.validate_on_submit():
        try:
            service.update_user(
                db.session,
                actor(),
                user.id,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
                password=form.password.data or None,
            )
        except service.CannotLockOutSelf:
            db.session.rollback()
            error = _l(
                "You cannot deactivate your own account or take away your own administrator role."
            )
        except service.LastAdministrator:
            db.session.rollback()
            error = _l("There must be at least one active administrator.")
        else:
            db.session.commit()
            tell(_l("The account for %(email)s was saved.", email=user.email), "success")
            return redirect(url_for("backoffice.users"), code=303)
    status = 422 if (form.errors or error) else 200
    return render_template("backoffice/user_form.html", form=form, user=user, error=error), status
