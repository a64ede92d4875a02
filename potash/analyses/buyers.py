"""Buyers of Belarusian potash, seen through its partners' customs data (mirror data).

Belarus does not report its trade after 2021: every number here is a partner's import
(valued CIF by most importers, FOB by Brazil), never a Belarusian export declaration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.results import ResultsBase
from potash.data._common import as_names
from potash.data.trade import load_trade

__all__ = [
    "BUYER_GROUPS",
    "DESTINATION_GROUPS",
    "WINDOWS",
    "BuyersResults",
    "DiscountResults",
    "MonthlyPPMLResults",
    "ReliefMonthsResults",
    "ReplacementResults",
    "assign_window",
    "belarus_buyers",
    "customs_flow_panel",
    "customs_mirror_check",
    "discount_by_year",
    "unit_value_discount",
    "monthly_imports_from",
    "monthly_trade_event_study",
    "relief_months",
    "replacement_shares",
]


def customs_mirror_check(
    exporter: str = "BLR",
    *,
    hs_code: str = "3104",
    fao_product: str = "potassium_chloride",
    customs: pd.DataFrame | None = None,
    faostat: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """An exporter's exports rebuilt from its partners' imports, against the FAOSTAT totals, by year.

    Belarus does not report: the mirror is the sum of the 14 customs importers' imports from it
    (``flow="import"``, ``partner_iso3=exporter``), so it covers only those markets and is valued
    CIF by most importers (FOB by Brazil): ``share_of_fao`` measures how much of the FAOSTAT total
    these partners see, not an error. FAOSTAT's Belarus figures after 2021 are FAO estimates.

    Parameters
    ----------
    exporter : str
        ISO3 of the exporter seen through its partners.
    hs_code : str
        Customs heading (``"3104"`` potash; HS4 mixes KCl with sulphate).
    fao_product : str
        FAOSTAT product compared (``"potassium_chloride"``).
    customs, faostat : DataFrame, optional
        ``load_trade("customs_monthly")`` and ``load_trade("faostat")`` (default: load them).

    Returns
    -------
    DataFrame
        One row per year: ``year, mirror_t, mirror_usd, mirror_usd_cif, mirror_usd_fob,
        n_reporters, reporter_months, fao_export_t, fao_export_usd, fao_flag, share_of_fao``
        (``fao_*`` missing where FAOSTAT has no figure, e.g. after 2023).

    Examples
    --------
    >>> m = customs_mirror_check()
    >>> int(m.loc[m["year"] == 2021, "n_reporters"].iloc[0]) > 5
    True
    """
    if customs is None:
        customs = load_trade("customs_monthly")
    if faostat is None:
        faostat = load_trade("faostat")
    m = customs[(customs["flow"] == "import") & (customs["partner_iso3"] == exporter)
                & (customs["hs_code"] == hs_code)].copy()
    m["usd_cif"] = m["value_usd"].where(m["value_basis"] == "CIF", 0.0)
    m["usd_fob"] = m["value_usd"].where(m["value_basis"] == "FOB", 0.0)
    m["rm"] = m["reporter_iso3"] + " " + m["period"]
    mir = m.groupby("year").agg(
        mirror_t=("quantity_t", "sum"), mirror_usd=("value_usd", "sum"),
        mirror_usd_cif=("usd_cif", "sum"), mirror_usd_fob=("usd_fob", "sum"),
        n_reporters=("reporter_iso3", "nunique"), reporter_months=("rm", "nunique"))
    fao = faostat[(faostat["reporter_iso3"] == exporter) & (faostat["flow"] == "export")
                  & (faostat["product"] == fao_product) & (faostat["partner_iso3"] == "WLD")]
    fao = fao.set_index("year")[["quantity_t", "value_usd", "flag"]].rename(
        columns={"quantity_t": "fao_export_t", "value_usd": "fao_export_usd", "flag": "fao_flag"})
    out = mir.join(fao, how="left").reset_index()
    out["share_of_fao"] = out["mirror_t"] / out["fao_export_t"]
    out["year"] = out["year"].astype("int64")
    for c in ("n_reporters", "reporter_months"):
        out[c] = out[c].astype("int64")
    out["fao_flag"] = out["fao_flag"].astype("string")
    return out.sort_values("year", ignore_index=True)


# --------------------------------------------------------------------------------------------
# Buyers, replacement, discount and relief months (issue 12). Mirror data throughout: every
# Belarus flow below is a partner's import declaration, never a Belarusian report.
# --------------------------------------------------------------------------------------------

#: Destination groups of the buyers analysis (the rest is "other").
BUYER_GROUPS: tuple[str, ...] = ("CHN", "BRA", "IND", "USA", "IDN")
#: Windows of the monthly analyses: before the US/UK/Canada sanctions of 2021-08-09, until the
#: end of the Klaipeda transit (2022-02-01), after it, and the months from the US relief
#: (announced 2025-12-13).
WINDOWS: tuple[tuple[str, str, str], ...] = (
    ("pre", "2014-01", "2021-07"),
    ("sanctions", "2021-08", "2022-01"),
    ("post_klaipeda", "2022-02", "2025-11"),
    ("relief", "2025-12", "2099-12"),
)
_MIRROR = "mirror data: partners' customs imports from Belarus (Belarus does not report)"


def assign_window(period: pd.Series, windows: Sequence[tuple[str, str, str]] = WINDOWS) -> pd.Series:
    """Name of the window ``(name, first, last)`` holding each ``YYYY-MM`` period (NA outside).

    Examples
    --------
    >>> assign_window(pd.Series(["2021-07", "2021-08", "2026-01"])).tolist()
    ['pre', 'sanctions', 'relief']
    """
    p = period.astype(str)
    out = pd.Series(pd.NA, index=period.index, dtype="object")
    for name, a, b in windows:
        out[(p >= a) & (p <= b)] = name
    return out


def _imports(customs: pd.DataFrame | None, hs_code: str) -> pd.DataFrame:
    if customs is None:
        customs = load_trade("customs_monthly")
    need = {"flow", "hs_code", "reporter_iso3", "partner_iso3", "period", "quantity_t",
            "value_usd", "value_basis"}
    missing = need - set(customs.columns)
    if missing:
        raise PotashDataError(f"customs table lacks columns {sorted(missing)}",
                              file="load_trade('customs_monthly')", column=sorted(missing)[0])
    m = customs[(customs["flow"] == "import") & (customs["hs_code"] == hs_code)]
    if "flag" in m.columns:  # artefacts flagged by the loader never enter the analyses
        m = m[~m["flag"].fillna("").str.contains("belgium_belarus_zero_value")]
    return m


@dataclass(frozen=True, repr=False)
class BuyersResults(ResultsBase):
    """Belarus's monthly shipments by destination (mirror data) and each destination's share.

    Attributes
    ----------
    monthly : DataFrame
        ``period, destination, quantity_t, value_usd, share`` (share of the month's total seen
        by the reporters; a destination that did not report that month is absent, never 0).
    annual : DataFrame
        ``year, destination, quantity_t, share, months_reported``.
    shift : DataFrame
        Per destination: ``share_pre`` (``pre_years``), ``share_post`` (``post_years``),
        ``change_pp``.
    """

    monthly: pd.DataFrame
    annual: pd.DataFrame
    shift: pd.DataFrame
    exporter: str
    pre_years: tuple[int, int]
    post_years: tuple[int, int]
    _title: str = "Buyers (mirror data: partners' imports)"

    def summary_frame(self) -> pd.DataFrame:
        """Per destination: share before and after, and the change in points (``estimate``)."""
        out = self.shift.copy()
        out["estimate"] = out["change_pp"]
        return out

    def _notes(self) -> list[str]:
        return [f"{self.exporter}: {_MIRROR}; shares of what the 14 customs importers report."]

    def plot(self, ax: Any = None) -> Any:
        """Stacked monthly tonnes by destination and the shares (:func:`potash.figures.buyers.plot_buyers`)."""
        from potash.figures.buyers import plot_buyers

        return plot_buyers(self.monthly, ax=ax)


def belarus_buyers(
    customs: pd.DataFrame | None = None,
    *,
    exporter: str = "BLR",
    hs_code: str = "3104",
    groups: Sequence[str] = BUYER_GROUPS,
    pre_years: tuple[int, int] = (2018, 2020),
    post_years: tuple[int, int] = (2023, 2025),
) -> BuyersResults:
    """Belarus's shipments by destination, monthly 2014-2026, from its partners' imports.

    Mirror data: the 14 customs importers' HS 3104 imports with partner ``exporter``
    (quantities in tonnes; values CIF except Brazil's FOB). Destinations outside ``groups`` are
    summed as ``"other"``. A reporter absent in a month is not counted as zero.

    Parameters
    ----------
    customs : DataFrame, optional
        ``load_trade("customs_monthly")`` (default: load it).
    exporter : str
        ISO3 seen through its partners.
    hs_code : str
        Heading (``"3104"`` potash).
    groups : sequence of str
        Destinations shown on their own.
    pre_years, post_years : (int, int)
        Inclusive year ranges compared in ``shift``.

    Returns
    -------
    BuyersResults

    Examples
    --------
    >>> r = belarus_buyers()
    >>> bool(r.shift.loc["CHN", "change_pp"] > 0)
    True
    """
    m = _imports(customs, hs_code)
    m = m[m["partner_iso3"] == exporter]
    if m.empty:
        raise PotashDataError(f"no {hs_code} imports from {exporter} in the customs table",
                              file="load_trade('customs_monthly')", column="partner_iso3")
    dest = m["reporter_iso3"].where(m["reporter_iso3"].isin(as_names(groups, "groups")), "other").astype(str)
    mon = (m.assign(destination=dest).groupby(["period", "destination"], as_index=False)
           [["quantity_t", "value_usd"]].sum())
    mon["share"] = mon["quantity_t"] / mon.groupby("period")["quantity_t"].transform("sum")
    mon["year"] = mon["period"].str[:4].astype("int64")
    ann = mon.groupby(["year", "destination"], as_index=False).agg(
        quantity_t=("quantity_t", "sum"), months_reported=("period", "nunique"))
    ann["share"] = ann["quantity_t"] / ann.groupby("year")["quantity_t"].transform("sum")

    def window_share(a: int, b: int) -> pd.Series:
        w = ann[(ann["year"] >= a) & (ann["year"] <= b)].groupby("destination")["quantity_t"].sum()
        return w / w.sum()

    shift = pd.DataFrame({"share_pre": window_share(*pre_years),
                          "share_post": window_share(*post_years)}).fillna(0.0)
    shift["change_pp"] = 100 * (shift["share_post"] - shift["share_pre"])
    shift.index.name = "destination"
    return BuyersResults(monthly=mon.reset_index(drop=True), annual=ann, shift=shift,
                         exporter=exporter, pre_years=pre_years, post_years=post_years)


@dataclass(frozen=True, repr=False)
class ReplacementResults(ResultsBase):
    """Origin shares of each importer before and after, from :func:`share_shift` per market.

    Attributes
    ----------
    table : DataFrame
        ``importer, origin, base_year, year, share_base, share_year, share_change_pp,
        value_base, value_year`` (tonnes).
    """

    table: pd.DataFrame
    exporter: str
    _title: str = "Who took Belarus's place (origin shares per importer)"

    def summary_frame(self) -> pd.DataFrame:
        """One row per importer, comparison year and origin; ``estimate`` is the share change (pp)."""
        out = self.table.copy()
        out["estimate"] = out["share_change_pp"]
        return out

    def replacements(self, year: int | None = None) -> pd.DataFrame:
        """Per importer: Belarus's share lost and the origin that gained most, in ``year`` (last by default)."""
        t = self.table if year is None else self.table[self.table["year"] == year]
        t = t[t["year"] == t["year"].max()]
        rows = []
        for imp, g in t.groupby("importer"):
            b = g[g["origin"] == self.exporter]
            others = g[g["origin"] != self.exporter].sort_values("share_change_pp", ascending=False)
            rows.append({"importer": imp, "year": int(g["year"].iloc[0]),
                         "blr_share_base": float(b["share_base"].sum()),
                         "blr_change_pp": float(b["share_change_pp"].sum()),
                         "top_gainer": others["origin"].iloc[0] if len(others) else pd.NA,
                         "top_gain_pp": float(others["share_change_pp"].iloc[0]) if len(others) else np.nan})
        return pd.DataFrame(rows).sort_values("blr_change_pp", ignore_index=True)

    def plot(self, ax: Any = None) -> Any:
        """Share change by origin in each importer (:func:`potash.figures.buyers.plot_replacement`)."""
        from potash.figures.buyers import plot_replacement

        return plot_replacement(self.table, self.exporter, ax=ax)


def replacement_shares(
    customs: pd.DataFrame | None = None,
    *,
    exporter: str = "BLR",
    importers: Sequence[str] | None = None,
    base_year: int = 2020,
    years: Sequence[int] = (2022, 2023, 2024, 2025),
    min_base_share: float = 0.05,
    hs_code: str = "3104",
) -> ReplacementResults:
    """In each importer, origin shares in ``base_year`` against later years (who replaced Belarus).

    Calendar years bracket the monthly breaks: 2020 is wholly before the 2021-08 sanctions and
    2022 onwards after the 2022-02 Klaipeda closure (2021 mixes both and is not compared).
    Uses :func:`potash.analyses.market.share_shift` on each importer's imports by origin
    (the origin plays the exporter's role). Mirror data for Belarus.

    Parameters
    ----------
    customs : DataFrame, optional
        ``load_trade("customs_monthly")``.
    exporter : str
        The origin whose place is studied.
    importers : sequence of str, optional
        Markets (default: those where ``exporter`` held at least ``min_base_share`` of tonnes in
        ``base_year``).
    base_year, years
        Years compared.
    min_base_share : float
        Threshold for the default market list.
    hs_code : str
        Heading.

    Returns
    -------
    ReplacementResults

    Examples
    --------
    >>> r = replacement_shares(importers=["BRA"])
    >>> "BLR" in set(r.table["origin"])
    True
    """
    from potash.analyses.market import share_shift

    m = _imports(customs, hs_code)
    m = m[m["partner_iso3"].notna() & (m["quantity_t"] > 0)]
    if importers is None:
        b = m[m["year"] == base_year].groupby(["reporter_iso3", "partner_iso3"])["quantity_t"].sum()
        sh = b / b.groupby(level=0).transform("sum")
        importers = sorted(sh.xs(exporter, level=1)[lambda s: s >= min_base_share].index)
    out = []
    for imp in importers:
        t = m[m["reporter_iso3"] == imp]
        yrs = [y for y in years if (t["year"] == y).any()]
        if t.empty or not (t["year"] == base_year).any() or not yrs:
            continue
        tt = pd.DataFrame({"year": t["year"].astype("int64"), "reporter_iso3": t["partner_iso3"],
                           "partner_iso3": "WLD", "flow": "export", "product": "potash_hs3104",
                           "quantity_t": t["quantity_t"]})
        tt = tt.groupby(["year", "reporter_iso3", "partner_iso3", "flow", "product"],
                        as_index=False)["quantity_t"].sum()
        s = share_shift(tt, base_year, yrs)
        s = s.rename(columns={"reporter_iso3": "origin"})
        s.insert(0, "importer", imp)
        out.append(s[["importer", "origin", "base_year", "year", "share_base", "share_year",
                      "share_change_pp", "value_base", "value_year"]])
    if not out:
        raise PotashDataError(f"no importer with {exporter} imports in {base_year}",
                              file="load_trade('customs_monthly')", column="partner_iso3")
    return ReplacementResults(table=pd.concat(out, ignore_index=True), exporter=exporter)


@dataclass(frozen=True, repr=False)
class ReliefMonthsResults(ResultsBase):
    """Monthly imports from Belarus after the US relief against a seasonal counterfactual.

    Attributes
    ----------
    table : DataFrame
        ``series, period, actual, counterfactual, cf_low, cf_high, relief, unit_value,
        unit_value_cf`` (tonnes; ``actual`` NA when the importer did not report the month).
    summary_table : DataFrame
        Per series: ``n_relief_months, actual_t, counterfactual_t, estimate`` (relative
        change, ``actual/counterfactual - 1``), ``placebo_p`` (rank among the same statistic in
        each counterfactual year, left out in turn), ``n_placebos``, ``unit_value_change``.
    relief_start : str
    cf_years : tuple[int, int]
    """

    table: pd.DataFrame
    summary_table: pd.DataFrame
    relief_start: str
    cf_years: tuple[int, int]
    _title: str = "Relief months: imports from Belarus vs same-month 2023-2025 (mirror data)"

    def summary_frame(self) -> pd.DataFrame:
        """Per series: months, tonnes, counterfactual, relative change and placebo p-value."""
        return self.summary_table.rename(columns={"placebo_p": "p_value"})

    def _notes(self) -> list[str]:
        n = int(self.summary_table["n_relief_months"].max())
        return [f"At most {n} months after {self.relief_start}: a first look, not an estimate "
                "of the relief's effect; " + _MIRROR + "."]

    def plot(self, ax: Any = None) -> Any:
        """Actual vs counterfactual (:func:`potash.figures.buyers.plot_relief_months`)."""
        from potash.figures.buyers import plot_relief_months

        return plot_relief_months(self.table[self.table["period"] >= "2024-01"], ax=ax)


def relief_months(
    customs: pd.DataFrame | None = None,
    *,
    exporter: str = "BLR",
    importers: Sequence[str] = ("USA", "CHN", "BRA", "IDN"),
    relief_start: str = "2025-12",
    cf_years: tuple[int, int] = (2023, 2025),
    hs_code: str = "3104",
) -> ReliefMonthsResults:
    """What changed after the US relief (2025-12-13) in the months the data hold.

    Counterfactual for month ``m`` after ``relief_start``: the mean of the same calendar month
    over ``cf_years`` (range shaded as min-max). A month the importer did not report (no HS
    3104 import row from any origin) is missing, never zero; a reported month without Belarus is
    zero. The placebo p-value ranks the relief statistic among the same statistic computed, for
    each counterfactual year in turn, on that year's same calendar months against the mean of
    the other years: with three years it cannot go below 0.25, which says how little the few
    relief months can show. Mirror data throughout.

    Parameters
    ----------
    customs : DataFrame, optional
        ``load_trade("customs_monthly")``.
    exporter : str
        Origin.
    importers : sequence of str
        Series shown.
    relief_start : str
        First relief month (``YYYY-MM``).
    cf_years : (int, int)
        Inclusive years of the seasonal counterfactual (before the relief).
    hs_code : str
        Heading.

    Returns
    -------
    ReliefMonthsResults

    Examples
    --------
    >>> r = relief_months(importers=["CHN"])
    >>> int(r.summary_table.loc["CHN", "n_relief_months"]) >= 3
    True
    """
    m = _imports(customs, hs_code)
    reported = m.groupby(["reporter_iso3", "period"]).size().rename("n").reset_index()
    b = m[m["partner_iso3"] == exporter].groupby(["reporter_iso3", "period"])[
        ["quantity_t", "value_usd"]].sum()
    years = list(range(cf_years[0], cf_years[1] + 1))
    rows, summ = [], []
    for imp in importers:
        rep = reported[reported["reporter_iso3"] == imp]
        if rep.empty:
            continue
        last = rep["period"].max()
        idx = pd.period_range(f"{cf_years[0]}-01", last, freq="M").strftime("%Y-%m")
        s = pd.DataFrame(index=idx)
        s["reported"] = s.index.isin(rep["period"])
        bb = b.loc[imp] if imp in b.index.get_level_values(0) else pd.DataFrame(
            columns=["quantity_t", "value_usd"], dtype=float)
        s = s.join(bb)
        s["actual"] = s["quantity_t"].fillna(0.0).where(s["reported"])
        s["value"] = s["value_usd"].fillna(0.0).where(s["reported"])
        s["moy"] = s.index.str[5:]
        s["yr"] = s.index.str[:4].astype(int)
        base = s[s["yr"].isin(years)]
        cf = base.groupby("moy")["actual"].agg(["mean", "min", "max"])
        cfv = base.groupby("moy")[["value", "actual"]].sum()
        uv_cf = (cfv["value"] / cfv["actual"]).where(cfv["actual"] > 0)
        s["counterfactual"] = s["moy"].map(cf["mean"])
        s["cf_low"] = s["moy"].map(cf["min"])
        s["cf_high"] = s["moy"].map(cf["max"])
        s["relief"] = s.index >= relief_start
        s["unit_value"] = (s["value"] / s["actual"]).where(s["actual"] > 0)
        s["unit_value_cf"] = s["moy"].map(uv_cf)
        post = s[s["relief"] & s["reported"]]
        months = list(post["moy"])
        a_sum, c_sum = float(post["actual"].sum()), float(post["counterfactual"].sum())
        obs = a_sum / c_sum - 1 if c_sum > 0 else np.nan
        plac = []
        for y in years:  # placebo: year y's same months against the other years' mean
            others = base[base["yr"] != y].groupby("moy")["actual"].mean()
            # relief months of December belong to the year before the January-onward ones
            yy = base[((base["yr"] == y) & (base["moy"].isin([mm for mm in months if mm != "12"])))
                      | ((base["yr"] == y - 1) & (base["moy"] == "12") & ("12" in months))]
            if len(yy) != len(months) or yy["actual"].isna().any():
                continue
            c = float(yy["moy"].map(others).sum())
            if c > 0:
                plac.append(float(yy["actual"].sum()) / c - 1)
        p = (1 + sum(abs(v) >= abs(obs) for v in plac)) / (1 + len(plac)) if plac and np.isfinite(obs) else np.nan
        uv_post = float(post["value"].sum() / a_sum) if a_sum > 0 else np.nan
        uv_cf_post = float((post["moy"].map(cfv["value"]).sum()) / post["moy"].map(cfv["actual"]).sum()) \
            if post["moy"].map(cfv["actual"]).sum() > 0 else np.nan
        summ.append({"series": imp, "n_relief_months": len(post), "last_month": last,
                     "actual_t": a_sum, "counterfactual_t": c_sum, "estimate": obs,
                     "placebo_p": p, "n_placebos": len(plac), "unit_value": uv_post,
                     "unit_value_cf": uv_cf_post,
                     "unit_value_change": uv_post / uv_cf_post - 1 if uv_cf_post else np.nan})
        s = s.reset_index(names="period")
        s.insert(0, "series", imp)
        rows.append(s[["series", "period", "actual", "counterfactual", "cf_low", "cf_high",
                       "relief", "unit_value", "unit_value_cf"]])
    if not rows:
        raise PotashDataError(f"none of the importers {list(importers)} reports {hs_code}",
                              file="load_trade('customs_monthly')", column="reporter_iso3")
    return ReliefMonthsResults(table=pd.concat(rows, ignore_index=True),
                               summary_table=pd.DataFrame(summ).set_index("series"),
                               relief_start=relief_start, cf_years=cf_years)


def monthly_imports_from(
    importer: str, year: int, customs: pd.DataFrame | None = None, *, exporter: str = "BLR",
    hs_code: str = "3104",
) -> pd.DataFrame:
    """One importer's monthly imports from ``exporter`` in ``year`` (mirror data), reported months only.

    Examples
    --------
    >>> t = monthly_imports_from("CHN", 2026)
    >>> t["period"].iloc[0]
    '2026-01'
    """
    m = _imports(customs, hs_code)
    m = m[(m["reporter_iso3"] == importer) & (m["year"] == year)]
    months = sorted(m["period"].unique())
    b = m[m["partner_iso3"] == exporter].groupby("period")[["quantity_t", "value_usd"]].sum()
    out = b.reindex(months, fill_value=0.0).rename_axis("period").reset_index()
    out["unit_value"] = (out["value_usd"] / out["quantity_t"]).where(out["quantity_t"] > 0)
    return out


# ------------------------------------------------------------------------------ discount ----

_CLUSTERS = Literal["importer_month", "importer"]


def _uv_panel(customs: pd.DataFrame | None, exporter: str, rival: str, basis: str,
              hs_code: str, importers: Sequence[str] | None) -> pd.DataFrame:
    m = _imports(customs, hs_code)
    m = m[m["partner_iso3"].isin([exporter, rival]) & (m["value_basis"] == basis)
          & (m["quantity_t"] > 0) & (m["value_usd"] > 0)]
    if importers is not None:
        m = m[m["reporter_iso3"].isin(as_names(importers, "importers"))]
    g = m.groupby(["reporter_iso3", "period", "partner_iso3"], as_index=False)[
        ["quantity_t", "value_usd"]].sum()
    g["importer_month"] = g["reporter_iso3"] + "_" + g["period"]
    both = g.groupby("importer_month")["partner_iso3"].transform("nunique") == 2
    g = g[both].reset_index(drop=True)
    g["log_uv"] = np.log(g["value_usd"] / g["quantity_t"])
    g["origin"] = g["partner_iso3"].astype(str)
    g["year"] = g["period"].str[:4].astype("int64")
    return g


@dataclass(frozen=True, repr=False)
class DiscountResults(ResultsBase):
    """Belarus's unit value against rivals within the same importer and month (log points).

    Attributes
    ----------
    table : DataFrame
        ``basis, rival, window, estimate, se, statistic, p_value, ci_low, ci_high, ri_p_value,
        n_draws, n_obs, n_importers, discount_pct`` (``exp(estimate) - 1``): OLS of the log unit
        value on Belarus x window with importer x month fixed effects, clustered, with
        randomization p-values from permuting the origin within each importer-month.
    by_year : DataFrame
        ``importer, basis, rival, year, estimate, se, ci_low, ci_high, n_obs``: the same within
        one importer with month effects, Belarus x year (clustered by month).
    cluster : str
    """

    table: pd.DataFrame
    by_year: pd.DataFrame
    cluster: str
    exporter: str
    _title: str = "Belarus's unit-value discount within importer x month (mirror data)"

    def summary_frame(self) -> pd.DataFrame:
        """One row per value basis, rival and window."""
        return self.table

    def _notes(self) -> list[str]:
        return [f"log(unit value) ~ {self.exporter} x window | importer x month; SE clustered by "
                f"{self.cluster}; RI: origin permuted within importer-month. CIF and FOB "
                "reporters apart. " + _MIRROR + "."]

    def plot(self, ax: Any = None) -> Any:
        """Discount by year in China and Brazil (:func:`potash.figures.buyers.plot_discount`)."""
        from potash.figures.buyers import plot_discount

        return plot_discount(self.by_year, ax=ax)


def unit_value_discount(
    customs: pd.DataFrame | None = None,
    *,
    exporter: str = "BLR",
    rivals: Sequence[str] = ("CAN", "RUS"),
    windows: Sequence[tuple[str, str, str]] = WINDOWS,
    bases: Sequence[str] = ("CIF", "FOB"),
    cluster: _CLUSTERS = "importer_month",
    n_perm: int = 199,
    seed: int = 0,
    by_year_importers: Sequence[str] = ("CHN", "BRA"),
    hs_code: str = "3104",
) -> DiscountResults:
    """Belarus's unit value against each rival in the same importer and month.

    For each value basis (CIF importers and FOB Brazil kept apart) and rival, the sample is the
    importer-months that report both origins; ``log(value/tonnes)`` is regressed on
    ``exporter x window`` dummies with importer x month fixed effects (pyfixest ``feols``), so
    each coefficient is the mean within-importer-month log gap in that window. Standard errors
    are clustered by ``cluster``; the randomization p-value permutes the two origin labels within
    each importer-month (``n_perm`` draws). Mirror data.

    Parameters
    ----------
    customs : DataFrame, optional
        ``load_trade("customs_monthly")``.
    exporter : str
        The origin whose discount is measured.
    rivals : sequence of str
        Comparison origins.
    windows : sequence of (name, first, last)
        Periods (``YYYY-MM`` inclusive).
    bases : sequence of {"CIF", "FOB"}
        Value bases estimated separately.
    cluster : {"importer_month", "importer"}
        Cluster of the standard errors (few importers: prefer the RI p-value).
    n_perm : int
        Permutations for randomization inference (0 skips it).
    seed : int
        Seed.
    by_year_importers : sequence of str
        Importers with a by-year discount (each on its own basis).
    hs_code : str
        Heading.

    Returns
    -------
    DiscountResults

    Examples
    --------
    >>> r = unit_value_discount(rivals=["CAN"], bases=["FOB"], n_perm=0, by_year_importers=[])
    >>> float(r.table.loc[r.table["window"] == "pre", "estimate"].iloc[0]) < 0.2
    True
    """
    from potash.core.options import check_option
    from potash.estimators.fixest import (
        fe_fit,
        interaction_terms,
        permutation_pvalues,
        within_ols_coefs,
    )

    check_option("cluster", cluster, _CLUSTERS)
    for b in bases:
        check_option("bases", b, Literal["CIF", "FOB"])
    names = [w[0] for w in windows]
    clus = "importer_month" if cluster == "importer_month" else "reporter_iso3"
    out = []
    for basis in bases:
        for rival in rivals:
            g = _uv_panel(customs, exporter, rival, basis, hs_code, None)
            g["window"] = assign_window(g["period"], windows)
            g = g[g["window"].notna()].reset_index(drop=True)
            present = [w for w in names if (g["window"] == w).any()]
            if g.empty or not present:
                continue
            terms = [f"{exporter}_x_{w}" for w in present]

            def fit(d: pd.DataFrame, terms: list[str] = terms, present: list[str] = present) -> pd.Series:
                x = pd.concat([d, interaction_terms(d, "origin", [exporter], "window", present)],
                              axis=1)
                return fe_fit(x, "log_uv", terms, ["importer_month"], cluster=clus)

            res = fit(g)
            if n_perm > 0:
                # draws by the within transformation (same point estimates as feols, tested)
                def draw(d: pd.DataFrame, present: list[str] = present) -> pd.Series:
                    x = interaction_terms(d, "origin", [exporter], "window", present)
                    b = within_ols_coefs(d["log_uv"].to_numpy(), x.to_numpy(float),
                                         d["importer_month"].to_numpy())
                    return pd.Series(b, index=x.columns)

                ri = permutation_pvalues(g, draw, "origin", within="importer_month",
                                         n_perm=n_perm, seed=seed)
                res = res.join(ri[["ri_p_value", "n_draws"]])
            else:
                res["ri_p_value"], res["n_draws"] = np.nan, 0
            res = res.reset_index()
            res["window"] = res["term"].str.replace(f"{exporter}_x_", "", regex=False)
            res["n_importers"] = g["reporter_iso3"].nunique()
            res.insert(0, "basis", basis)
            res.insert(1, "rival", rival)
            out.append(res.drop(columns="term"))
    if not out:
        raise PotashDataError(f"no importer-month reports both {exporter} and a rival",
                              file="load_trade('customs_monthly')", column="partner_iso3")
    table = pd.concat(out, ignore_index=True)
    table["discount_pct"] = 100 * np.expm1(table["estimate"])
    cols = ["basis", "rival", "window", "estimate", "se", "statistic", "p_value", "ci_low",
            "ci_high", "ri_p_value", "n_draws", "n_obs", "n_importers", "discount_pct"]
    by_year = discount_by_year(customs, importers=by_year_importers, exporter=exporter,
                               rivals=rivals, hs_code=hs_code) if by_year_importers else \
        pd.DataFrame(columns=["importer", "basis", "rival", "year", "estimate", "se",
                              "ci_low", "ci_high", "n_obs"])
    return DiscountResults(table=table[cols], by_year=by_year, cluster=cluster, exporter=exporter)


def discount_by_year(
    customs: pd.DataFrame | None = None,
    *,
    importers: Sequence[str] = ("CHN", "BRA"),
    exporter: str = "BLR",
    rivals: Sequence[str] = ("CAN", "RUS"),
    hs_code: str = "3104",
) -> pd.DataFrame:
    """Belarus's log unit-value gap against each rival by year, within one importer (month FE).

    Each importer on its own value basis (China CIF, Brazil FOB); standard errors clustered by
    month. Years with fewer than 3 months holding both origins are dropped. Mirror data.

    Examples
    --------
    >>> t = discount_by_year(importers=["BRA"], rivals=["CAN"])
    >>> bool((t["year"] == 2019).any())
    True
    """
    from potash.estimators.fixest import fe_fit, interaction_terms

    m = _imports(customs, hs_code)
    out = []
    for imp in importers:
        bases = m.loc[m["reporter_iso3"] == imp, "value_basis"].dropna().unique()
        if len(bases) == 0:
            continue
        basis = str(bases[0])
        for rival in rivals:
            g = _uv_panel(m, exporter, rival, basis, hs_code, [imp])
            if g.empty:
                continue
            g["yr"] = g["year"].astype(str)
            months = g[g["origin"] == exporter].groupby("yr")["period"].nunique()
            years = sorted(months[months >= 3].index)
            g = g[g["yr"].isin(years)].reset_index(drop=True)
            if g.empty:
                continue
            x = pd.concat([g, interaction_terms(g, "origin", [exporter], "yr", years)], axis=1)
            r = fe_fit(x, "log_uv", [f"{exporter}_x_{y}" for y in years], ["importer_month"],
                       cluster="importer_month").reset_index()
            r["year"] = r["term"].str[-4:].astype("int64")
            r.insert(0, "importer", imp)
            r.insert(1, "basis", basis)
            r.insert(2, "rival", rival)
            out.append(r[["importer", "basis", "rival", "year", "estimate", "se", "ci_low",
                          "ci_high", "n_obs"]])
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["importer", "basis", "rival", "year", "estimate", "se", "ci_low", "ci_high",
                 "n_obs"])


# ------------------------------------------------------------------ monthly PPML event study --

#: Destination groups of the PPML: the sanctioning US against every other importer.
DESTINATION_GROUPS: dict[str, tuple[str, ...]] = {"US": ("USA",)}


def customs_flow_panel(
    customs: pd.DataFrame | None = None,
    *,
    hs_code: str = "3104",
    start: str = "2014-01",
    end: str = "2026-12",
    importers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Importer x origin x month potash tonnes, zeros filled only in months the importer reported.

    Pairs that never trade are left out (their pair effect would be minus infinity); the
    not-declared origin ``XXX`` is kept as an origin. Mirror data for Belarus.

    Returns
    -------
    DataFrame
        ``importer, origin, period, quantity_t, importer_month, importer_origin``.

    Examples
    --------
    >>> p = customs_flow_panel(importers=["BRA"], start="2020-01", end="2020-12")
    >>> int(p["period"].nunique())
    12
    """
    m = _imports(customs, hs_code)
    m = m[(m["period"] >= start) & (m["period"] <= end) & m["partner_iso3"].notna()]
    if importers is not None:
        m = m[m["reporter_iso3"].isin(as_names(importers, "importers"))]
    flows = m.groupby(["reporter_iso3", "partner_iso3", "period"])["quantity_t"].sum()
    flows = flows.rename_axis(["importer", "origin", "period"]).reset_index()
    months = flows[["importer", "period"]].drop_duplicates()  # reported months per importer
    pairs = flows.loc[flows["quantity_t"] > 0, ["importer", "origin"]].drop_duplicates()
    grid = pairs.merge(months, on="importer")
    p = grid.merge(flows, on=["importer", "origin", "period"], how="left")
    p["quantity_t"] = p["quantity_t"].fillna(0.0).clip(lower=0.0)
    p["importer_month"] = p["importer"].astype(str) + "_" + p["period"].astype(str)
    p["importer_origin"] = p["importer"].astype(str) + "_" + p["origin"].astype(str)
    return p.sort_values(["importer", "origin", "period"], ignore_index=True)


def _ppml_design(p: pd.DataFrame, treated: str, windows: Sequence[tuple[str, str, str]],
                 groups: dict[str, tuple[str, ...]]) -> tuple[pd.DataFrame, list[str]]:
    w = assign_window(p["period"], windows).fillna("none").to_numpy()
    imp = p["importer"].to_numpy()
    grp = np.full(len(p), "other", dtype=object)
    for g, members in groups.items():
        grp[np.isin(imp, list(members))] = g
    is_t = (p["origin"] == treated).to_numpy()
    cols = {}
    for name, _, _ in windows[1:]:  # the first window is the reference
        for g in [*groups, "other"]:
            cols[f"T_x_{name}_{g}"] = (is_t & (w == name) & (grp == g)).astype("int64")
    x = p.assign(**cols)
    y = x["quantity_t"].to_numpy()
    # a window-group with no positive treated flow is separated (b -> -inf): not estimable, left out
    terms = [c for c in cols if (x[c].to_numpy() * y).sum() > 0]
    return x, terms


@dataclass(frozen=True, repr=False)
class MonthlyPPMLResults(ResultsBase):
    """PPML event study of monthly importer x origin potash flows (pyfixest ``fepois``).

    Attributes
    ----------
    table : DataFrame
        ``term, window, group, estimate, se, statistic, p_value, ci_low, ci_high, n_obs,
        ri_p_value, n_placebos, effect_pct`` (``exp(b) - 1``). Standard errors clustered by
        importer-origin pair; the RI p-value reassigns the treatment to each of the largest
        other origins (in space).
    """

    table: pd.DataFrame
    treated: str
    n_obs: int
    seconds: float
    not_estimable: tuple[str, ...]
    _title: str = "PPML: Belarus x window by destination group (importer x month, importer x origin FE)"

    def summary_frame(self) -> pd.DataFrame:
        """One row per window x destination group."""
        return self.table

    def _notes(self) -> list[str]:
        return [f"{self.n_obs} importer x origin x month cells; {_MIRROR}."]

    def plot(self, ax: Any = None) -> Any:
        """Effects by window and group (:func:`potash.figures.buyers.plot_ppml_windows`)."""
        from potash.figures.buyers import plot_ppml_windows

        return plot_ppml_windows(self.table, ax=ax)


def monthly_trade_event_study(
    customs: pd.DataFrame | None = None,
    *,
    treated: str = "BLR",
    windows: Sequence[tuple[str, str, str]] = WINDOWS,
    groups: dict[str, tuple[str, ...]] | None = None,
    n_placebos: int = 19,
    panel: pd.DataFrame | None = None,
) -> MonthlyPPMLResults:
    """PPML of monthly flows with importer x month and importer x origin effects, Belarus x window.

    ``E[q_ijt] = exp(sum_{w,g} b_wg 1[j = treated, t in w, i in g] + a_it + c_ij)``: each
    ``b_wg`` is the change of Belarus's flows into destination group ``g`` in window ``w``
    relative to the first window (before 2021-08), net of each importer's monthly demand and
    each pair's level. A window-group where Belarus's flows are all zero (the US after 2022) is
    separated and left out of the table (``not_estimable`` lists it). Fitted with pyfixest ``fepois`` (absorbed effects; dummies do not scale
    to this panel), clustered by pair. Randomization inference in space: the same terms for each
    of the ``n_placebos`` largest other origins (Belarus dropped), p = (1 + #|b*| >= |b|) /
    (1 + n). Mirror data.

    Parameters
    ----------
    customs : DataFrame, optional
        ``load_trade("customs_monthly")``.
    treated : str
        Treated origin.
    windows : sequence of (name, first, last)
        The first is the reference window.
    groups : dict, optional
        Named destination groups (default :data:`DESTINATION_GROUPS`: the US); the rest "other".
    n_placebos : int
        Placebo origins for RI (0 skips it).
    panel : DataFrame, optional
        A :func:`customs_flow_panel` (default: built from ``customs``).

    Returns
    -------
    MonthlyPPMLResults

    Examples
    --------
    >>> r = monthly_trade_event_study(n_placebos=0, panel=customs_flow_panel(importers=["BRA", "USA", "IND"]))
    >>> bool(r.table.set_index("term").loc["T_x_post_klaipeda_other", "estimate"] < 0)
    True
    """
    import time

    from potash.estimators.fixest import fe_fit

    groups = DESTINATION_GROUPS if groups is None else groups
    p = customs_flow_panel(customs) if panel is None else panel
    t0 = time.perf_counter()
    x, terms = _ppml_design(p, treated, windows, groups)
    res = fe_fit(x, "quantity_t", terms, ["importer_month", "importer_origin"],
                 family="poisson", cluster="importer_origin")
    seconds = time.perf_counter() - t0
    res["ri_p_value"], res["n_placebos"] = np.nan, 0
    if n_placebos > 0:
        rest = p[p["origin"] != treated]
        big = (rest[rest["origin"] != "XXX"].groupby("origin")["quantity_t"].sum()
               .sort_values(ascending=False).index[:n_placebos])
        null = []
        for o in big:
            xo, to = _ppml_design(rest, o, windows, groups)
            keep = [t for t in res.index if t in to]
            try:
                null.append(fe_fit(xo, "quantity_t", keep, ["importer_month", "importer_origin"],
                                   family="poisson")["estimate"])
            except Exception:
                continue
        nd = pd.DataFrame(null).reindex(columns=res.index)
        obs = res["estimate"].to_numpy()
        valid = nd.notna().sum(axis=0).to_numpy()
        exceed = (nd.abs().to_numpy() >= np.abs(obs) - 1e-12).sum(axis=0)
        res["ri_p_value"] = (1 + exceed) / (1 + valid)
        res["n_placebos"] = valid
    t = res.reset_index()
    parts = t["term"].str.removeprefix("T_x_")
    t["group"] = parts.str.rsplit("_", n=1).str[1]
    t["window"] = parts.str.rsplit("_", n=1).str[0]
    t["effect_pct"] = 100 * np.expm1(t["estimate"])
    cand = [c for c in x.columns if str(c).startswith("T_x_")]
    return MonthlyPPMLResults(table=t, treated=treated, n_obs=int(res["n_obs"].iloc[0]),
                              seconds=seconds,
                              not_estimable=tuple(c for c in cand if c not in terms))
