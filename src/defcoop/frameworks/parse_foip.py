"""Parse FOIP from the defense white paper chapter (``003_…``).

Recognized by content: a list headed "<ACRONYM>協力の新たな柱" (FOIP協力の新たな柱).
Parsed: the vision's name (「…」(ACRONYM)), its English name (「…」(English)), the
history bullets under "経緯" (dated milestones; the first is the adoption, with
its occasion), the new pillars (circled-number bullets), and the ministry's
directions ("防衛省における取組の方向性"). The regions it prioritizes are curated
(the sentence lists them in running prose).
"""

from __future__ import annotations

import re

from defcoop.normalize import normalize

from ._text import CIRCLED, DocText, clean, first_date, trim
from .model import Framework, Milestone, Pillar, Statement

_NEW_PILLARS = re.compile(r"^(?P<acr>[A-Z]{2,10})協力の新たな柱\s*$", re.M)
_ITEM = re.compile(r"^\s*-\s*(?P<num>\d+)\s*(?P<title>.+?)\s*$")
_BULLET = re.compile(r"^\s*-\s*(?P<b>.+?)\s*$")


def recognizes(text: str) -> bool:
    return _NEW_PILLARS.search(DocText("", text).text) is not None


def parse(doc_id: str, text: str) -> list[Framework]:
    dt = DocText(doc_id, text)
    t = dt.text
    pm = _NEW_PILLARS.search(t)
    if pm is None:
        return []
    acr = pm.group("acr")
    fw = Framework(id=acr, name=acr, aliases=[acr], docs=[doc_id])
    # 「自由で開かれたインド太平洋(FOIP)」 or 自由で開かれたインド太平洋 (FOIP)
    nm = re.search(r"「(?P<n>[^」(]+?)\s*\(" + acr + r"\)」", t) or re.search(
        r"「(?P<n>[^」「\n]+)」\s*\(" + acr + r"\)", t
    )
    if nm:
        fw.name = dt.orig(nm.start("n"), nm.end("n"))
        fw.spans.append(dt.span(nm.start("n"), nm.end("n")))
        em = re.search(r"「" + re.escape(nm.group("n")) + r"」\s*\((?P<en>[A-Z][A-Za-z \-]+)\)", t)
        if em:
            fw.name_en = dt.orig(em.start("en"), em.end("en"))
    _history(dt, fw)
    # the new pillars
    for ls, _le, line in dt.lines():
        if ls <= pm.end():
            continue
        if not line.strip():
            if fw.pillars:
                break
            continue
        m = _ITEM.match(line)
        num = dt.orig(ls + m.start("num"), ls + m.end("num")) if m else ""
        if not m or num not in CIRCLED:
            break
        a, b = ls + m.start("title"), ls + m.end("title")
        fw.pillars.append(Pillar(CIRCLED[num], clean(dt.orig(a, b)), span=dt.span(a, b)))
    fw.declared_pillar_count = len(fw.pillars) or None
    _directions(dt, fw)
    return [fw]


def _history(dt: DocText, fw: Framework) -> None:
    t = dt.text
    hm = re.search(r"^経緯\s*$", t, re.M)
    if not hm:
        return
    for ls, le, line in dt.lines():
        if ls <= hm.end():
            continue
        if not line.strip():
            if fw.milestones:
                break
            continue
        bm = _BULLET.match(line)
        if not bm:
            continue  # an English gloss line under a bullet
        a, b = trim(t, ls + bm.start("b"), le)
        d = first_date(t[a:b])
        if d is None:
            continue  # an undated explanation, not a milestone
        fw.milestones.append(Milestone(d[0], dt.orig(a, b), dt.span(a, b)))
    dated = [m for m in fw.milestones if m.date]
    if dated:
        first = dated[0]
        fw.adopted = first.date
        nt = normalize(first.text)
        om = re.search(r"された(?P<occ>[^、。]+?)において", nt.text)
        if om:
            fw.occasion = nt.original_slice(om.start("occ"), om.end("occ"))


def _directions(dt: DocText, fw: Framework) -> None:
    t = dt.text
    hm = re.search(r"^防衛省における取組の方向性\s*$", t, re.M)
    if not hm:
        return
    for ls, le, line in dt.lines():
        if ls <= hm.end():
            continue
        if not line.strip():
            if fw.directions:
                break
            continue
        bm = _BULLET.match(line)
        if not bm:
            break
        a, b = trim(t, ls + bm.start("b"), le)
        fw.directions.append(Statement(dt.orig(a, b), dt.span(a, b)))
