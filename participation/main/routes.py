"""Public pages that belong to no one area: home, privacy, language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for

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
    return render_template("main/privacy.html", retention_days=current_app.config["RETENTION_DAYS"])


@bp.get("/sprak/<code>")
def set_language(code: str):
    target = _safe_next(request.args.get("next", ""))
    response = redirect(target, code=303)
    if code in LANGUAGES:
        response.set_cookie(
            "lang",
            code,
            max_age=LANGUAGE_COOKIE_SECONDS,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
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
