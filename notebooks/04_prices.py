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
# # 4. Prices: did the sanctions move the potash price beyond the fertilizer market?
#
# **Question.** Potash prices roughly quadrupled between 2020 and April 2022, but so did other
# fertilizer prices, driven by natural gas and the war. How much of the potash move is specific to
# potash at the sanctions dates, measured against urea and DAP? Where does the data itself put the
# breaks, and how close are they to the sanctions calendar?
#
# **Design.** Interrupted time series on monthly log prices (World Bank Pink Sheet), 2020-01 to
# 2026-05, which starts at the potash basis change (Brazil CFR from 2020-01) so the sample holds
# one quotation. Steps at the US/UK/Canada sanctions (2021-08), the Klaipeda closure (2022-02) and
# the US relief (2025-12). **Estimand:** potash against the path urea and DAP predict, that is
# potash against other fertilizers, not potash without sanctions: whatever moves all fertilizers
# (gas, the war) moves the counterfactual too.
#
# A single specification is not a finding. Each step is estimated over a specification curve
# (864 combinations per step, 720 estimated: trend none / linear / only if the pre-period supports it, four control
# sets, urea's 2022-03 basis change spliced, interacted with the control or absorbed by a free
# dummy, three sample starts, two event-month rules, and Newey-West with the rule-of-thumb lag or 6
# lags, the equal-weighted cosine fixed-b test of Lazarus, Lewis, Stock and Watson 2018, or AR(1)
# errors by feasible GLS). Joint inference re-runs each curve with the step moved to placebo
# months; placebo-in-time ranks the true month among all admissible months; urea, DAP and TSP run
# through the same design as placebo outcomes. The single specification of earlier versions
# (linear trend, urea basis dummy, Newey-West; identical to R `sandwich::NeweyWest(adjust = TRUE)`,
# tested against R) is shown first, as one point of the curve.

# %%
import numpy as np
import pandas as pd

import potash
from potash.analyses.overview import headline_events
from potash.analyses.prices import (
    DEFAULT_GRID,
    STEP_EVENTS,
    placebo_outcomes,
    price_counterfactual,
    price_placebo_in_time,
    price_spec_curve,
)
from potash.data.events import event_label
from potash.estimators.its import log_price_panel
from potash.figures import (
    plot_abnormal_price,
    plot_breaks,
    plot_counterfactual_band,
    plot_fstats,
    plot_placebo_in_time,
    plot_price_comparison,
    plot_price_its,
)
from potash.pipeline.report import Findings, publish, show_table

pd.set_option("display.width", 120)
findings = Findings("04_prices")
prices = potash.load_prices()
calendar = potash.load_events()
headline = headline_events(calendar)

# %% [markdown]
# ## Potash against other fertilizers

# %%
publish(
    plot_price_comparison(prices, ("potassium_chloride", "urea", "dap", "tsp"), events=headline,
                          start="2019-01", basis_changes=potash.basis_changes()),
    "price_comparison",
    caption="Monthly World Bank Pink Sheet prices of potassium chloride, urea, DAP and TSP as "
            "an index of nominal USD prices (log scale) from 2019-01, with the headline "
            "sanctions, logistics and relief dates of the calendar and the quotation basis "
            "changes marked.",
    alt="Line chart of four fertilizer price indices from 2019: all four rise several-fold "
        "through 2021 into 2022 and fall back after; the sanctions dates fall inside a "
        "fertilizer-wide rise.",
    data=prices[prices["series"].isin(["potassium_chloride", "urea", "dap", "tsp"])
                & (prices["date"] >= "2019-01-01")],
)

# %% [markdown]
# ## One specification: linear trend, urea basis dummy, Newey-West
#
# The trend of this specification is fitted mostly on post-event months and is the
# counterfactual; the curves below show how much the steps depend on it.

# %%
its = potash.price_event_study(
    prices,
    headline,
    series="potassium_chloride",
    controls=("urea", "dap"),
    start="2020-01",
    end="2026-05",
    steps=["2021-08", "2022-02", "2025-12"],
    basis="dummy",
)
its

# %%
publish(
    plot_price_its(its),
    "price_its",
    caption="Potash price (World Bank, Brazil CFR, nominal USD/t, log scale, monthly 2020-01 "
            "to 2026-05): actual, fitted and the counterfactual without the event terms of an "
            "interrupted time series with urea and DAP as controls, a linear trend, a urea basis "
            "dummy and steps at 2021-08, 2022-02 and 2025-12 (top), and the abnormal price in "
            "percent of the counterfactual (bottom); Newey-West HAC errors [@neweywest1987]. One "
            "specification of the curves below.",
    alt="Two-panel chart: the potash price and its fitted path lie above the counterfactual "
        "from 2021 on; the abnormal price swings between about zero and a doubling, so its size "
        "rests on the fitted trend.",
    data=its.abnormal,
)

# %%
publish(
    plot_abnormal_price(its),
    "abnormal_price",
    caption="Abnormal potash price of the single specification, in percent of the "
            "counterfactual without the event terms (urea and DAP controls, linear trend), "
            "monthly 2020-01 to 2026-05.",
    alt="Line chart of the gap between potash and its counterfactual; the gap swings with the "
        "2021-2022 fertilizer boom, so its size depends on the fitted trend.",
    data=its.abnormal,
)

# %% [markdown]
# ## Structural breaks in log potash, 2020-01 to 2026-05
#
# Sup-F, ave-F and exp-F test for one unknown break (Andrews 1993; Andrews and Ploberger 1994;
# p-values by Hansen's 1997 approximation, as R `strucchange`). Bai-Perron finds several breaks by
# dynamic programming, picks their number by BIC, and gives Bai (1997) confidence intervals. Each
# break is set against the nearest sanctions, logistics or relief event.

# %%
y = log_price_panel(prices, ["potassium_chloride"], start="2020-01", end="2026-05")["potassium_chloride"]
policy = calendar[calendar["type"].isin(["sanction", "logistics", "relief"])]
fstats = potash.f_stats(y)
fstats

# %%
bp = potash.bai_perron(y, events=policy)
bp

# %%
publish(
    plot_fstats(fstats, bp, events=headline),
    "fstats_breaks",
    caption="Chow F statistic for a single break at each candidate month of log potash "
            "(2020-01 to 2026-05), with the sup-F critical value [@andrews1993] and the "
            "Bai-Perron breaks with their confidence intervals [@baiperron1998; @baiperron2003]; "
            "headline calendar dates marked.",
    alt="Line chart of the F statistic by candidate break month, far above its critical value "
        "over 2021-2022, with the estimated breaks and their intervals shaded.",
    data=fstats.fstats,
)

# %%
publish(
    plot_breaks(bp, events=headline),
    "bai_perron_segments",
    caption="Log potash price (World Bank, nominal, monthly) with the regime means of the "
            "Bai-Perron segmentation, the number of breaks chosen by BIC; headline calendar dates marked "
            "[@baiperron1998; @baiperron2003].",
    alt="Line chart of the log potash price with flat segment means: low before 2021, a high "
        "regime in 2022 and lower regimes after.",
    data=bp.breaks,
)

# %% [markdown]
# ## Specification curves of the three steps
#
# Each curve: 864 combinations of the grid below (720 estimated; with DAP as the only control the
# urea basis handling does not apply, so those duplicates are skipped and reported). Joint p-values
# re-run the whole curve with the step moved to 40 placebo months (a seeded draw).

# %%
show_table(
    pd.DataFrame({"choice": list(DEFAULT_GRID), "options": [", ".join(map(str, v)) for v in DEFAULT_GRID.values()]}),
    caption="The specification grid of the price curves: each choice and its options.",
    name="price_spec_grid",
)

# %%
curves = {s: price_spec_curve(prices, calendar, step=s, null_draws=40, seed=4) for s in STEP_EVENTS}
_cs = pd.DataFrame({s: c.curve_summary.as_series() for s, c in curves.items()}).T
_cs.insert(0, "step", [f"{event_label(STEP_EVENTS[s])} ({s})" for s in _cs.index])
show_table(
    _cs[["step", "n_specs", "n_skipped", "median", "min", "max", "share_positive",
         "share_sig_positive", "share_sig_negative"]],
    caption="Price specification curves, by step: estimated and skipped specifications, the "
            "median, smallest and largest step (log points) and the shares positive and "
            "significant at 5%.",
    name="price_curve_summary",
    formats={"median": "{:+.3f}", "min": "{:+.3f}", "max": "{:+.3f}", "share_positive": "{:.0%}",
             "share_sig_positive": "{:.0%}", "share_sig_negative": "{:.0%}"},
    rename={"n_specs": "specifications", "n_skipped": "skipped", "median": "median (log pts)",
            "min": "min", "max": "max", "share_positive": "positive",
            "share_sig_positive": "significant +", "share_sig_negative": "significant -"},
)

# %%
def curve_title(step):
    return f"{event_label(STEP_EVENTS[step])} ({step}): step in log points"


publish(
    curves["2021-08"].plot(title=curve_title("2021-08")),
    "price_spec_curve_2021_08",
    caption=f"Specification curve of the {event_label(STEP_EVENTS['2021-08'])} step (2021-08) in log "
            f"potash against other fertilizers: {curves['2021-08'].curve_summary.n_specs} estimates "
            "sorted by size with their intervals, and the choices behind each below "
            "[@simonsohn2020]; inference Newey-West [@neweywest1987; @neweywest1994], EWC "
            "fixed-b [@lazarus2018] or AR(1) FGLS.",
    alt=f"Specification curve of the 2021-08 step: {curves['2021-08'].robustness_sentence()}.",
    data=curves["2021-08"].table,
)

# %%
publish(
    curves["2022-02"].plot(title=curve_title("2022-02")),
    "price_spec_curve_2022_02",
    caption=f"Specification curve of the {event_label(STEP_EVENTS['2022-02'])} step (2022-02) in log "
            f"potash against other fertilizers: {curves['2022-02'].curve_summary.n_specs} estimates "
            "sorted by size with their intervals, and the choices behind each below "
            "[@simonsohn2020]; inference Newey-West [@neweywest1987; @neweywest1994], EWC "
            "fixed-b [@lazarus2018] or AR(1) FGLS.",
    alt=f"Specification curve of the 2022-02 step: {curves['2022-02'].robustness_sentence()}.",
    data=curves["2022-02"].table,
)

# %%
publish(
    curves["2025-12"].plot(title=curve_title("2025-12")),
    "price_spec_curve_2025_12",
    caption=f"Specification curve of the {event_label(STEP_EVENTS['2025-12'])} step (2025-12) in log "
            f"potash against other fertilizers: {curves['2025-12'].curve_summary.n_specs} estimates "
            "sorted by size with their intervals, and the choices behind each below "
            "[@simonsohn2020]; inference Newey-West [@neweywest1987; @neweywest1994], EWC "
            "fixed-b [@lazarus2018] or AR(1) FGLS.",
    alt=f"Specification curve of the 2025-12 step: {curves['2025-12'].robustness_sentence()}.",
    data=curves["2025-12"].table,
)

# %% [markdown]
# ## Placebo in time
#
# The step moved to every admissible month (six months of data before it, three from it, not next
# to another step), at the headline specification (trend only if the pre-period supports it, urea
# spliced, EWC inference) and at the single specification above. Randomization p-value
# (1 + #{|t_b| >= |t|}) / (1 + B) and the rank of the true month by |t|.

# %%
pit = {s: price_placebo_in_time(prices, calendar, step=s) for s in STEP_EVENTS}
pit_old = price_placebo_in_time(prices, calendar, step="2021-08", trend="linear", basis="dummy",
                                inference="nw")
_pit = pd.concat({**{f"{event_label(STEP_EVENTS[s])} ({s}), headline spec": r.summary_frame()
                     for s, r in pit.items()},
                  "US/UK/Canada sanctions (2021-08), linear trend, dummy, Newey-West":
                  pit_old.summary_frame()}).reset_index(level=0, names="step")
show_table(
    _pit[["step", "estimate", "se", "statistic", "p_value", "rank", "n_placebos"]],
    caption="Placebo in time: the step at the true month (log points) with its t statistic, the "
            "randomization p-value over the admissible placebo months and the true month's rank "
            "by |t|.",
    name="price_placebo_in_time",
    formats={"estimate": "{:+.3f}", "se": "{:.3f}", "statistic": "{:+.2f}", "p_value": "{:.2f}"},
    rename={"estimate": "step (log pts)", "statistic": "t", "p_value": "randomization p",
            "n_placebos": "placebo months"},
)

# %%
publish(plot_placebo_in_time(pit["2021-08"].table,
                             title="US/UK/CA sanctions step moved to every admissible month"),
        "price_placebo_in_time",
        caption="Placebo in time: the t statistic of the 2021-08 potash step (headline "
                "specification: trend only if the pre-period supports it, urea spliced, EWC "
                "inference [@lazarus2018]) with the step moved to every admissible month; the "
                "true month highlighted.",
        alt=f"Bar chart of the step's |t| by placebo month: the true month 2021-08 ranks "
            f"{pit['2021-08'].rank} of {pit['2021-08'].n_placebos + 1}, inside the spread of the "
            "placebo months rather than beyond it.",
        data=pit["2021-08"].table)

# %% [markdown]
# ## Placebo outcomes: the same design on urea, DAP and TSP
#
# If the 2021-08 "step" is a fertilizer-wide move, the other fertilizers show it too (each against
# the remaining fertilizers).

# %%
placebo = placebo_outcomes(prices, calendar, step="2021-08")
show_table(
    placebo.reset_index(),
    caption="Placebo outcomes at 2021-08: each fertilizer run through the potash design against "
            "the others (median step in log points, shares of its curve positive and "
            "significant, placebo-in-time p and rank).",
    name="price_placebo_outcomes",
    formats={"estimate": "{:+.3f}", "share_positive": "{:.0%}", "share_significant": "{:.0%}",
             "p_placebo": "{:.2f}"},
)

# %% [markdown]
# ## Counterfactual fitted on pre-event months only, with forecast bands
#
# Potash on urea and DAP (urea spliced), fitted on 2020-01..2021-07 and projected to 2022-01; and
# fitted on 2022-06..2025-11 and projected over the relief months. A linear trend enters only if
# the pre-period supports it (5% test).

# %%
cf = {s: price_counterfactual(prices, calendar, step=s) for s in ("2021-08", "2025-12")}
_cf = pd.concat({f"{event_label(STEP_EVENTS[s])} ({s})": r.summary_frame() for s, r in cf.items()})
show_table(
    _cf.reset_index(level=0, names="step").reset_index(drop=True),
    caption="Potash against a counterfactual fitted on pre-event months only: the mean gap over "
            "the projection months (log points) with its 95% forecast interval.",
    name="price_counterfactual",
)

# %%
publish(plot_counterfactual_band(cf["2021-08"].path, title="Potash against a counterfactual fitted before 2021-08"),
        "price_counterfactual_2021_08",
        caption="Log potash price (World Bank, nominal, monthly) against a counterfactual from "
                "urea and DAP fitted on 2020-01..2021-07 and projected to 2022-01, with its 95% "
                "forecast band.",
        alt="Line chart: after 2021-08 potash runs along or inside the forecast band of its "
            "fertilizer-based counterfactual.",
        data=cf["2021-08"].path)

# %%
publish(plot_counterfactual_band(cf["2025-12"].path, title="Potash against a counterfactual fitted before the US relief"),
        "price_counterfactual_2025_12",
        caption="Log potash price (World Bank, nominal, monthly) against a counterfactual from "
                "urea and DAP fitted on 2022-06..2025-11 and projected over the relief months "
                "from 2025-12, with its 95% forecast band (iid forecast errors).",
        alt="Line chart of potash against its counterfactual over the few relief months; the "
            "price rise began before the relief announcement.",
        data=cf["2025-12"].path)

# %%
p = its.params
pv = its.pvalues
brk = bp.breaks
for s, c in curves.items():
    key = s.replace("-", "_")
    cs = c.curve_summary
    findings.add(f"robust_{key}", c.robustness_sentence())
    findings.add(f"median_{key}", 100 * np.expm1(cs.median), "{:+.0f}%")
    findings.add(f"min_{key}", 100 * np.expm1(cs.min), "{:+.0f}%")
    findings.add(f"max_{key}", 100 * np.expm1(cs.max), "{:+.0f}%")
    findings.add(f"verdict_{key}", "not robust" if cs.share_same_sign < 0.9 else "robust in sign")
    findings.add(f"pit_p_{key}", pit[s].p_value, "{:.2f}")
    findings.add(f"pit_rank_{key}", pit[s].rank, "{:d}")
    findings.add(f"pit_n_{key}", pit[s].n_placebos + 1, "{:d}")
by_trend = curves["2025-12"].table.groupby("trend")["estimate"].median()
findings.add("relief_med_linear", 100 * np.expm1(by_trend["linear"]), "{:+.0f}%")
findings.add("relief_med_none", 100 * np.expm1(by_trend["none"]), "{:+.0f}%")
findings.add("n_specs_total", sum(c.curve_summary.n_specs for c in curves.values()), "{:,d}")
findings.add("single_sanctions", 100 * np.expm1(p["step_2021-08"]), "{:+.0f}%")
findings.add("single_relief", 100 * np.expm1(p["step_2025-12"]), "{:+.0f}%")
findings.add("pit_old_p", pit_old.p_value, "{:.2f}")
findings.add("pit_old_rank", pit_old.rank, "{:d}")
findings.add("pit_old_n", pit_old.n_placebos + 1, "{:d}")
for s in ("urea", "dap", "tsp"):
    findings.add(f"placebo_{s}", 100 * np.expm1(placebo.loc[s, "estimate"]), "{:+.0f}%")
    findings.add(f"placebo_{s}_pos", placebo.loc[s, "share_positive"], "{:.0%}")
    findings.add(f"placebo_{s}_sig", placebo.loc[s, "share_significant"], "{:.0%}")
    findings.add(f"placebo_{s}_p", placebo.loc[s, "p_placebo"], "{:.2f}")
for s, r in cf.items():
    key = s.replace("-", "_")
    sf = r.summary_frame().iloc[0]
    findings.add(f"cf_{key}", 100 * np.expm1(sf["estimate"]), "{:+.0f}%")
    findings.add(f"cf_lo_{key}", 100 * np.expm1(sf["ci_low"]), "{:+.0f}%")
    findings.add(f"cf_hi_{key}", 100 * np.expm1(sf["ci_high"]), "{:+.0f}%")
findings.add("level", 0.95, "{:.0%}")  # the intervals of pre_event_counterfactual (default)
findings.add("n_post_relief", int((its.abnormal.index >= "2025-12-01").sum()), "{:d}")
findings.add("supf_p", fstats.tests.loc["supF", "p_value"], "{:.1e}")
findings.add("n_breaks", bp.n_breaks, "{:d}")
findings.add("first_break", pd.Timestamp(brk["first_after"].iloc[0]).strftime("%Y-%m"))
findings.add("first_break_event", event_label(brk["nearest_event"].iloc[0]))
_d = int(brk["distance_months"].iloc[0])
findings.add("first_break_dist", f"{_d} month" + ("" if _d == 1 else "s"))
findings.add("last_break", pd.Timestamp(brk["first_after"].iloc[-1]).strftime("%Y-%m"))

for s, label in (("2021-08", "Potash price step at the US, UK and Canadian sanctions (2021-08)"),
                 ("2025-12", "Potash price step at the US relief (2025-12)")):
    cs = curves[s].curve_summary
    findings.result(
        f"step_{s.replace('-', '_')}",
        label=label + ", median of the specification curve",
        estimate=np.expm1(cs.median),
        n=its.nobs, n_label="months",
        method=(f"ITS against urea and DAP, median of {cs.n_specs} specifications (range "
                f"{np.expm1(cs.min):+.0%} to {np.expm1(cs.max):+.0%}); p: placebo in time, "
                f"rank {pit[s].rank} of {pit[s].n_placebos + 1} months"),
        p_value=pit[s].p_value,
        fmt="{:+.0%}",
    )

# %% [markdown]
# ## Findings

# %%
findings.say(
    "Against urea and DAP, the US, UK and Canadian sanctions step of 2021-08 is not a robust "
    "finding. Over the specification curve it is {robust_2021_08}; the median step is "
    "{median_2021_08} (range {min_2021_08} to {max_2021_08}). Moved to every admissible month, "
    "the true month ranks {pit_rank_2021_08} of {pit_n_2021_08} by |t| (placebo-in-time "
    "randomization p = {pit_p_2021_08}); with the single specification of earlier versions "
    "(linear trend, urea basis dummy, Newey-West: {single_sanctions}) it ranks {pit_old_rank} of "
    "{pit_old_n} (p = {pit_old_p}). The data give no evidence of a potash-specific step at the "
    "sanctions, which is not evidence that they had none: potash rose with the other fertilizers.",
    headline=True,
)

# %%
findings.say(
    "Placebo outcomes point the same way: run through the same design at 2021-08, urea steps "
    "{placebo_urea} (positive in {placebo_urea_pos} of its curve, significant in "
    "{placebo_urea_sig}; placebo-in-time p = {placebo_urea_p}), DAP {placebo_dap} (positive in "
    "{placebo_dap_pos}, significant in {placebo_dap_sig}) and TSP {placebo_tsp} (positive in "
    "{placebo_tsp_pos}, significant in {placebo_tsp_sig}). Fitted on 2020-01..2021-07 only and "
    "projected forward, potash averages {cf_2021_08} against its counterfactual from 2021-08 to "
    "2022-01 ({level} interval {cf_lo_2021_08} to {cf_hi_2021_08})."
)

# %%
findings.say(
    "There is no evidence of a separate step at the Klaipeda closure of 2022-02: over its curve it "
    "is {robust_2022_02}; placebo-in-time p = {pit_p_2022_02}. The loss of the route was priced by then, and the following month is "
    "confounded with the urea basis change and the EU's full ban."
)

# %%
findings.say(
    "The US relief step (2025-12) is {verdict_2025_12}. Over its curve it is {robust_2025_12}; "
    "the step runs from {min_2025_12} to {max_2025_12} (median {median_2025_12}) and moved to "
    "every admissible month the true month ranks {pit_rank_2025_12} of {pit_n_2025_12} "
    "(placebo-in-time p = {pit_p_2025_12}). The single specification's "
    "{single_relief} rests on its linear trend: the curve's median is {relief_med_linear} with a "
    "linear trend and {relief_med_none} without one. Against a counterfactual fitted on 2022-06..2025-11 "
    "potash stands {cf_2025_12} ({level} interval {cf_lo_2025_12} to {cf_hi_2025_12}, iid forecast "
    "errors), with only {n_post_relief} months of data and a rise that began before the "
    "announcement: a signal to watch, not evidence that relief raised prices.",
    headline=True,
)

# %%
findings.say(
    "The three price curves hold {n_specs_total} estimated specifications in all."
)

# %%
findings.say(
    "The data reject a stable potash price (sup-F p = {supf_p}). Bai-Perron picks {n_breaks} "
    "breaks; the first new regime starts in {first_break}, {first_break_dist} from the calendar "
    "event \"{first_break_event}\", and the last in {last_break}."
)
