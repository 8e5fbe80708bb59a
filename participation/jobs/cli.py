"""``flask jobs …``: the worker (and scheduler), and a look at the queue."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from participation.extensions import db

jobs_cli = AppGroup("jobs", help="Background jobs: workers, the scheduler, the queue.")


@jobs_cli.command("worker")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Jobs carried out at once by this process (default: JOBS_WORKERS, 2).",
)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    help="Also run the periodic work (outbox, purge, reminders). Run it in ONE worker "
    "process per installation; start the others with --no-scheduler.",
)
def worker(workers: int | None, scheduler: bool) -> None:
    """Carry out queued jobs until stopped (SIGINT finishes the jobs at hand, SIGTERM
    stops at once; jobs it had are run again by another worker)."""
    from participation.jobs.engine import run_worker

    app = current_app._get_current_object()
    count = workers or app.config["JOBS_WORKERS"]
    click.echo(
        f"job worker: {count} at once, scheduler {'on' if scheduler else 'off'}, "
        f"queue {app.config['JOBS_URL'] or 'sqlite (instance folder)'}"
    )
    run_worker(app, workers=count, scheduler=scheduler)


@jobs_cli.command("run")
def run_pending() -> None:
    """Carry out what is on the queue now, in this process, then stop."""
    from participation.jobs.engine import get_engine, recover

    app = current_app._get_current_object()
    recover(app)
    done = get_engine(app).run_pending(limit=10_000)
    click.echo(f"carried out {done} queued jobs")


@jobs_cli.command("list")
@click.option("--limit", type=int, default=20)
def list_jobs(limit: int) -> None:
    """The latest jobs and their state."""
    from participation.jobs import service

    for job in service.list_jobs(db.session, limit=limit):
        click.echo(
            f"{job.id:6d}  {job.kind:14s} {job.status:9s} {round(100 * job.progress):3d} %  "
            f"attempts {job.attempts}  {job.created_at:%Y-%m-%d %H:%M}"
            + (f"  {job.error}" if job.error else "")
        )
