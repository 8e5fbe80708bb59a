"""The dashboard: counts per channel, region, category, focus area and week,
as charts with a table alternative."""

from __future__ import annotations

import re
from datetime import date

from participation.backoffice import dashboard as service


def test_counts(session, admin, make_input, focus_areas, make_region):
    from participation.inputs import service as inbox

    north = make_region(name="Nord-Troms")
    session.commit()
    a = make_input(
        "Lokalmat fra Nord-Troms trenger bedre distribusjon til byene.",
        region_id=north.id,
        respondent_category="business",
        focus_area_ids=[focus_areas[0].id],
        created_on=date(2026, 3, 2),  # Monday
    )
    make_input(
        "Reiselivet treng betre vegar og fleire fly om vinteren i regionen.",
        respondent_category="citizen",
        focus_area_ids=[focus_areas[0].id, focus_areas[1].id],
        created_on=date(2026, 3, 8),  # Sunday, same week
    )
    make_input(
        "Reiselivet treng betre vegar og fleire fly om vinteren i regionen.",
        created_on=date(2026, 3, 20),
    )  # a duplicate
    inbox.confirm_focus_areas(session, admin, a.id, [focus_areas[2].id])
    session.commit()

    data = service.counts(session)
    assert data.total == 2
    assert data.duplicates == 1
    assert data.by_channel == {"suggestion_box": 2}
    assert dict(data.by_region) == {"Nord-Troms": 1, "": 1}
    assert data.by_category == {"business": 1, "citizen": 1}
    assert [(area.key, n) for area, n in data.by_chosen_area] == [("lokalmat", 2), ("reiseliv", 1)]
    assert [(area.key, n) for area, n in data.by_confirmed_area] == [("havbruk", 1)]
    assert data.by_week == [(date(2026, 3, 2), 2)]

    everything = service.counts(session, include_duplicates=True)
    assert everything.total == 3
    assert everything.by_week == [
        (date(2026, 3, 2), 2),
        (date(2026, 3, 9), 0),
        (date(2026, 3, 16), 1),
    ]


def test_dashboard_page_has_charts_with_tables(as_reviewer, make_input, focus_areas):
    make_input(
        "Lokalmat fra hele fylket bør få en felles merkevare.", focus_area_ids=[focus_areas[0].id]
    )
    page = as_reviewer.get("/admin/oversikt", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    svgs = re.findall(r"<svg[^>]*>", page.text)
    assert svgs and all('role="img"' in svg and "aria-labelledby" in svg for svg in svgs)
    assert page.text.count("<table") == len(svgs)
    assert "Show as table" in page.text
    assert "style=" not in page.text  # the CSP forbids inline styles
    assert "<script>" not in page.text
    assert "Inputs per channel" in page.text and "Local food" in page.text


def test_empty_dashboard(as_reviewer):
    page = as_reviewer.get("/admin/oversikt", headers={"Accept-Language": "nn"})
    assert page.status_code == 200
    assert "Ingen innspel enno." in page.text
