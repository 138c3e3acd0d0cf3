"""The store: SQLite or PostgreSQL behind one ``Store`` object.

``Store.open()`` picks the database from ``DEFCOOP_DB`` and applies the packaged
Alembic migrations. The store never imports the interfaces (cli, web, report).
"""

from defcoop.store.core import Store
from defcoop.store.engine import DEFAULT_URL, ENV_VAR, resolve_url
from defcoop.store.ids import event_identity, event_ids
from defcoop.store.views import (
    DocumentSummary,
    DocumentView,
    EventSync,
    SearchHit,
    SegmentView,
    StoreCounts,
    WriteResult,
)

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "DocumentSummary",
    "DocumentView",
    "EventSync",
    "SearchHit",
    "SegmentView",
    "Store",
    "StoreCounts",
    "WriteResult",
    "event_identity",
    "event_ids",
    "resolve_url",
]
