"""The consultation in the back office: drafts, sections, period, approval,
figures per section, attachments and the printable summary."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.consultation import service
from participation.consultation import service as public
from participation.models import AuditEntry, DraftSection, DraftStrategy, Input
from tests.helpers import DRAFT_MARKDOWN, count, csrf_token, post_form

PERIOD = {
    "opens_day": "2031-01-10",
    "opens_time": "08:00",
    "closes_day": "2031-02-10",
    "closes_time": "23:59",
}


def test_import_a_draft_from_a_markdown_file(as_admin, session):
    page = as_admin.get("/admin/horing/import")
    response = as_admin.post(
        "/admin/horing/import",
        data={
            "csrf_token": csrf_token(page.text),
            "file": (io.BytesIO(DRAFT_MARKDOWN.encode()), "plan.md"),
            **PERIOD,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    draft = session.execute(select(DraftStrategy)).scalar_one()
    assert draft.title == "Strategisk næringsplan for Testfylket"
    assert [s.number for s in draft.sections] == ["1", "1.1", "1.2", "2"]
    assert draft.opens_at == datetime(2031, 1, 10, 7, 0, tzinfo=UTC)
    assert "4 deler" in as_admin.get(response.headers["Location"]).text


def test_import_refuses_bad_markdown_and_bad_periods(as_admin, session):
    no_sections = post_form(
        as_admin,
        "/admin/horing/import",
        {"source": "Bare tekst, ingen overskrifter.", **PERIOD},
        headers={"Accept-Language": "nn"},
    )
    assert no_sections.status_code == 422
    assert "Markdown-teksten kunne ikkje lesast som eit utkast." in no_sections.text
    backwards = post_form(
        as_admin,
        "/admin/horing/import",
        {"source": DRAFT_MARKDOWN, **PERIOD, "closes_day": "2031-01-01"},
    )
    assert backwards.status_code == 422
    assert "Høringsfristen må være etter at høringen åpner." in backwards.text
    nothing = post_form(as_admin, "/admin/horing/import", {**PERIOD})
    assert "Velg en Markdown-fil eller lim inn teksten." in nothing.text
    assert count(session, DraftStrategy.id) == 0


def test_create_edit_draft_and_its_period(as_admin, session):
    created = post_form(
        as_admin,
        "/admin/horing/ny",
        {"title": "Næringsplan 2031", "introduction": "Innledning", **PERIOD},
    )
    assert created.status_code == 303
    draft = session.execute(select(DraftStrategy)).scalar_one()
    edited = post_form(
        as_admin,
        f"/admin/horing/{draft.id}/endre",
        {
            "title": "Næringsplan 2031–2035",
            "introduction": "Ny innledning",
            **PERIOD,
            "closes_day": "2031-03-01",
        },
    )
    assert edited.status_code == 303
    session.expire_all()
    draft = session.get(DraftStrategy, draft.id)
    assert draft.title == "Næringsplan 2031–2035"
    assert draft.slug == "naeringsplan-2031"  # the address stays
    assert draft.closes_at == datetime(2031, 3, 1, 22, 59, tzinfo=UTC)


def test_sections_are_added_in_number_order_and_keep_their_anchor(session, admin, draft):
    added = service.add_section(session, admin, draft.id, number="1.3", title="Nytt delmål")
    session.commit()
    assert added.anchor == "s-1-3" and added.level == 2
    assert added.parent_id == next(s.id for s in draft.sections if s.number == "1")
    session.expire_all()
    numbers = [s.number for s in service.get_draft_by_id(session, draft.id).sections]
    assert numbers == ["1", "1.1", "1.2", "1.3", "2"]
    with pytest.raises(service.NumberTaken):
        service.add_section(session, admin, draft.id, number="1.3", title="Igjen")
    with pytest.raises(service.NoParent):
        service.add_section(session, admin, draft.id, number="7.1", title="Uten forelder")
    with pytest.raises(service.BadNumber):
        service.add_section(session, admin, draft.id, number="1.a", title="Feil")
    service.update_section(session, admin, added.id, title="Bedre delmål", body="Tekst")
    session.commit()
    assert session.get(DraftSection, added.id).anchor == "s-1-3"


def test_section_with_responses_or_children_cannot_be_deleted(session, admin, draft, make_response):
    sections = {s.number: s for s in draft.sections}
    make_response(draft, sections["2"])
    with pytest.raises(service.SectionHasResponses):
        service.delete_section(session, admin, sections["2"].id)
    with pytest.raises(service.SectionHasChildren):
        service.delete_section(session, admin, sections["1"].id)
    session.rollback()
    service.delete_section(session, admin, sections["1.2"].id)
    session.commit()
    session.expire_all()
    assert [s.number for s in service.get_draft_by_id(session, draft.id).sections] == [
        "1",
        "1.1",
        "2",
    ]


def test_section_pages(as_admin, session, draft):
    response = post_form(
        as_admin,
        f"/admin/horing/{draft.id}/del/ny",
        {"number": "2.1", "title": "Fagskole", "body": ""},
    )
    assert response.status_code == 303
    section = session.execute(select(DraftSection).where(DraftSection.number == "2.1")).scalar_one()
    taken = post_form(
        as_admin, f"/admin/horing/{draft.id}/del/ny", {"number": "2.1", "title": "Igjen"}
    )
    assert taken.status_code == 422
    assert "Utkastet har allerede en del med dette nummeret." in taken.text
    edit = post_form(
        as_admin,
        f"/admin/horing/{draft.id}/del/{section.id}",
        {"number": "9", "title": "Fagskole og lærlinger", "body": "Mer tekst"},
    )
    assert edit.status_code == 303
    session.expire_all()
    assert session.get(DraftSection, section.id).number == "2.1"  # the number cannot change
    page = as_admin.get(f"/admin/horing/{draft.id}/del/{section.id}")
    deleted = as_admin.post(
        f"/admin/horing/{draft.id}/del/{section.id}/slett",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert deleted.status_code == 303
    assert count(session, DraftSection.id, DraftSection.number == "2.1") == 0


def test_figures_per_section_count_all_responses_with_stances(session, admin, draft, make_response):
    sections = {s.number: s for s in draft.sections}
    make_response(draft, sections["2"], stance="support")
    make_response(draft, sections["2"], stance="oppose", may_publish=False)
    published = make_response(draft, sections["2"], stance="oppose")
    make_response(draft, None, stance="partly")
    service.approve(session, admin, published.id, "Publisert tekst om kompetanse.")
    session.commit()
    figures = {
        (f.section.number if f.section else None): f
        for f in service.figures_by_section(session, draft)
    }
    two = figures["2"]
    assert (two.total, two.published, two.awaiting) == (3, 1, 1)
    assert two.stances == {"support": 1, "partly": 0, "oppose": 2, "none": 0}
    assert figures[None].stances["partly"] == 1
    assert figures["1.1"].total == 0


def test_approve_with_redaction_publishes_on_the_public_page(
    as_reviewer, session, draft, make_response
):
    response = make_response(
        draft,
        draft.sections[0],
        text="Jeg heter Per Hansen og ringer på 912 34 567. Vi støtter innsatsområdet fullt ut.",
    )
    page = as_reviewer.get(f"/admin/horing/svar/{response.id}")
    assert "[telefonnummer]" in page.text  # prefilled with the redacted text
    done = post_form(
        as_reviewer,
        f"/admin/horing/svar/{response.id}",
        {"published_text": "[navn] støtter innsatsområdet fullt ut."},
    )
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Input, response.input.id).status == "published"
    public_page = as_reviewer.get(f"/horing/{draft.slug}/horingssvar")
    assert "[navn] støtter innsatsområdet fullt ut." in public_page.text
    assert "Per Hansen" not in public_page.text
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "response.approve")
    ).scalar_one()
    assert entry.object_id == str(response.id)

    withdraw_page = as_reviewer.get(f"/admin/horing/svar/{response.id}")
    as_reviewer.post(
        f"/admin/horing/svar/{response.id}/trekk",
        data={"csrf_token": csrf_token(withdraw_page.text)},
    )
    assert "[navn] støtter" not in as_reviewer.get(f"/horing/{draft.slug}/horingssvar").text


def test_response_without_permission_cannot_be_approved(as_reviewer, session, draft, make_response):
    response = make_response(draft, may_publish=False)
    page = as_reviewer.get(f"/admin/horing/svar/{response.id}")
    assert "Avsenderen har ikke tillatt publisering." in page.text
    refused = as_reviewer.post(
        f"/admin/horing/svar/{response.id}",
        data={"csrf_token": csrf_token(page.text), "published_text": "Tekst"},
    )
    assert refused.status_code == 422
    session.expire_all()
    assert not public.published_responses(session, draft.id)


def test_responses_list_filters_by_section_and_status(as_reviewer, draft, make_response):
    sections = {s.number: s for s in draft.sections}
    make_response(draft, sections["2"], name="Kari Kompetanse")
    make_response(draft, sections["1.1"], name="Frode Forskning", may_publish=False)
    everything = as_reviewer.get(f"/admin/horing/{draft.id}/svar")
    assert "Kari Kompetanse" in everything.text and "Frode Forskning" in everything.text
    section_two = as_reviewer.get(f"/admin/horing/{draft.id}/svar?del=s-2")
    assert "Kari Kompetanse" in section_two.text and "Frode Forskning" not in section_two.text
    assert "Standpunkter i denne delen" in section_two.text
    private = as_reviewer.get(f"/admin/horing/{draft.id}/svar?status=not_publishable")
    assert "Frode Forskning" in private.text and "Kari Kompetanse" not in private.text


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_staff_download_attachments_and_it_is_audited(
    as_reviewer, client, session, draft, make_response
):
    from participation.consultation.attachments import UploadedFile

    response = make_response(draft, uploads=[UploadedFile("uttalelse.pdf", _pdf())])
    attachment = response.attachments[0]
    download = as_reviewer.get(f"/admin/horing/vedlegg/{attachment.id}")
    assert download.status_code == 200
    assert download.data.startswith(b"%PDF")
    assert "uttalelse.pdf" in download.headers["Content-Disposition"]
    download.close()
    assert count(session, AuditEntry.id, AuditEntry.action == "attachment.download") == 1
    assert as_reviewer.get("/admin/horing/vedlegg/999").status_code == 404


def test_printable_summary(as_reviewer, session, admin, draft, make_response):
    sections = {s.number: s for s in draft.sections}
    quoted = make_response(draft, sections["2"], stance="support", organisation="Fiskarlaget Nord")
    make_response(draft, sections["2"], stance="oppose")
    service.approve(session, admin, quoted.id, "Vi trenger flere fagskoleplasser i nord.")
    session.commit()
    page = as_reviewer.get(f"/admin/horing/{draft.id}/samandrag", headers={"Accept-Language": "nn"})
    assert page.status_code == 200
    assert "Samandrag av høyringa" in page.text
    assert "Vi trenger flere fagskoleplasser i nord." in page.text
    assert "Fiskarlaget Nord" in page.text
    section_two = page.text[page.text.index("2 Kompetanse") :]
    assert "2 høyringssvar" in section_two


def test_reviewer_cannot_change_drafts(as_reviewer, draft):
    assert as_reviewer.get(f"/admin/horing/{draft.id}").status_code == 200
    assert as_reviewer.get(f"/admin/horing/{draft.id}/endre").status_code == 403
    assert as_reviewer.get("/admin/horing/import").status_code == 403


def test_moving_the_deadline_closes_the_public_form(as_admin, session, draft):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    response = post_form(
        as_admin,
        f"/admin/horing/{draft.id}/endre",
        {
            "title": draft.title,
            "introduction": draft.introduction,
            "opens_day": (yesterday - timedelta(days=10)).strftime("%Y-%m-%d"),
            "opens_time": "08:00",
            "closes_day": yesterday.strftime("%Y-%m-%d"),
            "closes_time": "00:00",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 303
    public_page = as_admin.get(f"/horing/{draft.slug}", headers={"Accept-Language": "en"})
    assert "The consultation closed" in public_page.text
