"""Server-rendered SVG charts (inline, no script, no style attribute: the CSP forbids both).

Every text that goes into the SVG is escaped with ``markupsafe.escape``; numbers are
formatted by Python. Colours come from the stylesheet through CSS classes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH = 520
MAX_LABEL = 24


def _short(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    href: Callable[[str], str] | None = None,
    height: int = 180,
    bar_class: str = "bar",
) -> Markup:
    """Vertical bars, one per ``(label, value)``, with the value above each bar.

    ``href(label)`` makes each bar a link (e.g. to the events of that year).
    """
    if not items:
        return Markup("")
    # One scale for every chart (a chart of 3 bars is not blown up to the card's width).
    width = max(WIDTH, 30 * len(items) + 16)
    top, bottom, left = 22, 26, 8
    plot_h = height - top - bottom
    vmax = max(v for _, v in items) or 1
    slot = (width - left * 2) / len(items)
    bar_w = min(48.0, max(6.0, slot * 0.68))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - left}" '
        f'y2="{top + plot_h}"/>',
    ]
    for i, (label, value) in enumerate(items):
        h = plot_h * value / vmax
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h - h
        cx = x + bar_w / 2
        bar = (
            f'<rect class="{bar_class}" x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" '
            f'height="{_n(max(h, 0.5))}"><title>{escape(label)}: {value}</title></rect>'
            f'<text class="value" x="{_n(cx)}" y="{_n(y - 5)}" text-anchor="middle">{value}</text>'
            f'<text class="label" x="{_n(cx)}" y="{height - 8}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if href is not None:
            bar = f'<a href="{escape(href(label))}">{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(
    items: Sequence[tuple[str, str, int]],
    *,
    title: str,
    href: Callable[[str], str] | None = None,
    label_width: int = 170,
) -> Markup:
    """Horizontal bars for ``(key, label, value)`` rows (top partners, kinds)."""
    if not items:
        return Markup("")
    row_h, width = 22, 520
    height = row_h * len(items) + 8
    vmax = max(v for _, _, v in items) or 1
    plot_w = width - label_width - 44
    parts = [
        f'<svg class="chart hchart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (key, label, value) in enumerate(items):
        y = 4 + i * row_h
        w = plot_w * value / vmax
        row = (
            f'<text class="label" x="{label_width - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(_short(label))}</text>"
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{_n(max(w, 0.5))}" '
            f'height="{row_h - 7}"><title>{escape(label)}: {value}</title></rect>'
            f'<text class="value" x="{_n(label_width + w + 5)}" y="{y + 15}">{value}</text>'
        )
        if href is not None:
            row = f'<a href="{escape(href(key))}">{row}</a>'
        parts.append(row)
    parts.append("</svg>")
    return Markup("".join(parts))


def year_series(counts: dict[str, int], *, span: int = 12) -> list[tuple[str, int]]:
    """``(year, count)`` for a contiguous run of at most ``span`` years ending with the
    latest year that has events (earlier years summed into the first bar, labelled
    ``≤YYYY``); undated events are left out."""
    years = sorted(int(y) for y in counts if y.isdigit())
    if not years:
        return []
    last = years[-1]
    first = max(years[0], last - span + 1)
    out = [(str(y), counts.get(str(y), 0)) for y in range(first, last + 1)]
    earlier = sum(v for y, v in counts.items() if y.isdigit() and int(y) < first)
    if earlier:
        out[0] = (f"≤{first}", out[0][1] + earlier)
    return out
