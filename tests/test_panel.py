"""Tests of potash.estimators.ppml: PPML trade event studies against R, simulations, bad input."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from potash.analyses.trade import post_start_year, trade_event_study, trade_panel
from potash.core.errors import PotashDataError

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(RESULTS))

from panel_export import FAOSTAT_SPEC, faostat_trade, synthetic_bilateral  # noqa: E402


def _r_output() -> dict[str, float]:
    out = {}
    for line in (RESULTS / "panel_ppml_output.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        key, value = line.split()
        out[key] = float(value)
    return out


R = _r_output()


@pytest.fixture(scope="module")
def fao_trade() -> pd.DataFrame:
    return faostat_trade()


@pytest.fixture(scope="module")
def fao_did(fao_trade):
    return trade_event_study(fao_trade, **FAOSTAT_SPEC)


def _poisson_panel(
    seed: int, effect: float | dict[int, float], n_units: int = 25, years=range(2008, 2024)
) -> pd.DataFrame:
    """Seeded exporter x year Poisson panel; BLR is treated from 2022 with a known effect."""
    rng = np.random.default_rng(seed)
    units = ["BLR"] + [f"X{i:02d}" for i in range(n_units - 1)]
    g = pd.MultiIndex.from_product([units, list(years)], names=["u", "t"]).to_frame(index=False)
    a = dict(zip(units, rng.normal(9.0, 1.0, len(units)), strict=True))
    c = dict(zip(years, rng.normal(0, 0.3, len(years)), strict=True))
    k = g["t"] - 2022
    if isinstance(effect, dict):
        d = np.where(g["u"] == "BLR", k.map(effect).fillna(0.0), 0.0)
    else:
        d = np.where((g["u"] == "BLR") & (k >= 0), effect, 0.0)
    mu = np.exp(g["u"].map(a) + g["t"].map(c) + d)
    return pd.DataFrame(
        {
            "year": g["t"],
            "reporter_iso3": g["u"],
            "partner_iso3": "WLD",
            "flow": "export",
            "product": "potassium_chloride",
            "quantity_t": rng.poisson(mu).astype(float),
        }
    )


# --------------------------------------------------------------------------------------
# against R (tests/results/panel_ppml.R, panel_ppml_output.txt)
# --------------------------------------------------------------------------------------
def test_exported_panel_is_the_one_the_package_builds(fao_did):
    """The CSV R fitted is exactly the panel trade_event_study uses on the shipped data."""
    csv = pd.read_csv(RESULTS / "panel_faostat_mop.csv")
    mine = fao_did.panel
    assert list(csv["exporter"]) == list(mine["exporter"])
    assert list(csv["year"]) == list(mine["year"])
    np.testing.assert_allclose(csv["y"], mine["y"], rtol=1e-15)
    np.testing.assert_array_equal(csv["treated_post"], mine["treated_post"])


def test_faostat_sample_definition(fao_did, fao_trade):
    """Exporters 'above 100,000 t' = mean annual MOP export quantity 2010-2023 > 100,000 t."""
    assert sorted(fao_did.panel["exporter"].unique()) == [
        "BEL",
        "BLR",
        "CAN",
        "CHL",
        "DEU",
        "ESP",
        "ISR",
        "JOR",
        "LAO",
        "NLD",
        "RUS",
        "USA",
    ]
    # hand check of the rule on the raw rows: Belgium in (mean 157,205 t), Uzbekistan out (89,707 t)
    t = fao_trade[
        fao_trade["year"].between(2010, 2023)
        & fao_trade["quantity_t"].notna()
        & (fao_trade["flow"] == "export")
        & (fao_trade["product"] == "potassium_chloride")
        & (fao_trade["partner_iso3"] == "WLD")
    ]
    means = t.groupby("reporter_iso3")["quantity_t"].mean()
    assert means["BEL"] > 1e5 > means["UZB"]
    assert set(means[means > 1e5].index) == set(fao_did.panel["exporter"])
    assert fao_did.post_start == 2022
    assert fao_did.nobs == R["fao_did_quasipoisson.nobs"]
    assert fao_did.settings["k_params"] == R["fao_did_quasipoisson.k"]


def test_loader_panel_equals_raw_file_reading(fao_did):
    """Independent reference: the same panel built from the raw FAOSTAT CSV read directly."""
    from _panel_raw import faostat_mop_exports

    ref = trade_event_study(faostat_mop_exports(), **FAOSTAT_SPEC)
    a, b = fao_did.panel, ref.panel
    assert list(a["exporter"]) == list(b["exporter"]) and list(a["year"]) == list(b["year"])
    np.testing.assert_allclose(a["y"], b["y"], rtol=1e-15)
    assert fao_did.params["treated_post"] == pytest.approx(ref.params["treated_post"], abs=1e-12)


@pytest.mark.parametrize("conv", ["hc1", "hc0", "none"])
def test_faostat_did_matches_r(fao_trade, conv):
    res = trade_event_study(fao_trade, **FAOSTAT_SPEC, small_sample=conv)
    for family in ("quasipoisson", "poisson"):
        tag = f"fao_did_{family}"
        assert res.params["treated_post"] == pytest.approx(R[f"{tag}.coef.treated_post"], abs=1e-8)
        assert res.std_errors["treated_post"] == pytest.approx(
            R[f"{tag}.se_{conv}.treated_post"], abs=1e-6
        )


def test_faostat_event_time_matches_r(fao_trade):
    for conv in ("hc1", "hc0", "none"):
        res = trade_event_study(fao_trade, **FAOSTAT_SPEC, event_time=True, small_sample=conv)
        assert res.terms == ["et_m4", "et_m3", "et_m2", "et_p0", "et_p1"]
        for term in res.terms:
            assert res.params[term] == pytest.approx(
                R[f"fao_es_quasipoisson.coef.{term}"], abs=1e-8
            )
            assert res.std_errors[term] == pytest.approx(
                R[f"fao_es_quasipoisson.se_{conv}.{term}"], abs=1e-6
            )
    sf = res.summary_frame()
    assert list(sf["label"]) == ["<=-4", "-3", "-2", "0", "1"]


def test_quasipoisson_and_poisson_vcovcl_agree_in_r():
    """Documented claim: the dispersion cancels in vcovCL but not in the model-based SE."""
    for conv in ("hc1", "hc0", "none"):
        assert R[f"fao_did_quasipoisson.se_{conv}.treated_post"] == pytest.approx(
            R[f"fao_did_poisson.se_{conv}.treated_post"], rel=1e-12
        )
    ratio = (
        R["fao_did_quasipoisson.se_model.treated_post"] / R["fao_did_poisson.se_model.treated_post"]
    )
    assert ratio == pytest.approx(np.sqrt(R["fao_did_quasipoisson.dispersion"]), rel=1e-6)


@pytest.mark.parametrize(
    ("cluster", "tag"), [("pair", "bil_pair"), ("reporter_iso3", "bil_exporter")]
)
def test_bilateral_matches_r(cluster, tag):
    trade = synthetic_bilateral()
    csv = pd.read_csv(RESULTS / "panel_synthetic_bilateral.csv")
    for conv in ("hc1", "hc0", "none"):
        res = trade_event_study(
            trade,
            level="bilateral",
            fixed_effects=("exporter", "importer", "time"),
            cluster=cluster,
            small_sample=conv,
        )
        assert len(res.panel) == len(csv) == R[f"{tag}.nobs"]
        assert res.settings["k_params"] == R[f"{tag}.k"]
        assert res.params["treated_post"] == pytest.approx(R[f"{tag}.coef.treated_post"], abs=1e-8)
        assert res.std_errors["treated_post"] == pytest.approx(
            R[f"{tag}.se_{conv}.treated_post"], abs=1e-6
        )


def test_bilateral_separated_cells_dropped_and_reported():
    res = trade_event_study(
        synthetic_bilateral(), level="bilateral", fixed_effects=("exporter", "importer", "time")
    )
    d = res.dropped
    # importer ZZZ (6 exporters x 10 years) and the empty year 2014 (6 x 6 other importers)
    assert len(d) == 96
    assert set(d.loc[d["importer"] == "ZZZ", "reason"]) <= {
        "all-zero importer group",
        "all-zero year group",
    }
    assert (d.loc[d["importer"] != "ZZZ", "year"] == 2014).all()
    assert (d["y"] == 0).all()


@pytest.mark.parametrize(("conv", "tag"), [("none", "bil_hc0"), ("hc1", "bil_hc1")])
def test_bilateral_heteroskedasticity_robust_matches_r(conv, tag):
    res = trade_event_study(
        synthetic_bilateral(),
        level="bilateral",
        fixed_effects=("exporter", "importer", "time"),
        cluster=None,
        small_sample=conv,
    )
    assert res.std_errors["treated_post"] == pytest.approx(R[f"{tag}.se.treated_post"], abs=1e-6)


def test_statsmodels_cov_kwds_mapping(fao_did):
    """use_correction=True is R's HC1; use_correction=False is HC0 with cadjust=FALSE;
    df_correction only changes the t reference distribution (G-1 df) when use_t=True."""
    fit = fao_did.model_result
    model = fit.model
    groups = pd.factorize(fao_did.panel["exporter"], sort=True)[0]
    kw = {"method": "IRLS", "tol": 1e-13, "rtol": 1e-13, "tol_criterion": "params"}
    on = model.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": True}, **kw)
    off = model.fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}, **kw)
    assert on.bse.iloc[0] == pytest.approx(R["fao_did_quasipoisson.se_hc1.treated_post"], abs=1e-6)
    assert off.bse.iloc[0] == pytest.approx(
        R["fao_did_quasipoisson.se_none.treated_post"], abs=1e-6
    )
    t_fit = model.fit(
        cov_type="cluster", cov_kwds={"groups": groups, "df_correction": True}, use_t=True, **kw
    )
    assert t_fit.df_resid_inference == 11
    res_t = trade_event_study(faostat_trade(), **FAOSTAT_SPEC, inference="t")
    assert res_t.pvalues["treated_post"] == pytest.approx(t_fit.pvalues.iloc[0], rel=1e-8)
    z = res_t.params["treated_post"] / res_t.std_errors["treated_post"]
    assert res_t.pvalues["treated_post"] == pytest.approx(2 * stats.t(11).sf(abs(z)), rel=1e-10)


def test_conf_int_and_effects(fao_did):
    ci = fao_did.conf_int(0.90)
    b, se = fao_did.params["treated_post"], fao_did.std_errors["treated_post"]
    assert ci.loc["treated_post", "lower"] == pytest.approx(
        b - stats.norm.ppf(0.95) * se, rel=1e-12
    )
    sf = fao_did.summary_frame()
    assert sf.loc["treated_post", "effect_pct"] == pytest.approx(100 * (np.exp(b) - 1))
    assert sf.loc["treated_post", "p_value"] == pytest.approx(2 * stats.norm.sf(abs(b / se)))
    with pytest.raises(ValueError, match="level"):
        fao_did.conf_int(95)


# --------------------------------------------------------------------------------------
# simulations with a known truth
# --------------------------------------------------------------------------------------
def test_simulated_poisson_panel_recovers_effect():
    ests = []
    for seed in range(5):
        res = trade_event_study(_poisson_panel(seed, -0.4))
        # treated-unit Poisson noise at mu ~ 8,000 gives sd(beta) ~ 0.01; clustered CIs with one
        # treated cluster are not used here (they under-cover, MacKinnon-Webb 2017)
        assert res.params["treated_post"] == pytest.approx(-0.4, abs=0.05)
        ests.append(res.params["treated_post"])
    assert np.mean(ests) == pytest.approx(-0.4, abs=0.02)


def test_simulated_event_time_path_recovered():
    truth = {-5: 0.0, -4: 0.0, -3: 0.0, -2: 0.0, -1: 0.0, 0: -0.6, 1: -0.3}
    res = trade_event_study(_poisson_panel(11, truth), event_time=True, leads=3)
    sf = res.summary_frame()
    assert list(sf["event_time"]) == [-3, -2, 0, 1]
    assert sf.loc["et_p0", "estimate"] == pytest.approx(-0.6, abs=0.03)
    assert sf.loc["et_p1", "estimate"] == pytest.approx(-0.3, abs=0.03)
    assert abs(sf.loc["et_m3", "estimate"]) < 0.03  # binned <= -3, truth 0
    assert sf.loc["et_m3", "label"] == "<=-3"


@pytest.mark.filterwarnings("ignore:Perfect separation or prediction")
def test_noiseless_panel_exact_recovery():
    """With y equal to its expectation PPML recovers the parameters exactly."""
    units, years = ["BLR", "CAN", "RUS", "ISR"], range(2016, 2024)
    g = pd.MultiIndex.from_product([units, years], names=["u", "t"]).to_frame(index=False)
    a = {"BLR": 5.0, "CAN": 6.0, "RUS": 5.5, "ISR": 4.0}
    y = np.exp(
        g["u"].map(a) + 0.05 * (g["t"] - 2016) - 0.25 * ((g["u"] == "BLR") & (g["t"] >= 2022))
    )
    trade = pd.DataFrame(
        {
            "year": g["t"],
            "reporter_iso3": g["u"],
            "partner_iso3": "WLD",
            "flow": "export",
            "product": "potassium_chloride",
            "quantity_t": y,
        }
    )
    res = trade_event_study(trade)
    assert res.params["treated_post"] == pytest.approx(-0.25, abs=1e-10)
    cf = res.counterfactual()
    blr = g["u"] == "BLR"
    np.testing.assert_allclose(cf["fitted"], y[blr], rtol=1e-9)
    np.testing.assert_allclose(
        cf["counterfactual"], np.exp(5.0 + 0.05 * (np.arange(2016, 2024) - 2016)), rtol=1e-9
    )


def test_all_zero_groups_dropped_and_same_estimate():
    base = _poisson_panel(3, -0.3, n_units=8)
    extra = base[base["reporter_iso3"] == "X00"].assign(reporter_iso3="ZER", quantity_t=0.0)
    zero_year = pd.DataFrame(
        {
            "year": 2007,
            "reporter_iso3": base["reporter_iso3"].unique(),
            "partner_iso3": "WLD",
            "flow": "export",
            "product": "potassium_chloride",
            "quantity_t": 0.0,
        }
    )
    res0 = trade_event_study(base)
    res = trade_event_study(pd.concat([base, extra, zero_year], ignore_index=True))
    assert len(res.dropped) == len(extra) + len(zero_year)
    reasons = res.dropped.groupby("reason").size()
    assert reasons["all-zero exporter group"] == len(extra)
    assert reasons["all-zero year group"] == len(zero_year)
    assert res.params["treated_post"] == pytest.approx(res0.params["treated_post"], abs=1e-9)
    # dropped before the fit: same N, K and G, so the same standard error
    assert res.std_errors["treated_post"] == pytest.approx(
        res0.std_errors["treated_post"], rel=1e-8
    )


def test_all_zero_event_time_cell_dropped():
    truth = {0: 0.0}
    trade = _poisson_panel(4, truth, n_units=6)
    trade.loc[(trade["reporter_iso3"] == "BLR") & (trade["year"] == 2023), "quantity_t"] = 0.0
    res = trade_event_study(trade, event_time=True, leads=2)
    assert "et_p1" not in res.terms
    assert list(res.dropped["reason"]) == ["all-zero cells of term et_p1"]


def test_all_zero_post_is_an_error():
    trade = _poisson_panel(5, -0.2, n_units=5)
    trade.loc[(trade["reporter_iso3"] == "BLR") & (trade["year"] >= 2022), "quantity_t"] = 0.0
    with pytest.raises(PotashDataError, match="-100%"):
        trade_event_study(trade)


# --------------------------------------------------------------------------------------
# post definition and sample rules
# --------------------------------------------------------------------------------------
def test_post_start_from_events_table():
    ev = pd.DataFrame(
        {
            "date": pd.to_datetime(["2021-05-23", "2021-08-09", "2022-02-01"]),
            "event_id": ["ryanair", "us_eo14038", "klaipeda_transit_ends"],
            "type": ["geopolitical", "sanction", "logistics"],
        }
    )
    assert post_start_year(ev)[0] == 2022  # first sanction 2021-08-09 -> first full year 2022
    assert post_start_year(ev, timing="event_year")[0] == 2021
    assert post_start_year(ev, event_ids=["klaipeda_transit_ends"], timing="event_year")[0] == 2022
    assert post_start_year(ev, event_types=None, timing="event_year")[0] == 2021
    assert post_start_year("2022-01-01")[0] == 2022
    assert post_start_year(2021)[0] == 2021
    with pytest.raises(ValueError, match="event_ids"):
        post_start_year(ev, event_ids=["nope"])
    with pytest.raises(ValueError, match="timing"):
        post_start_year(ev, timing="later")
    trade = _poisson_panel(1, -0.3, n_units=5)
    assert trade_event_study(trade, events=ev).post_start == 2022
    res21 = trade_event_study(trade, events=2021)
    assert res21.post_start == 2021
    assert res21.panel.loc[res21.panel["treated"] == 1, "treated_post"].sum() == 3


def test_min_quantity_rules_hand_calculated():
    trade = pd.DataFrame(
        {
            "year": [2019, 2020, 2021, 2022] * 3 + [2019, 2021],
            "reporter_iso3": ["BLR"] * 4 + ["AAA"] * 4 + ["BBB"] * 4 + ["CCC"] * 2,
            "partner_iso3": "WLD",
            "flow": "export",
            "product": "potassium_chloride",
            # AAA: mean 100 (not > 100), max 160; BBB: mean 150, pre-mean 100; CCC: 2 rows, mean 150
            "quantity_t": [500, 500, 500, 200, 40, 40, 160, 160, 100, 100, 100, 300, 100, 200.0],
        }
    )

    def kept(rule):
        return sorted(
            trade_panel(trade, min_quantity=100, min_quantity_rule=rule)["exporter"].unique()
        )

    assert kept("mean") == ["BBB", "BLR", "CCC"]
    assert kept("max") == ["AAA", "BBB", "BLR", "CCC"]
    assert kept("pre_mean") == ["BLR", "CCC"]
    exc = trade_panel(trade, min_quantity=100).attrs["excluded"]
    assert list(exc["exporter"]) == ["AAA"] and exc["statistic"].iloc[0] == 100
    with pytest.raises(PotashDataError, match="excluded by min_quantity"):
        trade_panel(trade, min_quantity=1000)


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------
def test_no_treated_unit():
    trade = _poisson_panel(0, 0.0, n_units=4)
    trade = trade[trade["reporter_iso3"] != "BLR"]
    with pytest.raises(PotashDataError, match="treated unit 'BLR' not found"):
        trade_event_study(trade)


def test_unknown_treated_code():
    with pytest.raises(PotashDataError, match="'XYZ' not found anywhere"):
        trade_event_study(_poisson_panel(0, 0.0, n_units=4), treated="XYZ")


def test_missing_columns():
    trade = _poisson_panel(0, 0.0, n_units=4)
    with pytest.raises(PotashDataError, match="column 'partner_iso3'.*missing column"):
        trade_event_study(trade.drop(columns="partner_iso3"))
    with pytest.raises(PotashDataError, match="column 'value_usd'"):
        trade_event_study(trade, measure="value_usd")


def test_year_range_without_data():
    with pytest.raises(
        PotashDataError, match=r"no export rows .* in years 1990-1995 \(the data cover 2008-2023\)"
    ):
        trade_event_study(_poisson_panel(0, 0.0, n_units=4), years=(1990, 1995))


def test_treated_without_post_years():
    with pytest.raises(PotashDataError, match="needs years both before and from 2022"):
        trade_event_study(_poisson_panel(0, 0.0, n_units=4), years=(2010, 2021))


def test_other_bad_input():
    trade = _poisson_panel(0, 0.0, n_units=4)
    with pytest.raises(ValueError, match="small_sample='HC3' is not allowed"):
        trade_event_study(trade, small_sample="HC3")
    with pytest.raises(PotashDataError, match="no rows with flow='export' and product='urea'"):
        trade_event_study(trade, product="urea")
    neg = trade.copy()
    neg.loc[5, "quantity_t"] = -1.0
    with pytest.raises(PotashDataError, match="row 5: negative"):
        trade_event_study(neg)
    dup = pd.concat([trade, trade.iloc[[3]]])
    with pytest.raises(PotashDataError, match="duplicate row for exporter BLR"):
        trade_event_study(dup)
    with pytest.raises(ValueError, match="need level='bilateral'"):
        trade_event_study(trade, fixed_effects=("pair", "time"))
    with pytest.raises(ValueError, match="reference=-9 is outside"):
        trade_event_study(trade, event_time=True, reference=-9)
    with pytest.raises(ValueError, match="mirror"):
        trade_event_study(trade, flow="import")
    with pytest.raises(PotashDataError, match="only the treated exporter"):
        trade_event_study(trade[trade["reporter_iso3"] == "BLR"])


def test_mirror_flows_use_partner_as_exporter():
    bil = synthetic_bilateral()
    mirror = bil.rename(columns={"reporter_iso3": "partner_iso3", "partner_iso3": "reporter_iso3"})
    mirror["flow"] = "import"
    a = trade_event_study(bil, level="bilateral", fixed_effects=("exporter", "importer", "time"))
    b = trade_event_study(
        mirror,
        flow="import",
        level="bilateral",
        fixed_effects=("exporter", "importer", "time"),
        cluster="exporter",
    )
    assert a.params["treated_post"] == pytest.approx(b.params["treated_post"], abs=1e-10)
    assert a.std_errors["treated_post"] == pytest.approx(b.std_errors["treated_post"], abs=1e-10)


# --------------------------------------------------------------------------------------
# protocol and figures
# --------------------------------------------------------------------------------------
def test_summary_and_plots(fao_trade, fao_did):
    text = fao_did.summary.as_text()
    assert "treated_post" in text and "vcovCL type='HC1'" in text and "G = 12" in text
    assert "<table" in fao_did._repr_html_()
    assert "tabular" in fao_did.summary.as_latex()
    fig = fao_did.plot()
    ax = fig.axes[0]
    assert "Mt" in ax.get_ylabel() and ax.get_title()
    assert any("Source:" in t.get_text() for t in fig.texts)
    plt.close(fig)
    es = trade_event_study(fao_trade, **FAOSTAT_SPEC, event_time=True)
    fig, ax = plt.subplots()
    assert es.plot(ax=ax) is fig
    assert "%" in ax.get_ylabel() and "2022" in ax.get_xlabel()
    plt.close(fig)


def test_glm_is_poisson_family(fao_did):
    assert isinstance(fao_did.model_result.model.family, sm.families.Poisson)
    assert fao_did.model_result.converged


def test_post_from_shipped_events_calendar(fao_trade):
    """The documented choice: the 2021-08-09 sanctions and the 2022-02-01 Klaipeda closure."""
    from potash import load_events

    ev = load_events()
    ids = ["us_eo14038_belaruskali_sdn", "klaipeda_transit_ends"]
    start, marks = post_start_year(ev, event_ids=ids)
    assert start == 2022
    assert list(marks["date"].dt.strftime("%Y-%m-%d")) == ["2021-08-09", "2022-02-01"]
    assert post_start_year(ev, event_ids=ids, timing="event_year")[0] == 2021
    res = trade_event_study(fao_trade, **FAOSTAT_SPEC, events=ev, event_ids=ids)
    assert res.params["treated_post"] == pytest.approx(
        R["fao_did_quasipoisson.coef.treated_post"], abs=1e-8
    )
    fig = res.plot()
    drawn = {line.get_xdata()[0] for line in fig.axes[0].lines if line.get_linestyle() == "--"}
    assert {pd.Timestamp("2021-08-09"), pd.Timestamp("2022-02-01")} <= {
        pd.Timestamp(x) for x in drawn if not isinstance(x, float | int)
    }
    assert any("Source: FAOSTAT" in t.get_text() for t in fig.texts)
    plt.close(fig)


def test_event_window_binning_options():
    trade = _poisson_panel(2, {0: -0.5, 1: -0.5}, n_units=6)
    binned = trade_event_study(trade, event_time=True, leads=2, lags=0)
    sf = binned.summary_frame()
    assert list(sf.index) == ["et_m2", "et_p0"]
    assert list(sf["label"]) == ["<=-2", ">=0"]
    # with lags=0 binned, 2022 and 2023 share one dummy: truth -0.5 for both
    assert sf.loc["et_p0", "estimate"] == pytest.approx(-0.5, abs=0.05)
    open_ends = trade_event_study(trade, event_time=True, leads=2, bin_endpoints=False)
    sf2 = open_ends.summary_frame()
    assert list(sf2.index) == ["et_m2", "et_p0", "et_p1"]
    assert list(sf2["label"]) == ["-2", "0", "1"]
    # years before -2 join the reference group: the et_m2 column is 1 only in 2020
    X = open_ends.model_result.model.exog
    treated_rows = open_ends.panel["treated"].to_numpy() == 1
    years = open_ends.panel.loc[treated_rows, "year"].to_numpy()
    assert list(years[X[treated_rows, 0] == 1]) == [2020]
    with pytest.raises(ValueError, match=r"event window \[-2, 3\] goes beyond .* \[-14, 1\]"):
        trade_event_study(trade, event_time=True, leads=2, lags=3)
    with pytest.raises(ValueError, match="leads=0"):
        trade_event_study(trade, event_time=True, leads=0)


def test_invariance_to_units_and_row_order():
    """PPML properties: rescaling y (tonnes -> kt) and shuffling rows change nothing."""
    trade = _poisson_panel(8, -0.3, n_units=7)
    base = trade_event_study(trade)
    scaled = trade_event_study(trade.assign(quantity_t=trade["quantity_t"] / 1000.0))
    shuffled = trade_event_study(trade.sample(frac=1.0, random_state=3))
    for other in (scaled, shuffled):
        assert other.params["treated_post"] == pytest.approx(base.params["treated_post"], abs=1e-9)
        assert other.std_errors["treated_post"] == pytest.approx(
            base.std_errors["treated_post"], rel=1e-7
        )


def test_faostat_note_in_summary(fao_did):
    assert "FAO-estimated" in fao_did.summary.as_text()


def test_design_size_guard(monkeypatch):
    import potash.estimators.ppml as panel_mod

    monkeypatch.setattr(panel_mod, "_MAX_DESIGN_CELLS", 100)
    with pytest.raises(ValueError, match="dense design would have"):
        trade_event_study(_poisson_panel(0, 0.0, n_units=4))
