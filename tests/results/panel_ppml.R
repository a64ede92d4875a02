# Reference values for potash.estimators.ppml.trade_event_study (PPML with fixed effects).
#
# Reads the exact panels written by tests/results/panel_export.py and fits
#   glm(y ~ treatment terms + factor(exporter) + factor(year), family = quasipoisson / poisson)
# with tight convergence (epsilon = 1e-14), then the clustered covariances of
# sandwich::vcovCL under each small-sample convention, and vcovHC for the bilateral panel.
#
# Run from the repository root:
#   Rscript tests/results/panel_ppml.R > tests/results/panel_ppml_output.txt
# Output lines are "key value" (value printed with %.17g) for the Python tests to parse.

suppressPackageStartupMessages({
  library(sandwich)
})

here <- "tests/results"
ctl <- glm.control(epsilon = 1e-14, maxit = 200)
out <- function(key, value) cat(sprintf("%s %.17g\n", key, value))

cat(sprintf("# R %s, sandwich %s\n", getRversion(), packageVersion("sandwich")))

report <- function(tag, fit, terms, cluster) {
  cf <- coef(fit)
  for (nm in terms) out(sprintf("%s.coef.%s", tag, nm), cf[[nm]])
  v <- list(
    hc1 = vcovCL(fit, cluster = cluster, type = "HC1"),
    hc0 = vcovCL(fit, cluster = cluster, type = "HC0"),
    none = vcovCL(fit, cluster = cluster, type = "HC0", cadjust = FALSE)
  )
  for (conv in names(v)) {
    for (nm in terms) out(sprintf("%s.se_%s.%s", tag, conv, nm), sqrt(v[[conv]][nm, nm]))
  }
  out(sprintf("%s.nobs", tag), nobs(fit))
  out(sprintf("%s.k", tag), length(cf))
  out(sprintf("%s.converged", tag), as.numeric(fit$converged))
}

# 1. FAOSTAT MOP exports, exporters above 100,000 t (mean), 2010-2023, post = 2022+ ----------
fao <- read.csv(file.path(here, "panel_faostat_mop.csv"), stringsAsFactors = FALSE)
fao$exporter <- factor(fao$exporter)
fao$year <- factor(fao$year)

qp <- glm(y ~ treated_post + exporter + year, family = quasipoisson, data = fao, control = ctl)
po <- glm(y ~ treated_post + exporter + year, family = poisson, data = fao, control = ctl)
report("fao_did_quasipoisson", qp, "treated_post", ~exporter)
report("fao_did_poisson", po, "treated_post", ~exporter)
# model-based (non-robust) SEs do differ between the two families: the dispersion
out("fao_did_quasipoisson.se_model.treated_post", sqrt(vcov(qp)["treated_post", "treated_post"]))
out("fao_did_poisson.se_model.treated_post", sqrt(vcov(po)["treated_post", "treated_post"]))
out("fao_did_quasipoisson.dispersion", summary(qp)$dispersion)

et <- grep("^et_", names(fao), value = TRUE)
f_es <- as.formula(paste("y ~", paste(et, collapse = " + "), "+ exporter + year"))
es <- glm(f_es, family = quasipoisson, data = fao, control = ctl)
report("fao_es_quasipoisson", es, et, ~exporter)

# 2. Seeded bilateral panel: exporter, importer and year effects; pair clusters; HC ---------
bil <- read.csv(file.path(here, "panel_synthetic_bilateral.csv"), stringsAsFactors = FALSE)
bil$exporter <- factor(bil$exporter)
bil$importer <- factor(bil$importer)
bil$year <- factor(bil$year)
bq <- glm(y ~ treated_post + exporter + importer + year, family = quasipoisson, data = bil,
          control = ctl)
report("bil_pair", bq, "treated_post", ~pair)
report("bil_exporter", bq, "treated_post", ~exporter)
out("bil_hc0.se.treated_post", sqrt(vcovHC(bq, type = "HC0")["treated_post", "treated_post"]))
out("bil_hc1.se.treated_post", sqrt(vcovHC(bq, type = "HC1")["treated_post", "treated_post"]))
