"""High-dimensional fixed-effects regressions (OLS and Poisson PPML) and randomization inference.

Thin, tested wrappers around :mod:`pyfixest` (``feols``/``fepois``, the Python port of R
``fixest``; fixed effects are absorbed, never built as dummies, so importer x month x origin
panels with thousands of effects fit in seconds). The study choices (which terms, which fixed
effects, which clusters) are arguments; nothing here knows about Belarus.

:func:`fe_fit` returns a tidy coefficient table; :func:`permutation_pvalues` permutes a label
column within groups (or across units), refits, and returns ``(1 + #|b*| >= |b|) / (1 + B)``
two-sided randomization p-values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from potash.core.options import check_option

__all__ = ["fe_fit", "interaction_terms", "permutation_pvalues", "within_ols_coefs"]

Family = Literal["ols", "poisson"]


def interaction_terms(
    data: pd.DataFrame, unit_col: str, units: Sequence[str], window_col: str,
    windows: Sequence[str], *, sep: str = "_x_",
) -> pd.DataFrame:
    """0/1 columns ``<unit><sep><window>`` for each unit in ``units`` and window in ``windows``.

    Examples
    --------
    >>> d = pd.DataFrame({"o": ["A", "B", "A"], "w": ["pre", "pre", "post"]})
    >>> interaction_terms(d, "o", ["A"], "w", ["pre", "post"]).values.tolist()
    [[1, 0], [0, 0], [0, 1]]
    """
    u = data[unit_col].astype(str).to_numpy()
    w = data[window_col].astype(str).to_numpy()
    cols = {f"{a}{sep}{b}": ((u == a) & (w == b)).astype("int64") for a in units for b in windows}
    return pd.DataFrame(cols, index=data.index)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def fe_fit(
    data: pd.DataFrame,
    y: str,
    terms: Sequence[str],
    fe: Sequence[str],
    *,
    family: Family = "ols",
    cluster: str | None = None,
    weights: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Fit ``y ~ terms | fe`` by OLS or Poisson PPML with absorbed fixed effects (pyfixest).

    Parameters
    ----------
    data : DataFrame
        Estimation sample.
    y : str
        Outcome (log unit value for OLS; a non-negative flow for Poisson).
    terms : sequence of str
        Regressor columns (numeric).
    fe : sequence of str
        Fixed-effect columns (each a categorical id; combine dimensions beforehand, e.g.
        importer x month as one string column).
    family : {"ols", "poisson"}
        ``feols`` or ``fepois``.
    cluster : str, optional
        Column for one-way clustered (CRV1) standard errors; heteroskedasticity-robust
        (HC1) if None.
    weights : str, optional
        Regression weights column (OLS only).
    level : float
        Confidence level of the normal/t interval reported by pyfixest.

    Returns
    -------
    DataFrame
        Index ``term``; columns ``estimate, se, statistic, p_value, ci_low, ci_high, n_obs``.
        Terms that pyfixest drops (collinear with the fixed effects) are absent.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"g": np.repeat(np.arange(50), 4), "x": rng.normal(size=200)})
    >>> d["y"] = 0.5 * d["x"] + d["g"] * 0.1 + rng.normal(scale=0.01, size=200)
    >>> round(float(fe_fit(d, "y", ["x"], ["g"]).loc["x", "estimate"]), 2)
    0.5
    """
    check_option("family", family, Family)
    import pyfixest as pf

    cols = [y, *terms, *fe] + ([cluster] if cluster else []) + ([weights] if weights else [])
    d = data[list(dict.fromkeys(cols))].copy()
    ren = {c: f"v{i}_{_safe(c)}" for i, c in enumerate(d.columns)}
    d = d.rename(columns=ren)
    for c in fe:
        d[ren[c]] = d[ren[c]].astype(str)
    rhs = " + ".join(ren[t] for t in terms)
    formula = f"{ren[y]} ~ {rhs} | " + " + ".join(ren[c] for c in fe)
    vcov: str | dict[str, str] = {"CRV1": ren[cluster]} if cluster else "hetero"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "ols":
            fit = pf.feols(formula, data=d, vcov=vcov,
                           weights=ren[weights] if weights else None)
        else:
            fit = pf.fepois(formula, data=d, vcov=vcov)
        tid = fit.tidy(alpha=1 - level)
    back = {v: k for k, v in ren.items()}
    out = pd.DataFrame({
        "estimate": tid["Estimate"].to_numpy(float), "se": tid["Std. Error"].to_numpy(float),
        "statistic": tid["t value"].to_numpy(float), "p_value": tid["Pr(>|t|)"].to_numpy(float),
        "ci_low": tid.iloc[:, 4].to_numpy(float), "ci_high": tid.iloc[:, 5].to_numpy(float),
    }, index=pd.Index([back[t] for t in tid.index], name="term"))
    out["n_obs"] = int(fit._N)
    return out


def permutation_pvalues(
    data: pd.DataFrame,
    fit: Callable[[pd.DataFrame], pd.Series],
    label: str,
    *,
    within: str | None = None,
    n_perm: int = 199,
    seed: int = 0,
    draws: Sequence[pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Randomization inference: permute ``label`` (within ``within`` groups), refit, compare.

    Parameters
    ----------
    data : DataFrame
        Estimation sample.
    fit : callable
        ``fit(data) -> Series`` of the statistics (coefficients by term).
    label : str
        Column whose values are permuted (e.g. the origin of each row).
    within : str, optional
        Permute only within these groups (e.g. importer x month): the null keeps each group's
        set of labels. None permutes across all rows.
    n_perm : int
        Number of permutations (B); p-values are ``(1 + #{|b*| >= |b|}) / (1 + B)``.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    draws : sequence of DataFrame, optional
        Precomputed permuted datasets (overrides ``n_perm``), e.g. for in-space placebo
        reassignments.

    Returns
    -------
    DataFrame
        Index term; ``estimate, ri_p_value, n_draws``.

    Examples
    --------
    >>> d = pd.DataFrame({"g": np.repeat([0, 1, 2, 3], 2), "o": ["A", "B"] * 4,
    ...                   "y": [1.0, 0.0] * 4})
    >>> f = lambda x: pd.Series({"gap": x.loc[x.o == "A", "y"].mean() - x.loc[x.o == "B", "y"].mean()})
    >>> float(permutation_pvalues(d, f, "o", within="g", n_perm=99).loc["gap", "ri_p_value"]) < 0.2
    True
    """
    if n_perm < 1 and draws is None:
        raise ValueError(f"n_perm: need at least one permutation, got {n_perm}")
    obs = fit(data)
    if draws is None:
        rng = np.random.default_rng(seed)
        lab = data[label].to_numpy()
        if within is None:
            codes = np.zeros(len(data), dtype=np.int64)
        else:
            codes = pd.factorize(data[within])[0]
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]

        def one() -> pd.DataFrame:
            # random keys sorted within each group: a uniform permutation inside every group
            key = rng.random(len(data))
            perm = order[np.lexsort((key[order], sorted_codes))]
            new = np.empty_like(lab)
            new[order] = lab[perm]
            d = data.copy()
            d[label] = new
            return d

        stats = [fit(one()) for _ in range(n_perm)]
    else:
        stats = [fit(d) for d in draws]
    null = pd.DataFrame(stats).reindex(columns=obs.index)
    exceed = (null.abs().to_numpy() >= np.abs(obs.to_numpy()) - 1e-12).sum(axis=0)
    b = len(null)
    return pd.DataFrame({"estimate": obs.to_numpy(float), "ri_p_value": (1 + exceed) / (1 + b),
                         "n_draws": b}, index=obs.index.rename("term"))


def within_ols_coefs(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """OLS slopes with one absorbed fixed effect, by the within (group-demeaning) transformation.

    Equal to ``feols(y ~ x | groups)`` point estimates (Frisch-Waugh-Lovell); a fast path for
    randomization draws, where only ``x`` changes. Columns without within variation give NaN.

    Parameters
    ----------
    y : ndarray, shape (n,)
    x : ndarray, shape (n, k)
    groups : ndarray, shape (n,)
        Group labels of the fixed effect.

    Examples
    --------
    >>> g = np.array([0, 0, 1, 1]); x = np.array([[0.0], [1.0], [0.0], [1.0]])
    >>> within_ols_coefs(np.array([1.0, 3.0, 5.0, 7.0]), x, g).round(6).tolist()
    [2.0]
    """
    codes = pd.factorize(groups)[0]
    n_g = codes.max() + 1
    cnt = np.bincount(codes, minlength=n_g).astype(float)
    xx = np.asarray(x, float)
    yy = np.asarray(y, float)
    xd = xx - (np.stack([np.bincount(codes, weights=xx[:, j], minlength=n_g)
                         for j in range(xx.shape[1])], axis=1) / cnt[:, None])[codes]
    yd = yy - (np.bincount(codes, weights=yy, minlength=n_g) / cnt)[codes]
    keep = (np.abs(xd) > 1e-12).any(axis=0)
    out = np.full(xx.shape[1], np.nan)
    if keep.any():
        out[keep] = np.linalg.lstsq(xd[:, keep], yd, rcond=None)[0]
    return out
