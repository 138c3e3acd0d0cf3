"""Ingestion: read -> segment -> extract -> store, one transaction per document.

The work is split in two stages so that extraction can run in worker processes
while a single writer stores the results in input order:

* ``extract_path(path, known)`` is pure: it returns plain, picklable data
  (``Extracted``) and never touches the store;
* ``write_extracted(store, item)`` writes one document version in one
  transaction; on any error it rolls back and reports the file as failed.

A file that fails at any stage is reported (``path: reason``) and the others go on.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from time import perf_counter
from typing import Any

from defcoop.errors import ReadError
from defcoop.extract import extract_document
from defcoop.readers import iter_paths, read_path
from defcoop.records import Document, Event, Segment
from defcoop.segment import segment as segment_document
from defcoop.store import Store
from defcoop.store.documents import content_hash_of

#: ``progress(done, total, path)`` is called after each file.
ProgressHook = Callable[[int, int, str], None]

STATUSES = ("new", "updated", "unchanged", "failed")
#: Where extraction runs: this machine (serial or ``workers`` processes) or a Dask cluster.
EXECUTORS = ("local", "dask")


@dataclass(slots=True, frozen=True)
class KnownContent:
    """Snapshot of stored content hashes -> (doc key, is current), picklable for workers.

    A file whose content is already the current version of its key (or stored under
    another key) is not segmented or extracted again.
    """

    hashes: dict[str, tuple[str, bool]] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store) -> KnownContent:
        return cls(store.stored_contents())

    def unchanged(self, doc_key: str, content_hash: str) -> bool:
        found = self.hashes.get(content_hash)
        return found is not None and (found[0] != doc_key or found[1])


@dataclass(slots=True)
class Extracted:
    """What the read/segment/extract stage produced for one file (plain data)."""

    path: str
    doc: Document | None = None
    segments: list[Segment] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    skipped: bool = False  # content already stored: not segmented nor extracted
    error: str | None = None  # the reason; the path is ``path``
    seconds: float = 0.0


@dataclass(slots=True)
class FileOutcome:
    path: str
    status: str  # new | updated | unchanged | failed
    doc_key: str | None = None
    version: int | None = None
    segments_by_kind: dict[str, int] = field(default_factory=dict)
    events: int = 0
    error: str | None = None
    note: str = ""


@dataclass(slots=True)
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def documents(self) -> dict[str, int]:
        """Files by status: new, updated, unchanged, failed."""
        return {s: self.count(s) for s in STATUSES}

    @property
    def changes(self) -> int:
        return self.count("new") + self.count("updated")

    @property
    def segments_by_kind(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.segments_by_kind)
        return dict(sorted(total.items()))

    @property
    def events(self) -> int:
        return sum(f.events for f in self.files)

    @property
    def errors(self) -> list[tuple[str, str]]:
        return [(f.path, f.error or "") for f in self.files if f.status == "failed"]

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "segments_by_kind": self.segments_by_kind,
            "events": self.events,
            "errors": [{"path": p, "reason": r} for p, r in self.errors],
            "seconds": round(self.seconds, 3),
            "files": [asdict(f) for f in self.files],
        }


def _reason(stage: str, err: BaseException) -> str:
    return f"{stage} failed: {type(err).__name__}: {err}"


def extract_path(path: str, known: KnownContent | None = None) -> Extracted:
    """Read, segment and extract one file. Never raises for a bad file; never stores."""
    t0 = perf_counter()
    out = Extracted(path)
    try:
        doc = read_path(path)
    except ReadError as err:
        out.error = err.reason
        return out
    except Exception as err:  # a reader bug must not stop the other files
        out.error = _reason("read", err)
        return out
    doc.content_hash = content_hash_of(doc)
    out.doc = doc
    if known is not None and known.unchanged(doc.doc_id, doc.content_hash):
        out.skipped = True
        doc.text = ""  # not needed any more; keep what crosses processes small
        return out
    stage = "segment"
    try:
        out.segments = segment_document(doc)
        stage = "extract"
        out.events = extract_document(doc, out.segments)
    except Exception as err:
        out.error = _reason(stage, err)
        out.segments, out.events = [], []
    out.seconds = perf_counter() - t0
    return out


def write_extracted(store: Store, item: Extracted) -> FileOutcome:
    """Store one extraction in one transaction (the single-writer step)."""
    if item.error is not None or item.doc is None:
        return FileOutcome(item.path, "failed", error=item.error or "nothing read")
    if item.skipped:
        return FileOutcome(item.path, "unchanged", doc_key=item.doc.doc_id)
    try:
        res = store.write_document(item.doc, item.segments, item.events)
    except Exception as err:  # the session rolled back: nothing of this file is stored
        return FileOutcome(
            item.path, "failed", doc_key=item.doc.doc_id, error=_reason("store", err)
        )
    written = res.status != "unchanged"
    return FileOutcome(
        item.path,
        res.status,
        doc_key=res.doc_key,
        version=res.version,
        segments_by_kind=res.segments_by_kind if written else {},
        events=res.events if written else 0,
        note=res.note,
    )


def _extract_serial(paths: list[str], known: KnownContent) -> Iterator[Extracted]:
    for p in paths:
        yield extract_path(p, known)


def _extract_parallel(paths: list[str], known: KnownContent, workers: int) -> Iterator[Extracted]:
    """Results in input order, with at most ``2 * workers`` files in flight (bounded memory)."""
    window = 2 * workers
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[Extracted]] = []
        it = iter(paths)
        for p in it:
            pending.append(pool.submit(extract_path, p, known))
            if len(pending) >= window:
                break
        while pending:
            item = pending.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(extract_path, nxt, known))
            yield item


def ingest_paths(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    progress: ProgressHook | None = None,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
) -> IngestReport:
    """Ingest files and folders into ``store``; see the module docstring.

    ``executor="dask"`` extracts on a Dask cluster (``defcoop.distributed``): the one at
    ``scheduler``, or a local cluster of ``workers`` processes (one per core when 1).
    """
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r} (use one of {', '.join(EXECUTORS)})")
    if scheduler and executor != "dask":
        raise ValueError("a scheduler address needs executor='dask'")
    t0 = perf_counter()
    files = [os.fspath(p) for p in iter_paths(paths)]
    known = KnownContent.from_store(store)
    items: Iterator[Extracted]
    if executor == "dask":
        from defcoop.distributed import extract_dask  # optional extra, imported on demand

        local_workers = workers if workers > 1 else None
        items = extract_dask(files, known, scheduler=scheduler, workers=local_workers)
    else:
        items = (
            _extract_parallel(files, known, workers)
            if workers > 1 and len(files) > 1
            else _extract_serial(files, known)
        )
    report = IngestReport()
    for done, item in enumerate(items, 1):
        report.files.append(write_extracted(store, item))
        if progress is not None:
            progress(done, len(files), item.path)
    # Registry, dedup, people/tenures, axes follow the documents: after this run's
    # changes, and after an earlier run that was killed before it got here.
    pending = store.kb_pending()
    if report.changes or pending:
        from defcoop.kb.resolve import resolve

        resolve(store)
        store.clear_kb_pending(pending)
    report.seconds = perf_counter() - t0
    return report
