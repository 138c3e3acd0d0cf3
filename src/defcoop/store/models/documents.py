"""Document versions and their segments (the text every fact points back to)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from defcoop.store.models.base import Base, RowIdType, code_column, id_column, utcnow


class Document(Base):
    """One version of a source file. ``doc_key`` (file stem) groups the versions."""

    __tablename__ = "documents"

    id: Mapped[str] = id_column()  # content_id(doc_key, content_hash)
    doc_key: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str | None]
    source_path: Mapped[str] = mapped_column(default="")
    source_url: Mapped[str | None]
    media_type: Mapped[str] = code_column(100, default="text/plain")
    encoding: Mapped[str | None] = code_column(64)
    language: Mapped[str] = code_column(16, default="ja")
    published: Mapped[str | None] = code_column(10)  # ISO, precision as known
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_current: Mapped[bool] = mapped_column(default=True)
    text: Mapped[str]
    char_count: Mapped[int]
    # PDFs: [[start_offset, page_number], ...] so a Document can be rebuilt.
    page_starts: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    segments: Mapped[list[Segment]] = relationship(
        back_populates="document",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Segment.index",
    )

    __table_args__ = (
        UniqueConstraint("doc_key", "version"),
        # At most one current version per document key.
        Index(
            "uq_documents_current_key",
            "doc_key",
            unique=True,
            sqlite_where=sql_text("is_current"),
            postgresql_where=sql_text("is_current"),
        ),
    )


class Segment(Base):
    """A paragraph-level block of one document version, with its sentence spans.

    The id is a deterministic 63-bit integer (from the content hash) so that it can
    be the SQLite rowid, which the FTS5 index is keyed on and which VACUUM keeps.
    """

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(RowIdType, primary_key=True, autoincrement=False)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    index: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    kind: Mapped[str] = code_column(32)
    section_path: Mapped[list[Any]] = mapped_column(default=list)
    section_id: Mapped[int] = mapped_column(default=0)
    line: Mapped[int]
    page: Mapped[int | None]
    sentences: Mapped[list[Any]] = mapped_column(default=list)  # [[start, end], ...]
    text: Mapped[str]

    document: Mapped[Document] = relationship(back_populates="segments")

    __table_args__ = (
        UniqueConstraint("document_id", "index"),
        Index(None, "document_id", "kind"),
    )
