"""``defcoop documents`` and ``defcoop show DOC``: what the store holds, segment by segment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import Console, JustifyMethod
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
    wide = Console().width >= 100
    rows = [
        (
            d.doc_key,
            f"{d.version}" if d.is_current else f"{d.version} (old)",
            d.title or "",
            SHORT_TYPES.get(d.media_type, d.media_type),
            f"{d.char_count:,}",
            str(d.segments),
            str(d.events),
            d.ingested_at.strftime("%Y-%m-%d %H:%M" if wide else "%Y-%m-%d"),
        )
        for d in docs
    ]
    headers = ("document", "ver", "title", "type", "chars", "segments", "events", "ingested")
    right = frozenset({"ver", "chars", "segments", "events"})
    print_table(f"{len(docs)} documents", headers, rows, flexible={"title": 50}, right=right)


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
    rows = [
        (
            str(s.index),
            s.kind,
            " > ".join(s.section_path),
            str(s.line),
            f"{s.start}-{s.end}",
            shorten(s.text, width),
        )
        for s in view.segments
    ]
    headers = ("#", "kind", "section", "line", "span", "text")
    right = frozenset({"#", "line"})
    flexible = {"section": 40, "text": 2 * width}
    print_table(title, headers, rows, flexible=flexible, right=right)


SHORT_TYPES = {"text/plain": "text", "text/html": "html", "application/pdf": "pdf"}
MIN_FLEX = 6


def print_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    flexible: dict[str, int],
    right: frozenset[str] = frozenset(),
) -> None:
    """Print a table whose code-like columns always show in full; only the ``flexible``
    columns (name -> most cells) share what is left of the terminal, or are dropped."""
    console = Console(highlight=False)
    widths = [_width(rows, i, h) for i, h in enumerate(headers)]
    fixed = sum(w for h, w in zip(headers, widths, strict=True) if h not in flexible)
    room = console.width - fixed - (3 * len(headers) + 1)
    total = sum(flexible.values()) or 1
    share = {h: min(cap, room * cap // total) for h, cap in flexible.items()}
    keep = [i for i, h in enumerate(headers) if h not in flexible or share[h] >= MIN_FLEX]
    table = Table(title=title, title_justify="left")
    for i in keep:
        h = headers[i]
        justify: JustifyMethod = "right" if h in right else "left"
        if h in flexible:
            table.add_column(h, no_wrap=True, overflow="ellipsis", max_width=share[h])
        else:
            table.add_column(h, justify=justify, no_wrap=True, min_width=widths[i])
    for row in rows:
        table.add_row(*(Text(row[i]) for i in keep))
    console.print(table)


def _width(rows: Sequence[Sequence[str]], i: int, header: str) -> int:
    """Terminal cells needed by column ``i`` (so short codes never get truncated)."""
    return max([cell_len(header), *(cell_len(r[i]) for r in rows)])
