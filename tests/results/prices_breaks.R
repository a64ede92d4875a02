# Reference values for potash.estimators.breaks (tests/test_breaks_r.py).
# Run from the worktree root:
#   Rscript tests/results/prices_breaks.R > tests/results/prices_breaks.Rout.csv
# Input: tests/results/prices_input.csv (see prices_export.py). Series: log potassium chloride,
# 2020-01..2026-05 (one basis: Brazil CFR). Break indices are 1-based positions of the LAST
# month of the earlier regime (strucchange convention). Output: long CSV
# (model, what, key, value); "mean" is y ~ 1, "trend" is y ~ t with t = 0, 1, ...
suppressMessages(library(strucchange))
p <- read.csv("tests/results/prices_input.csv", stringsAsFactors = FALSE)
k <- p[p$series == "potassium_chloride" & p$date >= "2020-01-01" & p$date <= "2026-05-01", ]
k <- k[order(k$date), ]
y <- ts(log(k$value), start = c(2020, 1), frequency = 12)
tt <- seq_along(y) - 1
rows <- list()
put <- function(model, what, key, value) rows[[length(rows) + 1]] <<- data.frame(
  model = model, what = what, key = as.character(key), value = as.numeric(value))

for (model in c("mean", "trend")) {
  fml <- if (model == "mean") y ~ 1 else y ~ tt
  fs <- Fstats(fml, from = 0.15)
  # first index of the F path: from = floor(0.15 * n)
  put(model, "F_from", "", floor(0.15 * length(y)))
  for (i in seq_along(fs$Fstats)) put(model, "F", i, fs$Fstats[i])
  put(model, "F_lambda", "", fs$par)
  put(model, "F_breakpoint", "", fs$breakpoint)
  for (type in c("supF", "aveF", "expF")) {
    st <- sctest(fs, type = type)
    put(model, type, "statistic", st$statistic)
    put(model, type, "p.value", st$p.value)
  }
  # Chow test with the new regime starting 2022-02 (first segment ends 2022-01 = obs 25)
  ch <- sctest(fml, type = "Chow", point = 25)
  put(model, "chow_2022_02", "statistic", ch$statistic)
  put(model, "chow_2022_02", "p.value", ch$p.value)

  bp <- breakpoints(fml, h = 0.15)
  s <- summary(bp)
  for (m in colnames(s$RSS)) {
    put(model, "RSS", m, s$RSS["RSS", m])
    put(model, "BIC", m, s$RSS["BIC", m])
  }
  put(model, "n_breaks_BIC", "", length(na.omit(bp$breakpoints)))
  for (i in seq_along(bp$breakpoints)) put(model, "breakpoint", i, bp$breakpoints[i])
  if (!all(is.na(bp$breakpoints))) {
    ci <- confint(bp, level = 0.95)$confint
    for (i in seq_len(nrow(ci))) {
      put(model, "ci_lower", i, ci[i, 1])
      put(model, "ci_upper", i, ci[i, 3])
    }
  }
  # fixed number of breaks (2 and 3) with their intervals
  for (m in 2:3) {
    bpm <- breakpoints(bp, breaks = m)$breakpoints
    ci <- confint(bp, breaks = m, level = 0.90)$confint
    for (i in seq_len(m)) {
      put(model, sprintf("breakpoint_m%d", m), i, bpm[i])
      put(model, sprintf("ci90_lower_m%d", m), i, ci[i, 1])
      put(model, sprintf("ci90_upper_m%d", m), i, ci[i, 3])
    }
  }
}

# Hansen (1997) p-value approximation on a grid, to test the port of the tables
pv <- strucchange:::pvalue.Fstats
for (type in c("supF", "aveF", "expF")) for (kk in c(1, 2, 3, 5, 10)) {
  for (lam in c(1.5, 3, 10, 33.0625, 200, 1e5)) for (x in c(0.5, 2, 5, 9, 15, 25)) {
    put("pvalue", type, sprintf("%d|%s|%s", kk, format(lam, digits = 17), x), pv(x, type, kk, lam))
  }
}
res <- do.call(rbind, rows)
cat(sprintf("# %s; strucchange %s\n", R.version.string, packageVersion("strucchange")))
cat(sprintf("# n = %d months, 2020-01..2026-05\n", length(y)))
write.csv(format(res, digits = 17), stdout(), row.names = FALSE, quote = FALSE)
