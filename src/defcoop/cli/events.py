"""``defcoop events``: query the store with filters; table, JSON or CSV."""

from __future__ import annotations

import json
import re
from typing import Annotated

import typer

from defcoop.cli import _filters as f
from defcoop.cli._store import DbOption, open_store
from defcoop.cli.app import app
from defcoop.query import QueryError, facets, get_event, search_events

_NUMBERED = re.compile(r"(\d+)_[0-9a-f]{8,}")


def short_doc(key: str | None) -> str:
    """``004_3f20f60fb676c9fe`` -> ``004``; other keys unchanged."""
    if not key:
        return "manual"
    m = _NUMBERED.fullmatch(key)
    return m.group(1) if m else key


@app.command()
def events(
    partner: f.Partner = None,
    region: f.Region = None,
    group: f.Group = None,
    kind: f.Kind = None,
    level: f.Level = None,
    service: f.Service = None,
    role: f.Role = None,
    since: f.Since = None,
    until: f.Until = None,
    framework: f.Framework = None,
    pillar: f.Pillar = None,
    initiative: f.Initiative = None,
    state: f.State = None,
    text: f.Text = None,
    doc: f.Doc = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort", help="date, kind, state, doc, updated or id; '-' prefix for descending."
        ),
    ] = "date",
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="Rows per page (0: every row).")
    ] = 50,
    page: Annotated[int, typer.Option("--page", min=1, help="Page number (1-based).")] = 1,
    fmt: f.FormatOption = f.OutFormat.table,
    show_facets: Annotated[
        bool,
        typer.Option(
            "--facets", help="Print counts by kind, partner, year, level and state instead."
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """List events matching the filters (all filters combine; repeated values are alternatives).

    Example: defcoop events --partner PHL --since 2024-01 --level minister
    """
    q = f.build_query(
        partner=partner, region=region, group=group, kind=kind, level=level, service=service,
        role=role, since=since, until=until, framework=framework, pillar=pillar,
        initiative=initiative, state=state, text=text, doc=doc, sort=sort,
        limit=limit or None, page=page,
    )  # fmt: skip
    with open_store(db) as store:
        try:
            if show_facets:
                fc = facets(store, q)
            else:
                result = search_events(store, q)
        except QueryError as err:
            f.fail(err)
            return
    if show_facets:
        if fmt is f.OutFormat.json:
            typer.echo(json.dumps(fc.to_dict(), ensure_ascii=False, indent=2))
            return
        rows = [
            {"facet": name, "value": k, "events": n}
            for name in ("kind", "level", "year", "state", "partner")
            for k, n in getattr(fc, name).items()
        ]
        f.emit_rows(rows, fmt, f"{fc.total} events: counts", right=frozenset({"events"}))
        return
    if fmt is f.OutFormat.json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if fmt is f.OutFormat.csv:
        f.emit_rows([e.to_dict() for e in result.items], fmt, "")
        return
    rows = [
        {
            "date": e.date + (f"–{e.end}" if e.end else "") if e.date else "undated",
            "kind": e.kind + (f" {e.agreement_type}" if e.agreement_type else ""),
            "partners": ",".join(e.partners),
            "jp": (e.jp_role or "") + (f" {e.jp_name}" if e.jp_name else ""),
            "location": e.location or "",
            "source": f"{short_doc(e.doc_key)}:{e.line}" if e.doc_key else "manual",
            "quote": e.quote,
        }
        for e in result.items
    ]
    shown = f"{len(rows)} of {result.total_label} events"
    if result.pages > 1:
        shown += f" (page {result.page} of {result.pages})"
    f.emit_rows(rows, fmt, shown, flexible={"location": 14, "quote": 60})


@app.command()
def event(
    event_id: Annotated[
        str, typer.Argument(metavar="ID", help="Event id (from `defcoop events -f json`).")
    ],
    db: DbOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one event: its facts, participants, every source span with its paragraph, and
    the framework pillars it counts under."""
    with open_store(db) as store:
        detail = get_event(store, event_id)
    if detail is None:
        f.err_console().print(f"{event_id}: no such event (see `defcoop events`)", markup=False)
        raise typer.Exit(1)
    if json_out:
        typer.echo(json.dumps(detail.to_dict(), ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.markup import escape

    c = Console(highlight=False)
    e = detail.event
    c.print(
        f"[bold]{e.kind}[/] {e.date or 'undated'}{'–' + e.end if e.end else ''}  {escape(', '.join(e.partners))}  [dim]{e.id} · {e.state}[/]"
    )
    for label, value in (
        ("Japanese side", f"{e.jp_role or ''} {e.jp_name or ''} ({e.level})"),
        ("modality", e.modality),
        ("location", e.location),
        ("occasion", e.occasion),
        (
            "agreement",
            " ".join(x for x in (e.agreement_type, e.agreement_status, e.agreement_name) if x),
        ),
        ("count", e.count),
    ):
        if value not in (None, "", " "):
            c.print(f"  {label}: {escape(str(value))}")
    for p in detail.participants:
        c.print(
            f"  participant ({p.side}): {escape(' '.join(x for x in (p.partner_code, p.title, p.name) if x))}{' (当時)' if p.former else ''}"
        )
    for ev in detail.evidence:
        where = f"{ev.doc_key} v{ev.version}{'' if ev.is_current else ' (old)'} line {ev.line}"
        c.print(f"\n[bold]source[/] {escape(where)}  [dim]{escape(' > '.join(ev.section_path))}[/]")
        span = ev.quote_in_paragraph
        if ev.paragraph and span:
            a, b = span
            c.print(
                escape(ev.paragraph[:a])
                + "[reverse]"
                + escape(ev.paragraph[a:b])
                + "[/]"
                + escape(ev.paragraph[b:])
            )
        else:
            c.print(escape(ev.quote))
    for lk in detail.links:
        c.print(
            f"\n[bold]framework[/] {lk.framework} pillar {lk.pillar} {escape(lk.initiative or '')} [dim]({lk.rule}; {'stored' if lk.stored else 'computed'})[/]"
        )
