"""Frameworks in the store (SQLite and PostgreSQL): import from the stored documents with
source spans, idempotent sync, event -> pillar links on the bundled corpus, curated links
(audited, never overwritten nor resurrected, kept across re-ingestion), status overrides.

The expected initiatives, pillars, areas and commitments are the lists typed from the
documents in tests/test_frameworks.py; the expected links were read from 004.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from _analyst import BACKENDS, corpus_store
from defcoop.extract.partners import registry
from defcoop.frameworks.links import load_link_data
from defcoop.ingest import Extracted, extract_path, ingest_paths, write_extracted
from defcoop.kb import frameworks as kf
from defcoop.kb.resolve import resolve
from defcoop.readers import iter_paths
from defcoop.store import Store
from defcoop.store import models as m
from test_frameworks import (
    JASMINE_INITIATIVES,
    JASMINE_LINES,
    JASMINE_PILLARS,
    JVS_AREAS,
    JVS_COMMITMENTS,
    JVS_DOC,
    OSA,
)

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
JASMINE_DOC = "000_2018f9a9ee2e4c64"
REVIEW_DOC = "001_965bdcae5678aeac"
WP_DOC = "004_3f20f60fb676c9fe"


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The whole corpus ingested once per backend (read-only)."""
    return corpus_store(request, tmp_path_factory)


@pytest.fixture(scope="module")
def small() -> list[Extracted]:
    """000-003 extracted once (the frameworks and the review meeting's bilateral talks)."""
    return [
        extract_path(str(p)) for p in iter_paths([CORPUS]) if not Path(p).name.startswith("004")
    ]


def _load(store: Store, items: list[Extracted]) -> None:
    for item in items:
        assert write_extracted(store, item).status == "new"
    resolve(store)


def _fw(store: Store, name: str) -> Any:
    fw = kf.find_stored(store, name)
    assert fw is not None, name
    return fw


def _text(store: Store, doc_key: str) -> str:
    with store.session() as s:
        return s.scalar(
            select(m.Document.text).where(m.Document.doc_key == doc_key, m.Document.is_current)
        )


def _event(store: Store, doc: str, line: int, kind: str) -> str:
    with store.session() as s:
        ids = list(
            s.scalars(
                select(m.Event.id).where(
                    m.Event.doc_key == doc, m.Event.line == line, m.Event.kind == kind
                )
            )
        )
    assert ids, (doc, line, kind)
    return ids[0]


def _links(store: Store, event_id: str) -> set[tuple[str, int | None, str | None, str]]:
    t = None
    with store.session() as s:
        t = kf._Targets.load(s)
        rows = s.execute(
            select(
                m.EventFrameworkLink.framework_id,
                m.EventFrameworkLink.pillar_id,
                m.EventFrameworkLink.initiative_id,
                m.EventFrameworkLink.state,
            ).where(m.EventFrameworkLink.event_id == event_id)
        ).all()
    return {
        (f, t.pillar_numbers.get(p) if p else None, t.initiative_names.get(i) if i else None, st)
        for f, p, i, st in rows
    }


def _snapshot(store: Store) -> dict[str, Any]:
    tables = [
        m.Framework, m.Pillar, m.LineOfEffort, m.Initiative, m.InitiativePillar, m.Principle,
        m.FrameworkRelation, m.Commitment, m.EventFrameworkLink,
    ]  # fmt: skip
    out: dict[str, Any] = {}
    with store.session() as s:
        for t in tables:
            out[t.__tablename__] = s.scalar(select(func.count()).select_from(t))
        out["link_versions"] = sorted(
            (i, v)
            for i, v in s.execute(select(m.EventFrameworkLink.id, m.EventFrameworkLink.version))
        )
    return out


# ------------------------------------------------------------------ import with sources


def test_jasmine_in_the_store(corpus: Store) -> None:
    fw = _fw(corpus, "JASMINE")
    assert fw.adopted == "2023-11-15" and fw.occasion == "第8回日ASEAN防衛担当大臣会合"
    assert {p.number: p.title for p in fw.pillars} == JASMINE_PILLARS
    assert {p.number: [lo.title for lo in p.lines_of_effort] for p in fw.pillars} == JASMINE_LINES
    assert {(i.name, i.new, tuple(i.pillars)) for i in fw.initiatives} == JASMINE_INITIATIVES
    assert _fw(corpus, "ジャスミン") is not None
    rel = {(r.kind, r.target) for r in fw.relations}
    assert rel == {("follows_spirit_of", "VV2"), ("serves", "FOIP"), ("serves", "AOIP")}
    vv2 = _fw(corpus, "VV2")
    assert [p.name for p in vv2.principles if p.kind == "implementation"] == [
        "心と心の協力",
        "きめ細やかで息の長い協力",
        "対等で開かれた協力",
    ]
    # every row cites the current version of 000: offsets give back the words
    text = _text(corpus, JASMINE_DOC)
    with corpus.session() as s:
        doc_id = s.scalar(
            select(m.Document.id).where(m.Document.doc_key == JASMINE_DOC, m.Document.is_current)
        )
        rows = list(s.scalars(select(m.Initiative).where(m.Initiative.framework_id == "JASMINE")))
        assert len(rows) == 13
        for row in rows:
            assert row.source_document_id == doc_id
            assert row.source_line in (21, 22, 23, 24)
            assert row.name_ja in text[row.source_start : row.source_end]
        for p in s.scalars(select(m.Pillar).where(m.Pillar.framework_id == "JASMINE")):
            assert text[p.source_start : p.source_end] == p.title_ja
        # the curated line of effort of pillar 4 says where it comes from
        loe4 = s.scalar(
            select(m.LineOfEffort)
            .join(m.Pillar, m.Pillar.id == m.LineOfEffort.pillar_id)
            .where(m.Pillar.framework_id == "JASMINE", m.Pillar.number == 4)
        )
        assert loe4 is not None and (loe4.source_note or "").startswith("curated: ")
        # an initiative under two pillars is one row linked to both
        ship = s.scalar(
            select(m.Initiative).where(m.Initiative.name_ja == "日ASEAN乗艦協力プログラム")
        )
        assert ship is not None
        n = s.scalar(
            select(func.count())
            .select_from(m.InitiativePillar)
            .where(m.InitiativePillar.initiative_id == ship.id)
        )
        assert n == 2


def test_joint_vision_in_the_store(corpus: Store) -> None:
    fw = _fw(corpus, "JVS")
    assert [p.number for p in fw.pillars] == [1, 2, 3]
    areas = {p.number: [a.name for a in p.cooperation_areas] for p in fw.pillars}
    assert areas == JVS_AREAS and [len(areas[n]) for n in (1, 2, 3)] == [8, 12, 11]
    [plan] = fw.plans
    assert (plan.items, plan.predecessor_items) == (130, 75)
    assert len([mt for mt in fw.meetings if not mt.aside]) == 13
    text = _text(corpus, JVS_DOC)
    for fig, amount, cur, qty, period, qual, date in JVS_COMMITMENTS:
        [c] = [c for c in fw.commitments if c.span and fig in text[c.span.start : c.span.end]]
        assert c.span.doc == JVS_DOC and text[c.span.start : c.span.end] == c.text
        assert (c.amount, c.currency, c.quantity, c.period_years, c.date) == (
            amount, cur, qty, period, date,
        ), fig  # fmt: skip
        assert (c.qualifier is None) == (qual is None), fig
    with corpus.session() as s:
        rows = {c.amount_text: c for c in s.scalars(select(m.Commitment))}
    # normalized units, codes and periods as stored
    assert rows["5年間で350億ドル"].period == "P5Y"
    assert (rows["5年間で350億ドル"].currency, Decimal(rows["5年間で350億ドル"].amount)) == (
        "USD", Decimal("35000000000"),
    )  # fmt: skip
    assert (
        rows["今後3年間で5,000人"].unit == "people" and rows["今後3年間で5,000人"].period == "P3Y"
    )
    assert rows["860百万米ドル以上"].qualifier == "at_least"
    assert rows["570件以上"].unit == "items"
    assert rows["2.8兆円規模"].qualifier == "about"
    assert rows["70百万米ドル"].date == "2006"
    assert rows["1億ドル"].date == "2023-03"
    # FOIP's four pillars from 003
    foip = _fw(corpus, "FOIP")
    assert len(foip.pillars) == 4


# ------------------------------------------------------------------ links on the corpus

#: (line of 004, kind, {(pillar, initiative)}) read from 004; None = no JASMINE link.
READ_FROM_004: list[tuple[int, str, set[tuple[int | None, str | None]] | None]] = [
    (283, "equipment_transfer", {(1, OSA)}),  # OSA radars to the Philippines
    (254, "port_call", {(1, None)}),  # first foreign ship at the renovated Ream
    (305, "capacity_building", {(2, None)}),  # underwater UXO disposal, Viet Nam
    (257, "capacity_building", {(2, None)}),  # PKO engineering, Cambodia
    (306, "capacity_building", {(2, None), (3, None)}),  # Vietnamese air force invited
    (248, "capacity_building", {(2, None), (3, None)}),  # Indonesians invited, HA/DR
    (321, "meeting", {(None, None)}),  # talks with Laos at the ADMM-Plus
    (118, "meeting", None),  # Korea at the ADMM-Plus: no ASEAN party
    (334, "seminar", None),  # Pacific ship-rider programme: no ASEAN party
]


def test_links_read_from_004(corpus: Store) -> None:
    for line, kind, expected in READ_FROM_004:
        eid = _event(corpus, WP_DOC, line, kind)
        got = {(p, i) for f, p, i, st in _links(corpus, eid) if f == "JASMINE" and st != "rejected"}
        if expected is None:
            assert got == set(), line
        else:
            assert got == expected, line
    # the rule that made each link is kept, with the reason
    osa = _event(corpus, WP_DOC, 283, "equipment_transfer")
    with corpus.session() as s:
        row = s.scalar(
            select(m.EventFrameworkLink).where(
                m.EventFrameworkLink.event_id == osa, m.EventFrameworkLink.framework_id == "JASMINE"
            )
        )
    assert row is not None and row.rule == "jasmine.init.osa" and row.state == "automatic"
    assert "ASEAN member PHL" in (row.reason or "") and "cue OSA" in (row.reason or "")


def test_every_jasmine_link_has_an_asean_party(corpus: Store) -> None:
    data = load_link_data()
    reg = registry()
    achs = kf.achievements(corpus, "JASMINE")
    assert len(achs) >= 40
    for a in achs:
        assert a.date is not None and a.date >= "2023-11"
        asean = {"ASEAN", "ASEAN_SEC"} | set(reg.member_codes("ASEAN", a.date))
        assert set(a.partners) & asean or any(v in a.summary for v in data.venues), a
        assert a.source is not None and a.source.line > 0
    per = {p: sum(1 for a in achs if p in a.pillars("JASMINE")) for p in (1, 2, 3, 4)}
    assert per[1] >= 3 and per[2] >= 6 and per[3] >= 2 and per[4] == 0, per


def test_query_layer_reads_the_stored_links(corpus: Store) -> None:
    from defcoop.query import EventQuery, iter_events

    got = {e.id for e in iter_events(corpus, EventQuery.build(framework="JASMINE", pillar=2))}
    want = {a.event for a in kf.achievements(corpus, "JASMINE") if 2 in a.pillars("JASMINE")}
    assert got == want and got


# ------------------------------------------------------------------ idempotence, updates


def test_sync_is_idempotent(store: Store, small: list[Extracted]) -> None:
    _load(store, small)
    before = _snapshot(store)
    assert before["frameworks"] == 5 and before["event_framework_links"] > 0
    res = kf.sync_frameworks(store)
    assert not res.changed, res
    links = kf.link_events(store)
    assert not links.changed, links
    resolve(store)
    assert _snapshot(store) == before


def test_a_changed_document_updates_the_framework(
    store: Store, small: list[Extracted], tmp_path: Path
) -> None:
    _load(store, small)
    osa_old = kf.find_stored(store, "JASMINE")
    assert osa_old is not None and osa_old.initiative(OSA) is not None
    with store.session() as s:
        old_id = s.scalar(
            select(m.Initiative.id).where(m.Initiative.name_ja == "日ASEAN環境安全保障セミナー")
        )
    src = (CORPUS / f"{JASMINE_DOC}.txt").read_text(encoding="utf-8")
    changed = src.replace(
        "・「日ASEAN環境安全保障セミナー」", "・【新】「日ASEAN環境安全保障セミナー」"
    ).replace(
        "・「プロフェッショナル・エアマンシップ・プログラム」等",
        "・「プロフェッショナル・エアマンシップ・プログラム」 ・【新】「日ASEAN宇宙状況把握セミナー」等",
    )
    assert changed != src
    (tmp_path / f"{JASMINE_DOC}.txt").write_text(changed, encoding="utf-8")
    rep = ingest_paths(store, [tmp_path / f"{JASMINE_DOC}.txt"])
    assert rep.count("updated") == 1
    fw = _fw(store, "JASMINE")
    env = fw.initiative("日ASEAN環境安全保障セミナー")
    assert env is not None and env.new  # the flag changed, same row
    added = fw.initiative("日ASEAN宇宙状況把握セミナー")
    assert added is not None and added.new and added.pillars == [1]
    assert len(fw.initiatives) == 14
    with store.session() as s:
        assert (
            s.scalar(
                select(m.Initiative.id).where(m.Initiative.name_ja == "日ASEAN環境安全保障セミナー")
            )
            == old_id
        )
        new_doc = s.scalar(
            select(m.Document.id).where(m.Document.doc_key == JASMINE_DOC, m.Document.is_current)
        )
        assert {r for r in s.scalars(select(m.Pillar.source_document_id).where(
            m.Pillar.framework_id == "JASMINE"))} == {new_doc}  # fmt: skip
    # and again: nothing to do
    assert not kf.sync_frameworks(store).changed


# ------------------------------------------------------------------ curation


def _bilateral_phl(store: Store) -> str:
    """The Japan-Philippines talks alongside the 14th vice-ministerial meeting (001 line 9)."""
    with store.session() as s:
        rows = s.execute(
            select(m.Event.id)
            .join(m.EventPartner, m.EventPartner.event_id == m.Event.id)
            .where(m.Event.doc_key == REVIEW_DOC, m.Event.kind == "meeting",
                   m.EventPartner.partner_code == "PHL")
        ).scalars().all()  # fmt: skip
    assert rows
    return rows[0]


def test_curated_links_are_audited_and_survive_reingest(
    store: Store, small: list[Extracted], tmp_path: Path
) -> None:
    _load(store, small)
    eid = _bilateral_phl(store)
    assert _links(store, eid) >= {("JASMINE", None, None, "automatic")}
    with pytest.raises(Exception, match="user"):
        kf.add_link(store, eid, "JASMINE", 3, user="")
    with pytest.raises(kf.FrameworkError, match="no pillar 7"):
        kf.add_link(store, eid, "JASMINE", 7, user="ana")
    with pytest.raises(kf.FrameworkError, match="not under pillar 2"):
        kf.add_link(store, eid, "JASMINE", 2, "乗艦協力プログラム」と", user="ana")
    ch = kf.add_link(store, eid, "jasmine", 3, "留学生", user="ana", reason="students met")
    assert ch.changed and ch.links[0]["state"] == "manual"
    assert ch.links[0]["initiative"] == "防衛大学校、防衛研究所、自衛隊幹部学校等への留学生受け入れ"
    again = kf.add_link(store, eid, "JASMINE", 3, "留学生", user="ana")
    assert not again.changed
    gone = kf.remove_link(store, eid, "JASMINE", None, None, user="bo", reason="talks only")
    assert gone.changed
    assert _links(store, eid) == {
        ("JASMINE", None, None, "rejected"),
        ("JASMINE", 3, "防衛大学校、防衛研究所、自衛隊幹部学校等への留学生受け入れ", "rejected"),
        ("JVS", 3, "防衛", "automatic"),
    }
    kf.add_link(store, eid, "JASMINE", 3, "留学生", user="ana", reason="restored")
    with pytest.raises(kf.FrameworkError, match="not linked"):
        kf.remove_link(store, eid, "JASMINE", 1, None, user="bo")
    # a pillar-level removal blocks the initiative-level automatic links under it
    kf.remove_link(store, eid, "JVS", 3, None, user="bo")
    expected = {
        ("JASMINE", None, None, "rejected"),
        ("JASMINE", 3, "防衛大学校、防衛研究所、自衛隊幹部学校等への留学生受け入れ", "manual"),
        ("JVS", 3, "防衛", "rejected"),
        ("JVS", 3, None, "rejected"),
    }
    assert _links(store, eid) == expected
    audit = kf.link_audit(store, event_id=eid)
    assert [a["action"] for a in reversed(audit)] == [
        "link", "unlink", "unlink", "link", "unlink", "unlink",
    ]  # fmt: skip
    assert {a["actor"] for a in audit} == {"ana", "bo"}
    assert audit[-1]["reason"] == "students met" and audit[-1]["after"]["state"] == "manual"
    # re-linking and re-ingesting a changed version of the document keep every decision
    res = kf.link_events(store)
    assert res.curated == 4 and res.blocked >= 2
    assert _links(store, eid) == expected
    text = (CORPUS / f"{REVIEW_DOC}.txt").read_text(encoding="utf-8")
    (tmp_path / f"{REVIEW_DOC}.txt").write_text(text + "\n（追記）\n", encoding="utf-8")
    rep = ingest_paths(store, [tmp_path / f"{REVIEW_DOC}.txt"])
    assert rep.count("updated") == 1
    assert _bilateral_phl(store) == eid
    assert _links(store, eid) == expected
    achs = {a.event: a for a in kf.achievements(store, "JASMINE")}
    assert achs[eid].pillars("JASMINE") == [3]
    assert all(lk.curated for lk in achs[eid].links)


def test_status_override(store: Store, small: list[Extracted]) -> None:
    _load(store, small)
    fw = _fw(store, "JASMINE")
    env = "日ASEAN環境安全保障セミナー"
    sts = {s.target: s for s in kf.implementation_status(store, fw)}
    assert sts[env].state == "none_yet" and len(sts) == 13
    with pytest.raises(kf.FrameworkError, match="note"):
        kf.set_status(store, "JASMINE", env, "carried_out", user="ana")
    kf.set_status(store, "JASMINE", "環境安全保障", "carried_out", user="ana",
                  note="2024年度に開催(別紙)")  # fmt: skip
    s = {x.target: x for x in kf.implementation_status(store, fw)}[env]
    assert (s.state, s.derived_state, s.override_note, s.overridden_by) == (
        "carried_out", "none_yet", "2024年度に開催(別紙)", "ana",
    )  # fmt: skip
    # a cooperation area of the Joint Vision too
    kf.set_status(store, "JVS", "偽情報", "in_progress", user="bo", note="n")
    jvs = _fw(store, "JVS")
    area = {x.target: x for x in kf.implementation_status(store, jvs)}["偽情報"]
    assert area.target_kind == "area" and area.state == "in_progress"
    # kept by a re-sync; cleared on request
    kf.sync_frameworks(store)
    assert {x.target: x for x in kf.implementation_status(store, fw)}[env].state == "carried_out"
    kf.set_status(store, "JASMINE", env, None, user="ana")
    assert {x.target: x for x in kf.implementation_status(store, fw)}[env].state == "none_yet"
    with store.session() as s2:
        n = s2.scalar(
            select(func.count())
            .select_from(m.AuditEntry)
            .where(m.AuditEntry.entity == kf.AUDIT_ENTITY_STATUS)
        )
    assert n == 3


def test_curated_rows_keep_their_targets(
    store: Store, small: list[Extracted], tmp_path: Path
) -> None:
    """An initiative a curator linked to stays when a new version drops it (with a note)."""
    _load(store, small)
    eid = _bilateral_phl(store)
    kf.add_link(store, eid, "JASMINE", 2, "環境安全保障", user="ana")
    src = (CORPUS / f"{JASMINE_DOC}.txt").read_text(encoding="utf-8")
    changed = src.replace("・「日ASEAN環境安全保障セミナー」 ", "")
    assert changed != src
    (tmp_path / f"{JASMINE_DOC}.txt").write_text(changed, encoding="utf-8")
    ingest_paths(store, [tmp_path / f"{JASMINE_DOC}.txt"])
    res = kf.sync_frameworks(store)
    assert any("日ASEAN環境安全保障セミナー" in k for k in res.kept)
    assert ("JASMINE", 2, "日ASEAN環境安全保障セミナー", "manual") in _links(store, eid)


def test_empty_store(store: Store) -> None:
    with pytest.raises(kf.FrameworkError, match="defcoop ingest"):
        kf.require_framework(store, "JASMINE")
    assert not kf.sync_frameworks(store).changed
    assert kf.link_events(store).events == 0
