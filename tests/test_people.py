"""Japanese principals, units and foreign counterparts: corpus lines and written probes."""

from __future__ import annotations

import pytest

from defcoop.extract.people import find_counterparts, find_jp_people, find_jp_units, implied_role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # corpus
        (
            "同年9月、木原防衛大臣(当時)および上川外務大臣(当時)は、",
            [("木原", "MOD_MIN", True), ("上川", "MOFA_MIN", True)],
        ),
        ("吉田統幕長は、2024年4月以降、", [("吉田", "CHOD", False)]),
        (
            "同月、岸田内閣総理大臣(当時)は、アルバニージー豪首相と首脳会談を行い",
            [("岸田", "PM", True)],
        ),
        (
            "2025年2月、本田副大臣は、ティンカ・ルーマニア外務次官による表敬",
            [("本田", "MOD_SVM", False)],
        ),
        # written probes
        ("平成27年、中谷防衛大臣はカーター米国防長官と会談した。", [("中谷", "MOD_MIN", False)]),
        ("山田防衛大臣政務官(当時)は、", [("山田", "MOD_PVM", True)]),
        ("鈴木防衛装備庁長官は、", [("鈴木", "ATLA", False)]),
        (
            "酒井海幕長、荒井空幕長および森陸幕長は",
            [("酒井", "MSDF_COS", False), ("荒井", "ASDF_COS", False), ("森", "GSDF_COS", False)],
        ),
    ],
)
def test_jp_people(text, expected):
    got = [(p.name, p.role, p.former) for p in find_jp_people(text)]
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "ウォン豪外務大臣と会談した",  # a foreign minister of foreign affairs
        "ザレフスキ・ポーランド国防副大臣と会談",  # foreign vice-minister
        "シン・インド国防大臣",
    ],
)
def test_foreign_titles_are_not_japanese(text):
    assert find_jp_people(text) == []


def test_units():
    got = [
        (u.name, u.role)
        for u in find_jp_units("陸自は、同年11月、派遣海賊対処行動水上部隊と空自が")
    ]
    assert got == [("陸自", "GSDF"), ("派遣海賊対処行動水上部隊", "MSDF"), ("空自", "ASDF")]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("日豪首脳会談を行った", "PM"),
        ("日印防衛相会談", "MOD_MIN"),
        ("日加外相会談では", "MOFA_MIN"),
        ("第5回日スペイン防衛当局間協議", "MOD"),
        ("共同訓練", None),
    ],
)
def test_implied_role(text, role):
    assert implied_role(text) == role


def test_counterparts_learn_names_within_a_document():
    known: dict[str, str] = {}
    abbrev = {"豪": "AUS", "インド": "IND"}

    def partner_at(a: int, b: int, text: str = "") -> str | None:
        return None

    t1 = "マールズ豪副首相兼国防大臣と会談し、チョーハン・インド国防参謀長と"

    def pa(a: int, b: int) -> str | None:
        seg = t1[a:b]
        for k, v in abbrev.items():
            if seg.startswith(k):
                return v
        return None

    cps = find_counterparts(t1, pa, known)
    assert [(c.name, c.partner) for c in cps] == [("マールズ", "AUS"), ("チョーハン", "IND")]
    t2 = "同年11月、マールズ副首相兼国防大臣とダーウィンにて会談"
    cps2 = find_counterparts(t2, lambda a, b: None, known)
    assert [(c.name, c.partner) for c in cps2] == [("マールズ", "AUS")]
