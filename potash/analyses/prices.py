"""The Belarus price question: the potash price against other fertilizers around the sanctions.

The study's choices (potash as the outcome, urea and DAP as controls) live here; the estimator,
:func:`potash.estimators.its.price_event_study`, takes them as arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from potash.data._common import as_names
from potash.estimators import its, its_robust
from potash.estimators.its import PriceEventStudyResults
from potash.estimators.speccurve import NullDraws, SpecCurveResults, spec_curve

__all__ = [
    "CONTROLS",
    "DEFAULT_GRID",
    "HEADLINE_SPEC",
    "OUTCOME",
    "PLACEBO_OUTCOMES",
    "STEP_EVENTS",
    "placebo_months",
    "placebo_outcomes",
    "price_counterfactual",
    "price_event_study",
    "price_placebo_in_time",
    "price_spec_curve",
]

#: The study's outcome series (World Bank potassium chloride).
OUTCOME = "potassium_chloride"
#: The study's control prices: other fertilizers, which share demand shocks with potash but not
#: the Belarus sanctions.
CONTROLS: tuple[str, ...] = ("urea", "dap")


def price_event_study(
    prices: pd.DataFrame,
    events: Any,
    *,
    series: str = OUTCOME,
    controls: Sequence[str] = CONTROLS,
    **options: Any,
) -> PriceEventStudyResults:
    """Interrupted time series of the potash price around sanctions dates (study defaults).

    :func:`potash.estimators.its.price_event_study` with the study's outcome (:data:`OUTCOME`)
    and controls (:data:`CONTROLS`); every other option is passed on unchanged.

    Parameters
    ----------
    prices : DataFrame
        Tidy prices ``date, series, value, unit`` (:func:`potash.load_prices`).
    events : DataFrame or sequence of date-like
        Events (:func:`potash.load_events`).
    series : str
        Outcome series.
    controls : sequence of str
        Control series.
    **options
        ``start, end, steps, ramps, pulses, basis, ...`` of the estimator.

    Returns
    -------
    PriceEventStudyResults

    Examples
    --------
    >>> import potash
    >>> res = price_event_study(potash.load_prices(), potash.load_events(), start="2020-01",
    ...                         end="2026-05", steps=["2021-08"], basis="dummy")
    >>> res.series, res.nobs
    ('potassium_chloride', 77)
    """
    return its.price_event_study(prices, events, series=series, controls=controls, **options)


# --- robustness: specification curves, placebo dates, placebo outcomes --------------------
#: The three steps of the study: label -> event_id in the calendar (the date comes from it).
STEP_EVENTS: dict[str, str] = {
    "2021-08": "us_eo14038_belaruskali_sdn",
    "2022-02": "klaipeda_transit_ends",
    "2025-12": "us_announces_potash_lift",
}
#: Last month of the study sample.
END = "2026-05"
#: The headline specification (one point of each curve): no trend unless the pre-period
#: supports it, urea and DAP as controls, urea spliced across its 2022-03 basis change,
#: 2020-01 start (the potash basis change), EWC fixed-b inference.
HEADLINE_SPEC: dict[str, Any] = {
    "trend": "pre",
    "controls": "urea+dap",
    "basis": "splice",
    "start": "2020-01",
    "event_month": "containing",
    "inference": "ewc",
}
#: Default grid of every step's curve: 3 trends x 4 control sets x 3 basis handlings x 3 starts
#: x 2 event-month rules x 4 inference choices = 864 combinations, 720 estimated per step (the
#: 144 DAP-alone combinations with a basis handling other than "splice" duplicate the spliced
#: ones, since no control changes basis: skipped with that reason), 2160 over the three steps.
DEFAULT_GRID: dict[str, tuple[Any, ...]] = {
    "trend": ("none", "linear", "pre"),
    "controls": ("urea+dap", "urea", "dap", "urea+dap+tsp"),
    "basis": ("splice", "interact", "dummy"),
    "start": ("2020-01", "2020-07", "2021-01"),
    "event_month": ("containing", "next"),
    "inference": ("nw", "nw6", "ewc", "ar1"),
}
#: Placebo outcomes: other fertilizers, run through the same design in potash's place.
PLACEBO_OUTCOMES: tuple[str, ...] = ("urea", "dap", "tsp")
#: Placebo-in-time: a placebo step needs this many months before and from it.
MIN_PRE, MIN_POST = 6, 3


def _step_dates(events: pd.DataFrame | None) -> dict[str, pd.Timestamp]:
    from potash.data import load_events

    ev = load_events() if events is None else events
    out = {}
    for label, eid in STEP_EVENTS.items():
        hit = ev.loc[ev["event_id"] == eid, "date"]
        if hit.empty:
            raise ValueError(f"event {eid!r} (step {label}) is not in the events table")
        out[label] = pd.Timestamp(hit.iloc[0])
    return out


def _design(prices: Any, events: Any, step: str, series: str) -> its_robust.ITSCurveDesign:
    from potash.data import load_prices

    if step not in STEP_EVENTS:
        raise ValueError(f"step={step!r} is not allowed; choose one of {list(STEP_EVENTS)}")
    dates = _step_dates(events)
    return its_robust.ITSCurveDesign(
        load_prices() if prices is None else prices,
        series,
        steps=list(dates.values()),
        target=dates[step],
        end=END,
        defaults=HEADLINE_SPEC,
        min_pre=MIN_PRE,
        min_post=MIN_POST,
    )


def placebo_months(step: str, events: pd.DataFrame | None = None) -> list[pd.Timestamp]:
    """Admissible placebo months for ``step``: every month of the study sample with
    :data:`MIN_PRE` months before it from the earliest sample start (2020-01) and
    :data:`MIN_POST` from it (a specification with a later start skips the placebo months it
    cannot estimate, with its reason), except the step's own month (either event-month rule) and the months within one month of
    the other steps (a step there would be collinear with theirs).

    Examples
    --------
    >>> len(placebo_months("2021-08"))
    59
    """
    dates = _step_dates(events)
    earliest = min(pd.Timestamp(s) for s in DEFAULT_GRID["start"])
    grid = pd.date_range(earliest + pd.DateOffset(months=MIN_PRE),
                         pd.Timestamp(END) - pd.DateOffset(months=MIN_POST - 1), freq="MS")
    bad = set()
    for label, d in dates.items():
        m = d.to_period("M").to_timestamp()
        near = (-1, 0, 1, 2) if label != step else (0, 1)
        bad |= {m + pd.DateOffset(months=k) for k in near}
    return [m for m in grid if m not in bad]


def price_spec_curve(
    prices: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    *,
    step: str = "2021-08",
    series: str = OUTCOME,
    grid: dict[str, Sequence[Any]] | None = None,
    null_draws: int | NullDraws | None = None,
    seed: int = 0,
) -> SpecCurveResults:
    """Specification curve of one step of the potash ITS over :data:`DEFAULT_GRID`.

    Every specification carries all three steps (:data:`STEP_EVENTS`); the estimate is the
    log-point step at ``step``. Joint inference by placebo dates: ``null_draws`` an int (a
    seeded draw of that many of :func:`placebo_months`), a :class:`NullDraws`, or ``None``.

    Parameters
    ----------
    prices, events : DataFrame, optional
        Default :func:`potash.load_prices` and :func:`potash.load_events`.
    step : {"2021-08", "2022-02", "2025-12"}
    series : str
        Outcome (placebo outcomes: ``"urea"``, ...).
    grid : mapping, optional
        Choices (default :data:`DEFAULT_GRID`; see :class:`potash.estimators.its_robust.ITSCurveDesign`).
    null_draws : int or NullDraws, optional
    seed : int
        Seed of the placebo-month draw.

    Returns
    -------
    SpecCurveResults

    Examples
    --------
    >>> res = price_spec_curve(step="2021-08", grid={"trend": ["none", "linear"]})
    >>> res.curve_summary.n_specs
    2
    """
    design = _design(prices, events, step, series)
    if isinstance(null_draws, int) and not isinstance(null_draws, bool):
        months = placebo_months(step, events)
        null = NullDraws(months, n_draws=min(null_draws, len(months)), seed=seed,
                         label="placebo month")
    elif null_draws is None or isinstance(null_draws, NullDraws):
        null = null_draws
    else:
        raise ValueError(f"null_draws must be an int, a NullDraws or None, got {null_draws!r}")
    g = DEFAULT_GRID if grid is None else grid
    if series != OUTCOME and grid is None:
        sets = [c for c in ("dap", "urea", "tsp") if c != series]
        g = {**DEFAULT_GRID, "controls": (*sets, "+".join(sets))}
    return spec_curve(design, {k: list(v) for k, v in g.items()}, null=null,
                      name=f"{series} step {step} (log points)")


def price_placebo_in_time(
    prices: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    *,
    step: str = "2021-08",
    series: str = OUTCOME,
    **choices: Any,
) -> its_robust.PlaceboInTimeResults:
    """Move ``step`` to every admissible month (:func:`placebo_months`) at the headline spec.

    ``choices`` override :data:`HEADLINE_SPEC`. Returns the randomization p-value
    ``(1 + #{|t_b| >= |t|}) / (1 + B)`` and the rank of the true month.

    Examples
    --------
    >>> res = price_placebo_in_time(step="2021-08")
    >>> res.n_placebos > 40
    True
    """
    design = _design(prices, events, step, series)
    if series != OUTCOME and "controls" not in choices:
        choices["controls"] = "+".join(c for c in ("urea", "dap") if c != series) or "dap"
    return its_robust.placebo_in_time(design, months=placebo_months(step, events), **choices)


def placebo_outcomes(
    prices: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    *,
    step: str = "2021-08",
    outcomes: Sequence[str] = PLACEBO_OUTCOMES,
) -> pd.DataFrame:
    """The same design with another fertilizer in potash's place (controls: the others).

    Returns
    -------
    DataFrame
        One row per outcome (potash first): ``controls, estimate, se, statistic, p_value``
        (headline spec, EWC), ``p_placebo`` and ``rank`` (placebo in time), ``n_placebos``,
        and the curve's ``n_specs, share_positive, share_significant``.

    Examples
    --------
    >>> placebo_outcomes(outcomes=["dap"]).index.tolist()
    ['potassium_chloride', 'dap']
    """
    rows = []
    for s in [OUTCOME, *outcomes]:
        ctrl = "urea+dap" if s == OUTCOME else "+".join(c for c in ("urea", "dap") if c != s)
        pit = price_placebo_in_time(prices, events, step=step, series=s, controls=ctrl)
        curve = price_spec_curve(prices, events, step=step, series=s).curve_summary
        rows.append({
            "outcome": s, "controls": ctrl, "estimate": pit.estimate,
            "se": float(pit.table.loc[pit.table["is_true"], "se"].iloc[0]),
            "statistic": pit.statistic,
            "p_value": float(pit.table.loc[pit.table["is_true"], "p_value"].iloc[0]),
            "p_placebo": pit.p_value, "rank": pit.rank, "n_placebos": pit.n_placebos,
            "n_specs": curve.n_specs, "share_positive": curve.share_positive,
            "share_significant": curve.share_significant,
        })
    return pd.DataFrame(rows).set_index("outcome")


#: Windows of the pre-event counterfactual: step -> (start, end). The pre-period of each is
#: free of the study's other steps: 2021-08 is fitted on 2020-01..2021-07 and projected to the
#: month before Klaipeda; 2025-12 on 2022-06..2025-11 (after the EU ban's grandfathering).
COUNTERFACTUAL_WINDOWS: dict[str, tuple[str, str]] = {
    "2021-08": ("2020-01", "2022-01"),
    "2025-12": ("2022-06", END),
}


def price_counterfactual(
    prices: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    *,
    step: str = "2021-08",
    controls: Sequence[str] = CONTROLS,
) -> its_robust.PreEventCounterfactualResults:
    """Potash fitted on the months before ``step`` only, projected with forecast bands.

    Estimand: potash against the path its pre-event relation to urea and DAP predicts, not
    potash without sanctions. Windows in :data:`COUNTERFACTUAL_WINDOWS`.

    Examples
    --------
    >>> res = price_counterfactual(step="2021-08")
    >>> res.path.index[0].strftime("%Y-%m")
    '2020-01'
    """
    from potash.data import load_prices

    if step not in COUNTERFACTUAL_WINDOWS:
        raise ValueError(f"step={step!r} is not allowed; choose one of {list(COUNTERFACTUAL_WINDOWS)}")
    start, end = COUNTERFACTUAL_WINDOWS[step]
    return its_robust.pre_event_counterfactual(
        load_prices() if prices is None else prices, OUTCOME, event=_step_dates(events)[step],
        controls=as_names(controls, "controls", allow_empty=True), start=start, end=end, trend="pre",
    )
