"""Long work as jobs on a queue (Huey), with their state in the ``job`` table.

See ``participation.jobs.engine`` for the API other packages use and docs/deploy.md for
running the workers and the scheduler.
"""

from participation.jobs.engine import (
    KINDS,
    JobCancelled,
    JobContext,
    JobFile,
    JobLost,
    JobResult,
    JobStopped,
    cancel,
    enqueue,
    get_engine,
    kind,
    on_end_of,
    periodic,
)

__all__ = [
    "KINDS",
    "JobCancelled",
    "JobContext",
    "JobFile",
    "JobLost",
    "JobResult",
    "JobStopped",
    "cancel",
    "get_engine",
    "enqueue",
    "kind",
    "on_end_of",
    "periodic",
]
