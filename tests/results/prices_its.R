# Reference values for potash.price_event_study (tests/test_prices_r.py).
# Run from the worktree root:
#   Rscript tests/results/prices_its.R > tests/results/prices_its.Rout.csv
# Input: tests/results/prices_input.csv (written by tests/results/prices_export.py from the
# World Bank Pink Sheet, June 2026 vintage). The design is built here from scratch (not read
# from Python): t = 0 in the first month; step 1[t >= m]; ramp max(0, t - m); pulse 1[t == m];
# basis dummy for urea 1[date >= 2022-03-01].
suppressMessages({library(sandwich); library(lmtest)})
p <- read.csv("tests/results/prices_input.csv", stringsAsFactors = FALSE)
p$date <- as.Date(p$date)
wide <- reshape(p[, c("date", "series", "value")], idvar = "date", timevar = "series",
                direction = "wide")
names(wide) <- sub("^value\\.", "", names(wide))
wide <- wide[order(wide$date), ]

mk <- function(start, end) {
  d <- wide[wide$date >= as.Date(start) & wide$date <= as.Date(end), ]
  d$t <- seq_len(nrow(d)) - 1
  d
}
step <- function(d, m) as.numeric(d$date >= as.Date(m))
ramp <- function(d, m) pmax(0, d$t - d$t[d$date == as.Date(m)])
pulse <- function(d, m) as.numeric(d$date == as.Date(m))

out <- list()
emit <- function(spec, fit, vcov_name, V) {
  ct <- coeftest(fit, vcov. = V)
  out[[length(out) + 1]] <<- data.frame(spec = spec, vcov = vcov_name, term = rownames(ct),
    estimate = ct[, 1], std_error = ct[, 2], t = ct[, 3], p = ct[, 4], nobs = nobs(fit),
    row.names = NULL)
}

# Spec A (acceptance): 2020-01..2026-05, controls urea + DAP, urea basis dummy, steps at the
# 2021-08, 2022-02 and 2025-12 events.
d <- mk("2020-01-01", "2026-05-01")
d$basis_urea_2022_03 <- step(d, "2022-03-01")
d$step_2021_08 <- step(d, "2021-08-01")
d$step_2022_02 <- step(d, "2022-02-01")
d$step_2025_12 <- step(d, "2025-12-01")
fitA <- lm(log(potassium_chloride) ~ t + log(urea) + log(dap) + basis_urea_2022_03 +
             step_2021_08 + step_2022_02 + step_2025_12, data = d)
L <- floor(4 * (nrow(d) / 100)^(2 / 9))
emit("A", fitA, "nonrobust", vcov(fitA))
emit("A", fitA, sprintf("NW_lag%d_adjTRUE", L), NeweyWest(fitA, lag = L, prewhite = FALSE, adjust = TRUE))
emit("A", fitA, sprintf("NW_lag%d_adjFALSE", L), NeweyWest(fitA, lag = L, prewhite = FALSE, adjust = FALSE))
emit("A", fitA, "NW_lag6_adjTRUE", NeweyWest(fitA, lag = 6, prewhite = FALSE, adjust = TRUE))

# Spec B: same sample, DAP as the only control (no basis change), steps at 2021-08 and 2022-02,
# a ramp at 2022-02 and a pulse at 2025-12.
d$ramp_2022_02 <- ramp(d, "2022-02-01")
d$pulse_2025_12 <- pulse(d, "2025-12-01")
fitB <- lm(log(potassium_chloride) ~ t + log(dap) + step_2021_08 + step_2022_02 +
             ramp_2022_02 + pulse_2025_12, data = d)
emit("B", fitB, "nonrobust", vcov(fitB))
emit("B", fitB, "NW_lag4_adjFALSE", NeweyWest(fitB, lag = 4, prewhite = FALSE, adjust = FALSE))
emit("B", fitB, "NW_lag4_adjTRUE", NeweyWest(fitB, lag = 4, prewhite = FALSE, adjust = TRUE))

res <- do.call(rbind, out)
cat(sprintf("# %s; sandwich %s; lmtest %s\n", R.version.string, packageVersion("sandwich"),
            packageVersion("lmtest")))
cat(sprintf("# NW default lag for T=%d: floor(4*(T/100)^(2/9)) = %d\n", nrow(d), L))
write.csv(format(res, digits = 17), stdout(), row.names = FALSE, quote = FALSE)
