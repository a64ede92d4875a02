"""Tests of potash.analyses.market: analytic truths, hand calculations, properties and bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import potash
from potash import PotashDataError
from potash.analyses.market import (
    buyer_mix,
    hhi,
    import_shares,
    market_shares,
    mirror_flows,
    share_shift,
    unit_values,
)

ROOT = Path(__file__).resolve().parents[1]
FAO_MOP = ROOT / "data" / "raw" / "faostat_agdata" / "agData_FAO_Fertilizers_MOP.csv"
KCL = "potassium_chloride"


def tidy(
    rows: list[tuple],
    cols=("year", "reporter_iso3", "partner_iso3", "flow", "quantity_t", "value_usd"),
) -> pd.DataFrame:
    """Small tidy trade table from tuples (product = potassium_chloride)."""
    df = pd.DataFrame(rows, columns=list(cols))
    df["product"] = KCL
    if "period" not in df.columns:
        df["period"] = df["year"].astype(str)
    return df


# --------------------------------------------------------------------------- hand calculations
def test_market_shares_hand_calculation_and_excluded_aggregates():
    t = tidy(
        [
            (2021, "BLR", "WLD", "export", 20.0, 1.0),
            (2021, "CAN", "WLD", "export", 50.0, 1.0),
            (2021, "RUS", "WLD", "export", 30.0, 1.0),
            (2021, "WLD", "WLD", "export", 500.0, 1.0),  # an aggregate row must not be summed
            (2021, "BLR", "CHN", "export", 5.0, 1.0),  # bilateral row: totals are used
            (2021, "BRA", "WLD", "import", 70.0, 1.0),
        ]
    )
    ms = market_shares(t)
    tab = ms.table.set_index("reporter_iso3")
    assert tab.loc["BLR", "share"] == pytest.approx(0.20)
    assert tab.loc["CAN", "share"] == pytest.approx(0.50)
    w = ms.world.iloc[0]
    assert w["world_total"] == 100.0 and w["n_countries"] == 3
    assert w["countries"] == "BLR CAN RUS"
    assert set(ms.excluded["reason"]) == {
        "aggregate code, not a country",
        "bilateral row; country totals used",
    }
    assert ms.share_of("BLR").to_dict() == {2021: pytest.approx(0.2)}


def test_market_shares_bilateral_only_sums_partners():
    t = tidy(
        [
            (2022, "BLR", "CHN", "export", 3.0, 1.0),
            (2022, "BLR", "IND", "export", 1.0, 1.0),
            (2022, "CAN", "USA", "export", 4.0, 1.0),
        ]
    )
    tab = market_shares(t).table.set_index("reporter_iso3")
    assert tab.loc["BLR", "value"] == 4.0 and tab.loc["BLR", "share"] == 0.5


def test_market_shares_value_measure_and_products_never_added():
    t = tidy(
        [(2021, "BLR", "WLD", "export", 1.0, 300.0), (2021, "CAN", "WLD", "export", 1.0, 100.0)]
    )
    k2o = t.assign(product="potash_k2o", value_usd=[100.0, 100.0])
    both = pd.concat([t, k2o], ignore_index=True)
    ms = market_shares(both, measure="value_usd")
    assert len(ms.world) == 2  # one world total per product
    kcl = ms.table[ms.table["product"] == KCL].set_index("reporter_iso3")
    assert kcl.loc["BLR", "share"] == 0.75
    assert set(market_shares(both, products=KCL).table["product"]) == {KCL}


def test_import_shares_hand_calculation():
    t = tidy(
        [
            (2023, "BRA", "WLD", "import", 13.0, 1.0),
            (2023, "USA", "WLD", "import", 7.0, 1.0),
            (2023, "BLR", "WLD", "export", 99.0, 1.0),
        ]
    )
    tab = import_shares(t).table.set_index("reporter_iso3")
    assert tab.loc["BRA", "share"] == pytest.approx(0.65)
    assert "BLR" not in tab.index


def test_hhi_hand_calculation():
    s = pd.DataFrame({"year": [2021] * 3, "country": ["A", "B", "C"], "share": [0.5, 0.3, 0.2]})
    assert hhi(s)["hhi"].iloc[0] == pytest.approx(2500 + 900 + 400)


def test_unit_values_hand_calculation():
    t = tidy(
        [
            (2022, "BLR", "WLD", "export", 100.0, 30_000.0),  # 300 $/t
            (2022, "CAN", "WLD", "export", 200.0, 100_000.0),  # 500 $/t
            (2022, "RUS", "WLD", "export", 100.0, 40_000.0),  # 400 $/t
            (2022, "BLR", "CHN", "export", 50.0, 12_500.0),  # 250 $/t to China
            (2022, "ISR", "WLD", "export", 0.0, 10.0),  # no tonnes: excluded, reported
        ]
    )
    uv = unit_values(t)
    d = uv.discount.set_index("benchmark")
    assert d.loc["CAN", "uv_exporter"] == 300.0
    assert d.loc["CAN", "discount_pct"] == pytest.approx(-40.0)
    world = (30_000 + 100_000 + 40_000) / 400.0
    assert d.loc["world", "uv_benchmark"] == pytest.approx(world)
    assert d.loc["world", "gap_usd_t"] == pytest.approx(300.0 - world)
    bil = uv.table[(uv.table["partner_iso3"] == "CHN")]
    assert bil["unit_value"].tolist() == [250.0]
    assert uv.excluded["reporter_iso3"].tolist() == ["ISR"]


def test_buyer_mix_never_adds_periods_of_different_length():
    t = tidy(
        [
            ("2021", 2021, "BLR", "CHN", "export", 6.0),
            ("2021", 2021, "BLR", "IND", "export", 2.0),
            ("2021", 2021, "BLR", "WLD", "export", 10.0),
            ("2021-Q1", 2021, "BLR", "CHN", "export", 1.0),
            ("2024-01/2024-08", 2024, "BRA", "BLR", "import", 3.0),  # importer-reported
            ("2024-01/2024-08", 2024, "CHN", "BLR", "import", 1.0),
        ],
        cols=("period", "year", "reporter_iso3", "partner_iso3", "flow", "quantity_t"),
    )
    b = buyer_mix(t)
    assert set(zip(b["period"], b["n_months"], strict=True)) == {
        ("2021", 12),
        ("2021-Q1", 3),
        ("2024-01/2024-08", 8),
    }
    assert b.groupby("period")["share_listed"].sum().tolist() == pytest.approx([1, 1, 1])
    y = b[b["period"] == "2021"].set_index("destination")
    assert y.loc["CHN", "share_listed"] == 0.75 and y.loc["CHN", "share_total"] == 0.6
    q = b[b["period"] == "2021-Q1"]
    assert q["value"].tolist() == [1.0] and q["share_total"].isna().all()  # no Q1 total
    m = b[b["period"] == "2024-01/2024-08"].set_index("destination")
    assert m.loc["BRA", "share_listed"] == 0.75
    assert set(m["side"]) == {"importer-reported"}


def test_mirror_flows_hand_calculation():
    t = tidy(
        [
            (2021, "BLR", "BRA", "export", 10.0, 3000.0),  # reported by Belarus
            (2021, "BRA", "BLR", "import", 11.0, 3500.0),  # same flow mirrored: must not be used
            (2022, "BRA", "BLR", "import", 8.0, 4400.0),
            (2022, "CHN", "BLR", "import", 5.0, 2200.0),
        ]
    )
    m = mirror_flows(t, "BLR", cif_fob=1 / 1.1)
    assert len(m) == 3
    r21 = m[m["year"] == 2021].iloc[0]
    assert (r21["value_usd"], r21["quantity_t"], r21["mirrored"]) == (3000.0, 10.0, False)
    r22 = m[m["year"] == 2022].set_index("partner_iso3")
    assert r22.loc["BRA", "value_usd"] == pytest.approx(4000.0)
    assert r22.loc["BRA", "value_usd_cif"] == 4400.0
    assert (r22["flag"] == "mirror").all() and r22["mirrored"].all()
    assert (m["reporter_iso3"] == "BLR").all() and (m["flow"] == "export").all()


# --------------------------------------------------------------------------- properties
_countries = st.lists(
    st.sampled_from(["BLR", "CAN", "RUS", "ISR", "JOR", "DEU", "LAO", "CHL"]),
    min_size=1,
    max_size=8,
    unique=True,
)


@st.composite
def trade_tables(draw):
    rows = []
    for year in draw(st.lists(st.integers(2000, 2025), min_size=1, max_size=4, unique=True)):
        for c in draw(_countries):
            q = draw(st.floats(1e-3, 1e8, allow_nan=False, allow_infinity=False))
            rows.append((year, c, "WLD", "export", q, q * 300.0))
    return tidy(rows)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trade_tables())
def test_property_shares_sum_to_one_per_year(t):
    ms = market_shares(t)
    sums = ms.table.groupby("year")["share"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)
    h = hhi(ms)
    assert ((h["hhi"] > 0) & (h["hhi"] <= 10_000 + 1e-6)).all()


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 40), st.floats(1e-3, 1e9, allow_nan=False))
def test_property_hhi_of_n_equal_exporters(n, q):
    t = tidy([(2022, f"C{i:02d}", "WLD", "export", q, q) for i in range(n)])
    h = hhi(market_shares(t))
    assert h["hhi"].iloc[0] == pytest.approx(10_000 / n, rel=1e-9)
    assert h["n_countries"].iloc[0] == n


def test_hhi_single_exporter_is_10000():
    t = tidy([(2022, "CAN", "WLD", "export", 5.0, 1.0)])
    assert hhi(market_shares(t))["hhi"].tolist() == [10_000.0]


@settings(max_examples=12, deadline=None)
@given(trade_tables(), trade_tables())
def test_property_share_shift_sums_to_zero(a, b):
    a = a[a["year"] == a["year"].min()].assign(year=2021, period="2021")
    b = b[b["year"] == b["year"].min()].assign(year=2023, period="2023")
    s = share_shift(pd.concat([a, b], ignore_index=True), 2021, [2023])
    assert abs(s["share_change"].sum()) < 1e-12
    assert s["value_change"].sum() == pytest.approx(b["quantity_t"].sum() - a["quantity_t"].sum())


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([2020, 2021, 2022, 2023]),
            st.sampled_from(["BRA", "CHN", "IND", "USA", "POL"]),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=20,
        unique_by=lambda x: (x[0], x[1]),
    ),
    st.floats(0.5, 1.0),
)
def test_property_mirror_flows_flags_and_never_mixes(flows, factor):
    rows = []
    for year, dest, reported, mirrored in flows:
        if reported:
            rows.append((year, "BLR", dest, "export", 10.0, 1000.0))
        if mirrored or not reported:
            rows.append((year, dest, "BLR", "import", 12.0, 1200.0))
    m = mirror_flows(tidy(rows), "BLR", cif_fob=factor)
    assert not m.duplicated(["year", "partner_iso3"]).any()  # one value per flow
    assert len(m) == len(flows)
    assert (m["mirrored"] == (m["flag"] == "mirror")).all()
    np.testing.assert_allclose(m.loc[m["mirrored"], "value_usd"], 1200.0 * factor)
    assert (m.loc[~m["mirrored"], "value_usd"] == 1000.0).all()
    reported = {(y, d) for y, d, r, _ in flows if r}
    got = set(
        zip(m.loc[~m["mirrored"], "year"], m.loc[~m["mirrored"], "partner_iso3"], strict=True)
    )
    assert got == reported


# --------------------------------------------------------------------------- bad input
def test_missing_columns_clear_error():
    t = tidy([(2021, "BLR", "WLD", "export", 1.0, 1.0)]).drop(columns=["quantity_t"])
    with pytest.raises(PotashDataError, match="missing column.*quantity_t"):
        market_shares(t)
    with pytest.raises(PotashDataError, match="missing column"):
        unit_values(t)
    with pytest.raises(PotashDataError, match="DataFrame"):
        market_shares([1, 2, 3])


def test_year_with_no_data_clear_error():
    t = tidy([(2021, "BLR", "WLD", "export", 1.0, 1.0), (2022, "BLR", "WLD", "export", 1.0, 1.0)])
    with pytest.raises(PotashDataError, match=r"no export data for year\(s\) \[2030\]"):
        market_shares(t, years=[2030])
    with pytest.raises(PotashDataError, match="2019"):
        share_shift(t, 2019, [2022])


def test_unknown_exporter_clear_error():
    t = tidy([(2021, "BLR", "WLD", "export", 1.0, 1.0), (2021, "BLR", "CHN", "export", 1.0, 1.0)])
    with pytest.raises(PotashDataError, match="'XXX'"):
        unit_values(t, exporter="XXX")
    with pytest.raises(PotashDataError, match="'XXX'"):
        buyer_mix(t, exporter="XXX")
    with pytest.raises(PotashDataError, match="'XXX'"):
        mirror_flows(t, "XXX", cif_fob=0.9)
    with pytest.raises(PotashDataError, match="'XXX'"):
        market_shares(t).share_of("XXX")
    with pytest.raises(PotashDataError, match="benchmark 'NOR'"):
        unit_values(t, benchmarks=["NOR"])


def test_bad_arguments():
    t = tidy([(2021, "BLR", "WLD", "export", 1.0, 1.0)])
    with pytest.raises(ValueError, match="flow='exports' is not allowed"):
        market_shares(t, flow="exports")
    with pytest.raises(TypeError):
        mirror_flows(t, "BLR")  # the CIF->FOB factor must be given explicitly
    with pytest.raises(ValueError, match="cif_fob"):
        mirror_flows(t, "BLR", cif_fob=1.1)
    with pytest.raises(PotashDataError, match="product"):
        market_shares(t, products="urea")
    dup = pd.concat([t, t], ignore_index=True)
    with pytest.raises(PotashDataError, match="duplicated"):
        market_shares(dup)
    with pytest.raises(PotashDataError, match="no rows with flow == 'import'"):
        market_shares(t, flow="import")
    bad = pd.DataFrame({"year": [2021, 2021], "country": ["A", "B"], "share": [0.5, 0.2]})
    with pytest.raises(PotashDataError, match="sum to"):
        hhi(bad)


# --------------------------------------------------------------------------- shipped FAOSTAT data
#: FAOSTAT aggregates in the MOP file (hand-listed from the file's Area column).
FAO_AGGREGATES = {
    "Africa (excluding intra-trade)",
    "Americas (excluding intra-trade)",
    "Asia (excluding intra-trade)",
    "Australia and New Zealand (excluding intra-trade)",
    "Caribbean (excluding intra-trade)",
    "Central America (excluding intra-trade)",
    "Central Asia (excluding intra-trade)",
    "Eastern Africa (excluding intra-trade)",
    "Eastern Asia (excluding intra-trade)",
    "Eastern Europe (excluding intra-trade)",
    "Europe (excluding intra-trade)",
    "European Union (27) (excluding intra-trade)",
    "European Union (28) (excluding intra-trade)",
    "Land Locked Developing Countries (excluding intra-trade)",
    "Least Developed Countries (excluding intra-trade)",
    "Low Income Food Deficit Countries (excluding intra-trade)",
    "Melanesia (excluding intra-trade)",
    "Micronesia (excluding intra-trade)",
    "Middle Africa (excluding intra-trade)",
    "Net Food Importing Developing Countries (excluding intra-trade)",
    "Northern Africa (excluding intra-trade)",
    "Northern America (excluding intra-trade)",
    "Northern Europe (excluding intra-trade)",
    "Oceania (excluding intra-trade)",
    "Polynesia (excluding intra-trade)",
    "Small Island Developing States (excluding intra-trade)",
    "South America (excluding intra-trade)",
    "South-Eastern Asia (excluding intra-trade)",
    "Southern Africa (excluding intra-trade)",
    "Southern Asia (excluding intra-trade)",
    "Southern Europe (excluding intra-trade)",
    "Western Africa (excluding intra-trade)",
    "Western Asia (excluding intra-trade)",
    "Western Europe (excluding intra-trade)",
    "World",
}


def _hand_blr_share() -> dict[int, float]:
    """Belarus / sum of countries, MOP export quantity, read with the csv module."""
    blr: dict[int, float] = {}
    world: dict[int, float] = {}
    with FAO_MOP.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Measurement"] != "Export quantity" or row["Area"] in FAO_AGGREGATES:
                continue
            if row["Value"] == "":
                continue
            y = int(row["Year"])
            world[y] = world.get(y, 0.0) + float(row["Value"])
            if row["Area"] == "Belarus":
                blr[y] = float(row["Value"])
    return {y: blr[y] / world[y] for y in (2021, 2022, 2023)}


def test_aggregate_list_covers_the_file():
    areas = {r["Area"] for r in csv.DictReader(FAO_MOP.open(encoding="utf-8"))}
    assert {a for a in areas if "excluding intra-trade" in a} <= FAO_AGGREGATES


def test_belarus_share_faostat_matches_hand_calculation():
    hand = _hand_blr_share()
    assert hand[2021] == pytest.approx(0.19, abs=0.01)
    assert hand[2022] == pytest.approx(0.09, abs=0.01)
    assert hand[2023] == pytest.approx(0.09, abs=0.01)
    ms = market_shares(potash.load_trade("faostat"), products=KCL, years=[2021, 2022, 2023])
    got = ms.share_of("BLR")
    for y in (2021, 2022, 2023):
        assert 100 * got[y] == pytest.approx(100 * hand[y], abs=0.1)


def test_belarus_share_from_raw_rows_matches_hand_calculation():
    """Package computation on the raw FAOSTAT rows put in the tidy schema here (area names as
    country keys, aggregates dropped by the explicit list), independent of the data layer."""
    raw = pd.read_csv(FAO_MOP)
    raw = raw[(raw["Measurement"] == "Export quantity") & ~raw["Area"].isin(FAO_AGGREGATES)]
    trade = pd.DataFrame(
        {
            "year": raw["Year"],
            "period": raw["Year"].astype(str),
            "reporter_iso3": raw["Area"],
            "partner_iso3": "WLD",
            "flow": "export",
            "product": KCL,
            "quantity_t": raw["Value"],
        }
    )
    got = market_shares(trade, years=[2021, 2022, 2023]).share_of("Belarus")
    hand = _hand_blr_share()
    for y in (2021, 2022, 2023):
        assert 100 * got[y] == pytest.approx(100 * hand[y], abs=0.1)
    assert 100 * got[2021] == pytest.approx(19.1, abs=0.1)
    assert 100 * got[2022] == pytest.approx(8.7, abs=0.1)
    assert 100 * got[2023] == pytest.approx(9.1, abs=0.1)


def test_faostat_world_is_sum_over_countries_not_aggregates():
    ms = market_shares(potash.load_trade("faostat"), products=KCL, years=[2021])
    w = ms.world.iloc[0]
    hand = sum(
        float(r["Value"])
        for r in csv.DictReader(FAO_MOP.open(encoding="utf-8"))
        if r["Measurement"] == "Export quantity"
        and r["Year"] == "2021"
        and r["Area"] not in FAO_AGGREGATES
        and r["Value"] != ""
    )
    assert w["world_total"] == pytest.approx(hand, rel=1e-9)
    assert "BLR" in w["countries"].split() and "WLD" not in w["countries"].split()


def test_buyer_mix_on_shipped_curated_table():
    cur = potash.load_trade("curated")
    b = buyer_mix(cur, "BLR", products=KCL)
    row = b[(b["period"] == "2020") & (b["destination"] == "BRA")].iloc[0]
    # 3.0 Mt to Brazil (news) over Belarus's own 2020 total of 11,758,388 t (Belstat row)
    assert row["share_total"] == pytest.approx(3_000_000 / 11_758_388)
    assert (b.groupby(["period_start", "period_end"])["share_listed"].sum() == 1.0).all()
    assert set(b["product"]) == {KCL}
    # the Jan-Aug and monthly China value rows have no tonnes: not in a quantity mix
    assert not ((b["destination"] == "CHN") & (b["n_months"] == 8)).any()


def test_buyer_mix_refuses_to_add_two_sources_for_one_flow():
    t = tidy(
        [
            (2021, "BLR", "CHN", "export", 3.0, 1.0),
            (2021, "BLR", "CHN", "export", 3.1, 1.0),
        ]
    )
    with pytest.raises(PotashDataError, match="never add"):
        buyer_mix(t)


def test_mirror_flows_marks_overlapping_periods():
    t = tidy(
        [
            ("2024-Q1", 2024, "BLR", "CHN", "export", 758.0, 1.0),
            ("2024-01/2024-08", 2024, "CHN", "BLR", "import", 2000.0, 11.0),
            ("2024-Q1", 2024, "BRA", "BLR", "import", 50.0, 11.0),
        ],
        cols=("period", "year", "reporter_iso3", "partner_iso3", "flow", "quantity_t", "value_usd"),
    )
    m = mirror_flows(t, "BLR", cif_fob=1.0).set_index(["period", "partner_iso3"])
    assert m.loc[("2024-01/2024-08", "CHN"), "overlaps_reported"]
    assert not m.loc[("2024-Q1", "BRA"), "overlaps_reported"]
    assert not m.loc[("2024-Q1", "CHN"), "mirrored"]


def test_share_of_needs_product_when_several():
    t = tidy([(2021, "BLR", "WLD", "export", 1.0, 1.0)])
    both = pd.concat([t, t.assign(product="potash_k2o")], ignore_index=True)
    with pytest.raises(ValueError, match="product="):
        market_shares(both).share_of("BLR")
    assert market_shares(both).share_of("BLR", product=KCL).tolist() == [1.0]


def test_summary_text_reports_what_was_not_summed():
    t = tidy(
        [(2021, "BLR", "WLD", "export", 1.0, 1.0), (2021, "CAN", "WLD", "export", np.nan, 1.0)]
    )
    text = str(market_shares(t))
    assert "Market shares" in text and "1 rows missing quantity_t" in text
    assert "<table" in market_shares(t)._repr_html_()


def _hand_fao(measure: str, year: str) -> dict[str, float]:
    """Country -> value of one FAOSTAT MOP measure and year, read with the csv module."""
    out: dict[str, float] = {}
    for r in csv.DictReader(FAO_MOP.open(encoding="utf-8")):
        if (
            r["Measurement"] == measure
            and r["Year"] == year
            and r["Value"] != ""
            and r["Area"] not in FAO_AGGREGATES
        ):
            out[r["Area"]] = float(r["Value"])
    return out


def test_unit_value_discount_faostat_matches_hand_calculation():
    uv = unit_values(potash.load_trade("faostat"), products=KCL)
    d = uv.discount[uv.discount["year"] == 2022].set_index("benchmark")
    q, v = _hand_fao("Export quantity", "2022"), _hand_fao("Export value", "2022")
    blr = 1000 * v["Belarus"] / q["Belarus"]  # value in 1000 USD
    can = 1000 * v["Canada"] / q["Canada"]
    both = [a for a in q if a in v and q[a] > 0 and v[a] > 0]
    world = 1000 * sum(v[a] for a in both) / sum(q[a] for a in both)
    assert d.loc["CAN", "uv_exporter"] == pytest.approx(blr, rel=1e-9)
    assert d.loc["CAN", "uv_benchmark"] == pytest.approx(can, rel=1e-9)
    assert d.loc["world", "uv_benchmark"] == pytest.approx(world, rel=1e-9)
    assert d.loc["CAN", "discount_pct"] == pytest.approx(100 * (blr / can - 1), rel=1e-9)


def test_share_shift_faostat_matches_hand_calculation():
    s = share_shift(potash.load_trade("faostat"), 2021, [2022], products=KCL)
    assert abs(s["share_change"].sum()) < 1e-12
    q21, q22 = _hand_fao("Export quantity", "2021"), _hand_fao("Export quantity", "2022")
    hand = 100 * (q22["Belarus"] / sum(q22.values()) - q21["Belarus"] / sum(q21.values()))
    blr = s.set_index("reporter_iso3").loc["BLR", "share_change_pp"]
    assert blr == pytest.approx(hand, abs=1e-9)
    assert s.iloc[-1]["reporter_iso3"] == "BLR"  # the largest loser


def test_market_shares_by_partner_on_bilateral_rows():
    t = tidy(
        [
            (2022, "BLR", "CHN", "export", 3.0, 1.0),
            (2022, "CAN", "CHN", "export", 1.0, 1.0),
            (2022, "CAN", "USA", "export", 4.0, 1.0),
            (2022, "CAN", "WLD", "export", 5.0, 1.0),  # a country total: not a destination
        ]
    )
    tab = market_shares(t, by="partner_iso3").table.set_index("partner_iso3")
    assert tab.loc["CHN", "value"] == 4.0 and tab.loc["USA", "share"] == 0.5
    assert "WLD" not in tab.index
