"""Abuse control on sign-up: a rate limit per client (keyed hash), a limit per meeting
and client per day, a translated 429 page that says when to try again, and a flag on
sign-ups that came in a burst from one client, for the project group to review.
Refused sign-ups store nothing; flagged ones are never removed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from participation.models import AuditEntry, OutboxMessage, Registration, RegistrationStatus
from tests.helpers import csrf_token, login

CLIENT = {"REMOTE_ADDR": "198.51.100.23"}
OTHER = {"REMOTE_ADDR": "198.51.100.99"}


@pytest.fixture
def limited_app(app, _migrated, tmp_path):
    # After the `app` fixture: the limiter is one object, enabled by the last app made.
    from flask_babel import refresh
    from sqlalchemy.orm import close_all_sessions

    from participation import create_app
    from participation.extensions import db, limiter
    from tests.conftest import base_config

    config = base_config(_migrated, tmp_path)
    config.update(
        RATELIMIT_ENABLED=True,
        SIGNUP_RATE_LIMIT="5 per 10 minutes",
        SIGNUP_MEETING_LIMIT="3 per day",
        SIGNUP_BURST_COUNT=3,
        SIGNUP_BURST_MINUTES=10,
    )
    app = create_app(config)
    app.before_request(refresh)
    with app.app_context():
        limiter.reset()
        yield app
        limiter.reset()
        db.session.remove()
        # The staff client of the `app` fixture ran requests while this app's context
        # was pushed: close every session before the engine goes, or PostgreSQL
        # connections are left to the garbage collector.
        close_all_sessions()
        db.engine.dispose()


def sign_up(client, meeting_id: int, n: int, environ=CLIENT, lang: str = "nb"):
    url = f"/moter/{meeting_id}/pamelding"
    page = client.get(url, environ_base=environ)
    assert page.status_code == 200
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "name": f"Deltaker {n}",
            "email": f"deltaker{n}@example.no",
            "category": "citizen",
            "consent": "y",
        },
        headers={"Accept-Language": lang},
        environ_base=environ,
    )


def _count(session, *where) -> int:
    session.rollback()
    return session.scalar(select(func.count(Registration.id)).where(*where))


def test_sign_ups_are_limited_per_meeting_and_per_client(limited_app, session, make_meeting):
    first = make_meeting(seats=20)
    second = make_meeting(seats=20)
    session.commit()
    client = limited_app.test_client()

    codes = [sign_up(client, first.id, n).status_code for n in range(3)]
    assert codes == [303, 303, 303]
    refused = sign_up(client, first.id, 9, lang="nn")
    assert refused.status_code == 429  # three a day to one meeting from one client
    assert "For mange førespurnader" in refused.text
    hours = int(re.search(r"Du kan prøve igjen om (\d+) tim", refused.text).group(1))
    assert 1 <= hours <= 24  # the limit per meeting is per day
    assert 1 <= int(refused.headers["Retry-After"]) <= 24 * 3600 + 1

    # Every sign-up sent counts towards five in ten minutes from one client.
    assert sign_up(client, second.id, 10).status_code == 303
    limited = sign_up(client, second.id, 11)
    assert limited.status_code == 429
    minutes = int(re.search(r"Du kan prøve igjen om (\d+) minutt", limited.text).group(1))
    assert 1 <= minutes <= 10
    assert 1 <= int(limited.headers["Retry-After"]) <= 601

    # Nothing of the refused ones was stored, no e-mail queued for them.
    assert _count(session) == 4
    assert session.scalar(select(func.count(OutboxMessage.id))) == 4
    # Another client is not affected; the form itself is never limited.
    assert sign_up(client, second.id, 20, environ=OTHER).status_code == 303
    assert client.get(f"/moter/{first.id}/pamelding", environ_base=CLIENT).status_code == 200


def test_a_burst_from_one_client_is_flagged_and_kept(
    limited_app, session, make_meeting, admin, client
):
    meeting = make_meeting(seats=3)
    session.commit()
    public = limited_app.test_client()
    assert sign_up(public, meeting.id, 1).status_code == 303
    assert sign_up(public, meeting.id, 2).status_code == 303
    assert _count(session, Registration.flagged_burst.is_(True)) == 0
    assert sign_up(public, meeting.id, 3).status_code == 303  # the third in ten minutes
    assert sign_up(public, meeting.id, 4, environ=OTHER).status_code == 303

    session.rollback()
    rows = session.execute(select(Registration).order_by(Registration.id)).scalars().all()
    assert [r.flagged_burst for r in rows] == [True, True, True, False]
    # Flagged, never removed: the three keep their seats; the other client waits.
    assert [r.status for r in rows] == ["confirmed"] * 3 + ["waiting"]

    staff = client  # the back office, in the app of the `app` fixture
    staff.set_cookie("lang", "en")
    assert login(staff, admin).status_code == 303
    overview = staff.get("/admin/moter")
    assert "3 flagged sign-ups" in overview.text
    page = staff.get(f"/admin/moter/{meeting.id}")
    assert "3 registrations came in a burst of sign-ups from one client." in page.text
    assert page.text.count("came in a burst of sign-ups from one client.") == 4
    response = staff.post(
        f"/admin/moter/{meeting.id}/pameldinger/{rows[0].id}/gjennomgatt",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/moter/{meeting.id}"
    session.rollback()
    assert session.get(Registration, rows[0].id).flagged_burst is False
    assert session.get(Registration, rows[0].id).status == RegistrationStatus.CONFIRMED
    assert (
        session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "registration.burst_reviewed"
            )
        )
        == 1
    )
    assert "2 flagged sign-ups" in staff.get("/admin/moter").text
    no_token = staff.post(f"/admin/moter/{meeting.id}/pameldinger/{rows[1].id}/gjennomgatt")
    assert no_token.status_code == 400
