"""Export the exact monthly price series used by the R references (prices_its.R, prices_breaks.R).

Run from the worktree root:  /work/venv/bin/python tests/results/prices_export.py

Writes ``tests/results/prices_input.csv`` in the tidy prices schema (``date, series, value,
unit``) from ``potash.load_prices(vintage="2026-06-02")`` (World Bank Pink Sheet, June 2026
vintage, the only one that reaches 2026M05), so that R and Python read identical numbers.
Values are written with ``repr`` (shortest round-trip) precision; the June file stores
2 decimals. ``tests/test_prices_r.py`` checks that the CSV still equals the loader's output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "prices_input.csv"
VINTAGE = "2026-06-02"
SERIES = ("dap", "natural_gas_europe", "potassium_chloride", "tsp", "urea")
START, END = "2015-01-01", "2026-05-01"


def export_frame() -> pd.DataFrame:
    """The exported rows, as the package loads them."""
    sys.path.insert(0, str(ROOT))
    from potash import load_prices

    p = load_prices(vintage=VINTAGE)
    p = p[p["series"].isin(SERIES) & (p["date"] >= START) & (p["date"] <= END)]
    out = p.sort_values(["series", "date"]).reset_index(drop=True)
    return out.astype({"series": str, "unit": str})


if __name__ == "__main__":
    df = export_frame()
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    df.to_csv(OUT, index=False, lineterminator="\n")
    print(f"wrote {OUT} ({len(df)} rows)")
