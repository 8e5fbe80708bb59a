"""Load benchmark: the public pages and form POSTs against gunicorn + PostgreSQL.

    .venv/bin/python benchmarks/load.py [--duration 30] [--workers 4] [--page-users 100]
                                        [--post-users 30] [--database-url URL]

Seeds a fresh database (default: PostgreSQL database ``innspill_bench`` on
127.0.0.1, created if missing; its schema is wiped), starts gunicorn with the
app, drives it with locust (benchmarks/locustfile.py: page users at ~1 request/s
each, post users at ~1 POST/s each with real CSRF tokens), then does the same
against a bare Flask app (benchmarks/bare_app.py) on the same gunicorn settings
as the floor. Prints requests/s, p50/p95/p99 latency and errors per endpoint.
Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECRET = "benchmark-secret-key"


def sh(args: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kw)


def reset_database(url: str) -> None:
    if not url.startswith("postgresql"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    base, _, name = plain.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def app_env(url: str, instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNSPILL_")}
    env.pop("DATABASE_URL", None)
    env.update(
        FLASK_APP="participation",
        INNSPILL_DATABASE_URL=url,
        INNSPILL_SECRET_KEY=SECRET,
        INNSPILL_ENV="development",  # plain http on loopback: no Secure cookies
        INNSPILL_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        # The load comes from one address; keep the limiter on but out of the way.
        INNSPILL_SUGGESTION_RATE_LIMIT="1000000/hour",
        INNSPILL_SUGGESTION_MIN_SECONDS="0",
        INNSPILL_UPLOAD_DIR=str(instance / "uploads"),
        INNSPILL_MODEL_DIR=str(instance / "models"),
    )
    return env


def discover_targets(env: dict) -> dict:
    """Ask the app itself for the URLs to load, and open the first meeting wide."""
    code = r"""
import json
from participation import create_app
from participation.extensions import db
from participation.models import Meeting
app = create_app()
with app.test_request_context():
    from flask import url_for
    meeting = db.session.query(Meeting).order_by(Meeting.id).first()
    meeting.seats = 10_000_000
    db.session.commit()
    out = {"meeting": meeting.id, "region": meeting.region.slug, "suggestion": "", "draft": ""}
    if "suggestions.new" in app.view_functions:
        out["suggestion"] = url_for("suggestions.new")
    try:
        from participation.models import DraftStrategy
        draft = db.session.query(DraftStrategy).first()
        if draft is not None and "consultation.draft" in app.view_functions:
            out["draft"] = url_for("consultation.draft", slug=draft.slug)
    except ImportError:
        pass
    print(json.dumps(out))
"""
    import json

    result = sh([PY, "-c", code], env, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def start_gunicorn(target: str, port: int, workers: int, env: dict, log: Path):
    out = open(log, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "10",
            target,
        ],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        raise SystemExit(f"gunicorn did not start; see {log}")
    # Warm every worker (templates compiled, catalogs and lazy imports loaded).
    for _ in range(workers * 10):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10):
            pass
    return process


def run_locust(host: str, args, env: dict, targets: dict, prefix: Path) -> list[dict]:
    total = args.page_users + args.post_users
    env = {
        **env,
        "BENCH_PAGE_USERS": str(args.page_users),
        "BENCH_POST_USERS": str(args.post_users),
        "BENCH_MEETING_ID": str(targets["meeting"]),
        "BENCH_REGION": targets["region"],
        "BENCH_SUGGESTION_PATH": targets["suggestion"],
        "BENCH_DRAFT_PATH": targets["draft"],
    }
    # locust exits 1 when any request failed; the failures are in the figures.
    log = open(f"{prefix}.locust.log", "w")  # noqa: SIM115
    subprocess.run(
        [
            PY,
            "-m",
            "locust",
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "-u",
            str(total),
            "-r",
            str(total),
            "--run-time",
            f"{args.duration}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        check=False,
    )
    log.close()
    with open(f"{prefix}_failures.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            print(
                f"  failures {row['Method']} {row['Name']}: {row['Occurrences']} x {row['Error']}"
            )
    with open(f"{prefix}_stats.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def summarise(rows: list[dict]) -> dict[str, dict]:
    out = {}
    for row in rows:
        out[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
        }
    return out


def print_table(app: dict, floor: dict) -> None:
    print(
        f"{'endpoint':<22}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'errors':>8}"
        f"{'floor p95':>11}{'p95 ratio':>11}"
    )
    for name, s in app.items():
        base = floor.get(name, {})
        ratio = f"{s['p95'] / base['p95']:.1f}x" if base.get("p95") else "-"
        print(
            f"{name:<22}{s['rps']:>8.1f}{s['p50']:>7.0f}{s['p95']:>7.0f}{s['p99']:>7.0f}"
            f"{s['failures']:>8}{base.get('p95', float('nan')):>11.0f}{ratio:>11}"
        )
    print("(latencies in ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/innspill_bench"
    )
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--page-users", type=int, default=100)
    parser.add_argument("--post-users", type=int, default=30)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        env = app_env(args.database_url, tmpdir)
        reset_database(args.database_url)
        sh(
            [PY, "-m", "flask", "db", "upgrade"],
            env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        sh([PY, "-m", "flask", "seed-demo"], env, stdout=subprocess.DEVNULL)
        targets = discover_targets(env)
        print(
            f"targets: {targets}; {args.workers} gunicorn workers x 4 threads; "
            f"{args.page_users} page users, {args.post_users} post users, {args.duration}s"
        )

        results = {}
        for label, target in (
            ("app", "participation.wsgi:app"),
            ("floor", "benchmarks.bare_app:app"),
        ):
            process = start_gunicorn(target, args.port, args.workers, env, tmpdir / f"{label}.log")
            try:
                rows = run_locust(
                    f"http://127.0.0.1:{args.port}", args, env, targets, tmpdir / label
                )
            finally:
                process.terminate()
                process.wait(timeout=20)
            results[label] = summarise(rows)
        print_table(results["app"], results["floor"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
