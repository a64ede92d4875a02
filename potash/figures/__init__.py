"""Figures for the potash findings.

Every function takes ``ax=None`` (or draws its own grid of axes), applies the potash style in a
context manager, and returns the matplotlib Figure. Use :func:`save_figure` to write PNG and
PDF files that are byte-identical across rebuilds.
"""

from ._style import EVENT_COLORS, add_source, mark_events, new_axes, potash_style, save_figure

# isort: split
# --- prices (issue 4) ---
from .prices import (
    plot_abnormal_price,
    plot_breaks,
    plot_fstats,
    plot_price_comparison,
    plot_price_its,
)

# --- end prices ---

__all__ = ["EVENT_COLORS", "add_source", "mark_events", "new_axes", "potash_style", "save_figure"]
__all__ += [  # prices (issue 4)
    "plot_abnormal_price",
    "plot_breaks",
    "plot_fstats",
    "plot_price_comparison",
    "plot_price_its",
]
