"""Status statements: which partners have an agreement of a type, as of a date.

Official texts state the standing of agreements as lists rather than as dated acts:

    2025年4月現在、オーストラリア、英国との間で締結、フィリピンとの間で署名されている。

Such a sentence is not an event (nothing happened in April 2025); it says that by
April 2025 at the latest the RAA with Australia and the United Kingdom was in force
and the one with the Philippines signed. ``find_status_statements`` turns it into
one ``StatusStatement`` per partner.

How a sentence is read (on NFKC-normalized text, spans mapped back to the original):

* the as-of date is a date mention marked 現在/時点 in the sentence (or in an earlier
  sentence of the same paragraph); without one there is no statement;
* parenthetical notes ("(※米国とは対米武器・武器技術供与取極…を締結)", "(UAE)") are
  masked: they neither add partners nor status verbs;
* every status verb (締結, 発効, 署名, 実質合意 …, ``data/agreement_types.yaml``) not
  followed by a plan or negation ("締結に向けて交渉中", "署名を目指す", "署名されていない")
  closes a clause; the clause's partners are the list of partner names right before
  a relation marker (との間で, とは, と …) that comes shortly before the verb;
* the agreement type is the nearest type cue before the verb: in the clause, else
  earlier in the sentence, the paragraph, the previous paragraphs up to the
  heading, and finally the headings the paragraph sits under ("円滑化協定 (RAA)").
  No cue, no statement: the type is never guessed.

This module is part of the extract stage: it must not import the store, query,
web, CLI or kb layers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from defcoop.extract import dates as dt
from defcoop.extract import partners as pt
from defcoop.normalize import NormalizedText, normalize
from defcoop.records import Document, Segment

__all__ = [
    "AgreementType",
    "StatusStatement",
    "agreement_types",
    "find_status_statements",
    "find_type_cues",
    "statements_in_text",
]

# Block kinds that may hold a statement (a KEY WORD box, a footnote or a table cell can).
_SCAN_KINDS = frozenset({"body", "keyword", "footnote", "table_row", "heading"})
# Block kinds whose text may give the type of a statement below them.
_CONTEXT_KINDS = frozenset({"body", "keyword", "heading", "table_row"})
_OPEN = "(["
_CLOSE = ")]"
_SEP = re.compile(r"^(?:\s|、|,|・|および|及び|ならびに|並びに|と|や|and\b|the\b)*$", re.IGNORECASE)
_VERB_TAIL = re.compile(
    r"(?:に至っ(?:てい)?る|(?:さ|し)れ?(?:てい(?:る|た)|ており|た|済み)|済み|(?:を|が)?(?:行っ(?:てい)?る))?"
)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class AgreementType:
    """One entry of ``agreement_types.yaml``."""

    code: str
    bilateral: bool
    name_ja: str
    name_en: str
    abbrev: tuple[str, ...]
    cues_ja: tuple[str, ...]
    cues_en: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Rules:
    types: tuple[AgreementType, ...]
    cue_re: re.Pattern[str]  # one named group per type: t_<code>
    status_re: re.Pattern[str]
    statuses: tuple[tuple[re.Pattern[str], str], ...]
    not_after: re.Pattern[str]
    not_tail: re.Pattern[str]
    not_before: re.Pattern[str]
    marker_re: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("defcoop.data").joinpath("agreement_types.yaml").read_text("utf-8")
    )
    types = tuple(
        AgreementType(
            code=str(t["code"]),
            bilateral=bool(t.get("bilateral", False)),
            name_ja=str(t["name_ja"]),
            name_en=str(t["name_en"]),
            abbrev=tuple(str(a) for a in t.get("abbrev") or ()),
            cues_ja=tuple(str(c) for c in t.get("cues_ja") or ()),
            cues_en=tuple(str(c) for c in t.get("cues_en") or ()),
        )
        for t in raw["types"]
    )
    groups = []
    for t in types:
        alts = [f"(?:{c})" for c in t.cues_ja]
        alts += [rf"(?<![A-Za-z])(?i:{c})(?![A-Za-z])" for c in t.cues_en]
        alts += [rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])" for a in t.abbrev]
        groups.append(f"(?P<t_{t.code}>{'|'.join(alts)})")
    statuses = tuple((re.compile(s["re"]), str(s["status"])) for s in raw["statuses"])
    return _Rules(
        types=types,
        cue_re=re.compile("|".join(groups)),
        status_re=re.compile("|".join(f"(?:{s['re']})" for s in raw["statuses"])),
        statuses=statuses,
        not_after=re.compile(raw["not_after"]),
        not_tail=re.compile(raw["not_tail"]),
        not_before=re.compile(raw["not_before"]),
        marker_re=re.compile(raw["partner_markers"]),
    )


def agreement_types() -> tuple[AgreementType, ...]:
    """The agreement types of ``data/agreement_types.yaml``, in file order."""
    return _rules().types


def find_type_cues(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, type code)`` of every agreement-type cue in normalized ``text``."""
    out = []
    for m in _rules().cue_re.finditer(text):
        code = (m.lastgroup or "t_")[2:]
        out.append((m.start(), m.end(), code))
    return out


def _last_cue(text: str) -> str | None:
    cues = find_type_cues(text)
    return cues[-1][2] if cues else None


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class StatusStatement:
    """``partner`` had an agreement of ``agreement_type`` with ``status`` as of ``as_of``.

    ``as_of`` is ISO with the precision written (``2025-04``): the status held at
    the latest by then. ``start``/``end`` span the statement in the ORIGINAL text
    of ``doc`` (from the as-of date, or the partner list, to the status verb);
    ``quote`` is that text and ``line`` its 1-based line. ``partner_start`` /
    ``partner_end`` span this partner's name. ``type_from`` says where the type
    cue was found (clause, sentence, paragraph, context, heading);
    ``exhaustive`` is True when the sentence lists partners as of a stated date,
    so partners it does not name did not have that status then.
    """

    as_of: str
    agreement_type: str
    partner: str
    status: str
    doc: str
    start: int
    end: int
    line: int
    quote: str
    partner_start: int = -1
    partner_end: int = -1
    type_from: str = ""
    rule: str = "status-statement"
    exhaustive: bool = True


# --------------------------------------------------------------------------- reading


def _mask_parentheses(text: str) -> str:
    """``text`` with every (…) / […] group (nested too) replaced by spaces, same length."""
    if "(" not in text and "[" not in text:
        return text
    out = list(text)
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
            out[i] = " "
        elif ch in _CLOSE and depth:
            depth -= 1
            out[i] = " "
        elif depth:
            out[i] = " " if ch != "\n" else ch
    return "".join(out)


@dataclass(slots=True)
class _Verb:
    start: int
    end: int  # end of the verb with its tail (されている, 済み …)
    status: str


def _verbs(masked: str) -> list[_Verb]:
    r = _rules()
    out: list[_Verb] = []
    for m in r.status_re.finditer(masked):
        after = masked[m.end() : m.end() + 20]
        if r.not_after.match(after):
            continue
        tail_clause = re.split(r"[、。,]", after, maxsplit=1)[0]
        if r.not_tail.search(tail_clause):
            continue
        status = next(st for pat, st in r.statuses if pat.match(m.group()))
        t = _VERB_TAIL.match(masked, m.end())
        out.append(_Verb(m.start(), t.end() if t else m.end(), status))
    return out


def _partner_list(
    masked: str, lo: int, verb: int, mentions: list[pt.PartnerMention]
) -> list[pt.PartnerMention]:
    """The partner names listed before the relation marker closest before ``verb``."""
    r = _rules()
    inside = [m for m in mentions if lo <= m.start and m.end <= verb]
    for i in range(len(inside) - 1, -1, -1):
        last = inside[i]
        gap = masked[last.end : verb]
        mk = r.marker_re.match(gap.lstrip())
        if mk is None:
            continue
        rest = gap.lstrip()[mk.end() :]
        if len(rest) > 25 or "。" in rest or r.not_before.search(rest):
            return []
        items = [last]
        j = i - 1
        while j >= 0 and _SEP.match(masked[inside[j].end : items[0].start]):
            items.insert(0, inside[j])
            j -= 1
        listed = {m.code for m in items}
        if any(m.code not in listed for m in inside[i + 1 :]):
            return []  # another partner is named between the marker and the verb
        return items  # (the same partner again, as in 日独ACSA, is fine)
    return []


def _as_of_dates(masked: str, full: str, anchor: str | None) -> list[tuple[int, int, str]]:
    """(start, end, iso) of the as-of dates of a sentence.

    Dates are read in the masked text, and also in parentheses that hold nothing
    but an as-of date ("…締結されている(2025年4月現在)").
    """
    out = []
    ctx = dt.DateContext(anchor)  # 本年4月現在 needs the document's own date
    for m in dt.find_dates(full):
        if not m.as_of or m.quoted:
            continue
        in_parens = masked[m.start : m.end].strip() == ""
        if in_parens:
            # keep it only when its parenthetical holds the date alone
            a = full.rfind("(", 0, m.start)
            b = full.find(")", m.end)
            if a < 0 or b < 0 or full[a + 1 : m.start].strip() or full[m.end : b].strip():
                continue
        v = ctx.resolve(m)
        if v.iso is not None:
            out.append((m.start, m.end, v.iso))
    return out


class _Context:
    """Where the type of a statement comes from when its sentence names none."""

    def __init__(self, doc: Document, segments: list[Segment], max_back: int) -> None:
        self.doc = doc
        self.segments = segments
        self.max_back = max_back
        self._norm: dict[int, str] = {}

    def _text(self, seg: Segment) -> str:
        t = self._norm.get(seg.index)
        if t is None:
            t = normalize(self.doc.text[seg.start : seg.end]).text
            self._norm[seg.index] = t
        return t

    def type_before(self, pos: int, seg_pos: int) -> tuple[str | None, str]:
        seg = self.segments[seg_pos]
        own = normalize(self.doc.text[seg.start : pos]).text
        code = _last_cue(own)
        if code:
            return code, "paragraph"
        seen = 0
        for k in range(seg_pos - 1, -1, -1):
            prev = self.segments[k]
            if prev.section_id != seg.section_id or prev.section_path != seg.section_path:
                break
            if prev.kind not in _CONTEXT_KINDS:
                continue
            code = _last_cue(self._text(prev))
            if code:
                return code, "heading" if prev.kind == "heading" else "context"
            if prev.kind == "heading":
                break
            seen += 1
            if seen >= self.max_back:
                break
        for heading in reversed(seg.section_path):
            code = _last_cue(normalize(heading).text)
            if code:
                return code, "heading"
        return None, ""


def find_status_statements(
    doc: Document, segments: list[Segment] | None = None, *, max_context: int = 2
) -> list[StatusStatement]:
    """All status statements of ``doc``, in reading order, one per partner.

    ``max_context`` is how many earlier paragraphs (up to the heading) may give the
    agreement type when the statement's own paragraph names none.
    """
    if segments is None:
        from defcoop.segment import segment

        segments = segment(doc)
    ctx = _Context(doc, segments, max_context)
    out: list[StatusStatement] = []
    for pos, seg in enumerate(segments):
        if seg.kind not in _SCAN_KINDS:
            continue
        seg_text = doc.text[seg.start : seg.end]
        if "現在" not in seg_text and "時点" not in seg_text:
            continue  # cheap filter: every statement needs an as-of date
        para_as_of: tuple[int, int, str] | None = None
        for s_start, s_end in seg.sentences or [(seg.start, seg.end)]:
            nt = normalize(doc.text[s_start:s_end], base=s_start)
            found, para_as_of = _read_sentence(doc, nt, pos, ctx, para_as_of)
            out.extend(found)
    return out


def _read_sentence(
    doc: Document,
    nt: NormalizedText,
    seg_pos: int,
    ctx: _Context,
    para_as_of: tuple[int, int, str] | None,
) -> tuple[list[StatusStatement], tuple[int, int, str] | None]:
    full = nt.text
    masked = _mask_parentheses(full)
    dates = _as_of_dates(masked, full, doc.published)
    carried = False
    if dates:
        para_as_of = (*nt.to_original(dates[0][0], dates[0][1]), dates[0][2])
    elif para_as_of is not None:
        carried = True
    else:
        return [], None
    verbs = _verbs(masked)
    if not verbs:
        return [], para_as_of
    mentions = [m for m in pt.find_partners(masked) if m.code != "JPN"]
    sentence_start = nt.to_original(0, 0)[0]
    out: list[StatusStatement] = []
    lo = 0
    prev_type: str | None = None
    for verb in verbs:
        items = _partner_list(masked, lo, verb.start, mentions)
        clause_lo = lo
        lo = verb.end
        if not items:
            continue
        # type: in the clause (nearest the verb), else earlier in the sentence, else context
        code = _last_cue(masked[clause_lo : verb.start])
        where = "clause"
        if code is None:
            code = _last_cue(masked[:clause_lo]) or prev_type
            where = "sentence"
        if code is None:
            code, where = ctx.type_before(sentence_start, seg_pos)
        if code is None:
            continue
        prev_type = code
        if dates:
            before = [d for d in dates if d[0] < verb.start]
            d = before[-1] if before else dates[0]
            as_of = d[2]
            q_start = min(d[0], items[0].start)
            a, _ = nt.to_original(q_start, q_start + 1)
        else:
            assert para_as_of is not None
            as_of = para_as_of[2]
            a, _ = nt.to_original(items[0].start, items[0].start + 1)
        _, b = nt.to_original(verb.end - 1, verb.end)
        seen: set[str] = set()
        for m in items:
            if m.code in seen:
                continue
            seen.add(m.code)
            ps, pe = nt.to_original(m.start, m.end)
            out.append(
                StatusStatement(
                    as_of=as_of,
                    agreement_type=code,
                    partner=m.code,
                    status=verb.status,
                    doc=doc.doc_id,
                    start=a,
                    end=b,
                    line=doc.line_at(a),
                    quote=doc.text[a:b],
                    partner_start=ps,
                    partner_end=pe,
                    type_from=where,
                    rule="status-statement" + (":carried-as-of" if carried else ""),
                    exhaustive=True,
                )
            )
    return out, para_as_of


def statements_in_text(text: str, doc_id: str = "text") -> list[StatusStatement]:
    """Status statements of a bare text (for tests and quick checks)."""
    from defcoop.readers.text import normalize_newlines

    body = normalize_newlines(text)
    return find_status_statements(Document(doc_id=doc_id, text=body))
