"""Export the exact monthly price series used by the R references (prices_its.R, prices_breaks.R).

Run from the worktree root:  /work/venv/bin/python tests/results/prices_export.py

Writes ``tests/results/prices_input.csv`` in the tidy prices schema (``date, series, value,
unit``) so that R and Python read identical numbers. Until the data layer's
``potash.load_prices`` lands on this branch, this script reads the World Bank Pink Sheet workbook
(June 2026 vintage, the only one that reaches 2026M05) directly; it is a test/R-export step only.
Values are written with ``repr`` (shortest round-trip) precision (the June file stores 2 decimals).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "data/raw/worldbank_cmo/vintage_2026-06-02/CMO-Historical-Data-Monthly.xlsx"
OUT = Path(__file__).resolve().parent / "prices_input.csv"
COLUMNS = {  # header in row 5 of "Monthly Prices" -> tidy series name
    "Potassium chloride **": "potassium_chloride",
    "Urea ": "urea",
    "DAP": "dap",
    "TSP": "tsp",
    "Natural gas, Europe": "natural_gas_europe",
}
START, END = "2015-01-01", "2026-05-01"


def read_pink_sheet(path: Path = WORKBOOK) -> pd.DataFrame:
    raw = pd.read_excel(path, sheet_name="Monthly Prices", header=None)
    names, units = raw.iloc[4], raw.iloc[5]
    body = raw.iloc[6:]
    dates = pd.to_datetime(body[0].str.replace("M", "-", regex=False) + "-01")
    frames = []
    for col in raw.columns[1:]:
        name = names[col]
        if name not in COLUMNS:
            continue
        vals = pd.to_numeric(body[col].replace("…", None), errors="coerce")
        frames.append(
            pd.DataFrame(
                {
                    "date": dates.to_numpy(),
                    "series": COLUMNS[name],
                    "value": vals.to_numpy(dtype=float),
                    "unit": str(units[col]).strip("()"),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out = out[(out["date"] >= START) & (out["date"] <= END)].dropna(subset=["value"])
    return out.sort_values(["series", "date"]).reset_index(drop=True)


if __name__ == "__main__":
    df = read_pink_sheet()
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    df.to_csv(OUT, index=False, lineterminator="\n")
    print(f"wrote {OUT} ({len(df)} rows)")
