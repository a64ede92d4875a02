"""Tests of potash.estimators.synth: analytic truths, hand calculations, bad input, shipped data.

No R reference here: the R package Synth is not packaged for Debian (`apt-cache search
r-cran-synth` finds nothing) and CRAN is not reachable, so the estimator is checked against
exact convex combinations (weights and effects known), hand-computed placebo fixtures and
analytic results for the covariate and indexing options.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from potash.analyses.trade import synthetic_control
from potash.core.errors import PotashDataError
from potash.estimators.synth import synth_weights

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "results"))
sys.path.insert(0, str(HERE))

from panel_export import FAOSTAT_SPEC, faostat_trade  # noqa: E402


def _convex_panel(seed: int = 7, effect=(-30.0, -45.0, -40.0)):
    """Donors are seeded random walks; the treated unit is an exact convex combination of
    them before 2021 and that combination plus a known effect from 2021."""
    rng = np.random.default_rng(seed)
    years = np.arange(2006, 2024)
    donors = [f"D{i}" for i in range(6)]
    Y0 = (
        100
        + np.cumsum(rng.normal(0, 5, (len(years), len(donors))), axis=0)
        + rng.normal(0, 20, len(donors))
    )
    w = np.array([0.5, 0.3, 0.2, 0.0, 0.0, 0.0])
    y1 = Y0 @ w
    post = years >= 2021
    y1[post] += np.asarray(effect)
    wide = pd.DataFrame(Y0, index=years, columns=donors)
    wide["BLR"] = y1
    return wide, pd.Series(w, index=donors), years


def test_exact_convex_combination_recovered():
    wide, w_true, _ = _convex_panel()
    res = synthetic_control(wide, events=2021)
    np.testing.assert_allclose(res.weights.loc[w_true.index], w_true, atol=1e-6)
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert (res.weights >= 0).all()
    gap = res.gap
    np.testing.assert_allclose(gap.loc[:2020], 0.0, atol=1e-4)
    np.testing.assert_allclose(gap.loc[2021:], [-30.0, -45.0, -40.0], atol=1e-4)
    assert res.params["att"] == pytest.approx(np.mean([-30.0, -45.0, -40.0]), abs=1e-4)
    synth_post = (wide.loc[2021:, w_true.index] @ w_true).mean()
    assert res.params["att_pct"] == pytest.approx(100 * (-115 / 3) / synth_post, rel=1e-5)
    # the treated unit's ratio is huge (near-exact pre fit): it ranks first of 7
    assert res.placebos.loc["BLR", "rank"] == 1
    assert res.pvalue == pytest.approx(1 / 7)


def test_weights_function_exact():
    rng = np.random.default_rng(1)
    Y0 = rng.normal(size=(10, 4))
    w = np.array([0.1, 0.0, 0.6, 0.3])
    got = synth_weights(Y0 @ w, Y0)
    np.testing.assert_allclose(got, w, atol=1e-7)
    # treated outside the convex hull: the nearest vertex, all weight on the largest donor
    big = synth_weights(Y0[:, 2] + 50.0, Y0 + np.array([0, 0, 10.0, 0]))
    np.testing.assert_allclose(big, [0, 0, 1, 0], atol=1e-8)


def test_hand_calculated_placebos():
    """Two donors: each placebo's synthetic control is the other donor (weight 1)."""
    years = range(2017, 2023)
    A = np.array([10.0, 12.0, 11.0, 13.0, 12.0, 14.0])
    B = np.array([14.0, 12.0, 13.0, 11.0, 12.0, 10.0])
    T = 0.25 * A + 0.75 * B
    T[-2:] -= [5.0, 6.0]  # post years 2021, 2022
    wide = pd.DataFrame({"A": A, "B": B, "T": T}, index=years)
    res = synthetic_control(wide, treated="T", events=2021)
    assert res.weights.to_dict() == pytest.approx({"A": 0.25, "B": 0.75}, abs=1e-7)
    pre, post = slice(0, 4), slice(4, 6)
    d = A - B
    rm = lambda x: np.sqrt(np.mean(x**2))  # noqa: E731
    pl = res.placebos
    assert pl.loc["A", "pre_rmspe"] == pytest.approx(rm(d[pre]))
    assert pl.loc["A", "post_rmspe"] == pytest.approx(rm(d[post]))
    assert pl.loc["B", "ratio"] == pytest.approx(rm(d[post]) / rm(d[pre]))
    np.testing.assert_allclose(res.placebo_gaps["A"], d)
    np.testing.assert_allclose(res.placebo_gaps["B"], -d)
    assert res.rmspe_post == pytest.approx(rm(np.array([5.0, 6.0])), abs=1e-6)
    # ratios: T ~ inf, A = B = 2/sqrt(5) / ... ; the treated unit ranks first of 3
    assert res.pvalue == pytest.approx(1 / 3)
    sf = res.summary_frame()
    assert sf.loc[2022, "gap"] == pytest.approx(-6.0, abs=1e-6)
    assert sf.loc[2022, "gap_pct"] == pytest.approx(-600 / (0.25 * 14 + 0.75 * 10), abs=1e-5)


def test_pvalue_counts_ties_and_cutoff():
    """Placebo rule: p = #{ratio >= treated ratio} / (units used); the cutoff drops placebos."""
    wide, _, _ = _convex_panel(seed=3, effect=(0.0, 0.0, 0.0))
    wide["BLR"] += np.random.default_rng(0).normal(0, 1.0, len(wide))  # imperfect pre fit
    res = synthetic_control(wide, events=2021)
    pl = res.placebos
    expect = (pl["ratio"] >= pl.loc["BLR", "ratio"]).sum() / len(pl)
    assert res.pvalue == pytest.approx(expect)
    cut = synthetic_control(wide, events=2021, rmspe_cutoff=2.0)
    used = cut.placebos["used"]
    assert used["BLR"]
    assert (cut.placebos.loc[used, "pre_rmspe"] <= 2.0 * cut.rmspe_pre).all()
    assert list(cut.placebo_gaps.columns) == [u for u in used.index[used] if u != "BLR"]


def test_covariates_break_a_tie():
    """Donors A and A2 have identical outcomes; the covariate says the treated unit is like A2."""
    years = range(2015, 2023)
    base = np.array([5.0, 6, 7, 6, 8, 7, 9, 8])
    other = np.array([9.0, 8, 9, 7, 9, 8, 9, 9])
    wide = pd.DataFrame(
        {"A": base, "A2": base, "B": other, "T": 0.6 * base + 0.4 * other}, index=years
    )
    cov = pd.DataFrame(
        {"capacity": [1.0, 3.0, 5.0, 0.6 * 3.0 + 0.4 * 5.0]}, index=["A", "A2", "B", "T"]
    )
    res = synthetic_control(wide, treated="T", events=2021, covariates=cov, covariate_weight=1.0)
    assert res.weights.to_dict() == pytest.approx({"A": 0.0, "A2": 0.6, "B": 0.4}, abs=1e-5)
    with pytest.raises(PotashDataError, match="no covariate rows"):
        synthetic_control(wide, treated="T", events=2021, covariates=cov.drop("B"))


def test_normalized_weights_analytic():
    """Indexing to pre-means: weights become v_j = w_j m_j / sum_k w_k m_k, the treated level
    may lie outside the donors' hull."""
    wide, w_true, _ = _convex_panel(seed=5, effect=(0.0, 0.0, 0.0))
    wide["BLR"] = 3.0 * wide["BLR"]
    res = synthetic_control(wide, events=2021, normalize="pre_mean")
    m = wide.loc[:2020, w_true.index].mean()
    v = w_true * m / (w_true * m).sum()
    np.testing.assert_allclose(res.weights.loc[v.index], v, atol=1e-6)
    np.testing.assert_allclose(res.gap, 0.0, atol=1e-4)
    assert res.paths.loc[:2020, "actual"].mean() == pytest.approx(100.0)


def test_bad_input():
    wide, _, _ = _convex_panel()
    with pytest.raises(PotashDataError, match="treated unit 'XYZ' not found"):
        synthetic_control(wide, treated="XYZ", events=2021)
    gappy = wide.copy()
    gappy.loc[2010, "BLR"] = np.nan
    with pytest.raises(PotashDataError, match=r"no value in years \[2010\]"):
        synthetic_control(gappy, events=2021)
    with pytest.raises(ValueError, match="donors not in the data"):
        synthetic_control(wide, events=2021, donors=["D0", "QQQ"])
    with pytest.raises(ValueError, match="cannot be its own donor"):
        synthetic_control(wide, events=2021, donors=["D0", "BLR"])
    with pytest.raises(PotashDataError, match="at least 2 donors"):
        synthetic_control(wide, events=2021, donors=["D0"])
    with pytest.raises(PotashDataError, match=">= 2 pre years"):
        synthetic_control(wide, events=2006)
    with pytest.raises(ValueError, match="normalize='log' is not allowed"):
        synthetic_control(wide, events=2021, normalize="log")
    missing = wide.copy()
    missing.loc[2008, "D5"] = np.nan
    res = synthetic_control(missing, events=2021)
    assert "D5" not in res.weights.index
    assert "missing years [2008]" in res.excluded["reason"].iloc[0]


def test_trade_table_input_and_errors():
    trade = faostat_trade()
    with pytest.raises(PotashDataError, match="treated unit 'XYZ'"):
        synthetic_control(trade, treated="XYZ", **FAOSTAT_SPEC)
    with pytest.raises(PotashDataError, match="in years 1950-1955"):
        synthetic_control(trade, years=(1950, 1955))
    with pytest.raises(PotashDataError, match="missing column"):
        synthetic_control(trade.drop(columns="quantity_t"), **FAOSTAT_SPEC)


def test_shipped_data_runs_and_is_consistent():
    res = synthetic_control(faostat_trade(), **FAOSTAT_SPEC)
    w = res.weights
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
    # LAO has no 2010 row: excluded as a donor with missing years, and reported
    assert "LAO" not in w.index
    assert res.excluded["reason"].str.contains("missing years").any()
    # the synthetic path is the weighted sum of the donors' rows (hand recomputation)
    raw = faostat_trade()
    rows = raw[
        raw["year"].between(2010, 2023)
        & raw["reporter_iso3"].isin(w.index)
        & (raw["flow"] == "export")
        & (raw["product"] == "potassium_chloride")
    ]
    wide = rows.pivot(index="year", columns="reporter_iso3", values="quantity_t")[w.index]
    np.testing.assert_allclose(res.paths["synthetic"], wide @ w, rtol=1e-12)
    pl = res.placebos
    assert res.pvalue == pytest.approx((pl["ratio"] >= res.rmspe_ratio).sum() / len(pl))
    assert 1 / len(pl) <= res.pvalue <= 1
    text = res.summary.as_text()
    assert "Weights:" in text and "permutation p" in text
    for kind in ("paths", "gaps"):
        fig = res.plot(kind=kind)
        ax = fig.axes[0]
        assert "Mt" in ax.get_ylabel() and ax.get_title() and ax.get_xlabel() == "Year"
        assert any("Source:" in t.get_text() for t in fig.texts)
        plt.close(fig)
    fig, ax = plt.subplots()
    assert res.plot(ax=ax, kind="gaps") is fig
    plt.close(fig)
    with pytest.raises(ValueError, match="kind"):
        res.plot(kind="bars")


# --- donor data-quality screen, leave-one-out, p floor (issue 11) --------------------------
def test_screen_flags_zero_and_jump_series():
    from potash.estimators.synth import screen_donors

    years = range(2010, 2020)
    wide = pd.DataFrame(
        {
            "SMOOTH": np.linspace(10, 14, 10),
            # zero except two years: near zero in 8 of 10 years (and jumps from zero)
            "ZERO": [0, 0, 0, 0, 0, 0, 0, 2.2, 0, 1.9],
            # a level series that triples once: a jump by exactly the factor 3
            "JUMP": [1, 1, 1, 1, 3, 3, 3, 3, 3, 3.0],
            # doubling is below the threshold
            "DOUBLE": [1, 1, 1, 2, 2, 2, 2, 2, 2, 2.0],
        },
        index=years,
    )
    sc = screen_donors(wide)
    assert sc["flagged"].to_dict() == {"SMOOTH": False, "ZERO": True, "JUMP": True,
                                       "DOUBLE": False}
    assert sc.loc["ZERO", "share_near_zero"] == pytest.approx(0.8)
    assert sc.loc["ZERO", "near_zero"] and np.isinf(sc.loc["ZERO", "max_jump"])
    assert sc.loc["JUMP", "max_jump"] == pytest.approx(3.0) and not sc.loc["JUMP", "near_zero"]
    assert sc.loc["DOUBLE", "max_jump"] == pytest.approx(2.0)
    assert "near zero" in sc.loc["ZERO", "reason"] and "factor of 3.0" in sc.loc["JUMP", "reason"]
    assert screen_donors(wide, jump_factor=2.0)["flagged"]["DOUBLE"]
    with pytest.raises(ValueError, match="jump_factor"):
        screen_donors(wide, jump_factor=1.0)
    # in a fit: flagged donors are excluded and reported, unless screen=False
    wide["T"] = wide["SMOOTH"] * 0.5 + wide["DOUBLE"]
    res = synthetic_control(wide, treated="T", events=2017)
    assert set(res.weights.index) == {"SMOOTH", "DOUBLE"}
    assert res.flagged_donors == ["ZERO", "JUMP"]
    assert res.excluded["reason"].str.contains("data-quality screen").sum() == 2
    kept = synthetic_control(wide, treated="T", events=2017, screen=False)
    assert set(kept.weights.index) == {"SMOOTH", "ZERO", "JUMP", "DOUBLE"}
    assert kept.flagged_donors == ["ZERO", "JUMP"]


def test_jordan_flagged_on_shipped_data():
    res = synthetic_control(faostat_trade(), **FAOSTAT_SPEC)
    # FAOSTAT JOR MOP: about 0 except 2.18 Mt in 2020 and 1.88 Mt in 2022
    assert "JOR" in res.flagged_donors and "JOR" not in res.weights.index
    assert res.donor_screen.loc["JOR", "near_zero"]
    raw = synthetic_control(faostat_trade(), screen=False, **FAOSTAT_SPEC)
    assert raw.weights["JOR"] == pytest.approx(0.49, abs=0.01)  # the weight
    # leave-one-out: one row per positive-weight donor, each re-fit without it
    loo = res.leave_one_out
    assert set(loo.index) == set(res.weights.index[res.weights > 1e-3])
    assert (loo["p_value"] >= 1 / loo["n_units"] - 1e-12).all()
    assert "Leave-one-out without" in " ".join(res.summary.as_text().split())


def test_leave_one_out_hand_solvable():
    """T equals donor A before 2021; without A the best convex fit of T = [1, 2, 3] by
    B = [2, 2, 2] and C = [5, 5, 5] is B alone (w_B = <T - C, B - C> / |B - C|^2 = 27/27 = 1)."""
    wide = pd.DataFrame(
        {"T": [1, 2, 3, 1.0], "A": [1, 2, 3, 3.0], "B": [2, 2, 2, 2.0], "C": [5, 5, 5, 5.0]},
        index=range(2018, 2022),
    )
    res = synthetic_control(wide, treated="T", events=2021)
    assert res.weights.round(6).to_dict() == {"A": 1.0, "B": 0.0, "C": 0.0}
    assert res.gap.loc[2021] == pytest.approx(-2.0)
    loo = res.leave_one_out
    assert list(loo.index) == ["A"]
    row = loo.loc["A"]
    assert row["att"] == pytest.approx(1.0 - 2.0)
    assert row["att_pct"] == pytest.approx(-50.0)
    # pre gaps [-1, 0, 1]: RMSPE sqrt(2/3); post gap -1: ratio sqrt(3/2)
    assert row["rmspe_pre"] == pytest.approx(np.sqrt(2 / 3))
    assert row["ratio"] == pytest.approx(np.sqrt(1.5))
    # placebos in the reduced pool {B, C}: each is the other plus a constant, ratio 1 < sqrt(1.5)
    assert row["n_units"] == 3 and row["p_value"] == pytest.approx(1 / 3)
    assert row["weights"] == "B 1.00"
    np.testing.assert_allclose(res.leave_one_out_gaps["A"], [-1, 0, 1, -1], atol=1e-9)
    none = synthetic_control(wide, treated="T", events=2021, leave_one_out=False)
    assert none.leave_one_out.empty


def test_pvalue_floor_is_one_over_j_plus_one():
    wide, _, _ = _convex_panel()
    res = synthetic_control(wide, events=2021)
    j = len(res.placebos) - 1
    assert res.p_floor == pytest.approx(1 / (j + 1))
    assert res.pvalue >= res.p_floor
    assert "floor 1/(J+1)" in " ".join(res.summary.as_text().split())
