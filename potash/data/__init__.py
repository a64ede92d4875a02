"""The data layer: loaders of the real shipped data into tidy, validated tables.

Every loader parses a source in its published format, maps countries to ISO3, checks the raw
file's sha256 against ``data/datapackage.json`` and raises :class:`~potash.PotashDataError`
naming file, column, row and problem. What it drops (aggregates, partial days, breakdown rows)
it reports. ``build_processed()`` writes ``data/processed/*.parquet`` (``make data``).

Examples
--------
>>> from potash.data import load_events
>>> load_events()["event_id"].is_unique
True
"""

from potash.data.build import build_processed
from potash.data.countries import (
    baci_country_table,
    fao_area_to_iso3,
    is_fao_aggregate,
    m49_to_iso3,
    to_iso3,
)
from potash.data.customs import MONTHLY_COLUMNS, customs_coverage
from potash.data.datapackage import (
    file_sha256,
    register_resource,
    verify_all,
    verify_resource,
    write_datapackage,
)
from potash.data.equity import load_equity_prices, to_returns, trading_calendar
from potash.data.events import (
    EVENT_LABELS,
    EVENT_TYPES,
    event_label,
    load_events,
    normalise_events,
    to_trading_day,
)
from potash.data.periods import parse_period, period_bounds
from potash.data.prices import basis_changes, load_prices, worldbank_vintages
from potash.data.production import (
    K2O_CONTENT,
    convert_basis,
    k2o_to_kcl,
    kcl_to_k2o,
    load_production,
)
from potash.data.trade import TRADE_COLUMNS, load_routes, load_trade

__all__ = [
    "MONTHLY_COLUMNS",
    "customs_coverage",
    "K2O_CONTENT",
    "convert_basis",
    "k2o_to_kcl",
    "kcl_to_k2o",
    "load_production",
    "EVENT_TYPES",
    "TRADE_COLUMNS",
    "baci_country_table",
    "basis_changes",
    "build_processed",
    "fao_area_to_iso3",
    "file_sha256",
    "is_fao_aggregate",
    "load_equity_prices",
    "load_events",
    "normalise_events",
    "event_label",
    "EVENT_LABELS",
    "load_prices",
    "load_routes",
    "load_trade",
    "m49_to_iso3",
    "parse_period",
    "period_bounds",
    "register_resource",
    "to_iso3",
    "to_returns",
    "to_trading_day",
    "trading_calendar",
    "verify_all",
    "verify_resource",
    "worldbank_vintages",
    "write_datapackage",
]
