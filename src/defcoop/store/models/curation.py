"""Curation audit log, users and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from defcoop.store.models.base import USER_ROLES, Base, JsonType, code_column, in_check, utcnow


class AuditEntry(Base):
    """One change made by a person (or a named process): who, when, what, before/after, why."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = code_column(32)  # verify, correct, reject, add, merge, link, ...
    entity: Mapped[str] = code_column(64)  # event, participant, agreement_status, ...
    entity_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str | None] = code_column(64)
    before: Mapped[Any | None] = mapped_column(JsonType)
    after: Mapped[Any | None] = mapped_column(JsonType)
    reason: Mapped[str | None]

    __table_args__ = (Index(None, "entity", "entity_id", "at"), Index(None, "at"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[str] = code_column(16, default="viewer")
    password_hash: Mapped[str | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint(in_check("role", USER_ROLES), name="role"),)


class ApiToken(Base):
    """A hashed API token (the clear token is shown once, never stored)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None]
    prefix: Mapped[str] = code_column(16)  # first characters, to recognise a token in lists
    token_hash: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)
