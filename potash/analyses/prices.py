"""The Belarus price question: the potash price against other fertilizers around the sanctions.

The study's choices (potash as the outcome, urea and DAP as controls) live here; the estimator,
:func:`potash.estimators.its.price_event_study`, takes them as arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from potash.estimators import its
from potash.estimators.its import PriceEventStudyResults

__all__ = ["CONTROLS", "OUTCOME", "price_event_study"]

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
