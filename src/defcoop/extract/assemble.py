"""From the mentions of one paragraph to event records.

Each trigger's clause (from the previous trigger of the sentence, or the sentence
start, to the trigger) gives the event its date, parties, Japan's principal,
location, occasion, count and modality — falling back to the sentence, then the
paragraph, then the section. Every field records the rule that set it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from defcoop.extract import events as ev
from defcoop.extract import partners as pt
from defcoop.extract import people as pp
from defcoop.extract import places
from defcoop.extract.context import DocState, ParaDate, Paragraph, is_country, partners_in, topic_of
from defcoop.records import DateValue, Document, Event, Evidence, Participant

TALKS = frozenset({"meeting", "courtesy_call", "consultation", "two_plus_two"})


_CONF_NOUN = re.compile(r"(?:会議|会合|サミット|総会|フォーラム|シンポジウム)")


CONTINUATION = re.compile(r"^(?:また|さらに|加えて|このほか|なお)、")


HERE = re.compile(r"今般|今回の|本会合|同会合")


_DATE_JOIN = re.compile(r"^(?:および|及び|ならびに|と|、|,|\s)*$")


def _choose_partners(
    para: Paragraph, trig: ev.Trigger, clause: tuple[int, int], sent: tuple[int, int], st: DocState
) -> tuple[list[str], str]:
    """Who took part, and the rule that said so: the clause's counterparts and names,
    then the sentence's, then the section's partner, and only then places and occasions."""
    T = para.nt.text
    s0, _ = sent
    if trig.kind == "agreement":
        # the compound in the document's name (日伊ACSA, 日韓秘密軍事情報保護協定)
        head = max(clause[0], trig.start - 12)
        own = partners_in(para, head, trig.end, context=False, titles=False)
        if own:
            return own, "partners:document-name"
    partners = partners_in(para, clause[0], trig.end, context=False, titles=False)
    rule = "partners:clause"
    if trig.kind in TALKS:
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
            partners, rule = sorted((met | compounds) - {"JPN"}), "partners:counterparts"
    if "共同で" in T[clause[0] : trig.end] or not partners:
        more = set(partners_in(para, s0, trig.end, context=False, titles=False))
        if more - set(partners):
            rule = "partners:sentence"
        partners = sorted(set(partners) | more)
    if partners:
        return partners, rule
    # "…に寄港した韓国合同巡航訓練戦団": the party follows an act told as a relative clause
    rel = re.match(r"(?:し|され)た[^、。]{0,24}", T[trig.end :])
    fallbacks: list[tuple[str, Callable[[], list[str]]]] = [
        (
            "partners:relative-clause",
            lambda: partners_in(para, trig.end, trig.end + rel.end(), context=False) if rel else [],
        ),
        ("partners:section", lambda: list(st.section_partners)),
        # a sentence that goes on about the paragraph's act ("また、…共同声明を採択")
        ("partners:paragraph", lambda: partners_in(para, 0, s0, context=False)),
        ("partners:venue-or-occasion", lambda: partners_in(para, clause[0], trig.end)),
        # a box title or table of a one-partner document
        (
            "partners:document",
            lambda: list(st.doc_partners) if para.seg.kind in ("heading", "table_row") else [],
        ),
    ]
    for name, find in fallbacks:
        found = find()
        if found:
            return found, name
    return [], "partners:none"


def _date_groups(para: Paragraph, a: int, b: int) -> list[ParaDate]:
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
    uniq: list[ParaDate] = []
    for d in group:
        if not uniq or uniq[-1].value.iso != d.value.iso:
            uniq.append(d)
    return uniq


def _all_groups(para: Paragraph, a: int, b: int) -> list[list[ParaDate]]:
    """All runs of joined dates in [a, b), in order."""
    T = para.nt.text
    groups: list[list[ParaDate]] = []
    for d in (d for d in para.dates if a <= d.start < b and not d.aside and d.value.iso):
        if groups and (
            _DATE_JOIN.match(T[groups[-1][-1].end : d.start])
            or re.fullmatch(r"(?:に|には)?(?:、)?(?:および|及び)", T[groups[-1][-1].end : d.start])
        ):
            groups[-1].append(d)
        else:
            groups.append([d])
    return groups


def _distributive(para: Paragraph, a: int, b: int) -> list[tuple[list[ParaDate], int, int]]:
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
            partners_in(para, s, e, context=False)
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


def _fallback_date(para: Paragraph, before: int, st: DocState) -> DateValue | None:
    ds = [d for d in para.dates if d.start < before and not d.aside and d.value.iso]
    if ds:
        return ds[-1].value
    return None


def events_of_paragraph(para: Paragraph, doc: Document, st: DocState) -> list[Event]:
    T = para.nt.text
    out: list[Event] = []
    para_people = para.people
    topic = topic_of(para)
    if topic is None and CONTINUATION.match(T) and st.prev_topic is not None:
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
                and CONTINUATION.match(T)
                and not any(d.start < trig.start and d.value.iso for d in para.dates)
            ):
                lead = getattr(st.ctx, "previous_lead", None)
                if lead is not None and lead.iso:  # "また、…の会談では" goes on with the last act
                    group = [
                        ParaDate(
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
                    and not HERE.search(T[clause[0] : trig.end])
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
            partners, partner_rule = _choose_partners(para, trig, clause, (s0, s1), st)
            if not partners:
                continue
            jp_role, jp_name, jp_rule = _japanese_side(
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
            location = places.find_location(T[s0 : min(nxt_start, trig.end + 24, s1)], is_country)
            loc_rule = "place:sentence" if location else "place:none"
            if location is None:
                loc_rule = "place:same-occasion"
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
            while a < b and doc.text[a].isspace():  # the span is exactly the quote
                a += 1
            while b > a and doc.text[b - 1].isspace():
                b -= 1
            quote = doc.text[a:b]
            if not group and HERE.search(T[clause[0] : trig.end]):
                lead = getattr(st.ctx, "previous_lead", None)
                if lead is not None and lead.iso:
                    dvals = [DateValue(lead.iso[:7], rule="ctx:present-meeting")]
            split = "二国間" in T[max(s0, trig.start - 4) : trig.end] and len(partners) > 1
            variants: list[tuple[DateValue, list[str], str | None, str | None]] = []
            for g, a_, b_ in (
                _distributive(para, clause[0], trig.start) if trig.kind != "agreement" else []
            ):
                ps_ = partners_in(para, a_, b_, context=False) or partners
                for d in g:
                    variants.append(
                        (
                            d.value,
                            ps_,
                            places.find_location(T[a_:b_], is_country) or location,
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
                        {
                            "kind": trig.rule,
                            "date": dv.rule,
                            "partners": partner_rule,
                            "jp_role": jp_rule,
                            "location": loc_rule if location else "place:none",
                        },
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


def _japanese_side(
    para: Paragraph,
    trig: ev.Trigger,
    clause: tuple[int, int],
    sent: tuple[int, int],
    topic: pp.JpPerson | None,
    unit_topic: pp.JpUnit | None,
    sentence_events: list[Event],
) -> tuple[str | None, str | None, str]:
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
        return implied, None, "jp:title"  # "同年5月の日豪防衛相会談": the title names Japan's side
    # the clause's own principal first ("…が中谷防衛大臣を表敬するとともに、同国防副大臣と
    # 本田防衛副大臣が…会談を行い"), then the sentence's
    jp = ev.best_jp([p for p in in_sentence if p.start >= clause[0]]) or ev.best_jp(in_sentence)
    if jp is not None:
        return jp.role, jp.name, "jp:named"
    if implied and implied != "MOD":
        return implied, None, "jp:title"
    # "…が日本に寄港した際には、中谷防衛大臣が歓迎行事に出席": named later in the sentence
    jp = ev.best_jp([p for p in para.people if trig.end <= p.start < sent[1]])
    if jp is not None and trig.kind not in ("agreement", "equipment_transfer"):
        return jp.role, jp.name, "jp:named-later"
    if implied and implied != "MOD":
        return implied, None, "jp:title"
    if trig.kind == "agreement" and sentence_events:
        host = sentence_events[-1]
        return host.jp_role, host.jp_name, "jp:host-event"
    # a unit acts when it is a subject (陸自は, 海自が, 陸自とカナダ陸軍は), not a modifier (陸自の訓練)
    units = [
        u
        for u in para.units
        if s0 <= u.start < trig.end and re.match(r"(?:は|が|、|と|も|として)", T[u.end : u.end + 3])
    ]
    if units:
        return ev.jp_from_units(units), None, "jp:unit"
    # the paragraph's actor carries over to a sentence without a subject of its own,
    # not to a sentence whose subject is someone else ("日米豪比は…") nor to aid
    # deliveries, which name no Japanese actor unless the sentence does
    # "日米豪比は…共同訓練を実施": the countries act together; no one Japanese principal
    subj = re.match(r"^(?:[^、。]{0,14}、)?([^、。ぁ-ん]{1,12})(?:は|が)", T[s0 : s0 + 40])
    own_subject = subj is not None and bool(pt.japan_compound().match(subj.group(1)))
    if (
        topic is not None
        and topic.start < trig.end
        and trig.kind != "equipment_transfer"
        and (topic.start >= s0 or not own_subject)
    ):
        return topic.role, topic.name, "jp:paragraph-topic"
    if unit_topic is not None and unit_topic.start < trig.end:
        return unit_topic.role, None, "jp:unit-topic"
    role = implied or pp.implied_role(T[clause[0] : trig.end])
    return role, None, "jp:title" if role else "jp:none"


def _inherited_location(
    trig: ev.Trigger,
    sentence_events: list[Event],
    para_events: list[Event],
    st: DocState,
    clause: str,
    date: str | None = None,
) -> str | None:
    """A place told for the same occasion or trip: the act a document was signed at,
    or the paragraph's earlier act of the same month; "今般の会合" -> that meeting's."""
    if sentence_events and trig.kind == "agreement":
        return sentence_events[-1].location
    if HERE.search(clause) and st.last_event is not None and not re.search(r"\d+[年月]", clause):
        return st.last_event.location
    if para_events and trig.kind in TALKS | {"conference", "agreement"}:
        # "…を訪問し、A と会談…。また、B と会談を行い": the same trip, the same month
        prev = para_events[-1]
        if prev.date and date and prev.date[:7] == date[:7]:
            return prev.location
    return None
