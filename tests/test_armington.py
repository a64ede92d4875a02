"""Tests of the Armington CES model (potash.estimators.armington).

Two cases solved by hand
------------------------
Case 1 (epsilon = sigma; two importers X, Y; two origins A, B). With epsilon = sigma the
importer's expenditure change is ``E_hat = P_hat ** (1 - sigma) = D_j``, so
``X_hat_ij = s'_ij / s_ij * D_j = (tau_hat_ij p_hat_i) ** (1 - sigma)`` and delivered tonnes
change by ``q_hat_ij = (tau_hat_ij p_hat_i) ** (-sigma)``: each pair's demand is independent of
the other origin. A wedge ``t`` on A in X only leaves ``p_hat_B = 1`` and A's market clearing

    w_AX (t p_A) ** (-sigma) + w_AY p_A ** (-sigma) = p_A ** eta
    =>  p_A = (w_AX t ** (-sigma) + w_AY) ** (1 / (sigma + eta)),

with ``w_AX`` A's base tonnes share going to X. The new share of A in X is
``s_AX (t p_A) ** (1 - sigma) / (s_AX (t p_A) ** (1 - sigma) + s_BX)``.

Case 2 (fixed supply, eta = 0, one importer, two origins). Tonnes cannot change, so the
relative delivered price cannot either: ``(t p_A / p_B) ** (-sigma) = 1``, i.e.
``t p_A = p_B``; the price index then moves with ``p_B`` and real demand ``P_hat ** (-epsilon)
= 1`` fixes ``p_B = 1``, so ``p_A = 1 / t``: the supplier in fixed supply bears all the wedge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from potash.estimators.armington import (
    calibrate,
    compare_scenarios,
    estimate_sigma,
    simulate,
    solve,
    tariff_equivalent,
)


def _flows(value, quantity, origins, importers):
    rows = []
    for i, o in enumerate(origins):
        for j, m in enumerate(importers):
            if value[i][j] > 0:
                rows.append({"origin": o, "importer": m, "value": value[i][j],
                             "quantity": quantity[i][j]})
    return pd.DataFrame(rows)


def test_two_by_two_by_hand_epsilon_equals_sigma() -> None:
    sigma, eta, t = 3.0, 1.5, 1.4
    v = [[30.0, 10.0], [10.0, 20.0]]
    q = [[100.0, 40.0], [25.0, 60.0]]
    base = calibrate(_flows(v, q, "AB", "XY"), sigma=sigma, epsilon=sigma, eta=eta)
    out = solve(base, base.tau_hat({("A", "X"): t}))
    w_ax, w_ay = 100 / 140, 40 / 140
    p_a = (w_ax * t ** (-sigma) + w_ay) ** (1 / (sigma + eta))
    assert out["p_hat"][0] == pytest.approx([p_a, 1.0], rel=1e-10)
    s_ax, s_bx = 30 / 40, 10 / 40
    a = s_ax * (t * p_a) ** (1 - sigma)
    assert out["shares"][0, 0, 0] == pytest.approx(a / (a + s_bx), rel=1e-10)
    assert out["q_hat"][0, 0, 0] == pytest.approx((t * p_a) ** (-sigma), rel=1e-10)


def test_fixed_supply_bears_the_whole_wedge() -> None:
    base = calibrate(_flows([[5.0], [3.0]], [[2.0], [1.0]], "AB", "X"), sigma=4.0,
                     epsilon=0.4, eta=0.0)
    out = solve(base, base.tau_hat({("A", "X"): 1.25}))
    assert out["p_hat"][0] == pytest.approx([1 / 1.25, 1.0], rel=1e-10)
    assert out["q_hat"][0] == pytest.approx(np.ones((2, 1)), rel=1e-10)


def _random_base(seed=0, n_i=8, n_j=15, scale_q=1.0, scale_v=1.0, **kw):
    rng = np.random.default_rng(seed)
    q = rng.lognormal(10, 1.5, (n_i, n_j)) * (rng.random((n_i, n_j)) > 0.25)
    q[:, 0] += 1.0
    uv = rng.lognormal(5.5, 0.3, (n_i, n_j))
    v = q * uv
    origins = [f"O{i}" for i in range(n_i)]
    importers = [f"M{j}" for j in range(n_j)]
    f = _flows((v * scale_v * scale_q).tolist(), (q * scale_q).tolist(), origins, importers)
    params = dict(sigma=3.5, epsilon=0.4, eta={o: 0.5 + 0.3 * i for i, o in enumerate(origins)})
    params.update(kw)
    return calibrate(f, **params)


def test_base_is_reproduced_exactly() -> None:
    base = _random_base()
    out = solve(base, base.tau_hat())
    assert np.abs(out["p_hat"] - 1).max() < 1e-14
    sol = simulate(base, base.tau_hat())
    assert np.allclose(sol.quantity, base.quantity, rtol=1e-13, atol=0)
    assert np.allclose(sol.shares, base.shares, rtol=1e-13, atol=0)


def test_converges_tightly_and_is_invariant_to_units() -> None:
    rng = np.random.default_rng(3)
    b1 = _random_base(capacity=None)
    b2 = _random_base(scale_q=1000.0, scale_v=7.0)
    tau = np.exp(rng.normal(0, 0.4, b1.value.shape))
    o1, o2 = solve(b1, tau), solve(b2, tau)
    assert float(o1["max_residual"]) < 1e-12
    for k in ("p_hat", "P_hat", "q_hat", "shares", "output_hat"):
        assert np.allclose(o1[k], o2[k], rtol=1e-10, atol=1e-14), k


def test_capacity_binds_and_clears() -> None:
    base0 = _random_base()
    cap = {"O0": base0.quantity[0].sum() * 1.02}
    base = _random_base(capacity=cap)
    tau = base.tau_hat({("O0", m): 0.6 for m in base.importers})  # big cost cut for O0
    out = solve(base, tau)
    assert out["output_hat"][0, 0] == pytest.approx(1.02, rel=1e-10)
    free = solve(base0, tau)
    assert free["output_hat"][0, 0] > 1.02  # without the bound it would produce more
    assert out["p_hat"][0, 0] > free["p_hat"][0, 0]


def test_wedge_removal_moves_shares_the_right_way() -> None:
    base = _random_base()
    on = base.tau_hat({("O1", m): 2.0 for m in base.importers[:5]})
    off = base.tau_hat({("O1", m): 2.0 for m in base.importers[1:5]})  # lifted in M0
    s_on, s_off = solve(base, on)["shares"][0], solve(base, off)["shares"][0]
    assert s_off[1, 0] > s_on[1, 0]  # O1 gains in the market where its wedge is removed
    others = [i for i in range(len(base.origins)) if i != 1 and base.value[i, 0] > 0]
    assert (s_off[others, 0] < s_on[others, 0]).all()  # every rival loses share there
    assert s_off[1, 6] < s_on[1, 6] + 1e-15  # and O1 diverts some supply from untaxed markets


def test_batched_draws_equal_one_by_one() -> None:
    base = _random_base()
    rng = np.random.default_rng(5)
    sig = rng.uniform(2, 6, 4)
    tau = np.exp(rng.normal(0, 0.3, (4, *base.value.shape)))
    batch = solve(base, tau, sigma=sig)
    for d in range(4):
        one = solve(base, tau[d], sigma=sig[d:d + 1])
        assert np.allclose(batch["p_hat"][d], one["p_hat"][0], rtol=1e-11)


def test_compare_scenarios_table() -> None:
    base = _random_base()
    rng = np.random.default_rng(1)
    res = compare_scenarios(
        base, {"base": base.tau_hat(), "wedge": base.tau_hat({("O0", "M0"): 1.5})},
        draws={"sigma": rng.uniform(3, 4, 50)}, report_origins=("O0",))
    f = res.summary_frame()
    assert {"estimate", "se", "ci_low", "ci_high", "scenario", "origin", "importer"} <= set(f)
    vol = res.get("base", "volume", "O0", "M0")
    assert vol["estimate"] == pytest.approx(base.quantity[0, 0])
    assert vol["ci_high"] - vol["ci_low"] < 1e-6 * vol["estimate"]  # base: no uncertainty
    w = res.get("wedge", "share", "O0", "M0")
    assert w["ci_low"] <= w["estimate"] <= w["ci_high"]
    assert "Armington" in res.summary.as_text()


def _synthetic_panel(sigma, seed, n_j=10, n_i=6, n_t=60, endogenous=0.6):
    rng = np.random.default_rng(seed)
    cost = np.cumsum(rng.normal(0, 0.08, (n_i, n_t)), axis=1)  # origin cost shocks, all markets
    rows = []
    taste = rng.normal(0, 1, (n_j, n_i))
    demand = rng.normal(0, 0.5, (n_j, n_t))
    for j in range(n_j):
        for i in range(n_i):
            xi = rng.normal(0, 0.3, n_t)  # importer-origin-month demand shock
            lp = 5 + cost[i] + endogenous * xi + rng.normal(0, 0.05, n_t)  # price responds
            ly = (1 - sigma) * lp + taste[j, i] + demand[j] + xi
            for t in range(n_t):
                rows.append({"importer": j, "origin": i, "period": t, "value": np.exp(ly[t]),
                             "quantity": np.exp(ly[t] - lp[t])})
    return pd.DataFrame(rows)


def test_sigma_estimator_recovers_known_sigma() -> None:
    panel = _synthetic_panel(sigma=4.0, seed=11)
    res = estimate_sigma(panel)
    assert abs(res.sigma - 4.0) < 2.5 * res.sigma_se
    assert abs(res.sigma - 4.0) < 0.25
    assert res.sigma_ols < res.sigma  # OLS is biased toward one: a lower bound on sigma
    assert res.first_stage_f > 10
    frame = res.summary_frame()
    assert {"estimate", "se", "statistic", "p_value", "ci_low", "ci_high"} <= set(frame)
    exog = estimate_sigma(_synthetic_panel(sigma=2.5, seed=12, endogenous=0.0), instrument="none")
    assert abs(exog.sigma - 2.5) < 3 * exog.sigma_se


def test_tariff_equivalent_inverts_the_ces_mapping() -> None:
    sigma, tau = 3.2, 1.7
    beta = -(sigma - 1) * np.log(tau)
    assert float(tariff_equivalent(beta, sigma)) == pytest.approx(tau)


def test_calibrate_rejects_bad_input() -> None:
    f = _flows([[1.0, 2.0]], [[1.0, 2.0]], "A", "XY")
    with pytest.raises(ValueError):
        calibrate(f, sigma=0.8, epsilon=0.3, eta=1.0)
    with pytest.raises(ValueError):
        calibrate(f, sigma=3, epsilon=0.3, eta=1.0, capacity={"A": 1.0})
    bad = f.assign(quantity=[0.0, 2.0])
    from potash.core.errors import PotashDataError

    with pytest.raises(PotashDataError):
        calibrate(bad, sigma=3, epsilon=0.3, eta=1.0)


def test_changes_from_a_reference_are_paired() -> None:
    base = _random_base()
    rng = np.random.default_rng(2)
    tau = base.tau_hat({("O0", "M0"): 1.5})
    res = compare_scenarios(base, {"wedge": tau, "lifted": base.tau_hat()},
                            draws={"sigma": rng.uniform(2.5, 4.5, 40)}, reference="wedge",
                            report_origins=("O0",))
    ch = res.get("lifted", "share_change", "O0", "M0")
    assert ch["ci_low"] > 0  # lifting the wedge raises O0's share in M0 in every draw
    assert res.scenarios == ["wedge", "lifted"]


@pytest.fixture(scope="module")
def real_scenarios():
    from potash.analyses import scenarios as sc

    panel = sc.potash_import_panel()
    res, inputs = sc.relief_scenarios(panel, n_draws=100, seed=1)
    return sc, panel, res, inputs


def test_real_base_reproduces_the_2019_2020_flows(real_scenarios) -> None:
    sc, panel, res, inputs = real_scenarios
    obs = panel[panel["year"].between(2019, 2020) & (panel["origin"] == "BLR")]
    usa = obs.loc[obs["importer"] == "USA", "quantity"].sum() / 2
    assert res.get("base 2019-2020", "volume", "BLR", "USA")["estimate"] == pytest.approx(usa)


def test_real_relief_scenarios_are_ordered(real_scenarios) -> None:
    sc, panel, res, inputs = real_scenarios
    vol = [res.get(s, "origin_volume", "BLR")["estimate"] for s in sc.SCENARIOS[1:]]
    assert vol == sorted(vol)  # each relief step raises Belarus's output
    assert vol[-1] <= res.get("base 2019-2020", "origin_volume", "BLR")["estimate"] + 1e-6
    us_sq = res.get("status quo", "volume", "BLR", "USA")["estimate"]
    assert res.get("US relief", "volume", "BLR", "USA")["estimate"] > 3 * us_sq
    gain = res.get("US relief", "volume_change", "BLR", "USA")
    assert gain["ci_low"] > 0
    bt = sc.backtest(inputs, panel)
    assert 0 <= bt.n_within <= len(bt.table)
    check = sc.relief_months_check(res, panel)
    assert list(check["importer"]) == ["USA", "CHN", "BRA"]


def test_ge_wedges_reproduce_the_ppml_coefficients(real_scenarios) -> None:
    sc, panel, res, inputs = real_scenarios
    base, w = inputs.base, inputs.wedges
    taus = sc._scenario_taus(base, {g: np.array([t]) for g, t in inputs.tau.items()},
                             np.array([w.route]))
    out = solve(base, taus["status quo"][0])
    i = base.origins.index("BLR")
    wts = base.value.sum(axis=1)
    wts[i] = 0.0
    lp = np.log(out["p_hat"][0])
    rel = lp @ (wts / wts.sum()) - lp[i]
    for k, g in enumerate(w.groups):
        implied = (1 - base.sigma) * (np.log(inputs.tau[g]) - rel)
        assert implied == pytest.approx(w.beta[k], abs=1e-8)
    # and Belarus's status-quo output is its USGS 2024 output
    assert out["output_hat"][0, i] == pytest.approx(sc.status_quo_output_hat(base), rel=1e-8)


def test_results_objects_plot_and_summarise(real_scenarios) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sc, panel, res, inputs = real_scenarios
    bt = sc.backtest(inputs, panel)
    for obj in (res, inputs.sigma, inputs.wedges, bt):
        fig = obj.plot()
        assert fig.axes
        plt.close(fig)
        assert obj.summary.as_text()
        frame = obj.summary_frame()
        assert "estimate" in frame.columns
