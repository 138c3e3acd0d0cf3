"""The achievements annex of a framework (JASMINE, the Joint Vision...): Markdown, HTML, XLSX.

What a vice-ministerial review reads: per pillar, the lines of effort, the initiatives
(new or continuing) with their implementation status, and the linked achievements with
date, partners, summary, the source sentence and its ``document:line``; counts per
pillar and per partner; the framework's commitments with their sources. Events linked
to the framework as a whole (talks, the Japan-ASEAN meetings) are listed apart.

.. code-block:: python

    from defcoop.report.framework import framework_report, write_framework_report

    annex = framework_report(store, "JASMINE")
    write_framework_report(annex, "jasmine.html")   # or .md / .xlsx

Everything is read from the store (:mod:`defcoop.kb.frameworks`); HTML is one
self-contained page (inline CSS, no script, no network).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from defcoop.frameworks.model import Achievement, Framework, Span
from defcoop.frameworks.status import ImplementationStatus
from defcoop.store import Store

FORMATS = ("md", "html", "xlsx")
WHOLE = "whole"  # the key of achievements linked to no single pillar


@dataclass(frozen=True, slots=True)
class AchievementRow:
    event: str
    date: str | None
    partners: tuple[str, ...]
    kind: str | None
    summary: str
    sentence: str
    targets: tuple[str, ...]  # initiatives / cooperation areas linked
    lines_of_effort: tuple[str, ...]
    rules: tuple[str, ...]
    curated: bool
    source: str  # doc:line

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "date": self.date,
            "partners": list(self.partners),
            "kind": self.kind,
            "summary": self.summary,
            "sentence": self.sentence,
            "targets": list(self.targets),
            "lines_of_effort": list(self.lines_of_effort),
            "rules": list(self.rules),
            "curated": self.curated,
            "source": self.source,
        }


@dataclass(slots=True)
class PillarSection:
    number: int
    title: str
    title_en: str | None
    source: str
    lines_of_effort: list[str]
    initiatives: list[ImplementationStatus]
    areas: list[ImplementationStatus]
    achievements: list[AchievementRow]

    @property
    def carried_out(self) -> int:
        return sum(1 for s in self.initiatives if s.state != "none_yet")


@dataclass(slots=True)
class PartnerCount:
    code: str
    name: str
    name_ja: str
    total: int
    by_pillar: dict[str, int]


@dataclass(slots=True)
class CommitmentRow:
    text: str
    what: str
    amount: str
    period: str
    date: str
    source: str


@dataclass(slots=True)
class FrameworkReport:
    id: str
    name: str
    name_en: str | None
    adopted: str | None
    occasion: str | None
    source: str
    relations: list[str]
    generated: str
    pillars: list[PillarSection]
    whole: list[AchievementRow]
    partners: list[PartnerCount]
    commitments: list[CommitmentRow] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Distinct events linked to the framework."""
        ids = {a.event for p in self.pillars for a in p.achievements}
        ids |= {a.event for a in self.whole}
        return len(ids)

    @property
    def pillar_keys(self) -> list[str]:
        return [str(p.number) for p in self.pillars] + [WHOLE]

    def per_pillar(self) -> list[tuple[str, str, int, int, int]]:
        """(pillar, title, linked events, initiatives carried out, initiatives)."""
        out = [
            (str(p.number), p.title, len(p.achievements), p.carried_out, len(p.initiatives))
            for p in self.pillars
        ]
        out.append((WHOLE, "the framework as a whole (no single pillar)", len(self.whole), 0, 0))
        return out


# =========================================================================== build


def _src(span: Span | None) -> str:
    if span is None:
        return "manual"
    return f"{span.doc}:{span.line}" if span.line else span.doc


def _row(a: Achievement, pillar: int | None, sentences: dict[str, str]) -> AchievementRow:
    links = [lk for lk in a.links if lk.pillar == pillar]
    return AchievementRow(
        event=a.event,
        date=a.date,
        partners=tuple(a.partners),
        kind=a.kind,
        summary=a.summary,
        sentence=" ".join((sentences.get(a.event) or a.summary).split()),
        targets=tuple(sorted({lk.initiative or lk.area or "" for lk in links} - {""})),
        lines_of_effort=tuple(sorted({lk.line_of_effort or "" for lk in links} - {""})),
        rules=tuple(sorted({lk.rule for lk in links})),
        curated=any(lk.curated for lk in links),
        source=_src(a.source),
    )


def _amount(c: Any) -> str:
    if c.amount is not None:
        return f"{c.amount:,} {c.currency or ''}".strip()
    if c.quantity is not None:
        return f"{c.quantity:,} {c.quantity_unit or ''}".strip()
    return ""


def framework_report(store: Store, name: str) -> FrameworkReport:
    """Gather the annex of framework ``name`` (id, name or alias) from the store.

    Raises :class:`defcoop.kb.frameworks.FrameworkError` when the store is empty or has
    no such framework."""
    from defcoop.extract.partners import registry
    from defcoop.kb import frameworks as kf
    from defcoop.query import source_sentences

    fw: Framework = kf.require_framework(store, name)
    achs = kf.achievements(store, fw.id)
    statuses = kf.implementation_status(store, fw, achs)
    sentences = source_sentences(store, [a.event for a in achs])
    by_target = {(s.target_kind, s.target): s for s in statuses}
    sections = []
    for p in fw.pillars:
        sections.append(
            PillarSection(
                number=p.number,
                title=p.title,
                title_en=p.title_en,
                source=_src(p.span),
                lines_of_effort=[lo.title for lo in p.lines_of_effort],
                initiatives=[
                    by_target[("initiative", i.name)]
                    for i in fw.initiatives_of(p.number)
                    if ("initiative", i.name) in by_target
                ],
                areas=[
                    by_target[("area", a.name)]
                    for a in p.cooperation_areas
                    if ("area", a.name) in by_target
                ],
                achievements=[
                    _row(a, p.number, sentences) for a in achs if p.number in a.pillars(fw.id)
                ],
            )
        )
    whole = [_row(a, None, sentences) for a in achs if any(lk.pillar is None for lk in a.links)]
    reg = registry()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for a in achs:
        keys = {str(lk.pillar) if lk.pillar is not None else WHOLE for lk in a.links}
        for code in a.partners:
            counts[code]["total"] += 1
            for k in keys:
                counts[code][k] += 1
    partners = []
    for code, c in counts.items():
        info = reg.get(code)
        partners.append(
            PartnerCount(
                code=code,
                name=(info.name_en if info else None) or code,
                name_ja=(info.name_ja if info else None) or "",
                total=c["total"],
                by_pillar={k: v for k, v in c.items() if k != "total"},
            )
        )
    partners.sort(key=lambda x: (-x.total, x.code))
    commitments = [
        CommitmentRow(
            text=c.text,
            what=c.heading or c.what or "",
            amount=_amount(c),
            period=f"{c.period_years} years" if c.period_years else "",
            date=c.date or "",
            source=_src(c.span),
        )
        for c in fw.commitments
    ]
    plans = [
        f"{pl.name}: {pl.items} items"
        + (
            f" (predecessor, {pl.predecessor_label}: {pl.predecessor_items})"
            if pl.predecessor_items
            else ""
        )
        for pl in fw.plans
    ]
    return FrameworkReport(
        id=fw.id,
        name=fw.name,
        name_en=fw.name_en,
        adopted=fw.adopted,
        occasion=fw.occasion,
        source=_src(fw.spans[-1]) if fw.spans else "",
        relations=[f"{r.kind.replace('_', ' ')} {r.target}" for r in fw.relations],
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        pillars=sections,
        whole=whole,
        partners=partners,
        commitments=commitments,
        plans=plans,
    )


# =========================================================================== markdown


def _cell(v: Any) -> str:
    return str("" if v is None else v).replace("|", "\\|").replace("\n", " ")


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return out


def _status(s: ImplementationStatus) -> str:
    st = s.state.replace("_", " ")
    if s.state != s.derived_state:
        st += " (curator" + (f": {s.override_note}" if s.override_note else "") + ")"
    return st


def _pillar_label(key: str) -> str:
    return "whole framework" if key == WHOLE else f"pillar {key}"


def _ach_rows(rows: Sequence[AchievementRow]) -> list[tuple[Any, ...]]:
    return [
        (
            a.date or "undated",
            ", ".join(a.partners),
            _kind(a.kind),
            a.sentence,
            " / ".join(a.targets) or " / ".join(a.lines_of_effort),
            a.source + (" (curated)" if a.curated else ""),
        )
        for a in rows
    ]


def _kind(kind: str | None) -> str:
    from defcoop.report.labels import kind_label

    return kind_label(kind) if kind else ""


ACH_HEADERS = (
    "Date",
    "Partners",
    "Kind",
    "Achievement (source sentence)",
    "Initiative / line",
    "Source",
)


def render_markdown(r: FrameworkReport) -> str:
    lines = [f"# {r.name_en or r.name} ({r.id}): achievements annex", ""]
    if r.name_en:
        lines += [f"**{r.name}**", ""]
    facts = []
    if r.adopted:
        facts.append(
            f"Adopted {r.adopted}"
            + (f" at {r.occasion}" if r.occasion else "")
            + (f" ({r.source})" if r.source else "")
        )
    facts += r.relations + r.plans
    lines += [f"- {f}" for f in facts]
    lines += [f"- {r.total} events linked; generated {r.generated}", ""]
    lines += ["## Summary by pillar", ""]
    lines += _table(
        ("Pillar", "Title", "Linked events", "Initiatives carried out"),
        [(_pillar_label(k), t, n, f"{c} of {i}" if i else "") for k, t, n, c, i in r.per_pillar()],
    )
    lines += ["", "## Summary by partner", ""]
    keys = r.pillar_keys
    lines += _table(
        ("Partner", "Name", "Events", *[_pillar_label(k) for k in keys]),
        [(p.code, p.name, p.total, *[p.by_pillar.get(k, 0) for k in keys]) for p in r.partners],
    )
    for p in r.pillars:
        lines += ["", f"## Pillar {p.number}: {p.title}", ""]
        if p.title_en:
            lines += [f"*{p.title_en}*", ""]
        lines += [f"Source: {p.source}", ""]
        if p.lines_of_effort:
            lines += ["Lines of effort: " + " · ".join(p.lines_of_effort), ""]
        if p.initiatives:
            lines += ["### Initiatives", ""]
            lines += _table(
                ("Initiative", "New", "Status", "First", "Latest", "Events", "Partners"),
                [(s.target, "【新】" if s.new else "", _status(s), s.first_date, s.latest_date,
                  s.count, ", ".join(s.partners)) for s in p.initiatives],
            )  # fmt: skip
            lines.append("")
        if p.areas:
            lines += ["### Cooperation areas", ""]
            lines += _table(
                ("Area", "Status", "First", "Latest", "Events", "Partners"),
                [(s.target, _status(s), s.first_date, s.latest_date, s.count,
                  ", ".join(s.partners)) for s in p.areas],
            )  # fmt: skip
            lines.append("")
        lines += [f"### Achievements ({len(p.achievements)})", ""]
        lines += (
            _table(ACH_HEADERS, _ach_rows(p.achievements)) if p.achievements else ["None linked."]
        )
    lines += ["", f"## The framework as a whole ({len(r.whole)})", ""]
    lines += [
        "Events linked to the framework but to no single pillar (talks, the Japan-ASEAN meetings).",
        "",
    ]
    lines += _table(ACH_HEADERS, _ach_rows(r.whole)) if r.whole else ["None linked."]
    if r.commitments:
        lines += ["", "## Commitments", ""]
        lines += _table(
            ("Figure as written", "What", "Amount", "Period", "Date", "Source"),
            [(c.text, c.what, c.amount, c.period, c.date, c.source) for c in r.commitments],
        )
    lines += ["", "Links are made by the rules of `data/framework_links.yaml` (rule ids in the XLSX "
              "and `defcoop frameworks show --json --detail`); curated links are marked.", ""]  # fmt: skip
    return "\n".join(lines)


# =========================================================================== html

_HTML = """<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="defcoop">
<title>{{ r.id }}: achievements annex</title>
<style>
:root { --ink:#1f2933; --muted:#616e7c; --rule:#d9e2ec; --band:#f5f7fa; --accent:#0b4f8a; }
body { margin:0; color:var(--ink); font:15px/1.55 system-ui, "Hiragino Sans", "Yu Gothic", "Meiryo", "Noto Sans CJK JP", sans-serif; }
main { max-width:1150px; margin:0 auto; padding:28px 32px 48px; }
header { border-bottom:3px solid var(--accent); padding-bottom:10px; margin-bottom:18px; }
h1 { font-size:1.5rem; margin:0 0 4px; } h1 .ja { display:block; font-size:1rem; font-weight:500; color:var(--muted); }
h2 { font-size:1.15rem; margin:30px 0 8px; padding-bottom:4px; border-bottom:1px solid var(--rule); color:var(--accent); }
h3 { font-size:1rem; margin:18px 0 6px; }
table { border-collapse:collapse; width:100%; margin:6px 0 12px; font-size:.88rem; }
th, td { text-align:left; vertical-align:top; padding:5px 8px; border-bottom:1px solid var(--rule); }
th { background:var(--band); white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; } td.date { white-space:nowrap; }
.src { font:.78rem/1.4 ui-monospace, Menlo, Consolas, monospace; color:var(--muted); white-space:nowrap; }
.meta, .note { color:var(--muted); font-size:.85rem; }
.new { color:#b42318; font-weight:600; }
.st { display:inline-block; padding:1px 8px; border-radius:10px; font-size:.8rem; white-space:nowrap; background:var(--band); }
.st.carried_out, .st.completed { background:#d5f0dd; color:#135c2c; } .st.in_progress { background:#dcebfa; color:#12466e; }
.st.none_yet { color:var(--muted); } .st.dropped { background:#fde2e1; color:#7a271a; }
.cur { font-size:.75rem; color:#6b4e00; }
@media print { main { max-width:none; padding:0; } tr { break-inside:avoid; } }
</style>
</head>
<body>
<main>
<header>
<h1>{{ r.name_en or r.name }} ({{ r.id }}) — achievements annex{% if r.name_en %}<span class="ja">{{ r.name }}</span>{% endif %}</h1>
<p class="meta">{% if r.adopted %}Adopted {{ r.adopted }}{% if r.occasion %} at {{ r.occasion }}{% endif %} <span class="src">{{ r.source }}</span>. {% endif %}
{% for x in r.relations %}{{ x }}. {% endfor %}{% for x in r.plans %}{{ x }}. {% endfor %}
{{ r.total }} events linked.</p>
</header>

<h2>Summary by pillar</h2>
<table><thead><tr><th>Pillar</th><th>Title</th><th>Linked events</th><th>Initiatives carried out</th></tr></thead><tbody>
{% for k, t, n, c, i in r.per_pillar() %}<tr><td>{{ label(k) }}</td><td>{{ t }}</td><td class="num">{{ n }}</td><td class="num">{% if i %}{{ c }} of {{ i }}{% endif %}</td></tr>
{% endfor %}</tbody></table>

<h2>Summary by partner</h2>
<table><thead><tr><th>Partner</th><th>Name</th><th>Events</th>{% for k in r.pillar_keys %}<th>{{ label(k) }}</th>{% endfor %}</tr></thead><tbody>
{% for p in r.partners %}<tr><td>{{ p.code }}</td><td>{{ p.name }} <span class="note">{{ p.name_ja }}</span></td><td class="num">{{ p.total }}</td>{% for k in r.pillar_keys %}<td class="num">{{ p.by_pillar.get(k, 0) }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>

{% for p in r.pillars %}
<h2>Pillar {{ p.number }}: {{ p.title }}</h2>
<p class="meta">{% if p.title_en %}{{ p.title_en }} · {% endif %}<span class="src">{{ p.source }}</span></p>
{% if p.lines_of_effort %}<p>Lines of effort: {{ p.lines_of_effort | join(" · ") }}</p>{% endif %}
{% if p.initiatives %}<h3>Initiatives</h3>
<table><thead><tr><th>Initiative</th><th>Status</th><th>First</th><th>Latest</th><th>Events</th><th>Partners</th></tr></thead><tbody>
{% for s in p.initiatives %}<tr><td>{% if s.new %}<span class="new">【新】</span>{% endif %}{{ s.target }}</td><td><span class="st {{ s.state }}">{{ s.state | replace("_", " ") }}</span>{% if s.state != s.derived_state %} <span class="cur">curator{% if s.override_note %}: {{ s.override_note }}{% endif %}</span>{% endif %}</td><td class="date">{{ s.first_date or "" }}</td><td class="date">{{ s.latest_date or "" }}</td><td class="num">{{ s.count }}</td><td>{{ s.partners | join(", ") }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
{% if p.areas %}<h3>Cooperation areas</h3>
<table><thead><tr><th>Area</th><th>Status</th><th>First</th><th>Latest</th><th>Events</th><th>Partners</th></tr></thead><tbody>
{% for s in p.areas %}<tr><td>{{ s.target }}</td><td><span class="st {{ s.state }}">{{ s.state | replace("_", " ") }}</span>{% if s.state != s.derived_state %} <span class="cur">curator{% if s.override_note %}: {{ s.override_note }}{% endif %}</span>{% endif %}</td><td class="date">{{ s.first_date or "" }}</td><td class="date">{{ s.latest_date or "" }}</td><td class="num">{{ s.count }}</td><td>{{ s.partners | join(", ") }}</td></tr>
{% endfor %}</tbody></table>{% endif %}
<h3>Achievements ({{ p.achievements | length }})</h3>
{{ achievements(p.achievements) }}
{% endfor %}

<h2>The framework as a whole ({{ r.whole | length }})</h2>
<p class="note">Events linked to the framework but to no single pillar (talks, the Japan-ASEAN meetings).</p>
{{ achievements(r.whole) }}

{% if r.commitments %}<h2>Commitments</h2>
<table><thead><tr><th>Figure as written</th><th>What</th><th>Amount</th><th>Period</th><th>Date</th><th>Source</th></tr></thead><tbody>
{% for c in r.commitments %}<tr><td>{{ c.text }}</td><td>{{ c.what }}</td><td class="num">{{ c.amount }}</td><td>{{ c.period }}</td><td class="date">{{ c.date }}</td><td class="src">{{ c.source }}</td></tr>
{% endfor %}</tbody></table>{% endif %}

<p class="meta">Generated by defcoop on {{ r.generated }}. Links are made by the rules of data/framework_links.yaml; curated links are marked. Every row cites its source as document:line.</p>
</main>
</body>
</html>
"""

_ACH_MACRO = """{% macro achievements(rows) %}{% if rows %}<table><thead><tr><th>Date</th><th>Partners</th><th>Kind</th><th>Achievement (source sentence)</th><th>Initiative / line</th><th>Source</th></tr></thead><tbody>
{% for a in rows %}<tr><td class="date">{{ a.date or "undated" }}</td><td>{{ a.partners | join(", ") }}</td><td>{{ kind(a.kind) }}</td><td>{{ a.sentence }}</td><td>{{ (a.targets or a.lines_of_effort) | join(" / ") }}</td><td class="src">{{ a.source }}{% if a.curated %} <span class="cur">curated</span>{% endif %}</td></tr>
{% endfor %}</tbody></table>{% else %}<p class="note">None linked.</p>{% endif %}{% endmacro %}"""


def render_html(r: FrameworkReport) -> str:
    """One self-contained page: inline CSS, no script, no network."""
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    tpl = env.from_string(_ACH_MACRO + _HTML)
    return tpl.render(r=r, label=_pillar_label, kind=_kind)


# =========================================================================== xlsx


def write_xlsx(r: FrameworkReport, path: str | Path) -> Path:
    """A workbook: Summary, By pillar, By partner, Initiatives, Achievements, Commitments."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    first = True

    def sheet(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
              widths: Sequence[int] = ()) -> None:  # fmt: skip
        nonlocal first
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = title[:31]
        ws.append(list(headers))
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in rows:
            ws.append(["" if v is None else v for v in row])
        ws.freeze_panes = "A2"
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
            if w >= 50:
                for cell in ws[get_column_letter(i)][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")

    sheet("Summary", ("Field", "Value"), [
        ("Framework", r.id), ("Name", r.name), ("Name (en)", r.name_en), ("Adopted", r.adopted),
        ("Occasion", r.occasion), ("Source", r.source), ("Relations", "; ".join(r.relations)),
        ("Plans", "; ".join(r.plans)), ("Linked events", r.total), ("Generated", r.generated),
    ], (18, 80))  # fmt: skip
    sheet(
        "By pillar",
        ("Pillar", "Title", "Linked events", "Initiatives carried out", "Initiatives"),
        [(_pillar_label(k), t, n, c, i) for k, t, n, c, i in r.per_pillar()],
        (16, 70, 14, 22, 12),
    )
    keys = r.pillar_keys
    sheet(
        "By partner",
        ("Partner", "Name", "Name (ja)", "Events", *[_pillar_label(k) for k in keys]),
        [
            (p.code, p.name, p.name_ja, p.total, *[p.by_pillar.get(k, 0) for k in keys])
            for p in r.partners
        ],
        (10, 28, 20, 8),
    )
    status_rows = []
    for p in r.pillars:
        for s in [*p.initiatives, *p.areas]:
            status_rows.append((p.number, s.target_kind, s.target, "yes" if s.new else "", s.state,
                                s.derived_state, s.first_date, s.latest_date, s.count,
                                ", ".join(s.partners), s.override_note, ", ".join(s.events)))  # fmt: skip
    sheet("Initiatives", ("Pillar", "Kind", "Initiative / area", "New", "Status", "Derived status",
                          "First", "Latest", "Events", "Partners", "Curator note", "Event ids"),
          status_rows, (8, 10, 60, 6, 14, 14, 10, 10, 8, 20, 30, 40))  # fmt: skip
    ach_rows = []
    for p in r.pillars:
        for a in p.achievements:
            ach_rows.append(_xrow(str(p.number), a))
    for a in r.whole:
        ach_rows.append(_xrow(WHOLE, a))
    sheet("Achievements", ("Pillar", "Date", "Partners", "Kind", "Summary", "Source sentence",
                           "Initiatives / areas", "Lines of effort", "Rules", "Curated", "Source",
                           "Event id"),
          ach_rows, (8, 10, 16, 16, 50, 90, 40, 20, 30, 8, 26, 18))  # fmt: skip
    if r.commitments:
        sheet("Commitments", ("Figure as written", "What", "Amount", "Period", "Date", "Source"),
              [(c.text, c.what, c.amount, c.period, c.date, c.source) for c in r.commitments],
              (24, 50, 24, 10, 12, 26))  # fmt: skip
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _xrow(pillar: str, a: AchievementRow) -> tuple[Any, ...]:
    return (
        _pillar_label(pillar),
        a.date,
        ", ".join(a.partners),
        a.kind,
        a.summary,
        a.sentence,
        " / ".join(a.targets),
        " / ".join(a.lines_of_effort),
        ", ".join(a.rules),
        "yes" if a.curated else "",
        a.source,
        a.event,
    )


# =========================================================================== files


def write_framework_report(r: FrameworkReport, path: str | Path, fmt: str | None = None) -> Path:
    """Write the annex to ``path`` as md, html or xlsx (by ``fmt`` or the file suffix)."""
    out = Path(path)
    kind = (fmt or out.suffix.lstrip(".") or "html").lower()
    kind = {"markdown": "md", "htm": "html"}.get(kind, kind)
    if kind not in FORMATS:
        raise ValueError(f"report format {kind!r}: use md, html or xlsx")
    if not out.suffix:
        out = out.with_suffix("." + kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "md":
        out.write_text(render_markdown(r), encoding="utf-8")
    elif kind == "html":
        out.write_text(render_html(r), encoding="utf-8")
    else:
        write_xlsx(r, out)
    return out
