"""Consultation rules: the period, responses, attachments and publication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from participation.consultation import attachments as files
from participation.consultation import service
from participation.models import (
    Attachment,
    ConsultationResponse,
    ConsultationState,
    Input,
    OutboxMessage,
)
from tests.consultation.conftest import GOOD_TEXT, counts, stored_files
from tests.helpers import pdf_bytes

NOW = datetime.now(UTC)


def data(**overrides) -> service.ResponseData:
    values = {
        "text": GOOD_TEXT,
        "name": "Kari Nordmann",
        "email": "kari@example.no",
        "category": "business",
        "locale": "nb",
        "stance": "support",
    }
    values.update(overrides)
    return service.ResponseData(**values)


def submit(app, session, draft, uploads=(), **overrides):
    response = service.submit_response(
        session,
        draft.id,
        data(**overrides),
        uploads,
        upload_dir=app.config["UPLOAD_DIR"],
    )
    session.commit()
    return response


def section(draft, number):
    return next(s for s in draft.sections if s.number == number)


def test_draft_from_markdown(make_draft):
    draft = make_draft()
    assert draft.title == "Næringsstrategi for Testfylket"
    assert [s.anchor for s in draft.sections][:3] == ["s-1", "s-1-1", "s-1-1-1"]
    assert section(draft, "1.1.2").parent.number == "1.1"
    assert draft.state(NOW) == ConsultationState.OPEN


def test_draft_states(make_draft):
    draft = make_draft(opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=2))
    assert draft.state(NOW) == ConsultationState.NOT_OPEN
    assert draft.state(NOW + timedelta(days=1)) == ConsultationState.OPEN
    assert draft.state(NOW + timedelta(days=2)) == ConsultationState.CLOSED  # at the deadline
    assert service.time_left(draft, NOW) == timedelta(days=2)
    assert service.time_left(draft, NOW + timedelta(days=3)) == timedelta(0)


def test_slug_must_be_unique_and_period_sensible(make_draft, session):
    make_draft(slug="troms")
    with pytest.raises(service.SlugTaken):
        make_draft(slug="troms")
    session.rollback()
    with pytest.raises(service.BadPeriod):
        make_draft(opens_at=NOW, closes_at=NOW - timedelta(hours=1))


def test_response_to_a_section_is_stored_with_its_input_and_a_receipt(app, session, make_draft):
    draft = make_draft()
    target = section(draft, "1.1.2")
    response = submit(
        app,
        session,
        draft,
        section_id=target.id,
        locale="nn",
        text=GOOD_TEXT + " Ring meg på 912 34 567.",
        org_number="974760673",
        organisation="Senja Sjømat AS",
    )
    assert response.reference.startswith("H-")
    assert response.section_id == target.id
    assert response.is_published is False
    item = response.input
    assert item.channel == "consultation_response"
    assert item.respondent_category == "business"
    assert item.redacted_text.endswith("Ring meg på [telefonnummer].")
    assert item.consultation_response_id == response.id
    mail = session.execute(select(OutboxMessage)).scalar_one()
    assert mail.recipient == "kari@example.no"
    assert mail.locale == "nn"
    assert mail.subject == f"Kvittering: høyringssvaret ditt til {draft.title}"
    assert "1.1.2 Bedre arealplanlegging i sjø" in mail.body_text
    assert response.reference in mail.body_text


@pytest.mark.parametrize(
    "when, error",
    [(NOW - timedelta(days=30), service.Closed), (NOW + timedelta(days=30), service.NotYetOpen)],
)
def test_outside_the_period_nothing_is_stored(app, session, make_draft, when, error):
    if error is service.Closed:
        draft = make_draft(opens_at=when, closes_at=when + timedelta(days=1))
    else:
        draft = make_draft(opens_at=when, closes_at=when + timedelta(days=1))
    with pytest.raises(error):
        submit(app, session, draft, uploads=[files.UploadedFile("a.pdf", pdf_bytes())])
    session.rollback()
    assert counts(session) == (0, 0, 0)
    assert stored_files(app) == []
    assert session.execute(select(OutboxMessage)).first() is None


def test_section_of_another_draft_is_refused(app, session, make_draft):
    first, other = make_draft(), make_draft()
    with pytest.raises(service.SectionNotFound):
        submit(app, session, first, section_id=other.sections[0].id)
    session.rollback()
    assert counts(session) == (0, 0, 0)


@pytest.mark.parametrize(
    "overrides",
    [
        {"text": "For kort"},
        {"text": "x" * 20001},
        {"org_number": "123456789"},
        {"stance": "maybe"},
        {"category": "alien"},
    ],
)
def test_invalid_data_is_refused(app, session, make_draft, overrides):
    draft = make_draft()
    with pytest.raises(service.InvalidResponse):
        submit(app, session, draft, **overrides)
    session.rollback()
    assert counts(session) == (0, 0, 0)


def test_pdf_attachments_are_stored_outside_the_web_root(app, session, make_draft):
    draft = make_draft()
    content = pdf_bytes(pages=2)
    response = submit(
        app, session, draft, uploads=[files.UploadedFile("../../Høringssvar Tromsø.pdf", content)]
    )
    (attachment,) = response.attachments
    assert attachment.original_filename == "Høringssvar Tromsø.pdf"
    assert attachment.size == len(content) and attachment.page_count == 2
    assert attachment.published is False
    path = files.path_of(app.config["UPLOAD_DIR"], attachment.stored_name)
    assert path.read_bytes() == content
    static = Path(app.static_folder).resolve()
    assert static not in path.resolve().parents
    assert attachment.stored_name != attachment.original_filename


@pytest.mark.parametrize(
    "uploads, error",
    [
        ([("fake.pdf", b"This is just text pretending to be a PDF")], files.NotAPdf),
        ([("broken.pdf", b"%PDF-1.7\n" + b"garbage " * 100)], files.NotAPdf),
        ([("empty.pdf", b"")], files.EmptyFile),
        ([("big.pdf", b"%PDF-1.4\n" + b"0" * 2048)], files.FileTooLarge),
        ([(f"{n}.pdf", None) for n in range(4)], files.TooManyFiles),
    ],
)
def test_bad_attachments_store_nothing(app, session, make_draft, uploads, error):
    draft = make_draft()
    prepared = [
        files.UploadedFile(name, content if content is not None else pdf_bytes())
        for name, content in uploads
    ]
    with pytest.raises(error):
        service.submit_response(
            session,
            draft.id,
            data(),
            prepared,
            upload_dir=app.config["UPLOAD_DIR"],
            max_bytes=2048,
            max_files=3,
        )
    session.rollback()
    assert counts(session) == (0, 0, 0)
    assert stored_files(app) == []


def test_password_protected_pdf_is_refused():
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("hemmelig")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(files.EncryptedPdf):
        files.check_pdf(files.UploadedFile("låst.pdf", out.getvalue()), 10**7)


def test_path_of_refuses_names_that_leave_the_folder(tmp_path):
    with pytest.raises(ValueError):
        files.path_of(tmp_path, "../../etc/passwd")


# ---------------------------------------------------------------- publication


def test_approve_publish_and_withdraw(app, session, make_draft):
    draft = make_draft()
    response = submit(
        app,
        session,
        draft,
        uploads=[
            files.UploadedFile("a.pdf", pdf_bytes()),
            files.UploadedFile("b.pdf", pdf_bytes()),
        ],
    )
    first, second = response.attachments
    service.approve_for_publication(
        session,
        response.id,
        "Redigert tekst uten personopplysninger.",
        approved_by_id=None,
        withhold_attachment_ids=[second.id],
    )
    session.commit()
    session.expire_all()
    response = session.get(ConsultationResponse, response.id)
    assert (
        response.is_published
        and response.published_text == "Redigert tekst uten personopplysninger."
    )
    assert response.input.status == "published"
    assert [a.published for a in response.attachments] == [True, False]
    assert service.public_attachment(session, draft, first.id) is not None
    assert service.public_attachment(session, draft, second.id) is None

    service.withdraw_publication(session, response.id)
    session.commit()
    session.expire_all()
    response = session.get(ConsultationResponse, response.id)
    assert not response.is_published
    assert response.input.status == "new"
    assert service.public_attachment(session, draft, first.id) is None


def test_response_the_sender_did_not_allow_cannot_be_published(app, session, make_draft):
    response = submit(app, session, make_draft(), may_publish=False)
    with pytest.raises(service.NotPublishable):
        service.approve_for_publication(session, response.id, "Tekst")
    with pytest.raises(service.ResponseNotFound):
        service.approve_for_publication(session, 99999, "Tekst")


def test_published_responses_per_section_and_stance_counts(app, session, make_draft):
    draft = make_draft()
    s112, s2 = section(draft, "1.1.2"), section(draft, "2")
    made = [
        submit(app, session, draft, section_id=s112.id, stance="support"),
        submit(app, session, draft, section_id=s112.id, stance="oppose"),
        submit(app, session, draft, section_id=s112.id, stance="oppose"),
        submit(app, session, draft, section_id=s2.id, stance="partly"),
        submit(app, session, draft, stance="none"),
        submit(app, session, draft, section_id=s112.id, stance="support"),  # not approved
    ]
    for response in made[:5]:
        service.approve_for_publication(session, response.id, response.input.redacted_text)
    session.commit()

    assert [r.id for r in service.published_responses(session, draft.id, s112.id)] == [
        made[0].id,
        made[1].id,
        made[2].id,
    ]
    assert service.stance_counts(session, draft.id, s112.id) == {
        "support": 1,
        "partly": 0,
        "oppose": 2,
        "none": 0,
    }
    assert service.stance_counts(session, draft.id) == {
        "support": 1,
        "partly": 1,
        "oppose": 2,
        "none": 1,
    }
    assert [r.id for r in service.published_responses(session, draft.id, service.WHOLE_DRAFT)] == [
        made[4].id
    ]
    assert service.published_counts_by_section(session, draft.id) == {s112.id: 3, s2.id: 1, None: 1}


def test_attachment_rows_and_files_are_consistent(app, session, make_draft):
    submit(app, session, make_draft(), uploads=[files.UploadedFile("a.pdf", pdf_bytes())])
    names = {a.stored_name for a in session.execute(select(Attachment)).scalars()}
    assert {p.name for p in stored_files(app)} == names
    assert session.scalar(select(Input.channel)) == "consultation_response"


SAMI_RESPONSE = (
    "Mun háliidan ahte fylkkagielda vuoruhivččii boazodoalu ja báikkálaš biepmu. "
    "Min guovllus váilot bargosajit nuoraide, ja danne olbmot fárrejit eret."
)


def test_a_response_written_in_sami_is_answered_in_sami(app, session, make_draft):
    """Sameloven § 3-3: whoever writes in Sami gets the receipt in Sami, even from a
    page shown in Bokmål; the inbox marks the input as Sami."""
    draft = make_draft()
    response = submit(app, session, draft, locale="nb", text=SAMI_RESPONSE)
    assert response.locale == "se"
    assert response.input.written_form == "se"
    mail = session.execute(select(OutboxMessage)).scalar_one()
    assert mail.locale == "se"
    assert mail.subject == f"Kvittiidna: du cealkámuš dása: {draft.title}"
    assert "Giitu du cealkámuša ovddas olles evttohussii" in mail.body_text
