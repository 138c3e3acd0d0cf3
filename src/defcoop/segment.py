"""Segmentation: Document -> paragraphs with a block kind, section path and sentences.

Official texts put one paragraph per line. Each non-empty line becomes a
``Segment``; its block kind (body, heading, caption, footnote, keyword box,
cross-reference, table row, boilerplate) comes from the rules in
``data/segment_rules.yaml``. Sentence spans skip markup fragments such as
``<p>``/``<ul>`` that appear inside plain text, and never cut inside brackets.
All spans are offsets into the original ``Document.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from defcoop.normalize import NormalizedText, normalize
from defcoop.records import Document, Segment


@dataclass(frozen=True, slots=True)
class _Rules:
    order: tuple[str, ...]
    sentence_end: frozenset[str]
    open_close: dict[str, str]
    crossref: tuple[re.Pattern[str], ...]
    keyword: tuple[re.Pattern[str], ...]
    boilerplate: tuple[re.Pattern[str], ...]
    list_heads: tuple[re.Pattern[str], ...]
    caption_max: int
    caption: tuple[re.Pattern[str], ...]
    caption_not: tuple[re.Pattern[str], ...]
    footnote: re.Pattern[str]
    notes: tuple[re.Pattern[str], ...]
    footnote_min_run: int
    heading_max: int
    headings: tuple[tuple[int, re.Pattern[str]], ...]
    section_start: tuple[re.Pattern[str], ...]
    short_untitled_max: int
    cell_sep: str
    markup: re.Pattern[str]
    bullets: re.Pattern[str]


def _compile(items: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in items)


@lru_cache(maxsize=1)
def rules() -> _Rules:
    """Load the segmentation rules once."""
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("defcoop.data").joinpath("segment_rules.yaml").read_text("utf-8")
    )
    return _Rules(
        order=tuple(raw["order"]),
        sentence_end=frozenset(raw["sentence_end"]),
        open_close=dict(raw["brackets"]),
        crossref=_compile(raw["crossref"]),
        keyword=_compile(raw["keyword"]),
        boilerplate=_compile(raw["boilerplate"]),
        list_heads=_compile(raw["list_heads"]),
        caption_max=int(raw["caption"]["max_length"]),
        caption=_compile(raw["caption"]["patterns"]),
        caption_not=_compile(raw["caption"].get("not_patterns", [])),
        footnote=re.compile(raw["footnote"]["pattern"]),
        notes=_compile(raw["footnote"].get("note_patterns", [])),
        footnote_min_run=int(raw["footnote"]["min_run"]),
        heading_max=int(raw["heading"]["max_length"]),
        headings=tuple((int(h["level"]), re.compile(h["re"])) for h in raw["heading"]["patterns"]),
        section_start=_compile(raw["heading"]["section_start"]),
        short_untitled_max=int(raw["heading"]["short_untitled_max"]),
        cell_sep=raw["table"]["cell_separator"],
        markup=re.compile(raw["inline_markup"]),
        bullets=re.compile(raw["bullets"]),
    )


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(line number, start, end) of every line, split on ``\\n`` only."""
    out = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        out.append((i + 1, pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _footnote_lines(norms: list[tuple[int, str]], r: _Rules) -> set[int]:
    """Line numbers of the numbered-notes run at the end of the document."""
    run: list[tuple[int, int]] = []
    for lineno, s in reversed(norms):
        if not s:
            continue
        m = r.footnote.match(s)
        if not m or ("。" not in s and len(s) < 20):
            break
        run.append((lineno, int(m.group(1))))
    run.reverse()
    # keep the longest suffix whose numbers go 1, 2, 3 ... without gaps
    for k in range(len(run)):
        nums = [n for _, n in run[k:]]
        if nums[0] == 1 and nums == list(range(1, len(nums) + 1)):
            if len(nums) >= r.footnote_min_run:
                return {ln for ln, _ in run[k:]}
            break
    return set()


def classify(s: str, r: _Rules | None = None) -> tuple[str, int | None]:
    """Block kind of one normalized, stripped paragraph, and its heading level."""
    r = r or rules()
    for fam in r.order:
        if fam == "boilerplate" and any(p.search(s) for p in (*r.boilerplate, *r.list_heads)):
            return "boilerplate", None
        if fam == "crossref" and any(p.search(s) for p in r.crossref):
            return "crossref", None
        if fam == "keyword" and any(p.search(s) for p in r.keyword):
            return "keyword", None
        if fam == "footnote" and any(p.search(s) for p in r.notes):
            return "footnote", None
        if (
            fam == "caption"
            and len(s) <= r.caption_max
            and not any(c in r.sentence_end for c in s)
            and any(p.search(s) for p in r.caption)
            and not any(p.search(s) for p in r.caption_not)
        ):
            return "caption", None
        if fam == "table_row" and r.cell_sep in s.strip(r.cell_sep + " "):
            return "table_row", None
        if fam == "heading" and len(s) <= r.heading_max and "。" not in s:
            for level, p in r.headings:
                if p.search(s):
                    return "heading", level
            if len(s) <= r.short_untitled_max and not s.startswith(
                ("-", "・", "(", "※", "●", "○", "◆", "✓", "➤")
            ):
                return "heading", 9
    return "body", None


_MARKS: dict[int, re.Pattern[str]] = {}


def _marks_re(r: _Rules) -> re.Pattern[str]:
    """The characters where a sentence may start or end (cached per rule set)."""
    pat = _MARKS.get(id(r))
    if pat is None:
        chars = set(r.open_close) | set(r.open_close.values()) | set(r.sentence_end) | {r.cell_sep}
        pat = re.compile("[" + re.escape("".join(sorted(chars))) + "]|" + r.bullets.pattern)
        _MARKS[id(r)] = pat
    return pat


def sentence_spans(nt: NormalizedText, r: _Rules | None = None) -> list[tuple[int, int]]:
    """Sentence spans (original offsets) of a normalized paragraph.

    Splits at sentence ends outside brackets, at table cells, at markup
    fragments and at bullet marks; markup and surrounding spaces are excluded.
    """
    r = r or rules()
    text = nt.text
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in r.markup.finditer(text):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    closers = {v: k for k, v in r.open_close.items()}
    marks = _marks_re(r)
    spans: list[tuple[int, int]] = []
    for a, b in pieces:
        depth: list[str] = []
        start = a
        for m in marks.finditer(text, a, b):  # visit only brackets, stops, cells, bullets
            i = m.start()
            ch = text[i]
            cut_before = False
            cut_after = False
            if ch in r.open_close:
                depth.append(ch)
            elif ch in closers:
                if depth and depth[-1] == closers[ch]:
                    depth.pop()
            elif ch == r.cell_sep:
                cut_before = True
                depth.clear()
            elif not depth and ch in r.sentence_end:
                cut_after = True
            elif r.bullets.match(ch) and ch != "・" and i > start:
                cut_before = True
            if cut_before:
                spans.append((start, i))
                start = i + (1 if ch == r.cell_sep else 0)
            elif cut_after:
                spans.append((start, i + 1))
                start = i + 1
        spans.append((start, b))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        # Same whitespace as the paragraph's own trim (str.strip): a trailing form feed
        # or CR must not become a "sentence" outside its segment.
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(nt.to_original(s, e))
    return out


def segment(doc: Document, full: NormalizedText | None = None) -> list[Segment]:
    """Split ``doc`` into paragraph segments in reading order.

    ``full`` is the document's normalized view when the caller already has it.
    """
    r = rules()
    full = full or normalize(doc.text)
    lines = _lines(doc.text)
    norms: list[tuple[int, str]] = []
    nts: list[NormalizedText] = []
    for lineno, a, b in lines:
        nt = full.sub(a, b)
        nts.append(nt)
        norms.append((lineno, nt.text.strip()))
    footnotes = _footnote_lines(norms, r)

    segs: list[Segment] = []
    stack: list[tuple[int, str]] = []
    section_id = 0
    in_ranking = False
    after_keyword = False
    for (lineno, _a, _b), nt, (_, s) in zip(lines, nts, norms, strict=True):
        if not s:
            after_keyword = False
            continue
        if lineno in footnotes:
            kind, level = "footnote", None
        else:
            kind, level = classify(s, r)
        if kind == "boilerplate" and any(p.search(s) for p in r.list_heads):
            in_ranking = True
        elif in_ranking and (s.startswith("-") or kind != "body"):
            kind = "boilerplate"
        else:
            in_ranking = False
        if kind == "body" and after_keyword:
            kind = "keyword"
        after_keyword = kind == "keyword" and s.startswith(("KEY", "キーワード"))
        if kind == "heading" and level is not None:
            opens_section = any(p.search(s) for p in r.section_start)
            if opens_section and level > 4:
                level = 4  # a partner heading ("ア Xとの…意義") is the parent of イ, ウ
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, s))
            if opens_section:
                section_id += 1
        # trim surrounding whitespace of the paragraph in original offsets
        lead = len(nt.text) - len(nt.text.lstrip())
        trail = len(nt.text.rstrip())
        start, end = nt.to_original(lead, trail)
        segs.append(
            Segment(
                doc_id=doc.doc_id,
                index=len(segs),
                start=start,
                end=end,
                kind=kind,
                section_path=[h for _, h in stack],
                line=lineno,
                page=doc.page_at(start),
                sentences=sentence_spans(nt, r),
                section_id=section_id,
            )
        )
    return segs
