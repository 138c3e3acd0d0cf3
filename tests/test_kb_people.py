"""The person registry: name variants, counterpart cleaning, tenure inference (no database),
and who held a role on a date with curated corrections (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import date

from defcoop.kb.curation import add_tenure, correct
from defcoop.kb.people import (
    Mention,
    build_people,
    build_persons,
    clean_counterpart,
    foreign_role,
    infer_tenure,
    list_tenures,
    role_code,
    valid_jp_name,
    who_held,
)
from defcoop.kb.resolve import resolve
from defcoop.records import Document, Event, Evidence, Participant, Segment
from defcoop.store import Store
from defcoop.store.dates import bounds


def mention(name: str, role: str, when: str, country: str = "KOR", **kw: object) -> Mention:
    lo, hi = bounds(when)
    assert lo is not None and hi is not None
    reading = kw.pop("reading", None)
    return Mention(
        side=str(kw.pop("side", "partner")), country=country, name=name,
        reading=reading if isinstance(reading, str) else None, role=role, title=None,
        former=bool(kw.pop("former", False)), date=when, date_from=lo, date_to=hi,
        event_id=f"e-{name}-{when}", doc_key="doc",
    )  # fmt: skip


def test_name_variants_merge_within_a_country_and_role() -> None:
    ms = [
        mention("申源湜", "DEF_MIN", "2024-06", reading="シンウォンシク"),
        mention("申", "DEF_MIN", "2024-07", reading="シン"),
        mention("シン", "DEF_MIN", "2024-07-28"),  # katakana only: the reading of 申源湜
        mention("シン", "DEF_MIN", "2024-08", country="IND"),  # India's Singh: another person
        mention("金龍顕", "DEF_MIN", "2024-09", reading="キムヨンヒョン"),
        mention("金明秀", "CHOD", "2024-11", reading="キムミョンス"),
        mention("金", "DEF_MIN", "2024-11", reading="キム"),  # fits 金龍顕 only (same role)
        mention("李", "CHOD", "2024-11"),  # fits nobody with a shared role
    ]
    persons = {(p.country, p.name): p for p in build_persons(ms, [])}
    shin = persons[("KOR", "申源湜")]
    assert set(shin.variants) == {"申源湜", "申", "シン"} and shin.reading == "シンウォンシク"
    assert shin.variants["申"]["rule"] == "family_name_prefix"
    assert shin.variants["シン"]["rule"] == "reading_prefix"
    assert ("IND", "シン") in persons and len(persons[("IND", "シン")].mentions) == 1
    assert set(persons[("KOR", "金龍顕")].variants) == {"金龍顕", "金"}
    assert set(persons[("KOR", "金明秀")].variants) == {"金明秀"}
    assert ("KOR", "李") in persons


def test_ambiguous_short_name_is_not_merged() -> None:
    ms = [
        mention("金龍顕", "DEF_MIN", "2024-09", reading="キムヨンヒョン"),
        mention("金善鎬", "DEF_MIN", "2024-11", reading="キムソンホ"),
        mention("金", "DEF_MIN", "2024-11", reading="キム"),
    ]
    persons = {p.name for p in build_persons(ms, [])}
    assert persons == {"金龍顕", "金善鎬", "金"}  # two candidates: never guessed


def test_tenure_ignores_coarse_mentions_inside_the_span() -> None:
    ms = [
        mention("中谷", "MOD_MIN", "2024-10", country="JPN", side="jp"),
        mention("中谷", "MOD_MIN", "2025-05", country="JPN", side="jp"),
        mention("中谷", "MOD_MIN", "2024", country="JPN", side="jp"),
    ]
    person = build_persons(ms, [])[0]
    t = infer_tenure(person, "MOD_MIN", person.mentions)
    assert (t.start, t.end, t.start_from, t.end_to) == (
        "2024-10", "2025-05", date(2024, 10, 1), date(2025, 5, 31),
    )  # fmt: skip
    assert "1 coarser mention(s) inside the span" in t.note
    # a coarse mention outside the fine span still widens it
    ms.append(mention("中谷", "MOD_MIN", "2023", country="JPN", side="jp"))
    person = build_persons(ms, [])[0]
    assert infer_tenure(person, "MOD_MIN", person.mentions).start == "2023"


def test_counterpart_cleaning() -> None:
    assert clean_counterpart("ハワイ", "で開催されたインド太平洋参謀総長", None, ["NZL"]) is None
    assert clean_counterpart("インド", "太平洋参謀総長", None, ["AUS"]) is None
    assert clean_counterpart("ウクライナ", "保安庁第一副長官", None, ["UKR"]) is None
    got = clean_counterpart("エスペレタ・フィリピン", "海軍司令官", None, ["PHL"])
    assert got is not None and got[0] == "エスペレタ" and got[3] == "PHL"
    got = clean_counterpart("ティア", "セイハー・カンボジア副首相兼国防大臣", "KHM", ["KHM"])
    assert got is not None and got[0] == "ティア・セイハー" and got[2] == "副首相兼国防大臣"
    assert foreign_role(got[2]) == "DEF_MIN"
    got = clean_counterpart("申源湜(シンウォンシク)", "韓国国防部長官", None, ["KOR"])
    assert got == ("申源湜", "シンウォンシク", "国防部長官", "KOR", "participant")
    got = clean_counterpart("テオドロ", "国防大臣", None, ["PHL"])
    assert got is not None and got[3] == "PHL" and got[4] == "event_partner"
    assert foreign_role("英第一海軍卿兼海軍参謀長") == "NAVY_COS"
    assert foreign_role("何かの役職") == "何かの役職"  # kept as written
    assert role_code("防衛大臣") == "MOD_MIN" and role_code("mod_min") == "MOD_MIN"
    assert not valid_jp_name("日米豪比") and not valid_jp_name("日印")
    assert not valid_jp_name("同国防") and valid_jp_name("中谷") and valid_jp_name("木原")


# -- in the store ---------------------------------------------------------------------------------
TEXT = """防衛大臣の交流
2024年5月、木原防衛大臣(当時)は、申源湜(シンウォンシク)韓国国防部長官(当時)と会談を行った。
2024年9月、木原防衛大臣(当時)は、申(シン)国防部長官(当時)と会談を行った。
2024年10月、中谷防衛大臣は、金龍顕(キムヨンヒョン)韓国国防部長官(当時)と会談を行った。
2025年2月、中谷防衛大臣は、ヘグセス米国防長官と会談を行った。
同年、首脳会談が行われた。"""

SPECS = [  # line -> (date, partners, jp_name, counterpart name, title, partner)
    (2, "2024-05", ["KOR"], "木原", "申源湜(シンウォンシク)", "韓国国防部長官", "KOR"),
    (3, "2024-09", ["KOR"], "木原", "申(シン)", "国防部長官", None),
    (4, "2024-10", ["KOR"], "中谷", "金龍顕(キムヨンヒョン)", "韓国国防部長官", "KOR"),
    (5, "2025-02", ["USA"], "中谷", "ヘグセス", "米国防長官", "USA"),
]


def write_people_doc(store: Store) -> None:
    doc = Document("people", TEXT, content_hash=hashlib.sha256(TEXT.encode()).hexdigest())
    lines = TEXT.split("\n")
    starts = [sum(len(x) + 1 for x in lines[:i]) for i in range(len(lines))]
    segs = [
        Segment(
            "people",
            i,
            s,
            s + len(t),
            "heading" if i == 0 else "body",
            [],
            i + 1,
            sentences=[(s, s + len(t))],
        )
        for i, (s, t) in enumerate(zip(starts, lines, strict=True))
    ]
    events = []
    for line, when, partners, jp, cp, title, partner in SPECS:
        s = starts[line - 1]
        e = s + len(lines[line - 1])
        events.append(
            Event(
                doc="people", line=line, kind="meeting", date=when, partners=partners,
                jp_role="MOD_MIN", jp_name=jp, quote=doc.text[s:e],
                evidence=Evidence("people", s, e, line, line - 1, {"date": "abs:ym"}),
                participants=[Participant("partner", partner=partner, role=title, name=cp)],
            )
        )  # fmt: skip
    # an undated event: never a mention
    s = starts[5]
    events.append(
        Event(doc="people", line=6, kind="meeting", date=None, partners=["KOR"], jp_role="PM",
              quote=lines[5], evidence=Evidence("people", s, s + len(lines[5]), 6, 5,
                                                {"date": "unresolved:no-year-in-context"}))
    )  # fmt: skip
    store.write_document(doc, segs, events)


def test_who_held_and_curated_correction(store: Store) -> None:
    write_people_doc(store)
    res = resolve(store)
    assert res.people.persons == 5  # 木原, 中谷, 申源湜 (= 申), 金龍顕, ヘグセス
    assert [h.name for h in who_held(store, "MOD_MIN", "JPN", "2024-09")] == ["木原"]
    assert [h.name for h in who_held(store, "MOD_MIN", "JPN", "2024-10")] == ["中谷"]
    assert who_held(store, "MOD_MIN", "JPN", "2023") == []  # before any mention: nobody
    kihara = who_held(store, "MOD_MIN", "JPN", "2024-06")[0]
    assert (kihara.start, kihara.end, kihara.basis) == ("2024-05", "2024-09", "inferred")
    assert "2 marked (当時)" in (kihara.note or "")
    shin = who_held(store, "DEF_MIN", "KOR", "2024-07")
    assert [(h.name, h.reading, h.variants) for h in shin] == [("申源湜", "シンウォンシク", ["申"])]
    assert [h.name for h in who_held(store, "国防長官", "USA", "2025-02")] == ["ヘグセス"]
    # a curator states that 中谷 took office on 2024-09-01: the curated tenure wins
    nakatani = list_tenures(store, role="MOD_MIN", country="JPN", name="中谷")[0]
    correct(store, "tenure", nakatani.tenure_id, "start", "2024-09-01", user="curator",
            reason="appointment date from the cabinet list")  # fmt: skip
    assert [h.name for h in who_held(store, "MOD_MIN", "JPN", "2024-09-15")] == ["中谷"]
    assert [h.basis for h in who_held(store, "MOD_MIN", "JPN", "2024-10")] == ["curated"]
    build_people(store)  # rebuilding the inference keeps the curated tenure
    assert [h.name for h in who_held(store, "MOD_MIN", "JPN", "2024-09-15")] == ["中谷"]
    # a tenure for a person the texts never name makes a manual person
    add_tenure(store, user="curator", person="石破", role="PM", country="JPN",
               start="2024-10-01", end=None)  # fmt: skip
    resolve(store)
    assert [h.name for h in who_held(store, "PM", "JPN", "2025-03")] == ["石破"]


def test_tenure_evidence_does_not_depend_on_mention_order() -> None:
    """Same day, same precision: the store may return the mentions in any order (it does
    after a crash and resume on PostgreSQL); the tenure must cite the same evidence."""
    import random

    from defcoop.kb.people import Mention, PersonDraft

    def mention(ev: str, day: str, prec: str = "month") -> Mention:
        lo, hi = bounds(day)
        assert lo is not None and hi is not None
        return Mention(
            side="jp", country="JPN", name="岩屋毅", reading=None, role="MOFA_MIN",
            title="外務大臣", former=False, date=day, date_from=lo, date_to=hi,
            event_id="e" + ev, evidence_id=ev, doc_key="d" + ev,
        )  # fmt: skip

    ms = [mention(f"{i:02d}", "2024-11") for i in range(6)] + [mention("99", "2025-02")]
    person = PersonDraft(id="p", name="岩屋毅", reading=None, country="JPN")
    seen = set()
    for seed in range(10):
        random.Random(seed).shuffle(ms)
        t = infer_tenure(person, "MOFA_MIN", ms)
        seen.add((t.evidence_id, t.start, t.end))
    assert seen == {("00", "2024-11", "2025-02")}
