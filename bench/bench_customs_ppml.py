"""Benchmark of the monthly PPML (issue 12): pyfixest ``fepois`` against statsmodels GLM with dummies.

One command, from the repository root::

    python bench/bench_customs_ppml.py

1. The full importer x origin x month panel of the partner customs (all 14 importers,
   2014-2026, HS 3104, zeros in reported months) with importer x month and importer x origin
   fixed effects and the Belarus x window x destination-group terms of
   :func:`potash.analyses.buyers.monthly_trade_event_study`, fitted by pyfixest ``fepois``
   (target: under 30 s).
2. The largest sub-panel that statsmodels GLM (Poisson) with dummy fixed effects fits here
   (``--importers``, default Brazil and India 2019-2024: larger sub-panels with China or
   Indonesia made statsmodels IRLS diverge, NaN weights, on this data), by both
   methods: same coefficients (checked), time ratio and peak memory of each.

Peak memory is measured with ``tracemalloc`` (Python allocations, numpy included).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from potash.analyses.buyers import (  # noqa: E402
    DESTINATION_GROUPS,
    WINDOWS,
    _ppml_design,
    customs_flow_panel,
)
from potash.estimators.fixest import fe_fit  # noqa: E402


def _measure(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    sec = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, sec, peak


def _glm_dummies(x: pd.DataFrame, terms: list[str]) -> pd.Series:
    import statsmodels.api as sm

    # drop what fepois drops: fixed-effect groups whose flows are all zero (their effect is -inf)
    while True:
        n = len(x)
        for c in ("importer_month", "importer_origin"):
            x = x[x.groupby(c)["quantity_t"].transform("sum") > 0]
        if len(x) == n:
            break
    fe = pd.get_dummies(x[["importer_month", "importer_origin"]].astype(str), drop_first=True,
                        dtype=float)
    design = pd.concat([x[terms].astype(float), fe], axis=1)
    design.insert(0, "const", 1.0)
    fit = sm.GLM(x["quantity_t"].to_numpy(float) / 1e3, design, family=sm.families.Poisson()).fit(
        maxiter=200, tol=1e-10)
    return fit.params[terms]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--importers", default="BRA,IND")
    ap.add_argument("--start", default="2019-01")
    ap.add_argument("--end", default="2024-12")
    a = ap.parse_args()
    full = customs_flow_panel()
    x, terms = _ppml_design(full, "BLR", WINDOWS, DESTINATION_GROUPS)
    res, sec, peak = _measure(lambda: fe_fit(x, "quantity_t", terms,
                                             ["importer_month", "importer_origin"],
                                             family="poisson", cluster="importer_origin"))
    print(f"full panel: {len(x):,} cells, {x['importer_month'].nunique():,} importer-months, "
          f"{x['importer_origin'].nunique():,} pairs, {len(terms)} terms")
    print(f"  pyfixest fepois: {sec:.2f} s, peak {peak:.0f} MiB  (target < 30 s: "
          f"{'met' if sec < 30 else 'NOT met'})")
    sub = customs_flow_panel(importers=a.importers.split(","), start=a.start, end=a.end)
    xs, ts = _ppml_design(sub, "BLR", WINDOWS, {})
    n_fe = xs["importer_month"].nunique() + xs["importer_origin"].nunique()
    print(f"sub-panel {a.importers} {a.start}..{a.end}: {len(xs):,} cells, {n_fe:,} dummies")
    r_fx, s_fx, m_fx = _measure(lambda: fe_fit(xs, "quantity_t", ts,
                                               ["importer_month", "importer_origin"],
                                               family="poisson")["estimate"])
    r_sm, s_sm, m_sm = _measure(lambda: _glm_dummies(xs, ts))
    diff = float(np.max(np.abs(r_fx.to_numpy() - r_sm.reindex(r_fx.index).to_numpy())))
    print(f"  pyfixest fepois: {s_fx:.2f} s, peak {m_fx:.0f} MiB")
    print(f"  statsmodels GLM dummies: {s_sm:.2f} s, peak {m_sm:.0f} MiB")
    print(f"  ratio statsmodels/pyfixest: time {s_sm / s_fx:.1f}x, memory {m_sm / max(m_fx, 1e-9):.1f}x;"
          f" max |coef difference| {diff:.2e}")


if __name__ == "__main__":
    main()
