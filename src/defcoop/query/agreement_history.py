"""The agreement status history of the store: dated agreement events, the "as of"
status statements of the current documents, and curators' statuses.

One builder for the CLI (``defcoop agreements``), the API and the web.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from defcoop import records as r
from defcoop.extract.status_statements import find_status_statements
from defcoop.kb.agreements import AgreementHistory, HistoryEntry, Source, entries_from_event
from defcoop.query.events import iter_events
from defcoop.query.model import EventQuery, EventRow
from defcoop.store import Store
from defcoop.store import models as m

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
