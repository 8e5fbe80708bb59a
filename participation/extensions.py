"""Unbound extension objects; bound to the app in ``create_app``."""

from flask import session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from participation.models.base import Base
from participation.ratelimit import client_key

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()


class StaffLoginManager(LoginManager):
    """Session protection for staff sessions only.

    Flask-Login checks every rendered page; for an anonymous visitor whose session
    holds just a CSRF token, "strong" protection would tell the browser to delete a
    remember cookie on each public page. Only a logged-in session has anything to
    protect.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


login_manager = StaffLoginManager()
limiter = Limiter(key_func=client_key, default_limits=[], headers_enabled=False)
