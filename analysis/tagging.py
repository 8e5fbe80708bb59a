"""Multi-label focus-area tagging.

The label list is data: whatever :class:`~analysis.focus_areas.FocusAreaSpec` objects the
caller passes. With no labelled input the tagger bootstraps from each area's seed terms,
names and descriptions plus the bundled example inputs (``data/examples.jsonl``);
reviewer-confirmed labels are added on top with a higher weight.

Model: stemmed word n-grams + ``char_wb`` n-grams (see :mod:`analysis.text`) into one
L2-regularised logistic regression per area, so each suggestion carries a probability and
an input may get several areas or none. The decision threshold of each area is chosen on
out-of-fold predictions (cross-validation on the training data), not by hand.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_array, check_is_fitted
from threadpoolctl import threadpool_limits

from .focus_areas import FocusAreaSpec
from .text import NorwegianTokenizer, make_feature_union

__all__ = [
    "MultiLabelLogisticRegression",
    "FocusAreaTagger",
    "make_tagging_pipeline",
    "load_examples",
    "build_training_set",
    "train_tagger",
    "uncertainty",
    "uncertainty_ranking",
    "labels_from_proba",
    "TrainingSet",
]

ProgressFn = Callable[[str, float], None]

# Weights of the training sources. Confirmed labels count most: they come from the
# project group and describe this very consultation.
SEED_TERM_WEIGHT = 0.5
DESCRIPTION_WEIGHT = 1.0
EXAMPLE_WEIGHT = 1.0
CONFIRMED_WEIGHT = 4.0

# An enumeration names its areas one by one ("fiskeri og havbruk, reiseliv, landbruk,
# reindrift"). Scored as a whole text, each item is too small a share of it to pass its
# area's threshold, so official documents' lists went untagged; each short item of such a
# list is also scored on its own (see :func:`enumeration_items`).
ENUMERATION_MIN_ITEMS = 3
ENUMERATION_MAX_WORDS = 2
_ITEM_SEPARATORS = re.compile(r"[.;:!?,()\[\]]|\s(?:og|eller|samt|and|or)\s", re.IGNORECASE)


class MultiLabelLogisticRegression(ClassifierMixin, BaseEstimator):
    """One L2 logistic regression per label column of a binary indicator matrix.

    Parameters
    ----------
    C : float, default=8.0
        Inverse regularisation strength.
    class_weight : dict, "balanced" or None, default=None
        Passed to each :class:`~sklearn.linear_model.LogisticRegression`.
    max_iter : int, default=1000
    tol : float, default=1e-4
    solver : {"liblinear", "lbfgs"}, default="liblinear"
        ``"liblinear"`` solves the dual problem when there are fewer samples than
        features (a few thousand texts, tens of thousands of n-grams): about twice as
        fast as ``"lbfgs"`` here, with the same out-of-fold and held-out F1 (see
        docs/analysis.md). A column it fails to converge on is refitted with lbfgs.
    random_state : int, default=0
        Seed of liblinear's coordinate order.

    Attributes
    ----------
    coef_ : ndarray of shape (n_labels, n_features)
    intercept_ : ndarray of shape (n_labels,)
    n_labels_ : int
    n_features_in_ : int
    """

    def __init__(
        self,
        *,
        C: float = 8.0,
        class_weight: dict | str | None = None,
        max_iter: int = 1000,
        tol: float = 1e-4,
        solver: str = "liblinear",
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit one model per column of ``y`` (shape (n_samples, n_labels), 0/1)."""
        X = check_array(X, accept_sparse="csr", dtype=(np.float64, np.float32))
        Y = np.asarray(y)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        Y = check_array(Y, dtype=np.int8)
        if Y.shape[0] != X.shape[0]:
            raise ValueError("X and y have different numbers of samples")
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
        n, k = Y.shape
        coef = np.zeros((k, X.shape[1]), dtype=np.float64)
        intercept = np.zeros(k, dtype=np.float64)
        w = np.ones(n) if sample_weight is None else sample_weight
        # Single native thread: these small fits gain nothing from threads and slow down
        # badly when the cores are shared with other work.
        with threadpool_limits(limits=1):
            self._fit_columns(X, Y, w, sample_weight, coef, intercept)
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept
        self.n_labels_ = k
        self.n_features_in_ = X.shape[1]
        self.classes_ = np.arange(k)
        return self

    def _fit_columns(self, X, Y, w, sample_weight, coef, intercept) -> None:
        for j in range(Y.shape[1]):
            col = Y[:, j]
            if col.min() == col.max():
                # A label with no positive (or no negative) example: constant, smoothed prior.
                pos = float((w * col).sum())
                prior = (pos + 0.5) / (float(w.sum()) + 1.0)
                intercept[j] = np.log(prior / (1.0 - prior))
                continue
            lr = self._fit_one(X, col, sample_weight)
            coef[j] = lr.coef_[0]
            intercept[j] = lr.intercept_[0]

    def _fit_one(self, X, col, sample_weight) -> LogisticRegression:
        common = dict(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, tol=self.tol
        )
        if self.solver not in ("liblinear", "lbfgs"):
            raise ValueError(f"solver must be 'liblinear' or 'lbfgs', not {self.solver!r}")
        if self.solver == "liblinear" and len(np.unique(col)) == 2:
            lr = LogisticRegression(
                **common,
                solver="liblinear",
                dual=X.shape[0] <= X.shape[1],
                random_state=self.random_state,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                lr.fit(X, col, sample_weight=sample_weight)
            if int(np.max(lr.n_iter_)) < self.max_iter:
                return lr
        return LogisticRegression(**common, solver="lbfgs").fit(X, col, sample_weight=sample_weight)

    def decision_function(self, X) -> np.ndarray:
        """Log-odds per label, shape (n_samples, n_labels)."""
        check_is_fitted(self, "coef_")
        X = check_array(X, accept_sparse="csr", dtype=(np.float32, np.float64))
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        scores = X @ self.coef_.T
        return np.asarray(scores, dtype=np.float64) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """Probability that each label applies, shape (n_samples, n_labels)."""
        return expit(self.decision_function(X))

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix at probability 0.5."""
        return (self.predict_proba(X) >= 0.5).astype(np.int8)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


def make_tagging_pipeline(
    *,
    C: float = 8.0,
    class_weight: dict | str | None = "balanced",
    word_ngram_range: tuple[int, int] = (1, 2),
    char_ngram_range: tuple[int, int] = (3, 5),
    word_max_features: int | None = 200_000,
    char_max_features: int | None = 200_000,
    char_weight: float = 1.0,
    solver: str = "liblinear",
) -> Pipeline:
    """Tokenizer -> stem + char_wb TF-IDF -> per-area logistic regression.

    ``class_weight="balanced"`` because each area is a small minority of the inputs; the
    defaults were chosen on out-of-fold F1 of the bundled examples (see docs/analysis.md).
    """
    return Pipeline(
        [
            ("tokens", NorwegianTokenizer()),
            (
                "features",
                make_feature_union(
                    word_ngram_range=word_ngram_range,
                    char_ngram_range=char_ngram_range,
                    word_max_features=word_max_features,
                    char_max_features=char_max_features,
                    char_weight=char_weight,
                ),
            ),
            ("clf", MultiLabelLogisticRegression(C=C, class_weight=class_weight, solver=solver)),
        ]
    )


def _fit_with_weights(estimator, X, Y, sample_weight):
    if sample_weight is None:
        return estimator.fit(X, Y)
    if isinstance(estimator, Pipeline):
        return estimator.fit(X, Y, **{f"{estimator.steps[-1][0]}__sample_weight": sample_weight})
    return estimator.fit(X, Y, sample_weight=sample_weight)


def _take(X: Sequence, idx: np.ndarray) -> list:
    return [X[i] for i in idx]


def _best_threshold(y_true: np.ndarray, proba: np.ndarray, grid: np.ndarray) -> tuple[float, float]:
    """Threshold on ``grid`` maximising a lightly smoothed F1; returns (threshold, F1)."""
    pos = y_true.astype(bool)
    n_pos = pos.sum()
    pred = proba[:, None] >= grid[None, :]
    tp = (pred & pos[:, None]).sum(axis=0)
    n_pred = pred.sum(axis=0)
    f1 = np.where(n_pred + n_pos > 0, 2 * tp / np.maximum(n_pred + n_pos, 1), 0.0)
    # Average over neighbouring thresholds so one lucky split point does not win.
    kernel = np.ones(5) / 5
    smooth = np.convolve(np.pad(f1, 2, mode="edge"), kernel, mode="valid")
    best = smooth.max()
    # Middle of the best plateau.
    candidates = np.flatnonzero(smooth >= best - 1e-9)
    i = int(candidates[len(candidates) // 2])
    return float(grid[i]), float(f1[i])


def enumeration_items(
    text: str,
    *,
    min_items: int = ENUMERATION_MIN_ITEMS,
    max_words: int = ENUMERATION_MAX_WORDS,
) -> list[str]:
    """The short items of a list written in ``text``, or ``[]`` when it has none.

    Items are the parts between commas, other punctuation and "og"/"eller"/"samt" that
    are at most ``max_words`` words long; a text holds a list when it has at least
    ``min_items`` of them. Ordinary sentences rarely have three such fragments, so the
    tags of running text are left as they were.
    """
    if not isinstance(text, str) or "," not in text:
        return []
    items = [part.strip() for part in _ITEM_SEPARATORS.split(text)]
    items = [part for part in items if len(part) > 2 and len(part.split()) <= max_words]
    return items if len(items) >= min_items else []


class FocusAreaTagger(ClassifierMixin, BaseEstimator):
    """Multi-label focus-area tagger with per-area thresholds chosen by cross-validation.

    Parameters
    ----------
    estimator : estimator or None, default=None
        A multi-label model with ``fit(X, Y, sample_weight)`` and ``predict_proba`` giving
        one column per label; ``None`` means :func:`make_tagging_pipeline`.
    classes : sequence of str or None, default=None
        Label keys in output order. ``None``: the sorted labels seen in ``y``.
    cv : int, default=5
        Folds for the out-of-fold probabilities the thresholds are chosen on.
    min_positives : int, default=4
        An area needs this many positive scored examples to get its own threshold;
        otherwise it gets the median of the other areas' thresholds.
    random_state : int, default=0
        Seed of the fold split.
    pool_enumerations : bool, default=True
        Also score each item of a list in a text (:func:`enumeration_items`) and keep,
        per area, the highest of the text's and its items' probabilities.

    Attributes
    ----------
    classes_ : ndarray of str
        Label keys, one per output column.
    estimator_ : estimator
        The model fitted on all training data.
    thresholds_ : ndarray of shape (n_classes,)
        Decision threshold per area.
    cv_f1_ : ndarray of shape (n_classes,)
        Out-of-fold F1 per area at its threshold (NaN where too few positives).
    cv_report_ : dict
        Out-of-fold figures at the chosen thresholds: ``oof_f1_micro``,
        ``oof_f1_macro``, ``n_scored`` and ``per_area`` ``{key: {"precision", "recall",
        "f1", "support", "threshold"}}`` (support = positive scored examples; areas with
        fewer than ``min_positives`` use the median threshold). Plain floats and ints,
        JSON-serialisable. Empty when there were too few examples to cross-validate.
    """

    def __init__(
        self,
        *,
        estimator=None,
        classes: Sequence[str] | None = None,
        cv: int = 5,
        min_positives: int = 4,
        random_state: int = 0,
        pool_enumerations: bool = True,
    ) -> None:
        self.estimator = estimator
        self.classes = classes
        self.cv = cv
        self.min_positives = min_positives
        self.random_state = random_state
        self.pool_enumerations = pool_enumerations

    def _binarize(self, y) -> np.ndarray:
        arr = None
        if hasattr(y, "shape") and len(getattr(y, "shape", ())) == 2:
            arr = np.asarray(y)
        if arr is not None and arr.dtype != object:
            if self.classes is None:
                self.classes_ = np.asarray([str(i) for i in range(arr.shape[1])], dtype=object)
            else:
                self.classes_ = np.asarray(list(self.classes), dtype=object)
            if arr.shape[1] != len(self.classes_):
                raise ValueError("y has a different number of columns than classes")
            return (arr > 0).astype(np.int8)
        labels = [list(labs) for labs in y]
        if self.classes is None:
            classes = sorted({lab for labs in labels for lab in labs})
        else:
            classes = list(self.classes)
            known = set(classes)
            labels = [[lab for lab in labs if lab in known] for labs in labels]
        self.classes_ = np.asarray(classes, dtype=object)
        mlb = MultiLabelBinarizer(classes=classes)
        return mlb.fit_transform(labels).astype(np.int8)

    def fit(self, X, y, sample_weight=None, *, score_mask=None, progress: ProgressFn | None = None):
        """Fit the model and choose per-area thresholds.

        Parameters
        ----------
        X : sequence of str
            Texts.
        y : sequence of label collections, or indicator matrix (n_samples, n_classes)
        sample_weight : array-like of shape (n_samples,), optional
        score_mask : array-like of bool, optional
            Which samples the thresholds are chosen on (all of them by default). Use it to
            keep seed-term pseudo-documents in training but out of threshold selection.
        progress : callable(stage, fraction), optional
        """
        X = list(X)
        Y = self._binarize(y)
        n, k = Y.shape
        if n != len(X):
            raise ValueError("X and y have different numbers of samples")
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        mask = np.ones(n, bool) if score_mask is None else np.asarray(score_mask, bool)
        base = self.estimator if self.estimator is not None else make_tagging_pipeline()
        grid = np.round(np.arange(0.05, 0.951, 0.01), 2)

        oof = np.full((n, k), np.nan)
        scored = np.flatnonzero(mask)
        n_splits = int(min(self.cv, len(scored))) if self.cv else 0
        if n_splits >= 2:
            unscored = np.flatnonzero(~mask)
            folds = KFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
            for f, (tr, te) in enumerate(folds.split(scored)):
                train_idx = np.concatenate([scored[tr], unscored])
                test_idx = scored[te]
                est = clone(base)
                _fit_with_weights(
                    est, _take(X, train_idx), Y[train_idx], None if w is None else w[train_idx]
                )
                oof[test_idx] = est.predict_proba(_take(X, test_idx))
                if progress:
                    progress("tagging: threshold folds", (f + 1) / (n_splits + 1))
        thresholds = np.full(k, np.nan)
        cv_f1 = np.full(k, np.nan)
        have = ~np.isnan(oof[:, 0]) if k else np.zeros(n, bool)
        for j in range(k):
            if have.any() and Y[have, j].sum() >= self.min_positives:
                thresholds[j], cv_f1[j] = _best_threshold(Y[have, j], oof[have, j], grid)
        fallback = float(np.nanmedian(thresholds)) if np.isfinite(thresholds).any() else 0.5
        thresholds = np.where(np.isnan(thresholds), fallback, thresholds)

        self.estimator_ = _fit_with_weights(clone(base), X, Y, w)
        self.thresholds_ = thresholds
        self.cv_f1_ = cv_f1
        self.cv_report_ = (
            self._oof_report(Y[have], oof[have], thresholds, self.classes_) if have.any() else {}
        )
        if progress:
            progress("tagging: trained", 1.0)
        return self

    @staticmethod
    def _oof_report(
        Y: np.ndarray, P: np.ndarray, thresholds: np.ndarray, classes: Sequence[str]
    ) -> dict[str, Any]:
        pred = thresholds <= P
        tp = (pred & (Y == 1)).sum(axis=0).astype(float)
        fp = (pred & (Y == 0)).sum(axis=0).astype(float)
        fn = (~pred & (Y == 1)).sum(axis=0).astype(float)
        denom = 2 * tp + fp + fn
        f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
        # Same conventions as analysis.evaluate (zero when undefined).
        precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
        recall = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=(tp + fn) > 0)
        micro = 2 * tp.sum() / max(1.0, (2 * tp + fp + fn).sum())
        support = Y.sum(axis=0).astype(int)
        supported = support > 0
        macro = float(f1[supported].mean()) if supported.any() else 0.0
        per_area = {
            str(key): {
                "precision": float(precision[j]),
                "recall": float(recall[j]),
                "f1": float(f1[j]),
                "support": int(support[j]),
                "threshold": float(thresholds[j]),
            }
            for j, key in enumerate(classes)
        }
        return {
            "oof_f1_micro": float(micro),
            "oof_f1_macro": macro,
            "n_scored": int(len(Y)),
            "per_area": per_area,
        }

    def predict_proba(self, X, *, texts: Sequence[str] | None = None) -> np.ndarray:
        """Probability per area, shape (n_samples, n_classes), columns in ``classes_``.

        ``X`` holds texts or token lists; ``texts`` gives the raw texts when ``X`` holds
        token lists, so lists written in them can be pooled (``pool_enumerations``).
        """
        check_is_fitted(self, "estimator_")
        X = list(X)
        if not X:
            return np.zeros((0, len(self.classes_)))
        P = np.asarray(self.estimator_.predict_proba(X), dtype=np.float64)
        if getattr(self, "pool_enumerations", True):
            raw = X if texts is None else list(texts)
            if len(raw) != len(X):
                raise ValueError("texts must have one entry per document in X")
            self._pool_enumerations(P, raw)
        return P

    def _pool_enumerations(self, P: np.ndarray, texts: Sequence[Any]) -> None:
        """Raise each row of ``P`` to the best of its list items' probabilities, in place."""
        owners: list[int] = []
        items: list[str] = []
        for i, text in enumerate(texts):
            found = enumeration_items(text) if isinstance(text, str) else []
            items.extend(found)
            owners.extend([i] * len(found))
        if not items:
            return
        item_P = np.asarray(self.estimator_.predict_proba(items), dtype=np.float64)
        np.maximum.at(P, np.asarray(owners), item_P)

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix using the per-area thresholds."""
        return (self.predict_proba(X) >= self.thresholds_).astype(np.int8)

    def predict_labels(self, X) -> list[list[str]]:
        """Area keys per text (possibly empty: "other"), most probable first."""
        P = self.predict_proba(X)
        return labels_from_proba(P, self.thresholds_, self.classes_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


def labels_from_proba(
    P: np.ndarray, thresholds: np.ndarray, classes: Sequence[str]
) -> list[list[str]]:
    """Keys whose probability reaches the threshold, most probable first."""
    out = []
    classes = list(classes)
    for row in np.asarray(P):
        hits = np.flatnonzero(row >= thresholds)
        hits = hits[np.argsort(-row[hits], kind="stable")]
        out.append([classes[j] for j in hits])
    return out


def uncertainty(proba: np.ndarray, thresholds: np.ndarray | float | None = None) -> np.ndarray:
    """How uncertain the tags of each input are: the distance of its most borderline area
    from that area's decision threshold, in log-odds (small = uncertain, review first).

    Log-odds so that 0.02 vs 0.05 counts as much as 0.50 vs 0.70. The one measure used by
    the tagger's ranking (:func:`uncertainty_ranking`), the service's per-input
    ``uncertainty`` and the review queue. Inputs with no area columns get ``inf``.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
    thresholds : array of shape (n_classes,), float or None (0.5)

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    P = np.clip(np.asarray(proba, dtype=np.float64), 1e-6, 1 - 1e-6)
    if P.ndim != 2:
        raise ValueError("proba must be 2-D (n_samples, n_classes)")
    if P.shape[1] == 0:
        return np.full(P.shape[0], np.inf)
    t = np.clip(
        np.broadcast_to(0.5 if thresholds is None else thresholds, (P.shape[1],)), 1e-6, 1 - 1e-6
    )
    margin = np.abs(np.log(P / (1 - P)) - np.log(t / (1 - t)))
    return margin.min(axis=1)


def uncertainty_ranking(
    proba: np.ndarray, thresholds: np.ndarray | float | None = None
) -> np.ndarray:
    """Order of inputs for review, least certain first (active learning): ascending
    :func:`uncertainty`. Ties keep input order.

    Returns
    -------
    ndarray of int
        Indices into ``proba``.
    """
    return np.argsort(uncertainty(proba, thresholds), kind="stable")


# --- training data ------------------------------------------------------------------


def _read_jsonl(lines: Iterable[str]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        line = line.strip()
        if line:
            out.append(json.loads(line))
    return out


def load_examples(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The bundled bootstrap examples (``data/examples.jsonl``) or another JSONL file.

    Each record has ``text``, ``focus_areas`` (list of keys) and ``form``.
    """
    if path is None:
        text = resources.files("analysis").joinpath("data/examples.jsonl").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    return _read_jsonl(text.splitlines())


class TrainingSet:
    """Texts, label lists, weights and score mask assembled for :class:`FocusAreaTagger`."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.labels: list[list[str]] = []
        self.weights: list[float] = []
        self.scored: list[bool] = []
        self.sources: list[str] = []

    def add(
        self, text: str, labels: Iterable[str], weight: float, scored: bool, source: str
    ) -> None:
        self.texts.append(text)
        self.labels.append(list(labels))
        self.weights.append(weight)
        self.scored.append(scored)
        self.sources.append(source)

    def __len__(self) -> int:
        return len(self.texts)


def _text_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def build_training_set(
    areas: Sequence[FocusAreaSpec],
    labelled: Iterable[tuple[str, Iterable[str]]] = (),
    *,
    examples: Sequence[dict[str, Any]] | None = None,
    confirmed_weight: float = CONFIRMED_WEIGHT,
) -> TrainingSet:
    """Bootstrap data from the areas and bundled examples, plus confirmed labels.

    Labels that are not keys of ``areas`` (retired areas) are dropped. A confirmed text
    replaces a bundled example with the same text. Confirmed labels are put in a fixed
    order (by text), so the same labels in another order train the same model.
    """
    keys = [a.key for a in areas]
    known = set(keys)
    ts = TrainingSet()
    for a in areas:
        for term in a.seed_terms:
            ts.add(term, [a.key], SEED_TERM_WEIGHT, False, "seed_term")
        for lang, name in sorted(a.names.items()):
            if name:
                ts.add(name, [a.key], SEED_TERM_WEIGHT, False, f"name:{lang}")
        for lang, desc in sorted(a.descriptions.items()):
            if desc:
                ts.add(desc, [a.key], DESCRIPTION_WEIGHT, False, f"description:{lang}")
    # Sorted, so the model (its folds) does not depend on the order the labels came in.
    confirmed = sorted(
        ((str(t), sorted({k for k in labs if k in known})) for t, labs in labelled),
        key=lambda tl: (_text_key(tl[0]), tl[0], tl[1]),
    )
    confirmed_keys = {_text_key(t) for t, _ in confirmed}
    for ex in load_examples() if examples is None else examples:
        text = str(ex["text"])
        if _text_key(text) in confirmed_keys:
            continue
        ts.add(
            text,
            [k for k in ex.get("focus_areas", ()) if k in known],
            EXAMPLE_WEIGHT,
            True,
            "example",
        )
    for text, labs in confirmed:
        ts.add(text, labs, confirmed_weight, True, "confirmed")
    return ts


def train_tagger(
    areas: Sequence[FocusAreaSpec],
    labelled: Iterable[tuple[str, Iterable[str]]] = (),
    *,
    examples: Sequence[dict[str, Any]] | None = None,
    confirmed_weight: float = CONFIRMED_WEIGHT,
    cv: int = 5,
    random_state: int = 0,
    estimator=None,
    progress: ProgressFn | None = None,
) -> FocusAreaTagger:
    """Train a tagger for ``areas`` from bootstrap data and confirmed labels.

    Parameters
    ----------
    areas : sequence of FocusAreaSpec
        The label list; output columns follow this order.
    labelled : iterable of (text, keys)
        Reviewer-confirmed labels (an empty key list means "none of the areas").
    examples : list of dict, optional
        Bootstrap examples; default: the bundled ``data/examples.jsonl``.
    confirmed_weight : float
        Sample weight of confirmed labels (bundled examples weigh 1).
    """
    ts = build_training_set(areas, labelled, examples=examples, confirmed_weight=confirmed_weight)
    tagger = FocusAreaTagger(
        estimator=estimator, classes=[a.key for a in areas], cv=cv, random_state=random_state
    )
    tagger.fit(
        ts.texts,
        ts.labels,
        sample_weight=np.asarray(ts.weights),
        score_mask=np.asarray(ts.scored),
        progress=progress,
    )
    tagger.n_training_ = {
        src: int(sum(1 for s in ts.sources if s.split(":")[0] == src))
        for src in ("seed_term", "name", "description", "example", "confirmed")
    }
    return tagger
