"""Port of Klaipeda press releases (text), the raw input of :func:`potash.klaipeda_cargo`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from potash.core.errors import PotashDataError
from potash.data._common import checked_file, raw_path, rel

__all__ = ["load_klaipeda_articles"]

_FILE = ("klaipeda_port_news", "klaipeda_port_scraper.xlsx")
_COLUMNS = ("url", "title", "date", "text")


def load_klaipeda_articles(path: str | Path | None = None) -> pd.DataFrame:
    """The Port of Klaipeda press releases: one row per article, sha256-checked.

    Parameters
    ----------
    path : str or Path, optional
        A workbook with the same columns (default: the shipped
        ``data/raw/klaipeda_port_news/klaipeda_port_scraper.xlsx``, verified against
        ``data/datapackage.json``).

    Returns
    -------
    DataFrame
        ``url, title, date, text`` as published (``date`` as text, e.g. ``'Jan 23 2025'``).

    Raises
    ------
    PotashDataError
        The file is missing, empty, changed (sha256) or lacks a column.

    Examples
    --------
    >>> arts = load_klaipeda_articles()
    >>> list(arts.columns[:4])
    ['url', 'title', 'date', 'text']
    """
    p = checked_file(Path(path) if path is not None else raw_path(*_FILE))
    try:
        arts = pd.read_excel(p)
    except (ValueError, OSError) as exc:
        raise PotashDataError(f"not a readable xlsx workbook ({exc})", file=rel(p)) from exc
    missing = [c for c in _COLUMNS if c not in arts.columns]
    if missing:
        raise PotashDataError(f"missing column(s) {missing}", file=rel(p), column=missing[0])
    return arts
