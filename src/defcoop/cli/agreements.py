"""`defcoop agreements`: the partner x agreement-type matrix with the status on a date.

The history comes from the store (``DEFCOOP_DB`` / ``--db``) when it holds documents,
with curators' statuses; from the files given as PATH otherwise (the bundled corpus
by default), read and extracted on the fly.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from defcoop.cli._store import DbOption
from defcoop.cli.app import app
from defcoop.errors import DefcoopError
from defcoop.kb.agreements import MATRIX_TYPES, AgreementHistory

USAGE_ERROR = 2

_SHORT = {"substantially_agreed": "agreed", "signed": "signed", "in_force": "in force"}
_STYLE = {"substantially_agreed": "yellow", "signed": "cyan", "in_force": "green"}


class Format(StrEnum):
    table = "table"
    json = "json"


def history_from_paths(paths: list[Path]) -> tuple[AgreementHistory, list[str]]:
    """Read, extract and build the history of ``paths`` (files or folders)."""
    from defcoop.extract import extract_document
    from defcoop.extract.status_statements import find_status_statements
    from defcoop.kb.agreements import build_history
    from defcoop.readers import iter_paths, read_path
    from defcoop.segment import segment

    events = []
    statements = []
    errors: list[str] = []
    for path in iter_paths(paths):
        try:
            doc = read_path(path)
        except DefcoopError as err:
            errors.append(str(err))
            continue
        segs = segment(doc)
        events.extend(extract_document(doc, segs))
        statements.extend(find_status_statements(doc, segs))
    return build_history(events, statements), errors


def history_from_store(db: str | None) -> AgreementHistory | None:
    """The store's history, or None when there is no store with documents yet (a
    SQLite file that does not exist is not created just to be found empty)."""
    from defcoop.query.agreement_history import build_agreement_history
    from defcoop.store import Store
    from defcoop.store.engine import resolve_url

    try:
        url = resolve_url(db)
    except DefcoopError:
        return None
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if not path or path == ":memory:" or not Path(path).exists():
            return None
    try:
        store = Store.open(db)
    except DefcoopError:
        return None
    try:
        if not store.list_documents():
            return None
        return build_agreement_history(store)
    finally:
        store.close()


def _known_types() -> list[str]:
    from defcoop.extract.status_statements import agreement_types

    return [t.code for t in agreement_types()]


def print_matrix(rows: list[dict[str, Any]], types: list[str], as_of: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from defcoop.extract.partners import registry

    reg = registry()
    t = Table(title=f"Agreements as of {as_of} ({len(rows)} partners)")
    t.add_column("partner")
    t.add_column("name")
    for typ in types:
        t.add_column(typ, justify="center")
    for r in rows:
        p = reg.get(r["partner"])
        cells = [
            Text(_SHORT[r[typ]], style=_STYLE[r[typ]]) if r[typ] else Text("-", style="dim")
            for typ in types
        ]
        t.add_row(r["partner"], p.name_en if p else "", *cells)
    Console().print(t)


@app.command()
def agreements(
    as_of: Annotated[
        str, typer.Option("--as-of", help="Date YYYY-MM (or YYYY, YYYY-MM-DD): status by its end.")
    ],
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to read (default: the bundled corpus)."),
    ] = None,
    json_flag: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    types: Annotated[
        list[str] | None,
        typer.Option(
            "--type", help="Agreement type column, repeatable (default: RAA ACSA ETA ISA MOU)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Partner x agreement-type matrix: status (substantially_agreed, signed, in_force) on a date."""
    from defcoop.kb.agreements import check_date

    err = typer.echo
    try:
        on = check_date(as_of)
    except ValueError as e:
        err(f"error: --as-of: {e}", err=True)
        raise typer.Exit(USAGE_ERROR) from e
    wanted = [t.upper() for t in (types or MATRIX_TYPES)]
    known = _known_types()
    bad = [t for t in wanted if t not in known]
    if bad:
        err(f"error: unknown agreement type {', '.join(bad)} (known: {' '.join(known)})", err=True)
        raise typer.Exit(USAGE_ERROR)
    history = None if paths else history_from_store(db)
    errors: list[str] = []
    if history is None:
        if not paths:
            from defcoop.corpus import corpus_path

            try:
                paths = [corpus_path()]
            except DefcoopError as e:
                err(f"error: {e}", err=True)
                raise typer.Exit(USAGE_ERROR) from e
        history, errors = history_from_paths(paths)
    rows = history.matrix(on, wanted)
    if json_flag or fmt is Format.json:
        # a JSON array with one partner object per line
        body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
        typer.echo(f"[\n{body}\n]" if rows else "[]")
    else:
        print_matrix(rows, wanted, on)
    for message in errors:
        err(f"error: {message}", err=True)
    if errors:
        raise typer.Exit(1)
