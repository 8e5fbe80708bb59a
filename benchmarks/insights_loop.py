"""The review loop through the app, measured: does reviewing the queue improve the model?

Loads a labelled JSONL file (``{"text", "focus_areas"}`` per line; default: the
analysis package's held-out file) as inputs into a fresh SQLite database, runs the
analysis as the back office does, then plays the reviewer: confirms the first K
inputs of the review queue (least certain first) with the file's labels, retrains,
and scores both runs' stored suggestions on the inputs nobody confirmed. A second
database does the same with K inputs picked at random, for comparison.

    .venv/bin/python benchmarks/insights_loop.py [FILE.jsonl] [--confirm 40]

This trains on part of the file (as reviewers would), in a temporary model folder:
it measures the loop, not the shipped model (see ``python -m analysis evaluate``).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.evaluate import evaluate_predictions  # noqa: E402


def suggested(session, run, ids):
    from sqlalchemy import select

    from participation.models import FocusArea, InputSuggestion

    found = {i: [] for i in ids}
    rows = session.execute(
        select(InputSuggestion.input_id, FocusArea.key)
        .join(FocusArea, FocusArea.id == InputSuggestion.focus_area_id)
        .where(InputSuggestion.run_id == run.id, InputSuggestion.suggested.is_(True))
    )
    for input_id, key in rows:
        if input_id in found:
            found[input_id].append(key)
    return found


def score(session, run, truth, ids, keys):
    pred = suggested(session, run, ids)
    report = evaluate_predictions([truth[i] for i in ids], [pred[i] for i in ids], keys)
    return report["f1_micro"], report["f1_macro"]


def loop(records, k: int, strategy: str, workdir: Path) -> dict:
    from flask_migrate import upgrade

    from participation import create_app
    from participation.backoffice.service import create_user
    from participation.demo import DemoReport, seed_focus_areas
    from participation.extensions import db
    from participation.inputs import service as inbox
    from participation.inputs import service as inputs
    from participation.insights import results, runs
    from participation.models import FocusArea

    url = f"sqlite:///{workdir / (strategy + '.sqlite')}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "DATABASE_URL": url,
            "MODEL_DIR": str(workdir / "models"),
            "SECRET_KEY": "benchmark",
        }
    )
    with app.app_context():
        upgrade()
        session = db.session
        seed_focus_areas(session, DemoReport())
        reviewer = create_user(session, "reviewer@example.no", "benchmark-password", "reviewer")
        truth = {}
        for rec in records:
            item = inputs.create_input(session, channel="suggestion_box", text=rec["text"])
            truth[item.id] = list(rec["focus_areas"])
        session.commit()
        area_ids = {a.key: a.id for a in session.query(FocusArea)}
        keys = list(area_ids)

        started = time.perf_counter()
        first = runs.run_now(session, actor="benchmark", model_dir=app.config["MODEL_DIR"])
        first_seconds = time.perf_counter() - started
        if strategy == "queue":
            page = results.review_queue(session, first, per_page=k)
            chosen = [row.item.id for row in page.rows]
        else:
            chosen = random.Random(0).sample(sorted(truth), k)
        for input_id in chosen:
            inbox.confirm_focus_areas(
                session, reviewer, input_id, [area_ids[key] for key in truth[input_id]]
            )
        session.commit()
        agreement = results.review_agreement(session, first)

        started = time.perf_counter()
        second = runs.run_now(
            session, kind="retrain", actor="benchmark", model_dir=app.config["MODEL_DIR"]
        )
        second_seconds = time.perf_counter() - started
        rest = sorted(set(truth) - set(chosen))
        before = score(session, first, truth, rest, keys)
        after = score(session, second, truth, rest, keys)
        everything = score(session, first, truth, sorted(truth), keys)
        db.engine.dispose()
    return {
        "strategy": strategy,
        "n": len(truth),
        "confirmed": len(chosen),
        "first_run_all": everything,
        "agreement_on_confirmed": (agreement["f1_micro"], agreement["f1_macro"]),
        "before": before,
        "after": after,
        "seconds": (first_seconds, second_seconds),
        "oof": second.metrics.get("tagger", {}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(ROOT / "analysis/data/heldout.jsonl"))
    parser.add_argument("--confirm", type=int, default=40, help="inputs a reviewer confirms")
    args = parser.parse_args()
    records = [
        json.loads(line) for line in Path(args.file).read_text("utf-8").splitlines() if line.strip()
    ]
    print(f"{len(records)} labelled inputs from {args.file}; the reviewer confirms {args.confirm}")
    with tempfile.TemporaryDirectory() as tmp:
        for strategy in ("queue", "random"):
            r = loop(records, args.confirm, strategy, Path(tmp))
            print(
                f"\n{strategy:>6}: first run on all {r['n']}: F1 micro {r['first_run_all'][0]:.3f} "
                f"macro {r['first_run_all'][1]:.3f} ({r['seconds'][0]:.1f} s)\n"
                f"        quality page, agreement on the {r['confirmed']} confirmed: "
                f"micro {r['agreement_on_confirmed'][0]:.3f} macro {r['agreement_on_confirmed'][1]:.3f}\n"
                f"        on the {r['n'] - r['confirmed']} not confirmed: before retraining "
                f"micro {r['before'][0]:.3f} macro {r['before'][1]:.3f}; after "
                f"micro {r['after'][0]:.3f} macro {r['after'][1]:.3f} ({r['seconds'][1]:.1f} s)\n"
                f"        tagger out-of-fold after retraining: micro "
                f"{r['oof'].get('oof_f1_micro', 0):.3f} macro {r['oof'].get('oof_f1_macro', 0):.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
