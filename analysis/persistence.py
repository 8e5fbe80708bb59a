"""Saving and loading models: joblib file beside a JSON description.

``<name>.joblib`` holds the fitted estimator; ``<name>.json`` says what it is (library
versions, date, focus-area keys, metrics). A model written by another scikit-learn
version is refused with :class:`ModelVersionError` before it is unpickled; the caller
rebuilds it (:func:`get_or_train_tagger` does so by itself).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import joblib
import nltk
import numpy as np
import scipy
import sklearn
from sklearn.exceptions import InconsistentVersionWarning

from .focus_areas import FocusAreaSpec

__all__ = [
    "ModelVersionError",
    "ModelNotFoundError",
    "library_versions",
    "default_model_dir",
    "save_model",
    "load_model",
    "read_description",
    "training_fingerprint",
    "get_or_train_tagger",
]

FORMAT_VERSION = 1


class ModelVersionError(RuntimeError):
    """The saved model was made with other library versions; rebuild it."""


class ModelNotFoundError(FileNotFoundError):
    """No saved model at the given path."""


def library_versions() -> dict[str, str]:
    """Versions of the libraries a saved model depends on."""
    from . import __version__

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "nltk": nltk.__version__,
        "analysis": __version__,
    }


def default_model_dir() -> Path:
    """``$INNSPILL_MODEL_DIR``, else the user cache dir (``~/.cache/innspill/models``)."""
    env = os.environ.get("INNSPILL_MODEL_DIR")
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "innspill" / "models"


def _paths(path: str | Path) -> tuple[Path, Path]:
    p = Path(path)
    if p.suffix in (".joblib", ".json"):
        p = p.with_suffix("")
    return p.with_suffix(".joblib"), p.with_suffix(".json")


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, float) and obj != obj:
        return None
    return obj


def save_model(
    model: Any,
    path: str | Path,
    *,
    area_keys: Sequence[str] = (),
    metrics: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``model`` to ``path`` (``.joblib``) and its description (``.json``).

    Both files are written to temporary names first and then renamed, so a reader never
    sees half a model.
    """
    model_path, desc_path = _paths(path)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    desc = {
        "format": FORMAT_VERSION,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "versions": library_versions(),
        "area_keys": list(area_keys),
        "metrics": _jsonable(dict(metrics or {})),
        **_jsonable(dict(extra or {})),
    }
    fd, tmp_model = tempfile.mkstemp(dir=model_path.parent, suffix=".joblib.tmp")
    os.close(fd)
    try:
        joblib.dump(model, tmp_model, compress=3)
        fd, tmp_desc = tempfile.mkstemp(dir=model_path.parent, suffix=".json.tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(desc, fh, ensure_ascii=False, indent=2)
        os.replace(tmp_model, model_path)
        os.replace(tmp_desc, desc_path)
    finally:
        for tmp in (tmp_model,):
            if os.path.exists(tmp):
                os.unlink(tmp)
    return model_path


def read_description(path: str | Path) -> dict[str, Any]:
    """The JSON description saved beside a model."""
    _, desc_path = _paths(path)
    if not desc_path.exists():
        raise ModelNotFoundError(f"no model description at {desc_path}")
    return json.loads(desc_path.read_text("utf-8"))


def load_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load a model and its description.

    Raises
    ------
    ModelNotFoundError
        If either file is missing.
    ModelVersionError
        If the model was saved with another scikit-learn version (or another format), or
        unpickling warns about inconsistent versions.
    """
    model_path, _ = _paths(path)
    desc = read_description(path)
    if not model_path.exists():
        raise ModelNotFoundError(f"no model at {model_path}")
    saved = (desc.get("versions") or {}).get("scikit-learn")
    if desc.get("format") != FORMAT_VERSION or saved != sklearn.__version__:
        raise ModelVersionError(
            f"model {model_path.name} was saved with scikit-learn {saved} "
            f"(format {desc.get('format')}); this is scikit-learn {sklearn.__version__}. "
            "Rebuild it with `python -m analysis train`."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            model = joblib.load(model_path)
        except InconsistentVersionWarning as exc:
            raise ModelVersionError(f"model {model_path.name}: {exc}") from exc
    return model, desc


def training_fingerprint(
    areas: Sequence[FocusAreaSpec], labelled: Iterable[tuple[str, Iterable[str]]] = ()
) -> str:
    """Short hash of everything a tagger is trained from (areas, confirmed labels, data).

    The order of the confirmed labels does not matter (training puts them in a fixed
    order too), so the same labels read in another order find the cached model.
    """
    from importlib import resources

    h = hashlib.sha256()
    h.update(json.dumps([a.to_dict() for a in areas], sort_keys=True, ensure_ascii=False).encode())
    for text, keys in sorted((str(t), sorted(set(map(str, k)))) for t, k in labelled):
        h.update(b"\x00" + text.encode() + b"\x01" + ",".join(keys).encode())
    h.update(resources.files("analysis").joinpath("data/examples.jsonl").read_bytes())
    h.update(json.dumps(library_versions(), sort_keys=True).encode())
    return h.hexdigest()[:16]


def get_or_train_tagger(
    areas: Sequence[FocusAreaSpec],
    labelled: Sequence[tuple[str, Sequence[str]]] = (),
    *,
    model_dir: str | Path | None = None,
    progress: Callable[[str, float], None] | None = None,
    retrain: bool = False,
    keep: int = 5,
):
    """Load the cached tagger for these areas and labels, or train and cache one.

    The cache key is :func:`training_fingerprint`, so new confirmed labels or edited areas
    give a new model; a model from another scikit-learn version is rebuilt, and
    ``retrain=True`` rebuilds it whatever is cached. Only the ``keep`` most recent models
    stay in the directory. A model just trained is returned as it is (not read back).

    Returns
    -------
    (tagger, description)
    """
    from .tagging import train_tagger

    labelled = [(str(t), list(k)) for t, k in labelled]
    directory = Path(model_dir) if model_dir is not None else default_model_dir()
    name = "tagger-default" if not labelled else "tagger"
    path = directory / f"{name}-{training_fingerprint(areas, labelled)}"
    if not retrain:
        try:
            return load_model(path)
        except (ModelNotFoundError, ModelVersionError):
            pass
        except Exception:  # a corrupt or truncated cache file: rebuild it
            pass
    if progress:
        progress("tagging: training", 0.0)
    tagger = train_tagger(areas, labelled, progress=progress)
    metrics = dict(tagger.cv_report_)
    metrics["thresholds"] = dict(zip(tagger.classes_, tagger.thresholds_, strict=True))
    save_model(
        tagger,
        path,
        area_keys=[a.key for a in areas],
        metrics=metrics,
        extra={"n_training": tagger.n_training_, "n_confirmed": len(labelled)},
    )
    _prune(directory, keep=keep)
    return tagger, read_description(path)


def _prune(directory: Path, *, keep: int) -> None:
    """Delete all but the ``keep`` most recently written taggers (each retraining with new
    confirmed labels writes a new one)."""
    models = sorted(
        directory.glob("tagger-*.joblib"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in models[keep:]:
        for p in (old, old.with_suffix(".json")):
            p.unlink(missing_ok=True)
