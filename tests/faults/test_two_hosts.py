"""Two app hosts: two gunicorn instances on different ports against one database and one
Redis, a job worker beside the second. What must be shared is: a back-office session
started on one host is valid on the other; a burst of sign-ups sent to both at once is
limited as one client (429 for the refused, nothing stored for them, the accepted ones
flagged); a job queued through one host is run by the worker beside the other and its
file downloaded from either; the meeting page cached on both says full on both once the
last seat went through one."""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from sqlalchemy import func, select

from participation.models import Job, JobStatus, OutboxMessage, Registration
from tests.conftest import (
    TEST_SECRET,
    start_gunicorn,
    start_job_worker,
    stop_gunicorn,
    stop_process,
)
from tests.helpers import PASSWORD

pytestmark = pytest.mark.slow

REDIS = "redis://127.0.0.1:6379/0"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
WAIT = 240  # seconds, for a busy machine; never asserted as a duration


@pytest.fixture
def prefix():
    name = f"innspill-test-{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=f"*{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _get(url: str, browser: requests.Session | None = None) -> requests.Response:
    if browser is None:
        with requests.Session() as fresh:
            return fresh.get(url, headers={"Accept-Language": "en"}, timeout=30)
    return browser.get(url, headers={"Accept-Language": "en"}, timeout=30)


def _token(html: str) -> str:
    return CSRF.search(html).group(1)


def test_two_hosts_share_sessions_limits_jobs_and_the_cache(
    app, session, make_meeting, make_input, admin, tmp_path, prefix
):
    meeting = make_meeting(seats=3, title="Innspillsmøte Delt")
    for n in range(3):
        make_input(f"Innspill {n} om reiseliv og lokalmat i regionen vår.")
    session.commit()
    shared = {
        "INNSPILL_SECRET_KEY": TEST_SECRET,
        "INNSPILL_RATELIMIT_ENABLED": "true",
        "INNSPILL_RATELIMIT_STORAGE_URI": REDIS,
        "INNSPILL_RATELIMIT_KEY_PREFIX": f"{prefix}-limits",
        "INNSPILL_SIGNUP_MEETING_LIMIT": "3 per day",
        "INNSPILL_SIGNUP_RATE_LIMIT": "100 per 10 minutes",
        "INNSPILL_CACHE_URL": REDIS,
        "INNSPILL_CACHE_KEY_PREFIX": f"{prefix}-cache:",
        "INNSPILL_CACHE_SECONDS": "300",  # only invalidation can make a page change
        "INNSPILL_JOBS_URL": REDIS,
        "INNSPILL_JOBS_QUEUE_NAME": f"{prefix}-jobs",
        "INNSPILL_EXPORT_JOB_ROWS": "0",  # every export is a job
    }
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    host_a = start_gunicorn(database, tmp_path / "a", workers=2, extra_env=shared)
    host_b = None
    worker = None
    try:
        host_b = start_gunicorn(database, tmp_path / "b", workers=2, extra_env=shared)
        worker = start_job_worker(
            database, tmp_path / "b", jobs_url=REDIS, extra_env=shared, name="worker-b"
        )
        page = f"/moter/{meeting.id}"
        for host in (host_a, host_b):  # both hosts have the page in the shared cache
            for _ in range(4):
                assert "3 of 3 seats left" in _get(host.url + page).text

        # A session started on A is valid on B.
        staff = requests.Session()
        login = _get(host_a.url + "/admin/logg-inn", staff)
        logged_in = staff.post(
            host_a.url + "/admin/logg-inn",
            data={"email": admin.email, "password": PASSWORD, "csrf_token": _token(login.text)},
            allow_redirects=False,
            timeout=30,
        )
        assert logged_in.status_code == 303
        on_b = staff.get(host_b.url + "/admin/jobbar", allow_redirects=False, timeout=30)
        assert on_b.status_code == 200 and admin.name in on_b.text

        # A burst of sign-ups from one client, half to each host, all at once.
        forms = []
        for n in range(12):
            host = (host_a, host_b)[n % 2]
            browser = requests.Session()
            form = _get(f"{host.url}{page}/pamelding", browser)
            forms.append((host, browser, _token(form.text)))

        def sign_up(n: int) -> int:
            host, browser, token = forms[n]
            return browser.post(
                f"{host.url}{page}/pamelding",
                data={
                    "csrf_token": token,
                    "name": f"Deltaker {n}",
                    "email": f"deltaker{n}@example.no",
                    "category": "citizen",
                    "consent": "y",
                },
                allow_redirects=False,
                timeout=60,
            ).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(sign_up, range(12)))
        assert sorted(codes) == [303] * 3 + [429] * 9, codes
        session.rollback()
        assert session.scalar(select(func.count(Registration.id))) == 3
        assert session.scalar(select(func.count(OutboxMessage.id))) == 3
        flagged = select(func.count(Registration.id)).where(Registration.flagged_burst.is_(True))
        assert session.scalar(flagged) == 3

        # The last seat went through one host: the cached page says full on both.
        for host in (host_a, host_b):
            for _ in range(4):
                text = _get(host.url + page).text
                assert "0 of 3 seats left" in text and "The meeting is full" in text

        # A job queued through A is run by the worker beside B; the file is on both.
        queued = staff.get(
            host_a.url + "/admin/eksport/innspill.csv", allow_redirects=False, timeout=30
        )
        assert queued.status_code == 303
        job_url = queued.headers["Location"]
        deadline = time.monotonic() + WAIT
        status = {}
        while time.monotonic() < deadline:
            status = staff.get(host_b.url + job_url + "/status", timeout=30).json()
            if not status["active"]:
                break
            time.sleep(0.2)
        assert status["status"] == "done", (status, (tmp_path / "b" / "worker-b.log").read_text())
        files = [
            staff.get(host.url + status["download_url"], timeout=30) for host in (host_a, host_b)
        ]
        assert files[0].status_code == files[1].status_code == 200
        assert files[0].content == files[1].content
        assert files[0].content.decode("utf-8-sig").count("\r\n") == 4  # header + 3 inputs
    finally:
        if worker is not None:
            stop_process(worker)
        if host_b is not None:
            stop_gunicorn(host_b)
        stop_gunicorn(host_a)
    session.rollback()
    job = session.execute(select(Job)).scalar_one()
    assert job.status == JobStatus.DONE and job.completions == 1 and job.attempts == 1
