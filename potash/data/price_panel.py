"""Monthly log-price panels from the tidy prices table, with the basis-change checks.

The one reshaping step that the price estimators (``potash.estimators.its``, ``breaks``) and
the price figures share: a wide table of log prices over a sample, every month present, and an
error when the sample spans a documented change of price basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.data._common import as_names
from potash.data.prices import basis_changes as known_basis_changes

__all__ = ["PRICE_COLUMNS", "log_price_panel"]

PRICE_COLUMNS = ("date", "series", "value", "unit")


def _month(value: Any, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}={value!r} is not a date") from exc
    if ts is pd.NaT:
        raise ValueError(f"{what}={value!r} is not a date")
    return ts.to_period("M").to_timestamp()


def _check_prices(prices: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(f"prices must be a DataFrame with columns {PRICE_COLUMNS}")
    missing = [c for c in PRICE_COLUMNS if c not in prices.columns]
    if missing:
        raise PotashDataError(
            f"missing column(s) {missing}; the prices schema is {list(PRICE_COLUMNS)}",
            file="prices",
            column=missing[0],
        )
    dates = pd.to_datetime(prices["date"], errors="coerce")
    bad = dates.isna() | (dates.dt.day != 1)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        row = prices.index[pos]
        raise PotashDataError(
            f"date {prices['date'].iloc[pos]!r} is not the first day of a month",
            file="prices",
            column="date",
            row=row,
        )
    out = prices.assign(date=dates)
    dup = out.duplicated(["date", "series"])
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        first = out.iloc[pos]
        raise PotashDataError(
            f"duplicate (date, series) = ({first['date'].date()}, {first['series']})",
            file="prices",
            column="series",
            row=out.index[pos],
        )
    return out


def log_price_panel(
    prices: pd.DataFrame,
    series: Sequence[str],
    *,
    start: Any = None,
    end: Any = None,
    basis: Literal["error", "ignore"] = "error",
    basis_changes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Wide table of monthly log prices for ``series`` over ``start..end`` (inclusive).

    Checks that every series is in the data, has one positive value per month and no gaps in
    the sample; the default sample is the months that all series share. A sample that spans a
    basis change of one of the series (potash 2020-01, urea 2022-03) is an error unless
    ``basis="ignore"`` is passed explicitly: a break test across it would find the change of
    basis, not a sanction.

    Parameters
    ----------
    prices : DataFrame
        Tidy prices: ``date, series, value, unit``.
    series : sequence of str
        Series names (e.g. ``["potassium_chloride", "urea"]``).
    start, end : date-like, optional
        First and last month (any day in the month).
    basis : {"error", "ignore"}
        What to do when the sample spans a basis change.
    basis_changes : DataFrame, optional
        ``series, date`` of basis changes (default :func:`potash.data.basis_changes`).

    Returns
    -------
    DataFrame
        Index ``date`` (first of month), one column of log prices per series.

    Examples
    --------
    >>> p = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=3, freq="MS"),
    ...                   "series": "urea", "value": [1.0, np.e, np.e ** 2], "unit": "$/mt"})
    >>> log_price_panel(p, ["urea"])["urea"].round(6).tolist()
    [0.0, 1.0, 2.0]
    """
    check_option("basis", basis, Literal["error", "ignore"])
    prices = _check_prices(prices)
    series = list(dict.fromkeys(as_names(series, "series", allow_dupes=True)))
    available = sorted(prices["series"].dropna().unique().tolist())
    for s in series:
        if s not in available:
            raise PotashDataError(
                f"series {s!r} is not in the data; available: {available}",
                file="prices",
                column="series",
            )
    sub = prices[prices["series"].isin(series)]
    units = sub.groupby("series")["unit"].nunique(dropna=False)
    if (units > 1).any():
        s = units.index[(units > 1).to_numpy()][0]
        found = sorted(map(str, sub.loc[sub["series"] == s, "unit"].unique()))
        raise PotashDataError(
            f"series {s!r} comes in several units {found}; select one source/unit first",
            file="prices",
            column="unit",
        )
    wide = sub.pivot(index="date", columns="series", values="value").sort_index()
    lo = _month(start, "start") if start is not None else None
    hi = _month(end, "end") if end is not None else None
    if lo is None:
        lo = max(sub.loc[sub["series"] == s, "date"].min() for s in series)
    if hi is None:
        hi = min(sub.loc[sub["series"] == s, "date"].max() for s in series)
    if lo > hi:
        raise ValueError(f"start {lo.date()} is after end {hi.date()}")
    grid = pd.date_range(lo, hi, freq="MS", name="date")
    wide = wide.reindex(grid)[series]
    for s in series:
        col = wide[s]
        if col.isna().any():
            gaps = [d.strftime("%Y-%m") for d in col.index[col.isna().to_numpy()]]
            raise PotashDataError(
                f"series {s!r} has no value for month(s) {gaps[:6]}"
                f"{' ...' if len(gaps) > 6 else ''} inside the sample {lo:%Y-%m}..{hi:%Y-%m}",
                file="prices",
                column="value",
            )
        if (col <= 0).any():
            d = col.index[(col <= 0).to_numpy()][0]
            row = sub.index[((sub["series"] == s) & (sub["date"] == d)).to_numpy()][0]
            raise PotashDataError(
                f"series {s!r} has a non-positive price {col[d]} in {d:%Y-%m}: no log",
                file="prices",
                column="value",
                row=row,
            )
    wide.columns.name = None
    if basis == "error":
        spanned = _spanned_changes(series, grid, basis_changes)
        if spanned:
            raise _basis_error(spanned[0], grid, "pass basis='ignore' to use the series anyway")
    return np.log(wide)


def _spanned_changes(
    names: Sequence[str], idx: pd.DatetimeIndex, basis_changes: pd.DataFrame | None
) -> list[tuple[str, pd.Timestamp, str, str]]:
    """Basis changes of ``names`` with months of the sample on both sides."""
    bc = known_basis_changes() if basis_changes is None else basis_changes
    out = []
    for row in bc.itertuples(index=False):
        if row.series not in names:
            continue
        d = _month(row.date, "basis change date")
        if idx[0] < d <= idx[-1]:
            out.append(
                (str(row.series), d, getattr(row, "before", "?"), getattr(row, "after", "?"))
            )
    return out


def _basis_error(change: tuple, idx: pd.DatetimeIndex, remedy: str) -> PotashDataError:
    s, d, before, after = change
    return PotashDataError(
        f"the sample {idx[0]:%Y-%m}..{idx[-1]:%Y-%m} spans the basis change of {s!r} at "
        f"{d:%Y-%m} ({before} -> {after}); start at or after {d:%Y-%m}, end before it, or "
        f"{remedy}",
        file="prices",
        column="series",
    )
