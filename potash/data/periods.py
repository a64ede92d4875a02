"""One parser for the period labels of the tidy tables (``YYYY``, ``YYYY-MM``, quarters, halves,
ranges and multi-year averages)."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["parse_period", "period_bounds"]

_PERIOD_RE = {
    "year": r"^(\d{4})$",
    "month": r"^(\d{4})-(\d{2})$",
    "quarter": r"^(\d{4})-Q([1-4])$",
    "half": r"^(\d{4})-H([12])$",
    "range": r"^(\d{4})-(\d{2})/(\d{4})-(\d{2})$",
    "years": r"^(\d{4})/(\d{4})$",
}


def parse_period(period: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """Turn a curated period label into explicit start and end dates and a kind.

    ``YYYY`` (year), ``YYYY-MM`` (month), ``YYYY-Qn`` (quarter), ``YYYY-H1``/``H2`` (half),
    ``YYYY-MM/YYYY-MM`` (cumulative range, kind ``range``), ``A/B`` with ``B > A + 1``
    (annual **average** over the years, kind ``annual_average``) and ``A/A+1`` (a split year as
    printed, kind ``split_year``, spanning both calendar years).

    Parameters
    ----------
    period : str
        The label.

    Returns
    -------
    (Timestamp, Timestamp, str)
        First day, last day (inclusive) and the kind.

    Raises
    ------
    ValueError
        The label has none of these forms.

    Examples
    --------
    >>> parse_period("2021-Q1")
    (Timestamp('2021-01-01 00:00:00'), Timestamp('2021-03-31 00:00:00'), 'quarter')
    >>> parse_period("2017/2021")[2], parse_period("2024/2025")[2]
    ('annual_average', 'split_year')
    """
    p = str(period).strip()
    for kind, rx in _PERIOD_RE.items():
        m = re.match(rx, p)
        if not m:
            continue
        g = [int(x) for x in m.groups()]
        if kind == "year":
            start, end = pd.Timestamp(g[0], 1, 1), pd.Timestamp(g[0], 12, 31)
        elif kind == "month":
            if not 1 <= g[1] <= 12:
                break
            start = pd.Timestamp(g[0], g[1], 1)
            end = start + pd.offsets.MonthEnd(0)
        elif kind == "quarter":
            start = pd.Timestamp(g[0], 3 * g[1] - 2, 1)
            end = start + pd.offsets.QuarterEnd(0)
        elif kind == "half":
            start = pd.Timestamp(g[0], 6 * g[1] - 5, 1)
            end = (start + pd.DateOffset(months=5)) + pd.offsets.MonthEnd(0)
        elif kind == "range":
            if not (1 <= g[1] <= 12 and 1 <= g[3] <= 12):
                break
            start = pd.Timestamp(g[0], g[1], 1)
            end = pd.Timestamp(g[2], g[3], 1) + pd.offsets.MonthEnd(0)
        else:
            start, end = pd.Timestamp(g[0], 1, 1), pd.Timestamp(g[1], 12, 31)
            kind = "split_year" if g[1] == g[0] + 1 else "annual_average"
        if end < start:
            break
        return start, end, kind
    raise ValueError(f"period {period!r} is not YYYY, YYYY-MM, YYYY-Qn, YYYY-Hn, "
                     "YYYY-MM/YYYY-MM or YYYY/YYYY")


def period_bounds(period: Any) -> tuple[str | None, str | None]:
    """First and last day of a period label as ISO strings, or ``(None, None)`` if unreadable.

    The lenient form of :func:`parse_period` for tables that report unreadable labels
    themselves.

    Examples
    --------
    >>> period_bounds("2021-H1"), period_bounds("2024-01/2024-08"), period_bounds("soon")
    (('2021-01-01', '2021-06-30'), ('2024-01-01', '2024-08-31'), (None, None))
    """
    try:
        start, end, _ = parse_period(str(period))
    except ValueError:
        return None, None
    return str(start.date()), str(end.date())
