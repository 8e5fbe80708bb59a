"""Load shape for benchmarks/load.py: public pages at ~1 req/s per page user and
form POSTs (with real CSRF tokens) at ~1 req/s per post user.

Driven by environment variables set by load.py:
  BENCH_PAGE_USERS, BENCH_POST_USERS  how many of each (fixed counts)
  BENCH_MEETING_ID, BENCH_REGION      what to request
  BENCH_DRAFT_PATH                     the draft strategy page (empty: skipped)
"""

from __future__ import annotations

import itertools
import os
import re
import uuid

from locust import HttpUser, constant_throughput, task

MEETING = os.environ.get("BENCH_MEETING_ID", "1")
REGION = os.environ.get("BENCH_REGION", "midt-troms")
DRAFT = os.environ.get("BENCH_DRAFT_PATH", "")
SUGGESTION = os.environ.get("BENCH_SUGGESTION_PATH", "")
TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
FIELD = re.compile(r'<input[^>]*name="(?P<name>form_started|started)"[^>]*value="(?P<value>[^"]+)"')
_counter = itertools.count()


def _token(html: str) -> str:
    match = TOKEN.search(html)
    return (match.group(1) or match.group(2)) if match else ""


class PageUser(HttpUser):
    fixed_count = int(os.environ.get("BENCH_PAGE_USERS", "100"))
    wait_time = constant_throughput(1)

    @task(3)
    def home(self):
        self.client.get("/", name="GET /")

    @task(2)
    def region(self):
        self.client.get(f"/moter/region/{REGION}", name="GET region")

    @task(2)
    def meeting(self):
        self.client.get(f"/moter/{MEETING}", name="GET meeting")

    @task(2)
    def suggestion_box(self):
        if SUGGESTION:
            self.client.get(SUGGESTION, name="GET suggestion box")

    @task(2)
    def draft(self):
        if DRAFT:
            self.client.get(DRAFT, name="GET draft")


class PostUser(HttpUser):
    fixed_count = int(os.environ.get("BENCH_POST_USERS", "30"))
    wait_time = constant_throughput(1)

    def on_start(self):
        page = self.client.get(f"/moter/{MEETING}/pamelding", name="GET sign-up form")
        self.signup_token = _token(page.text)
        self.suggestion_fields = {}
        if SUGGESTION:
            page = self.client.get(SUGGESTION, name="GET suggestion box")
            self.suggestion_token = _token(page.text)
            self.suggestion_fields = {
                m.group("name"): m.group("value") for m in FIELD.finditer(page.text)
            }

    @task
    def sign_up(self):
        n = next(_counter)
        self.client.post(
            f"/moter/{MEETING}/pamelding",
            data={
                "csrf_token": self.signup_token,
                "name": f"Last Test {n}",
                "email": f"load-{uuid.uuid4().hex[:12]}@example.no",
                "category": "business",
                "consent": "y",
            },
            allow_redirects=False,
            name="POST sign-up",
        )

    @task
    def suggest(self):
        if not SUGGESTION:
            return
        self.client.post(
            SUGGESTION,
            data={
                "csrf_token": self.suggestion_token,
                "text": "Vi trenger bedre kollektivtilbud og flere næringsarealer for "
                f"lokalmatprodusentene i regionen (innspill {uuid.uuid4().hex[:8]}).",
                **self.suggestion_fields,
            },
            allow_redirects=False,
            name="POST suggestion",
        )
