"""Test-only helper: the FAOSTAT MOP export table in the trade schema, read from the raw file.

Used as an independent reference for the package loader (and as the panel source until the
loader landed). Aggregates ("(excluding intra-trade)") are dropped; country names are mapped
to ISO3 with the BACI country dictionary shipped in data/raw, plus the agData short names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
_EXTRA = {
    "Russia": "RUS",
    "USA": "USA",
    "UK": "GBR",
    "Iran": "IRN",
    "North Korea": "PRK",
    "Republic of Korea": "KOR",
    "Republic of Moldova": "MDA",
    "Syrian Arab Republic": "SYR",
    "Lao People's Democratic Republic": "LAO",
    "Viet Nam": "VNM",
    "Netherlands (Kingdom of the)": "NLD",
    "Taiwan": "TWN",
    "Hong Kong": "HKG",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "United Republic of Tanzania": "TZA",
    "Democratic Republic of the Congo": "COD",
    "Congo": "COG",
    "Cote d'Ivoire": "CIV",
    "Czechia": "CZE",
    "TÃ¼rkiye": "TUR",
    "Serbia and Montenegro": "SCG",
    "North Macedonia": "MKD",
    "Brunei Darussalam": "BRN",
    "Eswatini": "SWZ",
    "Central African Republic": "CAF",
    "Dominican Republic": "DOM",
    "United Arab Emirates": "ARE",
    "Bosnia and Herzegovina": "BIH",
}


def faostat_mop_exports() -> pd.DataFrame:
    raw = pd.read_csv(RAW / "faostat_agdata" / "agData_FAO_Fertilizers_MOP.csv")
    raw = raw[~raw["Area"].str.contains("excluding intra-trade")]
    codes = pd.read_csv(RAW / "baci_dictionaries" / "country_codes.csv", encoding="utf-8-sig")
    names = dict(zip(codes["country_name_abbreviation"], codes["iso_3digit_alpha"], strict=False))
    names |= _EXTRA
    q = raw[raw["Measurement"] == "Export quantity"].set_index(["Area", "Year"])["Value"]
    v = raw[raw["Measurement"] == "Export value"].set_index(["Area", "Year"])["Value"] * 1000
    df = pd.concat({"quantity_t": q, "value_usd": v}, axis=1).reset_index()
    iso = df["Area"].map(names)
    if iso.isna().any():
        raise ValueError(f"unmapped FAOSTAT areas: {sorted(df['Area'][iso.isna()].unique())}")
    return pd.DataFrame(
        {
            "year": df["Year"].astype(int),
            "period": df["Year"].astype(str),
            "reporter_iso3": iso,
            "partner_iso3": "WLD",
            "flow": "export",
            "product": "potassium_chloride",
            "hs_code": "310420",
            "quantity_t": df["quantity_t"].astype(float),
            "value_usd": df["value_usd"].astype(float),
            "source": "faostat",
            "flag": pd.NA,
        }
    )
