"""``defcoop frameworks ...`` and ``defcoop report framework`` on the bundled corpus
ingested into the store (SQLite and PostgreSQL).

The JASMINE initiatives (name, 【新】, pillars), the Joint Vision's areas and the
commitments are the lists typed from the documents in tests/test_frameworks.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from _analyst import BACKENDS, corpus_store
from defcoop.cli import app
from defcoop.ingest import Extracted, extract_path, write_extracted
from defcoop.kb.resolve import resolve
from defcoop.readers import iter_paths
from defcoop.store import Store
from defcoop.store import models as m
from test_frameworks import JASMINE_INITIATIVES, JASMINE_PILLARS, JVS_AREAS, OSA

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
JVS_DOC = "002_fd0d837739df9011"
WP_DOC = "004_3f20f60fb676c9fe"
REVIEW_DOC = "001_965bdcae5678aeac"

runner = CliRunner()

#: The commitments of 002 as the issue lists them: (figure as written, amount or quantity,
#: currency or unit, period in years, source line of 002).
COMMITMENTS = [
    ("400億円", "40000000000", "JPY", None, 112),
    ("150億円", "15000000000", "JPY", None, 118),
    ("5年間で350億ドル", "35000000000", "USD", 5, 142),
    ("2.8兆円規模", "2800000000000", "JPY", None, 228),
    ("今後3年間で5,000人", "5000", "people", 3, 228),
    ("70百万米ドル", "70000000", "USD", None, 329),  # JAIF at its founding in 2006
    ("860百万米ドル以上", "860000000", "USD", None, 330),  # JAIF in total
    ("570件以上", "570", "items", None, 331),  # JAIF projects
    ("1億ドル", "100000000", "USD", None, 333),  # March 2023
]


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def run(url: str, *args: str) -> Result:
    return runner.invoke(app, list(args), env={"DEFCOOP_DB": url, "COLUMNS": "200"})


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of the whole corpus ingested once per backend (read-only)."""
    return _url(corpus_store(request, tmp_path_factory))


@pytest.fixture(scope="module")
def small() -> list[Extracted]:
    return [
        extract_path(str(p)) for p in iter_paths([CORPUS]) if not Path(p).name.startswith("004")
    ]


def _json(res: Result) -> Any:
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


# ------------------------------------------------------------------ show --json


def test_show_jasmine_json(corpus: str) -> None:
    out = _json(run(corpus, "frameworks", "show", "JASMINE", "--json"))
    assert list(out) == ["id", "name", "adopted", "pillars"]
    assert out["id"] == "JASMINE" and out["adopted"] == "2023-11-15"
    assert out["name"] == "防衛協力強化のための日ASEAN大臣イニシアティブ:ジャスミン"
    assert [p["number"] for p in out["pillars"]] == [1, 2, 3, 4]
    assert {p["number"]: p["title"] for p in out["pillars"]} == JASMINE_PILLARS
    got: set[tuple[str, bool, tuple[int, ...]]] = set()
    for p in out["pillars"]:
        assert list(p) == ["number", "title", "lines_of_effort", "initiatives", "achievements"]
        assert all(list(lo) == ["title"] for lo in p["lines_of_effort"])
        for ini in p["initiatives"]:
            assert list(ini) == ["name", "new", "pillars"]
            assert p["number"] in ini["pillars"]  # under each pillar it belongs to
            got.add((ini["name"], ini["new"], tuple(ini["pillars"])))
        for a in p["achievements"]:
            assert list(a) == ["event", "date", "partners", "summary"]
            assert a["date"] >= "2023-11" and a["summary"]
    assert got == JASMINE_INITIATIVES
    per = {p["number"]: p for p in out["pillars"]}
    ship = "日ASEAN乗艦協力プログラム"
    assert ship in [i["name"] for i in per[1]["initiatives"]]
    assert ship in [i["name"] for i in per[4]["initiatives"]]
    assert [len(per[n]["initiatives"]) for n in (1, 2, 3, 4)] == [6, 2, 4, 2]
    assert len(per[1]["achievements"]) >= 3 and len(per[2]["achievements"]) >= 6
    # the alias works; --detail adds the source of each achievement and the rule
    assert _json(run(corpus, "frameworks", "show", "ジャスミン", "--json"))["id"] == "JASMINE"
    detail = _json(run(corpus, "frameworks", "show", "JASMINE", "--json", "--detail"))
    osa = [
        a
        for a in detail["pillars"][0]["achievements"]
        if any(lk["initiative"] == OSA for lk in a["links"])
    ]
    assert osa and all(a["source"]["doc"] == WP_DOC for a in osa)
    assert {a["source"]["line"] for a in osa} >= {283}
    assert all(lk["rule"] == "jasmine.init.osa" for a in osa for lk in a["links"])


def test_show_joint_vision_json(corpus: str) -> None:
    out = _json(run(corpus, "frameworks", "show", "JVS", "--json"))
    assert [p["number"] for p in out["pillars"]] == [1, 2, 3]
    areas = {p["number"]: [a["name"] for a in p["cooperation_areas"]] for p in out["pillars"]}
    assert areas == JVS_AREAS
    assert [len(p["cooperation_areas"]) for p in out["pillars"]] == [8, 12, 11]
    [plan] = out["plans"]
    assert (plan["items"], plan["predecessor_items"]) == (130, 75)
    by_text = {c["text"]: c for c in out["commitments"]}
    for text, value, unit, period, line in COMMITMENTS:
        c = by_text[text]
        if unit in ("people", "items"):
            assert (c["quantity"], c["quantity_unit"]) == (value, unit), text
        else:
            assert (c["amount"], c["currency"]) == (value, unit), text
        assert c["period_years"] == period, text
        assert c["source"]["doc"] == JVS_DOC and c["source"]["line"] == line, text
    assert by_text["70百万米ドル"]["date"] == "2006"
    assert by_text["1億ドル"]["date"] == "2023-03"
    assert "JAIF" in by_text["570件以上"]["what"]


def test_show_text_lists_achievements_with_sources(corpus: str) -> None:
    res = run(corpus, "frameworks", "show", "JASMINE")
    assert res.exit_code == 0, res.output
    for p in range(1, 5):
        assert f"Pillar {p}" in res.stdout
    assert "【新】 宇宙領域における法の支配と安全保障に関するセミナー開催" in res.stdout
    assert f"{WP_DOC}:283" in res.stdout and "rule jasmine.init.osa" in res.stdout
    assert "The framework as a whole" in res.stdout


def test_list_and_status(corpus: str) -> None:
    rows = _json(run(corpus, "frameworks", "--json"))
    assert {r["id"] for r in rows} == {"JASMINE", "VV2", "JVS", "FOIP", "AOIP"}
    jas = next(r for r in rows if r["id"] == "JASMINE")
    assert (jas["pillars"], jas["initiatives"], jas["new_initiatives"]) == (4, 13, 4)
    assert jas["achievements"] > 0
    res = run(corpus, "frameworks")
    assert res.exit_code == 0 and "JASMINE" in res.stdout
    sts = _json(run(corpus, "frameworks", "status", "JASMINE", "--json"))
    assert len(sts) == 13
    osa = next(s for s in sts if s["target"] == OSA)
    assert osa["state"] == "carried_out" and osa["count"] >= 1 and "PHL" in osa["partners"]
    assert osa["first_date"] <= osa["latest_date"]
    env = next(s for s in sts if s["target"] == "日ASEAN環境安全保障セミナー")
    assert env["state"] == "none_yet" and env["count"] == 0
    jvs = _json(run(corpus, "frameworks", "status", "JVS", "--json"))
    assert sum(1 for s in jvs if s["target_kind"] == "area") == 31
    assert next(s for s in jvs if s["target"] == "防衛")["state"] == "carried_out"
    res = run(corpus, "frameworks", "status", "JASMINE")
    assert res.exit_code == 0 and "carried out" in res.stdout


def test_unknown_framework(corpus: str) -> None:
    res = run(corpus, "frameworks", "show", "NOPE")
    assert res.exit_code == 1 and "no framework 'NOPE'" in res.output and "JASMINE" in res.output


# ------------------------------------------------------------------ report


def test_report_framework(corpus: str, tmp_path: Path) -> None:
    md = tmp_path / "annex.md"
    res = run(corpus, "report", "framework", "JASMINE", "--format", "md", "-o", str(md))
    assert res.exit_code == 0, res.output
    text = md.read_text(encoding="utf-8")
    assert "## Summary by pillar" in text and "## Summary by partner" in text
    assert "## Pillar 1: 日ASEANで力や威圧" in text and "## Pillar 4:" in text
    # linked achievements with their sources: the OSA radars for the Philippines (004:283)
    row = next(ln for ln in text.splitlines() if f"{WP_DOC}:283" in ln)
    assert "OSA" in row and "PHL" in row and "2024-12" in row
    assert "| PHL | Philippines |" in text
    html = tmp_path / "annex.html"
    res = run(corpus, "report", "framework", "JASMINE", "--format", "html", "-o", str(html))
    assert res.exit_code == 0, res.output
    page = html.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert f"{WP_DOC}:283" in page and "【新】" in page
    xlsx = tmp_path / "annex.xlsx"
    res = run(corpus, "report", "framework", "JVS", "--format", "xlsx", "-o", str(xlsx))
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert {"Summary", "By pillar", "By partner", "Initiatives", "Achievements",
            "Commitments"} <= set(wb.sheetnames)  # fmt: skip
    ach = list(wb["Achievements"].iter_rows(values_only=True))
    assert ach[0][-2:] == ("Source", "Event id") and len(ach) > 10
    assert all(str(r[-2]).startswith(("00", "manual")) for r in ach[1:])
    com = [r[0] for r in wb["Commitments"].iter_rows(min_row=2, values_only=True)]
    assert {c[0] for c in COMMITMENTS} <= set(com)
    printed = run(corpus, "report", "framework", "JASMINE", "--format", "md", "-o", "-")
    assert printed.exit_code == 0 and printed.stdout.startswith("# Japan-ASEAN")


# ------------------------------------------------------------------ empty store, curation


def test_empty_store_says_to_ingest(db_url: str, tmp_path: Path) -> None:
    for args in (
        ("frameworks",),
        ("frameworks", "show", "JASMINE", "--json"),
        ("frameworks", "status", "JASMINE"),
        ("report", "framework", "JASMINE", "-o", str(tmp_path / "x.html")),
    ):
        res = run(db_url, *args)
        assert res.exit_code == 1, args
        assert "store is empty" in res.output and "defcoop ingest" in res.output, args
        assert res.stdout == "" or "{" not in res.stdout
    assert not (tmp_path / "x.html").exists()


def test_link_unlink_and_status_from_the_cli(db_url: str, small: list[Extracted]) -> None:
    with Store.open(db_url) as store:
        for item in small:
            write_extracted(store, item)
        resolve(store)
    detail = _json(run(db_url, "frameworks", "show", "JASMINE", "--json", "--detail"))
    assert detail["pillars"][2]["achievements"] == []
    with Store.open(db_url) as store, store.session() as sess:
        eid = sess.scalar(
            select(m.Event.id)
            .join(m.EventPartner)
            .where(m.Event.doc_key == REVIEW_DOC, m.EventPartner.partner_code == "PHL")
        )
    assert eid
    res = run(db_url, "frameworks", "link", eid, "--framework", "JASMINE", "--pillar", "3",
              "--initiative", "留学生", "--reason", "students")  # fmt: skip
    assert res.exit_code == 1 and "user" in res.output  # who makes the change is required
    res = run(db_url, "frameworks", "link", eid, "--framework", "JASMINE", "--pillar", "3",
              "--initiative", "留学生", "--user", "ana", "--reason", "students", "--json")  # fmt: skip
    ch = _json(res)
    assert ch["changed"] and ch["links"][0]["state"] == "manual"
    out = _json(run(db_url, "frameworks", "show", "JASMINE", "--json"))
    assert eid in [a["event"] for a in out["pillars"][2]["achievements"]]
    res = run(db_url, "frameworks", "unlink", eid, "--framework", "JASMINE", "--user", "bo",
              "--reason", "talks only")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "removed" in res.stdout
    out = _json(run(db_url, "frameworks", "show", "JASMINE", "--json"))
    assert eid not in [a["event"] for p in out["pillars"] for a in p["achievements"]]
    res = run(db_url, "frameworks", "unlink", eid, "--framework", "JASMINE", "--user", "bo")
    assert res.exit_code == 1 and "not linked" in res.output
    # the audit log has both changes; a sync keeps them
    res = run(db_url, "frameworks", "sync")
    assert res.exit_code == 0 and "curated rows kept" in res.stdout
    out = _json(run(db_url, "frameworks", "show", "JASMINE", "--json"))
    assert eid not in [a["event"] for p in out["pillars"] for a in p["achievements"]]
    from defcoop.kb.frameworks import link_audit

    with Store.open(db_url) as store:
        log = link_audit(store, event_id=eid)
    assert [e["actor"] for e in log][-1] == "ana" and "bo" in {e["actor"] for e in log}
    res = run(db_url, "frameworks", "set-status", "JASMINE", "環境安全保障", "--state",
              "carried_out", "--note", "2024年度に開催", "--user", "ana")  # fmt: skip
    assert res.exit_code == 0, res.output
    sts = _json(run(db_url, "frameworks", "status", "JASMINE", "--json"))
    env = next(s for s in sts if s["target"] == "日ASEAN環境安全保障セミナー")
    assert (env["state"], env["derived_state"], env["override_note"], env["overridden_by"]) == (
        "carried_out", "none_yet", "2024年度に開催", "ana",
    )  # fmt: skip
