"""potash: what the Belarus potash sanctions, and their lifting, did to the potash market.

Loaders turn the real shipped data into tidy, validated tables (``potash.data``); generic
estimators (``potash.estimators``: event studies, interrupted time series, breaks, PPML,
synthetic control) take the study's choices as arguments; ``potash.analyses`` asks the
Belarus questions with them; ``potash.figures`` draws the results; ``potash.pipeline`` builds
data, refreshes sources and writes the report. Everything public is importable from here:
``from potash import load_trade, market_shares, event_study``. Names load on first use, so
``import potash`` is fast (see ``docs/architecture.md``).

Examples
--------
>>> import potash
>>> potash.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib
from typing import Any

from potash.core.compat import install as _install_moved

__version__ = "0.1.0"

_install_moved()

#: Public name -> module that defines it (imported on first access).
_NAMES: dict[str, str] = {
    # core
    "PotashDataError": "potash.core.errors",
    # data
    **{n: "potash.data" for n in (
        "baci_country_table", "basis_changes", "convert_basis", "k2o_to_kcl",
        "kcl_to_k2o", "load_equity_prices", "load_events", "load_prices", "load_production",
        "load_routes", "load_trade", "normalise_events", "customs_coverage", "to_iso3", "to_returns",
        "to_trading_day", "trading_calendar",
    )},
    "log_price_panel": "potash.data.price_panel",
    # estimators
    **{n: "potash.estimators.breaks" for n in (
        "BreakpointsResults", "ChowResults", "FStatsResults", "bai_perron", "chow_test",
        "f_stats", "pvalue_fstats",
    )},
    "EventStudyResults": "potash.estimators.eventstudy",
    "event_study": "potash.estimators.eventstudy",
    **{n: "potash.estimators.its" for n in (
        "PriceEventStudyResults", "basis_changes_table", "newey_west_lags",
    )},
    "TradeEventStudyResults": "potash.estimators.ppml",
    "SyntheticControlResults": "potash.estimators.synth",
    "synth_weights": "potash.estimators.synth",
    "compare": "potash.core.results",
    **{n: "potash.estimators.speccurve" for n in (
        "InadmissibleSpecification", "NullDraws", "SpecCurveResults", "per_spec", "spec_curve",
    )},
    # analyses
    "sanctions_event_study": "potash.analyses.equities",
    "SanctionsEventStudyResults": "potash.analyses.equities",
    "equity_spec_curve": "potash.analyses.equities",
    **{n: "potash.analyses.market" for n in (
        "MarketShares", "UnitValues", "buyer_mix", "hhi", "import_shares", "market_shares",
        "mirror_flows", "share_shift", "unit_values",
    )},
    "customs_mirror_check": "potash.analyses.buyers",
    **{n: "potash.analyses.buyers" for n in (
        "belarus_buyers", "replacement_shares", "unit_value_discount", "discount_by_year",
        "relief_months", "monthly_imports_from", "customs_flow_panel",
        "monthly_trade_event_study",
    )},
    **{n: "potash.analyses.freight" for n in (
        "freight_by_origin", "freight_did", "not_declared_share",
    )},
    **{n: "potash.estimators.fixest" for n in ("fe_fit", "permutation_pvalues")},
    "data_coverage": "potash.analyses.overview",
    "headline_events": "potash.analyses.overview",
    "price_event_study": "potash.analyses.prices",
    **{n: "potash.analyses.prices" for n in (
        "placebo_months", "placebo_outcomes", "price_counterfactual", "price_placebo_in_time",
        "price_spec_curve",
    )},
    **{n: "potash.estimators.its_robust" for n in (
        "ITSCurveDesign", "PlaceboInTimeResults", "PreEventCounterfactualResults", "ewc_dof",
        "fit_its_batch", "placebo_in_time", "pre_event_counterfactual", "splice_series",
    )},
    **{n: "potash.analyses.trade" for n in (
        "post_start_year", "synthetic_control", "trade_event_study", "trade_panel",
    )},
    **{n: "potash.analyses.relief" for n in (
        "price_signals", "production_signal", "relief_date", "watch_timeline",
    )},
    **{n: "potash.analyses.routes" for n in (
        "klaipeda_cargo", "route_mix", "route_shares", "route_table",
    )},
    **{n: "potash.estimators.armington" for n in (
        "ArmingtonBase", "ScenarioComparison", "SigmaResults", "calibrate_armington",
        "compare_scenarios", "estimate_sigma", "simulate_scenario", "solve_armington",
        "tariff_equivalent",
    )},
    **{n: "potash.analyses.scenarios" for n in (
        "backtest", "potash_base", "relief_months_check", "relief_scenarios", "route_wedge",
        "sanction_wedges", "scenario_sigma",
    )},
    # pipeline
    "build_processed": "potash.pipeline.build",
    "fetch_comexstat": "potash.pipeline.refresh_comexstat",
    **{n: "potash.pipeline.ingest" for n in (
        "ingest_baci", "ingest_comtrade_bulk", "read_trade_parquet",
    )},
    **{n: "potash.pipeline.refresh" for n in (
        "fetch_baci", "fetch_comtrade", "fetch_faostat", "fetch_worldbank_cmo", "refresh_all",
    )},
    # trade randomization inference (issue 11)
    "PermutationResults": "potash.estimators.permutation",
    "unit_permutation": "potash.estimators.permutation",
    "screen_donors": "potash.estimators.synth",
    **{n: "potash.analyses.trade" for n in ("trade_permutation", "trade_spec_curve")},
}

__all__ = sorted([*_NAMES, "__version__"])


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'potash' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES})
