"""Background jobs: one row per piece of long work, the truth about its state.

The queue (Huey, see ``participation.jobs``) only carries a job's id to a worker; what
the job is, who started it, how far it got, whether it may run and what it produced is
here. A worker holds a *lease* on a running job (``lease_owner`` and ``lease_until``,
renewed by a heartbeat); a job whose lease ran out (its worker was killed) is put back
on the queue for another worker, and only the lease holder can complete it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from participation.models.base import Base, UTCDateTime, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_lease", "status", "lease_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=JobStatus.QUEUED)
    # Language the job's texts (file headers, e-mails) are written in.
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    stage: Mapped[str] = mapped_column(String(60), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Who may work on it until when; a queued job's lease is the time it may wait on
    # the queue before it is handed out again.
    lease_owner: Mapped[str | None] = mapped_column(String(120), nullable=True)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    # How many times it was completed: the completion guard keeps it at most 1.
    completions: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What it produced: data for the page that started it (e.g. {"run_id": 3}) and,
    # for a download, the file itself (in the database, so every app host can send it).
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    result_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    result_mimetype: Mapped[str | None] = mapped_column(String(120), nullable=True)
    result_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, nullable=True))
    result_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
