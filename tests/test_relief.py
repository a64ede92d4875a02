"""The relief watch list: price signals, production and timeline against the raw files."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

import potash
from potash.analyses.relief import (
    WATCH_ITEMS,
    price_signals,
    production_signal,
    relief_date,
    watch_timeline,
)
from potash.core.paths import raw_dir


def test_usda_signals_match_a_hand_reading_of_the_csv() -> None:
    path = raw_dir() / "usda_ams_state_fertilizer" / "us_state_potash_retail_biweekly.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    by_state: dict[str, list[tuple[str, float]]] = {}
    for r in rows:
        by_state.setdefault(r["state"], []).append((r["date"], float(r["price_avg_usd_per_short_ton"])))
    sig = price_signals(potash.load_prices(source="usda"), "2025-12-13")
    assert len(sig) == len(by_state) == 5
    for state, obs in by_state.items():
        obs.sort()
        before = [v for d, v in obs if d < "2025-12-13"][-1]
        latest = obs[-1][1]
        key = state.lower().replace(" ", "_").replace("-", "_")
        row = sig[sig["series"].str.contains(key)].iloc[0]
        assert row["before"] == before and row["latest"] == latest
        assert row["change_pct"] == pytest.approx(100 * (latest / before - 1), abs=1e-12)


def test_monthly_signal_starts_from_the_month_before_the_event() -> None:
    sig = price_signals(potash.load_prices(), relief_date(), series=["potassium_chloride"],
                        frequency="monthly").iloc[0]
    assert sig["before_date"] == pd.Timestamp("2025-11-01")
    assert sig["latest_date"] == pd.Timestamp("2026-05-01") and sig["latest"] == 405.0
    assert sig["n_after"] == 6  # 2025-12 .. 2026-05


def test_series_with_nothing_after_the_event_is_kept_with_nan_change() -> None:
    p = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-02-01"]), "series": "old",
                      "value": [1.0, 2.0], "unit": "x"})
    out = price_signals(p, "2025-12-13")
    assert len(out) == 1 and out["n_after"].item() == 0 and pd.isna(out["change"].item())


def test_price_signals_bad_input() -> None:
    with pytest.raises(ValueError, match=r"lacks columns \['unit'\]"):
        price_signals(pd.DataFrame(columns=["date", "series", "value"]), "2025-12-13")
    with pytest.raises(ValueError, match=r"series not in the prices table: \['nope'\]"):
        price_signals(potash.load_prices(source="usda"), "2025-12-13", series=["nope"])
    with pytest.raises(ValueError, match="frequency='weekly' is not allowed"):
        price_signals(potash.load_prices(source="usda"), "2025-12-13", frequency="weekly")


def test_production_signal_matches_usgs_table() -> None:
    path = raw_dir() / "usgs_mcs2026_potash" / "mcs2026_potash_world_production.csv"
    row = next(r for r in csv.DictReader(path.open(encoding="utf-8")) if r["country"] == "Belarus")
    out = production_signal()
    assert out["quantity_t"].tolist() == [float(row["prod_2024_kt_k2o"]) * 1000,
                                          float(row["prod_2025e_kt_k2o"]) * 1000]
    assert out["change_pct"].iloc[1] == pytest.approx(20.0)
    with pytest.raises(ValueError, match="no 'usgs_mcs2026' production rows for 'XXX'"):
        production_signal(country="XXX")


def test_watch_timeline_sorts_events_into_the_five_items() -> None:
    t = watch_timeline().set_index("event_id")["item"]
    assert t["ofac_gl13_potash"] == "scope of US relief"
    assert t["release_123_bialiatski_kalesnikava"] == "further releases"
    assert t["eu_lt_keep_potash_ban"] == "EU response"
    assert set(t) <= set(WATCH_ITEMS) | {"other"}
    with pytest.raises(ValueError, match="lacks columns"):
        watch_timeline(pd.DataFrame({"date": []}))


def test_relief_date_unknown_event() -> None:
    with pytest.raises(ValueError, match="'nope' is not in the calendar"):
        relief_date(event_id="nope")
