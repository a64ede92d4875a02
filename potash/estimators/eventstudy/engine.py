"""Windows, alignment and the normal-return models of the returns event study.

Everything is stacked into 3-D arrays (events x securities x days, NaN-masked) and solved in
batch with NumPy: there is no Python loop over security-event pairs on the hot path.

Layout
------
``E`` events (unique ``event_id``) x ``S`` securities. A pair ``(e, s)`` is *requested* when the
events table asks for it (all securities when it has no ``security`` column). Each pair has a
trading event day ``t0`` (a position in the trading calendar = the index of ``returns``), an
estimation window of positions ``est_start .. est_start + est_len - 1`` and an event window of
relative days ``day_min .. day_max`` (masked per pair when windows are given as calendar dates).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option

Model = Literal["constant_mean", "market_adjusted", "market", "factor", "augmented"]
Convention = Literal["textbook", "estudy2"]
NonTrading = Literal["next", "previous", "raise"]

__all__ = ["Model", "Convention", "NonTrading", "prepare", "Prepared"]


# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------
def _as_datetime_index(index: pd.Index, table: str) -> pd.DatetimeIndex:
    try:
        out = pd.DatetimeIndex(pd.to_datetime(index))
    except (ValueError, TypeError) as exc:
        raise PotashDataError(
            f"the index must hold dates (could not parse: {exc})", file=table, column="index"
        ) from None
    if out.tz is not None:
        raise PotashDataError(
            f"the index has timezone {out.tz}: give timezone-naive trading dates "
            "(for example .tz_convert('America/New_York').tz_localize(None))",
            file=table,
            column="index",
        )
    if out.hasnans:
        pos = int(np.flatnonzero(out.isna())[0])
        raise PotashDataError("missing date in the index", file=table, column="index", row=pos)
    dup = out.duplicated()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise PotashDataError(
            f"duplicate date {out[pos].date()} in the index", file=table, column="index", row=pos
        )
    return out


def _str_columns(columns: pd.Index) -> pd.Index | list[str]:
    """The column labels as strings (``str(c)`` of each); a string index is converted at once."""
    if isinstance(columns.dtype, pd.StringDtype) and not columns.hasnans:
        return columns.astype(str)
    return [str(c) for c in columns]


def _numeric_frame(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return ``frame`` as float64, or raise naming the first non-numeric cell."""
    if all(
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
        for t in set(frame.dtypes)
    ):
        fast = pd.DataFrame(frame.to_numpy(dtype="float64", na_value=np.nan), index=frame.index)
        fast.columns = _str_columns(frame.columns)
        return fast
    out = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_bool_dtype(values):
            raise PotashDataError("boolean values are not returns", file=table, column=str(col))
        if pd.api.types.is_numeric_dtype(values):
            out[col] = values.astype("float64")
            continue
        coerced = pd.to_numeric(values, errors="coerce")
        bad = coerced.isna() & values.notna()
        if bad.any():
            label = values.index[np.flatnonzero(bad.to_numpy())[0]]
            row = label.date() if isinstance(label, pd.Timestamp) else label
            raise PotashDataError(
                f"not a number: {values.loc[label]!r}", file=table, column=str(col), row=str(row)
            )
        out[col] = coerced.astype("float64")
    result = pd.DataFrame(out, index=frame.index)
    result.columns = _str_columns(frame.columns)
    return result


def _check_returns(returns: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The returns as a float64 frame on sorted dates, and the rows holding a missing value.

    One pass over the values (``np.isfinite``) serves the infinity check, the price check and
    the fast path of :func:`fit_models`: the second item is ``None`` when every value is
    finite, else a boolean per date (row) that has a missing value.
    """
    if isinstance(returns, pd.Series):
        returns = returns.to_frame(name=returns.name if returns.name is not None else "security")
    if not isinstance(returns, pd.DataFrame):
        raise TypeError(f"returns must be a wide DataFrame (date x security), got {type(returns)}")
    if returns.shape[1] == 0 or returns.shape[0] == 0:
        raise PotashDataError("no data (empty table)", file="returns")
    if returns.columns.duplicated().any():
        dup = returns.columns[returns.columns.duplicated()][0]
        raise PotashDataError("duplicate security column", file="returns", column=str(dup))
    frame = _numeric_frame(returns, "returns")
    frame.index = _as_datetime_index(returns.index, "returns")
    if not frame.index.is_monotonic_increasing:
        warnings.warn(
            "returns: the dates are not in increasing order; sorted them", UserWarning, stacklevel=4
        )
        frame = frame.sort_index()
    values = frame.to_numpy()
    finite = np.isfinite(values)
    all_finite = bool(finite.all())
    if not all_finite:
        inf = np.isinf(values)
        if inf.any():
            r, c = np.argwhere(inf)[0]
            raise PotashDataError(
                "infinite return",
                file="returns",
                column=frame.columns[c],
                row=str(frame.index[r].date()),
            )
    _refuse_prices(frame, "returns", finite=True if all_finite else finite)
    return frame, None if all_finite else ~finite.all(axis=1)


def _refuse_prices(
    frame: pd.DataFrame, table: str, finite: np.ndarray | bool | None = None
) -> None:
    """A column of only positive values with median above 1 is a price, not a return.

    ``finite`` is ``np.isfinite`` of the values when the caller has it (``True``: all finite).
    The columns are checked at once; the first offending column (in column order) is named.
    """
    values = frame.to_numpy()
    if finite is None:
        finite = np.isfinite(values)
        if finite.all():
            finite = True
    # a column with a finite value <= 0 in its first rows is no price: only the others are
    # scanned in full (for returns, usually none)
    head = values[:64]
    nonpos = head <= 0
    if finite is not True:
        nonpos &= finite[:64]
    cols = np.flatnonzero(~nonpos.any(axis=0))
    if not len(cols):
        return
    values = values[:, cols]
    if finite is True:
        n_finite = np.full(len(cols), values.shape[0])
        positive = ~(values <= 0).any(axis=0)
    else:
        finite = finite[:, cols]
        n_finite = finite.sum(axis=0)
        positive = ~((values <= 0) & finite).any(axis=0)
    keep = np.flatnonzero((n_finite >= 5) & positive)
    if not len(keep):
        return
    cand = cols[keep]
    sub = values[:, keep]
    if finite is True:
        median = np.median(sub, axis=0)
    else:
        median = np.nanmedian(np.where(finite[:, keep], sub, np.nan), axis=0)
    hit = np.flatnonzero(median > 1.0)
    if len(hit):
        i = hit[0]
        raise PotashDataError(
            f"these look like prices, not returns (all {int(n_finite[keep[i]])} values positive, "
            f"median {float(median[i]):.4g}): convert them with potash.to_returns(prices)",
            file=table,
            column=str(frame.columns[cand[i]]),
        )


def _refuse_degenerate_regressors(mkt: pd.DataFrame) -> None:
    """A constant regressor, or one a combination of the others, is an error naming it."""
    arr = mkt.to_numpy(dtype=float)
    ok = np.isfinite(arr).all(axis=1)
    if ok.sum() == 0:
        raise PotashDataError("the market has no value on the returns' dates", file="market")
    arr = arr[ok]
    for j, col in enumerate(mkt.columns):
        if np.ptp(arr[:, j]) == 0:
            raise ValueError(
                f"the regressor {col!r} is constant ({float(arr[0, j])!r}) on the returns' dates: the "
                "normal-return model cannot separate it from the intercept; drop it or use "
                "model='constant_mean'"
            )
    design = np.column_stack([np.ones(len(arr)), arr - arr.mean(axis=0)])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        for j in range(1, design.shape[1]):
            if np.linalg.matrix_rank(design[:, : j + 1]) < j + 1:
                raise ValueError(
                    f"the regressor {mkt.columns[j - 1]!r} is collinear with the regressors "
                    f"before it {list(mkt.columns[: j - 1])} (and the intercept): drop it"
                )


def _check_market(
    market: pd.Series | pd.DataFrame | None, model: str, regressors: pd.DataFrame | None
) -> pd.DataFrame | None:
    if model == "constant_mean":
        return None
    if market is None:
        raise ValueError(f"model={model!r} needs `market` (a Series, or a DataFrame of factors)")
    if isinstance(market, pd.Series):
        market = market.to_frame(name=market.name if market.name is not None else "market")
    if not isinstance(market, pd.DataFrame):
        raise TypeError(f"market must be a Series or a DataFrame, got {type(market)}")
    if market.shape[1] == 0:
        raise PotashDataError("no factor columns", file="market")
    frame = _numeric_frame(market, "market")
    frame.index = _as_datetime_index(market.index, "market")
    if model != "factor":
        _refuse_prices(frame, "market")
    if model in ("market", "market_adjusted") and frame.shape[1] != 1:
        raise ValueError(
            f"model={model!r} takes one market series; got {frame.shape[1]} columns "
            "(use model='factor' for several factors)"
        )
    if model == "augmented":
        if regressors is None or not isinstance(regressors, pd.DataFrame) or regressors.empty:
            raise ValueError("model='augmented' needs `regressors`: a DataFrame of extra columns")
        extra = _numeric_frame(regressors, "regressors")
        extra.index = _as_datetime_index(regressors.index, "regressors")
        clash = set(extra.columns) & set(frame.columns)
        if clash:
            raise ValueError(f"regressors repeat market columns: {sorted(clash)}")
        frame = frame.join(extra, how="outer")
    elif regressors is not None:
        raise ValueError("`regressors` is only used with model='augmented'")
    if not frame.index.is_monotonic_increasing:
        warnings.warn(
            "market: the dates are not in increasing order; sorted them", UserWarning, stacklevel=4
        )
    return frame.sort_index()


def _years_between(values: np.ndarray, first: int, last: int) -> bool:
    """Whether the calendar year of every date (``datetime64``, NaT ignored) is in range."""
    years = values[~np.isnat(values)].astype("datetime64[Y]").astype(np.int64) + 1970
    return bool(((years >= first) & (years <= last)).all())


def _parse_event_dates(values: Sequence[Any]) -> tuple[pd.Series, np.ndarray]:
    """Parse event dates; a timezone-aware date is read as its local (wall-clock) date.

    Returns the naive dates (NaT where unreadable) and a note per date ("" when nothing moved),
    so that the conversion is recorded in ``data_quality["event_date_note"]``.
    """
    notes = np.full(len(values), "", dtype=object)
    ser = pd.Series(list(values), dtype=object)
    try:
        parsed = pd.to_datetime(ser, errors="coerce")
        naive = isinstance(parsed.dtype, np.dtype) and parsed.dtype.kind == "M"
    except (ValueError, TypeError):
        naive = False
    if (
        naive
        and not any(getattr(v, "tzinfo", None) is not None for v in values)
        and _years_between(parsed.to_numpy(), 1678, 2261)
    ):
        return parsed.astype("datetime64[ns]"), notes
    out = []
    for i, v in enumerate(values):
        try:
            ts = pd.Timestamp(v)
        except (ValueError, TypeError, OverflowError):
            out.append(pd.NaT)
            continue
        if ts is pd.NaT:
            out.append(pd.NaT)
            continue
        if not 1678 <= ts.year <= 2261:
            raise PotashDataError(
                f"date {v!r} is out of range (pandas holds dates from 1678 to 2261)",
                file="events",
                column="date",
                row=i + 1,
            )
        if ts.tzinfo is not None:
            local = ts.tz_localize(None)
            notes[i] = (
                f"timezone-aware {ts.isoformat()} read as its local date {local.date()} "
                f"(in UTC: {ts.tz_convert('UTC').date()})"
            )
            ts = local
        out.append(ts)
    res = pd.to_datetime(pd.Series(out, dtype=object), errors="coerce")
    if notes.any():
        warnings.warn(
            "events: timezone-aware dates were read as their local dates; see "
            "data_quality['event_date_note']",
            UserWarning,
            stacklevel=5,
        )
    return res, notes


def _grid_codes(n_ev: int, n_sec: int) -> dict[str, _Col]:
    """Event and security codes of the full (events x securities) grid, event-major."""
    return {
        "_e": np.repeat(np.arange(n_ev, dtype=np.int64), n_sec).view(_Col),
        "_s": np.tile(np.arange(n_sec, dtype=np.int64), n_ev).view(_Col),
    }


def _normalise_events(
    events: Any, securities: Sequence[str]
) -> tuple[_Pairs, list[str], np.ndarray, np.ndarray]:
    """Return the requested pairs, the event ids in order, and the pairs' dates as codes.

    The pairs have columns ``event_id, security, date, date_note`` and the integer codes
    ``_e, _s`` into the event and security axes; they are built with ``np.repeat`` /
    ``np.tile`` and codes (no loop over pairs). The last two items are distinct dates and a
    code per pair with ``pairs["date"] == dates[codes]`` (one date per event when every
    security is studied), so that dates are moved to trading days once per date.
    """
    if isinstance(events, (str, pd.Timestamp, np.datetime64)) or hasattr(events, "isoformat"):
        events = [events]
    if not isinstance(events, pd.DataFrame):
        # a list of dates: parse at once; one event per date, every security
        dates_in = list(events)
        if not dates_in:
            raise ValueError("events is empty")
        parsed_l, notes_l = _parse_event_dates(dates_in)
        if parsed_l.isna().any():
            row = int(np.flatnonzero(parsed_l.isna().to_numpy())[0])
            raise PotashDataError(
                f"not a date: {dates_in[row]!r}", file="events", column="date", row=row + 1
            )
        # midnight of each date (datetime64 casts floor), its ISO date as the event id
        day = parsed_l.to_numpy().astype("datetime64[D]")
        ids = np.datetime_as_string(day, unit="D").astype(object)
        dup = np.ones(len(day), dtype=bool)
        dup[np.unique(day, return_index=True)[1]] = False  # all but first occurrences
        if dup.any():
            row = int(np.flatnonzero(dup)[0])
            raise PotashDataError(
                f"duplicate event_id {ids[row]!r}", file="events", column="event_id", row=row + 1
            )
        n_sec = len(securities)
        ev_dates = day.astype("datetime64[ns]")
        pairs = _Pairs(
            event_id=np.repeat(ids, n_sec).view(_Col),
            security=np.tile(np.asarray(securities, dtype=object), len(ids)).view(_Col),
            date=np.repeat(ev_dates, n_sec).view(_Col),
            date_note=np.repeat(notes_l, n_sec).view(_Col),
            **_grid_codes(len(ids), n_sec),
        )
        return pairs, list(ids), ev_dates, pairs["_e"].to_numpy()
    if isinstance(events, pd.DataFrame):
        frame = events.copy()
        if "date" not in frame.columns:
            raise PotashDataError("events need a 'date' column", file="events", column="date")
        if "event_id" not in frame.columns:
            frame["event_id"] = [
                str(d.date()) if pd.notna(d) else str(v)
                for d, v in zip(
                    _parse_event_dates(list(frame["date"]))[0], frame["date"], strict=True
                )
            ]
    else:
        dates = list(events)
        if not dates:
            raise ValueError("events is empty")
        frame = pd.DataFrame({"date": dates})
        frame["event_id"] = [str(pd.Timestamp(d).date()) for d in pd.to_datetime(frame["date"])]
    frame = frame.reset_index(drop=True)
    parsed, notes = _parse_event_dates(list(frame["date"]))
    parsed.index = frame.index
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise PotashDataError(
            f"not a date: {frame['date'].iloc[row]!r}", file="events", column="date", row=row + 1
        )
    frame["date"] = parsed.dt.normalize()
    frame["event_id"] = frame["event_id"].astype(str)
    if "security" in frame.columns:
        frame["security"] = frame["security"].astype(str)
        known = set(securities)
        unknown = ~frame["security"].isin(known)
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise PotashDataError(
                f"security {frame['security'].iloc[row]!r} is not a column of returns "
                f"(columns: {', '.join(securities)})",
                file="events",
                column="security",
                row=row + 1,
            )
        dup = frame.duplicated(["event_id", "security"])
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            raise PotashDataError(
                "duplicate (event_id, security) pair", file="events", column="event_id", row=row + 1
            )
    else:
        if frame["event_id"].duplicated().any():
            row = int(np.flatnonzero(frame["event_id"].duplicated().to_numpy())[0])
            raise PotashDataError(
                f"duplicate event_id {frame['event_id'].iloc[row]!r}",
                file="events",
                column="event_id",
                row=row + 1,
            )
        n_ev, n_sec = len(frame), len(securities)
        ids = frame["event_id"].to_numpy(dtype=object)
        ev_dates = frame["date"].to_numpy(dtype="datetime64[ns]")
        pairs = _Pairs(
            event_id=np.repeat(ids, n_sec).view(_Col),
            security=np.tile(np.asarray(securities, dtype=object), n_ev).view(_Col),
            date=np.repeat(ev_dates, n_sec).view(_Col),
            date_note=np.repeat(notes, n_sec).view(_Col),
            **_grid_codes(n_ev, n_sec),
        )
        return pairs, list(ids), ev_dates, pairs["_e"].to_numpy()
    ids = frame["event_id"].to_numpy(dtype=object)
    sec = frame["security"].to_numpy(dtype=object)
    e_codes, uniques = pd.factorize(ids)  # codes in order of first appearance
    s_codes = pd.Index(securities, dtype=object).get_indexer(sec)
    pair_dates = frame["date"].to_numpy(dtype="datetime64[ns]")
    pairs = _Pairs(
        event_id=ids.view(_Col),
        security=sec.view(_Col),
        date=pair_dates.view(_Col),
        date_note=np.asarray(notes, dtype=object).view(_Col),
        _e=np.asarray(e_codes, dtype=np.int64).view(_Col),
        _s=np.asarray(s_codes, dtype=np.int64).view(_Col),
    )
    return pairs, list(uniques), pair_dates, np.arange(len(pair_dates))


class _Col(np.ndarray):
    """A numpy column that also answers the few pandas calls the engine makes."""

    def to_numpy(self, dtype: Any = None) -> np.ndarray:
        return np.asarray(self, dtype=dtype)

    @property
    def iloc(self) -> np.ndarray:
        return np.asarray(self)


class _Pairs(dict):
    """Columns of the requested security-event pairs as numpy arrays (no DataFrame overhead)."""

    def assign(self, **cols: Any) -> _Pairs:
        out = _Pairs(self)
        for k, v in cols.items():
            arr = v.to_numpy() if isinstance(v, pd.Index | pd.Series) else np.asarray(v)
            out[k] = arr.view(_Col)
        return out


# --------------------------------------------------------------------------------------------
# windows
# --------------------------------------------------------------------------------------------
def _is_relative(window: Any) -> bool:
    return (
        isinstance(window, tuple | list)
        and len(window) == 2
        and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in window)
    )


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(
        v, bool | np.bool_
    )


def _normalise_window(window: Any, name: str) -> Any:
    """Offsets as Python ints: (-250.0, -11.0) is (-250, -11), never two epoch dates.

    A fractional or non-finite offset is an error naming the argument.
    """
    if isinstance(window, tuple | list) and len(window) == 2 and any(_is_number(v) for v in window):
        if not all(_is_number(v) for v in window):
            raise ValueError(
                f"{name}: mixes a number and a non-number {tuple(window)!r}; give two trading-day "
                "offsets like (-250, -11) or two dates"
            )
        out = []
        for v in window:
            f = float(v)
            if not np.isfinite(f) or f != int(f):
                raise ValueError(
                    f"{name}: offset {v!r} is not a whole number of trading days; give two "
                    "integers like (-250, -11)"
                )
            out.append(int(f))
        return tuple(out)
    return window


def _as_date_pair(window: Any, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if not isinstance(window, tuple | list) or len(window) != 2:
        raise ValueError(
            f"{name} must be (start, end): two trading-day offsets like (-250, -11) or two dates; "
            f"got {window!r}"
        )
    try:
        start, end = (pd.Timestamp(v).normalize() for v in window)
    except (ValueError, TypeError):
        raise ValueError(f"{name}: cannot read {window!r} as two dates or two integers") from None
    if start > end:
        raise ValueError(f"{name}: start {start.date()} is after end {end.date()}")
    return start, end


def _window_positions(
    window: Any,
    name: str,
    event_ids: list[str],
    e_idx: np.ndarray,
    t0: np.ndarray,
    calendar: pd.DatetimeIndex,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Return per-pair (first position, last position) of a window and whether it is relative.

    A relative window moves with the (shifted) trading event day. A pair of dates is the same for
    every event; a mapping ``{event_id: (start, end)}`` gives explicit dates per event. Dates
    are looked up once per event and spread to the pairs by their event code ``e_idx``.
    """
    if _is_relative(window):
        lo, hi = int(window[0]), int(window[1])
        if lo > hi:
            raise ValueError(f"{name}: start {lo} is after end {hi}")
        return t0 + lo, t0 + hi, True
    if isinstance(window, Mapping):
        missing = sorted(set(event_ids) - {str(k) for k in window})
        if missing:
            raise ValueError(f"{name}: no window given for event(s) {missing}")
        table = {str(k): _as_date_pair(v, f"{name}[{k!r}]") for k, v in window.items()}
        starts = pd.DatetimeIndex([table[e][0] for e in event_ids])  # one per event
        ends = pd.DatetimeIndex([table[e][1] for e in event_ids])
    else:
        start, end = _as_date_pair(window, name)
        starts = pd.DatetimeIndex([start] * len(event_ids))
        ends = pd.DatetimeIndex([end] * len(event_ids))
    first = calendar.searchsorted(starts, side="left").astype(np.int64)[e_idx]
    last = calendar.searchsorted(ends, side="right").astype(np.int64)[e_idx] - 1
    return first, last, False


def _dates_at(calendar: pd.DatetimeIndex, pos: np.ndarray, ok: np.ndarray) -> pd.DatetimeIndex:
    """``calendar[pos]`` where ``ok``, NaT elsewhere (vectorised)."""
    values = calendar.to_numpy()[np.clip(pos, 0, len(calendar) - 1)].copy()
    values[~np.asarray(ok, dtype=bool)] = np.datetime64("NaT")
    return pd.DatetimeIndex(values)


# --------------------------------------------------------------------------------------------
# the prepared, stacked problem
# --------------------------------------------------------------------------------------------
@dataclass
class Prepared:
    """The stacked arrays and bookkeeping of one event study (internal)."""

    calendar: pd.DatetimeIndex
    event_ids: list[str]
    securities: list[str]
    factor_names: list[str]
    model: str
    convention: str
    requested: np.ndarray  # (E, S) bool
    t0: np.ndarray  # (E, S) int, -1 when outside
    days: np.ndarray  # (T,) relative event days
    est_first: np.ndarray  # (E, S) first calendar position of the estimation window
    est_mask: np.ndarray  # (E, S, L) bool: inside window and inside data
    evt_mask: np.ndarray  # (E, S, T)
    y_est_: np.ndarray | None  # (E, S, L) NaN-masked; None until needed (see ``y_est``)
    x_est: np.ndarray  # (E, S or 1, L, k): 1 when shared by all securities of an event
    y_evt: np.ndarray  # (E, S, T)
    x_evt: np.ndarray  # (E, S or 1, T, k)
    market_full_est: np.ndarray | None  # (E, S or 1, L) market on every window day (estudy2)
    pairs: pd.DataFrame  # requested pairs with dates, shift, windows
    min_obs: int
    extra: dict[str, Any] = field(default_factory=dict)

    def est_blocks(self):
        """(event, (L, S) view of the returns) for the slice layout (a loop over events)."""
        R, L = self.extra["R"], self.extra["L"]
        for ei, a in enumerate(self.extra["slice_starts"]):
            yield ei, R[a : a + L]

    @property
    def y_est(self) -> np.ndarray:
        """Estimation-window returns stacked (E, S, L), built on first use."""
        if self.y_est_ is None:
            E, S, L = self.est_mask.shape
            out = np.empty((E, S, L))
            for ei, block in self.est_blocks():
                out[ei] = block.T
            self.y_est_ = out
        return self.y_est_


def prepare(
    returns: pd.DataFrame,
    market: pd.Series | pd.DataFrame | None,
    events: Any,
    *,
    estimation_window: Any,
    event_window: Any,
    model: str,
    convention: str,
    non_trading: str,
    min_estimation_obs: int | None,
    regressors: pd.DataFrame | None = None,
    mask_events: bool = False,
    mask_dates: Any = None,
) -> Prepared:
    """Validate inputs, move event dates to trading days and stack all windows (internal).

    ``mask_events`` drops from every pair's estimation window the days of the other studied
    events' event windows (same security); ``mask_dates`` (dates) drops the event window
    (the hull of relative days) around each date, moved to the next trading day.
    """
    check_option("model", model, Model)
    check_option("convention", convention, Convention)
    check_option("non_trading", non_trading, NonTrading)
    estimation_window = _normalise_window(estimation_window, "estimation_window")
    event_window = _normalise_window(event_window, "event_window")
    rets, nan_rows = _check_returns(returns)
    securities = rets.columns.tolist()
    mkt = _check_market(market, model, regressors)
    if mkt is not None:
        sec_set = set(securities)
        both = [c for c in mkt.columns.tolist() if c in sec_set]
        if both:
            raise ValueError(
                f"{both[0]!r} is the market (or a factor) and also a security in returns: "
                f"drop the column {both[0]!r} from returns (a market cannot be abnormal against "
                "itself)"
            )
    calendar = rets.index
    if mkt is not None:
        common = calendar.intersection(mkt.index)
        if len(common) == 0:
            raise PotashDataError(
                f"returns ({calendar[0].date()}..{calendar[-1].date()}) and market "
                f"({mkt.index[0].date()}..{mkt.index[-1].date()}) share no dates",
                file="market",
            )
        mkt = mkt.reindex(calendar)
        if model != "market_adjusted":
            _refuse_degenerate_regressors(mkt)
    pairs, event_ids, u_dates, d_idx = _normalise_events(events, securities)
    e_idx, s_idx = pairs["_e"].to_numpy(), pairs["_s"].to_numpy()

    # -- event dates -> trading days (once per distinct date, spread by the codes d_idx) -----
    dates = pd.DatetimeIndex(u_dates)
    nxt = calendar.searchsorted(dates, side="left")
    prv = calendar.searchsorted(dates, side="right") - 1
    on_day = (nxt < len(calendar)) & (calendar[np.minimum(nxt, len(calendar) - 1)] == dates)
    outside_u = (dates < calendar[0]) | (dates > calendar[-1])
    off_day = (~on_day & ~outside_u)[d_idx]
    if non_trading == "raise" and off_day.any():
        row = int(np.flatnonzero(off_day)[0])
        raise PotashDataError(
            f"{dates[d_idx[row]].date()} is not a trading day (non_trading='raise')",
            file="events",
            column="date",
            row=row + 1,
        )
    pos_u = np.where(on_day, nxt, nxt if non_trading == "next" else prv).astype(np.int64)
    pos_u[outside_u] = -1
    trading_u = _dates_at(calendar, pos_u, pos_u >= 0)
    shift_u = np.where(
        pos_u >= 0, (trading_u - dates).days.to_numpy(dtype="float64"), np.nan
    )
    pos, outside, trading_date = pos_u[d_idx], outside_u[d_idx], trading_u[d_idx]
    pairs = pairs.assign(
        trading_date=trading_date,
        shift_days=shift_u[d_idx],
        event_outside_data=outside,
    )
    t0 = np.where(pos >= 0, pos, 0)

    # -- windows -----------------------------------------------------------------------------
    e_first, e_last, e_rel = _window_positions(
        event_window, "event_window", event_ids, e_idx, t0, calendar
    )
    s_first, s_last, s_rel = _window_positions(
        estimation_window, "estimation_window", event_ids, e_idx, t0, calendar
    )
    if e_rel and s_rel and estimation_window[1] >= event_window[0]:
        raise ValueError(
            f"estimation_window {tuple(estimation_window)} must end before event_window "
            f"{tuple(event_window)} starts"
        )
    if not e_rel:
        # an explicit event window must contain the (shifted) event day
        bad = ~outside & ((e_first > pos) | (e_last < pos))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"event_window does not contain the trading event day "
                f"{trading_date[row].date()} of event {pairs['event_id'].iloc[row]!r}"
            )
    clash = ~outside & (s_last >= e_first) & (s_first <= e_last)
    if clash.any():
        row = int(np.flatnonzero(clash)[0])
        raise ValueError(
            f"estimation window overlaps the event window of event {pairs['event_id'].iloc[row]!r}"
            " (the estimation window must precede the event window)"
        )

    rel_lo = np.where(outside, 0, e_first - t0)
    rel_hi = np.where(outside, 0, e_last - t0)
    days = np.arange(int(rel_lo.min()), int(rel_hi.max()) + 1)
    est_len = np.maximum(s_last - s_first + 1, 0)
    nominal = int(est_len.max()) if len(est_len) else 0
    L = max(nominal, 1)

    # -- the (E, S) grid ---------------------------------------------------------------------
    E, S, T = len(event_ids), len(securities), len(days)
    requested = np.zeros((E, S), dtype=bool)
    requested[e_idx, s_idx] = True

    def grid(values: np.ndarray, fill: Any) -> np.ndarray:
        out = np.full((E, S), fill, dtype=np.asarray(values).dtype)
        out[e_idx, s_idx] = values
        return out

    g_t0 = grid(np.where(outside, -1, t0), -1)
    g_sfirst = grid(s_first, 0)
    g_slen = grid(np.where(outside, 0, est_len), 0)
    g_rlo = grid(rel_lo, 0)
    g_rhi = grid(rel_hi, -1)
    g_ok = grid(~outside, False)

    n_cal = len(calendar)
    use = (g_ok & requested)[:, :, None]
    off_l = np.arange(L)[None, None, :]
    # offset l of the estimation window is usable when it lies inside the window and the data
    lo = np.maximum(-g_sfirst, 0)[:, :, None]
    hi = np.minimum(g_slen, n_cal - g_sfirst)[:, :, None]
    est_full = bool((lo == 0).all() and (hi == L).all() and use.all())
    est_mask = (
        np.broadcast_to(np.True_, (E, S, L)) if est_full else (off_l >= lo) & (off_l < hi) & use
    )
    masked = np.zeros((E, S), dtype=np.int64)
    if not isinstance(mask_events, bool | np.bool_):
        raise ValueError(f"mask_events must be True or False, got {mask_events!r}")
    if mask_events or mask_dates is not None:
        # calendar days covered by an event window, per security (a difference array)
        diff = np.zeros((S, n_cal + 1), dtype=np.int64)
        if mask_events:
            okp = ~outside
            np.add.at(diff, (s_idx[okp], np.clip(e_first[okp], 0, n_cal)), 1)
            np.add.at(diff, (s_idx[okp], np.clip(e_last[okp] + 1, 0, n_cal)), -1)
        if mask_dates is not None:
            md = pd.to_datetime(pd.Series(list(np.atleast_1d(mask_dates)), dtype=object))
            if md.isna().any():
                raise ValueError("mask_dates holds a value that is not a date")
            mpos = calendar.searchsorted(pd.DatetimeIndex(md).normalize(), side="left")
            lo_m = np.clip(mpos + int(days.min()), 0, n_cal)
            hi_m = np.clip(mpos + int(days.max()) + 1, 0, n_cal)
            np.add.at(diff, (slice(None), lo_m), 1)
            np.add.at(diff, (slice(None), hi_m), -1)
        cover = np.cumsum(diff[:, :n_cal], axis=1) > 0  # (S, n_cal)
        est_pos_m = np.clip(g_sfirst[:, :, None] + off_l, 0, n_cal - 1)
        hit = cover[np.arange(S)[None, :, None], est_pos_m] & est_mask
        if hit.any():
            masked = hit.sum(axis=-1)
            est_mask = np.asarray(est_mask) & ~hit
            est_full = False
    t0c = np.maximum(g_t0, 0)[:, :, None]
    # when every security of an event has the same windows (the usual case) the design is
    # gathered once per event, shape (E, 1, days, k), and broadcast over securities
    shared = bool(
        requested.all()
        and all((g == g[:, :1]).all() for g in (g_t0, g_sfirst, g_slen, g_rlo, g_rhi, g_ok))
    )
    xs = slice(0, 1) if shared else slice(None)
    evt_mask = (
        (days[None, None, :] >= np.maximum(g_rlo[:, xs], -g_t0[:, xs])[:, :, None])
        & (days[None, None, :] <= np.minimum(g_rhi[:, xs], n_cal - 1 - g_t0[:, xs])[:, :, None])
        & use[:, xs]
    )
    if shared:  # one row of days per event, copied to every security
        evt_mask = np.broadcast_to(evt_mask, (E, S, T)).copy()
    R = rets.to_numpy()
    if (
        (est_full or bool((est_mask.all(axis=2) == use[..., 0]).all()))
        and requested.all()
        and bool((g_sfirst == g_sfirst[:, :1]).all())
    ):
        # every window inside the data and shared by the securities of an event: one
        # contiguous slice per event (a loop over events, not over security-event pairs)
        # the model works on views of R; the stacked copy is built only when needed
        y_est = None
        slice_starts = g_sfirst[:, 0].astype(int)
    else:
        slice_starts = None
        est_pos = np.clip(g_sfirst[:, :, None] + off_l, 0, n_cal - 1)
        y_est = np.where(est_mask, R[est_pos, np.arange(S)[None, :, None]], np.nan)
    if shared and bool(evt_mask.all()):
        # every event window inside the data and the same for the securities of an event:
        # the (S, T) block of event e is rows t0 + days of R, transposed (a window view)
        evt_pos = None
        windows = np.lib.stride_tricks.sliding_window_view(R, T, axis=0)  # (n_cal-T+1, S, T)
        y_evt = windows[g_t0[:, 0] + int(days[0])]
    else:
        evt_pos = np.clip(t0c + days[None, None, :], 0, n_cal - 1)
        y_evt = np.where(evt_mask, R[evt_pos, np.arange(S)[None, :, None]], np.nan)
    if mkt is not None:
        X = mkt.to_numpy()
        factor_names = list(mkt.columns)
        est_pos_x = np.clip(g_sfirst[:, xs, None] + off_l, 0, n_cal - 1)
        x_est = np.where(est_mask[:, xs, :, None], X[est_pos_x], np.nan)
        evt_pos_x = (
            evt_pos[:, xs]
            if evt_pos is not None
            else np.clip(t0c[:, xs] + days[None, None, :], 0, n_cal - 1)
        )
        x_evt = np.where(evt_mask[:, xs, :, None], X[evt_pos_x], np.nan)
        market_full_est = x_est[..., 0]
    else:
        factor_names = []
        x_est = np.zeros((E, 1, L, 0))
        x_evt = np.zeros((E, 1, T, 0))
        market_full_est = None

    n_params = {"constant_mean": 1, "market_adjusted": 0, "market": 2}.get(
        model, 1 + len(factor_names)
    )
    if min_estimation_obs is None:
        min_obs = max(n_params + 3, int(np.ceil(0.5 * nominal)))
    else:
        if int(min_estimation_obs) < n_params + 3:
            raise ValueError(
                f"min_estimation_obs={min_estimation_obs} is too small for model={model!r}: "
                f"need at least {n_params + 3} (the Patell variance needs M - k - 2 > 0)"
            )
        min_obs = int(min_estimation_obs)

    pairs = pairs.assign(
        estimation_start=_dates_at(
            calendar, np.maximum(s_first, 0), ~outside & (est_len > 0) & (s_first < n_cal)
        ),
        estimation_end=_dates_at(calendar, np.minimum(s_last, n_cal - 1), ~outside & (s_last >= 0)),
        estimation_days=est_len,
        event_start=_dates_at(calendar, np.clip(e_first, 0, n_cal - 1), ~outside),
        event_end=_dates_at(calendar, np.clip(e_last, 0, n_cal - 1), ~outside),
    )
    return Prepared(
        calendar=calendar,
        event_ids=event_ids,
        securities=securities,
        factor_names=factor_names,
        model=model,
        convention=convention,
        requested=requested,
        t0=g_t0,
        days=days,
        est_first=g_sfirst,
        est_mask=est_mask,
        evt_mask=evt_mask,
        y_est_=y_est,
        x_est=x_est,
        y_evt=y_evt,
        x_evt=x_evt,
        market_full_est=market_full_est,
        pairs=pairs,
        min_obs=min_obs,
        extra={
            "n_params": n_params,
            "relative_estimation": s_rel,
            "relative_event": e_rel,
            "rel_lo": np.where(requested & g_ok, g_rlo, 0),
            "rel_hi": np.where(requested & g_ok, g_rhi, -1),
            "est_len": g_slen,
            "est_full": est_full,
            "masked": masked,
            "slice_starts": slice_starts,
            "R": R,
            "L": L,
            "nan_rows": nan_rows,
        },
    )


# --------------------------------------------------------------------------------------------
# normal-return models, batched
# --------------------------------------------------------------------------------------------
@dataclass
class Fit:
    """Batched model estimates (internal)."""

    params: np.ndarray  # (E, S, k) [alpha, betas...]; market-adjusted: [0, 1]
    xtx_inv: np.ndarray  # (E, S, k, k) of the design with intercept (NaN where not fitted)
    n_obs: np.ndarray  # (E, S)
    sigma2: np.ndarray  # (E, S) residual variance (convention's df)
    ar_est: np.ndarray  # (E, S, L) estimation-window residuals, NaN-masked
    ar_evt: np.ndarray  # (E, S, T)
    h_evt: np.ndarray  # (E, S, T) leverage x_t'(X'X)^-1 x_t of the event days
    h_car: np.ndarray  # (E, S) i'X*(X'X)^-1X*'i over the event window
    k: int  # number of estimated parameters
    valid_est: np.ndarray  # (E, S, L)
    fit_intercept: np.ndarray | None = None  # intercept on the centred regressors
    x_centre: np.ndarray | None = None  # centre of the regressors (E, S|1, 1, f)


def _wsum(w: np.ndarray | None, x: np.ndarray, S: int = 1) -> np.ndarray:
    """sum_l w[e, s, l] * x[e, s|0, l, f] -> (E, S, f); x may be shared over securities.

    ``w=None`` means all weights are one (complete data).
    """
    if w is None:
        out = x.sum(axis=2)
        return np.broadcast_to(out, (x.shape[0], S, x.shape[-1])) if out.shape[1] == 1 else out
    if x.shape[1] == 1 and w.shape[1] != 1:
        return np.matmul(w, x[:, 0])
    return np.einsum("esl,eslf->esf", w, x)


def _centred(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Regressors (E, S|1, L, f) -> (their mean over the finite days, x - mean with NaN as 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        cnt = np.isfinite(x).sum(axis=2, keepdims=True)
        c = np.nansum(x, axis=2, keepdims=True) / np.maximum(cnt, 1)  # (E, S|1, 1, f)
        xc = np.nan_to_num(x - c)  # NaN days are masked by the weights
    return c, xc


def _xbeta(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """x[e, s|0, l, f] @ beta[e, s, f] -> (E, S, L)."""
    if x.shape[1] == 1 and beta.shape[1] != 1:
        return np.matmul(beta, x[:, 0].transpose(0, 2, 1))
    return np.einsum("eslf,esf->esl", x, beta)


def fit_models(p: Prepared, residuals: bool = True) -> Fit:
    """Estimate the normal-return model for every pair at once (OLS via normal equations).

    The regressors are centred on their event-window mean before the sums of squares are
    accumulated, so the one-pass moments are accurate (checked against statsmodels to 1e-10).
    With ``residuals=False`` the estimation-window residual array is not built (the residual
    variance comes from the moments); :func:`estimation_residuals` adds it when the test
    statistics need it.
    """
    model = p.model
    E, S, L = p.est_mask.shape
    T = p.y_evt.shape[-1]
    lazy = p.y_est_ is None  # returns still in the calendar table: work on per-event views
    f = p.x_est.shape[-1] if model not in ("constant_mean", "market_adjusted") else 0
    x_ok = np.all(np.isfinite(p.x_est), axis=-1) if p.x_est.shape[-1] else True
    # fast path: every window inside the data and no missing value -> no masks at all
    complete = (
        bool(p.extra.get("est_full"))
        and (x_ok is True or bool(np.all(x_ok)))
        and not (_blocks_have_nan(p) if lazy else bool(np.isnan(p.y_est).any()))
    )
    lazy = (
        lazy
        and complete
        and p.x_est.shape[1] == 1
        and model not in ("constant_mean", "market_adjusted")
    )
    if complete:
        valid = np.broadcast_to(np.True_, (E, S, L))
        n = np.full((E, S), L)
    else:
        valid = p.est_mask & np.isfinite(p.y_est) & x_ok
        complete = bool(valid.all())
        n = valid.sum(axis=-1)
    w = None if complete else valid.astype(float)
    if lazy:
        # one visit per event block (a view of the return table, while it is in cache): its
        # sum, its cross-product with the centred regressors and its sum of squares
        y0 = None
        c, xc = _centred(p.x_est)
        ysum = np.empty((E, S))
        sxy_raw = np.empty((E, S, f))
        y2 = np.empty((E, S))
        xc_e = np.broadcast_to(xc, (E, 1) + xc.shape[2:])[:, 0]
        for ei, block in p.est_blocks():
            ysum[ei] = block.sum(axis=0)
            sxy_raw[ei] = block.T @ xc_e[ei]
            y2[ei] = np.einsum("ls,ls->s", block, block)
    else:
        y0 = p.y_est if complete else np.where(valid, p.y_est, 0.0)
        ysum = y0.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        nn = np.maximum(n, 1).astype(float)
        ybar = ysum / nn
        if model == "market_adjusted":
            k = 0
            resid = np.where(valid, p.y_est - p.x_est[..., 0], np.nan)
            params = np.zeros((E, S, 2))
            params[..., 1] = 1.0
            xtx_inv = np.full((E, S, 1, 1), np.nan)
            ar_evt = p.y_evt - p.x_evt[..., 0]
            h_evt = np.zeros((E, S, T))
            h_car = np.zeros((E, S))
        else:
            k = 1 + f
            if f:
                # complete data with the regressors shared by the securities of an event: the
                # regressor moments (and everything built only from them: (X'X)^-1, leverages)
                # are the same for every security, so they are computed once per event,
                # shape (E, 1, ...), and broadcast
                shared_x = complete and p.x_est.shape[1] == 1
                xs = slice(0, 1) if shared_x else slice(None)
                nx = nn[:, xs]  # (E, S|1)
                if not lazy:
                    c, xc = _centred(p.x_est)
                xx = (xc[..., :, None] * xc[..., None, :]).reshape(xc.shape[:3] + (f * f,))
                if shared_x:
                    sx = xc.sum(axis=2)  # (E, 1, f)
                    sxx_raw = xx.sum(axis=2).reshape(E, 1, f, f)
                else:
                    sx = _wsum(w, xc, S)  # (E, S, f)
                    sxx_raw = _wsum(w, xx, S).reshape(E, S, f, f)
                if not lazy:  # (lazy: sxy_raw and y2 come from the event blocks above)
                    sxy_raw = _wsum(y0, xc)
                    y2 = np.einsum("esl,esl->es", y0, y0)
                xbar = sx / nx[..., None]  # (E, S|1, f)
                sxx = sxx_raw - nx[..., None, None] * xbar[..., :, None] * xbar[..., None, :]
                sxy = sxy_raw - nn[..., None] * xbar * ybar[..., None]
                fitted = n[:, xs] >= k + 1
                safe = np.where(fitted[..., None, None], sxx, np.eye(f))
                if f == 1:
                    # one regressor: the inverse of the 1 x 1 centred sxx is 1 / sxx (bit for
                    # bit what np.linalg.inv returns), singular exactly when sxx is 0
                    if bool((safe == 0).any()):
                        raise np.linalg.LinAlgError("Singular matrix")
                    sxx_inv = 1.0 / safe
                else:
                    sxx_inv = np.linalg.inv(safe)
                sxx_inv_b = np.broadcast_to(sxx_inv, (E, S, f, f))
                xbar_b = np.broadcast_to(xbar, (E, S, f))
                beta = np.einsum("esfg,esg->esf", sxx_inv_b, sxy)
                a_c = ybar - np.einsum("esf,esf->es", xbar_b, beta)  # intercept, centred x
                alpha = a_c - np.einsum(
                    "esf,esf->es", np.broadcast_to(c[:, :, 0], xbar_b.shape), beta
                )
                # SSR from the moments: sum w (y - ybar)^2 - beta' sxy
                # (clipped at 0: an exact fit can round to a tiny negative number)
                ssr_m = np.maximum(y2 - nn * ybar**2 - np.einsum("esf,esf->es", beta, sxy), 0.0)
                resid = None
                if residuals:
                    resid = p.y_est - a_c[..., None] - _xbeta(xc, beta)
                    if not complete:
                        resid[~valid] = np.nan
                xe = p.x_evt - c  # (E, S|1, T, f)
                xe_ok = np.all(np.isfinite(xe), axis=-1)
                xe0 = xe if bool(xe_ok.all()) else np.nan_to_num(xe)
                ar_evt = p.y_evt - a_c[..., None]
                ar_evt -= _xbeta(xe0, beta)
                if xe0 is not xe:
                    ar_evt = np.where(xe_ok, ar_evt, np.nan)
                dx = xe0 - xbar[:, :, None, :]  # (E, S|1, T, f)
                h_evt = 1.0 / nx[..., None] + np.einsum("estf,esfg,estg->est", dx, sxx_inv, dx)
                evt_mask = np.broadcast_to(p.evt_mask, (E, S, T))
                # the same event days for every security: the CAR leverage once per event
                # (einsum broadcasts the (E, 1, ...) operands otherwise)
                uniform = shared_x and bool((evt_mask == evt_mask[:, :1]).all())
                in_evt = (evt_mask[:, :1] if uniform else evt_mask).astype(float)
                n_evt = in_evt.sum(axis=-1)
                sdx = np.einsum("estf,est->esf", dx, in_evt)
                h_car = n_evt**2 / nx + np.einsum("esf,esfg,esg->es", sdx, sxx_inv, sdx)
                h_car = np.broadcast_to(h_car, (E, S)).copy()
                xbar_o = xbar + c[:, :, 0]  # masked mean of the uncentred regressors
            else:  # constant mean
                beta = np.zeros((E, S, 0))
                alpha = ybar
                resid = np.where(valid, p.y_est - ybar[..., None], np.nan)
                ar_evt = p.y_evt - ybar[..., None]
                h_evt = np.broadcast_to(1.0 / nn[..., None], (E, S, T)).copy()
                n_evt = p.evt_mask.sum(axis=-1)
                h_car = n_evt**2 / nn
                sxx_inv = np.zeros((E, S, 0, 0))
                xbar_o = np.zeros((E, S, 0))
                nx = nn
            params = np.concatenate([alpha[..., None], beta], axis=-1)
            # (X'X)^-1 of the design with intercept, reported for completeness
            xtx_inv = np.full((E, S, k, k), np.nan)
            xtx_inv[..., 0, 0] = 1.0 / nx + np.einsum("esf,esfg,esg->es", xbar_o, sxx_inv, xbar_o)
            if f:
                off = -np.einsum("esfg,esg->esf", sxx_inv, xbar_o)
                xtx_inv[..., 0, 1:] = off
                xtx_inv[..., 1:, 0] = off
                xtx_inv[..., 1:, 1:] = sxx_inv
        if resid is None:  # market / factor model without the residual array
            ssr = ssr_m
            # estudy2 (R sd() of residuals with mean zero) = SSR / (M - 1)
            sigma2 = ssr / (n - 1) if p.convention == "estudy2" else ssr / (n - k)
        elif p.convention == "estudy2":
            # estudy2: R's sd() of the residuals, i.e. M - 1 degrees of freedom around their mean
            rmean = np.nansum(resid, axis=-1) / nn
            sigma2 = np.nansum((resid - rmean[..., None]) ** 2, axis=-1) / (n - 1)
        else:
            ssr = np.nansum(resid**2, axis=-1)
            # MacKinlay (1997): M - k degrees of freedom (M - 2 for the market model)
            sigma2 = ssr / (n - k)
    sigma2 = np.where(n > k + 1, sigma2, np.nan)
    evt_all = bool(np.all(p.evt_mask))  # no event day to blank out
    return Fit(
        params=params,
        xtx_inv=xtx_inv,
        n_obs=n,
        sigma2=sigma2,
        ar_est=resid,
        ar_evt=ar_evt if evt_all else np.where(p.evt_mask, ar_evt, np.nan),
        h_evt=np.broadcast_to(h_evt, (E, S, T)).copy()
        if evt_all
        else np.where(p.evt_mask, h_evt, np.nan),
        h_car=h_car,
        k=k,
        valid_est=valid,
        fit_intercept=a_c if (model not in ("market_adjusted",) and f) else None,
        x_centre=c if (model not in ("market_adjusted",) and f) else None,
    )


def _blocks_have_nan(p: Prepared) -> bool:
    """Whether an estimation block of the slice layout holds a missing return.

    Uses the rows with a missing value found when the returns were checked (a prefix count
    over dates, one lookup per event) instead of scanning the blocks again.
    """
    nan_rows = p.extra.get("nan_rows", False)
    if nan_rows is None:  # every return is finite
        return False
    if nan_rows is False:  # not recorded: scan the blocks
        return any(bool(np.isnan(b).any()) for _, b in p.est_blocks())
    R, L = p.extra["R"], p.extra["L"]
    starts = np.asarray(p.extra["slice_starts"], dtype=np.int64)
    count = np.concatenate([[0], np.cumsum(nan_rows)])
    return bool((count[np.minimum(starts + L, len(R))] > count[np.minimum(starts, len(R))]).any())


def estimation_residuals(p: Prepared, fit: Fit) -> np.ndarray:
    """The (E, S, L) estimation-window residuals of a fit made with ``residuals=False``."""
    if fit.ar_est is not None:
        return fit.ar_est
    xc = np.nan_to_num(p.x_est - fit.x_centre)
    beta = fit.params[..., 1:]
    resid = p.y_est - fit.fit_intercept[..., None] - _xbeta(xc, beta)
    if not fit.valid_est.all():
        resid[~fit.valid_est] = np.nan
    return resid
