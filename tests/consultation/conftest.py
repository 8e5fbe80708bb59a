"""Fixtures and helpers for the consultation (service and HTTP level)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from participation.models import Attachment, ConsultationResponse, Input
from tests.helpers import csrf_token

GOOD_TEXT = "Vi støtter målet om mer foredling, men savner tiltak for små bedrifter."


def counts(session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count(ConsultationResponse.id))),
        session.scalar(select(func.count(Input.id))),
        session.scalar(select(func.count(Attachment.id))),
    )


def stored_files(app) -> list:
    from pathlib import Path

    folder = Path(app.config["UPLOAD_DIR"]) / "consultation"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def respond(client):
    """GET the response form, then POST it with ``fields`` (None: left out).

    ``files`` is a list of (bytes, filename) sent as attachments.
    """

    def post(draft, headers=None, files=(), query="", **fields):
        url = f"/horing/{draft.slug}/svar"
        page = client.get(url + query, headers=headers or {})
        assert page.status_code == 200, page.text
        data = {
            "csrf_token": csrf_token(page.text),
            "section": "",
            "stance": "support",
            "text": GOOD_TEXT,
            "name": "Kari Nordmann",
            "email": "kari@example.no",
            "organisation": "Senja Sjømat AS",
            "org_number": "974 760 673",
            "category": "business",
            "may_publish": "yes",
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        body, content_type = multipart(data, files)
        return client.post(url, data=body, headers=headers or {}, content_type=content_type)

    return post


def multipart(fields: dict, files=()) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool big ones to
    temporary files it never closes)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict(fields)
    for content, name in files:
        values.add(
            "attachments",
            FileStorage(io.BytesIO(content), filename=name, content_type="application/pdf"),
        )
    boundary, body = encode_multipart(values)
    return body, f"multipart/form-data; boundary={boundary}"
