"""The scikit-learn estimator contract for our estimators."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_estimator

from analysis.clustering import ThemeClusterer
from analysis.tagging import FocusAreaTagger, MultiLabelLogisticRegression, make_tagging_pipeline
from analysis.text import CharNgramTfidf, NorwegianTokenizer, StemNgramTfidf

from .conftest import SMALL_EXAMPLES

TEXTS = [r["text"] for r in SMALL_EXAMPLES]
LABELS = [r["focus_areas"] for r in SMALL_EXAMPLES]
TOKENS = NorwegianTokenizer().transform(TEXTS)


def _estimators():
    return [
        (StemNgramTfidf(), TOKENS, None),
        (CharNgramTfidf(), TOKENS, None),
        (
            FocusAreaTagger(
                estimator=make_tagging_pipeline(),
                classes=["fish", "roads", "housing"],
                cv=3,
                min_positives=2,
            ),
            TEXTS,
            LABELS,
        ),
        (ThemeClusterer(n_themes=3), TEXTS, None),
    ]


@pytest.mark.parametrize("est, X, y", _estimators(), ids=lambda v: type(v).__name__)
def test_clone_and_params(est, X, y):
    params = est.get_params()
    c = clone(est)
    assert c.get_params().keys() == params.keys()
    key = sorted(k for k in params if "__" not in k)[0]
    c.set_params(**{key: params[key]})
    # __init__ only stores parameters: nothing fitted before fit.
    assert not [a for a in vars(c) if a.endswith("_") and not a.startswith("_")]


@pytest.mark.parametrize("est, X, y", _estimators(), ids=lambda v: type(v).__name__)
def test_not_fitted_error(est, X, y):
    with pytest.raises(NotFittedError):
        if hasattr(est, "predict_proba"):
            est.predict_proba(X)
        else:
            est.transform(X)


@pytest.mark.parametrize("est, X, y", _estimators(), ids=lambda v: type(v).__name__)
def test_pickle_round_trip(est, X, y):
    fitted = clone(est).fit(X, y) if y is not None else clone(est).fit(X)
    again = pickle.loads(pickle.dumps(fitted))
    if hasattr(fitted, "predict_proba"):
        np.testing.assert_allclose(fitted.predict_proba(X), again.predict_proba(X))
    else:
        a, b = fitted.transform(X), again.transform(X)
        a = a.toarray() if hasattr(a, "toarray") else a
        b = b.toarray() if hasattr(b, "toarray") else b
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_tokenizer_is_stateless():
    tok = NorwegianTokenizer()
    assert tok.__sklearn_tags__().requires_fit is False
    assert tok.transform(["Havbruk"]) == clone(tok).fit(["x"]).transform(["Havbruk"])


# The multi-label model takes an indicator matrix; checks written for single-output
# classifiers (1-d y with string classes, one column per class in predict_proba) do not
# apply to it.
_NOT_APPLICABLE = {
    name: "multi-label indicator target, not a single-output classifier"
    for name in (
        "check_classifiers_one_label",
        "check_classifiers_classes",
        "check_classifiers_train",
        "check_classifiers_regression_target",
        "check_class_weight_classifiers",
        "check_non_transformer_estimators_n_iter",
        "check_decision_proba_consistency",
        "check_requires_y_none",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
    )
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_check_estimator_multilabel_logistic_regression():
    check_estimator(MultiLabelLogisticRegression(), expected_failed_checks=_NOT_APPLICABLE)
