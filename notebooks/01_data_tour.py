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
# # 1. Data tour: what potash ships, and what it can and cannot say
#
# **Question.** Which real data does the package ship, how far do they reach, and which caveats
# (basis changes, mirror data, K2O versus product tonnes) must every later result respect?
#
# Every table below is loaded through the package (`potash.load_*`), which checks each raw file
# against its sha256 in `data/datapackage.json` before parsing it.

# %%
import pandas as pd

import potash
from potash.analyses.overview import data_coverage, headline_events
from potash.figures import plot_coverage, plot_price_history
from potash.pipeline.appendix import data_files_table
from potash.pipeline.report import Findings, publish, show_table

pd.set_option("display.width", 120)
findings = Findings("01_data_tour")

# %% [markdown]
# ## Coverage of the shipped sources

# %%
coverage = data_coverage()
show_table(coverage, caption="Coverage of each shipped source: what it measures, its "
                             "frequency and its first and last period.", name="data_coverage")

# %%
publish(
    plot_coverage(coverage),
    "data_coverage",
    caption="Time coverage of the shipped data sources in the table above (prices, trade, "
            "equities, production, press figures, the calendar), one bar per source from its "
            "first to its last period, with its number of rows; the monthly partner customs and "
            "ComexStat tables are described in notebook 8.",
    alt="Timeline bar chart of the data sources: " + "; ".join(
        f"{r.table} {pd.Timestamp(r.first).year}-{pd.Timestamp(r.last).year}"
        for r in coverage.itertuples()) + ".",
    data=coverage,
)

# %% [markdown]
# ## Provenance: every raw file, its vintage and checksum

# %%
files = data_files_table()
show_table(files[["path", "version", "bytes"]],
           caption="Every raw file shipped, with its vintage and size in bytes (checksums in "
                   "data/datapackage.json).", name="data_files")

# %% [markdown]
# ## The potash price and its basis change
#
# The World Bank series is *FOB Vancouver* before 2020-01 and *Brazil CFR granular spot* from
# 2020-01; urea changes basis in 2022-03. A break test across those dates would find the change
# of quotation, not a sanction, so the price analyses refuse samples that span them unless a basis
# dummy is asked for.

# %%
basis = potash.basis_changes()
show_table(basis, caption="Quotation basis changes of the World Bank price series.",
           name="basis_changes")

# %%
prices = potash.load_prices()
events = headline_events()
publish(
    plot_price_history(prices, basis_changes=basis, events=events, start="2015-01"),
    "potash_price_history",
    caption="World Bank monthly potash price from 2015-01 (nominal USD/t; FOB Vancouver before "
            "2020-01, Brazil CFR from 2020-01, basis change marked), with the headline "
            "sanctions, logistics and relief dates.",
    alt="Line chart of the potash price: about 250 USD/t until 2020, a rise to over 1,000 in "
        "2022 after the Klaipeda closure and the EU ban, and a fall back to a few hundred.",
    data=prices[(prices["series"] == "potassium_chloride") & (prices["date"] >= "2015-01-01")],
)

# %% [markdown]
# ## The sanctions calendar
#
# One calendar drives every analysis. Events are typed (sanction, logistics, relief, prisoner
# release, geopolitical, market), dated from a public source, and marked `verified` yes or partly.

# %%
calendar = potash.load_events()
show_table(calendar.groupby("type").size().rename("events").to_frame(), index=True,
           caption="Events in the sanctions calendar, by type.")

# %% [markdown]
# ## Caveats carried into every notebook
#
# * **Units.** FAOSTAT trade is in product tonnes of potassium chloride; USGS and World Mining
#   Data production is in tonnes of K2O. The two are never added; `potash` converts only through
#   its documented factor.
# * **Mirror data.** Belarus stopped publishing detailed trade after 2021; its later flows come
#   from partners' imports (CIF, not FOB), flagged as mirrored.
# * **Aggregates.** FAOSTAT world and regional rows are excluded; world totals are sums over
#   countries.

# %%
kcl = prices[prices["series"] == "potassium_chloride"].dropna(subset=["value"])
last = kcl.iloc[-1]
findings.add("n_files", len(files), "{:d}")
findings.add("n_events", len(calendar), "{:d}")
findings.add("n_sanction_events", int((calendar["type"] == "sanction").sum()), "{:d}")
findings.add("price_last_month", last["date"].strftime("%B %Y"))
findings.add("price_last", float(last["value"]), "{:,.0f}")
findings.add("price_peak", float(kcl["value"].max()), "{:,.0f}")
findings.add("price_peak_month", kcl.loc[kcl["value"].idxmax(), "date"].strftime("%B %Y"))

# %% [markdown]
# ## Findings

# %%
findings.say(
    "potash ships {n_files} raw files, each verified by checksum, and a calendar of {n_events} "
    "dated events ({n_sanction_events} of them sanctions). The World Bank potash price peaked at "
    "{price_peak} USD/t in {price_peak_month}, after the Klaipeda closure and the EU's full ban, "
    "and stood at {price_last} USD/t in {price_last_month}, the last month shipped (nominal "
    "prices).",
    headline=True,
)
