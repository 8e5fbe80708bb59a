"""The accessibility statement (with its feedback form) and the privacy statement."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from participation.extensions import db, limiter
from participation.ratelimit import configured
from participation.statements import service
from participation.statements.forms import AccessibilityFeedbackForm

bp = Blueprint("statements", __name__)


_rate_limit = configured("SUGGESTION_RATE_LIMIT")


def accessibility_context() -> dict:
    locale = str(get_locale() or "nb")
    texts = service.texts(db.session, service.ACCESSIBILITY, locale)
    test = service.latest_accessibility_test(db.session)
    summary = service.summarise(test) if test else None
    breaches = service.known_breaches(texts["known_breaches"])
    changed = [
        moment
        for moment in (
            service.last_changed(db.session, service.ACCESSIBILITY),
            test and test.tested_at,
        )
        if moment
    ]
    return {
        "texts": texts,
        "summary": summary,
        "breaches": breaches,
        "breached": service.breached_criteria(breaches, summary),
        "required_criteria": service.REQUIRED_CRITERIA,
        "statement_date": max(changed) if changed else None,
        "base_url": current_app.config["BASE_URL"],
    }


@bp.route("/tilgjengelighet", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def accessibility():
    form = AccessibilityFeedbackForm()
    code = 200
    if form.is_submitted():
        if form.validate():
            try:
                service.submit_accessibility_feedback(
                    db.session,
                    form.text.data,
                    email=form.email.data or "",
                    page=form.page.data or "",
                )
            except service.InvalidFeedback:
                form.text.errors = [_l("Describe the problem.")]
            else:
                db.session.commit()
                return redirect(url_for("statements.accessibility_thanks"), code=303)
        code = 422
    return render_template(
        "statements/accessibility.html", form=form, **accessibility_context()
    ), code


@bp.get("/tilgjengelighet/takk")
def accessibility_thanks():
    return render_template("statements/accessibility_thanks.html")
