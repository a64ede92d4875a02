"""Robust interrupted time series: HAR inference, AR(1) errors, splicing, placebo dates, curves.

Options beside :func:`potash.estimators.its.price_event_study` (whose default numerics are
unchanged and R-matched). Everything here is generic: the series, steps and grids are
arguments; the Belarus choices live in :mod:`potash.analyses.prices`.

Estimand
--------
The step coefficient compares the potash price with the path predicted by the *control*
prices (other fertilizers) and the deterministic terms: "potash against other fertilizers",
not "potash without sanctions". Controls that respond to the same shock (a war, gas prices)
move the counterfactual too.

Inference (``inference=``)
--------------------------
``"nw"`` / ``"nwL"``
    Newey-West, Bartlett weights ``1 - j/(L+1)``, ``T/(T-k)`` factor, t(T-k) p-values (the
    default lag :func:`potash.estimators.its.newey_west_lags`; ``"nw6"`` uses L = 6). Identical
    to ``price_event_study(cov_type="HAC", adjust=True)``.
``"ewc"`` / ``"ewcNU"``
    Equal-weighted cosine test (Lazarus, Lewis, Stock and Watson 2018): with scores
    ``v_t = x_t u_t`` and ``Lambda_j = sum_t v_t cos(pi j (t - 1/2) / T)``, ``j = 1..nu``, the
    long-run variance is ``S = (2/nu) sum_j Lambda_j Lambda_j'`` and
    ``V = (X'X)^-1 S (X'X)^-1``; t statistics are referred to t with ``nu`` degrees of freedom
    (fixed-b: exact under their asymptotics). Default ``nu = floor(0.4 T^(2/3))`` (their rule).
``"ar1"``
    AR(1) errors by two-step feasible GLS (Cochrane-Orcutt): OLS residuals give
    ``rho = sum u_t u_{t-1} / sum u_{t-1}^2``; then OLS of ``y_t - rho y_{t-1}`` on
    ``x_t - rho x_{t-1}`` (t = 2..T), classical errors, t(T-1-k). Equal to
    ``statsmodels.GLSAR(y, X, rho=rho).fit()``.

Trend (``trend=``)
------------------
``"none"``, ``"linear"``, or ``"pre"``: a linear trend only if the pre-period supports it
(in the months before the earliest step, OLS of y on a constant, trend and the controls; the
trend enters if its classical two-sided p-value is below 0.05; with fewer than ``k + 4``
pre-event months no trend).

Basis change of a control (``basis=``)
--------------------------------------
``"dummy"``: a free level dummy ``1[t >= change]`` in the equation (absorbs the outcome's own
move in that month). ``"splice"``: the control is chain-linked with :func:`splice_series`
(``method="adjacent"``). ``"interact"``: the control plus control x ``1[t >= change]``, no
free level dummy. A change outside the sample is ignored. A change of the *outcome* (a placebo outcome such as
urea) is spliced the same way under ``"splice"`` and gets a level dummy otherwise.

Differences (``differences=True``)
----------------------------------
Every variable in first differences (no constant kept: the differenced constant is zero; a
trend becomes the constant); a step becomes a pulse in differences, its coefficient still the
level shift.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.data.price_panel import log_price_panel
from potash.data.prices import basis_changes as known_basis_changes
from potash.estimators.its import newey_west_lags

__all__ = [
    "ITSCurveDesign",
    "PlaceboInTimeResults",
    "PreEventCounterfactualResults",
    "ewc_dof",
    "fit_its_batch",
    "placebo_in_time",
    "pre_event_counterfactual",
    "splice_series",
]

Trend = Literal["none", "linear", "pre"]
Basis = Literal["dummy", "splice", "interact"]
SpliceMethod = Literal["adjacent", "chain"]
EventMonth = Literal["containing", "next"]
_OUT = ("estimate", "se", "p_value", "statistic", "ci_low", "ci_high", "n")
_INF = re.compile(r"^(nw|ewc)(\d*)$|^ar1$")


def ewc_dof(nobs: int) -> int:
    """Default EWC degrees of freedom ``nu = max(2, floor(0.4 T^(2/3)))`` (LLSW 2018).

    Examples
    --------
    >>> ewc_dof(77), ewc_dof(200)
    (7, 13)
    """
    if nobs < 4:
        raise ValueError(f"nobs must be at least 4, got {nobs}")
    return max(2, int(math.floor(0.4 * nobs ** (2 / 3))))


def _check_inference(inference: str) -> None:
    if not isinstance(inference, str) or not _INF.match(inference):
        raise ValueError(
            f"inference={inference!r} is not allowed; choose 'nw', 'nwL' (L an integer lag), "
            "'ewc', 'ewcNU' (NU cosine bases) or 'ar1'"
        )


def splice_series(
    log_values: pd.Series, change: Any, *, method: SpliceMethod = "adjacent"
) -> pd.Series:
    """Chain-link a monthly log series across a change of basis.

    The months before ``change`` are shifted by ``d`` so that the series is on the new basis:

    ``"chain"``: ``d = x_m - x_{m-1}`` (the whole one-month change across the break is taken
    as the basis difference);
    ``"adjacent"``: ``d = (x_m - x_{m-1}) - ((x_{m-1} - x_{m-2}) + (x_{m+1} - x_m)) / 2``
    (the change across the break in excess of the mean of the two adjacent monthly changes,
    which are on one basis each; the market's own move that month is kept).

    Parameters
    ----------
    log_values : Series
        Log prices, monthly DatetimeIndex without gaps.
    change : date-like
        First month on the new basis.
    method : {"adjacent", "chain"}

    Returns
    -------
    Series
        The spliced log series (unchanged if the change is outside the index).

    Examples
    --------
    >>> x = pd.Series([1.0, 1.1, 1.7, 1.8], index=pd.date_range("2022-01-01", periods=4, freq="MS"))
    >>> splice_series(x, "2022-03-01").round(6).tolist()
    [1.5, 1.6, 1.7, 1.8]
    """
    check_option("method", method, SpliceMethod)
    m = pd.Timestamp(change).to_period("M").to_timestamp()
    idx = log_values.index
    if not (idx[0] < m <= idx[-1]):
        return log_values.copy()
    k = int(idx.get_loc(m))
    x = log_values.to_numpy(dtype=float)
    d = x[k] - x[k - 1]
    if method == "adjacent":
        if k < 2 or k + 1 >= len(x):
            raise ValueError(
                f"splice: method='adjacent' needs two months before and one after {m:%Y-%m}"
            )
        d -= ((x[k - 1] - x[k - 2]) + (x[k + 1] - x[k])) / 2
    out = x.copy()
    out[:k] += d
    return pd.Series(out, index=idx, name=log_values.name)


# --- batched least squares with the inference choices ------------------------------------
def fit_its_batch(
    y: np.ndarray, X: np.ndarray, col: int, inference: str = "nw"
) -> dict[str, np.ndarray]:
    """Estimate coefficient ``col`` in a batch of regressions ``y = X b + u``.

    Parameters
    ----------
    y : array (T,) or (B, T)
    X : array (B, T, k)
    col : int
        Column of the coefficient of interest.
    inference : str
        ``"nw"``, ``"nwL"``, ``"ewc"``, ``"ewcNU"`` or ``"ar1"`` (module notes).

    Returns
    -------
    dict
        ``estimate, se, statistic, p_value, df`` (arrays of length B), ``rho`` for ``"ar1"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.stack([np.ones(40), np.arange(40) >= 20], 1)[None].astype(float)
    >>> y = 0.5 * X[0, :, 1] + rng.normal(0, 0.1, 40)
    >>> out = fit_its_batch(y, X, 1, "ewc")
    >>> bool(abs(out["estimate"][0] - 0.5) < 0.1), int(out["df"][0])
    (True, 4)
    """
    _check_inference(inference)
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"X must be (B, T, k), got shape {X.shape}")
    B, T, k = X.shape
    y = np.broadcast_to(np.asarray(y, dtype=float), (B, T))
    rho = None
    if inference == "ar1":
        b0 = _ols(y, X)
        u = y - np.einsum("btk,bk->bt", X, b0)
        rho = (u[:, 1:] * u[:, :-1]).sum(1) / (u[:, :-1] ** 2).sum(1)
        y = y[:, 1:] - rho[:, None] * y[:, :-1]
        X = X[:, 1:] - rho[:, None, None] * X[:, :-1]
        T = T - 1
    XtX = np.einsum("btk,btl->bkl", X, X)
    A = np.linalg.inv(XtX)
    b = np.einsum("bkl,btl,bt->bk", A, X, y)
    u = y - np.einsum("btk,bk->bt", X, b)
    if T <= k:
        raise ValueError(f"{T} observations for {k} regressors")
    if inference == "ar1":
        s2 = (u**2).sum(1) / (T - k)
        var = s2 * A[:, col, col]
        df = np.full(B, T - k, dtype=float)
    else:
        g = X * u[:, :, None]
        kind, num = _INF.match(inference).group(1, 2)
        if kind == "nw":
            L = newey_west_lags(T) if num == "" else int(num)
            if L >= T:
                raise ValueError(f"Newey-West lag {L} must be below the {T} observations")
            S = np.einsum("btk,btl->bkl", g, g)
            for j in range(1, L + 1):
                G = np.einsum("btk,btl->bkl", g[:, j:], g[:, :-j])
                S += (1 - j / (L + 1)) * (G + np.swapaxes(G, 1, 2))
            S *= T / (T - k)
            df = np.full(B, T - k, dtype=float)
        else:
            nu = ewc_dof(T) if num == "" else int(num)
            if not 1 <= nu < T:
                raise ValueError(f"EWC needs 1 <= nu < T = {T}, got {nu}")
            tt = np.arange(1, T + 1)
            C = np.cos(np.pi * np.arange(1, nu + 1)[:, None] * (tt[None, :] - 0.5) / T)
            lam = np.einsum("jt,btk->bjk", C, g)
            S = (2.0 / nu) * np.einsum("bjk,bjl->bkl", lam, lam)
            df = np.full(B, nu, dtype=float)
        V = np.einsum("bkl,blm,bmn->bkn", A, S, A)
        var = V[:, col, col]
    se = np.sqrt(var)
    est = b[:, col]
    tstat = est / se
    p = 2 * stats.t.sf(np.abs(tstat), df)
    out = {"estimate": est, "se": se, "statistic": tstat, "p_value": p, "df": df}
    if rho is not None:
        out["rho"] = rho
    return out


def _ols(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    XtX = np.einsum("btk,btl->bkl", X, X)
    Xty = np.einsum("btk,bt->bk", X, y)
    return np.linalg.solve(XtX, Xty[..., None])[..., 0]


# --- the batched ITS design ---------------------------------------------------------------
def _event_month(date: Any, rule: str) -> pd.Timestamp:
    d = pd.Timestamp(date)
    m = d.to_period("M").to_timestamp()
    if rule == "next" and d.day != 1:
        m = m + pd.DateOffset(months=1)
    return m


class ITSCurveDesign:
    """A batched specification-curve design for one step of a price ITS (see module notes).

    Choices (the grid's columns; any missing column takes the default given here):
    ``trend`` ("none"/"linear"/"pre"), ``controls`` (a string of series joined by "+", or
    "none"), ``basis`` ("dummy"/"splice"/"interact"), ``start`` (first month), ``event_month``
    ("containing"/"next"), ``inference`` ("nw", "nwL", "ewc", "ewcNU", "ar1"),
    ``differences`` (bool). Under ``placebo=month`` the target step sits at that month
    instead (the other steps stay). A specification with a rank-deficient design, or fewer
    than ``min_pre``/``min_post`` months before/after the target step, is skipped with its
    reason.

    Parameters
    ----------
    prices : DataFrame
        Tidy prices ``date, series, value, unit``.
    series : str
        Outcome.
    steps : sequence of date-like
        Dates of every step in the model (mapped to months by ``event_month``).
    target : date-like
        The step whose coefficient is the estimate (one of ``steps``).
    end : date-like
        Last month.
    defaults : mapping, optional
        Defaults of the choices.
    basis_changes : DataFrame, optional
        ``series, date`` of basis changes (default :func:`potash.data.basis_changes`).
    min_pre, min_post : int
        Months required before and from the target step.
    level : float
        Level of the intervals ``ci_low, ci_high`` returned (t quantiles with each
        specification's degrees of freedom: ``nu`` for EWC); match the curve's ``alpha``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = pd.date_range("2018-01-01", periods=60, freq="MS")
    >>> c = 5 + np.cumsum(rng.normal(0, 0.05, 60))
    >>> y = 1 + 0.8 * c + 0.3 * (d >= "2020-06-01") + rng.normal(0, 0.02, 60)
    >>> p = pd.concat([pd.DataFrame({"date": d, "series": s, "value": np.exp(v), "unit": "$"})
    ...                for s, v in [("k", y), ("c", c)]])
    >>> des = ITSCurveDesign(p, "k", steps=["2020-06-10"], target="2020-06-10", end="2022-12",
    ...                      defaults={"controls": "c", "start": "2018-01"}, basis_changes=None)
    >>> out = des.run(pd.DataFrame({"trend": ["none", "linear"]}))
    >>> out["estimate"].round(1).tolist()
    [0.3, 0.3]
    """

    CHOICES = ("trend", "controls", "basis", "start", "event_month", "inference", "differences")

    def __init__(
        self,
        prices: pd.DataFrame,
        series: str,
        *,
        steps: Sequence[Any],
        target: Any,
        end: Any,
        defaults: dict[str, Any] | None = None,
        basis_changes: pd.DataFrame | None = None,
        min_pre: int = 6,
        min_post: int = 3,
        level: float = 0.95,
    ) -> None:
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        self.level = float(level)
        self.defaults = {
            "trend": "none",
            "controls": "none",
            "basis": "splice",
            "start": None,
            "event_month": "containing",
            "inference": "ewc",
            "differences": False,
        }
        for key, value in (defaults or {}).items():
            if key not in self.defaults:
                raise ValueError(f"defaults: unknown choice {key!r}; choose among {self.CHOICES}")
            self.defaults[key] = value
        self.prices, self.series, self.end = prices, series, end
        self.steps = [pd.Timestamp(s) for s in steps]
        self.target = pd.Timestamp(target)
        if self.target not in self.steps:
            raise ValueError(f"target {target!r} is not one of the steps {list(steps)}")
        self.basis_changes = known_basis_changes() if basis_changes is None else basis_changes
        self.min_pre, self.min_post = int(min_pre), int(min_post)
        self._panels: dict[tuple, pd.DataFrame] = {}
        self._bases: dict[tuple, Any] = {}
        self._changes = [
            (str(r.series), pd.Timestamp(r.date).to_period("M").to_timestamp())
            for r in self.basis_changes.itertuples(index=False)
        ]

    # -- helpers --
    def _panel(self, names: tuple[str, ...], start: Any) -> pd.DataFrame:
        key = (names, str(start))
        if key not in self._panels:
            self._panels[key] = log_price_panel(
                self.prices, list(names), start=start, end=self.end, basis="ignore"
            )
        return self._panels[key]

    def _controls(self, value: Any) -> tuple[str, ...]:
        if value in (None, "none", ""):
            return ()
        if isinstance(value, str):
            return tuple(v for v in value.split("+") if v)
        return tuple(value)

    def _base(self, ch: dict[str, Any]) -> tuple[pd.DatetimeIndex, np.ndarray, list[str], list]:
        """Outcome, base regressors (no target step) and the other steps' months."""
        check_option("basis", ch["basis"], Basis)
        check_option("event_month", ch["event_month"], EventMonth)
        _check_inference(ch["inference"])
        ctrl = self._controls(ch["controls"])
        if self.series in ctrl:
            raise ValueError(f"controls {ctrl} include the outcome {self.series!r}")
        logp = self._panel((self.series, *ctrl), ch["start"])
        idx = logp.index
        cols: dict[str, np.ndarray] = {"const": np.ones(len(idx))}
        changes = self._changes
        y = logp[self.series]
        for s, d in changes:  # the outcome itself (placebo outcomes: urea)
            if s == self.series and idx[0] < d <= idx[-1]:
                if ch["basis"] == "splice":
                    y = splice_series(y, d)
                else:
                    cols[f"basis_{s}_{d:%Y-%m}"] = (idx >= d).astype(float)
        for c in ctrl:
            x = logp[c]
            for s, d in changes:
                if s != c or not (idx[0] < d <= idx[-1]):
                    continue
                if ch["basis"] == "splice":
                    x = splice_series(x, d)
                elif ch["basis"] == "dummy":
                    cols[f"basis_{c}_{d:%Y-%m}"] = (idx >= d).astype(float)
                else:
                    cols[f"log_{c}_x_{d:%Y-%m}"] = x.to_numpy() * (idx >= d)
            cols[f"log_{c}"] = x.to_numpy(dtype=float)
        others = [_event_month(s, ch["event_month"]) for s in self.steps if s != self.target]
        return idx, y.to_numpy(dtype=float), list(cols), [cols, others]

    def _estimate(self, ch: dict[str, Any], months: list[pd.Timestamp]) -> dict[str, Any]:
        """Estimates with the target step at each month of ``months`` (numpy arrays)."""
        key = (ch["controls"], str(ch["start"]), ch["basis"], ch["event_month"])
        if key not in self._bases:
            self._bases[key] = self._base(ch)
        idx, y, _, (cols, others) = self._bases[key]
        check_option("trend", ch["trend"], Trend)
        _check_inference(ch["inference"])
        T, nm = len(idx), len(months)
        t = np.arange(T, dtype=float)
        out = {c: np.full(nm, np.nan) for c in _OUT}
        reason = np.full(nm, None, dtype=object)
        pos = idx.get_indexer(months)
        pos = np.where((pos > 0), pos, -1)
        ok = (pos >= self.min_pre) & (T - pos >= self.min_post)
        reason[~ok] = (
            f"target step needs {self.min_pre} months before and {self.min_post} from it in "
            f"{idx[0]:%Y-%m}..{idx[-1]:%Y-%m}"
        )
        other_pos = [int(idx.get_loc(m)) for m in others if idx[0] < m <= idx[-1]]
        base = np.column_stack(
            [*cols.values(), *[(t >= k).astype(float) for k in other_pos]]
        )
        trend_flags = np.zeros(nm, dtype=bool)
        if ch["trend"] == "linear":
            trend_flags[:] = True
        elif ch["trend"] == "pre":
            first = np.minimum(pos, min(other_pos) if other_pos else T)
            ctrl_cols = base[:, : len(cols)]
            for f in np.unique(first[ok]):
                trend_flags[first == f] = _pre_trend_supported(y[:f], ctrl_cols[:f], t[:f])
        for flag in (False, True):
            sel = np.flatnonzero(ok & (trend_flags == flag))
            if not sel.size:
                continue
            Xb = np.column_stack([base, t]) if flag else base
            steps = (t[None, :] >= pos[sel][:, None]).astype(float)
            X = np.concatenate(
                [np.broadcast_to(Xb, (sel.size, *Xb.shape)), steps[:, :, None]], axis=2
            )
            yy = np.broadcast_to(y, (sel.size, T))
            if ch["differences"]:
                X = np.diff(X, axis=1)[:, :, 1:]  # the differenced constant is zero: drop it
                yy = np.diff(yy, axis=1)
            full = np.linalg.matrix_rank(X) == X.shape[2]
            reason[sel[~full]] = "rank-deficient design (coinciding terms)"
            sel, X = sel[full], X[full]
            if not sel.size:
                continue
            fit = fit_its_batch(yy[: sel.size], X, X.shape[2] - 1, ch["inference"])
            for c in ("estimate", "se", "p_value", "statistic"):
                out[c][sel] = fit[c]
            q = stats.t.isf((1 - self.level) / 2, fit["df"])
            out["ci_low"][sel] = fit["estimate"] - q * fit["se"]
            out["ci_high"][sel] = fit["estimate"] + q * fit["se"]
            out["n"][sel] = X.shape[1]
        out["skip_reason"] = reason
        return out

    def _choices(self, specs: pd.DataFrame) -> list[dict[str, Any]]:
        unknown = sorted(set(specs.columns) - set(self.CHOICES))
        if unknown:
            raise ValueError(f"unknown choice(s) {unknown}; this design has {self.CHOICES}")
        out = []
        for rec in specs.to_dict(orient="records"):
            ch = dict(self.defaults)
            ch.update(rec)
            check_option("trend", ch["trend"], Trend)
            check_option("basis", ch["basis"], Basis)
            check_option("event_month", ch["event_month"], EventMonth)
            _check_inference(ch["inference"])
            if ch["basis"] != "splice" and not self._spans_control_change(ch):
                ch["_skip"] = "basis handling does not apply: no control changes basis in the sample"
            out.append(ch)
        return out

    def _spans_control_change(self, ch: dict[str, Any]) -> bool:
        ctrl = (*self._controls(ch["controls"]), self.series)
        start = pd.Timestamp(ch["start"]) if ch["start"] is not None else pd.Timestamp.min
        end = pd.Timestamp(self.end)
        return any(s in ctrl and start < d <= end for s, d in self._changes)

    def run(self, specs: pd.DataFrame, placebo: Any = None) -> pd.DataFrame:
        """One row per specification; ``placebo`` (a month) moves the target step there."""
        return self._many(specs, [placebo]).drop(columns="draw").reset_index(drop=True)

    def run_null(self, specs: pd.DataFrame, placebos: Sequence[Any]) -> pd.DataFrame:
        """Every (placebo month, specification) pair, batched over placebos per spec."""
        return self._many(specs, list(placebos))

    def _many(self, specs: pd.DataFrame, placebos: list[Any]) -> pd.DataFrame:
        cols: dict[str, list] = {c: [] for c in (*_OUT, "skip_reason", "draw", "spec")}
        fixed = None if placebos == [None] else [
            pd.Timestamp(p).to_period("M").to_timestamp() for p in placebos
        ]
        for i, ch in enumerate(self._choices(specs)):
            months = fixed or [_event_month(self.target, ch["event_month"])]
            nm = len(months)
            if "_skip" in ch:
                r = {"skip_reason": np.full(nm, ch["_skip"], dtype=object)}
            else:
                try:
                    r = self._estimate(ch, months)
                except ValueError as exc:
                    if "not allowed" in str(exc):
                        raise
                    r = {"skip_reason": np.full(nm, f"ValueError: {exc}", dtype=object)}
            for c in _OUT:
                cols[c].append(r.get(c, np.full(nm, np.nan)))
            cols["skip_reason"].append(r["skip_reason"])
            cols["draw"].append(np.arange(nm))
            cols["spec"].append(np.full(nm, i))
        out = pd.DataFrame({c: np.concatenate(v) for c, v in cols.items()})
        return out.sort_values(["draw", "spec"], kind="stable").reset_index(drop=True)


def _pre_trend_supported(y: np.ndarray, C: np.ndarray, t: np.ndarray, alpha: float = 0.05) -> bool:
    C = C[:, np.any(C != 0, axis=0)]  # basis dummies and interactions are 0 before the change
    X = np.column_stack([C, t])
    n, k = X.shape
    if n < k + 4 or np.linalg.matrix_rank(X) < k:
        return False
    b, *_ = np.linalg.lstsq(X, y, rcond=None)
    u = y - X @ b
    s2 = u @ u / (n - k)
    se = math.sqrt(s2 * np.linalg.inv(X.T @ X)[-1, -1])
    return bool(2 * stats.t.sf(abs(b[-1] / se), n - k) < alpha)


# --- placebo in time ----------------------------------------------------------------------
class PlaceboInTimeResults(ResultsBase):
    """Results of :func:`placebo_in_time` (read-only)."""

    _title = "Placebo in time: the step moved to every admissible month"

    def __init__(self, *, table: pd.DataFrame, true_month: pd.Timestamp, choices: dict) -> None:
        self._table, self._true, self._choices = table, true_month, choices

    @property
    def table(self) -> pd.DataFrame:
        """One row per month: ``month, estimate, se, statistic, p_value, is_true``."""
        return self._table.copy()

    @property
    def true_month(self) -> pd.Timestamp:
        """Month of the actual step."""
        return self._true

    @property
    def estimate(self) -> float:
        """Step estimate at the true month."""
        return float(self._table.loc[self._table["is_true"], "estimate"].iloc[0])

    @property
    def statistic(self) -> float:
        """t statistic at the true month."""
        return float(self._table.loc[self._table["is_true"], "statistic"].iloc[0])

    @property
    def n_placebos(self) -> int:
        """Number B of placebo months estimated."""
        return int((~self._table["is_true"]).sum())

    @property
    def rank(self) -> int:
        """Rank of the true month by |t| among all B + 1 months (1 = largest)."""
        a = self._table["statistic"].abs().to_numpy()
        return int(1 + np.sum(a[~self._table["is_true"].to_numpy()] > abs(self.statistic)))

    @property
    def p_value(self) -> float:
        """Randomization p-value ``(1 + #{|t_b| >= |t|}) / (1 + B)``."""
        a = self._table.loc[~self._table["is_true"], "statistic"].abs().to_numpy()
        return float((1 + np.sum(a >= abs(self.statistic) - 1e-12)) / (1 + len(a)))

    @property
    def choices(self) -> dict:
        """The specification used."""
        return dict(self._choices)

    def summary_frame(self) -> pd.DataFrame:
        """One row: ``estimate, se, statistic, p_value`` (randomization), ``rank, n_placebos``."""
        row = self._table.loc[self._table["is_true"]].iloc[0]
        return pd.DataFrame(
            {"estimate": [row["estimate"]], "se": [row["se"]], "statistic": [row["statistic"]],
             "p_value": [self.p_value], "ci_low": np.nan, "ci_high": np.nan,
             "rank": [self.rank], "n_placebos": [self.n_placebos]},
            index=pd.Index([f"{self._true:%Y-%m}"], name="true_month"),
        )

    def _notes(self) -> list[str]:
        return [
            f"True month ranks {self.rank} of {self.n_placebos + 1} by |t|; randomization "
            f"p = (1 + #|t_b| >= |t|)/(1 + B) = {self.p_value:.3f}; choices {self._choices}."
        ]

    def plot(self, ax: Any = None) -> Any:
        """|t| by month with the true month marked (``plot_placebo_in_time``)."""
        from potash.figures.prices import plot_placebo_in_time

        return plot_placebo_in_time(self._table, ax=ax)


def placebo_in_time(design: ITSCurveDesign, *, months: Sequence[Any] | None = None,
                    **choices: Any) -> PlaceboInTimeResults:
    """Move the design's target step to every admissible month; randomization p and rank.

    Parameters
    ----------
    design : ITSCurveDesign
    months : sequence of date-like, optional
        Placebo months (default every month of the sample except the true one; months
        without ``min_pre``/``min_post`` months around them, or giving a rank-deficient
        design, are dropped).
    **choices
        The specification (defaults of the design otherwise).

    Returns
    -------
    PlaceboInTimeResults

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> d = pd.date_range("2018-01-01", periods=48, freq="MS")
    >>> y = 1 + 0.5 * (d >= "2020-01-01") + rng.normal(0, 0.05, 48)
    >>> p = pd.DataFrame({"date": d, "series": "k", "value": np.exp(y), "unit": "$"})
    >>> des = ITSCurveDesign(p, "k", steps=["2020-01-01"], target="2020-01-01", end="2021-12",
    ...                      basis_changes=p.iloc[:0])
    >>> res = placebo_in_time(des, inference="nw")
    >>> res.rank, round(res.p_value, 3)
    (1, 0.025)
    """
    ch = dict(design.defaults)
    ch.update(choices)
    spec = pd.DataFrame([{k: ch[k] for k in ITSCurveDesign.CHOICES}])
    true = _event_month(design.target, ch["event_month"])
    if months is None:
        idx = design._panel((design.series, *design._controls(ch["controls"])), ch["start"]).index
        months = [m for m in idx if m != true]
    months = [pd.Timestamp(m).to_period("M").to_timestamp() for m in months]
    months = [m for m in months if m != true]
    est = design.run_null(spec, [true, *months])
    est["month"] = [true, *months]
    est["is_true"] = est["draw"] == 0
    if pd.isna(est.loc[0, "estimate"]):
        raise ValueError(f"no estimate at the true month: {est.loc[0, 'skip_reason']}")
    est = est[est["estimate"].notna()]
    table = est[["month", "estimate", "se", "statistic", "p_value", "is_true"]].reset_index(drop=True)
    return PlaceboInTimeResults(table=table, true_month=true, choices=ch)


# --- pre-event counterfactual ------------------------------------------------------------
class PreEventCounterfactualResults(ResultsBase):
    """Results of :func:`pre_event_counterfactual` (read-only)."""

    _title = "Counterfactual fitted on pre-event months, projected forward"

    def __init__(
        self,
        *,
        path: pd.DataFrame,
        estimate: float,
        se: float,
        df: Any,
        trend_used: bool,
        pre: str,
        window: str,
    ) -> None:
        self._path = path
        self._estimate = estimate
        self._se = se
        self._df = df
        self._trend_used = trend_used
        self._pre = pre
        self._window = window

    @property
    def path(self) -> pd.DataFrame:
        """By month: ``actual, counterfactual, band_low, band_high, abnormal, post`` (logs)."""
        return self._path.copy()

    @property
    def estimate(self) -> float:
        """Mean abnormal log price over the post window."""
        return self._estimate

    @property
    def se(self) -> float:
        """Standard error of the mean abnormal price (see :func:`pre_event_counterfactual`)."""
        return self._se

    @property
    def df(self) -> int:
        """Degrees of freedom of the pre-event fit."""
        return self._df

    @property
    def trend_used(self) -> bool:
        """Whether the linear trend entered (pre-period test)."""
        return self._trend_used

    def summary_frame(self) -> pd.DataFrame:
        """One row: mean abnormal log price over the window with its t interval."""
        q = stats.t.isf(0.025, self.df)
        t = self.estimate / self.se
        return pd.DataFrame(
            {"estimate": [self.estimate], "se": [self.se], "statistic": [t],
             "p_value": [2 * stats.t.sf(abs(t), self.df)],
             "ci_low": [self.estimate - q * self.se], "ci_high": [self.estimate + q * self.se]},
            index=pd.Index(["mean_abnormal"], name="term"),
        )

    def _notes(self) -> list[str]:
        return [
            "Estimand: the outcome against the path its pre-event relation to the controls "
            "predicts (other fertilizers), not the price without the event.",
            f"Pre-event fit {self._pre}; window {self._window}; trend "
            f"{'included' if self.trend_used else 'not included'}; bands: 95% prediction "
            "intervals (iid errors: they understate uncertainty under autocorrelation).",
        ]

    def plot(self, ax: Any = None) -> Any:
        """Actual vs projected counterfactual with the forecast band."""
        from potash.figures.prices import plot_counterfactual_band

        return plot_counterfactual_band(self._path, ax=ax)


def pre_event_counterfactual(
    prices: pd.DataFrame,
    series: str,
    *,
    event: Any,
    controls: Sequence[str] = (),
    start: Any = None,
    end: Any = None,
    trend: Trend = "pre",
    basis_changes: pd.DataFrame | None = None,
    level: float = 0.95,
) -> PreEventCounterfactualResults:
    """Fit the outcome on the months before ``event`` only and project it forward.

    OLS of ``log y`` on a constant, the log controls (spliced across basis changes with
    :func:`splice_series`) and, per ``trend``, a linear trend, over ``start`` .. the month
    before the event; the counterfactual is the projection to ``end``. The estimate is the
    mean abnormal log price over the window; its variance is ``xbar' V xbar + s^2 / h``
    (``V`` the classical covariance of the fit, ``xbar`` the mean regressor row of the ``h``
    window months), and the bands are pointwise prediction intervals
    ``yhat -/+ t sqrt(s^2 + x' V x)``.

    Returns
    -------
    PreEventCounterfactualResults

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> d = pd.date_range("2019-01-01", periods=36, freq="MS")
    >>> c = 5 + np.cumsum(rng.normal(0, 0.05, 36))
    >>> y = 0.7 * c + 0.4 * (d >= "2021-01-01") + rng.normal(0, 0.02, 36)
    >>> p = pd.concat([pd.DataFrame({"date": d, "series": s, "value": np.exp(v), "unit": "$"})
    ...                for s, v in [("k", y), ("c", c)]])
    >>> res = pre_event_counterfactual(p, "k", event="2021-01-15", controls=["c"],
    ...                                basis_changes=p.iloc[:0])
    >>> round(res.estimate, 1)
    0.4
    """
    check_option("trend", trend, Trend)
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    names = [series, *controls]
    logp = log_price_panel(prices, names, start=start, end=end, basis="ignore")
    bc = known_basis_changes() if basis_changes is None else basis_changes
    for r in bc.itertuples(index=False):
        if str(r.series) in controls:
            logp[str(r.series)] = splice_series(logp[str(r.series)], r.date)
    idx = logp.index
    m = _event_month(event, "containing")
    if not idx[0] < m <= idx[-1]:
        raise ValueError(f"event month {m:%Y-%m} outside the sample {idx[0]:%Y-%m}..{idx[-1]:%Y-%m}")
    k0 = int(idx.get_loc(m))
    t = np.arange(len(idx), dtype=float)
    C = np.column_stack([np.ones(len(idx)), *[logp[c].to_numpy() for c in controls]])
    y = logp[series].to_numpy()
    use_trend = trend == "linear" or (
        trend == "pre" and _pre_trend_supported(y[:k0], C[:k0], t[:k0])
    )
    X = np.column_stack([C, t]) if use_trend else C
    n, k = k0, X.shape[1]
    if n <= k + 1:
        raise ValueError(f"{n} pre-event months for {k} regressors")
    b, *_ = np.linalg.lstsq(X[:k0], y[:k0], rcond=None)
    u = y[:k0] - X[:k0] @ b
    s2 = float(u @ u / (n - k))
    V = s2 * np.linalg.inv(X[:k0].T @ X[:k0])
    cf = X @ b
    q = stats.t.isf((1 - level) / 2, n - k)
    half = q * np.sqrt(s2 + np.einsum("tk,kl,tl->t", X, V, X))
    post = idx >= m
    path = pd.DataFrame(
        {"actual": y, "counterfactual": cf, "band_low": cf - half, "band_high": cf + half,
         "abnormal": y - cf, "post": post},
        index=idx,
    )
    xbar = X[post].mean(0)
    se = math.sqrt(float(xbar @ V @ xbar) + s2 / post.sum())
    return PreEventCounterfactualResults(
        path=path, estimate=float((y - cf)[post].mean()), se=se, df=n - k,
        trend_used=bool(use_trend), pre=f"{idx[0]:%Y-%m}..{idx[k0 - 1]:%Y-%m}",
        window=f"{m:%Y-%m}..{idx[-1]:%Y-%m}",
    )
