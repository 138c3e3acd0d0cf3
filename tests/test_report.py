"""Reports: partner profile and period overview data, Markdown / HTML / XLSX, charts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from _analyst import BACKENDS, corpus_store
from defcoop.query import QueryError
from defcoop.report import (
    PartnerProfile,
    PeriodOverview,
    charts_of,
    partner_profile,
    period_overview,
    render_html,
    render_markdown,
    write_report,
)
from defcoop.report.labels import category_of
from defcoop.store import Store

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return corpus_store(request, tmp_path_factory)


@pytest.fixture(scope="module")
def sqlite_corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Store:
    return corpus_store(request, tmp_path_factory, "sqlite")


@pytest.fixture(scope="module")
def india(sqlite_corpus: Store) -> PartnerProfile:
    return partner_profile(sqlite_corpus, "IND", as_of="2025-04")


@pytest.fixture(scope="module")
def year2024(sqlite_corpus: Store) -> PeriodOverview:
    return period_overview(sqlite_corpus, 2024)


def test_india_profile_data(corpus: Store) -> None:
    p = partner_profile(corpus, "インド", as_of="2025-04")
    assert (p.code, p.name_en, p.region) == ("IND", "India", "south_asia")
    assert any(g == "QUAD" for g, _role, _since in p.groups)
    # India's section has no "…との防衛協力・交流の意義" heading: its opening paragraph (004 line 29)
    assert len(p.significance) == 1
    sig = p.significance[0]
    assert (
        sig.how == "section_opening"
        and sig.line == 29
        and sig.text.startswith("インドは、世界第1位の人口")
    )
    # 003 lines 37 and 46: ACSA and ETA in force with India as of April 2025
    assert (
        p.agreements.statuses["ACSA"] == "in_force" and p.agreements.statuses["ETA"] == "in_force"
    )
    assert any(e.doc.startswith("003") and e.kind == "as_of" for e in p.agreements.entries)
    # the 2+2 in New Delhi, 2024-08 (004 line 32)
    assert any(
        c.kind == "two_plus_two" and c.date == "2024-08" and c.line == 32 for c in p.chronology
    )
    assert all(c.sentence for c in p.chronology)
    assert (
        p.total
        == len(p.chronology)
        == sum(p.by_kind_year.row_total(k) for k in p.by_kind_year.rows)
    )
    assert p.first is not None and p.last is not None and p.first <= p.last


def test_significance_under_heading(sqlite_corpus: Store) -> None:
    p = partner_profile(sqlite_corpus, "PHL")
    assert [s.line for s in p.significance] == [271, 272, 273]
    assert (
        p.significance[0].heading is not None
        and "フィリピンとの防衛協力・交流の意義" in p.significance[0].heading
    )
    # Indonesia: the name is a prefix of インドネシア, India's search must not take it
    idn = partner_profile(sqlite_corpus, "IDN")
    assert idn.significance and idn.significance[0].text.startswith("インドネシアは")


def test_unknown_partner(sqlite_corpus: Store) -> None:
    with pytest.raises(QueryError):
        partner_profile(sqlite_corpus, "Atlantis")
    with pytest.raises(QueryError):
        period_overview(sqlite_corpus)


def test_period_overview_data(corpus: Store) -> None:
    o = period_overview(corpus, 2024)
    assert (
        o.total == sum(o.by_kind.values()) == sum(o.by_level.values()) == sum(o.by_month.values())
    )
    assert o.partners > 20 and len(o.top_partners) == 10
    assert all(
        r.kind == "agreement" and (r.date or "").startswith("2024") for r in o.new_agreements
    )
    assert all(r.level in ("leaders", "ministers") for r in o.highlights)
    assert set(o.top_levels) == {t.partner for t in o.top_partners}


def test_india_html_is_self_contained_with_a_chart(india: PartnerProfile, tmp_path: Path) -> None:
    paths = write_report(india, tmp_path / "india.html")
    html = paths[0].read_text("utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert html.count('<img src="data:image/svg+xml;base64,') == 1
    assert "インドは、世界第1位の人口" in html and "004_3f20f60fb676c9fe:32" in html
    assert "in force" in html
    png = tmp_path / "india.kinds.png"
    svg = tmp_path / "india.kinds.svg"
    assert png in paths and svg in paths
    assert png.read_bytes().startswith(PNG_MAGIC) and "<svg" in svg.read_text("utf-8")[:600]


def test_2024_overview_in_three_formats(year2024: PeriodOverview, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    md = write_report(year2024, tmp_path / "y2024.md")
    text = md[0].read_text("utf-8")
    assert "## Top partners" in text and "## New agreements" in text
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
        assert (tmp_path / link).read_bytes().startswith(PNG_MAGIC)
    html = write_report(year2024, tmp_path / "y2024.html")[0].read_text("utf-8")
    assert html.count("data:image/svg+xml;base64,") == 2 and "<script" not in html.lower()
    xlsx = write_report(year2024, tmp_path / "y2024.xlsx", chart_files=False)
    assert xlsx == [tmp_path / "y2024.xlsx"]
    wb = load_workbook(xlsx[0])
    assert {"Overview", "Top partners", "By kind", "New agreements", "Highlights", "Charts"} <= set(
        wb.sheetnames
    )
    overview = {r[0]: r[1] for r in wb["Overview"].iter_rows(min_row=2, values_only=True)}
    assert overview["Events"] == year2024.total
    assert len(wb["Charts"]._images) == 2
    top = list(wb["Top partners"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in top] == [t.partner for t in year2024.top_partners]


def test_markdown_and_xlsx_profile(india: PartnerProfile, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    text = render_markdown(india, {"kinds": "india.kinds.png"})
    assert (
        text.startswith("# India (IND)") and "![" in text and "| ACSA |" not in text.splitlines()[0]
    )
    assert "## Chronology" in text
    wb = load_workbook(write_report(india, tmp_path / "india.xlsx", chart_files=False)[0])
    chron = list(wb["Chronology"].iter_rows(min_row=2, values_only=True))
    assert len(chron) == india.total
    assert wb["Significance"]["B2"].value.startswith("インドは")


def test_charts(india: PartnerProfile, year2024: PeriodOverview) -> None:
    assert [c.name for c in charts_of(india)] == ["kinds"]
    assert [c.name for c in charts_of(year2024)] == ["months", "partners"]
    for c in charts_of(year2024):
        assert c.png.startswith(PNG_MAGIC) and "<svg" in c.svg


def test_write_report_formats(india: PartnerProfile, tmp_path: Path) -> None:
    assert write_report(india, tmp_path / "x", "md", chart_files=False)[0].suffix == ".md"
    with pytest.raises(QueryError):
        write_report(india, tmp_path / "x.pdf")


def test_categories() -> None:
    assert category_of("two_plus_two", "ministers") == "high_level"
    assert category_of("meeting", "chiefs_of_staff") == "services"
    assert category_of("port_call", "units") == "exercises"
    assert category_of("agreement", "ministers") == "agreements"


@pytest.mark.browser
def test_india_html_renders_in_chromium(india: PartnerProfile, tmp_path: Path) -> None:
    chromium = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if chromium is None:
        pytest.skip("no Chromium installed (apt-get install -y chromium)")
    page = tmp_path / "india.html"
    page.write_text(render_html(india), encoding="utf-8")
    shot = tmp_path / "india.png"
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=False,
    )
    assert shot.exists() and shot.read_bytes().startswith(PNG_MAGIC), proc.stderr[-500:]


def test_cli_report(sqlite_corpus: Store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from defcoop.cli import app

    runner = CliRunner()
    db = ["--db", sqlite_corpus.url]
    out = tmp_path / "india.html"
    res = runner.invoke(app, ["report", "partner", "IND", "--format", "html", "-o", str(out), *db])
    assert res.exit_code == 0, res.output
    assert out.exists() and (tmp_path / "india.kinds.png").exists()
    for fmt in ("md", "html", "xlsx"):
        target = tmp_path / f"period-2024.{fmt}"
        res = runner.invoke(
            app,
            ["report", "period", "2024", "--format", fmt, "-o", str(target), "--no-charts", *db],
        )
        assert res.exit_code == 0 and target.exists(), res.output
    res = runner.invoke(app, ["report", "period", "2024", "--format", "md", "-o", "-", *db])
    assert res.exit_code == 0 and res.output.startswith("# Japan's defense cooperation")
    assert runner.invoke(app, ["report", "partner", "Atlantis", *db]).exit_code == 2
