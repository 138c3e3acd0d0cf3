"""``defcoop frameworks``: frameworks, pillars, initiatives and linked achievements.

Reads the store only (frameworks are imported from the stored documents by ``defcoop
ingest``; ``defcoop frameworks sync`` re-runs the import and the linking). Curators add
and remove links (``link`` / ``unlink``) and override implementation statuses
(``set-status``); every change is audited.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from defcoop.cli._store import DbOption, JsonOption, err_console, open_store
from defcoop.cli.app import app
from defcoop.cli.documents import shorten
from defcoop.errors import DefcoopError

frameworks_app = typer.Typer(
    name="frameworks",
    help="Frameworks (JASMINE, the Joint Vision, FOIP...): pillars, initiatives, achievements.",
    invoke_without_command=True,
)
app.add_typer(frameworks_app, name="frameworks")

FAILED = 1

NameArg = Annotated[
    str,
    typer.Argument(
        metavar="NAME", help="Framework id, name or alias: JASMINE, ジャスミン, JVS, VV2, FOIP."
    ),
]
UserOption = Annotated[
    str | None,
    typer.Option(
        "--user", "-u", envvar="DEFCOOP_USER", show_envvar=True, help="Who makes the change."
    ),
]
ReasonOption = Annotated[
    str | None, typer.Option("--reason", "-m", help="Why (kept in the audit log).")
]
FrameworkOption = Annotated[str, typer.Option("--framework", "-F", help="Framework id or name.")]
PillarOption = Annotated[int | None, typer.Option("--pillar", "-p", help="Pillar number.")]
InitiativeOption = Annotated[
    str | None,
    typer.Option(
        "--initiative",
        "-i",
        help="Initiative or cooperation area: its name as written, or a part naming one.",
    ),
]


def _fail(err: Exception) -> None:
    err_console().print(f"error: {err}", markup=False)
    raise typer.Exit(FAILED) from err


def _dump(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def _src(span: Any) -> str:
    if span is None:
        return ""
    return f"{span.doc}:{span.line}"


# --------------------------------------------------------------------------- list


@frameworks_app.callback()
def frameworks(
    ctx: typer.Context,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """List the frameworks of the store: id, name, adoption, pillars, initiatives, links.

    Subcommands: show, status, link, unlink, set-status, sync."""
    if ctx.invoked_subcommand is not None:
        return
    from defcoop.kb import frameworks as kf

    with open_store(db) as store:
        try:
            fws = kf.require_frameworks(store)
        except DefcoopError as err:
            _fail(err)
            return
        linked = {fw.id: len(kf.achievements(store, fw.id)) for fw in fws}
    rows: list[dict[str, Any]] = []
    for fw in fws:
        rows.append(
            {
                "id": fw.id,
                "name": fw.name,
                "name_en": fw.name_en,
                "adopted": fw.adopted,
                "occasion": fw.occasion,
                "pillars": len(fw.pillars),
                "initiatives": len(fw.initiatives),
                "new_initiatives": sum(i.new for i in fw.initiatives),
                "cooperation_areas": sum(len(p.cooperation_areas) for p in fw.pillars),
                "achievements": linked[fw.id],
                "relations": [{"kind": r.kind, "target": r.target} for r in fw.relations],
                "source": _src(fw.spans[0]) if fw.spans else None,
            }
        )
    if json_out:
        _dump(rows)
        return
    con = Console(highlight=False, soft_wrap=True)
    con.print(f"{len(rows)} frameworks")
    for r in rows:
        facts = [f"adopted {r['adopted']}" if r["adopted"] else "adoption not stated"]
        facts.append(f"{r['pillars']} pillars")
        if r["initiatives"]:
            facts.append(f"{r['initiatives']} initiatives ({r['new_initiatives']} new)")
        if r["cooperation_areas"]:
            facts.append(f"{r['cooperation_areas']} cooperation areas")
        facts.append(f"{r['achievements']} linked events")
        con.print(f"[bold]{escape(str(r['id'])):8}[/bold] {' · '.join(facts)}")
        con.print(f"{'':8} {escape(str(r['name']))}" + (
            f" [dim]({escape(str(r['name_en']))})[/dim]" if r["name_en"] else ""))  # fmt: skip


# --------------------------------------------------------------------------- show


@frameworks_app.command("show")
def show(
    name: NameArg,
    db: DbOption = None,
    json_out: JsonOption = False,
    detail: Annotated[
        bool,
        typer.Option(
            "--detail", help="With --json: add English names, spans, sources and link rules."
        ),
    ] = False,
) -> None:
    """Pillars -> lines of effort -> initiatives (new flags) -> linked achievements
    (date, partners, one-line summary, source doc:line)."""
    from defcoop.frameworks import framework_to_json
    from defcoop.kb import frameworks as kf

    with open_store(db) as store:
        try:
            fw = kf.require_framework(store, name)
        except DefcoopError as err:
            _fail(err)
            return
        achs = kf.achievements(store, fw.id)
    if json_out:
        _dump(framework_to_json(fw, achs, detail=detail))
        return
    _print_framework(fw, achs)


def _print_framework(fw: Any, achs: list[Any]) -> None:
    con = Console(highlight=False, soft_wrap=True)
    out = con.print
    out(f"[bold]{escape(fw.id)}[/bold]  {escape(fw.name)}")
    if fw.name_en:
        out(f"  {escape(fw.name_en)}")
    if fw.subtitle:
        out(f"  {escape(fw.subtitle)}")
    adopted = " ".join(x for x in (fw.adopted, f"at {fw.occasion}" if fw.occasion else None) if x)
    if adopted:
        where = f" ({fw.place})" if fw.place else ""
        src = f"  [dim]{_src(fw.spans[-1] if fw.spans else None)}[/dim]"
        out(f"  adopted {escape(adopted)}{escape(where)}{src}")
    for r in fw.relations:
        out(f"  {r.kind.replace('_', ' ')} {r.target}  [dim]{_src(r.span)}[/dim]")
    for pl in fw.plans:
        pre = (
            f" (predecessor {pl.predecessor_label}: {pl.predecessor_items} items)"
            if (pl.predecessor_items)
            else ""
        )
        out(f"  plan: {escape(pl.name)}: {pl.items} items{escape(pre)}  [dim]{_src(pl.span)}[/dim]")
    if fw.principles:
        out("  principles: " + " · ".join(escape(p.name) for p in fw.principles))
    by_pillar: dict[int | None, list[Any]] = {}
    for a in achs:
        nums = {lk.pillar for lk in a.links}
        for n in nums:
            by_pillar.setdefault(n, []).append(a)
    for p in fw.pillars:
        out("")
        out(f"[bold]Pillar {p.number}[/bold]  {escape(p.title)}  [dim]{_src(p.span)}[/dim]")
        if p.lines_of_effort:
            out("  lines of effort: " + " · ".join(escape(lo.title) for lo in p.lines_of_effort))
        inis = fw.initiatives_of(p.number)
        if inis:
            out(f"  initiatives ({len(inis)}):")
            for i in inis:
                flag = "[green]【新】[/green]" if i.new else "    "
                also = [n for n in i.pillars if n != p.number]
                more = f" [dim](also pillar {', '.join(map(str, also))})[/dim]" if also else ""
                out(f"   {flag} {escape(i.name)}{more}  [dim]{_src(i.span)}[/dim]")
        if p.cooperation_areas:
            out(f"  cooperation areas ({len(p.cooperation_areas)}): "
                + " · ".join(escape(a.name) for a in p.cooperation_areas))  # fmt: skip
        _print_achievements(out, by_pillar.get(p.number, []), p.number)
    whole = by_pillar.get(None, [])
    if whole:
        out("")
        out(f"[bold]The framework as a whole[/bold] (no single pillar): {len(whole)} events")
        _print_achievements(out, whole, None)
    if fw.commitments:
        out("")
        out(f"[bold]Commitments[/bold] ({len(fw.commitments)})")
        for c in fw.commitments:
            what = f"  {escape(c.heading)}" if c.heading else ""
            out(f"  {escape(c.text)}{what}  [dim]{_src(c.span)}[/dim]")
    if fw.meetings:
        counted = [mt for mt in fw.meetings if not mt.aside]
        out("")
        out(f"[bold]Meetings[/bold] ({len(counted)})")
        for mt in counted:
            star = "★ " if mt.special else ""
            out(f"  {mt.date or '':10}  {star}{escape(mt.name)}  {escape(mt.place or '')}  "
                f"[dim]{_src(mt.span)}[/dim]")  # fmt: skip


def _print_achievements(out: Any, achs: list[Any], pillar: int | None) -> None:
    if not achs:
        out("  achievements: none linked yet")
        return
    out(f"  achievements ({len(achs)}):")
    for a in achs:
        links = [lk for lk in a.links if lk.pillar == pillar]
        targets = sorted({lk.initiative or lk.area or "" for lk in links} - {""})
        rules = sorted({lk.rule for lk in links})
        cur = " [yellow]curated[/yellow]" if any(lk.curated for lk in links) else ""
        partners = ",".join(a.partners) or "-"
        out(
            f"   {a.date or 'undated':10} {escape(partners)}  {escape(shorten(a.summary, 64))}{cur}"
        )
        pad = " " * 14
        if targets:
            out(f"{pad}[cyan]→ {escape(' / '.join(shorten(t, 60) for t in targets))}[/cyan]")
        out(f"{pad}[dim]{_src(a.source)} · event {a.event} · rule {escape(', '.join(rules))}[/dim]")


# --------------------------------------------------------------------------- status


@frameworks_app.command("status")
def status(
    name: NameArg,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Implementation status per initiative and per cooperation area: none yet / carried
    out, first and latest date, count, partners reached; curator overrides with their note."""
    from defcoop.kb import frameworks as kf

    with open_store(db) as store:
        try:
            fw = kf.require_framework(store, name)
        except DefcoopError as err:
            _fail(err)
            return
        sts = kf.implementation_status(store, fw)
    if json_out:
        _dump([s.as_dict() for s in sts])
        return
    if not sts:
        typer.echo(f"{fw.id} has no initiatives or cooperation areas.")
        return
    from rich.table import Table

    done = Counter(x.state for x in sts)
    title = (
        f"{fw.id}: implementation status of {len(sts)} items ("
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(done.items()))
        + ")"
    )
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("pillar", no_wrap=True)
    table.add_column("initiative / cooperation area", ratio=3, overflow="fold")
    table.add_column("state", ratio=1)
    table.add_column("first", no_wrap=True)
    table.add_column("latest", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("partners", ratio=1, overflow="fold")
    for x in sts:
        state = x.state.replace("_", " ")
        if x.state != x.derived_state:
            state += f" (curator; derived: {x.derived_state.replace('_', ' ')})"
            if x.override_note:
                state += f": {x.override_note}"
            if x.overridden_by:
                state += f" — {x.overridden_by}"
        name = ("【新】" if x.new else "") + x.target
        if x.target_kind == "area":
            name = f"[area] {name}"
        table.add_row(
            ",".join(map(str, x.pillars)),
            Text(name),
            Text(state, style="green" if x.state != "none_yet" else "dim"),
            x.first_date or "",
            x.latest_date or "",
            str(x.count),
            ",".join(x.partners),
        )
    Console(highlight=False).print(table)


# --------------------------------------------------------------------------- curation


def _print_change(ch: Any, json_out: bool) -> None:
    if json_out:
        _dump(ch.to_dict())
        return
    typer.echo(f"{ch.event} {ch.framework}: {ch.message}")
    for lk in ch.links:
        where = f"pillar {lk['pillar']}" if lk["pillar"] is not None else "framework"
        ini = f" / {lk['initiative']}" if lk["initiative"] else ""
        typer.echo(f"  {lk['state']:9} {where}{ini}  ({lk['rule']})")


@frameworks_app.command("link")
def link(
    event_id: Annotated[str, typer.Argument(metavar="EVENT_ID", help="Event id.")],
    framework: FrameworkOption = "JASMINE",
    pillar: PillarOption = None,
    initiative: InitiativeOption = None,
    user: UserOption = None,
    reason: ReasonOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Link an event to a framework / pillar / initiative by hand (audited; kept across
    re-ingestion). Confirms an automatic link that already exists."""
    from defcoop.kb import frameworks as kf

    with open_store(db) as store:
        try:
            ch = kf.add_link(
                store, event_id, framework, pillar, initiative, user=user or "", reason=reason
            )
        except DefcoopError as err:
            _fail(err)
            return
    _print_change(ch, json_out)


@frameworks_app.command("unlink")
def unlink(
    event_id: Annotated[str, typer.Argument(metavar="EVENT_ID", help="Event id.")],
    framework: FrameworkOption = "JASMINE",
    pillar: PillarOption = None,
    initiative: InitiativeOption = None,
    user: UserOption = None,
    reason: ReasonOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Remove an event's links to a framework (or one pillar, or one initiative): they are
    kept as rejected and never re-created by the classifier (audited)."""
    from defcoop.kb import frameworks as kf

    with open_store(db) as store:
        try:
            ch = kf.remove_link(
                store, event_id, framework, pillar, initiative, user=user or "", reason=reason
            )
        except DefcoopError as err:
            _fail(err)
            return
    _print_change(ch, json_out)


@frameworks_app.command("set-status")
def set_status(
    name: NameArg,
    target: Annotated[
        str, typer.Argument(metavar="TARGET", help="Initiative or cooperation area (or part).")
    ],
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            "-s",
            help="none_yet, carried_out, in_progress, completed or dropped; omit with --clear.",
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", help="What was done and where (required).")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the override.")] = False,
    user: UserOption = None,
    reason: ReasonOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Override the derived implementation status of an initiative or cooperation area,
    with a note (audited); --clear goes back to the derived status."""
    from defcoop.kb import frameworks as kf

    if not clear and state is None:
        _fail(DefcoopError("give --state STATE --note NOTE, or --clear"))
    with open_store(db) as store:
        try:
            out = kf.set_status(
                store, name, target, None if clear else state, user=user or "", note=note,
                reason=reason,
            )  # fmt: skip
        except DefcoopError as err:
            _fail(err)
            return
    if json_out:
        _dump(out)
        return
    shown = out["state"] or "derived (override cleared)"
    typer.echo(f"{out['framework']}: {out['target']}: {shown}" + (
        f" — {out['note']}" if out["note"] else ""))  # fmt: skip


@frameworks_app.command("sync")
def sync(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Import the frameworks from the stored documents again and re-link the events
    (what `defcoop ingest` does after a change; curators' links are kept)."""
    from dataclasses import asdict

    from defcoop.kb import frameworks as kf

    with open_store(db) as store:
        if store.counts().documents == 0:
            _fail(DefcoopError(kf.empty_message(store)))
        res, links = kf.resolve_frameworks(store)
    if json_out:
        _dump({"frameworks": asdict(res), "links": asdict(links)})
        return

    def counts(d: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items()) or "none"

    typer.echo(f"frameworks: {', '.join(res.frameworks) or 'none'} "
               f"(from {len(res.documents)} documents)")  # fmt: skip
    typer.echo(f"  added: {counts(res.added)}; updated: {counts(res.updated)}; "
               f"removed: {counts(res.removed)}")  # fmt: skip
    for k in res.kept:
        typer.echo(f"  kept: {k}")
    typer.echo(
        f"links: {links.events} events classified, {links.linked_events} linked; "
        f"added {links.added}, updated {links.updated}, removed {links.removed}; "
        f"curated rows kept {links.curated}, blocked by curators {links.blocked}"
    )
    for fid, per in links.per_pillar.items():
        parts = ", ".join(
            f"{'whole framework' if p == '-' else 'pillar ' + p}: {n}" for p, n in per.items()
        )
        typer.echo(f"  {fid}: {parts}")
    for u in links.unmatched:
        typer.echo(f"  warning: rule target not in the store: {u}")
