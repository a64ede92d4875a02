"""Synthetic designs with known truth for the specification-curve tests and benchmark.

- :func:`ols_data`, :func:`ols_one` (statsmodels, one specification per call) and
  :class:`BatchedOLS` (numpy, every specification in one batched solve): the same OLS design,
  ``y = effect * x + c1 + 0.5 c2 + e`` with controls correlated with ``x``.
- :func:`panel_data` and :class:`OneTreatedPanel`: a difference in means for one treated unit
  against the others, with placebo draws that reassign treatment to another unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from potash.estimators.speccurve import InadmissibleSpecification

OLS_GRID = {
    "controls": ["none", "c1", "c1+c2"],
    "sample": ["all", "first_half", "second_half"],
    "trim": [0.0, 0.01, 0.05],
    "cov": ["nonrobust", "HC1"],
}
_CONTROLS = {"none": [], "c1": ["c1"], "c1+c2": ["c1", "c2"]}


def ols_data(n: int = 300, effect: float = 0.3, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c1 = rng.normal(size=n)
    c2 = rng.normal(size=n)
    x = 0.4 * c1 + 0.3 * c2 + rng.normal(size=n)
    y = effect * x + c1 + 0.5 * c2 + rng.normal(size=n)
    return pd.DataFrame({"y": y, "x": x, "c1": c1, "c2": c2})


def _rows(data: pd.DataFrame, sample: str, trim: float) -> np.ndarray:
    n = len(data)
    keep = np.ones(n, dtype=bool)
    if sample == "first_half":
        keep[n // 2 :] = False
    elif sample == "second_half":
        keep[: n // 2] = False
    elif sample == "tiny":
        keep[5:] = False
    if trim > 0:
        y = data["y"].to_numpy()
        lo, hi = np.quantile(y, [trim, 1 - trim])
        keep &= (y >= lo) & (y <= hi)
    return keep


def _permuted(data: pd.DataFrame, placebo: Any) -> pd.DataFrame:
    """Under a null draw, ``x`` is permuted with the seed ``placebo`` (randomization inference)."""
    if placebo is None:
        return data
    x = np.random.default_rng(int(placebo)).permutation(data["x"].to_numpy())
    return data.assign(x=x)


def ols_one(
    data: pd.DataFrame, *, controls: str, sample: str, trim: float, cov: str, placebo: Any = None
) -> dict:
    """One specification with statsmodels (the per-spec path)."""
    data = _permuted(data, placebo)
    keep = _rows(data, sample, trim)
    cols = ["x", *_CONTROLS[controls]]
    if keep.sum() < 10:
        raise InadmissibleSpecification(f"{int(keep.sum())} observations, fewer than 10")
    d = data[keep]
    fit = sm.OLS(d["y"], sm.add_constant(d[cols])).fit(cov_type=cov)
    return {
        "estimate": fit.params["x"],
        "se": fit.bse["x"],
        "p_value": fit.pvalues["x"],
        "n": int(fit.nobs),
    }


class BatchedOLS:
    """The same design, every specification in one batched normal-equations solve.

    Each specification is a 0/1 row weight and a column mask; excluded columns get an
    identity block, so their coefficient is exactly 0 and the others are the subset OLS.
    """

    def __init__(self, data: pd.DataFrame) -> None:
        self.data = data
        self.X = np.column_stack([np.ones(len(data)), data[["x", "c1", "c2"]].to_numpy()])
        self.y = data["y"].to_numpy()

    def run(self, specs: pd.DataFrame, placebo: Any = None) -> pd.DataFrame:
        X, y = self.X, self.y
        if placebo is not None:
            X = X.copy()
            X[:, 1] = _permuted(self.data, placebo)["x"].to_numpy()
        S, p = len(specs), X.shape[1]
        key = tuple(zip(specs["sample"], specs["trim"], strict=True))
        if getattr(self, "_key", None) != key:  # row weights depend on the specs only: cache
            self._key = key
            self._W = np.stack([_rows(self.data, s, t) for s, t in key]).astype(float)
        W = self._W
        cmask = np.ones((S, p), dtype=bool)
        ctrl = specs["controls"].to_numpy()
        cmask[:, 2] = ctrl != "none"
        cmask[:, 3] = ctrl == "c1+c2"
        XX = (X[:, :, None] * X[:, None, :]).reshape(len(X), p * p)  # cross products, (n, p*p)
        XtWX = (W @ XX).reshape(S, p, p)
        XtWy = W @ (X * y[:, None])
        out = cmask[:, :, None] & cmask[:, None, :]
        eye = np.broadcast_to(np.eye(p, dtype=bool), out.shape)
        A = np.where(out, XtWX, np.where(eye, 1.0, 0.0))
        rhs = np.where(cmask, XtWy, 0.0)
        inv = np.linalg.inv(A)
        beta = np.einsum("sij,sj->si", inv, rhs)
        e = y[None, :] - beta @ X.T
        nobs = W.sum(axis=1)
        k = cmask.sum(axis=1)
        ssr = np.einsum("sn,sn->s", W, e**2)
        var_classic = ssr / (nobs - k) * inv[:, 1, 1]
        meat = ((W * e**2) @ XX).reshape(S, p, p)
        meat = np.where(out, meat, 0.0)
        row = inv[:, 1, :]  # the x coefficient's row of the bread
        var_hc1 = np.einsum("si,sij,sj->s", row, meat, row) * nobs / (nobs - k)
        var = np.where(specs["cov"].to_numpy() == "HC1", var_hc1, var_classic)
        se = np.sqrt(var)
        t = beta[:, 1] / se
        # statsmodels fit(cov_type="nonrobust") uses t(n - k); robust covariances use normal
        p_t = 2 * stats.t.sf(np.abs(t), nobs - k)
        p_n = 2 * stats.norm.sf(np.abs(t))
        pval = np.where(specs["cov"].to_numpy() == "HC1", p_n, p_t)
        reason = np.where(nobs < 10, "too few observations", None)
        return pd.DataFrame(
            {"estimate": beta[:, 1], "se": se, "p_value": pval, "n": nobs, "skip_reason": reason}
        )


PANEL_GRID = {"pre_start": [0, 6], "post_start": [18, 20, 22], "control": ["mean", "median"]}


def panel_data(n_units: int = 20, n_periods: int = 30, effect: float = 0.0, seed: int = 0):
    """Units x periods, exchangeable under the null; unit 0 gets ``effect`` from period 20."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n_periods, 1)) + rng.normal(size=(1, n_units)) + rng.normal(
        size=(n_periods, n_units)
    )
    y[20:, 0] += effect
    return y


class OneTreatedPanel:
    """Difference in pre/post means of the treated unit minus the others (mean or median).

    ``placebo`` is the unit treated in a null draw (default unit 0, the real one); the real
    treated unit is then one of the controls, as in an in-space permutation.
    """

    def __init__(self, y: np.ndarray) -> None:
        self.y = y

    def run(self, specs: pd.DataFrame, placebo: Any = None) -> pd.DataFrame:
        y = self.y
        T, N = y.shape
        unit = 0 if placebo is None else int(placebo)
        others = np.delete(y, unit, axis=1)
        d = {
            "mean": y[:, unit] - others.mean(axis=1),
            "median": y[:, unit] - np.median(others, axis=1),
        }
        D = np.stack([d[c] for c in specs["control"]])  # (S, T)
        t = np.arange(T)
        pre = (t[None, :] >= specs["pre_start"].to_numpy()[:, None]) & (
            t[None, :] < specs["post_start"].to_numpy()[:, None]
        )
        post = ~pre & (t[None, :] >= specs["post_start"].to_numpy()[:, None])
        n_pre, n_post = pre.sum(1), post.sum(1)
        m_pre = (D * pre).sum(1) / n_pre
        m_post = (D * post).sum(1) / n_post
        v_pre = (((D - m_pre[:, None]) ** 2) * pre).sum(1) / (n_pre - 1)
        v_post = (((D - m_post[:, None]) ** 2) * post).sum(1) / (n_post - 1)
        return pd.DataFrame(
            {
                "estimate": m_post - m_pre,
                "se": np.sqrt(v_pre / n_pre + v_post / n_post),
                "n": n_pre + n_post,
            }
        )
