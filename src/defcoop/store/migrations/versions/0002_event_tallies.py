"""event tallies and partner timelines: kept by triggers, so facets, totals and a
partner's events in date order need no scan

Revision ID: 0002
Revises: 0001

Three tables of counts (see ``defcoop.store.tally`` for what each row means) and the
triggers that keep them equal to ``events`` / ``event_partners`` in the same
transaction as every write, whatever code path writes (ingest, curation, dedup,
restore). Existing events are counted once at the end of the upgrade.

``event_partners.date_from`` is a copy of its event's ``date_from`` (kept by the same
triggers) so that the index ``(partner_code, date_from)`` lists a partner's events in
date order: a page of them reads the page's rows, not all of the partner's events.

The SQL is written out here (not imported) so that this migration stays what it was
when later code changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_KEY = ("kind", "state", "jp_role", "merged", "y_from", "y_to")
KIND_KEY = ("kind", "state", "merged", "y_from", "y_to")
YEAR_KEY = ("state", "merged", "y_from", "y_to")
#: Per event ('' partner) and per (event, partner): the same counts at three grains.
EVENT_TABLES = {"tally_events": EVENT_KEY, "tally_kinds": KIND_KEY, "tally_years": YEAR_KEY}
#: Per ordered pair of an event's partners.
PAIR_TABLES = {"tally_pairs": EVENT_KEY, "tally_pair_years": YEAR_KEY}
TABLES = {
    **{t: ("partner", *k) for t, k in EVENT_TABLES.items()},
    **{t: ("partner", "co", *k) for t, k in PAIR_TABLES.items()},
}
TRIGGERS = (
    "tally_events_ai",
    "tally_events_au",
    "tally_events_bd",
    "tally_partners_ai",
    "tally_partners_ad",
    "tally_partners_bi",
    "tally_partners_bd",
    "tally_partners_bu",
    "partner_dates_au",
)
PG_FUNCTIONS = (
    "defcoop_tally_event(events, integer)",
    "defcoop_tally_partner(varchar, varchar, integer)",
    "defcoop_tally_events_trg()",
    "defcoop_tally_partners_trg()",
)

_STR = {"partner": 32, "co": 32, "kind": 32, "state": 16, "jp_role": 32}


def _columns(names: Sequence[str]) -> list[sa.Column[object]]:
    cols: list[sa.Column[object]] = []
    for name in names:
        if name in _STR:
            cols.append(sa.Column(name, sa.String(_STR[name]), nullable=False))
        else:
            cols.append(sa.Column(name, sa.Integer(), nullable=False))
    cols.append(sa.Column("n", sa.BigInteger(), nullable=False))
    return cols


def _key_values(r: str, pg: bool, names: Sequence[str] = EVENT_KEY, named: bool = False) -> str:
    """SQL values of the tally key of the event row ``r`` (NEW, OLD, or an alias)."""

    def year(col: str) -> str:
        if pg:
            return f"coalesce(date_part('year', {r}.{col})::integer, 0)"
        return f"coalesce(CAST(substr({r}.{col}, 1, 4) AS INTEGER), 0)"

    expr = {
        "kind": f"{r}.kind",
        "state": f"{r}.state",
        "jp_role": f"coalesce({r}.jp_role, '')",
        "merged": f"CASE WHEN {r}.merged_into_id IS NULL THEN 0 ELSE 1 END",
        "y_from": year("date_from"),
        "y_to": year("date_to"),
    }
    return ", ".join(expr[n] + (f" AS {n}" if named else "") for n in names)


def _upsert(table: str, select: str) -> str:
    key = TABLES[table]
    return (
        f"INSERT INTO {table} ({', '.join(key)}, n) {select} "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET n = {table}.n + excluded.n"
    )


def _event_block(r: str, d: str, pg: bool) -> list[str]:
    """Add ``d`` to every tally row of event ``r``: itself, each partner, each pair."""
    out: list[str] = []
    for table, key in EVENT_TABLES.items():
        k = _key_values(r, pg, key)
        out.append(_upsert(table, f"SELECT '', {k}, {d} WHERE true"))
        out.append(
            _upsert(
                table,
                f"SELECT p.partner_code, {k}, {d} FROM event_partners p WHERE p.event_id = {r}.id",
            )
        )
    for table, key in PAIR_TABLES.items():
        out.append(
            _upsert(
                table,
                f"SELECT a.partner_code, b.partner_code, {_key_values(r, pg, key)}, {d} "
                "FROM event_partners a JOIN event_partners b ON b.event_id = a.event_id "
                f"AND b.partner_code <> a.partner_code WHERE a.event_id = {r}.id",
            )
        )
    return out


def _partner_block(eid: str, p: str, d: str, pg: bool) -> list[str]:
    """Add ``d`` for partner ``p`` of event ``eid`` and its pairs with the event's other
    partners (the rows the statement has already processed, so each pair counts once)."""
    out: list[str] = []
    for table, key in EVENT_TABLES.items():
        k = _key_values("e", pg, key)
        out.append(_upsert(table, f"SELECT {p}, {k}, {d} FROM events e WHERE e.id = {eid}"))
    others = f"JOIN event_partners o ON o.event_id = e.id AND o.partner_code <> {p}"
    for table, key in PAIR_TABLES.items():
        k = _key_values("e", pg, key)
        for a, b in ((p, "o.partner_code"), ("o.partner_code", p)):
            out.append(
                _upsert(
                    table, f"SELECT {a}, {b}, {k}, {d} FROM events e {others} WHERE e.id = {eid}"
                )
            )
    return out


_KEY_CHANGED = " OR ".join(
    f"OLD.{c} IS DISTINCT FROM NEW.{c}"
    for c in ("kind", "state", "jp_role", "merged_into_id", "date_from", "date_to")
)
_GUARD = "event_partners rows are never updated in place: delete and insert them (tallies)"


def _sqlite_ddl() -> list[str]:
    changed = _KEY_CHANGED.replace("IS DISTINCT FROM", "IS NOT")

    def trigger(name: str, when: str, body: list[str]) -> str:
        return f"CREATE TRIGGER {name} {when} BEGIN {'; '.join(body)}; END"

    return [
        trigger("tally_events_ai", "AFTER INSERT ON events", _event_block("NEW", "1", False)),
        trigger(
            "tally_events_au",
            "AFTER UPDATE OF kind, state, jp_role, merged_into_id, date_from, date_to ON events "
            f"WHEN {changed}",
            _event_block("OLD", "-1", False) + _event_block("NEW", "1", False),
        ),
        trigger(
            "tally_events_bd",
            "BEFORE DELETE ON events",
            [
                "DELETE FROM event_partners WHERE event_id = OLD.id",
                *_event_block("OLD", "-1", False),
            ],
        ),
        trigger(
            "tally_partners_ai",
            "AFTER INSERT ON event_partners",
            [
                "UPDATE event_partners SET date_from = "
                "(SELECT e.date_from FROM events e WHERE e.id = NEW.event_id) "
                "WHERE event_id = NEW.event_id AND partner_code = NEW.partner_code",
                *_partner_block("NEW.event_id", "NEW.partner_code", "1", False),
            ],
        ),
        trigger(
            "partner_dates_au",
            "AFTER UPDATE OF date_from ON events WHEN OLD.date_from IS NOT NEW.date_from",
            ["UPDATE event_partners SET date_from = NEW.date_from WHERE event_id = NEW.id"],
        ),
        trigger(
            "tally_partners_ad",
            "AFTER DELETE ON event_partners",
            _partner_block("OLD.event_id", "OLD.partner_code", "-1", False),
        ),
        trigger(
            "tally_partners_bu",
            "BEFORE UPDATE OF event_id, partner_code ON event_partners "
            "WHEN OLD.event_id IS NOT NEW.event_id OR OLD.partner_code IS NOT NEW.partner_code",
            [f"SELECT RAISE(ABORT, '{_GUARD}')"],
        ),
    ]


def _pg_ddl() -> list[str]:
    def body(stmts: list[str]) -> str:
        return "\n  ".join(s + ";" for s in stmts)

    return [
        "CREATE FUNCTION defcoop_tally_event(r events, d integer) RETURNS void "
        "LANGUAGE plpgsql VOLATILE AS $$\nBEGIN\n  "
        + body(_event_block("r", "d", True))
        + "\nEND\n$$",
        "CREATE FUNCTION defcoop_tally_partner(eid varchar, pcode varchar, d integer) "
        "RETURNS void LANGUAGE plpgsql VOLATILE AS $$\nBEGIN\n  "
        + body(_partner_block("eid", "pcode", "d", True))
        + "\nEND\n$$",
        # BEFORE row triggers on event_partners see the rows the same statement has already
        # processed (AFTER row triggers would all see the final state and count pairs twice).
        "CREATE FUNCTION defcoop_tally_partners_trg() RETURNS trigger "
        "LANGUAGE plpgsql VOLATILE AS $$\nBEGIN\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        "    NEW.date_from := (SELECT e.date_from FROM events e WHERE e.id = NEW.event_id);\n"
        "    PERFORM defcoop_tally_partner(NEW.event_id, NEW.partner_code, 1); RETURN NEW;\n"
        "  ELSIF TG_OP = 'DELETE' THEN\n"
        "    PERFORM defcoop_tally_partner(OLD.event_id, OLD.partner_code, -1); RETURN OLD;\n"
        "  END IF;\n"
        "  IF OLD.event_id IS DISTINCT FROM NEW.event_id "
        "OR OLD.partner_code IS DISTINCT FROM NEW.partner_code THEN\n"
        f"    RAISE EXCEPTION '{_GUARD}';\n"
        "  END IF;\n"
        "  RETURN NEW;\nEND\n$$",
        "CREATE FUNCTION defcoop_tally_events_trg() RETURNS trigger "
        "LANGUAGE plpgsql VOLATILE AS $$\nBEGIN\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        "    PERFORM defcoop_tally_event(NEW, 1); RETURN NEW;\n"
        "  ELSIF TG_OP = 'UPDATE' THEN\n"
        "    IF OLD.date_from IS DISTINCT FROM NEW.date_from THEN\n"
        "      UPDATE event_partners SET date_from = NEW.date_from WHERE event_id = NEW.id;\n"
        "    END IF;\n"
        "    PERFORM defcoop_tally_event(OLD, -1); PERFORM defcoop_tally_event(NEW, 1);"
        " RETURN NEW;\n"
        "  END IF;\n"
        # DELETE: drop the partners first (their triggers still see the event), then itself.
        "  DELETE FROM event_partners WHERE event_id = OLD.id;\n"
        "  PERFORM defcoop_tally_event(OLD, -1); RETURN OLD;\nEND\n$$",
        "CREATE TRIGGER tally_events_ai AFTER INSERT ON events "
        "FOR EACH ROW EXECUTE FUNCTION defcoop_tally_events_trg()",
        "CREATE TRIGGER tally_events_au AFTER UPDATE OF kind, state, jp_role, merged_into_id, "
        f"date_from, date_to ON events FOR EACH ROW WHEN ({_KEY_CHANGED}) "
        "EXECUTE FUNCTION defcoop_tally_events_trg()",
        "CREATE TRIGGER tally_events_bd BEFORE DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION defcoop_tally_events_trg()",
        "CREATE TRIGGER tally_partners_bi BEFORE INSERT ON event_partners "
        "FOR EACH ROW EXECUTE FUNCTION defcoop_tally_partners_trg()",
        "CREATE TRIGGER tally_partners_bd BEFORE DELETE ON event_partners "
        "FOR EACH ROW EXECUTE FUNCTION defcoop_tally_partners_trg()",
        "CREATE TRIGGER tally_partners_bu BEFORE UPDATE OF event_id, partner_code "
        "ON event_partners FOR EACH ROW EXECUTE FUNCTION defcoop_tally_partners_trg()",
    ]


def _backfill(pg: bool) -> list[str]:
    """Count the events already stored (a store upgraded from 0001)."""

    def grouped(table: str, inner: str) -> str:
        cols = ", ".join(TABLES[table])
        return f"INSERT INTO {table} ({cols}, n) SELECT {cols}, count(*) FROM ({inner}) t GROUP BY {cols}"

    ep = "JOIN event_partners p ON p.event_id = e.id"
    out: list[str] = []
    for table, key in EVENT_TABLES.items():
        k = _key_values("e", pg, key, named=True)
        out.append(
            grouped(
                table,
                f"SELECT '' AS partner, {k} FROM events e UNION ALL "
                f"SELECT p.partner_code, {k} FROM events e {ep}",
            )
        )
    for table, key in PAIR_TABLES.items():
        k = _key_values("e", pg, key, named=True)
        out.append(
            grouped(
                table,
                f"SELECT p.partner_code AS partner, q.partner_code AS co, {k} FROM events e {ep} "
                "JOIN event_partners q ON q.event_id = e.id AND q.partner_code <> p.partner_code",
            )
        )
    return out


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.add_column("event_partners", sa.Column("date_from", sa.Date(), nullable=True))
    op.execute(
        "UPDATE event_partners SET date_from = "
        "(SELECT e.date_from FROM events e WHERE e.id = event_partners.event_id)"
    )
    op.create_index(
        op.f("ix_event_partners_partner_code_date_from"),
        "event_partners",
        ["partner_code", "date_from"],
        unique=False,
    )
    for table, key in TABLES.items():
        kw = {} if pg else {"sqlite_with_rowid": False}
        op.create_table(
            table, *_columns(key), sa.PrimaryKeyConstraint(*key, name=f"pk_{table}"), **kw
        )
    for stmt in _pg_ddl() if pg else _sqlite_ddl():
        op.execute(stmt)
    for stmt in _backfill(pg):
        op.execute(stmt)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        table = "events" if name.startswith("tally_events") else "event_partners"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if pg else ""))
    if pg:
        for fn in reversed(PG_FUNCTIONS):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    for table in TABLES:
        op.drop_table(table)
    op.drop_index(op.f("ix_event_partners_partner_code_date_from"), table_name="event_partners")
    with op.batch_alter_table("event_partners") as batch:
        batch.drop_column("date_from")
