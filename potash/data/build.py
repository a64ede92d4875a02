"""Build ``data/processed/*.parquet`` from ``data/raw`` and serve loaders from it.

Each processed table is rebuilt when it is older than any of its raw inputs or than the loader
code; otherwise loaders read it. Writes are atomic and deterministic (byte-identical on
rebuild), through :func:`potash._io.write_parquet`.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._io import write_parquet
from ..paths import processed_dir, raw_dir
from .datapackage import verify_if_registered

__all__ = ["build_processed", "cached", "dataset_names"]


@dataclass(frozen=True)
class _Dataset:
    build: Callable[[], Any]  # DataFrame or (DataFrame, dropped DataFrame)
    inputs: Callable[[], list[Path]]


def _files(*parts: str, pattern: str | None = None) -> Callable[[], list[Path]]:
    def inner() -> list[Path]:
        p = raw_dir().joinpath(*parts)
        if pattern is None:
            return [p]
        return sorted(p.glob(pattern))

    return inner


def _registry() -> dict[str, _Dataset]:
    from .equity import _build_equity
    from .events import _build_events
    from .prices import _parse_ecuador, _parse_usda, _parse_worldbank, worldbank_vintages

    reg: dict[str, _Dataset] = {
        "events": _Dataset(_build_events, _files("events", "sanctions_events.csv")),
        "equity_prices": _Dataset(_build_equity, _files("yahoo_adjclose_dsturdy", pattern="*.csv")),
        "prices_usda": _Dataset(_parse_usda, _files("usda_ams_state_fertilizer",
                                                    "us_state_potash_retail_biweekly.csv")),
        "prices_ecuador": _Dataset(_parse_ecuador, _files("ecuador_mag_sipa",
                                                          "precios-agroquimicos-fertilizantes.xlsx")),
    }
    for v in worldbank_vintages():
        f = _files("worldbank_cmo", f"vintage_{v}", "CMO-Historical-Data-Monthly.xlsx")
        reg[f"prices_worldbank_{v}"] = _Dataset(lambda f=f: _parse_worldbank(f()[0]), f)
    for name, ds in _extra_datasets().items():
        reg[name] = ds
    return reg


def _extra_datasets() -> dict[str, _Dataset]:
    out: dict[str, _Dataset] = {}
    try:
        from .trade import _build_faostat
    except ImportError:  # pragma: no cover - during development
        return out
    out["trade_faostat"] = _Dataset(
        _build_faostat, _files("faostat_agdata", "agData_FAO_Fertilizers_potash.csv.gz"))
    try:
        from .trade import _build_curated

        out["trade_curated"] = _Dataset(
            _build_curated, _files("bilateral_curated", "potash_bilateral_curated.csv"))
    except ImportError:  # pragma: no cover
        pass
    try:
        from .production import _build_production, _production_inputs

        out["production"] = _Dataset(_build_production, _production_inputs)
    except ImportError:  # pragma: no cover
        pass
    try:  # monthly partner customs data (issue 12)
        from .customs import (
            _build_comexstat,
            _build_customs_monthly,
            _comexstat_inputs,
            _customs_inputs,
        )

        out["trade_customs_monthly"] = _Dataset(_build_customs_monthly, _customs_inputs)
        out["trade_comexstat"] = _Dataset(_build_comexstat, _comexstat_inputs)
    except ImportError:  # pragma: no cover
        pass
    return out


def dataset_names() -> list[str]:
    """Names of the processed tables (``data/processed/<name>.parquet``).

    Examples
    --------
    >>> "events" in dataset_names() and "equity_prices" in dataset_names()
    True
    """
    return sorted(_registry())


def _code_mtime() -> int:
    here = Path(__file__).resolve().parent
    files = [*here.glob("*.py"), here.parent / "_io.py", here.parent / "errors.py"]
    return max(f.stat().st_mtime_ns for f in files)


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
    if name == "prices" or (name.startswith("prices_worldbank_") and name not in reg):
        from .prices import _worldbank_file

        v = None if name == "prices" else name.removeprefix("prices_worldbank_")
        name = "prices_worldbank_" + _worldbank_file(v).parent.name.removeprefix("vintage_")
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


def build_processed(refresh: bool = False) -> list[Path]:
    """Write every processed table to ``data/processed`` (what ``make data`` runs).

    Parameters
    ----------
    refresh : bool
        First download new vintages with ``potash.refresh.refresh_all()`` (needs network and
        the refresh module).

    Returns
    -------
    list of Path
        The processed files written, sorted: one ``<name>.parquet`` per :func:`dataset_names`
        (plus ``<name>__dropped.parquet`` with what was dropped or excluded, and
        ``prices.parquet`` with all price sources in one table).

    Examples
    --------
    >>> paths = build_processed()  # doctest: +SKIP
    """
    if refresh:
        if importlib.util.find_spec("potash.refresh") is None:
            raise RuntimeError(
                "refresh=True needs potash.refresh.refresh_all(), which is not installed in this "
                "version; run without --refresh to build from the shipped data/raw")
        importlib.import_module("potash.refresh").refresh_all()
    written = []
    for name, ds in sorted(_registry().items()):
        for p in ds.inputs():
            verify_if_registered(p)
        _write(name, ds)
        main, drop = _targets(name)
        written.append(main)
        if drop.is_file():
            written.append(drop)
    # convenience: every price source (newest Pink Sheet, USDA, Ecuador) in one table
    from .prices import load_prices

    allp = pd.concat([load_prices(s) for s in ("worldbank", "usda", "ecuador")], ignore_index=True)
    written.append(write_parquet(allp, processed_dir() / "prices.parquet"))
    return sorted(written)
