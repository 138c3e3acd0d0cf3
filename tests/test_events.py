"""Trigger rules (data/events.yaml): acts, plans, agreements — on sentences written for the tests."""

from __future__ import annotations

import pytest

from defcoop.extract.events import count_of, find_agreements, find_triggers, is_plan, modality_of
from defcoop.normalize import normalize


def _kinds(text: str) -> list[str]:
    t = normalize(text).text
    return [tr.kind for tr in find_triggers(t, (0, len(t))) if not is_plan(t, tr.end, len(t))]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("浜田防衛大臣は、オースティン米国防長官と会談を行った。", ["meeting"]),
        ("山崎統幕長は、来日した米統合参謀本部議長と懇談した。", ["meeting"]),
        ("第12回日英外務・防衛閣僚協議(「2+2」)を東京において開催した。", ["two_plus_two"]),
        ("第3回日独防衛当局間協議が東京で開催された。", ["consultation"]),
        ("在京大使の表敬を受けた。", ["courtesy_call"]),
        ("海自護衛艦は、シドニーに寄港した。", ["port_call"]),
        ("日豪共同訓練「武士道ガーディアン」を実施した。", ["exercise"]),
        ("海自はインド海軍とJIMEX19を実施した。", ["exercise"]),
        ("空自は、豪空軍演習を視察した。", ["exercise"]),
        ("NATO国防相会合に出席した。", ["conference"]),
        ("総理はアフリカ開発会議(TICAD VI)の基調演説において考え方を提唱した。", ["conference"]),
        ("ベトナム軍に対し、能力構築支援事業を実施した。", ["capacity_building"]),
        ("各国海軍士官を招へいし、乗艦協力プログラムを実施した。", ["seminar"]),
        ("防衛駐在官を新たに派遣した。", ["other"]),
        # one sentence, two acts
        (
            "国防大臣と会談を行ったほか、共同訓練「タリスマン・セイバー」を視察した。",
            ["meeting", "exercise"],
        ),
        # a visit that frames talks is covered by them; a separately told facility visit is not
        ("カナダを訪問し、陸軍司令官と会談を行った。", ["meeting"]),
        ("陸軍司令官との懇談や部隊訪問を行った。", ["meeting", "visit"]),
    ],
)
def test_acts(text: str, kinds: list[str]) -> None:
    assert _kinds(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "来年、日比共同訓練を実施する予定である。",
        "日仏「2+2」を年内に開催することで一致した。",
        "防衛装備品・技術移転協定の早期署名に向けて調整していく。",
        "円滑化協定の交渉開始に合意した。",
        "艦艇や航空機の寄港などを通じて関係を深める。",
        "会談では、共同訓練の拡充を確認した。",  # content of a meeting, not a new act
    ],
)
def test_plans_and_content_are_not_acts(text: str) -> None:
    assert _kinds(text) == []


@pytest.mark.parametrize(
    ("text", "type_", "status"),
    [
        ("日伊ACSAが署名された。", "ACSA", "signed"),
        ("2019年に署名された防衛協力・交流に関する覚書", "MOU", "signed"),
        ("日英円滑化協定が発効した。", "RAA", "in_force"),
        ("情報保護協定が実質合意に至ったことを歓迎した。", "ISA", "substantially_agreed"),
        ("防衛装備品・技術移転協定を締結した。", "ETA", "in_force"),
        ("共同声明を発出した。", "DECLARATION", "signed"),
        ("2019年の防衛協力に関する共同声明を踏まえ", "DECLARATION", "signed"),
        ("防衛協力・交流の意図表明文書に署名した。", "LOI", "signed"),
        ("海賊対処共同訓練に係る取決めに署名した。", "ARRANGEMENT", "signed"),
        ("防衛交流に関する覚書を改定した。", "MOU", "revised"),
    ],
)
def test_agreements(text: str, type_: str, status: str) -> None:
    got = find_agreements(normalize(text).text)
    assert [(t.agreement or {}).get("type") for t in got] == [type_]
    assert (got[0].agreement or {})["status"] == status


def test_same_document_goes_on() -> None:
    t = normalize("同年12月、同協定が署名され、2025年1月に発効した。").text
    got = find_agreements(t, last_type="ETA")
    assert [(g.agreement or {})["status"] for g in got] == ["signed", "in_force"]
    assert all((g.agreement or {})["type"] == "ETA" for g in got)


@pytest.mark.parametrize(
    ("kind", "clause", "modality"),
    [
        ("meeting", "米国防長官とテレビ会談", "video"),
        ("meeting", "との間で電話会談", "phone"),
        ("consultation", "オンラインで防衛当局間協議", "video"),
        ("meeting", "国防大臣と会談", "in_person"),
        ("exercise", "共同訓練", None),
    ],
)
def test_modality(kind: str, clause: str, modality: str | None) -> None:
    assert modality_of(kind, clause, clause, None) == modality


def test_count() -> None:
    assert count_of("国防軍司令官と6回にわたる会談") == 6
    assert count_of("会談を行った") is None
