"""Buyers, replacement, discount, relief months and the fixest wrappers on seeded synthetic data."""

from __future__ import annotations

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
