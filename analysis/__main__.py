"""Command line: ``python -m analysis {tag,cluster,evaluate,evaluate-themes,train}``.

Input files are JSONL (``{"id": ..., "text": ...}`` per line) or CSV with ``id`` and
``text`` columns (chosen by the ``.csv`` extension). Output is JSONL to ``-o FILE`` or
standard output; progress goes to standard error.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from .focus_areas import load_default_focus_areas

CHUNK = 2000


def _read_records(path: str) -> list[dict[str, Any]]:
    p = Path(path)
    if not p.exists():
        raise SystemExit(f"error: no such file: {path}")
    records: list[dict[str, Any]] = []
    if p.suffix.lower() == ".csv":
        with open(p, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "text" not in reader.fieldnames:
                raise SystemExit(f"error: {path}: CSV needs a 'text' column (and 'id')")
            for n, row in enumerate(reader, 1):
                rec: dict[str, Any] = dict(row)
                rec.setdefault("id", n)
                if rec.get("id") in (None, ""):
                    rec["id"] = n
                if "focus_areas" in rec and isinstance(rec["focus_areas"], str):
                    rec["focus_areas"] = [
                        k for k in rec["focus_areas"].replace(";", ",").split(",") if k.strip()
                    ]
                records.append(rec)
    else:
        with open(p, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"error: {path}:{n}: not JSON ({exc.msg})") from None
                if not isinstance(rec, dict) or "text" not in rec:
                    raise SystemExit(f"error: {path}:{n}: each line needs a 'text' field")
                rec.setdefault("id", n)
                records.append(rec)
    return records


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _open_out(path: str | None) -> TextIO:
    return open(path, "w", encoding="utf-8") if path else sys.stdout


def _progress(total: int, desc: str) -> tqdm:
    return tqdm(total=total, desc=desc, file=sys.stderr, disable=None, unit="input", leave=False)


def cmd_tag(args: argparse.Namespace) -> int:
    from .persistence import get_or_train_tagger
    from .tagging import labels_from_proba

    records = _read_records(args.input)
    areas = load_default_focus_areas()
    print("loading model ...", file=sys.stderr)
    tagger, _ = get_or_train_tagger(areas, model_dir=args.model_dir)
    keys = list(tagger.classes_)
    out = _open_out(args.output)
    try:
        with _progress(len(records), "tagging") as bar:
            for chunk in _chunks(records, CHUNK):
                P = tagger.predict_proba([str(r.get("text") or "") for r in chunk])
                labels = labels_from_proba(P, tagger.thresholds_, keys)
                for rec, row, labs in zip(chunk, P, labels, strict=True):
                    line = {
                        "id": rec["id"],
                        "focus_areas": labs,
                        "scores": {k: round(float(p), 4) for k, p in zip(keys, row, strict=True)},
                    }
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                bar.update(len(chunk))
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    from .service import InputRecord, focus_area_themes, run_analysis

    records = _read_records(args.input)
    inputs = [
        InputRecord(
            id=r["id"],
            text=str(r.get("text") or ""),
            metadata={k: v for k, v in r.items() if k not in ("id", "text")},
        )
        for r in records
    ]
    stages = _progress(100, "analysis")
    last = [0]

    def progress(stage: str, frac: float) -> None:
        stages.set_description(stage)
        pct = int(frac * 100)
        if pct > last[0]:
            stages.update(pct - last[0])
            last[0] = pct

    areas = load_default_focus_areas()
    if args.focus_area and args.focus_area not in {a.key for a in areas}:
        raise SystemExit(
            f"error: unknown focus area {args.focus_area!r}; one of: "
            + ", ".join(a.key for a in areas)
        )
    with stages:
        if args.focus_area:
            result = focus_area_themes(
                inputs,
                areas,
                args.focus_area,
                n_themes=args.themes,
                progress=progress,
                model_dir=args.model_dir,
            )
        else:
            result = run_analysis(
                inputs,
                areas if args.tag else [],
                n_themes=args.themes,
                progress=progress,
                model_dir=args.model_dir,
            )
    out = _open_out(args.output)
    try:
        for r in result.inputs:
            line: dict[str, Any] = {"id": r.id, "theme": r.theme}
            if r.duplicate_count > 1:
                line["duplicate_of"] = r.duplicate_group
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    report = sys.stderr if args.output is None else sys.stdout
    where = f" about {args.focus_area}" if args.focus_area else ""
    print(f"{len(result.themes)} themes from {len(result.inputs)} inputs{where}:", file=report)
    count = result.parameters.get("theme_count") or {}
    if count.get("explanation"):
        print(f"  ({count['explanation']})", file=report)
    for t in result.themes:
        extra = f" ({t.size} with near-duplicates)" if t.size != t.size_unique else ""
        print(f"  theme {t.id:>3}  {t.size_unique:>6} inputs{extra}  {t.label}", file=report)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_tagger, format_report
    from .persistence import get_or_train_tagger

    records = _read_records(args.file)
    for n, r in enumerate(records, 1):
        if "focus_areas" not in r:
            raise SystemExit(f"error: {args.file}: record {n} has no 'focus_areas'")
    tagger, _ = get_or_train_tagger(load_default_focus_areas(), model_dir=args.model_dir)
    report = evaluate_tagger(tagger, records)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0


def cmd_evaluate_themes(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_themes, format_theme_report

    records = _read_records(args.file)
    for n, r in enumerate(records, 1):
        if "focus_areas" not in r:
            raise SystemExit(f"error: {args.file}: record {n} has no 'focus_areas'")
    print("running the analysis ...", file=sys.stderr)
    report = evaluate_themes(
        records,
        load_default_focus_areas(),
        model_dir=args.model_dir,
        stability_rounds=args.rounds,
    )
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_theme_report(report))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .persistence import get_or_train_tagger

    areas = load_default_focus_areas()
    labelled: list[tuple[str, list[str]]] = []
    if args.labelled:
        for r in _read_records(args.labelled):
            labelled.append((str(r["text"]), list(r.get("focus_areas") or [])))
    bar = _progress(100, "training")
    last = [0]

    def progress(stage: str, frac: float) -> None:
        pct = int(frac * 100)
        if pct > last[0]:
            bar.update(pct - last[0])
            last[0] = pct

    with bar:
        _, desc = get_or_train_tagger(
            areas, labelled, model_dir=args.model_dir, progress=progress, retrain=True
        )
    m = desc.get("metrics", {})
    print(
        f"trained tagger for {len(desc.get('area_keys', []))} focus areas "
        f"(scikit-learn {desc['versions']['scikit-learn']}); out-of-fold micro F1 "
        f"{m.get('oof_f1_micro', float('nan')):.3f}, macro F1 {m.get('oof_f1_macro', float('nan')):.3f}"
    )
    per_area = m.get("per_area") or {}
    if per_area:
        print(f"{'area':<28}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}{'threshold':>11}")
        for key, a in per_area.items():
            print(
                f"{key:<28}{a['precision']:>10.3f}{a['recall']:>8.3f}{a['f1']:>7.3f}"
                f"{a['support']:>9d}{a['threshold']:>11.2f}"
            )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Tag Norwegian input with focus areas and group it into themes.",
    )
    parser.add_argument(
        "--model-dir",
        default=None,
        help="model cache directory (default: $INNSPILL_MODEL_DIR or the user cache dir)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("tag", help="suggest focus areas for each input")
    p.add_argument("input", help="JSONL ({id, text} per line) or CSV (id,text)")
    p.add_argument("-o", "--output", help="output JSONL (default: standard output)")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("cluster", help="group inputs into themes")
    p.add_argument("input", help="JSONL ({id, text} per line) or CSV (id,text)")
    p.add_argument("-o", "--output", help="output JSONL (default: standard output)")
    p.add_argument("--themes", type=int, default=None, help="number of themes (default: auto)")
    p.add_argument(
        "--tag", action="store_true", help="also tag, so theme spread includes focus areas"
    )
    p.add_argument(
        "--focus-area",
        metavar="KEY",
        help="sub-themes of the inputs tagged with this focus area only (implies --tag)",
    )
    p.set_defaults(func=cmd_cluster)

    p = sub.add_parser("evaluate", help="micro/macro F1 and per-area P/R on a labelled file")
    p.add_argument("file", help="JSONL with text and focus_areas per line")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "evaluate-themes",
        help="agreement of the themes with the main focus area, form spread, names, stability",
    )
    p.add_argument("file", help="JSONL with text and focus_areas per line")
    p.add_argument("--rounds", type=int, default=3, help="10 %% additions for the stability figure")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_evaluate_themes)

    p = sub.add_parser("train", help="rebuild the tagging model from the bundled data")
    p.add_argument("--labelled", help="optional JSONL/CSV of confirmed labels (text, focus_areas)")
    p.set_defaults(func=cmd_train)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "themes", None) is not None and args.themes < 1:
        raise SystemExit("error: --themes must be at least 1")
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
