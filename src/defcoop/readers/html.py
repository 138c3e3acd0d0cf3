"""HTML pages -> main text, one block per line.

Press releases and news pages wrap a few paragraphs in navigation, headers,
footers, share buttons and "ranking" link lists.  Those are not the document:
rule stages would find events in a "人気記事" list.  We drop them (cue words in
``data/html_boilerplate.yaml``), then write every block element as one line,
table rows as tab-separated cells and list items one per line, so the
segmenter sees the same shapes as in plain-text sources.

All tree walks use explicit stacks: pages with absurdly deep nesting must not
hit Python's recursion limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from defcoop.errors import ReadError

_SKIPPED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "ul",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LINK_BLOCKS = frozenset({"ul", "ol", "dl", "div", "section", "table", "menu", "nav", "p"})
_CUE_LEADINS = _HEADINGS | {"p", "div", "span", "strong", "b", "dt", "th", "caption", "header"}
_MAX_TABLE_NESTING = 20
_CUE_HEADING_MAX_CHARS = 40


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    """Cue lists from ``html_boilerplate.yaml``, compiled."""

    drop_tags: frozenset[str]
    drop_roles: frozenset[str]
    drop_class_tokens: frozenset[str]
    drop_class_tokens_outside_main: frozenset[str]
    heading_cue_re: re.Pattern[str]
    line_cue_re: re.Pattern[str]
    line_cue_max_chars: int
    min_links: int
    min_link_share: float
    cue_link_share: float


def _cue_regex(cues: list[str]) -> re.Pattern[str]:
    """Japanese cues match as substrings; Latin ones only as whole words ("PR" not in "April")."""
    parts = []
    for cue in sorted(cues, key=len, reverse=True):
        esc = re.escape(cue)
        parts.append(rf"(?<![A-Za-z]){esc}(?![A-Za-z])" if cue.isascii() else esc)
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)


@lru_cache(maxsize=1)
def load_rules() -> BoilerplateRules:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("defcoop").joinpath("data/html_boilerplate.yaml").read_text("utf-8")
    )
    link = raw.get("link_list", {})

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in raw.get(key, []))

    return BoilerplateRules(
        drop_tags=words("drop_tags"),
        drop_roles=words("drop_roles"),
        drop_class_tokens=words("drop_class_tokens"),
        drop_class_tokens_outside_main=words("drop_class_tokens_outside_main"),
        heading_cue_re=_cue_regex([str(c) for c in raw.get("heading_cues", [])]),
        line_cue_re=_cue_regex([str(c) for c in raw.get("line_cues", [])]),
        line_cue_max_chars=int(raw.get("line_cue_max_chars", 40)),
        min_links=int(link.get("min_links", 3)),
        min_link_share=float(link.get("min_link_share", 0.7)),
        cue_link_share=float(link.get("cue_link_share", 0.4)),
    )


# --- helpers -------------------------------------------------------------------------------

_WS_RE = re.compile(r"[ \t\n\r\f\v]+")
_TOKEN_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _is_wide(ch: str) -> bool:
    """CJK, kana and full-width characters: a source line break between two is not a space."""
    return bool(ch) and ord(ch) >= 0x2E80


def collapse_ws(s: str) -> str:
    """HTML whitespace rules, except that a line break between Japanese characters vanishes."""

    def repl(m: re.Match[str]) -> str:
        run = m.group()
        if "\n" in run or "\r" in run:
            before = s[m.start() - 1] if m.start() > 0 else ""
            after = s[m.end()] if m.end() < len(s) else ""
            if _is_wide(before) and _is_wide(after):
                return ""
        return " "

    return _WS_RE.sub(repl, s).strip()


def _attr_text(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _class_tokens(tag: Tag) -> set[str]:
    raw = _attr_text(tag, "class") + " " + _attr_text(tag, "id")
    return {t.lower() for t in _TOKEN_RE.findall(raw)}


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or _attr_text(tag, "aria-hidden").lower() == "true":
        return True
    style = _attr_text(tag, "style").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _child_tags(tag: Tag) -> list[Tag]:
    return [c for c in tag.contents if isinstance(c, Tag)]


# --- cleaning ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Stats:
    text: int = 0  # non-blank characters below the element
    link: int = 0  # of which inside <a>
    links: int = 0  # number of <a>
    protected: bool = False  # holds the main content (main, article, h1): never dropped
    short: str | None = ""  # the text itself while it is short (cue checks), else None


def _measure(root: Tag) -> dict[int, _Stats]:
    """Text and link lengths of every element, bottom-up in one pass."""
    stats: dict[int, _Stats] = {}
    stack: list[tuple[Tag, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in _child_tags(node))
            continue
        st = _Stats(
            protected=node.name in ("main", "article", "h1")
            or _attr_text(node, "role").lower() == "main"
        )
        pieces: list[str] | None = []
        for c in node.contents:
            if isinstance(c, Tag):
                cs = stats[id(c)]
                st.text += cs.text
                st.link += cs.link
                st.links += cs.links
                st.protected |= cs.protected
                piece = cs.short
            elif isinstance(c, NavigableString) and not isinstance(c, _SKIPPED_STRINGS):
                st.text += len(c.strip())
                piece = str(c)
            else:
                continue
            if pieces is not None:
                if piece is None or st.text > _CUE_HEADING_MAX_CHARS:
                    pieces = None
                else:
                    pieces.append(piece)
        st.short = "".join(pieces) if pieces is not None else None
        if node.name == "a":
            st.link = st.text
            st.links += 1
        stats[id(node)] = st
    return stats


def _is_link_list(st: _Stats, share: float, min_links: int) -> bool:
    return st.links >= min_links and st.text > 0 and st.link / st.text >= share


def _next_tag(tag: Tag) -> Tag | None:
    sib = tag.next_sibling
    while sib is not None:
        if isinstance(sib, Tag):
            return sib
        if isinstance(sib, NavigableString) and sib.strip():
            return None
        sib = sib.next_sibling
    return None


def _drop_chrome(root: Tag, rules: BoilerplateRules) -> None:
    """Remove page chrome in place: tags, landmarks, class names, link lists, cue blocks.

    Walks top-down and never descends into what it drops.  (Do not test
    ``Tag.decomposed`` on live tags: bs4 turns the missing attribute into a
    subtree search, which makes deep pages quadratic.)
    """
    stack: list[Tag] = [root]
    while stack:
        tag = stack.pop()
        role = _attr_text(tag, "role").lower()
        if tag is not root and (
            tag.name in rules.drop_tags or role in rules.drop_roles or _is_hidden(tag)
        ):
            tag.decompose()
            continue
        stack.extend(_child_tags(tag))

    stats = _measure(root)
    total = max(stats[id(root)].text, 1)
    removed: set[int] = set()
    todo: list[tuple[Tag, bool, int]] = [(root, False, 0)]
    while todo:
        tag, in_main, parent_id = todo.pop()
        if id(tag) in removed or parent_id in removed:
            continue
        st = stats[id(tag)]
        if tag is not root and not st.protected and _is_chrome(tag, st, in_main, total, rules):
            tag.decompose()
            continue
        dropped = _drop_cue_block(tag, st, stats, rules)
        if dropped:
            for gone in dropped:
                removed.add(id(gone))
                gone.decompose()
            continue
        child_in_main = in_main or tag.name in ("main", "article")
        todo.extend((c, child_in_main, id(tag)) for c in reversed(_child_tags(tag)))


def _is_chrome(tag: Tag, st: _Stats, in_main: bool, total: int, rules: BoilerplateRules) -> bool:
    name = tag.name
    if name == "footer" or (name == "header" and not in_main):
        return True
    tokens = _class_tokens(tag)
    if tokens and st.text <= total // 2:
        if tokens & rules.drop_class_tokens:
            return True
        if not in_main and tokens & rules.drop_class_tokens_outside_main:
            return True
    return name in _LINK_BLOCKS and _is_link_list(st, rules.min_link_share, rules.min_links)


def _drop_cue_block(
    tag: Tag, st: _Stats, stats: dict[int, _Stats], rules: BoilerplateRules
) -> list[Tag]:
    """A short lead-in such as "アクセスランキング" followed by links: the tags to drop."""
    if tag.name not in _CUE_LEADINS or st.protected or st.short is None:
        return []
    if not rules.heading_cue_re.search(st.short):
        return []
    nxt = _next_tag(tag)
    if (
        nxt is not None
        and not stats[id(nxt)].protected
        and _is_link_list(stats[id(nxt)], rules.cue_link_share, 1)
    ):
        return [nxt, tag]
    parent = tag.parent
    if isinstance(parent, Tag) and parent.name not in ("body", "html", "[document]"):
        ps = stats[id(parent)]
        rest = _Stats(text=ps.text - st.text, link=ps.link - st.link, links=ps.links - st.links)
        if not ps.protected and _is_link_list(rest, rules.cue_link_share, 1):
            return [parent]
    return []


# --- rendering -----------------------------------------------------------------------------


def _render(root: Tag, nesting: int = 0) -> list[str]:
    """Block elements -> lines; table rows -> tab-joined cells; ``<br>`` -> line break."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            line = collapse_ws("".join(buf))
            buf.clear()
            if line:
                lines.append(line)

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _SKIPPED_STRINGS):
                buf.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if leaving:
            if name in _BLOCK_TAGS:
                flush()
            continue
        if name == "br":
            flush()
        elif name == "tr":
            flush()
            row = _row_text(node, nesting)
            if row:
                lines.append(row)
        elif name == "pre":
            flush()
            for raw in node.get_text().split("\n"):
                if raw.strip():
                    lines.append(raw.rstrip())
        else:
            if name in _BLOCK_TAGS:
                flush()
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.contents))
    flush()
    return lines


def _row_text(tr: Tag, nesting: int) -> str:
    cells = [c for c in _child_tags(tr) if c.name in ("td", "th")]
    texts = []
    for cell in cells:
        if nesting >= _MAX_TABLE_NESTING:
            text = collapse_ws(cell.get_text(" "))
        else:
            text = " ".join(_render(cell, nesting + 1))
        texts.append(text.replace("\t", " "))
    if not any(texts):
        return ""
    return "\t".join(texts)


# --- entry point ---------------------------------------------------------------------------


def _title(soup: BeautifulSoup) -> str | None:
    """The article's own <h1> if it sits in main/article, else <title>, else any <h1>."""
    for container in soup.find_all(["main", "article"]):
        h1 = container.find("h1")
        if h1 is not None and (text := collapse_ws(h1.get_text())):
            return text
    if soup.title is not None and (text := collapse_ws(soup.title.get_text())):
        return text
    h1 = soup.find("h1")
    if h1 is not None and (text := collapse_ws(h1.get_text())):
        return text
    return None


def _main_root(root: Tag) -> Tag:
    main = root.find("main") or root.find(True, attrs={"role": "main"})
    if isinstance(main, Tag) and main.get_text().strip():
        return main
    articles = root.find_all("article")
    if len(articles) == 1 and articles[0].get_text().strip():
        return articles[0]
    return root


def html_to_text(markup: str, path: str) -> tuple[str, str | None]:
    """Main text of an HTML page (blocks separated by "\\n") and its title."""
    rules = load_rules()
    soup = BeautifulSoup(markup, "lxml")
    title = _title(soup)
    root: Tag = soup.body if soup.body is not None else soup
    _drop_chrome(root, rules)
    lines = [
        line
        for line in _render(_main_root(root))
        if not (len(line) <= rules.line_cue_max_chars and rules.line_cue_re.search(line))
    ]
    if not lines:
        raise ReadError(path, "HTML has no main text (only navigation, scripts or boilerplate)")
    return "\n".join(lines), title


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)


def declared_charset(data: bytes) -> str | None:
    """The ``<meta charset>`` label in the first bytes of the page, if any."""
    m = _META_CHARSET_RE.search(data[:4096])
    return m.group(1).decode("ascii") if m else None
