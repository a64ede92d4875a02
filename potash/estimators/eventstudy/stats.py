"""The test battery of the returns event study, vectorised over groups, pairs and days.

Arrays are ``(G, N, T)``: ``G`` groups (one per event, or one pooled group), ``N`` security-event
pairs (NaN where a pair is not in the group or excluded), ``T`` event-window days (``L`` for the
estimation window). Every statistic is returned per group and day, and for the whole window.

Conventions
-----------
``textbook`` (MacKinlay 1997; Kolari and Pynnonen 2010, 2011; Cowan 1992; Corrado 1989;
Corrado and Zivney 1992; Boehmer, Musumeci and Poulsen 1991) is the default.
``estudy2`` reproduces the R package estudy2 (v0.10): its differences are marked ``estudy2:``
in the code below:

- residual standard deviation with M - 1 degrees of freedom (R ``sd()``), set in the engine;
- Patell and the sign/rank statistics fill a missing security with that day's cross-sectional
  mean (``rowMeans(x, na.rm = TRUE) * ncol(x)``) instead of summing the securities present;
- the generalized sign test pools the estimation-window share of positive abnormal returns over
  all securities (textbook: the average of each security's share, Cowan 1992);
- the rank/sign variances divide by the mean number of non-missing days per security
  (textbook: the number of days in the combined window);
- Brown-Warner tests use t(mean(M) - 1) (textbook: t(mean(M) - k) for 1980 and t(days - 1)
  for 1985); the window tests of Brown-Warner 1985 and Lamb are the sum of the daily
  statistics over sqrt(days) on days with more than 90% of securities present;
- Lamb's forecast-error factor uses the market of the first security over the whole
  estimation window (textbook: the mean leverage of the securities present).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import stats as sps

__all__ = ["GroupArrays", "battery", "STATISTICS", "ROBUST_TO_CLUSTERING"]

#: name -> (description, robust to cross-sectional correlation from clustered event dates)
STATISTICS: dict[str, tuple[str, bool]] = {
    "bmp_adjusted": ("BMP adjusted for cross-correlation (Kolari-Pynnonen 2010)", True),
    "patell_adjusted": ("Patell adjusted for cross-correlation (Kolari-Pynnonen 2010)", True),
    "grank": ("Generalized rank test (Kolari-Pynnonen 2011)", True),
    "brown_warner_1985": ("Brown-Warner 1985 crude dependence adjustment", True),
    "lamb": ("Lamb 1995 portfolio test", True),
    "t_cs": ("Cross-sectional t", False),
    "brown_warner_1980": ("Brown-Warner 1980 (independent variances)", False),
    "patell": ("Patell 1976 standardised residuals", False),
    "bmp": ("Boehmer-Musumeci-Poulsen 1991", False),
    "skewness_t": ("Skewness-corrected t (Hall 1992)", False),
    "sign": ("Sign test", False),
    "generalized_sign": ("Generalized sign (Cowan 1992)", False),
    "corrado_rank": ("Corrado 1989 rank", False),
    "corrado_zivney_rank": ("Corrado-Zivney 1992 standardised rank", False),
    "corrado_zivney_sign": ("Corrado-Zivney 1992 sign", False),
    "cowan_car_rank": ("Cowan 1992 CAR rank (window only)", False),
    "wilcoxon": ("Wilcoxon signed-rank (W+)", False),
}
ROBUST_TO_CLUSTERING = frozenset(k for k, (_, robust) in STATISTICS.items() if robust)


@dataclass
class GroupArrays:
    """Inputs of the battery for ``G`` groups of ``N`` pairs (NaN outside the group)."""

    ar_est: np.ndarray  # (G, N, L) estimation residuals
    ar: np.ndarray  # (G, N, T) event-window abnormal returns
    sar: np.ndarray  # (G, N, T) standardised ARs (forecast-error corrected)
    car: np.ndarray  # (G, N)
    scar: np.ndarray  # (G, N)
    sigma2: np.ndarray  # (G, N)
    n_obs: np.ndarray  # (G, N) estimation observations M
    inc: np.ndarray  # (G, N) in the daily tests
    inc_car: np.ndarray  # (G, N) in the window tests
    cluster: np.ndarray  # (G, N) int: pairs with equal codes share calendar dates
    lamb_c: np.ndarray  # (G, T) forecast-error factor of the portfolio, per day
    lamb_c_car: np.ndarray  # (G,) same for the window sum
    var_car: np.ndarray  # (G, N) variance of each CAR (forecast-error corrected)
    pq: dict  # from pair_ranks: pair-level arrays indexed to (G, N); sums as (G, P)
    grank: GrankPairs  # GRANK's pair-level arrays, flat over the G * N pairs
    k: int  # estimated parameters per pair
    convention: str
    corr_cache: dict | None = None  # shared by the groupings: see mean_correlation


def _p_t(x: np.ndarray, df: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(
            np.isfinite(x) & (df > 0), 2 * sps.t.sf(np.abs(x), np.maximum(df, 1)), np.nan
        )


def _t_labels(df: np.ndarray) -> np.ndarray:
    """``"t(<df>)"`` per cell ("t" where df is not finite), formatted once per distinct df."""
    fin = np.isfinite(df)
    u, inv = np.unique(np.where(fin, df, 0.0), return_inverse=True)
    labels = np.array([f"t({v:g})" for v in u] + ["t"], dtype=object)
    return labels[np.where(fin, inv.reshape(df.shape), len(u))]


def _p_z(x: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(x), 2 * sps.norm.sf(np.abs(x)), np.nan)


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    n = np.sum(np.isfinite(x), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.nansum(x, axis=axis) / np.maximum(n, 1), np.nan)


def _nanstd(x: np.ndarray, axis: int, ddof: int = 1) -> np.ndarray:
    n = np.sum(np.isfinite(x), axis=axis)
    m = _nanmean(x, axis)
    dev = x - np.expand_dims(m, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            n > ddof, np.sqrt(np.nansum(dev**2, axis=axis) / np.maximum(n - ddof, 1)), np.nan
        )


def _rowsum(x: np.ndarray, n_cols: np.ndarray, convention: str, axis: int = 1) -> np.ndarray:
    """Sum over pairs; estudy2 fills missing pairs with the day's mean (mean * ncol)."""
    if convention == "estudy2":
        return (
            _nanmean(x, axis) * np.expand_dims(n_cols, -1)
            if x.ndim == 3
            else (_nanmean(x, axis) * n_cols)
        )
    n = np.sum(np.isfinite(x), axis=axis)
    return np.where(n > 0, np.nansum(x, axis=axis), np.nan)


def _ranks(x: np.ndarray, with_sorted: bool = False):
    """Average ranks along the last axis, NaN kept as NaN (R ``rank(na.last='keep')``).

    One ``argsort``; rows with ties (rare for returns) are re-ranked by scipy's ``rankdata``.
    """
    shape = x.shape
    n = shape[-1]
    flat = x.reshape(-1, n)
    order = np.argsort(flat, axis=-1)  # NaN sort last
    ranks = np.empty(flat.shape)
    at = order + (np.arange(flat.shape[0]) * n)[:, None]  # flat positions of the sorted order
    ranks.reshape(-1)[at] = np.arange(1, n + 1, dtype=float)
    srt = np.ascontiguousarray(flat).reshape(-1).take(at)
    ties = np.any(srt[:, 1:] == srt[:, :-1], axis=1)
    if ties.any():
        ranks[ties] = sps.rankdata(flat[ties], axis=-1, method="average", nan_policy="omit")
    ranks[np.isnan(flat)] = np.nan
    if with_sorted:  # also the sorted values (NaN last)
        return ranks.reshape(shape), srt.reshape(shape)
    return ranks.reshape(shape)


@dataclass
class GrankPairs:
    """Pair-level inputs of GRANK, built once and shared by every grouping of the pairs.

    Arrays are flat over the ``Np`` pairs (a grouping (G, N) with G * N = Np reshapes them).
    """

    r2: np.ndarray  # (Np, L) twice the estimation ranks, -1 missing or not in the test
    r1: np.ndarray | None  # (Np, L) uint8 ranks (0 missing) when none is a half rank
    m: np.ndarray  # (Np,) estimation observations in the test
    w: np.ndarray  # (Np,) 1 / (M_i + 2), 0 outside the test
    padded: np.ndarray  # (Np * W,) sorted estimation SARs, +inf after the M_i valid ones
    width: int  # W, a power of two > L


def _grank_pairs(
    r2: np.ndarray, est_sorted: np.ndarray, sigma2: np.ndarray, inc: np.ndarray
) -> GrankPairs:
    """``r2`` (..., L): twice the estimation ranks (-1 missing); ``est_sorted`` (..., L): the
    estimation ARs sorted (NaN last); ``sigma2`` and ``inc`` (...): variances, pairs in test."""
    L = r2.shape[-1]
    inc = np.asarray(inc, dtype=bool).reshape(-1)
    rank_t = np.int16 if 2 * L + 2 < np.iinfo(np.int16).max else np.int32
    r2 = np.where(inc[:, None], r2.reshape(-1, L), -1).astype(rank_t, copy=False)
    m = np.sum(r2 >= 0, axis=1)
    w = np.where(inc & (m > 0), 1.0 / (m + 2.0), 0.0)  # 1 / (M_i + 1 + 1)
    r1 = None
    if L < 255 and not np.any((r2 & 1).astype(bool) & (r2 > 0)):  # no half ranks: uint8
        r1 = (np.maximum(r2, 0) >> 1).astype(np.uint8)
    # ranks of the estimation SARs equal the ranks of the ARs (sigma_i is a constant)
    sd = np.sqrt(np.asarray(sigma2, dtype=float).reshape(-1))
    width = 1 << int(np.ceil(np.log2(L + 1)))
    padded = np.full((r2.shape[0], width), np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(est_sorted.reshape(-1, L), sd[:, None], out=padded[:, :L])
    # missing SARs are NaN (sorted last), which no comparison counts; pairs not in the test
    # are +inf
    padded[~inc] = np.inf
    return GrankPairs(r2=r2, r1=r1, m=m, w=w, padded=padded.reshape(-1), width=width)


def _bsearch_padded(padded: np.ndarray, width: int, q: np.ndarray, side: str) -> np.ndarray:
    """Rows of ``padded`` (rows * width, sorted, +inf padded, width a power of two) searched
    for queries ``q`` (rows, D): entries <= q (``side="right"``) or < q ("left"), finite q.
    Branchless bisection: log2(width) steps of one gather and one comparison each."""
    rows, D = q.shape
    start = (np.arange(rows, dtype=np.intp) * width)[:, None]
    pos = np.repeat(start, D, axis=1)
    cmp = np.less_equal if side == "right" else np.less
    hit = np.empty(q.shape, dtype=bool)
    idx = np.empty(q.shape, dtype=np.intp)
    val = np.empty(q.shape)
    step = width >> 1
    while step >= 1:  # preallocated buffers; pos += step * hit (faster than add where=)
        np.add(pos, step - 1, out=idx)
        padded.take(idx, out=val)
        cmp(val, q, out=hit)
        np.multiply(hit, step, out=idx)
        pos += idx
        step >>= 1
    pos -= start
    return pos


def _grank_groups(
    gp: GrankPairs, G: int, N: int
) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """GRANK of Kolari and Pynnonen (2011) for the grouping (G, N) of the pairs of ``gp``.

    The returned function takes the event observations (G, N, D) (standardised ARs of a day,
    or SCARs) and gives the GRANK t and its degrees of freedom (G, D).
    """
    L_ = gp.r2.shape[-1]
    r2 = gp.r2.reshape(G, N, L_)
    r1 = None if gp.r1 is None else gp.r1.reshape(G, N, L_)
    m_i = gp.m.reshape(G, N)
    w_i = gp.w.reshape(G, N)
    rank_t = r2.dtype.type
    n_j = np.sum(r2 >= 0, axis=1).astype(float)  # (G, L)
    n_all = np.sum(w_i > 0, axis=1).astype(float)  # (G,)
    # sum of the weighted ranks: from twice the ranks, halved (exact scalings)
    base_sum = np.einsum("gn,gnl->gl", w_i, np.maximum(r2, 0)) * 0.5
    half_j = 0.5 * n_j
    cnt_t = np.int16 if N < np.iinfo(np.int16).max else np.int32

    def grank(event_obs: np.ndarray):
        # event_obs (G, N, D): D event-period standardised returns per pair (one test per
        # column), re-standardised cross-sectionally (generalized SAR) and appended as
        # observation M_i + 1 to the pair's estimation SARs; the appended observation only
        # shifts the ranks above it by one, so ranks are updated by a batched binary search
        # and one comparison instead of a sort per day.
        D = event_obs.shape[-1]
        cs = _nanstd(event_obs, 1)  # (G, D)
        x = event_obs / cs[:, None, :]
        ok = np.isfinite(x) & (w_i > 0)[..., None]
        xv = np.where(ok, x, 0.0).reshape(G * N, D)
        wv = np.where(ok, w_i[..., None], 0.0)  # (G, N, D)
        # estimation SARs <= x and < x, by a batched binary search of the sorted SARs
        k_hi_i = _bsearch_padded(gp.padded, gp.width, xv, "right").reshape(G, N, D)
        k_hi_i = np.where(ok, k_hi_i, m_i[..., None])
        # x equal to estimation SARs (rare with returns) shows at sorted position k_hi - 1;
        # only those cells are searched again for the SARs < x
        start = (np.arange(G * N, dtype=np.intp) * gp.width).reshape(G, N, 1)
        at = gp.padded.take(start + np.maximum(k_hi_i - 1, 0))
        tied = ok & (k_hi_i > 0) & (at == xv.reshape(G, N, D))
        k_lo_i = k_hi_i.copy()
        if tied.any():
            g_, n_, d_ = np.nonzero(tied)
            rows = g_ * N + n_
            sub = gp.padded.reshape(-1, gp.width)[rows].reshape(-1)
            k_lo_i[g_, n_, d_] = _bsearch_padded(
                sub, gp.width, xv.reshape(G, N, D)[g_, n_, d_][:, None], "left"
            )[:, 0]
        k_hi, k_lo = k_hi_i.astype(float), k_lo_i.astype(float)
        # an estimation SAR is above x exactly when its rank exceeds k_hi, and equal to x
        # when its rank is in (k_lo, k_hi] (average ranks of tied values stay inside their
        # block): compare small integers (twice the ranks) instead of the SARs
        hi2 = (2 * k_hi_i).astype(rank_t)
        lo2 = (2 * k_lo_i).astype(rank_t)
        hi1 = k_hi_i.astype(np.uint8) if r1 is not None else None
        adj = np.empty((G, L_, D))
        for d in range(D):  # one comparison of the estimation ranks per event day
            wd = wv[..., d]
            tie = bool(np.any(lo2[..., d] != hi2[..., d]))
            if r1 is not None and not tie:  # whole ranks: one byte per comparison
                above = r1 > hi1[..., d, None]  # a missing rank (0) is never above
            else:
                above = r2 > hi2[..., d, None]  # (G, N, L); a missing SAR (-1) is never above
            if tie:
                eq = (r2 > lo2[..., d, None]) & ~above
            if np.all(wd == wd[:, :1]):  # equal weights (complete data): count, no casts
                cnt = np.add.reduce(above.view(np.uint8), axis=1, dtype=cnt_t)
                adj[:, :, d] = wd[:, :1] * cnt
                if tie:
                    adj[:, :, d] += 0.5 * wd[:, :1] * eq.sum(axis=1, dtype=np.int32)
            else:
                adj[:, :, d] = np.matmul(wd[:, None, :], above.astype(float))[:, 0, :]
                if tie:
                    adj[:, :, d] += 0.5 * np.matmul(wd[:, None, :], eq.astype(float))[:, 0, :]
        k = 0.5 * (k_lo + k_hi)  # rank - 1 of the event observation; ties count half
        u_evt = np.where(ok, (k + 1) * w_i[..., None] - 0.5, np.nan)  # (G, N, D)
        nj = np.where(n_j > 0, n_j, np.nan)[..., None]
        ub_est = (base_sum[..., None] + adj - half_j[..., None]) / nj  # (G, L, D)
        n0 = ok.sum(axis=1).astype(float)  # (G, D)
        ub0 = _nanmean(u_evt, 1)  # (G, D)
        tt = (np.sum(n_j > 0, axis=1).astype(float) + 1.0)[:, None]
        ss = np.nansum((n_j / n_all[:, None])[..., None] * ub_est**2, axis=1)
        ss = ss + n0 / n_all[:, None] * ub0**2
        s_ub = np.sqrt(ss / tt)
        z = ub0 / s_ub
        t_grank = z * np.sqrt((tt - 2) / (tt - 1 - z**2))
        return t_grank, np.broadcast_to(tt - 2, t_grank.shape)

    return grank


def pair_ranks(
    ar_est: np.ndarray, ar: np.ndarray, inc: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per-pair rank quantities, computed once for every grouping of the pairs.

    Inputs are (E, S, L) and (E, S, T); pairs not in the tests are NaN, or are dropped by
    ``inc`` (E, S). Returns pair-level arrays (``delta_full``, ``avg_rank``, ``pos_est``,
    ``n_est``; ``est_sorted``, each pair's estimation ARs sorted, NaN last; ``est_r2``, twice
    each estimation AR's average rank among the pair's estimation ARs, -1 where missing) and
    *position sums* over the securities of each event (``sum_*``, ``cnt_*``, shape (E, P)):
    any grouping's sums are sums of these (the pooled group is their sum over events).
    """
    E_, S_, L = ar_est.shape
    P = L + ar.shape[-1]
    full = np.empty((E_, S_, P))
    full[..., :L] = ar_est
    full[..., L:] = ar
    if inc is not None:
        full[~inc] = np.nan
    ok = np.isfinite(full)
    flat = full.reshape(-1, P)
    okf = ok.reshape(-1, P)
    # one argsort serves the combined-window ranks, the median, and (by counting the
    # estimation days along the sorted order) the estimation-window ranks
    order = np.argsort(flat, axis=-1)  # NaN last
    # flat positions of the sorted order: one index for the gather and both scatters
    # (faster than take/put_along_axis, which rebuild a two-array fancy index each time)
    at = order + (np.arange(flat.shape[0]) * P)[:, None]
    srt = flat.reshape(-1).take(at)
    delta_i = okf.sum(axis=-1)  # non-missing days per pair
    valid = np.arange(P)[None, :] < delta_i[:, None]  # sorted position holds a value
    rank_t = np.int16 if 2 * P + 2 < np.iinfo(np.int16).max else np.int32
    # twice the combined-window ranks (integers also for average ranks), 0 where missing
    rank2 = np.empty(flat.shape, dtype=rank_t)
    rank2.reshape(-1)[at] = np.where(valid, 2 * np.arange(1, P + 1, dtype=rank_t), 0)
    # an estimation day's rank among the estimation days = estimation days sorted up to it
    is_est = order < L
    cum = np.cumsum(is_est.astype(rank_t), axis=1)
    both = np.empty(flat.shape, dtype=rank_t)
    both.reshape(-1)[at] = np.where(valid, 2 * cum, -1).astype(rank_t, copy=False)
    est_r2 = both[:, :L]
    ties = np.any(srt[:, 1:] == srt[:, :-1], axis=1)
    if ties.any():  # rare with returns: average ranks from scipy for those rows
        ft = flat[ties]
        rk = sps.rankdata(ft, axis=-1, method="average", nan_policy="omit")
        rank2[ties] = (2 * np.nan_to_num(rk)).astype(rank_t)
        rt = sps.rankdata(ft[:, :L], axis=-1, method="average", nan_policy="omit")
        est_r2[ties] = np.where(np.isnan(rt), -1, 2 * np.nan_to_num(rt)).astype(rank_t)
    delta = delta_i.astype(float).reshape(E_, S_)
    # median of each pair's combined window, from its sorted values (NaN last)
    lo_i = np.clip((delta_i - 1) // 2, 0, P - 1)[:, None]
    hi_i = np.clip(delta_i // 2, 0, P - 1)[:, None]
    med = 0.5 * (np.take_along_axis(srt, lo_i, -1) + np.take_along_axis(srt, hi_i, -1))
    med = np.where(delta_i[:, None] > 0, med, np.nan).reshape(E_, S_, 1)
    rank2 = rank2.reshape(full.shape)
    # the average ranks of a pair sum to delta (delta + 1) / 2 (exact in floating point)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg_rank = np.where(delta > 0, (delta + 1.0) / 2.0, np.nan)
    cnt_full = ok.sum(axis=1).astype(float)
    # sums of ranks and of (rank - mean rank): multiples of 1/2, exact in any order
    sum_rank = rank2.sum(axis=1, dtype=np.int64) * 0.5
    n_avg2 = np.einsum("es,esp->ep", np.where(delta_i > 0, delta_i + 1, 0).reshape(E_, S_), ok)
    sum_diff = sum_rank - n_avg2 * 0.5
    # sum of rank / (delta + 1) - 0.5 over the securities present
    u = rank2 * 0.5  # the ranks, exactly
    np.divide(u, delta[..., None] + 1, out=u)
    u -= 0.5
    np.copyto(u, 0.0, where=~ok)
    sum_u = u.sum(axis=1)
    # sign(AR - median); NaN compares False on both sides
    sum_sign = (full > med).sum(axis=1, dtype=np.intp) - (full < med).sum(axis=1, dtype=np.intp)
    est = full[..., :L]
    est_ok = ok[..., :L]
    return {
        "delta_full": delta,
        "avg_rank": avg_rank,
        "pos_est": np.sum(est > 0, axis=-1).astype(float),
        "n_est": est_ok.sum(axis=-1).astype(float),
        "est_r2": est_r2.reshape(E_, S_, L),
        "est_sorted": srt[is_est].reshape(E_, S_, L),  # NaN last
        "sum_rank": sum_rank,
        "sum_diff": sum_diff,
        "sum_u": sum_u,
        "sum_sign": sum_sign.astype(float),
        "cnt_full": cnt_full,
        "sum_est": np.where(est_ok, est, 0.0).sum(axis=1),
        "cnt_est": est_ok.sum(axis=1).astype(float),
    }


# --------------------------------------------------------------------------------------------
# Kolari-Pynnonen mean correlation
# --------------------------------------------------------------------------------------------
def _pairwise_r_sum(z: np.ndarray) -> tuple[float, int]:
    """Sum of Pearson r over pairs i < j of the rows of ``z`` (n x L, NaN = missing).

    Pairs are matched by position, which is the calendar date: the rows of one cluster share
    their estimation-window dates. Pairwise-complete observations; pairs with fewer than 3
    common days are left out. Returns (sum of r, number of pairs counted).
    """
    n = z.shape[0]
    if n < 2:
        return 0.0, 0
    mask = np.isfinite(z)
    if mask.all():
        zc = z - z.mean(axis=1, keepdims=True)
        sd = np.sqrt((zc**2).mean(axis=1, keepdims=True))
        ok = sd[:, 0] > 0
        zs = zc[ok] / sd[ok]
        m = zs.shape[0]
        s = zs.sum(axis=0)
        total = (float(s @ s) / z.shape[1] - m) / 2.0
        return total, m * (m - 1) // 2
    mf = mask.astype(float)
    x = np.where(mask, z, 0.0)
    cnt = mf @ mf.T
    sx = x @ mf.T
    sxx = (x**2) @ mf.T
    sxy = x @ x.T
    with np.errstate(invalid="ignore", divide="ignore"):
        num = cnt * sxy - sx * sx.T
        den = np.sqrt((cnt * sxx - sx**2) * (cnt * sxx.T - sx.T**2))
        r = num / den
    iu = np.triu_indices(n, 1)
    rv = r[iu]
    good = np.isfinite(rv) & (cnt[iu] >= 3)
    return float(rv[good].sum()), int(good.sum())


def mean_correlation(
    ar_est: np.ndarray, cluster: np.ndarray, inc: np.ndarray, cache: dict | None = None
) -> np.ndarray:
    """Kolari-Pynnonen r-bar per group: mean pairwise correlation of estimation residuals.

    Pairs in the same cluster (same trading event day, hence the same calendar dates) are
    correlated on their matched dates; pairs in different clusters have event windows on
    different dates and count as uncorrelated (r = 0). The mean runs over all N(N-1)/2 pairs.

    ``cache`` (cluster code -> (pairs, sum of r)), shared by the groupings of one grid of
    pairs, skips a cluster whose pairs were all in one group of an earlier grouping (codes are
    the grid's; a group holding all of a cluster's pairs holds them in the grid's order).
    """
    G = ar_est.shape[0]
    out = np.full(G, np.nan)
    for g in range(G):  # loop over groups and clusters (calendar dates), not over pairs
        sel = inc[g]
        n = int(sel.sum())
        if n < 2:
            continue
        total = 0.0
        codes = cluster[g][sel]
        z_all = ar_est[g][sel]
        for c in np.unique(codes):
            in_c = codes == c
            m = int(in_c.sum())
            hit = None if cache is None else cache.get(c)
            if hit is not None and hit[0] == m:
                t = hit[1]
            else:
                t, _ = _pairwise_r_sum(z_all[in_c])
                if cache is not None:
                    cache[c] = (m, t)
            total += t
        out[g] = total / (n * (n - 1) / 2.0)
    return out


def _kp_factor(rbar: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Kolari-Pynnonen (2010) factor of the BMP statistic: sqrt((1 - r) / (1 + (n - 1) r)).

    BMP divides by the *cross-sectional* standard deviation, whose expectation already shrinks
    by (1 - r) under a common correlation r, hence the (1 - r) in the numerator.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt((1 - rbar) / (1 + (n - 1) * rbar))


def _kp_patell_factor(rbar: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Kolari-Pynnonen factor of the Patell statistic: 1 / sqrt(1 + (n - 1) r).

    Patell's variance comes from each security's time series, so it does not shrink with the
    cross-correlation: with unit-variance standardised residuals of common correlation r,
    Var(sum_i z_i) = n + n (n - 1) r = n (1 + (n - 1) r), while Patell divides by sqrt(n).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 / np.sqrt(1 + (n - 1) * rbar)


# --------------------------------------------------------------------------------------------
# exact Wilcoxon signed-rank distribution
# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=128)
def _signrank_cdf(n: int) -> np.ndarray:
    """P(W+ <= w) for w = 0..n(n+1)/2 under H0 (no ties), by counting subset sums."""
    top = n * (n + 1) // 2
    counts = np.zeros(top + 1)
    counts[0] = 1.0
    for i in range(1, n + 1):
        counts[i:] = counts[i:] + counts[:-i].copy()
    return np.cumsum(counts) / 2.0**n


_EXACT_MAX = 50  # exact signed-rank p-values up to this many observations


@lru_cache(maxsize=1)
def _signrank_table() -> np.ndarray:
    """``_signrank_cdf(n)[w]`` in row n, padded with 1.0 (read-only)."""
    top = _EXACT_MAX * (_EXACT_MAX + 1) // 2
    out = np.ones((_EXACT_MAX + 1, top + 1))
    for n in range(1, _EXACT_MAX + 1):
        c = _signrank_cdf(n)
        out[n, : len(c)] = c
    out.setflags(write=False)
    return out


def _wilcoxon(x: np.ndarray, convention: str, n_cols: np.ndarray):
    """W+ per (group, day) over the pairs axis 1 of ``x`` (G, N, T)."""
    absx = np.abs(x)
    absx = np.where(absx == 0, np.nan, absx)  # zeros are dropped
    xt = np.moveaxis(absx, 1, -1)  # (G, T, N)
    ranks, srt = _ranks(xt, with_sorted=True)
    pos = np.moveaxis(
        np.where(np.moveaxis(x, 1, -1) > 0, ranks, np.where(np.isfinite(ranks), 0.0, np.nan)), -1, 1
    )
    n = np.sum(np.isfinite(absx), axis=1)
    w = _rowsum(pos, n_cols, convention)
    # the p-value is that of W+ over the n observed pairs: estudy2's reported statistic fills
    # missing pairs with the day's mean rank (mean * ncol), which can leave the support
    # 0..n(n+1)/2 of signrank(n) (estudy2 itself gives only stars, from qsignrank(n))
    w_test = w if convention != "estudy2" else _rowsum(pos, n_cols, "textbook")
    # ties: any equal |x| within a (group, day)
    ties = np.any(srt[..., 1:] == srt[..., :-1], axis=-1)
    mu = n * (n + 1) / 4.0
    # tie-corrected normal approximation: sum over tie groups of (t^3 - t) / 48
    tie_term = np.zeros(w.shape)
    if ties.any():
        for idx in zip(*np.nonzero(ties), strict=True):  # only (group, day) cells with ties
            v = xt[idx]
            v = v[np.isfinite(v)]
            _, cnt = np.unique(v, return_counts=True)
            tie_term[idx] = ((cnt**3 - cnt) / 48.0).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(n * (n + 1) * (2 * n + 1) / 24.0 - tie_term)
        z = (w_test - mu) / sd
    p_norm = _p_z(z)
    # exact where small: a lookup in the table of the signed-rank cdfs for n <= 50
    none = (n == 0) | ~np.isfinite(w_test)
    w_int = np.where(none, 0.0, w_test)
    exact = ~none & (n <= _EXACT_MAX) & ~ties & (np.floor(w_int) == w_int)
    cdf = _signrank_table()
    nn = np.where(exact, n, 0)
    wi = np.minimum(np.where(exact, w_int, 0), cdf.shape[1] - 1).astype(np.intp)
    lower = cdf[nn, wi]
    upper = 1.0 - np.where(wi > 0, cdf[nn, np.maximum(wi - 1, 0)], 0.0)
    p = np.where(exact, np.minimum(1.0, 2 * np.minimum(lower, upper)), p_norm)
    p = np.where(none, np.nan, p)
    labels = np.array([f"signrank({i}) exact" for i in range(_EXACT_MAX + 1)], dtype=object)
    dist = np.where(
        exact,
        labels[nn],
        np.where(none, "none", "N(0,1) approximation of W+").astype(object),
    )
    return w, p, dist, n


# --------------------------------------------------------------------------------------------
# the battery
# --------------------------------------------------------------------------------------------
def battery(a: GroupArrays) -> dict[str, dict[str, np.ndarray]]:
    """Run every test; returns ``{scope: {statistic: arrays}}`` with scope "day" or "window".

    Day arrays are (G, T); window arrays are (G,). Each statistic carries ``value``,
    ``p_value``, ``df`` (NaN for normal), ``dist`` (name of the null distribution) and ``n``.
    """
    conv = a.convention
    inc = a.inc
    G, N, T = a.ar.shape
    ar = np.where(inc[..., None], a.ar, np.nan)
    sar = np.where(inc[..., None], a.sar, np.nan)
    car = np.where(a.inc_car, a.car, np.nan)
    scar = np.where(a.inc_car, a.scar, np.nan)
    sigma2 = np.where(inc, a.sigma2, np.nan)
    m_obs = np.where(inc, a.n_obs, np.nan)
    n_cols = inc.sum(axis=1).astype(float)  # securities in the group (estudy2's ncol)
    n_cols_car = a.inc_car.sum(axis=1).astype(float)
    k = a.k
    day: dict[str, dict[str, np.ndarray]] = {}
    win: dict[str, dict[str, np.ndarray]] = {}

    def put(store, name, value, df, dist_name, n):
        value = np.asarray(value, dtype=float)
        df = np.broadcast_to(np.asarray(df, dtype=float), value.shape).copy()
        if dist_name == "t":
            p = _p_t(value, df)
            dist = _t_labels(df)
        elif dist_name == "z":
            p = _p_z(value)
            df = np.full(value.shape, np.nan)
            dist = np.full(value.shape, "N(0,1)", dtype=object)
        else:  # precomputed (p, dist) tuple
            p, dist = dist_name
        store[name] = {
            "value": value,
            "p_value": np.asarray(p, dtype=float),
            "df": df,
            "dist": np.asarray(dist, dtype=object),
            "n": np.broadcast_to(np.asarray(n, dtype=float), value.shape).copy(),
        }

    n_t = np.sum(np.isfinite(ar), axis=1).astype(float)  # (G, T)
    n_car = np.sum(np.isfinite(car), axis=1).astype(float)  # (G,)
    aar = _nanmean(ar, 1)
    caar = _nanmean(car, 1)
    mean_m = _nanmean(m_obs, 1)

    # -- cross-sectional t --------------------------------------------------------------------
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_ar = _nanstd(ar, 1)
        put(day, "t_cs", aar / sd_ar * np.sqrt(n_t), n_t - 1, "t", n_t)
        put(win, "t_cs", caar / _nanstd(car, 1) * np.sqrt(n_car), n_car - 1, "t", n_car)

        # -- Brown-Warner 1980: portfolio variance = sum of the securities' variances / N^2 ---
        present = np.isfinite(ar)
        if conv == "estudy2":
            # estudy2: sqrt(sum of all securities' variances) / ncol, t(mean(M) - 1)
            sd80 = np.sqrt(np.nansum(sigma2, axis=1)) / n_cols
            sd80 = np.broadcast_to(sd80[:, None], aar.shape)
            df80 = mean_m - 1
        else:
            s2 = np.where(present, sigma2[..., None], np.nan)
            sd80 = np.sqrt(np.nansum(s2, axis=1)) / n_t
            df80 = mean_m - k
        put(day, "brown_warner_1980", aar / sd80, df80[:, None], "t", n_t)
        # window: CAR variance of each security = sigma2 * (L + i'X*(X'X)^-1X*'i)
        var_car = np.where(np.isfinite(car), a.var_car, np.nan)
        sd80w = np.sqrt(np.nansum(var_car, axis=1)) / n_car
        put(
            win,
            "brown_warner_1980",
            caar / sd80w,
            df80 if conv != "estudy2" else mean_m - 1,
            "t",
            n_car,
        )

        # -- Brown-Warner 1985: sd of the estimation-window portfolio (mean AR per date) ---------
        cnt_est = a.pq["cnt_est"]
        est_port = np.where(cnt_est > 0, a.pq["sum_est"] / np.maximum(cnt_est, 1), np.nan)  # (G, L)
        sd85 = _nanstd(est_port, 1)
        n_est_days = np.sum(np.isfinite(est_port), axis=1).astype(float)
        df85 = mean_m - 1 if conv == "estudy2" else n_est_days - 1
        bw85_day = aar / sd85[:, None]
        put(day, "brown_warner_1985", bw85_day, df85[:, None], "t", n_t)

        # -- Lamb: the same portfolio sd with a forecast-error factor ------------------------
        lamb_day = aar / (sd85[:, None] * np.sqrt(a.lamb_c))
        put(day, "lamb", lamb_day, np.nan, "z", n_t)

        if conv == "estudy2":
            # estudy2: sum of the daily statistics over days with > 90% of securities present
            good = (n_t / n_cols[:, None] * 100 > 90) & (n_t > 0)
            ndays = good.sum(axis=1)
            put(
                win,
                "brown_warner_1985",
                np.where(good, bw85_day, 0).sum(1) / np.sqrt(ndays),
                np.nan,
                "z",
                n_car,
            )
            put(
                win, "lamb", np.where(good, lamb_day, 0).sum(1) / np.sqrt(ndays), np.nan, "z", n_car
            )
        else:
            n_days = np.sum(np.isfinite(aar), axis=1)
            caar_port = np.nansum(aar, axis=1)
            put(win, "brown_warner_1985", caar_port / (sd85 * np.sqrt(n_days)), df85, "t", n_car)
            put(win, "lamb", caar_port / (sd85 * np.sqrt(a.lamb_c_car)), np.nan, "z", n_car)

        # -- Patell --------------------------------------------------------------------------
        if conv == "estudy2":
            dof = m_obs - 2
        else:
            dof = m_obs - k
        ratio = np.where(inc, dof / (dof - 2), np.nan)
        sar_present = np.isfinite(sar)
        if conv == "estudy2":
            patell_day = _rowsum(sar, n_cols, conv) / np.sqrt(np.nansum(ratio, axis=1))[:, None]
        else:
            var_sum = np.nansum(np.where(sar_present, ratio[..., None], np.nan), axis=1)
            patell_day = np.nansum(sar, axis=1) / np.sqrt(var_sum)
            patell_day = np.where(n_t > 0, patell_day, np.nan)
        put(day, "patell", patell_day, np.nan, "z", n_t)
        ratio_c = np.where(np.isfinite(scar), ratio, np.nan)
        patell_win = np.nansum(scar, axis=1) / np.sqrt(np.nansum(ratio_c, axis=1))
        put(win, "patell", patell_win, np.nan, "z", n_car)

        # -- BMP -----------------------------------------------------------------------------
        bmp_day = _nanmean(sar, 1) / _nanstd(sar, 1) * np.sqrt(n_t)
        put(day, "bmp", bmp_day, n_t - 1, "t", n_t)
        bmp_win = _nanmean(scar, 1) / _nanstd(scar, 1) * np.sqrt(n_car)
        put(win, "bmp", bmp_win, n_car - 1, "t", n_car)

        # -- Kolari-Pynnonen adjustments -----------------------------------------------------
        rbar = mean_correlation(a.ar_est, a.cluster, inc, a.corr_cache)
        f_day = _kp_factor(rbar[:, None], n_t)
        f_win = _kp_factor(rbar, n_car)
        fp_day = _kp_patell_factor(rbar[:, None], n_t)
        fp_win = _kp_patell_factor(rbar, n_car)
        put(day, "patell_adjusted", patell_day * fp_day, np.nan, "z", n_t)
        put(win, "patell_adjusted", patell_win * fp_win, np.nan, "z", n_car)
        put(day, "bmp_adjusted", bmp_day * f_day, n_t - 1, "t", n_t)
        put(win, "bmp_adjusted", bmp_win * f_win, n_car - 1, "t", n_car)

        # -- skewness-corrected t (Hall 1992) -------------------------------------------------
        def skew_t(x, n, m=None, s=None):
            # m and s as _nanmean / _nanstd give them (passed when already computed)
            m = _nanmean(x, 1) if m is None else m
            s = _nanstd(x, 1) if s is None else s
            dev = x - np.expand_dims(m, 1)
            dev = np.where(np.isnan(dev), 0.0, dev)
            # dev * dev * dev, not dev**3 (libm pow, ~50 ns a value): the cubes can differ
            # from pow's in the last bit (skewness_t to ~1e-16 relative)
            g = n / ((n - 1) * (n - 2)) * np.sum(dev * dev * dev, axis=1) / s**3
            ss = m / s
            return np.sqrt(n) * (ss + g * ss**2 / 3 + g**2 * ss**3 / 27 + g / (6 * n))

        put(day, "skewness_t", skew_t(ar, n_t, aar, sd_ar), np.nan, "z", n_t)
        put(win, "skewness_t", skew_t(car[..., None], n_car[:, None])[:, 0], np.nan, "z", n_car)

        # -- sign ----------------------------------------------------------------------------
        pos = np.where(np.isfinite(ar), (ar > 0).astype(float), np.nan)
        w_pos = _rowsum(pos, n_cols, conv)
        put(day, "sign", (w_pos - 0.5 * n_t) / np.sqrt(0.25 * n_t), np.nan, "z", n_t)
        pos_c = np.where(np.isfinite(car), (car > 0).astype(float), np.nan)
        w_pos_c = np.nansum(pos_c, axis=1)
        put(win, "sign", (w_pos_c - 0.5 * n_car) / np.sqrt(0.25 * n_car), np.nan, "z", n_car)

        # -- generalized sign (Cowan 1992) ---------------------------------------------------
        pos_i = np.where(inc, a.pq["pos_est"], np.nan)
        n_i = np.where(inc, a.pq["n_est"], np.nan)
        if conv == "estudy2":
            p_hat = np.nansum(pos_i, axis=1) / np.nansum(n_i, axis=1)
        else:
            p_hat = _nanmean(pos_i / n_i, 1)
        ph = p_hat[:, None]
        put(
            day,
            "generalized_sign",
            (w_pos - n_t * ph) / np.sqrt(n_t * ph * (1 - ph)),
            np.nan,
            "z",
            n_t,
        )
        put(
            win,
            "generalized_sign",
            (w_pos_c - n_car * p_hat) / np.sqrt(n_car * p_hat * (1 - p_hat)),
            np.nan,
            "z",
            n_car,
        )

        # -- rank and sign tests on the combined (estimation + event) window ---------------------
        L = a.ar_est.shape[2]
        delta_full = np.where(inc, a.pq["delta_full"], np.nan)  # (G, N)
        mean_delta_full = _nanmean(delta_full, 1)
        n_full_t = a.pq["cnt_full"]  # (G, L+T) securities present per position
        days_with_data = np.sum(n_full_t > 0, axis=1).astype(float)
        denom_days = mean_delta_full if conv == "estudy2" else days_with_data
        avg_rank = np.where(inc, a.pq["avg_rank"], np.nan)  # (G, N) = (M_i + 1) / 2
        n_full_safe = np.where(n_full_t > 0, n_full_t, np.nan)

        def possum(total: np.ndarray) -> np.ndarray:
            # sum over the securities present; estudy2 fills missing ones with the day's mean
            if conv == "estudy2":
                return total / n_full_safe * n_cols[:, None]
            return np.where(n_full_t > 0, total, np.nan)

        # Corrado (1989) rank
        fd = possum(a.pq["sum_diff"])  # (G, L+T)
        kbar = fd / n_full_safe
        s_k = np.sqrt(np.nansum(kbar**2, axis=1) / denom_days)
        rank_day = kbar[:, L:] / s_k[:, None]
        put(day, "corrado_rank", rank_day, np.nan, "z", n_t)

        # Corrado-Zivney (1992) standardised rank U = K / (M_i + 1)
        fu = possum(a.pq["sum_u"])
        ubar = fu / np.sqrt(n_full_safe)
        s_u = np.sqrt(np.nansum(ubar**2, axis=1) / denom_days)
        mrank_day = ubar[:, L:] / s_u[:, None]
        put(day, "corrado_zivney_rank", mrank_day, np.nan, "z", n_t)

        # Corrado-Zivney (1992) sign: sign(AR - median of the pair's combined window)
        fs = possum(a.pq["sum_sign"])
        gbar = fs / np.sqrt(n_full_safe)
        s_g = np.sqrt(np.nansum(gbar**2, axis=1) / denom_days)
        csign_day = gbar[:, L:] / s_g[:, None]
        put(day, "corrado_zivney_sign", csign_day, np.nan, "z", n_t)

        # window versions: sum of daily statistics / sqrt(days) (Campbell-Wasley 1993)
        nd = np.sum(np.isfinite(rank_day), axis=1)
        put(win, "corrado_rank", np.nansum(rank_day, axis=1) / np.sqrt(nd), np.nan, "z", n_car)
        put(
            win,
            "corrado_zivney_rank",
            np.nansum(mrank_day, axis=1) / np.sqrt(nd),
            np.nan,
            "z",
            n_car,
        )
        put(
            win,
            "corrado_zivney_sign",
            np.nansum(csign_day, axis=1) / np.sqrt(nd),
            np.nan,
            "z",
            n_car,
        )

        # Cowan (1992) CAR rank: mean event rank against the mean rank, over sqrt(days)
        good = (n_t / n_cols[:, None] * 100 > 90) & (n_t > 0) if conv == "estudy2" else n_t > 0
        mean_rank = _nanmean(avg_rank, 1)
        row_means = a.pq["sum_rank"] / n_full_safe  # (G, L+T)
        s_c = np.sqrt(np.nansum((row_means - mean_rank[:, None]) ** 2, axis=1) / mean_delta_full)
        evt_sum = np.where(good, a.pq["sum_rank"][:, L:], 0.0).sum(axis=1)
        evt_cnt = np.where(good, n_full_t[:, L:], 0.0).sum(axis=1)
        evt_mean = np.where(evt_cnt > 0, evt_sum / np.maximum(evt_cnt, 1), np.nan)
        cowan = np.sqrt(good.sum(axis=1)) * (evt_mean - mean_rank) / s_c
        put(win, "cowan_car_rank", cowan, np.nan, "z", n_car)

        # -- GRANK (Kolari-Pynnonen 2011) ---------------------------------------------------
        grank = _grank_groups(a.grank, G, N)
        g_day, g_df = grank(sar)
        put(day, "grank", g_day, g_df, "t", n_t)
        gw, gdf = grank(scar[..., None])
        put(win, "grank", gw[:, 0], gdf[:, 0], "t", n_car)

        # -- Wilcoxon signed-rank ------------------------------------------------------------
        w, p, dist, n_w = _wilcoxon(ar, conv, n_cols)
        put(day, "wilcoxon", w, np.nan, (p, dist), n_w)
        w2, p2, dist2, n_w2 = _wilcoxon(car[..., None], "textbook", n_cols_car)
        put(win, "wilcoxon", w2[:, 0], np.nan, (p2[:, 0], dist2[:, 0]), n_w2[:, 0])

    return {
        "day": day,
        "window": win,
        "rbar": rbar,
        "aar": aar,
        "caar": caar,
        "sd_portfolio": sd85,
        "n_t": n_t,
        "n_car": n_car,
    }
