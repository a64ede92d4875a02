"""Monthly partner customs data in the trade schema: TDM partner customs files and Brazil ComexStat.

Belarus does not report its trade: its exports are seen only through its partners' imports
(mirror data). Both sources here are partner-reported, monthly, and keep each reporter's value
basis (``FOB`` or ``CIF``) visible.

Schema (monthly trade): :data:`MONTHLY_COLUMNS` = the trade schema ``year, period,
reporter_iso3, partner_iso3, flow, product, hs_code, quantity_t, value_usd, source, flag`` with
``period`` a month ``YYYY-MM`` and ``value_basis`` after ``value_usd``. Partners that are not
countries keep pseudo codes (``XXX`` = not declared; see
:data:`potash.data.countries.CUSTOMS_PSEUDO_ISO3`), never dropped.

- ``load_trade("customs_monthly")``: ``data/raw/customs_partner_monthly`` (imports of 14
  importers by origin, exports of 14 exporters by destination, HS4 3101-3105, 2014-01..2026-04).
  Extra columns ``reporter_name, partner_name, row`` (the 1-based row in the Parquet file).
- ``load_trade("comexstat")``: ``data/raw/brazil_comexstat/imp_fert_cat.csv`` (Brazil, 8 states,
  seven NCM codes, 1997-01..2024-07), or with ``path=`` a ComexStat bulk ``IMP_YYYY.csv``.
  ``value_usd`` is FOB; extra columns ``freight_usd, insurance_usd, state, customs_office,
  comexstat_country, row``.

Flags (``|``-joined): ``belgium_belarus_zero_value`` (an artefact, see SOURCE.md),
``repeated_key`` (same reporter, partner, heading and month twice), ``zero_quantity`` (value but
no tonnes), ``implausible_unit_value`` (USD per tonne outside :data:`UNIT_VALUE_RANGE`: mostly
quantities in kilograms, e.g. Morocco's exports). Flagged rows are kept; analyses of unit
values or tonnes should leave them out and say so.

A row is absent when the flow is zero or not reported: use :func:`customs_coverage` to tell the
two apart (a missing month is a zero only if the reporter reported other partners that month).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.data._cache import cached, register
from potash.data._common import checked_file, raw_path, read_csv_text, rel, require_values, to_float
from potash.data.countries import COMEXSTAT_OVERRIDES, customs_name_to_iso3

__all__ = [
    "COMEXSTAT_NCM",
    "MONTHLY_COLUMNS",
    "VALUE_BASIS",
    "customs_coverage",
    ]

#: Columns of every monthly trade table, in order (the trade schema plus ``value_basis``).
MONTHLY_COLUMNS = ["year", "period", "reporter_iso3", "partner_iso3", "flow", "product",
                   "hs_code", "quantity_t", "value_usd", "value_basis", "source", "flag"]

#: Value basis per (reporter ISO3, flow) as documented in the folder's SOURCE.md: exports FOB;
#: imports CIF ("typically CIF for importers such as China, India, US") except Brazil, FOB.
VALUE_BASIS: dict[str, str] = {"BRA": "FOB"}
_DEFAULT_IMPORT_BASIS = "CIF"
_EXPORT_BASIS = "FOB"

_CUSTOMS_DIR = "customs_partner_monthly"
_CUSTOMS_FILES = {"import": "tdm_fertilizer_imports.parquet",
                  "export": "tdm_fertilizer_exports.parquet"}
_CUSTOMS_REQUIRED = ["REPORTER", "PARTNER", "COMMODITY", "YEAR", "MONTH", "VALUE", "QTY1"]
_HS4_PRODUCTS = {"3101": "organic_fertilizers", "3102": "nitrogenous_fertilizers",
                 "3103": "phosphatic_fertilizers", "3104": "potash_fertilizers",
                 "3105": "mixed_fertilizers"}

_COMEX_DIR = "brazil_comexstat"
#: ComexStat NCM codes of the shipped file -> product.
COMEXSTAT_NCM = {"31042090": "potassium_chloride", "31021010": "urea",
                 "31022100": "ammonium_sulphate", "31052000": "npk", "31054000": "map",
                 "31055900": "np", "31059090": "nk"}
_COMEX_REQUIRED = ["CO_ANO", "CO_MES", "CO_NCM", "SG_UF_NCM", "CO_PAIS", "CO_URF",
                   "KG_LIQUIDO", "VL_FOB", "VL_FRETE", "VL_SEGURO"]

_EXCLUDED = ["file", "row", "reporter", "partner", "commodity", "period", "reason"]


def _empty_excluded() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in _EXCLUDED})


def _customs_inputs() -> list[Path]:
    return [raw_path(_CUSTOMS_DIR, f) for f in _CUSTOMS_FILES.values()]


def _comexstat_inputs() -> list[Path]:
    return [raw_path(_COMEX_DIR, "imp_fert_cat.csv"), raw_path(_COMEX_DIR, "PAIS.csv")]


def _first(mask: pd.Series | np.ndarray) -> int:
    return int(np.asarray(mask).nonzero()[0][0])


def _int_column(df: pd.DataFrame, col: str, f: str) -> pd.Series:
    """An integer column (year, month) from numbers or text; empty or non-integer cells raise."""
    require_values(df, [col], f)
    s = df[col]
    num = pd.to_numeric(s.astype("string").str.strip(), errors="coerce")
    bad = num.isna() | (num % 1 != 0)
    if bad.any():
        i = _first(bad)
        raise PotashDataError(f"not an integer: {s.iloc[i]!r}", file=f, column=col,
                              row=int(df["_line"].iloc[i]))
    return num.astype("int64")


def _number(df: pd.DataFrame, col: str, f: str) -> pd.Series:
    """A required numeric column: numbers stay, text is parsed; missing or non-numeric raises."""
    s = df[col]
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        out = s.astype("float64")
        if out.isna().any():
            i = _first(out.isna())
            raise PotashDataError("missing number", file=f, column=col,
                                  row=int(df["_line"].iloc[i]))
        return out
    return to_float(df.assign(**{col: s.astype("string")}), col, f, allow_missing=False)


def _period(year: pd.Series, month: pd.Series, df: pd.DataFrame, f: str, col: str) -> pd.Series:
    bad = (month < 1) | (month > 12)
    if bad.any():
        i = _first(bad)
        raise PotashDataError(f"month out of range 1-12: {month.iloc[i]}", file=f, column=col,
                              row=int(df["_line"].iloc[i]))
    return (year.astype("string") + "-" + month.astype("string").str.zfill(2)).astype("string")


def _join_flags(*parts: tuple[pd.Series, str]) -> pd.Series:
    idx = parts[0][0].index
    out = pd.Series("", index=idx, dtype="object")
    for mask, name in parts:
        m = mask.to_numpy()
        cur = out.to_numpy()
        out = pd.Series(np.where(m, np.where(cur == "", name, cur + "|" + name), cur), index=idx)
    return out.replace("", pd.NA).astype("string")


# ------------------------------------------------------------------- TDM partner customs
def _read_customs_file(path: Path) -> tuple[pd.DataFrame, str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = checked_file(path)
    f = rel(p)
    try:
        table = pq.read_table(p)
    except (pa.ArrowInvalid, OSError) as exc:
        raise PotashDataError(f"cannot read as Parquet (truncated or corrupt?): {exc}",
                              file=f) from None
    df = table.to_pandas()
    missing = [c for c in _CUSTOMS_REQUIRED if c not in df.columns]
    if missing:
        raise PotashDataError(f"missing column(s) {missing}; found {list(df.columns)}", file=f,
                              column=missing[0], row=1)
    if df.empty:
        raise PotashDataError("file has no data rows", file=f, row=1)
    df["_line"] = np.arange(1, len(df) + 1)
    return df, f


def _build_customs_one(path: Path, flow: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    df, f = _read_customs_file(path)
    require_values(df, ["REPORTER", "PARTNER", "COMMODITY"], f)
    year = _int_column(df, "YEAR", f)
    month = _int_column(df, "MONTH", f)
    period = _period(year, month, df, f, "MONTH")
    value = _number(df, "VALUE", f)
    qty = _number(df, "QTY1", f)
    for col, s in (("VALUE", value), ("QTY1", qty)):
        if (s < 0).any():
            i = _first(s < 0)
            raise PotashDataError(f"negative number: {s.iloc[i]}", file=f, column=col,
                                  row=int(df["_line"].iloc[i]))
    hs = df["COMMODITY"].astype("string").str.strip()
    heading = hs.isin(list(_HS4_PRODUCTS))
    excluded = pd.DataFrame({
        "file": f, "row": df["_line"].astype("string"), "reporter": df["REPORTER"],
        "partner": df["PARTNER"], "commodity": hs, "period": period,
        "reason": "not an HS4 heading 3101-3105 (compiler's residual code, e.g. 'Other "
                  "Fertilizer')",
    }).loc[~heading].astype("string") if (~heading).any() else _empty_excluded()
    d = df.loc[heading]
    lines = d["_line"].to_numpy()
    rep = customs_name_to_iso3(d["REPORTER"], file=f, column="REPORTER", rows=lines)
    par = customs_name_to_iso3(d["PARTNER"], file=f, column="PARTNER", rows=lines)
    if rep.str.startswith("X").any():
        i = _first(rep.str.startswith("X"))
        raise PotashDataError(f"reporter is not a country: {d['REPORTER'].iloc[i]!r}", file=f,
                              column="REPORTER", row=int(lines[i]))
    out = pd.DataFrame({
        "year": year[heading].to_numpy(), "period": period[heading].to_numpy(),
        "reporter_iso3": rep.to_numpy(), "partner_iso3": par.to_numpy(), "flow": flow,
        "product": hs[heading].map(_HS4_PRODUCTS).to_numpy(), "hs_code": hs[heading].to_numpy(),
        "quantity_t": qty[heading].to_numpy(), "value_usd": value[heading].to_numpy(),
        "source": "customs_monthly",
        "reporter_name": d["REPORTER"].to_numpy(), "partner_name": d["PARTNER"].to_numpy(),
        "row": lines,
    })
    out["value_basis"] = (_EXPORT_BASIS if flow == "export" else
                          out["reporter_iso3"].map(VALUE_BASIS).fillna(_DEFAULT_IMPORT_BASIS))
    keys = ["reporter_name", "partner_name", "hs_code", "period"]
    artefact = ((out["reporter_iso3"] == "BEL") & (out["partner_iso3"] == "BLR")
                & (out["hs_code"] == "3104") & (out["value_usd"] == 0) & (flow == "export"))
    out["flag"] = _join_flags(
        (artefact, "belgium_belarus_zero_value"),
        (out.duplicated(keys, keep=False), "repeated_key"),
        ((out["quantity_t"] == 0) & (out["value_usd"] > 0), "zero_quantity"),
        (_implausible_unit_value(out), "implausible_unit_value"),
    )
    return out, excluded


#: Unit values outside this range (USD per tonne) cannot be fertilizer in tonnes: most are
#: quantities reported in kilograms (Morocco's and several EU exporters' files), some tiny
#: sample shipments. They are kept and flagged, never rescaled by guess.
UNIT_VALUE_RANGE = (10.0, 20_000.0)


def _implausible_unit_value(out: pd.DataFrame) -> pd.Series:
    q, v = out["quantity_t"].astype("float64"), out["value_usd"].astype("float64")
    uv = v / q.where(q > 0)
    lo, hi = UNIT_VALUE_RANGE
    return ((q > 0) & (v > 0) & ((uv < lo) | (uv > hi))).fillna(False)


def _tidy(out: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    out = out[MONTHLY_COLUMNS + extra].copy()
    out["year"] = out["year"].astype("int64")
    for c in ("period", "reporter_iso3", "partner_iso3", "flow", "product", "hs_code",
              "value_basis", "source", "flag"):
        out[c] = out[c].astype("string")
    for c in ("quantity_t", "value_usd"):
        out[c] = out[c].astype("float64")
    return out.sort_values(["flow", "reporter_iso3", "hs_code", "period", "partner_iso3", "row"],
                           kind="mergesort").reset_index(drop=True)


def _build_customs_monthly(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = Path(path) if path is not None else raw_path(_CUSTOMS_DIR)
    parts, exs = [], []
    for flow, name in _CUSTOMS_FILES.items():
        o, e = _build_customs_one(folder / name, flow)
        parts.append(o)
        exs.append(e)
    out = _tidy(pd.concat(parts, ignore_index=True),
                ["reporter_name", "partner_name", "row"])
    for c in ("reporter_name", "partner_name"):
        out[c] = out[c].astype("string")
    out["row"] = out["row"].astype("int64")
    return out, pd.concat(exs, ignore_index=True).astype("string")


# ------------------------------------------------------------------------- ComexStat
@functools.lru_cache(maxsize=2)
def _pais_table(path: str) -> dict[str, str]:
    p = checked_file(path)
    df = _read_semicolon(p, ["CO_PAIS", "CO_PAIS_ISOA3"])
    f = rel(p)
    code = df["CO_PAIS"].str.strip().str.zfill(3)
    iso = df["CO_PAIS_ISOA3"].str.strip()
    table = {}
    for c, i3, line in zip(code, iso, df["_line"], strict=True):
        if c in COMEXSTAT_OVERRIDES:
            table[c] = COMEXSTAT_OVERRIDES[c]
        elif len(i3) == 3 and i3.isalpha() and i3.isupper() and i3 != "ZZZ":
            table[c] = i3
        else:
            raise PotashDataError(f"no ISO3 for ComexStat country {c} ({i3!r}); add it to "
                                  "COMEXSTAT_OVERRIDES in potash/data/countries.py", file=f,
                                  column="CO_PAIS_ISOA3", row=int(line))
    return table


def _read_semicolon(p: Path, required: list[str]) -> pd.DataFrame:
    import io

    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    df = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise PotashDataError(f"missing column(s) {missing}; found {list(df.columns)}",
                              file=rel(p), column=missing[0], row=1)
    if df.empty:
        raise PotashDataError("file has a header but no data rows", file=rel(p), row=2)
    df["_line"] = np.arange(2, len(df) + 2)
    return df


def comexstat_country_to_iso3(codes: pd.Series, *, file: str | None = None,
                              rows: np.ndarray | None = None,
                              pais: str | Path | None = None) -> pd.Series:
    """Map ComexStat ``CO_PAIS`` codes to ISO3 through the shipped ``PAIS.csv``.

    Codes are zero-padded to three digits. Codes without an ISO code in PAIS.csv (``ZZZ``) map
    through :data:`potash.data.countries.COMEXSTAT_OVERRIDES`: ``999`` "Nao Declarados" (origin
    not declared) is ``XXX``, kept as its own code. An unknown code raises.

    Examples
    --------
    >>> comexstat_country_to_iso3(pd.Series(["85", "149", "676", "999"])).tolist()
    ['BLR', 'CAN', 'RUS', 'XXX']
    """
    table = _pais_table(str(pais if pais is not None else raw_path(_COMEX_DIR, "PAIS.csv")))
    c = codes.astype("string").str.strip().str.zfill(3)
    bad = ~c.isin(list(table))
    if bad.any():
        i = _first(bad)
        raise PotashDataError(f"unknown ComexStat country code {codes.iloc[i]!r} (not in "
                              "PAIS.csv)", file=file, column="CO_PAIS",
                              row=int(rows[i]) if rows is not None else None)
    return c.map(table).astype("string")


def _build_comexstat(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = Path(path) if path is not None else raw_path(_COMEX_DIR, "imp_fert_cat.csv")
    checked_file(p)
    head = p.open("rb").read(2000).decode("latin-1", errors="replace").splitlines()[0]
    if ";" in head:  # a ComexStat bulk file IMP_YYYY.csv (all NCM codes, all states)
        df = _read_semicolon(p, _COMEX_REQUIRED)
    else:
        df = read_csv_text(p, _COMEX_REQUIRED)
    f = rel(p)
    require_values(df, ["CO_NCM", "SG_UF_NCM", "CO_PAIS", "CO_URF"], f)
    ncm = df["CO_NCM"].str.strip().str.zfill(8)
    keep = ncm.isin(list(COMEXSTAT_NCM))
    excluded = _empty_excluded()
    if (~keep).any():  # only in a bulk file: one summary row per NCM code left out
        ex = df.loc[~keep].assign(ncm=ncm[~keep]).groupby("ncm", sort=True)["_line"]
        excluded = pd.DataFrame({
            "file": f, "row": ex.first().astype("string").to_numpy(), "reporter": "Brazil",
            "partner": pd.NA, "commodity": ex.first().index.to_numpy(), "period": pd.NA,
            "reason": [f"NCM code not among the {len(COMEXSTAT_NCM)} fertilizer codes "
                       f"({n} rows)" for n in ex.size().to_numpy()],
        }).astype("string")
    d = df.loc[keep]
    ncm = ncm[keep]
    year = _int_column(d, "CO_ANO", f)
    month = _int_column(d, "CO_MES", f)
    period = _period(year, month, d, f, "CO_MES")
    nums = {c: to_float(d, c, f, allow_missing=False)
            for c in ("KG_LIQUIDO", "VL_FOB", "VL_FRETE", "VL_SEGURO")}
    lines = d["_line"].to_numpy()
    par = comexstat_country_to_iso3(d["CO_PAIS"], file=f, rows=lines)
    out = pd.DataFrame({
        "year": year.to_numpy(), "period": period.to_numpy(), "reporter_iso3": "BRA",
        "partner_iso3": par.to_numpy(), "flow": "import",
        "product": ncm.map(COMEXSTAT_NCM).to_numpy(), "hs_code": ncm.to_numpy(),
        "quantity_t": (nums["KG_LIQUIDO"] / 1000.0).to_numpy(),
        "value_usd": nums["VL_FOB"].to_numpy(), "value_basis": "FOB", "source": "comexstat",
        "freight_usd": nums["VL_FRETE"].to_numpy(), "insurance_usd": nums["VL_SEGURO"].to_numpy(),
        "state": d["SG_UF_NCM"].str.strip().to_numpy(),
        "customs_office": d["CO_URF"].str.strip().to_numpy(),
        "comexstat_country": d["CO_PAIS"].str.strip().str.zfill(3).to_numpy(), "row": lines,
    })
    # rows are not unique on (period, NCM, state, origin, office): the bulk file's other
    # dimensions (transport mode, unit) were summed away by the copier; sum them, never pick one
    out["flag"] = _join_flags(((out["quantity_t"] == 0) & (out["value_usd"] > 0), "zero_quantity"))
    extra = ["freight_usd", "insurance_usd", "state", "customs_office", "comexstat_country", "row"]
    out = _tidy(out, extra)
    for c in ("freight_usd", "insurance_usd"):
        out[c] = out[c].astype("float64")
    for c in ("state", "customs_office", "comexstat_country"):
        out[c] = out[c].astype("string")
    out["row"] = out["row"].astype("int64")
    return out, excluded


# -------------------------------------------------------------------------- dispatch
_CustomsSource = Literal["customs_monthly", "comexstat"]


def _load_customs(source: _CustomsSource, path: str | Path | None = None,
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Table and excluded rows of one monthly source (the processed cache when ``path`` is None)."""
    check_option("source", source, _CustomsSource)
    if path is None:
        out, ex = cached(f"trade_{source}", with_dropped=True)
        return out, (ex if ex is not None else _empty_excluded())
    if source == "customs_monthly":
        return _build_customs_monthly(path)
    return _build_comexstat(path)


# -------------------------------------------------------------------------- coverage
def customs_coverage(
    source: _CustomsSource = "customs_monthly",
    *,
    hs_code: str | None = None,
    trade: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Which months each reporter covers, per flow (a missing month is not a zero).

    A reporter "reported" a month when it has at least one row that month (any partner; any
    heading unless ``hs_code`` is given). A flow absent in a reported month is a zero; absent in
    an unreported month it is unknown.

    Parameters
    ----------
    source : {"customs_monthly", "comexstat"}
        Which source (ComexStat has the one reporter ``BRA``, 8 states).
    hs_code : str, optional
        Count only rows of this code (``"3104"``; ``"31042090"`` for ComexStat).
    trade : DataFrame, optional
        A table from ``load_trade(source)`` (default: load it).

    Returns
    -------
    DataFrame
        ``source, reporter_iso3, flow, period, reported, n_partners, n_rows``: one row per
        reporter, flow and month from the source's first to its last month (``reported`` False
        with zero counts where the reporter has no row).

    Examples
    --------
    >>> cov = customs_coverage()
    >>> chn = cov[(cov["reporter_iso3"] == "CHN") & (cov["flow"] == "import") & cov["reported"]]
    >>> chn["period"].max()
    '2026-03'
    """
    check_option("source", source, _CustomsSource)
    t = trade if trade is not None else _load_customs(source)[0]
    if hs_code is not None:
        t = t[t["hs_code"] == str(hs_code)]
    months = pd.period_range(t["period"].min(), t["period"].max(), freq="M").strftime("%Y-%m")
    g = (t.groupby(["reporter_iso3", "flow", "period"], observed=True)
         .agg(n_partners=("partner_iso3", "nunique"), n_rows=("partner_iso3", "size")))
    pairs = t[["reporter_iso3", "flow"]].drop_duplicates().sort_values(["reporter_iso3", "flow"])
    idx = pd.MultiIndex.from_tuples(
        [(r, fl, m) for r, fl in pairs.itertuples(index=False) for m in months],
        names=["reporter_iso3", "flow", "period"])
    out = g.reindex(idx, fill_value=0).reset_index()
    out.insert(0, "source", source)
    out.insert(4, "reported", out["n_rows"] > 0)
    for c in ("source", "reporter_iso3", "flow", "period"):
        out[c] = out[c].astype("string")
    out["n_partners"] = out["n_partners"].astype("int64")
    out["n_rows"] = out["n_rows"].astype("int64")
    return out


# ------------------------------------------------------------------------ mirror check

register("trade_customs_monthly", _build_customs_monthly, _customs_inputs)
register("trade_comexstat", _build_comexstat, _comexstat_inputs)
