"""Background runs: a thread per run, with its own app context and database session.

The web request only queues the run (``service.start_run``) and commits; the thread
does the work and writes its progress to the run's row, which any worker process can
read. If the process dies mid-run the row stops getting heartbeats and counts as
failed after ``ANALYSIS_STALE_MINUTES``.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask, current_app

from participation.extensions import db
from participation.insights import service

_threads: dict[int, threading.Thread] = {}
_lock = threading.Lock()


def stale_after(app: Flask | None = None) -> timedelta:
    app = app or current_app
    return timedelta(minutes=app.config["ANALYSIS_STALE_MINUTES"])


def execute(app: Flask, run_id: int) -> None:
    """Carry out a queued run in a fresh app context (and so a fresh session)."""
    with app.app_context():
        try:
            service.execute_run(
                db.session,
                run_id,
                model_dir=app.config["MODEL_DIR"],
                keep_runs=app.config["ANALYSIS_KEEP_RUNS"],
            )
        except Exception:  # pragma: no cover - execute_run records its own failures
            app.logger.exception("analysis run %s could not be carried out", run_id)
        finally:
            db.session.remove()


def start_in_background(app: Flask, run_id: int) -> threading.Thread:
    """Carry out ``run_id`` (already queued and committed) in a daemon thread."""
    thread = threading.Thread(
        target=execute, args=(app, run_id), name=f"analysis-run-{run_id}", daemon=True
    )
    with _lock:
        _threads[run_id] = thread
    thread.start()
    return thread


def wait(run_id: int | None = None, timeout: float | None = None) -> None:
    """Wait for one background run (or all of them) to end; for tests and shutdown."""
    with _lock:
        threads = [_threads[run_id]] if run_id in _threads else list(_threads.values())
        if run_id is not None and run_id not in _threads:
            threads = []
    for thread in threads:
        thread.join(timeout)
    with _lock:
        for key, thread in list(_threads.items()):
            if not thread.is_alive():
                del _threads[key]
