"""Per-paragraph mentions shared by the extraction stages.

A ``Paragraph`` holds the normalized text of one segment with its sentences, resolved
dates, partner mentions, Japanese principals and units, and foreign counterparts;
``DocState`` is what flows through a document (date context, section partner,
names learned). ``partners_in`` says which partners a stretch of text names as parties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from defcoop.extract import dates as dt
from defcoop.extract import partners as pt
from defcoop.extract import people as pp
from defcoop.extract import places
from defcoop.normalize import NormalizedText, normalize
from defcoop.records import DateValue, Document, Event, Segment

_AGENT_ONLY = re.compile(r"^(?:による|が(?:公表|発表|主催する))")
# "IP4(日豪韓ニュージーランド)": countries that only define a group are not parties


_GROUP_DEF = re.compile(r"(?:IP4|G7|G20|QUAD|Quad|クアッド|AUKUS)(?:\([^()]*\))?\($")


@dataclass(slots=True)
class ParaDate:
    start: int
    end: int
    value: DateValue
    aside: bool
    passing: bool = False  # a document's own date ("2022年の「共同声明」"): heads only that act


@dataclass(slots=True)
class Paragraph:
    seg: Segment
    nt: NormalizedText
    sentences: list[tuple[int, int]]
    dates: list[ParaDate]
    partners: list[Any]
    people: list[pp.JpPerson]
    units: list[pp.JpUnit]
    counterparts: list[pp.Counterpart]


@dataclass(slots=True)
class DocState:
    ctx: Any
    known_names: dict[str, str] = field(default_factory=dict)
    section: int = -1
    section_partners: list[str] = field(default_factory=list)
    doc_partners: list[str] = field(default_factory=list)
    last_event: Event | None = None
    heading_date: DateValue | None = None
    prev_topic: pp.JpPerson | None = None
    full: NormalizedText | None = None


_SENT_MARKS = re.compile(r"[「『(【」』)】。\t]")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a normalized paragraph: 。 outside brackets, and table cells.

    Only bracket and stop characters are visited, so long paragraphs cost little.
    """
    out: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for m in _SENT_MARKS.finditer(text):
        ch = m.group()
        i = m.start()
        if ch in "「『(【":
            depth += 1
        elif ch in "」』)】":
            depth = max(0, depth - 1)
        elif ch == "。" and depth == 0:
            out.append((start, i + 1))
            start = i + 1
        elif ch == "\t":
            out.append((start, i))
            start = i + 1
    if start < len(text):
        out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]


def is_country(name: str) -> bool:
    code = pt.registry().lookup(name)
    return bool(code)


def partners_in(
    para: Paragraph, a: int, b: int, *, context: bool = True, titles: bool = True
) -> list[str]:
    """Partner codes written in [a, b): counterparts, compounds and names.

    With ``context=False`` names that only say where, on what occasion or by
    whom something was hosted are left out. With ``titles=False`` names inside
    a quoted title count only as compounds (日豪…宣言), not as places in it.
    """
    T = para.nt.text
    ctx_spans = [] if context else places.context_spans(T[a:b])
    codes: list[str] = []
    for m in para.partners:
        if not a <= m.start < b:
            continue
        if _AGENT_ONLY.match(T[m.end : m.end + 8]) or T[m.start - 1 : m.start] == "在":
            continue
        if any(s <= m.start - a < e for s, e in ctx_spans):
            continue
        opened = T.rfind("(", 0, m.start)
        if (
            opened != -1
            and ")" not in T[opened : m.start]
            and _GROUP_DEF.search(T[max(0, opened - 30) : opened + 1])
        ):
            continue
        if not titles and m.via != "abbrev_compound" and _inside_quote(T, m.start):
            continue
        codes.append(m.code)
    for c in para.counterparts:
        if a <= c.start < b and c.partner:
            codes.append(c.partner)
    return sorted(set(codes) - {"JPN"})


def _inside_quote(T: str, pos: int) -> bool:
    q = T.rfind("「", 0, pos)
    return q != -1 and "」" not in T[q:pos]


def participants(para: Paragraph, a: int, b: int) -> list[str]:
    return partners_in(para, a, b, context=False)


def analyze(seg: Segment, doc: Document, st: DocState) -> Paragraph:
    nt = (
        st.full.sub(seg.start, seg.end)
        if st.full is not None
        else normalize(doc.text[seg.start : seg.end], base=seg.start)
    )
    T = nt.text
    sentences = split_sentences(T)
    partners = [m for m in pt.find_partners(T) if m.code != "JPN"]

    def partner_at(a: int, b: int) -> str | None:
        for m in partners:
            if a <= m.start < b:
                return str(m.code)
        return None

    counterparts = pp.find_counterparts(T, partner_at, st.known_names)
    dates: list[ParaDate] = []
    first = True
    for m in dt.find_dates(T):
        if getattr(m, "in_name", False) or getattr(m, "quoted", False):
            continue
        if (
            m.month is None
            and m.year is not None
            and re.match(r"[一-龥ァ-ヶ]", T[m.end : m.end + 1])
            and not re.match(r"[度頃末初来以中前後春夏秋冬内]", T[m.end : m.end + 1])
        ):
            continue  # "2025年日本国際博覧会": a year inside a name
        value = st.ctx.resolve(m)
        tail = T[m.end : m.end + 16]
        aside = bool(
            getattr(m, "until", False)
            or getattr(m, "as_of", False)
            or re.match(r"^(?:に|中に|の|まで)?[^、。]{0,6}(?:予定|計画|配備|目指|までに)", tail)
            or re.match(
                r"^(?:度)?(?:に続[きく]|以来\d+(?:回|度)目|以来初|ぶり|が)|^\d+(?:回|度)目", tail
            )
        )
        # "2022年の「共同声明」": a document's date, told in passing, is not the narrative's
        passing = bool(re.match(r"^の[「『]", tail))
        if value.iso and not aside and not passing:
            st.ctx.commit(value, lead=first)
            first = False
        dates.append(ParaDate(m.start, m.end, value, aside, passing))
    return Paragraph(
        seg, nt, sentences, dates, partners, pp.find_jp_people(T), pp.find_jp_units(T), counterparts
    )


def topic_of(para: Paragraph) -> pp.JpPerson | None:
    """The Japanese principal a paragraph is about: the first one marked with は.

    "木原防衛大臣(当時)および上川外務大臣(当時)は" names two together: the
    higher-ranking one (defense before foreign affairs) is the topic.
    """
    T = para.nt.text
    for i, p in enumerate(para.people):
        if re.match(r"^(?:\(当時\))?(?:は|が)", T[p.end : p.end + 6]):
            group = [p]
            for q in reversed(para.people[:i]):
                if re.fullmatch(r"(?:\(当時\))?(?:および|及び|、|と)", T[q.end : group[0].start]):
                    group.insert(0, q)
                else:
                    break
            return min(group, key=lambda x: x.rank)
    return None
