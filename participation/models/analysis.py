"""Analysis runs and what they produced: suggestions, themes, map positions.

The analysis never writes to the reviewers' tables: a run's suggestions live
here, beside (never instead of) the confirmed focus areas in
``input_confirmed_focus_area``. Per-input rows are kept for the latest
``ANALYSIS_KEEP_RUNS`` finished runs; older runs keep their summary and themes
(see docs/insights.md).
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.models.base import Base, UTCDateTime, utcnow
from participation.models.core import FocusArea


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RunKind(StrEnum):
    RUN = "run"  # analyse all input with the current model (trained first if its data changed)
    RETRAIN = "retrain"  # train the tagger on the confirmed tags first, then analyse


# The value of ``AnalysisRun.active`` while a run is queued or running. The column is
# NULL otherwise and unique per process, so the database refuses a second active run.
ACTIVE = "active"


class AnalysisRun(Base):
    """One analysis of all input: its state while it works, its record afterwards."""

    __tablename__ = "analysis_run"
    # One queued or running run per process: the database refuses a second.
    __table_args__ = (
        UniqueConstraint("process_id", "active", name="uq_analysis_run_process_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default=RunKind.RUN)
    status: Mapped[str] = mapped_column(String(12), default=RunStatus.QUEUED, index=True)
    active: Mapped[str | None] = mapped_column(String(8), nullable=True)
    stage: Mapped[str] = mapped_column(String(40), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Last sign of life from the worker; a run silent for ANALYSIS_STALE_MINUTES is stale.
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    n_themes_requested: Mapped[int | None] = mapped_column(Integer, nullable=True)
    n_inputs: Mapped[int] = mapped_column(Integer, default=0)
    n_labelled: Mapped[int] = mapped_column(Integer, default=0)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    versions: Mapped[dict] = mapped_column(JSON, default=dict)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    model: Mapped[dict] = mapped_column(JSON, default=dict)  # the tagger's description
    # Theme centres in term space, handed to the next run so themes keep their numbers.
    centres: Mapped[list | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # True once the per-input rows were removed to save space (see ANALYSIS_KEEP_RUNS).
    pruned: Mapped[bool] = mapped_column(Boolean, default=False)
    triggered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # Who started it at the time ("cli" from the command line).
    triggered_by: Mapped[str] = mapped_column(String(254), default="")

    themes: Mapped[list[AnalysisTheme]] = relationship(
        back_populates="run",
        order_by="AnalysisTheme.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    def __repr__(self) -> str:
        return f"<AnalysisRun {self.id} {self.kind} {self.status}>"


class InputSuggestion(Base):
    """A focus area the tagger proposes for an input, with its probability.

    Rows exist for the areas above the threshold (``suggested``) and for the others
    with a probability of at least ``MIN_STORED_PROBABILITY`` (shown as "possible").
    """

    __tablename__ = "analysis_suggestion"
    __table_args__ = (
        Index("ix_analysis_suggestion_run_area", "run_id", "focus_area_id", "suggested"),
        Index("ix_analysis_suggestion_input", "input_id"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_run.id", ondelete="CASCADE"), primary_key=True
    )
    input_id: Mapped[int] = mapped_column(
        ForeignKey("input.id", ondelete="CASCADE"), primary_key=True
    )
    focus_area_id: Mapped[int] = mapped_column(
        ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True
    )
    probability: Mapped[float] = mapped_column(Float)
    suggested: Mapped[bool] = mapped_column(Boolean, default=False)

    focus_area: Mapped[FocusArea] = relationship()


class InputAnalysis(Base):
    """Where a run put one input: theme, near-duplicate group, map position, certainty."""

    __tablename__ = "analysis_input"
    __table_args__ = (
        Index("ix_analysis_input_run_theme", "run_id", "theme"),
        Index("ix_analysis_input_run_uncertainty", "run_id", "uncertainty"),
        Index("ix_analysis_input_input", "input_id"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_run.id", ondelete="CASCADE"), primary_key=True
    )
    input_id: Mapped[int] = mapped_column(
        ForeignKey("input.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The first input of its near-duplicate group (its own id when unique).
    duplicate_group: Mapped[int] = mapped_column(Integer)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=1)
    x: Mapped[float] = mapped_column(Float, default=0.0)
    y: Mapped[float] = mapped_column(Float, default=0.0)
    # Distance of the most borderline area from its threshold (log-odds); small = unsure.
    uncertainty: Mapped[float | None] = mapped_column(Float, nullable=True)
    written_form: Mapped[str] = mapped_column(String(8), default="other")
    # Whether a reviewer had confirmed the input's focus areas when the run read it.
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)


class AnalysisTheme(Base):
    """A theme of one run, named by its distinctive words."""

    __tablename__ = "analysis_theme"
    __table_args__ = (UniqueConstraint("run_id", "number", name="uq_analysis_theme_run_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_run.id", ondelete="CASCADE"), index=True
    )
    # Stable between runs when the previous centre still fits.
    number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)  # largest first
    label_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)
    size_unique: Mapped[int] = mapped_column(Integer, default=0)  # near-duplicates once
    representative_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # {column: {value: count}} over focus areas, region, channel, category, written form
    spread: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"id": first input id, "count": n}] for groups of more than one input
    duplicate_groups: Mapped[list[dict]] = mapped_column(JSON, default=list)

    run: Mapped[AnalysisRun] = relationship(back_populates="themes")

    @property
    def label(self) -> str:
        return ", ".join(self.label_words)
