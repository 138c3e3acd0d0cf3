"""``defcoop export DEST``: events, participants, evidence, agreements and frameworks as
CSV, JSON Lines, Parquet or XLSX (see docs/data-dictionary.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from defcoop.cli import _filters as f
from defcoop.cli._store import DbOption, open_store
from defcoop.cli.app import app
from defcoop.query import QueryError


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    xlsx = "xlsx"


@app.command()
def export(
    dest: Annotated[
        Path, typer.Argument(metavar="DEST", help="Folder to write TABLE.FORMAT files into.")
    ],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv, jsonl, parquet or xlsx.")
    ] = ExportFormat.csv,
    table: Annotated[
        list[str] | None,
        typer.Option(
            "--table",
            "-t",
            help="Table (repeatable): events, participants, evidence, agreements, frameworks, framework_links [default: all].",
        ),
    ] = None,
    partner: f.Partner = None,
    region: f.Region = None,
    group: f.Group = None,
    kind: f.Kind = None,
    level: f.Level = None,
    since: f.Since = None,
    until: f.Until = None,
    state: f.State = None,
    text: f.Text = None,
    db: DbOption = None,
) -> None:
    """Export the dataset with stable ids, ISO partner codes and PLOVER/CAMEO codes.

    Filters select events (participants, evidence and links follow them); agreements
    and frameworks are always whole.
    """
    from defcoop import exports as ex

    tables = tuple(table or ex.TABLES)
    bad = [t for t in tables if t not in ex.TABLES]
    if bad:
        f.fail(QueryError(f"unknown table {bad[0]!r} (tables: {', '.join(ex.TABLES)})"))
    q = f.build_query(
        partner=partner, region=region, group=group, kind=kind, level=level,
        since=since, until=until, state=state, text=text,
    )  # fmt: skip
    with open_store(db) as store:
        try:
            paths = ex.export(store, dest, tables=tables, fmt=fmt.value, q=q)
        except QueryError as err:
            f.fail(err)
            return
    for p in paths:
        typer.echo(str(p))
