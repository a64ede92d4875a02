"""Tests of potash.pipeline.ingest against an independent pandas reference on seeded synthetic files,
the real Comtrade API v1 samples, and bad input."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from potash.core.errors import PotashDataError
from potash.pipeline.ingest import (
    TRADE_COLUMNS,
    ingest_baci,
    ingest_comtrade_bulk,
    read_trade_parquet,
)
from potash.pipeline.refresh import comtrade_to_trade
from potash.pipeline.synthetic_baci import POTASH_HS6, write_synthetic_baci

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ROOT / "data" / "raw" / "baci_dictionaries" / "country_codes.csv"
FIX = ROOT / "tests" / "fixtures" / "comtrade"
KEYS = ["year", "reporter_iso3", "partner_iso3", "hs_code"]


def pandas_reference(csv: Path, hs=("3104", "3105")) -> pd.DataFrame:
    """Hand-written reference: plain pandas read_csv + filter + dictionary join."""
    raw = pd.read_csv(csv, dtype=str, keep_default_na=False)
    code = raw["k"].str.zfill(6)
    sel = raw[code.str[:4].isin(hs)].copy()
    sel["hs_code"] = code[sel.index]
    cc = pd.read_csv(COUNTRIES, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    # areas without ISO3 ("N/A") get the loaders' pseudo code X<code> (490 -> X490)
    iso = {int(c): (a if a != "N/A" else f"X{c}")
           for c, a in zip(cc["country_code"], cc["iso_3digit_alpha"], strict=True)}
    sel["reporter_iso3"] = sel["i"].astype(int).map(iso)
    sel["partner_iso3"] = sel["j"].astype(int).map(iso)
    return pd.DataFrame({
        "year": sel["t"].astype(int),
        "reporter_iso3": sel["reporter_iso3"],
        "partner_iso3": sel["partner_iso3"],
        "hs_code": sel["hs_code"],
        "quantity_t": pd.to_numeric(sel["q"].replace("NA", np.nan)),
        "value_usd": sel["v"].astype(float) * 1000,
    }).sort_values(KEYS, ignore_index=True)


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    d = tmp_path_factory.mktemp("baci")
    return write_synthetic_baci(d / "BACI_HS17_Y2022_V202601.csv", 60_000, seed=7)


@pytest.fixture(scope="module")
def duck_out(synth, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "baci"
    res = ingest_baci(synth, out, threads=2)
    return res, out


def test_synthetic_file_is_baci_like(synth):
    raw = pd.read_csv(synth, dtype=str, keep_default_na=False)
    assert raw.columns.tolist() == ["t", "i", "j", "k", "v", "q"]
    assert not raw.duplicated(["i", "j", "k"]).any()
    cc = pd.read_csv(COUNTRIES, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    iso = dict(zip(cc["country_code"], cc["iso_3digit_alpha"], strict=True))
    used = pd.unique(pd.concat([raw["i"], raw["j"]]))
    assert len({iso[c] for c in used}) == len(used)  # one code per ISO3, as in a BACI year
    assert (raw["k"].str.len() == 5).any()  # chapters 01-09 written without the leading zero
    assert set(POTASH_HS6) & set(raw["k"])
    assert 0.01 < (raw["q"] == "NA").mean() < 0.03


def test_baci_equals_pandas_reference(synth, duck_out):
    res, out = duck_out
    got = read_trade_parquet(out)
    ref = pandas_reference(synth)
    assert res.rows == len(got) == len(ref) > 100
    assert got.columns.tolist() == TRADE_COLUMNS
    pd.testing.assert_frame_equal(
        got[ref.columns].astype({c: object for c in ("reporter_iso3", "partner_iso3", "hs_code")}),
        ref.astype({c: object for c in ("reporter_iso3", "partner_iso3", "hs_code")}),
        check_dtype=False,
    )
    assert set(got["flow"]) == {"export"} and set(got["source"]) == {"baci"}
    assert got["period"].tolist() == got["year"].astype(str).tolist()
    assert (got.loc[got["hs_code"] == "310420", "product"] == "potassium_chloride").all()
    assert got["flag"].isna().all()
    assert res.years == [2022]
    assert sorted(p.name for p in out.iterdir()) == ["year=2022"]


def test_same_as_the_loader_on_csv_and_parquet(synth, duck_out):
    """load_trade('baci') on the CSV (pandas loader) equals load_trade('baci') on the Parquet."""
    from potash.data import load_trade

    from_csv = load_trade("baci", path=synth)
    from_csv = from_csv[from_csv["hs_code"].str[:4].isin(["3104", "3105"])].reset_index(drop=True)
    from_parquet = load_trade("baci", path=duck_out[1])
    assert len(from_parquet) == duck_out[0].rows > 100
    pd.testing.assert_frame_equal(from_parquet, from_csv)


def test_contract_dtypes(duck_out):
    got = read_trade_parquet(duck_out[1])
    assert str(got["year"].dtype) == "int64"
    assert got["quantity_t"].dtype == "float64" and got["value_usd"].dtype == "float64"
    assert got["hs_code"].str.len().eq(6).all()


def test_deterministic_bytes(synth, duck_out, tmp_path):
    _, out = duck_out
    ingest_baci(synth, tmp_path / "again", threads=1)
    a = sorted(out.rglob("*.parquet"))
    b = sorted((tmp_path / "again").rglob("*.parquet"))
    assert [p.relative_to(out) for p in a] == [p.relative_to(tmp_path / "again") for p in b]
    for x, y in zip(a, b, strict=True):
        assert hashlib.sha256(x.read_bytes()).digest() == hashlib.sha256(y.read_bytes()).digest()


def test_dask_localcluster_equals_duckdb(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    synth = write_synthetic_baci(tmp_path / "b.csv", 15_000, seed=11)
    ingest_baci(synth, tmp_path / "duck")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None, memory_limit="1GB") as cluster,
        distributed.Client(cluster),
    ):
        res = ingest_baci(synth, tmp_path / "dask", engine="dask", blocksize="150kB")
    assert res.engine == "dask" and res.rows > 20
    pd.testing.assert_frame_equal(read_trade_parquet(tmp_path / "dask"),
                                  read_trade_parquet(tmp_path / "duck"))
    a = sorted((tmp_path / "dask").rglob("*.parquet"))
    b = sorted((tmp_path / "duck").rglob("*.parquet"))
    assert [x.read_bytes() for x in a] == [y.read_bytes() for y in b]


def test_leading_zero_codes_survive(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("t,i,j,k,v,q\n2020,4,8,10121,1.5,2\n2020,4,8,310420,3,4\n2020,8,4,10290,1,NA\n")
    res = ingest_baci(f, tmp_path / "o", hs=("0101",))
    got = read_trade_parquet(tmp_path / "o")
    assert res.rows == 1 and got["hs_code"].tolist() == ["010121"]
    assert got["product"].tolist() == ["hs_010121"]
    ingest_baci(f, tmp_path / "o6", hs="310420")
    assert read_trade_parquet(tmp_path / "o6")["hs_code"].tolist() == ["310420"]


def test_zip_release_multi_year_and_archive_dictionary(tmp_path):
    z = tmp_path / "BACI_HS17_V202601.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("BACI_HS17_Y2020_V202601.csv", "t,i,j,k,v,q\n2020,112,616,310420,1,2\n")
        zf.writestr("BACI_HS17_Y2021_V202601.csv",
                    "t,i,j,k,v,q\n2021,112,616,310420,3,4\n2021,490,616,310420,9,9\n")
        zf.writestr("country_codes_V202601.csv",
                    "country_code,country_name,country_iso2,country_iso3\n112,Belarus,BY,BLR\n"
                    "616,Poland,PL,POL\n490,Other Asia nes,,\n")
        zf.writestr("product_codes_HS17_V202601.csv", "code,description\n310420,KCl\n")
    res = ingest_baci(z, tmp_path / "o")
    assert res.years == [2020, 2021] and res.rows == 3 and res.excluded.empty
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["year=2020", "year=2021"]
    got = read_trade_parquet(tmp_path / "o", years=[2021])
    # the archive's own dictionary (new layout); no ISO3 -> the loaders' pseudo code X490
    assert got["reporter_iso3"].tolist() == ["BLR", "X490"]
    assert got["value_usd"].tolist() == [3000.0, 9000.0]
    assert len(res.inputs) == 2 and "BACI_HS17_Y2020_V202601.csv" in res.inputs[0]
    # the same release unzipped into a folder gives the same files
    with zipfile.ZipFile(z) as zf:
        zf.extractall(tmp_path / "release")
    ingest_baci(tmp_path / "release", tmp_path / "o2")
    a = sorted((tmp_path / "o").rglob("*.parquet"))
    b = sorted((tmp_path / "o2").rglob("*.parquet"))
    assert [x.read_bytes() for x in a] == [y.read_bytes() for y in b]


def test_gz_input_and_padded_values(tmp_path):
    f = tmp_path / "b.csv.gz"
    with gzip.open(f, "wt") as fh:
        fh.write("t,i,j,k,v,q\n2021,112,616,310420,   12.5,           NA\n")
    ingest_baci(f, tmp_path / "o")
    got = read_trade_parquet(tmp_path / "o")
    assert got["value_usd"].tolist() == [12500.0] and got["quantity_t"].isna().all()


def test_empty_selection_writes_empty_folder(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("t,i,j,k,v,q\n2021,112,616,270900,1,1\n")
    res = ingest_baci(f, tmp_path / "o")
    assert res.rows == 0 and res.years == []
    assert read_trade_parquet(tmp_path / "o").columns.tolist() == TRADE_COLUMNS


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty file"),
        ("t,i,j,k,v\n2021,112,616,310420,1\n", "column 'q'.*missing BACI column"),
        ("t,i,j,k,v,q\n2021,112,616,310420,abc,1\n", "column 'v'.*not a number: 'abc'"),
        ("t,i,j,k,v,q\n2021,112,999,310420,1,1\n", r"not in the BACI country dictionary: \[999\]"),
    ],
)
def test_bad_baci_input(tmp_path, text, match):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(PotashDataError, match=match):
        ingest_baci(f, tmp_path / "o")
    assert not (tmp_path / "o").exists()


def test_bad_arguments(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("t,i,j,k,v,q\n")
    with pytest.raises(ValueError, match="strings of 2 to 6 digits"):
        ingest_baci(f, tmp_path / "o", hs=(3104,))
    with pytest.raises(ValueError, match="duckdb"):
        ingest_baci(f, tmp_path / "o", engine="spark")
    with pytest.raises(PotashDataError, match="file not found"):
        ingest_baci(tmp_path / "nope.csv", tmp_path / "o")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(PotashDataError, match="zip"):
        ingest_baci(bad, tmp_path / "o")


# ------------------------------------------------------------------------------ Comtrade bulk


def _comtrade_records() -> pd.DataFrame:
    recs = []
    for name in ("apiv1_comercio_sample_response.json", "apiv1_mirror_sample_response_partner.json"):
        recs += json.loads((FIX / name).read_text())["data"]
    return pd.DataFrame.from_records(recs)


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_comtrade_bulk_matches_api_parser_and_hand_count(tmp_path, engine):
    recs = _comtrade_records()
    f = tmp_path / "TradeData.txt.gz"
    with gzip.open(f, "wt", newline="") as fh:
        recs.to_csv(fh, sep="\t", index=False)
    res = ingest_comtrade_bulk(f, tmp_path / "o", hs=("1201", "1507", "2304"), engine=engine)
    got = read_trade_parquet(tmp_path / "o")
    # hand count of totals on the real sample
    tot = recs[(recs.motCode == 0) & (recs.customsCode == "C00") & (recs.partner2Code == 0)
               & (recs.mosCode.astype(str) == "0")]
    assert res.rows == len(tot) == len(got)
    assert sorted(got["value_usd"]) == sorted(tot["primaryValue"].astype(float))
    assert sorted(got["quantity_t"]) == sorted(tot["netWgt"] / 1000)
    assert set(got["flow"]) == {"export", "import"}
    n_breakdown = int(res.excluded.loc[res.excluded["reason"].str.startswith("breakdown"),
                                       "rows"].sum())
    assert n_breakdown == len(recs) - len(tot)
    # same rows as the API-response parser (an independent pandas implementation)
    ref, _ = comtrade_to_trade(recs)
    pd.testing.assert_frame_equal(got, ref.astype(got.dtypes.to_dict()), check_dtype=False)


@pytest.mark.parametrize("name", ["apiv1_comercio_sample_response.json",
                                  "apiv1_mirror_sample_response_reporter.json",
                                  "apiv1_mirror_sample_response_partner.json"])
def test_comtrade_three_implementations_agree(tmp_path, name):
    """The data layer's loader, the API parser and the bulk ingest give the same rows."""
    from potash.data import load_trade

    recs = pd.DataFrame.from_records(json.loads((FIX / name).read_text())["data"])
    loader = load_trade("comtrade", path=FIX / name)
    api, _ = comtrade_to_trade(recs)
    recs.to_csv(tmp_path / "t.csv", index=False)
    ingest_comtrade_bulk(tmp_path / "t.csv", tmp_path / "o", hs=tuple(set(recs["cmdCode"])))
    bulk = read_trade_parquet(tmp_path / "o")
    order = ["year", "reporter_iso3", "partner_iso3", "flow", "hs_code", "period"]
    loader = loader[TRADE_COLUMNS].sort_values(order, ignore_index=True)
    pd.testing.assert_frame_equal(api, loader, check_dtype=False)
    pd.testing.assert_frame_equal(bulk, loader, check_dtype=False)


def test_comtrade_bulk_world_partner_and_aggregates(tmp_path):
    cols = ("refYear,period,reporterISO,partnerISO,partner2Code,flowCode,cmdCode,customsCode,"
            "motCode,mosCode,netWgt,qty,qtyUnitCode,primaryValue")
    rows = [
        "2021,2021,CAN,W00,0,X,310420,C00,0,0,1000,1000,8,10",  # world total -> WLD
        "2021,2021,CAN,USA,0,RX,310420,C00,0,0,5,5,8,1",  # re-export: excluded
        "2021,2021,CAN,_X ,0,X,310420,C00,0,0,5,5,8,1",  # area nes: excluded
        "2021,2021,CAN,USA,0,X,310420,C00,0,0,,3000,8,20",  # netWgt missing, qty in kg
    ]
    f = tmp_path / "c.csv"
    f.write_text(cols + "\n" + "\n".join(rows) + "\n")
    res = ingest_comtrade_bulk(f, tmp_path / "o")
    got = read_trade_parquet(tmp_path / "o")
    assert got["partner_iso3"].tolist() == ["USA", "WLD"]
    assert got["quantity_t"].tolist() == [3.0, 1.0]
    assert sorted(res.excluded["reason"]) == [
        "flow other than export/import", "partner not a country (aggregate or no ISO3)"]


def test_comtrade_bulk_missing_column(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("refYear,period,reporterISO,partnerISO,flowCode,cmdCode,netWgt\n")
    with pytest.raises(PotashDataError, match="column 'primaryValue'"):
        ingest_comtrade_bulk(f, tmp_path / "o")


def test_comtrade_bulk_zip(tmp_path):
    recs = _comtrade_records()
    buf = io.StringIO()
    recs.to_csv(buf, index=False)
    z = tmp_path / "bulk.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("TradeData_1.csv", buf.getvalue())
    res = ingest_comtrade_bulk(z, tmp_path / "o", hs="1201")
    assert res.rows == len(read_trade_parquet(tmp_path / "o")) > 0
