"""The analysis quality page says how much reviewed data the process has: inputs whose
focus areas a reviewer confirmed, per focus area, and what the run's model learned each
area from (reviewed input, the bundled examples, or only the seed terms of a new area)."""

from __future__ import annotations

import re

import pytest

from participation.inputs import service as inputs
from participation.insights import results
from participation.models import FocusArea
from participation.processes import service
from tests.helpers import login


@pytest.fixture
def hydrogen(session):
    """A focus area new to this process: seed terms only, no bundled example."""
    names = {f"name_{lang}": "Hydrogen" for lang in ("nb", "nn", "en")}
    area = FocusArea(key="hydrogen", seed_terms=["hydrogen", "elektrolyse"], position=99, **names)
    session.add(area)
    session.commit()
    return area


def _row(page: str, name: str) -> list[str]:
    row = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', page, re.S)[1]
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


def test_the_quality_page_counts_the_reviewed_inputs_per_focus_area(
    client, session, reviewer, process, default_areas, hydrogen, corpus, run_analysis
):
    chosen = [default_areas[k] for k in ("local_food", "tourism", "energy")] + [hydrogen]
    service.set_focus_areas(session, process.id, [a.id for a in chosen])
    food, tourism = default_areas["local_food"].id, default_areas["tourism"].id
    # Reviewed before the run (its model learns them): two on local food, one "none".
    inputs.confirm_focus_areas(session, reviewer, corpus[0].id, [food])
    inputs.confirm_focus_areas(session, reviewer, corpus[1].id, [food])
    inputs.confirm_focus_areas(session, reviewer, corpus[12].id, [])
    session.commit()
    run = run_analysis()
    # Reviewed after the run: counted, but not in its model.
    inputs.confirm_focus_areas(session, reviewer, corpus[2].id, [tourism])
    session.commit()

    data = results.reviewed_data(session, run)
    assert (data.reviewed, data.none_applies, data.in_model) == (4, 1, 3)
    by_key = {a.area.key: a for a in data.areas}
    assert (by_key["local_food"].confirmed, by_key["local_food"].in_model) == (2, 2)
    assert [by_key[k].learned_from for k in ("local_food", "tourism", "energy", "hydrogen")] == [
        "confirmed",
        "example",
        "example",
        "seed_term",
    ]

    client.set_cookie("lang", "en")
    assert login(client, reviewer).status_code == 303
    page = client.get("/admin/analyse/kvalitet").text
    assert "Reviewers have confirmed the focus areas of 4 inputs in this process." in page
    assert "For 1 of them, none of the focus areas applies." in page
    assert f"The model of run {run.id} was trained on 3 reviewed inputs of this process" in page
    assert "are suggested from their seed terms, names and descriptions only: Hydrogen." in page
    assert _row(page, "Local food and drink") == ["2", "2", "Inputs reviewers confirmed"]
    assert _row(page, "Tourism") == ["1", "0", "Bundled examples only"]
    assert _row(page, "Hydrogen") == ["0", "0", "Seed terms, name and description only"]


def test_a_process_without_reviewed_input_says_its_model_learned_none(
    client, session, reviewer, default_areas, corpus, run_analysis
):
    run = run_analysis()
    client.set_cookie("lang", "nn")
    assert login(client, reviewer).status_code == 303
    page = client.get("/admin/analyse/kvalitet")
    assert page.status_code == 200
    data = results.reviewed_data(session, run)
    assert (data.reviewed, data.in_model, data.seed_only) == (0, 0, [])
    assert f"Modellen i køyring {run.id} er ikkje trena på nokon stadfesta innspel" in page.text
