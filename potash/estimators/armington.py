"""Multi-market Armington (CES) demand with origin supply curves, solved in exact-hat algebra.

Generic: no country, period or parameter default of any study lives here; every choice is an
argument (the Belarus calibration is ``potash.analyses.scenarios``).

Model
-----
Importers ``j`` buy from origins ``i``. Within an importer, origins are imperfect substitutes
with elasticity of substitution ``sigma > 1`` (Armington CES). The delivered price of origin
``i`` in ``j`` is ``tau_ij p_i``: ``p_i`` the origin's mill price, ``tau_ij >= 1`` a trade-cost wedge
(a sanction wedge in market ``j``: discounts, finance, insurance and compliance costs; a
route-cost wedge), modelled as an ad-valorem cost paid to third parties, so the origin's
output is the sum of the tonnes it delivers (what customs records). Importer ``j``'s
aggregate real demand for the good has constant price elasticity ``epsilon`` in its CES price
index ``P_j``. Origin ``i`` supplies ``S_i = p_i ** eta_i`` (constant elasticity), optionally
bounded above by a capacity.

Exact-hat algebra (Dekle, Eaton and Kortum 2007): with base expenditure ``X_ij`` (observed),
base shares ``s_ij = X_ij / E_j`` and origin quantity weights ``w_ij = q_ij / sum_j q_ij``, a
change ``tau_hat`` moves origin prices by ``p_hat`` solving, for every origin,

    D_j   = sum_k s_kj (tau_hat_kj p_hat_k) ** (1 - sigma)          (P_hat_j = D_j ** (1/(1-sigma)))
    s'_ij = s_ij (tau_hat_ij p_hat_i) ** (1 - sigma) / D_j
    X_hat_ij = s'_ij / s_ij * P_hat_j ** (1 - epsilon)
    q_hat_ij = X_hat_ij / (tau_hat_ij p_hat_i)                      (delivered tonnes)
    Q_hat_i  = sum_j w_ij q_hat_ij                                  (output)
    Q_hat_i  = min(p_hat_i ** eta_i, cap_hat_i)                   (supply)

so ``tau_hat = 1`` gives ``p_hat = 1`` and the base back exactly, and only shares and ratios
enter: the solution is invariant to the units of quantity and currency. Shipped quantities
change by ``q_hat_ij``. The system is solved by Newton's method in
``log p_hat`` with the analytic Jacobian

    dF_i/dx_k = -sigma delta_ik + (sigma - epsilon) sum_j w'_ij s'_kj - eta_i delta_ik [not capped]

(``w'_ij`` the new quantity weights), vectorised over Monte Carlo draws, with a backtracking
line search; at a binding capacity the supply derivative is zero and the price clears demand
against the capacity.

Elasticity of substitution
--------------------------
:func:`estimate_sigma` regresses log expenditure on log unit value within importer-period and
importer-origin (two-way fixed effects), ``log X_ijt = (1 - sigma) log uv_ijt + a_jt + b_ij``,
which is the share equation ``log(s_ij/s_kj) = -(sigma-1) log(p_ij/p_kj)`` differenced against
any reference origin. OLS is biased toward zero in magnitude (demand shocks raise prices;
measurement error in quantities enters the unit value), so ``|1 - sigma|`` from OLS is a lower
bound; the instrumented estimate uses a Hausman-type instrument: the leave-one-out mean log
unit value of the same origin in the other importers in the same period (cost shocks common to
the origin, not the importer's demand shock).

Trade-cost equivalents
----------------------
A PPML coefficient ``beta`` on a bilateral dummy maps to ``tau = exp(-beta / (sigma - 1))``
(:func:`tariff_equivalent`), since ``X_ij ∝ tau_ij ** (1 - sigma)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.results import ResultsBase

__all__ = [
    "ArmingtonBase",
    "ArmingtonSolution",
    "ScenarioComparison",
    "SigmaResults",
    "calibrate",
    "calibrate_armington",
    "compare_scenarios",
    "estimate_sigma",
    "simulate",
    "simulate_scenario",
    "solve",
    "solve_armington",
    "tariff_equivalent",
]

Instrument = Literal["hausman", "none"]


# ----------------------------------------------------------------------------------------------
# calibration
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArmingtonBase:
    """The calibrated base: observed flows and the parameters of the model.

    Attributes are read-only arrays with origins in rows and importers in columns.
    """

    origins: tuple[str, ...]
    importers: tuple[str, ...]
    value: np.ndarray  # base expenditure X_ij (I x J)
    quantity: np.ndarray  # base quantities q_ij (I x J)
    sigma: float
    epsilon: float
    eta: np.ndarray  # (I,)
    cap_hat: np.ndarray  # (I,) capacity / base output (inf: no bound)

    @property
    def shares(self) -> np.ndarray:
        """Base expenditure shares ``s_ij`` (columns sum to one)."""
        e = self.value.sum(axis=0, keepdims=True)
        return np.divide(self.value, e, out=np.zeros_like(self.value), where=e > 0)

    @property
    def weights(self) -> np.ndarray:
        """Base quantity weights ``w_ij`` (rows sum to one)."""
        y = self.quantity.sum(axis=1, keepdims=True)
        return np.divide(self.quantity, y, out=np.zeros_like(self.quantity), where=y > 0)

    def tau_hat(self, changes: dict[tuple[str, str], float] | None = None) -> np.ndarray:
        """A ``tau_hat`` array of ones with ``{(origin, importer): factor}`` applied."""
        t = np.ones_like(self.value)
        for (o, m), f in (changes or {}).items():
            t[self.origins.index(o), self.importers.index(m)] *= f
        return t


def calibrate(
    flows: pd.DataFrame,
    *,
    sigma: float,
    epsilon: float,
    eta: float | dict[str, float],
    capacity: dict[str, float] | None = None,
    origin: str = "origin",
    importer: str = "importer",
    value: str = "value",
    quantity: str = "quantity",
) -> ArmingtonBase:
    """Calibrate the model to base flows (exact-hat algebra: the base is reproduced exactly).

    Parameters
    ----------
    flows : DataFrame
        One row per origin x importer: base expenditure ``value`` and ``quantity`` (any units;
        only shares and ratios are used). Missing pairs are zero flows (they stay zero).
    sigma : float
        Elasticity of substitution between origins (> 1).
    epsilon : float
        Price elasticity of each importer's aggregate demand (>= 0).
    eta : float or dict origin -> float
        Supply elasticities (>= 0); a dict must name every origin.
    capacity : dict origin -> float, optional
        Upper bound on an origin's output, in the units of ``quantity`` (summed over importers).

    Returns
    -------
    ArmingtonBase
    """
    for c in (origin, importer, value, quantity):
        if c not in flows.columns:
            raise PotashDataError(f"calibrate: column {c!r} missing", column=c)
    if not sigma > 1:
        raise ValueError(f"calibrate: sigma must exceed 1, got {sigma}")
    if epsilon < 0:
        raise ValueError(f"calibrate: epsilon must be >= 0, got {epsilon}")
    v = flows.pivot_table(index=origin, columns=importer, values=value, aggfunc="sum", fill_value=0.0)
    q = flows.pivot_table(index=origin, columns=importer, values=quantity, aggfunc="sum",
                          fill_value=0.0).reindex_like(v).fillna(0.0)
    V, Q = v.to_numpy(float), q.to_numpy(float)
    if not (np.isfinite(V).all() and np.isfinite(Q).all()) or (V < 0).any() or (Q < 0).any():
        raise PotashDataError("calibrate: values and quantities must be finite and >= 0")
    if ((V > 0) != (Q > 0)).any():
        raise PotashDataError("calibrate: a flow has a value without a quantity or the reverse")
    if (V.sum(axis=1) <= 0).any():
        raise PotashDataError("calibrate: an origin has no base flow")
    origins = tuple(str(o) for o in v.index)
    importers = tuple(str(m) for m in v.columns)
    if isinstance(eta, dict):
        missing = [o for o in origins if o not in eta]
        if missing:
            raise ValueError(f"calibrate: no supply elasticity for {missing}")
        eta_arr = np.array([float(eta[o]) for o in origins])
    else:
        eta_arr = np.full(len(origins), float(eta))
    if (eta_arr < 0).any():
        raise ValueError("calibrate: supply elasticities must be >= 0")
    cap = np.full(len(origins), np.inf)
    for o, c in (capacity or {}).items():
        i = origins.index(o)
        cap[i] = float(c) / Q[i].sum()
        if cap[i] < 1 - 1e-12:
            raise ValueError(f"calibrate: capacity of {o} is below its base output")
    return ArmingtonBase(origins, importers, V, Q, float(sigma), float(epsilon), eta_arr, cap)


# ----------------------------------------------------------------------------------------------
# solver
# ----------------------------------------------------------------------------------------------
def _excess(x, s, w, tau, t1s, sigma, epsilon, eta, logcap):
    """Residual F (D, I), new shares, weights and capped mask for log prices x (D, I)."""
    # t1s = s * tau_hat ** (1 - sigma), shape (D, I, J)
    a = t1s * np.exp((1.0 - sigma)[:, None, None] * x[:, :, None])
    dj = a.sum(axis=1, keepdims=True)  # (D, 1, J)
    s_new = np.divide(a, dj, out=np.zeros_like(a), where=dj > 0)
    p_hat_j = dj ** (1.0 / (1.0 - sigma))[:, None, None]
    e_hat = p_hat_j ** (1.0 - epsilon)[:, None, None]
    x_hat = np.divide(s_new, s, out=np.zeros_like(s_new), where=s > 0) * e_hat
    rev = w * x_hat / tau  # (D, I, J): quantity weights x delivered tonnes (times p_hat)
    qd = rev.sum(axis=2)
    logqd = np.log(qd) - x
    supply = eta * x
    capped = supply > logcap
    logqs = np.where(capped, logcap, supply)
    return logqd - logqs, s_new, rev / qd[:, :, None], capped, x_hat, p_hat_j[:, 0, :]


def solve(
    base: ArmingtonBase,
    tau_hat: np.ndarray,
    *,
    sigma: np.ndarray | float | None = None,
    epsilon: np.ndarray | float | None = None,
    eta: np.ndarray | None = None,
    cap_hat: np.ndarray | None = None,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> dict[str, np.ndarray]:
    """Solve for the hat changes given ``tau_hat`` (I x J, or D x I x J for D draws).

    Parameters ``sigma``, ``epsilon`` (shape (D,)), ``eta`` and ``cap_hat`` (D x I) override
    the base's for Monte Carlo draws.

    Returns
    -------
    dict
        ``p_hat`` (D, I) origin prices, ``P_hat`` (D, J) importer CES price indices,
        ``x_hat`` (D, I, J) expenditure, ``q_hat`` (D, I, J) quantities, ``shares`` (D, I, J)
        new expenditure shares, ``output_hat`` (D, I), ``iterations``, ``max_residual``.
        A single ``tau_hat`` of shape (I, J) with scalar parameters gives D = 1.

    Raises
    ------
    RuntimeError
        Newton's method did not reach ``tol`` within ``max_iter`` iterations.
    """
    tau = np.asarray(tau_hat, float)
    if tau.ndim == 2:
        tau = tau[None]
    n_i, n_j = base.value.shape
    if tau.shape[1:] != (n_i, n_j):
        raise ValueError(f"solve: tau_hat has shape {tau.shape[1:]}, base is {(n_i, n_j)}")
    if (tau <= 0).any() or not np.isfinite(tau).all():
        raise ValueError("solve: tau_hat must be finite and positive")
    sizes = [tau.shape[0]]
    for v in (sigma, epsilon):
        if v is not None and np.ndim(v) == 1:
            sizes.append(len(v))
    for v in (eta, cap_hat):
        if v is not None and np.ndim(v) == 2:
            sizes.append(np.shape(v)[0])
    d = max(sizes)
    if any(k not in (1, d) for k in sizes):
        raise ValueError(f"solve: draws of different lengths {sizes}")
    tau = np.broadcast_to(tau, (d, n_i, n_j))
    sig = np.broadcast_to(np.asarray(base.sigma if sigma is None else sigma, float), (d,))
    eps = np.broadcast_to(np.asarray(base.epsilon if epsilon is None else epsilon, float), (d,))
    et = np.broadcast_to(np.asarray(base.eta if eta is None else eta, float), (d, n_i))
    cap = np.broadcast_to(np.asarray(base.cap_hat if cap_hat is None else cap_hat, float), (d, n_i))
    if (sig <= 1).any():
        raise ValueError("solve: sigma must exceed 1 in every draw")
    s, w = base.shares[None], base.weights[None]
    t1s = s * tau ** (1.0 - sig)[:, None, None]
    logcap = np.log(cap)
    x = np.zeros((d, n_i))
    eye = np.eye(n_i)[None]
    n_iter = 0
    f, s_new, w_new, capped, x_hat, p_j = _excess(x, s, w, tau, t1s, sig, eps, et, logcap)
    while n_iter < max_iter:
        n_iter += 1
        norm = np.abs(f).max(axis=1)
        if norm.max() < tol:
            break
        jac = (-sig[:, None, None] * eye
               + (sig - eps)[:, None, None] * np.einsum("dij,dkj->dik", w_new, s_new)
               - (np.where(capped, 0.0, et))[:, :, None] * eye)
        step = np.linalg.solve(jac, -f[:, :, None])[:, :, 0]
        lam = np.ones(d)
        for _ in range(30):  # backtracking: accept when the residual norm falls
            trial = _excess(x + lam[:, None] * step, s, w, tau, t1s, sig, eps, et, logcap)
            ok = np.abs(trial[0]).max(axis=1) <= (1 - 1e-4 * lam) * norm
            ok |= norm < tol
            if ok.all():
                break
            lam = np.where(ok, lam, lam / 2)
        x = x + lam[:, None] * step
        f, s_new, w_new, capped, x_hat, p_j = _excess(x, s, w, tau, t1s, sig, eps, et, logcap)
    resid = float(np.abs(f).max())
    if not resid < tol:
        raise RuntimeError(f"solve: no convergence after {max_iter} iterations "
                           f"(max residual {resid:.2e})")
    p_hat = np.exp(x)
    q_hat = x_hat / tau / p_hat[:, :, None]
    output_hat = (base.weights[None] * q_hat).sum(axis=2)
    return {"p_hat": p_hat, "P_hat": p_j, "x_hat": x_hat, "q_hat": q_hat, "shares": s_new,
            "output_hat": output_hat, "iterations": np.array(n_iter), "max_residual": np.array(resid)}


@dataclass(frozen=True)
class ArmingtonSolution:
    """One scenario's solution (single parameter set), in levels of the base's units."""

    name: str
    origins: tuple[str, ...]
    importers: tuple[str, ...]
    quantity: np.ndarray  # new quantities q_ij (I x J), base units
    shares: np.ndarray  # new expenditure shares
    p_hat: np.ndarray  # (I,)
    P_hat: np.ndarray  # (J,)


def simulate(base: ArmingtonBase, tau_hat: np.ndarray, name: str = "scenario") -> ArmingtonSolution:
    """Solve one scenario at the base's parameters and return new levels."""
    out = solve(base, tau_hat)
    return ArmingtonSolution(name, base.origins, base.importers, base.quantity * out["q_hat"][0],
                             out["shares"][0], out["p_hat"][0], out["P_hat"][0])


# ----------------------------------------------------------------------------------------------
# comparison of scenarios with Monte Carlo intervals
# ----------------------------------------------------------------------------------------------
class ScenarioComparison(ResultsBase):
    """Scenario outcomes: point values at the central parameters and Monte Carlo intervals.

    ``table`` (read-only property) holds one row per scenario x outcome x (origin, importer):
    ``outcome`` (``volume``, ``share``, ``price_index``, ``origin_price``, ``origin_volume``),
    ``estimate`` (central parameters), ``ci_low``/``ci_high`` (Monte Carlo quantiles),
    ``se`` (Monte Carlo standard deviation), ``n_draws``.
    """

    _title = "Armington scenarios"

    def __init__(self, table: pd.DataFrame, *, level: float, n_draws: int, notes: list[str]):
        self._table = table
        self._level = float(level)
        self._n_draws = int(n_draws)
        self._notes_list = list(notes)

    @property
    def table(self) -> pd.DataFrame:
        return self._table.copy()

    @property
    def level(self) -> float:
        return self._level

    @property
    def n_draws(self) -> int:
        return self._n_draws

    @property
    def scenarios(self) -> list[str]:
        return list(dict.fromkeys(self._table["scenario"]))

    def summary_frame(self) -> pd.DataFrame:
        cols = ["scenario", "outcome", "origin", "importer", "estimate", "se", "ci_low", "ci_high"]
        return self._table[cols].reset_index(drop=True)

    def get(self, scenario: str, outcome: str, origin: str = "", importer: str = "") -> pd.Series:
        t = self._table
        row = t[(t["scenario"] == scenario) & (t["outcome"] == outcome)
                & (t["origin"] == origin) & (t["importer"] == importer)]
        if len(row) != 1:
            raise KeyError((scenario, outcome, origin, importer))
        return row.iloc[0]

    def _notes(self) -> list[str]:
        return [f"Intervals: {self._level:.0%} Monte Carlo quantiles over {self._n_draws} draws.",
                *self._notes_list]

    def plot(self, ax: Any = None, *, origin: str | None = None) -> Any:
        from potash.figures.armington import plot_scenarios

        return plot_scenarios(self.summary_frame(), ax=ax, origin=origin)


def compare_scenarios(
    base: ArmingtonBase,
    scenarios: dict[str, np.ndarray],
    *,
    draws: dict[str, np.ndarray] | None = None,
    tau_draws: dict[str, np.ndarray] | None = None,
    level: float = 0.9,
    report_origins: tuple[str, ...] | None = None,
    reference: str | None = None,
    notes: list[str] | None = None,
) -> ScenarioComparison:
    """Solve every scenario at the central parameters and over Monte Carlo draws.

    Parameters
    ----------
    base : ArmingtonBase
    scenarios : dict name -> tau_hat (I x J)
        Central trade-cost changes from the base.
    draws : dict, optional
        Parameter draws: ``sigma`` (D,), ``epsilon`` (D,), ``eta`` (D, I), ``cap_hat`` (D, I).
    tau_draws : dict name -> (D, I, J), optional
        Trade-cost changes per draw (wedge uncertainty); defaults to the central ``tau_hat``.
    level : float
        Coverage of the Monte Carlo intervals.
    report_origins : tuple of str, optional
        Origins whose volumes by importer are reported (default: all).
    reference : str, optional
        A scenario name: every outcome is also reported as the change from it
        (``<outcome>_change``), with intervals from the paired draws (the same parameter
        draw in both scenarios).

    Returns
    -------
    ScenarioComparison
    """
    origins = report_origins or base.origins
    if reference is not None and reference not in scenarios:
        raise ValueError(f"compare_scenarios: reference {reference!r} is not a scenario")
    order = list(scenarios)
    if reference is not None:  # solve the reference first, so changes can be taken
        order = [reference] + [k for k in order if k != reference]
    kept: dict[tuple, tuple] = {}
    rows: list[dict] = []
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    e = base.value.sum(axis=0)  # base expenditure, the weights of the world price index

    def record(name, outcome, o, m, pt, sample):
        r = {"scenario": name, "outcome": outcome, "origin": o, "importer": m,
             "estimate": float(pt), "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
             "n_draws": 0}
        if sample is not None:
            r.update(se=float(np.std(sample)), ci_low=float(np.quantile(sample, lo_q)),
                     ci_high=float(np.quantile(sample, hi_q)), n_draws=len(sample))
        rows.append(r)

    def add(name, outcome, o, m, pt, sample):
        if reference is not None:
            if name == reference:
                kept[(outcome, o, m)] = (pt, sample)
            elif (outcome, o, m) in kept:
                rpt, rs = kept[(outcome, o, m)]
                record(name, f"{outcome}_change", o, m, pt - rpt,
                       None if sample is None or rs is None else sample - rs)
        record(name, outcome, o, m, pt, sample)

    def outcomes(sol):
        if sol is None:
            return (None,) * 5
        q = base.quantity[None] * sol["q_hat"]
        world = (sol["P_hat"] * e).sum(axis=-1) / e.sum()
        return q, sol["shares"], sol["P_hat"], sol["p_hat"], world

    n = 0
    for name in order:
        tau = scenarios[name]
        point = solve(base, tau)
        mc = None
        if draws is not None or tau_draws is not None:
            dd = draws or {}
            td = (tau_draws or {}).get(name, np.asarray(tau)[None])
            mc = solve(base, td, sigma=dd.get("sigma"), epsilon=dd.get("epsilon"),
                       eta=dd.get("eta"), cap_hat=dd.get("cap_hat"))
            n = mc["p_hat"].shape[0]
        pq, ps, pP, pp, pw = outcomes(point)
        mq, ms, mP, mp, mw = outcomes(mc)
        for o in origins:
            i = base.origins.index(o)
            add(name, "origin_volume", o, "", pq[0, i].sum(),
                None if mq is None else mq[:, i].sum(1))
            add(name, "origin_price", o, "", pp[0, i], None if mp is None else mp[:, i])
            for j, m in enumerate(base.importers):
                if base.value[i, j] <= 0:
                    continue
                add(name, "volume", o, m, pq[0, i, j], None if mq is None else mq[:, i, j])
                add(name, "share", o, m, ps[0, i, j], None if ms is None else ms[:, i, j])
        for j, m in enumerate(base.importers):
            add(name, "price_index", "", m, pP[0, j], None if mP is None else mP[:, j])
        add(name, "price_index", "", "world", pw[0], mw)
    table = pd.DataFrame(rows)
    table["scenario"] = pd.Categorical(table["scenario"], categories=list(scenarios))
    table = table.sort_values("scenario", kind="stable").reset_index(drop=True)
    table["scenario"] = table["scenario"].astype(str)
    return ScenarioComparison(table, level=level, n_draws=n, notes=notes or [])


# ----------------------------------------------------------------------------------------------
# elasticity of substitution
# ----------------------------------------------------------------------------------------------
def _demean(cols: np.ndarray, groups: list[np.ndarray], tol: float = 1e-10, max_iter: int = 500
            ) -> np.ndarray:
    """Partial out several sets of fixed effects by alternating projections."""
    out = cols - cols.mean(axis=0)
    for _ in range(max_iter):
        prev = out.copy()
        for g in groups:
            n = np.bincount(g)
            for c in range(out.shape[1]):
                out[:, c] -= (np.bincount(g, weights=out[:, c]) / n)[g]
        if np.abs(out - prev).max() < tol:
            break
    return out


class SigmaResults(ResultsBase):
    """Elasticity of substitution from the share equation: OLS bound and IV estimate."""

    _title = "Elasticity of substitution (Armington)"

    def __init__(self, table: pd.DataFrame, n_obs: int, n_clusters: int, first_stage_f: float):
        self._table = table
        self._n_obs = n_obs
        self._n_clusters = n_clusters
        self._first_stage_f = first_stage_f

    @property
    def sigma(self) -> float:
        """Preferred estimate of sigma (IV if available, else OLS)."""
        t = self._table.set_index("term")
        return float(t.loc["sigma_iv" if "sigma_iv" in t.index else "sigma_ols", "estimate"])

    @property
    def sigma_se(self) -> float:
        t = self._table.set_index("term")
        return float(t.loc["sigma_iv" if "sigma_iv" in t.index else "sigma_ols", "se"])

    @property
    def sigma_ols(self) -> float:
        return float(self._table.set_index("term").loc["sigma_ols", "estimate"])

    @property
    def n_obs(self) -> int:
        return self._n_obs

    @property
    def n_clusters(self) -> int:
        return self._n_clusters

    @property
    def first_stage_f(self) -> float:
        return self._first_stage_f

    def summary_frame(self) -> pd.DataFrame:
        return self._table.set_index("term")

    def _notes(self) -> list[str]:
        return [f"log X_ijt = (1 - sigma) log uv_ijt + importer-period FE + importer-origin FE; "
                f"n = {self._n_obs}, {self._n_clusters} importer-origin clusters; "
                f"first-stage F = {self._first_stage_f:.1f}.",
                "OLS |1 - sigma| is a lower bound (demand shocks, unit-value measurement error)."]

    def plot(self, ax: Any = None) -> Any:
        from potash.figures.armington import plot_sigma

        return plot_sigma(self.summary_frame(), ax=ax)


def estimate_sigma(
    panel: pd.DataFrame,
    *,
    importer: str = "importer",
    origin: str = "origin",
    period: str = "period",
    value: str = "value",
    quantity: str = "quantity",
    instrument: Instrument = "hausman",
    min_importers: int = 2,
    level: float = 0.95,
) -> SigmaResults:
    """Estimate sigma from within importer-period variation of shares and unit values.

    Parameters
    ----------
    panel : DataFrame
        One row per importer x origin x period with positive ``value`` and ``quantity``
        (rows with zero or missing either are dropped: a share equation needs both).
    instrument : {"hausman", "none"}
        ``"hausman"``: the log unit value is instrumented by the leave-one-out mean log unit
        value of the same origin in the same period in the other importers (rows whose origin
        is seen in fewer than ``min_importers`` importers that period are dropped).

    Returns
    -------
    SigmaResults
        Terms ``slope_ols``/``sigma_ols`` and, with an instrument, ``slope_iv``/``sigma_iv``
        (``sigma = 1 - slope``); standard errors clustered by importer-origin.
    """
    from scipy import stats

    check_option("instrument", instrument, Instrument)
    for c in (importer, origin, period, value, quantity):
        if c not in panel.columns:
            raise PotashDataError(f"estimate_sigma: column {c!r} missing", column=c)
    d = panel[[importer, origin, period, value, quantity]].copy()
    d = d[(d[value] > 0) & (d[quantity] > 0)].dropna()
    d["ly"] = np.log(d[value].astype(float))
    d["lp"] = np.log(d[value].astype(float) / d[quantity].astype(float))
    if instrument == "hausman":
        g = d.groupby([origin, period])["lp"]
        tot, cnt = g.transform("sum"), g.transform("count")
        d = d.assign(z=(tot - d["lp"]) / (cnt - 1))[cnt >= min_importers]
    # singleton fixed-effect cells carry no within information
    for _ in range(5):
        n_jt = d.groupby([importer, period])["ly"].transform("count")
        n_ij = d.groupby([importer, origin])["ly"].transform("count")
        d = d[(n_jt > 1) & (n_ij > 1)]
    if len(d) < 10:
        raise PotashDataError("estimate_sigma: fewer than 10 usable observations")
    g_jt = d.groupby([importer, period]).ngroup().to_numpy()
    g_ij = d.groupby([importer, origin]).ngroup().to_numpy()
    cols = ["ly", "lp"] + (["z"] if instrument == "hausman" else [])
    r = _demean(d[cols].to_numpy(float), [g_jt, g_ij])
    y, x = r[:, 0], r[:, 1]
    n_fe = len(np.unique(g_jt)) + len(np.unique(g_ij)) - 1
    n_cl = len(np.unique(g_ij))
    zc = stats.norm.ppf(0.5 + level / 2)

    def fit(xhat, xreg):
        b = (xhat @ y) / (xhat @ xreg)
        u = y - b * xreg
        score = np.bincount(g_ij, weights=xhat * u)
        n = len(y)
        adj = n_cl / (n_cl - 1) * (n - 1) / max(n - n_fe - 1, 1)
        se = np.sqrt(adj * (score ** 2).sum()) / abs(xhat @ xreg)
        return b, se

    rows = []

    def add(tag, b, se):
        for term, est in ((f"slope_{tag}", b), (f"sigma_{tag}", 1 - b)):
            z = (est - (0.0 if term.startswith("slope") else 1.0)) / se
            rows.append({"term": term, "estimate": est, "se": se, "statistic": z,
                         "p_value": 2 * stats.norm.sf(abs(z)), "ci_low": est - zc * se,
                         "ci_high": est + zc * se})

    add("ols", *fit(x, x))
    f_stat = np.nan
    if instrument == "hausman":
        z = r[:, 2]
        pi = (z @ x) / (z @ z)
        e1 = x - pi * z
        s1 = np.bincount(g_ij, weights=z * e1)
        se_pi = np.sqrt((s1 ** 2).sum()) / (z @ z)
        f_stat = float((pi / se_pi) ** 2)
        xh = pi * z
        add("iv", *fit(xh, x))
    return SigmaResults(pd.DataFrame(rows), len(y), n_cl, f_stat)


def tariff_equivalent(beta: np.ndarray | float, sigma: np.ndarray | float) -> np.ndarray:
    """Trade-cost equivalent ``tau = exp(-beta / (sigma - 1))`` of a PPML coefficient ``beta``.

    Examples
    --------
    >>> round(float(tariff_equivalent(-np.log(2), 2.0)), 6)
    2.0
    """
    return np.exp(-np.asarray(beta, float) / (np.asarray(sigma, float) - 1.0))


#: Flat-API names (``potash.calibrate_armington`` etc.: ``calibrate``/``solve``/``simulate``
#: are too generic at the top level).
calibrate_armington = calibrate
solve_armington = solve
simulate_scenario = simulate
