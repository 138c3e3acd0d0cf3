"""Deterministic ids, derived from content so that re-ingesting is idempotent.

Event ids must survive a new version of their document in which text moved:
they hash the event's identity -- (doc key, kind, date, sorted partners,
agreement type, jp_role) -- plus the ordinal among the events of that document
sharing the same identity, in reading order. Character offsets and line numbers
are deliberately left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from defcoop.records import Event, content_id


def document_id(doc_key: str, content_hash: str) -> str:
    return content_id("document", doc_key, content_hash)


def segment_id(document_id: str, index: int) -> int:
    """A positive 60-bit integer (fits SQLite's rowid and PostgreSQL's BIGINT)."""
    return int(content_id("segment", document_id, index, length=15), 16)


def event_identity(doc_key: str, event: Event) -> tuple[str, ...]:
    """The fields that make two extractions "the same event" within one document."""
    agreement_type = (event.agreement or {}).get("type") or ""
    return (
        doc_key,
        event.kind,
        event.date or "",
        ",".join(sorted(set(event.partners))),
        agreement_type,
        event.jp_role or "",
    )


def event_ids(doc_key: str, events: Iterable[Event]) -> list[tuple[str, int]]:
    """``(id, ordinal)`` for each event of one document, given in reading order."""
    seen: Counter[tuple[str, ...]] = Counter()
    out: list[tuple[str, int]] = []
    for ev in events:
        key = event_identity(doc_key, ev)
        ordinal = seen[key]
        seen[key] += 1
        out.append((content_id("event", *key, ordinal), ordinal))
    return out


def evidence_id(event_id: str, document_id: str, start: int, end: int) -> str:
    return content_id("evidence", event_id, document_id, start, end)


def participant_id(event_id: str, ordinal: int) -> str:
    return content_id("participant", event_id, ordinal)
