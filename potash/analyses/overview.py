"""What the shipped data cover: one row per table, with its time span and size."""

from __future__ import annotations

import pandas as pd

from potash.data.events import normalise_events

__all__ = ["HEADLINE_EVENTS", "data_coverage", "headline_events"]


def data_coverage() -> pd.DataFrame:
    """Return the coverage of every shipped table: source, content, first and last date, rows.

    Each row is computed from the loaded table, never typed in.

    Returns
    -------
    DataFrame
        Columns ``table, source, content, unit, first, last, rows``; ``first`` and ``last`` are
        Timestamps (annual data start on 1 January of the first year, end on 31 December).

    Examples
    --------
    >>> cov = data_coverage()
    >>> cov.set_index("table").loc["World Bank Pink Sheet (potash)", "last"].strftime("%Y-%m")
    '2026-05'
    """
    from potash.data import load_equity_prices, load_events, load_prices, load_trade

    rows = []

    def add(table: str, source: str, content: str, unit: str, dates: pd.Series, n: int) -> None:
        rows.append(
            {
                "table": table,
                "source": source,
                "content": content,
                "unit": unit,
                "first": pd.Timestamp(dates.min()),
                "last": pd.Timestamp(dates.max()),
                "rows": int(n),
            }
        )

    wb = load_prices()
    kcl = wb[wb["series"] == "potassium_chloride"].dropna(subset=["value"])
    add(
        "World Bank Pink Sheet (potash)",
        "World Bank CMO",
        "monthly potassium chloride price",
        str(kcl["unit"].iloc[0]),
        kcl["date"],
        len(kcl),
    )
    add(
        "World Bank Pink Sheet (all)",
        "World Bank CMO",
        f"{wb['series'].nunique()} monthly series",
        "as published",
        wb["date"],
        len(wb),
    )
    for src, label in (("usda", "USDA AMS state reports"), ("ecuador", "Ecuador MAG-SIPA")):
        p = load_prices(source=src)
        add(
            f"Retail prices ({src})",
            label,
            f"{p['series'].nunique()} retail series",
            str(p["unit"].iloc[0]),
            p["date"],
            len(p),
        )
    eq = load_equity_prices()
    add(
        "Equity prices",
        "Yahoo Finance (adjusted close)",
        f"{eq['ticker'].nunique()} tickers",
        "USD",
        eq["date"],
        len(eq),
    )
    tr = load_trade("faostat")
    mop = tr[tr["product"] == "potassium_chloride"]
    add(
        "FAOSTAT trade (MOP)",
        "FAOSTAT via agData",
        "potassium chloride imports and exports",
        "t, USD",
        pd.to_datetime(mop["year"].astype(str), format="%Y"),
        len(mop),
    )
    cur = load_trade("curated")
    add(
        "Curated bilateral flows",
        "news and statistics pages",
        "origin x destination figures",
        "t, USD",
        cur["period_start"],
        len(cur),
    )
    from potash.data import load_production

    prod = load_production()
    for src, grp in prod.groupby("source", sort=True):
        add(
            f"Production ({src})",
            str(src),
            f"{grp['country_iso3'].nunique()} countries, basis "
            + "/".join(sorted(grp["basis"].unique())),
            "t",
            pd.to_datetime(grp["year"].astype(str), format="%Y"),
            len(grp),
        )
    ev = load_events()
    add(
        "Sanctions calendar",
        "official and press sources",
        f"{len(ev)} dated events",
        "-",
        ev["date"],
        len(ev),
    )
    out = pd.DataFrame(rows)
    # annual tables end on the last day of their last year
    annual = out["table"].str.startswith(("FAOSTAT", "Production"))
    out.loc[annual, "last"] = out.loc[annual, "last"] + pd.offsets.YearEnd(0)
    return out


#: The headline dates marked on every time axis (labels from the calendar's ``label``).
HEADLINE_EVENTS: tuple[str, ...] = (
    "eu_sectoral_sanctions_potash",
    "us_eo14038_belaruskali_sdn",
    "klaipeda_transit_ends",
    "eu_potash_full_ban",
    "us_announces_potash_lift",
)


def headline_events(events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the headline sanctions and relief events with a short ``label`` for figures.

    Parameters
    ----------
    events : DataFrame, optional
        The calendar (default :func:`potash.load_events`).

    Returns
    -------
    DataFrame
        The calendar rows of :data:`HEADLINE_EVENTS`, in date order, with their ``label``.

    Examples
    --------
    >>> headline_events()[["date", "label"]].iloc[-1].tolist()[1]
    'US relief'
    """
    if events is None:
        from potash.data import load_events

        events = load_events()
    missing = set(HEADLINE_EVENTS) - set(events["event_id"])
    if missing:
        raise ValueError(f"headline_events: events not in the calendar: {sorted(missing)}")
    out = normalise_events(events[events["event_id"].isin(list(HEADLINE_EVENTS))])
    return out.sort_values("date").reset_index(drop=True)
