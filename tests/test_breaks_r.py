"""potash.estimators.breaks against strucchange 1.5.3 (Fstats, sctest, breakpoints, summary, confint).

Reference: tests/results/prices_breaks.R, output tests/results/prices_breaks.Rout.csv, on log
potash (World Bank potassium chloride, Brazil CFR) 2020-01..2026-05 from
tests/results/prices_input.csv. Break dates exactly; statistics to 1e-8; p-values to 1e-10.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from potash import bai_perron, chow_test, f_stats, load_events, log_price_panel, pvalue_fstats

RESULTS = Path(__file__).parent / "results"


@pytest.fixture(scope="module")
def y() -> pd.Series:
    prices = pd.read_csv(RESULTS / "prices_input.csv", parse_dates=["date"])
    return log_price_panel(prices, ["potassium_chloride"], start="2020-01", end="2026-05")[
        "potassium_chloride"
    ]


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    r = pd.read_csv(
        RESULTS / "prices_breaks.Rout.csv", comment="#", skipinitialspace=True, dtype={"key": str}
    )
    r["key"] = r["key"].fillna("")
    return r


def _get(ref, model, what, key=""):
    r = ref[(ref["model"] == model) & (ref["what"] == what) & (ref["key"] == str(key))]
    assert len(r) == 1, (model, what, key)
    return float(r["value"].iloc[0])


def _series(ref, model, what):
    r = ref[(ref["model"] == model) & (ref["what"] == what)]
    return r.assign(i=r["key"].astype(int)).sort_values("i")["value"].to_numpy()


@pytest.mark.parametrize("model", ["mean", "trend"])
def test_fstats_and_sctest(y, ref, model):
    res = f_stats(y, model=model, trim=0.15)
    path = res.fstats
    assert path["breakpoint"].iloc[0] == _get(ref, model, "F_from")
    np.testing.assert_allclose(path["F"], _series(ref, model, "F"), rtol=1e-9, atol=1e-8)
    assert res.lam == _get(ref, model, "F_lambda")
    sup_bp = path["breakpoint"].iloc[int(path["F"].argmax())]
    assert sup_bp == _get(ref, model, "F_breakpoint")
    for test in ("supF", "aveF", "expF"):
        row = res.tests.loc[test]
        np.testing.assert_allclose(row["statistic"], _get(ref, model, test, "statistic"), rtol=1e-10)
        np.testing.assert_allclose(row["p_value"], _get(ref, model, test, "p.value"), atol=1e-10)


def test_pvalue_outside_hansen_range_is_flagged(y):
    # strucchange returns p = 1 for ave-F and exp-F of the trend model (the approximating
    # polynomial is negative that far in the tail); potash returns the same and flags it
    t = f_stats(y, model="trend").tests
    assert t.loc["aveF", "p_value"] == 1.0 and not t.loc["aveF", "p_value_reliable"]
    assert t.loc["supF", "p_value_reliable"]


@pytest.mark.parametrize("model", ["mean", "trend"])
def test_chow(y, ref, model):
    res = chow_test(y, "2022-02-01", model=model)
    assert res.breakpoint == 25
    np.testing.assert_allclose(res.statistic, _get(ref, model, "chow_2022_02", "statistic"), rtol=1e-10)
    np.testing.assert_allclose(res.p_value, _get(ref, model, "chow_2022_02", "p.value"), atol=1e-12)


@pytest.mark.parametrize("model", ["mean", "trend"])
def test_bai_perron_bic_breaks_and_intervals(y, ref, model):
    bp = bai_perron(y, model=model, h=0.15)
    np.testing.assert_allclose(bp.bic["RSS"], _series(ref, model, "RSS"), rtol=1e-10)
    np.testing.assert_allclose(bp.bic["BIC"], _series(ref, model, "BIC"), rtol=1e-10, atol=1e-9)
    assert bp.n_breaks == _get(ref, model, "n_breaks_BIC")
    t = bp.breaks
    np.testing.assert_array_equal(t["breakpoint"], _series(ref, model, "breakpoint"))
    np.testing.assert_array_equal(t["ci_lower_bp"], _series(ref, model, "ci_lower"))
    np.testing.assert_array_equal(t["ci_upper_bp"], _series(ref, model, "ci_upper"))
    # dates: the new regime starts the month after strucchange's breakdate
    assert (t["first_after"] == y.index[t["breakpoint"]]).all()
    assert (t["last_before"] == y.index[t["breakpoint"] - 1]).all()


@pytest.mark.parametrize("model", ["mean", "trend"])
@pytest.mark.parametrize("m", [2, 3])
def test_bai_perron_fixed_breaks_90pct(y, ref, model, m):
    bp = bai_perron(y, model=model, breaks=m, level=0.90)
    t = bp.breaks
    np.testing.assert_array_equal(t["breakpoint"], _series(ref, model, f"breakpoint_m{m}"))
    np.testing.assert_array_equal(t["ci_lower_bp"], _series(ref, model, f"ci90_lower_m{m}"))
    np.testing.assert_array_equal(t["ci_upper_bp"], _series(ref, model, f"ci90_upper_m{m}"))


def test_pvalue_port_on_grid(ref):
    grid = ref[ref["model"] == "pvalue"]
    assert len(grid) == 3 * 5 * 6 * 6
    got = []
    for row in grid.itertuples():
        k, lam, x = row.key.split("|")
        got.append(pvalue_fstats(float(x), row.what, int(k), float(lam)))
    np.testing.assert_allclose(got, grid["value"], rtol=0, atol=1e-12)


def test_acceptance_breaks_with_distances_to_sanctions(y):
    ev = load_events()
    sanctions = ev[ev["type"].isin(["sanction", "logistics", "relief"])]
    bp = bai_perron(y, events=sanctions)
    t = bp.breaks
    # hand check of the distance: first month of the new regime minus the nearest event month
    for row in t.itertuples():
        months = (row.first_after.to_period("M") - sanctions["date"].dt.to_period("M")).map(
            lambda d: d.n
        )
        assert abs(row.distance_months) == months.abs().min()
    assert bp.summary_frame().shape[0] == bp.n_breaks
