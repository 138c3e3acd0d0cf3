"""What the web shows that the query layer does not (yet) serve as one call, built from
public APIs and cached while the store does not change.

* ``frameworks`` — the frameworks stored by the knowledge base
  (``defcoop.kb.frameworks.stored_frameworks``; parsed from the current documents when a
  store has none stored yet);
* ``achievements`` / ``status`` — ``defcoop.kb.frameworks.achievements`` (stored event
  links, curated ones included) and ``implementation_status`` per initiative;
* ``agreement_history`` — ``defcoop.kb.agreements`` built exactly as ``defcoop
  agreements`` builds it (agreement events + "as of" status statements of the current
  documents), plus the agreement statuses curators added (``curate add status``).

The only reads below the query layer are ``current_texts`` (the full text of each
current document version, which status statements and framework parsers need) and
``curated_statuses``; they are the candidates to move into the query layer.
Results are cached per store and recomputed when the *fingerprint* changes: the
content hashes of the current documents and the id of the latest audit-log entry
(every curation writes one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlalchemy import select

from defcoop import records as r
from defcoop.extract.status_statements import find_status_statements
from defcoop.frameworks import Framework, find_framework, framework_to_json, parse_all
from defcoop.frameworks.model import Achievement
from defcoop.frameworks.status import ImplementationStatus
from defcoop.kb import frameworks as kbf
from defcoop.kb.agreements import (
    AgreementHistory,
    HistoryEntry,
    Source,
    entries_from_event,
)
from defcoop.kb.curation import audit_log
from defcoop.query import EventQuery, EventRow, iter_events
from defcoop.store import Store
from defcoop.store import models as m

T = TypeVar("T")
CURATED_STATES = ("verified", "corrected", "manual")


def current_texts(store: Store) -> dict[str, str]:
    """``{doc_key: text}`` of the current version of every document."""
    with store.session() as s:
        rows = s.execute(
            select(m.Document.doc_key, m.Document.text)
            .where(m.Document.is_current.is_(True))
            .order_by(m.Document.doc_key)
        )
        return {k: t for k, t in rows}


def curated_statuses(store: Store) -> list[HistoryEntry]:
    """Agreement statuses stored by curators (``kb.curation.add_agreement_status``)."""
    out: list[HistoryEntry] = []
    with store.session() as s:
        rows = s.execute(
            select(m.AgreementStatus, m.Agreement)
            .join(m.Agreement, m.Agreement.id == m.AgreementStatus.agreement_id)
            .where(m.AgreementStatus.state != "rejected")
        ).all()
        for st, ag in rows:
            if not st.curated or st.status not in (
                "substantially_agreed",
                "signed",
                "in_force",
                "revised",
            ):
                continue
            out.append(
                HistoryEntry(
                    partner=ag.partner_code,
                    type=ag.type,
                    status=st.status,
                    date=st.date,
                    kind="event",
                    source=Source(doc="curated", line=0, quote=st.note or "", rule=st.rule or ""),
                    curated=True,
                    event_id=st.source_event_id,
                )
            )
    return out


def fingerprint(store: Store) -> tuple[Any, ...]:
    docs = tuple((d.doc_key, d.content_hash) for d in store.list_documents())
    last = audit_log(store, limit=1)
    return docs, (last[0].id if last else None)


def _as_record(e: EventRow) -> r.Event:
    agreement = None
    if e.agreement_type or e.agreement_status:
        agreement = {
            k: v
            for k, v in (
                ("type", e.agreement_type),
                ("status", e.agreement_status),
                ("name", e.agreement_name),
            )
            if v
        }
    return r.Event(
        doc=e.doc_key or "manual",
        line=e.line or 0,
        kind=e.kind,
        date=e.date,
        end=e.end,
        partners=list(e.partners),
        agreement=agreement,
        quote=e.quote,
    )


def build_agreement_history(store: Store) -> AgreementHistory:
    h = AgreementHistory()
    for e in iter_events(store, EventQuery.build(kind="agreement")):
        for entry in entries_from_event(_as_record(e), curated=e.state in CURATED_STATES):
            h.add(replace(entry, event_id=e.id))
    for key, text in current_texts(store).items():
        for st in find_status_statements(r.Document(doc_id=key, text=text)):
            h.add_statement(st)
    for entry in curated_statuses(store):
        h.add(entry)
    return h


def load_frameworks(store: Store) -> list[Framework]:
    return kbf.stored_frameworks(store) or parse_all(current_texts(store))


@dataclass
class _Slot:
    key: Any = None
    value: Any = None


@dataclass
class SourceCache:
    """Per-store cache of the derived views above (thread-safe; re-entrant because one
    view may be built from another)."""

    store: Store
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _slots: dict[str, _Slot] = field(default_factory=dict)

    def _get(self, name: str, build: Callable[[Store], T]) -> T:
        key = fingerprint(self.store)
        with self._lock:
            slot = self._slots.setdefault(name, _Slot())
            if slot.key != key:
                slot.value = build(self.store)
                slot.key = key
            return slot.value

    def frameworks(self) -> list[Framework]:
        return self._get("frameworks", load_frameworks)

    def achievements(self, framework: str) -> list[Achievement]:
        return self._get(f"achievements:{framework}", lambda st: kbf.achievements(st, framework))

    def status(self, fw: Framework) -> list[ImplementationStatus]:
        return self._get(
            f"status:{fw.id}",
            lambda st: kbf.implementation_status(st, fw, self.achievements(fw.id)),
        )

    def agreement_history(self) -> AgreementHistory:
        return self._get("agreements", build_agreement_history)

    def framework(self, name: str) -> Framework | None:
        return find_framework(self.frameworks(), name)

    def framework_json(self, name: str, *, detail: bool = False) -> dict[str, Any] | None:
        fw = self.framework(name)
        if fw is None:
            return None
        return framework_to_json(fw, self.achievements(fw.id), detail=detail)

    def matrix(self, as_of: str, types: Any = None) -> list[dict[str, Any]]:
        h = self.agreement_history()
        return h.matrix(as_of, types) if types else h.matrix(as_of)
