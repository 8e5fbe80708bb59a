"""Fixtures and helpers for the consultation (service and HTTP level)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from participation.models import Attachment, ConsultationResponse, Input

DRAFT_MD = """# Næringsstrategi for Testfylket

Innledning med **fet** tekst.

## 1 Havnæringene

Om havet.

### 1.1 Delmål: Mer foredling

#### 1.1.1 Styrke kompetansen i foredlingsbedriftene

#### 1.1.2 Bedre arealplanlegging i sjø

## 2 Reiseliv

### 2.1 Delmål: Helårs reiseliv

Tekst med <script>alert("x")</script> og [lenke](javascript:alert(1)).
"""

GOOD_TEXT = "Vi støtter målet om mer foredling, men savner tiltak for små bedrifter."


@pytest.fixture(autouse=True)
def _locale_per_request(app):
    from flask_babel import refresh

    app.before_request(refresh)


@pytest.fixture
def make_draft(session):
    from participation.consultation import service

    counter = {"n": 0}

    def make(opens_at=None, closes_at=None, source=DRAFT_MD, **kwargs):
        counter["n"] += 1
        now = datetime.now(UTC)
        draft = service.import_markdown(
            session,
            source,
            opens_at=opens_at or now - timedelta(days=1),
            closes_at=closes_at or now + timedelta(days=20),
            slug=kwargs.pop("slug", f"utkast-{counter['n']}"),
            **kwargs,
        )
        session.commit()
        return draft

    return make


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


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
