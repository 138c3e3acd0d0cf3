"""A throw-away PostgreSQL server for tests and benchmarks.

``start_local_server()`` runs ``initdb``/``pg_ctl`` in a short temporary directory
(unix socket only, no TCP, fsync off: disposable data). When running as root the
server runs as the ``postgres`` (or ``nobody``) user through ``runuser``.
``temporary_server()`` is the same as a context manager; ``DEFCOOP_TEST_PG_URL``
can point the callers at an existing server instead (see ``server_from_url``).
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

from defcoop.store.engine import resolve_url

__all__ = [
    "PgServer",
    "pg_bin",
    "server_from_url",
    "start_local_server",
    "stop_local_server",
    "temporary_server",
]

#: Server settings for disposable data: durability off, nothing else changed.
FAST_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def pg_bin(name: str) -> str | None:
    """Path of a PostgreSQL program (PATH first, then Debian's versioned folders)."""
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
    """A PostgreSQL server the caller may create databases on."""

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


def server_from_url(url: str) -> PgServer:
    """An existing server, from a URL whose database is the one to administer from."""
    parsed = resolve_url(url)
    server = PgServer(parsed.set(database="").render_as_string(hide_password=False))
    server.admin_db = parsed.database or "postgres"
    return server


def start_local_server(settings: str = "") -> tuple[PgServer | None, str]:
    """Start a server: ``(server, "")``, or ``(None, reason)`` when it cannot be done.

    ``settings``: extra ``-c name=value`` options for ``postgres`` (e.g. for benchmarks).
    """
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        return None, "initdb/pg_ctl not found (install PostgreSQL, e.g. apt-get install postgresql)"
    run_as: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        for user in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                owner = pwd.getpwnam(user)
                break
        # runuser lives in sbin, which a non-login root shell may not have on PATH
        runuser = shutil.which("runuser") or shutil.which(
            "runuser", path="/usr/sbin:/sbin:/usr/bin:/bin"
        )
        if owner is None or runuser is None:
            return None, "running as root and no 'postgres'/'nobody' user or runuser to drop to"
        run_as = [runuser, "-u", owner.pw_name, "--"]
    tmp = Path(tempfile.mkdtemp(prefix="defcoop-pg-", dir="/tmp"))  # short path: socket limit
    tmp.chmod(0o755)
    if owner is not None:
        os.chown(tmp, owner.pw_uid, owner.pw_gid)
    data, port = tmp / "data", _free_port()
    user = owner.pw_name if owner else pwd.getpwuid(os.geteuid()).pw_name
    options = f"-k {tmp} -p {port} -c listen_addresses='' {FAST_SETTINGS} {settings}".strip()
    steps = [
        [initdb, "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8", "--locale=C.UTF-8"],
        [pg_ctl, "-D", str(data), "-l", str(tmp / "log"), "-w", "-t", "30", "-o", options, "start"],
    ]
    for cmd in steps:
        proc = subprocess.run([*run_as, *cmd], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            log = (tmp / "log").read_text() if (tmp / "log").exists() else ""
            shutil.rmtree(tmp, ignore_errors=True)
            detail = (proc.stderr or proc.stdout or log).strip().splitlines()[-1:] or ["?"]
            return None, f"{Path(cmd[0]).name} failed: {detail[0]}"
    server = PgServer(f"postgresql://{user}@/?host={tmp}&port={port}", datadir=data, run_as=run_as)
    return server, ""


def stop_local_server(server: PgServer) -> None:
    """Stop a server started by ``start_local_server`` and delete its files."""
    if server.datadir is None:
        return
    pg_ctl = pg_bin("pg_ctl")
    if pg_ctl:
        subprocess.run(
            [*(server.run_as or []), pg_ctl, "-D", str(server.datadir), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
    shutil.rmtree(server.datadir.parent, ignore_errors=True)


@contextlib.contextmanager
def temporary_server(settings: str = "") -> Iterator[PgServer]:
    """A server for the duration of the block: ``$DEFCOOP_TEST_PG_URL``'s, or a local one.

    Raises ``RuntimeError`` with the reason when no server can be had.
    """
    external = os.environ.get("DEFCOOP_TEST_PG_URL")
    if external:
        yield server_from_url(external)
        return
    server, reason = start_local_server(settings)
    if server is None:
        raise RuntimeError(f"no PostgreSQL server: {reason}")
    try:
        yield server
    finally:
        stop_local_server(server)
