"""The app's PostgreSQL sessions carry the configured timeouts: a request's
statements and lock waits end within seconds with the translated 503 page, while
background work keeps only the lock timeout."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import create_engine, text

from participation.extensions import db

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="statement, lock and idle timeouts are PostgreSQL settings; SQLite has none",
)

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _show(name: str) -> str:
    return db.session.execute(text(f"SHOW {name}")).scalar()


def test_requests_get_the_timeouts_and_background_work_no_statement_timeout(app):
    statement = f"{app.config['DB_STATEMENT_TIMEOUT']}s"
    idle = f"{app.config['DB_IDLE_IN_TRANSACTION_TIMEOUT'] // 60}min"
    with app.test_request_context("/"):
        assert _show("statement_timeout") == statement
        assert _show("lock_timeout") == "3s"
        assert _show("idle_in_transaction_session_timeout") == idle
        db.session.remove()
    # The same pooled connection, now used by background work (no request).
    assert _show("statement_timeout") == "0"
    assert _show("idle_in_transaction_session_timeout") == "0"
    assert _show("lock_timeout") == "3s"
    db.session.remove()
    with app.test_request_context("/"):
        assert _show("statement_timeout") == statement
        assert _show("idle_in_transaction_session_timeout") == idle
        db.session.remove()


def test_a_sign_up_waiting_on_a_held_lock_gets_the_503_page(app, client, make_meeting, session):
    meeting = make_meeting(seats=5)
    session.commit()
    url = f"/moter/{meeting.id}/pamelding"
    token = CSRF.search(client.get(url, headers={"Accept-Language": "en"}).text).group(1)
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.connect() as holder:
        # Someone else holds the meeting's row lock (a long back-office change).
        holder.execute(text("SELECT id FROM meeting WHERE id = :id FOR UPDATE"), {"id": meeting.id})
        response = client.post(
            url,
            data={
                "csrf_token": token,
                "name": "Kari",
                "email": "kari@example.no",
                "category": "citizen",
                "consent": "y",
            },
            headers={"Accept-Language": "en"},
        )
        holder.rollback()
    other.dispose()
    assert response.status_code == 503
    assert "try again" in response.text and response.headers["Retry-After"]
    session.rollback()
    assert session.execute(text("SELECT count(*) FROM registration")).scalar() == 0
