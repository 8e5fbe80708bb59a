"""Fixtures and helpers for the suggestion box (service and HTTP level)."""

from __future__ import annotations

import re

import pytest

URL = "/innspill/"
RECEIPT = "/innspill/kvittering"
GOOD_TEXT = (
    "Fylket bør satse mer på lokalmat og reiseliv i Nord-Troms, "
    "med felles transport for små produsenter."
)


@pytest.fixture(autouse=True)
def _suggestion_config(app):
    """No minimum fill time unless a test sets one; a fresh locale for each request."""
    from flask_babel import refresh

    app.config["SUGGESTION_MIN_SECONDS"] = 0
    app.before_request(refresh)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no {name} field in the page"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.fixture
def suggest(client):
    """GET the form as a browser does, then POST it with ``fields`` (None: left out)."""

    def post(headers=None, environ=None, page_headers=None, **fields):
        page = client.get(URL, headers=page_headers or headers or {}, environ_base=environ or {})
        assert page.status_code == 200, page.text
        data = {
            "csrf_token": hidden_value(page.text, "csrf_token"),
            "started": hidden_value(page.text, "started"),
            "text": GOOD_TEXT,
            "homepage": "",
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(URL, data=data, headers=headers or {}, environ_base=environ or {})

    return post
