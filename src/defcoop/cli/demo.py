"""``defcoop demo``: ingest the bundled corpus into a fresh store, then serve it."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from defcoop.cli._store import USAGE_ERROR, err_console, open_store
from defcoop.cli.app import app
from defcoop.cli.serve import HostOption, PortOption

DEFAULT_DEMO_DB = "defcoop-demo.db"


def fresh_sqlite(path: Path) -> str:
    """Delete ``path`` (and its WAL files) and return its SQLite URL."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = path.with_name(path.name + suffix)
        if p.exists():
            p.unlink()
    return f"sqlite:///{path.resolve()}"


@app.command()
def demo(
    db_file: Annotated[
        Path,
        typer.Option("--db-file", help="SQLite file of the demo store (deleted and rebuilt)."),
    ] = Path(DEFAULT_DEMO_DB),
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="--no-serve: only build the store.")
    ] = True,
    user: Annotated[
        bool,
        typer.Option(
            "--user/--no-user",
            help="Create an admin user `demo` with a random password (printed) so that "
            "curation can be tried.",
        ),
    ] = True,
) -> None:
    """Ingest the bundled corpus into a fresh SQLite store and serve it (anonymous reading)."""
    from defcoop.corpus import corpus_path
    from defcoop.errors import DefcoopError
    from defcoop.ingest import ingest_paths

    err = err_console()
    out = Console(highlight=False, soft_wrap=True)
    try:
        corpus = corpus_path()
    except DefcoopError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(USAGE_ERROR) from e
    url = fresh_sqlite(db_file)
    with open_store(url) as store:
        with err.status(f"ingesting {corpus} ..."):
            report = ingest_paths(store, [corpus])
        counts = store.counts()
        password = None
        if user:
            from defcoop.store.users import add_user

            password = secrets.token_urlsafe(12)
            add_user(store, "demo", "admin", password, actor="defcoop demo")
    out.print(
        f"demo store {db_file} ({url}): {counts.documents} documents, {counts.segments} "
        f"segments, {counts.events} events in {report.seconds:.1f} s",
        markup=False,
    )
    for path, reason in report.errors:
        err.print(f"{path}: {reason}", markup=False)
    if password:
        out.print(f"log in as demo (admin) with password: {password}", markup=False)
    if not serve:
        if not report.ok:
            raise typer.Exit(1)
        return
    from defcoop.cli.serve import run_server

    out.print(f"open http://{host}:{port}/", markup=False)
    run_server(url, host, port, public=True)
