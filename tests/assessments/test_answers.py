"""The public answers page, the receipt look-up and the one e-mail to participants."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from participation.assessments import service
from participation.assessments.routes import normalise_code
from participation.consultation import service as consultation
from participation.inputs import service as inputs
from participation.meetings import service as meetings
from participation.models import OutboxMessage
from tests.helpers import csrf_token


@pytest.fixture
def world(session, make_input, draft, make_response, reviewer, admin, focus_areas):
    """A box input, a published response (may publish), a private response, all
    assessed and approved; a drafted one that must not show."""
    lokalmat = focus_areas[0]
    box = make_input(
        "Vi vil ha mer lokalmat i skolekantinene på Finnsnes.",
        focus_area_ids=[lokalmat.id],
        receipt_code="ABCD-2345",
    )
    inputs.publish(session, admin, box.id)
    public = make_response(draft, organisation="Kystlaget Øst", name="Per Privat")
    consultation.approve_for_publication(
        session, public.id, "Kystlaget støtter satsingen på sjømat.", approved_by_id=admin.id
    )
    private = make_response(draft, may_publish=False, organisation=None, name="Hemmelig Person")
    drafted = make_input("Bygg en ny ferjekai i Lyngen, det haster mye.", receipt_code="WXYZ-6789")
    session.commit()
    answered = [box.id, public.input.id, private.input.id]
    service.draft(
        session,
        reviewer,
        answered,
        service.AssessmentData("partly", "Vi tar med **lokalmat** <script>alert(1)</script>."),
    )
    service.approve(session, admin, answered)
    service.draft(
        session, reviewer, [drafted.id], service.AssessmentData("adopted", "Hemmelig utkast")
    )
    session.commit()
    return {"box": box, "public": public, "private": private, "drafted": drafted}


def _without_tokens(html: str) -> str:
    return re.sub(
        r'name="csrf_token"[^>]*value="[^"]+"|value="[^"]+"[^>]*name="csrf_token"', "", html
    )


def test_answers_page_after_publication(client, session, world, admin):
    client.set_cookie("lang", "en")
    before = client.get("/svar/")
    assert before.status_code == 200
    assert "has not published its answers yet" in before.text
    service.publish_answers(session, admin)
    session.commit()
    page = client.get("/svar/").text
    assert "Kystlaget Øst" in page  # organisation of a response that may be published
    assert "Per Privat" not in page and "Hemmelig Person" not in page
    assert "Kystlaget støtter satsingen på sjømat." in page  # the approved published text
    assert "Anonymous" in page  # the box
    assert "<strong>lokalmat</strong>" in page and "<script>alert(1)" not in page
    assert "Hemmelig utkast" not in page  # drafted, not approved
    assert "Bygg en ny ferjekai" not in page
    assert "2 published inputs have an answer." in page  # the private response is not published
    nn = client.get("/svar/", headers={"Cookie": "lang=nn"})
    assert nn.status_code == 200


def test_receipt_lookup(client, session, world, admin):
    client.set_cookie("lang", "en")
    form = client.get("/svar/kvittering")

    def ask(code):
        return client.post(
            "/svar/kvittering", data={"csrf_token": csrf_token(form.text), "code": code}
        )

    bad = ask("not a code")
    assert bad.status_code == 422
    assert "A code has eight letters and digits" in bad.text
    # Before publication: received, no outcome yet.
    early = ask("abcd 2345")
    assert "Status: received" in early.text and "Partly adopted" not in early.text
    service.publish_answers(session, admin)
    session.commit()
    answered = ask("ABCD2345")
    assert "Status: answered." in answered.text
    assert "Partly adopted" in answered.text and "<strong>lokalmat</strong>" in answered.text
    # A drafted assessment is not shown: received.
    drafted = ask("WXYZ-6789")
    assert "Status: received" in drafted.text and "Hemmelig utkast" not in drafted.text
    # The consultation reference works too.
    assert "Status: answered." in ask(world["public"].reference).text
    # An unknown code and the code of a hidden input get the very same page.
    inputs.hide(session, admin, world["drafted"].id, "test")
    session.commit()
    unknown = ask("QQQQ-2222")
    hidden = ask("WXYZ-6789")
    assert unknown.status_code == hidden.status_code == 200
    assert "We found no input with this code" in unknown.text
    assert _without_tokens(unknown.text) == _without_tokens(hidden.text)


def test_normalise_code():
    assert normalise_code(" abcd-2345 ") == "ABCD-2345"
    assert normalise_code("h-abcd2345") == "H-ABCD2345"
    assert normalise_code("ABCD-1234") is None  # 1 is not in the alphabet
    assert normalise_code("ABC") is None
    assert normalise_code("") is None


def test_one_email_when_published_to_those_who_asked(
    session, world, admin, make_meeting, signup_data, draft, make_response
):
    make_response(draft, email="nynorsk@example.no", locale="nn")
    meeting = make_meeting()
    session.commit()
    meetings.register(
        session, meeting.id, signup_data(email="ja@example.no", locale="en", notify_outcome=True)
    )
    meetings.register(session, meeting.id, signup_data(email="nei@example.no", locale="nb"))
    session.commit()
    before = {m.id for m in session.execute(select(OutboxMessage)).scalars()}
    service.publish_answers(session, admin)
    session.commit()
    sent = [m for m in session.execute(select(OutboxMessage)).scalars() if m.id not in before]
    by_address = {m.recipient: m for m in sent}
    assert set(by_address) == {
        world["public"].email,
        world["private"].email,
        "nynorsk@example.no",
        "ja@example.no",
    }
    assert by_address["nynorsk@example.no"].locale == "nn"
    assert "http://localhost/prosess/standard/svar/" in by_address["ja@example.no"].body_text
    assert (
        by_address["ja@example.no"].subject == "What came of the input: the answers are published"
    )
    assert world["public"].reference in by_address[world["public"].email].body_text
    # Publishing again writes to nobody.
    service.publish_answers(session, admin)
    session.commit()
    assert len(list(session.execute(select(OutboxMessage)).scalars())) == len(before) + len(sent)
