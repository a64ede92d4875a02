"""Trade flows in one tidy schema, from FAOSTAT, the curated table, UN Comtrade and BACI.

Schema: ``year, period, reporter_iso3, partner_iso3, flow, product, hs_code, quantity_t,
value_usd, source, flag``. Country totals have partner ``WLD``. Aggregates (World, regions, EU)
are never in the rows: they are excluded and reported (``return_excluded=True``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from .._options import check_option
from ..errors import PotashDataError
from ._common import raw_path, read_csv_text, rel, require_values
from .countries import fao_aggregate_reason, fao_area_to_iso3

__all__ = ["TRADE_COLUMNS", "load_trade"]

#: The columns of every trade table, in order.
TRADE_COLUMNS = ["year", "period", "reporter_iso3", "partner_iso3", "flow", "product", "hs_code",
                 "quantity_t", "value_usd", "source", "flag"]

#: FAOSTAT item -> (product, HS code). Nutrient items are in tonnes of nutrient.
FAO_ITEMS: dict[str, tuple[str, str | None]] = {
    "Potassium chloride (muriate of potash) (MOP)": ("potassium_chloride", "310420"),
    "Potassium sulphate (sulphate of potash) (SOP)": ("potassium_sulphate", "310430"),
    "Other potassic fertilizers, n.e.c.": ("other_potassic", "310490"),
    "Potassium nitrate": ("potassium_nitrate", "283421"),
    "PK compounds": ("pk_compounds", "310560"),
    "NPK fertilizers": ("npk", "310520"),
    "Other NK compounds": ("other_nk_compounds", None),
    "Nutrient potash K2O (total)": ("potash_k2o", None),
    "Muriate Over 45% K2o": ("muriate_over_45pct_k2o", None),
    "Muriate 20-45% K2o": ("muriate_20_45pct_k2o", None),
    "Crude Salts To 20% K2o": ("crude_salts_to_20pct_k2o", None),
    "Complex Fertilizer (K2o)": ("complex_fertilizer_k2o", None),
    "Urea": ("urea", "310210"),
    "Diammonium phosphate (DAP)": ("dap", "310530"),
    "Phosphate rock": ("phosphate_rock", "251010"),
    "Superphosphates above 35%": ("superphosphates_above_35pct", "310310"),
    "Nutrient nitrogen N (total)": ("nitrogen_n", None),
    "Nutrient phosphate P2O5 (total)": ("phosphate_p2o5", None),
}
_TRADE = {"import quantity": ("import", "q"), "export quantity": ("export", "q"),
          "import value": ("import", "v"), "export value": ("export", "v")}
_Q_UNITS = {"t", "tonnes"}
_V_UNITS = {"1000 USD", "1000 US$"}
_AGDATA = ["Area", "Year", "Item", "Measurement", "Unit", "Value"]
_UI = ["Area Code (FAO)", "Area", "Element", "Item", "Year", "Unit", "Value", "Flag"]


def _empty_excluded() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in
                         ("file", "row", "area", "item", "measurement", "year", "reason")})


def _read_fao(path: Path) -> tuple[pd.DataFrame, str]:
    """Read either the agData layout or the FAOSTAT UI export layout into one frame."""
    head = path.open("rb").read(4096)
    if path.suffix == ".gz":
        import gzip

        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(4096)
        except (OSError, EOFError):
            head = b""
    ui = b"Domain Code" in head
    df = read_csv_text(path, _UI if ui else _AGDATA)
    f = rel(path)
    if ui:
        df = df.rename(columns={"Element": "Measurement"})
    else:
        df["Flag"] = pd.NA
    require_values(df, ["Area", "Year", "Item", "Measurement", "Unit"], f)
    return df, f


def _build_faostat(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = Path(path) if path is not None else raw_path("faostat_agdata",
                                                       "agData_FAO_Fertilizers_potash.csv.gz")
    df, f = _read_fao(p)
    year = pd.to_numeric(df["Year"], errors="coerce")
    bad = year.isna() | (year % 1 != 0)
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"not a year: {df['Year'].iloc[i]!r}", file=f, column="Year",
                              row=int(df["_line"].iloc[i]))
    df["year"] = year.astype("int64")
    df["meas"] = df["Measurement"].str.strip().str.lower()
    unknown = ~df["Item"].isin(list(FAO_ITEMS))
    if unknown.any():
        i = unknown.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unknown FAOSTAT item {df['Item'].iloc[i]!r}", file=f, column="Item",
                              row=int(df["_line"].iloc[i]))
    dup = df.duplicated(["Area", "year", "Item", "meas"])
    if dup.any():
        i = dup.to_numpy().nonzero()[0][0]
        raise PotashDataError(
            f"duplicated key (Area, Year, Item, Measurement) = ({df['Area'].iloc[i]!r}, "
            f"{df['year'].iloc[i]}, {df['Item'].iloc[i]!r}, {df['Measurement'].iloc[i]!r})",
            file=f, column="Area+Year+Item+Measurement", row=int(df["_line"].iloc[i]))
    df = df[df["meas"].isin(list(_TRADE))].copy()
    text = df["Value"].astype("string").str.strip()
    val = pd.to_numeric(text, errors="coerce")
    bad = val.isna() & text.notna() & (text != "")
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"not a number: {df['Value'].iloc[i]!r}", file=f, column="Value",
                              row=int(df["_line"].iloc[i]))
    df["value"] = val.astype("float64")
    df["flow"] = df["meas"].map(lambda m: _TRADE[m][0])
    df["kind"] = df["meas"].map(lambda m: _TRADE[m][1])
    unit = df["Unit"].str.strip()
    badu = ((df["kind"] == "q") & ~unit.isin(_Q_UNITS)) | ((df["kind"] == "v") & ~unit.isin(_V_UNITS))
    if badu.any():
        i = badu.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unexpected unit {unit.iloc[i]!r} for {df['Measurement'].iloc[i]!r}",
                              file=f, column="Unit", row=int(df["_line"].iloc[i]))
    # aggregates: flagged, excluded and reported
    areas = pd.Series(df["Area"].unique())
    reasons = areas.map(fao_aggregate_reason)
    agg_names = set(areas[reasons != ""])
    is_agg = df["Area"].isin(agg_names)
    ex = df.loc[is_agg]
    excluded = pd.DataFrame({
        "file": f, "row": ex["_line"].astype("string"), "area": ex["Area"], "item": ex["Item"],
        "measurement": ex["Measurement"], "year": ex["year"].astype("string"),
        "reason": ex["Area"].map(dict(zip(areas, reasons, strict=True))),
    }).astype("string") if len(ex) else _empty_excluded()
    df = df.loc[~is_agg]
    first_line = df.groupby("Area", sort=False)["_line"].first()
    iso = fao_area_to_iso3(first_line.index, file=f, column="Area", rows=first_line.to_numpy())
    df["reporter_iso3"] = df["Area"].map(dict(zip(first_line.index, iso, strict=True)))
    df["product"] = df["Item"].map(lambda it: FAO_ITEMS[it][0])
    dup = df.duplicated(["reporter_iso3", "year", "product", "meas"])
    if dup.any():
        i = dup.to_numpy().nonzero()[0][0]
        raise PotashDataError(
            f"two area names map to {df['reporter_iso3'].iloc[i]} for the same year and item "
            f"({df['Area'].iloc[i]!r}, {df['year'].iloc[i]})",
            file=f, column="Area", row=int(df["_line"].iloc[i]))
    keys = ["reporter_iso3", "year", "product", "flow"]
    wide = df.pivot_table(index=keys, columns="kind", values="value", aggfunc="first",
                          dropna=False, observed=True)
    wide = wide.reindex(columns=["q", "v"])
    flags = (df.assign(Flag=df["Flag"].astype("string"))
             .pivot_table(index=keys, columns="kind", values="Flag", aggfunc="first", observed=True)
             .reindex(columns=["q", "v"])) if df["Flag"].notna().any() else None
    # keep only (key) combinations present in the file
    present = df.drop_duplicates(keys).set_index(keys).index
    wide = wide.reindex(present)
    out = wide.reset_index()
    out["quantity_t"] = out["q"].astype("float64")
    out["value_usd"] = out["v"].astype("float64") * 1000.0
    if flags is not None:
        fl = flags.reindex(present)
        q, v = fl["q"].astype("string"), fl["v"].astype("string")
        joined = q.where(q.isna() | v.isna() | (q == v), q + "|" + v).fillna(v)
        out["flag"] = joined.to_numpy()
    else:
        out["flag"] = pd.NA
    out["period"] = out["year"].astype("string")
    out["partner_iso3"] = "WLD"
    out["hs_code"] = out["product"].map({v[0]: v[1] for v in FAO_ITEMS.values()})
    out["source"] = "faostat"
    out = _tidy(out)
    return out, excluded.reset_index(drop=True)


def _tidy(out: pd.DataFrame) -> pd.DataFrame:
    out = out[TRADE_COLUMNS].copy()
    out.columns.name = None
    out["year"] = out["year"].astype("int64")
    for c in ("period", "reporter_iso3", "partner_iso3", "flow", "product", "hs_code", "source",
              "flag"):
        out[c] = out[c].astype("string")
    for c in ("quantity_t", "value_usd"):
        out[c] = out[c].astype("float64")
    return out.sort_values(["source", "product", "reporter_iso3", "partner_iso3", "flow", "year",
                            "period"], kind="mergesort").reset_index(drop=True)


_Source = Literal["faostat", "curated", "comtrade", "baci"]


def load_trade(
    source: _Source = "faostat",
    path: str | Path | None = None,
    *,
    return_excluded: bool = False,
    totals_only: bool = True,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load trade flows in the tidy trade schema (:data:`TRADE_COLUMNS`).

    - ``"faostat"``: FAOSTAT fertilizer trade (agData layout or the FAOSTAT UI export layout
      with flags), country totals (partner ``WLD``), quantities in tonnes (product tonnes; the
      nutrient item ``potash_k2o`` in tonnes K2O), values in USD (FAO's 1000 USD x 1000).
      Aggregates (World, regions, EU, FAO "China" = mainland + Hong Kong + Macao + Taiwan)
      are excluded and reported; "China, mainland" is ``CHN``.
    - ``"curated"``, ``"comtrade"``, ``"baci"``: see the module documentation.

    Parameters
    ----------
    source : {"faostat", "curated", "comtrade", "baci"}
        Which source.
    path : str or Path, optional
        A file (or folder) in the source's published layout; default the shipped file.
    return_excluded : bool
        Also return the excluded/dropped rows with a ``reason``.
    totals_only : bool
        Comtrade only: keep total rows (transport mode, customs procedure, second partner).

    Returns
    -------
    DataFrame or (DataFrame, DataFrame)

    Examples
    --------
    >>> t, excluded = load_trade("faostat", return_excluded=True)
    >>> blr = t[(t["reporter_iso3"] == "BLR") & (t["product"] == "potassium_chloride")
    ...         & (t["flow"] == "export") & (t["year"] == 2021)]
    >>> round(float(blr["quantity_t"].iloc[0]) / 1e6, 2)
    11.17
    >>> bool(excluded["area"].eq("World").any())
    True
    """
    check_option("source", source, _Source)
    if source == "faostat":
        if path is None:
            from .build import cached

            out, ex = cached("trade_faostat", with_dropped=True)
        else:
            out, ex = _build_faostat(path)
    else:
        raise NotImplementedError(f"source={source!r} is not implemented yet")
    return (out, ex) if return_excluded else out
