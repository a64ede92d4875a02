"""convention="textbook" (MacKinlay 1997) against an independent R calculation with lm().

The numbers are in tests/results/eventstudy_textbook_R.csv, produced by
``Rscript tests/results/eventstudy_textbook.R > tests/results/eventstudy_textbook_R.csv``
(the script is committed beside them; CI does not need R).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from potash import event_study

HERE = Path(__file__).parent
R = pd.read_csv(HERE / "results" / "eventstudy_textbook_R.csv").set_index("key")["value"]
SECS = ["AMZN", "ZM", "UBER", "NFLX", "SHOP", "FB", "UPWK"]


@pytest.fixture(scope="module")
def data():
    df = pd.read_csv(HERE / "fixtures" / "estudy2" / "returns.csv", index_col=0, parse_dates=True)
    return df[SECS], df["GSPC"]


@pytest.fixture(scope="module")
def res(data):
    r, m = data
    return event_study(
        r,
        m,
        "2020-03-16",
        estimation_window=("2019-04-01", "2020-03-13"),
        event_window=("2020-03-16", "2020-03-20"),
    )


def _stat(res, name, window="day"):
    t = res.tests
    t = t[(t["statistic"] == name) & (t["window"] == window)]
    return t.sort_values("day")["value"].to_numpy()


def test_textbook_params_sigma_m_minus_2_match_r_lm(res) -> None:
    p = res.params
    for s in SECS:
        assert p.loc[("2020-03-16", s), "alpha"] == pytest.approx(R[f"alpha_{s}"], abs=1e-12)
        assert p.loc[("2020-03-16", s), "beta"] == pytest.approx(R[f"beta_{s}"], abs=1e-10)
        assert p.loc[("2020-03-16", s), "sigma"] == pytest.approx(R[f"sigma_{s}"], abs=1e-12)


def test_textbook_ar_sar_forecast_error_corrected_match_r_predict(res) -> None:
    ar = res.ar
    days = range(5)
    for s in SECS:
        ours = ar.loc[("2020-03-16", s)].to_numpy()
        np.testing.assert_allclose(ours, [R[f"ar_{s}_{d}"] for d in days], atol=1e-12)


def test_textbook_car_and_its_variance_match_r_vcov(res) -> None:
    car = res.car
    for s in SECS:
        assert car.loc[("2020-03-16", s), "car"] == pytest.approx(R[f"car_{s}"], abs=1e-12)
        assert car.loc[("2020-03-16", s), "var_car"] == pytest.approx(R[f"var_car_{s}"], rel=1e-10)


@pytest.mark.parametrize(
    "name",
    ["t_cs", "brown_warner_1980", "patell", "bmp", "bmp_adjusted", "patell_adjusted"],
)
def test_textbook_daily_statistics_match_r(res, name) -> None:
    np.testing.assert_allclose(_stat(res, name), [R[f"{name}_{d}"] for d in range(5)], rtol=1e-9)


@pytest.mark.parametrize("name", ["t_cs", "patell", "bmp", "bmp_adjusted"])
def test_textbook_car_statistics_match_r(res, name) -> None:
    assert _stat(res, name, "car")[0] == pytest.approx(R[f"car_{name}"], rel=1e-9)


def test_kolari_pynnonen_rbar_is_pairwise_pearson_matched_by_date(res) -> None:
    assert res.rbar["2020-03-16"] == pytest.approx(R["rbar"], rel=1e-10)


def test_market_model_equals_statsmodels_ols_per_security_1e10() -> None:
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("2020-01-01", periods=400)
    mkt = pd.Series(rng.normal(0, 0.01, 400), index=dates)
    rets = pd.DataFrame(
        {
            f"S{i}": rng.normal(0, 0.001) + rng.uniform(0.3, 1.7) * mkt + rng.normal(0, 0.02, 400)
            for i in range(12)
        },
        index=dates,
    )
    rets.iloc[5:40, 3] = np.nan  # a security with a gap
    events = ["2021-02-01", "2021-06-01"]
    res = event_study(rets, mkt, events, estimation_window=(-250, -11), event_window=(-2, 3))
    dq = res.data_quality.set_index(["event_id", "security"])
    for ev in events:
        t0 = dates.get_loc(pd.Timestamp(ev))
        window = dates[t0 - 250 : t0 - 10]
        for s in rets.columns:
            y = rets.loc[window, s]
            ok = y.notna()
            fit = sm.OLS(y[ok], sm.add_constant(mkt[window][ok])).fit()
            got = res.params.loc[(ev, s)]
            assert got["alpha"] == pytest.approx(fit.params.iloc[0], abs=1e-10)
            assert got["beta"] == pytest.approx(fit.params.iloc[1], abs=1e-10)
            assert got["sigma"] == pytest.approx(np.sqrt(fit.scale), abs=1e-10)
            assert dq.loc[(ev, s), "n_estimation"] == ok.sum()
