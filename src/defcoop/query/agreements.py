"""Agreement status histories for queries, reports and exports.

When :mod:`defcoop.kb.agreements` is installed it does the work (agreement events from
the store plus the status statements of the stored documents, e.g. "2025年4月現在、…
との間で締結されている", reconciled as that module documents). Without it, the
agreement events alone give the entries and the furthest status reached by a date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from defcoop import records as r
from defcoop.store import Store
from defcoop.store import models as m

MATRIX_TYPES = ("RAA", "ACSA", "ETA", "ISA", "MOU")
_RANK = {"substantially_agreed": 1, "signed": 2, "in_force": 3}


@dataclass(frozen=True, slots=True)
class AgreementEntry:
    """One dated status of one partner's agreement of one type, with its source."""

    partner: str
    type: str
    status: str
    date: str | None
    kind: str  # "event" (reached on date) | "as_of" (held at the latest by date)
    doc: str
    line: int
    quote: str
    event_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "type": self.type,
            "status": self.status,
            "date": self.date,
            "kind": self.kind,
            "doc": self.doc,
            "line": self.line,
            "quote": self.quote,
            "event_id": self.event_id,
        }


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """One partner's row of the agreement matrix on ``as_of``, with the dated entries."""

    partner: str
    as_of: str
    statuses: dict[str, str | None]
    entries: list[AgreementEntry] = field(default_factory=list)
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "as_of": self.as_of,
            "statuses": dict(self.statuses),
            "entries": [e.to_dict() for e in self.entries],
            "source": self.source,
        }


class AgreementBook:
    """Every agreement entry in the store, and statuses on a date."""

    def __init__(self, entries: list[AgreementEntry], source: str, history: Any = None) -> None:
        self._entries = entries
        self.source = source  # "kb.agreements" | "events (kb.agreements not available)"
        self._history = history  # a defcoop.kb.agreements.AgreementHistory, when used

    def entries(self, partner: str | None = None) -> list[AgreementEntry]:
        return [e for e in self._entries if partner is None or e.partner == partner]

    def statuses(
        self, partner: str, as_of: str, types: tuple[str, ...] = MATRIX_TYPES
    ) -> dict[str, str | None]:
        if self._history is not None:
            return {t: self._history.status_on(partner, t, as_of) for t in types}
        out: dict[str, str | None] = dict.fromkeys(types)
        for e in self.entries(partner):
            if e.type in out and e.date and e.date[: len(as_of)] <= as_of and e.status in _RANK:
                cur = out[e.type]
                if cur is None or _RANK[e.status] > _RANK[cur]:
                    out[e.type] = e.status
        return out

    def row(self, partner: str, as_of: str | None = None) -> AgreementRow:
        on = as_of or date.today().isoformat()[:7]
        return AgreementRow(
            partner, on, self.statuses(partner, on), self.entries(partner), self.source
        )


def _agreement_events(session: Session) -> list[tuple[r.Event, str]]:
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
        out.append((rec, ev.id))
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


def agreement_book(store: Store) -> AgreementBook:
    """The agreement entries of the store (see the module docstring for the two paths)."""
    with store.session() as s:
        pairs = _agreement_events(s)
        events = [rec for rec, _id in pairs]
        store_ids = {rec.event_id: sid for rec, sid in pairs}
        try:
            from defcoop.kb import agreements as kb
        except ImportError:
            kb = None  # type: ignore[assignment]
        if kb is not None:
            statements: list[Any] = []
            try:
                from defcoop.extract.status_statements import find_status_statements
            except ImportError:
                find_status_statements = None  # type: ignore[assignment]
            if find_status_statements is not None:
                for doc, segs in _documents(s):
                    statements.extend(find_status_statements(doc, segs))
    if kb is not None:
        history = kb.build_history(events, statements)
        entries = [
            AgreementEntry(
                e.partner,
                e.type,
                e.status,
                e.date,
                e.kind,
                e.source.doc,
                e.source.line,
                e.source.quote,
                store_ids.get(e.event_id or ""),
            )
            for e in history.history()
        ]
        return AgreementBook(entries, "kb.agreements", history)
    entries = []
    for ev, sid in sorted(pairs, key=lambda p: (p[0].date or "", p[0].doc, p[0].line)):
        ag = ev.agreement or {}
        for code in sorted(set(ev.partners)):
            entries.append(
                AgreementEntry(
                    code,
                    ag.get("type", ""),
                    ag.get("status", ""),
                    ev.date,
                    "event",
                    ev.doc,
                    ev.line,
                    ev.quote,
                    sid,
                )
            )
    return AgreementBook(entries, "events (kb.agreements not available)")


def agreement_row(store: Store, partner: str, as_of: str | None = None) -> AgreementRow:
    """The partner's statuses on ``as_of`` (default: this month) and the entries behind them."""
    return agreement_book(store).row(partner, as_of)
