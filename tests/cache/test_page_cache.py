"""The server-side page cache: served without the database, per language,
invalidated by the commits that change what a page shows, never carrying one
visitor's tokens to another, headers unchanged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from participation.extensions import db

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" type="hidden" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_g_per_request(app):
    """Each request its own ``g``, as in production.

    The shared ``app`` fixture keeps one app context open for the whole test, so
    test-client requests share ``g``, where Flask-WTF keeps the request's CSRF
    token and flask-babel its locale: without this, a second visitor in a test
    would be handed the first one's token.
    """
    from flask import g
    from flask_babel import refresh

    def fresh():
        g.pop("csrf_token", None)
        refresh()

    app.before_request_funcs.setdefault(None, []).insert(0, fresh)


@pytest.fixture
def statements(app):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def _sign_up(client, meeting_id: int, n: int):
    form = client.get(f"/moter/{meeting_id}/pamelding")
    token = CSRF.search(form.text).group(1)
    return client.post(
        f"/moter/{meeting_id}/pamelding",
        data={
            "csrf_token": token,
            "name": f"Person {n}",
            "email": f"person{n}@example.no",
            "category": "citizen",
            "consent": "y",
        },
    )


def test_a_public_page_is_served_again_without_the_database(
    app, client, make_meeting, session, statements
):
    meeting = make_meeting(seats=3)
    session.commit()
    first = client.get(f"/moter/{meeting.id}")
    statements.clear()
    again = app.test_client().get(f"/moter/{meeting.id}")
    assert again.status_code == 200
    assert again.text == first.text
    assert statements == []


def test_each_language_has_its_own_copy(app, make_meeting, session):
    meeting = make_meeting()
    session.commit()
    pages = {}
    for lang in ("nb", "nn", "en", "nb"):
        browser = app.test_client()
        browser.set_cookie("lang", lang)
        pages.setdefault(lang, []).append(browser.get(f"/moter/{meeting.id}").text)
    assert 'lang="nn"' in pages["nn"][0] and 'lang="en"' in pages["en"][0]
    assert pages["nb"][0] == pages["nb"][1] and 'lang="nb"' in pages["nb"][0]


def test_the_last_seat_makes_the_page_say_full_at_once(app, make_meeting, session):
    meeting = make_meeting(seats=1)
    session.commit()
    visitor = app.test_client()
    region_url = f"/moter/region/{meeting.region.slug}"
    assert (
        "1 of 1 seats left"
        in visitor.get(f"/moter/{meeting.id}?", headers={"Accept-Language": "en"}).text
    )
    visitor.get(region_url)
    assert _sign_up(app.test_client(), meeting.id, 1).status_code == 303
    page = visitor.get(f"/moter/{meeting.id}", headers={"Accept-Language": "en"}).text
    assert "0 of 1 seats left" in page and "The meeting is full" in page
    assert "Full – waiting list" in visitor.get(region_url, headers={"Accept-Language": "en"}).text


def test_a_change_in_the_back_office_shows_at_once(app, client, make_meeting, session):
    meeting = make_meeting(venue="Rådhuset")
    session.commit()
    assert "Rådhuset" in client.get(f"/moter/{meeting.id}").text
    session.get(type(meeting), meeting.id).venue = "Kulturhuset"
    session.commit()
    page = app.test_client().get(f"/moter/{meeting.id}").text
    assert "Kulturhuset" in page and "Rådhuset" not in page


def test_unknown_query_arguments_are_not_cached(app, make_meeting, session, statements):
    meeting = make_meeting()
    session.commit()
    url = f"/moter/region/{meeting.region.slug}"
    app.test_client().get(url)
    statements.clear()
    app.test_client().get(url)
    assert statements == []
    for n in range(2):
        app.test_client().get(f"{url}?x={n}")
    statements.clear()
    app.test_client().get(f"{url}?x=0")
    assert statements != []


def test_a_cached_form_carries_each_visitors_own_token(app, make_meeting, session, statements):
    meeting = make_meeting(seats=5)
    session.commit()
    url = f"/moter/{meeting.id}/pamelding"
    first, second = app.test_client(), app.test_client()
    first_page = first.get(url)
    statements.clear()
    second_page = second.get(url)
    assert statements == []  # served from the cache
    first_token = CSRF.search(first_page.text).group(1)
    second_token = CSRF.search(second_page.text).group(1)
    assert first_token != second_token
    assert first_token not in second_page.text
    assert "\x00" not in second_page.text
    # The token the cached page carried is the visitor's own: the sign-up goes through.
    response = second.post(
        url,
        data={
            "csrf_token": second_token,
            "name": "Kari",
            "email": "kari@example.no",
            "category": "citizen",
            "consent": "y",
        },
    )
    assert response.status_code == 303
    # And the first visitor's token is no good to the second.
    refused = second.post(
        url,
        data={
            "csrf_token": first_token,
            "name": "Ola",
            "email": "ola@example.no",
            "category": "citizen",
            "consent": "y",
        },
    )
    assert refused.status_code == 400


def test_the_suggestion_form_gets_a_fresh_start_time(app, statements, monkeypatch):
    import time

    from participation.suggestions import forms

    app.config["SUGGESTION_MIN_SECONDS"] = 0
    first, second = app.test_client(), app.test_client()
    first_page = first.get("/innspill/")
    later = time.time() + 100
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        statements.clear()
        second_page = second.get("/innspill/")
        assert statements == []  # served from the cache
        started = STARTED.search(second_page.text).group(1)
        # Signed when the second visitor opened the form, not when it was cached.
        assert forms._serializer().loads(started) == int(later)
        response = second.post(
            "/innspill/",
            data={
                "csrf_token": CSRF.search(second_page.text).group(1),
                "started": started,
                "text": "Bedre kollektivtilbud mellom kommunene i regionen, takk.",
            },
        )
    assert response.status_code == 303
    assert started != STARTED.search(first_page.text).group(1)


def test_headers_are_the_same_from_the_cache(app, make_meeting, session):
    meeting = make_meeting()
    session.commit()
    for url in (f"/moter/{meeting.id}", f"/moter/{meeting.id}/pamelding", "/"):
        miss = app.test_client().get(url)
        hit = app.test_client().get(url)
        assert hit.text.count("<html") == 1
        for response in (miss, hit):
            assert response.headers["Cache-Control"] == "no-store"
            assert response.headers["Content-Security-Policy"]
        assert sorted(k for k, _ in hit.headers if k != "Content-Length") == sorted(
            k for k, _ in miss.headers if k != "Content-Length"
        )
    # A page with no form sets no cookie, cached or not.
    assert "Set-Cookie" not in app.test_client().get(f"/moter/{meeting.id}").headers


def test_a_visitor_with_something_of_their_own_is_not_cached(app, make_meeting, session):
    meeting = make_meeting(seats=5)
    session.commit()
    visitor = app.test_client()
    assert _sign_up(visitor, meeting.id, 7).status_code == 303
    # Their session holds the receipt: the form they see next is not stored for others.
    mine = visitor.get(f"/moter/{meeting.id}/pamelding").text
    other = app.test_client().get(f"/moter/{meeting.id}/pamelding").text
    assert CSRF.search(mine).group(1) not in other
