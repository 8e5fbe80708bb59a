"""Processes: the rules for a process and its phases, and two processes running at once
with nothing of one visible in the other."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from participation.backoffice.dashboard import counts
from participation.backoffice.exports import Labels, registration_sheet
from participation.consultation import service as consultation
from participation.inputs import service as inputs
from participation.insights import runs
from participation.meetings import service as meetings
from participation.models import AuditEntry, Process
from participation.processes import service
from participation.suggestions import service as suggestions

TODAY = date(2026, 3, 10)


def _phase(first: int, last: int, name: str = "Fase") -> service.PhaseData:
    return service.PhaseData(
        names={"nb": name},
        starts_on=TODAY + timedelta(days=first),
        ends_on=TODAY + timedelta(days=last),
    )


def _data(slug: str = "ny-prosess", **overrides) -> service.ProcessData:
    values = {"slug": slug, "titles": {"nb": "Ny prosess", "nn": "Ny prosess"}}
    values.update(overrides)
    return service.ProcessData(**values)


def _processes(session) -> int:
    return session.scalar(select(func.count(Process.id)))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (_data(slug="standard"), service.SlugTaken),
        (_data(slug="Ikke gyldig!"), service.InvalidSlug),
        (_data(titles={"nb": "  ", "en": "Only English"}), service.TitleMissing),
        (_data(phases=[_phase(0, 10), _phase(10, 20)]), service.PhasesOverlap),
        (_data(phases=[_phase(5, 2)]), service.PhaseEndsBeforeStart),
        (_data(phases=[service.PhaseData({"nb": ""}, TODAY, TODAY)]), service.PhaseNameMissing),
    ],
)
def test_bad_process_data_is_refused_and_changes_nothing(session, data, error):
    before = _processes(session)
    with pytest.raises(error):
        service.create_process(session, None, data)
    session.rollback()
    assert _processes(session) == before
    assert session.scalar(select(func.count(AuditEntry.id))) == 0


def test_current_phase_is_derived_from_the_date_and_texts_fall_back_to_bokmaal(session):
    process = service.create_process(
        session,
        None,
        _data(
            titles={"nb": "Strategi", "nn": "Strategi nn"},
            phases=[_phase(11, 20, "Høring"), _phase(0, 10, "Medvirkning")],
        ),
    )
    session.commit()
    assert [p.name_nb for p in process.phases] == ["Medvirkning", "Høring"]  # by date
    assert process.current_phase(TODAY).name_nb == "Medvirkning"
    assert process.current_phase(TODAY + timedelta(days=11)).name_nb == "Høring"
    assert process.current_phase(TODAY + timedelta(days=30)) is None
    assert process.text("title", "nn") == "Strategi nn"
    assert process.text("title", "en") == "Strategi"  # no English: Bokmål
    assert process.phases[0].text("name", "se") == "Medvirkning"


def test_a_process_is_not_archived_while_its_consultation_is_open(session, make_draft, process):
    make_draft()  # open now, in the current (standard) process
    with pytest.raises(service.ConsultationStillOpen):
        service.archive(session, None, process.id)
    session.rollback()
    assert session.get(Process, process.id).status == "active"


def test_an_archived_process_takes_no_input_and_no_changes(
    session, make_process, make_meeting, make_region, admin
):
    done = make_process(status="archived")
    with pytest.raises(suggestions.BoxClosed):
        suggestions.submit_suggestion(
            session, suggestions.SuggestionData(text="x" * 40), process_id=done.id
        )
    with pytest.raises(service.ProcessArchived):
        inputs.create_input(session, channel="suggestion_box", text="Tekst", process_id=done.id)
    with pytest.raises(consultation.ProcessArchived):
        consultation.create_empty_draft(
            session,
            admin,
            title="Utkast",
            introduction="",
            opens_at=datetime.now(UTC),
            closes_at=datetime.now(UTC) + timedelta(days=3),
            process_id=done.id,
        )
    region = make_region()
    data = meetings.MeetingData(
        region_id=region.id,
        title="Møte",
        starts_at=datetime.now(UTC) + timedelta(days=10),
        ends_at=datetime.now(UTC) + timedelta(days=10, hours=2),
        venue="Huset",
        seats=10,
        registration_deadline=datetime.now(UTC) + timedelta(days=8),
        process_id=done.id,
    )
    with pytest.raises(meetings.ProcessArchived):
        meetings.create_meeting(session, admin, data)


def test_a_meeting_stays_in_its_process_regions(session, make_process, make_region, admin):
    mine, other = make_region(), make_region()
    process = make_process()
    service.set_regions(session, process.id, [mine.id])
    session.commit()
    starts = datetime.now(UTC) + timedelta(days=10)
    data = meetings.MeetingData(
        region_id=other.id,
        title="Møte",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Huset",
        seats=10,
        registration_deadline=starts - timedelta(days=2),
        process_id=process.id,
    )
    with pytest.raises(meetings.RegionNotInProcess):
        meetings.create_meeting(session, admin, data)
    session.rollback()
    data.region_id = mine.id
    meeting = meetings.create_meeting(session, admin, data)
    data.region_id = other.id
    with pytest.raises(meetings.RegionNotInProcess):
        meetings.update_meeting(session, admin, meeting.id, data)


def test_copy_setup_gives_a_new_process_the_areas_and_regions_of_an_earlier_one(
    session, make_process, make_region, focus_areas
):
    earlier, new = make_process(), make_process(status="draft")
    region = make_region()
    service.set_focus_areas(session, earlier.id, [focus_areas[0].id, focus_areas[1].id])
    service.set_regions(session, earlier.id, [region.id])
    service.copy_setup(session, None, earlier.id, new.id)
    session.commit()
    assert [a.key for a in service.focus_areas(session, new.id)] == ["lokalmat", "reiseliv"]
    assert [r.id for r in service.regions(session, new.id)] == [region.id]


def test_two_processes_at_once_share_nothing(
    app, session, make_process, make_meeting, make_region, signup_data, focus_areas, admin
):
    one, two = make_process(), make_process()
    service.set_focus_areas(session, one.id, [focus_areas[0].id])
    service.set_focus_areas(session, two.id, [focus_areas[1].id])
    session.commit()
    text = "Vi trenger bedre kollektivtransport mellom bygdene og byen for pendlere."
    mine = suggestions.submit_suggestion(
        session,
        suggestions.SuggestionData(text=text, focus_area_id=focus_areas[0].id),
        process_id=one.id,
    )
    theirs = suggestions.submit_suggestion(
        session, suggestions.SuggestionData(text=text), process_id=two.id
    )
    session.commit()
    mine_id, theirs_id = mine.id, theirs.id
    # The same text in another process is no duplicate of it.
    assert theirs.duplicate_of_id is None
    # A focus area the process did not choose is refused.
    with pytest.raises(suggestions.InvalidChoice):
        suggestions.submit_suggestion(
            session,
            suggestions.SuggestionData(text=text, focus_area_id=focus_areas[0].id),
            process_id=two.id,
        )
    session.rollback()
    meeting_one = make_meeting(process_id=one.id)
    meeting_two = make_meeting(process_id=two.id)
    meetings.register(session, meeting_one.id, signup_data())
    meetings.register(session, meeting_two.id, signup_data())
    session.commit()

    page = inputs.inbox_page(
        session, inputs.InboxFilter(base=inputs.InputFilter(process_id=one.id))
    )
    assert [i.id for i in page.items] == [mine_id]
    assert counts(session, process_id=two.id).total == 1
    assert [r.meeting.id for r in meetings.meeting_overview(session, one.id)] == [meeting_one.id]
    with app.test_request_context():
        sheet = registration_sheet(session, Labels("nb"), ["a"] * 20, "x", process_id=two.id)
        assert len(list(sheet.rows)) == 1
    # One active run per process: both may run at once; neither lists the other's.
    run_one = runs.start_run(session, actor="test", process_id=one.id)
    run_two = runs.start_run(session, actor="test", process_id=two.id)
    session.commit()
    assert runs.list_runs(session, process_id=one.id) == [run_one]
    assert runs.latest_run(session, two.id) == run_two
    with pytest.raises(runs.RunInProgress):
        runs.start_run(session, actor="test", process_id=one.id)
    session.rollback()
    records = runs.input_records(session, process_id=two.id)
    assert [r.id for r in records] == [theirs_id]
    assert [a.key for a in runs.focus_area_specs(session, one.id)] == ["lokalmat"]


def test_the_back_office_shows_the_chosen_process_and_remembers_it(
    session, make_process, make_input, as_reviewer, reviewer, process
):
    other = make_process(titles={"nb": "Den andre prosessen"})  # activated last: current
    make_input("Innspill i standardprosessen om fiskeri og havbruk.", process_id=process.id)
    make_input("Innspill i den andre prosessen om reiseliv og kultur.", process_id=other.id)
    page = as_reviewer.get("/admin/")
    assert "andre prosessen om" in page.text and "standardprosessen" not in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    switched = as_reviewer.post(
        "/admin/prosess", data={"process": process.id, "next": "/admin/", "csrf_token": token}
    )
    assert switched.status_code == 303 and switched.headers["Location"] == "/admin/"
    session.expire_all()
    assert session.get(type(reviewer), reviewer.id).current_process_id == process.id
    page = as_reviewer.get("/admin/")
    assert "standardprosessen" in page.text and "andre prosessen om" not in page.text
    # An account limited to one process cannot switch to another.
    service.set_user_processes(
        session, None, session.get(type(reviewer), reviewer.id), [process.id]
    )
    session.commit()
    refused = as_reviewer.post("/admin/prosess", data={"process": other.id, "csrf_token": token})
    assert refused.status_code == 404
    page = as_reviewer.get("/admin/")
    assert "standardprosessen" in page.text and "andre prosessen om" not in page.text


def test_public_pages_of_processes(client, session, make_process, process):
    earlier = make_process(
        status="archived", titles={"nb": "Gammel prosess", "nn": "Gamal prosess"}
    )
    process.summary_nb = "Samandrag av standardprosessen."
    session.commit()
    home = client.get("/", headers={"Accept-Language": "nn"})
    assert "Standardprosess" in home.text and "Gamal prosess" in home.text
    assert "Tidlegare prosessar" in home.text
    page = client.get(f"/prosess/{earlier.slug}", headers={"Accept-Language": "nn"})
    assert page.status_code == 200 and "arkivert" in page.text
    box = client.get(f"/prosess/{earlier.slug}/innspill", headers={"Accept-Language": "nn"})
    assert "Innspelskassa er stengd" in box.text
    missing = client.get("/prosess/finst-ikkje", headers={"Accept-Language": "nn"})
    assert missing.status_code == 404 and 'lang="nn"' in missing.text
    assert client.get("/prosess/finst-ikkje/innspill").status_code == 404
    # /innspill/ is the current process's box.
    assert "Standardprosess" in client.get("/innspill/").text
