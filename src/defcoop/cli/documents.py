"""``defcoop documents`` and ``defcoop show DOC``: what the store holds, segment by segment."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from defcoop.cli._store import DbOption, JsonOption, err_console, open_store
from defcoop.cli.app import app
from defcoop.records import BLOCK_KINDS


@app.command()
def documents(
    db: DbOption = None,
    json_out: JsonOption = False,
    all_versions: Annotated[
        bool, typer.Option("--all", help="Include older versions, not only current ones.")
    ] = False,
) -> None:
    """List stored documents: key, version, title, type, characters, segments, events."""
    with open_store(db) as store:
        docs = store.list_documents(include_old=all_versions)
    if json_out:
        typer.echo(json.dumps([d.to_dict() for d in docs], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(docs)} documents", title_justify="left")
    table.add_column("document", no_wrap=True)
    table.add_column("ver", justify="right", no_wrap=True)
    table.add_column("title", overflow="ellipsis", max_width=40)
    table.add_column("type", no_wrap=True)
    table.add_column("chars", justify="right", no_wrap=True)
    table.add_column("segments", justify="right", no_wrap=True)
    table.add_column("events", justify="right", no_wrap=True)
    table.add_column("ingested", no_wrap=True)
    for d in docs:
        version = f"{d.version}" if d.is_current else f"{d.version} (old)"
        table.add_row(
            Text(d.doc_key),
            version,
            Text(d.title or ""),
            d.media_type,
            f"{d.char_count:,}",
            str(d.segments),
            str(d.events),
            d.ingested_at.strftime("%Y-%m-%d %H:%M"),
        )
    Console(highlight=False).print(table)


def _check_kinds(values: list[str] | None) -> list[str] | None:
    for v in values or []:
        if v not in BLOCK_KINDS:
            raise typer.BadParameter(f"{v!r} is not a block kind ({', '.join(BLOCK_KINDS)})")
    return values


def shorten(text: str, width: int) -> str:
    """One line of at most ``width`` characters (newlines and tabs shown as spaces)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(width - 1, 0)] + "…"


@app.command()
def show(
    doc: Annotated[
        str, typer.Argument(metavar="DOC", help="Document key: the file name without extension.")
    ],
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            callback=_check_kinds,
            help=f"Only segments of this block kind (repeatable): {', '.join(BLOCK_KINDS)}.",
        ),
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="A stored version (default: current).")
    ] = None,
    width: Annotated[
        int, typer.Option("--width", min=10, help="Characters of segment text shown.")
    ] = 60,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show the segments of a document: index, kind, section path, line, span, text."""
    with open_store(db) as store:
        view = store.get_document(doc, version=version, kinds=kind)
    if view is None:
        which = f"{doc} version {version}" if version is not None else doc
        err_console().print(f"{which}: no such document (see `defcoop documents`)", markup=False)
        raise typer.Exit(1)
    if json_out:
        typer.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2))
        return
    d = view.document
    title = f"{d.doc_key} v{d.version}: {len(view.segments)} segments"
    if kind:
        title += f" of kind {', '.join(kind)}"
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("section", no_wrap=True, overflow="ellipsis", max_width=40)
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("span", no_wrap=True)
    table.add_column("text", no_wrap=True, overflow="ellipsis")
    for s in view.segments:
        table.add_row(
            str(s.index),
            s.kind,
            Text(" > ".join(s.section_path)),
            str(s.line),
            f"{s.start}-{s.end}",
            Text(shorten(s.text, width)),
        )
    Console(highlight=False).print(table)
