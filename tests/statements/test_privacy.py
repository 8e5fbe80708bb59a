"""The privacy statement: the controller's duties, retention figures read from the
configuration the purge uses, organisation texts from the back office."""

from __future__ import annotations

import pytest

from tests.helpers import post_form

URL = "/personvern"


def flat(response) -> str:
    return " ".join(response.text.split())


@pytest.mark.parametrize(
    ("lang", "heading", "datatilsynet"),
    [
        ("nb", "Personvernerklæring", "kan du klage til Datatilsynet"),
        ("nn", "Personvernerklæring", "kan du klage til Datatilsynet"),
        ("en", "Privacy statement", "complain to the Norwegian Data Protection Authority"),
        ("se", "Persovdnasuodjalusčilgehus", "Dáhtabearráigeahččui (Datatilsynet)"),
    ],
)
def test_privacy_statement_in_four_languages(client, lang, heading, datatilsynet):
    home = client.get("/", headers={"Accept-Language": lang}).text
    assert f'<a class="ds-link" href="{URL}">' in home.split('<footer class="site-footer">')[1]
    page = flat(client.get(URL, headers={"Accept-Language": lang}))
    assert f'<html lang="{lang}"' in page and heading in page and datatilsynet in page
    assert 'href="https://www.datatilsynet.no/"' in page
    # One row per kind of data, each with purpose, legal basis and how long.
    for row in ("signup", "mail", "suggestion", "priorities", "consultation", "accounts"):
        assert f'id="retention-{row}"' in page


def test_retention_figures_are_read_from_the_configuration(app, client):
    app.config.update(RETENTION_DAYS=45, SESSION_HOURS=8, IDLE_MINUTES=20)
    page = flat(client.get(URL, headers={"Accept-Language": "en"}))
    assert "45 days after the meeting" in page
    assert "45 days after it was sent" in page
    assert "Your personal data is deleted 45 days after the meeting." in page
    assert "A session ends after 8 hours, or 20 minutes without activity." in page
    assert "the duty to archive overrides deletion" in page
    assert "Write from the e-mail address you used." in page
    nb = flat(client.get(URL, headers={"Accept-Language": "nb"}))
    assert "45 dager etter møtet" in nb


def test_controller_and_officer_are_organisation_texts(as_admin, client):
    default = flat(client.get(URL, headers={"Accept-Language": "en"}))
    assert '<dd class="preline">Troms fylkeskommune</dd>' in default
    assert "naeringsstrategi@example.no" in default
    assert "Ask the contact above" in default
    response = post_form(
        as_admin,
        "/admin/erklaeringar?erklaering=privacy&tekstsprak=nb",
        {
            "controller": "Troms fylkeskommune, Postboks 6600, 9296 Tromsø",
            "contact": "personvern@tromsfylke.no",
            "dpo": "Personvernombudet, personvernombud@tromsfylke.no",
            "recipients": "Driftsleverandør: Eksempel AS (databehandler)",
        },
    )
    assert response.status_code == 303
    for lang in ("nb", "se"):  # nothing entered in Sami: Bokmål
        page = flat(client.get(URL, headers={"Accept-Language": lang}))
        assert "Postboks 6600, 9296 Tromsø" in page
        assert "personvernombud@tromsfylke.no" in page
        assert "Eksempel AS (databehandler)" in page
