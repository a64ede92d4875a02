# Independent textbook (MacKinlay 1997) event-study numbers for tests/test_eventstudy_textbook.py
#
# Command (from the repository root):
#   Rscript tests/results/eventstudy_textbook.R > tests/results/eventstudy_textbook_R.csv
#
# Data: tests/fixtures/estudy2/returns.csv (seven securities, S&P 500 as GSPC).
# Design: market model by lm() on each security's complete days in 2019-04-01..2020-03-13;
# event window 2020-03-16..2020-03-20. Residual sd = summary(lm)$sigma (M - 2 df); the AR
# variance adds predict()'s se.fit^2 (forecast-error correction); var(CAR) = sigma^2 * L +
# 1' X* vcov X*' 1. Kolari-Pynnonen r-bar = mean over pairs of cor(resid_i, resid_j) on dates
# both have (pairwise complete), matched by calendar date.
d <- read.csv("tests/fixtures/estudy2/returns.csv", stringsAsFactors = FALSE)
d$date <- as.Date(d$date)
est <- d$date >= as.Date("2019-04-01") & d$date <= as.Date("2020-03-13")
evt <- d$date >= as.Date("2020-03-16") & d$date <= as.Date("2020-03-20")
secs <- setdiff(names(d), c("date", "GSPC"))
L <- sum(evt)
out <- function(key, value) cat(sprintf("%s,%.17g\n", key, value))
cat("key,value\n")
ar <- matrix(NA, L, length(secs)); sar <- ar
car <- numeric(length(secs)); scar <- car; M <- car; sig <- car
resid <- matrix(NA, sum(est), length(secs))
for (j in seq_along(secs)) {
  s <- secs[j]
  y <- d[est, s]; x <- d$GSPC[est]
  fit <- lm(y ~ x)
  ok <- !is.na(y)
  M[j] <- sum(ok)
  sig[j] <- summary(fit)$sigma
  resid[ok, j] <- residuals(fit)
  xe <- d$GSPC[evt]
  pr <- predict(fit, newdata = data.frame(x = xe), se.fit = TRUE)
  ar[, j] <- d[evt, s] - pr$fit
  sar[, j] <- ar[, j] / sqrt(sig[j]^2 + pr$se.fit^2)
  Xs <- cbind(1, xe)
  vcar <- sig[j]^2 * L + sum(Xs %*% vcov(fit) %*% t(Xs))
  car[j] <- sum(ar[, j]); scar[j] <- car[j] / sqrt(vcar)
  out(paste0("alpha_", s), coef(fit)[1]); out(paste0("beta_", s), coef(fit)[2])
  out(paste0("sigma_", s), sig[j]); out(paste0("car_", s), car[j]); out(paste0("var_car_", s), vcar)
  for (t in 1:L) {
    out(paste0("ar_", s, "_", t - 1), ar[t, j]); out(paste0("sar_", s, "_", t - 1), sar[t, j])
  }
}
N <- length(secs)
pat_den <- sqrt(sum((M - 2) / (M - 4)))
r <- cor(resid, use = "pairwise.complete.obs")
rbar <- mean(r[upper.tri(r)])
kp <- sqrt((1 - rbar) / (1 + (N - 1) * rbar))
# Patell's denominator is a time-series variance: under a common correlation r the sum of N
# standardised residuals has variance N v (1 + (N - 1) r), so the Kolari-Pynnonen adjustment of
# a Patell z is 1 / sqrt(1 + (N - 1) r) (EventStudyTools); BMP's cross-sectional variance already
# shrinks by (1 - r), hence the BMP factor sqrt((1 - r) / (1 + (N - 1) r)).
kp_patell <- 1 / sqrt(1 + (N - 1) * rbar)
out("rbar", rbar)
for (t in 1:L) {
  aar <- mean(ar[t, ])
  out(paste0("aar_", t - 1), aar)
  out(paste0("t_cs_", t - 1), aar / (sd(ar[t, ]) / sqrt(N)))
  out(paste0("brown_warner_1980_", t - 1), aar / (sqrt(sum(sig^2)) / N))
  out(paste0("patell_", t - 1), sum(sar[t, ]) / pat_den)
  bmp <- mean(sar[t, ]) / (sd(sar[t, ]) / sqrt(N))
  out(paste0("bmp_", t - 1), bmp)
  out(paste0("bmp_adjusted_", t - 1), bmp * kp)
  out(paste0("patell_adjusted_", t - 1), sum(sar[t, ]) / pat_den * kp_patell)
}
out("car_t_cs", mean(car) / (sd(car) / sqrt(N)))
out("car_patell", sum(scar) / pat_den)
out("car_bmp", mean(scar) / (sd(scar) / sqrt(N)))
out("car_bmp_adjusted", mean(scar) / (sd(scar) / sqrt(N)) * kp)
