"""Backup and restore: a consistent, portable snapshot of the whole store.

One format for both backends, so that a SQLite backup restores into PostgreSQL and
the other way round: a zip file holding

* ``tables/<table>.jsonl`` -- every row of every table of the schema, one JSON object
  per line (dates and timestamps as ISO strings, timestamps in UTC, decimals as
  strings, JSON columns as JSON), ordered by primary key;
* ``manifest.json`` -- format and version, the schema (Alembic) revision, where and
  when the snapshot was taken, and per table its columns, row count and SHA-256.

``backup`` reads every table inside ONE read transaction, so the snapshot is
consistent while the server and ingest keep writing: on SQLite a WAL read
transaction, on PostgreSQL ``REPEATABLE READ, READ ONLY``. The file is written
beside its target and renamed into place when complete (a crash never leaves a
half backup under the final name), readable by its owner only (it holds password
and token hashes).

``restore`` checks the whole file (format, schema revision, checksums and row
counts) before it touches the store, then replaces the store's content in ONE
transaction: any failure leaves the store as it was. It refuses a store that holds
data unless ``force`` is given. Derived objects are rebuilt by the database itself:
the SQLite full-text index by its triggers, PostgreSQL sequences are moved past the
restored ids.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from time import perf_counter
from typing import IO, Any

from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Integer,
    Numeric,
    Table,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from defcoop import __version__
from defcoop.errors import DefcoopError
from defcoop.store import Store
from defcoop.store.engine import IMMEDIATE
from defcoop.store.migrate import alembic_config, current_revision
from defcoop.store.models import Base

FORMAT = "defcoop-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: Rows per INSERT batch on restore (bounded memory for big stores).
BATCH = 1000


class BackupError(DefcoopError):
    """A backup cannot be written, or a backup file cannot be restored (with the reason)."""


@dataclass(slots=True)
class TableEntry:
    name: str
    rows: int
    sha256: str
    columns: list[str]


@dataclass(slots=True)
class BackupReport:
    path: str
    backend: str
    revision: str | None
    tables: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows": self.rows}


@dataclass(slots=True)
class RestoreReport:
    path: str
    backend: str  # of the store restored into
    source_backend: str  # of the store the backup was taken from
    revision: str | None
    created_at: str | None
    tables: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)  # rows deleted (with force)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows": self.rows}


# --------------------------------------------------------------------------- schema


def tables() -> list[Table]:
    """Every table of the schema, parents before children (the restore order)."""
    return list(Base.metadata.sorted_tables)


def _self_refs(table: Table) -> list[str]:
    """Columns referencing their own table (inserted as NULL, then set)."""
    return sorted({fk.parent.name for fk in table.foreign_keys if fk.column.table is table})


def _pk(table: Table) -> list[Any]:
    return list(table.primary_key.columns)


# --------------------------------------------------------------------------- values


def _utc(v: datetime) -> datetime:
    # SQLite hands back naive timestamps; the store writes them in UTC.
    return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)


def encode_value(v: Any) -> Any:
    """A column value as JSON (see the module docstring)."""
    if isinstance(v, datetime):
        return _utc(v).isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def _decoder(col: Any) -> Any:
    t = col.type
    if isinstance(t, JSON):
        return None
    if isinstance(t, DateTime):
        return lambda v: _utc(datetime.fromisoformat(v))
    if isinstance(t, Date):
        return date.fromisoformat
    if isinstance(t, Numeric) and not isinstance(t, Integer):
        return Decimal
    if isinstance(t, Boolean):
        return bool
    return None


def encode_row(row: Any, columns: list[str]) -> dict[str, Any]:
    m = row._mapping
    return {c: encode_value(m[c]) for c in columns}


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --------------------------------------------------------------------------- snapshot


@contextlib.contextmanager
def snapshot(store: Store) -> Iterator[Connection]:
    """A connection inside one read-only transaction that sees one consistent state."""
    with store.engine.connect() as conn:
        if store.backend == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if store.backend == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield conn


def iter_rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """Encoded rows of ``table`` in primary-key order, streamed."""
    columns = [c.name for c in table.columns]
    stmt = select(table).order_by(*_pk(table))
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    for row in result:
        yield encode_row(row, columns)


def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every table as encoded rows (one consistent snapshot): for comparisons and tests."""
    with snapshot(store) as conn:
        return {t.name: list(iter_rows(conn, t)) for t in tables()}


def row_counts(conn: Connection) -> dict[str, int]:
    return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables()}


# --------------------------------------------------------------------------- backup


def backup(store: Store, path: str | os.PathLike[str], *, overwrite: bool = False) -> BackupReport:
    """Write a consistent snapshot of ``store`` to the zip file ``path``."""
    t0 = perf_counter()
    target = Path(path)
    if target.is_dir():
        raise BackupError(f"{target}: is a directory (give a file name, e.g. defcoop-backup.zip)")
    if target.exists() and not overwrite:
        raise BackupError(f"{target}: already exists (use --force to overwrite it)")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such directory")
    revision = current_revision(store.engine)
    report = BackupReport(str(target), store.backend, revision)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            entries: list[TableEntry] = []
            with snapshot(store) as conn:
                taken = datetime.now(UTC).isoformat()
                for table in tables():
                    entries.append(_write_table(zf, conn, table))
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "defcoop_version": __version__,
                "created_at": taken,
                "backend": store.backend,
                "source": store.url,
                "revision": revision,
                "tables": [asdict(e) for e in entries],
            }
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
            raw.flush()
            os.fsync(raw.fileno())
        tmp.chmod(0o600)
        os.replace(tmp, target)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, SQLAlchemyError):
            raise BackupError(f"{store.url}: cannot read the store: {err}") from err
        if isinstance(err, OSError):
            raise BackupError(f"{target}: cannot write: {err.strerror or err}") from err
        raise
    report.tables = {e.name: e.rows for e in entries}
    report.bytes = target.stat().st_size
    report.seconds = perf_counter() - t0
    return report


def _write_table(zf: zipfile.ZipFile, conn: Connection, table: Table) -> TableEntry:
    digest = hashlib.sha256()
    n = 0
    with zf.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as fh:
        chunk: list[bytes] = []
        size = 0
        for row in iter_rows(conn, table):
            line = (_dumps(row) + "\n").encode("utf-8")
            digest.update(line)
            chunk.append(line)
            size += len(line)
            n += 1
            if size >= 1 << 20:
                fh.write(b"".join(chunk))
                chunk, size = [], 0
        fh.write(b"".join(chunk))
    return TableEntry(table.name, n, digest.hexdigest(), [c.name for c in table.columns])


# --------------------------------------------------------------------------- reading a backup


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a backup file, checked for format and version."""
    p = Path(path)
    if not p.is_file():
        raise BackupError(f"{p}: no such backup file")
    try:
        with zipfile.ZipFile(p) as zf:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError as err:
        raise BackupError(f"{p}: not a defcoop backup (no {MANIFEST})") from err
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise BackupError(f"{p}: not a defcoop backup ({type(err).__name__}: {err})") from err
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{p}: not a defcoop backup (format is not {FORMAT!r})")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"{p}: backup format version {version!r}; this defcoop reads version {FORMAT_VERSION}"
        )
    if not isinstance(manifest.get("tables"), list):
        raise BackupError(f"{p}: manifest has no table list")
    return manifest


def _check_revision(p: Path, revision: str | None, target: str | None) -> None:
    """The backup's schema must be the store's, or older (newer columns get defaults)."""
    if revision == target:
        return
    script = ScriptDirectory.from_config(alembic_config())
    known = {r.revision for r in script.walk_revisions()}
    if revision is None or revision not in known:
        raise BackupError(
            f"{p}: made with schema revision {revision!r}, unknown to this defcoop "
            f"(store is at {target!r}); restore it with a newer defcoop"
        )
    ancestors = {r.revision for r in script.iterate_revisions(target, "base")} if target else set()
    if revision not in ancestors:
        raise BackupError(
            f"{p}: made with schema revision {revision!r}, newer than the store's {target!r}; "
            "upgrade defcoop before restoring it"
        )


def _open_member(zf: zipfile.ZipFile, name: str) -> IO[bytes]:
    try:
        return zf.open(name)
    except KeyError as err:
        raise BackupError(f"{zf.filename}: {name} is missing") from err


def _verify(zf: zipfile.ZipFile, entries: list[dict[str, Any]], known: dict[str, Table]) -> None:
    """Every table file is present, known, complete and unaltered."""
    p = zf.filename
    for e in entries:
        name = e.get("name")
        table = known.get(str(name))
        if table is None:
            raise BackupError(f"{p}: table {name!r} does not exist in this schema")
        extra = set(e.get("columns") or []) - {c.name for c in table.columns}
        if extra:
            raise BackupError(f"{p}: table {name}: unknown columns {sorted(extra)}")
        digest, n = hashlib.sha256(), 0
        try:
            with _open_member(zf, f"tables/{name}.jsonl") as fh:
                for line in fh:
                    digest.update(line)
                    n += 1
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise BackupError(f"{p}: table {name}: damaged ({err})") from err
        if n != e.get("rows") or digest.hexdigest() != e.get("sha256"):
            raise BackupError(
                f"{p}: table {name}: checksum or row count does not match the manifest "
                "(damaged or edited file)"
            )


# --------------------------------------------------------------------------- restore


@contextlib.contextmanager
def _write_tx(store: Store) -> Iterator[Connection]:
    """One write transaction (SQLite: BEGIN IMMEDIATE, so writers queue behind it)."""
    engine = store.engine
    if store.backend == "sqlite":
        engine = engine.execution_options(**{IMMEDIATE: True})
    with engine.begin() as conn:
        yield conn


def restore(store: Store, path: str | os.PathLike[str], *, force: bool = False) -> RestoreReport:
    """Replace the content of ``store`` by the backup at ``path`` (one transaction)."""
    t0 = perf_counter()
    p = Path(path)
    manifest = read_manifest(p)
    target_rev = current_revision(store.engine)
    _check_revision(p, manifest.get("revision"), target_rev)
    known = {t.name: t for t in tables()}
    entries = {str(e.get("name")): e for e in manifest["tables"]}
    report = RestoreReport(
        str(p),
        store.backend,
        str(manifest.get("backend")),
        manifest.get("revision"),
        manifest.get("created_at"),
    )
    try:
        with zipfile.ZipFile(p) as zf:
            _verify(zf, list(entries.values()), known)
            with _write_tx(store) as conn:
                before = {t: n for t, n in row_counts(conn).items() if n}
                if before and not force:
                    held = ", ".join(f"{n} {t}" for t, n in sorted(before.items()))
                    raise BackupError(
                        f"{store.url}: the store is not empty ({held}); restore into an "
                        "empty store, or pass --force to replace its whole content"
                    )
                for table in reversed(tables()):
                    if before.get(table.name):
                        conn.execute(table.delete())
                report.replaced = before
                for table in tables():
                    entry = entries.get(table.name)
                    n = _load_table(zf, conn, table, entry) if entry else 0
                    report.tables[table.name] = n
                _after_load(conn, store.backend)
                after = row_counts(conn)
                wrong = {t: (after[t], n) for t, n in report.tables.items() if after[t] != n}
                if wrong:
                    raise BackupError(f"{p}: row counts after restore do not match: {wrong}")
    except SQLAlchemyError as err:
        msg = str(err).splitlines()[0]
        raise BackupError(
            f"{p}: restore failed, the store is unchanged: {type(err).__name__}: {msg}"
        ) from err
    except (zipfile.BadZipFile, OSError) as err:
        raise BackupError(f"{p}: cannot read the backup: {err}") from err
    report.seconds = perf_counter() - t0
    return report


def _load_table(zf: zipfile.ZipFile, conn: Connection, table: Table, entry: dict[str, Any]) -> int:
    columns = [c for c in table.columns if c.name in set(entry.get("columns") or [])]
    decoders = {c.name: d for c in columns if (d := _decoder(c)) is not None}
    self_refs = [c for c in _self_refs(table) if c in {col.name for col in columns}]
    pk = [c.name for c in _pk(table)]
    # Setting the links must not touch "updated" stamps: they are restored as they were.
    stamps = [c.name for c in columns if c.onupdate is not None]
    links: dict[str, list[dict[str, Any]]] = {c: [] for c in self_refs}
    batch: list[dict[str, Any]] = []
    n = 0
    insert = table.insert()
    with _open_member(zf, f"tables/{table.name}.jsonl") as fh:
        for line in fh:
            raw = json.loads(line)
            row: dict[str, Any] = {}
            for c in columns:
                v = raw.get(c.name)
                dec = decoders.get(c.name)
                row[c.name] = dec(v) if dec is not None and v is not None else v
            for ref in self_refs:
                if row[ref] is not None:
                    links[ref].append(
                        {
                            **{f"k_{k}": row[k] for k in pk},
                            **{f"s_{c}": row[c] for c in stamps},
                            "v": row[ref],
                        }
                    )
                    row[ref] = None
            batch.append(row)
            n += 1
            if len(batch) >= BATCH:
                conn.execute(insert, batch)
                batch = []
    if batch:
        conn.execute(insert, batch)
    for col, params in links.items():
        stmt = (
            update(table)
            .where(*[table.c[k] == bindparam(f"k_{k}") for k in pk])
            .values({col: bindparam("v"), **{c: bindparam(f"s_{c}") for c in stamps}})
        )
        for i in range(0, len(params), BATCH):
            conn.execute(stmt, params[i : i + BATCH])
    return n


def _after_load(conn: Connection, backend: str) -> None:
    if backend == "postgresql":
        # Integer keys were restored as given: move their sequences past them.
        for table in tables():
            pk = _pk(table)
            if len(pk) != 1 or not isinstance(pk[0].type, Integer):
                continue
            seq = conn.scalar(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
            )
            if seq:
                conn.execute(
                    text(
                        f'SELECT setval(:s, COALESCE(MAX("{pk[0].name}"), 1), '
                        f'MAX("{pk[0].name}") IS NOT NULL) FROM "{table.name}"'
                    ),
                    {"s": seq},
                )
    else:
        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if bad:
            raise BackupError(f"restored rows break foreign keys: {bad[:5]}")
