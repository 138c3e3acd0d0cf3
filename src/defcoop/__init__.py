"""defcoop: defense cooperation and exchanges, from official texts to a verified record.

The Python API (``defcoop.open_store``, ``ingest``, ``events``, ``event``, ``facets``,
``stats``, ``network``, ``report``, ``export``) lives in :mod:`defcoop.api` and is
imported on first use, so that ``import defcoop.extract`` stays light.

Two API names are also subpackages (``defcoop.ingest``, ``defcoop.report``). Python
sets a subpackage as an attribute of its parent once it is imported, which would hide
the function; the package therefore keeps such an attribute callable: calling it runs
the API function, any other attribute comes from the module.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = ("open_store", "ingest", "events", "event", "facets", "stats", "network", "report", "export")

if TYPE_CHECKING:
    from defcoop.api import event, events, export, facets, network, open_store, stats


class _CallableModule:
    """A module (``defcoop.ingest``, ``defcoop.report``) that is also the API function."""

    __slots__ = ("__wrapped_module__", "_name")

    def __init__(self, module: types.ModuleType, name: str) -> None:
        object.__setattr__(self, "__wrapped_module__", module)
        object.__setattr__(self, "_name", name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from defcoop import api

        return getattr(api, self._name)(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.__wrapped_module__, attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self.__wrapped_module__, attr, value)

    def __dir__(self) -> list[str]:
        return dir(self.__wrapped_module__)

    def __repr__(self) -> str:
        return f"<defcoop.{self._name}: module {self.__wrapped_module__.__name__} and API function>"


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            value = _CallableModule(value, name)
        super().__setattr__(name, value)


def __getattr__(name: str) -> Any:
    if name in _API:
        from defcoop import api

        return getattr(api, name)
    raise AttributeError(f"module 'defcoop' has no attribute {name!r}")


sys.modules[__name__].__class__ = _Package

__all__ = [
    "__version__",
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
