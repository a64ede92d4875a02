"""The sanctions calendar and the mapping of event dates to trading days."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._options import check_option
from ..errors import PotashDataError
from ._common import check_unique, raw_path, read_csv_text, rel, require_values, to_date

__all__ = ["EVENT_TYPES", "load_events", "to_trading_day"]

#: The allowed event types.
EVENT_TYPES = ("sanction", "logistics", "geopolitical", "market", "prisoner_release", "relief")
_VERIFIED = ("yes", "partly", "no")
_COLUMNS = ["date", "event_id", "actor", "type", "description", "source_url", "verified"]


def _build_events(path: str | Path | None = None) -> pd.DataFrame:
    p = Path(path) if path is not None else raw_path("events", "sanctions_events.csv")
    df = read_csv_text(p, _COLUMNS)
    f = rel(p)
    require_values(df, ["date", "event_id", "type", "description", "verified"], f)
    df["date"] = to_date(df, "date", f, "%Y-%m-%d")
    for col, allowed in (("type", EVENT_TYPES), ("verified", _VERIFIED)):
        bad = ~df[col].isin(allowed)
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise PotashDataError(
                f"unknown value {df[col].iloc[i]!r}; allowed: {', '.join(allowed)}",
                file=f, column=col, row=int(df["_line"].iloc[i]),
            )
    bad = ~df["event_id"].str.fullmatch(r"[a-z0-9_]+")
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"event_id must be snake_case: {df['event_id'].iloc[i]!r}",
                              file=f, column="event_id", row=int(df["_line"].iloc[i]))
    check_unique(df, ["event_id"], f)
    out = df[_COLUMNS].sort_values(["date", "event_id"], kind="mergesort").reset_index(drop=True)
    for col in _COLUMNS[1:]:
        out[col] = out[col].astype("string")
    return out


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """Load the sanctions calendar, typed and validated.

    Checks ISO dates (``YYYY-MM-DD``), known ``type`` values (:data:`EVENT_TYPES`), ``verified``
    in yes/partly/no, and unique snake_case ``event_id``.

    Parameters
    ----------
    path : str or Path, optional
        A calendar CSV with the same columns (default: the shipped
        ``data/raw/events/sanctions_events.csv``).

    Returns
    -------
    DataFrame
        ``date`` (datetime64), ``event_id``, ``actor``, ``type``, ``description``,
        ``source_url``, ``verified``; sorted by date.

    Raises
    ------
    PotashDataError
        Naming file, column and row of a bad value.

    Examples
    --------
    >>> ev = load_events()
    >>> len(ev), ev["type"].isin(EVENT_TYPES).all()
    (53, np.True_)
    """
    if path is None:
        from .build import cached

        return cached("events")
    return _build_events(path)


def to_trading_day(
    dates: object,
    calendar: pd.DatetimeIndex | pd.Series | np.ndarray,
    policy: Literal["next", "previous"] = "next",
) -> pd.DataFrame:
    """Map calendar dates to trading days and record each shift.

    A date that is a trading day maps to itself (``shift_days == 0``). With ``policy="next"``
    a weekend or holiday moves to the next trading day (the first day the market can react);
    with ``"previous"`` to the last trading day before it.

    Parameters
    ----------
    dates : date-like or array-like of dates
        Event dates (time of day is ignored).
    calendar : DatetimeIndex or array-like
        The trading days, e.g. the dates of the SPY price file
        (``load_equity_prices(["SPY"])["date"]``).
    policy : {"next", "previous"}
        Direction of the shift for non-trading days.

    Returns
    -------
    DataFrame
        ``date``, ``trading_date`` (datetime64) and ``shift_days`` (int, calendar days, negative
        for ``previous``), one row per input date, in input order.

    Raises
    ------
    ValueError
        A date lies outside the calendar (before its first or after its last day), or the
        calendar is empty.

    Examples
    --------
    >>> cal = pd.bdate_range("2025-12-01", "2025-12-31")
    >>> to_trading_day(["2025-12-13", "2025-12-15"], cal)
            date trading_date  shift_days
    0 2025-12-13   2025-12-15           2
    1 2025-12-15   2025-12-15           0
    """
    check_option("policy", policy, Literal["next", "previous"])
    cal = pd.DatetimeIndex(pd.to_datetime(np.asarray(calendar))).normalize()
    cal = cal.unique().sort_values()
    if len(cal) == 0:
        raise ValueError("calendar is empty")
    if isinstance(dates, (str, pd.Timestamp)) or np.isscalar(dates):
        dates = [dates]
    d = pd.DatetimeIndex(pd.to_datetime(list(dates) if not isinstance(dates, pd.Series) else dates))
    d = d.normalize()
    out_of_range = (d < cal[0]) | (d > cal[-1])
    if out_of_range.any():
        bad = d[out_of_range][0]
        raise ValueError(
            f"date {bad.date()} lies outside the trading calendar "
            f"({cal[0].date()} .. {cal[-1].date()}); extend the calendar"
        )
    if policy == "next":
        idx = cal.searchsorted(d, side="left")
    else:
        idx = cal.searchsorted(d, side="right") - 1
    td = cal[idx]
    return pd.DataFrame(
        {
            "date": d.astype("datetime64[ns]"),
            "trading_date": td.astype("datetime64[ns]"),
            "shift_days": np.asarray((td - d).days, dtype="int64"),
        }
    )
