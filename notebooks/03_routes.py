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
# # 3. Routes: Klaipeda before and after 2022-02-01, and the rerouting through Russia
#
# **Question.** Before 2022 almost all Belarusian potash left through the Lithuanian port of
# Klaipeda. Lithuania ended the transit on 2022-02-01. How large was the Klaipeda route, what
# happened to the port's cargo, and how much did Belarus move through Russian ports and by rail to
# China instead?
#
# **What the data can say.** There is no official route-by-route series. The package ships two
# hand-curated kinds of evidence: (1) the Port of Klaipeda's own press releases, from which
# `klaipeda_cargo()` extracts every cargo figure by rule, each row pointing to its article and
# sentence; (2) the curated route table, one figure per public page with its quote. Capacities,
# contracts and forecasts are kept apart from realised flows and never added to them.

# %%
import pandas as pd

import potash
from potash.analyses.buyers import belarus_buyers
from potash.figures import plot_klaipeda_throughput, plot_route_mix
from potash.pipeline.report import Findings, publish, show_table

pd.set_option("display.width", 120)
pd.set_option("display.max_colwidth", 60)
findings = Findings("03_routes")

# %% [markdown]
# ## Klaipeda port: cargo figures from the port's releases

# %%
cargo = potash.klaipeda_cargo()
show_table(cargo[["cargo", "period", "measure", "qualifier", "quantity_t", "text", "article_date"]],
           caption="Cargo figures extracted from the Port of Klaipeda's press releases (tonnes), "
                   "each with the sentence it comes from and the article's date.",
           name="klaipeda_cargo", rename={"quantity_t": "tonnes", "article_date": "article"})

# %%
publish(
    plot_klaipeda_throughput(cargo),
    "klaipeda_throughput",
    caption="Cargo handled by the Port of Klaipeda (million tonnes, annual totals and fertiliser "
            "cargo) from the port's own press releases, with the end of Belarusian potash "
            "transit on 2022-02-01 marked.",
    alt="Chart of Klaipeda's yearly cargo: a drop in 2022-2023 after the transit ended and a "
        "partial recovery in 2024.",
    data=cargo,
)

# %% [markdown]
# ## Belarus's route mix before and after the closure
#
# Each bar is one figure from one page; the table below the chart is the evidence behind it.

# %%
mix = potash.route_mix()
publish(
    plot_route_mix(mix),
    "route_mix",
    caption="Belarus's potash by route before and after the Klaipeda closure (million tonnes): "
            "each bar one realised-flow figure from one public page in the curated route "
            "table; figures from different sources may overlap and are not added.",
    alt="Bar chart: Klaipeda carried most Belarusian potash before 2022; from 2022 the sources "
        "report Russian seaports and rail to China instead.",
    data=mix,
)

# %%
show_table(mix[["period", "phase", "route", "measure", "quantity_t"]]
           .assign(source=mix["source_url"].str.extract(r"//(?:www\.)?([^/]+)", expand=False)),
           caption="The evidence behind the route chart: one figure per public page (tonnes; "
                   "the site named, full addresses in the figure's CSV and the route table).",
           name="route_mix", rename={"quantity_t": "tonnes"})

# %% [markdown]
# ## Every route figure shipped, by table and kind
#
# Only `flow` rows are volumes that happened; capacities, contracts, forecasts, ranges and
# run-rates are kept for reading, never added to flows.

# %%
routes = potash.route_table()
show_table(routes.groupby(["table", "kind"]).size().rename("figures").to_frame(), index=True,
           caption="Every route figure shipped, by table and kind; only flows are volumes that "
                   "happened.")

# %% [markdown]
# ## What partners' customs data can and cannot say about routes (mirror data)
#
# Belarus does not report its trade; its partners' customs imports do (notebook 8). They record
# the *origin* of each importer's potash, month by month, not the route it took: China's imports
# from Belarus arrive both by rail through Russia and by sea from Russian ports, and its customs
# data cannot tell the two apart. What they show is where Belarusian potash arrived after the
# Klaipeda closure, and when. Brazil's ComexStat declarations add the importing state of each
# cargo (the customs office is a numeric code), so they show where Belarusian tonnes entered
# Brazil; ZN is ComexStat's code for an undeclared zone.

# %%
customs = potash.load_trade("customs_monthly")
bb = belarus_buyers(customs)
dest = bb.annual.pivot(index="year", columns="destination", values="quantity_t").fillna(0)
show_table(dest / 1e3, index=True, name="belarus_destinations_by_year",
           caption="Belarus's potash (HS 3104) by destination and year, thousand tonnes, as "
                   "the importers' customs report it (mirror data; 2026 is January-April).",
           digits=3, formats={"year": "{:.0f}"})

# %%
comex = potash.load_trade("comexstat")
bra = comex[(comex["partner_iso3"] == "BLR") & (comex["hs_code"] == "31042090")
            & (comex["year"] >= 2017)]
by_state = bra.pivot_table(index="year", columns="state", values="quantity_t", aggfunc="sum")
show_table(by_state / 1e3, index=True, name="brazil_blr_by_state",
           caption="Brazil's imports of Belarusian potassium chloride by importing state and "
                   "year, thousand tonnes (ComexStat, eight states; 2024 is January-July).",
           formats={"year": "{:.0f}"})

# %%
annual_total = cargo[(cargo["cargo"] == "total") & (cargo["measure"] == "level")
                     & (cargo["qualifier"] == "exact") & (cargo["n_months"] == 12)]
tot = annual_total.drop_duplicates("period").set_index("period")["quantity_t"]
fert = cargo[(cargo["cargo"] == "fertilizer") & (cargo["measure"] == "level")
             & (cargo["period"] == "2024")]["quantity_t"]
before = mix[(mix["phase"] == "before") & mix["route"].str.startswith("Klaipeda")]
klaipeda_blr = before.sort_values("period").iloc[-1]
ru_ports = mix[(mix["period"] == "2022") & (mix["route"] == "Russian seaports")]["quantity_t"]
rail = mix[(mix["period"] == "2022") & (mix["route"] == "rail to China (via Russia)")]["quantity_t"]
findings.add("klaipeda_2021", tot.loc["2021"] / 1e6, "{:.1f}")
findings.add("klaipeda_2022", tot.loc["2022"] / 1e6, "{:.1f}")
findings.add("klaipeda_2023", tot.loc["2023"] / 1e6, "{:.1f}")
findings.add("klaipeda_2024", tot.loc["2024"] / 1e6, "{:.1f}")
findings.add("fall_2023", 1 - tot.loc["2023"] / tot.loc["2021"], "{:.0%}")
findings.add("fert_2024", fert.iloc[0] / 1e6, "{:.2f}")
findings.add("blr_klaipeda_year", klaipeda_blr["period"])
findings.add("blr_klaipeda", klaipeda_blr["quantity_t"] / 1e6, "{:.1f}")
findings.add("ru_ports_2022", ru_ports.iloc[0] / 1e6, "{:.0f}")
findings.add("rail_2022", rail.iloc[0] / 1e6, "{:.0f}")
findings.add("chn_2021", dest.loc[2021, "CHN"] / 1e6, "{:.1f}")
findings.add("chn_2023", dest.loc[2023, "CHN"] / 1e6, "{:.1f}")
findings.add("chn_2025", dest.loc[2025, "CHN"] / 1e6, "{:.1f}")
findings.add("bra_2021", dest.loc[2021, "BRA"] / 1e6, "{:.1f}")
findings.add("bra_2023", dest.loc[2023, "BRA"] / 1e6, "{:.1f}")
_s21 = by_state.loc[2021].dropna().sort_values(ascending=False)
_s23 = by_state.loc[2023].dropna().sort_values(ascending=False)
findings.add("bra_n_states_2021", len(_s21), "{:d}")
findings.add("bra_top_2021", ", ".join(_s21.index[:3]))
findings.add("bra_states_2023", ", ".join(_s23.index))

# %% [markdown]
# ## Findings

# %%
findings.say(
    "Klaipeda shipped {blr_klaipeda} million tonnes of Belarusian potash in {blr_klaipeda_year}. "
    "After the transit ended on 2022-02-01 the port's total cargo fell from {klaipeda_2021} "
    "million tonnes in 2021 to {klaipeda_2022} in 2022 and {klaipeda_2023} in 2023 (a fall of "
    "{fall_2023}), recovering to {klaipeda_2024} in 2024; its fertiliser cargo in 2024, "
    "{fert_2024} million tonnes, came only from Lithuanian producers."
)

# %%
findings.say(
    "The rerouting was partial at first: the curated sources report about {ru_ports_2022} "
    "million tonnes of Belarusian potash through Russian seaports and more than {rail_2022} "
    "million tonnes by rail to China in 2022, against the Klaipeda volume before. The sources are "
    "press figures, not a statistical series, so they bound the rerouting rather than measure it."
)

# %%
findings.say(
    "Partners' customs data (mirror data) show where the tonnes went, not by which route: "
    "China's recorded imports from Belarus went from {chn_2021} million tonnes in 2021 to "
    "{chn_2023} in 2023 and {chn_2025} in 2025, while Brazil's fell from {bra_2021} to "
    "{bra_2023}. China's customs do not separate rail through Russia from sea through Russian "
    "ports, so the split between the two routes remains the press figures' alone. In Brazil's "
    "ComexStat declarations Belarusian potassium chloride entered through {bra_n_states_2021} "
    "state codes in 2021 (largest {bra_top_2021}) and only through {bra_states_2023} in 2023 "
    "(ZN: zone not declared)."
)
