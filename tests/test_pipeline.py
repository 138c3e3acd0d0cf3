"""End-to-end extraction on paragraphs written for the tests (not corpus lines).

Each case probes one rule family of the pipeline: dates flowing through a
section, captions and plans skipped, two acts in one sentence, counts,
modality, locations, occasions, partners of talks, deduplication.
"""

from __future__ import annotations

from defcoop.extract import extract_document
from defcoop.records import Document


def _events(text: str) -> list[dict]:
    return [e.to_gold() for e in extract_document(Document("probe", text))]


def _one(text: str, **expected: object) -> dict:
    evs = _events(text)
    assert len(evs) == 1, evs
    for k, v in expected.items():
        assert evs[0][k] == v, (k, evs[0])
    return evs[0]


def test_meeting_with_role_place_and_partner() -> None:
    _one(
        "令和6年6月1日、木原防衛大臣は、シンガポールにおいて、オースティン米国防長官と日米防衛相会談を行った。",
        kind="meeting",
        date="2024-06-01",
        partners=["USA"],
        jp_role="MOD_MIN",
        jp_name="木原",
        location="シンガポール",
        modality="in_person",
    )


def test_relative_dates_flow_and_section_restart() -> None:
    text = (
        "ア ドイツとの防衛協力・交流の意義\n"
        "2023年4月、浜田防衛大臣は、ピストリウス・ドイツ国防大臣と会談を行った。同年7月、浜田防衛大臣は、ピストリウス国防大臣と電話会談を行った。\n"
        "同月、日独ACSAが署名された。\n"
        "ア 英国との防衛協力・交流の意義\n"
        "同年9月、英国海軍の艦艇が横須賀に寄港した。\n"
    )
    evs = _events(text)
    got = [(e["kind"], e["date"], e["partners"], e["modality"]) for e in evs]
    assert got[:3] == [
        ("meeting", "2023-04", ["DEU"], "in_person"),
        ("meeting", "2023-07", ["DEU"], "phone"),  # ピストリウス remembered as German
        # at the start of a paragraph 同月 refers to the previous paragraph's leading date
        ("agreement", "2023-04", ["DEU"], None),
    ]
    # a new partner section restarts the date context: "同年" has nothing to refer to
    assert all(e["partners"] != ["GBR"] for e in evs)


def test_caption_and_plan_are_not_events() -> None:
    text = (
        "2024年3月、木原防衛大臣は、マールズ豪副首相兼国防大臣と会談を行った。\n"
        "日豪防衛相会談(2024年3月)\n"
        "来年、日豪共同訓練を実施する予定である。\n"
    )
    evs = _events(text)
    assert [(e["kind"], e["line"]) for e in evs] == [("meeting", 1)]


def test_two_acts_in_one_sentence_and_observer() -> None:
    evs = _events(
        "2023年7月、吉田統幕長は、オーストラリアを公式訪問し、キャンベル豪国防軍司令官と会談を行ったほか、米豪共同訓練「タリスマン・セイバー」を視察した。"
    )
    assert [(e["kind"], e["partners"], e["jp_role"], e["location"]) for e in evs] == [
        ("meeting", ["AUS"], "CHOD", "オーストラリア"),
        ("exercise", ["AUS", "USA"], "CHOD", "オーストラリア"),
    ]


def test_count_and_since() -> None:
    _one(
        "森下陸幕長は、2023年4月以降、スチュアート豪陸軍本部長と4回にわたる懇談を行った。",
        kind="meeting",
        date="2023-04",
        count=4,
        modality=None,
    )


def test_several_dates_give_several_records() -> None:
    evs = _events("浜田防衛大臣は、2023年2月および5月にアナンド・カナダ国防大臣と会談を行った。")
    assert [e["date"] for e in evs] == ["2023-02", "2023-05"]


def test_distributive_dates_with_their_own_parties() -> None:
    evs = _events(
        "派遣海賊対処行動水上部隊は、2023年3月にEU海上部隊(フランス海軍)と、6月にはEU海上部隊(ドイツ海軍)と共同訓練を行った。"
    )
    assert [(e["date"], e["partners"], e["jp_role"]) for e in evs] == [
        ("2023-03", ["EU", "FRA"], "MSDF"),
        ("2023-06", ["DEU", "EU"], "MSDF"),
    ]


def test_occasion_is_not_a_party() -> None:
    _one(
        "2023年6月、浜田防衛大臣は、シンガポールで開催されたシャングリラ会合に際し、マールズ豪副首相兼国防大臣と会談を行った。",
        partners=["AUS"],
        occasion="シャングリラ会合",
        location="シンガポール",
    )


def test_port_call_and_goodwill_exercise() -> None:
    evs = _events(
        "2023年6月、海自護衛艦は、スリランカのコロンボに寄港し、スリランカ海軍と親善訓練を実施した。"
    )
    assert [(e["kind"], e["partners"], e["jp_role"], e["location"]) for e in evs] == [
        ("port_call", ["LKA"], "MSDF", "コロンボ"),
        ("exercise", ["LKA"], "MSDF", "コロンボ"),
    ]


def test_span_and_capacity_building() -> None:
    _one(
        "防衛省は、2024年1月から3月にかけて、ベトナム人民軍に対し、サイバーセキュリティ分野の能力構築支援事業を実施した。",
        kind="capacity_building",
        date="2024-01",
        end="2024-03",
        partners=["VNM"],
        jp_role="MOD",
    )


def test_document_date_resolves_this_year() -> None:
    text = "防衛副大臣の東南アジア訪問について\n令和6年3月5日\n防衛省\n本年2月、鬼木防衛副大臣は、ジャカルタを訪問し、インドネシア国防副大臣を表敬した。\n"
    _one(
        text,
        kind="courtesy_call",
        date="2024-02",
        partners=["IDN"],
        jp_role="MOD_SVM",
        location="ジャカルタ",
    )


def test_osa_exchange_of_notes_is_equipment_transfer() -> None:
    _one(
        "2024年12月、政府安全保障能力強化支援(OSA)によるフィリピン海軍への沿岸監視レーダーの供与に関する交換公文に署名した。",
        kind="equipment_transfer",
        partners=["PHL"],
    )


def test_background_without_date_is_not_an_event() -> None:
    assert (
        _events(
            "これまで、日豪ACSAや日豪情報保護協定を整備してきた。日独「2+2」が開催されるなど、交流が進展している。"
        )
        == []
    )


def test_retold_event_counts_once() -> None:
    text = (
        "2024年5月、木原防衛大臣は、マールズ豪副首相兼国防大臣とハワイにて会談を行った。\n"
        "同年8月、増田防衛事務次官は、モリアーティ豪国防次官と日豪防衛次官級協議を行い、同年5月の日豪防衛相会談の成果を確認した。\n"
    )
    evs = _events(text)
    assert [(e["kind"], e["date"]) for e in evs] == [
        ("meeting", "2024-05"),
        ("consultation", "2024-08"),
    ]


def test_quotes_are_exact_substrings_of_their_line() -> None:
    text = "２０２４年５月、木原防衛大臣（当時）は、マールズ豪副首相兼国防大臣と会談を行った。"
    (e,) = _events(text)
    assert e["date"] == "2024-05" and e["jp_role"] == "MOD_MIN"
    assert e["quote"] in text.split("\n")[e["line"] - 1]


def test_evidence_spans_point_into_the_original() -> None:
    text = "前文。\n２０２４年５月、木原防衛大臣は、オースティン米国防長官と会談を行った。"
    doc = Document("probe", text)
    (ev,) = extract_document(doc)
    assert ev.evidence is not None
    assert text[ev.evidence.start : ev.evidence.end] == ev.quote
    assert ev.evidence.rules["kind"].startswith("meeting")


def test_every_field_names_its_rule() -> None:
    doc = Document(
        "probe",
        "2024年5月、木原防衛大臣は、ハワイにおいてマールズ豪副首相兼国防大臣と会談を行った。",
    )
    (ev,) = extract_document(doc)
    assert ev.evidence is not None
    assert ev.evidence.rules == {
        "kind": ev.evidence.rules["kind"],
        "date": "abs:ym",
        "partners": "partners:counterparts",
        "jp_role": "jp:named",
        "location": "place:sentence",
    }
    assert ev.evidence.rules["kind"].startswith("meeting")
