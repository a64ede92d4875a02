"""Daily equity prices (Yahoo Finance adjusted closes) and returns."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.data._cache import cached, files, register
from potash.data._common import check_unique, raw_path, read_csv_text, rel, to_date, to_float
from potash.data.schemas import EQUITY, validate

__all__ = ["load_equity_prices", "to_returns", "trading_calendar"]

_FOLDER = "yahoo_adjclose_dsturdy"
#: When each shipped snapshot was taken. Rows dated on the capture day before the 16:00
#: New York close are intraday prices (partial trading day) and are dropped.
SNAPSHOT_CAPTURED = {_FOLDER: pd.Timestamp("2026-07-14 10:03", tz="America/New_York")}
_CLOSE = pd.Timedelta(hours=16)


def _build_equity(
    path: str | Path | None = None, captured_at: pd.Timestamp | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = Path(path) if path is not None else raw_path(_FOLDER)
    if captured_at is None and path is None:
        captured_at = SNAPSHOT_CAPTURED[_FOLDER]
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else [folder]
    if not files:
        raise PotashDataError("no ticker CSV files found", file=rel(folder))
    frames, dropped = [], []
    for f in files:
        df = read_csv_text(f, ["Date", "Close"])
        fr = rel(f)
        df["date"] = to_date(df, "Date", fr)
        df["adj_close"] = to_float(df, "Close", fr, allow_missing=False)
        bad = ~(df["adj_close"] > 0)
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise PotashDataError(f"price must be positive: {df['Close'].iloc[i]!r}",
                                  file=fr, column="Close", row=int(df["_line"].iloc[i]))
        check_unique(df, ["date"], fr)
        if not df["date"].is_monotonic_increasing:
            i = int(np.argmax(np.diff(df["date"].to_numpy()) < np.timedelta64(0)) + 1)
            raise PotashDataError("dates are not increasing", file=fr, column="Date",
                                  row=int(df["_line"].iloc[i]))
        df["ticker"] = f.stem.upper()
        if captured_at is not None:
            cap = captured_at.tz_convert("America/New_York")
            cap_day = cap.tz_localize(None).normalize()
            partial = df["date"] >= cap_day if cap - cap.normalize() < _CLOSE else df["date"] > cap_day
            if partial.any():
                d = df.loc[partial, ["date", "ticker", "adj_close"]].copy()
                d["reason"] = (f"partial trading day: file captured {cap:%Y-%m-%d %H:%M %Z}, "
                               "before the 16:00 close")
                dropped.append(d)
                df = df.loc[~partial]
        frames.append(df[["date", "ticker", "adj_close"]])
    out = pd.concat(frames, ignore_index=True)
    out["ticker"] = out["ticker"].astype("string")
    out = out.sort_values(["ticker", "date"], kind="mergesort").reset_index(drop=True)
    drop = (pd.concat(dropped, ignore_index=True) if dropped else
            pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "ticker": pd.Series(dtype="string"),
                          "adj_close": pd.Series(dtype="float64"), "reason": pd.Series(dtype="string")}))
    drop["ticker"] = drop["ticker"].astype("string")
    drop["reason"] = drop["reason"].astype("string")
    return out, drop.reset_index(drop=True)


def load_equity_prices(
    tickers: Sequence[str] | str | None = None,
    *,
    path: str | Path | None = None,
    captured_at: pd.Timestamp | str | None = None,
    return_dropped: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load daily adjusted closing prices in long format.

    In the shipped snapshot the files were captured at 10:03 New York time on 2026-07-14,
    so rows dated 2026-07-14 are intraday prices of a partial trading day: they are dropped
    and reported (``return_dropped=True``).

    Parameters
    ----------
    tickers : str or sequence of str, optional
        Tickers to keep (default all). An unknown ticker raises ``ValueError``.
    path : str or Path, optional
        A folder of ``<TICKER>.csv`` files (columns ``Date, Close``) or one such file
        (default: the shipped snapshot).
    captured_at : Timestamp or str, optional
        When ``path`` was downloaded (tz-aware or New York time); rows on that day before the
        close are dropped. Default: known for the shipped snapshot, else nothing dropped.
    return_dropped : bool
        Also return the dropped rows with a ``reason``.

    Returns
    -------
    DataFrame or (DataFrame, DataFrame)
        ``date`` (datetime64), ``ticker``, ``adj_close`` (float, USD), sorted by ticker and date;
        and the dropped rows if asked.

    Examples
    --------
    >>> px, dropped = load_equity_prices(["NTR", "SPY"], return_dropped=True)
    >>> px["date"].max().date(), sorted(dropped["ticker"])
    (datetime.date(2026, 7, 13), ['NTR', 'SPY'])
    """
    if path is None and captured_at is None:
        out, drop = cached("equity_prices", with_dropped=True)
    else:
        cap = None
        if captured_at is not None:
            cap = pd.Timestamp(captured_at)
            cap = cap.tz_localize("America/New_York") if cap.tzinfo is None else cap
        out, drop = _build_equity(path, cap)
    if tickers is not None:
        want = [tickers] if isinstance(tickers, str) else list(tickers)
        have = set(out["ticker"])
        unknown = [t for t in want if t not in have]
        if unknown:
            raise ValueError(f"unknown ticker(s) {unknown}; available: {', '.join(sorted(have))}")
        out = out[out["ticker"].isin(want)].reset_index(drop=True)
        drop = drop[drop["ticker"].isin(want)].reset_index(drop=True)
    validate(out, EQUITY, file="equity prices")
    return (out, drop) if return_dropped else out


def trading_calendar(ticker: str = "SPY") -> pd.DatetimeIndex:
    """Trading days of the shipped equity data: the dates of ``ticker`` (default SPY, NYSE).

    Parameters
    ----------
    ticker : str
        Ticker whose dates define the calendar.

    Returns
    -------
    DatetimeIndex
        The trading days (the partial last day of the snapshot excluded).

    Examples
    --------
    >>> cal = trading_calendar()
    >>> pd.Timestamp("2025-12-15") in cal, pd.Timestamp("2025-12-13") in cal
    (True, False)
    """
    px = load_equity_prices([ticker])
    return pd.DatetimeIndex(px["date"], name="date")


def to_returns(prices: pd.DataFrame, kind: Literal["simple", "log"] = "simple") -> pd.DataFrame:
    """Turn long prices into a wide frame of returns (date x ticker).

    Each ticker's return is computed between its own consecutive observed dates, so a return
    spanning several days (a missing day of that ticker) is attributed to the later date. No
    value is filled: a date a ticker did not trade is NaN, and its first date has no return.

    Parameters
    ----------
    prices : DataFrame
        ``date, ticker, adj_close`` as from :func:`load_equity_prices`.
    kind : {"simple", "log"}
        ``p_t / p_{t-1} - 1`` or ``log(p_t / p_{t-1})``.

    Returns
    -------
    DataFrame
        Index ``date``, one column per ticker (sorted), float returns.

    Raises
    ------
    PotashDataError
        A missing column, a duplicated (date, ticker), or a non-positive or missing price.

    Examples
    --------
    >>> px = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-05"]),
    ...                    "ticker": "A", "adj_close": [100.0, 110.0, 99.0]})
    >>> r = to_returns(px)
    >>> r.index.tolist()[0].date(), r["A"].round(4).tolist()
    (datetime.date(2024, 1, 3), [0.1, -0.1])
    """
    check_option("kind", kind, Literal["simple", "log"])
    missing = [c for c in ("date", "ticker", "adj_close") if c not in prices.columns]
    if missing:
        raise PotashDataError(f"missing column(s) {missing}", file="prices", column=missing[0])
    df = prices[["date", "ticker", "adj_close"]].copy()
    df["date"] = pd.to_datetime(df["date"])
    px = pd.to_numeric(df["adj_close"], errors="coerce")
    bad = px.isna() | (px <= 0)
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"price must be a positive number: {df['adj_close'].iloc[i]!r}",
                              file="prices", column="adj_close", row=df.index[i])
    df["adj_close"] = px.astype("float64")
    dup = df.duplicated(["date", "ticker"])
    if dup.any():
        i = dup.to_numpy().nonzero()[0][0]
        raise PotashDataError(
            f"duplicated (date, ticker) = ({df['date'].iloc[i].date()}, {df['ticker'].iloc[i]})",
            file="prices", column="date+ticker", row=df.index[i])
    df = df.sort_values(["ticker", "date"], kind="mergesort")
    prev = df.groupby("ticker", sort=False)["adj_close"].shift(1)
    ratio = df["adj_close"] / prev
    df["ret"] = np.log(ratio) if kind == "log" else ratio - 1.0
    df = df[prev.notna()]
    wide = df.pivot(index="date", columns="ticker", values="ret").sort_index()
    wide = wide.reindex(columns=sorted(wide.columns))
    wide.index.name = "date"
    wide.columns.name = "ticker"
    return wide


register("equity_prices", _build_equity, files("yahoo_adjclose_dsturdy", pattern="*.csv"))
