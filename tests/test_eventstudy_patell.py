"""The Kolari-Pynnonen adjustment of the Patell statistic, against a hand derivation.

Hand derivation
---------------
Let ``z_1 .. z_n`` be the standardised abnormal returns of ``n`` securities on one event day,
each with unit variance (Patell's variance comes from each security's *own* estimation-window
time series, so it does not depend on the other securities), and a common pairwise
correlation ``r``. Then

    Var(sum_i z_i) = sum_i Var(z_i) + sum_{i != j} Cov(z_i, z_j) = n + n (n - 1) r
                   = n (1 + (n - 1) r).

Patell divides ``sum_i z_i`` by ``sqrt(n)`` (times the t-variance ratio), i.e. it assumes
``r = 0``. The statistic with unit variance under correlation ``r`` is therefore

    Patell_adj = sum_i z_i / sqrt(n (1 + (n - 1) r)) = Patell / sqrt(1 + (n - 1) r),

so ``patell_adjusted / patell = 1 / sqrt(1 + (n - 1) r)``. (BMP differs: its denominator is the
*cross-sectional* standard deviation, whose square has expectation ``(1 - r)``, hence BMP's
factor ``sqrt((1 - r) / (1 + (n - 1) r))``; applying that factor to Patell shrinks it twice.)
With ``n = 4`` and ``r = 0.4`` the wrong factor gives an SD of
``sqrt(1 - r) = 0.775`` instead of 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from potash import event_study

N_SEC, RHO = 4, 0.4


def _correlated_panel(seed: int, n_events: int, est: int = 120, gap: int = 12):
    """Disjoint blocks (estimation window, gap, event day): one event per block, known r."""
    rng = np.random.default_rng(seed)
    block = est + gap + 1
    n_days = n_events * block + 5
    dates = pd.bdate_range("1800-01-01", periods=n_days)
    mkt = rng.normal(0.0, 0.01, n_days)
    common = rng.normal(size=(n_days, 1))
    idio = rng.normal(size=(n_days, N_SEC))
    eps = 0.012 * (np.sqrt(RHO) * common + np.sqrt(1 - RHO) * idio)
    rets = pd.DataFrame(0.9 * mkt[:, None] + eps, index=dates, columns=list("ABCD"))
    event_pos = np.arange(n_events) * block + est + gap
    events = pd.DataFrame(
        {"event_id": [f"e{i}" for i in range(n_events)], "date": dates[event_pos]}
    )
    return rets, pd.Series(mkt, index=dates, name="M"), events, est, gap


def _stat(res, name: str, window: str) -> pd.Series:
    t = res.tests
    t = t[(t["statistic"] == name) & (t["window"] == window) & (t["event_id"] != "pooled")]
    if window == "day":
        t = t[t["day"] == 0]
    return t.set_index("event_id")["value"]


def test_patell_adjusted_over_patell_is_one_over_sqrt_1_plus_n_minus_1_r() -> None:
    """Ratio = 1 / sqrt(1 + (N - 1) r) exactly, r recomputed here from the residuals."""
    rets, mkt, events, est, gap = _correlated_panel(3, 5)
    res = event_study(
        rets, mkt, events, estimation_window=(-(est + gap - 1), -gap), event_window=(-1, 2)
    )
    for ev in events["event_id"]:
        # r-bar by hand: mean of the 6 pairwise Pearson correlations of the OLS residuals
        t0 = rets.index.get_loc(events.set_index("event_id").loc[ev, "date"])
        win = slice(t0 - (est + gap - 1), t0 - gap + 1)
        y, x = rets.iloc[win].to_numpy(), mkt.iloc[win].to_numpy()
        X = np.column_stack([np.ones_like(x), x])
        resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        c = np.corrcoef(resid.T)
        r = c[np.triu_indices(N_SEC, 1)].mean()
        assert res.rbar[ev] == pytest.approx(r, rel=1e-10)
        want = 1.0 / np.sqrt(1.0 + (N_SEC - 1) * r)
        for window in ("day", "car"):
            ratio = _stat(res, "patell_adjusted", window)[ev] / _stat(res, "patell", window)[ev]
            assert ratio == pytest.approx(want, rel=1e-12)
            # and not the BMP factor (which differs whenever r != 0)
            assert abs(ratio - np.sqrt((1 - r) / (1 + (N_SEC - 1) * r))) > 1e-3


def test_patell_adjusted_has_unit_sd_under_common_correlation_monte_carlo() -> None:
    """Seeded Monte Carlo, n = 4, r = 0.4: SD of the adjusted Patell within 0.1 of 1."""
    rets, mkt, events, est, gap = _correlated_panel(11, 600)
    res = event_study(
        rets, mkt, events, estimation_window=(-(est + gap - 1), -gap), event_window=(0, 0)
    )
    adj = _stat(res, "patell_adjusted", "day").to_numpy()
    raw = _stat(res, "patell", "day").to_numpy()
    assert len(adj) == 600
    assert abs(adj.std(ddof=1) - 1.0) < 0.1
    assert 0.02 < np.mean(np.abs(adj) > 1.96) < 0.09  # size near 5%
    # the unadjusted Patell overstates: SD near sqrt(1 + 3 * 0.4) = 1.48
    assert raw.std(ddof=1) > 1.3
    # the BMP factor applied to Patell (the old, wrong formula) gives an SD near 0.78
    rb = res.rbar.drop("pooled").reindex(events["event_id"]).to_numpy()
    wrong = raw * np.sqrt((1 - rb) / (1 + (N_SEC - 1) * rb))
    assert abs(wrong.std(ddof=1) - np.sqrt(1 - RHO)) < 0.08
