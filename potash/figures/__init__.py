"""Figures for the potash findings.

Every function takes ``ax=None`` (or draws its own grid of axes), applies the potash style in a
context manager, and returns the matplotlib Figure. Use :func:`save_figure` to write PNG and
PDF files that are byte-identical across rebuilds.
"""

from ._style import EVENT_COLORS, add_source, mark_events, new_axes, potash_style, save_figure

__all__ = ["EVENT_COLORS", "add_source", "mark_events", "new_axes", "potash_style", "save_figure"]

# -- events (issue 6): returns event-study figures --
from .eventstudy import plot_car, plot_event_study, plot_sanctions_caar

__all__ += ["plot_car", "plot_event_study", "plot_sanctions_caar"]
