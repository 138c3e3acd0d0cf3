"""Day bounds of partial ISO dates, so that "YYYY" / "YYYY-MM" values filter by range."""

from __future__ import annotations

import calendar
from datetime import date


def bounds(iso: str | None) -> tuple[date | None, date | None]:
    """First and last day ``iso`` (YYYY, YYYY-MM or YYYY-MM-DD) can mean; Nones if invalid."""
    if not iso:
        return None, None
    try:
        parts = [int(p) for p in iso.split("-")]
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
        if len(parts) == 2:
            y, m = parts
            return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
        if len(parts) == 3:
            d = date(*parts)
            return d, d
    except ValueError:
        pass
    return None, None


def precision(iso: str | None) -> str:
    if not iso:
        return "unresolved"
    return {4: "year", 7: "month", 10: "day"}.get(len(iso), "unknown")


def span_bounds(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """Bounds of an event dated ``start`` (and optionally ending ``end``)."""
    lo, hi = bounds(start)
    if end:
        _, end_hi = bounds(end)
        hi = end_hi or hi
    return lo, hi
