"""Returns event studies: windows, normal-return models, the test battery, results.

``event_study`` stacks every security-event pair into NaN-masked 3-D arrays and estimates the
models and statistics in batch. The study of the Belarus sanctions on the listed producers is
:func:`potash.analyses.equities.sanctions_event_study`.
"""

from potash.estimators.eventstudy.core import event_study
from potash.estimators.eventstudy.results import EventStudyResults

__all__ = ["EventStudyResults", "event_study"]
