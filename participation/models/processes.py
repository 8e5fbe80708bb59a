"""Participation processes (medvirkningsprosesser) and their phases.

A process owns its meetings, drafts, inputs and analysis runs (their
``process_id``); it chooses its focus areas and regions from the organisation's
shared ones. Its texts are data in each language, shown with a fallback to Bokmål.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.models.base import Base, UTCDateTime, language_columns, utcnow
from participation.models.core import FocusArea, Region

# The languages a process's texts are entered in; Bokmål is required and the fallback.
TEXT_LANGUAGES = ("nb", "nn", "en", "se")


class ProcessStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


process_focus_area = Table(
    "process_focus_area",
    Base.metadata,
    Column("process_id", ForeignKey("process.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "focus_area_id",
        ForeignKey("focus_area.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

process_region = Table(
    "process_region",
    Base.metadata,
    Column("process_id", ForeignKey("process.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("region.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# An account limited to some processes; an account with no rows here sees all.
user_process = Table(
    "user_process",
    Base.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "process_id", ForeignKey("process.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


# Its texts in each of TEXT_LANGUAGES. The introduction is Markdown, rendered with the
# draft's sanitiser; the question is the suggestion box's own.
_ProcessTexts = language_columns(
    {"title": String(200), "summary": Text(), "introduction": Text(), "question": Text()},
    required=("title",),
    languages=TEXT_LANGUAGES,
)


class Process(_ProcessTexts, Base):
    __tablename__ = "process"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=ProcessStatus.DRAFT, index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # The suggestion box's period (open when both are unset).
    suggestions_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suggestions_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    phases: Mapped[list[ProcessPhase]] = relationship(
        back_populates="process",
        order_by="ProcessPhase.position",
        cascade="all, delete-orphan",
    )
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=process_focus_area, order_by=FocusArea.position
    )
    regions: Mapped[list[Region]] = relationship(
        secondary=process_region, order_by=(Region.position, Region.name)
    )

    @property
    def is_active(self) -> bool:
        return self.status == ProcessStatus.ACTIVE

    @property
    def is_archived(self) -> bool:
        return self.status == ProcessStatus.ARCHIVED

    def suggestions_open(self, now: datetime) -> bool:
        if self.status != ProcessStatus.ACTIVE:
            return False
        if self.suggestions_open_at is not None and now < self.suggestions_open_at:
            return False
        return not (self.suggestions_close_at is not None and now >= self.suggestions_close_at)

    def current_phase(self, today: date) -> ProcessPhase | None:
        """The phase whose dates hold ``today``, else None."""
        for phase in self.phases:
            if phase.starts_on <= today <= phase.ends_on:
                return phase
        return None

    def __repr__(self) -> str:
        return f"<Process {self.slug}>"


_PhaseTexts = language_columns(
    {"name": String(200), "description": Text()}, required=("name",), languages=TEXT_LANGUAGES
)


class ProcessPhase(_PhaseTexts, Base):
    """A step of the process's published timeline, with its dates (inclusive)."""

    __tablename__ = "process_phase"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("process.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    process: Mapped[Process] = relationship(back_populates="phases")

    def is_current(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on

    def is_past(self, today: date) -> bool:
        return self.ends_on < today
