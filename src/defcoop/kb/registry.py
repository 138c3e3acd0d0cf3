"""The partner registry in the store: partners, regions and dated group memberships.

``sync_registry`` copies ``data/partners.yaml`` (through ``defcoop.extract.partners``)
into the ``partners`` and ``group_memberships`` tables, writing only what changed, so
that it can run after every ingest. Queries by group resolve membership on the date
asked, with the registry's semantics:

* a membership row holds from ``start`` to ``end`` (exclusive: the first day the status
  no longer held), ``end`` null while it lasts;
* a partial date stands for its whole period, on both sides: the data file's "1976"
  is stored as 1976-01-01, and asking for "2025-10" finds Timor-Leste both as ASEAN
  observer (until 2025-10-26) and as member (from that day).

The data file says ``organization``; the store's ``partners.kind`` says ``org``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from defcoop.errors import DefcoopError
from defcoop.extract.partners import Registry, period, registry
from defcoop.records import content_id
from defcoop.store import Store
from defcoop.store import models as m

#: Data-file kind -> store kind.
STORE_KIND = {"country": "country", "organization": "org", "group": "group"}

#: Region codes of the data file and the names the white paper groups partners under.
REGION_NAMES = {
    "southeast_asia": "Southeast Asia",
    "south_asia": "South Asia",
    "northeast_asia": "Northeast Asia",
    "central_asia": "Central Asia",
    "oceania_pacific": "Oceania and Pacific Islands",
    "europe": "Europe",
    "middle_east": "Middle East",
    "africa": "Africa",
    "americas": "Americas",
    "international": "International",
}

#: ``group_memberships.source`` of rows copied from the data file.
DATA_SOURCE = "data/partners.yaml"

MEMBERSHIP_STATUSES = ("member", "observer")


class RegistryError(DefcoopError, ValueError):
    """A registry query named an unknown group, region or date."""


@dataclass(slots=True)
class SyncResult:
    partners_added: int = 0
    partners_updated: int = 0
    memberships_added: int = 0
    memberships_removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.partners_added
            + self.partners_updated
            + self.memberships_added
            + self.memberships_removed
        )


@dataclass(slots=True, frozen=True)
class PartnerView:
    """A partner as the store holds it; ``status``/``since``/``until`` when asked by group."""

    code: str
    kind: str
    name_ja: str | None
    name_en: str | None
    region: str | None
    region_name: str | None
    aliases: list[str] = field(default_factory=list)
    status: str | None = None  # member | observer (group queries only)
    since: str | None = None
    until: str | None = None  # exclusive end

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- sync


def _partner_values(reg: Registry) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in reg:
        out[p.code] = {
            "kind": STORE_KIND[p.kind],
            "name_en": p.name_en,
            "name_ja": p.name_ja,
            "aliases": [*p.aliases_ja, *p.aliases_en],
            "region": p.region,
            "meta": {
                "aliases_ja": list(p.aliases_ja),
                "aliases_en": list(p.aliases_en),
                "abbrev": list(p.abbrev),
                "un_member": p.un_member,
                "is_self": p.is_self,
                "region_name": REGION_NAMES.get(p.region, p.region),
            },
        }
    return out


def _membership_values(reg: Registry) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for g in reg:
        for ms in g.members:
            mid = content_id("membership", g.code, ms.code, ms.role, ms.start)
            written = f"{ms.start}..{ms.end or ''}"
            out[mid] = {
                "group_code": g.code,
                "member_code": ms.code,
                "status": ms.role,
                "start": period(ms.start)[0],
                # the registry treats ``end`` as exclusive at the last day of its period
                "end": period(ms.end)[1] if ms.end else None,
                "source": f"{DATA_SOURCE} ({written})",
            }
    return out


def sync_session(session: Session, reg: Registry | None = None) -> SyncResult:
    """Bring the partner tables in line with the registry (inside the caller's transaction)."""
    reg = reg or registry()
    res = SyncResult()
    wanted = _partner_values(reg)
    have = {p.code: p for p in session.scalars(select(m.Partner))}
    for code, values in wanted.items():
        row = have.get(code)
        if row is None:
            session.add(m.Partner(code=code, **values))
            res.partners_added += 1
            continue
        changed = False
        for f, v in values.items():
            if getattr(row, f) != v:
                setattr(row, f, v)
                changed = True
        res.partners_updated += changed
    session.flush()
    want_ms = _membership_values(reg)
    have_ms = {
        g.id: g
        for g in session.scalars(
            select(m.GroupMembership).where(m.GroupMembership.source.like(f"{DATA_SOURCE}%"))
        )
    }
    for mid, values in want_ms.items():
        row_ms = have_ms.pop(mid, None)
        if row_ms is None:
            session.add(m.GroupMembership(id=mid, **values))
            res.memberships_added += 1
            continue
        for f, v in values.items():
            if getattr(row_ms, f) != v:
                setattr(row_ms, f, v)
    for stale in have_ms.values():
        session.delete(stale)
        res.memberships_removed += 1
    session.flush()
    return res


def sync_registry(store: Store, reg: Registry | None = None) -> SyncResult:
    """Copy the partner registry into ``store`` (idempotent; writes only changes)."""
    with store.write_session() as s:
        return sync_session(s, reg)


# --------------------------------------------------------------------------- queries


def parse_as_of(value: str | date) -> tuple[date, date]:
    """First and last day of an "as of" value (YYYY, YYYY-MM, YYYY-MM-DD or a date)."""
    try:
        return period(value)
    except ValueError as err:
        raise RegistryError(f"--as-of {value!r}: {err}") from err


def region_code(value: str) -> str:
    """A region code from a code or an English name ("Southeast Asia", "southeast_asia")."""
    v = value.strip().casefold().replace("-", "_").replace(" ", "_")
    for code, name in REGION_NAMES.items():
        if v in (code, name.casefold().replace(" ", "_")):
            return code
    raise RegistryError(f"unknown region {value!r} (one of: {', '.join(REGION_NAMES)})")


def _view(p: m.Partner, ms: m.GroupMembership | None = None) -> PartnerView:
    return PartnerView(
        code=p.code,
        kind=p.kind,
        name_ja=p.name_ja,
        name_en=p.name_en,
        region=p.region,
        region_name=REGION_NAMES.get(p.region or "", p.region),
        aliases=list(p.aliases or []),
        status=ms.status if ms is not None else None,
        since=ms.start.isoformat() if ms is not None and ms.start else None,
        until=ms.end.isoformat() if ms is not None and ms.end else None,
    )


def _membership_filter(lo: date, hi: date) -> Any:
    g = m.GroupMembership
    return and_(
        or_(g.start.is_(None), g.start <= hi),
        or_(g.end.is_(None), g.end > lo),
    )


def list_partners(
    store: Store,
    *,
    group: str | None = None,
    as_of: str | date | None = None,
    region: str | None = None,
    kind: str | None = None,
    statuses: Collection[str] = MEMBERSHIP_STATUSES,
    include_self: bool = False,
) -> list[PartnerView]:
    """Partners of the store, optionally those of ``group`` on ``as_of`` (default today).

    A partner listed as observer then member within the asked period appears once per
    status. Japan (``is_self``) is left out unless ``include_self``.
    """
    region_c = region_code(region) if region else None
    with store.session() as s:
        if group is None:
            stmt = select(m.Partner).order_by(m.Partner.region, m.Partner.code)
            if region_c:
                stmt = stmt.where(m.Partner.region == region_c)
            if kind:
                stmt = stmt.where(m.Partner.kind == STORE_KIND.get(kind, kind))
            rows = list(s.scalars(stmt))
            return [_view(p) for p in rows if include_self or not (p.meta or {}).get("is_self")]
        grp = s.get(m.Partner, group) or s.get(m.Partner, group.upper())
        if grp is None:
            raise RegistryError(f"unknown group {group!r} (see `defcoop partners --kind group`)")
        lo, hi = parse_as_of(as_of or date.today())
        stmt2 = (
            select(m.Partner, m.GroupMembership)
            .join(m.GroupMembership, m.GroupMembership.member_code == m.Partner.code)
            .where(
                m.GroupMembership.group_code == grp.code,
                m.GroupMembership.status.in_(list(statuses)),
                _membership_filter(lo, hi),
            )
            .order_by(m.Partner.code, m.GroupMembership.start)
        )
        if region_c:
            stmt2 = stmt2.where(m.Partner.region == region_c)
        if kind:
            stmt2 = stmt2.where(m.Partner.kind == STORE_KIND.get(kind, kind))
        out = []
        for p, ms in s.execute(stmt2).all():
            if include_self or not (p.meta or {}).get("is_self"):
                out.append(_view(p, ms))
        return out


def group_members(
    store: Store,
    group: str,
    as_of: str | date,
    statuses: Iterable[str] = ("member",),
) -> list[str]:
    """Sorted codes of ``group``'s members (by default full members only) on ``as_of``."""
    return sorted(
        {p.code for p in list_partners(store, group=group, as_of=as_of, statuses=list(statuses))}
    )


def groups_of(store: Store, code: str, as_of: str | date) -> list[tuple[str, str]]:
    """``(group, status)`` of the groups ``code`` belonged to on ``as_of``."""
    lo, hi = parse_as_of(as_of)
    with store.session() as s:
        rows = s.execute(
            select(m.GroupMembership.group_code, m.GroupMembership.status)
            .where(m.GroupMembership.member_code == code, _membership_filter(lo, hi))
            .order_by(m.GroupMembership.group_code)
        ).all()
    return sorted({(g, st) for g, st in rows})
