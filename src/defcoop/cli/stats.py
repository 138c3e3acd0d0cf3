"""``defcoop stats``: counts, top partners, engagement intensity, co-participation network."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from defcoop.cli import _filters as f
from defcoop.cli._store import DbOption, open_store
from defcoop.cli.app import app
from defcoop.query import QueryError
from defcoop.query import analytics as an

stats_app = typer.Typer(
    name="stats",
    help="Analytics over the filtered events: counts, top partners, intensity, network.",
    no_args_is_help=True,
)
app.add_typer(stats_app, name="stats")


@stats_app.command("counts")
def counts(
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            "-b",
            help=f"Dimension (repeatable, up to two for a pivot): {', '.join(an.DIMENSIONS)} [default: year, partner].",
        ),
    ] = None,
    pivot: Annotated[
        bool,
        typer.Option(
            "--pivot/--long",
            help="Two dimensions: a pivot table (rows x columns) or one row per cell.",
        ),
    ] = True,
    partner: f.Partner = None,
    region: f.Region = None,
    group: f.Group = None,
    kind: f.Kind = None,
    level: f.Level = None,
    since: f.Since = None,
    until: f.Until = None,
    state: f.State = None,
    fmt: f.FormatOption = f.OutFormat.table,
    db: DbOption = None,
) -> None:
    """Event counts by year x partner / region / kind / level (an event counts once per cell)."""
    dims = by or ["year", "partner"]
    q = f.build_query(
        partner=partner,
        region=region,
        group=group,
        kind=kind,
        level=level,
        since=since,
        until=until,
        state=state,
    )
    with open_store(db) as store:
        try:
            rows = an.counts(store, dims, q)
        except QueryError as err:
            f.fail(err)
            return
    if len(dims) == 2 and pivot and fmt is not f.OutFormat.json:
        # partners / regions / kinds as rows, years as columns
        row_dim, col_dim = (
            (dims[1], dims[0]) if dims[0] in ("year", "month") else (dims[0], dims[1])
        )
        pv = an.pivot(rows, row_dim, col_dim)
        table = [
            {row_dim: r, **{c: pv.value(r, c) for c in pv.cols}, "total": pv.row_total(r)}
            for r in pv.rows
        ]
        f.emit_rows(
            table, fmt, f"events by {row_dim} x {col_dim}", right=frozenset([*pv.cols, "total"])
        )
        return
    f.emit_rows(
        [r.to_dict() for r in rows],
        fmt,
        f"events by {' x '.join(dims)}",
        right=frozenset({"count"}),
    )


@stats_app.command("top")
def top(
    n: Annotated[int, typer.Option("--n", "-n", min=1, help="How many partners.")] = 10,
    per_year: Annotated[
        bool, typer.Option("--per-year", help="The top partners of each year.")
    ] = False,
    kind: f.Kind = None,
    level: f.Level = None,
    region: f.Region = None,
    since: f.Since = None,
    until: f.Until = None,
    fmt: f.FormatOption = f.OutFormat.table,
    db: DbOption = None,
) -> None:
    """Partners with most events in the period (or in each year)."""
    q = f.build_query(kind=kind, level=level, region=region, since=since, until=until)
    with open_store(db) as store:
        try:
            if per_year:
                rows = [
                    {"year": y, "rank": i + 1, **t.to_dict()}
                    for y, lst in an.top_partners_by_year(store, n, q).items()
                    for i, t in enumerate(lst)
                ]
            else:
                rows = [
                    {"rank": i + 1, **t.to_dict()}
                    for i, t in enumerate(an.top_partners(store, n, q))
                ]
        except QueryError as err:
            f.fail(err)
            return
    f.emit_rows(rows, fmt, "top partners", right=frozenset({"rank", "count"}))


@stats_app.command("intensity")
def intensity(
    n: Annotated[int, typer.Option("--top", "-n", min=0, help="How many partners (0: all).")] = 20,
    partner: f.Partner = None,
    region: f.Region = None,
    kind: f.Kind = None,
    since: f.Since = None,
    until: f.Until = None,
    fmt: f.FormatOption = f.OutFormat.table,
    db: DbOption = None,
) -> None:
    """Engagement intensity: events per year weighted by level (formula in docs/analytics.md)."""
    q = f.build_query(partner=partner, region=region, kind=kind, since=since, until=until)
    with open_store(db) as store:
        try:
            rows = an.intensity_summary(store, q, top=n or None)
        except QueryError as err:
            f.fail(err)
            return
    out = [
        {
            "partner": r.partner,
            "name": r.name,
            "events": r.events,
            "score": r.score,
            "per_year": r.mean_per_year,
            **{y: r.per_year.get(y, 0) for y in r.years},
        }
        for r in rows
    ]
    f.emit_rows(
        out,
        fmt,
        "engagement intensity",
        right=frozenset({"events", "score", "per_year", *(rows[0].years if rows else [])}),
    )


@stats_app.command("network")
def network(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the graph: .graphml or .json (node-link)."),
    ] = None,
    min_partners: Annotated[
        int,
        typer.Option(
            "--min-partners",
            min=2,
            help="Foreign partners an event needs to count as multilateral.",
        ),
    ] = 2,
    japan: Annotated[
        bool, typer.Option("--japan/--no-japan", help="Add JPN as a node linked to every partner.")
    ] = False,
    kind: f.Kind = None,
    level: f.Level = None,
    since: f.Since = None,
    until: f.Until = None,
    fmt: f.FormatOption = f.OutFormat.table,
    db: DbOption = None,
) -> None:
    """Co-participation network of multilateral events: who attends with whom."""
    q = f.build_query(kind=kind, level=level, since=since, until=until)
    with open_store(db) as store:
        try:
            g = an.network(store, q, min_partners=min_partners, include_japan=japan)
        except QueryError as err:
            f.fail(err)
            return
    if output is not None:
        try:
            an.write_network(g, output)
        except QueryError as err:
            f.fail(err)
        typer.echo(
            f"{output}: {g.number_of_nodes()} partners, {g.number_of_edges()} links, {g.graph.get('events', 0)} events"
        )
        return
    edges = sorted(g.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1]))
    f.emit_rows(
        [{"a": a, "b": b, "events": d["weight"]} for a, b, d in edges],
        fmt,
        f"{g.graph.get('events', 0)} multilateral events",
        right=frozenset({"events"}),
    )
