"""Figures for Armington scenarios: draw only, from a results object's tidy table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from potash.figures._style import add_source, new_axes, potash_style

__all__ = ["plot_backtest", "plot_scenarios", "plot_sigma", "plot_wedges"]


def plot_scenarios(frame: pd.DataFrame, ax: Any = None, *, origin: str | None = None,
                   top: int = 6) -> Figure:
    """Volumes of ``origin`` by importer per scenario (bars with Monte Carlo intervals).

    ``frame`` is ``ScenarioComparison.summary_frame()``; ``origin`` defaults to the first
    origin listed. The ``top`` importers by largest volume in any scenario are drawn, the rest
    summed as "other".
    """
    vol = frame[frame["outcome"] == "volume"]
    origin = origin or str(vol["origin"].iloc[0])
    vol = vol[vol["origin"] == origin]
    scen = list(dict.fromkeys(vol["scenario"]))
    order = (vol.groupby("importer")["estimate"].max().sort_values(ascending=False).index)
    keep = list(order[:top])
    with potash_style():
        fig, ax = new_axes(ax, figsize=(8, 4.2))
        width = 0.8 / max(len(scen), 1)
        x = np.arange(len(keep))
        for k, s in enumerate(scen):
            v = vol[vol["scenario"] == s].set_index("importer").reindex(keep)
            est = v["estimate"].to_numpy() / 1e6
            lo = (v["estimate"] - v["ci_low"]).clip(lower=0).to_numpy() / 1e6
            hi = (v["ci_high"] - v["estimate"]).clip(lower=0).to_numpy() / 1e6
            err = None if np.isnan(lo).all() else np.vstack([np.nan_to_num(lo), np.nan_to_num(hi)])
            ax.bar(x + (k - (len(scen) - 1) / 2) * width, est, width, yerr=err, capsize=2,
                   label=s)
        ax.set_xticks(x)
        ax.set_xticklabels(keep)
        ax.set_ylabel(f"{origin} volume (million t a year)")
        ax.legend(fontsize=8, frameon=False)
        add_source(fig, "Model: Armington CES, exact-hat algebra; bars = central parameters, "
                        "whiskers = Monte Carlo interval.")
    return fig


def plot_sigma(frame: pd.DataFrame, ax: Any = None) -> Figure:
    """The OLS bound and the IV estimate of sigma with their intervals."""
    sig = frame.loc[[t for t in frame.index if str(t).startswith("sigma")]]
    with potash_style():
        fig, ax = new_axes(ax, figsize=(5, 2.5))
        y = np.arange(len(sig))
        ax.errorbar(sig["estimate"], y, xerr=[sig["estimate"] - sig["ci_low"],
                                             sig["ci_high"] - sig["estimate"]], fmt="o")
        ax.set_yticks(y)
        ax.set_yticklabels(list(sig.index))
        ax.axvline(1.0, color="grey", lw=0.8)
        ax.set_xlabel("elasticity of substitution")
    return fig


def plot_backtest(frame: pd.DataFrame, ax: Any = None) -> Figure:
    """Predicted against observed shares (``predicted``, ``observed``, ``importer`` columns)."""
    with potash_style():
        fig, ax = new_axes(ax, figsize=(4.5, 4.5))
        ax.scatter(frame["observed"], frame["predicted"], s=18)
        for _, r in frame.iterrows():
            ax.annotate(str(r["importer"]), (r["observed"], r["predicted"]), fontsize=7,
                        xytext=(3, 2), textcoords="offset points")
        hi = float(np.nanmax(frame[["observed", "predicted"]].to_numpy())) * 1.05 + 1e-9
        ax.plot([0, hi], [0, hi], color="grey", lw=0.8)
        ax.set_xlabel("observed share")
        ax.set_ylabel("model share")
    return fig


def plot_wedges(frame: pd.DataFrame, ax: Any = None) -> Figure:
    """PPML coefficients (``beta_*`` rows) with their intervals."""
    b = frame.loc[[t for t in frame.index if str(t).startswith("beta_")]]
    with potash_style():
        fig, ax = new_axes(ax, figsize=(5, 2.5))
        y = np.arange(len(b))
        ax.errorbar(b["estimate"], y, xerr=[b["estimate"] - b["ci_low"],
                                           b["ci_high"] - b["estimate"]], fmt="o")
        ax.set_yticks(y)
        ax.set_yticklabels([str(t).removeprefix("beta_") for t in b.index])
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.set_xlabel("Belarus x post PPML coefficient")
    return fig
