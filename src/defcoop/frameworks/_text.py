"""Shared helpers: a document's normalized view with spans mapped back, dates, markup."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from defcoop.normalize import NormalizedText, normalize

from .model import Span

# HTML tags only (<p>, </p>, <ul style=...>); "<法の支配の貫徹>" is text, not a tag.
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_MD_BOLD = re.compile(r"\*\*")
_LEADING_MARKS = "-・●■◆➤✓✔*>〇○◎ "


#: Normalized views shared while ``shared_views()`` is active (text -> view).
_SHARED: dict[str, NormalizedText] | None = None


@contextmanager
def shared_views() -> Iterator[None]:
    """Within the block, a text is normalized once however many ``DocText`` are made of
    it (the recognizers and the parsers each make their own). Use one block per
    document: a long document's view with its offset map takes many times the text's
    memory. The shared views are only read, never changed."""
    global _SHARED
    if _SHARED is not None:
        yield
        return
    _SHARED = {}
    try:
        yield
    finally:
        _SHARED = None


def _normalized(original: str) -> NormalizedText:
    if _SHARED is None:
        return normalize(original)
    found = _SHARED.get(original)
    if found is None:
        found = _SHARED[original] = normalize(original)
    return found


@dataclass(slots=True)
class DocText:
    """A document: original text, normalized view, and line index (both made when first
    needed: a quote found in the original text needs neither)."""

    doc: str
    original: str
    _norm: NormalizedText | None = field(default=None, init=False, repr=False)
    _starts: list[int] | None = field(default=None, init=False, repr=False)

    @property
    def norm(self) -> NormalizedText:
        if self._norm is None:
            self._norm = _normalized(self.original)
        return self._norm

    @property
    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.original)]
        return self._starts

    @property
    def text(self) -> str:
        """The normalized text (match on this)."""
        return self.norm.text

    def line_of(self, orig_offset: int) -> int:
        return bisect.bisect_right(self._line_starts, orig_offset)

    def span(self, nstart: int, nend: int) -> Span:
        """Span in the original text for a normalized range."""
        a, b = self.norm.to_original(nstart, nend)
        return Span(self.doc, a, b, self.line_of(a))

    def orig(self, nstart: int, nend: int) -> str:
        """Original characters for a normalized range."""
        return self.norm.original_slice(nstart, nend)

    def lines(self) -> Iterator[tuple[int, int, str]]:
        """(start, end, text) of each line of the normalized text."""
        pos = 0
        t = self.text
        for line in t.split("\n"):
            yield pos, pos + len(line), line
            pos += len(line) + 1

    def find_original(self, needle: str, line: int | None = None) -> Span | None:
        """Span of ``needle`` (original characters) in the original text, on ``line`` if given."""
        if line is not None and 1 <= line <= len(self._line_starts):
            lo = self._line_starts[line - 1]
            hi = self._line_starts[line] if line < len(self._line_starts) else len(self.original)
            i = self.original.find(needle, lo, hi)
            if i >= 0:
                return Span(self.doc, i, i + len(needle), line)
        i = self.original.find(needle)
        if i < 0:
            n = normalize(needle).text
            j = self.text.find(n)
            return self.span(j, j + len(n)) if j >= 0 and n else None
        return Span(self.doc, i, i + len(needle), self.line_of(i))


def trim(t: str, start: int, end: int, chars: str = " \t\n") -> tuple[int, int]:
    """Shrink ``[start, end)`` of ``t`` past leading/trailing ``chars``."""
    while start < end and t[start] in chars:
        start += 1
    while end > start and t[end - 1] in chars:
        end -= 1
    return start, end


def clean(text: str) -> str:
    """Text without HTML tags, markdown bold and leading bullet marks, spaces collapsed."""
    text = HTML_TAG.sub(" ", text)
    text = _MD_BOLD.sub("", text)
    text = text.strip().lstrip(_LEADING_MARKS).strip()
    return re.sub(r"[ \t]+", " ", text)


CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}  # ① .. ⑳

_ERA = r"(?:\((?:令和|平成|昭和)(?:\d+|元)\))?"
DATE_FULL = re.compile(rf"(\d{{4}}){_ERA}年(\d{{1,2}})月(?:(\d{{1,2}})日)?")
YEAR_ONLY = re.compile(rf"(?<![\d])(\d{{4}}){_ERA}年(?!\d)")


def iso(y: str | int, m: str | int | None = None, d: str | int | None = None) -> str:
    out = f"{int(y):04d}"
    if m:
        out += f"-{int(m):02d}"
        if d:
            out += f"-{int(d):02d}"
    return out


def first_date(text: str) -> tuple[str, int, int] | None:
    """First written date (YYYY年M月D日, YYYY年M月, or YYYY年) in normalized ``text``."""
    best: tuple[str, int, int] | None = None
    m = DATE_FULL.search(text)
    if m:
        best = (iso(m.group(1), m.group(2), m.group(3)), m.start(), m.end())
    y = YEAR_ONLY.search(text)
    # a bare year that is not the start of a full date
    if y and (best is None or y.start() < best[1]) and not (m and m.start() == y.start()):
        best = (iso(y.group(1)), y.start(), y.end())
    return best
