"""The store on SQLite and PostgreSQL: migrations, versions, curation-safe re-derivation,
atomic writes and Japanese full-text search.

These tests build documents, segments and events by hand so that they do not
depend on the reader, segmenter or extractor being worked on elsewhere.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from defcoop.errors import StoreError
from defcoop.records import Document, Event, Evidence, Participant, Segment
from defcoop.store import Store, WriteResult, event_ids, resolve_url
from defcoop.store import models as m
from defcoop.store.events import EventWriter
from defcoop.store.ids import segment_id
from defcoop.store.migrate import head_revision, include_object

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
KEY = "doc_a"

BASE_TEXT = """第1章 日豪防衛協力
2024年5月、木原防衛大臣は豪州のマールズ副首相兼国防大臣と会談を行った。
日豪「2+2」(2024年9月)
2024年8月、日比円滑化協定が署名された。
同年10月、日米豪比の共同訓練を実施した。
2024年11月、木原防衛大臣は豪州のマールズ副首相兼国防大臣と会談を行った。"""


# -- helpers -------------------------------------------------------------------------------------
def make_doc(text: str, key: str = KEY) -> Document:
    return Document(
        doc_id=key,
        text=text,
        source_path=f"/data/{key}.txt",
        title="テスト文書",
        encoding="utf-8",
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def line_segments(doc: Document) -> list[Segment]:
    """One segment per line; lines shorter than 20 chars with (YYYY年M月) are captions."""
    segs: list[Segment] = []
    pos = 0
    for n, line in enumerate(doc.text.split("\n"), 1):
        if line.strip():
            kind = "heading" if line.startswith("第") else "body"
            if re.search(r"\(\d{4}年\d+月\)$", line) and len(line) < 20:
                kind = "caption"
            segs.append(
                Segment(
                    doc.doc_id, len(segs), pos, pos + len(line), kind, ["第1章"], n,
                    sentences=[(pos, pos + len(line))],
                )
            )  # fmt: skip
        pos += len(line) + 1
    return segs


PARTNER_CUES = {"豪": "AUS", "比": "PHL", "米": "USA"}


def simple_events(doc: Document, segs: list[Segment]) -> list[Event]:
    """A toy extractor: a date + 会談/署名/訓練 in a body segment makes an event."""
    events: list[Event] = []
    year = None
    for seg in segs:
        if seg.kind != "body":
            continue
        line = doc.text[seg.start : seg.end]
        mdate = re.search(r"(?:(\d{4})年|同年)(\d+)月", line)
        if not mdate:
            continue
        year = mdate.group(1) or year
        date = f"{year}-{int(mdate.group(2)):02d}"
        for cue, kind in (("会談", "meeting"), ("署名", "agreement"), ("訓練", "exercise")):
            i = line.find(cue)
            if i < 0:
                continue
            partners = sorted({code for ch, code in PARTNER_CUES.items() if ch in line})
            start = seg.start + mdate.start()
            end = seg.start + i + len(cue)
            events.append(
                Event(
                    doc=doc.doc_id,
                    line=seg.line,
                    kind=kind,
                    date=date,
                    partners=partners,
                    jp_role="MOD_MIN" if "防衛大臣" in line else None,
                    jp_name="木原" if "木原" in line else None,
                    agreement={"type": "RAA", "status": "signed"} if kind == "agreement" else None,
                    quote=doc.text[start:end],
                    evidence=Evidence(
                        doc.doc_id, start, end, seg.line, seg.index, {"kind": f"cue:{cue}"}
                    ),
                    participants=[Participant("jp", role="MOD_MIN", name="木原")]
                    if "木原" in line
                    else [],
                )
            )
    return events


def write(store: Store, text: str, key: str = KEY) -> WriteResult:
    doc = make_doc(text, key)
    segs = line_segments(doc)
    return store.write_document(doc, segs, simple_events(doc, segs))


def table_counts(store: Store) -> dict[str, int]:
    tables = ["documents", "segments", "events", "event_partners", "event_participants", "evidence"]
    with store.session() as s:
        return {t: s.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in tables}


def event_ids_by_quote(store: Store) -> dict[str, str]:
    with store.session() as s:
        return {e.quote: e.id for e in s.scalars(select(m.Event))}


# -- configuration -------------------------------------------------------------------------------
def test_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEFCOOP_DB", raising=False)
    assert str(resolve_url()) == "sqlite:///defcoop.db"
    monkeypatch.setenv("DEFCOOP_DB", "postgresql://u:pw@db.example/defcoop")
    assert resolve_url().drivername == "postgresql+psycopg"
    assert resolve_url("postgres://u@h/x").drivername == "postgresql+psycopg"
    assert resolve_url("sqlite:////tmp/x.db").database == "/tmp/x.db"
    for bad in ("mysql://u@h/x", "not a url"):
        with pytest.raises(StoreError):
            resolve_url(bad)


def test_sqlite_settings(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as st, st.session() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_migrations_apply_from_empty(empty_db_url: str) -> None:
    with Store.open(empty_db_url) as st:
        with st.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            names = set(inspect(conn).get_table_names())
            mc = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            )
            diffs = compare_metadata(mc, m.Base.metadata)
        assert set(m.Base.metadata.tables) <= names
        assert diffs == [], "models and migrations disagree"
        st.migrate()  # idempotent
    with Store.open(empty_db_url) as again:  # reopening is a no-op
        assert again.counts().documents == 0


# -- documents and versions ----------------------------------------------------------------------
def test_write_list_show_count(store: Store) -> None:
    res = write(store, BASE_TEXT)
    assert (res.status, res.version) == ("new", 1)
    assert res.segments_by_kind == {"body": 4, "caption": 1, "heading": 1}
    assert res.events == 4 and res.sync.new == 4
    [doc] = store.list_documents()
    assert (doc.doc_key, doc.version, doc.segments, doc.events) == (KEY, 1, 6, 4)
    assert doc.char_count == len(BASE_TEXT) and doc.is_current and doc.title == "テスト文書"
    view = store.get_document(KEY, kinds=["caption"])
    assert view is not None
    assert [s.text for s in view.segments] == ["日豪「2+2」(2024年9月)"]
    full = store.get_document(KEY)
    assert full is not None and len(full.segments) == 6
    for s in full.segments:  # every segment text is the exact original slice
        assert BASE_TEXT[s.start : s.end] == s.text
        assert s.id == segment_id(doc.id, s.index)
    assert store.get_document("missing") is None
    counts = store.counts()
    assert (counts.documents, counts.versions, counts.segments, counts.events) == (1, 1, 6, 4)
    with store.session() as s:
        ev = s.scalars(select(m.Event).where(m.Event.kind == "agreement")).one()
        assert (ev.agreement_type, ev.agreement_status, ev.precision) == ("RAA", "signed", "month")
        assert str(ev.date_from) == "2024-08-01" and str(ev.date_to) == "2024-08-31"
        assert [p.partner_code for p in ev.partners] == ["PHL"]
        [evid] = ev.evidence
        assert BASE_TEXT[evid.start : evid.end] == evid.quote == ev.quote
        assert evid.line == 4 and evid.segment_id is not None
        assert ev.provenance["kind"] == {"rule": "cue:署名", "status": "automatic"}
        assert ev.axes["date"] == "automatic" and ev.state == "automatic"


def test_unchanged_content_writes_nothing(store: Store) -> None:
    write(store, BASE_TEXT)
    before = (table_counts(store), store.list_documents())
    res = write(store, BASE_TEXT)
    assert res.status == "unchanged"
    assert (table_counts(store), store.list_documents()) == before
    dup = write(store, BASE_TEXT, key="copy_of_a")  # same bytes under another name
    assert dup.status == "unchanged" and KEY in dup.note
    assert [d.doc_key for d in store.list_documents()] == [KEY]


def test_new_version_keeps_event_ids(store: Store) -> None:
    write(store, BASE_TEXT)
    ids_v1 = event_ids_by_quote(store)
    # A new paragraph at the top shifts every offset and line; one event disappears,
    # one is added.
    changed = (
        "はじめに:本章は防衛協力を扱う。\n"
        + BASE_TEXT.replace("同年10月、日米豪比の共同訓練を実施した。\n", "")
        + "\n2025年2月、日比の防衛相が会談を行った。"
    )
    res = write(store, changed)
    assert (res.status, res.version) == ("updated", 2)
    assert (res.sync.new, res.sync.matched, res.sync.removed) == (1, 3, 1)
    ids_v2 = event_ids_by_quote(store)
    for quote, eid in ids_v1.items():
        if "訓練" not in quote:
            assert ids_v2[quote] == eid, quote
    assert not any("訓練" in q for q in ids_v2)
    docs = store.list_documents(include_old=True)
    assert [(d.version, d.is_current) for d in docs] == [(1, False), (2, True)]
    assert [d.version for d in store.list_documents()] == [2]
    with store.session() as s:
        current = s.scalars(select(m.Document).where(m.Document.is_current.is_(True))).one()
        for ev in s.scalars(select(m.Event)):
            [evid] = ev.evidence  # re-pointed at the new version, exact text
            assert evid.document_id == current.id
            assert changed[evid.start : evid.end] == evid.quote
            assert evid.line == ev.line == changed.count("\n", 0, evid.start) + 1
    assert store.get_document(KEY, version=1) is not None  # old version kept for provenance


def test_same_key_events_ids_use_ordinal_not_offsets() -> None:
    doc = make_doc(BASE_TEXT)
    evs = simple_events(doc, line_segments(doc))
    twins = [e for e in evs if e.kind == "meeting"]
    twins[1].date = twins[0].date  # same identity -> told apart by the ordinal
    ids = event_ids(KEY, evs)
    assert len({i for i, _ in ids}) == len(evs)
    assert [o for (_i, o), e in zip(ids, evs, strict=True) if e.kind == "meeting"] == [0, 1]
    assert twins[0].evidence is not None
    twins[0].evidence.start += 100  # offsets do not matter
    assert event_ids(KEY, evs) == ids


def test_curation_survives_new_version(store: Store) -> None:
    write(store, BASE_TEXT)
    with store.session() as s:
        evs = {e.kind: e for e in s.scalars(select(m.Event))}
        meeting = s.scalars(select(m.Event).where(m.Event.date == "2024-05")).one()
        meeting.location = "シドニー"
        meeting.state = "corrected"
        meeting.provenance = {
            **meeting.provenance,
            "location": {"rule": None, "status": "corrected"},
        }
        evs["agreement"].state = "rejected"
        evs["exercise"].state = "verified"
        kept_ids = (meeting.id, evs["agreement"].id, evs["exercise"].id)
    # New version: the meeting's text changes (new quote), the exercise is gone.
    changed = BASE_TEXT.replace("会談を行った。\n", "会談を行い、連携を確認した。\n", 1).replace(
        "同年10月、日米豪比の共同訓練を実施した。\n", ""
    )
    res = write(store, changed)
    assert res.sync.retained == 1 and res.sync.removed == 0
    with store.session() as s:
        meeting = s.get_one(m.Event, kept_ids[0])
        assert meeting.location == "シドニー" and meeting.state == "corrected"
        assert meeting.quote in changed  # automatic fields still follow the text
        agreement = s.get_one(m.Event, kept_ids[1])
        assert agreement.state == "rejected"  # not resurrected
        exercise = s.get_one(m.Event, kept_ids[2])
        assert exercise.state == "verified" and exercise.orphaned  # kept, flagged
        assert exercise.evidence and exercise.evidence[0].quote.startswith("同年10月")
    # The sentence comes back: the verified event is found again, no longer orphaned.
    write(store, "前書き。\n" + BASE_TEXT)
    with store.session() as s:
        exercise = s.get_one(m.Event, kept_ids[2])
        assert not exercise.orphaned and exercise.state == "verified"
        assert exercise.line == exercise.evidence[0].line == 6  # pointers follow the text
        assert s.get_one(m.Event, kept_ids[1]).state == "rejected"


def test_revert_reactivates_old_version(store: Store) -> None:
    write(store, BASE_TEXT)
    write(store, BASE_TEXT + "\n2025年1月、日豪の防衛相が会談を行った。")
    res = write(store, BASE_TEXT)
    assert (res.status, res.version) == ("updated", 1) and "reverted" in res.note
    assert [(d.version, d.is_current) for d in store.list_documents(include_old=True)] == [
        (1, True),
        (2, False),
    ]
    assert store.counts().events == 4


def test_one_current_version_per_key_is_enforced(store: Store) -> None:
    write(store, BASE_TEXT)
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(
            m.Document(
                id="x", doc_key=KEY, version=9, content_hash="other", text="t", char_count=1,
                is_current=True,
            )
        )  # fmt: skip


def test_optimistic_locking_refuses_stale_edit(store: Store) -> None:
    write(store, BASE_TEXT)
    with store.session() as s:  # an editor loads the event (e.g. into a web form) ...
        stale = s.scalars(select(m.Event)).first()
    assert stale is not None and stale.version == 1
    eid = stale.id
    with store.session() as s:  # ... someone else saves a change meanwhile ...
        s.get_one(m.Event, stale.id).location = "東京"
    with pytest.raises(StaleDataError), store.session() as s:  # ... the stale save is refused
        s.add(stale)
        stale.location = "大阪"
    with store.session() as s:
        fresh = s.get_one(m.Event, eid)
        assert (fresh.location, fresh.version) == ("東京", 2)


# -- atomicity -----------------------------------------------------------------------------------
def test_failure_mid_write_leaves_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: EventWriter, events: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(EventWriter, "sync", boom)
    with pytest.raises(RuntimeError):
        write(store, BASE_TEXT)
    assert set(table_counts(store).values()) == {0}
    assert store.search_segments("円滑化協定") == []
    monkeypatch.undo()
    write(store, BASE_TEXT)  # a later good write is unaffected
    before = table_counts(store)
    monkeypatch.setattr(EventWriter, "sync", boom)
    with pytest.raises(RuntimeError):  # a failed new version keeps the old one current
        write(store, BASE_TEXT + "\n追記。")
    assert table_counts(store) == before
    assert [(d.version, d.is_current) for d in store.list_documents(include_old=True)] == [
        (1, True)
    ]


def test_bad_segment_span_is_refused(store: Store) -> None:
    doc = make_doc(BASE_TEXT)
    segs = line_segments(doc)
    segs[-1].end = len(BASE_TEXT) + 5
    with pytest.raises(StoreError, match="outside"):
        store.write_document(doc, segs, [])
    assert table_counts(store)["documents"] == 0


# -- search --------------------------------------------------------------------------------------
def test_search_segments_japanese(store: Store) -> None:
    write(store, BASE_TEXT)
    for path in sorted(CORPUS.glob("003_*.txt")):
        raw = path.read_text("utf-8")
        doc = make_doc(raw, path.stem)
        store.write_document(doc, line_segments(doc), [])
    hits = store.search_segments("円滑化協定")
    assert {h.doc_key for h in hits} == {KEY, "003_080ee2400643355f"}
    assert all("円滑化協定" in h.text for h in hits)
    assert [h.text for h in store.search_segments("日比円滑化協定 署名")] == [
        "2024年8月、日比円滑化協定が署名された。"
    ]
    assert len(store.search_segments("日豪")) >= 2  # two characters: below trigram size
    assert [h.kind for h in store.search_segments("2+2", kinds=["caption"])] == ["caption"]
    assert store.search_segments("円滑化協定 存在しない語") == []
    for weird in ('"', "%", "_", "a'b", '協定"OR"', "NEAR(", "*"):
        store.search_segments(weird)  # no syntax errors, no injection
    assert store.search_segments("%") == []
    # Old versions are not searched unless asked.
    write(store, BASE_TEXT.replace("日比円滑化協定", "日比物品役務相互提供協定"))
    keys = {(h.doc_key, h.version) for h in store.search_segments("日比円滑化協定")}
    assert keys == set()
    old = store.search_segments("日比円滑化協定", current_only=False)
    assert {(h.doc_key, h.version) for h in old} == {(KEY, 1)}


def test_search_index_follows_deletes(store: Store) -> None:
    write(store, BASE_TEXT)
    with store.session() as s:
        s.execute(m.Document.__table__.delete())
    assert store.search_segments("円滑化協定") == []
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Segment)) == 0
