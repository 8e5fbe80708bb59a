"""Regions, meetings and meeting pages: statuses, seats left, Oslo time per locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from participation.meetings import service

NOW = datetime.now(UTC)
OSLO = ZoneInfo("Europe/Oslo")


def make_statuses(make_meeting, make_region, signup_data, session):
    """One meeting in each status, all in one region."""
    region = make_region(slug="midt-troms", name="Midt-Troms")
    open_ = make_meeting(region=region, title="Open meeting", seats=5)
    full = make_meeting(region=region, title="Full meeting", seats=1)
    closed = make_meeting(
        region=region,
        title="Closed meeting",
        starts_at=NOW + timedelta(days=2),
        registration_deadline=NOW - timedelta(hours=1),
    )
    past = make_meeting(region=region, title="Past meeting", starts_at=NOW - timedelta(days=2))
    cancelled = make_meeting(region=region, title="Cancelled meeting", cancelled_at=NOW)
    session.commit()
    service.register(session, open_.id, signup_data())
    service.register(session, full.id, signup_data())
    session.commit()
    return region, {
        "open": open_,
        "full": full,
        "closed": closed,
        "past": past,
        "cancelled": cancelled,
    }


def test_regions_list_counts_upcoming_meetings(client, make_meeting, make_region, session):
    north = make_region(slug="nord-troms", name="Nord-Troms", position=2)
    south = make_region(slug="sor-troms", name="Sør-Troms", position=1)
    make_meeting(region=north)
    make_meeting(region=north, starts_at=NOW - timedelta(days=1))  # past: not counted
    make_meeting(region=north, cancelled_at=NOW)  # cancelled: not counted
    session.commit()

    page = client.get("/moter/", headers={"Accept-Language": "nb"})
    assert page.status_code == 200
    assert page.text.index("Sør-Troms") < page.text.index("Nord-Troms")  # by position
    assert "1 kommende møte<" in page.text
    assert "0 kommende møter<" in page.text
    assert f'href="/moter/region/{south.slug}"' in page.text


@pytest.mark.parametrize(
    ("locale", "labels"),
    [
        (
            "nb",
            ["Åpen for påmelding", "Fullt – venteliste", "Påmeldingen er stengt", "Gjennomført"],
        ),
        ("nn", ["Open for påmelding", "Fullt – venteliste", "Påmeldinga er stengd", "Gjennomført"]),
        ("en", ["Open for sign-up", "Full – waiting list", "Registration closed", "Held"]),
    ],
)
def test_region_page_shows_each_status_and_seats_left(
    client, make_meeting, make_region, signup_data, session, locale, labels
):
    region, meetings = make_statuses(make_meeting, make_region, signup_data, session)
    page = client.get(f"/moter/region/{region.slug}", headers={"Accept-Language": locale})
    assert page.status_code == 200
    for label in labels:
        assert label in page.text
    assert {"nb": "Avlyst", "nn": "Avlyst", "en": "Cancelled"}[locale] in page.text
    seats = {"nb": "4 ledige plasser", "nn": "4 ledige plassar", "en": "4 seats left"}[locale]
    assert seats in page.text  # the open meeting: 5 seats, 1 taken
    zero = {"nb": "0 ledige plasser", "nn": "0 ledige plassar", "en": "0 seats left"}[locale]
    assert zero in page.text  # the full one


@pytest.mark.parametrize(
    ("status", "shown", "link"),
    [
        ("open", "4 of 5 seats left", "Sign up"),
        ("full", "0 of 1 seats left", "Join the waiting list"),
        ("closed", "Registration for this meeting has closed.", None),
        ("past", "This meeting has been held.", None),
        ("cancelled", "This meeting has been cancelled.", None),
    ],
)
def test_meeting_page_per_status(
    client, make_meeting, make_region, signup_data, session, status, shown, link
):
    _, meetings = make_statuses(make_meeting, make_region, signup_data, session)
    meeting = meetings[status]
    page = client.get(f"/moter/{meeting.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert shown in page.text
    signup_url = f'href="/moter/{meeting.id}/pamelding"'
    if link:
        assert signup_url in page.text and link in page.text
    else:
        assert signup_url not in page.text


@pytest.mark.parametrize("locale", ["nb", "nn", "en", "se"])
@pytest.mark.parametrize(("month", "utc_hour"), [(1, 8), (7, 7)])  # CET and CEST
def test_dates_and_times_in_oslo_time_per_locale(
    client, make_meeting, session, locale, month, utc_hour
):
    year = NOW.year + 1
    starts = datetime(year, month, 15, 9, tzinfo=OSLO).astimezone(UTC)
    assert starts.hour == utc_hour  # stored in UTC, shown in Oslo time
    deadline = datetime(year, month, 12, 23, 59, tzinfo=OSLO).astimezone(UTC)
    meeting = make_meeting(
        starts_at=starts, ends_at=starts + timedelta(hours=4), registration_deadline=deadline
    )
    session.commit()
    page = client.get(f"/moter/{meeting.id}", headers={"Accept-Language": locale}).text
    # Norwegian: "torsdag 15. januar 2032 kl. 09.00–13.00"; English: day before month.
    pattern = "EEEE d MMMM y" if locale == "en" else "EEEE d. MMMM y"
    day = format_date(starts.date(), pattern, locale=locale)
    # Northern Sami in Norway: the Norwegian order, Sami names, "dii." (diibmu).
    clock = {"se": "dii."}.get(locale, "kl.")
    if locale == "en":
        assert f"{day}, 09:00–13:00" in page
    else:
        assert f"{day} {clock} 09.00–13.00" in page
    # 23:59 on the 12th in Oslo is already the 12th/13th in UTC; the Oslo date is shown.
    last = format_date(date(year, month, 12), pattern, locale=locale)
    assert (f"{last} at 23:59" if locale == "en" else f"{last} {clock} 23.59") in page
    # Machine-readable: Oslo time with its offset, whole seconds.
    local_start = datetime(year, month, 15, 9, tzinfo=OSLO).isoformat()
    assert local_start.endswith("+01:00" if month == 1 else "+02:00")
    assert f'datetime="{local_start}"' in page


def test_weekday_names_are_nynorsk_in_nynorsk(client, make_meeting, session):
    # 2030-09-02 is a Monday: "mandag" in Bokmål, "måndag" in Nynorsk.
    starts = datetime(2030, 9, 2, 7, tzinfo=UTC)
    meeting = make_meeting(starts_at=starts, registration_deadline=starts - timedelta(days=3))
    session.commit()
    nb = client.get(f"/moter/{meeting.id}", headers={"Accept-Language": "nb"}).text
    nn = client.get(f"/moter/{meeting.id}", headers={"Accept-Language": "nn"}).text
    assert "mandag 2. september 2030 kl. 09.00–13.00" in nb
    assert "måndag 2. september 2030 kl. 09.00–13.00" in nn


@pytest.mark.parametrize(
    "path",
    [
        "/moter/region/finnes-ikke",
        "/moter/999999",
        "/moter/999999/pamelding",
        "/moter/99999999999999999999",  # beyond any database integer
        "/moter/2147483648/pamelding",
        "/moter/region/a%00b",  # NUL byte: PostgreSQL refuses it in a query
        "/moter/region/" + "x" * 5000,
        "/moter/avmelding/not-a-token",
        "/moter/avmelding/abc%00",
        "/moter/avmelding/" + "x" * 5000,
    ],
)
def test_unknown_or_malformed_addresses_are_404(client, path):
    response = client.get(path, headers={"Accept-Language": "nn"})
    assert response.status_code == 404
    assert "Fann ikkje sida" in response.text
