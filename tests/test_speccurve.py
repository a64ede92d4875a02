"""Tests of the specification-curve engine (potash.estimators.speccurve) and its figure.

Seeded simulations with known truth: an effect that exists is found in most specifications; a
true null gives joint p-values uniform over seeds; hand computations on tiny tables.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from _speccurve_designs import (
    OLS_GRID,
    PANEL_GRID,
    BatchedOLS,
    OneTreatedPanel,
    ols_data,
    ols_one,
    panel_data,
)

from potash.estimators.speccurve import (
    InadmissibleSpecification,
    NullDraws,
    SpecCurveResults,
    SpecDesign,
    per_spec,
    spec_curve,
)


class Fixed:
    """A batched design returning given columns; under the null, ``placebo`` times ones."""

    def __init__(self, **cols):
        self.cols = cols

    def run(self, specs, placebo=None):
        if placebo is None:
            return pd.DataFrame(self.cols)
        k = len(specs)
        return pd.DataFrame({"estimate": np.full(k, float(placebo)), "se": np.ones(k)})


TINY_GRID = {"a": ["x", "y"], "b": [1, 2]}
TINY = {
    "estimate": [1.0, 2.0, -0.5, 3.0],
    "se": [0.5, 1.0, 0.2, 1.0],
    "p_value": [0.01, 0.2, 0.03, 0.04],
}


# --- known truth ---------------------------------------------------------------------------
def test_true_effect_found_in_most_specifications():
    data = ols_data(effect=0.3, seed=11)
    res = spec_curve(per_spec(lambda **kw: ols_one(data, **kw)), OLS_GRID, name="x on y")
    c = res.curve_summary
    assert c.n_specs == 54 and c.n_skipped == 0
    assert c.direction == "positive" and c.share_same_sign == 1.0
    assert c.share_sig_positive >= 0.9 and c.share_sig_negative == 0.0
    assert 0.2 < c.median < 0.5  # truth 0.3; "none" adds omitted-variable bias upward
    assert res.robustness_sentence().startswith("positive in 100% of 54 specifications")


def test_no_effect_not_found():
    data = ols_data(effect=0.0, seed=12)
    res = spec_curve(BatchedOLS(data), OLS_GRID)
    ctrl = res.table[res.table["controls"] == "c1+c2"]  # the correctly specified ones
    assert (ctrl["p_value"] < 0.05).mean() <= 0.3


def test_summary_shares_by_hand_on_four_specs():
    res = spec_curve(Fixed(**TINY), TINY_GRID)
    c = res.curve_summary
    assert (c.n_specs, c.median, c.min, c.max) == (4, 1.5, -0.5, 3.0)
    assert (c.share_positive, c.share_negative, c.share_same_sign) == (0.75, 0.25, 0.75)
    assert (c.share_significant, c.share_sig_positive, c.share_sig_negative) == (0.75, 0.5, 0.25)
    assert c.stouffer == pytest.approx((2 + 2 - 2.5 + 3) / 2)
    # table: choices in product order, intervals filled from se at alpha
    t = res.table
    assert t[["a", "b"]].values.tolist() == [["x", 1], ["x", 2], ["y", 1], ["y", 2]]
    z = 1.959963984540054
    np.testing.assert_allclose(t["ci_low"], np.array(TINY["estimate"]) - z * np.array(TINY["se"]))
    np.testing.assert_allclose(t["statistic"], [2, 2, -2.5, 3])
    assert res.robustness_sentence() == (
        "fragile, the sign flips: positive in 75% and negative in 25% of 4 specifications, "
        "significant in 50% (positive) and 25% (negative)"
    )
    # with a lower bar for "robust" it is not called fragile
    assert res.robustness_sentence(min_share=0.7).startswith("positive in 75% of 4 spec")
    sf = res.summary_frame()
    assert list(sf.columns) == ["estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
    assert sf.loc["median", "estimate"] == 1.5 and sf.loc["share_dominant", "estimate"] == 0.5
    assert sf["p_value"].isna().all()  # no null draws, no joint p-values
    assert "Specification curve" in str(res) and "4 specifications" in res.summary.as_text()


def test_fill_in_rules_from_interval_and_from_p():
    z = 1.959963984540054
    res = spec_curve(
        Fixed(estimate=[1.0, -1.0], ci_low=[1 - z, -1 - 2 * z], ci_high=[1 + z, -1 + 2 * z]),
        {"k": [0, 1]},
    )
    np.testing.assert_allclose(res.table["se"], [1, 2])
    np.testing.assert_allclose(res.table["p_value"], [0.3173105, 0.6170751], rtol=1e-6)
    res = spec_curve(Fixed(estimate=[1.0, -1.0], p_value=[0.05, 0.05]), {"k": [0, 1]})
    np.testing.assert_allclose(res.table["statistic"], [z, -z], rtol=1e-9)
    assert res.table["se"].isna().all()


def test_batched_equals_per_spec_and_statsmodels():
    data = ols_data(effect=0.3, seed=3)
    loop = spec_curve(lambda **kw: ols_one(data, **kw), OLS_GRID).table
    batch = spec_curve(BatchedOLS(data), OLS_GRID).table
    assert isinstance(BatchedOLS(data), SpecDesign)
    cols = ["estimate", "se", "ci_low", "ci_high", "p_value"]
    np.testing.assert_allclose(batch[cols], loop[cols], rtol=1e-8, atol=1e-12)
    assert (batch["n"] == loop["n"]).all()


# --- skipped specifications and bad options ------------------------------------------------
def test_skipped_specs_are_reported_not_dropped():
    data = ols_data(seed=1)
    grid = {**OLS_GRID, "sample": ["all", "tiny"]}
    res = spec_curve(per_spec(lambda **kw: ols_one(data, **kw)), grid)
    assert len(res.table) + len(res.skipped) == 3 * 2 * 3 * 2
    assert (res.skipped["sample"] == "tiny").all() and len(res.skipped) == 18
    assert res.skipped["reason"].str.contains("fewer than 10").all()
    assert res.curve_summary.n_skipped == 18
    assert "18 inadmissible" in res.summary.as_text()
    # the batched path reports its skip_reason the same way
    res_b = spec_curve(BatchedOLS(data), grid)
    assert res_b.skipped.index.tolist() == res.skipped.index.tolist()
    # NaN estimates without a reason are reported too
    res_n = spec_curve(Fixed(estimate=[1.0, np.nan], se=[1.0, 1.0]), {"k": [0, 1]})
    assert res_n.skipped["reason"].tolist() == ["design returned no estimate or p-value (NaN)"]


def test_other_errors_propagate_and_all_skipped_raises():
    def broken(k):
        raise KeyError("bug")

    with pytest.raises(KeyError):
        spec_curve(broken, {"k": [1]})

    def plain_value_error(k):
        raise ValueError("not declared inadmissible")

    with pytest.raises(ValueError, match="not declared"):
        spec_curve(plain_value_error, {"k": [1]})

    def never(k):
        raise InadmissibleSpecification("no data")

    with pytest.raises(ValueError, match="every specification was skipped"):
        spec_curve(never, {"k": [1, 2]})
    with pytest.raises(TypeError, match="ValueError subclass"):
        per_spec(never, skip=(KeyError,))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alternative": "both"}, "alternative='both' is not allowed; choose one of 'two-sided'"),
        ({"alpha": 1.5}, "alpha must be in"),
        ({"alpha": 0}, "alpha must be in"),
    ],
)
def test_bad_options_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        spec_curve(Fixed(**TINY), TINY_GRID, **kwargs)


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ({}, "non-empty mapping"),
        ({"a": []}, "is empty"),
        ({"a": [1, 1]}, "duplicate"),
        ({"estimate": [1]}, "reserved"),
        ({"a": "xy"}, "list of values"),
    ],
)
def test_bad_grids_raise_value_error(grid, match):
    with pytest.raises(ValueError, match=match):
        spec_curve(lambda **kw: {"estimate": 1.0, "se": 1.0}, grid)


def test_bad_design_output_and_null_arguments():
    with pytest.raises(ValueError, match="one row per specification"):
        spec_curve(Fixed(estimate=[1.0], se=[1.0]), {"k": [0, 1]})
    with pytest.raises(ValueError, match="give 'p_value', 'se'"):
        spec_curve(Fixed(estimate=[1.0, 2.0]), {"k": [0, 1]})
    with pytest.raises(ValueError, match="n_draws=0"):
        NullDraws(values=[1, 2], n_draws=0)
    with pytest.raises(ValueError, match="empty"):
        NullDraws(values=[])
    with pytest.raises(TypeError, match="NullDraws"):
        spec_curve(Fixed(**TINY), TINY_GRID, null=[1, 2])
    with pytest.raises(ValueError, match="fields"):
        per_spec(lambda: None, fields={"coef": "b"})
    with pytest.raises(TypeError, match="accepts placebo"):
        spec_curve(lambda k: {"estimate": k, "se": 1.0}, {"k": [1, 2]}, null=NullDraws([1]))
    res = spec_curve(Fixed(**TINY), TINY_GRID)
    with pytest.raises(ValueError, match="min_share"):
        res.robustness_sentence(min_share=0)
    with pytest.raises(AttributeError):
        res.table = None


# --- joint inference -----------------------------------------------------------------------
def test_joint_p_values_by_hand_and_floor():
    # observed median 1.5; null curves have median v for v in values
    res = spec_curve(Fixed(**TINY), TINY_GRID, null=NullDraws(values=[0.5, -2.0, 1.5, 0.1]))
    j = res.joint
    assert j.n_draws == 4 and j.p_floor == pytest.approx(1 / 5)
    assert j.p_median == pytest.approx((1 + 2) / 5)  # |-2| and |1.5| >= 1.5
    # null shares significant (|z| = |v| > 1.96): only v = -2 -> share 1 >= 0.75
    assert j.p_share_significant == pytest.approx(2 / 5)
    assert j.p_share_dominant == pytest.approx(2 / 5)  # max(pos, neg) of v=-2 is 1 >= 0.5
    # Stouffer: observed 2.25, null 4 v / 2 = 2 v: |2 v| >= 2.25 for v = -2, 1.5
    assert j.p_stouffer == pytest.approx(3 / 5)
    assert j.draws["placebo"].tolist() == [0.5, -2.0, 1.5, 0.1]
    assert j.draws["median"].tolist() == [0.5, -2.0, 1.5, 0.1]
    # one-sided: only v >= 1.5 counts
    g = spec_curve(Fixed(**TINY), TINY_GRID, null=NullDraws([0.5, -2.0, 1.5, 0.1]),
                   alternative="greater")
    assert g.joint.p_median == pytest.approx(2 / 5)
    less = spec_curve(Fixed(**TINY), TINY_GRID, null=NullDraws([0.5, -2.0, 1.5, 0.1]),
                      alternative="less")
    assert less.joint.p_median == pytest.approx(5 / 5)  # every v <= 1.5
    sf = res.summary_frame()
    assert sf.loc["median", "p_value"] == pytest.approx(0.6)
    sentence = res.robustness_sentence()
    assert "smallest possible p 0.20)" in sentence  # two significant digits, zeros kept
    assert "joint p-value of the median 0.60 " in sentence


def test_strong_effect_hits_the_floor_and_seeded_subset():
    y = panel_data(effect=5.0, seed=2)
    units = list(range(1, 20))
    res = spec_curve(OneTreatedPanel(y), PANEL_GRID, null=NullDraws(units, label="placebo unit"))
    assert res.joint.n_draws == 19
    assert res.joint.p_median == res.joint.p_floor == pytest.approx(1 / 20)
    sub = NullDraws(units, n_draws=7, seed=5, label="placebo unit")
    r1 = spec_curve(OneTreatedPanel(y), PANEL_GRID, null=sub)
    r2 = spec_curve(OneTreatedPanel(y), PANEL_GRID, null=sub)
    assert r1.joint.p_floor == pytest.approx(1 / 8)
    assert r1.joint.draws["placebo"].tolist() == r2.joint.draws["placebo"].tolist() == sub.chosen()
    assert len(set(sub.chosen())) == 7 and set(sub.chosen()) <= set(units)
    assert sub.chosen() != NullDraws(units, n_draws=7, seed=6).chosen()


def test_joint_p_value_uniform_under_the_null():
    """Treatment on one of 20 exchangeable units, null draws on each other unit: uniform p."""
    p_med, p_share = [], []
    for seed in range(200):
        y = panel_data(effect=0.0, seed=1000 + seed)
        res = spec_curve(OneTreatedPanel(y), PANEL_GRID, null=NullDraws(list(range(1, 20))))
        p_med.append(res.joint.p_median)
        p_share.append(res.joint.p_share_dominant)
    p_med, p_share = np.array(p_med), np.array(p_share)
    assert 0.04 <= np.mean(p_med <= 0.10) <= 0.17
    assert 0.01 <= np.mean(p_med <= 0.05) <= 0.10
    assert abs(p_med.mean() - 0.525) < 0.06  # mean of the uniform on {1/20, ..., 1}
    assert np.mean(p_share <= 0.10) <= 0.17  # ties make the share test conservative, never liberal


def test_run_null_batched_over_draws_equals_loop():
    y = panel_data(effect=1.0, seed=4)

    class AllDraws(OneTreatedPanel):
        def run_null(self, specs, placebos):
            parts = [
                self.run(specs, placebo=v).assign(draw=i, spec=np.arange(len(specs)))
                for i, v in enumerate(placebos)
            ]
            return pd.concat(parts, ignore_index=True)

    null = NullDraws(list(range(1, 20)))
    a = spec_curve(OneTreatedPanel(y), PANEL_GRID, null=null).joint
    b = spec_curve(AllDraws(y), PANEL_GRID, null=null).joint
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert (a.p_median, a.p_share_dominant, a.p_stouffer) == (
        b.p_median,
        b.p_share_dominant,
        b.p_stouffer,
    )


def test_per_spec_design_gets_placebo_keyword():
    seen = []

    def design(k, placebo=None):
        seen.append(placebo)
        return {"estimate": k + (0 if placebo is None else placebo), "p_value": 0.5}

    res = spec_curve(design, {"k": [1, 2]}, null=NullDraws([10, 20]))
    assert seen == [None, None, 10, 10, 20, 20]
    assert res.joint.draws["median"].tolist() == [11.5, 21.5]


# --- figure --------------------------------------------------------------------------------
def _check_inside(fig):
    fig.canvas.draw()
    W, H = fig.canvas.get_width_height()
    for ax in fig.axes:
        lo, hi = sorted(ax.get_ylim())
        ticks = [
            lab
            for loc, lab in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
            if lo <= loc <= hi
        ]
        for lab in [*ticks, ax.yaxis.label, ax.xaxis.label, ax.title]:
            if not lab.get_text():
                continue
            bb = lab.get_window_extent()
            assert bb.x0 >= -1 and bb.y0 >= -1 and bb.x1 <= W + 1 and bb.y1 <= H + 1, lab


def test_figure_renders_and_saves(tmp_path):
    data = ols_data(effect=0.3, seed=11)
    res = spec_curve(BatchedOLS(data), OLS_GRID, name="effect of x")
    assert isinstance(res, SpecCurveResults)
    fig = res.plot()
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    for name, values in OLS_GRID.items():
        assert name in labels
        assert all(str(v) in labels for v in values)
    assert len(labels) == sum(len(v) + 1 for v in OLS_GRID.values())
    _check_inside(fig)
    out = tmp_path / "speccurve.png"
    fig.savefig(out)  # a plain savefig: no bbox_inches="tight"
    assert out.stat().st_size > 10_000
    # the top panel has one point per specification, ranked
    pts = fig.axes[0].collections[1].get_offsets()
    assert len(pts) == 54 and np.all(np.diff(pts[:, 1]) >= 0)
    plt.close(fig)


def test_figure_in_a_given_axes_and_with_source(tmp_path):
    res = spec_curve(Fixed(**TINY), TINY_GRID)
    fig, ax = plt.subplots(figsize=(6, 5))
    out = res.plot(ax=ax, source="synthetic")
    assert out is fig and len(fig.axes) == 2
    assert any("Source: synthetic" in t.get_text() for t in fig.texts)
    fig.savefig(tmp_path / "f.png", bbox_inches="tight")
    plt.close(fig)


def test_figure_without_intervals_and_with_dates():
    grid = {"start": [pd.Timestamp("2019-01-01"), pd.Timestamp("2020-01-01")], "lag": [None, 3]}
    res = spec_curve(Fixed(estimate=[0.1, -0.2, 0.3, 0.4], p_value=[0.5, 0.01, 0.02, 0.2]), grid)
    fig = res.plot()
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert labels == ["start", "2019-01-01", "2020-01-01", "lag", "none", "3"]
    _check_inside(fig)
    plt.close(fig)
