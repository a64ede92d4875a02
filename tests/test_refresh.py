"""Offline tests of potash.pipeline.refresh: a local HTTP server on 127.0.0.1 replays recorded responses.

No test touches the network: every URL points at the in-process server or a fake session.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import socket
import threading
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import requests

from potash.core.errors import PotashDataError
from potash.pipeline import refresh as rf
from potash.pipeline.ingest import read_trade_parquet

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "comtrade"
WB_JUNE = ROOT / "data/raw/worldbank_cmo/vintage_2026-06-02/CMO-Historical-Data-Monthly.xlsx"
WB_MAY = ROOT / "data/raw/worldbank_cmo/vintage_2026-05-04/CMO-Historical-Data-Monthly.xlsx"
# sha256 of the shipped June 2026 workbook, as recorded in data/raw/worldbank_cmo/SOURCE.md
WB_JUNE_SHA = "78a3373386d63020b6b45cb3df1c1c97bfb9347fda92ecd1e116cbffc8799ba9"


class Recorder:
    """A RetryPolicy.sleep that records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, s: float) -> None:
        self.waits.append(round(s, 6))


def policy(rec: Recorder | None = None, **kw) -> rf.RetryPolicy:
    kw.setdefault("min_interval", 0.0)
    kw.setdefault("timeout", 10.0)
    return rf.RetryPolicy(sleep=rec or Recorder(), **kw)


class Server:
    """Replays queued responses per path: (status, body, headers, truncate_to)."""

    def __init__(self) -> None:
        self.queues: dict[str, list[tuple]] = {}
        self.handlers: dict[str, object] = {}
        self.hits: list[tuple[str, dict]] = []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # silence
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                outer.hits.append((self.path, dict(self.headers)))
                if parts.path in outer.handlers:
                    status, body, headers, trunc = outer.handlers[parts.path](parse_qs(parts.query))
                else:
                    q = outer.queues.get(parts.path) or [(404, b"not found", {}, None)]
                    status, body, headers, trunc = q.pop(0) if len(q) > 1 else q[0]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body if trunc is None else body[:trunc])
                self.wfile.flush()
                self.close_connection = True

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def queue(self, path: str, *responses: tuple) -> None:
        self.queues[path] = [(*r, *([{}, None][len(r) - 2:])) if len(r) < 4 else r
                             for r in responses]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A project tree of its own (POTASH_ROOT), so nothing is written to the real data/."""
    (tmp_path / "data" / "raw").mkdir(parents=True)
    monkeypatch.setenv("POTASH_ROOT", str(tmp_path))
    return tmp_path


def _resources(root):
    """The recorded resources, read straight from the JSON (Frictionless layout)."""
    p = root / "data" / "datapackage.json"
    if not p.exists():
        return []
    out = []
    for r in json.loads(p.read_text())["resources"]:
        out.append({"path": r["path"], "url": r["sources"][0]["path"], "vintage": r["version"],
                    "sha256": r["hash"].removeprefix("sha256:"), "bytes": r["bytes"],
                    "dataset": r["path"].split("/")[1]})
    return out


# ------------------------------------------------------------------------------ World Bank


def test_worldbank_new_vintage_recorded_and_old_kept(server, root):
    server.queue("/cmo.xlsx", (200, WB_JUNE.read_bytes()))
    dl = rf.fetch_worldbank_cmo(url=server.url("/cmo.xlsx"), policy=policy(),
                                progress=False)
    assert dl.status == "downloaded"
    assert dl.vintage == "2026-06-02"  # the workbook's own "Updated on June 02, 2026"
    assert dl.path == root / "data/raw/worldbank_cmo/vintage_2026-06-02/CMO-Historical-Data-Monthly.xlsx"
    assert dl.sha256 == WB_JUNE_SHA == hashlib.sha256(dl.path.read_bytes()).hexdigest()
    (res,) = _resources(root)
    assert res["path"] == "raw/worldbank_cmo/vintage_2026-06-02/CMO-Historical-Data-Monthly.xlsx"
    assert res["sha256"] == WB_JUNE_SHA and res["bytes"] == WB_JUNE.stat().st_size
    assert res["url"] == server.url("/cmo.xlsx") and res["vintage"] == "2026-06-02"

    # same content again: no second copy
    server.queue("/cmo.xlsx", (200, WB_JUNE.read_bytes()))
    again = rf.fetch_worldbank_cmo(url=server.url("/cmo.xlsx"), policy=policy(),
                                   progress=False)
    assert again.status == "unchanged" and again.path == dl.path
    assert len(_resources(root)) == 1

    # a different workbook is a new vintage; the old file stays byte-identical
    server.queue("/cmo.xlsx", (200, WB_MAY.read_bytes()))
    other = rf.fetch_worldbank_cmo(url=server.url("/cmo.xlsx"), policy=policy(),
                                   progress=False)
    assert other.status == "downloaded" and other.vintage == "2026-05-04"
    assert hashlib.sha256(dl.path.read_bytes()).hexdigest() == WB_JUNE_SHA
    got = rf.verify_vintages()
    assert got["vintage"].tolist() == ["2026-05-04", "2026-06-02"]
    assert not list((root / "data/raw/worldbank_cmo").glob(".*part"))


# ------------------------------------------------------------------------------ HTTP errors


def test_shipped_vintage_is_not_duplicated_nor_relabelled(server):
    """In the real tree, the June workbook is shipped and recorded: a refresh returning the same
    bytes reports it unchanged and leaves data/datapackage.json as it was."""
    from potash.data.datapackage import datapackage_path

    before = datapackage_path().read_bytes()
    server.queue("/cmo.xlsx", (200, WB_JUNE.read_bytes()))
    dl = rf.fetch_worldbank_cmo(url=server.url("/cmo.xlsx"), policy=policy(), progress=False)
    assert dl.status == "unchanged" and dl.path == WB_JUNE
    assert datapackage_path().read_bytes() == before
    assert not list(WB_JUNE.parent.parent.glob(".*part"))


def test_429_then_success_waits_retry_after_then_backoff(server, root):
    body = b"Area,Year\nBelarus,2021\n"
    server.queue("/f.csv", (429, b"slow down", {"Retry-After": "3"}), (503, b""), (200, body))
    rec = Recorder()
    dl = rf.download(server.url("/f.csv"), "faostat_bulk", "f.csv",
                     policy=policy(rec, backoff=0.5), progress=False)
    assert dl.path.read_bytes() == body
    assert len(server.hits) == 3
    # first wait from Retry-After, second exponential: 0.5 * 2**1
    assert rec.waits == [3.0, 1.0]


def test_5xx_exhausting_retries_raises_and_leaves_nothing(server, root):
    server.queue("/f.csv", (503, b"busy"))
    rec = Recorder()
    with pytest.raises(rf.RefreshError, match=r"HTTP 503.*gave up after 4 attempts"):
        rf.download(server.url("/f.csv"), "faostat_bulk", "f.csv",
                    policy=policy(rec, max_retries=3, backoff=1.0), progress=False)
    assert rec.waits == [1.0, 2.0, 4.0]  # exponential backoff
    assert len(server.hits) == 4
    assert not (root / "data/raw/faostat_bulk").exists()  # nothing left, not even the folder
    assert _resources(root) == []


def test_404_is_not_retried(server, root):
    with pytest.raises(rf.RefreshError, match="HTTP 404.*moved"):
        rf.download(server.url("/gone.zip"), "faostat_bulk", "g.zip",
                    policy=policy(), progress=False)
    assert len(server.hits) == 1


def test_truncated_download_retried_then_fails(server, root):
    body = bytes(range(256)) * 40
    server.queue("/b.zip", (200, body, {}, 1000))
    with pytest.raises(rf.RefreshError, match=r"truncated download: \d+ of 10240 bytes"):
        rf.download(server.url("/b.zip"), "baci_release", "b.zip",
                    policy=policy(max_retries=1), progress=False)
    assert len(server.hits) == 2
    assert not (root / "data/raw/baci_release").exists()  # nothing left, not even the folder


def test_truncated_then_complete(server, root):
    body = bytes(range(256)) * 40
    server.queue("/b.zip", (200, body, {}, 1000), (200, body, {}, None))
    dl = rf.download(server.url("/b.zip"), "baci_release", "b.zip", vintage="202601",
                     policy=policy(), progress=True)
    assert dl.path.read_bytes() == body and dl.bytes == len(body)


def test_offline_message(root):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there any more
    rec = Recorder()
    with pytest.raises(rf.OfflineError, match="cannot reach 127.0.0.1.*offline"):
        rf.download(f"http://127.0.0.1:{port}/x.csv", "faostat_bulk", "x.csv",
                    policy=policy(rec, max_retries=2), progress=False)
    assert rec.waits == [1.0, 2.0]
    # a failed first download leaves no empty folder under data/raw (issue 14)
    assert not (root / "data" / "raw" / "faostat_bulk").exists()


# ------------------------------------------------------------------------------ checksums, empty


def test_changed_checksum_expected_hash(server, root):
    server.queue("/f.csv", (200, b"a,b\n1,2\n"))
    with pytest.raises(PotashDataError, match="changed checksum: expected sha256 00"):
        rf.download(server.url("/f.csv"), "faostat_bulk", "f.csv",
                    expected_sha256="00" * 32, policy=policy(), progress=False)
    assert _resources(root) == []
    assert not (root / "data/raw/faostat_bulk").exists()  # nothing left, not even the folder


def test_changed_checksum_of_recorded_file(server, root):
    server.queue("/f.csv", (200, b"a,b\n1,2\n"))
    dl = rf.download(server.url("/f.csv"), "faostat_bulk", "f.csv",
                     vintage="2026-01-01", policy=policy(), progress=False)
    # cache hit: same URL and vintage, no request
    hits = len(server.hits)
    again = rf.download(server.url("/f.csv"), "faostat_bulk", "f.csv",
                        vintage="2026-01-01", policy=policy(), progress=False)
    assert again.status == "cached" and len(server.hits) == hits
    dl.path.write_bytes(b"a,b\n1,3\n")  # someone edits the raw file
    with pytest.raises(PotashDataError, match="changed checksum: recorded sha256"):
        rf.download(server.url("/f.csv"), "faostat_bulk", "f.csv",
                    vintage="2026-01-01", policy=policy(), progress=False)
    with pytest.raises(PotashDataError, match=r"f\.csv: changed checksum"):
        rf.verify_vintages()


def test_empty_body_is_an_error(server, root):
    server.queue("/e.csv", (200, b""))
    with pytest.raises(PotashDataError, match="empty download"):
        rf.download(server.url("/e.csv"), "faostat_bulk", "e.csv", policy=policy(),
                    progress=False)


# ------------------------------------------------------------------------------ Comtrade


def _sample_records(name):
    return json.loads((FIX / name).read_text())["data"]


def _totals_by_hand(records):
    return [r for r in records if r["motCode"] == 0 and r["customsCode"] == "C00"
            and r["partner2Code"] == 0 and str(r["mosCode"]) == "0"]


def test_comtrade_missing_key(monkeypatch, root):
    monkeypatch.delenv(rf.COMTRADE_KEY_ENV, raising=False)
    with pytest.raises(rf.MissingKeyError, match="COMTRADE_SUBSCRIPTION_KEY"):
        rf.fetch_comtrade(cmd=["310420"], period=[2021])
    with pytest.warns(UserWarning, match="subscription key"):
        out = rf.refresh_all(["comtrade"], progress=False)
    assert out["status"].tolist() == ["skipped"]


def test_comtrade_paging_split_totals_and_key_not_stored(server, root, monkeypatch):
    monkeypatch.setenv(rf.COMTRADE_KEY_ENV, "secret-key-123")
    sample = (FIX / "apiv1_comercio_sample_response.json").read_bytes()
    records = json.loads(sample)["data"]
    limit = len(records) + 1

    def handler(q):
        periods = q["period"][0].split(",")
        if len(periods) > 1:  # the row limit is reached: the client must split
            rows = (records * 2)[:limit]
            return 200, json.dumps({"count": limit, "data": rows}).encode(), {}, None
        if periods == ["2024"]:
            return 200, sample, {}, None
        return 200, b'{"elements": 0, "count": 0, "data": []}', {}, None

    server.handlers["/data/v1/get/C/A/HS"] = handler
    res = rf.fetch_comtrade(
        cmd=["1201", "1507", "2304"], period=[2023, 2024], reporter=[76], partner=[156],
        flow=["X"], max_records=limit, url=server.url("/data/v1/get/C/A/HS"),
        policy=policy(), progress=False, vintage="2026-11-29",
    )
    periods = [parse_qs(urlsplit(p).query)["period"][0] for p, _ in server.hits]
    assert periods == ["2023,2024", "2023", "2024"]
    assert all(h.get("Ocp-Apim-Subscription-Key") == "secret-key-123" for _, h in server.hits)
    q = parse_qs(urlsplit(server.hits[0][0]).query)
    assert q["motCode"] == ["0"] and q["customsCode"] == ["C00"] and q["partner2Code"] == ["0"]
    assert len(res.records) == len(records)  # 8 real records, none lost to the row limit
    totals = _totals_by_hand(records)
    assert len(totals) < len(records)  # the sample holds breakdown rows
    assert len(res.trade) == len(totals)
    exp = sorted((r["cmdCode"], r["primaryValue"], r["netWgt"] / 1000) for r in totals)
    got = sorted(zip(res.trade["hs_code"], res.trade["value_usd"], res.trade["quantity_t"],
                     strict=True))
    assert got == exp
    assert set(res.trade["reporter_iso3"]) == {"BRA"} and set(res.trade["partner_iso3"]) == {"CHN"}
    assert res.dropped["rows"].sum() == len(records) - len(totals)
    text = (root / "data/datapackage.json").read_text()
    assert "secret-key-123" not in text
    assert all("secret" not in p.read_text() for p in (root / "data/raw").rglob("*.json"))
    assert {r["dataset"] for r in _resources(root)} == {"comtrade_api"}
    # the response cut at the row limit is not stored: only the two complete ones
    assert len(_resources(root)) == 2 == len(list((root / "data/raw/comtrade_api").rglob("*.json")))
    assert res.requests == 3


def test_comtrade_mirror_pair_and_empty_result(server, root):
    rep = (FIX / "apiv1_mirror_sample_response_reporter.json").read_bytes()
    server.queue("/rep", (200, rep))
    res = rf.fetch_comtrade(cmd=["1201"], period=[2024], reporter=[76], key="k",
                            url=server.url("/rep"), policy=policy(), progress=False)
    recs = _sample_records("apiv1_mirror_sample_response_reporter.json")
    assert len(res.trade) == len(_totals_by_hand(recs)) == 1
    assert res.trade["flow"].tolist() == ["export"]

    server.queue("/empty", (200, b'{"elements": 0, "count": 0, "data": []}'))
    with pytest.warns(UserWarning, match="returned no rows"):
        res = rf.fetch_comtrade(cmd=["310420"], period=[2030], reporter=[112], key="k",
                                url=server.url("/empty"), policy=policy(),
                                progress=False)
    assert res.trade.empty and res.trade.columns.tolist() == rf._TRADE_COLUMNS
    assert res.records.empty


def test_comtrade_bad_json_and_api_error(server, root):
    server.queue("/bad", (200, b"<html>maintenance</html>"))
    with pytest.raises(PotashDataError, match="not JSON"):
        rf.fetch_comtrade(cmd=["310420"], period=[2021], key="k", url=server.url("/bad"), policy=policy(), progress=False)
    server.queue("/unauth", (401, b'{"statusCode": 401, "message": "Access denied"}'))
    with pytest.raises(rf.RefreshError, match="HTTP 401.*subscription key"):
        rf.fetch_comtrade(cmd=["310420"], period=[2021], key="k", url=server.url("/unauth"), policy=policy(), progress=False)


def test_throttle_spaces_requests(server, root):
    server.queue("/t", (200, b'{"data": []}'))
    rec = Recorder()
    pol = policy(rec, min_interval=5.0)
    with pytest.warns(UserWarning):
        rf.fetch_comtrade(cmd=["310420"], period=[2020], key="k", url=server.url("/t"), policy=pol, progress=False)
        rf.fetch_comtrade(cmd=["310420"], period=[2021], key="k", url=server.url("/t"), policy=pol, progress=False)
    assert len(rec.waits) == 1 and 4.0 < rec.waits[0] <= 5.0


# ------------------------------------------------------------------------------ BACI


def _baci_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("BACI_HS17_Y2021_V202601.csv",
                   "t,i,j,k,v,q\n2021,112,616,310420,1234.5,4321.0\n"
                   "2021,112,440,310420,10,NA\n2021,124,842,310430,5,6\n"
                   "2021,124,842,270900,99,99\n")
        z.writestr("BACI_HS17_Y2022_V202601.csv",
                   "t,i,j,k,v,q\n2022,643,156,310420,2.5,7\n")
        z.writestr("country_codes_V202601.csv",
                   "country_code,country_name,country_iso2,country_iso3\n112,Belarus,BY,BLR\n"
                   "616,Poland,PL,POL\n440,Lithuania,LT,LTU\n124,Canada,CA,CAN\n"
                   "842,USA,US,USA\n643,Russian Federation,RU,RUS\n156,China,CN,CHN\n")
        z.writestr("Readme.txt", "BACI test archive")
    return buf.getvalue()


def test_baci_release_download_cache_and_ingest(server, root):
    body = _baci_zip()
    server.queue("/BACI_HS17_V202601.zip", (200, body))
    url = server.url("/BACI_HS17_V202601.zip")
    dl = rf.fetch_baci("202601", url=url, policy=policy(), progress=False)
    assert dl.status == "downloaded" and dl.vintage == "202601"
    assert dl.path == root / "data/raw/baci_release/vintage_202601/BACI_HS17_V202601.zip"
    out = read_trade_parquet(root / "data/processed/baci/HS17_V202601")
    assert out["year"].tolist() == [2021, 2021, 2021, 2022]
    assert out[["reporter_iso3", "partner_iso3", "hs_code"]].to_numpy().tolist() == [
        ["BLR", "LTU", "310420"], ["BLR", "POL", "310420"], ["CAN", "USA", "310430"],
        ["RUS", "CHN", "310420"]]
    assert out["value_usd"].tolist() == [10_000.0, 1_234_500.0, 5_000.0, 2_500.0]
    assert out["quantity_t"].isna().tolist() == [True, False, False, False]
    hits = len(server.hits)
    again = rf.fetch_baci("202601", url=url, policy=policy(), progress=False,
                          ingest=False)
    assert again.status == "cached" and len(server.hits) == hits


def test_baci_truncated_archive_is_refused(server, root):
    body = _baci_zip()
    server.queue("/B.zip", (200, body, {}, len(body) // 2))
    with pytest.raises(rf.RefreshError, match="truncated"):
        rf.fetch_baci("202601", url=server.url("/B.zip"),
                      policy=policy(max_retries=0), progress=False)
    assert not (root / "data/raw/baci_release/vintage_202601").exists()


# ------------------------------------------------------------------------------ refresh_all


class FakeSession:
    """requests.Session stand-in: URL -> recorded (status, body); records every call."""

    def __init__(self, routes):
        self.routes = routes
        self.calls = []

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


def _zip_bytes(name, text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, text)
    return buf.getvalue()


def test_refresh_all_offline_fake_session(root, monkeypatch):
    monkeypatch.delenv(rf.COMTRADE_KEY_ENV, raising=False)
    monkeypatch.delenv("POTASH_REFRESH_BACI", raising=False)
    routes = {
        rf.WORLDBANK_CMO_URL: (200, WB_JUNE.read_bytes()),
        rf.FAOSTAT_URLS["RFB"]: (200, _zip_bytes("rfb.csv", "Area,Item\nBelarus,MOP\n")),
        rf.FAOSTAT_URLS["RFN"]: (200, _zip_bytes("rfn.csv", "Area,Item\nBelarus,K2O\n")),
    }
    sess = FakeSession(routes)
    with pytest.warns(UserWarning, match="subscription key"):
        out = rf.refresh_all(session=sess, policy=policy(), progress=False)
    assert out["dataset"].tolist() == ["worldbank_cmo", "faostat_bulk", "faostat_bulk", "comtrade"]
    assert out["status"].tolist() == ["downloaded", "downloaded", "downloaded", "skipped"]
    assert out["vintage"].iloc[0] == "2026-06-02"
    assert sorted(sess.calls) == sorted(routes)  # nothing else was requested
    recorded = {r["path"]: r["sha256"] for r in _resources(root)}
    for p, sha in zip(out["path"][:3], out["sha256"][:3], strict=True):
        rel = Path(p).relative_to(root / "data").as_posix()
        assert recorded[rel] == sha == hashlib.sha256(Path(p).read_bytes()).hexdigest()


def test_refresh_all_offline_raises(root):
    sess = FakeSession({})
    with pytest.raises(rf.OfflineError, match="offline"):
        rf.refresh_all(["worldbank_cmo"], session=sess,
                       policy=policy(max_retries=1), progress=False)


def test_refresh_all_unknown_dataset(root):
    with pytest.raises(ValueError, match="allowed values"):
        rf.refresh_all(["bloomberg"])


def test_comtrade_to_trade_missing_field():
    with pytest.raises(PotashDataError, match="column 'flowCode'"):
        rf.comtrade_to_trade(pd.DataFrame({"refYear": [2021], "reporterISO": ["BLR"],
                                           "partnerISO": ["POL"], "cmdCode": ["310420"],
                                           "primaryValue": [1.0]}))
