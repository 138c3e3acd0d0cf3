"""PDF text layer -> text with page starts.

White-paper chapters come as PDF; an analyst must be able to say "page 12", so
we keep where each page begins in the text.  Scanned PDFs (no text layer),
encrypted, truncated or broken files are refused with a clear reason instead of
yielding an empty or half document.
"""

from __future__ import annotations

import io
import logging
import os
from typing import Any

from defcoop.errors import ReadError
from defcoop.readers.text import junk_share, normalize_newlines

DEFAULT_MAX_PAGES = 2000
# PDF "bombs": a few KB that make pypdf work for hours (a stream that inflates 1000x,
# one stream shared by every page, a form drawn thousands of times). Genuine files
# inflate ~5x and need well under one drawing operation per byte, so the limits below
# scale with the file and stop bombs within seconds, with a reason and the knob.
#: Decompressed content of one page (its streams and the forms it may draw), in MB.
DEFAULT_MAX_PAGE_CONTENT_MB = 4
#: Decompressed content of all pages: 2 MB plus 4 bytes per byte of file, at most 256 MB.
BASE_CONTENT_MB, CONTENT_PER_BYTE, DEFAULT_MAX_CONTENT_MB = 2, 4, 256
#: Drawing operations per document: 50,000 plus 10 per byte of file, at most 5 million.
BASE_OPERATIONS, OPS_PER_BYTE, DEFAULT_MAX_OPERATIONS = 50_000, 10, 5_000_000
_MB = 1024 * 1024
_IGNORED_TITLES = {"", "untitled", "anonymous", "no title", "title"}


class _TooMuchWork(Exception):
    """Raised from pypdf's operator callback to stop reading a PDF bomb."""


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(float(raw)) if raw else 0
    except ValueError:
        value = 0
    return value if value > 0 else None


def max_page_content() -> int:
    """Bytes of decompressed content per page: ``DEFCOOP_MAX_PDF_PAGE_MB`` or 4 MB."""
    return (_env_int("DEFCOOP_MAX_PDF_PAGE_MB") or DEFAULT_MAX_PAGE_CONTENT_MB) * _MB


def max_content(file_bytes: int) -> int:
    """Bytes of decompressed content per document: ``DEFCOOP_MAX_PDF_CONTENT_MB``, else
    scaled to the file."""
    fixed = _env_int("DEFCOOP_MAX_PDF_CONTENT_MB")
    if fixed:
        return fixed * _MB
    return min(BASE_CONTENT_MB * _MB + CONTENT_PER_BYTE * file_bytes, DEFAULT_MAX_CONTENT_MB * _MB)


def max_operations(file_bytes: int) -> int:
    """Operations per document: ``DEFCOOP_MAX_PDF_OPERATIONS``, else scaled to the file."""
    fixed = _env_int("DEFCOOP_MAX_PDF_OPERATIONS")
    if fixed:
        return fixed
    return min(BASE_OPERATIONS + OPS_PER_BYTE * file_bytes, DEFAULT_MAX_OPERATIONS)


def _content_bytes(page: Any, stop: int) -> int:
    """Decompressed size of a page's content and of every form XObject it can draw
    (each counted once; pypdf caps one stream at 75 MB). Stops once over ``stop``: pypdf
    keeps what it inflated, so memory stays bounded too."""
    from pypdf.generic import DictionaryObject, StreamObject

    contents = page.get_contents()
    total = len(contents.get_data()) if contents is not None else 0
    seen: set[int] = set()
    todo: list[Any] = [page.get("/Resources")]
    while todo and total <= stop:
        res = todo.pop()
        res = res.get_object() if res is not None else None
        xobjects = res.get("/XObject") if isinstance(res, DictionaryObject) else None
        xobjects = xobjects.get_object() if xobjects is not None else None
        if not isinstance(xobjects, DictionaryObject):
            continue
        for ref in xobjects.values():
            x = ref.get_object()
            if id(x) in seen or not isinstance(x, StreamObject) or x.get("/Subtype") != "/Form":
                continue
            seen.add(id(x))
            total += len(x.get_data())
            todo.append(x.get("/Resources"))
    return total


def max_pages() -> int:
    """Page limit: ``DEFCOOP_MAX_PDF_PAGES`` or 2000 (a corrupt page tree can claim millions)."""
    raw = os.environ.get("DEFCOOP_MAX_PDF_PAGES")
    if raw:
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value > 0:
            return value
    return DEFAULT_MAX_PAGES


def _meta_title(reader: object) -> str | None:
    try:
        meta = reader.metadata  # type: ignore[attr-defined]
        title = meta.title if meta is not None else None
    except Exception:  # broken Info dictionary: the title is optional
        return None
    if not isinstance(title, str):
        return None
    title = " ".join(title.split())
    title = title.removeprefix("Microsoft Word - ")
    return None if title.lower() in _IGNORED_TITLES else title


def pdf_to_text(data: bytes, path: str) -> tuple[str, list[tuple[int, int]], str | None]:
    """Return ``(text, page_starts, title)``; pages are joined with "\\n"."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    head = data[:1024]
    if b"%PDF-" not in head:
        raise ReadError(path, "not a PDF (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise ReadError(path, "truncated PDF (no %%EOF marker at the end)")

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are not our errors
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:
                raise ReadError(path, f"encrypted PDF that cannot be opened ({exc})") from exc
            if not ok:
                raise ReadError(path, "encrypted PDF (password required)")
        n_pages = len(reader.pages)
    except ReadError:
        raise
    except Exception as exc:  # pypdf raises many types on broken files
        raise ReadError(path, f"corrupt PDF ({type(exc).__name__}: {exc})") from exc

    limit = max_pages()
    if n_pages > limit:
        raise ReadError(
            path,
            f"PDF has {n_pages} pages, over the {limit}-page limit "
            "(raise it with DEFCOOP_MAX_PDF_PAGES)",
        )
    if n_pages == 0:
        raise ReadError(path, "PDF has no pages")

    page_limit, total_limit = max_page_content(), max_content(len(data))
    ops_limit = max_operations(len(data))
    ops = used = 0

    def count(*_args: Any) -> None:
        nonlocal ops
        ops += 1
        if ops > ops_limit:
            raise _TooMuchWork

    parts: list[str] = []
    page_starts: list[tuple[int, int]] = []
    offset = 0
    for number in range(1, n_pages + 1):
        try:
            page = reader.pages[number - 1]
            size = _content_bytes(page, min(page_limit, total_limit - used))
            used += size
            if size > page_limit:
                raise ReadError(
                    path,
                    f"PDF page {number} content expands to over {page_limit / _MB:.0f} MB "
                    "(a compression bomb?); raise the limit with DEFCOOP_MAX_PDF_PAGE_MB "
                    "if the file is genuine",
                )
            if used > total_limit:
                raise ReadError(
                    path,
                    f"PDF content expands to over {total_limit / _MB:.0f} MB by page {number} "
                    "(a compression bomb?); raise the limit with DEFCOOP_MAX_PDF_CONTENT_MB "
                    "if the file is genuine",
                )
            page_text = page.extract_text(visitor_operand_before=count) or ""
            if ops > ops_limit:  # raised inside a form, where pypdf swallows errors
                raise _TooMuchWork
        except ReadError:
            raise
        except LimitReachedError as exc:  # pypdf's own cap on one stream (75 MB)
            raise ReadError(
                path,
                f"PDF page {number} has a stream that inflates over pypdf's limit "
                f"(a compression bomb?): {exc}",
            ) from exc
        except _TooMuchWork as exc:
            raise ReadError(
                path,
                f"PDF needs over {ops_limit:,} drawing operations to read (by page {number} "
                "of a file this size: a compression or form bomb?); raise the limit with "
                "DEFCOOP_MAX_PDF_OPERATIONS if the file is genuine",
            ) from exc
        except Exception as exc:
            raise ReadError(path, f"corrupt PDF page {number} ({type(exc).__name__})") from exc
        page_text = normalize_newlines(page_text).rstrip()
        page_starts.append((offset, number))
        parts.append(page_text)
        offset += len(page_text) + 1  # the "\n" that joins pages

    text = "\n".join(parts)
    if not text.strip():
        raise ReadError(path, "PDF has no text layer (scanned images?); run OCR first")
    if junk_share(text) > 0.05:
        raise ReadError(path, "PDF text layer is unreadable (fonts without a Unicode map)")
    return text, page_starts, _meta_title(reader)
