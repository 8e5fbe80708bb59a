"""Innspill: the Flask application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from participation.config import TEMPLATE_DIR, Config, database_uri, instance_secret_key


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: environment settings first, then ``config`` overrides."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATE_DIR),
    )
    configure_settings(app, config or {})

    from participation import setup

    setup.configure_logging(app)
    setup.configure_db(app)
    setup.configure_babel(app)
    setup.configure_security(app)
    setup.configure_login(app)
    setup.configure_limiter(app)
    setup.register_blueprints(app)
    setup.register_error_handlers(app)
    setup.register_template_helpers(app)
    setup.configure_jobs(app)
    setup.configure_cache(app)
    setup.configure_outbox_sender(app)

    from participation import cli

    cli.register(app)
    return app


def configure_settings(app: Flask, overrides: dict[str, Any]) -> None:
    settings = Config.from_env()
    for key, value in vars(settings).items():
        if key != "extra":
            app.config[key] = value
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI",
        database_uri(app.config["DATABASE_URL"], app.instance_path),
    )
    if not app.config["UPLOAD_DIR"]:
        app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    if not app.config["MODEL_DIR"]:
        app.config["MODEL_DIR"] = str(Path(app.instance_path) / "models")

    development = app.config["ENV"] == "development" or app.config.get("TESTING", False)
    # Flask's own defaults already hold these keys (Secure off, no SameSite), so
    # setdefault would never apply ours: set them unless the caller overrides them.
    cookie_settings = {
        "SESSION_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_SECURE": not development,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "innspill_session",
    }
    for key, value in cookie_settings.items():
        if key not in overrides:
            app.config[key] = value
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URI"]
