"""Event search, facets and detail: SQL over indexed columns, same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from defcoop.query import frameworks as fw
from defcoop.query import tallies
from defcoop.query.levels import (
    ALL_LEVELS,
    LEVELS,
    ROLE_CODES,
    UNSPECIFIED,
    level_of,
    normalize_level,
    normalize_service,
    roles_of_levels,
    roles_of_services,
    service_of,
)
from defcoop.query.model import (
    DEFAULT_STATES,
    MAX_LIMIT,
    SORT_KEYS,
    EventDetail,
    EventQuery,
    EventRow,
    EvidenceView,
    Facets,
    Page,
    ParticipantView,
    QueryError,
    date_bound,
)
from defcoop.query.partners import PartnerDirectory
from defcoop.records import EVENT_KINDS
from defcoop.store import Store, search
from defcoop.store import models as m
from defcoop.store.models.base import CURATION_STATES

KINDS = EVENT_KINDS

E = m.Event
EP = m.EventPartner

#: SQL expression of an event's year ("YYYY"), from the indexed ISO ``date`` column.
YEAR = func.substr(E.date, 1, 4)

_ROW_COLUMNS = (
    E.id,
    E.doc_key,
    E.line,
    E.kind,
    E.date,
    E.end,
    E.precision,
    E.jp_role,
    E.jp_name,
    E.modality,
    E.location,
    E.occasion,
    E.agreement_type,
    E.agreement_status,
    E.agreement_name,
    E.count,
    E.quote,
    E.state,
    E.orphaned,
    E.merged_into_id,
)


# --------------------------------------------------------------------------- filters


def _since_floor(session: Session, since: str) -> dt.date:
    """No event that ends on or after ``since`` starts before this day (from the tallies:
    the longest period stored, in whole years)."""
    year = date_bound("since", since, 0).year - tallies.longest_span_years(session)
    return dt.date(max(1, year), 1, 1)


def _in_partners(codes: Sequence[str], walk: bool = False) -> ColumnElement[bool]:
    """Events naming one of ``codes``. ``walk=True`` writes it as a correlated EXISTS, which
    lets the database walk the date index and stop at the page's last row (right when
    the partner is in many events); the IN form starts from the partner's events (right
    when they are few). Same rows either way."""
    if walk:
        return (
            select(EP.event_id)
            .where(EP.event_id == E.id, EP.partner_code.in_(list(codes)))
            .correlate(E)
            .exists()
        )
    return E.id.in_(select(EP.event_id).where(EP.partner_code.in_(list(codes))))


def _level_condition(levels: Sequence[str]) -> ColumnElement[bool]:
    codes, include_null = roles_of_levels(levels)
    parts: list[ColumnElement[bool]] = []
    if codes:
        parts.append(E.jp_role.in_(codes))
    if include_null:
        parts.append(E.jp_role.is_(None))
        parts.append(E.jp_role.not_in(list(ROLE_CODES)))
    return or_(*parts) if parts else false()


def _group_condition(
    session: Session, d: PartnerDirectory, groups: Sequence[str]
) -> ColumnElement[bool]:
    """The event names the group, or a partner that was a full member on the event's date."""
    alts: list[ColumnElement[bool]] = []
    for g in groups:
        code = d.group_code(g)
        alts.append(EP.partner_code == code)
        for span in d.group_members(g, session):
            cond: list[ColumnElement[bool]] = [EP.partner_code == span.code]
            if span.start is not None:
                cond.append(E.date_to >= span.start)
            else:
                cond.append(E.date_to.is_not(None))
            if span.end is not None:
                cond.append(E.date_from < span.end)
            alts.append(and_(*cond))
    return select(EP.event_id).where(EP.event_id == E.id, or_(*alts)).exists()


def _text_condition(
    session: Session, d: PartnerDirectory, text: str, walk: bool = False
) -> ColumnElement[bool] | None:
    """Every word must occur in the source paragraph of some evidence, or name a partner.
    ``walk``: per-event EXISTS form, as for partners (see ``_in_partners``)."""
    dialect = session.get_bind().dialect.name
    conds: list[ColumnElement[bool]] = []
    for term in text.split():
        seg_ids = search.segment_ids(dialect, [term])
        ev = m.Evidence
        in_text: ColumnElement[bool]
        if walk:
            in_text = (
                select(ev.event_id)
                .where(ev.event_id == E.id, ev.segment_id.in_(seg_ids))
                .correlate(E)
                .exists()
            )
        else:
            in_text = E.id.in_(select(ev.event_id).where(ev.segment_id.in_(seg_ids)))
        codes = d.matching(term)
        conds.append(or_(in_text, _in_partners(codes, walk)) if codes else in_text)
    return and_(*conds) if conds else None


def compile_filters(
    session: Session, q: EventQuery, d: PartnerDirectory | None = None, *, walk: bool = False
) -> list[ColumnElement[bool]]:
    """SQL conditions on ``events`` for every filter of ``q`` (QueryError on a bad value);
    ``walk`` chooses the form of partner and text filters (see ``_in_partners``)."""
    d = d or PartnerDirectory.load(session)
    conds: list[ColumnElement[bool]] = []
    states = q.state or DEFAULT_STATES
    bad = [s for s in states if s not in CURATION_STATES and s != "all"]
    if bad:
        raise QueryError(
            f"unknown curation state {bad[0]!r} (states: {', '.join(CURATION_STATES)})"
        )
    if "all" not in states:
        conds.append(E.state.in_(list(states)))
    if not q.include_merged:
        conds.append(E.merged_into_id.is_(None))
    if q.partner:
        conds.append(_in_partners([d.resolve(p) for p in q.partner], walk))
    if q.region:
        codes = sorted({c for r in q.region for c in d.region_codes(r)})
        conds.append(_in_partners(codes, walk))
    if q.group:
        conds.append(_group_condition(session, d, q.group))
    if q.kind:
        bad = [k for k in q.kind if k not in KINDS]
        if bad:
            raise QueryError(f"unknown kind {bad[0]!r} (kinds: {', '.join(KINDS)})")
        conds.append(E.kind.in_(list(q.kind)))
    if q.level:
        try:
            levels = [normalize_level(v) for v in q.level]
        except ValueError as err:
            raise QueryError(str(err)) from err
        conds.append(_level_condition(levels))
    if q.service:
        try:
            services = [normalize_service(v) for v in q.service]
        except ValueError as err:
            raise QueryError(str(err)) from err
        conds.append(E.jp_role.in_(roles_of_services(services)))
    if q.role:
        conds.append(E.jp_role.in_([r.upper() for r in q.role]))
    if q.since:
        conds.append(E.date_to >= date_bound("since", q.since, 0))
        # Redundant but closes the range on date_from (an index can then bound it on both
        # sides): no event's period is longer than the longest one stored.
        conds.append(E.date_from >= _since_floor(session, q.since))
    if q.until:
        conds.append(E.date_from <= date_bound("until", q.until, 1))
    if q.doc:
        conds.append(E.doc_key.in_(list(q.doc)))
    if q.text and q.text.strip():
        tc = _text_condition(session, d, q.text, walk)
        if tc is not None:
            conds.append(tc)
    if q.framework or q.pillar is not None or q.initiative:
        fid = fw.framework_id(q.framework)
        if fw.has_stored_links(session, fid):
            conds.append(fw.stored_condition(fid, q.pillar, q.initiative))
        else:
            ids = fw.computed_ids(session, conds, fid, q.pillar, q.initiative)
            conds.append(E.id.in_(ids) if ids else false())
    return conds


def _order_by(sort: str) -> list[Any]:
    key = sort.strip() or "date"
    desc = key.startswith("-")
    key = key.lstrip("-+")
    if key not in SORT_KEYS:
        raise QueryError(
            f"unknown sort {sort!r} (sort keys: {', '.join(SORT_KEYS)}, '-' for descending)"
        )

    def d(col: Any) -> Any:
        return col.desc() if desc else col.asc()

    by: dict[str, list[Any]] = {
        # NULLS LAST on both backends: undated events come after the dated ones.
        "date": [d(E.date_from).nulls_last(), d(E.doc_key), d(E.line)],
        "kind": [d(E.kind), E.date_from.asc().nulls_last()],
        "state": [d(E.state), E.date_from.asc().nulls_last()],
        "doc": [d(E.doc_key), d(E.line)],
        "updated": [d(E.updated_at)],
        "id": [],
    }
    return [*by[key], d(E.id) if key == "id" else E.id]


# --------------------------------------------------------------------------- rows


def _partners_by_event(session: Session, ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        rows = session.execute(
            select(EP.event_id, EP.partner_code)
            .where(EP.event_id.in_(chunk))
            .order_by(EP.event_id, EP.partner_code)
        )
        for eid, code in rows:
            out[eid].append(code)
    return out


def _event_row(r: Any, partners: list[str], d: PartnerDirectory) -> EventRow:
    return EventRow(
        id=r.id,
        doc_key=r.doc_key,
        line=r.line,
        kind=r.kind,
        date=r.date,
        end=r.end,
        precision=r.precision,
        partners=tuple(partners),
        partner_names=tuple(d.name(c) for c in partners),
        jp_role=r.jp_role,
        jp_name=r.jp_name,
        level=level_of(r.jp_role),
        service=service_of(r.jp_role),
        modality=r.modality,
        location=r.location,
        occasion=r.occasion,
        agreement_type=r.agreement_type,
        agreement_status=r.agreement_status,
        agreement_name=r.agreement_name,
        count=r.count,
        quote=r.quote or "",
        state=r.state,
        orphaned=bool(r.orphaned),
        merged_into_id=r.merged_into_id,
    )


def rows_for(session: Session, stmt: Any, d: PartnerDirectory) -> list[EventRow]:
    """``EventRow``s for a statement selecting ``_ROW_COLUMNS`` (partners fetched in bulk)."""
    rows = session.execute(stmt).all()
    partners = _partners_by_event(session, [r.id for r in rows])
    return [_event_row(r, partners.get(r.id, []), d) for r in rows]


#: Totals above this are counted no further ("10,000+") when no tally covers the query;
#: with words to search for, above ``TEXT_TOTAL_BOUND``.
TOTAL_BOUND = 10_000
TEXT_TOTAL_BOUND = 1_000
#: Full-text hits counted to estimate how many events a word is in.
TEXT_HITS_BOUND = 100_000


def _count(session: Session, stmt: Any, cap: int) -> int:
    """``min(rows of stmt, cap)``: at most ``cap`` rows visited, whatever the store size."""
    inner = stmt.limit(cap).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def _bounded_count(session: Session, conds: list[ColumnElement[bool]], cap: int) -> int:
    return _count(session, select(E.id).where(*conds), cap)


#: The indexes a date-sorted page walks (named by the naming convention).
DATE_INDEX = "ix_events_date_from_date_to"
KIND_DATE_INDEX = "ix_events_kind_date_from"
PARTNER_DATE_INDEX = "ix_event_partners_partner_code_date_from"


def _text_events_estimate(session: Session, q: EventQuery) -> int:
    """About how many events the full-text hits of the query's first word hold: its
    hits (counted up to a bound) × events per paragraph in the store."""
    assert q.text is not None
    hits = search.segment_ids(session.get_bind().dialect.name, q.text.split()[:1])
    n = _count(session, hits, TEXT_HITS_BOUND)
    paragraphs = session.scalar(select(func.max(m.Segment.id))) or 1
    return int(n * tallies.event_count(session) / paragraphs)


def _walk_date_index(
    session: Session, q: EventQuery, d: PartnerDirectory, total: int, texts: int | None = None
) -> bool:
    """Walk the date index in page order and stop after the page (True), or start from
    the rows the filters select and sort them (False)? Estimated from the tallies: the
    walk reads about ``rows in the date range × rows needed / matches``, the other way
    reads the partner's events, or the text hits' events (``texts``), or the matches."""
    assert q.limit is not None
    lo = hi = None
    if q.since:
        lo = _since_floor(session, q.since).year
    if q.until:
        hi = date_bound("until", q.until, 1).year
    in_range = tallies.range_count(session, (), lo, hi)
    needed = q.page * q.limit
    walked = in_range if total == 0 else min(in_range, needed * in_range / total)
    codes = [d.resolve(p) for p in q.partner]
    codes += [c for r in q.region for c in d.region_codes(r)]
    if texts is not None:
        total = max(total, min(texts, in_range))
        walked = in_range if total == 0 else min(in_range, needed * in_range / total)
    started = tallies.range_count(session, codes) if codes else total
    if texts is not None:
        started = min(started, texts) if codes else texts
    return walked <= started


def _text_count(session: Session, q: EventQuery, d: PartnerDirectory, cap: int) -> int | None:
    """``min(matches, cap)`` for a query with words, read from the full-text hits of its
    first word (each hit's events checked against every filter) instead of collecting
    every hit's events first. None when a word also names a partner (events naming it
    match without the word in their text, so the hits do not hold them all)."""
    assert q.text is not None
    terms = q.text.split()
    if any(d.matching(t) for t in terms):
        return None
    hits = search.segment_ids(session.get_bind().dialect.name, terms[:1])
    conds = compile_filters(session, q.replace(text=" ".join(terms[1:]) or None), d, walk=True)
    ev = m.Evidence
    stmt = (
        select(ev.event_id)
        .join(E, E.id == ev.event_id)
        .where(ev.segment_id.in_(hits), *conds)
        .distinct()
    )
    return _count(session, stmt, cap)


def _date_sorted_page(
    session: Session,
    conds: list[ColumnElement[bool]],
    q: EventQuery,
    index: str | None = None,
    partner: str | None = None,
) -> list[Any]:
    """A page sorted by date, dated events first: the dated part is ordered by a
    ``date_from`` index alone (an index can serve ``ASC`` or ``DESC`` but not the
    backend-specific NULLS placement), the undated part follows.

    ``partner`` (the query's one partner, ``conds`` without it): read that partner's
    timeline, ``event_partners(partner_code, date_from)``, so the rows read are about the
    page's rows divided by the share of the partner's events that match. ``index``: make
    SQLite walk that date-ordered index of events (its planner prefers any index on a
    filter column, then sorts every match)."""
    assert q.limit is not None
    desc = q.sort.strip().startswith("-")

    def d(col: Any) -> Any:
        return col.desc() if desc else col.asc()

    date: Any = E.date_from
    base = select(*_ROW_COLUMNS)
    if partner is not None:
        date = EP.date_from
        base = base.select_from(EP).join(E, E.id == EP.event_id)
        conds = [EP.partner_code == partner, *conds]
    offset = (q.page - 1) * q.limit
    stmt = (
        base.where(*conds, date.is_not(None))
        .order_by(d(date), d(E.doc_key), d(E.line), E.id)
        .limit(q.limit)
        .offset(offset)
    )
    if partner is not None:
        stmt = stmt.with_hint(EP, f"INDEXED BY {PARTNER_DATE_INDEX}", "sqlite")
    elif index:
        stmt = stmt.with_hint(E, f"INDEXED BY {index}", "sqlite")
    dated = session.execute(stmt).all()
    if len(dated) == q.limit:
        return list(dated)
    # Past the last dated event: how many there are (at most ``offset`` rows counted).
    if dated:
        n_dated = offset + len(dated)
    else:
        n_dated = _count(session, base.where(*conds, date.is_not(None)), offset + 1)
    start = max(0, offset - n_dated)
    undated = session.execute(
        base.where(*conds, date.is_(None))
        .order_by(d(E.doc_key), d(E.line), E.id)
        .limit(q.limit - len(dated))
        .offset(start)
    ).all()
    return [*dated, *undated]


def _search(session: Session, q: EventQuery) -> Page[EventRow]:
    """One page and its total. The total comes from the tallies when they cover the
    filters (exact), else from a count bounded at ``TOTAL_BOUND`` rows (``total_exact``
    False above it); the partner filter's form is chosen from it (see ``_in_partners``)."""
    if q.page < 1:
        raise QueryError("page: must be 1 or more")
    if q.limit is not None and not 0 < q.limit <= MAX_LIMIT:
        raise QueryError(f"limit: must be between 1 and {MAX_LIMIT} (or None for every row)")
    d = PartnerDirectory.load(session)
    conds = compile_filters(session, q, d)
    order = _order_by(q.sort)
    if q.limit is None:  # every row: the total is the number of rows
        stmt = select(*_ROW_COLUMNS).where(*conds).order_by(*order)
        items = rows_for(session, stmt, d)
        return Page(items=items, total=len(items), page=1, limit=None, query=q)
    plan = tallies.plan(q, d)
    if plan is not None:
        total, exact = tallies.total(session, plan), True
    else:
        text = bool(q.text and q.text.strip())
        cap = max(TEXT_TOTAL_BOUND if text else TOTAL_BOUND, q.page * q.limit) + 1
        counted = _text_count(session, q, d, cap) if text else None
        total = _bounded_count(session, conds, cap) if counted is None else counted
        exact = total < cap
        if not exact:  # more than cap - 1 match
            total = cap - 1
    key = q.sort.strip().lstrip("+-") or "date"
    codes = {d.resolve(p) for p in q.partner}
    # Events the words' full-text hits hold (an estimate): collected up front by the IN
    # form of the text filter, so the per-event EXISTS form is better when they are many.
    texts = _text_events_estimate(session, q) if q.text and q.text.strip() else None
    if key == "date" and len(codes) == 1 and not q.region:
        code = next(iter(codes))
        walk_text = texts is not None and texts > tallies.range_count(session, [code])
        # The events' own date_from bound stays out: PostgreSQL would read it as a second
        # selective filter and hash-join both sides instead of walking the timeline.
        others = compile_filters(session, q.replace(partner=(), since=None), d, walk=walk_text)
        if q.since:  # the partner timeline's range, closed like the events' one
            others.append(E.date_to >= date_bound("since", q.since, 0))
            others.append(EP.date_from >= _since_floor(session, q.since))
        if q.until:
            others.append(EP.date_from <= date_bound("until", q.until, 1))
        rows = _date_sorted_page(session, others, q, partner=code)
    elif key == "date":
        walk = _walk_date_index(session, q, d, total, texts)
        index = None
        if walk:
            conds = compile_filters(session, q, d, walk=True)
            # One kind: (kind, date_from) is in date order too, and holds only that kind.
            index = KIND_DATE_INDEX if len(set(q.kind)) == 1 else DATE_INDEX
        rows = _date_sorted_page(session, conds, q, index)
    else:
        stmt = select(*_ROW_COLUMNS).where(*conds).order_by(*order)
        rows = list(session.execute(stmt.limit(q.limit).offset((q.page - 1) * q.limit)).all())
    partners = _partners_by_event(session, [r.id for r in rows])
    items = [_event_row(r, partners.get(r.id, []), d) for r in rows]
    return Page(
        items=items, total=int(total), page=q.page, limit=q.limit, query=q, total_exact=exact
    )


def search_events(store: Store, q: EventQuery | None = None, **filters: Any) -> Page[EventRow]:
    """One page of events matching ``q`` (or ``EventQuery.build(**filters)``), sorted."""
    query = q if q is not None else EventQuery.build(**filters)
    with store.session() as s, tallies.one_query(s):
        return _search(s, query)


def iter_events(store: Store, q: EventQuery | None = None) -> list[EventRow]:
    """Every event matching ``q`` (unpaged), for exports, reports and analytics."""
    query = (q or EventQuery()).unpaged()
    with store.session() as s:
        return _search(s, query).items


def _sentence(text: str, seg_start: int, sentences: list[Any], start: int, end: int) -> str:
    for span in sentences or []:
        a, b = int(span[0]), int(span[1])
        if a <= start < max(b, a + 1):
            return text[a - seg_start : max(b, end) - seg_start].strip()
    return text.strip()


def _source_sentences(session: Session, ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        rows = session.execute(
            select(
                m.Evidence.event_id,
                m.Evidence.start,
                m.Evidence.end,
                m.Evidence.quote,
                m.Segment.start,
                m.Segment.text,
                m.Segment.sentences,
            )
            .join(m.Document, m.Document.id == m.Evidence.document_id)
            .outerjoin(m.Segment, m.Segment.id == m.Evidence.segment_id)
            .where(m.Evidence.event_id.in_(chunk))
            .order_by(m.Evidence.event_id, m.Document.is_current.desc(), m.Evidence.start)
        )
        for eid, start, end, quote, seg_start, seg_text, sentences in rows:
            if eid in out:
                continue
            if seg_text is None:
                out[eid] = quote or ""
            else:
                out[eid] = _sentence(seg_text, seg_start, sentences, start, end)
    return out


def source_sentences(store: Store, ids: Sequence[str]) -> dict[str, str]:
    """event id -> the sentence of its first evidence span (current documents first)."""
    with store.session() as s:
        return _source_sentences(s, ids)


# --------------------------------------------------------------------------- facets


def level_case() -> Any:
    """SQL CASE mapping ``jp_role`` to its level name (``unspecified`` otherwise)."""
    return case(
        *[(E.jp_role.in_(codes), level) for level, codes in LEVELS.items()],
        else_=UNSPECIFIED,
    )


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _facets(session: Session, q: EventQuery) -> Facets:
    """From the tallies when they cover the filters, else by grouping the matching events."""
    d = PartnerDirectory.load(session)
    conds = compile_filters(session, q.unpaged(), d)
    plan = tallies.plan(q, d)
    if plan is not None:
        return tallies.facets(session, plan)
    return exact_facets(session, conds)


def exact_facets(session: Session, conds: list[ColumnElement[bool]]) -> Facets:
    """Two grouped queries over the events matching ``conds``: (kind, state, jp_role, year)
    in one pass, folded into four facets over its groups, and partners in another."""
    grouped = session.execute(
        select(E.kind, E.state, E.jp_role, YEAR, func.count())
        .where(*conds)
        .group_by(E.kind, E.state, E.jp_role, YEAR)
    ).all()
    kind: dict[str, int] = defaultdict(int)
    state: dict[str, int] = defaultdict(int)
    level: dict[str, int] = defaultdict(int)
    year: dict[str, int] = defaultdict(int)
    for k, st, role, y, n in grouped:
        kind[k] += n
        state[st] += n
        level[level_of(role)] += n
        year[y or "undated"] += n
    partner = {
        code: int(n)
        for code, n in session.execute(
            select(EP.partner_code, func.count())
            .join(E, E.id == EP.event_id)
            .where(*conds)
            .group_by(EP.partner_code)
        )
    }
    return Facets(
        total=sum(kind.values()),
        kind=_sorted(kind),
        partner=_sorted(partner),
        year=dict(sorted(year.items())),
        level={lv: level[lv] for lv in ALL_LEVELS if lv in level},
        state=_sorted(state),
    )


def facets(store: Store, q: EventQuery | None = None, **filters: Any) -> Facets:
    """Counts of the events matching ``q`` by kind, partner, year, level and state."""
    query = q if q is not None else EventQuery.build(**filters)
    with store.session() as s:
        return _facets(s, query)


# --------------------------------------------------------------------------- detail


def _get(session: Session, event_id: str) -> EventDetail | None:
    d = PartnerDirectory.load(session)
    row = session.execute(select(*_ROW_COLUMNS).where(E.id == event_id)).first()
    if row is None:
        return None
    ev = session.get(m.Event, event_id)
    assert ev is not None
    partners = _partners_by_event(session, [event_id]).get(event_id, [])
    event = _event_row(row, partners, d)
    participants = [
        ParticipantView(
            id=p.id,
            ordinal=p.ordinal,
            side=p.side,
            partner_code=p.partner_code,
            role_code=p.role_code,
            title=p.title,
            name=p.name,
            former=bool(p.former),
            person_id=p.person_id,
            state=p.state,
        )
        for p in session.scalars(
            select(m.Participant)
            .where(m.Participant.event_id == event_id)
            .order_by(m.Participant.ordinal)
        )
    ]
    ev_rows = session.execute(
        select(m.Evidence, m.Document.doc_key, m.Document.version, m.Document.is_current, m.Segment)
        .join(m.Document, m.Document.id == m.Evidence.document_id)
        .outerjoin(m.Segment, m.Segment.id == m.Evidence.segment_id)
        .where(m.Evidence.event_id == event_id)
        .order_by(m.Document.is_current.desc(), m.Document.doc_key, m.Evidence.start)
    ).all()
    evidence = [
        EvidenceView(
            id=e.id,
            doc_key=key,
            document_id=e.document_id,
            version=version,
            is_current=bool(current),
            line=e.line,
            page=e.page,
            start=e.start,
            end=e.end,
            quote=e.quote,
            rules=dict(e.rules or {}),
            origin=e.origin,
            segment_id=e.segment_id,
            segment_kind=seg.kind if seg is not None else None,
            section_path=list(seg.section_path or []) if seg is not None else [],
            paragraph=seg.text if seg is not None else None,
            paragraph_start=seg.start if seg is not None else None,
        )
        for e, key, version, current, seg in ev_rows
    ]
    links = fw.links_of(
        session,
        {
            "id": event.id,
            "kind": event.kind,
            "date": event.date,
            "quote": event.quote,
            "occasion": event.occasion,
            "partners": list(event.partners),
        },
    )
    merged_from = list(
        session.scalars(select(E.id).where(E.merged_into_id == event_id).order_by(E.id))
    )
    return EventDetail(
        event=event,
        participants=participants,
        evidence=evidence,
        links=links,
        provenance=dict(ev.provenance or {}),
        axes=dict(ev.axes or {}),
        merged_from=merged_from,
        version=ev.version,
        created_at=ev.created_at,
        updated_at=ev.updated_at,
    )


def get_event(store: Store, event_id: str) -> EventDetail | None:
    """The event with its participants, evidence spans and source paragraphs, and its
    framework links; None when no event has that id."""
    with store.session() as s:
        return _get(s, event_id)


__all__ = [
    "KINDS",
    "YEAR",
    "compile_filters",
    "facets",
    "get_event",
    "iter_events",
    "level_case",
    "rows_for",
    "search_events",
    "source_sentences",
]
