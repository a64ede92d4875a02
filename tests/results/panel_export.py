"""Write the exact PPML panels that tests/results/panel_ppml.R fits in R.

Run from the repository root:

    /work/venv/bin/python tests/results/panel_export.py
    Rscript tests/results/panel_ppml.R > tests/results/panel_ppml_output.txt

Files written (committed; CI reads them, it has no R):
- panel_faostat_mop.csv: FAOSTAT export quantity of potassium chloride (MOP), exporters
  whose mean annual export quantity over 2010-2023 (years with a row) exceeds 100,000 t,
  2010-2023, treated = BLR, post = year >= 2022, with the event-time dummies of the default
  event-time design (leads=4 binned, reference -1, lags to the end of the sample).
- panel_synthetic_bilateral.csv: a seeded exporter x importer x year Poisson panel with zeros
  (an all-zero importer and an all-zero year dropped as separated), for the pair-clustered and
  heteroskedasticity-robust conventions.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from potash.analyses.trade import trade_event_study  # noqa: E402

HERE = Path(__file__).resolve().parent
FAOSTAT_SPEC = {"years": (2010, 2023), "min_quantity": 100_000.0, "min_quantity_rule": "mean"}


def faostat_trade() -> pd.DataFrame:
    """The FAOSTAT trade table: the package loader when present, else the raw-file helper."""
    return _faostat_trade().copy()


@functools.cache
def _faostat_trade() -> pd.DataFrame:
    try:
        from potash.data import load_trade  # type: ignore[attr-defined]
    except ImportError:
        from _panel_raw import faostat_mop_exports

        return faostat_mop_exports()
    return load_trade("faostat")


def synthetic_bilateral(seed: int = 20260) -> pd.DataFrame:
    """Seeded bilateral Poisson panel (truth: treated_post = -0.5) with separated cells."""
    rng = np.random.default_rng(seed)
    exporters = ["BLR", "CAN", "DEU", "ISR", "JOR", "RUS"]
    importers = ["BRA", "CHN", "IDN", "IND", "POL", "USA", "ZZZ"]
    years = np.arange(2014, 2024)
    g = pd.MultiIndex.from_product([exporters, importers, years], names=["e", "i", "t"]).to_frame(
        index=False
    )
    a = dict(zip(exporters, rng.normal(0, 0.8, len(exporters)), strict=True))
    b = dict(zip(importers, rng.normal(0, 0.8, len(importers)), strict=True))
    c = dict(zip(years, rng.normal(0, 0.2, len(years)), strict=True))
    d = ((g["e"] == "BLR") & (g["t"] >= 2022)).astype(float)
    eta = 3.0 + g["e"].map(a) + g["i"].map(b) + g["t"].map(c) - 0.5 * d
    y = rng.poisson(np.exp(eta)).astype(float)
    y[g["i"].eq("ZZZ").to_numpy()] = 0.0  # an importer that never buys: separated
    y[g["t"].eq(2014).to_numpy()] = 0.0  # a year with no trade at all: separated
    return pd.DataFrame(
        {
            "year": g["t"],
            "reporter_iso3": g["e"],
            "partner_iso3": g["i"],
            "flow": "export",
            "product": "potassium_chloride",
            "quantity_t": y,
        }
    )


def _with_dummies(res) -> pd.DataFrame:
    panel = res.panel
    X = res.model_result.model.exog
    names = res.model_result.model.exog_names
    for term in res.terms:
        panel[term] = X[:, names.index(term)]
    return panel


def main() -> None:
    trade = faostat_trade()
    did = trade_event_study(trade, **FAOSTAT_SPEC)
    es = trade_event_study(trade, **FAOSTAT_SPEC, event_time=True)
    out = _with_dummies(es)
    out["treated_post"] = did.panel["treated_post"].to_numpy()
    cols = ["exporter", "year", "y", "treated_post", *es.terms]
    out[cols].to_csv(HERE / "panel_faostat_mop.csv", index=False, float_format="%.17g")

    bil = trade_event_study(
        synthetic_bilateral(),
        level="bilateral",
        fixed_effects=("exporter", "importer", "time"),
        cluster="pair",
    )
    p = bil.panel
    p[["exporter", "importer", "pair", "year", "y", "treated_post"]].to_csv(
        HERE / "panel_synthetic_bilateral.csv", index=False, float_format="%.17g"
    )
    print(f"faostat panel: {len(out)} rows, {out['exporter'].nunique()} exporters")
    print(f"bilateral panel: {len(p)} rows used, {len(bil.dropped)} dropped")


if __name__ == "__main__":
    main()
