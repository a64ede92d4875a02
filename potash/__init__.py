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

# --- market (issue 3) ---
from .market import (
    MarketShares,
    UnitValues,
    buyer_mix,
    hhi,
    import_shares,
    market_shares,
    mirror_flows,
    share_shift,
    unit_values,
)
from .routes import klaipeda_cargo, load_routes, route_mix, route_shares

__all__ += [
    "MarketShares",
    "UnitValues",
    "buyer_mix",
    "hhi",
    "import_shares",
    "klaipeda_cargo",
    "load_routes",
    "market_shares",
    "mirror_flows",
    "route_mix",
    "route_shares",
    "share_shift",
    "unit_values",
]
