"""Analytics: counts, pivots, top partners, engagement intensity, co-participation network."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from _analyst import BACKENDS, corpus_store, synthetic_store
from defcoop.query import EventQuery, QueryError
from defcoop.query import analytics as an
from defcoop.store import Store


@pytest.fixture(scope="module", params=BACKENDS)
def syn(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, dict[str, str]]]:
    yield from synthetic_store(request, tmp_path_factory)


def cells(rows: list[an.CountRow]) -> dict[tuple[str, ...], int]:
    return {tuple(r.keys.values()): r.count for r in rows}


def test_counts_year_by_partner(syn: tuple[Store, dict[str, str]]) -> None:
    store, _ = syn
    c = cells(an.counts(store, ("year", "partner")))
    assert c[("2024", "PHL")] == 3  # E2, E7, E10 (E11 is rejected)
    assert c[("2023", "PHL")] == 1  # E3
    assert c[("2024", "AUS")] == 2  # E1, E7
    assert c[("undated", "FRA")] == 1 and c[("undated", "GBR")] == 1


def test_counts_by_region_count_an_event_once_per_region(syn: tuple[Store, dict[str, str]]) -> None:
    store, _ = syn
    c = cells(an.counts(store, ("year", "region")))
    # E7 (AUS, KOR, PHL, USA) counts once in each of four regions; E9 (FRA, GBR) once in europe
    assert c[("2024", "oceania_pacific")] == 2  # E1, E7
    assert c[("2024", "americas")] == 1
    assert c[("undated", "europe")] == 1
    assert c[("2024", "southeast_asia")] == 6  # E2, E4 (ASEAN), E7, E8, E10, E13 (TLS)
    assert c[("2023", "southeast_asia")] + c[("2025", "southeast_asia")] == 3  # E3; E5, E12


def test_counts_by_kind_and_level_with_filters(syn: tuple[Store, dict[str, str]]) -> None:
    store, _ = syn
    assert cells(an.counts(store, "level", since="2025")) == {("units",): 2, ("vice_ministers",): 1}
    assert cells(an.counts(store, ("kind",), partner="PHL")) == {
        ("meeting",): 2,
        ("port_call",): 1,
        ("agreement",): 1,
    }
    pv = an.crosstab(store, "partner", "year", EventQuery.build(region="southeast_asia"))
    assert pv.rows[0] == "PHL" and pv.value("PHL", "2024") == 3 and pv.row_total("PHL") == 4
    assert pv.col_total("2025") == 2  # E5 (IDN), E12 (TLS)
    with pytest.raises(QueryError):
        an.counts(store, ("weather",))


def test_top_partners(syn: tuple[Store, dict[str, str]]) -> None:
    store, _ = syn
    top = an.top_partners(store, 3)
    assert [(t.partner, t.count) for t in top] == [("PHL", 4), ("AUS", 2), ("TLS", 2)]
    assert top[0].name == "Philippines" and top[0].region == "southeast_asia"
    by_year = an.top_partners_by_year(store, 1)
    assert [(t.partner, t.count) for t in by_year["2024"]] == [("PHL", 3)]
    assert set(by_year) == {"2023", "2024", "2025", "undated"}


def test_intensity_formula(syn: tuple[Store, dict[str, str]]) -> None:
    store, _ = syn
    rows = {(r.partner, r.year): r for r in an.intensity(store)}
    # PHL 2024: E2 chief of staff 3 + E7 ministers 4 x 0.5 (4 foreign partners) + E10 officials 2
    phl = rows[("PHL", "2024")]
    assert phl.events == 3 and phl.score == 7.0
    assert phl.by_level == {"chiefs_of_staff": 1, "ministers": 1, "officials": 1}
    assert rows[("PHL", "2023")].score == 1.0  # E3 units
    assert rows[("AUS", "2024")].score == 6.0  # E1 ministers 4 + E7 4 x 0.5
    assert rows[("IND", "2024")].score == 5.0  # E6 leaders
    assert ("FRA", "undated") not in rows  # undated events are left out
    summary = {s.partner: s for s in an.intensity_summary(store)}
    assert summary["PHL"].years == ["2023", "2024", "2025"]
    assert summary["PHL"].score == 8.0 and summary["PHL"].mean_per_year == pytest.approx(
        8 / 3, abs=1e-3
    )
    assert an.intensity_summary(store, top=1)[0].partner == "PHL"


def test_network(syn: tuple[Store, dict[str, str]], tmp_path: Path) -> None:
    store, _ = syn
    g = an.network(store)
    # multilateral events: E7 (AUS, KOR, PHL, USA) and E9 (FRA, GBR)
    assert g.graph["events"] == 2
    assert set(g.nodes) == {"AUS", "KOR", "PHL", "USA", "FRA", "GBR"}
    assert g.number_of_edges() == 7 and g["AUS"]["PHL"]["weight"] == 1
    assert g.nodes["PHL"]["name"] == "Philippines" and g.nodes["PHL"]["events"] == 1
    assert an.network(store, min_partners=3).number_of_nodes() == 4
    with_jp = an.network(store, include_japan=True)
    assert with_jp.has_edge("JPN", "GBR")
    for suffix in ("graphml", "json"):
        path = an.write_network(g, tmp_path / f"net.{suffix}")
        back = an.read_network(path)
        assert set(back.nodes) == set(g.nodes)
        assert {tuple(sorted(e)) for e in back.edges} == {tuple(sorted(e)) for e in g.edges}
    data = json.loads((tmp_path / "net.json").read_text("utf-8"))
    assert {"nodes", "links"} <= set(data)
    with pytest.raises(QueryError):
        an.write_network(g, tmp_path / "net.png")


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return corpus_store(request, tmp_path_factory)


def test_corpus_analytics_are_consistent(corpus: Store) -> None:
    year_kind = an.counts(corpus, ("year", "kind"), since="2024", until="2024")
    total = sum(r.count for r in year_kind)
    from defcoop.query import facets

    assert total == facets(corpus, since="2024", until="2024").total > 100
    top = an.top_partners(corpus, 5, since="2024", until="2024")
    assert len(top) == 5 and top[0].count >= top[-1].count
    g = an.network(corpus, since="2024")
    assert g.number_of_nodes() > 5 and g.has_edge("AUS", "USA")


def test_cli_stats(sqlite_corpus: Store, tmp_path: Path) -> None:
    corpus = sqlite_corpus
    from typer.testing import CliRunner

    from defcoop.cli import app

    runner = CliRunner()
    db = ["--db", corpus.url]
    res = runner.invoke(
        app,
        ["stats", "counts", "--by", "year", "--by", "region", "--since", "2024", *db, "-f", "csv"],
    )
    assert res.exit_code == 0 and res.output.startswith("region,")
    res = runner.invoke(app, ["stats", "top", "-n", "3", "--since", "2024", *db, "-f", "json"])
    assert res.exit_code == 0 and len(json.loads(res.output)) == 3
    res = runner.invoke(app, ["stats", "top", "-n", "1", "--per-year", *db, "-f", "json"])
    assert res.exit_code == 0 and {r["rank"] for r in json.loads(res.output)} == {1}
    res = runner.invoke(app, ["stats", "intensity", "--top", "5", *db])
    assert res.exit_code == 0 and "score" in res.output
    out = tmp_path / "net.graphml"
    res = runner.invoke(app, ["stats", "network", "-o", str(out), "--since", "2024", *db])
    assert res.exit_code == 0 and out.exists()
    assert runner.invoke(app, ["stats", "counts", "--by", "weather", *db]).exit_code == 2


@pytest.fixture(scope="module")
def sqlite_corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Store:
    return corpus_store(request, tmp_path_factory, "sqlite")
