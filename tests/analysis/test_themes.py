"""Themes a project group can trust: number of themes, written forms, quotes, stability,
sub-themes of one focus area, and the evaluate-themes figures."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from analysis.clustering import ThemeClusterer, choose_n_themes, fit_kmeans, representatives
from analysis.evaluate import match_themes, purity, written_form_spread
from analysis.service import InputRecord, focus_area_themes, run_analysis
from analysis.tagging import uncertainty, uncertainty_ranking

HERE = Path(__file__).parent


def _balanced():
    with open(HERE / "data" / "written_forms_balanced.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --- number of themes ----------------------------------------------------------------------


def _blobs(k: int, per: int, dim: int = 20, noise: float = 0.15, seed: int = 0) -> np.ndarray:
    rng = np.random.RandomState(seed)
    centres = rng.normal(size=(k, dim))
    X = np.vstack([c + noise * rng.normal(size=(per, dim)) for c in centres])
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.mark.parametrize("k", [3, 6, 9])
def test_number_of_themes_finds_planted_groups(k):
    count = choose_n_themes(_blobs(k, 30), max_themes=20)
    assert count.n_themes == k and count.method == "calinski_harabasz"
    # At most one theme per five inputs: 18 for 90 inputs.
    assert count.high == min(20, 3 * k * 30 // 15) and set(count.scores) == set(
        range(2, count.high + 1)
    )
    assert str(k) in count.explanation


def test_number_of_themes_does_not_grow_with_k_on_short_unstructured_texts():
    """Short texts of random words: the silhouette rises with k; our criterion does not."""
    rng = np.random.RandomState(0)
    vocab = [f"ord{chr(97 + i)}{chr(97 + j)}" for i in range(26) for j in range(8)]
    texts = [" ".join(rng.choice(vocab, 4)) for _ in range(300)]
    model = ThemeClusterer(max_themes=30).fit(texts)
    count = model.theme_count_
    assert count.high == 30
    assert count.n_themes <= 8, count.scores
    scores = [count.scores[k] for k in sorted(count.scores)]
    assert scores[-1] < scores[0]


def test_fixed_number_of_themes_and_the_explanation_in_the_result(areas, model_dir, examples):
    records = [InputRecord(id=i, text=r["text"]) for i, r in enumerate(examples[:120])]
    auto = run_analysis(records, areas, model_dir=model_dir)
    tc = auto.parameters["theme_count"]
    assert tc["method"] == "calinski_harabasz" and tc["n_themes"] == len(auto.themes)
    assert tc["low"] <= tc["n_themes"] <= tc["high"] and tc["explanation"]
    assert auto.metrics["clustering"]["theme_count"] == tc
    fixed = run_analysis(records, areas, model_dir=model_dir, n_themes=7)
    assert len(fixed.themes) == 7 and fixed.parameters["theme_count"]["method"] == "fixed"


def test_kmeans_step_alone():
    X = _blobs(4, 20)
    labels, centres = fit_kmeans(X, 4)
    assert centres.shape == (4, X.shape[1])
    assert adjusted_rand_score(np.repeat(np.arange(4), 20), labels) == 1.0


# --- topics, not written forms -------------------------------------------------------------


def test_balanced_nynorsk_bokmal_set_is_grouped_by_topic_not_form():
    rows = _balanced()
    texts = [r["text"] for r in rows]
    topics = [r["topic"] for r in rows]
    forms = [r["form"] for r in rows]
    assert forms.count("nn") == forms.count("nb")
    for n_themes in (None, 8):
        model = ThemeClusterer(n_themes=n_themes).fit(texts)
        assert adjusted_rand_score(topics, model.labels_) >= 0.5
        assert adjusted_rand_score(forms, model.labels_) <= 0.05
        for c in range(model.n_themes_):
            members = [f for f, lab in zip(forms, model.labels_, strict=True) if lab == c]
            if len(members) >= 4:
                assert 0.25 <= members.count("nn") / len(members) <= 0.75, (c, members)


def test_no_written_form_theme_when_nynorsk_is_a_minority():
    """One Nynorsk input in three: no theme may hold more than twice that share of
    Nynorsk unless its topics do."""
    rows = _balanced()
    keep = [r for i, r in enumerate(rows) if r["form"] == "nb" or i % 2 == 0]
    model = ThemeClusterer(n_themes=8).fit([r["text"] for r in keep])
    report = written_form_spread(
        list(range(model.n_themes_)),
        list(model.labels_),
        [r["form"] for r in keep],
        [r["topic"] for r in keep],
        min_size=3,
    )
    assert report["written_form_themes"] == 0
    assert report["max_ratio"] <= 2.0


def test_written_form_spread_flags_a_form_theme():
    forms = ["nn"] * 5 + ["nb"] * 15
    topics = ["a", "b"] * 10
    themes = [0] * 5 + [1] * 15
    report = written_form_spread([0, 1], themes, forms, topics)
    assert report["written_form_themes"] == 1 and report["max_ratio"] == 4.0


# --- quotes --------------------------------------------------------------------------------


def test_quotes_are_near_the_centre_collapse_near_duplicates_and_mix_forms():
    centre = np.array([1.0, 0.0, 0.0])
    Z = np.array(
        [
            [1.0, 0.0, 0.0],  # 0 nearest
            [0.999, 0.04, 0.0],  # 1 a near duplicate of 0
            [0.95, 0.31, 0.0],  # 2
            [0.9, 0.0, 0.43],  # 3
            [0.8, 0.6, 0.0],  # 4 nynorsk, farther out
        ]
    )
    Z = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    labels = np.zeros(5, dtype=int)
    # The words' space: 0 and 1 say the same thing, the others differ.
    words = np.eye(5)
    words[1] = words[0]
    plain = representatives(Z, labels, centre[None, :], n=3, redundancy=1.01)
    assert plain == [[0, 1, 2]]
    collapsed = representatives(Z, labels, centre[None, :], n=3, similarity_space=words)
    assert collapsed == [[0, 2, 3]]
    forms = ["nb", "nb", "nb", "nb", "nn"]
    mixed = representatives(
        Z, labels, centre[None, :], n=3, diversity=[forms], similarity_space=words
    )
    assert mixed == [[0, 2, 4]]
    # A second column (channel) is honoured without losing the first.
    channels = ["box", "box", "box", "meeting", "box"]
    both = representatives(
        Z, labels, centre[None, :], n=3, diversity=[forms, channels], similarity_space=words
    )
    assert {forms[i] for i in both[0]} == {"nb", "nn"}
    assert {channels[i] for i in both[0]} == {"box", "meeting"}


def test_run_quotes_show_both_written_forms_where_a_theme_has_them(areas, model_dir):
    rows = _balanced()
    records = [
        InputRecord(id=i, text=r["text"], metadata={"channel": "suggestion_box"})
        for i, r in enumerate(rows)
    ]
    result = run_analysis(records, areas, model_dir=model_dir, n_representatives=3)
    form = {r.id: r.written_form for r in result.inputs}  # as the run detected them
    checked = 0
    for theme in result.themes:
        if len(set(theme.spread["written_form"])) > 1 and len(theme.representative_ids) >= 2:
            assert len({form[i] for i in theme.representative_ids}) >= 2, theme
            checked += 1
    assert checked >= 3


# --- stability -----------------------------------------------------------------------------


def test_adding_ten_percent_keeps_the_themes(areas, model_dir, examples):
    rows = examples[:330]
    rng = np.random.RandomState(3)
    extra = set(rng.choice(len(rows), 30, replace=False))
    records = [InputRecord(id=i, text=r["text"]) for i, r in enumerate(rows)]
    first = run_analysis([r for r in records if r.id not in extra], areas, model_dir=model_dir)
    second = run_analysis(records, areas, model_dir=model_dir, previous_centres=first.centres)
    m = match_themes({r.id: r.theme for r in first.inputs}, {r.id: r.theme for r in second.inputs})
    assert m["share_matched"] >= 0.8, m
    assert m["share_kept"] >= 0.8, m


def test_a_renamed_theme_keeps_its_name(areas, model_dir, examples):
    records = [InputRecord(id=i, text=r["text"]) for i, r in enumerate(examples[:200])]
    first = run_analysis(records, areas, model_dir=model_dir)
    assert all(t.name is None for t in first.themes)
    biggest = first.themes[0]
    centres = [
        dict(c, name="Mat fra fylket") if c["id"] == biggest.id else c for c in first.centres
    ]
    second = run_analysis(records, areas, model_dir=model_dir, previous_centres=centres)
    again = next(t for t in second.themes if t.id == biggest.id)
    assert again.name == "Mat fra fylket" and again.display_name == "Mat fra fylket"
    assert [t.name for t in second.themes].count("Mat fra fylket") == 1
    # ... and the name travels on in the centres for the run after.
    assert next(c for c in second.centres if c["id"] == biggest.id)["name"] == "Mat fra fylket"


def test_match_themes_by_member_overlap():
    before = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b", 6: "c"}
    after = {1: "a", 2: "a", 3: "x", 4: "b", 5: "b", 6: "b", 7: "b"}
    m = match_themes(before, after)
    assert m["themes"] == 3 and m["matched"] == 2 and m["kept_id"] == 2
    assert purity(["f", "f", "g"], [0, 0, 0]) == pytest.approx(2 / 3)


# --- sub-themes of one focus area ----------------------------------------------------------


def test_focus_area_themes_cover_the_area_only(areas, model_dir, examples):
    records = [
        InputRecord(
            id=i,
            text=r["text"],
            metadata={"region": ["Nord", "Sør"][i % 2], "channel": ["box", "meeting"][i % 3 > 0]},
        )
        for i, r in enumerate(examples[:400])
    ]
    full = run_analysis(records, areas, model_dir=model_dir, cluster=False)
    tagged = {r.id for r in full.inputs if "local_food" in r.tags}
    sub = focus_area_themes(records, areas, "local_food", model_dir=model_dir)
    assert {r.id for r in sub.inputs} == tagged and len(tagged) >= 10
    assert sub.parameters["focus_area"] == "local_food"
    assert sub.metrics["n_inputs_all"] == len(records)
    assert 2 <= len(sub.themes) <= 10
    assert sum(t.size for t in sub.themes) == len(tagged)
    for t in sub.themes:
        assert sum(t.spread["region"].values()) == t.size
        assert sum(t.spread["channel"].values()) == t.size
        assert t.spread["focus_areas"]["local_food"] == t.size
        assert t.representative_ids and set(t.representative_ids) <= tagged
    # Tags from a stored run are used as given.
    one = next(iter(sorted(tagged)))
    given = {r.id: list(r.tags) for r in full.inputs}
    given[one] = ["tourism"]
    sub2 = focus_area_themes(records, areas, "local_food", tags=given, model_dir=model_dir)
    assert {r.id for r in sub2.inputs} == tagged - {one}
    with pytest.raises(KeyError):
        focus_area_themes(records, areas, "no_such_area", model_dir=model_dir)


# --- one uncertainty, suggested keys -------------------------------------------------------


def test_one_uncertainty_everywhere(areas, model_dir, examples, default_tagger):
    from analysis.service import uncertainty_queue

    records = [InputRecord(id=i, text=r["text"]) for i, r in enumerate(examples[:40])]
    records.append(InputRecord(id=99, text="Mer lokalmat i kantina.", confirmed_areas=("skills",)))
    result = run_analysis(records, areas, model_dir=model_dir, cluster=False)
    P = default_tagger.predict_proba([r.text for r in records])
    margin = uncertainty(P, default_tagger.thresholds_)
    np.testing.assert_allclose([r.uncertainty for r in result.inputs], margin, rtol=1e-6)
    order = list(uncertainty_ranking(P, default_tagger.thresholds_))
    assert result.parameters["review_order"] == [records[i].id for i in order][:50]
    queue = uncertainty_queue(records, areas, model_dir=model_dir, limit=None)
    assert [q.id for q in queue] == [records[i].id for i in order if records[i].id != 99]
    by_id = {r.id: r for r in result.inputs}
    for q in queue:
        assert q.uncertainty == pytest.approx(by_id[q.id].uncertainty)
    conf = by_id[99]
    assert conf.tags == ["skills"] and conf.confirmed
    assert conf.suggested == [
        k for k in default_tagger.predict_labels(["Mer lokalmat i kantina."])[0]
    ]
    assert "local_food" in conf.suggested
    assert all(r.suggested == r.tags for r in result.inputs if not r.confirmed)
