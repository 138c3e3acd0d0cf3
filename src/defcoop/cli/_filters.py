"""Event filter options shared by ``events``, ``stats`` and ``export``, and their output."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer

from defcoop.cli._store import USAGE_ERROR, err_console
from defcoop.query import EventQuery, QueryError
from defcoop.query.levels import ALL_LEVELS, SERVICES

_P = "Filters"

Partner = Annotated[
    list[str] | None,
    typer.Option(
        "--partner",
        "-p",
        help="Partner: ISO code (PHL), Japanese or English name. Repeatable (any of).",
        rich_help_panel=_P,
    ),
]
Region = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        help="Region of a partner (southeast_asia, europe, ...). Repeatable.",
        rich_help_panel=_P,
    ),
]
Group = Annotated[
    list[str] | None,
    typer.Option(
        "--group",
        help="Group (ASEAN, NATO, QUAD...): the group itself or a member on the event's date.",
        rich_help_panel=_P,
    ),
]
Kind = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        "-k",
        help="Event kind (meeting, exercise, agreement...). Repeatable.",
        rich_help_panel=_P,
    ),
]
Level = Annotated[
    list[str] | None,
    typer.Option(
        "--level",
        "-l",
        help=f"Level of the Japanese side: {', '.join(ALL_LEVELS)} (singular works). Repeatable.",
        rich_help_panel=_P,
    ),
]
Service = Annotated[
    list[str] | None,
    typer.Option(
        "--service", help=f"Service: {', '.join(SERVICES)}. Repeatable.", rich_help_panel=_P
    ),
]
Role = Annotated[
    list[str] | None,
    typer.Option("--role", help="jp_role code (MOD_MIN, CHOD...). Repeatable.", rich_help_panel=_P),
]
Since = Annotated[
    str | None,
    typer.Option(
        "--since", help="From this date on: YYYY, YYYY-MM or YYYY-MM-DD.", rich_help_panel=_P
    ),
]
Until = Annotated[
    str | None,
    typer.Option(
        "--until",
        help="Up to this date (inclusive): YYYY, YYYY-MM or YYYY-MM-DD.",
        rich_help_panel=_P,
    ),
]
Framework = Annotated[
    str | None,
    typer.Option(
        "--framework", help="Achievements of a framework (JASMINE, JVS).", rich_help_panel=_P
    ),
]
Pillar = Annotated[
    int | None,
    typer.Option(
        "--pillar", help="Pillar number (framework JASMINE unless --framework).", rich_help_panel=_P
    ),
]
Initiative = Annotated[
    str | None,
    typer.Option("--initiative", help="Initiative name (part of it).", rich_help_panel=_P),
]
State = Annotated[
    list[str] | None,
    typer.Option(
        "--state",
        help="Curation state (automatic, verified, corrected, manual, rejected, all) [default: all but rejected].",
        rich_help_panel=_P,
    ),
]
Text = Annotated[
    str | None,
    typer.Option(
        "--text",
        "-q",
        help="Words that must all occur in the source paragraph (Japanese), or partner names (English).",
        rich_help_panel=_P,
    ),
]
Doc = Annotated[
    list[str] | None, typer.Option("--doc", help="Document key. Repeatable.", rich_help_panel=_P)
]


class OutFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[OutFormat, typer.Option("--format", "-f", help="table, json or csv.")]


def build_query(**values: Any) -> EventQuery:
    """An EventQuery from the CLI's filter values, or exit 2 with the reason."""
    try:
        return EventQuery.build(**values)
    except QueryError as err:
        fail(err)
        raise  # unreachable


def fail(err: Exception) -> None:
    err_console().print(f"error: {err}", markup=False)
    raise typer.Exit(USAGE_ERROR) from err


def emit_rows(
    rows: Sequence[dict[str, Any]],
    fmt: OutFormat,
    title: str,
    *,
    flexible: dict[str, int] | None = None,
    right: frozenset[str] = frozenset(),
) -> None:
    """Print dict rows as a table, a JSON array or CSV (lists joined with ';')."""
    if fmt is OutFormat.json:
        typer.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
        return
    headers = list(rows[0]) if rows else []
    cells = [[_cell(r[h]) for h in headers] for r in rows]
    if fmt is OutFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(headers)
        w.writerows(cells)
        typer.echo(buf.getvalue(), nl=False)
        return
    from defcoop.cli.documents import print_table

    if not rows:
        typer.echo(f"{title}: nothing matches")
        return
    print_table(title, headers, cells, flexible=flexible or {}, right=right)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)
