"""``make data``: optionally download new vintages, then build every processed table."""

from __future__ import annotations

from pathlib import Path

from potash.data import build

__all__ = ["build_processed"]


def build_processed(refresh: bool = False) -> list[Path]:
    """Write every processed table to ``data/processed`` (what ``make data`` runs).

    Parameters
    ----------
    refresh : bool
        First download new vintages with :func:`potash.pipeline.refresh.refresh_all` (needs
        the network).

    Returns
    -------
    list of Path
        The processed files written, sorted (see :func:`potash.data.build.build_processed`).

    Examples
    --------
    >>> paths = build_processed()  # doctest: +SKIP
    """
    if not isinstance(refresh, bool):
        raise ValueError(f"refresh must be True or False, got {refresh!r}")
    if refresh:
        from potash.pipeline.refresh import refresh_all

        refresh_all()
    return build.build_processed()
