"""Location and occasion rules, on corpus phrases and written probes."""

from __future__ import annotations

import pytest

from defcoop.extract.places import clean_occasion, find_location, find_occasion

COUNTRIES = {"イタリア", "オーストラリア", "フランス"}


@pytest.mark.parametrize(
    ("clause", "loc"),
    [
        ("マールズ豪副首相兼国防大臣とハワイにて会談を行い", "ハワイ"),
        ("中谷防衛大臣は、オーストラリアのダーウィンを訪問し、", "ダーウィン"),
        ("イタリア・ナポリにおいてヒーリー国防大臣", "ナポリ"),
        ("ダーウィン空軍基地を訪問し", "ダーウィン"),
        ("わが国において開催された", "日本"),
        # written probes
        ("浜田防衛大臣は、フランス・パリにおいて", "パリ"),
        ("ジャカルタで開催された会合", "ジャカルタ"),
        ("訪日したカーター米国防長官と会談した", None),
        ("シャングリラ会合において", None),
    ],
)
def test_location(clause, loc):
    assert find_location(clause, lambda n: n in COUNTRIES) == loc


@pytest.mark.parametrize(
    ("clause", "occ"),
    [
        ("IISSアジア安全保障会議7(シャングリラ会合)に際し", "シャングリラ会合"),
        ("11月のラオスにおける第11回拡大ASEAN国防相会議(ADMMプラス)において、", "ADMMプラス"),
        (
            "インド太平洋参謀総長等会議(CHOD:Chiefs of Defense Conference)に際し",
            "インド太平洋参謀総長等会議",
        ),
        ("中谷防衛大臣は、ナポリで開催されたG7国防相会合に際し", "G7国防相会合"),
        ("第3回ベルリン安全保障フォーラムの機会に", "ベルリン安全保障フォーラム"),
        ("東京で行われた", None),
    ],
)
def test_occasion(clause, occ):
    assert find_occasion(clause) == occ


def test_clean_occasion_drops_organizer():
    assert clean_occasion("豪陸軍主催陸軍参謀長シンポジウム(CAS)") == "陸軍参謀長シンポジウム"


@pytest.mark.parametrize(
    "clause",
    ["ミリタリーレベルにおいても緊密に連携", "地域において協力を", "防衛分野において"],
)
def test_ordinary_nouns_are_not_places(clause):
    assert find_location(clause, lambda n: n in COUNTRIES) is None


def test_known_kanji_places():
    assert find_location("横須賀において開催された", lambda n: False) == "横須賀"
    assert find_location("那覇市において", lambda n: False) == "那覇市"
