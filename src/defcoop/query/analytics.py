"""Analytics over the filtered event set: counts, top partners, engagement intensity, and
the co-participation network of multilateral events.

Every aggregate is one SQL ``GROUP BY`` over the events that match an
:class:`~defcoop.query.EventQuery` (the same filters as ``defcoop events``); Python
only reshapes the grouped rows.

Engagement intensity (also in ``docs/analytics.md``)::

    intensity(p, y) = sum over events e with partner p dated in year y of
                      w(level(e)) * m(e)

    w: leaders 5, ministers 4, vice_ministers 3, chiefs_of_staff 3, officials 2,
       units 1, unspecified 1                      (defcoop.query.levels.LEVEL_WEIGHTS)
    m(e) = 1    when e has at most 2 foreign partners (bilateral or trilateral),
           0.5  when it has 3 or more (a multilateral setting, where p is one of many)

``intensity_summary`` adds, per partner, the mean over the years of the period
(years without events count as 0), so partners are comparable across periods.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session, aliased

from defcoop.query.events import YEAR, compile_filters, level_case
from defcoop.query.levels import ALL_LEVELS, LEVEL_WEIGHTS
from defcoop.query.model import EventQuery, QueryError
from defcoop.query.partners import PartnerDirectory
from defcoop.store import Store
from defcoop.store import models as m

E = m.Event
EP = m.EventPartner

#: Dimensions ``counts`` can group by.
DIMENSIONS = ("year", "month", "partner", "region", "kind", "level", "state")
#: Multiplier of an event with this many foreign partners or more in the intensity.
MULTILATERAL_FROM = 3
MULTILATERAL_FACTOR = 0.5


@dataclass(frozen=True, slots=True)
class CountRow:
    keys: dict[str, str]
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.keys, "count": self.count}


def _region_case(d: PartnerDirectory, session: Session) -> Any:
    codes = {c for (c,) in session.execute(select(EP.partner_code).distinct())}
    whens = [(EP.partner_code == c, d.region(c) or "unknown") for c in sorted(codes)]
    return case(*whens, else_="unknown") if whens else literal("unknown")


def _dimension(name: str, d: PartnerDirectory, session: Session) -> tuple[Any, bool]:
    """SQL expression for a dimension and whether it needs the event_partners join."""
    if name == "year":
        return func.coalesce(YEAR, "undated"), False
    if name == "month":
        return func.coalesce(func.substr(E.date, 1, 7), "undated"), False
    if name == "partner":
        return EP.partner_code, True
    if name == "region":
        return _region_case(d, session), True
    if name == "kind":
        return E.kind, False
    if name == "level":
        return level_case(), False
    if name == "state":
        return E.state, False
    raise QueryError(f"unknown dimension {name!r} (dimensions: {', '.join(DIMENSIONS)})")


def _counts(session: Session, dims: Sequence[str], q: EventQuery) -> list[CountRow]:
    if not dims:
        raise QueryError("counts: give at least one dimension")
    d = PartnerDirectory.load(session)
    conds = compile_filters(session, q.unpaged(), d)
    exprs, joins = zip(*(_dimension(n, d, session) for n in dims), strict=True)
    labelled = [e.label(f"k{i}") for i, e in enumerate(exprs)]
    # An event counts once per cell even when two of its partners fall in the same region.
    stmt = select(*labelled, func.count(func.distinct(E.id))).select_from(E)
    if any(joins):
        stmt = stmt.join(EP, EP.event_id == E.id)
    stmt = stmt.where(*conds).group_by(*labelled)
    rows = [
        CountRow({n: str(v) for n, v in zip(dims, r[:-1], strict=True)}, int(r[-1]))
        for r in session.execute(stmt)
    ]
    rows.sort(key=lambda r: tuple(r.keys[n] for n in dims))
    return rows


def counts(
    store: Store, dims: Sequence[str] | str, q: EventQuery | None = None, **filters: Any
) -> list[CountRow]:
    """Event counts grouped by ``dims`` (e.g. ``("year", "partner")``) over the filtered set.

    Multi-partner events count once in each partner's (and region's) cells.
    """
    names = [dims] if isinstance(dims, str) else list(dims)
    query = q if q is not None else EventQuery.build(**filters)
    with store.session() as s:
        return _counts(s, names, query)


@dataclass(frozen=True, slots=True)
class Pivot:
    """A two-dimensional table of counts: ``cells[row][col]``, with totals."""

    row_dim: str
    col_dim: str
    rows: list[str]
    cols: list[str]
    cells: dict[str, dict[str, int]]

    def value(self, row: str, col: str) -> int:
        return self.cells.get(row, {}).get(col, 0)

    def row_total(self, row: str) -> int:
        return sum(self.cells.get(row, {}).values())

    def col_total(self, col: str) -> int:
        return sum(self.value(r, col) for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pivot(rows: Iterable[CountRow], row_dim: str, col_dim: str) -> Pivot:
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    cols: set[str] = set()
    for r in rows:
        rk, ck = r.keys[row_dim], r.keys[col_dim]
        cells[rk][ck] = cells[rk].get(ck, 0) + r.count
        cols.add(ck)
    row_keys = sorted(cells, key=lambda k: (-sum(cells[k].values()), k))
    if row_dim in ("year", "month"):
        row_keys = sorted(cells)
    col_keys = sorted(cols)
    if col_dim == "level":
        col_keys = [lv for lv in ALL_LEVELS if lv in cols]
    return Pivot(row_dim, col_dim, row_keys, col_keys, dict(cells))


def crosstab(
    store: Store, row_dim: str, col_dim: str, q: EventQuery | None = None, **filters: Any
) -> Pivot:
    """``counts`` by two dimensions as a pivot table (e.g. partner x year)."""
    return pivot(counts(store, (row_dim, col_dim), q, **filters), row_dim, col_dim)


# --------------------------------------------------------------------------- top partners


@dataclass(frozen=True, slots=True)
class PartnerCount:
    partner: str
    name: str
    region: str | None
    count: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def top_partners(
    store: Store, n: int = 10, q: EventQuery | None = None, **filters: Any
) -> list[PartnerCount]:
    """The ``n`` partners with most events in the filtered set (ties by code)."""
    query = (q if q is not None else EventQuery.build(**filters)).unpaged()
    with store.session() as s:
        d = PartnerDirectory.load(s)
        conds = compile_filters(s, query, d)
        cnt = func.count(func.distinct(E.id))
        stmt = (
            select(EP.partner_code, cnt)
            .join(E, E.id == EP.event_id)
            .where(*conds)
            .group_by(EP.partner_code)
            .order_by(cnt.desc(), EP.partner_code)
            .limit(n)
        )
        return [
            PartnerCount(code, d.name(code), d.region(code), int(c)) for code, c in s.execute(stmt)
        ]


def top_partners_by_year(
    store: Store, n: int = 5, q: EventQuery | None = None, **filters: Any
) -> dict[str, list[PartnerCount]]:
    """For each year of the filtered set, its ``n`` top partners."""
    query = q if q is not None else EventQuery.build(**filters)
    rows = counts(store, ("year", "partner"), query)
    d = PartnerDirectory.load()
    by_year: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in rows:
        by_year[r.keys["year"]].append((r.count, r.keys["partner"]))
    return {
        y: [
            PartnerCount(code, d.name(code), d.region(code), c)
            for c, code in sorted(lst, key=lambda t: (-t[0], t[1]))[:n]
        ]
        for y, lst in sorted(by_year.items())
    }


# --------------------------------------------------------------------------- intensity


@dataclass(frozen=True, slots=True)
class Intensity:
    """Engagement intensity of one partner in one year (see the module docstring)."""

    partner: str
    year: str
    events: int
    score: float
    by_level: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _intensity(session: Session, q: EventQuery) -> list[Intensity]:
    d = PartnerDirectory.load(session)
    conds = compile_filters(session, q.unpaged(), d)
    ep2 = aliased(m.EventPartner)
    n_partners = select(func.count()).where(ep2.event_id == E.id).scalar_subquery()
    multi = case((n_partners >= MULTILATERAL_FROM, 1), else_=0)
    lv = level_case()
    stmt = (
        select(EP.partner_code, YEAR, lv, multi, func.count())
        .select_from(E)
        .join(EP, EP.event_id == E.id)
        .where(*conds, E.date.is_not(None))
        .group_by(EP.partner_code, YEAR, lv, multi)
    )
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for code, year, level, is_multi, cnt in session.execute(stmt):
        cell = acc.setdefault((code, year), {"events": 0, "score": 0.0, "by_level": {}})
        factor = MULTILATERAL_FACTOR if is_multi else 1.0
        cell["events"] += int(cnt)
        cell["score"] += LEVEL_WEIGHTS[level] * factor * int(cnt)
        cell["by_level"][level] = cell["by_level"].get(level, 0) + int(cnt)
    return [
        Intensity(
            code, year, v["events"], round(v["score"], 3), dict(sorted(v["by_level"].items()))
        )
        for (code, year), v in sorted(acc.items())
    ]


def intensity(store: Store, q: EventQuery | None = None, **filters: Any) -> list[Intensity]:
    """Engagement intensity per partner and year over the filtered (dated) events."""
    query = q if q is not None else EventQuery.build(**filters)
    with store.session() as s:
        return _intensity(s, query)


@dataclass(frozen=True, slots=True)
class IntensitySummary:
    partner: str
    name: str
    years: list[str]
    events: int
    score: float
    mean_per_year: float
    per_year: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def intensity_summary(
    store: Store, q: EventQuery | None = None, *, top: int | None = None, **filters: Any
) -> list[IntensitySummary]:
    """Per partner: total events, total score and the mean score per year of the period
    (the span of years in the filtered set; years without events count as 0)."""
    rows = intensity(store, q, **filters)
    if not rows:
        return []
    years = sorted({r.year for r in rows})
    span = [str(y) for y in range(int(years[0]), int(years[-1]) + 1)]
    d = PartnerDirectory.load()
    by_partner: dict[str, list[Intensity]] = defaultdict(list)
    for r in rows:
        by_partner[r.partner].append(r)
    out = [
        IntensitySummary(
            partner=p,
            name=d.name(p),
            years=span,
            events=sum(r.events for r in lst),
            score=round(sum(r.score for r in lst), 3),
            mean_per_year=round(sum(r.score for r in lst) / len(span), 3),
            per_year={r.year: r.score for r in lst},
        )
        for p, lst in by_partner.items()
    ]
    out.sort(key=lambda s: (-s.score, s.partner))
    return out[:top] if top else out


# --------------------------------------------------------------------------- network


def network(
    store: Store,
    q: EventQuery | None = None,
    *,
    min_partners: int = 2,
    include_japan: bool = False,
    **filters: Any,
) -> nx.Graph:
    """Co-participation graph of multilateral events (``min_partners`` foreign partners or more).

    Nodes are partner codes (``name``, ``name_ja``, ``region``, ``events``: multilateral
    events attended); an edge joins two partners that took part in the same event, with
    ``weight`` the number of such events. ``include_japan`` adds ``JPN`` joined to every
    node (Japan is a party to every event).
    """
    query = (q if q is not None else EventQuery.build(**filters)).unpaged()
    with store.session() as s:
        d = PartnerDirectory.load(s)
        conds = compile_filters(s, query, d)
        multi_ids = (
            select(EP.event_id)
            .join(E, E.id == EP.event_id)
            .where(*conds)
            .group_by(EP.event_id)
            .having(func.count() >= min_partners)
        ).subquery()
        a = m.EventPartner.__table__.alias("a")
        b = m.EventPartner.__table__.alias("b")
        pairs = s.execute(
            select(a.c.partner_code, b.c.partner_code, func.count())
            .join(b, (b.c.event_id == a.c.event_id) & (a.c.partner_code < b.c.partner_code))
            .where(a.c.event_id.in_(select(multi_ids.c.event_id)))
            .group_by(a.c.partner_code, b.c.partner_code)
        ).all()
        nodes = s.execute(
            select(EP.partner_code, func.count())
            .where(EP.event_id.in_(select(multi_ids.c.event_id)))
            .group_by(EP.partner_code)
        ).all()
        n_events = s.execute(select(func.count()).select_from(multi_ids)).scalar_one()
    g = nx.Graph(name="co-participation", events=int(n_events), min_partners=min_partners)
    for code, cnt in nodes:
        g.add_node(
            code,
            name=d.name(code),
            name_ja=d.name(code, "ja"),
            region=d.region(code) or "",
            events=int(cnt),
        )
    for x, y, cnt in pairs:
        g.add_edge(x, y, weight=int(cnt))
    if include_japan and nodes:
        g.add_node(
            "JPN", name="Japan", name_ja="日本", region="northeast_asia", events=int(n_events)
        )
        for code, cnt in nodes:
            g.add_edge("JPN", code, weight=int(cnt))
    return g


def network_json(g: nx.Graph) -> dict[str, Any]:
    """``{"graph": {...}, "nodes": [{"id", ...}], "links": [{"source", "target", "weight"}]}``."""
    data: dict[str, Any] = nx.node_link_data(g, edges="links")
    return data


def write_network(g: nx.Graph, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``g`` as GraphML (``.graphml``) or node-link JSON (``.json``)."""
    p = Path(path)
    kind = (fmt or p.suffix.lstrip(".")).lower()
    if kind == "graphml":
        nx.write_graphml(g, p)
    elif kind == "json":
        p.write_text(json.dumps(network_json(g), ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        raise QueryError(f"network format {kind!r}: use graphml or json")
    return p


def read_network(path: str | Path) -> nx.Graph:
    """Read a graph written by ``write_network`` back."""
    p = Path(path)
    if p.suffix.lower() == ".graphml":
        return nx.read_graphml(p)
    return nx.node_link_graph(json.loads(p.read_text(encoding="utf-8")), edges="links")
