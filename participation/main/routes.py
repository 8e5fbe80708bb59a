"""Public pages that belong to no one area: home, privacy, language choice."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale

from participation.config import LANGUAGES
from participation.extensions import db
from participation.models import utcnow
from participation.processes import service as processes

bp = Blueprint("main", __name__)

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


@bp.get("/")
def home():
    # The processes and their texts are data; this page only lays them out.
    now = utcnow()
    return render_template(
        "main/home.html",
        offers=[
            processes.participation(db.session, p, now)
            for p in processes.active_processes(db.session)
        ],
        earlier=processes.earlier_processes(db.session),
    )


@bp.get("/personvern")
def privacy():
    from participation.statements import service as statements

    config = current_app.config
    # The retention figures come from the configuration the purge reads, so the page
    # cannot disagree with what is deleted; the organisation's own parts are data.
    return render_template(
        "main/privacy.html",
        retention_days=config["RETENTION_DAYS"],
        session_hours=config["SESSION_HOURS"],
        idle_minutes=config["IDLE_MINUTES"],
        texts=statements.texts(db.session, statements.PRIVACY, str(get_locale() or "nb")),
    )


@bp.before_app_request
def language_from_link():
    """A link from an e-mail carries the language the person used (``?lang=nn``): it
    becomes the chosen language, as if picked in the switcher (which still changes it),
    and the page opens at its own address without the parameter."""
    if "lang" not in request.args or request.method not in ("GET", "HEAD"):
        return None
    code = request.args.get("lang", "")
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    response = redirect(request.path + (f"?{urlencode(args)}" if args else ""), code=303)
    if code in LANGUAGES:
        _remember_language(response, code)
    return response


def _remember_language(response, code: str) -> None:
    response.set_cookie(
        "lang",
        code,
        max_age=LANGUAGE_COOKIE_SECONDS,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


@bp.get("/sprak/<code>")
def set_language(code: str):
    target = _safe_next(request.args.get("next", ""))
    response = redirect(target, code=303)
    if code in LANGUAGES:
        _remember_language(response, code)
    return response


@bp.get("/healthz")
def health():
    return {"status": "ok"}


def _safe_next(target: str) -> str:
    # Only same-site paths: the switcher must not become an open redirect.
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    return target
