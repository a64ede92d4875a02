"""Potash production by country (USGS MCS 2026, FAOSTAT, World Mining Data) and the K2O basis.

Production is reported either in tonnes of **K2O** (nutrient content: USGS, World Mining Data,
FAOSTAT "Nutrient potash K2O (total)") or in tonnes of **product** (FAOSTAT fertilizer
products such as MOP). The two bases are never added; :func:`kcl_to_k2o`, :func:`k2o_to_kcl`
and :func:`convert_basis` are the only way between them.

K2O content of potassium chloride (source of the factors):

- pure KCl: 2 x 39.098 + 15.999 = 94.195 g K2O per 2 x 74.551 = 149.102 g KCl, i.e.
  **63.17 %** K2O (atomic weights, IUPAC);
- standard (red) muriate of potash, grade 0-0-60: **60 %** K2O; white (soluble) MOP, grade
  0-0-62: **62 %** K2O (the fertilizer grade is the guaranteed K2O content; USGS Mineral
  Commodity Summaries, Potash: "muriate of potash ... 60% to 62% K2O"; the USDA AMS grades in
  ``data/raw/usda_ams_state_fertilizer``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.data._cache import cached, register
from potash.data._common import raw_path, read_csv_text, rel, to_float
from potash.data.countries import fao_aggregate_reason, fao_area_to_iso3
from potash.data.schemas import PRODUCTION, validate

__all__ = ["K2O_CONTENT", "PRODUCTION_COLUMNS", "convert_basis", "k2o_to_kcl", "kcl_to_k2o",
           "load_production"]

#: Columns of the production table (``flag`` is an extra column: estimate, source note).
PRODUCTION_COLUMNS = ["year", "country_iso3", "product", "basis", "quantity_t", "source", "flag"]

#: Share of K2O in potassium chloride products (see the module docstring for the source).
K2O_CONTENT = {"standard": 0.60, "white": 0.62, "pure": 94.195 / 149.102}

_Grade = Literal["standard", "white", "pure"]


def _content(grade: _Grade | float) -> float:
    if isinstance(grade, str):
        check_option("grade", grade, _Grade)
        return K2O_CONTENT[grade]
    g = float(grade)
    if not 0 < g <= K2O_CONTENT["pure"]:
        raise ValueError(f"grade={grade!r}: a K2O share must be in (0, {K2O_CONTENT['pure']:.4f}]")
    return g


def kcl_to_k2o(quantity_t: float | np.ndarray | pd.Series, grade: _Grade | float = "standard"):
    """Tonnes of KCl product -> tonnes of K2O.

    Parameters
    ----------
    quantity_t : float or array-like
        Tonnes of potassium chloride product.
    grade : {"standard", "white", "pure"} or float
        K2O share: standard MOP 0.60, white MOP 0.62, pure KCl 0.6317, or a number.

    Returns
    -------
    float or array-like
        Tonnes of K2O.

    Examples
    --------
    >>> kcl_to_k2o(1000.0)
    600.0
    >>> round(kcl_to_k2o(1000.0, "pure"), 1)
    631.7
    """
    return quantity_t * _content(grade)


def k2o_to_kcl(quantity_t: float | np.ndarray | pd.Series, grade: _Grade | float = "standard"):
    """Tonnes of K2O -> tonnes of KCl product (inverse of :func:`kcl_to_k2o`).

    Parameters
    ----------
    quantity_t : float or array-like
        Tonnes of K2O.
    grade : {"standard", "white", "pure"} or float
        K2O share of the product.

    Returns
    -------
    float or array-like
        Tonnes of potassium chloride product.

    Examples
    --------
    >>> k2o_to_kcl(600.0)
    1000.0
    """
    return quantity_t / _content(grade)


def convert_basis(
    df: pd.DataFrame, to: Literal["K2O", "product"], grade: _Grade | float = "standard"
) -> pd.DataFrame:
    """Convert potassium chloride rows of a production table to another basis.

    Only ``product == "potassium_chloride"`` (basis product) and K2O totals (basis K2O,
    product ``potash``, converted to ``potassium_chloride``) can be converted; any other product
    raises, because its K2O content is not a single known number.

    Parameters
    ----------
    df : DataFrame
        A production table (:func:`load_production`).
    to : {"K2O", "product"}
        The target basis.
    grade : {"standard", "white", "pure"} or float
        K2O share of the potassium chloride product.

    Returns
    -------
    DataFrame
        A copy with ``quantity_t``, ``basis`` (and ``product``) converted and ``flag`` noting the
        conversion.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2022], "country_iso3": ["BLR"], "product": ["potassium_chloride"],
    ...                   "basis": ["product"], "quantity_t": [1000.0], "source": ["x"], "flag": [None]})
    >>> r = convert_basis(t, "K2O").iloc[0]
    >>> r["product"], r["basis"], float(r["quantity_t"])
    ('potash', 'K2O', 600.0)
    """
    check_option("to", to, Literal["K2O", "product"])
    out = df.copy()
    share = _content(grade)
    todo = out["basis"] != to
    if to == "K2O":
        ok = todo & (out["product"] == "potassium_chloride")
        factor, new_product = share, "potash"
    else:
        ok = todo & (out["product"] == "potash")
        factor, new_product = 1.0 / share, "potassium_chloride"
    bad = todo & ~ok
    if bad.any():
        r = out.loc[bad].iloc[0]
        raise PotashDataError(
            f"cannot convert product {r['product']!r} (basis {r['basis']}) to {to}: only potassium "
            "chloride has a known K2O content", file="production", column="product",
            row=out.index[bad][0])
    out.loc[ok, "quantity_t"] = out.loc[ok, "quantity_t"] * factor
    out.loc[ok, "basis"] = to
    out.loc[ok, "product"] = new_product
    note = f"converted to {to} at {share:.4f} K2O"
    flag = out["flag"].astype("string") if "flag" in out else pd.Series(pd.NA, index=out.index,
                                                                        dtype="string")
    out["flag"] = flag.mask(ok, (flag.fillna("") + ";" + note).str.lstrip(";"))
    return out


def _empty_excluded() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in ("file", "row", "area", "reason")})


def _usgs(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = read_csv_text(path, ["country", "prod_2024_kt_k2o", "prod_2025e_kt_k2o"])
    f = rel(path)
    agg = df["country"].str.match(r"^(Other countries|World)")
    ex = pd.DataFrame({"file": f, "row": df.loc[agg, "_line"].astype("string"),
                       "area": df.loc[agg, "country"],
                       "reason": "aggregate (world total or other countries)"}).astype("string")
    d = df[~agg]
    iso = fao_area_to_iso3(d["country"], file=f, column="country", rows=d["_line"].to_numpy(),
                           fao_china=False)
    frames = []
    for col, year, flag in (("prod_2024_kt_k2o", 2024, pd.NA), ("prod_2025e_kt_k2o", 2025, "estimate")):
        q = to_float(d, col, f)
        frames.append(pd.DataFrame({"year": year, "country_iso3": iso.to_numpy(), "product": "potash",
                                    "basis": "K2O", "quantity_t": (q * 1000.0).to_numpy(),
                                    "source": "usgs_mcs2026", "flag": flag}))
    return pd.concat(frames, ignore_index=True), ex


def _wmd(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = read_csv_text(path, ["Country", "unit", "2011", "2015"])
    f = rel(path)
    bad = df["unit"].str.strip() != "metr. t"
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unexpected unit {df['unit'].iloc[i]!r} (expected 'metr. t' K2O)",
                              file=f, column="unit", row=int(df["_line"].iloc[i]))
    agg = df["Country"].str.strip() == "Total"
    ex = pd.DataFrame({"file": f, "row": df.loc[agg, "_line"].astype("string"),
                       "area": df.loc[agg, "Country"], "reason": "aggregate (total)"}).astype("string")
    d = df[~agg].copy()
    names = d["Country"].str.replace(r", Europe$", "", regex=True)
    iso = fao_area_to_iso3(names, file=f, column="Country", rows=d["_line"].to_numpy(),
                           fao_china=False)
    years = [c for c in d.columns if c.isdigit()]
    frames = []
    for y in years:
        q = to_float(d, y, f)
        frames.append(pd.DataFrame({"year": int(y), "country_iso3": iso.to_numpy(), "product": "potash",
                                    "basis": "K2O", "quantity_t": q.to_numpy(), "source": "wmd2017",
                                    "flag": d.get("Sources of data", pd.Series(pd.NA, index=d.index)).to_numpy()}))
    out = pd.concat(frames, ignore_index=True)
    return out[out["quantity_t"].notna()], ex


def _fao_production(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from potash.data.trade import FAO_ITEMS, _read_fao

    df, f = _read_fao(path)
    df["meas"] = df["Measurement"].str.strip().str.lower()
    df = df[df["meas"] == "production"].copy()
    unknown = ~df["Item"].isin(list(FAO_ITEMS))
    if unknown.any():
        i = unknown.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unknown FAOSTAT item {df['Item'].iloc[i]!r}", file=f, column="Item",
                              row=int(df["_line"].iloc[i]))
    bad = ~df["Unit"].str.strip().isin(["t", "tonnes"])
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unexpected unit {df['Unit'].iloc[i]!r}", file=f, column="Unit",
                              row=int(df["_line"].iloc[i]))
    reasons = df["Area"].map(fao_aggregate_reason)
    agg = reasons != ""
    ex = pd.DataFrame({"file": f, "row": df.loc[agg, "_line"].astype("string"),
                       "area": df.loc[agg, "Area"], "reason": reasons[agg]}).astype("string")
    d = df[~agg]
    iso = fao_area_to_iso3(d["Area"], file=f, column="Area", rows=d["_line"].to_numpy())
    prod = d["Item"].map(lambda it: FAO_ITEMS[it][0])
    k2o = prod.isin(["potash_k2o"]) | d["Item"].str.contains("K2o", regex=False)
    year = pd.to_numeric(d["Year"], errors="coerce")
    if year.isna().any():
        i = year.isna().to_numpy().nonzero()[0][0]
        raise PotashDataError(f"not a year: {d['Year'].iloc[i]!r}", file=f, column="Year",
                              row=int(d["_line"].iloc[i]))
    out = pd.DataFrame({
        "year": year.astype("int64").to_numpy(), "country_iso3": iso.to_numpy(),
        "product": np.where(prod == "potash_k2o", "potash", prod),
        "basis": np.where(k2o, "K2O", "product"),
        "quantity_t": to_float(d, "Value", f).to_numpy(), "source": "faostat",
        "flag": d["Flag"].astype("string").to_numpy(),
    })
    return out, ex


def _production_inputs() -> list[Path]:
    return [raw_path("usgs_mcs2026_potash", "mcs2026_potash_world_production.csv"),
            raw_path("wmd_world_mining_data",
                     "6.4.Production_of_Mineral_Raw_Materials_of_individual_Countries_by_Minerals__Potash.csv"),
            raw_path("faostat_agdata", "agData_FAO_Fertilizers_potash.csv.gz")]


def _tidy(out: pd.DataFrame) -> pd.DataFrame:
    out = out[PRODUCTION_COLUMNS].copy()
    out["year"] = out["year"].astype("int64")
    for c in ("country_iso3", "product", "basis", "source", "flag"):
        out[c] = out[c].astype("string")
    out["quantity_t"] = out["quantity_t"].astype("float64")
    return out.sort_values(["source", "product", "country_iso3", "year"], kind="mergesort").reset_index(drop=True)


def _check_dups(out: pd.DataFrame) -> None:
    dup = out.duplicated(["source", "year", "country_iso3", "product", "basis"])
    if dup.any():
        r = out[dup].iloc[0]
        raise PotashDataError(
            f"two rows for {r['country_iso3']} {r['year']} {r['product']} (two names for one country?)",
            file=r["source"], column="country_iso3")


def _build_production() -> tuple[pd.DataFrame, pd.DataFrame]:
    usgs, wmd, fao = _production_inputs()
    parts = [_usgs(usgs), _wmd(wmd), _fao_production(fao)]
    out = _tidy(pd.concat([p[0] for p in parts], ignore_index=True))
    _check_dups(out)
    ex = pd.concat([p[1] for p in parts], ignore_index=True).reset_index(drop=True)
    return out, ex


def load_production(
    source: Literal["all", "usgs", "wmd", "faostat"] = "all",
    *,
    path: str | Path | None = None,
    return_excluded: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Potash production by country and year.

    Sources: ``usgs_mcs2026`` (world mine production 2024 and 2025e, thousand t K2O x 1000;
    2025 rows flagged ``estimate``), ``wmd2017`` (World Mining Data, 2011-2015, t K2O) and
    ``faostat`` (FAOSTAT ``Production``: MOP and other products in product tonnes, the nutrient
    total as product ``potash`` in t K2O). Aggregates (world totals, "Other countries", FAO
    regions and FAO "China" = mainland + Hong Kong + Macao + Taiwan) are excluded and reported.

    Parameters
    ----------
    source : {"all", "usgs", "wmd", "faostat"}
        Which source(s).
    path : str or Path, optional
        A file in the layout of the chosen single source (not with ``"all"``).
    return_excluded : bool
        Also return the excluded aggregate rows.

    Returns
    -------
    DataFrame or (DataFrame, DataFrame)
        ``year, country_iso3, product, basis ("K2O" | "product"), quantity_t, source, flag``.
        Never add rows of different ``basis``; use :func:`convert_basis`.

    Examples
    --------
    >>> p = load_production("usgs")
    >>> p[(p["country_iso3"] == "BLR")][["year", "basis", "quantity_t"]].values.tolist()
    [[2024, 'K2O', 5000000.0], [2025, 'K2O', 6000000.0]]
    """
    check_option("source", source, Literal["all", "usgs", "wmd", "faostat"])
    readers = {"usgs": _usgs, "wmd": _wmd, "faostat": _fao_production}
    if path is not None:
        if source == "all":
            raise ValueError("path= needs a single source ('usgs', 'wmd' or 'faostat')")
        out, ex = readers[source](Path(path))
        out = _tidy(out)
        _check_dups(out)
    else:
        out, ex = cached("production", with_dropped=True)
        if source != "all":
            name = {"usgs": "usgs_mcs2026", "wmd": "wmd2017", "faostat": "faostat"}[source]
            out = out[out["source"] == name].reset_index(drop=True)
    validate(out, PRODUCTION, file=str(path) if path is not None else "production")
    return (out, ex) if return_excluded else out


register("production", _build_production, _production_inputs)
