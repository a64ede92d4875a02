"""Batched one-series CAR tests against ``event_study`` (the independent per-call path)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from potash import event_study
from potash.estimators.eventstudy.batch import batched_car_tests


def _data(seed=2, n=900):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-01", periods=n)
    x = rng.normal(0.0003, 0.01, (2, n))
    y = 0.0002 + 0.8 * x[0] + rng.normal(0, 0.012, (1, n))
    y[0, 37] = np.nan  # a missing day inside an estimation window
    return dates, y, x


@pytest.mark.parametrize("model", ["market", "constant_mean", "market_adjusted"])
def test_batched_car_t_equals_event_study_brown_warner_1980_window(model) -> None:
    dates, y, x = _data()
    t0 = np.array([300, 520, 811])
    ests, evts = [(-250, -11), (-120, -6)], [(-1, 2), (0, 0), (0, 5)]
    out = batched_car_tests(y, x, t0, ests, evts, [model])
    rets = pd.DataFrame({"P": y[0]}, index=dates)
    for b in range(2):
        mkt = pd.Series(x[b], index=dates, name="M")
        for w, ew in enumerate(ests):
            for k, kw in enumerate(evts):
                res = event_study(
                    rets,
                    None if model == "constant_mean" else mkt,
                    list(dates[t0]),
                    estimation_window=ew,
                    event_window=kw,
                    model=model,
                )
                t = res.tests
                t = t[(t["statistic"] == "brown_warner_1980") & (t["window"] == "car")]
                t = t[t["event_id"] != "pooled"]["value"].to_numpy()
                car = res.car["car"].to_numpy()
                np.testing.assert_allclose(out["t"][0, b, :, w, k, 0], t, rtol=1e-8)
                np.testing.assert_allclose(out["car"][0, b, :, w, k, 0], car, rtol=1e-8)


def test_estimation_mask_equals_event_study_mask_dates() -> None:
    dates, y, x = _data()
    ok = np.ones(y.shape[-1], dtype=bool)
    ok[400:404] = False  # days of another event, (-1, 2) around position 401
    out = batched_car_tests(
        y, x[:1], np.array([520]), [(-250, -11)], [(-1, 2)], ["market"], estimation_ok=ok
    )
    res = event_study(
        pd.DataFrame({"P": y[0]}, index=dates),
        pd.Series(x[0], index=dates),
        [dates[520]],
        mask_dates=[dates[401]],
    )
    assert out["car"][0, 0, 0, 0, 0, 0] == pytest.approx(res.car["car"].iloc[0], rel=1e-9)
    assert out["n_est"][0, 0, 0, 0, 0, 0] == res.params["n_obs"].iloc[0]


def test_bad_model_and_window_raise() -> None:
    dates, y, x = _data()
    with pytest.raises(ValueError, match="models"):
        batched_car_tests(y, x, np.array([300]), [(-250, -11)], [(0, 0)], ["fama_french"])
    with pytest.raises(ValueError, match="start after end"):
        batched_car_tests(y, x, np.array([300]), [(-11, -250)], [(0, 0)])


def _two_factor_data(seed=7, n=1000):
    """Market x, sector z (correlated with x), two series with known alpha and betas."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0004, 0.01, (2, n))  # two market candidates
    z = 0.6 * x + rng.normal(0.0001, 0.008, (2, n))  # a sector series paired with each
    truth = [(0.0003, 0.7, 0.9), (-0.0002, 1.2, 0.4)]  # (alpha, beta_market, beta_sector)
    y = np.vstack([a + b1 * x[0] + b2 * z[0] + rng.normal(0, 0.005, n) for a, b1, b2 in truth])
    y[0, 260] = np.nan  # a missing return inside an estimation window
    z[1, 700] = np.nan  # a missing sector day inside another one
    return x, z, y, truth


def test_batched_factor_model_equals_statsmodels_ols_and_recovers_the_abnormal_return() -> None:
    """CAR, Var(CAR), t, df and p of the two-index model vs a per-series statsmodels OLS.

    Reference: OLS of y on [1, x, z] over the estimation window; the CAR forecast-error
    variance is ``L s^2 + Var(sum of predictions)``, the latter from ``get_prediction`` at the
    summed event-window design row (``1' X* Cov(b) X*' 1``).
    """
    import statsmodels.api as sm
    from scipy import stats as sps

    x, z, y, truth = _two_factor_data()
    t0 = np.array([400, 811])
    y[:, 811] += 0.06  # injected abnormal return on the day of the second event
    ests, evts = [(-250, -11), (-150, -21)], [(0, 0), (-1, 2)]
    out = batched_car_tests(y, x, t0, ests, evts, ["market", "factor"], x2=z)
    assert out["car"].shape == (2, 2, 2, 2, 2, 2)
    n_checked = 0
    for v in range(2):
        for b in range(2):
            for d, day in enumerate(t0):
                for w, (elo, ehi) in enumerate(ests):
                    for k, (klo, khi) in enumerate(evts):
                        est = np.arange(day + elo, day + ehi + 1)
                        evt = np.arange(day + klo, day + khi + 1)
                        X = sm.add_constant(np.column_stack([x[b], z[b]]), has_constant="add")
                        keep = est[np.isfinite(y[v, est]) & np.isfinite(z[b, est])]
                        fit = sm.OLS(y[v, keep], X[keep]).fit()
                        pred = fit.get_prediction(X[evt].sum(axis=0, keepdims=True))
                        car = float(y[v, evt].sum() - pred.predicted_mean[0])
                        var = len(evt) * fit.scale + float(pred.var_pred_mean[0])
                        t = car / np.sqrt(var)
                        got = {key: out[key][v, b, d, w, k, 1] for key in out}
                        np.testing.assert_allclose(got["car"], car, rtol=1e-10, atol=1e-14)
                        np.testing.assert_allclose(got["var_car"], var, rtol=1e-10)
                        np.testing.assert_allclose(got["t"], t, rtol=1e-10)
                        assert got["df"] == fit.df_resid == len(keep) - 3
                        assert got["n_est"] == len(keep)
                        np.testing.assert_allclose(
                            got["p_value"], 2 * sps.t.sf(abs(t), fit.df_resid), rtol=1e-8
                        )
                        n_checked += 1
                        if b == 0 and w == 0:  # the true regressors: the betas are recovered
                            np.testing.assert_allclose(fit.params, truth[v], atol=0.15)
    assert n_checked == 32
    # the injected +6% on day 811 (event windows (0, 0) and (-1, 2)) with the true regressors
    car = out["car"][:, 0, 1, 0, :, 1]
    np.testing.assert_allclose(car, 0.06, atol=0.02)
    assert (out["t"][:, 0, 1, 0, :, 1] > 2.5).all()
    assert (np.abs(out["t"][:, 0, 0, 0, :, 1]) < 3).all()  # the first event: no effect
    # a one-index market model leaves the sector's variance in the residual: larger Var(CAR)
    assert (out["var_car"][:, 0, ..., 0] > out["var_car"][:, 0, ..., 1]).all()


def test_batched_factor_model_equals_event_study_factor() -> None:
    """The batch two-index model = event_study(model="factor") with a frame [market, sector]."""
    x, z, y, _ = _two_factor_data(seed=11)
    dates = pd.bdate_range("2015-01-01", periods=y.shape[-1])
    t0 = np.array([420, 805])
    out = batched_car_tests(y[:1], x[:1], t0, [(-250, -11)], [(-1, 2)], ["factor"], x2=z[:1])
    res = event_study(
        pd.DataFrame({"P": y[0]}, index=dates),
        pd.DataFrame({"M": x[0], "S": z[0]}, index=dates),
        list(dates[t0]),
        model="factor",
    )
    t = res.tests
    t = t[(t["statistic"] == "brown_warner_1980") & (t["window"] == "car")]
    t = t[t["event_id"] != "pooled"]["value"].to_numpy()
    np.testing.assert_allclose(out["t"][0, 0, :, 0, 0, 0], t, rtol=1e-9)
    np.testing.assert_allclose(out["car"][0, 0, :, 0, 0, 0], res.car["car"], rtol=1e-9)
    np.testing.assert_allclose(out["var_car"][0, 0, :, 0, 0, 0], res.car["var_car"], rtol=1e-9)


def test_factor_model_needs_x2_and_a_nan_row_is_not_defined() -> None:
    x, z, y, _ = _two_factor_data()
    with pytest.raises(ValueError, match="x2"):
        batched_car_tests(y, x, np.array([400]), [(-250, -11)], [(0, 0)], ["factor"])
    with pytest.raises(ValueError, match="x2"):
        batched_car_tests(y, x, np.array([400]), [(-250, -11)], [(0, 0)], ["market"], x2=z)
    with pytest.raises(ValueError, match="x2"):
        batched_car_tests(y, x, np.array([400]), [(-250, -11)], [(0, 0)], ["factor"], x2=z[:, :9])
    z2 = z.copy()
    z2[1] = np.nan  # the second benchmark has no sector: the model is not defined there
    out = batched_car_tests(
        y, x, np.array([400]), [(-250, -11)], [(0, 0)], ["market", "factor"], x2=z2
    )
    assert np.isnan(out["t"][:, 1, ..., 1]).all() and np.isfinite(out["t"][:, 0, ..., 1]).all()
    assert np.isfinite(out["t"][..., 0]).all()  # the one-index model does not use x2
