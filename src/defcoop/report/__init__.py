"""Reports: partner profiles and period overviews in Markdown, HTML and XLSX, with charts.

.. code-block:: python

    from defcoop.report import partner_profile, period_overview, write_report

    profile = partner_profile(store, "IND")          # data only (PartnerProfile)
    write_report(profile, "india.html")              # + india.kinds.png / .svg
    write_report(period_overview(store, 2024), "2024.xlsx")

The data is gathered through :mod:`defcoop.query` (the same filters as the CLI and
the web); rendering lives in :mod:`defcoop.report.render`.
"""

from defcoop.report.build import (
    ChronologyRow,
    PartnerProfile,
    PeriodOverview,
    chronology,
    partner_profile,
    period_overview,
)
from defcoop.report.render import (
    FORMATS,
    Chart,
    charts_of,
    render_html,
    render_markdown,
    write_report,
    write_xlsx,
)

__all__ = [
    "FORMATS",
    "Chart",
    "ChronologyRow",
    "PartnerProfile",
    "PeriodOverview",
    "charts_of",
    "chronology",
    "partner_profile",
    "period_overview",
    "render_html",
    "render_markdown",
    "write_report",
    "write_xlsx",
]
