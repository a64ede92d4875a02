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
    deflator: pd.Series | None = None,
    deflator_name: str = "deflator",
    ax: Axes | None = None,
) -> Figure:
    """Plot one monthly price series over its history, with basis changes and events marked.

    Prices are nominal; pass ``deflator`` (a price index chosen and loaded by the caller, e.g.
    the World Bank MUV index) to draw the real price too, in USD of the deflator's last period.

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
    deflator : Series, optional
        A price index indexed by month (DatetimeIndex) or by year (int); each month is
        divided by its value (the last known value carried forward) and multiplied by its last
        value.
    deflator_name : str
        What the deflator is, for the legend (e.g. ``"MUV index"``).
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> p = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=5, freq="MS"),
    ...                   "series": "potassium_chloride", "value": [1., 2, 3, 2, 1], "unit": "$/mt"})
    >>> fig = plot_price_history(p)
    >>> fig.axes[0].get_ylabel()
    'potassium chloride (nominal USD/t)'
    >>> plt.close(fig)
    >>> fig = plot_price_history(p, deflator=pd.Series([100.0, 110.0], index=[2019, 2020]))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['nominal', 'real (deflator, USD of 2020)']
    >>> plt.close(fig)
    """
    s = prices[prices["series"] == series].dropna(subset=["value"])
    if s.empty:
        raise ValueError(f"plot_price_history: no values for series {series!r}")
    if start is not None:
        s = s[s["date"] >= pd.Timestamp(start)]
    unit = str(s["unit"].iloc[0])
    unit = {"$/mt": "USD/t"}.get(unit, unit)
    real = None
    if deflator is not None:
        d = pd.Series(deflator).dropna().sort_index()
        if d.empty:
            raise ValueError("plot_price_history: the deflator has no values")
        if pd.api.types.is_integer_dtype(d.index):
            at = s["date"].dt.year.map(d).ffill().to_numpy()
            base = f"{int(d.index[-1])}"
        else:
            d.index = pd.DatetimeIndex(d.index)
            at = d.reindex(pd.DatetimeIndex(s["date"]), method="ffill").to_numpy()
            base = f"{d.index[-1]:%Y-%m}"
        real = s["value"].to_numpy() / at * float(d.iloc[-1])
    with potash_style():
        fig, ax = new_axes(ax)
        ax.plot(s["date"], s["value"], color="#1f4e79", label="nominal")
        if real is not None:
            ax.plot(s["date"], real, color="#c0392b", lw=1.3,
                    label=f"real ({deflator_name}, USD of {base})")
        if basis_changes is not None:
            for row in basis_changes[basis_changes["series"] == series].itertuples(index=False):
                ax.axvspan(pd.Timestamp(row.date), s["date"].max(), color="#d68910", alpha=0.08,
                           label=f"basis from {row.date:%Y-%m}: {row.after}")
        if events is not None and len(events):
            ev = events[events["date"] >= s["date"].min()]
            mark_events(ax, ev)
        if real is not None or basis_changes is not None:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        what = f"{unit}, nominal and real" if real is not None else f"nominal {unit}"
        ax.set_ylabel(f"{series.replace('_', ' ')} ({what})")
        ax.set_xlabel("Month")
        ax.set_title(f"World Bank {series.replace('_', ' ')} price, monthly")
        add_source(fig, "World Bank Commodity Price Data (The Pink Sheet), nominal USD")
    return fig
