"""Randomization inference for a panel with one treated unit (in-space permutation).

With one treated unit, cluster-robust standard errors rest on a single cluster and are
unreliable (MacKinnon and Webb 2017). :func:`unit_permutation` instead re-estimates the same
PPML model (exporter and year fixed effects, ``exp(b) - 1`` the proportional effect) with the
treatment reassigned to each control unit in turn, and compares:

* **permutation p-value** (two-sided, per term): ``p = (1 + #{j: |b_j| >= |b_1|}) / (1 + J)``,
  ``b_1`` the treated unit's estimate and ``b_j`` the J placebo estimates; the **rank** of
  ``|b_1|`` among the ``J + 1`` units is ``1 + #{j: |b_j| >= |b_1|}`` (1 = largest), so
  ``p = rank / (J + 1)`` and the smallest attainable p-value (the *floor*) is ``1 / (J + 1)``;
* **Conley-Taber interval** (Conley and Taber 2011, "Inference with 'difference in
  differences' with a small number of policy changes"): the treated unit's estimate is
  ``b_1 = beta + W_1`` and, under exchangeability of the treated unit's and the controls'
  errors, the placebo estimates ``b_j = W_j`` (true effect zero) are draws from the
  distribution of ``W_1``. Inverting ``W_(k) <= b_1 - beta <= W_(J+1-k)`` (order statistics,
  ascending) gives ``[b_1 - W_(J+1-k), b_1 - W_(k)]`` with exact coverage
  ``(J + 1 - 2k) / (J + 1)`` for continuous errors; ``k = floor((J + 1) alpha / 2)``, at
  least 1. With few controls the nominal level is not attainable: ``k = 1`` (the widest
  interval the data allow) covers ``(J - 1) / (J + 1)``, which the results report as
  ``ci_coverage`` (0.83 with J = 11).

Placebo fits drop the actually treated unit from the sample (``drop_treated=True``, as in
Abadie, Diamond and Hainmueller 2010), so that its own post-treatment change does not enter
the year effects of a placebo. ``J`` counts the placebos that could be estimated.

Event-time terms (leads ``k < 0`` and lags ``k >= 0`` of ``k = year - post_start``, the
``reference`` period omitted, endpoints binned) get a permutation p-value each, so leads can
be read against the same randomization distribution as the effect. ``treated_trend`` adds a
treated-unit linear trend ``(year - post_start)``: ``"pre"`` in pre-treatment years only (its
coefficient is the treated unit's pre-trend relative to the controls, a pre-trend test, and
``treated_post`` compares the post period with the trend's level at ``post_start``), ``"all"``
in every year (``treated_post`` is then the deviation from the treated unit's own
extrapolated trend).

The PPML fits are dense IRLS on ``[terms, intercept, unit and year dummies]`` (the same
estimator as :func:`potash.estimators.ppml.trade_event_study`, which is statsmodels GLM;
tested equal to 1e-7), without the separation checks: units whose outcome is zero in every
year are dropped first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.results import ResultsBase

__all__ = ["PermutationResults", "ct_interval", "permutation_pvalue", "ppml_fe", "unit_permutation"]

Terms = Literal["did", "event_time"]
TreatedTrend = Literal["none", "pre", "all"]


def ppml_fe(
    y: np.ndarray,
    terms: np.ndarray,
    unit: np.ndarray,
    time: np.ndarray,
    *,
    tol: float = 1e-12,
    maxiter: int = 100,
) -> np.ndarray:
    """PPML coefficients of ``terms`` with unit and time fixed effects (dense IRLS).

    Parameters
    ----------
    y : array, shape (n,)
        Non-negative outcome.
    terms : array, shape (n, m)
        Regressors of interest.
    unit, time : arrays of int codes, shape (n,)
        Fixed-effect groups (0, 1, ...).
    tol, maxiter
        Convergence: relative change of the deviance below ``tol``.

    Returns
    -------
    ndarray, shape (m,)

    Examples
    --------
    >>> y = np.array([1.0, 2.0, 2.0, 4.0, 3.0, 3.0])
    >>> d = np.array([[0.0], [0], [0], [1], [0], [0]])
    >>> unit, time = np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 0, 1, 0, 1])
    >>> bool(round(float(ppml_fe(y, d, unit, time)[0]), 6) == round(np.log(4 / (2 * 5 / 4)), 6))
    True
    """
    y = np.asarray(y, dtype=float)
    terms = np.asarray(terms, dtype=float).reshape(len(y), -1)
    m = terms.shape[1]
    scale = float(y.mean()) or 1.0
    ys = y / scale
    nu, nt = int(unit.max()) + 1, int(time.max()) + 1
    X = np.column_stack(
        [terms, np.ones(len(y)), np.eye(nu)[unit][:, 1:], np.eye(nt)[time][:, 1:]]
    )
    mu = (ys + ys.mean()) / 2
    eta = np.log(mu)
    dev_old = np.inf
    b = np.zeros(X.shape[1])
    for _ in range(maxiter):
        z = eta + (ys - mu) / mu
        Xw = X * mu[:, None]
        A = Xw.T @ X
        try:
            b = np.linalg.solve(A, Xw.T @ z)
        except np.linalg.LinAlgError:
            b = np.linalg.lstsq(A, Xw.T @ z, rcond=None)[0]
        eta = X @ b
        mu = np.exp(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2 * float(np.sum(np.where(ys > 0, ys * np.log(ys / mu), 0.0) - (ys - mu)))
        if abs(dev - dev_old) <= tol * (abs(dev) + 0.1):
            break
        dev_old = dev
    return b[:m]


def permutation_pvalue(treated: float | np.ndarray, placebo: np.ndarray) -> np.ndarray:
    """Two-sided permutation p-value ``(1 + #{|b_j| >= |b_1|}) / (1 + J)`` per column.

    Examples
    --------
    >>> permutation_pvalue(-0.7, np.array([0.1, -0.8, 0.3, 0.7]))
    array([0.6])
    """
    b1 = np.atleast_1d(np.asarray(treated, dtype=float))
    pl = np.asarray(placebo, dtype=float).reshape(-1, b1.size)
    ok = ~np.isnan(pl)
    cnt = ((np.abs(pl) >= np.abs(b1)[None, :] - 1e-12) & ok).sum(axis=0)
    return (1 + cnt) / (1 + ok.sum(axis=0))


def ct_interval(
    treated: float, placebo: np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """Conley-Taber interval ``[b_1 - W_(J+1-k), b_1 - W_(k)]`` and its exact coverage.

    Returns ``(low, high, coverage)``; see the module notes.

    Examples
    --------
    >>> [round(v, 6) for v in ct_interval(-0.7, np.array([0.1, -0.2, 0.3]), level=0.5)]
    [-1.0, -0.5, 0.5]
    """
    if not 0 < level < 1:
        raise ValueError(f"level={level} must be between 0 and 1")
    w = np.sort(np.asarray(placebo, dtype=float)[~np.isnan(placebo)])
    j = len(w)
    if j == 0:
        return np.nan, np.nan, np.nan
    k = max(1, int(np.floor((j + 1) * (1 - level) / 2 + 1e-12)))
    return float(treated - w[j - k]), float(treated - w[k - 1]), (j + 1 - 2 * k) / (j + 1)


def _design(
    years: np.ndarray,
    is_treated: np.ndarray,
    post_start: int,
    terms: str,
    leads: int | None,
    lags: int | None,
    reference: int,
    treated_trend: str,
) -> tuple[np.ndarray, list[str]]:
    k = (years - post_start).astype(float)
    kt = k[is_treated]
    cols: list[np.ndarray] = []
    names: list[str] = []
    if terms == "did":
        cols.append((is_treated & (k >= 0)).astype(float))
        names.append("treated_post")
    else:
        lo = int(kt.min()) if leads is None else -int(leads)
        hi = int(kt.max()) if lags is None else int(lags)
        kk = np.clip(k, lo, hi)
        for e in range(lo, hi + 1):
            if e == reference:
                continue
            cols.append((is_treated & (kk == e)).astype(float))
            names.append(f"et_m{-e}" if e < 0 else f"et_p{e}")
    if treated_trend == "pre":
        cols.append(np.where(is_treated & (k < 0), k, 0.0))
        names.append("treated_pretrend")
    elif treated_trend == "all":
        cols.append(np.where(is_treated, k, 0.0))
        names.append("treated_trend")
    return np.column_stack(cols), names


def unit_estimates(
    panel: pd.DataFrame,
    units: list[str],
    *,
    treated: str,
    post_start: int,
    unit: str = "exporter",
    time: str = "year",
    outcome: str = "y",
    terms: Terms = "did",
    leads: int | None = 4,
    lags: int | None = None,
    reference: int = -1,
    treated_trend: TreatedTrend = "none",
    drop_treated: bool = True,
) -> pd.DataFrame:
    """PPML estimates with each of ``units`` as the treated unit (one row each).

    ``treated`` is the actually treated unit: fitted on the full panel; every other unit is
    fitted without ``treated`` when ``drop_treated``. A unit that cannot be estimated (no
    pre or post year, reference period missing) gets NaN.

    Examples
    --------
    >>> panel = pd.DataFrame({"exporter": np.repeat(["A", "B", "C"], 3), "year": [1, 2, 3] * 3,
    ...                       "y": [1.0, 1, 2, 2, 2, 2, 3, 3, 3]})
    >>> unit_estimates(panel, ["A", "B"], treated="A", post_start=3)["treated_post"].round(4).tolist()
    [0.6931, 0.0]
    """
    check_option("terms", terms, Terms)
    check_option("treated_trend", treated_trend, TreatedTrend)
    for col in (unit, time, outcome):
        if col not in panel.columns:
            raise PotashDataError("missing column", file="panel", column=col)
    p = pd.DataFrame({c: panel[c].to_numpy() for c in (unit, time, outcome)}).dropna()
    tot = p.groupby(unit)[outcome].transform("sum")
    p = p[tot.to_numpy() > 0]
    u_all = p[unit].to_numpy().astype(str)
    t_all = p[time].to_numpy().astype(int)
    y_all = p[outcome].to_numpy().astype(float)
    if terms == "event_time":
        # one event window for every unit: the treated unit's (placebos cannot move it)
        kt0 = t_all[u_all == treated] - post_start
        if len(kt0) == 0:
            raise PotashDataError(f"treated unit {treated!r} not in the panel", column=unit)
        leads = int(-kt0.min()) if leads is None else leads
        lags = int(kt0.max()) if lags is None else lags
    rows: dict[str, np.ndarray | None] = {}
    names: list[str] | None = None
    for u in units:
        keep = (u_all != treated) if (u != treated and drop_treated) else np.ones(len(u_all), bool)
        uu, yrs, yy = u_all[keep], t_all[keep], y_all[keep]
        is_t = uu == u
        kt = yrs[is_t] - post_start
        if is_t.sum() == 0 or (kt < 0).sum() == 0 or (kt >= 0).sum() == 0 or (
            terms == "event_time" and not (kt == reference).any()
        ):
            rows[u] = None
            continue
        D, nm = _design(yrs, is_t, post_start, terms, leads, lags, reference, treated_trend)
        names = nm if names is None else names
        live = D.any(axis=0)
        uc = np.unique(uu, return_inverse=True)[1]
        tc = np.unique(yrs, return_inverse=True)[1]
        b = np.full(len(nm), np.nan)
        b[live] = ppml_fe(yy, D[:, live], uc, tc)
        rows[u] = b
    if names is None:
        raise PotashDataError("no unit could be estimated", file="panel")
    out = pd.DataFrame(
        [np.full(len(names), np.nan) if v is None else v for v in rows.values()],
        index=pd.Index(list(rows), name=unit),
        columns=names,
    )
    return out


def unit_permutation(
    panel: pd.DataFrame,
    *,
    treated: str,
    post_start: int,
    unit: str = "exporter",
    time: str = "year",
    outcome: str = "y",
    terms: Terms = "did",
    leads: int | None = 4,
    lags: int | None = None,
    reference: int = -1,
    treated_trend: TreatedTrend = "none",
    drop_treated: bool = True,
    level: float = 0.95,
) -> PermutationResults:
    """In-space permutation inference for one treated unit (see the module notes).

    Parameters
    ----------
    panel : DataFrame
        Long panel with ``unit``, ``time`` and ``outcome`` columns (e.g. from
        :func:`potash.estimators.ppml.trade_panel`).
    treated : str
        The treated unit.
    post_start : int
        First post-treatment period.
    terms : {"did", "event_time"}
        One ``treated_post`` term, or event-time dummies (``leads``, ``lags``, ``reference``
        as in :func:`potash.estimators.ppml.trade_event_study`).
    treated_trend : {"none", "pre", "all"}
        Treated-unit linear trend (module notes).
    drop_treated : bool
        Drop the treated unit from the placebo fits.
    level : float
        Nominal level of the Conley-Taber interval.

    Returns
    -------
    PermutationResults

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> units, years = [f"U{i}" for i in range(10)], np.arange(2010, 2020)
    >>> panel = pd.DataFrame([(u, t) for u in units for t in years], columns=["exporter", "year"])
    >>> mu = np.exp(rng.normal(0, 0.05, len(panel)) - 0.7 * ((panel["exporter"] == "U0")
    ...                                                       & (panel["year"] >= 2016)))
    >>> res = unit_permutation(panel.assign(y=100 * mu), treated="U0", post_start=2016)
    >>> float(res.pvalues["treated_post"]), int(res.rank["treated_post"]), res.p_floor
    (0.1, 1, 0.1)
    """
    if treated not in set(panel[unit]):
        raise PotashDataError(f"treated unit {treated!r} not in the panel", column=unit)
    units = [treated, *[u for u in pd.unique(panel[unit]) if u != treated]]
    est = unit_estimates(
        panel, units, treated=treated, post_start=post_start, unit=unit, time=time,
        outcome=outcome, terms=terms, leads=leads, lags=lags, reference=reference,
        treated_trend=treated_trend, drop_treated=drop_treated,
    )
    if est.loc[treated].isna().all():
        raise PotashDataError(f"the treated unit {treated!r} cannot be estimated", column=unit)
    return PermutationResults(
        _estimates=est,
        _settings={"treated": treated, "post_start": post_start, "terms": terms,
                   "treated_trend": treated_trend, "level": level,
                   "drop_treated": drop_treated, "unit": unit},
    )


@dataclass(repr=False)
class PermutationResults(ResultsBase):
    """Results of :func:`unit_permutation` (read-only).

    Examples
    --------
    >>> est = pd.DataFrame({"treated_post": [-0.7, 0.1, -0.2, 0.3]}, index=["T", "A", "B", "C"])
    >>> res = PermutationResults(_estimates=est, _settings={"treated": "T", "level": 0.5})
    >>> float(res.pvalues["treated_post"]), res.p_floor
    (0.25, 0.25)
    """

    _estimates: pd.DataFrame
    _settings: dict[str, Any] = field(default_factory=dict)

    _title = "In-space permutation inference"

    @property
    def treated(self) -> str:
        """The treated unit."""
        return str(self._settings["treated"])

    @property
    def estimates(self) -> pd.DataFrame:
        """Estimates with each unit as treated (first row: the treated unit)."""
        return self._estimates.copy()

    @property
    def placebo_estimates(self) -> pd.DataFrame:
        """The J placebo units' estimates (rows that could be estimated)."""
        pl = self._estimates.drop(index=self.treated)
        return pl.dropna(how="all")

    @property
    def params(self) -> pd.Series:
        """The treated unit's estimates (log points)."""
        return self._estimates.loc[self.treated].rename("estimate")

    @property
    def effects(self) -> pd.Series:
        """Proportional effects ``exp(b) - 1`` in percent."""
        return (100 * np.expm1(self.params)).rename("effect_pct")

    @property
    def n_placebos(self) -> int:
        """J: placebo units estimated (a term a placebo lacks counts per term, see ``pvalues``)."""
        return len(self.placebo_estimates)

    @property
    def p_floor(self) -> float:
        """Smallest attainable p-value, ``1 / (J + 1)``."""
        return 1.0 / (self.n_placebos + 1)

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided permutation p-values, one per term."""
        pv = permutation_pvalue(self.params.to_numpy(), self.placebo_estimates.to_numpy())
        return pd.Series(pv, index=self.params.index, name="p_value")

    @property
    def rank(self) -> pd.Series:
        """Rank of ``|b_treated|`` among the J + 1 units (1 = largest; ties count against)."""
        b1 = self.params.to_numpy()
        pl = self.placebo_estimates.to_numpy()
        cnt = ((np.abs(pl) >= np.abs(b1)[None, :] - 1e-12) & ~np.isnan(pl)).sum(axis=0)
        return pd.Series(1 + cnt, index=self.params.index, name="rank")

    @property
    def level(self) -> float:
        """Nominal level asked for the interval."""
        return float(self._settings.get("level", 0.95))

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        """Conley-Taber intervals (columns ``lower, upper, coverage``), one row per term."""
        level = self.level if level is None else level
        pl = self.placebo_estimates
        rows = {t: ct_interval(float(self.params[t]), pl[t].to_numpy(), level) for t in pl}
        return pd.DataFrame(rows, index=["lower", "upper", "coverage"]).T

    @property
    def ci_coverage(self) -> float:
        """Exact coverage of the reported interval (below the nominal level when J is small)."""
        return float(self.conf_int()["coverage"].iloc[0])

    def summary_frame(self) -> pd.DataFrame:
        """One row per term: ``estimate, se, statistic, p_value, ci_low, ci_high`` (se and
        statistic NaN: randomization inference has none), ``coverage``, ``rank``,
        ``n_placebos``, ``p_floor``, ``effect_pct, effect_ci_low, effect_ci_high``."""
        ci = self.conf_int()
        out = pd.DataFrame(
            {
                "estimate": self.params,
                "se": np.nan,
                "statistic": np.nan,
                "p_value": self.pvalues,
                "ci_low": ci["lower"],
                "ci_high": ci["upper"],
                "coverage": ci["coverage"],
                "rank": self.rank,
                "n_placebos": self.n_placebos,
                "p_floor": self.p_floor,
                "effect_pct": self.effects,
                "effect_ci_low": 100 * np.expm1(ci["lower"].astype(float)),
                "effect_ci_high": 100 * np.expm1(ci["upper"].astype(float)),
            }
        )
        out.index.name = "term"
        return out

    def _notes(self) -> list[str]:
        j = self.n_placebos
        return [
            f"Treatment reassigned to each of J = {j} control units; p = (1 + #{{|b_j| >= "
            f"|b_treated|}}) / (1 + J), floor 1/(J+1) = {self.p_floor:.3f}.",
            f"Conley-Taber intervals from the placebo distribution; exact coverage "
            f"{self.ci_coverage:.3f} (nominal {self.level:g}).",
        ]

    def plot(self, ax: Any = None, term: str | None = None) -> Any:
        """The treated unit's estimate against the placebo estimates (one term)."""
        from potash.figures.panel import plot_permutation

        return plot_permutation(self, ax=ax, term=term)
