"""``defcoop partners``: the partner registry, by region or by group on a date."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from defcoop.cli._store import USAGE_ERROR, DbOption, JsonOption, err_console, open_store
from defcoop.cli.app import app
from defcoop.cli.documents import print_table


@app.command()
def partners(
    group: Annotated[
        str | None,
        typer.Option(
            "--group", "-g", help="Only members of this group (ASEAN, NATO, EU, G7, QUAD, IP4...)."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Date of the membership asked (YYYY, YYYY-MM or YYYY-MM-DD) [default: today].",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", "-r", help='Only this region (southeast_asia or "Southeast Asia" ...).'
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only this kind: country, organization or group.")
    ] = None,
    observers: Annotated[
        bool,
        typer.Option("--observers/--members-only", help="With --group: list observers too."),
    ] = True,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """List partners with region and names; with --group, the members on a date."""
    from defcoop.kb.registry import RegistryError, list_partners, sync_registry

    statuses = ("member", "observer") if observers else ("member",)
    asked = as_of or date.today().isoformat()
    with open_store(db) as store:
        sync_registry(store)  # cheap when nothing changed; makes a fresh store usable
        try:
            rows = list_partners(
                store,
                group=group,
                as_of=asked if group else None,
                region=region,
                kind=kind,
                statuses=statuses,
            )
        except RegistryError as err:
            err_console().print(f"error: {err}", markup=False)
            raise typer.Exit(USAGE_ERROR) from err
    if json_out:
        typer.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    title = f"{len(rows)} partners"
    if group:
        title += f" of {group.upper()} as of {asked}"
    if region:
        title += f" in {region}"
    headers = ["code", "kind", "name", "English name", "region"]
    if group:
        headers += ["status", "since", "until"]
    table_rows = []
    for r in rows:
        cells = [r.code, r.kind, r.name_ja or "", r.name_en or "", r.region_name or ""]
        if group:
            cells += [r.status or "", r.since or "", r.until or ""]
        table_rows.append(cells)
    print_table(title, headers, table_rows, flexible={"English name": 40, "name": 24})
