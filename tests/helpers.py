"""Plain helpers the tests share: reading pages, logging in, counting rows and
statements, documents to import. The fixtures live in ``tests/conftest.py``."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, func, select

from participation.models import Input

PASSWORD = "riktig hest batteri stift"

# A hidden CSRF field with its value, in either attribute order.
_CSRF = re.compile(
    r'name="(?P<name>[\w-]*csrf_token)"[^>]*value="(?P<value>[^"]+)"'
    r'|value="(?P<value2>[^"]+)"[^>]*name="(?P<name2>[\w-]*csrf_token)"'
)

# A draft strategy in Markdown: goal areas, sub-goals and numbered strategies.
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

# A shorter one, as the back office's tests use it.
DRAFT_MARKDOWN = """# Strategisk næringsplan for Testfylket

Innledning til planen.

## 1 Et omstillingsdyktig næringsliv

Tekst om omstilling.

### 1.1 Styrke samarbeid mellom næringsliv og FoU

### 1.2 Flere nyetableringer

## 2 Kompetanse

Tekst om kompetanse.
"""


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def csrf_token(html: str, name: str = "csrf_token") -> str:
    for match in _CSRF.finditer(html):
        field = match.group("name") or match.group("name2")
        if field == name:
            return match.group("value") or match.group("value2")
    raise AssertionError(f"no {name} in the page")


def count(session, column, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count(column)).where(*where))


def login(client, user_or_email, password: str = PASSWORD, *, lang: str | None = None):
    email = getattr(user_or_email, "email", user_or_email)
    headers = {"Accept-Language": lang} if lang else {}
    page = client.get("/admin/logg-inn", headers=headers)
    return client.post(
        "/admin/logg-inn",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        headers=headers,
    )


def post_form(
    client,
    url: str,
    data: dict | None = None,
    *,
    page_url: str | None = None,
    csrf_field: str = "csrf_token",
    **kwargs,
):
    """GET the page (for its CSRF token), then POST ``data`` to ``url``."""
    page = client.get(page_url or url)
    assert page.status_code == 200, page.text[:500]
    payload = {csrf_field: csrf_token(page.text, csrf_field), **(data or {})}
    return client.post(url, data=payload, **kwargs)


def reset_request_state(app) -> None:
    """Make each test-client request choose its language and load its user afresh.

    The ``app`` fixture keeps one app context open for the whole test, so
    requests share ``g``, where flask-babel caches the locale, Flask-Login the
    user and Flask-WTF the CSRF token; without this a test's later requests
    would see its first request's.
    """
    from flask import g
    from flask_babel import refresh

    def reset():
        refresh()
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    app.before_request_funcs.setdefault(None, []).insert(0, reset)


@contextmanager
def count_queries(engine):
    """Count the SQL statements sent while the block runs."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def input_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Input.id)))
