"""Figures of the returns event study: AAR bars and CAAR with confidence bands."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from potash.data.events import normalise_events
from potash.figures._style import add_source, new_axes, potash_style

__all__ = ["plot_event_study", "plot_car", "plot_sanctions_caar"]


def plot_event_study(
    results: Any,
    ax: Any = None,
    group: str | None = None,
    level: float = 0.95,
    source: str = "potash event study on daily returns",
) -> Figure:
    """Plot AAR (bars) and CAAR (line) with confidence bands for one group.

    Parameters
    ----------
    results : EventStudyResults
    ax : Axes, optional
    group : str, optional
        An event_id or ``"pooled"`` (default: pooled when there are several events).
    level : float
        Confidence level of the bands (Brown-Warner 1985 portfolio standard deviation).
    source : str
        Text of the source line.

    Returns
    -------
    Figure

    Examples
    --------
    >>> import numpy as np, pandas as pd, matplotlib.pyplot as plt
    >>> from potash import event_study
    >>> rng = np.random.default_rng(3)
    >>> d = pd.bdate_range("2021-01-01", periods=300)
    >>> m = pd.Series(rng.normal(0, 0.01, 300), index=d)
    >>> r = pd.DataFrame({"A": m + rng.normal(0, 0.01, 300)}, index=d)
    >>> fig = plot_event_study(event_study(r, m, "2021-11-01", estimation_window=(-150, -11)))
    >>> plt.close(fig)
    """
    ci = results.conf_int(level)
    groups = list(results.aar.columns)
    if group is None:
        group = groups[-1]
    if group not in groups:
        raise ValueError(f"group={group!r} is not one of {groups}")
    c = ci[ci["group"] == group]
    with potash_style():
        fig, ax = new_axes(ax)
        days = c["day"].to_numpy()
        ax.bar(days, 100 * c["aar"], width=0.6, color="#5d6d7e", alpha=0.7, label="AAR")
        ax.errorbar(
            days,
            100 * c["aar"],
            yerr=100 * (c["aar_upper"] - c["aar"]),
            fmt="none",
            ecolor="#5d6d7e",
            capsize=2,
            linewidth=0.8,
        )
        ax.plot(days, 100 * c["caar"], color="#c0392b", marker="o", label="CAAR")
        ax.fill_between(
            days,
            100 * c["caar_lower"],
            100 * c["caar_upper"],
            color="#c0392b",
            alpha=0.15,
            label=f"CAAR {int(round(level * 100))}% band",
        )
        ax.axhline(0, color="#444444", linewidth=0.8)
        ax.axvline(0, color="#c0392b", linestyle="--", linewidth=0.9)
        ax.set_xticks(days)
        ax.set_xlabel(
            "Trading days relative to the event (day 0 = first trading day on/after the event)"
        )
        ax.set_ylabel("Abnormal return (%)")
        title = "Pooled events" if group == "pooled" else f"Event {group}"
        ax.set_title(f"{title}: average and cumulative abnormal returns ({results.model} model)")
        ax.legend(loc="best")
        add_source(fig, f"{source}; bands: Brown-Warner 1985 portfolio s.d.")
    return fig


def plot_car(results: Any, ax: Any = None, group: str | None = None) -> Figure:
    """Bar chart of each security's CAR over the event window for one event.

    Examples
    --------
    >>> import numpy as np, pandas as pd, matplotlib.pyplot as plt
    >>> from potash import event_study
    >>> rng = np.random.default_rng(4)
    >>> d = pd.bdate_range("2021-01-01", periods=300)
    >>> m = pd.Series(rng.normal(0, 0.01, 300), index=d)
    >>> r = pd.DataFrame({c: m + rng.normal(0, 0.01, 300) for c in "AB"}, index=d)
    >>> fig = plot_car(event_study(r, m, "2021-11-01", estimation_window=(-150, -11)))
    >>> plt.close(fig)
    """
    car = results.car.reset_index()
    events = list(dict.fromkeys(car["event_id"]))
    if group is None:
        group = events[0]
    if group not in events:
        raise ValueError(f"group={group!r} is not one of {events}")
    c = car[car["event_id"] == group]
    with potash_style():
        fig, ax = new_axes(ax)
        se = np.sqrt(c["var_car"].to_numpy())
        ax.bar(c["security"], 100 * c["car"], color="#1f4e79", alpha=0.8)
        ax.errorbar(
            c["security"],
            100 * c["car"],
            yerr=100 * 1.96 * se,
            fmt="none",
            ecolor="#444444",
            capsize=3,
        )
        ax.axhline(0, color="#444444", linewidth=0.8)
        d0, d1 = int(results.days[0]), int(results.days[-1])
        ax.set_xlabel("Security (ticker)")
        ax.set_ylabel(f"CAR over days {d0:+d}..{d1:+d} (%)")
        ax.set_title(f"Event {group}: cumulative abnormal return by security")
        add_source(fig, "potash event study; bars: 95% forecast-error interval")
    return fig


def plot_sanctions_caar(results: Any, ax: Any = None, level: float = 0.05) -> Figure:
    """The long-short CAR per sanctions/relief date, with its interval and calibrated p-values.

    The figure shows the study's headline test, as the text reports it: bars are the CAR of
    the equal-weighted producers-minus-contrast portfolio over the event window (in %),
    whiskers its interval (``summary_frame()``: ``ci_low, ci_high``, Brown-Warner 1980 t); a
    filled star marks a calibrated p (share of placebo dates with a p at least as small)
    below ``level``, a ring one that also survives Holm's correction across the dates of its
    family. Ticks name the event(s) of each date.

    Parameters
    ----------
    results : SanctionsEventStudyResults
    ax : Axes, optional
    level : float
        Significance level of the markers.

    Returns
    -------
    Figure
    """
    sf = results.summary_frame().sort_values("trading_date").reset_index(drop=True)
    ev = normalise_events(results.events)
    def _name(labels: pd.Series) -> str:
        unique = list(dict.fromkeys(map(str, labels)))
        return unique[0] + (f" (+{len(unique) - 1} more)" if len(unique) > 1 else "")

    names = ev.groupby("group")["label"].agg(_name)
    fam_color = {"sanction": "#c0392b", "relief": "#2e8b57"}
    with potash_style():
        fig, ax = new_axes(ax, figsize=(9.5, 5.2))
        x = np.arange(len(sf))
        est, lo, hi = 100 * sf["estimate"], 100 * sf["ci_low"], 100 * sf["ci_high"]
        colors = [fam_color.get(str(f), "#5d6d7e") for f in sf["family"]]
        ax.bar(x, est, 0.6, color=colors, alpha=0.85)
        ax.errorbar(x, est, yerr=[est - lo, hi - est], fmt="none", ecolor="#444444", capsize=2,
                    linewidth=0.8)
        top = float(np.nanmax(hi)) if len(sf) else 1.0
        span = float(np.nanmax(hi) - np.nanmin(lo)) if len(sf) else 1.0
        star_y = np.where(est >= 0, hi + 0.07 * span, lo - 0.07 * span)
        cal = (sf["p_calibrated"] < level).to_numpy()
        holm = (sf["p_holm"] < level).to_numpy()
        ax.scatter(x[cal], star_y[cal], marker="*", s=60, color="#222222", zorder=4)
        ax.scatter(x[holm], star_y[holm], marker="o", s=120, facecolors="none",
                   edgecolors="#222222", zorder=4)
        ax.set_ylim(float(np.nanmin(lo)) - 0.15 * span, top + 0.15 * span)
        labels = [
            f"{names.get(g, g)}\n{pd.Timestamp(d).date()}"
            for g, d in zip(sf["event_id"], sf["trading_date"], strict=True)
        ]
        ax.set_xticks(x)
        ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
        ax.axhline(0, color="#444444", linewidth=0.8)
        d0, d1 = int(results.long_short.days[0]), int(results.long_short.days[-1])
        ax.set_ylabel(f"long-short CAR, days {d0:+d}..{d1:+d} (%)")
        ax.set_xlabel("Event (first trading day on or after the announcement)")
        ax.set_title("Potash producers minus contrast group: cumulative abnormal return by date")
        pct = int(round(100 * (1 - results.alpha)))
        handles = [
            Patch(color=fam_color["sanction"], alpha=0.85, label="sanction date"),
            Patch(color=fam_color["relief"], alpha=0.85, label="relief date"),
            Line2D([], [], color="#444444", lw=0.8, label=f"{pct}% interval (t)"),
            Line2D([], [], marker="*", ls="none", color="#222222", markersize=9,
                   label=f"calibrated p < {level:g}"),
            Line2D([], [], marker="o", ls="none", markerfacecolor="none",
                   markeredgecolor="#222222", markersize=9, label=f"also Holm p < {level:g}"),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        add_source(
            fig,
            "Yahoo Finance adjusted closes (dsturdy snapshot), potash sanctions calendar; "
            f"market model vs {results.market}; p calibrated on "
            f"{len(results.placebo_dates)} placebo dates, Holm within each family",
        )
    return fig
