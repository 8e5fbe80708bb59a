"""Theme names in phrases of content words, against the frequency background."""

import pytest

from analysis.background import FILLER_ZIPF, background_weight, is_filler, zipf
from analysis.naming import ThemeNamer, phrase_candidates
from analysis.text import NorwegianTokenizer, load_written_form_table, to_bokmal, tokenize


def test_frequency_background_knows_filler_from_content():
    for word in ("faktisk", "igjen", "gir", "står", "sett", "fått", "nesten", "gjerne", "og"):
        assert is_filler(word), word
    for word in ("lokalmat", "havbruk", "reindrift", "kai", "havn", "kortreist", "turisme"):
        assert not is_filler(word), word
    assert zipf("faktisk") >= FILLER_ZIPF > zipf("reiseliv") > 0
    # Nynorsk forms are read as their Bokmål equivalents.
    assert zipf("ikkje") == zipf("ikke") and is_filler("ikkje")
    assert background_weight("havbruk") > background_weight("kommunen") > 0


@pytest.mark.parametrize(
    "nn, nb",
    [
        ("vegar", "veier"),
        ("ikkje", "ikke"),
        ("kva", "hva"),
        ("kome", "komme"),
        ("byggje", "bygge"),
        ("bustader", "boliger"),
        ("utfordringar", "utfordringer"),
        ("næringane", "næringene"),
        ("vanleg", "vanlig"),
        ("utviklinga", "utviklingen"),
        ("lokalmatprodusentar", "lokalmatprodusenter"),
    ],
)
def test_nynorsk_forms_are_written_as_bokmal(nn, nb):
    assert to_bokmal(nn) == nb
    assert to_bokmal(nb) == nb  # Bokmål comes back unchanged


def test_ending_rules_keep_words_they_would_break():
    # -ar -> -er only when the result is a more frequent Bokmål word.
    for word in ("klar", "bar", "fisk", "hyttefolket", "kjenner"):
        assert to_bokmal(word) == word


def test_written_form_table_is_data_with_its_source():
    words, endings = load_written_form_table()
    assert words["vegane"] == "veiene" and ("ar", "er") in endings
    assert len(endings[0][0]) >= len(endings[-1][0])  # longest ending first
    from importlib import resources

    text = resources.files("analysis").joinpath("data/nynorsk_bokmal.txt").read_text("utf-8")
    assert "Source:" in text and "ordbokene.no" in text


def test_both_written_forms_meet_in_the_features():
    nn = NorwegianTokenizer().transform(["Vegane og bustadene i bygda må byggjast ut."])[0]
    nb = NorwegianTokenizer().transform(["Veiene og boligene i bygda må bygges ut."])[0]
    assert nn == nb
    assert tokenize("Vegane", bokmal=False) == ["vegane"]  # off when asked


def test_phrase_candidates_stay_in_one_clause_and_skip_filler():
    got = [
        s
        for _, s in phrase_candidates(
            "Faktisk står det igjen mykje. Kortreist mat, og kai og havn!"
        )
    ]
    assert "kortreist mat" in got and "kai og havn" in got
    assert not any(w in p.split() for p in got for w in ("faktisk", "står", "igjen", "mykje"))
    assert "mat og kai" not in got and "mat kai" not in got  # the comma ends the phrase
    # Place names keep their capital inside a clause; masks break phrases.
    got = dict((s, k) for k, s in phrase_candidates("Ny kai i Vardø, ring 22 33 44 55 havna"))
    assert "kai i Vardø" in got and not any("tallmask" in s for s in got)


def test_written_forms_of_a_phrase_are_one_candidate():
    (k_nb, _), (k_nn, _) = (
        phrase_candidates("veier")[0],
        phrase_candidates("vegar")[0],
    )
    assert k_nb == k_nn


def test_names_are_distinctive_phrases_not_filler():
    texts = [
        "Vi vil ha kortreist mat i butikkene, faktisk.",
        "Kortreist mat fra bøndene gir igjen mer verdiskaping.",
        "Mer kortreist mat i kantina, det står jo klart.",
        "Kortreiste maten er best, og lokalmat bør merkes.",
        "Ny kai og havn i Vardø, faktisk nesten ferdig.",
        "Kai og havn må rustes opp for fiskebåtene.",
        "Fiskebåtene trenger kai og havn som tåler vinteren.",
        "Fiskebåtene ligger igjen ved kaia, det står dårlig til.",
    ]
    namer = ThemeNamer().fit(texts, [0, 0, 0, 0, 1, 1, 1, 1])
    assert namer.names_[0][0] == "kortreist mat"
    assert namer.names_[1][0] in ("kai og havn", "fiskebåtene")
    assert "kai og havn" in namer.names_[1]
    for phrases in namer.names_:
        assert 2 <= len(phrases) <= 4
        for phrase in phrases:
            words = phrase.split()
            assert not is_filler(words[0]) and not is_filler(words[-1]), phrase
        # A phrase does not repeat a word of a better one ("mat" after "kortreist mat").
        words = [w for p in phrases for w in p.split() if w not in ("og", "i")]
        assert len(words) == len(set(words))
