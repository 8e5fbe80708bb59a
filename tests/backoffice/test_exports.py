"""Exports: CSV and Excel of inputs, registrations and responses; streaming,
bounded memory, and no formula injection."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from participation.backoffice import exports as service
from participation.meetings import service as public
from participation.models import AuditEntry, Input, Process
from tests.helpers import count

DANGEROUS = ['=HYPERLINK("http://evil.example")', "+47 1234", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_cells_that_look_like_formulas_are_neutralised(value):
    assert service.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Lokalmat", "", "12", "a=b", "e-post"])
def test_ordinary_cells_are_left_alone(value):
    assert service.neutralise(value) == value
    assert service.neutralise(-3) == -3


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


def test_input_export_csv_and_excel(as_reviewer, session, make_input, focus_areas, admin):
    from participation.inputs import service as inbox

    item = make_input(
        '=HYPERLINK("http://evil.example","klikk") Lokalmat fra Senja trenger mottak.',
        respondent_category="business",
        focus_area_ids=[focus_areas[0].id],
        created_on=date(2026, 3, 2),
    )
    inbox.confirm_focus_areas(session, admin, item.id, [focus_areas[1].id])
    inbox.hide(session, admin, item.id, "@spam")
    session.commit()

    response = as_reviewer.get("/admin/eksport/innspill.csv", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.is_streamed
    rows = _csv(response)
    header, row = rows[0], rows[1]
    assert header[:4] == ["Id", "Date", "Channel", "Status"]
    values = dict(zip(header, row, strict=True))
    assert values["Text (redacted)"].startswith("'=HYPERLINK")
    assert values["Reason for hiding"] == "'@spam"
    assert values["Focus areas chosen by the writer"] == "Local food"
    assert values["Confirmed focus areas"] == "Tourism"
    assert values["Status"] == "Hidden"
    assert values["Date"] == "2026-03-02"

    excel = as_reviewer.get("/admin/eksport/innspill.xlsx", headers={"Accept-Language": "nn"})
    assert excel.status_code == 200
    assert excel.mimetype.endswith("spreadsheetml.sheet")
    sheet = _xlsx(excel)
    assert sheet[0][0] == "Id"
    assert sheet[1][0] == item.id
    text_cell = sheet[1][sheet[0].index("Tekst (sladda)")]
    assert text_cell.startswith("'=HYPERLINK")
    assert count(session, AuditEntry.id, AuditEntry.action == "export") == 2


def test_input_export_follows_the_inbox_filter(as_reviewer, make_input):
    make_input("Lokalmat fra Senja trenger et felles mottak for småskala produsenter.")
    make_input("Bredbånd i hele fylket er viktig for næringslivet og for innbyggerne.")
    rows = _csv(as_reviewer.get("/admin/eksport/innspill.csv?q=bredbånd"))
    assert len(rows) == 2
    assert "Bredbånd" in rows[1][-1]


def test_unknown_format_is_404(as_reviewer):
    assert as_reviewer.get("/admin/eksport/innspill.pdf").status_code == 404


def test_registration_export(as_reviewer, session, make_meeting, signup_data):
    meeting = make_meeting(seats=1)
    public.register(
        session, meeting.id, signup_data(name="=cmd|' /C calc'!A0", organisation="Fisk AS")
    )
    public.register(session, meeting.id, signup_data(name="Vera Venteliste"))
    other = make_meeting()
    public.register(session, other.id, signup_data(name="Annen Person"))
    session.commit()
    rows = _csv(
        as_reviewer.get(
            f"/admin/eksport/pameldingar.csv?meeting={meeting.id}",
            headers={"Accept-Language": "en"},
        )
    )
    assert len(rows) == 3
    assert rows[1][rows[0].index("Name")] == "'=cmd|' /C calc'!A0"
    assert rows[1][rows[0].index("Status")] == "Confirmed"
    assert rows[2][rows[0].index("Status")] == "Waiting list"
    everything = _xlsx(as_reviewer.get("/admin/eksport/pameldingar.xlsx"))
    assert len(everything) == 4
    assert as_reviewer.get("/admin/eksport/pameldingar.csv?meeting=999").status_code == 404


def test_responses_grouped_by_section(as_reviewer, draft, make_response):
    sections = {s.number: s for s in draft.sections}
    make_response(
        draft, sections["2"], text="Om kompetanse: vi trenger flere fagskoleplasser i nord."
    )
    make_response(draft, None, text="Til hele planen: en god og tydelig plan for fylket vårt.")
    make_response(
        draft, sections["1.1"], text="Om FoU: samarbeid med universitetet må styrkes mer."
    )
    rows = _csv(
        as_reviewer.get(
            f"/admin/eksport/horingssvar/{draft.id}.csv", headers={"Accept-Language": "en"}
        )
    )
    assert [r[0] for r in rows[1:]] == ["", "1.1", "2"]
    assert rows[1][1] == "The whole draft"
    sheet = _xlsx(as_reviewer.get(f"/admin/eksport/horingssvar/{draft.id}.xlsx"))
    assert [r[0] for r in sheet[1:]] == [None, "1.1", "2"]


def _insert_inputs(session, n: int) -> None:
    batch = 5000
    process_id = session.execute(select(Process.id)).scalar_one()
    for start in range(0, n, batch):
        session.execute(
            insert(Input),
            [
                {
                    "process_id": process_id,
                    "channel": "suggestion_box",
                    "text": f"Innspill nummer {i} om lokalmat, reiseliv og kompetanse i fylket.",
                    "redacted_text": f"Innspill nummer {i} om lokalmat, reiseliv og kompetanse i fylket.",
                    "written_form": "nb",
                    "created_on": date(2026, 3, 1),
                    "status": "new",
                    "fingerprint": f"{i:064d}",
                    "text_length": 60,
                }
                for i in range(start, min(start + batch, n))
            ],
        )
    session.commit()


def _peak_while_exporting(client, url: str) -> tuple[int, int]:
    """(peak traced memory, bytes received) while streaming ``url``."""
    tracemalloc.start()
    try:
        response = client.get(url)
        received = 0
        for chunk in response.response:
            received += len(chunk)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, received


@pytest.mark.slow
def test_csv_export_memory_does_not_grow_with_rows(app, as_reviewer, session):
    """Streaming: 12 000 rows take about as much memory as 1 200 (the benchmark
    in benchmarks/export_memory.py measures 100 000). As a request streams it: above
    EXPORT_JOB_ROWS the same export is written by a job (tests/jobs/test_exports.py)."""
    app.config["EXPORT_JOB_ROWS"] = 100_000
    _insert_inputs(session, 1_200)
    small_peak, small_size = _peak_while_exporting(as_reviewer, "/admin/eksport/innspill.csv")
    _insert_inputs(session, 10_800)
    large_peak, large_size = _peak_while_exporting(as_reviewer, "/admin/eksport/innspill.csv")
    assert large_size > 9 * small_size  # ten times the data went out …
    assert large_peak < 2 * small_peak  # … in about the same memory


@pytest.mark.slow
def test_excel_export_memory_does_not_grow_with_rows(as_reviewer, session):
    _insert_inputs(session, 1_200)
    small_peak, _ = _peak_while_exporting(as_reviewer, "/admin/eksport/innspill.xlsx")
    _insert_inputs(session, 3_600)
    large_peak, large_size = _peak_while_exporting(as_reviewer, "/admin/eksport/innspill.xlsx")
    assert large_size > 100_000
    assert large_peak < 1.5 * small_peak  # four times the rows


def test_batches_are_released_as_they_are_read(app, session):
    """At most one batch of rows is held by the export's session at any time."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from participation.extensions import db

    _insert_inputs(session, 2_500)
    largest = 0
    with Session(db.engine) as export_session:
        seen = 0
        for _item in service.batched(export_session, select(Input), Input.id, batch=1000):
            seen += 1
            largest = max(largest, len(export_session.identity_map))
    assert seen == 2_500
    assert largest <= 1000


def test_an_export_is_recorded_only_once_produced(app, session, admin):
    """A failure while writing the file records nothing; a produced file is recorded."""
    from flask_login import login_user

    from participation.backoffice.exports import Sheet, send

    def failing(export_session):
        def rows():
            yield ["ok"]
            raise RuntimeError("the database went away")

        return [Sheet("Inputs", ["Text"], rows())]

    # (CSV: openpyxl leaves a failed workbook's generators to the garbage collector.)
    with app.test_request_context("/admin/eksport"):
        login_user(admin)
        with pytest.raises(RuntimeError):
            send(failing, "innspill", "csv", "inputs")
    assert count(session, AuditEntry.id, AuditEntry.action == "export") == 0

    with app.test_request_context("/admin/eksport"):
        login_user(admin)
        response = send(lambda s: [Sheet("Inputs", ["Text"], iter([["a"]]))], "x", "csv", "inputs")
        assert b"".join(response.response).decode("utf-8-sig").splitlines() == ["Text", "a"]
    assert count(session, AuditEntry.id, AuditEntry.action == "export") == 1
