# Export the Hansen (1997) response-surface coefficients that strucchange uses for the p-values
# of the supF, aveF and expF tests (strucchange:::pvalue.Fstats, objects sc.beta.sup,
# sc.beta.ave, sc.beta.exp in the package's sysdata) to potash/_hansen1997.csv.
# Run from the worktree root:  Rscript tests/results/prices_hansen_tables.R
# Layout: one row per (test, k = 1..40, i = 1..25); columns b0..b3 are the polynomial
# coefficients in the statistic (b2, b3 empty for supF) and df the chi-square degrees of
# freedom. Row i corresponds to the trimming tau = 0.5 - (i - 1)/50 ... as in pvalue.Fstats.
suppressMessages(library(strucchange))
ns <- asNamespace("strucchange")
out <- NULL
for (test in c("sup", "ave", "exp")) {
  b <- as.matrix(get(paste0("sc.beta.", test), envir = ns))
  m <- ncol(b) - 1
  coef <- matrix(NA_real_, nrow(b), 4)
  coef[, 1:m] <- b[, 1:m]
  out <- rbind(out, data.frame(test = test, k = rep(1:40, each = 25), i = rep(1:25, 40),
                               b0 = coef[, 1], b1 = coef[, 2], b2 = coef[, 3], b3 = coef[, 4],
                               df = b[, m + 1]))
}
num <- sapply(out, is.numeric)
out[num] <- lapply(out[num], function(v) ifelse(is.na(v), "", as.character(v)))
write.csv(out, "potash/_hansen1997.csv", row.names = FALSE, quote = FALSE)
cat(sprintf("wrote %d rows from strucchange %s\n", nrow(out), packageVersion("strucchange")))
