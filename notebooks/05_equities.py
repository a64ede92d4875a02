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
# # 5. Equities: did the markets price the sanctions, and their lifting?
#
# **Question.** If sanctions on Belarus's potash (a fifth of world exports) were expected to raise
# potash prices, the listed rivals (Nutrien, Mosaic, ICL, Intrepid) should have gained on the
# sanctions dates and lost on the relief dates, more than fertilizer firms without potash (CF, SQM,
# LSB, CVR Partners, Corteva) whose fortunes follow the same market.
#
# **Design.** The primary test is one portfolio: the equal-weighted producers minus the
# equal-weighted contrast group, with its own market model (SPY; estimation window trading days
# -250 to -11, event window -1 to +2). Its CAR answers "did the market treat this as news for the
# rivals" directly, and a single series has no cross-correlation problem. Events on the same
# trading day are studied once; weekend dates move to the next trading day and the move is
# reported. The other studied events' windows are masked out of every estimation window.
#
# **Inference.** Every test is *calibrated at the actual group size*: it is re-run on seeded
# non-event trading dates of the same data (no calendar event within two weeks), its empirical
# rejection rate at the nominal level is reported beside it, and each date's calibrated p-value
# is the share of placebo p-values at least as small. Across dates, p-values are adjusted by Holm
# (family-wise) and Benjamini-Hochberg (false discovery rate), separately for the sanction dates
# and the relief dates, which are never pooled under the same sign. The equity specification
# curve varies the estimation window, event window, benchmark (SPY, ACWI, XLB materials, MOO
# agribusiness), model (market model, market-adjusted, constant mean, and the two-index factor
# model R = a + b1 SPY + b2 sector with XLB or MOO as the sector) and group membership (leave one
# firm out), with joint inference over placebo dates. Combinations that are not a distinct model
# (the factor model on SPY or ACWI; the constant mean, which uses no benchmark, repeated under
# each benchmark) are listed as skipped, not counted twice.

# %%
import pandas as pd

import potash
from potash.analyses.equities import PRODUCERS
from potash.data.events import event_label
from potash.figures import plot_event_study, plot_sanctions_caar
from potash.pipeline.report import Findings, publish, show_table

pd.set_option("display.width", 140)
findings = Findings("05_equities")


TEST_NAMES = {
    "brown_warner_1980": "Brown-Warner 1980", "brown_warner_1985": "Brown-Warner 1985",
    "patell": "Patell", "patell_adjusted": "Patell (adjusted)", "bmp": "BMP",
    "bmp_adjusted": "BMP (adjusted)", "lamb": "Lamb", "cowan_car_rank": "Cowan CAR rank",
    "corrado_rank": "Corrado rank", "corrado_zivney_rank": "Corrado-Zivney rank",
    "corrado_zivney_sign": "Corrado-Zivney sign", "wilcoxon": "Wilcoxon", "grank": "GRANK",
    "t_cs": "cross-sectional t", "generalized_sign": "generalized sign",
    "skewness_t": "skewness-adjusted t", "sign": "sign",
}


def label(group: str) -> str:
    """Readable label of a studied date (events on one trading day are joined by '+')."""
    return " + ".join(event_label(e) for e in group.split("+"))


# %%
study = potash.sanctions_event_study()

# %% [markdown]
# Events studied, with every move to a trading day:

# %%
_ev = study.events.assign(event=study.events["event_id"].map(event_label))
show_table(
    _ev[["date", "event", "type", "family", "trading_date", "shift_days"]],
    caption="Events studied: calendar date, event, type and family (sanction or relief), the "
            "trading day used and the shift in calendar days.",
    name="equity_events",
    rename={"trading_date": "trading day", "shift_days": "shift (days)"},
)

# %%
publish(
    plot_sanctions_caar(study),
    "sanctions_caar",
    caption="Cumulative average abnormal return over trading days -1 to +2 of the potash "
            "producers (Nutrien, Mosaic, ICL, Intrepid) and of the fertilizer contrast group "
            "(CF, SQM, LSB, CVR Partners, Corteva) at each studied date, market model on SPY "
            "estimated over days -250 to -11 [@mackinlay1997], with 95% Brown-Warner (1985) "
            "bands; the findings test the difference (the long-short portfolio) with p-values "
            "calibrated on placebo dates.",
    alt="Paired bar chart by event date: producers and contrast group mostly move together, "
        "a few percent either way, with bands that span zero on nearly every date, sanction and "
        "relief dates alike.",
    data=pd.DataFrame({"producers": study.producers.caar.iloc[-1],
                       "contrast": study.contrast.caar.iloc[-1]}).rename_axis("event_id")
    .reset_index().assign(event=lambda d: d["event_id"].map(label)),
)

# %% [markdown]
# ## The producers' path around the key dates

# %%
publish(
    plot_event_study(study.producers),
    "producers_aar_caar",
    caption="Producers' average abnormal return (AAR) and cumulative average abnormal return "
            "(CAAR) by event day around the studied dates, market model on SPY "
            "[@mackinlay1997; @kolaripynnonen2010].",
    alt="Line and bar chart of the producers' daily abnormal returns around the event dates, "
        "small relative to their day-to-day noise.",
    data=pd.concat({"aar": study.producers.aar, "caar": study.producers.caar}, axis=1),
)

# %% [markdown]
# ## Empirical size of each test at the actual group size
#
# Share of placebo dates on which each CAR test rejects at the nominal level. Tests far above
# nominal (the sign tests, GRANK, Patell and BMP without the correlation adjustment) would call
# too many dates significant; the findings use calibrated p-values for all of them.

# %%
size = study.calibration.pivot(index="statistic", columns="sample", values="empirical_size")
size["gap_producers"] = (size["producers"] - study.alpha).abs()
size = size.sort_values("gap_producers").drop(columns="gap_producers")
show_table(
    size.reset_index().assign(statistic=lambda d: d["statistic"].map(TEST_NAMES).fillna(d["statistic"])),
    caption="Empirical size of each CAR test at the nominal 5% level on the placebo dates, by "
            "sample (share of placebo dates rejected); tests near 5% are well calibrated "
            "[@kolaripynnonen2010].",
    name="equity_test_size",
    formats={c: "{:.1%}" for c in size.columns},
    rename={"long_short": "long-short"},
)

# %% [markdown]
# ## The long-short portfolio: CAR per date, nominal and calibrated p, Holm and BH

# %%
ls = study.summary_frame()
ls.insert(1, "label", ls["event_id"].map(label))
show_table(
    ls.drop(columns="event_id"),
    caption="Long-short CAR (producers minus contrast, days -1 to +2) per studied date, with its "
            "interval, nominal and placebo-calibrated p-values and the Holm and "
            "Benjamini-Hochberg adjustments within each family.",
    name="equity_long_short",
    formats={"estimate": "{:+.1%}", "ci_low": "{:+.1%}", "ci_high": "{:+.1%}", "se": "{:.1%}",
             "statistic": "{:+.2f}", "p_value": "{:.3f}", "p_calibrated": "{:.3f}",
             "p_holm": "{:.3f}", "p_bh": "{:.3f}"},
    rename={"label": "event", "estimate": "CAR", "ci_low": "CI low", "ci_high": "CI high",
            "trading_date": "trading day", "statistic": "t",
            "p_value": "nominal p", "p_calibrated": "calibrated p", "p_holm": "Holm p",
            "p_bh": "BH p"},
)

# %% [markdown]
# ## Per-date producer tests, calibrated and corrected across dates
#
# The tests whose calibrated size is near nominal lead (adjusted BMP and Patell, Brown-Warner
# 1985); GRANK, cited before this calibration, follows.

# %%
cal = study.calibrated
lead = ["bmp_adjusted", "patell_adjusted", "brown_warner_1985", "grank"]
prod = cal[(cal["sample"] == "producers") & cal["statistic"].isin(lead)].copy()
prod["label"] = prod["event_id"].map(label)
_pv = prod.pivot(index="label", columns="statistic", values="p_calibrated")
_pv = _pv.reindex([x for x in ls["label"] if x in _pv.index])[lead]
_pv.columns = [TEST_NAMES.get(c, c) for c in _pv.columns]
show_table(
    _pv.reset_index().rename(columns={"label": "event"}),
    caption="Producers' per-date tests, in date order: placebo-calibrated p-values of the four "
            "lead tests (the Benjamini-Hochberg and Holm adjustments are in the text, and in the "
            "long-short table above for the portfolio).",
    name="equity_producer_tests",
    digits=2,
)

# %% [markdown]
# ## Sanctions and relief pooled separately
#
# Stouffer's Z of the long-short t over the dates of each family, calibrated on seeded draws of
# as many placebo dates.

# %%
show_table(
    study.pooled,
    caption="Sanction and relief dates pooled separately: mean long-short CAR and Stouffer's Z "
            "of the long-short t with its calibrated p-value.",
    name="equity_pooled",
    formats={"mean_car": "{:+.1%}", "stouffer_z": "{:+.2f}", "p_value": "{:.3f}",
             "p_calibrated": "{:.3f}"},
    rename={"n_dates": "dates", "mean_car": "mean CAR", "stouffer_z": "Stouffer Z",
            "p_value": "nominal p", "p_calibrated": "calibrated p", "n_null_draws": "null draws"},
)

# %% [markdown]
# ## Equity specification curves
#
# The long-short CAR (in %) around the US, UK and Canadian sanctions of 2021-08-09 and around
# the US potash relief of 2025-12 over the default grid (estimation window, event window,
# benchmark, model, leave-one-out), each re-run on placebo dates for the joint p-values.

# %%
curve_us = potash.equity_spec_curve("us_eo14038_belaruskali_sdn")
publish(
    curve_us.plot(),
    "equity_curve_us_sanctions",
    caption="Specification curve of the long-short CAR around the US, UK and Canadian sanctions of 2021-08-09: estimates over the "
            "grid of estimation window, event window, benchmark, model and leave-one-firm-out "
            "[@simonsohn2020], with the choices behind each.",
    alt=f"Specification curve of the long-short CAR around the US, UK and Canadian sanctions of 2021-08-09: {curve_us.robustness_sentence()}.",
    data=curve_us.table,
)

# %%
curve_eu = potash.equity_spec_curve("eu_potash_full_ban")
publish(
    curve_eu.plot(),
    "equity_curve_eu_full_ban",
    caption="Specification curve of the long-short CAR around the EU's full ban of 2022-03-02: estimates over the "
            "grid of estimation window, event window, benchmark, model and leave-one-firm-out "
            "[@simonsohn2020], with the choices behind each.",
    alt=f"Specification curve of the long-short CAR around the EU's full ban of 2022-03-02: {curve_eu.robustness_sentence()}.",
    data=curve_eu.table,
)

# %%
curve_relief = potash.equity_spec_curve("us_announces_potash_lift")
publish(
    curve_relief.plot(),
    "equity_curve_relief",
    caption="Specification curve of the long-short CAR around the US relief (2025-12-15): estimates over the "
            "grid of estimation window, event window, benchmark, model and leave-one-firm-out "
            "[@simonsohn2020], with the choices behind each.",
    alt=f"Specification curve of the long-short CAR around the US relief (2025-12-15): {curve_relief.robustness_sentence()}.",
    data=curve_relief.table,
)

# %%
show_table(
    pd.concat({{"us": "US/UK/Canada sanctions", "eu": "EU full ban", "relief": "US relief"}[k]:
               c.curve_summary.as_series().to_frame().T
               for k, c in (("us", curve_us), ("eu", curve_eu), ("relief", curve_relief))})
    .reset_index(level=0, names="event")[["event", "n_specs", "median", "min", "max",
                                           "share_positive", "share_sig_positive",
                                           "share_sig_negative"]],
    caption="Equity specification curves: number of specifications, median, smallest and "
            "largest long-short CAR, shares positive and significant.",
    name="equity_curve_summary",
    formats={"median": "{:+.1%}", "min": "{:+.1%}", "max": "{:+.1%}", "share_positive": "{:.0%}",
             "share_sig_positive": "{:.0%}", "share_sig_negative": "{:.0%}"},
    rename={"n_specs": "specifications", "share_positive": "positive",
            "share_sig_positive": "significant +", "share_sig_negative": "significant -"},
)

# %% [markdown]
# ## Findings

# %%
alpha = study.alpha
groups = study.events.set_index("event_id")["group"]
ls_i = ls.set_index("event_id")
g_us, g_eu = groups["us_eo14038_belaruskali_sdn"], groups["eu_potash_full_ban"]
g_relief = groups["us_announces_potash_lift"]
fam = study.events.drop_duplicates("group").set_index("group")["family"]
findings.add("alpha", alpha, "{:.0%}")
findings.add("n_placebo", len(study.placebo_dates), "{:d}")
findings.add("day_first", int(study.long_short.days.min()), "{:+d}")
findings.add("day_last", int(study.long_short.days.max()), "{:+d}")
findings.add("n_sanction", int((fam == "sanction").sum()), "{:d}")
findings.add("n_relief", int((fam == "relief").sum()), "{:d}")
for key, g in (("us", g_us), ("eu", g_eu), ("relief", g_relief)):
    row = ls_i.loc[g]
    findings.add(f"{key}_ls", 100 * row["estimate"], "{:+.1f}%")
    findings.add(f"{key}_lo", 100 * row["ci_low"], "{:+.1f}%")
    findings.add(f"{key}_hi", 100 * row["ci_high"], "{:+.1f}%")
    findings.add(f"{key}_pcal", row["p_calibrated"], "pvalue")
    findings.add(f"{key}_holm", row["p_holm"], "pvalue")
    findings.add(f"{key}_bh", row["p_bh"], "pvalue")
findings.add("us_prod", 100 * study.producers.caar.iloc[-1][g_us], "{:+.1f}%")
findings.add("us_con", 100 * study.contrast.caar.iloc[-1][g_us], "{:+.1f}%")
for key, c in (("us", curve_us), ("eu", curve_eu), ("relief", curve_relief)):
    findings.add(f"curve_{key}", c.robustness_sentence())
    findings.add(f"curve_{key}_n", c.curve_summary.n_specs, "{:d}")

sz = study.calibration.set_index(["sample", "statistic"])["empirical_size"]
findings.add("size_grank", sz[("producers", "grank")], "{:.0%}")
findings.add("size_gsign", sz[("producers", "generalized_sign")], "{:.0%}")
findings.add("size_bmp_adj", sz[("producers", "bmp_adjusted")], "{:.0%}")
findings.add("size_patell_adj", sz[("producers", "patell_adjusted")], "{:.0%}")
findings.add("size_bw85", sz[("producers", "brown_warner_1985")], "{:.0%}")
findings.add("size_ls", sz[("long_short", "brown_warner_1980")], "{:.0%}")
gr = cal[(cal["sample"] == "producers") & (cal["statistic"] == "grank")]
findings.add("n_dates", len(gr), "{:d}")
findings.add("grank_nominal", int((gr["p_value"] < alpha).sum()), "{:d}")
findings.add("grank_cal", int((gr["p_calibrated"] < alpha).sum()), "{:d}")
findings.add("grank_bh", int((gr["p_bh"] < alpha).sum()), "{:d}")
for col in ("p_value", "p_calibrated", "p_bh"):
    k = {"p_value": "nominal", "p_calibrated": "cal", "p_bh": "bh"}[col]
    findings.add(f"grank_{k}_neg", int(((gr[col] < alpha) & (gr["mean"] < 0)).sum()), "{:d}")
ls_cal = cal[(cal["sample"] == "long_short") & (cal["statistic"] == "brown_warner_1980")]
findings.add(
    "ls_bh_sanction",
    int(((ls_cal["p_bh"] < alpha) & (ls_cal["family"] == "sanction")).sum()),
    "{:d}",
)
findings.add("ls_holm_all", int((ls_cal["p_holm"] < alpha).sum()), "{:d}")
sig_holm = ls_cal[ls_cal["p_holm"] < alpha]
findings.add("ls_holm_dates", "; ".join(
    f"{label(g)}, CAR {100 * ls_i.loc[g, 'estimate']:+.1f}%" for g in sig_holm["event_id"]) or "none")
findings.add("n_producers", len(PRODUCERS), "{:d}")
findings.add("relief_labels", ", ".join(label(g) for g in fam.index[fam == "relief"]))
names = {
    "bmp_adjusted": "adjusted BMP",
    "patell_adjusted": "adjusted Patell",
    "brown_warner_1985": "Brown-Warner 1985",
    "lamb": "Lamb",
    "corrado_rank": "Corrado rank",
}
near = [
    f"{names[k]} ({sz[('producers', k)]:.0%})"
    for k in names
    if abs(sz[("producers", k)] - alpha) <= 0.02
]
findings.add("near_nominal", ", ".join(near) or "none of the robust tests")
pooled = study.pooled.set_index("family")
for f in ("sanction", "relief"):
    findings.add(f"pool_{f}_car", 100 * pooled.loc[f, "mean_car"], "{:+.1f}%")
    findings.add(f"pool_{f}_p", pooled.loc[f, "p_calibrated"], "pvalue")

for _key, g, lab in (("us", g_us, "Long-short CAR, US, UK and Canadian sanctions (2021-08-09)"),
                   ("relief", g_relief, "Long-short CAR, US relief (moved to 2025-12-15)")):
    row = ls_i.loc[g]
    g_date = pd.Timestamp(row["trading_date"]).strftime("%Y_%m_%d")
    findings.result(
        f"car_{g_date}",
        label=lab + ", days -1 to +2",
        estimate=row["estimate"], ci_low=row["ci_low"], ci_high=row["ci_high"],
        n=len(study.placebo_dates), n_label="placebo dates",
        method="Market model (SPY), producers minus contrast portfolio; interval: nominal t; "
               "p: calibrated on placebo dates",
        p_value=row["p_calibrated"],
        fmt="{:+.1%}",
    )

# %%
us_sig = ls_i.loc[g_us, "p_calibrated"] < alpha
findings.say(
    "The primary test is the producers-minus-contrast portfolio. Over trading days {day_first} "
    "to {day_last} around the US, UK and Canadian sanctions of 2021-08-09 its CAR was {us_ls} "
    "(interval {us_lo} to {us_hi}; calibrated {us_pcal} on {n_placebo} placebo dates; Holm "
    "across the {n_sanction} sanction dates {us_holm}): "
    + (
        "the rivals gained more than the contrast group (producers {us_prod}, contrast {us_con})"
        if us_sig
        else "no evidence either way on whether the market treated the sanctions as news for the "
        "rivals beyond the contrast group (producers {us_prod}, contrast {us_con}), with an "
        "interval wide enough to hold a sizeable gain or loss"
    )
    + ". Over the equity specification curve the CAR is {curve_us}.",
    headline=True,
)

# %%
findings.say(
    "Around the EU's full ban of 2022-03-02, a week into the war, the long-short CAR was {eu_ls} "
    "(interval {eu_lo} to {eu_hi}; calibrated {eu_pcal}, Holm {eu_holm}, Benjamini-Hochberg "
    "{eu_bh}); over its curve it is {curve_eu}."
)

# %%
relief_sig = ls_i.loc[g_relief, "p_calibrated"] < alpha
findings.say(
    (
        "Around the US relief, moved to Monday 2025-12-15, the long-short CAR was {relief_ls} "
        "(calibrated {relief_pcal}, Holm {relief_holm}; curve: {curve_relief})."
    )
    if relief_sig
    else (
        "Around the US relief, moved to Monday 2025-12-15, the long-short CAR was {relief_ls} "
        "(interval {relief_lo} to {relief_hi}; calibrated {relief_pcal}, Benjamini-Hochberg "
        "{relief_bh}); its curve is {curve_relief}. This is no evidence either way, not evidence "
        "that the market ignored the relief."
    ),
    headline=True,
)

# %%
findings.say(
    "Calibration matters at this group size: on {n_placebo} non-event dates, GRANK on the "
    "{n_producers} producers rejects {size_grank} of the time at a nominal {alpha} and the "
    "generalized sign {size_gsign}; near nominal are the {near_nominal} and the long-short t "
    "({size_ls}). GRANK "
    "calls {grank_nominal} of the {n_dates} dates significant at nominal p ({grank_nominal_neg} "
    "of them negative), {grank_cal} at calibrated p ({grank_cal_neg} negative) and {grank_bh} "
    "after a Benjamini-Hochberg correction across the dates of each family ({grank_bh_neg} "
    "negative). Long-short sanction dates surviving Benjamini-Hochberg: {ls_bh_sanction}; "
    "dates of either family surviving Holm: {ls_holm_all} ({ls_holm_dates})."
)

# %%
findings.say(
    "Pooled separately, never with the same sign across sanctions and relief, the {n_sanction} "
    "sanction dates give a mean long-short CAR of {pool_sanction_car} (calibrated Stouffer "
    "{pool_sanction_p}) and the {n_relief} relief dates {pool_relief_car} (calibrated "
    "{pool_relief_p}); the relief family has only {n_relief} dates ({relief_labels}) and mixes "
    "the airline's relief with the potash relief, so it is not a test of the potash relief alone."
)
