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


def test_the_archive_export_runs_as_a_job_and_offers_a_zip(
    as_admin, closed_demo, session, run_jobs
):
    """The back office starts the export on the job queue; the job's page offers the
    arkivuttrekk as a zip, and the responses are archived with their journalpost IDs."""
    import io
    import zipfile

    from participation.models import ConsultationResponse
    from tests.helpers import csrf_token

    page = as_admin.get(f"/admin/horing/{closed_demo.id}/arkiv")
    response = as_admin.post(
        f"/admin/horing/{closed_demo.id}/arkiv", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert job_url.startswith("/admin/jobbar/")
    assert run_jobs() == 1
    status = as_admin.get(job_url + "/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100, status
    download = as_admin.get(status["download_url"])
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert "arkivuttrekk/arkivstruktur.xml" in names
    assert "arkivuttrekk/offentligJournal.xml" in names
    assert sum(name.startswith("arkivuttrekk/dokumenter/") for name in names) >= 5
    session.expire_all()
    archived = session.query(ConsultationResponse).filter(
        ConsultationResponse.journalpost_id.is_not(None)
    )
    assert archived.count() == 5
    after = as_admin.get(f"/admin/horing/{closed_demo.id}/arkiv")
    assert "5 av 5 høringssvar er arkivert." in after.text
    assert f'href="{job_url}"' in after.text


def test_an_open_consultation_is_not_exported_as_a_job(as_admin, closed_demo, session, run_jobs):
    from tests.helpers import csrf_token

    closed_demo.closes_at = utcnow() + timedelta(days=3)
    session.commit()
    page = as_admin.get(f"/admin/horing/{closed_demo.id}/arkiv")
    response = as_admin.post(
        f"/admin/horing/{closed_demo.id}/arkiv", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/horing/{closed_demo.id}/arkiv"
    assert run_jobs() == 0
