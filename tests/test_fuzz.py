"""Bad input: property-based fuzzing of readers, segmentation and extraction, and limits.

* Readers: bytes in the shapes real files arrive in -- Japanese text in every supported
  encoding with bytes flipped, dropped or spliced; HTML tag soup with boilerplate,
  tables, scripts and wrong charset labels; valid PDFs with corrupted bytes -- give a
  ``Document`` or a one-line ``ReadError``, never another exception, within a deadline.
  (tests/test_readers.py fuzzes raw random bytes; normalization's offset map has its own
  properties in tests/test_normalize.py.)
* Segmentation: any text -> segments inside the text, in order, not overlapping, with
  their sentences inside them, in order, not overlapping; lines and kinds consistent.
* Extraction: any text -> no exception; every quote is a substring of its line and the
  exact text of its evidence span; dates are ISO dates of the stated precision.
* Limits: a huge file, deeply nested HTML, and PDF "bombs" (many pages, a stream that
  inflates a thousandfold, one stream behind every page, a form drawn thousands of
  times) are refused with a clear reason, quickly, within a memory cap.

The default profile keeps every property at ~100 examples; the ``slow``-marked heavy
variants run ``DEFCOOP_FUZZ_EXAMPLES`` (default 2000) each. The number of cases run is
printed at the end of the module (``-s``) and quoted in docs/reliability.md.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from defcoop.errors import ReadError
from defcoop.extract import extract_document
from defcoop.readers import read_path
from defcoop.records import BLOCK_KINDS, Document
from defcoop.segment import segment

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"

HEAVY_EXAMPLES = int(os.environ.get("DEFCOOP_FUZZ_EXAMPLES", "2000"))
_COMMON = {
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
#: Default profile: small and quick; the deadline is the "bounded time" check (generous,
#: so that a loaded CI machine does not make it flaky).
FAST = settings(max_examples=100, deadline=timedelta(seconds=10), **_COMMON)
HEAVY = settings(max_examples=HEAVY_EXAMPLES, deadline=timedelta(seconds=20), **_COMMON)
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _count_cases() -> Iterator[None]:
    yield
    total = sum(CASES.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(CASES.items()))
    print(f"\n[fuzz] {total} cases: {detail}")
    log = os.environ.get("DEFCOOP_RELIABILITY_LOG")
    if log:
        import json

        with open(log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"test": "fuzz", "cases": total, **CASES}) + "\n")


# --------------------------------------------------------------------------- strategies


@lru_cache(maxsize=1)
def corpus_text() -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(CORPUS.glob("*.txt")))


@lru_cache(maxsize=1)
def corpus_lines() -> list[str]:
    return [ln for ln in corpus_text().split("\n") if ln.strip()]


#: Pieces the genre brings, and pieces that break naive rules.
FRAGMENTS = [
    "2024年5月、", "同年8月、", "同月", "令和7(2025)年2月11日", "平成24年", "12月から2025年2月にかけて",
    "2024年4月以降", "木原防衛大臣(当時)", "キャンベル豪国防軍司令官(当時)", "統幕長", "海幕長",
    "日米豪比", "日英伊", "日尼", "日豪「2+2」(2024年9月)", "と会談を行った。", "を視察した。",
    "共同訓練「マラバール2024」", "計画されている。", "参照", "KEY WORD", "※1", "注1",
    "【新】", "・", "○", "■", "（", "）", "「", "」", "『", "』", "。", "、", "\t", "\n", "\n\n",
    "\r\n", "<p>", "</p>", "<ul><li>", "</li></ul>", "<br>", "&amp;", "２０２４年５月", "ＡＳＥＡＮ",
    "ｶﾞｲﾄﾞ", "\u3000", "\u00a0", "\u200b", "\ufeff", "e\u0301", "👍🏻", "🇯🇵", "\x0b", "\x0c",
    "第1章", "1 ", "(1)", "ア ", "イ ", "Ranking", "人気記事", "(写真)", "防衛省", "ASEAN", "RAA",
    "円滑化協定が署名された。", "が発効した。", "実質合意", "訪問した", "寄港", "能力構築支援",
]  # fmt: skip


@st.composite
def corpus_slices(draw: st.DrawFn, max_len: int = 3000) -> str:
    text = corpus_text()
    start = draw(st.integers(0, len(text) - 1))
    length = draw(st.integers(0, max_len))
    return text[start : start + length]


def documents_text(max_parts: int = 60) -> st.SearchStrategy[str]:
    """Text that looks like the genre, broken up and mixed with anything."""
    part = st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from(corpus_lines()),
        corpus_slices(max_len=400),
        st.text(max_size=8),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=4),
    )
    return st.one_of(
        st.lists(part, max_size=max_parts).map("".join),
        corpus_slices(),
    )


ENCODINGS = ["utf-8", "utf-8-sig", "cp932", "euc_jp", "iso2022_jp", "utf-16", "utf-16-le"]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, dropped, inserted, spliced or cut."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(0, 6))):
        if not buf:
            break
        op = draw(st.sampled_from(["flip", "drop", "insert", "dup", "cut"]))
        i = draw(st.integers(0, len(buf) - 1))
        if op == "flip":
            buf[i] = draw(st.integers(0, 255))
        elif op == "drop":
            del buf[i : i + draw(st.integers(1, 64))]
        elif op == "insert":
            buf[i:i] = draw(st.binary(min_size=1, max_size=32))
        elif op == "dup":
            j = draw(st.integers(i, min(len(buf), i + 256)))
            buf[i:i] = buf[i:j]
        else:
            del buf[i:]
    return bytes(buf)


@st.composite
def encoded_text(draw: st.DrawFn) -> bytes:
    text = draw(documents_text(30))
    codec = draw(st.sampled_from(ENCODINGS))
    raw = text.encode(codec, "replace")
    return draw(mutated(raw)) if draw(st.booleans()) else raw


TAGS = ["div", "p", "span", "a", "ul", "ol", "li", "table", "tr", "td", "th", "nav", "header",
        "footer", "main", "article", "section", "h1", "h2", "h3", "pre", "br", "script", "style",
        "aside", "b", "font", "dl", "dt", "dd", "caption", "iframe", "template", "svg", "math"]  # fmt: skip
ATTRS = ['class="nav"', 'class="breadcrumb"', 'class="ranking"', 'id="main"', 'role="main"',
         'role="navigation"', "hidden", 'style="display:none"', 'aria-hidden="true"',
         'href="/x"', 'class="content body"', 'lang="ja"']  # fmt: skip


@st.composite
def html_soup(draw: st.DrawFn) -> bytes:
    """Tag soup: nested, unbalanced, with boilerplate cues, charset labels, comments."""
    pieces: list[str] = []
    open_tags: list[str] = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 9))
        if kind <= 3:
            tag = draw(st.sampled_from(TAGS))
            attrs = " ".join(draw(st.lists(st.sampled_from(ATTRS), max_size=2)))
            pieces.append(f"<{tag} {attrs}>" if attrs else f"<{tag}>")
            open_tags.append(tag)
        elif kind <= 5 and open_tags:
            pieces.append(f"</{open_tags.pop()}>")
        elif kind == 6:
            pieces.append(draw(st.sampled_from(["<!-- x -->", "<![CDATA[y]]>", "<!DOCTYPE html>",
                                                "&nbsp;", "&#x3042;", "&bogus;", "<", ">", "</",
                                                "<?xml?>", "<a href='", "\x00"])))  # fmt: skip
        else:
            pieces.append(draw(documents_text(6)))
    if draw(st.booleans()):
        pieces.extend(f"</{t}>" for t in reversed(open_tags))
    label = draw(st.sampled_from(["", "utf-8", "shift_jis", "euc-jp", "iso-8859-1", "bogus"]))
    head = f'<html><head><meta charset="{label}"><title>t</title></head><body>' if label else ""
    markup = head + "".join(pieces)
    codec = draw(st.sampled_from(["utf-8", "cp932", "euc_jp", "utf-16"]))
    raw = markup.encode(codec, "replace")
    return draw(mutated(raw)) if draw(st.booleans()) else raw


@lru_cache(maxsize=1)
def seed_pdfs() -> list[bytes]:
    """Valid PDFs to corrupt: reportlab (Japanese CID font, compressed) and hand-made."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    out = []
    for compress in (0, 1):
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pageCompression=compress)
        c.setTitle("防衛協力")
        for page in range(2):
            c.setFont("HeiseiMin-W3", 10)
            for i, line in enumerate(corpus_lines()[page * 8 : page * 8 + 8]):
                c.drawString(30, 800 - 14 * i, line[:40])
            c.showPage()
        c.save()
        out.append(buf.getvalue())
    out.append(make_pdf(b"BT /F1 12 Tf 72 720 Td (Japan ASEAN 2024) Tj ET"))
    return out


@st.composite
def broken_pdfs(draw: st.DrawFn) -> bytes:
    seed = draw(st.sampled_from(seed_pdfs()))
    data = draw(mutated(seed))
    if draw(st.booleans()) and not data.rstrip().endswith(b"%%EOF"):
        data += b"\n%%EOF\n"  # get past the cheap truncation check into pypdf
    return data


# --------------------------------------------------------------------------- hand-made PDFs


def make_pdf(
    content: bytes,
    *,
    pages: int = 1,
    count: int | None = None,
    forms: list[bytes] | None = None,
    compress: bool = True,
) -> bytes:
    """A minimal PDF: ``pages`` pages sharing one content stream (object 4), optional form
    XObjects /F0, /F1... (form i may draw form i+1), and a /Count that may lie."""

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        body = zlib.compress(data, 9) if compress else data
        filt = b"/Filter /FlateDecode " if compress else b""
        return (
            b"<< /Length %d " % len(body) + filt + extra + b">>\nstream\n" + body + b"\nendstream"
        )

    forms = forms or []
    first_form = 5 + pages
    xobjects = b" ".join(b"/F%d %d 0 R" % (i, first_form + i) for i in range(len(forms)))
    resources = b"<< /Font << /F1 3 0 R >> /XObject << " + xobjects + b" >> >>"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
        + b"] /Count %d >>" % (count if count is not None else pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(content),
    ]
    objs += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
        + resources
        + b" /Contents 4 0 R >>"
    ] * pages
    objs += [
        stream(f, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources " + resources)
        for f in forms
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        xref,
    )
    return bytes(out)


# --------------------------------------------------------------------------- readers


def _read_bytes(data: bytes, suffix: str) -> Document | ReadError:
    fd, name = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            doc = read_path(name)
        except ReadError as err:
            assert str(err).startswith(name + ": ")
            assert "\n" not in str(err) and err.reason
            return err
        assert doc.text.strip()
        assert "\r" not in doc.text
        for start, page in doc.page_starts:
            assert 0 <= start <= len(doc.text) and page >= 1
        return doc
    finally:
        os.unlink(name)


def _reader_case(kind: str, data: bytes, suffix: str) -> None:
    CASES[f"readers/{kind}"] += 1
    _read_bytes(data, suffix)


@FAST
@given(data=encoded_text(), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_text_in_any_encoding_reads_or_refuses(data: bytes, suffix: str) -> None:
    _reader_case("text", data, suffix)


@FAST
@given(data=html_soup())
@example(data=b"<html><body>" + b"<table><tr><td>" * 300 + "セル".encode() + b"</body></html>")
def test_html_soup_reads_or_refuses(data: bytes) -> None:
    _reader_case("html", data, ".html")


@FAST
@given(data=broken_pdfs())
def test_corrupted_pdf_reads_or_refuses(data: bytes) -> None:
    _reader_case("pdf", data, ".pdf")


@FAST
@given(text=documents_text(30))
def test_utf8_text_reads_back_exactly(text: str) -> None:
    CASES["readers/utf-8 exact"] += 1
    got = _read_bytes(text.encode("utf-8"), ".txt")
    want = text.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(got, Document):
        assert got.text == want.removeprefix("\ufeff")
    else:  # only blank or control-character junk is refused
        assert not want.strip() or "control" in got.reason or "binary" in got.reason


# --------------------------------------------------------------------------- segmentation


def check_segments(text: str) -> None:
    CASES["segmentation"] += 1
    doc = Document("fuzz", text)
    segs = segment(doc)
    prev_end = 0
    for i, s in enumerate(segs):
        assert s.index == i
        assert s.kind in BLOCK_KINDS
        assert prev_end <= s.start <= s.end <= len(text), (i, s.start, s.end)
        assert s.line == doc.line_at(s.start)
        last = s.start
        for a, b in s.sentences:
            assert last <= a <= b <= s.end, (s.start, s.end, s.sentences)
            last = b
        prev_end = s.end


@FAST
@given(documents_text())
@example("")
@example("\n\n\n")
@example("２０２４年５月、木原防衛大臣は豪州を訪問した。\r\n同年8月、会談を行った。")
def test_segmentation_spans(text: str) -> None:
    check_segments(text)


@pytest.mark.slow
@HEAVY
@given(documents_text(200))
def test_segmentation_spans_heavy(text: str) -> None:
    check_segments(text)


# --------------------------------------------------------------------------- extraction

_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _valid_iso(value: str) -> bool:
    if not _ISO.match(value):
        return False
    parts = [int(x) for x in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def check_extraction(text: str) -> None:
    CASES["extraction"] += 1
    doc = Document("fuzz", text)
    events = extract_document(doc)
    lines = text.split("\n")
    for ev in events:
        assert 1 <= ev.line <= len(lines)
        assert ev.quote, "an event without its words"
        assert ev.quote in lines[ev.line - 1], (ev.line, ev.quote)
        if ev.evidence is not None:
            e = ev.evidence
            assert 0 <= e.start <= e.end <= len(text)
            assert text[e.start : e.end] == ev.quote
            assert doc.line_at(e.start) == ev.line
        for d in (ev.date, ev.end):
            assert d is None or _valid_iso(d), d
        assert all(isinstance(p, str) and p for p in ev.partners)
        ev.to_gold()  # serializable as a gold record


@FAST
@given(documents_text())
@example("2024年5月、木原防衛大臣(当時)は、マールズ豪副首相兼国防大臣と会談を行ったほか、"
         "共同訓練「マラバール2024」を視察した。")  # fmt: skip
@example("令和7(2025)年2月31日、日比円滑化協定が発効した。\n同年13月、日米豪比の共同訓練。")
def test_extraction_never_fails_and_quotes_its_source(text: str) -> None:
    check_extraction(text)


def test_evidence_span_is_exactly_the_quote() -> None:
    """Found by fuzzing: a sentence that follows '。 ' once had a span starting at the blank."""
    text = "前文。 令和7(2025)年2月11日、防衛省・自衛隊は、福岡において第14回日ASEAN防衛当局次官級会合を開催しました。"
    (ev,) = extract_document(Document("probe", text))
    assert ev.evidence is not None
    assert text[ev.evidence.start : ev.evidence.end] == ev.quote


@pytest.mark.slow
@HEAVY
@given(documents_text(200))
def test_extraction_heavy(text: str) -> None:
    check_extraction(text)


@pytest.mark.slow
@HEAVY
@given(data=st.one_of(encoded_text(), html_soup(), broken_pdfs()), suffix=st.sampled_from(
    [".txt", ".html", ".pdf"]))  # fmt: skip
def test_readers_heavy(data: bytes, suffix: str) -> None:
    _reader_case("mixed", data, suffix)


# --------------------------------------------------------------------------- limits

#: Every bomb must be refused within this many seconds (a loaded CI machine included) ...
QUICK = 20.0
#: ... and within this much address space.
MEMORY_CAP = 2 * 1024**3

_READ_ONE = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from defcoop.errors import ReadError
from defcoop.readers import read_path
t0 = time.perf_counter()
try:
    doc = read_path(sys.argv[1])
    print("DOC", len(doc.text))
except ReadError as err:
    print("ERR", err.reason)
print("SECONDS", time.perf_counter() - t0)
"""


def read_isolated(path: Path, env: dict[str, str] | None = None) -> tuple[str, float]:
    """Read ``path`` in a child process under a memory cap; (outcome line, seconds)."""
    proc = subprocess.run(
        [sys.executable, "-c", _READ_ONE.format(cap=MEMORY_CAP), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    return lines[0], float(lines[-1].split()[1])


#: name -> (the file, refused?). Two need no refusal, only a bound: pypdf walks the real
#: page tree whatever /Count says, and draws at most 5000 forms per page.
BOMBS: dict[str, tuple[Callable[[], bytes], bool]] = {
    # /Count claims a billion pages (a corrupt or hostile page tree).
    "lying page count": (lambda: make_pdf(b"BT /F1 9 Tf (x) Tj ET", count=10**9), False),
    # 5000 real pages, one shared content stream: 1 MB of file.
    "many pages": (lambda: make_pdf(b"BT /F1 9 Tf (x) Tj ET", pages=5000), True),
    # One page whose 80 KB stream inflates to 84 MB (over pypdf's own 75 MB cap too).
    "inflating stream": (lambda: make_pdf(b"0 0 m " * 14_000_000), True),
    # A page of 3 MB of text operators, 3 KB compressed, behind each of 300 pages.
    "shared huge stream": (
        lambda: make_pdf(b"BT /F1 9 Tf " + b"(Hello) Tj " * 280_000 + b"ET", pages=300),
        True,
    ),
    # Operands without operators: nothing to draw, slow to parse, on 300 pages.
    "operand soup": (lambda: make_pdf(b"1 " * 1_500_000, pages=300), True),
    # A 20 KB form drawn 5000 times from a 60-byte page.
    "form drawn 5000 times": (
        lambda: make_pdf(
            b"q /F0 Do Q " * 5000, forms=[b"BT /F1 9 Tf " + b"(Hello) Tj " * 2000 + b"ET"]
        ),
        True,
    ),
    # Billion laughs: each form draws the next ten times, eight levels deep.
    "nested forms": (
        lambda: make_pdf(
            b"/F0 Do", forms=[b"/F%d Do " % (i + 1) * 10 for i in range(8)] + [b"BT (x) Tj ET"]
        ),
        False,
    ),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_pdf_bombs_are_refused_quickly(name: str, tmp_path: Path) -> None:
    build, refused = BOMBS[name]
    path = tmp_path / "bomb.pdf"
    path.write_bytes(build())
    outcome, seconds = read_isolated(path)
    CASES["limits/pdf bombs"] += 1
    if refused:
        assert outcome.startswith("ERR "), f"{name}: read as a document ({outcome})"
        assert "limit" in outcome and re.search(r"DEFCOOP_MAX_PDF_|bomb", outcome), outcome
    assert seconds < QUICK, f"{name}: {seconds:.1f} s ({outcome})"


def test_pdf_limits_can_be_raised(tmp_path: Path) -> None:
    """The knobs in the messages work: a big genuine page reads when allowed."""
    path = tmp_path / "big.pdf"
    path.write_bytes(make_pdf(b"BT /F1 9 Tf " + b"(Hello) Tj " * 200_000 + b"ET"))
    outcome, _ = read_isolated(path)
    assert outcome.startswith("ERR ") and "DEFCOOP_MAX_PDF_CONTENT_MB" in outcome
    outcome, _ = read_isolated(path, {"DEFCOOP_MAX_PDF_CONTENT_MB": "16"})
    assert outcome.startswith("ERR ") and "DEFCOOP_MAX_PDF_OPERATIONS" in outcome
    env = {"DEFCOOP_MAX_PDF_CONTENT_MB": "16", "DEFCOOP_MAX_PDF_OPERATIONS": "1000000"}
    outcome, _ = read_isolated(path, env)
    assert outcome.startswith("DOC "), outcome


@pytest.mark.parametrize("suffix", [".txt", ".html", ".pdf"])
def test_huge_file_is_refused_before_reading(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"huge{suffix}"
    with path.open("wb") as fh:  # sparse: 5 GB on paper, nothing on disk
        fh.truncate(5 * 1024**3)
    t0 = time.perf_counter()
    with pytest.raises(ReadError, match=r"over the 32 MB limit.*DEFCOOP_MAX_FILE_MB"):
        read_path(path)
    assert time.perf_counter() - t0 < 1.0
    CASES["limits/huge files"] += 1


@pytest.mark.parametrize(
    "markup",
    [
        "<div>" * 200_000 + "深い本文" + "</div>" * 200_000,
        "<b>" * 200_000 + "閉じない本文",
        "<table><tr><td>" * 5_000 + "セル" + "</td></tr></table>" * 5_000,
        "<ul><li>" * 50_000 + "項目",
        "<p><span><a href='x'>" * 30_000 + "リンク",
    ],
    ids=["div", "unclosed-b", "tables", "lists", "links"],
)
def test_deeply_nested_html_is_bounded(markup: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + markup + "</body></html>", "utf-8")
    outcome, seconds = read_isolated(path)
    CASES["limits/nested html"] += 1
    assert outcome.startswith(("DOC ", "ERR ")), outcome
    if outcome.startswith("ERR "):
        assert "nested" in outcome or "no main text" in outcome, outcome
    assert seconds < 60, f"{seconds:.1f} s"
