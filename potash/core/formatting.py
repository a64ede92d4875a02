"""Numbers formatted for reading in the report: thousands separators, significant digits."""

from __future__ import annotations

__all__ = ["round_sig"]


def round_sig(x: float, digits: int = 3) -> str:
    """Format ``x`` for reading: whole with separators from 1,000, else ``digits`` significant.

    Examples
    --------
    >>> [round_sig(v) for v in (-6314439.75, 1202.0, 0.191428, 12.0, 0.0, -0.00012345)]
    ['-6,314,440', '1,202', '0.191', '12', '0', '-0.000123']
    """
    import math

    if not math.isfinite(x):
        return str(x)
    if abs(x) >= 1000 or x == 0:
        return f"{x:,.0f}"
    decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
