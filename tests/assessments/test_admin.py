"""The assessment pages: queue and progress, a group answered at once, approval."""

from __future__ import annotations

from sqlalchemy import select

from participation.models import Assessment, Publication
from tests.helpers import count, csrf_token, login


def _inputs(make_input, focus_areas):
    lokalmat = focus_areas[0]
    return [
        make_input(
            f"Mer lokalmat i butikkene nummer {n}, det er viktig.", focus_area_ids=[lokalmat.id]
        )
        for n in range(3)
    ] + [make_input("Bredbånd på fjellet og i distriktene trengs sårt.")]


def test_group_from_a_focus_area_then_approval(
    client, session, make_input, focus_areas, reviewer, admin
):
    items = _inputs(make_input, focus_areas)
    client.set_cookie("lang", "en")
    login(client, reviewer)
    page = client.get("/admin/vurdering/")
    assert page.status_code == 200
    assert "0 of 4 assessed" in page.text
    group = client.get(f"/admin/vurdering/svar?focus_area={focus_areas[0].id}")
    assert group.status_code == 200
    assert "3 inputs will get this assessment" in group.text
    response = client.post(
        "/admin/vurdering/svar",
        data={
            "csrf_token": csrf_token(group.text),
            "ids": [str(i.id) for i in items[:3]],
            "outcome": "partly",
            "comment": "Vi <script>alert(1)</script> **følger opp** lokalmat.",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/vurdering/")
    assert "3 of 4 assessed" in client.get("/admin/vurdering/").text
    # The comment is shown sanitised.
    approve = client.get("/admin/vurdering/godkjenn")
    assert "<strong>følger opp</strong>" in approve.text
    assert "<script>alert(1)" not in approve.text
    # The drafter cannot approve their own drafts: no box to tick, and a forced post fails.
    assert 'name="ids"' not in approve.text
    refused = client.post(
        "/admin/vurdering/godkjenn",
        data={"csrf_token": csrf_token(approve.text), "ids": [str(items[0].id)]},
    )
    assert refused.status_code == 422
    assert "Someone other than the person who drafted" in refused.text
    assert {r.state for r in session.execute(select(Assessment)).scalars()} == {"drafted"}

    client.post("/admin/logg-ut", data={"csrf_token": csrf_token(approve.text)})
    login(client, admin)
    approve = client.get("/admin/vurdering/godkjenn")
    done = client.post(
        "/admin/vurdering/godkjenn",
        data={"csrf_token": csrf_token(approve.text), "ids": [str(i.id) for i in items[:3]]},
    )
    assert done.status_code == 303
    session.expire_all()
    assert {r.state for r in session.execute(select(Assessment)).scalars()} == {"approved"}
    index = client.get("/admin/vurdering/")
    published = client.post(
        "/admin/vurdering/publiser",
        data={"csrf_token": csrf_token(index.text), "action": "publish"},
    )
    assert published.status_code == 303
    assert count(session, Publication.id) == 1


def test_bad_outcome_and_long_comment_are_refused(
    client, session, make_input, focus_areas, reviewer
):
    items = _inputs(make_input, focus_areas)
    client.set_cookie("lang", "en")
    login(client, reviewer)
    group = client.get(f"/admin/vurdering/svar?input={items[0].id}")
    for data, message in (
        ({"outcome": "maybe"}, "Choose one of the four outcomes."),
        ({"outcome": "noted", "comment": "x" * 5001}, "Write at most 5000 characters."),
    ):
        response = client.post(
            "/admin/vurdering/svar",
            data={"csrf_token": csrf_token(group.text), "ids": [str(items[0].id)], **data},
        )
        assert response.status_code == 422
        assert message in response.text
    assert count(session, Assessment.input_id) == 0


def test_nn_page_and_reviewer_cannot_publish(client, make_input, focus_areas, reviewer):
    _inputs(make_input, focus_areas)
    login(client, reviewer, lang="nn")
    page = client.get("/admin/vurdering/", headers={"Accept-Language": "nn"})
    assert page.status_code == 200
    assert "Publiser svara" not in page.text
    assert client.post("/admin/vurdering/publiser", data={}).status_code in (400, 403)


def test_inbox_filter_result_as_a_group(client, make_input, focus_areas, reviewer):
    _inputs(make_input, focus_areas)
    client.set_cookie("lang", "en")
    login(client, reviewer)
    page = client.get("/admin/vurdering/svar?q=bredbånd")
    assert "1 input will get this assessment" in page.text


def test_duplicate_campaign_as_a_group(client, make_input, reviewer):
    text = "Kampanje: bygg ny kai i Skjervøy nå, det haster for fiskeriene."
    first = make_input(text)
    second = make_input(text)
    make_input("Noe annet om reiseliv og helårsarbeidsplasser i regionen.")
    assert second.duplicate_of_id == first.id
    client.set_cookie("lang", "en")
    login(client, reviewer)
    detail = client.get(f"/admin/innspill/{second.id}")
    assert f"/admin/vurdering/svar?duplicate_of={second.id}" in detail.text
    page = client.get(f"/admin/vurdering/svar?duplicate_of={second.id}")
    assert "2 inputs will get this assessment" in page.text
