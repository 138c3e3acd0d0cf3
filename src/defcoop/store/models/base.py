"""Declarative base, shared column types and the closed vocabularies of the schema.

Constraint names follow one convention so that Alembic migrations (batch mode on
SQLite) can find and alter them later without guessing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Integer, MetaData, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON on SQLite, JSONB on PostgreSQL (indexable, compact).
JsonType: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")

#: 64-bit integer key that is the rowid alias on SQLite (needed by the FTS5 index).
RowIdType: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")

#: Content ids from ``defcoop.records.content_id`` (16 hex chars, room for longer).
ID_LEN = 32

#: Curation state of every curatable record.
CURATION_STATES = ("automatic", "verified", "corrected", "rejected", "manual")
#: Status of one field or verification axis.
FIELD_STATES = ("automatic", "verified", "corrected", "unresolved")
#: Verification axes a reviewer checks on an event (PRODUCT.md section 6).
AXES = ("source", "date", "partners", "principal", "role", "counterpart")
USER_ROLES = ("viewer", "editor", "admin")
SIDES = ("jp", "partner")
MEMBERSHIP_STATUSES = ("member", "observer")
TENURE_BASES = ("source", "inferred", "curated")


def utcnow() -> datetime:
    return datetime.now(UTC)


def in_check(column: str, values: tuple[str, ...]) -> str:
    """SQL text of a CHECK that ``column`` holds one of ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        dict[str, Any]: JsonType,
        list[Any]: JsonType,
        datetime: DateTime(timezone=True),
        date: Date(),
        str: Text(),
    }


def id_column(**kw: Any) -> Any:
    """A content-id primary key column."""
    return mapped_column(String(ID_LEN), primary_key=True, **kw)


def code_column(length: int = 64, **kw: Any) -> Any:
    """A short code (kinds, states, partner codes): VARCHAR so PostgreSQL can index it cheaply."""
    return mapped_column(String(length), **kw)
