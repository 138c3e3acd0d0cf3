"""``defcoop curate ...``: verify, correct, reject, add, merge and unmerge, with an audit log.

Thin commands over ``defcoop.kb.curation``. Every change names its author (``--user``,
or ``$DEFCOOP_USER``) and may give a reason; ``--version`` refuses the change if the
record changed since you loaded that version. After a change the knowledge base is
refreshed (merges, tenures, verification axes) unless ``--no-resolve``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console

from defcoop.cli._store import DbOption, JsonOption, err_console, open_store
from defcoop.cli.app import app
from defcoop.cli.documents import print_table, shorten
from defcoop.errors import DefcoopError
from defcoop.store import Store

curate_app = typer.Typer(
    name="curate",
    help="Review the machine's output: verify, correct, reject, add, merge, unmerge (audited).",
    no_args_is_help=True,
)
app.add_typer(curate_app, name="curate")

REFUSED = 1


class Entity(StrEnum):
    event = "event"
    participant = "participant"
    status = "agreement_status"
    person = "person"
    tenure = "tenure"


class What(StrEnum):
    event = "event"
    participant = "participant"
    status = "status"
    tenure = "tenure"


UserOption = Annotated[
    str | None,
    typer.Option(
        "--user", "-u", envvar="DEFCOOP_USER", show_envvar=True, help="Who makes the change."
    ),
]
ReasonOption = Annotated[
    str | None, typer.Option("--reason", "-m", help="Why (kept in the audit log).")
]
VersionOption = Annotated[
    int | None,
    typer.Option(
        "--version",
        help="The version you loaded: the change is refused if the record changed since.",
    ),
]
EntityOption = Annotated[
    Entity, typer.Option("--entity", "-e", help="Kind of record the id names.")
]
ResolveOption = Annotated[
    bool,
    typer.Option("--resolve/--no-resolve", help="Refresh merges, tenures and axes afterwards."),
]
IdArgument = Annotated[str, typer.Argument(metavar="ID", help="Id of the record.")]


def _user(user: str | None) -> str:
    if not user or not user.strip():
        err_console().print("error: give --user (or set DEFCOOP_USER): who makes the change")
        raise typer.Exit(2)
    return user.strip()


def _run(db: str | None, resolve: bool, json_out: bool, action: Any) -> None:
    """Open the store, apply ``action(store)``, report, refresh the knowledge base."""
    from defcoop.kb.resolve import resolve as resolve_kb

    with open_store(db) as store:
        try:
            result = action(store)
        except DefcoopError as err:
            err_console().print(f"error: {err}", markup=False)
            raise typer.Exit(REFUSED) from err
        if resolve:
            resolve_kb(store)
    if json_out:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False, soft_wrap=True)
    for c in result.changes:
        what = f"{c.entity} {c.entity_id}"
        if c.field:
            what += f" {c.field}"
        console.print(f"{c.action}: {what}: {_show(c.before)} -> {_show(c.after)}", markup=False)
    if not result.changes:
        console.print(f"{result.entity} {result.id}: nothing to change", markup=False)
    elif result.version is not None:
        console.print(f"{result.entity} {result.id} is now version {result.version}", markup=False)


def _show(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


@curate_app.command("verify")
def verify_cmd(
    record_id: IdArgument,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            "-f",
            help="Events: verify only this field or axis (date, partners, principal, role, "
            "counterpart, source...); repeatable. Default: the whole event.",
        ),
    ] = None,
    entity: EntityOption = Entity.event,
    user: UserOption = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    resolve: ResolveOption = True,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Confirm a record as it is (a verified event is locked against re-extraction)."""
    from defcoop.kb.curation import verify

    who = _user(user)
    _run(db, resolve, json_out, lambda st: verify(
        st, entity.value, record_id, user=who, reason=reason, fields=field,
        expected_version=version,
    ))  # fmt: skip


@curate_app.command("correct")
def correct_cmd(
    record_id: IdArgument,
    field: Annotated[
        str, typer.Argument(metavar="FIELD", help="Field to set (location, date, partners...).")
    ],
    value: Annotated[
        str,
        typer.Argument(metavar="VALUE", help='New value; "null" for none; partners as "AUS,USA".'),
    ],
    entity: EntityOption = Entity.event,
    user: UserOption = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    resolve: ResolveOption = True,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Set a field; the curated value wins over every later re-extraction."""
    from defcoop.kb.curation import correct, parse_value

    who = _user(user)
    _run(db, resolve, json_out, lambda st: correct(
        st, entity.value, record_id, field, parse_value(value), user=who, reason=reason,
        expected_version=version,
    ))  # fmt: skip


@curate_app.command("reject")
def reject_cmd(
    record_id: IdArgument,
    entity: EntityOption = Entity.event,
    user: UserOption = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    resolve: ResolveOption = True,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Mark a record as wrong: never counted, never resurrected by re-ingestion."""
    from defcoop.kb.curation import reject

    who = _user(user)
    _run(db, resolve, json_out, lambda st: reject(
        st, entity.value, record_id, user=who, reason=reason, expected_version=version
    ))  # fmt: skip


@curate_app.command("restore")
def restore_cmd(
    record_id: IdArgument,
    entity: EntityOption = Entity.event,
    user: UserOption = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    resolve: ResolveOption = True,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Undo a rejection."""
    from defcoop.kb.curation import restore

    who = _user(user)
    _run(db, resolve, json_out, lambda st: restore(
        st, entity.value, record_id, user=who, reason=reason, expected_version=version
    ))  # fmt: skip


def _split(values: list[str] | None) -> list[str]:
    return [x.strip() for v in values or [] for x in v.split(",") if x.strip()]


@curate_app.command("add")
def add_cmd(
    what: Annotated[
        What, typer.Argument(help="What to add: event, participant, status or tenure.")
    ],
    event: Annotated[
        str | None, typer.Option("--event", help="participant/status: the event id.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="event: kind (meeting, exercise...).")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="event/status: date YYYY[-MM[-DD]].")
    ] = None,
    end: Annotated[str | None, typer.Option("--end", help="event: end date of a span.")] = None,
    partner: Annotated[
        list[str] | None,
        typer.Option(
            "--partner",
            "-p",
            help="event: partner code(s), repeatable or comma-separated; status/participant: the partner.",
        ),
    ] = None,
    jp_role: Annotated[
        str | None, typer.Option("--jp-role", help="event: Japanese principal's role code.")
    ] = None,
    jp_name: Annotated[
        str | None, typer.Option("--jp-name", help="event: Japanese principal's family name.")
    ] = None,
    modality: Annotated[
        str | None, typer.Option("--modality", help="event: in_person, video or phone.")
    ] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="event: place as written.")
    ] = None,
    occasion: Annotated[
        str | None, typer.Option("--occasion", help="event: multilateral occasion.")
    ] = None,
    agreement_type: Annotated[
        str | None,
        typer.Option(
            "--agreement-type", "--type", help="event/status: RAA, ACSA, ETA, ISA, MOU..."
        ),
    ] = None,
    agreement_status: Annotated[
        str | None,
        typer.Option(
            "--agreement-status",
            "--status",
            help="event/status: substantially_agreed, signed, in_force, revised.",
        ),
    ] = None,
    summary: Annotated[
        str | None, typer.Option("--summary", help="event: a short description.")
    ] = None,
    source_doc: Annotated[
        str | None, typer.Option("--source-doc", help="event: document key of the source.")
    ] = None,
    source_quote: Annotated[
        str | None, typer.Option("--source-quote", help="event: exact words of the source.")
    ] = None,
    side: Annotated[str | None, typer.Option("--side", help="participant: jp or partner.")] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="participant: name; status: agreement name.")
    ] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="participant/tenure: role code or title.")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="participant: title as written.")
    ] = None,
    former: Annotated[
        bool, typer.Option("--former", help="participant: written with (当時).")
    ] = False,
    person: Annotated[
        str | None, typer.Option("--person", help="tenure: person id or name.")
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="tenure: country code.")] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="tenure: first day held (any precision).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="tenure: last day held (any precision).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="status/tenure: a note.")] = None,
    user: UserOption = None,
    reason: ReasonOption = None,
    resolve: ResolveOption = True,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add an event, a participant, an agreement status or a role tenure by hand."""
    from defcoop.kb import curation as c

    who = _user(user)
    partners = _split(partner)

    def action(st: Store) -> Any:
        if what is What.event:
            return c.add_event(
                st, user=who, reason=reason, kind=kind or "", date=date, end=end,
                partners=partners, jp_role=jp_role, jp_name=jp_name, modality=modality,
                location=location, occasion=occasion, agreement_type=agreement_type,
                agreement_status=agreement_status, agreement_name=name, summary=summary,
                source_doc=source_doc, source_quote=source_quote,
            )  # fmt: skip
        if what is What.participant:
            if not event:
                raise c.CurationError("give --event: the event the participant took part in")
            return c.add_participant(
                st, event, user=who, reason=reason, side=side or "", name=name,
                partner=partners[0] if partners else None, role=role, title=title, former=former,
            )  # fmt: skip
        if what is What.status:
            if not partners or not agreement_type or not agreement_status:
                raise c.CurationError("give --partner, --type and --status")
            return c.add_agreement_status(
                st, user=who, reason=reason, partner=partners[0], type=agreement_type,
                status=agreement_status, date=date, name=name or "", note=note,
                source_event_id=event,
            )  # fmt: skip
        if not person or not role or not country:
            raise c.CurationError("give --person, --role and --country")
        return c.add_tenure(
            st, user=who, reason=reason, person=person, role=role, country=country,
            start=start, end=until, note=note,
        )  # fmt: skip

    _run(db, resolve, json_out, action)


@curate_app.command("merge")
def merge_cmd(
    record_id: IdArgument,
    into: Annotated[str, typer.Argument(metavar="INTO", help="Id of the event it is a report of.")],
    user: UserOption = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    resolve: ResolveOption = True,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Count an event as another report of the event INTO (kept over automatic dedup)."""
    from defcoop.kb.curation import merge

    who = _user(user)
    _run(db, resolve, json_out, lambda st: merge(
        st, record_id, into, user=who, reason=reason, expected_version=version
    ))  # fmt: skip


@curate_app.command("unmerge")
def unmerge_cmd(
    record_id: IdArgument,
    user: UserOption = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    resolve: ResolveOption = True,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Undo a merge: the event counts on its own again and is not merged back automatically."""
    from defcoop.kb.curation import unmerge

    who = _user(user)
    _run(db, resolve, json_out, lambda st: unmerge(
        st, record_id, user=who, reason=reason, expected_version=version
    ))  # fmt: skip


@curate_app.command("show")
def show_cmd(
    record_id: IdArgument,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """An event's state, version, verification axes, merge and evidence bundle."""
    from defcoop.kb.axes import axes_of
    from defcoop.kb.dedup import evidence_bundle
    from defcoop.store import models as m

    with open_store(db) as store:
        with store.session() as s:
            row = s.get(m.Event, record_id)
            if row is None:
                err_console().print(f"error: event {record_id}: no such record", markup=False)
                raise typer.Exit(REFUSED)
            head = {
                "id": row.id, "kind": row.kind, "date": row.date,
                "partners": [p.partner_code for p in row.partners], "jp_role": row.jp_role,
                "jp_name": row.jp_name, "location": row.location, "state": row.state,
                "version": row.version, "merged_into": row.merged_into_id,
                "merge_reason": row.merge_reason, "orphaned": row.orphaned,
            }  # fmt: skip
        axes = axes_of(store, record_id)
        bundle = evidence_bundle(store, record_id)
    if json_out:
        out = {**head, "axes": axes, "sources": [b.to_dict() for b in bundle]}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False, soft_wrap=True)
    for k, v in head.items():
        console.print(f"{k}: {_show(v)}", markup=False)
    print_table(
        "verification axes",
        ("axis", "status", "rule", "cue"),
        [(a, d["status"], d.get("rule") or "", d.get("cue") or "") for a, d in axes.items()],
        flexible={"cue": 60},
    )
    print_table(
        f"{len(bundle)} source(s)",
        ("event", "document", "line", "block", "quote", "why counted here"),
        [
            (
                b.event_id,
                f"{b.doc_key} v{b.version}",
                str(b.line),
                b.block or "",
                shorten(b.quote, 60),
                b.merge_reason or "",
            )
            for b in bundle
        ],
        flexible={"quote": 60, "why counted here": 60},
    )


@curate_app.command("log")
def log_cmd(
    record_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="Only this record.")
    ] = None,
    entity: Annotated[
        Entity | None, typer.Option("--entity", "-e", help="Only this kind of record.")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--user", "-u", help="Only changes by this user.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most recent N entries.")] = 50,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """The audit log, newest first: who, when, what, field, before, after, why."""
    from defcoop.kb.curation import audit_log

    with open_store(db) as store:
        entries = audit_log(
            store, entity=entity.value if entity else None, entity_id=record_id, actor=actor,
            limit=limit,
        )  # fmt: skip
    if json_out:
        typer.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    print_table(
        f"{len(entries)} change(s)",
        ("when", "who", "action", "record", "field", "before", "after", "reason"),
        [
            (
                e.at.strftime("%Y-%m-%d %H:%M:%S") if e.at else "",
                e.actor,
                e.action,
                f"{e.entity} {e.entity_id}",
                e.field or "",
                shorten(_show(e.before), 30),
                shorten(_show(e.after), 30),
                e.reason or "",
            )
            for e in entries
        ],
        flexible={"before": 30, "after": 30, "reason": 40},
    )
