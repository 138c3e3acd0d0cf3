"""Read stage: every encoding, HTML main text, PDF pages, and every kind of bad input.

Fixtures are built here from the bundled corpus (004_… paragraphs), so the
tests exercise real Japanese official prose rather than toy strings.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from defcoop.errors import ReadError
from defcoop.readers import SUPPORTED_SUFFIXES, iter_paths, max_file_bytes, read_path
from defcoop.readers.html import collapse_ws, html_to_text
from defcoop.readers.text import decode_bytes

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
SOURCE = CORPUS / "004_3f20f60fb676c9fe.txt"
MB = 1024 * 1024


def _paragraphs() -> list[str]:
    """The first paragraphs of 004_…: prose with dates, 「」, (当時), ASCII acronyms."""
    return SOURCE.read_text("utf-8").split("\n")[:8]


PARAS = _paragraphs()
SAMPLE = "\n".join(PARAS) + "\n"


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    p.write_bytes(data)
    return p


# --- plain text and encodings --------------------------------------------------------------


def test_corpus_reads_exactly() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        raw = path.read_bytes()
        doc = read_path(path)
        assert doc.doc_id == path.stem
        assert doc.text == raw.decode("utf-8").replace("\r\n", "\n")
        assert doc.content_hash == hashlib.sha256(raw).hexdigest()
        assert doc.media_type == "text/plain"
        assert doc.encoding == "utf-8"
        assert doc.source_path == str(path)
        assert doc.page_starts == []


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp932", "cp932"),
        ("shift_jis", "cp932"),
        ("euc_jp", "euc_jp"),
        ("iso2022_jp", "iso2022_jp"),
        ("utf-16", None),  # Python writes a BOM in native order
        ("utf-16-le", "utf-16-le"),  # no BOM
        ("utf-16-be", "utf-16-be"),  # no BOM
    ],
)
def test_encodings_decode_to_the_original(tmp_path: Path, codec: str, expected: str | None) -> None:
    doc = read_path(_write(tmp_path, "sample.txt", SAMPLE.encode(codec)))
    assert doc.text == SAMPLE
    if expected is not None:
        assert doc.encoding == expected
    else:
        assert doc.encoding is not None and doc.encoding.startswith("utf-16")


@pytest.mark.parametrize("codec", ["cp932", "euc_jp"])
def test_short_legacy_text_decodes(tmp_path: Path, codec: str) -> None:
    line = PARAS[0][:12]  # a dozen characters only: little evidence for the detector
    assert read_path(_write(tmp_path, "short.txt", line.encode(codec))).text == line


def test_mislabeled_encoding_cp932_in_txt(tmp_path: Path) -> None:
    """A Windows file saved as .txt (no label) and a UTF-8 page that is really CP932."""
    data = SAMPLE.encode("cp932")
    assert read_path(_write(tmp_path, "memo.txt", data)).text == SAMPLE
    page = (
        '<html><head><meta charset="utf-8"><title>t</title></head><body><main>'
        + "".join(f"<p>{p}</p>" for p in PARAS)
        + "</main></body></html>"
    ).encode("cp932")
    doc = read_path(_write(tmp_path, "page.html", page))
    assert doc.text == "\n".join(PARAS)
    assert doc.encoding == "cp932"


def test_html_label_wrong_legacy_encoding(tmp_path: Path) -> None:
    """Declared Shift_JIS, written in EUC-JP: the label is only a hint."""
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        "</head><body>" + "".join(f"<p>{p}</p>" for p in PARAS[:3]) + "</body></html>"
    ).encode("euc_jp")
    doc = read_path(_write(tmp_path, "page.html", page))
    assert doc.text == "\n".join(PARAS[:3])
    assert doc.encoding == "euc_jp"


def test_newlines_normalized_and_lines_kept(tmp_path: Path) -> None:
    crlf = SAMPLE.replace("\n", "\r\n").encode("cp932")
    doc = read_path(_write(tmp_path, "crlf.txt", crlf))
    assert doc.text == SAMPLE
    assert "\r" not in doc.text
    mixed = "一行目\r二行目\r\n\r\n四行目\n"
    doc = read_path(_write(tmp_path, "mixed.txt", mixed))
    assert doc.text == "一行目\n二行目\n\n四行目\n"
    assert doc.line_at(doc.text.index("四行目")) == 4


def test_markup_inside_plain_text_is_kept_verbatim(tmp_path: Path) -> None:
    """The segmenter reads <p>/<ul> in text sources; the reader must not strip them."""
    src = CORPUS / "000_2018f9a9ee2e4c64.txt"
    doc = read_path(src)
    assert "<p>" in doc.text
    assert doc.text == src.read_text("utf-8")
    text = "表\t<ul><li>項目1</li><li>項目2</li></ul>\n次の行\n"
    assert read_path(_write(tmp_path, "t.txt", text)).text == text


def test_markdown_and_text_suffixes(tmp_path: Path) -> None:
    doc = read_path(_write(tmp_path, "note.MD", "# 日豪防衛協力\n\n" + SAMPLE))
    assert doc.title == "日豪防衛協力"
    assert doc.doc_id == "note"
    assert read_path(_write(tmp_path, "n.text", SAMPLE)).text == SAMPLE


# --- HTML ----------------------------------------------------------------------------------

TABLE_ROWS = [
    ["国名", "協定", "状況"],
    ["オーストラリア", "日豪RAA", "発効"],
    ["フィリピン", "日比RAA", "署名"],
]


def _news_page() -> str:
    """A press page: chrome all around a main article with corpus paragraphs and a table."""
    body = "\n".join(f"<p>{p[:60]}\n{p[60:]}</p>" for p in PARAS[:4])  # source line break
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TABLE_ROWS)
    ranking = "".join(f'<li><a href="/n/{i}">人気記事タイトル{i}</a></li>' for i in range(1, 6))
    related = "".join(f'<li><a href="/r/{i}">関連記事の見出し{i}</a></li>' for i in range(1, 4))
    return f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>日豪防衛相会談 | 防衛ニュース</title>
<style>p {{ color: red; }}</style><script>var tracking = "防衛ニュース";</script></head>
<body>
<header class="site-header"><div class="logo">防衛ニュース</div>
  <form><input name="q" value="検索"></form></header>
<nav><ul><li><a href="/">トップ</a></li><li><a href="/politics">政治</a></li>
  <li><a href="/world">国際</a></li></ul></nav>
<div class="breadcrumb"><a href="/">ホーム</a> &gt; <a href="/world">国際</a></div>
<main>
 <article>
  <header><h1>日豪防衛相会談を実施</h1><p class="date">2024年5月</p></header>
  {body}
  <table><thead><tr><th>国名</th><th>協定</th><th>状況</th></tr></thead>
  <tbody>{rows.split("</tr>", 1)[1]}</tbody></table>
  <ul><li>日豪ACSA</li><li>日豪RAA</li></ul>
  <div class="share-buttons"><a href="#">X</a><a href="#">Facebook</a><a href="#">LINE</a></div>
  <p>ページの先頭へ戻る</p>
 </article>
 <section><h2>アクセスランキング</h2><ol>{ranking}</ol></section>
 <h3>関連記事</h3><ul>{related}</ul>
</main>
<aside><h2>おすすめ</h2><p>広告テキスト</p></aside>
<footer><p>Copyright © 防衛ニュース All Rights Reserved.</p></footer>
<script>document.write("広告");</script>
</body></html>"""


def test_html_main_text_kept_boilerplate_dropped(tmp_path: Path) -> None:
    doc = read_path(_write(tmp_path, "news.html", _news_page()))
    expected = (
        ["日豪防衛相会談を実施", "2024年5月"]
        + PARAS[:4]
        + ["\t".join(r) for r in TABLE_ROWS]
        + ["日豪ACSA", "日豪RAA"]
    )
    assert doc.text.split("\n") == expected
    assert doc.title == "日豪防衛相会談を実施"
    assert doc.media_type == "text/html"
    assert doc.encoding == "utf-8"
    for junk in (
        "人気記事",
        "関連記事",
        "ランキング",
        "トップ",
        "ホーム",
        "tracking",
        "広告",
        "Copyright",
        "検索",
        "Facebook",
        "先頭へ",
        "防衛ニュース",
    ):
        assert junk not in doc.text, junk


def test_html_without_main_uses_body_and_drops_link_lists() -> None:
    links = "".join(f'<li><a href="/{i}">記事{i}の題</a></li>' for i in range(6))
    markup = (
        "<html><body><div id='wrap'><div class='content'>"
        f"<p>{PARAS[0]}</p><p>{PARAS[1]}<br>{PARAS[2]}</p>"
        "<dl><dt>KEY WORD</dt><dd>RAA</dd></dl>"
        f"<div>よく読まれている記事</div><ul>{links}</ul>"
        f"</div><ul>{links}</ul></div></body></html>"
    )
    text, title = html_to_text(markup, "x.html")
    assert text.split("\n") == [PARAS[0], PARAS[1], PARAS[2], "KEY WORD", "RAA"]
    assert title is None


def test_html_pre_and_whitespace() -> None:
    markup = "<body><p>日豪  RAA\n署名</p><pre>行1\n  行2\n</pre><p>a\n b</p></body>"
    text, _ = html_to_text(markup, "x.html")
    assert text.split("\n") == ["日豪 RAA 署名", "行1", "  行2", "a b"]
    assert collapse_ws(" 防衛\n  協力 \n") == "防衛協力"
    assert collapse_ws("Japan\nAustralia") == "Japan Australia"


@pytest.mark.parametrize(
    "markup",
    [
        "<html><head><title>空</title></head><body></body></html>",
        "<html><body><nav><a href='/'>トップ</a></nav><footer>Copyright</footer></body></html>",
        "<html><body><script>alert(1)</script></body></html>",
        "   ",
    ],
)
def test_html_without_main_text_raises(tmp_path: Path, markup: str) -> None:
    with pytest.raises(ReadError, match=r"no main text|no text"):
        read_path(_write(tmp_path, "empty.html", markup))


def test_html_deeply_nested_does_not_crash(tmp_path: Path) -> None:
    depth = 20000
    markup = "<html><body>" + "<div>" * depth + "深い本文" + "</div>" * depth + "</body></html>"
    path = _write(tmp_path, "deep.html", markup)
    try:
        doc = read_path(path)
    except ReadError as err:
        assert "deep.html" in str(err)
    else:
        assert doc.text == "深い本文"
    markup = "<table><tr><td>" * 50 + "セル" + "</td></tr></table>" * 50
    assert html_to_text(markup, "t.html")[0] == "セル"


# --- PDF -----------------------------------------------------------------------------------


def _pdf(pages: list[list[str]], *, title: str | None = None, password: str | None = None) -> bytes:
    """A PDF with one text line per entry, via reportlab's built-in Japanese CID font."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    buf = io.BytesIO()
    enc = StandardEncryption(password, canPrint=1) if password else None
    c = canvas.Canvas(buf, encrypt=enc)
    if title:
        c.setTitle(title)
    for lines in pages:
        c.setFont("HeiseiMin-W3", 10)
        y = 800
        for line in lines:
            c.drawString(30, y, line)
            y -= 14
        c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_pages() -> list[list[str]]:
    chunks = [p[i : i + 30] for p in PARAS for i in range(0, len(p), 30)]
    assert len(chunks) > 40
    return [chunks[:25], chunks[25:50]]


def test_pdf_text_and_page_starts(tmp_path: Path) -> None:
    pages = _pdf_pages()
    doc = read_path(_write(tmp_path, "report.pdf", _pdf(pages, title="日本の防衛")))
    page1, page2 = "\n".join(pages[0]), "\n".join(pages[1])
    assert doc.text == page1 + "\n" + page2
    assert doc.page_starts == [(0, 1), (len(page1) + 1, 2)]
    assert doc.page_at(doc.text.index(pages[1][3])) == 2
    assert doc.page_at(doc.text.index(pages[0][-1])) == 1
    assert doc.media_type == "application/pdf"
    assert doc.title == "日本の防衛"
    assert doc.encoding is None


def test_pdf_truncated_corrupt_encrypted_scanned(tmp_path: Path) -> None:
    good = _pdf(_pdf_pages())
    with pytest.raises(ReadError, match=r"cut\.pdf: truncated PDF"):
        read_path(_write(tmp_path, "cut.pdf", good[: len(good) // 2]))
    junk = b"%PDF-1.7\n" + random.Random(1).randbytes(4000) + b"\n%%EOF\n"
    with pytest.raises(ReadError, match=r"junk\.pdf: .*PDF"):
        read_path(_write(tmp_path, "junk.pdf", junk))
    with pytest.raises(ReadError, match="not a PDF"):
        read_path(_write(tmp_path, "text.pdf", SAMPLE))
    with pytest.raises(ReadError, match="encrypted"):
        read_path(_write(tmp_path, "locked.pdf", _pdf(_pdf_pages(), password="secret")))
    with pytest.raises(ReadError, match="no text layer"):
        read_path(_write(tmp_path, "scan.pdf", _pdf([[], []])))


def test_pdf_page_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "two.pdf", _pdf(_pdf_pages()))
    monkeypatch.setenv("DEFCOOP_MAX_PDF_PAGES", "1")
    with pytest.raises(ReadError, match=r"2 pages, over the 1-page limit.*DEFCOOP_MAX_PDF_PAGES"):
        read_path(path)


# --- bad inputs ----------------------------------------------------------------------------


def test_empty_and_blank_files(tmp_path: Path) -> None:
    for name in ("empty.txt", "empty.html", "empty.pdf"):
        with pytest.raises(ReadError, match=f"{name}: empty file"):
            read_path(_write(tmp_path, name, b""))
    with pytest.raises(ReadError, match="whitespace"):
        read_path(_write(tmp_path, "blank.txt", " \n\r\n\u3000\n"))
    with pytest.raises(ReadError, match="whitespace"):
        read_path(_write(tmp_path, "bom.txt", b"\xef\xbb\xbf"))


@pytest.mark.parametrize(
    "data",
    [
        random.Random(0).randbytes(4096),  # has NUL bytes
        bytes(b | 0x80 for b in random.Random(2).randbytes(4096)),  # high bytes only
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(3).randbytes(500),
        bytes(range(1, 32)) * 20,  # valid UTF-8, but control characters
        b"\xff\xfe" + b"\x00\xd8" * 10,  # UTF-16 BOM, then lone surrogates
    ],
    ids=["random", "high-bytes", "png", "controls", "bad-utf16"],
)
def test_binary_junk_raises(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ReadError, match=r"junk\.txt: .*(binary|cannot decode|invalid)"):
        read_path(_write(tmp_path, "junk.txt", data))


def test_unsupported_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"data\.docx: unsupported file type '\.docx'"):
        read_path(_write(tmp_path, "data.docx", SAMPLE))
    with pytest.raises(ReadError, match="no suffix"):
        read_path(_write(tmp_path, "README", SAMPLE))
    with pytest.raises(ReadError, match="no such file"):
        read_path(tmp_path / "missing.txt")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(ReadError, match="is a directory"):
        read_path(tmp_path / "folder.txt")
    assert ".pdf" in SUPPORTED_SUFFIXES and ".html" in SUPPORTED_SUFFIXES


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = SOURCE.read_bytes()
    path = tmp_path_factory.mktemp("big") / "big.txt"
    with path.open("wb") as fh:
        for _ in range(50 * MB // len(raw) + 1):
            fh.write(raw)
    assert path.stat().st_size > 50 * MB
    return path


def test_file_over_limit_raises_with_hint(big_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEFCOOP_MAX_FILE_MB", raising=False)
    with pytest.raises(ReadError) as info:
        read_path(big_file)
    msg = str(info.value)
    assert "big.txt" in msg and "over the 32 MB limit" in msg and "DEFCOOP_MAX_FILE_MB" in msg
    assert "\n" not in msg
    monkeypatch.setenv("DEFCOOP_MAX_FILE_MB", "1")
    with pytest.raises(ReadError, match="over the 1 MB limit"):
        read_path(big_file)
    monkeypatch.setenv("DEFCOOP_MAX_FILE_MB", "lots")
    with pytest.raises(ReadError, match="DEFCOOP_MAX_FILE_MB must be a positive number"):
        read_path(big_file)


def test_file_under_raised_limit_reads(big_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = read_path(big_file, max_bytes=64 * MB)
    assert len(doc.text) > 15_000_000
    assert doc.text.startswith(PARAS[0])
    monkeypatch.setenv("DEFCOOP_MAX_FILE_MB", "64")
    assert max_file_bytes() == 64 * MB
    assert read_path(big_file).content_hash == doc.content_hash


def test_folder_with_one_bad_file(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    _write(root, "b_cp932.txt", SAMPLE.encode("cp932"))
    _write(root, "a_utf8.txt", SAMPLE)
    _write(root / "sub", "c_page.html", _news_page())
    _write(root / "sub", "d_report.pdf", _pdf(_pdf_pages()))
    _write(root, "e_broken.pdf", _pdf(_pdf_pages())[:500])
    _write(root, "notes.docx", b"PK\x03\x04")
    _write(root, ".secret.txt", SAMPLE)
    _write(root / ".hidden", "x.txt", SAMPLE)

    found = list(iter_paths([root, root / "a_utf8.txt"]))
    assert [p.relative_to(root).as_posix() for p in found] == [
        "a_utf8.txt",
        "b_cp932.txt",
        "e_broken.pdf",
        "sub/c_page.html",
        "sub/d_report.pdf",
    ]
    read, errors = {}, []
    for p in found:
        try:
            read[p.name] = read_path(p)
        except ReadError as err:
            errors.append(err)
    assert sorted(read) == ["a_utf8.txt", "b_cp932.txt", "c_page.html", "d_report.pdf"]
    assert read["b_cp932.txt"].text == SAMPLE
    assert len(errors) == 1
    assert "e_broken.pdf" in str(errors[0]) and errors[0].path.endswith("e_broken.pdf")
    # A file given directly is yielded even when unsupported: read_path reports it.
    assert list(iter_paths([root / "notes.docx"])) == [root / "notes.docx"]


def test_decode_bytes_contract() -> None:
    assert decode_bytes(SAMPLE.encode("euc_jp"), "x") == (SAMPLE, "euc_jp")
    with pytest.raises(ReadError, match="x: empty file"):
        decode_bytes(b"", "x")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    data=st.one_of(
        st.binary(max_size=600),
        st.builds(lambda b: b"%PDF-1.4\n" + b + b"\n%%EOF", st.binary(max_size=400)),
        st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
    ),
    suffix=st.sampled_from([".txt", ".html", ".pdf"]),
)
def test_only_read_errors_escape(data: bytes, suffix: str) -> None:
    """Whatever the bytes, read_path returns a Document or raises ReadError."""
    fd, name = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            doc = read_path(name)
        except ReadError as err:
            assert str(err).startswith(name)
            assert "\n" not in str(err)
        else:
            assert doc.text.strip()
    finally:
        os.unlink(name)
