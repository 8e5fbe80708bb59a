"""With Redis as the cache, several gunicorn workers share it: a sign-up that
takes the last seat through one worker makes the meeting page say full on every
worker at once."""

from __future__ import annotations

import re
import uuid

import pytest
import redis
import requests

from tests.conftest import start_gunicorn, stop_gunicorn

pytestmark = pytest.mark.slow

REDIS_URL = "redis://127.0.0.1:6379/0"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def redis_prefix():
    prefix = f"innspill-test-{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def _fresh_get(url: str) -> str:
    # A new connection each time: gunicorn hands it to whichever worker accepts.
    with requests.Session() as browser:
        response = browser.get(
            url, headers={"Accept-Language": "en", "Connection": "close"}, timeout=10
        )
    assert response.status_code == 200
    return response.text


def test_the_last_seat_shows_as_full_on_every_worker(
    app, make_meeting, session, tmp_path, redis_prefix
):
    meeting = make_meeting(seats=1)
    session.commit()
    server = start_gunicorn(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path,
        workers=3,
        extra_env={
            "INNSPILL_CACHE_URL": REDIS_URL,
            "INNSPILL_CACHE_KEY_PREFIX": redis_prefix,
            "INNSPILL_CACHE_SECONDS": "300",  # only the invalidation can make it say full
        },
    )
    page_url = f"{server.url}/moter/{meeting.id}"
    try:
        before = [_fresh_get(page_url) for _ in range(30)]
        store = redis.Redis.from_url(REDIS_URL)
        cached = list(store.scan_iter(match=redis_prefix + "page:*"))
        store.close()
        with requests.Session() as browser:
            form = browser.get(f"{page_url}/pamelding", timeout=10)
            signed_up = browser.post(
                f"{page_url}/pamelding",
                data={
                    "csrf_token": CSRF.search(form.text).group(1),
                    "name": "Siste Plass",
                    "email": "siste@example.no",
                    "category": "citizen",
                    "consent": "y",
                },
                allow_redirects=False,
                timeout=10,
            )
        after = [_fresh_get(page_url) for _ in range(30)]
    finally:
        stop_gunicorn(server)
    assert cached, "the page was never stored in Redis"
    assert all("1 of 1 seats left" in page for page in before)
    assert signed_up.status_code == 303
    full = [("0 of 1 seats left" in page and "The meeting is full" in page) for page in after]
    assert all(full), full
