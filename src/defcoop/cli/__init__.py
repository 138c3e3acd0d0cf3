"""Command-line interface: thin commands over the library.

Each command lives in its own module in this package and registers itself on
``defcoop.cli.app.app``; importing the package loads all of them.
"""

from __future__ import annotations

import importlib
import pkgutil

from defcoop.cli.app import app

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _mod != "app" and not _mod.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod}")


def main() -> None:
    app()


__all__ = ["app", "main"]
