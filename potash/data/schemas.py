"""One declared schema per tidy table: columns, types, ranges and allowed values, stated once.

Every public loader checks its output against its table's schema (:func:`validate`), whether
the table came from a raw file, the processed cache or a user's ``path=`` (Parquet included),
so an impossible value (a negative or infinite quantity, a zero price, a year 3006 or 2024.5,
a month in 1815) is an error naming the file, column and row, never a silent result.

A hand-written layer rather than pandera: the checks are a few vectorised comparisons, they
must raise :class:`~potash.core.errors.PotashDataError` with the file, column and row the rest
of the package uses, and pandera would add its own error types and about a second of import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError

__all__ = ["EQUITY", "EVENTS", "PRICES", "PRODUCTION", "TRADE", "Column", "Schema", "validate"]

Kind = Literal["str", "float", "int", "date"]


@dataclass(frozen=True)
class Column:
    """One column: its kind, whether it may be missing, its range and allowed values."""

    name: str
    kind: Kind
    nullable: bool = False
    min: float | str | None = None
    max: float | str | None = None
    min_inclusive: bool = True
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Schema:
    """A tidy table: its name and columns (extra columns are allowed and not checked)."""

    name: str
    columns: tuple[Column, ...]
    optional: tuple[str, ...] = field(default=())


_ISO = r"^[A-Z][A-Z0-9]{2,3}$"  # ISO3, or the X-prefixed codes of non-country partners

PRICES = Schema("prices", (
    Column("date", "date", min="1950-01-01", max="2100-12-31"),
    Column("series", "str"),
    Column("value", "float", min=0.0, min_inclusive=False, max=1e7),
    Column("unit", "str"),
))
EQUITY = Schema("equity prices", (
    Column("date", "date", min="1950-01-01", max="2100-12-31"),
    Column("ticker", "str"),
    Column("adj_close", "float", min=0.0, min_inclusive=False, max=1e7),
))
TRADE = Schema("trade", (
    Column("year", "int", min=1900, max=2100),
    Column("period", "str", pattern=r"^\d{4}(-\d{2}|-Q[1-4]|-H[12]|/\d{4}|-\d{2}/\d{4}-\d{2})?$"),
    Column("reporter_iso3", "str", pattern=_ISO),
    Column("partner_iso3", "str", pattern=_ISO),
    Column("flow", "str", allowed=("export", "import")),
    Column("product", "str"),
    Column("hs_code", "str", nullable=True, pattern=r"^\d{2,10}$"),
    Column("quantity_t", "float", nullable=True, min=0.0, max=1e10),
    Column("value_usd", "float", nullable=True, min=0.0, max=1e13),
    Column("source", "str"),
))
PRODUCTION = Schema("production", (
    Column("year", "int", min=1900, max=2100),
    Column("country_iso3", "str", pattern=_ISO),
    Column("product", "str"),
    Column("basis", "str", allowed=("K2O", "product")),
    Column("quantity_t", "float", min=0.0, max=1e9),
    Column("source", "str"),
))
EVENTS = Schema("events", (
    Column("date", "date", min="1990-01-01", max="2100-12-31"),
    Column("event_id", "str", pattern=r"^[a-z0-9_]+$"),
    Column("label", "str"),
    Column("type", "str"),
))


def _fail(schema: Schema, file: str | None, col: str, df: pd.DataFrame, bad: np.ndarray,
          problem: str) -> PotashDataError:
    pos = int(np.flatnonzero(bad)[0])
    value = df[col].iloc[pos]
    row = df["row"].iloc[pos] if "row" in df.columns else df.index[pos]
    n = int(bad.sum())
    more = f" ({n} rows)" if n > 1 else ""
    shown = repr(value) if isinstance(value, str) else str(value)
    return PotashDataError(f"{problem}: {shown}{more} in the {schema.name} table",
                           file=file or schema.name, column=col, row=str(row))


def validate(df: pd.DataFrame, schema: Schema, *, file: str | None = None,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Check ``df`` against ``schema``; return it unchanged, or raise naming file, column, row.

    Parameters
    ----------
    df : DataFrame
        The tidy table.
    schema : Schema
        One of :data:`PRICES`, :data:`EQUITY`, :data:`TRADE`, :data:`PRODUCTION`,
        :data:`EVENTS`.
    file : str, optional
        The file the table came from (for the message).
    columns : sequence of str, optional
        Check only these columns (default: all of the schema).

    Returns
    -------
    DataFrame
        ``df`` itself.

    Raises
    ------
    PotashDataError
        A missing column, a value of the wrong type, a missing value where none is allowed,
        a non-finite or out-of-range number, a fractional year, or a value not allowed.

    Examples
    --------
    >>> ok = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"]), "series": ["urea"],
    ...                    "value": [300.0], "unit": ["$/mt"]})
    >>> validate(ok, PRICES) is ok
    True
    >>> try:
    ...     validate(ok.assign(value=[-1.0]), PRICES, file="prices.csv")
    ... except PotashDataError as e:
    ...     print(e)
    prices.csv, column 'value', row 0: not above 0.0: -1.0 in the prices table
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{schema.name}: expected a DataFrame, got {type(df).__name__}")
    wanted = schema.columns if columns is None else tuple(
        c for c in schema.columns if c.name in set(columns))
    for c in wanted:
        if c.name not in df.columns:
            raise PotashDataError(f"missing column {c.name!r} of the {schema.name} schema",
                                  file=file or schema.name, column=c.name)
        s = df[c.name]
        missing = s.isna().to_numpy()
        if missing.any() and not c.nullable:
            raise _fail(schema, file, c.name, df, missing, "missing value")
        present = ~missing
        if c.kind in ("float", "int"):
            if pd.api.types.is_bool_dtype(s):
                raise _fail(schema, file, c.name, df, present, "a boolean, not a number")
            if not pd.api.types.is_numeric_dtype(s):
                flags = s.map(lambda x: isinstance(x, bool | np.bool_)).to_numpy(dtype=bool)
                if flags.any():  # object columns only (rare): True would pass as 1.0
                    raise _fail(schema, file, c.name, df, flags, "a boolean, not a number")
                num = pd.to_numeric(s, errors="coerce")
                bad = num.isna().to_numpy() & present
                if bad.any():
                    raise _fail(schema, file, c.name, df, bad, "not a number")
                s = num
            v = s.to_numpy(dtype="float64", na_value=np.nan)
            bad = present & ~np.isfinite(v)
            if bad.any():
                raise _fail(schema, file, c.name, df, bad, "not a finite number")
            if c.kind == "int":
                bad = present & (np.floor(v) != v)
                if bad.any():
                    raise _fail(schema, file, c.name, df, bad, "not a whole number")
            if c.min is not None:
                lo = float(c.min)
                bad = present & ((v < lo) if c.min_inclusive else (v <= lo))
                if bad.any():
                    word = "below the minimum" if c.min_inclusive else "not above"
                    raise _fail(schema, file, c.name, df, bad, f"{word} {c.min}")
            if c.max is not None:
                bad = present & (v > float(c.max))
                if bad.any():
                    raise _fail(schema, file, c.name, df, bad, f"above the maximum {c.max:g}")
        elif c.kind == "date":
            if not pd.api.types.is_datetime64_any_dtype(s):
                raise PotashDataError(f"not a date column ({s.dtype})", file=file or schema.name,
                                      column=c.name)
            d = s.to_numpy()
            lo, hi = np.datetime64(str(c.min)), np.datetime64(str(c.max))
            bad = present & ((d < lo) | (d > hi))
            if bad.any():
                raise _fail(schema, file, c.name, df, bad, f"outside {c.min}..{c.max}")
        else:
            txt = s.astype("string")
            if c.allowed is not None:
                bad = present & ~txt.isin(c.allowed).to_numpy(dtype=bool, na_value=False)
                if bad.any():
                    raise _fail(schema, file, c.name, df, bad,
                                f"not one of {', '.join(c.allowed)}")
            if c.pattern is not None:
                ok = txt.str.fullmatch(c.pattern).to_numpy(dtype=bool, na_value=False)
                bad = present & ~ok
                if bad.any():
                    raise _fail(schema, file, c.name, df, bad, "malformed value")
            empty = present & (txt.str.strip() == "").to_numpy(dtype=bool, na_value=False)
            if empty.any():
                raise _fail(schema, file, c.name, df, empty, "empty string")
    return df
