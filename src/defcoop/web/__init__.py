"""The web application: JSON API under ``/api/`` and server-rendered pages.

``create_app(store, public=False, ...)`` builds the FastAPI app (see
:mod:`defcoop.web.app`); ``defcoop serve`` and ``defcoop demo`` run it with uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from defcoop.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from defcoop.web.app import create_app

        return create_app
    raise AttributeError(name)
