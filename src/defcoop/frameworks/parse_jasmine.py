"""Parse JASMINE's document (``000_…``): title, adoption, pillar table, initiatives.

The document has a tab-separated table whose first cell holds HTML fragments
(``<p>① title</p> <ul> ● statement ✓ <line of effort>：description``) and whose
second cell lists the concrete initiatives as ``・`` bullets, some marked 【新】.
The note ``※ 具体的な取組は、複数の柱に該当するものがある`` says an initiative can belong
to several pillars: an initiative whose quoted name 「…」 appears in another pillar's
initiatives belongs to that pillar too.

The same document names Vientiane Vision 2.0 (JASMINE follows its spirit) and
that vision's three implementation principles, and FOIP / AOIP sharing essential
principles: those become a ``VV2`` framework, stubs for FOIP and AOIP, and relations.
"""

from __future__ import annotations

import re

from ._text import CIRCLED, DATE_FULL, HTML_TAG, DocText, clean, iso, trim
from .curated import framework_id_for
from .model import (
    Framework,
    Initiative,
    LineOfEffort,
    Pillar,
    Principle,
    Relation,
    Span,
    Statement,
)

_TABLE_HEADER = re.compile(r"^(?P<h1>[^\t\n]*柱)\t(?P<h2>[^\t\n]+)$", re.M)
_PILLAR_P = re.compile(r"<p>\s*(?P<num>\d+)\s*(?P<title>.*?)\s*</p>")
_MARK = re.compile(r"[●✓]")
_LOE = re.compile(r"<(?P<title>[^<>A-Za-z/][^<>]*)>\s*[:：]\s*(?P<desc>.*)", re.S)
_BULLET = re.compile(r"(?:(?<=[\s>])|^)・")
_NEW = "【新】"
_QUOTED_ONE = re.compile(r"^「([^「」]+)」$")
_ADOPTION = re.compile(
    DATE_FULL.pattern + r"、(?P<occ>第\d+回[^、。]*?(?:会合|会議|会談|サミット))において"
)
_PILLAR_COUNT = re.compile(r"(\d+)つの柱")
_SUMMARY_ITEM = re.compile(r"\((\d+)\)\s*([^\n(]+?)\s*$", re.M)
_SPIRIT = re.compile(r"「(?P<name>[^」「\n]+)」の精神に則り")
_PRINCIPLES = re.compile(
    r"(?P<list>(?:「[^」「\n]+」、?)+)といった実施(?P<n>[一二三四五六七八九十\d]+)原則"
)
_DIRECTION = re.compile(r"や、(?P<d>[^。、]+)といった(?:協力の)?基本的な方向性")
_SHARE = re.compile(
    r"「(?P<a>[^」「\n]+)」及び[^「。]*「(?P<b>[^」「\n]+)」は、[^。]*(?:本質的な|本質的)原則を共有"
)
_ACRONYM_IN = re.compile(r"^(?P<name>.*?)\s*\((?P<acr>[A-Z]{2,10})\)$")
_KANJI_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def recognizes(text: str) -> bool:
    """JASMINE's document: names JASMINE and has a pillar table (``…柱<TAB>…``)."""
    if "ジャスミン" not in text and "JASMINE" not in text:
        return False
    return _TABLE_HEADER.search(DocText("", text).text) is not None


def parse(doc_id: str, text: str) -> list[Framework]:
    dt = DocText(doc_id, text)
    t = dt.text
    fw = _title(dt)
    fw.docs.append(doc_id)
    m = _ADOPTION.search(t)
    if m:
        fw.adopted = iso(m.group(1), m.group(2), m.group(3))
        fw.occasion = dt.orig(m.start("occ"), m.end("occ"))
        s, e = _sentence(t, m.start(), m.end())
        fw.spans.append(dt.span(s, e))
    pc = _PILLAR_COUNT.search(t)
    if pc:
        fw.declared_pillar_count = int(pc.group(1))
    summary = _summary_titles(dt)
    _table(dt, fw)
    if not fw.pillars:  # no table: the summary list still gives the pillars
        fw.pillars = [Pillar(n, title, span=sp) for n, (title, sp) in sorted(summary.items())]
    for p in fw.pillars:  # the table and the summary list must agree
        if p.number in summary and clean(summary[p.number][0]) != p.title:
            fw.notes.append(
                Statement(f"pillar {p.number}: summary title differs: {summary[p.number][0]}")
            )
    if fw.declared_pillar_count is not None and fw.declared_pillar_count != len(fw.pillars):
        fw.notes.append(
            Statement(f"declared {fw.declared_pillar_count} pillars, found {len(fw.pillars)}")
        )
    _cross_pillar(dt, fw)
    for ls, le, line in dt.lines():
        if line.lstrip().startswith("※"):
            a, b = trim(t, ls, le, " \t※")
            fw.notes.append(Statement(dt.orig(a, b), dt.span(a, b)))
    others = _related(dt, fw)
    return [fw, *others]


def _sentence(t: str, a: int, b: int) -> tuple[int, int]:
    s = a
    while s > 0 and t[s - 1] not in "。\n":
        s -= 1
    e = b
    while e < len(t) and t[e] not in "。\n":
        e += 1
    s, e = trim(t, s, e, " \t-")
    return s, e


def _title(dt: DocText) -> Framework:
    t = dt.text
    first = next(((s, e, ln) for s, e, ln in dt.lines() if ln.strip()), None)
    if first is None:
        return Framework(id="JASMINE", name="")
    ls, le, line = first
    m = re.match(r"^\s*(?P<ja>.*?[^\x00-\x7f])\s+(?P<en>[A-Za-z][\x20-\x7e]*?)\s*$", line)
    if not m:
        a, b = trim(t, ls, le)
        return Framework(id="JASMINE", name=dt.orig(a, b), spans=[dt.span(a, b)])
    ja = dt.orig(ls + m.start("ja"), ls + m.end("ja"))
    en = dt.orig(ls + m.start("en"), ls + m.end("en"))
    fid, name_en = "JASMINE", en
    if ":" in en:
        left, right = en.rsplit(":", 1)
        if re.fullmatch(r"\s*[A-Z][A-Z0-9\-]+\s*", right):
            fid, name_en = right.strip(), left.strip()
    short = re.split(r"[:：]", ja)[-1].strip() if re.search(r"[:：]", ja) else None
    aliases = [a for a in (short, fid) if a]
    a, b = trim(t, ls, le)
    return Framework(
        id=fid,
        name=ja,
        name_en=name_en,
        short_name=short,
        aliases=aliases,
        spans=[dt.span(a, b)],
    )


def _summary_titles(dt: DocText) -> dict[int, tuple[str, Span]]:
    """The "(1) … (2) …" list after "Nつの柱:" (used when there is no table, and to check)."""
    t = dt.text
    m = re.search(r"\d+つの柱[:：]\**", t)
    if not m:
        return {}
    out: dict[int, tuple[str, Span]] = {}
    pos = m.end()
    for item in _SUMMARY_ITEM.finditer(t, pos):
        n = int(item.group(1))
        if n != len(out) + 1 or item.start() - pos > 4:
            break
        out[n] = (dt.orig(item.start(2), item.end(2)), dt.span(item.start(2), item.end(2)))
        pos = item.end() + 1
    return out


def _table(dt: DocText, fw: Framework) -> None:
    t = dt.text
    hm = _TABLE_HEADER.search(t)
    if not hm:
        return
    pos = hm.end() + 1
    while pos < len(t):
        nl = t.find("\n", pos)
        le = len(t) if nl < 0 else nl
        row = t[pos:le]
        if not row.strip():
            break
        tab = row.find("\t")
        if tab >= 0:
            _row(dt, fw, pos, pos + tab, pos + tab + 1, le)
        pos = le + 1


def _row(dt: DocText, fw: Framework, c0: int, c0_end: int, c1: int, c1_end: int) -> None:
    t = dt.text
    pm = _PILLAR_P.search(t, c0, c0_end)
    if not pm:
        return
    number = int(pm.group("num"))
    digit = dt.orig(pm.start("num"), pm.end("num"))
    if digit in CIRCLED:
        number = CIRCLED[digit]
    pillar = Pillar(
        number=number,
        title=clean(dt.orig(pm.start("title"), pm.end("title"))),
        span=dt.span(pm.start("title"), pm.end("title")),
    )
    # statements (●) and lines of effort (✓ <title>：description)
    marks = list(_MARK.finditer(t, pm.end(), c0_end))
    for i, mk in enumerate(marks):
        a = mk.end()
        b = marks[i + 1].start() if i + 1 < len(marks) else c0_end
        a, b = _strip_tags(t, a, b)
        if a >= b:
            continue
        if mk.group() == "✓":
            lm = _LOE.match(t, a, b)
            if lm:
                ta, tb = lm.start("title"), lm.end("title")
                da, db = trim(t, lm.start("desc"), b)
                pillar.lines_of_effort.append(
                    LineOfEffort(
                        title=dt.orig(ta, tb),
                        description=dt.orig(da, db),
                        span=dt.span(ta, tb),
                    )
                )
                continue
        pillar.statements.append(Statement(clean(dt.orig(a, b)), dt.span(a, b)))
    # initiatives (・ bullets, 【新】 marks)
    bullets = [m for m in _BULLET.finditer(t, c1, c1_end)]
    for i, bm in enumerate(bullets):
        a = bm.end()
        b = bullets[i + 1].start() if i + 1 < len(bullets) else c1_end
        a, b = _strip_tags(t, a, b)
        if a >= b:
            continue
        written = dt.orig(a, b)
        name = clean(written)
        new = name.startswith(_NEW)
        if new:
            name = name[len(_NEW) :].strip()
        if i == len(bullets) - 1 and name.endswith("等"):
            # the closing "等" of the list: "…」等", "…受け入れ等" (and so on)
            name = name[:-1].rstrip()
            pillar.open_list = True
        q = _QUOTED_ONE.match(name)
        if q:
            name = q.group(1)
        existing = fw.initiative(name)
        if existing is not None:  # listed again under another pillar
            if number not in existing.pillars:
                existing.pillars.append(number)
            existing.mentions.append(dt.span(a, b))
            existing.new = existing.new or new
            continue
        fw.initiatives.append(
            Initiative(name=name, new=new, pillars=[number], written=written, span=dt.span(a, b))
        )
    fw.pillars.append(pillar)


def _strip_tags(t: str, a: int, b: int) -> tuple[int, int]:
    """Trim whitespace and HTML tags at both ends of ``[a, b)``."""
    while True:
        a, b = trim(t, a, b)
        m = HTML_TAG.match(t, a, b)
        if m and m.start() == a:
            a = m.end()
            continue
        tail = None
        for tm in HTML_TAG.finditer(t, a, b):
            tail = tm
        if tail is not None and tail.end() == b:
            b = tail.start()
            continue
        return a, b


def _cross_pillar(dt: DocText, fw: Framework) -> None:
    """An initiative whose 「name」 is cited inside another pillar's initiative belongs there too."""
    by_pillar: dict[int, list[Initiative]] = {}
    for ini in fw.initiatives:
        for p in ini.pillars:
            by_pillar.setdefault(p, []).append(ini)
    for ini in fw.initiatives:
        quoted = f"「{ini.name}」"
        for p, others in sorted(by_pillar.items()):
            if p in ini.pillars:
                continue
            for other in others:
                if other is ini or quoted not in other.written or other.span is None:
                    continue
                off = other.written.index(quoted)
                start = other.span.start + off
                ini.pillars.append(p)
                ini.mentions.append(Span(dt.doc, start, start + len(quoted), dt.line_of(start)))
                break
        ini.pillars.sort()


def _related(dt: DocText, fw: Framework) -> list[Framework]:
    """Vientiane Vision 2.0 (spirit, principles), and FOIP / AOIP (shared principles)."""
    t = dt.text
    out: dict[str, Framework] = {}

    def stub(name_n: str, a: int, b: int) -> Framework:
        """A framework named in the text (normalized name at ``[a, b)``)."""
        name = dt.orig(a, b)
        acr = _ACRONYM_IN.match(name)
        fid = None
        if acr:
            name = acr.group("name")
            fid = acr.group("acr")
        fid = fid or framework_id_for(name) or name
        f = out.get(fid)
        if f is None:
            f = Framework(id=fid, name=name, docs=[dt.doc])
            out[fid] = f
        return f

    sm = _SPIRIT.search(t)
    if sm:
        target = stub(sm.group("name"), sm.start("name"), sm.end("name"))
        a, b = _sentence(t, sm.start(), sm.end())
        fw.relations.append(Relation("follows_spirit_of", target.id, span=dt.span(a, b)))
    pm = _PRINCIPLES.search(t)
    if pm:
        # the principles belong to the framework quoted last before them in the sentence
        s, _ = _sentence(t, pm.start(), pm.end())
        owner = None
        for q in re.finditer(r"「([^」「\n]+)」", t[s : pm.start()]):
            name = q.group(1)
            if framework_id_for(dt.orig(s + q.start(1), s + q.end(1))) or name in {
                f.name for f in out.values()
            }:
                owner = stub(name, s + q.start(1), s + q.end(1))
        if owner is not None:
            lst = pm.start("list")
            for q in re.finditer(r"「([^」「\n]+)」", pm.group("list")):
                a, b = lst + q.start(1), lst + q.end(1)
                owner.principles.append(Principle(dt.orig(a, b), span=dt.span(a, b)))
            n = pm.group("n")
            declared = _KANJI_NUM.get(n) or (int(n) if n.isdigit() else None)
            if declared is not None and declared != len(owner.principles):
                owner.notes.append(
                    Statement(f"declared {declared} principles, found {len(owner.principles)}")
                )
            dm = _DIRECTION.search(t, pm.end())
            if dm and dm.start() - pm.end() < 5:
                a, b = dm.start("d"), dm.end("d")
                owner.principles.append(
                    Principle(dt.orig(a, b), kind="basic_direction", span=dt.span(a, b))
                )
            a, b = _sentence(t, pm.start(), pm.end())
            owner.spans.append(dt.span(a, b))
    for shm in _SHARE.finditer(t):
        fa = stub(shm.group("a"), shm.start("a"), shm.end("a"))
        fb = stub(shm.group("b"), shm.start("b"), shm.end("b"))
        a, b = _sentence(t, shm.start(), shm.end())
        fa.relations.append(Relation("shares_principles_with", fb.id, span=dt.span(a, b)))
        fb.relations.append(Relation("shares_principles_with", fa.id, span=dt.span(a, b)))
    return list(out.values())
