"""Parallel and distributed ingestion give the store a serial run gives, row for row.

A Dask cluster is started by the tests (in-process workers: fast); the real extractor
runs on the bundled corpus and every table the ingest writes is compared with a
serial run: documents, segments, events, partners, participants, evidence, ids.
The ``slow`` test runs the CLI with a LocalCluster of worker processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import defcoop.distributed as dist_mod
from defcoop.cli import app
from defcoop.distributed import DaskUnavailableError, extract_dask
from defcoop.ingest import EXECUTORS, IngestReport, ingest_paths
from defcoop.readers import iter_paths
from defcoop.store import Store
from defcoop.store import models as m

distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
#: Files an ingest of the corpus folder reads (the .txt sources and any .md notes).
N_FILES = len(list(iter_paths([CORPUS])))
#: Everything the ingest writes, minus wall-clock timestamps.
TABLES = (m.Document, m.Segment, m.Event, m.EventPartner, m.Participant, m.Evidence)
CLOCK = frozenset({"ingested_at", "created_at", "updated_at"})

runner = CliRunner()


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ingest table (sorted), timestamps left out."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.session() as s:
        for model in TABLES:
            table = model.__table__
            cols = [c for c in table.columns if c.name not in CLOCK]
            rows = s.execute(select(*cols)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def ingest_snapshot(
    url: str, paths: list[Path], **kw: Any
) -> tuple[IngestReport, dict[str, list[tuple[Any, ...]]]]:
    with Store.open(url) as st:
        report = ingest_paths(st, paths, **kw)
        return report, snapshot(st)


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('serial') / 'serial.db'}"
    report, snap = ingest_snapshot(url, [CORPUS])
    assert report.ok and report.documents["new"] == N_FILES >= 5
    assert snap["events"] and snap["evidence"] and snap["event_partners"]
    return snap


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    """A two-worker Dask cluster in this process (started once for the module)."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture
def use_client(dask_client: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make ``ingest_paths(..., executor="dask")`` use the test cluster."""
    real = dist_mod.extract_dask

    def with_client(paths: list[str], known: Any = None, **kw: Any) -> Any:
        kw.pop("scheduler", None)
        kw.pop("workers", None)
        return real(paths, known, client=dask_client, **kw)

    monkeypatch.setattr(dist_mod, "extract_dask", with_client)
    return dask_client


def test_process_pool_gives_the_serial_store(
    tmp_path: Path, serial: dict[str, list[tuple[Any, ...]]]
) -> None:
    report, snap = ingest_snapshot(f"sqlite:///{tmp_path / 'w2.db'}", [CORPUS], workers=2)
    assert report.ok
    assert snap == serial


@pytest.mark.usefixtures("use_client")
def test_dask_gives_the_serial_store(
    store: Store, serial: dict[str, list[tuple[Any, ...]]]
) -> None:
    """On both backends: the Dask run stores what a serial SQLite run stores."""
    report = ingest_paths(store, [CORPUS], executor="dask")
    assert report.ok and report.documents["new"] == N_FILES
    assert snapshot(store) == serial
    again = ingest_paths(store, [CORPUS], executor="dask")  # idempotent, via the snapshot
    assert again.documents == {"new": 0, "updated": 0, "unchanged": N_FILES, "failed": 0}
    assert snapshot(store) == serial


@pytest.mark.parametrize("send", ["paths", "bytes"])
def test_extract_dask_matches_serial_extraction_in_input_order(dask_client: Any, send: Any) -> None:
    from defcoop.ingest import extract_path

    paths = sorted(str(p) for p in CORPUS.glob("*.txt"))
    expected = [extract_path(p) for p in paths]
    # batch_bytes=1: one task per file, so tasks finish out of order.
    got = list(extract_dask(paths, client=dask_client, send=send, batch_bytes=1))
    assert [g.path for g in got] == paths
    for g, e in zip(got, expected, strict=True):
        assert g.doc is not None and e.doc is not None
        g.seconds = e.seconds = 0.0
        assert g == e  # doc (source_path included), segments, events with evidence


@pytest.mark.usefixtures("use_client")
def test_bad_files_fail_as_in_a_serial_run(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:2]:
        shutil.copy(p, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    paths = [folder, tmp_path / "missing.txt", tmp_path / "notes.docx"]
    a, snap_a = ingest_snapshot(f"sqlite:///{tmp_path / 'a.db'}", paths)
    b, snap_b = ingest_snapshot(f"sqlite:///{tmp_path / 'b.db'}", paths, executor="dask")
    assert len(a.errors) == 5
    assert b.errors == a.errors
    assert [f.status for f in b.files] == [f.status for f in a.files]
    assert snap_b == snap_a


def test_a_lost_task_fails_its_files_only(
    dask_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = dist_mod.extract_batch

    def flaky(jobs: Any, known: Any) -> Any:
        if any("002_" in job.path for job in jobs):
            raise RuntimeError("worker died")
        return real(jobs, known)

    monkeypatch.setattr(dist_mod, "extract_batch", flaky)
    paths = sorted(str(p) for p in CORPUS.glob("*.txt"))
    got = list(extract_dask(paths, client=dask_client, send="paths", batch_bytes=1))
    assert [g.path for g in got] == paths
    failed = [(g.path, g.error) for g in got if g.error]
    assert failed == [(paths[2], "dask failed: RuntimeError: worker died")]
    assert all(g.doc is not None and g.segments for g in got if not g.error)


def test_extraction_does_not_depend_on_the_hash_seed() -> None:
    """Dask workers are spawned processes with their own hash seed: results must not care."""
    files = sorted(str(p) for p in CORPUS.glob("*.txt"))
    cmd = [
        sys.executable,
        "-c",
        "from defcoop.cli import main; main()",
        "extract",
        *files,
        "--jsonl",
    ]
    procs = [
        subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    done = [proc.communicate(timeout=120) for proc in procs]
    for proc, (_out, err) in zip(procs, done, strict=True):
        assert proc.returncode == 0, err.decode("utf-8", "replace")[-2000:]
    outs = [out for out, _err in done]
    assert outs[0] and outs[0] == outs[1]


def test_executor_names() -> None:
    from defcoop.cli.ingest import Executor

    assert tuple(e.value for e in Executor) == EXECUTORS
    with pytest.raises(ValueError, match="unknown executor"):
        ingest_paths(Store.open("sqlite://"), [CORPUS], executor="spark")
    with pytest.raises(ValueError, match="needs executor='dask'"):
        ingest_paths(Store.open("sqlite://"), [CORPUS], scheduler="tcp://x:1")


# -- CLI -----------------------------------------------------------------------------------------
def run(db_url: str, *args: str) -> Any:
    return runner.invoke(app, ["ingest", *args], env={"DEFCOOP_DB": db_url, "COLUMNS": "200"})


def test_cli_scheduler_of_a_running_cluster(
    tmp_path: Path, dask_client: Any, serial: dict[str, list[tuple[Any, ...]]]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    address = dask_client.scheduler.address
    result = run(url, "--executor", "dask", "--scheduler", address, "-q", str(CORPUS))
    assert result.exit_code == 0, result.output
    assert f"{N_FILES} changed, 0 unchanged, 0 failed" in result.stdout
    with Store.open(url) as st:
        assert snapshot(st) == serial


def test_cli_scheduler_needs_dask_executor(tmp_path: Path) -> None:
    result = run(f"sqlite:///{tmp_path / 'x.db'}", "--scheduler", "tcp://127.0.0.1:1", str(CORPUS))
    assert result.exit_code == 2
    assert "needs --executor dask" in result.output


def test_cli_unreachable_scheduler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dist_mod, "CONNECT_TIMEOUT_S", 1)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = run(url, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", str(CORPUS))
    assert result.exit_code == 2, result.output
    assert "error: cannot connect to the Dask scheduler at tcp://127.0.0.1:1" in result.stderr
    with Store.open(url) as st:
        assert st.counts().documents == 0


def test_cli_without_dask_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    with pytest.raises(DaskUnavailableError, match=r"defcoop\[dask\]"):
        dist_mod.require_dask()
    result = run(f"sqlite:///{tmp_path / 'x.db'}", "--executor", "dask", str(CORPUS))
    assert result.exit_code == 2
    assert "pip install 'defcoop[dask]'" in result.stderr


@pytest.mark.slow
def test_cli_local_cluster_of_processes(
    tmp_path: Path, serial: dict[str, list[tuple[Any, ...]]]
) -> None:
    """``--executor dask`` without a scheduler: a LocalCluster of worker processes."""
    url = f"sqlite:///{tmp_path / 'local.db'}"
    result = run(url, "--executor", "dask", "--workers", "2", "--json", str(CORPUS))
    assert result.exit_code == 0, result.output
    with Store.open(url) as st:
        assert snapshot(st) == serial
