"""Priorities: limits, order, anonymity, bursts flagged, figures, the workshop screen."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from participation.models import PriorityAnswer, PriorityChoice, Publication
from participation.priorities import service
from tests.helpers import count, csrf_token, login


@pytest.fixture
def slow_ok(app):
    app.config["SUGGESTION_MIN_SECONDS"] = 0
    return app


def test_order_and_figures(session, focus_areas, make_region, process):
    lokalmat, reiseliv, havbruk, _retired = focus_areas
    north = make_region(name="Nord-Troms")
    for ids, region in (
        ([lokalmat.id, reiseliv.id, havbruk.id], north.id),
        ([reiseliv.id, lokalmat.id], north.id),
        ([lokalmat.id], None),
    ):
        service.submit(session, service.PriorityData(ids, region_id=region, category="citizen"))
    service.submit(session, service.PriorityData([havbruk.id]), flagged=True)
    session.commit()
    answer = session.execute(select(PriorityAnswer).order_by(PriorityAnswer.id)).scalars().first()
    assert [(c.rank, c.focus_area_id) for c in answer.choices] == [
        (1, lokalmat.id),
        (2, reiseliv.id),
        (3, havbruk.id),
    ]
    results = service.results(session, process.id)
    assert (results.answers, results.flagged) == (3, 1)
    table = {r.area.key: (r.rank, r.count, round(r.share, 3), r.first) for r in results.areas}
    assert table == {
        "lokalmat": (1, 3, 1.0, 2),
        "reiseliv": (2, 2, 0.667, 1),
        "havbruk": (3, 1, 0.333, 0),  # the flagged answer is not counted
    }
    every = service.all_results(session, process.id)
    regions = {b.label_key: b.results.answers for b in every.by_region}
    assert regions == {"Nord-Troms": 2, None: 1}
    assert {b.label_key: b.results.answers for b in every.by_category} == {"citizen": 3}


@pytest.mark.parametrize(
    ("ids", "error"),
    [
        ([], service.NoChoice),
        ("four", service.TooManyChoices),
        ("twice", service.SameAreaTwice),
        ("retired", service.InvalidChoice),
        ([999999], service.InvalidChoice),
    ],
)
def test_bad_answers_store_nothing(session, focus_areas, ids, error):
    lokalmat, reiseliv, havbruk, retired = focus_areas
    named = {
        "four": [lokalmat.id, reiseliv.id, havbruk.id, retired.id],
        "twice": [lokalmat.id, lokalmat.id],
        "retired": [retired.id],
    }
    ids = named[ids] if isinstance(ids, str) else ids
    with pytest.raises(error):
        service.submit(session, service.PriorityData(ids), max_choices=3)
    session.rollback()
    assert count(session, PriorityAnswer.id) == 0


def test_nothing_identifying_is_stored():
    columns = {c.key for c in sa_inspect(PriorityAnswer).columns} | {
        c.key for c in sa_inspect(PriorityChoice).columns
    }
    assert columns == {
        "id",
        "process_id",
        "channel",
        "created_on",
        "region_id",
        "respondent_category",
        "meeting_id",
        "flagged",
        "answer_id",
        "focus_area_id",
        "rank",
    }


def test_form_over_http_and_burst_flagged(client, session, slow_ok, focus_areas, process):
    lokalmat, reiseliv, _havbruk, _retired = focus_areas
    client.set_cookie("lang", "nn")
    page = client.get("/prioriteringar/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"

    def send(**values):
        form = client.get("/prioriteringar/")
        data = {"csrf_token": csrf_token(form.text), "started": _started(form.text)}
        data.update(values)
        return client.post("/prioriteringar/", data=data)

    same = send(choice_1=str(lokalmat.id), choice_2=str(lokalmat.id))
    assert same.status_code == 422
    assert "Vel kvart satsingsområde berre éin gong." in same.text
    assert send(choice_1="").status_code == 422
    assert send(choice_1="999999").status_code == 422
    assert count(session, PriorityAnswer.id) == 0
    for _ in range(4):
        response = send(choice_1=str(reiseliv.id), choice_2=str(lokalmat.id))
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/prioriteringar/takk")
    flags = list(
        session.execute(select(PriorityAnswer.flagged).order_by(PriorityAnswer.id)).scalars()
    )
    assert flags == [False, False, False, True]  # the fourth within the window: flagged
    assert service.results(session, process.id).answers == 3


def _started(html: str) -> str:
    import re

    return re.search(
        r'name="started"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="started"', html
    ).group(1)


def test_workshop_screen_and_live_results(
    client, session, slow_ok, focus_areas, make_meeting, reviewer, admin
):
    meeting = make_meeting(title="Innspillsmøte Midt-Troms")
    session.commit()
    lokalmat = focus_areas[0]
    form = client.get(f"/prioriteringar/mote/{meeting.id}")
    assert form.status_code == 200 and "Innspillsmøte Midt-Troms" in form.text
    for _ in range(5):  # a room behind one address: not a burst
        page = client.get(f"/prioriteringar/mote/{meeting.id}")
        response = client.post(
            f"/prioriteringar/mote/{meeting.id}",
            data={
                "csrf_token": csrf_token(page.text),
                "started": _started(page.text),
                "choice_1": str(lokalmat.id),
            },
        )
        assert response.status_code == 303
    answers = list(session.execute(select(PriorityAnswer)).scalars())
    assert {(a.channel, a.meeting_id, a.flagged) for a in answers} == {
        ("workshop", meeting.id, False)
    }
    assert client.get("/prioriteringar/mote/999999").status_code == 404

    client.set_cookie("lang", "en")
    login(client, reviewer)
    screen = client.get(f"/admin/prioriteringar/mote/{meeting.id}/skjerm")
    assert screen.status_code == 200
    assert "<svg" in screen.text and 'aria-live="polite"' in screen.text
    assert f"localhost/prioriteringar/mote/{meeting.id}" in screen.text
    live = client.get(f"/admin/prioriteringar/mote/{meeting.id}/resultat")
    assert "Based on 5 answers." in live.text and "Local food" in live.text, live.text
    overview = client.get("/admin/prioriteringar/")
    assert overview.status_code == 200 and "Based on 5 answers." in overview.text


def test_results_public_only_once_published(client, session, focus_areas, admin):
    service.submit(session, service.PriorityData([focus_areas[0].id]))
    session.commit()
    client.set_cookie("lang", "en")
    assert "has not published the results yet" in client.get("/prioriteringar/resultat").text
    login(client, admin)
    page = client.get("/admin/prioriteringar/")
    response = client.post(
        "/admin/prioriteringar/publiser",
        data={"csrf_token": csrf_token(page.text), "action": "publish"},
    )
    assert response.status_code == 303
    assert count(session, Publication.id) == 1
    public = client.get("/prioriteringar/resultat")
    assert "Based on 1 answer." in public.text and "Local food" in public.text
