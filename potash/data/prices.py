"""Commodity prices: World Bank Pink Sheet (monthly), USDA AMS and Ecuador MAG retail potash.

All sources come in one tidy schema ``date, series, value, unit`` with units as published.
"""

from __future__ import annotations

import datetime as dt
import re
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
    read_xlsx_sheet,
    rel,
    to_date,
    to_float,
)
from potash.data.schemas import PRICES, validate

__all__ = ["basis_changes", "load_prices", "worldbank_vintages"]

_SHEET = "Monthly Prices"
_MONTH = re.compile(r"^(\d{4})M(\d{2})$")
_MISSING = {"…", "...", ".."}
#: Series every Pink Sheet vintage must have (snake_case names).
REQUIRED_SERIES = ("potassium_chloride", "urea", "dap", "tsp", "phosphate_rock",
                   "natural_gas_europe", "natural_gas_us", "crude_brent")
_OVERRIDES = {"Crude oil, average": "crude_average", "Crude oil, Brent": "crude_brent",
              "Crude oil, Dubai": "crude_dubai", "Crude oil, WTI": "crude_wti",
              "Liquefied natural gas, Japan": "lng_japan"}


def snake_series(name: str) -> str:
    """Snake_case name of a Pink Sheet series header.

    Footnote stars and surrounding spaces are removed; the crude oils are ``crude_*``.

    Examples
    --------
    >>> snake_series("Potassium chloride **"), snake_series("Urea "), snake_series("Crude oil, Brent")
    ('potassium_chloride', 'urea', 'crude_brent')
    >>> snake_series("Rice, Thai 5% ")
    'rice_thai_5pct'
    """
    clean = name.replace("*", "").strip()
    if clean in _OVERRIDES:
        return _OVERRIDES[clean]
    s = clean.lower().replace("%", "pct").replace("&", "and")
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def worldbank_vintages() -> list[str]:
    """The shipped Pink Sheet vintages (``YYYY-MM-DD``), oldest first.

    Examples
    --------
    >>> worldbank_vintages()
    ['2026-05-04', '2026-06-02']
    """
    root = raw_path("worldbank_cmo")
    return sorted(p.name.removeprefix("vintage_") for p in root.glob("vintage_*")
                  if (p / "CMO-Historical-Data-Monthly.xlsx").is_file())


def _cell(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _parse_worldbank(path: str | Path) -> pd.DataFrame:
    p = checked_file(path)
    rows = read_xlsx_sheet(p, _SHEET)
    f = f"{rel(p)} [sheet {_SHEET!r}]"
    if len(rows) < 7:
        raise PotashDataError("sheet has fewer than 7 rows (no data)", file=f, row=len(rows))
    names, units = rows[4], rows[5]
    first = 6
    if rows[6][0] is None or not _MONTH.match(str(rows[6][0]).strip()):
        first = 7  # May 2026 vintage: a row of series codes
    cols, snakes = [], []
    for j, name in enumerate(names):
        if j == 0 or name is None or str(name).strip() == "":
            continue
        unit = units[j] if j < len(units) else None
        if unit is None or str(unit).strip() == "":
            raise PotashDataError(f"no unit for series {name!r}", file=f,
                                  column=_cell(6, j + 1), row=6)
        cols.append(j)
        snakes.append(snake_series(str(name)))
    dup = pd.Index(snakes).duplicated()
    if dup.any():
        j = cols[int(np.argmax(dup))]
        raise PotashDataError(f"series name {names[j]!r} appears twice", file=f,
                              column=_cell(5, j + 1), row=5)
    missing = [s for s in REQUIRED_SERIES if s not in snakes]
    if missing:
        raise PotashDataError(f"series {missing} not found in the header row (row 5)", file=f,
                              column=missing[0], row=5)
    data = [r for r in rows[first:] if any(c is not None for c in r)]
    if not data:
        raise PotashDataError("no monthly rows after the header", file=f, row=first + 1)
    months, dates = [], []
    for i, r in enumerate(data):
        m = _MONTH.match(str(r[0]).strip()) if r[0] is not None else None
        if m is None:
            raise PotashDataError(f"not a month in YYYYMmm form: {r[0]!r}", file=f,
                                  column=_cell(first + i + 1, 1), row=first + i + 1)
        yy, mm = int(m.group(1)), int(m.group(2))
        if not 1 <= mm <= 12:
            raise PotashDataError(f"month {mm} in {r[0]!r} is not 1..12 (form YYYYMmm)", file=f,
                                  column=_cell(first + i + 1, 1), row=first + i + 1)
        if not 1950 <= yy <= 2100:
            raise PotashDataError(f"year {yy} in {r[0]!r} is outside 1950..2100", file=f,
                                  column=_cell(first + i + 1, 1), row=first + i + 1)
        months.append(str(r[0]).strip())
        dates.append(dt.datetime(yy, mm, 1))
    dup = pd.Index(months).duplicated()
    if dup.any():
        i = int(np.argmax(dup))
        raise PotashDataError(f"month {months[i]} appears twice", file=f,
                              column=_cell(first + i + 1, 1), row=first + i + 1)
    width = max(cols) + 1
    grid = np.array([list(r[:width]) + [None] * (width - len(r)) for r in data], dtype=object)
    block = grid[:, cols]
    flat = block.ravel()
    isnum = np.fromiter((isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat),
                        bool, len(flat))
    ismiss = np.fromiter((v is None or (isinstance(v, str) and v.strip() in _MISSING) for v in flat),
                         bool, len(flat))
    bad = ~(isnum | ismiss)
    if bad.any():
        k = int(np.argmax(bad))
        i, jj = divmod(k, len(cols))
        raise PotashDataError(f"not a number: {flat[k]!r} (series {names[cols[jj]]!r})", file=f,
                              column=_cell(first + i + 1, cols[jj] + 1), row=first + i + 1)
    values = np.where(isnum, flat, np.nan).astype("float64").reshape(block.shape)
    out = pd.DataFrame({
        "date": np.repeat(np.array(dates, dtype="datetime64[ns]"), len(cols)),
        "series": np.tile(np.array(snakes, dtype=object), len(data)),
        "value": values.ravel(),
        "unit": np.tile(np.array([str(units[j]).strip().strip("()") for j in cols], dtype=object),
                        len(data)),
    })
    out = out[~np.isnan(out["value"].to_numpy())]
    out = out.sort_values(["series", "date"], kind="mergesort").reset_index(drop=True)
    out["series"] = out["series"].astype("string")
    out["unit"] = out["unit"].astype("string")
    return out


def _worldbank_file(vintage: str | None) -> Path:
    vintages = worldbank_vintages()
    if vintage is None:
        if not vintages:
            raise PotashDataError("no Pink Sheet vintage found", file=rel(raw_path("worldbank_cmo")))
        vintage = vintages[-1]
    if vintage not in vintages:
        raise ValueError(f"vintage={vintage!r} is not available; choose one of {vintages}")
    return raw_path("worldbank_cmo", f"vintage_{vintage}", "CMO-Historical-Data-Monthly.xlsx")


def _parse_usda(path: str | Path | None = None) -> pd.DataFrame:
    p = Path(path) if path is not None else raw_path(
        "usda_ams_state_fertilizer", "us_state_potash_retail_biweekly.csv")
    df = read_csv_text(p, ["date", "state", "ams_report_id", "spec", "price_avg_usd_per_short_ton"])
    f = rel(p)
    df["date"] = to_date(df, "date", f)
    df["value"] = to_float(df, "price_avg_usd_per_short_ton", f, allow_missing=False)
    grade = df["spec"].str.extract(r"\(([^)]*)\)")[0].fillna(df["spec"])
    df["series"] = ("potash_retail_" + df["state"].map(snake_series) + "_"
                    + grade.map(snake_series))
    check_unique(df, ["series", "date"], f)
    df["unit"] = "USD/short ton"
    out = df[["date", "series", "value", "unit"]].sort_values(["series", "date"], kind="mergesort")
    out = out.reset_index(drop=True)
    for c in ("series", "unit"):
        out[c] = out[c].astype("string")
    return out


def _parse_ecuador(path: str | Path | None = None) -> pd.DataFrame:
    p = checked_file(path if path is not None else raw_path(
        "ecuador_mag_sipa", "precios-agroquimicos-fertilizantes.xlsx"))
    sheet = "histórico_mensual"
    rows = read_xlsx_sheet(p, sheet)
    f = f"{rel(p)} [sheet {sheet!r}]"
    if not rows:
        raise PotashDataError("sheet is empty", file=f)
    header = rows[0]
    want = ["Grupo", "Ingrediente Activo", "Concentración", "Presentación"]
    for j, w in enumerate(want):
        if j >= len(header) or str(header[j]).strip() != w:
            raise PotashDataError(f"expected column {w!r}, found {header[j] if j < len(header) else None!r}",
                                  file=f, column=_cell(1, j + 1), row=1)
    months = []
    for j in range(4, len(header)):
        h = header[j]
        if h is None:
            break
        if not isinstance(h, dt.datetime):
            raise PotashDataError(f"month header is not a date: {h!r}", file=f,
                                  column=_cell(1, j + 1), row=1)
        months.append(h)
    products = {("Muriato de Potasio", "0-0-60"): "potassium_chloride_retail_ecuador",
                ("Urea", "46-0-0"): "urea_retail_ecuador",
                ("Fosfato Diamónico", "18-46-0"): "dap_retail_ecuador"}
    frames = []
    seen: dict[str, int] = {}
    for i, r in enumerate(rows[1:], start=2):
        if r[0] is None or str(r[0]).strip() != "Fertilizantes":
            continue
        key = (str(r[1]).strip(), str(r[2]).strip())
        if key not in products:
            continue
        name = products[key]
        if name in seen:
            raise PotashDataError(f"product {key} appears twice (also row {seen[name]})", file=f,
                                  column="B", row=i)
        seen[name] = i
        unit = str(r[3]).strip()
        vals = []
        for j, _m in enumerate(months):
            v = r[4 + j] if 4 + j < len(r) else None
            if v is None or (isinstance(v, str) and not v.strip()):
                vals.append(np.nan)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                vals.append(float(v))
            else:
                raise PotashDataError(f"not a number: {v!r}", file=f, column=_cell(i, 5 + j), row=i)
        frames.append(pd.DataFrame({"date": pd.to_datetime(months).astype("datetime64[ns]"),
                                    "series": name, "value": vals, "unit": f"USD/{unit} bag"}))
    if "potassium_chloride_retail_ecuador" not in seen:
        raise PotashDataError("row 'Fertilizantes | Muriato de Potasio | 0-0-60' not found", file=f,
                              column="B")
    out = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    out = out.sort_values(["series", "date"], kind="mergesort").reset_index(drop=True)
    for c in ("series", "unit"):
        out[c] = out[c].astype("string")
    return out


def load_prices(
    source: Literal["worldbank", "usda", "ecuador"] = "worldbank",
    vintage: str | None = None,
    *,
    path: str | Path | None = None,
) -> pd.DataFrame:
    """Load commodity prices in the tidy schema ``date, series, value, unit``.

    ``"worldbank"`` parses the Pink Sheet workbook as published (sheet "Monthly Prices": title
    rows, series names in row 5, units in row 6, an optional row of codes, then ``YYYYMmm``
    months; the text ``…`` is a missing value and gives no row). ``"usda"`` gives the USDA AMS
    bi-weekly state potash retail prices (USD per short ton, by state and grade); ``"ecuador"``
    the MAG/SIPA monthly national retail prices (USD per 50 kg bag).

    Parameters
    ----------
    source : {"worldbank", "usda", "ecuador"}
        Which price source.
    vintage : str, optional
        Pink Sheet vintage ``YYYY-MM-DD`` (see :func:`worldbank_vintages`); default the newest.
    path : str or Path, optional
        Read this file instead of the shipped one (same published layout).

    Returns
    -------
    DataFrame
        ``date`` (datetime64, first day of the month for monthly data), ``series`` (snake_case,
        e.g. ``potassium_chloride``), ``value`` (float), ``unit`` (as published, e.g. ``$/mt``).

    Examples
    --------
    >>> p = load_prices()
    >>> kcl = p[p["series"] == "potassium_chloride"].set_index("date")
    >>> float(kcl.loc["2026-05-01", "value"]), kcl.loc["2026-05-01", "unit"]
    (405.0, '$/mt')
    """
    check_option("source", source, Literal["worldbank", "usda", "ecuador"])
    if source != "worldbank" and vintage is not None:
        raise ValueError("vintage= applies to source='worldbank' only")
    if path is not None:
        parser = {"worldbank": _parse_worldbank, "usda": _parse_usda, "ecuador": _parse_ecuador}
        return validate(parser[source](path), PRICES, file=str(path))
    if source == "worldbank":
        v = _worldbank_file(vintage).parent.name.removeprefix("vintage_")
        return validate(cached(f"prices_worldbank_{v}"), PRICES, file=f"World Bank {v}")
    return validate(cached(f"prices_{source}"), PRICES, file=f"prices ({source})")


#: Known basis changes of Pink Sheet series (from the workbook's "Description" sheet).
_BASIS = [
    ("potassium_chloride", "2020-01-01", "f.o.b. Vancouver", "Brazil CFR granular spot",
     "World Bank Pink Sheet, sheet 'Description': \"Potassium chloride (muriate of potash), Brazil "
     "CFR granular spot price from January 2020; previously, f.o.b. Vancouver\""),
    ("urea", "2022-03-01", "f.o.b. Black Sea", "prill spot f.o.b. Middle East",
     "World Bank Pink Sheet, sheet 'Description': \"Urea, (Ukraine), prill spot f.o.b. Middle "
     "East, beginning March 2022; previously, f.o.b. Black Sea.\""),
]


def basis_changes() -> pd.DataFrame:
    """Known changes of the price basis of Pink Sheet series, as data.

    A break test across these dates finds the basis change, not a sanction.

    Returns
    -------
    DataFrame
        ``series, date`` (first month on the new basis), ``before``, ``after``, ``source``.

    Examples
    --------
    >>> basis_changes()[["series", "date"]]
                   series       date
    0  potassium_chloride 2020-01-01
    1                urea 2022-03-01
    """
    df = pd.DataFrame(_BASIS, columns=["series", "date", "before", "after", "source"])
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    for c in ("series", "before", "after", "source"):
        df[c] = df[c].astype("string")
    return df


register("prices_usda", _parse_usda,
         files("usda_ams_state_fertilizer", "us_state_potash_retail_biweekly.csv"))
register("prices_ecuador", _parse_ecuador,
         files("ecuador_mag_sipa", "precios-agroquimicos-fertilizantes.xlsx"))


def _worldbank_datasets() -> dict[str, tuple]:
    out = {}
    for v in worldbank_vintages():
        f = files("worldbank_cmo", f"vintage_{v}", "CMO-Historical-Data-Monthly.xlsx")
        out[f"prices_worldbank_{v}"] = (lambda f=f: _parse_worldbank(f()[0]), f)
    return out


def _worldbank_alias(name: str) -> str | None:
    """``prices`` -> the newest vintage; ``prices_worldbank_<v>`` -> that vintage's table."""
    if name != "prices" and not name.startswith("prices_worldbank_"):
        return None
    v = None if name == "prices" else name.removeprefix("prices_worldbank_")
    return "prices_worldbank_" + _worldbank_file(v).parent.name.removeprefix("vintage_")


register(provider=_worldbank_datasets, alias=_worldbank_alias)
