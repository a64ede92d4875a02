"""Shipping and insurance of potash into Brazil, by origin (ComexStat, MDIC/SECEX; 8 states).

Brazil's import declarations carry the FOB value, the freight and the insurance paid per
cargo, so they measure what a tonne of Belarusian potassium chloride (NCM 31042090) cost to
ship and insure against Canadian and Russian tonnes. Belarus's flows are Brazil's imports from
Belarus: mirror data (Belarus does not report). The file covers eight importing states (the
KCl total is still near-national) and ends in 2024-07; Belarus's last month is 2024-03.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.results import ResultsBase
from potash.data._common import as_names
from potash.data.trade import load_trade

__all__ = [
    "FREIGHT_STEPS",
    "FreightResults",
    "freight_by_origin",
    "freight_did",
    "not_declared_share",
]

#: Steps of the freight difference-in-differences: the US/UK/Canada sanctions (2021-08), the end
#: of the Klaipeda transit (2022-02-01) and the EU's full ban a week into the war (2022-03).
FREIGHT_STEPS: tuple[str, ...] = ("2021-08", "2022-02", "2022-03")
_KCL = "31042090"
_SOURCE = "ComexStat, MDIC/SECEX (Brazil, 8 states)"


def _kcl(comex: pd.DataFrame | None, hs_code: str) -> pd.DataFrame:
    if comex is None:
        comex = load_trade("comexstat")
    need = {"period", "partner_iso3", "quantity_t", "value_usd", "freight_usd", "insurance_usd",
            "hs_code"}
    missing = need - set(comex.columns)
    if missing:
        raise PotashDataError(f"ComexStat table lacks columns {sorted(missing)}",
                              file="load_trade('comexstat')", column=sorted(missing)[0])
    c = comex[(comex["hs_code"] == hs_code) & (comex["quantity_t"] > 0)].copy()
    if c.empty:
        raise PotashDataError(f"no ComexStat rows for NCM {hs_code}",
                              file="load_trade('comexstat')", column="hs_code")
    c["year"] = c["period"].str[:4].astype("int64")
    c["insured_t"] = c["quantity_t"].where(c["insurance_usd"] > 0, 0.0)
    return c


def freight_by_origin(
    comex: pd.DataFrame | None = None,
    *,
    origins: Sequence[str] = ("BLR", "CAN", "RUS", "ISR", "DEU", "XXX"),
    hs_code: str = _KCL,
    frequency: str = "year",
) -> pd.DataFrame:
    """Freight, insurance and FOB per tonne by origin, and the share of tonnage declaring insurance.

    Parameters
    ----------
    comex : DataFrame, optional
        ``load_trade("comexstat")``.
    origins : sequence of str
        Origins kept (``XXX``: origin not declared); others summed as ``"other"``.
    hs_code : str
        NCM code (potassium chloride).
    frequency : {"year", "period"}
        Annual or monthly rows.

    Returns
    -------
    DataFrame
        ``<frequency>, origin, quantity_t, fob_per_t, freight_per_t, insurance_per_t,
        insured_share, freight_share_cif`` (tonnage-weighted: sums over cargoes divided).

    Examples
    --------
    >>> f = freight_by_origin()
    >>> bool(f.loc[(f["year"] == 2019) & (f["origin"] == "BLR"), "freight_per_t"].iloc[0] > 0)
    True
    """
    if frequency not in ("year", "period"):
        raise ValueError(f"frequency: expected 'year' or 'period', got {frequency!r}")
    c = _kcl(comex, hs_code)
    c["origin"] = c["partner_iso3"].where(c["partner_iso3"].isin(as_names(origins, "origins")), "other")
    g = c.groupby([frequency, "origin"], as_index=False)[
        ["quantity_t", "value_usd", "freight_usd", "insurance_usd", "insured_t"]].sum()
    g["fob_per_t"] = g["value_usd"] / g["quantity_t"]
    g["freight_per_t"] = g["freight_usd"] / g["quantity_t"]
    g["insurance_per_t"] = g["insurance_usd"] / g["quantity_t"]
    g["insured_share"] = g["insured_t"] / g["quantity_t"]
    g["freight_share_cif"] = g["freight_usd"] / (g["value_usd"] + g["freight_usd"]
                                                 + g["insurance_usd"])
    return g[[frequency, "origin", "quantity_t", "fob_per_t", "freight_per_t", "insurance_per_t",
              "insured_share", "freight_share_cif"]]


def not_declared_share(comex: pd.DataFrame | None = None, *, hs_code: str = _KCL,
                       code: str = "XXX") -> pd.DataFrame:
    """Share of Brazil's potassium chloride tonnes whose origin is not declared, by year.

    A circumvention signal (cargoes of sanctioned origin may enter undeclared), never proof:
    read it next to Belarus's own declared share.

    Examples
    --------
    >>> s = not_declared_share()
    >>> bool(s.set_index("year").loc[2023, "not_declared_share"] > 0.05)
    True
    """
    c = _kcl(comex, hs_code)
    tot = c.groupby("year")["quantity_t"].sum()
    nd = c[c["partner_iso3"] == code].groupby("year")["quantity_t"].sum()
    blr = c[c["partner_iso3"] == "BLR"].groupby("year")["quantity_t"].sum()
    out = pd.DataFrame({"total_t": tot, "not_declared_t": nd, "belarus_t": blr}).fillna(0.0)
    out["not_declared_share"] = out["not_declared_t"] / out["total_t"]
    out["belarus_share"] = out["belarus_t"] / out["total_t"]
    months = c.groupby("year")["period"].nunique()
    out["months"] = months
    return out.rename_axis("year").reset_index()


@dataclass(frozen=True, repr=False)
class FreightResults(ResultsBase):
    """Difference-in-differences of Belarus-origin freight per tonne against other origins.

    Attributes
    ----------
    table : DataFrame
        ``term, estimate, se, statistic, p_value, ci_low, ci_high, n_obs, ri_p_value,
        n_placebos, pct`` (``exp(estimate) - 1``): cumulative steps from each month in
        ``steps``, month and origin fixed effects, clustered by month; the RI p-value reassigns
        the treatment to each control origin in turn (in space).
    panel : DataFrame
        ``origin, period, quantity_t, freight_per_t, log_freight``.
    by_origin : DataFrame
        Annual :func:`freight_by_origin`.
    not_declared : DataFrame
        :func:`not_declared_share`.
    """

    table: pd.DataFrame
    panel: pd.DataFrame
    by_origin: pd.DataFrame
    not_declared: pd.DataFrame
    treated: str
    _title: str = "Freight per tonne into Brazil: Belarus vs other origins (DiD)"

    def summary_frame(self) -> pd.DataFrame:
        """The DiD step coefficients."""
        return self.table

    def _notes(self) -> list[str]:
        return [f"log freight/t ~ {self.treated} x step | origin + month; SE clustered by month; "
                f"RI in space over {int(self.table['n_placebos'].max())} control origins. "
                f"{_SOURCE}; Belarus's flows are Brazil's imports (mirror data)."]

    def plot(self, ax: Any = None) -> Any:
        """Freight per tonne by origin and year (:func:`potash.figures.buyers.plot_freight`)."""
        from potash.figures.buyers import plot_freight

        return plot_freight(self.by_origin[self.by_origin["origin"] != "other"], ax=ax)


def freight_did(
    comex: pd.DataFrame | None = None,
    *,
    treated: str = "BLR",
    steps: Sequence[str] = FREIGHT_STEPS,
    start: str = "2017-01",
    end: str = "2024-03",
    min_months: float = 0.6,
    hs_code: str = _KCL,
) -> FreightResults:
    """Belarus-origin freight per tonne against other origins around the sanction steps.

    Panel: origin x month of tonnage-weighted freight per tonne (sum of freight over sum of
    tonnes), ``start`` to ``end`` (Belarus's last month is 2024-03), origins present in at
    least ``min_months`` of the months (``XXX`` not declared excluded from the controls).
    Regression (pyfixest ``feols``)::

        log(freight/t)_ot = sum_k b_k 1[o = treated, t >= step_k] + a_o + g_t + e_ot

    so ``b_k`` is the extra change from step ``k`` on. Clustered by month; the randomization
    p-value gives each control origin the treatment in turn (in-space placebo, the treated
    origin left out) and ranks ``|b_k|``. With 2022-02 and 2022-03 one month apart, the 2022-02 step rests on one month.

    Parameters
    ----------
    comex : DataFrame, optional
        ``load_trade("comexstat")``.
    treated : str
        Treated origin.
    steps : sequence of str
        ``YYYY-MM`` step months.
    start, end : str
        Sample months.
    min_months : float
        Share of months an origin must be present in.
    hs_code : str
        NCM code.

    Returns
    -------
    FreightResults

    Examples
    --------
    >>> r = freight_did()
    >>> list(r.table["term"])[:1]
    ['BLR_x_2021-08']
    """
    from potash.estimators.fixest import fe_fit

    c = _kcl(comex, hs_code)
    c = c[(c["period"] >= start) & (c["period"] <= end) & (c["freight_usd"] > 0)]
    p = c.groupby(["partner_iso3", "period"], as_index=False)[["quantity_t", "freight_usd"]].sum()
    p = p.rename(columns={"partner_iso3": "origin"})
    n_months = p["period"].nunique()
    cover = p.groupby("origin")["period"].nunique() / n_months
    keep = set(cover[cover >= min_months].index) - {"XXX"}
    if treated not in keep:
        raise PotashDataError(f"{treated} present in fewer than {min_months:.0%} of the months",
                              file="load_trade('comexstat')", column="partner_iso3")
    p = p[p["origin"].isin(keep)].reset_index(drop=True)
    p["freight_per_t"] = p["freight_usd"] / p["quantity_t"]
    p["log_freight"] = np.log(p["freight_per_t"])
    names = [f"{treated}_x_{s}" for s in steps]

    def design(d: pd.DataFrame, who: str) -> pd.DataFrame:
        x = d.copy()
        for s, n in zip(steps, names, strict=True):
            x[n] = ((x["origin"] == who) & (x["period"] >= s)).astype("int64")
        return x

    res = fe_fit(design(p, treated), "log_freight", names, ["origin", "period"],
                 cluster="period")
    controls = sorted(keep - {treated})
    # in-space placebos: each control origin "treated" in turn, the real treated unit left out
    rest = p[p["origin"] != treated]
    null = pd.DataFrame([fe_fit(design(rest, o), "log_freight", names, ["origin", "period"])
                         ["estimate"] for o in controls]).reindex(columns=res.index)
    exceed = (null.abs().to_numpy() >= np.abs(res["estimate"].to_numpy()) - 1e-12).sum(axis=0)
    res["ri_p_value"] = (1 + exceed) / (1 + len(null))
    res["n_placebos"] = len(null)
    res["pct"] = 100 * np.expm1(res["estimate"])
    table = res.reset_index()
    return FreightResults(table=table, panel=p, by_origin=freight_by_origin(comex, hs_code=hs_code),
                          not_declared=not_declared_share(comex, hs_code=hs_code),
                          treated=treated)
