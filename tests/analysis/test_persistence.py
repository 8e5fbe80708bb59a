import json

import numpy as np
import pytest
import sklearn

from analysis.persistence import (
    ModelNotFoundError,
    ModelVersionError,
    default_model_dir,
    get_or_train_tagger,
    load_model,
    read_description,
    save_model,
    training_fingerprint,
)
from analysis.tagging import MultiLabelLogisticRegression

from .conftest import SMALL_EXAMPLES, make_small_areas


def test_save_and_load_round_trip(tmp_path):
    model = MultiLabelLogisticRegression(C=2.0)
    path = save_model(model, tmp_path / "m", area_keys=["a", "b"], metrics={"f1": 0.5})
    assert path.suffix == ".joblib" and path.with_suffix(".json").exists()
    loaded, desc = load_model(tmp_path / "m")
    assert loaded.get_params() == model.get_params()
    assert desc["area_keys"] == ["a", "b"]
    assert desc["metrics"] == {"f1": 0.5}
    assert desc["versions"]["scikit-learn"] == sklearn.__version__
    assert "created" in desc


def test_model_from_another_sklearn_version_is_refused(tmp_path):
    save_model(MultiLabelLogisticRegression(), tmp_path / "old")
    desc_path = tmp_path / "old.json"
    desc = json.loads(desc_path.read_text())
    desc["versions"]["scikit-learn"] = "0.24.2"
    desc_path.write_text(json.dumps(desc))
    with pytest.raises(ModelVersionError, match="0.24.2"):
        load_model(tmp_path / "old")


def test_missing_model(tmp_path):
    with pytest.raises(ModelNotFoundError):
        load_model(tmp_path / "nothing")
    with pytest.raises(ModelNotFoundError):
        read_description(tmp_path / "nothing")


def test_default_model_dir_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("INNSPILL_MODEL_DIR", str(tmp_path / "x"))
    assert default_model_dir() == tmp_path / "x"
    monkeypatch.delenv("INNSPILL_MODEL_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert str(default_model_dir()).startswith(str(tmp_path / "cache"))


def test_get_or_train_caches_and_rebuilds_outdated(tmp_path, monkeypatch):
    import analysis.tagging as tagging

    monkeypatch.setattr(tagging, "load_examples", lambda path=None: list(SMALL_EXAMPLES))
    areas = make_small_areas()
    tagger, desc = get_or_train_tagger(areas, model_dir=tmp_path)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2
    assert desc["area_keys"] == ["fish", "roads", "housing"]
    assert "oof_f1_micro" in desc["metrics"]

    # Second call loads from the cache (same files, same creation date).
    _, desc2 = get_or_train_tagger(areas, model_dir=tmp_path)
    assert desc2["created"] == desc["created"]

    # A cached model from another scikit-learn version is rebuilt, not loaded.
    desc_path = next(tmp_path.glob("*.json"))
    d = json.loads(desc_path.read_text())
    d["versions"]["scikit-learn"] = "1.0"
    desc_path.write_text(json.dumps(d))
    _, desc3 = get_or_train_tagger(areas, model_dir=tmp_path)
    assert desc3["versions"]["scikit-learn"] == sklearn.__version__

    # New confirmed labels -> a different model file.
    get_or_train_tagger(areas, [("Fisk på kaia", ["fish"])], model_dir=tmp_path)
    assert len(list(tmp_path.glob("*.joblib"))) == 2


def test_old_models_are_pruned(tmp_path, monkeypatch):
    import analysis.tagging as tagging

    monkeypatch.setattr(tagging, "load_examples", lambda path=None: list(SMALL_EXAMPLES))
    areas = make_small_areas()
    for i in range(3):
        get_or_train_tagger(areas, [(f"Fisk nummer {i}", ["fish"])], model_dir=tmp_path, keep=2)
    assert len(list(tmp_path.glob("*.joblib"))) == 2
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_order_of_confirmed_labels_finds_the_cached_model(tmp_path, monkeypatch):
    import analysis.tagging as tagging

    monkeypatch.setattr(tagging, "load_examples", lambda path=None: list(SMALL_EXAMPLES))
    areas = make_small_areas()
    labelled = [("Fisk på kaia", ["fish"]), ("Ny bru og ny vei", ["roads", "fish"])]
    again = [("Ny bru og ny vei", ["fish", "roads"]), ("Fisk på kaia", ["fish"])]
    assert training_fingerprint(areas, labelled) == training_fingerprint(areas, again)
    assert training_fingerprint(areas, labelled) != training_fingerprint(areas, labelled[:1])
    _, first = get_or_train_tagger(areas, labelled, model_dir=tmp_path)
    _, second = get_or_train_tagger(areas, again, model_dir=tmp_path)
    assert second["created"] == first["created"]
    assert len(list(tmp_path.glob("*.joblib"))) == 1


def test_a_trained_model_is_returned_with_its_saved_description(tmp_path, monkeypatch):
    import analysis.tagging as tagging

    monkeypatch.setattr(tagging, "load_examples", lambda path=None: list(SMALL_EXAMPLES))
    tagger, desc = get_or_train_tagger(make_small_areas(), model_dir=tmp_path)
    loaded, saved = load_model(next(tmp_path.glob("*.joblib")))
    assert desc == saved
    assert desc["metrics"]["per_area"]["fish"]["support"] == 5
    texts = ["Torsk på kaia", "Ny bru"]
    np.testing.assert_allclose(tagger.predict_proba(texts), loaded.predict_proba(texts))
