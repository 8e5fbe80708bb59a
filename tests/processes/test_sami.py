"""A process's texts in Northern Sami: shown when the reader's language is Sami,
else the Bokmål text, marked as Bokmål."""

from __future__ import annotations

from datetime import date, timedelta

from participation.processes import service
from participation.processes.demo import TROMS_PHASES, TROMS_PHASES_SE, TROMS_TEXTS


def _main(page: str) -> str:
    """The page's own content (the language menu names every language in its own)."""
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def _sami_process(make_process, **overrides):
    today = date.today()
    values = {
        "slug": "sami",
        "titles": {"nb": "Strategi for næring", "se": "Ealáhusstrategiija"},
        "summaries": {"nb": "Kort om arbeidet.", "se": "Oanehaččat barggu birra."},
        "introductions": {"nb": "Lang **innledning**.", "se": "Guhkes **álgu**."},
        "questions": {"nb": "Hva bør prioriteres?", "se": "Maid galgá vuoruhit?"},
        "phases": [
            service.PhaseData(
                names={"nb": "Medvirkning", "se": "Oassálastin"},
                descriptions={"nb": "Møter og innspill.", "se": "Čoahkkimat."},
                starts_on=today - timedelta(days=5),
                ends_on=today + timedelta(days=5),
            )
        ],
    }
    values.update(overrides)
    return make_process(**values)


def test_a_sami_reader_sees_the_process_in_sami(client, make_process):
    _sami_process(make_process)
    client.set_cookie("lang", "se")
    page = client.get("/prosess/sami")
    assert page.status_code == 200
    assert '<html lang="se"' in page.text
    for sami in (
        "Ealáhusstrategiija",
        "Oanehaččat barggu birra.",
        "<strong>álgu</strong>",
        "Oassálastin",
        "Čoahkkimat.",
    ):
        assert sami in page.text
    for bokmal in ("Strategi for næring", "Kort om arbeidet.", "Medvirkning", "Møter og innspill."):
        assert bokmal not in page.text
    assert 'lang="nb"' not in _main(page.text)

    box = client.get("/prosess/sami/innspill")
    assert box.status_code == 200
    assert "<span>Maid galgá vuoruhit?</span>" in box.text
    assert "Hva bør prioriteres?" not in box.text


def test_a_text_missing_in_sami_is_shown_in_bokmal_and_marked_so(client, make_process):
    _sami_process(
        make_process,
        summaries={"nb": "Kort om arbeidet."},
        questions={"nb": "Hva bør prioriteres?"},
        phases=[
            service.PhaseData(
                names={"nb": "Medvirkning"},
                descriptions={"nb": "Møter og innspill.", "se": "Čoahkkimat."},
                starts_on=date.today(),
                ends_on=date.today() + timedelta(days=3),
            )
        ],
    )
    client.set_cookie("lang", "se")
    page = client.get("/prosess/sami").text
    assert '<h1 class="ds-heading" data-size="xl">Ealáhusstrategiija</h1>' in page
    assert '<p class="ds-paragraph lead" data-size="lg" lang="nb">Kort om arbeidet.</p>' in page
    assert '<span lang="nb">Medvirkning</span>' in page
    assert "Čoahkkimat." in page and "Møter og innspill." not in page
    box = client.get("/prosess/sami/innspill").text
    assert '<span lang="nb">Hva bør prioriteres?</span>' in box
    # In Bokmål nothing is marked: it is the page's own language.
    client.set_cookie("lang", "nb")
    page = client.get("/prosess/sami").text
    assert "Strategi for næring" in page and 'lang="nb"' not in _main(page)


def test_the_demo_troms_process_has_every_text_in_sami():
    for texts in TROMS_TEXTS.values():
        assert texts["se"].strip()
    assert set(TROMS_PHASES_SE) == {phase[0] for phase in TROMS_PHASES}
    assert all(name and description for name, description in TROMS_PHASES_SE.values())
