"""Fixtures for the back-office tests: staff accounts, logging in, inputs,
drafts and responses, and counting SQL statements."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

PASSWORD = "riktig hest batteri stift"
_CSRF = re.compile(r'name="([\w-]*csrf_token)"[^>]*value="([^"]+)"')


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


@pytest.fixture(autouse=True)
def _fresh_request_state(app):
    reset_request_state(app)


def csrf_token(html: str, name: str = "csrf_token") -> str:
    for field, value in _CSRF.findall(html):
        if field == name:
            return value
    raise AssertionError(f"no {name} in the page")


def count(session, column, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count(column)).where(*where))


@pytest.fixture
def make_user(session):
    from participation.backoffice.service import create_user

    counter = {"n": 0}

    def make(role: str = "reviewer", **overrides):
        counter["n"] += 1
        values = {
            "email": f"staff{counter['n']}@fylke.example.no",
            "password": PASSWORD,
            "role": role,
            "name": f"Staff {counter['n']}",
        }
        values.update(overrides)
        user = create_user(session, **values)
        session.commit()
        return user

    return make


@pytest.fixture
def admin(make_user):
    return make_user("admin", email="admin@fylke.example.no", name="Ada Admin")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", email="reviewer@fylke.example.no", name="Rune Reviewer")


def login(client, user_or_email, password: str = PASSWORD, *, lang: str | None = None):
    email = getattr(user_or_email, "email", user_or_email)
    headers = {"Accept-Language": lang} if lang else {}
    page = client.get("/admin/logg-inn", headers=headers)
    return client.post(
        "/admin/logg-inn",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        headers=headers,
    )


@pytest.fixture
def as_admin(client, admin):
    response = login(client, admin)
    assert response.status_code == 303
    return client


@pytest.fixture
def as_reviewer(client, reviewer):
    response = login(client, reviewer)
    assert response.status_code == 303
    return client


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


@pytest.fixture
def focus_areas(session):
    from participation.models import FocusArea

    areas = []
    for position, (key, nb, nn, en) in enumerate(
        [
            ("lokalmat", "Lokalmat", "Lokalmat", "Local food"),
            ("reiseliv", "Reiseliv", "Reiseliv", "Tourism"),
            ("havbruk", "Fiskeri og havbruk", "Fiskeri og havbruk", "Fisheries and aquaculture"),
        ]
    ):
        area = FocusArea(key=key, name_nb=nb, name_nn=nn, name_en=en, position=position)
        session.add(area)
        areas.append(area)
    session.commit()
    return areas


@pytest.fixture
def make_input(session):
    from participation.inputs import service as inputs

    counter = {"n": 0}

    def make(text: str | None = None, **kwargs):
        counter["n"] += 1
        kwargs.setdefault("channel", "suggestion_box")
        item = inputs.create_input(
            session,
            text=text or f"Innspill nummer {counter['n']} om næringsutvikling i regionen vår.",
            **kwargs,
        )
        session.commit()
        return item

    return make


DRAFT_MARKDOWN = """# Strategisk næringsplan for Testfylket

Innledning til planen.

## 1 Et omstillingsdyktig næringsliv

Tekst om omstilling.

### 1.1 Styrke samarbeid mellom næringsliv og FoU

### 1.2 Flere nyetableringer

## 2 Kompetanse

Tekst om kompetanse.
"""


@pytest.fixture
def draft(session):
    from participation.consultation import service as consultation

    now = datetime.now(UTC)
    found = consultation.import_markdown(
        session,
        DRAFT_MARKDOWN,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    session.commit()
    return found


@pytest.fixture
def make_response(session, app):
    from participation.consultation import service as consultation

    counter = {"n": 0}

    def make(draft, section=None, **overrides):
        counter["n"] += 1
        values = {
            "text": f"Høringssvar nummer {counter['n']}: vi støtter satsingen på kompetanse og samarbeid.",
            "name": f"Svarer {counter['n']}",
            "email": f"svarer{counter['n']}@example.no",
            "category": "business",
            "locale": "nb",
            "stance": "support",
            "may_publish": True,
            "section_id": section.id if section is not None else None,
            "organisation": "Testbedrift AS",
        }
        uploads = overrides.pop("uploads", ())
        values.update(overrides)
        response = consultation.submit_response(
            session,
            draft.id,
            consultation.ResponseData(**values),
            uploads,
            upload_dir=app.config["UPLOAD_DIR"],
        )
        session.commit()
        return response

    return make


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


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
