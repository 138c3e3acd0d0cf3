"""Shared helpers of the benchmark scripts: machine facts, peak memory, percentiles, output.

Results go to ``benchmarks/out/<name>.json`` (gitignored) with the machine they ran on.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
CORPUS = ROOT / "examples" / "corpus"

try:  # psutil sees worker processes too; it comes with dask[distributed]
    import psutil
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None


def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM, Python and OS: printed with every result."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
                break
    except OSError:
        pass
    return {
        "commit": _commit(),
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(ram / 2**30, 1),
        "python": sys.version.split()[0],
        "os": platform.platform(),
    }


def _commit() -> str:
    """The commit measured (``+dirty`` when the work tree has changes)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + ("+dirty" if dirty else "")


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "max_ms": round(max(ms), 3),
    }


def self_peak_rss_mb() -> float:
    """Peak resident set of this process so far (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class MemorySampler:
    """Peak RSS of this process and all its descendants, sampled every ``interval`` s.

    ``peak_total_mb`` sums the tree (pages shared by forked children counted once
    per process: an upper bound); ``peak_process_mb`` is the largest single process.
    Without psutil only this process's own peak (getrusage) is known.
    """

    interval: float = 0.1
    peak_total_mb: float = 0.0
    peak_process_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def _sample(self) -> None:
        if psutil is None:
            return
        me = psutil.Process()
        while not self._stop.is_set():
            total = biggest = 0.0
            try:
                procs = [me, *me.children(recursive=True)]
            except psutil.Error:
                procs = [me]
            for proc in procs:
                try:
                    rss = proc.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                total += rss
                biggest = max(biggest, rss)
            self.peak_total_mb = max(self.peak_total_mb, total)
            self.peak_process_mb = max(self.peak_process_mb, biggest)
            self._stop.wait(self.interval)

    @contextmanager
    def running(self) -> Iterator[MemorySampler]:
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            own = self_peak_rss_mb()
            self.peak_process_mb = max(self.peak_process_mb, own)
            self.peak_total_mb = max(self.peak_total_mb, own)

    def to_dict(self) -> dict[str, Any]:
        return {
            "peak_rss_total_mb": round(self.peak_total_mb, 1),
            "peak_rss_process_mb": round(self.peak_process_mb, 1),
            "sampler": "psutil" if psutil is not None else "getrusage",
        }


def cpu_seconds_tree() -> float:
    """CPU seconds (user + system) used so far by this process and its descendants,
    reaped or alive: a contention-proof measure of work, unlike wall time."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    dead = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + dead.ru_utime + dead.ru_stime
    if psutil is not None:
        try:
            live = psutil.Process().children(recursive=True)
        except psutil.Error:
            live = []
        for proc in live:
            try:
                t = proc.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system + t.children_user + t.children_system
    return total


class Timer:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.t0


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """``benchmarks/out/<name>.json`` with the machine added."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    data = {
        "benchmark": name,
        "machine": machine(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        **payload,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A GitHub Markdown table of ``rows`` (missing cells empty)."""
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
