"""The Belarus trade question: did Belarus's potash exports fall after the sanctions?

The study's choices live here: the treated exporter (Belarus), the product (potassium
chloride, FAOSTAT MOP), the first post year (2022, the first full year after the 2021-08
sanctions and the 2022-02-01 closure of Klaipeda) and the dates marked on the figures. The
estimators (:mod:`potash.estimators.ppml`, :mod:`potash.estimators.synth`) take them as
arguments.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from potash.data.events import event_label
from potash.estimators import ppml, synth
from potash.estimators.ppml import TradeEventStudyResults
from potash.estimators.synth import SyntheticControlResults

__all__ = [
    "EVENT_MARKS",
    "POST_START",
    "PRODUCT",
    "TREATED",
    "post_start_year",
    "synthetic_control",
    "trade_event_study",
    "trade_panel",
]

#: The treated exporter.
TREATED = "BLR"
#: The product studied (FAOSTAT potassium chloride, MOP).
PRODUCT = "potassium_chloride"
#: The first post year: the first full year after the 2021-08-09 sanctions.
POST_START = 2022
_MARK_IDS = (("2021-08-09", "us_eo14038_belaruskali_sdn", "sanction"),
             ("2022-02-01", "klaipeda_transit_ends", "logistics"))
#: The dates marked on the trade figures: the first binding potash sanctions (US EO 14038, UK
#: and Canada, 2021-08-09) and the end of Belarusian potash transit through Klaipeda.
EVENT_MARKS = pd.DataFrame(
    {
        "date": pd.to_datetime([d for d, _, _ in _MARK_IDS]),
        "event_id": [e for _, e, _ in _MARK_IDS],
        "type": [t for _, _, t in _MARK_IDS],
        "label": [event_label(e) for _, e, _ in _MARK_IDS],
    }
)


def _marks(events: Any, event_marks: pd.DataFrame | None) -> pd.DataFrame | None:
    """The study's marks when the post period is given as a year and no marks are passed."""
    if event_marks is None and isinstance(events, int) and not isinstance(events, bool):
        return EVENT_MARKS.copy()
    return event_marks


def post_start_year(events: Any = POST_START, **options: Any) -> tuple[int, pd.DataFrame]:
    """First post year and the events defining it (study default: :data:`POST_START`).

    See :func:`potash.estimators.ppml.post_start_year`; a year given as an integer comes with
    the study's :data:`EVENT_MARKS`.

    Examples
    --------
    >>> year, marks = post_start_year()
    >>> year, marks["label"].tolist()
    (2022, ['US/UK/CA sanctions', 'Klaipeda closed'])
    """
    year, marks = ppml.post_start_year(events, **options)
    return year, (_marks(events, None) if marks.empty else marks)


def trade_panel(
    trade: pd.DataFrame,
    *,
    treated: str = TREATED,
    events: Any = POST_START,
    product: str = PRODUCT,
    **options: Any,
) -> pd.DataFrame:
    """The exporter x year panel of the study (see :func:`potash.estimators.ppml.trade_panel`).

    Examples
    --------
    >>> import potash
    >>> panel = trade_panel(potash.load_trade("faostat"))
    >>> int(panel.loc[panel["treated_post"] == 1, "year"].min())
    2022
    """
    return ppml.trade_panel(trade, treated=treated, events=events, product=product, **options)


def trade_event_study(
    trade: pd.DataFrame,
    *,
    treated: str = TREATED,
    events: Any = POST_START,
    product: str = PRODUCT,
    event_marks: pd.DataFrame | None = None,
    **options: Any,
) -> TradeEventStudyResults:
    """PPML of Belarus's potash exports with exporter and year effects (study defaults).

    :func:`potash.estimators.ppml.trade_event_study` with the study's treated exporter,
    product and post period; every other option is passed on unchanged.

    Examples
    --------
    >>> import potash
    >>> res = trade_event_study(potash.load_trade("faostat"), min_quantity=100_000,
    ...                         years=(2010, 2023))
    >>> round(float(res.params["treated_post"]), 3)
    -0.753
    """
    return ppml.trade_event_study(
        trade, treated=treated, events=events, product=product,
        event_marks=_marks(events, event_marks), **options,
    )


def synthetic_control(
    data: pd.DataFrame,
    *,
    treated: str = TREATED,
    events: Any = POST_START,
    product: str = PRODUCT,
    event_marks: pd.DataFrame | None = None,
    **options: Any,
) -> SyntheticControlResults:
    """Synthetic Belarus from the other exporters (study defaults).

    :func:`potash.estimators.synth.synthetic_control` with the study's treated exporter,
    product and post period; every other option is passed on unchanged.

    Examples
    --------
    >>> import potash
    >>> res = synthetic_control(potash.load_trade("faostat"), min_quantity=100_000,
    ...                         years=(2010, 2023))
    >>> res.settings["treated"]
    'BLR'
    """
    return synth.synthetic_control(
        data, treated=treated, events=events, product=product,
        event_marks=_marks(events, event_marks), **options,
    )
