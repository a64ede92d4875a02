"""The specification-curve figure (R specr style), draw-only.

Top panel: the estimates ranked from smallest to largest, each with its interval, coloured by
significance and sign. Bottom panel: which choice each specification makes, one row per choice
value, grouped under each choice name in bold. The figure takes the results' table
(:attr:`potash.estimators.speccurve.SpecCurveResults.table`); it computes no statistic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ._style import add_source, potash_style

__all__ = ["SPEC_COLORS", "plot_spec_curve"]

#: Colours: significant positive, significant negative, not significant.
SPEC_COLORS = {"positive": "#1f4e79", "negative": "#c0392b", "ns": "#a6acaf"}


def _value_label(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "none"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}" if (value.hour, value.minute) == (0, 0) else str(value)
    if isinstance(value, tuple | list):
        return ", ".join(map(_value_label, value)) or "none"
    return str(value)


def plot_spec_curve(
    table: pd.DataFrame,
    choices: Mapping[str, Sequence[Any]] | Sequence[str],
    *,
    alpha: float = 0.05,
    median: float | None = None,
    estimate_label: str = "Estimate",
    title: str | None = None,
    source: str | None = None,
    ax: Any = None,
) -> Figure:
    """Draw a specification curve: ranked estimates with intervals above, choices below.

    Parameters
    ----------
    table : DataFrame
        One row per specification: the choice columns and ``estimate``, ``ci_low``,
        ``ci_high``, ``p_value``.
    choices : mapping or sequence of str
        Choice name -> values in the order to list them (the results' ``grid``), or the choice
        names alone (values listed in order of first appearance).
    alpha : float
        Threshold of the colours: ``p_value < alpha`` is significant.
    median : float, optional
        Draw a dashed line at this value (the curve's median).
    estimate_label : str
        Label of the estimate axis.
    title : str, optional
    source : str, optional
        Source line under the figure (:func:`potash.figures.add_source`; save with
        ``bbox_inches="tight"``, as :func:`potash.figures.save_figure` does).
    ax : Axes, optional
        Draw in the place of this axes (split into the two panels); default a new figure.

    Returns
    -------
    Figure
        Two axes: ``fig.axes[0]`` the curve, ``fig.axes[1]`` the choices.

    Examples
    --------
    >>> t = pd.DataFrame({"trend": ["none", "linear"] * 2, "lags": [3, 3, 6, 6],
    ...                   "estimate": [0.1, 0.5, -0.2, 0.3], "ci_low": [-0.1, 0.2, -0.5, 0.0],
    ...                   "ci_high": [0.3, 0.8, 0.1, 0.6], "p_value": [0.3, 0.01, 0.2, 0.04]})
    >>> fig = plot_spec_curve(t, {"trend": ["none", "linear"], "lags": [3, 6]})
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    if isinstance(choices, Mapping):
        groups = {k: list(v) for k, v in choices.items()}
    else:
        groups = {k: list(pd.unique(table[k])) for k in choices}
    need = [*groups, "estimate", "ci_low", "ci_high", "p_value"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ValueError(f"plot_spec_curve: table has no column(s) {missing}")
    if table.empty:
        raise ValueError("plot_spec_curve: the table has no specification to draw")

    order = np.argsort(table["estimate"].to_numpy(dtype=float), kind="mergesort")
    t = table.iloc[order].reset_index(drop=True)
    k = len(t)
    x = np.arange(1, k + 1)
    b = t["estimate"].to_numpy(dtype=float)
    lo, hi = t["ci_low"].to_numpy(dtype=float), t["ci_high"].to_numpy(dtype=float)
    sig = t["p_value"].to_numpy(dtype=float) < alpha
    kind = np.where(sig & (b > 0), "positive", np.where(sig & (b < 0), "negative", "ns"))
    colors = np.array([SPEC_COLORS[c] for c in kind])

    # rows of the bottom panel, top to bottom: a bold header per choice, then its values
    labels: list[str] = []
    bold: list[bool] = []
    rows_y: dict[tuple[str, int], int] = {}
    for name, values in groups.items():
        labels.append(name.replace("_", " "))
        bold.append(True)
        for i, _ in enumerate(values):
            rows_y[(name, i)] = len(labels)
            labels.append(_value_label(values[i]))
            bold.append(False)
    n_rows = len(labels)

    size = float(np.clip(600 / k, 1.5, 6))  # marker size shrinks with the number of specs
    lw = float(np.clip(300 / k, 0.4, 1.4))
    with potash_style():
        height = 3.0 + 0.17 * n_rows
        if ax is None:
            fig = plt.figure(figsize=(7.5, height), layout="constrained")
            gs = fig.add_gridspec(2, 1, height_ratios=[3.0, 0.17 * n_rows + 0.3])
        else:
            fig = ax.figure
            gs = ax.get_subplotspec().subgridspec(
                2, 1, height_ratios=[3.0, 0.17 * n_rows + 0.3], hspace=0.08
            )
            ax.remove()
        top = fig.add_subplot(gs[0])
        bottom = fig.add_subplot(gs[1], sharex=top)

        has_ci = np.isfinite(lo) & np.isfinite(hi)
        segs = np.stack([np.c_[x, lo], np.c_[x, hi]], axis=1)[has_ci]
        top.add_collection(
            LineCollection(segs, colors=colors[has_ci], linewidths=lw, alpha=0.55, zorder=2)
        )
        top.scatter(x, b, s=size**2, c=colors, zorder=3, linewidths=0)
        top.axhline(0, color="#333333", linewidth=0.8, zorder=1)
        handles = [
            Line2D([], [], color=SPEC_COLORS[c], marker="o", linestyle="", label=lab)
            for c, lab in [
                ("positive", f"positive, p < {alpha:g}"),
                ("negative", f"negative, p < {alpha:g}"),
                ("ns", "not significant"),
            ]
            if (kind == c).any()
        ]
        if median is not None:
            top.axhline(median, color="#555555", linestyle="--", linewidth=0.9, zorder=1)
            handles.append(
                Line2D([], [], color="#555555", linestyle="--", label=f"median {median:.3g}")
            )
        wide = top.get_position().width * fig.get_figwidth() >= 5.5  # inches: room for one row
        ncols = min(len(handles), 4 if wide else 2)
        legend_rows = -(-len(handles) // ncols)
        top.legend(handles=handles, loc="upper left", ncols=ncols)
        ymin = np.nanmin(np.where(has_ci, lo, b))
        ymax = np.nanmax(np.where(has_ci, hi, b))
        pad = 0.08 * (ymax - ymin or 1.0)
        headroom = 4 * pad * legend_rows  # room for the legend above the intervals
        top.set_ylim(min(ymin, 0) - pad, max(ymax, 0) + headroom)
        top.set_ylabel(estimate_label)
        top.tick_params(labelbottom=False)
        top.grid(axis="x", visible=False)
        if title:
            top.set_title(title, loc="left")

        for name, values in groups.items():
            col = t[name].map(_value_label).to_numpy()
            for i, v in enumerate(values):
                hit = col == _value_label(v)
                if hit.any():
                    bottom.scatter(
                        x[hit],
                        np.full(hit.sum(), rows_y[(name, i)]),
                        s=49 if k > 60 else size**2,  # ticks as tall as a row when dense
                        c=colors[hit],
                        marker="|" if k > 60 else "s",
                        linewidths=lw if k > 60 else 0,
                    )
        bottom.set_yticks(np.arange(n_rows), labels=labels)
        for lab, is_bold in zip(bottom.get_yticklabels(), bold, strict=True):
            if is_bold:
                lab.set_fontweight("bold")
            else:
                lab.set_fontsize(8)
        bottom.tick_params(axis="y", length=0)
        bottom.set_ylim(n_rows - 0.5, -0.5)
        bottom.set_xlim(0.5 - 0.01 * k, k + 0.5 + 0.01 * k)
        bottom.set_xlabel(f"Specification (ranked by estimate, {k} in all)")
        bottom.grid(axis="x", visible=False)
        header_rows = [i for i, is_bold in enumerate(bold) if is_bold]
        for y in header_rows[1:]:
            bottom.axhline(y - 0.5, color="#cccccc", linewidth=0.6)
        if source:
            fig.canvas.draw()
            add_source(fig, source)
    return fig
