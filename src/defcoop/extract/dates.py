"""Date mentions in Japanese official texts and their resolution in reading order.

Two steps, kept apart on purpose:

* ``find_dates`` reports what a (normalized) text *writes*: "同年8月" is a mention
  with ``rel_year="same"`` and ``month=8``; nothing is filled in, so the finder is
  pure, fast and testable on single sentences.
* ``DateContext`` carries the narrative through a section and turns a mention into
  a ``DateValue`` with the precision the text gives. Relative words resolve as the
  annotation guidelines say: inside a paragraph against the last date committed
  before them; at the start of a paragraph against the *leading* date of the
  previous dated paragraph (not against an aside such as a plan for next year).
  Deictic words (本年, 昨年, 本日) resolve against the document's own date.

ja-timex was measured and rejected (PRODUCT.md §7): it loses the year of
"令和7(2025)年2月11日", has no 同年/同月 and fills missing years with today.
Cue words live in ``data/dates.yaml``; the regular grammar lives here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from defcoop.normalize import normalize
from defcoop.records import DateValue

__all__ = ["DateContext", "DateMention", "cues", "document_date", "find_dates"]


# --------------------------------------------------------------------------- cues


@dataclass(frozen=True, slots=True)
class _Rel:
    key: str  # same, next, prev, current, last, coming, ...
    base: str  # "narrative" or "document"
    offset: int


@dataclass(frozen=True, slots=True)
class Cues:
    """The contents of ``data/dates.yaml``, ready for use."""

    eras: tuple[tuple[str, str, int], ...]  # (name, key, start year)
    first_year: str
    same_era: str
    year_min: int
    year_max: int
    rel: dict[str, dict[str, _Rel]]  # unit -> word -> meaning
    rel_by_key: dict[str, dict[str, _Rel]]  # unit -> key -> meaning
    parts: dict[str, str]
    approx: frozenset[str]
    approx_parts: frozenset[str]
    span_tails: tuple[str, ...]
    since: tuple[str, ...]
    open_from: tuple[str, ...]
    until: tuple[str, ...]
    as_of: tuple[str, ...]
    labels: tuple[str, ...]
    raw: dict[str, Any]

    def era_start(self, key_or_name: str) -> int | None:
        for name, key, start in self.eras:
            if key_or_name in (name, key):
                return start
        return None

    def era_key(self, name: str) -> str:
        return next(key for n, key, _ in self.eras if n == name)


@lru_cache(maxsize=1)
def cues() -> Cues:
    """Load ``data/dates.yaml`` once."""
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("defcoop.data").joinpath("dates.yaml").read_text("utf-8")
    )
    rel: dict[str, dict[str, _Rel]] = {}
    by_key: dict[str, dict[str, _Rel]] = {}
    for unit, words in raw["relative"].items():
        rel[unit] = {w: _Rel(v["key"], v["base"], int(v["offset"])) for w, v in words.items()}
        by_key[unit] = {r.key: r for r in rel[unit].values()}
    return Cues(
        eras=tuple((e["name"], e["key"], int(e["start"])) for e in raw["eras"]),
        first_year=raw["first_year"],
        same_era=raw["same_era"],
        year_min=int(raw["western_year"]["min"]),
        year_max=int(raw["western_year"]["max"]),
        rel=rel,
        rel_by_key=by_key,
        parts=dict(raw["parts"]),
        approx=frozenset(raw["approx"]),
        approx_parts=frozenset(raw["approx_parts"]),
        span_tails=tuple(raw["span_tails"]),
        since=tuple(raw["since"]),
        open_from=tuple(raw["open_from"]),
        until=tuple(raw["until"]),
        as_of=tuple(raw["as_of"]),
        labels=tuple(raw["date_line_labels"]),
        raw=raw,
    )


# --------------------------------------------------------------------------- grammar


def _alt(words: Iterable[str]) -> str:
    """Regex alternation, longest first so that 一昨年 wins over 昨年."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class _Grammar:
    atom: re.Pattern[str]
    tail: re.Pattern[str]
    conn: re.Pattern[str]
    span_tail: re.Pattern[str]
    coord: re.Pattern[str]
    name_before: re.Pattern[str]
    name_after: re.Pattern[str]
    part_word: re.Pattern[str]


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    c = cues()
    raw = c.raw
    era = _alt(name for name, _, _ in c.eras)
    num = rf"(?:\d{{1,2}}|{re.escape(c.first_year)})"
    y4 = r"(?:1[89]|2[01])\d\d"
    n12 = r"(?:1[0-2]|0?[1-9])"
    n31 = r"(?:3[01]|[12]\d|0?[1-9])"
    kanji_before = r"(?<![一-龥々〆ヵヶ])"  # 日本年金, 合同年次: not 本年 / 同年
    not_rel = rf"(?!{_alt(raw['relative_not_before'])})"
    # 2000年前 is a quantity, 2024年前半 a part, 2024年前後 "about 2024"
    pieces = []
    for w in raw["year_not_before"]:
        tails = [e[len(w) :] for e in raw["year_not_before_except"] if e.startswith(w)]
        pieces.append(re.escape(w) + (f"(?!{_alt(tails)})" if tails else ""))
    not_year = rf"(?!{'|'.join(pieces)})"
    wd = _alt(raw["weekdays"])
    fy = re.escape(str(raw["fiscal"]).removeprefix("年"))  # "年度" follows the year's 年
    sp = "[ ]?"
    year = (
        rf"(?:(?:(?P<wy>{y4})(?:\((?P<wg_era>{era}){sp}(?P<wg_n>{num})\))?{sp}年"
        rf"(?:\((?P<wg2_era>{era}){sp}(?P<wg2_n>{num})年\))?"
        rf"|(?P<era>{era}){sp}(?P<era_n>{num}){sp}(?:\((?P<eg>{y4})年?\))?{sp}年(?:\((?P<eg2>{y4})年\))?"
        rf"|(?P<ab>\d\d)\((?P<ab_era>{era}|{re.escape(c.same_era)})(?P<ab_n>{num})\)年"
        rf"|{kanji_before}(?P<ry>{_alt(c.rel['year'])}){not_rel})"
        rf"(?P<fy>{fy})?{not_year})"
    )
    month = (
        rf"(?:(?P<mo>{n12})(?:[-~](?P<mo2>{n12}))?{sp}月(?!間)"
        rf"|{kanji_before}(?P<rm>{_alt(c.rel['month'])}){not_rel})"
    )
    day = (
        rf"(?:(?P<d>{n31})(?:[-~](?P<d2>{n31}))?{sp}日(?!間)"
        rf"(?:\((?P<wd>{wd})(?:曜日?)?(?:[・,][^()]{{1,3}})?\))?"
        rf"|{kanji_before}(?P<rd>{_alt(c.rel['day'])}){not_rel})"
    )
    numeric = rf"(?P<ny>{y4})(?P<ns>[-/.])(?P<nm>{n12})(?P=ns)(?P<nd>{n31})(?![\d])"
    # the lookahead names every way an atom can start, so the optional parts
    # below never match empty at "大臣", "前述" or "3か国"
    words = [*(w for unit in c.rel.values() for w in unit), *(n for n, _, _ in c.eras)]
    first = "".join(sorted({w[0] for w in words}))
    atom = (
        rf"(?=[\d{first}])(?<![\d.,])(?=\d+[ ]?[年月日(\-/.~]|{_alt(words)})"
        rf"(?:{numeric}|(?:{year})?(?:{sp}{month})?(?:{sp}{day})?)"
    )
    guards = raw.get("part_not_before", {})
    parts = "|".join(
        re.escape(w) + (f"(?!{_alt(guards[w])})" if w in guards else "")
        for w in sorted(set(c.parts) | c.approx, key=len, reverse=True)
    )
    tail = rf"(?P<parts>(?:{parts}){{1,2}})?"
    conn = rf"(?P<conn>{_alt(raw['span_connectors'])}){sp}"
    span_tail = rf"(?P<st>{_alt(c.span_tails)})"
    cue_tail = _alt(list(c.since) + list(c.until) + list(c.as_of))
    return _Grammar(
        atom=re.compile(atom),
        tail=re.compile(tail),
        conn=re.compile(conn),
        span_tail=re.compile(rf"{span_tail}|(?P<cue>{cue_tail})"),
        coord=re.compile(rf"{sp}(?:{_alt(raw['coordinators'])}){sp}"),
        name_before=re.compile(r"[A-Za-zァ-ヴー]"),
        name_after=re.compile(_alt(raw["name_suffixes"])),
        part_word=re.compile(parts),
    )


# --------------------------------------------------------------------------- mentions


@dataclass(slots=True)
class DateMention:
    """A date as written; offsets are into the text given to ``find_dates``.

    Only what the text states is set: "5月9日" has ``year=None``; "同年8月" has
    ``rel_year="same"`` and ``month=8``. ``DateContext.resolve`` fills the rest.
    """

    start: int
    end: int
    text: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    rel_year: str | None = None  # same/next/prev (narrative) or current/last/coming (document)
    rel_month: str | None = None
    rel_day: str | None = None
    era: str | None = None  # "reiwa", "heisei", ... when an era year is written
    era_year: int | None = None
    form: str = "partial"  # western, era, wp-abbrev, numeric, relative, partial
    fiscal: bool = False  # 年度
    part: str | None = None  # early/mid/late/end/first-half/second-half/season
    approx: bool = False  # 頃, 前後, a season: vague, keep the precision written
    weekday: str | None = None
    span_end: DateMention | None = None  # "A から B にかけて", "A~B", "11-12日"
    since: bool = False  # 以降, 以来, 以後, or から/より with no end date
    until: bool = False  # まで, までに, 以前, に向けた: a deadline, open end or target
    as_of: bool = False  # 現在, 時点
    cue: str | None = None  # the word that set span/since/until/as_of
    in_name: bool = False  # glued to a name: "アクションプラン2023年版"
    quoted: bool = False  # inside 「」/『』: part of a title ("行動計画(2022年~2031年)")
    joined: DateMention | None = None  # coordinated earlier date giving a missing year/month

    @property
    def is_absolute(self) -> bool:
        return self.year is not None

    @property
    def is_relative(self) -> bool:
        return bool(self.rel_year or self.rel_month or self.rel_day)


def _era_year(era_name: str, n: str) -> tuple[str, int, int]:
    """(era key, era year, Western year) for "令和" + "7" or "元"."""
    c = cues()
    k = 1 if n == c.first_year else int(n)
    start = c.era_start(era_name)
    assert start is not None
    return c.era_key(era_name), k, start + k - 1


def _wp_year(two: int, era_name: str, n: str) -> tuple[str | None, int, int]:
    """White-paper abbreviation "10(同22)年": 2-digit Western year glossed by an era year.

    With a named era the era arithmetic gives the year; with 同 (the era last
    named) the era is the one whose N-th year ends in the two digits.
    """
    c = cues()
    k = 1 if n == c.first_year else int(n)
    if era_name != c.same_era:
        key, _, y = _era_year(era_name, n)
        if y % 100 == two:
            return key, k, y
        # inconsistent gloss: keep the written digits in the century nearest the era year
        return key, k, min((cc + two for cc in (1800, 1900, 2000, 2100)), key=lambda v: abs(v - y))
    fits = [(key, start + k - 1) for _, key, start in c.eras if (start + k - 1) % 100 == two]
    if fits:
        key, y = fits[-1]
        return key, k, y
    return None, k, (2000 + two if two < 50 else 1900 + two)


def _atom(m: re.Match[str], text: str) -> DateMention | None:
    """One mention from an atom match, or None when it is not a date."""
    c = cues()
    g = m.group
    out = DateMention(m.start(), m.end())
    if g("ny"):
        out.year, out.month, out.day, out.form = int(g("ny")), int(g("nm")), int(g("nd")), "numeric"
    else:
        if g("wy"):
            out.year, out.form = int(g("wy")), "western"
            era_name, n = (g("wg_era"), g("wg_n")) if g("wg_era") else (g("wg2_era"), g("wg2_n"))
            if era_name:
                out.era, out.era_year, _ = _era_year(era_name, n)
        elif g("era"):
            out.era, out.era_year, out.year = _era_year(g("era"), g("era_n"))
            out.form = "era"
            if g("eg") or g("eg2"):
                out.year, out.form = int(g("eg") or g("eg2")), "western"
        elif g("ab"):
            out.era, out.era_year, out.year = _wp_year(int(g("ab")), g("ab_era"), g("ab_n"))
            out.form = "wp-abbrev"
        elif g("ry"):
            out.rel_year, out.form = c.rel["year"][g("ry")].key, "relative"
        out.fiscal = bool(g("fy"))
        if g("mo"):
            out.month = int(g("mo"))
            if g("mo2"):
                end_m = m.end("mo2") + 1 + (g(0)[m.end("mo2") - m.start()] == " ")
                out.span_end = DateMention(
                    m.start("mo2"), end_m, text[m.start("mo2") : end_m], month=int(g("mo2"))
                )
        elif g("rm"):
            out.rel_month, out.form = c.rel["month"][g("rm")].key, "relative"
        if g("d"):
            out.day = int(g("d"))
            if g("d2"):
                end_d = m.end("d2") + 1 + (g(0)[m.end("d2") - m.start()] == " ")
                out.span_end = DateMention(
                    m.start("d2"), end_d, text[m.start("d2") : end_d], day=int(g("d2"))
                )
            out.weekday = g("wd")
        elif g("rd"):
            out.rel_day, out.form = c.rel["day"][g("rd")].key, "relative"
    if out.year is not None and not (c.year_min <= out.year <= c.year_max):
        return None
    if out.fiscal and out.month:
        out.fiscal = False  # "2024年度3月": a calendar month wins over the fiscal label
    if out.year and out.month and out.day and out.day > calendar.monthrange(out.year, out.month)[1]:
        return None
    return out


def _bare_day(m: DateMention) -> bool:
    return (
        m.day is not None
        and m.month is None
        and m.year is None
        and not m.rel_year
        and not m.rel_month
    )


def _apply_parts(text: str, pos: int, mention: DateMention) -> int:
    """Consume "下旬", "夏頃", "末" ... after a date; return the new end."""
    c = cues()
    gr = _grammar()
    t = gr.tail.match(text, pos)
    if t is None or not t.group("parts"):
        return pos
    for w in gr.part_word.findall(t.group("parts")):
        if w in c.approx:
            mention.approx = True
        elif mention.part is None:
            mention.part = c.parts[w]
            mention.approx = mention.approx or mention.part in c.approx_parts
    return t.end()


def find_dates(text: str) -> list[DateMention]:
    """All date mentions in a normalized text, in order, without resolving anything.

    Spans ("2024年12月から2025年2月にかけて", "9月1日~3日") come back as one
    mention with ``span_end``; "2024年4月以降" as one mention with ``since``.
    A member of a coordination ("2024年6月および9月") gets ``joined`` pointing
    at the earlier member. Counts and durations (3年間, 約4年ぶり, 40周年, 第14回)
    are not matched: a bare 1-2 digit "N年" is never a date.
    """
    if not text:
        return []
    gr = _grammar()
    c = cues()
    atom_re = gr.atom
    out: list[DateMention] = []
    pos = 0
    n = len(text)
    has_quotes = "「" in text or "『" in text
    q_pos = depth = 0
    while pos < n:
        m = atom_re.search(text, pos)
        if m is None:
            break
        if m.end() == m.start():
            pos = m.start() + 1
            continue
        mention = _atom(m, text)
        if mention is None:
            pos = m.end()
            continue
        prev = out[-1] if out else None
        if prev is not None and gr.coord.fullmatch(text, prev.end, m.start()):
            mention.joined = prev
        if _bare_day(mention) and not (
            mention.joined is not None
            and (mention.joined.day is not None or mention.joined.rel_day is not None)
        ):
            pos = m.end()  # "1日中両国": a day needs a month or a dated neighbour
            continue
        end = _apply_parts(text, m.end(), mention)
        if mention.span_end is not None:  # "11-12日", "9-10月" inside the atom
            mention.cue = "-"
        else:
            cm = gr.conn.match(text, end)
            if cm is not None:
                em = atom_re.match(text, cm.end())
                em_mention = _atom(em, text) if em is not None and em.end() > em.start() else None
                if em is not None and em_mention is not None:
                    end2 = _apply_parts(text, em.end(), em_mention)
                    em_mention.end = end2
                    em_mention.text = text[em_mention.start : end2]
                    mention.span_end = em_mention
                    mention.cue = cm.group("conn")
                    end = end2
                elif cm.group("conn") in c.open_from:
                    mention.since, mention.cue = True, cm.group("conn")
                    end = cm.end()
        st = gr.span_tail.match(text, end)
        if st is not None:
            word = st.group("st") or st.group("cue")
            if mention.span_end is not None and st.group("st"):
                mention.cue = word
                end = st.end()
            elif mention.span_end is None and not mention.since:
                if word in c.since:
                    mention.since, mention.cue, end = True, word, st.end()
                elif word in c.until:
                    mention.until, mention.cue, end = True, word, st.end()
                elif word in c.as_of:
                    mention.as_of, mention.cue, end = True, word, st.end()
        if mention.form in ("western", "numeric") and (
            (m.start() > 0 and gr.name_before.match(text, m.start() - 1))
            or gr.name_after.match(text, m.end())
        ):
            mention.in_name = True
        if has_quotes:  # bracket depth, counted incrementally (texts may be long)
            a, b = q_pos, m.start()
            depth += text.count("「", a, b) + text.count("『", a, b)
            depth -= text.count("」", a, b) + text.count("』", a, b)
            q_pos, depth = b, max(depth, 0)
            mention.quoted = depth > 0
        mention.end = end
        mention.text = text[mention.start : end]
        out.append(mention)
        pos = end
    return out


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True, slots=True)
class _P:
    """A resolved point (internal)."""

    y: int
    m: int | None = None
    d: int | None = None
    fiscal: bool = False

    @property
    def iso(self) -> str:
        s = f"{self.y:04d}"
        if self.m is not None:
            s += f"-{self.m:02d}"
            if self.d is not None:
                s += f"-{self.d:02d}"
        return s


def _parse_iso(value: DateValue | None) -> _P | None:
    if value is None or not value.iso:
        return None
    bits = [int(b) for b in value.iso.split("-")]
    fiscal = "+fy" in value.rule
    return _P(
        bits[0], bits[1] if len(bits) > 1 else None, bits[2] if len(bits) > 2 else None, fiscal
    )


def _as_value(anchor: str | DateValue | None) -> DateValue | None:
    if anchor is None or isinstance(anchor, DateValue):
        return anchor
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", anchor):
        raise ValueError(f"anchor must be ISO YYYY[-MM[-DD]]: {anchor!r}")
    return DateValue(iso=anchor, rule="anchor")


def _depth(p: _P) -> int:
    return 1 if p.m is None else (2 if p.d is None else 3)


def _prec(p: _P) -> str:
    return "y" if p.m is None else ("ym" if p.d is None else "ymd")


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def _valid(p: _P) -> bool:
    if p.m is None or p.d is None:
        return True
    return 1 <= p.d <= calendar.monthrange(p.y, p.m)[1]


class DateContext:
    """Date state flowing through one section in reading order.

    Anchors (``DateValue`` or None), explicit because the guidelines need both:

    * ``last`` — the last date committed in the current paragraph (for a span,
      its end: the date written last). Relative words inside a paragraph resolve
      against it — more exactly against the last committed date that *has* the
      unit asked for: "同月" after "2024年6月 … 2021年の派遣" is June 2024 (the
      month last stated), not unresolved.
    * ``paragraph_lead`` — the first narrative date (``lead=True``) committed in
      the current paragraph.
    * ``previous_lead`` — the lead of the previous dated paragraph of the section.
      Relative words before any date of a paragraph resolve against it, so an
      aside told late in that paragraph ("2025年に計画", "2021年の派遣") is skipped.
    * ``anchor`` — the document's (or section's) own date: deictic words
      (本年, 昨年, 本日, 今月) resolve against it.

    Fallbacks are marked in the rule: anaphoric words with no narrative date use
    the anchor ("~anchor"); deictic words with no anchor use the narrative
    ("~narrative"). Nothing else is guessed; otherwise the value is unresolved.
    """

    def __init__(self, anchor: str | DateValue | None = None) -> None:
        self.document_anchor: DateValue | None = _as_value(anchor)
        self.anchor: DateValue | None = self.document_anchor
        self.paragraph_lead: DateValue | None = None
        self.previous_lead: DateValue | None = None
        self._told: list[DateValue] = []  # committed in this paragraph, in order

    @property
    def last(self) -> DateValue | None:
        return self._told[-1] if self._told else None

    # -- state ------------------------------------------------------------------
    def start_section(self, anchor: str | DateValue | None = None) -> None:
        """Forget the narrative; ``anchor`` (else the document's date) becomes the base."""
        self.anchor = _as_value(anchor) if anchor is not None else self.document_anchor
        self.paragraph_lead = None
        self.previous_lead = None
        self._told = []

    def start_paragraph(self) -> None:
        """A new paragraph: its first relative words look at the previous lead."""
        if self.paragraph_lead is not None:
            self.previous_lead = self.paragraph_lead
        self.paragraph_lead = None
        self._told = []

    def commit(self, value: DateValue, *, lead: bool) -> None:
        """Record ``value`` as told, so that later relative words can refer to it.

        ``lead=True``: a narrative date; the first one of a paragraph becomes its
        lead and anchors the next paragraph. ``lead=False``: a date that relative
        words later in this paragraph may refer to but that must not anchor the
        next paragraph. Asides that nothing should refer to (a plan, a document
        title) are simply not committed. Unresolved values are ignored.
        """
        if value.iso is None:
            return
        self._told.append(value)
        if value.end_iso:
            self._told.append(
                DateValue(iso=value.end_iso, start=value.start, end=value.end, rule=value.rule)
            )
        if lead and self.paragraph_lead is None:
            self.paragraph_lead = value

    # -- resolution -------------------------------------------------------------
    def _narrative(self, need: int) -> tuple[_P | None, str]:
        """The narrative date with at least ``need`` parts (1 year, 2 month, 3 day)."""
        for v in reversed(self._told):
            p = _parse_iso(v)
            if p is not None and _depth(p) >= need:
                return p, ""
        p = _parse_iso(self.previous_lead)
        if p is not None and _depth(p) >= need:
            return p, ""
        p = _parse_iso(self.anchor)
        if p is not None and _depth(p) >= need:
            return p, "~anchor"
        return None, ""

    def _document(self, need: int) -> tuple[_P | None, str]:
        p = _parse_iso(self.anchor)
        if p is not None and _depth(p) >= need:
            return p, ""
        p, how = self._narrative(need)
        return p, ("~narrative" if p is not None and not how else "")

    def _ref(
        self, rel: _Rel, need: int, narrative: tuple[_P | None, str] | None
    ) -> tuple[_P | None, str]:
        if rel.base == "document":
            return self._document(need)
        if narrative is not None:
            p = narrative[0]
            return (p, narrative[1]) if p is not None and _depth(p) >= need else (None, "")
        return self._narrative(need)

    def _point(
        self,
        m: DateMention,
        narrative: tuple[_P | None, str] | None = None,
        inherit: _P | None = None,
        wrap: bool = False,
    ) -> tuple[_P | None, str]:
        """Resolve one mention (not its span end) to a point and the rule that fired."""
        c = cues()
        if m.year is not None:
            p = _P(m.year, m.month, m.day, m.fiscal)
            if m.form == "era":
                return p, f"era:{m.era}"
            if m.form == "wp-abbrev":
                return p, "wp:abbrev"
            return p, f"abs:{_prec(p)}"
        for unit, key, need in (
            ("year", m.rel_year, 1),
            ("month", m.rel_month, 2),
            ("day", m.rel_day, 3),
        ):
            if not key:
                continue
            rel = c.rel_by_key[unit][key]
            ref, how = self._ref(rel, need, narrative)
            if ref is None:
                return None, f"unresolved:no-{unit}-in-context"
            rule = f"rel:{rel.key}-{unit}{how}"
            if unit == "year":
                y = ref.y + rel.offset
                if m.fiscal and not ref.fiscal and ref.m is not None and ref.m < 4:
                    y -= 1  # 同年度 of a Jan-Mar date: the fiscal year began the year before
                return _P(y, m.month, m.day, m.fiscal), rule
            assert ref.m is not None
            if unit == "month":
                y, mo = _add_months(ref.y, ref.m, rel.offset)
                return _P(y, mo, m.day), rule
            assert ref.d is not None
            d = dt.date(ref.y, ref.m, ref.d) + dt.timedelta(days=rel.offset)
            return _P(d.year, d.month, d.day), rule
        # a month and/or day without a year
        need = 1 if m.month is not None else 2
        src: _P | None
        if inherit is not None:
            src, rule = inherit, ("span:inherit" if wrap else "coord:inherit")
            if _depth(src) < need:
                src = None
        else:
            src, how = self._narrative(need)
            rule = f"ctx:year{how}"
        if src is None:
            return (
                None,
                "unresolved:no-year-in-context" if need == 1 else "unresolved:no-month-in-context",
            )
        if m.month is None:
            return _P(src.y, src.m, m.day), rule
        y = src.y
        if wrap and src.m is not None and m.month < src.m:
            y += 1  # "12月から2月にかけて": the end is in the next year
        return _P(y, m.month, m.day), rule

    def _start(self, m: DateMention) -> tuple[_P | None, str]:
        """Like ``_point``, but a coordinated member takes what it lacks from its neighbour."""
        if m.joined is not None and m.year is None and not m.is_relative:
            jp, jrule = self._start(m.joined)
            if jp is None:
                return None, jrule
            return self._point(m, inherit=jp)
        return self._point(m)

    def resolve(self, m: DateMention) -> DateValue:
        """The mention as a ``DateValue``; state is unchanged.

        ``start``/``end`` are the mention's offsets in the text given to
        ``find_dates``; the caller maps them with ``NormalizedText.to_original``.
        """
        p, rule = self._start(m)
        if p is None or not _valid(p):
            why = rule if p is None else "unresolved:invalid-date"
            return DateValue(iso=None, start=m.start, end=m.end, rule=why)
        if m.fiscal:
            rule += "+fy"
        if m.weekday and p.m is not None and p.d is not None:
            wd = cues().raw["weekdays"][dt.date(p.y, p.m, p.d).weekday()]
            if wd != m.weekday:
                rule += "!weekday"  # the written weekday contradicts the resolved date
        end_iso = None
        if m.span_end is not None:
            e, _ = self._point(m.span_end, narrative=(p, ""), inherit=p, wrap=True)
            if e is not None and _valid(e) and e.iso >= p.iso[: len(e.iso)]:
                end_iso = e.iso
        return DateValue(iso=p.iso, start=m.start, end=m.end, rule=rule, end_iso=end_iso)


# --------------------------------------------------------------------------- document date

_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}時(?:\d{1,2}分)?")
_ISSUER = re.compile(r"[^。、,]{0,15}(?:省|庁|局|課|室|部|官邸)")


def document_date(text: str, *, max_lines: int = 15) -> DateValue | None:
    """A press release's own date: a line near the top that holds only a date.

    Accepts "平成27年11月22日", "令和7年2月13日", "2025-2-13 09:05",
    "発表日:2025年2月13日(木)", "令和7年2月13日 防衛省". A date inside a
    sentence or a title ("防衛省が2月11日に開催した…") is not the document's date.
    Offsets are into ``text`` as given (original characters).
    """
    c = cues()
    head = text[:3000]
    nt = normalize(head)
    labels = re.compile(rf"(?:{_alt(c.labels)})")
    seen = 0
    pos = 0
    for line in nt.text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        s = line.strip()
        if not s:
            continue
        seen += 1
        if seen > max_lines:
            break
        if len(s) > 48:
            continue
        ms = find_dates(line)
        if len(ms) != 1:
            continue
        m = ms[0]
        if m.year is None or m.month is None or m.span_end is not None or m.in_name:
            continue
        rest = line[: m.start] + " " + line[m.end :]
        rest = _TIME.sub(" ", rest)
        rest = labels.sub(" ", rest)
        rest = re.sub(r"[\s::()\[\]【】|/\-・]+", "", rest)
        if rest and not _ISSUER.fullmatch(rest):
            continue
        value = DateContext().resolve(m)
        if value.iso is None:
            continue
        a, b = nt.to_original(line_start + m.start, line_start + m.end)
        return DateValue(iso=value.iso, start=a, end=b, rule=f"doc:date-line:{value.rule}")
    return None
