"""Figures for the trade-flow analyses: PPML event studies and synthetic control."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from potash.figures._style import EVENT_COLORS, add_source, mark_events, new_axes, potash_style

__all__ = ["plot_permutation", "plot_synth_gaps", "plot_synth_paths", "plot_trade_event_study"]

_UNITS = {
    "quantity_t": ("Mt", 1e6, "export quantity"),
    "value_usd": ("USD bn", 1e9, "export value"),
}


_SOURCES = {
    "faostat": "FAOSTAT Fertilizers by Product (RFB), via agData",
    "baci": "CEPII BACI",
    "comtrade": "UN Comtrade",
}


def _source_line(settings: dict) -> str:
    src = settings.get("source") or ""
    named = "; ".join(_SOURCES.get(s.strip(), s.strip()) for s in src.split(",") if s.strip())
    what = _UNITS.get(settings["measure"], ("", 1.0, settings["measure"]))[2]
    product = str(settings.get("product") or "").replace("_", " ")
    return f"{named or 'trade data'}: {product} {what}; potash analysis"


def _year_dates(years: Any) -> pd.DatetimeIndex:
    """Annual values drawn at mid-year, so event dates fall inside their year."""
    return pd.to_datetime([f"{int(y)}-07-01" for y in years])


def plot_trade_event_study(results: Any, ax: Any = None) -> Figure:
    """Plot a :class:`potash.estimators.ppml.TradeEventStudyResults`.

    Event-time fits: the effects ``100 * (exp(b) - 1)`` with 95 % confidence intervals by
    event time, the reference period at zero and the first post year marked. Treated x post
    fits: the treated exporter's actual flow and its PPML no-sanctions counterfactual by year,
    with the sanctions dates marked.

    Parameters
    ----------
    results : TradeEventStudyResults
    ax : matplotlib Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from potash.estimators.ppml import trade_event_study
    >>> trade = pd.DataFrame({"year": list(range(2015, 2024)) * 3,
    ...     "reporter_iso3": ["BLR"] * 9 + ["CAN"] * 9 + ["RUS"] * 9, "partner_iso3": "WLD",
    ...     "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [9, 10, 11, 10, 12, 11, 12, 6, 5, 20, 21, 20, 22, 21, 23, 22, 24, 23,
    ...                    10, 11, 10, 12, 11, 13, 12, 11, 13.0]})
    >>> fig = plot_trade_event_study(trade_event_study(
    ...     trade, treated="BLR", events=2022, product="potassium_chloride", event_time=True))
    >>> plt.close(fig)
    """
    s = results.settings
    unit, scale, what = _UNITS.get(s["measure"], (s["measure"], 1.0, s["measure"]))
    with potash_style():
        fig, ax = new_axes(ax)
        if s["event_time"]:
            sf = results.summary_frame()
            k = sf["event_time"].to_numpy()
            eff = sf["effect_pct"].to_numpy()
            lo, hi = sf["effect_ci_low"].to_numpy(), sf["effect_ci_high"].to_numpy()
            ax.errorbar(
                k,
                eff,
                yerr=[eff - lo, hi - eff],
                fmt="o",
                color="#1f4e79",
                capsize=3,
                label="PPML effect, 95% CI",
            )
            ax.plot(
                [s["reference"]],
                [0.0],
                marker="o",
                mfc="white",
                color="#1f4e79",
                linestyle="none",
                label=f"reference (k = {s['reference']})",
            )
            ax.axhline(0.0, color="#444444", linewidth=0.8)
            ax.axvline(
                -0.5,
                color=EVENT_COLORS["sanction"],
                linestyle="--",
                linewidth=0.9,
                label=f"first post year {s['post_start']}",
            )
            ax.set_xticks(k.tolist() + [s["reference"]])
            labels = dict(zip(k, sf["label"], strict=True)) | {s["reference"]: str(s["reference"])}
            ax.set_xticklabels([labels[t] for t in ax.get_xticks()])
            ax.set_xlabel(f"Event time (years relative to {s['post_start']})")
            ax.set_ylabel(f"Effect on {what} (%)")
            ax.set_title(f"Sanctions and {s['treated']} potash {what}: PPML event study")
            ax.legend(loc="lower left")
        else:
            cf = results.counterfactual()
            x = _year_dates(cf["year"])
            ax.plot(x, cf["actual"] / scale, marker="o", label=f"{s['treated']} actual")
            ax.plot(
                x,
                cf["counterfactual"] / scale,
                linestyle="--",
                marker=".",
                label="PPML counterfactual (no sanctions)",
            )
            eff = results.summary_frame().iloc[0]
            ax.set_ylabel(f"{what.capitalize()} ({unit})")
            ax.set_xlabel("Year")
            ax.set_title(
                f"{s['treated']} potash {what}: PPML effect {eff['effect_pct']:+.0f}% "
                f"(95% CI {eff['effect_ci_low']:+.0f}% to {eff['effect_ci_high']:+.0f}%)"
            )
            mark_events(ax, results.event_marks)
            ax.legend(loc="lower left")
        add_source(fig, _source_line(s))
    return fig


def plot_synth_paths(results: Any, ax: Any = None) -> Figure:
    """Actual against synthetic outcome path of the treated unit, sanctions dates marked.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from potash.estimators.synth import synthetic_control
    >>> wide = pd.DataFrame({"A": [1, 2, 3, 4, 5.0], "B": [3, 2, 3, 2, 3.0], "T": [2, 2, 3, 1, 1.0]},
    ...                     index=range(2018, 2023))
    >>> fig = plot_synth_paths(synthetic_control(wide, treated="T", events=2021))
    >>> plt.close(fig)
    """
    s = results.settings
    unit, scale, what = _UNITS.get(s["measure"], (s["measure"], 1.0, s["measure"]))
    if s.get("normalize") == "pre_mean":
        unit, scale = "index, pre-period mean = 100", 1.0
    with potash_style():
        fig, ax = new_axes(ax)
        paths = results.paths
        x = _year_dates(paths.index)
        ax.plot(x, paths["actual"] / scale, marker="o", label=f"{s['treated']} actual")
        ax.plot(
            x,
            paths["synthetic"] / scale,
            linestyle="--",
            marker=".",
            label=f"synthetic {s['treated']}",
        )
        ax.set_ylabel(f"{what.capitalize()} ({unit})")
        ax.set_xlabel("Year")
        ax.set_title(f"{s['treated']} potash {what}: actual and synthetic control")
        mark_events(ax, results.event_marks)
        ax.legend(loc="lower left")
        add_source(fig, _source_line(s) + ", synthetic control")
    return fig


def plot_synth_gaps(results: Any, ax: Any = None) -> Figure:
    """Gap (actual minus synthetic) of the treated unit against the in-space placebo gaps.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from potash.estimators.synth import synthetic_control
    >>> wide = pd.DataFrame({"A": [1, 2, 3, 4, 5.0], "B": [3, 2, 3, 2, 3.0], "C": [2, 1, 2, 1, 2.0],
    ...                      "T": [2, 2, 3, 1, 1.0]}, index=range(2018, 2023))
    >>> fig = plot_synth_gaps(synthetic_control(wide, treated="T", events=2021))
    >>> plt.close(fig)
    """
    s = results.settings
    unit, scale, what = _UNITS.get(s["measure"], (s["measure"], 1.0, s["measure"]))
    if s.get("normalize") == "pre_mean":
        unit, scale = "index points", 1.0
    with potash_style():
        fig, ax = new_axes(ax)
        gaps = results.placebo_gaps
        x = _year_dates(gaps.index)
        for i, col in enumerate(gaps.columns):
            ax.plot(
                x,
                gaps[col] / scale,
                color="#9aa5b1",
                linewidth=0.8,
                alpha=0.8,
                label="placebo (each donor as treated)" if i == 0 else None,
            )
        ax.plot(
            x,
            results.gap / scale,
            color="#c0392b",
            linewidth=2.0,
            marker="o",
            label=f"{s['treated']} gap",
        )
        ax.axhline(0.0, color="#444444", linewidth=0.8)
        ax.set_ylabel(f"Actual minus synthetic ({unit})")
        ax.set_xlabel("Year")
        p = results.pvalue
        ax.set_title(
            f"{s['treated']} potash {what}: gap and placebo gaps (RMSPE-ratio p = {p:.2f})"
            if np.isfinite(p)
            else f"{s['treated']} gap"
        )
        mark_events(ax, results.event_marks)
        ax.legend(loc="lower left")
        add_source(fig, _source_line(s) + ", in-space placebos")
    return fig


def plot_permutation(results: Any, ax: Any = None, term: str | None = None) -> Figure:
    """The treated unit's estimate (percent effect) against each placebo unit's, ranked.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from potash.estimators.permutation import PermutationResults
    >>> est = pd.DataFrame({"treated_post": [-0.7, 0.1, -0.2]}, index=["T", "A", "B"])
    >>> fig = plot_permutation(PermutationResults(_estimates=est, _settings={"treated": "T"}))
    >>> plt.close(fig)
    """
    est = results.estimates
    term = est.columns[0] if term is None else term
    if term not in est.columns:
        raise ValueError(f"term={term!r} not among {list(est.columns)}")
    eff = (100 * np.expm1(est[term].dropna())).sort_values()
    t = results.treated
    with potash_style():
        fig, ax = new_axes(ax)
        colors = ["#c0392b" if u == t else "#9aa5b1" for u in eff.index]
        ax.barh(range(len(eff)), eff.to_numpy(), color=colors)
        ax.set_yticks(range(len(eff)), list(eff.index))
        ax.axvline(0.0, color="#444444", linewidth=0.8)
        p = float(results.pvalues[term])
        ax.set_xlabel(f"Estimated effect with the unit as treated (%), term {term}")
        ax.set_title(
            f"{t} against {results.n_placebos} placebo units: rank {int(results.rank[term])} "
            f"of {results.n_placebos + 1}, permutation p = {p:.2f}"
        )
        add_source(fig, "PPML with unit and year effects, treatment reassigned to each unit")
    return fig
