"""Queries over documents and segments: write a version, list, show, count."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any, cast

from sqlalchemy import Table, distinct, func, insert, select, update
from sqlalchemy.orm import Session

from defcoop import records as r
from defcoop.errors import StoreError
from defcoop.store import ids
from defcoop.store import models as m
from defcoop.store.events import EventWriter, SegmentLocator
from defcoop.store.views import (
    DocumentSummary,
    DocumentView,
    SegmentView,
    StoreCounts,
    WriteResult,
)

#: Columns of a document listing (never the full text).
_SUMMARY_COLS = (
    m.Document.id,
    m.Document.doc_key,
    m.Document.version,
    m.Document.title,
    m.Document.media_type,
    m.Document.encoding,
    m.Document.language,
    m.Document.published,
    m.Document.source_path,
    m.Document.content_hash,
    m.Document.char_count,
    m.Document.ingested_at,
    m.Document.is_current,
)


#: ``documents.meta`` key set on a version when it is written and cleared once the
#: knowledge base has been resolved over it: a run killed between the two is completed
#: by the next ingest (``Store.kb_pending``), even though its files are then unchanged.
KB_PENDING = "kb_pending"


def content_hash_of(doc: r.Document) -> str:
    """The reader's raw-bytes hash, or a hash of the decoded text when it gave none."""
    return doc.content_hash or "text:" + hashlib.sha256(doc.text.encode("utf-8")).hexdigest()


def content_state(session: Session, doc_key: str, content_hash: str) -> str | None:
    """How ``content_hash`` is stored: current (for this key), duplicate (under another
    key), old_version (a non-current version of this key) or None (not stored)."""
    row = session.execute(
        select(m.Document.doc_key, m.Document.is_current).where(
            m.Document.content_hash == content_hash
        )
    ).first()
    if row is None:
        return None
    if row.doc_key != doc_key:
        return "duplicate"
    return "current" if row.is_current else "old_version"


def stored_contents(session: Session) -> dict[str, tuple[str, bool]]:
    """content hash -> (doc key, is current) for every stored version: a snapshot that
    extraction workers use to skip files whose re-ingest would be a no-op."""
    rows = session.execute(
        select(m.Document.content_hash, m.Document.doc_key, m.Document.is_current)
    ).all()
    return {h: (k, bool(c)) for h, k, c in rows}


def write_version(
    session: Session,
    doc: r.Document,
    segments: Sequence[r.Segment],
    events: Sequence[r.Event],
) -> WriteResult:
    """Store ``doc`` as the current version of its key, with segments and events.

    Runs inside the caller's transaction; any error leaves nothing behind once the
    caller rolls back.
    """
    key = doc.doc_id
    digest = content_hash_of(doc)
    existing = session.scalar(select(m.Document).where(m.Document.content_hash == digest))
    if existing is not None and (existing.doc_key != key or existing.is_current):
        note = "" if existing.doc_key == key else f"same content as {existing.doc_key}"
        return WriteResult("unchanged", key, existing.version, existing.id, note=note)

    previous = session.scalar(
        select(m.Document).where(m.Document.doc_key == key, m.Document.is_current.is_(True))
    )
    if previous is not None:
        previous.is_current = False
        session.flush()  # one current version per key (a partial unique index checks it)

    if existing is not None:
        # The file went back to an earlier version: make that version current again.
        row = existing
        row.is_current = True
        row.meta = {**(row.meta or {}), KB_PENDING: True}
        note = f"reverted to version {row.version}"
    else:
        last = session.scalar(select(func.max(m.Document.version)).where(m.Document.doc_key == key))
        row = _document_row(doc, digest, (last or 0) + 1)
        session.add(row)
        session.flush()
        # In id (rowid) order: SQLite's FTS5 index flushes its pending terms whenever a
        # rowid comes in lower than the last one, and segment ids are hashes.
        new_segments = sorted(_segment_rows(row.id, doc, segments), key=lambda x: x["id"])
        if new_segments:
            session.execute(insert(cast(Table, m.Segment.__table__)), new_segments)
        note = ""
    session.flush()

    seg_rows = session.execute(
        select(m.Segment.id, m.Segment.index, m.Segment.start, m.Segment.end, m.Segment.kind).where(
            m.Segment.document_id == row.id
        )
    ).all()
    locator = SegmentLocator.build([(sid, i, s, e) for sid, i, s, e, _k in seg_rows])
    sync = EventWriter(session, row, locator, doc).sync(events)
    session.flush()
    return WriteResult(
        status="new" if previous is None and row.version == 1 else "updated",
        doc_key=key,
        version=row.version,
        document_id=row.id,
        segments_by_kind=dict(sorted(Counter(k for *_x, k in seg_rows).items())),
        events=len(events),
        sync=sync,
        note=note,
    )


def _document_row(doc: r.Document, digest: str, version: int) -> m.Document:
    return m.Document(
        id=ids.document_id(doc.doc_id, digest),
        doc_key=doc.doc_id,
        version=version,
        content_hash=digest,
        title=doc.title,
        source_path=doc.source_path,
        media_type=doc.media_type,
        encoding=doc.encoding,
        language=doc.language,
        published=doc.published,
        is_current=True,
        text=doc.text,
        char_count=len(doc.text),
        page_starts=[list(p) for p in doc.page_starts],
        meta={KB_PENDING: True},
    )


def kb_pending(session: Session) -> list[str]:
    """Ids of the versions written since the knowledge base was last resolved."""
    flag = m.Document.meta[KB_PENDING].as_boolean()
    return list(session.scalars(select(m.Document.id).where(flag.is_(True))))


def clear_kb_pending(session: Session, document_ids: Collection[str]) -> None:
    ids = list(document_ids)
    for i in range(0, len(ids), 500):
        found = session.execute(
            select(m.Document.id, m.Document.meta).where(m.Document.id.in_(ids[i : i + 500]))
        ).all()
        for doc_id, meta in found:
            if (meta or {}).get(KB_PENDING):
                kept = {k: v for k, v in meta.items() if k != KB_PENDING}
                session.execute(update(m.Document).where(m.Document.id == doc_id).values(meta=kept))


def _segment_rows(
    document_id: str, doc: r.Document, segments: Sequence[r.Segment]
) -> list[dict[str, Any]]:
    n = len(doc.text)
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    for seg in segments:
        if not 0 <= seg.start <= seg.end <= n:
            raise StoreError(f"segment {seg.index} span {seg.start}-{seg.end} outside 0-{n}")
        if seg.kind not in r.BLOCK_KINDS:
            raise StoreError(f"segment {seg.index}: unknown block kind {seg.kind!r}")
        if seg.index in seen:
            raise StoreError(f"segment index {seg.index} appears twice")
        seen.add(seg.index)
        page = (
            seg.page
            if seg.page is not None
            else (doc.page_at(seg.start) if doc.page_starts else None)
        )
        rows.append(
            {
                "id": ids.segment_id(document_id, seg.index),
                "document_id": document_id,
                "index": seg.index,
                "start": seg.start,
                "end": seg.end,
                "kind": seg.kind,
                "section_path": list(seg.section_path),
                "section_id": seg.section_id,
                "line": seg.line,
                "page": page,
                "sentences": [list(s) for s in seg.sentences],
                "text": doc.text[seg.start : seg.end],
            }
        )
    return rows


def _summary(row: Any, segments: int, events: int) -> DocumentSummary:
    return DocumentSummary(
        id=row.id,
        doc_key=row.doc_key,
        version=row.version,
        title=row.title,
        media_type=row.media_type,
        encoding=row.encoding,
        language=row.language,
        published=row.published,
        source_path=row.source_path,
        content_hash=row.content_hash,
        char_count=row.char_count,
        segments=segments,
        events=events,
        ingested_at=row.ingested_at,
        is_current=row.is_current,
    )


def _counted_documents(session: Session, *where: Any) -> list[DocumentSummary]:
    seg = (
        select(m.Segment.document_id, func.count().label("n"))
        .group_by(m.Segment.document_id)
        .subquery()
    )
    ev = (
        select(m.Evidence.document_id, func.count(distinct(m.Evidence.event_id)).label("n"))
        .group_by(m.Evidence.document_id)
        .subquery()
    )
    stmt = (
        select(
            *_SUMMARY_COLS,
            func.coalesce(seg.c.n, 0).label("n_segments"),
            func.coalesce(ev.c.n, 0).label("n_events"),
        )
        .outerjoin(seg, seg.c.document_id == m.Document.id)
        .outerjoin(ev, ev.c.document_id == m.Document.id)
        .where(*where)
        .order_by(m.Document.doc_key, m.Document.version)
    )
    return [_summary(row, row.n_segments, row.n_events) for row in session.execute(stmt)]


def list_documents(session: Session, *, include_old: bool = False) -> list[DocumentSummary]:
    """Documents by key (current versions only unless ``include_old``)."""
    where = () if include_old else (m.Document.is_current.is_(True),)
    return _counted_documents(session, *where)


def get_document(
    session: Session,
    doc_key: str,
    *,
    version: int | None = None,
    kinds: Collection[str] | None = None,
) -> DocumentView | None:
    """A document version (current by default) with its segments, optionally by block kind."""
    if version is not None and not 1 <= version < 2**31:
        return None  # no such version (and SQLite cannot even compare a 2**64)
    cond = [m.Document.doc_key == doc_key]
    cond.append(
        m.Document.version == version if version is not None else m.Document.is_current.is_(True)
    )
    found = _counted_documents(session, *cond)
    if not found:
        return None
    summary = found[0]
    stmt = select(m.Segment).where(m.Segment.document_id == summary.id).order_by(m.Segment.index)
    if kinds:
        stmt = stmt.where(m.Segment.kind.in_(list(kinds)))
    segments = [segment_view(s) for s in session.scalars(stmt)]
    return DocumentView(summary, segments)


def segment_view(s: m.Segment) -> SegmentView:
    return SegmentView(
        id=s.id,
        index=s.index,
        kind=s.kind,
        section_path=list(s.section_path or []),
        section_id=s.section_id,
        line=s.line,
        page=s.page,
        start=s.start,
        end=s.end,
        text=s.text,
        sentences=[list(x) for x in (s.sentences or [])],
    )


def counts(session: Session) -> StoreCounts:
    current = select(m.Document.id).where(m.Document.is_current.is_(True))
    by_kind: dict[str, int] = dict(
        session.execute(
            select(m.Segment.kind, func.count())
            .where(m.Segment.document_id.in_(current))
            .group_by(m.Segment.kind)
            .order_by(m.Segment.kind)
        ).all()
    )
    by_state: dict[str, int] = dict(
        session.execute(
            select(m.Event.state, func.count()).group_by(m.Event.state).order_by(m.Event.state)
        ).all()
    )
    return StoreCounts(
        documents=session.scalar(select(func.count()).select_from(current.subquery())) or 0,
        versions=session.scalar(select(func.count()).select_from(m.Document)) or 0,
        segments=sum(by_kind.values()),
        segments_by_kind=by_kind,
        events=sum(by_state.values()),
        events_by_state=by_state,
        evidence=session.scalar(select(func.count()).select_from(m.Evidence)) or 0,
    )
