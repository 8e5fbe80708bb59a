"""Signing up over HTTP: outcomes, refusals, validation, CSRF and hostile input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.models import Meeting, OutboxMessage, Registration
from tests.helpers import count, csrf_token
from tests.meetings.conftest import field_errors, summary_links

NOW = datetime.now(UTC)
RECEIPT = "/moter/pamelding/kvittering"


def only_registration(session) -> Registration:
    return session.execute(select(Registration)).scalar_one()


# ---------------------------------------------------------------- outcomes


def test_signup_confirms_and_shows_the_reference(client, session, make_meeting, signup_page):
    meeting = make_meeting(seats=2)
    session.commit()
    response = signup_page(meeting, headers={"Accept-Language": "nn"})
    assert response.status_code == 303
    assert response.headers["Location"] == RECEIPT

    registration = only_registration(session)
    assert registration.status == "confirmed"
    assert registration.locale == "nn"
    assert registration.name == "Kari Nordmann"
    assert registration.category == "business"
    receipt = client.get(RECEIPT, headers={"Accept-Language": "nn"})
    assert "Du er påmeld" in receipt.text
    assert registration.reference in receipt.text
    assert session.get(Meeting, meeting.id).confirmed_count == 1
    message = session.execute(select(OutboxMessage)).scalar_one()
    assert message.recipient == "kari@example.no"
    assert message.locale == "nn"
    assert message.subject.startswith("Påmelding stadfesta")


def test_signup_when_full_goes_to_the_waiting_list(client, session, make_meeting, signup_page):
    meeting = make_meeting(seats=1)
    session.commit()
    assert signup_page(meeting, email="first@example.no").status_code == 303
    page = client.get(f"/moter/{meeting.id}/pamelding", headers={"Accept-Language": "en"})
    assert "The meeting is full" in page.text  # warned before signing up

    response = signup_page(meeting, email="second@example.no", headers={"Accept-Language": "en"})
    assert response.status_code == 303
    assert response.headers["Location"] == RECEIPT
    receipt = client.get(RECEIPT, headers={"Accept-Language": "en"})
    assert "You are on the waiting list" in receipt.text
    assert "You are number 1 on the waiting list" in receipt.text
    second = session.execute(
        select(Registration).where(Registration.email == "second@example.no")
    ).scalar_one()
    assert second.status == "waiting"
    assert second.reference in receipt.text
    assert session.get(Meeting, meeting.id).confirmed_count == 1


def test_receipt_without_a_signup_goes_to_the_meetings(client):
    response = client.get(RECEIPT)
    assert response.status_code == 303
    assert response.headers["Location"] == "/moter/"


def test_optional_fields_are_stored_normalised(session, make_meeting, signup_page, focus_areas):
    meeting = make_meeting()
    session.commit()
    response = signup_page(
        meeting,
        phone="+47 912 34 567",
        organisation="  Fisk AS ",
        org_number="974 760 673",
        needs="Rullestol",
        focus_areas=[str(focus_areas[0].id), str(focus_areas[1].id)],
        category="research_education",
    )
    assert response.status_code == 303
    registration = only_registration(session)
    assert registration.phone == "+4791234567"
    assert registration.organisation == "Fisk AS"
    assert registration.org_number == "974760673"
    assert registration.needs == "Rullestol"
    assert registration.category == "research_education"
    assert sorted(a.key for a in registration.focus_areas) == ["lokalmat", "reiseliv"]


def test_the_chosen_language_is_stored_and_used_for_the_mail(client, session, make_meeting):
    meeting = make_meeting()
    session.commit()
    client.get("/sprak/en?next=/")  # the switcher wins over the browser's language
    page = client.get(f"/moter/{meeting.id}/pamelding", headers={"Accept-Language": "nb"})
    assert 'lang="en"' in page.text
    response = client.post(
        f"/moter/{meeting.id}/pamelding",
        data={
            "csrf_token": csrf_token(page.text),
            "name": "Ola",
            "email": "ola@example.no",
            "category": "citizen",
            "consent": "y",
        },
        headers={"Accept-Language": "nb"},
    )
    assert response.status_code == 303
    assert only_registration(session).locale == "en"
    assert session.execute(select(OutboxMessage.subject)).scalar_one().startswith("Confirmed:")


# ---------------------------------------------------------------- refusals


def test_same_email_gets_a_clear_message_and_nothing_changes(session, make_meeting, signup_page):
    meeting = make_meeting(seats=5)
    session.commit()
    assert signup_page(meeting, email="kari@example.no").status_code == 303
    response = signup_page(meeting, email=" KARI@Example.no ", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert (
        "This e-mail address is already signed up for this meeting."
        in field_errors(response.text)[0]
    )
    assert summary_links(response.text) == ["email"]
    assert count(session, Registration.id) == 1
    assert count(session, OutboxMessage.id) == 1
    assert session.get(Meeting, meeting.id).confirmed_count == 1


def test_deadline_passed_get_explains_and_post_is_refused(
    client, session, make_meeting, signup_page
):
    meeting = make_meeting(seats=5)
    session.commit()
    page = client.get(f"/moter/{meeting.id}/pamelding")
    token = csrf_token(page.text)
    # The deadline passes while the person fills in the form.
    session.get(Meeting, meeting.id).registration_deadline = NOW - timedelta(minutes=1)
    session.commit()

    response = client.post(
        f"/moter/{meeting.id}/pamelding",
        data={
            "csrf_token": token,
            "name": "Sen Søker",
            "email": "sen@example.no",
            "category": "citizen",
            "consent": "y",
        },
        headers={"Accept-Language": "nb"},
    )
    assert response.status_code == 409
    assert "Påmeldingen til dette møtet er stengt." in response.text
    assert 'role="alert"' in response.text
    assert count(session, Registration.id) == 0
    assert count(session, OutboxMessage.id) == 0

    again = client.get(f"/moter/{meeting.id}/pamelding", headers={"Accept-Language": "nb"})
    assert again.status_code == 200
    assert "Påmeldingen til dette møtet er stengt." in again.text
    assert "<form" not in again.text.split('id="main"')[1]


def test_deadline_reached_inside_the_service_is_refused(
    session, make_meeting, signup_page, monkeypatch
):
    """The view saw an open meeting; the rule in the service still refuses."""
    from participation.meetings import service

    meeting = make_meeting()
    session.commit()
    real_register = service.register

    def register_later(session_, meeting_id, data, now=None):
        return real_register(session_, meeting_id, data, now=NOW + timedelta(days=365))

    monkeypatch.setattr(service, "register", register_later)
    response = signup_page(meeting, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "Registration for this meeting has closed." in response.text
    assert count(session, Registration.id) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cancelled_at": NOW}, "This meeting has been cancelled."),
        ({"starts_at": NOW - timedelta(hours=1)}, "Registration for this meeting has closed."),
    ],
)
def test_cancelled_or_past_meeting_refuses_posts(client, session, make_meeting, overrides, message):
    meeting = make_meeting(**overrides)
    session.commit()
    page = client.get(f"/moter/{meeting.id}/pamelding", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert message in page.text
    response = client.post(
        f"/moter/{meeting.id}/pamelding",
        data={
            # The form is not shown for this meeting; any form's token is valid.
            "csrf_token": _token_from_any_form(client, session, make_meeting),
            "name": "A",
            "email": "a@example.no",
            "category": "citizen",
            "consent": "y",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert message in response.text
    assert count(session, Registration.id) == 0


def _token_from_any_form(client, session, make_meeting) -> str:
    """A valid CSRF token for this client's session, from an open meeting's form."""
    other = make_meeting()
    session.commit()
    return csrf_token(client.get(f"/moter/{other.id}/pamelding").text)


# ---------------------------------------------------------------- validation


def test_missing_fields_show_an_error_summary_linking_to_each_field(
    session, make_meeting, signup_page
):
    meeting = make_meeting()
    session.commit()
    response = signup_page(
        meeting,
        name="  ",
        email=None,
        category="",
        consent=None,
        headers={"Accept-Language": "nn"},
    )
    assert response.status_code == 422
    assert summary_links(response.text) == ["name", "email", "category", "consent"]
    assert field_errors(response.text) == [
        "Skriv namnet ditt.",
        "Skriv e-postadressa di.",
        "Vel korleis du deltek.",
        "Du må samtykkje til personvernvilkåra for å melde deg på.",
    ]
    assert 'aria-invalid="true"' in response.text
    assert 'aria-describedby="name-error"' in response.text
    assert "<title>Feil:" in response.text
    assert count(session, Registration.id) == 0


@pytest.mark.parametrize("locale", ["nb", "nn", "en", "se"])
def test_no_wtforms_builtin_message_reaches_the_user(
    session, make_meeting, signup_page, focus_areas, locale
):
    meeting = make_meeting()
    session.commit()
    response = signup_page(
        meeting,
        name="x" * 201,
        email="not-an-address",
        phone="12",
        organisation="y" * 201,
        org_number="123",
        category="king",
        focus_areas=["abc"],
        needs="z" * 1001,
        consent="",
        headers={"Accept-Language": locale},
    )
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert len(errors) == 9
    builtin = ["This field is required", "Not a valid", "Invalid", "Field must be"]
    assert not [e for e in errors if any(b in e for b in builtin)]
    assert count(session, Registration.id) == 0


VALID_ORG = "974760673"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("974760673", True),
        ("974 760 673", True),
        ("923609016", True),
        ("974760674", False),  # wrong check digit
        ("97476067", False),  # 8 digits
        ("9747606730", False),  # 10 digits
        ("97476067A", False),
        ("000000001", False),
    ],
)
def test_organisation_number_mod11(session, make_meeting, signup_page, value, ok):
    meeting = make_meeting()
    session.commit()
    response = signup_page(meeting, org_number=value, headers={"Accept-Language": "en"})
    if ok:
        assert response.status_code == 303
        assert only_registration(session).org_number == value.replace(" ", "")
    else:
        assert response.status_code == 422
        assert field_errors(response.text) == [
            "Enter a valid organisation number of 9 digits, for example 974 760 673."
        ]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("91234567", "+4791234567"),
        ("912 34 567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("+4791234567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("22 22 22 22", "+4722222222"),
        ("(+47) 22-22-22-22", "+4722222222"),
        ("+46 70 123 45 67", "+46701234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("1234567", None),
        ("912345678", None),
        ("+46 12", None),
        ("tlf 91234567", None),
    ],
)
def test_phone_formats_stored_in_e164(session, make_meeting, signup_page, value, stored):
    meeting = make_meeting()
    session.commit()
    response = signup_page(meeting, phone=value, headers={"Accept-Language": "en"})
    if stored:
        assert response.status_code == 303
        assert only_registration(session).phone == stored
    else:
        assert response.status_code == 422
        assert field_errors(response.text) == [
            "Enter a phone number: 8 digits for a Norwegian number, for example 912 34 567,"
            " or with the country code for a number abroad, for example +46 70 123 45 67."
        ]


@pytest.mark.parametrize("value", ["king", "", "Citizen", " citizen_", None])
def test_category_must_be_one_of_the_choices(session, make_meeting, signup_page, value):
    meeting = make_meeting()
    session.commit()
    response = signup_page(meeting, category=value, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert field_errors(response.text) == ["Choose how you take part."]
    assert count(session, Registration.id) == 0


@pytest.mark.parametrize("tampered", ["abc", "999999", "1.5", "-1", "", "inactive"])
def test_focus_areas_must_be_among_those_offered(
    session, make_meeting, signup_page, focus_areas, tampered
):
    meeting = make_meeting()
    session.commit()
    value = str(focus_areas[3].id) if tampered == "inactive" else tampered
    response = signup_page(
        meeting,
        focus_areas=[str(focus_areas[0].id), value],
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert field_errors(response.text) == ["Choose among the options shown."]
    assert summary_links(response.text) == ["focus_areas-0"]
    assert count(session, Registration.id) == 0


@pytest.mark.parametrize("consent", [None, "", "false"])
def test_consent_is_required(session, make_meeting, signup_page, consent):
    meeting = make_meeting()
    session.commit()
    response = signup_page(meeting, consent=consent, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert field_errors(response.text) == ["You must agree to the privacy terms to sign up."]
    assert count(session, Registration.id) == 0


# ---------------------------------------------------------------- CSRF and hostile input


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_csrf_token_is_required(app, client, session, make_meeting, token):
    assert app.config.get("WTF_CSRF_ENABLED", True)  # the real setting, not switched off
    meeting = make_meeting()
    session.commit()
    data = {"name": "A", "email": "a@example.no", "category": "citizen", "consent": "y"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post(
        f"/moter/{meeting.id}/pamelding", data=data, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "The form has expired" in response.text
    assert count(session, Registration.id) == 0


def test_token_from_another_browser_is_refused(app, client, session, make_meeting):
    meeting = make_meeting()
    session.commit()
    other_browser = app.test_client()
    token = csrf_token(other_browser.get(f"/moter/{meeting.id}/pamelding").text)
    client.get(f"/moter/{meeting.id}/pamelding")
    response = client.post(
        f"/moter/{meeting.id}/pamelding",
        data={
            "csrf_token": token + "x",
            "name": "A",
            "email": "a@example.no",
            "category": "citizen",
            "consent": "y",
        },
    )
    assert response.status_code == 400
    assert count(session, Registration.id) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Kari\x07"),
        ("needs", "\ufffe"),
        ("name", "x" * 100_000),
        ("needs", "x" * 100_000),
        ("email", "a" * 300 + "@example.no"),
        ("phone", "9" * 5000),
    ],
)
def test_hostile_input_gets_a_form_error_not_a_500(
    session, make_meeting, signup_page, field, value
):
    meeting = make_meeting()
    session.commit()
    response = signup_page(meeting, headers={"Accept-Language": "en"}, **{field: value})
    assert response.status_code == 422
    assert set(summary_links(response.text)) == {field}
    assert count(session, Registration.id) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Kari\x00Nordmann"),
        ("email", "kari\x00@example.no"),
        ("phone", "9123456\x00"),
        ("organisation", "Fisk\x00 AS"),
        ("org_number", "97476067\x00"),
        ("category", "citizen\x00"),
        ("focus_areas", "\x00"),
        ("needs", "Allergi\x00"),
    ],
)
def test_nul_bytes_are_refused_with_a_translated_400(
    session, make_meeting, signup_page, field, value
):
    """No person types a NUL byte (and PostgreSQL refuses one): the whole form is refused."""
    meeting = make_meeting()
    session.commit()
    response = signup_page(meeting, headers={"Accept-Language": "nn"}, **{field: value})
    assert response.status_code == 400
    assert "Skjemaet kunne ikkje lesast" in response.text
    assert count(session, Registration.id) == 0


def test_tabs_and_newlines_are_fine_in_needs(session, make_meeting, signup_page):
    meeting = make_meeting()
    session.commit()
    response = signup_page(meeting, needs="Glutenfri\r\nRullestol\tved døra")
    assert response.status_code == 303


def test_a_body_over_the_limit_is_a_translated_413(app, client, session, make_meeting):
    meeting = make_meeting()
    session.commit()
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = client.post(
        f"/moter/{meeting.id}/pamelding",
        data={"name": "x" * 100_000},
        headers={"Accept-Language": "nn"},
    )
    assert response.status_code == 413
    assert "For mykje data" in response.text
    assert count(session, Registration.id) == 0


def test_repeated_fields_and_odd_methods_do_not_break(client, session, make_meeting, signup_page):
    meeting = make_meeting()
    session.commit()
    response = signup_page(meeting, email=["a@example.no", "b@example.no"], category=["x", "y"])
    assert response.status_code == 422
    assert client.put(f"/moter/{meeting.id}/pamelding").status_code == 405
    assert client.delete(f"/moter/{meeting.id}").status_code == 405


def test_tell_me_what_came_of_it_is_unticked_by_default(client, session, make_meeting, signup_page):
    meeting = make_meeting(seats=5)
    session.commit()
    page = client.get(f"/moter/{meeting.id}/pamelding", headers={"Accept-Language": "nn"})
    assert 'name="notify_outcome"' in page.text
    assert re.search(r'<input[^>]*name="notify_outcome"[^>]*checked', page.text) is None
    assert signup_page(meeting, email="a@example.no").status_code == 303
    assert signup_page(meeting, email="b@example.no", notify_outcome="y").status_code == 303
    chosen = dict(session.execute(select(Registration.email, Registration.notify_outcome)).all())
    assert chosen == {"a@example.no": False, "b@example.no": True}
