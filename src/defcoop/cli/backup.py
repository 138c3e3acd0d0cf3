"""``defcoop backup PATH`` and ``defcoop restore PATH``: portable, consistent snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from defcoop.backup import BackupError, backup, restore
from defcoop.cli._store import DbOption, JsonOption, err_console, open_store
from defcoop.cli.app import app

PathArg = Annotated[Path, typer.Argument(metavar="PATH", show_default=False)]


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _tables(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in counts.items():
        if n:
            table.add_row(name, f"{n:,}")
    table.add_section()
    table.add_row("total", f"{sum(counts.values()):,}")
    return table


@app.command("backup")
def backup_cmd(
    path: PathArg,
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Write a consistent snapshot of the whole store to PATH (a zip of JSON lines).

    Safe while the server and ingest run: every table is read in one read transaction.
    The format is the same for SQLite and PostgreSQL, so a backup restores into either.
    Exit status 1 when the backup cannot be written (nothing is left at PATH).
    """
    with open_store(db) as store:
        try:
            report = backup(store, path, overwrite=force)
        except BackupError as err:
            err_console().print(f"error: {err}", markup=False)
            raise typer.Exit(1) from err
    if json_out:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False)
    out.print(_tables(f"Backup of {report.backend} store", report.tables))
    out.print(
        f"{report.path}: {report.rows:,} rows, {_size(report.bytes)}, schema {report.revision}, "
        f"{report.seconds:.2f} s",
        markup=False,
    )


@app.command("restore")
def restore_cmd(
    path: PathArg,
    db: DbOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the content of a store that is not empty."),
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Load a backup written by ``defcoop backup`` into the store, in one transaction.

    The file is checked (format, schema revision, checksums) before the store is
    touched. A store that holds data is refused unless --force is given; then its whole
    content is replaced. Any failure leaves the store as it was (exit status 1).
    """
    with open_store(db) as store:
        try:
            report = restore(store, path, force=force)
        except BackupError as err:
            err_console().print(f"error: {err}", markup=False)
            raise typer.Exit(1) from err
    if json_out:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    out = Console(highlight=False)
    out.print(_tables(f"Restored into {report.backend} store", report.tables))
    replaced = sum(report.replaced.values())
    out.print(
        f"{report.path}: {report.rows:,} rows from a {report.source_backend} backup taken "
        f"{report.created_at}"
        + (f", replacing {replaced:,} rows" if replaced else "")
        + f", {report.seconds:.2f} s",
        markup=False,
    )
