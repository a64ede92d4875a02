"""Estimators refuse series that would give nonsense (issue 14): unsorted, repeated or
timezone-aware dates, constant or non-finite series, exog matched by position, collinearity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from potash.estimators.breaks import bai_perron, chow_test, f_stats

IDX = pd.date_range("2015-01-01", periods=60, freq="MS")


def _y(seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(np.r_[np.zeros(30), np.ones(30)] + rng.normal(0, 0.3, 60), index=IDX)


TESTS = [
    ("chow", lambda y, **k: chow_test(y, "2017-07-01", **k)),
    ("fstats", lambda y, **k: f_stats(y, **k)),
    ("bai_perron", lambda y, **k: bai_perron(y, **k)),
]


@pytest.mark.parametrize(("name", "fit"), TESTS, ids=[t[0] for t in TESTS])
def test_reversed_shuffled_duplicated_dates_are_refused(name, fit) -> None:
    y = _y()
    with pytest.raises(ValueError, match="increasing order"):
        fit(y.iloc[::-1])
    with pytest.raises(ValueError, match="increasing order"):
        fit(y.sample(frac=1.0, random_state=1))
    with pytest.raises(ValueError, match="repeats the date"):
        fit(pd.concat([y.iloc[:10], y.iloc[9:]]))
    with pytest.raises(ValueError, match="timezone"):
        fit(y.tz_localize("UTC"))


@pytest.mark.parametrize(("name", "fit"), TESTS, ids=[t[0] for t in TESTS])
def test_constant_and_non_finite_series_are_refused(name, fit) -> None:
    with pytest.raises(ValueError, match="constant"):
        fit(pd.Series(5.0, index=IDX))
    y = _y()
    y.iloc[7] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        fit(y)


def test_exog_is_matched_by_date_not_position() -> None:
    y = _y()
    x = pd.DataFrame({"x": np.sin(np.arange(60.0))}, index=IDX)
    a = f_stats(y, exog=x)
    b = f_stats(y, exog=x.iloc[::-1])  # same rows, other order: same answer
    pd.testing.assert_frame_equal(a.tests, b.tests)
    with pytest.raises(ValueError, match="matched to y by date"):
        f_stats(y, exog=x.reset_index(drop=True))


def test_collinear_exog_is_refused() -> None:
    y = _y()
    with pytest.raises(ValueError, match="collinear"):
        f_stats(y, exog=pd.DataFrame({"c": 2.0}, index=IDX))


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_property_any_permutation_of_dates_is_refused_or_identity(seed: int) -> None:
    y = _y()
    perm = np.random.default_rng(seed).permutation(len(y))
    shuffled = y.iloc[perm]
    if (perm == np.arange(len(y))).all():
        assert f_stats(shuffled).tests.equals(f_stats(y).tests)
    else:
        with pytest.raises(ValueError):
            f_stats(shuffled)


def test_market_shares_refuse_infinite_values() -> None:
    from potash.analyses.market import market_shares
    from potash.core.errors import PotashDataError

    t = pd.DataFrame({"year": [2021] * 3, "reporter_iso3": ["BLR", "CAN", "RUS"],
                      "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
                      "quantity_t": [1.0, np.inf, 2.0]})
    with pytest.raises(PotashDataError, match="non-finite quantity_t inf for CAN"):
        market_shares(t)
