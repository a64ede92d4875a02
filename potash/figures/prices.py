"""Figures for commodity prices: fertilizer prices, the ITS fit and abnormal path, breaks.

Every function applies the potash style in a context manager, takes ``ax=None`` and returns
the matplotlib Figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from potash.data.events import normalise_events
from potash.data.price_panel import log_price_panel
from potash.data.prices import basis_changes as known_basis_changes
from potash.figures._style import add_source, mark_events, new_axes, plain_log_axis, potash_style

__all__ = [
    "plot_abnormal_price",
    "plot_breaks",
    "plot_counterfactual_band",
    "plot_placebo_in_time",
    "plot_fstats",
    "plot_price_comparison",
    "plot_price_its",
]

#: Kept for old callers: every event is now numbered in the strip above the axes.
MAX_LABELS = 6

PINK_SHEET = "World Bank Commodity Price Data (The Pink Sheet), monthly averages, nominal US$"

_LABELS = {
    "potassium_chloride": "Potash (KCl)",
    "urea": "Urea",
    "dap": "DAP",
    "tsp": "TSP",
    "phosphate_rock": "Phosphate rock",
    "natural_gas_europe": "Natural gas, Europe",
    "natural_gas_us": "Natural gas, US",
}


def _label(series: str) -> str:
    return _LABELS.get(series, series.replace("_", " "))


def _unit(unit: Any) -> str:
    """``$/mt`` -> ``USD/t`` (the Pink Sheet's units, in words a reader knows)."""
    u = str(unit or "").strip()
    return {"$/mt": "USD/t", "$/mmbtu": "USD/mmbtu", "": "USD/t"}.get(u.lower(), u)


def _month_events(events: pd.DataFrame) -> pd.DataFrame:
    """One row per event month, its events' labels joined (for ITS figures)."""
    ev = events.assign(date=lambda e: e["month"])
    if "label" not in ev.columns:
        ev["label"] = ev["month"].dt.strftime("%Y-%m")
    ev["label"] = ev["label"].astype(str)
    agg = ev.groupby("date", sort=True).agg(
        label=("label", lambda x: " / ".join(dict.fromkeys(x))), type=("type", "first")
    )
    return agg.reset_index()


def _events_for_plot(events: Any, lo: Any = None, hi: Any = None) -> pd.DataFrame | None:
    if events is None:
        return None
    ev = normalise_events(events)
    if lo is not None:
        ev = ev[ev["date"] >= pd.Timestamp(lo)]
    if hi is not None:
        ev = ev[ev["date"] <= pd.Timestamp(hi) + pd.offsets.MonthEnd(0)]
    return ev.reset_index(drop=True)


def plot_price_comparison(
    prices: pd.DataFrame,
    series: Sequence[str] = ("potassium_chloride", "urea", "dap", "tsp"),
    *,
    events: Any = None,
    start: Any = None,
    end: Any = None,
    base: Any = None,
    basis_changes: pd.DataFrame | None = None,
    ax: Any = None,
) -> Figure:
    """Potash against other fertilizers: prices indexed to 100 in a base month, log scale.

    Basis changes of the plotted series (see :func:`potash.data.basis_changes`) are
    drawn as dotted grey lines, events as dashed coloured lines.

    Parameters
    ----------
    prices : DataFrame
        Tidy prices ``date, series, value, unit``.
    series : sequence of str
        Series to plot; the first is drawn thickest.
    events : DataFrame or sequence of date-like, optional
        Events to mark (``date`` and ``event_id`` or ``label``, ``type`` for the colour).
    start, end : date-like, optional
        Sample (default: months all series share).
    base : date-like, optional
        Month where every index is 100 (default: the first month).
    basis_changes : DataFrame, optional
        ``series, date`` of basis changes (default: the known ones).
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> d = pd.date_range("2021-01-01", periods=12, freq="MS")
    >>> p = pd.concat([pd.DataFrame({"date": d, "series": s, "value": np.arange(1, 13) * f,
    ...                              "unit": "$/mt"}) for s, f in [("potassium_chloride", 2), ("urea", 3)]])
    >>> fig = plot_price_comparison(p, ["potassium_chloride", "urea"], events=["2021-08-09"])
    >>> plt.close(fig)
    """
    logp = log_price_panel(prices, list(series), start=start, end=end, basis="ignore")
    b = logp.index[0] if base is None else pd.Timestamp(base).to_period("M").to_timestamp()
    if b not in logp.index:
        raise ValueError(f"base month {b:%Y-%m} is outside the plotted sample")
    idx = 100 * np.exp(logp - logp.loc[b])
    bc = known_basis_changes() if basis_changes is None else basis_changes
    with potash_style():
        fig, ax = new_axes(ax)
        for i, s in enumerate(series):
            ax.plot(
                idx.index, idx[s], label=_label(s), lw=2.4 if i == 0 else 1.3, zorder=3 - (i > 0)
            )
        plain_log_axis(ax)
        for row in bc.itertuples(index=False):
            d = pd.Timestamp(row.date)
            if row.series in series and idx.index[0] < d <= idx.index[-1]:
                ax.axvline(
                    d, color="#888888", ls=":", lw=1.1,
                    label=f"{_label(row.series)} basis change ({d:%Y-%m})",
                )
        ev = _events_for_plot(events, idx.index[0], idx.index[-1])
        if ev is not None and not ev.empty:
            mark_events(ax, ev)
        ax.set_title("Potash and other fertilizer prices")
        ax.set_ylabel(f"Nominal USD price index\n({b:%Y-%m} = 100, log scale)")
        ax.set_xlabel("Month")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        add_source(fig, PINK_SHEET)
    return fig


def plot_price_its(result: Any, ax: Any = None) -> Figure:
    """The interrupted-time-series fit: actual price, counterfactual, and the abnormal path.

    With ``ax=None`` the figure has two panels (prices; abnormal price in %); with an ``ax``
    only the price panel is drawn there (use :func:`plot_abnormal_price` for the other).

    Parameters
    ----------
    result : PriceEventStudyResults
        From :func:`potash.price_event_study`.
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> from potash.estimators.its import price_event_study
    >>> rng = np.random.default_rng(0)
    >>> d = pd.date_range("2020-01-01", periods=36, freq="MS")
    >>> p = pd.DataFrame({"date": d, "series": "potassium_chloride", "unit": "$/mt",
    ...                   "value": np.exp(5 + 0.3 * (d >= "2021-06-01") + rng.normal(0, .05, 36))})
    >>> fig = plot_price_its(price_event_study(p, ["2021-06-10"], series="potassium_chloride"))
    >>> plt.close(fig)
    """
    ab = result.abnormal
    with potash_style():
        if ax is None:
            fig, (ax1, ax2) = plt.subplots(
                2, 1, figsize=(7.5, 6.0), sharex=True, gridspec_kw={"height_ratios": [3, 2]},
                layout="constrained",
            )
        else:
            fig, ax1 = new_axes(ax)
            ax2 = None
        ax1.plot(ab.index, ab["price"], label=f"Actual ({_label(result.series)})", lw=2)
        ax1.plot(ab.index, np.exp(ab["fitted"]), label="Fitted", lw=1, ls="--")
        ax1.plot(
            ab.index, ab["counterfactual_price"], label="Counterfactual (no event terms)", lw=1.4
        )
        ax1.fill_between(ab.index, ab["counterfactual_price"], ab["price"], alpha=0.12, lw=0,
                         label="Gap: abnormal price")
        plain_log_axis(ax1)
        ax1.set_ylabel(f"Price, nominal {_unit(result.unit)} (log scale)")
        ax1.set_title(f"Interrupted time series: {_label(result.series)} price")
        ax1.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5)
        ev = _month_events(result.events)
        mark_events(ax1, ev, date_format="%Y-%m")
        if ax2 is not None:
            _abnormal(ax2, result, ev)
        else:
            ax1.set_xlabel("Month")
        add_source(fig, PINK_SHEET + "; potash.price_event_study")
    return fig


def _abnormal(ax: Any, result: Any, ev: pd.DataFrame, annotate: bool = False) -> None:
    ab = result.abnormal
    ax.axhline(0, color="black", lw=0.8)
    ax.plot(ab.index, ab["abnormal_pct"], color="#c0392b", lw=1.6)
    ax.set_ylabel("Abnormal price (%)")
    ax.set_xlabel("Month")
    mark_events(ax, ev, annotate=annotate, date_format="%Y-%m")


def plot_abnormal_price(result: Any, ax: Any = None) -> Figure:
    """Abnormal price path of a price event study: 100 (exp(actual - counterfactual) - 1).

    Parameters
    ----------
    result : PriceEventStudyResults
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> from potash.estimators.its import price_event_study
    >>> d = pd.date_range("2020-01-01", periods=24, freq="MS")
    >>> p = pd.DataFrame({"date": d, "series": "potassium_chloride", "unit": "$/mt",
    ...                   "value": np.exp(5 + 0.2 * (d >= "2021-01-01") + np.sin(np.arange(24)) / 50)})
    >>> fig = plot_abnormal_price(price_event_study(p, ["2021-01-05"], series="potassium_chloride"))
    >>> plt.close(fig)
    """
    with potash_style():
        fig, ax = new_axes(ax)
        ev = _month_events(result.events)
        _abnormal(ax, result, ev, annotate=True)
        ax.set_title(f"Abnormal {_label(result.series)} price")
        add_source(fig, PINK_SHEET + "; potash.price_event_study")
    return fig


def plot_fstats(
    result: Any,
    breakpoints: Any = None,
    *,
    events: Any = None,
    ax: Any = None,
) -> Figure:
    """The F-statistic path of a one-break test, with the 5% sup-F critical value.

    Optionally the Bai-Perron break dates (solid lines) with their confidence intervals
    (shaded) and events (dashed). Each F value is plotted at the first month of the regime
    it would start.

    Parameters
    ----------
    result : FStatsResults
        From :func:`potash.f_stats`.
    breakpoints : BreakpointsResults, optional
        From :func:`potash.bai_perron`.
    events : DataFrame or sequence of date-like, optional
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> from potash.estimators.breaks import f_stats
    >>> y = pd.Series(np.r_[np.zeros(20), np.ones(20)] + np.sin(np.arange(40)) / 5,
    ...               index=pd.date_range("2020-01-01", periods=40, freq="MS"))
    >>> fig = plot_fstats(f_stats(y), events=["2021-09-01"])
    >>> plt.close(fig)
    """
    path = result.fstats
    with potash_style():
        fig, ax = new_axes(ax)
        ax.plot(path["first_after"], path["F"], color="#1f4e79", label="F statistic")
        cv = result.critical_value("supF")
        if cv is not None:
            ax.axhline(
                cv, color="#5d6d7e", ls="-.", lw=1, label=f"sup-F 5% critical value ({cv:.2f})"
            )
        if breakpoints is not None:
            _draw_breaks(ax, breakpoints)
        ev = _events_for_plot(events, path["first_after"].iloc[0], path["first_after"].iloc[-1])
        if ev is not None and not ev.empty:
            mark_events(ax, ev)
        sup = result.tests.loc["supF"]
        ax.set_title(
            f"F statistics for one break (sup-F {sup['statistic']:.1f}, p = {sup['p_value']:.2g})"
        )
        ax.set_ylabel("F statistic (dimensionless)")
        ax.set_xlabel("First month of the new regime")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        add_source(fig, PINK_SHEET + "; potash.f_stats (strucchange conventions)")
    return fig


def _draw_breaks(ax: Any, bp: Any) -> None:
    t = bp.breaks
    for i, row in enumerate(t.itertuples(index=False)):
        ax.axvline(
            row.first_after, color="black", lw=1.3, label="Bai-Perron break" if i == 0 else None
        )
        if pd.notna(row.ci_lower) and pd.notna(row.ci_upper):
            ax.axvspan(
                row.ci_lower,
                row.ci_upper,
                color="grey",
                alpha=0.18,
                lw=0,
                label=f"{int(round(bp.level * 100))}% CI" if i == 0 else None,
            )


def plot_breaks(
    result: Any,
    ax: Any = None,
    *,
    events: Any = "result",
    series_label: str | None = None,
) -> Figure:
    """A series with its segmented fit and the break dates (Bai-Perron or Chow).

    Parameters
    ----------
    result : BreakpointsResults or ChowResults
    ax : Axes, optional
    events : DataFrame, sequence of date-like, None or "result"
        Events to number on the figure: pass the headline events (e.g.
        :func:`potash.headline_events`); ``"result"`` (default) marks the events given to the
        estimator, None marks none.
    series_label : str, optional
        The y axis label (default: the series name, read as a log price, e.g.
        ``"Potash (KCl), log of nominal USD/t"``).

    Returns
    -------
    Figure

    Examples
    --------
    >>> from potash.estimators.breaks import bai_perron
    >>> y = pd.Series(np.r_[np.zeros(20), np.ones(20)] + np.sin(np.arange(40)) / 5,
    ...               index=pd.date_range("2020-01-01", periods=40, freq="MS"))
    >>> fig = plot_breaks(bai_perron(y, events=["2021-09-01"]))
    >>> plt.close(fig)
    """
    y = result.endog
    name = _label(str(y.name)) if y.name is not None else "Series"
    ylabel = series_label or (
        f"{name}, log of nominal USD/t" if str(y.name) in _LABELS else f"{name} (log)"
    )
    marks = getattr(result, "events", None) if isinstance(events, str) and events == "result" else events
    with potash_style():
        fig, ax = new_axes(ax)
        ax.plot(y.index, y.to_numpy(), color="#1f4e79", lw=1.4, label=name)
        if hasattr(result, "segments"):
            ax.plot(
                y.index, result.fitted.to_numpy(), color="#c0392b", lw=1.4, label="Segmented fit"
            )
            _draw_breaks(ax, result)
            ax.set_title(f"Bai-Perron breaks ({result.n_breaks})")
        else:
            ax.plot(y.index, result.fitted.to_numpy(), color="#c0392b", lw=1.4,
                    label="Two-regime fit")
            ax.axvline(result.first_after, color="black", lw=1.3, label="Tested break")
            ax.set_title(f"Chow test: F = {result.statistic:.2f}, p = {result.p_value:.2g}")
        ev = _events_for_plot(marks, y.index[0], y.index[-1])
        if ev is not None and not ev.empty:
            mark_events(ax, ev)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("Month")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        add_source(fig, PINK_SHEET + "; potash.estimators.breaks")
    return fig


def plot_placebo_in_time(table: pd.DataFrame, ax: Any = None, title: str = "") -> Figure:
    """|t| of a step moved to each placebo month, the true month highlighted.

    Parameters
    ----------
    table : DataFrame
        ``month, statistic, is_true`` (``PlaceboInTimeResults.table``).
    ax : Axes, optional
    title : str

    Returns
    -------
    Figure

    Examples
    --------
    >>> t = pd.DataFrame({"month": pd.date_range("2020-01-01", periods=3, freq="MS"),
    ...                   "statistic": [1.0, -3.0, 0.5], "is_true": [False, True, False]})
    >>> plt.close(plot_placebo_in_time(t))
    """
    with potash_style():
        fig, ax = new_axes(ax)
        m = pd.to_datetime(table["month"])
        a = table["statistic"].abs().to_numpy()
        true = table["is_true"].to_numpy(dtype=bool)
        ax.bar(m[~true], a[~true], width=25, color="0.65", label="placebo months")
        ax.bar(m[true], a[true], width=25, color="C3", label="actual month")
        ax.set_ylabel("|t| of the step")
        ax.set_title(title or "Placebo in time: the step at every admissible month")
        ax.legend(loc="upper right", frameon=False)
        add_source(fig, PINK_SHEET + "; potash.placebo_in_time")
    return fig


def plot_counterfactual_band(path: pd.DataFrame, ax: Any = None, title: str = "") -> Figure:
    """Actual log price vs a counterfactual fitted before the event, with its forecast band.

    Parameters
    ----------
    path : DataFrame
        ``actual, counterfactual, band_low, band_high, post`` by month
        (``PreEventCounterfactualResults.path``); drawn in price levels (exp).
    ax : Axes, optional
    title : str

    Returns
    -------
    Figure

    Examples
    --------
    >>> d = pd.date_range("2020-01-01", periods=4, freq="MS")
    >>> p = pd.DataFrame({"actual": [5.0, 5.1, 5.6, 5.7], "counterfactual": 5.05,
    ...                   "band_low": 4.9, "band_high": 5.2, "post": [False, False, True, True]},
    ...                  index=d)
    >>> plt.close(plot_counterfactual_band(p))
    """
    with potash_style():
        fig, ax = new_axes(ax)
        x = path.index
        ax.plot(x, np.exp(path["actual"]), color="C0", label="actual")
        ax.plot(x, np.exp(path["counterfactual"]), color="C1", ls="--",
                label="counterfactual (fitted before the event)")
        ax.fill_between(x, np.exp(path["band_low"]), np.exp(path["band_high"]), color="C1",
                        alpha=0.2, label="95% forecast band")
        post = path.index[path["post"].to_numpy(dtype=bool)]
        if len(post):
            ax.axvline(post[0], color="0.3", lw=0.8)
        ax.set_ylabel("price (nominal USD/t)")
        ax.set_title(title or "Counterfactual projected from the pre-event months")
        ax.legend(loc="upper left", frameon=False)
        add_source(fig, PINK_SHEET + "; potash.pre_event_counterfactual")
    return fig
