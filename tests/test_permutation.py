"""Tests of potash.estimators.permutation: in-space randomization inference for one treated unit.

References: the PPML coefficients against :func:`trade_event_study` (statsmodels GLM, itself
matched to R in tests/results/panel_ppml.R); hand-counted p-values, ranks and Conley-Taber
order statistics; exact multiplicative panels (known truth, no noise); and seeded Monte Carlo
simulations with a known effect (found, covered) and without one (uniform p-values).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from potash.analyses.trade import SETUP, TradeCurveDesign, trade_permutation, trade_spec_curve
from potash.core.errors import PotashDataError
from potash.estimators.permutation import (
    PermutationResults,
    ct_interval,
    permutation_pvalue,
    unit_estimates,
    unit_permutation,
)
from potash.estimators.ppml import trade_event_study

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "results"))
from panel_export import faostat_trade  # noqa: E402


def _sim(seed: int, *, n_units: int = 20, n_years: int = 12, effect: float = 0.0,
         sd: float = 0.15, post_start: int = 2018) -> pd.DataFrame:
    """Seeded multiplicative panel: unit and year effects, AR-free log-normal noise, and a
    known effect (log points) for unit U0 from ``post_start``."""
    rng = np.random.default_rng(seed)
    units = [f"U{i}" for i in range(n_units)]
    years = np.arange(post_start - n_years + 2, post_start + 2)
    a = rng.normal(12, 1, n_units)
    g = rng.normal(0, 0.2, n_years)
    rows = []
    for i, u in enumerate(units):
        for t, yr in enumerate(years):
            d = effect if (i == 0 and yr >= post_start) else 0.0
            rows.append((u, int(yr), np.exp(a[i] + g[t] + d + rng.normal(0, sd))))
    return pd.DataFrame(rows, columns=["exporter", "year", "y"])


# --- hand calculations ------------------------------------------------------------------
def test_pvalue_rank_and_floor_by_hand():
    est = pd.DataFrame({"treated_post": [-0.5, 0.1, -0.6, 0.5, 0.2]}, index=list("TABCD"))
    res = PermutationResults(_estimates=est, _settings={"treated": "T", "level": 0.95})
    # |b_T| = 0.5; placebos at least as large: B (0.6), C (0.5) -> p = (1 + 2) / 5, rank 3
    assert res.pvalues["treated_post"] == pytest.approx(3 / 5)
    assert res.rank["treated_post"] == 3
    assert res.p_floor == pytest.approx(1 / 5)
    assert res.n_placebos == 4
    # treated largest -> p equals the floor 1/(J+1)
    assert permutation_pvalue(2.0, np.array([0.1, -0.2, 0.3, 1.9]))[0] == pytest.approx(1 / 5)
    # Conley-Taber: J = 4, level 0.95 -> k = max(1, floor(5 * 0.025)) = 1, coverage 3/5,
    # interval [b - max W, b - min W] = [-0.5 - 0.5, -0.5 + 0.6]
    lo, hi, cov = ct_interval(-0.5, np.array([0.1, -0.6, 0.5, 0.2]), 0.95)
    assert (lo, hi, cov) == pytest.approx((-1.0, 0.1, 0.6))
    # J = 39, level 0.90 -> k = floor(40 * 0.05) = 2: the 2nd order statistics, coverage 36/40
    w = np.arange(39.0)
    assert ct_interval(0.0, w, 0.90) == pytest.approx((-37.0, -1.0, 0.9))
    frame = res.summary_frame()
    for col in ("estimate", "se", "statistic", "p_value", "ci_low", "ci_high"):
        assert col in frame.columns
    with pytest.raises(ValueError, match="level"):
        ct_interval(0.0, w, 1.5)


def test_exact_panel_recovers_effect_and_trend():
    """No noise: y = exp(a_i + g_t + delta D + gamma k 1[treated]); every unit-year known."""
    units, years = ["T", "A", "B", "C"], np.arange(2010, 2020)
    a = dict(zip(units, [3.0, 2.0, 4.0, 1.0], strict=True))
    g = np.linspace(0, 0.5, len(years)) ** 2
    rows = []
    for u in units:
        for yr, gt in zip(years, g, strict=True):
            k = yr - 2016
            z = a[u] + gt + (-0.4 * (k >= 0) + 0.05 * k if u == "T" else 0.0)
            rows.append((u, yr, np.exp(z)))
    panel = pd.DataFrame(rows, columns=["exporter", "year", "y"])
    res = unit_permutation(panel, treated="T", post_start=2016, treated_trend="all")
    assert res.params["treated_post"] == pytest.approx(-0.4, abs=1e-8)
    assert res.params["treated_trend"] == pytest.approx(0.05, abs=1e-8)
    # the controls are exactly two-way: every placebo estimate is zero
    np.testing.assert_allclose(res.placebo_estimates.to_numpy(), 0.0, atol=1e-8)
    pre = unit_permutation(panel, treated="T", post_start=2016, treated_trend="pre")
    # pre-trend slope 0.05; the post level is compared with the trend line at k = 0
    assert pre.params["treated_pretrend"] == pytest.approx(0.05, abs=1e-8)
    with pytest.raises(ValueError, match="treated_trend"):
        unit_permutation(panel, treated="T", post_start=2016, treated_trend="quadratic")
    with pytest.raises(PotashDataError, match="not in the panel"):
        unit_permutation(panel, treated="XYZ", post_start=2016)


# --- against the statsmodels / R-matched estimator ----------------------------------------
def test_matches_trade_event_study_on_shipped_data():
    trade = faostat_trade()
    res = trade_permutation(trade, **SETUP)
    ref = trade_event_study(trade, treated="BLR", events=2022, product="potassium_chloride",
                            **SETUP)
    assert res.params["treated_post"] == pytest.approx(ref.params["treated_post"], abs=1e-7)
    # every placebo: the same PPML with the unit as treated and Belarus dropped
    for unit in ("CAN", "RUS", "JOR"):
        sub = trade[trade["reporter_iso3"] != "BLR"]
        pl = trade_event_study(sub, treated=unit, events=2022, product="potassium_chloride",
                               cluster=None, **SETUP)
        assert res.estimates.loc[unit, "treated_post"] == pytest.approx(
            pl.params["treated_post"], abs=1e-7
        )
    # the count: Belarus 4th of 12, p = 4/12
    assert res.rank["treated_post"] == 4 and res.n_placebos == 11
    assert res.pvalues["treated_post"] == pytest.approx(4 / 12)
    assert res.p_floor == pytest.approx(1 / 12)
    assert res.ci_coverage == pytest.approx(10 / 12)
    et = trade_permutation(trade, terms="event_time", **SETUP)
    ref_et = trade_event_study(trade, treated="BLR", events=2022, product="potassium_chloride",
                               event_time=True, **SETUP)
    np.testing.assert_allclose(et.params.to_numpy(), ref_et.params.to_numpy(), atol=1e-7)
    fig = res.plot()
    assert "rank 4 of 12" in fig.axes[0].get_title()


# --- simulations with known truth ---------------------------------------------------------
def test_known_effect_found_and_covered():
    truth = -0.5
    found, covered = 0, 0
    n_sims = 40
    for seed in range(n_sims):
        res = unit_permutation(_sim(seed, effect=truth), treated="U0", post_start=2018,
                               level=0.90)
        found += res.pvalues["treated_post"] <= 0.10
        ci = res.conf_int().loc["treated_post"]
        covered += ci["lower"] <= truth <= ci["upper"]
        assert res.p_floor == pytest.approx(1 / 20)
    assert found / n_sims >= 0.9
    # exact coverage (J + 1 - 2k) / (J + 1) = 18/20 with J = 19, k = 1; binomial sd 0.047
    assert abs(covered / n_sims - 0.9) <= 0.12
    one = unit_permutation(_sim(0, effect=truth), treated="U0", post_start=2018)
    assert one.pvalues["treated_post"] == pytest.approx(one.p_floor)
    assert one.rank["treated_post"] == 1


def test_null_pvalues_uniform_over_seeds():
    ps = np.array([
        unit_permutation(_sim(1000 + s, n_units=10, n_years=8), treated="U0",
                         post_start=2018).pvalues["treated_post"]
        for s in range(300)
    ])
    # under the null the rank is uniform on 1..10: P(p <= m/10) = m/10
    for m in (1, 3, 5, 8):
        assert abs(np.mean(ps <= m / 10 + 1e-12) - m / 10) <= 0.07
    assert abs(ps.mean() - 0.55) <= 0.04


def test_event_time_terms_missing_for_a_short_placebo():
    panel = _sim(3, n_units=6, n_years=8)
    short = panel[~((panel["exporter"] == "U5") & (panel["year"] < 2013))]
    est = unit_estimates(short, ["U0", "U5"], treated="U0", post_start=2018,
                         terms="event_time", leads=None)
    # U5 has no year at event time -6 (2012): that lead is NaN, the others are estimated
    assert np.isnan(est.loc["U5", "et_m6"])
    assert est.loc["U5"].drop("et_m6").notna().all()


# --- the trade specification curve ---------------------------------------------------------
def test_trade_curve_design_and_null_draws():
    trade = faostat_trade()
    grid = {"min_quantity": [100_000], "start": [2010], "post_start": [2022],
            "trend": ["none", "treated_trend"], "measure": ["quantity_t"],
            "drop_exporter": ["none", "JOR", "TKM"]}
    res = trade_spec_curve(trade, grid=grid)
    # TKM is not in the 100,000 t panel: inadmissible (a duplicate of "none"), reported
    assert len(res.skipped) == 2 and res.skipped["reason"].str.contains("TKM").all()
    row = res.table.query("trend == 'none' and drop_exporter == 'none'").iloc[0]
    perm = trade_permutation(trade, **SETUP)
    assert row["estimate"] == pytest.approx(perm.params["treated_post"], abs=1e-9)
    assert row["p_value"] == pytest.approx(perm.pvalues["treated_post"])
    ci = perm.conf_int().loc["treated_post"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci["lower"], ci["upper"]))
    j = res.joint
    assert j.n_draws == 11 and j.p_floor == pytest.approx(1 / 12)
    # the JOR draw cannot run the specifications that drop JOR
    draws = j.draws.set_index("placebo")
    assert draws.loc["JOR", "n_specs"] == 2 and draws.loc["CAN", "n_specs"] == 4
    # a null curve of CAN: its estimate is CAN's placebo estimate, p among the 11 others
    design = TradeCurveDesign(trade)
    specs = pd.DataFrame([{k: v[0] for k, v in grid.items()}])
    out = design.run(specs, placebo="CAN").iloc[0]
    est = perm.estimates["treated_post"]
    assert out["estimate"] == pytest.approx(est["CAN"], abs=1e-9)
    others = est.drop("CAN")
    assert out["p_value"] == pytest.approx(
        (1 + (others.abs() >= abs(est["CAN"])).sum()) / 12
    )


def _sim_trade(seed: int, effect: float, n_units: int = 16) -> pd.DataFrame:
    """A seeded FAOSTAT-shaped trade table: exporter totals 2005-2023, Belarus hit by
    ``effect`` log points from 2022 (quantity and value alike)."""
    rng = np.random.default_rng(seed)
    codes = ["BLR", *[f"X{i:02d}" for i in range(1, n_units)]]
    years = np.arange(2005, 2024)
    a = rng.normal(14, 0.8, n_units)
    g = rng.normal(0, 0.15, len(years))
    rows = []
    for i, c in enumerate(codes):
        for t, yr in enumerate(years):
            d = effect if (c == "BLR" and yr >= 2022) else 0.0
            q = np.exp(a[i] + g[t] + d + rng.normal(0, 0.1))
            rows.append({"year": int(yr), "reporter_iso3": c, "partner_iso3": "WLD",
                         "flow": "export", "product": "potassium_chloride", "quantity_t": q,
                         "value_usd": q * 300 * np.exp(rng.normal(0, 0.05))})
    return pd.DataFrame(rows)


def test_trade_curve_finds_a_known_effect():
    grid = {"min_quantity": [100_000], "start": [2005, 2012], "post_start": [2022, 2021],
            "measure": ["quantity_t", "value_usd"], "drop_exporter": ["none", "X01"]}
    res = trade_spec_curve(_sim_trade(5, effect=-0.7), grid=grid)
    c = res.curve_summary
    assert c.n_specs == 16 and c.share_negative == 1.0
    # the 2022 specifications recover the truth closely; 2021 dilutes it with an untreated year
    t22 = res.table[res.table["post_start"] == 2022]["estimate"]
    assert np.allclose(t22, -0.7, atol=0.1)
    assert c.share_sig_negative >= 0.9
    # joint inference over the 15 placebo exporters: the observed median is the most extreme
    assert res.joint.n_draws == 15 and res.joint.p_median == pytest.approx(1 / 16)
