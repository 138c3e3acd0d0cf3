"""Store URL resolution and engine set-up for SQLite and PostgreSQL.

SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout,
and real ``BEGIN`` statements so that a failed document write -- DDL included --
rolls back completely. Write sessions use ``BEGIN IMMEDIATE`` so that two
writers queue on the busy timeout instead of failing on a lock upgrade.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from defcoop.errors import StoreError

DEFAULT_URL = "sqlite:///defcoop.db"
ENV_VAR = "DEFCOOP_DB"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KB = 65_536
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
#: Execution option that makes a SQLite transaction start with BEGIN IMMEDIATE.
IMMEDIATE = "defcoop_sqlite_immediate"


def resolve_url(url: str | None = None) -> URL:
    """The SQLAlchemy URL for ``url``, ``$DEFCOOP_DB`` or the default SQLite file."""
    raw = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    try:
        parsed = make_url(raw)
    except ArgumentError as err:
        raise StoreError(f"{ENV_VAR}: not a database URL: {raw!r}") from err
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if parsed.drivername not in ("sqlite", "sqlite+pysqlite"):
            raise StoreError(f"{ENV_VAR}: unsupported SQLite driver {parsed.drivername!r}")
        return parsed
    raise StoreError(
        f"{ENV_VAR}: unsupported database {backend!r} (use sqlite:///path.db or postgresql://...)"
    )


def _sqlite_from_hint(self: SQLiteCompiler, table: Any, text: str | None) -> str | None:
    return text


# SQLAlchemy renders ``Select.with_hint(table, text, "sqlite")`` only for dialects that
# implement this hook (MySQL and MSSQL do); SQLite's ``INDEXED BY`` is a hint of that
# form. Statements without a SQLite hint are unaffected.
SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign,assignment]


def create_store_engine(url: URL, **kw: Any) -> Engine:
    """An engine for ``url`` with the per-backend settings described above."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kw)
    kw.setdefault("pool_pre_ping", True)
    return create_engine(url, **kw)


def _sqlite_engine(url: URL, **kw: Any) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if memory:
        kw.setdefault("poolclass", StaticPool)
        kw.setdefault("connect_args", {"check_same_thread": False})
    else:
        kw.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    engine = create_engine(url, **kw)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not memory:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            # Index walks over a large store: a 64 MB page cache per connection (the default
            # is 2 MB) and reads through a memory map instead of read() calls.
            cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
            cur.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
