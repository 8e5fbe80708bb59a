"""Load benchmark: gunicorn serving Innspill, measured with wrk, against a bare app.

    .venv/bin/python benchmarks/load.py [--duration 10] [--workers 4] [--threads 4]
                                        [--post-users 30] [--post-duration 30]
                                        [--database-url URL] [--cache-url URL]

Seeds a fresh database (default: PostgreSQL database ``innspill_bench`` on
127.0.0.1, created if missing; its schema is wiped), starts gunicorn with the app
(page cache in Redis, rate-limit store in Redis) pinned to CPU 1 with ``taskset``,
and drives it with ``wrk`` pinned to CPU 0, so the load generator does not take
the server's core. For every page, in one run:

* saturation: ``wrk -t1 -c16`` for ``--duration`` seconds, requests/s;
* at a fixed 100 requests/s (``wrk`` with ``wrk_report.lua`` handing each request
  the next slot of a fixed schedule): p50/p95/p99 latency;

and the same against ``benchmarks/bare_app.py`` (no database, no templates) on
the same gunicorn settings, running beside it and measured page by page in turn
with it, and prints each page's figures with the ratio of its
saturation throughput to the bare app's. Last, the form POSTs with real CSRF
tokens are driven by locust (``benchmarks/locustfile.py``) for ``--post-duration``
seconds (``--post-users 0`` skips them). ``wrk`` is installed with apt-get
when missing (as root). PostgreSQL and Redis are not pinned.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
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


def app_env(url: str, instance: Path, cache_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNSPILL_")}
    env.pop("DATABASE_URL", None)
    env.update(
        FLASK_APP="participation",
        INNSPILL_DATABASE_URL=url,
        INNSPILL_SECRET_KEY=SECRET,
        INNSPILL_ENV="development",  # plain http on loopback: no Secure cookies
        INNSPILL_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        INNSPILL_CACHE_URL=cache_url,
        INNSPILL_CACHE_KEY_PREFIX=f"innspill-bench-{os.getpid()}:",
        # The load comes from one address; keep the limiter on but out of the way.
        INNSPILL_SUGGESTION_RATE_LIMIT="1000000/hour",
        INNSPILL_CONSULTATION_RATE_LIMIT="1000000/hour",
        INNSPILL_SIGNUP_RATE_LIMIT="1000000/hour",
        INNSPILL_SIGNUP_MEETING_LIMIT="1000000/hour",
        INNSPILL_SUGGESTION_MIN_SECONDS="0",
        INNSPILL_UPLOAD_DIR=str(instance / "uploads"),
        INNSPILL_MODEL_DIR=str(instance / "models"),
    )
    return env


def discover_targets(env: dict) -> dict:
    """Ask the app itself for the URLs to load, and open the first meeting wide."""
    code = r"""
import json
from flask import url_for
from participation import create_app
from participation.extensions import db
from participation.models import DraftStrategy, Meeting
app = create_app()
with app.test_request_context():
    meeting = db.session.query(Meeting).order_by(Meeting.id).first()
    meeting.seats = 10_000_000
    db.session.commit()
    draft = db.session.query(DraftStrategy).order_by(DraftStrategy.id).first()
    pages = {
        "home": url_for("main.home"),
        "regions": url_for("meetings.regions"),
        "region": url_for("meetings.region", slug=meeting.region.slug),
        "meeting": url_for("meetings.meeting", meeting_id=meeting.id),
        "consultation index": url_for("consultation.index"),
        "draft strategy": url_for("consultation.draft", slug=draft.slug),
        "published responses": url_for("consultation.responses", slug=draft.slug),
    }
    forms = {
        "sign-up form": url_for("meetings.signup", meeting_id=meeting.id),
        "suggestion form": url_for("suggestions.new"),
        "response form": url_for("consultation.respond", slug=draft.slug),
    }
    print(json.dumps({"meeting": meeting.id, "region": meeting.region.slug,
                      "draft": pages["draft strategy"], "suggestion": forms["suggestion form"],
                      "pages": pages, "forms": forms}))
"""
    result = sh([PY, "-c", code], env, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: apt-get install wrk (as root)")
    print("installing wrk with apt-get")
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(install, check=True)
    return shutil.which("wrk") or "wrk"


def start_gunicorn(target: str, args, env: dict, log: Path, port: int | None = None):
    port = port or args.port
    out = open(log, "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            *(["taskset", "-c", args.server_cpu] if args.server_cpu else []),
            PY,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "10",
            "--preload",
            target,
        ],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        raise SystemExit(f"gunicorn did not start; see {log}")
    return process


def warm(url: str, n: int) -> None:
    """Every worker compiles its templates and loads its catalogs first."""
    for _ in range(n):
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()


RESULT = re.compile(r"RESULT (.*)")


def run_wrk(wrk: str, url: str, args, *, rate: int | None) -> dict:
    env = {**os.environ}
    if rate:
        env["WRK_RATE"] = str(rate)
    command = [
        *(["taskset", "-c", args.client_cpu] if args.client_cpu else []),
        wrk,
        "-t1",
        f"-c{args.connections if not rate else args.paced_connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "-H",
        "Accept-Language: nb",
        "-s",
        str(ROOT / "benchmarks" / "wrk_report.lua"),
        url,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    match = RESULT.search(output)
    if match is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    values = dict(part.split("=") for part in match.group(1).split())
    return {k: float(v) for k, v in values.items()}


def measure(urls: dict, wrk: str, args, env: dict, tmpdir: Path) -> tuple[dict, dict]:
    """Both servers up at once (each idle while the other is measured), one page
    after the other on each, so a change in the machine's load hits both alike."""
    servers = {
        "app": ("participation.wsgi:app", args.port),
        "bare": ("benchmarks.bare_app:app", args.port + 1),
    }
    processes = {
        label: start_gunicorn(target, args, env, tmpdir / f"{label}.log", port)
        for label, (target, port) in servers.items()
    }
    results: dict[str, dict] = {"app": {}, "bare": {}}
    try:
        for name, path in urls.items():
            for label, (_, port) in servers.items():
                url = f"http://127.0.0.1:{port}{path}"
                warm(url, args.workers * 5)
                results[label][name] = {"saturated": run_wrk(wrk, url, args, rate=None)}
            for label, (_, port) in servers.items():
                url = f"http://127.0.0.1:{port}{path}"
                results[label][name]["paced"] = run_wrk(wrk, url, args, rate=args.rate)
            for label in servers:
                s = results[label][name]
                print(
                    f"  {label:<5} {name:<20} {s['saturated']['rps']:>8.0f} req/s"
                    f"   at {args.rate}/s: p95 {s['paced']['p95']:.1f} ms"
                    f"   errors {s['saturated']['errors']:.0f}/{s['paced']['errors']:.0f}",
                    flush=True,
                )
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)
    return results["app"], results["bare"]


def run_locust(host: str, args, env: dict, targets: dict, prefix: Path) -> list[dict]:
    env = {
        **env,
        "BENCH_PAGE_USERS": "0",
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
            *(["taskset", "-c", args.client_cpu] if args.client_cpu else []),
            PY,
            "-m",
            "locust",
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "-u",
            str(args.post_users),
            "-r",
            str(args.post_users),
            "--run-time",
            f"{args.post_duration}s",
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
        return [row for row in csv.DictReader(fh) if row["Name"].startswith("POST")]


def print_pages(app: dict, bare: dict, forms: set[str], rate: int) -> None:
    print()
    print(
        f"| page | req/s | bare req/s | ratio | p50 ms | p95 ms | p99 ms "
        f"(at {rate}/s) | bare p95 ms | target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, s in app.items():
        sat, paced = s["saturated"], s["paced"]
        floor = bare[name]["saturated"]["rps"]
        ratio = sat["rps"] / floor if floor else float("nan")
        if name in forms:
            throughput_ok = sat["rps"] >= 800 or ratio >= 0.12
            target = "≥ 800 req/s or 12 %"
        else:
            throughput_ok = ratio >= 0.40
            target = "≥ 40 %"
        latency_ok = paced["p95"] < 50
        verdict = "met" if throughput_ok and latency_ok else "NOT met"
        print(
            f"| {name} | {sat['rps']:.0f} | {floor:.0f} | {ratio:.0%} | {paced['p50']:.1f} "
            f"| {paced['p95']:.1f} | {paced['p99']:.1f} | {bare[name]['paced']['p95']:.1f} "
            f"| {target}, p95 < 50 ms: {verdict} |"
        )
        errors = sat["errors"] + paced["errors"]
        if errors:
            print(f"|   (errors: {errors:.0f}) |")


def print_posts(rows: list[dict], bare_rows: list[dict]) -> None:
    floor = {row["Name"]: row for row in bare_rows}
    print()
    print("| POST (locust) | req/s | p50 ms | p95 ms | p99 ms | failures | bare p95 ms |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        base = floor.get(row["Name"], {})
        print(
            f"| {row['Name']} | {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {row['Failure Count']} | {base.get('95%', '-')} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/innspill_bench"
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16, help="wrk connections, saturation")
    parser.add_argument("--paced-connections", type=int, default=10)
    parser.add_argument("--rate", type=int, default=100, help="requests/s for the latency runs")
    parser.add_argument("--server-cpu", default="1", help="taskset CPU list ('' to not pin)")
    parser.add_argument("--client-cpu", default="0")
    parser.add_argument("--post-users", type=int, default=30)
    parser.add_argument("--post-duration", type=int, default=30)
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    wrk = ensure_wrk()

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        env = app_env(args.database_url, tmpdir, args.cache_url)
        reset_database(args.database_url)
        sh(
            [PY, "-m", "flask", "db", "upgrade"],
            env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        sh([PY, "-m", "flask", "seed-demo"], env, stdout=subprocess.DEVNULL)
        targets = discover_targets(env)
        urls = {**targets["pages"], **targets["forms"]}
        if args.pages:
            wanted = {name.strip() for name in args.pages.split(",")}
            urls = {name: path for name, path in urls.items() if name in wanted}
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads on CPU "
            f"{args.server_cpu or 'any'}, wrk on CPU {args.client_cpu or 'any'}; "
            f"{args.connections} connections, {args.duration}s per run; "
            f"latency at {args.rate}/s with {args.paced_connections} connections; "
            f"database {args.database_url.rsplit('@', 1)[-1]}, cache {args.cache_url}",
            flush=True,
        )
        app, bare = measure(urls, wrk, args, env, tmpdir)
        print_pages(app, bare, set(targets["forms"]), args.rate)

        if args.post_users:
            rows = {}
            for label, target in (
                ("app", "participation.wsgi:app"),
                ("bare", "benchmarks.bare_app:app"),
            ):
                process = start_gunicorn(target, args, env, tmpdir / f"{label}-posts.log")
                try:
                    rows[label] = run_locust(
                        f"http://127.0.0.1:{args.port}", args, env, targets, tmpdir / label
                    )
                finally:
                    process.terminate()
                    process.wait(timeout=30)
            print_posts(rows["app"], rows["bare"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
