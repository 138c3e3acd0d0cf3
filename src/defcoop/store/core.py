"""The ``Store``: one object that owns the engine, the migrations and the sessions.

Higher layers (ingest, query, kb, web) call its methods or open a session and
use the query functions of the module that owns the tables.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from defcoop import records as r
from defcoop.errors import StoreError
from defcoop.store import documents, migrate, search
from defcoop.store.engine import (
    IMMEDIATE,
    SQLITE_BUSY_TIMEOUT_MS,
    create_store_engine,
    resolve_url,
)
from defcoop.store.views import (
    DocumentSummary,
    DocumentView,
    SearchHit,
    StoreCounts,
    WriteResult,
)

#: PostgreSQL advisory lock held by write sessions (the single-writer path of SQLite).
WRITE_LOCK_KEY = 0x0DEFC00C


class Store:
    """A migrated database (SQLite or PostgreSQL) and its session factories."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        writer = (
            engine.execution_options(**{IMMEDIATE: True}) if self.backend == "sqlite" else engine
        )
        self._write_sessions = sessionmaker(bind=writer, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True, **engine_kw: Any) -> Store:
        """Open ``url`` (default: ``$DEFCOOP_DB`` or ``sqlite:///defcoop.db``), migrating it."""
        resolved = resolve_url(url)
        engine = create_store_engine(resolved, **engine_kw)
        store = cls(engine)
        if migrate:
            try:
                store.migrate()
            except SQLAlchemyError as err:
                engine.dispose()
                where = resolved.render_as_string(hide_password=True)
                raise StoreError(
                    f"{where}: cannot open store: {err.__class__.__name__}: {err}"
                ) from err
        return store

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sessions -----------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        with self._sessions.begin() as s:
            yield s

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """Like ``session`` but takes the store's write lock up front: writers queue, one at
        a time, and never deadlock nor read a row another writer is changing. SQLite: BEGIN
        IMMEDIATE; PostgreSQL: a transaction-level advisory lock (both wait at most the
        busy timeout). Readers are never blocked."""
        with self._write_sessions.begin() as s:
            if self.backend == "postgresql":
                s.execute(text(f"SET LOCAL lock_timeout = {SQLITE_BUSY_TIMEOUT_MS}"))
                s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            yield s

    # -- documents ----------------------------------------------------------------------------
    def content_state(self, doc_key: str, content_hash: str) -> str | None:
        """current | duplicate | old_version | None -- see ``documents.content_state``."""
        with self.session() as s:
            return documents.content_state(s, doc_key, content_hash)

    def stored_contents(self) -> dict[str, tuple[str, bool]]:
        """content hash -> (doc key, is current) of every stored version."""
        with self.session() as s:
            return documents.stored_contents(s)

    def write_document(
        self, doc: r.Document, segments: Sequence[r.Segment], events: Sequence[r.Event]
    ) -> WriteResult:
        """Add ``doc`` as a new version (or nothing, if unchanged) in ONE transaction."""
        with self.write_session() as s:
            return documents.write_version(s, doc, segments, events)

    def kb_pending(self) -> list[str]:
        """Document versions written since the knowledge base was last resolved over them."""
        with self.session() as s:
            return documents.kb_pending(s)

    def clear_kb_pending(self, document_ids: Collection[str]) -> None:
        """Record that the knowledge base has been resolved over these versions."""
        with self.write_session() as s:
            documents.clear_kb_pending(s, document_ids)

    def list_documents(self, *, include_old: bool = False) -> list[DocumentSummary]:
        with self.session() as s:
            return documents.list_documents(s, include_old=include_old)

    def get_document(
        self, doc_key: str, *, version: int | None = None, kinds: Collection[str] | None = None
    ) -> DocumentView | None:
        with self.session() as s:
            return documents.get_document(s, doc_key, version=version, kinds=kinds)

    def counts(self) -> StoreCounts:
        with self.session() as s:
            return documents.counts(s)

    def search_segments(
        self,
        query: str,
        *,
        limit: int = 50,
        kinds: Collection[str] | None = None,
        current_only: bool = True,
    ) -> list[SearchHit]:
        """Segments containing every term of ``query`` (Japanese-aware, both backends)."""
        with self.session() as s:
            return search.search_segments(
                s, query, limit=limit, kinds=kinds, current_only=current_only
            )
