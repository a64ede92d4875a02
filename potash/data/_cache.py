"""The processed-table cache every loader uses: ``data/processed/<name>.parquet``.

A loader module registers how to build each of its tables (:func:`register`); :func:`cached`
serves a table, rebuilding it first unless the cache was written from exactly the same raw
bytes and loader code (sha256 keys, ``<name>.meta.json``). Writes are atomic and deterministic (byte-identical on rebuild), through
:func:`potash.core.io.write_parquet`. This module imports no loader: loaders import it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.io import atomic_write, write_parquet
from potash.core.paths import processed_dir, raw_dir
from potash.data._common import rel
from potash.data.datapackage import file_sha256, verify_if_registered

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


_CODE_HASH: dict[tuple, str] = {}


def _code_version() -> str:
    """sha256 over the loader code (``potash/data/*.py``, ``core/io.py``, ``core/errors.py``)."""
    here = Path(__file__).resolve().parent
    code = sorted([*here.glob("*.py"), here.parent / "core" / "io.py",
                   here.parent / "core" / "errors.py"])
    stamp = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in code)
    if stamp not in _CODE_HASH:
        h = hashlib.sha256()
        for f in code:
            h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
        _CODE_HASH.clear()
        _CODE_HASH[stamp] = h.hexdigest()
    return _CODE_HASH[stamp]


def _targets(name: str) -> tuple[Path, Path]:
    d = processed_dir()
    return d / f"{name}.parquet", d / f"{name}__dropped.parquet"


def _meta_path(name: str) -> Path:
    return processed_dir() / f"{name}.meta.json"


def _input_hashes(name: str, ds: _Dataset) -> dict[str, str]:
    """sha256 of every declared raw input (a missing input is an error naming the file)."""
    out = {}
    for p in ds.inputs():
        if not p.is_file():
            raise PotashDataError(
                f"raw input of the processed table {name!r} is missing: restore it from the "
                "repository (data/raw is shipped with the package)",
                file=rel(p),
            )
        verify_if_registered(p)
        out[rel(p)] = file_sha256(p)
    return out


def _key(name: str, ds: _Dataset) -> dict[str, Any]:
    """What a processed table is a function of: its name, its inputs' bytes and the code."""
    return {"table": name, "code": _code_version(), "inputs": _input_hashes(name, ds)}


def _read_meta(name: str) -> dict[str, Any] | None:
    try:
        return json.loads(_meta_path(name).read_text())
    except (OSError, ValueError):
        return None


def _fresh(name: str, key: dict[str, Any]) -> bool:
    """The cached files are exactly the ones written for ``key`` (checked by their sha256)."""
    meta = _read_meta(name)
    if meta is None or meta.get("key") != key:
        return False
    main, drop = _targets(name)
    for path, want in ((main, meta.get("main")), (drop, meta.get("dropped"))):
        if want is None:
            if path.exists():
                return False
            continue
        if not path.is_file() or file_sha256(path) != want:
            return False
    return True


def _clean_partial(path: Path) -> None:
    """Remove temporary files a killed write of ``path`` left behind.

    Called only while holding :func:`_lock` for the table: every writer holds it, so a
    temporary file seen then belongs to no live writer (it was left by a killed one).
    """
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    """Hold an exclusive inter-process lock on table ``name`` (``.<name>.lock`` beside it).

    Two processes that build the same table (parallel test workers, two notebooks) take turns:
    the second finds the first one's files fresh and reads them instead of rebuilding, and
    neither removes the other's temporary file. Raises ``PermissionError`` on a read-only
    ``data/processed`` (the caller then builds in memory). Without ``fcntl`` (Windows) no lock
    is taken.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    d = processed_dir()
    d.mkdir(parents=True, exist_ok=True)
    with open(d / f".{name}.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _write(name: str, ds: _Dataset, key: dict[str, Any] | None = None
           ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    key = _key(name, ds) if key is None else key
    res = ds.build()
    df, dropped = (res if isinstance(res, tuple) else (res, None))
    main, drop = _targets(name)
    for path in (main, drop, _meta_path(name)):
        _clean_partial(path)
    _meta_path(name).unlink(missing_ok=True)  # invalid until every file is in place
    if dropped is not None:
        write_parquet(dropped, drop)
    else:
        drop.unlink(missing_ok=True)
    write_parquet(df, main)
    meta = {"key": key, "main": file_sha256(main),
            "dropped": file_sha256(drop) if dropped is not None else None,
            "columns": [str(c) for c in df.columns], "rows": int(len(df))}
    atomic_write(_meta_path(name), lambda p: p.write_text(json.dumps(meta, indent=1, sort_keys=True)))
    return df, dropped


def _restore(df: pd.DataFrame) -> pd.DataFrame:
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype) == "str":
            df[c] = df[c].astype("string")
    return df


def _resolve(name: str) -> tuple[str, _Dataset]:
    reg = _registry()
    if name not in reg:
        for resolve in _ALIASES:
            name = resolve(name) or name
    if name not in reg:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(reg)}")
    return name, reg[name]


def cached(name: str, *, with_dropped: bool = False) -> Any:
    """Return processed table ``name``, rebuilding it first unless the cache is exact.

    The cache is keyed on the sha256 of every raw input and of the loader code, and the files
    served are checked against the sha256 recorded when they were written
    (``<name>.meta.json``): a replaced raw file (whatever its modification time), a deleted or
    replaced processed file (another table copied over it, a deleted ``__dropped`` sidecar)
    or a corrupt Parquet file is rebuilt, never served. A read-only ``data/processed`` builds
    the table in memory.

    Parameters
    ----------
    name : str
        One of :func:`dataset_names`; ``"prices"`` is the newest Pink Sheet vintage.
    with_dropped : bool
        Also return the table of dropped/excluded rows.

    Returns
    -------
    DataFrame or (DataFrame, DataFrame)

    Raises
    ------
    PotashDataError
        A raw input is missing or its bytes differ from ``data/datapackage.json``.

    Examples
    --------
    >>> len(cached("events"))
    53
    """
    name, ds = _resolve(name)
    key = _key(name, ds)
    try:
        with _lock(name):
            for path in (*_targets(name), _meta_path(name)):
                _clean_partial(path)  # what a killed write left behind
            df, dropped = _read_fresh(name, key)
            if df is None:
                df, dropped = _write(name, ds, key)
    except PermissionError:  # read-only checkout: serve an exact cache, else build in memory
        df, dropped = _read_fresh(name, key)
        if df is None:
            res = ds.build()
            df, dropped = (res if isinstance(res, tuple) else (res, None))
    return (df, dropped) if with_dropped else df


def _read_fresh(name: str, key: dict[str, Any]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The cached table and its dropped rows when the cache is exact for ``key``, else None."""
    if not _fresh(name, key):
        return None, None
    main, drop = _targets(name)
    try:
        df = _restore(pd.read_parquet(main))
        dropped = _restore(pd.read_parquet(drop)) if drop.is_file() else None
    except (OSError, ValueError):  # unreadable despite its hash: rebuild
        return None, None
    return df, dropped


def write_table(name: str) -> list[Path]:
    """Verify the inputs of table ``name``, build it and write it; return the files written.

    Examples
    --------
    >>> [p.name for p in write_table("events")]  # doctest: +SKIP
    ['events.meta.json', 'events.parquet']
    """
    name, ds = _resolve(name)
    with _lock(name):
        _write(name, ds)
    main, drop = _targets(name)
    return sorted([main, _meta_path(name)] + ([drop] if drop.is_file() else []))
