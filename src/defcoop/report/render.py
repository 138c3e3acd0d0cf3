"""Render reports as Markdown, self-contained HTML (Jinja2, charts embedded) and XLSX.

HTML pages need no network and run no script: CSS is inline, charts are embedded
as ``data:`` images (SVG by default). Markdown references chart files written next
to it. XLSX holds one sheet per table and the chart as a picture.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from defcoop.query.model import QueryError
from defcoop.report import charts as ch
from defcoop.report import labels as lb
from defcoop.report.build import ChronologyRow, PartnerProfile, PeriodOverview

FORMATS = ("md", "html", "xlsx")
Report = PartnerProfile | PeriodOverview


@dataclass(frozen=True, slots=True)
class Chart:
    name: str  # file stem suffix: "kinds", "partners", ...
    title: str
    png: bytes
    svg: str

    def data_uri(self, fmt: str = "svg") -> str:
        if fmt == "png":
            return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode(
            "ascii"
        )


def _chart(name: str, title: str, make: Callable[[], Any]) -> Chart:
    fig = make()
    try:
        return Chart(name, title, ch.png_bytes(fig), ch.svg_text(fig))
    finally:
        ch.close(fig)


_RECENT: list[tuple[Report, list[Chart]]] = []


def charts_of(report: Report) -> list[Chart]:
    """The charts a report shows (drawn once per report object: rendering the same report
    in several formats reuses them)."""
    for rep, charts in _RECENT:
        if rep is report:
            return charts
    charts = _draw(report)
    _RECENT.append((report, charts))
    del _RECENT[:-4]
    return charts


def _draw(report: Report) -> list[Chart]:
    if isinstance(report, PartnerProfile):
        if not report.by_kind_year.cols:
            return []
        title = f"{report.name_en} ({report.code}): events per year by kind"
        return [_chart("kinds", title, lambda: ch.kinds_by_period(report.by_kind_year, title))]
    out: list[Chart] = []
    month_pv = report.by_month_kind
    if month_pv.rows:
        from defcoop.query.analytics import Pivot

        kind_month = Pivot(
            "kind",
            "month",
            month_pv.cols,
            month_pv.rows,
            {k: {mo: month_pv.value(mo, k) for mo in month_pv.rows} for k in month_pv.cols},
        )
        t1 = f"Events per month by kind, {report.period}"
        out.append(_chart("months", t1, lambda: ch.kinds_by_period(kind_month, t1, xlabel="Month")))
    if report.top_partners:
        t2 = f"Top partners, {report.period}"
        out.append(
            _chart(
                "partners",
                t2,
                lambda: ch.top_partners_by_level(report.top_partners, report.top_levels, t2),
            )
        )
    return out


# --------------------------------------------------------------------------- helpers


def _source(doc: str | None, line: int | None) -> str:
    if not doc:
        return "manual"
    return f"{doc}:{line}" if line else doc


def _groups(rows: Sequence[ChronologyRow]) -> list[tuple[str, str, list[ChronologyRow]]]:
    """Rows grouped by appendix category, in the categories' order."""
    out = []
    for key, en, ja in lb.CATEGORIES:
        sel = [r for r in rows if r.category == key]
        if sel:
            out.append((f"{en} ({ja})", key, sel))
    return out


def _date(d: str | None, end: str | None = None) -> str:
    if not d:
        return "undated"
    return f"{d} – {end}" if end else d


def _md_cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------- markdown


def render_markdown(report: Report, chart_files: dict[str, str] | None = None) -> str:
    """Markdown text; ``chart_files`` maps chart name -> relative path of its image file."""
    files = chart_files or {}
    if isinstance(report, PartnerProfile):
        return _md_profile(report, files)
    return _md_period(report, files)


def _md_chart(files: dict[str, str], name: str, title: str) -> list[str]:
    return [f"![{title}]({files[name]})", ""] if name in files else []


def _md_profile(p: PartnerProfile, files: dict[str, str]) -> str:
    out = [f"# {p.title}", "", f"*{p.name_ja}* · generated {p.generated}", ""]
    out += ["## Partner", ""]
    facts = [
        ("Code", p.code),
        ("Name", f"{p.name_en} / {p.name_ja}"),
        ("Kind", p.kind),
        ("Region", lb.region_label(p.region)),
        ("Groups", ", ".join(f"{g} ({role} since {since})" for g, role, since in p.groups) or "—"),
        ("UN member", {True: "yes", False: "no", None: "—"}[p.un_member]),
        ("Events", f"{p.total} ({_date(p.first)} – {_date(p.last)})" if p.total else "0"),
    ]
    out += [_md_table(("", ""), facts), ""]
    out += ["## Significance (from the source)", ""]
    if p.significance:
        for para in p.significance:
            out += [f"> {para.text}", ">", f"> — {_source(para.doc_key, para.line)}", ""]
    else:
        out += ["No significance paragraph found in the stored documents.", ""]
    out += _md_agreements(p)
    out += ["## Events by kind and year", ""]
    pv = p.by_kind_year
    rows = [
        [lb.kind_label(k), *[pv.value(k, y) for y in pv.cols], pv.row_total(k)] for k in pv.rows
    ]
    rows.append(["**Total**", *[pv.col_total(y) for y in pv.cols], p.total])
    out += [_md_table(("Kind", *pv.cols, "Total"), rows), ""]
    if p.by_level:
        out += [
            "By level of the Japanese side: "
            + ", ".join(f"{lb.level_label(k)} {v}" for k, v in p.by_level.items()),
            "",
        ]
    out += _md_chart(files, "kinds", "events per year by kind")
    out += [
        f"## Chronology: recent main achievements with {p.name_en} ({p.name_ja}との主要な実績)",
        "",
    ]
    out += _md_chronology(p.chronology)
    return "\n".join(out).rstrip() + "\n"


def _md_agreements(p: PartnerProfile) -> list[str]:
    a = p.agreements
    out = [f"## Agreements (status as of {a.as_of})", ""]
    out += [
        _md_table(tuple(a.statuses), [[lb.status_label(v) or "—" for v in a.statuses.values()]]),
        "",
    ]
    if a.entries:
        rows = [
            [
                e.type,
                lb.status_label(e.status),
                _date(e.date),
                "as of" if e.kind == "as_of" else "event",
                _source(e.doc, e.line),
                e.quote,
            ]
            for e in a.entries
        ]
        out += [_md_table(("Type", "Status", "Date", "Basis", "Source", "Quote"), rows), ""]
    out += [f"*Source of statuses: {a.source}.*", ""]
    return out


def _md_chronology(rows: Sequence[ChronologyRow]) -> list[str]:
    if not rows:
        return ["No events.", ""]
    out: list[str] = []
    for title, _key, sel in _groups(rows):
        out += [f"### {title}", ""]
        out += [
            _md_table(
                ("Date", "Event", "Source sentence (原文)", "Source"),
                [
                    [_date(r.date, r.end), r.summary, r.sentence, _source(r.doc_key, r.line)]
                    for r in sel
                ],
            ),
            "",
        ]
    return out


def _md_period(o: PeriodOverview, files: dict[str, str]) -> str:
    out = [f"# {o.title}", "", f"{o.since} – {o.until} · generated {o.generated}", ""]
    out += ["## Totals", ""]
    out += [
        _md_table(
            ("", ""),
            [
                ("Events", o.total),
                ("Partners engaged", o.partners),
                ("Agreement events", len(o.new_agreements)),
                ("Leader- and minister-level events", len(o.highlights)),
            ],
        ),
        "",
    ]
    out += _md_chart(files, "months", "events per month by kind")
    out += ["## Top partners", ""]
    inten = {i.partner: i for i in o.intensity}
    rows = [
        [
            i + 1,
            t.partner,
            t.name,
            lb.region_label(t.region),
            t.count,
            inten[t.partner].score if t.partner in inten else "",
        ]
        for i, t in enumerate(o.top_partners)
    ]
    out += [_md_table(("#", "Code", "Partner", "Region", "Events", "Intensity"), rows), ""]
    out += _md_chart(files, "partners", "top partners by level")
    out += [
        "## Events by kind",
        "",
        _md_table(("Kind", "Events"), [[lb.kind_label(k), v] for k, v in o.by_kind.items()]),
        "",
    ]
    out += [
        "## Events by level of the Japanese side",
        "",
        _md_table(("Level", "Events"), [[lb.level_label(k), v] for k, v in o.by_level.items()]),
        "",
    ]
    out += [
        "## Events by region (an event counts once per region)",
        "",
        _md_table(
            ("Region", "Events"), [[lb.region_label(k) or k, v] for k, v in o.by_region.items()]
        ),
        "",
    ]
    out += ["## New agreements", ""]
    out += [
        _md_table(
            ("Date", "Agreement", "Partners", "Source sentence (原文)", "Source"),
            [
                [
                    _date(r.date),
                    r.summary,
                    ", ".join(r.partners),
                    r.sentence,
                    _source(r.doc_key, r.line),
                ]
                for r in o.new_agreements
            ],
        )
        if o.new_agreements
        else "None recorded.",
        "",
    ]
    out += ["## Leader- and minister-level events", ""]
    out += [
        _md_table(
            ("Date", "Event", "Partners", "Source"),
            [
                [_date(r.date, r.end), r.summary, ", ".join(r.partners), _source(r.doc_key, r.line)]
                for r in o.highlights
            ],
        )
        if o.highlights
        else "None recorded.",
        "",
    ]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- html


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("defcoop.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        kind=lb.kind_label,
        level=lb.level_label,
        region=lb.region_label,
        status=lb.status_label,
        source=_source,
        date=_date,
    )
    return env


def render_html(
    report: Report, charts: Sequence[Chart] | None = None, *, chart_format: str = "svg"
) -> str:
    """One self-contained HTML page (inline CSS, embedded charts, no script)."""
    cs = list(charts) if charts is not None else charts_of(report)
    images = {c.name: {"title": c.title, "src": c.data_uri(chart_format)} for c in cs}
    env = _env()
    if isinstance(report, PartnerProfile):
        tpl = env.get_template("partner.html.j2")
        return tpl.render(p=report, charts=images, groups=_groups(report.chronology))
    tpl = env.get_template("period.html.j2")
    inten = {i.partner: i for i in report.intensity}
    return tpl.render(o=report, charts=images, intensity=inten)


# --------------------------------------------------------------------------- xlsx


def write_xlsx(report: Report, path: str | Path, charts: Sequence[Chart] | None = None) -> Path:
    """An XLSX workbook: one sheet per table, charts as pictures on a ``Charts`` sheet."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    cs = list(charts) if charts is not None else charts_of(report)
    wb = Workbook()
    first = True

    def sheet(
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[int] | None = None,
    ) -> None:
        nonlocal first
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = title[:31]
        ws.append(list(headers))
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in rows:
            ws.append([("" if v is None else v) for v in row])
        ws.freeze_panes = "A2"
        for i, w in enumerate(widths or [], start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
            if w >= 50:
                for cell in ws[get_column_letter(i)][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")

    if isinstance(report, PartnerProfile):
        p = report
        sheet(
            "Profile",
            ("Field", "Value"),
            [
                ("Code", p.code),
                ("Name (en)", p.name_en),
                ("Name (ja)", p.name_ja),
                ("Kind", p.kind),
                ("Region", lb.region_label(p.region)),
                ("Groups", ", ".join(f"{g} ({role} since {since})" for g, role, since in p.groups)),
                ("UN member", {True: "yes", False: "no", None: ""}[p.un_member]),
                ("Events", p.total),
                ("First", p.first),
                ("Last", p.last),
                ("Generated", p.generated),
            ],
            (18, 60),
        )
        sheet(
            "Significance",
            ("Source", "Paragraph"),
            [(_source(s.doc_key, s.line), s.text) for s in p.significance],
            (28, 100),
        )
        a = p.agreements
        sheet(
            "Agreements",
            ("Type", f"Status as of {a.as_of}", "Entry status", "Date", "Basis", "Source", "Quote"),
            [(t, lb.status_label(v), "", "", "", "", "") for t, v in a.statuses.items()]
            + [
                (
                    e.type,
                    "",
                    lb.status_label(e.status),
                    e.date,
                    e.kind,
                    _source(e.doc, e.line),
                    e.quote,
                )
                for e in a.entries
            ],
            (8, 22, 18, 12, 8, 28, 80),
        )
        sheet(
            "Chronology",
            (
                "Date",
                "End",
                "Category",
                "Kind",
                "Level",
                "Partners",
                "Event",
                "Source sentence",
                "Source",
                "Event id",
            ),
            [
                (
                    r.date,
                    r.end,
                    r.category,
                    r.kind,
                    r.level,
                    ", ".join(r.partners),
                    r.summary,
                    r.sentence,
                    _source(r.doc_key, r.line),
                    r.event_id,
                )
                for r in p.chronology
            ],
            (10, 10, 14, 16, 14, 16, 50, 90, 28, 18),
        )
        pv = p.by_kind_year
        sheet(
            "Counts",
            ("Kind", *pv.cols, "Total"),
            [(k, *[pv.value(k, y) for y in pv.cols], pv.row_total(k)) for k in pv.rows],
            (20,),
        )
    else:
        o = report
        inten = {i.partner: i for i in o.intensity}
        sheet(
            "Overview",
            ("Field", "Value"),
            [
                ("Period", o.period),
                ("Since", o.since),
                ("Until", o.until),
                ("Events", o.total),
                ("Partners engaged", o.partners),
                ("Agreement events", len(o.new_agreements)),
                ("Leader/minister events", len(o.highlights)),
                ("Generated", o.generated),
            ],
            (24, 30),
        )
        sheet(
            "Top partners",
            ("Rank", "Code", "Partner", "Region", "Events", "Intensity"),
            [
                (
                    i + 1,
                    t.partner,
                    t.name,
                    t.region,
                    t.count,
                    inten[t.partner].score if t.partner in inten else None,
                )
                for i, t in enumerate(o.top_partners)
            ],
            (6, 8, 30, 18, 8, 10),
        )
        sheet("By kind", ("Kind", "Events"), list(o.by_kind.items()), (20, 8))
        sheet("By level", ("Level", "Events"), list(o.by_level.items()), (20, 8))
        sheet("By region", ("Region", "Events"), list(o.by_region.items()), (20, 8))
        sheet("By month", ("Month", "Events"), list(o.by_month.items()), (10, 8))
        sheet(
            "New agreements",
            ("Date", "Agreement", "Partners", "Source sentence", "Source", "Event id"),
            [
                (
                    r.date,
                    r.summary,
                    ", ".join(r.partners),
                    r.sentence,
                    _source(r.doc_key, r.line),
                    r.event_id,
                )
                for r in o.new_agreements
            ],
            (10, 40, 16, 90, 28, 18),
        )
        sheet(
            "Highlights",
            ("Date", "Event", "Partners", "Source sentence", "Source", "Event id"),
            [
                (
                    r.date,
                    r.summary,
                    ", ".join(r.partners),
                    r.sentence,
                    _source(r.doc_key, r.line),
                    r.event_id,
                )
                for r in o.highlights
            ],
            (10, 50, 16, 90, 28, 18),
        )
    if cs:
        ws = wb.create_sheet("Charts")
        row = 1
        for c in cs:
            ws.cell(row=row, column=1, value=c.title).font = Font(bold=True)
            img = Image(io.BytesIO(c.png))
            ws.add_image(img, f"A{row + 1}")
            row += int(img.height / 20) + 4
    out = Path(path)
    wb.save(out)
    return out


# --------------------------------------------------------------------------- files


def write_report(
    report: Report, path: str | Path, fmt: str | None = None, *, chart_files: bool = True
) -> list[Path]:
    """Write ``report`` to ``path`` as md, html or xlsx (by ``fmt`` or the suffix).

    With ``chart_files`` the charts are also written next to it as
    ``<stem>.<chart>.png`` and ``.svg`` (Markdown links to the PNGs). Returns every path written.
    """
    out = Path(path)
    kind = (fmt or out.suffix.lstrip(".")).lower()
    kind = {"markdown": "md", "htm": "html"}.get(kind, kind)
    if kind not in FORMATS:
        raise QueryError(f"report format {kind!r}: use md, html or xlsx")
    if out.suffix.lstrip(".").lower() != kind and not out.suffix:
        out = out.with_suffix("." + kind)
    out.parent.mkdir(parents=True, exist_ok=True)
    cs = charts_of(report)
    written: list[Path] = []
    files: dict[str, str] = {}
    if chart_files or kind == "md":
        for c in cs:
            png = out.with_name(f"{out.stem}.{c.name}.png")
            svg = out.with_name(f"{out.stem}.{c.name}.svg")
            png.write_bytes(c.png)
            svg.write_text(c.svg, encoding="utf-8")
            written += [png, svg]
            files[c.name] = png.name
    if kind == "md":
        out.write_text(render_markdown(report, files), encoding="utf-8")
    elif kind == "html":
        out.write_text(render_html(report, cs), encoding="utf-8")
    else:
        write_xlsx(report, out, cs)
    return [out, *written]
