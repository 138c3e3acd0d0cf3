"""Run every benchmark, then write their results as one Markdown report.

    uv run python benchmarks/run_all.py            # full: synthetic corpora of 50 and 100 MB,
                                                   # 10^4..10^6 events (about an hour on 2 cores)
    uv run python benchmarks/run_all.py --quick    # minutes: small corpora, up to 10^5 events
    uv run python benchmarks/run_all.py --report   # only rebuild the report from benchmarks/out

Each script writes ``benchmarks/out/<name>.json``; the report is
``benchmarks/out/summary.md``. ``make bench`` runs the full set.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import OUT, machine, markdown_table

HERE = Path(__file__).resolve().parent
SCRIPTS = ("bench_extract", "bench_ingest", "bench_query", "bench_api")


def _load(name: str) -> dict[str, Any] | None:
    path = OUT / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _growth(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """One row per (backend, query): p95 at each size and the 10^4 -> 10^6 factor."""
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        if key not in r:
            continue
        cell = table.setdefault(
            (r["backend"], r["query"]), {"backend": r["backend"], "query": r["query"]}
        )
        cell[f"{r['events']:.0e}".replace("+0", "")] = r[key]
    for cell in table.values():
        sizes = [k for k in cell if k not in ("backend", "query")]
        if len(sizes) >= 2 and cell[sizes[0]]:
            cell["growth"] = f"x{cell[sizes[-1]] / cell[sizes[0]]:.1f}"
    return list(table.values())


def report() -> str:
    parts = ["# Benchmark results", ""]
    m = machine()
    parts.append(
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, "
        f"Python {m['python']}, commit {m['commit']}."
    )
    extract = _load("extract")
    if extract:
        parts += ["", "## Extraction (read + segment + extract, no store)", ""]
        cols = ["corpus", "mode", "mb", "chars", "startup_s", "seconds", "chars_per_s"]
        cols += ["per_core", "chars_per_cpu_s", "peak_rss_total_mb", "peak_rss_process_mb"]
        parts.append(markdown_table(extract["rows"], cols))
        parts.append(f"\nTarget: {extract['target_per_core']:,} chars/s per core.")
    for name in ("ingest", "ingest_kb"):
        ingest = _load(name)
        if not ingest:
            continue
        parts += ["", f"## Ingest (read -> store): {name}.json", ""]
        cols = ["corpus", "backend", "mode", "mb", "seconds", "kb_s", "mb_per_s", "events"]
        cols += ["events_per_s", "s_per_100mb", "writer_cpu_s", "workers_cpu_s"]
        cols += ["peak_rss_total_mb"]
        parts.append(markdown_table(ingest["rows"], cols))
        target = ingest["target_s_per_100mb"]
        parts.append(f"\nTarget: 100 MB in {target:.0f} s on 2 cores, < 1 GB.")
    query = _load("query")
    if query:
        parts += ["", "## Query latency (ms)", ""]
        cols = ["backend", "events", "query", "p50_ms", "p95_ms", "max_ms", "cpu_p95_ms"]
        cols += ["meets_target"]
        parts.append(markdown_table(query["rows"], cols))
        for key in ("p50_ms", "p95_ms"):
            growth = _growth(query["rows"], key)
            if growth:
                parts += ["", f"### {key[:3]} by size (ms) and growth", ""]
                parts.append(markdown_table(growth, list(growth[0].keys())))
        parts.append(f"\nTarget: p95 <= {query['target_p95_ms']:.0f} ms at 10^6 events.")
    api = _load("api")
    if api:
        parts += ["", "## API under concurrent clients", ""]
        if "skipped" in api:
            parts.append(f"Skipped: {api['skipped']}")
        else:
            cols = ["path", "clients", "requests", "errors", "rps", "p50_ms", "p95_ms"]
            parts.append(markdown_table(api["rows"], [*cols, "server_rss_mb"]))
    return "\n".join(parts) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (minutes)")
    ap.add_argument("--report", action="store_true", help="only rebuild the report")
    ap.add_argument("--only", help=f"comma-separated subset of {', '.join(SCRIPTS)}")
    args = ap.parse_args()
    failed = []
    if not args.report:
        for name in args.only.split(",") if args.only else SCRIPTS:
            cmd = [sys.executable, str(HERE / f"{name}.py"), *(["--quick"] if args.quick else [])]
            print(f"== {name}", flush=True)
            if subprocess.run(cmd, check=False).returncode != 0:
                failed.append(name)
    text = report()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.md").write_text(text, "utf-8")
    print(text)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
