"""Write the reduced real panels that tests/results/buyers_fe.R fits (run from the repo root).

    python tests/results/buyers_export.py && Rscript tests/results/buyers_fe.R

1. ``buyers_uv_panel.csv``: log unit values of Belarus and Russia in the CIF importers' HS 3104
   imports (mirror data), importer-months holding both, 2019-01 to 2023-12, windows as in
   ``potash.analyses.buyers.WINDOWS``; regressor ``BLR_x_sanctions``, ``BLR_x_post_klaipeda``.
2. ``buyers_ppml_panel.csv``: Brazil's and India's monthly imports by origin 2019-2024 (zeros in
   reported months), origins with at least 1% of the importer's tonnes, terms ``T_x_sanctions_other``, ``T_x_post_klaipeda_other``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from potash.analyses.buyers import (  # noqa: E402
    WINDOWS,
    _ppml_design,
    _uv_panel,
    assign_window,
    customs_flow_panel,
)
from potash.estimators.fixest import interaction_terms  # noqa: E402

HERE = Path(__file__).parent

if __name__ == "__main__":
    g = _uv_panel(None, "BLR", "RUS", "CIF", "3104", None)
    g = g[(g["period"] >= "2019-01") & (g["period"] <= "2023-12")].reset_index(drop=True)
    g["window"] = assign_window(g["period"], WINDOWS)
    x = interaction_terms(g, "origin", ["BLR"], "window", ["sanctions", "post_klaipeda"])
    out = g[["importer_month", "reporter_iso3", "origin", "log_uv"]].join(x)
    out.to_csv(HERE / "buyers_uv_panel.csv", index=False, float_format="%.12g")
    p = customs_flow_panel(importers=["BRA", "IND"], start="2019-01", end="2024-12")
    # reduced: the origins holding at least 1% of an importer's tonnes (tiny pairs make IRLS
    # diverge in R glm and statsmodels alike; pyfixest handles them, the reference cannot)
    tot = p.groupby("importer_origin")["quantity_t"].transform("sum")
    p = p[tot >= 0.01 * p.groupby("importer")["quantity_t"].transform("sum")]
    p = p[p.groupby("importer_month")["quantity_t"].transform("sum") > 0].reset_index(drop=True)
    xp, terms = _ppml_design(p, "BLR", WINDOWS, {})
    xp[["importer_month", "importer_origin", "quantity_t", *terms]].to_csv(
        HERE / "buyers_ppml_panel.csv", index=False, float_format="%.12g")
    print(len(out), len(xp), terms)
