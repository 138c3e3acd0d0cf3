"""Curated framework data: what the documents do not state in a parseable form.

Each YAML file in ``defcoop/data/frameworks/`` describes one framework by id and
only adds to what the parsers found (it never overrides a parsed value):
ids for frameworks the text names without an acronym, English names (marked as
translations where the text gives none), relations stated in prose, a line of
effort for a pillar that names none, regions. Every entry cites a document and
its lines with a quote; when the document is given, the quote is located and
the entry gets a span in the original text.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from itertools import chain
from typing import Any

import yaml

from defcoop.normalize import normalize

from ._text import DocText
from .model import Citation, Framework, LineOfEffort, Relation


@lru_cache(maxsize=1)
def load_curated() -> dict[str, dict[str, Any]]:
    """All curated framework entries keyed by framework id."""
    out: dict[str, dict[str, Any]] = {}
    base = resources.files("defcoop").joinpath("data", "frameworks")
    for entry in sorted(base.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith((".yaml", ".yml")):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        out[str(data["id"])] = data
    return out


def framework_id_for(name: str) -> str | None:
    """The id of a framework named ``name`` (as written, any width), from the curated names."""
    key = normalize(name).text.strip()
    for fid, data in load_curated().items():
        for n in [data.get("name"), *(data.get("names") or []), *(data.get("aliases") or [])]:
            if n and normalize(str(n)).text == key:
                return fid
    return None


def citation(raw: Mapping[str, Any] | None, docs: Mapping[str, DocText]) -> Citation | None:
    if not raw:
        return None
    lines = raw.get("lines") or ([raw["line"]] if "line" in raw else [])
    c = Citation(
        doc=str(raw.get("doc", "")),
        lines=[int(x) for x in lines],
        quote=raw.get("quote"),
        note=raw.get("note"),
    )
    if c.quote:
        # one document at a time (``docs`` may make each view on access)
        order = chain([docs[c.doc]] if c.doc in docs else [], (docs[k] for k in docs if k != c.doc))
        for dt in order:
            sp = dt.find_original(c.quote, c.lines[0] if c.lines and dt.doc == c.doc else None)
            if sp is not None:
                c.span = sp
                break
    return c


def apply_curated(frameworks: list[Framework], docs: Mapping[str, DocText]) -> None:
    """Add curated facts to the parsed frameworks (only fills gaps; never overrides)."""
    cur = load_curated()
    for fw in frameworks:
        data = cur.get(fw.id)
        if not data:
            continue
        if not fw.name_en and data.get("name_en"):
            fw.name_en = data["name_en"]
        for a in data.get("aliases") or []:
            if a not in fw.aliases and a != fw.id:
                fw.aliases.append(a)
        for n in data.get("names") or []:
            if n != fw.name and n not in fw.aliases:
                fw.aliases.append(n)
        for r in data.get("relations") or []:
            if any(x.kind == r["kind"] and x.target == r["target"] for x in fw.relations):
                continue
            cit = citation(r.get("cite"), docs)
            fw.relations.append(
                Relation(r["kind"], r["target"], span=cit.span if cit else None, citation=cit)
            )
        for p in data.get("pillars") or []:
            pillar = fw.pillar(int(p["number"]))
            if pillar is None:
                continue
            if not pillar.title_en and p.get("title_en"):
                pillar.title_en = p["title_en"]
            loes = p.get("lines_of_effort") or []
            if loes and not pillar.lines_of_effort:
                for lo in loes:
                    c = citation(lo.get("cite"), docs)
                    pillar.lines_of_effort.append(
                        LineOfEffort(
                            title=lo["title"],
                            title_en=lo.get("title_en"),
                            span=c.span if c else None,
                            citation=c,
                        )
                    )
            for lo in loes:
                for have in pillar.lines_of_effort:
                    if have.title == lo["title"] and not have.title_en:
                        have.title_en = lo.get("title_en")
            for loe in p.get("lines_of_effort_en") or []:
                for have in pillar.lines_of_effort:
                    if have.title == loe["title"] and not have.title_en:
                        have.title_en = loe["title_en"]
            for ar in p.get("cooperation_areas_en") or []:
                for area in pillar.cooperation_areas:
                    if area.name == ar["name"] and not area.name_en:
                        area.name_en = ar["name_en"]
        for i in data.get("initiatives") or []:
            ini = fw.initiative(i["name"])
            if ini is not None and not ini.name_en and i.get("name_en"):
                ini.name_en = i["name_en"]
        for pr in data.get("principles") or []:
            for principle in fw.principles:
                if principle.name == pr["name"] and not principle.name_en:
                    principle.name_en = pr.get("name_en")
        if not fw.regions and data.get("regions"):
            c = citation(data.get("regions_cite"), docs)
            if c is None or c.span is not None or not docs:
                fw.regions = list(data["regions"])
