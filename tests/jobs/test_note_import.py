"""The back office's workshop-notes import runs as a job: the request checks the file
and keeps it, the job imports it in chunks (each its own transaction) with progress
and cancel between chunks, and a job killed mid-way and started again imports no row
twice. The result is shown on the import page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.extensions import db
from participation.inputs import notes
from participation.jobs import engine as job_engine
from participation.jobs import service as job_service
from participation.models import (
    AuditEntry,
    Input,
    Job,
    JobStatus,
    NoteImport,
    NoteImportRow,
)
from tests.conftest import kill_mid_way_and_take_over
from tests.helpers import count, csrf_token, login

URL = "/admin/innspill/import"


def _csv(n: int, meeting_id: int | None = None, prefix: str = "Flippover") -> bytes:
    head = "text;meeting_id\n" if meeting_id else "text\n"
    rows = "".join(
        f"{prefix} {i}: tema nummer {i} om {'kortreist mat' if i % 2 else 'lærlingplasser'} og "
        f"regionen, sak {i * 7919}" + (f";{meeting_id}" if meeting_id else "") + "\n"
        for i in range(n)
    )
    return (head + rows).encode()


def _upload(client, data: bytes, name: str = "notat.csv", meeting: str = ""):
    page = client.get(URL)
    return client.post(
        URL,
        data={
            "csrf_token": csrf_token(page.text),
            "meeting": meeting,
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


@pytest.fixture
def staff(client, reviewer):
    client.set_cookie("lang", "en")
    assert login(client, reviewer).status_code == 303
    return client


def test_the_import_is_a_job_in_chunks_with_progress_and_a_result(
    app, staff, session, make_meeting, run_jobs, every_progress
):
    meeting = make_meeting()
    session.commit()
    app.config["JOBS_CHUNK_ROWS"] = 3
    response = _upload(staff, _csv(7), meeting=str(meeting.id))
    job = session.scalars(select(Job)).one()
    assert response.status_code == 303
    assert response.headers["Location"] == f"{URL}?job={job.id}"
    assert job.kind == "note_import" and job.status == JobStatus.QUEUED
    kept = session.get(NoteImport, job.params["import_id"])
    assert kept.rows_total == 7 and kept.rows_done == 0 and "Flippover 6" in kept.source
    assert count(session, Input.id) == 0  # the request only kept the file

    page = staff.get(response.headers["Location"])
    assert "<progress" in page.text and 'aria-live="polite"' in page.text
    assert "Cancel the job" in page.text and "Import of workshop notes" in page.text

    assert run_jobs() == 1
    job = session.get(Job, job.id)
    assert job.status == JobStatus.DONE and job.completions == 1
    assert job.result == {"import_id": kept.id, "created": 7, "duplicates": 0}
    # Three chunks (3 + 3 + 1), each reported as it was committed.
    assert [p for stage, p in every_progress if stage == "importing"] == [0.0, 0.429, 0.857, 1.0]
    kept = session.get(NoteImport, kept.id)
    assert kept.status == "done" and kept.rows_done == 7 and kept.source is None
    assert count(session, Input.id, Input.meeting_id == meeting.id) == 7
    assert sorted(session.scalars(select(NoteImportRow.row))) == list(range(7))
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "input.import")).one()
    assert entry.details == {"created": 7, "import": kept.id} and entry.user_id is not None

    page = staff.get(f"{URL}?job={job.id}")
    assert "7 workshop notes were imported." in page.text
    link = f'href="/admin/?import={kept.id}"'
    assert link in page.text
    inbox = staff.get(f"/admin/?import={kept.id}")
    assert "of 7 inputs" in inbox.text and "Only the notes of one import are shown." in inbox.text


def test_cancel_stops_between_chunks_and_keeps_what_was_imported(
    app, staff, session, make_meeting, run_jobs, monkeypatch
):
    meeting = make_meeting()
    session.commit()
    app.config["JOBS_CHUNK_ROWS"] = 2
    monkeypatch.setattr(job_engine, "PROGRESS_INTERVAL", 0.0)
    response = _upload(staff, _csv(9, meeting.id))
    job_id = session.scalars(select(Job.id)).one()
    real = notes.import_chunk

    def then_cancel(session_, import_id, rows, start, size):
        if start == 2:  # pressed as the second chunk begins: it stops after that chunk
            with Session(db.engine) as other:
                job_service.request_cancel(other, job_id)
        return real(session_, import_id, rows, start, size)

    monkeypatch.setattr(notes, "import_chunk", then_cancel)
    run_jobs()
    job = session.get(Job, job_id)
    kept = session.get(NoteImport, job.params["import_id"])
    assert job.status == JobStatus.CANCELLED
    assert kept.status == "cancelled" and kept.rows_done == 4 and kept.source is None
    assert count(session, Input.id) == 4 == count(session, NoteImportRow.row)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "input.import")).one()
    assert entry.details == {"created": 4, "import": kept.id, "ended": "cancelled"}
    page = staff.get(response.headers["Location"])
    assert "The import stopped after 4 of 9 notes." in page.text
    assert f'href="/admin/?import={kept.id}"' in page.text


def test_a_chunk_is_imported_once_even_by_two_attempts(session, make_meeting):
    meeting = make_meeting()
    parsed = notes.parse_workshop_notes(session, _csv(5, meeting.id).decode())
    kept = notes.create_note_import(
        session, None, source="…", rows=len(parsed.rows), process_id=meeting.process_id
    )
    session.commit()
    assert notes.import_chunk(session, kept.id, parsed.rows, 0, 2) == 2
    session.commit()
    # A second attempt that still believed it had to start at row 0 writes nothing.
    with pytest.raises(notes.ImportMoved):
        notes.import_chunk(session, kept.id, parsed.rows, 0, 2)
    session.rollback()
    assert count(session, Input.id) == 2
    # Nor after the import ended.
    notes.finish_note_import(session, kept.id, "cancelled", None)
    session.commit()
    with pytest.raises(notes.ImportMoved):
        notes.import_chunk(session, kept.id, parsed.rows, 2, 2)
    session.rollback()
    assert count(session, Input.id) == 2
    assert notes.finish_note_import(session, kept.id, "done", None) is None  # ends once


@pytest.mark.parametrize(
    ("data", "name", "config", "message"),
    [
        (b"", "notat.csv", {}, "The file has no rows."),
        (b"   \n", "notat.csv", {}, "The file has no rows."),
        (b"PK\x03\x04\x14\x00\x06\x00rest of a zip", "notat.xlsx", {}, "This is a spreadsheet"),
        (b"text\nHei\n", "notat.xls", {}, "This is a spreadsheet"),
        ("text\nHei\n".encode("utf-16"), "notat.csv", {}, "The file is not a text file."),
        (b"\x01\x02\x03\x04binary\x05", "notat.csv", {}, "The file is not a text file."),
        (_csv(3), "notat.csv", {"NOTE_IMPORT_MAX_BYTES": 50}, "The file is larger than 1 MB."),
        (_csv(4), "notat.csv", {"NOTE_IMPORT_MAX_ROWS": 3}, "The file has more than 3 rows."),
        (b"tekst;motested\nHei;1\n", "notat.csv", {}, "The file has no column named"),
        (b"text;meeting_id\nHei;999\n", "notat.csv", {}, "There is no meeting with this id."),
        (b'text;meeting_id\n"Hei;1\n', "notat.csv", {}, "There is no meeting with this id."),
    ],
)
def test_a_bad_file_is_refused_with_a_translated_error_and_nothing_kept(
    app, staff, session, data, name, config, message
):
    app.config.update(config)
    response = _upload(staff, data, name)
    assert response.status_code == 422
    assert message in response.text
    assert "Error:" in response.text  # the title says so, for screen-reader users
    assert count(session, NoteImport.id) == 0 and count(session, Job.id) == 0
    assert count(session, Input.id) == 0


def test_bad_files_are_refused_in_norwegian_too(client, reviewer, session):
    login(client, reviewer)  # nb by default
    response = _upload(client, b"PK\x03\x04zip", "innspill.xlsx")
    assert response.status_code == 422
    assert "Dette er et regneark" in response.text
    client.set_cookie("lang", "nn")
    response = _upload(client, b"", "innspel.csv")
    assert response.status_code == 422 and "Fila har ingen rader." in response.text


def test_another_reviewers_import_is_not_shown(app, staff, session, make_user, make_meeting):
    meeting = make_meeting()
    session.commit()
    _upload(staff, _csv(2, meeting.id))
    job_id = session.scalars(select(Job.id)).one()
    other = make_user("reviewer", email="other@fylke.example.no")
    session.commit()
    fresh = app.test_client()
    login(fresh, other)
    page = fresh.get(f"{URL}?job={job_id}")
    assert page.status_code == 200 and "<progress" not in page.text


# ---------------------------------------------------------------- a worker killed mid-way


@pytest.mark.slow
def test_an_import_killed_mid_way_and_started_again_imports_every_row_once(
    app, session, make_meeting, reviewer, tmp_path
):
    from participation import jobs

    meeting = make_meeting()
    session.commit()
    total = 200
    source = _csv(total, meeting.id).decode()
    parsed = notes.parse_workshop_notes(session, source)
    app.config["JOBS_URL"] = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    job_engine.init_app(app)
    kept = notes.create_note_import(
        session, reviewer, source=source, rows=len(parsed.rows), process_id=meeting.process_id
    )
    import_id = kept.id
    job_id = jobs.enqueue("note_import", {"import_id": import_id}, user=reviewer).id

    def rows_done() -> int:
        session.rollback()
        return session.scalar(select(NoteImport.rows_done).where(NoteImport.id == import_id))

    done_when_killed = kill_mid_way_and_take_over(app, session, tmp_path, job_id, rows_done)
    assert 0 < done_when_killed < total
    job = session.get(Job, job_id)
    assert job.result["created"] == total
    rows = list(session.scalars(select(NoteImportRow.row).order_by(NoteImportRow.row)))
    assert rows == list(range(total))
    texts = list(session.scalars(select(Input.text)))
    assert len(texts) == len(set(texts)) == total  # every row once, none twice
    assert count(session, AuditEntry.id, AuditEntry.action == "input.import") == 1
