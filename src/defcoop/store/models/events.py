"""Events, their partners and participants, and the evidence that ties them to text.

An event row is the *knowledge* (one exchange), evidence rows are its *sources*
(one event, many spans in many documents). Curation state and per-field
provenance live on the row so that re-ingestion can tell machine values from
curated ones.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from defcoop.store.models.base import (
    CURATION_STATES,
    ID_LEN,
    SIDES,
    Base,
    RowIdType,
    code_column,
    id_column,
    in_check,
    utcnow,
)


class Event(Base):
    __tablename__ = "events"

    id: Mapped[str] = id_column()  # see defcoop.store.ids.event_ids
    # Document key whose extraction derived the id (null for manual events).
    doc_key: Mapped[str | None] = mapped_column(String(255), index=True)
    ordinal: Mapped[int] = mapped_column(default=0)  # among same-key events of doc_key
    line: Mapped[int | None]  # line of the primary evidence in the current version
    kind: Mapped[str] = code_column(32)
    date: Mapped[str | None] = code_column(10)  # ISO with the text's precision
    end: Mapped[str | None] = code_column(10)
    precision: Mapped[str] = code_column(16, default="unresolved")
    # Earliest / latest day the date can mean: makes range filters indexable.
    date_from: Mapped[dt.date | None]
    date_to: Mapped[dt.date | None]
    count: Mapped[int | None]
    modality: Mapped[str | None] = code_column(16)
    location: Mapped[str | None]
    occasion: Mapped[str | None]
    agreement_type: Mapped[str | None] = code_column(32)
    agreement_status: Mapped[str | None] = code_column(32)
    agreement_name: Mapped[str | None]
    jp_role: Mapped[str | None] = code_column(32)
    jp_name: Mapped[str | None]
    summary: Mapped[str | None]
    quote: Mapped[str] = mapped_column(default="")
    state: Mapped[str] = code_column(16, default="automatic")
    # Optimistic locking: every UPDATE checks and bumps it (stale edits are refused).
    version: Mapped[int] = mapped_column(default=1)
    merged_into_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    merge_reason: Mapped[str | None]
    # The source sentence is gone from every current document (kept because curated).
    orphaned: Mapped[bool] = mapped_column(default=False)
    # {field: {"rule": rule_id, "status": automatic|verified|corrected|unresolved}}
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {axis: automatic|verified|corrected|unresolved} for the axes in base.AXES
    axes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    partners: Mapped[list[EventPartner]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="EventPartner.partner_code",
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Participant.ordinal",
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Evidence.start",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(in_check("state", CURATION_STATES), name="state"),
        Index(None, "date_from", "date_to"),
        Index(None, "kind", "date_from"),
        Index(None, "date"),
        Index(None, "state"),
        Index(None, "agreement_type", "agreement_status"),
        Index(None, "jp_role"),
    )


class EventPartner(Base):
    """A foreign party of an event (ISO 3166 alpha-3 or an organization code)."""

    __tablename__ = "event_partners"

    event_id: Mapped[str] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    partner_code: Mapped[str] = code_column(32, primary_key=True)
    rule: Mapped[str | None]
    # Copy of the event's date_from, set by triggers (migration 0002), never by code: the
    # index (partner_code, date_from) lists a partner's events in date order.
    date_from: Mapped[dt.date | None]

    event: Mapped[Event] = relationship(back_populates="partners")

    __table_args__ = (
        Index(None, "partner_code", "event_id"),
        Index(None, "partner_code", "date_from"),
    )


class Participant(Base):
    """A named participant: Japanese principal or counterpart, with the role as written."""

    __tablename__ = "event_participants"

    id: Mapped[str] = id_column()  # content_id(event_id, ordinal)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(default=0)
    side: Mapped[str] = code_column(16)
    partner_code: Mapped[str | None] = code_column(32, index=True)
    person_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    role_code: Mapped[str | None] = code_column(32, index=True)
    title: Mapped[str | None]  # as written
    name: Mapped[str | None]
    former: Mapped[bool] = mapped_column(default=False)  # "(当時)" was written
    state: Mapped[str] = code_column(16, default="automatic")
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)

    event: Mapped[Event] = relationship(back_populates="participants")

    __table_args__ = (
        CheckConstraint(in_check("side", SIDES), name="side"),
        CheckConstraint(in_check("state", CURATION_STATES), name="state"),
    )


class Evidence(Base):
    """A span of a document version that tells (part of) an event."""

    __tablename__ = "evidence"

    id: Mapped[str] = id_column()  # content_id(event_id, document_id, start, end)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    segment_id: Mapped[int | None] = mapped_column(
        RowIdType, ForeignKey("segments.id", ondelete="SET NULL"), index=True
    )
    start: Mapped[int]
    end: Mapped[int]
    line: Mapped[int]
    page: Mapped[int | None]
    quote: Mapped[str] = mapped_column(default="")
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)  # field -> rule id
    # automatic (re-derived on ingest) or manual (added by a curator, always kept)
    origin: Mapped[str] = code_column(16, default="automatic")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="evidence")
