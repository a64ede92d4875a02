"""Robust price ITS: EWC/NW/AR(1) against hand derivations, splicing, placebo in time, curves.

Seeded synthetic series with a known truth; real data only in the study-level smoke test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from potash import (
    ITSCurveDesign,
    NullDraws,
    ewc_dof,
    fit_its_batch,
    placebo_in_time,
    pre_event_counterfactual,
    price_placebo_in_time,
    price_spec_curve,
    spec_curve,
    splice_series,
)

NO_BASIS = pd.DataFrame({"series": pd.Series([], dtype=str), "date": pd.Series([], dtype="datetime64[ns]")})
DATES = pd.date_range("2018-01-01", periods=72, freq="MS")
STEP = "2021-01-15"


def _prices(effect: float, seed: int, ar: float = 0.5, sd: float = 0.03) -> pd.DataFrame:
    """Outcome k = 1 + 0.8 log c + effect * 1[t >= 2021-01] + AR(1) noise; control c a random walk."""
    rng = np.random.default_rng(seed)
    T = len(DATES)
    c = 5 + np.cumsum(rng.normal(0, 0.05, T))
    e = np.zeros(T)
    shocks = rng.normal(0, sd, T)
    for i in range(T):
        e[i] = (ar * e[i - 1] if i else 0.0) + shocks[i]
    y = 1 + 0.8 * c + effect * (DATES >= "2021-01-01") + e
    return pd.concat(
        [pd.DataFrame({"date": DATES, "series": s, "value": np.exp(v), "unit": "$/mt"})
         for s, v in [("k", y), ("c", c)]],
        ignore_index=True,
    )


def _design(prices: pd.DataFrame, **kw) -> ITSCurveDesign:
    return ITSCurveDesign(prices, "k", steps=[STEP], target=STEP, end="2023-12",
                          defaults={"controls": "c", "start": "2018-01"},
                          basis_changes=NO_BASIS, **kw)


# --- inference against hand derivations ---------------------------------------------------
def test_ewc_matches_hand_derivation_on_tiny_series():
    y = np.array([0.3, -0.1, 0.4, 0.9, 1.2, 0.8, 1.5, 1.1])
    X = np.column_stack([np.ones(8), [0, 0, 0, 1, 1, 1, 1, 1]]).astype(float)
    T, nu = 8, 3
    b = np.linalg.solve(X.T @ X, X.T @ y)
    u = y - X @ b
    S = np.zeros((2, 2))
    for j in range(1, nu + 1):  # written out term by term, t = 1..T
        lam = np.zeros(2)
        for t in range(1, T + 1):
            lam += X[t - 1] * u[t - 1] * np.cos(np.pi * j * (t - 0.5) / T)
        S += np.outer(lam, lam)
    S *= 2 / nu
    A = np.linalg.inv(X.T @ X)
    se = np.sqrt((A @ S @ A)[1, 1])
    out = fit_its_batch(y, X[None], 1, "ewc3")
    np.testing.assert_allclose(out["estimate"][0], b[1], rtol=1e-12)
    np.testing.assert_allclose(out["se"][0], se, rtol=1e-12)
    np.testing.assert_allclose(out["p_value"][0], 2 * stats.t.sf(abs(b[1] / se), nu), rtol=1e-12)
    assert out["df"][0] == nu
    # closed form for a mean (X = 1): V = (1/T^2) (2/nu) sum_j (sum_t v_t cos_jt)^2
    m = fit_its_batch(y, np.ones((1, 8, 1)), 0, "ewc7")
    v = y - y.mean()
    per = [(np.sum(v * np.cos(np.pi * j * (np.arange(1, 9) - 0.5) / 8))) ** 2 for j in range(1, 8)]
    np.testing.assert_allclose(m["se"][0] ** 2, (2 / 7) * np.sum(per) / 64, rtol=1e-12)
    assert ewc_dof(77) == 7


def test_newey_west_matches_statsmodels_and_ar1_matches_glsar():
    p = _prices(0.2, seed=3)
    y = np.log(p.loc[p.series == "k", "value"].to_numpy())
    c = np.log(p.loc[p.series == "c", "value"].to_numpy())
    X = np.column_stack([np.ones(72), c, (DATES >= "2021-01-01").astype(float)])
    for L in (0, 3, 6):
        ref = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True}, use_t=True)
        out = fit_its_batch(y, X[None], 2, f"nw{L}")
        np.testing.assert_allclose(out["se"][0], ref.bse[2], rtol=1e-10)
        np.testing.assert_allclose(out["p_value"][0], ref.pvalues[2], rtol=1e-8)
    u = sm.OLS(y, X).fit().resid
    rho = np.sum(u[1:] * u[:-1]) / np.sum(u[:-1] ** 2)
    ref = sm.GLSAR(y, X, rho=[rho]).fit()
    out = fit_its_batch(y, X[None], 2, "ar1")
    np.testing.assert_allclose(out["rho"][0], rho, rtol=1e-12)
    np.testing.assert_allclose(out["estimate"][0], ref.params[2], rtol=1e-10)
    np.testing.assert_allclose(out["se"][0], ref.bse[2], rtol=1e-10)
    assert out["df"][0] == 72 - 1 - 3


# --- splicing ------------------------------------------------------------------------------
def test_splice_against_hand_calculation():
    idx = pd.date_range("2022-01-01", periods=5, freq="MS")
    x = pd.Series([1.0, 1.2, 1.9, 2.0, 2.3], index=idx)
    # chain: d = x_m - x_{m-1} = 1.9 - 1.2 = 0.7 at m = 2022-03
    np.testing.assert_allclose(splice_series(x, "2022-03-01", method="chain").to_numpy(),
                               [1.7, 1.9, 1.9, 2.0, 2.3])
    # adjacent: d = 0.7 - ((1.2 - 1.0) + (2.0 - 1.9)) / 2 = 0.55
    np.testing.assert_allclose(splice_series(x, "2022-03-15").to_numpy(),
                               [1.55, 1.75, 1.9, 2.0, 2.3])
    assert splice_series(x, "2023-01-01").equals(x)
    with pytest.raises(ValueError, match="method"):
        splice_series(x, "2022-03-01", method="ratio")
    with pytest.raises(ValueError, match="two months before"):
        splice_series(x, "2022-02-01")


def test_splice_removes_a_basis_jump_in_the_control():
    # a control whose basis adds +0.5 from 2022-03: splicing restores the true coefficient
    rng = np.random.default_rng(11)
    c = 5 + np.cumsum(rng.normal(0, 0.05, 72))
    y = 1 + 0.8 * c + rng.normal(0, 0.01, 72)
    c_obs = c + 0.5 * (DATES >= "2022-03-01")
    p = pd.concat([pd.DataFrame({"date": DATES, "series": s, "value": np.exp(v), "unit": "$"})
                   for s, v in [("k", y), ("c", c_obs)]], ignore_index=True)
    bc = pd.DataFrame({"series": ["c"], "date": [pd.Timestamp("2022-03-01")]})
    des = ITSCurveDesign(p, "k", steps=[STEP], target=STEP, end="2023-12",
                         defaults={"controls": "c", "start": "2018-01"}, basis_changes=bc)
    out = des.run(pd.DataFrame({"basis": ["splice", "dummy", "interact"]}))
    assert out["skip_reason"].isna().all()
    assert (out["estimate"].abs() < 0.05).all()


# --- known truth in the curve, null calibration ------------------------------------------
GRID = {"trend": ["none", "linear", "pre"], "inference": ["nw", "ewc", "ar1"],
        "start": ["2018-01", "2019-01"], "differences": [False, True]}


def test_known_step_is_found_in_most_specifications():
    res = spec_curve(_design(_prices(0.25, seed=1)), GRID)
    c = res.curve_summary
    assert c.n_specs == 36
    assert c.share_sig_positive >= 0.8
    assert abs(c.median - 0.25) < 0.05


def test_null_placebo_in_time_p_is_roughly_uniform():
    ps = []
    for seed in range(60):
        des = _design(_prices(0.0, seed=100 + seed, ar=0.3))
        ps.append(placebo_in_time(des, inference="ewc").p_value)
    ps = np.array(ps)
    assert stats.kstest(ps, "uniform").pvalue > 0.01
    assert 0.0 < np.mean(ps < 0.1) < 0.25


def test_null_joint_p_of_curve_is_roughly_uniform():
    months = list(pd.date_range("2018-09-01", "2023-06-01", freq="MS"))
    months = [m for m in months if m != pd.Timestamp("2021-01-01")]
    ps = []
    for seed in range(30):
        res = spec_curve(_design(_prices(0.0, seed=500 + seed, ar=0.3)),
                         {"inference": ["ewc", "nw"], "trend": ["none"]},
                         null=NullDraws(months, n_draws=19, seed=seed, label="placebo month"))
        ps.append(res.joint.p_median)
    assert stats.kstest(ps, "uniform").pvalue > 0.01


def test_placebo_in_time_rank_and_p_on_constructed_series():
    # a noiseless step at 2021-01 plus small noise: the true month has the largest |t|
    p = _prices(0.5, seed=7, ar=0.0, sd=0.005)
    res = placebo_in_time(_design(p), inference="nw")
    B = res.n_placebos
    assert res.rank == 1
    assert res.p_value == pytest.approx(1 / (1 + B))
    # the p-value is (1 + #{|t_b| >= |t|}) / (1 + B), recomputed from the table
    tab = res.table
    t0 = abs(tab.loc[tab.is_true, "statistic"].iloc[0])
    k = int((tab.loc[~tab.is_true, "statistic"].abs() >= t0).sum())
    assert res.p_value == (1 + k) / (1 + B)
    # a step put where nothing happens: the actual step (2021-01) outranks it
    des = ITSCurveDesign(p, "k", steps=["2019-06-01", STEP], target="2019-06-01", end="2023-12",
                         defaults={"controls": "c", "start": "2018-01"}, basis_changes=NO_BASIS)
    res2 = placebo_in_time(des, inference="nw", months=pd.date_range("2018-08-01", "2020-12-01", freq="MS"))
    assert res2.p_value > 0.1


def test_pre_event_counterfactual_bands_match_ols_prediction():
    p = _prices(0.3, seed=5, ar=0.0)
    res = pre_event_counterfactual(p, "k", event=STEP, controls=["c"], trend="none",
                                   basis_changes=NO_BASIS)
    y = np.log(p.loc[p.series == "k", "value"].to_numpy())
    c = np.log(p.loc[p.series == "c", "value"].to_numpy())
    X = sm.add_constant(c)
    pre = DATES < "2021-01-01"
    fit = sm.OLS(y[pre], X[pre]).fit()
    pr = fit.get_prediction(X).summary_frame(alpha=0.05)
    np.testing.assert_allclose(res.path["band_low"], pr["obs_ci_lower"], rtol=1e-10)
    np.testing.assert_allclose(res.path["counterfactual"], pr["mean"], rtol=1e-10)
    assert abs(res.estimate - 0.3) < 3 * res.se
    assert not res.trend_used


# --- bad options ---------------------------------------------------------------------------
def test_bad_options_raise_value_error():
    des = _design(_prices(0.1, seed=2))
    for col, bad in [("inference", "hac"), ("inference", "nwx"), ("trend", "quadratic"),
                     ("basis", "ratio"), ("event_month", "previous")]:
        with pytest.raises(ValueError, match="not allowed"):
            des.run(pd.DataFrame({col: [bad]}))
    with pytest.raises(ValueError, match="unknown choice"):
        des.run(pd.DataFrame({"lags": [3]}))
    with pytest.raises(ValueError, match="not one of the steps"):
        ITSCurveDesign(_prices(0.1, seed=2), "k", steps=[STEP], target="2020-01-01", end="2023-12")
    with pytest.raises(ValueError, match="step"):
        price_spec_curve(step="2023-01")
    with pytest.raises(ValueError, match="null_draws"):
        price_spec_curve(step="2021-08", grid={"trend": ["none"]}, null_draws="all")
    with pytest.raises(ValueError):
        fit_its_batch(np.zeros(5), np.ones((5, 1)), 0)
    with pytest.raises(ValueError, match="trend"):
        pre_event_counterfactual(_prices(0.1, seed=2), "k", event=STEP, trend="cubic")


def test_study_placebo_in_time_runs_on_real_data():
    res = price_placebo_in_time(step="2021-08")
    assert res.n_placebos >= 40
    assert 1 / (1 + res.n_placebos) <= res.p_value <= 1
    assert res.summary_frame().loc["2021-08", "rank"] == res.rank


def test_design_intervals_use_the_t_quantile_of_each_inference():
    des = _design(_prices(0.2, seed=9))
    out = des.run(pd.DataFrame({"inference": ["ewc", "ar1"]}))
    nu = ewc_dof(72)
    q = [stats.t.isf(0.025, nu), stats.t.isf(0.025, 72 - 1 - 3)]  # const, log c, step
    np.testing.assert_allclose(out["ci_high"] - out["estimate"], np.array(q) * out["se"], rtol=1e-12)


def test_pre_trend_test_ignores_basis_terms_that_are_zero_before_the_change():
    # a strong pre-event trend in the outcome; the control changes basis after the step:
    # "pre" must find the trend whatever the basis handling (dummy columns are 0 pre-event)
    rng = np.random.default_rng(12)
    c = 5 + np.cumsum(rng.normal(0, 0.05, 72))
    y = 1 + 0.8 * c + 0.01 * np.arange(72) + 0.2 * (DATES >= "2021-01-01") + rng.normal(0, 0.01, 72)
    p = pd.concat([pd.DataFrame({"date": DATES, "series": s, "value": np.exp(v), "unit": "$"})
                   for s, v in [("k", y), ("c", c)]], ignore_index=True)
    bc = pd.DataFrame({"series": ["c"], "date": [pd.Timestamp("2022-03-01")]})
    des = ITSCurveDesign(p, "k", steps=[STEP], target=STEP, end="2023-12",
                         defaults={"controls": "c", "start": "2018-01"}, basis_changes=bc)
    specs = pd.DataFrame({"basis": ["splice", "dummy", "interact"] * 2,
                          "trend": ["pre"] * 3 + ["none"] * 3})
    out = des.run(specs)
    assert (out["estimate"][:3].sub(0.2).abs() < 0.03).all()  # trend found: step recovered
    assert (out["estimate"][3:].sub(0.2).abs() > 0.05).all()  # no trend: step absorbs it
