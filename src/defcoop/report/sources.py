"""What reports read from the store besides events: the partner's significance paragraph
and the agreement status history (via :mod:`defcoop.kb.agreements` when installed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from defcoop import records as r
from defcoop.extract.partners import Partner
from defcoop.store import Store
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
                out.append(Paragraph(key, nxt.line, nxt.text.strip(), seg.text.strip(), "significance_heading"))
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


# --------------------------------------------------------------------------- agreements


@dataclass(frozen=True, slots=True)
class AgreementEntry:
    type: str
    status: str
    date: str | None
    kind: str  # "event" (reached on date) | "as_of" (held at the latest by date)
    doc: str
    line: int
    quote: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "status": self.status,
            "date": self.date,
            "kind": self.kind,
            "doc": self.doc,
            "line": self.line,
            "quote": self.quote,
        }


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """One partner's row of the agreement matrix on ``as_of``, with the dated entries."""

    partner: str
    as_of: str
    statuses: dict[str, str | None]
    entries: list[AgreementEntry] = field(default_factory=list)
    source: str = ""  # "kb.agreements" or "events (kb.agreements not available)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "as_of": self.as_of,
            "statuses": dict(self.statuses),
            "entries": [e.to_dict() for e in self.entries],
            "source": self.source,
        }


MATRIX_TYPES = ("RAA", "ACSA", "ETA", "ISA", "MOU")
_RANK = {"substantially_agreed": 1, "signed": 2, "in_force": 3}


def _agreement_events(session: Session) -> list[r.Event]:
    """Stored agreement events (not rejected, not merged) as pipeline records."""
    rows = session.execute(
        select(m.Event)
        .where(m.Event.kind == "agreement", m.Event.state != "rejected")
        .where(m.Event.merged_into_id.is_(None))
    ).scalars()
    out = []
    for ev in rows:
        partners = [p.partner_code for p in ev.partners]
        agreement = {"type": ev.agreement_type or "", "status": ev.agreement_status or ""}
        if ev.agreement_name:
            agreement["name"] = ev.agreement_name
        rec = r.Event(
            doc=ev.doc_key or "manual",
            line=ev.line or 0,
            kind="agreement",
            date=ev.date,
            end=ev.end,
            partners=partners,
            agreement=agreement,
            quote=ev.quote or "",
        )
        out.append(rec)
    return out


def _documents(session: Session) -> list[tuple[r.Document, list[r.Segment]]]:
    out = []
    for doc in session.scalars(select(m.Document).where(m.Document.is_current.is_(True))):
        rec = r.Document(doc_id=doc.doc_key, text=doc.text, media_type=doc.media_type)
        segs = [
            r.Segment(
                doc_id=doc.doc_key,
                index=s.index,
                start=s.start,
                end=s.end,
                kind=s.kind,
                section_path=list(s.section_path or []),
                line=s.line,
                page=s.page,
                sentences=[(int(a), int(b)) for a, b in (s.sentences or [])],
                section_id=s.section_id,
            )
            for s in doc.segments
        ]
        out.append((rec, segs))
    return out


def agreement_row(store: Store, partner: str, as_of: str | None = None) -> AgreementRow:
    """The partner's agreement statuses on ``as_of`` (default: this month) with the dated
    entries behind them. Uses ``defcoop.kb.agreements`` (events + status statements such
    as "2025年4月現在、…") when it is installed; otherwise the agreement events alone."""
    on = as_of or date.today().isoformat()[:7]
    with store.session() as s:
        events = _agreement_events(s)
        try:
            from defcoop.kb import agreements as kb
        except ImportError:
            kb = None  # type: ignore[assignment]
        if kb is not None:
            statements: list[Any] = []
            try:
                from defcoop.extract.status_statements import find_status_statements

                for doc, segs in _documents(s):
                    statements.extend(find_status_statements(doc, segs))
            except ImportError:
                pass
            history = kb.build_history(events, statements)
            types = tuple(getattr(kb, "MATRIX_TYPES", MATRIX_TYPES))
            row = next((x for x in history.matrix(on, types) if x["partner"] == partner), None)
            statuses = {t: (row or {}).get(t) for t in types}
            entries = [
                AgreementEntry(e.type, e.status, e.date, e.kind, e.source.doc, e.source.line, e.source.quote)
                for e in history.history(partner)
            ]
            return AgreementRow(partner, on, statuses, entries, "kb.agreements")
    # Fallback: the furthest status each agreement event reached by ``on``.
    statuses_fb: dict[str, str | None] = dict.fromkeys(MATRIX_TYPES)
    entries_fb: list[AgreementEntry] = []
    for ev in sorted(events, key=lambda e: e.date or ""):
        if partner not in ev.partners or not ev.agreement:
            continue
        typ, st = ev.agreement.get("type", ""), ev.agreement.get("status", "")
        entries_fb.append(AgreementEntry(typ, st, ev.date, "event", ev.doc, ev.line, ev.quote))
        if typ in statuses_fb and ev.date and ev.date[: len(on)] <= on and st in _RANK:
            cur = statuses_fb[typ]
            if cur is None or _RANK[st] > _RANK[cur]:
                statuses_fb[typ] = st
    return AgreementRow(partner, on, statuses_fb, entries_fb, "events (kb.agreements not available)")
