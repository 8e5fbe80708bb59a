"""The archive duty overrides deletion: after an export, the retention purge and the
per-person delete leave archived responses alone, and say so to the administrator;
the privacy page tells the public."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from participation.archive import service
from participation.consultation import attachments as files
from participation.models import (
    Attachment,
    AuditEntry,
    ConsultationResponse,
    Input,
    Meeting,
    Registration,
)
from participation.privacy import service as privacy_service
from tests.archive.conftest import PRIVATE_EMAIL, PRIVATE_NAME, PRIVATE_TEXT
from tests.helpers import csrf_token


def held(session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count(ConsultationResponse.id))),
        session.scalar(
            select(func.count(Input.id)).where(Input.consultation_response_id.is_not(None))
        ),
        session.scalar(select(func.count(Attachment.id))),
    )


def stored_files(app, session) -> list:
    return [
        files.path_of(app.config["UPLOAD_DIR"], a.stored_name)
        for a in session.execute(select(Attachment)).scalars()
    ]


def private_response(session) -> ConsultationResponse:
    session.expire_all()
    return session.execute(
        select(ConsultationResponse).where(ConsultationResponse.email == PRIVATE_EMAIL)
    ).scalar_one()


def test_a_purge_after_the_export_leaves_the_archived_responses(
    app, closed_demo, export, session, make_meeting, signup_data
):
    from participation.meetings import service as meetings

    export(closed_demo)
    old = make_meeting(starts_at=datetime.now(UTC) - timedelta(days=60))
    session.commit()
    meetings.register(session, old.id, signup_data(), now=datetime.now(UTC) - timedelta(days=70))
    session.commit()
    before = held(session)
    report = privacy_service.purge_expired(session, retention_days=30)
    session.commit()
    assert report.registrations == 1  # the purge did run
    assert report.archived_responses == 5
    assert held(session) == before == (5, 5, 3)
    assert all(path.is_file() for path in stored_files(app, session))
    kept = private_response(session)
    assert kept.name == PRIVATE_NAME and kept.text == PRIVATE_TEXT and kept.is_archived
    assert session.get(Meeting, old.id) is not None
    assert session.scalar(select(Registration.email)) is None


def test_deleting_a_person_keeps_their_archived_response(app, closed_demo, export, session):
    from participation.consultation import service as consultation

    export(closed_demo)
    archived = private_response(session)
    paths = [files.path_of(app.config["UPLOAD_DIR"], a.stored_name) for a in archived.attachments]
    # A later response by the same person, to another (open) consultation: not archived.
    other = consultation.import_markdown(
        session,
        "# Regional plan for kompetanse\n\n## 1 Fagskular\n",
        opens_at=datetime.now(UTC) - timedelta(days=1),
        closes_at=datetime.now(UTC) + timedelta(days=10),
    )
    session.commit()
    consultation.submit_response(
        session,
        other.id,
        consultation.ResponseData(
            text="Fagskulen treng fleire studieplassar i Nord-Troms.",
            name=PRIVATE_NAME,
            email=PRIVATE_EMAIL,
            category="citizen",
            locale="nn",
        ),
        upload_dir=app.config["UPLOAD_DIR"],
        notify=False,
    )
    session.commit()
    assert held(session) == (6, 6, 3)

    report = privacy_service.delete_person(session, None, PRIVATE_EMAIL.upper())
    session.commit()
    privacy_service.remove_files(app.config["UPLOAD_DIR"], report.files_removed)
    assert report.responses == 1 and report.archived_kept == 1 and report.files_removed == []
    assert held(session) == (5, 5, 3)
    kept = private_response(session)
    assert kept.id == archived.id and kept.text == PRIVATE_TEXT and kept.email == PRIVATE_EMAIL
    assert all(path.is_file() for path in paths)
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "privacy.delete")
    ).scalar_one()
    assert entry.details["archived_kept"] == 1 and entry.details["responses"] == 1

    # What is held can still be seen and exported, with the journalpost ID.
    data = privacy_service.export_person(privacy_service.find_person(session, PRIVATE_EMAIL))
    assert [r["journalpost_id"] for r in data["consultation_responses"]] == [kept.journalpost_id]


def test_an_archived_text_that_mentions_an_address_is_not_scrubbed(closed_demo, export, session):
    response = private_response(session)
    response.input.text = PRIVATE_TEXT + " Kontakt naboen min på ola@example.no."
    session.commit()
    export(closed_demo)
    report = privacy_service.delete_person(session, None, "ola@example.no")
    session.commit()
    assert report.texts_scrubbed == 0 and report.archived_kept == 1
    assert "ola@example.no" in private_response(session).text


def test_an_unarchived_response_is_still_deleted(closed_demo, session):
    report = privacy_service.delete_person(session, None, PRIVATE_EMAIL)
    session.commit()
    assert report.responses == 1 and report.archived_kept == 0
    assert held(session) == (4, 4, 1)


def test_the_admin_is_told_what_was_kept(as_admin, closed_demo, export, session):
    export(closed_demo)
    page = as_admin.get("/admin/personvern")
    assert "når de er eksportert til arkivet (Noark 5), beholdes de" in page.text
    looked_up = as_admin.post(
        "/admin/personvern",
        data={
            "lookup-csrf_token": csrf_token(page.text, "lookup-csrf_token"),
            "lookup-email": PRIVATE_EMAIL,
        },
    )
    journalpost = private_response(session).journalpost_id
    assert f"Arkivert som journalpost {journalpost}: beholdes ved sletting." in looked_up.text
    deleted = as_admin.post(
        "/admin/personvern/slett",
        data={
            "delete-csrf_token": csrf_token(looked_up.text, "delete-csrf_token"),
            "delete-email": PRIVATE_EMAIL,
            "delete-confirm": "y",
        },
    )
    assert deleted.status_code == 303
    shown = as_admin.get(deleted.headers["Location"])
    assert "1 arkivert høringssvar ble beholdt: arkivplikten går foran sletting." in shown.text
    assert held(session)[0] == 5

    purge_page = as_admin.get("/admin/personvern", headers={"Accept-Language": "nn"})
    purged = as_admin.post(
        "/admin/personvern/rydd",
        data={"purge-csrf_token": csrf_token(purge_page.text, "purge-csrf_token")},
        headers={"Accept-Language": "nn"},
    )
    assert purged.status_code == 303
    shown = as_admin.get(purged.headers["Location"], headers={"Accept-Language": "nn"})
    assert "5 arkiverte høyringssvar vart haldne på: arkivplikta går føre sletting." in shown.text
    assert held(session)[0] == 5


def test_the_purge_command_says_what_it_kept(runner, closed_demo, export):
    export(closed_demo)
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "kept 5 archived consultation responses" in result.output


def test_the_privacy_page_says_archived_responses_are_kept(client):
    for lang, sentence in (
        ("nb", "arkivplikten går foran sletting"),
        ("nn", "arkivplikta går føre sletting"),
        ("en", "the duty to archive overrides deletion"),
    ):
        page = client.get("/personvern", headers={"Accept-Language": lang})
        assert page.status_code == 200
        assert sentence in page.text, lang


def test_the_status_counts_archived_responses(closed_demo, export, session):
    assert service.archive_status(session, closed_demo).archived == 0
    export(closed_demo)
    status = service.archive_status(session, closed_demo)
    assert (status.responses, status.archived, status.waiting) == (5, 5, 0)
    assert status.last_archived_at is not None
