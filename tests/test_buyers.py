"""Buyers, replacement, discount, relief months and the fixest wrappers on seeded synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from potash.analyses.buyers import assign_window, belarus_buyers, replacement_shares
from potash.core.errors import PotashDataError


def _row(rep, par, period, q, v=None, basis="CIF"):
    return {"reporter_iso3": rep, "partner_iso3": par, "period": period, "year": int(period[:4]),
            "flow": "import", "hs_code": "3104", "quantity_t": q,
            "value_usd": q * 300.0 if v is None else v, "value_basis": basis, "flag": pd.NA}


def test_buyers_shares_hand_computed():
    rows = [_row("BRA", "BLR", "2019-01", 30.0), _row("CHN", "BLR", "2019-01", 10.0),
            _row("CHN", "BLR", "2024-01", 90.0), _row("BRA", "BLR", "2024-01", 10.0),
            _row("CHN", "CAN", "2024-01", 500.0)]
    r = belarus_buyers(pd.DataFrame(rows), pre_years=(2019, 2019), post_years=(2024, 2024))
    assert r.shift.loc["BRA", "share_pre"] == pytest.approx(0.75)
    assert r.shift.loc["CHN", "share_post"] == pytest.approx(0.9)
    assert r.shift.loc["CHN", "change_pp"] == pytest.approx(65.0)
    assert r.shift["change_pp"].sum() == pytest.approx(0.0)
    assert "CAN" not in set(r.monthly["destination"])  # only flows from Belarus


def test_buyers_flagged_rows_dropped_and_errors():
    rows = [_row("CHN", "BLR", "2019-01", 10.0), {**_row("CHN", "BLR", "2019-02", 99.0),
                                                   "flag": "belgium_belarus_zero_value"}]
    r = belarus_buyers(pd.DataFrame(rows), pre_years=(2019, 2019), post_years=(2019, 2019))
    assert r.annual["quantity_t"].sum() == pytest.approx(10.0)
    with pytest.raises(PotashDataError, match="no 3104 imports from BLR"):
        belarus_buyers(pd.DataFrame([_row("CHN", "CAN", "2019-01", 1.0)]))
    with pytest.raises(PotashDataError, match="lacks columns"):
        belarus_buyers(pd.DataFrame(rows).drop(columns="value_basis"))


def test_replacement_known_shift():
    rows = [_row("BRA", "BLR", "2020-05", 40.0), _row("BRA", "CAN", "2020-05", 60.0),
            _row("BRA", "RUS", "2023-05", 30.0), _row("BRA", "CAN", "2023-05", 70.0)]
    r = replacement_shares(pd.DataFrame(rows), years=[2023])
    rep = r.replacements().iloc[0]
    assert rep["blr_change_pp"] == pytest.approx(-40.0)
    assert rep["top_gainer"] == "RUS" and rep["top_gain_pp"] == pytest.approx(30.0)


def test_assign_window():
    w = assign_window(pd.Series(["2021-07", "2022-01", "2022-02", "2025-11", "2025-12"]))
    assert w.tolist() == ["pre", "sanctions", "post_klaipeda", "post_klaipeda", "relief"]


def test_buyers_real_data_china_took_over():
    r = belarus_buyers()
    assert r.shift.loc["CHN", "change_pp"] > 40
    assert r.shift.loc["USA", "share_post"] == 0.0
    assert r.shift.loc["BRA", "change_pp"] < -15


def test_relief_months_known_truth():
    from potash.analyses.buyers import monthly_imports_from, relief_months

    rows = []
    for y in (2023, 2024, 2025):
        for mo in range(1, 13):
            p = f"{y}-{mo:02d}"
            rows.append(_row("CHN", "BLR", p, 100.0 + mo))  # seasonal, same every year
            rows.append(_row("CHN", "CAN", p, 50.0))
    for p in ("2026-01", "2026-02"):
        rows.append(_row("CHN", "BLR", p, 2 * (100.0 + int(p[5:]))))  # doubled after relief
    rows.append(_row("CHN", "CAN", "2026-03", 50.0))  # March reported, no Belarus: a zero
    r = relief_months(pd.DataFrame(rows), importers=["CHN"], relief_start="2026-01")
    s = r.summary_table.loc["CHN"]
    assert s["n_relief_months"] == 3
    assert s["counterfactual_t"] == pytest.approx(101 + 102 + 103)
    assert s["estimate"] == pytest.approx((202 + 204) / 306 - 1)
    assert s["n_placebos"] == 3 and s["placebo_p"] == pytest.approx(0.25)  # placebos all 0
    t = monthly_imports_from("CHN", 2026, pd.DataFrame(rows))
    assert t["quantity_t"].tolist() == [202.0, 204.0, 0.0]


def _discount_panel(seed=1, gap_post=-0.2):
    rng = np.random.default_rng(seed)
    rows = []
    for imp, basis in (("CHN", "CIF"), ("IND", "CIF"), ("BRA", "FOB")):
        for p in pd.period_range("2019-01", "2023-12", freq="M").strftime("%Y-%m"):
            level = rng.normal(5.8, 0.2)  # importer x month price level (the fixed effect)
            for o in ("BLR", "CAN", "RUS"):
                gap = (gap_post if p >= "2022-02" else 0.0) if o == "BLR" else 0.0
                uv = np.exp(level + gap + rng.normal(0, 0.03))
                rows.append(_row(imp, o, p, 1000.0, 1000.0 * uv, basis))
    return pd.DataFrame(rows)


def test_discount_recovers_known_gap_and_ri():
    from potash.analyses.buyers import unit_value_discount

    r = unit_value_discount(_discount_panel(), rivals=["CAN"], n_perm=99,
                            by_year_importers=["CHN"])
    t = r.table.set_index(["basis", "window"])
    assert t.loc[("CIF", "post_klaipeda"), "estimate"] == pytest.approx(-0.2, abs=0.015)
    assert t.loc[("CIF", "pre"), "estimate"] == pytest.approx(0.0, abs=0.015)
    assert t.loc[("CIF", "post_klaipeda"), "ri_p_value"] == pytest.approx(0.01)  # (1+0)/(1+99)
    assert t.loc[("CIF", "pre"), "ri_p_value"] > 0.05
    assert t.loc[("FOB", "post_klaipeda"), "n_importers"] == 1  # FOB Brazil kept apart
    by = r.by_year.set_index("year")
    assert by.loc[2023, "estimate"] == pytest.approx(-0.2, abs=0.03)
    with pytest.raises(ValueError, match="cluster"):
        unit_value_discount(_discount_panel(), cluster="origin")


def test_within_equals_feols_and_statsmodels_dummies():
    import statsmodels.formula.api as smf

    from potash.estimators.fixest import fe_fit, within_ols_coefs

    rng = np.random.default_rng(3)
    d = pd.DataFrame({"g": np.repeat(np.arange(40), 3).astype(str), "x1": rng.normal(size=120),
                      "x2": rng.integers(0, 2, 120).astype(float)})
    d["y"] = 0.7 * d["x1"] - 0.3 * d["x2"] + d["g"].astype(int) * 0.05 + rng.normal(size=120)
    a = fe_fit(d, "y", ["x1", "x2"], ["g"], cluster="g")
    b = within_ols_coefs(d["y"].to_numpy(), d[["x1", "x2"]].to_numpy(), d["g"].to_numpy())
    sm = smf.ols("y ~ x1 + x2 + C(g)", d).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(d["g"])[0]})
    np.testing.assert_allclose(a["estimate"].to_numpy(), b, rtol=1e-10)
    np.testing.assert_allclose(a["estimate"].to_numpy(), sm.params[["x1", "x2"]], rtol=1e-10)
    # CRV1 with the fixest small-sample factor G/(G-1) * (N-1)/(N-K), where FE nested in the
    # clusters count as one parameter (K = slopes + 1), against statsmodels' K_all with dummies
    n, k_all, k = 120, 42, 3
    ratio = np.sqrt(((n - 1) / (n - k)) / ((n - 1) / (n - k_all)))
    np.testing.assert_allclose(a["se"].to_numpy(), sm.bse[["x1", "x2"]] * ratio, rtol=1e-6)


def _ppml_panel(seed=5, effect=-0.7):
    rng = np.random.default_rng(seed)
    rows = []
    for imp in ("BRA", "IND", "USA"):
        for p in pd.period_range("2019-01", "2023-12", freq="M").strftime("%Y-%m"):
            a = rng.normal(0, 0.3)
            for j, o in enumerate(("BLR", "CAN", "RUS", "ISR", "JOR", "DEU")):
                b = effect if (o == "BLR" and p >= "2022-02") else 0.0
                mu = 1000.0 * np.exp(a + 0.2 * j + b)
                rows.append(_row(imp, o, p, float(rng.poisson(mu))))
    return pd.DataFrame(rows)


def test_monthly_ppml_recovers_known_effect_and_matches_glm_dummies():
    import statsmodels.api as sm

    from potash.analyses.buyers import (
        WINDOWS,
        _ppml_design,
        customs_flow_panel,
        monthly_trade_event_study,
    )

    panel = customs_flow_panel(_ppml_panel())
    r = monthly_trade_event_study(panel=panel, n_placebos=5)
    t = r.table.set_index("term")
    assert t.loc["T_x_post_klaipeda_US", "estimate"] == pytest.approx(-0.7, abs=0.02)
    assert t.loc["T_x_post_klaipeda_other", "estimate"] == pytest.approx(-0.7, abs=0.02)
    assert t.loc["T_x_sanctions_other", "estimate"] == pytest.approx(0.0, abs=0.03)
    assert t.loc["T_x_post_klaipeda_other", "ri_p_value"] == pytest.approx(1 / 6)
    # independent implementation: statsmodels GLM Poisson with dummy fixed effects
    x, terms = _ppml_design(panel, "BLR", WINDOWS, {"US": ("USA",)})
    fe = pd.get_dummies(x[["importer_month", "importer_origin"]], drop_first=True, dtype=float)
    design = pd.concat([x[terms].astype(float), fe], axis=1)
    design.insert(0, "const", 1.0)
    glm = sm.GLM(x["quantity_t"].to_numpy(float), design, family=sm.families.Poisson()).fit(
        tol=1e-12, maxiter=200)
    np.testing.assert_allclose(t.loc[terms, "estimate"], glm.params[terms], atol=1e-6)
