"""The Belarus trade question: did Belarus's potash exports fall after the sanctions?

The study's choices live here: the treated exporter (Belarus), the product (potassium
chloride, FAOSTAT MOP), the first post year (2022, the first full year after the 2021-08
sanctions and the 2022-02-01 closure of Klaipeda) and the dates marked on the figures. The
estimators (:mod:`potash.estimators.ppml`, :mod:`potash.estimators.synth`) take them as
arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from potash.data.events import event_label
from potash.estimators import ppml, synth
from potash.estimators.permutation import PermutationResults, ct_interval, unit_estimates
from potash.estimators.permutation import unit_permutation as _unit_permutation
from potash.estimators.ppml import TradeEventStudyResults
from potash.estimators.speccurve import NullDraws, SpecCurveResults, spec_curve
from potash.estimators.synth import SyntheticControlResults

__all__ = [
    "EVENT_MARKS",
    "POST_START",
    "PRODUCT",
    "SETUP",
    "TRADE_GRID",
    "TREATED",
    "post_start_year",
    "trade_permutation",
    "trade_spec_curve",
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
#: The headline panel: 2010-2023, exporters with mean annual exports above 100,000 t.
SETUP: dict[str, Any] = {"years": (2010, 2023), "min_quantity": 100_000}
#: The documented default grid of the trade specification curve (see :func:`trade_spec_curve`).
TRADE_GRID: dict[str, tuple[Any, ...]] = {
    "min_quantity": (50_000, 100_000, 250_000),
    "start": (2005, 2010, 2012),
    "post_start": (2022, 2021),
    "trend": ("none", "treated_trend"),
    "measure": ("quantity_t", "value_usd"),
    "drop_exporter": ("none", "BEL", "CAN", "CHL", "DEU", "ESP", "ISR", "JOR", "LAO", "NLD",
                      "RUS", "USA"),
}
_END = 2023
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
    product and post period; every other option is passed on unchanged. On the shipped
    FAOSTAT panel pass the study's sample, :data:`SETUP` (``years`` and ``min_quantity``):
    without it exporters with near-zero flows keep the PPML from converging, and the error
    says so (issue 14).

    Examples
    --------
    >>> import potash
    >>> res = trade_event_study(potash.load_trade("faostat"), min_quantity=100_000,
    ...                         years=(2010, 2023))
    >>> round(float(res.params["treated_post"]), 3)
    -0.753
    """
    try:
        return ppml.trade_event_study(
            trade, treated=treated, events=events, product=product,
            event_marks=_marks(events, event_marks), **options,
        )
    except RuntimeError as exc:
        if "did not converge" not in str(exc) or {"min_quantity", "years"} <= set(options):
            raise
        raise RuntimeError(
            f"{exc}. With the shipped FAOSTAT data use the study's sample: "
            "trade_event_study(trade, **potash.analyses.trade.SETUP), i.e. "
            f"years={SETUP['years']}, min_quantity={SETUP['min_quantity']:_}"
        ) from None


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


def trade_permutation(
    trade: pd.DataFrame,
    *,
    treated: str = TREATED,
    events: Any = POST_START,
    product: str = PRODUCT,
    terms: str = "did",
    leads: int | None = 4,
    lags: int | None = None,
    reference: int = -1,
    treated_trend: str = "none",
    level: float = 0.95,
    **options: Any,
) -> PermutationResults:
    """Randomization inference for Belarus: treatment reassigned to each other exporter.

    Builds the study panel (:func:`trade_panel`, ``options`` passed on, e.g. :data:`SETUP`)
    and runs :func:`potash.estimators.permutation.unit_permutation`: permutation p-value and
    rank of Belarus's PPML estimate among all exporters, and the Conley-Taber interval.

    Examples
    --------
    >>> import potash
    >>> res = trade_permutation(potash.load_trade("faostat"), **SETUP)
    >>> int(res.rank["treated_post"]), res.n_placebos + 1
    (4, 12)
    """
    panel = trade_panel(trade, treated=treated, events=events, product=product, **options)
    return _unit_permutation(
        panel, treated=treated, post_start=int(panel.attrs["post_start"]), terms=terms,
        leads=leads, lags=lags, reference=reference, treated_trend=treated_trend, level=level,
    )


class TradeCurveDesign:
    """Batched specification-curve design of the Belarus trade panel.

    Every specification is a PPML with exporter and year effects on the FAOSTAT exporter x
    year panel; its estimate is the PPML coefficient ``b`` of Belarus x post (log points;
    ``100 (exp(b) - 1)`` is the percent effect, a monotone map of it), its
    p-value the in-space permutation p (each other exporter of that specification's panel as
    treated, Belarus dropped from the placebo fits) and its interval the Conley-Taber one
    (see :mod:`potash.estimators.permutation`). Under ``placebo=j`` the same quantities are
    computed with exporter ``j`` as the treated unit, compared with every other exporter of
    the panel (Belarus's own estimate included): a null curve. All fits of one
    specification are computed once and cached, so the null curves cost no extra fits.

    Choices (:data:`TRADE_GRID`): ``min_quantity`` (mean annual tonnes above which an
    exporter is kept; the same exporters are used for ``value_usd``), ``start`` (first year;
    the last is 2023), ``post_start`` (2022, the first full sanctioned year, or 2021, the
    event year), ``trend`` (``"treated_trend"`` adds a linear trend of the treated unit),
    ``measure`` and ``drop_exporter`` (leave one exporter out; inadmissible if the exporter
    is not in that panel, which would duplicate ``"none"``).
    """

    def __init__(self, trade: pd.DataFrame, *, treated: str = TREATED, product: str = PRODUCT,
                 level: float = 0.95) -> None:
        self.trade = trade
        self.treated = treated
        self.product = product
        self.level = level
        self._panels: dict[tuple, pd.DataFrame] = {}
        self._fits: dict[tuple, pd.Series | str] = {}

    def _panel(self, min_quantity: float, start: int, measure: str) -> pd.DataFrame:
        key = (min_quantity, start, measure)
        if key not in self._panels:
            base = ppml.trade_panel(self.trade, treated=self.treated, events=POST_START,
                                    product=self.product, years=(start, _END),
                                    min_quantity=min_quantity)
            if measure != "quantity_t":
                other = ppml.trade_panel(self.trade, treated=self.treated, events=POST_START,
                                         product=self.product, years=(start, _END),
                                         measure=measure)
                base = other[other["exporter"].isin(set(base["exporter"]))]
            self._panels[key] = base
        return self._panels[key]

    def _estimates(self, spec: dict[str, Any]) -> pd.Series | str:
        key = tuple(spec[c] for c in TRADE_GRID if c in spec)
        if key in self._fits:
            return self._fits[key]
        panel = self._panel(spec["min_quantity"], spec["start"], spec["measure"])
        drop = spec.get("drop_exporter", "none")
        if drop != "none":
            if drop not in set(panel["exporter"]):
                self._fits[key] = f"{drop} is not in this panel (same as 'none')"
                return self._fits[key]
            panel = panel[panel["exporter"] != drop]
        units = [self.treated, *sorted(set(panel["exporter"]) - {self.treated})]
        est = unit_estimates(
            panel, units, treated=self.treated, post_start=int(spec["post_start"]),
            treated_trend="all" if spec.get("trend") == "treated_trend" else "none",
        )["treated_post"].dropna()
        self._fits[key] = est
        return est

    def run(self, specs: pd.DataFrame, placebo: Any = None) -> pd.DataFrame:
        """One row per specification: ``estimate`` (log points), ``p_value``, ``ci_low``,
        ``ci_high`` (log points), ``n`` (exporters) and ``skip_reason``."""
        rows = []
        focus = self.treated if placebo is None else placebo
        for spec in specs.to_dict(orient="records"):
            est = self._estimates(spec)
            if isinstance(est, str):
                rows.append({"skip_reason": est})
                continue
            if focus not in est.index:
                rows.append({"skip_reason": f"{focus} is not in this panel"})
                continue
            b = float(est[focus])
            # under a placebo, Belarus's own estimate is one of the comparison units
            others = est.drop(index=focus)
            pv = (1 + int((np.abs(others.to_numpy()) >= abs(b) - 1e-12).sum())) / (1 + len(others))
            wo = others.drop(index=self.treated, errors="ignore") if placebo is None else others
            lo, hi, _ = ct_interval(b, wo.to_numpy(), self.level)
            rows.append({"estimate": b, "p_value": pv, "ci_low": lo, "ci_high": hi,
                         "n": len(est), "skip_reason": None})
        out = pd.DataFrame(rows, index=specs.index)
        for col in ("estimate", "p_value", "ci_low", "ci_high", "n"):
            if col not in out.columns:
                out[col] = np.nan
        return out


def trade_spec_curve(
    trade: pd.DataFrame,
    *,
    grid: dict[str, Any] | None = None,
    null: bool = True,
    alpha: float = 0.10,
    treated: str = TREATED,
    product: str = PRODUCT,
) -> SpecCurveResults:
    """Specification curve of Belarus's trade effect with in-space joint inference.

    Runs :class:`TradeCurveDesign` over ``grid`` (default :data:`TRADE_GRID`: 864
    combinations) with :func:`potash.estimators.speccurve.spec_curve`; with ``null`` the whole
    curve is re-run with each donor exporter of the headline panel (:data:`SETUP`) as the
    placebo treated unit (``NullDraws`` over exporters), so the joint p-values compare
    Belarus's curve with the curves of the other exporters; their floor is ``1/(B+1)`` with
    ``B`` the number of placebo exporters. Each specification's p-value is a permutation p
    whose floor is ``1/(J+1)`` (about 0.08 with 12 exporters), hence the default
    ``alpha=0.10``: at 0.05 no specification could be significant.

    Examples
    --------
    >>> import potash
    >>> res = trade_spec_curve(potash.load_trade("faostat"), null=False,
    ...     grid={"min_quantity": [100_000], "start": [2010], "post_start": [2022],
    ...           "trend": ["none"], "measure": ["quantity_t"], "drop_exporter": ["none"]})
    >>> round(float(res.table["estimate"].iloc[0]), 3), float(res.table["p_value"].iloc[0])
    (-0.753, 0.3333333333333333)
    """
    grid = dict(TRADE_GRID if grid is None else grid)
    missing = sorted({"min_quantity", "start", "post_start", "measure"} - set(grid))
    if missing:
        raise ValueError(f"trade_spec_curve: grid needs the choices {missing}")
    design = TradeCurveDesign(trade, treated=treated, product=product)
    draws = None
    if null:
        donors = sorted(set(trade_panel(trade, treated=treated, product=product, **SETUP)
                            ["exporter"]) - {treated})
        draws = NullDraws(values=donors, label="placebo exporter")
    return spec_curve(design, grid, alpha=alpha, null=draws, name=f"{treated} x post, PPML log points")
