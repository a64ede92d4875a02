"""Buyers of Belarusian potash, seen through its partners' customs data (mirror data).

Belarus does not report its trade after 2021: every number here is a partner's import
(valued CIF by most importers, FOB by Brazil), never a Belarusian export declaration.
"""

from __future__ import annotations

import pandas as pd

from potash.data.trade import load_trade

__all__ = ["customs_mirror_check"]


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
