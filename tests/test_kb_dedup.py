"""Cross-document deduplication on hand-written pairs (SQLite and PostgreSQL).

True duplicates: a body sentence and its photo caption; one meeting told in two
documents, one with the day and one with the month. Near misses that must stay apart:
two meetings of the same minister in the same month in different places; two meetings
in the same month with different counterparts; a year-only date; an unresolved date.
Merges say why (rule + reason) and a curator can undo or force them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from defcoop.kb import dedup
from defcoop.kb.curation import CurationError, merge, unmerge
from defcoop.records import Document, Event, Evidence, Participant, Segment
from defcoop.store import Store
from defcoop.store import models as m


@dataclass
class Line:
    text: str
    block: str = "body"
    kind: str | None = None  # an event on this line when set
    date: str | None = None
    partners: list[str] = field(default_factory=list)
    jp: str | None = None  # Japanese principal (MOD_MIN)
    location: str | None = None
    counterpart: str | None = None
    partner: str | None = None


def write_doc(store: Store, key: str, lines: list[Line]) -> None:
    text = "\n".join(ln.text for ln in lines)
    doc = Document(key, text, content_hash=hashlib.sha256(text.encode()).hexdigest())
    segs, events, pos = [], [], 0
    for i, ln in enumerate(lines):
        end = pos + len(ln.text)
        segs.append(Segment(key, i, pos, end, ln.block, [], i + 1, sentences=[(pos, end)]))
        if ln.kind:
            parts = (
                [Participant("partner", partner=ln.partner, role="国防大臣", name=ln.counterpart)]
                if ln.counterpart
                else []
            )
            events.append(
                Event(
                    doc=key, line=i + 1, kind=ln.kind, date=ln.date, partners=ln.partners,
                    jp_role="MOD_MIN" if ln.jp else None, jp_name=ln.jp, location=ln.location,
                    quote=ln.text, participants=parts,
                    evidence=Evidence(key, pos, end, i + 1, i, {"date": "abs:ym"}),
                )
            )  # fmt: skip
        pos = end + 1
    store.write_document(doc, segs, events)


def by_line(store: Store) -> dict[tuple[str, int], m.Event]:
    with store.session() as s:
        return {(e.doc_key or "", e.line or 0): e for e in s.scalars(select(m.Event))}


BODY_2P2 = Line(
    "2024年9月、木原防衛大臣(当時)は、マールズ副首相兼国防大臣とメルボルンにおいて第11回日豪「2+2」を開催した。",
    kind="two_plus_two", date="2024-09", partners=["AUS"], jp="木原", location="メルボルン",
    counterpart="マールズ", partner="AUS",
)  # fmt: skip
CAPTION_2P2 = Line(
    "日豪「2+2」(2024年9月)", block="caption", kind="two_plus_two", date="2024-09",
    partners=["AUS"],
)  # fmt: skip


def corpus_of_pairs(store: Store) -> None:
    write_doc(
        store,
        "doc_a",
        [
            Line("第1章 豪州"),
            BODY_2P2,
            CAPTION_2P2,
            Line(
                "2024年5月2日、木原防衛大臣は、ハワイにおいてマールズ豪副首相兼国防大臣と会談を行った。",
                kind="meeting", date="2024-05-02", partners=["AUS"], jp="木原",
                location="ハワイ", counterpart="マールズ", partner="AUS",
            ),
            # near miss 1: same minister, same month, different places
            Line(
                "2024年7月、木原防衛大臣は、ロンドンにおいてヒーリー英国防大臣と会談を行った。",
                kind="meeting", date="2024-07", partners=["GBR"], jp="木原", location="ロンドン",
                counterpart="ヒーリー", partner="GBR",
            ),
            # near miss 2: same month, different counterparts
            Line(
                "2024年6月、木原防衛大臣は、オロングレン・オランダ国防大臣と会談を行った。",
                kind="meeting", date="2024-06", partners=["NLD"], jp="木原",
                counterpart="オロングレン", partner="NLD",
            ),
            # near miss 3: a year only, nothing strong in common
            Line(
                "2024年、木原防衛大臣は、フィンランドの国防大臣と会談を行った。",
                kind="meeting", date="2024", partners=["FIN"], jp="木原",
            ),
            # near miss 4: the date could not be resolved
            Line(
                "同月、木原防衛大臣は、ノルウェーの国防大臣と会談を行った。",
                kind="meeting", date=None, partners=["NOR"], jp="木原",
            ),
        ],
    )  # fmt: skip
    write_doc(
        store,
        "doc_b",
        [
            Line("防衛大臣の主な会談"),
            # the doc_a meeting of 2024-05-02, told with the month only
            Line(
                "2024年5月、木原防衛大臣はマールズ豪副首相兼国防大臣と会談し、連携を確認した。",
                kind="meeting", date="2024-05", partners=["AUS"], jp="木原",
                counterpart="マールズ", partner="AUS",
            ),
            Line(
                "2024年7月、木原防衛大臣は、ポーツマスにおいてヒーリー英国防大臣と会談を行った。",
                kind="meeting", date="2024-07", partners=["GBR"], jp="木原",
                location="ポーツマス", counterpart="ヒーリー", partner="GBR",
            ),
            Line(
                "2024年6月、木原防衛大臣は、ブレーケルマンス・オランダ国防大臣と会談を行った。",
                kind="meeting", date="2024-06", partners=["NLD"], jp="木原",
                counterpart="ブレーケルマンス", partner="NLD",
            ),
            Line(
                "2024年6月、木原防衛大臣は、フィンランドの国防大臣と会談を行った。",
                kind="meeting", date="2024-06", partners=["FIN"], jp="木原",
            ),
            Line(
                "2024年8月、木原防衛大臣は、ノルウェーの国防大臣と会談を行った。",
                kind="meeting", date="2024-08", partners=["NOR"], jp="木原",
            ),
        ],
    )  # fmt: skip


def test_true_duplicates_merge_and_near_misses_stay_apart(store: Store) -> None:
    corpus_of_pairs(store)
    before = dedup.counts(store)
    assert before == {"reports": 12, "events": 12}
    res = dedup.deduplicate(store)
    assert (res.reports, res.merged, res.events) == (12, 2, 10)
    assert dedup.counts(store) == {"reports": 12, "events": 10}
    ev = by_line(store)
    # body + caption: the caption counts as a report of the body event
    body, caption = ev[("doc_a", 2)], ev[("doc_a", 3)]
    assert caption.merged_into_id == body.id and body.merged_into_id is None
    assert dedup.rule_of(caption.merge_reason) == "caption_of_body"
    assert "blocks caption/body" in (caption.merge_reason or "")
    # the same meeting in two documents: the dated-to-the-day report is the primary
    day, month = ev[("doc_a", 4)], ev[("doc_b", 2)]
    assert month.merged_into_id == day.id
    assert dedup.rule_of(month.merge_reason) == "same_counterpart"
    assert "2024-05 ~ 2024-05-02" in (month.merge_reason or "")
    assert "counterpart マールズ" in (month.merge_reason or "")
    # near misses: nothing else merged
    for key in [("doc_a", 5), ("doc_b", 3), ("doc_a", 6), ("doc_b", 4), ("doc_a", 7),
                ("doc_b", 5), ("doc_a", 8), ("doc_b", 6)]:  # fmt: skip
        assert ev[key].merged_into_id is None, key
    # one event, several sources
    bundle = dedup.evidence_bundle(store, month.id)
    assert {(b.doc_key, b.line) for b in bundle} == {("doc_a", 4), ("doc_b", 2)}
    assert [b.merge_reason is None for b in bundle] == [True, False]  # primary first
    # idempotent
    assert dedup.deduplicate(store).changed == 0


def test_conflicts_are_explained() -> None:
    def rep(**kw: object) -> dedup.Report:
        from defcoop.store.dates import bounds

        date = str(kw.pop("date"))
        lo, hi = bounds(date)
        base: dict[str, object] = dict(
            id=str(kw.pop("id")), doc_key="d", kind="meeting", date=date,
            precision={4: "year", 7: "month", 10: "day"}[len(date)], lo=lo, hi=hi,
            partners=frozenset({"GBR"}), jp_role="MOD_MIN", jp_name="木原", location=None,
            occasion=None, modality=None, agreement=(None, None), count=None, quote="",
            state="automatic", pin=None, merged_into=None, merge_reason=None,
        )  # fmt: skip
        base.update(kw)
        return dedup.Report(**base).finish()  # type: ignore[arg-type]

    a = rep(id="a", date="2024-07", location="ロンドン")
    b = rep(id="b", date="2024-07", location="ポーツマス")
    assert dedup.conflicts(a, b) == ["location ロンドン / ポーツマス"]
    c = rep(id="c", date="2024-07-10", location="イタリア・ナポリ")
    d = rep(id="d", date="2024-07", location="ナポリ")
    assert dedup.conflicts(c, d) == [] and "same_location" in dedup.corroboration(c, d)
    e = rep(id="e", date="2024-08", names=frozenset({"日ASEAN経済大臣会合"}))
    f = rep(id="f", date="2024-08", names=frozenset({"日ASEAN国際犯罪閣僚会議"}))
    assert dedup.conflicts(e, f)[0].startswith("named ")
    g = rep(id="g", date="2023-11", names=frozenset({"日ASEAN防衛担当大臣会合"}),
            ordinals={"日ASEAN防衛担当大臣会合": 8})  # fmt: skip
    h = rep(id="h", date="2023-11-15", names=frozenset({"日ASEAN防衛担当大臣会合"}),
            ordinals={"日ASEAN防衛担当大臣会合": 7})  # fmt: skip
    assert any("第8回 / 第7回" in w for w in dedup.conflicts(g, h))
    # a year-only date needs a strong rule: the same principal is not enough ...
    y = rep(id="y", date="2024")
    mth = rep(id="m", date="2024-06")
    assert dedup.conflicts(y, mth) == [] and dedup.corroboration(y, mth) == []
    # ... the same sentence repeated in another text is
    words = "2024年、日比共同訓練「カマンダグ」を実施した。"
    y2, m2 = rep(id="y2", date="2024", quote=words), rep(id="m2", date="2024-06", quote=words)
    assert dedup.corroboration(y2, m2)[0] == "same_words"


def test_unmerge_is_kept_and_merge_can_be_forced(store: Store) -> None:
    corpus_of_pairs(store)
    dedup.deduplicate(store)
    ev = by_line(store)
    day, month = ev[("doc_a", 4)], ev[("doc_b", 2)]
    with pytest.raises(
        CurationError, match="not merged into another event; reports merged into it"
    ):
        unmerge(store, day.id, user="alice", reason="wrong")
    res = unmerge(store, month.id, user="alice", reason="different talks: Hawaii vs Tokyo")
    assert res.changes[0].before == day.id and res.changes[0].after is None
    assert dedup.deduplicate(store).pinned == 1
    ev = by_line(store)
    assert ev[("doc_b", 2)].merged_into_id is None  # automatic dedup does not merge it back
    assert dedup.counts(store)["events"] == 11
    # a curator merges two reports the rules keep apart (different places)
    london, portsmouth = ev[("doc_a", 5)], ev[("doc_b", 3)]
    merge(store, portsmouth.id, london.id, user="bob", reason="same talks; Portsmouth visit")
    dedup.deduplicate(store)
    ev = by_line(store)
    assert ev[("doc_b", 3)].merged_into_id == london.id
    assert dedup.rule_of(ev[("doc_b", 3)].merge_reason) == "curated"
    assert "bob" in (ev[("doc_b", 3)].merge_reason or "")
    assert dedup.counts(store)["events"] == 10
    with pytest.raises(CurationError, match="cycle"):
        merge(store, london.id, portsmouth.id, user="bob")
    # rejecting the primary frees its reports
    from defcoop.kb.curation import reject

    reject(store, "event", body_id := ev[("doc_a", 2)].id, user="alice", reason="test")
    dedup.deduplicate(store)
    ev = by_line(store)
    assert ev[("doc_a", 3)].merged_into_id is None and ev[("doc_a", 2)].state == "rejected"
    assert body_id not in {e.merged_into_id for e in ev.values()}
