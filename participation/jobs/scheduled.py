"""Periodic work that belongs to no one domain: sending the outbox, and forgetting job
files whose download link expired. (Each domain registers its own in its
``tasks.py``: the privacy purge, the meeting reminders.)

The schedule (UTC) runs in the one worker started with the scheduler
(``flask jobs worker``; the others with ``--no-scheduler``, see docs/deploy.md).
"""

from __future__ import annotations

from flask import Flask

from participation.extensions import db
from participation.jobs import engine, service


@engine.periodic("send_outbox", minute="*")
def send_outbox(app: Flask) -> None:
    from participation.outbox import send_due

    send_due(db.session)


@engine.periodic("purge_job_files", minute="7")
def purge_job_files(app: Flask) -> None:
    service.purge_results(db.session)
