"""Shared CLI plumbing for commands that use the store: the ``--db`` option and opening."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from defcoop.errors import StoreError
from defcoop.store import Store
from defcoop.store.engine import DEFAULT_URL, ENV_VAR

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=ENV_VAR,
        show_envvar=True,
        help=f"Store URL: sqlite:///path.db or postgresql://... [default: {DEFAULT_URL}]",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

USAGE_ERROR = 2


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def open_store(db: str | None) -> Store:
    """Open (and migrate) the store, or exit 2 with a one-line message."""
    try:
        return Store.open(db)
    except StoreError as err:
        err_console().print(f"error: {err}", markup=False)
        raise typer.Exit(USAGE_ERROR) from err
