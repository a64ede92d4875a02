"""Structural breaks in monthly price series: Chow, sup/ave/exp-F and Bai-Perron.

The model is a linear regression ``y_t = x_t' b_j + u_t`` whose coefficients ``b_j`` change at
the breaks: ``model="mean"`` (``x_t = 1``, level shifts; strucchange ``y ~ 1``),
``model="trend"`` (``x_t = (1, t)``, ``t = 0, 1, ...``; ``y ~ t``), plus any ``exog`` columns.

Conventions
-----------
Break dates
    A break is reported by the *first month of the new regime* (``first_after``) and, for
    cross-reference with strucchange, by ``last_before`` (the last month of the earlier regime,
    strucchange's ``breakdates``) and ``breakpoint`` (its 1-based position, strucchange's
    ``breakpoints``). A Chow test "at 2022-02" means the new regime starts in 2022-02.
Trimming
    ``trim``/``h`` below 1 are fractions of the sample (``floor(h * n)`` months), as in
    strucchange ``Fstats(from = h)`` and ``breakpoints(h = h)``.
p-values of sup-F, ave-F, exp-F
    Andrews (1993) and Andrews-Ploberger (1994) asymptotic distributions, computed with
    Hansen's (1997) response-surface approximation exactly as strucchange's
    ``pvalue.Fstats`` (its coefficient tables, exported by
    ``tests/results/prices_hansen_tables.R`` to ``potash/_hansen1997.csv``). The approximation
    is a polynomial fitted over the relevant range of the statistic; far in the tail the
    polynomial turns negative and strucchange returns p = 1. potash returns the same number and
    flags it (``p_value_reliable=False``): read such a p-value as "far below 0.001".
    As strucchange's ``sctest``, when the trimming leaves a single candidate (lambda = 1) the
    sup-F and ave-F p-values are the Chow F(k, n - 2k) p-values.
Bai-Perron
    Global minimisation of the sum of squared residuals over all partitions with segments of
    at least ``h`` months (dynamic programming on the matrix of segment RSS, Bai and Perron
    2003), number of breaks by BIC with strucchange's likelihood
    ``-n/2 (log(RSS) + 1 - log n + log 2 pi)`` and ``(k + 1)(m + 1)`` parameters. Confidence
    intervals for the break dates follow Bai (1997) with regressors and error variances
    allowed to differ across segments (strucchange ``confint(..., het.reg = TRUE,
    het.err = TRUE)``); the quantiles of the limiting argmax distribution are found with
    Brent's method at strucchange's tolerance (``uniroot`` default, eps^0.25).
Distance to events
    ``first_after`` minus the month of the nearest event, in months (positive: the break comes
    after the event). Events map to the month they fall in.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.data.events import normalise_events

__all__ = [
    "BreakpointsResults",
    "ChowResults",
    "FStatsResults",
    "bai_perron",
    "chow_test",
    "f_stats",
    "pvalue_fstats",
]

BreakModel = Literal["mean", "trend"]
FTest = Literal["supF", "aveF", "expF"]

_HANSEN_FILE = Path(__file__).with_name("_hansen1997.csv")


# --------------------------------------------------------------------------------------------
# data preparation
# --------------------------------------------------------------------------------------------
def _prepare(
    y: pd.Series, model: str, exog: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray, pd.Index, list[str]]:
    """The response and regressors of a break test, after the checks every test needs.

    ``y`` must be indexed by dates in increasing order without repeats (a break date is only
    meaningful in time order), finite and not constant; ``exog`` is aligned to ``y`` by date,
    never by position, and must not be collinear with the constant (and trend).
    """
    check_option("model", model, BreakModel)
    if not isinstance(y, pd.Series):
        raise TypeError("y must be a pandas Series (index: monthly dates)")
    if y.isna().any():
        pos = int(np.flatnonzero(y.isna().to_numpy())[0])
        raise ValueError(f"y has a missing value at {y.index[pos]!r}; drop or fill it first")
    idx = y.index
    if isinstance(idx, pd.DatetimeIndex):
        if idx.tz is not None:
            raise ValueError("y's index is timezone-aware: use naive dates (tz_localize(None))")
        if idx.has_duplicates:
            d = idx[idx.duplicated()][0]
            raise ValueError(f"y's index repeats the date {d:%Y-%m-%d}: one value per period")
        if not idx.is_monotonic_increasing:
            pos = int(np.flatnonzero(np.diff(idx.asi8) < 0)[0]) + 1
            raise ValueError(
                f"y's dates are not in increasing order (at {idx[pos]:%Y-%m-%d}): sort_index() "
                "first; a break date is only meaningful in time order")
    elif not (idx.is_monotonic_increasing and idx.is_unique):
        raise ValueError("y's index must be increasing and unique (dates or periods)")
    v = y.to_numpy(dtype=float)
    if not np.isfinite(v).all():
        pos = int(np.flatnonzero(~np.isfinite(v))[0])
        raise ValueError(f"y has a non-finite value at {idx[pos]!r}")
    if np.ptp(v) == 0:
        raise ValueError("y is constant: a break test has nothing to find (no variance)")
    n = len(y)
    cols = {"const": np.ones(n)}
    if model == "trend":
        cols["trend"] = np.arange(n, dtype=float)
    if exog is not None:
        exog = pd.DataFrame(exog)
        if not exog.index.equals(idx):
            missing = idx.difference(exog.index)
            if len(missing):
                raise ValueError(f"exog has no row for {len(missing)} date(s) of y, first "
                                 f"{missing[0]!r}; exog is matched to y by date")
            if exog.index.has_duplicates:
                raise ValueError("exog's index repeats a date; exog is matched to y by date")
            exog = exog.reindex(idx)
        if exog.isna().to_numpy().any():
            raise ValueError("exog has missing values")
        for c in exog.columns:
            cols[str(c)] = exog[c].to_numpy(dtype=float)
    X = np.column_stack(list(cols.values()))
    if not np.isfinite(X).all():
        raise ValueError("exog has non-finite values")
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        raise ValueError(
            f"the regressors {list(cols)} are collinear (rank {rank} of {X.shape[1]}): "
            "drop a constant or duplicated exog column")
    return v, X, idx, list(cols)


def _segment_rss(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``S[a, b]``: OLS residual sum of squares of observations ``a..b`` (0-based, inclusive).

    NaN where the segment has ``k`` or fewer observations (as strucchange) or where the
    regressors are collinear on it (e.g. an ``exog`` dummy that is constant there): such
    segments are not admissible. Computed by batched QR for each segment length (vectorised
    over start positions).
    """
    n, k = X.shape
    S = np.full((n, n), np.nan)
    for length in range(k + 1, n + 1):
        starts = np.arange(n - length + 1)
        idx = starts[:, None] + np.arange(length)[None, :]
        Xs, ys = X[idx], y[idx]  # (n_starts, length, k), (n_starts, length)
        Q, R = np.linalg.qr(Xs)
        fitted = np.einsum("sik,sk->si", Q, np.einsum("sik,si->sk", Q, ys))
        rss = np.sum((ys - fitted) ** 2, axis=1)
        diag = np.abs(np.diagonal(R, axis1=1, axis2=2))
        singular = diag.min(axis=1) <= 1e-10 * np.maximum(diag.max(axis=1), 1.0)
        rss[singular] = np.nan  # collinear regressors on this segment: not admissible
        S[starts, starts + length - 1] = rss
    return S


def _trim_obs(h: float, n: int) -> int:
    if h <= 0:
        raise ValueError(f"trimming must be positive, got {h}")
    return int(math.floor(h * n)) if h < 1 else int(h)


def _month_str(d: Any) -> str:
    try:
        return pd.Timestamp(d).strftime("%Y-%m")
    except (TypeError, ValueError):
        return str(d)


def _events_months(events: Any) -> pd.DataFrame | None:
    if events is None:
        return None
    ev = normalise_events(events)
    out = pd.DataFrame({"event_id": ev["event_id"].to_numpy(), "date": ev["date"].to_numpy(),
                        "label": ev["label"].to_numpy()})
    out["month"] = out["date"].dt.to_period("M")
    return out.sort_values(["date", "event_id"]).reset_index(drop=True)


def _nearest_events(first_after: list[Any], events: Any) -> pd.DataFrame:
    ev = _events_months(events)
    cols = ["nearest_event", "event_date", "distance_months"]
    if ev is None or ev.empty:
        out = pd.DataFrame({c: [None] * len(first_after) for c in cols})
        out["distance_months"] = out["distance_months"].astype("Int64")
        return out
    rows = []
    ev_m = ev["month"].to_numpy()
    for fa in first_after:
        try:
            p = pd.Timestamp(fa).to_period("M")
        except (TypeError, ValueError):
            rows.append((None, None, np.nan))
            continue
        dist = np.array([(p - m).n for m in ev_m])
        j = int(np.argmin(np.abs(dist)))  # first (earliest) among ties
        rows.append((ev.loc[j, "event_id"], ev.loc[j, "date"], int(dist[j])))
    out = pd.DataFrame(rows, columns=cols)
    out["distance_months"] = out["distance_months"].astype("Int64")
    return out


# --------------------------------------------------------------------------------------------
# p-values (Hansen 1997 approximation, as strucchange)
# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _hansen_tables() -> dict[str, np.ndarray]:
    tab = pd.read_csv(_HANSEN_FILE)
    out = {}
    for test, name in (("sup", "supF"), ("ave", "aveF"), ("exp", "expF")):
        sub = tab[tab["test"] == test].sort_values(["k", "i"])
        ncoef = 2 if test == "sup" else 4
        coef = sub[["b0", "b1", "b2", "b3"][:ncoef]].to_numpy(dtype=float)
        out[name] = np.column_stack([coef, sub["df"].to_numpy(dtype=float)])
    return out


def _pvalue_fstats(x: float, test: str, k: int, lam: float) -> tuple[float, bool]:
    if k > 40:
        warnings.warn("no p-values available for k > 40 regressors, k = 40 used", stacklevel=3)
        k = 40
    beta = _hansen_tables()[test][(k - 1) * 25 : k * 25]
    m = beta.shape[1] - 1
    tau = lam if lam < 1 else 1 / (1 + math.sqrt(lam))
    poly = beta[:, :m] @ (x ** np.arange(m))
    reliable_rows = poly > 0
    pp = stats.chi2.sf(np.maximum(poly, 0), beta[:, m])
    if tau == 0.5:
        return float(stats.chi2.sf(x, k)), True
    if tau <= 0.01:
        return float(pp[24]), bool(reliable_rows[24])
    if tau >= 0.49:
        p = ((0.5 - tau) * pp[0] + (tau - 0.49) * stats.chi2.sf(x, k)) * 100
        return float(p), bool(reliable_rows[0])
    taua = (0.51 - tau) * 50
    t1 = int(math.floor(taua))
    p = (t1 + 1 - taua) * pp[t1 - 1] + (taua - t1) * pp[t1]
    return float(p), bool(reliable_rows[t1 - 1] and reliable_rows[t1])


def pvalue_fstats(statistic: float, test: FTest, k: int, lam: float) -> float:
    """Asymptotic p-value of a sup-F, ave-F or exp-F statistic (Hansen 1997, as strucchange).

    Parameters
    ----------
    statistic : float
        The test statistic.
    test : {"supF", "aveF", "expF"}
        Which test.
    k : int
        Number of regressors whose coefficients may break (1..40).
    lam : float
        strucchange's ``lambda = ((n - from) * to) / (from * (n - to))`` (trimming).

    Returns
    -------
    float

    Examples
    --------
    >>> round(pvalue_fstats(9.0, "supF", 1, 36.0), 4)  # R: strucchange:::pvalue.Fstats(9, "supF", 1, 36)
    0.043
    """
    check_option("test", test, FTest)
    if int(k) < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return _pvalue_fstats(float(statistic), test, int(k), float(lam))[0]


# --------------------------------------------------------------------------------------------
# Chow test
# --------------------------------------------------------------------------------------------
class ChowResults(ResultsBase):
    """Chow F test of a break at a known date (see :func:`chow_test`)."""

    _title = "Chow test at a known break date"

    def __init__(
        self,
        *,
        statistic: float,
        p_value: float,
        df: tuple[int, int],
        first_after: Any,
        breakpoint: int,
        model: str,
        terms: list[str],
        n: int,
        y: pd.Series,
        X: np.ndarray | pd.DataFrame,
        breaks: list[int],
    ) -> None:
        self._statistic = statistic
        self._p_value = p_value
        self._df = df
        self._first_after = first_after
        self._breakpoint = breakpoint
        self._model = model
        self._terms = terms
        self._n = n
        self._y = y
        self._X = X
        self._breaks = breaks

    @property
    def endog(self) -> pd.Series:
        """The series tested (index: dates)."""
        return self._y.copy()

    @property
    def fitted(self) -> pd.Series:
        """OLS fit of each of the two regimes on its own (what the test compares)."""
        X = np.asarray(self._X, dtype=float)
        yy = self._y.to_numpy(dtype=float)
        p = self._breaks[0]
        fit = np.empty(len(yy))
        for a, b in ((0, p), (p, len(yy))):
            coef, *_ = np.linalg.lstsq(X[a:b], yy[a:b], rcond=None)
            fit[a:b] = X[a:b] @ coef
        return pd.Series(fit, index=self._y.index, name="fitted")

    @property
    def statistic(self) -> float:
        """F statistic ``((RSS - RSS_u) / k) / (RSS_u / (n - 2k))``."""
        return self._statistic

    @property
    def p_value(self) -> float:
        """p-value from F(k, n - 2k)."""
        return self._p_value

    @property
    def df(self) -> tuple[int, int]:
        """Degrees of freedom ``(k, n - 2k)``."""
        return self._df

    @property
    def first_after(self) -> Any:
        """First month of the new regime."""
        return self._first_after

    @property
    def breakpoint(self) -> int:
        """strucchange ``point``: 1-based position of the last month before the break."""
        return self._breakpoint

    def summary_frame(self) -> pd.DataFrame:
        """One row: statistic, p-value, degrees of freedom and the break date."""
        return pd.DataFrame(
            {
                "first_after": [_month_str(self.first_after)],
                "breakpoint": [self.breakpoint],
                "statistic": [self.statistic],
                "df_num": [self.df[0]],
                "df_den": [self.df[1]],
                "p_value": [self.p_value],
            },
            index=pd.Index(["Chow"], name="test"),
        )

    def _notes(self) -> list[str]:
        return [
            f"Model {self._model!r} ({', '.join(self._terms)}), n = {self._n}; "
            f"new regime from {_month_str(self.first_after)} (strucchange point = {self.breakpoint})."
        ]

    def plot(self, ax: Any = None) -> Any:
        """The series, the two regimes' fitted values and the break date."""
        from potash.figures.prices import plot_breaks

        return plot_breaks(self, ax=ax)


def chow_test(
    y: pd.Series,
    date: Any,
    *,
    model: BreakModel = "mean",
    exog: pd.DataFrame | None = None,
) -> ChowResults:
    """Chow test for a break at a known date (strucchange ``sctest(type = "Chow")``).

    Parameters
    ----------
    y : Series
        The series (e.g. a log price), indexed by monthly dates.
    date : date-like or int
        First month of the new regime (matched by month), or an integer: the number of
        observations in the first regime (strucchange's ``point``).
    model : {"mean", "trend"}
        Regressors whose coefficients break: constant, or constant and trend.
    exog : DataFrame, optional
        Extra regressors (same length as ``y``).

    Returns
    -------
    ChowResults

    Examples
    --------
    >>> y = pd.Series([0.0, 0.1, -0.1, 0.0, 1.0, 1.1, 0.9, 1.0],
    ...               index=pd.date_range("2021-01-01", periods=8, freq="MS"))
    >>> res = chow_test(y, "2021-05-01")
    >>> round(res.statistic, 2), res.df  # R: sctest(y ~ 1, type = "Chow", point = 4): F = 300
    (300.0, (1, 6))
    """
    yy, X, index, terms = _prepare(y, model, exog)
    n, k = X.shape
    if isinstance(date, int | np.integer):
        point = int(date)
    else:
        target = pd.Timestamp(date).to_period("M")
        try:
            months = pd.DatetimeIndex(index).to_period("M")
        except (TypeError, ValueError) as exc:
            raise ValueError("y needs a DatetimeIndex to place a break by date") from exc
        hits = np.flatnonzero(months == target)
        if hits.size == 0:
            raise ValueError(f"break date {target} is outside the sample {months[0]}..{months[-1]}")
        point = int(hits[0])
    if point < k + 1 or point > n - k - 1:
        raise ValueError(
            f"a Chow test needs more than k = {k} observations in each regime; the break "
            f"leaves {point} before and {n - point} after"
        )
    rss = _ols_rss(X, yy)
    rss_u = _ols_rss(X[:point], yy[:point]) + _ols_rss(X[point:], yy[point:])
    stat = ((rss - rss_u) / k) / (rss_u / (n - 2 * k))
    return ChowResults(
        statistic=float(stat),
        p_value=float(stats.f.sf(stat, k, n - 2 * k)),
        df=(k, n - 2 * k),
        first_after=index[point],
        breakpoint=point,
        model=model,
        terms=terms,
        n=n,
        y=y,
        X=X,
        breaks=[point],
    )


def _ols_rss(X: np.ndarray, y: np.ndarray) -> float:
    b, *_ = np.linalg.lstsq(X, y, rcond=None)
    return float(np.sum((y - X @ b) ** 2))


# --------------------------------------------------------------------------------------------
# F statistics for one unknown break
# --------------------------------------------------------------------------------------------
class FStatsResults(ResultsBase):
    """sup-F, ave-F and exp-F tests for one unknown break (see :func:`f_stats`)."""

    _title = "Tests for one unknown structural break"

    def __init__(
        self,
        *,
        path: pd.DataFrame,
        tests: pd.DataFrame,
        lam: float,
        from_: int,
        to: int,
        trim: float,
        model: str,
        terms: list[str],
        n: int,
        y: pd.Series,
    ) -> None:
        self._path = path
        self._tests = tests
        self._lam = lam
        self._from_ = from_
        self._to = to
        self._trim = trim
        self._model = model
        self._terms = terms
        self._n = n
        self._y = y

    @property
    def fstats(self) -> pd.DataFrame:
        """The F path: one row per candidate break.

        Columns ``breakpoint`` (1-based last position of the first regime), ``last_before``,
        ``first_after``, ``F``.
        """
        return self._path.copy()

    @property
    def tests(self) -> pd.DataFrame:
        """``statistic, p_value, p_value_reliable`` for supF, aveF and expF."""
        return self._tests.copy()

    @property
    def lam(self) -> float:
        """strucchange's ``lambda`` (trimming parameter of the asymptotic distribution)."""
        return self._lam

    def critical_value(self, test: FTest = "supF", alpha: float = 0.05) -> float | None:
        """The asymptotic critical value of ``test`` at level ``alpha`` (root of the p-value).

        Returns None when it lies outside the range the p-value approximation covers.

        Examples
        --------
        >>> y = pd.Series(np.r_[np.zeros(20), np.ones(20)],
        ...               index=pd.date_range("2020-01-01", periods=40, freq="MS"))
        >>> round(f_stats(y).critical_value("supF"), 2) > 5
        True
        """
        check_option("test", test, FTest)
        if not 0 < alpha < 1:
            raise ValueError(f"alpha={alpha} must be in (0, 1)")
        k, lam = len(self._terms), self.lam
        try:
            return float(
                optimize.brentq(lambda x: pvalue_fstats(x, test, k, lam) - alpha, 0.5, 60.0)
            )
        except ValueError:
            return None

    @property
    def sup_break(self) -> Any:
        """First month of the new regime at the sup-F candidate."""
        path = self._path
        return path["first_after"].iloc[int(np.argmax(path["F"].to_numpy()))]

    def summary_frame(self) -> pd.DataFrame:
        """The three tests with statistics and p-values."""
        return self.tests

    def _notes(self) -> list[str]:
        return [
            f"Model {self._model!r} ({', '.join(self._terms)}), n = {self._n}, candidates "
            f"{self._from_}..{self._to} (trim {self._trim}), lambda = {self._lam:.4g}; "
            f"sup-F break: new regime from {_month_str(self.sup_break)}.",
            "p-values: Andrews (1993) / Andrews-Ploberger (1994) asymptotics via Hansen's (1997) "
            "approximation, as strucchange sctest(Fstats()).",
        ]

    def plot(self, ax: Any = None) -> Any:
        """The F-statistic path (see :func:`potash.figures.plot_fstats`)."""
        from potash.figures.prices import plot_fstats

        return plot_fstats(self, ax=ax)


def f_stats(
    y: pd.Series,
    *,
    model: BreakModel = "mean",
    exog: pd.DataFrame | None = None,
    trim: float = 0.15,
) -> FStatsResults:
    """F statistics for a break at every candidate date, and the sup-F, ave-F, exp-F tests.

    Equivalent to strucchange ``sctest(Fstats(y ~ 1, from = trim), type = ...)`` for
    ``model="mean"`` (``y ~ t`` for ``"trend"``).

    Parameters
    ----------
    y : Series
        The series, indexed by monthly dates.
    model : {"mean", "trend"}
        Regressors whose coefficients break.
    exog : DataFrame, optional
        Extra regressors.
    trim : float
        Fraction (or number, if >= 1) of observations trimmed at each end.

    Returns
    -------
    FStatsResults

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> y = pd.Series(np.r_[np.zeros(30), np.ones(30)] + rng.normal(0, 0.3, 60),
    ...               index=pd.date_range("2020-01-01", periods=60, freq="MS"))
    >>> res = f_stats(y)
    >>> res.sup_break.strftime("%Y-%m"), bool(res.tests.loc["supF", "p_value"] < 0.01)
    ('2022-07', True)
    """
    yy, X, index, terms = _prepare(y, model, exog)
    n, k = X.shape
    from_ = _trim_obs(trim, n)
    to = n - from_
    if from_ < k + 1:
        warnings.warn(f"'from' changed (was too small): {from_} -> {k + 1}", stacklevel=2)
        from_ = k + 1
    if to > n - k - 1:
        warnings.warn(f"'to' changed (was too large): {to} -> {n - k - 1}", stacklevel=2)
        to = n - k - 1
    if from_ > to:
        raise ValueError(
            f"sample of {n} observations is too short for a break test with {k} regressors "
            f"and trimming {trim}"
        )
    S = _segment_rss(X, yy)
    rss = S[0, n - 1]
    points = np.arange(from_, to + 1)
    rss_u = S[0, points - 1] + S[points, n - 1]
    F = (rss - rss_u) / (rss_u / (n - 2 * k))
    lam = ((n - from_) * to) / (from_ * (n - to))
    path = pd.DataFrame(
        {
            "breakpoint": points,
            "last_before": index[points - 1],
            "first_after": index[points],
            "F": F,
        }
    )
    rows = {}
    for test in ("supF", "aveF", "expF"):
        if test == "supF":
            stat = float(F.max())
        elif test == "aveF":
            stat = float(F.mean())
        else:
            stat = float(special.logsumexp(0.5 * F) - math.log(len(F)))
        if lam == 1 and test != "expF":
            p, ok = float(stats.f.sf(stat, k, n - 2 * k)), True
        else:
            p, ok = _pvalue_fstats(stat, test, k, lam)
        rows[test] = (stat, p, ok)
    tests = pd.DataFrame.from_dict(
        rows, orient="index", columns=["statistic", "p_value", "p_value_reliable"]
    )
    tests.index.name = "test"
    return FStatsResults(
        path=path,
        tests=tests,
        lam=float(lam),
        from_=int(from_),
        to=int(to),
        trim=trim,
        model=model,
        terms=terms,
        n=n,
        y=y,
    )


# --------------------------------------------------------------------------------------------
# Bai-Perron
# --------------------------------------------------------------------------------------------
def _pargmaxV(x: float, xi: float = 1.0, phi1: float = 1.0, phi2: float = 1.0) -> float:
    """CDF of the argmax of the two-sided Brownian motion with drift (Bai 1997), as strucchange."""
    phi = xi * (phi2 / phi1) ** 2
    ln2pi = math.log(2 * math.pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        if x < 0:
            a = abs(x)
            frac = xi / phi
            return float(
                -np.exp(np.log(a) / 2 - a / 8 - ln2pi / 2)
                - (phi / xi * (phi + 2 * xi) / (phi + xi))
                * np.exp(frac * (1 + frac) * a / 2 + special.log_ndtr(-(0.5 + frac) * np.sqrt(a)))
                + np.exp(
                    np.log(a / 2 - 2 + ((phi + 2 * xi) ** 2) / ((phi + xi) * xi))
                    + special.log_ndtr(-np.sqrt(a) / 2)
                )
            )
        a = abs(x)
        frac = xi**2 / phi
        return float(
            1
            + np.sqrt(frac) * np.exp(np.log(a) / 2 - (frac * a) / 8 - ln2pi / 2)
            + (xi / phi * (2 * phi + xi) / (phi + xi))
            * np.exp(
                (phi + xi) * a / 2 + special.log_ndtr(-(phi + xi / 2) / np.sqrt(phi) * np.sqrt(a))
            )
            - np.exp(
                np.log(((2 * phi + xi) ** 2) / ((phi + xi) * phi) - 2 + frac * a / 2)
                + special.log_ndtr(-np.sqrt(frac) * np.sqrt(a) / 2)
            )
        )


_UNIROOT_TOL = np.finfo(float).eps ** 0.25  # R uniroot's default tolerance


def _root(target: float, a: float, b: float, pars: tuple[float, float, float]) -> float:
    """Root of ``pargmaxV(v) = target`` on ``[a, b]``.

    Brent's method with R's zeroin stopping rule (2 eps |b| + tol / 2), as ``uniroot``.
    """
    return float(
        optimize.brentq(
            lambda v: _pargmaxV(v, *pars) - target,
            a,
            b,
            xtol=_UNIROOT_TOL,
            rtol=4 * np.finfo(float).eps,
        )
    )


def _bai_ci(
    X: np.ndarray, y: np.ndarray, bps: list[int], level: float
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Bai (1997) intervals with het.reg = het.err = TRUE (strucchange confint defaults)."""
    n = len(y)
    a2 = (1 - level) / 2
    bounds = [0, *bps, n]
    lower = np.full(len(bps), np.nan)
    upper = np.full(len(bps), np.nan)
    problems: list[str] = []

    def seg(i: int) -> tuple[np.ndarray, np.ndarray, float]:
        Xs, ys = X[bounds[i] : bounds[i + 1]], y[bounds[i] : bounds[i + 1]]
        b, *_ = np.linalg.lstsq(Xs, ys, rcond=None)
        Q = Xs.T @ Xs / len(ys)
        sigma = float(np.sum((ys - Xs @ b) ** 2) / len(ys))
        return b, Q, sigma

    b2, Q2, s2 = seg(0)
    for j in range(len(bps)):
        b1, Q1, s1 = b2, Q2, s2
        b2, Q2, s2 = seg(j + 1)
        delta = b2 - b1
        q1, q2 = float(delta @ Q1 @ delta), float(delta @ Q2 @ delta)
        xi, phi1, phi2 = q2 / q1, math.sqrt(s1), math.sqrt(s2)
        p0 = _pargmaxV(0.0, xi, phi1, phi2)
        if not np.isfinite(p0) or p0 < a2 or p0 > 1 - a2:
            problems.append(
                f"confidence interval {j + 1} cannot be computed: P(argmax V <= 0) = {p0:.4g}"
            )
            continue
        ub = lb = 0.0
        while _pargmaxV(ub, xi, phi1, phi2) < 1 - a2:
            ub += 1000
        while _pargmaxV(lb, xi, phi1, phi2) > a2:
            lb -= 1000
        up = _root(1 - a2, 0.0, ub, (xi, phi1, phi2))
        lo = _root(a2, lb, 0.0, (xi, phi1, phi2))
        scale = phi1**2 / q1
        lower[j] = bps[j] - math.ceil(up * scale)
        upper[j] = bps[j] - math.floor(lo * scale)
    return lower, upper, problems


def _dp_tables(
    S: np.ndarray, n: int, h: int, max_breaks: int
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """strucchange's RSS.table: best RSS of m breaks with the last break at i (1-based)."""
    # rss[m][i]: min RSS of obs 1..i with m breaks, last segment ending at i; arg[m][i]: m-th
    # break position (1-based end of the previous segment).
    rss = [np.full(n + 1, np.nan)]
    arg = [np.full(n + 1, -1)]
    first = np.full(n + 1, np.nan)
    ii = np.arange(h, n - h + 1)
    first[ii] = S[0, ii - 1]
    rss.append(first)
    arg.append(np.full(n + 1, -1))
    for m in range(2, max_breaks + 1):
        cur = np.full(n + 1, np.nan)
        cur_arg = np.full(n + 1, -1)
        prev = rss[m - 1]
        for i in range(m * h, n - h + 1):
            js = np.arange((m - 1) * h, i - h + 1)
            cand = prev[js] + S[js, i - 1]
            if np.all(np.isnan(cand)):
                continue
            o = int(np.nanargmin(cand))
            cur[i], cur_arg[i] = cand[o], js[o]
        rss.append(cur)
        arg.append(cur_arg)
    return rss, arg


def _extract(
    S: np.ndarray, rss: list[np.ndarray], arg: list[np.ndarray], n: int, h: int, m: int
) -> list[int]:
    index = np.arange(h, n - h + 1)
    total = rss[m][index] + S[index, n - 1]
    opt = [int(index[int(np.nanargmin(total))])]
    for mm in range(m, 1, -1):
        opt.insert(0, int(arg[mm][opt[0]]))
    return opt


class BreakpointsResults(ResultsBase):
    """Bai-Perron multiple breaks (see :func:`bai_perron`)."""

    _title = "Bai-Perron structural breaks"

    def __init__(
        self,
        *,
        bps: list[int],
        table: pd.DataFrame,
        bic: pd.DataFrame,
        segments: pd.DataFrame,
        fitted: pd.Series,
        h: int,
        level: float,
        model: str,
        terms: list[str],
        n: int,
        chosen_by_bic: bool,
        problems: list[str],
        y: pd.Series,
        events: Any,
    ) -> None:
        self._bps = bps
        self._table = table
        self._bic = bic
        self._segments = segments
        self._fitted = fitted
        self._h = h
        self._level = level
        self._model = model
        self._terms = terms
        self._n = n
        self._chosen_by_bic = chosen_by_bic
        self._problems = problems
        self._y = y
        self._events = events

    @property
    def endog(self) -> pd.Series:
        """The series tested (index: dates)."""
        return self._y.copy()

    @property
    def events(self) -> Any:
        """The events given to mark on the figure (as passed), or None."""
        return self._events

    @property
    def n_breaks(self) -> int:
        """Number of breaks (chosen by BIC unless fixed by ``breaks=``)."""
        return len(self._bps)

    @property
    def breaks(self) -> pd.DataFrame:
        """One row per break.

        Columns: ``breakpoint`` (strucchange 1-based index), ``last_before``, ``first_after``,
        ``ci_lower``/``ci_upper`` (first month of the new regime at the interval's ends),
        ``ci_lower_bp``/``ci_upper_bp`` (strucchange's interval, as breakpoints),
        ``nearest_event``, ``event_date``, ``distance_months``.
        """
        return self._table.copy()

    @property
    def bic(self) -> pd.DataFrame:
        """RSS and BIC for 0..max_breaks breaks (strucchange ``summary(bp)$RSS``)."""
        return self._bic.copy()

    @property
    def segments(self) -> pd.DataFrame:
        """Coefficients of each regime (OLS within segments)."""
        return self._segments.copy()

    @property
    def fitted(self) -> pd.Series:
        """Fitted values of the segmented regression."""
        return self._fitted.copy()

    @property
    def h(self) -> int:
        """Minimum segment length (months)."""
        return self._h

    @property
    def level(self) -> float:
        """Confidence level of the break-date intervals."""
        return self._level

    def summary_frame(self) -> pd.DataFrame:
        """The break table (dates, confidence intervals, distance to the nearest event)."""
        t = self.breaks
        for c in ("last_before", "first_after", "ci_lower", "ci_upper", "event_date"):
            if c in t.columns:
                t[c] = t[c].map(lambda v: "" if v is None or pd.isna(v) else _month_str(v))
        return t.set_index("break")

    def _notes(self) -> list[str]:
        bic = self._bic
        notes = [
            f"Model {self._model!r} ({', '.join(self._terms)}), n = {self._n}, minimum segment "
            f"h = {self._h} months, up to {len(bic) - 1} breaks; "
            + (
                f"number of breaks {self.n_breaks} chosen by BIC."
                if self._chosen_by_bic
                else f"number of breaks fixed at {self.n_breaks}."
            ),
            f"{int(round(self._level * 100))}% intervals: Bai (1997), heterogeneous regressors "
            "and errors (strucchange confint defaults). Dates are the first month of the new "
            "regime; distance = that month minus the nearest event's month.",
        ]
        if not self.n_breaks:
            notes.append("No break: the one-regime model is preferred (or 0 breaks were asked for).")
        notes.extend(self._problems)
        return notes

    def plot(self, ax: Any = None) -> Any:
        """The series, the segmented fit and the break dates with their intervals."""
        from potash.figures.prices import plot_breaks

        return plot_breaks(self, ax=ax)


def bai_perron(
    y: pd.Series,
    *,
    model: BreakModel = "mean",
    exog: pd.DataFrame | None = None,
    h: float = 0.15,
    max_breaks: int | None = None,
    breaks: int | None = None,
    level: float = 0.95,
    events: Any = None,
) -> BreakpointsResults:
    """Bai-Perron multiple structural breaks, BIC choice, Bai (1997) intervals.

    Equivalent to strucchange ``breakpoints(y ~ 1, h = h)`` (``y ~ t`` for ``"trend"``),
    ``summary(bp)`` for the BIC table and ``confint(bp, breaks = m, level = level)``.

    Parameters
    ----------
    y : Series
        The series (e.g. a log price), indexed by monthly dates.
    model : {"mean", "trend"}
        Regressors whose coefficients break.
    exog : DataFrame, optional
        Extra regressors (their coefficients break too). Segments on which the regressors are
        collinear are not admissible (strucchange would fail there).
    h : float
        Minimum segment length: fraction of n (if < 1) or number of months.
    max_breaks : int, optional
        Largest number of breaks considered (default ``ceil(n / h) - 2``, the most that fit).
    breaks : int, optional
        Fix the number of breaks instead of choosing it by BIC.
    level : float
        Confidence level of the break-date intervals.
    events : DataFrame or sequence of date-like, optional
        Events (e.g. ``load_events()`` rows of type ``sanction``) for the distance of each break
        to the nearest event.

    Returns
    -------
    BreakpointsResults

    Raises
    ------
    ValueError
        Sample too short for the requested breaks or trimming.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> y = pd.Series(np.r_[np.zeros(20), 2 * np.ones(20), np.ones(20)] + rng.normal(0, 0.2, 60),
    ...               index=pd.date_range("2020-01-01", periods=60, freq="MS"))
    >>> bp = bai_perron(y, events=["2021-09-15"])
    >>> bp.breaks["first_after"].dt.strftime("%Y-%m").tolist(), bp.breaks["distance_months"].tolist()
    (['2021-09', '2023-05'], [0, 20])
    """
    yy, X, index, terms = _prepare(y, model, exog)
    n, k = X.shape
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    hh = _trim_obs(h, n)
    if hh <= k:
        raise ValueError(
            f"minimum segment size h = {hh} months must be greater than the number of "
            f"regressors ({k}); the sample of {n} months is too short for h = {h}"
        )
    if hh > n // 2:
        raise ValueError(
            f"minimum segment size h = {hh} must be at most half the sample ({n} months)"
        )
    most = int(math.ceil(n / hh)) - 2
    if most < 1:
        raise ValueError(f"a sample of {n} months with h = {hh} leaves room for no break")
    if breaks is not None and breaks > most:
        raise ValueError(
            f"sample too short for {breaks} breaks: with {n} months and minimum segment "
            f"h = {hh}, at most {most} breaks fit"
        )
    if max_breaks is None:
        max_breaks = most
    elif max_breaks > most:
        raise ValueError(
            f"sample too short for max_breaks = {max_breaks}: with {n} months and minimum "
            f"segment h = {hh}, at most {most} breaks fit"
        )
    if breaks is not None and breaks < 0:
        raise ValueError(f"breaks must be >= 0, got {breaks}")
    top = max(max_breaks, breaks or 0)
    if top < 1:
        raise ValueError("max_breaks must be at least 1")
    S = _segment_rss(X, yy)
    rss_tab, arg_tab = _dp_tables(S, n, hh, top)
    rss_m = [float(S[0, n - 1])]
    bps_m: list[list[int]] = [[]]
    for m in range(1, top + 1):
        bp = _extract(S, rss_tab, arg_tab, n, hh, m)
        b = [0, *bp, n]
        rss_m.append(float(sum(S[b[i], b[i + 1] - 1] for i in range(m + 1))))
        bps_m.append(bp)
    ms = np.arange(top + 1)
    rss_arr = np.array(rss_m)
    bic_vals = n * (np.log(rss_arr) + 1 - math.log(n) + math.log(2 * math.pi)) + math.log(n) * (
        k + 1
    ) * (ms + 1)
    bic = pd.DataFrame({"breaks": ms, "RSS": rss_arr, "BIC": bic_vals}).set_index("breaks")
    chosen_by_bic = breaks is None
    m_sel = int(np.argmin(bic_vals[: max_breaks + 1])) if chosen_by_bic else int(breaks)
    bps = bps_m[m_sel]

    problems: list[str] = []
    if bps:
        lo, up, problems = _bai_ci(X, yy, bps, level)
        for p in problems:
            warnings.warn(p, stacklevel=2)
    else:
        lo = up = np.array([])

    def at(pos: Any) -> Any:
        if pos is None or not np.isfinite(pos) or pos < 0 or pos >= n:
            return pd.NaT if isinstance(index, pd.DatetimeIndex) else None
        return index[int(pos)]

    table = pd.DataFrame(
        {
            "break": np.arange(1, len(bps) + 1),
            "breakpoint": bps,
            "last_before": [index[b - 1] for b in bps],
            "first_after": [index[b] for b in bps],
            "ci_lower": [at(v) for v in lo],
            "ci_upper": [at(v) for v in up],
            "ci_lower_bp": pd.array(np.where(np.isnan(lo), None, lo), dtype="Int64"),
            "ci_upper_bp": pd.array(np.where(np.isnan(up), None, up), dtype="Int64"),
        }
    )
    near = _nearest_events(table["first_after"].tolist(), events)
    table = pd.concat([table, near], axis=1)
    bounds = [0, *bps, n]
    seg_rows, fitted = [], np.empty(n)
    for i in range(len(bounds) - 1):
        a, b = bounds[i], bounds[i + 1]
        coef, *_ = np.linalg.lstsq(X[a:b], yy[a:b], rcond=None)
        fitted[a:b] = X[a:b] @ coef
        seg_rows.append(
            {
                "segment": i + 1,
                "start": index[a],
                "end": index[b - 1],
                "nobs": b - a,
                **dict(zip(terms, coef, strict=True)),
            }
        )
    return BreakpointsResults(
        bps=bps,
        table=table,
        bic=bic,
        segments=pd.DataFrame(seg_rows).set_index("segment"),
        fitted=pd.Series(fitted, index=index, name="fitted"),
        h=hh,
        level=level,
        model=model,
        terms=terms,
        n=n,
        chosen_by_bic=chosen_by_bic,
        problems=problems,
        y=y,
        events=events,
    )
