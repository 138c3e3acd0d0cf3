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

from defcoop.errors import ReadError
from defcoop.readers.text import junk_share, normalize_newlines

DEFAULT_MAX_PAGES = 2000
_IGNORED_TITLES = {"", "untitled", "anonymous", "no title", "title"}


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

    parts: list[str] = []
    page_starts: list[tuple[int, int]] = []
    offset = 0
    for number in range(1, n_pages + 1):
        try:
            page_text = reader.pages[number - 1].extract_text() or ""
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
