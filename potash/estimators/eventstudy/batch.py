"""Batched CAR tests of single return series over many specifications and dates at once.

A long-short portfolio (or any one return series) studied on ``D`` dates under ``W`` estimation
windows, ``K`` event windows, ``B`` benchmark series and ``M`` normal-return models is
``V x B x D x W x K x M`` ordinary event studies of one security. Each needs only window sums
of ``1, x, y, x^2, xy, y^2``, so they are all read from prefix sums in O(1): no Python loop over
specifications or dates. The statistic is the one-security CAR t of MacKinlay (1997), i.e.
``brown_warner_1980`` on the window of :func:`potash.event_study` (textbook convention):

- market model (k = 2): ``s^2 = SSR / (M - 2)``,
  ``Var(CAR) = s^2 (L + L^2 / M + (sum_evt x - L xbar)^2 / Sxx)``, t(M - 2);
- constant mean (k = 1): ``s^2 = SSR / (M - 1)``, ``Var(CAR) = s^2 (L + L^2 / M)``, t(M - 1);
- market adjusted (k = 0): ``AR = y - x``, ``s^2 = sum (y - x)^2 / M``,
  ``Var(CAR) = s^2 L``, t(M);
- two-index factor model (k = 3), ``y = a + b1 x + b2 x2 + e`` with a second regressor ``x2``
  paired with each benchmark (e.g. SPY as market and a sector ETF): the stacked 2 x 2 normal
  equations of the centred regressors are solved over all batch axes at once
  (``np.linalg.solve``), ``s^2 = SSR / (M - 3)``,
  ``Var(CAR) = s^2 (L + 1' X* (X'X)^-1 X*' 1)`` over the event-window rows ``X* = [1, x, x2]``
  (``= s^2 (L + L^2 / M + d' Cxx^-1 d)`` with ``d`` the event sums of the regressors less
  ``L`` times their estimation means), t(M - 3). Its moments use only the days on which
  ``x2`` is also observed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats as sps

from potash.core.options import check_option

__all__ = ["BATCH_MODELS", "batched_car_tests"]

#: Normal-return models of :func:`batched_car_tests`.
BATCH_MODELS = ("market", "constant_mean", "market_adjusted", "factor")


def _prefix(a: np.ndarray) -> np.ndarray:
    out = np.zeros(a.shape[:-1] + (a.shape[-1] + 1,))
    np.cumsum(a, axis=-1, out=out[..., 1:])
    return out


def batched_car_tests(
    y: np.ndarray,
    x: np.ndarray,
    t0: np.ndarray,
    estimation_windows: Sequence[tuple[int, int]],
    event_windows: Sequence[tuple[int, int]],
    models: Sequence[str] = ("market", "constant_mean", "market_adjusted"),
    *,
    estimation_ok: np.ndarray | None = None,
    min_estimation_obs: int | None = None,
    x2: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """CAR, its variance, t and p for every series, benchmark, date, window and model.

    Parameters
    ----------
    y : array (V, n)
        Return series on one trading calendar of ``n`` days (NaN = missing).
    x : array (B, n)
        Benchmark (market) returns on the same calendar.
    t0 : array of int (D,)
        Calendar positions of the event days.
    estimation_windows, event_windows : sequences of (start, end)
        Relative trading days, inclusive (e.g. ``(-250, -11)`` and ``(-1, 2)``).
    models : sequence of {"market", "constant_mean", "market_adjusted", "factor"}
        Default the three one-index models; ``"factor"`` (the two-index model) needs ``x2``.
    estimation_ok : bool array (n,) or (V, n), optional
        Days allowed in estimation windows (False for masked days, e.g. other events).
    min_estimation_obs : int, optional
        Fewest estimation observations (default half the window, at least k + 3).
    x2 : array (B, n) or (n,), optional
        Second regressor of model ``"factor"``, row ``b`` paired with benchmark ``x[b]``:
        ``y = a + b1 x[b] + b2 x2[b] + e`` (a row of NaN: the model is not defined for that
        benchmark, all its results are NaN). Required with ``"factor"``, refused otherwise.

    Returns
    -------
    dict of arrays of shape (V, B, D, W, K, M)
        ``car``, ``var_car``, ``t``, ``df``, ``p_value`` (two-sided t), ``n_est``; NaN where
        the event window is not complete or the estimation window too short.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(0, 0.01, (1, 400))
    >>> y = 0.5 * x + rng.normal(0, 0.01, (1, 400))
    >>> y[0, 300] += 0.05
    >>> out = batched_car_tests(y, x, np.array([300, 200]), [(-120, -11)], [(0, 0)])
    >>> out["t"].shape
    (1, 1, 2, 1, 1, 3)
    >>> bool(out["t"][0, 0, 0, 0, 0, 0] > 3), bool(abs(out["t"][0, 0, 1, 0, 0, 0]) < 3)
    (True, True)

    The two-index model, a market ``x`` and a sector ``x2``:

    >>> x2 = 0.3 * x + rng.normal(0, 0.01, (1, 400))
    >>> y2 = 0.4 * x + 0.9 * x2 + rng.normal(0, 0.01, (1, 400))
    >>> y2[0, 300] += 0.05
    >>> f = batched_car_tests(y2, x, np.array([300]), [(-120, -11)], [(0, 0)], ["factor"], x2=x2)
    >>> f["df"][0, 0, 0, 0, 0, 0], bool(f["t"][0, 0, 0, 0, 0, 0] > 3)
    (np.float64(107.0), True)
    """
    for m in models:
        check_option("models", m, BATCH_MODELS)
    y = np.atleast_2d(np.asarray(y, dtype=float))
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if y.shape[-1] != x.shape[-1]:
        raise ValueError(f"y has {y.shape[-1]} days, x has {x.shape[-1]}: one calendar needed")
    if "factor" in models:
        if x2 is None:
            raise ValueError("models: 'factor' needs x2, the second regressor of each benchmark")
        x2 = np.asarray(x2, dtype=float)
        x2 = np.broadcast_to(x2, x.shape) if x2.ndim == 1 else x2
        if x2.shape != x.shape:
            raise ValueError(f"x2 has shape {x2.shape}, x has {x.shape}: one row per benchmark")
    elif x2 is not None:
        raise ValueError("x2 is only used with the model 'factor' (add it to models or drop x2)")
    t0 = np.asarray(t0, dtype=np.int64)
    n = y.shape[-1]
    for lo, hi in list(estimation_windows) + list(event_windows):
        if lo > hi:
            raise ValueError(f"window ({lo}, {hi}): start after end")
    # centre on the overall means so that the one-pass moments lose no precision
    yc = y - np.nanmean(y, axis=-1, keepdims=True)
    xc = x - np.nanmean(x, axis=-1, keepdims=True)
    Y, X = yc[:, None, :], xc[None, :, :]  # (V, 1, n), (1, B, n)
    ok = np.isfinite(Y) & np.isfinite(X)  # (V, B, n)
    Y0, X0 = np.where(ok, Y, 0.0), np.where(ok, X, 0.0)
    w_evt = ok.astype(float)
    if estimation_ok is None:
        w_est = w_evt
    elif np.ndim(estimation_ok) == 2:  # per series
        w_est = w_evt * np.asarray(estimation_ok, dtype=float)[:, None, :]
    else:
        w_est = w_evt * np.asarray(estimation_ok, dtype=float)
    terms = (np.ones_like(Y0 * X0), X0, Y0, X0 * X0, X0 * Y0, Y0 * Y0)

    def mom(w: np.ndarray) -> np.ndarray:
        return np.stack([_prefix(w * v) for v in terms])

    C_est, C_evt = mom(w_est), mom(w_evt)  # (6, V, B, n + 1)
    if "factor" in models:
        # the two-index model: its own days (x2 observed too) and the moments of 1, x, x2, y
        seen = np.isfinite(x2)
        z_mean = np.where(seen, x2, 0.0).sum(-1, keepdims=True) / np.maximum(
            seen.sum(-1, keepdims=True), 1
        )  # a NaN row (model not defined) has no mean: no warning
        Z = (x2 - z_mean)[None, :, :]  # (1, B, n)
        ok2 = ok & np.isfinite(Z)
        Y2, X2, Z2 = (np.where(ok2, a, 0.0) for a in (Y, X, Z))
        one = np.ones_like(Y2 * X2)
        terms2 = (one, X2, Z2, Y2, X2 * X2, X2 * Z2, Z2 * Z2, X2 * Y2, Z2 * Y2, Y2 * Y2)
        w2_evt = ok2.astype(float)
        w2_est = w2_evt * (w_est > 0)

        def mom2(w: np.ndarray) -> np.ndarray:
            return np.stack([_prefix(w * v) for v in terms2])

        F_est, F_evt = mom2(w2_est), mom2(w2_evt)  # (10, V, B, n + 1)

    def wsum(C, lo, hi):
        # sums over calendar positions t0 + lo .. t0 + hi, clipped to the data: (6, V, B, D, J)
        a = np.clip(t0[:, None] + np.asarray(lo)[None, :], 0, n)
        b = np.clip(t0[:, None] + np.asarray(hi)[None, :] + 1, 0, n)
        return C[..., b] - C[..., a]

    elo, ehi = zip(*estimation_windows, strict=True)
    klo, khi = zip(*event_windows, strict=True)
    Se = wsum(C_est, elo, ehi)[..., :, None]  # (6, V, B, D, W, 1)
    Sk = wsum(C_evt, klo, khi)[..., None, :]  # (6, V, B, D, 1, K)
    n_e, sx, sy, sxx, sxy, syy = Se
    L_k, sxk, syk = Sk[0], Sk[1], Sk[2]
    full_len = (np.asarray(khi) - np.asarray(klo) + 1).astype(float)[None, None, None, None, :]
    w_len = np.asarray(ehi) - np.asarray(elo) + 1
    out_shape = np.broadcast_shapes(n_e.shape, L_k.shape) + (len(models),)
    res = {k: np.full(out_shape, np.nan) for k in ("car", "var_car", "t", "df")}
    with np.errstate(invalid="ignore", divide="ignore"):
        nn = np.maximum(n_e, 1.0)
        xbar, ybar = sx / nn, sy / nn
        cxx = sxx - nn * xbar**2
        cxy = sxy - nn * xbar * ybar
        cyy = syy - nn * ybar**2
        for j, m in enumerate(models):
            if m == "market":
                k = 2
                beta = cxy / cxx
                alpha = ybar - beta * xbar
                ssr = np.maximum(cyy - beta * cxy, 0.0)
                s2 = ssr / (n_e - 2)
                car = syk - L_k * alpha - beta * sxk
                var = s2 * (L_k + L_k**2 / nn + (sxk - L_k * xbar) ** 2 / cxx)
            elif m == "constant_mean":
                k = 1
                s2 = cyy / (n_e - 1)
                car = syk - L_k * ybar
                var = s2 * (L_k + L_k**2 / nn)
            elif m == "factor":
                k = 3
                Sk2 = wsum(F_evt, klo, khi)[..., None, :]
                n_e2, car, var = _factor_model(wsum(F_est, elo, ehi)[..., :, None], Sk2)
                L2 = Sk2[0]
                min_obs = (
                    int(min_estimation_obs)
                    if min_estimation_obs is not None
                    else np.maximum(k + 3, np.ceil(0.5 * w_len))[None, None, None, :, None]
                )
                good = (L2 == full_len) & (n_e2 >= min_obs) & (n_e2 > k + 1)
                good &= np.isfinite(var) & (var > 0)
                res["car"][..., j] = np.where(good, car, np.nan)
                res["var_car"][..., j] = np.where(good, var, np.nan)
                res["t"][..., j] = np.where(good, car / np.sqrt(var), np.nan)
                res["df"][..., j] = np.where(good, n_e2 - k, np.nan)
                n_est_factor = np.broadcast_to(n_e2, out_shape[:-1])
                continue
            else:  # market adjusted: AR = y - x (the centring shifts d by a constant)
                k = 0
                dbar_shift = np.nanmean(y, axis=-1)[:, None] - np.nanmean(x, axis=-1)[None, :]
                shift = dbar_shift[:, :, None, None, None]
                sdd = syy - 2 * sxy + sxx  # sum over est of (yc - xc)^2
                sd = sy - sx
                ssr = sdd + 2 * shift * sd + n_e * shift**2
                s2 = ssr / n_e
                car = (syk - sxk) + L_k * shift
                var = s2 * L_k
            min_obs = (
                int(min_estimation_obs)
                if min_estimation_obs is not None
                else np.maximum(k + 3, np.ceil(0.5 * w_len))[None, None, None, :, None]
            )
            good = (L_k == full_len) & (n_e >= min_obs) & (n_e > k + 1)
            res["car"][..., j] = np.where(good, car, np.nan)
            res["var_car"][..., j] = np.where(good, var, np.nan)
            res["t"][..., j] = np.where(good, car / np.sqrt(var), np.nan)
            res["df"][..., j] = np.where(good, n_e - k, np.nan)
        res["n_est"] = np.broadcast_to(n_e[..., None], out_shape).copy()
        if "factor" in models:  # its own days: those on which x2 is observed too
            res["n_est"][..., list(models).index("factor")] = n_est_factor
        res["p_value"] = np.where(
            np.isfinite(res["t"]), 2 * sps.t.sf(np.abs(res["t"]), np.maximum(res["df"], 1)), np.nan
        )
    return res


def _factor_model(Se: np.ndarray, Sk: np.ndarray) -> tuple[np.ndarray, ...]:
    """Two-index model from window sums of ``1, x, z, y, xx, xz, zz, xy, zy, yy``.

    ``Se`` are estimation sums (10, ..., W, 1), ``Sk`` event sums (10, ..., 1, K). The 2 x 2
    normal equations of the centred regressors are solved by ``np.linalg.solve`` over all batch
    axes (singular or empty windows give NaN). Returns ``n_est, car, var_car``.
    """
    n_e, sx, sz, sy, sxx, sxz, szz, sxy, szy, syy = Se
    nn = np.maximum(n_e, 1.0)
    mx, mz, my = sx / nn, sz / nn, sy / nn
    cxx, cxz, czz = sxx - nn * mx * mx, sxz - nn * mx * mz, szz - nn * mz * mz
    cxy, czy, cyy = sxy - nn * mx * my, szy - nn * mz * my, syy - nn * my * my
    A = np.stack([np.stack([cxx, cxz], -1), np.stack([cxz, czz], -1)], -2)  # (..., W, 1, 2, 2)
    det = cxx * czz - cxz * cxz
    scale = np.maximum(cxx * czz, np.finfo(float).tiny)
    bad = ~np.isfinite(det) | (det <= 1e-12 * scale) | (n_e < 3)
    A = np.where(bad[..., None, None], np.eye(2), A)
    rhs = np.stack([cxy, czy], -1)
    beta = np.linalg.solve(A, rhs[..., None])[..., 0]  # (..., W, 1, 2)
    A_inv = np.linalg.solve(A, np.broadcast_to(np.eye(2), A.shape))
    b1, b2 = beta[..., 0], beta[..., 1]
    alpha = my - b1 * mx - b2 * mz
    ssr = np.maximum(cyy - b1 * cxy - b2 * czy, 0.0)
    s2 = np.where(bad, np.nan, ssr / (n_e - 3))
    L, sxk, szk, syk = Sk[0], Sk[1], Sk[2], Sk[3]
    car = syk - L * alpha - b1 * sxk - b2 * szk
    d = np.stack([sxk - L * mx, szk - L * mz], -1)  # (..., W, K, 2)
    quad = np.einsum("...i,...ij,...j->...", d, A_inv, d)
    var = s2 * (L + L**2 / nn + quad)
    return n_e, car, var
