"""A whole analysis run through the app on many inputs: reading, analysis, storing, pages.

    .venv/bin/python benchmarks/insights_scale.py [--inputs 20000] [--database URL]

Generates N inputs from the bundled examples (some pairs joined into longer ones) in a
fresh database (default: a temporary SQLite file; for PostgreSQL give an EMPTY database,
e.g. postgresql+psycopg://postgres@127.0.0.1:5432/scratch), trains the default model once
(not timed), then times a run and the main result pages' queries. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=20_000)
    parser.add_argument("--database", default="")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from analysis.service import retrain
    from participation import create_app
    from participation.demo import DemoReport, seed_focus_areas
    from participation.extensions import db
    from participation.insights import results, runs
    from participation.models import Input

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/scale.sqlite"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "DATABASE_URL": url,
                "MODEL_DIR": f"{tmp}/models",
                "SECRET_KEY": "benchmark",
            }
        )
        with app.app_context():
            upgrade()
            session = db.session
            seed_focus_areas(session, DemoReport())
            session.commit()
            examples = [
                json.loads(line)["text"]
                for line in (ROOT / "analysis/data/examples.jsonl").read_text("utf-8").splitlines()
                if line.strip()
            ]
            rnd = random.Random(0)
            rows = []
            for i in range(args.inputs):
                text = rnd.choice(examples)
                if rnd.random() < 0.3:
                    text += " " + rnd.choice(examples)
                rows.append(
                    {
                        "channel": "suggestion_box",
                        "text": text,
                        "redacted_text": text,
                        "written_form": "other",
                        "created_on": date(2026, 1, 1),
                        "status": "new",
                        "fingerprint": str(i),
                        "text_length": len(text),
                    }
                )
            session.execute(Input.__table__.insert(), rows)
            session.commit()
            retrain(runs.focus_area_specs(session), [], model_dir=app.config["MODEL_DIR"])

            started = time.perf_counter()
            run = runs.run_now(session, actor="benchmark", model_dir=app.config["MODEL_DIR"])
            wall = time.perf_counter() - started
            t = run.timings
            print(
                f"{args.inputs} inputs on {url.split(':')[0]}: {run.status}, {wall:.1f} s "
                f"(reading {t.get('reading', 0):.1f} s, analysis {t.get('analysis', 0):.1f} s, "
                f"storing {t.get('storing', 0):.1f} s); {len(run.themes)} themes"
            )
            for name, call in (
                ("results page", lambda: results.overview(session, run)),
                ("review queue", lambda: results.review_queue(session, run)),
                ("map", lambda: results.input_map(session, run)),
                ("quality", lambda: results.quality(session, run)),
            ):
                started = time.perf_counter()
                call()
                print(f"  {name}: {time.perf_counter() - started:.2f} s")
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
