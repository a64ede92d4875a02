"""Figures of the returns event study: AAR bars and CAAR with confidence bands."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

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


def plot_sanctions_caar(results: Any, ax: Any = None) -> Figure:
    """CAAR over the event window for each sanctions/relief event: producers vs contrast.

    Bars are the event's CAAR (in %); whiskers are 95% bands from the Brown-Warner 1985
    portfolio standard deviation (robust to the clustering of the event dates).

    Parameters
    ----------
    results : SanctionsEventStudyResults
    ax : Axes, optional

    Returns
    -------
    Figure
    """
    from scipy import stats as sps

    z = sps.norm.ppf(0.975)
    groups = [g for g in results.producers.caar.columns if g != "pooled"]
    ev = results.events.drop_duplicates("group").set_index("group")
    with potash_style():
        fig, ax = new_axes(ax, figsize=(9.5, 4.6))
        x = np.arange(len(groups))
        width = 0.38
        for off, (name, res, color) in enumerate(
            [
                ("Potash producers", results.producers, "#c0392b"),
                ("Contrast group", results.contrast, "#1f4e79"),
            ]
        ):
            caar = res.caar.iloc[-1].reindex(groups).to_numpy()
            ci = res.conf_int(0.95)
            n_days = len(res.days)
            sd = ci.groupby("group")["aar_upper"].first() - ci.groupby("group")["aar"].first()
            half = (sd / z).reindex(groups).to_numpy() * z * np.sqrt(n_days)
            ax.bar(x + (off - 0.5) * width, 100 * caar, width, color=color, alpha=0.8, label=name)
            ax.errorbar(
                x + (off - 0.5) * width,
                100 * caar,
                yerr=100 * half,
                fmt="none",
                ecolor="#444444",
                capsize=2,
                linewidth=0.8,
            )
        labels = []
        for g in groups:
            row = ev.loc[g]
            kind = (
                "relief"
                if "relief" in set(results.events.loc[results.events["group"] == g, "type"])
                else "sanction"
            )
            labels.append(f"{pd.Timestamp(row['trading_date']).date()} ({kind})")
        ax.set_xticks(x)
        ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
        ax.axhline(0, color="#444444", linewidth=0.8)
        d0, d1 = int(results.producers.days[0]), int(results.producers.days[-1])
        ax.set_ylabel(f"CAAR over trading days {d0:+d}..{d1:+d} (%)")
        ax.set_xlabel("Event (first trading day on or after the announcement)")
        ax.set_title(
            "Abnormal returns of potash producers around Belarus potash sanctions and relief"
        )
        ax.legend(loc="best")
        add_source(
            fig,
            "Yahoo Finance adjusted closes (dsturdy snapshot), potash sanctions calendar; "
            f"market model vs {results._market}; 95% bands: Brown-Warner 1985",
        )
        fig.texts[-1].set_y(-0.31)  # below the rotated event labels
    return fig
