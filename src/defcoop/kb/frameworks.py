"""Frameworks in the store: import from the stored documents, link events, curate links.

* :func:`sync_frameworks` parses the frameworks (JASMINE, Vientiane Vision 2.0, the
  Joint Vision, FOIP, AOIP) from the store's *current* documents with
  :func:`defcoop.frameworks.parse_all` and writes ``frameworks``, ``pillars``,
  ``lines_of_effort``, ``initiatives`` (+ ``initiative_pillars``: one initiative under
  several pillars), ``principles``, ``framework_relations`` and ``commitments``, each
  with its source span (document version, offsets, line) or, for curated data, a note
  citing the source lines. Ids are deterministic; only what differs is written, so
  re-running changes nothing and a changed document updates the rows it changes.
* The Joint Vision's cooperation areas are listed on their pillar (``pillars.areas``)
  and also stored as ``initiatives`` rows, so that events can be linked to them and
  their implementation status overridden like an initiative's; a row is an *area* when
  its name is one of its pillars' areas.
* :func:`link_events` classifies every event with :func:`defcoop.frameworks.links.classify`
  (ASEAN membership from the store's partner registry on the event's date) and writes
  ``event_framework_links`` with the rule and the reason. Only ``automatic`` rows are
  ever changed or deleted: a link a curator added (``manual``), confirmed (``verified``)
  or removed (``rejected``) is kept as it is, and a removed link is never re-created
  (a rejected pillar-level or framework-level row blocks every automatic link under it).
* :func:`add_link`, :func:`remove_link` and :func:`set_status` are the curator's
  operations; each writes the audit log (``audit_log``) in the same transaction, the
  same way as :mod:`defcoop.kb.curation`.
* Readers for the CLI, reports and web: :func:`stored_frameworks`, :func:`achievements`,
  :func:`implementation_status`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, insert, or_, select
from sqlalchemy.orm import Session

from defcoop.errors import DefcoopError
from defcoop.frameworks import find_framework, parse_all
from defcoop.frameworks import links as fl
from defcoop.frameworks import model as fm
from defcoop.frameworks import status as fs
from defcoop.frameworks.curated import load_curated
from defcoop.records import content_id
from defcoop.store import Store
from defcoop.store import models as m

__all__ = [
    "AUDIT_ENTITY_LINK",
    "AUDIT_ENTITY_STATUS",
    "FrameworkError",
    "LinkChange",
    "LinkResult",
    "SyncResult",
    "achievements",
    "add_link",
    "empty_message",
    "find_stored",
    "implementation_status",
    "link_audit",
    "link_events",
    "link_id",
    "remove_link",
    "require_framework",
    "require_frameworks",
    "resolve_frameworks",
    "set_status",
    "stored_frameworks",
    "sync_frameworks",
]

#: ``audit_log.entity`` of link and status changes.
AUDIT_ENTITY_LINK = "framework_link"
AUDIT_ENTITY_STATUS = "initiative"
#: Link states a curator set: never changed by :func:`link_events`.
CURATED_STATES = ("manual", "verified", "corrected", "rejected")
_BATCH = 2000

#: Qualifiers as written -> codes stored in ``commitments.qualifier``.
QUALIFIERS = {
    "以上": "at_least",
    "超": "more_than",
    "余り": "more_than",
    "強": "more_than",
    "弱": "less_than",
    "約": "about",
    "およそ": "about",
    "規模": "about",
    "程度": "about",
    "前後": "about",
    "最大": "up_to",
    "総額": "total",
    "累計": "total",
}


class FrameworkError(DefcoopError):
    """A framework, pillar, initiative or event named by a curator does not exist."""


# =========================================================================== results


@dataclass(slots=True)
class SyncResult:
    """What :func:`sync_frameworks` wrote (counts per table) and kept."""

    frameworks: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    # rows no longer in the documents but kept because curators rely on them
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            sum(self.added.values()) + sum(self.updated.values()) + sum(self.removed.values())
        )


@dataclass(slots=True)
class LinkResult:
    """What :func:`link_events` wrote."""

    events: int = 0  # events classified
    linked_events: int = 0  # events with at least one automatic link
    added: int = 0
    updated: int = 0
    removed: int = 0
    blocked: int = 0  # automatic links not written because a curator removed them
    curated: int = 0  # curator-made rows left as they are
    unmatched: list[str] = field(default_factory=list)  # rule targets missing in the store
    # framework -> pillar ("-" for framework-level links) -> number of events
    per_pillar: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added + self.updated + self.removed)


@dataclass(slots=True)
class LinkChange:
    """The outcome of a curator's link operation."""

    event: str
    framework: str
    links: list[dict[str, Any]] = field(default_factory=list)  # rows after the change
    changed: bool = True
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "framework": self.framework,
            "links": self.links,
            "changed": self.changed,
            "message": self.message,
        }


# =========================================================================== ids


def pillar_id(framework: str, number: int) -> str:
    return content_id("pillar", framework, number)


def line_of_effort_id(framework: str, number: int, title: str) -> str:
    return content_id("line_of_effort", framework, number, title)


def initiative_id(framework: str, name: str, *, area: bool = False) -> str:
    return content_id("area" if area else "initiative", framework, name)


def link_id(event: str, framework: str, pillar: int | None, target: str | None) -> str:
    """Deterministic id of the link of ``event`` to framework / pillar / initiative-or-area."""
    return content_id(
        "framework_link", event, framework, "" if pillar is None else pillar, target or ""
    )


# =========================================================================== helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _plain(v: Any) -> Any:
    return fm.to_plain(v)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(a) == Decimal(b)
        except (TypeError, ValueError, ArithmeticError):
            return False
    return bool(a == b)


def _audit(
    s: Session,
    user: str,
    action: str,
    entity: str,
    entity_id: str,
    fld: str | None,
    before: Any,
    after: Any,
    reason: str | None,
) -> None:
    """One ``audit_log`` row, written as :mod:`defcoop.kb.curation` writes them."""
    s.add(
        m.AuditEntry(
            at=_now(),
            actor=user,
            action=action,
            entity=entity,
            entity_id=entity_id,
            field=fld,
            before=before,
            after=after,
            reason=reason,
        )
    )


def _user(user: str | None) -> str:
    if not user or not user.strip():
        from defcoop.kb.curation import CurationError

        raise CurationError("a user is required (who makes the change)")
    return user.strip()


def _current_docs(s: Session) -> dict[str, tuple[str, str]]:
    """doc key -> (document id, text) of the current documents a parser recognizes or
    the curated framework data cites (read one at a time; only those are kept)."""
    from defcoop.frameworks import PARSERS, shared_views

    cited = _cited_doc_keys()
    out: dict[str, tuple[str, str]] = {}
    keys = s.execute(
        select(m.Document.id, m.Document.doc_key)
        .where(m.Document.is_current.is_(True))
        .order_by(m.Document.doc_key)
    ).all()
    for doc_id, key in keys:
        text = s.scalar(select(m.Document.text).where(m.Document.id == doc_id)) or ""
        with shared_views():  # the recognizers normalize the text once between them
            if key in cited or any(rec(text) for _n, rec, _p in PARSERS):
                out[key] = (doc_id, text)
    return out


def _cited_doc_keys() -> set[str]:
    keys: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if isinstance(v.get("doc"), str):
                keys.add(v["doc"])
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(load_curated())
    return keys


class _Spans:
    """Span -> source columns, with the document version id of the span's doc key."""

    def __init__(self, docs: Mapping[str, tuple[str, str]]) -> None:
        self.ids = {k: v[0] for k, v in docs.items()}

    def cols(self, span: fm.Span | None, citation: fm.Citation | None = None) -> dict[str, Any]:
        note = None
        if citation is not None:
            where = f"{citation.doc} line {', '.join(str(x) for x in citation.lines)}"
            note = f"curated: {where}" + (f": {citation.quote}" if citation.quote else "")
            if citation.note:
                note += f" ({citation.note})"
        if span is None:
            return {
                "source_document_id": None,
                "source_start": None,
                "source_end": None,
                "source_line": None,
                "source_note": note,
            }
        return {
            "source_document_id": self.ids.get(span.doc),
            "source_start": span.start,
            "source_end": span.end,
            "source_line": span.line,
            "source_note": note if note else (None if span.doc in self.ids else span.doc),
        }


# =========================================================================== sync


def _area_names(fw: fm.Framework) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for p in fw.pillars:
        for a in p.cooperation_areas:
            out.setdefault(a.name, []).append(p.number)
    return out


def _cues_by_target() -> dict[tuple[str, str], list[str]]:
    """(framework, initiative or area) -> the cue words of the rules that link to it."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in fl.load_link_data().rules:
        target = r.initiative or r.area
        if not target:
            continue
        for c in (*r.cues_all, *r.cues_any):
            if c not in out[(r.framework, target)]:
                out[(r.framework, target)].append(c)
    return out


def _framework_meta(fw: fm.Framework) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "short_name": fw.short_name,
        "aliases": list(fw.aliases),
        "place": fw.place,
        "subtitle": fw.subtitle,
        "declared_pillar_count": fw.declared_pillar_count,
        "declared_meeting_count": fw.declared_meeting_count,
        "plans": _plain(fw.plans),
        "meetings": _plain(fw.meetings),
        "milestones": _plain(fw.milestones),
        "regions": list(fw.regions),
        "directions": _plain(fw.directions),
        "notes": _plain(fw.notes),
        "docs": list(fw.docs),
        "spans": _plain(fw.spans),
        "pillar_statements": {
            str(p.number): _plain(p.statements) for p in fw.pillars if p.statements
        },
        "open_lists": [p.number for p in fw.pillars if p.open_list],
        "principle_kinds": {p.name: p.kind for p in fw.principles},
        "initiatives": {
            i.name: {"written": i.written, "group": i.group, "mentions": _plain(i.mentions)}
            for i in fw.initiatives
        },
        "line_of_effort_descriptions": {
            f"{p.number}:{lo.title}": lo.description
            for p in fw.pillars
            for lo in p.lines_of_effort
            if lo.description
        },
    }
    return meta


@dataclass(slots=True)
class _Desired:
    frameworks: dict[str, dict[str, Any]] = field(default_factory=dict)
    pillars: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    initiatives: dict[str, dict[str, Any]] = field(default_factory=dict)
    initiative_pillars: set[tuple[str, str]] = field(default_factory=set)
    principles: dict[str, dict[str, Any]] = field(default_factory=dict)
    relations: dict[str, dict[str, Any]] = field(default_factory=dict)
    commitments: dict[str, dict[str, Any]] = field(default_factory=dict)


def _desired(frameworks: Sequence[fm.Framework], spans: _Spans) -> _Desired:
    d = _Desired()
    known = {fw.id for fw in frameworks}
    cues = _cues_by_target()
    for fw in frameworks:
        fid = fw.id
        meta = _framework_meta(fw)
        unresolved = [
            {"kind": r.kind, "target": r.target} for r in fw.relations if r.target not in known
        ]
        if unresolved:
            meta["relations_unresolved"] = unresolved
        first_span = fw.spans[0] if fw.spans else None
        d.frameworks[fid] = {
            "name_ja": fw.name,
            "name_en": fw.name_en,
            "adopted": fw.adopted,
            "occasion": fw.occasion,
            "description": fw.subtitle,
            "meta": meta,
            **spans.cols(first_span),
        }
        for p in fw.pillars:
            pid = pillar_id(fid, p.number)
            d.pillars[pid] = {
                "framework_id": fid,
                "number": p.number,
                "title_ja": p.title,
                "title_en": p.title_en,
                "areas": [
                    {"name": a.name, "name_en": a.name_en, "span": _plain(a.span)}
                    for a in p.cooperation_areas
                ],
                **spans.cols(p.span),
            }
            for k, lo in enumerate(p.lines_of_effort):
                d.lines[line_of_effort_id(fid, p.number, lo.title)] = {
                    "pillar_id": pid,
                    "ordinal": k,
                    "title_ja": lo.title,
                    "title_en": lo.title_en,
                    **spans.cols(lo.span, lo.citation),
                }
        for k, ini in enumerate(fw.initiatives):
            iid = initiative_id(fid, ini.name)
            d.initiatives[iid] = {
                "framework_id": fid,
                "line_of_effort_id": None,  # the source does not say (000 lines 21-24)
                "ordinal": k,
                "name_ja": ini.name,
                "name_en": ini.name_en,
                "new": ini.new,
                "cues": cues.get((fid, ini.name), []),
                **spans.cols(ini.span),
            }
            for num in ini.pillars:
                d.initiative_pillars.add((iid, pillar_id(fid, num)))
        k = len(fw.initiatives)
        for p in fw.pillars:
            for a in p.cooperation_areas:
                aid = initiative_id(fid, a.name, area=True)
                d.initiative_pillars.add((aid, pillar_id(fid, p.number)))
                if aid in d.initiatives:
                    continue
                d.initiatives[aid] = {
                    "framework_id": fid,
                    "line_of_effort_id": None,
                    "ordinal": 1000 + k,
                    "name_ja": a.name,
                    "name_en": a.name_en,
                    "new": False,
                    "cues": cues.get((fid, a.name), []),
                    **spans.cols(a.span),
                }
                k += 1
        for k, pr in enumerate(fw.principles):
            d.principles[content_id("principle", fid, pr.kind, pr.name)] = {
                "framework_id": fid,
                "ordinal": k,
                "text_ja": pr.name,
                "text_en": pr.name_en,
                **spans.cols(pr.span),
            }
        for r in fw.relations:
            if r.target not in known:
                continue
            d.relations[content_id("relation", fid, r.kind, r.target)] = {
                "source_framework_id": fid,
                "target_framework_id": r.target,
                "relation": r.kind,
                "note": r.citation.quote if r.citation else None,
                **spans.cols(r.span, r.citation),
            }
        seen: Counter[tuple[str, str]] = Counter()
        for c in fw.commitments:
            key = (c.text, c.heading or "")
            cid = content_id("commitment", fid, c.text, c.heading or "", seen[key])
            seen[key] += 1
            money = c.amount is not None
            d.commitments[cid] = {
                "framework_id": fid,
                "pillar_id": None,
                "description": c.heading or c.what,
                "amount": c.amount if money else c.quantity,
                "currency": c.currency,
                "unit": None if money else c.quantity_unit,
                "qualifier": _qualifier(c.qualifier),
                "period": f"P{c.period_years}Y" if c.period_years else None,
                "date": c.date,
                "amount_text": c.text,
                **spans.cols(c.span),
            }
    return d


def _qualifier(q: str | None) -> str | None:
    if not q:
        return None
    parts = [QUALIFIERS.get(x, x) for x in q.split("…")]
    # "約…規模" is one idea (about); "総額…以上" keeps the bound
    return next((p for p in parts if p not in ("about", "total")), parts[0])


def _protected(s: Session) -> tuple[set[str], set[str], set[str]]:
    """Framework, pillar and initiative ids that curator-made rows rely on."""
    lk = m.EventFrameworkLink
    fws: set[str] = set()
    pillars: set[str] = set()
    inits: set[str] = set()
    for f, p, i in s.execute(
        select(lk.framework_id, lk.pillar_id, lk.initiative_id).where(lk.state != "automatic")
    ):
        fws.add(f)
        if p:
            pillars.add(p)
        if i:
            inits.add(i)
    for iid, fid in s.execute(
        select(m.Initiative.id, m.Initiative.framework_id).where(
            m.Initiative.status_override.is_not(None)
        )
    ):
        inits.add(iid)
        fws.add(fid)
    fws.update(s.scalars(select(m.Pillar.framework_id).where(m.Pillar.id.in_(pillars))))
    fws.update(s.scalars(select(m.Initiative.framework_id).where(m.Initiative.id.in_(inits))))
    return fws, pillars, inits


class _Reconciler:
    def __init__(self, s: Session, res: SyncResult) -> None:
        self.s, self.res = s, res
        self.to_delete: list[tuple[str, Any]] = []

    def upsert(
        self,
        table: str,
        model: type[Any],
        desired: Mapping[str, Mapping[str, Any]],
        existing: Iterable[Any],
        protect: Collection[str] = (),
        label: Any = None,
    ) -> None:
        have = {r.id: r for r in existing}
        for rid, vals in desired.items():
            row = have.get(rid)
            if row is None:
                self.s.add(model(id=rid, **vals))
                self.res.added[table] = self.res.added.get(table, 0) + 1
                continue
            changed = False
            for k, v in vals.items():
                if not _same(getattr(row, k), v):
                    setattr(row, k, v)
                    changed = True
            if changed:
                self.res.updated[table] = self.res.updated.get(table, 0) + 1
        for rid, row in have.items():
            if rid in desired:
                continue
            if rid in protect:
                name = label(row) if label else rid
                self.res.kept.append(f"{table} {name}: no longer in the documents, kept "
                                     "(curated links or status rely on it)")  # fmt: skip
                continue
            self.to_delete.append((table, row))
        self.s.flush()

    def delete_all(self) -> None:
        for table, row in reversed(self.to_delete):
            self.s.delete(row)
            self.res.removed[table] = self.res.removed.get(table, 0) + 1
        self.s.flush()


def sync_frameworks(store: Store) -> SyncResult:
    """Parse the frameworks of the store's current documents and write them (idempotent)."""
    res = SyncResult()
    with store.write_session() as s:
        docs = _current_docs(s)
        res.documents = sorted(docs)
        frameworks = parse_all({k: text for k, (_id, text) in docs.items()})
        res.frameworks = [fw.id for fw in frameworks]
        d = _desired(frameworks, _Spans(docs))
        p_fws, p_pillars, p_inits = _protected(s)
        rc = _Reconciler(s, res)
        rc.upsert(
            "frameworks",
            m.Framework,
            d.frameworks,
            s.scalars(select(m.Framework)),
            p_fws,
            lambda r: r.id,
        )
        rc.upsert(
            "pillars",
            m.Pillar,
            d.pillars,
            s.scalars(select(m.Pillar)),
            p_pillars,
            lambda r: f"{r.framework_id} {r.number}",
        )
        rc.upsert("lines_of_effort", m.LineOfEffort, d.lines, s.scalars(select(m.LineOfEffort)))
        rc.upsert(
            "initiatives",
            m.Initiative,
            d.initiatives,
            s.scalars(select(m.Initiative)),
            p_inits,
            lambda r: f"{r.framework_id} {r.name_ja}",
        )
        _sync_initiative_pillars(s, d, p_inits, res)
        rc.upsert("principles", m.Principle, d.principles, s.scalars(select(m.Principle)))
        rc.upsert(
            "framework_relations",
            m.FrameworkRelation,
            d.relations,
            s.scalars(select(m.FrameworkRelation)),
        )
        rc.upsert("commitments", m.Commitment, d.commitments, s.scalars(select(m.Commitment)))
        rc.delete_all()
    return res


def _sync_initiative_pillars(s: Session, d: _Desired, protect: set[str], res: SyncResult) -> None:
    ip = m.InitiativePillar
    have = {(a, b) for a, b in s.execute(select(ip.initiative_id, ip.pillar_id))}
    for a, b in sorted(d.initiative_pillars - have):
        s.add(ip(initiative_id=a, pillar_id=b))
        res.added["initiative_pillars"] = res.added.get("initiative_pillars", 0) + 1
    s.flush()
    gone = [(a, b) for a, b in have - d.initiative_pillars if a not in protect]
    for a, b in gone:
        s.execute(delete(ip).where(ip.initiative_id == a, ip.pillar_id == b))
        res.removed["initiative_pillars"] = res.removed.get("initiative_pillars", 0) + 1
    s.flush()


def resolve_frameworks(store: Store) -> tuple[SyncResult, LinkResult]:
    """:func:`sync_frameworks` then :func:`link_events` (what ``kb.resolve`` runs)."""
    return sync_frameworks(store), link_events(store)


# =========================================================================== linking


@dataclass(slots=True)
class _Targets:
    """The store's frameworks, pillars and initiatives, by natural keys."""

    frameworks: set[str]
    pillars: dict[tuple[str, int], str]  # (framework, number) -> pillar id
    pillar_numbers: dict[str, int]  # pillar id -> number
    initiatives: dict[tuple[str, str], str]  # (framework, name) -> initiative id
    initiative_names: dict[str, str]  # initiative id -> name
    initiative_pillars: dict[str, list[int]]  # initiative id -> pillar numbers
    areas: set[str]  # initiative ids that are cooperation areas

    @classmethod
    def load(cls, s: Session) -> _Targets:
        fws = set(s.scalars(select(m.Framework.id)))
        pillars: dict[tuple[str, int], str] = {}
        numbers: dict[str, int] = {}
        area_names: dict[str, set[str]] = defaultdict(set)
        for pid, fid, num, areas in s.execute(
            select(m.Pillar.id, m.Pillar.framework_id, m.Pillar.number, m.Pillar.areas)
        ):
            pillars[(fid, num)] = pid
            numbers[pid] = num
            for a in areas or []:
                area_names[fid].add(str(a.get("name")))
        inits: dict[tuple[str, str], str] = {}
        names: dict[str, str] = {}
        areas_ids: set[str] = set()
        for iid, fid, name in s.execute(
            select(m.Initiative.id, m.Initiative.framework_id, m.Initiative.name_ja)
        ):
            name = name or ""
            is_area = iid == initiative_id(fid, name, area=True) and name in area_names[fid]
            if is_area:
                areas_ids.add(iid)
                inits.setdefault((fid, name), iid)
            else:
                inits[(fid, name)] = iid  # an initiative wins over an area of the same name
            names[iid] = name
        ipp: dict[str, list[int]] = defaultdict(list)
        for iid, pid in s.execute(
            select(m.InitiativePillar.initiative_id, m.InitiativePillar.pillar_id)
        ):
            if pid in numbers:
                ipp[iid].append(numbers[pid])
        for v in ipp.values():
            v.sort()
        return cls(fws, pillars, numbers, inits, names, dict(ipp), areas_ids)


def _asean_membership(s: Session) -> fl.IsAsean | None:
    """``is_asean(code, date)`` from the store's registry (``group_memberships``)."""
    from defcoop.extract.partners import period

    rows = s.execute(
        select(m.GroupMembership.member_code, m.GroupMembership.start, m.GroupMembership.end).where(
            m.GroupMembership.group_code == "ASEAN", m.GroupMembership.status == "member"
        )
    ).all()
    if not rows:
        return None
    spans: dict[str, list[tuple[date | None, date | None]]] = defaultdict(list)
    for code, start, end in rows:
        spans[code].append((start, end))

    def is_asean(code: str, when: str | None) -> bool:
        found = spans.get(code)
        if not found:
            return False
        if when is None:
            return True
        try:
            lo, hi = period(when)
        except ValueError:
            return False
        return any((a is None or a <= hi) and (b is None or b > lo) for a, b in found)

    return is_asean


def _ever_members(s: Session) -> set[str]:
    return set(
        s.scalars(
            select(m.GroupMembership.member_code).where(m.GroupMembership.group_code == "ASEAN")
        )
    )


def _event_batches(
    s: Session, since: date | None, candidates: Collection[str]
) -> Iterator[list[dict[str, Any]]]:
    """The events that can be linked, ``_BATCH`` at a time (keyset pages: bounded memory).

    A superset of the classifier's candidates is selected in SQL: dated from ``since`` on,
    and with a partner among ``candidates`` (ASEAN, its Secretariat, anyone ever a member),
    or with no partner, or a conference (the multilateral ASEAN frameworks as venue)."""
    ev, ep = m.Event, m.EventPartner
    cols = (
        ev.id, ev.kind, ev.date, ev.quote, ev.occasion, ev.summary, ev.state, ev.merged_into_id,
    )  # fmt: skip
    conds: list[Any] = [
        or_(
            exists(
                select(ep.event_id).where(
                    ep.event_id == ev.id, ep.partner_code.in_(sorted(candidates))
                )
            ),
            ~exists(select(ep.event_id).where(ep.event_id == ev.id)),
            ev.kind == "conference",
        )
    ]
    if since is not None:
        conds.append(ev.date_to >= since)
    last = ""
    while True:
        chunk = s.execute(
            select(*cols).where(*conds, ev.id > last).order_by(ev.id).limit(_BATCH)
        ).all()
        if not chunk:
            return
        last = chunk[-1].id
        partners: dict[str, list[str]] = defaultdict(list)
        for eid, code in s.execute(
            select(m.EventPartner.event_id, m.EventPartner.partner_code).where(
                m.EventPartner.event_id.in_([r.id for r in chunk])
            )
        ):
            partners[eid].append(code)
        tails = _sentence_tails(s, [r.id for r in chunk if r.kind in _TAIL_KINDS])
        yield [
            {
                "id": r.id,
                "kind": r.kind,
                "date": r.date,
                "quote": r.quote,
                "sentence": tails.get(r.id),
                "occasion": r.occasion,
                "state": r.state,
                "merged_into_id": r.merged_into_id,
                "partners": sorted(partners.get(r.id, [])),
            }
            for r in chunk
        ]


#: Kinds whose sentence tail is read for cues (talks only name topics; an agreement's
#: sentence goes on with what the parties discussed).
_TAIL_KINDS = frozenset(
    {
        "capacity_building",
        "seminar",
        "exercise",
        "port_call",
        "visit",
        "equipment_transfer",
        "other",
    }
)
_TAIL_MAX = 80
_NEXT_CLAUSE = re.compile(r"。|ほか、|とともに、|一方、|に加え、|また、")


def _sentence_tails(s: Session, ids: Sequence[str]) -> dict[str, str]:
    """event id -> the rest of the clause after its first evidence span ("…事業として
    同センター教官らを招へいした"): its object and purpose, which the quote (cut at the
    trigger) leaves out. Only the tail, up to the next clause that may tell another event
    ("…ほか、", "…とともに、") and at most ``_TAIL_MAX`` characters."""
    out: dict[str, str] = {}
    rows = s.execute(
        select(
            m.Evidence.event_id, m.Evidence.end, m.Segment.start, m.Segment.text,
            m.Segment.sentences,
        )
        .join(m.Document, m.Document.id == m.Evidence.document_id)
        .join(m.Segment, m.Segment.id == m.Evidence.segment_id)
        .where(m.Evidence.event_id.in_(list(ids)))
        .order_by(m.Evidence.event_id, m.Document.is_current.desc(), m.Evidence.start)
    )  # fmt: skip
    for eid, end, seg_start, seg_text, sentences in rows:
        if eid in out or seg_text is None:
            continue
        stop = seg_start + len(seg_text)
        for a, b in sentences or []:
            if a < end <= b:
                stop = b
                break
        tail = seg_text[max(end - seg_start, 0) : max(stop - seg_start, 0)]
        cut = _NEXT_CLAUSE.search(tail)
        out[eid] = tail[: cut.start() if cut else _TAIL_MAX][:_TAIL_MAX]
    return out


def _since(data: fl.LinkData, frameworks: set[str]) -> date | None:
    """The earliest adoption date of the linked frameworks (older events cannot link)."""
    starts = [data.effective_from.get(f) for f in frameworks]
    if not starts or any(x is None for x in starts):
        return None
    try:
        return date.fromisoformat(min(x for x in starts if x))
    except ValueError:
        return None


def _blocks(
    rejected: Iterable[tuple[str, str | None, str | None]],
    fid: str,
    pid: str | None,
    iid: str | None,
) -> bool:
    for rf, rp, ri in rejected:
        if rf != fid:
            continue
        if rp is not None and rp != pid:
            continue
        if ri is not None and ri != iid:
            continue
        return True
    return False


def link_events(store: Store, *, data: fl.LinkData | None = None) -> LinkResult:
    """Classify every event and write its automatic links (curator rows untouched)."""
    data = data or fl.load_link_data()
    res = LinkResult()
    lk = m.EventFrameworkLink
    with store.write_session() as s:
        t = _Targets.load(s)
        wanted = sorted({r.framework for r in data.rules} & t.frameworks)
        is_asean = _asean_membership(s) or fl.registry_is_asean()
        existing: dict[str, Any] = {}
        rejected: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
        for have in s.execute(
            select(
                lk.id, lk.event_id, lk.framework_id, lk.pillar_id, lk.initiative_id, lk.rule,
                lk.reason, lk.state,
            )
        ):  # fmt: skip
            existing[have.id] = have
            if have.state == "rejected":
                rejected[have.event_id].append(
                    (have.framework_id, have.pillar_id, have.initiative_id)
                )
            if have.state != "automatic":
                res.curated += 1
        desired: dict[str, dict[str, Any]] = {}
        unmatched: set[str] = set()
        per: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        linked: set[str] = set()
        since = _since(data, set(wanted)) if wanted else None
        codes = set(data.groups) | set(data.members) | _ever_members(s)
        for batch in _event_batches(s, since, codes) if wanted else iter(()):
            for ev in batch:
                if ev["state"] == "rejected" or ev["merged_into_id"] is not None:
                    continue
                res.events += 1
                for link in fl.classify(ev, is_asean=is_asean, data=data, frameworks=wanted):
                    row = _link_row(ev["id"], link, t, unmatched)
                    if row is None:
                        continue
                    if _blocks(rejected.get(ev["id"], ()), link.framework, row["pillar_id"],
                               row["initiative_id"]):  # fmt: skip
                        res.blocked += 1
                        continue
                    rid = row.pop("id")
                    if rid in existing and existing[rid].state != "automatic":
                        continue  # the curator's row stands
                    desired[rid] = row
                    linked.add(ev["id"])
                    per[link.framework]["-" if link.pillar is None else str(link.pillar)].add(
                        ev["id"]
                    )
        new_rows = []
        for rid, vals in desired.items():
            old = existing.get(rid)
            if old is None:
                new_rows.append({"id": rid, "state": "automatic", "version": 1, **vals})
            elif old.rule != vals["rule"] or old.reason != vals["reason"]:
                obj = s.get(lk, rid)
                if obj is not None:
                    obj.rule, obj.reason = vals["rule"], vals["reason"]
                    res.updated += 1
        for i in range(0, len(new_rows), 1000):
            s.execute(insert(lk), new_rows[i : i + 1000])
        res.added = len(new_rows)
        stale = [
            rid for rid, r in existing.items() if r.state == "automatic" and rid not in desired
        ]
        for i in range(0, len(stale), 500):
            s.execute(delete(lk).where(lk.id.in_(stale[i : i + 500])))
        res.removed = len(stale)
        s.flush()
    res.linked_events = len(linked)
    res.unmatched = sorted(unmatched)
    res.per_pillar = {
        f: {p: len(ids) for p, ids in sorted(v.items())} for f, v in sorted(per.items())
    }
    return res


def _link_row(
    event_id: str, link: fm.Link, t: _Targets, unmatched: set[str]
) -> dict[str, Any] | None:
    fid = link.framework
    pid = None
    if link.pillar is not None:
        pid = t.pillars.get((fid, link.pillar))
        if pid is None:
            unmatched.add(f"{fid} pillar {link.pillar} (rule {link.rule})")
            return None
    target = link.initiative or link.area
    iid = None
    if target:
        iid = t.initiatives.get((fid, target))
        if iid is None:
            unmatched.add(f"{fid} {target!r} (rule {link.rule})")
            target = None
    reason = link.reason
    if link.cue:
        reason = f"cue {link.cue}; {reason}"
    return {
        "id": link_id(event_id, fid, link.pillar, target),
        "event_id": event_id,
        "framework_id": fid,
        "pillar_id": pid,
        "initiative_id": iid,
        "rule": link.rule,
        "reason": reason,
    }


# =========================================================================== curation


def _resolve_framework(s: Session, name: str) -> m.Framework:
    fws = list(s.scalars(select(m.Framework)))
    key = name.strip().casefold()
    for fw in fws:
        meta = fw.meta or {}
        names = [
            fw.id,
            fw.name_ja,
            fw.name_en,
            meta.get("short_name"),
            *(meta.get("aliases") or []),
        ]
        if any(n and str(n).casefold() == key for n in names):
            return fw
    known = ", ".join(sorted(f.id for f in fws)) or "none: run `defcoop ingest`"
    raise FrameworkError(f"no framework {name!r} in the store (known: {known})")


def _resolve_initiative(s: Session, t: _Targets, fid: str, name: str) -> str:
    """The id of the initiative (or cooperation area) of ``fid`` named ``name``: the exact
    name, else the one name containing it."""
    exact = t.initiatives.get((fid, name))
    if exact:
        return exact
    key = name.casefold()
    hits = sorted(
        {iid for (f, n), iid in t.initiatives.items() if f == fid and key in n.casefold()}
    )
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise FrameworkError(f"{fid}: no initiative or cooperation area named {name!r}")
    names = "; ".join(t.initiative_names[h] for h in hits)
    raise FrameworkError(f"{fid}: {name!r} names several initiatives: {names}")


def _link_dict(s: Session, row: m.EventFrameworkLink, t: _Targets) -> dict[str, Any]:
    return {
        "id": row.id,
        "event": row.event_id,
        "framework": row.framework_id,
        "pillar": t.pillar_numbers.get(row.pillar_id) if row.pillar_id else None,
        "initiative": t.initiative_names.get(row.initiative_id) if row.initiative_id else None,
        "rule": row.rule,
        "reason": row.reason,
        "state": row.state,
    }


def _target(
    s: Session,
    t: _Targets,
    fid: str,
    pillar: int | None,
    initiative: str | None,
) -> tuple[str | None, str | None, int | None]:
    """(pillar id, initiative id, pillar number) of a curator's request, checked."""
    iid = _resolve_initiative(s, t, fid, initiative) if initiative else None
    if iid is not None:
        under = t.initiative_pillars.get(iid, [])
        if pillar is None:
            if len(under) != 1:
                raise FrameworkError(
                    f"{fid}: {t.initiative_names[iid]!r} is under pillars "
                    f"{', '.join(map(str, under)) or 'none'}: give --pillar"
                )
            pillar = under[0]
        elif pillar not in under:
            raise FrameworkError(
                f"{fid}: {t.initiative_names[iid]!r} is not under pillar {pillar} "
                f"(it is under {', '.join(map(str, under)) or 'none'})"
            )
    pid = None
    if pillar is not None:
        pid = t.pillars.get((fid, pillar))
        if pid is None:
            have = sorted(n for (f, n) in t.pillars if f == fid)
            raise FrameworkError(
                f"{fid} has no pillar {pillar} (pillars: {', '.join(map(str, have)) or 'none'})"
            )
    return pid, iid, pillar


def add_link(
    store: Store,
    event_id: str,
    framework: str,
    pillar: int | None = None,
    initiative: str | None = None,
    *,
    user: str,
    reason: str | None = None,
) -> LinkChange:
    """Link an event to a framework / pillar / initiative (or cooperation area) by hand.

    A new link is ``manual``; an automatic one becomes ``verified`` (kept as is from then
    on); a link a curator removed is restored. Audited."""
    who = _user(user)
    lk = m.EventFrameworkLink
    with store.write_session() as s:
        t = _Targets.load(s)
        fw = _resolve_framework(s, framework)
        ev = s.get(m.Event, event_id)
        if ev is None:
            raise FrameworkError(f"event {event_id}: no such event")
        if ev.state == "rejected":
            raise FrameworkError(f"event {event_id} is rejected: restore it before linking it")
        pid, iid, number = _target(s, t, fw.id, pillar, initiative)
        rid = link_id(event_id, fw.id, number, t.initiative_names.get(iid) if iid else None)
        row = s.get(lk, rid)
        before = _link_dict(s, row, t) if row is not None else None
        if row is None:
            row = lk(
                id=rid,
                event_id=event_id,
                framework_id=fw.id,
                pillar_id=pid,
                initiative_id=iid,
                rule=f"curator:{who}",
                reason=reason,
                state="manual",
            )
            s.add(row)
        elif row.state in ("manual", "verified", "corrected"):
            return LinkChange(event_id, fw.id, [_link_dict(s, row, t)], False, "already linked")
        elif row.state == "automatic":
            row.state = "verified"
        else:  # rejected: restore
            row.state = "manual" if (row.rule or "").startswith("curator:") else "verified"
            if row.state == "manual":
                row.rule, row.reason = f"curator:{who}", reason
        s.flush()
        after = _link_dict(s, row, t)
        _audit(s, who, "link", AUDIT_ENTITY_LINK, rid, "state",
               before["state"] if before else None, after, reason)  # fmt: skip
        return LinkChange(event_id, fw.id, [after], True, "linked")


def remove_link(
    store: Store,
    event_id: str,
    framework: str,
    pillar: int | None = None,
    initiative: str | None = None,
    *,
    user: str,
    reason: str | None = None,
) -> LinkChange:
    """Remove the event's links to the framework (to one pillar, to one initiative).

    Each matching link becomes ``rejected`` (kept, so that it is never re-created), and a
    rejected row for exactly what was asked blocks any future automatic link under it
    (e.g. ``pillar=2`` blocks every link of the event to pillar 2). Audited."""
    who = _user(user)
    lk = m.EventFrameworkLink
    with store.write_session() as s:
        t = _Targets.load(s)
        fw = _resolve_framework(s, framework)
        if s.get(m.Event, event_id) is None:
            raise FrameworkError(f"event {event_id}: no such event")
        pid, iid, number = _target(s, t, fw.id, pillar, initiative)
        rows = list(s.scalars(select(lk).where(lk.event_id == event_id, lk.framework_id == fw.id)))
        hits = [
            r
            for r in rows
            if r.state != "rejected"
            and (pid is None or r.pillar_id == pid)
            and (iid is None or r.initiative_id == iid)
        ]
        if not hits:
            what = fw.id + (f" pillar {number}" if number is not None else "")
            what += f" {t.initiative_names[iid]!r}" if iid else ""
            raise FrameworkError(f"event {event_id} is not linked to {what}")
        out = []
        for r in hits:
            before = r.state
            r.state = "rejected"
            s.flush()
            after = _link_dict(s, r, t)
            _audit(s, who, "unlink", AUDIT_ENTITY_LINK, r.id, "state", before, after, reason)
            out.append(after)
        rid = link_id(event_id, fw.id, number, t.initiative_names.get(iid) if iid else None)
        if all(r.id != rid for r in rows):
            blocker = lk(
                id=rid,
                event_id=event_id,
                framework_id=fw.id,
                pillar_id=pid,
                initiative_id=iid,
                rule=f"curator:{who}",
                reason=reason,
                state="rejected",
            )
            s.add(blocker)
            s.flush()
            after = _link_dict(s, blocker, t)
            _audit(s, who, "unlink", AUDIT_ENTITY_LINK, rid, "state", None, after, reason)
        return LinkChange(event_id, fw.id, out, True, f"{len(out)} link(s) removed")


def set_status(
    store: Store,
    framework: str,
    target: str,
    state: str | None,
    *,
    user: str,
    note: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Override the implementation status of an initiative or cooperation area, with a
    note (``state=None`` clears the override). Audited."""
    who = _user(user)
    if state is not None and state not in fs.STATES:
        raise FrameworkError(f"state {state!r} is not one of {', '.join(fs.STATES)}")
    if state is not None and not (note or "").strip():
        raise FrameworkError("a note is required with a status override (what was done, where)")
    with store.write_session() as s:
        t = _Targets.load(s)
        fw = _resolve_framework(s, framework)
        iid = _resolve_initiative(s, t, fw.id, target)
        row = s.get(m.Initiative, iid)
        assert row is not None
        before = {"state": row.status_override, "note": row.status_note}
        row.status_override = state
        row.status_note = note if state is not None else None
        after = {"state": row.status_override, "note": row.status_note}
        _audit(s, who, "status", AUDIT_ENTITY_STATUS, iid, "status", before, after,
               reason or note)  # fmt: skip
        s.flush()
        return {"framework": fw.id, "target": row.name_ja, **after}


def link_audit(
    store: Store, *, event_id: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Audit entries of link changes (newest first), optionally for one event."""
    a = m.AuditEntry
    stmt = select(a).where(a.entity == AUDIT_ENTITY_LINK).order_by(a.at.desc(), a.id.desc())
    with store.session() as s:
        out = []
        for r in s.scalars(stmt):
            after = r.after if isinstance(r.after, dict) else {}
            if event_id and after.get("event") != event_id:
                continue
            out.append(
                {
                    "at": r.at.isoformat() if r.at else None,
                    "actor": r.actor,
                    "action": r.action,
                    "link": r.entity_id,
                    "before": r.before,
                    "after": r.after,
                    "reason": r.reason,
                }
            )
            if limit and len(out) >= limit:
                break
        return out


# =========================================================================== readers


def _span_of(d: Mapping[str, Any] | None) -> fm.Span | None:
    if not d:
        return None
    return fm.Span(str(d["doc"]), int(d["start"]), int(d["end"]), int(d["line"]))


def _row_span(row: Any, keys: Mapping[str, str]) -> fm.Span | None:
    if row.source_start is None or row.source_end is None:
        return None
    doc = keys.get(row.source_document_id or "") or row.source_note or ""
    return fm.Span(doc, row.source_start, row.source_end, row.source_line or 0)


def _citation(row: Any, span: fm.Span | None) -> fm.Citation | None:
    note = row.source_note
    if not note or not note.startswith("curated:"):
        return None
    return fm.Citation(
        doc=span.doc if span else "",
        lines=[span.line] if span else [],
        note=note,
        span=span,
    )


def _decimal(v: Any) -> Decimal | None:
    if v is None:
        return None
    d = Decimal(v)
    return d.to_integral_value() if d == d.to_integral_value() else d.normalize()


def _from_dicts(cls: type[Any], items: Iterable[Mapping[str, Any]]) -> list[Any]:
    out = []
    for it in items or []:
        vals = dict(it)
        if "span" in vals:
            vals["span"] = _span_of(vals["span"])
        out.append(cls(**vals))
    return out


def stored_frameworks(store: Store) -> list[fm.Framework]:
    """The frameworks of the store, as :class:`defcoop.frameworks.Framework` objects."""
    with store.session() as s:
        return _stored_frameworks(s)


def _stored_frameworks(s: Session) -> list[fm.Framework]:
    keys: dict[str, str] = {i: k for i, k in s.execute(select(m.Document.id, m.Document.doc_key))}
    fw_rows = list(s.scalars(select(m.Framework).order_by(m.Framework.id)))
    pillars: dict[str, list[m.Pillar]] = defaultdict(list)
    numbers: dict[str, int] = {}
    for p in s.scalars(select(m.Pillar).order_by(m.Pillar.framework_id, m.Pillar.number)):
        pillars[p.framework_id].append(p)
        numbers[p.id] = p.number
    lines: dict[str, list[m.LineOfEffort]] = defaultdict(list)
    for lo in s.scalars(select(m.LineOfEffort).order_by(m.LineOfEffort.ordinal)):
        lines[lo.pillar_id].append(lo)
    ipp: dict[str, list[int]] = defaultdict(list)
    for iid, pid in s.execute(
        select(m.InitiativePillar.initiative_id, m.InitiativePillar.pillar_id)
    ):
        if pid in numbers:
            ipp[iid].append(numbers[pid])
    inits: dict[str, list[m.Initiative]] = defaultdict(list)
    for i in s.scalars(select(m.Initiative).order_by(m.Initiative.ordinal, m.Initiative.id)):
        inits[i.framework_id].append(i)
    principles: dict[str, list[m.Principle]] = defaultdict(list)
    for pr in s.scalars(select(m.Principle).order_by(m.Principle.ordinal)):
        principles[pr.framework_id].append(pr)
    relations: dict[str, list[m.FrameworkRelation]] = defaultdict(list)
    for r in s.scalars(
        select(m.FrameworkRelation).order_by(
            m.FrameworkRelation.relation, m.FrameworkRelation.target_framework_id
        )
    ):
        relations[r.source_framework_id].append(r)
    commitments: dict[str, list[m.Commitment]] = defaultdict(list)
    for c in s.scalars(
        select(m.Commitment).order_by(m.Commitment.source_document_id, m.Commitment.source_start)
    ):
        if c.framework_id:
            commitments[c.framework_id].append(c)
    out = []
    for row in fw_rows:
        meta = row.meta or {}
        fw = fm.Framework(
            id=row.id,
            name=row.name_ja or row.id,
            name_en=row.name_en,
            short_name=meta.get("short_name"),
            aliases=list(meta.get("aliases") or []),
            adopted=row.adopted,
            occasion=row.occasion,
            place=meta.get("place"),
            subtitle=meta.get("subtitle"),
            spans=[s_ for s_ in (_span_of(x) for x in meta.get("spans") or []) if s_],
            declared_pillar_count=meta.get("declared_pillar_count"),
            declared_meeting_count=meta.get("declared_meeting_count"),
            regions=list(meta.get("regions") or []),
            directions=_from_dicts(fm.Statement, meta.get("directions") or []),
            notes=_from_dicts(fm.Statement, meta.get("notes") or []),
            plans=_from_dicts(fm.Plan, meta.get("plans") or []),
            meetings=_from_dicts(fm.Meeting, meta.get("meetings") or []),
            milestones=_from_dicts(fm.Milestone, meta.get("milestones") or []),
            docs=list(meta.get("docs") or []),
        )
        statements = meta.get("pillar_statements") or {}
        open_lists = set(meta.get("open_lists") or [])
        descriptions = meta.get("line_of_effort_descriptions") or {}
        area_names: set[str] = set()
        for p in pillars.get(row.id, []):
            sp = _row_span(p, keys)
            pillar = fm.Pillar(
                number=p.number,
                title=p.title_ja or "",
                title_en=p.title_en,
                span=sp,
                open_list=p.number in open_lists,
                statements=_from_dicts(fm.Statement, statements.get(str(p.number)) or []),
                cooperation_areas=[
                    fm.CooperationArea(a.get("name", ""), a.get("name_en"), _span_of(a.get("span")))
                    for a in p.areas or []
                ],
            )
            area_names.update(a.name for a in pillar.cooperation_areas)
            for lo in lines.get(p.id, []):
                lsp = _row_span(lo, keys)
                pillar.lines_of_effort.append(
                    fm.LineOfEffort(
                        title=lo.title_ja or "",
                        title_en=lo.title_en,
                        description=descriptions.get(f"{p.number}:{lo.title_ja}"),
                        span=lsp,
                        citation=_citation(lo, lsp),
                    )
                )
            fw.pillars.append(pillar)
        extra = meta.get("initiatives") or {}
        for i in inits.get(row.id, []):
            if i.id == initiative_id(row.id, i.name_ja or "", area=True):
                continue  # a cooperation area
            more = extra.get(i.name_ja) or {}
            fw.initiatives.append(
                fm.Initiative(
                    name=i.name_ja or "",
                    new=bool(i.new),
                    pillars=sorted(ipp.get(i.id, [])),
                    name_en=i.name_en,
                    written=more.get("written") or i.name_ja or "",
                    span=_row_span(i, keys),
                    mentions=[x for x in (_span_of(d) for d in more.get("mentions") or []) if x],
                    group=more.get("group"),
                )
            )
        kinds = meta.get("principle_kinds") or {}
        for pr in principles.get(row.id, []):
            fw.principles.append(
                fm.Principle(
                    name=pr.text_ja or "",
                    kind=kinds.get(pr.text_ja, "implementation"),
                    name_en=pr.text_en,
                    span=_row_span(pr, keys),
                )
            )
        for r in relations.get(row.id, []):
            rsp = _row_span(r, keys)
            fw.relations.append(
                fm.Relation(r.relation, r.target_framework_id, rsp, _citation(r, rsp))
            )
        for c in commitments.get(row.id, []):
            money = c.currency is not None
            fw.commitments.append(
                fm.Commitment(
                    text=c.amount_text or "",
                    span=_row_span(c, keys),
                    amount=_decimal(c.amount) if money else None,
                    currency=c.currency,
                    quantity=None if money else _decimal(c.amount),
                    quantity_unit=c.unit,
                    qualifier=c.qualifier,
                    period_years=_period_years(c.period),
                    heading=c.description,
                    date=c.date,
                )
            )
        out.append(fw)
    return out


def _period_years(p: str | None) -> int | None:
    mt = re.fullmatch(r"P(\d+)Y", p or "")
    return int(mt.group(1)) if mt else None


def _one_line(text: str | None, width: int = 140) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def achievements(
    store: Store,
    framework: str,
    *,
    include_rejected: bool = False,
) -> list[fm.Achievement]:
    """Events linked to ``framework`` (id) as achievements, earliest first, with their
    links (rule, state) and source span. Links of an event merged into another count
    for that other event; rejected events and rejected links are left out."""
    lk = m.EventFrameworkLink
    with store.session() as s:
        t = _Targets.load(s)
        rows = s.execute(
            select(lk.event_id, lk.pillar_id, lk.initiative_id, lk.rule, lk.reason, lk.state)
            .where(lk.framework_id == framework)
            .order_by(lk.event_id, lk.id)
        ).all()
        if not include_rejected:
            rows = [r for r in rows if r.state != "rejected"]
        merged: dict[str, str | None] = {
            i: into
            for i, into in s.execute(
                select(m.Event.id, m.Event.merged_into_id).where(
                    m.Event.id.in_({r.event_id for r in rows}),
                    m.Event.merged_into_id.is_not(None),
                )
            )
        }
        by_event: dict[str, list[fm.Link]] = defaultdict(list)
        rule_loe = {r.id: r.line_of_effort for r in fl.load_link_data().rules}
        for r in rows:
            eid = r.event_id
            hops = 0
            while (nxt := merged.get(eid)) is not None and hops < 8:
                eid, hops = nxt, hops + 1
            name = t.initiative_names.get(r.initiative_id) if r.initiative_id else None
            is_area = r.initiative_id in t.areas
            by_event[eid].append(
                fm.Link(
                    framework=framework,
                    pillar=t.pillar_numbers.get(r.pillar_id) if r.pillar_id else None,
                    initiative=None if is_area else name,
                    area=name if is_area else None,
                    rule=r.rule or "",
                    line_of_effort=rule_loe.get(r.rule or ""),
                    reason=r.reason or "",
                    curated=r.state in CURATED_STATES,
                    note=r.state,
                )
            )
        return _achievements(s, by_event)


def _achievements(s: Session, by_event: Mapping[str, list[fm.Link]]) -> list[fm.Achievement]:
    ids = list(by_event)
    out: list[fm.Achievement] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        events = {
            e.id: e
            for e in s.scalars(select(m.Event).where(m.Event.id.in_(chunk)))
            if e.state != "rejected"
        }
        partners: dict[str, list[str]] = defaultdict(list)
        for eid, code in s.execute(
            select(m.EventPartner.event_id, m.EventPartner.partner_code).where(
                m.EventPartner.event_id.in_(chunk)
            )
        ):
            partners[eid].append(code)
        sources: dict[str, fm.Span] = {}
        for eid, key, start, end, line in s.execute(
            select(
                m.Evidence.event_id, m.Document.doc_key, m.Evidence.start, m.Evidence.end,
                m.Evidence.line,
            )
            .join(m.Document, m.Document.id == m.Evidence.document_id)
            .where(m.Evidence.event_id.in_(chunk), m.Document.is_current.is_(True))
            .order_by(m.Evidence.event_id, m.Document.doc_key, m.Evidence.start)
        ):  # fmt: skip
            sources.setdefault(eid, fm.Span(key, start, end, line))
        for eid in chunk:
            ev = events.get(eid)
            if ev is None:
                continue
            src = sources.get(eid)
            if src is None and ev.doc_key and ev.line:
                src = fm.Span(ev.doc_key, -1, -1, ev.line)
            links = by_event[eid]
            seen: set[tuple[Any, ...]] = set()
            uniq = []
            for link in links:
                lkey = (link.pillar, link.initiative, link.area, link.rule)
                if lkey not in seen:
                    seen.add(lkey)
                    uniq.append(link)
            out.append(
                fm.Achievement(
                    event=eid,
                    date=ev.date,
                    partners=sorted(set(partners.get(eid, []))),
                    summary=_one_line(ev.summary or ev.quote),
                    links=uniq,
                    kind=ev.kind,
                    source=src,
                )
            )
    out.sort(key=lambda a: (a.date or "9999", a.event))
    return out


def implementation_status(
    store: Store, fw: fm.Framework, achs: Iterable[fm.Achievement] | None = None
) -> list[fs.ImplementationStatus]:
    """Status per initiative and cooperation area, derived from the stored links, with
    the curators' overrides (and who set them, from the audit log)."""
    if achs is None:
        achs = achievements(store, fw.id)
    a = m.AuditEntry
    with store.session() as s:
        rows = s.execute(
            select(m.Initiative.id, m.Initiative.name_ja, m.Initiative.status_override,
                   m.Initiative.status_note)
            .where(m.Initiative.framework_id == fw.id, m.Initiative.status_override.is_not(None))
        ).all()  # fmt: skip
        overrides = []
        for iid, name, state, note in rows:
            who = s.scalar(
                select(a.actor)
                .where(a.entity == AUDIT_ENTITY_STATUS, a.entity_id == iid)
                .order_by(a.at.desc(), a.id.desc())
                .limit(1)
            )
            overrides.append(fs.StatusOverride(fw.id, name or "", state or "", note or "", who))
    return fs.implementation_status(fw, achs, overrides)


def find_stored(store: Store, name: str) -> fm.Framework | None:
    """The stored framework whose id, name, English name or alias is ``name``."""
    return find_framework(stored_frameworks(store), name)


def empty_message(store: Store) -> str:
    """Why the store has no frameworks, and what to run."""
    n = store.counts().documents
    if n == 0:
        return (
            "the store is empty: run `defcoop ingest PATH...` first "
            "(e.g. `defcoop ingest examples/corpus`)"
        )
    return (
        f"no framework in the store's {n} documents; if they were ingested before "
        "frameworks were imported, run `defcoop frameworks sync`"
    )


def require_frameworks(store: Store) -> list[fm.Framework]:
    """The stored frameworks, or :class:`FrameworkError` saying what to run."""
    fws = stored_frameworks(store)
    if not fws:
        raise FrameworkError(empty_message(store))
    return fws


def require_framework(store: Store, name: str) -> fm.Framework:
    """The stored framework named ``name``, or :class:`FrameworkError` (empty store,
    unknown name with the known ones)."""
    fws = require_frameworks(store)
    fw = find_framework(fws, name)
    if fw is None:
        known = ", ".join(f.id for f in fws)
        raise FrameworkError(f"no framework {name!r} in the store (known: {known})")
    return fw
