"""potash: what the Belarus potash sanctions, and their lifting, did to the potash market.

Loaders turn the real shipped data into tidy, validated tables; the analysis modules run
event studies on equity returns, commodity prices and trade flows around one sanctions
calendar; ``potash.figures`` draws the findings.

Examples
--------
>>> import potash
>>> potash.__version__
'0.1.0'
"""

from .errors import PotashDataError

__version__ = "0.1.0"

__all__ = ["PotashDataError", "__version__"]

# -- events (issue 6): returns event-study engine --
from .eventstudy import EventStudyResults, event_study, sanctions_event_study

__all__ += ["EventStudyResults", "event_study", "sanctions_event_study"]
