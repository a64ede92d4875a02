"""sanctions_event_study on the shipped equity data and sanctions calendar (acceptance)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from potash import load_equity_prices, load_events, sanctions_event_study, to_returns
from potash.analyses.equities import PRODUCERS


@pytest.fixture(scope="module")
def res():
    return sanctions_event_study()


def test_every_sanction_and_relief_date_is_studied(res) -> None:
    ev = load_events()
    wanted = set(
        ev.loc[ev["type"].astype(str).isin(["sanction", "relief"]), "event_id"].astype(str)
    )
    assert set(res.events["event_id"]) == wanted
    studied = set(res.producers.data_quality["event_id"])
    assert studied == set(res.events["group"])
    assert (res.producers.data_quality["outcome"] == "ok").all()
    assert (res.contrast.data_quality["outcome"] == "ok").all()
    # one study per trading day: the four coordinated designations of 2021-12-02 are one event
    assert res.events.groupby("trading_date")["group"].nunique().max() == 1


def test_saturday_relief_moves_to_monday_and_is_reported(res) -> None:
    sh = res.shifts.set_index("event_id")
    row = sh.loc["us_announces_potash_lift"]
    assert (row["date"], row["trading_date"], row["shift_days"]) == (
        pd.Timestamp("2025-12-13"),
        pd.Timestamp("2025-12-15"),
        2.0,
    )
    assert "2025-12-13 is not a trading day; moved to 2025-12-15" in str(res.summary)
    dq = res.producers.data_quality
    relief = dq[dq["event_id"] == "us_announces_potash_lift+ofac_gl13_potash"]
    assert (relief["trading_date"] == pd.Timestamp("2025-12-15")).all()
    assert (relief["estimation_end"] < pd.Timestamp("2025-12-15")).all()


def test_estimation_windows_precede_events_and_end_before_data_end(res) -> None:
    dq = res.producers.data_quality
    assert (dq["estimation_end"] < dq["trading_date"]).all()
    # other studied events are masked out of the estimation windows by default
    assert (dq["n_estimation"] == 240 - dq["masked_estimation_days"]).all()
    assert dq["masked_estimation_days"].max() > 0
    assert dq["trading_date"].max() <= pd.Timestamp("2026-07-13")


def test_car_matches_a_hand_calculation_from_the_raw_prices() -> None:
    """NTR around 2022-03-02: OLS on SPY over days -250..-11 by numpy, from the raw CSVs."""
    res = sanctions_event_study(mask_events=False, n_placebo=0)
    raw = res.producers.data_quality.set_index(["event_id", "security"])
    ntr = pd.read_csv("data/raw/yahoo_adjclose_dsturdy/NTR.csv", index_col=0, parse_dates=True)[
        "Close"
    ]
    spy = pd.read_csv("data/raw/yahoo_adjclose_dsturdy/SPY.csv", index_col=0, parse_dates=True)[
        "Close"
    ]
    r = ntr.pct_change().reindex(spy.index)
    m = spy.pct_change()
    t0 = m.index.get_loc(pd.Timestamp("2022-03-02"))
    y, x = r.iloc[t0 - 250 : t0 - 10].to_numpy(), m.iloc[t0 - 250 : t0 - 10].to_numpy()
    beta, alpha = np.polyfit(x, y, 1)
    car = (r.iloc[t0 - 1 : t0 + 3] - alpha - beta * m.iloc[t0 - 1 : t0 + 3]).sum()
    got = res.producers.car.loc[("eu_potash_full_ban", "NTR"), "car"]
    assert got == pytest.approx(car, abs=1e-10)
    assert raw.loc[("eu_potash_full_ban", "NTR"), "n_estimation"] == 240


def test_tests_and_plots_are_returned(res) -> None:
    t = res.tests
    assert {"producers", "contrast", "long_short"} == set(t["sample"])
    pooled = t[(t["event_id"] == "pooled") & (t["window"] == "car")]
    assert pooled["value"].notna().all() and pooled["p_value"].between(0, 1).all()
    assert res.producers.clustered
    sf = res.summary_frame()
    assert {"estimate", "se", "statistic", "p_value", "ci_low", "ci_high"} <= set(sf.columns)
    assert sf["p_calibrated"].between(0, 1).all() and (sf["p_holm"] >= sf["p_bh"] - 1e-12).all()
    fig = res.plot()
    assert fig.axes[0].get_title()
    plt.close(fig)
    fig = res.producers.plot()
    plt.close(fig)


def test_acwi_alternative_market_runs() -> None:
    r = sanctions_event_study(
        market="ACWI", event_types=("relief",), producers=PRODUCERS[:2], contrast=("CF",)
    )
    assert r.producers.params["n_obs"].min() >= 200
    with pytest.raises(ValueError, match="market='VT' is not allowed"):
        sanctions_event_study(market="VT")


def test_loader_returns_feed_the_engine_unchanged() -> None:
    rets = to_returns(load_equity_prices(["NTR", "SPY"]))
    assert rets.index.is_monotonic_increasing and "NTR" in rets.columns


def test_long_short_is_producers_mean_minus_contrast_mean(res) -> None:
    rets = to_returns(load_equity_prices(list(PRODUCERS) + ["CF", "SQM", "LXU", "UAN", "CTVA"]))
    ls = rets[list(PRODUCERS)].mean(axis=1) - rets[["CF", "SQM", "LXU", "UAN", "CTVA"]].mean(axis=1)
    ar = res.long_short.ar.xs("producers_minus_contrast", level="security")
    ev = "eu_potash_full_ban"
    day0 = pd.Timestamp(res.long_short.calendar_dates.loc[0, ev])
    beta = res.long_short.params.loc[(ev, "producers_minus_contrast"), "beta"]
    alpha = res.long_short.params.loc[(ev, "producers_minus_contrast"), "alpha"]
    spy = to_returns(load_equity_prices(["SPY"]))["SPY"]
    assert ar.loc[ev, 0] == pytest.approx(ls[day0] - alpha - beta * spy[day0], abs=1e-12)


def test_calibration_placebo_dates_avoid_events_and_sizes_are_rates(res) -> None:
    pl = res.placebo_dates
    assert len(pl) == 450 and pl.is_monotonic_increasing
    cal = res.calibration
    assert cal["empirical_size"].between(0, 1).all()
    assert (cal.loc[cal["sample"] == "producers", "n_placebo"] == 450).all()
    studied = pd.DatetimeIndex(res.events["trading_date"].unique())
    spy = to_returns(load_equity_prices(["SPY"]))["SPY"].dropna().index
    gap = np.abs(spy.get_indexer(pl)[:, None] - spy.get_indexer(studied)[None, :]).min()
    assert gap > 10
    # relief and sanctions are pooled separately
    assert set(res.pooled["family"]) == {"sanction", "relief"}
    c = res.calibrated
    assert set(c["family"]) == {"sanction", "relief"}


def test_factor_model_betas_equal_statsmodels_ols_and_placebos_use_the_same_model(
    monkeypatch,
) -> None:
    """model="factor", sector="XLB": alpha, SPY and XLB loadings of MOS = statsmodels OLS."""
    import statsmodels.api as sm

    import potash.analyses.equities as eq

    calls = []
    real = eq.event_study

    def spy_on(returns, market, events, **kw):
        calls.append((kw["model"], list(market.columns) if market is not None else None))
        return real(returns, market, events, **kw)

    monkeypatch.setattr(eq, "event_study", spy_on)
    res = sanctions_event_study(model="factor", sector="XLB", n_placebo=20)
    # the real dates and the placebo calibration (three samples each): all the two-index model
    assert calls == [("factor", ["SPY", "XLB"])] * 6
    assert res.sector == "XLB" and res.market == "SPY"
    assert "market SPY + sector XLB" in str(res.summary)
    assert len(res.placebo_dates) == 20
    assert (res.calibration.loc[res.calibration["sample"] == "long_short", "n_placebo"] == 20).all()
    params = res.producers.params
    assert list(params.columns[:3]) == ["alpha", "SPY", "XLB"]

    dq = res.producers.data_quality.set_index(["event_id", "security"])
    key = ("us_belavia_designation", "MOS")  # 2023-08-09: no other event in its window
    assert dq.loc[key, "masked_estimation_days"] == 0 and dq.loc[key, "n_estimation"] == 240
    px = {
        t: pd.read_csv(f"data/raw/yahoo_adjclose_dsturdy/{t}.csv", index_col=0, parse_dates=True)[
            "Close"
        ]
        for t in ("MOS", "SPY", "XLB")
    }
    r = pd.DataFrame({t: p.pct_change() for t, p in px.items()}).reindex(px["SPY"].index)
    t0 = r.index.get_loc(pd.Timestamp("2023-08-09"))
    est = r.iloc[t0 - 250 : t0 - 10]
    assert est.index[-1] == dq.loc[key, "estimation_end"]
    fit = sm.OLS(est["MOS"], sm.add_constant(est[["SPY", "XLB"]])).fit()
    np.testing.assert_allclose(
        params.loc[key, ["alpha", "SPY", "XLB"]].to_numpy(dtype=float),
        fit.params[["const", "SPY", "XLB"]].to_numpy(),
        rtol=1e-9,
        atol=1e-13,
    )
    assert params.loc[key, "sigma"] == pytest.approx(np.sqrt(fit.scale), rel=1e-9)
    # a materials loading that the one-index model cannot have: MOS is a materials stock
    assert fit.params["XLB"] > 0.3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "factor"}, "sector is required"),
        ({"model": "factor", "sector": "SPY"}, "sector='SPY' is not allowed"),
        ({"model": "factor", "market": "XLB", "sector": "XLB"}, "sector='XLB' equals market"),
        ({"sector": "XLB"}, "sector='XLB' is only used with model='factor'"),
        ({"model": "market_adjusted", "sector": "MOO"}, "sector='MOO' is only used"),
        (
            {"model": "factor", "sector": "MOO", "contrast": ("CF", "MOO")},
            "'MOO' is the sector .* member of contrast",
        ),
        ({"model": "fama_french"}, "model='fama_french' is not allowed"),
    ],
)
def test_factor_model_bad_options_raise_naming_the_argument(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        sanctions_event_study(n_placebo=0, **kwargs)


def test_without_placebo_dates_the_summary_is_nominal_not_an_error() -> None:
    """n_placebo=0 used to raise KeyError('sample') in summary_frame(): the nominal columns
    equal the calibrated run's, the calibrated ones are missing, and the notes say so."""
    kw = dict(event_types="relief", producers=("NTR", "MOS"), contrast=("CF",))
    r0 = sanctions_event_study(n_placebo=0, **kw)
    r20 = sanctions_event_study(n_placebo=20, **kw)
    a, b = r0.summary_frame(), r20.summary_frame()
    cols = ["event_id", "estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert a[["p_calibrated", "p_holm", "p_bh"]].isna().all().all()
    assert b["p_calibrated"].notna().all()
    assert "No placebo calibration" in str(r0.summary)
