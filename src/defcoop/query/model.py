"""The query layer's plain records: the filters (``EventQuery``) and what comes back.

Everything here is a frozen, picklable dataclass with ``to_dict()`` giving JSON-ready
values; no ORM object ever leaves the query layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from defcoop.errors import DefcoopError
from defcoop.store.dates import bounds

T = TypeVar("T")

#: Sort keys of ``EventQuery.sort`` (prefix ``-`` for descending).
SORT_KEYS = ("date", "kind", "state", "doc", "updated", "id")
DEFAULT_LIMIT = 50
MAX_LIMIT = 10_000
#: Curation states shown when ``EventQuery.state`` is empty: everything but rejected.
DEFAULT_STATES = ("automatic", "verified", "corrected", "manual")


class QueryError(DefcoopError, ValueError):
    """A filter value the query layer cannot use (unknown partner, bad date, ...)."""


def date_bound(name: str, value: str, which: int) -> date:
    """First (``which=0``) or last (``1``) day ``value`` (YYYY, YYYY-MM, YYYY-MM-DD) can
    mean, for the filter ``name``; QueryError when it is not such a date."""
    b = bounds(value.strip())[which]
    if b is None:
        raise QueryError(f"{name}: not a date YYYY, YYYY-MM or YYYY-MM-DD: {value!r}")
    return b


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _tuple(value: Any) -> tuple[str, ...]:
    """``"a,b"`` / ``["a", "b,c"]`` / None -> ``("a", "b", "c")`` (empty items dropped)."""
    if value is None:
        return ()
    items: Iterable[Any] = [value] if isinstance(value, str | int) else value
    out: list[str] = []
    for item in items:
        out.extend(p.strip() for p in str(item).split(",") if p.strip())
    return tuple(out)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Filters, sort and page of an event query. Filters of different names are ANDed;
    the values of one multi-valued filter are ORed. Empty means "no filter".

    * ``partner`` — ISO code (``PHL``), Japanese (``フィリピン``) or English name
      (``Philippines``), resolved with the partner registry; events naming it.
    * ``region`` — registry region (``southeast_asia``...); events with a partner there.
    * ``group`` — ``ASEAN``, ``NATO``, ``QUAD``...: events with the group itself or a
      partner that was a member (or observer) of it on the event's date.
    * ``kind`` — event kinds of the guidelines (``meeting``, ``exercise``...).
    * ``level`` / ``service`` — see :mod:`defcoop.query.levels`; ``role`` — raw jp_role codes.
    * ``since`` / ``until`` — ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; an event matches
      when the period its date can mean overlaps ``[since, until]`` (undated events never).
    * ``framework`` / ``pillar`` / ``initiative`` — achievements of a framework (default
      JASMINE when only a pillar or initiative is given): links stored in
      ``event_framework_links``, else computed with :mod:`defcoop.frameworks.links`.
    * ``state`` — curation states; default every state but ``rejected``.
    * ``text`` — words that must all occur (Japanese or English partner names): in the
      source paragraph of the event's evidence (trigram full-text index), or naming a partner.
    * ``doc`` — document keys.
    * ``sort`` — one of ``SORT_KEYS``, ``-`` prefix for descending (default ``date``).
    * ``page`` (1-based) and ``limit`` (None: no limit).
    """

    partner: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    framework: str | None = None
    pillar: int | None = None
    initiative: str | None = None
    state: tuple[str, ...] = ()
    text: str | None = None
    doc: tuple[str, ...] = ()
    include_merged: bool = False
    sort: str = "date"
    page: int = 1
    limit: int | None = DEFAULT_LIMIT

    _MULTI = (
        "partner",
        "region",
        "group",
        "kind",
        "level",
        "service",
        "role",
        "state",
        "doc",
    )

    @classmethod
    def build(cls, **filters: Any) -> EventQuery:
        """An ``EventQuery`` from loose values: strings, comma lists or lists; ``q`` is ``text``.

        Unknown filter names raise ``QueryError`` (so a typo never silently widens a query).
        """
        names = {f.name for f in fields(cls)}
        if "q" in filters:
            filters["text"] = filters.pop("q")
        unknown = sorted(set(filters) - names)
        if unknown:
            raise QueryError(f"unknown filter(s): {', '.join(unknown)}")
        kw: dict[str, Any] = {}
        for name, value in filters.items():
            if name == "limit" and value is None:
                kw["limit"] = None  # explicit None: every row
                continue
            if value is None or value == "" or value == ():
                continue
            if name in cls._MULTI:
                kw[name] = _tuple(value)
            elif name in ("page", "pillar"):
                kw[name] = _int(name, value)
            elif name == "limit":
                kw[name] = None if str(value).lower() in ("0", "none", "all") else _int(name, value)
            elif name == "include_merged":
                kw[name] = (
                    value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
                )
            else:
                kw[name] = str(value).strip()
        return cls(**kw)

    @classmethod
    def from_mapping(cls, params: Mapping[str, Any]) -> EventQuery:
        """From web query parameters (a dict or a multi-dict with ``getlist``)."""
        out: dict[str, Any] = {}
        getlist = getattr(params, "getlist", None)
        for key in params:
            out[key] = getlist(key) if getlist is not None else params[key]
            if isinstance(out[key], list) and key not in cls._MULTI and out[key]:
                out[key] = out[key][-1]
        return cls.build(**out)

    def replace(self, **changes: Any) -> EventQuery:
        return replace(self, **changes)

    def unpaged(self) -> EventQuery:
        """The same filters, every row (for exports, reports and analytics)."""
        return replace(self, page=1, limit=None)

    def to_dict(self) -> dict[str, Any]:
        """Only the filters that are set (plus sort, page and limit)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name in ("sort", "page", "limit") or v not in ((), None, False):
                out[f.name] = list(v) if isinstance(v, tuple) else v
        return out


def _int(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise QueryError(f"{name}: not a whole number: {value!r}") from err


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event as listed: the facts, codes and curation state (no evidence)."""

    id: str
    doc_key: str | None
    line: int | None
    kind: str
    date: str | None
    end: str | None
    precision: str
    partners: tuple[str, ...]
    partner_names: tuple[str, ...]  # English names, aligned with ``partners``
    jp_role: str | None
    jp_name: str | None
    level: str
    service: str | None
    modality: str | None
    location: str | None
    occasion: str | None
    agreement_type: str | None
    agreement_status: str | None
    agreement_name: str | None
    count: int | None
    quote: str
    state: str
    orphaned: bool
    merged_into_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(_jsonable(asdict(self)))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results and the total number of matching rows."""

    items: list[T]
    total: int
    page: int
    limit: int | None
    query: EventQuery = field(default_factory=EventQuery)
    #: False when the count stopped at its bound: more than ``total`` rows match.
    total_exact: bool = True

    @property
    def pages(self) -> int:
        """Number of pages (at least; one more exists when ``total_exact`` is False)."""
        if not self.limit:
            return 1
        return max(1, -(-self.total // self.limit))

    @property
    def total_label(self) -> str:
        """``"1,234"``, or ``"10,000+"`` (more than that) when the count stopped at its bound."""
        return f"{self.total:,}" + ("" if self.total_exact else "+")

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or not self.total_exact

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "total_exact": self.total_exact,
            "page": self.page,
            "pages": self.pages,
            "limit": self.limit,
            "query": self.query.to_dict(),
            "items": [i.to_dict() if hasattr(i, "to_dict") else i for i in self.items],
        }


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts of the matching events by kind, partner, year, level and curation state.

    ``year`` keys are ``YYYY`` or ``undated``; ``level`` keys are the levels of
    :mod:`defcoop.query.levels`. An event with several partners counts once per partner.
    """

    total: int
    kind: dict[str, int]
    partner: dict[str, int]
    year: dict[str, int]
    level: dict[str, int]
    state: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ParticipantView:
    id: str
    ordinal: int
    side: str
    partner_code: str | None
    role_code: str | None
    title: str | None
    name: str | None
    former: bool
    person_id: str | None
    state: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """A source span of the event and the paragraph (segment) it sits in."""

    id: str
    doc_key: str
    document_id: str
    version: int
    is_current: bool
    line: int
    page: int | None
    start: int
    end: int
    quote: str
    rules: dict[str, Any]
    origin: str
    segment_id: int | None
    segment_kind: str | None
    section_path: list[str]
    paragraph: str | None  # the source paragraph's text
    paragraph_start: int | None  # offset of the paragraph in the document

    @property
    def quote_in_paragraph(self) -> tuple[int, int] | None:
        """``(start, end)`` of the quote inside ``paragraph``, when it lies there."""
        if self.paragraph is None or self.paragraph_start is None:
            return None
        a, b = self.start - self.paragraph_start, self.end - self.paragraph_start
        if 0 <= a <= b <= len(self.paragraph):
            return a, b
        return None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["quote_in_paragraph"] = self.quote_in_paragraph
        return d


@dataclass(frozen=True, slots=True)
class LinkView:
    """The event counts as an achievement of ``framework`` (pillar / initiative), and why."""

    framework: str
    pillar: int | None
    initiative: str | None
    rule: str | None
    reason: str | None
    stored: bool  # from event_framework_links (else computed by defcoop.frameworks.links)
    state: str = "automatic"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EventDetail:
    """One event with everything that supports it."""

    event: EventRow
    participants: list[ParticipantView]
    evidence: list[EvidenceView]
    links: list[LinkView]
    provenance: dict[str, Any]
    axes: dict[str, Any]
    merged_from: list[str]
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event.to_dict(),
            "participants": [p.to_dict() for p in self.participants],
            "evidence": [e.to_dict() for e in self.evidence],
            "links": [lk.to_dict() for lk in self.links],
            "provenance": _jsonable(self.provenance),
            "axes": _jsonable(self.axes),
            "merged_from": list(self.merged_from),
            "version": self.version,
            "created_at": _jsonable(self.created_at),
            "updated_at": _jsonable(self.updated_at),
        }
