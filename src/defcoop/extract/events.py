"""From the mentions of one paragraph to event records.

A trigger (cue noun + act predicate, data/events.yaml) opens a candidate event.
Its clause is the text from the previous trigger of the sentence (or the
sentence start) to the trigger's end; the event takes from that clause, then
from its sentence, then from its paragraph and finally from its section:
the date (last date before it), the partners, the Japanese principal, the
location and the occasion. Plans and intentions after the trigger cancel it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from defcoop.extract import places
from defcoop.extract.people import Counterpart, JpPerson, JpUnit, implied_role, role_rules


@dataclass(frozen=True, slots=True)
class Trigger:
    kind: str
    start: int
    end: int
    rule: str
    agreement: dict[str, str] | None = None


@dataclass(slots=True)
class Cues:
    act: re.Pattern[str]
    triggers: list[tuple[str, re.Pattern[str], bool, str]]
    docs: list[tuple[re.Pattern[str], str]]
    statuses: list[tuple[re.Pattern[str], str]]
    status_any: re.Pattern[str]
    window: int
    not_after: re.Pattern[str]
    not_before: re.Pattern[str]
    content_openers: re.Pattern[str]
    video: re.Pattern[str]
    phone: re.Pattern[str]
    count: re.Pattern[str]
    raw: dict[str, Any] = field(default_factory=dict)


@lru_cache(maxsize=1)
def cues() -> Cues:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("defcoop.data").joinpath("events.yaml").read_text("utf-8")
    )
    trig = [
        (t["kind"], re.compile(t["re"]), bool(t.get("needs_act")), f"{t['kind']}#{i}")
        for i, t in enumerate(raw["triggers"])
    ]
    ag = raw["agreement"]
    statuses = [(re.compile(s["re"]), s["status"]) for s in ag["statuses"]]
    return Cues(
        act=re.compile(raw["act"]),
        triggers=trig,
        docs=[(re.compile(d["re"]), d["type"]) for d in ag["documents"]],
        statuses=statuses,
        status_any=re.compile("|".join(s["re"] for s in ag["statuses"])),
        window=int(ag["window"]),
        not_after=re.compile(raw["not_event_after"]),
        not_before=re.compile(raw["not_event_before"]),
        content_openers=re.compile(raw["content_openers"]),
        video=re.compile(raw["modality"]["video"]),
        phone=re.compile(raw["modality"]["phone"]),
        count=re.compile(raw["count"]),
        raw=raw,
    )


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def find_triggers(text: str, sentence: tuple[int, int]) -> list[Trigger]:
    """Act triggers in one sentence (offsets in ``text``), in reading order."""
    c = cues()
    s0, s1 = sentence
    sent = text[s0:s1]
    taken: list[tuple[int, int]] = []
    out: list[Trigger] = []
    content = bool(c.content_openers.search(sent))
    # agreements first: a document noun with a status verb next to it
    for t in find_agreements(sent):
        out.append(Trigger(t.kind, t.start + s0, t.end + s0, t.rule, t.agreement))
        taken.append((t.start, t.end))
    if not content:
        for kind, pat, needs_act, rule in c.triggers:
            for m in pat.finditer(sent):
                span = (m.start(), m.end())
                if _overlaps(span, taken):
                    continue
                if needs_act and not c.act.match(sent, m.end()):
                    continue
                out.append(Trigger(kind, m.start() + s0, m.end() + s0, rule))
                taken.append(span)
    out.sort(key=lambda t: t.start)
    return out


def find_agreements(sent: str) -> list[Trigger]:
    """Document nouns with a status verb right after (…が署名され) or before (署名された…)."""
    c = cues()
    out: list[Trigger] = []
    seen: list[tuple[int, int]] = []
    for pat, typ in c.docs:
        for m in pat.finditer(sent):
            if _overlaps((m.start(), m.end()), seen):
                continue
            # the noun must end its phrase (覚書に, ACSAが, 共同声明を), not modify another noun
            tail = sent[m.end() : m.end() + c.window]
            tail = tail.split("。")[0]
            status = None
            stat_end = m.end()
            sm = re.match(r"^[」』\d]*(?:\([^)]*\))?[」』\d]*(?:が|を|に|の|も|は)?(?:[^、。]{0,12}?)(" + c.status_any.pattern + ")", tail)
            if sm:
                status = _status_of(sm.group(1))
                stat_end = m.end() + sm.end()
            else:
                head = sent[max(0, m.start() - 30) : m.start()]
                hm = re.search(r"(" + c.status_any.pattern + r")(?:され|した|し)た?[^、。]{0,25}$", head)
                if hm and not re.search(r"に向け", head[hm.end():]):
                    status = _status_of(hm.group(1))
            if status is None:
                continue
            after = sent[stat_end : stat_end + 12]
            if c.not_after.match(after) or re.match(r"^(?:に向け|のため|を目指|を歓迎|交渉)", after):
                if not (status == "substantially_agreed"):
                    continue
            if typ == "DECLARATION" and status == "in_force":
                status = "signed"
            out.append(
                Trigger("agreement", m.start(), stat_end, f"agreement:{typ}", {"type": typ, "status": status})
            )
            seen.append((m.start(), stat_end))
    return out


def _status_of(verb: str) -> str:
    for pat, st in cues().statuses:
        if pat.fullmatch(verb) or pat.match(verb):
            return st
    return "signed"


def is_plan(text: str, trig_end: int, sent_end: int) -> bool:
    """True when the act is only planned or intended (予定, 計画, 検討…)."""
    tail = text[trig_end : min(sent_end, trig_end + 14)]
    return bool(cues().not_after.match(tail.lstrip("をしにがてた、")) or re.match(r"^[^、。]{0,6}(?:予定|計画され|検討し|方針)", tail))


def modality_of(kind: str, clause: str, trig_text: str, count: int | None) -> str | None:
    if kind not in ("meeting", "two_plus_two", "consultation", "courtesy_call", "conference"):
        return None
    if count:
        return None
    c = cues()
    if c.phone.search(trig_text) or c.phone.search(clause[-12:]):
        return "phone"
    if c.video.search(trig_text) or c.video.search(clause[-20:]):
        return "video"
    return "in_person"


def count_of(clause: str) -> int | None:
    m = None
    for m in cues().count.finditer(clause):
        pass
    return int(m.group(1)) if m else None


def best_jp(people: list[JpPerson]) -> JpPerson | None:
    """The highest-ranking Japanese principal (defense before foreign affairs)."""
    return min(people, key=lambda p: p.rank) if people else None


def jp_from_units(units: list[JpUnit]) -> str | None:
    if not units:
        return None
    rank = role_rules().rank
    return min(units, key=lambda u: rank.get(u.role, 99)).role


__all__ = [
    "Counterpart",
    "Trigger",
    "best_jp",
    "count_of",
    "cues",
    "find_agreements",
    "find_triggers",
    "implied_role",
    "is_plan",
    "jp_from_units",
    "modality_of",
    "places",
]
