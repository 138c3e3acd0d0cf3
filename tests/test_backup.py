"""Backup and restore on SQLite and PostgreSQL, across backends, and under writes.

The store under test holds everything a curated store holds: documents, segments,
events with evidence and participants, dedup merges, frameworks and links, persons
and tenures, curations of every kind with their audit log, users and API tokens.
A round trip must give back every table row for row; the restored store must work
(search, login, tokens, further edits); restore must refuse a store with data unless
forced, and must leave the store untouched when it fails; a backup taken while
another process writes must be one consistent state.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from defcoop import backup as bk
from defcoop.cli import app
from defcoop.ingest import ingest_paths
from defcoop.kb import curation as cur
from defcoop.store import Store, users
from defcoop.store import models as m

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
SMALL = ["000_2018f9a9ee2e4c64", "001_965bdcae5678aeac", "003_080ee2400643355f"]
PASSWORD = "correct horse battery staple"

_ctx = mp.get_context("spawn")


# --------------------------------------------------------------------------- a curated store


def populate(store: Store, folder: Path) -> dict[str, Any]:
    """Ingest three documents and curate: one of every kind of change, users, tokens."""
    folder.mkdir(exist_ok=True)
    for key in SMALL:
        shutil.copy(CORPUS / f"{key}.txt", folder / f"{key}.txt")
    report = ingest_paths(store, [folder])
    assert report.ok, report.errors
    with store.session() as s:
        ids = list(
            s.scalars(
                select(m.Event.id)
                .where(m.Event.merged_into_id.is_(None), m.Event.state == "automatic")
                .order_by(m.Event.doc_key, m.Event.line, m.Event.id)
            )
        )
        quote = s.scalar(
            select(m.Segment.text)
            .join(m.Document, m.Document.id == m.Segment.document_id)
            .where(m.Segment.kind == "body", m.Document.doc_key == SMALL[0])
            .limit(1)
        )
    assert len(ids) >= 6 and quote
    cur.correct(store, "event", ids[0], "location", "東京", user="alice", reason="release")
    cur.verify(store, "event", ids[1], user="bob", reason="checked")
    cur.reject(store, "event", ids[2], user="alice", reason="a plan, not an event")
    cur.merge(store, ids[3], ids[4], user="bob", reason="same meeting")
    cur.add_participant(store, ids[0], user="alice", side="partner", partner="AUS",
                        name="マールズ", title="副首相兼国防大臣")  # fmt: skip
    added = cur.add_event(store, user="carol", kind="meeting", date="2025-01-15",
                          partners=["PHL"], location="マニラ", source_doc=SMALL[0],
                          source_quote=quote[:20], reason="missed")  # fmt: skip
    cur.add_agreement_status(store, user="alice", partner="PHL", type="RAA",
                             status="in_force", date="2025-09-11")  # fmt: skip
    cur.add_tenure(store, user="alice", person="木原稔", role="MOD_MIN", country="JPN",
                   start="2023-09-13", end="2024-10-01")  # fmt: skip
    users.add_user(store, "admin1", "admin", PASSWORD)
    users.add_user(store, "viewer1", "viewer")
    token, _view = users.create_token(store, "admin1", label="ci", days=30)
    return {"events": ids, "added": added.id, "token": token}


def comparable(store: Store) -> dict[str, list[str]]:
    return {
        name: sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)
        for name, rows in bk.dump(store).items()
    }


def assert_same(a: Store, b: Store) -> None:
    da, db = comparable(a), comparable(b)
    assert da.keys() == db.keys()
    for name in da:
        assert da[name] == db[name], f"table {name} differs after the round trip"


def _assert_works(restored: Store, info: dict[str, Any]) -> None:
    """A restored store is a working store: search, login, tokens, further edits."""
    assert restored.search_segments("防衛")
    assert users.authenticate(restored, "admin1", PASSWORD) is not None
    who = users.user_for_token(restored, info["token"])
    assert who is not None and who.name == "admin1"
    # New rows get fresh ids (PostgreSQL sequences were moved past the restored ones).
    users.add_user(restored, "editor2", "editor")
    res = cur.correct(restored, "event", info["events"][1], "summary", "after restore",
                      user="dave")  # fmt: skip
    assert res.changes and res.changes[0].id is not None


@pytest.fixture
def target_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A second, empty (not even migrated) database on the same backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'target.db'}"
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_db("template0")
    try:
        yield server.url(name)
    finally:
        server.drop_db(name)


@pytest.fixture
def curated(store: Store, tmp_path: Path) -> Iterator[tuple[Store, dict[str, Any]]]:
    yield store, populate(store, tmp_path / "docs")


# --------------------------------------------------------------------------- round trips


def test_round_trip_preserves_every_table(
    curated: tuple[Store, dict[str, Any]], target_url: str, tmp_path: Path
) -> None:
    store, info = curated
    report = bk.backup(store, tmp_path / "b.zip")
    counts = report.tables
    for table in ("documents", "segments", "events", "evidence", "event_participants",
                  "event_partners", "audit_log", "users", "api_tokens", "persons",
                  "role_tenures", "agreements", "agreement_statuses", "partners"):  # fmt: skip
        assert counts[table] > 0, f"the test store should hold {table}"
    assert (tmp_path / "b.zip").stat().st_mode & 0o077 == 0  # secrets: owner only
    with Store.open(target_url) as target:
        restored = bk.restore(target, tmp_path / "b.zip")
        assert restored.tables == counts
        assert_same(store, target)
        _assert_works(target, info)


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite->postgresql", "postgresql->sqlite"])
def test_cross_backend_round_trip(direction: str, pg_server: Any, tmp_path: Path) -> None:
    name = pg_server.create_db("defcoop_template")
    pg, lite = pg_server.url(name), f"sqlite:///{tmp_path / 'x.db'}"
    source, target = (lite, pg) if direction.startswith("sqlite") else (pg, lite)
    try:
        with Store.open(source) as src:
            info = populate(src, tmp_path / "docs")
            bk.backup(src, tmp_path / "b.zip")
            with Store.open(target) as dst:
                report = bk.restore(dst, tmp_path / "b.zip")
                assert report.source_backend == src.backend != dst.backend
                assert_same(src, dst)
                _assert_works(dst, info)
    finally:
        pg_server.drop_db(name)


# --------------------------------------------------------------------------- refusals


def test_restore_refuses_a_store_with_data_unless_forced(
    curated: tuple[Store, dict[str, Any]], db_url: str, tmp_path: Path
) -> None:
    store, info = curated
    path = tmp_path / "b.zip"
    runner = CliRunner()
    res = runner.invoke(app, ["backup", str(path), "--db", db_url])
    assert res.exit_code == 0, res.output
    assert "rows" in res.output
    again = runner.invoke(app, ["backup", str(path), "--db", db_url])
    assert again.exit_code == 1 and "already exists" in again.output
    # Change the store after the backup: restore must not merge, and must say why it refuses.
    cur.correct(store, "event", info["events"][5], "location", "大阪", user="eve")
    before = comparable(store)
    res = runner.invoke(app, ["restore", str(path), "--db", db_url])
    assert res.exit_code == 1
    assert "not empty" in res.output and "--force" in res.output
    assert comparable(store) == before
    res = runner.invoke(app, ["restore", str(path), "--db", db_url, "--force", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["replaced"]["audit_log"] == out["tables"]["audit_log"] + 1
    with store.session() as s:
        assert not s.scalars(select(m.AuditEntry).where(m.AuditEntry.actor == "eve")).all()


def _rewrite(src: Path, dst: Path, table: str, edit: Any, *, fix_manifest: bool) -> None:
    """Copy a backup, changing the rows of one table (and the manifest, if asked)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        manifest = json.loads(zin.read(bk.MANIFEST))
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == f"tables/{table}.jsonl":
                rows = [json.loads(x) for x in data.decode().splitlines()]
                data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in edit(rows))
                data = data.encode()
                if fix_manifest:
                    for e in manifest["tables"]:
                        if e["name"] == table:
                            e["rows"] = data.count(b"\n")
                            e["sha256"] = hashlib.sha256(data).hexdigest()
            if item.filename != bk.MANIFEST:
                zout.writestr(item, data)
        zout.writestr(bk.MANIFEST, json.dumps(manifest))


def test_restore_is_transactional(curated: tuple[Store, dict[str, Any]], tmp_path: Path) -> None:
    store, _info = curated
    good = tmp_path / "good.zip"
    bk.backup(store, good)
    before = comparable(store)

    def orphan(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        bad = dict(rows[-1], id="ffffffffffffffff", event_id="no-such-event")
        return [*rows, bad]

    # A damaged file is refused before the store is touched.
    damaged = tmp_path / "damaged.zip"
    _rewrite(good, damaged, "evidence", orphan, fix_manifest=False)
    with pytest.raises(bk.BackupError, match="checksum"):
        bk.restore(store, damaged, force=True)
    # A consistent-looking file whose rows break a foreign key, found half-way: rolled back.
    broken = tmp_path / "broken.zip"
    _rewrite(good, broken, "evidence", orphan, fix_manifest=True)
    with pytest.raises(bk.BackupError, match=r"store is unchanged|foreign key"):
        bk.restore(store, broken, force=True)
    assert comparable(store) == before
    # Not a backup at all, a newer format, an unknown schema.
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(bk.BackupError, match="not a defcoop backup"):
        bk.restore(store, junk, force=True)
    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read(bk.MANIFEST))
    for change, message in ((("format_version", 99), "format version"),
                            (("revision", "9999_future"), "unknown to this defcoop")):  # fmt: skip
        other = tmp_path / f"{change[0]}.zip"
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(other, "w") as zout:
            for item in zin.infolist():
                if item.filename != bk.MANIFEST:
                    zout.writestr(item, zin.read(item))
            zout.writestr(bk.MANIFEST, json.dumps({**manifest, change[0]: change[1]}))
        with pytest.raises(bk.BackupError, match=message):
            bk.restore(store, other, force=True)
    assert comparable(store) == before


# --------------------------------------------------------------------------- live snapshot


def _writer(url: str, doc_key: str, quote: str, go: Any, stop: Any, out: Any) -> None:
    """Add manual events as fast as possible: each one writes an event, its partner,
    its evidence and an audit entry in ONE transaction."""
    n = 0
    try:
        with Store.open(url) as store:
            go.set()
            while not stop.is_set():
                cur.add_event(store, user="writer", kind="meeting", date=f"2025-01-{n % 28 + 1:02d}",
                              partners=["AUS"], source_doc=doc_key, source_quote=quote,
                              summary=f"live {n}")  # fmt: skip
                n += 1
        out.put((n, None))
    except BaseException as err:
        out.put((n, f"{type(err).__name__}: {err}"))


def _consistent(path: Path) -> tuple[int, int]:
    """Manual events and their audit entries in a backup file: must match one to one."""
    with zipfile.ZipFile(path) as zf:

        def rows(t: str) -> list[dict[str, Any]]:
            return [json.loads(x) for x in zf.read(f"tables/{t}.jsonl").splitlines()]

        manual = {e["id"] for e in rows("events") if e["state"] == "manual"}
        audited = {a["entity_id"] for a in rows("audit_log") if a["action"] == "add"
                   and a["entity"] == "event"}  # fmt: skip
        partners = {p["event_id"] for p in rows("event_partners")}
        evidence = {x["event_id"] for x in rows("evidence")}
    assert manual == audited, "events and audit log from different moments"
    assert manual <= partners and manual <= evidence, "an event without its partner/evidence"
    return len(manual), len(audited)


def test_backup_while_another_process_writes(store: Store, db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(CORPUS / f"{SMALL[0]}.txt", folder)
    ingest_paths(store, [folder])
    with store.session() as s:
        quote = s.scalar(select(m.Segment.text).where(m.Segment.kind == "body").limit(1))
    assert quote
    go, stop, out = _ctx.Event(), _ctx.Event(), _ctx.Queue()
    proc = _ctx.Process(target=_writer, args=(db_url, SMALL[0], quote[:15], go, stop, out))
    proc.start()
    try:
        assert go.wait(120)
        seen: list[int] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(seen) < 4:
            path = tmp_path / f"live{len(seen)}.zip"
            bk.backup(store, path)
            n = _consistent(path)[0]
            if n > (seen[-1] if seen else 0):  # the writer moved on since the last one
                seen.append(n)
            else:
                path.unlink()
                time.sleep(0.1)
    finally:
        stop.set()
        written, error = out.get(timeout=120)
        proc.join(timeout=60)
    assert error is None, error
    assert seen[-1] > seen[0], "the writer should have written during the backups"
    # The last live backup restores into a fresh store.
    with Store.open(f"sqlite:///{tmp_path / 'restored.db'}") as target:
        report = bk.restore(target, tmp_path / "live3.zip")
        assert report.tables["events"] >= seen[-1]
    print(f"\n[backup/{store.backend}] 4 backups during {written} concurrent writes: consistent")
