"""Trade flows in one tidy schema, from FAOSTAT, the curated table, UN Comtrade and BACI.

Schema: ``year, period, reporter_iso3, partner_iso3, flow, product, hs_code, quantity_t,
value_usd, source, flag``. Country totals have partner ``WLD``. Aggregates (World, regions, EU)
are never in the rows: they are excluded and reported (``return_excluded=True``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.data._cache import cached, files, register
from potash.data._common import (
    check_unique,
    checked_file,
    raw_path,
    read_csv_text,
    rel,
    require_values,
    to_float,
)
from potash.data.countries import (
    COMTRADE_AGGREGATES,
    baci_country_table,
    fao_aggregate_reason,
    fao_area_to_iso3,
    m49_to_iso3,
    to_iso3,
)
from potash.data.periods import parse_period
from potash.data.schemas import TRADE, validate

__all__ = ["NON_REPORTING_SINCE", "TRADE_COLUMNS", "load_routes", "load_trade"]

#: Reporters that stopped publishing detailed trade, with the first year missing: their later
#: flows in FAOSTAT are FAO estimates and in customs data come from partners (mirror data).
NON_REPORTING_SINCE: dict[str, int] = {"BLR": 2022}

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
    checked_file(path)
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


def _tidy(out: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    out = out[TRADE_COLUMNS + (extra or [])].copy()
    out.columns.name = None
    out["year"] = out["year"].astype("int64")
    for c in ("period", "reporter_iso3", "partner_iso3", "flow", "product", "hs_code", "source",
              "flag"):
        out[c] = out[c].astype("string")
    for c in ("quantity_t", "value_usd"):
        out[c] = out[c].astype("float64")
    return out.sort_values(["source", "product", "reporter_iso3", "partner_iso3", "flow", "year",
                            "period"], kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------- curated
_CURATED = ["period", "exporter_iso3", "importer_iso3", "product", "value_usd", "quantity_tonnes",
            "basis", "source_url", "quote"]
_BASES = ("importer-reported", "exporter-reported", "news")
_CURATED_PRODUCTS = [  # (regex on the page's product text, product, hs_code)
    (r"all HS 31|^fertilizers", "fertilizers_hs31", "31"),
    (r"K2O", "potash_k2o_likely", "3104"),
    (r"HS 3104\b|NCM 3104\b|potash fertilizers|potassic fertilizers|potassium fertilizers",
     "potash_fertilizers", "3104"),
    (r"310420|potassium chloride|KCl|muriate of potash|MOP", "potassium_chloride", "310420"),
    (r"^potash", "potash", None),
]


def _curated_product(text: pd.Series, f: str, lines: pd.Series) -> tuple[pd.Series, pd.Series]:
    prod = pd.Series(pd.NA, index=text.index, dtype="string")
    hs = pd.Series(pd.NA, index=text.index, dtype="string")
    for rx, name, code in _CURATED_PRODUCTS:
        hit = prod.isna() & text.str.contains(rx, regex=True)
        prod[hit] = name
        hs[hit] = code
    if prod.isna().any():
        i = prod.isna().to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unknown product text {text.iloc[i]!r}", file=f, column="product",
                              row=int(lines.iloc[i]))
    return prod, hs


def _build_curated(path: str | Path | None = None) -> pd.DataFrame:
    p = Path(path) if path is not None else raw_path("bilateral_curated",
                                                       "potash_bilateral_curated.csv")
    df = read_csv_text(p, _CURATED)
    f = rel(p)
    require_values(df, ["period", "exporter_iso3", "importer_iso3", "product", "basis",
                        "source_url", "quote"], f)
    starts, ends, kinds = [], [], []
    for per, line in zip(df["period"], df["_line"], strict=True):
        try:
            s_, e_, k_ = parse_period(per)
        except ValueError as exc:
            raise PotashDataError(str(exc), file=f, column="period", row=int(line)) from None
        starts.append(s_)
        ends.append(e_)
        kinds.append(k_)
    for col in ("exporter_iso3", "importer_iso3"):
        codes = df[col].str.strip()
        try:
            to_iso3(pd.unique(codes[codes != "WLD"]), scheme="iso3")
        except PotashDataError as exc:
            bad = exc.problem.split("'")[1]
            i = (codes == bad).to_numpy().nonzero()[0][0]
            raise PotashDataError(f"unknown country code {bad!r}", file=f, column=col,
                                  row=int(df["_line"].iloc[i])) from None
    bad = ~df["basis"].isin(_BASES)
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unknown basis {df['basis'].iloc[i]!r}; allowed: {', '.join(_BASES)}",
                              file=f, column="basis", row=int(df["_line"].iloc[i]))
    q = to_float(df, "quantity_tonnes", f)
    v = to_float(df, "value_usd", f)
    none = q.isna() & v.isna()
    if none.any():
        i = none.to_numpy().nonzero()[0][0]
        raise PotashDataError("row has neither a value nor a quantity", file=f,
                              column="quantity_tonnes", row=int(df["_line"].iloc[i]))
    neg = (q < 0) | (v < 0)
    if neg.any():
        i = neg.to_numpy().nonzero()[0][0]
        raise PotashDataError("negative value or quantity", file=f, column="quantity_tonnes",
                              row=int(df["_line"].iloc[i]))
    check_unique(df, ["period", "exporter_iso3", "importer_iso3", "product", "source_url", "quote"], f)
    prod, hs = _curated_product(df["product"], f, df["_line"])
    imp = (df["basis"] == "importer-reported") | (df["exporter_iso3"] == "WLD")
    out = pd.DataFrame({
        "year": [s_.year for s_ in starts],
        "period": df["period"].str.strip(),
        "reporter_iso3": np.where(imp, df["importer_iso3"], df["exporter_iso3"]),
        "partner_iso3": np.where(imp, df["exporter_iso3"], df["importer_iso3"]),
        "flow": np.where(imp, "import", "export"),
        "product": prod.to_numpy(),
        "hs_code": hs.to_numpy(),
        "quantity_t": q.to_numpy(),
        "value_usd": v.to_numpy(),
        "source": "curated",
        "flag": pd.NA,
        "period_start": pd.DatetimeIndex(starts).astype("datetime64[ns]"),
        "period_end": pd.DatetimeIndex(ends).astype("datetime64[ns]"),
        "period_kind": kinds,
        "exporter_iso3": df["exporter_iso3"].to_numpy(),
        "importer_iso3": df["importer_iso3"].to_numpy(),
        "basis": df["basis"].to_numpy(),
        "product_text": df["product"].to_numpy(),
        "source_url": df["source_url"].to_numpy(),
        "quote": df["quote"].to_numpy(),
        "line": df["_line"].to_numpy(),
    })
    # same corridor and period from several sources: keep all, mark, never sum
    key = ["period", "exporter_iso3", "importer_iso3"]
    grp = out.groupby(key, sort=True).ngroup()
    size = out.groupby(key)["period"].transform("size")
    out["duplicate_group"] = pd.array(np.where(size > 1, grp, -1), dtype="Int64")
    out.loc[out["duplicate_group"] == -1, "duplicate_group"] = pd.NA
    n_src = out.groupby(key)["source_url"].transform("nunique")
    out["flag"] = pd.Series(
        np.where(size > 1, np.where(n_src > 1, "same_corridor_period_other_source",
                                    "same_corridor_period_same_source"), None), dtype="string")
    extra = ["period_start", "period_end", "period_kind", "exporter_iso3", "importer_iso3", "basis",
             "product_text", "source_url", "quote", "duplicate_group", "line"]
    for c in ("period_kind", "exporter_iso3", "importer_iso3", "basis", "product_text",
              "source_url", "quote"):
        out[c] = out[c].astype("string")
    res = _tidy(out, extra)
    res = res.sort_values("line", kind="mergesort").reset_index(drop=True)
    return res


# ---------------------------------------------------------------------------- routes
_ROUTES = ["period", "exporter_iso3", "route", "node", "quantity_tonnes", "measure", "basis",
           "source_url", "quote"]
#: Words (in capitals in ``measure``) marking rows that are not realised flows.
ROUTE_NOT_FLOW = ("CAPACITY", "CONTRACT", "FORECAST", "DECREASE", "ESTIMATE")


def load_routes(path: str | Path | None = None) -> pd.DataFrame:
    """Load the curated route, port and rail volumes (Klaipeda, Russian ports, rail to China).

    Parameters
    ----------
    path : str or Path, optional
        A CSV in the layout of ``data/raw/bilateral_curated/potash_routes_curated.csv``.

    Returns
    -------
    DataFrame
        ``period, period_start, period_end, period_kind`` (see :func:`parse_period`),
        ``exporter`` (``BLR`` = Belarusian cargo only, ``ALL`` = all origins, ``RUS+BLR``),
        ``route, node, quantity_t, measure, measure_kind`` (``flow`` or one of capacity,
        contract, forecast, decrease, estimate: never add those to flows), ``basis``,
        ``source_url, quote, line``. Rows without a number keep ``quantity_t`` NaN.

    Examples
    --------
    >>> r = load_routes()
    >>> sorted(r["measure_kind"].unique())
    ['capacity', 'contract', 'decrease', 'estimate', 'flow', 'forecast']
    """
    p = Path(path) if path is not None else raw_path("bilateral_curated", "potash_routes_curated.csv")
    df = read_csv_text(p, _ROUTES)
    f = rel(p)
    require_values(df, ["period", "exporter_iso3", "route", "measure", "basis", "source_url",
                        "quote"], f)
    parsed = []
    for per, line in zip(df["period"], df["_line"], strict=True):
        try:
            parsed.append(parse_period(per))
        except ValueError as exc:
            raise PotashDataError(str(exc), file=f, column="period", row=int(line)) from None
    bad = ~df["exporter_iso3"].isin(["BLR", "ALL", "RUS+BLR"])
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unknown exporter {df['exporter_iso3'].iloc[i]!r}; allowed: BLR, ALL, "
                              "RUS+BLR", file=f, column="exporter_iso3", row=int(df["_line"].iloc[i]))
    bad = ~df["basis"].isin(_BASES)
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"unknown basis {df['basis'].iloc[i]!r}", file=f, column="basis",
                              row=int(df["_line"].iloc[i]))
    q = to_float(df, "quantity_tonnes", f)
    check_unique(df, ["period", "exporter_iso3", "route", "node", "source_url", "quote"], f)
    kind = pd.Series("flow", index=df.index, dtype="string")
    for word in ROUTE_NOT_FLOW:
        kind = kind.mask(df["measure"].str.contains(rf"\b{word}\b", regex=True), word.lower())
    out = pd.DataFrame({
        "period": df["period"].astype("string"),
        "period_start": pd.DatetimeIndex([x[0] for x in parsed]).astype("datetime64[ns]"),
        "period_end": pd.DatetimeIndex([x[1] for x in parsed]).astype("datetime64[ns]"),
        "period_kind": pd.array([x[2] for x in parsed], dtype="string"),
        "exporter": df["exporter_iso3"].astype("string").to_numpy(),
        "route": df["route"].astype("string").to_numpy(),
        "node": df["node"].astype("string").to_numpy(),
        "quantity_t": q.to_numpy(),
        "measure": df["measure"].astype("string").to_numpy(),
        "measure_kind": kind.to_numpy(),
        "basis": df["basis"].astype("string").to_numpy(),
        "source_url": df["source_url"].astype("string").to_numpy(),
        "quote": df["quote"].astype("string").to_numpy(),
        "line": df["_line"].to_numpy(),
    })
    return out


# -------------------------------------------------------------------------- comtrade
_LEGACY = {  # legacy Comtrade bulk / API v0 CSV column -> API v1 field
    "Year": "refYear", "Period": "period", "Trade Flow Code": "flowCode",
    "Reporter Code": "reporterCode", "Partner Code": "partnerCode",
    "2nd Partner Code": "partner2Code", "Customs Proc. Code": "customsCode",
    "Mode of Transport Code": "motCode", "Commodity Code": "cmdCode", "Qty Unit": "qtyUnitAbbr",
    "Qty": "qty", "Netweight (kg)": "netWgt", "Trade Value (US$)": "primaryValue",
    "Flag": "flag",
}
_LEGACY_FLOW = {"1": "M", "2": "X", "3": "RX", "4": "RM"}
_V1_REQUIRED = ["refYear", "period", "reporterCode", "partnerCode", "flowCode", "cmdCode",
                "netWgt", "primaryValue"]
_HS_PRODUCTS = {"3104": "potash_fertilizers", "310420": "potassium_chloride",
                "310430": "potassium_sulphate", "310490": "other_potassic", "310520": "npk",
                "310560": "pk_compounds", "3105": "mixed_fertilizers", "283421": "potassium_nitrate"}


def hs_product(codes: pd.Series) -> pd.Series:
    """Product name of HS codes: potash codes by name, others ``hs_<code>``.

    Examples
    --------
    >>> hs_product(pd.Series(["310420", "1201"])).tolist()
    ['potassium_chloride', 'hs_1201']
    """
    c = codes.astype("string")
    return c.map(lambda x: _HS_PRODUCTS.get(x, f"hs_{x}")).astype("string")


def _read_comtrade(path: Path) -> tuple[pd.DataFrame, str]:
    import json

    f = rel(path)
    checked_file(path)
    if path.suffix.lower() == ".json":
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise PotashDataError(f"not valid JSON (truncated?): {exc.msg}", file=f,
                                  row=exc.lineno) from None
        recs = obj.get("data") if isinstance(obj, dict) else obj
        if not isinstance(recs, list):
            raise PotashDataError("no 'data' list of records", file=f, column="data")
        if not recs:
            raise PotashDataError("the 'data' list is empty (no records)", file=f, column="data")
        df = pd.DataFrame.from_records(recs)
        df["_line"] = np.arange(1, len(df) + 1)  # record number
        missing = [c for c in _V1_REQUIRED if c not in df.columns]
        if missing:
            raise PotashDataError(f"missing field(s) {missing}", file=f, column=missing[0], row=1)
        return df, f
    head = path.read_text(encoding="utf-8-sig", errors="replace")[:2000]
    legacy = "Trade Flow Code" in head.splitlines()[0] if head else False
    df = read_csv_text(path, list(_LEGACY) if legacy else _V1_REQUIRED)
    if legacy:
        df = df.rename(columns=_LEGACY)
        df["flowCode"] = df["flowCode"].map(_LEGACY_FLOW).fillna(df["flowCode"])
    return df, f


def _build_comtrade(path: str | Path, totals_only: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = Path(path)
    df, f = _read_comtrade(p)
    lines = df["_line"]
    monthly = comtrade_monthly(df, df["period"], file=f, rows=lines.to_numpy())

    def num(col: str, default: float | None = None) -> pd.Series:
        if col not in df.columns:
            return pd.Series(default, index=df.index, dtype="float64")
        if df[col].dtype == object or str(df[col].dtype) in ("str", "string"):
            return to_float(df.assign(**{col: df[col].astype("string")}), col, f)
        return pd.to_numeric(df[col], errors="coerce").astype("float64")

    def whole(col: str, s: pd.Series) -> pd.Series:
        frac = s.notna() & (s != np.floor(s))
        if frac.any():
            i = int(frac.to_numpy().nonzero()[0][0])
            raise PotashDataError(
                f"not a whole-number code: {df[col].iloc[i]!r} (Comtrade codes are integers)",
                file=f,
                column=col,
                row=int(lines.iloc[i]),
            )
        return s

    mot, p2 = whole("motCode", num("motCode", 0)), whole("partner2Code", num("partner2Code", 0))
    customs = df["customsCode"].astype("string").str.strip() if "customsCode" in df else "C00"
    mos = df["mosCode"].astype("string").str.strip() if "mosCode" in df else "0"
    flow = df["flowCode"].astype("string").str.strip()
    reasons = pd.Series("", index=df.index, dtype="string")
    if totals_only:
        reasons = reasons.mask(mot.fillna(0) != 0, "breakdown row: motCode != 0 (mode of transport)")
        reasons = reasons.mask((reasons == "") & (pd.Series(customs, index=df.index).fillna("C00") != "C00"),
                               "breakdown row: customsCode != C00 (customs procedure)")
        reasons = reasons.mask((reasons == "") & (p2.fillna(0) != 0),
                               "breakdown row: partner2Code != 0 (second partner)")
        reasons = reasons.mask((reasons == "") & (pd.Series(mos, index=df.index).fillna("0") != "0"),
                               "breakdown row: mosCode != 0 (mode of supply)")
    reasons = reasons.mask((reasons == "") & ~flow.isin(["X", "M"]),
                           "flow is not export (X) or import (M)")
    rep = whole("reporterCode", num("reporterCode"))
    par = whole("partnerCode", num("partnerCode"))
    for col, s in (("reporterCode", rep), ("partnerCode", par)):
        if s.isna().any():
            i = s.isna().to_numpy().nonzero()[0][0]
            raise PotashDataError("missing country code", file=f, column=col, row=int(lines.iloc[i]))
    par_agg = par.astype("int64").isin([c for c in COMTRADE_AGGREGATES if c != 0])
    reasons = reasons.mask((reasons == "") & par_agg, "partner is an aggregate or 'nes' area")
    keep = reasons == ""
    dropped = pd.DataFrame({"file": f, "row": lines.astype("string"),
                            "reporterCode": rep.astype("Int64").astype("string"),
                            "partnerCode": par.astype("Int64").astype("string"),
                            "cmdCode": df["cmdCode"].astype("string"),
                            "reason": reasons})[~keep].reset_index(drop=True)
    d = df[keep]
    ln = lines[keep].to_numpy()
    rep_iso = m49_to_iso3(rep[keep].astype("int64"), file=f, column="reporterCode", rows=ln)
    par_iso = m49_to_iso3(par[keep].astype("int64"), file=f, column="partnerCode", rows=ln)
    if rep_iso.isna().any() or (rep_iso == "WLD").any():
        i = (rep_iso.isna() | (rep_iso == "WLD")).to_numpy().nonzero()[0][0]
        raise PotashDataError("reporter is an aggregate", file=f, column="reporterCode", row=int(ln[i]))
    netw = num("netWgt")[keep]
    qty = num("qty")[keep]
    unit = (d["qtyUnitAbbr"].astype("string") if "qtyUnitAbbr" in d else
            pd.Series("kg", index=d.index, dtype="string"))
    kg = netw.where(netw > 0, qty.where(unit == "kg"))
    year = whole("refYear", num("refYear"))[keep]
    if year.isna().any():
        i = year.isna().to_numpy().nonzero()[0][0]
        raise PotashDataError("missing year", file=f, column="refYear", row=int(ln[i]))
    per = d["period"].astype("string").str.strip()
    per = per.where(per.str.len() != 6, per.str[:4] + "-" + per.str[4:])
    cmd = d["cmdCode"].astype("string").str.strip()
    est = pd.Series(False, index=d.index)
    for c in ("isQtyEstimated", "isNetWgtEstimated"):
        if c in d:
            est = est | d[c].astype("string").str.lower().isin(["true", "1"])
    flag = pd.Series(np.where(est, "estimated", None), index=d.index, dtype="string")
    if "flag" in d:
        flag = flag.fillna(d["flag"].astype("string"))
    out = pd.DataFrame({
        "year": year.astype("int64").to_numpy(), "period": per.to_numpy(),
        "reporter_iso3": rep_iso.to_numpy(), "partner_iso3": par_iso.to_numpy(),
        "flow": np.where(flow[keep] == "X", "export", "import"),
        "product": hs_product(cmd).to_numpy(), "hs_code": cmd.to_numpy(),
        "quantity_t": (kg / 1000.0).to_numpy(), "value_usd": num("primaryValue")[keep].to_numpy(),
        "source": "comtrade", "flag": flag.to_numpy(),
    })
    extra: list[str] = []
    if not totals_only:
        out["motCode"] = mot[keep].fillna(0).astype("int64").to_numpy()
        out["customsCode"] = pd.Series(customs, index=df.index)[keep].astype("string").to_numpy()
        out["partner2Code"] = p2[keep].fillna(0).astype("int64").to_numpy()
        out["mosCode"] = pd.Series(mos, index=df.index)[keep].astype("string").to_numpy()
        extra = ["motCode", "customsCode", "partner2Code", "mosCode"]
    dup = out.duplicated(["year", "period", "reporter_iso3", "partner_iso3", "flow", "hs_code", *extra])
    if dup.any():
        i = dup.to_numpy().nonzero()[0][0]
        raise PotashDataError("duplicated total row (reporter, partner, flow, commodity, period)",
                              file=f, column="cmdCode", row=int(ln[i]))
    out = _tidy(out, extra)
    if monthly:  # the monthly schema of the partner customs sources (potash.data.customs)
        out.insert(out.columns.get_loc("value_usd") + 1, "value_basis",
                   comtrade_value_basis(out["flow"]))
    return out, dropped


def comtrade_monthly(records: pd.DataFrame, period: pd.Series, *, file: str,
                     rows: np.ndarray | None = None) -> bool:
    """Whether Comtrade records are monthly (``freqCode`` "M", or ``YYYYMM`` periods).

    Monthly records load into the monthly trade schema (``period`` ``YYYY-MM`` and a
    ``value_basis`` column, as :mod:`potash.data.customs`); annual ones into the annual trade
    schema. A file mixing the two is an error naming the first record of the minority kind.

    Examples
    --------
    >>> comtrade_monthly(pd.DataFrame({"freqCode": ["M"]}), pd.Series(["202403"]), file="x")
    True
    >>> comtrade_monthly(pd.DataFrame({"freqCode": ["A"]}), pd.Series(["2024"]), file="x")
    False
    """
    per = period.astype("string").str.strip()
    if "freqCode" in records.columns:
        is_m = (records["freqCode"].astype("string").str.strip().str.upper() == "M").to_numpy()
    else:
        is_m = (per.str.len() == 6).fillna(False).to_numpy(dtype=bool)
    bad_period = is_m & ~per.str.fullmatch(r"\d{4}(0[1-9]|1[0-2])").fillna(False).to_numpy(dtype=bool)
    lines = np.arange(1, len(per) + 1) if rows is None else np.asarray(rows)
    if bad_period.any():
        i = int(bad_period.nonzero()[0][0])
        raise PotashDataError(f"a monthly record needs a YYYYMM period, got {per.iloc[i]!r}",
                              file=file, column="period", row=int(lines[i]))
    if is_m.any() and not is_m.all():
        minority = ~is_m if is_m.sum() * 2 >= len(is_m) else is_m
        i = int(minority.nonzero()[0][0])
        raise PotashDataError("the file mixes annual and monthly records: load them apart",
                              file=file, column="freqCode" if "freqCode" in records else "period",
                              row=int(lines[i]))
    return bool(is_m.all()) and len(is_m) > 0


def comtrade_value_basis(flow: pd.Series) -> pd.Series:
    """Value basis of Comtrade's ``primaryValue``: CIF for imports, FOB for exports.

    Examples
    --------
    >>> comtrade_value_basis(pd.Series(["import", "export"])).tolist()
    ['CIF', 'FOB']
    """
    return pd.Series(np.where(flow.astype("string") == "import", "CIF", "FOB"),
                     index=flow.index, dtype="string")


# ------------------------------------------------------------------------------ BACI
_BACI = ["t", "i", "j", "k", "v", "q"]


def _build_baci(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = Path(path)
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in ("file", "row", "reason")})
    if p.is_dir():
        return _read_trade_parquet(p), empty
    checked_file(p)
    with p.open("rb") as fh:
        magic = fh.read(4)
    if p.suffix.lower() == ".zip" or magic == b"PK\x03\x04":
        raise PotashDataError(
            "this is a zip archive (the BACI download), not a BACI CSV: ingest it first with "
            "potash.ingest_baci(archive, out_dir) and pass out_dir, or extract one "
            "BACI_HS*_Y*.csv and pass that",
            file=rel(p),
        )
    df = read_csv_text(p, _BACI)
    f = rel(p)
    require_values(df, ["t", "i", "j", "k", "v"], f)
    for col in ("t", "i", "j"):
        bad = ~df[col].str.strip().str.fullmatch(r"\d+")
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise PotashDataError(f"not an integer: {df[col].iloc[i]!r}", file=f, column=col,
                                  row=int(df["_line"].iloc[i]))
    k = df["k"].str.strip()
    bad = ~k.str.fullmatch(r"\d{5,6}")
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"not an HS6 code: {df['k'].iloc[i]!r}", file=f, column="k",
                              row=int(df["_line"].iloc[i]))
    k = k.str.zfill(6)
    v = to_float(df, "v", f, allow_missing=False)
    qtext = df["q"].astype("string").str.strip().replace({"NA": pd.NA, "": pd.NA})
    q = to_float(df.assign(q=qtext), "q", f)
    table = baci_country_table().to_dict()
    codes = {}
    for col in ("i", "j"):
        c = df[col].astype("int64")
        unknown = ~c.isin(list(table))
        if unknown.any():
            i = unknown.to_numpy().nonzero()[0][0]
            raise PotashDataError(f"unknown BACI country code {int(c.iloc[i])} (not in "
                                  "baci_dictionaries/country_codes.csv)", file=f, column=col,
                                  row=int(df["_line"].iloc[i]))
        codes[col] = c.map(table)
    out = pd.DataFrame({
        "year": df["t"].astype("int64"), "period": df["t"].str.strip(),
        "reporter_iso3": codes["i"], "partner_iso3": codes["j"], "flow": "export",
        "product": hs_product(k), "hs_code": k, "quantity_t": q, "value_usd": v * 1000.0,
        "source": "baci", "flag": pd.NA,
    })
    dup = df.duplicated(["t", "i", "j", "k"])
    if dup.any():
        i = dup.to_numpy().nonzero()[0][0]
        raise PotashDataError("duplicated key (t, i, j, k)", file=f, column="t+i+j+k",
                              row=int(df["_line"].iloc[i]))
    return _tidy(out), empty


def _read_trade_parquet(folder: Path) -> pd.DataFrame:
    """Read a folder of (year-partitioned) Parquet files in the trade schema."""
    import pyarrow.dataset as ds

    files = sorted(folder.rglob("*.parquet"))
    if not files:
        raise PotashDataError("no .parquet files in the folder", file=rel(folder))
    dset = ds.dataset([str(x) for x in files], format="parquet",
                      partitioning=ds.partitioning(flavor="hive"), partition_base_dir=str(folder))
    df = dset.to_table().to_pandas()
    missing = [c for c in TRADE_COLUMNS if c not in df.columns]
    if missing:
        raise PotashDataError(f"missing column(s) {missing} of the trade schema", file=rel(folder),
                              column=missing[0])
    return _tidy(df)


_Source = Literal["faostat", "curated", "comtrade", "baci", "customs_monthly", "comexstat"]


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
    - ``"curated"``: the hand-curated bilateral table; each figure is one row, importer-reported
      figures as ``flow="import"`` by the importer, others as exports by the exporter. Extra
      columns: ``period_start``, ``period_end``, ``period_kind`` (year, month, quarter, half,
      range, annual_average, split_year; see :func:`parse_period`), ``exporter_iso3``,
      ``importer_iso3``, ``basis``, ``product_text``, ``source_url``, ``quote``,
      ``duplicate_group`` and ``line``. Rows giving the same corridor and period from different
      sources all stay, share a ``duplicate_group`` and carry
      ``flag="same_corridor_period_other_source"``: never sum them.
    - ``"comtrade"`` (``path`` required): UN Comtrade API v1 JSON (``{"data": [...]}``), the
      API/UI CSV with the same fields, or the legacy bulk CSV. Only totals are kept
      (``motCode == 0``, ``customsCode == "C00"``, ``partner2Code == 0``, ``mosCode == "0"``)
      unless ``totals_only=False``; breakdown rows and aggregate partners are reported as
      dropped. With ``totals_only=False`` all rows are kept, with the extra columns ``motCode,
      customsCode, partner2Code, mosCode`` (never sum across them: the breakdowns are nested).
      Net weight kg -> tonnes; ``partnerCode`` 0 -> ``WLD``. Monthly records (``freqCode``
      "M", ``fetch_comtrade(freq="M")``) load into the monthly schema of the customs sources:
      ``period`` ``YYYY-MM`` and ``value_basis`` (CIF for imports, FOB for exports, Comtrade's
      ``primaryValue``); a file mixing annual and monthly records is an error.
    - ``"baci"`` (``path`` required): a BACI CSV ``t,i,j,k,v,q`` (v thousand USD -> USD, q tonnes,
      HS codes as 6-character strings, country codes via the BACI dictionary, exporter as
      reporter), or a folder of year-partitioned Parquet files already in the trade schema.
    - ``"customs_monthly"``, ``"comexstat"``: monthly partner customs data (mirror data: Belarus
      does not report), with ``period`` ``YYYY-MM`` and ``value_basis``; see
      :mod:`potash.data.customs`.

    Parameters
    ----------
    source : {"faostat", "curated", "comtrade", "baci", "customs_monthly", "comexstat"}
        Which source.
    path : str or Path, optional
        A file (or folder) in the source's published layout; default the shipped file
        (FAOSTAT, curated).
    return_excluded : bool
        Also return the excluded/dropped rows with a ``reason``.
    totals_only : bool
        Comtrade only: keep total rows only.

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
    >>> c = load_trade("curated")
    >>> c.loc[c["period"] == "2021-Q1", "period_end"].iloc[0].date()
    datetime.date(2021, 3, 31)
    """
    check_option("source", source, _Source)
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in ("file", "row", "reason")})
    if source == "faostat":
        if path is None:
            out, ex = cached("trade_faostat", with_dropped=True)
        else:
            out, ex = _build_faostat(path)
    elif source == "curated":
        if path is None:
            out = cached("trade_curated")
        else:
            out = _build_curated(path)
        ex = empty
    elif source in ("customs_monthly", "comexstat"):
        from potash.data.customs import _load_customs

        out, ex = _load_customs(source, path)
    elif path is None:
        raise ValueError(f"source={source!r} needs path= (no {source} file is shipped)")
    elif source == "comtrade":
        out, ex = _build_comtrade(path, totals_only=totals_only)
    else:
        out, ex = _build_baci(path)
    validate(out, TRADE, file=str(path) if path is not None else f"trade ({source})")
    return (out, ex) if return_excluded else out


register("trade_faostat", _build_faostat,
         files("faostat_agdata", "agData_FAO_Fertilizers_potash.csv.gz"))
register("trade_curated", _build_curated,
         files("bilateral_curated", "potash_bilateral_curated.csv"))
