"""What reports read from the store besides events: the partner's significance paragraph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from defcoop.extract.partners import Partner
from defcoop.store import models as m

SIGNIFICANCE_HEADING = "との防衛協力・交流の意義"
#: What may follow a partner's name at the start of a section's opening paragraph.
_OPENERS = ("は、", "は", "との間では", "との間で", "とは", "との")
_MAX_PARAGRAPHS = 3


@dataclass(frozen=True, slots=True)
class Paragraph:
    doc_key: str
    line: int
    text: str
    heading: str | None  # the heading it sits under, when found that way
    how: str  # "significance_heading" | "section_opening"

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_key": self.doc_key,
            "line": self.line,
            "text": self.text,
            "heading": self.heading,
            "how": self.how,
        }


def _names(p: Partner) -> list[str]:
    names = [p.name_ja, *p.aliases_ja]
    return sorted({n for n in names if n}, key=len, reverse=True)


def significance(session: Session, partner: Partner) -> list[Paragraph]:
    """The body paragraph(s) under "…{partner}との防衛協力・交流の意義", else the opening
    paragraph of the partner's section (a body paragraph starting "{partner}は、…")."""
    names = _names(partner)
    heads = session.execute(
        select(m.Segment, m.Document.doc_key)
        .join(m.Document, m.Document.id == m.Segment.document_id)
        .where(m.Document.is_current.is_(True), m.Segment.kind == "heading")
        .where(m.Segment.text.like(f"%{SIGNIFICANCE_HEADING}%"))
        .order_by(m.Document.doc_key, m.Segment.index)
    ).all()
    for seg, key in heads:
        if not any(f"{n}{SIGNIFICANCE_HEADING}" in seg.text for n in names):
            continue
        following = session.scalars(
            select(m.Segment)
            .where(m.Segment.document_id == seg.document_id, m.Segment.index > seg.index)
            .order_by(m.Segment.index)
            .limit(20)
        ).all()
        out: list[Paragraph] = []
        for nxt in following:
            if nxt.kind == "heading" or len(out) >= _MAX_PARAGRAPHS:
                break
            if nxt.kind == "body":
                out.append(
                    Paragraph(
                        key, nxt.line, nxt.text.strip(), seg.text.strip(), "significance_heading"
                    )
                )
        if out:
            return out
    for n in names:
        rows = session.execute(
            select(m.Segment, m.Document.doc_key)
            .join(m.Document, m.Document.id == m.Segment.document_id)
            .where(m.Document.is_current.is_(True), m.Segment.kind == "body")
            .where(m.Segment.text.like(f"{n}%"))
            .order_by(m.Document.doc_key, m.Segment.index)
        ).all()
        for seg, key in rows:
            rest = seg.text[len(n) :]
            if rest.startswith(_OPENERS):
                return [Paragraph(key, seg.line, seg.text.strip(), None, "section_opening")]
    return []
