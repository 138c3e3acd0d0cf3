"""Segmentation: block kinds, section paths and sentences, on the corpus and on probes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from defcoop.records import Document
from defcoop.segment import classify, segment

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _doc(name: str) -> Document:
    path = next(CORPUS.glob(f"{name}*.txt"))
    return Document(path.stem, path.read_text("utf-8"))


@pytest.fixture(scope="module")
def wp() -> tuple[Document, list]:
    d = _doc("004")
    return d, segment(d)


def test_counts_verified_by_reading(wp):
    """Counts checked line by line in 004 (the white-paper chapter)."""
    _, segs = wp
    kinds = Counter(s.kind for s in segs)
    assert kinds["caption"] == 20
    assert kinds["footnote"] == 19
    assert kinds["keyword"] == 2
    # 32 partner sections open with "ア Xとの防衛協力・交流の意義"
    assert max(s.section_id for s in segs) == 32


def test_captions_are_the_photo_lines(wp):
    d, segs = wp
    lines = sorted(s.line for s in segs if s.kind == "caption")
    assert lines == [
        9,
        30,
        35,
        49,
        72,
        101,
        110,
        123,
        125,
        149,
        180,
        199,
        210,
        220,
        277,
        279,
        307,
        371,
        377,
        384,
    ]
    cap = next(s for s in segs if s.line == 9)
    assert d.text[cap.start : cap.end] == "日豪「2+2」(2024年9月)"


def test_footnotes_and_section_path(wp):
    d, segs = wp
    fn = [s for s in segs if s.kind == "footnote"]
    assert fn[0].line == 412 and d.text[fn[0].start : fn[0].end].startswith("1 日豪")
    body = next(s for s in segs if s.line == 46)
    assert body.kind == "body"
    assert body.section_path[-2:] == [
        "ア 英国との防衛協力・交流の意義",
        "イ 最近の主要な防衛協力・交流実績など",
    ]


def test_crossref_and_keyword(wp):
    _, segs = wp
    by_line = {s.line: s.kind for s in segs}
    assert by_line[5] == "crossref"  # 参照…
    assert by_line[27] == "crossref"  # 資料:…
    assert by_line[28] == "crossref"  # URL:…
    assert by_line[280] == by_line[281] == "keyword"


def test_offsets_are_original(wp):
    d, segs = wp
    for s in segs:
        for a, b in s.sentences:
            assert s.start <= a < b <= s.end
            assert d.text[a:b].strip() == d.text[a:b]


def test_inline_markup_is_structure_not_text():
    d = _doc("000")
    segs = segment(d)
    row = next(s for s in segs if "<p>" in d.text[s.start : s.end])
    assert row.kind == "table_row"
    for a, b in row.sentences:
        assert "<p>" not in d.text[a:b] and "<ul" not in d.text[a:b]


def test_ranking_list_is_boilerplate():
    d = _doc("001")
    segs = segment(d)
    assert all(s.kind == "boilerplate" for s in segs if s.line >= 20)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("日米首脳会談(2023年1月)", "caption"),
        ("NATO首脳会合に出席する総理(令和5年7月)", "caption"),
        ("参照資料12(日米安全保障条約)", "crossref"),
        ("KEY WORD 能力構築支援", "keyword"),
        ("ア ドイツとの防衛協力・交流の意義", "heading"),
        ("第2節 同志国などとの連携", "heading"),
        ("2023年1月、浜田防衛大臣は、米国を訪問し、オースティン国防長官と会談を行った。", "body"),
        ("日付\t場所\t会議名", "table_row"),
        ("(以上)", "boilerplate"),
    ],
)
def test_classify_probes(text, kind):
    assert classify(text)[0] == kind


def test_sentences_do_not_cut_inside_brackets():
    text = "彼は「これは。テストだ」と述べた。次の文。"
    d = Document("x", text)
    (seg,) = segment(d)
    got = [text[a:b] for a, b in seg.sentences]
    assert got == ["彼は「これは。テストだ」と述べた。", "次の文。"]
