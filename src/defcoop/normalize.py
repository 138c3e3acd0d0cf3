"""A normalized view of a text for matching, with a map back to the original.

Rules match on the normalized text (digits, Latin letters and punctuation folded
to half width, brackets and spaces unified), but every span they find is mapped
back so that evidence always quotes the exact original characters.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Folds beyond NFKC: wave dashes and dashes that texts use for ranges, unified quotes.
_EXTRA_FOLDS = {
    "\u301c": "~",  # 〜 WAVE DASH
    "\uff5e": "~",  # ～ FULLWIDTH TILDE (NFKC already gives ~)
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u3000": " ",
    "\u201c": '"',
    "\u201d": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u3010": "【",  # keep lenticular brackets as they are (markers such as 【新】)
}


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """Normalized form of one character (may be empty or several characters)."""
    if ch in _EXTRA_FOLDS:
        return _EXTRA_FOLDS[ch]
    if ch < "\u0080" and ch != "\r":
        return ch
    if ch == "\r":
        return "\n"
    out = unicodedata.normalize("NFKC", ch)
    return "".join(_EXTRA_FOLDS.get(c, c) for c in out)


@dataclass(slots=True)
class NormalizedText:
    """``text`` is the normalized string; ``src[i]`` is the original index of ``text[i]``.

    ``src`` has one extra final entry equal to ``base + len(original)`` so that end
    offsets map cleanly.  ``base`` is where ``original`` starts in the document.
    """

    original: str
    text: str
    src: Sequence[int]  # a ``range`` when the fold kept every offset (the common case)
    base: int = 0

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalized text to the original text."""
        if start >= end:
            o = self.src[start]
            return o, o
        o_start = self.src[start]
        last = self.src[end - 1]
        # the original end is the start of the next original character after ``last``
        o_end = self.src[end] if self.src[end] > last else last + 1
        return o_start, o_end

    def sub(self, start: int, end: int) -> NormalizedText:
        """The normalized view of the original span [start, end) (document offsets),
        cut from this one so a document is normalized once."""
        if isinstance(self.src, range):  # identity map: offsets shift, nothing to search
            n0, n1 = start - self.base, end - self.base
            return NormalizedText(
                self.original[n0:n1], self.text[n0:n1], range(start, end + 1), start
            )
        n0 = bisect_left(self.src, start, 0, len(self.src) - 1)
        n1 = bisect_left(self.src, end, 0, len(self.src) - 1)
        return NormalizedText(
            self.original[start - self.base : end - self.base],
            self.text[n0:n1],
            [*self.src[n0:n1], end],
            start,
        )

    def original_slice(self, start: int, end: int) -> str:
        """The original characters behind a normalized span (``src`` offsets include ``base``)."""
        a, b = self.to_original(start, end)
        return self.original[a - self.base : b - self.base]


# Characters seen so far: their one-to-one folds (identity left out) and those whose
# fold is empty or several characters (they need the offset-tracking loop).
_TABLE: dict[int, str] = {}
_KNOWN: set[str] = set()
_MULTI: set[str] = set()


def normalize(original: str, base: int = 0) -> NormalizedText:
    """Normalize ``original``; offsets in ``src`` are shifted by ``base``.

    Use ``base`` when normalizing a slice of a larger document so spans map
    straight into the document.
    """
    ascii_ok = original.isascii() and "\r" not in original
    if ascii_ok:
        return NormalizedText(original, original, range(base, base + len(original) + 1), base)
    # Fast path: when every distinct character folds to exactly one character the
    # mapping is the identity on offsets and the fold is one C-level translate().
    chars = set(original)
    for ch in chars - _KNOWN:
        f = fold_char(ch)
        if len(f) != 1:
            _MULTI.add(ch)
        elif f != ch:
            _TABLE[ord(ch)] = f
        _KNOWN.add(ch)
    multi = chars & _MULTI
    if not multi:
        return NormalizedText(
            original,
            original.translate(_TABLE),
            range(base, base + len(original) + 1),
            base,
        )
    # A few characters fold to several (Ⅲ -> III) or to none: translate everything at
    # once and build the offset map in runs between them.
    table = dict(_TABLE)
    table.update({ord(ch): fold_char(ch) for ch in multi})
    src_runs: list[int] = []
    pos = 0
    for m in re.finditer("[" + re.escape("".join(sorted(multi))) + "]", original):
        i = m.start()
        src_runs.extend(range(base + pos, base + i))
        src_runs.extend([base + i] * len(fold_char(original[i])))
        pos = i + 1
    src_runs.extend(range(base + pos, base + len(original) + 1))
    return NormalizedText(original, original.translate(table), src_runs, base)
