"""API throughput and latency under 50 concurrent clients, on loopback only.

Starts the web app (``defcoop serve --host 127.0.0.1 --port P --public`` on a free port:
anonymous read access, or the
ASGI app named by ``--app`` under uvicorn, ``--factory`` if it is a factory) over a store filled with the bundled corpus (or with
``--events N`` synthetic events, as in ``bench_query.py``), then for each endpoint
runs ``--clients`` concurrent clients (asyncio + httpx, keep-alive) that send
requests back to back for ``--seconds`` seconds or ``--requests`` requests in all,
whichever comes first. Reports requests/s, p50/p95/max latency, errors, and the
server's peak memory. ``--url`` measures a server that is already running instead.
Every request goes to 127.0.0.1; the loops are bounded and stop by themselves.

    uv run python benchmarks/bench_api.py                       # corpus, 50 clients
    uv run python benchmarks/bench_api.py --events 100000       # synthetic store
    uv run python benchmarks/bench_api.py --url http://127.0.0.1:8000 --paths /api/events

When the web app cannot be started (not built yet), the script says so and records
``"skipped"`` in ``benchmarks/out/api.json`` (exit status 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _common import CORPUS, Timer, latency_summary, markdown_table, write_result

#: Endpoints tried by default: pages and JSON API routes of PRODUCT.md section 3.
DEFAULT_PATHS = (
    "/api/health",
    "/api/events",
    "/api/events?partner=PHL&since=2024",
    "/api/facets",
    "/api/search?q=共同訓練",
    "/",
    "/search?q=共同訓練",
)
STARTUP_TIMEOUT_S = 60.0

try:
    import psutil
except ImportError:  # pragma: no cover
    psutil = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit(f"{url}: only loopback addresses are measured")
    return url.rstrip("/")


def fill_store(url: str, events: int) -> None:
    from defcoop.store import Store

    with Store.open(url) as store:
        if events:
            from bench_query import Generator, load

            load(store, Generator(), 0, events)
        else:
            from defcoop.ingest import ingest_paths

            ingest_paths(store, [CORPUS])


@contextlib.contextmanager
def server(
    db_url: str, app: str | None, factory: bool
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A server on a free loopback port; yields (base URL, process)."""
    port = _free_port()
    env = {**os.environ, "DEFCOOP_DB": db_url}
    if app:
        cmd = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--log-level", "warning", *(["--factory"] if factory else [])]
    else:
        exe = shutil.which("defcoop") or str(Path(sys.executable).with_name("defcoop"))
        cmd = [exe, "serve", "--host", "127.0.0.1", "--port", str(port), "--public"]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
        try:
            _wait_listening(proc, port, log, cmd)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_listening(proc: subprocess.Popen[bytes], port: int, log: Any, cmd: list[str]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise RuntimeError(f"{' '.join(cmd[:3])}... exited: " + " | ".join(tail))
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server did not listen on port {port} within {STARTUP_TIMEOUT_S:.0f} s")


async def hammer(
    base: str, path: str, clients: int, seconds: float, max_requests: int
) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    sent = 0
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        await client.get(path)  # warm-up (and fail early on a bad path)

        async def worker() -> None:
            nonlocal errors, sent
            while time.monotonic() < stop_at and sent < max_requests:
                sent += 1
                t = time.perf_counter()
                try:
                    resp = await client.get(path)
                    ok = resp.status_code < 400
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t)
                errors += not ok

        wall = Timer()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = wall.seconds
    return {
        "path": path,
        "clients": clients,
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 1),
        **latency_summary(latencies),
    }


def _peak_rss_mb(proc: subprocess.Popen[bytes]) -> float | None:
    if psutil is None:
        return None
    try:
        p = psutil.Process(proc.pid)
        return round(sum(q.memory_info().rss for q in [p, *p.children(True)]) / 2**20, 1)
    except psutil.Error:
        return None


def measure(
    base: str,
    paths: Sequence[str],
    clients: int,
    seconds: float,
    requests: int,
    proc: subprocess.Popen[bytes] | None,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        try:
            row = asyncio.run(hammer(base, path, clients, seconds, requests))
        except Exception as err:  # a route the app does not have: say so, go on
            row = {"path": path, "error": f"{type(err).__name__}: {err}"}
        if proc is not None:
            row["server_rss_mb"] = _peak_rss_mb(proc)
        rows.append(row)
        print(row, flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="5 s per endpoint")
    ap.add_argument("--url", help="a running server on loopback (no store is made)")
    ap.add_argument(
        "--app", help="ASGI app for uvicorn instead of `defcoop serve`, e.g. defcoop.web:app"
    )
    ap.add_argument("--factory", action="store_true", help="--app names a factory function")
    ap.add_argument("--paths", help="comma-separated endpoints (default: pages and API)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=15.0, help="per endpoint")
    ap.add_argument("--requests", type=int, default=20_000, help="per endpoint, at most")
    ap.add_argument("--events", type=int, default=0, help="synthetic events instead of corpus")
    args = ap.parse_args()
    paths = args.paths.split(",") if args.paths else list(DEFAULT_PATHS)
    seconds = 5.0 if args.quick else args.seconds
    meta = {"clients": args.clients, "seconds_per_path": seconds}
    if args.url:
        rows = measure(_loopback(args.url), paths, args.clients, seconds, args.requests, None)
    else:
        with tempfile.TemporaryDirectory(prefix="defcoop-api-") as tmp:
            db_url = f"sqlite:///{tmp}/api.db"
            fill_store(db_url, args.events)
            try:
                with server(db_url, args.app, args.factory) as (base, proc):
                    rows = measure(base, paths, args.clients, seconds, args.requests, proc)
            except RuntimeError as err:
                print(f"skipped: the web app could not be started ({err})")
                write_result("api", {"skipped": str(err), **meta})
                return
    write_result("api", {"rows": rows, **meta})
    print(
        markdown_table(rows, ["path", "clients", "requests", "errors", "rps", "p50_ms", "p95_ms"])
    )


if __name__ == "__main__":
    main()
