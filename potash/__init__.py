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
    "load_trade",
    "to_iso3",
    "to_returns",
    "to_trading_day",
    "trading_calendar",
]
# --- end data layer ---

# --- market (issue 3) ---
from .market import (  # noqa: E402
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
from .routes import klaipeda_cargo, route_mix, route_shares, route_table  # noqa: E402

__all__ += [
    "MarketShares",
    "UnitValues",
    "buyer_mix",
    "hhi",
    "import_shares",
    "klaipeda_cargo",
    "market_shares",
    "mirror_flows",
    "route_mix",
    "route_shares",
    "route_table",
    "share_shift",
    "unit_values",
]
# --- end market ---

# --- trade panels (issue 4, trade part) ---
from .panel import TradeEventStudyResults, post_start_year, trade_event_study, trade_panel  # noqa: E402
from .synth import SyntheticControlResults, synth_weights, synthetic_control  # noqa: E402

__all__ += [
    "SyntheticControlResults",
    "TradeEventStudyResults",
    "post_start_year",
    "synth_weights",
    "synthetic_control",
    "trade_event_study",
    "trade_panel",
]
# --- end trade panels ---

# -- events (issue 6): returns event-study engine --
from .eventstudy import EventStudyResults, event_study, sanctions_event_study  # noqa: E402

__all__ += ["EventStudyResults", "event_study", "sanctions_event_study"]

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

# --- refresh and full-scale ingest (issue 7) ---
from .ingest import ingest_baci, ingest_comtrade_bulk, read_trade_parquet  # noqa: E402
from .refresh import (  # noqa: E402
    fetch_baci,
    fetch_comtrade,
    fetch_faostat,
    fetch_worldbank_cmo,
    refresh_all,
)

__all__ += [
    "fetch_baci",
    "fetch_comtrade",
    "fetch_faostat",
    "fetch_worldbank_cmo",
    "ingest_baci",
    "ingest_comtrade_bulk",
    "read_trade_parquet",
    "refresh_all",
]
# --- end refresh and ingest ---
