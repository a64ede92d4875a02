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

# --- overview (data tour) ---
from .overview import plot_coverage, plot_price_history

__all__ += ["plot_coverage", "plot_price_history"]

# --- market (issue 3) ---
from .market import (
    plot_hhi,
    plot_klaipeda_throughput,
    plot_market_share,
    plot_route_mix,
    plot_share_shift,
    plot_unit_value_gap,
)

__all__ += [
    "plot_hhi",
    "plot_klaipeda_throughput",
    "plot_market_share",
    "plot_route_mix",
    "plot_share_shift",
    "plot_unit_value_gap",
]

# --- trade panels (issue 4, trade part) ---
from .panel import plot_synth_gaps, plot_synth_paths, plot_trade_event_study

__all__ += ["plot_synth_gaps", "plot_synth_paths", "plot_trade_event_study"]
# --- end trade panels ---

# -- events (issue 6): returns event-study figures --
from .eventstudy import plot_car, plot_event_study, plot_sanctions_caar

__all__ += ["plot_car", "plot_event_study", "plot_sanctions_caar"]

__all__ += [  # prices (issue 4)
    "plot_abnormal_price",
    "plot_breaks",
    "plot_fstats",
    "plot_price_comparison",
    "plot_price_its",
]
