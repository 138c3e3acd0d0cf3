"""Concurrent writers: ingest and curation editors in separate processes, both backends.

* Editors race on ONE event (read its version, append a token to its summary, save
  with ``expected_version``; on ``StaleEditError`` reload and retry) while other
  editors verify other events and two ingest processes store new documents and new
  versions of the very documents being curated. No update may be lost: every token
  is in the final summary, the audit log holds exactly the successful edits, the
  re-ingest keeps the curated values, and every document is stored.
* A stale edit is refused with a message that says what happened and what to do.
* SQLite runs in WAL mode with a busy timeout: a writer waits for another process's
  write lock instead of failing.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import shutil
import subprocess
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from defcoop.ingest import ingest_paths
from defcoop.kb.curation import StaleEditError, correct, verify
from defcoop.store import Store
from defcoop.store import models as m
from defcoop.store.engine import SQLITE_BUSY_TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
SMALL = ["000_2018f9a9ee2e4c64", "001_965bdcae5678aeac", "003_080ee2400643355f"]
SHARED_EDITORS = 3
EDITS_EACH = 6

_ctx = mp.get_context("spawn")


# --------------------------------------------------------------------------- workers
# Run in child processes (spawned: each opens its own store, as separate programs do).


def _ready(out: Any, go: Any) -> None:
    """Tell the parent this process has started and opened the store; wait for the start."""
    out.put("ready")
    go.wait(120)


def _editor_shared(url: str, event_id: str, user: str, n: int, go: Any, out: Any) -> None:
    """Append ``n`` tokens to the summary of one event, retrying stale edits."""
    stats = Counter[str]()
    rng = random.Random(user)
    try:
        with Store.open(url) as store:
            _ready(out, go)
            for i in range(n):
                token = f"{user}#{i}"
                while True:
                    with store.session() as s:
                        row = s.get(m.Event, event_id)
                        assert row is not None
                        version, summary = row.version, row.summary or ""
                    time.sleep(rng.uniform(0.0, 0.05))  # the editor types
                    try:
                        correct(store, "event", event_id, "summary", f"{summary}|{token}",
                                user=user, reason="race", expected_version=version)  # fmt: skip
                    except StaleEditError as err:
                        stats["stale"] += 1
                        if "stale edit refused" not in str(err):
                            stats["unclear message"] += 1
                        continue
                    stats["saved"] += 1
                    break
        out.put((user, dict(stats), None))
    except BaseException as err:  # report, never hang the parent
        out.put((user, dict(stats), f"{type(err).__name__}: {err}"))


def _editor_verify(url: str, event_ids: list[str], user: str, go: Any, out: Any) -> None:
    """Verify events one by one (the latest version each time: no expected version)."""
    stats = Counter[str]()
    try:
        with Store.open(url) as store:
            _ready(out, go)
            for eid in event_ids:
                verify(store, "event", eid, user=user, reason="checked")
                stats["saved"] += 1
        out.put((user, dict(stats), None))
    except BaseException as err:
        out.put((user, dict(stats), f"{type(err).__name__}: {err}"))


def _ingester(url: str, paths: list[str], user: str, go: Any, out: Any) -> None:
    try:
        with Store.open(url) as store:
            _ready(out, go)
            report = ingest_paths(store, paths)
        errors = [f"{p}: {r}" for p, r in report.errors]
        out.put((user, {"saved": report.changes}, "; ".join(errors) or None))
    except BaseException as err:
        where = traceback.extract_tb(err.__traceback__)[-6:]
        trail = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in where[::-1])
        out.put((user, {}, f"{type(err).__name__}: {err} [{trail}]"))


# --------------------------------------------------------------------------- helpers


def _prepare(url: str, folder: Path) -> tuple[str, list[str], list[Path]]:
    """Ingest three small documents; pick the raced event and events to verify;
    write the files the concurrent ingests will bring (new documents and new versions)."""
    first = folder / "first"
    first.mkdir()
    for key in SMALL:
        shutil.copy(CORPUS / f"{key}.txt", first / f"{key}.txt")
    with Store.open(url) as store:
        report = ingest_paths(store, [first])
        assert report.ok and report.count("new") == len(SMALL)
        with store.session() as s:
            ids = list(
                s.scalars(
                    select(m.Event.id)
                    .where(m.Event.doc_key == SMALL[1], m.Event.merged_into_id.is_(None))
                    .order_by(m.Event.line, m.Event.id)
                )
            )
    assert len(ids) >= 6
    # New versions of the curated documents (a line added at the end) and new documents.
    later_a, later_b = folder / "later_a", folder / "later_b"
    later_a.mkdir()
    later_b.mkdir()
    for key in SMALL[:2]:
        body = (CORPUS / f"{key}.txt").read_text("utf-8")
        (later_a / f"{key}.txt").write_text(
            body + "\n2025年3月、防衛大臣は豪州を訪問した。", "utf-8"
        )
    shutil.copy(CORPUS / "002_fd0d837739df9011.txt", later_b / "002_fd0d837739df9011.txt")
    body = (CORPUS / f"{SMALL[2]}.txt").read_text("utf-8")
    (later_b / f"{SMALL[2]}.txt").write_text(body + "\n（注）改訂版", "utf-8")
    return ids[0], ids[1:6], [later_a, later_b]


def _run(workers: list[tuple[Any, tuple[Any, ...]]], go: Any, out: Any) -> dict[str, Any]:
    procs = [_ctx.Process(target=fn, args=(*args, go, out)) for fn, args in workers]
    for p in procs:
        p.start()
    for _ in procs:
        assert out.get(timeout=120) == "ready"
    go.set()  # everyone starts writing at once
    results: dict[str, Any] = {}
    for _ in procs:
        user, stats, error = out.get(timeout=300)
        results[user] = (stats, error)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


# --------------------------------------------------------------------------- tests


def test_concurrent_writers_lose_no_update(db_url: str, tmp_path: Path) -> None:
    raced, to_verify, later = _prepare(db_url, tmp_path)
    go, out = _ctx.Event(), _ctx.Queue()
    editors = [f"editor{i}" for i in range(SHARED_EDITORS)]
    workers: list[tuple[Any, tuple[Any, ...]]] = [
        (_editor_shared, (db_url, raced, user, EDITS_EACH)) for user in editors
    ]
    workers.append((_editor_verify, (db_url, to_verify, "verifier")))
    workers += [(_ingester, (db_url, [str(p)], f"ingest{i}")) for i, p in enumerate(later)]
    t0 = time.perf_counter()
    results = _run(workers, go, out)
    seconds = time.perf_counter() - t0
    errors = {u: e for u, (_s, e) in results.items() if e}
    assert not errors, errors

    stale = sum(results[u][0].get("stale", 0) for u in editors)
    with Store.open(db_url) as store, store.session() as s:
        ev = s.get(m.Event, raced)
        assert ev is not None
        tokens = [t for t in (ev.summary or "").split("|") if t]
        want = [f"{u}#{i}" for u in editors for i in range(EDITS_EACH)]
        assert sorted(tokens) == sorted(want), "an edit was lost or applied twice"
        assert ev.state == "corrected"
        assert (ev.provenance or {}).get("summary", {}).get("status") == "corrected"
        # The audit log holds exactly the successful edits, one entry each.
        audit = Counter(
            s.scalars(
                select(m.AuditEntry.actor).where(
                    m.AuditEntry.entity_id == raced, m.AuditEntry.field == "summary"
                )
            )
        )
        assert audit == Counter({u: EDITS_EACH for u in editors})
        for u in editors:
            assert results[u][0]["saved"] == EDITS_EACH
            assert results[u][0].get("unclear message", 0) == 0
        # Verified events stayed verified through the concurrent re-ingest.
        states = set(s.scalars(select(m.Event.state).where(m.Event.id.in_(to_verify))))
        assert states <= {"verified", "corrected"}
        # Every document of both ingests is stored, current and complete.
        current = dict(
            s.execute(
                select(m.Document.doc_key, m.Document.version).where(m.Document.is_current)
            ).all()
        )
        assert current == {SMALL[0]: 2, SMALL[1]: 2, SMALL[2]: 2, "002_fd0d837739df9011": 1}
        empty = s.scalar(
            select(func.count())
            .select_from(m.Document)
            .where(~select(m.Segment.id).where(m.Segment.document_id == m.Document.id).exists())
        )
        assert empty == 0
    print(
        f"\n[concurrency/{db_url.split(':')[0]}] {len(workers)} writer processes "
        f"({SHARED_EDITORS} racing editors x {EDITS_EACH} edits, 1 verifier, 2 ingests): "
        f"{stale} stale edits refused and retried, 0 lost, {seconds:.1f} s"
    )
    log = os.environ.get("DEFCOOP_RELIABILITY_LOG")
    if log:
        import json

        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"test": "concurrency", "url": db_url.split(":")[0],
                                 "writers": len(workers), "stale_refused": stale,
                                 "edits": SHARED_EDITORS * EDITS_EACH}) + "\n")  # fmt: skip


def test_stale_edit_is_refused_with_a_clear_message(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(CORPUS / f"{SMALL[0]}.txt", folder)
    ingest_paths(store, [folder])
    with store.session() as s:
        eid, loaded = s.execute(select(m.Event.id, m.Event.version).limit(1)).one()
    first = correct(store, "event", eid, "location", "東京", user="alice", expected_version=loaded)
    assert first.version is not None and first.version > loaded
    with pytest.raises(StaleEditError) as err:
        correct(store, "event", eid, "location", "大阪", user="bob", expected_version=loaded)
    msg = str(err.value)
    assert eid in msg and "stale edit refused" in msg
    assert f"version {loaded}" in msg and f"version {first.version}" in msg
    assert "reload" in msg
    with store.session() as s:
        row = s.get(m.Event, eid)
        assert row is not None and row.location == "東京" and row.version == first.version
        bob = s.scalar(select(func.count()).where(m.AuditEntry.actor == "bob"))
        assert bob == 0  # a refused edit leaves no trace


_HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE events SET summary = 'held' WHERE id = ?", (sys.argv[2],))
print("locked", flush=True)
time.sleep(float(sys.argv[3]))
conn.execute("COMMIT")
"""


def test_sqlite_wal_busy_timeout_and_queued_writers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(CORPUS / f"{SMALL[0]}.txt", folder)
    with Store.open(url) as store:
        ingest_paths(store, [folder])
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            eid = conn.execute(text("SELECT id FROM events LIMIT 1")).scalar()
        # Another process holds the write lock for a while: our edit waits, then wins.
        hold = 1.5
        proc = subprocess.Popen(
            [sys.executable, "-c", _HOLD_LOCK, str(tmp_path / "wal.db"), str(eid), str(hold)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
            t0 = time.perf_counter()
            # Readers are not blocked by the writer (WAL).
            with store.session() as s:
                assert s.get(m.Event, eid) is not None
            assert time.perf_counter() - t0 < hold / 2
            res = correct(store, "event", str(eid), "summary", "mine", user="alice")
            waited = time.perf_counter() - t0
        finally:
            proc.wait(timeout=30)
        assert proc.returncode == 0
        assert waited >= hold * 0.5, f"the edit did not wait for the lock ({waited:.2f} s)"
        with store.session() as s:
            row = s.get(m.Event, str(eid))
            assert row is not None and row.summary == "mine" and row.version == res.version
