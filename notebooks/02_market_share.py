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
from potash.figures import (
    plot_hhi,
    plot_market_share,
    plot_share_shift,
    plot_unit_value_gap,
)
from potash.pipeline.report import Findings, publish

pd.set_option("display.width", 120)
findings = Findings("02_market_share")
trade = potash.load_trade("faostat")
events = headline_events()

# %% [markdown]
# ## Export shares

# %%
shares = potash.market_shares(trade, products="potassium_chloride", years=range(2002, 2024))
blr = shares.share_of("BLR")
blr.loc[2015:].to_frame("Belarus share of world MOP exports").style.format("{:.1%}")

# %%
publish(plot_market_share(shares, ("BLR", "CAN", "RUS", "LAO"), events=events), "market_share")

# %% [markdown]
# What the world total is made of (the countries summed each year) is part of the result:

# %%
shares.world.tail(3)[["year", "world_total", "n_countries"]]

# %% [markdown]
# ## Who replaced Belarus? Share shift from 2021

# %%
shift = potash.share_shift(trade, 2021, [2022, 2023], products="potassium_chloride")
top = shift[shift["year"] == 2023].sort_values("share_change_pp")
pd.concat([top.head(3), top.tail(5)])[["reporter_iso3", "share_base", "share_year", "share_change_pp", "value_change"]]

# %%
publish(plot_share_shift(shift, year=2023), "share_shift")

# %% [markdown]
# ## Concentration (Herfindahl-Hirschman index)

# %%
conc = potash.hhi(shares)
conc.tail(6)

# %%
publish(plot_hhi(conc, events=events), "hhi")

# %% [markdown]
# ## Unit values: the Belarusian discount
#
# Unit value = export value / export quantity (USD per tonne, FOB as reported). A negative gap
# means Belarus sold below the benchmark.

# %%
uv = potash.unit_values(trade, products="potassium_chloride")
uv.summary_frame().query("year >= 2019")

# %%
publish(plot_unit_value_gap(uv, events=events), "unit_value_gap")

# %% [markdown]
# ## Importers and Belarus's buyers
#
# Import shares come from country totals. Belarus's destinations come from the curated bilateral
# table: each row one figure from one public page, so shares are of what the pages list, and rows of
# different period length are never added together.

# %%
imports = potash.import_shares(trade, products="potassium_chloride", years=[2021, 2022, 2023])
imports.table.sort_values(["year", "share"], ascending=[True, False]).groupby("year").head(5)[
    ["year", "reporter_iso3", "value", "share"]
]

# %%
buyers = potash.buyer_mix(potash.load_trade("curated"), "BLR")
buyers[["product", "period", "destination", "side", "value", "share_total"]]

# %%
sf = shift[shift["year"] == 2023].set_index("reporter_iso3")
gainer = sf["share_change_pp"].idxmax()
uvf = uv.summary_frame().set_index(["year", "benchmark"])
findings.add("blr_2021", blr.loc[2021], "{:.1%}")
findings.add("blr_2022", blr.loc[2022], "{:.1%}")
findings.add("blr_2023", blr.loc[2023], "{:.1%}")
findings.add("blr_loss_pp", -sf.loc["BLR", "share_change_pp"], "{:.1f}")
findings.add("gainer", gainer)
findings.add("gainer_pp", sf.loc[gainer, "share_change_pp"], "{:.1f}")
findings.add("hhi_2021", conc.set_index("year").loc[2021, "hhi"], "{:,.0f}")
findings.add("hhi_2023", conc.set_index("year").loc[2023, "hhi"], "{:,.0f}")
findings.add("disc_can_2022", -uvf.loc[(2022, "CAN"), "discount_pct"], "{:.0f}%")
findings.add("disc_wld_2022", -uvf.loc[(2022, "world"), "discount_pct"], "{:.0f}%")

# %% [markdown]
# ## Findings

# %%
findings.say(
    "Belarus's share of world potassium chloride exports fell from {blr_2021} in 2021 to "
    "{blr_2022} in 2022 and {blr_2023} in 2023 (FAOSTAT, product tonnes): a loss of {blr_loss_pp} "
    "percentage points between 2021 and 2023, in line with the halving reported by the Centre "
    "for Eastern Studies (OSW). The largest gain went to {gainer} (+{gainer_pp} points), and the Herfindahl index rose "
    "from {hhi_2021} to {hhi_2023}."
)

# %%
findings.say(
    "In 2022 Belarus's export unit value was {disc_can_2022} below Canada's and {disc_wld_2022} "
    "below the world average, consistent with reports of discounted sales through Russian ports "
    "and by rail to China. In 2023 the gap closed again (FAOSTAT unit values for Belarus after "
    "2021 rest on estimates, as Belarus stopped reporting detailed trade)."
)
