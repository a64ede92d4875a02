"""Specification curves with joint inference under the null (Simonsohn, Simmons and Nelson 2020).

A headline is a distribution, not a point. :func:`spec_curve` runs a *design* over every
combination of a *grid* of named, defensible choices and returns a
:class:`SpecCurveResults`: one row per specification (the choices, estimate, standard error,
interval, p-value, n), the combinations the design declared inadmissible (with the reason), a
summary of the curve (median, range, share of the median's sign, share significant in each
direction), a plain-words robustness sentence for the findings, and the specr-style figure.

Designs
-------
A design is anything with ``run(specs, placebo=None) -> DataFrame`` (the :class:`SpecDesign`
protocol). ``specs`` holds one row per specification, one column per choice; the returned
frame has one row per spec, in the same order, with the columns

``estimate``
    required;
``p_value``, ``se``, ``ci_low``, ``ci_high``
    at least ``p_value`` or ``se`` or both interval bounds; what is missing is filled in with
    the normal approximation at the curve's ``alpha`` (``ci = estimate -/+ z se``,
    ``se = (ci_high - ci_low) / (2 z)``, ``p = 2 Phi(-|estimate / se|)``, ``z`` the
    ``1 - alpha/2`` normal quantile). A design that uses t or fixed-b inference returns its
    own ``p_value``, ``ci_low`` and ``ci_high``;
``n``
    optional: the number of observations;
``skip_reason``
    optional: a non-empty string marks a specification the design cannot estimate (the
    engine reports it in :attr:`SpecCurveResults.skipped`, never drops it silently).

A batched design computes all specifications at once (this is how a vectorised engine runs
hundreds of specifications times hundreds of placebo draws). A design that fits one
specification at a time is a plain function of keyword choices returning a mapping (or an
object with attributes) with the fields above; :func:`per_spec` wraps it (and
:func:`spec_curve` wraps a plain callable itself). Such a function raises
:class:`InadmissibleSpecification` (a ``ValueError``) for a combination it cannot estimate.
The documented default grids live with each design, not here.

Joint inference under the null
------------------------------
``null=NullDraws(values)`` re-runs the whole curve once per null value: the design is called
with ``placebo=value`` (a placebo date, a reassigned treated unit, ...), and is responsible
for estimating the same quantity as if that value were the treated one. The observed curve is
compared with the ``B`` null curves (``B`` the number of draws that gave at least one
estimate) by

- the median estimate: ``p = (1 + #{|m_b| >= |m|}) / (1 + B)``;
- the share of significant specifications: ``(1 + #{s_b >= s}) / (1 + B)``;
- the share significant in the dominant direction (the sign of the observed median); each null
  curve contributes the larger of its two directional shares, since its "dominant" direction
  is chosen after the fact too;
- Stouffer's ``Z = sum(z_i) / sqrt(K)`` over the K specifications, ``z_i`` the signed normal
  score of each specification (``estimate / se``, or from its two-sided p-value),
  ``(1 + #{|Z_b| >= |Z|}) / (1 + B)``.

``alternative="greater"`` (``"less"``) uses the signed median, Stouffer Z and the positive
(negative) share instead. The smallest attainable p-value is ``1 / (B + 1)``
(:attr:`JointInference.p_floor`), reported with every p-value. With ``n_draws`` smaller than
the number of values a seeded random subset of the values is drawn without replacement.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from scipy import stats

from potash.core.options import check_option
from potash.core.results import ResultsBase

__all__ = [
    "CurveSummary",
    "InadmissibleSpecification",
    "JointInference",
    "NullDraws",
    "PerSpecDesign",
    "SpecCurveResults",
    "SpecDesign",
    "per_spec",
    "spec_curve",
]

Alternative = Literal["two-sided", "greater", "less"]

#: Output columns of a design, in the order of :attr:`SpecCurveResults.table`.
RESULT_COLUMNS = ("estimate", "se", "statistic", "ci_low", "ci_high", "p_value", "n")
_RESERVED = set(RESULT_COLUMNS) | {"skip_reason", "spec", "placebo", "draw"}


class InadmissibleSpecification(ValueError):
    """A combination of choices that a design cannot estimate (for example a sample too short).

    Raise it from a per-specification design; the engine records the combination and the
    message in :attr:`SpecCurveResults.skipped`.

    Examples
    --------
    >>> str(InadmissibleSpecification("fewer than 24 pre-event months"))
    'fewer than 24 pre-event months'
    """


@runtime_checkable
class SpecDesign(Protocol):
    """A design that estimates a table of specifications at once.

    ``run(specs, placebo=None)`` takes one row per specification (one column per choice) and
    returns a DataFrame with one row per specification, in the same order: ``estimate`` and
    ``p_value`` and/or ``se`` and/or ``ci_low, ci_high``, optionally ``n`` and
    ``skip_reason`` (see the module notes). ``placebo`` is passed only under null draws.

    A design may also define ``run_null(specs, placebos) -> DataFrame`` to estimate every null
    draw in one call: the same columns plus ``draw`` (the position in ``placebos``) and ``spec``
    (the row position in ``specs``), one row per pair.
    """

    def run(self, specs: pd.DataFrame, placebo: Any = None) -> pd.DataFrame:
        """Estimate every specification in ``specs`` (under ``placebo`` if given)."""
        ...  # pragma: no cover - protocol


class PerSpecDesign:
    """Adapt a function of keyword choices into a :class:`SpecDesign` (see :func:`per_spec`)."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        fields: Mapping[str, str] | None = None,
        skip: tuple[type[BaseException], ...] = (InadmissibleSpecification,),
    ) -> None:
        if not callable(func):
            raise TypeError(f"per_spec: {func!r} is not callable")
        fields = dict(fields or {})
        unknown = sorted(set(fields) - set(RESULT_COLUMNS))
        if unknown:
            raise ValueError(
                f"per_spec: fields {unknown} are not result columns; choose among "
                + ", ".join(repr(c) for c in RESULT_COLUMNS)
            )
        for exc in skip:
            if not (isinstance(exc, type) and issubclass(exc, ValueError)):
                raise TypeError(
                    f"per_spec: skip={exc!r} must be a ValueError subclass (a documented "
                    "'inadmissible' error), so that bugs are never skipped as specifications"
                )
        self.func = func
        self.fields = {c: fields.get(c, c) for c in RESULT_COLUMNS if c != "statistic"}
        self.skip = tuple(skip)

    def _one(self, choices: dict[str, Any], placebo: Any, use_placebo: bool) -> dict[str, Any]:
        kw = dict(choices)
        if use_placebo:
            kw["placebo"] = placebo
        try:
            out = self.func(**kw)
        except self.skip as exc:
            return {"skip_reason": f"{type(exc).__name__}: {exc}"}
        row: dict[str, Any] = {}
        for col, key in self.fields.items():
            if isinstance(out, Mapping):
                value = out.get(key, np.nan)
            else:
                value = getattr(out, key, np.nan)
            row[col] = value
        row["skip_reason"] = None
        return row

    def run(self, specs: pd.DataFrame, placebo: Any = None) -> pd.DataFrame:
        """Call the function once per row of ``specs``; returns the design's output table."""
        return self._run(specs, placebo, use_placebo=False)

    def _run(self, specs: pd.DataFrame, placebo: Any, use_placebo: bool) -> pd.DataFrame:
        rows = [
            self._one(choices, placebo, use_placebo)
            for choices in specs.to_dict(orient="records")
        ]
        out = pd.DataFrame(rows, index=specs.index)
        for col in (*self.fields, "skip_reason"):
            if col not in out.columns:
                out[col] = np.nan if col != "skip_reason" else None
        return out


def per_spec(
    func: Callable[..., Any],
    *,
    fields: Mapping[str, str] | None = None,
    skip: tuple[type[BaseException], ...] = (InadmissibleSpecification,),
) -> PerSpecDesign:
    """Wrap a function that estimates one specification into a design.

    Parameters
    ----------
    func : callable
        Called as ``func(**choices)``, and as ``func(**choices, placebo=value)`` under null
        draws. Returns a mapping or an object with ``estimate`` and ``p_value`` and/or ``se``
        and/or ``ci_low, ci_high``, optionally ``n``.
    fields : mapping, optional
        Result column -> the key or attribute ``func``'s output uses for it, e.g.
        ``{"estimate": "coef", "se": "std_err"}``.
    skip : tuple of ValueError subclasses
        Exceptions that mark a combination as inadmissible (recorded with their message,
        never silent). Default :class:`InadmissibleSpecification`; any other exception
        propagates.

    Returns
    -------
    PerSpecDesign

    Examples
    --------
    >>> def design(scale):
    ...     if scale == 0:
    ...         raise InadmissibleSpecification("scale 0 has no estimate")
    ...     return {"estimate": 2.0 * scale, "se": 1.0}
    >>> res = spec_curve(per_spec(design), {"scale": [0, 1, 2]})
    >>> res.table["estimate"].tolist(), len(res.skipped)
    ([2.0, 4.0], 1)
    """
    return PerSpecDesign(func, fields=fields, skip=skip)


@dataclass(frozen=True)
class NullDraws:
    """Null values for joint inference: the design is re-run on the whole grid for each.

    Parameters
    ----------
    values : sequence
        Placebo values (dates, unit codes, ...) given to the design as ``placebo=value``; they
        should exclude the actual treatment.
    n_draws : int, optional
        Use a seeded random subset of this many values (without replacement); default all.
    seed : int, optional
        Seed of that subset (``numpy.random.default_rng``).
    label : str
        What a draw is, for the notes and sentences (``"placebo date"``, ``"placebo unit"``).

    Examples
    --------
    >>> NullDraws(values=range(10), n_draws=3, seed=1).chosen()
    [3, 4, 7]
    """

    values: Sequence[Any]
    n_draws: int | None = None
    seed: int | None = None
    label: str = "placebo draw"

    def __post_init__(self) -> None:
        values = list(self.values)
        object.__setattr__(self, "values", tuple(values))
        if not values:
            raise ValueError("NullDraws: values is empty; give at least one placebo value")
        if self.n_draws is not None:
            if isinstance(self.n_draws, bool) or not isinstance(self.n_draws, int | np.integer):
                raise TypeError(f"NullDraws: n_draws must be an int, got {self.n_draws!r}")
            if not 1 <= self.n_draws <= len(values):
                raise ValueError(
                    f"NullDraws: n_draws={self.n_draws} must be between 1 and the number of "
                    f"values ({len(values)})"
                )

    def chosen(self) -> list[Any]:
        """The values used, in their original order (a seeded subset if ``n_draws`` is set)."""
        if self.n_draws is None or self.n_draws == len(self.values):
            return list(self.values)
        rng = np.random.default_rng(self.seed)
        pos = np.sort(rng.choice(len(self.values), size=self.n_draws, replace=False))
        return [self.values[i] for i in pos]


@dataclass(frozen=True)
class CurveSummary:
    """Summary of a specification curve (shares are fractions of the ``n_specs`` estimated).

    ``direction`` is ``"positive"`` or ``"negative"``: the sign of the median (``"zero"``
    if it is 0); ``share_same_sign`` the share of estimates with that sign.
    """

    n_specs: int
    n_skipped: int
    median: float
    min: float
    max: float
    direction: str
    share_positive: float
    share_negative: float
    share_same_sign: float
    share_significant: float
    share_sig_positive: float
    share_sig_negative: float
    stouffer: float
    alpha: float

    def as_series(self) -> pd.Series:
        """The fields as a Series (index: field name)."""
        return pd.Series(self.__dict__, dtype=object)


@dataclass(frozen=True)
class JointInference:
    """Joint tests of the whole curve against ``n_draws`` null curves.

    ``draws`` holds one row per null draw that gave at least one estimate: ``placebo`` (the
    value), ``n_specs``, ``median``, ``share_significant``, ``share_sig_positive``,
    ``share_sig_negative``, ``stouffer``. ``n_failed`` counts draws with no estimate at all
    (left out of ``B``; their values are in ``failed``).
    """

    n_draws: int
    p_floor: float
    p_median: float
    p_share_significant: float
    p_share_dominant: float
    p_stouffer: float
    alternative: str
    label: str
    n_failed: int
    draws: pd.DataFrame = field(repr=False)
    failed: tuple[Any, ...] = ()


class SpecCurveResults(ResultsBase):
    """Results of :func:`spec_curve` (read-only; see the module notes).

    Examples
    --------
    >>> res = spec_curve(lambda a, b: {"estimate": a + b, "se": 1.0}, {"a": [1, 2], "b": [0, 3]})
    >>> res.curve_summary.median, res.curve_summary.n_specs
    (3.0, 4)
    """

    _title = "Specification curve"

    def __init__(
        self,
        *,
        table: pd.DataFrame,
        skipped: pd.DataFrame,
        grid: dict[str, tuple[Any, ...]],
        curve_summary: CurveSummary,
        joint: JointInference | None,
        alpha: float,
        alternative: str,
        name: str,
    ) -> None:
        self._table = table
        self._skipped = skipped
        self._grid = grid
        self._curve = curve_summary
        self._joint = joint
        self._alpha = alpha
        self._alternative = alternative
        self._name = name
        if name:
            self._title = f"Specification curve: {name}"

    # --- read-only attributes ------------------------------------------------------------
    @property
    def table(self) -> pd.DataFrame:
        """One row per estimated specification (index ``spec``, its position in the grid).

        Columns: the choices, then ``estimate, se, statistic, ci_low, ci_high, p_value, n``.
        """
        return self._table.copy()

    @property
    def skipped(self) -> pd.DataFrame:
        """Specifications the design declared inadmissible: the choices and ``reason``."""
        return self._skipped.copy()

    @property
    def grid(self) -> dict[str, tuple[Any, ...]]:
        """The choices run: name -> values, in grid order."""
        return dict(self._grid)

    @property
    def choices(self) -> list[str]:
        """Names of the choices (the first columns of :attr:`table`)."""
        return list(self._grid)

    @property
    def curve_summary(self) -> CurveSummary:
        """Median, range, shares by sign and significance (see :class:`CurveSummary`)."""
        return self._curve

    @property
    def joint(self) -> JointInference | None:
        """Joint inference under the null (``None`` unless ``null`` was given)."""
        return self._joint

    @property
    def alpha(self) -> float:
        """Significance level of each specification (``p_value < alpha``)."""
        return self._alpha

    @property
    def alternative(self) -> str:
        """Alternative of the joint tests: ``"two-sided"``, ``"greater"`` or ``"less"``."""
        return self._alternative

    @property
    def name(self) -> str:
        """What the estimate is (for titles), e.g. ``"relief step"``."""
        return self._name

    # --- tables and words ----------------------------------------------------------------
    def summary_frame(self) -> pd.DataFrame:
        """The curve's statistics with their joint p-values, one row each.

        Index: ``median``, ``min``, ``max``, ``share_significant``, ``share_dominant``
        (share significant with the median's sign), ``share_sig_positive``,
        ``share_sig_negative``, ``stouffer``. Columns ``estimate, se, statistic, p_value,
        ci_low, ci_high`` where meaningful (``p_value`` is the joint p-value under the null,
        NaN without null draws; ``se`` and the interval are NaN: the curve has no sampling
        distribution of its own).
        """
        c, j = self._curve, self._joint
        dominant = c.share_sig_negative if c.direction == "negative" else c.share_sig_positive
        rows = {
            "median": (c.median, j.p_median if j else np.nan),
            "min": (c.min, np.nan),
            "max": (c.max, np.nan),
            "share_significant": (c.share_significant, j.p_share_significant if j else np.nan),
            "share_dominant": (dominant, j.p_share_dominant if j else np.nan),
            "share_sig_positive": (c.share_sig_positive, np.nan),
            "share_sig_negative": (c.share_sig_negative, np.nan),
            "stouffer": (c.stouffer, j.p_stouffer if j else np.nan),
        }
        out = pd.DataFrame(
            {
                "estimate": [v[0] for v in rows.values()],
                "se": np.nan,
                "statistic": np.nan,
                "p_value": [v[1] for v in rows.values()],
                "ci_low": np.nan,
                "ci_high": np.nan,
            },
            index=pd.Index(list(rows), name="statistic_of_curve"),
        )
        out.loc["stouffer", "statistic"] = c.stouffer
        return out

    def robustness_sentence(self, *, min_share: float = 0.9, digits: int = 2) -> str:
        """The curve's robustness in plain words, for findings.

        Parameters
        ----------
        min_share : float
            Below this share of estimates with the median's sign, the sentence calls the
            result fragile ("sign flips").
        digits : int
            Significant digits of the joint p-values.

        Returns
        -------
        str

        Examples
        --------
        >>> res = spec_curve(lambda k: {"estimate": 1.0 + k, "p_value": 0.5}, {"k": [0, 1, 2]})
        >>> res.robustness_sentence()
        'positive in 100% of 3 specifications, significant in 0% (positive) and 0% (negative)'
        """
        if not 0 < min_share <= 1:
            raise ValueError(f"min_share must be in (0, 1], got {min_share}")
        c = self._curve
        n = f"{c.n_specs} specification" + ("" if c.n_specs == 1 else "s")
        sig = (
            f"significant in {_pct(c.share_sig_positive)} (positive) and "
            f"{_pct(c.share_sig_negative)} (negative)"
        )
        if c.direction == "zero" or c.share_same_sign < min_share:
            text = (
                f"fragile, the sign flips: positive in {_pct(c.share_positive)} and negative in "
                f"{_pct(c.share_negative)} of {n}, {sig}"
            )
        else:
            text = f"{c.direction} in {_pct(c.share_same_sign)} of {n}, {sig}"
        j = self._joint
        if j is not None:
            side = "" if j.alternative == "two-sided" else f", {j.alternative}"
            text += (
                f"; joint p-value of the median {_pval(j.p_median, digits)} and of the share "
                f"significant {_pval(j.p_share_dominant, digits)} ({j.n_draws} {j.label}s"
                f"{side}, smallest possible p {_pval(j.p_floor, digits)})"
            )
        return text

    def _notes(self) -> list[str]:
        c = self._curve
        notes = [
            f"{c.n_specs} specifications estimated over {len(self._grid)} choices "
            f"({', '.join(self._grid)}); {c.n_skipped} inadmissible (see .skipped).",
            f"Significant: p < {self._alpha:g}. " + self.robustness_sentence() + ".",
        ]
        j = self._joint
        if j is None:
            notes.append("No null draws: joint p-values not computed (pass null=NullDraws(...)).")
        else:
            notes.append(
                f"Joint p-values ({j.alternative}) from B = {j.n_draws} {j.label}s, each re-running "
                f"the whole curve; p = (1 + #null at least as extreme) / (1 + B), floor "
                f"{j.p_floor:.3g}." + (f" {j.n_failed} draw(s) gave no estimate." if j.n_failed else "")
            )
        return notes

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """specr-style figure: ranked estimates with intervals above, choices below.

        See :func:`potash.figures.speccurve.plot_spec_curve` for ``kwargs``; returns the Figure.
        """
        from potash.figures.speccurve import plot_spec_curve

        kwargs.setdefault("alpha", self._alpha)
        kwargs.setdefault("median", self._curve.median)
        if self._name:
            kwargs.setdefault("title", f"Specification curve: {self._name}")
        return plot_spec_curve(self._table, self._grid, ax=ax, **kwargs)


# --- the engine --------------------------------------------------------------------------
def spec_curve(
    design: SpecDesign | Callable[..., Any],
    grid: Mapping[str, Sequence[Any]],
    *,
    alpha: float = 0.05,
    null: NullDraws | None = None,
    alternative: Alternative = "two-sided",
    name: str = "",
) -> SpecCurveResults:
    """Run a design over every combination of ``grid`` and summarise the curve.

    Parameters
    ----------
    design : SpecDesign or callable
        A batched design (``run(specs, placebo=None) -> DataFrame``), or a function of
        keyword choices estimating one specification (wrapped by :func:`per_spec`). See the
        module notes for the columns.
    grid : mapping
        Choice name -> the values to try (each non-empty, no duplicates). Every combination
        (``itertools.product``, in grid order) is one specification.
    alpha : float
        A specification is significant if ``p_value < alpha``; also the level of intervals
        filled in from standard errors.
    null : NullDraws, optional
        Null values; the design is re-run on the whole grid for each (``placebo=value``) and
        the joint p-values are computed (see the module notes).
    alternative : {"two-sided", "greater", "less"}
        Alternative of the joint tests.
    name : str
        What the estimate is, for titles.

    Returns
    -------
    SpecCurveResults

    Examples
    --------
    >>> def design(shift, scale, placebo=None):
    ...     effect = 0.0 if placebo is not None else 1.0
    ...     return {"estimate": scale * (effect + shift), "se": 0.1}
    >>> res = spec_curve(design, {"shift": [0.0, 0.1], "scale": [1, 2]},
    ...                  null=NullDraws(values=range(19), label="placebo unit"))
    >>> res.curve_summary.share_sig_positive, res.joint.p_median, res.joint.p_floor
    (1.0, 0.05, 0.05)
    """
    alpha = _check_alpha(alpha)
    check_option("alternative", alternative, Alternative)
    if null is not None and not isinstance(null, NullDraws):
        raise TypeError(f"null must be a NullDraws, got {type(null).__name__}")
    runner = _as_design(design)
    specs, grid_t = _spec_table(grid)

    raw = _call(runner, specs, None, use_placebo=False)
    est = _normalise(raw, alpha, where="design output")
    ok = est["skip_reason"].isna().to_numpy()
    table = pd.concat([specs[ok], est.loc[ok, list(RESULT_COLUMNS)]], axis=1)
    skipped = specs[~ok].assign(reason=est.loc[~ok, "skip_reason"].to_numpy())
    if not ok.any():
        reasons = "; ".join(sorted(set(skipped["reason"])))[:500]
        raise ValueError(f"spec_curve: every specification was skipped ({reasons})")

    curve = _curve_stats(table, alpha, n_skipped=int((~ok).sum()))
    joint = None
    if null is not None:
        joint = _joint_inference(runner, specs, null, curve, alpha, alternative)
    return SpecCurveResults(
        table=table,
        skipped=skipped,
        grid=grid_t,
        curve_summary=curve,
        joint=joint,
        alpha=alpha,
        alternative=alternative,
        name=name,
    )


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.floating):
        raise TypeError(f"alpha must be a number in (0, 1), got {alpha!r}")
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return float(alpha)


def _as_design(design: Any) -> Any:
    if hasattr(design, "run") and callable(design.run):
        return design
    if callable(design):
        return PerSpecDesign(design)
    raise TypeError(
        "design must have a run(specs, placebo=None) method (SpecDesign) or be a function of "
        f"keyword choices; got {type(design).__name__}"
    )


def _spec_table(grid: Mapping[str, Sequence[Any]]) -> tuple[pd.DataFrame, dict[str, tuple]]:
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError("grid must be a non-empty mapping: choice name -> list of values")
    out: dict[str, tuple[Any, ...]] = {}
    for key, values in grid.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ValueError(f"grid: choice name {key!r} must be a Python identifier")
        if key in _RESERVED:
            raise ValueError(
                f"grid: choice name {key!r} is reserved; avoid {sorted(_RESERVED)}"
            )
        if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
            raise ValueError(f"grid[{key!r}] must be a list of values, got {values!r}")
        vals = tuple(values)
        if not vals:
            raise ValueError(f"grid[{key!r}] is empty; give at least one value")
        if len(set(map(repr, vals))) != len(vals):
            raise ValueError(f"grid[{key!r}] has duplicate values: {list(vals)!r}")
        out[key] = vals
    combos = list(itertools.product(*out.values()))
    specs = pd.DataFrame(
        {k: pd.Series([c[i] for c in combos], dtype=object) for i, k in enumerate(out)}
    )
    for k in out:  # keep numeric choices numeric where every value is a plain number
        if all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in out[k]):
            specs[k] = pd.to_numeric(specs[k])
    specs.index = pd.RangeIndex(len(specs), name="spec")
    return specs, out


def _call(runner: Any, specs: pd.DataFrame, placebo: Any, *, use_placebo: bool) -> pd.DataFrame:
    if isinstance(runner, PerSpecDesign):
        out = runner._run(specs, placebo, use_placebo)
    elif use_placebo:
        out = runner.run(specs.copy(), placebo=placebo)
    else:
        out = runner.run(specs.copy())
    if not isinstance(out, pd.DataFrame):
        raise TypeError(f"design.run must return a DataFrame, got {type(out).__name__}")
    if len(out) != len(specs):
        raise ValueError(
            f"design.run returned {len(out)} rows for {len(specs)} specifications; it must "
            "return one row per specification, in order (mark inadmissible ones in skip_reason)"
        )
    out = out.copy()
    out.index = specs.index
    return out


def _normalise(raw: pd.DataFrame, alpha: float, *, where: str) -> pd.DataFrame:
    """Fill se / interval / p-value / statistic from what the design gave; vectorised."""
    if "estimate" not in raw.columns:
        raise ValueError(f"{where}: no 'estimate' column (got {list(raw.columns)})")
    live = (
        raw["skip_reason"].isna() | (raw["skip_reason"] == "")
        if "skip_reason" in raw.columns
        else pd.Series(True, index=raw.index)
    )
    has = {c: c in raw.columns and raw.loc[live, c].notna().any() for c in RESULT_COLUMNS}
    if live.any() and not (has["p_value"] or has["se"] or (has["ci_low"] and has["ci_high"])):
        raise ValueError(
            f"{where}: give 'p_value', 'se' or both 'ci_low' and 'ci_high' (got "
            f"{list(raw.columns)})"
        )
    z = stats.norm.ppf(1 - alpha / 2)

    def col(name: str) -> np.ndarray:
        if name in raw.columns:
            return pd.to_numeric(raw[name], errors="coerce").to_numpy(dtype=float)
        return np.full(len(raw), np.nan)

    b, se, lo, hi, p = (col(c) for c in ("estimate", "se", "ci_low", "ci_high", "p_value"))
    se = np.where(np.isnan(se), (hi - lo) / (2 * z), se)
    lo = np.where(np.isnan(lo), b - z * se, lo)
    hi = np.where(np.isnan(hi), b + z * se, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = b / se
        p = np.where(np.isnan(p), 2 * stats.norm.sf(np.abs(t)), p)
        t = np.where(np.isnan(t), np.sign(b) * stats.norm.isf(p / 2), t)
    bad_p = (p < 0) | (p > 1)
    if bad_p.any():
        raise ValueError(f"{where}: p-values outside [0, 1] (row {int(np.flatnonzero(bad_p)[0])})")
    reason = (
        raw["skip_reason"].astype(object).where(raw["skip_reason"].notna(), None)
        if "skip_reason" in raw.columns
        else pd.Series([None] * len(raw), index=raw.index, dtype=object)
    )
    reason = reason.map(lambda r: None if r is None or (isinstance(r, str) and not r) else str(r))
    missing = reason.isna().to_numpy() & (np.isnan(b) | np.isnan(p))
    reason[missing] = "design returned no estimate or p-value (NaN)"
    n = col("n")
    return pd.DataFrame(
        {
            "estimate": b,
            "se": se,
            "statistic": t,
            "ci_low": lo,
            "ci_high": hi,
            "p_value": p,
            "n": pd.Series(np.round(n)).astype("Int64").to_numpy(),
            "skip_reason": reason.to_numpy(),
        },
        index=raw.index,
    )


def _curve_stats(table: pd.DataFrame, alpha: float, n_skipped: int) -> CurveSummary:
    b = table["estimate"].to_numpy(dtype=float)
    p = table["p_value"].to_numpy(dtype=float)
    z = table["statistic"].to_numpy(dtype=float)
    med = float(np.median(b))
    sig = p < alpha
    direction = "positive" if med > 0 else "negative" if med < 0 else "zero"
    same = np.mean(np.sign(b) == np.sign(med)) if med != 0 else np.mean(b == 0)
    finite = np.isfinite(z)
    stouffer = float(z[finite].sum() / np.sqrt(finite.sum())) if finite.any() else np.nan
    return CurveSummary(
        n_specs=len(b),
        n_skipped=n_skipped,
        median=med,
        min=float(b.min()),
        max=float(b.max()),
        direction=direction,
        share_positive=float(np.mean(b > 0)),
        share_negative=float(np.mean(b < 0)),
        share_same_sign=float(same),
        share_significant=float(sig.mean()),
        share_sig_positive=float((sig & (b > 0)).mean()),
        share_sig_negative=float((sig & (b < 0)).mean()),
        stouffer=stouffer,
        alpha=alpha,
    )


def _null_long(runner: Any, specs: pd.DataFrame, values: list[Any], alpha: float) -> pd.DataFrame:
    """Every (draw, spec) estimate under the null, normalised; columns draw, spec, ..."""
    if hasattr(runner, "run_null") and callable(runner.run_null):
        long = runner.run_null(specs.copy(), list(values))
        if not isinstance(long, pd.DataFrame) or not {"draw", "spec"} <= set(long.columns):
            raise ValueError("design.run_null must return a DataFrame with 'draw' and 'spec'")
        keys = long[["draw", "spec"]].reset_index(drop=True)
        body = _normalise(long.reset_index(drop=True), alpha, where="design.run_null output")
    else:
        parts = [_call(runner, specs, v, use_placebo=True) for v in values]
        raw = pd.concat(parts, ignore_index=True)
        keys = pd.DataFrame(
            {
                "draw": np.repeat(np.arange(len(values)), len(specs)),
                "spec": np.tile(np.arange(len(specs)), len(values)),
            }
        )
        body = _normalise(raw, alpha, where="design output under the null")
    return pd.concat([keys, body], axis=1)


def _joint_inference(
    runner: Any,
    specs: pd.DataFrame,
    null: NullDraws,
    curve: CurveSummary,
    alpha: float,
    alternative: str,
) -> JointInference:
    values = null.chosen()
    target = runner.func if isinstance(runner, PerSpecDesign) else runner.run
    if not hasattr(runner, "run_null") and not _accepts(target, "placebo"):
        raise TypeError(
            f"null draws need a design that accepts placebo=...; {target!r} does not (the "
            "design must estimate the same quantity as if the placebo value were treated)"
        )
    long = _null_long(runner, specs, values, alpha)
    long = long[long["skip_reason"].isna()]
    b = long["estimate"].to_numpy(dtype=float)
    sig = long["p_value"].to_numpy(dtype=float) < alpha
    z = long["statistic"].to_numpy(dtype=float)
    zf = np.where(np.isfinite(z), z, 0.0)
    work = pd.DataFrame(
        {
            "draw": long["draw"].to_numpy(),
            "estimate": b,
            "sig": sig,
            "sig_pos": sig & (b > 0),
            "sig_neg": sig & (b < 0),
            "z": zf,
            "zn": np.isfinite(z),
        }
    )
    g = work.groupby("draw", sort=True)
    draws = pd.DataFrame(
        {
            "n_specs": g.size(),
            "median": g["estimate"].median(),
            "share_significant": g["sig"].mean(),
            "share_sig_positive": g["sig_pos"].mean(),
            "share_sig_negative": g["sig_neg"].mean(),
            "stouffer": g["z"].sum() / np.sqrt(g["zn"].sum().where(lambda s: s > 0)),
        }
    )
    used = draws.index.to_numpy()
    failed = tuple(v for i, v in enumerate(values) if i not in set(used.tolist()))
    draws.insert(0, "placebo", [values[i] for i in used])
    draws = draws.reset_index(drop=True)
    draws.index.name = "draw"
    B = len(draws)
    if B == 0:
        raise ValueError("spec_curve: no null draw gave any estimate; joint inference impossible")

    def pv(null_stat: np.ndarray, obs: float) -> float:
        return float((1 + np.sum(null_stat >= obs - 1e-12 * max(1.0, abs(obs)))) / (1 + B))

    m_b, m = draws["median"].to_numpy(), curve.median
    s_b = draws["share_significant"].to_numpy()
    pos_b, neg_b = draws["share_sig_positive"].to_numpy(), draws["share_sig_negative"].to_numpy()
    z_b, zz = draws["stouffer"].to_numpy(), curve.stouffer
    if alternative == "two-sided":
        p_med = pv(np.abs(m_b), abs(m))
        obs_dom = curve.share_sig_negative if curve.direction == "negative" else curve.share_sig_positive
        p_dom = pv(np.maximum(pos_b, neg_b), obs_dom)
        p_z = pv(np.abs(z_b), abs(zz))
    elif alternative == "greater":
        p_med, p_dom, p_z = pv(m_b, m), pv(pos_b, curve.share_sig_positive), pv(z_b, zz)
    else:
        p_med, p_dom, p_z = pv(-m_b, -m), pv(neg_b, curve.share_sig_negative), pv(-z_b, -zz)
    return JointInference(
        n_draws=B,
        p_floor=1.0 / (B + 1),
        p_median=p_med,
        p_share_significant=pv(s_b, curve.share_significant),
        p_share_dominant=p_dom,
        p_stouffer=p_z,
        alternative=alternative,
        label=null.label,
        n_failed=len(failed),
        draws=draws,
        failed=failed,
    )


def _accepts(func: Callable[..., Any], name: str) -> bool:
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: let the call decide
        return True
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in params)


def _pct(share: float) -> str:
    if 0 < share < 0.01:
        return "less than 1%"
    if 0.99 < share < 1:
        return "more than 99%"
    return f"{100 * share:.0f}%"


def _pval(p: float, digits: int) -> str:
    """``digits`` significant digits, trailing zeros kept (0.30, not 0.3; 0.084; 0.002)."""
    return f"{p:#.{digits}g}".rstrip(".")
