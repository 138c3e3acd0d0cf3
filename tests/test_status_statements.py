"""Status statements ("2025年4月現在、A、Bとの間で締結…") on sentences written for the tests
and on the sample document 003, whose lists are typed here from reading the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from defcoop.extract.status_statements import (
    StatusStatement,
    agreement_types,
    find_status_statements,
    find_type_cues,
    statements_in_text,
)
from defcoop.readers import read_path
from defcoop.records import Document

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def facts(text: str) -> set[tuple[str, str, str, str]]:
    return {(s.as_of, s.agreement_type, s.partner, s.status) for s in statements_in_text(text)}


# --------------------------------------------------------------------------- positives


def test_other_date_order_and_hakko_wording() -> None:
    got = facts("2026年1月現在、円滑化協定はフィリピン、オーストラリア、英国との間で発効している。")
    assert got == {
        ("2026-01", "RAA", "PHL", "in_force"),
        ("2026-01", "RAA", "AUS", "in_force"),
        ("2026-01", "RAA", "GBR", "in_force"),
    }


def test_single_partner_era_year_and_zumi() -> None:
    got = facts("令和8年3月末時点で、日本はニュージーランドとの間で情報保護協定を締結済みである。")
    assert got == {("2026-03", "ISA", "NZL", "in_force")}


def test_english_partner_names() -> None:
    got = facts("2025年12月現在、ACSAはAustralia、the United Kingdomとの間で締結されている。")
    assert got == {("2025-12", "ACSA", "AUS", "in_force"), ("2025-12", "ACSA", "GBR", "in_force")}


def test_two_statuses_type_from_heading() -> None:
    text = (
        "KEY WORD\n\n物品役務相互提供協定 (ACSA)\n\n"
        "必要な物品または役務の相互の提供に関する基本的な条件を定めるもの。\n"
        "2026年6月現在、インド、ドイツとの間で締結され、ニュージーランドとの間で署名されている。\n"
    )
    got = statements_in_text(text)
    assert {(s.agreement_type, s.partner, s.status) for s in got} == {
        ("ACSA", "IND", "in_force"),
        ("ACSA", "DEU", "in_force"),
        ("ACSA", "NZL", "signed"),
    }
    assert {s.type_from for s in got} <= {"heading", "sentence"}


def test_two_types_in_one_sentence() -> None:
    got = facts(
        "2025年4月現在、RAAはオーストラリアとの間で締結、ACSAはイタリアとの間で署名されている。"
    )
    assert got == {("2025-04", "RAA", "AUS", "in_force"), ("2025-04", "ACSA", "ITA", "signed")}


def test_as_of_carries_to_the_next_sentence_of_the_paragraph() -> None:
    got = facts(
        "2025年4月現在、RAAはオーストラリア、英国との間で締結されている。"
        "また、フィリピンとの間で署名されている。"
    )
    assert ("2025-04", "RAA", "PHL", "signed") in got
    assert len(got) == 3


def test_as_of_in_trailing_parentheses() -> None:
    got = facts("情報保護協定はインドとの間で締結されている(2024年12月現在)。")
    assert got == {("2024-12", "ISA", "IND", "in_force")}


def test_substantially_agreed() -> None:
    got = facts("2025年4月現在、カナダとの間で情報保護協定が実質合意に至っている。")
    assert got == {("2025-04", "ISA", "CAN", "substantially_agreed")}


def test_parenthetical_note_adds_no_partner() -> None:
    text = (
        "防衛装備品・技術移転協定\n\n"
        "2025年4月現在、米国、英国との間で締結されている(※カナダとは別の取極を締結)。\n"
    )
    assert facts(text) == {
        ("2025-04", "ETA", "USA", "in_force"),
        ("2025-04", "ETA", "GBR", "in_force"),
    }


def test_negotiating_partner_before_a_signed_one_is_left_out() -> None:
    got = facts("2025年4月現在、フィリピンとの間で交渉中、ベトナムとの間でRAAに署名済み。")
    assert got == {("2025-04", "RAA", "VNM", "signed")}


def test_spans_point_into_the_original_text() -> None:
    text = "序文。\n２０２５年４月現在、米国との間でＡＣＳＡを締結している。\n"
    (s,) = statements_in_text(text)
    assert (s.agreement_type, s.partner, s.as_of) == ("ACSA", "USA", "2025-04")
    assert (
        text[s.start : s.end] == s.quote == "２０２５年４月現在、米国との間でＡＣＳＡを締結している"
    )
    assert text[s.partner_start : s.partner_end] == "米国"
    assert s.line == 2


def test_same_partner_inside_the_agreement_name() -> None:
    got = facts("2025年4月現在、ドイツとの間で日独ACSAを締結している。")
    assert got == {("2025-04", "ACSA", "DEU", "in_force")}


def test_deictic_as_of_uses_the_document_date() -> None:
    text = "本年4月現在、RAAはオーストラリアとの間で締結されている。"
    doc = Document(doc_id="wp", text=text, published="2025-07-01")
    assert [(s.as_of, s.partner) for s in find_status_statements(doc)] == [("2025-04", "AUS")]
    assert statements_in_text(text) == []  # no document date: unresolved, nothing guessed


# --------------------------------------------------------------------------- negatives


@pytest.mark.parametrize(
    "text",
    [
        "2025年4月現在、フランスとの間で円滑化協定の締結に向けて交渉中である。",
        "2025年4月現在、ニュージーランドとの間でRAAの署名を目指している。",
        "2025年4月現在、インドとの間でRAAは署名されていない。",
        "2025年4月現在、フランスとの間でRAAの締結交渉を行っている。",
        "2025年4月現在、インドとの間で締結されている。",  # no agreement type anywhere
        "ドイツとの間では、日独情報保護協定が締結されており、2024年7月には、日独ACSAが発効した。",  # no as-of date
        "2025年3月現在で合計8名の負傷兵を受け入れている。",
    ],
)
def test_no_statement(text: str) -> None:
    assert statements_in_text(text) == []


# --------------------------------------------------------------------------- data


def test_type_cues_come_from_the_data_file() -> None:
    codes = {t.code for t in agreement_types()}
    assert {"RAA", "ACSA", "ETA", "ISA", "MOU", "LOI"} <= codes
    found = [
        c
        for _, _, c in find_type_cues("日伊ACSA、日英円滑化協定、日韓秘密軍事情報保護協定(GSOMIA)")
    ]
    assert found == ["ACSA", "RAA", "ISA", "ISA"]
    assert find_type_cues("CASAの研修") == []  # Latin abbreviations need word boundaries


# --------------------------------------------------------------------------- 003


def _by(stmts: list[StatusStatement], typ: str, status: str) -> set[str]:
    return {s.partner for s in stmts if s.agreement_type == typ and s.status == status}


def test_document_003_lists() -> None:
    doc = read_path(CORPUS / "003_080ee2400643355f.txt")
    stmts = find_status_statements(doc)
    assert {s.as_of for s in stmts} == {"2025-04"}
    # typed from lines 28, 37 and 46 of the document
    assert _by(stmts, "RAA", "in_force") == {"AUS", "GBR"}
    assert _by(stmts, "RAA", "signed") == {"PHL"}
    assert _by(stmts, "ACSA", "in_force") == {"USA", "AUS", "GBR", "CAN", "FRA", "IND", "DEU"}
    assert _by(stmts, "ACSA", "signed") == {"ITA"}
    assert _by(stmts, "ETA", "in_force") == set(
        [
            "USA",
            "GBR",
            "AUS",
            "IND",
            "PHL",
            "FRA",
            "DEU",
            "MYS",
            "ITA",
            "IDN",
            "VNM",
            "THA",
            "SWE",
            "SGP",
            "ARE",
            "MNG",
        ]
    )
    assert _by(stmts, "ETA", "signed") == set()
    assert {s.agreement_type for s in stmts} == {"RAA", "ACSA", "ETA"}
    for s in stmts:
        assert doc.text[s.start : s.end] == s.quote
        assert s.quote.startswith("2025年4月現在")
        assert s.line in (28, 37, 46)
