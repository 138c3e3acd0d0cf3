"""People and roles: Japanese principals, Japanese units, foreign counterparts.

Japanese officials are written "family name + title" (木原防衛大臣) with an
optional "(当時)" meaning the role was held at the time of the event. Foreign
counterparts are "katakana name + (・country | one-letter abbreviation) + title"
(マールズ豪副首相兼国防大臣, チョーハン・インド国防参謀長); a name seen once with
its country is remembered for the rest of the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from defcoop.extract.partners import japan_compound

_KANJI = "一-龥々〆ヵヶ"
_KATA = "ァ-ヶー"


@dataclass(frozen=True, slots=True)
class JpPerson:
    start: int
    end: int
    name: str | None  # family name as written, None for a bare title
    title: str
    role: str
    rank: int
    former: bool  # "(当時)"


@dataclass(frozen=True, slots=True)
class JpUnit:
    start: int
    end: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Counterpart:
    start: int
    end: int
    name: str
    title: str
    partner: str | None
    former: bool


@dataclass(frozen=True, slots=True)
class RoleRules:
    person_re: re.Pattern[str]
    title_role: dict[str, tuple[str, int]]
    unit_re: re.Pattern[str]
    unit_role: dict[str, str]
    implied: tuple[tuple[re.Pattern[str], str], ...]
    counterpart_re: re.Pattern[str]
    rank: dict[str, int]


@lru_cache(maxsize=1)
def role_rules() -> RoleRules:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("defcoop.data").joinpath("roles.yaml").read_text("utf-8")
    )
    titles = sorted(raw["titles"], key=lambda t: -len(t["title"]))
    title_role = {t["title"]: (t["role"], int(t["rank"])) for t in titles}
    alt = "|".join(re.escape(t["title"]) for t in titles)
    # name: 1-4 kanji not glued to a preceding kanji/katakana word (豪外務大臣, 国防副大臣)
    person_re = re.compile(
        rf"(?<![{_KANJI}{_KATA}A-Za-z・])([{_KANJI}]{{1,4}}?)?(?<![{_KATA}])({alt})(\(当時\))?"
    )
    units = sorted(raw["units"], key=lambda u: -len(u["name"]))
    unit_re = re.compile("|".join(re.escape(u["name"]) for u in units))
    unit_role = {u["name"]: u["role"] for u in units}
    implied = tuple((re.compile(i["re"]), i["role"]) for i in raw["implied_by_title"])
    ft = sorted(raw["foreign_titles"], key=len, reverse=True)
    counterpart_re = re.compile(
        rf"([{_KATA}]{{2,}}(?:・[{_KATA}]{{2,}})*|[{_KANJI}]{{1,4}}\([{_KATA}・]+\))"
        rf"(・?)([{_KANJI}A-Za-z・]{{0,12}}?)({'|'.join(re.escape(t) for t in ft)})(\(当時\))?"
    )
    rank = {role: r for role, r in title_role.values()}
    for u in units:
        rank.setdefault(u["role"], 20)
    return RoleRules(person_re, title_role, unit_re, unit_role, implied, counterpart_re, rank)


# Words that look like "kanji + title" but are not a Japanese person's name.
_NOT_NAMES = frozenset(
    {
        "国防",
        "外務",
        "防衛",
        "日本",
        "政府",
        "各国",
        "両国",
        "前",
        "元",
        "新",
        "同",
        "初代",
        "次期",
        "現",
    }
)


def find_jp_people(text: str) -> list[JpPerson]:
    """Japanese principals in normalized text (name + title)."""
    r = role_rules()
    out: list[JpPerson] = []
    for m in r.person_re.finditer(text):
        name, title, former = m.group(1), m.group(2), bool(m.group(3))
        start = m.start(1) if name else m.start(2)
        # "日中防衛相会談": a partner compound before a title is not a family name
        if name and (name in _NOT_NAMES or japan_compound().match(name)):
            continue
        # a title glued to a preceding katakana name or country is foreign (…豪外務大臣)
        before = text[start - 1] if start > 0 else ""
        if re.match(rf"[{_KATA}・]", before):
            continue
        if name is None and before and re.match(rf"[{_KANJI}A-Za-z]", before):
            continue
        role, rank = r.title_role[title]
        out.append(JpPerson(start, m.end(), name, title, role, rank, former))
    return out


def find_jp_units(text: str) -> list[JpUnit]:
    r = role_rules()
    return [
        JpUnit(m.start(), m.end(), m.group(0), r.unit_role[m.group(0)])
        for m in r.unit_re.finditer(text)
    ]


def implied_role(text: str) -> str | None:
    """Japan's side implied by a meeting title (首脳会談 -> PM)."""
    for pat, role in role_rules().implied:
        if pat.search(text):
            return role
    return None


def find_counterparts(text: str, partner_at: Any, known: dict[str, str]) -> list[Counterpart]:
    """Foreign counterparts; ``partner_at(s, e)`` gives the partner code written in a span.

    ``known`` maps names to partner codes learned earlier in the document and is
    updated in place.
    """
    out: list[Counterpart] = []
    for m in role_rules().counterpart_re.finditer(text):
        name, mid, title = m.group(1), m.group(3), m.group(4)
        partner = partner_at(m.start(3), m.end(3)) if mid else None
        if "・" in name and not partner:
            # "チョーハン・インド国防参謀長": the last ・part may be the country
            pos = m.start(1)
            for part in name.split("・")[:-1]:
                pos += len(part) + 1
                code = partner_at(pos, m.end(1) + 1)
                if code:
                    partner, mid, name = code, text[pos : m.end(3)], text[m.start(1) : pos - 1]
                    break
        key = name.split("(")[0]
        if partner:
            known[key] = partner
        else:
            partner = known.get(key)
        out.append(Counterpart(m.start(), m.end(), name, mid + title, partner, bool(m.group(5))))
    return out
