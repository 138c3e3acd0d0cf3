"""Shared fixtures: a store on SQLite and on a real PostgreSQL server.

PostgreSQL: a throw-away server is started once per test session with
``initdb``/``pg_ctl`` in a temporary directory (unix socket only, no TCP), then
every test gets a fresh database cloned from a migrated template (fast). When
running as root the server runs as the ``postgres`` (or ``nobody``) user.
Set ``DEFCOOP_TEST_PG_URL=postgresql://user@host/db`` to use an existing server
instead (its user must be allowed to create databases). When no server can be
started the PostgreSQL tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from defcoop.store import Store
from defcoop.store.engine import create_store_engine, resolve_url
from defcoop.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
TEMPLATE_DB = "defcoop_template"


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create databases on."""

    base_url: str  # a SQLAlchemy URL without the database name, e.g. postgresql://u@/?host=..
    admin_db: str = "postgres"
    datadir: Path | None = None
    run_as: list[str] | None = None

    def url(self, dbname: str) -> str:
        head, _, query = self.base_url.partition("?")
        return f"{head.rstrip('/')}/{dbname}" + (f"?{query}" if query else "")

    def admin(self, sql: str) -> None:
        import psycopg

        conninfo = resolve_url(self.url(self.admin_db)).set(drivername="postgresql")
        dsn = conninfo.render_as_string(hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)

    def create_db(self, template: str = "template0") -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_db(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_local_server() -> tuple[PgServer | None, str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        return None, "initdb/pg_ctl not found (install PostgreSQL, e.g. apt-get install postgresql)"
    run_as: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        for user in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                owner = pwd.getpwnam(user)
                break
        runuser = shutil.which("runuser")
        if owner is None or runuser is None:
            return None, "running as root and no 'postgres'/'nobody' user or runuser to drop to"
        run_as = [runuser, "-u", owner.pw_name, "--"]
    tmp = Path(tempfile.mkdtemp(prefix="defcoop-pg-", dir="/tmp"))  # short path: socket limit
    tmp.chmod(0o755)
    if owner is not None:
        os.chown(tmp, owner.pw_uid, owner.pw_gid)
    data, port = tmp / "data", _free_port()
    user = owner.pw_name if owner else pwd.getpwuid(os.geteuid()).pw_name
    steps = [
        [initdb, "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8", "--locale=C.UTF-8"],
        [
            pg_ctl, "-D", str(data), "-l", str(tmp / "log"), "-w", "-t", "30", "-o",
            f"-k {tmp} -p {port} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        ],
    ]  # fmt: skip
    for cmd in steps:
        proc = subprocess.run([*run_as, *cmd], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            log = (tmp / "log").read_text() if (tmp / "log").exists() else ""
            shutil.rmtree(tmp, ignore_errors=True)
            detail = (proc.stderr or proc.stdout or log).strip().splitlines()[-1:] or ["?"]
            return None, f"{Path(cmd[0]).name} failed: {detail[0]}"
    server = PgServer(f"postgresql://{user}@/?host={tmp}&port={port}", datadir=data, run_as=run_as)
    return server, ""


def _stop_local_server(server: PgServer) -> None:
    if server.datadir is None:
        return
    pg_ctl = _pg_bin("pg_ctl")
    if pg_ctl:
        subprocess.run(
            [*(server.run_as or []), pg_ctl, "-D", str(server.datadir), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
    shutil.rmtree(server.datadir.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server with a migrated template database, or a skip saying why not."""
    external = os.environ.get("DEFCOOP_TEST_PG_URL")
    server: PgServer | None
    if external:
        url = resolve_url(external)
        server = PgServer(url.set(database="").render_as_string(hide_password=False))
        server.admin_db = url.database or "postgres"
        reason = ""
    else:
        server, reason = _start_local_server()
    if server is None:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    try:
        server.drop_db(TEMPLATE_DB)
        server.admin(f'CREATE DATABASE "{TEMPLATE_DB}" TEMPLATE template0')
        engine = create_store_engine(resolve_url(server.url(TEMPLATE_DB)))
        upgrade(engine)
        engine.dispose()
    except Exception as err:
        _stop_local_server(server)
        pytest.skip(f"PostgreSQL tests skipped: cannot prepare a database: {err}")
    yield server
    with contextlib.suppress(Exception):
        server.drop_db(TEMPLATE_DB)
    _stop_local_server(server)


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
