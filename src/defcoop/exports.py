"""Research-grade exports: events, participants, evidence, agreements, frameworks and
framework links as CSV, JSON Lines, Parquet and XLSX, with standard codes.

Every table has a fixed schema (``SCHEMAS``: column name, type, description), which
``docs/data-dictionary.md`` documents column by column. Writers and ``read_table``
agree on one canonical form, so every export reads back to the same rows:

* ``str`` columns: empty strings are written and read as null;
* ``list`` columns: a JSON array in JSON Lines, ``list<string>`` in Parquet,
  ``;``-separated in CSV and XLSX (an empty cell is the empty list);
* ``json`` columns (objects): an object in JSON Lines, JSON text elsewhere;
* ``bool``: ``true``/``false`` in CSV, native elsewhere; ``int``: integers (in XLSX,
  integers beyond 2**53 — segment ids — are text, since spreadsheets store doubles).

CSV is UTF-8 without BOM, comma-separated, RFC 4180 quoting, one header row.

Events carry their stable id (``event_id``), ISO 3166-1 alpha-3 partner codes (or the
organization codes of the guidelines), the PLOVER event type and the CAMEO root and
code of ``data/codes_plover_cameo.yaml`` where a mapping exists.

(The module is ``exports``, not ``export``: a submodule named ``export`` would replace
the API function ``defcoop.export`` as an attribute of the package once imported.)
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from defcoop.query import EventQuery, QueryError, iter_events, source_sentences
from defcoop.query.agreements import agreement_book
from defcoop.query.partners import PartnerDirectory
from defcoop.store import Store
from defcoop.store import models as m

TABLES = ("events", "participants", "evidence", "agreements", "frameworks", "framework_links")
FORMATS = ("csv", "jsonl", "parquet", "xlsx")
_EXT = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet", "xlsx": ".xlsx"}
LIST_SEP = ";"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # str | int | bool | list | json
    description: str


def _c(name: str, type_: str, description: str) -> Column:
    return Column(name, type_, description)


SCHEMAS: dict[str, tuple[Column, ...]] = {
    "events": (
        _c("event_id", "str", "Stable event id (content hash; unchanged by re-ingestion)"),
        _c("doc_key", "str", "Document the event was extracted from (file name without extension)"),
        _c("line", "int", "1-based line of the primary source sentence in that document"),
        _c("kind", "str", "Event kind (meeting, two_plus_two, consultation, ...)"),
        _c(
            "plover_event_type", "str", "PLOVER event type (CONSULT, COOPERATE, AID, AGREE) or null"
        ),
        _c("plover_mode", "str", "PLOVER mode (meet, visit, military) or null"),
        _c("cameo_root", "str", "CAMEO root code, two digits (04, 05, 06, 07) or null"),
        _c(
            "cameo_code",
            "str",
            "Closest CAMEO code, three digits (040, 041, 042, 044, 057, 062, 072) or null",
        ),
        _c(
            "date",
            "str",
            "Start date, ISO 8601 at the precision of the text (YYYY, YYYY-MM, YYYY-MM-DD)",
        ),
        _c("end", "str", "End date of a span, same format, or null"),
        _c("precision", "str", "Precision of date: year, month, day or unresolved"),
        _c("date_from", "str", "Earliest day the date can mean (YYYY-MM-DD)"),
        _c("date_to", "str", "Latest day the date (or end) can mean (YYYY-MM-DD)"),
        _c("year", "int", "Year of date, or null when undated"),
        _c(
            "partners",
            "list",
            "Foreign parties: ISO 3166-1 alpha-3 codes, or ASEAN, ASEAN_SEC, NATO, EU, AU, UN, PIC",
        ),
        _c("partner_countries", "list", "The partners that are countries (ISO 3166-1 alpha-3)"),
        _c("partner_orgs", "list", "The partners that are organizations or groups"),
        _c("partner_names", "list", "English names of the partners, in the order of partners"),
        _c("regions", "list", "Regions of the partners (registry regions, sorted, distinct)"),
        _c("n_partners", "int", "Number of foreign partners"),
        _c("multilateral", "bool", "True when the event has 2 or more foreign partners"),
        _c(
            "jp_role",
            "str",
            "Role code of the highest-ranking Japanese participant (PM, MOD_MIN, CHOD, ...)",
        ),
        _c("jp_name", "str", "That person's family name as written"),
        _c(
            "level",
            "str",
            "Level of the Japanese side: leaders, ministers, vice_ministers, chiefs_of_staff, officials, units, unspecified",
        ),
        _c("service", "str", "Service of the Japanese side: joint, gsdf, msdf, asdf, or null"),
        _c("modality", "str", "in_person, video, phone, or null"),
        _c("location", "str", "Place as written in the source, or null"),
        _c(
            "occasion",
            "str",
            "Multilateral event on whose margins it happened, as written, or null",
        ),
        _c(
            "agreement_type",
            "str",
            "For agreements: RAA, ACSA, ISA, ETA, MOU, LOI, DECLARATION, ARRANGEMENT, OTHER",
        ),
        _c(
            "agreement_status",
            "str",
            "For agreements: substantially_agreed, signed, in_force, revised",
        ),
        _c("agreement_name", "str", "For agreements: the document's name as written, when given"),
        _c(
            "count", "int", "Number of occurrences when the text gives one (6回にわたる), else null"
        ),
        _c("quote", "str", "Shortest exact substring of the source that shows the event"),
        _c("sentence", "str", "The whole source sentence (Japanese)"),
        _c("n_sources", "int", "Number of evidence spans (sources) supporting the event"),
        _c("state", "str", "Curation state: automatic, verified, corrected, manual"),
        _c("orphaned", "bool", "True when the source sentence is gone from every current document"),
    ),
    "participants": (
        _c("participant_id", "str", "Stable participant id"),
        _c("event_id", "str", "The event (events.event_id)"),
        _c("ordinal", "int", "Order of the participant in the event"),
        _c("side", "str", "jp (Japanese principal) or partner (counterpart)"),
        _c(
            "partner_code",
            "str",
            "Partner code of a counterpart (ISO 3166-1 alpha-3 or organization)",
        ),
        _c("role_code", "str", "Role code (Japanese side) or title code, when known"),
        _c("title", "str", "Title as written (防衛大臣, 国防大臣 ...)"),
        _c("name", "str", "Name as written"),
        _c("former", "bool", "True when the text marks the role as held at the time (当時)"),
        _c("person_id", "str", "The person in the knowledge base, when resolved"),
        _c("state", "str", "Curation state of the participant"),
    ),
    "evidence": (
        _c("evidence_id", "str", "Stable evidence id"),
        _c("event_id", "str", "The event it supports (events.event_id)"),
        _c("doc_key", "str", "Document key"),
        _c("document_id", "str", "The document version (content id)"),
        _c("document_version", "int", "Version number of the document"),
        _c("is_current", "bool", "True when that version is the current one"),
        _c("line", "int", "1-based line of the span"),
        _c("page", "int", "PDF page, or null"),
        _c("start", "int", "Start offset of the span in the document text (characters, half-open)"),
        _c("end", "int", "End offset of the span (exclusive)"),
        _c("quote", "str", "The text of the span"),
        _c("rules", "json", "Extraction rule per field ({field: rule id})"),
        _c("origin", "str", "automatic (re-derived on ingest) or manual (added by a curator)"),
        _c("segment_id", "int", "The paragraph (segment) the span is in"),
    ),
    "agreements": (
        _c("partner", "str", "Partner code (ISO 3166-1 alpha-3 or organization)"),
        _c(
            "type",
            "str",
            "Agreement type: RAA, ACSA, ETA, ISA, MOU, LOI, DECLARATION, ARRANGEMENT, OTHER",
        ),
        _c("status", "str", "substantially_agreed, signed, in_force or revised"),
        _c("date", "str", "ISO date at the precision written; null when unresolved"),
        _c(
            "basis",
            "str",
            "event (the status was reached on date) or as_of (held at the latest by date)",
        ),
        _c("doc_key", "str", "Source document"),
        _c("line", "int", "Source line"),
        _c("quote", "str", "Source text"),
        _c("event_id", "str", "The agreement event (events.event_id), for basis event"),
        _c("source", "str", "How the history was built: kb.agreements or events"),
    ),
    "frameworks": (
        _c("framework_id", "str", "Framework id (JASMINE, JVS, FOIP, ...)"),
        _c("framework_name", "str", "Name as written"),
        _c("adopted", "str", "Date adopted or presented (ISO), or null"),
        _c("pillar", "int", "Pillar number, or null for a framework without pillars"),
        _c("pillar_title", "str", "Pillar title as written"),
        _c("line_of_effort", "str", "Line of effort (JASMINE), when the row is one"),
        _c("initiative", "str", "Initiative name as written, or null for the pillar's own row"),
        _c("initiative_new", "bool", "True when marked new (【新】)"),
        _c("initiative_pillars", "list", "Every pillar the initiative is under"),
    ),
    "framework_links": (
        _c("event_id", "str", "The event (events.event_id)"),
        _c("framework_id", "str", "Framework id"),
        _c("pillar", "int", "Pillar number, or null"),
        _c("initiative", "str", "Initiative (or cooperation area) as written, or null"),
        _c("rule", "str", "Id of the rule (or curator) that made the link"),
        _c("reason", "str", "Why: the ASEAN party or venue and the cue's source line"),
        _c("stored", "bool", "True when read from the store's curated links, false when computed"),
    ),
}


# --------------------------------------------------------------------------- codes


@lru_cache(maxsize=1)
def codes_table() -> dict[str, dict[str, Any]]:
    """kind -> {plover, plover_mode, cameo_root, cameo_code, by_modality, note}."""
    path = resources.files("defcoop").joinpath("data", "codes_plover_cameo.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): dict(v or {}) for k, v in (data.get("kinds") or {}).items()}


def event_codes(kind: str, modality: str | None = None) -> dict[str, str | None]:
    """PLOVER and CAMEO codes of an event kind (nulls when unmapped)."""
    row = codes_table().get(kind, {})
    cameo = row.get("cameo_code")
    if modality and modality in (row.get("by_modality") or {}):
        cameo = row["by_modality"][modality]
    return {
        "plover_event_type": row.get("plover"),
        "plover_mode": row.get("plover_mode"),
        "cameo_root": row.get("cameo_root"),
        "cameo_code": cameo,
    }


# --------------------------------------------------------------------------- rows


def _canon(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The canonical form of a row: schema columns in order, "" -> None, None list -> []."""
    out: dict[str, Any] = {}
    for col in SCHEMAS[table]:
        v = row.get(col.name)
        if col.type == "str":
            v = None if v is None or v == "" else str(v)
        elif col.type == "list":
            v = [str(x) for x in (v or [])]
        elif col.type == "int":
            v = None if v is None or v == "" else int(v)
        elif col.type == "bool":
            v = None if v is None else bool(v)
        elif col.type == "json":
            v = None if v is None else v
        out[col.name] = v
    return out


def _event_rows(store: Store, q: EventQuery) -> list[dict[str, Any]]:
    events = iter_events(store, q)
    ids = [e.id for e in events]
    sentences = source_sentences(store, ids)
    with store.session() as s:
        d = PartnerDirectory.load(s)
        n_sources: dict[str, int] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            n_sources.update(
                s.execute(
                    select(m.Evidence.event_id, func.count())
                    .where(m.Evidence.event_id.in_(chunk))
                    .group_by(m.Evidence.event_id)
                ).all()
            )
        dates = {
            eid: (lo, hi)
            for i in range(0, len(ids), 500)
            for eid, lo, hi in s.execute(
                select(m.Event.id, m.Event.date_from, m.Event.date_to).where(
                    m.Event.id.in_(ids[i : i + 500])
                )
            )
        }
    reg_kind = {p.code: p.kind for p in d.reg}
    rows = []
    for e in events:
        lo, hi = dates.get(e.id, (None, None))
        partners = list(e.partners)
        rows.append(
            _canon(
                "events",
                {
                    "event_id": e.id,
                    "doc_key": e.doc_key,
                    "line": e.line,
                    "kind": e.kind,
                    **event_codes(e.kind, e.modality),
                    "date": e.date,
                    "end": e.end,
                    "precision": e.precision,
                    "date_from": lo.isoformat() if lo else None,
                    "date_to": hi.isoformat() if hi else None,
                    "year": int(e.date[:4]) if e.date else None,
                    "partners": partners,
                    "partner_countries": [
                        c for c in partners if reg_kind.get(c, "country") == "country"
                    ],
                    "partner_orgs": [
                        c for c in partners if reg_kind.get(c, "country") != "country"
                    ],
                    "partner_names": list(e.partner_names),
                    "regions": sorted({r for c in partners if (r := d.region(c))}),
                    "n_partners": len(partners),
                    "multilateral": len(partners) >= 2,
                    "jp_role": e.jp_role,
                    "jp_name": e.jp_name,
                    "level": e.level,
                    "service": e.service,
                    "modality": e.modality,
                    "location": e.location,
                    "occasion": e.occasion,
                    "agreement_type": e.agreement_type,
                    "agreement_status": e.agreement_status,
                    "agreement_name": e.agreement_name,
                    "count": e.count,
                    "quote": e.quote,
                    "sentence": sentences.get(e.id),
                    "n_sources": n_sources.get(e.id, 0),
                    "state": e.state,
                    "orphaned": e.orphaned,
                },
            )
        )
    return rows


def _event_ids(store: Store, q: EventQuery) -> list[str]:
    return [e.id for e in iter_events(store, q)]


def _participant_rows(store: Store, q: EventQuery) -> list[dict[str, Any]]:
    ids = _event_ids(store, q)
    order = {eid: i for i, eid in enumerate(ids)}
    rows: list[dict[str, Any]] = []
    with store.session() as s:
        for i in range(0, len(ids), 500):
            for p in s.scalars(
                select(m.Participant).where(m.Participant.event_id.in_(ids[i : i + 500]))
            ):
                rows.append(
                    _canon(
                        "participants",
                        {
                            "participant_id": p.id,
                            "event_id": p.event_id,
                            "ordinal": p.ordinal,
                            "side": p.side,
                            "partner_code": p.partner_code,
                            "role_code": p.role_code,
                            "title": p.title,
                            "name": p.name,
                            "former": p.former,
                            "person_id": p.person_id,
                            "state": p.state,
                        },
                    )
                )
    rows.sort(key=lambda r: (order[r["event_id"]], r["ordinal"]))
    return rows


def _evidence_rows(store: Store, q: EventQuery) -> list[dict[str, Any]]:
    ids = _event_ids(store, q)
    order = {eid: i for i, eid in enumerate(ids)}
    rows: list[dict[str, Any]] = []
    with store.session() as s:
        for i in range(0, len(ids), 500):
            stmt = (
                select(m.Evidence, m.Document.doc_key, m.Document.version, m.Document.is_current)
                .join(m.Document, m.Document.id == m.Evidence.document_id)
                .where(m.Evidence.event_id.in_(ids[i : i + 500]))
            )
            for e, key, version, current in s.execute(stmt):
                rows.append(
                    _canon(
                        "evidence",
                        {
                            "evidence_id": e.id,
                            "event_id": e.event_id,
                            "doc_key": key,
                            "document_id": e.document_id,
                            "document_version": version,
                            "is_current": current,
                            "line": e.line,
                            "page": e.page,
                            "start": e.start,
                            "end": e.end,
                            "quote": e.quote,
                            "rules": dict(e.rules or {}),
                            "origin": e.origin,
                            "segment_id": e.segment_id,
                        },
                    )
                )
    rows.sort(key=lambda r: (order[r["event_id"]], r["doc_key"], r["start"]))
    return rows


def _agreement_rows(store: Store, q: EventQuery) -> list[dict[str, Any]]:
    book = agreement_book(store)
    source = "kb.agreements" if book.source == "kb.agreements" else "events"
    return [
        _canon(
            "agreements",
            {
                "partner": e.partner,
                "type": e.type,
                "status": e.status,
                "date": e.date,
                "basis": e.kind,
                "doc_key": e.doc,
                "line": e.line,
                "quote": e.quote,
                "event_id": e.event_id,
                "source": source,
            },
        )
        for e in book.entries()
    ]


def _framework_rows(store: Store, q: EventQuery) -> list[dict[str, Any]]:
    from defcoop.frameworks import parse_all

    with store.session() as s:
        docs = dict(
            s.execute(
                select(m.Document.doc_key, m.Document.text).where(m.Document.is_current.is_(True))
            ).all()
        )
    rows: list[dict[str, Any]] = []
    for fw in sorted(parse_all(docs), key=lambda f: f.id):
        base = {"framework_id": fw.id, "framework_name": fw.name, "adopted": fw.adopted}
        if not fw.pillars:
            rows.append(_canon("frameworks", base))
            continue
        for p in fw.pillars:
            prow = {**base, "pillar": p.number, "pillar_title": p.title}
            rows.append(_canon("frameworks", prow))
            for lo in p.lines_of_effort:
                rows.append(_canon("frameworks", {**prow, "line_of_effort": lo.title}))
            for ini in fw.initiatives_of(p.number):
                rows.append(
                    _canon(
                        "frameworks",
                        {
                            **prow,
                            "initiative": ini.name,
                            "initiative_new": ini.new,
                            "initiative_pillars": [str(n) for n in ini.pillars],
                        },
                    )
                )
    return rows


def _link_rows(store: Store, q: EventQuery) -> list[dict[str, Any]]:
    from defcoop.query import frameworks as fw

    events = iter_events(store, q)
    rows: list[dict[str, Any]] = []
    with store.session() as s:
        for e in events:
            ev = {
                "id": e.id,
                "kind": e.kind,
                "date": e.date,
                "quote": e.quote,
                "occasion": e.occasion,
                "partners": list(e.partners),
            }
            for lk in fw.links_of(s, ev):
                if lk.state == "rejected":
                    continue
                rows.append(
                    _canon(
                        "framework_links",
                        {
                            "event_id": e.id,
                            "framework_id": lk.framework,
                            "pillar": lk.pillar,
                            "initiative": lk.initiative,
                            "rule": lk.rule,
                            "reason": lk.reason,
                            "stored": lk.stored,
                        },
                    )
                )
    return rows


_BUILDERS: dict[str, Callable[[Store, EventQuery], list[dict[str, Any]]]] = {
    "events": _event_rows,
    "participants": _participant_rows,
    "evidence": _evidence_rows,
    "agreements": _agreement_rows,
    "frameworks": _framework_rows,
    "framework_links": _link_rows,
}


def table_rows(store: Store, table: str, q: EventQuery | None = None) -> list[dict[str, Any]]:
    """The rows of one export table (canonical form), for the events matching ``q``
    (default: every event but rejected and merged ones). Agreements and frameworks
    are not filtered by ``q``."""
    if table not in _BUILDERS:
        raise QueryError(f"unknown table {table!r} (tables: {', '.join(TABLES)})")
    return _BUILDERS[table](store, (q or EventQuery()).unpaged())


# --------------------------------------------------------------------------- writers


def _flat(col: Column, v: Any) -> Any:
    """Cell value for CSV / XLSX."""
    if v is None:
        return None
    if col.type == "list":
        return LIST_SEP.join(v)
    if col.type == "json":
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return v


def _write_csv(table: str, rows: Sequence[dict[str, Any]], path: Path) -> None:
    cols = SCHEMAS[table]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([c.name for c in cols])
        for r in rows:
            cells = []
            for c in cols:
                v = _flat(c, r[c.name])
                if isinstance(v, bool):
                    v = "true" if v else "false"
                cells.append("" if v is None else v)
            w.writerow(cells)


def _write_jsonl(table: str, rows: Sequence[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _arrow_schema(table: str) -> Any:
    import pyarrow as pa

    types = {
        "str": pa.string(),
        "int": pa.int64(),
        "bool": pa.bool_(),
        "list": pa.list_(pa.string()),
        "json": pa.string(),
    }
    return pa.schema(
        [
            pa.field(c.name, types[c.type], metadata={"description": c.description})
            for c in SCHEMAS[table]
        ]
    )


def _write_parquet(table: str, rows: Sequence[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = SCHEMAS[table]
    data = {
        c.name: [
            json.dumps(r[c.name], ensure_ascii=False, sort_keys=True)
            if c.type == "json" and r[c.name] is not None
            else r[c.name]
            for r in rows
        ]
        for c in cols
    }
    pq.write_table(pa.Table.from_pydict(data, schema=_arrow_schema(table)), path)


#: Spreadsheets hold numbers as doubles: larger integers are written as text.
_MAX_EXACT = 2**53


def _xlsx_cell(v: Any) -> Any:
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > _MAX_EXACT:
        return str(v)
    return v


def _write_xlsx(table: str, rows: Sequence[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    cols = SCHEMAS[table]
    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None
    ws.title = table[:31]
    ws.append([c.name for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([_xlsx_cell(_flat(c, r[c.name])) for c in cols])
    ws.freeze_panes = "A2"
    info = wb.create_sheet("columns")
    info.append(["column", "type", "description"])
    for c in cols:
        info.append([c.name, c.type, c.description])
    wb.save(path)


_WRITERS = {
    "csv": _write_csv,
    "jsonl": _write_jsonl,
    "parquet": _write_parquet,
    "xlsx": _write_xlsx,
}


def write_table(
    table: str, rows: Sequence[dict[str, Any]], path: str | Path, fmt: str | None = None
) -> Path:
    """Write canonical ``rows`` of ``table`` to ``path`` (format from ``fmt`` or the suffix)."""
    p = Path(path)
    kind = _format(p, fmt)
    p.parent.mkdir(parents=True, exist_ok=True)
    _WRITERS[kind](table, rows, p)
    return p


def _format(path: Path, fmt: str | None) -> str:
    kind = (fmt or path.suffix.lstrip(".")).lower()
    kind = {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(kind, kind)
    if kind not in FORMATS:
        raise QueryError(f"export format {kind!r}: use {', '.join(FORMATS)}")
    return kind


def export(
    store: Store,
    dest: str | Path,
    *,
    tables: Iterable[str] = TABLES,
    fmt: str = "csv",
    q: EventQuery | None = None,
) -> list[Path]:
    """Write each table to ``dest/<table>.<ext>`` (``dest`` is a folder). Returns the paths."""
    kind = _format(Path("x." + fmt), fmt)
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for t in tables:
        rows = table_rows(store, t, q)
        written.append(write_table(t, rows, out / f"{t}{_EXT[kind]}", kind))
    return written


# --------------------------------------------------------------------------- readers


def _parse(col: Column, v: Any, from_text: bool) -> Any:
    if v is None or (from_text and v == ""):
        return [] if col.type == "list" else None
    if col.type == "list":
        if isinstance(v, list):
            return [str(x) for x in v]
        return [x for x in str(v).split(LIST_SEP) if x != ""]
    if col.type == "json":
        return json.loads(v) if isinstance(v, str) else v
    if col.type == "int":
        return int(v)
    if col.type == "bool":
        if isinstance(v, str):
            return v.strip().lower() == "true"
        return bool(v)
    return str(v)


def _table_of(path: Path, table: str | None) -> str:
    name = table or path.stem
    if name not in SCHEMAS:
        raise QueryError(f"{path}: cannot tell the table (name it: {', '.join(TABLES)})")
    return name


def read_table(
    path: str | Path, table: str | None = None, fmt: str | None = None
) -> list[dict[str, Any]]:
    """Read an export back to canonical rows (the table defaults to the file's stem)."""
    p = Path(path)
    kind = _format(p, fmt)
    t = _table_of(p, table)
    cols = SCHEMAS[t]
    raw: list[dict[str, Any]]
    if kind == "csv":
        with p.open(encoding="utf-8", newline="") as f:
            raw = list(csv.DictReader(f))
        return [{c.name: _parse(c, r.get(c.name), True) for c in cols} for r in raw]
    if kind == "jsonl":
        with p.open(encoding="utf-8") as f:
            raw = [json.loads(line) for line in f if line.strip()]
        return [{c.name: _parse(c, r.get(c.name), False) for c in cols} for r in raw]
    if kind == "parquet":
        import pyarrow.parquet as pq

        raw = pq.read_table(p).to_pylist()
        return [{c.name: _parse(c, r.get(c.name), False) for c in cols} for r in raw]
    from openpyxl import load_workbook

    wb = load_workbook(p, read_only=True)
    ws = wb[t[:31]] if t[:31] in wb.sheetnames else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(it)]
    out = []
    for values in it:
        r = dict(zip(header, values, strict=False))
        out.append({c.name: _parse(c, r.get(c.name), True) for c in cols})
    wb.close()
    return out


def data_dictionary_markdown() -> str:
    """The column tables of ``docs/data-dictionary.md`` (generated from ``SCHEMAS``)."""
    out = []
    for t in TABLES:
        out += [f"### `{t}`", "", "| column | type | description |", "|---|---|---|"]
        out += [f"| `{c.name}` | {c.type} | {c.description} |" for c in SCHEMAS[t]]
        out.append("")
    return "\n".join(out)
