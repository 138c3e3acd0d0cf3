"""Ingest throughput (read -> segment -> extract -> store) into SQLite and PostgreSQL.

Each run ingests one corpus into a fresh store in a fresh Python process, with
``--workers 1`` (serial), ``--workers 2`` (the process pool) or the Dask executor (a
local cluster of 2 processes), and reports wall time (start-up included: this is
what a user waits for), MB/s, events/s and peak memory of the process tree. PostgreSQL
is a throw-away server (``defcoop.testing.pgserver``) shared by the runs, a new
database per run. ``seconds`` is read -> store; the knowledge-base pass that
``ingest_paths`` runs afterwards (registry, dedup, people and tenures, axes, frameworks)
is timed apart as ``kb_s`` (``--no-kb`` skips it).

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
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _common import MemorySampler, Timer, cpu_seconds_tree, markdown_table, write_result
from bench_extract import corpus_path

TARGET_S_PER_100MB = 300.0
MODES = ("serial", "workers2", "dask")


def _own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _time_kb_step(skip: bool) -> dict[str, float]:
    """Time the knowledge-base pass that ``ingest_paths`` runs after the documents
    (``defcoop.kb.resolve.resolve``), or skip it (``--no-kb``): it is reported apart."""
    spent = {"kb_s": 0.0}
    try:
        import defcoop.kb.resolve as kb
    except ImportError:
        return spent
    real = kb.resolve

    def timed(store: Any) -> Any:
        if skip:
            return None
        t = Timer()
        try:
            return real(store)
        finally:
            spent["kb_s"] += t.seconds

    kb.resolve = timed  # ingest imports it from the module at call time
    return spent


def run_one(mode: str, folder: Path, url: str, kb: bool = True) -> dict[str, Any]:
    t = Timer()
    from defcoop.ingest import ingest_paths
    from defcoop.store import Store

    spent = _time_kb_step(skip=not kb)

    sampler = MemorySampler()
    with sampler.running(), Store.open(url) as store:
        kw: dict[str, Any] = {"workers": 1 if mode == "serial" else 2}
        if mode == "dask":
            kw["executor"] = "dask"
        startup = t.seconds  # imports, opening and migrating the store
        own0, tree0 = _own_cpu(), cpu_seconds_tree()
        report = ingest_paths(store, [folder], **kw)
        writer_cpu, tree_cpu = _own_cpu() - own0, cpu_seconds_tree() - tree0
    seconds = startup + report.seconds - spent["kb_s"]
    if not report.ok:
        raise SystemExit(f"ingest failed: {report.errors[:3]}")
    events, segments = report.events, sum(report.segments_by_kind.values())
    nbytes = sum(p.stat().st_size for p in folder.glob("*.txt"))
    return {
        "mode": mode,
        "files": len(report.files),
        "mb": round(nbytes / 1e6, 2),
        "startup_s": round(startup, 1),
        "kb_s": round(spent["kb_s"], 1) if kb else None,
        "seconds": round(seconds, 1),
        "mb_per_s": round(nbytes / 1e6 / seconds, 3),
        # CPU of this process (the single writer; with the kb pass unless --no-kb) and of
        # the extraction workers: what the run costs whatever else loads the machine.
        "writer_cpu_s": round(writer_cpu, 1),
        "workers_cpu_s": round(tree_cpu - writer_cpu, 1),
        "events": events,
        "segments": segments,
        "events_per_s": round(events / seconds),
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
    ap.add_argument("--name", default="ingest", help="result file: benchmarks/out/NAME.json")
    ap.add_argument(
        "--no-kb", action="store_true", help="skip the knowledge-base pass that follows ingest"
    )
    ap.add_argument("--one", nargs=3, metavar=("MODE", "FOLDER", "URL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], Path(args.one[1]), args.one[2], not args.no_kb)))
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
                            [sys.executable, __file__, "--one", mode, str(folder), url]
                            + (["--no-kb"] if args.no_kb else []),
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
    write_result(args.name, {"rows": rows, "target_s_per_100mb": TARGET_S_PER_100MB})
    cols = ["corpus", "backend", "mode", "mb", "seconds", "kb_s", "mb_per_s", "events_per_s"]
    cols += ["s_per_100mb", "writer_cpu_s", "workers_cpu_s", "peak_rss_total_mb"]
    print(markdown_table(rows, cols))


if __name__ == "__main__":
    main()
