"""Trade-flow event studies: PPML with exporter and time fixed effects.

:func:`trade_panel` turns a tidy trade table (the ``load_trade`` schema) into an estimation
panel, exporter x year (country totals, partner ``WLD``) or exporter x importer x year
(bilateral rows), and reports what it excluded. :func:`trade_event_study` fits a Poisson
pseudo-maximum-likelihood (PPML) model with :class:`statsmodels.genmod.generalized_linear_model.GLM`
(family Poisson, log link)::

    E[y_it] = exp(beta * treated_i * post_t + a_i + g_t)

or, with ``event_time=True``, one coefficient per event time ``k = t - post_start`` of the
treated unit (leads ``k < 0`` and lags ``k >= 0``, the ``reference`` period omitted, endpoints
binned). ``exp(beta) - 1`` is the proportional effect on the flow.

Definition of "post"
--------------------
``events`` may be a year (``2022``, the default), a date, or an events table with columns
``date, event_id, type`` (as from ``potash.load_events()``). From a table the *first* selected
event date ``d`` defines the treatment start:

* ``timing="next_full_year"`` (default): post = years ``>= d.year + 1`` (``d.year`` itself if
  ``d`` is 1 January), the first calendar year wholly after the event;
* ``timing="event_year"``: post = years ``>= d.year`` (the event year counts as treated).

For the Belarus potash sanctions the first binding measures are the US/UK/Canada sanctions of
2021-08-09 (EO 14038, Belaruskali designated) and the end of transit through Klaipeda on
2022-02-01. With ``timing="next_full_year"`` both give post = ``year >= 2022`` (2021 has only
4.5 sanctioned months; 2022 is the first year under sanctions *and* without the Klaipeda
route), which is the default ``events=2022``. Pass ``events=2021`` (or the table with
``timing="event_year"``) to treat 2021 as post.

Standard errors (small-sample convention, stated exactly)
---------------------------------------------------------
With ``cluster`` set (default: by exporter), the covariance is the cluster-robust sandwich
``V = c * H^-1 (sum_g s_g s_g') H^-1`` where ``s_g`` is the sum of the Poisson scores
``(y - mu) x`` over cluster ``g`` and ``H`` the Hessian ``X' diag(mu) X``; ``c`` is set by
``small_sample``:

* ``small_sample="hc1"`` (default): ``c = G/(G-1) * (N-1)/(N-K)``. R:
  ``sandwich::vcovCL(fit, cluster = ~exporter, type = "HC1")``. statsmodels:
  ``GLM.fit(cov_type="cluster", cov_kwds={"groups": g, "use_correction": True})`` (the default).
* ``small_sample="hc0"``: ``c = G/(G-1)``. R: ``vcovCL(fit, cluster = ~exporter, type = "HC0")``
  (R's default, ``cadjust = TRUE``). statsmodels has no setting for it: ``use_correction=False``
  times ``G/(G-1)``.
* ``small_sample="none"``: ``c = 1``. R: ``vcovCL(..., type = "HC0", cadjust = FALSE)``.
  statsmodels: ``cov_kwds={"groups": g, "use_correction": False}``.

``G`` is the number of clusters, ``N`` the observations used (after dropping separated ones),
``K`` the number of columns of the design (treatment terms, intercept and the fixed-effect
dummies). statsmodels' ``df_correction`` does not change ``V``: it sets the residual degrees
of freedom to ``G - 1``, which matters only for ``use_t=True`` (``inference="t"`` here gives
Student-t p-values and intervals with ``G - 1`` degrees of freedom; the default
``inference="normal"`` uses the normal distribution, as ``lmtest::coeftest`` does for a
``glm``). ``family=quasipoisson`` and ``family=poisson`` in R give the same coefficients and
the same ``vcovCL``: sandwich's bread and estimating functions carry the dispersion as
``phi`` and ``1/phi``, which cancel (the *model-based* standard errors differ, the clustered
ones do not). ``cluster=None`` gives the heteroskedasticity-robust ``HC0``
(``sandwich::vcovHC(fit, type="HC0")``; ``small_sample="hc1"`` multiplies by ``N/(N-K)``,
``vcovHC(type="HC1")``). Checked against R in ``tests/results/panel_ppml.R``.

With one treated exporter the treatment coefficient is identified from one cluster: clustered
standard errors are then known to be unreliable (MacKinnon and Webb 2017, "Wild bootstrap
inference for wildly different cluster sizes"). The results say so; the synthetic control
(:mod:`potash.estimators.synth`) and :func:`potash.estimators.permutation.unit_permutation` offer permutation inference instead.

Separation
----------
An exporter (or importer, pair, or year, for whichever fixed effects are in the model) whose
flows are all zero has a fixed effect of minus infinity: its observations carry no
information and make the fit fail to converge. They are dropped, iteratively (dropping one
group can leave another all-zero), and reported in ``results.dropped`` with the reason. An
event-time dummy whose observations are all zero is dropped with its observations. A
treatment term ``treated_post`` whose observations are all zero is an error (the effect is
-100 % and not estimable). The fuller separation check of Correia, Guimaraes and Zylkin (2019),
separation by combinations of regressors, is not implemented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from threadpoolctl import threadpool_limits

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.data._common import as_names
from potash.data.events import normalise_events
from potash.data.trade import NON_REPORTING_SINCE

__all__ = [
    "TradeEventStudyResults",
    "post_start_year",
    "trade_event_study",
    "trade_panel",
]

Flow = Literal["export", "import"]
Level = Literal["exporter", "bilateral"]
Timing = Literal["next_full_year", "event_year"]
SmallSample = Literal["hc1", "hc0", "none"]
Inference = Literal["normal", "t"]
MinQuantityRule = Literal["mean", "max", "pre_mean"]
FixedEffect = Literal["exporter", "importer", "pair", "time"]
Cluster = Literal["exporter", "importer", "pair", "reporter_iso3", "partner_iso3"]

_NO_MARKS = pd.DataFrame(
    {"date": pd.Series([], dtype="datetime64[ns]"), "event_id": [], "type": [], "label": []}
).astype({"event_id": str, "type": str, "label": str})

_REQUIRED = ("year", "reporter_iso3", "partner_iso3", "flow", "product")
_TABLE = "trade table"


# ----------------------------------------------------------------------------------------
# post definition
# ----------------------------------------------------------------------------------------
def post_start_year(
    events: Any,
    *,
    timing: Timing = "next_full_year",
    event_ids: list[str] | tuple[str, ...] | None = None,
    event_types: tuple[str, ...] | None = ("sanction", "logistics"),
) -> tuple[int, pd.DataFrame]:
    """Return the first post-treatment year and the events that define it.

    Parameters
    ----------
    events : int, str, Timestamp or DataFrame
        A year (taken as the first post year), a date, or an events table with ``date`` and
        ``event_id`` (``type`` optional).
    timing : {"next_full_year", "event_year"}
        For a date: post starts in the first calendar year wholly after the first event
        (``"next_full_year"``), or in the event's own year (``"event_year"``).
    event_ids : sequence of str, optional
        Rows of the events table to use (default: all rows whose ``type`` is in ``event_types``).
    event_types : tuple of str, optional
        Event types used when ``event_ids`` is None; ``None`` keeps all rows.

    Returns
    -------
    (int, DataFrame)
        The first post year, and the events used (``date, event_id, type, label``) for marking
        figures.

    Examples
    --------
    >>> post_start_year(2022)[0]
    2022
    >>> ev = pd.DataFrame({"date": pd.to_datetime(["2021-08-09", "2022-02-01"]),
    ...                    "event_id": ["us_eo14038", "klaipeda"], "type": ["sanction", "logistics"]})
    >>> post_start_year(ev)[0], post_start_year(ev, timing="event_year")[0]
    (2022, 2021)
    """
    check_option("timing", timing, Timing)
    if isinstance(events, bool):
        raise ValueError("events must be a year, a date or an events table, not a bool")
    if isinstance(events, int | np.integer):
        return int(events), _NO_MARKS.copy()
    if isinstance(events, pd.DataFrame):
        had_type = "type" in events.columns
        table = normalise_events(events, name="events table", require=("event_id",))
        if event_ids is not None:
            event_ids = as_names(event_ids, "event_ids")
            unknown = sorted(set(event_ids) - set(table["event_id"]))
            if unknown:
                raise ValueError(f"event_ids not in the events table: {unknown}")
            table = table[table["event_id"].isin(event_ids)]
        elif event_types is not None and had_type:
            table = table[table["type"].isin(as_names(event_types, "event_types"))]
        if table.empty:
            raise ValueError("no events selected: check event_ids / event_types")
        table = table.sort_values(["date", "event_id"]).reset_index(drop=True)
        if not had_type:
            table["type"] = "sanction"
        cols = ["date", "event_id", "type", "label"]
        return _year_from_date(table["date"].iloc[0], timing), table[cols]
    refused = ValueError(f"events={events!r}: give a year (int), a date or an events table")
    if not (isinstance(events, str | pd.Timestamp | np.datetime64) or hasattr(events, "isoformat")):
        raise refused
    try:
        marks = normalise_events(events, name="events").assign(event_id="event", type="sanction")
    except PotashDataError as exc:
        raise refused from exc
    marks["label"] = marks["date"].dt.strftime("%Y-%m-%d")
    return _year_from_date(marks["date"].iloc[0], timing), marks[["date", "event_id", "type", "label"]]


def _year_from_date(date: pd.Timestamp, timing: str) -> int:
    if timing == "event_year" or (date.month == 1 and date.day == 1):
        return int(date.year)
    return int(date.year) + 1


# ----------------------------------------------------------------------------------------
# panel construction
# ----------------------------------------------------------------------------------------
@dataclass
class _Panel:
    data: pd.DataFrame
    excluded: pd.DataFrame
    level: str
    source: str = ""


def trade_panel(
    trade: pd.DataFrame,
    *,
    treated: str,
    events: Any,
    measure: str = "quantity_t",
    flow: Flow = "export",
    product: str,
    years: tuple[int, int] | None = None,
    min_quantity: float | None = None,
    min_quantity_rule: MinQuantityRule = "mean",
    level: Level = "exporter",
    timing: Timing = "next_full_year",
    event_ids: list[str] | tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Build the estimation panel used by :func:`trade_event_study`.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade table (``load_trade`` schema): ``year, reporter_iso3, partner_iso3, flow,
        product`` and the ``measure`` column.
    treated : str
        ISO3 code of the treated exporter.
    events, timing, event_ids
        Define the first post year, see :func:`post_start_year`.
    measure : str
        Outcome column, ``"quantity_t"`` (tonnes) or ``"value_usd"``.
    flow : {"export", "import"}
        ``"export"``: the exporter is ``reporter_iso3`` (exporter-reported flows).
        ``"import"``: mirror flows, the exporter is ``partner_iso3`` and the importer is
        ``reporter_iso3`` (bilateral rows only).
    product : str
        Product code (``"potassium_chloride"`` = MOP, HS 310420).
    years : (int, int), optional
        First and last year, inclusive. Default: all years in the data.
    min_quantity : float, optional
        Keep only exporters whose annual flow statistic is strictly above this (in units of
        ``measure``); the statistic is set by ``min_quantity_rule``.
    min_quantity_rule : {"mean", "max", "pre_mean"}
        ``"mean"``: mean over the sample years in which the exporter has a row (a missing
        row is not counted as zero); ``"max"``: the largest annual flow in the sample;
        ``"pre_mean"``: the mean over the pre-treatment years only (selection that cannot
        depend on the outcome after treatment). For bilateral panels the statistic is
        computed on the exporter's yearly total over importers.
    level : {"exporter", "bilateral"}
        Exporter x year from country totals (``partner_iso3 == "WLD"``), or exporter x
        importer x year from bilateral rows.

    Returns
    -------
    DataFrame
        Columns ``exporter, importer, pair, year, y, treated, post, treated_post,
        event_time`` (``importer`` is ``"WLD"`` for the exporter panel; ``event_time`` is
        ``year - post_start`` for the treated exporter and NA otherwise), sorted. Excluded
        exporters are in ``.attrs["excluded"]``, the first post year in
        ``.attrs["post_start"]``.

    Examples
    --------
    >>> trade = pd.DataFrame({"year": [2020, 2021, 2022] * 2, "reporter_iso3": ["BLR"] * 3 + ["CAN"] * 3,
    ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [10.0, 11.0, 5.0, 20.0, 21.0, 22.0]})
    >>> p = trade_panel(trade, treated="BLR", events=2022, product="potassium_chloride")
    >>> p[["exporter", "year", "y", "treated_post"]].head(3)
      exporter  year     y  treated_post
    0      BLR  2020  10.0             0
    1      BLR  2021  11.0             0
    2      BLR  2022   5.0             1
    """
    panel = _build_panel(
        trade,
        treated=treated,
        events=events,
        measure=measure,
        flow=flow,
        product=product,
        years=years,
        min_quantity=min_quantity,
        min_quantity_rule=min_quantity_rule,
        level=level,
        timing=timing,
        event_ids=event_ids,
    )
    out = panel.data.copy()
    out.attrs["excluded"] = panel.excluded
    return out


def _build_panel(
    trade: pd.DataFrame,
    *,
    treated: str,
    events: Any,
    measure: str,
    flow: str,
    product: str,
    years: tuple[int, int] | None,
    min_quantity: float | None,
    min_quantity_rule: str,
    level: str,
    timing: str,
    event_ids: Any,
) -> _Panel:
    check_option("flow", flow, Flow)
    check_option("level", level, Level)
    check_option("min_quantity_rule", min_quantity_rule, MinQuantityRule)
    if not isinstance(trade, pd.DataFrame):
        raise TypeError(f"trade must be a pandas DataFrame, not {type(trade).__name__}")
    for col in (*_REQUIRED, measure):
        if col not in trade.columns:
            raise PotashDataError(
                f"missing column (have: {', '.join(map(str, trade.columns))})",
                file=_TABLE,
                column=col,
            )
    if flow == "import" and level == "exporter":
        raise ValueError(
            "flow='import' (mirror statistics) needs level='bilateral': a country-total import "
            "row (partner WLD) does not say who exported"
        )
    post_start, _ = post_start_year(events, timing=timing, event_ids=event_ids)

    yr = pd.to_numeric(trade["year"], errors="coerce")
    bad = yr.isna() | (yr != np.floor(yr))
    if bad.any():
        raise PotashDataError(
            f"not an integer year: {trade['year'][bad].iloc[0]!r}",
            file=_TABLE,
            column="year",
            row=str(trade.index[bad][0]),
        )
    sel = (trade["flow"] == flow) & (trade["product"] == product)
    if not sel.any():
        raise PotashDataError(
            f"no rows with flow={flow!r} and product={product!r} "
            f"(products: {sorted(map(str, trade['product'].dropna().unique()))[:12]})",
            file=_TABLE,
            column="product",
        )
    partner_is_wld = trade["partner_iso3"] == "WLD"
    sel &= partner_is_wld if level == "exporter" else ~partner_is_wld
    if not sel.any():
        raise PotashDataError(
            f"no {'country-total (partner WLD)' if level == 'exporter' else 'bilateral'} rows "
            f"for flow={flow!r}, product={product!r}",
            file=_TABLE,
            column="partner_iso3",
        )
    df = trade.loc[sel]
    source = (
        ", ".join(sorted(map(str, df["source"].dropna().unique())))
        if "source" in df.columns
        else ""
    )
    if flow == "export":
        exporter, importer = df["reporter_iso3"], df["partner_iso3"]
    else:
        exporter, importer = df["partner_iso3"], df["reporter_iso3"]
    panel = pd.DataFrame(
        {
            "exporter": exporter.astype(str).to_numpy(),
            "importer": importer.astype(str).to_numpy(),
            "year": yr[sel].astype(int).to_numpy(),
            "y": pd.to_numeric(df[measure], errors="coerce").astype(float).to_numpy(),
            "_row": df.index.to_numpy(),
        }
    )
    span = (int(panel["year"].min()), int(panel["year"].max()))
    if years is not None:
        if len(years) != 2 or years[0] > years[1]:
            raise ValueError(f"years={years!r}: give (first, last) with first <= last")
        panel = panel[(panel["year"] >= years[0]) & (panel["year"] <= years[1])]
        if panel.empty:
            raise PotashDataError(
                f"no {flow} rows of {product!r} in years {years[0]}-{years[1]} "
                f"(the data cover {span[0]}-{span[1]})",
                file=_TABLE,
                column="year",
            )
    nonfinite = np.isinf(panel["y"].to_numpy())
    if nonfinite.any():
        first = panel[nonfinite].iloc[0]
        raise PotashDataError(
            f"infinite {measure} for exporter {first['exporter']}, importer "
            f"{first['importer']}, year {first['year']}",
            file=_TABLE,
            column=measure,
            row=str(first["_row"]),
        )
    neg = panel["y"] < 0
    if neg.any():
        raise PotashDataError(
            f"negative {measure}: {panel['y'][neg].iloc[0]}",
            file=_TABLE,
            column=measure,
            row=str(panel["_row"][neg].iloc[0]),
        )
    dup = panel.duplicated(["exporter", "importer", "year"], keep="first")
    if dup.any():
        first = panel[dup].iloc[0]
        raise PotashDataError(
            f"duplicate row for exporter {first['exporter']}, importer {first['importer']}, "
            f"year {first['year']} (aggregate the table first)",
            file=_TABLE,
            row=str(first["_row"]),
        )

    known = set(trade["reporter_iso3"].astype(str)) | set(trade["partner_iso3"].astype(str))
    if treated not in set(panel["exporter"]):
        where = "anywhere in the trade table" if treated not in known else f"as a {flow} exporter"
        raise PotashDataError(
            f"treated unit {treated!r} not found {where} for product {product!r}"
            + (f" in {years[0]}-{years[1]}" if years is not None else ""),
            file=_TABLE,
            column="reporter_iso3" if flow == "export" else "partner_iso3",
        )

    excluded: list[dict[str, Any]] = []
    missing = panel["y"].isna()
    for row in panel[missing].itertuples(index=False):
        excluded.append(
            {
                "exporter": row.exporter,
                "importer": row.importer,
                "year": row.year,
                "statistic": np.nan,
                "reason": f"missing {measure}",
            }
        )
    panel = panel[~missing]

    if min_quantity is not None:
        totals = panel.groupby(["exporter", "year"], sort=True)["y"].sum()
        if min_quantity_rule == "pre_mean":
            pre = totals[totals.index.get_level_values("year") < post_start]
            stat = pre.groupby(level="exporter").mean()
            stat = stat.reindex(totals.index.get_level_values("exporter").unique())
        elif min_quantity_rule == "max":
            stat = totals.groupby(level="exporter").max()
        else:
            stat = totals.groupby(level="exporter").mean()
        keep = stat[stat > min_quantity].index
        for unit, value in stat.drop(keep).items():
            excluded.append(
                {
                    "exporter": unit,
                    "importer": pd.NA,
                    "year": pd.NA,
                    "statistic": value,
                    "reason": f"{min_quantity_rule} {measure} {value:,.0f} <= {min_quantity:,.0f}",
                }
            )
        if treated not in keep:
            raise PotashDataError(
                f"treated unit {treated!r} is excluded by min_quantity={min_quantity:,.0f} "
                f"({min_quantity_rule} {measure} = {stat.get(treated, np.nan):,.0f})",
                file=_TABLE,
                column=measure,
            )
        panel = panel[panel["exporter"].isin(keep)]

    panel = panel.drop(columns="_row")
    panel["pair"] = panel["exporter"] + "-" + panel["importer"]
    panel["treated"] = (panel["exporter"] == treated).astype(int)
    panel["post"] = (panel["year"] >= post_start).astype(int)
    panel["treated_post"] = panel["treated"] * panel["post"]
    panel["event_time"] = (panel["year"] - post_start).where(panel["treated"] == 1).astype("Int64")
    panel = panel.sort_values(["exporter", "importer", "year"]).reset_index(drop=True)
    cols = ["exporter", "importer", "pair", "year", "y", "treated", "post", "treated_post"]
    panel = panel[[*cols, "event_time"]]
    panel.attrs["post_start"] = post_start
    exc = pd.DataFrame(excluded, columns=["exporter", "importer", "year", "statistic", "reason"])
    tr = panel[panel["treated"] == 1]
    if panel["exporter"].nunique() < 2:
        raise PotashDataError(
            "the panel has only the treated exporter: no control exporters left",
            file=_TABLE,
            column="reporter_iso3",
        )
    if not (tr["post"] == 1).any() or not (tr["post"] == 0).any():
        raise PotashDataError(
            f"treated unit {treated!r} needs years both before and from {post_start} "
            f"(it has {sorted(tr['year'].unique().tolist())})",
            file=_TABLE,
            column="year",
        )
    return _Panel(panel, exc, level, source)


# ----------------------------------------------------------------------------------------
# estimation
# ----------------------------------------------------------------------------------------
def _event_terms(
    panel: pd.DataFrame, leads: int | None, lags: int | None, reference: int, bin_endpoints: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Event-time dummy columns for the treated unit and a table describing them."""
    et = panel["event_time"]
    k_obs = et.dropna().astype(int)
    lo = int(k_obs.min()) if leads is None else -int(leads)
    hi = int(k_obs.max()) if lags is None else int(lags)
    if leads is not None and leads < 1:
        raise ValueError(f"leads={leads}: need at least 1 lead (the reference period is a lead)")
    if lags is not None and lags < 0:
        raise ValueError(f"lags={lags} must be >= 0")
    if lo < int(k_obs.min()) or hi > int(k_obs.max()):
        raise ValueError(
            f"event window [{lo}, {hi}] goes beyond the treated unit's event times "
            f"[{int(k_obs.min())}, {int(k_obs.max())}]: lower leads/lags or pass None"
        )
    if not lo <= reference <= hi:
        raise ValueError(f"reference={reference} is outside the event window [{lo}, {hi}]")
    kk = et.astype(float).to_numpy()
    if bin_endpoints:
        kk = np.clip(kk, lo, hi)
    cols: dict[str, np.ndarray] = {}
    rows = []
    for k in range(lo, hi + 1):
        if k == reference:
            continue
        name = _et_name(k)
        cols[name] = np.where(np.isnan(kk), 0.0, (kk == k).astype(float))
        binned = bin_endpoints and (
            (k == lo and k_obs.min() < lo) or (k == hi and k_obs.max() > hi)
        )
        label = f"<={k}" if binned and k == lo else f">={k}" if binned else str(k)
        rows.append({"term": name, "event_time": k, "label": label, "binned": bool(binned)})
    if not (et == reference).any():
        raise ValueError(
            f"reference={reference}: the treated unit has no year at event time {reference}"
        )
    return pd.DataFrame(cols, index=panel.index), pd.DataFrame(rows)


def _et_name(k: int) -> str:
    return f"et_m{-k}" if k < 0 else f"et_p{k}"


def _drop_separated(
    panel: pd.DataFrame, fe_cols: list[str], terms: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """Iteratively drop all-zero fixed-effect groups and all-zero dummy regressors."""
    dropped: list[dict[str, Any]] = []
    keep = pd.Series(True, index=panel.index)
    terms = terms.copy()
    while True:
        changed = False
        y = panel["y"].where(keep, np.nan)
        for col in fe_cols:
            sums = y.groupby(panel[col]).sum(min_count=1)
            zero = sums[sums == 0].index
            if len(zero):
                hit = keep & panel[col].isin(zero)
                for idx in panel.index[hit]:
                    dropped.append({"index": idx, "reason": f"all-zero {_FE_LABEL[col]} group"})
                keep &= ~hit
                changed = True
        for name in list(terms.columns):
            on = keep & (terms[name] != 0)
            if on.any() and (panel.loc[on, "y"] == 0).all():
                if name == "treated_post":
                    raise PotashDataError(
                        "all post-treatment flows of the treated unit are zero: the effect is "
                        "-100% and PPML cannot estimate it (separation)",
                        file=_TABLE,
                        column="treated_post",
                    )
                for idx in panel.index[on]:
                    dropped.append({"index": idx, "reason": f"all-zero cells of term {name}"})
                keep &= ~on
                terms = terms.drop(columns=name)
                changed = True
            elif not on.any():
                terms = terms.drop(columns=name)
                changed = True
        if not changed:
            break
    info = pd.DataFrame(dropped, columns=["index", "reason"]).drop_duplicates("index")
    return panel.loc[keep], terms.loc[keep], info.to_dict("records")


#: Largest dense design matrix (rows x columns) fitted: 5e7 float64 cells = 400 MB.
_MAX_DESIGN_CELLS = 50_000_000

_FE_LABEL = {"exporter": "exporter", "importer": "importer", "pair": "pair", "year": "year"}


def _dummies(values: pd.Series, prefix: str) -> pd.DataFrame:
    levels = sorted(values.unique())
    cat = pd.Categorical(values, categories=levels)
    d = pd.get_dummies(cat, prefix=prefix, prefix_sep="=", dtype=float).iloc[:, 1:]
    d.index = values.index
    return d


def _fit_glm(
    X: pd.DataFrame,
    yv: np.ndarray,
    used: pd.DataFrame,
    cluster_col: str | None,
    *,
    tol: float,
    maxiter: int,
) -> Any:
    """Poisson GLM by IRLS; covariance without small-sample factor (applied by the caller)."""
    model = GLM(yv, X, family=families.Poisson())
    common = {
        "method": "IRLS",
        "maxiter": maxiter,
        "tol": tol,
        "rtol": tol,
        "tol_criterion": "params",
    }
    if cluster_col is None:
        return model.fit(cov_type="HC0", **common)
    groups = pd.factorize(used[cluster_col], sort=True)[0]
    kw = {"groups": groups, "use_correction": False, "df_correction": True}
    return model.fit(cov_type="cluster", cov_kwds=kw, **common)


def trade_event_study(
    trade: pd.DataFrame,
    *,
    treated: str,
    events: Any,
    measure: str = "quantity_t",
    flow: Flow = "export",
    product: str,
    years: tuple[int, int] | None = None,
    min_quantity: float | None = None,
    min_quantity_rule: MinQuantityRule = "mean",
    level: Level = "exporter",
    timing: Timing = "next_full_year",
    event_ids: list[str] | tuple[str, ...] | None = None,
    event_time: bool = False,
    event_marks: pd.DataFrame | None = None,
    leads: int | None = 4,
    lags: int | None = None,
    reference: int = -1,
    bin_endpoints: bool = True,
    fixed_effects: tuple[str, ...] = ("exporter", "time"),
    cluster: str | None = "reporter_iso3",
    small_sample: SmallSample = "hc1",
    inference: Inference = "normal",
    tol: float = 1e-13,
    maxiter: int = 200,
) -> TradeEventStudyResults:
    """PPML trade-flow event study: the effect of sanctions on the treated exporter's flows.

    Fits ``E[y] = exp(beta * treated_post + exporter FE + year FE)`` (or the event-time
    version) by Poisson pseudo-maximum likelihood with statsmodels ``GLM``, with
    cluster-robust standard errors. See the module docstring for the exact definition of
    "post", the small-sample conventions and their R equivalents, and the separation check.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade table (``load_trade`` schema).
    treated : str
        ISO3 code of the treated exporter (``"BLR"``).
    events : int, date or DataFrame
        First post year, a date, or an events table; see :func:`post_start_year`.
    measure, flow, product, years, min_quantity, min_quantity_rule, level, timing, event_ids
        Panel definition; see :func:`trade_panel`.
    event_time : bool
        Fit one coefficient per event time of the treated unit instead of one treated x post term.
    leads, lags : int or None
        Event window ``[-leads, lags]``; ``None`` = as far as the data go.
    reference : int
        Omitted event time (default ``-1``, the last pre year).
    bin_endpoints : bool
        Fold event times beyond the window into the end dummies (``<= -leads``, ``>= lags``);
        if False they join the reference group.
    fixed_effects : tuple of str
        Any of ``"exporter"``, ``"importer"``, ``"pair"`` (bilateral panels) and ``"time"``.
    cluster : str or None
        Cluster variable: ``"reporter_iso3"``/``"exporter"`` (the exporter for
        ``flow="export"``), ``"partner_iso3"``/``"importer"``, ``"pair"``; ``None`` for
        heteroskedasticity-robust (HC0/HC1) standard errors.
    small_sample : {"hc1", "hc0", "none"}
        Small-sample factor of the covariance (module docstring table).
    inference : {"normal", "t"}
        Reference distribution for p-values and intervals: normal, or Student t with
        ``G - 1`` degrees of freedom.
    tol, maxiter : float, int
        IRLS convergence: stop when successive parameter vectors agree to ``tol`` (absolute
        and relative); an error if not converged in ``maxiter`` iterations.

    Returns
    -------
    TradeEventStudyResults

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> units, yrs = ["BLR", "CAN", "RUS", "ISR", "DEU", "USA"], range(2012, 2024)
    >>> df = pd.DataFrame([(u, y) for u in units for y in yrs], columns=["reporter_iso3", "year"])
    >>> size = df["reporter_iso3"].map({"BLR": 9.0, "CAN": 9.5, "RUS": 9.2, "ISR": 8.0, "DEU": 8.1, "USA": 7.9})
    >>> sanctioned = (df["reporter_iso3"] == "BLR") & (df["year"] >= 2022)
    >>> mu = np.exp(size + 0.02 * (df["year"] - 2012) - 0.7 * sanctioned)
    >>> trade = df.assign(partner_iso3="WLD", flow="export", product="potassium_chloride",
    ...                   quantity_t=rng.poisson(mu).astype(float))
    >>> res = trade_event_study(trade, treated="BLR", events=2022, product="potassium_chloride")
    >>> bool(abs(res.params["treated_post"] + 0.7) < 0.05)
    True
    """
    check_option("small_sample", small_sample, SmallSample)
    check_option("inference", inference, Inference)
    for fe in fixed_effects:
        check_option("fixed_effects item", fe, FixedEffect)
    if "time" not in fixed_effects:
        raise ValueError("fixed_effects must include 'time' (year fixed effects)")
    if cluster is not None:
        check_option("cluster", cluster, Cluster)
    built = _build_panel(
        trade,
        treated=treated,
        events=events,
        measure=measure,
        flow=flow,
        product=product,
        years=years,
        min_quantity=min_quantity,
        min_quantity_rule=min_quantity_rule,
        level=level,
        timing=timing,
        event_ids=event_ids,
    )
    panel = built.data
    post_start = int(panel.attrs["post_start"])
    if level == "exporter" and ({"importer", "pair"} & set(fixed_effects)):
        raise ValueError("importer / pair fixed effects need level='bilateral'")
    fe_cols = [{"time": "year"}.get(fe, fe) for fe in fixed_effects]
    cluster_col = None
    if cluster is not None:
        cluster_col = {
            "reporter_iso3": "exporter" if flow == "export" else "importer",
            "partner_iso3": "importer" if flow == "export" else "exporter",
        }.get(cluster, cluster)
        if level == "exporter" and cluster_col in ("importer", "pair"):
            raise ValueError(f"cluster={cluster!r} needs level='bilateral'")

    if event_time:
        terms, term_info = _event_terms(panel, leads, lags, reference, bin_endpoints)
    else:
        terms = panel[["treated_post"]].astype(float)
        term_info = pd.DataFrame(
            [
                {
                    "term": "treated_post",
                    "event_time": pd.NA,
                    "label": f">= {post_start}",
                    "binned": False,
                }
            ]
        )
    used, terms, dropped_info = _drop_separated(panel, fe_cols, terms)
    term_info = term_info[term_info["term"].isin(terms.columns)].reset_index(drop=True)
    dropped = panel.loc[[d["index"] for d in dropped_info]].copy()
    dropped["reason"] = [d["reason"] for d in dropped_info]
    dropped = dropped.reset_index(drop=True)
    if terms.shape[1] == 0:
        raise PotashDataError("no treatment term left after dropping separated observations")
    if used["treated"].sum() == 0:
        raise PotashDataError("the treated unit has no observations left", file=_TABLE)

    n_cols = terms.shape[1] + 1 + sum(used[c].nunique() - 1 for c in fe_cols)
    if len(used) * n_cols > _MAX_DESIGN_CELLS:
        raise ValueError(
            f"the dense design would have {len(used):,} rows x {n_cols:,} columns "
            f"(> {_MAX_DESIGN_CELLS:,} cells): restrict years/exporters/importers, raise "
            "min_quantity, or use exporter and importer effects instead of pair effects"
        )
    blocks = [terms, pd.DataFrame({"const": 1.0}, index=used.index)]
    blocks += [_dummies(used[c], c) for c in fe_cols]
    X = pd.concat(blocks, axis=1)
    with threadpool_limits(limits=1, user_api="blas"):
        rank = np.linalg.matrix_rank(X.to_numpy())
    if rank < X.shape[1]:
        raise PotashDataError(
            f"the design is collinear (rank {rank} < {X.shape[1]} columns): the treatment terms "
            "are not identified apart from the fixed effects (e.g. every unit treated, or an "
            "event time with no other treated-unit years)"
        )
    yv = used["y"].to_numpy()
    # small dense problems: one BLAS thread is faster, and much faster on a loaded machine
    with threadpool_limits(limits=1, user_api="blas"):
        fit = _fit_glm(X, yv, used, cluster_col, tol=tol, maxiter=maxiter)
    if not fit.converged:
        n_units = int(used[cluster_col].nunique()) if cluster_col else len(used)
        raise RuntimeError(
            f"PPML did not converge in {maxiter} IRLS iterations (tol={tol}) on "
            f"{len(used)} observations ({n_units} clusters). Usually units with tiny or zero "
            "flows separate the fixed effects: set min_quantity= (e.g. 100_000 t, as "
            "potash.analyses.trade.SETUP) and/or years= (e.g. (2010, 2023)) to drop them, "
            "or raise maxiter"
        )
    n, k = X.shape
    n_clusters = int(used[cluster_col].nunique()) if cluster_col else n
    if cluster_col is None:
        factor = {"hc1": n / (n - k), "hc0": 1.0, "none": 1.0}[small_sample]
    else:
        g = n_clusters
        if g < 2:
            raise PotashDataError(f"only {g} cluster of {cluster_col}: cannot cluster")
        factor = {
            "hc1": g / (g - 1) * (n - 1) / (n - k),
            "hc0": g / (g - 1),
            "none": 1.0,
        }[small_sample]
    cov_all = pd.DataFrame(
        np.asarray(fit.cov_params()) * factor, index=X.columns, columns=X.columns
    )
    return TradeEventStudyResults(
        _fit=fit,
        _panel=used,
        _dropped=dropped,
        _excluded=built.excluded,
        _cov_all=cov_all,
        _term_info=term_info,
        _settings={
            "treated": treated,
            "measure": measure,
            "source": built.source,
            "flow": flow,
            "product": product,
            "level": level,
            "post_start": post_start,
            "event_time": event_time,
            "reference": reference,
            "cluster": cluster_col,
            "small_sample": small_sample,
            "inference": inference,
            "n_clusters": n_clusters,
            "nobs": n,
            "k_params": k,
            "fixed_effects": tuple(fe_cols),
            "event_marks": (
                post_start_year(events, timing=timing, event_ids=event_ids)[1]
                if event_marks is None
                else normalise_events(event_marks)
            ),
        },
    )


@dataclass(repr=False)
class TradeEventStudyResults(ResultsBase):
    """Results of :func:`trade_event_study` (read-only properties).

    Examples
    --------
    >>> trade = pd.DataFrame({"year": list(range(2015, 2024)) * 3,
    ...     "reporter_iso3": ["BLR"] * 9 + ["CAN"] * 9 + ["RUS"] * 9, "partner_iso3": "WLD",
    ...     "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [9, 10, 11, 10, 12, 11, 12, 6, 5, 20, 21, 20, 22, 21, 23, 22, 24, 23,
    ...                    10, 11, 10, 12, 11, 13, 12, 11, 13.0]})
    >>> res = trade_event_study(trade, treated="BLR", events=2022, product="potassium_chloride")
    >>> list(res.summary_frame().columns[:3])
    ['estimate', 'se', 'statistic']
    """

    _fit: Any
    _panel: pd.DataFrame
    _dropped: pd.DataFrame
    _excluded: pd.DataFrame
    _cov_all: pd.DataFrame
    _term_info: pd.DataFrame
    _settings: dict[str, Any] = field(default_factory=dict)

    @property
    def _title(self) -> str:  # type: ignore[override]
        s = self._settings
        kind = "event-time PPML" if s["event_time"] else "PPML difference-in-differences"
        return f"{kind}: {s['treated']} {s['product']} {s['flow']} {s['measure']}"

    # estimates -----------------------------------------------------------------------
    @property
    def terms(self) -> list[str]:
        """Names of the treatment terms."""
        return list(self._term_info["term"])

    @property
    def params(self) -> pd.Series:
        """Treatment coefficients (log points; ``exp(b) - 1`` is the proportional effect)."""
        return pd.Series(
            np.asarray(self._fit.params)[: len(self.terms)], index=self.terms, name="coef"
        )

    @property
    def all_params(self) -> pd.Series:
        """All coefficients, including the intercept and fixed-effect dummies."""
        return pd.Series(np.asarray(self._fit.params), index=self._cov_all.index, name="coef")

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance of the treatment coefficients under the chosen convention."""
        return self._cov_all.loc[self.terms, self.terms]

    @property
    def std_errors(self) -> pd.Series:
        """Standard errors of the treatment coefficients."""
        return pd.Series(np.sqrt(np.diag(self.cov)), index=self.terms, name="std_err")

    @property
    def tstats(self) -> pd.Series:
        """z (or t) statistics."""
        return (self.params / self.std_errors).rename("stat")

    def _dist(self) -> Any:
        if self._settings["inference"] == "t":
            return stats.t(df=self._settings["n_clusters"] - 1)
        return stats.norm()

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values (normal, or t with G-1 df if ``inference="t"``)."""
        return pd.Series(2 * self._dist().sf(np.abs(self.tstats)), index=self.terms, name="pvalue")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals of the coefficients (columns ``lower``, ``upper``).

        Examples
        --------
        >>> trade = pd.DataFrame({"year": list(range(2018, 2024)) * 3,
        ...     "reporter_iso3": ["BLR"] * 6 + ["CAN"] * 6 + ["RUS"] * 6, "partner_iso3": "WLD",
        ...     "flow": "export", "product": "potassium_chloride",
        ...     "quantity_t": [10, 11, 12, 11, 5, 6, 20, 21, 22, 21, 22, 23, 9, 10, 9, 11, 10, 12.0]})
        >>> ci = trade_event_study(trade, treated="BLR", events=2022,
        ...                        product="potassium_chloride").conf_int(0.90)
        >>> list(ci.columns), bool(ci.loc["treated_post", "lower"] < ci.loc["treated_post", "upper"])
        (['lower', 'upper'], True)
        """
        if not 0 < level < 1:
            raise ValueError(f"level={level} must be between 0 and 1")
        q = self._dist().ppf(0.5 + level / 2)
        b, se = self.params, self.std_errors
        return pd.DataFrame({"lower": b - q * se, "upper": b + q * se})

    @property
    def effects(self) -> pd.Series:
        """Proportional effects ``exp(b) - 1`` in percent."""
        return (100 * np.expm1(self.params)).rename("effect_pct")

    @property
    def nobs(self) -> int:
        """Observations used in the fit."""
        return int(self._settings["nobs"])

    @property
    def n_clusters(self) -> int:
        """Number of clusters (observations when not clustered)."""
        return int(self._settings["n_clusters"])

    @property
    def post_start(self) -> int:
        """First post-treatment year."""
        return int(self._settings["post_start"])

    @property
    def dropped(self) -> pd.DataFrame:
        """Observations dropped as separated (all-zero groups or all-zero dummy cells), with reason."""
        return self._dropped.copy()

    @property
    def excluded(self) -> pd.DataFrame:
        """Exporters or rows excluded when building the panel (threshold, missing values)."""
        return self._excluded.copy()

    @property
    def panel(self) -> pd.DataFrame:
        """The estimation panel actually used."""
        return self._panel.copy()

    @property
    def model_result(self) -> Any:
        """The underlying statsmodels ``GLMResults`` (its covariance has no small-sample factor)."""
        return self._fit

    @property
    def event_marks(self) -> pd.DataFrame:
        """Event dates marked on the figures."""
        return self._settings["event_marks"].copy()

    @property
    def settings(self) -> dict[str, Any]:
        """The settings of the fit (treated unit, conventions, sizes)."""
        return {k: v for k, v in self._settings.items() if k != "event_marks"}

    def counterfactual(self) -> pd.DataFrame:
        """The treated unit's actual flow, PPML fit and no-treatment counterfactual by year.

        The counterfactual sets the treatment terms to zero: ``mu * exp(-sum b_j d_j)``.
        """
        tr = self._panel["treated"].to_numpy() == 1
        X = self._fit.model.exog[tr]
        b = np.asarray(self._fit.params)
        nt = len(self.terms)
        fitted = np.exp(X @ b)
        cf = np.exp(X[:, nt:] @ b[nt:])
        p = self._panel.loc[tr]
        out = pd.DataFrame(
            {
                "year": p["year"].to_numpy(),
                "importer": p["importer"].to_numpy(),
                "actual": p["y"].to_numpy(),
                "fitted": fitted,
                "counterfactual": cf,
            }
        )
        return out.groupby("year", as_index=False)[["actual", "fitted", "counterfactual"]].sum()

    # protocol --------------------------------------------------------------------------
    def summary_frame(self, level: float = 0.95) -> pd.DataFrame:
        """Tidy table: one row per treatment term.

        Columns in the package's convention, ``estimate, se, statistic (z, or t with
        inference="t"), p_value, ci_low, ci_high`` (log points), then ``effect_pct,
        effect_ci_low, effect_ci_high`` (percent) and, for event-time fits, ``event_time``
        and ``label``.
        """
        ci = self.conf_int(level)
        out = pd.DataFrame(
            {
                "estimate": self.params,
                "se": self.std_errors,
                "statistic": self.tstats,
                "p_value": self.pvalues,
                "ci_low": ci["lower"],
                "ci_high": ci["upper"],
                "effect_pct": self.effects,
                "effect_ci_low": 100 * np.expm1(ci["lower"]),
                "effect_ci_high": 100 * np.expm1(ci["upper"]),
            }
        )
        if self._settings["event_time"]:
            info = self._term_info.set_index("term")
            out["event_time"] = info["event_time"].astype(int)
            out["label"] = info["label"]
        out.index.name = "term"
        return out

    def _notes(self) -> list[str]:
        s = self._settings
        conv = {
            "hc1": "G/(G-1)*(N-1)/(N-K) (R vcovCL type='HC1'; statsmodels use_correction=True)",
            "hc0": "G/(G-1) (R vcovCL type='HC0', cadjust=TRUE)",
            "none": "none (R vcovCL type='HC0', cadjust=FALSE; statsmodels use_correction=False)",
        }[s["small_sample"]]
        lines = [
            f"Poisson PPML, fixed effects: {', '.join(s['fixed_effects'])}; post = year >= {s['post_start']}.",
            f"N = {s['nobs']}, K = {s['k_params']}, clusters ({s['cluster']}) G = {s['n_clusters']}.",
            f"Cluster-robust SE, small-sample factor {conv}; {s['inference']} inference."
            if s["cluster"]
            else f"Heteroskedasticity-robust SE ({'HC1' if s['small_sample'] == 'hc1' else 'HC0'}).",
            f"Dropped as separated: {len(self._dropped)} observations; excluded: {len(self._excluded)} rows/units.",
        ]
        if "faostat" in s.get("source", "") and s["treated"] in NON_REPORTING_SINCE:
            lines.append(
                f"FAOSTAT {s['treated']} trade from {NON_REPORTING_SINCE[s['treated']]} is "
                "FAO-estimated (the country stopped publishing; partner/mirror data), see "
                "data/raw/faostat_agdata/SOURCE.md."
            )
        if s["cluster"] == "exporter":
            lines.append(
                "One treated exporter: cluster-robust SEs rest on one cluster and are unreliable "
                "(MacKinnon-Webb 2017); use unit_permutation (in-space permutation p, Conley-Taber interval)."
            )
        return lines

    def plot(self, ax: Any = None) -> Any:
        """Event-time effects with confidence intervals (percent), or for a treated x post
        fit the treated unit's actual flow against its no-sanctions counterfactual.

        Returns the matplotlib Figure.
        """
        from potash.figures.panel import plot_trade_event_study

        return plot_trade_event_study(self, ax=ax)
