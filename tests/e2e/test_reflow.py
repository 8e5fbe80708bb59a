"""Reflow (WCAG 1.4.10, issue 9 point 6): no page scrolls sideways on a 320 px wide
phone, in Bokmål, Nynorsk or English — every public page and every back-office page
with an administrator logged in, on the demo data with an analysis run. axe-core does
not see this; only a browser laying out the page does.

The same walk checks what else only a browser shows: breadcrumbs with one separator
between two links (not Designsystemet's chevron and ours), tag pills with their text
centred, and the favicon and logo in every page's head and header."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

pytestmark = pytest.mark.e2e

WIDTH = 320
LANGUAGES = ("nb", "nn", "en")
# Not pages: files, JSON, the health check, the language switch (used on purpose).
NOT_PAGES = {
    "static",
    "main.health",
    "main.set_language",
    "backoffice.export_inputs",
    "backoffice.export_registrations",
    "backoffice.export_responses",
    "backoffice.attachment",
    "consultation.attachment",
    "insights.run_status",
    "insights.latest_status",
    "backoffice.job_status",
    "backoffice.job_download",
}
# Files that the crawl must not follow (downloads start instead of a page).
FILE_SUFFIXES = (".csv", ".xlsx", ".pdf", ".docx", ".ics", ".json", ".zip", ".svg", ".png")

OVERFLOW = """() => {
  const root = document.scrollingElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      wide.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
        + ' ' + Math.round(box.right) + 'px: ' + (el.textContent || '').trim().slice(0, 60));
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, wide: wide.slice(-6)};
}"""

LINKS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"""

SEPARATORS = """() => Array.from(document.querySelectorAll('nav.breadcrumbs li'), li => {
  const shown = (pseudo) => {
    const style = getComputedStyle(li, pseudo);
    return style.content !== 'none' && style.content !== 'normal' && style.display !== 'none';
  };
  return (shown('::before') ? 1 : 0) + (shown('::after') ? 1 : 0);
})"""

PILLS = """() => Array.from(document.querySelectorAll('.tag'), el => {
  const box = el.getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect();
  return {
    text: el.textContent.trim(),
    top: text.top - box.top, bottom: box.bottom - text.bottom,
    left: text.left - box.left, right: box.right - text.right,
  };
})"""


@pytest.fixture
def demo(app, session):
    """The demo data (meetings, draft, inputs, an admin), a registration to cancel and
    a finished analysis run, so the theme pages exist."""
    from participation.demo import seed_demo
    from participation.insights import runs
    from participation.jobs import service as jobs
    from participation.meetings import mail
    from participation.meetings import service as meetings
    from participation.models import Meeting
    from participation.processes import service as processes

    report = seed_demo(session)
    # A process being prepared, so the activation page is reached too.
    processes.create_process(
        session, None, processes.ProcessData(slug="neste-plan", titles={"nb": "Neste plan"})
    )
    session.commit()
    meeting = session.query(Meeting).order_by(Meeting.id).first()
    registration = meetings.register(
        session,
        meeting.id,
        meetings.SignupData(
            name="Kari Nordmann", email="kari@example.no", category="citizen", locale="nb"
        ),
    )
    session.commit()
    cancel_path = urlsplit(mail.cancel_url(registration)).path
    run = runs.run_now(session, model_dir=app.config["MODEL_DIR"], actor="test")
    assert run.status == "done", run.error
    # A job waiting in the queue (no worker runs here), for the job pages.
    jobs.create_job(session, "analysis", {"run_id": run.id})
    session.commit()
    return report, cancel_path


def _endpoint(adapter, url: str) -> str | None:
    parts = urlsplit(url)
    try:
        endpoint, _ = adapter.match(parts.path, method="GET")
    except RequestRedirect:
        return None
    except HTTPException:
        return None
    return endpoint


def test_no_page_scrolls_sideways_at_320_px(app, browser, live_server, demo):
    report, cancel_path = demo
    adapter = app.url_map.bind("localhost")
    start_pages = ["/", "/admin/", cancel_path] + sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in NOT_PAGES
    )
    origin = live_server.url
    overflowing: list[str] = []
    doubled: list[str] = []
    off_centre: list[str] = []
    missing_icons: list[str] = []
    seen_per_language: dict[str, set[str]] = {}

    for language in LANGUAGES:
        context = browser.new_context(
            base_url=origin, locale="nb-NO", viewport={"width": WIDTH, "height": 720}
        )
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto(f"/sprak/{language}?next=/admin/logg-inn")
        page.fill("#email", report.admin_email)
        page.fill("#password", report.admin_password)
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        assert urlsplit(page.url).path.startswith("/admin"), page.url

        queue = list(start_pages)
        visited_endpoints: set[str] = set()
        visited_urls: set[str] = set()
        while queue:
            path = queue.pop(0)
            endpoint = _endpoint(adapter, path)
            if endpoint is None or endpoint in NOT_PAGES or endpoint in visited_endpoints:
                continue
            if path in visited_urls or path.endswith(FILE_SUFFIXES):
                continue
            visited_urls.add(path)
            try:
                response = page.goto(path)
            except PlaywrightError as error:  # a download, not a page
                if "Download is starting" in str(error):
                    continue
                raise
            assert response is not None
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            assert response.status < 500, (language, path, response.status)
            landed = urlsplit(page.url)
            landed_endpoint = _endpoint(adapter, landed.path)
            visited_endpoints.add(endpoint)
            if landed_endpoint:
                visited_endpoints.add(landed_endpoint)
            where = f"{language} {path}"
            found = page.evaluate(OVERFLOW)
            if found:
                overflowing.append(f"{where}: {found}")
            counts = page.evaluate(SEPARATORS)
            if counts and (any(n > 1 for n in counts) or sum(counts) != len(counts) - 1):
                doubled.append(f"{where}: {counts}")
            for pill in page.evaluate(PILLS):
                if abs(pill["top"] - pill["bottom"]) > 2 or abs(pill["left"] - pill["right"]) > 2:
                    off_centre.append(f"{where}: {pill}")
            icons = page.evaluate(
                """() => [document.querySelector('link[rel~="icon"]')?.href || '',
                          document.querySelector('.site-logo')?.getAttribute('src') || '']"""
            )
            if not all(icons):
                missing_icons.append(where)
            for href in page.evaluate(LINKS):
                parts = urlsplit(href)
                if f"{parts.scheme}://{parts.netloc}" != origin:
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target not in visited_urls and "/sprak/" not in parts.path:
                    queue.append(target)
        seen_per_language[language] = visited_endpoints
        context.close()

    # The pages the issue saw cut on a 375 px phone, at that width too.
    context = browser.new_context(
        base_url=origin, locale="nb-NO", viewport={"width": 375, "height": 720}
    )
    page = context.new_page()
    for path in ("/", "/personvern", "/moter/", "/innspill/", "/horing/", cancel_path):
        page.goto(path)
        found = page.evaluate(OVERFLOW)
        if found:
            overflowing.append(f"375 px nb {path}: {found}")
    context.close()

    # The walk reached every kind of page (a page nobody links to is still a page).
    pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
    }
    # Receipts need a form sent in the same session; the rest must all be seen.
    unreached = (
        pages
        - seen_per_language["nb"]
        - {
            "meetings.receipt",
            "suggestions.receipt",
            "consultation.receipt",
            # Need data the demo does not make: an original text, a live session.
            "backoffice.input_original",
            "backoffice.priorities_live",
        }
    )
    assert not unreached, sorted(unreached)
    assert not overflowing, "\n".join(overflowing)
    assert not doubled, "\n".join(doubled)
    assert not off_centre, "\n".join(off_centre[:10])
    assert not missing_icons, missing_icons[:10]
