"""Plain records that flow through the pipeline.

Every span is a half-open ``[start, end)`` range of character offsets into the
*original* document text (``Document.text``), never into a normalized view.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any


def content_id(*parts: object, length: int = 16) -> str:
    """Deterministic id from content so that re-running is idempotent."""
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


@dataclass(slots=True)
class Document:
    """A source document as read from disk: its decoded text and metadata."""

    doc_id: str  # file name without extension
    text: str  # decoded text, newlines normalized to "\n"
    source_path: str = ""
    media_type: str = "text/plain"  # text/plain, text/html, application/pdf
    encoding: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date (YYYY, YYYY-MM or YYYY-MM-DD) if known
    language: str = "ja"
    # For PDFs: list of (start_offset, page_number) where each page begins in ``text``.
    page_starts: list[tuple[int, int]] = field(default_factory=list)
    # Raw bytes hash: identifies the file version.
    content_hash: str = ""
    _line_starts: list[int] | None = field(default=None, repr=False, compare=False)

    def page_at(self, offset: int) -> int | None:
        page = None
        for start, num in self.page_starts:
            if start <= offset:
                page = num
            else:
                break
        return page

    def line_at(self, offset: int) -> int:
        """1-based line number (lines split on ``\\n`` only); line starts are computed
        once per document, so asking for every event stays linear."""
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return bisect_right(self._line_starts, offset)


#: Event kinds of gold/GUIDELINES.md (the one list the store, query layer and curation share).
EVENT_KINDS = (
    "meeting",
    "two_plus_two",
    "consultation",
    "courtesy_call",
    "conference",
    "exercise",
    "capacity_building",
    "port_call",
    "agreement",
    "visit",
    "equipment_transfer",
    "seminar",
    "other",
)
MODALITIES = ("in_person", "video", "phone")
AGREEMENT_TYPES = ("RAA", "ACSA", "ISA", "ETA", "MOU", "LOI", "DECLARATION", "ARRANGEMENT", "OTHER")

BLOCK_KINDS = (
    "body",
    "heading",
    "caption",
    "footnote",
    "keyword",
    "crossref",
    "table_row",
    "boilerplate",
)


@dataclass(slots=True)
class Segment:
    """A paragraph-level block of a document, with its sentences."""

    doc_id: str
    index: int  # order in the document
    start: int
    end: int
    kind: str  # one of BLOCK_KINDS
    section_path: list[str] = field(default_factory=list)
    line: int = 1  # 1-based line of ``start``
    page: int | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)  # spans in the original text
    # Index of the partner/topic section this segment belongs to (date context restarts there).
    section_id: int = 0

    def text_of(self, doc: Document) -> str:
        return doc.text[self.start : self.end]

    @property
    def segment_id(self) -> str:
        return content_id(self.doc_id, self.index, self.start, self.end)


@dataclass(slots=True)
class DateValue:
    """A resolved date with the precision the text gives; ``iso`` is None when unresolved."""

    iso: str | None
    start: int = -1  # span in original text of the expression
    end: int = -1
    rule: str = ""
    end_iso: str | None = None  # for spans ("から…にかけて")

    @property
    def precision(self) -> str:
        if self.iso is None:
            return "unresolved"
        return {4: "year", 7: "month", 10: "day"}.get(len(self.iso), "unknown")


@dataclass(slots=True)
class Evidence:
    """Where a fact came from and which rule produced it."""

    doc_id: str
    start: int
    end: int
    line: int
    segment_index: int | None = None
    rules: dict[str, str] = field(default_factory=dict)  # field name -> rule id


@dataclass(slots=True)
class Participant:
    side: str  # "jp" or "partner"
    partner: str | None = None  # ISO / org code for the partner side
    role: str | None = None  # jp role code, or title as written for counterparts
    name: str | None = None
    title: str | None = None  # title as written
    former: bool = False  # "(当時)" was written


@dataclass(slots=True)
class Event:
    """One extracted event occurrence (gold-format fields + provenance)."""

    doc: str
    line: int
    kind: str
    date: str | None
    end: str | None = None
    partners: list[str] = field(default_factory=list)
    jp_role: str | None = None
    jp_name: str | None = None
    modality: str | None = None
    location: str | None = None
    occasion: str | None = None
    agreement: dict[str, str] | None = None
    count: int | None = None
    quote: str = ""
    evidence: Evidence | None = None
    participants: list[Participant] = field(default_factory=list)

    GOLD_FIELDS = (
        "doc",
        "line",
        "kind",
        "date",
        "end",
        "partners",
        "jp_role",
        "jp_name",
        "modality",
        "location",
        "occasion",
        "agreement",
        "count",
        "quote",
    )

    def to_gold(self) -> dict[str, Any]:
        """The record exactly as in gold/GUIDELINES.md (field order kept)."""
        return {
            "doc": self.doc,
            "line": self.line,
            "kind": self.kind,
            "date": self.date,
            "end": self.end,
            "partners": sorted(set(self.partners)),
            "jp_role": self.jp_role,
            "jp_name": self.jp_name,
            "modality": self.modality,
            "location": self.location,
            "occasion": self.occasion,
            "agreement": dict(self.agreement) if self.agreement else None,
            "count": self.count,
            "quote": self.quote,
        }

    @property
    def event_id(self) -> str:
        ag = self.agreement or {}
        return content_id(
            self.doc,
            self.kind,
            self.date,
            ",".join(sorted(self.partners)),
            ag.get("type"),
            self.evidence.start if self.evidence else self.line,
        )
