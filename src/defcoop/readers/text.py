"""Decode raw bytes of Japanese documents into text.

Files arrive in UTF-8 (with or without BOM), CP932/Shift_JIS, EUC-JP, ISO-2022-JP
or UTF-16, usually without any label, and sometimes with a wrong one.  We try
the cheap and certain things first (BOM, strict UTF-8), then let
charset-normalizer choose among the plausible Japanese encodings, and refuse
any result that looks like binary junk rather than guessing.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from defcoop.errors import ReadError

# BOMs, longest first (UTF-32 LE starts with the UTF-16 LE BOM).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Legacy encodings worth considering for Japanese official documents.  CP932 is
# the superset of Shift_JIS that Windows actually writes.
JAPANESE_ENCODINGS: tuple[str, ...] = ("cp932", "euc_jp", "iso2022_jp")

# Aliases a label may use -> the codec we decode with (supersets win).
_LABEL_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "cp932": "cp932",
    "euc-jp": "euc_jp",
    "x-euc-jp": "euc_jp",
    "iso-2022-jp": "iso2022_jp",
}

# Control characters other than TAB, LF, VT, FF, CR (and the replacement char).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_JUNK_LIMIT = 0.01  # share of control/replacement characters we tolerate
_SAMPLE = 1 << 18  # characters per sample for the junk checks (keep big files fast)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes (line numbers must survive)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def codec_for_label(label: str | None) -> str | None:
    """Map an encoding label (e.g. from an HTML ``<meta charset>``) to a known codec."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _LABEL_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _samples(text: str) -> list[str]:
    if len(text) <= 3 * _SAMPLE:
        return [text]
    mid = len(text) // 2
    return [text[:_SAMPLE], text[mid : mid + _SAMPLE], text[-_SAMPLE:]]


def junk_share(text: str) -> float:
    """Share of characters that real text does not contain (controls, U+FFFD)."""
    parts = _samples(text)
    total = sum(len(p) for p in parts)
    if total == 0:
        return 0.0
    bad = sum(len(_CONTROL_RE.findall(p)) for p in parts)
    return bad / total


def _plausible_char(ch: str) -> bool:
    """Characters expected in Japanese documents (used where no BOM tells us the codec)."""
    o = ord(ch)
    if o < 0x80:
        return ch.isprintable() or ch in "\t\n\r\f"
    if o < 0x250:  # Latin-1 supplement and Latin extended
        return o >= 0xA0
    if 0x2000 <= o <= 0x2BFF:  # punctuation, symbols, arrows, box drawing, circled numbers
        return True
    if 0x3000 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF:  # CJK symbols, kana
        return True
    if 0x3200 <= o <= 0x33FF:  # enclosed CJK, compatibility (㈱, ㎡)
        return True
    if 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF:  # CJK ideographs
        return True
    return 0xFF00 <= o <= 0xFFEF  # full and half width forms


def plausible_share(text: str) -> float:
    sample = text[:_SAMPLE]
    if not sample:
        return 1.0
    return sum(1 for ch in sample if _plausible_char(ch)) / len(sample)


def _unassigned_share(text: str) -> float:
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cn", "Co", "Cs"))
    return bad / len(sample)


def _looks_like_text(text: str) -> bool:
    return junk_share(text) <= _JUNK_LIMIT and _unassigned_share(text) <= _JUNK_LIMIT


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _sniff_utf16(data: bytes) -> str | None:
    """BOM-less UTF-16: ASCII characters (newlines, digits) leave NULs on one side only."""
    if len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    if odd > 0 and even <= odd * 0.05:
        return "utf-16-le"
    if even > 0 and odd <= even * 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, path: str, *, hint: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text; return ``(text, encoding name)``.

    ``hint`` is a declared encoding (HTML ``<meta charset>``); it is only a
    candidate, because labels are often wrong.  Raises ``ReadError`` when the
    bytes are empty, binary, or undecodable.
    """
    if not data:
        raise ReadError(path, "empty file")

    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                raise ReadError(path, f"invalid {codec.upper()} despite its byte-order mark")
            text = text.removeprefix("\ufeff")
            if not _looks_like_text(text):
                raise ReadError(path, "binary data, not text")
            return text, codec

    if b"\x00" in data:
        codec16 = _sniff_utf16(data)
        text16 = _strict(data, codec16) if codec16 else None
        if (
            text16 is not None
            and codec16 is not None
            and _looks_like_text(text16)
            and plausible_share(text16) >= 0.9
        ):
            return text16, codec16
        raise ReadError(path, "binary data (NUL bytes), not text")

    if b"\x1b" in data and data.isascii():
        text = _strict(data, "iso2022_jp_2")
        if text is not None and _looks_like_text(text):
            return text, "iso2022_jp"

    text = _strict(data, "utf-8")
    if text is not None:
        if junk_share(text) > _JUNK_LIMIT:
            raise ReadError(path, "binary data (control characters), not text")
        return text, "utf-8"

    return _decode_legacy(data, path, codec_for_label(hint))


def _decode_legacy(data: bytes, path: str, hint: str | None) -> tuple[str, str]:
    candidates = list(JAPANESE_ENCODINGS)
    if hint and hint not in candidates and not hint.startswith("utf"):
        candidates.insert(0, hint)
    tried: list[str] = []
    best = charset_normalizer.from_bytes(data, cp_isolation=candidates).best()
    if best is not None:
        codec = codecs.lookup(best.encoding).name
        text = _strict(data, codec)
        if text is not None and _looks_like_text(text):
            return text, codec
        tried.append(codec)
    # charset-normalizer found nothing convincing: accept a strict decode that reads
    # as Japanese text, preferring the declared label.
    order = ([hint] if hint and not hint.startswith("utf") else []) + list(JAPANESE_ENCODINGS)
    for codec in order:
        if codec in tried:
            continue
        text = _strict(data, codec)
        if text is not None and _looks_like_text(text) and plausible_share(text) >= 0.95:
            return text, codecs.lookup(codec).name
    raise ReadError(
        path,
        "cannot decode: not valid UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP (binary or unknown encoding)",
    )
