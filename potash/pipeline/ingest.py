"""Full-scale trade ingest: stream a BACI or Comtrade bulk file once, keep potash, write Parquet.

A BACI release holds about 10 million rows a year (270 million for 1995-2024); a Comtrade bulk
pull is several GB. :func:`ingest_baci` and :func:`ingest_comtrade_bulk` scan the file once with
DuckDB (embedded, bounded memory, spilling to disk if needed), keep the requested HS codes (as
strings, prefix match on the 6-digit code, so leading zeros survive), map country codes to ISO3,
convert units (BACI values are thousand USD, Comtrade weights kg) and write year-partitioned
Parquet (``<out_dir>/year=YYYY/data_0.parquet``) in the trade schema of :mod:`potash`::

    year, period, reporter_iso3, partner_iso3, flow, product, hs_code,
    quantity_t, value_usd, source, flag

``engine="dask"`` reads the input in blocks on the current Dask scheduler (for example a
``dask.distributed`` cluster) and hands the selected rows to the same transform and writer, so
both engines write the same files. :func:`read_trade_parquet` reads the output back with the
contract's dtypes.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option

__all__ = [
    "TRADE_COLUMNS",
    "IngestResult",
    "ingest_baci",
    "ingest_comtrade_bulk",
    "read_trade_parquet",
]

Engine = Literal["duckdb", "dask"]

#: Columns (and order) of the trade schema written by the ingest.
TRADE_COLUMNS = [
    "year",
    "period",
    "reporter_iso3",
    "partner_iso3",
    "flow",
    "product",
    "hs_code",
    "quantity_t",
    "value_usd",
    "source",
    "flag",
]

_BACI_COLUMNS = ("t", "i", "j", "k", "v", "q")
_COMTRADE_REQUIRED = (
    "refYear",
    "period",
    "flowCode",
    "cmdCode",
    "primaryValue",
    "netWgt",
)
_COMTRADE_OPTIONAL = (
    "reporterCode",
    "reporterISO",
    "partnerCode",
    "partnerISO",
    "partner2Code",
    "customsCode",
    "motCode",
    "mosCode",
    "qty",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "isQtyEstimated",
    "isNetWgtEstimated",
)


@dataclass(frozen=True)
class IngestResult:
    """What an ingest wrote and what it left out.

    Attributes
    ----------
    out_dir : Path
        The year-partitioned Parquet folder.
    rows : int
        Rows written.
    years : list of int
        Years (partitions) written.
    excluded : DataFrame
        Rows kept by the HS filter but not written, by ``reason`` and ``code``, with the number of
        ``rows`` (breakdown rows of Comtrade, aggregates, codes without an ISO3 code, flows other
        than export/import).
    engine : str
        ``"duckdb"`` or ``"dask"``.
    seconds : float
        Wall time of the ingest.
    inputs : list of str
        The CSV files read (members of an archive are named ``archive.zip:member``).
    """

    out_dir: Path
    rows: int
    years: list[int]
    excluded: pd.DataFrame = field(repr=False)
    engine: str = "duckdb"
    seconds: float = 0.0
    inputs: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f"ingest ({self.engine}): {self.rows} rows, years {self.years} -> {self.out_dir}"
            f" in {self.seconds:.2f} s",
        ]
        if len(self.excluded):
            lines.append("excluded:")
            lines.append(self.excluded.to_string(index=False))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# inputs


def _check_hs(hs: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(hs, str):
        hs = (hs,)
    out = []
    for code in hs:
        if not isinstance(code, str) or not re.fullmatch(r"\d{2,6}", code):
            raise ValueError(
                f"hs: HS codes are strings of 2 to 6 digits (e.g. '3104', '310420'); got {code!r}"
            )
        out.append(code)
    if not out:
        raise ValueError("hs: give at least one HS code prefix, e.g. ('3104', '3105')")
    return tuple(sorted(set(out)))


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _parse_header(line: str, delim: str | None, label: str) -> tuple[list[str], str]:
    line = line.rstrip("\r\n")
    if not line.strip():
        raise PotashDataError("empty file: no header line", file=label, row=1)
    if delim is None:
        delim = "\t" if line.count("\t") > line.count(",") else ","
    return [c.strip().strip('"') for c in line.split(delim)], delim


class _Input:
    """One CSV to read: a plain file, or a zip member extracted only while it is scanned.

    Extracting the members of a release one at a time keeps the disk footprint to one year.
    """

    def __init__(self, label: str, path: Path | None = None, zf: zipfile.ZipFile | None = None,
                 member: str | None = None, tmp: Path | None = None) -> None:
        self.label, self.path, self.zf, self.member, self.tmp = label, path, zf, member, tmp

    def header(self, delim: str | None) -> tuple[list[str], str]:
        try:
            if self.zf is not None:
                with self.zf.open(self.member) as raw:
                    line = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="").readline()
            else:
                with _open_text(self.path) as fh:
                    line = fh.readline()
        except (OSError, EOFError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise PotashDataError(f"cannot read the file: {exc}", file=self.label) from exc
        return _parse_header(line, delim, self.label)

    @contextmanager
    def local(self) -> Iterator[Path]:
        if self.zf is None:
            yield self.path
            return
        dest = self.tmp / Path(self.member).name
        try:
            with self.zf.open(self.member) as src, open(dest, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            dest.unlink(missing_ok=True)
            raise PotashDataError(
                f"cannot extract the member: {exc} (truncated download?)", file=self.label
            ) from exc
        try:
            yield dest
        finally:
            dest.unlink(missing_ok=True)


@contextmanager
def _csv_inputs(path: str | Path, pattern: str) -> Iterator[tuple[list[_Input], Path | None]]:
    """Yield the inputs to read (``path`` itself, or the matching members of a zip archive)
    and, for an archive, its country-code dictionary (or None)."""
    path = Path(path)
    if not path.exists():
        raise PotashDataError("file not found", file=path)
    if path.is_dir():  # an unzipped release (e.g. on storage shared with Dask workers)
        files = sorted(f for f in path.iterdir() if re.search(pattern, f.name))
        if not files:
            raise PotashDataError(f"no data file matching {pattern!r} in the folder", file=path)
        cc = sorted(f for f in path.iterdir() if f.name.lower().startswith("country_codes"))
        yield [_Input(str(f), path=f) for f in files], (cc[0] if cc else None)
        return
    if path.suffix.lower() != ".zip":
        yield [_Input(str(path), path=path)], None
        return
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise PotashDataError(f"not a readable zip archive ({exc})", file=path) from exc
    with zf, tempfile.TemporaryDirectory(prefix="potash-ingest-") as tmp:
        names = sorted(n for n in zf.namelist() if re.search(pattern, Path(n).name))
        if not names:
            raise PotashDataError(
                f"the archive holds no data file matching {pattern!r} "
                f"(members: {sorted(zf.namelist())[:10]})",
                file=path,
            )
        inputs = [_Input(f"{path}:{n}", zf=zf, member=n, tmp=Path(tmp)) for n in names]
        countries = None
        cc = sorted(n for n in zf.namelist() if Path(n).name.lower().startswith("country_codes"))
        if cc:
            countries = Path(tmp) / "_countries.csv"
            with zf.open(cc[0]) as src, open(countries, "wb") as dst:
                shutil.copyfileobj(src, dst)
        yield inputs, countries


def _scan(con, inputs, engine, columns, hs_col, hs, delim, blocksize, pad) -> None:
    """Fill table ``sel`` from all inputs: DuckDB one input at a time, or Dask over all."""
    if engine == "duckdb":
        for n, inp in enumerate(inputs):
            with inp.local() as f:
                _select_duckdb(con, [f], columns, hs_col, hs, delim, pad, append=n > 0,
                               label=inp.label)
        return
    with ExitStack() as stack:
        files = [stack.enter_context(inp.local()) for inp in inputs]
        _select_dask(con, files, columns, hs_col, hs, delim, blocksize, pad)


def _country_table(path: Path | None = None) -> pd.DataFrame:
    """BACI/Comtrade numeric country code -> ISO3, as the loaders map it.

    The shipped dictionary (and any file in its layout, releases up to 202201:
    ``country_code, ..., iso_3digit_alpha``) goes through
    :func:`potash.data.countries.baci_country_table`; the layout of later releases
    (``country_code, country_name, country_iso2, country_iso3``) is read here with the same rule:
    areas without an ISO code get the loaders' pseudo code ``X`` + code (490 -> ``X490``).
    """
    from potash.data.countries import BACI_PSEUDO_ISO3, baci_country_table

    if path is not None:
        try:
            head = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise PotashDataError(f"cannot read the country dictionary: {exc}", file=path) from exc
        if "country_iso3" in head.columns and "country_code" in head.columns:
            code = pd.to_numeric(head["country_code"], errors="coerce")
            if code.isna().any():
                row = int(code.isna().to_numpy().argmax()) + 2
                raise PotashDataError(
                    f"not an integer code: {head['country_code'][code.isna()].iloc[0]!r}",
                    file=path, column="country_code", row=row,
                )
            code = code.astype("int64")
            iso = head["country_iso3"].str.strip()
            na = ~iso.str.fullmatch(r"[A-Z][A-Z0-9]{2}")
            iso = iso.where(~na, code.map(lambda c: BACI_PSEUDO_ISO3.get(c, f"X{c}")))
            out = pd.DataFrame({"code": code, "iso3": iso.astype(object)})
            return out.drop_duplicates("code").reset_index(drop=True)
    table = baci_country_table(path)
    return pd.DataFrame({"code": table.index.to_numpy().astype("int64"),
                         "iso3": table.to_numpy().astype(object)})


def _hs_filter(col: str, hs: tuple[str, ...], pad: bool = True) -> str:
    """SQL predicate: the 6-digit (zero-padded) code in ``col`` starts with one of ``hs``.

    Codes already written with 6 characters are matched with a plain ``LIKE`` (fast path, the
    bulk of the rows); only the others (BACI writes ``010121`` as ``10121``, padded values) are
    trimmed and zero-padded before the match.
    """
    like = " OR ".join(f"{{c}} LIKE '{p}%'" for p in hs)
    if not pad:  # Comtrade: codes at 2, 4 or 6 digits, written as published
        return "(" + like.format(c=f"trim({col})") + ")"
    fast = like.format(c=col)
    slow = like.format(c=f"lpad(trim({col}), 6, '0')")
    return f"((length({col}) = 6 AND ({fast})) OR (length({col}) <> 6 AND ({slow})))"


def _connect(memory_limit: str, threads: int | None, temp_dir: str | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": memory_limit})
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    if temp_dir:
        con.execute(f"SET temp_directory = '{temp_dir}'")
    return con


def _sql_list(files: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"


def _select_duckdb(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    columns: Sequence[str],
    hs_col: str,
    hs: tuple[str, ...],
    delim: str,
    pad: bool = True,
    *,
    append: bool = False,
    label: str | None = None,
) -> None:
    """One streaming scan of ``files`` into table ``sel`` (all columns VARCHAR, HS rows only)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    into = "INSERT INTO sel" if append else "CREATE OR REPLACE TABLE sel AS"
    sql = (
        f"{into} SELECT {cols} FROM read_csv({_sql_list(files)}, "
        f"header = true, all_varchar = true, delim = '{delim}', quote = '\"') "
        f"WHERE {_hs_filter(hs_col, hs, pad)}"
    )
    try:
        con.execute(sql)
    except duckdb.Error as exc:
        raise PotashDataError(
            f"cannot read as CSV: {str(exc).splitlines()[0]}",
            file=label or ", ".join(map(str, files)),
        ) from exc


def _select_dask(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    columns: Sequence[str],
    hs_col: str,
    hs: tuple[str, ...],
    delim: str,
    blocksize: str | int,
    pad: bool = True,
) -> None:
    """Scan ``files`` in blocks with Dask (current scheduler), then load the HS rows as ``sel``."""
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError(
            "engine='dask' needs the optional extra: pip install 'potash[dask]'"
        ) from exc
    compressed = any(f.suffix == ".gz" for f in files)
    ddf = dd.read_csv(
        [str(f) for f in files],
        sep=delim,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        usecols=list(columns),
        blocksize=None if compressed else blocksize,
        compression="gzip" if compressed else None,
        encoding="utf-8-sig",
    )

    def _keep(part: pd.DataFrame) -> pd.DataFrame:
        code = part[hs_col].str.strip()
        code = code.str.zfill(6) if pad else code
        mask = code.str.startswith(hs)
        return part.loc[mask, list(columns)]

    meta = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    selected = ddf.map_partitions(_keep, meta=meta).compute()
    selected = selected.astype(object).where(selected.notna(), None)
    con.register("sel_df", selected.reset_index(drop=True))
    cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in columns)
    con.execute(f"CREATE OR REPLACE TABLE sel AS SELECT {cols} FROM sel_df")
    con.unregister("sel_df")


def _first_bad(con: duckdb.DuckDBPyConnection, where: str, show: str) -> tuple | None:
    return con.execute(f"SELECT {show} FROM sel WHERE {where} ORDER BY 1, 2, 3 LIMIT 1").fetchone()


def _write(
    con: duckdb.DuckDBPyConnection, out_dir: Path, source: str
) -> tuple[int, list[int]]:
    """Write table ``out`` to ``out_dir`` (year partitions), deterministically and atomically."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        con.execute("SET threads = 1")  # one file per partition, rows in ORDER BY order
        cols = ", ".join(TRADE_COLUMNS)
        n = con.execute(
            f"COPY (SELECT {cols} FROM out ORDER BY year, reporter_iso3, partner_iso3, flow, "
            f"hs_code, period) TO '{tmp / 'parts'}' "
            "(FORMAT parquet, PARTITION_BY (year), COMPRESSION zstd, ROW_GROUP_SIZE 1000000)"
        ).fetchone()[0]
        years = [r[0] for r in con.execute("SELECT DISTINCT year FROM out ORDER BY 1").fetchall()]
        if out_dir.exists():
            shutil.rmtree(out_dir)
        if (tmp / "parts").exists():
            os.replace(tmp / "parts", out_dir)
        else:  # nothing selected: an empty folder, so readers find no partition
            out_dir.mkdir()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return int(n), [int(y) for y in years]


def _products_table(con: duckdb.DuckDBPyConnection, code_sql: str) -> None:
    """Table ``products(hs, product)`` for the distinct codes, named as the loaders name them."""
    from potash.data.trade import hs_product

    codes = [r[0] for r in con.execute(f"SELECT DISTINCT {code_sql} FROM sel ORDER BY 1").fetchall()]
    prod = pd.DataFrame({"hs": pd.Series(codes, dtype=object)})
    prod["product"] = hs_product(prod["hs"].astype("string")).astype(object)
    con.register("products_df", prod)
    con.execute("CREATE OR REPLACE TABLE products AS SELECT * FROM products_df")
    con.unregister("products_df")


def _excluded(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    rows = con.execute(sql).fetchall()
    return pd.DataFrame(rows, columns=["reason", "code", "rows"]).astype(
        {"reason": str, "code": str, "rows": "int64"}
    )


# --------------------------------------------------------------------------------------------
# BACI


def _run(inputs, out_dir, engine, t0, memory_limit, threads, scan, transform_write) -> IngestResult:
    """Scan the inputs into DuckDB (spilling to a temporary folder), transform and write them."""
    with tempfile.TemporaryDirectory(prefix="potash-duckdb-") as spill:
        con = _connect(memory_limit, threads, spill)
        try:
            scan(con)
            n, years, excluded = transform_write(con)
        finally:
            con.close()
    return IngestResult(
        out_dir=Path(out_dir),
        rows=n,
        years=years,
        excluded=excluded,
        engine=engine,
        seconds=time.perf_counter() - t0,
        inputs=[inp.label for inp in inputs],
    )


def ingest_baci(
    archive_or_csv: str | Path,
    out_dir: str | Path,
    *,
    hs: Sequence[str] | str = ("3104", "3105"),
    engine: Engine = "duckdb",
    countries: str | Path | None = None,
    memory_limit: str = "1GB",
    threads: int | None = None,
    blocksize: str | int = "64MB",
) -> IngestResult:
    """Ingest a BACI release (zip) or yearly file (csv, csv.gz) into year-partitioned Parquet.

    BACI files have the columns ``t, i, j, k, v, q``: year, exporter code, importer code, HS6
    product, value in **thousand USD**, quantity in **metric tonnes** (``NA`` when missing).
    Each row becomes one ``flow="export"`` row from ``i`` (reporter) to ``j`` (partner) with
    ``value_usd = 1000 * v`` and ``quantity_t = q``; ``source="baci"``, ``flag`` is empty.
    Codes are read as strings and zero-padded to 6 digits (BACI writes 010121 as ``10121``).

    Parameters
    ----------
    archive_or_csv : str or Path
        A release archive ``BACI_HS17_V202601.zip`` (all ``BACI_*_Y*.csv`` members are read, one
        at a time, and its ``country_codes_*.csv``), the folder of an unzipped release, or one CSV
        (optionally gzip-compressed).
    out_dir : str or Path
        Output folder; replaced atomically (``year=YYYY/data_0.parquet`` per year).
    hs : sequence of str
        HS prefixes to keep (2 to 6 digits, strings), default potash ``("3104", "3105")``.
    engine : {"duckdb", "dask"}
        DuckDB streaming scan, or Dask blocks on the current scheduler (optional extra ``dask``).
    countries : str or Path, optional
        BACI ``country_codes.csv``; default the one in the archive, else the shipped dictionary
        ``data/raw/baci_dictionaries/country_codes.csv``.
    memory_limit : str
        DuckDB memory limit; beyond it DuckDB spills to a temporary folder.
    threads : int, optional
        DuckDB threads for the scan (default: all cores).
    blocksize : str or int
        Dask block size for uncompressed input.

    Returns
    -------
    IngestResult
        Rows written, years, and the ``excluded`` rows (codes with no ISO3 such as 490
        "Other Asia, nes") with their count.

    Raises
    ------
    PotashDataError
        Missing column, empty or unreadable file, non-numeric value, or a country code that is not
        in the dictionary (named in the message).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "b.csv").write_text("t,i,j,k,v,q\\n2021,112,616,310420,10.5,30\\n"
    ...                              "2021,112,616,10121,1,NA\\n")
    >>> res = ingest_baci(d / "b.csv", d / "out")
    >>> res.rows, res.years
    (1, [2021])
    >>> df = read_trade_parquet(d / "out")
    >>> df[["reporter_iso3", "partner_iso3", "product", "hs_code"]].iloc[0].tolist()
    ['BLR', 'POL', 'potassium_chloride', '310420']
    >>> df["quantity_t"].tolist(), df["value_usd"].tolist()
    ([30.0], [10500.0])
    """
    check_option("engine", engine, Engine)
    hs = _check_hs(hs)
    t0 = time.perf_counter()
    with _csv_inputs(archive_or_csv, r"^BACI_.*_Y\d{4}.*\.csv$") as (inputs, zip_countries):
        for inp in inputs:
            header, _ = inp.header(",")
            missing = [c for c in _BACI_COLUMNS if c not in header]
            if missing:
                raise PotashDataError(
                    f"missing BACI column(s) {missing}; header is {header}",
                    file=inp.label,
                    column=missing[0],
                    row=1,
                )
        cc = _country_table(Path(countries) if countries else zip_countries)
        return _run(
            inputs, out_dir, engine, t0, memory_limit, threads,
            lambda con: _scan(con, inputs, engine, _BACI_COLUMNS, "k", hs, ",", blocksize, True),
            lambda con: _baci_transform_write(con, cc, out_dir, archive_or_csv),
        )


def _baci_transform_write(
    con: duckdb.DuckDBPyConnection, cc: pd.DataFrame, out_dir: str | Path, file: str | Path
) -> tuple[int, list[int], pd.DataFrame]:
    # validation on the (small) selection: every value that should be a number is one
    checks = [
        ("t", "TRY_CAST(trim(t) AS INTEGER) IS NULL"),
        ("i", "TRY_CAST(trim(i) AS INTEGER) IS NULL"),
        ("j", "TRY_CAST(trim(j) AS INTEGER) IS NULL"),
        ("v", "TRY_CAST(trim(v) AS DOUBLE) IS NULL"),
        ("q", "upper(trim(q)) NOT IN ('NA', '') AND TRY_CAST(trim(q) AS DOUBLE) IS NULL"),
    ]
    for col, where in checks:
        bad = _first_bad(con, where, f"t, i, j, k, {col}")
        if bad is not None:
            raise PotashDataError(
                f"not a number: {bad[-1]!r} (record t={bad[0]}, i={bad[1]}, j={bad[2]}, k={bad[3]})",
                file=file,
                column=col,
            )
    con.register("cc_df", cc)
    con.execute("CREATE OR REPLACE TABLE cc AS SELECT * FROM cc_df")
    con.unregister("cc_df")
    unknown = con.execute(
        "SELECT DISTINCT c FROM (SELECT CAST(trim(i) AS BIGINT) c FROM sel UNION ALL "
        "SELECT CAST(trim(j) AS BIGINT) FROM sel) WHERE c NOT IN (SELECT code FROM cc) ORDER BY 1"
    ).fetchall()
    if unknown:
        raise PotashDataError(
            f"country code(s) not in the BACI country dictionary: {[u[0] for u in unknown]}",
            file=file,
            column="i/j",
        )
    _products_table(con, "lpad(trim(k), 6, '0')")
    con.execute(
        """
        CREATE OR REPLACE TABLE typed AS
        SELECT CAST(trim(t) AS INTEGER) AS year,
               CAST(trim(i) AS BIGINT) AS i, CAST(trim(j) AS BIGINT) AS j,
               lpad(trim(k), 6, '0') AS hs_code,
               CAST(trim(v) AS DOUBLE) * 1000.0 AS value_usd,
               TRY_CAST(trim(q) AS DOUBLE) AS quantity_t
        FROM sel
        """
    )
    excluded = _excluded(
        con,
        """
        SELECT 'country code without ISO3' AS reason, CAST(code AS VARCHAR) AS code, count(*) AS rows
        FROM (SELECT i AS code FROM typed UNION ALL SELECT j FROM typed) x
        WHERE code IN (SELECT code FROM cc WHERE iso3 IS NULL)
        GROUP BY code ORDER BY code
        """,
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE out AS
        SELECT CAST(s.year AS BIGINT) AS year, CAST(s.year AS VARCHAR) AS period,
               e.iso3 AS reporter_iso3, m.iso3 AS partner_iso3, 'export' AS flow,
               coalesce(p.product, 'hs_' || s.hs_code) AS product, s.hs_code,
               s.quantity_t, s.value_usd, 'baci' AS source, CAST(NULL AS VARCHAR) AS flag
        FROM typed s
        JOIN cc e ON e.code = s.i
        JOIN cc m ON m.code = s.j
        LEFT JOIN products p ON p.hs = s.hs_code
        WHERE e.iso3 IS NOT NULL AND m.iso3 IS NOT NULL
        """
    )
    n, years = _write(con, Path(out_dir), "baci")
    return n, years, excluded


# --------------------------------------------------------------------------------------------
# Comtrade bulk


def ingest_comtrade_bulk(
    path: str | Path,
    out_dir: str | Path,
    *,
    hs: Sequence[str] | str = ("3104", "3105"),
    engine: Engine = "duckdb",
    totals_only: bool = True,
    countries: str | Path | None = None,
    memory_limit: str = "1GB",
    threads: int | None = None,
    blocksize: str | int = "64MB",
) -> IngestResult:
    """Ingest a UN Comtrade bulk or API v1 CSV/TSV (optionally .gz, or a zip of them).

    The file has the Comtrade Plus columns (``refYear, period, reporterISO, partnerISO,
    flowCode, cmdCode, customsCode, motCode, partner2Code, mosCode, netWgt, qty, primaryValue``
    ...). Breakdown rows are dropped unless ``totals_only=False``: only ``motCode == 0``,
    ``customsCode == "C00"``, ``partner2Code == 0`` and ``mosCode == "0"`` are totals, the
    others would double count. ``flowCode`` X becomes ``"export"`` and M ``"import"``; other
    flows (re-exports, re-imports) are excluded and reported. Partner ``W00`` (World) becomes
    ``WLD``; other non-ISO3 areas (``_X``, ``X1``, ``S19`` ...) are excluded and reported.
    ``value_usd = primaryValue`` (USD); ``quantity_t = netWgt / 1000`` (kg) where ``netWgt`` is
    positive, else ``qty / 1000`` where the quantity unit is kg; ``flag = "estimated"`` where
    Comtrade marks the quantity or weight as estimated; monthly periods ``YYYYMM`` become
    ``YYYY-MM`` (as in the loaders).

    Parameters
    ----------
    path : str or Path
        The bulk file (``.csv``, ``.txt``, ``.tsv``, optionally ``.gz``) or a zip of them.
    out_dir : str or Path
        Output folder (year partitions), replaced atomically.
    hs : sequence of str
        HS prefixes to keep, default ``("3104", "3105")``.
    engine : {"duckdb", "dask"}
        As in :func:`ingest_baci`.
    totals_only : bool
        Keep only total rows (default). With False, breakdown rows are kept too.
    countries : str or Path, optional
        Country dictionary for files that carry only numeric codes (default: the shipped BACI
        dictionary, which uses the Comtrade codes).
    memory_limit, threads, blocksize
        As in :func:`ingest_baci`.

    Returns
    -------
    IngestResult
        With ``excluded`` counting breakdown rows, other flows and non-ISO3 areas.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> cols = "refYear,period,reporterISO,partnerISO,partner2Code,flowCode,cmdCode,"
    >>> cols += "customsCode,motCode,mosCode,netWgt,qty,qtyUnitCode,primaryValue"
    >>> rows = ["2021,2021,CAN,USA,0,X,310420,C00,0,0,2000,2000,8,500",
    ...         "2021,2021,CAN,USA,0,X,310420,C00,2100,0,1500,1500,8,400"]
    >>> _ = (d / "c.csv").write_text(cols + "\\n" + "\\n".join(rows) + "\\n")
    >>> res = ingest_comtrade_bulk(d / "c.csv", d / "out")
    >>> res.rows, res.excluded["reason"].tolist()
    (1, ['breakdown row (motCode/customsCode/partner2Code/mosCode)'])
    >>> out = read_trade_parquet(d / "out")
    >>> out["quantity_t"].tolist(), out["value_usd"].tolist()
    ([2.0], [500.0])
    """
    check_option("engine", engine, Engine)
    hs = _check_hs(hs)
    t0 = time.perf_counter()
    with _csv_inputs(path, r"\.(csv|txt|tsv)(\.gz)?$") as (inputs, _):
        header, delim = inputs[0].header(None)
        missing = [c for c in _COMTRADE_REQUIRED if c not in header]
        if "reporterISO" not in header and "reporterCode" not in header:
            missing.append("reporterISO")
        if "partnerISO" not in header and "partnerCode" not in header:
            missing.append("partnerISO")
        if missing:
            raise PotashDataError(
                f"missing Comtrade column(s) {missing}", file=inputs[0].label, column=missing[0],
                row=1,
            )
        cols = [c for c in (*_COMTRADE_REQUIRED, *_COMTRADE_OPTIONAL) if c in header]
        cc = _country_table(Path(countries) if countries else None)
        return _run(
            inputs, out_dir, engine, t0, memory_limit, threads,
            lambda con: _scan(con, inputs, engine, cols, "cmdCode", hs, delim, blocksize, False),
            lambda con: _comtrade_transform_write(con, cols, cc, out_dir, path, totals_only),
        )


def _comtrade_transform_write(
    con: duckdb.DuckDBPyConnection,
    cols: list[str],
    cc: pd.DataFrame,
    out_dir: str | Path,
    file: str | Path,
    totals_only: bool,
) -> tuple[int, list[int], pd.DataFrame]:
    for c in _COMTRADE_OPTIONAL:
        if c not in cols:
            con.execute(f'ALTER TABLE sel ADD COLUMN "{c}" VARCHAR')
    checks = [
        ("refYear", "TRY_CAST(trim(refYear) AS INTEGER) IS NULL"),
        ("primaryValue", "TRY_CAST(trim(primaryValue) AS DOUBLE) IS NULL"),
        ("netWgt", "trim(coalesce(netWgt, '')) <> '' AND TRY_CAST(trim(netWgt) AS DOUBLE) IS NULL"),
    ]
    for col, where in checks:
        bad = _first_bad(con, where, f'refYear, cmdCode, flowCode, "{col}"')
        if bad is not None:
            raise PotashDataError(
                f"not a number: {bad[-1]!r} (record refYear={bad[0]}, cmdCode={bad[1]}, "
                f"flowCode={bad[2]})",
                file=file,
                column=col,
            )
    con.register("cc_df", cc)
    con.execute("CREATE OR REPLACE TABLE cc AS SELECT * FROM cc_df")
    con.unregister("cc_df")
    _products_table(con, "trim(cmdCode)")
    # ISO3 from the file, else from the numeric code; partner World (W00 / code 0) -> WLD
    con.execute(
        """
        CREATE OR REPLACE TABLE typed AS
        SELECT CAST(trim(refYear) AS BIGINT) AS year,
               CASE WHEN length(trim(period)) = 6
                    THEN substr(trim(period), 1, 4) || '-' || substr(trim(period), 5, 2)
                    ELSE coalesce(nullif(trim(period), ''), trim(refYear)) END AS period,
               coalesce(nullif(trim(reporterISO), ''), r.iso3,
                        'code:' || trim(reporterCode)) AS rep,
               CASE WHEN trim(partnerISO) = 'W00' OR trim(partnerCode) = '0' THEN 'WLD'
                    ELSE coalesce(nullif(trim(partnerISO), ''), p.iso3,
                                  'code:' || trim(partnerCode)) END AS par,
               upper(trim(flowCode)) AS flow_code,
               trim(cmdCode) AS hs_code,
               CAST(trim(primaryValue) AS DOUBLE) AS value_usd,
               coalesce(CASE WHEN TRY_CAST(trim(netWgt) AS DOUBLE) > 0
                             THEN TRY_CAST(trim(netWgt) AS DOUBLE) END,
                        CASE WHEN trim(qtyUnitCode) = '8' OR trim(qtyUnitAbbr) = 'kg'
                             THEN TRY_CAST(trim(qty) AS DOUBLE) END)
                 / 1000.0 AS quantity_t,
               (coalesce(TRY_CAST(trim(motCode) AS INTEGER), 0) = 0
                AND coalesce(nullif(trim(customsCode), ''), 'C00') = 'C00'
                AND coalesce(TRY_CAST(trim(partner2Code) AS INTEGER), 0) = 0
                AND coalesce(nullif(trim(mosCode), ''), '0') = '0') AS is_total,
               CASE WHEN lower(trim(isNetWgtEstimated)) IN ('true', '1')
                      OR lower(trim(isQtyEstimated)) IN ('true', '1')
                    THEN 'estimated' END AS flag
        FROM sel
        LEFT JOIN cc r ON r.code = TRY_CAST(trim(sel.reporterCode) AS BIGINT)
        LEFT JOIN cc p ON p.code = TRY_CAST(trim(sel.partnerCode) AS BIGINT)
        """
    )
    keep_total = "is_total" if totals_only else "TRUE"
    iso_ok = "regexp_full_match(rep, '[A-Z]{3}') AND regexp_full_match(par, '[A-Z]{3}')"
    excluded = _excluded(
        con,
        f"""
        SELECT reason, code, count(*) AS rows FROM (
          SELECT CASE
            WHEN NOT ({keep_total})
              THEN 'breakdown row (motCode/customsCode/partner2Code/mosCode)'
            WHEN flow_code NOT IN ('X', 'M') THEN 'flow other than export/import'
            WHEN NOT regexp_full_match(rep, '[A-Z]{{3}}') OR rep = 'WLD'
              THEN 'reporter not a country (aggregate or no ISO3)'
            WHEN NOT regexp_full_match(par, '[A-Z]{{3}}')
              THEN 'partner not a country (aggregate or no ISO3)'
          END AS reason,
          CASE
            WHEN NOT ({keep_total}) THEN ''
            WHEN flow_code NOT IN ('X', 'M') THEN flow_code
            WHEN NOT regexp_full_match(rep, '[A-Z]{{3}}') OR rep = 'WLD' THEN rep
            ELSE par END AS code
          FROM typed)
        WHERE reason IS NOT NULL GROUP BY reason, code ORDER BY reason, code
        """,
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE out AS
        SELECT year, period, rep AS reporter_iso3, par AS partner_iso3,
               CASE flow_code WHEN 'X' THEN 'export' ELSE 'import' END AS flow,
               coalesce(pr.product, 'hs_' || hs_code) AS product, hs_code,
               quantity_t, value_usd, 'comtrade' AS source, flag
        FROM typed LEFT JOIN products pr ON pr.hs = typed.hs_code
        WHERE {keep_total} AND flow_code IN ('X', 'M') AND {iso_ok} AND rep <> 'WLD'
        """
    )
    n, years = _write(con, Path(out_dir), "comtrade")
    return n, years, excluded


# --------------------------------------------------------------------------------------------
# reading back


def read_trade_parquet(path: str | Path, *, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Read an ingest output folder into the trade schema (contract dtypes, sorted).

    Parameters
    ----------
    path : str or Path
        A folder written by :func:`ingest_baci` / :func:`ingest_comtrade_bulk`.
    years : sequence of int, optional
        Read only these year partitions.

    Returns
    -------
    DataFrame
        ``year`` (int64), ``period``, ``reporter_iso3``, ``partner_iso3``, ``flow``, ``product``,
        ``hs_code`` (str), ``quantity_t``, ``value_usd`` (float64), ``source``, ``flag``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> read_trade_parquet(pathlib.Path(tempfile.mkdtemp())).columns.tolist() == TRADE_COLUMNS
    True
    """
    path = Path(path)
    if not path.is_dir():
        raise PotashDataError("not an ingest output folder", file=path)
    files = sorted(path.glob("year=*/*.parquet"))
    if years is not None:
        wanted = {f"year={int(y)}" for y in years}
        files = [f for f in files if f.parent.name in wanted]
    if not files:
        return _empty_trade()
    con = duckdb.connect()
    try:
        df = con.execute(
            f"SELECT {', '.join(TRADE_COLUMNS)} FROM read_parquet({_sql_list(files)}, "
            "hive_partitioning = true) ORDER BY year, reporter_iso3, partner_iso3, flow, "
            "hs_code, period"
        ).df()
    finally:
        con.close()
    return _as_contract(df)


def _empty_trade() -> pd.DataFrame:
    return _as_contract(pd.DataFrame({c: [] for c in TRADE_COLUMNS}))


def _as_contract(df: pd.DataFrame) -> pd.DataFrame:
    out = df[TRADE_COLUMNS].copy()
    out["year"] = out["year"].astype("int64")
    for c in ("quantity_t", "value_usd"):
        out[c] = out[c].astype("float64")
    for c in ("period", "reporter_iso3", "partner_iso3", "flow", "product", "hs_code", "source",
              "flag"):
        out[c] = out[c].astype("string")
    return out.reset_index(drop=True)
