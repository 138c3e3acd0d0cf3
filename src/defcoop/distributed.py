"""Distributed extraction on a Dask cluster (the optional ``defcoop[dask]`` extra).

``extract_dask(paths, known, ...)`` sends documents to a Dask distributed cluster,
runs the same pure stage as every other executor (``defcoop.ingest.extract_path``)
on the workers, and yields the picklable ``Extracted`` results *in input order* so
that the single writer (``write_extracted``) stores exactly what a serial run
stores: same documents, segments, events and ids.

* **Cluster.** ``scheduler="tcp://host:8786"`` uses a running cluster; without it a
  ``LocalCluster`` of single-threaded worker processes is started for the run and
  closed after it (extraction is CPU-bound Python: one thread per process).
* **What is sent.** ``send="paths"`` sends file paths (the workers must see the same
  files, e.g. a shared file system); ``send="bytes"`` reads each file on the client
  and sends its raw bytes, which a worker reads through the same reader as a file
  of the same name (for clusters without a shared file system). ``"auto"`` (the
  default) sends paths to a cluster started here and bytes to any other. A file the
  client cannot send (missing, too large, unsupported) fails exactly as it would in
  a serial run, without leaving the client.
* **Bounded memory.** Small files are batched into tasks of about ``batch_bytes``
  (256 KiB; a bigger file is a task of its own);
  at most two tasks per worker thread are in flight, so the client holds a bounded
  window of results whatever the corpus size.
* **Failures.** A bad file is a failed file, as everywhere. A task lost with its
  worker fails the files of that task ("dask failed: ..."); the others go on.

The workers must have the same version of defcoop installed; a mismatch is refused.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from defcoop import __version__
from defcoop.errors import DefcoopError
from defcoop.ingest import Extracted, KnownContent, extract_path
from defcoop.readers import SUPPORTED_SUFFIXES, max_file_bytes

__all__ = [
    "DEFAULT_BATCH_BYTES",
    "INSTALL_HINT",
    "DaskUnavailableError",
    "DistributedError",
    "extract_dask",
    "require_dask",
]

SendMode = Literal["auto", "paths", "bytes"]

#: Target raw size of one task: big enough that scheduling costs nothing, small
#: enough that a few tasks per worker keep every core busy.
DEFAULT_BATCH_BYTES = 256 << 10
#: At most this many files in one task (many tiny press releases).
MAX_FILES_PER_TASK = 64
#: Tasks in flight per worker thread.
WINDOW_PER_THREAD = 2
CONNECT_TIMEOUT_S = 15

INSTALL_HINT = (
    "the Dask executor needs the optional extra: pip install 'defcoop[dask]' "
    "(or: uv sync --extra dask)"
)


class DistributedError(DefcoopError):
    """The Dask cluster could not be used (no connection, version mismatch...)."""


class DaskUnavailableError(DistributedError):
    """``dask.distributed`` is not installed."""


def require_dask() -> ModuleType:
    """The ``distributed`` module, or ``DaskUnavailableError`` with the install hint."""
    try:
        import distributed
    except ImportError as err:
        raise DaskUnavailableError(INSTALL_HINT) from err
    return distributed


# -- what runs on the workers -------------------------------------------------------------------
@dataclass(slots=True, frozen=True)
class _Job:
    """One document to extract: a path the worker can open, or the file's raw bytes."""

    path: str
    data: bytes | None = None


def _run_job(job: _Job, known: KnownContent | None) -> Extracted:
    if job.data is None:
        return extract_path(job.path, known)
    # Same reader as a file on disk: a file of the same name (the name gives the doc key
    # and the reader), in a private temporary folder; the results name the original path.
    with tempfile.TemporaryDirectory(prefix="defcoop-dask-") as tmp:
        local = Path(tmp) / Path(job.path).name
        local.write_bytes(job.data)
        out = extract_path(str(local), known)
    out.path = job.path
    if out.doc is not None:
        out.doc.source_path = job.path
    return out


def extract_batch(jobs: Sequence[_Job], known: KnownContent | None) -> tuple[str, list[Extracted]]:
    """The task function: extract every job of the batch; tagged with this defcoop version."""
    return __version__, [_run_job(job, known) for job in jobs]


# -- the client side ----------------------------------------------------------------------------
def _sendable_size(path: str) -> int | None:
    """Size of ``path`` if the client can send it, None if it must fail locally."""
    if Path(path).suffix.lower() not in SUPPORTED_SUFFIXES:
        return None
    try:
        st = os.stat(path)
        limit = max_file_bytes(None, path)
    except (OSError, DefcoopError):
        return None
    if not Path(path).is_file() or st.st_size == 0 or st.st_size > limit:
        return None
    return st.st_size


def _plan(
    paths: Sequence[str], send: Literal["paths", "bytes"], batch_bytes: int
) -> Iterator[list[_Job] | str]:
    """Batches of jobs in input order; a bare path means "fail it locally, as serial would"."""
    batch: list[_Job] = []
    size = 0
    for path in paths:
        if send == "paths":
            try:
                n = os.stat(path).st_size
            except OSError:
                n = 0
            batch.append(_Job(path))
        else:
            n_or_none = _sendable_size(path)
            data: bytes | None = None
            if n_or_none is not None:
                try:
                    data = Path(path).read_bytes()
                except OSError:
                    data = None
            if data is None:
                if batch:
                    yield batch
                    batch, size = [], 0
                yield path
                continue
            n = len(data)
            batch.append(_Job(path, data))
        size += n
        if size >= batch_bytes or len(batch) >= MAX_FILES_PER_TASK:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _start_client(scheduler: str | None, workers: int | None) -> tuple[Any, Any | None]:
    """(client, cluster we own or None)."""
    dist = require_dask()
    if scheduler:
        try:
            client = dist.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as err:
            raise DistributedError(
                f"cannot connect to the Dask scheduler at {scheduler}: {err}"
            ) from err
        return client, None
    n = workers if workers and workers > 0 else (os.cpu_count() or 1)
    cluster = dist.LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: never clash with a running cluster
    )
    try:
        client = dist.Client(cluster)
    except Exception:
        cluster.close()
        raise
    return client, cluster


def extract_dask(
    paths: Sequence[str],
    known: KnownContent | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    send: SendMode = "auto",
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    client: Any | None = None,
) -> Iterator[Extracted]:
    """Extract ``paths`` on a Dask cluster; results in input order (see the module doc).

    ``client``: an existing ``distributed.Client`` to use (left open). Otherwise one is
    made for ``scheduler`` or for a ``LocalCluster`` of ``workers`` processes (default:
    one per core), and closed when the iteration ends. Set-up errors (dask missing, no
    connection) are raised here, before the first result.
    """
    paths = list(paths)
    if not paths:
        return iter(())
    require_dask()
    owned_cluster: Any | None = None
    if client is None:
        client, owned_cluster = _start_client(scheduler, workers)
        own_client = True
    else:
        own_client = False
    if send == "auto":
        send = "paths" if owned_cluster is not None else "bytes"
    return _results(client, own_client, owned_cluster, paths, known, send, batch_bytes)


def _failed(path: str, err: BaseException) -> Extracted:
    return Extracted(path, error=f"dask failed: {type(err).__name__}: {err}")


def _results(
    client: Any,
    own_client: bool,
    cluster: Any | None,
    paths: list[str],
    known: KnownContent | None,
    send: Literal["paths", "bytes"],
    batch_bytes: int,
) -> Iterator[Extracted]:
    pending: deque[tuple[Any, list[str]]] = deque()  # (future or local result, paths)
    try:
        threads = max(1, sum(client.nthreads().values()))
        window = WINDOW_PER_THREAD * threads
        # One copy of the content snapshot per worker, not one per task.
        known_ref = client.scatter(known, broadcast=True, hash=False) if known else None
        plan = _plan(paths, send, batch_bytes)

        def submit_next() -> bool:
            step = next(plan, None)
            if step is None:
                return False
            if isinstance(step, str):
                pending.append((extract_path(step, known), [step]))
            else:
                fut = client.submit(extract_batch, step, known_ref, pure=False)
                pending.append((fut, [j.path for j in step]))
            return True

        while len(pending) < window and submit_next():
            pass
        while pending:
            head, names = pending.popleft()
            if isinstance(head, Extracted):
                yield head
            else:
                try:
                    version, items = head.result()
                except (KeyboardInterrupt, SystemExit, GeneratorExit):
                    raise
                except BaseException as err:  # worker lost, task cancelled (a BaseException)...
                    items, version = [_failed(p, err) for p in names], __version__
                if version != __version__:
                    raise DistributedError(
                        f"a Dask worker runs defcoop {version}, this client {__version__}: "
                        "install the same version on every worker"
                    )
                yield from items
            while len(pending) < window and submit_next():
                pass
    finally:
        for fut, _names in pending:
            if not isinstance(fut, Extracted):
                fut.cancel()
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
