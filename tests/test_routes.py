"""Tests of potash.analyses.routes: curated route table, Klaipeda extraction, transport-mode shares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import potash
from potash import PotashDataError
from potash.analyses.routes import klaipeda_cargo, load_routes, route_mix, route_shares, route_table

ROOT = Path(__file__).resolve().parents[1]
KLAIPEDA = ROOT / "data" / "raw" / "klaipeda_port_news" / "klaipeda_port_scraper.xlsx"
COMTRADE = ROOT / "tests" / "fixtures" / "comtrade" / "apiv1_comercio_sample_response.json"


@pytest.fixture(scope="module")
def cargo() -> pd.DataFrame:
    return klaipeda_cargo()


@pytest.fixture(scope="module")
def articles() -> pd.DataFrame:
    return pd.read_excel(KLAIPEDA)


# --------------------------------------------------------------------------- curated routes
def test_route_table_every_figure_sourced(cargo):
    t = route_table(cargo=cargo)
    cur = t[t["table"] == "curated_routes"]
    assert len(cur) == 48  # rows of the shipped file (SOURCE.md)
    assert t["source_url"].str.startswith("http").all()
    assert (t["quote"].str.len() > 10).all()
    kinds = cur.set_index("measure")["kind"]
    for word, kind in (
        ("CAPACITY", "capacity"),
        ("FORECAST", "forecast"),
        ("CONTRACT", "contract"),
        ("run-rate", "run_rate"),
        ("all Belarusian cargo", "all_cargo"),
        ("per MONTH", "per_month"),
    ):
        assert (kinds[kinds.index.str.contains(word)] == kind).all(), word
    assert cur.loc[cur["period"] == "2025-01/2025-08", "n_months"].tolist() == [8]
    kl = t[t["table"] == "klaipeda_releases"]
    assert len(kl) == len(cargo)
    assert (kl.loc[kl["kind"] == "flow", "quantity_t"] > 0).all()
    assert set(kl["source_url"]) <= set(cargo["url"])


def test_route_table_bad_input():
    with pytest.raises(PotashDataError, match="missing column"):
        route_table(routes=pd.DataFrame({"period": ["2021"]}), cargo=klaipeda_cargo().iloc[:0])


def test_route_mix_traceable_and_only_annual_flows():
    m = route_mix()
    r = load_routes()
    # every bar is one row of the curated file: same figure, url and quote
    keys = ["period", "route", "node", "quantity_t", "source_url", "quote"]
    merged = m.merge(r, on=keys)
    assert len(merged) == len(m)
    assert (merged["measure_kind"] == "flow").all() and (merged["period_kind"] == "year").all()
    assert set(m["phase"]) <= {"before", "spanning", "after"}
    before = m[m["phase"] == "before"]
    assert "Klaipeda (LTU)" in set(before["route"])
    after = m[m["phase"] != "before"]
    assert after["route"].str.contains("Russian|China").all()


# --------------------------------------------------------------------------- Klaipeda
#: Annual total cargo figures for 2021-2024 as printed in the releases, read by hand:
#: (period, tonnes, url fragment).
HAND_TOTALS = [
    ("2021", 45_600_000.0, "in-2021-cargo-handling-in-klaipeda-port"),
    ("2021", 45_600_000.0, "supporting-green-maritime-transport"),
    ("2021", 45_600_000.0, "port-of-klaipeda-2022-results"),
    ("2022", 36_100_000.0, "port-of-klaipeda-2022-results"),
    ("2023", 32_700_000.0, "the-year-of-2023-were-more-successful"),
    ("2024", 35_500_000.0, "2024-for-klaipeda-port-growing-cargo-handling"),
]


def test_klaipeda_holds_every_2021_2024_total(cargo):
    tot = cargo[
        (cargo["cargo"] == "total")
        & (cargo["measure"] == "level")
        & cargo["period"].isin(["2021", "2022", "2023", "2024"])
    ]
    got = sorted(zip(tot["period"], tot["quantity_t"], strict=True))
    assert got == sorted((p, q) for p, q, _ in HAND_TOTALS)
    for period, q, frag in HAND_TOTALS:
        rows = tot[(tot["period"] == period) & tot["url"].str.contains(frag, regex=False)]
        assert rows["quantity_t"].tolist() == [q], (period, frag)


def test_klaipeda_completeness_against_text(articles, cargo):
    """Every printed 'NN.N million tonnes/mln tn' equal to a 2021-2024 total is in the table."""
    printed = 0
    for text in articles["text"].astype(str):
        printed += len(re.findall(r"\b(?:45[.,]6|36[.,]1|32[.,]7|35[.,]5) (?:million|mln)", text))
    tot = cargo[
        (cargo["cargo"] == "total") & cargo["quantity_t"].isin([45.6e6, 36.1e6, 32.7e6, 35.5e6])
    ]
    assert len(tot) == printed == 6


def test_klaipeda_rows_point_to_their_article(articles, cargo):
    by_url = articles.set_index("url")
    for _, row in cargo.iterrows():
        art = by_url.loc[row["url"]]
        assert row["text"] in row["sentence"]
        assert row["sentence"] in str(art["text"])
        assert pd.Timestamp(pd.to_datetime(art["date"], format="%b %d %Y")) == row["article_date"]


def test_klaipeda_spot_checks(cargo):
    fert24 = cargo[(cargo["cargo"] == "fertilizer") & (cargo["period"] == "2024")]
    lv = fert24[fert24["measure"] == "level"]
    assert lv["quantity_t"].tolist() == [1_760_000.0]
    assert "Fertiliser handling grew by 201 thousand tonnes" in lv["sentence"].iloc[0]
    ch = fert24[fert24["measure"] == "change"]
    assert ch["quantity_t"].tolist() == [201_000.0]
    q1 = cargo[
        (cargo["period"] == "2025-Q1")
        & (cargo["cargo"] == "total")
        & (cargo["qualifier"] == "exact")
        & (cargo["measure"] == "level")
    ]
    assert q1["quantity_t"].tolist() == [9_750_000.0]
    h1 = cargo[(cargo["period"] == "2022-H1") & (cargo["qualifier"] == "exact")]
    assert h1["quantity_t"].tolist() == [18_080_000.0]
    liquid = cargo[cargo["item"] == "liquid fertilisers"]
    assert liquid[["period", "quantity_t", "measure"]].values.tolist() == [
        ["2025-Q1", -92_000.0, "change"]
    ]
    ch21 = cargo[(cargo["period"] == "2021") & (cargo["measure"] == "change")]
    assert ch21["quantity_t"].tolist() == [-2_000_000.0]
    # other cargo groups and other ports are not in the table
    assert not cargo["quantity_t"].isin([18_100_000.0, 13_100_000.0, 4_150_000.0]).any()
    assert set(cargo["cargo"]) == {"total", "fertilizer"}


def test_klaipeda_is_deterministic(cargo):
    pd.testing.assert_frame_equal(cargo, klaipeda_cargo())


def test_klaipeda_bad_file(tmp_path):
    p = tmp_path / "k.xlsx"
    pd.DataFrame(
        {"url": ["u"], "title": ["t"], "date": ["23 January 2025"], "text": ["x"]}
    ).to_excel(p, index=False)
    with pytest.raises(PotashDataError, match="k.xlsx, column 'date', row 2"):
        klaipeda_cargo(p)


# --------------------------------------------------------------------------- transport modes
def _comtrade_rows() -> pd.DataFrame:
    """The Comtrade API v1 sample put in the tidy schema plus mot_code/partner2_iso3."""
    data = json.loads(COMTRADE.read_text())["data"]
    df = pd.DataFrame(data)
    df = df[df["customsCode"] == "C00"]
    return pd.DataFrame(
        {
            "year": df["refYear"],
            "period": df["period"].astype(str),
            "reporter_iso3": df["reporterISO"],
            "partner_iso3": df["partnerISO"],
            "flow": df["flowCode"].map({"X": "export", "M": "import"}),
            "product": "hs" + df["cmdCode"].astype(str),
            "quantity_t": df["netWgt"] / 1000.0,
            "value_usd": df["primaryValue"],
            "mot_code": df["motCode"],
            "partner2_iso3": df["partner2ISO"],
        }
    )


def test_route_shares_on_comtrade_sample():
    t = _comtrade_rows()
    rs = route_shares(t)
    soy = rs[rs["product"] == "hs1201"].set_index("label")
    assert soy.loc["Sea", "share"] == pytest.approx(72541710366.0 / 72557710367.0)
    assert soy.loc["Water", "share"] == pytest.approx(15999996.0 / 72557710367.0)
    assert soy["unallocated"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert not soy["overlap"].any()
    meal = rs[rs["product"] == "hs2304"]
    assert meal[["label", "share"]].values.tolist() == [["Sea", 1.0]]
    v = route_shares(t, measure="value_usd")
    assert v[v["product"] == "hs1201"]["share"].sum() == pytest.approx(1.0)


def test_route_shares_partner2_and_overlap():
    t = pd.DataFrame(
        {
            "year": 2023,
            "reporter_iso3": "CHN",
            "partner_iso3": "BLR",
            "flow": "import",
            "product": "potassium_chloride",
            "quantity_t": [10.0, 4.0, 7.0],
            "partner2_iso3": ["W00", "RUS", "BLR"],
            "mot_code": 0,
        }
    )
    rs = route_shares(t, by="partner2").set_index("label")
    assert rs.loc["RUS", "share"] == 0.4
    assert rs["overlap"].all()  # 4 + 7 > 10: the breakdown overlaps, shares not additive


def test_route_shares_bad_input():
    t = _comtrade_rows().drop(columns=["mot_code"])
    with pytest.raises(PotashDataError, match="mot_code"):
        route_shares(t)
    with pytest.raises(ValueError, match="by='port'"):
        route_shares(_comtrade_rows(), by="port")
    only_totals = _comtrade_rows().query("mot_code == 0")
    with pytest.raises(PotashDataError, match="no mot_code breakdown rows"):
        route_shares(only_totals)


def test_route_shares_on_data_layer_comtrade_rows():
    t = potash.load_trade("comtrade", path=COMTRADE, totals_only=False)
    rs = route_shares(t)
    soy = rs[
        rs["hs_code" if "hs_code" in rs.columns else "product"].astype(str).str.contains("1201")
    ]
    assert soy.set_index("label").loc["Sea", "share"] == pytest.approx(
        72541710366.0 / 72557710367.0, rel=1e-9
    )


def test_route_mix_sub_annual_rows_keep_their_length():
    m = route_mix(annual_only=False)
    sub = m[m["n_months"] != 12]
    assert len(sub) >= 2 and (sub["phase"] == "after").all()
    assert set(route_mix()["n_months"]) == {12}
    # only volumes that happened: no capacity/forecast/contract rows
    assert not m["measure"].str.contains("CAPACITY|FORECAST|CONTRACT|ESTIMATE").any()
