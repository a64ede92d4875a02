"""Benchmark of the Armington CES solver (issue 15).

One command, from the repository root::

    python bench/bench_armington.py

Times, on the real customs data (14 importers plus EU and ROW, 8 origins plus OTH, the
2019-2020 base of ``potash.analyses.scenarios``):

1. one scenario solve (status quo wedges) at the central parameters: target < 5 s;
2. 1,000 Monte Carlo draws of one scenario (sigma, wedges, supply and demand elasticities),
   solved as one batch: target < 60 s;
3. the whole ``relief_scenarios`` (five scenarios x 1,000 draws, with the PPML and the sigma
   estimate) end to end, for information.

Prints the times and whether the targets are met; exits 1 if one is missed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from potash.analyses import scenarios as sc  # noqa: E402
from potash.estimators.armington import solve, tariff_equivalent  # noqa: E402


def best(fn, n=5):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> int:
    panel = sc.potash_import_panel()
    flows = sc.potash_base(panel)
    base = sc._base_model(flows, sc.SIGMA_PRIOR[0])
    i = base.origins.index("BLR")
    tau = base.tau_hat()
    tau[i, :] = 1.5
    tau[i, base.importers.index("USA")] = 3.7
    t_one, out = best(lambda: solve(base, tau))
    rng = np.random.default_rng(0)
    n = 1000
    sig = np.maximum(rng.normal(3.0, 1.0, n), 1.5)
    beta = rng.normal(-1.4, 0.1, n)
    taus = np.broadcast_to(tau, (n, *tau.shape)).copy()
    taus[:, i, :] = tariff_equivalent(beta, sig)[:, None]
    eta = rng.uniform(0.2, 3.0, (n, len(base.origins)))
    eps = rng.uniform(0.1, 0.6, n)
    t_mc, mc = best(lambda: solve(base, taus, sigma=sig, epsilon=eps, eta=eta), n=3)
    t0 = time.perf_counter()
    sc.relief_scenarios(panel, n_draws=n)
    t_all = time.perf_counter() - t0
    print(f"model: {len(base.origins)} origins x {len(base.importers)} destinations")
    print(f"one solve: {t_one:.4f} s ({int(out['iterations'])} Newton iterations, "
          f"max residual {float(out['max_residual']):.1e}); target < 5 s")
    print(f"{n} Monte Carlo draws, one batch: {t_mc:.3f} s ({int(mc['iterations'])} iterations, "
          f"max residual {float(mc['max_residual']):.1e}); target < 60 s")
    print(f"relief_scenarios end to end (sigma, PPML, 5 scenarios x {n} draws): {t_all:.1f} s")
    ok = t_one < 5 and t_mc < 60
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
