"""The project group's back office: the /admin blueprint, who may see it, and the
helpers every back-office view uses.

Each domain attaches its back-office views to ``bp`` in its own ``admin.py``
(``meetings/admin.py``, ``consultation/admin.py``, ``inputs/admin.py`` …), so a
domain's public and back-office pages live together; the app registers the
blueprint once they are imported (``setup.register_blueprints``).

Every view carries one of the decorators below; the blueprint's ``before_request``
also refuses anonymous requests before any view runs, so a view that forgot its
decorator still shows nothing to an anonymous visitor (a test walks the URL map
to prove both).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from participation.backoffice import service
from participation.extensions import db, login_manager
from participation.forms import PostForm
from participation.models import Process, Role
from participation.processes import service as processes
from participation.views import commit_or_refuse

bp = Blueprint("backoffice", __name__, url_prefix="/admin")

# Endpoints an anonymous visitor may reach.
PUBLIC_ENDPOINTS = {"backoffice.login"}

LOGIN_AT = "bo_login_at"
SEEN_AT = "bo_seen_at"


def clock() -> float:
    """Seconds since the epoch; a function so tests can move it."""
    return time.time()


# ---------------------------------------------------------------- roles


def staff_required(view: Callable) -> Callable:
    """Any logged-in staff member (reviewer or administrator)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.required_role = Role.REVIEWER  # type: ignore[attr-defined]
    return wrapped


def admin_required(view: Callable) -> Callable:
    """Administrators only; a reviewer gets 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    wrapped.required_role = Role.ADMIN  # type: ignore[attr-defined]
    return wrapped


def public(view: Callable) -> Callable:
    view.required_role = None  # type: ignore[attr-defined]
    return view


# ---------------------------------------------------------------- the login session


def start_session() -> None:
    now = int(clock())
    session.permanent = True  # lifetime: SESSION_HOURS (permanent_session_lifetime)
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def session_expired() -> bool:
    """True when the login is older than SESSION_HOURS or idle for IDLE_MINUTES."""
    now = clock()
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    config = current_app.config
    return (
        now - login_at > config["SESSION_HOURS"] * 3600
        or now - seen_at > config["IDLE_MINUTES"] * 60
    )


def end_session() -> None:
    logout_user()
    session.clear()


def guard_request():
    """``before_request`` of the back office (and of the analysis pages under it)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if session_expired():
        service.session_expired(db.session, actor())
        db.session.commit()
        end_session()
        flash(
            str(_l("You were logged out because the session expired. Please log in again.")), "info"
        )
        return redirect(url_for("backoffice.login", next=_next_path()), code=303)
    session[SEEN_AT] = int(clock())
    return process_guard()


bp.before_request(guard_request)

# Changes that are not one process's data: they stay possible whatever process is shown.
NOT_PROCESS_DATA = {
    "backoffice.login",
    "backoffice.logout",
    "backoffice.process_switch",
    # The processes themselves (administrators): their service refuses changes to an
    # archived one with a message on the form.
    "backoffice.process_new",
    "backoffice.process_edit",
    "backoffice.process_activate",
    "backoffice.process_archive",
    "backoffice.privacy",
    "backoffice.privacy_lookup",
    "backoffice.privacy_export",
    "backoffice.privacy_delete",
    "backoffice.privacy_purge",
    "backoffice.user_new",
    "backoffice.user_edit",
    "backoffice.focus_area_new",
    "backoffice.focus_area_edit",
    "backoffice.regions",
    "backoffice.job_cancel",
}


def process_guard():
    """Rows of a process the account may not see are not found (404), wherever a
    URL names them; a change to an archived process's data is refused (409)."""
    if request.endpoint in NOT_PROCESS_DATA or not current_user.is_authenticated:
        return None
    user = actor()
    owned = processes.owners(db.session, request.view_args or {})
    if any(not processes.can_access(db.session, user, owner) for owner in owned):
        abort(404)
    if request.method != "POST":
        return None
    shown = current_process()
    targets = owned or ({shown.id} if shown is not None else set())
    if any(db.session.get(Process, owner).is_archived for owner in targets):
        return render_template(
            "errors/error.html",
            status=409,
            title=_l("The process is archived"),
            message=_l("This process is archived and read-only. Nothing was changed."),
        ), 409
    return None


def _next_path() -> str | None:
    return request.full_path.rstrip("?") if request.method == "GET" else None


def safe_next(target: str | None) -> str:
    """Only back-office paths on this site: login must not be an open redirect."""
    default = url_for("backoffice.inbox")
    if not target:
        return default
    parts = urlsplit(target)
    prefix = url_for("backoffice.inbox").rstrip("/")
    if parts.scheme or parts.netloc or target.startswith("//") or not target.startswith(prefix):
        return default
    return target


# ---------------------------------------------------------------- view helpers


def tell(message, category: str = "success") -> None:
    """Flash a (possibly lazy) translated message; the session stores plain text."""
    flash(str(message), category)


def actor():
    """The logged-in staff member as a model instance (for services and the audit log)."""
    return current_user._get_current_object()


def carry_out(call, refusals, done):
    """A confirmed action: ``call`` the service and flash ``done``, or flash why the
    service refused (``views.commit_or_refuse``); returns that pair."""
    result, refusal = commit_or_refuse(call, refusals)
    if refusal is None:
        tell(done)
    else:
        tell(refusal, "danger")
    return result, refusal


def publish_or_withdraw(back: str, publish, withdraw, *, published, withdrawn, refusals=None):
    """The publish and withdraw buttons of a results page (``action=withdraw``, else
    publish): ``publish``/``withdraw(session, actor, process_id=…)`` for the process
    shown, the outcome flashed, and back to the ``back`` endpoint."""
    if not PostForm().validate_on_submit():
        tell(_l("The form had expired. Please try again."), "danger")
        return redirect(url_for(back), code=303)
    withdrawing = request.form.get("action") == "withdraw"
    process_id = shown_process_id()
    change = withdraw if withdrawing else publish
    carry_out(
        lambda: change(db.session, actor(), process_id=process_id),
        refusals or {},
        withdrawn if withdrawing else published,
    )
    return redirect(url_for(back), code=303)


def form_page(template: str, form, *, error=None, **context):
    """A page with a form: 422 when what was sent has errors (the form's or ``error``)."""
    status = 422 if request.method == "POST" and (form.errors or error) else 200
    return render_template(template, form=form, error=error, **context), status


# ---------------------------------------------------------------- the process shown


def current_process() -> Process | None:
    """The process the back office shows this staff member (the switcher's choice,
    remembered on the account); None only when the account may see no process."""
    # Kept on the request (``g`` outlives a request where an app context was already
    # pushed, as in tests).
    if not hasattr(request, "staff_process"):
        request.staff_process = (
            processes.staff_process(db.session, actor()) if current_user.is_authenticated else None
        )
    return request.staff_process


def current_process_id() -> int | None:
    process = current_process()
    return process.id if process is not None else None


def shown_process_id() -> int:
    """The id of the process shown; a page that needs one is not found (404) for an
    account that may see no process."""
    process_id = current_process_id()
    if process_id is None:
        abort(404)
    return process_id


def process_or_404(process_id: int) -> None:
    """A row of another process than the one this account may see is not found."""
    if current_user.is_authenticated and not processes.can_access(db.session, actor(), process_id):
        abort(404)


@bp.app_context_processor
def inject_staff_processes():
    def visible():
        if not current_user.is_authenticated:
            return []
        return processes.visible_processes(db.session, actor())

    return {"staff_process": current_process, "staff_processes": visible}
