"""The processed-table cache every loader uses: ``data/processed/<name>.parquet``.

A loader module registers how to build each of its tables (:func:`register`); :func:`cached`
serves a table, rebuilding it first when it is older than any raw input or than the loader
code. Writes are atomic and deterministic (byte-identical on rebuild), through
:func:`potash.core.io.write_parquet`. This module imports no loader: loaders import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from potash.core.io import write_parquet
from potash.core.paths import processed_dir, raw_dir
from potash.data.datapackage import verify_if_registered

__all__ = ["cached", "dataset_names", "files", "register", "write_table"]


@dataclass(frozen=True)
class _Dataset:
    build: Callable[[], Any]  # DataFrame or (DataFrame, dropped DataFrame)
    inputs: Callable[[], list[Path]]


#: Providers of datasets, in registration order: each returns ``{name: _Dataset}`` when called
#: (a provider may depend on the files present, as the Pink Sheet vintages do).
_PROVIDERS: list[Callable[[], dict[str, _Dataset]]] = []
#: Resolvers of alias names (``"prices"`` -> the newest Pink Sheet vintage).
_ALIASES: list[Callable[[str], str | None]] = []


def files(*parts: str, pattern: str | None = None) -> Callable[[], list[Path]]:
    """The raw inputs of a table: one file under ``data/raw`` or the files matching ``pattern``.

    Examples
    --------
    >>> files("events", "sanctions_events.csv")()[0].name
    'sanctions_events.csv'
    """
    def inner() -> list[Path]:
        p = raw_dir().joinpath(*parts)
        if pattern is None:
            return [p]
        return sorted(p.glob(pattern))

    return inner


def register(
    name: str | None = None,
    build: Callable[[], Any] | None = None,
    inputs: Callable[[], list[Path]] | None = None,
    *,
    provider: Callable[[], dict[str, tuple[Callable[[], Any], Callable[[], list[Path]]]]] | None = None,
    alias: Callable[[str], str | None] | None = None,
) -> None:
    """Register a processed table (``name``, ``build``, ``inputs``), a provider of several, or
    an alias resolver. Loader modules call this once at import.

    Examples
    --------
    >>> "events" in dataset_names()
    True
    """
    if provider is not None:
        _PROVIDERS.append(lambda: {k: _Dataset(*v) for k, v in provider().items()})
    if alias is not None:
        _ALIASES.append(alias)
    if name is not None:
        if build is None or inputs is None:
            raise ValueError(f"register({name!r}): give both build and inputs")
        ds = _Dataset(build, inputs)
        _PROVIDERS.append(lambda: {name: ds})


def _registry() -> dict[str, _Dataset]:
    reg: dict[str, _Dataset] = {}
    for provide in _PROVIDERS:
        reg.update(provide())
    return reg


def dataset_names() -> list[str]:
    """Names of the registered processed tables (``data/processed/<name>.parquet``).

    Examples
    --------
    >>> import potash.data.build  # registers every loader
    >>> "events" in dataset_names() and "equity_prices" in dataset_names()
    True
    """
    return sorted(_registry())


def _code_mtime() -> int:
    here = Path(__file__).resolve().parent
    code = [*here.glob("*.py"), here.parent / "core" / "io.py", here.parent / "core" / "errors.py"]
    return max(f.stat().st_mtime_ns for f in code)


def _targets(name: str) -> tuple[Path, Path]:
    d = processed_dir()
    return d / f"{name}.parquet", d / f"{name}__dropped.parquet"


def _fresh(name: str, ds: _Dataset) -> bool:
    main, _ = _targets(name)
    if not main.is_file():
        return False
    newest = max([_code_mtime(), *(p.stat().st_mtime_ns for p in ds.inputs() if p.exists())])
    return main.stat().st_mtime_ns > newest


def _write(name: str, ds: _Dataset) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    res = ds.build()
    df, dropped = (res if isinstance(res, tuple) else (res, None))
    main, drop = _targets(name)
    if dropped is not None:
        write_parquet(dropped, drop)
    write_parquet(df, main)
    return df, dropped


def _restore(df: pd.DataFrame) -> pd.DataFrame:
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype) == "str":
            df[c] = df[c].astype("string")
    return df


def cached(name: str, *, with_dropped: bool = False) -> Any:
    """Return processed table ``name``, rebuilding it first if it is stale.

    Raw inputs are hash-checked every time (cheaply, cached on file size and mtime).

    Parameters
    ----------
    name : str
        One of :func:`dataset_names`; ``"prices"`` is the newest Pink Sheet vintage.
    with_dropped : bool
        Also return the table of dropped/excluded rows.

    Returns
    -------
    DataFrame or (DataFrame, DataFrame)

    Examples
    --------
    >>> len(cached("events"))
    53
    """
    reg = _registry()
    if name not in reg:
        for resolve in _ALIASES:
            name = resolve(name) or name
    if name not in reg:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(reg)}")
    ds = reg[name]
    for p in ds.inputs():
        verify_if_registered(p)
    if _fresh(name, ds):
        main, drop = _targets(name)
        df = _restore(pd.read_parquet(main))
        dropped = _restore(pd.read_parquet(drop)) if drop.is_file() else None
    else:
        try:
            df, dropped = _write(name, ds)
        except PermissionError:  # read-only checkout: build in memory only
            res = ds.build()
            df, dropped = (res if isinstance(res, tuple) else (res, None))
    return (df, dropped) if with_dropped else df


def write_table(name: str) -> list[Path]:
    """Verify the inputs of table ``name``, build it and write it; return the files written.

    Examples
    --------
    >>> [p.name for p in write_table("events")]  # doctest: +SKIP
    ['events.parquet']
    """
    reg = _registry()
    if name not in reg:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(reg)}")
    ds = reg[name]
    for p in ds.inputs():
        verify_if_registered(p)
    _write(name, ds)
    main, drop = _targets(name)
    return [main, drop] if drop.is_file() else [main]
