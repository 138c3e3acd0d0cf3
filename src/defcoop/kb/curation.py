"""Curation: verify, correct, reject, restore and add records, with an audit trail.

One Python API for every curatable record -- events, participants, agreement
statuses, persons and role tenures -- used by the CLI (``defcoop curate``) and the
web app. Every change is written, in the same transaction, to the audit log: who
(``user``), when, which entity and field, the value before and after, and why.

Optimistic locking: pass ``expected_version`` (the version the editor loaded) and a
change to a record that someone else changed meanwhile is refused with
``StaleEditError`` naming both versions. Rows are version-checked by the ORM too, so
two concurrent saves can never both win.

What curation marks is what re-ingestion keeps (see ``defcoop.store.events``): a
corrected field carries ``provenance[field].status == "corrected"`` and is never
overwritten; a verified event is locked whole; a rejected event stays rejected and is
not resurrected; manual events (no document key) and manual or corrected participants
are left alone. ``merge``/``unmerge`` pin the deduplication decision for an event
(``provenance["merged_into"]``). Call ``defcoop.kb.resolve.resolve(store)`` after a
batch of changes to refresh merges, tenures and axes (the CLI does it for you).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from defcoop.errors import DefcoopError, StoreError
from defcoop.extract.partners import registry
from defcoop.kb.dedup import CURATED_PREFIX, PIN_KEY
from defcoop.kb.people import get_person, person_id, role_code, role_tables
from defcoop.records import AGREEMENT_TYPES, EVENT_KINDS, MODALITIES, content_id
from defcoop.store import Store
from defcoop.store import models as m
from defcoop.store.dates import bounds, precision, span_bounds

ENTITIES = ("event", "participant", "agreement_status", "person", "tenure")

AGREEMENT_STATUSES = ("substantially_agreed", "signed", "in_force", "revised")
JP_ROLES = (
    "PM", "MOFA_MIN", "MOD_MIN", "MOD_SVM", "MOD_PVM", "MOD_AVM", "MOD_VMIA", "ATLA", "CHOD",
    "GSDF_COS", "MSDF_COS", "ASDF_COS", "GSDF", "MSDF", "ASDF", "MOD", "GOV",
)  # fmt: skip

#: Event field -> the verification axes it sets.
FIELD_AXES: dict[str, tuple[str, ...]] = {
    "date": ("date",),
    "end": ("date",),
    "partners": ("partners",),
    "jp_name": ("principal",),
    "jp_role": ("principal", "role"),
    "participants": ("counterpart",),
    "quote": ("source",),
}
AXIS_FIELDS: dict[str, tuple[str, ...]] = {
    "source": ("quote",),
    "date": ("date", "end"),
    "partners": ("partners",),
    "principal": ("jp_name", "jp_role"),
    "role": ("jp_role",),
    "counterpart": ("participants",),
}


class CurationError(DefcoopError):
    """A curation request that cannot be applied (unknown record, bad field or value)."""


class StaleEditError(StoreError):
    """The record changed since the editor loaded it: the edit is refused."""

    def __init__(self, entity: str, entity_id: str, expected: int | None, current: int | None):
        have = f"version {current}" if current is not None else "a newer version"
        super().__init__(
            f"{entity} {entity_id}: stale edit refused: you edited version {expected}, "
            f"the store has {have} (someone changed it since you loaded it); "
            "reload it and apply your change again"
        )
        self.entity, self.entity_id = entity, entity_id
        self.expected, self.current = expected, current


@dataclass(slots=True, frozen=True)
class Change:
    """One audit-log entry."""

    id: int | None
    at: datetime | None
    actor: str
    action: str
    entity: str
    entity_id: str
    field: str | None
    before: Any
    after: Any
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["at"] = self.at.isoformat() if self.at else None
        return d


@dataclass(slots=True)
class CurationResult:
    entity: str
    id: str
    version: int | None
    changes: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "id": self.id,
            "version": self.version,
            "changes": [c.to_dict() for c in self.changes],
        }


# --------------------------------------------------------------------------- plumbing


def _now() -> datetime:
    return datetime.now(UTC)


def _json(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return [_json(x) for x in v]
    if isinstance(v, dict):
        return {k: _json(x) for k, x in v.items()}
    return v


class _Audit:
    """Collects the audit entries of one request (written in its transaction)."""

    def __init__(self, s: Session, user: str, reason: str | None) -> None:
        if not user or not user.strip():
            raise CurationError("a user is required (who makes the change)")
        self.s, self.user, self.reason = s, user.strip(), reason
        self.rows: list[m.AuditEntry] = []

    def log(
        self, action: str, entity: str, entity_id: str, fld: str | None, before: Any, after: Any
    ) -> None:
        row = m.AuditEntry(
            at=_now(),
            actor=self.user,
            action=action,
            entity=entity,
            entity_id=entity_id,
            field=fld,
            before=_json(before),
            after=_json(after),
            reason=self.reason,
        )
        self.s.add(row)
        self.rows.append(row)

    def changes(self) -> list[Change]:
        return [_change(r) for r in self.rows]


def _change(r: m.AuditEntry) -> Change:
    return Change(
        r.id, r.at, r.actor, r.action, r.entity, r.entity_id, r.field, r.before, r.after, r.reason
    )


@contextmanager
def _tx(store: Store, entity: str, entity_id: str, expected: int | None) -> Iterator[Session]:
    """A write transaction that turns a concurrent-update failure into ``StaleEditError``."""
    try:
        with store.write_session() as s:
            yield s
    except StaleDataError as err:
        raise StaleEditError(entity, entity_id, expected, None) from err


def _check_version(row: Any, entity: str, entity_id: str, expected: int | None) -> None:
    if expected is None:
        return
    if not hasattr(row, "version"):
        raise CurationError(f"{entity} records carry no version: edit them without one")
    if row.version != expected:
        raise StaleEditError(entity, entity_id, expected, row.version)


_MODELS: dict[str, type[Any]] = {
    "event": m.Event,
    "participant": m.Participant,
    "agreement_status": m.AgreementStatus,
    "person": m.Person,
    "tenure": m.RoleTenure,
}


def _entity(entity: str) -> str:
    e = entity.strip().lower().replace("-", "_")
    e = {"status": "agreement_status", "events": "event"}.get(e, e)
    if e not in ENTITIES:
        raise CurationError(f"unknown entity {entity!r} (one of: {', '.join(ENTITIES)})")
    return e


def _load(s: Session, entity: str, entity_id: str) -> Any:
    row = s.get(_MODELS[entity], entity_id)
    if row is None:
        raise CurationError(f"{entity} {entity_id}: no such record")
    return row


def _result(entity: str, row: Any, audit: _Audit) -> CurationResult:
    return CurationResult(
        entity, str(getattr(row, "id", "")), getattr(row, "version", None), audit.changes()
    )


# --------------------------------------------------------------------------- validation


def _iso(name: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    v = value.isoformat() if isinstance(value, date) else str(value).strip()
    if bounds(v)[0] is None:
        raise CurationError(f"{name}: not a date YYYY, YYYY-MM or YYYY-MM-DD: {value!r}")
    return v


def _choice(name: str, options: Sequence[str]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value in (None, ""):
            return None
        if value not in options:
            raise CurationError(f"{name}: {value!r} is not one of {', '.join(options)}")
        return value

    return check


def _text(value: Any) -> Any:
    return None if value in (None, "") else str(value)


def _int(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise CurationError(f"not an integer: {value!r}") from err


def _partner_codes(value: Any, allow_self: bool = False) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    out = []
    for item in items:
        code = str(item).strip()
        if not code:
            continue
        p = registry().get(code) or (registry().get(c) if (c := registry().lookup(code)) else None)
        if p is None or (p.is_self and not allow_self):
            raise CurationError(
                f"partners: unknown partner {code!r} (use ISO 3166 alpha-3 or a group code)"
            )
        out.append(p.code)
    return sorted(set(out))


def _partner(value: Any) -> Any:
    if value in (None, ""):
        return None
    return _partner_codes([value])[0]


def _country(value: Any) -> Any:
    """A partner code, or JPN (persons and tenures may be Japanese)."""
    if value in (None, ""):
        return None
    return _partner_codes([value], allow_self=True)[0]


EVENT_FIELDS: dict[str, Callable[[Any], Any]] = {
    "kind": _choice("kind", EVENT_KINDS),
    "date": lambda v: _iso("date", v),
    "end": lambda v: _iso("end", v),
    "count": _int,
    "modality": _choice("modality", MODALITIES),
    "location": _text,
    "occasion": _text,
    "agreement_type": _choice("agreement_type", AGREEMENT_TYPES),
    "agreement_status": _choice("agreement_status", AGREEMENT_STATUSES),
    "agreement_name": _text,
    "jp_role": _choice("jp_role", JP_ROLES),
    "jp_name": _text,
    "summary": _text,
    "quote": _text,
    "partners": _partner_codes,
}
PARTICIPANT_FIELDS: dict[str, Callable[[Any], Any]] = {
    "side": _choice("side", ("jp", "partner")),
    "partner_code": _partner,
    "role_code": _text,
    "title": _text,
    "name": _text,
    "former": lambda v: v if isinstance(v, bool) else str(v).lower() in ("1", "true", "yes"),
}
STATUS_FIELDS: dict[str, Callable[[Any], Any]] = {
    "status": _choice("status", AGREEMENT_STATUSES),
    "date": lambda v: _iso("date", v),
    "note": _text,
}
PERSON_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": _text,
    "name_reading": _text,
    "name_en": _text,
    "country": _country,
    "variants": lambda v: (
        [x.strip() for x in v.split(",") if x.strip()] if isinstance(v, str) else list(v or [])
    ),
}
TENURE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "role": lambda v: role_code(str(v)),
    "country": _country,
    "start": lambda v: _iso("start", v),
    "end": lambda v: _iso("end", v),
    "note": _text,
}
FIELDS = {
    "event": EVENT_FIELDS,
    "participant": PARTICIPANT_FIELDS,
    "agreement_status": STATUS_FIELDS,
    "person": PERSON_FIELDS,
    "tenure": TENURE_FIELDS,
}


def parse_value(text: str | None) -> Any:
    """A value typed on the command line: "null" / "-" / "" mean none."""
    if text is None or text.strip().lower() in ("", "-", "null", "none"):
        return None
    return text


def _validated(entity: str, fld: str, value: Any) -> Any:
    table = FIELDS[entity]
    if fld not in table:
        raise CurationError(
            f"{entity}: field {fld!r} cannot be corrected (one of: {', '.join(table)})"
        )
    return table[fld](value)


# --------------------------------------------------------------------------- events


def _mark(row: m.Event, fields: Sequence[str], status: str, user: str, reason: str | None) -> None:
    """Set provenance and axes of ``fields`` to ``status`` (verified or corrected)."""
    prov = dict(row.provenance or {})
    axes = dict(row.axes or {})
    detail = dict(prov.get("_axes") or {})
    for f in fields:
        old = prov.get(f) if isinstance(prov.get(f), dict) else {}
        prov[f] = {**(old or {}), "status": status, "by": user}
        if status == "corrected":
            prov[f]["rule"] = "curated"
        for a in FIELD_AXES.get(f, ()):
            axes[a] = status
            detail[a] = {"status": status, "rule": f"curated:{user}", "cue": reason}
    prov["_axes"] = detail
    row.provenance = prov
    row.axes = axes


def _event_value(row: m.Event, fld: str) -> Any:
    if fld == "partners":
        return [p.partner_code for p in row.partners]
    return getattr(row, fld)


def _set_event_field(row: m.Event, fld: str, value: Any) -> None:
    if fld == "partners":
        have = {p.partner_code: p for p in row.partners}
        row.partners = [
            have.get(c) or m.EventPartner(partner_code=c, rule="curated") for c in value
        ]
        return
    setattr(row, fld, value)
    if fld in ("date", "end"):
        row.precision = precision(row.date)
        row.date_from, row.date_to = span_bounds(row.date, row.end)


def _not_rejected(row: Any, entity: str) -> None:
    if getattr(row, "state", None) == "rejected":
        raise CurationError(f"{entity} {row.id} is rejected: restore it before changing it")


def verify(
    store: Store,
    entity: str,
    entity_id: str,
    *,
    user: str,
    reason: str | None = None,
    fields: Sequence[str] | None = None,
    expected_version: int | None = None,
) -> CurationResult:
    """Confirm a record as it is. For events, ``fields`` may name fields or axes to verify
    only those (the event stays otherwise automatic); without it the whole event is
    verified and locked."""
    entity = _entity(entity)
    with _tx(store, entity, entity_id, expected_version) as s:
        audit = _Audit(s, user, reason)
        row = _load(s, entity, entity_id)
        _check_version(row, entity, entity_id, expected_version)
        _not_rejected(row, entity)
        if entity == "event":
            if fields:
                names = _expand_fields(fields)
                before = {f: (row.provenance or {}).get(f, {}).get("status") for f in names}
                _mark(row, names, "verified", audit.user, reason)
                audit.log("verify", entity, entity_id, ",".join(names), before, "verified")
            else:
                before_state = row.state
                if row.state == "automatic":
                    row.state = "verified"
                axes = dict(row.axes or {})
                auto = [a for a, st in axes.items() if st == "automatic"]
                _mark(row, [f for a in auto for f in AXIS_FIELDS.get(a, ())], "verified",
                      audit.user, reason)  # fmt: skip
                audit.log("verify", entity, entity_id, "state", before_state, row.state)
        elif entity == "tenure":
            before_basis = row.basis
            row.basis = "curated"
            row.note = _note(row.note, f"verified by {audit.user}")
            audit.log("verify", entity, entity_id, "basis", before_basis, "curated")
            _pin_person(s, row.person_id, audit)
        else:
            before_state = row.state
            if row.state in ("automatic", "corrected"):
                row.state = "verified"
            if entity == "agreement_status":
                row.curated = True
            audit.log("verify", entity, entity_id, "state", before_state, row.state)
        s.flush()
        return _result(entity, row, audit)


def _expand_fields(fields: Sequence[str]) -> list[str]:
    out: list[str] = []
    for f in fields:
        if f in AXIS_FIELDS:
            out.extend(AXIS_FIELDS[f])
        elif f in EVENT_FIELDS or f == "participants":
            out.append(f)
        else:
            raise CurationError(
                f"event: {f!r} is neither a field nor an axis "
                f"(axes: {', '.join(AXIS_FIELDS)}; fields: {', '.join(EVENT_FIELDS)})"
            )
    return list(dict.fromkeys(out))


def _note(old: str | None, add: str) -> str:
    return f"{old}; {add}" if old else add


def _pin_person(s: Session, pid: str, audit: _Audit) -> None:
    """A person a curator relied on becomes curated (kept across rebuilds)."""
    person = s.get(m.Person, pid)
    if person is not None and person.state == "automatic":
        person.state = "verified"
        audit.log("verify", "person", pid, "state", "automatic", "verified")


def correct(
    store: Store,
    entity: str,
    entity_id: str,
    fld: str,
    value: Any,
    *,
    user: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> CurationResult:
    """Set ``fld`` of a record to ``value``; the value then wins over every re-extraction."""
    entity = _entity(entity)
    new = _validated(entity, fld, value)
    with _tx(store, entity, entity_id, expected_version) as s:
        audit = _Audit(s, user, reason)
        row = _load(s, entity, entity_id)
        _check_version(row, entity, entity_id, expected_version)
        _not_rejected(row, entity)
        if entity == "event":
            before = _event_value(row, fld)
            if before == new and (row.provenance or {}).get(fld, {}).get("status") == "corrected":
                return _result(entity, row, audit)
            _set_event_field(row, fld, new)
            if row.state in ("automatic", "verified"):
                row.state = "corrected"
            _mark(row, [fld], "corrected", audit.user, reason)
        elif entity == "tenure":
            before = getattr(row, fld)
            setattr(row, fld, new)
            if fld in ("start", "end"):
                row.start_from = bounds(row.start)[0] if row.start else None
                row.end_to = bounds(row.end)[1] if row.end else None
            if row.basis != "curated":
                audit.log("correct", entity, entity_id, "basis", row.basis, "curated")
                row.basis = "curated"
            _pin_person(s, row.person_id, audit)
        else:
            before = getattr(row, fld)
            setattr(row, fld, new)
            if entity == "agreement_status":
                row.curated = True
                if fld == "date":
                    row.date_from = bounds(new)[0] if new else None
            if entity == "person" and fld == "variants":
                row.variants = [{"name": n, "rule": "curated"} for n in new]
            if row.state in ("automatic", "verified"):
                row.state = "corrected"
        audit.log("correct", entity, entity_id, fld, before, new)
        s.flush()
        return _result(entity, row, audit)


def reject(
    store: Store,
    entity: str,
    entity_id: str,
    *,
    user: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> CurationResult:
    """Mark a record as wrong. A rejected event is never counted nor resurrected by
    re-ingestion; a rejected person takes its mentions out of the tenure registry."""
    entity = _entity(entity)
    with _tx(store, entity, entity_id, expected_version) as s:
        audit = _Audit(s, user, reason)
        row = _load(s, entity, entity_id)
        _check_version(row, entity, entity_id, expected_version)
        if entity == "tenure":
            if row.basis != "curated":
                raise CurationError(
                    f"tenure {entity_id} is inferred from dated mentions: correct its dates, "
                    "reject the person, or correct the events it comes from"
                )
            before_t = {
                f: getattr(row, f) for f in ("person_id", "role", "country", "start", "end", "note")
            }
            s.delete(row)
            audit.log("reject", entity, entity_id, None, before_t, None)
            s.flush()
            return CurationResult(entity, entity_id, None, audit.changes())
        if row.state == "rejected":
            return _result(entity, row, audit)
        before = row.state
        row.state = "rejected"
        if entity == "agreement_status":
            row.curated = True
        audit.log("reject", entity, entity_id, "state", before, "rejected")
        s.flush()
        return _result(entity, row, audit)


def restore(
    store: Store,
    entity: str,
    entity_id: str,
    *,
    user: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> CurationResult:
    """Undo a rejection: the record becomes corrected (if a curator changed fields) or
    automatic again."""
    entity = _entity(entity)
    with _tx(store, entity, entity_id, expected_version) as s:
        audit = _Audit(s, user, reason)
        row = _load(s, entity, entity_id)
        _check_version(row, entity, entity_id, expected_version)
        if getattr(row, "state", None) != "rejected":
            raise CurationError(f"{entity} {entity_id} is not rejected")
        state = "automatic"
        if entity == "event":
            if row.doc_key is None:
                state = "manual"
            elif any(
                isinstance(p, dict) and p.get("status") in ("verified", "corrected")
                for p in (row.provenance or {}).values()
            ):
                state = "corrected"
        row.state = state
        audit.log("restore", entity, entity_id, "state", "rejected", state)
        s.flush()
        return _result(entity, row, audit)


# --------------------------------------------------------------------------- additions


def _locate(s: Session, doc_key: str, quote: str) -> tuple[m.Document, int, int, int | None, int]:
    doc = s.scalar(
        select(m.Document).where(m.Document.doc_key == doc_key, m.Document.is_current.is_(True))
    )
    if doc is None:
        raise CurationError(f"source: no current document {doc_key!r}")
    pos = doc.text.find(quote) if quote else -1
    if pos < 0:
        raise CurationError(f"source: {quote!r} is not in the current version of {doc_key}")
    end = pos + len(quote)
    seg = s.scalar(
        select(m.Segment.id).where(
            m.Segment.document_id == doc.id, m.Segment.start <= pos, m.Segment.end > pos
        )
    )
    return doc, pos, end, seg, doc.text.count("\n", 0, pos) + 1


def add_event(
    store: Store,
    *,
    user: str,
    kind: str,
    date: str | None,
    partners: Sequence[str] | str,
    reason: str | None = None,
    end: str | None = None,
    jp_role: str | None = None,
    jp_name: str | None = None,
    modality: str | None = None,
    location: str | None = None,
    occasion: str | None = None,
    agreement_type: str | None = None,
    agreement_status: str | None = None,
    agreement_name: str | None = None,
    count: int | None = None,
    summary: str | None = None,
    source_doc: str | None = None,
    source_quote: str | None = None,
) -> CurationResult:
    """Add an event by hand (state ``manual``). With ``source_doc`` and ``source_quote``
    (exact words of the current version) it gets an evidence span of origin ``manual``."""
    given: dict[str, Any] = {
        "kind": kind,
        "date": date,
        "end": end,
        "jp_role": jp_role,
        "jp_name": jp_name,
        "modality": modality,
        "location": location,
        "occasion": occasion,
        "agreement_type": agreement_type,
        "agreement_status": agreement_status,
        "agreement_name": agreement_name,
        "count": count,
        "summary": summary,
    }
    values = {f: _validated("event", f, v) for f, v in given.items()}
    if values["kind"] is None:
        raise CurationError("kind is required")
    codes = _partner_codes(partners)
    if not codes:
        raise CurationError("at least one partner is required")
    with store.write_session() as s:
        audit = _Audit(s, user, reason)
        stamp = _now().isoformat()
        eid = content_id("manual-event", audit.user, stamp, values["kind"], values["date"], *codes)
        lo, hi = span_bounds(values["date"], values["end"])
        quote = source_quote or summary or ""
        row = m.Event(
            id=eid,
            doc_key=None,
            ordinal=0,
            precision=precision(values["date"]),
            date_from=lo,
            date_to=hi,
            quote=quote,
            state="manual",
            orphaned=False,
            **values,
        )
        set_fields = [f for f, v in values.items() if v is not None] + ["partners"]
        row.provenance = {f: {"rule": "manual", "status": "corrected", "by": audit.user}
                          for f in set_fields}  # fmt: skip
        if values["date"] is None:
            row.provenance["date"] = {"rule": "manual", "status": "unresolved", "by": audit.user}
        row.partners = [m.EventPartner(partner_code=c, rule="manual") for c in codes]
        axes = {"partners": "corrected", "date": "corrected" if values["date"] else "unresolved"}
        if values["jp_role"] or values["jp_name"]:
            axes["principal"] = "corrected"
        if values["jp_role"]:
            axes["role"] = "corrected"
        if source_doc:
            doc, start, stop, seg, line = _locate(s, source_doc, source_quote or "")
            row.evidence = [
                m.Evidence(
                    id=content_id("evidence", eid, doc.id, start, stop),
                    document_id=doc.id,
                    segment_id=seg,
                    start=start,
                    end=stop,
                    line=line,
                    quote=doc.text[start:stop],
                    rules={"event": f"manual:{audit.user}"},
                    origin="manual",
                )
            ]
            row.line = line
            axes["source"] = "corrected"
        else:
            axes["source"] = "unresolved"
        row.axes = axes
        s.add(row)
        s.flush()
        audit.log("add", "event", eid, None, None, {**values, "partners": codes,
                                                      "source": source_doc})  # fmt: skip
        s.flush()
        return _result("event", row, audit)


def add_participant(
    store: Store,
    event_id: str,
    *,
    user: str,
    side: str,
    reason: str | None = None,
    name: str | None = None,
    partner: str | None = None,
    role: str | None = None,
    title: str | None = None,
    former: bool = False,
    expected_version: int | None = None,
) -> CurationResult:
    """Add a participant (principal or counterpart) to an event (state ``manual``)."""
    values = {
        "side": _validated("participant", "side", side),
        "partner_code": _validated("participant", "partner_code", partner),
        "role_code": role,
        "title": title,
        "name": name,
        "former": bool(former),
    }
    if values["side"] is None:
        raise CurationError("side is required (jp or partner)")
    with _tx(store, "event", event_id, expected_version) as s:
        audit = _Audit(s, user, reason)
        ev = _load(s, "event", event_id)
        _check_version(ev, "event", event_id, expected_version)
        _not_rejected(ev, "event")
        ordinal = (
            s.scalar(
                select(func.max(m.Participant.ordinal)).where(m.Participant.event_id == event_id)
            )
            or 0
        ) + 1
        pid = content_id("participant", event_id, "manual", ordinal, name or "", _now().isoformat())
        s.add(m.Participant(id=pid, event_id=event_id, ordinal=ordinal, state="manual",
                            provenance={"by": audit.user}, **values))  # fmt: skip
        axis = "counterpart" if values["side"] == "partner" else "principal"
        axes = dict(ev.axes or {})
        axes[axis] = "corrected"
        ev.axes = axes
        audit.log("add", "participant", pid, None, None, {**values, "event_id": event_id})
        s.flush()
        return CurationResult("participant", pid, None, audit.changes())


def add_agreement_status(
    store: Store,
    *,
    user: str,
    partner: str,
    type: str,
    status: str,
    date: str | None,
    reason: str | None = None,
    name: str = "",
    note: str | None = None,
    source_event_id: str | None = None,
) -> CurationResult:
    """Add a dated status of an agreement (partner x type x name) by hand."""
    code = _partner(partner)
    if type not in AGREEMENT_TYPES:
        raise CurationError(f"type: {type!r} is not one of {', '.join(AGREEMENT_TYPES)}")
    st = _validated("agreement_status", "status", status)
    if st is None:
        raise CurationError("status is required")
    iso = _iso("date", date)
    with store.write_session() as s:
        audit = _Audit(s, user, reason)
        aid = content_id(code, type, name or "")
        agreement = s.get(m.Agreement, aid)
        if agreement is None:
            agreement = m.Agreement(id=aid, partner_code=code, type=type, name=name or "")
            s.add(agreement)
            s.flush()
        if source_event_id is not None:
            _load(s, "event", source_event_id)
        sid = content_id("agreement_status", aid, st, iso or "", "manual", _now().isoformat())
        row = m.AgreementStatus(
            id=sid,
            agreement_id=aid,
            status=st,
            date=iso,
            date_from=bounds(iso)[0] if iso else None,
            source_event_id=source_event_id,
            rule=f"manual:{audit.user}",
            curated=True,
            state="manual",
            note=note,
        )
        s.add(row)
        s.flush()
        audit.log("add", "agreement_status", sid, None, None,
                  {"partner": code, "type": type, "name": name, "status": st, "date": iso})  # fmt: skip
        s.flush()
        return _result("agreement_status", row, audit)


def add_tenure(
    store: Store,
    *,
    user: str,
    person: str,
    role: str,
    country: str,
    start: str | None,
    end: str | None,
    reason: str | None = None,
    note: str | None = None,
) -> CurationResult:
    """State that ``person`` (id, or name/variant of that country) held ``role`` from
    ``start`` to ``end`` (inclusive, any precision). A new name makes a manual person."""
    code = _country(country)
    if code is None:
        raise CurationError("country is required")
    role_c = role_code(role)
    s_iso, e_iso = _iso("start", start), _iso("end", end)
    found = get_person(store, person, code)
    with store.write_session() as s:
        audit = _Audit(s, user, reason)
        if found is None:
            pid = person_id(code, person)
            prow = s.get(m.Person, pid)
            if prow is None:
                s.add(m.Person(id=pid, name=person, country=code, state="manual",
                               variants=[{"name": person, "rule": "curated"}]))  # fmt: skip
                audit.log("add", "person", pid, None, None, {"name": person, "country": code})
        else:
            pid = found.id
        s.flush()
        _pin_person(s, pid, audit)
        tid = content_id("tenure", pid, role_c, code, "curated", s_iso or "", _now().isoformat())
        row = m.RoleTenure(
            id=tid,
            person_id=pid,
            role=role_c,
            country=code,
            start=s_iso,
            end=e_iso,
            start_from=bounds(s_iso)[0] if s_iso else None,
            end_to=bounds(e_iso)[1] if e_iso else None,
            basis="curated",
            note=note or f"curated by {audit.user}",
        )
        s.add(row)
        s.flush()
        audit.log("add", "tenure", tid, None, None,
                  {"person_id": pid, "role": role_c, "country": code, "start": s_iso,
                   "end": e_iso})  # fmt: skip
        s.flush()
        return _result("tenure", row, audit)


# --------------------------------------------------------------------------- merges


def merge(
    store: Store,
    event_id: str,
    into: str,
    *,
    user: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> CurationResult:
    """Count ``event_id`` as a report of ``into`` (a curator's merge, kept over dedup)."""
    if event_id == into:
        raise CurationError("an event cannot be merged into itself")
    with _tx(store, "event", event_id, expected_version) as s:
        audit = _Audit(s, user, reason)
        row = _load(s, "event", event_id)
        _check_version(row, "event", event_id, expected_version)
        target = _load(s, "event", into)
        for r in (row, target):
            _not_rejected(r, "event")
        seen, cur = {into}, target.merged_into_id
        while cur is not None and cur not in seen:  # no cycles
            if cur == event_id:
                raise CurationError(f"{into} is merged into {event_id}: that would be a cycle")
            seen.add(cur)
            cur = s.scalar(select(m.Event.merged_into_id).where(m.Event.id == cur))
        before = row.merged_into_id
        pin = dict((row.provenance or {}).get(PIN_KEY) or {})
        apart = [a for a in pin.get("apart") or [] if a != into]
        prov = dict(row.provenance or {})
        prov[PIN_KEY] = {"status": "corrected", "value": into, "apart": apart, "by": audit.user,
                         "at": _now().isoformat()}  # fmt: skip
        row.provenance = prov
        row.merged_into_id = into
        row.merge_reason = f"{CURATED_PREFIX}{audit.user}" + (f": {reason}" if reason else "")
        audit.log("merge", "event", event_id, "merged_into", before, into)
        s.flush()
        return _result("event", row, audit)


def unmerge(
    store: Store,
    event_id: str,
    *,
    user: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> CurationResult:
    """Undo a merge (automatic or curated): ``event_id`` counts as an event of its own
    again, and is never merged with that event again automatically."""
    with _tx(store, "event", event_id, expected_version) as s:
        audit = _Audit(s, user, reason)
        row = _load(s, "event", event_id)
        _check_version(row, "event", event_id, expected_version)
        if row.merged_into_id is None:
            merged = list(s.scalars(select(m.Event.id).where(m.Event.merged_into_id == event_id)))
            hint = (
                f"; reports merged into it: {', '.join(merged)} (unmerge those)" if merged else ""
            )
            raise CurationError(f"event {event_id} is not merged into another event{hint}")
        before = row.merged_into_id
        pin = dict((row.provenance or {}).get(PIN_KEY) or {})
        apart = sorted({*(pin.get("apart") or []), before})
        prov = dict(row.provenance or {})
        prov[PIN_KEY] = {"status": "corrected", "value": None, "apart": apart, "by": audit.user,
                         "at": _now().isoformat()}  # fmt: skip
        row.provenance = prov
        row.merged_into_id = None
        row.merge_reason = None
        audit.log("unmerge", "event", event_id, "merged_into", before, None)
        s.flush()
        return _result("event", row, audit)


# --------------------------------------------------------------------------- audit log


def audit_log(
    store: Store,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    limit: int | None = None,
) -> list[Change]:
    """Audit entries, newest first."""
    stmt = select(m.AuditEntry).order_by(m.AuditEntry.at.desc(), m.AuditEntry.id.desc())
    if entity:
        stmt = stmt.where(m.AuditEntry.entity == _entity(entity))
    if entity_id:
        stmt = stmt.where(m.AuditEntry.entity_id == entity_id)
    if actor:
        stmt = stmt.where(m.AuditEntry.actor == actor)
    if limit:
        stmt = stmt.limit(limit)
    with store.session() as s:
        return [_change(r) for r in s.scalars(stmt)]


def known_roles() -> list[str]:
    """Role codes ``add_tenure`` and ``defcoop people --role`` understand."""
    t = role_tables()
    return sorted(set(t.jp_person_roles) | set(t.foreign.values()))
