"""Event extraction: a pipeline of small stages over a segmented document.

dates -> mentions (partners, people, places) -> triggers -> events with attributes.
Must not import the store, query, web or CLI layers (import-linter enforces it).
"""

from __future__ import annotations

from defcoop.records import Document, Event, Segment


def extract_document(doc: Document, segments: list[Segment] | None = None) -> list[Event]:
    """All events of ``doc`` in reading order, each with its evidence span."""
    from defcoop.extract.pipeline import extract_document as _run

    return _run(doc, segments)


__all__ = ["extract_document"]
