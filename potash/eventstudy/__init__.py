"""Returns event studies: windows, normal-return models, the test battery, results.

``event_study`` stacks every security-event pair into NaN-masked 3-D arrays and estimates the
models and statistics in batch; ``sanctions_event_study`` runs it on the shipped equity data and
sanctions calendar.
"""

from .core import event_study
from .results import EventStudyResults
from .sanctions import CONTRAST, PRODUCERS, SanctionsEventStudyResults, sanctions_event_study

__all__ = [
    "CONTRAST",
    "PRODUCERS",
    "EventStudyResults",
    "SanctionsEventStudyResults",
    "event_study",
    "sanctions_event_study",
]
