"""One way to write dates, times and numbers (issue 9, point 7 and point 12): the
formatting module, and the pages, e-mails and exports that use it."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from participation import formatting
from participation.meetings import service as meetings
from participation.models import OutboxMessage
from tests.helpers import csrf_token

OSLO = ZoneInfo("Europe/Oslo")
# Monday 28 December 2026, 09:00–13:00 in Oslo (08:00–12:00 UTC).
STARTS = datetime(2031, 12, 29, 9, tzinfo=OSLO).astimezone(UTC)  # a Monday
ENDS = STARTS + timedelta(hours=4)


@pytest.mark.parametrize(
    ("locale", "long", "short", "when", "figure"),
    [
        (
            "nb",
            "mandag 29. desember 2031 kl. 09.00",
            "29. des. 2031 kl. 09.00",
            "mandag 29. desember 2031 kl. 09.00–13.00",
            "1\u00a0234,57",
        ),
        (
            "nn",
            "måndag 29. desember 2031 kl. 09.00",
            "29. des. 2031 kl. 09.00",
            "måndag 29. desember 2031 kl. 09.00–13.00",
            "1\u00a0234,57",
        ),
        (
            "en",
            "Monday 29 December 2031 at 09:00",
            "29 Dec 2031 at 09:00",
            "Monday 29 December 2031, 09:00–13:00",
            "1,234.57",
        ),
    ],
)
def test_one_way_to_write_times_and_figures(app, locale, long, short, when, figure):
    seconds = STARTS.replace(second=41, microsecond=123456)  # never shown to people
    with app.test_request_context("/"), force_locale(locale):
        assert formatting.datetime_long(seconds) == long
        assert formatting.datetime_short(seconds) == short
        assert formatting.when(STARTS, ENDS) == when
        assert formatting.number(1234.567, 2) == figure
        assert formatting.percent(0.574) == "57\u00a0%"
        assert formatting.for_people(True) in {"Ja", "Yes"}
    # Machines get local time with its offset, whole seconds; summer time too.
    assert formatting.iso(seconds) == "2031-12-29T09:00:41+01:00"
    assert formatting.iso(datetime(2031, 7, 1, 7, tzinfo=UTC)) == "2031-07-01T09:00:00+02:00"
    assert formatting.iso(date(2031, 12, 29)) == "2031-12-29"


def test_works_without_a_request_in_the_language_asked_for(app):
    with app.app_context():
        assert formatting.datetime_long(STARTS, locale="nn") == "måndag 29. desember 2031 kl. 09.00"
        assert formatting.date_short(STARTS, locale="en") == "29 Dec 2031"


def _csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_registration_export_in_oslo_time_with_offset_and_withdrawn(
    as_reviewer, session, make_meeting, signup_data
):
    meeting = make_meeting(
        starts_at=STARTS, ends_at=ENDS, registration_deadline=STARTS - timedelta(3)
    )
    kept = meetings.register(session, meeting.id, signup_data(name="Kari"))
    gone = meetings.register(session, meeting.id, signup_data(name="Ola"))
    session.commit()
    meetings.cancel(session, gone.reference)  # the participant's own cancellation
    session.commit()

    nb = _csv(as_reviewer.get("/admin/eksport/pameldingar.csv", headers={"Accept-Language": "nb"}))
    by_name = {row["Navn"]: row for row in nb}
    # Was "2026-12-28T08:00:00+00:00" for a 09:00 meeting.
    assert by_name["Kari"]["Møtet starter"] == "2031-12-29T09:00:00+01:00"
    registered = by_name["Kari"]["Påmeldt"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", registered), registered
    assert registered == formatting.iso(kept.created_at)
    # A participant who cancels has withdrawn ("Avmeldt"); the meeting was not cancelled.
    assert by_name["Ola"]["Status"] == "Avmeldt"
    en = _csv(as_reviewer.get("/admin/eksport/pameldingar.csv", headers={"Accept-Language": "en"}))
    assert {row["Name"]: row["Status"] for row in en}["Ola"] == "Withdrawn"


def test_excel_exports_are_laid_out_for_reading(as_reviewer, session, make_meeting, signup_data):
    meeting = make_meeting(
        starts_at=STARTS, ends_at=ENDS, registration_deadline=STARTS - timedelta(3)
    )
    meetings.register(session, meeting.id, signup_data(name="Kari", needs="Rullestol"))
    session.commit()
    for url in ("/admin/eksport/pameldingar.xlsx", "/admin/eksport/innspill.xlsx"):
        response = as_reviewer.get(url, headers={"Accept-Language": "nb"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.get_data())).active
        assert sheet.freeze_panes == "A2"
        header = [cell for cell in sheet[1] if cell.value is not None]
        assert header and all(cell.font.b for cell in header)
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in header]
        assert all(width >= 10 for width in widths)
        assert len(set(widths)) > 1  # sized to what they hold, not all the default
    sheet = load_workbook(
        io.BytesIO(as_reviewer.get("/admin/eksport/pameldingar.xlsx").get_data())
    ).active
    starts = sheet.cell(row=2, column=2)
    assert starts.value == datetime(2031, 12, 29, 9, 0)  # Oslo wall-clock time
    assert starts.number_format == formatting.XLSX_DATETIME  # no seconds


def _mails(session, template_word: str) -> list[OutboxMessage]:
    return list(
        session.execute(
            select(OutboxMessage).where(OutboxMessage.subject.contains(template_word))
        ).scalars()
    )


def test_signup_receipt_is_one_sentence_and_mails_are_signed(
    app, client, session, make_meeting, signup_data
):
    app.config.update(ORGANISATION_NAME="Troms fylkeskommune", CONTACT_EMAIL="post@tfk.example")
    meeting = make_meeting(
        starts_at=STARTS, ends_at=ENDS, registration_deadline=STARTS - timedelta(3)
    )
    session.commit()
    url = f"/moter/{meeting.id}/pamelding"
    form = client.get(url, headers={"Accept-Language": "nb"})
    page = client.post(
        url,
        data={
            "csrf_token": csrf_token(form.text),
            "name": "Kari Nordmann",
            "email": "kari@example.no",
            "category": "citizen",
            "consent": "y",
        },
        headers={"Accept-Language": "nb"},
        follow_redirects=True,
    )
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", "", page.text)
    # Was "Velkommen til X. mandag …, kl. 09:00–13:00 , Rådhuset."
    assert (
        "Velkommen til Innspillsmøte Testregion mandag 29. desember 2031 kl. 09.00–13.00"
        " på Rådhuset." in text
    )
    assert " ," not in text
    (message,) = session.execute(select(OutboxMessage)).scalars()
    assert "Møtet er mandag 29. desember 2031 kl. 09.00–13.00 på Rådhuset" in message.body_text
    assert message.body_text.rstrip().endswith(
        "Vennlig hilsen\nTroms fylkeskommune\nSpørsmål? Skriv til oss på post@tfk.example."
    )


def test_consultation_receipt_carries_a_copy_of_the_text(session, draft, make_response):
    sections = {s.number: s for s in draft.sections}
    text = "Vi ønsker mer vekt på kompetanse.\n\nAndre avsnitt: fagskoler i nord."
    response = make_response(draft, sections["2"], text=text, locale="nn")
    (message,) = session.execute(
        select(OutboxMessage).where(OutboxMessage.recipient == response.email)
    ).scalars()
    body = message.body_text
    assert "Ein kopi av det du sende:" in body
    assert text in body
    assert f"Referansekoden din er {response.reference}." in body
    assert "Høyringsfristen er " in body and " kl. " in body
    assert "Venleg helsing" in body


def test_every_mail_template_is_signed():
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "templates" / "mail"
    for template in folder.glob("*.txt"):
        if not template.name.startswith("_"):
            assert "{{ signature() }}" in template.read_text(), template.name
