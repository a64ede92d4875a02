"""Figures for the 2025 relief: prices around the announcement and the watch-list timeline."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from potash.figures._style import EVENT_COLORS, add_source, mark_events, potash_style

__all__ = ["plot_relief_signals"]

_ITEM_COLORS = {
    "scope of US relief": EVENT_COLORS["relief"],
    "further releases": EVENT_COLORS["prisoner_release"],
    "Belarus's conduct": EVENT_COLORS["logistics"],
    "EU response": EVENT_COLORS["sanction"],
    "market signals": EVENT_COLORS["market"],
    "other": EVENT_COLORS["geopolitical"],
}


def _label(series: str, source: str) -> str:
    if series.startswith("potash_retail_"):
        state = re.sub(r"_(white|red)_\d+_\d+_\d+$", "", series.removeprefix("potash_retail_"))
        return f"{state.replace('_', ' ').title()} retail potash"
    return f"{series.replace('_', ' ')} ({source})"


def plot_relief_signals(
    world: pd.DataFrame,
    retail: pd.DataFrame,
    timeline: pd.DataFrame,
    date: str | pd.Timestamp,
    *,
    start: str = "2024-07-01",
) -> Figure:
    """Two panels: prices indexed to the last observation before the relief, and the watch-list timeline.

    Parameters
    ----------
    world : DataFrame
        Monthly World Bank prices (``date, series, value, unit``), the series to draw only.
    retail : DataFrame
        USDA state retail potash prices in the same schema.
    timeline : DataFrame
        From :func:`potash.analyses.relief.watch_timeline` (``date, item, event_id``).
    date : str or Timestamp
        The relief announcement.
    start : str
        First date shown.

    Returns
    -------
    Figure

    Examples
    --------
    >>> w = pd.DataFrame({"date": pd.date_range("2025-10-01", periods=4, freq="MS"),
    ...                   "series": "potassium_chloride", "value": [1., 2, 3, 4], "unit": "$/mt"})
    >>> r = w.assign(series="potash_retail_x", value=[5., 5, 6, 6])
    >>> t = pd.DataFrame({"date": pd.to_datetime(["2025-12-13"]), "item": ["scope of US relief"],
    ...                   "event_id": ["x"]})
    >>> fig = plot_relief_signals(w, r, t, "2025-12-13", start="2025-09-01"); plt.close(fig)
    """
    date = pd.Timestamp(date)
    start_ts = pd.Timestamp(start)
    with potash_style():
        fig, (ax1, ax2) = plt.subplots(
            2, 1, figsize=(7.5, 6.4), sharex=True, gridspec_kw={"height_ratios": [2.2, 1]},
            layout="constrained",
        )
        month = date.to_period("M").to_timestamp()
        for name, grp, cut, style in (
            ("World Bank", world, month, {"linewidth": 2.0}),
            ("USDA retail", retail, date, {"linewidth": 1.0, "alpha": 0.75, "linestyle": "--"}),
        ):
            for series, s in grp.dropna(subset=["value"]).sort_values("date").groupby("series"):
                base = s.loc[s["date"] < cut, "value"]
                if base.empty:
                    continue
                s = s[s["date"] >= start_ts]
                ax1.plot(s["date"], 100 * s["value"] / base.iloc[-1], label=_label(series, name),
                         **style)
        ax1.axhline(100, color="#444444", linewidth=0.8)
        mark_events(ax1, pd.DataFrame({"date": [date], "label": ["US relief announced"],
                                       "type": ["relief"]}))
        ax1.set_ylabel("index of nominal prices,\nlast observation before relief = 100")
        ax1.set_title("After the US relief: fertilizer prices and the watch list")
        ax1.legend(loc="upper left", fontsize=7, ncol=2)
        items = [i for i in _ITEM_COLORS if i in set(timeline["item"])]
        tl = timeline[timeline["date"] >= start_ts]
        for y, item in enumerate(items):
            rows = tl[tl["item"] == item]
            ax2.scatter(rows["date"], [y] * len(rows), color=_ITEM_COLORS[item], s=28, zorder=3)
        ax2.set_yticks(range(len(items)), items)
        ax2.set_ylim(-0.6, len(items) - 0.4)
        ax2.axvline(date, color=EVENT_COLORS["relief"], linestyle="--", linewidth=0.9)
        ax2.set_xlabel("Date")
        ax2.set_title("Calendar events by thing to watch", fontsize=9.5)
        add_source(fig, "World Bank Pink Sheet (monthly); USDA AMS state reports (bi-weekly, "
                        "USD/short ton); potash sanctions calendar")
    return fig
