"""Themes: LSA of the words plus a focus-area profile, k-means, phrase names.

Shape (after scikit-learn's ``plot_document_clustering`` example), one step each::

    texts -> NorwegianTokenizer -> stem + char TF-IDF -> TruncatedSVD -> Normalizer  (words)
          (+ the tagger's focus-area profile, :func:`area_profile`)                  (space)
          -> choose_n_themes  -> fit_kmeans  -> ThemeNamer                (how many, groups, names)

* The tokenizer writes Nynorsk forms as Bokmål, so topics, not written forms, meet.
* The number of themes is chosen by the Calinski-Harabasz index over a range (on a
  sample for large inputs) unless the caller fixes it (:func:`choose_n_themes`).
* Runs are stable: fixed seeds, and a run can start from the previous run's centres.
  Centres are handed over in *term space* (feature -> weight, focus area -> weight)
  because every run fits a new vocabulary and SVD; they are projected into the new space
  and kept where enough inputs still lie close to them, and kept centres keep their theme
  id (and a name the project group gave them).
* Theme names are phrases people wrote (:mod:`analysis.naming`).
"""

from __future__ import annotations

import hashlib
import time
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.metrics import calinski_harabasz_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .naming import ThemeNamer
from .text import NorwegianTokenizer, load_generic_words, make_feature_union, stem, tokenize

__all__ = [
    "make_lsa_pipeline",
    "area_profile",
    "combine_spaces",
    "ThemeCount",
    "choose_n_themes",
    "fit_kmeans",
    "complete_init",
    "ThemeClusterer",
    "near_duplicate_groups",
    "representatives",
    "coordinates_2d",
    "theme_spread",
    "surface_forms",
    "canonical_order",
    "fallback_label",
]


def make_lsa_pipeline(
    *,
    n_components: int = 60,
    max_features: int | None = 50_000,
    min_df: int | float = 2,
    max_df: float = 0.5,
    char_ngram_range: tuple[int, int] = (4, 4),
    random_state: int = 0,
) -> Pipeline:
    """Tokenizer -> stem + char_wb TF-IDF -> TruncatedSVD -> Normalizer (the LSA space).

    Character 4-grams next to the stems put compounds and their parts close together
    (on the team's labelled inputs they raised the agreement between themes and focus
    areas, adjusted mutual information, from 0.24 to 0.36).
    """
    return Pipeline(
        [
            ("tokens", NorwegianTokenizer()),
            (
                "tfidf",
                make_feature_union(
                    word_ngram_range=(1, 1),
                    word_min_df=min_df,
                    word_max_df=max_df,
                    word_max_features=max_features,
                    char_ngram_range=char_ngram_range,
                    char_min_df=min_df if isinstance(min_df, int) else 1,
                    char_max_features=max_features,
                ),
            ),
            (
                "svd",
                TruncatedSVD(
                    n_components=n_components,
                    algorithm="randomized",
                    n_iter=5,
                    random_state=random_state,
                ),
            ),
            ("norm", Normalizer(copy=False)),
        ]
    )


def _indicator(labels: np.ndarray, k: int, weights: np.ndarray | None = None) -> sp.csr_matrix:
    n = len(labels)
    data = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    return sp.csr_matrix((data, (labels, np.arange(n))), shape=(k, n))


def surface_forms(token_docs: Sequence[Sequence[str]]) -> dict[str, str]:
    """Map each stem to its most frequent surface word (ties: alphabetical)."""
    counts = Counter()
    for doc in token_docs:
        counts.update(doc)
    best: dict[str, tuple[int, str]] = {}
    for word, c in counts.items():
        s = stem(word)
        cur = best.get(s)
        if cur is None or c > cur[0] or (c == cur[0] and word < cur[1]):
            best[s] = (c, word)
    return {s: w for s, (_, w) in best.items()}


def canonical_order(
    token_docs: Sequence[Sequence[str]],
    texts: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
) -> np.ndarray:
    """A permutation of the documents that depends on their content only, not their order.

    Documents are ordered by a 64-bit digest of their tokens (ties: the tokens, the raw
    text, the weight), so fitting on ``docs[order]`` gives the same result however the
    caller ordered them. Identical documents are interchangeable.
    """
    keys = []
    for i, doc in enumerate(token_docs):
        joined = " ".join(doc)
        digest = hashlib.blake2b(joined.encode("utf-8"), digest_size=8).digest()
        keys.append(
            (
                digest,
                joined,
                "" if texts is None else str(texts[i]),
                0.0 if weights is None else float(weights[i]),
            )
        )
    return np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)


def fallback_label(texts: Sequence[str], n_words: int = 6) -> list[str]:
    """A name for inputs that have no content words left: their most frequent words
    (stopwords included), else short snippets of the texts themselves ("123", "!!!").
    Empty only if every text is blank."""
    counts: Counter = Counter()
    for t in texts:
        counts.update(tokenize(t, remove_stopwords=False, min_length=1))
    if counts:
        return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:n_words]
    snippets: Counter = Counter()
    for t in texts:
        snippet = " ".join(str(t or "").split())
        if snippet:
            snippets[snippet if len(snippet) <= 30 else snippet[:29] + "…"] += 1
    return [w for w, _ in sorted(snippets.items(), key=lambda kv: (-kv[1], kv[0]))][:n_words]


# --- step 1: the space themes are found in -------------------------------------------------


def area_profile(proba: np.ndarray, thresholds: np.ndarray, *, cap: float = 3.0) -> np.ndarray:
    """Focus-area profile of each input: probability over the area's threshold, capped.

    An input the tagger is sure is about local food and a little about tourism gets a
    profile pointing mostly at ``local_food``. Rows are scaled to unit length (all-zero
    rows stay zero). Clustering on it next to the words lets the focus areas an input
    concerns, not its written form or wording, decide most of its theme.
    """
    P = np.asarray(proba, dtype=np.float64)
    t = np.clip(np.asarray(thresholds, dtype=np.float64), 1e-6, 1.0)
    R = np.minimum(P / t, cap)
    norms = np.linalg.norm(R, axis=1, keepdims=True)
    return (R / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def combine_spaces(Z: np.ndarray, profile: np.ndarray | None, area_weight: float) -> np.ndarray:
    """``[sqrt(1-w) Z, sqrt(w) profile]`` with unit rows: cosine similarity is then
    ``(1-w)`` word similarity plus ``w`` focus-area similarity."""
    if profile is None or area_weight <= 0 or profile.shape[1] == 0:
        return Z
    X = np.hstack([np.sqrt(1.0 - area_weight) * Z, np.sqrt(area_weight) * profile])
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return (X / np.where(norms > 0, norms, 1.0)).astype(np.float32)


# --- step 2: how many themes ------------------------------------------------------------------


@dataclass
class ThemeCount:
    """How the number of themes was chosen (for the run page and the command line).

    Attributes
    ----------
    n_themes : int
    method : str
        ``"calinski_harabasz"`` (chosen), ``"fixed"`` (asked for), ``"single"`` (too few
        distinct inputs to split).
    low, high : int
        The range searched.
    scores : dict
        Calinski-Harabasz index per candidate number (empty unless chosen).
    tolerance : float
        The smallest number within this share of the best score is taken.
    explanation : str
        One English sentence saying why (the web app words its own, translated, from the
        other fields).
    """

    n_themes: int
    method: str
    low: int
    high: int
    scores: dict[int, float]
    tolerance: float
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_themes": self.n_themes,
            "method": self.method,
            "low": self.low,
            "high": self.high,
            "scores": {int(k): round(float(v), 4) for k, v in self.scores.items()},
            "tolerance": self.tolerance,
            "explanation": self.explanation,
        }


def choose_n_themes(
    Z: np.ndarray,
    *,
    n_themes: int | None = None,
    min_themes: int = 2,
    max_themes: int = 30,
    min_theme_size: int = 5,
    tolerance: float = 0.0,
    sample_size: int = 2000,
    n_distinct: int | None = None,
    random_state: int = 0,
) -> ThemeCount:
    """Choose the number of themes by the Calinski-Harabasz index.

    For each k in the range, k-means on (a sample of) the rows of ``Z``; the index is
    the spread between the themes over the spread within them, times ``(n - k) / (k -
    1)``, so a split only pays when it separates the inputs clearly better: unlike the
    silhouette on short texts it does not keep growing with k. The k with the best index
    is taken (with ``tolerance`` > 0, the smallest k within that share of the best). The
    range is ``min_themes`` .. ``max_themes``, at most one theme per ``min_theme_size``
    inputs.
    """
    n = len(Z)
    distinct = n if n_distinct is None else int(n_distinct)
    if n_themes is not None:
        k = int(max(1, min(n_themes, distinct)))
        return ThemeCount(k, "fixed", k, k, {}, tolerance, f"{k} themes, as asked for.")
    high = min(max_themes, distinct - 1, max(2, n // max(1, min_theme_size)))
    low = min(min_themes, high)
    if high < 2:
        k = max(1, min(distinct, 1))
        return ThemeCount(
            k, "single", k, k, {}, tolerance, "One theme: too few distinct inputs to split."
        )
    rng = np.random.RandomState(random_state)
    S = Z if n <= sample_size else Z[np.sort(rng.choice(n, sample_size, replace=False))]
    scores: dict[int, float] = {}
    for k in range(low, high + 1):
        km = KMeans(n_clusters=k, n_init=2, random_state=random_state)
        lab = km.fit_predict(S)
        if len(np.unique(lab)) < 2:
            continue
        scores[k] = float(calinski_harabasz_score(S, lab))
    if not scores:
        return ThemeCount(1, "single", low, high, {}, tolerance, "One theme: nothing to split.")
    best = max(scores.values())
    k = min(k for k, v in scores.items() if v >= (1.0 - tolerance) * best)
    if tolerance > 0:
        how = f"the smallest number within {tolerance:.0%} of the most distinct grouping"
    else:
        how = "the number that separates the inputs most distinctly"
    explanation = (
        f"{k} themes: of {low} to {high} themes, {how} (Calinski-Harabasz index, the "
        f"spread between themes over the spread within them: {scores[k]:.1f}, best "
        f"{best:.1f})."
    )
    return ThemeCount(k, "calinski_harabasz", low, high, scores, tolerance, explanation)


# --- step 3: grouping ---------------------------------------------------------------------


def fit_kmeans(
    Z: np.ndarray,
    k: int,
    *,
    init: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
    minibatch_threshold: int = 10_000,
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """k-means (``MiniBatchKMeans`` from ``minibatch_threshold`` rows) from ``init``
    centres or k-means++; returns ``(labels, centres)``."""
    if k <= 1:
        return np.zeros(len(Z), dtype=np.int64), Z.mean(axis=0, keepdims=True).astype(np.float32)
    use_init = "k-means++" if init is None else init
    n_init = (3 if len(Z) < 5000 else 1) if init is None else 1
    if len(Z) >= minibatch_threshold:
        km = MiniBatchKMeans(
            n_clusters=k,
            init=use_init,
            n_init=n_init,
            batch_size=4096,
            random_state=random_state,
            max_no_improvement=20,
        )
    else:
        km = KMeans(n_clusters=k, init=use_init, n_init=n_init, random_state=random_state)
    km.fit(Z, sample_weight=sample_weight)
    return km.predict(Z).astype(np.int64), km.cluster_centers_.astype(np.float32)


def complete_init(Z: np.ndarray, init: np.ndarray, k: int) -> np.ndarray:
    """Add centres to ``init`` by farthest-first traversal until there are ``k``."""
    centres = list(init)
    best_sim = (Z @ np.asarray(centres).T).max(axis=1)
    while len(centres) < k:
        i = int(np.argmin(best_sim))
        centres.append(Z[i].copy())
        best_sim = np.maximum(best_sim, Z @ Z[i])
    return np.asarray(centres, dtype=np.float32)


# --- the estimator ------------------------------------------------------------------------


class ThemeClusterer(ClusterMixin, TransformerMixin, BaseEstimator):
    """Group texts into themes: LSA of the words (plus a focus-area profile) -> number of
    themes -> k-means -> names.

    Each step is a public function that can be used and tested alone:
    :func:`make_lsa_pipeline` and :func:`combine_spaces` (the space),
    :func:`choose_n_themes` (how many), :func:`fit_kmeans` (grouping) and
    :class:`~analysis.naming.ThemeNamer` (names).

    Parameters
    ----------
    n_themes : int or None, default=None
        Fixed number of themes; ``None`` chooses it (:func:`choose_n_themes`).
    min_themes, max_themes : int, default=2, 30
        Range searched when ``n_themes`` is None.
    min_theme_size : int, default=5
        At most one theme per this many inputs when choosing.
    n_components : int, default=60
        LSA dimensions (capped by the data; small corpora get fewer).
    max_features : int or None, default=50000
        Vocabulary cap of the stem TF-IDF.
    min_df : int, default=2
    max_df : float, default=0.5
    area_weight : float, default=0.85
        Share of the similarity between two inputs that comes from their focus-area
        profiles (:func:`area_profile`) when ``fit`` gets one; the rest from their words.
    selection_sample_size : int, default=2000
        Inputs sampled for choosing the number of themes.
    minibatch_threshold : int, default=10000
        From this many inputs on, MiniBatchKMeans is used.
    init_centres : list of dict or None, default=None
        Previous run's centres, as returned by :meth:`theme_centres`: ``{"id": int,
        "terms": {feature: weight}, "areas": {key: weight}}``. Centres that still fit the
        data initialise k-means and keep their id.
    reuse_similarity : float, default=0.2
        Cosine similarity an input needs to count for a previous centre.
    min_reuse_support : int, default=3
        A previous centre is reused when it is the nearest previous centre, at that
        similarity, for at least this many inputs.
    n_words : int, default=4
        Phrases per theme name.
    drop_generic : bool, default=True
        Leave out generic consultation words ("strategien", "trenger" ...) from the
        clustering vocabulary (``data/generic_words_no.txt``).
    n_threads : int or None, default=1
        Native threads (BLAS/OpenMP) while fitting; None leaves the library default.
    random_state : int, default=0

    Attributes
    ----------
    lsa_ : Pipeline
        Fitted tokenizer -> stem + char TF-IDF -> SVD -> Normalizer.
    feature_names_ : ndarray of str
        Names of the TF-IDF features (``stem:...``, ``char:...``).
    area_keys_ : list of str
        Keys of the focus-area profile columns (empty without a profile).
    labels_ : ndarray of shape (n_samples,)
        Theme index of each input (0 .. n_themes_-1).
    cluster_centers_ : ndarray of shape (n_themes_, n_dimensions)
        In the combined space (LSA, then the profile).
    word_embedding_ : ndarray of shape (n_samples, n_components)
        The LSA embedding of the words alone (unit rows), e.g. to spot near duplicates.
    n_themes_ : int
    theme_count_ : ThemeCount
        How the number was chosen.
    theme_ids_ : ndarray of int
        Stable id of each theme index (previous ids where centres were reused).
    silhouette_scores_ : dict
        Kept for callers of earlier versions: the Calinski-Harabasz scores per k.
    reused_centres_ : int
        How many previous centres were reused.
    previous_names_ : dict
        ``{theme id: name}`` of reused centres that carried a ``"name"``.
    theme_stems_, theme_words_ : list of list of str
        Per theme, the keys (Bokmål stems) and surface forms of its name's phrases.
    term_centres_, area_centres_ : list of dict
        Centre of each theme in term space (top features with weights) and over the
        focus areas.
    timings_ : dict
        Seconds per stage of the last fit.
    """

    def __init__(
        self,
        *,
        n_themes: int | None = None,
        min_themes: int = 2,
        max_themes: int = 30,
        min_theme_size: int = 5,
        n_components: int = 60,
        max_features: int | None = 50_000,
        min_df: int = 2,
        max_df: float = 0.5,
        area_weight: float = 0.85,
        selection_sample_size: int = 2000,
        minibatch_threshold: int = 10_000,
        init_centres: Sequence[Mapping[str, Any]] | None = None,
        reuse_similarity: float = 0.2,
        min_reuse_support: int = 3,
        n_words: int = 4,
        drop_generic: bool = True,
        n_threads: int | None = 1,
        random_state: int = 0,
    ) -> None:
        self.n_themes = n_themes
        self.min_themes = min_themes
        self.max_themes = max_themes
        self.min_theme_size = min_theme_size
        self.n_components = n_components
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.area_weight = area_weight
        self.selection_sample_size = selection_sample_size
        self.minibatch_threshold = minibatch_threshold
        self.init_centres = init_centres
        self.reuse_similarity = reuse_similarity
        self.min_reuse_support = min_reuse_support
        self.n_words = n_words
        self.drop_generic = drop_generic
        self.n_threads = n_threads
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------------------

    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Fit themes on texts (or token lists); see :meth:`fit_transform`."""
        self.fit_transform(X, sample_weight=sample_weight, **fit_params)
        return self

    def fit_transform(
        self,
        X,
        y=None,
        sample_weight=None,
        *,
        area_profile: np.ndarray | None = None,
        area_keys: Sequence[str] | None = None,
        texts: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Fit and return the embedding of ``X`` (unit-length rows) themes are found in.

        Parameters
        ----------
        X : sequence of str or of token lists
        sample_weight : array-like, optional
        area_profile : ndarray of shape (n_samples, n_areas), optional
            Focus-area profile per input (:func:`area_profile`), weighted by
            ``area_weight`` next to the words.
        area_keys : sequence of str, optional
            The profile's column keys (for handing centres to the next run).
        texts : sequence of str, optional
            Raw texts to take the names' phrases from when ``X`` are token lists.
        """
        # One native thread: k-means and the SVD on these sizes gain little from threads,
        # and lose a lot when the cores are busy with other work (the web app, tests).
        with threadpool_limits(limits=self.n_threads):
            return self._fit_transform(X, sample_weight, area_profile, area_keys, texts)

    def _fit_transform(self, X, sample_weight, profile, area_keys, texts) -> np.ndarray:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        X = list(X)
        raw = [str(x) for x in X] if all(isinstance(x, str) for x in X) else None
        if texts is not None:
            if len(texts) != len(X):
                raise ValueError("texts and X have different lengths")
            raw = [str(t or "") for t in texts]
        docs_all = NorwegianTokenizer().transform(X)
        n = len(docs_all)
        if n == 0:
            raise ValueError("ThemeClusterer needs at least one input")
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if profile is not None:
            profile = np.asarray(profile, dtype=np.float32)
            if profile.shape[0] != n:
                raise ValueError("area_profile and X have different numbers of rows")
        # Fit on a content-defined order, so the themes do not depend on the order the
        # caller gave the inputs in (every random step below is seeded, but a seed only
        # repeats a run if the data come in the same order).
        order = canonical_order(docs_all, raw, w)
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        docs_all = [docs_all[i] for i in order]
        raw = None if raw is None else [raw[i] for i in order]
        w = None if w is None else w[order]
        profile = None if profile is None else profile[order]
        self.area_keys_ = [] if profile is None else [str(k) for k in (area_keys or [])]
        if profile is not None and len(self.area_keys_) != profile.shape[1]:
            self.area_keys_ = [str(j) for j in range(profile.shape[1])]
        docs = self._drop_generic(docs_all)
        Z_words, M = self._fit_lsa(docs, n)
        self._profile_used = profile is not None and self.area_weight > 0
        Z = combine_spaces(Z_words, profile, self.area_weight)
        timings["features"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        n_distinct = len(np.unique(Z.round(6), axis=0)) if n <= 5000 else n
        init, prev_ids = self._previous_init(Z, M)
        count = choose_n_themes(
            Z,
            n_themes=self.n_themes,
            min_themes=self.min_themes,
            max_themes=self.max_themes,
            min_theme_size=self.min_theme_size,
            sample_size=self.selection_sample_size,
            n_distinct=n_distinct,
            random_state=self.random_state,
        )
        k = count.n_themes
        if init is not None:
            if self.n_themes is None:
                k = max(k, min(len(init), self.max_themes, n_distinct))
                if k != count.n_themes:
                    count.explanation += (
                        f" Kept at {k} so that every theme of the previous run that still "
                        "fits the inputs keeps its number."
                    )
                    count.n_themes = k
            init, prev_ids = init[:k], prev_ids[:k]
            init = complete_init(Z, init, k)
        self.reused_centres_ = len(prev_ids)
        self.theme_count_ = count
        self.silhouette_scores_ = dict(count.scores)
        timings["select_k"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        labels, centres = fit_kmeans(
            Z,
            k,
            init=init,
            sample_weight=w,
            minibatch_threshold=self.minibatch_threshold,
            random_state=self.random_state,
        )
        timings["kmeans"] = time.perf_counter() - t0

        # Theme index order: reused centres first (their ids kept), then by size.
        n_prev = len(prev_ids)
        sizes = np.bincount(labels, minlength=k)
        new = sorted(range(n_prev, k), key=lambda c: (-sizes[c], c))
        theme_order = list(range(n_prev)) + new
        remap = np.empty(k, dtype=np.int64)
        remap[theme_order] = np.arange(k)
        labels = remap[labels]
        centres = centres[theme_order]
        next_id = (max(prev_ids) + 1) if n_prev else 0
        ids = list(prev_ids) + list(range(next_id, next_id + (k - n_prev)))
        self.cluster_centers_ = centres
        self.n_themes_ = k
        self.theme_ids_ = np.asarray(ids, dtype=np.int64)

        t0 = time.perf_counter()
        self._name(docs_all, raw, labels, k, w)
        self._term_centres(M, labels, k, w, profile)
        timings["naming"] = time.perf_counter() - t0
        self.timings_ = timings
        # Back to the caller's order.
        self.labels_ = labels[inverse]
        self.word_embedding_ = Z_words[inverse]
        return Z[inverse]

    def _fit_lsa(self, docs: list[list[str]], n: int) -> tuple[np.ndarray, sp.csr_matrix]:
        lsa = make_lsa_pipeline(
            n_components=self.n_components,
            max_features=self.max_features,
            min_df=self.min_df if n >= 10 else 1,
            max_df=self.max_df if n >= 10 else 1.0,
            random_state=self.random_state,
        )
        tfidf = lsa.named_steps["tfidf"]
        M = tfidf.fit_transform(docs).tocsr()
        self.feature_names_ = tfidf.get_feature_names_out()
        # Small corpora get fewer LSA dimensions so related words still meet.
        n_comp = max(1, min(self.n_components, M.shape[1] - 1, n - 1, max(10, n // 8)))
        lsa.named_steps["svd"].set_params(n_components=n_comp)
        if n_comp >= 1 and M.shape[1] > 1 and n > 1:
            # Identical or empty inputs have zero variance; the explained-variance ratio
            # is then undefined, which does not matter here.
            with np.errstate(invalid="ignore", divide="ignore"):
                Z = lsa.named_steps["svd"].fit_transform(M)
        else:  # one input or one term: a degenerate space
            lsa.named_steps["svd"].fit(sp.csr_matrix(np.eye(2, M.shape[1] or 1)))
            Z = np.ones((n, 1))
        Z = lsa.named_steps["norm"].fit_transform(Z).astype(np.float32)
        self.lsa_ = lsa
        return Z, M

    def _previous_init(self, Z: np.ndarray, M) -> tuple[np.ndarray | None, list[int]]:
        self.previous_names_: dict[int, str] = {}
        if not self.init_centres:
            return None, []
        vocab = {name: j for j, name in enumerate(self.feature_names_)}
        area_index = {key: j for j, key in enumerate(self.area_keys_)}
        rows, profs, ids, names = [], [], [], []
        for c in self.init_centres:
            terms = c.get("terms") or {}
            vec = np.zeros(len(vocab), dtype=np.float64)
            for term, weight in terms.items():
                j = vocab.get(term)
                if j is not None:
                    vec[j] = float(weight)
            if not vec.any():
                continue
            prof = np.zeros(len(area_index), dtype=np.float64)
            for key, weight in (c.get("areas") or {}).items():
                j = area_index.get(str(key))
                if j is not None:
                    prof[j] = float(weight)
            rows.append(vec)
            profs.append(prof)
            ids.append(int(c["id"]))
            names.append(c.get("name"))
        if not rows:
            return None, []
        P = self.lsa_.named_steps["svd"].transform(np.vstack(rows))
        norms = np.linalg.norm(P, axis=1, keepdims=True)
        P = P / np.where(norms > 0, norms, 1.0)
        if self._profile_used:
            Q = np.vstack(profs)
            qn = np.linalg.norm(Q, axis=1, keepdims=True)
            P = combine_spaces(P, Q / np.where(qn > 0, qn, 1.0), self.area_weight)
        # A previous centre still fits if it is the nearest one for enough inputs.
        sims = Z @ P.T
        nearest = np.argmax(sims, axis=1)
        close = sims[np.arange(len(Z)), nearest] >= self.reuse_similarity
        support = np.bincount(nearest[close], minlength=len(P))
        keep = [i for i in range(len(P)) if support[i] >= self.min_reuse_support]
        if not keep:
            return None, []
        self.previous_names_ = {ids[i]: str(names[i]) for i in keep if names[i]}
        return P[keep].astype(np.float32), [ids[i] for i in keep]

    def _name(self, docs_all, raw, labels, k, w) -> None:
        """Theme names: :class:`~analysis.naming.ThemeNamer` phrases of the raw texts (or
        of the tokens), filled up from any word or the raw text (:func:`fallback_label`)
        for themes whose inputs have no content words ("123", "!!!")."""
        source = raw if raw is not None else [" ".join(d) for d in docs_all]
        namer = ThemeNamer(n_phrases=self.n_words).fit(source, labels)
        self.theme_words_ = [list(p) for p in namer.names_]
        self.theme_stems_ = [list(p) for p in namer.keys_]
        for c in range(k):
            if not self.theme_words_[c]:
                members = np.flatnonzero(labels == c)
                words = fallback_label([source[i] for i in members])
                self.theme_words_[c] = words
                self.theme_stems_[c] = list(words)

    def _term_centres(self, M, labels, k, w, profile) -> None:
        # Mean TF-IDF row per theme, top features (stems and char n-grams) kept for the
        # next run; and the mean focus-area profile.
        ind = _indicator(labels, k, w)
        sums = (ind @ M).toarray()
        counts = np.asarray(ind.sum(axis=1)).ravel()
        self.term_centres_ = []
        self.area_centres_ = []
        prof_sums = None if profile is None else ind @ profile
        for c in range(k):
            row = sums[c] / max(counts[c], 1e-9)
            top = np.argsort(-row, kind="stable")[:300]
            self.term_centres_.append(
                {str(self.feature_names_[j]): round(float(row[j]), 6) for j in top if row[j] > 0}
            )
            if prof_sums is None:
                self.area_centres_.append({})
            else:
                prow = np.asarray(prof_sums[c]).ravel() / max(counts[c], 1e-9)
                self.area_centres_.append(
                    {
                        key: round(float(prow[j]), 6)
                        for j, key in enumerate(self.area_keys_)
                        if prow[j] > 1e-4
                    }
                )

    # -- use -----------------------------------------------------------------------------

    def _drop_generic(self, docs: list[list[str]]) -> list[list[str]]:
        if not self.drop_generic:
            return docs
        generic = load_generic_words()
        return [[t for t in d if t not in generic] for d in docs]

    def _tokens(self, X) -> list[list[str]]:
        return self._drop_generic(NorwegianTokenizer().transform(X))

    def transform(self, X, area_profile: np.ndarray | None = None) -> np.ndarray:
        """Embedding (unit-length rows) of texts or token lists, in the space the themes
        were found in (without ``area_profile``, the words only)."""
        check_is_fitted(self, "lsa_")
        Z = self.lsa_.transform(self._tokens(X)).astype(np.float32)
        if not self._profile_used:
            return Z
        if area_profile is None:
            area_profile = np.zeros((len(Z), len(self.area_keys_)), dtype=np.float32)
        return combine_spaces(Z, np.asarray(area_profile, dtype=np.float32), self.area_weight)

    def predict(self, X, area_profile: np.ndarray | None = None) -> np.ndarray:
        """Nearest theme index for new texts."""
        Z = self.transform(X, area_profile)
        return np.argmax(Z @ self.cluster_centers_.T, axis=1)

    def theme_centres(self) -> list[dict[str, Any]]:
        """Plain, JSON-serialisable centres to pass as ``init_centres`` next run.

        ``{"id", "terms", "areas", "label_words"}``; add ``"name"`` (a name the project
        group gave the theme) and it comes back in :attr:`previous_names_` when the theme
        is found again.
        """
        check_is_fitted(self, "term_centres_")
        return [
            {
                "id": int(self.theme_ids_[c]),
                "terms": dict(self.term_centres_[c]),
                "areas": dict(self.area_centres_[c]),
                "label_words": list(self.theme_words_[c]),
            }
            for c in range(self.n_themes_)
        ]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


# --- helpers used by the service ---------------------------------------------------------


def near_duplicate_groups(
    token_docs: Sequence[Sequence[str]],
    *,
    threshold: float = 0.8,
    min_tokens: int = 5,
    n_hashes: int = 24,
    band_size: int = 3,
    random_state: int = 0,
) -> np.ndarray:
    """Group near-identical inputs (copy-paste campaigns).

    Returns an array ``g`` where ``g[i]`` is the index of the first input of ``i``'s group
    (``g[i] == i`` for inputs that are alone or first). Inputs with the same tokens are
    always grouped; longer inputs (``min_tokens`` or more) are also grouped when the
    Jaccard similarity of their word sets and word pairs is at least ``threshold``,
    found with MinHash locality-sensitive hashing so large inputs stay fast.

    Deterministic: the same documents in the same order give the same groups in every
    process (seeded hash functions over content hashes of the shingles). The service
    passes the inputs ordered by id, so the order the caller used does not matter.
    """
    n = len(token_docs)
    parent = np.arange(n)

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    exact: dict[tuple[str, ...], int] = {}
    for i, doc in enumerate(token_docs):
        if not doc:
            continue
        key = tuple(doc)
        j = exact.setdefault(key, i)
        if j != i:
            union(j, i)

    # Shingles: words and word pairs, hashed into one sparse binary matrix.
    index: dict[str, int] = {}
    rows, cols = [], []
    long_docs = [i for i, d in enumerate(token_docs) if len(d) >= min_tokens and find(i) == i]
    for r, i in enumerate(long_docs):
        doc = token_docs[i]
        feats = set(doc)
        feats.update(a + " " + b for a, b in zip(doc, doc[1:], strict=False))
        for f in feats:
            j = index.setdefault(f, len(index))
            rows.append(r)
            cols.append(j)
    if long_docs and index:
        B = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(long_docs), len(index))
        )
        B.data[:] = 1.0
        sizes = np.asarray(B.sum(axis=1)).ravel()
        rng = np.random.RandomState(random_state)
        prime = 2_147_483_647
        a = rng.randint(1, prime, size=n_hashes).astype(np.int64)
        b = rng.randint(0, prime, size=n_hashes).astype(np.int64)
        # Hash each shingle by its content (CRC-32), not by its column: the columns follow
        # the iteration order of Python sets, which changes with PYTHONHASHSEED, so
        # column-based MinHash gave other groups (and other themes) in every process.
        shingle_hash = (
            np.fromiter(
                (zlib.crc32(f.encode("utf-8")) for f in index), dtype=np.int64, count=len(index)
            )
            % prime
        )
        idx = shingle_hash[B.indices]
        starts = B.indptr[:-1]
        sig = np.empty((len(long_docs), n_hashes), dtype=np.int64)
        for h in range(n_hashes):
            vals = (a[h] * idx + b[h]) % prime
            sig[:, h] = np.minimum.reduceat(vals, starts)
        # Candidate pairs: every member of an LSH bucket against the bucket's first member.
        pairs_a, pairs_b = [], []
        for start in range(0, n_hashes - band_size + 1, band_size):
            band = np.ascontiguousarray(sig[:, start : start + band_size])
            _, inverse, counts = np.unique(band, axis=0, return_inverse=True, return_counts=True)
            inverse = inverse.ravel()
            if not (counts > 1).any():
                continue
            order = np.argsort(inverse, kind="stable")
            first_of_bucket = order[np.cumsum(counts) - counts]
            firsts = first_of_bucket[inverse]
            keep = firsts != np.arange(len(inverse))
            pairs_a.append(firsts[keep])
            pairs_b.append(np.flatnonzero(keep))
        if pairs_a:
            pa = np.concatenate(pairs_a)
            pb = np.concatenate(pairs_b)
            code = np.unique(pa * len(long_docs) + pb)
            pa, pb = code // len(long_docs), code % len(long_docs)
            # Verify the Jaccard similarity of each candidate pair, in chunks.
            for s0 in range(0, len(pa), 200_000):
                a_idx, b_idx = pa[s0 : s0 + 200_000], pb[s0 : s0 + 200_000]
                inter = np.asarray(B[a_idx].multiply(B[b_idx]).sum(axis=1)).ravel()
                jacc = inter / (sizes[a_idx] + sizes[b_idx] - inter)
                for i, j in zip(a_idx[jacc >= threshold], b_idx[jacc >= threshold], strict=True):
                    union(long_docs[int(i)], long_docs[int(j)])
    return np.asarray([find(i) for i in range(n)], dtype=np.int64)


def representatives(
    Z: np.ndarray,
    labels: np.ndarray,
    centres: np.ndarray,
    n: int = 3,
    candidates: np.ndarray | None = None,
    *,
    diversity: Sequence[Sequence[Any]] = (),
    similarity_space: np.ndarray | None = None,
    redundancy: float = 0.9,
) -> list[list[int]]:
    """Indices of up to ``n`` quotes per theme: the inputs closest to its centre (cosine),
    near duplicates collapsed and the quotes made diverse.

    ``candidates`` (boolean mask) restricts the choice, e.g. to one input per
    near-duplicate group so a campaign does not fill all the quotes. An input whose
    cosine similarity to a quote already chosen is ``redundancy`` or more (in
    ``similarity_space``, default ``Z``: use the words' space) is skipped as a near
    duplicate. Each column of ``diversity`` (e.g. the written form and the channel of
    every input) is honoured in turn: when the theme's candidates have two or more values
    but the quotes only one, the last quote that is not needed for an earlier column
    gives way to the closest input with another value.
    """
    out = []
    allowed = np.ones(len(Z), bool) if candidates is None else np.asarray(candidates, bool)
    S = Z if similarity_space is None else similarity_space
    columns = [list(col) for col in diversity]
    for c in range(len(centres)):
        idx = np.flatnonzero((labels == c) & allowed)
        if len(idx) == 0 or n <= 0:
            out.append([])
            continue
        sims = Z[idx] @ centres[c]
        ranked = [int(i) for i in idx[np.argsort(-sims, kind="stable")]]

        def fresh(i: int, chosen: list[int]) -> bool:
            return all(float(S[i] @ S[j]) < redundancy for j in chosen)

        chosen: list[int] = []
        for i in ranked:
            if len(chosen) >= n:
                break
            if fresh(i, chosen):
                chosen.append(i)
        for level, col in enumerate(columns):
            if len(chosen) < 2 or len({col[i] for i in ranked}) < 2:
                continue
            values = {col[i] for i in chosen}
            if len(values) > 1:
                continue
            earlier = columns[:level]
            # The quote to give way: the last one whose removal keeps earlier columns
            # as diverse as they are.
            victim = None
            for pos in range(len(chosen) - 1, 0, -1):
                rest = chosen[:pos] + chosen[pos + 1 :]
                if all(len({e[i] for i in rest}) >= len({e[i] for i in chosen}) for e in earlier):
                    victim = pos
                    break
            if victim is None:
                continue
            rest = chosen[:victim] + chosen[victim + 1 :]
            for i in ranked:
                if i not in chosen and col[i] not in values and fresh(i, rest):
                    chosen = rest[:victim] + [i] + rest[victim:]
                    break
        out.append(chosen)
    return out


def coordinates_2d(
    Z: np.ndarray, *, random_state: int = 0, sample_size: int = 20_000
) -> np.ndarray:
    """2-D map coordinates from the LSA space (PCA fitted on at most ``sample_size`` rows)."""
    n = len(Z)
    if n == 0:
        return np.zeros((0, 2))
    if n < 3 or Z.shape[1] < 2:
        out = np.zeros((n, 2))
        out[:, : min(2, Z.shape[1])] = Z[:, : min(2, Z.shape[1])]
        return out
    rng = np.random.RandomState(random_state)
    S = Z if n <= sample_size else Z[rng.choice(n, sample_size, replace=False)]
    pca = PCA(n_components=2, random_state=random_state).fit(S)
    XY = pca.transform(Z)
    # Fix the sign so the map does not mirror between runs on similar data.
    for d in range(2):
        if pca.components_[d][np.argmax(np.abs(pca.components_[d]))] < 0:
            XY[:, d] = -XY[:, d]
    return XY


def theme_spread(
    labels: np.ndarray, metadata: Sequence[Mapping[str, Any]], n_themes: int
) -> list[dict[str, dict[str, int]]]:
    """Counts of each metadata value per theme: ``[{column: {value: count}}]``.

    Values may be strings or lists of strings (e.g. focus areas); missing or empty values
    are counted under ``""``, so each column's counts add up to the theme's size.
    """
    spread: list[dict[str, Counter]] = [dict() for _ in range(n_themes)]
    columns = sorted({str(col) for meta in metadata for col in (meta or {})})
    for lab, meta in zip(labels, metadata, strict=True):
        target = spread[int(lab)]
        meta = {str(k): v for k, v in (meta or {}).items()}
        for col in columns:
            val = meta.get(col)
            cnt = target.setdefault(col, Counter())
            if isinstance(val, list | tuple | set | frozenset):
                if not val:
                    cnt[""] += 1
                for v in val:
                    cnt[str(v)] += 1
            else:
                cnt["" if val is None else str(val)] += 1
    return [
        {col: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for col, c in s.items()}
        for s in spread
    ]
