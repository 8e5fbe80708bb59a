"""A person signs up in a real browser, cancels from the e-mail link, and the
first person on the waiting list gets the seat."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from participation.meetings import service
from participation.models import OutboxMessage, Registration

pytestmark = pytest.mark.e2e


@pytest.fixture
def meeting(session, make_meeting, make_region):
    region = make_region(slug="midt-troms", name="Midt-Troms")
    meeting = make_meeting(region=region, title="Innspillsmøte Midt-Troms", seats=1)
    session.commit()
    return meeting


def mail_for(session, email: str) -> list[OutboxMessage]:
    session.commit()  # a fresh snapshot: the server wrote these
    return list(
        session.execute(
            select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
        ).scalars()
    )


def registration(session, email: str) -> Registration:
    session.commit()
    return session.execute(select(Registration).where(Registration.email == email)).scalar_one()


def test_sign_up_cancel_from_the_email_and_the_waiting_list_moves_up(
    browser_page, session, meeting, signup_data
):
    page = browser_page
    page.goto("/moter/")
    with page.expect_navigation():
        page.get_by_role("link", name="Midt-Troms").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Innspillsmøte Midt-Troms").click()
    assert page.get_by_text("1 av 1 plasser ledig").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Meld deg på").click()

    page.get_by_label("Fullt navn").fill("Kari Nordmann")
    page.get_by_label("E-postadresse").fill("kari@example.no")
    page.get_by_label("Telefon").fill("912 34 567")
    page.get_by_label("Jeg deltar som").select_option(label="Næringsliv")
    page.get_by_label("Jeg samtykker").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Meld deg på").click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Du er påmeldt"
    kari = registration(session, "kari@example.no")
    assert kari.status == "confirmed" and kari.locale == "nb"
    assert page.locator(".reference").inner_text() == kari.reference

    # Two more people join; the meeting is full, so they wait (Per first).
    per = service.register(session, meeting.id, signup_data(email="per@example.no", locale="nn"))
    service.register(session, meeting.id, signup_data(email="ola@example.no"))
    session.commit()
    assert per.status == "waiting"

    # Kari opens the cancel link from her confirmation e-mail.
    (confirmation,) = mail_for(session, "kari@example.no")
    assert confirmation.attachments[0]["filename"].endswith(".ics")
    link = re.search(r"http://\S+/moter/avmelding/\S+", confirmation.body_text).group(0)
    page.goto(link)
    # One sentence: the meeting, its time and its place.
    assert re.search(
        r"Vil du melde deg av Innspillsmøte Midt-Troms \w+dag \d+\. \w+ \d{4} "
        r"kl\. \d\d\.\d\d–\d\d\.\d\d på Rådhuset\?",
        page.inner_text("main"),
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, meld meg av").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Du er meldt av"
    assert "Plassen din går til den neste på ventelisten." in page.inner_text("main")

    assert registration(session, "kari@example.no").status == "cancelled"
    assert registration(session, "per@example.no").status == "confirmed"
    assert registration(session, "ola@example.no").status == "waiting"
    waiting_mail, promotion = mail_for(session, "per@example.no")
    assert promotion.locale == "nn"
    assert promotion.subject == "Du har fått plass: Innspillsmøte Midt-Troms"
    assert "No er du påmeld til Innspillsmøte Midt-Troms." in promotion.body_text
    assert promotion.attachments[0]["content_type"] == "text/calendar"
    assert mail_for(session, "kari@example.no")[-1].subject.startswith("Avmeldt:")

    # The meeting page now shows it full again (Per holds the seat).
    page.goto(f"/moter/{meeting.id}")
    assert page.get_by_text("0 av 1 plasser ledige").is_visible()


def test_keyboard_only_error_summary_focus_and_sign_up(browser_page, session, meeting):
    """Skip link, error summary and the whole form, with the keyboard alone.

    (One test, so that one server start serves all of it.)
    """
    page = browser_page
    page.goto("/sprak/en?next=" + f"/moter/{meeting.id}/pamelding")

    # The skip link is the first stop and moves the focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # A failed form: the error summary takes the focus; its links focus the fields.
    page.get_by_label("Phone").fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign up").click()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = page.locator("#error-summary a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#name", "#email", "#phone", "#category", "#consent"]
    page.keyboard.press("Tab")  # to the first link in the summary
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "name"
    for target in targets[1:]:
        page.locator(f'#error-summary a[href="{target}"]').click()
        assert page.evaluate("document.activeElement.id") == target[1:]
    # Each invalid field says so, and points at its message.
    assert page.get_attribute("#phone", "aria-invalid") == "true"
    assert "phone-error" in page.get_attribute("#phone", "aria-describedby")
    assert registration_count(session) == 0

    # Now fill in and send the whole form from the keyboard, in tab order.
    page.focus("#name")
    page.keyboard.type("Kari Nordmann")
    page.keyboard.press("Tab")
    page.keyboard.type("kari@example.no")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "phone"
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")  # the phone number is optional: clear the wrong one
    for field in ("organisation", "org_number", "category"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == field
    page.keyboard.press("ArrowDown")  # the first real choice: Citizen
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "needs"
    page.keyboard.press("Tab")  # the link to the privacy statement
    page.keyboard.press("Tab")
    # "Tell me what came of it" is an opt-in: passed over, it stays unticked.
    assert page.evaluate("document.activeElement.id") == "notify_outcome"
    assert not page.is_checked("#notify_outcome")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "consent"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_role("heading", level=1).inner_text() == "You are signed up"
    kari = registration(session, "kari@example.no")
    assert (kari.category, kari.phone, kari.locale) == ("citizen", None, "en")


def registration_count(session) -> int:
    session.commit()
    return len(session.execute(select(Registration.id)).all())
