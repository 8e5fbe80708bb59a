"""The common inbox: workshop notes (one by one, CSV, CLI) and the back office's filters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from participation.inputs import notes as workshop_notes
from participation.inputs import service as inputs
from participation.models import Input, InputChannel
from tests.helpers import input_count


@pytest.fixture
def meeting(make_meeting, session):
    found = make_meeting(starts_at=datetime(2026, 9, 5, 7, 0, tzinfo=UTC))  # 09:00 in Oslo
    found.region.slug, found.region.name = "midt-troms", "Midt-Troms"
    session.commit()
    return found


def test_workshop_note_is_tied_to_its_meeting_region_and_day(session, meeting, focus_areas):
    note = workshop_notes.record_workshop_note(
        session,
        meeting_id=meeting.id,
        text="Gruppe 2: Vi trenger bedre fergesamband for sjømatnæringen på Senja.",
        respondent_category="business",
        focus_area_ids=[focus_areas[0].id, focus_areas[1].id],
    )
    session.commit()
    assert note.channel == InputChannel.WORKSHOP_NOTE
    assert note.meeting_id == meeting.id
    assert note.region_id == meeting.region_id
    assert note.created_on == date(2026, 9, 5)
    assert {a.key for a in note.focus_areas} == {"lokalmat", "reiseliv"}
    assert note.written_form == "nb"


def test_workshop_note_for_unknown_meeting_is_refused(session):
    with pytest.raises(inputs.UnknownMeeting):
        workshop_notes.record_workshop_note(session, meeting_id=4242, text="Et notat fra et møte.")
    session.rollback()
    assert input_count(session) == 0


CSV_OK = (
    "meeting_id;text;category;focus_areas;date\n"
    "{id};Flere lærlingplasser i industrien;business;lokalmat;\n"
    '{id};"Fergene må gå oftere; særlig om vinteren";municipality;lokalmat|reiseliv;06.09.2026\n'
    "{id};Eg meiner reiselivet treng fleire heilårsjobbar, ikkje berre vinter;;;\n"
)


def test_csv_import_creates_every_row(session, meeting, focus_areas):
    report = workshop_notes.import_workshop_notes(session, CSV_OK.format(id=meeting.id))
    session.commit()
    assert report.ok and len(report.created) == 3
    notes = session.execute(select(Input).order_by(Input.id)).scalars().all()
    assert [n.respondent_category for n in notes] == ["business", "municipality", None]
    assert notes[1].text == "Fergene må gå oftere; særlig om vinteren"
    assert notes[1].created_on == date(2026, 9, 6)
    assert notes[0].created_on == date(2026, 9, 5)
    assert {a.key for a in notes[1].focus_areas} == {"lokalmat", "reiseliv"}
    assert notes[2].written_form == "nn"


def test_csv_import_by_region_name_with_a_bom_and_commas(session, meeting):
    source = "\ufeffregion,text\nMidt-Troms,Bedre mobildekning langs kysten\nmidt-troms,Mer kai\n"
    report = workshop_notes.import_workshop_notes(session, source)
    assert report.ok and {n.meeting_id for n in report.created} == {meeting.id}


def test_csv_import_with_one_bad_row_imports_nothing_and_says_where(session, meeting):
    source = (
        "meeting_id;text;category;focus_areas;date\n"
        f"{meeting.id};Et helt greit notat;business;;\n"
        f"{meeting.id};;business;;\n"
        f"999999;Ukjent møte;alien;nope;32.13.2026\n"
    )
    report = workshop_notes.import_workshop_notes(session, source)
    session.rollback()
    assert not report.ok
    assert [(e.line, e.code) for e in report.errors] == [
        (3, "empty_text"),
        (4, "unknown_meeting"),
        (4, "unknown_category"),
        (4, "unknown_focus_area"),
        (4, "bad_date"),
    ]
    with force_locale("nb"):
        assert str(report.errors[0].message) == "Teksten er tom."
    assert input_count(session) == 0


@pytest.mark.parametrize(
    "source, code",
    [
        ("meeting_id;tekst\n1;hei\n", "no_text_column"),
        ("text\nEt notat uten møte\n", "no_meeting_column"),
        ("meeting_id;text\n", "empty_file"),
    ],
)
def test_csv_import_refuses_files_of_the_wrong_shape(session, meeting, source, code):
    report = workshop_notes.import_workshop_notes(session, source)
    assert [e.code for e in report.errors] == [code]
    assert input_count(session) == 0


def test_csv_import_with_a_meeting_for_the_whole_file(session, meeting):
    report = workshop_notes.import_workshop_notes(
        session, "text\nNotat en fra tavla\nNotat to fra tavla\n", default_meeting_id=meeting.id
    )
    assert report.ok and len(report.created) == 2


def test_decode_csv_bytes_reads_old_excel_files():
    assert workshop_notes.decode_csv_bytes("text\nSjømat\n".encode("cp1252")) == "text\nSjømat\n"
    assert workshop_notes.decode_csv_bytes("\ufefftext\nø\n".encode()) == "text\nø\n"


def test_cli_import_notes(runner, session, meeting, focus_areas, tmp_path):
    good = tmp_path / "notes.csv"
    good.write_text(CSV_OK.format(id=meeting.id), encoding="utf-8")
    result = runner.invoke(args=["inputs", "import-notes", str(good)])
    assert result.exit_code == 0, result.output
    assert "imported 3 workshop notes" in result.output
    assert input_count(session) == 3

    bad = tmp_path / "bad.csv"
    bad.write_text("meeting_id;text\n999999;Hei på deg\n", encoding="utf-8")
    result = runner.invoke(args=["inputs", "import-notes", str(bad)])
    assert result.exit_code != 0
    assert "line 2" in result.output and "nothing imported" in result.output
    assert input_count(session) == 3


# ---------------------------------------------------------------- back-office reading


def make_inputs(session, meeting, focus_areas):
    from participation.suggestions import service as suggestions

    a = suggestions.submit_suggestion(
        session,
        suggestions.SuggestionData(
            text="Lokalmatprodusentene trenger felles distribusjon til butikkene.",
            focus_area_id=focus_areas[0].id,
            region_id=meeting.region_id,
            category="business",
        ),
        today=date(2026, 9, 1),
    )
    b = suggestions.submit_suggestion(
        session,
        suggestions.SuggestionData(
            text="Eg vil ha meir satsing på reiseliv om sommaren, ikkje berre nordlys."
        ),
        today=date(2026, 9, 10),
    )
    c = workshop_notes.record_workshop_note(
        session,
        meeting_id=meeting.id,
        text="Lokalmatprodusentene trenger felles distribusjon til butikkene.",
    )
    session.commit()
    return a, b, c


def ids(session, **filters) -> list[int]:
    query = inputs.filtered_inputs(session, inputs.InputFilter(**filters))
    return sorted(i.id for i in session.execute(query).scalars())


def test_filters_for_the_back_office(session, meeting, focus_areas):
    a, b, c = make_inputs(session, meeting, focus_areas)
    assert ids(session) == sorted([a.id, b.id, c.id])
    assert ids(session, channels=["workshop_note"]) == [c.id]
    assert ids(session, region_ids=[meeting.region_id]) == sorted([a.id, c.id])
    assert ids(session, categories=["business"]) == [a.id]
    assert ids(session, focus_area_ids=[focus_areas[0].id]) == [a.id]
    assert ids(session, written_forms=["nn"]) == [b.id]
    assert ids(session, meeting_id=meeting.id) == [c.id]
    assert ids(session, date_from=date(2026, 9, 5), date_to=date(2026, 9, 9)) == [c.id]
    assert ids(session, duplicates=True) == [c.id]  # the note repeats suggestion a
    assert ids(session, duplicates=False) == sorted([a.id, b.id])
    inputs.set_status(session, b.id, "hidden", "Usaklig")
    session.commit()
    assert ids(session, statuses=["hidden"]) == [b.id]
    assert session.get(Input, b.id).hidden_reason == "Usaklig"


def test_full_text_search_on_both_databases(session, meeting, focus_areas):
    a, b, c = make_inputs(session, meeting, focus_areas)
    assert ids(session, search="distribusjon") == sorted([a.id, c.id])
    assert ids(session, search="reiseliv sommaren") == [b.id]
    assert ids(session, search="finnes-ikke") == []
    assert ids(session, search="   ") == sorted([a.id, b.id, c.id])
