"""Ingest throughput (read -> segment -> extract -> store) into SQLite and PostgreSQL.

Each run ingests one corpus into a fresh store in a fresh Python process, with
``--workers 1`` (serial), ``--workers 2`` (the process pool) or the Dask executor (a
local cluster of 2 processes), and reports wall time (start-up included: this is
what a user waits for), MB/s, events/s and peak memory of the process tree. PostgreSQL
is a throw-away server (``defcoop.testing.pgserver``) shared by the runs, a new
database per run.

    uv run python benchmarks/bench_ingest.py              # corpus and synth-100, workers 2
    uv run python benchmarks/bench_ingest.py --quick      # corpus and synth-5
    uv run python benchmarks/bench_ingest.py --corpora synth-50 --modes serial,workers2,dask

Writes ``benchmarks/out/ingest.json``. Target: 100 MB in under 5 minutes on 2 cores,
memory under 1 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import MemorySampler, Timer, markdown_table, write_result
from bench_extract import corpus_path

TARGET_S_PER_100MB = 300.0
MODES = ("serial", "workers2", "dask")


def run_one(mode: str, folder: Path, url: str) -> dict[str, Any]:
    t = Timer()
    from defcoop.ingest import ingest_paths
    from defcoop.store import Store

    sampler = MemorySampler()
    with sampler.running(), Store.open(url) as store:
        kw: dict[str, Any] = {"workers": 1 if mode == "serial" else 2}
        if mode == "dask":
            kw["executor"] = "dask"
        report = ingest_paths(store, [folder], **kw)
        counts = store.counts()
    seconds = t.seconds
    if not report.ok:
        raise SystemExit(f"ingest failed: {report.errors[:3]}")
    nbytes = sum(p.stat().st_size for p in folder.glob("*.txt"))
    return {
        "mode": mode,
        "files": len(report.files),
        "mb": round(nbytes / 1e6, 2),
        "seconds": round(seconds, 1),
        "mb_per_s": round(nbytes / 1e6 / seconds, 3),
        "events": counts.events,
        "segments": counts.segments,
        "events_per_s": round(counts.events / seconds),
        "s_per_100mb": round(seconds / (nbytes / 1e8), 1),
        **sampler.to_dict(),
    }


@contextlib.contextmanager
def database(backend: str, server: Any) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="defcoop-bench-") as tmp:
            yield f"sqlite:///{tmp}/ingest.db"
        return
    name = server.create_db()
    try:
        yield server.url(name)
    finally:
        with contextlib.suppress(Exception):
            server.drop_db(name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="corpus and synth-5")
    ap.add_argument("--corpora", help="comma-separated (default corpus,synth-100)")
    ap.add_argument("--modes", default="workers2", help=f"comma-separated of {', '.join(MODES)}")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--one", nargs=3, metavar=("MODE", "FOLDER", "URL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], Path(args.one[1]), args.one[2])))
        return
    corpora = (args.corpora or ("corpus,synth-5" if args.quick else "corpus,synth-100")).split(",")
    backends = args.backends.split(",")
    rows: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        server = None
        if "postgresql" in backends:
            from defcoop.testing.pgserver import temporary_server

            server = stack.enter_context(temporary_server())
        for name in corpora:
            folder = corpus_path(name)
            for backend in backends:
                for mode in args.modes.split(","):
                    with database(backend, server) as url:
                        proc = subprocess.run(
                            [sys.executable, __file__, "--one", mode, str(folder), url],
                            capture_output=True,
                            text=True,
                            check=False,
                        )
                    if proc.returncode != 0:
                        print(f"{name}/{backend}/{mode} failed:\n{proc.stderr[-2000:]}")
                        continue
                    row = {"corpus": name, "backend": backend}
                    row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    write_result("ingest", {"rows": rows, "target_s_per_100mb": TARGET_S_PER_100MB})
    cols = ["corpus", "backend", "mode", "mb", "seconds", "mb_per_s", "events", "events_per_s"]
    print(markdown_table(rows, [*cols, "s_per_100mb", "peak_rss_total_mb"]))


if __name__ == "__main__":
    main()
