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
