"""pyfixest wrappers against R on reduced real panels (tests/results/buyers_fe.R and its output).

Regenerate: ``python tests/results/buyers_export.py && Rscript tests/results/buyers_fe.R >
tests/results/buyers_fe_output.txt``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from potash.estimators.fixest import fe_fit

HERE = Path(__file__).parent / "results"


def _r_output() -> dict[tuple[str, str], list[float]]:
    out = {}
    for line in (HERE / "buyers_fe_output.txt").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] in ("OLS", "PPML") and parts[1] not in ("n",):
            out[(parts[0], parts[1])] = [float(v) for v in parts[2:]]
    return out


def test_fe_ols_matches_r_lm_and_vcovcl():
    r = _r_output()
    uv = pd.read_csv(HERE / "buyers_uv_panel.csv")
    terms = ["BLR_x_sanctions", "BLR_x_post_klaipeda"]
    fx = fe_fit(uv, "log_uv", terms, ["importer_month"], cluster="importer_month")
    n, g = len(uv), uv["importer_month"].nunique()
    k_r, k_fx = len(terms) + g, len(terms) + 1  # R counts every dummy; fixest: nested FE as one
    ratio = np.sqrt(((n - 1) / (n - k_r)) / ((n - 1) / (n - k_fx)))
    for t in terms:
        assert fx.loc[t, "estimate"] == pytest.approx(r[("OLS", t)][0], abs=1e-9)
        assert fx.loc[t, "se"] * ratio == pytest.approx(r[("OLS", t)][1], rel=1e-6)


def test_fepois_matches_r_glm_quasipoisson():
    r = _r_output()
    pp = pd.read_csv(HERE / "buyers_ppml_panel.csv")
    terms = ["T_x_sanctions_other", "T_x_post_klaipeda_other"]
    fx = fe_fit(pp, "quantity_t", terms, ["importer_month", "importer_origin"], family="poisson")
    for t in terms:
        assert fx.loc[t, "estimate"] == pytest.approx(r[("PPML", t)][0], abs=1e-6)
