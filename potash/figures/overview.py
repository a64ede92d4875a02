"""Data-tour figures: what is shipped, and the long history of the potash price."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from potash.figures._style import add_source, mark_events, new_axes, potash_style

__all__ = ["plot_coverage", "plot_price_history"]


def plot_coverage(coverage: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Draw each shipped table's time span as a bar (a Gantt chart of the data).

    Parameters
    ----------
    coverage : DataFrame
        From :func:`potash.analyses.overview.data_coverage` (``table, first, last, rows``).
    ax : Axes, optional
        Draw here; else a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> cov = pd.DataFrame({"table": ["a"], "first": pd.to_datetime(["2000-01-01"]),
    ...                     "last": pd.to_datetime(["2020-12-31"]), "rows": [10]})
    >>> fig = plot_coverage(cov); plt.close(fig)
    """
    needed = {"table", "first", "last", "rows"}
    if not needed <= set(coverage.columns):
        raise ValueError(f"plot_coverage: coverage needs columns {sorted(needed)}")
    with potash_style():
        fig, ax = new_axes(ax, figsize=(7.5, 0.45 * len(coverage) + 1.4))
        cov = coverage.iloc[::-1].reset_index(drop=True)
        start = mdates.date2num(cov["first"])
        width = mdates.date2num(cov["last"]) - start
        ax.barh(cov["table"], width, left=start, color="#1f4e79", alpha=0.8, height=0.6)
        for i, row in cov.iterrows():
            ax.text(mdates.date2num(row["last"]) + 150, i, f"{row['rows']:,} rows", va="center",
                    fontsize=7.5)
        ax.xaxis_date()
        ax.set_xlabel("Calendar year")
        ax.set_title("What potash ships: coverage of each real data source")
        ax.grid(axis="y", visible=False)
        add_source(fig, "data/raw (see data/raw/README.md); rows of the tidy tables")
    return fig


def plot_price_history(
    prices: pd.DataFrame,
    *,
    series: str = "potassium_chloride",
    basis_changes: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    start: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot one monthly price series over its history, with basis changes and events marked.

    Parameters
    ----------
    prices : DataFrame
        Tidy prices (``date, series, value, unit``), e.g. :func:`potash.load_prices`.
    series : str
        The series to draw.
    basis_changes : DataFrame, optional
        From :func:`potash.basis_changes`; those of ``series`` are shaded.
    events : DataFrame, optional
        Events to mark (``date``, ``label``, ``type``).
    start : str, optional
        First month shown (e.g. ``"2015-01"``).
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> p = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=5, freq="MS"),
    ...                   "series": "potassium_chloride", "value": [1., 2, 3, 2, 1], "unit": "$/mt"})
    >>> fig = plot_price_history(p); plt.close(fig)
    """
    s = prices[prices["series"] == series].dropna(subset=["value"])
    if s.empty:
        raise ValueError(f"plot_price_history: no values for series {series!r}")
    if start is not None:
        s = s[s["date"] >= pd.Timestamp(start)]
    unit = str(s["unit"].iloc[0])
    with potash_style():
        fig, ax = new_axes(ax)
        ax.plot(s["date"], s["value"], color="#1f4e79")
        if basis_changes is not None:
            for row in basis_changes[basis_changes["series"] == series].itertuples(index=False):
                ax.axvspan(pd.Timestamp(row.date), s["date"].max(), color="#d68910", alpha=0.08)
                ax.text(pd.Timestamp(row.date), 0.02, f" basis from {row.date:%Y-%m}: {row.after}",
                        transform=ax.get_xaxis_transform(), fontsize=7, color="#a04000",
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75})
        if events is not None and len(events):
            ev = events[events["date"] >= s["date"].min()]
            mark_events(ax, ev)
        ax.set_ylabel(f"{series.replace('_', ' ')} ({unit})")
        ax.set_xlabel("Month")
        ax.set_title(f"World Bank {series.replace('_', ' ')} price, monthly")
        add_source(fig, "World Bank Commodity Price Data (The Pink Sheet), nominal USD")
    return fig
