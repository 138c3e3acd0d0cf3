"""Readers: files on disk -> ``Document`` (decoded text + metadata). Owned by the read stage.

``read_path`` picks a reader by suffix and is the only door into the pipeline:
whatever goes wrong with a file's content comes out as ``ReadError`` naming the
file and the reason, so that ingest can report it and go on with the others.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from defcoop.errors import ReadError
from defcoop.readers.html import declared_charset, html_to_text
from defcoop.readers.pdf import pdf_to_text
from defcoop.readers.text import decode_bytes, normalize_newlines
from defcoop.records import Document

__all__ = [
    "DEFAULT_MAX_FILE_MB",
    "SUPPORTED_SUFFIXES",
    "iter_paths",
    "max_file_bytes",
    "read_path",
]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES: frozenset[str] = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES

DEFAULT_MAX_FILE_MB = 32
_MB = 1024 * 1024


def max_file_bytes(max_bytes: int | None = None, path: str = "") -> int:
    """Size limit: ``max_bytes`` if given, else ``DEFCOOP_MAX_FILE_MB``, else 32 MB."""
    if max_bytes is not None:
        return max_bytes
    raw = os.environ.get("DEFCOOP_MAX_FILE_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_FILE_MB * _MB
    try:
        mb = float(raw)
    except ValueError:
        mb = -1.0
    if mb <= 0:
        raise ReadError(path, f"DEFCOOP_MAX_FILE_MB must be a positive number of MB, not {raw!r}")
    return int(mb * _MB)


def _fmt_mb(n: int) -> str:
    return f"{n / _MB:.1f}".removesuffix(".0")


def _read_bytes(path: Path, shown: str, limit: int) -> bytes:
    try:
        if path.is_dir():
            raise ReadError(shown, "is a directory (pass it to iter_paths)")
        size = path.stat().st_size
        if size > limit:
            raise ReadError(
                shown,
                f"file is {_fmt_mb(size)} MB, over the {_fmt_mb(limit)} MB limit "
                "(raise it with DEFCOOP_MAX_FILE_MB=<MB> or read_path(..., max_bytes=...))",
            )
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError as exc:
        raise ReadError(shown, "no such file") from exc
    except PermissionError as exc:
        raise ReadError(shown, "permission denied") from exc
    except OSError as exc:
        raise ReadError(shown, f"cannot read ({exc.strerror or exc})") from exc
    if len(data) > limit:  # the file grew, or stat lied (e.g. a pipe)
        raise ReadError(shown, f"file is over the {_fmt_mb(limit)} MB limit")
    if not data:
        raise ReadError(shown, "empty file")
    return data


def read_path(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> Document:
    """Read one file into a ``Document``; raise ``ReadError`` for anything unreadable."""
    p = Path(path)
    shown = os.fspath(path)
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise ReadError(
            shown, f"unsupported file type {suffix or '(no suffix)'!r} (supported: {supported})"
        )
    data = _read_bytes(p, shown, max_file_bytes(max_bytes, shown))
    doc = Document(
        doc_id=p.stem,
        text="",
        source_path=shown,
        content_hash=hashlib.sha256(data).hexdigest(),
    )
    try:
        if suffix in PDF_SUFFIXES:
            doc.text, doc.page_starts, doc.title = pdf_to_text(data, shown)
            doc.media_type = "application/pdf"
        elif suffix in HTML_SUFFIXES:
            markup, doc.encoding = decode_bytes(data, shown, hint=declared_charset(data))
            doc.text, doc.title = html_to_text(normalize_newlines(markup), shown)
            doc.media_type = "text/html"
        else:
            text, doc.encoding = decode_bytes(data, shown)
            doc.text = normalize_newlines(text)
            doc.media_type = "text/plain"
            doc.title = _markdown_title(doc.text) if suffix == ".md" else None
    except ReadError:
        raise
    except RecursionError as exc:
        raise ReadError(shown, "document structure nested too deeply") from exc
    except Exception as exc:  # never let a library's exception type escape for bad content
        raise ReadError(shown, f"unreadable ({type(exc).__name__}: {exc})") from exc
    if not doc.text.strip():
        raise ReadError(shown, "no text (file holds only whitespace)")
    return doc


def _markdown_title(text: str) -> str | None:
    for line in text.split("\n", 20)[:20]:
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def iter_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files as given; folders walked recursively in sorted order (supported, non-hidden files).

    A file named twice, or also found in a folder, is yielded once.  Paths that
    do not exist are yielded as given so ``read_path`` reports them.
    """
    seen: set[Path] = set()
    for item in paths:
        p = Path(item)
        candidates = _walk(p) if p.is_dir() else [p]
        for f in candidates:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                yield f


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        base = Path(dirpath)
        for name in filenames:
            if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            found.append(base / name)
    found.sort(key=lambda f: f.relative_to(root).parts)
    return found
