"""Shared helpers of the loaders: reading raw files with clear errors, checking values."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.paths import project_root, raw_dir


def rel(path: str | Path) -> str:
    """Return ``path`` relative to the project root when it is inside it (for messages)."""
    p = Path(path).resolve()
    try:
        return p.relative_to(project_root()).as_posix()
    except ValueError:
        return str(p)


def raw_path(*parts: str) -> Path:
    """Return a path inside ``data/raw``."""
    return raw_dir().joinpath(*parts)


def checked_file(path: str | Path) -> Path:
    """Return ``path`` after checking it exists, is not empty and (if shipped) its sha256."""
    from potash.data.datapackage import verify_if_registered

    p = Path(path)
    try:
        if p.is_dir():
            raise PotashDataError("is a folder, not a file: give the path of the file", file=rel(p))
        if not p.is_file():
            raise PotashDataError(
                "file not found: check the path (relative paths are read from the current folder)",
                file=rel(p),
            )
        if p.stat().st_size == 0:
            raise PotashDataError("file is empty (0 bytes)", file=rel(p))
        verify_if_registered(p)  # reads a shipped file to hash it: before anything else
        with p.open("rb") as fh:
            fh.read(1)
    except PermissionError:
        raise PotashDataError(
            "cannot read the file (permission denied): check its permissions, e.g. chmod u+r",
            file=rel(p),
        ) from None
    except OSError as exc:
        raise PotashDataError(f"cannot read the file: {exc.strerror or exc}", file=rel(p)) from None
    return p


def read_csv_text(
    path: str | Path,
    required: Sequence[str],
    *,
    encoding: str = "utf-8-sig",
    keep_default_na: bool = False,
) -> pd.DataFrame:
    """Read a CSV (optionally .gz) as strings, check columns and completeness of rows.

    The returned frame has a column ``_line`` with the 1-based line number in the file.
    """
    p = checked_file(path)
    raw = p.read_bytes()
    if p.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise PotashDataError(
                f"cannot decompress the gzip file (truncated or corrupt): {exc}", file=rel(p)
            ) from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise PotashDataError(f"not {encoding} text: {exc}", file=rel(p)) from None
    if not text.strip():
        raise PotashDataError("file is empty (no header row)", file=rel(p))
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=keep_default_na,
            na_values=[""] if not keep_default_na else None,
        )
    except pd.errors.ParserError as exc:
        import re

        m = re.search(r"line (\d+), saw (\d+)", str(exc))
        raise PotashDataError(
            f"cannot parse as CSV: {str(exc).strip()}",
            file=rel(p),
            row=int(m.group(1)) if m else None,
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise PotashDataError(
            f"missing column(s) {missing}; found {list(df.columns)}",
            file=rel(p),
            column=missing[0],
            row=1,
        )
    if df.empty:
        raise PotashDataError("file has a header but no data rows", file=rel(p), row=2)
    df["_line"] = np.arange(2, len(df) + 2)
    # a truncated last line has fewer fields: pandas fills them with NaN
    if not text.endswith(("\n", "\r")):
        last = df.iloc[-1]
        empty = [c for c in required if pd.isna(last[c])]
        if empty:
            raise PotashDataError(
                "last line is incomplete (file truncated?)",
                file=rel(p),
                column=empty[0],
                row=int(last["_line"]),
            )
    return df


def require_values(df: pd.DataFrame, columns: Iterable[str], file: str) -> None:
    """Raise if any of ``columns`` has an empty cell."""
    for col in columns:
        bad = df[col].isna() | (df[col].astype("string").str.strip() == "")
        if bad.any():
            line = int(df.loc[bad, "_line"].iloc[0])
            raise PotashDataError(
                "empty value where one is required", file=file, column=col, row=line
            )


def to_float(df: pd.DataFrame, col: str, file: str, *, allow_missing: bool = True) -> pd.Series:
    """Convert a text column to float; a non-numeric cell raises naming its row."""
    s = df[col]
    text = s.astype("string").str.strip().str.replace(",", "", regex=False)
    out = pd.to_numeric(text, errors="coerce").astype("float64")
    given = text.notna() & (text != "")
    bad = given & out.isna()
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(
            f"not a number: {s.iloc[i]!r}", file=file, column=col, row=int(df["_line"].iloc[i])
        )
    if not allow_missing and (~given).any():
        i = (~given).to_numpy().nonzero()[0][0]
        raise PotashDataError("missing number", file=file, column=col, row=int(df["_line"].iloc[i]))
    return out


def to_date(df: pd.DataFrame, col: str, file: str, fmt: str = "%Y-%m-%d") -> pd.Series:
    """Parse dates with a fixed format; a bad cell raises naming its row."""
    s = df[col].astype("string").str.strip()
    out = pd.to_datetime(s, format=fmt, errors="coerce")
    bad = out.isna()
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(
            f"not a date in format {fmt}: {df[col].iloc[i]!r}",
            file=file,
            column=col,
            row=int(df["_line"].iloc[i]),
        )
    far = ((out < pd.Timestamp("1900-01-01")) | (out > pd.Timestamp("2100-12-31"))).to_numpy()
    if far.any():
        i = far.nonzero()[0][0]
        raise PotashDataError(
            f"date outside 1900-01-01..2100-12-31: {df[col].iloc[i]!r}",
            file=file,
            column=col,
            row=int(df["_line"].iloc[i]),
        )
    return out.astype("datetime64[ns]")


def check_unique(df: pd.DataFrame, keys: Sequence[str], file: str) -> None:
    """Raise if the key columns repeat, naming the first repeated row."""
    dup = df.duplicated(list(keys), keep="first")
    if dup.any():
        i = dup.to_numpy().nonzero()[0][0]
        first = df.duplicated(list(keys), keep=False) & ~dup
        key_vals = tuple(df[k].iloc[i] for k in keys)
        same = df.loc[first & (df[list(keys)] == df[list(keys)].iloc[i]).all(axis=1), "_line"]
        also = f" (same as row {int(same.iloc[0])})" if len(same) else ""
        raise PotashDataError(
            f"duplicated key {dict(zip(keys, key_vals, strict=True))}{also}",
            file=file,
            column=keys[0] if len(keys) == 1 else "+".join(keys),
            row=int(df["_line"].iloc[i]),
        )


def read_xlsx_sheet(path: Path, sheet: str) -> list[tuple]:
    """All rows (values only) of one sheet of an xlsx workbook, with clear errors.

    A truncated or corrupt workbook and a missing sheet raise :class:`PotashDataError` naming
    the file (and the sheets it has).
    """
    import zipfile

    import openpyxl

    f = rel(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise PotashDataError(
            f"cannot open as an xlsx workbook (truncated or corrupt?): {exc}", file=f
        ) from None
    try:
        if sheet not in wb.sheetnames:
            raise PotashDataError(f"sheet {sheet!r} not found; sheets: {wb.sheetnames}", file=f)
        return list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()


def as_names(
    value: object, name: str, *, allow_empty: bool = False, allow_dupes: bool = False
) -> list[str]:
    """Return a list of names from one name or a sequence of names (issue 14).

    A single string is one name (``"NTR"`` is ``["NTR"]``, never ``["N", "T", "R"]``). Empty or
    blank names, non-strings and repeats are errors naming the argument ``name``.
    """
    if isinstance(value, str):
        items: list[object] = [value]
    elif value is None:
        raise ValueError(f"{name}: give a name or a list of names, got None")
    elif isinstance(value, pd.Series | pd.Index | np.ndarray):
        items = list(np.asarray(value, dtype=object).ravel())
    else:
        try:
            items = list(value)  # type: ignore[call-overload]
        except TypeError:
            raise ValueError(
                f"{name}: give a name or a list of names, got {type(value).__name__} {value!r}"
            ) from None
    out: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, np.str_):
            item = str(item)
        if not isinstance(item, str):
            raise ValueError(
                f"{name}[{i}]: a name must be a string, got {type(item).__name__} {item!r}"
            )
        if not item.strip():
            raise ValueError(f"{name}[{i}]: empty name {item!r}")
        if item in out and not allow_dupes:
            raise ValueError(f"{name}: {item!r} is given twice")
        out.append(item)
    if not out and not allow_empty:
        raise ValueError(f"{name}: no names given (empty list)")
    return out


def parse_dates(values: Sequence[object], file: str, column: str = "date") -> pd.Series:
    """Parse dates one by one with errors naming the row (1-based): unreadable, out of range
    (pandas' ``OutOfBoundsDatetime``) or timezone-aware values are refused."""
    values = list(values)
    try:
        fast = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")
        if isinstance(fast.dtype, np.dtype) and fast.dtype.kind == "M" and not fast.isna().any():
            years = fast.dt.year
            if not any(getattr(v, "tzinfo", None) is not None for v in values) and bool(
                ((years >= 1900) & (years <= 2100)).all()
            ):
                return fast
    except (ValueError, TypeError, OverflowError):
        pass
    out = []
    for i, v in enumerate(values):
        try:
            ts = pd.Timestamp(v)  # type: ignore[arg-type]
        except pd.errors.OutOfBoundsDatetime:
            raise PotashDataError(
                f"date {v!r} is out of range (give a date between 1900 and 2100)",
                file=file,
                column=column,
                row=i + 1,
            ) from None
        except (ValueError, TypeError, OverflowError):
            ts = pd.NaT
        if ts is pd.NaT:
            raise PotashDataError(f"not a date: {v!r}", file=file, column=column, row=i + 1)
        if ts.tzinfo is not None:
            raise PotashDataError(
                f"timezone-aware date {ts.isoformat()}: give dates without a timezone "
                "(for the local date: .tz_localize(None))",
                file=file,
                column=column,
                row=i + 1,
            )
        if not 1900 <= ts.year <= 2100:
            raise PotashDataError(
                f"date {v!r} is out of range (give a date between 1900 and 2100)",
                file=file,
                column=column,
                row=i + 1,
            )
        out.append(ts)
    return pd.Series(pd.DatetimeIndex(out), dtype="datetime64[ns]")
