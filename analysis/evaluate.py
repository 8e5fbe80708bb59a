"""Quality of a tagger against a labelled JSONL file.

Each line: ``{"text": ..., "focus_areas": [keys], ...}``. Reports micro and macro F1 and
per-area precision, recall, F1 and support, using the tagger's own thresholds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

__all__ = ["read_labelled_jsonl", "evaluate_predictions", "evaluate_tagger", "format_report"]


def read_labelled_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Records with ``text`` and ``focus_areas`` from a JSONL file."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if "text" not in rec or "focus_areas" not in rec:
                raise ValueError(f"{path}:{n}: each line needs 'text' and 'focus_areas'")
            out.append(rec)
    return out


def evaluate_predictions(
    y_true: Sequence[Iterable[str]], y_pred: Sequence[Iterable[str]], keys: Sequence[str]
) -> dict[str, Any]:
    """Micro/macro F1 and per-area P/R/F1/support for label lists over ``keys``.

    Labels outside ``keys`` are ignored. Macro F1 averages over the areas that occur in
    ``y_true`` (an area nobody wrote about cannot be scored).
    """
    keys = list(keys)
    known = set(keys)
    mlb = MultiLabelBinarizer(classes=keys)
    T = mlb.fit_transform([[k for k in labs if k in known] for labs in y_true])
    P = mlb.transform([[k for k in labs if k in known] for labs in y_pred])
    p, r, f, s = precision_recall_fscore_support(T, P, average=None, zero_division=0)
    supported = [i for i, n in enumerate(s) if n > 0]
    micro = f1_score(T, P, average="micro", zero_division=0) if len(T) else 0.0
    macro = float(np.mean([f[i] for i in supported])) if supported else 0.0
    none_true = T.sum(axis=1) == 0
    none_pred = P.sum(axis=1) == 0
    exact = float((T == P).all(axis=1).mean()) if len(T) else 0.0
    return {
        "n": int(len(T)),
        "f1_micro": float(micro),
        "f1_macro": macro,
        "subset_accuracy": exact,
        "none": {
            "support": int(none_true.sum()),
            "predicted": int(none_pred.sum()),
            "correct": int((none_true & none_pred).sum()),
        },
        "per_area": {
            k: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, k in enumerate(keys)
        },
    }


def evaluate_tagger(tagger, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Evaluate a fitted :class:`~analysis.tagging.FocusAreaTagger` on labelled records."""
    texts = [str(r["text"]) for r in records]
    pred = tagger.predict_labels(texts)
    report = evaluate_predictions([r["focus_areas"] for r in records], pred, list(tagger.classes_))
    forms = sorted({r.get("form") for r in records if r.get("form")})
    if len(forms) > 1:
        report["by_form"] = {}
        for form in forms:
            idx = [i for i, r in enumerate(records) if r.get("form") == form]
            sub = evaluate_predictions(
                [records[i]["focus_areas"] for i in idx],
                [pred[i] for i in idx],
                list(tagger.classes_),
            )
            report["by_form"][form] = {
                "n": sub["n"],
                "f1_micro": sub["f1_micro"],
                "f1_macro": sub["f1_macro"],
            }
    return report


def format_report(report: Mapping[str, Any]) -> str:
    """Plain-text table of an evaluation report."""
    lines = [
        f"inputs: {report['n']}",
        f"micro F1: {report['f1_micro']:.3f}   macro F1: {report['f1_macro']:.3f}   "
        f"exact match: {report['subset_accuracy']:.3f}",
    ]
    none = report["none"]
    lines.append(
        f"no area (other): {none['correct']}/{none['support']} found, {none['predicted']} predicted"
    )
    for form, sub in (report.get("by_form") or {}).items():
        lines.append(
            f"  form {form}: n={sub['n']} micro F1 {sub['f1_micro']:.3f} "
            f"macro F1 {sub['f1_macro']:.3f}"
        )
    lines.append("")
    lines.append(f"{'area':<28}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    for key, m in report["per_area"].items():
        lines.append(
            f"{key:<28}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>9d}"
        )
    return "\n".join(lines)
