"""The transparent event → pillar / initiative classifier.

Driven by ``defcoop/data/framework_links.yaml``: initiative names and cue words
taken from the text of JASMINE's table (000) and of the Joint Vision's cooperation
areas (002), event kinds, and partners. Every :class:`Link` records the id of the
rule that made it, the cue that fired and the source line the rule comes from.

Only events with an ASEAN party — ``ASEAN``, ``ASEAN_SEC`` or an ASEAN member on
the event's date — or held at one of the multilateral ASEAN frameworks (ADMM,
ADMMプラス, 日ASEAN防衛担当大臣会合, 日ASEAN次官級会合) are candidates, and only from
the framework's adoption on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from defcoop.normalize import normalize
from defcoop.records import content_id

from .model import Achievement, Link, Span

IsAsean = Callable[[str, str | None], bool]


@dataclass(slots=True)
class Rule:
    id: str
    framework: str
    pillar: int | None
    line_of_effort: str | None = None
    initiative: str | None = None
    area: str | None = None
    kinds: frozenset[str] = frozenset()
    cues_any: tuple[str, ...] = ()
    cues_all: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    partners_any: frozenset[str] = frozenset()
    venue: bool = False
    group: str | None = None
    fallback: str = (
        ""  # "" | "initiative" (unless an initiative fired) | "all" (unless anything fired)
    )
    source: str = ""


@dataclass(slots=True)
class LinkData:
    groups: frozenset[str]
    members: dict[str, str]  # code -> ISO date joined
    venues: tuple[str, ...]
    pacific: frozenset[str]
    effective_from: dict[str, str]
    adopted_at: dict[str, tuple[str, ...]] = field(default_factory=dict)
    talk_kinds: frozenset[str] = frozenset()
    rules: list[Rule] = field(default_factory=list)

    def default_is_asean(self, code: str, date: str | None) -> bool:
        since = self.members.get(code)
        if since is None:
            return False
        return date is None or date >= since[: len(date)]


def _s(v: Any) -> str:
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def _n(s: str) -> str:
    return normalize(str(s)).text


def load_link_data(raw: Mapping[str, Any] | None = None) -> LinkData:
    """Parse the rules (from ``raw`` or the packaged data file)."""
    if raw is None:
        return _packaged()
    asean = raw.get("asean") or {}
    data = LinkData(
        groups=frozenset(asean.get("groups") or ()),
        members={str(k): _s(v) for k, v in (asean.get("members") or {}).items()},
        venues=tuple(_n(v) for v in asean.get("venues") or ()),
        pacific=frozenset(raw.get("pacific") or ()),
        effective_from={},
        talk_kinds=frozenset(raw.get("talk_kinds") or ()),
    )
    for fwd in raw.get("frameworks") or ():
        fid = str(fwd["id"])
        if fwd.get("effective_from"):
            data.effective_from[fid] = _s(fwd["effective_from"])
        data.adopted_at[fid] = tuple(_n(c) for c in fwd.get("adopted_at") or ())
        for r in fwd.get("rules") or ():
            src = r.get("source") or {}
            data.rules.append(
                Rule(
                    id=str(r["id"]),
                    framework=fid,
                    pillar=None if r.get("pillar") is None else int(r["pillar"]),
                    line_of_effort=r.get("line_of_effort"),
                    initiative=r.get("initiative"),
                    area=r.get("area"),
                    kinds=frozenset(r.get("kinds") or ()),
                    cues_any=tuple(_n(c) for c in r.get("cues_any") or ()),
                    cues_all=tuple(_n(c) for c in r.get("cues_all") or ()),
                    unless=tuple(_n(c) for c in r.get("unless") or ()),
                    partners_any=frozenset(r.get("partners_any") or ()),
                    venue=bool(r.get("venue")),
                    group=r.get("group"),
                    fallback=_fallback(r.get("fallback")),
                    source=(
                        f"{src.get('doc', '')} line {src.get('line', '?')}: {src.get('quote', '')}"
                        if src
                        else ""
                    ),
                )
            )
    return data


def _fallback(v: Any) -> str:
    if v is True or v == "all":
        return "all"
    if v == "initiative":
        return "initiative"
    return ""


@lru_cache(maxsize=1)
def _packaged() -> LinkData:
    path = resources.files("defcoop").joinpath("data", "framework_links.yaml")
    return load_link_data(yaml.safe_load(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- event access


def _get(ev: Any, name: str, default: Any = None) -> Any:
    if isinstance(ev, Mapping):
        return ev.get(name, default)
    return getattr(ev, name, default)


def _event_text(ev: Any) -> str:
    parts = [
        _get(ev, "quote"),
        _get(ev, "sentence"),
        _get(ev, "text"),
        _get(ev, "summary"),
        _get(ev, "occasion"),
    ]
    return _n(" ".join(str(p) for p in parts if p))


@lru_cache(maxsize=4096)
def _cue_re(cue: str) -> re.Pattern[str]:
    if re.fullmatch(r"[A-Za-z0-9]+", cue):  # OSA, AI, WPS: not inside another Latin word
        return re.compile(rf"(?<![A-Za-z]){re.escape(cue)}(?![A-Za-z])")
    return re.compile(re.escape(cue))


def _has(text: str, cue: str) -> bool:
    return _cue_re(cue).search(text) is not None


def registry_is_asean() -> IsAsean | None:
    """``is_asean`` backed by the partner registry (dated memberships), if it is installed."""
    try:
        from defcoop.extract.partners import registry
    except ImportError:  # pragma: no cover - the registry ships with the package
        return None
    reg = registry()

    def is_asean(code: str, date: str | None) -> bool:
        if date is None:
            return any(m.code == code and m.role == "member" for m in reg.members("ASEAN"))
        return code in reg.member_codes("ASEAN", date)

    return is_asean


def _as_is_asean(
    is_asean: IsAsean | Collection[str] | None, data: LinkData
) -> Callable[[str, str | None], bool]:
    if is_asean is None:
        return data.default_is_asean
    if callable(is_asean):
        return is_asean
    members = frozenset(is_asean)
    return lambda code, _date: code in members


def candidate_reason(
    ev: Any,
    *,
    is_asean: IsAsean | Collection[str] | None = None,
    data: LinkData | None = None,
) -> str | None:
    """Why the event is a candidate for the ASEAN frameworks (None: it is not).

    An ASEAN party (group code or member on the date) makes a candidate; so does a
    multilateral ASEAN venue for the conference itself or for an event with no partner code.
    """
    data = data or load_link_data()
    member = _as_is_asean(is_asean, data)
    date = _get(ev, "date")
    partners = list(_get(ev, "partners") or ())
    for p in partners:
        if p in data.groups:
            return f"partner {p}"
    for p in partners:
        if member(p, date):
            return f"ASEAN member {p}"
    if partners and _get(ev, "kind") != "conference":
        # talks with a non-ASEAN partner on the margins of an ASEAN meeting are not candidates
        return None
    text = _event_text(ev)
    for v in data.venues:
        if v in text:
            return f"venue {v}"
    return None


def classify(
    ev: Any,
    *,
    is_asean: IsAsean | Collection[str] | None = None,
    data: LinkData | None = None,
    frameworks: Sequence[str] | None = None,
) -> list[Link]:
    """Links of one event-like object (``kind``, ``partners``, ``quote``/``sentence``, ``date``,
    optional ``occasion``) — a :class:`defcoop.records.Event` or a mapping.

    ``is_asean(code, date)`` says whether a partner code is an ASEAN member on that date
    (a plain set of codes also works); the default uses the data file's join dates.
    """
    data = data or load_link_data()
    reason = candidate_reason(ev, is_asean=is_asean, data=data)
    if reason is None:
        return []
    member = _as_is_asean(is_asean, data)
    kind = _get(ev, "kind")
    date = _get(ev, "date")
    partners = list(_get(ev, "partners") or ())
    text = _event_text(ev)
    pacific = any(p in data.pacific and not member(p, date) for p in partners)
    at_venue = any(v in text for v in data.venues)
    out: list[Link] = []
    wanted = set(frameworks) if frameworks else None
    for fid in dict.fromkeys(r.framework for r in data.rules):
        if wanted is not None and fid not in wanted:
            continue
        start = data.effective_from.get(fid)
        if start and (date is None or date < start[: len(date)] or date == start):
            continue  # before (or at) adoption, or undated: not an achievement of it
        if any(_has(text, c) for c in data.adopted_at.get(fid, ())):
            continue  # the adopting meeting / the adopted document itself
        fired: list[tuple[Rule, str | None]] = []
        groups_done: set[str] = set()
        for rule in (r for r in data.rules if r.framework == fid):
            if (
                kind in data.talk_kinds
                and (rule.cues_any or rule.cues_all)
                and kind not in rule.kinds
            ):
                continue  # talks only name topics
            cue = _match(rule, kind, text, partners, pacific, at_venue)
            if cue is False:
                continue
            if rule.group:
                if rule.group in groups_done:
                    continue
                groups_done.add(rule.group)
            fired.append((rule, cue if isinstance(cue, str) else None))
        chosen = [(r, c) for r, c in fired if not r.fallback]
        if not any(r.initiative for r, _ in chosen):
            chosen += [(r, c) for r, c in fired if r.fallback == "initiative"]
        if not chosen:
            chosen = [(r, c) for r, c in fired if r.fallback == "all"]
        links = [
            Link(
                framework=fid,
                pillar=r.pillar,
                initiative=r.initiative,
                rule=r.id,
                line_of_effort=r.line_of_effort,
                area=r.area,
                cue=c,
                reason=f"{reason}; {r.source}" if r.source else reason,
            )
            for r, c in chosen
        ]
        out.extend(_dedupe(links))
    return out


def _match(
    rule: Rule,
    kind: str | None,
    text: str,
    partners: list[str],
    pacific: bool,
    at_venue: bool,
) -> str | bool:
    """False when the rule does not fire; else the cue that fired (or True)."""
    if rule.kinds and kind not in rule.kinds:
        return False
    if rule.venue and not at_venue:
        return False
    if any(_has(text, c) for c in rule.unless):
        return False
    if rule.cues_all and not all(_has(text, c) for c in rule.cues_all):
        return False
    cue: str | bool = True
    if rule.cues_any:
        hit = next((c for c in rule.cues_any if _has(text, c)), None)
        if hit is None:
            return False
        cue = hit
    elif rule.cues_all:
        cue = rule.cues_all[0]
    if rule.partners_any:
        ok = any((p == "@pacific" and pacific) or p in partners for p in sorted(rule.partners_any))
        if not ok:
            return False
    return cue


def _dedupe(links: list[Link]) -> list[Link]:
    with_initiative = {(lk.pillar) for lk in links if lk.initiative}
    seen: set[tuple[Any, ...]] = set()
    out = []
    for lk in links:
        if lk.initiative is None and lk.area is None and lk.pillar in with_initiative:
            continue
        key = (lk.pillar, lk.initiative, lk.area, lk.line_of_effort if not lk.initiative else None)
        if key in seen:
            continue
        seen.add(key)
        out.append(lk)
    # a pillar-level link without line of effort is dropped when a line-of-effort link exists
    pillars_with_loe = {lk.pillar for lk in out if lk.line_of_effort or lk.initiative}
    return [
        lk
        for lk in out
        if lk.initiative or lk.line_of_effort or lk.area or lk.pillar not in pillars_with_loe
    ]


# ---------------------------------------------------------------- curator overrides


@dataclass(slots=True)
class LinkOverride:
    """A curator's decision on an event's links (the store keeps the audit trail)."""

    event: str
    action: str  # "add" | "remove"
    framework: str
    pillar: int | None = None
    initiative: str | None = None
    area: str | None = None
    note: str | None = None
    curator: str | None = None
    at: str | None = None


def apply_overrides(
    event_id: str, links: list[Link], overrides: Iterable[LinkOverride]
) -> list[Link]:
    """``links`` with the curators' removals and additions for ``event_id`` applied, in order."""
    out = list(links)
    for ov in overrides:
        if ov.event != event_id:
            continue

        def same(lk: Link, ov: LinkOverride = ov) -> bool:
            return (
                lk.framework == ov.framework
                and (ov.pillar is None or lk.pillar == ov.pillar)
                and (ov.initiative is None or lk.initiative == ov.initiative)
                and (ov.area is None or lk.area == ov.area)
            )

        if ov.action == "remove":
            out = [lk for lk in out if not same(lk)]
        elif ov.action == "add" and not any(
            same(lk) and lk.pillar == ov.pillar and lk.initiative == ov.initiative for lk in out
        ):
            out.append(
                Link(
                    framework=ov.framework,
                    pillar=ov.pillar,
                    initiative=ov.initiative,
                    area=ov.area,
                    rule=f"curator:{ov.curator or 'unknown'}",
                    reason=ov.note or "",
                    curated=True,
                    note=ov.note,
                )
            )
    return out


# ---------------------------------------------------------------- achievements


def event_id_of(ev: Any) -> str:
    eid = _get(ev, "event_id") or _get(ev, "id")
    if eid:
        return str(eid)
    return content_id(
        _get(ev, "doc"), _get(ev, "kind"), _get(ev, "date"), ",".join(_get(ev, "partners") or ())
    )


def achievements_from_events(
    events: Iterable[Any],
    *,
    is_asean: IsAsean | Collection[str] | None = None,
    data: LinkData | None = None,
    overrides: Iterable[LinkOverride] = (),
    frameworks: Sequence[str] | None = None,
) -> list[Achievement]:
    """Classify each event; those with links become :class:`Achievement` records."""
    ovs = list(overrides)
    out: list[Achievement] = []
    for ev in events:
        eid = event_id_of(ev)
        links = classify(ev, is_asean=is_asean, data=data, frameworks=frameworks)
        links = apply_overrides(eid, links, ovs)
        if not links:
            continue
        ev_src = _get(ev, "evidence")
        src = None
        if ev_src is not None:
            src = Span(
                _get(ev_src, "doc_id"),
                _get(ev_src, "start"),
                _get(ev_src, "end"),
                _get(ev_src, "line"),
            )
        elif _get(ev, "doc") is not None and _get(ev, "line") is not None:
            src = Span(_get(ev, "doc"), -1, -1, int(_get(ev, "line")))
        out.append(
            Achievement(
                event=eid,
                date=_get(ev, "date"),
                partners=sorted(set(_get(ev, "partners") or ())),
                summary=str(_get(ev, "summary") or _get(ev, "quote") or ""),
                links=links,
                kind=_get(ev, "kind"),
                source=src,
            )
        )
    return out
