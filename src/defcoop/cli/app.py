"""The Typer application object that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="defcoop",
    help="Defense cooperation and exchanges: extract, store, query and report, with sources.",
    no_args_is_help=True,
    add_completion=False,
)
