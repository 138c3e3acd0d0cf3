"""The extraction pipeline over a segmented document.

Stages, each testable alone: dates (``dates``) -> mentions (``partners``,
``people``, ``places``, gathered per paragraph in ``context``) -> triggers
(``events``) -> event records with attributes and provenance (``assemble``, and
``blocks`` for tables and dated headings) -> one record per act (``dedupe``).
This module walks the document: the date context flows through a section in
reading order; the partner of a section comes from its heading or its opening
sentence ("インドは、…").
"""

from __future__ import annotations

import re

from defcoop.extract import dates as dt
from defcoop.extract.assemble import events_of_paragraph
from defcoop.extract.blocks import (
    BOX_TITLE,
    dominant_partners,
    heading_events,
    merge_participation,
    table_events,
    table_name,
    update_section_partner,
)
from defcoop.extract.context import DocState, analyze
from defcoop.extract.dedupe import dedupe, merge_same_occasion
from defcoop.normalize import normalize
from defcoop.records import Document, Event, Segment
from defcoop.segment import segment as segment_document

EVENT_BLOCKS = frozenset({"body", "table_row", "heading"})


def extract_document(doc: Document, segments: list[Segment] | None = None) -> list[Event]:
    """All events of ``doc`` in reading order, deduplicated within the document."""
    full = normalize(doc.text)
    segs = segments if segments is not None else segment_document(doc, full)
    st = DocState(ctx=dt.DateContext(), full=full)
    anchor = None
    dd = dt.document_date(doc.text[:3000])
    if dd is not None and dd.iso:
        anchor = dd.iso
    st.ctx.start_section(anchor)
    st.doc_partners = dominant_partners(full.text)
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
        para = analyze(seg, doc, st)
        text = para.nt.text
        if seg.kind == "heading":
            update_section_partner(text, st, heading=True)
            dated = [d.value for d in para.dates if d.value.iso and not d.aside]
            st.heading_date = dated[0] if dated else None
            if not (re.search(r"\d{1,2}月\d{1,2}日", text) or BOX_TITLE.search(text)):
                continue
            found = heading_events(para, doc, st)
            if found:
                events.extend(found)
                st.last_event = events[-1]
                continue
        if seg.kind == "body":
            update_section_partner(text, st, heading=False)
        found = table_events(para, doc, st) if seg.kind == "table_row" else []
        told = events_of_paragraph(para, doc, st)
        if found:  # the row's own meeting is told by its cells; keep documents adopted there
            told = [e for e in told if e.kind == "agreement"]
            for e in told:
                e.occasion = e.occasion or table_name(para)
                e.partners = list(found[0].partners)  # the row's meeting is the party
        found += told
        if not found:
            merge_participation(para, st)
            continue
        events.extend(merge_same_occasion(found))
        st.last_event = events[-1]
    return dedupe(events)
