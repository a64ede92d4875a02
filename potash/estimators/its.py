"""Interrupted time series on monthly commodity prices around the sanctions calendar.

:func:`price_event_study` regresses a monthly log price (by default potash, World Bank
``potassium_chloride``) on a constant, a linear trend, optional control prices (other
fertilizers, natural gas; in logs) and step, ramp and pulse terms at chosen events, and reports
the *abnormal price path*: the actual log price minus the counterfactual built from the constant,
trend, controls and basis dummies (that is, with every event term set to zero).

Conventions (all stated again in the results' notes)
---------------------------------------------------
Event month
    An event dated on any day of a month maps to that month (``event_month="containing"``,
    the default): the Pink Sheet prices are monthly averages, so the month of the event already
    contains part of its effect. ``event_month="next"`` maps an event to the following month
    unless it falls on the 1st, i.e. to the first month that is entirely after the event.
Terms, with ``t`` the month index and ``m`` the event month
    step ``1[t >= m]``; ramp ``max(0, t - m)`` (0 in the event month, 1 the month after);
    pulse ``1[t == m]``. Several events mapped to the same month share one term
    (``results.events`` lists which).
Basis changes
    The World Bank potash series is f.o.b. Vancouver before 2020-01 and Brazil CFR from
    2020-01; urea is f.o.b. Black Sea before 2022-03 and f.o.b. Middle East from 2022-03. A
    sample that contains months on both sides of a change of any series in the model raises
    an error (``basis="error"``), or, with ``basis="dummy"``, gets an explicit level dummy
    ``basis_<series>_<YYYY-MM>`` = 1 from the change month on. Never a silent break. The
    dummy absorbs *everything* that shifts the log price from that month on, so an event in the
    same or an adjacent month is confounded with it (the results' notes say so): the urea
    change (2022-03) falls in the month of the EU ban on all Belarusian potassium chloride
    (2022-03-02) and one month after the end of Klaipeda transit (2022-02).
    :func:`log_price_panel` applies the same rule (error unless ``basis="ignore"``), so a break
    test on a log price cannot silently straddle a change. The table of changes comes from
    ``potash.data.basis_changes()``.
Standard errors
    ``cov_type="nonrobust"``: classical OLS. ``cov_type="HAC"``: Newey-West with the Bartlett
    kernel, no prewhitening, ``maxlags`` L (default ``floor(4 * (T/100) ** (2/9))``, the
    Newey-West 1994 rule of thumb). In statsmodels this is
    ``OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": adjust},
    use_t=True)``, identical to R's
    ``lmtest::coeftest(fit, vcov = sandwich::NeweyWest(fit, lag = L, prewhite = FALSE,
    adjust = adjust))``: ``use_correction=True`` <-> ``adjust=TRUE`` (multiply by
    T/(T-k)), ``use_correction=False`` <-> ``adjust=FALSE``. Bartlett weights
    ``1 - j/(L+1)`` in both. ``use_t=True`` gives t(T-k) p-values, as ``coeftest`` does for
    ``lm``. (Tested against R in ``tests/test_prices_r.py``.) A pulse fits its own month
    exactly (zero residual there), so HAC standard errors of pulse coefficients understate
    their uncertainty; read pulses with classical errors or as descriptive.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.data._common import as_names
from potash.data.events import normalise_events
from potash.data.price_panel import (
    _basis_error,
    _spanned_changes,
    log_price_panel,
)
from potash.data.prices import basis_changes

__all__ = [
    "PriceEventStudyResults",
    "basis_changes_table",
    "log_price_panel",
    "newey_west_lags",
    "price_event_study",
]

CovType = Literal["HAC", "nonrobust"]
BasisRule = Literal["error", "dummy"]
EventMonthRule = Literal["containing", "next"]


def basis_changes_table() -> pd.DataFrame:
    """Return the known basis changes: ``series, date, before, after, source``.

    The data layer's table (:func:`potash.data.basis_changes`), kept under this name for the
    estimator's callers.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> basis_changes_table()[["series", "date"]].astype(str).values.tolist()
    [['potassium_chloride', '2020-01-01'], ['urea', '2022-03-01']]
    """
    return basis_changes()


def newey_west_lags(nobs: int) -> int:
    """Default Newey-West lag: ``floor(4 * (nobs / 100) ** (2 / 9))`` (Newey and West 1994).

    Parameters
    ----------
    nobs : int
        Number of monthly observations.

    Returns
    -------
    int

    Examples
    --------
    >>> newey_west_lags(77), newey_west_lags(100), newey_west_lags(300)
    (3, 4, 5)
    """
    if nobs < 1:
        raise ValueError(f"nobs must be positive, got {nobs}")
    return int(math.floor(4 * (nobs / 100) ** (2 / 9)))


def _events_frame(events: Any, rule: str) -> pd.DataFrame:
    ev = normalise_events(events)
    dates, ids, types = ev["date"], ev["event_id"], ev["type"]
    month = dates.dt.to_period("M").dt.to_timestamp()
    if rule == "next":
        month = month.where(dates.dt.day == 1, month + pd.DateOffset(months=1))
    return pd.DataFrame(
        {
            "event_id": ids.to_numpy(),
            "date": dates.to_numpy(),
            "type": types.to_numpy(),
            "label": ev["label"].to_numpy(),
            "month": month.to_numpy(),
        }
    )


def _select(spec: Any, ev: pd.DataFrame, kind: str, default_all: bool) -> list[pd.Timestamp]:
    """Event months that get a term of ``kind``."""
    if spec is None:
        spec = default_all
    if spec is True:
        return sorted(ev["month"].unique())
    if spec is False:
        return []
    if isinstance(spec, str | pd.Timestamp):
        spec = [spec]
    months = []
    for item in spec:
        hit = ev.loc[ev["event_id"] == str(item), "month"]
        if hit.empty:
            try:
                d = pd.Timestamp(item)
            except (TypeError, ValueError):
                d = pd.NaT
            if d is pd.NaT:
                raise ValueError(f"{kind}: {item!r} is neither an event_id in events nor a date")
            hit = ev.loc[ev["date"].dt.to_period("M") == d.to_period("M"), "month"]
            if hit.empty:
                raise ValueError(
                    f"{kind}: {item!r} matches no event in events (events are in months "
                    f"{sorted({m.strftime('%Y-%m') for m in ev['month']})})"
                )
        months.extend(hit.tolist())
    return sorted(set(months))


def _rank_problem(X: pd.DataFrame) -> str | None:
    arr = X.to_numpy(dtype=float)
    if np.linalg.matrix_rank(arr) == arr.shape[1]:
        return None
    kept: list[int] = []
    for j in range(arr.shape[1]):
        if np.linalg.matrix_rank(arr[:, kept + [j]]) == len(kept) + 1:
            kept.append(j)
        else:
            return X.columns[j]
    return None  # pragma: no cover


class PriceEventStudyResults(ResultsBase):
    """Results of :func:`price_event_study` (read-only properties; see the module notes)."""

    _title = "Interrupted time series: monthly log price"

    def __init__(
        self,
        *,
        fit: Any,
        X: np.ndarray | pd.DataFrame,
        y: pd.Series,
        series: str,
        controls: tuple[str, ...],
        cov_type: str,
        maxlags: int | None,
        adjust: bool,
        event_terms: tuple[str, ...],
        basis_terms: tuple[str, ...],
        events: Any,
        event_month: str,
        unit: str,
    ) -> None:
        self._fit = fit
        self._X = X
        self._y = y
        self._series = series
        self._controls = controls
        self._cov_type = cov_type
        self._maxlags = maxlags
        self._adjust = adjust
        self._event_terms = event_terms
        self._basis_terms = basis_terms
        self._events = events
        self._event_month = event_month
        self._unit = unit
        self._title = f"Interrupted time series: log {self._series} price"

    # --- estimates -----------------------------------------------------------------------
    @property
    def params(self) -> pd.Series:
        """Coefficients (log points; trend per month)."""
        return self._fit.params.copy()

    @property
    def std_errors(self) -> pd.Series:
        """Standard errors under ``cov_type`` (HAC: Newey-West, see the module notes)."""
        return self._fit.bse.copy()

    @property
    def tstats(self) -> pd.Series:
        """t statistics."""
        return self._fit.tvalues.copy()

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values from t(nobs - k)."""
        return self._fit.pvalues.copy()

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients."""
        return self._fit.cov_params().copy()

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals (columns ``lower``, ``upper``) from t(nobs - k)."""
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        ci = self._fit.conf_int(alpha=1 - level)
        ci.columns = ["lower", "upper"]
        return ci

    @property
    def nobs(self) -> int:
        """Number of months."""
        return int(self._fit.nobs)

    @property
    def df_resid(self) -> float:
        """Residual degrees of freedom (nobs - k)."""
        return float(self._fit.df_resid)

    @property
    def rsquared(self) -> float:
        """R squared of the regression."""
        return float(self._fit.rsquared)

    @property
    def cov_type(self) -> str:
        """``"HAC"`` or ``"nonrobust"``."""
        return self._cov_type

    @property
    def maxlags(self) -> int | None:
        """Newey-West lag L (``None`` for nonrobust)."""
        return self._maxlags

    @property
    def adjust(self) -> bool:
        """Small-sample factor T/(T-k) applied to the HAC covariance (R ``adjust``)."""
        return self._adjust

    @property
    def series(self) -> str:
        """The dependent price series."""
        return self._series

    @property
    def design(self) -> pd.DataFrame:
        """The regressors (index ``date``)."""
        return self._X.copy()

    @property
    def endog(self) -> pd.Series:
        """The log price regressed (index ``date``)."""
        return self._y.copy()

    @property
    def event_terms(self) -> list[str]:
        """Names of the step, ramp and pulse columns."""
        return list(self._event_terms)

    @property
    def basis_terms(self) -> list[str]:
        """Names of the basis-change dummies (empty unless ``basis="dummy"`` was needed)."""
        return list(self._basis_terms)

    @property
    def events(self) -> pd.DataFrame:
        """Each event given, the month it maps to and the terms it gets (empty: unused)."""
        return self._events.copy()

    @property
    def abnormal(self) -> pd.DataFrame:
        """Abnormal price path.

        Columns: ``actual`` and ``counterfactual`` (log price; counterfactual = fitted value
        with every event term set to 0), ``abnormal`` (= actual - counterfactual, log points),
        ``abnormal_pct`` (100 * (exp(abnormal) - 1)), ``fitted`` (log), ``price`` and
        ``counterfactual_price`` (levels, in the series' unit).
        """
        fit, X, y = self._fit, self._X, self._y
        b = fit.params
        base = [c for c in X.columns if c not in self._event_terms]
        cf = X[base].to_numpy() @ b[base].to_numpy()
        out = pd.DataFrame(
            {"actual": y.to_numpy(), "fitted": fit.fittedvalues.to_numpy(), "counterfactual": cf},
            index=X.index,
        )
        out["abnormal"] = out["actual"] - out["counterfactual"]
        out["abnormal_pct"] = 100 * np.expm1(out["abnormal"])
        out["price"] = np.exp(out["actual"])
        out["counterfactual_price"] = np.exp(out["counterfactual"])
        return out

    @property
    def unit(self) -> str:
        """Unit of the price series as published (e.g. ``$/mt``)."""
        return self._unit

    @property
    def model_results(self) -> Any:
        """The underlying statsmodels ``RegressionResults``."""
        return self._fit

    # --- protocol ------------------------------------------------------------------------
    def summary_frame(self) -> pd.DataFrame:
        """Tidy coefficient table by term, in the package's column convention:
        ``estimate, se, statistic (t), p_value, ci_low, ci_high``."""
        ci = self.conf_int()
        out = pd.DataFrame(
            {
                "estimate": self.params,
                "se": self.std_errors,
                "statistic": self.tstats,
                "p_value": self.pvalues,
                "ci_low": ci["lower"],
                "ci_high": ci["upper"],
            }
        )
        out.index.name = "term"
        return out

    def _notes(self) -> list[str]:
        idx = self._X.index
        notes = [
            f"Sample {idx[0]:%Y-%m}..{idx[-1]:%Y-%m}, {self.nobs} months; dependent: log "
            f"{self.series}; controls (log): {list(self._controls) or 'none'}.",
            f"Events map to the month {'they fall in' if self._event_month == 'containing' else 'after them (unless on the 1st)'}; "
            "step 1[t>=m], ramp max(0,t-m), pulse 1[t==m].",
        ]
        if self.cov_type == "HAC":
            notes.append(
                f"Newey-West HAC, Bartlett kernel, lag {self.maxlags}, no prewhitening, "
                f"small-sample factor T/(T-k) {'applied' if self.adjust else 'not applied'} "
                f"(= R sandwich::NeweyWest(lag={self.maxlags}, prewhite=FALSE, "
                f"adjust={'TRUE' if self.adjust else 'FALSE'})); t(T-k) p-values."
            )
        else:
            notes.append("Classical OLS standard errors; t(T-k) p-values.")
        if self.cov_type == "HAC" and any(t.startswith("pulse_") for t in self.event_terms):
            notes.append(
                "A pulse fits its own month exactly: the HAC standard error of a pulse coefficient "
                "understates its uncertainty."
            )
        if self.basis_terms:
            notes.append(f"Basis-change dummies in the model: {self.basis_terms}.")
            for b in self.basis_terms:
                bm = pd.Period(b.rsplit("_", 1)[1], "M")
                near = [
                    n
                    for n in self.event_terms
                    if abs((pd.Period(n.rsplit("_", 1)[1], "M") - bm).n) <= 1
                ]
                if near:
                    notes.append(
                        f"{b} is within one month of {near}: the basis dummy absorbs any level "
                        "shift from its month on, so these effects are confounded."
                    )
        return notes

    def plot(self, ax: Any = None) -> Any:
        """Actual vs counterfactual price and the abnormal path (see ``plot_price_its``)."""
        from potash.figures.prices import plot_price_its

        return plot_price_its(self, ax=ax)


def price_event_study(
    prices: pd.DataFrame,
    events: Any,
    *,
    series: str,
    controls: Sequence[str] = (),
    start: Any = None,
    end: Any = None,
    steps: Any = None,
    ramps: Any = None,
    pulses: Any = None,
    trend: bool = True,
    event_month: EventMonthRule = "containing",
    basis: BasisRule = "error",
    basis_changes: pd.DataFrame | None = None,
    cov_type: CovType = "HAC",
    maxlags: int | None = None,
    adjust: bool = True,
) -> PriceEventStudyResults:
    """Interrupted time series of a monthly log price with step, ramp and pulse terms at events.

    Model: ``log p_t = a + b t + sum_c g_c log c_t + basis dummies + event terms + u_t``.
    The abnormal price path is the actual log price minus the counterfactual without event
    terms (``results.abnormal``). Conventions (event month, term definitions, basis changes,
    HAC settings and their R equivalent) are in the :mod:`potash.estimators.its` module docstring.

    Parameters
    ----------
    prices : DataFrame
        Tidy monthly prices ``date, series, value, unit`` (as ``potash.load_prices()``).
    events : DataFrame or sequence of date-like
        The events table (``date``, ``event_id``, ``type``, ...) or a list of dates. Every
        event that gets a term must fall inside the sample, after its first month (else an
        error); events that get no term are listed in ``results.events`` with empty ``terms``.
    series : str
        Dependent series.
    controls : sequence of str
        Control series, entered in logs (``()`` for none).
    start, end : date-like, optional
        First and last month of the sample (default: all months the series share).
    steps, ramps, pulses : None, bool or sequence
        Which events get which term: a sequence of ``event_id`` values or dates (matched by
        month), ``True`` for all events, ``False``/``()`` for none. Default: a step at every
        event, no ramps, no pulses.
    trend : bool
        Include a linear monthly trend (``t`` = 0 in the first month).
    event_month : {"containing", "next"}
        Month an event maps to: the month it falls in, or the first full month after it.
    basis : {"error", "dummy"}
        What to do when the sample spans a basis change of a series in the model.
    basis_changes : DataFrame, optional
        ``series, date`` of basis changes (default :func:`basis_changes_table`).
    cov_type : {"HAC", "nonrobust"}
        Newey-West HAC (Bartlett) or classical standard errors.
    maxlags : int, optional
        Newey-West lag (default :func:`newey_west_lags` of the sample length).
    adjust : bool
        Multiply the HAC covariance by T/(T-k) (R ``NeweyWest(adjust=TRUE)``;
        statsmodels ``use_correction=True``).

    Returns
    -------
    PriceEventStudyResults

    Raises
    ------
    PotashDataError
        Series not in the data, gaps or non-positive prices, a basis change inside the sample
        with ``basis="error"``.
    ValueError
        An event outside the sample, a rank-deficient design, bad options.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> dates = pd.date_range("2020-01-01", periods=48, freq="MS")
    >>> dap = np.exp(5 + np.cumsum(rng.normal(0, 0.05, 48)))
    >>> kcl = np.exp(1.0 + 0.8 * np.log(dap) + 0.3 * (dates >= "2022-02-01") + rng.normal(0, 0.02, 48))
    >>> p = pd.concat([pd.DataFrame({"date": dates, "series": s, "value": v, "unit": "$/mt"})
    ...                for s, v in [("potassium_chloride", kcl), ("dap", dap)]])
    >>> res = price_event_study(p, ["2022-02-01"], series="potassium_chloride", controls=["dap"])
    >>> float(round(res.params["step_2022-02"], 1))
    0.3
    """
    check_option("cov_type", cov_type, CovType)
    check_option("basis", basis, BasisRule)
    check_option("event_month", event_month, EventMonthRule)
    if not isinstance(series, str) or not series.strip():
        raise ValueError(f"series must be a non-empty series name, got {series!r}")
    controls = as_names(controls, "controls", allow_empty=True)
    if series in controls:
        raise ValueError(f"series {series!r} is also listed as a control")
    names = [series, *controls]
    logp = log_price_panel(prices, names, start=start, end=end, basis="ignore")
    idx = logp.index
    T = len(idx)
    unit_rows = prices.loc[prices["series"] == series, "unit"].dropna().unique()
    unit = str(unit_rows[0]) if len(unit_rows) else ""

    # --- basis changes ---------------------------------------------------------------------
    basis_cols: dict[str, np.ndarray] = {}
    for change in _spanned_changes(names, idx, basis_changes):
        if basis == "error":
            raise _basis_error(change, idx, "pass basis='dummy' to add an explicit level dummy")
        basis_cols[f"basis_{change[0]}_{change[1]:%Y-%m}"] = (idx >= change[1]).astype(float)

    # --- events and terms ------------------------------------------------------------------
    ev = _events_frame(events, event_month)
    t = np.arange(T, dtype=float)
    chosen = {
        kind: _select(spec, ev, kind + "s", default)
        for kind, spec, default in (
            ("step", steps, True),
            ("ramp", ramps, False),
            ("pulse", pulses, False),
        )
    }
    used = sorted({m for months in chosen.values() for m in months})
    for m in used:
        if m <= idx[0] or m > idx[-1]:
            r = ev[ev["month"] == m].iloc[0]
            raise ValueError(
                f"event {r['event_id']!r} ({pd.Timestamp(r['date']).date()}, month "
                f"{pd.Timestamp(m):%Y-%m}) is outside the sample "
                f"{idx[0]:%Y-%m}..{idx[-1]:%Y-%m}: an event needs at least one month before it "
                "and must not be after the last month"
            )
    for m in chosen["step"]:
        k = int(idx.get_loc(m))
        if k < 2 or T - k < 2:
            r = ev[ev["month"] == m].iloc[0]
            side = "pre" if k < 2 else "post"
            n_side = k if k < 2 else T - k
            raise ValueError(
                f"step_{pd.Timestamp(m):%Y-%m} (event {r['event_id']!r}) has {n_side} {side}-event "
                f"month(s) in the sample {idx[0]:%Y-%m}..{idx[-1]:%Y-%m}; a step needs at least 2 "
                f"months before and 2 from the event month on: "
                f"{'extend start earlier' if side == 'pre' else 'extend end later'}, "
                "or leave this event out of steps (e.g. make it a pulse)"
            )
    terms: dict[str, np.ndarray] = {}
    kinds: dict[pd.Timestamp, list[str]] = {}
    for kind, months in chosen.items():
        for m in months:
            k = int(idx.get_loc(m))
            name = f"{kind}_{m:%Y-%m}"
            if kind == "step":
                terms[name] = (t >= k).astype(float)
            elif kind == "ramp":
                terms[name] = np.maximum(0.0, t - k)
            else:
                terms[name] = (t == k).astype(float)
            kinds.setdefault(m, []).append(name)
    if not terms:
        raise ValueError("no event terms: give at least one of steps, ramps, pulses")
    ev["terms"] = [", ".join(kinds.get(m, [])) for m in ev["month"]]

    X = pd.DataFrame(index=idx)
    X["const"] = 1.0
    if trend:
        X["trend"] = t
    for c in controls:
        X[f"log_{c}"] = logp[c].to_numpy()
    for name, col in basis_cols.items():
        X[name] = col
    for name, col in terms.items():
        X[name] = col
    if T <= X.shape[1]:
        raise ValueError(
            f"sample of {T} months is too short for {X.shape[1]} regressors {list(X.columns)}"
        )
    bad = _rank_problem(X)
    if bad is not None:
        raise ValueError(
            f"the design is rank deficient: column {bad!r} is a linear combination of the "
            f"columns before it in {list(X.columns)} (e.g. terms at adjacent or coinciding "
            "months, or a step at a basis-change month)"
        )
    y = logp[series].rename(f"log_{series}")
    model = sm.OLS(y, X)
    if cov_type == "HAC":
        L = newey_west_lags(T) if maxlags is None else int(maxlags)
        if L < 0 or L >= T:
            raise ValueError(f"maxlags must be in 0..{T - 1}, got {maxlags}")
        fit = model.fit(
            cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": bool(adjust)}, use_t=True
        )
    else:
        L = None
        fit = model.fit(use_t=True)
    return PriceEventStudyResults(
        fit=fit,
        X=X,
        y=y,
        series=series,
        controls=tuple(controls),
        cov_type=cov_type,
        maxlags=L,
        adjust=bool(adjust) if cov_type == "HAC" else False,
        event_terms=tuple(terms),
        basis_terms=tuple(basis_cols),
        events=ev,
        event_month=event_month,
        unit=unit,
    )
