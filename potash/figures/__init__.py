"""Figures for the potash findings.

Every function takes ``ax=None`` (or draws its own grid of axes), applies the potash style in a
context manager, and returns the matplotlib Figure. Use :func:`save_figure` to write PNG and
PDF files that are byte-identical across rebuilds.
"""

from potash.figures._style import (
    EVENT_COLORS,
    add_source,
    mark_events,
    new_axes,
    plain_log_axis,
    potash_style,
    save_figure,
)
from potash.figures.buyers import (
    plot_buyers,
    plot_discount,
    plot_freight,
    plot_ppml_windows,
    plot_relief_months,
    plot_replacement,
)
from potash.figures.eventstudy import plot_car, plot_event_study, plot_sanctions_caar
from potash.figures.market import (
    plot_hhi,
    plot_klaipeda_throughput,
    plot_market_share,
    plot_route_mix,
    plot_share_shift,
    plot_unit_value_gap,
)
from potash.figures.overview import plot_coverage, plot_price_history
from potash.figures.panel import (
    plot_permutation,
    plot_synth_gaps,
    plot_synth_paths,
    plot_trade_event_study,
)
from potash.figures.prices import (
    plot_abnormal_price,
    plot_breaks,
    plot_counterfactual_band,
    plot_fstats,
    plot_placebo_in_time,
    plot_price_comparison,
    plot_price_its,
)
from potash.figures.relief import plot_relief_signals

__all__ = [
    "EVENT_COLORS",
    "add_source",
    "mark_events",
    "new_axes",
    "plot_abnormal_price",
    "plot_breaks",
    "plot_car",
    "plot_coverage",
    "plot_event_study",
    "plot_fstats",
    "plot_hhi",
    "plot_klaipeda_throughput",
    "plot_market_share",
    "plot_price_comparison",
    "plot_price_its",
    "plot_placebo_in_time",
    "plot_counterfactual_band",
    "plot_price_history",
    "plot_relief_signals",
    "plot_route_mix",
    "plot_sanctions_caar",
    "plot_share_shift",
    "plot_synth_gaps",
    "plot_synth_paths",
    "plot_trade_event_study",
    "plot_unit_value_gap",
    "plot_permutation",
    "plain_log_axis",
    "potash_style",
    "save_figure",
    "plot_buyers",
    "plot_discount",
    "plot_freight",
    "plot_ppml_windows",
    "plot_relief_months",
    "plot_replacement",
]
