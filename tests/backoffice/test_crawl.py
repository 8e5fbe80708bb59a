"""No 500 anywhere in the back office: log in as an admin and as a reviewer, follow
every link the back office offers (every page and every download in every format),
on an empty database and on the demo data. Every answer is below 500, and every
file opens: CSV with the csv module, Excel with openpyxl, PDF by its signature."""

from __future__ import annotations

import csv
import io
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from openpyxl import load_workbook

from tests.helpers import PASSWORD, csrf_token

# Logging out would end the walk (no GET changes anything else).
SKIP = ("/admin/logg-ut",)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _opens(kind: str, body: bytes) -> str | None:
    """Why the downloaded file does not open, or None."""
    if kind == "text/csv":
        text = body.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or not rows[0]:
            return "CSV without a header row"
    elif kind.endswith("spreadsheetml.sheet"):
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        if not workbook.worksheets or next(workbook.active.iter_rows(), None) is None:
            return "Excel file without a header row"
        workbook.close()
    elif kind == "application/pdf" and not body.startswith(b"%PDF-"):
        return "not a PDF"
    return None


def _login(base: str, email: str, password: str = PASSWORD) -> requests.Session:
    http = requests.Session()
    page = http.get(base + "/admin/logg-inn", timeout=60)
    answer = http.post(
        base + "/admin/logg-inn",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 303
    return http


def walk(http: requests.Session, base: str, *, limit: int = 400) -> dict[str, int]:
    """Every link reachable from /admin/ that stays under /admin; status per path.
    Fails with every 5xx and every file that does not open."""
    seen: dict[str, int] = {}
    failures: list[str] = []
    queue = deque(["/admin/"])
    while queue and len(seen) < limit:
        parts = urlsplit(queue.popleft())
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen or parts.path in SKIP:
            continue
        try:
            response = http.get(base + path, allow_redirects=False, timeout=120)
            body = response.content
        except requests.RequestException as error:  # a body cut off half-way
            failures.append(f"{path}: {type(error).__name__}: {error}")
            seen[path] = 599
            continue
        seen[path] = response.status_code
        kind = response.headers.get("Content-Type", "").split(";")[0]
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
        elif response.status_code == 200 and kind != "text/html":
            problem = _opens(kind, body)
            if problem:
                failures.append(f"{path}: {problem}")
        if response.status_code == 200 and kind == "text/html":
            parser = _Links()
            parser.feed(response.text)
            for href in parser.links:
                target = urlsplit(urljoin(base + path, href.split("#")[0]))
                if target.netloc == urlsplit(base).netloc and target.path.startswith("/admin"):
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
    assert not failures, "\n".join(failures)
    return seen


def _downloads(seen: dict[str, int]) -> list[str]:
    return [p for p in seen if "/eksport/" in p and p.split("?")[0].endswith((".csv", ".xlsx"))]


def test_every_back_office_page_and_download_answers_and_opens(live_server, session, make_user):
    from participation.demo import seed_demo

    emails = [make_user("admin").email, make_user("reviewer").email]
    session.close()  # no read transaction left open across the server's writes (SQLite)
    base = live_server.url
    # An empty database: only the accounts.
    for email in emails:
        seen = walk(_login(base, email), base)
        assert "/admin/eksport/innspill.csv" in seen
        assert seen["/admin/eksport/innspill.xlsx"] == 200

    # The demo data: meetings with registrations, inputs, a consultation with responses.
    seed_demo(session)
    session.commit()
    session.close()
    for email in emails:
        seen = walk(_login(base, email), base)
        downloads = _downloads(seen)
        assert any("/eksport/horingssvar/" in p and p.endswith(".csv") for p in downloads)
        assert any("/eksport/horingssvar/" in p and p.endswith(".xlsx") for p in downloads)
        assert any("/eksport/pameldingar.csv?meeting=" in p for p in downloads)
        assert all(seen[p] == 200 for p in downloads)
        assert any(p.startswith("/admin/innspill/") for p in seen)
        assert any(p.startswith("/admin/horing/svar/") for p in seen)
