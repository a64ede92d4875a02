"""Shared protocol of potash results objects.

Every analysis returns an object with read-only estimates, a tidy ``summary_frame()``, a
``summary`` built on :class:`statsmodels.iolib.summary2.Summary` (text, HTML and LaTeX), and
``plot(ax=None)`` returning a matplotlib Figure. A notebook cell shows the summary table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from statsmodels.iolib.summary2 import Summary


class ResultsBase:
    """Base class: subclasses implement ``summary_frame``, ``_title`` and ``plot``.

    Subclasses may override ``_notes`` to add lines under the table (conventions used,
    warnings such as clustered event dates).
    """

    _title: str = "potash results"

    def summary_frame(self) -> pd.DataFrame:  # pragma: no cover - abstract
        """Return the main results as a tidy DataFrame."""
        raise NotImplementedError

    def _notes(self) -> list[str]:
        return []

    @property
    def summary(self) -> Summary:
        """The results table as a statsmodels ``Summary`` (``.as_text()``, ``.as_html()``, ``.as_latex()``)."""
        smry = Summary()
        smry.add_title(self._title)
        frame = self.summary_frame()
        shown = _format_frame(frame)
        for col in shown.columns:  # integers and dates as plain text (summary2 would add decimals)
            if not pd.api.types.is_object_dtype(shown[col]) and not pd.api.types.is_string_dtype(
                shown[col]
            ):
                shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else str(v))
        smry.add_df(shown, index=not isinstance(frame.index, pd.RangeIndex))
        for note in self._notes():
            smry.add_text(note)
        return smry

    def __str__(self) -> str:
        return self.summary.as_text()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>\n{self.summary.as_text()}"

    def _repr_html_(self) -> str:
        return self.summary.as_html()

    def plot(self, ax: Any = None) -> Any:  # pragma: no cover - abstract
        """Plot the results; returns the matplotlib Figure."""
        raise NotImplementedError


def _format_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats to 4 significant digits; dates without a time of day as YYYY-MM-DD."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.4g}")
        elif pd.api.types.is_datetime64_any_dtype(out[col]):
            d = out[col]
            midnight = bool((d.dropna() == d.dropna().dt.normalize()).all())
            out[col] = d.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M").fillna("")
    return out


#: The one column convention of ``summary_frame()`` for estimates (columns a results object
#: cannot fill are absent or NaN; extra columns follow these).
SUMMARY_COLUMNS = ("estimate", "se", "statistic", "p_value", "ci_low", "ci_high")

_ALIASES = {
    "coef": "estimate", "params": "estimate", "car": "estimate", "caar": "estimate",
    "std_err": "se", "std_error": "se", "bse": "se", "t": "statistic", "z": "statistic",
    "pvalue": "p_value", "p": "p_value", "P>|z|": "p_value", "P>|t|": "p_value",
    "lower": "ci_low", "upper": "ci_high", "ci_lower": "ci_low", "ci_upper": "ci_high",
}


def compare(results: dict[str, Any] | list[Any], *, columns: tuple[str, ...] = SUMMARY_COLUMNS
            ) -> pd.DataFrame:
    """One table of several results: their ``summary_frame()`` rows side by side.

    Parameters
    ----------
    results : dict of name -> results object, or list of results objects
        Each has ``summary_frame()``; a list is named ``model 1, model 2, ...``.
    columns : tuple of str
        Columns kept from each frame (the summary convention by default); common aliases
        (``coef``, ``std_err``, ``pvalue``, ...) are read under these names.

    Returns
    -------
    DataFrame
        Index ``(model, term)``, the requested columns (NaN where a model has none).

    Raises
    ------
    TypeError
        An item has no ``summary_frame()``.

    Examples
    --------
    >>> class R(ResultsBase):
    ...     def __init__(self, b): self.b = b
    ...     def summary_frame(self):
    ...         return pd.DataFrame({"estimate": [self.b], "se": [0.1]}, index=["x"])
    >>> compare({"a": R(1.0), "b": R(2.0)})["estimate"].tolist()
    [1.0, 2.0]
    """
    items = results.items() if isinstance(results, dict) else (
        (f"model {i + 1}", r) for i, r in enumerate(results))
    frames = []
    for name, res in items:
        if not hasattr(res, "summary_frame"):
            raise TypeError(f"{name}: {type(res).__name__} has no summary_frame()")
        f = res.summary_frame().rename(columns=_ALIASES)
        f = f.reindex(columns=list(columns))
        f.index = pd.MultiIndex.from_arrays(
            [[str(name)] * len(f), [str(i) for i in f.index]], names=["model", "term"])
        frames.append(f)
    if not frames:
        raise ValueError("compare: no results given")
    return pd.concat(frames)
