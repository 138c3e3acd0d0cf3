"""The extraction pipeline over a segmented document.

Stages, each testable alone: dates (``dates``) -> mentions (``partners``,
``people``, ``places``) -> triggers (``events``) -> event records with
attributes and provenance (this module). Date context flows through a section
in reading order; the partner of a section comes from its heading or its
opening sentence ("インドは、…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from defcoop.extract import dates as dt
from defcoop.extract import events as ev
from defcoop.extract import partners as pt
from defcoop.extract import people as pp
from defcoop.extract import places
from defcoop.normalize import NormalizedText, normalize
from defcoop.records import DateValue, Document, Event, Evidence, Participant, Segment
from defcoop.segment import segment as segment_document

EVENT_BLOCKS = frozenset({"body", "table_row", "heading"})
_SECTION_INTRO = re.compile(r"^(?:[^、。]{0,40}?)(?:は、|との間では|とは、|との間で|とは)")
_AGENT_ONLY = re.compile(r"^(?:による|が(?:公表|発表|主催する))")
# "IP4(日豪韓ニュージーランド)": countries that only define a group are not parties
_GROUP_DEF = re.compile(r"(?:IP4|G7|G20|QUAD|Quad|クアッド|AUKUS)(?:\([^()]*\))?\($")
_TALKS = frozenset({"meeting", "courtesy_call", "consultation", "two_plus_two"})
_CONF_NOUN = re.compile(r"(?:会議|会合|サミット|総会|フォーラム|シンポジウム)")
_CONTINUATION = re.compile(r"^(?:また|さらに|加えて|このほか|なお)、")
_HERE = re.compile(r"今般|今回の|本会合|同会合")
_TABLE_MEETING = re.compile(
    r"^[(■★\s]*([^\t()■★]{2,40}?(?:会合|会議|対話|サミット|フォーラム))(?=$|[\s()■★])"
)
_PARTICIPATION = re.compile(r"(?:参加|出席)(?:しました|した|。|$)")
_DATE_JOIN = re.compile(r"^(?:および|及び|ならびに|と|、|,|\s)*$")


@dataclass(slots=True)
class _Date:
    start: int
    end: int
    value: DateValue
    aside: bool
    passing: bool = False  # a document's own date ("2022年の「共同声明」"): heads only that act


@dataclass(slots=True)
class _Para:
    seg: Segment
    nt: NormalizedText
    sentences: list[tuple[int, int]]
    dates: list[_Date]
    partners: list[Any]
    people: list[pp.JpPerson]
    units: list[pp.JpUnit]
    counterparts: list[pp.Counterpart]


@dataclass(slots=True)
class _DocState:
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


def _split_sentences(text: str) -> list[tuple[int, int]]:
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


def _is_country(name: str) -> bool:
    code = pt.registry().lookup(name)
    return bool(code)


def _partners_in(
    para: _Para, a: int, b: int, *, context: bool = True, titles: bool = True
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


def _participants(para: _Para, a: int, b: int) -> list[str]:
    return _partners_in(para, a, b, context=False)


def _analyze(seg: Segment, doc: Document, st: _DocState) -> _Para:
    nt = (
        st.full.sub(seg.start, seg.end)
        if st.full is not None
        else normalize(doc.text[seg.start : seg.end], base=seg.start)
    )
    T = nt.text
    sentences = _split_sentences(T)
    partners = [m for m in pt.find_partners(T) if m.code != "JPN"]

    def partner_at(a: int, b: int) -> str | None:
        for m in partners:
            if a <= m.start < b:
                return str(m.code)
        return None

    counterparts = pp.find_counterparts(T, partner_at, st.known_names)
    dates: list[_Date] = []
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
        dates.append(_Date(m.start, m.end, value, aside, passing))
    return _Para(
        seg, nt, sentences, dates, partners, pp.find_jp_people(T), pp.find_jp_units(T), counterparts
    )


def _choose_partners(
    para: _Para, trig: ev.Trigger, clause: tuple[int, int], sent: tuple[int, int], st: _DocState
) -> list[str]:
    """Who took part: the clause's counterparts and names, then the sentence's,
    then the section's partner, and only then places and occasions."""
    T = para.nt.text
    s0, _ = sent
    if trig.kind == "agreement":
        # the compound in the document's name (日伊ACSA, 日韓秘密軍事情報保護協定)
        head = max(clause[0], trig.start - 12)
        own = _partners_in(para, head, trig.end, context=False, titles=False)
        if own:
            return own
    partners = _partners_in(para, clause[0], trig.end, context=False, titles=False)
    if trig.kind in _TALKS:
        # the people talked with say who the parties are (not an incident or a venue named
        # on the way: "中国海警局とフィリピン軍との事案を受けて、ブラウナー…と会談")
        met = {
            c.partner for c in para.counterparts if clause[0] <= c.start < trig.end and c.partner
        }
        compounds = {
            m.code
            for m in para.partners
            if clause[0] <= m.start < trig.end and m.via == "abbrev_compound"
        }
        if met:
            partners = sorted((met | compounds) - {"JPN"})
    if "共同で" in T[clause[0] : trig.end] or not partners:
        partners = sorted(
            set(partners) | set(_partners_in(para, s0, trig.end, context=False, titles=False))
        )
    if not partners:
        # "…に寄港した韓国合同巡航訓練戦団": the party follows an act told as a relative clause
        rel = re.match(r"(?:し|され)た[^、。]{0,24}", T[trig.end :])
        if rel:
            partners = _partners_in(para, trig.end, trig.end + rel.end(), context=False)
    if not partners:
        partners = list(st.section_partners)
    if not partners:
        # a sentence that goes on about the paragraph's act ("また、…共同声明を採択")
        partners = _partners_in(para, 0, s0, context=False)
    if not partners:
        partners = _partners_in(para, clause[0], trig.end)
    if not partners and para.seg.kind in ("heading", "table_row"):
        partners = list(st.doc_partners)  # a box title or table of a one-partner document
    return partners


def _date_groups(para: _Para, a: int, b: int) -> list[_Date]:
    """The dates that head the act in [a, b): the last date, or the last run of
    dates joined by および/、 ("2024年6月および9月に" -> two dates)."""
    T = para.nt.text
    ds = [
        d
        for d in para.dates
        if a <= d.start < b and not d.aside and d.value.iso and not (d.passing and b - d.end > 40)
    ]
    if not ds:
        return []
    group = [ds[-1]]
    for d in reversed(ds[:-1]):
        between = T[d.end : group[0].start]
        if _DATE_JOIN.match(between) or re.fullmatch(
            r"(?:に|には)?(?:、)?(?:および|及び)", between
        ):
            group.insert(0, d)
        else:
            break
    # "2024年6月、同月に…": one date told twice
    uniq: list[_Date] = []
    for d in group:
        if not uniq or uniq[-1].value.iso != d.value.iso:
            uniq.append(d)
    return uniq


def _all_groups(para: _Para, a: int, b: int) -> list[list[_Date]]:
    """All runs of joined dates in [a, b), in order."""
    T = para.nt.text
    groups: list[list[_Date]] = []
    for d in (d for d in para.dates if a <= d.start < b and not d.aside and d.value.iso):
        if groups and (
            _DATE_JOIN.match(T[groups[-1][-1].end : d.start])
            or re.fullmatch(r"(?:に|には)?(?:、)?(?:および|及び)", T[groups[-1][-1].end : d.start])
        ):
            groups[-1].append(d)
        else:
            groups.append([d])
    return groups


def _distributive(para: _Para, a: int, b: int) -> list[tuple[list[_Date], int, int]]:
    """ "2024年4月にA と、9月および12月には B と…訓練を行った": each date run with
    the stretch of text it heads, when every stretch names its own party,
    occasion or place."""
    groups = _all_groups(para, a, b)
    if len(groups) < 2:
        return []
    T = para.nt.text
    stretches = []
    for i, g in enumerate(groups):
        end = groups[i + 1][0].start if i + 1 < len(groups) else b
        stretches.append((g, g[-1].end, end))
    own = [
        bool(
            _partners_in(para, s, e, context=False)
            or places.find_occasion(T[s:e])
            or places.find_location(T[s:e])
            or _CONF_NOUN.search(T[s:e])
        )
        for _, s, e in stretches
    ]
    # the last stretch holds the act itself, so only the earlier ones must stand alone
    if all(own[:-1]):
        return stretches
    return []


def _fallback_date(para: _Para, before: int, st: _DocState) -> DateValue | None:
    ds = [d for d in para.dates if d.start < before and not d.aside and d.value.iso]
    if ds:
        return ds[-1].value
    return None


def _events_of_paragraph(para: _Para, doc: Document, st: _DocState) -> list[Event]:
    T = para.nt.text
    out: list[Event] = []
    para_people = para.people
    topic = _topic(para)
    if topic is None and _CONTINUATION.match(T) and st.prev_topic is not None:
        topic = st.prev_topic  # "また、…" goes on with the previous paragraph's actor
    unit_topic = next((u for u in para.units if T[u.end : u.end + 1] in ("は", "が")), None)
    sentence_events: list[Event] = []
    for s0, s1 in para.sentences:
        last_type = next(
            (
                e.agreement["type"]
                for e in reversed(out)
                if e.agreement and e.agreement.get("type") != "DECLARATION"
            ),
            None,
        )
        triggers = ev.find_triggers(
            T, (s0, s1), [d.end for d in para.dates if not d.aside and d.value.iso], last_type
        )
        # a visit that only frames a meeting or courtesy call is covered by it
        has_meeting = any(
            t.kind in ("meeting", "courtesy_call", "two_plus_two", "consultation") for t in triggers
        )
        prev_end = s0
        for trig in triggers:
            clause = (prev_end, trig.end)
            prev_end = trig.end
            if (
                trig.kind == "visit"
                and has_meeting
                and not re.search("視察|部隊訪問", T[trig.start : trig.end])
            ):
                continue
            if ev.is_plan(T, trig.end, s1):
                continue
            group = _date_groups(para, clause[0], trig.end)
            own_date = bool(group)
            prev = [t for t in triggers if t.start < trig.start]
            verbal = bool(re.match(r"(?:し|した|され|に至)", T[trig.end : trig.end + 3]))
            if not group and (
                trig.kind != "agreement"
                or (prev and (prev[-1].kind in ev.STRONG or verbal))
                or any(t.kind in ev.STRONG for t in prev)
            ):
                # an agreement takes the date of the meeting it was signed or welcomed at
                group = _date_groups(para, s0, trig.start)
            dated_before = any(s0 <= d.start < trig.start and d.value.iso for d in para.dates)
            if not dated_before and ev.cues().generic_after.match(T[trig.end : trig.end + 10]):
                continue  # a standing state or a habit, not a dated act
            if (
                not group
                and _CONTINUATION.match(T)
                and not any(d.start < trig.start and d.value.iso for d in para.dates)
            ):
                lead = getattr(st.ctx, "previous_lead", None)
                if lead is not None and lead.iso:  # "また、…の会談では" goes on with the last act
                    group = [
                        _Date(
                            trig.start,
                            trig.start,
                            DateValue(lead.iso, rule="ctx:continuation"),
                            False,
                        )
                    ]
            if not group and not any(d.start < trig.start and d.value.iso for d in para.dates):
                # "…の拠出により、2006年に設立": the date follows the act
                nxt = next((t.start for t in triggers if t.start > trig.start), s1)
                group = [
                    d
                    for d in para.dates
                    if trig.end <= d.start < nxt and not d.aside and d.value.iso
                ][:1]
            sentence_dated = any(s0 <= d.start < s1 and d.value.iso for d in para.dates)
            if not own_date and ev.cues().vague.search(T[clause[0] : trig.end]):
                continue  # "コロナ禍においても…": dated only vaguely
            if not sentence_dated and ev.cues().ongoing.search(T[s0:s1].strip()):
                continue  # background: a state or habit told without a date
            dvals = [d.value for d in group]
            if not dvals:
                if (
                    trig.kind == "agreement"
                    and sentence_dated
                    and not _HERE.search(T[clause[0] : trig.end])
                ):
                    continue
                fb = _fallback_date(para, s0, st) or st.heading_date
                if fb is None:
                    continue
                dvals = [fb]
            jp_in_sentence = any(s0 <= p.start < s1 for p in para_people) or any(
                s0 <= u.start < s1 for u in para.units
            )
            if trig.kind == "other" and "派遣" in T[trig.start : trig.end] and not jp_in_sentence:
                continue  # an act only the partner performs (its own deployment)
            if trig.kind == "visit" and any(t.kind == "exercise" for t in triggers):
                continue  # a base visited to observe an exercise is covered by it
            partners = _choose_partners(para, trig, clause, (s0, s1), st)
            if not partners:
                continue
            jp_role, jp_name = _japanese_side(
                para, trig, clause, (s0, s1), topic, unit_topic, sentence_events
            )
            clause_text = T[clause[0] : trig.end]
            kind = trig.kind
            trig_text = T[trig.start : trig.end]
            if (
                kind == "agreement"
                and "交換公文" in trig_text
                and re.search(r"OSA|政府安全保障能力強化支援", T[s0:s1])
            ):
                kind = "equipment_transfer"  # an OSA grant's exchange of notes
            if (
                kind == "meeting"
                and re.search(r"(?:会合|会議)$", trig_text)
                and ("ASEAN" in partners or re.search(r"日ASEAN|多国間", trig_text))
            ):
                kind = "conference"
            count = ev.count_of(clause_text)
            modality = ev.modality_of(kind, clause_text, trig_text, count)
            nxt_start = next(
                (t.start for t in triggers if t.start > trig.start and t.kind != "visit"), s1
            )
            location = places.find_location(T[s0 : min(nxt_start, trig.end + 24, s1)], _is_country)
            if location is None:
                location = _inherited_location(
                    trig,
                    sentence_events,
                    out,
                    st,
                    T[clause[0] : trig.end],
                    dvals[0].iso if dvals else None,
                )
            occasion = places.find_occasion(T[s0 : trig.start]) if kind != "conference" else None
            a, b = para.nt.to_original(clause[0], trig.end)
            quote = doc.text[a:b].strip()
            if not group and _HERE.search(T[clause[0] : trig.end]):
                lead = getattr(st.ctx, "previous_lead", None)
                if lead is not None and lead.iso:
                    dvals = [DateValue(lead.iso[:7], rule="ctx:present-meeting")]
            split = "二国間" in T[max(s0, trig.start - 4) : trig.end] and len(partners) > 1
            variants: list[tuple[DateValue, list[str], str | None, str | None]] = []
            for g, a_, b_ in (
                _distributive(para, clause[0], trig.start) if trig.kind != "agreement" else []
            ):
                ps_ = _partners_in(para, a_, b_, context=False) or partners
                for d in g:
                    variants.append(
                        (
                            d.value,
                            ps_,
                            places.find_location(T[a_:b_], _is_country) or location,
                            places.find_occasion(T[a_:b_]),
                        )
                    )
            if not variants:
                for dv in dvals:
                    for ps_ in [[p] for p in partners] if split else [partners]:
                        variants.append((dv, ps_, location, occasion))
            for dv, ps, location, occasion in variants:
                if dv.iso is None:
                    continue
                e = Event(
                    doc=doc.doc_id,
                    line=para.seg.line,
                    kind=kind,
                    date=dv.iso,
                    end=dv.end_iso,
                    partners=ps,
                    jp_role=jp_role,
                    jp_name=jp_name,
                    modality=modality,
                    location=location,
                    occasion=occasion,
                    agreement=trig.agreement if kind == "agreement" else None,
                    count=count,
                    quote=quote,
                    evidence=Evidence(
                        doc.doc_id,
                        a,
                        b,
                        para.seg.line,
                        para.seg.index,
                        {"kind": trig.rule, "date": dv.rule},
                    ),
                    participants=[
                        Participant(
                            "partner", partner=c.partner, role=c.title, name=c.name, former=c.former
                        )
                        for c in para.counterparts
                        if clause[0] <= c.start < trig.end
                    ],
                )
                out.append(e)
                sentence_events.append(e)
        sentence_events = []
    if topic is not None:
        st.prev_topic = topic
    return out


def _topic(para: _Para) -> pp.JpPerson | None:
    """The Japanese principal a paragraph is about: the first one marked with は."""
    T = para.nt.text
    for p in para.people:
        if re.match(r"^(?:\(当時\))?(?:は|が)", T[p.end : p.end + 6]):
            return p
    return None


def _japanese_side(
    para: _Para,
    trig: ev.Trigger,
    clause: tuple[int, int],
    sent: tuple[int, int],
    topic: pp.JpPerson | None,
    unit_topic: pp.JpUnit | None,
    sentence_events: list[Event],
) -> tuple[str | None, str | None]:
    """Role code and family name of Japan's principal for one act.

    A person named in the sentence wins; then a title that names Japan's side
    (首脳会談 -> PM) in the act itself; then the act a document was signed at;
    then a unit acting in the sentence; then the paragraph's topic.
    """
    T = para.nt.text
    s0, _ = sent
    in_sentence = [p for p in para.people if s0 <= p.start < trig.end]
    implied = pp.implied_role(T[trig.start : trig.end]) or (
        pp.implied_role(T[max(clause[0], trig.start - 12) : trig.end])
        if trig.kind == "agreement"
        else None
    )
    if (
        implied
        and implied != "MOD"
        and not any(p.role == implied for p in in_sentence)
        and (trig.rule.endswith("dated-noun") or not in_sentence)
    ):
        return implied, None  # "同年5月の日豪防衛相会談": the title names Japan's side
    jp = ev.best_jp(in_sentence)
    if jp is not None:
        return jp.role, jp.name
    if implied and implied != "MOD":
        return implied, None
    if trig.kind == "agreement" and sentence_events:
        host = sentence_events[-1]
        return host.jp_role, host.jp_name
    units = [u for u in para.units if s0 <= u.start < trig.end]
    if units:
        return ev.jp_from_units(units), None
    if topic is not None and topic.start < trig.end:
        return topic.role, topic.name
    if unit_topic is not None and unit_topic.start < trig.end:
        return unit_topic.role, None
    return implied or pp.implied_role(T[clause[0] : trig.end]), None


def _inherited_location(
    trig: ev.Trigger,
    sentence_events: list[Event],
    para_events: list[Event],
    st: _DocState,
    clause: str,
    date: str | None = None,
) -> str | None:
    """A place told for the same occasion or trip: the act a document was signed at,
    or the paragraph's earlier act of the same month; "今般の会合" -> that meeting's."""
    if sentence_events and trig.kind == "agreement":
        return sentence_events[-1].location
    if _HERE.search(clause) and st.last_event is not None:
        return st.last_event.location
    if para_events and trig.kind in _TALKS | {"conference", "agreement"}:
        # "…を訪問し、A と会談…。また、B と会談を行い": the same trip, the same month
        prev = para_events[-1]
        if prev.date and date and prev.date[:7] == date[:7]:
            return prev.location
    return None


def _update_section_partner(para_text: str, st: _DocState, heading: bool) -> None:
    ms = pt.find_partners(para_text)
    ms = [m for m in ms if m.code != "JPN"]
    if not ms:
        return
    if heading and "との" in para_text:
        st.section_partners = [ms[0].code]
    elif not heading and _SECTION_INTRO.match(para_text) and ms[0].start < 12:
        st.section_partners = [ms[0].code]  # the subject: "インドネシアは、ASEANで…"


def _table_events(para: _Para, doc: Document, st: _DocState) -> list[Event]:
    """A schedule-table row: a date cell, a place cell and a meeting-name cell."""
    T = para.nt.text
    cells = [(a, b) for a, b in para.sentences]
    if len(cells) < 2 or not para.dates or para.dates[0].start >= cells[0][1]:
        return []
    dv = para.dates[0].value
    if not dv.iso:
        return []
    name_cell = None
    location = None
    for a, b in cells[1:]:
        cell = T[a:b].strip()
        m = _TABLE_MEETING.match(cell)
        if m and name_cell is None:
            name_cell = (a + m.start(1), a + m.end(1))
        elif location is None and (_is_country(cell) or cell in ("日本", "わが国")):
            location = "日本" if cell == "わが国" else cell
    if name_cell is None:
        return []
    name = T[name_cell[0] : name_cell[1]]
    partners = (
        [p for p in _partners_in(para, *name_cell) if p != "JPN"]
        or list(st.section_partners)
        or list(st.doc_partners)
    )
    if not partners:
        return []
    orgs = {"ASEAN", "EU", "NATO", "AU", "UN", "PIC", "ASEAN_SEC"}
    kind = "conference" if set(partners) & orgs or len(partners) > 1 else "meeting"
    a, b = para.nt.to_original(cells[0][0], name_cell[1])
    return [
        Event(
            doc=doc.doc_id,
            line=para.seg.line,
            kind=kind,
            date=dv.iso,
            end=dv.end_iso,
            partners=partners,
            jp_role=pp.implied_role(name),
            modality="in_person",
            location=location,
            quote=doc.text[a:b],
            evidence=Evidence(
                doc.doc_id,
                a,
                b,
                para.seg.line,
                para.seg.index,
                {"kind": "table:meeting-row", "date": dv.rule},
            ),
        )
    ]


def _table_name(para: _Para) -> str | None:
    for a, b in para.sentences[1:]:
        m = _TABLE_MEETING.match(para.nt.text[a:b].strip())
        if m:
            return m.group(1)
    return None


_BOX_TITLE = re.compile(r"\s\((?:19|20)\d\d年\d{1,2}月\)$")
_HEADING_MEETING = re.compile(r"^(?:\d+\.\s*)?([^()]{2,30}?(?:会議|会合|会談|サミット|対話))\(")


def _heading_events(para: _Para, doc: Document, st: _DocState) -> list[Event]:
    """A dated heading that names a meeting ("特別首脳会議(2023年12月17日、東京)")."""
    T = para.nt.text
    m = _HEADING_MEETING.match(T)
    if not m or not para.dates or not para.dates[0].value.iso:
        return []
    dv = para.dates[0].value
    partners = _partners_in(para, 0, len(T)) or list(st.section_partners) or list(st.doc_partners)
    if not partners:
        return []
    after = T[para.dates[0].end :]
    loc = re.match(r"^[、,]\s*([^)、,]{2,10})\)", after)
    orgs = {"ASEAN", "EU", "NATO", "AU", "UN", "PIC"}
    kind = "conference" if set(partners) & orgs else "meeting"
    a, b = para.nt.to_original(0, len(T))
    return [
        Event(
            doc=doc.doc_id,
            line=para.seg.line,
            kind=kind,
            date=dv.iso,
            partners=partners,
            jp_role=pp.implied_role(m.group(1)),
            modality="in_person",
            location=loc.group(1) if loc else None,
            quote=doc.text[a:b],
            evidence=Evidence(
                doc.doc_id,
                a,
                b,
                para.seg.line,
                para.seg.index,
                {"kind": "heading:dated-meeting", "date": dv.rule},
            ),
        )
    ]


def _dominant_partners(text: str) -> list[str]:
    """The partner a whole document is about, when one clearly dominates
    (a Japan-ASEAN summary); used only when nothing closer names a partner."""
    from collections import Counter

    counts = Counter(m.code for m in pt.find_partners(text) if m.code != "JPN")
    if not counts:
        return []
    (top, n), total = counts.most_common(1)[0], sum(counts.values())
    return [top] if n >= 0.4 * total and n >= 5 else []


def _merge_participation(para: _Para, st: _DocState) -> bool:
    """ "…がオブザーバーとして参加しました" right after a meeting adds its participants."""
    e = st.last_event
    T = para.nt.text
    if e is None or e.kind != "conference" or para.dates or not _PARTICIPATION.search(T):
        return False
    extra = _partners_in(para, 0, len(T))
    if not extra:
        return False
    e.partners = sorted(set(e.partners) | set(extra))
    chair = _topic(para) or (para.people[0] if para.people else None)
    if chair is not None and e.jp_role in (None, "MOD", "GOV"):
        e.jp_role, e.jp_name = chair.role, chair.name
    if e.evidence is not None:
        e.evidence.rules["partners"] = "merge:participation-sentence"
    return True


def extract_document(doc: Document, segments: list[Segment] | None = None) -> list[Event]:
    """All events of ``doc`` in reading order, deduplicated within the document."""
    full = normalize(doc.text)
    segs = segments if segments is not None else segment_document(doc, full)
    st = _DocState(ctx=dt.DateContext(), full=full)
    anchor = None
    dd = dt.document_date(doc.text[:3000])
    if dd is not None and dd.iso:
        anchor = dd.iso
    st.ctx.start_section(anchor)
    st.doc_partners = _dominant_partners(full.text)
    events: list[Event] = []
    for seg in segs:
        if seg.section_id != st.section:
            st.section = seg.section_id
            st.ctx.start_section(anchor)
            st.section_partners = []
            st.last_event = None
        if seg.kind not in EVENT_BLOCKS:
            continue
        st.ctx.start_paragraph()
        para = _analyze(seg, doc, st)
        text = para.nt.text
        if seg.kind == "heading":
            _update_section_partner(text, st, heading=True)
            dated = [d.value for d in para.dates if d.value.iso and not d.aside]
            st.heading_date = dated[0] if dated else None
            if not (re.search(r"\d{1,2}月\d{1,2}日", text) or _BOX_TITLE.search(text)):
                continue
            found = _heading_events(para, doc, st)
            if found:
                events.extend(found)
                st.last_event = events[-1]
                continue
        if seg.kind == "body":
            _update_section_partner(text, st, heading=False)
        found = _table_events(para, doc, st) if seg.kind == "table_row" else []
        told = _events_of_paragraph(para, doc, st)
        if found:  # the row's own meeting is told by its cells; keep documents adopted there
            told = [e for e in told if e.kind == "agreement"]
            for e in told:
                e.occasion = e.occasion or _table_name(para)
                e.partners = list(found[0].partners)  # the row's meeting is the party
        found += told
        if not found:
            _merge_participation(para, st)
            continue
        events.extend(_merge_same_occasion(found))
        st.last_event = events[-1]
    return _dedupe(events)


def _merge_same_occasion(events: list[Event]) -> list[Event]:
    """Records of one line that tell the same act twice are one: conferences with
    the same date (…に参加し、…パネルディスカッションを行う), and acts of one kind
    with the same date and partners (テレビ会談にて、…と懇談)."""
    out: list[Event] = []
    for e in events:
        twin = next(
            (
                o
                for o in out
                if o.kind == e.kind
                and o.date == e.date
                and o.line == e.line
                and e.kind != "agreement"
                and (
                    e.kind == "conference"
                    or (o.partners == e.partners and not (o.participants and e.participants))
                )
                and o.count == e.count
            ),
            None,
        )
        if twin is not None:
            twin.partners = sorted(set(twin.partners) | set(e.partners))
            if twin.modality == "in_person" and e.modality in ("video", "phone"):
                twin.modality = e.modality
            continue
        out.append(e)
    return out


def _compatible(a: str | None, b: str | None) -> bool:
    """One date contains the other (a month contains its days)."""
    a, b = a or "", b or ""
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _rule(e: Event) -> str:
    return e.evidence.rules.get("kind", "") if e.evidence else ""


def _dedupe(events: list[Event]) -> list[Event]:
    """An event retold in the same document is kept once: same kind, partners,
    Japanese principal and agreement type, compatible dates. The telling with
    the most precise date is kept (a table row beats a summary sentence)."""
    out: list[Event] = []
    by_key: dict[tuple[Any, ...], list[int]] = {}
    for e in events:
        key = (e.kind, tuple(sorted(e.partners)), (e.agreement or {}).get("type"))
        idx = next(
            (
                i
                for i in by_key.get(key, ())
                if _compatible(out[i].date, e.date)
                and (
                    out[i].jp_role == e.jp_role
                    or e.kind != "meeting"
                    or None in (out[i].jp_role, e.jp_role)
                )
                and (out[i].line != e.line or e.kind == "agreement")
                and not (_rule(out[i]) == _rule(e) == "table:meeting-row")
            ),
            None,
        )
        if idx is None:
            by_key.setdefault(key, []).append(len(out))
            out.append(e)
        elif len(e.date or "") > len(out[idx].date or ""):
            out[idx] = e
    return out
