"""Fixtures and helpers for the meetings tests (HTTP level and service level)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import csrf_token


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


def meeting_form(region_id: int, **fields) -> dict:
    """The back office's meeting form, filled in validly (Bokmål only); ``fields`` override."""
    values = {
        "region": str(region_id),
        "title": "Innspillsmøte Nord-Troms",
        "day": "2031-06-10",
        "starts": "09:00",
        "ends": "13:00",
        "venue": "På Taket Kafé",
        "seats": "12",
        "deadline_day": "2031-06-07",
        "deadline_time": "23:59",
    }
    return values | fields


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
