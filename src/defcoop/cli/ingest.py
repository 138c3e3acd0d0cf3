"""``defcoop ingest PATH...``: read files and folders into the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from defcoop.cli._store import USAGE_ERROR, DbOption, JsonOption, err_console, open_store
from defcoop.cli.app import app
from defcoop.distributed import DistributedError
from defcoop.ingest import IngestReport, ingest_paths


class Executor(StrEnum):
    """``--executor`` choices: ``defcoop.ingest.EXECUTORS``."""

    local = "local"
    dask = "dask"


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Files (.txt, .md, .html, .pdf) or folders (walked recursively).",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-w", min=1, help="Processes that extract in parallel (one writer)."
        ),
    ] = 1,
    executor: Annotated[
        Executor,
        typer.Option(
            "--executor",
            help="Where extraction runs: local (serial or --workers processes) or dask "
            "(a Dask cluster; without --scheduler a local one of --workers processes, "
            "default one per core). Needs the extra defcoop\\[dask].",
        ),
    ] = Executor.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="ADDRESS",
            help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --executor dask); "
            "documents are sent as bytes, results stored here by one writer.",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Read documents into the store: one transaction per document, unchanged files skipped.

    Exit status: 0 when every file was stored or unchanged, 1 when any file failed
    (each reported as "path: reason" on stderr), 2 for usage errors.
    """
    err = err_console()
    if scheduler and executor is not Executor.dask:
        raise typer.BadParameter("needs --executor dask", param_hint="--scheduler")
    run = partial(ingest_paths, workers=workers, executor=executor.value, scheduler=scheduler)
    with open_store(db) as store, _distributed_errors(err):
        if quiet or json_out:
            report = run(store, paths)
        else:
            progress = Progress(
                TextColumn("[bold]ingest[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}", markup=False),
                console=err,
                transient=True,
            )
            with progress:
                task = progress.add_task("", total=None)

                def step(done: int, total: int, path: str) -> None:
                    progress.update(task, completed=done, total=total, description=Path(path).name)

                report = run(store, paths, progress=step)
    if json_out:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(Console(highlight=False), report)
    for path, reason in report.errors:
        err.print(f"{path}: {reason}", markup=False)
    if not report.ok:
        raise typer.Exit(1)


@contextmanager
def _distributed_errors(err: Console) -> Iterator[None]:
    """Dask missing, unreachable or unusable: one line on stderr and exit 2."""
    try:
        yield
    except DistributedError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(USAGE_ERROR) from exc


def print_summary(console: Console, report: IngestReport) -> None:
    """Documents by status, segments by block kind, events and errors."""
    table = Table(title="Ingest summary", show_header=True, title_justify="left")
    table.add_column("", style="bold", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    for status, n in report.documents.items():
        table.add_row("documents", status, str(n))
    table.add_section()
    kinds = report.segments_by_kind
    for kind, n in kinds.items():
        table.add_row("segments", kind, str(n))
    table.add_row("segments", "total", str(sum(kinds.values())))
    table.add_section()
    table.add_row("events", "", str(report.events))
    table.add_row("errors", "", str(len(report.errors)))
    console.print(table)
    console.print(
        f"{len(report.files)} files in {report.seconds:.2f} s: "
        f"{report.changes} changed, {report.count('unchanged')} unchanged, "
        f"{report.count('failed')} failed",
        markup=False,
    )
