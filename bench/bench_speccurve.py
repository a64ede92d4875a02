"""Benchmark of the specification-curve engine (issue 11): batched design against a per-spec loop.

One command, from the repository root::

    python bench/bench_speccurve.py            # 2,000 observations, 108 specs, 100 null draws
    python bench/bench_speccurve.py --quick    # 500 observations, 20 null draws

Generated, seeded OLS data (``tests/_speccurve_designs.py``): ``y = 0.3 x + c1 + 0.5 c2 + e``,
a grid over controls (3), sample (3), outlier trimming (6) and covariance (2). Null draws
permute ``x`` with a seed per draw (randomization inference). It times

1. the per-spec path: :func:`potash.estimators.speccurve.per_spec` around one statsmodels OLS
   fit per specification (and per draw);
2. the batched path: ``BatchedOLS.run``, every specification in one batched normal-equations
   solve per draw;
3. the engine's own overhead (a design that returns constants) for 300 specs x 500 draws,
   the size of the equity curve in issue 11;

checks that both give the same curve and p-values, and prints the speed ratio. It is not wired
into ``bench/run_all.py``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from _speccurve_designs import OLS_GRID, BatchedOLS, ols_data, ols_one  # noqa: E402

from potash.estimators.speccurve import NullDraws, per_spec, spec_curve  # noqa: E402

SEED = 20261129
GRID = {**OLS_GRID, "trim": [0.0, 0.005, 0.01, 0.02, 0.05, 0.1]}


def timed(fn, repeat: int = 1):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="500 observations, 20 null draws")
    args = ap.parse_args(argv)
    n_obs, n_draws = (500, 20) if args.quick else (2000, 100)
    data = ols_data(n=n_obs, effect=0.3, seed=SEED)
    null = NullDraws(values=range(SEED, SEED + n_draws), label="permutation")
    n_specs = int(np.prod([len(v) for v in GRID.values()]))
    print(f"speccurve benchmark: {n_obs} obs, {n_specs} specs, B = {n_draws} null draws "
          f"({platform.python_version()}, {platform.machine()})")

    loop = per_spec(lambda **kw: ols_one(data, **kw))
    batch = BatchedOLS(data)
    rows = []
    for label, kw in [("curve only", {}), (f"curve + {n_draws} null draws", {"null": null})]:
        t_loop, r_loop = timed(lambda kw=kw: spec_curve(loop, GRID, **kw))
        t_batch, r_batch = timed(lambda kw=kw: spec_curve(batch, GRID, **kw), repeat=3)
        cols = ["estimate", "se", "p_value"]
        np.testing.assert_allclose(r_batch.table[cols], r_loop.table[cols], rtol=1e-7, atol=1e-12)
        if "null" in kw:
            assert r_batch.joint.p_median == r_loop.joint.p_median
        rows.append((label, t_loop, t_batch))
    print(f"{'':28s} {'per-spec loop':>14s} {'batched':>10s} {'ratio':>8s}")
    for label, t_loop, t_batch in rows:
        print(f"{label:28s} {t_loop:13.3f}s {t_batch:9.3f}s {t_loop / t_batch:7.1f}x")
    print("same estimates, standard errors, p-values and joint p-values on both paths")
    t_eng = engine_overhead(n_specs=300, n_draws=500)
    print(f"engine overhead alone (a design returning constants), 300 specs x 500 null draws: "
          f"{t_eng:.2f}s")
    return 0


class _Constant:
    """A batched design that does no work: what remains is the engine's own cost."""

    def run(self, specs, placebo=None):
        k = len(specs)
        b = 0.1 if placebo is None else 1e-3 * placebo
        return pd.DataFrame({"estimate": np.full(k, b), "se": np.ones(k)})


def engine_overhead(n_specs: int, n_draws: int) -> float:
    grid = {"a": list(range(n_specs // 30)), "b": list(range(10)), "c": list(range(3))}
    t, _ = timed(lambda: spec_curve(_Constant(), grid, null=NullDraws(range(n_draws))), repeat=3)
    return t


if __name__ == "__main__":
    raise SystemExit(main())
