"""The 2025 US relief: what to watch, and what the shipped data show for each item so far.

Five things to watch after the US announced on 2025-12-13 that it would lift its potash
sanctions: the scope of US relief, further prisoner releases, Belarus's conduct, the EU's
response, and market signals. :func:`watch_timeline` sorts the calendar into those items;
:func:`price_signals` measures each shipped price series from its last observation before the
relief to its latest one; :func:`production_signal` compares Belarus's mine output across years.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from potash.core.options import check_option

__all__ = ["WATCH_ITEMS", "watch_timeline", "relief_date", "price_signals", "production_signal"]

#: The five things to watch, in order.
WATCH_ITEMS: tuple[str, ...] = (
    "scope of US relief",
    "further releases",
    "Belarus's conduct",
    "EU response",
    "market signals",
)


def _watch_item(row: pd.Series) -> str | None:
    actor = str(row["actor"])
    if row["type"] == "relief":
        return "scope of US relief"
    if row["type"] == "prisoner_release":
        return "further releases"
    if actor.startswith("EU") or "Lithuania" in actor:
        return "EU response"
    if actor.startswith("Belarus"):
        return "Belarus's conduct"
    if row["type"] == "market":
        return "market signals"
    return None


def watch_timeline(events: pd.DataFrame | None = None, *, since: str = "2025-01-01") -> pd.DataFrame:
    """Sort the calendar's events since ``since`` into the five things to watch.

    Rules: relief events are the scope of US relief; prisoner releases are further releases;
    events whose actor is the EU or Lithuania are the EU response; other Belarusian actions are
    Belarus's conduct; market events are market signals. Events matching none (for example a US
    envoy's appointment) are kept with item ``"other"``.

    Parameters
    ----------
    events : DataFrame, optional
        The calendar (default :func:`potash.load_events`).
    since : str
        First date kept.

    Returns
    -------
    DataFrame
        ``date, item, event_id, type, actor, description, source_url``, in date order.

    Examples
    --------
    >>> t = watch_timeline()
    >>> t.loc[t["event_id"] == "eu_lt_keep_potash_ban", "item"].item()
    'EU response'
    """
    if events is None:
        from potash.data import load_events

        events = load_events()
    needed = {"date", "event_id", "type", "actor", "description", "source_url"}
    missing = needed - set(events.columns)
    if missing:
        raise ValueError(f"watch_timeline: events table lacks columns {sorted(missing)}")
    ev = events[events["date"] >= pd.Timestamp(since)].copy()
    ev["item"] = ev.apply(_watch_item, axis=1).fillna("other")
    cols = ["date", "item", "event_id", "type", "actor", "description", "source_url"]
    return ev.sort_values(["date", "event_id"])[cols].reset_index(drop=True)


def relief_date(events: pd.DataFrame | None = None, event_id: str = "us_announces_potash_lift") -> pd.Timestamp:
    """Return the date of the relief announcement in the calendar.

    Examples
    --------
    >>> relief_date().strftime("%Y-%m-%d")
    '2025-12-13'
    """
    if events is None:
        from potash.data import load_events

        events = load_events()
    hit = events.loc[events["event_id"] == event_id, "date"]
    if hit.empty:
        raise ValueError(f"relief_date: event {event_id!r} is not in the calendar")
    return pd.Timestamp(hit.iloc[0])


def price_signals(
    prices: pd.DataFrame,
    date: str | pd.Timestamp,
    *,
    series: list[str] | None = None,
    frequency: Literal["as_published", "monthly"] = "as_published",
) -> pd.DataFrame:
    """Change in each price series from its last observation before ``date`` to its latest one.

    For monthly series (``frequency="monthly"``) the month containing ``date`` is the first
    month after it: its average already carries the news for part of the month, so the
    comparison starts from the month before.

    Parameters
    ----------
    prices : DataFrame
        Tidy prices (``date, series, value, unit``).
    date : str or Timestamp
        The event (e.g. the relief announcement).
    series : list of str, optional
        Series to measure (default all in ``prices``).
    frequency : {"as_published", "monthly"}
        ``"monthly"`` treats ``date`` values as month starts (World Bank); ``"as_published"``
        compares report dates as they are.

    Returns
    -------
    DataFrame
        ``series, unit, before_date, before, latest_date, latest, change, change_pct, n_after``
        (observations after ``date``). Series with nothing after ``date`` are reported with NaN
        change, never dropped.

    Examples
    --------
    >>> p = pd.DataFrame({"date": pd.to_datetime(["2025-11-01", "2025-12-01", "2026-01-01"]),
    ...                   "series": "x", "value": [100.0, 110.0, 120.0], "unit": "$/t"})
    >>> row = price_signals(p, "2025-12-13", frequency="monthly").iloc[0]
    >>> float(row["before"]), float(row["latest"]), round(float(row["change_pct"]), 6)
    (100.0, 120.0, 20.0)
    """
    check_option("frequency", frequency, Literal["as_published", "monthly"])
    needed = {"date", "series", "value", "unit"}
    missing = needed - set(prices.columns)
    if missing:
        raise ValueError(f"price_signals: prices table lacks columns {sorted(missing)}")
    date = pd.Timestamp(date)
    cut = date.to_period("M").to_timestamp() if frequency == "monthly" else date
    p = prices.dropna(subset=["value"])
    if series is not None:
        unknown = sorted(set(series) - set(p["series"]))
        if unknown:
            raise ValueError(f"price_signals: series not in the prices table: {unknown}")
        p = p[p["series"].isin(series)]
    p = p.sort_values(["series", "date"])
    before = p[p["date"] < cut].groupby("series").tail(1).set_index("series")
    latest = p.groupby("series").tail(1).set_index("series")
    n_after = p[p["date"] >= cut].groupby("series").size()
    out = pd.DataFrame(
        {
            "unit": latest["unit"],
            "before_date": before["date"],
            "before": before["value"],
            "latest_date": latest["date"],
            "latest": latest["value"],
        }
    )
    out["n_after"] = n_after.reindex(out.index).fillna(0).astype(int)
    has_after = out["n_after"] > 0
    out["change"] = (out["latest"] - out["before"]).where(has_after)
    out["change_pct"] = (100 * (out["latest"] / out["before"] - 1)).where(has_after)
    return out.rename_axis("series").reset_index()


def production_signal(
    production: pd.DataFrame | None = None,
    country: str = "BLR",
    *,
    source: str = "usgs_mcs2026",
) -> pd.DataFrame:
    """Mine production of one country by year from one source (K2O basis), with the change.

    Parameters
    ----------
    production : DataFrame, optional
        From :func:`potash.load_production` (default: load it).
    country : str
        ISO3 code.
    source : str
        The production source (``usgs_mcs2026`` has 2024 and the 2025 estimate).

    Returns
    -------
    DataFrame
        ``year, quantity_t, basis, flag, change_pct`` (against the previous year shown).

    Examples
    --------
    >>> production_signal()["quantity_t"].tolist()
    [5000000.0, 6000000.0]
    """
    if production is None:
        from potash.data import load_production

        production = load_production()
    rows = production[(production["country_iso3"] == country) & (production["source"] == source)]
    if rows.empty:
        raise ValueError(f"production_signal: no {source!r} production rows for {country!r}")
    out = rows.sort_values("year")[["year", "quantity_t", "basis", "flag"]].reset_index(drop=True)
    out["change_pct"] = 100 * out["quantity_t"].pct_change()
    return out
