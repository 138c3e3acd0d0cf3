"""Frameworks of cooperation: JASMINE, Vientiane Vision 2.0, the Japan-ASEAN Joint Vision, FOIP.

``parse_all(docs)`` runs each parser on the documents it recognizes (by content),
merges what they find per framework id, and adds the curated data of
``defcoop/data/frameworks/``. ``framework_to_json`` gives the shape of
``defcoop frameworks show NAME --json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from . import parse_foip, parse_jasmine, parse_joint_vision
from ._text import DocText, shared_views
from .curated import apply_curated
from .model import (
    Achievement,
    Commitment,
    Framework,
    Initiative,
    Link,
    Pillar,
    to_plain,
)

__all__ = [
    "PARSERS",
    "Achievement",
    "Commitment",
    "Framework",
    "Initiative",
    "Link",
    "Pillar",
    "find_framework",
    "framework_to_json",
    "parse_all",
    "shared_views",
]

# (name, recognizes(text), parse(doc_id, text)) — a parser only runs on a document it recognizes.
PARSERS: list[tuple[str, Callable[[str], bool], Callable[[str, str], list[Framework]]]] = [
    ("jasmine", parse_jasmine.recognizes, parse_jasmine.parse),
    ("joint_vision", parse_joint_vision.recognizes, parse_joint_vision.parse),
    ("foip", parse_foip.recognizes, parse_foip.parse),
]


def parse_all(docs: Mapping[str, str]) -> list[Framework]:
    """Frameworks found in ``docs`` (doc id → original text), merged by id, curated data added."""
    found: dict[str, Framework] = {}
    for doc_id, text in docs.items():
        with shared_views():  # normalized once for all the parsers, then dropped
            for _name, recognizes, parse in PARSERS:
                if not recognizes(text):
                    continue
                for fw in parse(doc_id, text):
                    if fw.id in found:
                        _merge(found[fw.id], fw)
                    else:
                        found[fw.id] = fw
    frameworks = list(found.values())
    apply_curated(frameworks, _LazyDocs(docs))
    return frameworks


class _LazyDocs(Mapping[str, DocText]):
    """doc id -> ``DocText``, made on access (not all documents' views at once)."""

    def __init__(self, docs: Mapping[str, str]) -> None:
        self._docs = docs

    def __getitem__(self, key: str) -> DocText:
        return DocText(key, self._docs[key])

    def __contains__(self, key: object) -> bool:
        return key in self._docs

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)


def _merge(into: Framework, other: Framework) -> None:
    """Fill ``into`` with what ``other`` adds (a stub named in one document, parsed in another)."""
    richer = len(other.pillars) > len(into.pillars)
    for attr in ("name_en", "short_name", "adopted", "occasion", "place", "subtitle"):
        if getattr(into, attr) is None or (richer and getattr(other, attr) is not None):
            setattr(into, attr, getattr(other, attr))
    if richer or (into.name == into.id and other.name != other.id):
        into.name = other.name
    for attr in (
        "pillars",
        "initiatives",
        "principles",
        "commitments",
        "plans",
        "meetings",
        "milestones",
        "regions",
        "directions",
    ):
        if not getattr(into, attr):
            setattr(into, attr, getattr(other, attr))
    if into.declared_pillar_count is None:
        into.declared_pillar_count = other.declared_pillar_count
    for a in other.aliases:
        if a not in into.aliases:
            into.aliases.append(a)
    for r in other.relations:
        if not any(x.kind == r.kind and x.target == r.target for x in into.relations):
            into.relations.append(r)
    into.spans.extend(other.spans)
    into.notes.extend(other.notes)
    for d in other.docs:
        if d not in into.docs:
            into.docs.append(d)


def find_framework(frameworks: Iterable[Framework], name: str) -> Framework | None:
    """The framework whose id, name, English name or alias is ``name`` (case-insensitive)."""
    for fw in frameworks:
        if fw.matches(name):
            return fw
    return None


def _achievement_dict(a: Achievement | Mapping[str, Any], detail: bool) -> dict[str, Any]:
    if isinstance(a, Achievement):
        out: dict[str, Any] = {
            "event": a.event,
            "date": a.date,
            "partners": sorted(a.partners),
            "summary": a.summary,
        }
        if detail:
            out["kind"] = a.kind
            out["source"] = to_plain(a.source)
            out["links"] = [to_plain(lk) for lk in a.links]
        return out
    keys = ("event", "date", "partners", "summary")
    out = {k: a.get(k) for k in keys}
    if detail:
        out.update({k: v for k, v in a.items() if k not in keys})
    return out


def _pillars_of(a: Achievement | Mapping[str, Any], fid: str) -> list[int]:
    if isinstance(a, Achievement):
        return a.pillars(fid)
    if "pillars" in a:
        return [int(p) for p in a["pillars"]]
    if "pillar" in a and a["pillar"] is not None:
        return [int(a["pillar"])]
    return []


def framework_to_json(
    fw: Framework,
    achievements: Iterable[Achievement | Mapping[str, Any]] | None = None,
    *,
    detail: bool = False,
) -> dict[str, Any]:
    """``{"id", "name", "adopted", "pillars": [{"number", "title", "lines_of_effort",
    "initiatives", "achievements"}]}`` — every initiative under each pillar it belongs to.

    ``achievements`` are :class:`Achievement` objects (pillars taken from their links to
    this framework) or mappings with ``event, date, partners, summary`` and ``pillar(s)``.
    Frameworks other than JASMINE add the keys they have (cooperation areas, plans,
    commitments, meetings); ``detail=True`` adds English names, spans and rules.
    """
    by_pillar: dict[int, list[dict[str, Any]]] = {}
    for a in achievements or ():
        for num in _pillars_of(a, fw.id):
            by_pillar.setdefault(num, []).append(_achievement_dict(a, detail))
    for lst in by_pillar.values():
        lst.sort(key=lambda d: (d.get("date") or "", str(d.get("event"))))
    pillars = []
    for p in fw.pillars:
        pd: dict[str, Any] = {
            "number": p.number,
            "title": p.title,
            "lines_of_effort": [_loe(lo, detail) for lo in p.lines_of_effort],
            "initiatives": [_initiative(i, detail) for i in fw.initiatives_of(p.number)],
            "achievements": by_pillar.get(p.number, []),
        }
        if p.cooperation_areas:
            pd["cooperation_areas"] = [
                {"name": c.name, **({"name_en": c.name_en} if detail else {})}
                for c in p.cooperation_areas
            ]
        if detail:
            pd["title_en"] = p.title_en
            pd["statements"] = [s.text for s in p.statements]
            pd["open_list"] = p.open_list
            pd["span"] = to_plain(p.span)
        pillars.append(pd)
    out: dict[str, Any] = {"id": fw.id, "name": fw.name, "adopted": fw.adopted, "pillars": pillars}
    if fw.plans:
        out["plans"] = [to_plain(pl) if detail else _plan(pl) for pl in fw.plans]
    if fw.commitments:
        out["commitments"] = [_commitment(c, detail) for c in fw.commitments]
    if fw.meetings:
        out["meetings"] = [_meeting(m, detail) for m in fw.meetings]
    if detail:
        out.update(
            {
                "name_en": fw.name_en,
                "short_name": fw.short_name,
                "aliases": fw.aliases,
                "occasion": fw.occasion,
                "place": fw.place,
                "subtitle": fw.subtitle,
                "principles": [to_plain(p) for p in fw.principles],
                "relations": [to_plain(r) for r in fw.relations],
                "milestones": [to_plain(m) for m in fw.milestones],
                "regions": fw.regions,
                "directions": [d.text for d in fw.directions],
                "notes": [n.text for n in fw.notes],
                "docs": fw.docs,
                "spans": [to_plain(s) for s in fw.spans],
            }
        )
    return out


def _loe(lo: Any, detail: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"title": lo.title}
    if detail:
        d.update(
            title_en=lo.title_en,
            description=lo.description,
            span=to_plain(lo.span),
            curated=lo.citation is not None,
        )
    return d


def _initiative(i: Initiative, detail: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"name": i.name, "new": i.new, "pillars": list(i.pillars)}
    if detail:
        d.update(
            name_en=i.name_en,
            written=i.written,
            group=i.group,
            span=to_plain(i.span),
            mentions=[to_plain(m) for m in i.mentions],
        )
    return d


def _plan(pl: Any) -> dict[str, Any]:
    return {
        "name": pl.name,
        "items": pl.items,
        "predecessor_items": pl.predecessor_items,
        "predecessor": pl.predecessor_label,
    }


def _commitment(c: Commitment, detail: bool) -> dict[str, Any]:
    if detail:
        return dict(to_plain(c))
    return {
        "text": c.text,
        "amount": to_plain(c.amount),
        "currency": c.currency,
        "quantity": to_plain(c.quantity),
        "quantity_unit": c.quantity_unit,
        "qualifier": c.qualifier,
        "period_years": c.period_years,
        "what": c.heading or c.what,
        "date": c.date,
        "source": to_plain(c.span),
    }


def _meeting(m: Any, detail: bool) -> dict[str, Any]:
    if detail:
        return dict(to_plain(m))
    return {
        "date": m.date,
        "end": m.end,
        "place": m.place,
        "name": m.name,
        "special": m.special,
        "aside": m.aside,
    }
