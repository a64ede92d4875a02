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
# # 6. Trade panel: how much did the sanctions cut Belarus's potash exports?
#
# **Question.** Relative to what other large exporters did in the same years, by how much did
# Belarus's potassium chloride exports fall once the sanctions and the Klaipeda closure bit?
#
# **Design.** Exporter x year panel of FAOSTAT export quantities (product tonnes), 2010-2023, for
# exporters whose mean annual exports exceed 100,000 t. PPML (Poisson pseudo-maximum likelihood,
# statsmodels GLM) with exporter and year fixed effects and a Belarus x post term; post starts in
# 2022, the first full year after the 2021-08 sanctions and the year of the Klaipeda closure.
# Standard errors are clustered by exporter with the small-sample factor G/(G-1)(N-1)/(N-K), as R
# `sandwich::vcovCL(type = "HC1")` (tested against R). With a single treated exporter clustered
# errors are unreliable, so a synthetic control with in-space placebos gives a permutation p-value
# beside them.
#
# **Caveat.** Belarus stopped publishing detailed trade after 2021: FAOSTAT's 2022-2023 Belarus
# figures rest on partner data and FAO estimates.

# %%
import pandas as pd

import potash
from potash.figures import plot_synth_gaps, plot_synth_paths, plot_trade_event_study
from potash.pipeline.report import Findings, publish

pd.set_option("display.width", 120)
findings = Findings("06_trade_panel")
trade = potash.load_trade("faostat")
SETUP = {"years": (2010, 2023), "min_quantity": 100_000}

# %% [markdown]
# ## PPML difference in differences

# %%
did = potash.trade_event_study(trade, **SETUP)
did

# %% [markdown]
# ## Event-time version: leads and lags around 2022 (reference year 2021)

# %%
dyn = potash.trade_event_study(trade, event_time=True, **SETUP)
dyn

# %%
publish(plot_trade_event_study(dyn), "trade_event_time")

# %% [markdown]
# ## Synthetic control for Belarus
#
# Convex weights on the other exporters fit Belarus's exports before 2022; each donor in turn is
# treated as a placebo, and the p-value is Belarus's rank on the ratio of post- to pre-period RMSPE.

# %%
sc = potash.synthetic_control(trade, **SETUP)
sc

# %%
publish(plot_synth_paths(sc), "synth_paths")

# %%
publish(plot_synth_gaps(sc), "synth_gaps")

# %%
weights = sc.weights[sc.weights > 0.01].sort_values(ascending=False)
findings.add("effect_pct", -did.summary_frame().loc["treated_post", "effect_pct"], "{:.0f}%")
findings.add("level", 95, "{:d}%")
findings.add("ci_low", did.summary_frame().loc["treated_post", "effect_ci_lower"], "{:.0f}%")
findings.add("ci_high", did.summary_frame().loc["treated_post", "effect_ci_upper"], "{:.0f}%")
findings.add("n_exporters", did.n_clusters, "{:d}")
findings.add("att_pct", -sc.params["att_pct"], "{:.0f}%")
findings.add("att_mt", -sc.params["att"] / 1e6, "{:.1f}")
findings.add("donors", ", ".join(weights.index))
findings.add("perm_p", sc.pvalue, "{:.3f}")
findings.add("n_units", len(sc.placebos), "{:d}")

# %% [markdown]
# ## Findings

# %%
findings.say(
    "In a panel of {n_exporters} large exporters (Belarus included) with exporter and year fixed "
    "effects, Belarus's potash exports in 2022 and 2023 were {effect_pct} lower than its own "
    "history and the common trend predict (PPML; {level} interval of the effect {ci_low} to "
    "{ci_high}, exporter-clustered, to be read with care with one treated unit). The synthetic "
    "control, built from {donors}, puts the shortfall at {att_pct} ({att_mt} million tonnes a "
    "year); Belarus has the largest post/pre fit ratio of all "
    "{n_units} units, a permutation p-value of {perm_p}, the smallest this donor pool allows."
)
