"""``EventStudyResults``: read-only estimates, the tidy test table, summary and plot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from potash.core.results import ResultsBase
from potash.estimators.eventstudy.stats import ROBUST_TO_CLUSTERING, STATISTICS

__all__ = ["EventStudyResults"]


def _ro(frame: Any) -> Any:
    """A copy, so callers cannot change the results through the returned object."""
    return frame.copy()


class EventStudyResults(ResultsBase):
    """Results of :func:`potash.event_study`.

    Attributes are read-only properties returning copies: ``ar`` (pairs x event days), ``car``
    (CAR, its variance and standardised CAR per pair), ``aar`` and ``caar`` (days x groups: one
    column per event and ``pooled``), ``params`` (alpha, betas, sigma, n_obs per pair),
    ``tests`` (tidy battery), ``data_quality`` (one row per requested pair), ``shifts`` (events
    moved to a trading day), ``clusters`` (calendar dates shared by several pairs).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from potash import event_study
    >>> rng = np.random.default_rng(1)
    >>> dates = pd.bdate_range("2021-01-01", periods=300)
    >>> mkt = pd.Series(rng.normal(0, 0.01, 300), index=dates)
    >>> rets = pd.DataFrame({c: mkt + rng.normal(0, 0.01, 300) for c in "ABC"}, index=dates)
    >>> res = event_study(rets, mkt, ["2021-10-01", "2021-12-01"], estimation_window=(-150, -11))
    >>> res.clustered
    True
    >>> list(res.summary_frame().columns[:3])
    ['event_id', 'statistic', 'value']
    """

    _title = "Event study: CAAR tests"

    def __init__(
        self,
        *,
        ar: pd.DataFrame,
        car: pd.DataFrame,
        aar: pd.DataFrame,
        caar: pd.DataFrame,
        params: pd.DataFrame,
        tests: pd.DataFrame,
        data_quality: pd.DataFrame,
        shifts: pd.DataFrame,
        clusters: Any,
        rbar: Any,
        sd_portfolio: Any,
        days: Any,
        model: str,
        convention: str,
        groups: Any,
        calendar_dates: pd.DataFrame,
    ) -> None:
        self._ar = ar
        self._car = car
        self._aar = aar
        self._caar = caar
        self._params = params
        self._tests = tests
        self._data_quality = data_quality
        self._shifts = shifts
        self._clusters = clusters
        self._rbar = rbar
        self._sd_portfolio = sd_portfolio
        self._days = days
        self._model = model
        self._convention = convention
        self._groups = groups
        self._calendar_dates = calendar_dates

    # -- read-only estimates ---------------------------------------------------------------
    @property
    def ar(self) -> pd.DataFrame:
        """Abnormal returns: rows (event_id, security), columns relative event days."""
        return _ro(self._ar)

    @property
    def car(self) -> pd.DataFrame:
        """CAR over the event window per pair, with ``var_car`` and standardised ``scar``."""
        return _ro(self._car)

    @property
    def aar(self) -> pd.DataFrame:
        """Average abnormal return per relative day (rows) and group (columns)."""
        return _ro(self._aar)

    @property
    def caar(self) -> pd.DataFrame:
        """Cumulative average abnormal return from the window's first day (days x groups)."""
        return _ro(self._caar)

    @property
    def params(self) -> pd.DataFrame:
        """Model estimates per pair: alpha, beta (or one column per factor), sigma, n_obs."""
        return _ro(self._params)

    @property
    def tests(self) -> pd.DataFrame:
        """Tidy test battery: one row per group, window/day and statistic."""
        return _ro(self._tests)

    @property
    def data_quality(self) -> pd.DataFrame:
        """One row per requested pair: observations used, coverage, overlap, outcome."""
        return _ro(self._data_quality)

    @property
    def shifts(self) -> pd.DataFrame:
        """Events moved from a non-trading day: ``event_id, date, trading_date, shift_days``."""
        return _ro(self._shifts)

    @property
    def clusters(self) -> pd.DataFrame:
        """Trading dates shared by more than one pair (cross-sectional dependence)."""
        return _ro(self._clusters)

    @property
    def calendar_dates(self) -> pd.DataFrame:
        """Calendar date of each relative event day (rows) for each event (columns)."""
        return _ro(self._calendar_dates)

    @property
    def rbar(self) -> pd.Series:
        """Kolari-Pynnonen mean pairwise correlation of estimation residuals, per group."""
        return _ro(self._rbar)

    @property
    def clustered(self) -> bool:
        """True when several pairs share an event date (statistics may be dependent)."""
        return len(self._clusters) > 0

    @property
    def convention(self) -> str:
        return self._convention

    @property
    def model(self) -> str:
        return self._model

    @property
    def days(self) -> np.ndarray:
        return self._days.copy()

    # -- summaries ---------------------------------------------------------------------------
    def _ordered_statistics(self) -> list[str]:
        names = list(STATISTICS)
        if self.clustered:
            return [n for n in names if n in ROBUST_TO_CLUSTERING] + [
                n for n in names if n not in ROBUST_TO_CLUSTERING
            ]
        return names

    def summary_frame(self, window: str = "car") -> pd.DataFrame:
        """Window (CAAR) tests, clustering-robust statistics first when events cluster.

        Parameters
        ----------
        window : {"car", "day"}
            The CAAR tests (default) or the daily AAR tests.
        """
        t = self._tests
        t = t[t["window"] == window].copy()
        order = {n: i for i, n in enumerate(self._ordered_statistics())}
        groups = {g: i for i, g in enumerate(self._groups)}
        t["_g"] = t["event_id"].map(groups)
        t["_o"] = t["statistic"].map(order)
        sort = ["_g", "day", "_o"] if window == "day" else ["_g", "_o"]
        t = t.sort_values(sort)
        cols = ["event_id", "statistic", "value", "p_value", "df", "null_distribution", "mean", "n"]
        if window == "day":
            cols.insert(1, "day")
        out = t[cols].copy()
        out["assumes_independence"] = t["assumes_independence"].map({True: "yes", False: ""})
        return out.reset_index(drop=True)

    def _notes(self) -> list[str]:
        notes = [
            f"Model: {self.model}; convention: {self.convention}; event window days "
            f"{int(self._days[0])}..{int(self._days[-1])}.",
        ]
        if self.clustered:
            cl = self._clusters
            notes.append(
                f"Event dates cluster: {len(cl)} trading date(s) shared by several securities "
                f"(largest: {int(cl['n_pairs'].max())} pairs). Clustering-robust statistics "
                "(adjusted BMP, adjusted Patell, GRANK, Brown-Warner 1985, Lamb) are listed first; "
                "rows marked assumes_independence=yes are not robust to this."
            )
        sh = self._shifts
        for row in sh.itertuples(index=False):
            notes.append(
                f"Event {row.event_id}: {pd.Timestamp(row.date).date()} is not a trading day; "
                f"moved to {pd.Timestamp(row.trading_date).date()} ({int(row.shift_days):+d} days)."
            )
        dq = self._data_quality
        bad = dq[dq["outcome"] != "ok"]
        if len(bad):
            counts = bad["outcome"].value_counts().to_dict()
            notes.append(f"Pairs not fully used: {counts} (see data_quality).")
        if dq["overlap"].any():
            notes.append(
                f"{int(dq['overlap'].sum())} pair(s) have another event inside their estimation "
                "window (data_quality.overlap)."
            )
        if "event_window_overlap" in dq.columns and dq["event_window_overlap"].any():
            notes.append(
                f"{int(dq['event_window_overlap'].sum())} pair(s) have an event window that "
                "overlaps another event's window of the same security: those days count in "
                "both events (data_quality.event_window_overlap)."
            )
        if "event_date_note" in dq.columns:
            for note in sorted(set(dq["event_date_note"]) - {""}):
                notes.append(f"Event date: {note}.")
        return notes

    # -- inference ---------------------------------------------------------------------------
    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence bands for AAR and CAAR per group and day.

        Uses the standard deviation of the estimation-window portfolio (mean AR per date),
        as in Brown-Warner 1985, so the bands stay valid when event dates cluster; the CAAR
        band widens with sqrt(number of days cumulated).

        Parameters
        ----------
        level : float
            Confidence level in (0, 1).

        Returns
        -------
        DataFrame
            ``group, day, aar, aar_lower, aar_upper, caar, caar_lower, caar_upper``.
        """
        if not 0 < level < 1:
            raise ValueError(f"level={level!r} must be between 0 and 1")
        z = sps.norm.ppf(0.5 + level / 2)
        aar = self._aar
        caar = self._caar
        sd = self._sd_portfolio
        rows = []
        steps = np.arange(1, len(aar) + 1)
        for g in aar.columns:
            half = z * sd[g]
            rows.append(
                pd.DataFrame(
                    {
                        "group": g,
                        "day": aar.index.to_numpy(),
                        "aar": aar[g].to_numpy(),
                        "aar_lower": aar[g].to_numpy() - half,
                        "aar_upper": aar[g].to_numpy() + half,
                        "caar": caar[g].to_numpy(),
                        "caar_lower": caar[g].to_numpy() - half * np.sqrt(steps),
                        "caar_upper": caar[g].to_numpy() + half * np.sqrt(steps),
                    }
                )
            )
        return pd.concat(rows, ignore_index=True)

    def plot(self, ax: Any = None, group: str | None = None, level: float = 0.95) -> Any:
        """AAR bars and the CAAR line with confidence bands; returns the Figure.

        Examples
        --------
        >>> import numpy as np, pandas as pd, matplotlib.pyplot as plt
        >>> from potash import event_study
        >>> rng = np.random.default_rng(2)
        >>> d = pd.bdate_range("2021-01-01", periods=300)
        >>> m = pd.Series(rng.normal(0, 0.01, 300), index=d)
        >>> r = pd.DataFrame({"A": m + rng.normal(0, 0.01, 300)}, index=d)
        >>> fig = event_study(r, m, "2021-11-01", estimation_window=(-150, -11)).plot()
        >>> plt.close(fig)
        """
        from potash.figures.eventstudy import plot_event_study

        return plot_event_study(self, ax=ax, group=group, level=level)
