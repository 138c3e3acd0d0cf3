"""A general extractor of committed amounts and quantities with their periods.

Works on the normalized text (full-width digits and commas folded) and maps every
span back to the original text. Handles:

* money: ``400億円``, ``2.8兆円規模``, ``350億ドル``, ``70百万米ドル``, ``8.6億米ドル``,
  ``8億6,000万ドル``, ``1億米ドル``, ``US$70 million``;
* quantities: ``5,000人``, ``1千万人以上``, ``570件以上``;
* a period written just before or after the figure: ``5年間で``, ``今後3年間で``, ``今後10年で``;
* qualifiers kept as written: ``約`` / ``最大`` before, ``以上`` / ``超`` / ``規模`` / ``程度`` after.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ._text import DocText, first_date
from .model import Commitment

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_BIG = {
    "兆": Decimal(10) ** 12,
    "億": Decimal(10) ** 8,
    "千万": Decimal(10) ** 7,
    "百万": Decimal(10) ** 6,
    "万": Decimal(10) ** 4,
    "千": Decimal(10) ** 3,
}
_ENG = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
}
_CURRENCY = {
    "円": "JPY",
    "米ドル": "USD",
    "USドル": "USD",
    "ドル": "USD",
    "ユーロ": "EUR",
}
_QUANTITY = {"人": "people", "名": "people", "件": "items"}

_AMOUNT = re.compile(
    rf"(?<![\d.,])(?P<pre>約|最大|およそ|総額|累計)?"
    rf"(?:"
    rf"(?P<n1>{_NUM})(?P<u1>兆|億|千万|百万|万|千)?"
    rf"(?:(?P<n2>{_NUM})(?P<u2>千万|百万|万|千))?"
    rf"(?P<unit>米ドル|USドル|ドル|円|ユーロ|人|名|件)"
    rf"|(?P<usd>US\$|USD ?|\$)(?P<en>{_NUM})\s*(?P<eu>thousand|million|billion|trillion)?"
    rf")"
    rf"(?P<post>以上|超|規模|程度|前後|余り|強|弱)?"
)
# A period just before the figure: "5年間で", "今後3年間で", "今後10年で", "向こう5か年で総額".
_PERIOD_BEFORE = re.compile(
    r"(?P<p>(?:今後|向こう)?(?<!\d)(?P<n>\d{1,3})(?:年間|か年|カ年|ヶ年|箇年|年)(?:で|に|の間に|にわたり|にわたって)?)"
    r"(?:合計|総額)?$"
)
# A period just after it: "350億ドルを今後5年間で".
_PERIOD_AFTER = re.compile(
    r"(?:を|の)?(?P<p>(?:今後|向こう)?(?P<n>\d{1,3})(?:年間|か年|カ年|ヶ年|箇年)(?:で|に|にわたり|にわたって)?)"
)
# The object written after the figure: "の資金", "のプロジェクト", "の人材育成支援".
_OBJECT = re.compile(r"(?:以上|超|規模|程度)?の(?P<w>[^、。をがはにでと()\s「」]{1,30})")
_SENT_END = "。\n"


def _num(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def _sentence(t: str, a: int, b: int) -> tuple[int, int]:
    s = a
    while s > 0 and t[s - 1] not in _SENT_END:
        s -= 1
    e = b
    while e < len(t) and t[e] not in _SENT_END:
        e += 1
    if e < len(t) and t[e] == "。":
        e += 1
    return s, e


def extract_commitments(text: str | DocText, *, doc: str = "") -> list[Commitment]:
    """All figures in ``text`` (a string or a :class:`DocText`) with spans in the original."""
    dt = text if isinstance(text, DocText) else DocText(doc, text)
    t = dt.text
    out: list[Commitment] = []
    for m in _AMOUNT.finditer(t):
        c = _commitment(dt, t, m)
        if c is not None:
            out.append(c)
    return out


def _commitment(dt: DocText, t: str, m: re.Match[str]) -> Commitment | None:
    g = m.groupdict()
    start, end = m.start(), m.end()
    c = Commitment(text="")
    if g["usd"]:
        value = _num(g["en"]) * (_ENG[g["eu"]] if g["eu"] else 1)
        c.amount, c.currency, c.unit_as_written = value, "USD", g["usd"].strip()
    else:
        value = _num(g["n1"]) * (_BIG[g["u1"]] if g["u1"] else 1)
        if g["n2"]:
            if not g["u1"]:
                return None
            value += _num(g["n2"]) * _BIG[g["u2"]]
        unit = g["unit"]
        c.unit_as_written = unit
        if unit in _CURRENCY:
            c.amount, c.currency = value, _CURRENCY[unit]
        else:
            # a count of people or items: "2023年" is no figure, nor "第3回"; skip years
            if not g["u1"] and start > 0 and t[start - 1] in "第":
                return None
            c.quantity, c.quantity_unit = value, _QUANTITY[unit]
    if value == value.to_integral_value():
        value = value.to_integral_value()
        if c.amount is not None:
            c.amount = value
        else:
            c.quantity = value
    c.qualifier = g["pre"] or g["post"] or None
    if g["pre"] and g["post"]:
        c.qualifier = f"{g['pre']}…{g['post']}"
    # period before / after
    window_start = max(0, start - 16)
    pb = _PERIOD_BEFORE.search(t, window_start, start)
    fig_start = start
    if pb:
        c.period_years = int(pb.group("n"))
        c.period_text = pb.group("p")
        fig_start = pb.start()
    else:
        pa = _PERIOD_AFTER.match(t, end)
        if pa:
            c.period_years = int(pa.group("n"))
            c.period_text = pa.group("p")
    ob = _OBJECT.match(t, end)
    if ob:
        c.what = dt.orig(ob.start("w"), ob.end("w"))
    c.span = dt.span(fig_start, end)
    c.text = dt.orig(fig_start, end)
    s, e = _sentence(t, start, end)
    c.sentence = dt.orig(s, e).strip()
    d = first_date(t[s:e])
    if d:
        c.date, c.date_rule = d[0], "line"
    return c
