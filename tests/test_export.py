"""Exports: every table in every format reads back to the same rows; codes and dictionary."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from _analyst import BACKENDS, ROOT, corpus_store, synthetic_store
from defcoop import exports as ex
from defcoop.query import EventQuery, QueryError
from defcoop.store import Store


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return corpus_store(request, tmp_path_factory)


@pytest.fixture(scope="module", params=BACKENDS)
def syn(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, dict[str, str]]]:
    yield from synthetic_store(request, tmp_path_factory)


@pytest.fixture(scope="module")
def corpus_rows(corpus: Store) -> dict[str, list[dict[str, object]]]:
    return {t: ex.table_rows(corpus, t) for t in ex.TABLES}


@pytest.mark.parametrize("fmt", ex.FORMATS)
def test_every_table_round_trips(
    corpus: Store, corpus_rows: dict[str, list[dict[str, object]]], fmt: str, tmp_path: Path
) -> None:
    for table, rows in corpus_rows.items():
        assert rows, f"{table} is empty"
        path = ex.write_table(table, rows, tmp_path / f"{table}.{fmt}")
        back = ex.read_table(path)
        assert back == rows, f"{table}.{fmt} does not read back to the same rows"


def test_export_writes_one_file_per_table(
    syn: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, _ = syn
    paths = ex.export(store, tmp_path, fmt="jsonl")
    assert [p.name for p in paths] == [f"{t}.jsonl" for t in ex.TABLES]
    for p in paths:
        assert ex.read_table(p) == ex.table_rows(store, p.stem)


def test_event_columns_and_codes(syn: tuple[Store, dict[str, str]]) -> None:
    store, ids = syn
    rows = {r["event_id"]: r for r in ex.table_rows(store, "events")}
    assert ids["E11"] not in rows  # rejected
    assert [c.name for c in ex.SCHEMAS["events"]] == list(next(iter(rows.values())))
    e6 = rows[ids["E6"]]  # phone call between leaders
    assert (e6["plover_event_type"], e6["cameo_root"], e6["cameo_code"]) == ("CONSULT", "04", "041")
    assert (e6["level"], e6["year"], e6["partners"], e6["partner_names"]) == (
        "leaders",
        2024,
        ["IND"],
        ["India"],
    )
    e1 = rows[ids["E1"]]
    assert (
        e1["cameo_code"] == "040"
        and e1["sentence"].startswith("2024年5月、木原防衛大臣")
        and e1["n_sources"] == 1
    )
    e5 = rows[ids["E5"]]
    assert (e5["plover_event_type"], e5["plover_mode"], e5["cameo_root"], e5["cameo_code"]) == (
        "COOPERATE",
        "military",
        "06",
        "062",
    )
    assert e5["state"] == "corrected" and e5["service"] == "gsdf"
    assert (
        rows[ids["E10"]]["plover_event_type"] == "AGREE" and rows[ids["E10"]]["cameo_code"] == "057"
    )
    assert rows[ids["E8"]]["cameo_root"] == "07" and rows[ids["E8"]]["date_to"] == "2025-02-28"
    e9 = rows[ids["E9"]]  # other, undated, two partners
    assert e9["plover_event_type"] is None and e9["cameo_root"] is None and e9["year"] is None
    assert (
        e9["multilateral"] is True
        and e9["regions"] == ["europe"]
        and e9["precision"] == "unresolved"
    )
    e7 = rows[ids["E7"]]
    assert e7["partner_countries"] == ["AUS", "KOR", "PHL", "USA"] and e7["partner_orgs"] == []
    assert (
        rows[ids["E4"]]["partner_orgs"] == ["ASEAN"] and rows[ids["E4"]]["partner_countries"] == []
    )


def test_filters_select_events_and_their_children(syn: tuple[Store, dict[str, str]]) -> None:
    store, ids = syn
    q = EventQuery.build(partner="PHL")
    events = ex.table_rows(store, "events", q)
    assert {r["event_id"] for r in events} == {ids[k] for k in ("E2", "E3", "E7", "E10")}
    evidence = ex.table_rows(store, "evidence", q)
    assert {r["event_id"] for r in evidence} == {r["event_id"] for r in events}
    assert all(
        r["doc_key"] == "synthetic_analyst" and r["rules"]["kind"].startswith("test:")
        for r in evidence
    )


def test_csv_layout(syn: tuple[Store, dict[str, str]], tmp_path: Path) -> None:
    store, ids = syn
    path = ex.export(store, tmp_path, tables=["events"], fmt="csv")[0]
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # no BOM
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    e7 = next(r for r in rows if r["event_id"] == ids["E7"])
    assert e7["partners"] == "AUS;KOR;PHL;USA" and e7["multilateral"] == "true" and e7["end"] == ""


def test_jsonl_is_native_json(syn: tuple[Store, dict[str, str]], tmp_path: Path) -> None:
    store, _ = syn
    path = ex.export(store, tmp_path, tables=["evidence"], fmt="jsonl")[0]
    first = json.loads(path.read_text("utf-8").splitlines()[0])
    assert isinstance(first["rules"], dict) and isinstance(first["segment_id"], int)


def test_parquet_types(syn: tuple[Store, dict[str, str]], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    store, _ = syn
    path = ex.export(store, tmp_path, tables=["events"], fmt="parquet")[0]
    schema = pq.read_schema(path)
    assert str(schema.field("partners").type) in ("list<item: string>", "list<element: string>")
    assert (
        str(schema.field("year").type) == "int64"
        and str(schema.field("multilateral").type) == "bool"
    )
    assert schema.field("cameo_root").metadata[b"description"].startswith(b"CAMEO root code")


def test_bad_format_and_table(syn: tuple[Store, dict[str, str]], tmp_path: Path) -> None:
    store, _ = syn
    with pytest.raises(QueryError):
        ex.export(store, tmp_path, fmt="sav")
    with pytest.raises(QueryError):
        ex.table_rows(store, "people")


def test_codes_table_covers_every_kind() -> None:
    from defcoop.query import KINDS

    table = ex.codes_table()
    assert set(table) == set(KINDS)
    for kind, row in table.items():
        if row.get("cameo_code"):
            assert row["cameo_code"].startswith(row["cameo_root"]), kind
            assert row["plover"] in ("CONSULT", "COOPERATE", "AID", "AGREE")


def test_data_dictionary_documents_every_column() -> None:
    doc = (ROOT / "docs" / "data-dictionary.md").read_text("utf-8")
    for table, cols in ex.SCHEMAS.items():
        section = doc.split(f"### `{table}`", 1)
        assert len(section) == 2, f"no section for {table}"
        body = section[1].split("\n### ", 1)[0]
        documented = set(re.findall(r"^\| `([a-z_]+)` \|", body, flags=re.M))
        assert documented == {c.name for c in cols}, (
            f"{table}: {documented ^ {c.name for c in cols}}"
        )
    for kind in ex.codes_table():
        assert f"| `{kind}` |" in doc


def test_cli_export(sqlite_corpus: Store, tmp_path: Path) -> None:
    corpus = sqlite_corpus
    from typer.testing import CliRunner

    from defcoop.cli import app

    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "export",
            str(tmp_path),
            "-f",
            "parquet",
            "-t",
            "events",
            "--partner",
            "IND",
            "--db",
            corpus.url,
        ],
    )
    assert res.exit_code == 0, res.output
    rows = ex.read_table(tmp_path / "events.parquet")
    assert rows and all("IND" in r["partners"] for r in rows)
    assert (
        runner.invoke(app, ["export", str(tmp_path), "-t", "people", "--db", corpus.url]).exit_code
        == 2
    )


@pytest.fixture(scope="module")
def sqlite_corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Store:
    return corpus_store(request, tmp_path_factory, "sqlite")
