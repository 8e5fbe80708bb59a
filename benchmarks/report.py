"""Benchmark the høringsnotat and merknader.xlsx: time and peak memory for 1 000 and
10 000 inputs.

    .venv/bin/python benchmarks/report.py                       # 1000 10000, docx pdf xlsx
    .venv/bin/python benchmarks/report.py --sizes 10000 --formats docx

Each size and format runs in its own subprocess on a fresh SQLite database (or a
wiped PostgreSQL database when DATABASE_URL is given), so the peak resident memory
(ru_maxrss) is that report's alone. The data: inputs of every channel, a third of
them consultation responses to the sections of a draft (half of those published),
every input assessed (four outcomes in turn, groups of 20 sharing a comment) and
approved. Peak memory may grow with the document itself (Word and the PDF are built
in memory); the inputs are read in batches.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DRAFT = """# Strategisk næringsplan

## 1 Havnæringene
### 1.1 Mer foredling
### 1.2 Arealer i sjø
## 2 Reiseliv
### 2.1 Helårs reiseliv
## 3 Kompetanse
"""


def seed(size: int) -> None:
    from sqlalchemy import insert, select

    from participation.consultation import service as consultation
    from participation.extensions import db
    from participation.models import (
        Assessment,
        ConsultationResponse,
        DraftSection,
        Input,
        assessment_section,
    )
    from participation.processes import service as processes

    now = datetime.now(UTC)
    process = processes.create_process(
        db.session,
        None,
        processes.ProcessData(slug="naeringsplan", titles={"nb": "Strategisk næringsplan"}),
    )
    processes.activate(db.session, None, process.id)
    db.session.commit()
    draft = consultation.import_markdown(
        db.session,
        DRAFT,
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
        slug="plan",
        process_id=process.id,
    )
    db.session.commit()
    sections = list(db.session.execute(select(DraftSection.id)).scalars())
    outcomes = ["adopted", "partly", "not_adopted", "noted"]
    for start in range(0, size, 2000):
        batch = range(start, min(start + 2000, size))
        responses = []
        for i in batch:
            if i % 3 == 0:
                responses.append(
                    {
                        "draft_id": draft.id,
                        "section_id": sections[i % len(sections)],
                        "reference": f"H-{i:08d}",
                        "stance": "support",
                        "name": f"Person {i}",
                        "email": f"p{i}@example.no",
                        "organisation": f"Bedrift {i} AS" if i % 2 else None,
                        "category": "business",
                        "may_publish": True,
                        "locale": "nb",
                        "created_at": now,
                        "published_text": f"Høringssvar {i}: vi støtter satsingen på sjømat og "
                        "kompetanse, og ber om mer samarbeid mellom næringsliv og FoU." * 3
                        if i % 2
                        else None,
                        "published_at": now if i % 2 else None,
                    }
                )
        if responses:
            db.session.execute(insert(ConsultationResponse), responses)
        ids = dict(
            db.session.execute(
                select(ConsultationResponse.reference, ConsultationResponse.id).where(
                    ConsultationResponse.reference.in_([r["reference"] for r in responses])
                )
            ).all()
        )
        rows = []
        for i in batch:
            text = (
                f"Innspill {i}: lokalmat, reiseliv og kompetanse i hele fylket – "
                "vi trenger bedre samferdsel, flere lærlingplasser og rask fiber i distriktene. "
            ) * 2
            response_id = ids.get(f"H-{i:08d}")
            rows.append(
                {
                    "channel": "consultation_response" if response_id else "suggestion_box",
                    "text": text,
                    "redacted_text": text,
                    "written_form": "nb",
                    "created_on": date(2026, 3, 1),
                    "status": "published" if i % 2 else "new",
                    "fingerprint": f"{i:064d}",
                    "text_length": len(text),
                    "consultation_response_id": response_id,
                    "process_id": process.id,
                }
            )
        db.session.execute(insert(Input), rows)
        db.session.commit()
    input_ids = list(db.session.execute(select(Input.id).order_by(Input.id)).scalars())
    for start in range(0, len(input_ids), 2000):
        chunk = input_ids[start : start + 2000]
        db.session.execute(
            insert(Assessment),
            [
                {
                    "input_id": i,
                    "outcome": outcomes[(i // 20) % 4],
                    "comment": f"Gruppe {i // 20}: Administrasjonen vil **følge opp** dette i "
                    "handlingsplanen, og ser det i sammenheng med kompetansestrategien.",
                    "state": "approved",
                    "group_code": f"G{i // 20:07d}",
                    "drafted_at": now,
                    "approved_at": now,
                }
                for i in chunk
            ],
        )
        db.session.execute(
            insert(assessment_section),
            [
                {"input_id": i, "section_id": sections[i % len(sections)]}
                for i in chunk
                if i % 5 == 0
            ],
        )
        db.session.commit()


def child(size: int, fmt: str, url: str, workdir: str) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from participation import create_app
    from participation.extensions import db
    from participation.reports import service

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
            "UPLOAD_DIR": workdir,
            "MODEL_DIR": workdir,
        }
    )
    target = Path(workdir) / f"report.{fmt}"
    with app.app_context():
        upgrade()
        seed(size)
        db.session.remove()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        cpu = time.process_time()
        if fmt == "xlsx":
            service.merknader(db.session, target)
        else:
            service.horingsnotat(db.session, target, fmt)
        db.session.commit()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "inputs": size,
        "format": fmt,
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(cpu, 1),
        "megabytes_out": round(target.stat().st_size / 1e6, 1),
        "peak_rss_mb": round(after / 1024, 1),
        "growth_mb": round((after - before) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--formats", nargs="+", default=["docx", "pdf", "xlsx"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size, fmt, url = args.child
        with tempfile.TemporaryDirectory() as workdir:
            print(json.dumps(child(int(size), fmt, url, workdir)))
        return
    print(
        f"{'inputs':>7} {'format':>6} {'wall s':>7} {'CPU s':>6} {'MB out':>7} "
        f"{'peak RSS MB':>12} {'growth MB':>10}"
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
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{r['inputs']:>7} {r['format']:>6} {r['seconds']:>7} {r['cpu_seconds']:>6} "
                f"{r['megabytes_out']:>7} {r['peak_rss_mb']:>12} {r['growth_mb']:>10}"
            )


if __name__ == "__main__":
    main()
