"""Two processes: nothing of one shows in the other's assessments, priorities, answers
page, receipt look-up or reports (back office, public pages, command line, jobs)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from participation.assessments import figures, service
from participation.inputs import service as inputs
from participation.models import Job
from participation.priorities import service as priorities
from participation.processes import service as processes
from tests.helpers import csrf_token, login

OURS = "Vi ønsker flere lærlingplasser i havbruket på Senja, gjerne med fagbrev."
THEIRS = "Hemmelig innspill fra kompetanseplanen om vindkraft og reindrift på Finnmarksvidda."
OUR_COMMENT = "Administrasjonen følger opp lærlingplassene i handlingsplanen."
THEIR_COMMENT = "Kommentar som bare hører til kompetanseplanen."


@pytest.fixture
def two(session, process, make_process, make_input, make_meeting, reviewer, admin, focus_areas):
    """``process`` (ours) and a second active process (theirs, now the current one),
    each with an assessed, approved, published input, a meeting, priorities answers
    and published answers and priorities."""
    theirs = make_process(slug="kompetanseplan", titles={"nb": "Regional plan for kompetanse"})
    processes.set_focus_areas(session, process.id, [focus_areas[0].id, focus_areas[1].id])
    processes.set_focus_areas(session, theirs.id, [focus_areas[2].id])
    session.commit()
    made = {}
    for key, owner, text, comment, code, area in (
        ("ours", process, OURS, OUR_COMMENT, "ABCD-2345", focus_areas[0]),
        ("theirs", theirs, THEIRS, THEIR_COMMENT, "WXYZ-6789", focus_areas[2]),
    ):
        item = make_input(text, process_id=owner.id, receipt_code=code, focus_area_ids=[area.id])
        waiting = make_input(
            f"Et innspill som venter på vurdering i {owner.slug}.", process_id=owner.id
        )
        inputs.publish(session, admin, item.id)
        meeting = make_meeting(process_id=owner.id, title=f"Møte i {owner.slug}")
        service.draft(
            session,
            reviewer,
            [item.id],
            service.AssessmentData("adopted", comment),
            process_id=owner.id,
        )
        service.approve(session, admin, [item.id], process_id=owner.id)
        service.publish_answers(session, admin, process_id=owner.id)
        priorities.submit(session, priorities.PriorityData([area.id]), process_id=owner.id)
        priorities.publish(session, admin, process_id=owner.id)
        session.commit()
        made[key] = {
            "process": owner,
            "input": item.id,
            "waiting": waiting.id,
            "meeting": meeting.id,
            "area": area,
        }
    return made


def test_services_keep_the_processes_apart(session, two, reviewer):
    ours, theirs = two["ours"], two["theirs"]
    pid = ours["process"].id
    assert service.progress(session, pid).total == 2
    assert service.progress(session, pid).approved == 1
    assert service.waiting_ids(session, pid) == [ours["waiting"]]
    assert service.drafted_ids(session, pid) == []
    assert service.duplicate_ids(session, pid, theirs["input"]) == []
    assert [a.area.id for a in figures.by_focus_area(session, pid)] == [ours["area"].id]
    assert figures.answered_count(session, pid) == 1
    assert figures.participation(session, pid).total == 2
    assert [m.meeting.id for m in figures.participation(session, pid).meetings] == []
    results = priorities.results(session, pid)
    assert results.answers == 1 and [r.area.id for r in results.areas] == [ours["area"].id]
    assert service.recipients(session, pid) == []
    # An input of the other process is refused like one that is gone; nothing changes.
    with pytest.raises(service.InputNotFound):
        service.draft(
            session,
            reviewer,
            [ours["waiting"], theirs["waiting"]],
            service.AssessmentData("noted"),
            process_id=pid,
        )
    session.rollback()
    assert service.assessments_for(session, [ours["waiting"], theirs["waiting"]]) == {}
    # A focus area or meeting of the other process is refused for a priorities answer.
    for data in (
        priorities.PriorityData([theirs["area"].id]),
        priorities.PriorityData(
            [ours["area"].id], channel="workshop", meeting_id=theirs["meeting"]
        ),
    ):
        with pytest.raises(priorities.InvalidChoice):
            priorities.submit(session, data, process_id=pid)
    session.rollback()
    assert priorities.results(session, pid).answers == 1


def test_the_back_office_shows_the_process_chosen(app, client, session, two, admin, make_user):
    ours, theirs = two["ours"], two["theirs"]
    processes.switch_process(session, admin, ours["process"].id)
    session.commit()
    login(client, admin)
    pages = [
        "/admin/vurdering/",
        "/admin/vurdering/svar",
        f"/admin/vurdering/svar?input={ours['input']}",
        "/admin/vurdering/godkjenn",
        "/admin/prioriteringar/",
        f"/admin/prioriteringar/mote/{ours['meeting']}/skjerm",
        f"/admin/prioriteringar/mote/{ours['meeting']}/resultat",
        "/admin/rapportar",
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        for secret in (
            THEIRS,
            THEIR_COMMENT,
            "Møte i kompetanseplan",
            "Et innspill som venter på vurdering i kompetanseplan",
        ):
            assert secret not in page.text, (url, secret)
    assert "1 of 2" in client.get("/admin/vurdering/", headers={"Accept-Language": "en"}).text
    # Naming the other process's input in the address answers nothing of it.
    page = client.get(f"/admin/vurdering/svar?input={theirs['input']}")
    assert THEIRS not in page.text
    # A reviewer limited to our process cannot open the other's meeting screen.
    limited = make_user("reviewer", email="begrenset@fylke.example.no")
    processes.set_user_processes(session, None, limited, [ours["process"].id])
    session.commit()
    other = app.test_client()
    login(other, limited)
    assert other.get(f"/admin/prioriteringar/mote/{theirs['meeting']}/skjerm").status_code == 404


def _draft_over_http(client, input_id: int):
    page = client.get("/admin/vurdering/svar")
    assert page.status_code == 200
    return client.post(
        "/admin/vurdering/svar",
        data={"csrf_token": csrf_token(page.text), "ids": [str(input_id)], "outcome": "noted"},
        headers={"Accept-Language": "en"},
    )


def test_drafting_the_other_process_input_from_the_back_office_changes_nothing(
    client, session, two, reviewer
):
    ours, theirs = two["ours"], two["theirs"]
    processes.switch_process(session, reviewer, ours["process"].id)
    session.commit()
    login(client, reviewer, lang="en")
    response = _draft_over_http(client, theirs["waiting"])
    assert response.status_code == 422
    assert "no longer exists or has been hidden" in response.text
    session.expire_all()
    assert service.assessments_for(session, [theirs["waiting"]]) == {}


def test_an_archived_process_assessments_are_read_only(client, session, two, admin):
    ours = two["ours"]
    processes.archive(session, None, ours["process"].id)
    processes.switch_process(session, admin, ours["process"].id)
    session.commit()
    login(client, admin)
    response = _draft_over_http(client, ours["waiting"])
    assert response.status_code == 409
    session.expire_all()
    assert service.assessments_for(session, [ours["waiting"]]) == {}


def test_public_pages_per_process(client, session, two):
    ours, theirs = two["ours"], two["theirs"]
    slug, other = ours["process"].slug, theirs["process"].slug
    page = client.get(f"/prosess/{slug}/svar/")
    assert page.status_code == 200
    assert OURS in page.text and OUR_COMMENT in page.text
    assert THEIRS not in page.text and THEIR_COMMENT not in page.text
    page = client.get(f"/prosess/{other}/svar/")
    assert THEIRS in page.text and OURS not in page.text
    # /svar/ is the current process's (the latest activated: theirs).
    assert THEIRS in client.get("/svar/").text
    assert client.get("/prosess/finnes-ikke/svar/").status_code == 404
    results = client.get(f"/prosess/{slug}/prioriteringar/resultat")
    assert results.status_code == 200
    assert ours["area"].name_nb in results.text and theirs["area"].name_nb not in results.text
    form = client.get(f"/prosess/{slug}/prioriteringar")
    assert form.status_code == 200
    assert f'value="{ours["area"].id}"' in form.text
    assert f'value="{theirs["area"].id}"' not in form.text


def _look_up(client, url: str, code: str) -> str:
    page = client.get(url, headers={"Accept-Language": "en"})
    response = client.post(
        url,
        data={"csrf_token": csrf_token(page.text), "code": code},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    return response.text


def test_receipt_look_up_per_process(client, two):
    slug, other = two["ours"]["process"].slug, two["theirs"]["process"].slug
    assert OUR_COMMENT in _look_up(client, "/svar/kvittering", "ABCD-2345")
    assert OUR_COMMENT in _look_up(client, f"/prosess/{slug}/svar/kvittering", "abcd 2345")
    not_found = _look_up(client, f"/prosess/{other}/svar/kvittering", "ABCD-2345")
    assert "We found no input with this code" in not_found and OUR_COMMENT not in not_found
    assert THEIR_COMMENT in _look_up(client, "/svar/kvittering", "WXYZ-6789")


def test_reports_per_process(runner, session, two, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    slug = two["ours"]["process"].slug
    target = tmp_path / "notat.docx"
    result = runner.invoke(args=["report", "horingsnotat", "--process", slug, "-o", str(target)])
    assert result.exit_code == 0, result.output
    doc = Document(str(target))
    body = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert OURS[:40] in body and OUR_COMMENT in body and "Standardprosess" in body
    assert THEIRS[:40] not in body and THEIR_COMMENT not in body
    assert "Møte i kompetanseplan" not in body
    sheet = tmp_path / "merknader.xlsx"
    # Without --process: the current process (theirs).
    result = runner.invoke(args=["report", "merknader", "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(str(sheet)).active.iter_rows(values_only=True))[1:]
    assert {r[0] for r in rows} == {two["theirs"]["input"], two["theirs"]["waiting"]}
    # An unknown process: a translated message, a failing exit code, no file.
    missing = tmp_path / "ingen.xlsx"
    result = runner.invoke(
        args=["report", "merknader", "--process", "finnes-ikke", "--lang", "nn", "-o", str(missing)]
    )
    assert result.exit_code != 0
    assert "Det finst ingen prosess med adressa finnes-ikke." in result.output
    assert not missing.exists()


def test_report_job_is_the_process_shown_and_only_its_staff_see_it(
    app, client, session, two, reviewer, make_user, run_jobs
):
    ours, theirs = two["ours"], two["theirs"]
    processes.switch_process(session, reviewer, theirs["process"].id)
    session.commit()
    login(client, reviewer)
    page = client.get("/admin/rapportar")
    response = client.post(
        "/admin/rapportar",
        data={"csrf_token": csrf_token(page.text), "report": "xlsx", "language": "nb"},
    )
    assert response.status_code == 303
    job = session.execute(select(Job).order_by(Job.id.desc())).scalars().first()
    assert job.params["process_id"] == theirs["process"].id
    assert run_jobs() == 1
    from openpyxl import load_workbook

    status = client.get(response.headers["Location"] + "/status").get_json()
    download = client.get(status["download_url"])
    rows = list(load_workbook(io.BytesIO(download.data)).active.iter_rows(values_only=True))[1:]
    assert {r[0] for r in rows} == {theirs["input"], theirs["waiting"]}
    # A reviewer limited to our process: the other's report job is not found.
    limited = make_user("reviewer", email="begrenset@fylke.example.no")
    processes.set_user_processes(session, None, limited, [ours["process"].id])
    session.commit()
    other = app.test_client()
    login(other, limited)
    assert other.get(response.headers["Location"]).status_code == 404
    assert other.get(status["download_url"]).status_code == 404
