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
# # 8. Buyers, discounts and freight: Belarus's potash seen through its partners' customs
#
# **Question.** Who bought Belarusian potash before and after the sanctions of 2021-2022, who took
# its place in the markets it lost, at what discount it sold, and what it cost to ship and insure?
#
# **Data: mirror data.** Belarus does not report its trade. Every Belarus flow in this notebook
# is a *partner's* import declaration: the monthly customs imports (HS 3104, potash) of 14
# importers by origin, 2014-01 to 2026-04 (national customs statistics compiled by Trade Data
# Monitor; users who republish should verify against the national sources or hold TDM terms),
# and Brazil's official ComexStat imports of potassium chloride (NCM 31042090) with FOB value,
# freight and insurance, 1997-01 to 2024-07, for eight importing states (MDIC/SECEX open data).
# Importers value imports CIF except Brazil (FOB): the two are never pooled. A month an importer
# did not report is missing, not zero.
#
# **Designs.** Shares by destination; origin shares per importer before (2020) and after
# (2022-2025); a fixed-effects regression of the log unit value on Belarus x period with importer
# x month effects (pyfixest `feols`), clustered by importer-month, with randomization inference
# permuting the origin labels within each importer-month; a difference-in-differences of freight
# per tonne into Brazil with origin and month effects and in-space randomization over the control
# origins; a PPML event study of the monthly flows (pyfixest `fepois`).

# %%
import numpy as np
import pandas as pd

import potash
from potash.analyses.buyers import (
    WINDOWS,
    belarus_buyers,
    monthly_trade_event_study,
    replacement_shares,
    unit_value_discount,
)
from potash.analyses.freight import freight_did
from potash.data.countries import country_name
from potash.pipeline.report import Findings, publish, show_table

pd.set_option("display.width", 120)
findings = Findings("08_buyers")
customs = potash.load_trade("customs_monthly")
comex = potash.load_trade("comexstat")

# %% [markdown]
# ## 1. Buyers: Belarus's shipments by destination (partners' imports)

# %%
buyers = belarus_buyers(customs)
show_table(
    buyers.shift.reset_index(),
    caption=f"Destinations' shares of Belarus's potash as its buyers report it (mirror data), "
            f"{buyers.pre_years[0]}-{buyers.pre_years[1]} against "
            f"{buyers.post_years[0]}-{buyers.post_years[1]} (shares of tonnes; change in "
            "percentage points).",
    name="buyers_shift",
    formats={"share_pre": "{:.1%}", "share_post": "{:.1%}", "change_pp": "{:+.1f}"},
    rename={"share_pre": "share before", "share_post": "share after", "change_pp": "change (pp)"},
)

# %%
publish(
    buyers.plot(),
    "buyers_by_destination",
    caption="Belarus's potash shipments by destination, monthly 2014-01 to 2026-04: the "
            "reporting importers' HS 3104 imports from Belarus (mirror data: Belarus does not "
            "report), thousand tonnes a month and each destination's share of 12-month sums.",
    alt="Stacked area chart of monthly tonnes from Belarus by destination: Brazil, India and the "
        "US shrink after 2021 and China's share grows to most of what the partners record.",
    data=buyers.monthly,
)

# %% [markdown]
# ## 2. Replacement: who took Belarus's place in each importer
#
# Origin shares of each importer's potash tonnes in 2020 (before the 2021-08 sanctions) against
# 2022-2025 (after the 2022-02 Klaipeda closure), for the importers where Belarus held at least 5%
# in 2020.

# %%
repl = replacement_shares(customs)
_fmt_repl = dict(
    formats={"year": "{:.0f}", "blr_share_base": "{:.0%}", "blr_change_pp": "{:+.1f}", "top_gain_pp": "{:+.1f}"},
    rename={"blr_share_base": "Belarus share 2020", "blr_change_pp": "Belarus change (pp)",
            "top_gainer": "largest gainer", "top_gain_pp": "its gain (pp)"},
)
show_table(repl.replacements(), name="buyers_replacement",
           caption="Who took Belarus's place, by importer (partner customs, tonnes): Belarus's "
                   "2020 share, its change in percentage points to the last year, and the origin "
                   "that gained most.", **_fmt_repl)

# %%
show_table(repl.replacements(2022), name="buyers_replacement_2022",
           caption="The same in 2022, the first year after the Klaipeda closure.", **_fmt_repl)

# %%
publish(
    repl.plot(),
    "buyers_replacement",
    caption="Change in origin shares of each importer's potash tonnes from 2020 to 2022-2025 "
            "(partner customs, mirror data for Belarus), for importers where Belarus held at "
            "least 5% in 2020.",
    alt="Bar chart per importer: Belarus's share falls sharply in Brazil, India, Indonesia and "
        "the US, with Canada and Russia gaining most of it.",
    data=repl.table,
)

# %% [markdown]
# ## 3. Discount: Belarus's unit value against Canada's and Russia's, same importer and month
#
# Coefficients are log gaps (Belarus minus rival) in four windows: before 2021-08, the sanction
# months to 2022-01, after the Klaipeda closure to 2025-11, and the relief months from 2025-12.
# CIF importers and FOB Brazil are estimated apart. With few importers, the randomization p-value
# (origin labels permuted within importer-month, 999 draws) is the one to read.

# %%
disc = unit_value_discount(customs, n_perm=999)
WINDOW_LABELS = {w: f"{a} to {b}" if b < "2099" else f"from {a}" for w, a, b in WINDOWS}
show_table(
    disc.table.assign(window=lambda d: d["window"].map(WINDOW_LABELS).fillna(d["window"]),
                      ci_low_pct=lambda d: 100 * np.expm1(d["ci_low"]),
                      ci_high_pct=lambda d: 100 * np.expm1(d["ci_high"]))
    [["basis", "rival", "window", "discount_pct", "ci_low_pct", "ci_high_pct", "p_value",
      "ri_p_value", "n_obs", "n_importers"]],
    caption="Belarus's unit value against each rival within the same importer and month, by "
            "window (percent; importer-month clustered interval and p-value; randomization "
            "p-value from permuting origin labels within importer-month). CIF importers and FOB "
            "Brazil apart; mirror data.",
    name="buyers_discount",
    formats={"discount_pct": "{:+.0f}%", "ci_low_pct": "{:+.0f}%", "ci_high_pct": "{:+.0f}%",
             "p_value": "{:.3f}", "ri_p_value": "{:.3f}"},
    rename={"discount_pct": "gap", "ci_low_pct": "CI low", "ci_high_pct": "CI high",
            "p_value": "clustered p", "ri_p_value": "randomization p", "n_obs": "observations",
            "n_importers": "importers"},
)

# %%
show_table(disc.by_year[disc.by_year["year"] >= 2019], name="buyers_discount_by_year",
           caption="Belarus's unit-value gap to each rival by importer and year from 2019 (log "
                   "points, importer-month clustered interval).",
           formats={"year": "{:.0f}", "estimate": "{:+.3f}", "ci_low": "{:+.3f}", "ci_high": "{:+.3f}", "se": "{:.3f}"})

# %%
publish(
    disc.plot(),
    "buyers_discount",
    caption="Belarus's unit value against Canada's and Russia's within the same importer and "
            "month, by year, in China (CIF) and Brazil (FOB) (percent, partner customs, mirror "
            "data), from a fixed-effects regression with importer x month effects, with 95% "
            "intervals clustered by month.",
    alt="Coefficient chart of the Belarus discount by window and rival: small CIF gaps with "
        "intervals spanning zero, deeper FOB gaps in Brazil after 2021.",
    data=disc.table,
)

# %% [markdown]
# ## 4. Shipping and insurance: freight per tonne into Brazil, by origin
#
# Brazil's declarations carry the freight and insurance paid per cargo. The difference in
# differences compares Belarus-origin freight per tonne with the other regular origins (Canada,
# Russia, Israel, Germany) from 2017-01 to Belarus's last month, 2024-03, with steps from 2021-08,
# 2022-02 and 2022-03. With four control origins the in-space randomization p-value cannot fall
# below 0.2: the design can show a pattern, not prove it.

# %%
fr = freight_did(comex)
show_table(
    fr.table.assign(term=lambda d: d["term"].str.replace("BLR_x_", "Belarus x from ", regex=False))
    [["term", "pct", "p_value", "ri_p_value", "n_placebos", "n_obs"]],
    caption="Difference in differences of log freight per tonne into Brazil, Belarus against "
            "the other regular origins, with origin and month effects (percent; month-clustered "
            "p-value and in-space randomization p-value over the control origins).",
    name="freight_did",
    formats={"pct": "{:+.0f}%", "p_value": "{:.3f}", "ri_p_value": "{:.2f}"},
    rename={"pct": "effect", "p_value": "clustered p", "ri_p_value": "randomization p",
            "n_placebos": "control origins", "n_obs": "observations"},
)

# %%
b = fr.by_origin
show_table(b[b["origin"].isin(["BLR", "CAN", "RUS", "XXX"]) & (b["year"] >= 2019)],
           name="freight_by_origin",
           caption="Freight and insurance into Brazil by origin and year (ComexStat; XXX: origin "
                   "not declared; USD per tonne, shares of tonnes).",
           formats={"year": "{:.0f}", "fob_per_t": "{:,.0f}", "freight_per_t": "{:,.1f}",
                    "insurance_per_t": "{:.2f}", "insured_share": "{:.0%}",
                    "freight_share_cif": "{:.1%}"},
           rename={"quantity_t": "tonnes", "fob_per_t": "FOB (USD/t)",
                   "freight_per_t": "freight (USD/t)", "insurance_per_t": "insurance (USD/t)",
                   "insured_share": "insured share", "freight_share_cif": "freight share of CIF"})

# %%
show_table(fr.not_declared[fr.not_declared["year"] >= 2019], name="freight_not_declared",
           caption="Brazil's potassium chloride imports of undeclared origin and Belarus's "
                   "declared share, by year (ComexStat, tonnes; 2024 is January-July).",
           formats={"year": "{:.0f}", "not_declared_share": "{:.1%}", "belarus_share": "{:.1%}"},
           rename={"total_t": "all origins (t)", "not_declared_t": "not declared (t)",
                   "belarus_t": "Belarus (t)", "not_declared_share": "not declared share",
                   "belarus_share": "Belarus share"})

# %%
publish(
    fr.plot(),
    "freight_by_origin",
    caption="Freight paid per tonne of potassium chloride into Brazil by origin and year, "
            "1997-2024 (ComexStat declarations, eight states, nominal USD/t; XXX: origin not "
            "declared).",
    alt="Line chart of freight per tonne by origin: all origins' freight rises in 2021-2022; "
        "Belarusian freight moves with the others'.",
    data=fr.by_origin,
)

# %% [markdown]
# ## 5. Trade event study: PPML on monthly importer x origin flows
#
# Importer x month and importer x origin fixed effects absorb each market's demand and each
# pair's level; Belarus x window terms by destination group (the sanctioning US, the others)
# measure the change of Belarus's flows against the months before 2021-08. Clustered errors are
# by importer-origin pair (the US is one pair: read the randomization p-value, from giving the
# same terms to each of the 19 largest other origins). Windows where Belarus's flows are all
# zero (the US from the relief on) cannot be estimated and are listed.

# %%
ppml = monthly_trade_event_study(customs, n_placebos=19)


def term_label(term: str) -> str:
    """'T_x_post_klaipeda_US' -> 'Belarus to the US, 2022-02 to 2025-11'."""
    window, group = term.removeprefix("T_x_").rsplit("_", 1)
    to = "the US" if group == "US" else "the other importers"
    return f"Belarus to {to}, {WINDOW_LABELS.get(window, window)}"


show_table(
    ppml.table.assign(term=lambda d: d["term"].map(term_label))
    [["term", "effect_pct", "p_value", "ri_p_value", "n_placebos"]],
    caption="PPML of monthly importer x origin flows (mirror data): change of Belarus's flows "
            "against before 2021-08 (percent), pair-clustered and randomization p-values.",
    name="buyers_ppml",
    formats={"effect_pct": "{:+.0f}%", "p_value": "{:.3f}", "ri_p_value": "{:.2f}"},
    rename={"effect_pct": "change", "p_value": "clustered p", "ri_p_value": "randomization p",
            "n_placebos": "placebo origins"},
)

# %%
show_table(pd.DataFrame(ppml.not_estimable).iloc[:, [0]].set_axis(["term"], axis=1)
           .assign(term=lambda d: d["term"].map(term_label)),
           caption="Windows and destination groups where Belarus's flows are all zero, so no "
                   "PPML term can be estimated.")

# %%
publish(
    ppml.plot(),
    "buyers_ppml",
    caption="PPML of monthly importer x origin potash flows (partner customs, mirror data for "
            "Belarus) with importer x month and importer x origin effects: change of Belarus's "
            "flows by window and destination group against before 2021-08 [@santossilva2006], "
            "pair-clustered intervals; randomization over the largest other origins.",
    alt="Coefficient chart: Belarus's flows to the US collapse after 2021, flows to the other "
        "importers fall less, with intervals that are wide.",
    data=ppml.table,
)

# %%
sh = buyers.shift
findings.add("n_reporting", int(customs.loc[customs["flow"] == "import", "reporter_iso3"].nunique()), "{:d}")
findings.add("chn_pre", sh.loc["CHN", "share_pre"], "{:.0%}")
findings.add("chn_post", sh.loc["CHN", "share_post"], "{:.0%}")
findings.add("bra_pre", sh.loc["BRA", "share_pre"], "{:.0%}")
findings.add("bra_post", sh.loc["BRA", "share_post"], "{:.0%}")
findings.add("ind_pre", sh.loc["IND", "share_pre"], "{:.0%}")
findings.add("ind_post", sh.loc["IND", "share_post"], "{:.1%}")
findings.add("usa_pre", sh.loc["USA", "share_pre"], "{:.0%}")
findings.add("usa_post", sh.loc["USA", "share_post"], "{:.0%}")
findings.add("pre_years", "{}-{}".format(*buyers.pre_years))
findings.add("post_years", "{}-{}".format(*buyers.post_years))
rep = repl.replacements().set_index("importer")
findings.add("bra_blr_loss", -rep.loc["BRA", "blr_change_pp"], "{:.0f}")
findings.add("bra_gainer", country_name(rep.loc["BRA", "top_gainer"]))
findings.add("bra_gain", rep.loc["BRA", "top_gain_pp"], "{:.0f}")
findings.add("ind_gainer", country_name(rep.loc["IND", "top_gainer"]))
findings.add("idn_gainer", country_name(rep.loc["IDN", "top_gainer"]))
findings.add("chn_gainer", country_name(rep.loc["CHN", "top_gainer"]))
findings.add("chn_gain", rep.loc["CHN", "top_gain_pp"], "{:.0f}")
findings.add("repl_year", int(rep["year"].iloc[0]), "{:d}")
t = disc.table.set_index(["basis", "rival", "window"])
for key, (basis, rival, window) in {
    "cif_rus_post": ("CIF", "RUS", "post_klaipeda"), "cif_can_post": ("CIF", "CAN", "post_klaipeda"),
    "fob_can_sanc": ("FOB", "CAN", "sanctions"), "fob_can_post": ("FOB", "CAN", "post_klaipeda"),
    "cif_can_relief": ("CIF", "CAN", "relief"), "cif_can_pre": ("CIF", "CAN", "pre"),
}.items():
    findings.add(f"{key}_pct", t.loc[(basis, rival, window), "discount_pct"], "{:+.0f}%")
    findings.add(f"{key}_ri", t.loc[(basis, rival, window), "ri_p_value"], "pvalue")
    findings.add(f"{key}_cl", t.loc[(basis, rival, window), "p_value"], "pvalue")
findings.add("n_cif_importers", int(t.loc[("CIF", "CAN", "pre"), "n_importers"]), "{:d}")
by = disc.by_year.set_index(["importer", "rival", "year"])
findings.add("bra_can_2022", 100 * np.expm1(by.loc[("BRA", "CAN", 2022), "estimate"]), "{:+.0f}%")
findings.add("chn_can_2022", 100 * np.expm1(by.loc[("CHN", "CAN", 2022), "estimate"]), "{:+.0f}%")
ft = fr.table.set_index("term")
findings.add("fr_step", ft.loc["BLR_x_2021-08", "pct"], "{:+.0f}%")
findings.add("fr_step_ri", ft.loc["BLR_x_2021-08", "ri_p_value"], "{:.2f}")
findings.add("fr_step_cl", ft.loc["BLR_x_2021-08", "p_value"], "pvalue")
findings.add("fr_klai", ft.loc["BLR_x_2022-02", "pct"], "{:+.0f}%")
findings.add("fr_klai_ri", ft.loc["BLR_x_2022-02", "ri_p_value"], "{:.2f}")
findings.add("fr_controls", ", ".join(country_name(c) for c in sorted(set(fr.panel["origin"]) - {"BLR"})))
findings.add("fr_n_placebos", int(ft["n_placebos"].iloc[0]), "{:d}")
bo = fr.by_origin.set_index(["year", "origin"])
findings.add("blr_ins_2022", bo.loc[(2022, "BLR"), "insured_share"], "{:.0%}")
findings.add("blr_ins_2023", bo.loc[(2023, "BLR"), "insured_share"], "{:.0%}")
findings.add("can_ins_2023", bo.loc[(2023, "CAN"), "insured_share"], "{:.0%}")
nd = fr.not_declared.set_index("year")
findings.add("nd_2021", nd.loc[2021, "not_declared_share"], "{:.1%}")
findings.add("nd_2023", nd.loc[2023, "not_declared_share"], "{:.0%}")
findings.add("nd_2024", nd.loc[2024, "not_declared_share"], "{:.0%}")
findings.add("nd_2023_mt", nd.loc[2023, "not_declared_t"] / 1e6, "{:.2f}")
findings.add("blr_share_2021", nd.loc[2021, "belarus_share"], "{:.0%}")
findings.add("blr_share_2024", nd.loc[2024, "belarus_share"], "{:.0%}")

pt = ppml.table.set_index("term")
findings.add("pp_other_post", pt.loc["T_x_post_klaipeda_other", "effect_pct"], "{:+.0f}%")
findings.add("pp_other_post_ri", pt.loc["T_x_post_klaipeda_other", "ri_p_value"], "{:.2f}")
findings.add("pp_other_post_cl", pt.loc["T_x_post_klaipeda_other", "p_value"], "pvalue")
findings.add("pp_us_post", pt.loc["T_x_post_klaipeda_US", "effect_pct"], "{:+.0f}%")
findings.add("pp_us_post_ri", pt.loc["T_x_post_klaipeda_US", "ri_p_value"], "{:.2f}")
findings.add("pp_other_relief", pt.loc["T_x_relief_other", "effect_pct"], "{:+.0f}%")
findings.add("pp_other_relief_ri", pt.loc["T_x_relief_other", "ri_p_value"], "{:.2f}")
findings.add("pp_n_placebos", int(pt["n_placebos"].max()), "{:d}")
findings.add("pp_n_obs", ppml.n_obs, "{:,d}")
_r = t.loc[("CIF", "RUS", "post_klaipeda")]
findings.result(
    "discount_cif_rus_post",
    label="Belarus's unit value against Russia's, same CIF importer and month, 2022-02 to 2025-11",
    estimate=np.expm1(_r["estimate"]), ci_low=np.expm1(_r["ci_low"]), ci_high=np.expm1(_r["ci_high"]),
    n=int(_r["n_obs"]), n_label="importer-origin-months",
    method=(f"OLS of log unit value, importer x month effects, importer-month clustered interval; "
            f"p: randomization ({int(_r['n_draws'])} permutations of origin within importer-month)"),
    p_value=_r["ri_p_value"],
    fmt="{:+.0%}",
    design="Buyers' prices (partner customs, mirror data)",
)

# %% [markdown]
# ## Findings

# %%
findings.say(
    "Seen through its partners' customs (mirror data: Belarus does not report), Belarus's potash "
    "moved east: China took {chn_pre} of the tonnes the {n_reporting} reporting importers bought "
    "from Belarus in {pre_years} and {chn_post} in {post_years}, while Brazil fell from {bra_pre} to "
    "{bra_post}, India from {ind_pre} to {ind_post} and the US from {usa_pre} to {usa_post}. In "
    "Brazil, Belarus's share of potash imports fell by {bra_blr_loss} points from 2020 to "
    "{repl_year}, and {bra_gainer} gained most ({bra_gain} points); in India the largest gainer "
    "was {ind_gainer}, in Indonesia {idn_gainer}; in China {chn_gainer} gained most "
    "({chn_gain} points)."
)

# %%
findings.say(
    "Within the same importer and month, Belarusian potash sold at {cif_rus_post_pct} against "
    "Russian potash after the Klaipeda closure in the {n_cif_importers} CIF importers "
    "(randomization {cif_rus_post_ri}; clustered {cif_rus_post_cl}), and at {cif_can_post_pct} "
    "against Canadian ({cif_can_post_ri}): no evidence of a lasting CIF discount to Canada, the "
    "interval spans zero. Brazil's FOB declarations show a far deeper gap: "
    "{fob_can_sanc_pct} against Canada in the sanction months ({fob_can_sanc_ri}) and "
    "{fob_can_post_pct} after the Klaipeda closure ({fob_can_post_ri}); by year, "
    "{bra_can_2022} in Brazil and {chn_can_2022} in China in 2022. Before the sanctions the gap "
    "to Canada was {cif_can_pre_pct} ({cif_can_pre_ri}); in the relief months it is "
    "{cif_can_relief_pct} ({cif_can_relief_ri}), on very few months.",
    headline=True,
)

# %%
findings.say(
    "Freight per tonne on Belarusian potash into Brazil moved {fr_step} relative to the other "
    "regular origins ({fr_controls}) from the 2021-08 sanctions (month-clustered {fr_step_cl}, "
    "but in-space randomization p = {fr_step_ri} over only {fr_n_placebos} control origins: no "
    "robust evidence that the sanctions made Belarusian freight dearer than its rivals'), and "
    "a further {fr_klai} at the Klaipeda closure (randomization p = {fr_klai_ri}). Insurance was "
    "declared on {blr_ins_2022} of Belarusian tonnes in 2022 and {blr_ins_2023} in 2023, against "
    "{can_ins_2023} of Canadian tonnes. Cargoes of undeclared origin rose from {nd_2021} of "
    "Brazil's potassium chloride in 2021 to {nd_2023} in 2023 ({nd_2023_mt} million t) and "
    "{nd_2024} in January-July 2024, while Belarus's declared share fell from {blr_share_2021} "
    "to {blr_share_2024}: a circumvention signal, not proof (ComexStat, eight states)."
)

# %%
findings.say(
    "In a PPML of {pp_n_obs} monthly importer x origin flows (mirror data) with importer x month "
    "and importer x origin effects, Belarus's flows to the importers other than the US were "
    "{pp_other_post} after the Klaipeda closure against before 2021-08 (clustered {pp_other_post_cl}, "
    "randomization p = {pp_other_post_ri} over {pp_n_placebos} placebo origins) and "
    "{pp_other_relief} in the relief months (randomization p = {pp_other_relief_ri}); its flows "
    "to the US were {pp_us_post} (randomization p = {pp_us_post_ri}) and none were reported after "
    "the relief. Rival origins' flows swing as much, so the monthly panel gives no robust "
    "evidence of a fall beyond what the placebo origins show; the clear change is one of "
    "destinations (toward China, above)."
)
