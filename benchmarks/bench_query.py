"""Query latency (p50/p95) at 10^4, 10^5 and 10^6 synthetic events, SQLite and PostgreSQL.

Rows are bulk-generated straight into a migrated store (executemany on SQLite, COPY
on PostgreSQL; a throw-away server from ``defcoop.testing.pgserver``); the store's
triggers fire as for any write, so the event tallies and partner timelines the queries
read are built the way ingest builds them (``load_s`` includes them). Documents,
paragraph segments (sentences of the bundled corpus with dates and partners varied,
so the trigram index sees real Japanese), events with 1-3 partners, and one evidence
span per event pointing at its paragraph. Distributions: partners Zipf-like over 60
codes, kinds weighted like the white paper, dates 1995-2025 at day/month/year
precision (2% unresolved), Japanese roles of every level, 97% automatic.

The store grows 10^4 -> 10^5 -> 10^6 and each size is measured with the query layer
(``defcoop.query``: ``search_events`` one page of 50 with its total, ``facets``) and the
store's ``search_segments``. Every query is run ``--reps`` times with varied values;
each run opens its own session (no result cache anywhere: only indexes and the page
cache of a warm database).

    uv run python benchmarks/bench_query.py                  # both backends, up to 10^6
    uv run python benchmarks/bench_query.py --quick          # 10^4 and 10^5, fewer reps
    uv run python benchmarks/bench_query.py --backends sqlite --sizes 10000,100000
    uv run python benchmarks/bench_query.py --explain        # plans of the slowest queries

Writes ``benchmarks/out/query.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from _common import MemorySampler, Timer, latency_summary, markdown_table, write_result
from synth import corpus_paragraphs, vary

from defcoop.records import content_id
from defcoop.store import Store

SIZES = (10_000, 100_000, 1_000_000)
TARGET_P95_MS = 50.0
EVENTS_PER_DOC = 1000
EVENTS_PER_SEGMENT = 2

# Partner codes by frequency (Zipf-like: the first are the usual partners).
PARTNERS = [
    "USA",
    "AUS",
    "IND",
    "PHL",
    "GBR",
    "FRA",
    "VNM",
    "IDN",
    "KOR",
    "CAN",
    "NZL",
    "DEU",
    "ITA",
    "SGP",
    "MYS",
    "THA",
    "ASEAN",
    "NATO",
    "EU",
    "BRN",
    "KHM",
    "LAO",
    "MMR",
    "MNG",
    "LKA",
    "BGD",
    "PAK",
    "NPL",
    "MDV",
    "FJI",
    "PNG",
    "TON",
    "UKR",
    "POL",
    "SWE",
    "FIN",
    "NLD",
    "ESP",
    "NOR",
    "DNK",
    "BRA",
    "MEX",
    "SAU",
    "ARE",
    "QAT",
    "JOR",
    "TUR",
    "EGY",
    "DJI",
    "KEN",
    "CHL",
    "PER",
    "ARG",
    "ISR",
    "OMN",
    "KWT",
    "BHR",
    "TLS",
    "SLB",
    "VUT",
]
KINDS = {
    "meeting": 30,
    "exercise": 18,
    "visit": 10,
    "consultation": 8,
    "courtesy_call": 7,
    "conference": 6,
    "capacity_building": 6,
    "port_call": 5,
    "agreement": 3,
    "two_plus_two": 1,
    "equipment_transfer": 2,
    "seminar": 2,
    "other": 2,
}
ROLES = [
    "PM",
    "MOD_MIN",
    "MOFA_MIN",
    "MOD_SVM",
    "MOD_PVM",
    "MOD_AVM",
    "MOD_VMIA",
    "ATLA",
    "CHOD",
    "GSDF_COS",
    "MSDF_COS",
    "ASDF_COS",
    "MOD",
    "GOV",
]
STATES = {"automatic": 970, "verified": 15, "corrected": 7, "rejected": 5, "manual": 3}
AGREEMENTS = ("RAA", "ACSA", "ETA", "ISA", "MOU")
TEXT_TERMS = ("共同訓練", "防衛相会談", "能力構築支援", "寄港", "円滑化協定", "海上自衛隊")


# -- data -----------------------------------------------------------------------------------------
class Generator:
    """Deterministic synthetic rows; ``batch(start, n)`` gives rows for events start..start+n."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        sentences: list[str] = []
        for para in corpus_paragraphs():
            sentences.extend(s + "。" for s in para.split("。") if len(s) >= 20)
        self.sentences = sentences
        self.partner_weights = [1 / (i + 1) for i in range(len(PARTNERS))]
        self.now = datetime(2025, 6, 1, tzinfo=UTC)

    def date(self) -> tuple[str | None, date | None, date | None, str]:
        r = self.rng.random()
        if r < 0.02:
            return None, None, None, "unresolved"
        d = date(1995, 1, 1) + timedelta(days=self.rng.randrange(31 * 365))
        if r < 0.10:
            return f"{d.year:04d}", date(d.year, 1, 1), date(d.year, 12, 31), "year"
        if r < 0.40:
            first = date(d.year, d.month, 1)
            nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
            return f"{d.year:04d}-{d.month:02d}", first, nxt - timedelta(days=1), "month"
        return d.isoformat(), d, d, "day"

    def batch(self, start: int, n: int) -> dict[str, list[tuple[Any, ...]]]:
        rng = self.rng
        out: dict[str, list[tuple[Any, ...]]] = {
            "documents": [],
            "segments": [],
            "events": [],
            "event_partners": [],
            "evidence": [],
        }
        kinds, kind_w = list(KINDS), list(KINDS.values())
        states, state_w = list(STATES), list(STATES.values())
        for i in range(start, start + n):
            doc_no = i // EVENTS_PER_DOC
            doc_key = f"bench_{doc_no:06d}"
            doc_id = content_id("bench-doc", doc_no)
            if i % EVENTS_PER_DOC == 0:
                out["documents"].append((doc_id, doc_key, content_id("hash", doc_no, length=64)))
            seg_no = i // EVENTS_PER_SEGMENT
            line = (i % EVENTS_PER_DOC) // EVENTS_PER_SEGMENT + 1
            if i % EVENTS_PER_SEGMENT == 0:
                text = vary(rng.choice(self.sentences), rng)
                out["segments"].append(
                    (seg_no + 1, doc_id, line - 1, line * 200, line * 200 + len(text), line, text)
                )
            iso, d_from, d_to, prec = self.date()
            kind = rng.choices(kinds, kind_w)[0]
            ag_type = rng.choice(AGREEMENTS) if kind == "agreement" else None
            ag_status = rng.choice(("signed", "in_force")) if ag_type else None
            role = rng.choice(ROLES) if rng.random() < 0.8 else None
            state = rng.choices(states, state_w)[0]
            eid = content_id("bench-event", i)
            quote = vary(rng.choice(self.sentences), rng)[:60]
            modality = rng.choice((None, None, None, "video", "phone"))
            out["events"].append(
                (eid, doc_key, i % EVENTS_PER_DOC, line, kind, iso, prec, d_from, d_to, modality,
                 ag_type, ag_status, role, quote, state)
            )  # fmt: skip
            k = rng.choices((1, 2, 3), (70, 22, 8))[0]
            codes = set(rng.choices(PARTNERS, self.partner_weights, k=k))
            out["event_partners"].extend((eid, c) for c in sorted(codes))
            out["evidence"].append(
                (content_id("bench-ev", i), eid, doc_id, seg_no + 1, line * 200, line * 200 + 40,
                 line, quote)
            )  # fmt: skip
        return out


COLUMNS = {
    "documents": [
        "id",
        "doc_key",
        "version",
        "content_hash",
        "source_path",
        "media_type",
        "language",
        "ingested_at",
        "is_current",
        "text",
        "char_count",
        "page_starts",
        "meta",
    ],
    "segments": [
        "id",
        "document_id",
        '"index"',
        "start",
        '"end"',
        "kind",
        "section_path",
        "section_id",
        "line",
        "sentences",
        "text",
    ],
    "events": [
        "id",
        "doc_key",
        "ordinal",
        "line",
        "kind",
        "date",
        "precision",
        "date_from",
        "date_to",
        "modality",
        "agreement_type",
        "agreement_status",
        "jp_role",
        "quote",
        "state",
        "version",
        "orphaned",
        "provenance",
        "axes",
        "created_at",
        "updated_at",
    ],
    "event_partners": ["event_id", "partner_code"],
    "evidence": [
        "id",
        "event_id",
        "document_id",
        "segment_id",
        "start",
        '"end"',
        "line",
        "quote",
        "rules",
        "origin",
        "created_at",
    ],
}


def _full_rows(table: str, rows: list[tuple[Any, ...]], now: Any) -> list[tuple[Any, ...]]:
    """Add the constant columns of ``COLUMNS`` to the generated rows."""
    if table == "documents":
        return [
            (i, k, 1, h, "", "text/plain", "ja", now, True, "", 0, "[]", "{}") for i, k, h in rows
        ]
    if table == "segments":
        return [(i, d, x, s, e, "body", "[]", 0, ln, "[]", t) for i, d, x, s, e, ln, t in rows]
    if table == "events":
        return [(*r, 1, False, "{}", "{}", now, now) for r in rows]
    if table == "evidence":
        return [(*r, "{}", "automatic", now) for r in rows]
    return rows


ORDER = ("documents", "segments", "events", "event_partners", "evidence")


def load(store: Store, gen: Generator, start: int, n: int, chunk: int = 50_000) -> float:
    """Insert events ``start..start+n`` (and their rows) in chunks; seconds taken."""
    t = Timer()
    pg = store.backend == "postgresql"
    if pg:  # building the trigram index once is much faster than growing it row by row
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX IF EXISTS ix_segments_text_trgm")
    for at in range(start, start + n, chunk):
        rows = gen.batch(at, min(chunk, start + n - at))
        with store.engine.begin() as conn:
            raw: Any = conn.connection.dbapi_connection
            cur = raw.cursor()
            for table in ORDER:
                cols = COLUMNS[table]
                now = gen.now if pg else gen.now.strftime("%Y-%m-%d %H:%M:%S.%f")
                full = _full_rows(table, rows[table], now)
                if not full:
                    continue
                if pg:
                    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in full:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" for _ in cols)
                    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"
                    cur.executemany(sql, [_sqlite_row(r) for r in full])
    with store.engine.begin() as conn:
        if pg:
            conn.exec_driver_sql(
                "CREATE INDEX ix_segments_text_trgm ON segments USING gin (text gin_trgm_ops)"
            )
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
    return t.seconds


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(v.isoformat() if isinstance(v, date) else v for v in row)


# -- queries --------------------------------------------------------------------------------------
QueryFn = Callable[[Store, random.Random], object]


def _partner(rng: random.Random) -> str:
    # half the time one of the five big partners, else any
    return rng.choice(PARTNERS[:5]) if rng.random() < 0.5 else rng.choice(PARTNERS)


def _year(rng: random.Random) -> int:
    return rng.randint(1996, 2024)


def queries() -> dict[str, tuple[str, QueryFn]]:
    """name -> (family, function). Uses ``defcoop.query``."""
    from defcoop.query.events import facets, search_events

    def page(**kw: Any) -> Callable[[Store], object]:
        return lambda st: search_events(st, limit=50, **kw)

    return {
        "list: partner": ("filtered", lambda st, r: page(partner=_partner(r))(st)),
        "list: partner + since": (
            "filtered",
            lambda st, r: page(partner=_partner(r), since=str(_year(r)))(st),
        ),
        "list: kind + 2 years": (
            "filtered",
            lambda st, r: page(
                kind=r.choice(list(KINDS)), since=str(y := _year(r)), until=str(y + 1)
            )(st),
        ),
        "list: level + partner": (
            "filtered",
            lambda st, r: page(level="ministers", partner=_partner(r))(st),
        ),
        "list: no filter, by date": ("filtered", lambda st, r: page(sort="-date")(st)),
        "facets: partner": ("facets", lambda st, r: facets(st, partner=_partner(r))),
        "facets: kind + since": (
            "facets",
            lambda st, r: facets(st, kind=r.choice(list(KINDS)), since=str(_year(r))),
        ),
        "facets: 1 year": (
            "facets",
            lambda st, r: facets(st, since=str(y := _year(r)), until=str(y)),
        ),
        "facets: no filter": ("facets", lambda st, r: facets(st)),
        "text: events": ("text", lambda st, r: page(text=r.choice(TEXT_TERMS))(st)),
        "text: events + partner": (
            "text",
            lambda st, r: page(text=r.choice(TEXT_TERMS), partner=_partner(r))(st),
        ),
        "text: segments": (
            "text",
            lambda st, r: st.search_segments(r.choice(TEXT_TERMS), limit=50),
        ),
    }


def measure(store: Store, reps: int, budget_s: float, seed: int = 1) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, (family, fn) in queries().items():
        rng = random.Random(seed)
        fn(store, rng)  # warm the page cache and the plan
        times: list[float] = []
        cpu: list[float] = []
        started = Timer()
        for _ in range(reps):
            t, c = Timer(), time.thread_time()
            fn(store, rng)
            times.append(t.seconds)
            cpu.append(time.thread_time() - c)
            if started.seconds > budget_s and len(times) >= 3:
                break
        row = {"query": name, "family": family, **latency_summary(times)}
        # CPU of this thread: the whole query on SQLite (in-process), the client part on
        # PostgreSQL. Unlike wall time, other load on the machine does not inflate it.
        row["cpu_p95_ms"] = latency_summary(cpu)["p95_ms"]
        rows.append(row)
    return rows


@contextlib.contextmanager
def open_backend(backend: str) -> Iterator[Store]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="defcoop-bench-") as tmp:
            st = Store.open(f"sqlite:///{tmp}/bench.db")
            try:
                yield st
            finally:
                st.close()
        return
    from defcoop.testing.pgserver import temporary_server

    with temporary_server("-c shared_buffers=512MB -c work_mem=32MB") as server:
        name = server.create_db()
        st = Store.open(server.url(name))
        try:
            yield st
        finally:
            st.close()
            with contextlib.suppress(Exception):
                server.drop_db(name)


def explain(store: Store, rng: random.Random) -> None:
    """Print the plans of representative queries (for index work)."""
    from sqlalchemy import select

    from defcoop.query.events import E, compile_filters
    from defcoop.query.model import EventQuery

    with store.session() as s:
        for q in (
            EventQuery.build(partner="USA"),
            EventQuery.build(partner="PHL", since="2020"),
            EventQuery.build(kind="exercise", since="2010", until="2011"),
            EventQuery(),
        ):
            conds = compile_filters(s, q)
            stmt = select(E.id).where(*conds).order_by(E.date_from.desc()).limit(50)
            sql = str(stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN QUERY PLAN " if store.backend == "sqlite" else "EXPLAIN ANALYZE "
            print(f"-- {q}\n{sql}")
            for row in s.connection().exec_driver_sql(prefix + sql):
                print("   ", *row)


def run(
    backends: Sequence[str], sizes: Sequence[int], reps: int, budget_s: float, do_explain: bool
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for backend in backends:
        gen = Generator()
        with open_backend(backend) as store, MemorySampler().running() as mem:
            have = 0
            for size in sizes:
                seconds = load(store, gen, have, size - have)
                have = size
                print(f"[{backend}] {size:,} events loaded in {seconds:.1f} s", file=sys.stderr)
                for row in measure(store, reps, budget_s):
                    row.update(backend=backend, events=size, load_s=round(seconds, 1))
                    row["meets_target"] = row["p95_ms"] <= TARGET_P95_MS
                    results.append(row)
                    print(json.dumps(row), flush=True)
                if do_explain:
                    explain(store, random.Random(0))
            print(f"[{backend}] peak RSS {mem.peak_total_mb:.0f} MB", file=sys.stderr)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10^4 and 10^5 only, 5 reps")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--sizes", help="comma-separated event counts (default 10^4,10^5,10^6)")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--budget", type=float, default=30.0, help="seconds per query and size")
    ap.add_argument("--explain", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(SIZES)
    reps = args.reps
    if args.quick:
        sizes, reps = [s for s in sizes if s <= 100_000], min(reps, 5)
    rows = run(args.backends.split(","), sizes, reps, args.budget, args.explain)
    write_result("query", {"rows": rows, "target_p95_ms": TARGET_P95_MS, "reps": reps})
    cols = ["backend", "events", "query", "p50_ms", "p95_ms", "meets_target"]
    print(markdown_table(rows, cols))


if __name__ == "__main__":
    main()
