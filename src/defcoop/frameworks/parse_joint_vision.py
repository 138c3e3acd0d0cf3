"""Parse the Japan-ASEAN Joint Vision Statement document (``002_…``).

Recognized by content: it adopts a "共同ビジョン・ステートメント" under "Nつの柱" with an
"実施計画". Parsed from the text: name and subtitle, the adopting meeting (date,
place, its full name), the pillars (circled-number lines after "次のNつの柱"),
their cooperation areas (the "主要協力分野" list), the plan's item counts (this
plan and its predecessor), the PM's announced actions per pillar, the table of
ministerial meetings of the year, and every committed figure (with the heading
it belongs to and the date it was announced).
"""

from __future__ import annotations

import re

from ._text import CIRCLED, DATE_FULL, DocText, clean, first_date, iso, trim
from .commitments import extract_commitments
from .curated import framework_id_for
from .model import (
    Commitment,
    CooperationArea,
    Framework,
    Initiative,
    Meeting,
    Pillar,
    Plan,
    Statement,
)

_ADOPT = re.compile(r"^[\s●・\-]*(?P<name>[^\s●]+?ステートメント)の採択\s*$", re.M)
_SUBTITLE = re.compile(r"^[\s\-－]*副題[:：]\s*(?P<s>.+?)\s*$", re.M)
_HEADING_DATE = re.compile(
    r"^\d+\.\s*(?P<occ>[^(\n]+?)\((?P<date>" + DATE_FULL.pattern + r")、(?P<place>[^)]+)\)\s*$",
    re.M,
)
_PILLARS = re.compile(r"次の(?P<n>\d+)つの柱")
_CIRCLED_LINE = re.compile(r"^[\s\-]*(?P<num>\d+)\s*(?P<title>[^:\n]+?)\s*(?::(?P<desc>.*))?$")
_AREAS_HEAD = re.compile(r"^.*主要協力分野\s*$", re.M)
_NUM_HEAD = re.compile(r"^(?P<num>\d+)\.\s+(?P<title>.+?)\s*$")
_AREA = re.compile(r"^\s*-\s*✓\s*(?P<area>.+?)\s*$")
_PLAN = re.compile(r"^[\s●]*(?P<name>実施計画[^\n]*?)の採択\s*$", re.M)
_PLAN_TOTAL = re.compile(r"合計\**(?P<n>\d+)項目")
_PLAN_PREV = re.compile(r"(?P<label>\d+周年時の実施計画)は(?P<n>\d+)項目")
_ACTIONS = re.compile(r"^(?P<title>「[^\n]*のためのアクション)\s*$", re.M)
_MEETING_COUNT = re.compile(r"(?P<n>\d+)の閣僚級会議")
_ROW_DATE = re.compile(r"^(?P<aside>\()?(?P<m>\d{1,2})月(?P<d>\d{1,2})(?:-(?P<d2>\d{1,2}))?日\)?$")
_ANNOUNCED = re.compile(r"(?:において|の際に)(?:[^\n。]*?)から発表")


def recognizes(text: str) -> bool:
    t = DocText("", text).text
    return (
        _ADOPT.search(t) is not None
        and _PILLARS.search(t) is not None
        and "実施計画" in t
        and "ビジョン" in t
    )


def parse(doc_id: str, text: str) -> list[Framework]:
    dt = DocText(doc_id, text)
    t = dt.text
    am = _ADOPT.search(t)
    if am is None:
        return []
    name = dt.orig(am.start("name"), am.end("name"))
    fw = Framework(id=framework_id_for(name) or "JVS", name=name, docs=[doc_id])
    fw.spans.append(dt.span(am.start("name"), am.end("name")))
    sm = _SUBTITLE.search(t, am.end())
    if sm and sm.start() - am.end() < 10:
        fw.subtitle = dt.orig(sm.start("s"), sm.end("s"))
    # the meeting that adopted it: the numbered heading with a date before the adoption line
    hd = None
    for h in _HEADING_DATE.finditer(t, 0, am.start()):
        hd = h
    if hd is not None:
        d = first_date(hd.group("date"))
        fw.adopted = d[0] if d else None
        fw.place = dt.orig(hd.start("place"), hd.end("place"))
        occ_n = hd.group("occ").strip()
        # the longest written form of that meeting's name ("日本ASEAN友好協力50周年特別首脳会議")
        best = (hd.start("occ"), hd.start("occ") + len(occ_n))
        for om in re.finditer(r"[^\s(「」、。]*" + re.escape(occ_n), t):
            if om.end() - om.start() > best[1] - best[0]:
                best = (om.start(), om.end())
        fw.occasion = dt.orig(*best)
    _pillars(dt, fw)
    _areas(dt, fw)
    _plan(dt, fw)
    _actions(dt, fw)
    _meetings(dt, fw)
    _commitments(dt, fw)
    return [fw]


def _pillars(dt: DocText, fw: Framework) -> None:
    t = dt.text
    pm = _PILLARS.search(t)
    if not pm:
        return
    fw.declared_pillar_count = int(pm.group("n"))
    current: Pillar | None = None
    for ls, le, line in dt.lines():
        if ls < pm.end():
            continue
        m = _CIRCLED_LINE.match(line)
        if m and line.strip() and dt.orig(ls + m.start("num"), ls + m.end("num")) in CIRCLED:
            n = CIRCLED[dt.orig(ls + m.start("num"), ls + m.end("num"))]
            if n != len(fw.pillars) + 1:
                break
            a, b = ls + m.start("title"), ls + m.end("title")
            current = Pillar(n, clean(dt.orig(a, b)), span=dt.span(a, b))
            fw.pillars.append(current)
            continue
        if current is None:
            continue
        if not line.strip():
            if len(fw.pillars) >= fw.declared_pillar_count and current.statements:
                break
            continue
        if line.lstrip().startswith(("●", "・")) or len(fw.pillars) > fw.declared_pillar_count:
            break
        a, b = trim(t, ls, le)
        current.statements.append(Statement(clean(dt.orig(a, b)), dt.span(a, b)))


def _areas(dt: DocText, fw: Framework) -> None:
    t = dt.text
    hm = _AREAS_HEAD.search(t)
    if not hm:
        return
    current: Pillar | None = None
    started = False
    for ls, _le, line in dt.lines():
        if ls <= hm.start():
            continue
        if not line.strip():
            continue
        nh = _NUM_HEAD.match(line)
        if nh:
            title = clean(dt.orig(ls + nh.start("title"), ls + nh.end("title")))
            current = next((p for p in fw.pillars if p.title == title), None)
            if current is None:
                current = fw.pillar(int(nh.group("num")))
            started = True
            continue
        am = _AREA.match(line)
        if am and current is not None:
            a, b = ls + am.start("area"), ls + am.end("area")
            current.cooperation_areas.append(CooperationArea(dt.orig(a, b), span=dt.span(a, b)))
            continue
        if started:
            break


def _plan(dt: DocText, fw: Framework) -> None:
    t = dt.text
    pm = _PLAN.search(t)
    if not pm:
        return
    window = t[pm.end() : pm.end() + 300]
    plan = Plan(name=dt.orig(pm.start("name"), pm.end("name")))
    tm = _PLAN_TOTAL.search(window)
    if tm:
        plan.items = int(tm.group("n"))
        plan.span = dt.span(pm.end() + tm.start(), pm.end() + tm.end())
    pv = _PLAN_PREV.search(window)
    if pv:
        plan.predecessor_items = int(pv.group("n"))
        plan.predecessor_label = dt.orig(pm.end() + pv.start("label"), pm.end() + pv.end("label"))
    fw.plans.append(plan)


def _actions(dt: DocText, fw: Framework) -> None:
    """The PM's announced actions: "- ① pillar： …" with " - action" sub-bullets."""
    t = dt.text
    hm = _ACTIONS.search(t)
    if not hm:
        return
    group = clean(dt.orig(hm.start("title"), hm.end("title")))
    current: int | None = None
    seen_items = False
    for ls, _le, line in dt.lines():
        if ls <= hm.end():
            continue
        if not line.strip():
            if seen_items:
                break
            continue
        m = re.match(r"^-\s*(?P<num>\d+)\s*(?P<rest>.*)$", line)
        if m and dt.orig(ls + m.start("num"), ls + m.end("num")) in CIRCLED:
            current = CIRCLED[dt.orig(ls + m.start("num"), ls + m.end("num"))]
            seen_items = True
            continue
        sub = re.match(r"^\s+-\s*(?P<item>.+?)\s*$", line)
        if sub and current is not None:
            a, b = ls + sub.start("item"), ls + sub.end("item")
            fw.initiatives.append(
                Initiative(
                    name=clean(dt.orig(a, b)),
                    pillars=[current],
                    written=dt.orig(a, b),
                    span=dt.span(a, b),
                    group=group,
                )
            )
            continue
        if seen_items and not line.startswith(("(", "(")):
            break


def _meetings(dt: DocText, fw: Framework) -> None:
    t = dt.text
    header = re.search(r"^日程\t場所\t会議名[^\n]*$", t, re.M)
    if not header:
        return
    # the heading before the table gives the year and the declared number of meetings
    before = t[max(0, header.start() - 400) : header.start()]
    year = None
    for ym in re.finditer(r"\((\d{4})年\)", before):
        year = ym.group(1)
    counts = list(_MEETING_COUNT.finditer(before))
    if counts:
        cm = counts[-1]
        fw.declared_meeting_count = int(cm.group("n"))
    pos = header.end() + 1
    while pos < len(t):
        nl = t.find("\n", pos)
        le = len(t) if nl < 0 else nl
        row = t[pos:le]
        if not row.strip() or "\t" not in row:
            break
        cells = row.split("\t")
        offs = []
        o = pos
        for c in cells:
            offs.append(o)
            o += len(c) + 1
        dm = _ROW_DATE.match(cells[0].strip())
        if dm and len(cells) >= 3:
            mt = Meeting(
                date=iso(year, dm.group("m"), dm.group("d")) if year else None,
                end=iso(year, dm.group("m"), dm.group("d2")) if year and dm.group("d2") else None,
                name="",
                aside=bool(dm.group("aside")),
                place=clean(dt.orig(offs[1], offs[1] + len(cells[1]))) or None,
                span=dt.span(*trim(t, pos, le)),
            )
            c2 = cells[2]
            cut = c2.find("(概要)")
            name_part = c2 if cut < 0 else c2[:cut]
            mt.shown_before = "■" in name_part
            name = clean(name_part.replace("■", ""))
            if mt.aside and name.startswith("(") and name.endswith(")"):
                name = name[1:-1]
            a = offs[2] + c2.find(name[:3]) if name else offs[2]
            mt.name = dt.orig(a, a + len(name)) if name else ""
            if cut >= 0:
                sa, sb = trim(t, offs[2] + cut + len("(概要)"), offs[2] + len(c2))
                mt.summary = dt.orig(sa, sb)
            mt.special = len(cells) > 3 and "★" in cells[3]
            fw.meetings.append(mt)
        pos = le + 1


def _is_heading(line: str) -> bool:
    s = clean(line)
    if not s or len(s) > 60 or "。" in s or "http" in s:
        return False
    if line.lstrip().startswith("- ") or s.startswith(("(", "「")):
        return False
    return not (s == "概要" or s.startswith("具体的な取組") or s.endswith(("?", "？")))


def _commitments(dt: DocText, fw: Framework) -> None:
    lines = list(dt.lines())
    for c in extract_commitments(dt):
        if c.span is None:
            continue
        idx = c.span.line - 1
        c.heading = _heading_for(dt, lines, idx)
        if c.date is None:
            c.date, c.date_rule = _announced(dt, fw, lines, idx)
        fw.commitments.append(c)


def _heading_for(dt: DocText, lines: list[tuple[int, int, str]], idx: int) -> str | None:
    for j in range(idx, max(-1, idx - 30), -1):
        ls, le, line = lines[j]
        if _is_heading(line):
            return clean(dt.orig(ls, le))
    return None


def _announced(
    dt: DocText, fw: Framework, lines: list[tuple[int, int, str]], idx: int
) -> tuple[str | None, str | None]:
    """The date a figure was announced: "(…において…から発表)" / "…の際に…から発表" above it."""
    for j in range(idx, max(-1, idx - 30), -1):
        _ls, _le, line = lines[j]
        if not _ANNOUNCED.search(line):
            continue
        if fw.occasion and fw.adopted and dt.orig(_ls, _le).find(fw.occasion) >= 0:
            return fw.adopted, "announced"
        mm = re.search(r"(?<!\d)(\d{1,2})月", line)
        if mm:
            # the year from the nearest heading above that states one ("…（2023年）…")
            for k in range(j, -1, -1):
                ym = re.search(r"\((\d{4})年\)", lines[k][2])
                if ym:
                    return iso(ym.group(1), mm.group(1)), "announced"
        return None, None
    return None, None


def commitments_of(fw: Framework) -> list[Commitment]:
    return list(fw.commitments)
