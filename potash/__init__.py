"""potash: what the Belarus potash sanctions, and their lifting, did to the potash market.

Loaders turn the real shipped data into tidy, validated tables; the analysis modules run
event studies on equity returns, commodity prices and trade flows around one sanctions
calendar; ``potash.figures`` draws the findings.

Examples
--------
>>> import potash
>>> potash.__version__
'0.1.0'
"""

from .errors import PotashDataError

__version__ = "0.1.0"

__all__ = ["PotashDataError", "__version__"]

# --- data layer (issue 2) ---
from .data import (
    baci_country_table,
    basis_changes,
    build_processed,
    convert_basis,
    k2o_to_kcl,
    kcl_to_k2o,
    load_equity_prices,
    load_events,
    load_prices,
    load_production,
    load_routes,
    load_trade,
    to_iso3,
    to_returns,
    to_trading_day,
    trading_calendar,
)

__all__ += [
    "baci_country_table",
    "basis_changes",
    "build_processed",
    "convert_basis",
    "k2o_to_kcl",
    "kcl_to_k2o",
    "load_equity_prices",
    "load_events",
    "load_prices",
    "load_production",
    "load_routes",
    "load_trade",
    "to_iso3",
    "to_returns",
    "to_trading_day",
    "trading_calendar",
]
# --- end data layer ---

# isort: split
# --- prices (issue 4, prices part) ---
from .breaks import (  # noqa: E402
    BreakpointsResults,
    ChowResults,
    FStatsResults,
    bai_perron,
    chow_test,
    f_stats,
    pvalue_fstats,
)
from .prices import (  # noqa: E402
    PriceEventStudyResults,
    basis_changes_table,
    log_price_panel,
    newey_west_lags,
    price_event_study,
)

__all__ += [
    "BreakpointsResults",
    "ChowResults",
    "FStatsResults",
    "PriceEventStudyResults",
    "bai_perron",
    "basis_changes_table",
    "chow_test",
    "f_stats",
    "log_price_panel",
    "newey_west_lags",
    "price_event_study",
    "pvalue_fstats",
]
# --- end prices ---
