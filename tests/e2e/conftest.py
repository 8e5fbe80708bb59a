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
