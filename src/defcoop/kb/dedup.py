"""Cross-document deduplication: one event, many reports.

The same exchange is often told twice: in the body and again in a caption, or in two
documents (one with the day, one with the month). Deduplication keeps every report
(an ``events`` row with its evidence) and points the duplicates at one *primary*
event through ``merged_into_id``, with ``merge_reason`` saying why. Counting events
means counting non-rejected rows whose ``merged_into_id`` is null; the evidence bundle
of an event is its own evidence plus that of the reports merged into it.

Two reports are *compatible* when nothing tells them apart:

* same kind (and, for agreements, the same type and status);
* compatible dates: one period contains the other (a month contains its days, a day
  only itself); unresolved dates never match;
* the same partner set (a caption may name fewer partners than the body);
* principals that agree: the same ``jp_role`` and ``jp_name`` where both are known;
* no conflicting detail: two known locations that are different places, two known
  modalities, two known counts, counterparts named on both sides with no one in
  common, named meetings on both sides with no name in common (日ASEAN経済大臣会合 /
  日ASEAN国際犯罪閣僚会議), or two ordinals of one named meeting (第7回 / 第8回).

Compatible reports are merged only when something positive says they are one event
(the *rule*, strongest first):

``same_span``          the extractor read the same span twice;
``same_words``         both quote the same words (a sentence repeated in another text);
``caption_of_body``    one is a caption (``footnote_of_body``: a footnote) of the other;
``same_named_event``   both name the same meeting, exercise or occasion;
``same_counterpart``   both name the same foreign counterpart;
``same_day``           both give the same day;
``same_principal``     both name the same Japanese principal;
``same_location``      both name the same place.

A year-precision date matches a finer one only with one of the first six rules.
Clusters are built greedily from the strongest pairs, and a report joins a cluster
only if it is compatible with every member (no chaining through a vague report).
The primary is the curated, body, most precise, most complete, first-read report.

Curators decide over the machine: ``merge``/``unmerge`` in ``defcoop.kb.curation``
pin an event (``provenance["merged_into"]``); pinned events keep the curated value
and are left out of automatic clustering, and the pairs a curator split are never
merged again. Merges are recomputed from scratch on every run, so a correction of a
date or partners re-decides them; rejected events never take part.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from defcoop.kb._bulk import update_event_rows
from defcoop.normalize import normalize
from defcoop.store import Store
from defcoop.store import models as m

RULES = (
    "same_span",
    "same_words",
    "caption_of_body",
    "footnote_of_body",
    "same_named_event",
    "same_counterpart",
    "same_day",
    "same_principal",
    "same_location",
)
_STRENGTH = {r: i for i, r in enumerate(RULES)}
#: Rules strong enough to match a year-only date with a finer one.
STRONG_RULES = frozenset(RULES[:6])
PIN_KEY = "merged_into"
AUTO_PREFIX = "dedup:"
CURATED_PREFIX = "curated:"
SECONDARY_KINDS = {"caption": "caption_of_body", "footnote": "footnote_of_body"}
PRIMARY_KINDS = ("body", "table_row", "heading")
_PREC = {"day": 3, "month": 2, "year": 1}
#: Rows fetched at a time when loading reports.
_STREAM = 5000

_NAMED = re.compile(
    r"(?:第(?P<ord>\d+)回)?"
    r"(?P<name>[A-Za-z0-9+\u30a0-\u30ff\u4e00-\u9fff・]{2,40}?"
    r"(?:会合|会議|サミット|シンポジウム|対話|演習|訓練|総会|フォーラム|セミナー))"
)
_QUOTED = re.compile(r"「([^」]{2,40})」")
#: Quoted names too generic to tell one event from another.
GENERIC_NAMES = frozenset({"2+2", "2+2」", "共同訓練", "親善訓練", "訓練", "演習", "会議", "会合"})


# --------------------------------------------------------------------------- reports


@dataclass(slots=True)
class Report:
    """What deduplication needs to know about one event row."""

    id: str
    doc_key: str | None
    kind: str
    date: str | None
    precision: str
    lo: dt.date | None
    hi: dt.date | None
    partners: frozenset[str]
    jp_role: str | None
    jp_name: str | None
    location: str | None
    occasion: str | None
    modality: str | None
    agreement: tuple[str | None, str | None]
    count: int | None
    quote: str
    state: str
    pin: dict[str, Any] | None
    merged_into: str | None
    merge_reason: str | None
    line: int | None = None
    spans: list[tuple[str, int, int, str | None]] = field(default_factory=list)
    counterparts: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    ordinals: dict[str, int] = field(default_factory=dict)
    block: str = "body"  # block kind of the evidence: body, caption, footnote ...
    place: str | None = None  # normalized location
    words: str = ""  # normalized quote without spaces

    def finish(self, normalized_quote: str | None = None) -> Report:
        """Derive ``block``, ``place`` and ``words`` from the loaded values
        (``normalized_quote``: ``normalize(quote).text`` when the caller has it)."""
        kinds = [k for _d, _s, _e, k in self.spans if k]
        self.block = (
            "body" if any(k in PRIMARY_KINDS for k in kinds) else (kinds[0] if kinds else "body")
        )
        self.place = normalize(self.location).text.strip() if self.location else None
        if normalized_quote is None:
            normalized_quote = normalize(self.quote).text
        self.words = "".join(normalized_quote.split())
        return self

    @property
    def filled(self) -> int:
        return sum(
            v is not None
            for v in (self.jp_role, self.jp_name, self.location, self.occasion, self.modality)
        ) + len(self.counterparts)


def _named(text: str, occasion: str | None) -> tuple[frozenset[str], dict[str, int]]:
    """Named meetings and their ordinals in a quote (``text``: normalized) and occasion."""
    names: set[str] = set()
    ordinals: dict[str, int] = {}
    for mt in _NAMED.finditer(text):
        name = mt["name"]
        if name in GENERIC_NAMES or len(name) < 4:
            continue
        names.add(name)
        if mt["ord"]:
            ordinals[name] = int(mt["ord"])
    for q in _QUOTED.findall(text):
        if q not in GENERIC_NAMES:
            names.add(q)
    if occasion:
        occ = normalize(occasion).text
        if occ not in GENERIC_NAMES and len(occ) >= 4:
            names.add(occ)
    return frozenset(names), ordinals


def _fold_name(n: str) -> str:
    return n.split("(")[0].split("・")[0]


def _shared(sets: dict[frozenset[str], frozenset[str]], items: Iterable[str]) -> frozenset[str]:
    fs = frozenset(items)
    return sets.setdefault(fs, fs)


def load_reports(session: Session) -> list[Report]:
    """Every non-rejected event, with its partners, counterparts and evidence spans.

    Memory is what bounds a large store here: the partners, counterparts and spans are
    read first and handed to each report as it is built from the streamed event rows,
    which carry only the pin of their provenance; equal sets are shared."""
    partners: dict[str, set[str]] = defaultdict(set)
    for eid, code in session.execute(select(m.EventPartner.event_id, m.EventPartner.partner_code)):
        partners[eid].add(code)
    people: dict[str, set[str]] = defaultdict(set)
    pa = m.Participant
    for eid, name in session.execute(
        select(pa.event_id, pa.name).where(
            pa.side == "partner", pa.state != "rejected", pa.name.is_not(None)
        )
    ):
        people[eid].add(_fold_name(name or ""))
    spans: dict[str, list[tuple[str, int, int, str | None]]] = defaultdict(list)
    doc_ids: dict[str, str] = {}
    for eid, doc_id, start, end, kind in session.execute(
        select(
            m.Evidence.event_id, m.Evidence.document_id, m.Evidence.start, m.Evidence.end,
            m.Segment.kind,
        ).outerjoin(m.Segment, m.Segment.id == m.Evidence.segment_id)
    ):  # fmt: skip
        doc_id = doc_ids.setdefault(doc_id, doc_id)  # one string per document, not per span
        spans[eid].append((doc_id, start, end, kind))
    ev = m.Event
    rows = session.execute(
        select(
            ev.id, ev.doc_key, ev.kind, ev.date, ev.precision, ev.date_from, ev.date_to,
            ev.jp_role, ev.jp_name, ev.location, ev.occasion, ev.modality, ev.agreement_type,
            ev.agreement_status, ev.count.label("n_count"), ev.quote, ev.state,
            ev.provenance[PIN_KEY].label("pin"), ev.merged_into_id, ev.merge_reason, ev.line,
        ).where(ev.state != "rejected").execution_options(yield_per=_STREAM)
    )  # fmt: skip
    sets: dict[frozenset[str], frozenset[str]] = {}
    values: dict[Any, Any] = {}  # repeated values (kinds, dates, names ...) kept once
    v = values.setdefault
    reports: list[Report] = []
    for r in rows:
        pin = r.pin
        quote_text = normalize(r.quote or "").text
        names, ordinals = _named(quote_text, r.occasion)
        rep = Report(
            id=r.id,
            doc_key=v(r.doc_key, r.doc_key),
            kind=v(r.kind, r.kind),
            date=v(r.date, r.date),
            precision=v(r.precision, r.precision) or "unresolved",
            lo=v(r.date_from, r.date_from),
            hi=v(r.date_to, r.date_to),
            partners=_shared(sets, partners.pop(r.id, ())),
            jp_role=v(r.jp_role, r.jp_role),
            jp_name=v(r.jp_name, r.jp_name),
            location=v(r.location, r.location),
            occasion=v(r.occasion, r.occasion),
            modality=v(r.modality, r.modality),
            agreement=v(
                (r.agreement_type, r.agreement_status), (r.agreement_type, r.agreement_status)
            ),
            count=r.n_count,
            quote=r.quote or "",
            state=r.state,
            pin=pin if isinstance(pin, dict) else None,
            merged_into=r.merged_into_id,
            merge_reason=r.merge_reason,
            line=r.line,
            spans=sorted(spans.pop(r.id, [])),
            counterparts=_shared(sets, people.pop(r.id, ())),
            names=_shared(sets, names),
            ordinals=ordinals,
        )
        reports.append(rep.finish(quote_text))
    return reports


# --------------------------------------------------------------------------- pairs


def _same_place(a: str, b: str) -> bool:
    """Two normalized place names that name the same place (ナポリ / イタリア・ナポリ)."""
    return a == b or a in b or b in a


def _names_match(a: frozenset[str], b: frozenset[str]) -> bool:
    """Some name of ``a`` equals, contains or is contained in some name of ``b``."""
    return any(x == y or x in y or y in x for x in a for y in b)


def _nested(a: Report, b: Report) -> bool:
    if a.lo is None or a.hi is None or b.lo is None or b.hi is None:
        return False
    return (a.lo <= b.lo and b.hi <= a.hi) or (b.lo <= a.lo and a.hi <= b.hi)


def conflicts(a: Report, b: Report) -> list[str]:
    """What tells ``a`` and ``b`` apart (empty when they are compatible)."""
    why: list[str] = []
    if a.kind != b.kind:
        why.append(f"kind {a.kind} / {b.kind}")
    if a.kind == "agreement" and a.agreement != b.agreement:
        why.append(f"agreement {a.agreement} / {b.agreement}")
    if not _nested(a, b):
        why.append(f"dates {a.date} / {b.date}")
    if a.partners != b.partners:
        sub = a.partners < b.partners or b.partners < a.partners
        if not (sub and a.block != b.block and a.partners and b.partners):
            why.append(f"partners {sorted(a.partners)} / {sorted(b.partners)}")
    for f in ("jp_role", "jp_name", "modality", "count"):
        va, vb = getattr(a, f), getattr(b, f)
        if va is not None and vb is not None and va != vb:
            why.append(f"{f} {va} / {vb}")
    if a.place and b.place and not _same_place(a.place, b.place):
        why.append(f"location {a.location} / {b.location}")
    if a.counterparts and b.counterparts and not a.counterparts & b.counterparts:
        why.append(
            f"counterparts {'/'.join(sorted(a.counterparts))} / {'/'.join(sorted(b.counterparts))}"
        )
    if a.names and b.names and not _names_match(a.names, b.names):
        why.append(f"named {'/'.join(sorted(a.names))} / {'/'.join(sorted(b.names))}")
    for name in set(a.ordinals) & set(b.ordinals):
        if a.ordinals[name] != b.ordinals[name]:
            why.append(f"第{a.ordinals[name]}回 / 第{b.ordinals[name]}回 {name}")
    return why


def compatible(a: Report, b: Report) -> bool:
    """``not conflicts(a, b)``, without writing the reasons (the pair search asks it for
    every candidate pair; keep the two in step)."""
    if a.kind != b.kind:
        return False
    if a.kind == "agreement" and a.agreement != b.agreement:
        return False
    if not _nested(a, b):
        return False
    if a.partners != b.partners:
        sub = a.partners < b.partners or b.partners < a.partners
        if not (sub and a.block != b.block and a.partners and b.partners):
            return False
    for va, vb in (
        (a.jp_role, b.jp_role),
        (a.jp_name, b.jp_name),
        (a.modality, b.modality),
        (a.count, b.count),
    ):
        if va is not None and vb is not None and va != vb:
            return False
    if a.place and b.place and not _same_place(a.place, b.place):
        return False
    if a.counterparts and b.counterparts and not a.counterparts & b.counterparts:
        return False
    if a.names and b.names and not _names_match(a.names, b.names):
        return False
    if a.ordinals and b.ordinals:
        for name in set(a.ordinals) & set(b.ordinals):
            if a.ordinals[name] != b.ordinals[name]:
                return False
    return True


def corroboration(a: Report, b: Report) -> list[str]:
    """The rules that say compatible ``a`` and ``b`` are one event, strongest first."""
    rules: list[str] = []
    for da, sa, ea, _ka in a.spans:
        if any(da == db and sa < eb and sb < ea for db, sb, eb, _kb in b.spans):
            rules.append("same_span")
            break
    if len(a.words) >= 12 and a.words == b.words:
        rules.append("same_words")
    blocks = {a.block, b.block}
    for kind, rule in SECONDARY_KINDS.items():
        if kind in blocks and len(blocks) == 2:
            rules.append(rule)
    if a.names and b.names and _names_match(a.names, b.names):
        rules.append("same_named_event")
    if a.counterparts & b.counterparts:
        rules.append("same_counterpart")
    if a.precision == "day" and a.date == b.date:
        rules.append("same_day")
    if a.jp_name and a.jp_name == b.jp_name:
        rules.append("same_principal")
    if a.place and b.place and _same_place(a.place, b.place):
        rules.append("same_location")
    coarse = min(_PREC.get(a.precision, 0), _PREC.get(b.precision, 0))
    if coarse < _PREC["month"]:
        rules = [r for r in rules if r in STRONG_RULES]
    return rules


def explain(a: Report, b: Report, rules: Sequence[str]) -> str:
    """One line: the rule, then what matched."""
    bits = [
        f"{a.kind}",
        f"{a.date} ~ {b.date}",
        f"partners {','.join(sorted(a.partners | b.partners))}",
    ]
    if "same_named_event" in rules:
        shared = sorted(x for x in a.names for y in b.names if x == y or x in y or y in x)
        bits.append("named " + " / ".join(dict.fromkeys(shared)))
    if "same_counterpart" in rules:
        bits.append("counterpart " + " / ".join(sorted(a.counterparts & b.counterparts)))
    if a.jp_name and a.jp_name == b.jp_name:
        bits.append(f"principal {a.jp_name} {a.jp_role or b.jp_role or ''}".rstrip())
    if "same_location" in rules:
        bits.append(f"location {a.location}")
    if any(r in rules for r in SECONDARY_KINDS.values()):
        bits.append(f"blocks {a.block}/{b.block}")
    where = f"{b.doc_key or 'manual'}:{b.line}" if b.line else (b.doc_key or "manual")
    return f"{AUTO_PREFIX}{rules[0]}: " + "; ".join(bits) + f" (with {b.id} at {where})"


@dataclass(slots=True, frozen=True)
class Pair:
    a: str
    b: str
    rules: tuple[str, ...]

    @property
    def rule(self) -> str:
        return self.rules[0]


def _buckets(reports: Iterable[Report], by_partners: bool) -> dict[tuple[Any, ...], list[Report]]:
    """Candidate blocks: kind (and agreement) x year of the earliest day (x partners)."""
    out: dict[tuple[Any, ...], list[Report]] = defaultdict(list)
    for r in reports:
        if r.lo is None or r.hi is None:
            continue
        for year in range(r.lo.year, r.hi.year + 1):
            key = (r.kind, r.agreement if r.kind == "agreement" else None, year)
            out[(*key, r.partners) if by_partners else key].append(r)
    return out


def candidate_pairs(reports: Sequence[Report]) -> list[Pair]:
    """Compatible, corroborated pairs, strongest first."""
    seen: set[tuple[str, str]] = set()
    pairs: list[Pair] = []

    def consider(a: Report, b: Report) -> None:
        key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        if key in seen:
            return
        seen.add(key)
        if not compatible(a, b):
            return
        rules = corroboration(a, b)
        if rules:
            pairs.append(Pair(key[0], key[1], tuple(rules)))

    for group in _buckets(reports, by_partners=True).values():
        group.sort(key=lambda r: (r.lo or date.min, r.id))
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if b.lo is not None and a.hi is not None and b.lo > a.hi:
                    break  # sorted by start: nothing later can be nested with ``a``
                consider(a, b)
    # a caption or footnote may name fewer partners than the body it repeats
    secondary = [r for r in reports if r.block in SECONDARY_KINDS]
    if secondary:
        wide = _buckets(reports, by_partners=False)
        for a in secondary:
            if a.lo is None or a.hi is None:
                continue
            for year in range(a.lo.year, a.hi.year + 1):
                key = (a.kind, a.agreement if a.kind == "agreement" else None, year)
                for b in wide.get(key, []):
                    if b.id != a.id and b.partners != a.partners and a.partners <= b.partners:
                        consider(a, b)
    pairs.sort(key=lambda p: (_STRENGTH[p.rule], -len(p.rules), p.a, p.b))
    return pairs


# --------------------------------------------------------------------------- clusters


def _primary_key(r: Report) -> tuple[Any, ...]:
    return (
        0 if r.state in ("manual", "verified", "corrected") else 1,
        0 if r.block == "body" else 1,
        -_PREC.get(r.precision, 0),
        -r.filled,
        0 if r.doc_key else 1,
        r.doc_key or "",
        r.line or 0,
        r.id,
    )


def _apart(reports: dict[str, Report]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for r in reports.values():
        for other in (r.pin or {}).get("apart") or []:
            out.add((r.id, str(other)))
            out.add((str(other), r.id))
    return out


def cluster(reports: Sequence[Report]) -> dict[str, tuple[str, str]]:
    """``{secondary id: (primary id, reason)}`` for the unpinned reports."""
    by_id = {r.id: r for r in reports}
    apart = _apart(by_id)
    free = [r for r in reports if r.pin is None]
    pairs = candidate_pairs(free)
    members: dict[str, list[str]] = {r.id: [r.id] for r in free}
    owner: dict[str, str] = {r.id: r.id for r in free}
    joined_by: dict[str, Pair] = {}
    for p in pairs:
        ca, cb = owner[p.a], owner[p.b]
        if ca == cb:
            continue
        ok = all(
            (x, y) not in apart and compatible(by_id[x], by_id[y])
            for x in members[ca]
            for y in members[cb]
        )
        if not ok:
            continue
        small, big = (ca, cb) if len(members[ca]) < len(members[cb]) else (cb, ca)
        for x in members[small]:
            owner[x] = big
        members[big].extend(members.pop(small))
        joined_by.setdefault(p.a, p)
        joined_by.setdefault(p.b, p)
    out: dict[str, tuple[str, str]] = {}
    for ids in members.values():
        if len(ids) < 2:
            continue
        reps = sorted((by_id[i] for i in ids), key=_primary_key)
        primary = reps[0]
        for sec in reps[1:]:
            rules = corroboration(sec, primary) if compatible(sec, primary) else []
            if rules:
                out[sec.id] = (primary.id, explain(sec, primary, rules))
            else:
                p = joined_by[sec.id]
                other = by_id[p.b if p.a == sec.id else p.a]
                out[sec.id] = (primary.id, explain(sec, other, p.rules))
    return out


# --------------------------------------------------------------------------- run


def rule_of(reason: str | None) -> str | None:
    """The rule named by a ``merge_reason`` ("curated" for a curator's merge)."""
    if not reason:
        return None
    if reason.startswith(AUTO_PREFIX):
        return reason[len(AUTO_PREFIX) :].split(":", 1)[0]
    return "curated"


@dataclass(slots=True)
class DedupResult:
    reports: int = 0  # non-rejected event rows
    events: int = 0  # of which primaries (counted events)
    merged: int = 0  # reports merged into another
    pinned: int = 0  # merges decided by a curator
    changed: int = 0  # rows whose merge changed in this run
    by_rule: dict[str | None, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deduplicate_session(session: Session) -> DedupResult:
    reports = load_reports(session)
    by_id = {r.id: r for r in reports}
    wanted = cluster(reports)
    res = DedupResult(reports=len(reports))
    rules: Counter[str | None] = Counter()
    changes: list[dict[str, Any]] = []
    for r in reports:
        if r.pin is not None:
            target = r.pin.get("value")
            target = str(target) if target and target in by_id else None
            reason = (
                r.merge_reason
                if r.merge_reason and r.merge_reason.startswith(CURATED_PREFIX)
                else (f"{CURATED_PREFIX}{r.pin.get('by', '?')}" if target else None)
            )
            new = (target, reason if target else None)
            res.pinned += 1
        else:
            new = wanted.get(r.id, (None, None))
        if new[0] is not None:
            res.merged += 1
            rules[rule_of(new[1])] += 1
        if (r.merged_into, r.merge_reason) != new:
            changes.append({"_id": r.id, "merged_into_id": new[0], "merge_reason": new[1]})
            res.changed += 1
    update_event_rows(session, changes)
    # a rejected report is never merged automatically
    for row in session.scalars(
        select(m.Event).where(m.Event.state == "rejected", m.Event.merged_into_id.is_not(None))
    ):
        if PIN_KEY not in (row.provenance or {}):
            row.merged_into_id, row.merge_reason = None, None
            res.changed += 1
    session.flush()
    res.events = res.reports - res.merged
    res.by_rule = dict(sorted(rules.items(), key=lambda kv: str(kv[0])))
    return res


def deduplicate(store: Store) -> DedupResult:
    """Recompute automatic merges over the whole store (idempotent)."""
    with store.write_session() as s:
        return deduplicate_session(s)


def counts(store: Store) -> dict[str, int]:
    """Reports (non-rejected rows) and events (those not merged into another)."""
    from sqlalchemy import func

    with store.session() as s:
        reports = s.scalar(
            select(func.count()).select_from(m.Event).where(m.Event.state != "rejected")
        )
        events = s.scalar(
            select(func.count())
            .select_from(m.Event)
            .where(m.Event.state != "rejected", m.Event.merged_into_id.is_(None))
        )
    return {"reports": reports or 0, "events": events or 0}


# --------------------------------------------------------------------------- bundles


@dataclass(slots=True, frozen=True)
class Source:
    """One evidence span of an event (or of a report merged into it)."""

    event_id: str
    doc_key: str
    version: int
    is_current: bool
    line: int
    start: int
    end: int
    quote: str
    block: str | None
    rules: dict[str, Any]
    origin: str
    merge_reason: str | None  # why this report counts as the event (None for the primary)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def root_of(session: Session, event_id: str) -> str:
    """The event a report is (transitively) merged into."""
    seen = {event_id}
    current = event_id
    while True:
        nxt = session.scalar(select(m.Event.merged_into_id).where(m.Event.id == current))
        if nxt is None or nxt in seen:
            return current
        seen.add(nxt)
        current = nxt


def report_ids(session: Session, root: str) -> list[str]:
    """``root`` and every report merged into it, directly or through another."""
    out, frontier = [root], [root]
    while frontier:
        nxt = list(
            session.scalars(
                select(m.Event.id).where(
                    m.Event.merged_into_id.in_(frontier), m.Event.state != "rejected"
                )
            )
        )
        nxt = [i for i in nxt if i not in out]
        out.extend(nxt)
        frontier = nxt
    return out


def evidence_bundle(store: Store, event_id: str) -> list[Source]:
    """All sources of the event ``event_id`` belongs to: one event, many spans."""
    with store.session() as s:
        root = root_of(s, event_id)
        ids = report_ids(s, root)
        reasons = dict(
            s.execute(select(m.Event.id, m.Event.merge_reason).where(m.Event.id.in_(ids))).all()
        )
        rows = s.execute(
            select(
                m.Evidence,
                m.Document.doc_key,
                m.Document.version,
                m.Document.is_current,
                m.Segment.kind,
            )
            .join(m.Document, m.Document.id == m.Evidence.document_id)
            .outerjoin(m.Segment, m.Segment.id == m.Evidence.segment_id)
            .where(m.Evidence.event_id.in_(ids))
        ).all()
        order = {i: n for n, i in enumerate(ids)}
        out = [
            Source(
                event_id=e.event_id,
                doc_key=key,
                version=ver,
                is_current=bool(cur),
                line=e.line,
                start=e.start,
                end=e.end,
                quote=e.quote,
                block=kind,
                rules=dict(e.rules or {}),
                origin=e.origin,
                merge_reason=None if e.event_id == root else reasons.get(e.event_id),
            )
            for e, key, ver, cur, kind in rows
        ]
        out.sort(key=lambda x: (order[x.event_id], x.doc_key, x.start))
        return out
