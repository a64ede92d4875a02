"""Engine: models, windows, event-date shifting, overlap, data quality, bad input, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from potash import EventStudyResults, PotashDataError, event_study

DATES = pd.bdate_range("2021-01-04", periods=320)


def _synthetic(seed=0, n=4, noise=0.01):
    rng = np.random.default_rng(seed)
    mkt = pd.Series(rng.normal(0.0003, 0.01, len(DATES)), index=DATES, name="MKT")
    alphas = rng.normal(0, 0.0005, n)
    betas = rng.uniform(0.5, 1.5, n)
    rets = pd.DataFrame(
        {f"S{i}": alphas[i] + betas[i] * mkt + rng.normal(0, noise, len(DATES)) for i in range(n)},
        index=DATES,
    )
    return rets, mkt, alphas, betas


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    alpha=st.floats(-0.01, 0.01),
    beta=st.floats(-2, 3),
    seed=st.integers(0, 10_000),
)
def test_exact_linear_security_has_zero_abnormal_returns(alpha, beta, seed) -> None:
    rng = np.random.default_rng(seed)
    mkt = pd.Series(rng.normal(0, 0.01, len(DATES)), index=DATES)
    noisy = alpha + 0.9 * mkt + rng.normal(0, 0.01, len(DATES))
    rets = pd.DataFrame({"EXACT": alpha + beta * mkt, "NOISY": noisy}, index=DATES)
    res = event_study(rets, mkt, DATES[280], estimation_window=(-250, -11), event_window=(-3, 5))
    ar = res.ar.xs("EXACT", level="security")
    assert np.nanmax(np.abs(ar.to_numpy())) < 1e-12
    assert abs(res.car.xs("EXACT", level="security")["car"].iloc[0]) < 1e-12
    p = res.params.xs("EXACT", level="security").iloc[0]
    assert p["alpha"] == pytest.approx(alpha, abs=1e-12)
    assert p["beta"] == pytest.approx(beta, abs=1e-10)


@settings(max_examples=8, deadline=None)
@given(jump=st.floats(-0.2, 0.2), day=st.integers(-2, 3), seed=st.integers(0, 10_000))
def test_injected_jump_gives_the_known_car(jump, day, seed) -> None:
    rng = np.random.default_rng(seed)
    mkt = pd.Series(rng.normal(0, 0.01, len(DATES)), index=DATES)
    base = 0.001 + 1.1 * mkt
    rets = pd.DataFrame({"A": base.copy(), "B": 0.5 * mkt + rng.normal(0, 0.01, len(DATES))})
    t0 = 290
    rets.iloc[t0 + day, 0] += jump
    res = event_study(rets, mkt, DATES[t0], estimation_window=(-250, -11), event_window=(-2, 3))
    car = res.car.xs("A", level="security")["car"].iloc[0]
    assert car == pytest.approx(jump, abs=1e-12)
    assert res.ar.xs("A", level="security")[day].iloc[0] == pytest.approx(jump, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------------------------
def test_constant_mean_and_market_adjusted_models() -> None:
    rets, mkt, _, _ = _synthetic()
    ev = DATES[290]
    cm = event_study(rets, None, ev, model="constant_mean", estimation_window=(-250, -11))
    est = rets.iloc[290 - 250 : 290 - 10]
    np.testing.assert_allclose(cm.params["alpha"].to_numpy(), est.mean().to_numpy(), atol=1e-14)
    ar0 = rets.iloc[290] - est.mean()
    np.testing.assert_allclose(cm.ar[0].to_numpy(), ar0.to_numpy(), atol=1e-14)
    # constant mean: var(AR) = sigma^2 (1 + 1/M), sigma^2 with M - 1 df
    s2 = est.var(ddof=1)
    np.testing.assert_allclose(cm.params["sigma"].to_numpy() ** 2, s2.to_numpy(), rtol=1e-12)
    ma = event_study(rets, mkt, ev, model="market_adjusted", estimation_window=(-250, -11))
    np.testing.assert_allclose(
        ma.ar[0].to_numpy(), (rets.iloc[290] - mkt.iloc[290]).to_numpy(), atol=1e-15
    )
    assert (ma.params["beta"] == 1).all() and (ma.params["alpha"] == 0).all()


def test_factor_and_augmented_models_recover_the_loadings() -> None:
    rng = np.random.default_rng(3)
    n = len(DATES)
    f = pd.DataFrame({"MKT": rng.normal(0, 0.01, n), "FX": rng.normal(0, 0.005, n)}, index=DATES)
    y = pd.DataFrame({"A": 0.001 + 0.8 * f["MKT"] - 1.5 * f["FX"]}, index=DATES)
    y["B"] = 0.6 * f["MKT"] + 0.4 * f["FX"] + rng.normal(0, 0.01, n)
    res = event_study(y, f, DATES[300], model="factor", estimation_window=(-250, -11))
    assert list(res.params.columns[:3]) == ["alpha", "MKT", "FX"]
    a = res.params.xs("A", level="security").iloc[0]
    assert (a["alpha"], a["MKT"], a["FX"]) == pytest.approx((0.001, 0.8, -1.5), abs=1e-10)
    aug = event_study(
        y,
        f["MKT"],
        DATES[300],
        model="augmented",
        regressors=f[["FX"]],
        estimation_window=(-250, -11),
    )
    pd.testing.assert_frame_equal(aug.params, res.params)
    assert np.abs(aug.ar.xs("A", level="security").to_numpy()).max() < 1e-12


# ---------------------------------------------------------------------------------------------
# event dates, windows, overlap, per-security dates
# ---------------------------------------------------------------------------------------------
def test_weekend_event_moves_and_estimation_window_moves_with_it() -> None:
    rets, mkt, _, _ = _synthetic()
    saturday = pd.Timestamp("2022-02-12")
    assert saturday.day_of_week == 5
    nxt = event_study(rets, mkt, saturday, estimation_window=(-250, -11))
    prv = event_study(rets, mkt, saturday, non_trading="previous", estimation_window=(-250, -11))
    assert nxt.shifts[["trading_date", "shift_days"]].iloc[0].tolist() == [
        pd.Timestamp("2022-02-14"),
        2.0,
    ]
    assert prv.shifts[["trading_date", "shift_days"]].iloc[0].tolist() == [
        pd.Timestamp("2022-02-11"),
        -1.0,
    ]
    dq = nxt.data_quality.iloc[0]
    t0 = DATES.get_loc(pd.Timestamp("2022-02-14"))
    assert dq["estimation_start"] == DATES[t0 - 250] and dq["estimation_end"] == DATES[t0 - 11]
    # identical to giving the Monday directly
    mon = event_study(rets, mkt, "2022-02-14", estimation_window=(-250, -11))
    pd.testing.assert_frame_equal(nxt.ar.droplevel(0), mon.ar.droplevel(0))
    assert "moved to 2022-02-14" in str(nxt.summary)
    with pytest.raises(PotashDataError, match="not a trading day"):
        event_study(rets, mkt, saturday, non_trading="raise", estimation_window=(-250, -11))


def test_overlap_flagged_when_another_event_sits_in_the_estimation_window() -> None:
    rets, mkt, _, _ = _synthetic()
    events = pd.DataFrame({"event_id": ["early", "late"], "date": [DATES[260], DATES[300]]})
    res = event_study(rets, mkt, events, estimation_window=(-250, -11))
    dq = res.data_quality.set_index(["event_id", "security"])
    assert dq.xs("late", level="event_id")["overlap"].all()
    assert (dq.xs("late", level="event_id")["overlap_with"] == "early").all()
    assert not dq.xs("early", level="event_id")["overlap"].any()
    assert res.clustered and "pooled" in res.aar.columns


def test_per_security_event_dates() -> None:
    rets, mkt, _, _ = _synthetic()
    ev = pd.DataFrame(
        {"event_id": ["x", "x"], "security": ["S0", "S2"], "date": [DATES[280], DATES[290]]}
    )
    res = event_study(rets, mkt, ev, estimation_window=(-250, -11), event_window=(0, 1))
    assert list(res.ar.index) == [("x", "S0"), ("x", "S2")]
    expected = rets["S2"].iloc[290] - (
        res.params.loc[("x", "S2"), "alpha"] + res.params.loc[("x", "S2"), "beta"] * mkt.iloc[290]
    )
    assert res.ar.loc[("x", "S2"), 0] == pytest.approx(expected, abs=1e-14)
    assert not res.clustered  # different dates: no calendar clustering


def test_calendar_windows_per_event_mapping() -> None:
    rets, mkt, _, _ = _synthetic()
    ev = pd.DataFrame({"event_id": ["a", "b"], "date": [DATES[280], DATES[300]]})
    res = event_study(
        rets,
        mkt,
        ev,
        estimation_window={"a": (DATES[20], DATES[260]), "b": (DATES[40], DATES[280])},
        event_window=(-1, 1),
    )
    dq = res.data_quality.drop_duplicates("event_id").set_index("event_id")
    assert (
        dq.loc["a", "estimation_start"] == DATES[20] and dq.loc["b", "estimation_end"] == DATES[280]
    )
    assert (res.data_quality["n_estimation"] == 241).all()


# ---------------------------------------------------------------------------------------------
# data quality and bad input
# ---------------------------------------------------------------------------------------------
def test_data_quality_records_instead_of_silent_nan_rows() -> None:
    rets, mkt, _, _ = _synthetic()
    rets.iloc[:200, 1] = np.nan  # S1: too few estimation observations
    rets.iloc[291, 2] = np.nan  # S2: a missing day in the event window
    res = event_study(rets, mkt, DATES[290], estimation_window=(-250, -11), event_window=(-1, 2))
    dq = res.data_quality.set_index("security")
    assert dq.loc["S1", "outcome"] == "too_few_estimation_obs"
    assert dq.loc["S2", "outcome"] == "missing_in_event_window"
    assert dq.loc["S2", "event_window_coverage"] == pytest.approx(0.75)
    assert dq.loc["S0", "outcome"] == "ok"
    assert not dq.loc["S1", "in_daily_tests"] and dq.loc["S2", "in_daily_tests"]
    assert not dq.loc["S2", "in_car_tests"]
    t = res.tests
    assert (t.loc[t["window"] == "car", "n"] <= 2).all()
    assert "too_few_estimation_obs" in str(res.summary)


def test_event_outside_the_data_is_recorded_and_all_outside_raises() -> None:
    rets, mkt, _, _ = _synthetic()
    res = event_study(rets, mkt, [DATES[290], "2030-01-02"], estimation_window=(-250, -11))
    out = res.data_quality[res.data_quality["event_id"] == "2030-01-02"]
    assert (out["outcome"] == "event_outside_data").all()
    with pytest.raises(PotashDataError, match="no security-event pair"):
        event_study(rets, mkt, "2030-01-02", estimation_window=(-250, -11))


def test_no_estimation_data_in_window_raises_clearly() -> None:
    rets, mkt, _, _ = _synthetic()
    with pytest.raises(PotashDataError, match="too_few_estimation_obs"):
        event_study(rets, mkt, DATES[290], estimation_window=("1990-01-01", "1990-12-31"))


def test_bad_inputs_name_table_column_row() -> None:
    rets, mkt, _, _ = _synthetic()
    bad = rets.astype(object)
    bad.iloc[10, 2] = "n/a"
    with pytest.raises(
        PotashDataError, match=r"returns, column 'S2', row 2021-01-18: not a number"
    ):
        event_study(bad, mkt, DATES[290])
    ev = pd.DataFrame({"event_id": ["a"], "security": ["NOPE"], "date": [DATES[290]]})
    with pytest.raises(PotashDataError, match=r"events, column 'security', row 1: security 'NOPE'"):
        event_study(rets, mkt, ev)
    with pytest.raises(PotashDataError, match="share no dates"):
        event_study(rets, mkt.set_axis(mkt.index - pd.Timedelta(days=3650)), DATES[290])
    with pytest.raises(PotashDataError, match=r"events, column 'date', row 1: not a date"):
        event_study(rets, mkt, pd.DataFrame({"event_id": ["a"], "date": ["soon"]}))
    with pytest.raises(ValueError, match="model='capm' is not allowed"):
        event_study(rets, mkt, DATES[290], model="capm")
    with pytest.raises(ValueError, match="must end before event_window"):
        event_study(rets, mkt, DATES[290], estimation_window=(-100, 0))
    dup = pd.concat([rets.iloc[:5], rets])
    with pytest.raises(PotashDataError, match="duplicate date"):
        event_study(dup, mkt, DATES[290])


# ---------------------------------------------------------------------------------------------
# results object
# ---------------------------------------------------------------------------------------------
def test_results_read_only_summary_conf_int_plot() -> None:
    import matplotlib.pyplot as plt

    rets, mkt, _, _ = _synthetic(n=6)
    res = event_study(rets, mkt, [DATES[270], DATES[300]], estimation_window=(-250, -11))
    assert isinstance(res, EventStudyResults)
    a = res.ar
    a.iloc[0, 0] = 99.0
    assert res.ar.iloc[0, 0] != 99.0
    with pytest.raises(AttributeError):
        res.ar = a  # type: ignore[misc]
    cols = {
        "event_id",
        "window",
        "day",
        "statistic",
        "value",
        "p_value",
        "df",
        "null_distribution",
        "convention",
        "robust_to_clustering",
        "assumes_independence",
    }
    assert cols <= set(res.tests.columns)
    assert res.tests["p_value"].between(0, 1).all()
    assert not res.tests["null_distribution"].isin(["", "nan"]).any()
    sf = res.summary_frame()
    # clustered: robust statistics come first in each group
    first = sf[sf["event_id"] == "pooled"]["statistic"].head(5).tolist()
    assert set(first) == {"bmp_adjusted", "patell_adjusted", "grank", "brown_warner_1985", "lamb"}
    text, html, tex = str(res.summary), res._repr_html_(), res.summary.as_latex()
    assert "Event dates cluster" in text and "<table" in html and "tabular" in tex
    ci = res.conf_int(0.9)
    assert (ci["aar_lower"] <= ci["aar"]).all() and (ci["caar_upper"] >= ci["caar"]).all()
    fig = res.plot()
    ax = fig.axes[0]
    assert ax.get_title() and "(%)" in ax.get_ylabel() and "days" in ax.get_xlabel()
    assert any("Source" in t.get_text() for t in fig.texts)
    plt.close(fig)
    # AAR/CAAR agree with the ARs
    np.testing.assert_allclose(res.aar["pooled"].to_numpy(), res.ar.mean().to_numpy(), atol=1e-15)
    np.testing.assert_allclose(
        res.caar.iloc[-1].to_numpy()[:2],
        res.car["car"].groupby(level=0).mean().to_numpy(),
        atol=1e-14,
    )


def test_null_distributions_are_calibrated_under_h0() -> None:
    """Seeded simulation with a known truth (no event effect, independent securities)."""
    rng = np.random.default_rng(11)
    n = len(DATES)
    mkt = pd.Series(rng.normal(0, 0.01, n), index=DATES)
    rets = pd.DataFrame({f"S{i}": 0.9 * mkt + rng.normal(0, 0.01, n) for i in range(60)})
    events = [DATES[i] for i in range(262, 318, 4)]
    res = event_study(rets, mkt, events, estimation_window=(-250, -11), event_window=(0, 0))
    t = res.tests
    t = t[(t["window"] == "day") & (t["event_id"] != "pooled")]
    share = t.groupby("statistic")["p_value"].apply(lambda p: (p < 0.10).mean())
    # 14 events x 1 day each: no statistic should reject at 10% much more often than 10%
    assert (share <= 0.40).all(), share


def _grank_direct(sar_est: np.ndarray, event_obs: np.ndarray) -> float:
    """Kolari-Pynnonen (2011) GRANK written out: re-rank each pair's L+1 observations."""
    from scipy.stats import rankdata

    gsar = event_obs / event_obs.std(ddof=1)
    both = np.column_stack([sar_est, gsar])
    m = both.shape[1]
    u = rankdata(both, axis=1) / (m + 1) - 0.5
    ubar = u.mean(axis=0)
    s = np.sqrt(np.mean(ubar**2))
    z = ubar[-1] / s
    return z * np.sqrt((m - 2) / (m - 1 - z**2))


def test_grank_matches_direct_reranking() -> None:
    rets, mkt, _, _ = _synthetic(seed=5, n=9)
    rets.iloc[291, :4] += 0.03  # an effect on day 1 for some securities
    res = event_study(rets, mkt, DATES[290], estimation_window=(-250, -11), event_window=(-1, 2))
    p = res.params
    t0 = 290
    est = slice(t0 - 250, t0 - 10)
    sar_est, day1 = [], []
    for s in rets.columns:
        a, b, sig = p.loc[(str(DATES[t0].date()), s), ["alpha", "beta", "sigma"]]
        sar_est.append((rets[s].iloc[est] - a - b * mkt.iloc[est]) / sig)
        day1.append(res.ar.loc[(str(DATES[t0].date()), s), 1])
    t = res.tests
    x = t[(t["statistic"] == "grank") & (t["window"] == "day")].set_index("day")["value"]
    sar = np.array(sar_est)
    # day 1: the event observation is the forecast-error-standardised AR of that day
    h = (
        1
        + 1 / 240
        + (mkt.iloc[t0 + 1] - mkt.iloc[est].mean()) ** 2
        / ((mkt.iloc[est] - mkt.iloc[est].mean()) ** 2).sum()
    )
    sar1 = np.array(day1) / (p["sigma"].to_numpy() * np.sqrt(h))
    assert x.loc[1] == pytest.approx(_grank_direct(sar, sar1), rel=1e-10)
    w = t[(t["statistic"] == "grank") & (t["window"] == "car")]["value"].iloc[0]
    assert w == pytest.approx(_grank_direct(sar, res.car["scar"].to_numpy()), rel=1e-10)


def test_batched_row_search_matches_numpy_searchsorted_with_ties_and_gaps() -> None:
    """The GRANK rank update bisects every row at once (rows padded with +inf to a power of
    two, missing days NaN); numpy's own searchsorted, one row at a time, is the reference
    (integer data: many ties)."""
    from potash.estimators.eventstudy.stats import _bsearch_padded

    rng = np.random.default_rng(11)
    R, L, D, W = 40, 23, 5, 32
    vals = np.sort(rng.integers(-5, 6, (R, L)).astype(float), axis=1)
    n_valid = rng.integers(0, L + 1, R)
    padded = np.full((R, W), np.inf)
    padded[:, :L] = np.where(np.arange(L)[None, :] >= n_valid[:, None], np.nan, vals)
    q = rng.integers(-7, 8, (R, D)).astype(float)
    for side in ("left", "right"):
        got = _bsearch_padded(padded.reshape(-1), W, q, side)
        want = np.array([np.searchsorted(vals[r, : n_valid[r]], q[r], side=side) for r in range(R)])
        np.testing.assert_array_equal(got, want)


def test_grank_with_tied_returns_matches_direct_reranking() -> None:
    """Returns on a coarse tick tie within each pair's estimation window (and an event-day
    return equal to estimation returns): average ranks, as scipy's rankdata gives them."""
    rng = np.random.default_rng(21)
    n = 8
    rets = pd.DataFrame(rng.integers(-3, 4, (len(DATES), n)) * 0.01, index=DATES,
                        columns=[f"S{i}" for i in range(n)])
    t0 = 290
    res = event_study(rets, None, DATES[t0], estimation_window=(-250, -11), event_window=(0, 0),
                      model="constant_mean")
    est = rets.iloc[t0 - 250 : t0 - 10]
    mu, sig = est.mean(), est.std(ddof=1)
    m = len(est)
    sar_est = ((est - mu) / sig).to_numpy().T
    sar0 = ((rets.iloc[t0] - mu) / (sig * np.sqrt(1 + 1 / m))).to_numpy()
    t = res.tests
    x = t[(t["statistic"] == "grank") & (t["window"] == "day")]["value"].iloc[0]
    assert x == pytest.approx(_grank_direct(sar_est, sar0), rel=1e-10)


def test_grank_event_observation_tied_with_estimation_values_counts_half() -> None:
    """An event observation equal to estimation SARs of its pair (ties across the appended
    observation): the batched rank update must match scipy's average-rank re-ranking.
    Event observations [-1, 0, 1] and [2, 0, -2] have a cross-sectional SD of exactly 1 and 2,
    so the generalized SARs are exactly -1, 0, 1, the values the integer estimation SARs hit."""
    from scipy.stats import rankdata

    from potash.estimators.eventstudy.stats import _grank_groups, _grank_pairs

    rng = np.random.default_rng(3)
    est = rng.integers(-3, 4, (3, 40)).astype(float)  # 3 pairs, 40 estimation days
    obs = np.array([[-1.0, 2.0], [0.0, 0.0], [1.0, -2.0]])  # (pairs, D=2)
    r2 = (2 * rankdata(est, axis=1)).astype(np.int32)  # twice the average ranks, as pair_ranks
    pairs = _grank_pairs(r2[None], np.sort(est, axis=1)[None], np.ones((1, 3)),
                         np.ones((1, 3), dtype=bool))
    grank = _grank_groups(pairs, 1, 3)
    t, df = grank(obs[None])
    for d in range(2):
        assert np.isin(obs[:, d] / obs[:, d].std(ddof=1), est).all()  # the ties are real
        assert t[0, d] == pytest.approx(_grank_direct(est, obs[:, d]), rel=1e-12)
    assert (df == 39).all()


def test_pooled_rank_tests_match_a_direct_calculation() -> None:
    """Corrado (1989) and Corrado-Zivney sign for the pooled group, written out in numpy."""
    from scipy.stats import rankdata

    rets, mkt, _, _ = _synthetic(seed=8, n=5)
    res = event_study(rets, mkt, [DATES[270], DATES[300]], estimation_window=(-250, -11))
    full = []
    for ev, t0 in ((DATES[270], 270), (DATES[300], 300)):
        for s in rets.columns:
            a, b = res.params.loc[(str(ev.date()), s), ["alpha", "beta"]]
            window = slice(t0 - 250, t0 + 3)  # estimation -250..-11, event -1..2
            ar = (rets[s].iloc[window] - a - b * mkt.iloc[window]).to_numpy()
            full.append(np.r_[ar[:240], ar[249:]])
    full = np.array(full)  # (pairs, 244)
    k = rankdata(full, axis=1)
    kbar = (k - k.mean(axis=1, keepdims=True)).mean(axis=0)
    corrado = kbar[240:] / np.sqrt(np.mean(kbar**2))
    g = np.sign(full - np.median(full, axis=1, keepdims=True))
    gbar = g.sum(axis=0) / np.sqrt(full.shape[0])
    csign = gbar[240:] / np.sqrt(np.mean(gbar**2))
    t = res.tests
    t = t[(t["event_id"] == "pooled") & (t["window"] == "day")]
    got = t.set_index(["statistic", "day"])["value"]
    np.testing.assert_allclose(got["corrado_rank"].to_numpy(), corrado, rtol=1e-12)
    np.testing.assert_allclose(got["corrado_zivney_sign"].to_numpy(), csign, rtol=1e-12)


def test_estudy2_wilcoxon_p_value_is_that_of_the_observed_pairs() -> None:
    """estudy2's Wilcoxon statistic fills a missing pair with the day's mean rank (mean x
    ncol), which can leave the support of signrank(n); the p-value must be the exact one of
    W+ over the observed pairs (scipy's exact signed-rank test as the reference), never 0
    because the filled statistic lies beyond n(n+1)/2."""
    from scipy.stats import rankdata, wilcoxon

    rets, mkt, _, _ = _synthetic(seed=4, n=6)
    t0 = 290
    rets.iloc[t0 + 1, [1, 4]] = np.nan  # two of six securities missing on day 1
    res = event_study(rets, mkt, DATES[t0], estimation_window=(-250, -11), event_window=(0, 2),
                      convention="estudy2")
    t = res.tests
    row = t[(t["statistic"] == "wilcoxon") & (t["window"] == "day") & (t["day"] == 1)].iloc[0]
    ar = res.ar.xs(1, axis=1, level=None) if isinstance(res.ar.columns, pd.MultiIndex) else res.ar[1]
    x = ar.to_numpy()
    x = x[np.isfinite(x)]
    assert len(x) == 4 and row["n"] == 4
    ranks = rankdata(np.abs(x))
    filled = np.mean(np.where(x > 0, ranks, 0.0)) * 6  # estudy2: rowMeans(rank) * ncol
    assert row["value"] == pytest.approx(filled, rel=1e-12)
    assert row["p_value"] == pytest.approx(wilcoxon(x, method="exact").pvalue, rel=1e-12)
