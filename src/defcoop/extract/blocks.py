"""Blocks that tell events by their structure rather than their prose: schedule-table
rows, dated headings and box titles, the participation sentence after a meeting, and
the opening of a partner section."""

from __future__ import annotations

import re
from collections import Counter

from defcoop.extract import partners as pt
from defcoop.extract import people as pp
from defcoop.extract.context import DocState, Paragraph, is_country, partners_in, topic_of
from defcoop.records import Document, Event, Evidence

_SECTION_INTRO = re.compile(r"^(?:[^、。]{0,40}?)(?:は、|との間では|とは、|との間で|とは)")


_TABLE_MEETING = re.compile(
    r"^[(■★\s]*([^\t()■★]{2,40}?(?:会合|会議|対話|サミット|フォーラム))(?=$|[\s()■★])"
)


_PARTICIPATION = re.compile(r"(?:参加|出席)(?:しました|した|。|$)")


def update_section_partner(para_text: str, st: DocState, heading: bool) -> None:
    ms = pt.find_partners(para_text)
    ms = [m for m in ms if m.code != "JPN"]
    if not ms:
        return
    if heading and "との" in para_text:
        st.section_partners = [ms[0].code]
    elif not heading and _SECTION_INTRO.match(para_text) and ms[0].start < 12:
        st.section_partners = [ms[0].code]  # the subject: "インドネシアは、ASEANで…"


def table_events(para: Paragraph, doc: Document, st: DocState) -> list[Event]:
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
        elif location is None and (is_country(cell) or cell in ("日本", "わが国")):
            location = "日本" if cell == "わが国" else cell
    if name_cell is None:
        return []
    name = T[name_cell[0] : name_cell[1]]
    partners = (
        [p for p in partners_in(para, *name_cell) if p != "JPN"]
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


def table_name(para: Paragraph) -> str | None:
    for a, b in para.sentences[1:]:
        m = _TABLE_MEETING.match(para.nt.text[a:b].strip())
        if m:
            return m.group(1)
    return None


BOX_TITLE = re.compile(r"\s\((?:19|20)\d\d年\d{1,2}月\)$")


_HEADING_MEETING = re.compile(r"^(?:\d+\.\s*)?([^()]{2,30}?(?:会議|会合|会談|サミット|対話))\(")


def heading_events(para: Paragraph, doc: Document, st: DocState) -> list[Event]:
    """A dated heading that names a meeting ("特別首脳会議(2023年12月17日、東京)")."""
    T = para.nt.text
    m = _HEADING_MEETING.match(T)
    if not m or not para.dates or not para.dates[0].value.iso:
        return []
    dv = para.dates[0].value
    partners = partners_in(para, 0, len(T)) or list(st.section_partners) or list(st.doc_partners)
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


def dominant_partners(text: str) -> list[str]:
    """The partner a whole document is about, when one clearly dominates
    (a Japan-ASEAN summary); used only when nothing closer names a partner."""

    counts = Counter(m.code for m in pt.find_partners(text) if m.code != "JPN")
    if not counts:
        return []
    (top, n), total = counts.most_common(1)[0], sum(counts.values())
    return [top] if n >= 0.4 * total and n >= 5 else []


def merge_participation(para: Paragraph, st: DocState) -> bool:
    """ "…がオブザーバーとして参加しました" right after a meeting adds its participants."""
    e = st.last_event
    T = para.nt.text
    if e is None or e.kind != "conference" or para.dates or not _PARTICIPATION.search(T):
        return False
    extra = partners_in(para, 0, len(T))
    if not extra:
        return False
    e.partners = sorted(set(e.partners) | set(extra))
    chair = topic_of(para) or (para.people[0] if para.people else None)
    if chair is not None and e.jp_role in (None, "MOD", "GOV"):
        e.jp_role, e.jp_name = chair.role, chair.name
    if e.evidence is not None:
        e.evidence.rules["partners"] = "merge:participation-sentence"
    return True
