"""The data of each report, gathered through the query layer (no rendering here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from defcoop.extract.partners import registry
from defcoop.query import EventQuery, EventRow, QueryError, iter_events, source_sentences
from defcoop.query import analytics as an
from defcoop.query.agreements import AgreementRow, agreement_row
from defcoop.query.levels import ALL_LEVELS
from defcoop.report import labels as lb
from defcoop.report.sources import Paragraph, significance
from defcoop.store import Store


@dataclass(frozen=True, slots=True)
class ChronologyRow:
    """One line of a chronology table, in the manner of the white paper's appendix."""

    event_id: str
    date: str | None
    end: str | None
    category: str
    kind: str
    level: str
    partners: tuple[str, ...]
    summary: str  # English, from the codes: kind, Japanese side, partners, place, occasion
    sentence: str  # the source sentence (Japanese)
    doc_key: str | None
    line: int | None
    state: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "date": self.date,
            "end": self.end,
            "category": self.category,
            "kind": self.kind,
            "level": self.level,
            "partners": list(self.partners),
            "summary": self.summary,
            "sentence": self.sentence,
            "doc_key": self.doc_key,
            "line": self.line,
            "state": self.state,
        }


def _summary(e: EventRow, about: str | None = None) -> str:
    """English one-liner from the codes. ``about``: the profile's partner (the others are
    named "with ..."); None leaves partners out (the table has a column for them)."""
    parts = [lb.kind_label(e.kind)]
    if e.kind == "agreement" and e.agreement_type:
        status = lb.status_label(e.agreement_status)
        parts = [f"{e.agreement_type} {status}".strip()]
    who = lb.role_label(e.jp_role)
    if who:
        parts.append(who + (f" ({e.jp_name})" if e.jp_name else ""))
    others = [c for c in e.partners if c != about]
    if about and others:
        parts.append("with " + ", ".join(others))
    if e.modality in ("video", "phone"):
        parts.append(e.modality)
    text = " · ".join(parts)
    if e.location:
        text += f" — {e.location}"
    if e.occasion:
        text += f" (on the occasion of {e.occasion})"
    if e.count and e.count > 1:
        text += f" ×{e.count}"
    return text


def chronology(store: Store, q: EventQuery, about: str | None = None) -> list[ChronologyRow]:
    """Every event matching ``q``, earliest first, with its source sentence."""
    rows = iter_events(store, q.replace(sort="date"))
    sentences = source_sentences(store, [e.id for e in rows])
    return [
        ChronologyRow(
            event_id=e.id,
            date=e.date,
            end=e.end,
            category=lb.category_of(e.kind, e.level),
            kind=e.kind,
            level=e.level,
            partners=e.partners,
            summary=_summary(e, about),
            sentence=sentences.get(e.id, e.quote),
            doc_key=e.doc_key,
            line=e.line,
            state=e.state,
        )
        for e in rows
    ]


def _generated() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


# --------------------------------------------------------------------------- partner profile


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    code: str
    name_en: str
    name_ja: str
    kind: str
    region: str
    aliases: list[str]
    groups: list[tuple[str, str, str]]  # (group code, role, since) held as of the report
    un_member: bool | None
    significance: list[Paragraph]
    agreements: AgreementRow
    chronology: list[ChronologyRow]
    by_kind_year: an.Pivot
    by_level: dict[str, int]
    total: int
    first: str | None
    last: str | None
    since: str | None
    until: str | None
    generated: str = field(default_factory=_generated)

    @property
    def title(self) -> str:
        return f"{self.name_en} ({self.code}) — defense cooperation and exchanges with Japan"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_en": self.name_en,
            "name_ja": self.name_ja,
            "kind": self.kind,
            "region": self.region,
            "aliases": self.aliases,
            "groups": [list(g) for g in self.groups],
            "un_member": self.un_member,
            "significance": [p.to_dict() for p in self.significance],
            "agreements": self.agreements.to_dict(),
            "chronology": [c.to_dict() for c in self.chronology],
            "by_kind_year": self.by_kind_year.to_dict(),
            "by_level": self.by_level,
            "total": self.total,
            "first": self.first,
            "last": self.last,
            "since": self.since,
            "until": self.until,
            "generated": self.generated,
        }


def partner_profile(
    store: Store,
    partner: str,
    *,
    since: str | None = None,
    until: str | None = None,
    as_of: str | None = None,
) -> PartnerProfile:
    """Everything a partner profile shows; ``partner`` is a code or a name."""
    reg = registry()
    code = reg.lookup(partner)
    p = reg.get(code) if code else None
    if p is None or p.is_self:
        raise QueryError(f"unknown partner {partner!r}")
    q = EventQuery.build(partner=p.code, since=since, until=until)
    chron = chronology(store, q, about=p.code)
    pv = an.crosstab(store, "kind", "year", q)
    levels = {r.keys["level"]: r.count for r in an.counts(store, "level", q)}
    today = datetime.now(UTC).date().isoformat()
    groups = [
        (g, mem.role, mem.start)
        for g in reg.groups_of(p.code, today)
        for mem in reg.members(g, today)
        if mem.code == p.code
    ]
    with store.session() as s:
        sig = significance(s, p)
    dated = [c.date for c in chron if c.date]
    return PartnerProfile(
        code=p.code,
        name_en=p.name_en,
        name_ja=p.name_ja,
        kind=p.kind,
        region=p.region,
        aliases=[*p.aliases_ja, *p.aliases_en],
        groups=groups,
        un_member=p.un_member,
        significance=sig,
        agreements=agreement_row(store, p.code, as_of),
        chronology=chron,
        by_kind_year=pv,
        by_level={lv: levels[lv] for lv in ALL_LEVELS if lv in levels},
        total=len(chron),
        first=min(dated) if dated else None,
        last=max(dated) if dated else None,
        since=since,
        until=until,
    )


# --------------------------------------------------------------------------- period overview


@dataclass(frozen=True, slots=True)
class PeriodOverview:
    period: str  # "2024", or "2024-04..2025-03"
    since: str
    until: str
    total: int
    partners: int
    by_kind: dict[str, int]
    by_level: dict[str, int]
    by_region: dict[str, int]
    by_month: dict[str, int]
    by_month_kind: an.Pivot
    top_partners: list[an.PartnerCount]
    top_levels: dict[str, dict[str, int]]  # top partner -> level -> events
    intensity: list[an.IntensitySummary]
    new_agreements: list[ChronologyRow]
    highlights: list[ChronologyRow]  # leader- and minister-level events
    generated: str = field(default_factory=_generated)

    @property
    def title(self) -> str:
        return f"Japan's defense cooperation and exchanges — {self.period} overview"

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "since": self.since,
            "until": self.until,
            "total": self.total,
            "partners": self.partners,
            "by_kind": self.by_kind,
            "by_level": self.by_level,
            "by_region": self.by_region,
            "by_month": self.by_month,
            "by_month_kind": self.by_month_kind.to_dict(),
            "top_partners": [t.to_dict() for t in self.top_partners],
            "top_levels": self.top_levels,
            "intensity": [i.to_dict() for i in self.intensity],
            "new_agreements": [c.to_dict() for c in self.new_agreements],
            "highlights": [c.to_dict() for c in self.highlights],
            "generated": self.generated,
        }


def period_overview(
    store: Store,
    year: str | int | None = None,
    *,
    since: str | None = None,
    until: str | None = None,
    top: int = 10,
) -> PeriodOverview:
    """A year (or ``since``..``until``): totals, new agreements, top partners, highlights."""
    if year is not None:
        since = until = str(year)
    if not since or not until:
        raise QueryError("period: give a year, or both since and until")
    label = since if since == until else f"{since}..{until}"
    q = EventQuery.build(since=since, until=until)
    by_kind = {r.keys["kind"]: r.count for r in an.counts(store, "kind", q)}
    by_level_raw = {r.keys["level"]: r.count for r in an.counts(store, "level", q)}
    by_region = {r.keys["region"]: r.count for r in an.counts(store, "region", q)}
    month_kind = an.counts(store, ("month", "kind"), q)
    by_month: dict[str, int] = {}
    for r in month_kind:
        by_month[r.keys["month"]] = by_month.get(r.keys["month"], 0) + r.count
    partners = {r.keys["partner"] for r in an.counts(store, "partner", q)}
    tops = an.top_partners(store, top, q)
    top_codes = {t.partner for t in tops}
    top_levels: dict[str, dict[str, int]] = {}
    for r in an.counts(store, ("partner", "level"), q):
        if r.keys["partner"] in top_codes:
            top_levels.setdefault(r.keys["partner"], {})[r.keys["level"]] = r.count
    return PeriodOverview(
        period=label,
        since=since,
        until=until,
        total=sum(by_kind.values()),
        partners=len(partners),
        by_kind=dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_level={lv: by_level_raw[lv] for lv in ALL_LEVELS if lv in by_level_raw},
        by_region=dict(sorted(by_region.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_month=dict(sorted(by_month.items())),
        by_month_kind=an.pivot(month_kind, "month", "kind"),
        top_partners=tops,
        top_levels=top_levels,
        intensity=an.intensity_summary(store, q),
        new_agreements=chronology(store, q.replace(kind=("agreement",))),
        highlights=chronology(store, q.replace(level=("leaders", "ministers"))),
    )
