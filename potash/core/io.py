"""Atomic, deterministic writes of processed tables and figures."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    A reader never sees a half-written file: either the old file or the new one.

    Parameters
    ----------
    path : str or Path
        Final destination.
    write : callable
        Writes the content to the temporary path it is given.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write(d / "x.txt", lambda p: p.write_text("hi")).read_text()
    'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to Parquet atomically and byte-identically for identical input.

    The index is dropped, row groups and compression are fixed, and no timestamps are stored.

    Parameters
    ----------
    df : DataFrame
        The table to write.
    path : str or Path
        Destination ``.parquet`` file.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> _ = write_parquet(pd.DataFrame({"a": [1, 2]}), p)
    >>> pd.read_parquet(p)["a"].tolist()
    [1, 2]
    """
    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)

    def _write(tmp: Path) -> None:
        pq.write_table(
            table,
            tmp,
            compression="zstd",
            row_group_size=1_000_000,
            write_statistics=True,
            store_schema=True,
        )

    return atomic_write(path, _write)
