"""Masking the other studied events out of the estimation windows (constructed series)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from potash import event_study


def _series():
    rng = np.random.default_rng(5)
    dates = pd.bdate_range("2020-01-01", periods=200)
    m = rng.normal(0, 0.01, 200)
    y = 0.5 * m + rng.normal(0, 0.01, 200)
    a_pos, b_pos = 100, 130  # event A's window (-1..2) lies inside B's estimation window
    y[a_pos] += 0.30  # a huge abnormal return on A's day
    rets = pd.DataFrame({"X": y}, index=dates)
    events = pd.DataFrame({"event_id": ["A", "B"], "date": dates[[a_pos, b_pos]]})
    return rets, pd.Series(m, index=dates, name="M"), events, a_pos, b_pos


def test_masking_removes_the_other_events_days_from_the_estimation_window() -> None:
    rets, mkt, events, a_pos, b_pos = _series()
    kw = dict(estimation_window=(-60, -11), event_window=(-1, 2))
    plain = event_study(rets, mkt, events, **kw)
    masked = event_study(rets, mkt, events, mask_events=True, **kw)
    dq = masked.data_quality.set_index("event_id")
    assert dq.loc["B", "masked_estimation_days"] == 4  # A's days -1..+2
    assert dq.loc["A", "masked_estimation_days"] == 0
    assert masked.params.loc[("B", "X"), "n_obs"] == 46
    assert plain.params.loc[("B", "X"), "n_obs"] == 50
    # hand OLS on B's estimation window without A's four days
    est = np.arange(b_pos - 60, b_pos - 10)
    keep = est[(est < a_pos - 1) | (est > a_pos + 2)]
    y, x = rets["X"].to_numpy()[keep], mkt.to_numpy()[keep]
    X = np.column_stack([np.ones_like(x), x])
    coef, ssr, *_ = np.linalg.lstsq(X, y, rcond=None)
    got = masked.params.loc[("B", "X")]
    assert got["alpha"] == pytest.approx(coef[0], rel=1e-9)
    assert got["beta"] == pytest.approx(coef[1], rel=1e-9)
    assert got["sigma"] == pytest.approx(np.sqrt(ssr[0] / (len(keep) - 2)), rel=1e-9)
    # the shock inflates B's residual sigma unless masked
    assert plain.params.loc[("B", "X"), "sigma"] > 2 * got["sigma"]
    # A's own fit is untouched
    assert masked.params.loc[("A", "X"), "beta"] == pytest.approx(
        plain.params.loc[("A", "X"), "beta"], rel=1e-12
    )


def test_mask_dates_drops_the_window_around_given_dates() -> None:
    rets, mkt, events, a_pos, b_pos = _series()
    kw = dict(estimation_window=(-60, -11), event_window=(-1, 2))
    only_b = events[events["event_id"] == "B"]
    res = event_study(rets, mkt, only_b, mask_dates=[rets.index[a_pos]], **kw)
    both = event_study(rets, mkt, events, mask_events=True, **kw)
    assert res.params.loc[("B", "X"), "beta"] == pytest.approx(
        both.params.loc[("B", "X"), "beta"], rel=1e-12
    )
    with pytest.raises(ValueError, match="mask_events"):
        event_study(rets, mkt, events, mask_events="yes", **kw)
