# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Market share and buyers: how much did Belarus lose, and who took it?
#
# **Question.** What happened to Belarus's share of world potassium chloride (MOP) exports after
# the 2021 sanctions and the 2022 closure of the Klaipeda route; which exporters replaced it; did
# the market become more concentrated; who still buys from Belarus; and how deep did Belarus have
# to discount?
#
# Data: FAOSTAT *Fertilizers by Product* (MOP, product tonnes and USD), country totals; world totals
# are sums over countries, never FAOSTAT's aggregate rows. Buyers come from the curated bilateral
# table (one figure per public page, periods never added across lengths).

# %%
import pandas as pd

import potash
from potash.analyses.overview import headline_events
from potash.data.countries import country_name
from potash.figures import (
    plot_hhi,
    plot_market_share,
    plot_share_shift,
    plot_unit_value_gap,
)
from potash.pipeline.report import Findings, publish, show_table

pd.set_option("display.width", 120)
findings = Findings("02_market_share")
trade = potash.load_trade("faostat")
events = headline_events()

# %% [markdown]
# ## Export shares

# %%
shares = potash.market_shares(trade, products="potassium_chloride", years=range(2002, 2024))
blr = shares.share_of("BLR")
show_table(blr.loc[2015:].rename_axis("year").to_frame("share"), index=True,
           caption="Belarus's share of world potassium chloride exports (FAOSTAT, product "
                   "tonnes), by year.",
           name="belarus_export_share", formats={"year": "{:.0f}", "share": "{:.1%}"},
           rename={"share": "Belarus share of world MOP exports"})

# %%
publish(
    plot_market_share(shares, ("BLR", "CAN", "RUS", "LAO"), events=events),
    "market_share",
    caption="Shares of world potassium chloride exports of Belarus, Canada, Russia and Laos, "
            "2002-2023 (FAOSTAT Fertilizers by Product, product tonnes; the world is the sum of "
            "country rows), with the headline calendar dates.",
    alt="Line chart of export shares: Canada leads; Belarus holds about a fifth until 2021 and "
        "falls to under a tenth in 2022-2023 while Russia and Laos gain.",
    data=shares.table,
)

# %% [markdown]
# What the world total is made of (the countries summed each year) is part of the result:

# %%
show_table(shares.world.tail(3)[["year", "world_total", "n_countries"]],
           caption="The world total of potassium chloride exports (tonnes) and the number of "
                   "countries summed, last three years.",
           formats={"year": "{:.0f}"}, rename={"world_total": "world total (t)", "n_countries": "countries"})

# %% [markdown]
# ## Who replaced Belarus? Share shift from 2021

# %%
shift = potash.share_shift(trade, 2021, [2022, 2023], products="potassium_chloride")
top = shift[shift["year"] == 2023].sort_values("share_change_pp")
show_table(
    pd.concat([top.head(3), top.tail(5)])[["reporter_iso3", "share_base", "share_year", "share_change_pp", "value_change"]],
    caption="Largest losers and gainers of world potassium chloride export share, 2021 to 2023 "
            "(FAOSTAT; shares of tonnes, change in percentage points and in tonnes).",
    name="share_shift_2023",
    formats={"share_base": "{:.1%}", "share_year": "{:.1%}", "share_change_pp": "{:+.1f}"},
    rename={"reporter_iso3": "exporter", "share_base": "share 2021", "share_year": "share 2023",
            "share_change_pp": "change (pp)", "value_change": "change (t)"},
)

# %%
publish(
    plot_share_shift(shift, year=2023),
    "share_shift",
    caption="Change in each exporter's share of world potassium chloride exports from 2021 to "
            "2023, percentage points (FAOSTAT, product tonnes).",
    alt="Bar chart of share changes: Belarus loses the most, Russia, Canada and Laos gain.",
    data=shift,
)

# %% [markdown]
# ## Concentration (Herfindahl-Hirschman index)

# %%
conc = potash.hhi(shares)
show_table(conc, caption="Herfindahl-Hirschman index of world potassium chloride exports by "
                         "year (shares in percent squared, 0-10,000; FAOSTAT tonnes).",
           name="hhi", formats={"year": "{:.0f}", "hhi": "{:,.0f}"})

# %%
publish(
    plot_hhi(conc, events=events),
    "hhi",
    caption="Herfindahl-Hirschman index of world potassium chloride exports, 2002-2023 (FAOSTAT "
            "product tonnes, 0-10,000), with the number of exporters summed each year.",
    alt="Line chart of the export HHI over two decades, with its 2022-2023 values set against "
        "its earlier range.",
    data=conc,
)

# %% [markdown]
# ## Unit values: the Belarusian discount
#
# Unit value = export value / export quantity (USD per tonne, FOB as reported). A negative gap
# means Belarus sold below the benchmark.

# %%
uv = potash.unit_values(trade, products="potassium_chloride")
show_table(uv.summary_frame().query("year >= 2019")[["year", "benchmark", "uv_exporter", "uv_benchmark",
                                                      "gap_usd_t", "discount_pct"]],
           caption="Belarus's export unit value against each benchmark, 2019 on (FAOSTAT, "
                   "USD per tonne, nominal; negative gap: Belarus below the benchmark).",
           name="unit_value_gap",
           formats={"year": "{:.0f}", "uv_exporter": "{:,.0f}", "uv_benchmark": "{:,.0f}",
                    "gap_usd_t": "{:+,.0f}", "discount_pct": "{:+.1f}%"},
           rename={"uv_exporter": "Belarus (USD/t)", "uv_benchmark": "benchmark (USD/t)",
                   "gap_usd_t": "gap (USD/t)", "discount_pct": "gap (%)"})

# %%
publish(
    plot_unit_value_gap(uv, events=events),
    "unit_value_gap",
    caption="Belarus's potassium chloride export unit value (FAOSTAT value over tonnes, FOB as "
            "reported, nominal USD/t) against Canada's and the world average; FAO estimates for "
            "Belarus after 2021.",
    alt="Line chart of unit values: Belarus's falls below Canada's and the world's in 2022 and "
        "closes the gap again in 2023.",
    data=uv.summary_frame(),
)

# %% [markdown]
# ## Importers and Belarus's buyers
#
# Import shares come from country totals. Belarus's destinations come from the curated bilateral
# table: each row one figure from one public page, so shares are of what the pages list, and rows of
# different period length are never added together.

# %%
imports = potash.import_shares(trade, products="potassium_chloride", years=[2021, 2022, 2023])
show_table(
    imports.table.sort_values(["year", "share"], ascending=[True, False]).groupby("year").head(5)[
        ["year", "reporter_iso3", "value", "share"]],
    caption="Five largest importers of potassium chloride by year (FAOSTAT country totals, "
            "tonnes and share of world imports).",
    formats={"year": "{:.0f}", "share": "{:.1%}"}, rename={"reporter_iso3": "importer", "value": "tonnes"},
)

# %%
buyers = potash.buyer_mix(potash.load_trade("curated"), "BLR")
show_table(buyers[["product", "period", "destination", "side", "value", "share_total"]],
           caption="Belarus's destinations in the curated bilateral table: one figure per public "
                   "page, shares of what the pages list.",
           formats={"share_total": "{:.0%}"}, rename={"share_total": "share"})

# %% [markdown]
# ## Belarus's share of the customs importers' potash imports, by month (mirror data)
#
# FAOSTAT's annual totals end in 2023 and hold FAO estimates for Belarus after 2021. The monthly
# partner customs data (14 importers' HS 3104 imports by origin, 2014-01 to 2026-04) show what
# Belarus's buyers declared: mirror data, since Belarus does not report. The share is Belarus's
# tonnes in all origins' tonnes the importers reported that month: a share of these importers'
# potash (HS 3104: potassium chloride and the other potassic fertilizers), not of world exports,
# so it sits below the FAOSTAT export share. 2026 holds January-April only.

# %%
customs = potash.load_trade("customs_monthly")
cimp = customs[(customs["hs_code"] == "3104") & (customs["flow"] == "import")
               & ~customs["flag"].fillna("").str.contains("belgium_belarus_zero_value")]
cshare_m = potash.market_shares(cimp, flow="import", by="partner_iso3")
cshare_y = potash.market_shares(cimp.drop(columns="period"), flow="import", by="partner_iso3")
cm = cshare_m.table[cshare_m.table["partner_iso3"] == "BLR"].set_index("period")["share"]
cy = cshare_y.table[cshare_y.table["partner_iso3"] == "BLR"].set_index("year")["share"]
both = pd.DataFrame({"customs_share": cy, "faostat_share": blr.reindex(cy.index)}).rename_axis("year")
show_table(both, index=True, name="belarus_share_customs_vs_faostat",
           caption="Belarus's share of the customs importers' potash imports (partner customs, "
                   "HS 3104, tonnes; mirror data) beside its FAOSTAT share of world potassium "
                   "chloride exports, by year.",
           formats={"year": "{:.0f}", "customs_share": "{:.1%}", "faostat_share": "{:.1%}"},
           rename={"customs_share": "share of importers' imports (customs)",
                   "faostat_share": "share of world exports (FAOSTAT)"})

# %%
ax = cm.set_axis(pd.PeriodIndex(cm.index, freq="M").to_timestamp()).plot(
    figsize=(9, 3.5), color="#8b1e3f", lw=1.2)
ax.set_ylabel("Belarus share of importers' potash (tonnes)")
ax.set_xlabel("")
ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
for d in ("2021-08-09", "2022-02-01", "2025-12-13"):
    ax.axvline(pd.Timestamp(d), color="grey", lw=0.8, ls="--")
ax.figure.tight_layout()
publish(
    ax.figure,
    "belarus_share_customs_monthly",
    caption="Belarus's monthly share of the potash (HS 3104) tonnes imported by the reporting "
            "customs importers, 2014-01 to 2026-04 (partner customs, mirror data), with the "
            "2021-08-09 sanctions, the 2022-02-01 Klaipeda closure and the 2025-12-13 US relief "
            "marked (dashed).",
    alt="Line chart of Belarus's monthly share of the importers' potash: it swings around a "
        "seventh until 2021, drops after the Klaipeda closure and stays lower through 2025.",
    data=cm.rename_axis("period").to_frame("share"),
)

# %%
sf = shift[shift["year"] == 2023].set_index("reporter_iso3")
gainer = sf["share_change_pp"].idxmax()
uvf = uv.summary_frame().set_index(["year", "benchmark"])
findings.add("blr_2021", blr.loc[2021], "{:.1%}")
findings.add("blr_2022", blr.loc[2022], "{:.1%}")
findings.add("blr_2023", blr.loc[2023], "{:.1%}")
findings.add("blr_loss_pp", -sf.loc["BLR", "share_change_pp"], "{:.1f}")
findings.add("gainer", country_name(gainer))
findings.add("gainer_pp", sf.loc[gainer, "share_change_pp"], "{:.1f}")
findings.add("hhi_2021", conc.set_index("year").loc[2021, "hhi"], "{:,.0f}")
findings.add("hhi_2023", conc.set_index("year").loc[2023, "hhi"], "{:,.0f}")
_pre = conc[conc["year"] < 2021]
findings.add("hhi_pre_min", _pre["hhi"].min(), "{:,.0f}")
findings.add("hhi_pre_max", _pre["hhi"].max(), "{:,.0f}")
findings.add("hhi_first", int(_pre["year"].min()), "{:d}")
findings.add("hhi_pre_last", int(_pre["year"].max()), "{:d}")
findings.add("hhi_2023_above", "above" if conc.set_index("year").loc[2023, "hhi"] > _pre["hhi"].max()
             else "within")
findings.add("c_2021", cy.loc[2021], "{:.1%}")
findings.add("c_2022", cy.loc[2022], "{:.1%}")
findings.add("c_2025", cy.loc[2025], "{:.1%}")
findings.add("c_2026", cy.loc[2026], "{:.1%}")
findings.add("c_last", cy.index.max(), "{:d}")
findings.add("c_n_importers", int(cimp["reporter_iso3"].nunique()), "{:d}")
findings.add("disc_can_2022", -uvf.loc[(2022, "CAN"), "discount_pct"], "{:.0f}%")
findings.add("disc_wld_2022", -uvf.loc[(2022, "world"), "discount_pct"], "{:.0f}%")

# %% [markdown]
# ## Findings

# %%
findings.say(
    "Belarus's share of world potassium chloride exports fell from {blr_2021} in 2021 to "
    "{blr_2022} in 2022 and {blr_2023} in 2023 (FAOSTAT, product tonnes): a loss of {blr_loss_pp} "
    "percentage points between 2021 and 2023, in line with the halving reported by the Centre "
    "for Eastern Studies [@osw]. The largest gain went to {gainer} (+{gainer_pp} points). "
    "The Herfindahl index of export concentration went from {hhi_2021} in 2021 to {hhi_2023} in "
    "2023, {hhi_2023_above} its range of {hhi_pre_min} to {hhi_pre_max} over "
    "{hhi_first}-{hhi_pre_last}.",
    headline=True,
)

# %%
findings.say(
    "The monthly partner customs data (mirror data: what the {c_n_importers} reporting importers "
    "declared from Belarus) show the same fall and carry it past FAOSTAT's last year: Belarus's "
    "share of these importers' potash tonnes was {c_2021} in 2021, {c_2022} in 2022 and "
    "{c_2025} in 2025, and {c_2026} in the months of 2026 reported so far, after the US relief: "
    "too few months to read as a recovery."
)

# %%
findings.say(
    "In 2022 Belarus's export unit value was {disc_can_2022} below Canada's and {disc_wld_2022} "
    "below the world average, consistent with reports of discounted sales through Russian ports "
    "and by rail to China. In 2023 the gap closed again (FAOSTAT unit values for Belarus after "
    "2021 rest on estimates, as Belarus stopped reporting detailed trade)."
)
