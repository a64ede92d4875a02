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
# # 7. The 2025 relief: what to watch, and what the data show so far
#
# **Question.** On 2025-12-13 the US announced it would lift its potash sanctions on Belarus in
# exchange for the release of political prisoners; the EU kept its ban and Lithuania its transit
# ban. What will relief change? Five things to watch: **the scope of US relief, further
# releases, Belarus's conduct, the EU's response, and market signals** (prices, shipping,
# insurance). For each, this notebook shows what the shipped data can say today, and what they
# cannot.

# %%
import pandas as pd

import potash
from potash.analyses.relief import price_signals, production_signal, relief_date, watch_timeline
from potash.data.events import event_label
from potash.figures import plot_relief_signals
from potash.pipeline.report import Findings, publish, show_table

pd.set_option("display.width", 120)
pd.set_option("display.max_colwidth", 110)
findings = Findings("07_relief")
calendar = potash.load_events()
day = relief_date(calendar)
timeline = watch_timeline(calendar)
timeline["event"] = timeline["event_id"].map(event_label)

# %% [markdown]
# ## The calendar since 2025, by thing to watch

# %%
show_table(timeline[["date", "item", "event", "description"]],
           caption="The sanctions calendar since 2025, by thing to watch.", name="relief_timeline",
           rename={"item": "to watch"})

# %% [markdown]
# ## 1. Scope of US relief
#
# The relief so far is a general licence (OFAC Belarus GL 13) authorising transactions with
# Belarusian Potash Company and Belaruskali, without unblocking property, after earlier relief for
# the airline Belavia. Watch for delisting (removal from the SDN list) versus licences, and for
# whether US persons may finance, insure and ship the cargo.

# %%
show_table(timeline[timeline["item"] == "scope of US relief"][["date", "event", "description"]],
           caption="Calendar events on the scope of US relief.")

# %% [markdown]
# ## 2. Further releases
#
# Relief has come step by step with prisoner releases through 2025.

# %%
show_table(timeline[timeline["item"] == "further releases"][["date", "event", "description"]],
           caption="Calendar events on prisoner releases.")

# %% [markdown]
# ## 3. Belarus's conduct: output and routes
#
# USGS puts Belarus's mine production (K2O) for 2025 above 2024, before the relief; the route it
# uses is Russian ports and rail, since Klaipeda stays closed (notebook 3).

# %%
prod = production_signal()
show_table(prod, caption="Belarus's mine production of potash (USGS, tonnes K2O).")

# %% [markdown]
# ## 4. The EU's response
#
# The EU said it would not follow the US, and Lithuania kept Klaipeda closed to Belarusian potash.
# With the EU ban and the Klaipeda closure in force, relief reopens the US market and US-linked
# finance, not the cheapest route to the sea.

# %%
show_table(timeline[timeline["item"] == "EU response"][["date", "event", "description"]],
           caption="Calendar events on the EU's response.")

# %% [markdown]
# ## 5. Market signals: prices
#
# World Bank monthly prices compare the month before the announcement (2025-11) with the latest
# month shipped; USDA state retail potash prices compare the last report before 2025-12-13 with the
# latest report. Shipping rates and insurance premia are **not** in the shipped data: no public
# series was found, so those signals cannot be measured here.

# %%
world = potash.load_prices()
world = world[world["series"].isin(["potassium_chloride", "urea", "dap"])]
retail = potash.load_prices(source="usda")
signals = pd.concat(
    [price_signals(world, day, frequency="monthly"), price_signals(retail, day)],
    ignore_index=True,
)
show_table(signals, caption="Price signals: the last observation before the 2025-12-13 "
                            "announcement against the latest shipped (World Bank monthly, "
                            "nominal USD/t; USDA state retail reports, nominal USD per short ton).",
           name="relief_price_signals", formats={"change_pct": "{:+.1f}%"})

# %%
publish(
    plot_relief_signals(world, retail, timeline, day),
    "relief_signals",
    caption="Potash, urea and DAP prices (World Bank, monthly, nominal USD/t) and US state "
            "retail potash prices (USDA reports) around the 2025-12-13 US relief, with the "
            "2025 calendar of relief steps and prisoner releases.",
    alt="Line charts of fertilizer prices in 2025-2026: potash rises before and after the relief "
        "announcement, as urea and DAP do; retail potash barely moves.",
)

# %% [markdown]
# ## 6. Market signals: who buys from Belarus since the relief (monthly customs, mirror data)
#
# Belarus does not report its trade: the monthly figures below are its partners' customs
# imports (HS 3104) from Belarus, i.e. **mirror data**. Each relief month is set against the
# mean of the same calendar month in 2023-2025; a month an importer did not report is missing,
# not zero. There are only a handful of relief months, so this is a first look, not an estimate
# of what the relief did.

# %%
from potash.analyses.buyers import monthly_imports_from, relief_months

customs = potash.load_trade("customs_monthly")
relief_m = relief_months(customs)
china_2026 = monthly_imports_from("CHN", 2026, customs)
show_table(relief_m.summary_frame(), name="relief_months",
           caption="Relief months against the same calendar months of 2023-2025, by importer "
                   "(partner customs, mirror data; tonnes, unit values in USD/t).")

# %%
show_table(china_2026, name="china_2026",
           caption="China's monthly imports of potash from Belarus in 2026 (tonnes, USD, CIF "
                   "unit value in USD/t; mirror data).",
           formats={"unit_value": "{:,.0f}"},
           rename={"quantity_t": "tonnes", "value_usd": "value (USD)", "unit_value": "USD/t"})

# %%
publish(
    relief_m.plot(),
    "relief_months",
    caption="Monthly imports from Belarus of China, Brazil and the US (partner customs, mirror "
            "data, tonnes) in the relief months from 2025-12 against the same months of "
            "2023-2025.",
    alt="Chart of the relief months: China keeps importing from Belarus; the US and Brazil "
        "report no return of Belarusian potash.",
    data=relief_m.table,
)

# %%
rs = relief_m.summary_table
findings.add("china_2026_months", "; ".join(
    f"{pd.Period(p, 'M').strftime('%B')} {q / 1e3:,.0f} thousand t at {uv:,.0f} USD/t"
    for p, q, uv in zip(china_2026["period"], china_2026["quantity_t"], china_2026["unit_value"],
                        strict=True)))
findings.add("china_n_2026", len(china_2026), "{:d}")
findings.add("china_relief_change", rs.loc["CHN", "estimate"], "{:+.0%}")
findings.add("china_relief_p", rs.loc["CHN", "placebo_p"], "{:.2f}")
findings.add("china_n_placebos", int(rs.loc["CHN", "n_placebos"]), "{:d}")
findings.add("china_uv_change", rs.loc["CHN", "unit_value_change"], "{:+.0%}")
findings.add("n_relief_months_max", int(rs["n_relief_months"].max()), "{:d}")
findings.add("usa_relief_t", rs.loc["USA", "actual_t"], "{:,.0f}")
findings.add("usa_last", pd.Period(rs.loc["USA", "last_month"], "M").strftime("%B %Y"))
findings.add("bra_relief_t", rs.loc["BRA", "actual_t"], "{:,.0f}")
findings.add("bra_last", pd.Period(rs.loc["BRA", "last_month"], "M").strftime("%B %Y"))

# %% [markdown]
# The equity reaction of the listed producers to the announcement is in notebook 5 (the US
# announcement of the potash relief, moved to Monday 2025-12-15).

# %%
sig = signals.set_index("series")
retail_changes = sig.loc[sig.index.str.startswith("potash_retail_"), "change_pct"]
findings.add("n_releases", int((timeline["item"] == "further releases").sum()), "{:d}")
findings.add("n_relief", int((timeline["item"] == "scope of US relief").sum()), "{:d}")
findings.add("kcl_change", sig.loc["potassium_chloride", "change_pct"], "{:+.0f}%")
findings.add("urea_change", sig.loc["urea", "change_pct"], "{:+.0f}%")
findings.add("dap_change", sig.loc["dap", "change_pct"], "{:+.0f}%")
findings.add("kcl_latest", sig.loc["potassium_chloride", "latest_date"].strftime("%B %Y"))
findings.add("retail_min", retail_changes.min(), "{:+.1f}%")
findings.add("retail_max", retail_changes.max(), "{:+.1f}%")
findings.add("n_states", len(retail_changes), "{:d}")
findings.add("prod_2024", prod["quantity_t"].iloc[0] / 1e6, "{:.1f}")
findings.add("prod_2025", prod["quantity_t"].iloc[-1] / 1e6, "{:.1f}")

# %% [markdown]
# ## Findings

# %%
findings.say(
    "The calendar records {n_releases} prisoner releases in 2025 and {n_relief} US relief steps, "
    "ending in a general licence for Belarusian potash without unblocking, while the EU and "
    "Lithuania kept their bans. From the month before the announcement to {kcl_latest}, the "
    "World Bank potash price moved {kcl_change}, against {dap_change} for DAP and {urea_change} "
    "for urea: no sign yet that relief is pushing potash prices down. US retail potash moved "
    "between {retail_min} and {retail_max} across {n_states} state reports."
)

# %%
findings.say(
    "Belarus was already producing more before the relief: USGS estimates {prod_2025} million "
    "tonnes K2O for 2025 against {prod_2024} in 2024. What to watch next is whether US relief "
    "widens from a licence to delisting, whether the EU and Lithuania hold, and whether freight "
    "and insurance for Belarusian cargoes ease; the shipped freight and insurance series "
    "(Brazil's ComexStat, in the buyers notebook) end in 2024, before the relief."
)

# %%
findings.say(
    "In the customs data of Belarus's partners (mirror data: Belarus does not report), China "
    "imported from Belarus in each of the {china_n_2026} months of 2026 shipped: "
    "{china_2026_months}. Over the relief months China's intake was {china_relief_change} "
    "against the same months of 2023-2025 (placebo p = {china_relief_p}, from only "
    "{china_n_placebos} placebo years), at a unit value {china_uv_change} against those months. "
    "The US reported {usa_relief_t} t from Belarus up to {usa_last} and Brazil {bra_relief_t} t "
    "up to {bra_last}: no return of Belarusian potash to the Americas yet. With at most "
    "{n_relief_months_max} months after the relief, these are first signals, not evidence of "
    "an effect."
)
