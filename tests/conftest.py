"""Shared fixtures: a store on SQLite and on a real PostgreSQL server.

PostgreSQL: a throw-away server is started once per test session with
``initdb``/``pg_ctl`` in a temporary directory (unix socket only, no TCP; see
``defcoop.testing.pgserver``, which the benchmarks use too), then
every test gets a fresh database cloned from a migrated template (fast). When
running as root the server runs as the ``postgres`` (or ``nobody``) user.
Set ``DEFCOOP_TEST_PG_URL=postgresql://user@host/db`` to use an existing server
instead (its user must be allowed to create databases). When no server can be
started the PostgreSQL tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from defcoop.store import Store
from defcoop.store.engine import create_store_engine, resolve_url
from defcoop.store.migrate import upgrade
from defcoop.testing.pgserver import (
    PgServer,
    server_from_url,
    start_local_server,
    stop_local_server,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
TEMPLATE_DB = "defcoop_template"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server with a migrated template database, or a skip saying why not."""
    external = os.environ.get("DEFCOOP_TEST_PG_URL")
    server: PgServer | None
    if external:
        server, reason = server_from_url(external), ""
    else:
        server, reason = start_local_server()
    if server is None:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    try:
        server.drop_db(TEMPLATE_DB)
        server.admin(f'CREATE DATABASE "{TEMPLATE_DB}" TEMPLATE template0')
        engine = create_store_engine(resolve_url(server.url(TEMPLATE_DB)))
        upgrade(engine)
        engine.dispose()
    except Exception as err:
        stop_local_server(server)
        pytest.skip(f"PostgreSQL tests skipped: cannot prepare a database: {err}")
    yield server
    with contextlib.suppress(Exception):
        server.drop_db(TEMPLATE_DB)
    stop_local_server(server)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, migrated: bool
) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'defcoop.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_db(TEMPLATE_DB if migrated else "template0")
    try:
        yield server.url(name)
    finally:
        server.drop_db(name)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, already migrated database on ``backend``."""
    yield from _db_url(backend, request, tmp_path, migrated=True)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database (no tables) on ``backend``."""
    yield from _db_url(backend, request, tmp_path, migrated=False)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A fresh migrated ``Store`` per test, on SQLite and on PostgreSQL."""
    st = Store.open(db_url)
    try:
        yield st
    finally:
        st.close()


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS
