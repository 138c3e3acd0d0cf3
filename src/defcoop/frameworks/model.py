"""Plain records for frameworks of cooperation (JASMINE, the Joint Vision, FOIP, ...).

Every :class:`Span` is a half-open ``[start, end)`` range into the *original*
text of document ``doc`` (never a normalized view), with the 1-based line of
``start``. Names are kept as written in the source, without markup.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, is_dataclass
from decimal import Decimal
from typing import Any

# Relation kinds between frameworks.
RELATION_KINDS = (
    "follows_spirit_of",  # JASMINE follows the spirit of Vientiane Vision 2.0
    "serves",  # JASMINE serves the realization of FOIP / AOIP
    "shares_principles_with",  # FOIP and AOIP share essential principles
    "implements",  # an implementation plan implements a vision statement
    "mentions",
)


@dataclass(slots=True, frozen=True)
class Span:
    doc: str
    start: int
    end: int
    line: int

    def text_of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(slots=True)
class Citation:
    """Where a curated (hand-entered) fact comes from: a document and its lines."""

    doc: str
    lines: list[int]
    quote: str | None = None
    note: str | None = None
    span: Span | None = None  # resolved when the document is available


@dataclass(slots=True)
class LineOfEffort:
    title: str
    title_en: str | None = None
    description: str | None = None
    span: Span | None = None
    citation: Citation | None = None  # set when the entry is curated, not parsed


@dataclass(slots=True)
class CooperationArea:
    name: str
    name_en: str | None = None
    span: Span | None = None


@dataclass(slots=True)
class Statement:
    """A sentence describing a pillar (the ● bullets of JASMINE's table)."""

    text: str
    span: Span | None = None


@dataclass(slots=True)
class Pillar:
    number: int
    title: str
    title_en: str | None = None
    lines_of_effort: list[LineOfEffort] = field(default_factory=list)
    cooperation_areas: list[CooperationArea] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    span: Span | None = None
    # The list of initiatives ends in "等" (non-exhaustive).
    open_list: bool = False


@dataclass(slots=True)
class Initiative:
    name: (
        str  # as written, markup (【新】, ・, 「」 around a single title, list-closing 等) removed
    )
    new: bool = False
    pillars: list[int] = field(default_factory=list)
    name_en: str | None = None
    written: str = ""  # the bullet exactly as written in the source
    span: Span | None = None
    # Where the initiative is referred to in the text of another pillar (e.g. by its quoted name).
    mentions: list[Span] = field(default_factory=list)
    group: str | None = None  # a named list it belongs to (002: the PM's "アクション")


@dataclass(slots=True)
class Principle:
    name: str
    kind: str = "implementation"  # implementation | basic_direction
    name_en: str | None = None
    span: Span | None = None


@dataclass(slots=True)
class Relation:
    kind: str  # one of RELATION_KINDS
    target: str  # framework id (FOIP, AOIP, VV2 ...)
    span: Span | None = None
    citation: Citation | None = None  # set for curated relations


@dataclass(slots=True)
class Commitment:
    """A figure committed or reported: an amount of money or a quantity, with its period."""

    text: str  # the figure exactly as written ("5年間で350億ドル", "570件以上")
    span: Span | None = None
    amount: Decimal | None = None  # money, unit-normalized (億/兆/百万 → plain number)
    currency: str | None = None  # JPY | USD | EUR
    quantity: Decimal | None = None  # people, items ...
    quantity_unit: str | None = None  # people | items
    unit_as_written: str = ""  # 円, 米ドル, 人, 件 ...
    qualifier: str | None = None  # 約, 以上, 超, 規模 ... as written
    period_years: int | None = None
    period_text: str | None = None
    what: str | None = None  # the object written after the figure ("の資金" → 資金)
    heading: str | None = None  # the heading of the passage the figure is in
    date: str | None = None  # ISO with the precision given
    date_rule: str | None = None  # "line" (stated beside the figure) or "section" (heading)
    sentence: str = ""


@dataclass(slots=True)
class Plan:
    """An implementation plan: its number of items and that of its predecessor."""

    name: str
    items: int | None = None
    predecessor_items: int | None = None
    predecessor_label: str | None = None  # "40周年時の実施計画"
    span: Span | None = None


@dataclass(slots=True)
class Meeting:
    """A row of a table of meetings (002's 2023 ministerial meetings)."""

    date: str | None
    name: str
    end: str | None = None
    place: str | None = None
    summary: str | None = None
    special: bool = False  # ★ special meeting for the 50th anniversary
    shown_before: bool = False  # ■ described on an earlier page
    aside: bool = False  # written in parentheses: listed for context, not counted
    span: Span | None = None


@dataclass(slots=True)
class Milestone:
    date: str | None
    text: str
    span: Span | None = None


@dataclass(slots=True)
class Framework:
    id: str
    name: str
    name_en: str | None = None
    short_name: str | None = None
    aliases: list[str] = field(default_factory=list)
    adopted: str | None = None
    occasion: str | None = None
    place: str | None = None
    subtitle: str | None = None
    spans: list[Span] = field(default_factory=list)
    pillars: list[Pillar] = field(default_factory=list)
    declared_pillar_count: int | None = None  # "4つの柱", "3つの柱"
    initiatives: list[Initiative] = field(default_factory=list)
    principles: list[Principle] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    declared_meeting_count: int | None = None  # "13の閣僚級会議"
    milestones: list[Milestone] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    directions: list[Statement] = field(default_factory=list)
    notes: list[Statement] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)  # documents it was parsed from

    def pillar(self, number: int) -> Pillar | None:
        for p in self.pillars:
            if p.number == number:
                return p
        return None

    def initiatives_of(self, number: int) -> list[Initiative]:
        """Initiatives belonging to pillar ``number`` (an initiative may be under several)."""
        return [i for i in self.initiatives if number in i.pillars]

    def initiative(self, name: str) -> Initiative | None:
        for i in self.initiatives:
            if i.name == name or i.written == name:
                return i
        return None

    def matches(self, name: str) -> bool:
        key = name.strip().casefold()
        names = [self.id, self.name, self.name_en, self.short_name, *self.aliases]
        return any(n is not None and n.casefold() == key for n in names)


@dataclass(slots=True)
class Link:
    """An event linked to a framework pillar / initiative, with the rule that made the link."""

    framework: str
    pillar: int | None
    initiative: str | None
    rule: str
    line_of_effort: str | None = None
    area: str | None = None  # cooperation area (Joint Vision)
    cue: str | None = None  # the cue word that fired, if any
    reason: str = ""
    curated: bool = False  # added by a curator rather than by a rule
    note: str | None = None


@dataclass(slots=True)
class Achievement:
    """A dated event linked to a framework: what a review meeting lists."""

    event: str  # event id
    date: str | None
    partners: list[str]
    summary: str
    links: list[Link] = field(default_factory=list)
    kind: str | None = None
    source: Span | None = None

    def pillars(self, framework: str) -> list[int]:
        out: list[int] = []
        for lk in self.links:
            if lk.framework == framework and lk.pillar is not None and lk.pillar not in out:
                out.append(lk.pillar)
        return out


def to_plain(obj: Any) -> Any:
    """A JSON-ready view of a model object (Decimals as strings, spans as dicts)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return to_plain(asdict(obj))
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_plain(v) for v in obj]
    if isinstance(obj, Decimal):
        return format(obj, "f")
    return obj
