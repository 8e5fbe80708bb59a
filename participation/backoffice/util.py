"""Small helpers shared by the back-office views."""

from __future__ import annotations

from flask import flash
from flask_login import current_user


def tell(message, category: str = "success") -> None:
    """Flash a (possibly lazy) translated message; the session stores plain text."""
    flash(str(message), category)


def actor():
    """The logged-in staff member as a model instance (for services and the audit log)."""
    return current_user._get_current_object()
