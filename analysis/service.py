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
    area_profile,
    coordinates_2d,
    fallback_label,
    near_duplicate_groups,
    representatives,
    theme_spread,
)
from .focus_areas import FocusAreaSpec
from .persistence import get_or_train_tagger, library_versions
from .tagging import labels_from_proba, uncertainty, uncertainty_ranking
from .text import NorwegianTokenizer, detect_written_form

__all__ = [
    "InputRecord",
    "InputResult",
    "Theme",
    "AnalysisResult",
    "QueueItem",
    "run_analysis",
    "focus_area_themes",
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
        Two to four distinctive phrases as people wrote them ("kortreist mat", "kai og
        havn"), most distinctive first (the theme's name).
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
    name : str or None
        The name the project group gave this theme, carried over from the previous run
        (``previous_centres[...]["name"]``) when the theme was found again; None otherwise.
    """

    id: int
    label_words: list[str]
    size: int
    size_unique: int
    representative_ids: list[str | int]
    spread: dict[str, dict[str, int]]
    duplicate_groups: list[dict[str, Any]]
    name: str | None = None

    @property
    def label(self) -> str:
        """The phrases joined: "kortreist mat, kai og havn"."""
        return ", ".join(self.label_words)

    @property
    def display_name(self) -> str:
        """The project group's name if it has one, else :attr:`label`."""
        return self.name or self.label


@dataclass
class AnalysisResult:
    """Everything a run produced; ``to_dict()`` gives a JSON-serialisable form.

    Attributes
    ----------
    inputs : list of InputResult
    themes : list of Theme
    parameters : dict
        Parameters of the run (number of themes asked/chosen, thresholds ...);
        ``parameters["theme_count"]`` says how the number of themes was chosen (see
        :class:`~analysis.clustering.ThemeCount`: ``method``, ``low``, ``high``,
        ``scores``, ``explanation``).
    versions : dict
        Library versions.
    timings : dict
        Seconds per stage.
    metrics : dict
        Model metrics (out-of-fold F1 of the tagger), silhouette scores, counts.
    centres : list of dict
        Theme centres (``{"id", "terms", "areas", "label_words"}``, plus ``"name"`` when
        a project group's name was carried); pass as ``previous_centres`` next run, with
        ``"name"`` set on the themes the project group renamed.
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


@dataclass
class _Tagging:
    """What the tagging step hands on (rows in the run's order)."""

    P: np.ndarray  # probability per area
    thresholds: np.ndarray
    suggested: list[list[str]]  # the model's own suggestion
    tags: list[list[str]]  # confirmed areas where there are some, else suggested
    confirmed: list[bool]
    margin: np.ndarray  # uncertainty (log-odds distance from the threshold)
    review_order: np.ndarray


@dataclass
class _Clusters:
    themes: list[Theme]
    centres: list[dict[str, Any]]
    theme_of: list[int | None]
    XY: np.ndarray
    info: dict[str, Any]
    theme_count: dict[str, Any] | None


def _prepare(inputs: Sequence[InputRecord]) -> tuple[list[InputRecord], list[int]]:
    """The inputs in order of id (a run does not depend on the caller's order) and the
    positions that order came from."""
    given = list(inputs)
    if len({r.id for r in given}) != len(given):
        raise ValueError("input ids must be unique")
    order = _canonical_order([r.id for r in given])
    return [given[i] for i in order], order


def _step_model(areas, labelled, model_dir, prog: _Progress, rebuild: bool, timings: dict):
    t0 = time.perf_counter()
    tagger = desc = None
    if areas:
        tagger, desc = _load_tagger(areas, labelled, model_dir, prog, rebuild)
    timings["model"] = time.perf_counter() - t0
    prog.finish("model")
    return tagger, desc


def _step_preprocess(texts: list[str], prog: _Progress, timings: dict):
    t0 = time.perf_counter()
    n = len(texts)
    tokenizer = NorwegianTokenizer()
    token_docs: list[list[str]] = []
    for start in range(0, n, CHUNK):
        token_docs.extend(tokenizer.transform(texts[start : start + CHUNK]))
        prog("preprocess", min(1.0, (start + CHUNK) / max(n, 1)))
    forms = [detect_written_form(t) for t in texts]
    timings["preprocess"] = time.perf_counter() - t0
    prog.finish("preprocess")
    return token_docs, forms


def _step_tag(tagger, records, token_docs, keys, prog: _Progress, timings: dict) -> _Tagging:
    t0 = time.perf_counter()
    n = len(records)
    if tagger is not None and n:
        texts = [r.text or "" for r in records]
        P = np.zeros((n, len(tagger.classes_)), dtype=np.float64)
        for start in range(0, n, CHUNK):
            P[start : start + CHUNK] = tagger.predict_proba(
                token_docs[start : start + CHUNK], texts=texts[start : start + CHUNK]
            )
            prog("tagging", min(1.0, (start + CHUNK) / max(n, 1)))
        thresholds = np.asarray(tagger.thresholds_, dtype=np.float64)
        suggested = labels_from_proba(P, thresholds, keys)
    else:
        P = np.zeros((n, 0))
        thresholds = (
            np.asarray(tagger.thresholds_, dtype=np.float64) if tagger is not None else np.zeros(0)
        )
        suggested = [[] for _ in range(n)]
    margin = uncertainty(P, thresholds) if P.shape[1] else np.full(n, np.inf)
    review_order = uncertainty_ranking(P, thresholds) if P.shape[1] else np.arange(n)
    known = set(keys)
    confirmed = [r.confirmed_areas is not None for r in records]
    tags = [
        [k for k in r.confirmed_areas if k in known] if r.confirmed_areas is not None else s
        for r, s in zip(records, suggested, strict=True)
    ]
    timings["tagging"] = time.perf_counter() - t0
    prog.finish("tagging")
    return _Tagging(P, thresholds, suggested, tags, confirmed, margin, review_order)


def _step_duplicates(token_docs, random_state: int, prog: _Progress, timings: dict):
    t0 = time.perf_counter()
    n = len(token_docs)
    groups = near_duplicate_groups(token_docs, random_state=random_state) if n else np.zeros(0, int)
    timings["duplicates"] = time.perf_counter() - t0
    prog.finish("duplicates")
    return groups


def _profile_for_clustering(tagging: _Tagging, keys: list[str], drop: str | None) -> np.ndarray:
    """The focus-area profile themes are found in: the model's probabilities over the
    thresholds, with a reviewer's confirmed areas counting as sure ones."""
    P = tagging.P.copy()
    index = {k: j for j, k in enumerate(keys)}
    for i, conf in enumerate(tagging.confirmed):
        if conf:
            row = np.minimum(P[i], tagging.thresholds) * 0.5
            for k in tagging.tags[i]:
                row[index[k]] = 1.0
            P[i] = row
    if drop is not None and drop in index:  # sub-themes of one area: the others decide
        P[:, index[drop]] = 0.0
    return area_profile(P, tagging.thresholds)


def _step_cluster(
    records: list[InputRecord],
    texts: list[str],
    token_docs: list[list[str]],
    forms: list[str],
    tagging: _Tagging,
    groups: np.ndarray,
    keys: list[str],
    *,
    n_themes: int | None,
    previous_centres,
    n_representatives: int,
    random_state: int,
    prog: _Progress,
    timings: dict,
    clusterer_params: Mapping[str, Any] | None = None,
    drop_area: str | None = None,
) -> _Clusters:
    """Themes over the unique inputs (near-duplicates follow their group), their quotes,
    spread and map coordinates."""
    n = len(records)
    ids = [r.id for r in records]
    leaders = np.flatnonzero(groups == np.arange(n))
    group_size = np.bincount(groups, minlength=n)
    t0 = time.perf_counter()
    prog("clustering", 0.05)
    clusterer = ThemeClusterer(
        n_themes=n_themes,
        init_centres=previous_centres,
        random_state=random_state,
        **dict(clusterer_params or {}),
    )
    use_profile = tagging.P.shape[1] > 0
    profile = _profile_for_clustering(tagging, keys, drop_area) if use_profile else None
    Z_lead = clusterer.fit_transform(
        [token_docs[i] for i in leaders],
        area_profile=None if profile is None else profile[leaders],
        area_keys=keys if use_profile else None,
        texts=[texts[i] for i in leaders],
    )
    pos = np.empty(n, dtype=np.int64)
    pos[leaders] = np.arange(len(leaders))
    row = pos[groups]
    labels = clusterer.labels_[row]
    timings["clustering"] = time.perf_counter() - t0
    timings.update({f"clustering.{k}": v for k, v in clusterer.timings_.items()})
    prog.finish("clustering")

    t0 = time.perf_counter()
    XY = coordinates_2d(Z_lead, random_state=random_state)[row]
    channel = [str((records[i].metadata or {}).get("channel", "")) for i in leaders]
    reps = representatives(
        Z_lead,
        clusterer.labels_,
        clusterer.cluster_centers_,
        n=n_representatives,
        diversity=[[forms[i] for i in leaders], channel],
        similarity_space=clusterer.word_embedding_,
    )
    meta = []
    for i, r in enumerate(records):
        m = dict(r.metadata or {})
        m["focus_areas"] = list(tagging.tags[i])
        m["written_form"] = forms[i]
        meta.append(m)
    spread = theme_spread(labels, meta, clusterer.n_themes_)
    names = clusterer.previous_names_
    themes: list[Theme] = []
    for c in range(clusterer.n_themes_):
        members = np.flatnonzero(labels == c)
        lead_members = leaders[clusterer.labels_ == c]
        dup = [
            {"id": ids[g], "count": int(group_size[g])} for g in lead_members if group_size[g] > 1
        ]
        dup.sort(key=lambda d: -d["count"])
        words = list(clusterer.theme_words_[c])
        if not words:  # inputs with no content words: name it from their text
            words = fallback_label([texts[i] for i in lead_members])
        theme_id = int(clusterer.theme_ids_[c])
        themes.append(
            Theme(
                id=theme_id,
                label_words=words,
                size=int(len(members)),
                size_unique=int(len(lead_members)),
                representative_ids=[ids[leaders[j]] for j in reps[c]],
                spread=spread[c],
                duplicate_groups=dup,
                name=names.get(theme_id),
            )
        )
    themes.sort(key=lambda t: (-t.size_unique, t.id))
    centres = clusterer.theme_centres()
    for centre in centres:
        if centre["id"] in names:
            centre["name"] = names[centre["id"]]
    info = {
        "n_themes": int(clusterer.n_themes_),
        "silhouette": {int(k): float(v) for k, v in clusterer.silhouette_scores_.items()},
        "theme_count": clusterer.theme_count_.to_dict(),
        "reused_centres": int(clusterer.reused_centres_),
        "lsa_components": int(clusterer.lsa_.named_steps["svd"].n_components),
        "area_weight": float(clusterer.area_weight) if use_profile else 0.0,
    }
    timings["themes"] = time.perf_counter() - t0
    prog.finish("themes")
    return _Clusters(
        themes=themes,
        centres=centres,
        theme_of=[int(clusterer.theme_ids_[c]) for c in labels],
        XY=XY,
        info=info,
        theme_count=clusterer.theme_count_.to_dict(),
    )


def _assemble(
    records: list[InputRecord],
    order: list[int],
    keys: list[str],
    forms: list[str],
    tagging: _Tagging,
    groups: np.ndarray,
    clusters: _Clusters | None,
    desc: Mapping[str, Any] | None,
    labelled: list,
    timings: dict[str, float],
    parameters: Mapping[str, Any],
) -> AnalysisResult:
    """The result, inputs back in the caller's order."""
    n = len(records)
    ids = [r.id for r in records]
    group_size = np.bincount(groups, minlength=n) if n else np.zeros(0, int)
    theme_of = clusters.theme_of if clusters else [None] * n
    XY = clusters.XY if clusters else np.zeros((n, 2))
    P = tagging.P
    P_rounded = np.round(P, 4).tolist() if P.shape[1] else [[] for _ in range(n)]
    results_sorted = [
        InputResult(
            id=ids[i],
            suggestions=dict(zip(keys, P_rounded[i], strict=False)),
            tags=list(tagging.tags[i]),
            suggested=list(tagging.suggested[i]),
            confirmed=tagging.confirmed[i],
            written_form=forms[i],
            theme=theme_of[i],
            duplicate_group=ids[int(groups[i])],
            duplicate_count=int(group_size[groups[i]]),
            x=float(XY[i, 0]),
            y=float(XY[i, 1]),
            uncertainty=float(tagging.margin[i]),
        )
        for i in range(n)
    ]
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    results = [results_sorted[j] for j in position]  # the caller's order
    area_counts = {k: 0 for k in keys}
    for t in tagging.tags:
        for k in t:
            area_counts[k] += 1
    metrics: dict[str, Any] = {
        "n_inputs": n,
        "n_unique": int((groups == np.arange(n)).sum()) if n else 0,
        "n_confirmed": int(sum(tagging.confirmed)),
        "n_without_area": int(sum(1 for t in tagging.tags if not t)),
        "area_counts": area_counts,
        "written_forms": {f: forms.count(f) for f in ("nb", "nn", "other")},
        "tagger": (desc or {}).get("metrics", {}),
        "clustering": clusters.info if clusters else {},
    }
    params = {
        "area_keys": keys,
        "thresholds": {
            k: round(float(t), 4) for k, t in zip(keys, tagging.thresholds, strict=True)
        },
        **parameters,
        "n_themes": clusters.info.get("n_themes") if clusters else None,
        "theme_count": clusters.theme_count if clusters else None,
        "n_labelled": len(labelled),
        "review_order": [ids[i] for i in tagging.review_order[: min(50, n)]],
    }
    timings["total"] = sum(v for k, v in timings.items() if "." not in k)
    return AnalysisResult(
        inputs=results,
        themes=clusters.themes if clusters else [],
        parameters=params,
        versions=library_versions(),
        timings={k: round(v, 4) for k, v in timings.items()},
        metrics=metrics,
        centres=clusters.centres if clusters else [],
        model={k: v for k, v in (desc or {}).items() if k != "metrics"},
    )


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

    Steps: the model, preprocessing, tagging, near-duplicates, themes (clustering,
    names, quotes, spread), assembling the result.

    Parameters
    ----------
    inputs : sequence of InputRecord
    areas : sequence of FocusAreaSpec
        The current focus areas (from the database). Labels are their keys.
    labelled : iterable of (text, keys)
        Reviewer-confirmed labels to learn from; the tagger for this exact training set
        is trained once and cached in ``model_dir``.
    n_themes : int or None
        Fixed number of themes; None chooses it (``parameters["theme_count"]`` says how).
    previous_centres : list of dict or None
        ``AnalysisResult.centres`` of the previous run, so themes keep their ids; a
        centre with a ``"name"`` (the project group's name for the theme) gives that
        name to the theme found again (``Theme.name``).
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
    records, order = _prepare(inputs)
    texts = [r.text or "" for r in records]
    keys = [a.key for a in areas]
    tagger, desc = _step_model(areas, labelled, model_dir, prog, rebuild, timings)
    token_docs, forms = _step_preprocess(texts, prog, timings)
    tagging = _step_tag(tagger, records, token_docs, keys, prog, timings)
    groups = _step_duplicates(token_docs, random_state, prog, timings)
    clusters = None
    if cluster and records:
        clusters = _step_cluster(
            records,
            texts,
            token_docs,
            forms,
            tagging,
            groups,
            keys,
            n_themes=n_themes,
            previous_centres=previous_centres,
            n_representatives=n_representatives,
            random_state=random_state,
            prog=prog,
            timings=timings,
        )
    result = _assemble(
        records,
        order,
        keys,
        forms,
        tagging,
        groups,
        clusters,
        desc,
        labelled,
        timings,
        {
            "n_themes_requested": n_themes,
            "previous_centres": len(previous_centres or ()),
            "random_state": random_state,
            "rebuild": bool(rebuild),
        },
    )
    prog("themes", 1.0)
    return result


def focus_area_themes(
    inputs: Sequence[InputRecord],
    areas: Sequence[FocusAreaSpec],
    area: str,
    labelled: Labelled = (),
    *,
    tags: Mapping[Any, Sequence[str]] | None = None,
    n_themes: int | None = None,
    previous_centres: Sequence[Mapping[str, Any]] | None = None,
    progress: ProgressCallback | None = None,
    model_dir: str | Path | None = None,
    n_representatives: int = 3,
    max_themes: int = 10,
    random_state: int = 0,
    rebuild: bool = False,
) -> AnalysisResult:
    """Sub-themes of one focus area: "what is said about lokalmat".

    Themes over the inputs tagged with ``area`` only, each with its size, quotes and
    spread (``Theme.spread`` counts ``region``, ``channel`` and any other metadata, plus
    the other focus areas and the written form), as :func:`run_analysis` gives them for
    all inputs. Within the area the other focus areas an input concerns and its words
    decide the sub-theme (the area itself is the same for all of them).

    Parameters
    ----------
    inputs, areas, labelled, n_themes, previous_centres, progress, model_dir,
    n_representatives, random_state, rebuild
        As for :func:`run_analysis` (``previous_centres``: the centres of the previous
        sub-themes of this area).
    area : str
        Key of the focus area.
    tags : mapping of input id -> keys, optional
        The inputs' tags as a stored run has them (confirmed or suggested), so the
        inputs are not tagged again; by default they are tagged here (confirmed areas
        win, as in :func:`run_analysis`).
    max_themes : int, default=10
        Most sub-themes chosen automatically.

    Returns
    -------
    AnalysisResult
        ``inputs`` and ``themes`` of the area's inputs only (the caller's order);
        ``parameters["focus_area"]`` is ``area`` and ``metrics["n_inputs_all"]`` the
        number of inputs looked at.

    Raises
    ------
    KeyError
        If ``area`` is not a key of ``areas``.
    """
    keys = [a.key for a in areas]
    if area not in keys:
        raise KeyError(f"unknown focus area: {area!r}")
    prog = _Progress(progress)
    timings: dict[str, float] = {}
    labelled = _labelled_list(labelled)
    records, _ = _prepare(inputs)
    tagger, desc = _step_model(areas, labelled, model_dir, prog, rebuild, timings)
    token_docs, forms = _step_preprocess([r.text or "" for r in records], prog, timings)
    tagging = _step_tag(tagger, records, token_docs, keys, prog, timings)
    if tags is not None:
        known = set(keys)
        for i, r in enumerate(records):
            if r.id in tags:
                tagging.tags[i] = [k for k in tags[r.id] if k in known]
    keep = [i for i, t in enumerate(tagging.tags) if area in t]
    n_all = len(records)
    sub_records = [records[i] for i in keep]
    sub = _Tagging(
        P=tagging.P[keep],
        thresholds=tagging.thresholds,
        suggested=[tagging.suggested[i] for i in keep],
        tags=[tagging.tags[i] for i in keep],
        confirmed=[tagging.confirmed[i] for i in keep],
        margin=tagging.margin[keep],
        review_order=np.argsort(tagging.margin[keep], kind="stable"),
    )
    sub_docs = [token_docs[i] for i in keep]
    sub_texts = [records[i].text or "" for i in keep]
    sub_forms = [forms[i] for i in keep]
    groups = _step_duplicates(sub_docs, random_state, prog, timings)
    clusters = None
    if sub_records:
        clusters = _step_cluster(
            sub_records,
            sub_texts,
            sub_docs,
            sub_forms,
            sub,
            groups,
            keys,
            n_themes=n_themes,
            previous_centres=previous_centres,
            n_representatives=n_representatives,
            random_state=random_state,
            prog=prog,
            timings=timings,
            clusterer_params={"max_themes": max_themes},
            drop_area=area,
        )
    # The caller's order among the area's inputs.
    given_pos = {r.id: n for n, r in enumerate(inputs)}
    sub_order = sorted(range(len(sub_records)), key=lambda j: given_pos[sub_records[j].id])
    result = _assemble(
        sub_records,
        sub_order,
        keys,
        sub_forms,
        sub,
        groups,
        clusters,
        desc,
        labelled,
        timings,
        {
            "focus_area": area,
            "n_themes_requested": n_themes,
            "previous_centres": len(previous_centres or ()),
            "random_state": random_state,
            "rebuild": bool(rebuild),
        },
    )
    result.metrics["n_inputs_all"] = n_all
    prog("themes", 1.0)
    return result


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
    margin = uncertainty(P, thresholds)
    order = np.argsort(margin, kind="stable")  # == uncertainty_ranking(P, thresholds)
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
