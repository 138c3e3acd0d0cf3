"""Where the bundled sample corpus is.

``corpus_path()`` looks, in order, at:

1. ``DEFCOOP_CORPUS`` (a folder), when set;
2. ``examples/corpus`` of the source tree this package is imported from
   (a clone, an editable install, ``uv run``);
3. ``defcoop/data/corpus`` inside the installed package (a wheel that ships
   the corpus as package data).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from defcoop.errors import DefcoopError

ENV_VAR = "DEFCOOP_CORPUS"

__all__ = ["ENV_VAR", "corpus_path"]


def _candidates() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    here = Path(__file__).resolve()
    out.append(("source tree", here.parents[2] / "examples" / "corpus"))
    try:
        packaged = resources.files("defcoop").joinpath("data", "corpus")
        out.append(("package data", Path(str(packaged))))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - zipped or odd installs
        pass
    return out


def corpus_path() -> Path:
    """The folder of the bundled corpus; ``DefcoopError`` naming what was tried if none."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        p = Path(env).expanduser()
        if p.is_dir():
            return p
        raise DefcoopError(f"{ENV_VAR}={env}: not a folder")
    tried = []
    for label, p in _candidates():
        if p.is_dir() and any(p.iterdir()):
            return p
        tried.append(f"{label} {p}")
    raise DefcoopError(
        "no bundled corpus found (tried " + "; ".join(tried) + f"); set {ENV_VAR} to a folder"
    )
