"""Freight and insurance into Brazil: a known DiD recovered on seeded synthetic ComexStat rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from potash.analyses.freight import freight_by_origin, freight_did, not_declared_share
from potash.core.errors import PotashDataError


def _comex(seed=0, effect=0.3):
    rng = np.random.default_rng(seed)
    rows = []
    origins = ["BLR", "CAN", "RUS", "ISR", "DEU", "JOR", "XXX"]
    base = dict(zip(origins, [3.0, 3.1, 3.2, 2.9, 3.3, 3.0, 3.0], strict=True))
    for p in pd.period_range("2019-01", "2023-12", freq="M").strftime("%Y-%m"):
        month = rng.normal(0, 0.2)
        for o in origins:
            lf = base[o] + month + (effect if (o == "BLR" and p >= "2021-08") else 0.0) \
                + rng.normal(0, 0.02)
            q = 1000.0
            rows.append({"period": p, "partner_iso3": o, "hs_code": "31042090", "quantity_t": q,
                         "value_usd": 300.0 * q, "freight_usd": np.exp(lf) * q,
                         "insurance_usd": 0.0 if (o == "BLR" and p >= "2023-01") else 50.0})
    return pd.DataFrame(rows)


def test_freight_did_recovers_known_step():
    r = freight_did(_comex(), end="2023-12")
    t = r.table.set_index("term")
    assert t.loc["BLR_x_2021-08", "estimate"] == pytest.approx(0.3, abs=0.02)
    assert t.loc["BLR_x_2022-02", "estimate"] == pytest.approx(0.0, abs=0.05)
    assert t.loc["BLR_x_2021-08", "n_placebos"] == 5  # XXX never a control
    assert t.loc["BLR_x_2021-08", "ri_p_value"] == pytest.approx(1 / 6)  # the smallest possible
    assert "XXX" not in set(r.panel["origin"])


def test_insurance_share_and_not_declared():
    f = freight_by_origin(_comex())
    blr = f[f["origin"] == "BLR"].set_index("year")
    assert blr.loc[2022, "insured_share"] == 1.0 and blr.loc[2023, "insured_share"] == 0.0
    assert blr.loc[2019, "fob_per_t"] == pytest.approx(300.0)
    nd = not_declared_share(_comex()).set_index("year")
    assert nd.loc[2020, "not_declared_share"] == pytest.approx(1 / 7)


def test_freight_bad_input():
    with pytest.raises(PotashDataError, match="lacks columns"):
        freight_by_origin(_comex().drop(columns="freight_usd"))
    with pytest.raises(ValueError, match="frequency"):
        freight_by_origin(_comex(), frequency="week")
