"""The potash figure style, deterministic saving and shared decorations.

Importing potash changes no global matplotlib state: the style is applied in a context
manager (:func:`potash_style`) by every figure function.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from potash.core.io import atomic_write

__all__ = ["STYLE", "potash_style", "new_axes", "save_figure", "mark_events", "add_source"]

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
    fig, ax = plt.subplots(figsize=figsize or STYLE["figure.figsize"])
    return fig, ax


def mark_events(
    ax: Axes,
    events: pd.DataFrame,
    *,
    label_col: str = "label",
    color_col: str = "type",
    annotate: bool = True,
) -> Axes:
    """Draw a dashed vertical line at each event date, coloured by event type.

    Parameters
    ----------
    ax : Axes
        A time axis (dates on x).
    events : DataFrame
        Columns ``date`` and optionally ``label`` (short text) and ``type``.
    label_col, color_col : str
        Column names for the text and the colour key (see ``EVENT_COLORS``).
    annotate : bool
        Write the label at the top of each line.

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
    >>> plt.close(fig)
    """
    if "date" not in events.columns:
        raise ValueError("mark_events: events needs a 'date' column")
    ymax = 0.98
    for i, row in enumerate(events.sort_values("date").itertuples(index=False)):
        kind = getattr(row, color_col, None) if color_col in events.columns else None
        color = EVENT_COLORS.get(str(kind), "#444444")
        date = pd.Timestamp(row.date)
        ax.axvline(date, color=color, linestyle="--", linewidth=0.9, alpha=0.85, zorder=1)
        if annotate and label_col in events.columns:
            ax.text(
                date,
                ymax - 0.065 * (i % 6),
                f" {getattr(row, label_col)}",
                transform=ax.get_xaxis_transform(),
                fontsize=7,
                color=color,
                va="top",
                ha="left",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 0.6},
                zorder=5,
            )
    return ax


def add_source(fig: Figure, text: str) -> Figure:
    """Write a source line under everything already drawn on the figure (tick labels included).

    Call it last, once the axes hold their content: the line is placed below the figure's
    tight bounding box at that moment, so rotated tick labels never overlap it.

    Examples
    --------
    >>> with potash_style():
    ...     fig, ax = new_axes()
    ...     _ = add_source(fig, "World Bank Pink Sheet")
    >>> plt.close(fig)
    """
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)
    x0 = max(box.x0 / fig.get_figwidth(), -0.05)
    y0 = min(box.y0 / fig.get_figheight(), 0.0) - 0.015
    fig.text(x0, y0, f"Source: {text}", fontsize=7, color="#555555", ha="left", va="top")
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
