# R reference for potash.estimators.fixest on reduced real panels (issue 12).
# Run from the repository root:  Rscript tests/results/buyers_fe.R > tests/results/buyers_fe_output.txt
# 1. OLS of the log unit value on Belarus x window with importer x month effects as factors
#    (lm), standard errors clustered by importer-month with sandwich::vcovCL(type = "HC1"),
#    whose factor G/(G-1) (N-1)/(N-K) counts every dummy in K.
# 2. PPML as glm(quasipoisson) with importer x month and importer x origin factors.
suppressMessages(library(sandwich))
options(digits = 12)
uv <- read.csv("tests/results/buyers_uv_panel.csv")
m <- lm(log_uv ~ BLR_x_sanctions + BLR_x_post_klaipeda + factor(importer_month), data = uv)
V <- vcovCL(m, cluster = ~importer_month, type = "HC1")
terms <- c("BLR_x_sanctions", "BLR_x_post_klaipeda")
cat("OLS n", nrow(uv), "k", length(coef(m)), "G", length(unique(uv$importer_month)), "\n")
for (t in terms) cat("OLS", t, sprintf("%.12f", coef(m)[t]), sprintf("%.12f", sqrt(V[t, t])), "\n")
pp <- read.csv("tests/results/buyers_ppml_panel.csv")
pp$q <- pp$quantity_t / 1000
g <- glm(q ~ T_x_sanctions_other + T_x_post_klaipeda_other + factor(importer_month) +
           factor(importer_origin), family = quasipoisson(), data = pp,
         control = glm.control(epsilon = 1e-10, maxit = 500))
for (t in c("T_x_sanctions_other", "T_x_post_klaipeda_other"))
  cat("PPML", t, sprintf("%.12f", coef(g)[t]), "\n")
