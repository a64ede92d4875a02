"""Monthly partner customs loaders (issue 12): totals against a plain reading of the raw files,
the two Brazil sources against each other, flags, coverage, mirror check and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import potash
from potash.analyses.buyers import customs_mirror_check
from potash.core.errors import PotashDataError
from potash.data.countries import CUSTOMS_PSEUDO_ISO3, customs_name_to_iso3
from potash.data.customs import MONTHLY_COLUMNS, customs_coverage

ROOT = Path(__file__).resolve().parents[1]
TDM = ROOT / "data" / "raw" / "customs_partner_monthly"
COMEX = ROOT / "data" / "raw" / "brazil_comexstat" / "imp_fert_cat.csv"
HEADINGS = ["3101", "3102", "3103", "3104", "3105"]


@pytest.fixture(scope="module")
def customs():
    return potash.load_trade("customs_monthly", return_excluded=True)


@pytest.fixture(scope="module")
def comex():
    return potash.load_trade("comexstat", return_excluded=True)


def _raw(flow: str) -> pd.DataFrame:
    name = "tdm_fertilizer_imports.parquet" if flow == "import" else "tdm_fertilizer_exports.parquet"
    df = pq.read_table(TDM / name).to_pandas()
    df["COMMODITY"] = df["COMMODITY"].astype(str)
    return df


# ------------------------------------------------------------------ totals vs plain reading
@pytest.mark.parametrize("flow", ["import", "export"])
def test_totals_per_reporter_year_equal_plain_reading(customs, flow):
    t, ex = customs
    raw = _raw(flow)
    kept = raw[raw["COMMODITY"].isin(HEADINGS)]
    # no silent drops: every raw row is either loaded or reported as excluded
    f = f"data/raw/customs_partner_monthly/{'tdm_fertilizer_imports' if flow == 'import' else 'tdm_fertilizer_exports'}.parquet"
    assert (t["flow"] == flow).sum() == len(kept)
    assert (ex["file"] == f).sum() == len(raw) - len(kept)
    want = kept.groupby(["REPORTER", "YEAR"])[["QTY1", "VALUE"]].sum()
    got = (t[t["flow"] == flow].groupby(["reporter_name", "year"])[["quantity_t", "value_usd"]]
           .sum())
    np.testing.assert_allclose(got.loc[want.index].to_numpy(), want.to_numpy(), rtol=1e-12)
    assert len(got) == len(want)
    # potash only, per partner too
    k = kept[kept["COMMODITY"] == "3104"].groupby(["REPORTER", "PARTNER", "YEAR"])["QTY1"].sum()
    g = (t[(t["flow"] == flow) & (t["hs_code"] == "3104")]
         .groupby(["reporter_name", "partner_name", "year"])["quantity_t"].sum())
    np.testing.assert_allclose(g.loc[k.index].to_numpy(), k.to_numpy(), rtol=1e-12)


def test_schema_and_value_basis(customs, comex):
    t, _ = customs
    c, _ = comex
    for df in (t, c):
        assert list(df.columns[: len(MONTHLY_COLUMNS)]) == MONTHLY_COLUMNS
        assert df["period"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all()
        assert (df["period"].str[:4].astype(int) == df["year"]).all()
        assert str(df["hs_code"].dtype) == "string"
    basis = t.groupby(["reporter_iso3", "flow"])["value_basis"].unique().map(list)
    assert basis[("BRA", "import")] == ["FOB"]
    assert basis[("CHN", "import")] == ["CIF"] and basis[("USA", "import")] == ["CIF"]
    assert basis[("CAN", "export")] == ["FOB"]
    assert set(c["value_basis"]) == {"FOB"}
    assert {"freight_usd", "insurance_usd", "state", "customs_office"} <= set(c.columns)


def test_comexstat_totals_equal_plain_reading(comex):
    c, ex = comex
    raw = pd.read_csv(COMEX, dtype={"CO_NCM": str})
    assert len(c) == len(raw) and len(ex) == 0
    want = raw.groupby(["CO_ANO", "CO_NCM"])[["KG_LIQUIDO", "VL_FOB", "VL_FRETE", "VL_SEGURO"]].sum()
    got = c.groupby(["year", "hs_code"])[["quantity_t", "value_usd", "freight_usd",
                                          "insurance_usd"]].sum()
    got["quantity_t"] *= 1000
    np.testing.assert_allclose(got.loc[want.index].to_numpy(), want.to_numpy(), rtol=1e-12)
    # not declared (999) is kept as its own code, never dropped
    nd = raw[raw["CO_PAIS"] == 999]
    assert (c["partner_iso3"] == "XXX").sum() == len(nd) > 0
    kcl23 = c[(c["partner_iso3"] == "XXX") & (c["hs_code"] == "31042090") & (c["year"] == 2023)]
    assert round(kcl23["quantity_t"].sum() / 1e6, 2) == 1.43  # SOURCE.md


def test_brazil_from_belarus_two_sources_agree_within_29t(customs, comex):
    t, _ = customs
    c, _ = comex
    a = t[(t["reporter_iso3"] == "BRA") & (t["partner_iso3"] == "BLR") & (t["hs_code"] == "3104")
          & (t["flow"] == "import")].groupby("year")[["quantity_t", "value_usd"]].sum()
    b = c[(c["partner_iso3"] == "BLR") & (c["hs_code"] == "31042090")].groupby("year")[
        ["quantity_t", "value_usd"]].sum()
    years = list(range(2014, 2025))
    d = (a.loc[years] - b.loc[years]).abs()
    assert (d["quantity_t"] <= 29 + 1e-6).all() and (d["value_usd"] <= 8963 + 1e-6).all()
    assert d["quantity_t"].max() > 0  # not the same file twice: 2017 differs by 29 t


def test_belgium_belarus_zero_value_rows_flagged(customs):
    t, _ = customs
    raw = _raw("export")
    art = raw[(raw["REPORTER"] == "Belgium") & (raw["PARTNER"] == "Belarus")
              & (raw["COMMODITY"] == "3104") & (raw["VALUE"] == 0)]
    flagged = t[t["flag"].fillna("").str.contains("belgium_belarus_zero_value")]
    assert len(flagged) == len(art) > 0
    assert set(flagged["year"]) <= set(range(2022, 2027))
    assert (flagged["value_usd"] == 0).all() and (flagged["quantity_t"] > 0).all()


def test_repeated_keys_kept_and_flagged(customs):
    t, _ = customs
    raw = _raw("import")
    k = ["REPORTER", "PARTNER", "COMMODITY", "YEAR", "MONTH"]
    n = raw[raw["COMMODITY"].isin(HEADINGS)].duplicated(k, keep=False).sum()
    rep = t[(t["flow"] == "import") & t["flag"].fillna("").str.contains("repeated_key")]
    assert len(rep) == n > 0


def test_every_partner_name_maps_and_pseudo_codes_documented(customs):
    t, _ = customs
    names = set(_raw("import")["PARTNER"]) | set(_raw("export")["PARTNER"])
    assert set(t["partner_name"]) <= names
    codes = customs_name_to_iso3(sorted(names))
    assert codes.notna().all()
    pseudo = {c for c in codes if c.startswith("X") and c != "XKX"}
    assert pseudo <= set(CUSTOMS_PSEUDO_ISO3)
    assert "XXX" in set(t["partner_iso3"])
    assert customs_name_to_iso3(["Korea, South", "China"]).tolist() == ["KOR", "CHN"]


def test_coverage_missing_month_is_not_zero(customs):
    t, _ = customs
    cov = customs_coverage(trade=t)
    assert list(cov.columns) == ["source", "reporter_iso3", "flow", "period", "reported",
                                 "n_partners", "n_rows"]
    assert cov["period"].min() == "2014-01" and cov["period"].max() == "2026-04"
    mex = cov[(cov["reporter_iso3"] == "MEX") & (cov["flow"] == "import")].set_index("period")
    assert bool(mex.loc["2025-12", "reported"]) and not bool(mex.loc["2026-01", "reported"])
    got = cov[cov["reported"]].groupby(["reporter_iso3", "flow"]).size()
    want = t.groupby(["reporter_iso3", "flow"])["period"].nunique()
    pd.testing.assert_series_equal(got, want, check_names=False)
    brazil = customs_coverage("comexstat", hs_code="31042090")
    assert brazil["period"].min() == "1997-01" and brazil["period"].max() == "2024-07"
    assert set(brazil["reporter_iso3"]) == {"BRA"}


def test_mirror_check_tidy_and_equal_to_direct_sum(customs):
    t, _ = customs
    fao = potash.load_trade("faostat")
    m = customs_mirror_check(customs=t, faostat=fao)
    assert m["year"].is_unique and m["year"].min() == 2014
    blr = t[(t["flow"] == "import") & (t["partner_iso3"] == "BLR") & (t["hs_code"] == "3104")]
    np.testing.assert_allclose(m.set_index("year")["mirror_t"],
                               blr.groupby("year")["quantity_t"].sum(), rtol=1e-12)
    r21 = m.set_index("year").loc[2021]
    assert r21["fao_export_t"] == pytest.approx(fao[(fao["reporter_iso3"] == "BLR")
                                                    & (fao["product"] == "potassium_chloride")
                                                    & (fao["flow"] == "export")
                                                    & (fao["year"] == 2021)]["quantity_t"].iloc[0])
    assert 0 < r21["share_of_fao"] < 1
    assert np.allclose(m["mirror_usd"], m["mirror_usd_cif"] + m["mirror_usd_fob"])
    assert m.loc[m["year"] > 2023, "fao_export_t"].isna().all()


def test_cache_equals_direct_build(customs, tmp_path):
    t, ex = customs
    direct, ex2 = potash.load_trade("customs_monthly", path=TDM, return_excluded=True)
    pd.testing.assert_frame_equal(t, direct)
    assert len(ex) == len(ex2)


# ------------------------------------------------------------------------------ bad input
def _synthetic(seed: int = 7, n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "REPORTER": "China", "PARTNER": rng.choice(["Belarus", "Canada", "Russia", "Laos"], n),
        "COMMODITY": np.int64(3104), "YEAR": np.int64(2025), "MONTH": rng.integers(1, 13, n),
        "VALUE": rng.uniform(1e5, 1e7, n), "QTY1": rng.uniform(100, 1e5, n),
    })


def _write(folder: Path, imports: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    imports.to_parquet(folder / "tdm_fertilizer_imports.parquet", index=False)
    _synthetic(8).assign(REPORTER="Canada", PARTNER="Brazil").to_parquet(
        folder / "tdm_fertilizer_exports.parquet", index=False)
    return folder


def test_synthetic_loads(tmp_path):
    df = _synthetic()
    t = potash.load_trade("customs_monthly", path=_write(tmp_path / "ok", df))
    imp = t[t["flow"] == "import"]
    assert imp["quantity_t"].sum() == pytest.approx(df["QTY1"].sum())
    assert set(imp["partner_iso3"]) <= {"BLR", "CAN", "RUS", "LAO"}


@pytest.mark.parametrize("case, column, row, problem", [
    ("renamed", "QTY1", 1, "missing column"),
    ("unknown_partner", "PARTNER", 4, "unknown country or partner name 'Atlantis'"),
    ("text_qty", "QTY1", 6, "not a number: 'abc'"),
    ("empty_month", "MONTH", 3, "empty value"),
    ("bad_month", "MONTH", 2, "month out of range"),
])
def test_customs_bad_input(tmp_path, case, column, row, problem):
    df = _synthetic()
    if case == "renamed":
        df = df.rename(columns={"QTY1": "QTY"})
    elif case == "unknown_partner":
        df.loc[3, "PARTNER"] = "Atlantis"
    elif case == "text_qty":
        df["QTY1"] = df["QTY1"].astype(str)
        df.loc[5, "QTY1"] = "abc"
    elif case == "empty_month":
        df["MONTH"] = df["MONTH"].astype("float64")
        df.loc[2, "MONTH"] = np.nan
    elif case == "bad_month":
        df.loc[1, "MONTH"] = 13
    folder = _write(tmp_path / case, df)
    with pytest.raises(PotashDataError) as err:
        potash.load_trade("customs_monthly", path=folder)
    e = err.value
    assert problem in str(e)
    assert e.column == column and e.row == row
    assert "tdm_fertilizer_imports.parquet" in str(e.file)


def _comex_sample(tmp_path: Path, edit) -> Path:
    lines = COMEX.read_text(encoding="utf-8").splitlines()[:8]
    lines = edit(lines)
    p = tmp_path / "imp.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("case, column, row, problem", [
    ("renamed", "KG_LIQUIDO", 1, "missing column"),
    ("unknown_country", "CO_PAIS", 3, "unknown ComexStat country code '12345'"),
    ("text_qty", "KG_LIQUIDO", 4, "not a number: 'x12'"),
    ("empty_month", "CO_MES", 5, "empty value"),
])
def test_comexstat_bad_input(tmp_path, case, column, row, problem):
    def edit(lines):
        head = lines[0].split(",")
        col = head.index(column)
        if case == "renamed":
            head[col] = "KG"
            lines[0] = ",".join(head)
        else:
            cells = lines[row - 1].split(",")
            cells[col] = {"unknown_country": "12345", "text_qty": "x12", "empty_month": ""}[case]
            lines[row - 1] = ",".join(cells)
        return lines

    p = _comex_sample(tmp_path, edit)
    with pytest.raises(PotashDataError) as err:
        potash.load_trade("comexstat", path=p)
    e = err.value
    assert problem in str(e) and e.column == column and e.row == row
    assert "imp.csv" in str(e.file)


def test_shipped_file_checksum_refused_when_changed(tmp_path, monkeypatch):
    from potash.data import datapackage

    p = TDM / "tdm_fertilizer_imports.parquet"
    bad = {**datapackage._index()}
    key = "raw/customs_partner_monthly/tdm_fertilizer_imports.parquet"
    bad[key] = {**bad[key], "hash": "sha256:" + "0" * 64}
    monkeypatch.setattr(datapackage, "_index", lambda: bad)
    with pytest.raises(PotashDataError, match="sha256 mismatch"):
        potash.load_trade("customs_monthly", path=TDM)
    assert p.is_file()


def test_implausible_unit_values_are_flagged_not_dropped() -> None:
    """Morocco's export quantities are in kilograms (USD 0.3-0.9 per 'tonne'): flagged."""
    t = potash.load_trade("customs_monthly")
    mar = t[(t["reporter_iso3"] == "MAR") & (t["quantity_t"] > 1e8)]
    assert len(mar) > 0
    assert mar["flag"].str.contains("implausible_unit_value").all()
    uv = t["value_usd"] / t["quantity_t"]
    normal = (t["quantity_t"] > 0) & (t["value_usd"] > 0) & uv.between(10, 20_000)
    assert not t.loc[normal, "flag"].fillna("").str.contains("implausible").any()
