"""Quality of a tagger against a labelled JSONL file.

Each line: ``{"text": ..., "focus_areas": [keys], ...}``. Reports micro and macro F1 and
per-area precision, recall, F1 and support, using the tagger's own thresholds.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

__all__ = [
    "read_labelled_jsonl",
    "evaluate_predictions",
    "evaluate_tagger",
    "format_report",
    "main_labels",
    "purity",
    "written_form_spread",
    "filler_report",
    "match_themes",
    "evaluate_themes",
    "format_theme_report",
]


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
    """Evaluate a fitted :class:`~analysis.tagging.FocusAreaTagger` on labelled records.

    Besides the overall figures: ``by_form`` (when records have ``form``) and
    ``by_register``, citizen and official register apart (each record's ``register``,
    else :func:`~analysis.text.detect_register`).
    """
    from .text import detect_register

    texts = [str(r["text"]) for r in records]
    pred = tagger.predict_labels(texts)
    report = evaluate_predictions([r["focus_areas"] for r in records], pred, list(tagger.classes_))
    forms = sorted({r.get("form") for r in records if r.get("form")})
    if len(forms) > 1:
        report["by_form"] = _by_group(records, pred, tagger, [r.get("form") for r in records])
    # The register: the record's own "register" field, else detected.
    registers = [str(r.get("register") or detect_register(str(r["text"]))) for r in records]
    report["by_register"] = _by_group(records, pred, tagger, registers, always=REGISTERS)
    report["register_source"] = (
        "given" if all(r.get("register") for r in records) else "detected where not given"
    )
    return report


REGISTERS = ("citizen", "official")


def _by_group(records, pred, tagger, groups, always: Sequence[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group in sorted(set(g for g in groups if g) | set(always)):
        idx = [i for i, g in enumerate(groups) if g == group]
        if not idx:
            out[group] = {"n": 0, "f1_micro": None, "f1_macro": None}
            continue
        sub = evaluate_predictions(
            [records[i]["focus_areas"] for i in idx],
            [pred[i] for i in idx],
            list(tagger.classes_),
        )
        out[group] = {"n": sub["n"], "f1_micro": sub["f1_micro"], "f1_macro": sub["f1_macro"]}
    return out


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
    for register, sub in (report.get("by_register") or {}).items():
        if not sub["n"]:
            lines.append(f"  register {register}: n=0")
            continue
        lines.append(
            f"  register {register}: n={sub['n']} micro F1 {sub['f1_micro']:.3f} "
            f"macro F1 {sub['f1_macro']:.3f} ({report.get('register_source', '')})"
        )
    lines.append("")
    lines.append(f"{'area':<28}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    for key, m in report["per_area"].items():
        lines.append(
            f"{key:<28}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>9d}"
        )
    return "\n".join(lines)


# --- themes -------------------------------------------------------------------------------


def main_labels(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each record's main focus area: the first of ``focus_areas``, or ``"none"``."""
    return [str((r.get("focus_areas") or ["none"])[0]) for r in records]


def purity(labels_true: Sequence[Any], labels_pred: Sequence[Any]) -> float:
    """Share of inputs whose theme's most common true label is their own."""
    by_theme: dict[Any, Counter] = {}
    for t, p in zip(labels_true, labels_pred, strict=True):
        by_theme.setdefault(p, Counter())[t] += 1
    n = len(labels_true)
    return float(sum(c.most_common(1)[0][1] for c in by_theme.values()) / n) if n else 0.0


def written_form_spread(
    themes: Sequence[Any],
    theme_of: Sequence[Any],
    forms: Sequence[str],
    topics: Sequence[str],
    *,
    min_size: int = 5,
    factor: float = 2.0,
) -> dict[str, Any]:
    """How unevenly Nynorsk inputs spread over the themes.

    For each theme of at least ``min_size`` inputs: its Nynorsk share against the run's
    share (``ratio``) and against the share its topics explain (the Nynorsk share of each
    member's main label in the whole run, averaged over the members). A theme is a
    *written-form theme* when its Nynorsk share is more than ``factor`` times both, with
    at least three Nynorsk inputs: its topics do not explain it.
    """
    n = len(forms)
    nn = np.asarray([f == "nn" for f in forms], dtype=float)
    overall = float(nn.mean()) if n else 0.0
    topic_share: dict[str, float] = {}
    for t in set(topics):
        idx = [i for i, x in enumerate(topics) if x == t]
        topic_share[t] = float(nn[idx].mean())
    rows = []
    for theme in themes:
        members = [i for i, t in enumerate(theme_of) if t == theme]
        if len(members) < min_size:
            continue
        share = float(nn[members].mean())
        expected = float(np.mean([topic_share[topics[i]] for i in members]))
        rows.append(
            {
                "theme": theme,
                "size": len(members),
                "nn_share": share,
                "ratio": share / overall if overall else 0.0,
                "topic_expected": expected,
                "written_form_theme": bool(
                    nn[members].sum() >= 3
                    and share > factor * overall
                    and share > factor * expected
                ),
            }
        )
    return {
        "nn_share": overall,
        "max_ratio": max((r["ratio"] for r in rows), default=0.0),
        "min_ratio": min((r["ratio"] for r in rows), default=0.0),
        "written_form_themes": sum(r["written_form_theme"] for r in rows),
        "themes": rows,
    }


def name_words(label_words: Sequence[str]) -> list[str]:
    """The words of a theme name's phrases, joining stopwords ("og", "i") left out."""
    from .text import STOPWORDS, tokenize

    words = []
    for phrase in label_words:
        words.extend(
            w for w in tokenize(phrase, remove_stopwords=False, min_length=1) if w not in STOPWORDS
        )
    return words


def filler_report(all_label_words: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Share of name words that are filler by the frequency background, and how many
    names start with a filler word (:func:`analysis.background.is_filler`)."""
    from .background import is_filler
    from .text import tokenize

    words = [w for label in all_label_words for w in name_words(label)]
    filler = [w for w in words if is_filler(w)]
    leading = []
    for label in all_label_words:
        first = tokenize(label[0], remove_stopwords=False, min_length=1) if label else []
        if first and is_filler(first[0]):
            leading.append(first[0])
    return {
        "name_words": len(words),
        "filler_words": len(filler),
        "filler_share": len(filler) / len(words) if words else 0.0,
        "filler_examples": sorted(Counter(filler), key=lambda w: (-Counter(filler)[w], w))[:10],
        "filler_leading": len(leading),
        "filler_leading_words": leading,
    }


def match_themes(
    before: Mapping[Any, Any], after: Mapping[Any, Any], *, min_overlap: float = 0.5
) -> dict[str, Any]:
    """Match the themes of two runs by member overlap.

    ``before`` and ``after`` map input id -> theme id; only inputs in both count. Themes
    are paired one to one (Hungarian assignment on shared members); a theme of ``before``
    is *matched* when its partner holds at least ``min_overlap`` of its inputs, and
    *kept* when the partner also has its theme id.
    """
    from scipy.optimize import linear_sum_assignment

    common = [i for i in before if i in after and before[i] is not None]
    a_ids = sorted({before[i] for i in common}, key=str)
    b_ids = sorted({after[i] for i in common}, key=str)
    if not a_ids:
        return {"themes": 0, "matched": 0, "kept_id": 0, "share_matched": 1.0, "share_kept": 1.0}
    ai = {t: j for j, t in enumerate(a_ids)}
    bi = {t: j for j, t in enumerate(b_ids)}
    shared = np.zeros((len(a_ids), len(b_ids)))
    for i in common:
        shared[ai[before[i]], bi[after[i]]] += 1
    sizes = shared.sum(axis=1)
    rows, cols = linear_sum_assignment(-shared)
    matched = kept = 0
    for r, c in zip(rows, cols, strict=True):
        if shared[r, c] >= min_overlap * sizes[r]:
            matched += 1
            kept += int(a_ids[r] == b_ids[c])
    return {
        "themes": len(a_ids),
        "matched": matched,
        "kept_id": kept,
        "share_matched": matched / len(a_ids),
        "share_kept": kept / len(a_ids),
    }


def evaluate_themes(
    records: Sequence[Mapping[str, Any]],
    areas: Sequence[Any],
    *,
    model_dir: Any = None,
    stability_rounds: int = 3,
    addition: float = 0.10,
    random_state: int = 0,
) -> dict[str, Any]:
    """How well the themes of ``run_analysis`` fit a labelled file.

    * ``ari`` / ``nmi`` / ``purity``: agreement with the main focus area (first of
      ``focus_areas``, ``"none"`` when empty) with the automatic number of themes;
      ``ari_at_labels``: the adjusted Rand index with as many themes as main labels;
    * ``written_form``: :func:`written_form_spread` (``form`` of each record, else
      detected);
    * ``names``: :func:`filler_report` over the theme names;
    * ``stability``: ``stability_rounds`` times, a run on the file less a random
      ``addition`` (10 %) of it, then a run on the whole file starting from the first
      run's centres; :func:`match_themes` of the two (mean and lowest share).
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from .service import InputRecord, run_analysis
    from .text import detect_written_form

    inputs = [
        InputRecord(
            id=r.get("id", n),
            text=str(r.get("text") or ""),
            metadata={k: v for k, v in r.items() if k in ("region", "channel", "category")},
        )
        for n, r in enumerate(records)
    ]
    truth = main_labels(records)
    forms = [str(r.get("form") or detect_written_form(str(r.get("text") or ""))) for r in records]

    def run(subset, **kw):
        return run_analysis(subset, areas, model_dir=model_dir, random_state=random_state, **kw)

    auto = run(inputs)
    theme_of = [r.theme for r in auto.inputs]
    n_labels = len(set(truth))
    fixed = run(inputs, n_themes=n_labels)
    report: dict[str, Any] = {
        "n": len(inputs),
        "n_labels": n_labels,
        "n_themes": len(auto.themes),
        "ari": float(adjusted_rand_score(truth, theme_of)),
        "nmi": float(normalized_mutual_info_score(truth, theme_of)),
        "purity": purity(truth, theme_of),
        "ari_at_labels": float(adjusted_rand_score(truth, [r.theme for r in fixed.inputs])),
        "written_form": written_form_spread([t.id for t in auto.themes], theme_of, forms, truth),
        "names": filler_report([t.label_words for t in auto.themes]),
        "themes": [
            {
                "id": t.id,
                "size": t.size,
                "label": ", ".join(t.label_words),
                "main_labels": dict(
                    Counter(truth[i] for i, x in enumerate(theme_of) if x == t.id).most_common(3)
                ),
            }
            for t in auto.themes
        ],
        "theme_count": auto.parameters.get("theme_count"),
    }
    rounds = []
    rng = np.random.RandomState(random_state)
    for _ in range(stability_rounds):
        held = set(rng.choice(len(inputs), max(1, int(round(addition * len(inputs)))), False))
        first = run([r for i, r in enumerate(inputs) if i not in held])
        second = run(inputs, previous_centres=first.centres)
        rounds.append(
            match_themes(
                {r.id: r.theme for r in first.inputs}, {r.id: r.theme for r in second.inputs}
            )
        )
    report["stability"] = {
        "rounds": rounds,
        "share_matched": float(np.mean([r["share_matched"] for r in rounds])) if rounds else 1.0,
        "lowest_share_matched": min((r["share_matched"] for r in rounds), default=1.0),
        "share_kept": float(np.mean([r["share_kept"] for r in rounds])) if rounds else 1.0,
    }
    return report


def format_theme_report(report: Mapping[str, Any]) -> str:
    """Plain-text summary of :func:`evaluate_themes`."""
    wf, names, st = report["written_form"], report["names"], report["stability"]
    lines = [
        f"inputs: {report['n']}   main labels: {report['n_labels']}   "
        f"themes (automatic): {report['n_themes']}",
        f"adjusted Rand index: {report['ari']:.3f} (automatic number of themes), "
        f"{report['ari_at_labels']:.3f} ({report['n_labels']} themes)",
        f"NMI: {report['nmi']:.3f}   purity: {report['purity']:.3f}",
        f"Nynorsk share {wf['nn_share']:.1%}; per theme {wf['min_ratio']:.2f}x to "
        f"{wf['max_ratio']:.2f}x the run's share; written-form themes: "
        f"{wf['written_form_themes']}",
        f"name words that are filler: {names['filler_words']}/{names['name_words']} "
        f"({names['filler_share']:.1%}); names led by a filler word: {names['filler_leading']}"
        + (f" ({', '.join(names['filler_leading_words'])})" if names["filler_leading"] else ""),
        f"stability under {len(st['rounds'])} additions of 10 %: "
        f"{st['share_matched']:.0%} of themes matched (lowest {st['lowest_share_matched']:.0%}), "
        f"{st['share_kept']:.0%} kept their id",
    ]
    if report.get("theme_count") and report["theme_count"].get("explanation"):
        lines.append(f"number of themes: {report['theme_count']['explanation']}")
    lines.append("")
    for t in report["themes"]:
        top = ", ".join(f"{k} {v}" for k, v in t["main_labels"].items())
        lines.append(f"  theme {t['id']:>3}  {t['size']:>4}  {t['label']}   [{top}]")
    return "\n".join(lines)
