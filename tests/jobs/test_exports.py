"""Exports above EXPORT_JOB_ROWS are built by a job: the request answers at once with
the job's page, the job reports its progress, and its file is the same export a
small download gives, offered on the job's page and the exports page."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from participation.models import AuditEntry, Job, JobStatus
from tests.helpers import count, login


def test_a_large_export_becomes_a_job_with_the_same_file(
    app, client, admin, make_input, run_jobs, session
):
    for n in range(7):
        make_input(f"Innspill {n} om =SUM(A1) og reiseliv i regionen.", channel="suggestion_box")
    client.set_cookie("lang", "en")
    login(client, admin)
    at_once = client.get("/admin/eksport/innspill.csv")
    assert at_once.status_code == 200 and at_once.mimetype == "text/csv"

    app.config["EXPORT_JOB_ROWS"] = 5
    response = client.get("/admin/eksport/innspill.csv")
    job = session.query(Job).one()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/jobbar/{job.id}"
    assert job.kind == "export" and job.params["rows"] == 7 and job.created_by_id == admin.id
    # Recorded once produced (issue 9): the queued export only when its job has run.
    assert count(session, AuditEntry.id, AuditEntry.action == "export") == 1
    page = client.get(f"/admin/jobbar/{job.id}")
    assert "Export" in page.text and "<progress" in page.text

    assert run_jobs() == 1
    job = session.get(Job, job.id)
    assert job.status == JobStatus.DONE and job.result == {"rows": 7}
    assert count(session, AuditEntry.id, AuditEntry.action == "export") == 2
    download = client.get(f"/admin/jobbar/{job.id}/fil")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.data == at_once.data  # the same export, whole
    exports_page = client.get("/admin/eksport")
    assert "Your latest large exports" in exports_page.text
    assert f'href="/admin/jobbar/{job.id}/fil"' in exports_page.text


def test_a_filtered_excel_export_keeps_its_filter_and_language(
    app, client, admin, make_input, run_jobs, session
):
    for n in range(4):
        make_input(f"Innspill {n} fra innspillkassa.", channel="suggestion_box")
    for n in range(3):
        make_input(f"Notat {n} fra møtet.", channel="workshop_note")
    app.config["EXPORT_JOB_ROWS"] = 1
    client.set_cookie("lang", "nn")
    login(client, admin)
    response = client.get("/admin/eksport/innspill.xlsx?channel=workshop_note")
    assert response.status_code == 303
    run_jobs()
    job = session.query(Job).one()
    assert job.status == JobStatus.DONE and job.result == {"rows": 3}
    assert job.result_name.startswith("innspill-") and job.result_name.endswith(".xlsx")
    download = client.get(f"/admin/jobbar/{job.id}/fil")
    sheet = load_workbook(io.BytesIO(download.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4  # header and the three notes
    assert all("Notat" in row[-1] for row in rows[1:])
    assert sheet.title == "Innspel"  # written in the language of who asked for it


def test_registrations_and_responses_exports_run_as_jobs(
    app, client, admin, make_meeting, signup_data, draft, make_response, run_jobs, session
):
    from participation.meetings import service as meetings

    meeting = make_meeting(seats=5)
    for _ in range(3):
        meetings.register(session, meeting.id, signup_data())
    session.commit()
    for _ in range(2):
        make_response(draft)
    app.config["EXPORT_JOB_ROWS"] = 1
    client.set_cookie("lang", "en")
    login(client, admin)
    assert client.get(f"/admin/eksport/pameldingar.csv?meeting={meeting.id}").status_code == 303
    assert client.get(f"/admin/eksport/horingssvar/{draft.id}.csv").status_code == 303
    assert run_jobs() == 2
    registrations, responses = session.query(Job).order_by(Job.id).all()
    assert registrations.result == {"rows": 3} and responses.result == {"rows": 2}
    text = client.get(f"/admin/jobbar/{registrations.id}/fil").data.decode("utf-8-sig")
    assert text.count("\r\n") == 4 and "person1@example.no" in text
    text = client.get(f"/admin/jobbar/{responses.id}/fil").data.decode("utf-8-sig")
    assert "Høringssvar nummer 1" in text and "The whole draft" in text
