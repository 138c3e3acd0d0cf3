"""``defcoop report framework NAME``: the achievements annex of a framework (md, html, xlsx).

Attaches a ``framework`` subcommand to the ``defcoop report`` group of
:mod:`defcoop.cli.report`; the annex itself is built by :mod:`defcoop.report.framework`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from defcoop.cli._store import DbOption, err_console, open_store
from defcoop.cli.report import FormatOpt, ReportFormat, report_app
from defcoop.errors import DefcoopError

FAILED = 1


@report_app.command("framework")
def framework(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="Framework id, name or alias: JASMINE, JVS, ジャスミン."
        ),
    ],
    fmt: FormatOpt = ReportFormat.html,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write [default: framework-NAME.FORMAT]; '-' prints md or html.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Achievements annex of a framework, as a review meeting uses it: per pillar the
    initiatives with their status and the linked achievements (date, partners, summary,
    source); counts per pillar and per partner; commitments with their sources."""
    from defcoop.report.framework import (
        framework_report,
        render_html,
        render_markdown,
        write_framework_report,
    )

    with open_store(db) as store:
        try:
            data = framework_report(store, name)
        except DefcoopError as err:
            err_console().print(f"error: {err}", markup=False)
            raise typer.Exit(FAILED) from err
    if output is not None and str(output) == "-":
        if fmt is ReportFormat.xlsx:
            err_console().print("error: xlsx cannot be printed: give --output FILE", markup=False)
            raise typer.Exit(FAILED)
        typer.echo(render_markdown(data) if fmt is ReportFormat.md else render_html(data))
        return
    out = write_framework_report(
        data, output or Path(f"framework-{data.id}.{fmt.value}"), fmt.value
    )
    typer.echo(str(out))
