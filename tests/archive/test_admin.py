"""The back office's archive page of a consultation."""

from __future__ import annotations

from datetime import timedelta

from participation.models import utcnow


def test_the_archive_page_shows_journalpost_ids(as_admin, closed_demo, export, session):
    draft_page = as_admin.get(f"/admin/horing/{closed_demo.id}")
    assert f'href="/admin/horing/{closed_demo.id}/arkiv"' in draft_page.text

    before = as_admin.get(f"/admin/horing/{closed_demo.id}/arkiv")
    assert before.status_code == 200
    assert "0 av 5 høringssvar er arkivert." in before.text
    assert before.text.count("Ikke arkivert") == 5
    assert f"archive export --draft {closed_demo.slug} -o MAPPE" in before.text

    summary = export(closed_demo)
    after = as_admin.get(f"/admin/horing/{closed_demo.id}/arkiv", headers={"Accept-Language": "nn"})
    assert "5 av 5 høyringssvar er arkiverte." in after.text
    for journalpost_id in summary.journalpost_ids:
        assert f"<td>{journalpost_id}<div" in after.text
    assert "Ikkje arkivert" not in after.text


def test_an_open_consultation_says_when_it_can_be_archived(as_admin, closed_demo, session):
    closed_demo.closes_at = utcnow() + timedelta(days=3)
    session.commit()
    page = as_admin.get(f"/admin/horing/{closed_demo.id}/arkiv", headers={"Accept-Language": "en"})
    assert "The consultation can be archived once it has closed" in page.text
    assert "archive export --draft" not in page.text


def test_an_unknown_consultation_is_404(as_admin):
    assert as_admin.get("/admin/horing/999/arkiv").status_code == 404
