"""Server-rendered pages: every page in both languages, source text always shown as text,
no inline script or style, curation through forms, and the helpers behind them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

import pytest

from defcoop.query import get_event
from defcoop.store import Store
from defcoop.web.charts import bar_chart, hbar_chart, year_series
from defcoop.web.i18n import Translator, messages, negotiate, partner_name
from defcoop.web.render import highlight, query_string, terms_spans, toggle

pytest.register_assert_rewrite("web_support")

from web_support import Template, client, first_event_id, login  # noqa: E402

pytest_plugins = ("web_support",)

PAGES = [
    "/",
    "/search",
    "/search?q=オーストラリア&kind=meeting",
    "/search?partner=PHL&since=2024-01&level=ministers&sort=date&page=2&limit=5",
    "/partners",
    "/partners/AUS",
    "/partners/PHL",
    "/agreements",
    "/agreements?as_of=2025-04",
    "/frameworks",
    "/frameworks/JASMINE",
    "/frameworks/JVS",
    "/documents",
    "/documents/{doc}",
    "/documents/{doc}?kind=heading&kind=caption",
    "/people",
    "/people?role=MOD_MIN&country=JPN&as_of=2024-09",
    "/events/{eid}",
    "/login",
    "/api/docs",
]


class _Audit(HTMLParser):
    """Collects what the CSP would block: inline scripts, style attributes and elements,
    event-handler attributes, javascript: URLs, and any resource from another host."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and not a.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for k, v in attrs:
            if k == "style":
                self.problems.append(f"style= on <{tag}>")
            if k.startswith("on"):
                self.problems.append(f"{k}= on <{tag}>")
            if k.startswith("hx-on"):
                self.problems.append(f"{k}= (needs eval)")
            if k in ("href", "src", "action") and v:
                if v.strip().lower().startswith("javascript:"):
                    self.problems.append(f"javascript: URL on <{tag}>")
                if tag in ("script", "link", "img", "iframe") and re.match(r"(https?:)?//", v):
                    self.problems.append(f"external resource {v}")


def _fill(path: str, store: Store) -> str:
    return path.replace("{doc}", store.list_documents()[0].doc_key).replace(
        "{eid}", first_event_id(store, partner="AUS")
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_renders_in_both_languages_without_inline_code(
    shared: tuple[Template, Store], lang: str
) -> None:
    _, store = shared
    c = client(store, public=True)
    c.cookies.set("defcoop_lang", lang)
    for path in PAGES:
        r = c.get(_fill(path, store))
        assert r.status_code == 200, (path, r.text[:500])
        assert f'<html lang="{lang}">' in r.text, path
        audit = _Audit()
        audit.feed(r.text)
        assert not audit.problems, (path, audit.problems)
        assert '<script src="/static/htmx.min.js" defer></script>' in r.text
    page = c.get("/partners/AUS").text
    assert ("オーストラリア" if lang == "ja" else "Australia") in page
    dash = c.get("/").text
    assert "<svg" in dash and ("年別の事象数" if lang == "ja" else "Events by year") in dash


def test_language_switch_is_remembered(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store, public=True)
    assert '<html lang="ja">' in c.get("/").text  # default
    assert '<html lang="en">' in c.get("/", headers={"accept-language": "en-GB,en;q=0.8"}).text
    r = c.get("/lang/en?next=/partners/IND", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/partners/IND"
    assert (
        "defcoop_lang=en" in r.headers["set-cookie"]
        and "max-age" in r.headers["set-cookie"].lower()
    )
    page = c.get("/partners/IND").text
    assert '<html lang="en">' in page and "India" in page
    c.get("/lang/ja")
    assert "インド" in c.get("/partners/IND").text
    assert c.get("/lang/fr").status_code == 404


def test_role_and_kind_names_follow_the_language(shared: tuple[Template, Store]) -> None:
    _, store = shared
    eid = first_event_id(store, role="MOD_MIN")
    c = client(store, public=True)
    c.cookies.set("defcoop_lang", "en")
    assert "Defense Minister" in c.get(f"/events/{eid}").text
    c.cookies.set("defcoop_lang", "ja")
    assert "防衛大臣" in c.get(f"/events/{eid}").text


def test_source_markup_is_always_shown_as_text(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store, public=True)
    doc = next(d.doc_key for d in store.list_documents() if d.doc_key.startswith("000_"))
    html = c.get(f"/documents/{doc}").text
    assert "&lt;p&gt;① 日ASEAN" in html and "&lt;ul style=" in html
    assert "<ul style" not in html and "<p>①" not in html
    # and the search results page escapes the matching paragraphs too
    html = c.get("/search", params={"q": "ASEAN乗艦協力プログラム"}).text
    assert "<ul style" not in html


def test_markup_in_an_evidence_paragraph_is_text(web_store: Store) -> None:
    from defcoop.kb.curation import add_event

    doc = next(d.doc_key for d in web_store.list_documents() if d.doc_key.startswith("000_"))
    quote = "<p>① 日ASEANで力や威圧によるいかなる一方的な現状変更も許容しない安全保障環境の創出</p>"
    res = add_event(web_store, user="tests", kind="seminar", date="2024-01", partners=["ASEAN"],
                    source_doc=doc, source_quote=quote)  # fmt: skip
    page = client(web_store, public=True).get(f"/events/{res.id}").text
    marked = re.findall(r'<mark class="evidence">(.*?)</mark>', page, flags=re.S)
    assert marked == [quote.replace("<", "&lt;").replace(">", "&gt;")]
    assert "&lt;ul style=&#34;list-style-type: none&#34;&gt;" in page  # the rest of the paragraph
    assert "<p>①" not in page and "<ul style" not in page


def test_event_page_highlights_the_evidence(shared: tuple[Template, Store]) -> None:
    _, store = shared
    eid = first_event_id(store, partner="AUS", kind="meeting")
    d = get_event(store, eid)
    assert d is not None
    ev = d.evidence[0]
    page = client(store, public=True).get(f"/events/{eid}").text
    marked = re.findall(r'<mark class="evidence">(.*?)</mark>', page, flags=re.S)
    assert marked and ev.quote.replace("&", "&amp;").replace("<", "&lt;") in marked
    assert d.event.date in page


def test_curation_in_the_browser(web_store: Store) -> None:
    c = client(web_store)
    token = login(c, "editor")
    eid = first_event_id(web_store, partner="PHL")
    page = c.get(f"/events/{eid}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    r = c.post(f"/events/{eid}/correct", data={"csrf_token": token, "version": version,
               "field": "location", "value": "マニラ <b>港</b>", "reason": "release"})  # fmt: skip
    assert r.status_code == 200 and "?done=correct" in str(r.url)
    assert "マニラ &lt;b&gt;港&lt;/b&gt;" in r.text and "<b>港" not in r.text
    assert 'id="history"' in r.text and "eddie" in r.text
    # the same form posted again with the old version: refused, clearly, nothing overwritten
    r = c.post(f"/events/{eid}/correct", data={"csrf_token": token, "version": version,
               "field": "location", "value": "セブ"})  # fmt: skip
    assert r.status_code == 409 and "セブ" not in r.text.split('id="fields"')[1].split("</dl>")[0]
    assert "他の人がこの事象を変更しました" in r.text
    r = c.post(
        f"/events/{eid}/correct", data={"csrf_token": token, "field": "date", "value": "soon"}
    )
    assert r.status_code == 400 and "not a date" in r.text
    r = c.post(f"/events/{eid}/verify", data={"csrf_token": token})
    assert r.status_code == 200 and "確認しました" in r.text
    r = c.post(f"/events/{eid}/reject", data={"csrf_token": token, "reason": "duplicate"})
    assert 'id="event-state">却下' in r.text
    r = c.post(f"/events/{eid}/restore", data={"csrf_token": token})
    assert r.status_code == 200 and 'id="form-verify"' in r.text
    audit = c.get("/audit").text
    assert audit.count(f"/events/{eid}") >= 4
    # link to a JASMINE initiative, then remove the link again (both audited)
    jeid = first_event_id(web_store, partner="ASEAN")
    page = c.get(f"/events/{jeid}").text
    target = re.search(r'<option value="(1\|[^"]+)"', page).group(1)  # type: ignore[union-attr]
    initiative = target.split("|", 1)[1]
    r = c.post(f"/events/{jeid}/link", data={"csrf_token": token, "target": target, "reason": "r"})
    assert r.status_code == 200 and "関連付けました" in r.text
    links = r.text.split('id="links"')[1].split("</ul>")[0]
    assert initiative in links and "手入力" in links
    r = c.post(f"/events/{jeid}/unlink", data={"csrf_token": token, "framework": "JASMINE",
               "pillar": "1", "initiative": initiative})  # fmt: skip
    assert r.status_code == 200 and "関連付けを外しました" in r.text
    r = c.post(f"/events/{jeid}/link", data={"csrf_token": token, "target": "9"})
    assert r.status_code == 400 and "no pillar 9" in r.text
    # add an event by hand
    assert c.get("/events/new").status_code == 200
    r = c.post("/events/new", data={"csrf_token": token, "kind": "meeting", "date": "2025-03-01",
               "partners": "PHL、AUS", "jp_role": "MOD_MIN", "location": "東京"})  # fmt: skip
    assert r.status_code == 200 and "?done=add" in str(r.url) and "手入力" in r.text
    r = c.post("/events/new", data={"csrf_token": token, "kind": "meeting", "partners": "ZZZ"})
    assert r.status_code == 400 and "unknown partner" in r.text


def test_bad_values_on_pages_are_messages_not_crashes(shared: tuple[Template, Store]) -> None:
    _, store = shared
    c = client(store, public=True)
    r = c.get("/search?kind=bogus")
    assert r.status_code == 400 and "unknown kind" in r.text
    assert c.get("/agreements?as_of=2025-13").status_code == 400
    assert c.get("/people?as_of=someday").status_code == 400
    r = c.get("/events/nope")
    assert r.status_code == 404 and 'data-code="not_found"' in r.text
    assert c.get("/partners/XXX").status_code == 404
    assert c.get("/frameworks/NOPE").status_code == 404
    r = c.get("/partners/オーストラリア", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/partners/AUS"


def test_static_assets_are_packaged() -> None:
    static = resources.files("defcoop.web").joinpath("static")
    htmx = static.joinpath("htmx.min.js").read_text("utf-8")
    assert len(htmx) > 40_000 and "htmx" in htmx
    css = static.joinpath("app.css").read_text("utf-8")
    assert "@media (max-width: 640px)" in css


# --------------------------------------------------------------------------- helpers


def test_highlight_escapes_every_piece() -> None:
    text = '<p onclick="x()">日本 & <b>ASEAN</b></p>'
    a = text.index("<b>")
    out = str(highlight(text, [(a, a + len("<b>ASEAN</b>"))]))
    assert out == ('&lt;p onclick=&#34;x()&#34;&gt;日本 &amp; <mark class="evidence">'
                   "&lt;b&gt;ASEAN&lt;/b&gt;</mark>&lt;/p&gt;")  # fmt: skip
    assert str(highlight("abcdef", [(4, 9), (1, 2), (1, 3)])) == (
        'a<mark class="evidence">bc</mark>d<mark class="evidence">ef</mark>'
    )
    assert str(highlight("abc", [(-5, 0), (2, 2)])) == "abc"
    assert str(highlight(None, [])) == ""


def test_query_helpers() -> None:
    assert query_string({"a": ["1", "2"], "b": None}, c="x") == "?a=1&a=2&c=x"
    assert query_string([("a", "1"), ("page", "3")], page=None) == "?a=1"
    params = [("kind", "meeting"), ("page", "2")]
    assert toggle(params, "kind", "meeting") == ""
    assert toggle(params, "partner", "AUS") == "?kind=meeting&partner=AUS"
    assert terms_spans("Japan and JAPAN", ["japan"]) == [(0, 5), (10, 15)]


def test_charts_escape_labels_and_scale() -> None:
    svg = str(bar_chart([("<x>", 3), ("2025", 6)], title="a<b", href=lambda y: f"/s?y={y}"))
    assert "&lt;x&gt;" in svg and "<x>" not in svg and "a&lt;b" in svg and "style=" not in svg
    assert 'href="/s?y=2025"' in svg
    assert str(bar_chart([], title="t")) == ""
    h = str(hbar_chart([("AUS", "豪 & <i>", 4)], title="t", href=lambda c: f"/partners/{c}"))
    assert "豪 &amp; &lt;i&gt;" in h
    assert year_series({"2001": 1, "2020": 2, "2024": 5, "undated": 9}, span=5) == [
        ("≤2020", 3), ("2021", 0), ("2022", 0), ("2023", 0), ("2024", 5)]  # fmt: skip


def test_locales_match_and_names_translate() -> None:
    assert set(messages("ja")) == set(messages("en"))
    t = Translator("en")
    assert t.kind("two_plus_two") == "2+2" and t.role("MOD_MIN") == "Defense Minister"
    assert t("common.results", total=3) == "3 events" and t("no.such.key") == "no.such.key"
    assert Translator("ja").role("CHOD") == "統合幕僚長"
    assert (
        partner_name("AUS", "ja") == "オーストラリア" and partner_name("AUS", "en") == "Australia"
    )
    assert partner_name("ZZZ", "en") == "ZZZ"
    assert negotiate(None, "fr, en;q=0.5") == "en" and negotiate("ja", "en") == "ja"
    assert negotiate("xx", None) == "ja"


def test_demo_builds_a_fresh_store_each_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from defcoop.cli import app
    from defcoop.store.users import add_user, list_users

    db = tmp_path / "demo.db"
    r = CliRunner().invoke(app, ["demo", "--no-serve", "--db-file", str(db)])
    assert r.exit_code == 0, r.output
    assert "5 documents" in r.output and "events" in r.output and "password" in r.output
    with Store.open(f"sqlite:///{db}") as store:
        n = store.counts().events
        assert n > 300 and [u.name for u in list_users(store)] == ["demo"]
        add_user(store, "leftover", "viewer", "leftover-pass")
    r = CliRunner().invoke(app, ["demo", "--no-serve", "--no-user", "--db-file", str(db)])
    assert r.exit_code == 0, r.output
    with Store.open(f"sqlite:///{db}") as store:
        assert store.counts().events == n and list_users(store) == []
