"""price_event_study on seeded synthetic prices with a known truth, hand calculations, bad input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from potash import PotashDataError, log_price_panel, newey_west_lags, price_event_study
from potash.figures import plot_abnormal_price, plot_price_comparison, plot_price_its

NO_BASIS = pd.DataFrame({"series": pd.Series([], dtype=str), "date": pd.Series([], dtype="datetime64[ns]")})
DATES = pd.date_range("2018-01-01", "2023-12-01", freq="MS")
TRUTH = {"step_2021-08": 0.25, "ramp_2022-02": 0.01, "pulse_2023-03": 0.15, "log_dap": 0.7}


def _tidy(**series: np.ndarray) -> pd.DataFrame:
    return pd.concat(
        [pd.DataFrame({"date": DATES, "series": s, "value": v, "unit": "$/mt"}) for s, v in series.items()],
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def synth() -> pd.DataFrame:
    rng = np.random.default_rng(20251213)
    T = len(DATES)
    t = np.arange(T)
    dap = 5.5 + np.cumsum(rng.normal(0, 0.04, T))
    urea = 5.2 + np.cumsum(rng.normal(0, 0.04, T))
    m_step, m_ramp, m_pulse = (DATES.get_loc(pd.Timestamp(d)) for d in ("2021-08-01", "2022-02-01", "2023-03-01"))
    y = (
        1.0
        + 0.002 * t
        + TRUTH["log_dap"] * dap
        + TRUTH["step_2021-08"] * (t >= m_step)
        + TRUTH["ramp_2022-02"] * np.maximum(0, t - m_ramp)
        + TRUTH["pulse_2023-03"] * (t == m_pulse)
        + rng.normal(0, 0.01, T)
    )
    return _tidy(potassium_chloride=np.exp(y), dap=np.exp(dap), urea=np.exp(urea))


def _fit(prices, **kw):
    args = dict(
        controls=["dap"],
        steps=["2021-08-20"],
        ramps=["2022-02-01"],
        pulses=["2023-03-15"],
        basis_changes=NO_BASIS,
    )
    args.update(kw)
    return price_event_study(prices, ["2021-08-20", "2022-02-01", "2023-03-15"], **args)


def test_known_effects_are_recovered(synth):
    # classical SEs: a pulse fits its own month exactly, so HAC SEs understate its uncertainty
    res = _fit(synth, cov_type="nonrobust")
    for term, value in TRUTH.items():
        assert abs(res.params[term] - value) < 4 * res.std_errors[term] + 1e-3, term
    np.testing.assert_allclose(res.params["trend"], 0.002, atol=0.002)
    ci = res.conf_int(0.99)
    assert (ci.loc[list(TRUTH), "lower"] < pd.Series(TRUTH)).all()
    assert (ci.loc[list(TRUTH), "upper"] > pd.Series(TRUTH)).all()


def test_newey_west_hand_calculation(synth):
    # Newey-West by hand: (X'X)^-1 [sum_j w_j (Gamma_j + Gamma_j')] (X'X)^-1, w_j = 1 - j/(L+1)
    for L, adjust in [(0, False), (3, True), (5, False)]:
        res = _fit(synth, maxlags=L, adjust=adjust)
        X, u = res.design.to_numpy(), res.model_results.resid.to_numpy()
        T, k = X.shape
        g = X * u[:, None]
        S = g.T @ g
        for j in range(1, L + 1):
            G = g[j:].T @ g[:-j]
            S += (1 - j / (L + 1)) * (G + G.T)
        bread = np.linalg.inv(X.T @ X)
        V = bread @ S @ bread * (T / (T - k) if adjust else 1.0)
        np.testing.assert_allclose(res.std_errors.to_numpy(), np.sqrt(np.diag(V)), rtol=1e-10)


def test_nonrobust_is_classical_ols(synth):
    assert "trend" not in _fit(synth, trend=False).params.index
    res = _fit(synth, cov_type="nonrobust")
    X, y = res.design.to_numpy(), res.endog.to_numpy()
    b = np.linalg.solve(X.T @ X, X.T @ y)
    e = y - X @ b
    V = (e @ e) / (len(y) - X.shape[1]) * np.linalg.inv(X.T @ X)
    np.testing.assert_allclose(res.params.to_numpy(), b, rtol=1e-10)
    np.testing.assert_allclose(res.std_errors.to_numpy(), np.sqrt(np.diag(V)), rtol=1e-10)
    assert res.maxlags is None


def test_terms_and_abnormal_path(synth):
    res = _fit(synth)
    X = res.design
    m = X.index.get_loc(pd.Timestamp("2022-02-01"))
    assert X["ramp_2022-02"].iloc[m] == 0 and X["ramp_2022-02"].iloc[m + 3] == 3
    assert X["pulse_2023-03"].sum() == 1 and X.loc["2023-03-01", "pulse_2023-03"] == 1
    assert X.loc["2021-07-01", "step_2021-08"] == 0 and X.loc["2021-08-01", "step_2021-08"] == 1
    ab = res.abnormal
    events_part = X[res.event_terms].to_numpy() @ res.params[res.event_terms].to_numpy()
    np.testing.assert_allclose(ab["fitted"] - ab["counterfactual"], events_part, atol=1e-12)
    np.testing.assert_allclose(ab["abnormal"], events_part + res.model_results.resid, atol=1e-12)
    np.testing.assert_allclose(ab["abnormal_pct"], 100 * (np.exp(ab["abnormal"]) - 1))
    # before the first event the abnormal path is just the residual
    assert (ab.loc[:"2021-07-01", "abnormal"] - res.model_results.resid.loc[:"2021-07-01"]).abs().max() < 1e-12


def test_event_month_rules_and_shared_months(synth):
    ev = pd.DataFrame(
        {
            "date": pd.to_datetime(["2021-08-09", "2021-08-20", "2022-02-01"]),
            "event_id": ["a", "b", "c"],
            "type": ["sanction", "sanction", "logistics"],
        }
    )
    res = price_event_study(synth, ev, controls=["dap"], basis_changes=NO_BASIS)
    assert res.event_terms == ["step_2021-08", "step_2022-02"]
    assert res.events.set_index("event_id").loc["b", "terms"] == "step_2021-08"
    nxt = price_event_study(synth, ev, controls=["dap"], basis_changes=NO_BASIS, event_month="next")
    # events inside a month move to the next month; an event on the 1st stays
    assert nxt.event_terms == ["step_2021-09", "step_2022-02"]
    only = price_event_study(synth, ev, controls=(), steps=["c"], pulses=["a"], basis_changes=NO_BASIS)
    assert only.event_terms == ["step_2022-02", "pulse_2021-08"]
    # a calendar with events outside the sample is fine when those events get no term ...
    cal = pd.concat([ev, pd.DataFrame({"date": pd.to_datetime(["2025-12-13"]), "event_id": ["late"],
                                       "type": ["relief"]})], ignore_index=True)
    sel = price_event_study(synth, cal, controls=(), steps=["c"], basis_changes=NO_BASIS)
    assert sel.events.set_index("event_id").loc["late", "terms"] == ""
    # ... and an error when they do
    with pytest.raises(ValueError, match="event 'late' .* is outside the sample"):
        price_event_study(synth, cal, controls=(), basis_changes=NO_BASIS)


def test_basis_change_error_and_dummy(synth):
    bc = pd.DataFrame({"series": ["urea"], "date": pd.to_datetime(["2022-03-01"]),
                       "before": ["Black Sea"], "after": ["Middle East"]})
    with pytest.raises(PotashDataError, match="spans the basis change of 'urea' at 2022-03"):
        price_event_study(synth, ["2021-08-01"], controls=["urea"], basis_changes=bc)
    res = price_event_study(synth, ["2021-08-01"], controls=["urea"], basis_changes=bc, basis="dummy")
    assert res.basis_terms == ["basis_urea_2022-03"]
    assert res.design.loc["2022-02-01", "basis_urea_2022-03"] == 0
    assert res.design.loc["2022-03-01", "basis_urea_2022-03"] == 1
    assert "Basis-change dummies" in res.summary.as_text()
    # a sample that starts on the new basis does not span the change
    ok = price_event_study(synth, ["2022-08-01"], controls=["urea"], basis_changes=bc, start="2022-03")
    assert ok.basis_terms == []
    # the built-in table: potash changes basis in 2020-01, the synthetic sample starts in 2018
    with pytest.raises(PotashDataError, match="'potassium_chloride' at 2020-01"):
        price_event_study(synth, ["2021-08-01"], controls=["dap"])


def test_log_price_panel_refuses_a_basis_change(synth):
    # a break test on log potash across 2020-01 would find the change of basis, not a sanction
    with pytest.raises(PotashDataError, match="basis change of 'potassium_chloride' at 2020-01.*basis='ignore'"):
        log_price_panel(synth, ["potassium_chloride"])
    wide = log_price_panel(synth, ["potassium_chloride"], basis="ignore")
    assert len(wide) == len(DATES)
    assert len(log_price_panel(synth, ["potassium_chloride"], start="2020-01")) == 48
    with pytest.raises(ValueError, match="basis='dummy' is not allowed"):
        log_price_panel(synth, ["dap"], basis="dummy")


def test_newey_west_rule():
    assert [newey_west_lags(n) for n in (10, 77, 100, 240)] == [2, 3, 4, 4]
    with pytest.raises(ValueError):
        newey_west_lags(0)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"series": "potash"}, PotashDataError, "series 'potash' is not in the data"),
        ({"controls": ["natural_gas_europe"]}, PotashDataError, "'natural_gas_europe' is not in the data"),
        ({"events": ["2025-01-01"]}, ValueError, "outside the sample 2018-01..2023-12"),
        ({"events": ["2017-05-01"]}, ValueError, "outside the sample"),
        ({"events": ["2018-01-15"]}, ValueError, "needs at least one month before it"),
        ({"events": ["2021-08-01"], "start": "2022-01"}, ValueError, "outside the sample 2022-01"),
        ({"cov_type": "HC3"}, ValueError, "cov_type='HC3' is not allowed"),
        ({"basis": "ignore"}, ValueError, "basis='ignore' is not allowed"),
        ({"steps": ["2020-05-01"]}, ValueError, "matches no event"),
        ({"maxlags": 500}, ValueError, "maxlags must be in"),
        ({"controls": ["potassium_chloride"]}, ValueError, "also listed as a control"),
    ],
)
def test_bad_arguments(synth, kwargs, exc, match):
    args = {"events": ["2021-08-01"], "controls": ["dap"], "basis_changes": NO_BASIS}
    args.update(kwargs)
    events = args.pop("events")
    with pytest.raises(exc, match=match):
        price_event_study(synth, events, **args)


def test_rank_deficient_design_is_named(synth):
    # a step and a pulse in the last month: the step has one post month (issue 14), refused
    # before the rank check
    with pytest.raises(ValueError, match=r"step_2023-12 .* has 1 post-event month"):
        price_event_study(synth, ["2023-12-01"], controls=(), pulses=True, basis_changes=NO_BASIS)
    with pytest.raises(ValueError, match="rank deficient: column 'pulse_2023-11'"):
        price_event_study(synth, ["2023-11-01"], controls=(), ramps=True, pulses=True,
                          basis_changes=NO_BASIS)


def test_short_sample(synth):
    with pytest.raises(ValueError, match="too short"):
        price_event_study(synth, ["2021-03-01"], controls=["dap", "urea"], start="2021-01",
                          end="2021-04", basis_changes=NO_BASIS)


def test_bad_price_tables(synth):
    gap = synth.drop(index=synth.index[(synth["series"] == "dap") & (synth["date"] == "2020-06-01")])
    with pytest.raises(PotashDataError, match=r"'dap' has no value for month\(s\) \['2020-06'\]"):
        log_price_panel(gap, ["potassium_chloride", "dap"])
    neg = synth.copy()
    row = neg.index[(neg["series"] == "dap") & (neg["date"] == "2020-06-01")][0]
    neg.loc[row, "value"] = -1.0
    with pytest.raises(PotashDataError, match=f"row {row}: series 'dap' has a non-positive price"):
        log_price_panel(neg, ["dap"])
    dup = pd.concat([synth, synth.iloc[[3]]])
    with pytest.raises(PotashDataError, match="duplicate"):
        log_price_panel(dup, ["dap"])
    mid = synth.assign(date=synth["date"] + pd.Timedelta(days=14))
    with pytest.raises(PotashDataError, match="not the first day of a month"):
        log_price_panel(mid, ["dap"])
    mixed = synth.copy()
    mixed.loc[mixed.index[(mixed["series"] == "dap")][:2], "unit"] = "$/st"
    with pytest.raises(PotashDataError, match=r"column 'unit': series 'dap' comes in several units"):
        log_price_panel(mixed, ["dap"])
    with pytest.raises(PotashDataError, match="missing column"):
        log_price_panel(synth.drop(columns="unit"), ["dap"])


def test_results_protocol_and_figures(synth):
    res = _fit(synth)
    frame = res.summary_frame()
    assert list(frame.columns) == ["estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
    assert frame.index.name == "term" and "step_2021-08" in frame.index
    text = str(res)
    assert "Newey-West HAC, Bartlett kernel, lag" in text and "<table" in res._repr_html_()
    assert "\\begin" in res.summary.as_latex()
    assert "pulse coefficient" in " ".join(text.split())  # the HAC caveat for pulses is stated
    fig = res.plot()
    assert len(fig.axes) == 2 and fig.axes[0].get_title().startswith("Interrupted time series")
    assert "log scale" in fig.axes[0].get_ylabel() and "%" in fig.axes[1].get_ylabel()
    plt.close(fig)
    fig, ax = plt.subplots()
    assert plot_price_its(res, ax=ax) is fig
    plt.close(fig)
    fig = plot_abnormal_price(res)
    plt.close(fig)
    ev = pd.DataFrame({"date": pd.to_datetime(["2021-08-09"]), "event_id": ["us_eo14038"], "type": ["sanction"]})
    fig = plot_price_comparison(synth, ["potassium_chloride", "urea", "dap"], events=ev)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and "= 100" in ax.get_ylabel()
    # the potash basis change (2020-01) inside the plotted sample is drawn and labelled
    assert any("basis change" in t.get_text() for t in ax.get_legend().get_texts())
    assert any("Source:" in t.get_text() for t in fig.texts)
    plt.close(fig)
