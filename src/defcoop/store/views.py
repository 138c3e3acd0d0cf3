"""Plain, picklable records the store returns (no ORM objects leave a session)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(slots=True, frozen=True)
class DocumentSummary:
    id: str
    doc_key: str
    version: int
    title: str | None
    media_type: str
    encoding: str | None
    language: str
    published: str | None
    source_path: str
    content_hash: str
    char_count: int
    segments: int
    events: int
    ingested_at: datetime
    is_current: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(_jsonable(asdict(self)))


@dataclass(slots=True, frozen=True)
class SegmentView:
    id: int
    index: int
    kind: str
    section_path: list[str]
    section_id: int
    line: int
    page: int | None
    start: int
    end: int
    text: str
    sentences: list[list[int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True, frozen=True)
class DocumentView:
    document: DocumentSummary
    segments: list[SegmentView]

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document.to_dict(),
            "segments": [s.to_dict() for s in self.segments],
        }


@dataclass(slots=True, frozen=True)
class SearchHit:
    doc_key: str
    version: int
    segment_id: int
    index: int
    kind: str
    section_path: list[str]
    line: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True, frozen=True)
class StoreCounts:
    documents: int  # current versions
    versions: int  # all stored versions
    segments: int  # in current versions
    segments_by_kind: dict[str, int]
    events: int
    events_by_state: dict[str, int]
    evidence: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class EventSync:
    """What re-deriving one document's events did to the stored events."""

    new: int = 0  # ids never seen before
    matched: int = 0  # ids already stored: automatic fields refreshed, curation kept
    removed: int = 0  # automatic events no longer extracted, deleted
    retained: int = 0  # curated/rejected events no longer extracted, kept (orphaned)


@dataclass(slots=True)
class WriteResult:
    """Outcome of writing one document version."""

    status: str  # new | updated | unchanged
    doc_key: str
    version: int | None = None
    document_id: str | None = None
    segments_by_kind: dict[str, int] = field(default_factory=dict)
    events: int = 0
    sync: EventSync = field(default_factory=EventSync)
    note: str = ""
