"""Privacy: the retention purge (with a moved clock), and finding, exporting and
deleting everything held about an e-mail address."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from participation.meetings import service as public
from participation.models import (
    AuditEntry,
    Base,
    ConsultationResponse,
    Input,
    Meeting,
    OutboxMessage,
    Registration,
    registration_focus_area,
)
from participation.privacy import service
from tests.helpers import count, csrf_token

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _meeting_at(make_meeting, starts):
    return make_meeting(starts_at=starts, registration_deadline=starts - timedelta(days=1))


def test_purge_after_the_retention_period(session, make_meeting, signup_data, focus_areas):
    meeting = _meeting_at(make_meeting, T0 + timedelta(days=10))
    later = _meeting_at(make_meeting, T0 + timedelta(days=60))
    session.commit()
    kept = public.register(
        session,
        later.id,
        signup_data(email="senere@example.no"),
        now=T0,
    )
    regs = [
        public.register(
            session,
            meeting.id,
            signup_data(
                name=f"Deltaker {i}",
                email=f"deltaker{i}@example.no",
                phone="91234567",
                organisation="Bedrift AS",
                needs="Rullestol",
                category="business",
                focus_area_ids=[focus_areas[0].id],
            ),
            now=T0,
        )
        for i in range(3)
    ]
    regs[0].attended = True
    session.commit()
    assert count(session, OutboxMessage.id) == 4
    ends = session.get(Meeting, meeting.id).ends_at

    # 29 days after the meeting: nothing yet.
    early = service.purge_expired(session, retention_days=30, now=ends + timedelta(days=29))
    session.commit()
    assert early.registrations == 0 and early.outbox_messages == 0
    assert session.get(Registration, regs[0].id).email == "deltaker0@example.no"

    # 30 days and a minute after: personal data gone, anonymous counts kept.
    report = service.purge_expired(
        session, retention_days=30, now=ends + timedelta(days=30, minutes=1)
    )
    session.commit()
    assert report.registrations == 3
    session.expire_all()
    for reg in regs:
        purged = session.get(Registration, reg.id)
        assert [getattr(purged, f) for f in service.PERSONAL_REGISTRATION_FIELDS] == [None] * 7
        assert purged.purged_at is not None
        assert (purged.category, purged.status) == ("business", "confirmed")
    assert session.get(Registration, regs[0].id).attended is True
    assert count(session, Registration.id, Registration.meeting_id == meeting.id) == 3
    assert count(session, registration_focus_area.c.registration_id) == 3
    assert public.registration_counts(session, meeting.id) == {"confirmed": 3}
    # The registrants' e-mails are gone; the later meeting's registrant is untouched.
    assert count(session, OutboxMessage.id) == 1
    assert session.get(Registration, kept.id).email == "senere@example.no"
    assert count(session, AuditEntry.id, AuditEntry.action == "privacy.purge") == 1

    # Safe to run every night: the next run changes nothing.
    again = service.purge_expired(session, retention_days=30, now=ends + timedelta(days=31))
    session.commit()
    assert (again.registrations, again.outbox_messages) == (0, 0)
    assert count(session, AuditEntry.id, AuditEntry.action == "privacy.purge") == 1


def test_purge_command(app, runner, session, make_meeting, signup_data):
    now = datetime.now(UTC)
    old = _meeting_at(make_meeting, now - timedelta(days=45))
    session.commit()
    reg = public.register(session, old.id, signup_data(), now=now - timedelta(days=50))
    session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged 1 registrations" in result.output
    session.expire_all()
    assert session.get(Registration, reg.id).email is None
    again = runner.invoke(args=["privacy", "purge"])
    assert "purged 0 registrations" in again.output
    shorter = runner.invoke(args=["privacy", "purge", "--days", "90"])
    assert shorter.exit_code == 0


def test_retention_days_come_from_the_config(app, runner, session, make_meeting, signup_data):
    now = datetime.now(UTC)
    meeting = _meeting_at(make_meeting, now - timedelta(days=10))
    session.commit()
    public.register(session, meeting.id, signup_data(), now=now - timedelta(days=12))
    session.commit()
    app.config["RETENTION_DAYS"] = 5
    assert "purged 1 registrations" in runner.invoke(args=["privacy", "purge"]).output


PERSON = "Kari.Nordmann@Example.no"


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _person_everywhere(session, make_meeting, signup_data, draft, make_response, make_input, admin):
    """Kari has signed up twice, responded to the consultation with a PDF, got
    e-mails, was quoted with her address in a workshop note, and a reviewer noted it.
    (The suggestion box stores no address at all: it keeps only the redacted text.)"""
    from participation.consultation.attachments import UploadedFile
    from participation.inputs import service as inbox

    now = datetime.now(UTC)
    past = _meeting_at(make_meeting, now - timedelta(days=5))
    future = make_meeting(seats=1)
    session.commit()
    public.register(
        session,
        past.id,
        signup_data(name="Kari Nordmann", email=PERSON, phone="91234567"),
        now=now - timedelta(days=8),
    )
    seat = public.register(session, future.id, signup_data(name="Kari Nordmann", email=PERSON))
    waiting = public.register(session, future.id, signup_data(name="Vera Venter"))
    response = make_response(
        draft,
        name="Kari Nordmann",
        email=PERSON.upper(),
        organisation="Nordmann Gård",
        text="Vi driver gård og trenger bedre veier. Kontakt kari.nordmann@example.no for mer.",
        uploads=[UploadedFile("uttalelse.pdf", _pdf())],
    )
    suggestion = make_input(
        "Skriv til kari.nordmann@example.no om lokalmat fra gården vår i Balsfjord.",
        channel="workshop_note",
    )
    inbox.add_note(session, admin, suggestion.id, "Avsender er trolig kari.nordmann@example.no.")
    bystander = public.register(
        session, future.id, signup_data(name="Annen Person", email="annen@example.no")
    )
    session.commit()
    return {
        "seat": seat,
        "waiting": waiting,
        "response": response,
        "suggestion": suggestion,
        "bystander": bystander,
        "future": future,
    }


def _dump_database(session) -> str:
    """Every row of every table, as text."""
    session.expire_all()
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            parts.append(" | ".join(str(value) for value in row))
    # And anything outside the mapped tables (the analysis may keep its own).
    if session.get_bind().dialect.name == "sqlite":
        names = [
            r[0] for r in session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        ]
    else:
        names = [
            r[0]
            for r in session.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname='public'")
            )
        ]
    known = {t.name for t in Base.metadata.sorted_tables}
    for name in names:
        if name not in known:
            parts.extend(str(tuple(r)) for r in session.execute(text(f'SELECT * FROM "{name}"')))
    return "\n".join(parts).lower()


def test_find_export_and_delete_everything_about_an_address(
    as_admin, app, session, admin, make_meeting, signup_data, draft, make_response, make_input
):
    setup = _person_everywhere(
        session, make_meeting, signup_data, draft, make_response, make_input, admin
    )
    stored = setup["response"].attachments[0].stored_name
    upload = app.config["UPLOAD_DIR"]
    from participation.consultation.attachments import path_of

    assert path_of(upload, stored).is_file()
    assert "kari.nordmann@example.no" in _dump_database(session)

    found = service.find_person(session, " KARI.NORDMANN@example.no ")
    assert found.counts() == {
        "registrations": 2,
        "responses": 1,
        "outbox_messages": 3,
        "inputs": 1,
        "notes": 1,
    }

    page = as_admin.get("/admin/personvern")
    token = csrf_token(page.text, "lookup-csrf_token")
    looked_up = as_admin.post(
        "/admin/personvern", data={"lookup-csrf_token": token, "lookup-email": PERSON}
    )
    assert looked_up.status_code == 200
    assert "2 påmeldinger, 1 høringssvar, 3 e-poster og 2 andre tekster" in looked_up.text

    exported = as_admin.post(
        "/admin/personvern/eksport", data={"lookup-csrf_token": token, "lookup-email": PERSON}
    )
    assert exported.mimetype == "application/json"
    data = json.loads(exported.data)
    assert {r["meeting"] for r in data["registrations"]} == {"Innspillsmøte Testregion"}
    assert len(data["registrations"]) == 2
    assert data["consultation_responses"][0]["attachments"][0]["filename"] == "uttalelse.pdf"
    assert "trenger bedre veier" in data["consultation_responses"][0]["text"]
    assert len(data["e-mails"]) == 3

    refused = as_admin.post(
        "/admin/personvern/slett",
        data={
            "delete-csrf_token": csrf_token(looked_up.text, "delete-csrf_token"),
            "delete-email": PERSON,
        },
    )
    assert refused.status_code == 422
    assert count(session, ConsultationResponse.id) == 1

    deleted = as_admin.post(
        "/admin/personvern/slett",
        data={
            "delete-csrf_token": csrf_token(looked_up.text, "delete-csrf_token"),
            "delete-email": PERSON,
            "delete-confirm": "y",
        },
    )
    assert deleted.status_code == 303

    dump = _dump_database(session)
    assert "kari.nordmann@example.no" not in dump
    assert "kari nordmann" not in dump
    assert "nordmann gård" not in dump
    assert "91234567" not in dump
    assert not path_of(upload, stored).exists()
    # The seat went to the waiting list, who were told; the bystander is untouched.
    session.expire_all()
    assert session.get(Registration, setup["waiting"].id).status == "confirmed"
    assert session.get(Registration, setup["bystander"].id).email == "annen@example.no"
    assert session.get(Meeting, setup["future"].id).confirmed_count == 1
    assert service.find_person(session, PERSON).empty
    # Anonymous counts remain; the audit log holds counts, not the address.
    assert count(session, Registration.id) == 4
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "privacy.delete")
    ).scalar_one()
    assert entry.details["responses"] == 1
    assert count(session, AuditEntry.id, AuditEntry.action.like("privacy.%")) == 3


def test_the_address_never_appears_in_a_url_or_the_audit_log(as_admin, session):
    page = as_admin.get("/admin/personvern")
    assert 'method="post" action="/admin/personvern"' in page.text
    as_admin.post(
        "/admin/personvern",
        data={
            "lookup-csrf_token": csrf_token(page.text, "lookup-csrf_token"),
            "lookup-email": PERSON,
        },
    )
    entries = session.execute(select(AuditEntry)).scalars().all()
    assert "nordmann" not in " ".join(str(e.details) + (e.object_id or "") for e in entries).lower()


def test_invalid_address_is_refused(as_admin):
    page = as_admin.get("/admin/personvern", headers={"Accept-Language": "en"})
    response = as_admin.post(
        "/admin/personvern",
        data={
            "lookup-csrf_token": csrf_token(page.text, "lookup-csrf_token"),
            "lookup-email": "ikke en adresse",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Enter a valid e-mail address" in response.text


def test_nothing_found(as_admin):
    page = as_admin.get("/admin/personvern")
    response = as_admin.post(
        "/admin/personvern",
        data={
            "lookup-csrf_token": csrf_token(page.text, "lookup-csrf_token"),
            "lookup-email": "ingen@example.no",
        },
    )
    assert "Vi har ingenting om denne adressen." in response.text


def test_purge_button(as_admin, session, make_meeting, signup_data):
    now = datetime.now(UTC)
    old = _meeting_at(make_meeting, now - timedelta(days=45))
    session.commit()
    public.register(session, old.id, signup_data(), now=now - timedelta(days=50))
    session.commit()
    page = as_admin.get("/admin/personvern")
    assert "1 påmelding skal slettes nå." in page.text
    response = as_admin.post(
        "/admin/personvern/rydd",
        data={"purge-csrf_token": csrf_token(page.text, "purge-csrf_token")},
    )
    assert response.status_code == 303
    assert count(session, Registration.id, Registration.email.is_not(None)) == 0


def test_privacy_page_states_what_why_how_long_and_contact(client, app):
    page = client.get("/personvern", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    for phrase in (
        "Signing up for an input meeting",
        "30 days after the meeting",
        "The digital suggestion box",
        "Responses to the consultation",
        "Who sees your data",
        "project group",
        app.config["CONTACT_EMAIL"],
    ):
        assert phrase in page.text, phrase


def test_a_receipt_code_finds_a_suggestion_in_the_inbox_and_the_privacy_page_deletes_it(
    as_admin, session, make_input, make_draft, make_response
):
    """Issue 9, point 5: the receipt says the code is the only way to find the
    suggestion again (to have it deleted); staff can keep that promise."""
    from participation.suggestions import service as box

    mine = box.submit_suggestion(
        session, box.SuggestionData(text="Satsingen på lokalmat i Nord-Troms må styrkes nå.")
    )
    other = make_input("Reiselivet i Lyngen trenger bedre veier og flere overnattingssteder.")
    copy = make_input("Satsingen på lokalmat i Nord-Troms må styrkes nå!")
    session.commit()
    code = mine.receipt_code
    assert copy.duplicate_of_id == mine.id
    draft = make_draft()
    response = make_response(draft)

    # The inbox search: as printed, in lower case, without the hyphen, with spaces.
    for typed in (code, code.lower(), code.replace("-", ""), f" {code[:4]} {code[5:]} "):
        page = as_admin.get("/admin/", query_string={"q": typed})
        assert f'href="/admin/innspill/{mine.id}' in page.text, typed
        assert f'href="/admin/innspill/{other.id}' not in page.text
    page = as_admin.get("/admin/", query_string={"q": response.reference.lower()})
    assert f'href="/admin/innspill/{response.input.id}' in page.text
    assert f'href="/admin/innspill/{other.id}' not in page.text

    # The privacy page finds it …
    start = as_admin.get("/admin/personvern")
    found = as_admin.post(
        "/admin/personvern/kvittering",
        data={
            "receipt-csrf_token": csrf_token(start.text, "receipt-csrf_token"),
            "receipt-code": code.lower(),
        },
    )
    assert found.status_code == 200
    assert f'href="/admin/innspill/{mine.id}"' in found.text
    assert "Satsingen på lokalmat" in found.text
    delete_token = csrf_token(found.text, "receipt-delete-csrf_token")
    # … refuses to delete without the confirmation …
    refused = as_admin.post(
        "/admin/personvern/kvittering/slett",
        data={"receipt-delete-csrf_token": delete_token, "receipt-delete-code": code},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 422
    assert "Confirm that you want to delete the suggestion." in refused.text
    assert session.get(Input, mine.id) is not None
    # … and deletes it with it.
    deleted = as_admin.post(
        "/admin/personvern/kvittering/slett",
        data={
            "receipt-delete-csrf_token": delete_token,
            "receipt-delete-code": code,
            "receipt-delete-confirm": "y",
        },
    )
    assert deleted.status_code == 303
    session.expire_all()
    assert session.get(Input, mine.id) is None
    assert session.get(Input, copy.id).duplicate_of_id is None
    assert session.get(Input, other.id) is not None
    assert count(session, AuditEntry.id, AuditEntry.action == "privacy.receipt_delete") == 1

    # Unknown and malformed codes: a clear answer, nothing changed.
    again = as_admin.post(
        "/admin/personvern/kvittering",
        data={"receipt-csrf_token": delete_token_for(as_admin), "receipt-code": code},
        headers={"Accept-Language": "en"},
    )
    assert "No suggestion has this receipt code." in again.text
    bad = as_admin.post(
        "/admin/personvern/kvittering",
        data={"receipt-csrf_token": delete_token_for(as_admin), "receipt-code": "nonsense!"},
        headers={"Accept-Language": "en"},
    )
    assert bad.status_code == 422
    assert "Write the receipt code as on the receipt" in bad.text


def delete_token_for(client) -> str:
    return csrf_token(client.get("/admin/personvern").text, "receipt-csrf_token")
