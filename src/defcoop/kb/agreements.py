"""Agreements over time: per partner and type, a dated and sourced status history.

Pure logic, no database: the store (or the CLI, which extracts files directly)
hands in agreement ``Event`` records and ``StatusStatement`` records and asks
for the status on a date or for the partner x type matrix of PRODUCT.md §3.

Two kinds of history entries:

* ``kind="event"`` — a dated act told in a text (実質合意, 署名, 締結/発効, 改訂):
  the agreement reached ``status`` on ``date``.
* ``kind="as_of"`` — a status statement ("2025年4月現在、…との間で締結されている"):
  the agreement had ``status`` *at the latest by* ``date``. It never makes a status
  appear before ``date``.

Reading a history (``status_on``):

* An entry counts on an asked date when its whole period has ended by the end of
  the asked period: "2024-11" is known at "2024-11" and "2024-11-20" at "2024-11",
  but "2024" only from "2024-12-31" on, and "2024-11-20" not at "2024-11-10".
  Undated (unresolved) entries are kept in the history and never count.
* The status is the furthest stage reached by then, in the order
  substantially_agreed < signed < in_force. The lifecycle only moves forward, so
  this is the latest status, and a later 実質合意 on a revision cannot undo an
  entry into force. ``revised`` keeps the stage already reached (an in-force
  agreement stays in force) and implies at least ``signed``.
* Closed world: a statement that lists partners as of a date (``exhaustive``) is
  the whole list for its type on that date. An automatic event entry it
  contradicts — signed or in force by then for a partner the list leaves out, or
  in force for a partner it lists as only signed — is set aside and reported by
  ``conflicts()``. Curated entries are never set aside.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from defcoop.extract.partners import period
from defcoop.extract.status_statements import StatusStatement
from defcoop.records import Event

__all__ = [
    "BILATERAL_TYPES",
    "MATRIX_STATUSES",
    "MATRIX_TYPES",
    "AgreementHistory",
    "Conflict",
    "HistoryEntry",
    "Source",
    "build_history",
    "entries_from_event",
    "entry_from_statement",
]

BILATERAL_TYPES = ("RAA", "ACSA", "ETA", "ISA", "MOU", "LOI")
MATRIX_TYPES = ("RAA", "ACSA", "ETA", "ISA", "MOU")
MATRIX_STATUSES = ("substantially_agreed", "signed", "in_force")
ENTRY_STATUSES = (*MATRIX_STATUSES, "revised")
_RANK = {s: i for i, s in enumerate(MATRIX_STATUSES, start=1)}
_ISO = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _end(iso: str) -> date:
    """Last day of the period an ISO date of any precision stands for."""
    return period(iso)[1]


def check_date(value: str) -> str:
    """``value`` if it is an ISO date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; else ValueError."""
    v = value.strip()
    if not _ISO.fullmatch(v):
        raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {value!r}")
    period(v)  # raises on an impossible month or day
    return v


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Source:
    """Where an entry comes from: document, line, the words, the rule that read them."""

    doc: str
    line: int
    quote: str
    rule: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One status of one partner's agreement of one type, dated and sourced."""

    partner: str
    type: str
    status: str  # substantially_agreed | signed | in_force | revised
    date: str | None  # ISO at the precision written; None when unresolved
    kind: str  # "event" (reached on date) | "as_of" (held at the latest by date)
    source: Source
    curated: bool = False
    exhaustive: bool = False  # as_of only: part of a complete list for its type and date
    event_id: str | None = None

    @property
    def precision(self) -> str:
        if self.date is None:
            return "unresolved"
        return {4: "year", 7: "month", 10: "day"}.get(len(self.date), "unknown")

    def known_at(self, asked: str) -> bool:
        """True when this entry has certainly happened by the end of ``asked``."""
        return self.date is not None and _end(self.date) <= _end(asked)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["precision"] = self.precision
        return d


@dataclass(frozen=True, slots=True)
class Conflict:
    """An event entry set aside because a complete as-of list contradicts it."""

    entry: HistoryEntry
    statement: HistoryEntry  # an entry of the list (for its source)
    reason: str


def _stage(status: str) -> int:
    """Rank of a status, ``revised`` counting as at least signed."""
    return _RANK.get(status, _RANK["signed"])


def _rank_after(best: str | None, status: str) -> str:
    if status == "revised":
        return best if best in ("signed", "in_force") else "signed"
    if best is None or _RANK[status] > _RANK[best]:
        return status
    return best


# --------------------------------------------------------------------------- sources -> entries


def entries_from_event(event: Event, *, curated: bool = False) -> list[HistoryEntry]:
    """History entries told by an agreement event: one per partner.

    Only ``kind="agreement"`` events with a known status give entries. Bilateral
    types (RAA, ACSA, ETA, ISA, MOU, LOI) give one entry per partner even when the
    event names several (a trilateral memorandum binds each); other types
    (declarations, arrangements) only when the event names a single partner, so
    multilateral declarations stay out of the per-partner history.
    """
    ag = event.agreement or {}
    typ, status = ag.get("type"), ag.get("status")
    if event.kind != "agreement" or not typ or status not in ENTRY_STATUSES:
        return []
    partners = sorted(set(event.partners) - {"JPN"})
    if not partners or (typ not in BILATERAL_TYPES and len(partners) > 1):
        return []
    ev = event.evidence
    rules = ev.rules if ev else {}
    rule = "event:" + (rules.get("kind") or "agreement")
    source = Source(
        doc=event.doc,
        line=event.line,
        quote=event.quote,
        rule=rule,
        start=ev.start if ev else None,
        end=ev.end if ev else None,
    )
    return [
        HistoryEntry(
            partner=p,
            type=typ,
            status=status,
            date=event.date,
            kind="event",
            source=source,
            curated=curated,
            event_id=event.event_id,
        )
        for p in partners
    ]


def entry_from_statement(st: StatusStatement, *, curated: bool = False) -> HistoryEntry:
    """The as-of entry of a status statement (held at the latest by ``st.as_of``)."""
    return HistoryEntry(
        partner=st.partner,
        type=st.agreement_type,
        status=st.status,
        date=st.as_of,
        kind="as_of",
        source=Source(
            doc=st.doc,
            line=st.line,
            quote=st.quote,
            rule=f"{st.rule}:type-from-{st.type_from}" if st.type_from else st.rule,
            start=st.start,
            end=st.end,
        ),
        curated=curated,
        exhaustive=st.exhaustive,
    )


# --------------------------------------------------------------------------- history


def _order(e: HistoryEntry) -> tuple[Any, ...]:
    return (
        e.partner,
        e.type,
        e.date is None,
        _end(e.date) if e.date else date.max,
        _RANK.get(e.status, 2),
        e.kind,
        e.source.doc,
        e.source.line,
    )


class AgreementHistory:
    """All status entries, by partner and type, with dated lookups.

    ``closed_world=False`` switches off the reconciliation with complete as-of
    lists (every entry then counts).
    """

    def __init__(self, entries: Iterable[HistoryEntry] = (), *, closed_world: bool = True) -> None:
        self.closed_world = closed_world
        self._entries: list[HistoryEntry] = []
        self._by_key: dict[tuple[str, str], list[HistoryEntry]] = defaultdict(list)
        self._conflicts: list[Conflict] | None = None
        for e in entries:
            self.add(e)

    # -- building ---------------------------------------------------------------
    def add(self, entry: HistoryEntry) -> None:
        if entry.status not in ENTRY_STATUSES:
            raise ValueError(f"unknown agreement status {entry.status!r}")
        if entry.date is not None:
            check_date(entry.date)
        self._entries.append(entry)
        self._by_key[(entry.partner, entry.type)].append(entry)
        self._conflicts = None

    def add_event(self, event: Event, *, curated: bool = False) -> list[HistoryEntry]:
        entries = entries_from_event(event, curated=curated)
        for e in entries:
            self.add(e)
        return entries

    def add_statement(self, st: StatusStatement, *, curated: bool = False) -> HistoryEntry:
        e = entry_from_statement(st, curated=curated)
        self.add(e)
        return e

    def __len__(self) -> int:
        return len(self._entries)

    # -- reconciliation ---------------------------------------------------------
    def conflicts(self) -> list[Conflict]:
        """Event entries that a complete as-of list contradicts (set aside when reading)."""
        if self._conflicts is not None:
            return self._conflicts
        out: list[Conflict] = []
        if self.closed_world:
            lists: dict[tuple[str, str, str], dict[str, HistoryEntry]] = defaultdict(dict)
            for e in self._entries:
                if e.kind == "as_of" and e.exhaustive and e.date:
                    listed = lists[(e.source.doc, e.type, e.date)]
                    old = listed.get(e.partner)
                    if old is None or _stage(e.status) > _stage(old.status):
                        listed[e.partner] = e
            for (doc, typ, as_of), listed in lists.items():
                any_entry = next(iter(listed.values()))
                for e in self._entries:
                    if (
                        e.kind != "event"
                        or e.curated
                        or e.type != typ
                        or e.status == "substantially_agreed"
                        or not e.known_at(as_of)
                    ):
                        continue
                    said = listed.get(e.partner)
                    if said is None:
                        out.append(
                            Conflict(
                                e, any_entry, f"{doc} lists no {e.partner} {typ} as of {as_of}"
                            )
                        )
                    elif said.status == "signed" and e.status == "in_force":
                        out.append(
                            Conflict(
                                e, said, f"{doc} says {e.partner} {typ} only signed as of {as_of}"
                            )
                        )
        self._conflicts = out
        return out

    def _set_aside(self) -> set[int]:
        return {id(c.entry) for c in self.conflicts()}

    # -- reading ----------------------------------------------------------------
    def history(self, partner: str | None = None, type: str | None = None) -> list[HistoryEntry]:
        """Entries (optionally of one partner and/or type), by partner, type and date."""
        rows = [
            e
            for e in self._entries
            if (partner is None or e.partner == partner) and (type is None or e.type == type)
        ]
        return sorted(rows, key=_order)

    def partners(self, types: Collection[str] | None = None) -> list[str]:
        return sorted({e.partner for e in self._entries if types is None or e.type in types})

    def status_on(self, partner: str, type: str, on: str) -> str | None:
        """The status of ``partner``'s ``type`` agreement on date ``on``, or None.

        ``on`` is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; the answer holds by the
        end of that period. One of substantially_agreed, signed, in_force.
        """
        return self._status(partner, type, check_date(on), self._set_aside())

    def _status(self, partner: str, type: str, on: str, aside: set[int]) -> str | None:
        known = [
            e
            for e in self._by_key.get((partner, type), ())
            if id(e) not in aside and e.known_at(on)
        ]
        best: str | None = None
        for e in sorted(known, key=_order):
            best = _rank_after(best, e.status)
        return best

    def matrix(self, as_of: str, types: Sequence[str] = MATRIX_TYPES) -> list[dict[str, Any]]:
        """One object per partner with a status on ``as_of`` (PRODUCT.md §3), by code.

        ``{"partner": "AUS", "RAA": "in_force", "ACSA": …, "MOU": null}``: a key for
        every type asked, null where nothing is known.
        """
        on = check_date(as_of)
        aside = self._set_aside()
        rows: list[dict[str, Any]] = []
        for p in self.partners(types):
            row: dict[str, Any] = {"partner": p}
            for t in types:
                row[t] = self._status(p, t, on, aside)
            if any(row[t] is not None for t in types):
                rows.append(row)
        return rows


def build_history(
    events: Iterable[Event],
    statements: Iterable[StatusStatement] = (),
    *,
    curated: Collection[str] | Callable[[Event], bool] = (),
    closed_world: bool = True,
) -> AgreementHistory:
    """The history told by agreement ``events`` and ``statements``.

    ``curated`` names the events a curator verified or corrected (event ids, or a
    predicate); their entries are never set aside by a contradicting list. Other
    event kinds are ignored, so all events of a document can be passed.
    """
    if callable(curated):
        is_curated = curated
    else:
        ids = frozenset(curated)

        def is_curated(e: Event) -> bool:
            return e.event_id in ids

    h = AgreementHistory(closed_world=closed_world)
    for ev in events:
        if ev.kind == "agreement":
            h.add_event(ev, curated=is_curated(ev))
    for st in statements:
        h.add_statement(st)
    return h
