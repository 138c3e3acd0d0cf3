"""Totals, facets and pages read from the tallies equal counting and sorting the events.

A random store of a few hundred events (undated ones, spans across years, every state,
merged events, roles outside the level table, 0-3 partners) on both backends; random
filter combinations are answered both ways.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, select

from _analyst import corpus_store
from conftest import BACKENDS, TEMPLATE_DB
from defcoop.query import EventQuery, iter_events, search_events, tallies
from defcoop.query.events import TOTAL_BOUND, _search, compile_filters, exact_facets
from defcoop.query.partners import PartnerDirectory
from defcoop.store import Store
from defcoop.store import models as m

CODES = ["USA", "AUS", "PHL", "IND", "GBR", "VNM", "TLS", "ASEAN"]
KINDS = ["meeting", "exercise", "visit", "agreement", "port_call"]
ROLES = [None, "PM", "MOD_MIN", "MOD_SVM", "CHOD", "GSDF_COS", "MOD", "NOT_A_ROLE"]
STATES = ["automatic"] * 6 + ["verified", "corrected", "rejected", "manual"]


def _rows(n: int, seed: int = 11) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    events, partners = [], []
    for i in range(n):
        r = rng.random()
        if r < 0.08:
            iso, d_from, d_to = None, None, None
        else:
            d = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(15 * 365))
            if r < 0.2:
                iso, d_from, d_to = f"{d.year}", dt.date(d.year, 1, 1), dt.date(d.year, 12, 31)
            elif r < 0.25:  # a span into the next years
                iso, d_from, d_to = d.isoformat(), d, d + dt.timedelta(days=rng.randrange(300, 900))
            else:
                iso, d_from, d_to = d.isoformat(), d, d
        events.append(
            {
                "id": f"e{i:05d}",
                "doc_key": rng.choice(["a", "b", "c"]),
                "line": rng.randrange(1, 50),
                "kind": rng.choice(KINDS),
                "state": rng.choice(STATES),
                "jp_role": rng.choice(ROLES),
                "date": iso,
                "date_from": d_from,
                "date_to": d_to,
                "precision": "day" if iso else "unresolved",
                "quote": f"q{i}",
                "merged_into_id": "e00000" if i and rng.random() < 0.03 else None,
            }
        )
        for c in rng.sample(CODES, rng.choice([0, 1, 1, 1, 2, 3])):
            partners.append({"event_id": f"e{i:05d}", "partner_code": c})
    return events, partners


@pytest.fixture(scope="module", params=BACKENDS)
def rand(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('tallies') / 'rand.db'}"
    else:
        server = request.getfixturevalue("pg_server")
        name = server.create_db(TEMPLATE_DB)
        url, drop = server.url(name), (server, name)
    store = Store.open(url)
    events, partners = _rows(700)
    with store.engine.begin() as conn:
        conn.execute(insert(m.Event), events)
        conn.execute(insert(m.EventPartner), partners)
    try:
        yield store
    finally:
        store.close()
        if drop is not None:
            with contextlib.suppress(Exception):
                drop[0].drop_db(drop[1])


def _queries(seed: int, n: int) -> list[EventQuery]:
    rng = random.Random(seed)
    out = [EventQuery(), EventQuery.build(state="all"), EventQuery.build(include_merged=True)]
    for _ in range(n):
        f: dict[str, Any] = {}
        if rng.random() < 0.5:
            f["partner"] = rng.choice(CODES)
        if rng.random() < 0.3:
            f["kind"] = rng.sample(KINDS, rng.choice([1, 2]))
        if rng.random() < 0.3:
            f["level"] = rng.choice(["ministers", "vice_ministers", "unspecified", "leaders"])
        if rng.random() < 0.1:
            f["service"] = "gsdf"
        if rng.random() < 0.1:
            f["role"] = "MOD_MIN"
        if rng.random() < 0.4:
            f["since"] = str(rng.randint(2009, 2026))
        if rng.random() < 0.3:
            f["until"] = rng.choice([str(rng.randint(2010, 2025)), "2020-12", "2018-12-31"])
        if rng.random() < 0.2:
            f["state"] = rng.sample(["automatic", "verified", "rejected", "all"], 2)
        if rng.random() < 0.1:
            f["include_merged"] = True
        out.append(EventQuery.build(**f))
    return out


def test_plan_covers_tally_dimensions_only() -> None:
    d = PartnerDirectory.load()
    assert tallies.plan(EventQuery.build(partner="USA", since="2020", until="2021-12"), d)
    assert tallies.plan(EventQuery.build(since="2020-01-01", level="ministers"), d)
    for q in (
        EventQuery.build(partner="USA,AUS"),
        EventQuery.build(since="2020-03"),
        EventQuery.build(until="2020-06-30"),
        EventQuery.build(region="southeast_asia"),
        EventQuery.build(group="ASEAN"),
        EventQuery.build(text="訓練"),
        EventQuery.build(doc="a"),
        EventQuery.build(pillar=1),
    ):
        assert tallies.plan(q, d) is None, q


def test_tally_facets_and_totals_equal_counting(rand: Store) -> None:
    covered = 0
    with rand.session() as s:
        d = PartnerDirectory.load(s)
        for q in _queries(5, 120):
            plan = tallies.plan(q, d)
            if plan is None:
                continue
            covered += 1
            exact = exact_facets(s, compile_filters(s, q.unpaged(), d))
            assert tallies.facets(s, plan) == exact, q
            assert tallies.total(s, plan) == exact.total, q
    assert covered > 80


def test_pages_equal_sorting_every_row(rand: Store) -> None:
    for q in _queries(9, 40):
        for sort in ("date", "-date", "kind"):
            full = [e.id for e in iter_events(rand, q.replace(sort=sort))]
            for page in (1, 2, 5):
                got = search_events(rand, q.replace(sort=sort, limit=13, page=page))
                assert [e.id for e in got.items] == full[(page - 1) * 13 : page * 13], (q, sort)
                assert got.total == len(full) and got.total_exact


def test_both_partner_forms_give_the_same_rows(rand: Store) -> None:
    with rand.session() as s:
        d = PartnerDirectory.load(s)
        for code in CODES:
            q = EventQuery.build(partner=code, since="2012")
            ids = []
            for walk in (False, True):
                conds = compile_filters(s, q, d, walk=walk)
                ids.append(sorted(s.scalars(select(m.Event.id).where(*conds))))
            assert ids[0] == ids[1] and ids[0]


def test_uncovered_total_is_bounded(rand: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("defcoop.query.events.TOTAL_BOUND", 50)
    q = EventQuery.build(doc="a,b,c", limit=10)  # not covered: counted, up to the bound
    with rand.session() as s:
        page = _search(s, q)
        n = len(iter_events(rand, q))
    assert n > 60
    assert not page.total_exact and page.total == 50 and page.has_next
    assert page.total_label == "50+"
    with rand.session() as s:  # deep pages still know whether a next page exists
        last = _search(s, q.replace(page=-(-n // 10)))
    assert last.total_exact and last.total == n and not last.has_next
    assert TOTAL_BOUND == 10_000


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return corpus_store(request, tmp_path_factory)


@pytest.mark.parametrize("text", ["共同訓練", "防衛相会談 フィリピン", "Australia", "訓練"])
def test_text_forms_counts_and_pages_agree(corpus: Store, text: str) -> None:
    with corpus.session() as s:
        d = PartnerDirectory.load(s)
        q = EventQuery.build(text=text)
        ids = [
            sorted(s.scalars(select(m.Event.id).where(*compile_filters(s, q, d, walk=w))))
            for w in (False, True)
        ]
        assert ids[0] == ids[1] and ids[0]
    for extra in ({}, {"partner": "PHL"}, {"since": "2024-03"}):
        full = [e.id for e in iter_events(corpus, EventQuery.build(text=text, **extra))]
        for page in (1, 2):
            got = search_events(corpus, EventQuery.build(text=text, limit=7, page=page, **extra))
            assert [e.id for e in got.items] == full[(page - 1) * 7 : page * 7]
            assert got.total == len(full) and got.total_exact
