"""``sanctions_event_study``: the potash producers and a contrast group around the sanctions.

Runs :func:`potash.event_study` on the shipped daily prices (``data/raw/yahoo_adjclose_dsturdy``)
over the sanction and relief dates of the shipped calendar (``data/raw/events``), once for the
listed potash producers and once for a contrast group of fertilizer firms without Belarus-exposed
potash, against SPY (or ACWI).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.data._common import as_names
from potash.estimators.eventstudy.core import event_study
from potash.estimators.eventstudy.results import EventStudyResults

__all__ = [
    "sanctions_event_study",
    "SanctionsEventStudyResults",
    "PRODUCERS",
    "CONTRAST",
    "LONG_SHORT",
    "placebo_dates",
    "equity_spec_curve",
    "EquityCurveDesign",
    "EQUITY_CURVE_GRID",
    "FACTOR_MARKET",
]

#: Listed potash producers (Nutrien, Mosaic, ICL, Intrepid Potash).
PRODUCERS: tuple[str, ...] = ("NTR", "MOS", "ICL", "IPI")
#: Contrast group: fertilizer and farm-input firms whose revenue is not Belarus-competing
#: potash (CF, LXU, UAN nitrogen; SQM lithium/iodine/specialty; CTVA seeds and crop protection).
#: Compass Minerals (CMP, sulphate of potash) and BHP (Jansen potash project) are left out of both
#: groups because their potash exposure is partial.
CONTRAST: tuple[str, ...] = ("CF", "SQM", "LXU", "UAN", "CTVA")

Market = Literal["SPY", "ACWI", "XLB", "MOO"]
#: Sector ETFs of the two-index factor model (``model="factor"``): XLB materials, MOO
#: agribusiness.
Sector = Literal["XLB", "MOO"]
#: Name of the producers-minus-contrast portfolio series (equal weights within each group).
LONG_SHORT = "producers_minus_contrast"
#: Trading days kept between a placebo date and any calendar event.
PLACEBO_BUFFER = 10


class SanctionsEventStudyResults(ResultsBase):
    """The producers', the contrast group's and the long-short portfolio's event studies.

    Attributes
    ----------
    producers, contrast : EventStudyResults
        Per-security studies of each group on every studied date (their ``pooled`` group mixes
        sanctions and relief: use :attr:`pooled`, which pools each family separately).
    long_short : EventStudyResults
        The equal-weighted producers-minus-contrast return series (one "security",
        ``LONG_SHORT``) with its own market model: the primary test of "did the market treat
        this as news for the rivals". Its CAR t is ``brown_warner_1980`` (window ``car``).
    events : DataFrame
        The calendar rows used: ``date, event_id, type, trading_date, shift_days, group,
        family`` where ``group`` is the event id of the study (events on one trading day are
        studied once) and ``family`` is ``sanction`` or ``relief``.
    shifts : DataFrame
        Events moved from a non-trading day (``event_id, date, trading_date, shift_days``).
    placebo_dates : DatetimeIndex
        The seeded non-event trading dates used to calibrate every test.
    calibration : DataFrame
        Empirical size of each test: ``sample, statistic, window, robust_to_clustering,
        nominal, empirical_size, n_placebo`` (rejection rate at the nominal level on the
        placebo dates, at the actual group size).
    calibrated : DataFrame
        One row per sample, date and statistic (CAR window): ``value, mean, p_value``
        (nominal), ``p_calibrated`` (share of placebo p-values at least as small, counting the
        date itself: ``(1 + #) / (1 + B)``), and across the dates of each family
        ``p_holm, p_bh`` (Holm and Benjamini-Hochberg adjustments of ``p_calibrated``).
    pooled : DataFrame
        Per family: the dates, the mean long-short CAR, Stouffer's Z of the long-short t and its
        calibrated p (Z recomputed on seeded draws of as many placebo dates).
    """

    _title = "Sanctions event study: producers minus contrast, calibrated on placebo dates"

    def __init__(
        self,
        producers: EventStudyResults,
        contrast: EventStudyResults,
        long_short: EventStudyResults,
        events: pd.DataFrame,
        market: str,
        placebo: pd.DatetimeIndex,
        calibration: pd.DataFrame,
        calibrated: pd.DataFrame,
        pooled: pd.DataFrame,
        alpha: float,
        sector: str | None = None,
    ) -> None:
        self._producers = producers
        self._contrast = contrast
        self._long_short = long_short
        self._events = events
        self._market = market
        self._placebo = placebo
        self._calibration = calibration
        self._calibrated = calibrated
        self._pooled = pooled
        self._alpha = alpha
        self._sector = sector

    @property
    def producers(self) -> EventStudyResults:
        return self._producers

    @property
    def contrast(self) -> EventStudyResults:
        return self._contrast

    @property
    def long_short(self) -> EventStudyResults:
        return self._long_short

    @property
    def events(self) -> pd.DataFrame:
        return self._events.copy()

    @property
    def market(self) -> str:
        return self._market

    @property
    def sector(self) -> str | None:
        """The sector factor of the two-index model (``model="factor"``), else None."""
        return self._sector

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def placebo_dates(self) -> pd.DatetimeIndex:
        return self._placebo.copy()

    @property
    def calibration(self) -> pd.DataFrame:
        return self._calibration.copy()

    @property
    def calibrated(self) -> pd.DataFrame:
        return self._calibrated.copy()

    @property
    def pooled(self) -> pd.DataFrame:
        return self._pooled.copy()

    @property
    def shifts(self) -> pd.DataFrame:
        ev = self._events
        moved = ev[ev["shift_days"] != 0]
        return moved[["event_id", "date", "trading_date", "shift_days"]].reset_index(drop=True)

    @property
    def tests(self) -> pd.DataFrame:
        """All three samples' tidy tests, with a ``sample`` column."""
        return pd.concat(
            [
                self._producers.tests.assign(sample="producers"),
                self._contrast.tests.assign(sample="contrast"),
                self._long_short.tests.assign(sample="long_short"),
            ],
            ignore_index=True,
        )

    def summary_frame(self) -> pd.DataFrame:
        """Long-short CAR per date: estimate, se, t, nominal and calibrated p, Holm and BH."""
        car = self._long_short.car.reset_index()
        car = car[car["security"] == LONG_SHORT].set_index("event_id")
        cal = self._calibrated
        if "sample" in cal.columns:
            cal = cal[(cal["sample"] == "long_short") & (cal["statistic"] == "brown_warner_1980")]
        else:  # n_placebo=0: nominal inference only, the calibrated columns are missing (NaN)
            t = self._long_short.tests
            cal = t[(t["statistic"] == "brown_warner_1980") & (t["window"] == "car")
                    & (t["event_id"] != "pooled")]
            cal = cal.assign(p_calibrated=np.nan, p_holm=np.nan, p_bh=np.nan)
        cal = cal.set_index("event_id")
        fam = self._events.drop_duplicates("group").set_index("group")
        out = pd.DataFrame(
            {
                "family": fam["family"].reindex(cal.index),
                "trading_date": fam["trading_date"].reindex(cal.index),
                "estimate": car["car"].reindex(cal.index),
                "se": np.sqrt(car["var_car"].reindex(cal.index)),
                "statistic": cal["value"],
                "p_value": cal["p_value"],
                "p_calibrated": cal["p_calibrated"],
                "p_holm": cal["p_holm"],
                "p_bh": cal["p_bh"],
            }
        )
        tcrit = sps.t.ppf(1 - self._alpha / 2, cal["df"].to_numpy())
        out["ci_low"] = out["estimate"] - tcrit * out["se"]
        out["ci_high"] = out["estimate"] + tcrit * out["se"]
        return out.rename_axis("event_id").reset_index()

    def _notes(self) -> list[str]:
        model = (
            f"Market: {self._market}"
            if self._sector is None
            else f"Two-index factor model: market {self._market} + sector {self._sector}"
        )
        notes = [
            f"{model}. Producers: "
            f"{', '.join(self._producers.params.index.get_level_values(1).unique())}; contrast: "
            f"{', '.join(self._contrast.params.index.get_level_values(1).unique())}. "
            f"Estimate: CAR of the equal-weighted producers-minus-contrast portfolio.",
            f"Calibrated p-values from {len(self._placebo)} seeded placebo dates (no calendar "
            f"event within {PLACEBO_BUFFER} trading days); Holm and Benjamini-Hochberg across "
            "the dates of each family (sanctions, relief), never pooled across families."
            if len(self._placebo)
            else "No placebo calibration (n_placebo=0): p-values are nominal, with no Holm or "
            "Benjamini-Hochberg adjustment; nominal tests over-reject at these group sizes.",
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


def placebo_dates(
    calendar: pd.DatetimeIndex,
    avoid: Sequence[Any],
    *,
    n: int,
    seed: int,
    first: Any = None,
    buffer: int = PLACEBO_BUFFER,
    margin: int = 10,
) -> pd.DatetimeIndex:
    """A seeded draw of trading dates at least ``buffer`` trading days from every ``avoid`` date.

    Parameters
    ----------
    calendar : DatetimeIndex
        Trading days.
    avoid : sequence of dates
        Dates to keep away from (moved to the next trading day).
    n : int
        Dates to draw (without replacement; all admissible dates when fewer).
    seed : int
        ``numpy.random.default_rng`` seed.
    first : date, optional
        Earliest admissible date (e.g. the first day with a full estimation window).
    buffer, margin : int
        Trading days kept from each ``avoid`` date, and from the end of the calendar.

    Returns
    -------
    DatetimeIndex (sorted)

    Examples
    --------
    >>> cal = pd.bdate_range("2020-01-01", periods=100)
    >>> d = placebo_dates(cal, ["2020-02-03"], n=5, seed=0, buffer=3)
    >>> len(d), bool(all(abs(cal.get_loc(x) - cal.get_loc(pd.Timestamp("2020-02-03"))) > 3
    ...                    for x in d))
    (5, True)
    """
    cal = pd.DatetimeIndex(calendar)
    pos = np.arange(len(cal))
    ok = pos < len(cal) - margin
    if first is not None:
        ok &= cal >= pd.Timestamp(first)
    av = cal.searchsorted(pd.DatetimeIndex(pd.to_datetime(list(avoid))), side="left")
    if len(av):
        dist = np.min(np.abs(pos[:, None] - av[None, :]), axis=1)
        ok &= dist > buffer
    cand = pos[ok]
    if len(cand) == 0:
        raise ValueError("no admissible placebo date (calendar too short or too many events)")
    rng = np.random.default_rng(seed)
    pick = rng.choice(cand, size=min(int(n), len(cand)), replace=False)
    return cal[np.sort(pick)]


def _calibrate(
    real: pd.DataFrame, null: pd.DataFrame, alpha: float, sample: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Empirical size of each CAR-window test and the calibrated p per date (vectorised)."""
    keep = ["event_id", "statistic", "value", "mean", "p_value", "df", "robust_to_clustering"]
    r = real[(real["window"] == "car") & (real["event_id"] != "pooled")][keep]
    z = null[(null["window"] == "car") & (null["event_id"] != "pooled")]
    z = z[["event_id", "statistic", "p_value", "robust_to_clustering"]].dropna(subset=["p_value"])
    size = (
        z.assign(reject=z["p_value"] < alpha)
        .groupby("statistic", sort=False)
        .agg(
            robust_to_clustering=("robust_to_clustering", "first"),
            empirical_size=("reject", "mean"),
            n_placebo=("reject", "size"),
        )
        .reset_index()
    )
    size.insert(0, "sample", sample)
    size.insert(2, "window", "car")
    size.insert(4, "nominal", alpha)
    pcal = np.full(len(r), np.nan)
    for stat, idx in r.groupby("statistic", sort=False).indices.items():  # ~17 statistics
        ref = np.sort(z.loc[z["statistic"] == stat, "p_value"].to_numpy())
        if len(ref) == 0:
            continue
        pv = r["p_value"].to_numpy()[idx]
        cnt = np.searchsorted(ref, pv * (1 + 1e-12), side="right")
        pcal[idx] = np.where(np.isfinite(pv), (1 + cnt) / (1 + len(ref)), np.nan)
    out = r.assign(sample=sample, p_calibrated=pcal)
    return size, out


def _adjust(frame: pd.DataFrame) -> pd.DataFrame:
    """Holm and BH of ``p_calibrated`` across the dates of each (sample, statistic, family)."""
    from statsmodels.stats.multitest import multipletests

    holm = np.full(len(frame), np.nan)
    bh = np.full(len(frame), np.nan)
    keys = ["sample", "statistic", "family"]
    for _, idx in frame.groupby(keys, sort=False).indices.items():
        p = frame["p_calibrated"].to_numpy()[idx]
        good = np.isfinite(p)
        if good.any():
            holm[idx[good]] = multipletests(p[good], method="holm")[1]
            bh[idx[good]] = multipletests(p[good], method="fdr_bh")[1]
    return frame.assign(p_holm=holm, p_bh=bh)


def _stouffer_pooled(
    ls_real: pd.DataFrame, ls_null: np.ndarray, family: pd.Series, seed: int, n_draws: int = 10_000
) -> pd.DataFrame:
    """Per family: Stouffer's Z of the long-short t, calibrated on draws of placebo t's."""
    rng = np.random.default_rng(seed)
    rows = []
    null = ls_null[np.isfinite(ls_null)]
    for fam in ("sanction", "relief"):
        ids = family.index[family == fam]
        sub = ls_real.reindex(ids).dropna(subset=["t"])
        k = len(sub)
        if k == 0:
            continue
        z = float(sub["t"].sum() / np.sqrt(k))
        draws = null[rng.integers(0, len(null), size=(n_draws, k))].sum(axis=1) / np.sqrt(k)
        rows.append(
            {
                "family": fam,
                "n_dates": k,
                "mean_car": float(sub["car"].mean()),
                "stouffer_z": z,
                "p_value": float(2 * sps.norm.sf(abs(z))),
                "p_calibrated": float((1 + np.sum(np.abs(draws) >= abs(z))) / (1 + n_draws)),
                "n_null_draws": n_draws,
            }
        )
    return pd.DataFrame(rows)


def _long_short_series(rets: pd.DataFrame, prod: list[str], cont: list[str]) -> pd.DataFrame:
    ls = rets[prod].mean(axis=1, skipna=True) - rets[cont].mean(axis=1, skipna=True)
    return ls.to_frame(LONG_SHORT)


def sanctions_event_study(
    *,
    producers: Sequence[str] = PRODUCERS,
    contrast: Sequence[str] = CONTRAST,
    market: str = "SPY",
    sector: str | None = None,
    event_types: Sequence[str] = ("sanction", "relief"),
    estimation_window: Any = (-250, -11),
    event_window: Any = (-1, 2),
    model: str = "market",
    convention: str = "textbook",
    non_trading: str = "next",
    kind: str = "simple",
    min_estimation_obs: int | None = None,
    mask_events: bool = True,
    n_placebo: int = 450,
    seed: int = 20210809,
    alpha: float = 0.05,
) -> SanctionsEventStudyResults:
    """Event study of the potash producers, a contrast group and their long-short portfolio.

    Events of the chosen types that fall on the same trading day (for example the four
    coordinated designations of 2021-12-02, or the US relief announced on Saturday 2025-12-13
    and licensed on Monday 2025-12-15) are studied once, so no return is counted twice; the
    event id joins their ids. Weekend events move by ``non_trading`` and the move is reported.

    Every test is calibrated at the actual group size on ``n_placebo`` seeded non-event
    trading dates of the same data (estimation windows masked the same way): the empirical
    rejection rate at ``alpha`` is :attr:`~SanctionsEventStudyResults.calibration`, the
    calibrated p-value per date is in :attr:`~SanctionsEventStudyResults.calibrated` with Holm
    and Benjamini-Hochberg adjustments across the dates of each family.

    Parameters
    ----------
    producers, contrast : sequence of str
        Tickers in the shipped equity data (drop one for a leave-one-out run).
    market : {"SPY", "ACWI", "XLB", "MOO"}
        Market index of the normal-return model: broad (SPY, ACWI) or sector (XLB materials,
        MOO agribusiness). With ``model="factor"`` the first factor.
    sector : {"XLB", "MOO"}, optional
        The sector factor of the two-index model ``R = a + b1 market + b2 sector + e``
        (``model="factor"``, where it is required; refused with any other model). It cannot
        equal ``market`` or be a member of either group.
    event_types : sequence of str
        Calendar ``type`` values to study (default sanctions and relief).
    estimation_window, event_window, convention, non_trading, min_estimation_obs
        As in :func:`potash.event_study`.
    model : {"market", "constant_mean", "market_adjusted", "factor"}
        Normal-return model (as in :func:`potash.event_study`); ``"factor"`` is the two-index
        model on ``market`` and ``sector``. The placebo calibration uses the same model.
    kind : {"simple", "log"}
        Returns.
    mask_events : bool, default True
        Drop the other studied events' windows from each estimation window.
    n_placebo : int
        Placebo dates for the calibration (0: no calibration).
    seed : int
        Seed of the placebo draw.
    alpha : float
        Nominal level of the size table and the intervals.

    Returns
    -------
    SanctionsEventStudyResults

    Examples
    --------
    >>> res = sanctions_event_study(event_types=("relief",), producers=("NTR", "MOS"),
    ...                             contrast=("CF",), n_placebo=40)
    >>> res.shifts[["date", "trading_date"]].astype(str).values.tolist()
    [['2025-12-13', '2025-12-15']]
    >>> len(res.placebo_dates)
    40

    The two-index factor model (SPY and the materials ETF):

    >>> f = sanctions_event_study(model="factor", sector="XLB", event_types=("relief",),
    ...                           producers=("NTR",), contrast=("CF",), n_placebo=0)
    >>> list(f.producers.params.columns[:3]), f.sector
    (['alpha', 'SPY', 'XLB'], 'XLB')
    """
    from potash.data import load_equity_prices, load_events, to_returns, to_trading_day

    check_option("market", market, Market)
    check_option("model", model, ("market", "constant_mean", "market_adjusted", "factor"))
    if model == "factor":
        if sector is None:
            raise ValueError(
                "sector is required with model='factor' (the two-index model's second "
                "factor): choose one of 'XLB', 'MOO'"
            )
        check_option("sector", sector, Sector)
        if sector == market:
            raise ValueError(
                f"sector={sector!r} equals market={market!r}: the two factors must differ"
            )
    elif sector is not None:
        raise ValueError(
            f"sector={sector!r} is only used with model='factor' (got model={model!r}): drop "
            "sector or set model='factor'"
        )
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if int(n_placebo) < 0:
        raise ValueError(f"n_placebo must be >= 0, got {n_placebo}")
    prod = as_names(producers, "producers")
    cont = as_names(contrast, "contrast")
    event_types = as_names(event_types, "event_types")
    for arg, factor in (("market", market), ("sector", sector)):
        if factor is not None and (factor in prod or factor in cont):
            raise ValueError(
                f"{factor!r} is the {arg} of the normal-return model and cannot also be a "
                f"member of {'producers' if factor in prod else 'contrast'}: drop it from the "
                f"group or choose another {arg}"
            )
    if set(prod) & set(cont):
        raise ValueError(f"tickers in both groups: {sorted(set(prod) & set(cont))}")
    if not prod or not cont:
        raise ValueError("producers and contrast need at least one ticker each")
    factors = [market] if sector is None else [market, sector]
    prices = load_equity_prices(prod + cont + factors)
    rets = to_returns(prices, kind=kind)
    rets.columns = [str(c) for c in rets.columns]
    calendar = rets[market].dropna().index
    # the market (one-index models) or the frame of factors [market, sector] (model="factor")
    mkt = rets.loc[calendar, market] if sector is None else rets.loc[calendar, factors]

    ev_all = load_events()
    unknown = sorted(set(event_types) - set(ev_all["type"].astype(str)))
    if unknown:
        raise ValueError(
            f"event_types {unknown} are not in the calendar "
            f"(types: {sorted(set(ev_all['type'].astype(str)))})"
        )
    ev = ev_all[ev_all["type"].astype(str).isin(list(event_types))].reset_index(drop=True)
    td = to_trading_day(
        ev["date"], calendar, policy="next" if non_trading == "next" else "previous"
    )
    ev = ev.assign(
        trading_date=td["trading_date"].to_numpy(), shift_days=td["shift_days"].to_numpy()
    )
    ev["event_id"] = ev["event_id"].astype(str)
    ev["type"] = ev["type"].astype(str)
    if ev["trading_date"].isna().any():
        row = ev[ev["trading_date"].isna()].iloc[0]
        raise PotashDataError(
            f"event {row['event_id']} ({pd.Timestamp(row['date']).date()}) lies outside the equity "
            f"data ({calendar[0].date()}..{calendar[-1].date()})",
            file="events",
            column="date",
        )
    groups = (
        ev.groupby("trading_date", sort=True)
        .agg(
            event_id=("event_id", "+".join),
            date=("date", "min"),
            family=("type", lambda t: "+".join(sorted(set(t)))),
        )
        .reset_index()
    )
    gmap = groups.set_index("trading_date")
    ev["group"] = ev["trading_date"].map(gmap["event_id"])
    ev["family"] = ev["trading_date"].map(gmap["family"])
    study_events = groups[["event_id", "date"]]

    kw = dict(
        estimation_window=estimation_window,
        event_window=event_window,
        model=model,
        convention=convention,
        non_trading=non_trading,
        min_estimation_obs=min_estimation_obs,
    )
    ls = _long_short_series(rets.loc[calendar], prod, cont)
    samples = {
        "producers": rets.loc[calendar, prod],
        "contrast": rets.loc[calendar, cont],
        "long_short": ls,
    }
    res = {
        k: event_study(v, mkt, study_events, mask_events=mask_events, **kw)
        for k, v in samples.items()
    }

    # -- placebo dates: at the actual group size (every member present), away from events ---
    studied = pd.DatetimeIndex(groups["trading_date"])
    if int(n_placebo) > 0:
        span = rets.loc[calendar, prod + cont + factors[1:]].notna().all(axis=1)
        start_pos = int(np.argmax(span.to_numpy()))
        lead = (
            -int(estimation_window[0]) + 1
            if isinstance(estimation_window, tuple | list)
            and isinstance(estimation_window[0], int | np.integer)
            else 0
        )
        first = calendar[min(start_pos + lead, len(calendar) - 1)]
        all_dates = to_trading_day(ev_all["date"], calendar, policy="next")["trading_date"]
        placebo = placebo_dates(
            calendar, list(all_dates.dropna()), n=int(n_placebo), seed=seed, first=first
        )
        mask = list(studied) if mask_events else None
        null = {
            k: event_study(v, mkt, list(placebo), mask_dates=mask, **kw).tests
            for k, v in samples.items()
        }
        sizes, cals = zip(
            *(_calibrate(res[k].tests, null[k], alpha, k) for k in samples), strict=True
        )
        calibration = pd.concat(sizes, ignore_index=True)
        fam_map = groups.set_index("event_id")["family"]
        calibrated = pd.concat(cals, ignore_index=True)
        calibrated["family"] = calibrated["event_id"].map(fam_map)
        calibrated = _adjust(calibrated)
        lsn = null["long_short"]
        lsn = lsn[
            (lsn["statistic"] == "brown_warner_1980")
            & (lsn["window"] == "car")
            & (lsn["event_id"] != "pooled")
        ]["value"].to_numpy()
        ls_car = res["long_short"].car.reset_index(level=1, drop=True)
        ls_car["t"] = _bw80(res["long_short"]).reindex(ls_car.index)
        pooled = _stouffer_pooled(ls_car, lsn, fam_map, seed)
    else:
        placebo = pd.DatetimeIndex([])
        calibration = pd.DataFrame(
            columns=[
                "sample",
                "statistic",
                "window",
                "robust_to_clustering",
                "nominal",
                "empirical_size",
                "n_placebo",
            ]
        )
        calibrated = pd.DataFrame()
        pooled = pd.DataFrame()

    events = ev[["date", "event_id", "type", "trading_date", "shift_days", "group", "family"]]
    events = events.assign(shift_days=events["shift_days"].astype(float))
    return SanctionsEventStudyResults(
        res["producers"],
        res["contrast"],
        res["long_short"],
        events.reset_index(drop=True),
        market,
        placebo,
        calibration,
        calibrated,
        pooled,
        float(alpha),
        sector,
    )


def _bw80(res: EventStudyResults) -> pd.Series:
    """The one-series CAR t (``brown_warner_1980``, window ``car``) per event."""
    t = res.tests
    t = t[(t["statistic"] == "brown_warner_1980") & (t["window"] == "car")]
    return t[t["event_id"] != "pooled"].set_index("event_id")["value"]


#: Market of the two-index factor model in the equity specification curve.
FACTOR_MARKET = "SPY"

#: Documented default grid of the equity specification curve: 2 x 4 x 4 x 4 x 10 = 1280
#: combinations, of which 880 distinct specifications are estimated. Windows are "start..end" in
#: trading days relative to the event day; ``leave_out`` drops one group member from the
#: long-short portfolio ("none": all members). ``benchmark`` is the market index of the
#: one-index models ("market", "market_adjusted"; ignored by "constant_mean"); for the
#: two-index model ``"factor"`` it is the *sector* factor and the market is SPY
#: (:data:`FACTOR_MARKET`): R = a + b1 SPY + b2 benchmark + e, defined only for the sector
#: benchmarks XLB and MOO. The 2 x 4 x 2 x 10 = 160 combinations of "factor" with SPY or ACWI
#: are not defined, and "constant_mean" (which uses no benchmark) is estimated under the first
#: benchmark only: its 2 x 4 x 3 x 10 = 240 copies under ACWI, XLB and MOO would repeat it. Both
#: are reported in ``SpecCurveResults.skipped`` (never estimated, never a duplicate in the curve).
EQUITY_CURVE_GRID: dict[str, tuple[str, ...]] = {
    "estimation_window": ("-250..-11", "-120..-11"),
    "event_window": ("0..0", "0..1", "-1..2", "0..5"),
    "benchmark": ("SPY", "ACWI", "XLB", "MOO"),
    "model": ("market", "market_adjusted", "constant_mean", "factor"),
    "leave_out": ("none",) + tuple(f"drop {t}" for t in PRODUCERS + CONTRAST),
}


def _window(label: str) -> tuple[int, int]:
    try:
        lo, hi = (int(v) for v in str(label).split(".."))
    except ValueError:
        raise ValueError(f"window {label!r} must read 'start..end', e.g. '-250..-11'") from None
    return lo, hi


class EquityCurveDesign:
    """Batched design of the equity specification curve (long-short CAR, in %).

    ``run(specs, placebo=None)`` and ``run_null(specs, placebos)`` evaluate every
    specification on the event date (or on each placebo date) in one call of
    :func:`potash.estimators.eventstudy.batch.batched_car_tests`: no Python loop over
    specifications or dates. Estimation windows skip the days ``mask_window`` around every
    studied date.

    Models are those of :data:`potash.estimators.eventstudy.batch.BATCH_MODELS`. For the
    two-index model ``"factor"`` the benchmark of a specification is the sector factor and
    ``factor_market`` the market (``R = a + b1 market + b2 benchmark + e``); it is defined only
    for the benchmarks in ``sectors``, the other benchmarks' "factor" specifications come back
    with a ``skip_reason`` (listed in ``SpecCurveResults.skipped``).

    Parameters
    ----------
    returns : DataFrame
        Daily returns of the group members and the benchmarks (trading calendar index).
    event_date : date
        The trading day of the event studied.
    producers, contrast : sequence of str
    benchmarks : sequence of str
        Columns of ``returns`` used as market index.
    mask_dates : sequence of dates
        Studied dates masked out of estimation windows.
    mask_window : (int, int)
        Relative days masked around each of ``mask_dates``.
    factor_market : str, default "SPY"
        Column of ``returns``: the market of the model ``"factor"``.
    sectors : sequence of str, default ("XLB", "MOO")
        Benchmarks that are sector factors of the model ``"factor"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> cols = ["NTR", "CF", "SPY", "XLB"]
    >>> rets = pd.DataFrame(rng.normal(0, 0.01, (600, 4)), columns=cols,
    ...                     index=pd.bdate_range("2019-01-01", periods=600))
    >>> design = EquityCurveDesign(rets, rets.index[500], ["NTR"], ["CF"], ["SPY", "XLB"])
    >>> specs = pd.DataFrame({"estimation_window": "-250..-11", "event_window": "0..1",
    ...     "benchmark": ["XLB", "SPY"], "model": "factor", "leave_out": "none"})
    >>> out = design.run(specs)
    >>> bool(np.isfinite(out["estimate"].iloc[0])), out["skip_reason"].iloc[1][:11]
    (True, 'not defined')
    """

    def __init__(
        self,
        returns: pd.DataFrame,
        event_date: Any,
        producers: Sequence[str],
        contrast: Sequence[str],
        benchmarks: Sequence[str],
        mask_dates: Sequence[Any] = (),
        mask_window: tuple[int, int] = (-1, 5),
        factor_market: str = FACTOR_MARKET,
        sectors: Sequence[str] = ("XLB", "MOO"),
    ) -> None:
        self.calendar = pd.DatetimeIndex(returns.index)
        prod, cont = as_names(producers, "producers"), as_names(contrast, "contrast")
        self.variants = ["none"] + [f"drop {t}" for t in prod + cont]
        series = [_long_short_series(returns, prod, cont)[LONG_SHORT].to_numpy()]
        for t in prod + cont:
            p_ = [x for x in prod if x != t] or prod
            c_ = [x for x in cont if x != t] or cont
            series.append(_long_short_series(returns, p_, c_)[LONG_SHORT].to_numpy())
        self.y = np.vstack(series)
        self.benchmarks = as_names(benchmarks, "benchmarks")
        self.x = returns[self.benchmarks].to_numpy().T
        # the market paired with each sector benchmark in the model "factor" (NaN: not defined)
        self.factor_defined = np.array([b in set(sectors) for b in self.benchmarks])
        if factor_market in returns.columns:
            m = returns[factor_market].to_numpy(dtype=float)
            self.x2 = np.where(self.factor_defined[:, None], m[None, :], np.nan)
        else:
            self.x2 = None
        self.factor_market = factor_market
        self.factor_undefined = (  # why a "factor" spec on a non-sector benchmark is skipped
            f"not defined: model 'factor' takes {factor_market} as market and the benchmark as "
            f"sector ({' or '.join(sectors)}); this benchmark is not a sector ETF"
        )
        ok = np.ones(len(self.calendar), dtype=bool)
        pos = self.calendar.searchsorted(pd.DatetimeIndex(pd.to_datetime(list(mask_dates))))
        for lo in range(mask_window[0], mask_window[1] + 1):  # a few offsets, not dates
            q = pos + lo
            ok[q[(q >= 0) & (q < len(ok))]] = False
        self.estimation_ok = ok
        self.t0 = int(self.calendar.searchsorted(pd.Timestamp(event_date)))

    def _index(self, specs: pd.DataFrame):
        est = sorted(set(specs["estimation_window"]))
        evt = sorted(set(specs["event_window"]))
        models = sorted(set(specs["model"]))
        for col, known in (("benchmark", self.benchmarks), ("leave_out", self.variants)):
            bad = sorted(set(specs[col]) - set(known))
            if bad:
                raise ValueError(f"{col} {bad} not available (choices: {known})")
        idx = (
            pd.Index(self.variants).get_indexer(specs["leave_out"]),
            pd.Index(self.benchmarks).get_indexer(specs["benchmark"]),
            pd.Index(est).get_indexer(specs["estimation_window"]),
            pd.Index(evt).get_indexer(specs["event_window"]),
            pd.Index(models).get_indexer(specs["model"]),
        )
        return [_window(e) for e in est], [_window(e) for e in evt], models, idx

    def _compute(self, specs: pd.DataFrame, t0: np.ndarray):
        from potash.estimators.eventstudy.batch import batched_car_tests

        est, evt, models, (v, b, w, k, m) = self._index(specs)
        x2 = None
        if "factor" in models:
            if self.x2 is None:
                raise ValueError(
                    f"model 'factor' needs the market {self.factor_market!r} in returns"
                )
            x2 = self.x2
        out = batched_car_tests(
            self.y, self.x, t0, est, evt, models, estimation_ok=self.estimation_ok, x2=x2
        )
        # gather (D, specs) from (V, B, D, W, K, M)
        pick = {
            key: np.moveaxis(out[key], 2, 0)[:, v, b, w, k, m]
            for key in ("car", "var_car", "p_value", "n_est")
        }
        model = specs["model"].to_numpy()
        undefined = (model == "factor") & ~self.factor_defined[b]
        pick["undefined"] = np.broadcast_to(undefined, pick["car"].shape)
        # the constant-mean model uses no benchmark: estimated once (with the first benchmark),
        # its copies under the other benchmarks would repeat it in the curve
        duplicate = (model == "constant_mean") & (b != 0)
        pick["duplicate"] = np.broadcast_to(duplicate, pick["car"].shape)
        return pick

    def _frame(self, pick: dict[str, np.ndarray], row: Any) -> pd.DataFrame:
        est = 100 * pick["car"][row]
        se = 100 * np.sqrt(pick["var_car"][row])
        reason = np.full(est.shape, None, dtype=object)
        reason[~np.isfinite(est)] = "window outside the data"
        reason[pick["undefined"][row]] = self.factor_undefined
        reason[pick["duplicate"][row]] = (
            "duplicate: model 'constant_mean' uses no benchmark; estimated once, under "
            f"benchmark {self.benchmarks[0]}"
        )
        return pd.DataFrame(
            {
                "estimate": est,
                "se": se,
                "p_value": pick["p_value"][row],
                "n": pick["n_est"][row],
                "skip_reason": reason,
            }
        )

    def run(self, specs: pd.DataFrame, placebo: Any = None) -> pd.DataFrame:
        """Every specification on the event date (or on one placebo date)."""
        t0 = self.t0 if placebo is None else int(self.calendar.searchsorted(pd.Timestamp(placebo)))
        return self._frame(self._compute(specs, np.array([t0])), 0)

    def run_null(self, specs: pd.DataFrame, placebos: Sequence[Any]) -> pd.DataFrame:
        """Every specification on every placebo date, in one batched call (long format)."""
        t0 = self.calendar.searchsorted(pd.DatetimeIndex(pd.to_datetime(list(placebos))))
        pick = self._compute(specs, np.asarray(t0))
        D, K = pick["car"].shape
        flat = {key: val.reshape(1, -1) for key, val in pick.items()}
        out = self._frame(flat, 0)
        out.insert(0, "spec", np.tile(np.arange(K), D))
        out.insert(0, "draw", np.repeat(np.arange(D), K))
        return out


def equity_spec_curve(
    event: str = "us_eo14038_belaruskali_sdn",
    *,
    grid: dict[str, Sequence[str]] | None = None,
    producers: Sequence[str] = PRODUCERS,
    contrast: Sequence[str] = CONTRAST,
    n_placebo: int = 500,
    seed: int = 20210809,
    alpha: float = 0.05,
    event_types: Sequence[str] = ("sanction", "relief"),
) -> Any:
    """Specification curve of the long-short CAR around one calendar event, with placebo dates.

    Every combination of ``grid`` (default :data:`EQUITY_CURVE_GRID`: estimation window,
    event window, benchmark SPY/ACWI/XLB/MOO, model, leave-one-out membership) is estimated on
    the event date and on ``n_placebo`` seeded non-event dates (joint inference of Simonsohn,
    Simmons and Nelson 2020), all in one batched computation.

    Models: the one-index market model ``"market"`` and ``"market_adjusted"`` on the benchmark,
    ``"constant_mean"`` (no benchmark), and the two-index factor model ``"factor"``:
    ``R = a + b1 SPY + b2 benchmark + e`` where the benchmark is the sector factor (XLB
    materials or MOO agribusiness). "factor" is not defined with the benchmarks SPY or ACWI:
    those combinations are listed in ``res.skipped`` (reason "not defined: ..."), not in the
    curve. "constant_mean" uses no benchmark, so it is estimated under the first benchmark only
    (its copies are listed as duplicates). The default grid has 1280 combinations and 880
    distinct estimated specifications.

    Parameters
    ----------
    event : str
        Calendar ``event_id`` (see :func:`potash.load_events`).
    grid : mapping, optional
        Choice name -> labels; the keys of :data:`EQUITY_CURVE_GRID`.
    producers, contrast : sequence of str
    n_placebo : int
        Placebo dates (no calendar event within 10 trading days, full estimation window).
    seed : int
    alpha : float
    event_types : sequence of str
        Calendar types whose dates are masked out of estimation windows.

    Returns
    -------
    SpecCurveResults

    Examples
    --------
    >>> res = equity_spec_curve("eu_potash_full_ban", n_placebo=20,
    ...     grid={"estimation_window": ["-250..-11"], "event_window": ["0..1", "-1..2"],
    ...           "benchmark": ["SPY"], "model": ["market"], "leave_out": ["none"]})
    >>> len(res.table), res.joint.n_draws
    (2, 20)

    The two-index factor model on a sector benchmark; with SPY it is not defined:

    >>> res = equity_spec_curve("eu_potash_full_ban", n_placebo=20,
    ...     grid={"estimation_window": ["-250..-11"], "event_window": ["-1..2"],
    ...           "benchmark": ["SPY", "XLB"], "model": ["factor"], "leave_out": ["none"]})
    >>> res.table["benchmark"].tolist(), res.skipped["benchmark"].tolist()
    (['XLB'], ['SPY'])
    """
    from potash.data import load_equity_prices, load_events, to_returns, to_trading_day
    from potash.estimators.speccurve import NullDraws, spec_curve

    grid = dict(EQUITY_CURVE_GRID if grid is None else grid)
    missing = set(EQUITY_CURVE_GRID) - set(grid)
    if missing:
        raise ValueError(f"grid needs the choices {sorted(missing)}")
    benchmarks = as_names(grid["benchmark"], "grid['benchmark']")
    for bm in benchmarks:
        check_option("benchmark", bm, Market)
    prod, cont = as_names(producers, "producers"), as_names(contrast, "contrast")
    rets = to_returns(load_equity_prices(prod + cont + sorted(set(benchmarks) | {"SPY"})))
    rets.columns = [str(c) for c in rets.columns]
    calendar = rets["SPY"].dropna().index
    rets = rets.loc[calendar]
    ev = load_events()
    if event not in set(ev["event_id"].astype(str)):
        raise ValueError(f"event {event!r} is not in the calendar (potash.load_events())")
    td_all = to_trading_day(ev["date"], calendar, policy="next")["trading_date"]
    ev = ev.assign(trading_date=td_all.to_numpy())
    day = ev.loc[ev["event_id"].astype(str) == event, "trading_date"].iloc[0]
    studied = ev.loc[
        ev["type"].astype(str).isin(as_names(event_types, "event_types")), "trading_date"
    ].dropna()
    windows = [_window(w) for w in grid["event_window"]]
    mask_window = (min(w[0] for w in windows), max(w[1] for w in windows))
    design = EquityCurveDesign(
        rets, day, prod, cont, benchmarks, mask_dates=list(studied), mask_window=mask_window
    )
    longest = max(-_window(w)[0] for w in grid["estimation_window"])
    span = rets[prod + cont + benchmarks].notna().all(axis=1).to_numpy()
    first = calendar[min(int(np.argmax(span)) + longest + 1, len(calendar) - 1)]
    placebo = placebo_dates(calendar, list(td_all.dropna()), n=n_placebo, seed=seed, first=first)
    from potash.data.events import event_label

    return spec_curve(
        design,
        grid,
        alpha=alpha,
        null=NullDraws(values=list(placebo), label="placebo date"),
        name=f"Producers minus contrast CAR (%), {event_label(event)}",
    )
