"""Users, passwords and API tokens of the web application (the ``users``/``api_tokens`` tables).

* Passwords are hashed with argon2id (``argon2-cffi``); the clear password is never
  stored nor logged. ``authenticate`` takes about the same time whether or not the user
  exists (a dummy hash is verified), and rehashes when the parameters changed.
* API tokens are 256-bit random strings shown once (``dc_`` + 43 characters); the store
  keeps their SHA-256 (a token has full entropy, so a fast hash is enough and lets the
  token be found by its hash) and their first characters to recognise them in lists.
* Every change to users and tokens is written to the audit log (entity ``user`` or
  ``api_token``), never with a password or a token in it.

Roles: ``viewer`` reads, ``editor`` also curates, ``admin`` also manages users.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from defcoop.errors import DefcoopError
from defcoop.store import models as m
from defcoop.store.core import Store
from defcoop.store.models.base import USER_ROLES

__all__ = [
    "ROLES",
    "TOKEN_PREFIX",
    "TokenView",
    "UserError",
    "UserView",
    "add_user",
    "authenticate",
    "create_token",
    "get_user",
    "has_role",
    "hash_password",
    "list_tokens",
    "list_users",
    "password_fingerprint",
    "revoke_token",
    "set_active",
    "set_password",
    "set_role",
    "user_for_token",
]

ROLES = USER_ROLES  # viewer < editor < admin
_RANK = {r: i for i, r in enumerate(ROLES)}
TOKEN_PREFIX = "dc_"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes anything, but a megabyte password is an attack
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
#: Do not write ``last_used_at`` more often than this (a write per API call is wasteful).
_TOUCH_EVERY = timedelta(minutes=1)


class UserError(DefcoopError):
    """A user or token operation that cannot be done (unknown user, bad role, weak password)."""


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    name: str
    role: str
    active: bool
    has_password: bool
    created_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat() if self.created_at else None
        return d


@dataclass(frozen=True, slots=True)
class TokenView:
    id: int
    user: str
    name: str | None
    prefix: str
    created_at: datetime | None
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked: bool

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("created_at", "last_used_at", "expires_at"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


def has_role(role: str | None, needed: str) -> bool:
    """True when ``role`` is ``needed`` or above (viewer < editor < admin)."""
    return role is not None and _RANK.get(role, -1) >= _RANK[needed]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were written in UTC."""
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    return t


def _view(u: m.User) -> UserView:
    return UserView(u.id, u.name, u.role, bool(u.active), bool(u.password_hash), u.created_at)


def _check_role(role: str) -> str:
    r = role.strip().lower()
    if r not in ROLES:
        raise UserError(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
    return r


def _check_name(name: str) -> str:
    n = name.strip()
    if not n or len(n) > 64 or any(c.isspace() or not c.isprintable() for c in n):
        raise UserError(f"bad user name {name!r}: 1-64 printable characters, no spaces")
    return n


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (UserError when it is too short or too long)."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"password too long: at most {MAX_PASSWORD} characters")
    return _hasher.hash(password)


def _audit(s: Session, actor: str, action: str, entity: str, eid: str, field: str | None,
           before: Any, after: Any) -> None:  # fmt: skip
    s.add(
        m.AuditEntry(
            at=_now(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=eid,
            field=field,
            before=before,
            after=after,
        )
    )


def _load(s: Session, name: str) -> m.User:
    u = s.scalar(select(m.User).where(m.User.name == name.strip()))
    if u is None:
        raise UserError(f"no user {name!r}")
    return u


# --------------------------------------------------------------------------- users


def add_user(
    store: Store,
    name: str,
    role: str = "viewer",
    password: str | None = None,
    *,
    actor: str = "cli",
) -> UserView:
    """Create a user (UserError if the name is taken). Without a password the user can
    only use API tokens."""
    n, r = _check_name(name), _check_role(role)
    pw_hash = hash_password(password) if password is not None else None
    try:
        with store.write_session() as s:
            if s.scalar(select(m.User.id).where(m.User.name == n)) is not None:
                raise UserError(f"user {n!r} exists already")
            u = m.User(name=n, role=r, password_hash=pw_hash, active=True, created_at=_now())
            s.add(u)
            s.flush()
            _audit(s, actor, "add", "user", str(u.id), None, None, {"name": n, "role": r})
            return _view(u)
    except IntegrityError as err:  # a concurrent add of the same name
        raise UserError(f"user {n!r} exists already") from err


def get_user(
    store: Store, name: str | None = None, *, user_id: int | None = None
) -> UserView | None:
    with store.session() as s:
        if user_id is not None:
            u = s.get(m.User, user_id)
        else:
            u = s.scalar(select(m.User).where(m.User.name == (name or "").strip()))
        return _view(u) if u is not None else None


def list_users(store: Store) -> list[UserView]:
    with store.session() as s:
        return [_view(u) for u in s.scalars(select(m.User).order_by(m.User.name))]


def set_role(store: Store, name: str, role: str, *, actor: str = "cli") -> UserView:
    r = _check_role(role)
    with store.write_session() as s:
        u = _load(s, name)
        if u.role != r:
            _audit(s, actor, "correct", "user", str(u.id), "role", u.role, r)
            u.role = r
        s.flush()
        return _view(u)


def set_active(store: Store, name: str, active: bool, *, actor: str = "cli") -> UserView:
    with store.write_session() as s:
        u = _load(s, name)
        if bool(u.active) != active:
            _audit(s, actor, "correct", "user", str(u.id), "active", bool(u.active), active)
            u.active = active
        s.flush()
        return _view(u)


def set_password(store: Store, name: str, password: str, *, actor: str = "cli") -> UserView:
    """Set a new password (every session of the user ends: see ``password_fingerprint``)."""
    pw_hash = hash_password(password)
    with store.write_session() as s:
        u = _load(s, name)
        u.password_hash = pw_hash
        _audit(s, actor, "correct", "user", str(u.id), "password", None, "changed")
        s.flush()
        return _view(u)


def authenticate(store: Store, name: str, password: str) -> UserView | None:
    """The active user ``name`` if ``password`` is right, else None (same cost either way)."""
    if len(password) > MAX_PASSWORD:
        return None
    with store.session() as s:
        u = s.scalar(select(m.User).where(m.User.name == name.strip()))
        stored = u.password_hash if u is not None and u.active else None
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if u is None or stored is None:
            return None
        view = _view(u)
    if _hasher.check_needs_rehash(stored):
        with store.write_session() as s:
            row = s.get(m.User, view.id)
            if row is not None and row.password_hash == stored:
                row.password_hash = _hasher.hash(password)
    return view


def password_fingerprint(store: Store, user_id: int) -> tuple[UserView, str] | None:
    """The active user and a short digest of its password hash (sessions carry it, so a
    password change or a deactivation ends them); None if no such active user."""
    with store.session() as s:
        u = s.get(m.User, user_id)
        if u is None or not u.active:
            return None
        digest = hashlib.sha256((u.password_hash or "").encode()).hexdigest()[:16]
        return _view(u), digest


# --------------------------------------------------------------------------- tokens


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_view(t: m.ApiToken, user: str) -> TokenView:
    return TokenView(
        t.id, user, t.name, t.prefix, _aware(t.created_at), _aware(t.last_used_at),
        _aware(t.expires_at), bool(t.revoked),
    )  # fmt: skip


def create_token(
    store: Store,
    name: str,
    *,
    label: str | None = None,
    days: int | None = None,
    actor: str = "cli",
) -> tuple[str, TokenView]:
    """A new API token for user ``name``: ``(clear token, view)``. The clear token is
    returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = _now() + timedelta(days=days) if days else None
    with store.write_session() as s:
        u = _load(s, name)
        row = m.ApiToken(
            user_id=u.id,
            name=label,
            prefix=token[:10],
            token_hash=_token_hash(token),
            created_at=_now(),
            expires_at=expires,
        )
        s.add(row)
        s.flush()
        _audit(s, actor, "add", "api_token", str(row.id), None, None,
               {"user": u.name, "prefix": row.prefix, "label": label})  # fmt: skip
        return token, _token_view(row, u.name)


def list_tokens(store: Store, name: str | None = None) -> list[TokenView]:
    with store.session() as s:
        stmt = select(m.ApiToken, m.User.name).join(m.User, m.User.id == m.ApiToken.user_id)
        if name:
            stmt = stmt.where(m.User.name == name.strip())
        return [_token_view(t, n) for t, n in s.execute(stmt.order_by(m.ApiToken.id))]


def revoke_token(store: Store, token_id: int, *, actor: str = "cli") -> TokenView:
    with store.write_session() as s:
        t = s.get(m.ApiToken, token_id)
        if t is None:
            raise UserError(f"no API token {token_id}")
        user = s.get(m.User, t.user_id)
        if not t.revoked:
            t.revoked = True
            _audit(s, actor, "reject", "api_token", str(t.id), "revoked", False, True)
        s.flush()
        return _token_view(t, user.name if user else "?")


def user_for_token(store: Store, token: str) -> UserView | None:
    """The active user a valid (not revoked, not expired) token belongs to, else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    digest = _token_hash(token)
    now = _now()
    with store.session() as s:
        row = s.execute(
            select(m.ApiToken, m.User)
            .join(m.User, m.User.id == m.ApiToken.user_id)
            .where(m.ApiToken.token_hash == digest)
        ).first()
        if row is None:
            return None
        t, u = row
        if not hmac.compare_digest(t.token_hash, digest) or t.revoked or not u.active:
            return None
        expires = _aware(t.expires_at)
        if expires is not None and expires <= now:
            return None
        last = _aware(t.last_used_at)
        touch = last is None or now - last > _TOUCH_EVERY
        view, tid = _view(u), t.id
    if touch:
        with store.write_session() as s:
            row2 = s.get(m.ApiToken, tid)
            if row2 is not None:
                row2.last_used_at = now
    return view
