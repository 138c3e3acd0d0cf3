"""Framework achievements for the query layer: stored links, else the classifier.

``event_framework_links`` rows (written by the frameworks/kb layer, curated there) are
used when the store has any for the framework asked; otherwise the links are computed
on the fly with :func:`defcoop.frameworks.links.classify` over the events that pass the
other filters. Computing is fine for a corpus; at scale, store the links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from defcoop.query.model import LinkView
from defcoop.store import models as m

DEFAULT_FRAMEWORK = "JASMINE"


def framework_id(name: str | None) -> str:
    return (name or DEFAULT_FRAMEWORK).strip().upper()


def has_stored_links(session: Session, framework: str | None = None) -> bool:
    stmt = select(m.EventFrameworkLink.id).limit(1)
    if framework:
        stmt = stmt.where(func.upper(m.EventFrameworkLink.framework_id) == framework.upper())
    return session.execute(stmt).first() is not None


def stored_condition(
    framework: str, pillar: int | None, initiative: str | None
) -> ColumnElement[bool]:
    """EXISTS a non-rejected stored link of the event to the framework / pillar / initiative."""
    link = m.EventFrameworkLink
    conds: list[ColumnElement[bool]] = [
        link.event_id == m.Event.id,
        func.upper(link.framework_id) == framework.upper(),
        link.state != "rejected",
    ]
    if pillar is not None:
        conds.append(link.pillar_id.in_(select(m.Pillar.id).where(m.Pillar.number == pillar)))
    if initiative:
        pat = f"%{initiative}%"
        conds.append(
            link.initiative_id.in_(
                select(m.Initiative.id).where(
                    m.Initiative.name_ja.ilike(pat) | m.Initiative.name_en.ilike(pat)
                )
            )
        )
    return exists(select(link.id).where(and_(*conds)))


def _classify(ev: dict[str, Any], frameworks: Sequence[str] | None = None) -> list[Any]:
    from defcoop.frameworks.links import classify, registry_is_asean

    return classify(ev, is_asean=registry_is_asean(), frameworks=frameworks)


def computed_ids(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    framework: str,
    pillar: int | None,
    initiative: str | None,
) -> list[str]:
    """Ids of events (matching ``conditions``) the classifier links as asked."""
    rows = session.execute(
        select(m.Event.id, m.Event.kind, m.Event.date, m.Event.quote, m.Event.occasion).where(
            *conditions
        )
    ).all()
    partners = _partners_of(session, [r.id for r in rows])
    want = initiative.casefold() if initiative else None
    out: list[str] = []
    for r in rows:
        ev = {
            "id": r.id,
            "kind": r.kind,
            "date": r.date,
            "quote": r.quote,
            "occasion": r.occasion,
            "partners": partners.get(r.id, []),
        }
        for lk in _classify(ev, [framework]):
            if pillar is not None and lk.pillar != pillar:
                continue
            if want and (not lk.initiative or want not in lk.initiative.casefold()):
                continue
            out.append(r.id)
            break
    return out


def _partners_of(session: Session, ids: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    id_list = list(ids)
    for i in range(0, len(id_list), 500):
        chunk = id_list[i : i + 500]
        for eid, code in session.execute(
            select(m.EventPartner.event_id, m.EventPartner.partner_code).where(
                m.EventPartner.event_id.in_(chunk)
            )
        ):
            out[eid].append(code)
    return out


def links_of(session: Session, event: dict[str, Any]) -> list[LinkView]:
    """The event's stored links, or (when it has none) the classifier's."""
    link = m.EventFrameworkLink
    rows = session.execute(
        select(link, m.Pillar.number, m.Initiative.name_ja)
        .outerjoin(m.Pillar, m.Pillar.id == link.pillar_id)
        .outerjoin(m.Initiative, m.Initiative.id == link.initiative_id)
        .where(link.event_id == event["id"])
    ).all()
    if rows:
        return [
            LinkView(
                framework=lk.framework_id,
                pillar=number,
                initiative=name,
                rule=lk.rule,
                reason=lk.reason,
                stored=True,
                state=lk.state,
            )
            for lk, number, name in rows
        ]
    return [
        LinkView(
            framework=lk.framework,
            pillar=lk.pillar,
            initiative=lk.initiative or lk.area,
            rule=lk.rule,
            reason=lk.reason,
            stored=False,
        )
        for lk in _classify(event)
    ]
