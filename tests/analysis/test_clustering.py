import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.background import is_filler
from analysis.clustering import (
    ThemeClusterer,
    coordinates_2d,
    near_duplicate_groups,
    surface_forms,
    theme_spread,
)
from analysis.text import MASKS, NorwegianTokenizer, stem

ROOT = Path(__file__).resolve().parents[2]


def _texts(examples, n=240):
    return [r["text"] for r in examples[:n]]


def test_same_data_gives_same_assignment(examples):
    texts = _texts(examples)
    a = ThemeClusterer(max_themes=8).fit(texts)
    b = ThemeClusterer(max_themes=8).fit(texts)
    assert a.n_themes_ == b.n_themes_
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.theme_words_ == b.theme_words_


def test_number_of_themes_is_chosen_and_can_be_overridden(examples):
    texts = _texts(examples)
    auto = ThemeClusterer(min_themes=2, max_themes=8).fit(texts)
    assert 2 <= auto.n_themes_ <= 8
    assert set(auto.silhouette_scores_) == set(range(2, 9))
    fixed = ThemeClusterer(n_themes=5).fit(texts)
    assert fixed.n_themes_ == 5 and fixed.silhouette_scores_ == {}
    assert len(np.unique(fixed.labels_)) == 5


def test_previous_centres_are_reused(examples):
    texts = _texts(examples)
    first = ThemeClusterer(n_themes=6).fit(texts)
    centres = first.theme_centres()
    assert all(isinstance(c["id"], int) and c["terms"] for c in centres)
    # Same data, previous centres: every theme is kept with its id and its inputs.
    again = ThemeClusterer(n_themes=6, init_centres=centres).fit(texts)
    assert again.reused_centres_ == 6
    ids_a = first.theme_ids_[first.labels_]
    ids_b = again.theme_ids_[again.labels_]
    assert (ids_a == ids_b).mean() >= 0.9
    # More data of the same kind: themes keep their ids instead of jumping.
    more = ThemeClusterer(n_themes=6, init_centres=centres).fit(texts + _texts(examples[240:], 60))
    assert more.reused_centres_ >= 4
    ids_more = more.theme_ids_[more.labels_[: len(texts)]]
    assert (ids_more == ids_a).mean() >= 0.6


def test_centres_that_no_longer_fit_are_dropped(examples):
    texts = _texts(examples)
    first = ThemeClusterer(n_themes=4).fit(texts)
    stale = [{"id": 99, "terms": {"qwertyzzz": 1.0}}] + first.theme_centres()
    again = ThemeClusterer(n_themes=4, init_centres=stale).fit(texts)
    assert 99 not in again.theme_ids_


def _written(phrase: str, texts) -> bool:
    """The phrase occurs in one of the texts as written (case aside)."""
    import re

    words = phrase.lower().split()
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)")
    return any(pattern.search(t.lower()) for t in texts)


def test_theme_names_are_phrases_people_wrote(examples):
    texts = _texts(examples)
    model = ThemeClusterer(n_themes=6).fit(texts)
    for c, (phrases, keys) in enumerate(zip(model.theme_words_, model.theme_stems_, strict=True)):
        members = [t for t, lab in zip(texts, model.labels_, strict=True) if lab == c]
        assert 2 <= len(phrases) <= 4, phrases
        assert len(keys) == len(phrases)
        for phrase in phrases:
            assert _written(phrase, members), phrase  # as written, not a stem
            words = phrase.split()
            assert 1 <= len(words) <= 3
            assert not is_filler(words[0]) and not is_filler(words[-1])
            assert not set(w.lower() for w in words) & MASKS


def test_surface_forms_pick_most_frequent_word():
    docs = [["fiskeriene", "fiskeri"], ["fiskeriene"], ["fiskeriet"]]
    assert surface_forms(docs)[stem("fiskeriene")] == "fiskeriene"


def test_near_duplicates_are_grouped():
    base = (
        "Vi krever at fylkeskommunen stanser planene om sjødeponi i fjorden og sikrer "
        "fiskeriene og reindrifta før gruva får konsesjon."
    )
    texts = [
        base,
        "Helt annen sak: vi trenger flere lærlingplasser i kommunen.",
        base + " Hilsen Kari.",
        base.upper(),
        base.replace("fjorden", "fjorden vår"),
        "Takk!",
        "Takk!",
        "Mer lokalmat i butikkene.",
    ]
    g = near_duplicate_groups(NorwegianTokenizer().transform(texts))
    assert g[0] == g[2] == g[3] == g[4] == 0
    assert g[1] == 1 and g[7] == 7
    assert g[6] == 5  # identical short texts are one group too


def test_coordinates_2d_shape_and_determinism(examples):
    model = ThemeClusterer(n_themes=4)
    Z = model.fit_transform(_texts(examples, 80))
    a = coordinates_2d(Z)
    assert a.shape == (80, 2)
    np.testing.assert_allclose(a, coordinates_2d(Z))


def test_theme_spread_counts_metadata_values():
    spread = theme_spread(
        np.array([0, 0, 1]),
        [
            {"region": "Nord", "focus_areas": ["energy", "maritime"]},
            {"region": "Sør", "focus_areas": []},
            {"region": "Nord", "channel": "høring"},
        ],
        2,
    )
    assert spread[0]["region"] == {"Nord": 1, "Sør": 1}
    assert spread[0]["focus_areas"] == {"energy": 1, "maritime": 1, "": 1}
    assert spread[0]["channel"] == {"": 2}
    assert spread[1] == {"region": {"Nord": 1}, "channel": {"høring": 1}, "focus_areas": {"": 1}}


def test_tiny_and_degenerate_inputs_do_not_crash():
    assert ThemeClusterer().fit(["Bare én tekst"]).n_themes_ == 1
    m = ThemeClusterer().fit(["fisk og båt", "vei og bru", "fisk og båt"])
    assert len(m.labels_) == 3
    for texts in (["!!!", "123"], ["fisk", "fisk", "fisk"], ["a b", "c", ""]):
        m = ThemeClusterer().fit(texts)
        assert m.n_themes_ == 1 and len(m.labels_) == len(texts)


def _partition(labels) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(int(lab), set()).add(i)
    return {frozenset(g) for g in groups.values()}


def test_themes_do_not_depend_on_input_order(examples):
    texts = _texts(examples, 300)
    a = ThemeClusterer(max_themes=10).fit(texts)
    perm = np.random.RandomState(7).permutation(len(texts))
    b = ThemeClusterer(max_themes=10).fit([texts[i] for i in perm])
    assert a.n_themes_ == b.n_themes_
    assert a.silhouette_scores_ == b.silhouette_scores_
    # Same grouping, same theme ids and names: input i of the first run is perm^-1(i).
    back = np.empty_like(perm)
    back[perm] = np.arange(len(perm))
    np.testing.assert_array_equal(a.labels_, b.labels_[back])
    assert a.theme_words_ == b.theme_words_


def test_near_duplicate_groups_are_the_same_in_every_process():
    """MinHash must not depend on Python's string hashing (PYTHONHASHSEED)."""
    code = (
        "from tests.analysis.conftest import generate_inputs\n"
        "from analysis.clustering import near_duplicate_groups\n"
        "from analysis.text import NorwegianTokenizer\n"
        "docs = NorwegianTokenizer().transform(generate_inputs(1500))\n"
        "print(near_duplicate_groups(docs).tolist())\n"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        outputs.add(proc.stdout)
    assert len(outputs) == 1
    groups = json.loads(outputs.pop())
    assert len(set(groups)) < len(groups)  # the campaigns were found


@pytest.mark.parametrize("n_themes", [None, 3, 4, 5, 6])
def test_every_theme_of_a_small_input_has_a_readable_name(examples, n_themes):
    """Small inputs: words that occur once are cut from the clustering vocabulary, so a
    theme used to come back without a name (18 inputs, 4 themes)."""
    for start in range(0, 180, 18):
        texts = [r["text"] for r in examples[start : start + 18]]
        model = ThemeClusterer(n_themes=n_themes).fit(texts)
        for c, phrases in enumerate(model.theme_words_):
            members = [t for t, lab in zip(texts, model.labels_, strict=True) if lab == c]
            assert len(phrases) >= 2, (start, n_themes, model.theme_words_)
            assert len(set(phrases)) == len(phrases)
            for phrase in phrases:
                assert _written(phrase, members) and not is_filler(phrase.split()[0])


def test_themes_of_inputs_without_content_words_are_named_from_their_text():
    model = ThemeClusterer().fit(["!!!", "123"])
    assert model.theme_words_ == [["!!!", "123"]]
    # Only stopwords: the words themselves.
    model = ThemeClusterer().fit(["Det er nå det", "det var det"])
    assert model.theme_words_ and "det" in model.theme_words_[0]
