"""Crash safety: ``defcoop ingest`` killed with SIGKILL at random points.

A folder of ~30 documents (the bundled corpus, edited copies, an HTML and a CP932
variant, chunks of the long chapter and one broken file) is ingested by the real CLI
in a subprocess, which is killed (SIGKILL, whole process group) at seeded random points
-- in start-up, while document k is written, in the knowledge-base step after the last
one -- again and again. After every kill the store must hold no partial document,
no orphan row and pass the database's own integrity checks; re-running the ingest
must finish the work and give the same store as one uninterrupted run.

The number of kills survived is printed (``-s`` shows it) and quoted in
docs/reliability.md. ``DEFCOOP_CRASH_KILLS`` changes the number of kills on SQLite
(default 20; PostgreSQL gets half). Runs for minutes: marked ``slow``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from defcoop.backup import dump, tables
from defcoop.store import Store, resolve_url
from defcoop.store import models as m

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
BIG = "004_3f20f60fb676c9fe"
SEED = 20250211
KILLS = int(os.environ.get("DEFCOOP_CRASH_KILLS", "20"))


# --------------------------------------------------------------------------- the documents


def make_folder(root: Path) -> Path:
    """~30 files: originals, edited copies, HTML/CP932/Markdown variants, chunks, a bad file."""
    folder = root / "docs"
    folder.mkdir()
    originals = sorted(CORPUS.glob("*.txt"))
    for p in originals:
        (folder / p.name).write_bytes(p.read_bytes())
    for p in originals:
        if p.stem == BIG:
            continue
        text_ = p.read_text("utf-8")
        lines = text_.split("\n")
        # An edited copy (a line dropped, one added), as a new year's edition would be.
        edited = [*lines[:3], *lines[4:], "2025年3月、防衛大臣は豪州国防大臣と会談を行った。"]
        (folder / f"{p.stem}_ed.txt").write_text("\n".join(edited), "utf-8")
        (folder / f"{p.stem}_cp932.txt").write_bytes(
            "\n".join(lines[::-1]).encode("cp932", "replace")
        )
        html = "".join(f"<p>{ln}</p>\n" for ln in lines if ln.strip())
        (folder / f"{p.stem}_page.html").write_text(
            f"<html><head><title>{p.stem}</title></head><body><nav><a href='/'>トップ</a>"
            f"<a href='/a'>一覧</a><a href='/b'>検索</a></nav><main>{html}</main></body></html>",
            "utf-8",
        )
        (folder / f"{p.stem}_note.md").write_text(
            f"# {p.stem}\n\n" + "\n".join(lines[: len(lines) // 2]), "utf-8"
        )
    big = (CORPUS / f"{BIG}.txt").read_text("utf-8").split("\n")
    step = len(big) // 8 + 1
    for i in range(8):
        part = big[i * step : (i + 1) * step]
        if part:
            (folder / f"{BIG}_part{i}.txt").write_text("\n".join(part), "utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(256))
    return folder


# --------------------------------------------------------------------------- running ingest


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("defcoop")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from defcoop.cli import main; main()"]


def _env(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DEFCOOP_DB"] = db
    env.pop("DEFCOOP_MAX_FILE_MB", None)
    return env


@dataclass
class Run:
    killed: bool
    wall: float
    docs_at_start: int
    last_doc_at: float | None = None  # seconds after start when the last document landed
    stdout: str = ""


def stored_documents(url: str) -> int:
    """Document versions in the store, read without creating or migrating it."""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return 0
    engine = create_engine(resolve_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM documents")).scalar() or 0)
    except SQLAlchemyError:  # not migrated yet, or locked for a moment: nothing to count
        return 0
    finally:
        engine.dispose()


def ingest(
    url: str,
    folder: Path,
    *,
    workers: int = 1,
    kill_at_docs: int | None = None,
    kill_delay: float = 0.0,
    timed: bool = False,
) -> Run:
    """Run ``defcoop ingest``; with ``kill_at_docs``, SIGKILL its process group
    ``kill_delay`` s after the store holds that many documents (0: after start)."""
    before = stored_documents(url)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*_cli(), "ingest", str(folder), "--json", "-w", str(workers)],
        env=_env(url),
        stdout=subprocess.PIPE if kill_at_docs is None else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        text=True,
    )
    run = Run(killed=False, wall=0.0, docs_at_start=before)
    if kill_at_docs is None:
        if timed:  # time the phases: when did the last document land?
            seen = before
            while proc.poll() is None:
                n = stored_documents(url)
                if n > seen:
                    seen, run.last_doc_at = n, time.perf_counter() - t0
                time.sleep(0.05)
        run.stdout = proc.communicate(timeout=600)[0]
        run.wall = time.perf_counter() - t0
        assert proc.returncode in (0, 1), f"ingest exited with {proc.returncode}"
        return run
    while kill_at_docs > 0 and proc.poll() is None and stored_documents(url) < kill_at_docs:
        time.sleep(0.02)
    try:
        proc.wait(timeout=kill_delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        run.killed = True
    run.wall = time.perf_counter() - t0
    return run


# --------------------------------------------------------------------------- checks


def check_integrity(store: Store) -> None:
    with store.engine.connect() as conn:
        if store.backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            # The full-text index agrees with the segments table.
            conn.exec_driver_sql("INSERT INTO segments_fts(segments_fts) VALUES('integrity-check')")
            conn.rollback()
        orphans = {
            "segment without document": "SELECT count(*) FROM segments s LEFT JOIN documents d "
            "ON d.id = s.document_id WHERE d.id IS NULL",
            "evidence without event": "SELECT count(*) FROM evidence x LEFT JOIN events e "
            "ON e.id = x.event_id WHERE e.id IS NULL",
            "evidence without document": "SELECT count(*) FROM evidence x LEFT JOIN documents d "
            "ON d.id = x.document_id WHERE d.id IS NULL",
            "participant without event": "SELECT count(*) FROM event_participants p LEFT JOIN "
            "events e ON e.id = p.event_id WHERE e.id IS NULL",
            "partner row without event": "SELECT count(*) FROM event_partners p LEFT JOIN "
            "events e ON e.id = p.event_id WHERE e.id IS NULL",
            "extracted event without evidence": "SELECT count(*) FROM events e WHERE "
            "e.doc_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM evidence x "
            "WHERE x.event_id = e.id)",
            "document key with two current versions": "SELECT count(*) FROM (SELECT doc_key "
            "FROM documents WHERE is_current GROUP BY doc_key HAVING count(*) > 1) t",
        }
        for what, sql in orphans.items():
            assert conn.execute(text(sql)).scalar() == 0, what


def per_document(store: Store) -> dict[str, tuple[int, int]]:
    """document id -> (segments, evidence rows)."""
    with store.session() as s:
        segs = dict(
            s.execute(
                select(m.Segment.document_id, func.count()).group_by(m.Segment.document_id)
            ).all()
        )
        evid = dict(
            s.execute(
                select(m.Evidence.document_id, func.count()).group_by(m.Evidence.document_id)
            ).all()
        )
        ids = s.scalars(select(m.Document.id)).all()
    return {i: (segs.get(i, 0), evid.get(i, 0)) for i in ids}


def check_no_partial_document(store: Store, reference: dict[str, tuple[int, int]]) -> int:
    """Every stored document is complete: its segment and evidence counts are those of
    the uninterrupted run. Returns the number of documents stored."""
    got = per_document(store)
    for doc_id, counts in got.items():
        assert doc_id in reference, f"document {doc_id} is not one the full run stores"
        assert counts == reference[doc_id], f"document {doc_id}: partial {counts}"
    return len(got)


def comparable(store: Store) -> dict[str, list[str]]:
    """Every table, minus the timestamps of when rows were written."""
    stamps = {t.name: {c.name for c in t.columns if isinstance(c.type, DateTime)} for t in tables()}
    out = {}
    for name, rows in dump(store).items():
        drop = stamps[name]
        out[name] = sorted(
            json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True) for r in rows
        )
    return out


def assert_same_store(got: Store, want: Store) -> None:
    a, b = comparable(got), comparable(want)
    for name in b:
        if a[name] != b[name]:
            missing = sorted(set(b[name]) - set(a[name]))
            extra = sorted(set(a[name]) - set(b[name]))
            pytest.fail(
                f"table {name} differs from the uninterrupted run: {len(missing)} rows "
                f"missing, {len(extra)} unexpected; first missing: {missing[:1]!s:.600}; "
                f"first unexpected: {extra[:1]!s:.600}"
            )


# --------------------------------------------------------------------------- the test


def crash_campaign(
    new_url: Callable[[], str], ref_url: str, folder: Path, kills: int, seed: int
) -> Counter[str]:
    """Rounds of kills, each on a fresh store from ``new_url()``, until ``kills`` kills.

    A kill is aimed at a phase: start-up and migration (a random moment before any
    work), the write of document k (k random among those not stored yet, plus a random
    fraction of a document's time), or the knowledge-base step after the last document.
    After every kill the store is checked; after 2-5 kills an ingest runs to the end
    and the store must then equal the reference (one uninterrupted run).
    """
    rng = random.Random(seed)
    ref_run = ingest(ref_url, folder, timed=True)
    report = json.loads(ref_run.stdout)
    assert report["documents"]["failed"] == 1  # only broken.pdf
    with Store.open(ref_url) as ref:
        ref_docs = per_document(ref)
        check_integrity(ref)
    total = len(ref_docs)
    work = report["seconds"]
    startup = max(ref_run.wall - work, 0.2)
    tail = max(ref_run.wall - (ref_run.last_doc_at or ref_run.wall), 0.2)  # resolve & exit
    per_doc = max((work - tail) / total, 0.01)
    stats: Counter[str] = Counter()
    while stats["kills"] < kills:
        url = new_url()
        stats["rounds"] += 1
        for _ in range(rng.randint(2, 5)):
            stored = stored_documents(url)
            phase = rng.random()
            if phase < 0.1:
                at, delay, aim = 0, rng.uniform(0.0, startup), "start-up"
            elif phase < 0.3 or stored >= total:
                at, delay, aim = total, rng.uniform(0.0, 1.2 * tail), "after the last document"
                if stored >= total:  # nothing left to write: the wait starts at once
                    delay += startup
            else:
                at = rng.randint(stored + 1, total)
                delay, aim = rng.uniform(0.0, 1.5 * per_doc), "while writing documents"
            run = ingest(url, folder, workers=1 + stats["runs"] % 2, kill_at_docs=at,
                         kill_delay=delay)  # fmt: skip
            stats["runs"] += 1
            if not run.killed:
                stats["finished before the kill"] += 1
                break
            stats["kills"] += 1
            stats[f"kills {aim}"] += 1
            with Store.open(url) as st:
                check_integrity(st)
                check_no_partial_document(st, ref_docs)
        # One more run completes the work: the store is then the reference.
        ingest(url, folder)
        with Store.open(url) as st, Store.open(ref_url) as ref:
            check_integrity(st)
            assert_same_store(st, ref)
        stats["rounds verified"] += 1
    return stats


def _report(backend: str, stats: Counter[str]) -> None:
    line = ", ".join(f"{k}: {v}" for k, v in sorted(stats.items()))
    print(f"\n[crash/{backend}] {line}")
    out = os.environ.get("DEFCOOP_RELIABILITY_LOG")
    if out:
        with open(out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"test": "crash", "backend": backend, **stats}) + "\n")


def test_sigkill_during_ingest_sqlite(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    assert 28 <= len(list(folder.iterdir())) <= 32
    ref = f"sqlite:///{tmp_path / 'reference.db'}"
    rounds = iter(range(1000))

    def new_url() -> str:
        return f"sqlite:///{tmp_path / f'crash{next(rounds)}.db'}"

    stats = crash_campaign(new_url, ref, folder, KILLS, SEED)
    _report("sqlite", stats)
    assert stats["kills"] >= KILLS
    assert stats["kills while writing documents"] > 0


@pytest.mark.postgres
def test_sigkill_during_ingest_postgresql(tmp_path: Path, pg_server: Any) -> None:
    folder = make_folder(tmp_path)
    names = [pg_server.create_db("defcoop_template")]

    def new_url() -> str:
        names.append(pg_server.create_db("defcoop_template"))
        return str(pg_server.url(names[-1]))

    try:
        ref = pg_server.url(names[0])
        stats = crash_campaign(new_url, ref, folder, max(KILLS // 2, 1), SEED + 1)
    finally:
        for n in names:
            pg_server.drop_db(n)
    _report("postgresql", stats)
    assert stats["kills"] >= max(KILLS // 2, 1)
