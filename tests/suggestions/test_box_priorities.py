"""The priorities question inside the suggestion box: optional, up to the configured
number of ordered focus areas, stored in the same submission (channel
``suggestion_box``) and anonymous; a refused choice stores nothing at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.models import Input, PriorityAnswer
from participation.priorities import service as priorities
from tests.helpers import count, input_count
from tests.suggestions.conftest import GOOD_TEXT


def test_the_box_offers_the_ordered_choices_of_its_process(client, focus_areas):
    page = client.get("/innspill/", headers={"Accept-Language": "nb"}).text
    for i in (1, 2, 3):
        assert f'name="priority_{i}"' in page
    assert 'name="priority_4"' not in page
    assert "Hvilke satsingsområder bør komme først? (valgfritt)" in page
    assert "Førstevalg" in page
    retired = focus_areas[3]
    assert f'<option value="{retired.id}"' not in page


def test_a_suggestion_with_priorities_is_stored_in_one_submission(
    session, suggest, focus_areas, process, make_region
):
    lokalmat, reiseliv, havbruk, _retired = focus_areas
    region = make_region(name="Nord-Troms")
    session.commit()
    response = suggest(
        priority_1=str(reiseliv.id),
        priority_2="",
        priority_3=str(lokalmat.id),
        region=str(region.id),
        category="business",
    )
    assert response.status_code == 303
    session.expire_all()
    item = session.execute(select(Input)).scalar_one()
    assert item.redacted_text == GOOD_TEXT
    answer = session.execute(select(PriorityAnswer)).scalar_one()
    assert answer.channel == "suggestion_box" and answer.process_id == process.id
    assert [(c.focus_area_id, c.rank) for c in answer.choices] == [
        (reiseliv.id, 1),
        (lokalmat.id, 2),
    ]
    assert answer.region_id == region.id and answer.respondent_category == "business"
    assert answer.meeting_id is None and not answer.flagged
    assert priorities.results(session, process.id).answers == 1


def test_without_priorities_only_the_suggestion_is_stored(session, suggest, focus_areas):
    assert suggest(priority_1="", priority_2="", priority_3="").status_code == 303
    assert input_count(session) == 1
    assert count(session, PriorityAnswer.id) == 0


@pytest.mark.parametrize(
    "choices, message",
    [
        ({"priority_1": "A", "priority_2": "A"}, "Vel kvart satsingsområde berre éin gong."),
        ({"priority_1": "RETIRED"}, "Vel eitt av alternativa."),  # not offered at all
        ({"priority_1": "999999"}, "Vel eitt av alternativa."),
        (
            {"priority_1": "A", "priority_2": "B", "priority_3": "C", "priority_4": "RETIRED"},
            "Vel høgst 3 satsingsområde.",
        ),
    ],
)
def test_bad_priorities_store_nothing(session, suggest, focus_areas, choices, message):
    ids = {"A": focus_areas[0].id, "B": focus_areas[1].id, "C": focus_areas[2].id}
    ids["RETIRED"] = focus_areas[3].id
    fields = {k: str(ids.get(v, v)) for k, v in choices.items()}
    response = suggest(headers={"Accept-Language": "nn"}, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert GOOD_TEXT in response.text  # the text is kept for the next try
    assert input_count(session) == 0
    assert count(session, PriorityAnswer.id) == 0


def test_an_area_of_another_process_is_refused(session, suggest, focus_areas, process):
    from participation.processes import service as processes

    processes.set_focus_areas(session, process.id, [focus_areas[0].id])
    session.commit()
    response = suggest(priority_1=str(focus_areas[1].id))
    assert response.status_code == 422
    assert input_count(session) == 0 and count(session, PriorityAnswer.id) == 0


def test_box_priorities_in_a_burst_are_flagged_not_counted(
    app, session, suggest, focus_areas, process
):
    app.config["PRIORITY_BURST_LIMIT"] = 2
    for _ in range(3):
        assert suggest(priority_1=str(focus_areas[0].id)).status_code == 303
    flags = list(
        session.execute(select(PriorityAnswer.flagged).order_by(PriorityAnswer.id)).scalars()
    )
    assert flags == [False, False, True]
    assert priorities.results(session, process.id).answers == 2
    assert input_count(session) == 3
