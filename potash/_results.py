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
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.4g}")
    return out
