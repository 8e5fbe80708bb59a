"""The organisation's own parts of the accessibility and privacy statements, and the
record of the accessibility test (axe-core) the accessibility statement shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from participation.models.base import Base, UTCDateTime, utcnow


class StatementText(Base):
    """One organisation-specific field of a statement in one language (data, edited in
    the back office; a language left empty falls back to Bokmål)."""

    __tablename__ = "statement_text"
    __table_args__ = (UniqueConstraint("statement", "key", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement: Mapped[str] = mapped_column(String(20))  # "accessibility" or "privacy"
    key: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5))
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccessibilityTest(Base):
    """One recorded run of the automated accessibility test (axe-core, WCAG 2.1 A/AA)
    over the public pages: which pages, when, and the violations found."""

    __tablename__ = "accessibility_test"

    id: Mapped[int] = mapped_column(primary_key=True)
    tested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tool: Mapped[str] = mapped_column(String(80))
    page_count: Mapped[int] = mapped_column(Integer)
    # [{"url": "/moter/", "locale": "se", "violations": [{"id", "impact", "help",
    #   "criteria": ["1.4.3"], "nodes": 2}]}]
    pages: Mapped[list[dict]] = mapped_column(JSON, default=list)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
