"""Accounts limited to some processes, and archived processes read-only: walked over
every back-office URL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from participation.consultation import attachments as files
from participation.insights import runs
from participation.meetings import service as meetings
from participation.models import AuditEntry, Input, Job, Registration
from participation.processes import service
from tests.helpers import login, pdf_bytes

SECRET = "Hemmelig innspill fra den andre prosessen om vindkraft og reindrift."


@pytest.fixture
def other_world(session, make_process, make_meeting, make_draft, make_response, signup_data):
    """Rows of every kind in a process the reviewer may not see."""
    other = make_process(titles={"nb": "Den andre prosessen"})
    meeting = make_meeting(process_id=other.id, title="Hemmelig møte")
    registration = meetings.register(session, meeting.id, signup_data())
    draft = make_draft(process_id=other.id)
    response = make_response(
        draft,
        draft.sections[0],
        text=SECRET,
        uploads=[files.UploadedFile("vedlegg.pdf", pdf_bytes())],
    )
    run = runs.start_run(session, actor="test", process_id=other.id)
    job = Job(kind="analysis", params={"run_id": run.id}, status="queued")
    session.add(job)
    session.commit()
    return {
        "process": other,
        "input_id": response.input.id,
        "meeting_id": meeting.id,
        "registration_id": registration.id,
        "draft_id": draft.id,
        "section_id": draft.sections[0].id,
        "response_id": response.id,
        "attachment_id": response.attachments[0].id,
        "run_id": run.id,
        "job_id": job.id,
    }


def _url(rule, values: dict) -> str | None:
    """The rule's address naming the other process's rows; None when it names none."""
    if not set(rule.arguments) & set(values):
        return None
    url = rule.rule
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        if name == "fmt":
            value = "csv"
        elif name in values:
            if values[name] is None:
                return None
            value = str(values[name])
        else:
            return None  # no row of the other process to name (themes, users …)
        pattern = rf"<(?:{converter}(?:\([^)]*\))?:)?{name}>" if converter else rf"<{name}>"
        url = re.sub(pattern, value, url)
    return url


def test_a_reviewer_of_one_process_reaches_nothing_of_another(
    app, session, make_user, client, other_world, process
):
    reviewer = make_user("reviewer")
    service.set_user_processes(session, None, reviewer, [process.id])
    session.commit()
    assert login(client, reviewer).status_code == 303
    app.config["WTF_CSRF_ENABLED"] = False
    audit_before = session.scalar(select(func.count(AuditEntry.id)))
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    walked = 0
    for rule in rules:
        url = _url(rule, other_world)
        if url is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"text": "x", "status": "hidden"})
            walked += 1
            assert response.status_code in (403, 404), (method, url, response.status_code)
            assert SECRET not in response.text, (method, url)
    assert walked > 40
    # Lists without a row in their address show only the reviewer's process.
    for rule in rules:
        if rule.arguments or "GET" not in rule.methods or rule.endpoint.endswith("logout"):
            continue
        response = client.get(rule.rule)
        assert SECRET not in response.text, rule.rule
        assert "Hemmelig møte" not in response.text, rule.rule
    session.expire_all()
    assert session.scalar(select(func.count(AuditEntry.id))) == audit_before
    assert session.get(Input, other_world["input_id"]).status == "new"
    assert session.get(Registration, other_world["registration_id"]).status == "confirmed"


def test_an_archived_process_is_read_only_in_the_back_office(
    session, make_process, make_input, make_meeting, as_admin, admin
):
    done = make_process()
    item = make_input("Et innspill i en prosess som snart er ferdig.", process_id=done.id)
    meeting = make_meeting(process_id=done.id, starts_at=datetime.now(UTC) - timedelta(days=3))
    service.archive(session, None, done.id)
    service.switch_process(session, admin, done.id)
    session.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', as_admin.get("/admin/").text)[1]
    page = as_admin.get("/admin/", headers={"Accept-Language": "nn"})
    assert "Denne prosessen er arkivert og kan berre lesast." in page.text
    for url, data in [
        (f"/admin/innspill/{item.id}/status", {"status": "published"}),
        (f"/admin/innspill/{item.id}/notat", {"text": "Notat"}),
        (f"/admin/moter/{meeting.id}/melding", {"subject": "Hei", "body": "Hei"}),
        ("/admin/moter/ny", {"title": "Nytt møte"}),
        ("/admin/horing/ny", {"title": "Nytt utkast"}),
        ("/admin/analyse/kjor", {}),
    ]:
        response = as_admin.post(
            url, data={**data, "csrf_token": token}, headers={"Accept-Language": "nn"}
        )
        assert response.status_code == 409, url
        assert "Prosessen er arkivert" in response.text, url
    session.expire_all()
    assert session.get(Input, item.id).status == "new"
    # Reading still works.
    assert as_admin.get(f"/admin/innspill/{item.id}").status_code == 200
