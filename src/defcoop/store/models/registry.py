"""Partners with dated group memberships, persons and the roles they held when.

Filled by the knowledge-base layer; dates are ISO strings with the precision the
source gives plus ``*_from``/``*_to`` day bounds for indexable "as of" queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from defcoop.store.models.base import (
    CURATION_STATES,
    ID_LEN,
    MEMBERSHIP_STATUSES,
    TENURE_BASES,
    Base,
    code_column,
    id_column,
    in_check,
    utcnow,
)


class Partner(Base):
    """A country (ISO 3166 alpha-3) or organization/group (ASEAN, NATO, PIC...)."""

    __tablename__ = "partners"

    code: Mapped[str] = code_column(32, primary_key=True)
    kind: Mapped[str] = code_column(16, default="country")  # country | org | group
    name_en: Mapped[str | None]
    name_ja: Mapped[str | None]
    aliases: Mapped[list[Any]] = mapped_column(default=list)  # Japanese/English variants
    region: Mapped[str | None] = code_column(64, index=True)
    iso_numeric: Mapped[str | None] = code_column(3)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)


class GroupMembership(Base):
    """``member_code`` belongs to ``group_code`` (as member or observer) between two dates."""

    __tablename__ = "group_memberships"

    id: Mapped[str] = id_column()
    group_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("partners.code", ondelete="CASCADE")
    )
    member_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("partners.code", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = code_column(16, default="member")
    start: Mapped[date | None]
    end: Mapped[date | None]  # exclusive end: the day the status stopped
    source: Mapped[str | None]  # citation or data-file reference

    __table_args__ = (
        CheckConstraint(in_check("status", MEMBERSHIP_STATUSES), name="status"),
        Index(None, "group_code", "start", "end"),
    )


class Person(Base):
    """A person named in the sources (name as written; variants merged into one row)."""

    __tablename__ = "persons"

    id: Mapped[str] = id_column()
    name: Mapped[str]
    name_reading: Mapped[str | None]
    name_en: Mapped[str | None]
    country: Mapped[str | None] = code_column(32, index=True)
    variants: Mapped[list[Any]] = mapped_column(default=list)
    state: Mapped[str] = code_column(16, default="automatic")
    merged_into_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("persons.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(in_check("state", CURATION_STATES), name="state"),
        Index(None, "name"),
    )


class RoleTenure(Base):
    """``person`` held ``role`` (code such as MOD_MIN, or title as written) over a period."""

    __tablename__ = "role_tenures"

    id: Mapped[str] = id_column()
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = code_column(128)
    country: Mapped[str | None] = code_column(32)
    start: Mapped[str | None] = code_column(10)  # ISO, precision as known
    end: Mapped[str | None] = code_column(10)
    start_from: Mapped[date | None]
    end_to: Mapped[date | None]
    basis: Mapped[str] = code_column(16, default="inferred")  # source | inferred | curated
    evidence_id: Mapped[str | None] = mapped_column(
        String(ID_LEN), ForeignKey("evidence.id", ondelete="SET NULL")
    )
    note: Mapped[str | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint(in_check("basis", TENURE_BASES), name="basis"),
        Index(None, "role", "country", "start_from", "end_to"),
    )
