"""Verification axes per event: what a reviewer checks, and what set each value.

For every event and each axis of ``defcoop.store.models.AXES`` -- source, date,
partners, principal (the Japanese principal), role (the principal's role at the
time) and counterpart -- the status is one of

* ``automatic``: set by a rule; the rule or cue is recorded;
* ``verified`` / ``corrected``: set by a curator (never overwritten here);
* ``unresolved``: the value is unknown or contradicted, and is NOT guessed.

``events.axes`` keeps ``{axis: status}`` (the store's re-ingest rules rely on that
shape); the rule and cue of each axis go to ``provenance["_axes"]``:
``{axis: {"status": ..., "rule": ..., "cue": ...}}``.

The role axis uses the tenure registry (``defcoop.kb.people``): a named principal's
role is confirmed by a tenure covering the event date, and contradicted (unresolved)
when a curated tenure says somebody else held that role then; a role implied by a
meeting title (首脳会談 -> PM) is resolved to the person who held it when exactly one
did.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from defcoop.kb._bulk import update_event_rows
from defcoop.kb.people import role_tables
from defcoop.normalize import normalize
from defcoop.store import Store
from defcoop.store import models as m
from defcoop.store.models.base import AXES

DETAIL_KEY = "_axes"
CURATED = ("verified", "corrected")
UNIT_ROLES = frozenset({"GSDF", "MSDF", "ASDF", "MOD", "GOV"})


@dataclass(slots=True, frozen=True)
class Axis:
    status: str
    rule: str | None = None
    cue: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "rule": self.rule, "cue": self.cue}


@dataclass(slots=True)
class AxesResult:
    events: int = 0
    changed: int = 0
    unresolved: dict[str, int] | None = None


@dataclass(slots=True, frozen=True)
class _Tenure:
    person_id: str
    name: str
    basis: str
    lo: date | None
    hi: date | None

    def covers(self, lo: date, hi: date) -> bool:
        return (self.lo is None or self.lo <= lo) and (self.hi is None or hi <= self.hi)

    def overlaps(self, lo: date, hi: date) -> bool:
        return (self.lo is None or self.lo <= hi) and (self.hi is None or lo <= self.hi)


def _tenures(session: Session) -> dict[tuple[str, str], list[_Tenure]]:
    t, p = m.RoleTenure, m.Person
    out: dict[tuple[str, str], list[_Tenure]] = defaultdict(list)
    rows = session.execute(
        select(t.role, t.country, t.person_id, p.name, p.variants, t.basis, t.start_from, t.end_to)
        .join(p, p.id == t.person_id)
        .where(p.state != "rejected", p.merged_into_id.is_(None))
    ).all()
    curated = {(r.person_id, r.role) for r in rows if r.basis == "curated"}
    for r in rows:
        if r.basis != "curated" and (r.person_id, r.role) in curated:
            continue
        out[(r.role, r.country or "")].append(
            _Tenure(r.person_id, r.name, r.basis, r.start_from, r.end_to)
        )
    return out


def _names_of(session: Session) -> dict[tuple[str, str], set[str]]:
    """(country, any variant) -> person ids, to find the principal's person."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pid, name, country, variants in session.execute(
        select(m.Person.id, m.Person.name, m.Person.country, m.Person.variants).where(
            m.Person.state != "rejected", m.Person.merged_into_id.is_(None)
        )
    ):
        out[(country or "", name)].add(pid)
        for v in variants or []:
            vn = v.get("name") if isinstance(v, dict) else v
            if vn:
                out[(country or "", str(vn))].add(pid)
    return out


def _marked_former(quote: str, name: str) -> bool:
    """True when the quote writes the principal's title with "(当時)" (木原防衛大臣(当時))."""
    if "時" not in quote:  # no other character normalizes to 時: nothing to find
        return False
    text = normalize(quote).text
    return re.search(re.escape(name) + r"[^、。()]{1,12}\(当時\)", text) is not None


def role_axis(
    ev: Any,
    tenures: dict[tuple[str, str], list[_Tenure]],
    persons: dict[tuple[str, str], set[str]],
    former: bool,
) -> Axis | None:
    """The role-at-the-time axis of one event (None when the event names no Japanese side)."""
    role = ev.jp_role
    if not role:
        return None
    if role in UNIT_ROLES:
        return Axis(
            "automatic", (ev.provenance or {}).get("jp_role", {}).get("rule"), "organization"
        )
    if ev.date_from is None or ev.date_to is None:
        return Axis("unresolved", None, "no date to check the role against")
    lo, hi = ev.date_from, ev.date_to
    held = tenures.get((role, "JPN"), [])
    if ev.jp_name:
        ids = persons.get(("JPN", ev.jp_name), set())
        mine = [t for t in held if t.person_id in ids]
        others = [
            t for t in held if t.person_id not in ids and t.basis == "curated" and t.covers(lo, hi)
        ]
        if others:
            who = ", ".join(sorted({t.name for t in others}))
            return Axis("unresolved", "tenure", f"conflict: curated tenure says {who} held {role}")
        if any(t.overlaps(lo, hi) for t in mine):
            cue = "(当時)" if former else "title as written"
            basis = "curated" if any(t.basis == "curated" for t in mine) else "inferred"
            return Axis("automatic", f"tenure:{basis}", cue)
        return Axis("unresolved", "tenure", f"no tenure of {ev.jp_name} as {role} covers {ev.date}")
    if role not in role_tables().single_holder:
        return Axis("automatic", "implied_by_title", None)
    holders = {t.name for t in held if t.overlaps(lo, hi)}
    if len(holders) == 1:
        return Axis("automatic", "implied_by_title+tenure", f"held by {holders.pop()}")
    if holders:
        return Axis("unresolved", "implied_by_title", "held by " + " or ".join(sorted(holders)))
    return Axis("unresolved", "implied_by_title", f"no known holder of {role} on {ev.date}")


def compute_axes(
    ev: Any,
    n_evidence: int,
    n_docs: int,
    n_counterparts: int,
    partners: list[str],
    role: Axis | None,
) -> dict[str, Axis]:
    """The automatic value of every axis of one event row."""
    prov = ev.provenance or {}

    def rule(f: str) -> str | None:
        p = prov.get(f)
        return p.get("rule") if isinstance(p, dict) else None

    out: dict[str, Axis] = {}
    if n_evidence:
        cue = f"{n_evidence} span(s) in {n_docs} document(s)"
        if ev.orphaned:
            out["source"] = Axis(
                "unresolved", "orphaned", "the sentence is gone from every current document"
            )
        else:
            out["source"] = Axis("automatic", "evidence", cue)
    else:
        out["source"] = Axis("unresolved", None, "no source span")
    if ev.date is None:
        out["date"] = Axis("unresolved", rule("date") or "unresolved", "no date could be resolved")
    else:
        out["date"] = Axis("automatic", rule("date"), ev.date)
    if partners:
        out["partners"] = Axis("automatic", rule("partners"), ",".join(partners))
    else:
        out["partners"] = Axis("unresolved", rule("partners"), "no partner found")
    if ev.jp_role or ev.jp_name:
        who = " ".join(x for x in (ev.jp_name, ev.jp_role) if x)
        out["principal"] = Axis("automatic", rule("jp_role") or rule("jp_name"), who)
    else:
        out["principal"] = Axis("unresolved", None, "no Japanese principal named")
    if role is not None:
        out["role"] = role
    elif "principal" in out and out["principal"].status == "unresolved":
        out["role"] = Axis("unresolved", None, "no Japanese principal named")
    if n_counterparts:
        out["counterpart"] = Axis("automatic", "participants", f"{n_counterparts} named")
    else:
        out["counterpart"] = Axis("unresolved", None, "no counterpart named")
    return out


#: Events read, computed and written at a time (keyset pages: memory stays bounded).
PAGE = 2000


def _page_counts(session: Session, lo: str, hi: str) -> tuple[
    dict[str, tuple[int, int]], dict[str, int], dict[str, list[str]]
]:  # fmt: skip
    """Evidence (spans, documents), named counterparts and partners of the events whose
    ids are in ``[lo, hi]``."""
    e, pa, ep = m.Evidence, m.Participant, m.EventPartner
    n_ev: dict[str, tuple[int, int]] = {
        eid: (n, d)
        for eid, n, d in session.execute(
            select(e.event_id, func.count(), func.count(func.distinct(e.document_id)))
            .where(e.event_id >= lo, e.event_id <= hi)
            .group_by(e.event_id)
        )
    }
    n_cp: dict[str, int] = dict(
        session.execute(
            select(pa.event_id, func.count())
            .where(
                pa.event_id >= lo,
                pa.event_id <= hi,
                pa.side == "partner",
                pa.state != "rejected",
                pa.name.is_not(None),
            )
            .group_by(pa.event_id)
        ).all()
    )
    partners: dict[str, list[str]] = defaultdict(list)
    for eid, code in session.execute(
        select(ep.event_id, ep.partner_code)
        .where(ep.event_id >= lo, ep.event_id <= hi)
        .order_by(ep.partner_code)
    ):
        partners[eid].append(code)
    return n_ev, n_cp, partners


def update_axes_session(session: Session) -> AxesResult:
    """Write the automatic axes of every event; curated axes are kept as they are."""
    ev = m.Event
    cols = (
        ev.id, ev.date, ev.date_from, ev.date_to, ev.jp_role, ev.jp_name, ev.orphaned,
        ev.provenance, ev.axes, ev.state, ev.quote,
    )  # fmt: skip
    tenures = _tenures(session)
    persons = _names_of(session)
    res = AxesResult()
    unresolved: dict[str, int] = defaultdict(int)
    last: str | None = None
    while True:
        stmt = select(*cols).order_by(ev.id).limit(PAGE)
        if last is not None:
            stmt = stmt.where(ev.id > last)
        rows = session.execute(stmt).all()
        if not rows:
            break
        last = rows[-1].id
        n_ev, n_cp, partners = _page_counts(session, rows[0].id, last)
        res.events += len(rows)
        changes: list[dict[str, Any]] = []
        for r in rows:
            quote_former = bool(r.jp_name) and _marked_former(r.quote or "", r.jp_name)
            n, d = n_ev.get(r.id, (0, 0))
            computed = compute_axes(
                r, n, d, n_cp.get(r.id, 0), partners.get(r.id, []),
                role_axis(r, tenures, persons, quote_former),
            )  # fmt: skip
            old_axes = dict(r.axes or {})
            old_detail = dict((r.provenance or {}).get(DETAIL_KEY) or {})
            axes: dict[str, str] = {}
            detail: dict[str, Any] = {}
            for a in AXES:
                if old_axes.get(a) in CURATED:
                    axes[a] = old_axes[a]
                    detail[a] = old_detail.get(a) or {
                        "status": old_axes[a],
                        "rule": "curated",
                        "cue": None,
                    }
                    continue
                if a in computed:
                    axes[a] = computed[a].status
                    detail[a] = computed[a].to_dict()
                    if computed[a].status == "unresolved":
                        unresolved[a] += 1
            if axes != old_axes or detail != old_detail:
                prov = dict(r.provenance or {})
                prov[DETAIL_KEY] = detail
                changes.append({"_id": r.id, "provenance": prov, "axes": axes})
                res.changed += 1
        update_event_rows(session, changes)
    res.unresolved = dict(unresolved)
    return res


def update_axes(store: Store) -> AxesResult:
    with store.write_session() as s:
        return update_axes_session(s)


def axes_of(store: Store, event_id: str) -> dict[str, dict[str, Any]]:
    """``{axis: {"status", "rule", "cue"}}`` of one event."""
    with store.session() as s:
        row = s.get(m.Event, event_id)
        if row is None:
            return {}
        detail = dict((row.provenance or {}).get(DETAIL_KEY) or {})
        out: dict[str, dict[str, Any]] = {}
        for a, status in (row.axes or {}).items():
            d = dict(detail.get(a) or {})
            d["status"] = status
            d.setdefault("rule", None)
            d.setdefault("cue", None)
            out[a] = d
        return out
