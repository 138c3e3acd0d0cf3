"""The trigger-kept tallies equal a recount after every kind of write, on both backends."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from defcoop.ingest import ingest_paths
from defcoop.store import Store, tally
from defcoop.store import models as m
from defcoop.store.engine import create_store_engine, resolve_url
from defcoop.store.migrate import upgrade

CODES = ["USA", "AUS", "PHL", "IND", "GBR", "ASEAN"]
KINDS = ["meeting", "exercise", "visit", "agreement"]
ROLES = [None, "MOD_MIN", "CHOD", "MOD_SVM"]


def assert_consistent(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = tally.differences(conn)
    assert diff == {}, {t: dict(list(d.items())[:5]) for t, d in diff.items()}


def _dates(rng: random.Random) -> tuple[dt.date | None, dt.date | None]:
    if rng.random() < 0.1:
        return None, None
    d = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))
    if rng.random() < 0.2:  # a span across years
        return d, d + dt.timedelta(days=400)
    return d, d


def _event_values(i: int, rng: random.Random) -> dict[str, object]:
    d_from, d_to = _dates(rng)
    return {
        "id": f"ev{i:04d}",
        "kind": rng.choice(KINDS),
        "state": rng.choice(["automatic", "automatic", "verified", "rejected"]),
        "jp_role": rng.choice(ROLES),
        "date": d_from.isoformat() if d_from else None,
        "date_from": d_from,
        "date_to": d_to,
        "precision": "day" if d_from else "unresolved",
        "quote": f"q{i}",
    }


def test_corpus_tallies_match(store: Store, corpus_dir: Path) -> None:
    ingest_paths(store, [corpus_dir])
    assert_consistent(store)
    with store.engine.connect() as conn:
        n_events = conn.scalar(select(func.count()).select_from(m.Event))
        total = conn.scalar(
            select(func.sum(tally.tally_events.c.n)).where(tally.tally_events.c.partner == "")
        )
    assert total == n_events > 300


def test_every_write_path_keeps_tallies(store: Store) -> None:
    rng = random.Random(7)
    with store.session() as s:
        for i in range(60):
            ev = m.Event(**_event_values(i, rng))
            ev.partners = [
                m.EventPartner(partner_code=c) for c in rng.sample(CODES, rng.choice([0, 1, 2, 3]))
            ]
            s.add(ev)
    assert_consistent(store)

    # Core: several partners of one event in one multi-row statement.
    with store.engine.begin() as conn:
        conn.execute(insert(m.Event), [_event_values(i, rng) for i in range(60, 70)])
        conn.execute(
            insert(m.EventPartner),
            [{"event_id": f"ev{i:04d}", "partner_code": c} for i in range(60, 70) for c in CODES],
        )
    assert_consistent(store)

    # Every key column changed, one row and many rows per statement.
    with store.engine.begin() as conn:
        conn.execute(update(m.Event).where(m.Event.id == "ev0001").values(kind="visit"))
        conn.execute(
            update(m.Event).where(m.Event.id.in_(["ev0002", "ev0003"])).values(state="corrected")
        )
        conn.execute(update(m.Event).where(m.Event.id < "ev0010").values(jp_role="PM"))
        conn.execute(
            update(m.Event)
            .where(m.Event.id == "ev0004")
            .values(date_from=dt.date(1999, 5, 1), date_to=dt.date(2001, 1, 1))
        )
        conn.execute(update(m.Event).where(m.Event.id == "ev0005").values(merged_into_id="ev0006"))
        conn.execute(update(m.Event).where(m.Event.id == "ev0007").values(quote="unrelated"))
    assert_consistent(store)

    # ORM: replace an event's partners, curate through the session, merge.
    with store.session() as s:
        ev = s.get(m.Event, "ev0008")
        assert ev is not None
        ev.partners = [m.EventPartner(partner_code="NZL"), m.EventPartner(partner_code="USA")]
        ev.state = "verified"
        ev2 = s.get(m.Event, "ev0009")
        assert ev2 is not None
        ev2.merged_into_id = "ev0008"
    assert_consistent(store)

    # Deletes: partners in bulk (several of one event in one statement), then events,
    # including one that others were merged into (ON DELETE SET NULL updates them).
    with store.engine.begin() as conn:
        conn.execute(
            delete(m.EventPartner).where(m.EventPartner.event_id.in_(["ev0060", "ev0061"]))
        )
        conn.execute(delete(m.Event).where(m.Event.id.in_(["ev0062", "ev0063", "ev0006"])))
    with store.session() as s:
        gone = s.get(m.Event, "ev0008")
        assert gone is not None
        s.delete(gone)
    assert_consistent(store)


def test_partner_rows_are_not_updated_in_place(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(m.Event), [_event_values(1, random.Random(1))])
        conn.execute(insert(m.EventPartner), [{"event_id": "ev0001", "partner_code": "USA"}])
    with pytest.raises(DBAPIError, match="never updated in place"), store.engine.begin() as conn:
        conn.execute(update(m.EventPartner).values(partner_code="AUS"))
    with store.engine.begin() as conn:  # other columns may change
        conn.execute(update(m.EventPartner).values(rule="curated"))
    assert_consistent(store)


def test_failed_transaction_leaves_tallies_unchanged(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(m.Event), [_event_values(1, random.Random(1))])
    before = None
    with store.engine.connect() as conn:
        before = tally.stored(conn)
    with pytest.raises(RuntimeError), store.engine.begin() as conn:
        conn.execute(insert(m.Event), [_event_values(2, random.Random(2))])
        conn.execute(insert(m.EventPartner), [{"event_id": "ev0002", "partner_code": "USA"}])
        raise RuntimeError("abort")
    with store.engine.connect() as conn:
        assert tally.stored(conn) == before


def test_upgrade_counts_existing_events(empty_db_url: str) -> None:
    engine = create_store_engine(resolve_url(empty_db_url))
    try:
        upgrade(engine, "0001")
        rng = random.Random(3)
        with engine.begin() as conn:
            conn.execute(insert(m.Event), [_event_values(i, rng) for i in range(30)])
            conn.execute(
                insert(m.EventPartner),
                [
                    {"event_id": f"ev{i:04d}", "partner_code": c}
                    for i in range(30)
                    for c in rng.sample(CODES, i % 4)
                ],
            )
        upgrade(engine)
        with engine.connect() as conn:
            assert tally.differences(conn) == {}
            assert sum(tally.stored(conn)["tally_pairs"].values()) > 0
    finally:
        engine.dispose()
