"""One named step per part of app setup, called in order by ``create_app``."""

from __future__ import annotations

import logging
import math
import re
import time
from datetime import timedelta
from urllib.parse import parse_qsl

from flask import Flask, g, has_request_context, make_response, render_template, request
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from participation import ratelimit
from participation.config import (
    BACKOFFICE_LANGUAGES,
    BACKOFFICE_PREFIX,
    LANGUAGE_NAMES,
    LANGUAGES,
    MIGRATION_DIR,
    TRANSLATION_DIR,
)
from participation.extensions import babel, csrf, db, limiter, login_manager, migrate

# Matches the client address werkzeug's development server puts first in each line.
_ADDRESS = re.compile(r"^\S+ - - ")


class _NoClientAddress(logging.Filter):
    """Logs the application writes never carry a client address."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _ADDRESS.match(message):
            record.msg = _ADDRESS.sub("- - - ", message)
            record.args = ()
        return True


def configure_logging(app: Flask) -> None:
    logging.getLogger("werkzeug").addFilter(_NoClientAddress())
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)


def configure_db(app: Flask) -> None:
    import participation.models  # noqa: F401  (tables known to Alembic)
    from participation import db_guard
    from participation.db import install_sqlite_rules

    install_sqlite_rules()
    db_guard.configure_engine_options(app)
    db.init_app(app)
    with app.app_context():
        db_guard.install_watchdog(app, db.engine)
    migrate.init_app(app, db, directory=str(MIGRATION_DIR), render_as_batch=True)

    # Runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse), so a
    # rollback on a connection the database dropped cannot turn into a 500.
    @app.teardown_appcontext
    def close_session(exc):
        from participation.db import discard_session

        if not discard_session(db.session):
            app.logger.warning("database connection lost while ending a request")


def select_locale() -> str:
    return locale_for(request)


def is_backoffice_path(path: str) -> bool:
    return path == BACKOFFICE_PREFIX or path.startswith(BACKOFFICE_PREFIX + "/")


def languages_for(path: str) -> tuple[str, ...]:
    """The languages a page is offered in: Sami on the public pages, not the back office."""
    return BACKOFFICE_LANGUAGES if is_backoffice_path(path) else LANGUAGES


def locale_for(req) -> str:
    """The language for a request (Flask's or a plain werkzeug one)."""
    offered = languages_for(req.path)
    chosen = req.cookies.get("lang")
    if chosen in offered:
        return chosen
    if chosen in LANGUAGES:
        return "nb"  # chose Sami, now in the back office: Bokmål
    # The browser's languages, most wanted first, by their primary tag ("se-NO" is "se").
    # "no" is the macro-language; Bokmål is what most people mean by it. Sami is "se",
    # also sent as "sme", its three-letter code.
    for tag, _quality in req.accept_languages:
        primary = _ALIASES.get(tag.split("-")[0].lower(), tag.split("-")[0].lower())
        if primary in offered:
            return primary
    return "nb"


_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "sme": "se", "eng": "en"}


def configure_babel(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "nb")
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATION_DIR)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.policies["ext.i18n.trimmed"] = True


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def configure_security(app: Flask) -> None:
    # Registered before CSRFProtect's hook, which parses the form: this one
    # must see the raw body first.
    @app.before_request
    def refuse_unreadable_form_data():
        # Werkzeug decodes bad UTF-8 with U+FFFD and lets NUL bytes through;
        # neither is something a person typed, and PostgreSQL refuses NUL in text.
        if request.method != "POST":
            return None
        if request.mimetype == "application/x-www-form-urlencoded":
            # Werkzeug keeps undecodable %-escapes as text; decode strictly first.
            # The body is cached, and form parsing reads the cache afterwards.
            raw = request.get_data(cache=True)
            try:
                parse_qsl(raw.decode("latin-1"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                return _unreadable_form()
        for key, value in request.form.items(multi=True):
            if "\ufffd" in key or "\ufffd" in value or "\x00" in key or "\x00" in value:
                return _unreadable_form()
        return None

    csrf.init_app(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_HOURS"])
    development = app.config["ENV"] == "development" or app.testing

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not development:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if request.endpoint != "static":
            # Forms and personal data must not linger in shared caches or history.
            headers["Cache-Control"] = "no-store"
        return response


def _unreadable_form():
    return _error_page(
        400,
        _l("The form could not be read"),
        _l(
            "The form contained characters that could not be read. "
            "Check the text, remove any special characters and try again."
        ),
    )


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "backoffice.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        from participation.models import User

        try:
            user = db.session.get(User, int(user_id))
        except ValueError:
            return None
        return user if user is not None and user.active else None


def configure_limiter(app: Flask) -> None:
    from participation.ratelimit import RecentEvents

    limiter.init_app(app)
    # Recent sign-ups per client (keyed hash), to flag bursts: in the limiter's store.
    app.extensions["innspill_recent"] = RecentEvents(
        app.config["RATELIMIT_STORAGE_URI"], prefix=app.config["RATELIMIT_KEY_PREFIX"]
    )


def register_blueprints(app: Flask) -> None:
    from participation.main.routes import bp as main_bp
    from participation.meetings.routes import bp as meetings_bp
    from participation.processes.routes import bp as processes_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(processes_bp)

    from participation.consultation.routes import bp as consultation_bp
    from participation.suggestions.routes import bp as suggestions_bp

    app.register_blueprint(suggestions_bp)
    app.register_blueprint(consultation_bp)

    from participation.assessments.routes import bp as answers_bp
    from participation.priorities.routes import bp as priorities_bp

    app.register_blueprint(answers_bp)
    app.register_blueprint(priorities_bp)

    from participation.statements.routes import bp as statements_bp

    app.register_blueprint(statements_bp)

    # The back office's own pages, then each domain's, attach their views to its blueprint.
    import participation.archive.admin
    import participation.assessments.admin
    import participation.backoffice.audit_log
    import participation.backoffice.auth
    import participation.backoffice.dashboard
    import participation.backoffice.exports
    import participation.backoffice.users
    import participation.consultation.admin
    import participation.inputs.admin
    import participation.jobs.admin
    import participation.meetings.admin
    import participation.priorities.admin
    import participation.privacy.admin
    import participation.processes.admin
    import participation.reports.admin
    import participation.statements.admin  # noqa: F401
    from participation.backoffice.blueprint import bp as backoffice_bp

    app.register_blueprint(backoffice_bp)

    from participation.insights.admin import bp as insights_bp

    app.register_blueprint(insights_bp)


def _error_page(status: int, title, message):
    return render_template("errors/error.html", status=status, title=title, message=message), status


# Public forms whose 429 brings the form back with what was typed (see _form_again).
KEEP_ON_429 = {"suggestions.new", "consultation.respond"}


def _retry_after() -> float | None:
    """Seconds until the rate limit this request hit lets the client in again."""
    try:
        current = limiter.current_limit
    except Exception:  # noqa: BLE001  (no limit was evaluated for this request)
        return None
    if current is None or not current.breached:
        return None
    return max(1.0, current.window[0] - time.time())  # reset_at rounds up a second


def _too_many(title, message):
    """The 429 page, saying when the limit that was hit lets the client try again."""
    seconds = _retry_after()
    if seconds is None:
        return _error_page(429, title, message)
    minutes = max(1, math.ceil(seconds / 60))
    if minutes <= 90:
        message = ngettext(
            "You have sent too many requests in a short time. You can try again in %(num)d minute.",
            "You have sent too many requests in a short time. You can try again in %(num)d minutes.",
            minutes,
        )
    else:
        message = ngettext(
            "You have sent too many requests in a short time. You can try again in %(num)d hour.",
            "You have sent too many requests in a short time. You can try again in %(num)d hours.",
            math.ceil(seconds / 3600),
        )
    response = make_response(_error_page(429, title, message))
    response.headers["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


def register_error_handlers(app: Flask) -> None:
    messages = {
        400: (_l("Bad request"), _l("We could not understand the request. Please try again.")),
        403: (_l("Access denied"), _l("You do not have access to this page.")),
        404: (
            _l("Page not found"),
            _l(
                "We could not find the page you asked for. Check the address or go to the front page."
            ),
        ),
        405: (_l("Not allowed"), _l("This page cannot be used that way.")),
        409: (
            _l("Changed at the same moment"),
            _l(
                "What you sent clashes with a change made at the same moment. Reload the page "
                "and try again."
            ),
        ),
        413: (
            _l("Too much data"),
            _l("What you sent was too large. Make attachments smaller and try again."),
        ),
        429: (
            _l("Too many requests"),
            _l(
                "You have sent too many requests in a short time. Please wait a little and try again."
            ),
        ),
        500: (
            _l("Something went wrong"),
            _l("An error occurred on our side. Nothing you sent was lost. Please try again later."),
        ),
        503: (
            _l("Temporarily unavailable"),
            _l("The service is busy or being restarted. Please try again in a moment."),
        ),
    }

    def handle_http(error: HTTPException):
        code = error.code or 500
        if code == 429 and request.method == "POST" and request.endpoint in KEEP_ON_429:
            return _form_again(error)
        title, message = messages.get(code, (error.name, error.description))
        if code == 429:
            return _too_many(title, message)
        return _error_page(code, title, message)

    def _form_again(error: HTTPException):
        """Too many requests on a public form: the form comes back with what was typed
        (and attached) and a message to wait, instead of a page that loses it. The view
        runs without its rate limit and with ``rate_limited()`` true, so it stores
        nothing."""
        view = app.view_functions[request.endpoint]
        request.environ[ratelimit.RATE_LIMITED] = True
        response = make_response(getattr(view, "__wrapped__", view)(**(request.view_args or {})))
        response.status_code = 429
        seconds = _retry_after()
        response.headers["Retry-After"] = str(max(1, math.ceil(seconds or 60)))
        return response

    for code in messages:
        if code not in (500, 503):
            app.register_error_handler(code, handle_http)

    @app.errorhandler(CSRFError)
    def handle_csrf(error):
        return _error_page(
            400,
            _l("The form has expired"),
            _l("For your security the form was not sent. Go back, reload the page and try again."),
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_db_down(error):
        from participation.db import discard_session

        discard_session(db.session)
        app.logger.error("database unavailable: %s", error.__class__.__name__)
        title, message = messages[503]
        response = app.make_response(_error_page(503, title, message))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(500)
    def handle_500(error):
        title, message = messages[500]
        return _error_page(500, title, message)


# Areas that other blueprints add to the main menu once they are registered.
PUBLIC_NAV = [
    ("suggestions.new", _l("Suggestion box")),
    ("consultation.index", _l("Consultation")),
    ("priorities.new", _l("Priorities")),
    ("answers.index", _l("What came of it")),
]


def configure_jobs(app: Flask) -> None:
    # The domains register their kinds of job and their periodic work on import.
    import participation.archive.tasks
    import participation.backoffice.tasks
    import participation.inputs.tasks
    import participation.insights.tasks
    import participation.jobs.scheduled
    import participation.meetings.tasks
    import participation.privacy.tasks
    import participation.reports.tasks  # noqa: F401
    from participation.jobs import engine

    engine.init_app(app)


def configure_cache(app: Flask) -> None:
    # Last, so its after_request hook sees the response before the others do.
    from participation.cache import configure_cache as configure_page_cache
    from participation.models import Base

    with app.app_context():
        configure_page_cache(app, db.engine, Base.metadata.tables, locale_for)


def register_template_helpers(app: Flask) -> None:
    from participation import formatting, labels

    app.jinja_env.filters.update(formatting.FILTERS)

    @app.context_processor
    def inject_labels():
        # Every page and e-mail names a value with the one label in labels.py.
        return labels.FOR_TEMPLATES

    @app.context_processor
    def inject_locale():
        return {
            "current_locale": str(get_locale() or "nb"),
            "languages": [
                (code, LANGUAGE_NAMES[code])
                for code in languages_for(request.path if has_request_context() else "/")
            ],
            "organisation_name": app.config["ORGANISATION_NAME"],
            "contact_email": app.config["CONTACT_EMAIL"],
            "logo": app.config["LOGO"],
            "has_endpoint": lambda name: name in app.view_functions,
            "public_nav": lambda: [
                (endpoint, label)
                for endpoint, label in PUBLIC_NAV
                if endpoint in app.view_functions
            ],
        }

    @app.before_request
    def remember_path():
        g.current_path = request.full_path.rstrip("?")


def configure_outbox_sender(app: Flask) -> None:
    """Development: the web process sends the outbox as mail is queued
    (``OUTBOX_SEND_SECONDS``), so ``./dev run`` shows each e-mail on its console. The
    thread starts with the first request, so CLI commands and job workers that build
    the app start none."""
    if app.config["OUTBOX_SEND_SECONDS"] <= 0 or app.testing:
        return
    started: list = []

    @app.before_request
    def start_outbox_sender() -> None:
        if not started:
            from participation.outbox import start_sender

            started.append(start_sender(app, float(app.config["OUTBOX_SEND_SECONDS"])))
