"""price_event_study against R (lm + sandwich::NeweyWest + lmtest::coeftest).

Reference: tests/results/prices_its.R, output tests/results/prices_its.Rout.csv, on the exact
input tests/results/prices_input.csv (World Bank Pink Sheet, June 2026 vintage, exported by
tests/results/prices_export.py). Coefficients to 1e-8, standard errors to 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from potash import load_events, load_prices, price_event_study

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).parents[1]
R_NAMES = {  # R term -> potash term
    "(Intercept)": "const",
    "t": "trend",
    "log(urea)": "log_urea",
    "log(dap)": "log_dap",
    "basis_urea_2022_03": "basis_urea_2022-03",
    "step_2021_08": "step_2021-08",
    "step_2022_02": "step_2022-02",
    "step_2025_12": "step_2025-12",
    "ramp_2022_02": "ramp_2022-02",
    "pulse_2025_12": "pulse_2025-12",
}


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return pd.read_csv(RESULTS / "prices_input.csv", parse_dates=["date"])


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    r = pd.read_csv(RESULTS / "prices_its.Rout.csv", comment="#", skipinitialspace=True)
    r["term"] = r["term"].map(R_NAMES)
    return r


ACCEPTANCE_EVENTS = ["us_eo14038_belaruskali_sdn", "klaipeda_transit_ends", "us_announces_potash_lift"]


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    # the shipped sanctions calendar: the 2021-08-09 US potash sanctions (EO 14038), the end of
    # Klaipeda transit on 2022-02-01 and the US announcement of relief on 2025-12-13
    ev = load_events()
    return ev[ev["event_id"].isin(ACCEPTANCE_EVENTS)]


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return load_prices(vintage="2026-06-02")


def _compare(res, ref, spec, vcov):
    r = ref[(ref["spec"] == spec) & (ref["vcov"] == vcov)].set_index("term")
    assert len(r) == len(res.params)
    assert list(res.params.index) == list(r.index)
    np.testing.assert_allclose(res.params, r["estimate"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(res.std_errors, r["std_error"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(res.tstats, r["t"], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(res.pvalues, r["p"], rtol=1e-6, atol=1e-8)
    assert res.nobs == int(r["nobs"].iloc[0])


@pytest.mark.parametrize(
    ("cov_type", "maxlags", "adjust", "vcov"),
    [
        ("nonrobust", None, True, "nonrobust"),
        ("HAC", None, True, "NW_lag3_adjTRUE"),  # default lag rule: floor(4 (77/100)^(2/9)) = 3
        ("HAC", 3, False, "NW_lag3_adjFALSE"),
        ("HAC", 6, True, "NW_lag6_adjTRUE"),
    ],
)
def test_acceptance_spec_matches_r(prices, events, ref, cov_type, maxlags, adjust, vcov):
    # potash over 2020-01..2026-05, urea and DAP as controls, steps at the 2021-08, 2022-02 and
    # 2025-12 events; urea changes basis at 2022-03 inside the sample -> explicit basis dummy
    res = price_event_study(
        prices,
        events,
        start="2020-01",
        end="2026-05",
        basis="dummy",
        cov_type=cov_type,
        maxlags=maxlags,
        adjust=adjust,
    )
    assert res.basis_terms == ["basis_urea_2022-03"]
    assert "within one month of ['step_2022-02']" in " ".join(res._notes())
    if cov_type == "HAC":
        assert res.maxlags == (3 if maxlags is None else maxlags)
    _compare(res, ref, "A", vcov)


def test_acceptance_spec_without_basis_dummy_is_an_error(prices, events):
    with pytest.raises(ValueError, match="basis change of 'urea' at 2022-03"):
        price_event_study(prices, events, start="2020-01", end="2026-05")


@pytest.mark.parametrize(
    ("cov_type", "maxlags", "adjust", "vcov"),
    [
        ("nonrobust", None, True, "nonrobust"),
        ("HAC", 4, False, "NW_lag4_adjFALSE"),
        ("HAC", 4, True, "NW_lag4_adjTRUE"),
    ],
)
def test_ramp_and_pulse_spec_matches_r(prices, ref, cov_type, maxlags, adjust, vcov):
    res = price_event_study(
        prices,
        ["2021-08-09", "2022-02-01", "2025-12-13"],
        controls=["dap"],
        start="2020-01-01",
        end="2026-05-01",
        steps=["2021-08-09", "2022-02-01"],
        ramps=["2022-02-01"],
        pulses=["2025-12-13"],
        cov_type=cov_type,
        maxlags=maxlags,
        adjust=adjust,
    )
    assert res.basis_terms == []
    _compare(res, ref, "B", vcov)


def test_statsmodels_settings_documented(prices, events):
    # adjust=TRUE <-> use_correction=True; the ratio of the two covariances is T / (T - k)
    a = price_event_study(prices, events, start="2020-01", end="2026-05", basis="dummy", maxlags=3)
    b = price_event_study(
        prices, events, start="2020-01", end="2026-05", basis="dummy", maxlags=3, adjust=False
    )
    assert a.model_results.cov_kwds["use_correction"] is True
    assert b.model_results.cov_kwds["use_correction"] is False
    T, k = a.nobs, len(a.params)
    np.testing.assert_allclose(a.cov.to_numpy() / b.cov.to_numpy(), T / (T - k), rtol=1e-12)
    assert "adjust=TRUE" in a.summary.as_text()


def test_exported_input_is_what_the_package_loads(prices, shipped):
    # the CSV that R reads is exactly the package's load_prices output
    import importlib.util

    spec = importlib.util.spec_from_file_location("prices_export", RESULTS / "prices_export.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sub = shipped[shipped["series"].isin(mod.SERIES)]
    sub = sub[(sub["date"] >= mod.START) & (sub["date"] <= mod.END)]
    sub = sub.sort_values(["series", "date"]).reset_index(drop=True).astype({"series": str, "unit": str})
    pd.testing.assert_frame_equal(sub, prices, check_dtype=False, check_exact=True)


def test_acceptance_on_shipped_loaders(shipped, events, ref):
    # the acceptance run straight from load_prices() and load_events()
    res = price_event_study(shipped, events, start="2020-01", end="2026-05", basis="dummy")
    assert res.events["month"].dt.strftime("%Y-%m").tolist() == ["2021-08", "2022-02", "2025-12"]
    _compare(res, ref, "A", "NW_lag3_adjTRUE")
