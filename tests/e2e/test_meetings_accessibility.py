"""axe-core finds no WCAG 2.1 A/AA violations on the public meeting pages, in
Bokmål, Nynorsk, English and Northern Sami, including a sign-up form showing its errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from participation.meetings import service
from participation.models import FocusArea

pytestmark = pytest.mark.e2e

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def meetings(session, make_meeting, make_region, signup_data):
    """A region with an open meeting, a full one and a closed one; focus areas to choose."""
    for position, (key, nb, nn, en) in enumerate(
        [
            ("lokalmat", "Lokalmat", "Lokalmat", "Local food"),
            ("reiseliv", "Reiseliv", "Reiseliv", "Tourism"),
        ]
    ):
        session.add(FocusArea(key=key, name_nb=nb, name_nn=nn, name_en=en, position=position))
    region = make_region(slug="tromsoregionen", name="Tromsøregionen")
    # Its own Sami title and description; the others show Bokmål (marked lang="nb")
    # on the pages in the other languages.
    open_meeting = make_meeting(
        region=region,
        title="Innspillsmøte Tromsøregionen",
        title_se="Cealkámuščoahkkin Romssa guovllus (Tromsøregionen)",
        description_se="Mii háliidit gullat maid ealáhuseallin oaivvilda.\n\nPrográmma.",
        seats=60,
    )
    full = make_meeting(region=region, title="Ekstra innspillsmøte", seats=1)
    now = datetime.now(UTC)
    make_meeting(
        region=region,
        title="Tidlig innspillsmøte",
        starts_at=now + timedelta(days=1),
        registration_deadline=now - timedelta(hours=1),
    )
    session.commit()
    service.register(session, full.id, signup_data())
    session.commit()
    return region, open_meeting


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def test_public_meeting_pages_have_no_wcag_violations(browser_page, meetings):
    found = {}
    for locale in ("nb", "nn", "en", "se"):  # one loop, so that one server start serves all
        found.update(scan_in(browser_page, meetings, locale))
    assert found == {name: [] for name in found}


def scan_in(page, meetings, locale: str) -> dict[str, list[str]]:
    region, meeting = meetings
    page.goto(f"/sprak/{locale}?next=/")
    pages = {
        "home": "/",
        "regions": "/moter/",
        "region": f"/moter/region/{region.slug}",
        "meeting": f"/moter/{meeting.id}",
        "sign-up": f"/moter/{meeting.id}/pamelding",
        "accessibility statement": "/tilgjengelighet",
        "privacy statement": "/personvern",
    }
    found = {}
    for name, path in pages.items():
        page.goto(path)
        assert page.get_attribute("html", "lang") == locale
        found[f"{name} ({locale})"] = violations(page)

    # The sign-up form after a failed attempt: error summary and field errors shown.
    page.goto(pages["sign-up"])
    page.fill("#phone", "12")
    page.fill("#org_number", "123456789")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert page.locator("#error-summary").is_visible()
    assert page.locator(".field-error").count() >= 5
    found[f"sign-up with errors ({locale})"] = violations(page)
    return found
