"""Partner names, regions and dated group memberships for the query layer.

The packaged registry (``defcoop.extract.partners.registry()``) is the base; rows the
knowledge base wrote to the store (``partners``, ``group_memberships``) are laid over
it, so a curator's additions count without a code change.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from defcoop.extract.partners import REGIONS, Registry, period, registry
from defcoop.query.model import QueryError
from defcoop.store import models as m


@dataclass(frozen=True, slots=True)
class MemberSpan:
    """``code`` belonged to a group from ``start`` (inclusive) to ``end`` (exclusive, None: open)."""

    code: str
    start: date | None
    end: date | None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


class PartnerDirectory:
    """Lookups over the registry plus the store's own partner rows."""

    def __init__(self, reg: Registry, extra: dict[str, tuple[str | None, str | None, str | None]]):
        self.reg = reg
        # code -> (name_en, name_ja, region) for partners only the store knows (or overrides)
        self.extra = extra

    @classmethod
    def load(cls, session: Session | None = None) -> PartnerDirectory:
        extra: dict[str, tuple[str | None, str | None, str | None]] = {}
        if session is not None:
            rows = session.execute(
                select(m.Partner.code, m.Partner.name_en, m.Partner.name_ja, m.Partner.region)
            ).all()
            extra = {code: (en, ja, region) for code, en, ja, region in rows}
        return cls(registry(), extra)

    # -- names ---------------------------------------------------------------------------
    def name(self, code: str, lang: str = "en") -> str:
        p = self.reg.get(code)
        if p is not None:
            return p.name_en if lang == "en" else p.name_ja
        en, ja, _ = self.extra.get(code, (None, None, None))
        return (en if lang == "en" else ja) or code

    def region(self, code: str) -> str | None:
        p = self.reg.get(code)
        if p is not None:
            return p.region
        return self.extra.get(code, (None, None, None))[2]

    def resolve(self, text: str) -> str:
        """The code named by ``text`` (code, Japanese or English name, alias); QueryError if none."""
        code = self.reg.lookup(text)
        if code:
            return code
        key = _fold(text)
        for c, (en, ja, _r) in self.extra.items():
            if key in (_fold(c), _fold(en or ""), _fold(ja or "")):
                return c
        raise QueryError(
            f"unknown partner {text!r} (a code such as PHL, or a Japanese/English name)"
        )

    def matching(self, term: str) -> list[str]:
        """Codes whose code, name or alias equals ``term``, or whose English name contains it
        (at least 3 letters): the free-text search's way to English partner names."""
        out: set[str] = set()
        code = self.reg.lookup(term)
        if code:
            out.add(code)
        key = _fold(term)
        if len(key) >= 3 and key.isascii():
            for p in self.reg:
                if p.is_self:
                    continue
                if any(key in _fold(n) for n in (p.name_en, *p.aliases_en)):
                    out.add(p.code)
            for c, (en, _ja, _r) in self.extra.items():
                if en and key in _fold(en):
                    out.add(c)
        return sorted(out)

    # -- regions and groups ------------------------------------------------------------------
    def region_codes(self, region: str) -> list[str]:
        r = region.strip().lower().replace("-", "_").replace(" ", "_")
        known = set(REGIONS) | {x[2] for x in self.extra.values() if x[2]}
        if r not in known:
            raise QueryError(f"unknown region {region!r} (regions: {', '.join(REGIONS)})")
        codes = {p.code for p in self.reg if p.region == r and not p.is_self}
        codes |= {c for c, x in self.extra.items() if x[2] == r}
        codes -= {c for c, x in self.extra.items() if x[2] and x[2] != r}
        return sorted(codes)

    def group_members(self, group: str, session: Session | None = None) -> list[MemberSpan]:
        """Full-member spans of ``group``: the store's ``group_memberships`` when it has rows
        for the group, else the registry's."""
        code = self.resolve(group)
        if session is not None:
            rows = session.execute(
                select(
                    m.GroupMembership.member_code, m.GroupMembership.start, m.GroupMembership.end
                )
                .where(m.GroupMembership.group_code == code)
                .where(m.GroupMembership.status == "member")
            ).all()
            if rows:
                return [MemberSpan(c, s, e) for c, s, e in rows]
        p = self.reg.get(code)
        if p is None:
            return []
        if not p.members:
            raise QueryError(f"{group!r} is not a group or organization with members")
        out = []
        for mem in p.members:
            if mem.role != "member":
                continue
            member = self.reg.get(mem.code)
            if member is not None and member.is_self:
                continue
            start = period(mem.start)[0] if mem.start else None
            end = period(mem.end)[0] if mem.end else None
            out.append(MemberSpan(mem.code, start, end))
        return out

    def group_code(self, group: str) -> str:
        return self.resolve(group)


def directory(session: Session | None = None) -> PartnerDirectory:
    return PartnerDirectory.load(session)
