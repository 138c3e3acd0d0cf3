"""Writing extracted events for one document version, without losing curation.

Re-ingesting a changed document re-derives its events. An event whose id is
already stored keeps its curation: fields a curator verified or corrected are
never overwritten, a rejected event stays rejected, and curated participants and
manual evidence are kept. Automatic events that the new version no longer yields
are deleted; curated ones are kept and flagged ``orphaned`` for review.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session, selectinload

from defcoop import records as r
from defcoop.store import dates, ids
from defcoop.store import models as m
from defcoop.store.models.base import SIDES
from defcoop.store.views import EventSync

#: Scalar event columns set from an extraction (all may be locked by curation).
SCALAR_FIELDS = (
    "kind",
    "date",
    "end",
    "precision",
    "date_from",
    "date_to",
    "count",
    "modality",
    "location",
    "occasion",
    "agreement_type",
    "agreement_status",
    "agreement_name",
    "jp_role",
    "jp_name",
    "quote",
    "line",
)
#: Fields derived from another one: locked together with it.
DERIVED_FROM = {"precision": "date", "date_from": "date", "date_to": "date"}
#: Collection "fields" that curation can lock too.
COLLECTION_FIELDS = ("partners", "participants")
ALL_FIELDS = frozenset(SCALAR_FIELDS) | frozenset(COLLECTION_FIELDS)
CURATED_FIELD_STATES = ("verified", "corrected")


@dataclass(slots=True)
class SegmentLocator:
    """Finds the stored segment of an offset or a segment index in one document version."""

    by_index: dict[int, int]
    starts: list[int]
    spans: list[tuple[int, int, int]]  # (start, end, segment id), sorted by start

    @classmethod
    def build(cls, rows: Sequence[tuple[int, int, int, int]]) -> SegmentLocator:
        """``rows`` are ``(segment id, index, start, end)``."""
        spans = sorted((start, end, sid) for sid, _i, start, end in rows)
        return cls(
            by_index={i: sid for sid, i, _s, _e in rows},
            starts=[s for s, _e, _id in spans],
            spans=spans,
        )

    def find(self, index: int | None, offset: int) -> int | None:
        if index is not None and index in self.by_index:
            return self.by_index[index]
        pos = bisect.bisect_right(self.starts, offset) - 1
        if pos >= 0:
            start, end, sid = self.spans[pos]
            if start <= offset < max(end, start + 1):
                return sid
        return None


def locked_fields(row: m.Event) -> frozenset[str]:
    """Fields re-ingestion must not touch on a stored event."""
    if row.state == "rejected":
        return ALL_FIELDS
    marked = {
        f
        for f, p in (row.provenance or {}).items()
        if isinstance(p, dict) and p.get("status") in CURATED_FIELD_STATES
    }
    marked |= {d for d, src in DERIVED_FROM.items() if src in marked}
    if row.state in ("verified", "manual"):
        return ALL_FIELDS
    if row.state == "corrected" and not marked:
        return ALL_FIELDS
    return frozenset(marked)


def _span_of(doc: r.Document, ev: r.Event) -> tuple[int, int, int, int | None, dict[str, str]]:
    """``(start, end, line, segment_index, rules)`` of an event's evidence."""
    n = len(doc.text)
    if ev.evidence is not None:
        e = ev.evidence
        start, end = max(0, min(e.start, n)), max(0, min(e.end, n))
        if end < start:
            start, end = end, start
        return start, end, doc.line_at(start), e.segment_index, dict(e.rules)
    # No span given: the quote on its line, else the whole line.
    line_start = 0
    for _ in range(max(ev.line, 1) - 1):
        nxt = doc.text.find("\n", line_start)
        if nxt < 0:
            break
        line_start = nxt + 1
    line_end = doc.text.find("\n", line_start)
    line_end = n if line_end < 0 else line_end
    pos = doc.text.find(ev.quote, line_start, line_end) if ev.quote else -1
    if pos >= 0:
        return pos, pos + len(ev.quote), doc.line_at(pos), None, {}
    return line_start, line_end, doc.line_at(line_start), None, {}


def _scalar_values(ev: r.Event, line: int) -> dict[str, Any]:
    agreement = ev.agreement or {}
    lo, hi = dates.span_bounds(ev.date, ev.end)
    return {
        "kind": ev.kind,
        "date": ev.date,
        "end": ev.end,
        "precision": dates.precision(ev.date),
        "date_from": lo,
        "date_to": hi,
        "count": ev.count,
        "modality": ev.modality,
        "location": ev.location,
        "occasion": ev.occasion,
        "agreement_type": agreement.get("type"),
        "agreement_status": agreement.get("status"),
        "agreement_name": agreement.get("name"),
        "jp_role": ev.jp_role,
        "jp_name": ev.jp_name,
        "quote": ev.quote,
        "line": line,
    }


def _provenance(values: dict[str, Any], ev: r.Event, rules: dict[str, str]) -> dict[str, Any]:
    """Per-field rule and status. An unknown date is ``unresolved``, never guessed."""
    prov: dict[str, Any] = {}
    candidates = [f for f in SCALAR_FIELDS if f not in DERIVED_FROM and f != "line"]
    for f in [*candidates, *COLLECTION_FIELDS]:
        value = values.get(f) if f in values else getattr(ev, f, None)
        rule = rules.get(f)
        if f == "date" and value is None:
            prov[f] = {"rule": rule, "status": "unresolved"}
        elif value not in (None, [], "") or rule:
            prov[f] = {"rule": rule, "status": "automatic"}
    return prov


def _axes(ev: r.Event) -> dict[str, str]:
    axes = {"source": "automatic", "date": "automatic" if ev.date else "unresolved"}
    if ev.partners:
        axes["partners"] = "automatic"
    if ev.jp_role or ev.jp_name:
        axes["principal"] = "automatic"
    if ev.jp_role or any(p.side == "jp" and p.role for p in ev.participants):
        axes["role"] = "automatic"
    if any(p.side == "partner" for p in ev.participants):
        axes["counterpart"] = "automatic"
    return axes


def _participant_values(p: r.Participant) -> dict[str, Any]:
    return {
        "side": p.side if p.side in SIDES else "partner",
        "partner_code": p.partner,
        "role_code": p.role,
        "title": p.title,
        "name": p.name,
        "former": bool(p.former),
    }


@dataclass(slots=True)
class NewRows:
    """Rows of new events, written with one Core executemany per table.

    The ORM unit of work (instrumented objects, cascades, per-row bookkeeping) cost more
    than the inserts themselves; new rows need none of it. Column defaults (``version``,
    ``created_at``, ``summary`` ...) are applied by the table definitions as they would
    be for ORM objects.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, Any]] = field(default_factory=list)
    participants: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def insert(self, session: Session) -> None:
        for model, rows in (
            (m.Event, self.events),  # first: the others reference it
            (m.EventPartner, self.partners),
            (m.Participant, self.participants),
            (m.Evidence, self.evidence),
        ):
            if rows:
                session.execute(insert(cast(Table, model.__table__)), rows)


class EventWriter:
    """Syncs the events of one document key to a freshly written version."""

    def __init__(
        self, session: Session, doc_row: m.Document, locator: SegmentLocator, doc: r.Document
    ) -> None:
        self.s = session
        self.row = doc_row
        self.locator = locator
        self.doc = doc
        self.key = doc_row.doc_key
        self.key_doc_ids = set(
            session.scalars(select(m.Document.id).where(m.Document.doc_key == self.key))
        )

    # -- public -------------------------------------------------------------------------------
    def sync(self, events: Sequence[r.Event]) -> EventSync:
        out = EventSync()
        previous = {
            e.id: e
            for e in self.s.scalars(
                select(m.Event)
                .where(m.Event.doc_key == self.key)
                .options(
                    selectinload(m.Event.partners),
                    selectinload(m.Event.participants),
                    selectinload(m.Event.evidence),
                )
            )
        }
        fresh = NewRows()
        for ev, (eid, ordinal) in zip(events, ids.event_ids(self.key, events), strict=True):
            row = previous.pop(eid, None)
            if row is None:
                self._new_event(fresh, eid, ordinal, ev)
                out.new += 1
            else:
                self._refresh(row, ev)
                out.matched += 1
        for row in previous.values():
            if self._retire(row):
                out.removed += 1
            else:
                out.retained += 1
        self.s.flush()  # refreshed and retired rows first (the ORM unit of work)
        fresh.insert(self.s)
        return out

    # -- building -----------------------------------------------------------------------------
    def _evidence(self, event_id: str, ev: r.Event) -> tuple[m.Evidence, int, dict[str, str]]:
        start, end, line, seg_index, rules = _span_of(self.doc, ev)
        evidence = m.Evidence(
            id=ids.evidence_id(event_id, self.row.id, start, end),
            document_id=self.row.id,
            segment_id=self.locator.find(seg_index, start),
            start=start,
            end=end,
            line=line,
            page=self.doc.page_at(start) if self.doc.page_starts else None,
            quote=self.doc.text[start:end],
            rules=rules,
            origin="automatic",
        )
        return evidence, line, rules

    def _participants(self, event_id: str, ev: r.Event) -> list[m.Participant]:
        return [
            m.Participant(
                id=ids.participant_id(event_id, i),
                ordinal=i,
                state="automatic",
                **_participant_values(p),
            )
            for i, p in enumerate(ev.participants)
        ]

    def _new_event(self, fresh: NewRows, eid: str, ordinal: int, ev: r.Event) -> None:
        """The rows of an event that is not stored yet, as plain column values (inserted
        in bulk by ``NewRows.insert``: same ids and values as the ORM objects would have)."""
        start, end, line, seg_index, rules = _span_of(self.doc, ev)
        values = _scalar_values(ev, line)
        fresh.events.append(
            {
                "id": eid,
                "doc_key": self.key,
                "ordinal": ordinal,
                "state": "automatic",
                "orphaned": False,
                "provenance": _provenance(values, ev, rules),
                "axes": _axes(ev),
                **values,
            }
        )
        partner_rule = rules.get("partners")
        fresh.partners.extend(
            {"event_id": eid, "partner_code": p, "rule": partner_rule}
            for p in sorted(set(ev.partners))
        )
        fresh.participants.extend(
            {
                "id": ids.participant_id(eid, i),
                "event_id": eid,
                "ordinal": i,
                "state": "automatic",
                **_participant_values(p),
            }
            for i, p in enumerate(ev.participants)
        )
        fresh.evidence.append(
            {
                "id": ids.evidence_id(eid, self.row.id, start, end),
                "event_id": eid,
                "document_id": self.row.id,
                "segment_id": self.locator.find(seg_index, start),
                "start": start,
                "end": end,
                "line": line,
                "page": self.doc.page_at(start) if self.doc.page_starts else None,
                "quote": self.doc.text[start:end],
                "rules": rules,
                "origin": "automatic",
            }
        )

    # -- updating -----------------------------------------------------------------------------
    def _refresh(self, row: m.Event, ev: r.Event) -> None:
        locked = locked_fields(row)
        evidence, line, rules = self._evidence(row.id, ev)
        values = _scalar_values(ev, line)
        for f, v in values.items():
            # ``line`` is a pointer to the source, not a curated fact: it follows the evidence.
            if (f not in locked or f == "line") and getattr(row, f) != v:
                setattr(row, f, v)
        prov = dict(row.provenance or {})
        fresh = _provenance(values, ev, rules)
        for f in ALL_FIELDS - locked:
            if f in fresh:
                prov[f] = fresh[f]
            else:
                prov.pop(f, None)
        if prov != row.provenance:
            row.provenance = prov
        axes = {
            a: s
            for a, s in (row.axes or {}).items()
            if s in CURATED_FIELD_STATES or row.state == "rejected"
        }
        if row.state != "rejected":
            for a, s in _axes(ev).items():
                axes.setdefault(a, s)
        if axes != row.axes:
            row.axes = axes
        if "partners" not in locked:
            wanted = sorted(set(ev.partners))
            if [p.partner_code for p in row.partners] != wanted:
                have = {p.partner_code: p for p in row.partners}
                row.partners = [
                    have.get(code) or m.EventPartner(partner_code=code, rule=rules.get("partners"))
                    for code in wanted
                ]
        if "participants" not in locked:
            self._refresh_participants(row, ev)
        self._replace_evidence(row, evidence)
        if row.orphaned:
            row.orphaned = False

    def _refresh_participants(self, row: m.Event, ev: r.Event) -> None:
        """Automatic participants follow the extraction; curated ones (same id) win."""
        existing = {p.id: p for p in row.participants}
        keep = [p for p in row.participants if p.state != "automatic"]
        for fresh in self._participants(row.id, ev):
            old = existing.get(fresh.id)
            if old is not None and old.state != "automatic":
                continue  # curated version of this participant is already in ``keep``
            if old is not None:
                for f, v in _participant_values(ev.participants[fresh.ordinal]).items():
                    if getattr(old, f) != v:
                        setattr(old, f, v)
                keep.append(old)
            else:
                keep.append(fresh)
        keep.sort(key=lambda p: p.ordinal)
        if keep != list(row.participants):
            row.participants = keep

    def _replace_evidence(self, row: m.Event, evidence: m.Evidence) -> None:
        """Automatic evidence from this document key now points at the new version."""
        kept = [
            e
            for e in row.evidence
            if not (e.origin == "automatic" and e.document_id in self.key_doc_ids)
        ]
        same = next((e for e in row.evidence if e.id == evidence.id), None)
        if same is not None:
            for f in ("segment_id", "start", "end", "line", "page", "quote", "rules", "origin"):
                if getattr(same, f) != getattr(evidence, f):
                    setattr(same, f, getattr(evidence, f))
            evidence = same
        if evidence not in kept:
            kept.append(evidence)
        if kept != list(row.evidence):
            row.evidence = kept

    def _retire(self, row: m.Event) -> bool:
        """The new version no longer yields ``row``: delete it (True) or keep it flagged."""
        if row.state == "automatic" and not locked_fields(row):
            remaining = [
                e
                for e in row.evidence
                if not (e.origin == "automatic" and e.document_id in self.key_doc_ids)
            ]
            if not remaining:
                self.s.delete(row)
                return True
            row.evidence = remaining
            return False
        current = self.s.scalars(
            select(m.Document.id).where(
                m.Document.id.in_({e.document_id for e in row.evidence}),
                m.Document.is_current.is_(True),
            )
        ).first()
        orphaned = current is None
        if row.orphaned != orphaned:
            row.orphaned = orphaned
        return False
