"""The sanctions calendar and the mapping of event dates to trading days."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.data._cache import cached, files, register
from potash.data._common import (
    check_unique,
    parse_dates,
    raw_path,
    read_csv_text,
    rel,
    require_values,
    to_date,
)
from potash.data.schemas import EVENTS, validate

__all__ = ["EVENT_LABELS", "EVENT_TYPES", "event_label", "load_events", "normalise_events",
           "to_trading_day"]

#: The allowed event types.
EVENT_TYPES = ("sanction", "logistics", "geopolitical", "market", "prisoner_release", "relief")
_VERIFIED = ("yes", "partly", "no")
_COLUMNS = ["date", "event_id", "actor", "type", "description", "source_url", "verified"]

#: A short readable label for every event of the shipped calendar (event_id -> label): the one
#: place figures, tables and findings take event names from (the calendar CSV has none).
EVENT_LABELS: dict[str, str] = {
    "by_presidential_election_2020": "Belarus election",
    "belaruskali_strike_2020": "Belaruskali strike",
    "india_contract_raised_280": "India contract $280",
    "ryanair_fr4978_diversion": "Ryanair diversion",
    "eu_council_ryanair_conclusions": "EU Council on Ryanair",
    "eu_fac_sectoral_agreement": "EU agrees sectoral sanctions",
    "eu_sectoral_sanctions_potash": "EU sectoral sanctions",
    "canada_potash_measures": "Canada sanctions",
    "uk_potash_import_ban": "UK import ban",
    "us_eo14038_belaruskali_sdn": "US/UK/CA sanctions",
    "cn_fertilizer_export_inspection": "China export inspections",
    "ru_fertilizer_quota_announced": "Russia quota announced",
    "ru_fertilizer_quota_effective": "Russia quota in force",
    "canada_dec2021_designations": "Canada designations",
    "eu_fifth_listing_package": "EU fifth package",
    "uk_belaruskali_asset_freeze": "UK asset freeze",
    "us_ofac_bpc_designation": "US SDN BPC",
    "lt_transit_review_request": "Lithuania transit review",
    "us_gl4_expiry_belaruskali": "US GL4 expires",
    "lt_commission_security_finding": "Lithuania security finding",
    "lt_cabinet_annuls_contract": "Lithuania annuls contract",
    "ltg_board_halts_potash": "LTG halts potash",
    "klaipeda_transit_ends": "Klaipeda closed",
    "by_counter_transit_ban": "Belarus counter-ban",
    "ua_rail_ban_by_potash": "Ukraine rail ban",
    "india_contract_590": "India contract $590",
    "ru_invasion_via_belarus": "Invasion of Ukraine",
    "eu_potash_full_ban": "EU full ban",
    "eu_belarus_financial_measures": "EU financial measures",
    "by_potash_export_licensing": "Belarus export licensing",
    "us_gl5_expiry_bpc": "US GL5 expires",
    "eu_anticircumvention_potash": "EU anti-circumvention",
    "eu_lists_belaruskali_bpc": "EU lists Belaruskali, BPC",
    "eu_potash_grandfather_end": "EU grandfathering ends",
    "uk_potash_ban_extended": "UK ban extended",
    "india_contract_422": "India contract $422",
    "china_contract_307": "China contract $307",
    "us_belavia_designation": "US Belavia designation",
    "us_belarus_designations_2024": "US designations 2024",
    "nuhfer_release_election_day": "Release (election day)",
    "smith_visit_three_released": "Release of 3",
    "kellogg_visit_tsikhanouski_release": "Tsikhanouski released",
    "by_independence_day_pardon_16": "Pardon of 16",
    "trump_lukashenko_call": "Trump-Lukashenko call",
    "coale_visit_52_released": "Release of 52",
    "us_belavia_relief_gl11": "US Belavia relief",
    "ofac_delists_belavia": "OFAC delists Belavia",
    "coale_named_envoy": "Coale named envoy",
    "by_release_priests_ukrainians": "Release of priests",
    "release_123_bialiatski_kalesnikava": "Release of 123",
    "us_announces_potash_lift": "US relief",
    "eu_lt_keep_potash_ban": "EU keeps ban",
    "ofac_gl13_potash": "OFAC GL13 potash",
}


def event_label(event_id: str) -> str:
    """Return the readable label of an event: :data:`EVENT_LABELS`, else the id in words.

    Examples
    --------
    >>> event_label("klaipeda_transit_ends"), event_label("my_new_event")
    ('Klaipeda closed', 'my new event')
    """
    return EVENT_LABELS.get(str(event_id), str(event_id).replace("_", " "))


def _build_events(path: str | Path | None = None) -> pd.DataFrame:
    p = Path(path) if path is not None else raw_path("events", "sanctions_events.csv")
    df = read_csv_text(p, _COLUMNS)
    f = rel(p)
    require_values(df, ["date", "event_id", "type", "description", "verified"], f)
    df["date"] = to_date(df, "date", f, "%Y-%m-%d")
    for col, allowed in (("type", EVENT_TYPES), ("verified", _VERIFIED)):
        bad = ~df[col].isin(allowed)
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise PotashDataError(
                f"unknown value {df[col].iloc[i]!r}; allowed: {', '.join(allowed)}",
                file=f, column=col, row=int(df["_line"].iloc[i]),
            )
    bad = ~df["event_id"].str.fullmatch(r"[a-z0-9_]+")
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"event_id must be snake_case: {df['event_id'].iloc[i]!r}",
                              file=f, column="event_id", row=int(df["_line"].iloc[i]))
    check_unique(df, ["event_id"], f)
    out = df[_COLUMNS].sort_values(["date", "event_id"], kind="mergesort").reset_index(drop=True)
    out.insert(2, "label", out["event_id"].map(event_label))
    for col in out.columns[1:]:
        out[col] = out[col].astype("string")
    return out


def normalise_events(
    events: object, *, name: str = "events", require: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Return any events input as one table ``date, event_id, label, type`` (+ other columns).

    The one normaliser every design and figure uses. ``events`` may be a calendar table (with
    at least ``date``), a list of dates, or one date (a string or Timestamp). A table keeps its
    other columns; a missing ``event_id`` becomes the ISO date, a missing ``label`` comes from
    :func:`event_label`, a missing ``type`` is empty.

    Parameters
    ----------
    events : DataFrame, sequence of date-likes, or a date-like
        The events.
    name : str
        What to call the input in error messages.
    require : tuple of str
        Columns a table must hold besides ``date``.

    Returns
    -------
    DataFrame
        In input order, index 0..n-1, ``date`` normalised to midnight (datetime64[ns]).

    Raises
    ------
    PotashDataError
        No ``date`` column, a value that is not a date (naming its row), or a missing required
        column.
    ValueError
        No events.

    Examples
    --------
    >>> normalise_events(["2022-02-01"])[["date", "event_id", "label"]]
            date    event_id       label
    0 2022-02-01  2022-02-01  2022-02-01
    >>> normalise_events(load_events()).loc[0, "label"]
    'Belarus election'
    """
    if isinstance(events, str | pd.Timestamp | np.datetime64) or hasattr(events, "isoformat"):
        events = [events]
    if isinstance(events, pd.DataFrame):
        for col in ("date", *require):
            if col not in events.columns:
                raise PotashDataError(f"the {name} table needs a {col!r} column", file=name,
                                      column=col)
        frame = events.reset_index(drop=True).copy()
    else:
        try:
            frame = pd.DataFrame({"date": pd.Series(list(events), dtype=object)})  # type: ignore[call-overload]
        except TypeError as exc:
            raise ValueError(f"{name}: expected dates or a table, got {type(events).__name__}") from exc
    if frame.empty:
        raise ValueError(f"{name} is empty: give at least one event")
    parsed = parse_dates(list(frame["date"]), file=name)
    frame["date"] = pd.DatetimeIndex(parsed).normalize().astype("datetime64[ns]")
    if "event_id" not in frame.columns:
        frame["event_id"] = frame["date"].dt.strftime("%Y-%m-%d")
    frame["event_id"] = frame["event_id"].astype(str)
    if "label" not in frame.columns:
        frame["label"] = frame["event_id"].map(EVENT_LABELS).fillna(frame["event_id"])
    frame["label"] = frame["label"].astype(str)
    if "type" not in frame.columns:
        frame["type"] = ""
    frame["type"] = frame["type"].astype(str)
    first = ["date", "event_id", "label", "type"]
    return frame[first + [c for c in frame.columns if c not in first]]


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """Load the sanctions calendar, typed and validated.

    Checks ISO dates (``YYYY-MM-DD``), known ``type`` values (:data:`EVENT_TYPES`), ``verified``
    in yes/partly/no, and unique snake_case ``event_id``.

    Parameters
    ----------
    path : str or Path, optional
        A calendar CSV with the same columns (default: the shipped
        ``data/raw/events/sanctions_events.csv``).

    Returns
    -------
    DataFrame
        ``date`` (datetime64), ``event_id``, ``actor``, ``type``, ``description``,
        ``source_url``, ``verified``; sorted by date.

    Raises
    ------
    PotashDataError
        Naming file, column and row of a bad value.

    Examples
    --------
    >>> ev = load_events()
    >>> len(ev), ev["type"].isin(EVENT_TYPES).all()
    (53, np.True_)
    """
    if path is None:
        return validate(cached("events"), EVENTS, file="data/raw/events/sanctions_events.csv")
    return validate(_build_events(path), EVENTS, file=str(path))


def to_trading_day(
    dates: object,
    calendar: pd.DatetimeIndex | pd.Series | np.ndarray,
    policy: Literal["next", "previous"] = "next",
) -> pd.DataFrame:
    """Map calendar dates to trading days and record each shift.

    A date that is a trading day maps to itself (``shift_days == 0``). With ``policy="next"``
    a weekend or holiday moves to the next trading day (the first day the market can react);
    with ``"previous"`` to the last trading day before it.

    Parameters
    ----------
    dates : date-like or array-like of dates
        Event dates (time of day is ignored).
    calendar : DatetimeIndex or array-like
        The trading days, e.g. the dates of the SPY price file
        (``load_equity_prices(["SPY"])["date"]``).
    policy : {"next", "previous"}
        Direction of the shift for non-trading days.

    Returns
    -------
    DataFrame
        ``date``, ``trading_date`` (datetime64) and ``shift_days`` (int, calendar days, negative
        for ``previous``), one row per input date, in input order.

    Raises
    ------
    ValueError
        A date lies outside the calendar (before its first or after its last day), or the
        calendar is empty.

    Examples
    --------
    >>> cal = pd.bdate_range("2025-12-01", "2025-12-31")
    >>> to_trading_day(["2025-12-13", "2025-12-15"], cal)
            date trading_date  shift_days
    0 2025-12-13   2025-12-15           2
    1 2025-12-15   2025-12-15           0
    """
    check_option("policy", policy, Literal["next", "previous"])
    cal = pd.DatetimeIndex(pd.to_datetime(np.asarray(calendar))).normalize()
    cal = cal.unique().sort_values()
    if len(cal) == 0:
        raise ValueError("calendar is empty")
    if isinstance(dates, (str, pd.Timestamp)) or np.isscalar(dates):
        dates = [dates]
    d = pd.DatetimeIndex(pd.to_datetime(list(dates) if not isinstance(dates, pd.Series) else dates))
    d = d.normalize()
    out_of_range = (d < cal[0]) | (d > cal[-1])
    if out_of_range.any():
        bad = d[out_of_range][0]
        raise ValueError(
            f"date {bad.date()} lies outside the trading calendar "
            f"({cal[0].date()} .. {cal[-1].date()}); extend the calendar"
        )
    if policy == "next":
        idx = cal.searchsorted(d, side="left")
    else:
        idx = cal.searchsorted(d, side="right") - 1
    td = cal[idx]
    return pd.DataFrame(
        {
            "date": d.astype("datetime64[ns]"),
            "trading_date": td.astype("datetime64[ns]"),
            "shift_days": np.asarray((td - d).days, dtype="int64"),
        }
    )


register("events", _build_events, files("events", "sanctions_events.csv"))
