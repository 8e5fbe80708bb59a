"""The consultation (høring) on a draft strategy: the draft, its sections,
responses and their PDF attachments.

A response's text lives in its ``Input`` row (channel ``consultation_response``),
so the analysis and the back office see it with every other input; this table
keeps who sent it, what it concerns and whether it may be, and is, published.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from participation.models.inputs import Input
    from participation.models.processes import Process


class ConsultationState(StrEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


class DraftStrategy(Base):
    __tablename__ = "draft_strategy"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    introduction: Mapped[str] = mapped_column(Text, default="")  # Markdown
    # The consultation period, stored in UTC and shown in Europe/Oslo.
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    process: Mapped[Process] = relationship()
    sections: Mapped[list[DraftSection]] = relationship(
        back_populates="draft",
        order_by="DraftSection.position",
        cascade="all, delete-orphan",
    )

    def state(self, now: datetime) -> ConsultationState:
        if now < self.opens_at:
            return ConsultationState.NOT_OPEN
        if now >= self.closes_at:
            return ConsultationState.CLOSED
        return ConsultationState.OPEN

    def is_open(self, now: datetime) -> bool:
        return self.state(now) == ConsultationState.OPEN

    def __repr__(self) -> str:
        return f"<DraftStrategy {self.slug}>"


class DraftSection(Base):
    """A numbered section: goal area ("1"), sub-goal ("1.1"), strategy ("1.1.2") …"""

    __tablename__ = "draft_section"
    __table_args__ = (
        UniqueConstraint("draft_id", "anchor", name="uq_draft_section_draft_anchor"),
        UniqueConstraint("draft_id", "number", name="uq_draft_section_draft_number"),
        Index("ix_draft_section_draft_position", "draft_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_strategy.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft_section.id", ondelete="CASCADE"), nullable=True, index=True
    )
    number: Mapped[str] = mapped_column(String(20))  # "1", "1.2", "1.2.3"
    level: Mapped[int] = mapped_column(Integer)  # 1 for a top-level section
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    anchor: Mapped[str] = mapped_column(String(40))  # "s-1-2", stable across imports
    position: Mapped[int] = mapped_column(Integer)  # document order

    draft: Mapped[DraftStrategy] = relationship(back_populates="sections")
    parent: Mapped[DraftSection | None] = relationship(remote_side=[id])

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}"

    def __repr__(self) -> str:
        return f"<DraftSection {self.number}>"


class Stance(StrEnum):
    SUPPORT = "support"
    PARTLY = "partly"
    OPPOSE = "oppose"
    NONE = "none"


class ConsultationResponse(Base):
    __tablename__ = "consultation_response"
    __table_args__ = (
        Index("ix_consultation_response_published", "draft_id", "section_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_strategy.id"))
    # Null: the response concerns the whole draft.
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft_section.id"), nullable=True, index=True
    )
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    stance: Mapped[str] = mapped_column(String(10), default=Stance.NONE)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    org_number: Mapped[str | None] = mapped_column(String(9), nullable=True)
    category: Mapped[str] = mapped_column(String(30), index=True)  # RespondentCategory
    may_publish: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by approve_for_publication (project group): the text shown publicly,
    # with personal data removed, and when and by whom it was approved.
    published_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # Set by the Noark 5 archive export (participation/archive): when the response
    # was first journalled and its journalpost's registreringsID ("2026/3-1").
    # An archived response is kept whatever deletion is asked for: the archive
    # duty overrides it.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    journalpost_id: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)

    draft: Mapped[DraftStrategy] = relationship()
    section: Mapped[DraftSection | None] = relationship()
    input: Mapped[Input] = relationship(back_populates="consultation_response", uselist=False)
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="response", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        """On the public pages: approved with its text, and its input published (the
        inbox can hide it again). ``consultation.service.published_clause`` is the same
        rule in SQL."""
        return (
            self.published_at is not None
            and self.input is not None
            and self.input.status == "published"
        )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def text(self) -> str:
        return self.input.text if self.input is not None else ""

    def __repr__(self) -> str:
        return f"<ConsultationResponse {self.reference}>"


class Attachment(Base):
    """A PDF sent with a response, stored under UPLOAD_DIR with a random name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_response.id", ondelete="CASCADE"), index=True
    )
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    # Served to the public only when this and the response are published.
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[ConsultationResponse] = relationship(back_populates="attachments")
