"""convention="estudy2": reproduce every number of the estudy2 vignette (R estudy2 v0.10.0) to 1e-6.

Reference: tests/fixtures/estudy2/estudy2_output.txt (a peer's published output on the data in
returns.csv). The test names say which estudy2 convention each check pins down.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from potash import event_study

FIX = Path(__file__).parent / "fixtures" / "estudy2"
TOL = 1e-6
NUM = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


def _load():
    df = pd.read_csv(FIX / "returns.csv", index_col=0, parse_dates=True)
    return df.drop(columns="GSPC"), df["GSPC"]


def _parse_reference() -> dict:
    text = (FIX / "estudy2_output.txt").read_text()
    lines = text.splitlines()
    out: dict = {"param": {}, "nonparam": {}, "car": {}, "coefs": []}
    day_row = re.compile(r"^\s*(\d)\s+(\d{4}-\d\d-\d\d)\s+\w+day\s+(.*)$")
    block = None
    for line in lines:
        if "bw_1980_stat" in line:
            block = (
                "param",
                ["percentage", "mean", "bw_1980", "bw_1985", "t_test", "pt", "bh", "lmb"],
            )
            continue
        if "sign_stat" in line:
            block = ("nonparam", ["percentage", "sign", "gsign", "csign", "rank", "mrank", "wlcx"])
            continue
        if line.strip().startswith("name") or line.strip().startswith("coefs"):
            block = None
        m = day_row.match(line)
        if m and block:
            values = [float(v) for v in re.findall(NUM, m.group(3))]
            kind, names = block
            out[kind][m.group(2)] = dict(zip(names, values, strict=True))
            continue
        m = re.match(r"^\s*\d\s+(car_\w+)\s+\S+\s+\S+\s+(.*)$", line)
        if m:
            out["car"][m.group(1)] = [float(v) for v in re.findall(NUM, m.group(2))]
            continue
        m = re.match(r"^\[\d\,\]\s+(" + NUM + r")\s+(" + NUM + r")\s*$", line)
        if m:
            out["coefs"].append((float(m.group(1)), float(m.group(2))))
    return out


REF = _parse_reference()


@pytest.fixture(scope="module")
def res():
    r, m = _load()
    return event_study(
        r,
        m,
        "2020-03-16",
        estimation_window=("2019-04-01", "2020-03-13"),
        event_window=("2020-03-16", "2020-03-20"),
        convention="estudy2",
    )


def _day(res, stat: str) -> np.ndarray:
    t = res.tests
    t = t[(t["window"] == "day") & (t["statistic"] == stat)].sort_values("day")
    return t["value"].to_numpy()


def _ref(kind: str, key: str) -> np.ndarray:
    return np.array([REF[kind][d][key] for d in sorted(REF[kind])])


def test_reference_parsed_completely() -> None:
    assert len(REF["param"]) == 5 and len(REF["nonparam"]) == 5
    assert set(REF["car"]) == {"car_lamb", "car_brown_warner_1985", "car_rank_test"}
    assert len(REF["coefs"]) == 7


def test_estudy2_alpha_beta_ols_on_pairwise_complete_days(res) -> None:
    ref = np.array(REF["coefs"])
    np.testing.assert_allclose(res.params[["alpha", "beta"]].to_numpy(), ref, rtol=0, atol=TOL)
    # the estimation lengths printed by estudy2: 240 227 212 240 240 240 240
    assert res.params["n_obs"].tolist() == [240, 227, 212, 240, 240, 240, 240]


def test_estudy2_daily_mean_and_coverage(res) -> None:
    np.testing.assert_allclose(res.aar.iloc[:, 0].to_numpy(), _ref("param", "mean"), atol=TOL)
    assert res.calendar_dates["2020-03-16"].dt.strftime("%Y-%m-%d").tolist() == sorted(REF["param"])


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("brown_warner_1980", "bw_1980"),  # estudy2: sigma with M - 1 df; t(mean(M) - 1)
        ("brown_warner_1985", "bw_1985"),  # sd of the estimation-window mean AR per date
        ("t_cs", "t_test"),
        ("patell", "pt"),  # estudy2: sigma with M - 1 df, full-window market mean, mean * N fill
        ("bmp", "bh"),
        ("lamb", "lmb"),  # estudy2: first security's market for the forecast-error factor
    ],
)
def test_estudy2_parametric_daily_statistics_m_minus_1_sigma(res, ours, theirs) -> None:
    np.testing.assert_allclose(_day(res, ours), _ref("param", theirs), rtol=0, atol=TOL)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("sign", "sign"),
        ("generalized_sign", "gsign"),  # estudy2: p-hat pooled over all estimation values
        ("corrado_zivney_sign", "csign"),  # estudy2: missing filled with the day's mean
        ("corrado_rank", "rank"),  # estudy2: variance over mean(non-missing days)
        ("corrado_zivney_rank", "mrank"),
        ("wilcoxon", "wlcx"),  # W+: sum of ranks of |AR| of the positive ARs
    ],
)
def test_estudy2_nonparametric_daily_statistics_row_mean_fill(res, ours, theirs) -> None:
    np.testing.assert_allclose(_day(res, ours), _ref("nonparam", theirs), rtol=0, atol=TOL)


def test_estudy2_car_tests_sum_of_daily_over_sqrt_days(res) -> None:
    t = res.tests
    w = t[t["window"] == "car"].set_index("statistic")["value"]
    lamb = REF["car"]["car_lamb"]  # percentage, car_mean, statistic, days
    bw = REF["car"]["car_brown_warner_1985"]
    rank = REF["car"]["car_rank_test"]  # percentage, statistic, days
    assert w["lamb"] == pytest.approx(lamb[2], abs=TOL)
    assert w["brown_warner_1985"] == pytest.approx(bw[2], abs=TOL)
    assert w["cowan_car_rank"] == pytest.approx(rank[1], abs=TOL)
    # estudy2's car_mean is the mean of the daily AARs (our CAAR / number of days)
    assert res.aar.iloc[:, 0].mean() == pytest.approx(lamb[1], abs=TOL)
    assert res.caar.iloc[-1, 0] / 5 == pytest.approx(bw[1], abs=TOL)


def test_textbook_patell_differs_from_estudy2_by_the_m_minus_2_df(res) -> None:
    """Textbook (M - 2) vs estudy2 (M - 1): on the complete securities the ratio is exact."""
    r, m = _load()
    full = ["AMZN", "NFLX", "SHOP", "FB", "UPWK"]  # 240 observations each, no missing days
    kw = dict(
        estimation_window=("2019-04-01", "2020-03-13"),
        event_window=("2020-03-16", "2020-03-20"),
    )
    tb = event_study(r[full], m, "2020-03-16", **kw)
    e2 = event_study(r[full], m, "2020-03-16", convention="estudy2", **kw)
    np.testing.assert_allclose(
        _day(tb, "patell"), _day(e2, "patell") * np.sqrt(238 / 239), rtol=1e-12
    )
    # and with all seven securities the README's figure for M - 2 (2.5452264) is reproduced by a
    # hand calculation that changes only the degrees of freedom of estudy2's recipe
    x = m.loc["2019-04-01":"2020-03-13"]
    xe = m.loc["2020-03-16"]
    z = []
    for s in r.columns:
        y = r[s].loc["2019-04-01":"2020-03-13"]
        ok = y.notna()
        beta, alpha = np.polyfit(x[ok], y[ok], 1)
        resid = y[ok] - alpha - beta * x[ok]
        sd = np.sqrt((resid**2).sum() / (ok.sum() - 2))
        ar = r[s].loc["2020-03-16"] - alpha - beta * xe
        corr = 1 + 1 / ok.sum() + (xe - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()
        z.append(ar / sd / np.sqrt(corr))
    delta = res.params["n_obs"].to_numpy()
    hand = np.sum(z) / np.sqrt(np.sum((delta - 2) / (delta - 4)))
    assert hand == pytest.approx(2.5452264, abs=1e-6)
    assert _day(res, "patell")[0] == pytest.approx(2.5507399, abs=1e-6)
