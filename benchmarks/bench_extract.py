"""Extraction throughput (read + segment + extract, no store) and peak memory.

For each corpus (the bundled one and synthetic ones made by ``synth.py``) and each
executor -- ``serial``, ``workers2`` (the ``--workers 2`` process pool) and ``dask``
(a LocalCluster of 2 single-threaded worker processes) -- one fresh Python process
runs the extraction, so that peak memory is that run's own:

* ``startup_s``: imports plus the first document (rule tables load lazily), or the
  cluster start and worker warm-up for dask; not part of the throughput;
* ``chars_per_s``: decoded characters of the corpus / wall time after start-up;
  ``per_core`` divides by the cores used (1, 2, 2); ``chars_per_cpu_s`` divides by the
  CPU seconds of the whole process tree instead (coordination included), which other
  load on the machine does not distort;
* ``peak_rss_*``: sampled over the process tree (see ``_common.MemorySampler``).

    uv run python benchmarks/bench_extract.py             # corpus, synth-50, synth-100
    uv run python benchmarks/bench_extract.py --quick     # corpus and a 5 MB synthetic corpus
    uv run python benchmarks/bench_extract.py --profile synth-50   # cProfile, top functions

Writes ``benchmarks/out/extract.json`` (and ``extract_profile.txt``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import (
    CORPUS,
    OUT,
    MemorySampler,
    Timer,
    cpu_seconds_tree,
    markdown_table,
    write_result,
)

MODES = ("serial", "workers2", "dask")
FULL = ("corpus", "synth-50", "synth-100")
QUICK = ("corpus", "synth-5")


def corpus_path(name: str) -> Path:
    """``corpus`` is the bundled corpus; ``synth-N`` an N MB synthetic one (made if missing)."""
    if name == "corpus":
        return CORPUS
    if name.startswith("synth-"):
        from synth import make_corpus

        folder = OUT / name
        make_corpus(folder, float(name.removeprefix("synth-")))
        return folder
    return Path(name)


def _files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.glob("*.txt"))


def _warm() -> float:
    """Import the pipeline and extract one small document: the start-up cost."""
    t = Timer()
    from defcoop.ingest import extract_path

    extract_path(str(sorted(CORPUS.glob("*.txt"))[0]))
    return t.seconds


def run_one(mode: str, folder: Path) -> dict[str, Any]:
    """One measurement in this process (the parent runs each in a fresh process)."""
    files = _files(folder)
    startup = _warm()
    from defcoop.ingest import Extracted, KnownContent, extract_path

    chars = nbytes = events = 0
    cores = 1 if mode == "serial" else 2
    sampler = MemorySampler()

    def count(item: Extracted) -> None:
        nonlocal chars, events
        if item.error:
            raise RuntimeError(f"{item.path}: {item.error}")
        assert item.doc is not None
        chars += len(item.doc.text)
        events += len(item.events)

    with sampler.running():
        if mode == "serial":
            t, cpu0 = Timer(), cpu_seconds_tree()
            for f in files:
                count(extract_path(f))
            seconds, cpu = t.seconds, cpu_seconds_tree() - cpu0
        elif mode == "workers2":
            from defcoop.ingest import _extract_parallel

            t, cpu0 = Timer(), cpu_seconds_tree()  # the pool starts here (fork: cheap)
            for item in _extract_parallel(files, KnownContent(), 2):
                count(item)
            seconds, cpu = t.seconds, cpu_seconds_tree() - cpu0
        elif mode == "dask":
            from distributed import Client, LocalCluster

            from defcoop.distributed import extract_dask

            t = Timer()
            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            client = Client(cluster)
            client.run(_warm)
            startup += t.seconds
            try:
                t, cpu0 = Timer(), cpu_seconds_tree()
                for item in extract_dask(files, client=client, send="paths"):
                    count(item)
                seconds, cpu = t.seconds, cpu_seconds_tree() - cpu0
            finally:
                client.close()
                cluster.close()
        else:
            raise SystemExit(f"unknown mode {mode}")
    nbytes = sum(Path(f).stat().st_size for f in files)
    return {
        "mode": mode,
        "files": len(files),
        "mb": round(nbytes / 1e6, 2),
        "chars": chars,
        "events": events,
        "startup_s": round(startup, 2),
        "seconds": round(seconds, 2),
        "chars_per_s": round(chars / seconds),
        "per_core": round(chars / seconds / cores),
        "cpu_s": round(cpu, 2),
        "chars_per_cpu_s": round(chars / cpu),
        "mb_per_s": round(nbytes / 1e6 / seconds, 3),
        "cores": cores,
        **sampler.to_dict(),
    }


def profile(folder: Path, top: int = 30) -> str:
    """cProfile of a serial run: the top functions by cumulative time."""
    files = _files(folder)
    _warm()
    from defcoop.ingest import extract_path

    prof = cProfile.Profile()
    prof.enable()
    for f in files:
        extract_path(f)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="corpus and synth-5 only")
    ap.add_argument("--corpora", help=f"comma-separated (default {','.join(FULL)})")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated executors")
    ap.add_argument("--profile", metavar="CORPUS", help="profile a serial run instead")
    ap.add_argument("--one", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.one:
        print(json.dumps(run_one(args.one[0], Path(args.one[1]))))
        return
    if args.profile:
        text = profile(corpus_path(args.profile))
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "extract_profile.txt").write_text(text, "utf-8")
        print(text)
        return
    corpora = args.corpora.split(",") if args.corpora else list(QUICK if args.quick else FULL)
    rows: list[dict[str, Any]] = []
    for name in corpora:
        folder = corpus_path(name)
        for mode in args.modes.split(","):
            proc = subprocess.run(
                [sys.executable, __file__, "--one", mode, str(folder)],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(f"{name}/{mode} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            row = {"corpus": name, **json.loads(proc.stdout.strip().splitlines()[-1])}
            rows.append(row)
            print(json.dumps(row), flush=True)
    write_result("extract", {"rows": rows, "target_per_core": 350_000})
    cols = ["corpus", "mode", "mb", "chars", "startup_s", "seconds", "chars_per_s", "per_core"]
    cols += ["chars_per_cpu_s"]
    print(markdown_table(rows, [*cols, "peak_rss_total_mb", "peak_rss_process_mb"]))


if __name__ == "__main__":
    main()
