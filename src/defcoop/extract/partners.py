"""Partner registry and partner mentions in text.

The registry (``data/partners.yaml``) names every country, organization and group an
event can involve, with regions and dated memberships; ``data/partner_rules.yaml``
says how names are found in text. Both are data so that a misfire is fixed by an
entry and a test, not by code.

``find_partners`` scans NORMALIZED text (see ``defcoop.normalize``) with one compiled
regular expression: a character trie of all names, aliases, English names, blockers
and ambiguous surfaces, plus three patterns for one-character abbreviations
(日米豪比 compounds, 米豪 + relation word, 豪 + title). The trie gives the longest
surface at each position and lets ``re`` skip characters that cannot start one, which
keeps the finder at several million characters per second.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

KINDS = ("country", "organization", "group")
ROLES = ("member", "observer")
REGIONS = (
    "southeast_asia",
    "south_asia",
    "northeast_asia",
    "central_asia",
    "oceania_pacific",
    "europe",
    "middle_east",
    "africa",
    "americas",
    "international",
)
VIAS = ("name", "alias", "abbrev_compound", "abbrev_title", "english")

_KATAKANA = "\u30a1-\u30fa\u30fc"  # ァ-ヺ and the long mark ー; ・ is a boundary
_LATIN = "A-Za-z0-9"
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ"
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Membership:
    """``code`` belonged to a group as ``role`` from ``start`` until ``end`` (exclusive)."""

    code: str
    role: str
    start: str
    end: str | None = None

    def overlaps(self, lo: date, hi: date) -> bool:
        """True if the membership held on some day of ``[lo, hi]``.

        Partial dates stand for their whole period, so coarse dates widen the
        membership rather than invent a day.
        """
        m_lo = period(self.start)[0]
        m_end = period(self.end)[1] if self.end else None
        return m_lo <= hi and (m_end is None or lo < m_end)


@dataclass(frozen=True, slots=True)
class Partner:
    """One registry entry (see the header of ``partners.yaml`` for the fields)."""

    code: str
    kind: str
    name_en: str
    name_ja: str
    region: str
    aliases_ja: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()
    abbrev: tuple[str, ...] = ()
    un_member: bool | None = None
    is_self: bool = False
    members: tuple[Membership, ...] = ()


@dataclass(frozen=True, slots=True)
class PartnerMention:
    """A partner named at ``text[start:end]``; ``via`` says which rule found it."""

    start: int
    end: int
    code: str
    surface: str
    via: str


def period(value: str | date) -> tuple[date, date]:
    """First and last day of an ISO date of precision YYYY, YYYY-MM or YYYY-MM-DD."""
    if isinstance(value, date):
        return value, value
    m = _DATE_RE.fullmatch(str(value).strip())
    if not m:
        raise ValueError(f"not an ISO date of precision YYYY[-MM[-DD]]: {value!r}")
    y, mo, d = int(m[1]), m[2], m[3]
    if mo is None:
        return date(y, 1, 1), date(y, 12, 31)
    if d is None:
        return date(y, int(mo), 1), date(y, int(mo), monthrange(y, int(mo))[1])
    day = date(y, int(mo), int(d))
    return day, day


# --------------------------------------------------------------------------- registry


def _fold(text: str) -> str:
    """Key for exact lookup: NFKC, no spaces around, case-folded for Latin."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


class Registry:
    """All partners, indexed by code and by every name; memberships resolved on dates."""

    def __init__(self, partners: Iterable[Partner], ambiguous: Iterable[str] = ()) -> None:
        self._by_code: dict[str, Partner] = {}
        self._names: dict[str, str] = {}
        for p in partners:
            if p.code in self._by_code:
                raise ValueError(f"duplicate partner code {p.code}")
            self._by_code[p.code] = p
        for p in self._by_code.values():
            self._check(p)
            for s in (p.code, p.name_ja, p.name_en, *p.aliases_ja, *p.aliases_en, *p.abbrev):
                key = _fold(s)
                other = self._names.setdefault(key, p.code)
                if other != p.code:
                    raise ValueError(f"surface {s!r} names both {other} and {p.code}")
        for s in ambiguous:  # ambiguous surfaces that are nobody's name resolve to nothing
            self._names.setdefault(_fold(s), "")

    def _check(self, p: Partner) -> None:
        if p.kind not in KINDS or p.region not in REGIONS:
            raise ValueError(f"{p.code}: bad kind {p.kind!r} or region {p.region!r}")
        for m in p.members:
            if m.code not in self._by_code or m.role not in ROLES:
                raise ValueError(f"{p.code}: bad membership {m}")
            period(m.start)
            if m.end is not None and period(m.end)[1] < period(m.start)[0]:
                raise ValueError(f"{p.code}: membership ends before it starts: {m}")

    def get(self, code: str) -> Partner | None:
        """The entry for ``code`` (case-insensitive), or None."""
        return self._by_code.get(code) or self._by_code.get(code.upper())

    def all(self, kind: str | None = None) -> list[Partner]:
        """All entries in file order, optionally of one kind."""
        return [p for p in self._by_code.values() if kind is None or p.kind == kind]

    def _require(self, code: str) -> Partner:
        p = self.get(code)
        if p is None:
            raise KeyError(code)
        return p

    def name(self, code: str, lang: str = "ja") -> str:
        """Display name: the Japanese government short form, or the English name."""
        p = self._require(code)
        return p.name_ja if lang == "ja" else p.name_en

    def region(self, code: str) -> str:
        return self._require(code).region

    def members(
        self,
        group: str,
        on: str | date | None = None,
        roles: Iterable[str] | None = None,
        include_self: bool = False,
    ) -> list[Membership]:
        """Membership rows of ``group`` held on ``on`` (any day of a partial date).

        ``on=None`` gives the whole history. Japan is left out unless
        ``include_self``, because Japan is never a partner of its own events.
        """
        rows = self._require(group).members
        wanted = set(roles) if roles is not None else None
        lo_hi = period(on) if on is not None else None
        out = []
        for m in rows:
            if wanted is not None and m.role not in wanted:
                continue
            if not include_self and self._by_code[m.code].is_self:
                continue
            if lo_hi is None or m.overlaps(*lo_hi):
                out.append(m)
        return out

    def member_codes(
        self, group: str, on: str | date, roles: Iterable[str] = ("member",)
    ) -> list[str]:
        """Sorted codes of ``group``'s members (by default full members only) on ``on``."""
        return sorted({m.code for m in self.members(group, on, roles)})

    def groups_of(self, code: str, on: str | date | None = None) -> list[str]:
        """Codes of the organizations and groups ``code`` belonged to on ``on``."""
        lo_hi = period(on) if on is not None else None
        out = []
        for p in self._by_code.values():
            if any(m.code == code and (lo_hi is None or m.overlaps(*lo_hi)) for m in p.members):
                out.append(p.code)
        return out

    def lookup(self, text: str) -> str | None:
        """Code for an exact name, alias, abbreviation, English name or code; else None."""
        return self._names.get(_fold(text)) or None

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Partner]:
        return iter(self._by_code.values())


def _load_yaml(name: str) -> Any:
    text = resources.files("defcoop.data").joinpath(name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # same safe schema, in C
    return yaml.load(text, Loader=loader)


def _str(v: Any) -> str:
    return v.isoformat() if isinstance(v, date) else str(v)


def _partner(d: dict[str, Any]) -> Partner:
    members = tuple(
        Membership(
            code=str(m["code"]),
            role=str(m.get("role", "member")),
            start=_str(m["start"]),
            end=_str(m["end"]) if m.get("end") is not None else None,
        )
        for m in d.get("members") or ()
    )
    return Partner(
        code=str(d["code"]),
        kind=str(d["kind"]),
        name_en=str(d["name_en"]),
        name_ja=str(d["name_ja"]),
        region=str(d["region"]),
        aliases_ja=tuple(str(a) for a in d.get("aliases_ja") or ()),
        aliases_en=tuple(str(a) for a in d.get("aliases_en") or ()),
        abbrev=tuple(str(a) for a in d.get("abbrev") or ()),
        un_member=d.get("un_member"),
        is_self=bool(d.get("is_self", False)),
        members=members,
    )


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """The finder rules of ``partner_rules.yaml`` (cached)."""
    data: dict[str, Any] = _load_yaml("partner_rules.yaml")
    return data


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The partner registry, loaded once from ``partners.yaml``."""
    data = _load_yaml("partners.yaml")
    amb = rules().get("ambiguous") or {}
    return Registry(
        (_partner(d) for d in data["partners"]), [*amb.get("ja", ()), *amb.get("en", ())]
    )


# --------------------------------------------------------------------------- finder


class _Trie:
    """Character trie that prints itself as a regular expression."""

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.end: str | None = None  # assertion to check when a surface ends here

    def add(self, word: str, end_assert: str = "") -> None:
        node = self
        for ch in word:
            node = node.children.setdefault(ch, _Trie())
        node.end = end_assert

    def pattern(self) -> str:
        alts = [re.escape(ch) + child.pattern() for ch, child in sorted(self.children.items())]
        if self.end is not None:
            alts.append(self.end)  # last, so longer surfaces are tried first
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"


def _kind_of(ch: str) -> str:
    if re.match(f"[{_KATAKANA}]", ch):
        return "kana"
    if re.match(f"[{_LATIN}]", ch):
        return "latin"
    return "other"


_BOUNDARY = {"kana": _KATAKANA, "latin": _LATIN}


class _Finder:
    """The compiled pattern and the tables that turn matches into mentions."""

    def __init__(self, reg: Registry, rl: dict[str, Any]) -> None:
        # surface -> (code or "" for consumed-without-mention, via)
        self.table: dict[str, tuple[str, str]] = {}
        self.kind: dict[str, str] = {p.code: p.kind for p in reg}
        self.abbrev: dict[str, str] = {}
        for p in reg:
            if p.is_self:
                continue
            self._put(p.name_ja, p.code, "name")
            for a in p.aliases_ja:
                self._put(a, p.code, "alias")
            self._put(p.name_en, p.code, "english")
            for a in p.aliases_en:
                self._put(a, p.code, "english")
            for a in p.abbrev:
                self.abbrev[a] = p.code
                if len(a) > 1:  # Latin abbreviations (NZ, UAE) also stand alone
                    self._put(a, p.code, "alias")
        for group in ("blockers", "ambiguous"):
            for lang in ("ja", "en"):
                for s in (rl.get(group) or {}).get(lang) or ():
                    self.table[str(s)] = ("", "")
        self.needs_follow = {str(s) for s in rl.get("compound_needs_follow") or ()}
        licensing = [str(w) for w in (*rl["title_words"], *rl["relation_words"])]
        self.follow_re = re.compile(_alternation(licensing))
        self.token_re = re.compile(
            "|".join(re.escape(a) for a in sorted(self.abbrev, key=len, reverse=True))
        )
        self.pattern = re.compile(self._build(rl, licensing))

    def _put(self, surface: str, code: str, via: str) -> None:
        if surface and surface not in self.table:
            self.table[surface] = (code, via)

    def _build(self, rl: dict[str, Any], licensing: list[str]) -> str:
        trie = _Trie()
        for s in self.table:
            end = _BOUNDARY.get(_kind_of(s[-1]))
            guard = f"(?![{end}])" if end else ""
            if s.endswith("海") and not self.table[s][0]:
                guard += "(?!軍)"  # フィリピン海 is a sea, フィリピン海軍 a navy
            trie.add(s, guard)
        not_before: dict[str, list[str]] = {
            str(k): [str(w) for w in v or ()]
            for k, v in (rl.get("abbrev_not_before") or {}).items()
        }

        def token(a: str) -> str:
            if _kind_of(a[-1]) == "latin":
                return re.escape(a) + f"(?![{_LATIN}])"
            nb = not_before.get(a)
            return re.escape(a) + (f"(?!{_alternation(nb)})" if nb else "")

        tokens = (
            "(?:" + "|".join(token(a) for a in sorted(self.abbrev, key=len, reverse=True)) + ")"
        )
        prev_block = re.escape(str(rl["compound_prev_block"]))
        marks = re.escape(str(rl["date_marks"]))
        not_date = f"(?<![{marks}][0-9].)(?<![{marks}][0-9][0-9].)"
        word_start = f"(?:(?<![{_KANJI}].)|(?<=[{re.escape(str(rl['title_prev_ok']))}].))"
        follow = f"(?={_alternation(licensing)})"
        titles = f"(?={_alternation([str(w) for w in rl['title_words']])})"
        title_abbrevs = set(str(rl["title_abbrevs"]))

        starts: dict[str, list[str]] = {}
        for ch, child in trie.children.items():
            kind = _kind_of(ch)
            head = f"(?<![{_BOUNDARY[kind]}].)" if kind in _BOUNDARY else ""
            starts.setdefault(ch, []).append(head + child.pattern())
        # Rule 1: 日 + abbreviations (the 日 must not end a date or a word).
        starts.setdefault("日", []).append(f"(?<![{prev_block}].){not_date}{tokens}+")
        for a in self.abbrev:
            if len(a) != 1:
                continue
            nb = not_before.get(a)
            own = f"(?!{_alternation(nb)})" if nb else ""
            # Rule 2: two or more abbreviations before a relation or title word.
            starts.setdefault(a, []).append(f"{word_start}{own}{tokens}+{follow}")
            # Rule 3: one abbreviation before a title word.
            if a in title_abbrevs:
                starts[a].append(f"{word_start}{own}{titles}")
        alts = []
        for ch in sorted(starts):
            rest = starts[ch]
            body = rest[0] if len(rest) == 1 else "(?:" + "|".join(rest) + ")"
            alts.append(re.escape(ch) + body)
        return "|".join(alts)

    def find(self, text: str, include_groups: bool) -> list[PartnerMention]:
        out: list[PartnerMention] = []
        search = self.pattern.search
        pos = 0
        while True:
            m = search(text, pos)
            if m is None:
                return out
            start, end = m.span()
            s = m.group()
            hit = self.table.get(s)
            if hit is not None:
                code, via = hit
                if code and (include_groups or self.kind[code] != "group"):
                    out.append(PartnerMention(start, end, code, s, via))
                pos = end
                continue
            if len(s) == 1:  # rule 3
                out.append(PartnerMention(start, end, self.abbrev[s], s, "abbrev_title"))
                pos = end
                continue
            if s in self.needs_follow and not self.follow_re.match(text, end):
                pos = start + 1
                continue
            body = 1 if s[0] == "日" and s[0] not in self.abbrev else 0
            for t in self.token_re.finditer(s, body):
                a = t.group()
                out.append(
                    PartnerMention(
                        start + t.start(), start + t.end(), self.abbrev[a], a, "abbrev_compound"
                    )
                )
            pos = end


def _alternation(words: Iterable[str]) -> str:
    """A trie-shaped regex matching any of ``words`` (the longest first)."""
    trie = _Trie()
    for w in words:
        trie.add(w)
    return trie.pattern()


@lru_cache(maxsize=1)
def _finder() -> _Finder:
    return _Finder(registry(), rules())


@lru_cache(maxsize=1)
def japan_compound() -> re.Pattern[str]:
    """``日`` followed by a partner abbreviation (日米豪比, 日中, 日NZ): a compound of
    Japan and its partners, built from the registry's abbreviations."""
    abbrevs = sorted(_finder().abbrev, key=len, reverse=True)
    return re.compile("^日(?:" + "|".join(re.escape(a) for a in abbrevs) + ")")


def find_partners(text: str, *, include_groups: bool = False) -> list[PartnerMention]:
    """Partner mentions in NORMALIZED ``text`` (NFKC: half-width Latin, digits, brackets).

    Offsets index ``text``. Japan is never returned; groups (G7, QUAD, IP4) only with
    ``include_groups``. A compound such as 日米豪比 gives one mention per partner, each
    spanning its own abbreviation.
    """
    return _finder().find(text, include_groups)
