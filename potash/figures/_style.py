"""The potash figure style, deterministic saving and shared decorations.

Importing potash changes no global matplotlib state: the style is applied in a context
manager (:func:`potash_style`) by every figure function.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from potash.core.io import atomic_write

__all__ = [
    "STYLE",
    "PlainLogLocator",
    "add_source",
    "mark_events",
    "new_axes",
    "plain_log_axis",
    "potash_style",
    "save_figure",
]

STYLE: dict[str, object] = {
    "figure.figsize": (7.5, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "lines.linewidth": 1.6,
    "svg.hashsalt": "potash",
    "pdf.compression": 6,
    "axes.prop_cycle": mpl.cycler(
        color=["#1f4e79", "#c0392b", "#2e8b57", "#d68910", "#6c3483", "#5d6d7e", "#17a589"]
    ),
}

#: Colours for the kinds of event in the sanctions calendar.
EVENT_COLORS: dict[str, str] = {
    "sanction": "#c0392b",
    "logistics": "#d68910",
    "relief": "#2e8b57",
    "prisoner_release": "#17a589",
    "geopolitical": "#5d6d7e",
    "market": "#6c3483",
}


@contextlib.contextmanager
def potash_style() -> Iterator[None]:
    """Apply the potash matplotlib style inside a ``with`` block only.

    Examples
    --------
    >>> with potash_style():
    ...     fig, ax = plt.subplots()
    >>> plt.close(fig)
    """
    with mpl.rc_context(STYLE):
        yield


def new_axes(
    ax: Axes | None = None, figsize: tuple[float, float] | None = None
) -> tuple[Figure, Axes]:
    """Return ``(figure, ax)``: the given axes and its figure, or a new styled pair.

    Call inside :func:`potash_style`.

    Examples
    --------
    >>> with potash_style():
    ...     fig, ax = new_axes()
    >>> plt.close(fig)
    """
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize or STYLE["figure.figsize"], layout="constrained")
    return fig, ax


#: Points between stacked rows of event numbers in the strip above the axes.
_STRIP_ROW = 11.0
#: Events closer than this share of the x range go on different rows of the strip.
_STRIP_GAP = 0.035


class PlainLogLocator(mticker.Locator):
    """Log-axis ticks at 1, 2 and 5 (or 1..9) times powers of ten, enough for three ticks.

    Examples
    --------
    >>> PlainLogLocator().tick_values(150, 1300).tolist()
    [100.0, 200.0, 500.0, 1000.0, 2000.0]
    """

    def __call__(self) -> Any:
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin: float, vmax: float) -> Any:
        vmin, vmax = sorted((float(vmin), float(vmax)))
        if vmin <= 0:
            vmin = max(vmax * 1e-3, 1e-12)
        lo, hi = int(np.floor(np.log10(vmin))), int(np.ceil(np.log10(vmax)))
        ticks = np.array([])
        for subs in ((1.0,), (1.0, 2.0, 5.0), tuple(float(k) for k in range(1, 10))):
            ticks = np.array([m * 10.0**e for e in range(lo, hi + 1) for m in subs])
            if ((ticks >= vmin) & (ticks <= vmax)).sum() >= 3:
                break
        below, above = ticks[ticks <= vmin], ticks[ticks >= vmax]
        first = below.max() if len(below) else ticks.min()
        last = above.min() if len(above) else ticks.max()
        return ticks[(ticks >= first) & (ticks <= last)]


def _plain_number(v: float, _pos: object = None) -> str:
    """``1,000`` / ``200`` / ``0.5``: a tick label with thousands separators, no exponent."""
    if v >= 10 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.3g}"


def plain_log_axis(ax: Axes, axis: str = "y") -> Axes:
    """Set a log scale with plain tick labels (200, 500, 1,000), never ``2x10^2``.

    Examples
    --------
    >>> with potash_style():
    ...     fig, ax = new_axes()
    ...     _ = ax.plot([1, 2], [150, 1300])
    ...     _ = plain_log_axis(ax)
    ...     fig.canvas.draw()
    >>> [t.get_text() for t in ax.get_yticklabels() if t.get_text()][:3]
    ['100', '200', '500']
    >>> plt.close(fig)
    """
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    target.set_major_locator(PlainLogLocator())
    target.set_major_formatter(mticker.FuncFormatter(_plain_number))
    target.set_minor_locator(mticker.LogLocator(base=10, subs="auto"))
    target.set_minor_formatter(mticker.NullFormatter())
    return ax


def _strip_rows(x: np.ndarray, span: float) -> list[int]:
    """Greedy rows for the strip: an event goes on the lowest row whose last event is far enough."""
    last: list[float] = []
    rows = []
    for xi in x:
        for r, lx in enumerate(last):
            if xi - lx >= _STRIP_GAP * span:
                last[r] = xi
                rows.append(r)
                break
        else:
            last.append(xi)
            rows.append(len(last) - 1)
    return rows


def mark_events(
    ax: Axes,
    events: pd.DataFrame,
    *,
    label_col: str = "label",
    color_col: str = "type",
    annotate: bool = True,
    start: int = 1,
    date_format: str = "%Y-%m-%d",
) -> Axes:
    """Draw a dashed vertical line at each event date, coloured by event type, and number it.

    The lines carry no text on the data: with ``annotate`` each line gets a number in a strip
    above the axes (staggered rows where dates are close), and the key ``1 label (date)`` is
    written under the figure by :func:`add_source` (which every figure calls last). The axes'
    title is moved above the strip.

    Parameters
    ----------
    ax : Axes
        A time axis (dates on x).
    events : DataFrame
        Columns ``date`` and optionally ``label`` (readable text) and ``type``.
    label_col, color_col : str
        Column names for the text and the colour key (see ``EVENT_COLORS``).
    annotate : bool
        Number the lines and write the key.
    start : int
        First number (to continue a numbering on another panel).
    date_format : str
        How the key writes the dates (``"%Y-%m"`` for monthly designs).

    Returns
    -------
    Axes

    Examples
    --------
    >>> ev = pd.DataFrame({"date": pd.to_datetime(["2022-02-01"]), "label": ["Klaipeda closed"],
    ...                    "type": ["logistics"]})
    >>> with potash_style():
    ...     fig, ax = new_axes()
    ...     _ = ax.plot(pd.to_datetime(["2021-01-01", "2023-01-01"]), [1, 2])
    ...     _ = mark_events(ax, ev)
    ...     _ = add_source(fig, "test")
    >>> fig.texts[-1].get_text().splitlines()
    ['Source: test', 'Events: (1) Klaipeda closed, 2022-02-01']
    >>> plt.close(fig)
    """
    if "date" not in events.columns:
        raise ValueError("mark_events: events needs a 'date' column")
    ev = events.sort_values("date").reset_index(drop=True)
    if ev.empty:
        return ax
    dates = pd.to_datetime(ev["date"])
    x = mdates.date2num(dates)
    lo, hi = ax.dataLim.intervalx if ax.dataLim.width > 0 else (x.min(), x.max())
    lo, hi = min(lo, x.min()), max(hi, x.max())
    rows = _strip_rows(x, max(hi - lo, 1.0))
    key = []
    for i, row in enumerate(ev.itertuples(index=False)):
        kind = getattr(row, color_col, None) if color_col in ev.columns else None
        color = EVENT_COLORS.get(str(kind), "#444444")
        date = dates.iloc[i]
        ax.axvline(date, color=color, linestyle="--", linewidth=0.9, alpha=0.85, zorder=1)
        if annotate:
            n = start + i
            ax.annotate(
                str(n),
                xy=(float(x[i]), 1.0),
                xycoords=ax.get_xaxis_transform(),
                xytext=(0, 3 + _STRIP_ROW * rows[i]),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=6.5,
                color="white",
                fontweight="bold",
                annotation_clip=False,
                bbox={"boxstyle": "circle,pad=0.2", "facecolor": color, "edgecolor": "none"},
                gid="potash-event-number",
            )
            when = date.strftime(date_format)
            label = getattr(row, label_col) if label_col in ev.columns else when
            key.append(f"({n}) {label}" + ("" if str(label) == when else f", {when}"))
    if annotate:
        ax._potash_event_strip = max(rows) + 1  # type: ignore[attr-defined]
        fig = ax.figure
        fig._potash_event_key = [*getattr(fig, "_potash_event_key", []), *key]  # type: ignore[attr-defined]
    return ax


def _raise_titles(fig: Figure) -> None:
    """Move each axes' title above its strip of event numbers."""
    for ax in fig.axes:
        rows = getattr(ax, "_potash_event_strip", 0)
        if rows and ax.get_title():
            ax.set_title(ax.get_title(), pad=6 + _STRIP_ROW * rows + 4)


def add_source(fig: Figure, text: str) -> Figure:
    """Write the source line (and the key of the numbered events) under the figure.

    On the figures potash makes (constrained layout) the line is the figure's ``supxlabel``,
    placed by the layout engine: nothing is clipped by a plain ``fig.savefig(path)``. On a
    figure the caller made without a layout engine (``ax=`` given), the layout is left alone and
    the line goes under the figure's tight bounding box. Call it last, once the axes hold their
    content.

    Examples
    --------
    >>> with potash_style():
    ...     fig, ax = new_axes()
    ...     _ = add_source(fig, "World Bank Pink Sheet")
    >>> fig.texts[-1].get_text()
    'Source: World Bank Pink Sheet'
    >>> plt.close(fig)
    """
    _raise_titles(fig)
    key = getattr(fig, "_potash_event_key", [])
    lines = [f"Source: {text}"]
    if key:
        lines.append(textwrap.fill("Events: " + "; ".join(key), width=140))
    if fig.get_layout_engine() is not None:
        fig.supxlabel(
            "\n".join(lines), x=0.01, ha="left", fontsize=7, color="#555555",
            fontweight="normal",
        )
        return fig
    # a figure the caller made without a layout engine: keep its layout, write the line under
    # its tight bounding box (saved whole by ``save_figure``'s bbox="tight")
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)
    x0 = max(box.x0 / fig.get_figwidth(), -0.05)
    y0 = min(box.y0 / fig.get_figheight(), 0.0) - 0.015
    fig.text(x0, y0, "\n".join(lines), fontsize=7, color="#555555", ha="left", va="top")
    return fig


def save_figure(
    fig: Figure, stem: str | Path, formats: tuple[str, ...] = ("png", "pdf")
) -> list[Path]:
    """Save ``fig`` as 300-dpi PNG and PDF, atomically, with no timestamps (byte-identical rebuilds).

    Parameters
    ----------
    fig : Figure
        The figure to save.
    stem : str or Path
        Path without suffix, e.g. ``reports/figures/market_share``.
    formats : tuple of str
        Any of ``"png"``, ``"pdf"``, ``"svg"``.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with potash_style():
    ...     fig, ax = new_axes()
    >>> paths = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "f")
    >>> [p.suffix for p in paths]
    ['.png', '.pdf']
    >>> plt.close(fig)
    """
    stem = Path(stem)
    metadata = {
        "png": {"Software": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
        "svg": {"Date": None, "Creator": None},
    }
    out = []
    for fmt in formats:
        if fmt not in metadata:
            raise ValueError(f"format={fmt!r} is not allowed; choose from 'png', 'pdf', 'svg'")
        path = stem.with_suffix(f".{fmt}")
        with potash_style():
            atomic_write(
                path,
                lambda tmp, fmt=fmt: fig.savefig(tmp, format=fmt, dpi=300, metadata=metadata[fmt]),
            )
        out.append(path)
    return out
