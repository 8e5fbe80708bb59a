"""The suggestion service and the common inbox rules behind it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from participation.inputs import service as inputs
from participation.models import Input, InputChannel
from participation.suggestions import service
from tests.helpers import input_count
from tests.suggestions.conftest import GOOD_TEXT


def submit(session, text=GOOD_TEXT, today=None, **kwargs) -> Input:
    item = service.submit_suggestion(
        session, service.SuggestionData(text=text, **kwargs), today=today
    )
    session.commit()
    return item


def test_suggestion_is_stored_redacted_with_a_receipt_code_and_only_the_date(session):
    item = submit(
        session,
        text="Satsingen på lokalmat må styrkes. Ring meg på 912 34 567 eller ola@example.no.",
        today=date(2026, 3, 4),
    )
    assert item.channel == InputChannel.SUGGESTION_BOX
    assert item.redacted_text == (
        "Satsingen på lokalmat må styrkes. Ring meg på [telefonnummer] eller [e-post]."
    )
    assert item.text == item.redacted_text  # the text as written is never stored
    assert item.created_on == date(2026, 3, 4)
    assert isinstance(item.created_on, date) and not hasattr(item.created_on, "hour")
    assert item.status == "new"
    assert len(item.receipt_code) == 9 and item.receipt_code[4] == "-"
    assert inputs.find_by_receipt(session, item.receipt_code.lower()).id == item.id


def test_choices_are_kept(session, focus_areas, make_region):
    region = make_region(name="Nord-Troms")
    item = submit(
        session, focus_area_id=focus_areas[0].id, region_id=region.id, category="business"
    )
    assert [a.key for a in item.focus_areas] == ["lokalmat"]
    assert item.region_id == region.id
    assert item.respondent_category == "business"


@pytest.mark.parametrize(
    "text, form",
    [
        ("Eg meiner at fylket ikkje har gjort nok for kysten, og kva skal skje no?", "nn"),
        ("Jeg mener at fylket ikke har gjort nok for kysten, og hva skal skje nå?", "nb"),
    ],
)
def test_written_form_is_detected(session, text, form):
    assert submit(session, text=text).written_form == form


@pytest.mark.parametrize("text", ["For kort", " " * 30 + "kort" + " " * 30, "x" * 5001])
def test_length_rules_store_nothing(session, text):
    with pytest.raises((service.TextTooShort, service.TextTooLong)):
        service.submit_suggestion(session, service.SuggestionData(text=text))
    session.rollback()
    assert input_count(session) == 0


def test_exactly_the_limits_are_accepted(session):
    assert submit(session, text="a" * 20).text_length == 20
    assert submit(session, text="b" * 5000).text_length == 5000


def test_crlf_line_breaks_count_as_one_character(session):
    text = "Linje én er her.\r\n" * 290  # 18 characters a line as a browser sends it
    assert len(text) > 5000 and len(text.replace("\r\n", "\n").strip()) < 5000
    assert submit(session, text=text).text.count("\r") == 0


def test_unknown_or_inactive_choices_are_refused(session, focus_areas):
    for data in (
        service.SuggestionData(text=GOOD_TEXT, focus_area_id=focus_areas[3].id),  # inactive
        service.SuggestionData(text=GOOD_TEXT, focus_area_id=99999),
        service.SuggestionData(text=GOOD_TEXT, region_id=99999),
        service.SuggestionData(text=GOOD_TEXT, category="alien"),
    ):
        with pytest.raises(service.InvalidChoice):
            service.submit_suggestion(session, data)
        session.rollback()
    assert input_count(session) == 0


def test_exact_duplicates_are_accepted_but_marked(session):
    first = submit(session)
    again = submit(session, text="  " + GOOD_TEXT.upper().replace(",", " ,") + "!! ")
    third = submit(session)
    assert first.duplicate_of_id is None
    assert (again.duplicate_of_id, again.duplicate_kind) == (first.id, "exact")
    assert (third.duplicate_of_id, third.duplicate_kind) == (first.id, "exact")
    assert [i.id for i in inputs.duplicate_group(session, third.id)] == [
        first.id,
        again.id,
        third.id,
    ]
    assert input_count(session) == 3  # accepted, all of them


def test_near_duplicates_are_marked_with_their_similarity(session):
    first = submit(session)
    edited = submit(session, text=GOOD_TEXT.replace("små produsenter", "små produsentar"))
    assert edited.duplicate_of_id == first.id
    assert edited.duplicate_kind == "near"
    assert 0.8 <= edited.duplicate_score < 1


def test_different_texts_are_not_duplicates(session):
    submit(session)
    other = submit(session, text="Bygg ut mobilnettet langs kysten, det haster for fiskeflåten.")
    assert other.duplicate_of_id is None


def test_duplicates_are_found_after_redaction(session):
    # Two people pasting a campaign text, each with their own phone number.
    a = submit(session, text=GOOD_TEXT + " Ring 912 34 567.")
    b = submit(session, text=GOOD_TEXT + " Ring 40 00 00 01.")
    assert (b.duplicate_of_id, b.duplicate_kind) == (a.id, "exact")


def test_reviewer_can_unmark_a_duplicate(session):
    submit(session)
    again = submit(session)
    inputs.mark_not_duplicate(session, None, again.id)
    session.commit()
    assert session.get(Input, again.id).duplicate_of_id is None


def test_check_personal_data_is_what_the_writer_is_warned_about():
    check = service.check_personal_data("Skriv til meg: kari@example.no\r\n")
    assert check.text == "Skriv til meg: [e-post]"
    assert [f.kind for f in check.findings] == ["email"]


def test_receipt_codes_are_unique(session):
    codes = {
        submit(session, text=f"Innspill nummer {n} om næringsliv i Troms").receipt_code
        for n in range(25)
    }
    assert len(codes) == 25
    assert session.scalar(select(Input.receipt_code).where(Input.receipt_code.is_(None))) is None
