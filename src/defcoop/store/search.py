"""Full-text search over segment text that works for Japanese on both backends.

Japanese has no spaces, so word tokenizers miss most queries. SQLite uses an
FTS5 table with the ``trigram`` tokenizer; PostgreSQL a ``pg_trgm`` GIN index
that serves ``ILIKE``. Terms shorter than three characters cannot use a trigram
index and fall back to ``LIKE`` on both. Whitespace-separated terms are ANDed.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from sqlalchemy import Select, false, literal_column, select, text
from sqlalchemy.orm import Session

from defcoop.store import models as m
from defcoop.store.views import SearchHit

MIN_TRIGRAM = 3

if TYPE_CHECKING:  # SQLAlchemy 2.1 spelling; not evaluated at run time
    _HitSelect: TypeAlias = Select[m.Segment, str, int]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _filter(stmt: _HitSelect, dialect: str, terms: list[str]) -> _HitSelect:
    if any("\x00" in t for t in terms):
        # No stored text holds NUL (readers refuse it, PostgreSQL cannot store it), and
        # FTS5 would read the query only up to it ("unterminated string"): no match.
        return stmt.where(false())
    long_terms = [t for t in terms if len(t) >= MIN_TRIGRAM]
    like_terms = terms
    if dialect == "sqlite" and long_terms:
        match = " AND ".join(_fts5_phrase(t) for t in long_terms)
        stmt = stmt.where(
            text(
                "segments.id IN (SELECT rowid FROM segments_fts WHERE segments_fts MATCH :fts)"
            ).bindparams(fts=match)
        )
        like_terms = [t for t in terms if len(t) < MIN_TRIGRAM]
    for term in like_terms:
        stmt = stmt.where(m.Segment.text.ilike(_like_pattern(term), escape="\\"))
    return stmt


def segment_ids(dialect: str, terms: list[str]) -> Any:
    """A SELECT of the ids of segments holding every term. On SQLite, when every term can
    use the trigram index, the FTS5 rowids themselves (no pass through ``segments``)."""
    if (
        dialect == "sqlite"
        and terms
        and all(len(t) >= MIN_TRIGRAM and "\x00" not in t for t in terms)
    ):
        match = " AND ".join(_fts5_phrase(t) for t in terms)
        return (
            select(literal_column("rowid"))
            .select_from(text("segments_fts"))
            .where(text("segments_fts MATCH :fts").bindparams(fts=match))
        )
    return _filter(cast(Any, select(m.Segment.id)), dialect, terms)


def search_segments(
    session: Session,
    query: str,
    *,
    limit: int = 50,
    kinds: Collection[str] | None = None,
    current_only: bool = True,
) -> list[SearchHit]:
    """Segments whose text contains every whitespace-separated term of ``query``."""
    terms = [t for t in query.split() if t]
    if not terms:
        return []
    stmt = select(m.Segment, m.Document.doc_key, m.Document.version).join(
        m.Document, m.Document.id == m.Segment.document_id
    )
    stmt = _filter(stmt, session.get_bind().dialect.name, terms)
    if current_only:
        stmt = stmt.where(m.Document.is_current.is_(True))
    if kinds:
        stmt = stmt.where(m.Segment.kind.in_(list(kinds)))
    stmt = stmt.order_by(m.Document.doc_key, m.Document.version, m.Segment.index).limit(limit)
    return [
        SearchHit(
            doc_key=key,
            version=version,
            segment_id=seg.id,
            index=seg.index,
            kind=seg.kind,
            section_path=list(seg.section_path or []),
            line=seg.line,
            start=seg.start,
            end=seg.end,
            text=seg.text,
        )
        for seg, key, version in session.execute(stmt).all()
    ]
