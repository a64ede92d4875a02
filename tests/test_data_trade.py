"""Trade loaders: curated table, UN Comtrade layouts, BACI, country codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from potash import PotashDataError
from potash.core.io import write_parquet
from potash.core.paths import project_root
from potash.data import baci_country_table, load_trade, m49_to_iso3, to_iso3
from potash.data.periods import parse_period
from potash.data.trade import TRADE_COLUMNS

FIX = project_root() / "tests" / "fixtures" / "comtrade"


@pytest.mark.parametrize(
    ("label", "start", "end", "kind"),
    [
        ("2022", "2022-01-01", "2022-12-31", "year"),
        ("2021-Q1", "2021-01-01", "2021-03-31", "quarter"),
        ("2019-01/2019-06", "2019-01-01", "2019-06-30", "range"),
        ("2024-08", "2024-08-01", "2024-08-31", "month"),
        ("2021-H1", "2021-01-01", "2021-06-30", "half"),
        ("2024-02", "2024-02-01", "2024-02-29", "month"),
        ("2017/2021", "2017-01-01", "2021-12-31", "annual_average"),
        ("2024/2025", "2024-01-01", "2025-12-31", "split_year"),
        ("2021-04/2022-03", "2021-04-01", "2022-03-31", "range"),
    ],
)
def test_parse_period(label: str, start: str, end: str, kind: str) -> None:
    assert parse_period(label) == (pd.Timestamp(start), pd.Timestamp(end), kind)


@pytest.mark.parametrize("label", ["2021-Q5", "2021-13", "21", "2022/2019", "2021-H3"])
def test_parse_period_rejects(label: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_period(label)


def test_curated_table() -> None:
    c = load_trade("curated")
    raw = pd.read_csv(project_root() / "data/raw/bilateral_curated/potash_bilateral_curated.csv")
    assert len(c) == len(raw) == 96
    assert list(c.columns[: len(TRADE_COLUMNS)]) == TRADE_COLUMNS
    assert c["source_url"].notna().all() and c["quote"].notna().all()
    # same corridor and period from two sources: both rows kept, marked, same group
    rus23 = c[(c["period"] == "2023") & (c["exporter_iso3"] == "RUS") & (c["importer_iso3"] == "CHN")]
    assert sorted(rus23["quantity_t"]) == [3000000.0, 3004000.0]
    assert rus23["duplicate_group"].nunique() == 1
    assert (rus23["flag"] == "same_corridor_period_other_source").all()
    # values as on the page, never summed; USD not thousands
    row = c[(c["period"] == "2019-01/2019-06") & (c["importer_iso3"] == "CHN")].iloc[0]
    assert row["value_usd"] == 1.59e9 and row["quantity_t"] == 5.43e6
    assert row["flow"] == "import" and row["reporter_iso3"] == "CHN" and row["partner_iso3"] == "WLD"
    avg = c[c["period"] == "2017/2021"].iloc[0]
    assert avg["period_kind"] == "annual_average"
    # Indonesia BPS rows are all fertilizers, not potash
    assert set(c[c["product_text"].str.contains("all HS 31")]["product"]) == {"fertilizers_hs31"}


def test_comtrade_json_totals_only_and_dropped_reported() -> None:
    t, dropped = load_trade("comtrade", FIX / "apiv1_comercio_sample_response.json",
                            return_excluded=True)
    raw = json.loads((FIX / "apiv1_comercio_sample_response.json").read_text())["data"]
    totals = [r for r in raw if r["motCode"] == 0 and r["customsCode"] == "C00"
              and r["partner2Code"] == 0]
    assert len(t) == len(totals) == 3
    assert len(dropped) == len(raw) - 3
    assert dropped["reason"].str.startswith("breakdown row").all()
    soy = t[t["hs_code"] == "1201"].iloc[0]
    src = next(r for r in totals if r["cmdCode"] == "1201")
    assert soy["quantity_t"] == src["netWgt"] / 1000
    assert soy["value_usd"] == src["primaryValue"]
    assert (soy["reporter_iso3"], soy["partner_iso3"], soy["flow"]) == ("BRA", "CHN", "export")
    everything = load_trade("comtrade", FIX / "apiv1_comercio_sample_response.json",
                            totals_only=False)
    assert len(everything) == len(raw)
    assert set(everything["motCode"]) == {0, 1000, 2000, 2100}


def test_comtrade_mirror_pair() -> None:
    imp = load_trade("comtrade", FIX / "apiv1_mirror_sample_response_partner.json")
    assert imp[["reporter_iso3", "partner_iso3", "flow"]].iloc[0].tolist() == ["CHN", "BRA", "import"]


def test_comtrade_csv_layout_equals_json(tmp_path: Path) -> None:
    raw = json.loads((FIX / "apiv1_comercio_sample_response.json").read_text())["data"]
    p = tmp_path / "TradeData_1.csv"
    pd.DataFrame(raw).to_csv(p, index=False)
    a = load_trade("comtrade", FIX / "apiv1_comercio_sample_response.json")
    b = load_trade("comtrade", p)
    pd.testing.assert_frame_equal(a, b)


def test_comtrade_legacy_bulk_csv(tmp_path: Path) -> None:
    header = ("Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,"
              "Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,"
              "2nd Partner Code,2nd Partner,2nd Partner ISO,Customs Proc. Code,Customs,"
              "Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,"
              "Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),"
              "Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag")
    rows = [
        "H5,2019,2019,2019,6,1,2,Export,112,Belarus,BLR,0,World,WLD,,,,,,,,310420,Potassium chloride,8,kg,,,,,10323956000,,2766511000,,,0",
        "H5,2019,2019,2019,6,1,1,Import,156,China,CHN,112,Belarus,BLR,,,,,,,,310420,Potassium chloride,8,kg,,,,,2000000000,,600000000,,,0",
        "H5,2019,2019,2019,6,1,3,Re-Export,156,China,CHN,0,World,WLD,,,,,,,,310420,Potassium chloride,8,kg,,,,,1000,,300,,,0",
    ]
    p = tmp_path / "comtrade_bulk.csv"
    p.write_text(header + "\n" + "\n".join(rows) + "\n")
    t, dropped = load_trade("comtrade", p, return_excluded=True)
    assert t.set_index("reporter_iso3").loc["BLR", "quantity_t"] == 10323956.0
    assert t.set_index("reporter_iso3").loc["BLR", "partner_iso3"] == "WLD"
    assert t.set_index("reporter_iso3").loc["CHN", "flow"] == "import"
    assert (t["product"] == "potassium_chloride").all()
    assert dropped["reason"].tolist() == ["flow is not export (X) or import (M)"]


def test_baci_csv(tmp_path: Path) -> None:
    p = tmp_path / "BACI_HS17_Y2022_V202401.csv"
    p.write_text("t,i,j,k,v,q\n2022,112,156,310420,1234.5,5000\n2022,124,76,310420,10,NA\n"
                 "2022,699,842,31000,1,2\n")
    t = load_trade("baci", p)
    row = t[(t["reporter_iso3"] == "BLR")].iloc[0]
    assert (row["partner_iso3"], row["hs_code"], row["value_usd"], row["quantity_t"]) == (
        "CHN", "310420", 1234500.0, 5000.0)
    assert t[t["reporter_iso3"] == "CAN"]["quantity_t"].isna().all()
    assert set(t[t["reporter_iso3"] == "IND"]["hs_code"]) == {"031000"}
    assert t["hs_code"].dtype == "string"


def test_baci_parquet_folder(tmp_path: Path) -> None:
    src = tmp_path / "src.csv"
    src.write_text("t,i,j,k,v,q\n2021,112,156,310420,1,1\n2022,112,156,310420,2,2\n")
    t = load_trade("baci", src)
    for y, part in t.groupby("year"):
        write_parquet(part.drop(columns="year"), tmp_path / "pq" / f"year={y}" / "part-0.parquet")
    back = load_trade("baci", tmp_path / "pq")
    pd.testing.assert_frame_equal(back, t)


def test_country_codes() -> None:
    t = baci_country_table()
    assert t[112] == "BLR" and t[699] == "IND" and t[842] == "USA" and t[280] == "DEU"
    assert m49_to_iso3([0, 440]).tolist() == ["WLD", "LTU"]
    with pytest.raises(PotashDataError, match="unknown country code 99999"):
        m49_to_iso3([99999])
    with pytest.raises(PotashDataError, match="unknown country or area name 'Atlantis'"):
        to_iso3(["Atlantis"])
    assert to_iso3(["China, mainland", "USSR", "World"]).tolist()[:2] == ["CHN", "SUN"]
    assert to_iso3(["World"]).isna().all()


def test_routes_table() -> None:
    from potash.data import load_routes

    r = load_routes()
    raw = pd.read_csv(project_root() / "data/raw/bilateral_curated/potash_routes_curated.csv")
    assert len(r) == len(raw) == 48
    assert (r.loc[r["measure"].str.contains("CAPACITY"), "measure_kind"] == "capacity").all()
    assert r["period_start"].le(r["period_end"]).all()
    k17 = r[(r["period"] == "2017") & (r["exporter"] == "BLR")]
    assert k17["quantity_t"].tolist() == [8_100_000.0]


def test_routes_bad_exporter(tmp_path: Path) -> None:
    from potash.data import load_routes

    src = project_root() / "data/raw/bilateral_curated/potash_routes_curated.csv"
    lines = src.read_text().splitlines()
    lines[1] = lines[1].replace("2009,BLR,", "2009,BY,")
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(PotashDataError, match=r"r.csv, column 'exporter_iso3', row 2: unknown exporter 'BY'"):
        load_routes(tmp_path / "r.csv")


def _monthly_copy(tmp_path: Path, name: str, month: str = "202403") -> Path:
    """The recorded annual response re-labelled as a monthly one (freqCode M, a YYYYMM period):
    the API v1 monthly layout differs from the annual one only in these fields."""
    obj = json.loads((FIX / name).read_text())
    for r in obj["data"]:
        r.update(freqCode="M", period=month, refMonth=int(month[4:]),
                 refPeriodId=int(month + "01"))
    p = tmp_path / f"monthly_{name}"
    p.write_text(json.dumps(obj))
    return p


def test_comtrade_monthly_records_load_into_the_monthly_schema(tmp_path: Path) -> None:
    from potash.data.customs import MONTHLY_COLUMNS

    exp = load_trade("comtrade", _monthly_copy(tmp_path, "apiv1_comercio_sample_response.json"))
    imp = load_trade("comtrade", _monthly_copy(tmp_path, "apiv1_mirror_sample_response_partner.json"))
    for t in (exp, imp):
        assert list(t.columns) == MONTHLY_COLUMNS
        assert set(t["period"]) == {"2024-03"}
    assert set(exp["value_basis"]) == {"FOB"} and set(exp["flow"]) == {"export"}
    assert set(imp["value_basis"]) == {"CIF"} and set(imp["flow"]) == {"import"}
    annual = load_trade("comtrade", FIX / "apiv1_comercio_sample_response.json")
    assert "value_basis" not in annual.columns
    cols = ["reporter_iso3", "partner_iso3", "hs_code", "quantity_t", "value_usd"]
    pd.testing.assert_frame_equal(exp[cols], annual[cols])


def test_comtrade_monthly_downloader_path_gives_the_same_schema(tmp_path: Path) -> None:
    from potash.pipeline.refresh import comtrade_to_trade

    p = _monthly_copy(tmp_path, "apiv1_comercio_sample_response.json")
    trade, _ = comtrade_to_trade(pd.DataFrame(json.loads(p.read_text())["data"]))
    assert trade["value_basis"].tolist() == ["FOB"] * len(trade)
    assert set(trade["period"]) == {"2024-03"}


def test_comtrade_file_mixing_annual_and_monthly_records_is_refused(tmp_path: Path) -> None:
    obj = json.loads((FIX / "apiv1_comercio_sample_response.json").read_text())
    obj["data"][2].update(freqCode="M", period="202403")
    p = tmp_path / "mixed.json"
    p.write_text(json.dumps(obj))
    with pytest.raises(PotashDataError, match=r"column 'freqCode', row 3: the file mixes annual and monthly"):
        load_trade("comtrade", p)
    obj["data"][2].update(period="2024-3")
    obj["data"] = obj["data"][2:3]
    p.write_text(json.dumps(obj))
    with pytest.raises(PotashDataError, match="YYYYMM period"):
        load_trade("comtrade", p)
