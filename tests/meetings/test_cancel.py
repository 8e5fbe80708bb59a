"""Cancelling by the signed link from the e-mail; the waiting list moves up."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from participation.meetings import mail, service
from participation.models import Meeting, OutboxMessage, Registration
from tests.helpers import count, csrf_token


def cancel_link(session, registration) -> str:
    """The cancel link as the e-mail carries it, reduced to its path."""
    body = session.execute(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.id)
    ).scalar()
    url = re.search(r"https?://\S+/moter/avmelding/\S+", body).group(0)
    return urlsplit(url).path


def messages_to(session, registration) -> list[OutboxMessage]:
    return list(
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.registration_id == registration.id)
            .order_by(OutboxMessage.id)
        ).scalars()
    )


@pytest.fixture
def full_meeting(session, make_meeting, signup_data):
    """One seat: a holder (nb), then two on the waiting list (nn, then en)."""
    meeting = make_meeting(seats=1)
    holder = service.register(session, meeting.id, signup_data(locale="nb"))
    first = service.register(session, meeting.id, signup_data(locale="nn"))
    second = service.register(session, meeting.id, signup_data(locale="en"))
    session.commit()
    return meeting, holder, first, second


def test_cancel_link_asks_then_cancels_and_promotes_the_first_waiting(
    client, session, full_meeting
):
    meeting, holder, first, second = full_meeting
    link = cancel_link(session, holder)
    page = client.get(link, headers={"Accept-Language": "nb"})
    assert page.status_code == 200
    assert "Vil du melde deg av" in page.text
    assert holder.reference in page.text
    assert session.get(Registration, holder.id).status == "confirmed"  # GET changes nothing

    response = client.post(link, data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    assert response.headers["Location"] == link
    done = client.get(link, headers={"Accept-Language": "nb"})
    assert "Du er meldt av" in done.text
    assert "Plassen din går til den neste på ventelisten" in done.text

    session.expire_all()
    assert session.get(Registration, holder.id).status == "cancelled"
    assert session.get(Registration, first.id).status == "confirmed"
    assert session.get(Registration, second.id).status == "waiting"
    assert session.get(Meeting, meeting.id).confirmed_count == 1

    receipt = messages_to(session, holder)[-1]
    assert receipt.locale == "nb" and receipt.subject.startswith("Avmeldt:")
    promotion = messages_to(session, first)[-1]
    assert promotion.locale == "nn"
    assert promotion.subject.startswith("Du har fått plass:")
    assert promotion.attachments[0]["filename"].endswith(".ics")
    assert "/moter/avmelding/" in promotion.body_text  # they can cancel too
    assert messages_to(session, second)[-1].subject.startswith("Waiting list:")  # nothing new

    # Opening the link again: already cancelled, nothing more happens.
    again = client.get(link, headers={"Accept-Language": "en"})
    assert again.status_code == 200
    assert "This registration was already cancelled." in again.text
    assert "<form" not in again.text.split('id="main"')[1]


def test_leaving_the_waiting_list_promotes_no_one(client, session, full_meeting):
    meeting, holder, first, second = full_meeting
    link = cancel_link(session, first)
    page = client.get(link)
    response = client.post(link, data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    done = client.get(link, headers={"Accept-Language": "en"})
    assert "Your registration for" in done.text
    assert "next person on the waiting list" not in done.text
    session.expire_all()
    assert session.get(Registration, second.id).status == "waiting"
    assert session.get(Meeting, meeting.id).confirmed_count == 1
    assert messages_to(session, second)[-1].subject.startswith("Waiting list:")


def test_cancel_needs_the_csrf_token(client, session, full_meeting):
    _, holder, _, _ = full_meeting
    link = cancel_link(session, holder)
    response = client.post(link, data={})
    assert response.status_code == 400
    assert session.get(Registration, holder.id).status == "confirmed"


def _flip(token: str, at: int) -> str:
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        # A changed first character of the signature (the last one may carry only
        # padding bits, so changing it can leave the signature the same).
        lambda token: _flip(token, token.rindex(".") + 1),
        lambda token: _flip(token, 0),  # the payload
        lambda token: token.split(".")[0] + ".x",
        lambda token: "x" + token,
        lambda token: mail._serializer().dumps(["not", "a", "reference"]),
        lambda token: mail._serializer().dumps("NOSUCHREF"),
    ],
)
def test_a_tampered_link_is_404(client, session, full_meeting, tamper):
    _, holder, _, _ = full_meeting
    token = mail.cancel_token(holder)
    assert mail.reference_from_token(token) == holder.reference
    response = client.get(f"/moter/avmelding/{tamper(token)}")
    assert response.status_code == 404


def test_link_signed_with_another_key_is_404(app, client, session, full_meeting):
    _, holder, _, _ = full_meeting
    token = mail.cancel_token(holder)
    app.config["SECRET_KEY"] = "another-key"
    assert client.get(f"/moter/avmelding/{token}").status_code == 404


def test_cannot_cancel_once_the_meeting_has_started(client, session, full_meeting):
    meeting, holder, _, _ = full_meeting
    link = cancel_link(session, holder)
    page = client.get(link)
    session.get(Meeting, meeting.id).starts_at = datetime.now(UTC) - timedelta(minutes=5)
    session.commit()
    response = client.post(
        link, data={"csrf_token": csrf_token(page.text)}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 409
    assert "already taken place" in response.text
    assert session.get(Registration, holder.id).status == "confirmed"


def test_cancelled_registration_can_sign_up_again(session, make_meeting, signup_data):
    meeting = make_meeting(seats=1)
    first = service.register(session, meeting.id, signup_data(email="kari@example.no"))
    session.commit()
    service.cancel(session, first.reference)
    session.commit()
    again = service.register(session, meeting.id, signup_data(email="kari@example.no"))
    session.commit()
    assert again.status == "confirmed"
    assert count(session, Registration.id) == 2
