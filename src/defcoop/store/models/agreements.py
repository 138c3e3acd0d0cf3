"""Agreements per partner and type, with a dated, sourced status history."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from defcoop.store.models.base import (
    CURATION_STATES,
    ID_LEN,
    Base,
    code_column,
    id_column,
    in_check,
    utcnow,
)


class Agreement(Base):
    """One agreement: partner x type (RAA, ACSA, ISA, ETA, MOU, LOI, ...) x name."""

    __tablename__ = "agreements"

    id: Mapped[str] = id_column()  # content_id(partner_code, type, name or "")
    partner_code: Mapped[str] = code_column(32, index=True)
    type: Mapped[str] = code_column(32)
    name: Mapped[str] = mapped_column(default="")  # as written; "" when only the type is known
    name_en: Mapped[str | None]
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    statuses: Mapped[list[AgreementStatus]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AgreementStatus.date_from",
    )

    __table_args__ = (
        UniqueConstraint("partner_code", "type", "name"),
        Index(None, "type", "partner_code"),
    )


class AgreementStatus(Base):
    """The agreement reached ``status`` on ``date`` (from an event, a status statement, or a curator)."""

    __tablename__ = "agreement_statuses"

    id: Mapped[str] = id_column()
    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = code_column(32)  # substantially_agreed | signed | in_force | revised ...
    date: Mapped[str | None] = code_column(10)
    date_from: Mapped[dt.date | None]
    source_event_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    evidence_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("evidence.id", ondelete="SET NULL")
    )
    rule: Mapped[str | None]
    curated: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = code_column(16, default="automatic")
    note: Mapped[str | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="statuses")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(in_check("state", CURATION_STATES), name="state"),
        Index(None, "status", "date_from"),
    )
