"""The knowledge base on the bundled corpus (SQLite and PostgreSQL): who held the defense
minister's post, name variants, deduplication counts and verification axes.

The corpus is extracted once per test session and written to each fresh store, so the
test measures the knowledge base rather than re-running extraction.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from defcoop.cli import app
from defcoop.ingest import Extracted, extract_path, write_extracted
from defcoop.kb import dedup
from defcoop.kb.axes import axes_of
from defcoop.kb.people import list_tenures, who_held
from defcoop.kb.resolve import resolve
from defcoop.readers import iter_paths
from defcoop.store import Store
from defcoop.store import models as m

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


@pytest.fixture(scope="module")
def extracted() -> list[Extracted]:
    return [extract_path(str(p)) for p in iter_paths([CORPUS])]


def test_corpus_knowledge_base(db_url: str, extracted: list[Extracted]) -> None:
    with Store.open(db_url) as store:
        for item in extracted:
            assert write_extracted(store, item).status == "new"
        before = dedup.counts(store)
        report = resolve(store)
        after = dedup.counts(store)
        # -- deduplication: one event, many reports ------------------------------------------
        assert after["reports"] == before["reports"] == report.dedup.reports
        assert after["events"] == report.dedup.events < before["events"]
        print(f"\ncorpus: {before['reports']} reports -> {after['events']} events; "
              f"merges by rule {report.dedup.by_rule}; persons {report.people.persons}, "
              f"tenures {report.people.tenures}, mentions {report.people.mentions}")  # fmt: skip
        with store.session() as s:
            jasmine = s.scalars(
                select(m.Event).where(m.Event.doc_key.like("000_%"), m.Event.date == "2023-11-15")
            ).one()
        sources = dedup.evidence_bundle(store, jasmine.id)
        # the 8th Japan-ASEAN defence ministers' meeting is told in 000_ and again in 002_
        assert {s.doc_key[:3] for s in sources} >= {"000", "002"}
        # -- tenures ----------------------------------------------------------------------------
        assert [h.name for h in who_held(store, "MOD_MIN", "JPN", "2024-09")] == ["木原"]
        assert [h.name for h in who_held(store, "MOD_MIN", "JPN", "2024-10")] == ["中谷"]
        kihara = list_tenures(store, role="MOD_MIN", country="JPN", name="木原")[0]
        assert kihara.start is not None and kihara.start <= "2024-05" and kihara.end == "2024-09"
        assert "marked (当時)" in (kihara.note or "")
        assert [h.name for h in who_held(store, "PM", "JPN", "2024-06")] == ["岸田"]
        assert [h.name for h in who_held(store, "PM", "JPN", "2025-01")] == ["石破"]
        shin = who_held(store, "DEF_MIN", "KOR", "2024-07")
        assert [h.name for h in shin] == ["申源湜"] and "申" in shin[0].variants
        # -- verification axes ------------------------------------------------------------------
        with store.session() as s:
            talk = s.scalars(
                select(m.Event).where(
                    m.Event.jp_name == "木原", m.Event.date == "2024-05", m.Event.kind == "meeting"
                )
            ).first()
            assert talk is not None
            unnamed = s.scalars(
                select(m.Event).where(
                    m.Event.jp_role == "PM", m.Event.jp_name.is_(None), m.Event.date == "2024-06"
                )
            ).first()
        ax = axes_of(store, talk.id)
        assert set(ax) == {"source", "date", "partners", "principal", "role", "counterpart"}
        assert ax["role"] == {"status": "automatic", "rule": "tenure:inferred", "cue": "(当時)"}
        assert ax["date"]["status"] == "automatic" and ax["date"]["rule"]
        if unnamed is not None:  # 首脳会談 names no one: the tenure registry does
            assert axes_of(store, unnamed.id)["role"]["cue"] == "held by 岸田"
        # -- resolve is idempotent ----------------------------------------------------------------
        again = resolve(store)
        assert again.dedup.changed == 0 and again.axes.changed == 0
        assert not again.registry.changed
    # -- the command ---------------------------------------------------------------------------------
    res = CliRunner().invoke(
        app, ["people", "--role", "MOD_MIN", "--country", "JPN", "--as-of", "2024-09", "--json",
              "--db", db_url],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert [h["name"] for h in json.loads(res.output)] == ["木原"]
    res = CliRunner().invoke(
        app, ["people", "--role", "MOD_MIN", "--country", "JPN", "--as-of", "2022", "--db", db_url]
    )
    assert res.exit_code == 0 and "nobody attested" in res.output and "木原" in res.output
    res = CliRunner().invoke(app, ["people", "--as-of", "2024-13", "--db", db_url])
    assert res.exit_code == 2 and "2024-13" in res.output
