"""Where potash finds its shipped data and writes its outputs.

The project root is the folder holding ``data/``; set ``POTASH_ROOT`` to use another tree
(for example a copy with refreshed vintages).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "raw_dir", "processed_dir", "reports_dir"]


def project_root() -> Path:
    """Return the project root (``POTASH_ROOT`` or the folder above the package).

    Examples
    --------
    >>> (project_root() / "data" / "raw").is_dir()
    True
    """
    env = os.environ.get("POTASH_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[2]


def raw_dir() -> Path:
    """Return ``data/raw`` (immutable real snapshots).

    Examples
    --------
    >>> raw_dir().name
    'raw'
    """
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    """Return ``data/processed`` (parquet built by ``make data``).

    Examples
    --------
    >>> processed_dir().name
    'processed'
    """
    return project_root() / "data" / "processed"


def reports_dir() -> Path:
    """Return ``reports`` (figures and the HTML report built by ``make report``).

    Examples
    --------
    >>> reports_dir().name
    'reports'
    """
    return project_root() / "reports"
