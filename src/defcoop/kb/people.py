"""The person registry and role tenures, inferred from dated mentions in the events.

A *mention* is a person named with a title in an event's text, dated by the event:

* Japanese principals: the event's ``jp_name``/``jp_role`` (curated values win, since
  they are the event's values), plus the other Japanese officials named in the
  event's quote (上川外務大臣 beside 木原防衛大臣 in a "2+2"). "(当時)" after the
  title -- looked up in the event's sentence -- means the role was held at the time
  of the event and no longer when the text was written.
* Foreign counterparts: the event's partner-side participants, with the title
  (country removed) mapped to a role code of ``data/kb_roles.yaml`` or kept as written.

Mentions of one country are grouped into persons: the same name; a name that begins
another name of the same country sharing a role (申 -> 申源湜); a reading that begins
another's reading (申(シン) -> 申源湜(シンウォンシク)); a katakana name equal to the
start of a kanji name's reading (シン -> 申源湜). A short name that could belong to two
persons stays apart (never guessed).

A tenure is the span of one person's dated mentions in one role: from the earliest to
the latest. When a person has month- or day-precise mentions, year-only mentions
inside that span do not widen it (a "2024" mention does not make 中谷 minister in
January). Unresolved dates never count. Tenures are *attested* periods, not official
terms: between two holders' attested periods nobody is answered.

Curated corrections win: a curated person (state verified/corrected/manual) keeps its
id, name and variants and claims every mention of its variants; a rejected person
swallows its mentions; a curated tenure (basis ``curated``) of a person and role
replaces the inferred one, and for single-holder roles a curated tenure covering the
whole asked period hides other persons' inferred tenures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from defcoop.errors import DefcoopError
from defcoop.extract.partners import find_partners, period, registry
from defcoop.extract.people import JpPerson, find_jp_people, role_rules
from defcoop.kb._bulk import update_rows_by_id
from defcoop.normalize import normalize
from defcoop.records import content_id
from defcoop.store import Store
from defcoop.store import models as m
from defcoop.store.dates import bounds

CURATED_PERSON_STATES = ("verified", "corrected", "manual")


class PeopleError(DefcoopError, ValueError):
    """A person or tenure query that cannot be answered as asked (a bad date)."""


#: Event kinds the Japanese principal performs (talks, visits, attendance): the principal
#: counts as a dated mention even when the quote leaves the name to a previous sentence.
TALK_KINDS = frozenset(
    {"meeting", "two_plus_two", "consultation", "courtesy_call", "conference", "visit"}
)
PRECISION_RANK = {"day": 3, "month": 2, "year": 1}

_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ"
_KATA = "ァ-ヺー"
_KANJI_NAME = re.compile(f"[{_KANJI}]{{1,4}}")
_KATA_NAME = re.compile(f"[{_KATA}・]+")
_HIRAGANA = re.compile("[ぁ-ゖ]")
_NAME_READING = re.compile(rf"^(?P<name>[^()]+)\((?P<reading>[{_KATA}・]+)\)$")
_LEAD_GIVEN = re.compile(rf"^(?P<part>[{_KATA}]{{2,}})・(?P<rest>.+)$")


# --------------------------------------------------------------------------- role tables


@dataclass(frozen=True, slots=True)
class RoleTables:
    jp_titles: dict[str, str]  # Japanese title -> role code (roles.yaml)
    jp_person_roles: frozenset[str]  # role codes a named person can hold
    foreign: dict[str, str]  # foreign title -> role code (kb_roles.yaml)
    single_holder: frozenset[str]


@lru_cache(maxsize=1)
def role_tables() -> RoleTables:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("defcoop.data").joinpath("kb_roles.yaml").read_text("utf-8")
    )
    foreign: dict[str, str] = {}
    for code, titles in (raw.get("foreign_titles") or {}).items():
        for t in titles:
            foreign[str(t)] = str(code)
    rr = role_rules()
    jp_titles = {t: role for t, (role, _rank) in rr.title_role.items()}
    return RoleTables(
        jp_titles=jp_titles,
        jp_person_roles=frozenset(jp_titles.values()),
        foreign=foreign,
        single_holder=frozenset(str(x) for x in raw.get("single_holder") or ()),
    )


def foreign_role(title: str) -> str:
    """Role code of a foreign title without its country, or the title as written."""
    tail = title.rsplit("兼", 1)[-1]
    tables = role_tables()
    if tail in tables.foreign:
        return tables.foreign[tail]
    best = max((t for t in tables.foreign if tail.endswith(t)), key=len, default=None)
    return tables.foreign[best] if best else title


def role_code(value: str) -> str:
    """A role code from a code (MOD_MIN) or a title (防衛大臣, 国防大臣)."""
    v = value.strip()
    tables = role_tables()
    if v.upper() in tables.jp_person_roles or v.upper() in set(tables.foreign.values()):
        return v.upper()
    if v in tables.jp_titles:
        return tables.jp_titles[v]
    return foreign_role(v)


# --------------------------------------------------------------------------- mentions


@dataclass(slots=True)
class Mention:
    """A person named with a title in the text of a dated event."""

    side: str  # jp | partner
    country: str | None
    name: str
    reading: str | None
    role: str
    title: str | None
    former: bool
    date: str
    date_from: dt.date
    date_to: dt.date
    event_id: str
    evidence_id: str | None = None
    doc_key: str | None = None
    end_date: str | None = None
    participant_id: str | None = None
    cue: str = ""

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month", 10: "day"}.get(len(self.date), "unknown")


@lru_cache(maxsize=1)
def _abbrev_chars() -> frozenset[str]:
    return frozenset(a for p in registry() for a in p.abbrev if len(a) == 1)


#: Kanji runs before a title that are not a family name (同国防副大臣, 前防衛大臣 ...).
_NOT_NAME_PARTS = ("国防", "防衛", "外務", "政府", "両国", "各国", "日本")


def valid_jp_name(name: str | None) -> bool:
    """A Japanese family name as the finder writes it, not a partner compound (日米豪比)."""
    if not name or not _KANJI_NAME.fullmatch(name):
        return False
    if any(w in name for w in _NOT_NAME_PARTS):
        return False
    if name[0] == "日" and len(name) > 1 and all(c in _abbrev_chars() for c in name[1:]):
        return False
    return not find_partners(name) and registry().lookup(name) is None


def _split_reading(name: str) -> tuple[str, str | None]:
    mt = _NAME_READING.match(name)
    if mt:
        return mt["name"], mt["reading"]
    if _KATA_NAME.fullmatch(name):
        return name, name
    return name, None


@lru_cache(maxsize=1)
def _partner_surfaces() -> tuple[tuple[str, str], ...]:
    """Every (surface, code) of the registry, longest first (names, aliases, abbreviations)."""
    out: set[tuple[str, str]] = set()
    for p in registry():
        if p.is_self:
            continue
        for surface in (p.name_ja, p.name_en, p.code, *p.aliases_ja, *p.aliases_en, *p.abbrev):
            if surface:
                out.add((normalize(surface).text, p.code))
    return tuple(sorted(out, key=lambda x: (-len(x[0]), x)))


@lru_cache(maxsize=1)
def _partner_surfaces_by_first() -> dict[str, tuple[tuple[str, str], ...]]:
    """``_partner_surfaces`` by first character (each list keeps the longest-first order)."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for surface, code in _partner_surfaces():
        out[surface[:1]].append((surface, code))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=8192)
def _strip_partner_prefix(title: str) -> tuple[str, str | None]:
    """``(title without a leading country, that country)`` -- 豪国防大臣 -> 国防大臣, AUS.

    "米国防長官" is 米 + 国防長官, not 米国 + 防長官: a split that leaves a known title wins
    over the longest country name.
    """
    norm = normalize(title).text
    by_first = _partner_surfaces_by_first()
    splits = [
        (norm[len(s) :], code) for s, code in by_first.get(norm[:1], ()) if norm.startswith(s)
    ]
    splits = [(rest, code) for rest, code in splits if rest]
    if not splits:
        return title, None
    known = [(rest, code) for rest, code in splits if foreign_role(rest) != rest]
    rest, code = known[0] if known else splits[0]
    return rest, code


def clean_counterpart(
    name: str, title: str | None, partner: str | None, event_partners: Sequence[str]
) -> tuple[str, str | None, str, str | None, str] | None:
    """``(name, reading, title, country, cue)`` of a counterpart as the extractor gave it,
    or None when it is not a person (a place or country caught as a name, a title that
    swallowed a clause)."""
    title = (title or "").strip()
    name = name.strip()
    if not name or not title or _HIRAGANA.search(title) or "、" in title:
        return None
    cue = "participant"
    # "ティア" + "セイハー・カンボジア副首相…": the given name went into the title
    lead = _LEAD_GIVEN.match(title)
    if lead and not find_partners(lead["part"]):
        name, title = f"{name}・{lead['part']}", lead["rest"]
    name, reading = _split_reading(name)
    # "エスペレタ・フィリピン": the country went into the name
    if "・" in name and reading == name:
        head, _, last = name.rpartition("・")
        code = registry().lookup(last)
        if code:
            name, reading, partner = head, head, partner or code
    if registry().lookup(name) or find_partners(normalize(name).text):
        return None  # a country or place, not a person
    title, code = _strip_partner_prefix(title)
    partner = partner or code
    if not title:
        return None
    if partner is None:
        countries = [
            c
            for c in event_partners
            if (q := registry().get(c)) is not None and q.kind == "country"
        ]
        if len(set(countries)) == 1:
            partner, cue = countries[0], "event_partner"
    return name, reading, title, partner, cue


def _sentence(seg: tuple[int, list[Any], str] | None, start: int, end: int, quote: str) -> str:
    """Text of the sentence of ``seg`` that holds offset ``start`` (else the quote)."""
    if seg is None:
        return quote
    seg_start, sentences, text = seg
    for s, e in sentences or []:
        if s <= start < e:
            return text[s - seg_start : e - seg_start]
    return text or quote


def _chunks(items: Sequence[Any], n: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


@lru_cache(maxsize=1024)
def _jp_people_in(text: str) -> tuple[JpPerson, ...]:
    """Japanese principals named in ``text`` (as stored; normalized here). The events of
    one sentence ask for the same sentence in turn, and the quote is often all of it."""
    return tuple(find_jp_people(normalize(text).text))


def collect_mentions(session: Session) -> list[Mention]:
    """Every dated person mention of the non-rejected events of the store."""
    ev = m.Event
    events = session.execute(
        select(ev.id, ev.doc_key, ev.kind, ev.date, ev.end, ev.jp_role, ev.jp_name, ev.quote).where(
            ev.state != "rejected", ev.date.is_not(None)
        )
    ).all()
    info = {e.id: e for e in events}
    out: list[Mention] = []
    # -- Japanese principals ------------------------------------------------------------------
    jp_events = [e for e in events if e.jp_name or (e.jp_role and e.quote)]
    evidence: dict[str, tuple[str, int, int, str, int | None]] = {}
    for chunk in _chunks([e.id for e in jp_events]):
        for row in session.execute(
            select(
                m.Evidence.event_id,
                m.Evidence.id,
                m.Evidence.start,
                m.Evidence.end,
                m.Evidence.quote,
                m.Evidence.segment_id,
                m.Evidence.origin,
            )
            .where(m.Evidence.event_id.in_(chunk))
            .order_by(m.Evidence.event_id, m.Evidence.origin, m.Evidence.start)
        ):
            evidence.setdefault(
                row.event_id, (row.id, row.start, row.end, row.quote, row.segment_id)
            )
    seg_ids = sorted({v[4] for v in evidence.values() if v[4] is not None})
    segments: dict[int, tuple[int, list[Any], str]] = {}
    for chunk in _chunks(seg_ids):
        for sid, sstart, sents, text in session.execute(
            select(m.Segment.id, m.Segment.start, m.Segment.sentences, m.Segment.text).where(
                m.Segment.id.in_(chunk)
            )
        ):
            segments[sid] = (sstart, sents or [], text)
    person_roles = role_tables().jp_person_roles
    for e in jp_events:
        lo, hi = _event_bounds(e.date, e.end)
        if lo is None or hi is None:
            continue
        ev_id, start, end, quote, seg_id = evidence.get(e.id, (None, 0, 0, e.quote or "", None))
        sentence = _sentence(segments.get(seg_id) if seg_id else None, start, end, quote)
        in_sentence = _jp_people_in(sentence)
        in_quote = _jp_people_in(quote or e.quote or "")
        seen: set[tuple[str, str]] = set()
        # an act the principal did not perform ("会談では、2023年6月に両国が署名した…"):
        # count the principal only when named in the quote or the event is one of theirs
        acted = e.kind in TALK_KINDS or (e.jp_name or "") in (quote or e.quote or "")
        if e.jp_name and e.jp_role and acted and valid_jp_name(e.jp_name):
            same = [p for p in in_sentence if p.name == e.jp_name]
            role = e.jp_role
            if role not in person_roles:  # GOV/MOD: take the title's role when written
                role = next((p.role for p in same), role)
            if role in person_roles:
                former = any(p.former for p in same)
                title = next((p.title for p in same if p.role == role), None)
                out.append(
                    Mention(
                        "jp", "JPN", e.jp_name, None, role, title, former, e.date, lo, hi,
                        e.id, ev_id, e.doc_key, e.end, cue="principal" + ("+当時" if former else ""),
                    )
                )  # fmt: skip
                seen.add((e.jp_name, role))
        for p in in_quote:
            if p.name is None or (p.name, p.role) in seen or not valid_jp_name(p.name):
                continue
            if p.role not in person_roles:
                continue
            seen.add((p.name, p.role))
            out.append(
                Mention(
                    "jp", "JPN", p.name, None, p.role, p.title, p.former, e.date, lo, hi,
                    e.id, ev_id, e.doc_key, e.end, cue="named_in_quote" + ("+当時" if p.former else ""),
                )
            )  # fmt: skip
    # -- foreign counterparts -----------------------------------------------------------------
    partners_of: dict[str, list[str]] = defaultdict(list)
    pa = m.Participant
    parts = session.execute(
        select(pa.id, pa.event_id, pa.partner_code, pa.name, pa.role_code, pa.title, pa.former)
        .join(ev, ev.id == pa.event_id)
        .where(
            pa.side == "partner",
            pa.state != "rejected",
            pa.name.is_not(None),
            ev.state != "rejected",
            ev.date.is_not(None),
        )
    ).all()
    for chunk in _chunks(sorted({p.event_id for p in parts})):
        for eid, code in session.execute(
            select(m.EventPartner.event_id, m.EventPartner.partner_code).where(
                m.EventPartner.event_id.in_(chunk)
            )
        ):
            partners_of[eid].append(code)
    for part in parts:
        pe = info.get(part.event_id)
        if pe is None:
            continue
        lo, hi = _event_bounds(pe.date, pe.end)
        if lo is None or hi is None:
            continue
        cleaned = clean_counterpart(
            part.name or "",
            part.title or part.role_code,
            part.partner_code,
            partners_of.get(part.event_id, []),
        )
        if cleaned is None:
            continue
        name, reading, title, country, cue = cleaned
        out.append(
            Mention(
                "partner", country, name, reading, foreign_role(title), title, bool(part.former),
                pe.date, lo, hi, pe.id, None, pe.doc_key, pe.end, participant_id=part.id,
                cue=cue + ("+当時" if part.former else ""),
            )
        )  # fmt: skip
    return out


def _event_bounds(iso: str | None, end: str | None) -> tuple[date | None, date | None]:
    lo, hi = bounds(iso)
    if end:
        _lo2, hi2 = bounds(end)
        hi = hi2 or hi
    return lo, hi


# --------------------------------------------------------------------------- persons


def _fold_reading(r: str | None) -> str:
    return (r or "").replace("・", "").replace("ー", "")


@dataclass(slots=True)
class PersonDraft:
    id: str
    name: str
    reading: str | None
    country: str | None
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> variant
    mentions: list[Mention] = field(default_factory=list)
    curated: bool = False
    rejected: bool = False

    @property
    def roles(self) -> set[str]:
        return {mn.role for mn in self.mentions}


def _variant_names(p: m.Person) -> set[str]:
    names = {p.name}
    for v in p.variants or []:
        if isinstance(v, str):
            names.add(v)
        elif isinstance(v, dict) and v.get("name"):
            names.add(str(v["name"]))
    return names


def person_id(country: str | None, name: str) -> str:
    return content_id("person", country or "", name)


def _merge_rule(short: PersonDraft, long: PersonDraft) -> str | None:
    """Why ``short`` is a variant of ``long`` (same country), or None."""
    if not short.roles & long.roles:
        return None
    a, b = short.name, long.name
    ra = {_fold_reading(v.get("reading")) for v in short.variants.values()} - {""}
    rb = {_fold_reading(v.get("reading")) for v in long.variants.values()} - {""}
    kanji_a = bool(_KANJI_NAME.fullmatch(a))
    if kanji_a and b.startswith(a) and len(b) > len(a):
        if not ra or not rb or any(y.startswith(x) for x in ra for y in rb):
            return "family_name_prefix"
        return None
    if not kanji_a and _KATA_NAME.fullmatch(a):
        fa = _fold_reading(a)
        if b.startswith(a + "・"):
            return "given_name_prefix"
        if _KANJI_NAME.search(b) and any(y.startswith(fa) for y in rb) and fa:
            return "reading_prefix"
    return None


def build_persons(mentions: Sequence[Mention], curated: Sequence[m.Person]) -> list[PersonDraft]:
    """Group mentions into persons (see the module docstring for the rules)."""
    claim: dict[tuple[str | None, str], PersonDraft] = {}
    drafts: list[PersonDraft] = []
    for p in curated:
        d = PersonDraft(
            p.id, p.name, p.name_reading, p.country, curated=True, rejected=p.state == "rejected"
        )
        for n in sorted(_variant_names(p)):
            d.variants[n] = {"name": n, "reading": p.name_reading if n == p.name else None,
                             "rule": "curated"}  # fmt: skip
            claim[(p.country, n)] = d
        drafts.append(d)
    by_name: dict[tuple[str | None, str], PersonDraft] = {}
    for mn in mentions:
        key = (mn.country, mn.name)
        owner = claim.get(key)
        if owner is not None:
            owner.mentions.append(mn)
            continue
        d2 = by_name.get(key)
        if d2 is None:
            d2 = PersonDraft(person_id(mn.country, mn.name), mn.name, mn.reading, mn.country)
            by_name[key] = d2
        d2.mentions.append(mn)
        v = d2.variants.setdefault(
            mn.name, {"name": mn.name, "reading": mn.reading, "rule": "name"}
        )
        if mn.reading and not v.get("reading"):
            v["reading"] = mn.reading
            d2.reading = d2.reading or mn.reading
    # merge short names into the one longer name of the same country they fit
    parent: dict[str, PersonDraft] = {}
    autos = sorted(by_name.values(), key=lambda d: (d.country or "", len(d.name), d.name))
    by_country: dict[str | None, list[PersonDraft]] = defaultdict(list)
    for d in autos:
        by_country[d.country].append(d)
    for group in by_country.values():
        for i, short in enumerate(group):
            fits = [
                (long, rule)
                for long in group[i + 1 :]
                if len(long.name) > len(short.name)
                and (rule := _merge_rule(short, long)) is not None
            ]
            if len(fits) == 1:
                parent[short.id] = fits[0][0]
                short.variants[short.name]["rule"] = fits[0][1]

    def root(d: PersonDraft) -> PersonDraft:
        while d.id in parent:
            d = parent[d.id]
        return d

    merged: dict[str, PersonDraft] = {}
    for d in autos:
        r = root(d)
        target = merged.setdefault(
            r.id, PersonDraft(r.id, r.name, r.reading, r.country, dict(r.variants))
        )
        if d is not r:
            for n, v in d.variants.items():
                target.variants.setdefault(n, v)
            target.reading = target.reading or d.reading
        target.mentions.extend(d.mentions)
    drafts.extend(merged.values())
    return drafts


# --------------------------------------------------------------------------- tenures


@dataclass(slots=True)
class TenureDraft:
    id: str
    person_id: str
    role: str
    country: str | None
    start: str
    end: str
    start_from: date
    end_to: date
    evidence_id: str | None
    note: str
    mentions: int


def infer_tenure(person: PersonDraft, role: str, ms: Sequence[Mention]) -> TenureDraft:
    """The attested period of ``person`` in ``role`` from its dated mentions."""
    # A fixed order: ties (same day and precision) must pick the same evidence whatever
    # order the store returned the mentions in (it differs after a crash and resume).
    ms = sorted(ms, key=lambda x: (x.date_from, x.evidence_id or "", x.doc_key or ""))
    best = max(PRECISION_RANK.get(x.precision, 0) for x in ms)
    floor = min(best, PRECISION_RANK["month"])
    fine = [x for x in ms if PRECISION_RANK.get(x.precision, 0) >= floor]
    first = min(fine, key=lambda x: (x.date_from, -PRECISION_RANK.get(x.precision, 0)))
    last = max(fine, key=lambda x: (x.date_to, PRECISION_RANK.get(x.precision, 0)))
    lo, hi = first.date_from, last.date_to
    start, end = first.date, last.end_date or last.date
    inside = 0
    for x in ms:
        if PRECISION_RANK.get(x.precision, 0) >= floor:  # in ``fine`` (a list test was quadratic)
            continue
        if x.date_to < lo:  # a coarse mention outside the fine span still widens it
            lo, start, first = x.date_from, x.date, x
        elif x.date_from > hi:
            hi, end = x.date_to, x.end_date or x.date
        else:
            inside += 1
    docs = {x.doc_key for x in ms if x.doc_key}
    marked = sum(1 for x in ms if x.former)
    note = (
        f"inferred from {len(ms)} dated mention(s) in {len(docs)} document(s), "
        f"first {start}, last {end}"
    )
    if marked:
        note += f"; {marked} marked (当時): held at the time, not when written"
    if inside:
        note += f"; {inside} coarser mention(s) inside the span"
    return TenureDraft(
        id=content_id("tenure", person.id, role, person.country or "", "inferred"),
        person_id=person.id,
        role=role,
        country=person.country,
        start=start,
        end=end,
        start_from=lo,
        end_to=hi,
        evidence_id=first.evidence_id,
        note=note,
        mentions=len(ms),
    )


def infer_tenures(persons: Sequence[PersonDraft]) -> list[TenureDraft]:
    out: list[TenureDraft] = []
    for p in persons:
        if p.rejected:
            continue
        by_role: dict[str, list[Mention]] = defaultdict(list)
        for mn in p.mentions:
            by_role[mn.role].append(mn)
        for role, ms in sorted(by_role.items()):
            out.append(infer_tenure(p, role, ms))
    _flag_overlaps(out, {p.id: p.name for p in persons})
    return out


def _flag_overlaps(tenures: list[TenureDraft], names: dict[str, str]) -> None:
    """Note two inferred holders of a single-holder role overlapping by over a month."""
    single = role_tables().single_holder
    by_key: dict[tuple[str, str | None], list[TenureDraft]] = defaultdict(list)
    for t in tenures:
        if t.role in single:
            by_key[(t.role, t.country)].append(t)
    for group in by_key.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                lo, hi = max(a.start_from, b.start_from), min(a.end_to, b.end_to)
                if (hi - lo).days > 31:
                    a.note += (
                        f"; overlaps {names.get(b.person_id, b.person_id)} ({b.start}..{b.end})"
                    )
                    b.note += (
                        f"; overlaps {names.get(a.person_id, a.person_id)} ({a.start}..{a.end})"
                    )


# --------------------------------------------------------------------------- persist


@dataclass(slots=True)
class PeopleResult:
    mentions: int = 0
    persons: int = 0
    tenures: int = 0
    curated_tenures: int = 0
    linked_participants: int = 0


def _variants_list(d: PersonDraft) -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for mn in d.mentions:
        counts[mn.name] += 1
    return [{**v, "mentions": counts.get(n, 0)} for n, v in sorted(d.variants.items())]


def build_people_session(session: Session) -> PeopleResult:
    """Rebuild automatic persons and inferred tenures; curated rows are kept as they are."""
    res = PeopleResult()
    mentions = collect_mentions(session)
    res.mentions = len(mentions)
    existing = {p.id: p for p in session.scalars(select(m.Person))}
    curated = [
        p
        for p in existing.values()
        if p.merged_into_id is None and (p.state in CURATED_PERSON_STATES or p.state == "rejected")
    ]
    drafts = build_persons(mentions, curated)
    autos = [d for d in drafts if not d.curated and d.mentions]
    tenures = infer_tenures([d for d in drafts if d.mentions])
    curated_keys = {
        (t.person_id, t.role)
        for t in session.scalars(select(m.RoleTenure).where(m.RoleTenure.basis == "curated"))
    }
    res.curated_tenures = len(curated_keys)
    tenures = [t for t in tenures if (t.person_id, t.role) not in curated_keys]
    # -- persons
    wanted_ids = {d.id for d in autos}
    keep_auto = {
        pid
        for (pid,) in session.execute(
            select(m.RoleTenure.person_id).where(m.RoleTenure.basis == "curated")
        )
    }
    stale = [
        p.id
        for p in existing.values()
        if p.state == "automatic"
        and p.merged_into_id is None
        and p.id not in wanted_ids
        and p.id not in keep_auto
    ]
    session.execute(
        delete(m.RoleTenure).where(
            m.RoleTenure.basis == "inferred",
            m.RoleTenure.id.not_in([t.id for t in tenures])
            if tenures
            else m.RoleTenure.id.is_not(None),
        )
    )
    for chunk in _chunks(stale):
        session.execute(delete(m.Person).where(m.Person.id.in_(chunk)))
    for d in autos:
        row = existing.get(d.id)
        values = {
            "name": d.name,
            "name_reading": d.reading,
            "country": d.country,
            "variants": _variants_list(d),
        }
        if row is None:
            session.add(m.Person(id=d.id, state="automatic", **values))
        elif row.state == "automatic":
            for f, v in values.items():
                if getattr(row, f) != v:
                    setattr(row, f, v)
    session.flush()
    # -- tenures
    have_t = {
        t.id: t
        for t in session.scalars(select(m.RoleTenure).where(m.RoleTenure.basis == "inferred"))
    }
    for t in tenures:
        values_t: dict[str, Any] = {
            "person_id": t.person_id,
            "role": t.role,
            "country": t.country,
            "start": t.start,
            "end": t.end,
            "start_from": t.start_from,
            "end_to": t.end_to,
            "evidence_id": t.evidence_id,
            "note": t.note,
        }
        row_t = have_t.get(t.id)
        if row_t is None:
            session.add(m.RoleTenure(id=t.id, basis="inferred", **values_t))
        else:
            for f, val in values_t.items():
                if getattr(row_t, f) != val:
                    setattr(row_t, f, val)
    # -- participants -> persons
    link: dict[str, str] = {}
    for d in drafts:
        if d.rejected:
            continue
        for mn in d.mentions:
            if mn.participant_id:
                link[mn.participant_id] = d.id
    pa = m.Participant
    current = dict(session.execute(select(pa.id, pa.person_id).where(pa.side == "partner")).all())
    relink = [
        {"_id": pid, "person_id": link.get(pid)}
        for pid, old in current.items()
        if link.get(pid) != old
    ]
    update_rows_by_id(session, pa, relink)
    res.linked_participants += len(relink)
    session.flush()
    res.persons = sum(1 for d in drafts if d.mentions and not d.rejected)
    res.tenures = len(tenures) + res.curated_tenures
    return res


def build_people(store: Store) -> PeopleResult:
    with store.write_session() as s:
        return build_people_session(s)


# --------------------------------------------------------------------------- queries


@dataclass(slots=True, frozen=True)
class Holder:
    """A person holding a role over a period (attested or curated)."""

    person_id: str
    name: str
    reading: str | None
    country: str | None
    role: str
    start: str | None
    end: str | None
    basis: str  # inferred | curated | source
    note: str | None
    tenure_id: str
    version: int
    person_state: str
    variants: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _holder(t: m.RoleTenure, p: m.Person) -> Holder:
    variants = sorted(_variant_names(p) - {p.name})
    return Holder(
        person_id=p.id,
        name=p.name,
        reading=p.name_reading,
        country=t.country or p.country,
        role=t.role,
        start=t.start,
        end=t.end,
        basis=t.basis,
        note=t.note,
        tenure_id=t.id,
        version=t.version,
        person_state=p.state,
        variants=variants,
    )


def list_tenures(
    store: Store,
    *,
    role: str | None = None,
    country: str | None = None,
    as_of: str | date | None = None,
    name: str | None = None,
) -> list[Holder]:
    """Tenures (with their persons), filtered; with ``as_of``, those overlapping that date.

    Curated tenures win over inferred ones (see the module docstring).
    """
    role_c = role_code(role) if role else None
    t, p = m.RoleTenure, m.Person
    stmt = (
        select(t, p)
        .join(p, p.id == t.person_id)
        .where(p.state != "rejected", p.merged_into_id.is_(None))
        .order_by(t.country, t.role, t.start_from, p.name)
    )
    if role_c:
        stmt = stmt.where(t.role == role_c)
    if country:
        stmt = stmt.where(t.country == country.upper())
    if name:
        stmt = stmt.where(or_(p.name == name, p.name_reading == name))
    lo = hi = None
    if as_of is not None:
        try:
            lo, hi = period(as_of)
        except ValueError as err:
            raise PeopleError(f"--as-of {as_of!r}: {err}") from err
        stmt = stmt.where(
            or_(t.start_from.is_(None), t.start_from <= hi),
            or_(t.end_to.is_(None), t.end_to >= lo),
        )
    with store.session() as s:
        rows = [(r[0], r[1]) for r in s.execute(stmt)]
        curated = {(tt.person_id, tt.role) for tt, _pp in rows if tt.basis == "curated"}
        rows = [
            (tt, pp)
            for tt, pp in rows
            if tt.basis == "curated" or (tt.person_id, tt.role) not in curated
        ]
        if lo is not None and hi is not None:
            single = role_tables().single_holder
            covering = {
                (tt.role, tt.country)
                for tt, _pp in rows
                if tt.basis == "curated"
                and tt.role in single
                and (tt.start_from is None or tt.start_from <= lo)
                and (tt.end_to is None or tt.end_to >= hi)
            }
            rows = [
                (tt, pp)
                for tt, pp in rows
                if tt.basis == "curated" or (tt.role, tt.country) not in covering
            ]
        if name and not rows:
            return []
        return [_holder(tt, pp) for tt, pp in rows]


def who_held(store: Store, role: str, country: str, as_of: str | date) -> list[Holder]:
    """Who held ``role`` for ``country`` on ``as_of`` (YYYY, YYYY-MM or YYYY-MM-DD).

    Empty when no attested or curated tenure covers the date (never guessed).
    """
    return list_tenures(store, role=role, country=country, as_of=as_of)


def nearest_holders(
    store: Store, role: str, country: str, as_of: str | date
) -> tuple[Holder | None, Holder | None]:
    """The last holder attested before ``as_of`` and the first after it (for "nobody")."""
    try:
        lo, hi = period(as_of)
    except ValueError as err:
        raise PeopleError(f"--as-of {as_of!r}: {err}") from err
    before = after = None
    for h in list_tenures(store, role=role, country=country):
        s_lo = bounds(h.start)[0] if h.start else None
        e_hi = bounds(h.end)[1] if h.end else None
        if (
            e_hi is not None
            and e_hi < lo
            and (before is None or (before.end or "") < (h.end or ""))
        ):
            before = h
        if (
            s_lo is not None
            and s_lo > hi
            and (after is None or (after.start or "") > (h.start or ""))
        ):
            after = h
    return before, after


@dataclass(slots=True, frozen=True)
class PersonView:
    id: str
    name: str
    reading: str | None
    country: str | None
    state: str
    version: int
    variants: list[dict[str, Any]]
    tenures: list[Holder]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tenures"] = [h.to_dict() for h in self.tenures]
        return d


def get_person(store: Store, person: str, country: str | None = None) -> PersonView | None:
    """A person by id, or by name/variant (with ``country`` to disambiguate)."""
    with store.session() as s:
        row = s.get(m.Person, person)
        if row is None:
            stmt = select(m.Person).where(m.Person.merged_into_id.is_(None))
            if country:
                stmt = stmt.where(m.Person.country == country.upper())
            cands = [p for p in s.scalars(stmt) if person in _variant_names(p)]
            if len(cands) != 1:
                return None
            row = cands[0]
        tenures = [
            _holder(t, row)
            for t in s.scalars(
                select(m.RoleTenure)
                .where(m.RoleTenure.person_id == row.id)
                .order_by(m.RoleTenure.start_from)
            )
        ]
        variants = [v if isinstance(v, dict) else {"name": v} for v in (row.variants or [])]
        return PersonView(
            row.id, row.name, row.name_reading, row.country, row.state, row.version, variants,
            tenures,
        )  # fmt: skip
