"""Benchmark the back-office exports: time and peak memory for 1 000 to 100 000 inputs.

    .venv/bin/python benchmarks/export_memory.py                   # 1000 10000 100000
    .venv/bin/python benchmarks/export_memory.py --sizes 1000 100000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/innspill_bench \\
        .venv/bin/python benchmarks/export_memory.py

Each size and format runs in its own subprocess on a fresh database (SQLite in a
temporary folder unless DATABASE_URL is given; a PostgreSQL database's schema is
wiped), so the peak resident memory (ru_maxrss) belongs to that export alone. The
export is requested through the app (test client, logged in as a reviewer) and
read to the end, exactly as a browser downloads it. Peak memory that stays flat
from 1 000 to 100 000 rows is what "streams in bounded memory" means.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(size: int, fmt: str, url: str, workdir: str) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, insert, text

    from participation import create_app
    from participation.backoffice.service import create_user
    from participation.extensions import db
    from participation.models import Input

    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "TESTING": True,
            "ENV": "development",
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_DIR": workdir,
            "MODEL_DIR": workdir,
            # Measures the export itself, as a request streams it (the app hands
            # exports above EXPORT_JOB_ROWS to a job, which writes the same file).
            "EXPORT_JOB_ROWS": 10**9,
            "JOBS_URL": "memory://",
        }
    )
    with app.app_context():
        upgrade()
        for start in range(0, size, 5000):
            db.session.execute(
                insert(Input),
                [
                    {
                        "channel": "suggestion_box",
                        "text": f"Innspill {i}: lokalmat, reiseliv og kompetanse i hele fylket.",
                        "redacted_text": f"Innspill {i}: lokalmat, reiseliv og kompetanse i hele fylket.",
                        "written_form": "nb",
                        "created_on": date(2026, 3, 1),
                        "status": "new",
                        "fingerprint": f"{i:064d}",
                        "text_length": 60,
                    }
                    for i in range(start, min(start + 5000, size))
                ],
            )
        create_user(db.session, "bench@example.no", "benchmark password", "reviewer")
        db.session.commit()
        client = app.test_client()
        client.post(
            "/admin/logg-inn", data={"email": "bench@example.no", "password": "benchmark password"}
        )
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        response = client.get(f"/admin/eksport/innspill.{fmt}")
        received = sum(len(chunk) for chunk in response.response)
        response.close()
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": size,
        "format": fmt,
        "seconds": round(elapsed, 2),
        "megabytes_out": round(received / 1e6, 1),
        "peak_rss_mb": round(after / 1024, 1),
        "growth_during_export_mb": round((after - before) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size, fmt, url = args.child
        with tempfile.TemporaryDirectory() as workdir:
            print(json.dumps(child(int(size), fmt, url, workdir)))
        return

    print(
        f"{'rows':>8} {'format':>6} {'seconds':>8} {'MB out':>7} {'peak RSS MB':>12} {'growth MB':>10}"
    )
    for size in args.sizes:
        for fmt in args.formats:
            with tempfile.TemporaryDirectory() as workdir:
                url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite"
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(size), fmt, url],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                    env={**os.environ, "INNSPILL_SECRET_KEY": "benchmark"},
                )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{result['rows']:>8} {result['format']:>6} {result['seconds']:>8} "
                f"{result['megabytes_out']:>7} {result['peak_rss_mb']:>12} "
                f"{result['growth_during_export_mb']:>10}"
            )


if __name__ == "__main__":
    main()
