"""The consultation over HTTP: the draft, the period, responding, and published responses."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.consultation import service
from participation.models import ConsultationResponse, OutboxMessage
from tests.consultation.conftest import counts, multipart, stored_files
from tests.helpers import csrf_token, pdf_bytes

NOW = datetime.now(UTC)


def summary(html: str) -> str:
    block = re.search(r'id="error-summary".*?</div>', html, re.S)
    return " ".join(block.group(0).split()) if block else ""


def section(draft, number):
    return next(s for s in draft.sections if s.number == number)


# ---------------------------------------------------------------- the draft


@pytest.mark.parametrize(
    "lang, words",
    [
        ("nb", ["Åpen for høringssvar", "Høringsfrist:", "Gi høringssvar til hele utkastet"]),
        ("nn", ["Open for høyringssvar", "Høyringsfrist:", "Gi høyringssvar til heile utkastet"]),
        ("en", ["Open for responses", "Deadline:", "Respond to the whole draft"]),
    ],
)
def test_open_draft_shows_sections_anchors_and_time_left(client, make_draft, lang, words):
    draft = make_draft()
    page = client.get(f"/horing/{draft.slug}", headers={"Accept-Language": lang})
    assert page.status_code == 200
    for word in words:
        assert word in page.text
    for anchor in ("s-1", "s-1-1", "s-1-1-1", "s-1-1-2", "s-2", "s-2-1"):
        assert f'id="{anchor}"' in page.text
        assert f'href="#{anchor}"' in page.text
    assert '<h2 class="ds-heading" id="s-1-heading">' in page.text
    assert '<h4 class="ds-heading" id="s-1-1-1-heading">' in page.text
    assert f"/horing/{draft.slug}/svar?del=s-1-1-2" in page.text
    assert re.search(r"(Tid igjen|Tid att|Time left): (2|3) (uker|veker|weeks)", page.text)


def test_markdown_in_the_draft_is_sanitised_on_the_page(client, make_draft):
    draft = make_draft()
    page = client.get(f"/horing/{draft.slug}").text
    assert "<strong>fet</strong>" in page
    assert "<script>alert" not in page
    assert 'href="javascript' not in page


def test_draft_not_yet_open_has_no_form(client, make_draft):
    draft = make_draft(opens_at=NOW + timedelta(days=2), closes_at=NOW + timedelta(days=30))
    page = client.get(f"/horing/{draft.slug}", headers={"Accept-Language": "en"}).text
    assert "Not open yet" in page and "The consultation opens" in page
    assert f"/horing/{draft.slug}/svar" not in page
    form = client.get(f"/horing/{draft.slug}/svar", headers={"Accept-Language": "en"})
    assert form.status_code == 200
    assert "has not opened yet" in form.text and "<form" not in form.text.split("<main")[1]


def test_closed_draft_says_so_and_has_no_form(client, make_draft):
    draft = make_draft(opens_at=NOW - timedelta(days=30), closes_at=NOW - timedelta(days=1))
    page = client.get(f"/horing/{draft.slug}", headers={"Accept-Language": "nn"}).text
    assert "Avslutta" in page and "Høyringa vart avslutta" in page
    assert f"/horing/{draft.slug}/svar" not in page
    form = client.get(f"/horing/{draft.slug}/svar", headers={"Accept-Language": "nn"})
    assert "Høyringa er avslutta" in form.text
    assert 'name="text"' not in form.text


def test_index_lists_drafts(client, make_draft):
    draft = make_draft()
    page = client.get("/horing/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and draft.title in page.text
    empty_lang = client.get("/horing/x-not-there")
    assert empty_lang.status_code == 404


def test_home_page_links_to_both_channels(client):
    page = client.get("/").text
    assert 'href="/innspill/"' in page and 'href="/horing/"' in page


# ---------------------------------------------------------------- responding


def test_section_response_end_to_end(client, session, make_draft, respond):
    draft = make_draft()
    target = section(draft, "1.1.2")
    page = client.get(f"/horing/{draft.slug}/svar?del=s-1-1-2", headers={"Accept-Language": "nb"})
    assert (
        '<option selected value="s-1-1-2">' in page.text or 'value="s-1-1-2" selected' in page.text
    )
    assert "Høringssvar er offentlige dokumenter" in page.text  # said plainly
    response = respond(
        draft,
        section="s-1-1-2",
        stance="oppose",
        headers={"Accept-Language": "nn"},
        files=[(pdf_bytes(), "uttale.pdf")],
    )
    assert response.status_code == 303, summary(response.text)
    assert response.headers["Location"] == f"/horing/{draft.slug}/kvittering"
    stored = session.execute(select(ConsultationResponse)).scalar_one()
    assert stored.section_id == target.id and stored.stance == "oppose"
    assert stored.org_number == "974760673" and stored.locale == "nn"
    assert [a.original_filename for a in stored.attachments] == ["uttale.pdf"]
    receipt = client.get(f"/horing/{draft.slug}/kvittering", headers={"Accept-Language": "nn"})
    assert "Takk for høyringssvaret" in receipt.text and stored.reference in receipt.text
    mail = session.execute(select(OutboxMessage)).scalar_one()
    assert mail.locale == "nn" and mail.recipient == "kari@example.no"


def test_response_to_the_whole_draft(session, make_draft, respond):
    draft = make_draft()
    assert (
        respond(
            draft, stance="none", organisation="", org_number="", category="citizen"
        ).status_code
        == 303
    )
    stored = session.execute(select(ConsultationResponse)).scalar_one()
    assert stored.section_id is None and stored.organisation is None and stored.org_number is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"org_number": "123 456 789"}, "Skriv et gyldig organisasjonsnummer"),
        ({"text": "Kort"}, "Høringssvaret må være på minst 20 tegn"),
        ({"text": "x" * 20001}, "Høringssvaret kan være på høyst 20000 tegn"),
        ({"name": ""}, "Skriv navnet ditt"),
        ({"email": "ikke-en-adresse"}, "gyldig e-postadresse"),
        ({"category": ""}, "Velg hvem du svarer som"),
        ({"stance": "kanskje"}, "Velg hva du mener"),
        ({"section": "s-99"}, "Velg et punkt"),
        ({"may_publish": None}, "Svar på om vi kan publisere høringssvaret ditt"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    app, session, make_draft, respond, fields, message
):
    draft = make_draft()
    response = respond(
        draft, headers={"Accept-Language": "nb"}, files=[(pdf_bytes(), "a.pdf")], **fields
    )
    assert response.status_code == 422
    assert message in summary(response.text), summary(response.text)
    assert counts(session) == (0, 0, 0)
    assert stored_files(app) == []


@pytest.mark.parametrize(
    "files, message",
    [
        (
            [(b"Just text, not a PDF at all", "fake.pdf")],
            "fake.pdf is not a PDF file that we can open",
        ),
        (
            [(b"%PDF-1.7\n" + b"junk " * 500, "junk.pdf")],
            "junk.pdf is not a PDF file that we can open",
        ),
        ([(pdf_bytes(), f"{n}.pdf") for n in range(4)], "You can attach at most 3 files"),
        ([(b"", "empty.pdf")], "empty.pdf is empty"),
    ],
)
def test_bad_attachments_are_refused(app, session, make_draft, respond, files, message):
    draft = make_draft()
    response = respond(draft, headers={"Accept-Language": "en"}, files=files)
    assert response.status_code == 422
    assert message in summary(response.text)
    assert counts(session) == (0, 0, 0)
    assert stored_files(app) == []


def test_oversized_pdf_is_refused(app, session, make_draft, respond):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    big = pdf_bytes() + b"%" + b"0" * (1024 * 1024)  # a valid start, too many bytes
    draft = make_draft()
    response = respond(draft, headers={"Accept-Language": "en"}, files=[(big, "stor.pdf")])
    assert response.status_code == 422
    assert "stor.pdf is larger than 1 MB" in summary(response.text)
    assert counts(session) == (0, 0, 0)


def test_real_size_limit_of_ten_megabytes(app, session, make_draft, respond):
    assert app.config["ATTACHMENT_MAX_BYTES"] == 10 * 1024 * 1024
    big = pdf_bytes() + b"%" + b"0" * (10 * 1024 * 1024)
    response = respond(make_draft(), headers={"Accept-Language": "nb"}, files=[(big, "stor.pdf")])
    assert response.status_code == 422
    assert "stor.pdf er større enn 10 MB" in summary(response.text)
    assert counts(session) == (0, 0, 0)


def test_a_request_far_too_large_gets_the_413_page(client, session, make_draft):
    draft = make_draft()
    page = client.get(f"/horing/{draft.slug}/svar", headers={"Accept-Language": "en"})
    body, content_type = multipart(
        {"csrf_token": csrf_token(page.text)},
        [(b"0" * (12 * 1024 * 1024), f"{n}.pdf") for n in range(3)],
    )
    response = client.post(
        f"/horing/{draft.slug}/svar",
        data=body,
        content_type=content_type,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert "Too much data" in response.text
    assert counts(session) == (0, 0, 0)


def test_missing_csrf_token_is_refused(session, make_draft, respond):
    response = respond(make_draft(), csrf_token=None, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "The form has expired" in response.text
    assert counts(session) == (0, 0, 0)


@pytest.mark.parametrize("opens_days, closes_days", [(-30, -1), (2, 30)])
def test_post_outside_the_period_is_refused_and_stores_nothing(
    client, session, make_draft, opens_days, closes_days
):
    open_draft = make_draft()
    page = client.get(f"/horing/{open_draft.slug}/svar")
    draft = make_draft(
        opens_at=NOW + timedelta(days=opens_days), closes_at=NOW + timedelta(days=closes_days)
    )
    response = client.post(
        f"/horing/{draft.slug}/svar",
        data={
            "csrf_token": csrf_token(page.text),
            "stance": "support",
            "text": "Et helt gyldig høringssvar med nok tekst.",
            "name": "Kari",
            "email": "kari@example.no",
            "category": "citizen",
            "may_publish": "yes",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert "has closed" in response.text or "has not opened yet" in response.text
    assert counts(session) == (0, 0, 0)


# ---------------------------------------------------------------- published responses


def test_published_responses_per_section_with_stance_counts(client, app, session, make_draft):
    draft = make_draft()
    target = section(draft, "1.1.2")
    made = []
    for stance, section_id, may in [
        ("support", target.id, True),
        ("oppose", target.id, True),
        ("oppose", target.id, True),
        ("partly", None, True),
        ("support", target.id, False),  # not allowed to publish
    ]:
        made.append(
            service.submit_response(
                session,
                draft.id,
                service.ResponseData(
                    text="Et høringssvar med nok tekst til å bli godtatt.",
                    name="Ola",
                    email="ola@example.no",
                    category="municipality",
                    locale="nb",
                    stance=stance,
                    may_publish=may,
                    section_id=section_id,
                    organisation="Tromsø kommune",
                ),
                upload_dir=app.config["UPLOAD_DIR"],
            )
        )
    for response in made[:4]:
        service.approve_for_publication(session, response.id, f"Publisert tekst {response.id}")
    session.commit()

    page = client.get(f"/horing/{draft.slug}", headers={"Accept-Language": "en"}).text
    assert "4 published responses" in page
    assert "3 published responses to section 1.1.2" in page

    listing = client.get(
        f"/horing/{draft.slug}/horingssvar?del=s-1-1-2", headers={"Accept-Language": "en"}
    ).text
    assert "3 published responses" in listing
    counts_block = re.search(r'<dl class="stance-counts">(.*?)</dl>', listing, re.S).group(1)
    pairs = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", counts_block)
    assert pairs == [("Support", "1"), ("Partly support", "0"), ("Oppose", "2"), ("No stance", "0")]
    for response in made[:3]:
        assert f"Publisert tekst {response.id}" in listing
    assert f"Publisert tekst {made[3].id}" not in listing
    assert "Et høringssvar med nok tekst" not in listing  # only the approved text is shown
    assert "ola@example.no" not in listing and ">Ola<" not in listing

    whole = client.get(f"/horing/{draft.slug}/horingssvar?del=whole").text
    assert f"Publisert tekst {made[3].id}" in whole and f"Publisert tekst {made[0].id}" not in whole
    everything = client.get(f"/horing/{draft.slug}/horingssvar").text
    assert all(f"Publisert tekst {r.id}" in everything for r in made[:4])


def test_attachments_are_served_only_when_published(client, app, session, make_draft, respond):
    draft = make_draft()
    content = pdf_bytes()
    assert respond(draft, files=[(content, "Uttale fra Senja.pdf")]).status_code == 303
    response = session.execute(select(ConsultationResponse)).scalar_one()
    attachment = response.attachments[0]
    url = f"/horing/{draft.slug}/vedlegg/{attachment.id}"
    assert client.get(url).status_code == 404  # not published

    service.approve_for_publication(session, response.id, "Godkjent tekst.")
    session.commit()
    served = client.get(url)
    assert served.status_code == 200
    assert served.data == content
    assert served.headers["Content-Type"] == "application/pdf"
    assert "attachment" in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    served.close()
    assert client.get(f"/horing/{draft.slug}/horingssvar").text.count(url) == 1

    other = make_draft()
    assert client.get(f"/horing/{other.slug}/vedlegg/{attachment.id}").status_code == 404
    assert client.get(f"/horing/{draft.slug}/vedlegg/99999999999999").status_code == 404

    service.withdraw_publication(session, response.id)
    session.commit()
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- rate limit


def test_rate_limit_gives_a_translated_429_page(_migrated, tmp_path, session, make_draft):
    from flask_babel import refresh

    from participation import create_app
    from participation.extensions import db, limiter
    from tests.conftest import base_config

    # Read before the second app is current: the fixture's session would otherwise
    # take a connection from that app's engine and return it after it is disposed.
    slug = make_draft().slug
    session.commit()
    config = base_config(_migrated, tmp_path)
    config.update(RATELIMIT_ENABLED=True, CONSULTATION_RATE_LIMIT="1 per minute")
    limited = create_app(config)
    limited.before_request(refresh)
    with limited.app_context():
        limiter.reset()
        client = limited.test_client()
        page = client.get(f"/horing/{slug}/svar")
        data = {"csrf_token": csrf_token(page.text), "text": "kort"}
        assert client.post(f"/horing/{slug}/svar", data=data).status_code == 422
        limited_response = client.post(
            f"/horing/{slug}/svar", data=data, headers={"Accept-Language": "nb"}
        )
        assert limited_response.status_code == 429
        # The form again, translated, with what was typed (issue 9), not a bare error page.
        assert "Du har sendt skjemaet mange ganger på kort tid" in limited_response.text
        assert "kort</textarea>" in limited_response.text
        limiter.reset()
        db.session.remove()
        db.engine.dispose()


def test_publication_consent_is_chosen_never_preselected(client, session, make_draft, respond):
    """Issue 9, point 2: no answer is ticked in advance; none chosen is refused."""
    import re

    draft = make_draft()
    page = client.get(f"/horing/{draft.slug}/svar", headers={"Accept-Language": "nb"})
    radios = re.findall(r'<input[^>]*name="may_publish"[^>]*>', page.text)
    assert len(radios) == 2
    assert not [r for r in radios if "checked" in r]
    # Every other consent on a public form is unticked too (sign-up's privacy consent).
    refused = respond(draft, headers={"Accept-Language": "nb"}, may_publish=None)
    assert refused.status_code == 422
    assert "Svar på om vi kan publisere høringssvaret ditt" in summary(refused.text)
    radios = re.findall(r'<input[^>]*name="may_publish"[^>]*>', refused.text)
    assert not [r for r in radios if "checked" in r]
    assert counts(session) == (0, 0, 0)
    assert respond(draft, may_publish="no").status_code == 303
    assert session.execute(select(ConsultationResponse)).scalar_one().may_publish is False


def test_no_public_form_ticks_a_consent_in_advance(client, make_meeting, make_draft):
    import re

    meeting = make_meeting()
    draft = make_draft()
    for url in (f"/moter/{meeting.id}/pamelding", f"/horing/{draft.slug}/svar", "/innspill/"):
        page = client.get(url)
        assert page.status_code == 200, url
        checked = [
            tag
            for tag in re.findall(r'<input[^>]*type="(?:checkbox|radio)"[^>]*>', page.text)
            if re.search(r"\schecked", tag) and "stance" not in tag
        ]
        assert checked == [], (url, checked)


# ---------------------------------------------------------------- nothing attached is lost


def _pending_sets(app) -> list:
    from pathlib import Path

    folder = Path(app.config["UPLOAD_DIR"]) / "pending"
    return sorted(p for p in folder.iterdir()) if folder.exists() else []


def test_attachments_chosen_before_a_mistake_are_kept_and_sent(
    app, client, session, make_draft, respond
):
    """Issue 9, point 3: after a mistake in another field the chosen PDFs are kept for
    this form (never in the public folder, never served) and shown as attached; the
    writer can remove one; the next attempt sends them; then nothing is left over."""
    draft = make_draft()
    files = [(pdf_bytes(), "uttale.pdf"), (pdf_bytes(2), "vedlegg 2.pdf")]
    wrong = respond(draft, headers={"Accept-Language": "en"}, files=files, org_number="123")
    assert wrong.status_code == 422
    assert "uttale.pdf" in wrong.text and "vedlegg 2.pdf" in wrong.text
    assert 'id="kept-attachments"' in wrong.text and "Already attached" in wrong.text
    assert counts(session) == (0, 0, 0)
    assert stored_files(app) == []  # nothing in the attachments folder
    (kept,) = _pending_sets(app)
    assert len(list(kept.glob("*.pdf"))) == 2
    assert kept.name not in wrong.text  # the token stays in the signed session only

    # Another mistake without new files: still kept; one is removed by the writer.
    again = respond(draft, files=[], text="Kort", remove_kept="1")
    assert again.status_code == 422
    assert "uttale.pdf" in again.text and "vedlegg 2.pdf" not in again.text

    # A third PDF would be one too many together with those kept.
    assert respond(draft, files=[(pdf_bytes(), f"{n}.pdf") for n in range(3)]).status_code == 422

    sent = respond(draft)
    assert sent.status_code == 303
    response = session.execute(select(ConsultationResponse)).scalar_one()
    assert [a.original_filename for a in response.attachments] == ["uttale.pdf"]
    assert _pending_sets(app) == []
    # A fresh form starts with nothing attached.
    assert "kept-attachments" not in client.get(f"/horing/{draft.slug}/svar").text


def test_kept_attachments_are_deleted_when_abandoned(app, session, make_draft, respond):
    import os
    import time

    draft = make_draft()
    assert respond(draft, files=[(pdf_bytes(), "a.pdf")], name="").status_code == 422
    (kept,) = _pending_sets(app)
    old = time.time() - app.config["PENDING_UPLOAD_MINUTES"] * 60 - 60
    os.utime(kept, (old, old))
    # What was left too long is swept before the form is shown or sent again.
    other = respond(draft, name="", files=[(pdf_bytes(), "b.pdf")])
    assert "a.pdf" not in other.text and "b.pdf" in other.text
    assert not kept.exists()
    assert len(_pending_sets(app)) == 1


@pytest.fixture
def limited_client(_migrated, tmp_path):
    """An app with rate limiting on: two posts per minute."""
    from flask_babel import refresh

    from participation import create_app
    from participation.extensions import db, limiter
    from tests.conftest import _empty_tables, base_config

    config = base_config(_migrated, tmp_path)
    config.update(
        RATELIMIT_ENABLED=True,
        CONSULTATION_RATE_LIMIT="2 per minute",
        SUGGESTION_RATE_LIMIT="1 per minute",
        SUGGESTION_MIN_SECONDS=0,
    )
    app = create_app(config)
    app.before_request(refresh)
    with app.app_context():
        limiter.reset()
        from participation.models import Process

        db.session.add(Process(slug="standard", title_nb="Standardprosess", status="active"))
        db.session.commit()
        yield app, app.test_client()
        limiter.reset()
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def test_too_many_requests_bring_the_form_back_with_what_was_typed(limited_client):
    """Issue 9, point 3 (the 429 page): the form comes back with the text, the choices
    and the attachments, and a message to wait; nothing is stored."""
    import html

    from participation.consultation import service as consultation
    from participation.extensions import db
    from tests.consultation.conftest import GOOD_TEXT
    from tests.helpers import DRAFT_MD

    app, client = limited_client
    now = datetime.now(UTC)
    consultation.import_markdown(
        db.session,
        DRAFT_MD,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
        slug="grense",
    )
    db.session.commit()
    url = "/horing/grense/svar"
    fields = {
        "section": "",
        "stance": "partly",
        "text": GOOD_TEXT,
        "name": "Kari Nordmann",
        "email": "kari@example.no",
        "organisation": "",
        "org_number": "",
        "category": "citizen",
        "may_publish": "no",
    }
    for expected in (303, 422, 429):
        page = client.get(url, headers={"Accept-Language": "en"})
        data = {"csrf_token": csrf_token(page.text), **fields}
        if expected == 422:
            data["name"] = ""
        body, content_type = multipart(data, [(pdf_bytes(), "uttale.pdf")])
        answer = client.post(
            url, data=body, content_type=content_type, headers={"Accept-Language": "en"}
        )
        assert answer.status_code == expected, answer.text[:300]
    shown = html.unescape(answer.text)
    assert "Wait a few minutes and send it again" in shown
    assert GOOD_TEXT in shown and 'value="Kari Nordmann"' in shown
    assert "uttale.pdf" in shown  # attached, kept
    assert re.search(r'value="no"[^>]*checked|checked[^>]*value="no"', answer.text)
    assert answer.headers.get("Retry-After")
    assert counts(db.session) == (1, 1, 1)  # only the first response

    # The suggestion box: the text comes back too.
    from tests.suggestions.conftest import hidden_value

    text = "Fylket bør satse på lokalmat fra Senja og bedre veier i hele regionen."
    for expected in (303, 429):
        page = client.get("/innspill/", headers={"Accept-Language": "en"})
        answer = client.post(
            "/innspill/",
            data={
                "csrf_token": hidden_value(page.text, "csrf_token"),
                "started": hidden_value(page.text, "started"),
                "text": text,
                "homepage": "",
            },
            headers={"Accept-Language": "en"},
        )
        assert answer.status_code == expected
    assert text in html.unescape(answer.text)
    assert "your text is kept below" in answer.text
