"""Build every processed table: ``data/processed/*.parquet`` (what ``make data`` runs).

Imports every loader module (each registers its tables with :mod:`potash.data._cache`) and
writes them all. Downloading new vintages first is the pipeline's job
(:func:`potash.pipeline.build.build_processed` with ``refresh=True``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.io import write_parquet
from potash.core.paths import processed_dir

# the loader modules: importing them registers their tables
from potash.data import customs, equity, events, prices, production, trade  # noqa: F401
from potash.data._cache import _registry, dataset_names, write_table
from potash.data._common import rel

__all__ = ["build_processed", "dataset_names"]


def build_processed() -> list[Path]:
    """Write every processed table to ``data/processed``.

    Returns
    -------
    list of Path
        The processed files written, sorted: one ``<name>.parquet`` per
        :func:`~potash.data._cache.dataset_names` (plus ``<name>__dropped.parquet`` with what
        was dropped or excluded, and ``prices.parquet`` with all price sources in one table).

    Examples
    --------
    >>> paths = build_processed()  # doctest: +SKIP
    """
    written: list[Path] = []
    try:
        for name in sorted(_registry()):
            written.extend(write_table(name))
        # convenience: every price source (newest Pink Sheet, USDA, Ecuador) in one table
        allp = pd.concat(
            [prices.load_prices(s) for s in ("worldbank", "usda", "ecuador")], ignore_index=True
        )
        written.append(write_parquet(allp, processed_dir() / "prices.parquet"))
    except PermissionError as exc:
        where = Path(exc.filename).parent if exc.filename else processed_dir()
        raise PotashDataError(
            "cannot write the processed tables here (permission denied). Make the folder "
            f"writable (chmod -R u+w {rel(where)}), or work on a writable copy of the project "
            "(POTASH_ROOT=/path/to/copy). Without building, every loader still works: it builds "
            "its table in memory from data/raw when data/processed is read-only",
            file=rel(where),
        ) from None
    return sorted(written)
