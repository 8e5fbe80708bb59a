"""Benchmark the Noark 5 archive export: wall time, CPU time and peak memory for a
closed consultation of 100 to 1 000 responses (every third with a PDF attachment).

    .venv/bin/python benchmarks/archive_export.py                  # 100 500
    .venv/bin/python benchmarks/archive_export.py --sizes 100 1000

Each size runs in its own subprocess on a fresh SQLite database in a temporary folder,
so the peak resident memory (ru_maxrss) belongs to that export alone. Only the export
is timed (``export_consultation``: rendering every response to PDF/A, copying the
attachments, building and validating the XML, moving the uttrekk into place).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    *("reiseliv", "lokalmat", "havbruk", "kompetanse", "fiskeri", "reindrift", "energi"),
    *("nettkapasitet", "boliger", "fagskole", "lærlinger", "ferjer", "fylkesveier"),
    *("gründere", "kapital", "kystsoner"),
]


def child(size: int, workdir: str) -> dict:
    from flask_migrate import upgrade
    from pypdf import PdfWriter

    from participation import create_app
    from participation.archive import service
    from participation.consultation import service as consultation
    from participation.consultation.attachments import UploadedFile
    from participation.extensions import db

    url = f"sqlite:///{workdir}/bench.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATABASE_URL": url,
            "UPLOAD_DIR": f"{workdir}/uploads",
            "MODEL_DIR": workdir,
        }
    )
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf = buffer.getvalue()
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        draft = consultation.import_markdown(
            db.session,
            "# Næringsstrategi\n\n## 1 Havnæringene\n\n## 2 Reiseliv\n",
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=1),
        )
        for n in range(size):
            words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(12))
            consultation.submit_response(
                db.session,
                draft.id,
                consultation.ResponseData(
                    text=f"Innspill nummer {n} om {words}. Æ, ø og å i teksten.",
                    name=f"Person {n}",
                    email=f"person{n}@example.no",
                    category="citizen" if n % 2 else "business",
                    organisation=None if n % 2 else f"Bedrift {n} AS",
                    locale="nb" if n % 3 else "nn",
                ),
                [UploadedFile(f"vedlegg-{n}.pdf", pdf)] if n % 3 == 0 else [],
                upload_dir=app.config["UPLOAD_DIR"],
                now=draft.opens_at + timedelta(minutes=n + 1),
                notify=False,
            )
        db.session.commit()
        cpu = time.process_time()
        wall = time.perf_counter()
        summary = service.export_consultation(
            db.session,
            draft,
            Path(workdir) / "uttrekk",
            upload_dir=app.config["UPLOAD_DIR"],
            settings=service.ArchiveSettings(creator_name="Troms fylkeskommune"),
        )
        db.session.commit()
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
    return {
        "responses": size,
        "files": summary.documents,
        "megabytes": round(summary.total_bytes / 1e6, 1),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "ms_per_response": round(wall * 1000 / size),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.workdir)))
        return
    print("| responses | files | size | wall | CPU | per response | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as workdir:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--workdir", workdir],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"| {r['responses']} | {r['files']} | {r['megabytes']} MB | {r['wall_s']} s "
            f"| {r['cpu_s']} s | {r['ms_per_response']} ms | {r['peak_rss_mb']} MB |"
        )


if __name__ == "__main__":
    main()
