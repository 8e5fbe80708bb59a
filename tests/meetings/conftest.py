"""Fixtures and helpers for the meetings tests (HTTP level and service level)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture(autouse=True)
def _locale_per_request(app):
    """Choose the language afresh for each request, as in production.

    The shared ``app`` fixture keeps one app context open for the whole test, so
    every test-client request shares ``g``, where flask-babel caches the locale:
    without this, a test's later requests would get its first request's language.
    """
    from flask_babel import refresh

    app.before_request(refresh)


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def count(session, column) -> int:
    return session.scalar(select(func.count(column)))


@pytest.fixture
def focus_areas(session):
    """Three focus areas; the last is inactive and so not offered."""
    from participation.models import FocusArea

    areas = []
    for position, (key, nb, nn, en, active) in enumerate(
        [
            ("lokalmat", "Lokalmat", "Lokalmat", "Local food", True),
            ("reiseliv", "Reiseliv", "Reiseliv", "Tourism", True),
            ("petroleum", "Petroleum", "Petroleum", "Petroleum", False),
        ]
    ):
        area = FocusArea(
            key=key, name_nb=nb, name_nn=nn, name_en=en, active=active, position=position
        )
        session.add(area)
        areas.append(area)
    session.commit()
    return areas


@pytest.fixture
def signup_page(client):
    """GET the sign-up form (as a browser does) and return a function that POSTs it.

    ``post(meeting, **fields)`` sends a valid form with the given overrides; a
    field given as ``None`` is left out.
    """

    def post(meeting, headers=None, **fields):
        url = f"/moter/{meeting.id}/pamelding"
        page = client.get(url, headers=headers or {})
        assert page.status_code == 200, page.text
        data = {
            "csrf_token": csrf_token(page.text),
            "name": "Kari Nordmann",
            "email": "kari@example.no",
            "category": "business",
            "consent": "y",
        }
        data.update(fields)
        data = {key: value for key, value in data.items() if value is not None}
        return client.post(url, data=data, headers=headers or {})

    return post


def field_errors(html: str) -> list[str]:
    """The messages shown next to the fields."""
    return [
        " ".join(m.split())
        for m in re.findall(r'class="ds-validation-message[^"]*"[^>]*>\s*<p>([^<]*)</p>', html)
    ]


def summary_links(html: str) -> list[str]:
    """The targets of the error summary's links."""
    block = re.search(r'id="error-summary".*?</div>', html, re.S)
    return re.findall(r'href="#([^"]+)"', block.group(0)) if block else []
