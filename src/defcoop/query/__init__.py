"""The one query layer over the store, used by the CLI, the Python API and the web.

Public API (stable; the web calls it):

.. code-block:: python

    from defcoop.query import EventQuery, search_events, facets, get_event

    q = EventQuery.build(partner="PHL", since="2024-01", level="ministers")
    page = search_events(store, q)           # Page[EventRow]: .items, .total, .page, .pages
    counts = facets(store, q)                # Facets: .kind .partner .year .level .state
    detail = get_event(store, page.items[0].id)   # EventDetail | None

* ``EventQuery`` (frozen dataclass) — every filter, the sort and the page; build it
  from loose values with ``EventQuery.build(**filters)`` (strings, comma lists, lists;
  ``q=`` is an alias of ``text=``) or from web parameters with
  ``EventQuery.from_mapping(request.query_params)``. Bad values raise ``QueryError``
  (a ``ValueError``) with a message fit for users. See its docstring for semantics.
* ``search_events(store, q=None, **filters) -> Page[EventRow]``
* ``facets(store, q=None, **filters) -> Facets`` — SQL ``GROUP BY`` on indexed columns.
* ``get_event(store, id) -> EventDetail | None`` — participants, evidence spans with
  the source paragraph text, framework links (stored, else computed).
* ``iter_events(store, q=None) -> list[EventRow]`` — every matching row, unpaged.
* ``source_sentences(store, ids) -> dict[id, str]`` — the source sentence of each event.
* ``compile_filters(session, q) -> list[SQL condition]`` — for callers (analytics,
  exports) that aggregate over the same filtered set inside their own SQL.
* Levels and services: ``LEVELS``, ``SERVICES``, ``LEVEL_WEIGHTS``, ``level_of(role)``,
  ``service_of(role)`` — see :mod:`defcoop.query.levels` for the mapping.
* Records: ``EventRow``, ``Page``, ``Facets``, ``EventDetail``, ``EvidenceView``,
  ``ParticipantView``, ``LinkView``; each has ``to_dict()`` (JSON-ready).

Defaults: rejected events and events merged into another are left out (ask
``state="all"`` / ``include_merged=True``); sort ``date`` (earliest first, undated
last); page 1 of 50 rows (``limit=None`` for every row).
"""

from defcoop.query.events import (
    KINDS,
    compile_filters,
    facets,
    get_event,
    iter_events,
    search_events,
    source_sentences,
)
from defcoop.query.levels import (
    ALL_LEVELS,
    LEVEL_WEIGHTS,
    LEVELS,
    SERVICES,
    level_of,
    service_of,
)
from defcoop.query.model import (
    SORT_KEYS,
    EventDetail,
    EventQuery,
    EventRow,
    EvidenceView,
    Facets,
    LinkView,
    Page,
    ParticipantView,
    QueryError,
)

__all__ = [
    "ALL_LEVELS",
    "KINDS",
    "LEVELS",
    "LEVEL_WEIGHTS",
    "SERVICES",
    "SORT_KEYS",
    "EventDetail",
    "EventQuery",
    "EventRow",
    "EvidenceView",
    "Facets",
    "LinkView",
    "Page",
    "ParticipantView",
    "QueryError",
    "compile_filters",
    "facets",
    "get_event",
    "iter_events",
    "level_of",
    "search_events",
    "service_of",
    "source_sentences",
]
