"""Frameworks (JASMINE, Vientiane Vision 2.0, the Joint Vision, FOIP) and event links.

Framework -> pillars -> lines of effort -> initiatives (an initiative may sit under
several pillars), principles, relations between frameworks, commitments with
amounts, and the links that tie events (achievements) to pillars/initiatives.
Every imported item can cite its source span.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from defcoop.store.models.base import (
    CURATION_STATES,
    ID_LEN,
    Base,
    code_column,
    id_column,
    in_check,
    utcnow,
)


class SourceSpan:
    """Columns citing where an item was read: a document version span, or a note
    naming the source lines when the item comes from a curated data file."""

    @declared_attr
    def source_document_id(cls) -> Mapped[str | None]:
        return mapped_column(String(ID_LEN), ForeignKey("documents.id", ondelete="SET NULL"))

    source_start: Mapped[int | None] = mapped_column(nullable=True)
    source_end: Mapped[int | None] = mapped_column(nullable=True)
    source_line: Mapped[int | None] = mapped_column(nullable=True)
    source_note: Mapped[str | None] = mapped_column(nullable=True)


class Framework(SourceSpan, Base):
    __tablename__ = "frameworks"

    id: Mapped[str] = code_column(64, primary_key=True)  # JASMINE, VV2, JAVS, FOIP ...
    name_ja: Mapped[str | None]
    name_en: Mapped[str | None]
    adopted: Mapped[str | None] = code_column(10)
    occasion: Mapped[str | None]
    description: Mapped[str | None]
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    pillars: Mapped[list[Pillar]] = relationship(
        back_populates="framework",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Pillar.number",
    )


class Pillar(SourceSpan, Base):
    __tablename__ = "pillars"

    id: Mapped[str] = id_column()
    framework_id: Mapped[str] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title_ja: Mapped[str | None]
    title_en: Mapped[str | None]
    areas: Mapped[list[Any]] = mapped_column(default=list)  # cooperation areas (Joint Vision)

    framework: Mapped[Framework] = relationship(back_populates="pillars")

    __table_args__ = (UniqueConstraint("framework_id", "number"),)


class LineOfEffort(SourceSpan, Base):
    __tablename__ = "lines_of_effort"

    id: Mapped[str] = id_column()
    pillar_id: Mapped[str] = mapped_column(ForeignKey("pillars.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(default=0)
    title_ja: Mapped[str | None]
    title_en: Mapped[str | None]


class Initiative(SourceSpan, Base):
    __tablename__ = "initiatives"

    id: Mapped[str] = id_column()
    framework_id: Mapped[str] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    line_of_effort_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("lines_of_effort.id", ondelete="SET NULL")
    )
    ordinal: Mapped[int] = mapped_column(default=0)
    name_ja: Mapped[str | None]
    name_en: Mapped[str | None]
    new: Mapped[bool] = mapped_column(default=False)  # 【新】
    cues: Mapped[list[Any]] = mapped_column(default=list)
    # Curator override of the derived implementation status, with a note.
    status_override: Mapped[str | None] = code_column(32)
    status_note: Mapped[str | None]


class InitiativePillar(Base):
    __tablename__ = "initiative_pillars"

    initiative_id: Mapped[str] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    pillar_id: Mapped[str] = mapped_column(
        ForeignKey("pillars.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Principle(SourceSpan, Base):
    __tablename__ = "principles"

    id: Mapped[str] = id_column()
    framework_id: Mapped[str] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(default=0)
    text_ja: Mapped[str | None]
    text_en: Mapped[str | None]


class FrameworkRelation(SourceSpan, Base):
    """``source`` relates to ``target`` (follows_spirit_of, serves, implements, ...)."""

    __tablename__ = "framework_relations"

    id: Mapped[str] = id_column()
    source_framework_id: Mapped[str] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    target_framework_id: Mapped[str] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = code_column(64)
    note: Mapped[str | None]


class Commitment(SourceSpan, Base):
    """An amount with currency/unit and period (400億円; 350億ドル over 5 years; 5,000 people)."""

    __tablename__ = "commitments"

    id: Mapped[str] = id_column()
    framework_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    pillar_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("pillars.id", ondelete="SET NULL")
    )
    description: Mapped[str | None]
    amount: Mapped[Decimal | None] = mapped_column(Numeric(24, 4))
    currency: Mapped[str | None] = code_column(8)  # ISO 4217 (JPY, USD) for money
    unit: Mapped[str | None] = code_column(32)  # people, projects ... for counts
    qualifier: Mapped[str | None] = code_column(32)  # more_than, about, total ...
    period: Mapped[str | None] = code_column(32)  # ISO 8601 duration (P5Y) or text
    date: Mapped[str | None] = code_column(10)
    amount_text: Mapped[str | None]  # as written


class EventFrameworkLink(Base):
    """An event counted as an achievement of a framework / pillar / initiative, and why."""

    __tablename__ = "event_framework_links"

    id: Mapped[str] = id_column()  # content_id(event, framework, pillar, initiative)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    framework_id: Mapped[str] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    pillar_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("pillars.id", ondelete="CASCADE"), index=True
    )
    initiative_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str | None]
    reason: Mapped[str | None]
    state: Mapped[str] = code_column(16, default="automatic")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (CheckConstraint(in_check("state", CURATION_STATES), name="state"),)
