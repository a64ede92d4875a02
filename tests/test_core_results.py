"""The shared results base: how ``summary`` renders a summary_frame."""

from __future__ import annotations

import pandas as pd

from potash.core.results import ResultsBase


class _R(ResultsBase):
    _title = "t"

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def summary_frame(self) -> pd.DataFrame:
        return self.frame


def test_dates_print_as_dates_and_floats_to_four_digits() -> None:
    f = pd.DataFrame({"trading_date": pd.to_datetime(["2025-12-15", None]),
                      "estimate": [0.0216543, float("nan")]})
    text = _R(f).summary.as_text()
    assert "2025-12-15" in text and "00:00:00" not in text and "NaT" not in text
    assert "0.02165" in text and "0.0216543" not in text


def test_a_time_of_day_is_kept_when_there_is_one() -> None:
    f = pd.DataFrame({"stamp": pd.to_datetime(["2025-12-15 14:30"]), "estimate": [1.0]})
    assert "2025-12-15 14:30" in _R(f).summary.as_text()
