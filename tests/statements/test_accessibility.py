"""The accessibility statement: Uutilsynet's content, organisation texts from the back
office, the test part from the recorded axe-core run, and the feedback form."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from participation.models import AccessibilityTest, AuditEntry, Input
from participation.statements import service
from tests.helpers import count, post_form

URL = "/tilgjengelighet"

RECORD = {
    "tested_at": "2026-12-03T21:15:00+00:00",
    "tool": "axe-core 4.10.2",
    "pages": [
        {"url": "/", "locale": "nb", "violations": []},
        {"url": "/", "locale": "se", "violations": []},
        {
            "url": "/moter/",
            "locale": "nn",
            "violations": [
                {
                    "id": "color-contrast",
                    "impact": "serious",
                    "help": "Elements must meet minimum color contrast ratio thresholds",
                    "tags": ["cat.color", "wcag2aa", "wcag143"],
                    "nodes": 3,
                }
            ],
        },
        {"url": "/innspill/", "locale": "en", "violations": []},
    ],
}


@pytest.mark.parametrize(
    ("lang", "heading", "footer"),
    [
        ("nb", "Tilgjengelighetserklæring", "Tilgjengelighetserklæring"),
        ("nn", "Tilgjengeerklæring", "Tilgjengeerklæring"),
        ("en", "Accessibility statement", "Accessibility statement"),
        ("se", "Beasatlašvuođačilgehus", "Beasatlašvuođačilgehus"),
    ],
)
def test_statement_in_four_languages_linked_from_every_footer(client, lang, heading, footer):
    home = client.get("/", headers={"Accept-Language": lang}).text
    footer_html = home.split('<footer class="site-footer">')[1]
    assert f'<a class="ds-link" href="{URL}">{footer}</a>' in footer_html
    page = client.get(URL, headers={"Accept-Language": lang})
    assert page.status_code == 200
    assert f'<html lang="{lang}"' in page.text and heading in page.text
    assert "diskrimineringsnemnda.no" in page.text and "naeringsstrategi@example.no" in page.text


def test_without_a_record_the_statement_says_so(client):
    page = client.get(URL, headers={"Accept-Language": "en"}).text
    assert "No automated test has been recorded yet." in page
    assert "must meet 47 of the success criteria" in page
    assert "We know of no breach of them." in page
    assert "Troms fylkeskommune is responsible for the solution." in page
    assert "We answer within 10 working days." in page


def test_recorded_axe_run_is_what_the_statement_shows(app, client, session, tmp_path):
    path = tmp_path / "axe.json"
    path.write_text(json.dumps(RECORD), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["accessibility", "record", str(path)])
    assert result.exit_code == 0, result.output
    assert "recorded 4 page scans (3 addresses)" in result.output
    assert "1 kinds of violation" in result.output
    (test,) = session.execute(select(AccessibilityTest)).scalars()
    assert test.page_count == 4 and test.pages[2]["violations"][0]["criteria"] == ["1.4.3"]
    page = " ".join(client.get(URL, headers={"Accept-Language": "en"}).text.split())
    assert "Automated test with axe-core 4.10.2 against the WCAG 2.1 A and AA rules" in page
    assert "Thursday 3 December 2026" in page
    assert "4 pages were scanned (3 addresses; languages: en, nb, nn, se)" in page
    assert "The test found 1 kind of violation." in page
    assert "The solution breaches 1 of them." in page
    assert "Criterion 1.4.3</strong>: Elements must meet minimum color contrast" in page
    assert "found by the automated test on 1 page" in page
    assert "<code>/innspill/</code>" in page
    assert '<time datetime="2026-12-03T22:15:00+01:00">' in page  # statement date


def test_a_bad_record_is_refused_and_stores_nothing(app, session, tmp_path):
    runner = app.test_cli_runner()
    for content in ("not json", json.dumps({"pages": []}), json.dumps({"pages": [{"x": 1}]})):
        path = tmp_path / "bad.json"
        path.write_text(content, encoding="utf-8")
        result = runner.invoke(args=["accessibility", "record", str(path)])
        assert result.exit_code != 0 and "is not an accessibility test record" in result.output
    assert count(session, AccessibilityTest.id) == 0


def test_organisation_texts_are_edited_per_language_with_bokmaal_as_fallback(
    as_admin, client, session
):
    response = post_form(
        as_admin,
        "/admin/erklaeringar?erklaering=accessibility&tekstsprak=nb",
        {
            "responsible": "Troms fylkeskommune, avdeling for næring",
            "known_breaches": "1.2.2 | Videoen mangler teksting | Se tekstversjonen under videoen",
            "answer_time": "5 virkedager",
            "other_testing": "Manuell test med NVDA i november 2026.",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/erklaeringar?erklaering=accessibility&tekstsprak=nb"
    post_form(
        as_admin,
        "/admin/erklaeringar?tekstsprak=se",
        {"answer_time": "5 bargobeaivvi", "responsible": "", "known_breaches": ""},
    )
    assert count(session, AuditEntry.id, AuditEntry.action == "statement.update") == 2
    nb = " ".join(client.get(URL, headers={"Accept-Language": "nb"}).text.split())
    assert "Troms fylkeskommune, avdeling for næring er ansvarlig for løsningen." in nb
    assert "Suksesskriterium 1.2.2</strong>: Videoen mangler teksting" in nb
    assert "Alternativ: Se tekstversjonen under videoen" in nb
    assert "Løsningen bryter 1 av dem." in nb and "Vi svarer innen 5 virkedager." in nb
    assert "Manuell test med NVDA" in nb
    se = " ".join(client.get(URL, headers={"Accept-Language": "se"}).text.split())
    assert "Mii vástidit 5 bargobeaivvi siste." in se  # its own
    assert "avdeling for næring" in se  # empty in Sami: Bokmål


def test_only_administrators_edit_the_statements(as_reviewer):
    assert as_reviewer.get("/admin/erklaeringar").status_code == 403
    assert as_reviewer.get("/admin/erklaeringar?erklaering=privacy").status_code == 403


def test_unknown_statement_or_language_is_404(as_admin):
    assert as_admin.get("/admin/erklaeringar?erklaering=nothing").status_code == 404
    assert as_admin.get("/admin/erklaeringar?erklaering=privacy&tekstsprak=xx").status_code == 404
    assert as_admin.get("/admin/erklaeringar").status_code == 200


def test_anonymous_report_lands_in_the_inbox_as_its_own_channel(client, session):
    response = post_form(
        client,
        URL,
        {
            "text": "Skjemaet for påmelding kan ikke brukes med tastatur alene.",
            "page": "/moter/1/pamelding",
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == "/tilgjengelighet/takk"
    (item,) = session.execute(select(Input)).scalars()
    assert item.channel == "accessibility"
    assert (
        item.text
        == "Skjemaet for påmelding kan ikke brukes med tastatur alene.\n\n[/moter/1/pamelding]"
    )
    thanks = client.get("/tilgjengelighet/takk", headers={"Accept-Language": "nb"}).text
    assert "Prosjektgruppen har fått meldingen din" in thanks


def test_report_with_an_address_keeps_it_for_staff_only(as_reviewer, client, session):
    post_form(
        client,
        URL,
        {"text": "Kontrasten på knappene er for svak for meg.", "email": "kari@example.no"},
    )
    (item,) = session.execute(select(Input)).scalars()
    assert "kari@example.no" in item.text and "kari@example.no" not in item.redacted_text
    inbox = as_reviewer.get("/admin/?channel=accessibility").text
    assert "Tilbakemelding om tilgjengelighet" in inbox and f"#{item.id}<" in inbox


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": ""}, "Describe the problem."),
        ({"text": "Too short"}, "The description must be at least 10 characters."),
        (
            {"text": "A real problem with the map page.", "email": "not-an-address"},
            "Enter a valid e-mail address",
        ),
    ],
)
def test_bad_reports_change_nothing(client, session, data, error):
    response = post_form(client, URL, data, headers={"Accept-Language": "en"})
    assert response.status_code == 422 and error in response.text
    assert 'id="error-summary"' in response.text
    assert count(session, Input.id) == 0


def test_service_refuses_text_outside_the_limits(session):
    with pytest.raises(service.InvalidFeedback):
        service.submit_accessibility_feedback(session, "short")
