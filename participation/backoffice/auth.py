"""Log in and out. Failed logins are throttled per account and per client."""

from __future__ import annotations

from functools import cache

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from participation import audit
from participation.backoffice import bp
from participation.backoffice.access import (
    account_key,
    end_session,
    failed_login,
    login_account_limit,
    login_client_limit,
    public,
    safe_next,
    staff_required,
    start_session,
)
from participation.backoffice.forms import LoginForm, LogoutForm
from participation.backoffice.util import tell
from participation.extensions import db, limiter
from participation.models import User, utcnow
from participation.users import check_password

WRONG_LOGIN = _l("The e-mail address or the password is wrong.")
THROTTLED = _l(
    "Too many failed attempts to log in. For your security, logging in is paused for a while. "
    "Wait 15 minutes and try again, or ask an administrator for help."
)


@cache
def _dummy_hash() -> str:
    """Compared against when the account does not exist, so both cases take as long."""
    return generate_password_hash("no such account")


def _throttled(limit=None):
    form = LoginForm(formdata=None)
    form.next.data = request.form.get("next", "")
    return make_response(render_template("backoffice/login.html", form=form, error=THROTTLED), 429)


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error):
    # The app-wide 429 page is generic; a paused login says why and for how long.
    if request.endpoint == "backoffice.login":
        return _throttled()
    return error


@bp.route("/logg-inn", methods=["GET", "POST"])
@limiter.limit(
    login_account_limit,
    key_func=account_key,
    methods=["POST"],
    deduct_when=failed_login,
    on_breach=_throttled,
)
@limiter.limit(
    login_client_limit,
    methods=["POST"],
    deduct_when=failed_login,
    on_breach=_throttled,
)
@public
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("backoffice.inbox"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is None:
            check_password_hash(_dummy_hash(), form.password.data)
        elif check_password(user, form.password.data) and user.active:
            end_session()  # a fresh session: nothing carried over from before login
            login_user(user)
            start_session()
            user.last_login_at = utcnow()
            audit.record(db.session, user, "login", "user", user.id)
            db.session.commit()
            return redirect(safe_next(form.next.data), code=303)
        else:
            audit.record(db.session, user, "login.failed", "user", user.id)
            db.session.commit()
            current_app.logger.info("failed back-office login for account %s", user.id)
        error = WRONG_LOGIN
    status = 401 if error else (422 if form.errors else 200)
    return render_template("backoffice/login.html", form=form, error=error), status


@bp.post("/logg-ut")
@staff_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        audit.record(
            db.session, current_user._get_current_object(), "logout", "user", current_user.id
        )
        db.session.commit()
        end_session()
        tell(_l("You are logged out."), "success")
    return redirect(url_for("backoffice.login"), code=303)
