"""The inbox: filters, search, paging with a fixed number of queries, moderation,
tagging, notes and bulk actions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from participation.inputs import notes, service
from participation.inputs import service as inputs
from participation.models import (
    AuditEntry,
    ConfirmedFocusArea,
    ConsultationResponse,
    Input,
    InputNote,
    Process,
)
from tests.helpers import count, count_queries, csrf_token, post_form


@pytest.fixture
def mixed(session, make_input, make_meeting, focus_areas, make_region):
    """Inputs that differ in every filterable way."""
    north = make_region(name="Nord-Troms")
    meeting = make_meeting(region=north, title="Innspillsmøte Nord-Troms")
    session.commit()
    lokalmat, reiseliv, havbruk, _retired = focus_areas
    items = {
        "food": make_input(
            "Vi trenger et felles mottak for lokalmat fra små produsenter i Nord-Troms.",
            region_id=north.id,
            respondent_category="business",
            focus_area_ids=[lokalmat.id],
            created_on=date(2026, 3, 2),
        ),
        "tourism": make_input(
            "Reiselivet treng betre vegar og fleire fly til regionen vår om vinteren.",
            respondent_category="citizen",
            focus_area_ids=[reiseliv.id],
            created_on=date(2026, 3, 9),
        ),
        "note": notes.record_workshop_note(
            session,
            meeting_id=meeting.id,
            text="Flippover gruppe 2: havbruk trenger fagarbeidere og boliger.",
        ),
    }
    session.commit()
    items["copy"] = make_input(
        "Vi trenger et felles mottak for lokalmat fra små produsenter i Nord-Troms.",
        created_on=date(2026, 3, 10),
    )
    inputs.set_status(session, items["tourism"].id, "hidden", "Utenfor temaet")
    session.commit()
    items["meeting"] = meeting
    items["region"] = north
    return items


def _ids(session, f: service.InboxFilter) -> set[int]:
    return {i.id for i in service.inbox_page(session, f).items}


def test_filters(session, mixed, focus_areas):
    F, B = service.InboxFilter, inputs.InputFilter
    food, tourism, note, copy = (mixed[k].id for k in ("food", "tourism", "note", "copy"))
    assert _ids(session, F()) == {food, tourism, note, copy}
    assert _ids(session, F(B(channels=["workshop_note"]))) == {note}
    assert _ids(session, F(B(statuses=["hidden"]))) == {tourism}
    assert _ids(session, F(B(region_ids=[mixed["region"].id]))) == {food, note}
    assert _ids(session, F(B(categories=["citizen"]))) == {tourism}
    assert _ids(session, F(B(written_forms=["nn"]))) == {tourism}
    assert _ids(session, F(B(meeting_id=mixed["meeting"].id))) == {note}
    assert _ids(session, F(B(date_from=date(2026, 3, 5), date_to=date(2026, 3, 9)))) == {tourism}
    assert _ids(session, F(B(duplicates=True))) == {copy}
    assert food in _ids(session, F(B(duplicates=False)))
    assert copy not in _ids(session, F(B(duplicates=False)))
    assert _ids(session, F(focus_area_ids=[focus_areas[0].id])) == {food}
    assert _ids(session, F(B(search="lokalmat produsenter"))) == {food, copy}
    assert _ids(session, F(B(search="fagarbeidere"))) == {note}


def test_focus_area_filter_also_matches_confirmed_areas(session, admin, mixed, focus_areas):
    havbruk = focus_areas[2]
    service.confirm_focus_areas(session, admin, mixed["note"].id, [havbruk.id])
    session.commit()
    F = service.InboxFilter
    assert _ids(session, F(focus_area_ids=[havbruk.id])) == {mixed["note"].id}
    assert _ids(session, F(reviewed=True)) == {mixed["note"].id}
    assert mixed["note"].id not in _ids(session, F(reviewed=False))


def _bulk_inputs(session, n: int, area_ids: list[int]) -> None:
    """Insert ``n`` inputs fast (one statement), each with chosen focus areas."""
    from participation.models import input_focus_area

    start = session.scalar(select(Input.id).order_by(Input.id.desc()).limit(1)) or 0
    process_id = session.execute(select(Process.id)).scalar_one()
    rows = [
        {
            "process_id": process_id,
            "channel": "suggestion_box",
            "text": f"Innspill {i} om lokalmat og reiseliv",
            "redacted_text": f"Innspill {i} om lokalmat og reiseliv",
            "written_form": "nb",
            "created_on": date(2026, 3, 1 + i % 28),
            "status": "new",
            "fingerprint": f"{i:064d}",
            "text_length": 30,
        }
        for i in range(n)
    ]
    session.execute(insert(Input), rows)
    ids = list(session.execute(select(Input.id).where(Input.id > start)).scalars())
    session.execute(
        insert(input_focus_area),
        [{"input_id": i, "focus_area_id": a} for i in ids for a in area_ids],
    )
    session.commit()


def _page_queries(app, session, client_get) -> int:
    from participation.extensions import db

    session.expire_all()  # every request starts from an empty identity map, as in production
    with count_queries(db.engine) as statements:
        response = client_get()
        assert response.status_code == 200
    return len(statements)


def test_queries_per_page_do_not_grow_with_the_number_of_inputs(
    app, session, as_reviewer, admin, focus_areas
):
    """The inbox page sends the same number of SQL statements at 10 and at 1 000 inputs."""
    _bulk_inputs(session, 10, [focus_areas[0].id, focus_areas[1].id])
    first = session.scalar(select(Input.id).order_by(Input.id))
    service.confirm_focus_areas(session, admin, first, [focus_areas[2].id])
    session.commit()
    small = _page_queries(app, session, lambda: as_reviewer.get("/admin/"))
    filtered_small = _page_queries(
        app, session, lambda: as_reviewer.get(f"/admin/?focus_area={focus_areas[0].id}&q=lokalmat")
    )

    _bulk_inputs(session, 990, [focus_areas[0].id, focus_areas[1].id])
    large = _page_queries(app, session, lambda: as_reviewer.get("/admin/"))
    later_page = _page_queries(app, session, lambda: as_reviewer.get("/admin/?page=7"))
    filtered_large = _page_queries(
        app, session, lambda: as_reviewer.get(f"/admin/?focus_area={focus_areas[0].id}&q=lokalmat")
    )
    assert count(session, Input.id) == 1000
    assert small == large == later_page
    assert filtered_small == filtered_large
    assert large < 25


def test_service_page_query_count_is_fixed(session, focus_areas):
    from participation.extensions import db

    counts = []
    for n in (10, 990):
        _bulk_inputs(session, n, [focus_areas[0].id])
        session.expire_all()
        with count_queries(db.engine) as statements:
            page = service.inbox_page(session, service.InboxFilter(), page=2, per_page=5)
            for item in page.items:  # touch what the template touches
                _ = (item.region, item.focus_areas, item.meeting)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_inbox_page_filters_and_paginates(as_reviewer, session, focus_areas):
    _bulk_inputs(session, 120, [focus_areas[0].id])
    page = as_reviewer.get("/admin/?channel=suggestion_box")
    assert "Viser 1–50 av 120 innspill" in page.text
    assert 'href="/admin/?channel=suggestion_box&amp;page=2"' in page.text
    third = as_reviewer.get("/admin/?channel=suggestion_box&page=3")
    assert "Viser 101–120 av 120 innspill" in third.text
    beyond = as_reviewer.get("/admin/?page=99")
    assert "Viser 101–120 av 120 innspill" in beyond.text
    nothing = as_reviewer.get("/admin/?channel=workshop_note")
    assert "Ingen innspill passer." in nothing.text
    bad = as_reviewer.get("/admin/?channel=nonsense&date_from=31.12.2026&region=x")
    assert bad.status_code == 200
    assert "Viser 1–50 av 120 innspill" in bad.text  # bad values are ignored, with a message
    assert "Skriv datoen som ÅÅÅÅ-MM-DD" in bad.text


def test_detail_shows_the_redacted_text_and_each_view_of_an_original_is_logged(
    as_reviewer, session, make_input
):
    text = "Ring meg på 912 34 567 eller skriv til kari@example.no om lokalmat."
    note = make_input(text, channel="workshop_note")
    page = as_reviewer.get(f"/admin/innspill/{note.id}")
    assert page.status_code == 200
    assert "[telefonnummer]" in page.text
    assert "kari@example.no" not in page.text  # not on the page itself …
    original = f"/admin/innspill/{note.id}/original"
    assert original in page.text  # … but one recorded click away
    assert count(session, AuditEntry.id, AuditEntry.action == "input.original") == 0
    for _ in range(2):
        shown = as_reviewer.get(original)
        assert shown.status_code == 200
        assert "kari@example.no" in shown.text
    assert count(session, AuditEntry.id, AuditEntry.action == "input.original") == 2
    log = as_reviewer.get(f"/admin/innspill/{note.id}")
    assert "Originalteksten vart vist" in log.text or "Originalteksten ble vist" in log.text

    # A suggestion keeps no original: nothing to show, nothing to open.
    suggestion = make_input(text)
    page = as_reviewer.get(f"/admin/innspill/{suggestion.id}")
    assert "kari@example.no" not in page.text
    assert f"/admin/innspill/{suggestion.id}/original" not in page.text
    assert as_reviewer.get(f"/admin/innspill/{suggestion.id}/original").status_code == 404


def test_hide_needs_a_reason_then_hides(as_reviewer, session, make_input):
    item = make_input()
    url = f"/admin/innspill/{item.id}/status"
    page_url = f"/admin/innspill/{item.id}"
    refused = post_form(
        as_reviewer,
        url,
        {"status-action": "hide", "status-reason": ""},
        page_url=page_url,
        csrf_field="status-csrf_token",
    )
    assert refused.status_code == 422
    assert "Skriv hvorfor innspillet skjules." in refused.text
    done = post_form(
        as_reviewer,
        url,
        {"status-action": "hide", "status-reason": "Reklame"},
        page_url=page_url,
        csrf_field="status-csrf_token",
    )
    assert done.status_code == 303
    session.expire_all()
    hidden = session.get(Input, item.id)
    assert (hidden.status, hidden.hidden_reason) == ("hidden", "Reklame")
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "input.hide")
    ).scalar_one()
    assert entry.object_id == str(item.id)
    assert "Reklame" not in str(entry.details)


def test_publish_and_reset(session, reviewer, make_input):
    item = make_input()
    service.publish(session, reviewer, item.id)
    session.commit()
    assert session.get(Input, item.id).status == "published"
    service.reset(session, reviewer, item.id)
    session.commit()
    assert session.get(Input, item.id).status == "new"


def test_hiding_a_published_response_takes_it_off_the_consultation_page(
    session, reviewer, draft, make_response
):
    from participation.consultation import service as consultation

    response = make_response(draft)
    consultation.approve_for_publication(session, response.id, "Publisert tekst om planen.")
    session.commit()
    service.hide(session, reviewer, response.input.id, "Krenkende")
    session.commit()
    session.expire_all()
    assert session.get(Input, response.input.id).status == "hidden"
    assert consultation.published_responses(session, draft.id) == []


def test_response_without_permission_cannot_be_published(session, reviewer, draft, make_response):
    response = make_response(draft, may_publish=False)
    with pytest.raises(service.NotPublishable):
        service.publish(session, reviewer, response.input.id)


def test_edit_redaction(as_reviewer, session, reviewer, make_input):
    item = make_input("Kari Hansen fra Storfjord mener at lokalmat må satses på.")
    response = post_form(
        as_reviewer,
        f"/admin/innspill/{item.id}/sladding",
        {"redaction-redacted_text": "[navn] fra Storfjord mener at lokalmat må satses på."},
        page_url=f"/admin/innspill/{item.id}",
        csrf_field="redaction-csrf_token",
    )
    assert response.status_code == 303
    session.expire_all()
    saved = session.get(Input, item.id)
    assert saved.redacted_text.startswith("[navn]")
    assert saved.text == saved.redacted_text  # a suggestion keeps nothing else
    assert saved.fingerprint == inputs.fingerprint(saved.redacted_text)

    note = make_input(
        "Kari Hansen fra Storfjord sa at lokalmat må satses på.", channel="workshop_note"
    )
    inputs.edit_redaction(session, reviewer, note.id, "[navn] fra Storfjord sa …")
    assert note.text.startswith("Kari Hansen")  # a note keeps the text as recorded


def test_confirm_focus_areas_and_none(as_reviewer, session, reviewer, make_input, focus_areas):
    item = make_input(focus_area_ids=[focus_areas[0].id])
    page_url = f"/admin/innspill/{item.id}"
    page = as_reviewer.get(page_url)
    # Until a reviewer has confirmed, the writer's choice is ticked in advance.
    assert 'checked class="ds-input" id="areas-focus_areas-0"' in page.text
    url = f"/admin/innspill/{item.id}/satsingsomrader"
    response = post_form(
        as_reviewer,
        url,
        {"areas-focus_areas": [str(focus_areas[1].id), str(focus_areas[2].id)]},
        page_url=page_url,
        csrf_field="areas-csrf_token",
    )
    assert response.status_code == 303
    confirmed = set(session.execute(select(ConfirmedFocusArea.focus_area_id)).scalars())
    assert confirmed == {focus_areas[1].id, focus_areas[2].id}
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "input.focus_areas")
    ).scalar_one()
    assert entry.details["added"] == ["havbruk", "reiseliv"]

    none = post_form(as_reviewer, url, {}, page_url=page_url, csrf_field="areas-csrf_token")
    assert none.status_code == 303
    assert count(session, ConfirmedFocusArea.input_id) == 0
    assert "Ingen av dem passer" in as_reviewer.get(page_url).text
    assert service.reviewed_ids(session, [item.id]) == {item.id}


def test_unknown_focus_area_is_refused(session, reviewer, make_input):
    item = make_input()
    with pytest.raises(service.UnknownFocusArea):
        service.confirm_focus_areas(session, reviewer, item.id, [9999])


def test_notes(as_reviewer, session, make_input):
    item = make_input()
    page_url = f"/admin/innspill/{item.id}"
    empty = post_form(
        as_reviewer,
        f"/admin/innspill/{item.id}/notat",
        {"note-note": "  "},
        page_url=page_url,
        csrf_field="note-csrf_token",
    )
    assert empty.status_code == 422
    post_form(
        as_reviewer,
        f"/admin/innspill/{item.id}/notat",
        {"note-note": "Sjekk med næringsavdelingen."},
        page_url=page_url,
        csrf_field="note-csrf_token",
    )
    note = session.execute(select(InputNote)).scalar_one()
    assert note.text == "Sjekk med næringsavdelingen."
    assert "Sjekk med næringsavdelingen." in as_reviewer.get(page_url).text
    assert "1 notat" in as_reviewer.get("/admin/").text


def test_not_a_duplicate(as_reviewer, session, make_input):
    make_input("Samme tekst om lokalmat og reiseliv i hele fylket vårt.")
    copy = make_input("Samme tekst om lokalmat og reiseliv i hele fylket vårt.")
    assert copy.duplicate_of_id is not None
    page = as_reviewer.get(f"/admin/innspill/{copy.id}")
    as_reviewer.post(
        f"/admin/innspill/{copy.id}/ikkje-duplikat", data={"csrf_token": csrf_token(page.text)}
    )
    session.expire_all()
    assert session.get(Input, copy.id).duplicate_of_id is None


def test_bulk_actions(as_reviewer, session, make_input, focus_areas, draft, make_response):
    a, b = make_input(), make_input()
    private = make_response(draft, may_publish=False).input
    page = as_reviewer.get("/admin/?status=new")
    token = csrf_token(page.text)
    response = as_reviewer.post(
        "/admin/innspill/utval",
        data={
            "csrf_token": token,
            "ids": [str(a.id), str(b.id), str(private.id)],
            "action": "publish",
            "return_to": "/admin/?status=new",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/?status=new"
    session.expire_all()
    assert [session.get(Input, i).status for i in (a.id, b.id, private.id)] == [
        "published",
        "published",
        "new",
    ]
    followed = as_reviewer.get(response.headers["Location"])
    assert "Utført for 2 innspill." in followed.text
    assert "1 innspill ble ikke endret" in followed.text

    no_reason = as_reviewer.post(
        "/admin/innspill/utval",
        data={"csrf_token": token, "ids": [str(a.id)], "action": "hide", "return_to": "/admin/"},
    )
    assert (
        "Skriv hvorfor innspillene skjules." in as_reviewer.get(no_reason.headers["Location"]).text
    )
    assert session.get(Input, a.id).status == "published"

    as_reviewer.post(
        "/admin/innspill/utval",
        data={
            "csrf_token": token,
            "ids": [str(a.id), str(b.id)],
            "action": "tag",
            "focus_area": str(focus_areas[1].id),
            "return_to": "https://evil.example/",
        },
    )
    assert count(session, ConfirmedFocusArea.input_id) == 2
    assert count(session, AuditEntry.id, AuditEntry.action == "input.bulk") == 3 - 1


def test_bulk_without_selection(as_reviewer):
    page = as_reviewer.get("/admin/")
    response = as_reviewer.post(
        "/admin/innspill/utval",
        data={"csrf_token": csrf_token(page.text), "action": "publish", "return_to": "/admin/"},
    )
    assert "Velg minst ett innspill." in as_reviewer.get(response.headers["Location"]).text


def test_record_and_import_workshop_notes(as_reviewer, session, make_meeting, run_jobs):
    import io

    meeting = make_meeting()
    session.commit()
    one = post_form(
        as_reviewer,
        "/admin/innspill/motenotat",
        {
            "meeting": str(meeting.id),
            "text": "Gruppe 1: bedre bredbånd i distriktene.",
            "category": "",
        },
    )
    assert one.status_code == 303
    page = as_reviewer.get("/admin/innspill/import")
    bad = as_reviewer.post(
        "/admin/innspill/import",
        data={
            "csrf_token": csrf_token(page.text),
            "meeting": "",
            "file": (io.BytesIO(b"text;meeting_id\nHei;999\n"), "notat.csv"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "Linje 2:" in bad.text
    good = as_reviewer.post(
        "/admin/innspill/import",
        data={
            "csrf_token": csrf_token(page.text),
            "meeting": str(meeting.id),
            "file": (
                io.BytesIO(
                    "text\nFlippover 1: flere lærlingplasser\nFlippover 2: kortreist mat\n".encode()
                ),
                "notat.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    assert count(session, Input.id, Input.meeting_id == meeting.id) == 1  # queued, not yet run
    assert run_jobs() == 1
    assert count(session, Input.id, Input.meeting_id == meeting.id) == 3
    assert (
        count(session, AuditEntry.id, AuditEntry.action.in_(["input.create", "input.import"])) == 2
    )


def test_a_response_is_published_from_the_consultation_page_first(
    session, reviewer, draft, make_response
):
    from participation.consultation import service as consultation

    response = make_response(draft)
    with pytest.raises(service.NotApproved):
        service.publish(session, reviewer, response.input.id)
    session.rollback()
    assert session.get(Input, response.input.id).status == "new"
    assert consultation.published_responses(session, draft.id) == []


def test_one_meaning_of_published_for_a_consultation_response(
    session, reviewer, draft, make_response
):
    from participation.consultation import service as consultation

    response = make_response(draft)
    consultation.approve_for_publication(session, response.id, "Publisert tekst om planen.")
    session.commit()
    assert [r.id for r in consultation.published_responses(session, draft.id)] == [response.id]

    service.reset(session, reviewer, response.input.id)  # set back to new in the inbox
    session.commit()
    session.expire_all()
    assert consultation.published_responses(session, draft.id) == []
    assert not session.get(ConsultationResponse, response.id).is_published
    figures = consultation.figures_by_section(session, draft)
    assert sum(f.published for f in figures) == 0

    service.publish(session, reviewer, response.input.id)  # approved before: back on the site
    session.commit()
    session.expire_all()
    assert [r.id for r in consultation.published_responses(session, draft.id)] == [response.id]


def test_sami_input_is_shown_as_sami_with_an_answer_owed(as_reviewer, make_input):
    """An input written in Northern Sami: Sami in the inbox and the filter, flagged for
    the project group as owed an answer in Sami; the back office itself stays Norwegian
    even for a reviewer whose language cookie says Sami."""
    item = make_input(
        "Min guovllus váilot bargosajit nuoraide, ja danne olbmot fárrejit eret. "
        "Galgá leat vejolaš oažžut bálvalusaid sámegillii."
    )
    plain = make_input("Vi trenger flere arbeidsplasser for unge i regionen vår.")
    assert item.written_form == "se" and plain.written_form == "nb"
    as_reviewer.set_cookie("lang", "se")
    inbox = as_reviewer.get("/admin/?written_form=se")
    assert inbox.status_code == 200
    assert 'lang="nb"' in inbox.text and "Davvisámegiella" not in inbox.text.split("<main")[0]
    assert "Svar skyldes på samisk" in inbox.text and "Nordsamisk" in inbox.text
    assert f"#{item.id}<" in inbox.text and f"#{plain.id}<" not in inbox.text
    detail = as_reviewer.get(f"/admin/innspill/{item.id}")
    assert "Svar skyldes på samisk" in detail.text and "sameloven § 3-3" in detail.text
    assert '<blockquote class="input-text" lang="se">' in detail.text
