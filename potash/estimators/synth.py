"""Synthetic control for the treated exporter's flows, with in-space placebo inference.

The synthetic unit is a convex combination of donor exporters (weights ``w_j >= 0``,
``sum_j w_j = 1``) chosen to reproduce the treated unit's pre-treatment outcomes (Abadie,
Diamond and Hainmueller 2010). Weights minimise, with scipy's SLSQP::

    (1/T0) sum_{t < post} ((y_1t - sum_j w_j y_jt) / s_y)^2
      + covariate_weight * (1/C) sum_c ((x_1c - sum_j w_j x_jc) / s_c)^2

where ``s_y`` is the standard deviation of the pre-period outcomes over all units and years,
``s_c`` the standard deviation of covariate ``c`` over units, and the covariate term is present
only if ``covariates`` are given (a fixed, documented predictor weighting; the nested
optimisation of the predictor weights ``V`` of the Synth package is not implemented).
With more donors than pre-periods the weights may not be unique; the fitted path is.

Inference is by in-space placebos (Abadie et al. 2010, section 4): each donor in turn is
treated as if sanctioned, its synthetic control is built from the *other* donors (the treated
unit is never a donor), and the ratio of post- to pre-period root mean squared prediction
error (RMSPE) is computed for every unit. The permutation p-value is the share of units
(treated and placebos) whose ratio is at least the treated unit's:
``p = #{units with ratio >= ratio_treated} / (J + 1)``, so the smallest attainable p-value is
``1/(J+1)``. ``rmspe_cutoff`` optionally drops placebos whose pre-RMSPE exceeds
``rmspe_cutoff`` times the treated unit's (poorly fitted placebos), as in that paper's figures.
With J = 10 placebos the floor is 0.091: no p-value below it can come out of this design.

Donor data-quality screen
-------------------------
A donor whose series is broken dominates a synthetic control that happens to fit on it (the
FAOSTAT potassium chloride series of Jordan is about zero in every year but 2020 and 2022).
:func:`screen_donors` flags, over the sample years,

* ``near_zero``: a series at or below ``near_zero`` (default 5%) of its own maximum in more
  than ``zero_share`` (default half) of the years;
* ``jump``: a year-on-year change by a factor of ``jump_factor`` (default 3) or more, up or
  down (a change from zero to a positive value, or back, counts as a jump).

By default (``screen=True``) flagged donors are excluded before fitting and reported in
``results.excluded`` and ``results.donor_screen``; ``screen=False`` keeps them (the flags are
still reported).

Leave-one-out donors
--------------------
``leave_one_out=True`` (default) re-fits the synthetic control once without each donor with
a positive weight (above ``1e-3``), re-running the placebos on the reduced pool, and reports
each fit's weights, ATT, ATT in percent, pre-RMSPE, RMSPE ratio and permutation p-value in
``results.leave_one_out`` (Abadie, Diamond and Hainmueller 2015, section "robustness").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize
from threadpoolctl import threadpool_limits

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.data._common import as_names
from potash.data.events import normalise_events
from potash.estimators.ppml import (
    MinQuantityRule,
    Timing,
    _build_panel,
    post_start_year,
)

__all__ = ["SyntheticControlResults", "screen_donors", "synth_weights", "synthetic_control"]

Normalize = Literal["none", "pre_mean"]


def synth_weights(
    treated_pre: np.ndarray,
    donors_pre: np.ndarray,
    *,
    treated_cov: np.ndarray | None = None,
    donors_cov: np.ndarray | None = None,
    covariate_weight: float = 1.0,
    scale: float | None = None,
) -> np.ndarray:
    """Convex weights (non-negative, summing to one) that best reproduce the treated unit.

    Parameters
    ----------
    treated_pre : array, shape (T0,)
        Treated unit's pre-period outcomes.
    donors_pre : array, shape (T0, J)
        Donors' pre-period outcomes, one column per donor.
    treated_cov, donors_cov : arrays, shapes (C,) and (C, J), optional
        Covariates (already standardised by the caller).
    covariate_weight : float
        Weight of the mean squared covariate discrepancy relative to the outcome term.
    scale : float, optional
        Divisor of the outcome discrepancies (default: sd of all pre-period outcomes).

    Returns
    -------
    ndarray, shape (J,)

    Examples
    --------
    >>> donors = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 3.0], [4.0, 2.0]])
    >>> treated = donors @ np.array([0.25, 0.75])
    >>> np.round(synth_weights(treated, donors), 6).tolist()
    [0.25, 0.75]
    """
    y1 = np.asarray(treated_pre, dtype=float)
    Y0 = np.asarray(donors_pre, dtype=float)
    if Y0.ndim != 2 or y1.ndim != 1 or Y0.shape[0] != len(y1):
        raise ValueError(
            f"synth_weights: treated_pre must be (T0,) and donors_pre (T0, J); got "
            f"{y1.shape} and {Y0.shape}"
        )
    for name, arr in (("treated_pre", y1), ("donors_pre", Y0)):
        bad = ~np.isfinite(arr)
        if bad.any():
            where = np.argwhere(bad)[0]
            raise ValueError(
                f"synth_weights: {name} has a non-finite value {float(arr[tuple(where)])} at "
                f"{'row ' + str(where[0]) if arr.ndim == 1 else f'row {where[0]}, donor column {where[1]}'}"
            )
    t0, j = Y0.shape
    if j == 1:
        return np.ones(1)
    if scale is None:
        scale = float(np.std(np.column_stack([y1, Y0]))) or 1.0
    A = Y0 / (scale * np.sqrt(t0))
    b = y1 / (scale * np.sqrt(t0))
    if treated_cov is not None and donors_cov is not None and len(treated_cov):
        c = len(treated_cov)
        f = np.sqrt(covariate_weight / c)
        A = np.vstack([A, f * np.asarray(donors_cov, dtype=float)])
        b = np.concatenate([b, f * np.asarray(treated_cov, dtype=float)])
    AtA, Atb = A.T @ A, A.T @ b

    def obj(w: np.ndarray) -> float:
        r = A @ w - b
        return float(r @ r)

    def grad(w: np.ndarray) -> np.ndarray:
        return 2.0 * (AtA @ w - Atb)

    best = None
    starts = [np.full(j, 1.0 / j), *np.eye(j)[: min(j, 3)] * 0.98 + 0.02 / j]
    for w0 in starts:
        sol = optimize.minimize(
            obj,
            w0,
            jac=grad,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * j,
            constraints=[
                {"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones_like(w)}
            ],
            options={"ftol": 1e-15, "maxiter": 2000},
        )
        if best is None or sol.fun < best.fun:
            best = sol
    w = np.clip(best.x, 0.0, None)
    return w / w.sum()


def screen_donors(
    wide: pd.DataFrame,
    *,
    near_zero: float = 0.05,
    zero_share: float = 0.5,
    jump_factor: float = 3.0,
) -> pd.DataFrame:
    """Data-quality flags of each column of a wide (year x unit) table.

    Parameters
    ----------
    wide : DataFrame
        One row per year, one column per unit.
    near_zero : float
        A year is near zero if its value is at most this share of the unit's maximum.
    zero_share : float
        Flag ``near_zero`` if more than this share of the years are near zero.
    jump_factor : float
        Flag ``jump`` if a year-on-year ratio (up or down) is at least this.

    Returns
    -------
    DataFrame
        Index = unit; columns ``share_near_zero``, ``max_jump`` (largest year-on-year factor,
        ``inf`` for a move from or to zero), ``near_zero``, ``jump`` (bools), ``flagged`` and
        ``reason`` (empty when not flagged).

    Examples
    --------
    >>> wide = pd.DataFrame({"OK": [10, 11, 12, 11.0], "JOR": [0.01, 0.0, 2.2, 0.0],
    ...                      "JMP": [1, 1, 4, 4.0]}, index=range(2018, 2022))
    >>> screen_donors(wide)["flagged"].to_dict()
    {'OK': False, 'JOR': True, 'JMP': True}
    """
    if not 0 <= near_zero < 1:
        raise ValueError(f"near_zero={near_zero} must be in [0, 1)")
    if not 0 <= zero_share < 1:
        raise ValueError(f"zero_share={zero_share} must be in [0, 1)")
    if jump_factor <= 1:
        raise ValueError(f"jump_factor={jump_factor} must be above 1")
    v = wide.sort_index().astype(float)
    top = v.max()
    small = v.le(near_zero * top.where(top > 0, np.inf), axis=1) & v.notna()
    share = small.sum() / v.notna().sum().replace(0, np.nan)
    prev = v.shift(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = (v / prev).to_numpy()
        down = (prev / v).to_numpy()
    ratio = np.fmax(up, down)
    both_zero = (v.to_numpy() == 0) & (prev.to_numpy() == 0)
    ratio[both_zero] = 1.0
    max_jump = pd.Series(
        np.nanmax(np.where(np.isnan(ratio), -np.inf, ratio), axis=0), index=v.columns
    ).replace(-np.inf, np.nan)
    out = pd.DataFrame({"share_near_zero": share, "max_jump": max_jump})
    out["near_zero"] = out["share_near_zero"] > zero_share
    out["jump"] = out["max_jump"] >= jump_factor
    out["flagged"] = out["near_zero"] | out["jump"]
    reasons = []
    for _, r in out.iterrows():
        parts = []
        if r["near_zero"]:
            parts.append(
                f"near zero (<= {near_zero:.0%} of its maximum) in "
                f"{r['share_near_zero']:.0%} of years"
            )
        if r["jump"]:
            size = f"{r['max_jump']:.1f}" if r["max_jump"] < 100 else "more than 100"
            parts.append(f"jumps by a factor of {size} year on year")
        reasons.append("; ".join(parts))
    out["reason"] = reasons
    out.index.name = "unit"
    return out


def _wide_from_trade(data: pd.DataFrame, **kw: Any) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    built = _build_panel(data, level="exporter", **kw)
    panel = built.data
    wide = panel.pivot(index="year", columns="exporter", values="y").sort_index()
    wide.attrs["source"] = built.source
    return wide, built.excluded, int(panel.attrs["post_start"])


def _check_wide(data: pd.DataFrame) -> pd.DataFrame:
    """A wide (year x unit) table: unique units and years, numbers, no infinite value."""
    where = "synthetic control wide table"
    if data.columns.duplicated().any():
        dup = data.columns[data.columns.duplicated()][0]
        raise PotashDataError(
            "the unit appears in two columns (aggregate or drop one)", file=where, column=str(dup)
        )
    if data.index.duplicated().any():
        dup = data.index[data.index.duplicated()][0]
        raise PotashDataError(
            f"the year {dup} appears in two rows (one row per year)", file=where, row=str(dup)
        )
    out = {}
    for col in data.columns:
        v = pd.to_numeric(data[col], errors="coerce")
        bad = v.isna() & data[col].notna()
        if bad.any() or pd.api.types.is_bool_dtype(data[col]):
            label = data.index[bad.to_numpy()][0] if bad.any() else data.index[0]
            raise PotashDataError(
                f"not a number: {data[col].loc[label]!r}",
                file=where,
                column=str(col),
                row=str(label),
            )
        inf = np.isinf(v.to_numpy(dtype=float))
        if inf.any():
            label = data.index[inf][0]
            raise PotashDataError(
                f"infinite value for unit {col!r} in year {label}",
                file=where,
                column=str(col),
                row=str(label),
            )
        out[col] = v.astype(float)
    return pd.DataFrame(out, index=data.index).sort_index()


def synthetic_control(
    data: pd.DataFrame,
    *,
    treated: str,
    events: Any,
    measure: str = "quantity_t",
    flow: Literal["export"] = "export",
    product: str | None = None,
    years: tuple[int, int] | None = None,
    min_quantity: float | None = None,
    min_quantity_rule: MinQuantityRule = "mean",
    timing: Timing = "next_full_year",
    event_ids: list[str] | tuple[str, ...] | None = None,
    donors: list[str] | tuple[str, ...] | None = None,
    covariates: pd.DataFrame | None = None,
    covariate_weight: float = 1.0,
    normalize: Normalize = "none",
    placebos: bool = True,
    rmspe_cutoff: float | None = None,
    event_marks: pd.DataFrame | None = None,
    screen: bool = True,
    near_zero: float = 0.05,
    zero_share: float = 0.5,
    jump_factor: float = 3.0,
    leave_one_out: bool = True,
) -> SyntheticControlResults:
    """Synthetic control of the treated exporter's flow, with in-space placebos.

    Parameters
    ----------
    data : DataFrame
        A tidy trade table (``load_trade`` schema: exporter x year country totals are used,
        built as in :func:`potash.estimators.ppml.trade_panel`), or a wide table with one row per year
        (integer index) and one column per unit.
    treated : str
        The treated unit (column or ISO3 code).
    events, timing, event_ids
        First post year; see :func:`potash.estimators.ppml.post_start_year` (default post = 2022+).
    measure, flow, product, years, min_quantity, min_quantity_rule
        Panel definition for a trade table; see :func:`potash.estimators.ppml.trade_panel`.
    donors : sequence of str, optional
        Donor pool (default: every other unit). Donors with a missing year in the sample are
        excluded and reported in ``results.excluded``.
    covariates : DataFrame, optional
        Index = units, columns = pre-treatment predictors (e.g. production capacity).
    covariate_weight : float
        Weight of the covariate term in the objective (module docstring).
    normalize : {"none", "pre_mean"}
        ``"pre_mean"`` indexes each unit's series to its pre-period mean = 100 first, so the
        synthetic unit matches the treated unit's *shape* rather than its level (useful when the
        treated unit is outside the donors' convex hull).
    placebos : bool
        Run the in-space placebos (each donor as treated).
    rmspe_cutoff : float, optional
        Exclude from the p-value placebos whose pre-RMSPE exceeds this multiple of the treated
        unit's pre-RMSPE.
    screen : bool
        Exclude donors flagged by :func:`screen_donors` (default); the flags are reported
        in ``results.donor_screen`` either way.
    near_zero, zero_share, jump_factor
        Thresholds of the screen (:func:`screen_donors`).
    leave_one_out : bool
        Re-fit without each positive-weight donor (``results.leave_one_out``).

    Returns
    -------
    SyntheticControlResults

    Examples
    --------
    >>> wide = pd.DataFrame({"A": [1, 2, 3, 4, 5.0], "B": [3, 2, 3, 2, 3.0], "C": [2, 1, 2, 1, 2.0],
    ...                      "T": [2, 2, 3, 1, 1.0]}, index=range(2018, 2023))
    >>> res = synthetic_control(wide, treated="T", events=2021)
    >>> res.weights.round(3).to_dict()
    {'A': 0.5, 'B': 0.5, 'C': 0.0}
    >>> res.gap.loc[2021:].round(3).tolist()
    [-2.0, -3.0]
    """
    check_option("normalize", normalize, Normalize)
    if rmspe_cutoff is not None and rmspe_cutoff <= 0:
        raise ValueError(f"rmspe_cutoff={rmspe_cutoff} must be positive")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if "reporter_iso3" in data.columns:
        if product is None:
            raise ValueError("a trade table needs product= (e.g. 'potassium_chloride')")
        wide, excluded, post_start = _wide_from_trade(
            data,
            treated=treated,
            events=events,
            measure=measure,
            flow=flow,
            product=product,
            years=years,
            min_quantity=min_quantity,
            min_quantity_rule=min_quantity_rule,
            timing=timing,
            event_ids=event_ids,
        )
        _, marks = post_start_year(events, timing=timing, event_ids=event_ids)
    else:
        post_start, marks = post_start_year(events, timing=timing, event_ids=event_ids)
        wide = _check_wide(data)
        if years is not None:
            wide = wide.loc[years[0] : years[1]]
        if treated not in wide.columns:
            raise PotashDataError(
                f"treated unit {treated!r} not found", file="wide table", column=treated
            )
        excluded = pd.DataFrame(columns=["exporter", "importer", "year", "statistic", "reason"])
    if event_marks is not None:
        marks = normalise_events(event_marks)
    source = str(wide.attrs.get("source", ""))
    if wide.empty:
        raise PotashDataError("no years in the sample", file="synthetic control input")
    if wide[treated].isna().any():
        miss = wide.index[wide[treated].isna()].tolist()
        raise PotashDataError(
            f"treated unit {treated!r} has no value in years {miss}", column=treated
        )
    pool = (
        [c for c in wide.columns if c != treated] if donors is None else as_names(donors, "donors")
    )
    unknown = sorted(set(pool) - set(wide.columns))
    if unknown:
        raise ValueError(f"donors not in the data: {unknown}")
    if treated in pool:
        raise ValueError(f"the treated unit {treated!r} cannot be its own donor")
    rows = []
    complete = []
    for d in pool:
        if wide[d].isna().any():
            rows.append(
                {
                    "exporter": d,
                    "importer": pd.NA,
                    "year": pd.NA,
                    "statistic": np.nan,
                    "reason": f"donor with missing years {wide.index[wide[d].isna()].tolist()}",
                }
            )
        else:
            complete.append(d)
    flags = screen_donors(
        wide[complete], near_zero=near_zero, zero_share=zero_share, jump_factor=jump_factor
    )
    if screen:
        for d in complete:
            if flags.loc[d, "flagged"]:
                rows.append(
                    {
                        "exporter": d,
                        "importer": pd.NA,
                        "year": pd.NA,
                        "statistic": float(flags.loc[d, "max_jump"]),
                        "reason": "donor flagged by the data-quality screen: "
                        + flags.loc[d, "reason"],
                    }
                )
        complete = [d for d in complete if not flags.loc[d, "flagged"]]
    if rows:
        excluded = pd.concat([excluded, pd.DataFrame(rows)], ignore_index=True)
    if len(complete) < 2:
        raise PotashDataError(
            f"need at least 2 donors with complete data, have {complete}",
            file="synthetic control input",
        )
    wide = wide[[treated, *complete]]
    pre = wide.index < post_start
    if pre.sum() < 2 or (~pre).sum() < 1:
        raise PotashDataError(
            f"need >= 2 pre years and >= 1 post year around {post_start}; have "
            f"{wide.index.min()}-{wide.index.max()}",
            file="synthetic control input",
            column="year",
        )
    if normalize == "pre_mean":
        base = wide.loc[pre].mean()
        if (base <= 0).any():
            raise PotashDataError(
                f"pre-period mean is zero for {base.index[base <= 0].tolist()}: cannot index"
            )
        wide = 100 * wide / base

    cov_std = None
    if covariates is not None:
        missing = sorted(set(wide.columns) - set(covariates.index))
        if missing:
            raise PotashDataError(f"no covariate rows for {missing}", file="covariates")
        cov = covariates.loc[list(wide.columns)].astype(float)
        if cov.isna().any().any():
            raise PotashDataError("missing covariate values", file="covariates")
        sd = cov.std(ddof=0).replace(0.0, 1.0)
        cov_std = (cov - cov.mean()) / sd

    with threadpool_limits(limits=1, user_api="blas"):
        main = _fit_one(wide, treated, complete, pre, cov_std, covariate_weight)
        placebo_fits = {}
        if placebos:
            for unit in complete:
                others = [d for d in complete if d != unit]
                placebo_fits[unit] = _fit_one(wide, unit, others, pre, cov_std, covariate_weight)
        loo_rows = []
        if leave_one_out:
            for d in main["weights"].index[main["weights"] > _LOO_MIN_WEIGHT]:
                rest = [u for u in complete if u != d]
                if len(rest) < 1:
                    continue
                fit = _fit_one(wide, treated, rest, pre, cov_std, covariate_weight)
                ratios = [fit["ratio"]]
                if placebos:
                    for unit in rest:
                        others = [u for u in rest if u != unit]
                        if others:
                            ratios.append(
                                _fit_one(wide, unit, others, pre, cov_std, covariate_weight)[
                                    "ratio"
                                ]
                            )
                post = ~pre
                att = float(fit["gap"][post].mean())
                base = float(fit["synthetic"][post].mean())
                w = fit["weights"][fit["weights"] > _LOO_MIN_WEIGHT].sort_values(ascending=False)
                loo_rows.append(
                    {
                        "dropped": d,
                        "weight_dropped": float(main["weights"][d]),
                        "att": att,
                        "att_pct": 100 * att / base if base else np.nan,
                        "rmspe_pre": fit["rmspe_pre"],
                        "ratio": fit["ratio"],
                        "p_value": (
                            float(np.mean(np.asarray(ratios) >= fit["ratio"]))
                            if len(ratios) > 1
                            else np.nan
                        ),
                        "n_units": len(ratios),
                        "weights": ", ".join(f"{k} {v:.2f}" for k, v in w.items()),
                        "gap": fit["gap"],
                    }
                )

    return SyntheticControlResults(
        _wide=wide,
        _main=main,
        _placebos=placebo_fits,
        _excluded=excluded,
        _screen=flags,
        _loo=loo_rows,
        _settings={
            "treated": treated,
            "source": source,
            "post_start": post_start,
            "measure": measure,
            "product": product,
            "flow": flow,
            "normalize": normalize,
            "rmspe_cutoff": rmspe_cutoff,
            "screen": screen,
            "covariates": None if covariates is None else list(covariates.columns),
            "event_marks": marks,
        },
    )


_LOO_MIN_WEIGHT = 1e-3


def _fit_one(
    wide: pd.DataFrame,
    unit: str,
    pool: list[str],
    pre: np.ndarray,
    cov_std: pd.DataFrame | None,
    covariate_weight: float,
) -> dict[str, Any]:
    y1 = wide[unit].to_numpy()
    Y0 = wide[pool].to_numpy()
    scale = float(np.std(wide.loc[pre, [unit, *pool]].to_numpy())) or 1.0
    kw: dict[str, Any] = {}
    if cov_std is not None:
        kw = {
            "treated_cov": cov_std.loc[unit].to_numpy(),
            "donors_cov": cov_std.loc[pool].to_numpy().T,
            "covariate_weight": covariate_weight,
        }
    w = synth_weights(y1[pre], Y0[pre], scale=scale, **kw)
    synth = Y0 @ w
    gap = y1 - synth
    rm_pre = float(np.sqrt(np.mean(gap[pre] ** 2)))
    rm_post = float(np.sqrt(np.mean(gap[~pre] ** 2)))
    return {
        "weights": pd.Series(w, index=pool, name="weight"),
        "synthetic": pd.Series(synth, index=wide.index),
        "gap": pd.Series(gap, index=wide.index),
        "rmspe_pre": rm_pre,
        "rmspe_post": rm_post,
        "ratio": rm_post / rm_pre if rm_pre > 0 else np.inf,
    }


@dataclass(repr=False)
class SyntheticControlResults(ResultsBase):
    """Results of :func:`synthetic_control` (read-only properties).

    Examples
    --------
    >>> wide = pd.DataFrame({"A": [1, 2, 3, 4, 5.0], "B": [3, 2, 3, 2, 3.0], "C": [2, 1, 2, 1, 2.0],
    ...                      "T": [2, 2, 3, 1, 1.0]}, index=range(2018, 2023))
    >>> res = synthetic_control(wide, treated="T", events=2021)
    >>> round(res.pvalue, 3)
    0.25
    """

    _wide: pd.DataFrame
    _main: dict[str, Any]
    _placebos: dict[str, dict[str, Any]]
    _excluded: pd.DataFrame
    _settings: dict[str, Any] = field(default_factory=dict)
    _screen: pd.DataFrame | None = None
    _loo: list[dict[str, Any]] = field(default_factory=list)

    @property
    def donor_screen(self) -> pd.DataFrame:
        """Data-quality flags of every complete donor (:func:`screen_donors`)."""
        return pd.DataFrame() if self._screen is None else self._screen.copy()

    @property
    def flagged_donors(self) -> list[str]:
        """Donors flagged by the screen (excluded unless ``screen=False``)."""
        sc = self.donor_screen
        return [] if sc.empty else list(sc.index[sc["flagged"]])

    @property
    def leave_one_out(self) -> pd.DataFrame:
        """One row per positive-weight donor dropped: ``weight_dropped, att, att_pct,
        rmspe_pre, ratio, p_value, n_units, weights`` (the re-fit's weights)."""
        cols = [
            "weight_dropped",
            "att",
            "att_pct",
            "rmspe_pre",
            "ratio",
            "p_value",
            "n_units",
            "weights",
        ]
        out = pd.DataFrame(
            [{k: r[k] for k in ("dropped", *cols)} for r in self._loo], columns=["dropped", *cols]
        )
        return out.set_index("dropped")

    @property
    def leave_one_out_gaps(self) -> pd.DataFrame:
        """Gap paths (actual minus synthetic) of each leave-one-out fit, one column each."""
        return pd.DataFrame({r["dropped"]: r["gap"] for r in self._loo}).rename_axis("year")

    @property
    def p_floor(self) -> float:
        """Smallest attainable permutation p-value, ``1 / (J + 1)`` (J placebos used)."""
        pl = self.placebos
        return 1.0 / int(pl["used"].sum())

    @property
    def _title(self) -> str:  # type: ignore[override]
        s = self._settings
        return f"Synthetic control: {s['treated']} {s['product']} {s['flow']} {s['measure']}"

    @property
    def settings(self) -> dict[str, Any]:
        """Settings of the fit."""
        return {k: v for k, v in self._settings.items() if k != "event_marks"}

    @property
    def event_marks(self) -> pd.DataFrame:
        """Event dates marked on the figures."""
        return self._settings["event_marks"].copy()

    @property
    def post_start(self) -> int:
        """First post-treatment year."""
        return int(self._settings["post_start"])

    @property
    def weights(self) -> pd.Series:
        """Donor weights (non-negative, summing to one)."""
        return self._main["weights"].copy()

    @property
    def paths(self) -> pd.DataFrame:
        """By year: ``actual``, ``synthetic``, ``gap`` (actual minus synthetic) and ``post``."""
        t = self._settings["treated"]
        return pd.DataFrame(
            {
                "actual": self._wide[t],
                "synthetic": self._main["synthetic"],
                "gap": self._main["gap"],
                "post": (self._wide.index >= self.post_start).astype(int),
            }
        ).rename_axis("year")

    @property
    def gap(self) -> pd.Series:
        """Actual minus synthetic, by year."""
        return self._main["gap"].rename("gap").rename_axis("year")

    @property
    def rmspe_pre(self) -> float:
        """Root mean squared prediction error before treatment."""
        return self._main["rmspe_pre"]

    @property
    def rmspe_post(self) -> float:
        """Root mean squared gap after treatment."""
        return self._main["rmspe_post"]

    @property
    def rmspe_ratio(self) -> float:
        """Post/pre RMSPE ratio of the treated unit."""
        return self._main["ratio"]

    @property
    def params(self) -> pd.Series:
        """``att``: mean post-period gap; ``att_pct``: it relative to the mean synthetic post value."""
        post = self._wide.index >= self.post_start
        att = float(self._main["gap"][post].mean())
        base = float(self._main["synthetic"][post].mean())
        return pd.Series({"att": att, "att_pct": 100 * att / base if base else np.nan})

    @property
    def placebos(self) -> pd.DataFrame:
        """Treated unit and placebos: ``pre_rmspe, post_rmspe, ratio, rank, used`` (rank 1 = largest)."""
        t = self._settings["treated"]
        rows = {t: self._main} | self._placebos
        out = pd.DataFrame(
            {
                "pre_rmspe": [r["rmspe_pre"] for r in rows.values()],
                "post_rmspe": [r["rmspe_post"] for r in rows.values()],
                "ratio": [r["ratio"] for r in rows.values()],
            },
            index=pd.Index(list(rows), name="unit"),
        )
        out["treated"] = out.index == t
        cut = self._settings["rmspe_cutoff"]
        out["used"] = True
        if cut is not None:
            out["used"] = out["treated"] | (out["pre_rmspe"] <= cut * self.rmspe_pre)
        out["rank"] = out["ratio"].where(out["used"]).rank(ascending=False, method="max")
        return out

    @property
    def placebo_gaps(self) -> pd.DataFrame:
        """Gap paths of the placebos used (one column per donor treated as if sanctioned)."""
        used = self.placebos
        keep = [u for u in self._placebos if used.loc[u, "used"]]
        return pd.DataFrame({u: self._placebos[u]["gap"] for u in keep}).rename_axis("year")

    @property
    def pvalue(self) -> float:
        """Permutation p-value: share of units with an RMSPE ratio at least the treated unit's."""
        pl = self.placebos
        if len(pl) == 1:
            return np.nan
        pl = pl[pl["used"]]
        return float((pl["ratio"] >= self.rmspe_ratio).sum() / len(pl))

    @property
    def pvalues(self) -> pd.Series:
        """The permutation p-value for ``att`` (and ``att_pct``)."""
        return pd.Series({"att": self.pvalue, "att_pct": self.pvalue})

    @property
    def excluded(self) -> pd.DataFrame:
        """Units or rows excluded (threshold, missing years) before fitting."""
        return self._excluded.copy()

    dropped = excluded

    def summary_frame(self) -> pd.DataFrame:
        """By year: actual, synthetic, gap, gap in percent of synthetic, post flag."""
        p = self.paths
        p["gap_pct"] = 100 * p["gap"] / p["synthetic"].where(p["synthetic"] != 0)
        return p[["actual", "synthetic", "gap", "gap_pct", "post"]]

    def _notes(self) -> list[str]:
        w = self.weights[self.weights > 5e-4].sort_values(ascending=False)
        pl = self.placebos
        return (
            [
                "Weights: " + ", ".join(f"{k} {v:.3f}" for k, v in w.items()),
                f"Post = year >= {self.post_start}; ATT = {self.params['att']:,.4g} "
                f"({self.params['att_pct']:+.1f}% of synthetic).",
                f"RMSPE pre {self.rmspe_pre:,.4g}, post {self.rmspe_post:,.4g}, ratio {self.rmspe_ratio:.3g}; "
                f"permutation p = {self.pvalue:.3f} ({int(pl['used'].sum())} units, rank "
                f"{pl.loc[self._settings['treated'], 'rank']:.0f}; floor 1/(J+1) = {self.p_floor:.3f}).",
            ]
            + (
                [
                    f"Donors flagged by the data-quality screen: {', '.join(self.flagged_donors)}"
                    + (" (excluded)." if self._settings.get("screen", True) else " (kept).")
                ]
                if self.flagged_donors
                else []
            )
            + [
                f"Leave-one-out without {d}: ATT {r['att_pct']:+.1f}%, p = {r['p_value']:.3f}"
                for d, r in self.leave_one_out.iterrows()
            ]
        )

    def plot(self, ax: Any = None, kind: Literal["paths", "gaps"] = "paths") -> Any:
        """``kind="paths"``: actual vs synthetic; ``kind="gaps"``: gap with placebo gaps.

        Returns the matplotlib Figure.
        """
        check_option("kind", kind, Literal["paths", "gaps"])
        from potash.figures.panel import plot_synth_gaps, plot_synth_paths

        return plot_synth_paths(self, ax=ax) if kind == "paths" else plot_synth_gaps(self, ax=ax)
