"""The normalized view maps every span back to the exact original characters.

Rules match on ``normalize(text).text``; evidence quotes ``original[to_original(span)]``.
These properties must hold for any text, not only the corpus: full-width digits
and letters, half-width katakana with voicing marks, CRLF, combining marks, emoji.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from defcoop.normalize import fold_char, normalize

# Characters the corpus and real pages bring, and the ones that expand, vanish or combine.
SPECIALS = [
    *list(
        "防衛大臣日豪会談年月日。、「」『』()（）【新】・ーあいうアイウ"
        "０１２３４５６７８９ＡＢＣａｂｃ＋－％"  # full width
        "ｱｲｳｶﾞﾊﾟｯﾞﾟ｡｢｣"  # half-width katakana and voicing marks
        "\u3099\u309a\u0301\u0308\u20dd"  # combining marks
        "ﬁ…㈱①㍻¼™ｶ\u00a0\u3000\u301c\uff5e\u2212\u2013\u201c\u201d\u00ad\u200b\ufeff"
        "\r\n\t "
    ),
    *["\r\n", "👍🏻", "🇯🇵", "👨\u200d👩\u200d👧", "ｶﾞ", "ﾊﾟ", "é", "e\u0301"],
]

texts = st.lists(
    st.one_of(st.sampled_from(SPECIALS), st.characters(), st.text(max_size=3)),
    max_size=40,
).map("".join)


def _fold(s: str) -> str:
    return "".join(fold_char(c) for c in s)


@st.composite
def text_and_span(draw: st.DrawFn) -> tuple[str, int, int, int]:
    original = draw(texts)
    base = draw(st.integers(min_value=0, max_value=10_000))
    n = len(normalize(original).text)
    i = draw(st.integers(min_value=0, max_value=n))
    j = draw(st.integers(min_value=i, max_value=n))
    return original, base, i, j


@settings(max_examples=400, deadline=None)
@given(text_and_span())
@example(("２０２４年５月", 0, 0, 4))
@example(("ｶﾞｲﾄﾞ\r\nﬁ…", 7, 1, 6))
@example(("e\u0301👍🏻", 3, 1, 2))
def test_any_span_maps_back_to_original(case: tuple[str, int, int, int]) -> None:
    original, base, i, j = case
    norm = normalize(original, base=base)
    a, b = norm.to_original(i, j)
    assert base <= a <= b <= base + len(original)
    piece = original[a - base : b - base]
    assert norm.original_slice(i, j) == piece
    assert norm.text[i:j] in _fold(piece)
    if i < j:
        assert a < b  # a non-empty match never maps to an empty quote
    else:
        assert a == b


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=0, max_value=1000))
def test_map_is_monotone_and_complete(original: str, base: int) -> None:
    norm = normalize(original, base=base)
    assert norm.text == _fold(original)
    assert len(norm.src) == len(norm.text) + 1
    assert norm.src[-1] == base + len(original)
    assert all(x <= y for x, y in zip(norm.src, norm.src[1:], strict=False))
    assert all(base <= x <= base + len(original) for x in norm.src)
    n = len(norm.text)
    starts = [norm.to_original(i, n)[0] for i in range(n + 1)]
    ends = [norm.to_original(0, j)[1] for j in range(1, n + 1)]
    assert starts == sorted(starts)
    assert ends == sorted(ends)
    if n:
        assert norm.to_original(0, n) == (norm.src[0], base + len(original))
        assert _fold(original[: norm.src[0] - base]) == ""  # only vanishing chars precede


@settings(max_examples=200, deadline=None)
@given(texts, st.data())
def test_slice_with_base_agrees_with_whole(original: str, data: st.DataObject) -> None:
    """Normalizing a segment with ``base`` gives the same map as normalizing the document."""
    a = data.draw(st.integers(min_value=0, max_value=len(original)))
    b = data.draw(st.integers(min_value=a, max_value=len(original)))
    whole = normalize(original)
    part = normalize(original[a:b], base=a)
    assert part.text == _fold(original[a:b])
    assert list(part.src[:-1]) == [s for s in whole.src[:-1] if a <= s < b]
    assert part.src[-1] == b


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(min_value=0, max_value=1000))
def test_regex_matches_quote_original(original: str, base: int) -> None:
    """What a rule finds on the normalized text is quoted from the original."""
    norm = normalize(original, base=base)
    for m in re.finditer(r"[0-9]+|[A-Za-z]+|\S", norm.text):
        a, b = norm.to_original(*m.span())
        quote = norm.original_slice(*m.span())
        assert quote == original[a - base : b - base]
        assert quote
        assert m.group() in _fold(quote)


def test_examples_from_the_corpus_genre() -> None:
    doc = "前文。令和７（２０２５）年２月１１日、ＡＳＥＡＮ〜日本"
    norm = normalize(doc, base=100)
    assert norm.text == "前文。令和7(2025)年2月11日、ASEAN~日本"
    m = re.search(r"\((\d{4})\)年(\d+)月(\d+)日", norm.text)
    assert m is not None
    a, b = norm.to_original(*m.span())
    assert doc[a - 100 : b - 100] == "（２０２５）年２月１１日"
    a, b = norm.to_original(*m.span(1))
    assert doc[a - 100 : b - 100] == "２０２５"
    i = norm.text.index("ASEAN")
    assert norm.original_slice(i, i + 5) == "ＡＳＥＡＮ"
    # An expansion: a match inside "..." quotes the whole "…".
    n2 = normalize("注…")
    assert n2.text == "注..."
    assert n2.original_slice(2, 3) == "…"


def test_sub_equals_normalizing_the_slice() -> None:
    """A view cut from the whole document equals normalizing the slice itself."""
    from defcoop.normalize import normalize as _n

    text = "前文ｱｲ。\n２０２４年５月、ﾊﾟﾘにて会談（当時）。\n末尾"
    full = _n(text)
    a = text.index("２")
    b = text.index("\n末")
    part = full.sub(a, b)
    ref = _n(text[a:b], base=a)
    assert part.text == ref.text
    assert list(part.src) == list(ref.src)
    assert part.original_slice(0, 4) == ref.original_slice(0, 4)
