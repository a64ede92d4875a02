"""potash.estimators.breaks on seeded simulations with known breaks, hand calculations and bad input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from potash import bai_perron, chow_test, f_stats
from potash.estimators.breaks import _pargmaxV, _segment_rss
from potash.figures import plot_breaks, plot_fstats

IDX = pd.date_range("2018-01-01", periods=96, freq="MS")


def _mean_shift(seed: int, at: str = "2022-03-01", size: float = 1.0, sd: float = 0.25) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(size * (IDX >= at) + rng.normal(0, sd, len(IDX)), index=IDX, name="y")


def test_segment_rss_hand_calculation():
    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(30), np.arange(30.0)])
    y = rng.normal(size=30)
    S = _segment_rss(X, y)
    for a, b in [(0, 29), (3, 9), (10, 12), (17, 29)]:
        coef, *_ = np.linalg.lstsq(X[a : b + 1], y[a : b + 1], rcond=None)
        np.testing.assert_allclose(S[a, b], np.sum((y[a : b + 1] - X[a : b + 1] @ coef) ** 2), rtol=1e-10)
    assert np.isnan(S[4, 5])  # two observations, two regressors: no residual degree of freedom
    # a dummy that is constant on a segment makes it collinear: not admissible
    Xd = np.column_stack([np.ones(30), (np.arange(30) >= 15).astype(float)])
    Sd = _segment_rss(Xd, y)
    assert np.isnan(Sd[0, 10]) and np.isnan(Sd[16, 29]) and np.isfinite(Sd[10, 20])


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_known_break_is_found(seed):
    y = _mean_shift(seed)
    fs = f_stats(y)
    assert fs.sup_break == pd.Timestamp("2022-03-01")
    assert fs.tests.loc["supF", "p_value"] < 0.001
    bp = bai_perron(y, events=["2022-03-10", "2021-08-09"])
    t = bp.breaks
    assert bp.n_breaks == 1
    assert t.loc[0, "first_after"] == pd.Timestamp("2022-03-01")
    assert t.loc[0, "ci_lower"] <= pd.Timestamp("2022-03-01") <= t.loc[0, "ci_upper"]
    assert t.loc[0, "nearest_event"] == "2022-03-10" and t.loc[0, "distance_months"] == 0
    np.testing.assert_allclose(bp.segments["const"].diff().iloc[1], 1.0, atol=0.2)
    ch = chow_test(y, "2022-03-01")
    assert ch.p_value < 1e-6 and ch.breakpoint == IDX.get_loc(pd.Timestamp("2022-03-01"))


def test_no_break_gives_zero_breaks():
    rng = np.random.default_rng(5)
    y = pd.Series(rng.normal(0, 1, 96), index=IDX)
    bp = bai_perron(y)
    assert bp.n_breaks == 0 and bp.breaks.empty
    assert f_stats(y).tests.loc["supF", "p_value"] > 0.05
    assert "number of breaks 0 chosen by BIC" in str(bp)


def test_trend_break_and_two_breaks():
    rng = np.random.default_rng(7)
    t = np.arange(96.0)
    y = pd.Series(0.01 * t + (t >= 40) * (0.5 + 0.03 * (t - 40)) + rng.normal(0, 0.05, 96), index=IDX)
    bp = bai_perron(y, model="trend", breaks=1)
    assert bp.breaks.loc[0, "breakpoint"] == 40
    y2 = pd.Series(np.r_[np.zeros(30), 2 * np.ones(30), np.ones(36)] + rng.normal(0, 0.2, 96), index=IDX)
    bp2 = bai_perron(y2)
    assert bp2.breaks["breakpoint"].tolist() == [30, 60]
    assert bp2.bic["BIC"].idxmin() == 2


def test_distance_is_signed_months_to_nearest_event():
    y = _mean_shift(3)
    ev = pd.DataFrame({"date": pd.to_datetime(["2021-12-02", "2022-06-03"]), "event_id": ["before", "after"]})
    t = bai_perron(y, events=ev).breaks
    # first month of the new regime is 2022-03: 3 months after 2021-12, 3 before 2022-06; ties -> earlier
    assert t.loc[0, "nearest_event"] == "before" and t.loc[0, "distance_months"] == 3
    ev2 = ev.assign(date=pd.to_datetime(["2021-11-02", "2022-05-03"]))
    t2 = bai_perron(y, events=ev2).breaks
    assert t2.loc[0, "nearest_event"] == "after" and t2.loc[0, "distance_months"] == -2


def test_pargmaxV_is_a_distribution():
    assert _pargmaxV(0.0) == pytest.approx(0.5)
    assert _pargmaxV(-500.0) < 1e-6 and _pargmaxV(500.0) > 1 - 1e-6
    xs = np.linspace(-50, 50, 41)
    vals = [_pargmaxV(x, xi=1.3, phi1=1.0, phi2=0.7) for x in xs]
    assert np.all(np.diff(vals) >= -1e-12)


def test_bad_input():
    y = _mean_shift(1)
    short = y.iloc[:20]
    # 20 months, h = floor(0.15 * 20) = 3: at most ceil(20 / 3) - 2 = 5 breaks
    with pytest.raises(ValueError, match="sample too short for 6 breaks"):
        bai_perron(short, breaks=6)
    with pytest.raises(ValueError, match="sample too short for max_breaks = 9"):
        bai_perron(short, max_breaks=9)
    with pytest.raises(ValueError, match="must be greater than the number of regressors"):
        bai_perron(y.iloc[:12], model="trend", h=0.15)
    with pytest.raises(ValueError, match="outside the sample"):
        chow_test(y, "2030-01-01")
    with pytest.raises(ValueError, match="more than k = 1 observations in each regime"):
        chow_test(y, "2018-02-01")
    with pytest.raises(ValueError, match="too short"), pytest.warns(UserWarning, match="changed"):
        f_stats(y.iloc[:3])
    with pytest.raises(ValueError, match="missing value"):
        f_stats(y.where(y.index != "2020-01-01"))
    with pytest.raises(ValueError, match="model='level' is not allowed"):
        bai_perron(y, model="level")
    with pytest.raises(TypeError, match="pandas Series"):
        f_stats(y.to_numpy())


def test_results_protocol_and_figures():
    y = _mean_shift(11)
    fs, bp, ch = f_stats(y), bai_perron(y, events=["2022-03-10"]), chow_test(y, "2022-03-01")
    assert list(fs.summary_frame().index) == ["supF", "aveF", "expF"]
    assert "approximation, as strucchange" in str(fs)
    assert bp.summary_frame().loc[1, "first_after"] == "2022-03"
    assert ch.summary_frame().loc["Chow", "first_after"] == "2022-03"
    for res in (fs, bp, ch):
        assert "<table" in res._repr_html_()
        fig = res.plot()
        ax = fig.axes[0]
        assert ax.get_title() and ax.get_ylabel() and any("Source:" in t.get_text() for t in fig.texts)
        plt.close(fig)
    fig = plot_fstats(fs, bp, events=pd.DataFrame({"date": pd.to_datetime(["2022-03-10"]),
                                                   "event_id": ["x"], "type": ["sanction"]}))
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "Bai-Perron break" in labels and "95% CI" in labels
    assert any(lab.startswith("sup-F 5% critical value") for lab in labels)
    plt.close(fig)
    fig, ax = plt.subplots()
    assert plot_breaks(bp, ax=ax) is fig
    plt.close(fig)
