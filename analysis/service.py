"""The one entry point the web app calls: plain data in, plain data out.

>>> from analysis.service import InputRecord, run_analysis
>>> from analysis.focus_areas import load_default_focus_areas
>>> result = run_analysis(
...     [InputRecord(id=1, text="Mer lokalmat i butikkene!", metadata={"region": "Nord"})],
...     load_default_focus_areas(),
... )  # doctest: +SKIP
>>> result.inputs[0].tags  # doctest: +SKIP
['local_food']

Nothing here knows about Flask or the database: the caller turns rows into
:class:`InputRecord` and :class:`~analysis.focus_areas.FocusAreaSpec` objects and stores the
:class:`AnalysisResult` (``to_dict()`` is JSON-serialisable).
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .clustering import (
    ThemeClusterer,
    coordinates_2d,
    fallback_label,
    near_duplicate_groups,
    representatives,
    theme_spread,
)
from .focus_areas import FocusAreaSpec
from .persistence import get_or_train_tagger, library_versions
from .tagging import labels_from_proba, uncertainty_ranking
from .text import NorwegianTokenizer, detect_written_form

__all__ = [
    "InputRecord",
    "InputResult",
    "Theme",
    "AnalysisResult",
    "QueueItem",
    "run_analysis",
    "uncertainty_queue",
    "retrain",
    "ProgressCallback",
]

ProgressCallback = Callable[[str, float], None]
Labelled = Iterable[tuple[str, Sequence[str]]]

CHUNK = 5000


@dataclass(frozen=True)
class InputRecord:
    """One input to analyse.

    Attributes
    ----------
    id : str or int
        The caller's id; results refer to inputs by it.
    text : str
    metadata : mapping
        Columns to show a theme's spread over, e.g. ``{"region": "Nord-Troms",
        "channel": "suggestion_box", "category": "business"}``. Values may be strings or
        lists of strings.
    confirmed_areas : tuple of str or None
        Focus areas a reviewer has confirmed for this input (``()`` = confirmed "none").
        They are used as its tags and never overwritten; pass them in ``labelled`` too if
        the model should learn from them.
    """

    id: str | int
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    confirmed_areas: tuple[str, ...] | None = None


@dataclass
class InputResult:
    """Per-input result.

    Attributes
    ----------
    id : str or int
    suggestions : dict
        Probability per focus-area key (all areas).
    tags : list of str
        Suggested areas at the per-area thresholds (most probable first), or the
        confirmed areas when the input has them; empty means "other".
    suggested : list of str
        Focus-area keys the model suggests at the per-area thresholds (most probable
        first), whether or not reviewers confirmed other tags.
    confirmed : bool
        Whether ``tags`` are reviewer-confirmed.
    written_form : str
        ``"nb"``, ``"nn"`` or ``"other"``.
    theme : int or None
        Stable theme id (None when clustering was skipped).
    duplicate_group : str or int
        Id of the first input of its near-duplicate group (its own id when unique).
    duplicate_count : int
        Size of that group (1 when unique).
    x, y : float
        Map coordinates from the LSA space.
    uncertainty : float
        Distance of the most borderline area from its threshold, in log-odds (small =
        uncertain; the review queue sorts on it).
    """

    id: str | int
    suggestions: dict[str, float]
    tags: list[str]
    suggested: list[str]
    confirmed: bool
    written_form: str
    theme: int | None
    duplicate_group: str | int
    duplicate_count: int
    x: float
    y: float
    uncertainty: float


@dataclass
class Theme:
    """A theme (cluster) of inputs.

    Attributes
    ----------
    id : int
        Stable id (kept between runs when the previous centre still fits).
    label_words : list of str
        Distinctive words, most distinctive first (the theme's name).
    size : int
        Inputs in the theme.
    size_unique : int
        Inputs counting each near-duplicate group once.
    representative_ids : list
        Ids of the inputs closest to the centre (one per duplicate group), for quotes.
    spread : dict
        ``{column: {value: count}}`` over the inputs' metadata plus ``focus_areas``
        (their tags) and ``written_form``.
    duplicate_groups : list of dict
        ``{"id": first input id, "count": n}`` for the groups with more than one input.
    """

    id: int
    label_words: list[str]
    size: int
    size_unique: int
    representative_ids: list[str | int]
    spread: dict[str, dict[str, int]]
    duplicate_groups: list[dict[str, Any]]

    @property
    def label(self) -> str:
        return ", ".join(self.label_words)


@dataclass
class AnalysisResult:
    """Everything a run produced; ``to_dict()`` gives a JSON-serialisable form.

    Attributes
    ----------
    inputs : list of InputResult
    themes : list of Theme
    parameters : dict
        Parameters of the run (number of themes asked/chosen, thresholds ...).
    versions : dict
        Library versions.
    timings : dict
        Seconds per stage.
    metrics : dict
        Model metrics (out-of-fold F1 of the tagger), silhouette scores, counts.
    centres : list of dict
        Theme centres in term space; pass as ``previous_centres`` next run.
    model : dict
        Description of the tagging model used (from its JSON file).
    """

    inputs: list[InputResult]
    themes: list[Theme]
    parameters: dict[str, Any]
    versions: dict[str, str]
    timings: dict[str, float]
    metrics: dict[str, Any]
    centres: list[dict[str, Any]]
    model: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for t, theme in zip(d["themes"], self.themes, strict=True):
            t["label"] = theme.label
        return d


@dataclass
class QueueItem:
    """An input offered for review, least certain first."""

    id: str | int
    suggestions: dict[str, float]
    tags: list[str]
    uncertainty: float


class _Progress:
    """Maps stage progress onto one 0..1 scale for the caller's callback."""

    WEIGHTS = {
        "model": 0.10,
        "preprocess": 0.15,
        "tagging": 0.25,
        "duplicates": 0.10,
        "clustering": 0.30,
        "themes": 0.10,
    }

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self.done = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        if self.callback is None:
            return
        w = self.WEIGHTS.get(stage, 0.0)
        self.callback(stage, min(1.0, self.done + w * max(0.0, min(1.0, fraction))))

    def finish(self, stage: str) -> None:
        self(stage, 1.0)
        self.done += self.WEIGHTS.get(stage, 0.0)


def _labelled_list(labelled: Labelled) -> list[tuple[str, list[str]]]:
    return [(str(t), [str(k) for k in keys]) for t, keys in labelled]


def _load_tagger(areas, labelled, model_dir, progress: _Progress, rebuild: bool = False):
    def cb(stage: str, frac: float) -> None:
        progress("model", frac)

    return get_or_train_tagger(areas, labelled, model_dir=model_dir, progress=cb, retrain=rebuild)


def _id_key(value: Any) -> tuple:
    """Sort key for input ids: numbers by value, then everything else by its text."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value:
        return (0, value, "")
    return (1, 0, str(value))


def _canonical_order(ids: Sequence[Any]) -> list[int]:
    """Positions of ``ids`` sorted by id, so a run does not depend on the input order."""
    return sorted(range(len(ids)), key=lambda i: _id_key(ids[i]))


def _tag(tagger, token_docs, progress: _Progress) -> np.ndarray:
    n = len(token_docs)
    P = np.zeros((n, len(tagger.classes_)), dtype=np.float64)
    for start in range(0, n, CHUNK):
        P[start : start + CHUNK] = tagger.predict_proba(token_docs[start : start + CHUNK])
        progress("tagging", min(1.0, (start + CHUNK) / max(n, 1)))
    return P


def run_analysis(
    inputs: Sequence[InputRecord],
    areas: Sequence[FocusAreaSpec],
    labelled: Labelled = (),
    *,
    n_themes: int | None = None,
    previous_centres: Sequence[Mapping[str, Any]] | None = None,
    progress: ProgressCallback | None = None,
    model_dir: str | Path | None = None,
    cluster: bool = True,
    n_representatives: int = 3,
    random_state: int = 0,
    rebuild: bool = False,
) -> AnalysisResult:
    """Tag every input with focus areas and group the inputs into themes.

    The result does not depend on the order of ``inputs`` (they are processed in order
    of id; every random step is seeded): the same inputs give the same themes, in any
    order, in any process. ``inputs`` in the result keep the caller's order.

    Parameters
    ----------
    inputs : sequence of InputRecord
    areas : sequence of FocusAreaSpec
        The current focus areas (from the database). Labels are their keys.
    labelled : iterable of (text, keys)
        Reviewer-confirmed labels to learn from; the tagger for this exact training set
        is trained once and cached in ``model_dir``.
    n_themes : int or None
        Fixed number of themes; None chooses it by silhouette.
    previous_centres : list of dict or None
        ``AnalysisResult.centres`` of the previous run, so themes keep their ids.
    progress : callable(stage, fraction) or None
        Called with a stage name and overall progress in [0, 1].
    model_dir : path or None
        Model cache; default ``$INNSPILL_MODEL_DIR`` or the user cache dir.
    cluster : bool
        Set False to tag only.
    rebuild : bool
        Train the tagging model anew even if a cached one exists (e.g. after loading
        raised :class:`~analysis.persistence.ModelVersionError`).
    """
    prog = _Progress(progress)
    timings: dict[str, float] = {}
    labelled = _labelled_list(labelled)
    given = list(inputs)
    if len({r.id for r in given}) != len(given):
        raise ValueError("input ids must be unique")
    order = _canonical_order([r.id for r in given])
    records = [given[i] for i in order]
    ids = [r.id for r in records]
    texts = [r.text or "" for r in records]
    n = len(records)
    keys = [a.key for a in areas]

    t0 = time.perf_counter()
    tagger = desc = None
    if keys:
        tagger, desc = _load_tagger(areas, labelled, model_dir, prog, rebuild)
    timings["model"] = time.perf_counter() - t0
    prog.finish("model")

    t0 = time.perf_counter()
    tokenizer = NorwegianTokenizer()
    token_docs: list[list[str]] = []
    for start in range(0, n, CHUNK):
        token_docs.extend(tokenizer.transform(texts[start : start + CHUNK]))
        prog("preprocess", min(1.0, (start + CHUNK) / max(n, 1)))
    forms = [detect_written_form(t) for t in texts]
    timings["preprocess"] = time.perf_counter() - t0
    prog.finish("preprocess")

    t0 = time.perf_counter()
    if tagger is not None and n:
        P = _tag(tagger, token_docs, prog)
        thresholds = np.asarray(tagger.thresholds_, dtype=np.float64)
        tags = labels_from_proba(P, thresholds, keys)
        order_unc = uncertainty_ranking(P, thresholds)
        Pc = np.clip(P, 1e-6, 1 - 1e-6)
        tc = np.clip(thresholds, 1e-6, 1 - 1e-6)
        margin = np.abs(np.log(Pc / (1 - Pc)) - np.log(tc / (1 - tc))).min(axis=1)
    else:
        P = np.zeros((n, 0))
        thresholds = (
            np.asarray(tagger.thresholds_, dtype=np.float64) if tagger is not None else np.zeros(0)
        )
        tags = [[] for _ in range(n)]
        margin = np.full(n, np.inf)
        order_unc = np.arange(n)
    known = set(keys)
    confirmed = [r.confirmed_areas is not None for r in records]
    final_tags = [
        [k for k in r.confirmed_areas if k in known] if r.confirmed_areas is not None else tags[i]
        for i, r in enumerate(records)
    ]
    timings["tagging"] = time.perf_counter() - t0
    prog.finish("tagging")

    t0 = time.perf_counter()
    groups = near_duplicate_groups(token_docs, random_state=random_state) if n else np.zeros(0, int)
    leaders = np.flatnonzero(groups == np.arange(n))
    group_size = np.bincount(groups, minlength=n) if n else np.zeros(0, int)
    timings["duplicates"] = time.perf_counter() - t0
    prog.finish("duplicates")

    themes: list[Theme] = []
    centres: list[dict[str, Any]] = []
    theme_of = [None] * n
    XY = np.zeros((n, 2))
    cluster_info: dict[str, Any] = {}
    if cluster and n:
        t0 = time.perf_counter()
        prog("clustering", 0.05)
        clusterer = ThemeClusterer(
            n_themes=n_themes, init_centres=previous_centres, random_state=random_state
        )
        Z_lead = clusterer.fit_transform([token_docs[i] for i in leaders])
        pos = np.empty(n, dtype=np.int64)
        pos[leaders] = np.arange(len(leaders))
        row = pos[groups]
        labels = clusterer.labels_[row]
        timings["clustering"] = time.perf_counter() - t0
        timings.update({f"clustering.{k}": v for k, v in clusterer.timings_.items()})
        prog.finish("clustering")

        t0 = time.perf_counter()
        XY_lead = coordinates_2d(Z_lead, random_state=random_state)
        XY = XY_lead[row]
        reps = representatives(
            Z_lead, clusterer.labels_, clusterer.cluster_centers_, n=n_representatives
        )
        meta = []
        for i, r in enumerate(records):
            m = dict(r.metadata or {})
            m["focus_areas"] = list(final_tags[i])
            m["written_form"] = forms[i]
            meta.append(m)
        spread = theme_spread(labels, meta, clusterer.n_themes_)
        for c in range(clusterer.n_themes_):
            members = np.flatnonzero(labels == c)
            lead_members = leaders[clusterer.labels_ == c]
            dup = [
                {"id": ids[g], "count": int(group_size[g])}
                for g in lead_members
                if group_size[g] > 1
            ]
            dup.sort(key=lambda d: -d["count"])
            words = list(clusterer.theme_words_[c])
            if not words:  # inputs with no content words: name it from their text
                words = fallback_label([texts[i] for i in lead_members])
            themes.append(
                Theme(
                    id=int(clusterer.theme_ids_[c]),
                    label_words=words,
                    size=int(len(members)),
                    size_unique=int(len(lead_members)),
                    representative_ids=[ids[leaders[j]] for j in reps[c]],
                    spread=spread[c],
                    duplicate_groups=dup,
                )
            )
        theme_of = [int(clusterer.theme_ids_[c]) for c in labels]
        centres = clusterer.theme_centres()
        themes.sort(key=lambda t: (-t.size_unique, t.id))
        cluster_info = {
            "n_themes": int(clusterer.n_themes_),
            "silhouette": {int(k): float(v) for k, v in clusterer.silhouette_scores_.items()},
            "reused_centres": int(clusterer.reused_centres_),
            "lsa_components": int(clusterer.lsa_.named_steps["svd"].n_components),
        }
        timings["themes"] = time.perf_counter() - t0
        prog.finish("themes")

    P_rounded = np.round(P, 4).tolist() if P.shape[1] else [[] for _ in range(n)]
    results_sorted = [
        InputResult(
            id=ids[i],
            suggestions=dict(zip(keys, P_rounded[i], strict=False)),
            tags=list(final_tags[i]),
            suggested=list(tags[i]),
            confirmed=confirmed[i],
            written_form=forms[i],
            theme=theme_of[i],
            duplicate_group=ids[int(groups[i])],
            duplicate_count=int(group_size[groups[i]]),
            x=float(XY[i, 0]),
            y=float(XY[i, 1]),
            uncertainty=float(margin[i]),
        )
        for i in range(n)
    ]
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    results = [results_sorted[j] for j in position]  # the caller's order
    area_counts = {k: 0 for k in keys}
    for t in final_tags:
        for k in t:
            area_counts[k] += 1
    metrics: dict[str, Any] = {
        "n_inputs": n,
        "n_unique": int(len(leaders)),
        "n_confirmed": int(sum(confirmed)),
        "n_without_area": int(sum(1 for t in final_tags if not t)),
        "area_counts": area_counts,
        "written_forms": {f: forms.count(f) for f in ("nb", "nn", "other")},
        "tagger": (desc or {}).get("metrics", {}),
        "clustering": cluster_info,
    }
    parameters = {
        "area_keys": keys,
        "thresholds": {k: round(float(t), 4) for k, t in zip(keys, thresholds, strict=True)},
        "n_themes_requested": n_themes,
        "n_themes": cluster_info.get("n_themes"),
        "previous_centres": len(previous_centres or ()),
        "n_labelled": len(labelled),
        "random_state": random_state,
        "rebuild": bool(rebuild),
        "review_order": [ids[i] for i in order_unc[: min(50, n)]],
    }
    timings["total"] = sum(v for k, v in timings.items() if "." not in k)
    prog("themes", 1.0)
    return AnalysisResult(
        inputs=results,
        themes=themes,
        parameters=parameters,
        versions=library_versions(),
        timings={k: round(v, 4) for k, v in timings.items()},
        metrics=metrics,
        centres=centres,
        model={k: v for k, v in (desc or {}).items() if k != "metrics"},
    )


def uncertainty_queue(
    inputs: Sequence[InputRecord],
    areas: Sequence[FocusAreaSpec],
    labelled: Labelled = (),
    *,
    limit: int | None = 50,
    model_dir: str | Path | None = None,
) -> list[QueueItem]:
    """Inputs to review next, least certain first (active learning).

    Inputs that already have ``confirmed_areas`` or whose text is among ``labelled`` are
    left out.
    """
    labelled = _labelled_list(labelled)
    done = {" ".join(t.lower().split()) for t, _ in labelled}
    todo = [
        r
        for r in inputs
        if r.confirmed_areas is None and " ".join((r.text or "").lower().split()) not in done
    ]
    if not todo or not areas:
        return []
    tagger, _ = get_or_train_tagger(areas, labelled, model_dir=model_dir)
    P = np.asarray(tagger.predict_proba([r.text or "" for r in todo]))
    thresholds = np.asarray(tagger.thresholds_)
    order = uncertainty_ranking(P, thresholds)
    Pc = np.clip(P, 1e-6, 1 - 1e-6)
    tc = np.clip(thresholds, 1e-6, 1 - 1e-6)
    margin = np.abs(np.log(Pc / (1 - Pc)) - np.log(tc / (1 - tc))).min(axis=1)
    tags = labels_from_proba(P, thresholds, list(tagger.classes_))
    keys = list(tagger.classes_)
    out = []
    for i in order[: limit if limit is not None else len(order)]:
        out.append(
            QueueItem(
                id=todo[i].id,
                suggestions={k: round(float(P[i, j]), 4) for j, k in enumerate(keys)},
                tags=tags[i],
                uncertainty=float(margin[i]),
            )
        )
    return out


def retrain(
    areas: Sequence[FocusAreaSpec],
    labelled: Labelled = (),
    *,
    model_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
    rebuild: bool = False,
) -> dict[str, Any]:
    """Train (or reuse) the tagger for these areas and confirmed labels.

    ``rebuild=True`` trains it anew even if a cached model exists (e.g. after loading
    raised :class:`~analysis.persistence.ModelVersionError`).

    Returns the model description: versions, date, area keys and metrics (out-of-fold
    micro/macro F1, per-area precision/recall/F1 in ``metrics["per_area"]`` and the
    per-area thresholds).
    """
    _, desc = get_or_train_tagger(
        areas,
        _labelled_list(labelled),
        model_dir=model_dir,
        progress=progress,
        retrain=rebuild,
    )
    return desc
