"""Closing the loop: the administration's assessment of each input, the project
group's publications (answers page, priorities results), and priorities answers.

An assessment belongs to one input (any channel). No row means "not assessed".
Priorities answers are anonymous: a date (no time of day), the writer's optional
region and category, and the focus areas chosen in order; nothing about the
writer's connection. A burst (several answers from one keyed client hash within
minutes) is decided at the door and kept only as the ``flagged`` mark.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.models.base import Base, UTCDateTime, link_table, utcnow
from participation.models.consultation import DraftSection
from participation.models.core import FocusArea


class Outcome(StrEnum):
    """The four outcomes of a høringsnotat."""

    ADOPTED = "adopted"  # tatt til følge
    PARTLY = "partly"  # delvis tatt til følge
    NOT_ADOPTED = "not_adopted"  # ikke tatt til følge
    NOTED = "noted"  # til orientering


class AssessmentState(StrEnum):
    NOT_ASSESSED = "not_assessed"  # no row
    DRAFTED = "drafted"
    APPROVED = "approved"


assessment_section = link_table(
    "assessment_section",
    ("input_id", "input_assessment.input_id"),
    ("section_id", "draft_section.id"),
)


class Assessment(Base):
    """The administration's comment and outcome for one input."""

    __tablename__ = "input_assessment"

    input_id: Mapped[int] = mapped_column(
        ForeignKey("input.id", ondelete="CASCADE"), primary_key=True
    )
    comment: Mapped[str] = mapped_column(Text, default="")  # Markdown, rendered sanitised
    outcome: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12), default=AssessmentState.DRAFTED, index=True)
    # Inputs answered together share a group code (a duplicate campaign, a theme …).
    group_code: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    drafted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    sections: Mapped[list[DraftSection]] = relationship(
        secondary=assessment_section, order_by=DraftSection.position
    )


class PublicationKind(StrEnum):
    ANSWERS = "answers"  # the "what came in and what we did" page and the receipt look-up
    PRIORITIES = "priorities"  # the priorities results


class Publication(Base):
    """Something the project group has published. One row per kind and process."""

    __tablename__ = "publication"
    __table_args__ = (UniqueConstraint("process_id", "kind", name="uq_publication_process_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # When the "your input has been answered" e-mails were queued (once only).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PriorityChannel(StrEnum):
    SUGGESTION_BOX = "suggestion_box"  # with a suggestion
    FORM = "form"  # the priorities form on its own
    WORKSHOP = "workshop"  # live at a meeting


class PriorityAnswer(Base):
    """One person's ordered choice of focus areas. Anonymous."""

    __tablename__ = "priority_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    created_on: Mapped[date] = mapped_column(Date, index=True)  # a date, never a time
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="SET NULL"), nullable=True, index=True
    )
    respondent_category: Mapped[str | None] = mapped_column(String(30), nullable=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Sent within a burst from one client: shown to the project group, not counted.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    choices: Mapped[list[PriorityChoice]] = relationship(
        order_by="PriorityChoice.rank", cascade="all, delete-orphan"
    )


class PriorityChoice(Base):
    __tablename__ = "priority_choice"
    __table_args__ = (
        UniqueConstraint("answer_id", "rank", name="uq_priority_choice_rank"),
        UniqueConstraint("answer_id", "focus_area_id", name="uq_priority_choice_area"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("priority_answer.id", ondelete="CASCADE"), index=True
    )
    focus_area_id: Mapped[int] = mapped_column(
        ForeignKey("focus_area.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)  # 1 = most important

    focus_area: Mapped[FocusArea] = relationship()
