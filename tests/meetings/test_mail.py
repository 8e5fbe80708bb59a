"""E-mails: rendered in the registrant's language, with a calendar file, sent by
``flask outbox send`` to a real SMTP server, kept when the server is down."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from participation.meetings import service
from participation.models import OutboxMessage, Registration
from tests.conftest import free_port

OSLO = ZoneInfo("Europe/Oslo")
# A Tuesday in winter; 09:00–13:00 in Oslo is 08:00–12:00 UTC.
STARTS = datetime(2031, 1, 14, 9, tzinfo=OSLO).astimezone(UTC)

EXPECTED = {
    "nb": {
        "confirmed": "Påmelding bekreftet: Innspillsmøte Testregion",
        "waiting": "Venteliste: Innspillsmøte Testregion",
        "promoted": "Du har fått plass: Innspillsmøte Testregion",
        "cancelled": "Avmeldt: Innspillsmøte Testregion",
        "when": "Møtet er tirsdag 14. januar 2031 kl. 09.00–13.00 på Rådhuset, Storgata 1, 9008 Tromsø.",
        "hello": "Hei Kari,",
        "position": "som nummer 1",
    },
    "nn": {
        "confirmed": "Påmelding stadfesta: Innspillsmøte Testregion",
        "waiting": "Venteliste: Innspillsmøte Testregion",
        "promoted": "Du har fått plass: Innspillsmøte Testregion",
        "cancelled": "Avmeld: Innspillsmøte Testregion",
        "when": "Møtet er tysdag 14. januar 2031 kl. 09.00–13.00 på Rådhuset, Storgata 1, 9008 Tromsø.",
        "hello": "Hei Kari,",
        "position": "som nummer 1",
    },
    "en": {
        "confirmed": "Confirmed: Innspillsmøte Testregion",
        "waiting": "Waiting list: Innspillsmøte Testregion",
        "promoted": "You got a seat: Innspillsmøte Testregion",
        "cancelled": "Cancelled: Innspillsmøte Testregion",
        "when": "The meeting is on Tuesday 14 January 2031, 09:00–13:00 at Rådhuset, Storgata 1, 9008 Tromsø.",
        "hello": "Hello Kari,",
        "position": "as number 1",
    },
    "se": {
        "confirmed": "Duođaštuvvon: Innspillsmøte Testregion",
        "waiting": "Vuordinlistu: Innspillsmøte Testregion",
        "promoted": "Don oaččut saji: Innspillsmøte Testregion",
        "cancelled": "Gaskkalduhttojuvvon: Innspillsmøte Testregion",
        "when": "Čoahkkin lea maŋŋebárga 14. ođđajagemánnu 2031 dii. 09.00–13.00, Rådhuset, "
        "Storgata 1, 9008 Tromsø.",
        "hello": "Buorre Kari,",
        "position": "nummirin 1",
    },
}


def mails_for(session, registration) -> list[OutboxMessage]:
    return list(
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.registration_id == registration.id)
            .order_by(OutboxMessage.id)
        ).scalars()
    )


@pytest.mark.parametrize("locale", ["nb", "nn", "en", "se"])
def test_every_mail_renders_in_the_registrants_language(session, make_meeting, signup_data, locale):
    expected = EXPECTED[locale]
    meeting = make_meeting(seats=1, starts_at=STARTS, registration_deadline=STARTS - timedelta(3))
    holder = service.register(session, meeting.id, signup_data(locale=locale, name="Kari"))
    waiting = service.register(session, meeting.id, signup_data(locale=locale, name="Kari"))
    session.commit()
    service.cancel(session, holder.reference)
    session.commit()

    confirmed, cancelled = mails_for(session, holder)
    waiting_mail, promoted = mails_for(session, waiting)
    assert confirmed.subject == expected["confirmed"]
    assert waiting_mail.subject == expected["waiting"]
    assert promoted.subject == expected["promoted"]
    assert cancelled.subject == expected["cancelled"]
    for message in (confirmed, waiting_mail, promoted, cancelled):
        assert message.locale == locale
        assert message.body_text.startswith(expected["hello"])
        assert "{{" not in message.body_text and "%(" not in message.body_text
    for message in (confirmed, waiting_mail, promoted):
        assert expected["when"] in message.body_text
        assert "Rådhuset, Storgata 1, 9008 Tromsø" in message.body_text
        assert "http://localhost/moter/avmelding/" in message.body_text
    assert expected["position"] in waiting_mail.body_text
    assert f"http://localhost/moter/{meeting.id}" in cancelled.body_text


def test_confirmation_carries_an_ics_with_time_and_place(session, make_meeting, signup_data):
    meeting = make_meeting(starts_at=STARTS, registration_deadline=STARTS - timedelta(days=3))
    reg = service.register(session, meeting.id, signup_data())
    session.commit()
    (message,) = mails_for(session, reg)
    (attachment,) = message.attachments
    assert attachment["filename"] == "innspillsmote.ics"
    assert attachment["content_type"] == "text/calendar"
    calendar = Calendar.from_ical(attachment["content"])
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == STARTS
    assert event.decoded("dtend") == STARTS + timedelta(hours=4)
    assert event.decoded("dtstart").astimezone(OSLO).hour == 9
    assert str(event["summary"]) == "Innspillsmøte Testregion"
    assert str(event["location"]) == "Rådhuset, Storgata 1, 9008 Tromsø"
    assert reg.reference in str(event["uid"])
    assert "DTSTART:20310114T080000Z" in attachment["content"]


# ---------------------------------------------------------------- outbox send over SMTP


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def use_smtp(app, port: int) -> None:
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port)


def test_outbox_send_delivers_with_ics_in_the_registrants_language(
    app, runner, session, make_meeting, signup_data, smtp_server
):
    meeting = make_meeting(seats=1, starts_at=STARTS, registration_deadline=STARTS - timedelta(3))
    service.register(session, meeting.id, signup_data(locale="nn", email="nn@example.no"))
    service.register(session, meeting.id, signup_data(locale="en", email="en@example.no"))
    session.commit()
    use_smtp(app, smtp_server.port)

    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2, failed 0" in result.output

    received = {parsed(m)["To"]: parsed(m) for m in smtp_server.received}
    nn = received["nn@example.no"]
    assert nn["Subject"] == "Påmelding stadfesta: Innspillsmøte Testregion"
    assert nn["Content-Language"] == "nn"
    assert "Møtet er tysdag 14. januar 2031 kl. 09.00–13.00" in nn.get_body().get_content()
    (ics,) = list(nn.iter_attachments())
    assert ics.get_filename() == "innspillsmote.ics"
    assert ics.get_content_type() == "text/calendar"
    assert "DTSTART:20310114T080000Z" in ics.get_content()

    en = received["en@example.no"]
    assert en["Subject"] == "Waiting list: Innspillsmøte Testregion"
    assert list(en.iter_attachments()) == []  # no seat, no calendar entry

    statuses = session.execute(select(OutboxMessage.status, OutboxMessage.attempts)).all()
    assert sorted(statuses) == [("sent", 1), ("sent", 1)]
    again = runner.invoke(args=["outbox", "send"])
    assert "sent 0, failed 0" in again.output
    assert len(smtp_server.received) == 2  # never twice


def test_smtp_down_keeps_messages_with_backoff_then_delivers_once(
    app, runner, session, make_meeting, signup_data, smtp_server
):
    meeting = make_meeting()
    for _ in range(3):
        service.register(session, meeting.id, signup_data())
    session.commit()

    use_smtp(app, free_port())  # nothing listens there
    started = datetime.now(UTC)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 0, failed 3" in result.output
    session.expire_all()
    messages = list(session.execute(select(OutboxMessage)).scalars())
    assert [m.status for m in messages] == ["pending"] * 3
    assert [m.attempts for m in messages] == [1, 1, 1]
    assert all(m.last_error for m in messages)
    assert all(m.next_attempt_at >= started + timedelta(minutes=1) for m in messages)

    # Run again at once: not due yet, so not tried.
    assert "sent 0, failed 0" in runner.invoke(args=["outbox", "send"]).output

    # Still down at the next attempt: the wait doubles.
    session.execute(update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
    session.commit()
    before = datetime.now(UTC)
    assert "failed 3" in runner.invoke(args=["outbox", "send"]).output
    session.expire_all()
    for message in session.execute(select(OutboxMessage)).scalars():
        assert message.attempts == 2
        assert message.next_attempt_at >= before + timedelta(minutes=2)

    # Time passes and the server is back: each message delivered exactly once.
    session.execute(update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
    session.commit()
    use_smtp(app, smtp_server.port)
    assert "sent 3, failed 0" in runner.invoke(args=["outbox", "send"]).output
    assert "sent 0, failed 0" in runner.invoke(args=["outbox", "send"]).output
    recipients = sorted(parsed(m)["To"] for m in smtp_server.received)
    stored = sorted(session.execute(select(Registration.email)).scalars())
    assert recipients == stored
    session.expire_all()
    assert {m.status for m in session.execute(select(OutboxMessage)).scalars()} == {"sent"}


def test_gives_up_after_the_last_attempt_but_keeps_the_message(
    app, runner, session, make_meeting, signup_data
):
    meeting = make_meeting()
    service.register(session, meeting.id, signup_data())
    session.commit()
    use_smtp(app, free_port())
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    runner.invoke(args=["outbox", "send"])
    session.execute(update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
    session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert "gave up 1" in result.output
    session.expire_all()
    message = session.execute(select(OutboxMessage)).scalar_one()
    assert message.status == "failed"
    assert message.attempts == 2
    assert message.body_text  # kept, to be looked at and resent by hand


def test_backoff_grows_and_is_capped():
    from participation.outbox import MAX_BACKOFF, backoff

    waits = [backoff(n) for n in range(1, 15)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits == sorted(waits)
    assert max(waits) == MAX_BACKOFF


def test_log_transport_is_the_default(app, runner, session, make_meeting, signup_data, caplog):
    assert app.config["MAIL_TRANSPORT"] == "log"
    meeting = make_meeting()
    service.register(session, meeting.id, signup_data(email="logged@example.no"))
    session.commit()
    with caplog.at_level("INFO", logger="participation.outbox"):
        result = runner.invoke(args=["outbox", "send"])
    assert "sent 1" in result.output
    assert "logged@example.no" in caplog.text


def test_a_link_from_an_email_opens_in_the_language_of_the_registration(
    client, session, make_meeting, signup_data
):
    """Issue 9, point 10: a cancel link from a Nynorsk e-mail opens in Nynorsk although
    the browser prefers Bokmål, and the language switcher still works afterwards."""
    import re

    meeting = make_meeting()
    registration = service.register(session, meeting.id, signup_data(locale="nn", name="Kari"))
    session.commit()
    (message,) = mails_for(session, registration)
    link = re.search(r"http://localhost(/moter/avmelding/\S+)", message.body_text).group(1)
    assert "lang=nn" in link
    bokmaal = {"Accept-Language": "nb-NO,nb;q=0.9"}
    opened = client.get(link, headers=bokmaal, follow_redirects=True)
    assert opened.status_code == 200
    assert 'lang="nn"' in opened.text
    assert "lang=" not in opened.request.url  # the page's own address
    assert "/sprak/nb?next=" in opened.text  # the switcher is there …
    path = opened.request.path
    switched = client.get(f"/sprak/nb?next={path}", headers=bokmaal, follow_redirects=True)
    assert 'lang="nb"' in switched.text  # … and works
    # Any other parameter stays; an unknown language is ignored.
    answer = client.get("/moter/?lang=xx&a=1")
    assert answer.status_code == 303 and answer.headers["Location"] == "/moter/?a=1"


def test_links_in_emails_use_the_address_the_site_runs_on(app, session, make_meeting):
    """Issue 9, point 8: with no BASE_URL configured, links use the address the
    request came in on (not a hard-coded http://localhost:5000); a configured BASE_URL
    wins (production)."""
    from tests.helpers import csrf_token

    app.config["BASE_URL"] = ""
    meeting = make_meeting()
    session.commit()
    client = app.test_client()
    url = f"/moter/{meeting.id}/pamelding"
    base = "http://127.0.0.1:5391"
    page = client.get(url, base_url=base)
    answer = client.post(
        url,
        base_url=base,
        data={
            "csrf_token": csrf_token(page.text),
            "name": "Kari Nordmann",
            "email": "kari@example.no",
            "category": "citizen",
            "consent": "y",
        },
    )
    assert answer.status_code == 303, answer.text
    message = session.execute(select(OutboxMessage)).scalar_one()
    assert f"{base}/moter/avmelding/" in message.body_text
    assert "localhost:5000" not in message.body_text

    app.config["BASE_URL"] = "https://innspill.example.no/"
    with app.test_request_context("/", base_url=base):
        from participation import outbox

        assert outbox.external_url("main.home") == "https://innspill.example.no/"


def test_dev_run_shows_each_email_on_the_console_as_it_is_queued(
    app, session, make_meeting, signup_data, capfd
):
    """Issue 9, point 8: ``./dev run`` (MAIL_TRANSPORT=console, OUTBOX_SEND_SECONDS)
    sends the outbox from the web process as mail is queued, readably on the console."""
    import time

    from participation import outbox
    from participation.models import OutboxStatus

    app.config["MAIL_TRANSPORT"] = "console"
    meeting = make_meeting()
    registration = service.register(session, meeting.id, signup_data(locale="nn", name="Kari"))
    session.commit()
    sender = outbox.start_sender(app, 60)  # woken by the queued message, not the minute
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            session.rollback()  # a fresh snapshot each time
            (message,) = mails_for(session, registration)
            if message.status == OutboxStatus.SENT:
                break
            time.sleep(0.1)
        assert message.status == OutboxStatus.SENT
    finally:
        sender.stop.set()
        outbox._queued.set()
        sender.join(timeout=30)
    printed = capfd.readouterr().err
    assert "To:       " + registration.email in printed
    assert "Subject:  Påmelding stadfesta: Innspillsmøte Testregion" in printed
    assert "Attached: innspillsmote.ics (text/calendar)" in printed
    assert "Hei Kari," in printed and "/moter/avmelding/" in printed
