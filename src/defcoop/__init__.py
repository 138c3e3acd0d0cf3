"""defcoop: defense cooperation and exchanges, from official texts to a verified record.

The Python API (``defcoop.open_store``, ``ingest``, ``events``, ``event``, ``facets``,
``stats``, ``network``, ``report``, ``export``) lives in :mod:`defcoop.api` and is
imported on first use, so that ``import defcoop.extract`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = ("open_store", "ingest", "events", "event", "facets", "stats", "network", "report", "export")

if TYPE_CHECKING:
    from defcoop.api import event, events, export, facets, ingest, network, open_store, report, stats


def __getattr__(name: str) -> Any:
    if name in _API:
        from defcoop import api

        return getattr(api, name)
    raise AttributeError(f"module 'defcoop' has no attribute {name!r}")


__all__ = ["__version__", *_API]
