"""Equity specification curve, placebo calibration and multiple testing (seeded, known truth)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from potash.analyses.equities import (
    CONTRAST,
    PRODUCERS,
    EquityCurveDesign,
    _adjust,
    _calibrate,
    placebo_dates,
)
from potash.estimators.speccurve import NullDraws, spec_curve

BENCH = ["SPY", "ACWI", "XLB", "MOO"]
SMALL_GRID = {
    "estimation_window": ["-250..-11", "-120..-11"],
    "event_window": ["0..0", "-1..2"],
    "benchmark": ["SPY", "XLB"],
    "model": ["market", "market_adjusted"],
    "leave_out": ["none", "drop NTR", "drop CF"],
}


def _returns(seed: int, n: int = 1500, effect: float = 0.0, at: int = 1200) -> pd.DataFrame:
    """Benchmarks with a common factor; members load on them; ``effect`` on producers at ``at``."""
    rng = np.random.default_rng(seed)
    f = rng.normal(0, 0.01, n)
    bench = {b: f + rng.normal(0, 0.004, n) for b in BENCH}
    cols = {}
    for t in PRODUCERS + CONTRAST:
        cols[t] = 1.1 * f + rng.normal(0, 0.01, n)
    for t in PRODUCERS:
        cols[t][at] += effect
    return pd.DataFrame({**cols, **bench}, index=pd.bdate_range("2015-01-01", periods=n))


def _curve(rets: pd.DataFrame, at: int, seed: int, n_placebo: int = 199):
    cal = rets.index
    design = EquityCurveDesign(rets, cal[at], PRODUCERS, CONTRAST, ["SPY", "XLB"])
    pl = placebo_dates(cal, [cal[at]], n=n_placebo, seed=seed, first=cal[300])
    return spec_curve(design, SMALL_GRID, null=NullDraws(values=list(pl), label="placebo date"))


def test_injected_abnormal_return_is_found_in_most_specifications() -> None:
    """+8% on the producers on one day: the long-short CAR finds it in most specifications."""
    rets = _returns(1, effect=0.08)
    res = _curve(rets, 1200, seed=1)
    assert len(res.table) == 48
    assert res.curve_summary.share_sig_positive > 0.8
    assert abs(res.curve_summary.median - 8.0) < 2.0  # percent
    assert res.joint.p_median <= 0.02 and res.joint.p_share_significant <= 0.02


def test_null_joint_p_is_roughly_uniform_over_seeds() -> None:
    """No effect: the joint p of the median is uniform over seeds (KS test, tolerance)."""
    ps = []
    for seed in range(40):
        rets = _returns(100 + seed)
        ps.append(_curve(rets, 1200, seed=seed, n_placebo=99).joint.p_median)
    ps = np.asarray(ps)
    assert stats.kstest(ps, "uniform").pvalue > 0.01
    assert 0.3 < ps.mean() < 0.7
    assert np.mean(ps < 0.1) < 0.3


def test_batched_design_equals_the_per_date_run() -> None:
    rets = _returns(3, effect=0.03)
    cal = rets.index
    design = EquityCurveDesign(rets, cal[1200], PRODUCERS, CONTRAST, ["SPY", "XLB"])
    specs = pd.DataFrame(
        [
            {
                "estimation_window": "-250..-11",
                "event_window": "-1..2",
                "benchmark": "XLB",
                "model": "market",
                "leave_out": "drop CF",
            },
            {
                "estimation_window": "-120..-11",
                "event_window": "0..0",
                "benchmark": "SPY",
                "model": "constant_mean",
                "leave_out": "none",
            },
        ]
    )
    long = design.run_null(specs, [cal[500], cal[900]])
    for d, date in enumerate([cal[500], cal[900]]):
        one = design.run(specs, placebo=date)
        got = long[long["draw"] == d].reset_index(drop=True)
        np.testing.assert_allclose(got["estimate"], one["estimate"], rtol=1e-12)
    # leave-one-out "drop CF": hand long-short from the four producers and four contrast firms
    ls = rets[list(PRODUCERS)].mean(axis=1) - rets[[c for c in CONTRAST if c != "CF"]].mean(axis=1)
    x = rets["XLB"]
    est = slice(1200 - 250, 1200 - 10)
    beta, alpha = np.polyfit(x.iloc[est], ls.iloc[est], 1)
    car = (ls.iloc[1199:1203] - alpha - beta * x.iloc[1199:1203]).sum()
    assert design.run(specs)["estimate"].iloc[0] == pytest.approx(100 * car, rel=1e-9)


def test_calibrated_p_and_size_by_hand() -> None:
    null = pd.DataFrame(
        {
            "event_id": ["a", "b", "c", "d"],
            "window": "car",
            "statistic": "grank",
            "p_value": [0.01, 0.2, 0.5, 0.9],
            "robust_to_clustering": True,
        }
    )
    real = pd.DataFrame(
        {
            "event_id": ["x"],
            "window": ["car"],
            "statistic": ["grank"],
            "value": [1.0],
            "mean": [0.0],
            "p_value": [0.2],
            "df": [100.0],
            "robust_to_clustering": [True],
        }
    )
    size, cal = _calibrate(real, null, 0.05, "producers")
    assert size["empirical_size"].iloc[0] == 0.25  # one of four placebo p below 5%
    assert cal["p_calibrated"].iloc[0] == pytest.approx((1 + 2) / (1 + 4))  # 0.01 and 0.2


def test_holm_and_benjamini_hochberg_by_hand() -> None:
    """p = (0.01, 0.04, 0.03, 0.20), m = 4.

    BH: sorted p_(i) m / i = 0.04, 0.06, 0.0533, 0.20, then the running minimum from the top:
    0.04, 0.0533, 0.0533, 0.20. Holm: p_(i) (m - i + 1) = 0.04, 0.09, 0.08, 0.20, then the
    running maximum: 0.04, 0.09, 0.09, 0.20. A second family is adjusted on its own.
    """
    f = pd.DataFrame(
        {
            "sample": "long_short",
            "statistic": "brown_warner_1980",
            "family": ["sanction"] * 4 + ["relief"],
            "p_calibrated": [0.01, 0.04, 0.03, 0.20, 0.03],
        }
    )
    out = _adjust(f)
    np.testing.assert_allclose(out["p_bh"], [0.04, 0.16 / 3, 0.16 / 3, 0.20, 0.03])
    np.testing.assert_allclose(out["p_holm"], [0.04, 0.09, 0.09, 0.20, 0.03])


def test_factor_model_in_the_design_equals_statsmodels_ols_on_spy_and_the_sector() -> None:
    """model "factor", benchmark XLB: OLS of the long-short on [1, SPY, XLB] by statsmodels."""
    import statsmodels.api as sm

    rets = _returns(5, effect=0.05)
    cal = rets.index
    design = EquityCurveDesign(rets, cal[1200], PRODUCERS, CONTRAST, ["SPY", "XLB", "MOO"])
    specs = pd.DataFrame(
        {
            "estimation_window": ["-250..-11", "-120..-11", "-250..-11"],
            "event_window": ["-1..2", "0..0", "0..1"],
            "benchmark": ["XLB", "MOO", "SPY"],
            "model": "factor",
            "leave_out": ["drop MOS", "none", "none"],
        }
    )
    out = design.run(specs)
    for i, (elo, ehi, klo, khi) in enumerate([(-250, -11, -1, 2), (-120, -11, 0, 0)]):
        drop = specs["leave_out"].iloc[i].removeprefix("drop ")
        prod = [p for p in PRODUCERS if p != drop]
        ls = rets[prod].mean(axis=1) - rets[list(CONTRAST)].mean(axis=1)
        X = sm.add_constant(rets[["SPY", specs["benchmark"].iloc[i]]])
        est, evt = slice(1200 + elo, 1200 + ehi + 1), slice(1200 + klo, 1200 + khi + 1)
        fit = sm.OLS(ls.iloc[est], X.iloc[est]).fit()
        pred = fit.get_prediction(X.iloc[evt].sum(axis=0).to_numpy()[None, :])
        car = ls.iloc[evt].sum() - pred.predicted_mean[0]
        var = (khi - klo + 1) * fit.scale + pred.var_pred_mean[0]
        assert out["estimate"].iloc[i] == pytest.approx(100 * car, rel=1e-10)
        assert out["se"].iloc[i] == pytest.approx(100 * np.sqrt(var), rel=1e-10)
        assert out["p_value"].iloc[i] == pytest.approx(
            2 * stats.t.sf(abs(car / np.sqrt(var)), fit.df_resid), rel=1e-8
        )
        assert pd.isna(out["skip_reason"].iloc[i])
    assert out["estimate"].iloc[0] == pytest.approx(5.0, abs=1.5)  # the injected +5%
    # SPY is the factor model's market, not a sector: not defined, said so, never estimated
    assert np.isnan(out["estimate"].iloc[2]) and out["skip_reason"].iloc[2].startswith(
        "not defined: model 'factor'"
    )


def test_factor_model_curve_has_no_undefined_duplicates() -> None:
    """market x {SPY, XLB} and factor x {XLB}: 3 x 8 specifications estimated, 8 listed skipped."""
    rets = _returns(6, effect=0.08)
    cal = rets.index
    grid = {**SMALL_GRID, "model": ["market", "factor"]}
    design = EquityCurveDesign(rets, cal[1200], PRODUCERS, CONTRAST, ["SPY", "XLB"])
    pl = placebo_dates(cal, [cal[1200]], n=49, seed=2, first=cal[300])
    res = spec_curve(design, grid, null=NullDraws(values=list(pl), label="placebo date"))
    combos = res.table.groupby(["model", "benchmark"]).size().to_dict()
    assert combos == {("factor", "XLB"): 12, ("market", "SPY"): 12, ("market", "XLB"): 12}
    assert len(res.skipped) == 12
    assert set(res.skipped["model"]) == {"factor"} and set(res.skipped["benchmark"]) == {"SPY"}
    assert res.skipped["reason"].str.startswith("not defined").all()
    assert res.joint.draws["n_specs"].eq(36).all()  # the null draws skip the same specs
    fac = res.table[res.table["model"] == "factor"]
    assert (fac["p_value"] < 0.05).mean() > 0.8 and abs(fac["estimate"].median() - 8) < 2


def test_default_equity_curve_includes_the_factor_model_on_the_shipped_data() -> None:
    from potash.analyses.equities import EQUITY_CURVE_GRID, equity_spec_curve

    assert "factor" in EQUITY_CURVE_GRID["model"]
    res = equity_spec_curve(n_placebo=10)
    assert len(res.table) + len(res.skipped) == 2 * 4 * 4 * 4 * 10
    undefined = res.skipped["reason"].str.startswith("not defined")
    assert undefined.sum() == 2 * 4 * 2 * 10  # factor with SPY or ACWI
    dup = res.skipped[~undefined]
    assert len(dup) == 2 * 4 * 3 * 10  # constant_mean under ACWI, XLB, MOO
    assert set(dup["model"]) == {"constant_mean"} and "SPY" not in set(dup["benchmark"])
    assert dup["reason"].str.startswith("duplicate").all()
    cm = res.table[res.table["model"] == "constant_mean"]
    assert len(cm) == 2 * 4 * 10 and set(cm["benchmark"]) == {"SPY"}
    fac = res.table[res.table["model"] == "factor"]
    assert len(fac) == 2 * 4 * 2 * 10 and set(fac["benchmark"]) == {"XLB", "MOO"}
    # the factor model's CAR is not the one-index model's on the same sector benchmark
    one = res.table[res.table["model"] == "market"].set_index(
        ["estimation_window", "event_window", "benchmark", "leave_out"]
    )["estimate"]
    two = fac.set_index(["estimation_window", "event_window", "benchmark", "leave_out"])
    assert not np.allclose(two["estimate"], one.reindex(two.index))


def test_constant_mean_is_estimated_once_whatever_the_benchmark() -> None:
    """The constant-mean CAR does not depend on the benchmark (checked directly), so the curve
    keeps one copy and lists the others as duplicates."""
    rets = _returns(6, effect=0.08)
    cal = rets.index
    design = EquityCurveDesign(rets, cal[1200], PRODUCERS, CONTRAST, ["SPY", "XLB"])
    specs = pd.DataFrame({"estimation_window": "-250..-11", "event_window": "0..1",
                          "benchmark": ["SPY", "XLB"], "model": "constant_mean",
                          "leave_out": "none"})
    pick = design._compute(specs, np.array([design.t0]))
    assert pick["car"][0, 0] == pytest.approx(pick["car"][0, 1], rel=1e-12)
    out = design.run(specs)
    assert np.isfinite(out["estimate"].iloc[0]) and pd.isna(out["skip_reason"].iloc[0])
    assert out["skip_reason"].iloc[1].startswith("duplicate")
