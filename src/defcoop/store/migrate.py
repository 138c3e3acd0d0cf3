"""Apply the Alembic migrations shipped in the package (no alembic.ini needed)."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

SCRIPT_LOCATION = "defcoop.store:migrations"
#: Arbitrary constant: PostgreSQL advisory lock held while migrating.
_PG_LOCK_KEY = 0x0DEFC00B
#: Objects that exist on one backend only and are created by hand in the migrations.
BACKEND_ONLY = ("segments_fts", "ix_segments_text_trgm")
#: Derived tables kept by triggers (``defcoop.store.tally``), not ORM models.
DERIVED = ("tally_",)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
    """Autogenerate filter: ignore the backend-specific text-search objects and the
    trigger-kept tallies."""
    return not (name and name.startswith(BACKEND_ONLY + DERIVED))


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` in one transaction (skipped when already there)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes opening a fresh store at once: the second waits, then no-ops.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        command.upgrade(alembic_config(conn), revision)
