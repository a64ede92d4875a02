"""Acceptance tests of the data layer on the real shipped data (issue 2)."""

from __future__ import annotations

import functools
import gzip
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

import potash
from potash.core.paths import raw_dir
from potash.data import basis_changes, load_trade, to_trading_day, trading_calendar

WB = raw_dir() / "worldbank_cmo"


@functools.lru_cache(maxsize=2)
def _rows(vintage: str) -> list[tuple]:
    wb = openpyxl.load_workbook(WB / f"vintage_{vintage}" / "CMO-Historical-Data-Monthly.xlsx",
                                read_only=True)
    rows = list(wb["Monthly Prices"].iter_rows(values_only=True))
    wb.close()
    return rows


def _cells(vintage: str, header: str) -> dict[str, object]:
    """Read one Pink Sheet column straight from the workbook (independent of the loader)."""
    rows = _rows(vintage)
    j = list(rows[4]).index(header)
    return {r[0]: r[j] for r in rows[6:] if isinstance(r[0], str) and "M" in r[0]}


def test_potash_every_month_and_equal_to_cells() -> None:
    p = potash.load_prices()
    k = p[p["series"] == "potassium_chloride"].set_index("date")["value"]
    months = pd.date_range("1960-01-01", "2026-05-01", freq="MS")
    assert k.index.equals(pd.DatetimeIndex(months, name="date"))
    assert k.loc["2026-05-01"] == 405.0
    cells = _cells("2026-06-02", "Potassium chloride **")
    expected = pd.Series({pd.Timestamp(int(m[:4]), int(m[5:]), 1): v for m, v in cells.items()})
    assert len(expected) == len(k)
    np.testing.assert_array_equal(k.to_numpy(), expected.sort_index().to_numpy(dtype=float))
    assert set(p.loc[p["series"] == "potassium_chloride", "unit"]) == {"$/mt"}


def test_may_vintage_has_codes_row_and_full_precision() -> None:
    p = potash.load_prices(vintage="2026-05-04")
    assert p["date"].max() == pd.Timestamp("2026-04-01")
    cells = _cells("2026-05-04", "Natural gas, Europe")
    ng = p[p["series"] == "natural_gas_europe"].set_index("date")["value"]
    assert ng.loc["2026-04-01"] == cells["2026M04"]
    # the text '…' is missing: no row, never NaN
    assert not p["value"].isna().any()
    urea = _cells("2026-05-04", "Urea ")
    missing = [m for m, v in urea.items() if v == "…"]
    got = p[p["series"] == "urea"]["date"].dt.strftime("%YM%m")
    assert not set(missing) & set(got)


def test_unknown_vintage_and_source() -> None:
    with pytest.raises(ValueError, match="2020-01-01"):
        potash.load_prices(vintage="2020-01-01")
    with pytest.raises(ValueError, match="'worldbank'"):
        potash.load_prices("bloomberg")  # type: ignore[arg-type]


def test_basis_changes() -> None:
    b = basis_changes()
    assert b.set_index("series")["date"].to_dict() == {
        "potassium_chloride": pd.Timestamp("2020-01-01"), "urea": pd.Timestamp("2022-03-01")}


def test_retail_prices() -> None:
    u = potash.load_prices("usda")
    assert set(u["unit"]) == {"USD/short ton"}
    il = u[u["series"] == "potash_retail_illinois_white_0_0_62"]
    assert len(il) == 52
    e = potash.load_prices("ecuador")
    kcl = e[e["series"] == "potassium_chloride_retail_ecuador"].set_index("date")["value"]
    assert set(e["unit"]) == {"USD/50 kg bag"}
    assert round(kcl.loc["2021-01-01"], 1) == 21.5
    assert round(kcl.loc["2024-08-01"], 1) == 28.8


def test_events_all_53() -> None:
    ev = potash.load_events()
    raw = pd.read_csv(raw_dir() / "events" / "sanctions_events.csv")
    assert len(ev) == 53 == len(raw)
    assert ev["event_id"].is_unique
    assert ev["date"].dtype == "datetime64[ns]"
    assert set(ev["event_id"]) == set(raw["event_id"])


def test_to_trading_day_relief_date() -> None:
    cal = trading_calendar()
    out = to_trading_day(["2025-12-13"], cal)
    assert out["trading_date"].iloc[0] == pd.Timestamp("2025-12-15")
    assert out["shift_days"].iloc[0] == 2
    prev = to_trading_day(["2025-12-13"], cal, policy="previous")
    assert prev["trading_date"].iloc[0] == pd.Timestamp("2025-12-12")
    assert prev["shift_days"].iloc[0] == -1
    with pytest.raises(ValueError, match="outside the trading calendar"):
        to_trading_day(["2030-01-01"], cal)
    with pytest.raises(ValueError, match="policy"):
        to_trading_day(["2025-12-13"], cal, policy="nearest")  # type: ignore[arg-type]


def test_equity_partial_day_dropped_and_reported() -> None:
    px, dropped = potash.load_equity_prices(return_dropped=True)
    assert px["date"].max() == pd.Timestamp("2026-07-13")
    raw_last = {f.stem: f.read_text().strip().splitlines()[-1].split(",")[0]
                for f in (raw_dir() / "yahoo_adjclose_dsturdy").glob("*.csv")}
    assert sorted(dropped["ticker"]) == sorted(t for t, d in raw_last.items() if d == "2026-07-14")
    assert dropped["reason"].str.contains("partial trading day").all()
    ntr = px[px["ticker"] == "NTR"].set_index("date")["adj_close"]
    assert len(ntr) == 2143 - 1


def test_to_returns_hand_calculation() -> None:
    px = pd.DataFrame({
        "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04",
                                "2024-01-02", "2024-01-04"]),
        "ticker": ["A", "A", "A", "B", "B"],
        "adj_close": [100.0, 105.0, 102.9, 50.0, 55.0]})
    r = potash.to_returns(px)
    assert list(r.columns) == ["A", "B"]
    assert r.loc["2024-01-03", "A"] == pytest.approx(0.05)
    assert r.loc["2024-01-04", "A"] == pytest.approx(-0.02)
    assert np.isnan(r.loc["2024-01-03", "B"])  # no filling
    assert r.loc["2024-01-04", "B"] == pytest.approx(0.10)  # two-day return on the later date
    lr = potash.to_returns(px, kind="log")
    assert lr.loc["2024-01-04", "B"] == pytest.approx(np.log(1.1))


def _fao_raw() -> pd.DataFrame:
    with gzip.open(raw_dir() / "faostat_agdata" / "agData_FAO_Fertilizers_potash.csv.gz") as fh:
        return pd.read_csv(io.BytesIO(fh.read()))


def test_faostat_reproduces_shipped_file() -> None:
    t, excluded = load_trade("faostat", return_excluded=True)
    raw = _fao_raw()
    raw["m"] = raw["Measurement"].str.lower()
    mop = raw[(raw["Item"] == "Potassium chloride (muriate of potash) (MOP)")
              & (raw["m"] == "export quantity")]
    # no aggregate counted as a country
    assert not t["reporter_iso3"].isna().any()
    assert set(excluded["area"]) >= {"World", "European Union (27)", "Europe (excluding intra-trade)"}
    # every country row equals the file's cell, and each kept value came from a country row
    blr = mop[mop["Area"] == "Belarus"].set_index("Year")["Value"]
    got = t[(t["reporter_iso3"] == "BLR") & (t["product"] == "potassium_chloride")
            & (t["flow"] == "export")].set_index("year")["quantity_t"]
    pd.testing.assert_series_equal(got.loc[blr.index], blr, check_names=False, check_index_type=False)
    countries = mop[~mop["Area"].isin(set(excluded["area"]))]
    tot_raw = countries.groupby("Year")["Value"].sum()
    kept = t[(t["product"] == "potassium_chloride") & (t["flow"] == "export")]
    tot = kept.groupby("year")["quantity_t"].sum()
    pd.testing.assert_series_equal(tot, tot_raw, check_names=False, check_index_type=False)
    # Belarus share of MOP exports 2021 -> 2022 (SOURCE.md: 19.1% -> 8.7%)
    share = kept[kept["reporter_iso3"] == "BLR"].set_index("year")["quantity_t"] / tot
    assert round(share.loc[2021] * 100, 1) == 19.1
    assert round(share.loc[2022] * 100, 1) == 8.7
    # value in USD (file: 1000 USD)
    v = raw[(raw["Area"] == "Belarus") & (raw["Year"] == 2021) & (raw["m"] == "export value")
            & (raw["Item"] == "Potassium chloride (muriate of potash) (MOP)")]["Value"].iloc[0]
    gv = t[(t["reporter_iso3"] == "BLR") & (t["product"] == "potassium_chloride")
           & (t["flow"] == "export") & (t["year"] == 2021)]["value_usd"].iloc[0]
    assert gv == v * 1000


def test_faostat_nutrient_world_is_sum_of_countries() -> None:
    t, excluded = load_trade("faostat", return_excluded=True)
    raw = _fao_raw()
    world = raw[(raw["Area"] == "World") & (raw["Item"] == "Nutrient potash K2O (total)")
                & (raw["Measurement"] == "Import quantity")].set_index("Year")["Value"]
    k = t[(t["product"] == "potash_k2o") & (t["flow"] == "import")]
    chn = raw[(raw["Area"] == "China") & (raw["Item"] == "Nutrient potash K2O (total)")
              & (raw["Measurement"] == "Import quantity")].set_index("Year")["Value"]
    # FAO 'China' (code 351) is an aggregate of mainland+HK+Macao+Taiwan: excluded, reported
    assert "China" in set(excluded["area"])
    assert "CHN" not in set(k["reporter_iso3"])
    s = k.groupby("year")["quantity_t"].sum()
    # countries (with Taiwan and Hong Kong, without mainland China) + FAO China ~ World
    y = 2018
    approx = s.loc[y] + chn.loc[y] - k[(k["year"] == y) & k["reporter_iso3"].isin(["TWN", "HKG", "MAC"])][
        "quantity_t"].sum()
    assert approx == pytest.approx(world.loc[y], rel=0.02)


def test_faostat_ui_layout_china_mainland_with_flags() -> None:
    path = raw_dir() / "faostat_one_datadive" / "fertiliser_products_fao.csv"
    t, excluded = load_trade("faostat", path=path, return_excluded=True)
    chn = t[(t["reporter_iso3"] == "CHN") & (t["product"] == "potassium_chloride")
            & (t["flow"] == "import")].set_index("year")
    assert round(chn.loc[2018, "quantity_t"] / 1e6, 2) == 7.49
    assert round(chn.loc[2019, "quantity_t"] / 1e6, 2) == 9.12
    blr = t[(t["reporter_iso3"] == "BLR") & (t["product"] == "potassium_chloride")
            & (t["flow"] == "export")].set_index("year")
    assert round(blr.loc[2018, "quantity_t"]) == 9458033
    assert blr.loc[2018, "flag"].split("|")[0] == "X"
    assert blr.loc[2019, "flag"].split("|")[0] == "Qm"
    assert not t["reporter_iso3"].isna().any()
    nut, ex_n = load_trade("faostat", path=path.with_name("fertiliser_nutrients_fao.csv"),
                           return_excluded=True)
    assert "China" in set(ex_n["area"])  # FAO code 351, the aggregate
    k = nut[(nut["reporter_iso3"] == "CHN") & (nut["product"] == "potash_k2o")
            & (nut["flow"] == "import")].set_index("year")
    assert k.loc[2018, "quantity_t"] == pytest.approx(4768041.24)


def test_production_sources_and_bases() -> None:
    p, excluded = potash.load_production(return_excluded=True)
    assert set(p["basis"]) == {"K2O", "product"}
    usgs = p[p["source"] == "usgs_mcs2026"].set_index(["country_iso3", "year"])["quantity_t"]
    assert usgs.loc[("BLR", 2024)] == 5_000_000 and usgs.loc[("CAN", 2025)] == 15_000_000
    assert usgs.loc[("CHN", 2024)] == 6_300_000
    # world total 46,700 kt: excluded, and the 13 countries + "Other countries" add up to it
    assert {"World total (rounded)", "Other countries", "Total"} <= set(excluded["area"])
    assert usgs.xs(2024, level="year").sum() + 350_000 == pytest.approx(46_700_000, rel=0.01)
    wmd = p[p["source"] == "wmd2017"].set_index(["country_iso3", "year"])["quantity_t"]
    assert wmd.loc[("BLR", 2015)] == 6_468_000 and wmd.loc[("RUS", 2015)] == 6_840_000
    fao = p[p["source"] == "faostat"]
    mop = fao[fao["product"] == "potassium_chloride"]
    assert set(mop["basis"]) == {"product"}
    k2o = fao[fao["product"] == "potash"]
    assert set(k2o["basis"]) == {"K2O"}
    blr = k2o[(k2o["country_iso3"] == "BLR") & (k2o["year"] == 2021)]["quantity_t"].iloc[0]
    assert blr == 7_562_153  # carried forward by FAO 2020-2023 (SOURCE.md)


def test_k2o_conversion() -> None:
    from potash.data import K2O_CONTENT, convert_basis, k2o_to_kcl, kcl_to_k2o

    assert K2O_CONTENT["pure"] == pytest.approx(0.6317, abs=1e-4)
    assert kcl_to_k2o(100.0) == 60.0 and k2o_to_kcl(62.0, "white") == pytest.approx(100.0)
    p = potash.load_production("usgs")
    back = convert_basis(convert_basis(p, "product"), "K2O")
    pd.testing.assert_series_equal(back["quantity_t"], p["quantity_t"])
    fao = potash.load_production("faostat")
    with pytest.raises(potash.PotashDataError, match="potassium_sulphate"):
        convert_basis(fao[fao["product"] == "potassium_sulphate"], "K2O")
