"""``event_study``: the public entry point of the returns event study."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.estimators.eventstudy.engine import Prepared, estimation_residuals, fit_models, prepare
from potash.estimators.eventstudy.results import EventStudyResults
from potash.estimators.eventstudy.stats import (
    ROBUST_TO_CLUSTERING,
    GroupArrays,
    _grank_pairs,
    _nanmean,
    battery,
    pair_ranks,
)

__all__ = ["event_study"]

POOLED = "pooled"


def event_study(
    returns: pd.DataFrame,
    market: pd.Series | pd.DataFrame | None,
    events: Any,
    *,
    estimation_window: Any = (-250, -11),
    event_window: Any = (-1, 2),
    model: str = "market",
    convention: str = "textbook",
    non_trading: str = "next",
    min_estimation_obs: int | None = None,
    regressors: pd.DataFrame | None = None,
    mask_events: bool = False,
    mask_dates: Any = None,
) -> EventStudyResults:
    """Run a returns event study: abnormal returns, CARs and the full test battery.

    Parameters
    ----------
    returns : DataFrame
        Wide table of (simple or log) returns: index dates (the trading calendar), one column
        per security. Missing values are allowed and reported per event and security.
    market : Series or DataFrame or None
        The market return (``model="market"`` / ``"market_adjusted"``), a frame of factors
        (``model="factor"``), or the market for ``model="augmented"``. ``None`` only for
        ``model="constant_mean"``.
    events : date, list of dates, or DataFrame
        One date, a list, or a frame with ``event_id, date`` and optionally ``security`` (a date
        per security). Without ``security`` every security is studied on every event.
    estimation_window, event_window : tuple
        Either relative trading days around the (shifted) event day, e.g. ``(-250, -11)`` and
        ``(-1, 2)``, which move with the event; or two calendar dates ``("2019-04-01",
        "2020-03-13")``; or a mapping ``{event_id: (start, end)}`` of dates per event.
    model : {"market", "constant_mean", "market_adjusted", "factor", "augmented"}
        Normal-return model, estimated by OLS on the estimation window.
    convention : {"textbook", "estudy2"}
        ``"textbook"`` (MacKinlay 1997: M - k degrees of freedom, forecast-error corrected
        variances) or ``"estudy2"`` (reproduces the R package estudy2; see
        :mod:`potash.estimators.eventstudy.stats`).
    non_trading : {"next", "previous", "raise"}
        Where an event on a non-trading day moves; every move is in ``results.shifts``.
    min_estimation_obs : int, optional
        Fewest estimation observations for a pair to be used (default: half the estimation
        window, at least k + 3).
    regressors : DataFrame, optional
        Extra regressors of the augmented market model (e.g. an FX factor).
    mask_events : bool, default False
        Drop from each pair's estimation window the days of the other studied events' event
        windows (same security), so that one event's return does not inflate another's
        residual variance; the count is ``data_quality["masked_estimation_days"]``.
    mask_dates : sequence of dates, optional
        Further dates whose event window (the hull of the relative event days, from the next
        trading day) is dropped from every estimation window (e.g. the studied events when
        running placebo dates).

    Returns
    -------
    EventStudyResults

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> dates = pd.bdate_range("2021-01-01", periods=300)
    >>> mkt = pd.Series(rng.normal(0, 0.01, 300), index=dates, name="SPY")
    >>> rets = pd.DataFrame({"A": 0.001 + 1.2 * mkt + rng.normal(0, 0.01, 300),
    ...                      "B": 0.8 * mkt + rng.normal(0, 0.01, 300)}, index=dates)
    >>> res = event_study(rets, mkt, "2022-01-15", estimation_window=(-200, -11))
    >>> row = res.shifts.iloc[0]
    >>> str(row["date"].date()), str(row["trading_date"].date()), int(row["shift_days"])
    ('2022-01-15', '2022-01-17', 2)
    >>> bool(abs(res.params.loc[("2022-01-15", "A"), "beta"] - 1.2) < 0.2)
    True
    """
    p = prepare(
        returns,
        market,
        events,
        estimation_window=estimation_window,
        event_window=event_window,
        model=model,
        convention=convention,
        non_trading=non_trading,
        min_estimation_obs=min_estimation_obs,
        regressors=regressors,
        mask_events=mask_events,
        mask_dates=mask_dates,
    )
    try:
        fit = fit_models(p, residuals=False)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"the normal-return model is singular in an estimation window: the regressors "
            f"{p.factor_names} are constant or collinear there (shorten or move "
            "estimation_window, or drop a regressor)"
        ) from None
    E, S = p.requested.shape
    days = p.days

    # -- standardised abnormal returns -------------------------------------------------------
    sigma2 = fit.sigma2
    with np.errstate(invalid="ignore", divide="ignore"):
        if convention == "estudy2" and model == "market":
            # estudy2: 1 + 1/M + (m_t - mean(m))^2 / Sxx with the market's mean and Sxx over the
            # whole estimation window (every day, also days the security is missing)
            mfull = p.market_full_est
            mbar = _nanmean(mfull, -1)
            sxx = np.nansum((mfull - mbar[..., None]) ** 2, axis=-1)
            corr = (
                1.0
                + 1.0 / fit.n_obs[..., None]
                + (p.x_evt[..., 0] - mbar[..., None]) ** 2 / sxx[..., None]
            )
        else:
            corr = 1.0 + fit.h_evt
        sar = fit.ar_evt / np.sqrt(sigma2[..., None] * corr)
        expected = (p.extra["rel_hi"] - p.extra["rel_lo"] + 1).astype(float)
        present = np.isfinite(fit.ar_evt).sum(axis=-1)
        complete = present == expected
        car = np.where(complete, np.nansum(fit.ar_evt, axis=-1), np.nan)
        var_car = sigma2 * (expected + fit.h_car)
        scar = car / np.sqrt(var_car)

    # -- data quality ------------------------------------------------------------------------
    pr = p.pairs
    e, s = pr["_e"].to_numpy(), pr["_s"].to_numpy()
    n_obs = fit.n_obs[e, s]
    exp_pair = expected[e, s]
    pres_pair = present[e, s]
    # a security whose returns do not vary over the estimation window (sigma 0: SCAR -inf)
    # is excluded with a record, never standardised and pooled
    sig_pair = sigma2[e, s]
    with np.errstate(invalid="ignore", divide="ignore"):
        y_sd_grid, y_scale_grid = _window_sd_and_scale(p.est_mask, p.y_est)
        y_sd, y_scale = y_sd_grid[e, s], y_scale_grid[e, s]
        # constant over the window: no spread beyond rounding of the level
        constant = ~(y_sd > 1e-12 * np.maximum(y_scale, 1e-300))
        # fitted exactly by the model: residual variance at rounding error of the returns
        zero_var = ~(sig_pair > 1e-18 * np.maximum(y_sd**2 + y_scale**2, 1e-300))
    if model == "market_adjusted":
        zero_var = ~(sig_pair > 0)
    exact_fit = zero_var & ~constant
    outcome = np.select(
        [
            pr["event_outside_data"].to_numpy(),
            n_obs < p.min_obs,
            constant,
            exact_fit,
            pres_pair == 0,
            pres_pair < exp_pair,
        ],
        [
            "event_outside_data",
            "too_few_estimation_obs",
            "constant_returns",
            "zero_residual_variance",
            "no_event_window_data",
            "missing_in_event_window",
        ],
        default="ok",
    )
    zero = np.isin(outcome, ["constant_returns", "zero_residual_variance"])
    if zero.any():
        bad = sorted(set(pr["security"].to_numpy()[zero]))
        warnings.warn(
            f"event_study: {', '.join(map(str, bad))} have zero residual variance over the "
            "estimation window (constant returns, or returns the model fits exactly): their "
            "standardised returns would be infinite, so they are excluded; see "
            "data_quality['outcome']",
            UserWarning,
            stacklevel=2,
        )
    in_daily = np.isin(outcome, ["ok", "missing_in_event_window"])
    in_car = outcome == "ok"
    inc_grid = np.zeros((E, S), dtype=bool)
    inc_grid[e, s] = in_daily
    inc_car_grid = np.zeros((E, S), dtype=bool)
    inc_car_grid[e, s] = in_car
    if not in_daily.any():
        counts = pd.Series(outcome).value_counts().to_dict()
        raise PotashDataError(
            f"no security-event pair can be studied: {counts} "
            f"(min_estimation_obs={p.min_obs}; calendar {p.calendar[0].date()}.."
            f"{p.calendar[-1].date()})",
            file="returns",
        )

    # -- overlap: another event's window inside this pair's estimation window -----------------
    est_first = p.est_first
    est_last = est_first + p.extra["est_len"] - 1
    ev_first = p.t0 + p.extra["rel_lo"]
    ev_last = p.t0 + p.extra["rel_hi"]
    ok_pair = p.requested & (p.t0 >= 0)
    ov = (
        (ev_first[None, :, :] <= est_last[:, None, :])
        & (ev_last[None, :, :] >= est_first[:, None, :])
        & ok_pair[None, :, :]
        & ok_pair[:, None, :]
        & ~np.eye(E, dtype=bool)[:, :, None]
    )  # (e, f, s): event f's window inside e's estimation window, same security
    # one label per distinct overlap pattern (few), not one string build per pair
    pattern = ov.transpose(0, 2, 1)[e, s]  # (pairs, E)
    uniq, inv = _unique_rows(pattern)
    labels = [", ".join(p.event_ids[f] for f in np.flatnonzero(u)) for u in uniq]
    overlap_with = [labels[i] for i in np.asarray(inv).ravel()]
    # event windows of one security that overlap each other (the same return counted twice)
    ew = (
        (ev_first[None, :, :] <= ev_last[:, None, :])
        & (ev_last[None, :, :] >= ev_first[:, None, :])
        & ok_pair[None, :, :]
        & ok_pair[:, None, :]
        & ~np.eye(E, dtype=bool)[:, :, None]
    )
    ew_pattern = ew.transpose(0, 2, 1)[e, s]
    ew_uniq, ew_inv = _unique_rows(ew_pattern)
    ew_labels = [", ".join(p.event_ids[f] for f in np.flatnonzero(u)) for u in ew_uniq]
    ew_with = [ew_labels[i] for i in np.asarray(ew_inv).ravel()]

    dq = pd.DataFrame(
        {
            "event_id": pr["event_id"].to_numpy(),
            "security": pr["security"].to_numpy(),
            "event_date": pr["date"].to_numpy(),
            "trading_date": pr["trading_date"].to_numpy(),
            "shift_days": pr["shift_days"].to_numpy(),
            "estimation_start": pr["estimation_start"].to_numpy(),
            "estimation_end": pr["estimation_end"].to_numpy(),
            "estimation_days": pr["estimation_days"].to_numpy(),
            "n_estimation": n_obs,
            "masked_estimation_days": p.extra["masked"][e, s],
            "estimation_coverage": np.where(
                pr["estimation_days"].to_numpy() > 0,
                n_obs / np.maximum(pr["estimation_days"].to_numpy(), 1),
                0.0,
            ),
            "event_days": exp_pair.astype(int),
            "event_window_coverage": np.where(
                exp_pair > 0, pres_pair / np.maximum(exp_pair, 1), 0.0
            ),
            "overlap": pattern.any(axis=1),
            "overlap_with": overlap_with,
            "event_window_overlap": ew_pattern.any(axis=1),
            "event_window_overlap_with": ew_with,
            "event_date_note": pr["date_note"].to_numpy(),
            "outcome": outcome,
            "in_daily_tests": in_daily,
            "in_car_tests": in_car,
        }
    )

    # -- clusters: pairs on the same trading event day with the same estimation dates ---------
    key = np.where(ok_pair, p.t0 * 10_000_019 + est_first * 1_009 + p.extra["est_len"], -1)
    _, cluster = np.unique(key.ravel(), return_inverse=True)
    cluster = cluster.reshape(E, S)

    # -- Lamb forecast-error factor per group ----------------------------------------------------
    def lamb_factors(inc: np.ndarray, idx_e: np.ndarray, idx_s: np.ndarray):
        # inc (G, N); idx_e/idx_s (G, N) map group pairs to the (E, S) grid
        h = fit.h_evt[idx_e, idx_s]  # (G, N, T)
        hc = fit.h_car[idx_e, idx_s]
        nE = expected[idx_e, idx_s]
        with np.errstate(invalid="ignore"):
            c = 1.0 + _nanmean(np.where(inc[..., None], h, np.nan), 1)
            c_car = _nanmean(np.where(inc, nE + hc, np.nan), 1)
        if convention == "estudy2" and model == "market":
            # estudy2: the first security's market over the whole estimation window
            G = inc.shape[0]
            first = np.argmax(inc, axis=1)
            fe, fs = idx_e[np.arange(G), first], idx_s[np.arange(G), first]
            mfull = np.broadcast_to(p.market_full_est, (E, S, p.y_est.shape[-1]))[fe, fs]
            mbar = _nanmean(mfull, 1)
            sxx = np.nansum((mfull - mbar[:, None]) ** 2, axis=1)
            mean_m = np.array([fit.n_obs[idx_e[g], idx_s[g]][inc[g]].mean() for g in range(G)])
            mt = np.broadcast_to(p.x_evt[..., 0], (E, S, len(days)))[fe, fs]  # (G, T)
            c = 1.0 + 1.0 / mean_m[:, None] + (mt - mbar[:, None]) ** 2 / sxx[:, None]
        return c, c_car

    fit.ar_est = estimation_residuals(p, fit)  # the statistics need the residuals

    # rank quantities depend only on the pair, so they are computed once for all groupings
    pr_rk = pair_ranks(fit.ar_est, fit.ar_evt, inc_grid)
    grank_pairs = _grank_pairs(pr_rk["est_r2"], pr_rk["est_sorted"], sigma2, inc_grid)
    corr_cache: dict = {}

    pair_keys = ("delta_full", "avg_rank", "pos_est", "n_est")
    sum_keys = [k for k in pr_rk if k.startswith(("sum_", "cnt_"))]

    def group_arrays(idx_e, idx_s, inc, inc_car, pooled=False):
        # the groupings hold the (E, S) pairs in their order: per event the grid itself,
        # pooled one group of E * S pairs (views, no copies)
        def view(x):
            return x.reshape((1, E * S) + x.shape[2:]) if pooled else x

        c, c_car = lamb_factors(inc, idx_e, idx_s)
        pq = {k: view(pr_rk[k]) for k in pair_keys}
        for k in sum_keys:  # position sums: per event, or summed over events when pooled
            pq[k] = pr_rk[k].sum(axis=0, keepdims=True) if pooled else pr_rk[k]
        return GroupArrays(
            ar_est=view(fit.ar_est),
            ar=view(fit.ar_evt),
            sar=view(sar),
            car=view(car),
            scar=view(scar),
            sigma2=view(sigma2),
            n_obs=view(fit.n_obs).astype(float),
            inc=inc,
            inc_car=inc_car,
            cluster=view(cluster),
            lamb_c=c,
            lamb_c_car=c_car,
            var_car=view(var_car),
            pq=pq,
            grank=grank_pairs,
            k=max(fit.k, 1) if model != "market_adjusted" else 0,
            convention=convention,
            corr_cache=corr_cache,
        )

    ge, gs = np.meshgrid(np.arange(E), np.arange(S), indexing="ij")
    per_event = battery(group_arrays(ge, gs, inc_grid, inc_car_grid))
    groups = list(p.event_ids)
    results_list = [per_event]
    if E > 1:
        pe, ps = ge.reshape(1, -1), gs.reshape(1, -1)
        pooled = battery(
            group_arrays(pe, ps, inc_grid.reshape(1, -1), inc_car_grid.reshape(1, -1), True)
        )
        results_list.append(pooled)
        groups.append(POOLED)

    # -- tidy outputs ------------------------------------------------------------------------
    tests, aar, caar, rbar, sdp = _tidy(results_list, groups, days, convention, p)

    idx = pd.MultiIndex.from_arrays(
        [dq["event_id"], dq["security"]], names=["event_id", "security"]
    )
    ar_frame = pd.DataFrame(fit.ar_evt[e, s], index=idx, columns=pd.Index(days, name="day"))
    names = ["alpha"] + (
        ["beta"] if model in ("market", "market_adjusted") else list(p.factor_names)
    )
    params = pd.DataFrame(fit.params[e, s][:, : len(names)], index=idx, columns=names)
    params["sigma"] = np.sqrt(sigma2[e, s])
    params["n_obs"] = n_obs
    car_frame = pd.DataFrame(
        {"car": car[e, s], "var_car": var_car[e, s], "scar": scar[e, s]}, index=idx
    )

    # calendar clustering: several included pairs on one trading day
    inc_dq = dq[dq["in_daily_tests"]]
    # the events of a trading day from its distinct (day, event) rows (few), not every pair
    ev_of_day = (
        inc_dq[["trading_date", "event_id"]]
        .drop_duplicates()
        .groupby("trading_date")
        .agg(events=("event_id", lambda x: ", ".join(sorted(set(x)))))
    )
    clusters = (
        inc_dq.groupby("trading_date")
        .agg(n_pairs=("security", "size"))
        .join(ev_of_day)
        .reset_index()
    )
    clusters = clusters[clusters["n_pairs"] > 1].reset_index(drop=True)
    shifts = dq.loc[
        dq["shift_days"].fillna(0) != 0, ["event_id", "event_date", "trading_date", "shift_days"]
    ]
    shifts = (
        shifts.drop_duplicates("event_id")
        .rename(columns={"event_date": "date"})
        .reset_index(drop=True)
    )

    return EventStudyResults(
        ar=ar_frame,
        car=car_frame,
        aar=aar,
        caar=caar,
        params=params,
        tests=tests,
        data_quality=dq,
        shifts=shifts,
        clusters=clusters,
        rbar=rbar,
        sd_portfolio=sdp,
        days=days,
        model=model,
        convention=convention,
        groups=groups,
        calendar_dates=_calendar_dates(p),
    )


def _calendar_dates(p: Prepared) -> pd.DataFrame:
    """Calendar date of each relative day per event (first requested pair of the event)."""
    out = {}
    for ei, ev in enumerate(p.event_ids):
        si = int(np.argmax(p.requested[ei]))
        t0 = p.t0[ei, si]
        if t0 < 0:
            continue
        pos = t0 + p.days
        ok = (pos >= 0) & (pos < len(p.calendar))
        vals = p.calendar.to_numpy()[np.clip(pos, 0, len(p.calendar) - 1)].copy()
        vals[~ok] = np.datetime64("NaT")
        out[ev] = pd.Series(vals, index=p.days)
    return pd.DataFrame(out)


def _tidy(results_list, groups, days, convention, p):
    cols: dict[str, list] = {
        k: []
        for k in (
            "event_id",
            "window",
            "day",
            "statistic",
            "mean",
            "value",
            "p_value",
            "df",
            "null_distribution",
            "n",
        )
    }
    aar_cols, caar_cols, rbar, sdp = {}, {}, {}, {}
    g0 = 0
    for res in results_list:
        G = res["aar"].shape[0]
        labels = np.asarray(groups[g0 : g0 + G], dtype=object)
        g0 += G
        for gi, lab in enumerate(labels):
            aar_cols[lab] = res["aar"][gi]
            rbar[lab] = res["rbar"][gi]
            sdp[lab] = res["sd_portfolio"][gi]
            caar_cols[lab] = res["caar"][gi]
        for scope in ("day", "window"):
            if scope == "day":
                gi, ti = np.meshgrid(np.arange(G), np.arange(len(days)), indexing="ij")
                gi, ti = gi.ravel(), ti.ravel()
                day_col = days[ti].astype("float")
                mean = res["aar"][gi, ti]
            else:
                gi = np.arange(G)
                day_col = np.full(G, np.nan)
                mean = res["caar"]
            size = len(gi)
            for name, d in res[scope].items():
                cols["event_id"].append(labels[gi])
                cols["window"].append(
                    np.full(size, "day" if scope == "day" else "car", dtype=object)
                )
                cols["day"].append(day_col)
                cols["statistic"].append(np.full(size, name, dtype=object))
                cols["mean"].append(mean)
                cols["value"].append(d["value"].reshape(-1))
                cols["p_value"].append(d["p_value"].reshape(-1))
                cols["df"].append(d["df"].reshape(-1))
                cols["null_distribution"].append(d["dist"].reshape(-1).astype(str).astype(object))
                cols["n"].append(d["n"].reshape(-1))
    tests = pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()})
    tests["day"] = tests["day"].astype("Int64")
    tests["n"] = tests["n"].astype("Int64")
    tests["convention"] = convention
    tests["robust_to_clustering"] = tests["statistic"].isin(ROBUST_TO_CLUSTERING)
    tests["assumes_independence"] = ~tests["robust_to_clustering"]
    aar = pd.DataFrame(aar_cols, index=pd.Index(days, name="day"))
    caar = aar.cumsum()
    return tests, aar, caar, pd.Series(rbar, name="rbar"), pd.Series(sdp, name="sd_portfolio")


def _window_sd_and_scale(mask: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nanstd`` and ``np.nanmax(abs(.), initial=0)`` over the last axis of ``y`` where
    ``mask``, by numpy's own steps (so the same numbers) but without the NaN-filled copy and
    its fancy-indexed copy; a row with no values has sd NaN (numpy also warns).
    """
    valid = mask & ~np.isnan(y)
    arr = np.where(valid, y, 0.0)
    scale = np.max(np.abs(arr), axis=-1, initial=0.0)
    cnt = np.sum(valid, axis=-1, dtype=np.intp, keepdims=True)
    avg = np.sum(arr, axis=-1, keepdims=True)
    avg = np.true_divide(avg, cnt, out=avg, casting="unsafe")
    np.subtract(arr, avg, out=arr, casting="unsafe")
    np.copyto(arr, 0, where=~valid)
    sqr = np.multiply(arr, arr, out=arr)
    var = np.sum(sqr, axis=-1)
    dof = cnt[..., 0]
    var = np.true_divide(var, dof, out=var, casting="unsafe")
    var[dof <= 0] = np.nan
    return np.sqrt(var), scale


def _unique_rows(pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a boolean (pairs, E) array and each row's index into them.

    The rows are packed into bytes and, up to 64 events, into one integer each, so the
    distinct patterns come from a 1-d ``np.unique`` (a hash or integer sort) instead of
    ``np.unique(axis=0)``'s sort of structured rows.
    """
    packed = np.packbits(pattern, axis=1)  # (pairs, ceil(E / 8)) uint8
    if packed.shape[1] <= 8:
        code = np.zeros(len(packed), dtype=np.uint64)
        for j in range(packed.shape[1]):  # at most 8 byte columns
            code = (code << np.uint64(8)) | packed[:, j].astype(np.uint64)
        _, first, inv = np.unique(code, return_index=True, return_inverse=True)
    else:
        _, first, inv = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    return pattern[first], np.asarray(inv).ravel()
