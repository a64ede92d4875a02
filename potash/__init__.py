"""potash: what the Belarus potash sanctions, and their lifting, did to the potash market.

Loaders turn the real shipped data into tidy, validated tables; the analysis modules run
event studies on equity returns, commodity prices and trade flows around one sanctions
calendar; ``potash.figures`` draws the findings. Everything public is importable from here:
``from potash import load_trade, market_shares, event_study``.

Examples
--------
>>> import potash
>>> potash.__version__
'0.1.0'
"""

__version__ = "0.1.0"

from .breaks import (
    BreakpointsResults,
    ChowResults,
    FStatsResults,
    bai_perron,
    chow_test,
    f_stats,
    pvalue_fstats,
)
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
from .data.customs import customs_coverage, customs_mirror_check
from .errors import PotashDataError
from .eventstudy import EventStudyResults, event_study, sanctions_event_study
from .ingest import ingest_baci, ingest_comtrade_bulk, read_trade_parquet
from .market import (
    MarketShares,
    UnitValues,
    buyer_mix,
    hhi,
    import_shares,
    market_shares,
    mirror_flows,
    share_shift,
    unit_values,
)
from .overview import data_coverage, headline_events
from .panel import TradeEventStudyResults, post_start_year, trade_event_study, trade_panel
from .prices import (
    PriceEventStudyResults,
    basis_changes_table,
    log_price_panel,
    newey_west_lags,
    price_event_study,
)
from .refresh import fetch_baci, fetch_comtrade, fetch_faostat, fetch_worldbank_cmo, refresh_all
from .refresh_comexstat import fetch_comexstat
from .relief import price_signals, production_signal, relief_date, watch_timeline
from .routes import klaipeda_cargo, route_mix, route_shares, route_table
from .synth import SyntheticControlResults, synth_weights, synthetic_control

__all__ = [
    "BreakpointsResults",
    "ChowResults",
    "EventStudyResults",
    "FStatsResults",
    "MarketShares",
    "PotashDataError",
    "PriceEventStudyResults",
    "SyntheticControlResults",
    "TradeEventStudyResults",
    "UnitValues",
    "__version__",
    "baci_country_table",
    "bai_perron",
    "basis_changes",
    "basis_changes_table",
    "build_processed",
    "buyer_mix",
    "chow_test",
    "convert_basis",
    "data_coverage",
    "event_study",
    "f_stats",
    "fetch_baci",
    "fetch_comtrade",
    "fetch_faostat",
    "fetch_worldbank_cmo",
    "headline_events",
    "hhi",
    "import_shares",
    "ingest_baci",
    "ingest_comtrade_bulk",
    "k2o_to_kcl",
    "kcl_to_k2o",
    "klaipeda_cargo",
    "load_equity_prices",
    "load_events",
    "load_prices",
    "load_production",
    "load_routes",
    "load_trade",
    "log_price_panel",
    "market_shares",
    "mirror_flows",
    "newey_west_lags",
    "post_start_year",
    "price_event_study",
    "price_signals",
    "production_signal",
    "pvalue_fstats",
    "read_trade_parquet",
    "refresh_all",
    "relief_date",
    "route_mix",
    "route_shares",
    "route_table",
    "sanctions_event_study",
    "share_shift",
    "synth_weights",
    "synthetic_control",
    "to_iso3",
    "to_returns",
    "to_trading_day",
    "trade_event_study",
    "trade_panel",
    "trading_calendar",
    "unit_values",
    "watch_timeline",
    "customs_coverage",
    "customs_mirror_check",
    "fetch_comexstat",
]
