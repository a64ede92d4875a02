"""Bad inputs that used to give silent wrong answers or unclear errors (issue 14, remaining part).

Every case asserts the error class and that the message names the file, column, row or
argument, or that the exclusion is reported in the results. Broken files are built in
tmp_path; data/raw is never written.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import potash
from potash.analyses.market import hhi, mirror_flows
from potash.core.errors import PotashDataError
from potash.data._common import as_names
from potash.data.events import normalise_events
from potash.data.price_panel import log_price_panel
from potash.estimators.eventstudy.core import event_study
from potash.estimators.its import price_event_study
from potash.estimators.synth import synth_weights, synthetic_control

D = pd.bdate_range("2020-01-01", periods=400)


def _data(seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    m = pd.Series(rng.normal(0, 0.01, len(D)), index=D, name="SPY")
    r = pd.DataFrame(
        {"A": 0.5 * m + rng.normal(0, 0.01, len(D)), "B": 1.2 * m + rng.normal(0, 0.01, len(D))},
        index=D,
    )
    return r, m


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


# =========================================================================== event_study
@pytest.mark.parametrize("level", [0.0, 0.01, -0.02, 1e-4])
def test_constant_security_is_excluded_with_a_record(level: float) -> None:
    r, m = _data()
    r["C"] = level
    with pytest.warns(UserWarning, match="C have zero residual variance"):
        res = event_study(r, m, [D[300], D[350]])
    dq = res.data_quality.set_index(["event_id", "security"])
    c = dq.xs("C", level="security")
    assert (c["outcome"] == "constant_returns").all()
    assert not c["in_daily_tests"].any() and not c["in_car_tests"].any()
    assert (dq.xs("A", level="security")["outcome"] == "ok").all()
    assert any("constant_returns" in n for n in res._notes())
    # the pooled tests use only A and B: the same as a study without C
    ref = event_study(r.drop(columns="C"), m, [D[300], D[350]])
    pd.testing.assert_frame_equal(res.tests, ref.tests)


def test_exactly_fitted_security_is_excluded() -> None:
    r, m = _data()
    r["C"] = 0.001 + 1.1 * m
    with pytest.warns(UserWarning, match="zero residual variance"):
        res = event_study(r, m, D[300])
    assert res.data_quality.set_index("security").loc["C", "outcome"] == "zero_residual_variance"


@settings(max_examples=15, deadline=None)
@given(level=st.floats(-0.5, 0.5, allow_nan=False), col=st.integers(0, 2),
       seed=st.integers(0, 1000))
def test_property_any_constant_security_is_excluded(level: float, col: int, seed: int) -> None:
    r, m = _data(seed)
    r.insert(col, "K", level)
    res = _quiet(event_study, r, m, D[300])
    row = res.data_quality.set_index("security").loc["K"]
    assert row["outcome"] == "constant_returns"
    assert not row["in_daily_tests"]
    assert np.isfinite(res.tests.select_dtypes("number").to_numpy(dtype=float)).any()


@pytest.mark.parametrize("how", ["series_name", "factor_column"])
def test_market_as_a_security_is_an_error(how: str) -> None:
    r, m = _data()
    if how == "series_name":
        with pytest.raises(ValueError, match="'SPY' is the market"):
            event_study(r.assign(SPY=m), m, D[300])
    else:
        f = pd.DataFrame({"MKT": m, "SMB": np.random.default_rng(1).normal(0, 0.01, len(D))},
                         index=D)
        with pytest.raises(ValueError, match="'SMB' is the market"):
            event_study(r.assign(SMB=f["SMB"]), f, D[300], model="factor")


def test_market_as_a_group_member_is_an_error() -> None:
    with pytest.raises(ValueError, match="'SPY' is the market .* member of producers"):
        potash.sanctions_event_study(producers=("NTR", "SPY"), contrast=("CF",), n_placebo=0)


@pytest.mark.parametrize(
    ("tz", "stamp"),
    [
        ("UTC", "2021-02-24 23:30"),
        ("Asia/Tokyo", "2021-02-24 01:00"),
        ("America/New_York", "2021-02-24 22:00"),
        ("Europe/Minsk", "2021-02-24 00:30"),
    ],
)
def test_tz_aware_event_date_is_its_local_date_and_recorded(tz: str, stamp: str) -> None:
    r, m = _data()
    ev = pd.Timestamp(stamp, tz=tz)
    with pytest.warns(UserWarning, match="timezone-aware"):
        res = _quiet_some(event_study, r, m, ev)
    dq = res.data_quality
    assert (dq["trading_date"] == pd.Timestamp("2021-02-24")).all()
    assert dq["event_date_note"].str.contains("timezone-aware").all()
    assert dq["event_date_note"].str.contains("local date 2021-02-24").all()
    assert any("timezone-aware" in n for n in res._notes())


def _quiet_some(fn, *a, **k):
    """Run fn, letting timezone warnings through and silencing the others."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="event_study")
        return fn(*a, **k)


def test_tz_aware_event_in_a_table_is_recorded() -> None:
    r, m = _data()
    ev = pd.DataFrame({"event_id": ["x", "y"],
                       "date": [pd.Timestamp("2021-02-24 23:00", tz="UTC"), D[350]]})
    with pytest.warns(UserWarning, match="timezone-aware"):
        res = event_study(r, m, ev)
    notes = res.data_quality.set_index(["event_id", "security"])["event_date_note"]
    assert notes.xs("x", level="event_id").str.contains("2021-02-24").all()
    assert (notes.xs("y", level="event_id") == "").all()


@pytest.mark.parametrize("table", ["returns", "market"])
def test_tz_aware_index_is_refused(table: str) -> None:
    r, m = _data()
    if table == "returns":
        r = r.tz_localize("UTC")
    else:
        m = m.tz_localize("UTC")
    with pytest.raises(PotashDataError, match=rf"^{table}, column 'index': the index has timezone"):
        event_study(r, m, D[300])


def test_overlapping_event_windows_are_flagged() -> None:
    r, m = _data()
    res = event_study(r, m, [D[300], D[302], D[350]])
    dq = res.data_quality.set_index(["event_id", "security"])
    e1, e2, e3 = (str(D[i].date()) for i in (300, 302, 350))
    assert dq.loc[(e1, "A"), "event_window_overlap"]
    assert dq.loc[(e1, "A"), "event_window_overlap_with"] == e2
    assert dq.loc[(e2, "B"), "event_window_overlap_with"] == e1
    assert not dq.loc[(e3, "A"), "event_window_overlap"]
    assert any("event window that overlaps" in n for n in res._notes())


def test_windows_that_do_not_overlap_are_not_flagged() -> None:
    r, m = _data()
    res = event_study(r, m, [D[300], D[310]])
    assert not res.data_quality["event_window_overlap"].any()


@pytest.mark.parametrize("table", ["returns", "market"])
def test_prices_passed_as_returns_are_refused(table: str) -> None:
    r, m = _data()
    if table == "returns":
        r = 100 * (1 + r).cumprod()
    else:
        m = 300 * (1 + m).cumprod()
    with pytest.raises(PotashDataError, match=rf"^{table}, column '.*': these look like prices.*"
                                              r"potash.to_returns"):
        event_study(r, m, D[300])


@pytest.mark.parametrize(
    ("kw", "ref"),
    [
        ({"estimation_window": (-250.0, -11.0)}, {"estimation_window": (-250, -11)}),
        ({"event_window": (-1.0, 2.0)}, {"event_window": (-1, 2)}),
        ({"estimation_window": (np.float64(-200), np.int64(-11))},
         {"estimation_window": (-200, -11)}),
    ],
)
def test_integral_float_offsets_are_offsets_not_epoch_dates(kw: dict, ref: dict) -> None:
    r, m = _data()
    a, b = event_study(r, m, D[300], **kw), event_study(r, m, D[300], **ref)
    pd.testing.assert_frame_equal(a.tests, b.tests)
    assert (a.data_quality["estimation_start"] > pd.Timestamp("2000-01-01")).all()


@pytest.mark.parametrize(
    ("name", "window", "message"),
    [
        ("estimation_window", (-250.5, -11.0), "offset -250.5 is not a whole number"),
        ("event_window", (-1.0, 2.5), "offset 2.5 is not a whole number"),
        ("estimation_window", (float("nan"), -11), "not a whole number"),
        ("event_window", (-1, "2021-02-24"), "mixes a number and a non-number"),
    ],
)
def test_fractional_offsets_are_refused_naming_the_argument(name, window, message) -> None:
    r, m = _data()
    with pytest.raises(ValueError, match=rf"^{name}: .*{message}"):
        event_study(r, m, D[300], **{name: window})


@pytest.mark.parametrize("table", ["returns", "market"])
def test_unsorted_dates_are_sorted_with_a_warning(table: str) -> None:
    r, m = _data()
    ref = event_study(r, m, D[300])
    args = (r.iloc[::-1], m) if table == "returns" else (r, m.iloc[::-1])
    with pytest.warns(UserWarning, match=rf"{table}: the dates are not in increasing order"):
        res = event_study(*args, D[300])
    pd.testing.assert_frame_equal(res.tests, ref.tests)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_property_shuffled_dates_warn_and_give_the_sorted_answer(seed: int) -> None:
    r, m = _data()
    perm = np.random.default_rng(seed).permutation(len(D))
    ref = event_study(r, m, D[300])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = event_study(r.iloc[perm], m.iloc[perm], D[300])
    if (perm != np.arange(len(D))).any():
        assert any("not in increasing order" in str(w.message) for w in caught)
    pd.testing.assert_frame_equal(res.tests, ref.tests)


def test_duplicated_dates_are_refused() -> None:
    r, m = _data()
    with pytest.raises(PotashDataError, match="returns, column 'index', row 5: duplicate date"):
        event_study(pd.concat([r.iloc[:5], r]), m, D[300])


def test_constant_market_is_refused_naming_it() -> None:
    r, _ = _data()
    with pytest.raises(ValueError, match="regressor 'SPY' is constant"):
        event_study(r, pd.Series(0.001, index=D, name="SPY"), D[300])


def test_collinear_factors_are_refused_naming_them() -> None:
    r, m = _data()
    f = pd.DataFrame({"f1": m, "f2": 2 * m - 0.001}, index=D)
    with pytest.raises(ValueError, match="regressor 'f2' is collinear .*'f1'"):
        event_study(r, f, D[300], model="factor")


def test_market_constant_in_one_window_is_a_clear_error() -> None:
    r, m = _data()
    m = m.copy()
    m.iloc[:290] = 0.0
    with pytest.raises(ValueError, match="singular in an estimation window.*'SPY'"):
        event_study(r, m, D[300])


# ================================================================================== ITS
def _prices() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    dates = pd.date_range("2020-01-01", periods=36, freq="MS")
    dap = np.exp(5 + np.cumsum(rng.normal(0, 0.05, 36)))
    kcl = np.exp(1 + 0.8 * np.log(dap) + rng.normal(0, 0.02, 36))
    return pd.concat([pd.DataFrame({"date": dates, "series": s, "value": v, "unit": "$/mt"})
                      for s, v in [("potassium_chloride", kcl), ("dap", dap)]])


NO_BASIS = pd.DataFrame(columns=["series", "date", "note", "source"])


@pytest.mark.parametrize(
    ("event", "side", "n"),
    [("2022-12-01", "post", 1), ("2020-02-01", "pre", 1), ("2020-03-01", None, 2),
     ("2022-11-01", None, 2)],
)
def test_step_needs_two_months_each_side(event: str, side: str | None, n: int) -> None:
    p = _prices()
    if side is None:
        res = price_event_study(p, [event], series="potassium_chloride", controls="dap",
                                basis_changes=NO_BASIS)
        assert f"step_{event[:7]}" in res.params.index
        return
    with pytest.raises(ValueError, match=rf"step_{event[:7]} .* has {n} {side}-event month.*"
                                         r"(extend|leave this event out)"):
        price_event_study(p, [event], series="potassium_chloride", basis_changes=NO_BASIS)


@pytest.mark.parametrize("series", ["", "  ", None])
def test_its_empty_series_name_is_refused(series) -> None:
    with pytest.raises(ValueError, match="series must be a non-empty series name"):
        price_event_study(_prices(), ["2021-06-01"], series=series)


def test_its_controls_as_one_string() -> None:
    p = _prices()
    a = price_event_study(p, ["2021-06-01"], series="potassium_chloride", controls="dap",
                          basis_changes=NO_BASIS)
    b = price_event_study(p, ["2021-06-01"], series="potassium_chloride", controls=["dap"],
                          basis_changes=NO_BASIS)
    pd.testing.assert_series_equal(a.params, b.params)


def test_log_price_panel_takes_one_string() -> None:
    p = _prices()
    a = log_price_panel(p, "dap")
    assert list(a.columns) == ["dap"]


# ======================================================================= synthetic control
def _wide() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    years = range(2010, 2024)
    w = pd.DataFrame({c: 100 + np.cumsum(rng.normal(0, 3, len(years)))
                      for c in ("BLR", "CAN", "RUS", "ISR", "DEU")}, index=list(years))
    return w


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda w: w.assign(CAN=w["CAN"].where(w.index != 2015, np.inf)),
         r"column 'CAN', row 2015: infinite value for unit 'CAN' in year 2015"),
        (lambda w: w.assign(BLR=w["BLR"].where(w.index != 2012, -np.inf)),
         r"column 'BLR', row 2012: infinite value"),
        (lambda w: pd.concat([w, w[["CAN"]]], axis=1),
         r"column 'CAN': the unit appears in two columns"),
        (lambda w: pd.concat([w, w.loc[[2015]]]), r"row 2015: the year 2015 appears in two rows"),
        (lambda w: w.assign(RUS=w["RUS"].astype(object).where(w.index != 2011, "n/a")),
         r"column 'RUS', row 2011: not a number: 'n/a'"),
        (lambda w: w.assign(BLR=w["BLR"].where(w.index != 2013)),
         r"treated unit 'BLR' has no value in years \[2013\]"),
    ],
)
def test_synthetic_control_refuses_bad_wide_tables(edit, message) -> None:
    with pytest.raises(PotashDataError, match=message):
        synthetic_control(edit(_wide()), treated="BLR", events=2022, placebos=False,
                          leave_one_out=False)


def test_synthetic_control_nan_donor_is_excluded_with_a_record() -> None:
    w = _wide()
    w.loc[2014, "DEU"] = np.nan
    res = synthetic_control(w, treated="BLR", events=2022, placebos=False, leave_one_out=False,
                            screen=False)
    ex = res.excluded
    assert (ex["exporter"] == "DEU").any()
    assert ex.loc[ex["exporter"] == "DEU", "reason"].str.contains("2014").all()


def test_synthetic_control_donors_as_one_string() -> None:
    with pytest.raises(PotashDataError, match=r"need at least 2 donors .*\['CAN'\]"):
        synthetic_control(_wide(), treated="BLR", events=2022, donors="CAN", placebos=False,
                          leave_one_out=False, screen=False)


def test_synthetic_control_trade_table_with_inf_is_refused() -> None:
    t = potash.load_trade("faostat")
    t = t.copy()
    i = t.index[(t["reporter_iso3"] == "CAN") & (t["product"] == "potassium_chloride")
                & (t["flow"] == "export") & (t["partner_iso3"] == "WLD")][0]
    t.loc[i, "quantity_t"] = np.inf
    with pytest.raises(PotashDataError, match=r"column 'quantity_t'.*infinite quantity_t for "
                                              r"exporter CAN"):
        synthetic_control(t, treated="BLR", events=2022, product="potassium_chloride",
                          placebos=False, leave_one_out=False)


@pytest.mark.parametrize(
    ("treated", "donors", "message"),
    [
        (np.array([1.0, np.nan, 3.0]), np.ones((3, 2)), "treated_pre has a non-finite value"),
        (np.array([1.0, 2.0, 3.0]), np.array([[1, 2], [np.inf, 1], [1, 1.0]]),
         "donors_pre has a non-finite value inf at row 1, donor column 0"),
        (np.array([1.0, 2.0]), np.ones((3, 2)), "treated_pre must be"),
    ],
)
def test_synth_weights_refuses_non_finite_and_shapes(treated, donors, message) -> None:
    with pytest.raises(ValueError, match=message):
        synth_weights(treated, donors)


# ============================================================================ hhi, mirror
def _shares() -> pd.DataFrame:
    return pd.DataFrame({"year": [2021, 2021, 2022], "country": ["A", "B", "A"],
                         "share": [0.5, 0.5, 1.0]})


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.assign(country=["A", "A", "A"]),
         r"column 'country', row 0: country 'A' appears 2 times in year 2021"),
        (lambda s: s.assign(share=[0.5, np.inf, 1.0]), r"column 'share', row 1: shares must be"),
        (lambda s: s.assign(share=[0.5, np.nan, 1.0]), r"column 'share', row 1: shares must be"),
        (lambda s: s.assign(share=[0.5, "half", 1.0]),
         r"column 'share', row 1: not a number: 'half'"),
        (lambda s: s.assign(share=[0.5, 0.4, 1.0]), r"sum to 0.900000, not 1"),
    ],
)
def test_hhi_refuses(edit, message) -> None:
    with pytest.raises(PotashDataError, match=message):
        hhi(edit(_shares()))


def _mirror_table() -> pd.DataFrame:
    return pd.DataFrame({"year": [2021, 2022, 2022], "period": ["2021", "2022", "2022"],
                         "reporter_iso3": ["BLR", "BRA", "CHN"],
                         "partner_iso3": ["BRA", "BLR", "BLR"],
                         "flow": ["export", "import", "import"], "product": "potassium_chloride",
                         "quantity_t": [10.0, 8.0, 5.0], "value_usd": [2000.0, 4400.0, 900.0]})


@pytest.mark.parametrize(
    ("col", "value", "message"),
    [
        ("quantity_t", np.inf, r"column 'quantity_t', row 2: impossible quantity_t inf for CHN"),
        ("value_usd", np.inf, r"column 'value_usd', row 2: impossible value_usd inf for CHN"),
        ("value_usd", np.nan, r"column 'value_usd', row 2: missing value_usd nan for CHN"),
        ("quantity_t", -1.0, r"column 'quantity_t', row 2: impossible quantity_t -1.0"),
    ],
)
def test_mirror_flows_refuses_non_finite(col, value, message) -> None:
    t = _mirror_table()
    t.loc[2, col] = value
    with pytest.raises(PotashDataError, match=message):
        mirror_flows(t, "BLR", cif_fob=1 / 1.1)


def test_mirror_flows_refuses_duplicated_country_rows() -> None:
    t = pd.concat([_mirror_table(), _mirror_table().iloc[[2]]])
    with pytest.raises(PotashDataError, match="duplicated rows .*'destination': 'CHN'"):
        mirror_flows(t, "BLR", cif_fob=1 / 1.1)


# ========================================================================== trade panel
def test_trade_event_study_defaults_say_which_option_to_set() -> None:
    with pytest.raises(RuntimeError, match=r"did not converge.*min_quantity=.*SETUP"):
        potash.trade_event_study(potash.load_trade("faostat"))


def test_trade_event_study_with_setup_converges() -> None:
    from potash.analyses.trade import SETUP

    res = potash.trade_event_study(potash.load_trade("faostat"), **SETUP)
    assert np.isfinite(float(res.params["treated_post"]))


# ============================================================================= Comtrade
BASE = {"reporterCode": 112, "partnerCode": 76, "flowCode": "X", "cmdCode": "310420",
        "refYear": 2021, "period": "2021", "netWgt": 1000.0, "primaryValue": 5.0, "motCode": 0,
        "customsCode": "C00", "partner2Code": 0, "mosCode": "0", "qtyUnitAbbr": "kg",
        "qty": 1000.0}


def test_comtrade_base_record_parses(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps({"data": [BASE]}))
    t = potash.load_trade("comtrade", tmp_path / "ok.json")
    assert t[["reporter_iso3", "partner_iso3", "year"]].values.tolist() == [["BLR", "BRA", 2021]]


@pytest.mark.parametrize(
    ("col", "value"),
    [("reporterCode", 112.5), ("partnerCode", 76.7), ("refYear", 2021.5), ("motCode", 0.5),
     ("partner2Code", 4.2), ("reporterCode", "BLR"), ("partnerCode", "x76"),
     ("refYear", "20x1")],
)
def test_comtrade_non_integer_codes(tmp_path: Path, col: str, value) -> None:
    bad = dict(BASE, **{col: value})
    (tmp_path / "c.json").write_text(json.dumps({"data": [BASE, bad]}))
    with pytest.raises(PotashDataError, match=rf"c.json, column '{col}', row 2: "
                                              r"(not a whole-number code|not a number)"):
        potash.load_trade("comtrade", tmp_path / "c.json")


# ================================================================================= BACI
@pytest.mark.parametrize("name", ["BACI_HS17_V202501.zip", "disguised.csv"])
def test_baci_zip_says_ingest_first(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("BACI_HS17_Y2022_V202501.csv", "t,i,j,k,v,q\n")
    with pytest.raises(PotashDataError, match=rf"{name}: this is a zip archive.*potash.ingest_baci"):
        potash.load_trade("baci", p)


# ========================================================================= Pink Sheet
_SERIES = ["Crude oil, Brent", "Natural gas, US", "Natural gas, Europe", "Phosphate rock", "DAP",
           "TSP", "Urea ", "Potassium chloride **"]


def _pink(path: Path, month: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Monthly Prices"
    ws["A1"] = "World Bank Commodity Price Data (The Pink Sheet)"
    for j, name in enumerate(_SERIES, start=2):
        ws.cell(row=5, column=j, value=name)
        ws.cell(row=6, column=j, value="($/mt)")
    for i, m in enumerate(["2026M03", month, "2026M05"], start=7):
        ws.cell(row=i, column=1, value=m)
        for j in range(2, len(_SERIES) + 2):
            ws.cell(row=i, column=j, value=float(100 * i + j))
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("month", "message"),
    [("2026M13", "month 13 in '2026M13' is not 1..12"), ("2026M00", "month 0"),
     ("9999M01", "year 9999 in '9999M01' is outside 1950..2100"),
     ("1815M03", "year 1815"), ("2026-04", "not a month in YYYYMmm form")],
)
def test_pink_sheet_bad_month_cells(tmp_path: Path, month: str, message: str) -> None:
    p = _pink(tmp_path / "pink.xlsx", month)
    with pytest.raises(PotashDataError, match=rf"pink.xlsx \[sheet 'Monthly Prices'\], "
                                              rf"column 'A8', row 8: {message}"):
        potash.load_prices(path=p)


# ============================================================================ event dates
@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["2021-01-01", "9999-01-01"], r"row 2: date '9999-01-01' is out of range"),
        (["1000-01-01"], r"row 1: date '1000-01-01' is out of range"),
        (["2021-01-01", "2600-05-05"], r"row 2: date '2600-05-05' is out of range"),
        ([pd.Timestamp("2022-01-01", tz="UTC")], r"row 1: timezone-aware date"),
        (["2021-01-01", ""], r"row 2: not a date: ''"),
        (["2021-02-30"], r"row 1: not a date: '2021-02-30'"),
    ],
)
def test_event_dates_out_of_range_or_tz_aware(dates, message) -> None:
    with pytest.raises(PotashDataError, match=rf"events, column 'date', {message}"):
        normalise_events(pd.DataFrame({"date": dates, "event_id": [f"e{i}" for i in
                                                                   range(len(dates))]}))


def test_event_dates_in_a_list_out_of_range() -> None:
    with pytest.raises(PotashDataError, match="row 1: date '9999-01-01' is out of range"):
        normalise_events(["9999-01-01"])


def test_event_study_event_out_of_pandas_range_is_named() -> None:
    r, m = _data()
    with pytest.raises(PotashDataError, match=r"events, column 'date', row 1: date '9999-01-01' "
                                              r"is out of range \(pandas holds"):
        event_study(r, m, ["9999-01-01"])


# ============================================================================ user paths
LOADERS = {
    "faostat": lambda p: potash.load_trade("faostat", p),
    "curated": lambda p: potash.load_trade("curated", p),
    "comtrade": lambda p: potash.load_trade("comtrade", p),
    "baci": lambda p: potash.load_trade("baci", p),
    "prices": lambda p: potash.load_prices(path=p),
    "events": lambda p: potash.load_events(path=p),
    "equity": lambda p: potash.load_equity_prices(path=p),
    "production": lambda p: potash.load_production("usgs", path=p),
}


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_missing_user_path_is_a_potash_error_naming_it(tmp_path: Path, loader: str) -> None:
    p = tmp_path / f"nope_{loader}.csv"
    with pytest.raises(PotashDataError, match=rf"nope_{loader}.csv: file not found"):
        LOADERS[loader](p)


@pytest.mark.parametrize("loader", ["faostat", "prices", "events", "comtrade", "curated"])
def test_folder_given_as_a_file(tmp_path: Path, loader: str) -> None:
    d = tmp_path / "a_folder"
    d.mkdir()
    with pytest.raises(PotashDataError, match="a_folder: is a folder, not a file"):
        LOADERS[loader](d)


@pytest.mark.parametrize("loader", ["faostat", "prices", "events", "comtrade"])
def test_unreadable_user_path(tmp_path: Path, loader: str, monkeypatch) -> None:
    p = tmp_path / f"locked_{loader}.csv"
    p.write_text("x\n")
    real_open = Path.open

    def deny(self, *a, **k):
        if self == p:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(PotashDataError, match=rf"locked_{loader}.csv: cannot read the file "
                                              r"\(permission denied\)"):
        LOADERS[loader](p)


def test_unwritable_processed_folder_says_what_to_do(monkeypatch) -> None:
    from potash.data import build

    def deny(name):
        raise PermissionError(13, "Permission denied", "/x/data/processed/events.parquet")

    monkeypatch.setattr(build, "write_table", deny)
    with pytest.raises(PotashDataError, match=r"permission denied\). Make the folder writable.*"
                                              r"builds its table in memory"):
        build.build_processed()


# ======================================================================= one name or many
@pytest.mark.parametrize(
    ("value", "expected"),
    [("NTR", ["NTR"]), (("NTR", "MOS"), ["NTR", "MOS"]), (pd.Index(["A"]), ["A"]),
     (np.array(["A", "B"]), ["A", "B"]), ({"A": 1}, ["A"])],
)
def test_as_names_accepts_one_or_many(value, expected) -> None:
    assert as_names(value, "x") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [("", r"x\[0\]: empty name ''"), ([""], r"x\[0\]: empty name"), (["A", " "], r"x\[1\]"),
     ([1], r"x\[0\]: a name must be a string, got int 1"), (None, "x: give a name"),
     (["A", "A"], "'A' is given twice"), ([], "no names given"), (5, "got int 5")],
)
def test_as_names_refuses(value, message) -> None:
    with pytest.raises(ValueError, match=message):
        as_names(value, "x")


def test_sanctions_event_study_takes_one_ticker_per_group() -> None:
    a = potash.sanctions_event_study(producers="NTR", contrast="CF", event_types="relief",
                                     n_placebo=0)
    b = potash.sanctions_event_study(producers=["NTR"], contrast=["CF"], event_types=["relief"],
                                     n_placebo=0)
    assert a.producers.data_quality["security"].unique().tolist() == ["NTR"]
    pd.testing.assert_frame_equal(a.producers.tests, b.producers.tests)


def test_event_ids_as_one_string() -> None:
    from potash.estimators.ppml import post_start_year

    ev = pd.DataFrame({"date": pd.to_datetime(["2021-08-09", "2022-02-01"]),
                       "event_id": ["us_eo14038", "klaipeda"], "type": "sanction"})
    assert post_start_year(ev, event_ids="klaipeda")[0] == 2023
    with pytest.raises(ValueError, match=r"event_ids not in the events table: \['klai'\]"):
        post_start_year(ev, event_ids=["klai"])


@pytest.mark.parametrize("events", [[1, 2], 3.5, "nonsense", None])
def test_post_start_year_refuses_what_is_not_a_year_date_or_table(events) -> None:
    from potash.estimators.ppml import post_start_year

    with pytest.raises(ValueError, match="give a year"):
        post_start_year(events)


def test_post_start_year_table_with_a_bad_date_names_the_row() -> None:
    from potash.core.errors import PotashDataError
    from potash.estimators.ppml import post_start_year

    ev = pd.DataFrame({"date": ["2021-08-09", "not a date"], "event_id": ["a", "b"]})
    with pytest.raises(PotashDataError, match="events table") as err:
        post_start_year(ev)
    assert "row" in str(err.value)
