"""Charts for reports (matplotlib, Agg backend, no display needed).

Labels are English with ISO codes, so no CJK font is needed to draw them: the
machines that render reports often have none (``fc-list :lang=ja`` is empty on a
minimal server), and shipping a CJK font would add megabytes to the package.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from defcoop.query.analytics import PartnerCount, Pivot
from defcoop.query.levels import ALL_LEVELS
from defcoop.query.model import QueryError
from defcoop.report import labels as lb

#: Colour per event kind (colour-blind-safe Okabe-Ito palette, then greys).
KIND_COLOURS = {
    "meeting": "#0072B2",
    "two_plus_two": "#56B4E9",
    "consultation": "#009E73",
    "courtesy_call": "#8FD1BB",
    "conference": "#E69F00",
    "exercise": "#D55E00",
    "capacity_building": "#CC79A7",
    "port_call": "#F0E442",
    "agreement": "#000000",
    "visit": "#999999",
    "equipment_transfer": "#882255",
    "seminar": "#BBBBBB",
    "other": "#DDDDDD",
}
LEVEL_COLOURS = {
    "leaders": "#08306B",
    "ministers": "#2171B5",
    "vice_ministers": "#6BAED6",
    "chiefs_of_staff": "#E6550D",
    "officials": "#74C476",
    "units": "#FDAE6B",
    "unspecified": "#D9D9D9",
}
#: matplotlib rc parameters of every chart (typed Any: the stubs want literal keys).
_STYLE: Any = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
    "svg.fonttype": "none",  # text as <text> (English labels: any sans-serif font renders them)
}


def _kind_order(kinds: Sequence[str]) -> list[str]:
    order = list(KIND_COLOURS)
    return sorted(kinds, key=lambda k: order.index(k) if k in order else len(order))


def kinds_by_period(pv: Pivot, title: str, *, xlabel: str = "Year") -> Figure:
    """Stacked bars: events per period (rows of a ``kind x period`` pivot's columns)."""
    if pv.row_dim != "kind":
        raise QueryError("kinds_by_period needs a kind x period pivot")
    periods = pv.cols
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(periods) + 3.5), 3.8), dpi=110)
        bottom = [0] * len(periods)
        width = 0.8 if len(periods) > 3 else 0.5
        labels = [p if len(p) != 4 or xlabel == "Year" else f"{p} (no month)" for p in periods]
        for kind in _kind_order(pv.rows):
            vals = [pv.value(kind, p) for p in periods]
            ax.bar(
                labels,
                vals,
                width=width,
                bottom=bottom,
                label=lb.kind_label(kind),
                color=KIND_COLOURS.get(kind, "#888888"),
                edgecolor="white",
                linewidth=0.5,
            )
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
        for x, total in enumerate(bottom):
            if total:
                ax.annotate(
                    str(total),
                    (x, total),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
        ax.set_title(title, loc="left")
        ax.set_ylabel("Events")
        ax.set_xlabel(xlabel)
        ax.set_ylim(0, max(bottom or [1]) * 1.15 + 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if len(periods) > 3:
            plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
        handles, names = ax.get_legend_handles_labels()
        # legend top-down in the order the stack reads top-down
        ax.legend(
            handles[::-1],
            names[::-1],
            frameon=False,
            fontsize=8,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
        fig.tight_layout()
    return fig


def top_partners_by_level(
    rows: Sequence[PartnerCount], levels: dict[str, dict[str, int]], title: str
) -> Figure:
    """Horizontal stacked bars: each top partner's events by level of the Japanese side.

    ``levels`` maps partner code -> {level: count}.
    """
    codes = [r.partner for r in rows][::-1]
    names = [
        f"{r.partner}  {r.name}" if len(r.name) <= 24 else f"{r.partner}  {r.name[:23]}…"
        for r in rows
    ][::-1]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.34 * len(codes) + 1.4), dpi=110)
        left = [0] * len(codes)
        for lv in ALL_LEVELS:
            vals = [levels.get(c, {}).get(lv, 0) for c in codes]
            if not any(vals):
                continue
            ax.barh(
                names,
                vals,
                left=left,
                label=lb.level_label(lv),
                color=LEVEL_COLOURS[lv],
                edgecolor="white",
                linewidth=0.5,
            )
            left = [a + v for a, v in zip(left, vals, strict=True)]
        for y, total in enumerate(left):
            ax.annotate(
                str(total),
                (total, y),
                va="center",
                fontsize=8,
                xytext=(3, 0),
                textcoords="offset points",
            )
        ax.set_title(title, loc="left")
        ax.set_xlabel("Events (by level of the Japanese side)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(left or [1]) * 1.12 + 0.5)
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        fig.tight_layout()
    return fig


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def svg_text(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def close(fig: Figure) -> None:
    plt.close(fig)


def save(fig: Figure, path: str | Path) -> Path:
    """Write the figure as PNG or SVG (by suffix)."""
    p = Path(path)
    if p.suffix.lower() == ".svg":
        p.write_text(svg_text(fig), encoding="utf-8")
    else:
        p.write_bytes(png_bytes(fig))
    return p
