import json
import random

import pytest

from analysis.focus_areas import FocusAreaSpec, focus_areas_from_dicts, load_default_focus_areas
from analysis.service import InputRecord, retrain, run_analysis, uncertainty_queue

from .conftest import SMALL_EXAMPLES, generate_inputs, make_small_areas


def test_default_focus_areas(areas):
    keys = [a.key for a in areas]
    assert keys == [
        "bioeconomy",
        "circular_economy",
        "wood_processing",
        "local_food",
        "tourism",
        "fisheries_aquaculture",
        "agriculture",
        "reindeer_herding",
        "minerals",
        "energy",
        "maritime",
        "petroleum",
        "skills",
        "rnd_innovation",
        "entrepreneurship",
        "clusters_networks",
        "attractiveness_settlement",
        "infrastructure_transport",
    ]
    for a in areas:
        assert isinstance(a, FocusAreaSpec)
        assert set(a.names) == set(a.descriptions) == {"nb", "nn", "en"}
        assert 10 <= len(a.seed_terms) <= 25
        assert isinstance(a.seed_terms, tuple)
    # Round trip through plain dicts, as the web app does with database rows.
    assert focus_areas_from_dicts(a.to_dict() for a in areas) == areas
    assert load_default_focus_areas() == areas


@pytest.fixture(scope="module")
def records(heldout):
    recs = [
        InputRecord(
            id=f"h{i}",
            text=r["text"],
            metadata={"region": ["Nord", "Midt", "Sør"][i % 3], "channel": "suggestion_box"},
        )
        for i, r in enumerate(heldout[:120])
    ]
    campaign = (
        "Vi krever at fylkeskommunen sier nei til sjødeponi i fjorden og tar vare på "
        "fiskeriene og reindrifta i kommunen vår."
    )
    recs += [
        InputRecord(id=f"c{i}", text=campaign + f" Hilsen {name}.", metadata={"region": "Nord"})
        for i, name in enumerate(["Kari", "Ola", "Per", "Anne"])
    ]
    recs.append(InputRecord(id="conf", text="Mer lokalmat i kantina.", confirmed_areas=("skills",)))
    return recs


@pytest.fixture(scope="module")
def result(records, areas, model_dir, default_tagger):
    stages = []
    res = run_analysis(
        records, areas, model_dir=model_dir, progress=lambda s, f: stages.append((s, f))
    )
    res.stages = stages
    return res


def test_run_analysis_per_input(result, records, areas):
    assert [r.id for r in result.inputs] == [r.id for r in records]
    keys = {a.key for a in areas}
    for r in result.inputs:
        assert set(r.suggestions) == keys
        assert all(0 <= p <= 1 for p in r.suggestions.values())
        assert set(r.tags) <= keys
        assert r.written_form in ("nb", "nn", "other")
        assert r.theme is not None
    conf = result.inputs[-1]
    assert conf.confirmed and conf.tags == ["skills"]  # never overwritten by the run


def test_run_analysis_duplicates_count_once(result):
    camp = [r for r in result.inputs if str(r.id) in {"c0", "c1", "c2", "c3"}]
    assert {r.duplicate_group for r in camp} == {"c0"}
    assert all(r.duplicate_count == 4 for r in camp)
    assert len({r.theme for r in camp}) == 1
    theme = next(t for t in result.themes if t.id == camp[0].theme)
    assert theme.size - theme.size_unique >= 3
    assert {"id": "c0", "count": 4} in theme.duplicate_groups
    assert sum(t.size for t in result.themes) == len(result.inputs)


def test_run_analysis_themes_and_metadata(result):
    assert result.themes
    for t in result.themes:
        assert t.label_words and t.label == ", ".join(t.label_words)
        assert 1 <= len(t.representative_ids) <= 3
        assert set(t.spread) >= {"region", "focus_areas", "written_form"}
        assert sum(t.spread["region"].values()) == t.size
    assert result.centres and result.parameters["n_themes"] == len(result.themes)
    assert result.versions["scikit-learn"]
    assert {"model", "preprocess", "tagging", "clustering", "themes", "total"} <= set(
        result.timings
    )
    assert result.metrics["n_inputs"] == len(result.inputs)
    assert "oof_f1_micro" in result.metrics["tagger"]
    fractions = [f for _, f in result.stages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    json.dumps(result.to_dict())  # plain data


def test_run_analysis_is_stable_with_previous_centres(result, records, areas, model_dir):
    again = run_analysis(
        records,
        areas,
        model_dir=model_dir,
        previous_centres=result.centres,
        n_themes=result.parameters["n_themes"],
    )
    same = sum(a.theme == b.theme for a, b in zip(result.inputs, again.inputs, strict=True))
    assert same / len(records) >= 0.9


def test_run_analysis_empty_and_no_areas(areas, model_dir):
    empty = run_analysis([], areas, model_dir=model_dir)
    assert empty.inputs == [] and empty.themes == []
    only = run_analysis(
        [InputRecord(id=1, text="Bare tema, ingen områder")], [], model_dir=model_dir
    )
    assert only.inputs[0].tags == [] and only.inputs[0].suggestions == {}


def test_duplicate_ids_rejected(areas, model_dir):
    with pytest.raises(ValueError):
        run_analysis([InputRecord(1, "a"), InputRecord(1, "b")], areas, model_dir=model_dir)


def test_uncertainty_queue(records, areas, model_dir, default_tagger):
    queue = uncertainty_queue(records, areas, model_dir=model_dir, limit=10)
    assert len(queue) == 10
    u = [q.uncertainty for q in queue]
    assert u == sorted(u)
    assert "conf" not in {q.id for q in queue}  # already confirmed
    assert uncertainty_queue(records[-1:], areas, model_dir=model_dir) == []


def test_retrain_returns_description(areas, model_dir, default_tagger):
    desc = retrain(areas, model_dir=model_dir)
    assert desc["area_keys"] == [a.key for a in areas]
    assert 0 < desc["metrics"]["oof_f1_micro"] <= 1


def _grouping(result) -> set[frozenset]:
    groups: dict[int, set] = {}
    for r in result.inputs:
        groups.setdefault(r.theme, set()).add(r.id)
    return {frozenset(g) for g in groups.values()}


def test_same_inputs_in_another_order_give_the_same_themes(areas, model_dir, default_tagger):
    """The database may return rows in any order (PostgreSQL did): the result must not
    change. 2 300 inputs, so the silhouette sample and the near-duplicate hashing count."""
    texts = generate_inputs(2300, seed=3)
    records = [InputRecord(id=i, text=t, metadata={"region": "Nord"}) for i, t in enumerate(texts)]
    shuffled = list(records)
    random.Random(5).shuffle(shuffled)
    a = run_analysis(records, areas, model_dir=model_dir)
    b = run_analysis(shuffled, areas, model_dir=model_dir)
    assert [r.id for r in b.inputs] == [r.id for r in shuffled]  # the caller's order
    assert a.parameters["n_themes"] == b.parameters["n_themes"] >= 2
    assert _grouping(a) == _grouping(b)
    assert a.metrics["n_unique"] == b.metrics["n_unique"] < len(records)
    assert a.metrics["clustering"] == b.metrics["clustering"]
    by_id = {r.id: r for r in b.inputs}
    assert all(r == by_id[r.id] for r in a.inputs)  # tags, themes, duplicates, map
    assert [t.label_words for t in a.themes] == [t.label_words for t in b.themes]
    assert a.themes == b.themes
    assert a.centres == b.centres


def test_small_run_names_every_theme(areas, model_dir, default_tagger, examples):
    """18 inputs and 4 themes gave the web app a theme without a name."""
    texts = [r["text"] for r in examples[100:116]]
    texts += ["123", "!!!"]
    records = [InputRecord(id=i, text=t) for i, t in enumerate(texts)]
    for n_themes in (None, 4, 6):
        result = run_analysis(records, areas, model_dir=model_dir, n_themes=n_themes)
        assert result.themes
        for theme in result.themes:
            assert theme.label_words and theme.label.strip(), result.to_dict()["themes"]


def test_rebuild_trains_the_model_anew(tmp_path, monkeypatch):
    import analysis.tagging as tagging

    monkeypatch.setattr(tagging, "load_examples", lambda path=None: list(SMALL_EXAMPLES))
    calls = []
    real = tagging.train_tagger

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(tagging, "train_tagger", counting)
    small = make_small_areas()
    records = [InputRecord(id=i, text=r["text"]) for i, r in enumerate(SMALL_EXAMPLES)]
    retrain(small, model_dir=tmp_path)
    retrain(small, model_dir=tmp_path)
    run_analysis(records, small, model_dir=tmp_path, cluster=False)
    assert len(calls) == 1  # cached
    desc = retrain(small, model_dir=tmp_path, rebuild=True)
    assert len(calls) == 2 and desc["area_keys"] == ["fish", "roads", "housing"]
    result = run_analysis(records, small, model_dir=tmp_path, cluster=False, rebuild=True)
    assert len(calls) == 3 and result.parameters["rebuild"] is True
    run_analysis(records, small, model_dir=tmp_path, cluster=False)
    assert len(calls) == 3
    assert len(list(tmp_path.glob("*.joblib"))) == 1  # rebuilt in place


def test_retrain_reports_per_area_figures(areas, model_dir, default_tagger, result):
    desc = retrain(areas, model_dir=model_dir)
    per_area = desc["metrics"]["per_area"]
    assert list(per_area) == [a.key for a in areas]
    for figures in per_area.values():
        assert set(figures) == {"precision", "recall", "f1", "support", "threshold"}
        assert all(0 <= figures[k] <= 1 for k in ("precision", "recall", "f1", "threshold"))
        assert figures["support"] >= 30  # every default area has 30+ bundled examples
    # The run carries them to the web app's quality page.
    assert result.metrics["tagger"]["per_area"] == per_area
    json.dumps(desc)
