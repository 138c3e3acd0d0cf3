"""Alembic environment: runs on the connection the store hands over.

For development, ``alembic -x url=sqlite:///x.db revision --autogenerate`` also
works with a config built by ``defcoop.store.migrate.alembic_config``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from defcoop.store.migrate import include_object
from defcoop.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no connection: pass -x url=... or use defcoop.store.migrate")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


run()
