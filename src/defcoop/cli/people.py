"""``defcoop people``: persons and the roles they held, or who held a role on a date."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from defcoop.cli._store import USAGE_ERROR, DbOption, JsonOption, err_console, open_store
from defcoop.cli.app import app
from defcoop.cli.documents import print_table


@app.command()
def people(
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            help="Role code (MOD_MIN, CHOD, PM, DEF_MIN, HEAD_GOV...) or a title (防衛大臣).",
        ),
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="ISO 3166 alpha-3 code (JPN, KOR, AUS...).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Who held it on this date (YYYY, YYYY-MM or YYYY-MM-DD).",
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Only this person (name or reading).")
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Persons found in the texts with the roles they held (attested periods), or who held
    a role on a date. Curated tenures win over inferred ones."""
    from defcoop.kb.people import PeopleError, list_tenures, nearest_holders, role_code

    with open_store(db) as store:
        try:
            rows = list_tenures(store, role=role, country=country, as_of=as_of, name=name)
        except PeopleError as err:
            err_console().print(f"error: {err}", markup=False)
            raise typer.Exit(USAGE_ERROR) from err
        hint = ""
        if as_of and role and country and not rows:
            before, after = nearest_holders(store, role, country, as_of)
            parts = []
            if before:
                parts.append(f"last attested before: {before.name} (to {before.end})")
            if after:
                parts.append(f"first attested after: {after.name} (from {after.start})")
            hint = "; ".join(parts)
    if json_out:
        typer.echo(json.dumps([h.to_dict() for h in rows], ensure_ascii=False, indent=2))
        return
    title = f"{len(rows)} tenure(s)"
    if role:
        title += f" of {role_code(role)}"
    if country:
        title += f" for {country.upper()}"
    if as_of:
        title += f" as of {as_of}"
    headers = ("name", "reading", "country", "role", "from", "to", "basis", "note")
    table_rows = [
        (
            h.name + (f" ({', '.join(h.variants)})" if h.variants else ""),
            h.reading or "",
            h.country or "",
            h.role,
            h.start or "",
            h.end or "",
            h.basis,
            h.note or "",
        )
        for h in rows
    ]
    print_table(title, headers, table_rows, flexible={"note": 80, "reading": 16})
    if as_of and not rows:
        typer.echo("nobody attested on that date" + (f" ({hint})" if hint else ""))
