"""``defcoop report partner CODE`` and ``defcoop report period YEAR``: Markdown, HTML, XLSX."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from defcoop.cli._filters import fail
from defcoop.cli._store import DbOption, open_store
from defcoop.cli.app import app
from defcoop.query import QueryError

report_app = typer.Typer(
    name="report",
    help="Reports with charts: a partner profile or a period overview, as md, html or xlsx.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    xlsx = "xlsx"


FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="md, html or xlsx.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="File to write [default: partner-CODE.FORMAT / period-YEAR.FORMAT]; '-' prints md or html.",
    ),
]
ChartsOpt = Annotated[
    bool,
    typer.Option(
        "--charts/--no-charts", help="Also write the charts as PNG and SVG next to the report."
    ),
]


def _write(data: object, out: Path, fmt: ReportFormat, charts: bool) -> None:
    from defcoop.report import render_html, render_markdown, write_report

    if str(out) == "-":
        if fmt is ReportFormat.xlsx:
            fail(QueryError("xlsx cannot be printed: give --output FILE"))
        typer.echo(render_markdown(data) if fmt is ReportFormat.md else render_html(data))  # type: ignore[arg-type]
        return
    for p in write_report(data, out, fmt.value, chart_files=charts):  # type: ignore[arg-type]
        typer.echo(str(p))


@report_app.command("partner")
def partner(
    code: Annotated[
        str, typer.Argument(metavar="PARTNER", help="Partner code (IND) or name (インド, India).")
    ],
    fmt: FormatOpt = ReportFormat.html,
    output: OutputOpt = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Chronology from this date (YYYY[-MM[-DD]]).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Chronology up to this date.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Agreement statuses on this date [default: this month]."),
    ] = None,
    charts: ChartsOpt = True,
    db: DbOption = None,
) -> None:
    """Partner profile: registry facts, significance paragraph from the source, agreement
    statuses with dates, chronology (appendix style), counts by kind and year, chart."""
    from defcoop.report import partner_profile

    with open_store(db) as store:
        try:
            data = partner_profile(store, code, since=since, until=until, as_of=as_of)
        except QueryError as err:
            fail(err)
            return
    _write(data, output or Path(f"partner-{data.code}.{fmt.value}"), fmt, charts)


@report_app.command("period")
def period(
    year: Annotated[
        str | None,
        typer.Argument(metavar="[YEAR]", help="A year (2024); or give --since and --until."),
    ] = None,
    fmt: FormatOpt = ReportFormat.html,
    output: OutputOpt = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Start of the period (YYYY[-MM[-DD]]).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="End of the period.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Top partners listed.")] = 10,
    charts: ChartsOpt = True,
    db: DbOption = None,
) -> None:
    """Period overview: totals, new agreements, top partners, leader/minister events, charts."""
    from defcoop.report import period_overview

    with open_store(db) as store:
        try:
            data = period_overview(store, year, since=since, until=until, top=top)
        except QueryError as err:
            fail(err)
            return
    stem = data.period.replace("..", "_")
    _write(data, output or Path(f"period-{stem}.{fmt.value}"), fmt, charts)
