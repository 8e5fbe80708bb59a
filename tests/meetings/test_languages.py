"""A meeting's title and description in each language (nb, nn, en, se): entered in the
back office, shown in the reader's language, Bokmål where a language has none."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from participation.meetings import service
from participation.models import AuditEntry, Meeting, OutboxMessage, Registration, utcnow
from participation.models.base import OTHER_LANGUAGES
from tests.helpers import count, csrf_token, post_form
from tests.meetings.conftest import meeting_form

SAMI_TITLE = "Cealkámuščoahkkin Davvi-Romssas (Nord-Troms)"
SAMI_DESCRIPTION = (
    "Mii háliidit gullat maid ealáhuseallin oaivvilda.\n\nGaskabeaivebiebmu fállojuvvo."
)
TEXTS = {
    "nn": ("Innspelsmøte Nord-Troms", "Vi vil høyre kva næringslivet meiner."),
    "en": ("Input meeting in Nord-Troms", "We want to hear what businesses think."),
    "se": (SAMI_TITLE, SAMI_DESCRIPTION),
}


def _sami_meeting(make_meeting, **overrides):
    values = {
        "title": "Innspillsmøte Nord-Troms",
        "description": "Vi vil høre hva næringslivet mener.",
        "title_se": SAMI_TITLE,
        "description_se": SAMI_DESCRIPTION,
    }
    return make_meeting(**(values | overrides))


def _field_value(html: str, name: str) -> str:
    """The value of an input, or the text of a textarea, as the form shows it."""
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', html) or re.search(
        rf'<textarea[^>]*\bname="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S
    )
    return found.group(1) if found else ""


# ---------------------------------------------------------------- the model


def test_every_language_of_the_site_has_its_columns():
    for language in OTHER_LANGUAGES:
        assert f"title_{language}" in Meeting.__table__.columns
        assert f"description_{language}" in Meeting.__table__.columns


def test_text_gives_the_language_asked_for_and_bokmal_where_it_is_empty(session, make_meeting):
    meeting = _sami_meeting(make_meeting, title_nn="Innspelsmøte Nord-Troms")
    assert meeting.text("title", "se") == SAMI_TITLE
    assert meeting.text("description", "se") == SAMI_DESCRIPTION
    assert meeting.text("title", "nn") == "Innspelsmøte Nord-Troms"
    # Nynorsk has no description, English nothing: both fall back to Bokmål.
    assert meeting.text("description", "nn") == "Vi vil høre hva næringslivet mener."
    assert meeting.text("title", "en") == "Innspillsmøte Nord-Troms"
    assert meeting.text_lang("title", "en") == "nb"
    assert meeting.text_lang("title", "se") == "se"
    # A language the site does not have is Bokmål, never an attribute lookup.
    assert meeting.text("title", "de") == "Innspillsmøte Nord-Troms"
    assert meeting.text("title", "nb") == meeting.title == meeting.title_nb


# ---------------------------------------------------------------- the back office


def test_the_form_round_trips_the_texts_in_every_language(as_admin, session, make_region):
    region = make_region(name="Nord-Troms")
    session.commit()
    fields = {}
    for language, (title, description) in TEXTS.items():
        fields[f"title_{language}"] = f"  {title} "
        fields[f"description_{language}"] = description.replace("\n", "\r\n")
    response = post_form(as_admin, "/admin/moter/ny", meeting_form(region.id, **fields))
    assert response.status_code == 303, response.text
    meeting = session.execute(select(Meeting)).scalar_one()
    for language, (title, description) in TEXTS.items():
        assert getattr(meeting, f"title_{language}") == title  # trimmed
        assert getattr(meeting, f"description_{language}") == description  # line breaks kept

    page = as_admin.get(f"/admin/moter/{meeting.id}/endre")
    assert page.status_code == 200
    for language, (title, description) in TEXTS.items():
        assert _field_value(page.text, f"title_{language}") == title
        assert _field_value(page.text, f"description_{language}").replace("\r", "") == description
        (tag,) = re.findall(rf'<input[^>]*\bname="title_{language}"[^>]*>', page.text)
        assert f'lang="{language}"' in tag
    # The back office names the meeting by its Bokmål title.
    assert "Endre Innspillsmøte Nord-Troms" in page.text

    # Emptying the Sami title keeps the other languages, and the audit log says what changed.
    changed = meeting_form(region.id, **(fields | {"title_se": ""}))
    response = post_form(as_admin, f"/admin/moter/{meeting.id}/endre", changed)
    assert response.status_code == 303, response.text
    session.expire_all()
    meeting = session.get(Meeting, meeting.id)
    assert meeting.title_se == "" and meeting.description_se == SAMI_DESCRIPTION
    assert meeting.title_nn == TEXTS["nn"][0]
    assert meeting.text("title", "se") == "Innspillsmøte Nord-Troms"
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "meeting.update")
    ).scalar_one()
    assert entry.details["changes"] == {"title_se": [SAMI_TITLE, ""]}
    log = as_admin.get("/admin/logg")
    assert "Tittel (Nordsamisk)" in log.text


def test_a_meeting_without_other_languages_is_still_made_from_bokmal_alone(
    as_admin, session, make_region
):
    region = make_region()
    session.commit()
    response = post_form(as_admin, "/admin/moter/ny", meeting_form(region.id))
    assert response.status_code == 303
    meeting = session.execute(select(Meeting)).scalar_one()
    for language in OTHER_LANGUAGES:
        assert getattr(meeting, f"title_{language}") == ""
        assert getattr(meeting, f"description_{language}") == ""
        assert meeting.text("title", language) == "Innspillsmøte Nord-Troms"


@pytest.mark.parametrize(
    ("lang", "missing_title", "too_long", "not_allowed"),
    [
        ("nb", "Skriv en tittel.", "Skriv høyst 200 tegn.", "Teksten inneholder tegn"),
        ("nn", "Skriv ein tittel.", "Skriv høgst 200 teikn.", "Teksten inneheld teikn"),
        ("en", "Enter a title.", "Write at most 200 characters.", "The text contains characters"),
    ],
)
def test_bad_texts_are_refused_with_translated_errors_and_change_nothing(
    client, admin, session, make_region, lang, missing_title, too_long, not_allowed
):
    from tests.helpers import login

    assert login(client, admin, lang=lang).status_code == 303
    region = make_region()
    session.commit()
    headers = {"Accept-Language": lang}
    page = client.get("/admin/moter/ny", headers=headers)
    data = meeting_form(
        region.id, title="", title_se="x" * 201, description_nn="Tekst med \x1b escape"
    )
    response = client.post(
        "/admin/moter/ny",
        data={"csrf_token": csrf_token(page.text), **data},
        headers=headers,
    )
    assert response.status_code == 422
    assert missing_title in response.text
    assert too_long in response.text
    assert not_allowed in response.text
    # Each error is linked from the summary to its field.
    for field in ("title", "title_se", "description_nn"):
        assert f'href="#{field}"' in response.text
    assert count(session, Meeting.id) == 0


# ---------------------------------------------------------------- public pages


def test_the_sami_page_shows_the_sami_title_and_description(client, session, make_meeting):
    meeting = _sami_meeting(make_meeting)
    session.commit()
    page = client.get(f"/moter/{meeting.id}", headers={"Accept-Language": "se"})
    assert page.status_code == 200
    assert '<html lang="se"' in page.text
    assert f"<title>{SAMI_TITLE}" in page.text
    assert f'<h1 class="ds-heading" data-size="lg">{SAMI_TITLE}</h1>' in page.text
    assert "<p>Mii háliidit gullat maid ealáhuseallin oaivvilda.</p>" in page.text
    assert "Innspillsmøte Nord-Troms" not in page.text
    assert "næringslivet mener" not in page.text

    # Bokmål and Nynorsk readers get the Bokmål text (Nynorsk has none of its own here),
    # marked as Bokmål on the Nynorsk page.
    nb = client.get(f"/moter/{meeting.id}", headers={"Accept-Language": "nb"})
    assert '<h1 class="ds-heading" data-size="lg">Innspillsmøte Nord-Troms</h1>' in nb.text
    assert SAMI_TITLE not in nb.text
    nn = client.get(f"/moter/{meeting.id}", headers={"Accept-Language": "nn"})
    assert '<h1 class="ds-heading" data-size="lg" lang="nb">Innspillsmøte Nord-Troms</h1>' in (
        nn.text
    )
    assert 'class="ds-paragraph description" lang="nb"' in nn.text


def test_the_switcher_gives_the_sami_title_on_every_meeting_page(client, session, make_meeting):
    meeting = _sami_meeting(make_meeting)
    session.commit()
    switched = client.get(f"/sprak/se?next=/moter/{meeting.id}")
    assert switched.status_code in (302, 303)
    for path in (
        f"/moter/{meeting.id}",
        f"/moter/region/{meeting.region.slug}",
        f"/moter/{meeting.id}/pamelding",
        f"/prosess/{meeting.process.slug}",
        f"/prioriteringar/mote/{meeting.id}",  # the workshop's own priorities form
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert SAMI_TITLE in page.text, path
        assert "Innspillsmøte Nord-Troms" not in page.text, path


def test_a_meeting_without_a_sami_title_shows_bokmal_on_the_sami_pages(
    client, session, make_meeting
):
    meeting = make_meeting(title="Innspillsmøte Midt-Troms", description="Program og lunsj.")
    session.commit()
    page = client.get(f"/moter/{meeting.id}", headers={"Accept-Language": "se"})
    assert '<html lang="se"' in page.text
    assert '<h1 class="ds-heading" data-size="lg" lang="nb">Innspillsmøte Midt-Troms</h1>' in (
        page.text
    )
    assert '<div class="ds-paragraph description" lang="nb"><p>Program og lunsj.</p>' in page.text
    region = client.get(f"/moter/region/{meeting.region.slug}", headers={"Accept-Language": "se"})
    assert 'lang="nb">Innspillsmøte Midt-Troms</a>' in region.text


# ---------------------------------------------------------------- sign-up and e-mail


def test_signing_up_in_sami_gives_a_sami_receipt_mail_and_calendar_entry(
    client, session, make_meeting, signup_page
):
    meeting = _sami_meeting(make_meeting)
    session.commit()
    response = signup_page(meeting, headers={"Accept-Language": "se"})
    assert response.status_code == 303, response.text
    receipt = client.get(response.headers["Location"], headers={"Accept-Language": "se"})
    assert SAMI_TITLE in receipt.text
    registration = session.execute(select(Registration)).scalar_one()
    assert registration.locale == "se"
    message = session.execute(
        select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)
    ).scalar_one()
    assert message.locale == "se"
    assert message.subject == f"Duođaštuvvon: {SAMI_TITLE}"
    assert SAMI_TITLE in message.body_text
    assert "Innspillsmøte" not in message.body_text
    (attachment,) = message.attachments
    (event,) = Calendar.from_ical(attachment["content"]).walk("VEVENT")
    assert str(event["summary"]) == SAMI_TITLE

    # The cancel link from the mail opens in Sami, with the Sami title.
    token = re.search(r"/moter/avmelding/([^\s?]+)", message.body_text).group(1)
    cancel = client.get(f"/moter/avmelding/{token}?lang=se", follow_redirects=True)
    assert SAMI_TITLE in cancel.text


def test_every_later_mail_to_a_sami_registrant_names_the_sami_title(
    session, make_meeting, signup_data
):
    starts = utcnow().replace(microsecond=0) + timedelta(days=30)
    meeting = _sami_meeting(make_meeting, seats=1, starts_at=starts)
    holder = service.register(session, meeting.id, signup_data(locale="se"))
    waiting = service.register(session, meeting.id, signup_data(locale="se"))
    nb_holder_meeting = _sami_meeting(make_meeting, seats=5, starts_at=starts)
    nb_holder = service.register(session, nb_holder_meeting.id, signup_data(locale="nb"))
    session.commit()
    service.cancel(session, holder.reference)  # the cancel receipt, the promotion
    session.commit()
    assert service.send_reminders(session, now=starts - timedelta(hours=20)) == 2
    service.cancel_meeting(session, None, meeting.id, reason="")
    session.commit()

    sami = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id.in_([holder.id, waiting.id]))
        .order_by(OutboxMessage.id)
    ).scalars()
    subjects = []
    for message in sami:
        subjects.append(message.subject.removesuffix(f": {SAMI_TITLE}"))
        assert message.locale == "se"
        assert SAMI_TITLE in message.subject + message.body_text, message.subject
        assert "Innspillsmøte" not in message.subject + message.body_text, message.subject
    # Confirmed, cancelled; waiting list, got a seat, reminder, the meeting cancelled.
    assert subjects == [
        "Duođaštuvvon",
        "Vuordinlistu",
        "Gaskkalduhttojuvvon",
        "Don oaččut saji",
        "Muittuhus",
        "Čoahkkin lea gaskkalduhttojuvvon",
    ]
    # The reminder's link opens the meeting in Sami.
    (reminder,) = [
        m for m in session.execute(select(OutboxMessage)).scalars() if "Muittuhus" in m.subject
    ]
    assert f"/moter/{meeting.id}?lang=se" in reminder.body_text
    # Someone who signed up in Bokmål gets the Bokmål title.
    for message in session.execute(
        select(OutboxMessage).where(OutboxMessage.registration_id == nb_holder.id)
    ).scalars():
        assert "Innspillsmøte Nord-Troms" in message.subject
        assert SAMI_TITLE not in message.body_text


def test_demo_meetings_have_texts_in_every_language(runner, session):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    meetings = session.execute(select(Meeting).join(Meeting.process)).scalars().all()
    troms = [m for m in meetings if m.process.slug == "naeringsstrategi-troms"]
    assert len(troms) == 4
    for meeting in troms:
        for language in OTHER_LANGUAGES:
            assert getattr(meeting, f"title_{language}"), (meeting.title, language)
            assert getattr(meeting, f"description_{language}"), (meeting.title, language)
        assert meeting.title_se.startswith("Cealkámuščoahkkin ")
        assert meeting.region.name in meeting.title_se
    assert datetime.now(UTC) < min(m.starts_at for m in troms)


def test_the_answers_page_names_a_held_meeting_in_sami(
    client, session, make_meeting, make_input, reviewer, admin
):
    from participation.assessments import service as assessments

    held = utcnow() - timedelta(days=2)
    _sami_meeting(make_meeting, starts_at=held, registration_deadline=held - timedelta(days=1))
    answered = make_input("Vi trenger bedre ferjetilbud for næringslivet i Nord-Troms.")
    session.commit()
    assessments.draft(
        session, reviewer, [answered.id], assessments.AssessmentData("adopted", "Tatt med.")
    )
    assessments.approve(session, admin, [answered.id])
    assessments.publish_answers(session, admin)
    session.commit()
    page = client.get("/svar/", headers={"Accept-Language": "se"})
    assert page.status_code == 200
    assert f'<th scope="row">{SAMI_TITLE}</th>' in page.text
    nb = client.get("/svar/", headers={"Accept-Language": "nb"})
    assert '<th scope="row">Innspillsmøte Nord-Troms</th>' in nb.text
