"""Agreements over time: history, status on a date, the matrix and `defcoop agreements`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from defcoop.cli import app
from defcoop.cli.agreements import history_from_paths
from defcoop.extract.status_statements import StatusStatement
from defcoop.kb.agreements import (
    AgreementHistory,
    HistoryEntry,
    Source,
    build_history,
    check_date,
)
from defcoop.records import Event, Evidence

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
STATUSES = {"substantially_agreed", "signed", "in_force", None}

# Typed from the text of 003_080ee2400643355f.txt, lines 28, 37 and 46 (April 2025).
EXPECTED_003 = {
    "RAA": {"AUS": "in_force", "GBR": "in_force", "PHL": "signed"},
    "ACSA": {
        **dict.fromkeys(["USA", "AUS", "GBR", "CAN", "FRA", "IND", "DEU"], "in_force"),
        "ITA": "signed",
    },
    "ETA": dict.fromkeys(
        [
            "USA",
            "GBR",
            "AUS",
            "IND",
            "PHL",
            "FRA",
            "DEU",
            "MYS",
            "ITA",
            "IDN",
            "VNM",
            "THA",
            "SWE",
            "SGP",
            "ARE",
            "MNG",
        ],
        "in_force",
    ),
}


def ev(
    partners: list[str],
    typ: str,
    status: str,
    date: str | None,
    doc: str = "t",
    line: int = 1,
) -> Event:
    return Event(
        doc=doc,
        line=line,
        kind="agreement",
        date=date,
        partners=partners,
        agreement={"type": typ, "status": status},
        quote=f"{typ} {status}",
        evidence=Evidence(doc, line * 10, line * 10 + 5, line, rules={"kind": "agreement:test"}),
    )


def st(
    partner: str, typ: str, status: str, as_of: str, doc: str = "s", line: int = 1
) -> StatusStatement:
    return StatusStatement(
        as_of=as_of,
        agreement_type=typ,
        partner=partner,
        status=status,
        doc=doc,
        start=0,
        end=5,
        line=line,
        quote="…",
    )


# --------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def corpus_history() -> AgreementHistory:
    h, errors = history_from_paths([CORPUS])
    assert errors == []
    return h


@pytest.mark.parametrize("source", ["files", "store"])
def test_cli_matrix_2025_04_equals_the_lists_of_003(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("DEFCOOP_DB", db)  # never a developer's ./defcoop.db
    if source == "store":
        from defcoop.ingest import ingest_paths
        from defcoop.store import Store

        store = Store.open(db)
        ingest_paths(store, [CORPUS])
        store.close()
    res = CliRunner().invoke(app, ["agreements", "--as-of", "2025-04", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["partner"] for r in rows] == sorted(r["partner"] for r in rows)
    for r in rows:
        assert list(r) == ["partner", "RAA", "ACSA", "ETA", "ISA", "MOU"]
        assert set(r.values()) - {r["partner"]} <= STATUSES
        assert any(r[t] for t in ("RAA", "ACSA", "ETA", "ISA", "MOU"))
    for typ, expected in EXPECTED_003.items():
        got = {r["partner"]: r[typ] for r in rows if r[typ] is not None}
        assert got == expected, typ


def test_isa_and_mou_cells_come_from_dated_events_of_004(corpus_history: AgreementHistory) -> None:
    rows = corpus_history.matrix("2025-04")
    cells = [(r["partner"], t) for r in rows for t in ("ISA", "MOU") if r[t]]
    assert cells, "the 004 events give ISA and MOU statuses"
    for partner, typ in cells:
        sources = corpus_history.history(partner, typ)
        assert any(e.kind == "event" and e.source.doc.startswith("004_") for e in sources)


def test_italy_acsa_before_and_after_its_signature(corpus_history: AgreementHistory) -> None:
    # 004 line 79: "同年11月、…日伊ACSAが署名され" (2024-11)
    assert corpus_history.status_on("ITA", "ACSA", "2024-10") is None
    assert corpus_history.status_on("ITA", "ACSA", "2024-11") == "signed"
    assert corpus_history.status_on("ITA", "ACSA", "2025-04") == "signed"


def test_philippines_raa_before_and_after_its_signature(corpus_history: AgreementHistory) -> None:
    # 004 lines 273/276: signed in July 2024; the corpus does not date its entry into force
    assert corpus_history.status_on("PHL", "RAA", "2024-06") is None
    assert corpus_history.status_on("PHL", "RAA", "2024-07") == "signed"
    assert corpus_history.status_on("PHL", "RAA", "2025-04") == "signed"


def test_as_of_lists_do_not_reach_back(corpus_history: AgreementHistory) -> None:
    # 003 only says the Australia RAA was in force by April 2025, not since when
    assert corpus_history.status_on("AUS", "RAA", "2024-01") is None
    assert corpus_history.status_on("AUS", "RAA", "2025-03") is None
    assert corpus_history.status_on("AUS", "RAA", "2025-04") == "in_force"
    early = {r["partner"]: r for r in corpus_history.matrix("2024-01")}
    assert "GBR" not in early or early["GBR"]["RAA"] is None
    # Germany's ACSA entered into force in July 2024 (004 line 65)
    assert corpus_history.status_on("DEU", "ACSA", "2024-06") is None
    assert corpus_history.status_on("DEU", "ACSA", "2024-07") == "in_force"


def test_philippines_raa_entry_into_force_from_written_sentences(tmp_path: Path) -> None:
    (tmp_path / "phl.txt").write_text(
        "フィリピン\n\nフィリピンは、重要なパートナーである。\n"
        "2024年7月、木原防衛大臣は、テオドロ国防大臣とマニラにおいて会談を行い、日比RAAに署名した。\n"
        "2025年9月、日比RAAが発効した。\n",
        encoding="utf-8",
    )
    h, _ = history_from_paths([tmp_path])
    assert h.status_on("PHL", "RAA", "2024-06") is None
    assert h.status_on("PHL", "RAA", "2024-07") == "signed"
    assert h.status_on("PHL", "RAA", "2025-08") == "signed"
    assert h.status_on("PHL", "RAA", "2025-09") == "in_force"


# --------------------------------------------------------------------------- dates and order


def test_precision_an_entry_counts_once_its_period_has_ended() -> None:
    h = build_history(
        [ev(["AUS"], "ETA", "in_force", "2024"), ev(["GBR"], "ETA", "signed", "2024-11-20")]
    )
    assert h.status_on("AUS", "ETA", "2024-11") is None
    assert h.status_on("AUS", "ETA", "2024") == "in_force"
    assert h.status_on("AUS", "ETA", "2025-01") == "in_force"
    assert h.status_on("GBR", "ETA", "2024-11-10") is None
    assert h.status_on("GBR", "ETA", "2024-11") == "signed"
    assert h.status_on("GBR", "ETA", "2024-11-20") == "signed"


def test_lifecycle_moves_forward() -> None:
    h = build_history(
        [
            ev(["CAN"], "ISA", "substantially_agreed", "2025-03"),
            ev(["CAN"], "ISA", "signed", "2025-07"),
            ev(["CAN"], "ISA", "in_force", "2026-01"),
            ev(["CAN"], "ISA", "substantially_agreed", "2027-05"),  # e.g. a revision agreed
        ]
    )
    assert [
        h.status_on("CAN", "ISA", d)
        for d in ("2025-02", "2025-03", "2025-07", "2026-01", "2027-06")
    ] == [
        None,
        "substantially_agreed",
        "signed",
        "in_force",
        "in_force",
    ]


def test_revised_keeps_the_stage_reached() -> None:
    h = build_history(
        [
            ev(["USA"], "ACSA", "in_force", "1996-10"),
            ev(["USA"], "ACSA", "revised", "2017-04"),
            ev(["ISR"], "MOU", "revised", "2022"),
        ]
    )
    assert h.status_on("USA", "ACSA", "2020") == "in_force"
    assert h.status_on("ISR", "MOU", "2022") == "signed"  # a revised document was at least signed
    assert h.status_on("ISR", "MOU", "2021") is None


def test_undated_entries_stay_in_the_history_but_never_count() -> None:
    h = build_history([ev(["DEU"], "ISA", "in_force", None)])
    assert [e.date for e in h.history("DEU", "ISA")] == [None]
    assert h.status_on("DEU", "ISA", "2030") is None
    assert h.matrix("2030") == []


def test_as_of_statement_is_at_the_latest_by() -> None:
    h = build_history([], [st("AUS", "RAA", "in_force", "2025-04")])
    (e,) = h.history()
    assert (e.kind, e.date, e.precision) == ("as_of", "2025-04", "month")
    assert h.status_on("AUS", "RAA", "2024-01") is None
    assert h.status_on("AUS", "RAA", "2025-04") == "in_force"
    assert h.status_on("AUS", "RAA", "2025-04-10") is None  # April as a whole is not over


# --------------------------------------------------------------------------- closed world


def test_complete_list_sets_aside_contradicting_events() -> None:
    events = [
        ev(["MDV"], "ETA", "in_force", "2024-01", doc="d4", line=359),  # not in the list
        ev(["PHL"], "RAA", "in_force", "2025-03", doc="d4", line=2),  # list says only signed
        ev(
            ["NZL"], "RAA", "substantially_agreed", "2024-06", doc="d4", line=3
        ),  # lists say nothing of it
        ev(["FRA"], "ETA", "in_force", "2025-06", doc="d4", line=4),  # after the list's date
    ]
    stmts = [
        st("ARE", "ETA", "in_force", "2025-04"),
        st("AUS", "RAA", "in_force", "2025-04"),
        st("PHL", "RAA", "signed", "2025-04"),
    ]
    h = build_history(events, stmts)
    reasons = {(c.entry.partner, c.entry.type): c.reason for c in h.conflicts()}
    assert set(reasons) == {("MDV", "ETA"), ("PHL", "RAA")}
    assert "lists no MDV" in reasons[("MDV", "ETA")]
    assert h.status_on("MDV", "ETA", "2024-06") is None
    assert h.status_on("PHL", "RAA", "2025-04") == "signed"
    assert h.status_on("NZL", "RAA", "2025-04") == "substantially_agreed"
    assert h.status_on("FRA", "ETA", "2025-06") == "in_force"
    assert len(h.history()) == 7  # nothing is dropped from the history itself

    open_world = build_history(events, stmts, closed_world=False)
    assert open_world.conflicts() == []
    assert open_world.status_on("MDV", "ETA", "2024-06") == "in_force"


def test_curated_events_are_never_set_aside() -> None:
    e = ev(["MDV"], "ETA", "in_force", "2024-01")
    h = build_history([e], [st("ARE", "ETA", "in_force", "2025-04")], curated=[e.event_id])
    assert h.conflicts() == []
    assert h.status_on("MDV", "ETA", "2025-04") == "in_force"
    assert h.history("MDV")[0].curated


# --------------------------------------------------------------------------- events -> entries


def test_one_entry_per_partner_and_no_multilateral_declarations() -> None:
    decl = Event(
        doc="t",
        line=5,
        kind="agreement",
        date="2024-11",
        partners=["AUS", "USA"],
        agreement={"type": "DECLARATION", "status": "signed"},
    )
    bilateral_decl = Event(
        doc="t",
        line=6,
        kind="agreement",
        date="2024-12",
        partners=["SWE"],
        agreement={"type": "DECLARATION", "status": "signed"},
    )
    meeting = Event(doc="t", line=7, kind="meeting", date="2024-12", partners=["SWE"])
    h = build_history(
        [ev(["KOR", "USA"], "MOU", "signed", "2024-07"), decl, bilateral_decl, meeting]
    )
    assert sorted((e.partner, e.type) for e in h.history()) == [
        ("KOR", "MOU"),
        ("SWE", "DECLARATION"),
        ("USA", "MOU"),
    ]
    e = h.history("KOR")[0]
    assert e.source == Source(
        doc="t", line=1, quote="MOU signed", rule="event:agreement:test", start=10, end=15
    )
    assert [r["partner"] for r in h.matrix("2025-01")] == ["KOR", "USA"]  # DECLARATION is no column


def test_matrix_rows_types_and_order() -> None:
    h = build_history(
        [ev(["SGP"], "ETA", "in_force", "2023"), ev(["KEN"], "LOI", "signed", "2024-02")],
        [st("AUS", "RAA", "in_force", "2025-04")],
    )
    assert h.matrix("2025-04") == [
        {"partner": "AUS", "RAA": "in_force", "ACSA": None, "ETA": None, "ISA": None, "MOU": None},
        {"partner": "SGP", "RAA": None, "ACSA": None, "ETA": "in_force", "ISA": None, "MOU": None},
    ]
    assert h.matrix("2025-04", types=("LOI",)) == [{"partner": "KEN", "LOI": "signed"}]
    assert h.matrix("2022") == []


def test_entries_reject_unknown_status_and_bad_dates() -> None:
    src = Source("d", 1, "q", "r")
    with pytest.raises(ValueError):
        AgreementHistory([HistoryEntry("AUS", "RAA", "terminated", "2024", "event", src)])
    with pytest.raises(ValueError):
        check_date("2025/04")
    with pytest.raises(ValueError):
        check_date("2025-13")
    assert check_date("2025-04") == "2025-04"


# --------------------------------------------------------------------------- CLI


def test_cli_table_and_options(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "物品役務相互提供協定 (ACSA)\n\n2026年6月現在、インド、ドイツとの間で締結され、ニュージーランドとの間で署名されている。\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    res = runner.invoke(
        app, ["agreements", "--as-of", "2026-06", "--format", "table", str(tmp_path)]
    )
    assert res.exit_code == 0, res.output
    assert "India" in res.stdout and "New Zealand" in res.stdout and "signed" in res.stdout
    res = runner.invoke(
        app, ["agreements", "--as-of", "2026-06", "--json", "--type", "acsa", str(tmp_path)]
    )
    assert json.loads(res.stdout) == [
        {"partner": "DEU", "ACSA": "in_force"},
        {"partner": "IND", "ACSA": "in_force"},
        {"partner": "NZL", "ACSA": "signed"},
    ]
    res = runner.invoke(
        app, ["agreements", "--as-of", "2026-06", "--json", "--type", "RAA", str(tmp_path)]
    )
    assert json.loads(res.stdout) == []
    assert runner.invoke(app, ["agreements", "--as-of", "June 2026"]).exit_code == 2
    assert runner.invoke(app, ["agreements", "--as-of", "2026-06", "--type", "XYZ"]).exit_code == 2


def test_cli_default_corpus_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from defcoop.corpus import corpus_path

    assert corpus_path() == CORPUS
    monkeypatch.setenv("DEFCOOP_CORPUS", str(tmp_path))
    assert corpus_path() == tmp_path
    res = CliRunner().invoke(app, ["agreements", "--as-of", "2025-04", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout) == []
    monkeypatch.setenv("DEFCOOP_CORPUS", str(tmp_path / "missing"))
    res = CliRunner().invoke(app, ["agreements", "--as-of", "2025-04", "--json"])
    assert res.exit_code == 2
