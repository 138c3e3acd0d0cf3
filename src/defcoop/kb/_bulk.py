"""Set-based writes of the knowledge-base pass: one executemany instead of a flush per row.

The pass recomputes values for thousands of rows; loading each row as an ORM object and
flushing it one at a time cost more than the computation. These helpers write plain
column values by primary key with Core statements, and do what the ORM would have done
for those rows: an ``events`` UPDATE bumps the optimistic-locking ``version`` (stale
edits of a curator are refused just the same) and sets ``updated_at``.

The session must not hold ORM objects of the rows written here (they would be stale);
the kb steps read plain column tuples, so they do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from defcoop.store import models as m

#: Rows per executemany (bounded statement parameter lists, bounded memory).
BATCH = 2000


def _batches(rows: Sequence[dict[str, Any]]) -> Any:
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]


def update_event_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """``UPDATE events SET <columns> WHERE id = :_id`` for each row (same columns in every
    row; ``_id`` is the key), bumping ``version`` as an ORM update does."""
    if not rows:
        return
    _update(session, m.Event.__table__, rows, bump_version=True)


def update_rows_by_id(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """``UPDATE <model's table> SET <columns> WHERE id = :_id`` for each row (a table without
    optimistic locking)."""
    if not rows:
        return
    _update(session, model.__table__, rows, bump_version=False)


def _update(
    session: Session, table: Any, rows: Sequence[dict[str, Any]], *, bump_version: bool
) -> None:
    session.flush()  # pending ORM changes first, in the order they were made
    columns = sorted(k for k in rows[0] if k != "_id")
    values: dict[str, Any] = {c: bindparam(f"v_{c}") for c in columns}
    if bump_version:
        values["version"] = table.c.version + 1
    # ``updated_at`` (where the table has it) is set by the column's onupdate, per row.
    stmt = update(table).where(table.c.id == bindparam("_id")).values(values)
    for batch in _batches(rows):
        params = [{"_id": r["_id"], **{f"v_{c}": r[c] for c in columns}} for r in batch]
        session.execute(stmt, params)
