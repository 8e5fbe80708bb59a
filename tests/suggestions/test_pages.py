"""The suggestion box over HTTP: the page, sending, every refusal, and the limits."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from participation.models import Input
from tests.helpers import input_count
from tests.suggestions.conftest import GOOD_TEXT, RECEIPT, URL, hidden_value


def only_input(session) -> Input:
    session.expire_all()
    return session.execute(select(Input)).scalar_one()


def summary(html: str) -> str:
    block = re.search(r'id="error-summary".*?</div>', html, re.S)
    return " ".join(block.group(0).split()) if block else ""


# ---------------------------------------------------------------- the page


@pytest.mark.parametrize(
    "lang, heading, button",
    [
        ("nb", "Innspillskasse", "Send innspill"),
        ("nn", "Innspelskasse", "Send innspel"),
        ("en", "Digital suggestion box", "Send suggestion"),
        ("se", "Digitála evttohusboksa", "Sádde evttohusa"),
    ],
)
def test_page_in_four_languages(client, focus_areas, lang, heading, button):
    page = client.get(URL, headers={"Accept-Language": lang})
    assert page.status_code == 200
    assert f'lang="{lang}"' in page.text
    assert heading in page.text and button in page.text


def test_page_offers_optional_focus_area_with_dont_know_region_and_category(
    client, focus_areas, make_region, session
):
    make_region(name="Midt-Troms")
    session.commit()
    page = client.get(URL, headers={"Accept-Language": "nb"}).text
    assert "Lokalmat" in page and "Reiseliv" in page
    assert "Petroleum" not in page  # inactive focus areas are not offered
    assert 'value="unknown"' in page and "Vet ikke" in page
    assert "Midt-Troms" in page
    assert "Privatperson" in page
    assert "<fieldset" in page and "<legend" in page  # the radio group is a fieldset
    # The live character count is progressive enhancement from our own script.
    assert 'data-count-max="5000"' in page and 'data-count-min="20"' in page
    assert "/static/js/suggestions.js" in page


def test_page_loads_nothing_from_other_hosts(client, focus_areas):
    page = client.get(URL).text
    for attribute in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert not re.match(r"^(?:[a-z]+:)?//", attribute) or attribute.startswith("mailto:"), (
            attribute
        )
    assert "<script>" not in page and "style=" not in page  # nothing inline (CSP)


def cookies_set(app, response) -> list[str]:
    """Cookies the response stores (instructions to delete one are not counted)."""
    stored = [c for c in response.headers.getlist("Set-Cookie") if "Max-Age=0" not in c]
    name = app.config["SESSION_COOKIE_NAME"]
    assert all(c.startswith(f"{name}=") for c in stored), stored
    assert all("HttpOnly" in c for c in stored)
    return stored


def test_page_headers_and_cookies(app, client, focus_areas):
    page = client.get(URL)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert len(cookies_set(app, page)) <= 1  # the session cookie holding the CSRF token


# ---------------------------------------------------------------- sending


def test_sending_redirects_to_the_receipt_with_the_code(app, client, session, suggest, focus_areas):
    response = suggest(focus_area=str(focus_areas[1].id), category="citizen")
    assert response.status_code == 303
    assert response.headers["Location"] == RECEIPT
    item = only_input(session)
    assert item.text == GOOD_TEXT
    assert [a.key for a in item.focus_areas] == ["reiseliv"]
    receipt = client.get(RECEIPT, headers={"Accept-Language": "nn"})
    assert "Takk for innspelet" in receipt.text
    assert item.receipt_code in receipt.text
    # Sending set no cookie beyond the session.
    assert len(cookies_set(app, response)) <= 1


def test_dont_know_stores_no_focus_area(session, suggest, focus_areas):
    assert suggest(focus_area="unknown").status_code == 303
    assert only_input(session).focus_areas == []


def test_receipt_without_a_suggestion_goes_to_the_form(client):
    response = client.get(RECEIPT)
    assert response.status_code == 303 and response.headers["Location"] == URL


# ---------------------------------------------------------------- refusals store nothing


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Skriv innspillet ditt."),
        ("For kort tekst", "Innspillet må være på minst 20 tegn. Du har skrevet 14."),
        ("x" * 5001, "Innspillet kan være på høyst 5000 tegn. Du har skrevet 5001."),
    ],
)
def test_bad_text_is_refused_with_a_clear_message(session, suggest, text, message):
    response = suggest(text=text, headers={"Accept-Language": "nb"})
    assert response.status_code == 422
    assert message in summary(response.text)
    assert 'href="#text"' in summary(response.text)
    assert 'aria-invalid="true"' in response.text
    assert input_count(session) == 0


def test_unknown_choice_is_refused(session, suggest):
    response = suggest(region="12345", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert input_count(session) == 0


def test_missing_csrf_token_is_refused(client, session, suggest):
    response = suggest(csrf_token=None, headers={"Accept-Language": "nn"})
    assert response.status_code == 400
    assert "Skjemaet har gått ut på tid" in response.text
    assert input_count(session) == 0


def test_filled_honeypot_is_refused(session, suggest):
    response = suggest(homepage="http://spam.example", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "The form could not be sent" in summary(response.text)
    assert input_count(session) == 0


def test_too_fast_is_refused_and_a_fresh_start_time_is_given(app, session, suggest):
    app.config["SUGGESTION_MIN_SECONDS"] = 3600
    response = suggest(headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "sent very quickly" in summary(response.text)
    assert input_count(session) == 0
    assert hidden_value(response.text, "started")  # the next try gets a new start time
    assert GOOD_TEXT in response.text  # the text is not lost


@pytest.mark.parametrize("started", ["", "tampered.token.value", None])
def test_missing_or_tampered_start_time_is_refused(session, suggest, started):
    response = suggest(started=started, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "could not be checked" in summary(response.text)
    assert input_count(session) == 0


# ---------------------------------------------------------------- personal data warning


def test_personal_data_gives_a_warning_before_anything_is_stored(client, session, suggest):
    text = "Mer satsing på reiseliv i Troms. Ring meg på 912 34 567 for mer."
    first = suggest(text=text, headers={"Accept-Language": "nb"})
    assert first.status_code == 200
    assert "Teksten din ser ut til å inneholde personopplysninger" in first.text
    assert "et telefonnummer" in first.text
    assert "Mer satsing på reiseliv i Troms. Ring meg på [telefonnummer] for mer." in first.text
    assert 'name="confirm_personal_data" value="1"' in first.text
    assert input_count(session) == 0

    confirmed = client.post(
        URL,
        data={
            "csrf_token": hidden_value(first.text, "csrf_token"),
            "started": hidden_value(first.text, "started"),
            "text": text,
            "homepage": "",
            "confirm_personal_data": "1",
        },
    )
    assert confirmed.status_code == 303
    item = only_input(session)
    assert item.redacted_text.endswith("Ring meg på [telefonnummer] for mer.")


def test_changed_text_without_personal_data_is_sent_without_confirmation(client, session, suggest):
    first = suggest(text="Kontakt meg på kari@example.no om lokalmat i Troms.")
    assert first.status_code == 200 and input_count(session) == 0
    second = client.post(
        URL,
        data={
            "csrf_token": hidden_value(first.text, "csrf_token"),
            "started": hidden_value(first.text, "started"),
            "text": "Mer satsing på lokalmat i Troms, takk.",
            "homepage": "",
        },
    )
    assert second.status_code == 303
    assert only_input(session).redacted_text == "Mer satsing på lokalmat i Troms, takk."


# ---------------------------------------------------------------- rate limit


@pytest.fixture
def limited_app(_migrated, tmp_path):
    from flask_babel import refresh

    from participation import create_app
    from participation.extensions import db, limiter
    from tests.conftest import base_config

    config = base_config(_migrated, tmp_path)
    config.update(
        RATELIMIT_ENABLED=True,
        SUGGESTION_RATE_LIMIT="2 per minute",
        SUGGESTION_MIN_SECONDS=0,
    )
    app = create_app(config)
    app.before_request(refresh)
    with app.app_context():
        limiter.reset()
        yield app
        limiter.reset()
        db.session.remove()
        db.engine.dispose()


def test_rate_limit_gives_a_translated_429_page(limited_app, session):
    client = limited_app.test_client()
    environ = {"REMOTE_ADDR": "198.51.100.23"}

    def post(lang):
        page = client.get(URL, environ_base=environ)
        return client.post(
            URL,
            data={
                "csrf_token": hidden_value(page.text, "csrf_token"),
                "started": hidden_value(page.text, "started"),
                "text": GOOD_TEXT,
                "homepage": "",
            },
            headers={"Accept-Language": lang},
            environ_base=environ,
        )

    assert post("nb").status_code == 303
    assert post("nb").status_code == 303
    limited = post("nn")
    assert limited.status_code == 429
    # The form again with the text and a message to wait (issue 9), in Nynorsk.
    assert "Du har sendt skjemaet mange gonger på kort tid" in limited.text
    assert 'lang="nn"' in limited.text
    assert GOOD_TEXT in html.unescape(limited.text)
    assert input_count(session) == 2
    # Reading the page is not limited, and another client is not affected.
    assert client.get(URL, environ_base=environ).status_code == 200
    other = {"REMOTE_ADDR": "198.51.100.99"}
    page = client.get(URL, environ_base=other)
    response = client.post(
        URL,
        data={
            "csrf_token": hidden_value(page.text, "csrf_token"),
            "started": hidden_value(page.text, "started"),
            "text": GOOD_TEXT + " Fra en annen.",
            "homepage": "",
        },
        environ_base=other,
    )
    assert response.status_code == 303
