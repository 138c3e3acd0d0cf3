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
    triggers: list[tuple[str, re.Pattern[str], bool, str, bool, bool, re.Pattern[str] | None]]
    dated_noun: dict[str, re.Pattern[str]]
    docs: list[tuple[re.Pattern[str], str]]
    statuses: list[tuple[re.Pattern[str], str]]
    status_any: re.Pattern[str]
    window: int
    not_after: re.Pattern[str]
    not_before: re.Pattern[str]
    content_openers: re.Pattern[str]
    generic_after: re.Pattern[str]
    ongoing: re.Pattern[str]
    plan_tail: re.Pattern[str]
    vague: re.Pattern[str]
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
        (
            t["kind"],
            re.compile(t["re"]),
            bool(t.get("needs_act")),
            f"{t['kind']}#{i}",
            bool(t.get("weak")),
            bool(t.get("in_content")),
            re.compile(t["cue"]) if t.get("cue") else None,
        )
        for i, t in enumerate(raw["triggers"])
    ]
    ag = raw["agreement"]
    statuses = [(re.compile(s["re"]), s["status"]) for s in ag["statuses"]]
    return Cues(
        act=re.compile(raw["act"]),
        triggers=trig,
        dated_noun={k: re.compile(v) for k, v in raw["dated_noun"].items()},
        docs=[(re.compile(d["re"]), d["type"]) for d in ag["documents"]],
        statuses=statuses,
        status_any=re.compile("|".join(s["re"] for s in ag["statuses"])),
        window=int(ag["window"]),
        not_after=re.compile(raw["not_event_after"]),
        not_before=re.compile(raw["not_event_before"]),
        content_openers=re.compile(raw["content_openers"]),
        generic_after=re.compile(raw["generic_after"]),
        ongoing=re.compile(raw["ongoing_sentence"]),
        plan_tail=re.compile(raw["plan_tail"]),
        vague=re.compile(raw["vague_time"]),
        video=re.compile(raw["modality"]["video"]),
        phone=re.compile(raw["modality"]["phone"]),
        count=re.compile(raw["count"]),
        raw=raw,
    )


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


STRONG = frozenset({"meeting", "courtesy_call", "two_plus_two", "consultation", "conference"})


def find_triggers(
    text: str,
    sentence: tuple[int, int],
    date_ends: list[int] | None = None,
    last_type: str | None = None,
) -> list[Trigger]:
    """Act triggers in one sentence (offsets in ``text``), in reading order.

    ``date_ends`` are the end offsets of the dates of the sentence: a noun
    phrase headed by a date ("同年8月に行われた日印防衛相会談") tells an event.
    """
    c = cues()
    s0, s1 = sentence
    sent = text[s0:s1]
    taken: list[tuple[int, int]] = []
    out: list[Trigger] = []
    content = bool(c.content_openers.search(sent))
    for t in find_agreements(sent, last_type):
        out.append(Trigger(t.kind, t.start + s0, t.end + s0, t.rule, t.agreement))
        taken.append((t.start, t.end))
    for de in date_ends or []:
        if not s0 <= de < s1:
            continue
        for kind, pat in c.dated_noun.items():
            m = pat.match(text, de, s1)
            if m and not _overlaps((m.start(1) - s0, m.end(1) - s0), taken):
                out.append(Trigger(kind, m.start(1), m.end(1), f"{kind}:dated-noun"))
                taken.append((m.start(1) - s0, m.end(1) - s0))
                break
    weak: list[Trigger] = []
    for kind, pat, needs_act, rule, is_weak, in_content, cue in c.triggers:
        if content and not in_content:
            continue
        if cue is not None and not cue.search(sent):
            continue
        for m in pat.finditer(sent):
            span = (m.start(), m.end())
            if _overlaps(span, taken):
                continue
            if needs_act and not c.act.match(sent, m.end()):
                continue
            t = Trigger(kind, m.start() + s0, m.end() + s0, rule)
            if is_weak:
                weak.append(t)
            else:
                out.append(t)
            taken.append(span)
    if not any(t.kind in STRONG for t in out):
        out.extend(weak)
    else:
        # a facility visit or observation told apart from the talks still counts
        out.extend(
            t
            for t in weak
            if t.kind == "visit" and re.search("視察|部隊訪問", text[t.start : t.end])
        )
    out.sort(key=lambda t: t.start)
    return out


_SKIP_GROUPS = r"(?:[」』\d]|\([^()]*(?:\([^()]*\))?[^()]*\))*"
_DATED_HEAD = re.compile(
    r"(?:\d{4}年(?:\d{1,2}月)?|同年(?:\d{1,2}月)?|\d{1,2}月)(?:に)?の?[^、。]{0,30}$"
)


_SAME_DOC = re.compile(r"(?:同|本|当該)(?:協定|覚書|取決め?|条約|文書)")
_BARE_STATUS = re.compile(r"(?<=[、,])[^、。]{0,12}?に(発効|署名|締結)(?:し|した|され)")


def find_agreements(sent: str, last_type: str | None = None) -> list[Trigger]:
    """Document nouns with a status verb right after (…が署名され), before (署名された…),
    or headed by a date ("2019年の…共同声明", issued then). ``last_type`` is the type of
    the document the paragraph last told of: "同協定が署名され、2025年1月に発効した"
    goes on about it."""
    c = cues()
    out: list[Trigger] = []
    seen: list[tuple[int, int]] = []
    if last_type:
        for m in _SAME_DOC.finditer(sent):
            tail = sent[m.end() : m.end() + 20]
            sm = re.match(r"^(?:が|を|に|の|は)?[^、。]{0,6}?(" + c.status_any.pattern + ")", tail)
            if sm:
                out.append(
                    Trigger(
                        "agreement",
                        m.start(),
                        m.end() + sm.end(),
                        f"agreement:same:{last_type}",
                        {"type": last_type, "status": _status_of(sm.group(1))},
                    )
                )
                seen.append((m.start(), m.end() + sm.end()))
        if out:
            for m in _BARE_STATUS.finditer(sent):
                if not _overlaps((m.start(), m.end()), seen):
                    out.append(
                        Trigger(
                            "agreement",
                            m.start(),
                            m.end(),
                            f"agreement:same:{last_type}",
                            {"type": last_type, "status": _status_of(m.group(1))},
                        )
                    )
                    seen.append((m.start(), m.end()))
    status_re = c.status_any.pattern
    tail_re = re.compile(rf"^{_SKIP_GROUPS}(?:が|を|に|の|も|は)?([^、。]{{0,12}}?)({status_re})")
    for pat, typ in c.docs:
        for m in pat.finditer(sent):
            if _overlaps((m.start(), m.end()), seen):
                continue
            tail = sent[m.end() : m.end() + c.window + 80].split("。")[0]
            status = None
            stat_end = m.end()
            sm = tail_re.match(tail)
            sa = re.match(r"^[^、。]{0,16}?実質合意", tail)
            if sa:  # "…協定の締結交渉が実質合意に至った": the stage reached is 実質合意
                status, stat_end = "substantially_agreed", m.end() + sa.end()
                sm = None
            blocked = re.search(r"交渉|検討|向け|開始|予定|早期", sm.group(1)) if sm else None
            if status is not None:
                pass
            elif sm and (not blocked or sm.group(2) == "実質合意"):
                status = _status_of(sm.group(2))
                stat_end = m.end() + sm.end()
            else:
                # status verb before the noun, possibly before an opening 「 of its title
                head_end = m.start()
                q = sent.rfind("「", 0, m.start())
                if q != -1 and "」" not in sent[q : m.start()]:
                    head_end = q
                head = sent[max(0, head_end - 30) : head_end]
                hm = re.search(r"(" + status_re + r")(?:され|した|し)た?[^、。]{0,25}$", head)
                if hm and not re.search(r"に向け|交渉", head[hm.end() :]):
                    status = _status_of(hm.group(1))
                elif typ == "DECLARATION" and _DATED_HEAD.search(
                    sent[max(0, head_end - 40) : head_end]
                ):
                    status = "signed"
            if status is None:
                continue
            after = sent[stat_end : stat_end + 12]
            if (
                c.not_after.match(after) or re.match(r"^(?:に向け|のため|を目指|交渉)", after)
            ) and status != "substantially_agreed":
                continue
            if typ == "DECLARATION" and status == "in_force":
                status = "signed"
            out.append(
                Trigger(
                    "agreement",
                    m.start(),
                    stat_end,
                    f"agreement:{typ}",
                    {"type": typ, "status": status},
                )
            )
            seen.append((m.start(), stat_end))
    return out


def _status_of(verb: str) -> str:
    for pat, st in cues().statuses:
        if pat.fullmatch(verb) or pat.match(verb):
            return st
    return "signed"


def is_plan(text: str, trig_end: int, sent_end: int) -> bool:
    """True when the act is only planned, decided or aimed at (予定, 計画, 検討,
    …することで一致, 早期締結に向け…): read up to the next comma."""
    c = cues()
    tail = text[trig_end : min(sent_end, trig_end + 30)]
    if re.match(r"^(?:に至った|が行われた|を行った|した|された)", tail):
        return False  # told as done ("実質合意に至ったことを歓迎し…")
    clause_tail = re.split(r"[、。]", tail, maxsplit=1)[0]
    if c.not_after.match(tail.lstrip("をしにがてた、")) or c.plan_tail.search(clause_tail):
        return True
    return bool(re.match(r"^[^、。]{0,6}(?:予定|計画され|検討し|方針)", tail))


def modality_of(kind: str, clause: str, trig_text: str, count: int | None) -> str | None:
    """video / phone when the clause says so (テレビ会談により, 電話会談), else in person;
    None for kinds it does not apply to and for "N回にわたる" counts."""
    if kind not in ("meeting", "two_plus_two", "consultation", "courtesy_call", "conference"):
        return None
    if count:
        return None
    c = cues()
    if c.phone.search(trig_text) or c.phone.search(clause):
        return "phone"
    if c.video.search(trig_text) or c.video.search(clause):
        return "video"
    return "in_person"


def count_of(clause: str) -> int | None:
    """ "6回にわたる会談" -> 6 (the last count told in the clause)."""
    counts = cues().count.findall(clause)
    return int(counts[-1]) if counts else None


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
