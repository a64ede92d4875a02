"""Figures of the buyers of Belarusian potash (mirror data), the discount, freight and relief months.

Draw only: every function takes tables computed in :mod:`potash.analyses.buyers` or
:mod:`potash.analyses.freight` and returns the matplotlib Figure.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from potash.figures._style import add_source, new_axes, potash_style

__all__ = [
    "plot_buyers",
    "plot_discount",
    "plot_freight",
    "plot_ppml_windows",
    "plot_relief_months",
    "plot_replacement",
]

_MIRROR = ("Mirror data: partners' customs imports from Belarus (Belarus does not report); "
           "national customs via TDM")
_COLORS = {"CHN": "#c0392b", "BRA": "#27ae60", "IND": "#e67e22", "USA": "#2c3e50",
           "IDN": "#8e44ad", "other": "#95a5a6"}


def plot_buyers(monthly: pd.DataFrame, ax: Any = None) -> Figure:
    """Stacked monthly tonnes by destination (top) and the destination shares, 12-month sums (bottom).

    Parameters
    ----------
    monthly : DataFrame
        ``period, destination, quantity_t`` (``BuyersResults.monthly``).
    ax : Axes, optional
        Draw the stacked tonnes only, on this axes.

    Examples
    --------
    >>> m = pd.DataFrame({"period": ["2020-01", "2020-02"] * 2, "destination": ["CHN"] * 2 + ["BRA"] * 2,
    ...                   "quantity_t": [1.0, 2.0, 3.0, 1.0]})
    >>> plt.close(plot_buyers(m))
    """
    wide = monthly.pivot_table(index="period", columns="destination", values="quantity_t",
                               aggfunc="sum").fillna(0.0)
    idx = pd.period_range(wide.index.min(), wide.index.max(), freq="M")
    wide = wide.reindex(idx.strftime("%Y-%m"), fill_value=0.0)
    order = [c for c in _COLORS if c in wide.columns] + [c for c in wide.columns if c not in _COLORS]
    wide = wide[order]
    x = idx.to_timestamp()
    with potash_style():
        if ax is None:
            fig, (a1, a2) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True,
                                         gridspec_kw={"height_ratios": [3, 2]},
                                         layout="constrained")
        else:
            fig, a1 = new_axes(ax)
            a2 = None
        a1.stackplot(x, (wide / 1e3).T.to_numpy(), labels=order,
                     colors=[_COLORS.get(c, "#bbbbbb") for c in order], linewidth=0)
        a1.set_ylabel("thousand tonnes a month")
        a1.set_title("Belarus's potash (HS 3104) by destination, as its buyers report it")
        a1.legend(ncol=len(order), loc="upper left", fontsize=8, frameon=False)
        for d in ("2021-08-09", "2022-02-01", "2025-12-13"):
            a1.axvline(pd.Timestamp(d), color="0.3", lw=0.8, ls="--")
        if a2 is not None:
            roll = wide.rolling(12, min_periods=12).sum()
            share = roll.div(roll.sum(axis=1), axis=0)
            for c in order:
                a2.plot(x, 100 * share[c], color=_COLORS.get(c, "#bbbbbb"), label=c)
            a2.set_ylabel("share, % (12-month sums)")
            a2.set_ylim(0, 100)
            for d in ("2021-08-09", "2022-02-01", "2025-12-13"):
                a2.axvline(pd.Timestamp(d), color="0.3", lw=0.8, ls="--")
        add_source(fig, _MIRROR + "; dashed: 2021-08 sanctions, 2022-02 Klaipeda, 2025-12 US relief")
    return fig


def plot_replacement(table: pd.DataFrame, exporter: str = "BLR", *, top: int = 4,
                     ax: Any = None) -> Figure:
    """Share change (points) of the origins in each importer, last comparison year.

    Examples
    --------
    >>> t = pd.DataFrame({"importer": ["BRA"] * 2, "origin": ["BLR", "CAN"], "year": [2023] * 2,
    ...                   "share_change_pp": [-10.0, 10.0]})
    >>> plt.close(plot_replacement(t))
    """
    t = table[table["year"] == table["year"].max()]
    imps = (t[t["origin"] == exporter].sort_values("share_change_pp")["importer"].tolist()
            or sorted(t["importer"].unique()))
    with potash_style():
        fig, ax = new_axes(ax, figsize=(9, 0.5 * len(imps) + 1.5))
        for i, imp in enumerate(imps):
            g = t[t["importer"] == imp].set_index("origin")["share_change_pp"]
            keep = g.drop(exporter, errors="ignore").sort_values(ascending=False).head(top)
            left_pos, left_neg = 0.0, 0.0
            for o, v in [(exporter, g.get(exporter, 0.0)), *keep.items()]:
                color = "#c0392b" if o == exporter else plt.cm.tab10(hash(o) % 10)
                start = left_pos if v >= 0 else left_neg
                ax.barh(i, v, left=start, color=color, edgecolor="white", height=0.7)
                if abs(v) > 3:
                    ax.text(start + v / 2, i, o, ha="center", va="center", fontsize=7,
                            color="white")
                if v >= 0:
                    left_pos += v
                else:
                    left_neg += v
        ax.set_yticks(range(len(imps)), imps)
        ax.axvline(0, color="0.2", lw=0.8)
        yr = int(t["year"].max())
        base = int(t["base_year"].iloc[0]) if "base_year" in t else None
        ax.set_xlabel(f"change in origin share of the importer's potash tonnes, {base}-{yr}, points")
        ax.set_title(f"Who took {exporter}'s place: {exporter} (red) and the top gainers")
        add_source(fig, _MIRROR)
    return fig


def plot_discount(by_year: pd.DataFrame, ax: Any = None) -> Figure:
    """Belarus's unit value gap (%) against each rival by year, per importer, with 95% intervals.

    Parameters
    ----------
    by_year : DataFrame
        ``importer, rival, year, estimate, ci_low, ci_high`` (log points).

    Examples
    --------
    >>> b = pd.DataFrame({"importer": "CHN", "rival": "CAN", "year": [2020, 2021],
    ...                   "estimate": [-0.1, -0.2], "ci_low": [-0.2, -0.3], "ci_high": [0.0, -0.1]})
    >>> plt.close(plot_discount(b))
    """
    with potash_style():
        fig, ax = new_axes(ax, figsize=(9, 4.5))
        styles = ["-", "--", ":", "-."]
        colors = ["#c0392b", "#2980b9", "#27ae60", "#8e44ad"]
        for j, ((imp, rival), g) in enumerate(by_year.groupby(["importer", "rival"])):
            g = g.sort_values("year")
            off = (j - 1.5) * 0.08
            pct = 100 * np.expm1(g["estimate"])
            lo, hi = 100 * np.expm1(g["ci_low"]), 100 * np.expm1(g["ci_high"])
            ax.errorbar(g["year"] + off, pct, yerr=[pct - lo, hi - pct], fmt="o",
                        ls=styles[j % 4], color=colors[j % 4], capsize=2, ms=4,
                        label=f"{imp}: vs {rival}")
        ax.axhline(0, color="0.2", lw=0.8)
        ax.set_ylabel("Belarus's unit value vs rival, %")
        ax.set_title("Belarus's discount within the same importer and month")
        ax.legend(fontsize=8, frameon=False, ncol=2)
        add_source(fig, _MIRROR + "; CHN CIF, BRA FOB; 95% intervals clustered by month")
    return fig


def plot_freight(by_origin: pd.DataFrame, ax: Any = None) -> Figure:
    """Freight per tonne (USD) by origin and year into Brazil (8 states).

    Parameters
    ----------
    by_origin : DataFrame
        ``year, origin, freight_per_t``.

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2020, 2021] * 2, "origin": ["BLR"] * 2 + ["CAN"] * 2,
    ...                   "freight_per_t": [30.0, 40.0, 25.0, 35.0]})
    >>> plt.close(plot_freight(f))
    """
    with potash_style():
        fig, ax = new_axes(ax, figsize=(9, 4.5))
        colors = {"BLR": "#c0392b", "CAN": "#2980b9", "RUS": "#7f8c8d", "ISR": "#27ae60",
                  "DEU": "#f39c12", "XXX": "#000000"}
        for o, g in by_origin.groupby("origin"):
            g = g.sort_values("year")
            ax.plot(g["year"], g["freight_per_t"], marker="o", ms=3, label=o,
                    color=colors.get(o), lw=2.2 if o == "BLR" else 1.2)
        ax.set_ylabel("freight paid, USD per tonne")
        ax.set_title("Freight on potassium chloride into Brazil (8 states), by origin")
        ax.legend(fontsize=8, frameon=False, ncol=3)
        add_source(fig, "ComexStat, MDIC/SECEX (NCM 31042090, 8 states); XXX: origin not declared")
    return fig


def plot_relief_months(table: pd.DataFrame, ax: Any = None) -> Figure:
    """Actual against counterfactual monthly tonnes from Belarus per importer, from 2024.

    Parameters
    ----------
    table : DataFrame
        ``series, period, actual, counterfactual, cf_low, cf_high, relief`` (bool).

    Examples
    --------
    >>> t = pd.DataFrame({"series": "CHN", "period": ["2025-11", "2025-12"], "actual": [1.0, 2.0],
    ...                   "counterfactual": [1.0, 1.0], "cf_low": [0.5, 0.5], "cf_high": [1.5, 1.5],
    ...                   "relief": [False, True]})
    >>> plt.close(plot_relief_months(t))
    """
    series = list(dict.fromkeys(table["series"]))
    with potash_style():
        if ax is None:
            fig, axes = plt.subplots(1, len(series), figsize=(4 * len(series), 3.6), squeeze=False,
                                     layout="constrained")
            axes = axes[0]
        else:
            fig, a = new_axes(ax)
            axes = [a] * len(series)
        for a, s in zip(axes, series, strict=True):
            g = table[table["series"] == s]
            x = pd.PeriodIndex(g["period"], freq="M").to_timestamp()
            a.plot(x, g["actual"] / 1e3, color="#c0392b", marker="o", ms=3, label="reported")
            a.plot(x, g["counterfactual"] / 1e3, color="0.3", ls="--", label="counterfactual")
            a.fill_between(x, g["cf_low"] / 1e3, g["cf_high"] / 1e3, color="0.8", alpha=0.6,
                           label="2023-2025 range")
            a.axvline(pd.Timestamp("2025-12-13"), color="#27ae60", lw=1, label="US relief")
            a.set_title(s, fontsize=9)
            a.tick_params(axis="x", labelrotation=45, labelsize=7)
        axes[0].set_ylabel("thousand tonnes from Belarus")
        axes[0].legend(fontsize=7, frameon=False)
        add_source(fig, _MIRROR + "; counterfactual: same-month mean of 2023-2025 (range shaded)")
    return fig


def plot_ppml_windows(table: pd.DataFrame, ax: Any = None) -> Figure:
    """PPML effects (% change of Belarus's flows) by window and destination group, 95% intervals.

    Examples
    --------
    >>> t = pd.DataFrame({"window": ["sanctions", "relief"], "group": ["US", "other"],
    ...                   "estimate": [-1.0, -0.5], "ci_low": [-2.0, -1.0], "ci_high": [0.0, 0.0]})
    >>> plt.close(plot_ppml_windows(t))
    """
    windows = list(dict.fromkeys(table["window"]))
    groups = list(dict.fromkeys(table["group"]))
    with potash_style():
        fig, ax = new_axes(ax, figsize=(8, 4))
        for j, g in enumerate(groups):
            d = table[table["group"] == g].set_index("window").reindex(windows)
            xs = np.arange(len(windows)) + (j - (len(groups) - 1) / 2) * 0.2
            pct = 100 * np.expm1(d["estimate"])
            lo, hi = 100 * np.expm1(d["ci_low"]), 100 * np.expm1(d["ci_high"])
            ax.errorbar(xs, pct, yerr=[pct - lo, hi - pct], fmt="o", capsize=3, label=g)
        ax.set_xticks(range(len(windows)), [w.replace("_", " ") for w in windows])
        ax.axhline(0, color="0.2", lw=0.8)
        ax.set_ylabel("Belarus's flows vs before 2021-08, %")
        ax.set_title("PPML, importer x month and importer x origin effects")
        ax.legend(fontsize=8, frameon=False, title="destination")
        add_source(fig, _MIRROR + "; 95% intervals clustered by importer-origin pair")
    return fig
