"""The set-based writes of ingest and of the knowledge-base pass (SQLite and PostgreSQL):
rows written in bulk are the rows the ORM would have written, paging does not change
what the pass computes, and optimistic locking still refuses a stale edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from defcoop.frameworks import shared_views
from defcoop.frameworks._text import DocText
from defcoop.ingest import ingest_paths
from defcoop.kb import axes, curation, dedup
from defcoop.kb._bulk import update_event_rows
from defcoop.kb.curation import StaleEditError
from defcoop.kb.resolve import resolve
from defcoop.store import Store
from defcoop.store import models as m

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _events(store: Store) -> list[tuple[Any, ...]]:
    with store.session() as s:
        rows = s.execute(
            select(
                m.Event.id, m.Event.version, m.Event.axes, m.Event.provenance,
                m.Event.merged_into_id, m.Event.merge_reason,
            ).order_by(m.Event.id)
        ).all()  # fmt: skip
    return [tuple(r) for r in rows]


def _participants(store: Store) -> list[tuple[Any, ...]]:
    with store.session() as s:
        rows = s.execute(
            select(m.Participant.id, m.Participant.person_id).order_by(m.Participant.id)
        ).all()
    return [tuple(r) for r in rows]


def test_small_pages_give_the_same_knowledge_base(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Axes are computed a page of events at a time and reports are streamed: the result
    does not depend on the page size (a page of 3 crosses every boundary there is)."""
    ingest_paths(store, sorted(CORPUS.glob("*.txt")))
    full = _events(store), _participants(store)
    assert any(a for _i, _v, a, *_r in full[0])
    assert any(r[4] for r in full[0]), "the corpus has merged reports"

    with store.write_session() as s:  # forget what the pass wrote
        s.execute(m.Event.__table__.update().values(axes={}, merged_into_id=None))
    monkeypatch.setattr(axes, "PAGE", 3)
    monkeypatch.setattr(dedup, "_STREAM", 2)
    resolve(store)
    again = _events(store), _participants(store)
    strip = [(i, a, p, mi, mr) for i, _v, a, p, mi, mr in full[0]]
    assert [(i, a, p, mi, mr) for i, _v, a, p, mi, mr in again[0]] == strip
    assert again[1] == full[1]


def test_bulk_update_bumps_the_version_and_refuses_a_stale_edit(store: Store) -> None:
    ingest_paths(store, [CORPUS / "001_965bdcae5678aeac.txt"])
    with store.session() as s:
        ev = s.scalars(select(m.Event).order_by(m.Event.id).limit(1)).one()
    loaded = ev.version
    with store.write_session() as s:
        update_event_rows(s, [{"_id": ev.id, "merge_reason": None, "merged_into_id": None}])
    with store.session() as s:
        row = s.get_one(m.Event, ev.id)
        assert row.version == loaded + 1
        assert row.updated_at is not None
    with pytest.raises(StaleEditError):
        curation.correct(
            store, "event", ev.id, "location", "横須賀", user="carol", expected_version=loaded
        )
    fixed = curation.correct(
        store, "event", ev.id, "location", "横須賀", user="carol", expected_version=loaded + 1
    )
    assert fixed.version == loaded + 2


def test_documents_are_normalized_once_per_block_and_lazily() -> None:
    text = "ＡＳＥＡＮ\n日本\n"
    with shared_views():
        a, b = DocText("a", text), DocText("b", text)
        assert a.norm is b.norm  # one view per text within the block
    c = DocText("c", text)
    assert c.find_original("日本") is not None and c._norm is None  # found in the original
    assert c.text == "ASEAN\n日本\n" and c.line_of(6) == 2
