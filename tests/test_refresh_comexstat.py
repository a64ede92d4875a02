"""Offline tests of potash.pipeline.refresh_comexstat: a fake session replays a small bulk response."""

from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import pandas as pd
import pytest
import requests

from potash import load_trade
from potash import refresh as rf
from potash.core.errors import PotashDataError
from potash.pipeline.refresh_comexstat import COMEXSTAT_IMP_URL, fetch_comexstat

BULK_HEADER = ['CO_ANO', 'CO_MES', 'CO_NCM', 'CO_UNID', 'CO_PAIS', 'SG_UF_NCM', 'CO_VIA',
               'CO_URF', 'QT_ESTAT', 'KG_LIQUIDO', 'VL_FOB', 'VL_FRETE', 'VL_SEGURO']


def bulk_csv(year: int = 2024, n: int = 60, seed: int = 12) -> tuple[bytes, pd.DataFrame]:
    """A small synthetic ComexStat bulk file (the published ';' quoted layout)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "CO_ANO": year, "CO_MES": rng.integers(1, 13, n),
        "CO_NCM": rng.choice(["31042090", "31021010", "85171231"], n),
        "CO_UNID": "10", "CO_PAIS": rng.choice(["085", "149", "676", "999"], n),
        "SG_UF_NCM": rng.choice(["MT", "SP", "PA"], n), "CO_VIA": "01",
        "CO_URF": rng.choice(["0817800", "0927800"], n), "QT_ESTAT": 1,
        "KG_LIQUIDO": rng.integers(1_000, 5_000_000, n), "VL_FOB": rng.integers(100, 2_000_000, n),
        "VL_FRETE": rng.integers(0, 100_000, n), "VL_SEGURO": rng.integers(0, 5_000, n),
    })[BULK_HEADER]
    text = df.to_csv(sep=";", index=False, quoting=1, lineterminator="\r\n")
    return text.encode("latin-1"), df


class FakeSession:
    """requests.Session stand-in: URL -> recorded (status, body); records every call."""

    def __init__(self, routes: dict[str, tuple[int, bytes]]) -> None:
        self.routes = routes
        self.calls: list[str] = []

    def get(self, url, headers=None, stream=False, timeout=None):
        self.calls.append(url)
        if url not in self.routes:
            raise requests.ConnectionError(f"no route to {url}")
        status, body = self.routes[url]
        resp = requests.Response()
        resp.status_code = status
        resp.url = url
        resp.reason = "OK" if status == 200 else "ERR"
        resp.headers["Content-Length"] = str(len(body))
        resp.raw = io.BytesIO(body)
        return resp


def policy() -> rf.RetryPolicy:
    return rf.RetryPolicy(sleep=lambda s: None, min_interval=0.0, max_retries=1, timeout=5.0)


@pytest.fixture
def root(tmp_path, monkeypatch):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    monkeypatch.setenv("POTASH_ROOT", str(tmp_path))
    return tmp_path


def test_fetch_writes_vintage_records_it_and_loads(root, monkeypatch):
    body, raw = bulk_csv()
    url = COMEXSTAT_IMP_URL.format(year=2024)
    sess = FakeSession({url: (200, body)})
    (dl,) = fetch_comexstat(2024, vintage="2026-12-01", session=sess, policy=policy(),
                            progress=False)
    assert dl.status == "downloaded" and sess.calls == [url]
    assert dl.path == root / "data/raw/brazil_comexstat/vintage_2026-12-01/IMP_2024.csv"
    assert dl.path.read_bytes() == body  # stored unchanged
    pkg = json.loads((root / "data" / "datapackage.json").read_text())
    (res,) = pkg["resources"]
    assert res["path"] == "raw/brazil_comexstat/vintage_2026-12-01/IMP_2024.csv"
    assert res["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
    assert res["sources"][0]["path"] == url and res["version"] == "2026-12-01"
    # a second call with the same vintage is served from the record
    (again,) = fetch_comexstat(2024, vintage="2026-12-01", session=sess, policy=policy(),
                               progress=False)
    assert again.status == "cached" and len(sess.calls) == 1
    # the loader reads the bulk layout: fertilizer NCMs kept, the rest reported
    monkeypatch.delenv("POTASH_ROOT")
    t, ex = load_trade("comexstat", path=dl.path, return_excluded=True)
    fert = raw[raw["CO_NCM"].isin(["31042090", "31021010"])]
    assert len(t) == len(fert)
    assert int(ex["reason"].str.extract(r"\((\d+) rows\)")[0].astype(int).sum()) == \
        len(raw) - len(fert)
    by_hand = fert.groupby("CO_PAIS")["KG_LIQUIDO"].sum() / 1000
    got = t.groupby("comexstat_country")["quantity_t"].sum()
    pd.testing.assert_series_equal(got.sort_index(), by_hand.sort_index().astype(float),
                                   check_names=False, check_index_type=False)
    assert set(t["partner_iso3"]) <= {"BLR", "CAN", "RUS", "XXX"}
    assert t["freight_usd"].sum() == fert["VL_FRETE"].sum()


def test_url_template_and_years_checked(root):
    with pytest.raises(ValueError, match="year"):
        fetch_comexstat(2024, url="https://example.org/IMP.csv")
    with pytest.raises(ValueError, match="1997"):
        fetch_comexstat(1990, session=FakeSession({}), policy=policy())


def test_html_error_page_is_refused_and_nothing_stored(root):
    url = "http://mirror.example/IMP_{year}.csv"
    sess = FakeSession({url.format(year=2023): (200, b"<html>maintenance</html>")})
    with pytest.raises(PotashDataError, match="not a ComexStat bulk import file"):
        fetch_comexstat(2023, url=url, session=sess, policy=policy(), progress=False)
    assert not list((root / "data" / "raw").rglob("IMP_*.csv"))
    assert not (root / "data" / "datapackage.json").exists()


def test_offline_raises(root):
    with pytest.raises(rf.OfflineError, match="offline"):
        fetch_comexstat(2024, session=FakeSession({}), policy=policy(), progress=False)
