"""``sanctions_event_study``: the potash producers and a contrast group around the sanctions.

Runs :func:`potash.event_study` on the shipped daily prices (``data/raw/yahoo_adjclose_dsturdy``)
over the sanction and relief dates of the shipped calendar (``data/raw/events``), once for the
listed potash producers and once for a contrast group of fertilizer firms without Belarus-exposed
potash, against SPY (or ACWI).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.estimators.eventstudy.core import event_study
from potash.estimators.eventstudy.results import EventStudyResults

__all__ = ["sanctions_event_study", "SanctionsEventStudyResults", "PRODUCERS", "CONTRAST"]

#: Listed potash producers (Nutrien, Mosaic, ICL, Intrepid Potash).
PRODUCERS: tuple[str, ...] = ("NTR", "MOS", "ICL", "IPI")
#: Contrast group: fertilizer and farm-input firms whose revenue is not Belarus-competing
#: potash (CF, LXU, UAN nitrogen; SQM lithium/iodine/specialty; CTVA seeds and crop protection).
#: Compass Minerals (CMP, sulphate of potash) and BHP (Jansen potash project) are left out of both
#: groups because their potash exposure is partial.
CONTRAST: tuple[str, ...] = ("CF", "SQM", "LXU", "UAN", "CTVA")

Market = Literal["SPY", "ACWI"]


class SanctionsEventStudyResults(ResultsBase):
    """The producers' and the contrast group's event studies on one calendar.

    Attributes
    ----------
    producers, contrast : EventStudyResults
    events : DataFrame
        The calendar rows used: ``date, event_id, type, trading_date, shift_days, group`` where
        ``group`` is the event id of the study (events on one trading day are studied once).
    shifts : DataFrame
        Events moved from a non-trading day (``event_id, date, trading_date, shift_days``).
    """

    _title = "Sanctions event study: pooled CAAR tests, producers vs contrast"

    def __init__(
        self,
        producers: EventStudyResults,
        contrast: EventStudyResults,
        events: pd.DataFrame,
        market: str,
    ) -> None:
        self._producers = producers
        self._contrast = contrast
        self._events = events
        self._market = market

    @property
    def producers(self) -> EventStudyResults:
        return self._producers

    @property
    def contrast(self) -> EventStudyResults:
        return self._contrast

    @property
    def events(self) -> pd.DataFrame:
        return self._events.copy()

    @property
    def shifts(self) -> pd.DataFrame:
        ev = self._events
        moved = ev[ev["shift_days"] != 0]
        return moved[["event_id", "date", "trading_date", "shift_days"]].reset_index(drop=True)

    @property
    def tests(self) -> pd.DataFrame:
        """Both samples' tidy tests, with a ``sample`` column."""
        return pd.concat(
            [
                self._producers.tests.assign(sample="producers"),
                self._contrast.tests.assign(sample="contrast"),
            ],
            ignore_index=True,
        )

    def summary_frame(self) -> pd.DataFrame:
        """Pooled CAAR tests of both samples side by side (robust statistics first)."""
        p = self._producers.summary_frame()
        c = self._contrast.summary_frame()
        p = p[p["event_id"] == p["event_id"].iloc[-1]]
        c = c[c["event_id"] == c["event_id"].iloc[-1]]
        keep = ["statistic", "value", "p_value", "assumes_independence"]
        out = p[keep + ["mean"]].merge(
            c[keep[:3] + ["mean"]], on="statistic", suffixes=("_producers", "_contrast")
        )
        return out

    def _notes(self) -> list[str]:
        notes = [
            f"Market: {self._market}. Producers: {', '.join(PRODUCERS)}; "
            f"contrast: {', '.join(self._contrast.params.index.get_level_values(1).unique())}."
        ]
        notes += [n for n in self._producers._notes() if "is not a trading day" not in n]
        for row in self.shifts.itertuples(index=False):
            notes.append(
                f"Calendar event {row.event_id}: {pd.Timestamp(row.date).date()} is not a trading "
                f"day; moved to {pd.Timestamp(row.trading_date).date()} "
                f"({int(row.shift_days):+d} days)."
            )
        return notes

    def plot(self, ax: Any = None) -> Any:
        """CAAR over the event window per event: producers vs contrast; returns the Figure."""
        from potash.figures.eventstudy import plot_sanctions_caar

        return plot_sanctions_caar(self, ax=ax)


def sanctions_event_study(
    *,
    producers: Sequence[str] = PRODUCERS,
    contrast: Sequence[str] = CONTRAST,
    market: str = "SPY",
    event_types: Sequence[str] = ("sanction", "relief"),
    estimation_window: Any = (-250, -11),
    event_window: Any = (-1, 2),
    model: str = "market",
    convention: str = "textbook",
    non_trading: str = "next",
    kind: str = "simple",
    min_estimation_obs: int | None = None,
) -> SanctionsEventStudyResults:
    """Event study of the potash producers and a contrast group on the sanctions calendar.

    Events of the chosen types that fall on the same trading day (for example the four
    coordinated designations of 2021-12-02, or the US relief announced on Saturday 2025-12-13
    and licensed on Monday 2025-12-15) are studied once, so no return is counted twice; the
    event id joins their ids. Weekend events move by ``non_trading`` and the move is reported.

    Parameters
    ----------
    producers, contrast : sequence of str
        Tickers in the shipped equity data.
    market : {"SPY", "ACWI"}
        Market proxy.
    event_types : sequence of str
        Calendar ``type`` values to study (default sanctions and relief).
    estimation_window, event_window, model, convention, non_trading, min_estimation_obs
        As in :func:`potash.event_study`.
    kind : {"simple", "log"}
        Returns.

    Returns
    -------
    SanctionsEventStudyResults

    Examples
    --------
    >>> res = sanctions_event_study(event_types=("relief",), producers=("NTR", "MOS"),
    ...                             contrast=("CF",))
    >>> res.shifts[["date", "trading_date"]].astype(str).values.tolist()
    [['2025-12-13', '2025-12-15']]
    """
    from potash.data import load_equity_prices, load_events, to_returns, to_trading_day

    check_option("market", market, Market)
    prod, cont = list(producers), list(contrast)
    if set(prod) & set(cont):
        raise ValueError(f"tickers in both groups: {sorted(set(prod) & set(cont))}")
    prices = load_equity_prices(prod + cont + [market])
    rets = to_returns(prices, kind=kind)
    rets.columns = [str(c) for c in rets.columns]
    mkt = rets[market].dropna()
    calendar = mkt.index

    ev = load_events()
    unknown = sorted(set(event_types) - set(ev["type"].astype(str)))
    if unknown:
        raise ValueError(
            f"event_types {unknown} are not in the calendar "
            f"(types: {sorted(set(ev['type'].astype(str)))})"
        )
    ev = ev[ev["type"].astype(str).isin(list(event_types))].reset_index(drop=True)
    td = to_trading_day(
        ev["date"], calendar, policy="next" if non_trading == "next" else "previous"
    )
    ev = ev.assign(
        trading_date=td["trading_date"].to_numpy(), shift_days=td["shift_days"].to_numpy()
    )
    ev["event_id"] = ev["event_id"].astype(str)
    ev["type"] = ev["type"].astype(str)
    groups = (
        ev.groupby("trading_date", sort=True)
        .agg(event_id=("event_id", "+".join), date=("date", "min"))
        .reset_index()
    )
    ev["group"] = ev["trading_date"].map(groups.set_index("trading_date")["event_id"])
    study_events = groups[["event_id", "date"]]

    kw = dict(
        estimation_window=estimation_window,
        event_window=event_window,
        model=model,
        convention=convention,
        non_trading=non_trading,
        min_estimation_obs=min_estimation_obs,
    )
    res_p = event_study(rets.loc[calendar, prod], mkt, study_events, **kw)
    res_c = event_study(rets.loc[calendar, cont], mkt, study_events, **kw)
    events = ev[["date", "event_id", "type", "trading_date", "shift_days", "group"]]
    events = events.assign(shift_days=events["shift_days"].astype(float))
    if events["trading_date"].isna().any():
        row = events[events["trading_date"].isna()].iloc[0]
        raise PotashDataError(
            f"event {row['event_id']} ({pd.Timestamp(row['date']).date()}) lies outside the equity "
            f"data ({calendar[0].date()}..{calendar[-1].date()})",
            file="events",
            column="date",
        )
    return SanctionsEventStudyResults(res_p, res_c, events.reset_index(drop=True), market)
