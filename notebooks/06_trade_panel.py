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
# Belarus's potassium chloride exports fall once the sanctions and the Klaipeda closure bit, and
# is that fall distinguishable from the swings other exporters show?
#
# **Design.** Exporter x year panel of FAOSTAT export quantities (product tonnes), 2010-2023, for
# exporters whose mean annual exports exceed 100,000 t. PPML (Poisson pseudo-maximum likelihood)
# with exporter and year fixed effects and a Belarus x post term; post starts in 2022, the first
# full year after the 2021-08 sanctions and the year of the Klaipeda closure.
#
# **Inference.** There is one treated exporter, so exporter-clustered standard errors rest on one
# cluster and are unreliable (MacKinnon and Webb 2017): they are shown in the tables, never used
# for a finding. The headline inference is by randomization: the treatment is reassigned to each
# other exporter in turn (in-space permutation, Belarus dropped from the placebo fits), giving a
# permutation p-value and Belarus's rank, with floor 1/(J+1); the interval is Conley and Taber's
# (2011), built from the placebo estimates, with its exact coverage stated (with 11 placebos a 95%
# interval is not attainable). The same randomization reads the event-time leads. A synthetic
# control (donors screened for broken series, leave-one-out donors) and a specification curve
# over 864 defensible choices with in-space joint inference complete the picture.
#
# **Caveat.** Belarus stopped publishing detailed trade after 2021: FAOSTAT's 2022-2023 Belarus
# figures rest on partner data and FAO estimates.

# %%
import numpy as np
import pandas as pd

import potash
from potash.analyses.buyers import WINDOWS, monthly_trade_event_study
from potash.analyses.trade import SETUP, trade_permutation, trade_spec_curve
from potash.data.countries import country_name
from potash.figures import plot_synth_gaps, plot_synth_paths, plot_trade_event_study
from potash.pipeline.report import Findings, publish, show_table

pd.set_option("display.width", 120)
TERMS = {"treated_post": "Belarus x post", "treated_pretrend": "Belarus pre-trend (per year)",
         "treated_trend": "Belarus trend (per year)"}
PERM_COLS = ["term", "estimate", "p_value", "rank", "n_placebos", "ci_low", "ci_high", "coverage"]
PERM_FMT = dict(
    formats={"estimate": "{:+.3f}", "p_value": "{:.3f}", "ci_low": "{:+.3f}", "ci_high": "{:+.3f}",
             "coverage": "{:.0%}"},
    rename={"estimate": "estimate (log pts)", "p_value": "permutation p", "n_placebos": "placebos",
            "ci_low": "Conley-Taber low", "ci_high": "Conley-Taber high",
            "coverage": "exact coverage"},
)
findings = Findings("06_trade_panel")
trade = potash.load_trade("faostat")

# %% [markdown]
# ## PPML difference in differences (clustered errors shown for reference only)

# %%
did = potash.trade_event_study(trade, **SETUP)
did

# %% [markdown]
# ## Randomization inference: Belarus against every other exporter as a placebo

# %%
perm = trade_permutation(trade, **SETUP)
show_table(
    perm.summary_frame().reset_index(names="term").assign(term=lambda d: d["term"].map(TERMS).fillna(d["term"]))[PERM_COLS],
    caption="Belarus x post, PPML (log points): estimate, permutation p-value and rank among "
            "all exporters, and the Conley-Taber interval with its exact coverage.",
    name="trade_permutation",
    **PERM_FMT,
)

# %%
publish(
    perm.plot(),
    "trade_permutation",
    caption="In-space permutation: the PPML Belarus x post estimate (FAOSTAT export tonnes, "
            "exporter and year effects, post from 2022) against the same term given to each "
            "other large exporter in turn [@santossilva2006; @conleytaber2011; "
            "@mackinnonwebb2017].",
    alt=f"Bar chart of each exporter's estimate with the treatment given to it, Belarus "
        f"marked: Belarus's fall ranks {int(perm.summary_frame().loc['treated_post', 'rank'])} "
        f"of {perm.n_placebos + 1} by size, inside the placebo spread.",
    data=perm.summary_frame(),
)

# %% [markdown]
# ## Event-time version: leads and lags around 2022 (reference year 2021)
#
# The figure bins leads before 2018; the table below has one lead per year, each with its
# clustered p-value (unreliable, as above) and its permutation p-value and rank.

# %%
dyn = potash.trade_event_study(trade, event_time=True, **SETUP)
publish(
    plot_trade_event_study(dyn),
    "trade_event_time",
    caption="Event-time PPML of Belarus's potash exports (FAOSTAT, exporter and year effects, "
            "reference year 2021, leads before 2018 binned), with exporter-clustered intervals "
            "shown for reference only: one treated exporter [@santossilva2006; "
            "@mackinnonwebb2017].",
    alt="Coefficient plot by year relative to 2022: leads scatter around zero, lags fall "
        "below it.",
    data=dyn.summary_frame(),
)

# %%
dyn_all = potash.trade_event_study(trade, event_time=True, leads=None, **SETUP)
perm_et = trade_permutation(trade, terms="event_time", leads=None, **SETUP)
leads = perm_et.summary_frame()[["estimate", "p_value", "rank"]].join(
    dyn_all.summary_frame()[["p_value", "event_time"]].rename(columns={"p_value": "p_clustered"})
)
leads["year"] = leads["event_time"] + did.post_start
show_table(
    leads[["year", "event_time", "estimate", "p_value", "rank", "p_clustered"]],
    caption="Event-time terms of the PPML (log points) by year, with the permutation p-value "
            "and rank and the exporter-clustered p-value (unreliable with one treated exporter).",
    name="trade_event_time",
    formats={"year": "{:.0f}", "estimate": "{:+.3f}", "p_value": "{:.2f}", "p_clustered": "{:.3f}"},
    rename={"event_time": "event time", "estimate": "estimate (log pts)",
            "p_value": "permutation p", "p_clustered": "clustered p"},
)

# %% [markdown]
# ## A Belarus-specific pre-trend
#
# `treated_trend="pre"` adds a Belarus x linear trend term in the pre-period (its coefficient is
# Belarus's pre-trend against the other exporters); `"all"` extends that trend to every year,
# so the effect is the deviation from Belarus's own extrapolated trend.

# %%
pre_trend = trade_permutation(trade, treated_trend="pre", **SETUP)
detrended = trade_permutation(trade, treated_trend="all", **SETUP)
show_table(
    pd.concat({"pre-trend": pre_trend.summary_frame(), "detrended": detrended.summary_frame()})
    .reset_index(names=["model", "term"]).assign(term=lambda d: d["term"].map(TERMS).fillna(d["term"]))[["model"] + PERM_COLS],
    **PERM_FMT,
    caption="Belarus with its own linear trend: the pre-trend term and the post effect (log "
            "points) with permutation p-values and ranks.",
    name="trade_pretrend",
)

# %% [markdown]
# ## Synthetic control for Belarus
#
# Convex weights on the other exporters fit Belarus's exports before 2022. Donors whose series
# fail the data-quality screen (near zero in most years, or a year-on-year jump by a factor of
# three) are excluded, and reported; each positive-weight donor is then left out in turn. Each
# donor in turn is treated as a placebo; the p-value is Belarus's rank on the ratio of post- to
# pre-period RMSPE, whose floor is 1/(J+1).

# %%
sc = potash.synthetic_control(trade, **SETUP)
sc

# %%
show_table(sc.donor_screen, index=True,
           caption="Synthetic-control donor screen: exporters flagged for broken FAOSTAT series "
                   "and why.", name="synth_donor_screen")

# %%
show_table(sc.leave_one_out, index=True,
           caption="Leave-one-donor-out synthetic controls: shortfall (percent, negative is a "
                   "fall) and permutation p-value without each positive-weight donor.",
           name="synth_leave_one_out")

# %%
publish(
    plot_synth_paths(sc),
    "synth_paths",
    caption="Belarus's potassium chloride exports (FAOSTAT, tonnes) against its synthetic "
            "control, convex weights on screened donor exporters fitted before 2022 "
            "[@abadie2010].",
    alt="Line chart: Belarus and its synthetic control track each other before 2022; after, "
        "Belarus falls below the synthetic path.",
    data=sc.paths,
)

# %%
publish(
    plot_synth_gaps(sc),
    "synth_gaps",
    caption="Gap between each exporter and its synthetic control (FAOSTAT, tonnes), Belarus "
            "against the in-space placebos [@abadie2010].",
    alt="Line chart of gaps: Belarus's post-2022 gap is among the most negative, with some "
        "placebos swinging as much.",
    data=sc.placebo_gaps,
)

# %% [markdown]
# ## Specification curve
#
# 864 combinations: exporter threshold (50,000 / 100,000 / 250,000 t), first year (2005 / 2010 /
# 2012), first post year (2022, or 2021, the event year), Belarus's own linear trend or not,
# quantity or value, and each exporter left out in turn. Each specification's p-value is its own
# permutation p (floor about 0.08, so significance is read at 10%); the joint p-values re-run the
# whole curve with each other exporter as the treated unit.

# %%
curve = trade_spec_curve(trade)
show_table(
    curve.curve_summary.as_series().to_frame().T[["n_specs", "median", "min", "max", "share_negative", "share_significant"]],
    caption="Trade specification curve: specifications, median, smallest and largest Belarus x "
            "post estimate (log points), shares negative and significant at 10% by permutation.",
    name="trade_curve_summary",
    formats={"median": "{:+.3f}", "min": "{:+.3f}", "max": "{:+.3f}", "share_negative": "{:.0%}",
             "share_significant": "{:.0%}"},
    rename={"n_specs": "specifications", "share_negative": "negative",
            "share_significant": "significant"},
)

# %%
publish(
    curve.plot(estimate_label="Belarus x post (PPML log points)"),
    "trade_spec_curve",
    caption="Specification curve of the PPML Belarus x post estimate over exporter threshold, "
            "first year, first post year, Belarus's own trend, quantity or value and "
            "leave-one-exporter-out [@simonsohn2020], each read by its own permutation p-value.",
    alt=f"Specification curve of the trade effect: {curve.robustness_sentence()}.",
    data=curve.table,
)

# %% [markdown]
# ## Cross-check: the monthly partner customs panel (mirror data)
#
# The annual FAOSTAT panel ends in 2023 and holds FAO estimates for Belarus after 2021. The
# monthly customs imports of 14 importers by origin (HS 3104, 2014-01 to 2026-04) see Belarus
# through its partners' declarations: mirror data, since Belarus does not report. The PPML of
# notebook 8 (importer x month and importer x origin effects, Belarus x window by destination
# group, randomization over the largest other origins) answers a narrower question (Belarus's
# flows into these importers, not its world exports) with the relief months included.

# %%
customs = potash.load_trade("customs_monthly")
ppml_m = monthly_trade_event_study(customs, n_placebos=19)
_wl = {w: f"{a} to {b}" if b < "2099" else f"from {a}" for w, a, b in WINDOWS}
_mt = ppml_m.table.assign(window=lambda d: d["window"].map(_wl).fillna(d["window"]))
show_table(
    _mt[["group", "window", "effect_pct", "p_value", "ri_p_value"]],
    caption="Monthly partner-data PPML (mirror data): change of Belarus's flows into each "
            "destination group against before 2021-08 (percent), pair-clustered and "
            "randomization p-values.",
    name="trade_monthly_ppml",
    formats={"effect_pct": "{:+.0f}%", "p_value": "{:.3f}", "ri_p_value": "{:.2f}"},
    rename={"group": "destinations", "effect_pct": "change", "p_value": "clustered p",
            "ri_p_value": "randomization p"},
)

# %%
pct = lambda b: -100 * np.expm1(b)  # noqa: E731 - shortfall in percent from log points
sf = perm.summary_frame().loc["treated_post"]
findings.add("n_exporters", did.n_clusters, "{:d}")
findings.add("post_year", did.post_start, "{:d}")
findings.add("effect_pct", pct(sf["estimate"]), "{:.0f}%")
findings.add("rank", int(sf["rank"]), "{:d}")
findings.add("n_units", perm.n_placebos + 1, "{:d}")
findings.add("perm_p", sf["p_value"], "{:.2f}")
findings.add("p_floor", perm.p_floor, "{:.3f}")
findings.add("ct_low", 100 * np.expm1(sf["ci_low"]), "{:+.0f}%")
findings.add("ct_high", 100 * np.expm1(sf["ci_high"]), "{:+.0f}%")
findings.add("ct_cov", sf["coverage"], "{:.0%}")
findings.add("curve", curve.robustness_sentence())
findings.add("curve_median", pct(curve.curve_summary.median), "{:.0f}%")
findings.add("curve_lo", pct(curve.curve_summary.max), "{:.0f}%")
findings.add("curve_hi", pct(curve.curve_summary.min), "{:.0f}%")
findings.add("curve_alpha", curve.alpha, "{:.0%}")
mt = ppml_m.table.set_index("term")
findings.add("m_other_post", mt.loc["T_x_post_klaipeda_other", "effect_pct"], "{:+.0f}%")
findings.add("m_other_post_ri", mt.loc["T_x_post_klaipeda_other", "ri_p_value"], "{:.2f}")
findings.add("m_other_relief", mt.loc["T_x_relief_other", "effect_pct"], "{:+.0f}%")
findings.add("m_other_relief_ri", mt.loc["T_x_relief_other", "ri_p_value"], "{:.2f}")
findings.add("m_n_placebos", int(mt["n_placebos"].max()), "{:d}")
findings.add("m_n_obs", ppml_m.n_obs, "{:,d}")
findings.add("m_n_importers", int(customs.loc[customs["flow"] == "import", "reporter_iso3"].nunique()), "{:d}")
findings.result(
    "ppml_belarus_post",
    label=f"Belarus's potash exports from {did.post_start}, PPML Belarus x post (FAOSTAT, annual)",
    estimate=np.expm1(sf["estimate"]), ci_low=np.expm1(sf["ci_low"]), ci_high=np.expm1(sf["ci_high"]),
    level=float(sf["coverage"]),
    n=did.nobs, n_label="exporter-years",
    method=(f"PPML, exporter and year effects; p: in-space permutation (rank {int(sf['rank'])} of "
            f"{perm.n_placebos + 1}); interval: Conley-Taber (exact coverage)"),
    p_value=sf["p_value"],
    fmt="{:+.0%}",
)

lead_rows = leads[leads["event_time"] < -1]
sig_perm = lead_rows[lead_rows["p_value"] < 0.10]
sig_cl = lead_rows[lead_rows["p_clustered"] < 0.05]
best = lead_rows.sort_values("p_value").iloc[0]
findings.add("n_leads", len(lead_rows), "{:d}")
findings.add("n_leads_cl", len(sig_cl), "{:d}")
findings.add("lead_years_cl", ", ".join(str(int(y)) for y in sig_cl["year"]) or "none")
findings.add("n_leads_perm", len(sig_perm), "{:d}")
findings.add("lead_years_perm", ", ".join(str(int(y)) for y in sig_perm["year"]) or "none")
findings.add("lead_min_p", best["p_value"], "{:.2f}")
findings.add("lead_min_year", int(best["year"]), "{:d}")
pt = pre_trend.summary_frame().loc["treated_pretrend"]
dt = detrended.summary_frame().loc["treated_post"]
findings.add("pretrend_pct", 100 * np.expm1(pt["estimate"]), "{:+.1f}%")
findings.add("pretrend_p", pt["p_value"], "{:.2f}")
findings.add("detrend_pct", pct(dt["estimate"]), "{:.0f}%")
findings.add("detrend_rank", int(dt["rank"]), "{:d}")
findings.add("detrend_p", dt["p_value"], "{:.3f}")

weights = sc.weights[sc.weights > 0.01].sort_values(ascending=False)
screen = sc.donor_screen
flagged = screen[screen["flagged"]]
loo = sc.leave_one_out
worst = loo["att_pct"].idxmax()  # the smallest shortfall
findings.add("flagged", ", ".join(country_name(u) for u in flagged.index) or "no donor")
findings.add("flag_reasons", "; ".join(f"{country_name(u)}: {r}" for u, r in flagged["reason"].items()))
findings.add("att_pct", -sc.params["att_pct"], "{:.0f}%")
findings.add("att_mt", -sc.params["att"] / 1e6, "{:.1f}")
findings.add("donors", ", ".join(country_name(u) for u in weights.index))
findings.add("sc_p", sc.pvalue, "{:.3f}")
findings.add("sc_floor", sc.p_floor, "{:.3f}")
findings.add("n_units_sc", int(sc.placebos["used"].sum()), "{:d}")
findings.add("sc_rank", int(sc.placebos.loc["BLR", "rank"]), "{:d}")
findings.add("loo_lo", -loo["att_pct"].max(), "{:.0f}%")
findings.add("loo_hi", -loo["att_pct"].min(), "{:.0f}%")
findings.add("loo_worst", country_name(worst))
findings.add("loo_worst_pct", -loo.loc[worst, "att_pct"], "{:.0f}%")
findings.add("loo_worst_p", loo.loc[worst, "p_value"], "{:.2f}")
findings.add("loo_worst_w", loo.loc[worst, "weight_dropped"], "{:.2f}")

# %% [markdown]
# ## Findings

# %%
findings.say(
    "In a panel of {n_exporters} large exporters (Belarus included) with exporter and year fixed "
    "effects, Belarus's potash exports from {post_year} were {effect_pct} lower than its own "
    "history and the common trend predict (PPML). That fall does not stand out from other "
    "exporters' swings: with the treatment reassigned to each other exporter in turn, Belarus "
    "ranks {rank} of {n_units} by the size of its estimate, a randomization p-value of {perm_p} "
    "(smallest possible {p_floor}), and the Conley-Taber interval of the effect, {ct_low} to "
    "{ct_high} (exact coverage {ct_cov}), includes no change: no evidence from this panel alone "
    "that the fall exceeds what other exporters' year-to-year variation produces. The direction "
    "is robust, its distinction from the other exporters is not: over the specification curve "
    "the shortfall runs from {curve_lo} to {curve_hi} (median {curve_median}) and the estimate "
    "is {curve}. Each specification is read by its own permutation p-value at {curve_alpha}.",
    headline=True,
)

# %%
findings.say(
    "The monthly partner customs data (mirror data: {m_n_obs} importer x origin x month flows, "
    "{m_n_importers} importers) point the same way: Belarus's flows to importers other than the "
    "US were {m_other_post} after the Klaipeda closure against before 2021-08 (randomization "
    "p = {m_other_post_ri} over {m_n_placebos} placebo origins) and {m_other_relief} in the "
    "relief months (randomization p = {m_other_relief_ri})"
    + (": a change that stands out from the placebo origins' swings."
       if mt.loc["T_x_post_klaipeda_other", "ri_p_value"] < 0.10
       else ": the rival origins' flows swing as much, so this panel, too, gives no robust "
       "evidence of a fall beyond what the placebo origins show.")
)

# %%
if len(sig_perm):
    lead_text = (
        "Parallel pre-trends are in doubt: of {n_leads} yearly leads, {n_leads_perm} have a "
        "randomization p-value below {curve_alpha} ({lead_years_perm}); {n_leads_cl} look "
        "significant by exporter-clustered errors ({lead_years_cl})."
    )
else:
    lead_text = (
        "Of {n_leads} yearly leads, {n_leads_cl} look significant by exporter-clustered errors "
        "({lead_years_cl}), which one treated exporter cannot support; none stands out by "
        "randomization (smallest permutation p-value {lead_min_p}, in {lead_min_year}): no "
        "evidence of a Belarus-specific pre-trend beyond other exporters' variation, from a test "
        "with little power at this size."
    )
findings.say(
    lead_text
    + " Giving Belarus its own linear trend (a pre-trend of {pretrend_pct} a year against the "
    "others, randomization p-value {pretrend_p}), the shortfall is {detrend_pct} and Belarus "
    "ranks {detrend_rank} of {n_units}, a randomization p-value of {detrend_p}"
    + (", the floor: the headline's inference depends on this choice."
       if dt["p_value"] <= perm.p_floor + 1e-12 else ".")
)

# %%
findings.say(
    "The synthetic control excludes {flagged}, whose FAOSTAT series fail the data-quality screen "
    "({flag_reasons}). Built from {donors}, it puts the shortfall at {att_pct} ({att_mt} million "
    "tonnes a year); Belarus ranks {sc_rank} of {n_units_sc} units by the post/pre fit ratio, a "
    "permutation p-value of {sc_p}"
    + (", the smallest this donor pool allows. " if sc.pvalue <= sc.p_floor + 1e-12
       else " (smallest possible {sc_floor}). ")
    + "Leaving out one donor at a time, the shortfall runs from {loo_lo} to {loo_hi}; without {loo_worst} "
    "(weight {loo_worst_w}) it is {loo_worst_pct}, with a permutation p-value of {loo_worst_p}."
)
