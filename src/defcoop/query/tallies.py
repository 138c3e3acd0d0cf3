"""Totals and facets from the trigger-kept tallies (``defcoop.store.tally``).

A query is *covered* when each of its filters is a dimension of the tallies: curation
state, merged or not, one partner at most, kinds, levels / services / roles (all
``jp_role``), and ``since`` / ``until`` on whole years (``2020``, ``2020-01``,
``2020-12-31`` ...). Its total and its five facets are then sums over a few thousand
tally rows instead of a pass over every matching event: milliseconds at a million events.
Any other filter (region, group, text, document, framework, month bounds, several
partners) returns ``None`` and the caller counts the events themselves.

The answers are the same as counting the events (tests compare both on every filter).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, String, Table, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from defcoop.query.levels import (
    ALL_LEVELS,
    ROLE_CODES,
    level_of,
    normalize_level,
    normalize_service,
    roles_of_levels,
    roles_of_services,
)
from defcoop.query.model import DEFAULT_STATES, EventQuery, Facets, QueryError, date_bound
from defcoop.query.partners import PartnerDirectory
from defcoop.store.tally import DIMENSIONS, metadata, tally_years

TABLES = metadata.tables
_MEMO = "defcoop.query.tallies.memo"
#: Smallest first.
EVENT_ORDER = ("tally_years", "tally_kinds", "tally_events")
PAIR_ORDER = ("tally_pair_years", "tally_pairs")


@dataclass(frozen=True, slots=True)
class Plan:
    """The filters of a covered query, as values of the tally dimensions."""

    partner: str = ""  # '' = no partner filter
    states: tuple[str, ...] | None = None  # None = every state
    include_merged: bool = False
    kinds: tuple[str, ...] = ()
    roles: tuple[tuple[str, ...], ...] = ()  # ANDed alternatives of jp_role conditions
    since_year: int | None = None
    until_year: int | None = None
    role_any_other: tuple[bool, ...] = field(default=())  # per ``roles`` item: unspecified too

    @property
    def dimensions(self) -> frozenset[str]:
        """The tally columns the filters use (besides partner, state, merged and years,
        which every tally has)."""
        return frozenset(["kind"] * bool(self.kinds) + ["jp_role"] * bool(self.roles))

    def table(self, *extra: str, pairs: bool = False) -> Table:
        """The smallest tally with the filters' dimensions and ``extra``."""
        need = self.dimensions | set(extra)
        names = PAIR_ORDER if pairs else EVENT_ORDER
        return next(TABLES[n] for n in names if need <= DIMENSIONS[n])

    def conditions(
        self, t: Table, known_roles: Sequence[str] = ROLE_CODES
    ) -> list[ColumnElement[bool]]:
        c = t.c
        out: list[ColumnElement[bool]] = []
        if self.states is not None:
            out.append(c.state.in_(self.states))
        if not self.include_merged:
            out.append(c.merged == 0)
        if self.kinds:
            out.append(c.kind.in_(self.kinds))
        for codes, other in zip(self.roles, self.role_any_other, strict=True):
            cond: ColumnElement[bool] = c.jp_role.in_(codes)
            if other:  # no role, or a code outside the known roles
                cond = cond | c.jp_role.not_in(list(known_roles))
            out.append(cond)
        if self.since_year is not None:
            out.append(c.y_to >= self.since_year)
        if self.until_year is not None:
            out.append(c.y_from.between(1, self.until_year))
        return out


def _year_of(value: str, which: int) -> int | None:
    """The year when ``value`` bounds a whole year on that side (Jan 1 / Dec 31), else None."""
    b = date_bound(("since", "until")[which], value, which)
    whole = (b.month, b.day) == ((1, 1) if which == 0 else (12, 31))
    return b.year if whole else None


def plan(q: EventQuery, d: PartnerDirectory) -> Plan | None:
    """The tally plan of ``q``, or None when a filter is not a tally dimension."""
    if q.region or q.group or q.doc or (q.text and q.text.strip()):
        return None
    if q.framework or q.pillar is not None or q.initiative:
        return None
    partners = sorted({d.resolve(p) for p in q.partner})
    if len(partners) > 1:
        return None
    states = q.state or DEFAULT_STATES
    roles: list[tuple[str, ...]] = []
    other: list[bool] = []
    if q.level:
        try:
            codes, include_null = roles_of_levels([normalize_level(v) for v in q.level])
        except ValueError as err:
            raise QueryError(str(err)) from err
        roles.append(tuple(codes))
        other.append(include_null)
    if q.service:
        try:
            roles.append(tuple(roles_of_services([normalize_service(v) for v in q.service])))
        except ValueError as err:
            raise QueryError(str(err)) from err
        other.append(False)
    if q.role:
        roles.append(tuple(r.upper() for r in q.role))
        other.append(False)
    since = _year_of(q.since, 0) if q.since else None
    until = _year_of(q.until, 1) if q.until else None
    if (q.since and since is None) or (q.until and until is None):
        return None
    return Plan(
        partner=partners[0] if partners else "",
        states=None if "all" in states else tuple(states),
        include_merged=q.include_merged,
        kinds=tuple(q.kind),
        roles=tuple(roles),
        role_any_other=tuple(other),
        since_year=since,
        until_year=until,
    )


def _grouped(p: Plan, label: str, t: Table, by: Sequence[Any], *extra: Any) -> Any:
    """``(label, key1, key2, count)`` rows of ``t`` grouped by one or two columns."""
    keys = [cast(c, String) for c in by]
    while len(keys) < 2:
        keys.append(cast(literal(""), String))
    return (
        select(literal(label), *keys, func.sum(t.c.n))
        .where(*p.conditions(t), *extra)
        .group_by(*by)
        .having(func.sum(t.c.n) > 0)
    )


def _sum(session: Session, t: Table, *conds: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(t.c.n), 0)).where(*conds)) or 0)


def total(session: Session, p: Plan) -> int:
    """Number of events matching the plan."""
    t = p.table()
    return _sum(session, t, t.c.partner == p.partner, *p.conditions(t))


def event_count(session: Session) -> int:
    """Number of events in the store (every state, merged included)."""
    return _sum(session, tally_years, tally_years.c.partner == "")


def range_count(
    session: Session,
    codes: Sequence[str] = (),
    y_from_min: int | None = None,
    y_from_max: int | None = None,
) -> int:
    """Events (any state) naming one of ``codes`` (every event when empty) whose
    ``date_from`` year lies in the range (undated ones excluded when a bound is given):
    the size of what a query walks or starts from, for choosing how to run it."""
    t = tally_years
    conds: list[ColumnElement[bool]] = [
        t.c.partner.in_(list(codes)) if codes else t.c.partner == ""
    ]
    if y_from_min is not None:
        conds.append(t.c.y_from >= max(1, y_from_min))
    if y_from_max is not None:
        conds.append(t.c.y_from.between(1, y_from_max))
    return _sum(session, t, *conds)


@contextmanager
def one_query(session: Session) -> Iterator[None]:
    """Within the block, values read from the tallies for planning are read once (one
    query builds its filters several times); outside it they are always read afresh."""
    session.info[_MEMO] = {}
    try:
        yield
    finally:
        session.info.pop(_MEMO, None)


def longest_span_years(session: Session) -> int:
    """Most calendar years any stored event's period spans, minus one (0: none spans a
    new year). Lets a ``since`` filter also bound ``date_from``."""
    memo = session.info.get(_MEMO)
    if memo is not None and "longest" in memo:
        return int(memo["longest"])
    t = tally_years
    n = session.scalar(
        select(func.max(t.c.y_to - t.c.y_from)).where(t.c.partner == "", t.c.y_from > 0, t.c.n > 0)
    )
    if memo is not None:
        memo["longest"] = int(n or 0)
    return int(n or 0)


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def facets(session: Session, p: Plan) -> Facets:
    """The five facets and the total of the plan's events, from the tallies, in one
    statement: (kind, role) and (state, year) groups folded here, and partners."""
    ev, small = p.table("kind", "jp_role"), p.table()
    parts = [
        _grouped(p, "kr", ev, (ev.c.kind, ev.c.jp_role), ev.c.partner == p.partner),
        _grouped(p, "sy", small, (small.c.state, small.c.y_from), small.c.partner == p.partner),
    ]
    if p.partner:
        tp = p.table(pairs=True)
        parts.append(_grouped(p, "p", tp, (tp.c.co,), tp.c.partner == p.partner))
    else:
        parts.append(_grouped(p, "p", small, (small.c.partner,), small.c.partner != ""))
    kind: dict[str, int] = defaultdict(int)
    level: dict[str, int] = defaultdict(int)
    state: dict[str, int] = defaultdict(int)
    years: dict[str, int] = defaultdict(int)
    partner: dict[str, int] = {}
    for label, k1, k2, n in session.execute(union_all(*parts)):
        n = int(n)
        if label == "kr":
            kind[k1] += n
            level[level_of(k2 or None)] += n
        elif label == "sy":
            state[k1] += n
            years["undated" if int(k2) == 0 else f"{int(k2):04d}"] += n
        else:
            partner[k1] = n
    total = sum(kind.values())
    if p.partner and total:
        partner[p.partner] = total
    return Facets(
        total=total,
        kind=_sorted(kind),
        partner=_sorted(partner),
        year=dict(sorted(years.items())),
        level={lv: level[lv] for lv in ALL_LEVELS if lv in level},
        state=_sorted(state),
    )


__all__ = [
    "Plan",
    "event_count",
    "facets",
    "longest_span_years",
    "one_query",
    "plan",
    "range_count",
    "total",
]
