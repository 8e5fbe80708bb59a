"""Browser fixtures: headless Debian Chromium driven by Playwright, against the
``live_server`` fixture (gunicorn, several workers)."""

from __future__ import annotations

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser, live_server):
    """A fresh browser profile (no cookies, Norwegian Bokmål) on the live server."""
    context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session", autouse=True)
def axe_record():
    """Every axe-core scan the browser tests make, written as the accessibility
    statement's test record when ``INNSPILL_AXE_RECORD=FILE`` is set; then
    ``flask --app participation accessibility record FILE`` stores it."""
    import json
    import os
    from datetime import UTC, datetime
    from urllib.parse import urlsplit

    from axe_playwright_python.sync_playwright import Axe

    scans: list[dict] = []
    versions: set[str] = set()
    original = Axe.run

    def run(self, page, *args, **kwargs):
        results = original(self, page, *args, **kwargs)
        response = results.response
        versions.add(str((response.get("testEngine") or {}).get("version") or ""))
        parts = urlsplit(page.url)
        if parts.path.startswith("/admin"):
            return results  # the statement covers the public pages
        scans.append(
            {
                "url": parts.path + (f"?{parts.query}" if parts.query else ""),
                "locale": page.get_attribute("html", "lang") or "",
                "violations": [
                    {
                        "id": v["id"],
                        "impact": v.get("impact") or "",
                        "help": v.get("help") or "",
                        "tags": v.get("tags") or [],
                        "nodes": len(v.get("nodes") or []),
                    }
                    for v in response["violations"]
                ],
            }
        )
        return results

    Axe.run = run
    try:
        yield scans
    finally:
        Axe.run = original
        target = os.environ.get("INNSPILL_AXE_RECORD")
        if target and scans:
            record = {
                "tested_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "tool": "axe-core " + ", ".join(sorted(v for v in versions if v)),
                "pages": scans,
            }
            with open(target, "w", encoding="utf-8") as fh:
                json.dump(record, fh, ensure_ascii=False, indent=1)
