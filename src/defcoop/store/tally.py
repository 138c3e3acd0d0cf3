"""Event tallies: counts of events kept by database triggers (migration 0002).

Facets and totals over a million events cannot be computed by visiting the matching
rows in 50 ms; these tables hold the counts instead, per combination of the dimensions
the common filters use, and triggers on ``events`` and ``event_partners`` update them in
the same transaction as every write -- an aggregate index, never stale, not a cache.

* ``tally_events(partner, kind, state, jp_role, merged, y_from, y_to, n)``: with
  ``partner = ''`` one count per event; otherwise one per (event, partner).
* ``tally_pairs(partner, co, <same key>, n)``: events that name both ``partner`` and
  ``co`` (both orders), for the partner facet of a one-partner query.
* ``tally_kinds`` and ``tally_years``: the same counts as ``tally_events`` without the
  role, and without kind and role; ``tally_pair_years``: ``tally_pairs`` without kind
  and role. Fewer rows: a query reads the smallest table that has its dimensions.

``jp_role`` is ``''`` for none; ``merged`` is 1 when ``merged_into_id`` is set;
``y_from`` / ``y_to`` are the years of ``date_from`` / ``date_to`` (0 when undated).
Counts may reach 0 (rows are not deleted); readers sum them.

The tables are not ORM models: they are derived data, left out of backups (restoring
the events re-creates them through the triggers).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Integer, MetaData, String, Table, select

from defcoop.store import models as m

metadata = MetaData()

_KEY = (
    Column("kind", String(32), primary_key=True),
    Column("state", String(16), primary_key=True),
    Column("jp_role", String(32), primary_key=True),
    Column("merged", Integer, primary_key=True),
    Column("y_from", Integer, primary_key=True),
    Column("y_to", Integer, primary_key=True),
)


def _table(name: str, *first: str, key: tuple[Column[Any], ...] = _KEY) -> Table:
    cols = [Column(c, String(32), primary_key=True) for c in first]
    return Table(name, metadata, *cols, *(c._copy() for c in key), Column("n", BigInteger))


_KIND_KEY = tuple(c for c in _KEY if c.name != "jp_role")
_YEAR_KEY = tuple(c for c in _KEY if c.name not in ("kind", "jp_role"))
tally_events = _table("tally_events", "partner")
tally_kinds = _table("tally_kinds", "partner", key=_KIND_KEY)
tally_years = _table("tally_years", "partner", key=_YEAR_KEY)
tally_pairs = _table("tally_pairs", "partner", "co")
tally_pair_years = _table("tally_pair_years", "partner", "co", key=_YEAR_KEY)
TABLE_NAMES = tuple(metadata.tables)
#: Dimensions of each table besides partner (and co), for choosing the smallest that has
#: what a query needs.
DIMENSIONS = {
    name: frozenset(c.name for c in t.columns) - {"partner", "co", "n"}
    for name, t in metadata.tables.items()
}


def _year(d: Any) -> int:
    if d is None:
        return 0
    return int(str(d)[:4])


def recount(conn: Connection) -> dict[str, Counter[tuple[Any, ...]]]:
    """The tallies computed from ``events`` and ``event_partners`` (the triggers' oracle:
    tests and ``check`` compare it with the stored tables)."""
    E = m.Event
    events: dict[str, tuple[Any, ...]] = {}
    for r in conn.execute(
        select(E.id, E.kind, E.state, E.jp_role, E.merged_into_id, E.date_from, E.date_to)
    ):
        events[r.id] = (
            r.kind,
            r.state,
            r.jp_role or "",
            0 if r.merged_into_id is None else 1,
            _year(r.date_from),
            _year(r.date_to),
        )
    partners: dict[str, list[str]] = {}
    for eid, code in conn.execute(select(m.EventPartner.event_id, m.EventPartner.partner_code)):
        partners.setdefault(eid, []).append(code)
    out: dict[str, Counter[tuple[Any, ...]]] = {t: Counter() for t in TABLE_NAMES}
    for eid, key in events.items():
        kind_key = (key[0], key[1], key[3], key[4], key[5])
        year_key = (key[1], key[3], key[4], key[5])
        codes = partners.get(eid, [])
        for p in ("", *codes):
            out["tally_events"][(p, *key)] += 1
            out["tally_kinds"][(p, *kind_key)] += 1
            out["tally_years"][(p, *year_key)] += 1
        for p in codes:
            for q in codes:
                if p != q:
                    out["tally_pairs"][(p, q, *key)] += 1
                    out["tally_pair_years"][(p, q, *year_key)] += 1
    return out


def stored(conn: Connection) -> dict[str, Counter[tuple[Any, ...]]]:
    """The stored tallies, rows with a zero count left out."""
    out: dict[str, Counter[tuple[Any, ...]]] = {}
    for name, table in metadata.tables.items():
        key = [c for c in table.columns if c.name != "n"]
        out[name] = Counter(
            {tuple(r[:-1]): int(r[-1]) for r in conn.execute(select(*key, table.c.n)) if r[-1]}
        )
    return out


def differences(conn: Connection) -> dict[str, dict[tuple[Any, ...], tuple[int, int]]]:
    """``{table: {key: (stored, expected)}}`` for every count that is wrong (empty: all right)."""
    have, want = stored(conn), recount(conn)
    out: dict[str, dict[tuple[Any, ...], tuple[int, int]]] = {}
    ep, ev = m.EventPartner, m.Event
    stale = conn.execute(
        select(ep.event_id, ep.partner_code)
        .join(ev, ev.id == ep.event_id)
        .where(ep.date_from.is_distinct_from(ev.date_from))
    ).all()
    if stale:  # the partner timeline's copy of the event's date
        out["event_partners.date_from"] = {tuple(r): (1, 0) for r in stale}
    for name in TABLE_NAMES:
        keys = set(have[name]) | set(want[name])
        bad = {k: (have[name][k], want[name][k]) for k in keys if have[name][k] != want[name][k]}
        if bad:
            out[name] = bad
    return out


__all__ = [
    "DIMENSIONS",
    "TABLE_NAMES",
    "differences",
    "metadata",
    "recount",
    "stored",
    "tally_events",
    "tally_kinds",
    "tally_pair_years",
    "tally_pairs",
    "tally_years",
]
