"""Ingestion and its CLI on SQLite and PostgreSQL: idempotence, versions, bad files,
rollback of failed documents, and the ``ingest`` / ``documents`` / ``show`` commands.

Most tests swap in a small deterministic extractor (``fake_extract``) so that they
check the store's behaviour, not the extraction rules being developed elsewhere;
``test_real_pipeline_ingests_corpus`` runs the real one.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner, Result

import defcoop.ingest as ingest_mod
from defcoop.cli import app
from defcoop.ingest import ingest_paths
from defcoop.records import Document, Event, Evidence, Segment
from defcoop.store import Store
from defcoop.store import models as m
from defcoop.store.events import EventWriter

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
KEYS = sorted(p.stem for p in CORPUS.glob("*.txt"))
BIG = "004_3f20f60fb676c9fe"
PARTNERS = {"豪": "AUS", "比": "PHL", "印": "IND", "英": "GBR", "米": "USA"}
DATE = re.compile(r"(\d{4})年(\d{1,2})月")


def toy_extract(doc: Document, segments: list[Segment] | None = None) -> list[Event]:
    """Deterministic stand-in: a dated body sentence with 会談 is a meeting."""
    events: list[Event] = []
    for seg in segments or []:
        if seg.kind != "body":
            continue
        for s, e in seg.sentences or [(seg.start, seg.end)]:
            sentence = doc.text[s:e]
            d, talk = DATE.search(sentence), sentence.find("会談")
            if d is None or talk < 0:
                continue
            start, end = s + d.start(), s + talk + 2
            events.append(
                Event(
                    doc=doc.doc_id,
                    line=doc.line_at(start),
                    kind="meeting",
                    date=f"{d.group(1)}-{int(d.group(2)):02d}",
                    partners=sorted({c for k, c in PARTNERS.items() if k in sentence}),
                    quote=doc.text[start:end],
                    evidence=Evidence(doc.doc_id, start, end, doc.line_at(start), seg.index),
                )
            )
    return events


@pytest.fixture
def fake_extract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_mod, "extract_document", toy_extract)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    for p in dest.iterdir():
        p.chmod(0o644)
    return dest


def row_counts(store: Store) -> dict[str, int]:
    tables = ["documents", "segments", "events", "evidence", "event_partners"]
    with store.session() as s:
        return {t: s.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in tables}


# -- library -------------------------------------------------------------------------------------
@pytest.mark.usefixtures("fake_extract")
def test_ingest_corpus_then_again_changes_nothing(store: Store) -> None:
    calls: list[tuple[int, int, str]] = []
    report = ingest_paths(store, [CORPUS], progress=lambda d, t, p: calls.append((d, t, p)))
    assert report.documents == {"new": 5, "updated": 0, "unchanged": 0, "failed": 0}
    assert report.ok and report.errors == []
    assert [c[:2] for c in calls] == [(i, 5) for i in range(1, 6)]
    assert [d.doc_key for d in store.list_documents()] == KEYS
    assert sum(report.segments_by_kind.values()) == store.counts().segments
    assert report.events == store.counts().events > 0
    before = row_counts(store)
    again = ingest_paths(store, [CORPUS])
    assert again.changes == 0 and again.documents["unchanged"] == 5
    assert again.segments_by_kind == {} and again.events == 0
    assert row_counts(store) == before


def test_real_pipeline_ingests_corpus(store: Store) -> None:
    report = ingest_paths(store, [CORPUS])
    assert report.errors == []
    assert report.documents["new"] == 5
    docs = store.list_documents()
    assert [d.doc_key for d in docs] == KEYS
    assert store.counts().segments == sum(d.segments for d in docs) > 0
    view = store.get_document(BIG, kinds=["caption"])
    assert view is not None and view.segments
    assert {s.kind for s in view.segments} == {"caption"}


@pytest.mark.usefixtures("fake_extract")
def test_changed_file_becomes_version_2_with_stable_event_ids(
    store: Store, corpus_copy: Path
) -> None:
    ingest_paths(store, [corpus_copy])
    with store.session() as s:
        v1 = {
            e.id: (e.doc_key, e.line, e.date, tuple(p.partner_code for p in e.partners))
            for e in s.scalars(select(m.Event))
        }
    # Drop a line holding one event whose identity (date, partners) is unique in the
    # document, and put a new first line in: every offset and line number moves.
    identities = Counter(v[2:] for v in v1.values() if v[0] == BIG)
    lines_used = Counter(v[1] for v in v1.values() if v[0] == BIG)
    candidates = sorted(
        (v[1], i)
        for i, v in v1.items()
        if v[0] == BIG and identities[v[2:]] == 1 and lines_used[v[1]] == 1
    )
    dropped_line, dropped_id = candidates[len(candidates) // 2]
    big = corpus_copy / f"{BIG}.txt"
    lines = big.read_text("utf-8").split("\n")
    del lines[dropped_line - 1]
    big.write_text("追記:この版では冒頭に一文を加えた。\n" + "\n".join(lines), "utf-8")

    report = ingest_paths(store, [corpus_copy])
    assert report.documents == {"new": 0, "updated": 1, "unchanged": 4, "failed": 0}
    versions = [
        (d.version, d.is_current)
        for d in store.list_documents(include_old=True)
        if d.doc_key == BIG
    ]
    assert versions == [(1, False), (2, True)]
    with store.session() as s:
        v2 = {e.id: e.line for e in s.scalars(select(m.Event))}
    assert set(v2) == set(v1) - {dropped_id}
    moved = [i for i in v2 if v1[i][0] == BIG and v1[i][1] > dropped_line]
    assert moved and all(v2[i] == v1[i][1] for i in moved)  # -1 line, +1 line
    before = [i for i in v2 if v1[i][0] == BIG and v1[i][1] < dropped_line]
    assert before and all(v2[i] == v1[i][1] + 1 for i in before)
    assert ingest_paths(store, [corpus_copy]).changes == 0


@pytest.mark.usefixtures("fake_extract")
def test_extraction_failure_is_isolated(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def flaky(doc: Document, segments: list[Segment] | None = None) -> list[Event]:
        if doc.doc_id.startswith("002_"):
            raise RuntimeError("rule table corrupt")
        return toy_extract(doc, segments)

    monkeypatch.setattr(ingest_mod, "extract_document", flaky)
    report = ingest_paths(store, [CORPUS])
    [(path, reason)] = report.errors
    assert path.endswith("002_fd0d837739df9011.txt")
    assert reason == "extract failed: RuntimeError: rule table corrupt"
    assert report.documents["new"] == 4
    assert "002_fd0d837739df9011" not in {d.doc_key for d in store.list_documents()}


@pytest.mark.usefixtures("fake_extract")
def test_store_failure_mid_document_leaves_no_trace(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_sync = EventWriter.sync

    def sync(self: EventWriter, events: list[Event]) -> object:
        result = real_sync(self, events)  # segments and events are already flushed here
        if self.key == BIG:
            raise RuntimeError("connection lost")
        return result

    monkeypatch.setattr(EventWriter, "sync", sync)
    report = ingest_paths(store, [CORPUS])
    assert [r for _p, r in report.errors] == ["store failed: RuntimeError: connection lost"]
    assert report.documents["new"] == 4
    with store.session() as s:
        assert s.scalar(select(m.Document).where(m.Document.doc_key == BIG)) is None
        assert s.scalar(select(m.Event).where(m.Event.doc_key == BIG)) is None
        orphans = s.scalar(
            text(
                "SELECT count(*) FROM segments WHERE document_id NOT IN (SELECT id FROM documents)"
            )
        )
        assert orphans == 0
    assert store.search_segments("円滑化協定") != []  # 003 is there and searchable
    monkeypatch.undo()
    monkeypatch.setattr(ingest_mod, "extract_document", toy_extract)
    retry = ingest_paths(store, [CORPUS])  # a re-run completes the work
    assert retry.documents == {"new": 1, "updated": 0, "unchanged": 4, "failed": 0}


@pytest.mark.usefixtures("fake_extract")
def test_missing_path_is_a_failed_file(store: Store, tmp_path: Path) -> None:
    report = ingest_paths(store, [tmp_path / "nope.txt"])
    assert report.errors == [(str(tmp_path / "nope.txt"), "no such file")]


@pytest.mark.usefixtures("fake_extract")
def test_workers_give_the_same_store_as_serial(tmp_path: Path) -> None:
    def snapshot(url: str, workers: int) -> tuple[object, ...]:
        with Store.open(url) as st:
            ingest_paths(st, [CORPUS], workers=workers)
            with st.session() as s:
                return (
                    sorted(s.execute(select(m.Document.id, m.Document.version)).all()),
                    sorted(s.execute(select(m.Segment.id, m.Segment.kind, m.Segment.start)).all()),
                    sorted(s.execute(select(m.Event.id, m.Event.quote, m.Event.date)).all()),
                    sorted(s.execute(select(m.Evidence.id)).all()),
                )

    serial = snapshot(f"sqlite:///{tmp_path / 'serial.db'}", 1)
    parallel = snapshot(f"sqlite:///{tmp_path / 'parallel.db'}", 2)
    assert serial == parallel


# -- CLI -----------------------------------------------------------------------------------------
runner = CliRunner()


def run(db_url: str, *args: str) -> Result:
    return runner.invoke(app, list(args), env={"DEFCOOP_DB": db_url, "COLUMNS": "200"})


@pytest.mark.usefixtures("fake_extract")
def test_cli_bad_file_among_good_ones(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for key in KEYS[:2]:
        shutil.copy(CORPUS / f"{key}.txt", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    result = run(db_url, "ingest", str(folder))
    assert result.exit_code == 1, result.output
    bad_lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(bad_lines) == 2
    assert any(ln.startswith(f"{folder / 'empty.txt'}: ") for ln in bad_lines)
    assert any(ln.startswith(f"{folder / 'broken.pdf'}: ") for ln in bad_lines)
    listing = json.loads(run(db_url, "documents", "--json").stdout)
    assert [d["doc_key"] for d in listing] == KEYS[:2]
    again = run(db_url, "ingest", str(folder))
    assert again.exit_code == 1 and "0 changed, 2 unchanged, 2 failed" in again.stdout


@pytest.mark.usefixtures("fake_extract")
def test_cli_ingest_documents_show(db_url: str) -> None:
    first = run(db_url, "ingest", str(CORPUS))
    assert first.exit_code == 0, first.output
    assert "5 changed, 0 unchanged, 0 failed" in first.stdout
    assert "documents" in first.stdout and "caption" in first.stdout
    second = run(db_url, "ingest", str(CORPUS))
    assert second.exit_code == 0 and "0 changed, 5 unchanged, 0 failed" in second.stdout

    table = run(db_url, "documents")
    assert table.exit_code == 0 and all(k in table.stdout for k in KEYS)
    listing = json.loads(run(db_url, "documents", "--json").stdout)
    assert [(d["doc_key"], d["version"]) for d in listing] == [(k, 1) for k in KEYS]
    assert all(d["segments"] > 0 and d["char_count"] > 0 for d in listing)

    shown = json.loads(run(db_url, "show", BIG, "--kind", "caption", "--json").stdout)
    captions = shown["segments"]
    assert captions and {s["kind"] for s in captions} == {"caption"}
    assert any("日豪「2+2」" in s["text"] for s in captions)
    tbl = run(db_url, "show", BIG, "--kind", "caption")
    assert tbl.exit_code == 0
    rows = [ln for ln in tbl.stdout.splitlines() if ln.startswith("│")]
    assert len(rows) == len(captions) and all("│ caption " in r for r in rows)

    missing = run(db_url, "show", "no_such_doc")
    assert missing.exit_code == 1 and "no_such_doc: no such document" in missing.stderr
    assert run(db_url, "show", BIG, "--kind", "bogus").exit_code == 2
    assert run(db_url, "ingest").exit_code == 2


def test_cli_help_texts() -> None:
    for cmd in ("ingest", "documents", "show"):
        result = runner.invoke(app, [cmd, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0
        assert "--db" in result.stdout and "--json" in result.stdout
    assert run("mysql://nope/x", "documents").exit_code == 2
