"""Log in and out. Failed logins are throttled per account and per client."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_user
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from participation.backoffice import service
from participation.backoffice.blueprint import (
    actor,
    bp,
    end_session,
    public,
    safe_next,
    staff_required,
    start_session,
    tell,
)
from participation.extensions import db, limiter
from participation.forms import BaseForm

WRONG_LOGIN = _l("The e-mail address or the password is wrong.")
THROTTLED = _l(
    "Too many failed attempts to log in. For your security, logging in is paused for a while. "
    "Wait 15 minutes and try again, or ask an administrator for help."
)


class LoginForm(BaseForm):
    email = StringField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false", "type": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            Length(max=1000, message=_l("The password is too long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LogoutForm(BaseForm):
    """Only the CSRF token: logging out is a POST."""


# ---------------------------------------------------------------- throttling


def _hash(value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


def account_key() -> str:
    """Rate-limit key for the account being tried (keyed hash of the address)."""
    email = (request.form.get("email") or "").strip().lower()
    return "login-account:" + _hash(email)


def login_account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def login_client_limit() -> str:
    return current_app.config["LOGIN_CLIENT_LIMIT"]


def failed_login(response) -> bool:
    """Only failed attempts count against the limits (a success redirects)."""
    return response.status_code != 303


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


# ---------------------------------------------------------------- views


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
        try:
            user = service.log_in(db.session, form.email.data, form.password.data)
        except service.WrongLogin as refused:
            db.session.commit()  # the failed attempt stays in the audit log
            if refused.args:
                current_app.logger.info("failed back-office login for account %s", *refused.args)
            error = WRONG_LOGIN
        else:
            end_session()  # a fresh session: nothing carried over from before login
            login_user(user)
            start_session()
            db.session.commit()
            return redirect(safe_next(form.next.data), code=303)
    status = 401 if error else (422 if form.errors else 200)
    return render_template("backoffice/login.html", form=form, error=error), status


@bp.post("/logg-ut")
@staff_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        service.log_out(db.session, actor())
        db.session.commit()
        end_session()
        tell(_l("You are logged out."), "success")
    return redirect(url_for("backoffice.login"), code=303)
