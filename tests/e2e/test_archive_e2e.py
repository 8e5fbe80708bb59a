"""The back office's archive page in a real browser: no WCAG 2.1 A/AA violations in
any language, and nothing scrolls sideways at 320 px."""

from __future__ import annotations

import pytest

from tests.archive.conftest import closed_demo, export, settings  # noqa: F401 - fixtures
from tests.e2e.test_backoffice_e2e import log_in, violations

pytestmark = pytest.mark.e2e


def test_archive_page_is_accessible_and_fits_320_px(browser_page, admin, closed_demo, export):  # noqa: F811 - fixtures
    page = browser_page
    export(closed_demo)
    log_in(page, admin.email)
    found = {}
    for locale in ("nb", "nn", "en"):
        page.goto(f"/sprak/{locale}?next=/admin/horing/{closed_demo.id}/arkiv")
        assert page.get_attribute("html", "lang") == locale
        assert page.locator("table.ds-table tbody tr").count() == 5
        found[locale] = violations(page)
    assert found == {"nb": [], "nn": [], "en": []}

    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/admin/horing/{closed_demo.id}/arkiv")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, width
