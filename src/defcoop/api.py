"""The Python API: the same operations as the CLI, on the same query layer.

.. code-block:: python

    import defcoop

    store = defcoop.open_store("sqlite:///defcoop.db")   # or None: $DEFCOOP_DB
    defcoop.ingest(["examples/corpus"])
    page = defcoop.events(partner="PHL", since="2024-01", level="ministers")
    for e in page:
        print(e.date, e.kind, e.partners, e.jp_role)
    defcoop.facets(partner="PHL").level                  # {'ministers': 6, ...}
    defcoop.report("partner", "IND", path="india.html")  # + india.kinds.png/.svg
    defcoop.export("out/", fmt="parquet", since="2024")

Every function takes ``store=`` (a :class:`defcoop.store.Store`); without it the store
last opened with ``open_store`` is used, or ``$DEFCOOP_DB`` is opened on first use.
Filters are those of :class:`defcoop.query.EventQuery`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from defcoop.ingest import IngestReport, ingest_paths
from defcoop.query import (
    EventDetail,
    EventQuery,
    EventRow,
    Facets,
    Page,
    QueryError,
    get_event,
    search_events,
)
from defcoop.query import analytics as _an
from defcoop.query import facets as _facets
from defcoop.store import Store

_default: Store | None = None


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and migrate) the store at ``url`` (default ``$DEFCOOP_DB`` or
    ``sqlite:///defcoop.db``); it becomes the default store of this module."""
    global _default
    _default = Store.open(url, migrate=migrate)
    return _default


def _store(store: Store | None) -> Store:
    if store is not None:
        return store
    return _default if _default is not None else open_store()


def ingest(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    store: Store | None = None,
    workers: int = 1,
) -> IngestReport:
    """Read files or folders into the store (idempotent); see ``defcoop ingest``."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    return ingest_paths(_store(store), items, workers=workers)


def events(
    *, store: Store | None = None, q: EventQuery | None = None, **filters: Any
) -> Page[EventRow]:
    """One page of events (``limit=None`` for all): ``defcoop.events(partner="IND", kind="exercise")``."""
    return search_events(_store(store), q if q is not None else EventQuery.build(**filters))


def event(event_id: str, *, store: Store | None = None) -> EventDetail | None:
    """One event with participants, evidence (source paragraphs) and framework links."""
    return get_event(_store(store), event_id)


def facets(*, store: Store | None = None, q: EventQuery | None = None, **filters: Any) -> Facets:
    """Counts of the matching events by kind, partner, year, level and state."""
    return _facets(_store(store), q if q is not None else EventQuery.build(**filters))


def stats(
    by: str | Sequence[str] = ("year", "partner"),
    *,
    store: Store | None = None,
    q: EventQuery | None = None,
    **filters: Any,
) -> list[_an.CountRow]:
    """Event counts grouped by dimensions (year, month, partner, region, kind, level, state)."""
    return _an.counts(_store(store), by, q if q is not None else EventQuery.build(**filters))


def network(*, store: Store | None = None, min_partners: int = 2, **filters: Any) -> Any:
    """The co-participation graph (networkx) of multilateral events."""
    return _an.network(_store(store), EventQuery.build(**filters), min_partners=min_partners)


def report(
    kind: str,
    subject: str | int,
    *,
    store: Store | None = None,
    path: str | os.PathLike[str] | None = None,
    fmt: str | None = None,
    since: str | None = None,
    until: str | None = None,
    as_of: str | None = None,
) -> Any:
    """``report("partner", "IND")`` or ``report("period", 2024)``.

    Without ``path`` the report data is returned (``PartnerProfile`` / ``PeriodOverview``);
    with it the report is written (md, html or xlsx, by ``fmt`` or suffix, charts beside
    it) and the list of written paths is returned.
    """
    from defcoop.report import partner_profile, period_overview, write_report

    st = _store(store)
    if kind == "partner":
        data: Any = partner_profile(st, str(subject), since=since, until=until, as_of=as_of)
    elif kind == "period":
        data = period_overview(st, subject, since=since, until=until)
    else:
        raise QueryError(f"report kind {kind!r}: use 'partner' or 'period'")
    if path is None:
        return data
    return write_report(data, Path(path), fmt)


def export(
    dest: str | os.PathLike[str],
    *,
    store: Store | None = None,
    tables: Iterable[str] | None = None,
    fmt: str = "csv",
    **filters: Any,
) -> list[Path]:
    """Write export tables to the folder ``dest`` (see :mod:`defcoop.exports`)."""
    from defcoop import exports as ex

    return ex.export(
        _store(store),
        Path(dest),
        tables=tuple(tables) if tables is not None else ex.TABLES,
        fmt=fmt,
        q=EventQuery.build(**filters),
    )


__all__ = [
    "event",
    "events",
    "export",
    "facets",
    "ingest",
    "network",
    "open_store",
    "report",
    "stats",
]
