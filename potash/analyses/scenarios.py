"""What relief changes: the Belarus calibration of the Armington model and its scenarios.

The study's choices live here (the generic model is :mod:`potash.estimators.armington`):

- **Data.** Monthly partner customs imports of HS 3104 by 14 importers (mirror data for
  Belarus), flagged rows (repeated keys, zero quantities) dropped; origins kept separately are
  :data:`ORIGINS`, the rest summed as ``OTH`` (Lithuania as an origin, mostly in India's
  records before 2022, stays in ``OTH``: it may be Belarusian potash consigned from Klaipeda).
- **Base** 2019-2020 (annual means). Two destinations outside the 14 importers: ``EU``
  (EU-27 potassium chloride imports from FAOSTAT, with an *assumed* origin mix,
  :data:`EU_ORIGIN_MIX`: the shipped data hold no EU imports by origin) and ``ROW`` (each
  origin's production, FAOSTAT K2O converted to KCl product, less what the 14 importers and
  the EU took; domestic use included).
- **Sigma** from the monthly panel 2014-2021 (before the sanctions), importer-month and
  importer-origin fixed effects, Hausman instrument (the origin's unit value in other
  importers); OLS reported as the lower bound. On the HS4 unit values the instrument is weak
  (first-stage F below 10) and the OLS bound is near one, so the data do not pin sigma down:
  the scenarios then use :data:`SIGMA_PRIOR` (a documented choice in the range of published
  Armington elasticities for chemicals and minerals) and say so. The rule is explicit
  (:func:`scenario_sigma_choice`). The share effect of removing a PPML-estimated wedge does not
  depend on sigma (``tau ** (1 - sigma) = exp(beta)``); sigma matters for the price feedback
  and for the route wedge, which is measured in costs.
- **Sanction wedges** from a PPML of importer x origin x year tonnes 2016-2024 with
  importer-year and importer-origin fixed effects and Belarus x 2022-2024 terms for the US and
  for China and for the other importers; the EU's wedge is *assumed* equal to the US one (both
  are bans; no EU importer is in the data). The wedges are those at which the model's own PPML
  coefficient equals the estimate (:func:`ge_wedges`: the PPML has no origin-year effects, so
  its coefficient holds Belarus's relative price fall too); ``exp(-beta / (sigma - 1))`` is the
  ``mapping="partial"`` option. The rest-of-world wedge is set so that Belarus's status-quo
  output is its USGS 2024 output.
- **Route wedge** from Brazil's ComexStat freight and insurance per tonne of KCl: Belarus
  against Canada and Russia, 2019-01..2022-01 against 2022-03..2024-07, as a ratio of
  delivered to FOB cost; Klaipeda transit removes it in every market.
- **Supply.** Belarus's capacity is its pre-sanctions peak output (FAOSTAT 2020, the USGS
  2024-2025 figures are below it); supply elasticities are documented choices with ranges
  (:data:`SUPPLY_ELASTICITY`), as is the aggregate import-demand elasticity
  (:data:`DEMAND_ELASTICITY`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.data import k2o_to_kcl, load_production, load_trade
from potash.estimators.armington import (
    ArmingtonBase,
    ScenarioComparison,
    SigmaResults,
    calibrate,
    compare_scenarios,
    estimate_sigma,
    solve,
    tariff_equivalent,
)

__all__ = [
    "BASE_YEARS",
    "BACKTEST_YEARS",
    "DEMAND_ELASTICITY",
    "EU_ORIGIN_MIX",
    "ORIGINS",
    "SCENARIOS",
    "SUPPLY_ELASTICITY",
    "BacktestResults",
    "WedgeResults",
    "backtest",
    "ge_wedges",
    "status_quo_output_hat",
    "potash_base",
    "potash_import_panel",
    "relief_months_check",
    "relief_scenarios",
    "route_wedge",
    "sanction_wedges",
    "scenario_sigma",
    "scenario_sigma_choice",
]

TREATED = "BLR"
#: Origins modelled separately; every other origin is summed as "OTH".
ORIGINS = ("BLR", "CAN", "RUS", "ISR", "DEU", "JOR", "LAO", "CHL")
#: Base years (before the 2021 sanctions) and the sanctions years the back-test reproduces.
BASE_YEARS = (2019, 2020)
BACKTEST_YEARS = (2022, 2023)
#: PPML panel years and the post years of the Belarus terms.
PPML_YEARS = (2016, 2024)
POST_YEARS = (2022, 2024)
#: Destination groups with their own Belarus x post wedge (the rest share one, "other"):
#: the US (its ban) and China (supplied by rail, off the Baltic route, the market Belarus
#: turned to).
WEDGE_GROUPS = {"US": ("USA",), "CHN": ("CHN",)}
#: Months of the sigma panel (before the sanctions).
SIGMA_MONTHS = ("2014-01", "2021-12")
#: Supply elasticities: central value and range (uniform in the Monte Carlo). Canada has
#: spare mine capacity (high); Russia and Belarus can raise output from existing mines; the
#: rest are small or constrained. Documented choices, not estimates.
SUPPLY_ELASTICITY = {
    "BLR": (1.0, 0.5, 2.0), "CAN": (1.5, 0.5, 3.0), "RUS": (1.0, 0.5, 2.0),
    "ISR": (0.5, 0.2, 1.0), "DEU": (0.5, 0.2, 1.0), "JOR": (0.5, 0.2, 1.0),
    "LAO": (1.0, 0.5, 2.0), "CHL": (0.5, 0.2, 1.0), "OTH": (0.5, 0.2, 1.0),
}
#: Sigma used when the data estimate is weak: central value and standard deviation.
SIGMA_PRIOR = (3.0, 1.0)
#: The data estimate is used when its first-stage F reaches this and sigma exceeds 1.5.
MIN_FIRST_STAGE_F = 10.0
#: Price elasticity of each market's aggregate potash import demand: central and range.
DEMAND_ELASTICITY = (0.3, 0.1, 0.6)
#: Assumed origin mix of EU-27 potassium chloride imports in 2019-2020 (the data have no EU
#: imports by origin): Belarus and Russia the largest suppliers, Germany within the EU.
EU_ORIGIN_MIX = {"BLR": 0.30, "RUS": 0.30, "CAN": 0.05, "DEU": 0.25, "OTH": 0.10}
EU27 = ("AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL "
        "PRT ROU SVK SVN ESP SWE").split()
#: The scenarios: which markets keep a Belarus-specific wedge.
SCENARIOS = ("base 2019-2020", "status quo", "US relief", "US + EU relief",
             "US + EU relief + Klaipeda")


# ----------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------
def potash_import_panel(trade: pd.DataFrame | None = None, *, group_origins: bool = True
                        ) -> pd.DataFrame:
    """Monthly HS 3104 imports: ``importer, origin, period, year, quantity, value``.

    Flagged rows (repeated keys, zero quantities) are dropped; with ``group_origins`` origins
    outside :data:`ORIGINS` are summed as ``OTH``.
    """
    t = load_trade("customs_monthly") if trade is None else trade
    p = t[(t["hs_code"] == "3104") & (t["flow"] == "import") & t["flag"].isna()]
    p = p[(p["quantity_t"] > 0) & (p["value_usd"] > 0)]
    if p.empty:
        raise PotashDataError("potash_import_panel: no HS 3104 import rows")
    origin = p["partner_iso3"].astype(str)
    if group_origins:
        origin = origin.where(origin.isin(ORIGINS), "OTH")
    out = pd.DataFrame({"importer": p["reporter_iso3"].astype(str).to_numpy(),
                        "origin": origin.to_numpy(), "period": p["period"].astype(str).to_numpy(),
                        "year": p["year"].astype(int).to_numpy(),
                        "quantity": p["quantity_t"].astype(float).to_numpy(),
                        "value": p["value_usd"].astype(float).to_numpy()})
    return out.groupby(["importer", "origin", "period", "year"], as_index=False)[
        ["quantity", "value"]].sum()


def _annual(panel: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    sel = panel[panel["year"].between(*years)]
    n = years[1] - years[0] + 1
    a = sel.groupby(["origin", "importer"], as_index=False)[["quantity", "value"]].sum()
    a[["quantity", "value"]] /= n
    return a


def _production_kcl(years: tuple[int, int]) -> pd.Series:
    prod = load_production()
    prod = prod[(prod["product"] == "potash") & (prod["source"] == "faostat")
                & prod["year"].between(*years)]
    return k2o_to_kcl(prod.groupby("country_iso3")["quantity_t"].mean())


def potash_base(panel: pd.DataFrame | None = None, *, years: tuple[int, int] = BASE_YEARS
                ) -> pd.DataFrame:
    """Base flows ``origin, importer, quantity, value`` (tonnes and USD a year), with EU and ROW.

    The 14 importers' flows are data; the EU's origin mix is :data:`EU_ORIGIN_MIX` times the
    FAOSTAT EU-27 potassium chloride imports; ROW is each origin's production less both
    (at least a twentieth of its flows to the 14, for OTH exactly that); EU and ROW flows are
    valued at the origin's mean unit value in the 14 importers.
    """
    panel = potash_import_panel() if panel is None else panel
    flows = _annual(panel, years)
    uv = flows.groupby("origin")["value"].sum() / flows.groupby("origin")["quantity"].sum()
    to14 = flows.groupby("origin")["quantity"].sum()
    fao = load_trade("faostat")
    eu = fao[(fao["product"] == "potassium_chloride") & (fao["flow"] == "import")
             & fao["year"].between(*years) & fao["reporter_iso3"].isin(EU27)]
    eu_total = eu["quantity_t"].sum() / (years[1] - years[0] + 1)
    if not eu_total > 0:
        raise PotashDataError("potash_base: no FAOSTAT EU-27 potassium chloride imports")
    prod = _production_kcl(years)
    extra = []
    for o in to14.index:
        eu_q = EU_ORIGIN_MIX.get(o, 0.0) * eu_total
        if o == "OTH":
            row_q = 0.05 * to14[o]
        else:
            row_q = max(float(prod.get(o, 0.0)) - to14[o] - eu_q, 0.05 * to14[o])
        for m, q in (("EU", eu_q), ("ROW", row_q)):
            if q > 0:
                extra.append({"origin": o, "importer": m, "quantity": q, "value": q * uv[o]})
    return pd.concat([flows, pd.DataFrame(extra)], ignore_index=True)


# ----------------------------------------------------------------------------------------------
# estimates
# ----------------------------------------------------------------------------------------------
def scenario_sigma(panel: pd.DataFrame | None = None, *, months: tuple[str, str] = SIGMA_MONTHS,
                   min_tonnes: float = 1000.0) -> SigmaResults:
    """Sigma from the monthly panel (origins not grouped; shipments under ``min_tonnes``
    dropped, since unit values of small lots are mostly noise)."""
    panel = potash_import_panel(group_origins=False) if panel is None else panel
    p = panel[(panel["period"] >= months[0]) & (panel["period"] <= months[1])
              & (panel["quantity"] >= min_tonnes)]
    return estimate_sigma(p, instrument="hausman")


def scenario_sigma_choice(est: SigmaResults) -> tuple[float, float, str]:
    """``(sigma, se, source)``: the IV estimate if its first-stage F is at least
    :data:`MIN_FIRST_STAGE_F` and it exceeds 1.5, else :data:`SIGMA_PRIOR` (``source`` says
    which)."""
    if est.first_stage_f >= MIN_FIRST_STAGE_F and est.sigma > 1.5:
        return est.sigma, est.sigma_se, "estimate"
    return SIGMA_PRIOR[0], SIGMA_PRIOR[1], "prior"


class WedgeResults(ResultsBase):
    """PPML Belarus x post coefficients and their tariff equivalents, and the route wedge."""

    _title = "Sanction and route wedges"

    def __init__(self, table: pd.DataFrame, beta: np.ndarray, vcov: np.ndarray,
                 groups: tuple[str, ...], route: float, route_se: float, sigma: float,
                 n_obs: int):
        self._table, self._beta, self._vcov = table, beta, vcov
        self._groups, self._route, self._route_se = groups, route, route_se
        self._sigma, self._n_obs = sigma, n_obs

    @property
    def beta(self) -> np.ndarray:
        return self._beta.copy()

    @property
    def vcov(self) -> np.ndarray:
        return self._vcov.copy()

    @property
    def groups(self) -> tuple[str, ...]:
        return self._groups

    @property
    def route(self) -> float:
        """Route wedge: delivered over FOB cost of Belarus's KCl to Brazil, relative to rivals."""
        return self._route

    @property
    def route_se(self) -> float:
        return self._route_se

    @property
    def sigma(self) -> float:
        return self._sigma

    def tau(self, group: str) -> float:
        return float(tariff_equivalent(self._beta[self._groups.index(group)], self._sigma))

    def summary_frame(self) -> pd.DataFrame:
        return self._table.set_index("term")

    def _notes(self) -> list[str]:
        return [f"PPML of tonnes, importer-year and importer-origin FE, n = {self._n_obs}; "
                f"SE clustered by importer-origin; tariff equivalents at sigma = {self._sigma:.2f}.",
                "The EU wedge is assumed equal to the US wedge (no EU importer in the data)."]

    def plot(self, ax: Any = None) -> Any:
        from potash.figures.armington import plot_wedges

        return plot_wedges(self.summary_frame(), ax=ax)


def route_wedge(comex: pd.DataFrame | None = None, *, n_boot: int = 500, seed: int = 0
                ) -> tuple[float, float, pd.DataFrame]:
    """Route-cost wedge from Brazil's freight and insurance on KCl (NCM 31042090).

    ``(1 + c_BLR,post) / (1 + c_BLR,pre)`` over the same ratio for Canada and Russia, with
    ``c`` = (freight + insurance) / FOB value summed over months; pre 2019-01..2022-01, post
    2022-03..2024-07. Standard error from a seeded bootstrap over months.

    Returns
    -------
    (wedge, se, table of the four cost ratios)
    """
    c = load_trade("comexstat") if comex is None else comex
    c = c[(c["hs_code"] == "31042090") & (c["flow"] == "import")
          & c["partner_iso3"].isin(["BLR", "CAN", "RUS"])]
    c = c.assign(per=c["period"].astype(str),
                 grp=np.where(c["partner_iso3"] == "BLR", "BLR", "CAN+RUS"),
                 cost=c["freight_usd"].fillna(0) + c["insurance_usd"].fillna(0))
    pre = (c["per"] >= "2019-01") & (c["per"] <= "2022-01")
    post = (c["per"] >= "2022-03") & (c["per"] <= "2024-07")
    c = c[pre | post].assign(post=post[pre | post])
    m = c.groupby(["grp", "post", "per"])[["cost", "value_usd"]].sum().reset_index()
    if m.groupby(["grp", "post"]).size().shape[0] < 4:
        raise PotashDataError("route_wedge: a group has no months before or after 2022-02")

    def wedge(frame):
        s = frame.groupby(["grp", "post"])[["cost", "value_usd"]].sum()
        r = 1 + s["cost"] / s["value_usd"]
        return (r[("BLR", True)] / r[("BLR", False)]) / (r[("CAN+RUS", True)] / r[("CAN+RUS", False)]), r

    w, ratios = wedge(m)
    rng = np.random.default_rng(seed)
    months = m["per"].unique()
    boot = []
    for _ in range(n_boot):
        pick = pd.Series(rng.choice(months, len(months), replace=True)).value_counts()
        mm = m.merge(pick.rename("k"), left_on="per", right_index=True)
        mm[["cost", "value_usd"]] = mm[["cost", "value_usd"]].mul(mm["k"], axis=0)
        try:
            boot.append(wedge(mm)[0])
        except KeyError:
            continue
    tab = (ratios - 1).rename("cost_over_fob").reset_index()
    return float(w), float(np.std(boot)), tab


def sanction_wedges(panel: pd.DataFrame | None = None, *, sigma: float,
                    years: tuple[int, int] = PPML_YEARS, post: tuple[int, int] = POST_YEARS,
                    route: tuple[float, float] | None = None) -> WedgeResults:
    """PPML Belarus x post coefficients for the US and for the other importers."""
    import statsmodels.api as sm

    panel = potash_import_panel() if panel is None else panel
    a = panel[panel["year"].between(*years)].groupby(
        ["importer", "origin", "year"], as_index=False)["quantity"].sum()
    # balanced within importer-origin pairs seen at least once; a missing year is a zero only
    # when the importer reported other origins that year (it always did here, checked below)
    pairs = a[["importer", "origin"]].drop_duplicates()
    yrs = pd.DataFrame({"year": range(years[0], years[1] + 1)})
    full = pairs.merge(yrs, how="cross").merge(a, how="left", on=["importer", "origin", "year"])
    reported = a.groupby(["importer", "year"]).size().rename("n").reset_index()
    full = full.merge(reported, on=["importer", "year"], how="left")
    full = full[full["n"].notna()].drop(columns="n")
    full["quantity"] = full["quantity"].fillna(0.0) / 1e3  # kt
    pair_tot = full.groupby(["importer", "origin"])["quantity"].transform("sum")
    full = full[pair_tot > 0].reset_index(drop=True)
    is_post = full["year"].between(*post) & (full["origin"] == TREATED)
    groups = (*WEDGE_GROUPS, "other")
    named = [m for ms in WEDGE_GROUPS.values() for m in ms]
    x = pd.DataFrame({f"blr_post_{g}": (is_post & full["importer"].isin(ms)).astype(float)
                      for g, ms in WEDGE_GROUPS.items()})
    x["blr_post_other"] = (is_post & ~full["importer"].isin(named)).astype(float)
    k_b = x.shape[1]
    fe1 = pd.get_dummies(full["importer"] + "_" + full["year"].astype(str), dtype=float)
    fe2 = pd.get_dummies(full["importer"] + "|" + full["origin"], dtype=float)
    first = {}
    for col in fe2.columns:  # one importer-origin dummy per importer is the importer-year sum
        first.setdefault(col.split("|")[0], col)
    fe2 = fe2.drop(columns=list(first.values()))
    design = pd.concat([x, fe1, fe2], axis=1)
    clusters = full.groupby(["importer", "origin"]).ngroup().to_numpy()
    fit = sm.GLM(full["quantity"].to_numpy(), design.to_numpy(), family=sm.families.Poisson()
                 ).fit(cov_type="cluster", cov_kwds={"groups": clusters}, maxiter=200)
    beta = np.asarray(fit.params[:k_b])
    vcov = np.asarray(fit.cov_params())[:k_b, :k_b]
    rows = []
    for k, g in enumerate(groups):
        se = float(np.sqrt(vcov[k, k]))
        rows.append({"term": f"beta_{g}", "estimate": beta[k], "se": se,
                     "statistic": beta[k] / se, "p_value": float(fit.pvalues[k]),
                     "ci_low": beta[k] - 1.96 * se, "ci_high": beta[k] + 1.96 * se})
        tau = float(tariff_equivalent(beta[k], sigma))
        rows.append({"term": f"tau_{g}", "estimate": tau, "se": tau * se / abs(sigma - 1),
                     "statistic": np.nan, "p_value": np.nan,
                     "ci_low": float(tariff_equivalent(beta[k] + 1.96 * se, sigma)),
                     "ci_high": float(tariff_equivalent(beta[k] - 1.96 * se, sigma))})
    r, r_se = route if route is not None else route_wedge()[:2]
    rows.append({"term": "tau_route", "estimate": r, "se": r_se, "statistic": np.nan,
                 "p_value": np.nan, "ci_low": r - 1.96 * r_se, "ci_high": r + 1.96 * r_se})
    return WedgeResults(pd.DataFrame(rows), beta, vcov, groups, r, r_se, sigma, len(full))


# ----------------------------------------------------------------------------------------------
# scenarios
# ----------------------------------------------------------------------------------------------
def _scenario_taus(base: ArmingtonBase, tau: dict[str, np.ndarray], route: np.ndarray
                   ) -> dict[str, np.ndarray]:
    """tau_hat arrays (D, I, J) of every scenario from wedge draws ``tau[group]`` (D,).

    The EU's wedge is the US one; ROW has its own (``tau["ROW"]``, else "other"); relief in a
    market sets its wedge to
    "other" (the route and the frictions every non-sanctioning buyer faces stay); Klaipeda
    divides every market's wedge by the route wedge.
    """
    d = len(route)
    i = base.origins.index(TREATED)
    member = {m: g for g, ms in WEDGE_GROUPS.items() for m in ms}

    def make(relieved, klaipeda=False):
        t = np.ones((d, *base.value.shape))
        for j, m in enumerate(base.importers):
            g = "US" if m == "EU" else member.get(m, "other")
            if m == "ROW" and "ROW" in tau:
                g = "ROW"
            if m in relieved or (m == "EU" and "EU" in relieved):
                g = "other"
            t[:, i, j] = tau[g] / (route if klaipeda else 1.0)
        return t

    return {
        "base 2019-2020": np.ones((d, *base.value.shape)),
        "status quo": make(()),
        "US relief": make(("USA",)),
        "US + EU relief": make(("USA", "EU")),
        "US + EU relief + Klaipeda": make(("USA", "EU"), klaipeda=True),
    }


WedgeMapping = Literal["ge", "partial"]
#: The sanctions year whose USGS output (K2O, converted to KCl) Belarus's status quo matches.
STATUS_QUO_OUTPUT_YEAR = 2024


def status_quo_output_hat(base: ArmingtonBase, year: int = STATUS_QUO_OUTPUT_YEAR) -> float:
    """Belarus's USGS output in ``year`` (as KCl) over its output in the model's base."""
    prod = load_production()
    sel = prod[(prod["country_iso3"] == TREATED) & (prod["product"] == "potash")
               & (prod["source"].astype(str).str.startswith("usgs")) & (prod["year"] == year)]
    if sel.empty:
        raise PotashDataError(f"status_quo_output_hat: no USGS output for Belarus in {year}")
    i = base.origins.index(TREATED)
    return float(k2o_to_kcl(sel["quantity_t"].iloc[0]) / base.quantity[i].sum())


def ge_wedges(base: ArmingtonBase, beta: np.ndarray, groups: tuple[str, ...],
              sigma: np.ndarray, route: np.ndarray, *, epsilon: np.ndarray | None = None,
              eta: np.ndarray | None = None, output_hat: float | None = None,
              tol: float = 1e-10, max_iter: int = 2000, damping: float = 0.5,
              on_fail: Literal["raise", "nan"] = "raise"
              ) -> dict[str, np.ndarray]:
    """Wedges at which the model's own PPML coefficient equals the estimated one.

    The PPML has importer-year and importer-origin but no origin-year effects, so its Belarus
    x post coefficient is ``(1 - sigma) [dlog tau_g + dlog p_BLR - dlog p_rivals]``: it
    includes the fall in Belarus's price relative to its rivals'. Taking
    ``exp(-beta / (sigma - 1))`` as the wedge (the ``"partial"`` mapping) therefore understates
    it once the model lets Belarus cut its price. This solves the fixed point
    ``tau_g = exp(-beta_g / (sigma - 1)) * p_rivals / p_BLR`` at the status-quo equilibrium
    (``p_rivals`` the base-value-weighted geometric mean of the other origins' prices).

    With ``output_hat`` (Belarus's status-quo output over its base output), the wedge on the
    rest of the world (``"ROW"``, not in the customs data) is calibrated in the same fixed
    point so that Belarus's output matches it; otherwise ROW shares the "other" wedge.

    ``beta`` is (D, G), ``sigma`` and ``route`` (D,); returns ``{group: (D,)}``. A draw can
    have no fixed point (a low sigma with inelastic supply: Belarus's price would absorb any
    wedge); ``on_fail="nan"`` returns NaN wedges for such draws instead of raising.
    """
    i = base.origins.index(TREATED)
    wts = base.value.sum(axis=1)
    wts = np.where(np.arange(len(wts)) == i, 0.0, wts)
    wts = wts / wts.sum()
    partial = {g: tariff_equivalent(beta[:, k], sigma) for k, g in enumerate(groups)}
    tau = dict(partial)
    row_share = base.weights[i, base.importers.index("ROW")] if "ROW" in base.importers else 0.0
    if output_hat is not None:
        if not row_share > 0:
            raise ValueError("ge_wedges: output_hat needs a ROW destination for Belarus")
        tau["ROW"] = partial["other"].copy()
    gap = np.inf
    gaps = np.full(len(sigma), np.inf)
    for k_iter in range(max_iter):
        sq = _scenario_taus(base, tau, route)["status quo"]
        out = solve(base, sq, sigma=sigma, epsilon=epsilon, eta=eta)
        lp = np.log(out["p_hat"])
        rel = np.exp(lp @ wts - lp[:, i])
        new = {g: partial[g] * rel for g in groups}
        if output_hat is not None:
            miss = np.log(out["output_hat"][:, i]) - np.log(output_hat)
            step = np.clip(miss / (np.maximum(row_share, 0.1) * sigma), -0.5, 0.5)
            new["ROW"] = tau["ROW"] * np.exp(step)

        gaps = np.max([np.abs(np.log(new[g] / tau[g])) for g in new]
                      + [np.abs(miss) if output_hat is not None else np.zeros(len(sigma))], axis=0)
        gap = float(gaps.max())
        tau = {g: tau[g] ** (1 - damping) * new[g] ** damping for g in new}
        if gap < tol:
            return tau
        if on_fail == "nan" and k_iter > 200 and np.quantile(gaps, 0.9) < tol:
            break  # only a few draws left: stop and mark them
    if on_fail == "nan":
        bad = gaps >= np.sqrt(tol)
        if bad.all():
            raise RuntimeError("ge_wedges: no draw converged")
        return {g: np.where(bad, np.nan, v) for g, v in tau.items()}
    raise RuntimeError(f"ge_wedges: no convergence after {max_iter} iterations (gap {gap:.1e})")


@dataclass(frozen=True)
class ScenarioInputs:
    """Everything the scenarios are built from (for the notebook to show)."""

    base: ArmingtonBase
    flows: pd.DataFrame
    sigma: SigmaResults
    wedges: WedgeResults
    sigma_used: float
    sigma_source: str
    tau: dict[str, float]  # the central wedges used, by group
    mapping: str


def _base_model(flows: pd.DataFrame, sigma: float) -> ArmingtonBase:
    eta = {o: SUPPLY_ELASTICITY[o][0] for o in flows["origin"].unique()}
    blr_out = flows.loc[flows["origin"] == TREATED, "quantity"].sum()
    peak = float(_production_kcl((2014, 2021)).get(TREATED, np.nan))
    cap = {TREATED: max(peak, blr_out)}
    return calibrate(flows, sigma=sigma, epsilon=DEMAND_ELASTICITY[0], eta=eta, capacity=cap)


def relief_scenarios(panel: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0,
                     level: float = 0.9, sigma: SigmaResults | None = None,
                     wedges: WedgeResults | None = None, mapping: WedgeMapping = "ge",
                     calibrate_row: bool = True,
                     sigma_override: tuple[float, float] | None = None
                     ) -> tuple[ScenarioComparison, ScenarioInputs]:
    """Calibrate to 2019-2020 and solve the scenarios with seeded Monte Carlo intervals.

    Draws: sigma normal around :func:`scenario_sigma_choice` (at least 1.5), the two
    PPML coefficients jointly normal, the route wedge normal (bootstrap s.e.; at least 1),
    supply and demand elasticities uniform over their ranges. The EU wedge is the US draw.
    ``mapping="ge"`` maps each draw's coefficients to wedges with :func:`ge_wedges` (at that
    draw's parameters); ``"partial"`` uses ``exp(-beta / (sigma - 1))``. With
    ``calibrate_row`` (and ``"ge"``) the rest-of-world wedge is set so that Belarus's
    status-quo output is its USGS output in :data:`STATUS_QUO_OUTPUT_YEAR`.
    ``sigma_override=(central, sd)`` replaces the sigma choice (for sensitivity tables).
    """
    check_option("mapping", mapping, WedgeMapping)
    panel = potash_import_panel() if panel is None else panel
    sig = scenario_sigma() if sigma is None else sigma
    s_c, s_se, s_src = (scenario_sigma_choice(sig) if sigma_override is None
                        else (*sigma_override, "override"))
    w = sanction_wedges(panel, sigma=s_c) if wedges is None else wedges
    flows = potash_base(panel)
    base = _base_model(flows, s_c)
    rng = np.random.default_rng(seed)
    s_d = np.maximum(rng.normal(s_c, s_se, n_draws), 1.5)
    b_d = rng.multivariate_normal(w.beta, w.vcov, n_draws)
    r_d = np.maximum(rng.normal(w.route, w.route_se, n_draws), 1.0)
    eta_d = np.column_stack([rng.uniform(*SUPPLY_ELASTICITY[o][1:], n_draws)
                             for o in base.origins])
    eps_d = rng.uniform(*DEMAND_ELASTICITY[1:], n_draws)
    n_failed = 0
    if mapping == "ge":
        target = status_quo_output_hat(base) if calibrate_row else None
        tau_d = ge_wedges(base, b_d, w.groups, s_d, r_d, epsilon=eps_d, eta=eta_d,
                          output_hat=target, on_fail="nan")
        ok = np.isfinite(np.column_stack(list(tau_d.values()))).all(axis=1)
        n_failed = int((~ok).sum())
        tau_d = {g: v[ok] for g, v in tau_d.items()}
        s_d, r_d, eps_d, eta_d = s_d[ok], r_d[ok], eps_d[ok], eta_d[ok]
        tau_c = {g: float(v[0]) for g, v in ge_wedges(
            base, w.beta[None], w.groups, np.array([s_c]), np.array([w.route]),
            output_hat=target).items()}
    else:
        tau_d = {g: tariff_equivalent(b_d[:, k], s_d) for k, g in enumerate(w.groups)}
        tau_c = {g: w.tau(g) for g in w.groups}
    central = {k: v[0] for k, v in _scenario_taus(
        base, {g: np.array([t]) for g, t in tau_c.items()}, np.array([w.route])).items()}
    draws = _scenario_taus(base, tau_d, r_d)
    notes = [f"Base {BASE_YEARS[0]}-{BASE_YEARS[1]}; sigma = {s_c:.2f} ({s_src}); "
             f"wedges mapped {mapping!r}: " + ", ".join(f"{g} {t:.2f}" for g, t in tau_c.items())
             + "; EU wedge assumed equal to the US wedge; EU origin mix assumed.",
             f"{n_failed} of {n_draws} draws have no wedges consistent with the PPML "
             "coefficients (low sigma with inelastic supply) and are left out."]
    res = compare_scenarios(base, central, draws={"sigma": s_d, "epsilon": eps_d, "eta": eta_d},
                            tau_draws=draws, level=level,
                            report_origins=("BLR", "CAN", "RUS"), reference="status quo",
                            notes=notes)
    return res, ScenarioInputs(base, flows, sig, w, s_c, s_src, tau_c, mapping)


# ----------------------------------------------------------------------------------------------
# back-test
# ----------------------------------------------------------------------------------------------
class BacktestResults(ResultsBase):
    """Belarus's share by importer: model (2019-2020 base + estimated wedges) against data."""

    _title = "Back-test: 2022-2023 destination shift"

    def __init__(self, table: pd.DataFrame, tolerance_pp: float, volume_ratio: float):
        self._table = table
        self._tol = tolerance_pp
        self._volume_ratio = volume_ratio

    @property
    def table(self) -> pd.DataFrame:
        return self._table.copy()

    @property
    def tolerance_pp(self) -> float:
        return self._tol

    @property
    def mean_abs_error_pp(self) -> float:
        return float((self._table["predicted"] - self._table["observed"]).abs().mean() * 100)

    @property
    def n_within(self) -> int:
        return int(self._table["within"].sum())

    @property
    def failures(self) -> list[str]:
        return list(self._table.loc[~self._table["within"], "importer"])

    @property
    def volume_ratio(self) -> float:
        """Model over observed Belarus tonnes to the 14 importers, 2022-2023."""
        return self._volume_ratio

    def summary_frame(self) -> pd.DataFrame:
        t = self._table.set_index("importer")
        return t.assign(estimate=t["predicted"] - t["observed"])

    def _notes(self) -> list[str]:
        return [f"Tolerance: |model - observed| Belarus share <= {self._tol:.0f} percentage points; "
                f"{self.n_within} of {len(self._table)} importers within; mean absolute error "
                f"{self.mean_abs_error_pp:.1f} pp; Belarus tonnes model/observed "
                f"{self._volume_ratio:.2f}."]

    def plot(self, ax: Any = None) -> Any:
        from potash.figures.armington import plot_backtest

        return plot_backtest(self._table, ax=ax)


def backtest(inputs: ScenarioInputs, panel: pd.DataFrame | None = None, *,
             years: tuple[int, int] = BACKTEST_YEARS, tolerance_pp: float = 5.0,
             min_base_tonnes: float = 50_000.0) -> BacktestResults:
    """Belarus's expenditure share by importer in ``years``: status-quo model against data.

    Importers with at least ``min_base_tonnes`` a year from Belarus in the base are compared.
    """
    panel = potash_import_panel() if panel is None else panel
    base, w = inputs.base, inputs.wedges
    taus = _scenario_taus(base, {g: np.array([t]) for g, t in inputs.tau.items()},
                          np.array([w.route]))
    out = solve(base, taus["status quo"][0])
    i = base.origins.index(TREATED)
    obs = _annual(panel, years)
    tot = obs.groupby("importer")["value"].sum()
    blr = obs[obs["origin"] == TREATED].set_index("importer")["value"]
    rows = []
    for j, m in enumerate(base.importers):
        if m in ("EU", "ROW") or base.quantity[i, j] < min_base_tonnes:
            continue
        o = float(blr.get(m, 0.0) / tot[m]) if m in tot.index else np.nan
        rows.append({"importer": m, "base": base.shares[i, j], "predicted": out["shares"][0, i, j],
                     "observed": o})
    t = pd.DataFrame(rows)
    t["within"] = (t["predicted"] - t["observed"]).abs() <= tolerance_pp / 100
    in14 = [j for j, m in enumerate(base.importers) if m not in ("EU", "ROW")]
    model_q = float((base.quantity[i, in14] * out["q_hat"][0, i, in14]).sum())
    obs_q = float(obs.loc[obs["origin"] == TREATED, "quantity"].sum())
    return BacktestResults(t, tolerance_pp, model_q / obs_q)


# ----------------------------------------------------------------------------------------------
# the months since the relief
# ----------------------------------------------------------------------------------------------
RELIEF_MONTH = "2025-12"
#: Importers whose Belarus imports since the relief are compared with the model.
WATCHED = ("USA", "CHN", "BRA")


def relief_months_check(res: ScenarioComparison, panel: pd.DataFrame | None = None, *,
                        importers: tuple[str, ...] = WATCHED, start: str = RELIEF_MONTH,
                        before: tuple[str, str] = ("2025-01", "2025-11")) -> pd.DataFrame:
    """Observed Belarus tonnes a month since ``start`` against the months ``before``, and the
    model's US-relief change against the status quo, per importer.

    A month counts (as zero if Belarus is absent) only when the importer reported HS 3104
    imports from some origin that month. ``agrees`` is whether the observed change has the
    sign of the model's change (changes under a twentieth of the status-quo volume, or under
    a thousand tonnes a month, count as "no change").
    """
    panel = potash_import_panel() if panel is None else panel
    rows = []
    for m in importers:
        p = panel[panel["importer"] == m]
        months = sorted(p["period"].unique())
        blr = p[p["origin"] == TREATED].groupby("period")["quantity"].sum()

        def mean(lo, hi, months=months, blr=blr):
            sel = [x for x in months if lo <= x <= hi]
            return (float(blr.reindex(sel).fillna(0.0).mean()) if sel else np.nan), len(sel), (
                sel[-1] if sel else "")

        after, n_after, last = mean(start, "9999-99")
        pre, n_pre, _ = mean(*before)
        sq = res.get("status quo", "volume", TREATED, m)["estimate"] / 12
        us = res.get("US relief", "volume", TREATED, m)
        rows.append({"importer": m, "months_after": n_after, "last_month": last,
                     "observed_before_t": pre, "observed_after_t": after,
                     "model_status_quo_t": sq, "model_us_relief_t": us["estimate"] / 12,
                     "model_us_relief_low_t": us["ci_low"] / 12,
                     "model_us_relief_high_t": us["ci_high"] / 12})
    t = pd.DataFrame(rows)

    def sign(change, scale):
        return np.where(np.abs(change) < np.maximum(0.05 * scale, 1000.0), 0, np.sign(change))

    t["model_direction"] = sign(t["model_us_relief_t"] - t["model_status_quo_t"],
                                t["model_status_quo_t"])
    t["observed_direction"] = sign(t["observed_after_t"] - t["observed_before_t"],
                                   t["observed_before_t"])
    t["agrees"] = t["model_direction"] == t["observed_direction"]
    return t
