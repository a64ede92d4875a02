"""Download new vintages of the public sources (``potash data --refresh``, ``make data REFRESH=1``).

Each download goes to ``data/raw/<dataset>/vintage_<vintage>/<file>`` and is recorded in
``data/datapackage.json`` with its URL, vintage, bytes and sha256. A refreshed file is a new
vintage: old vintages stay, so an analysis names the vintage it used. A download whose content
equals an already recorded vintage of the same URL is not stored twice (status ``unchanged``).

Sources
-------
- World Bank Pink Sheet workbook (``worldbank_cmo``; the vintage is the workbook's own
  "Updated on ..." date, so it lands beside the shipped vintages).
- FAOSTAT bulk files, fertilizers by product (RFB) and by nutrient (RFN).
- UN Comtrade API v1 (subscription key in ``COMTRADE_SUBSCRIPTION_KEY``): throttled, retried with
  exponential backoff on HTTP 429 and 5xx, split into smaller queries when a response reaches the
  row limit, breakdown rows dropped as in the loaders.
- A CEPII BACI release archive (large: only on request), then ingested to Parquet with
  :func:`potash.pipeline.ingest.ingest_baci`.

Every network call goes through a ``requests.Session`` (pass ``session=`` to use another, as the
offline tests do) and :class:`RetryPolicy`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pandas as pd
import requests

from potash.core.errors import PotashDataError
from potash.core.paths import processed_dir, project_root
from potash.data.datapackage import file_sha256

__all__ = [
    "BACI_URL",
    "COMTRADE_KEY_ENV",
    "COMTRADE_URL",
    "FAOSTAT_URLS",
    "WORLDBANK_CMO_URL",
    "Download",
    "MissingKeyError",
    "OfflineError",
    "RefreshError",
    "RetryPolicy",
    "comtrade_to_trade",
    "download",
    "fetch_baci",
    "fetch_comtrade",
    "fetch_faostat",
    "fetch_worldbank_cmo",
    "refresh_all",
    "verify_vintages",
]

WORLDBANK_CMO_URL = (
    "https://thedocs.worldbank.org/en/doc/74e8be41ceb20fa0da750cda2f6b9e4e-0050012026/"
    "related/CMO-Historical-Data-Monthly.xlsx"
)
FAOSTAT_URLS = {
    "RFB": "https://bulks-faostat.fao.org/production/"
    "Inputs_FertilizersProduct_E_All_Data_(Normalized).zip",
    "RFN": "https://bulks-faostat.fao.org/production/"
    "Inputs_FertilizersNutrient_E_All_Data_(Normalized).zip",
}
BACI_URL = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_{hs}_V{version}.zip"
COMTRADE_URL = "https://comtradeapi.un.org/data/v1/get/{type}/{freq}/{cl}"
COMTRADE_KEY_ENV = "COMTRADE_SUBSCRIPTION_KEY"

_LICENCES = {
    "worldbank_cmo": "CC-BY-4.0 (World Bank, Commodity Price Data (The Pink Sheet))",
    "faostat_bulk": "CC-BY-4.0 (FAO, FAOSTAT)",
    "comtrade_api": "UN Comtrade terms of use (non-commercial use with attribution)",
    "baci_release": "Etalab Open Licence 2.0 (CEPII BACI)",
}
_CHUNK = 1 << 16


class RefreshError(RuntimeError):
    """A download failed (HTTP error after retries, truncated transfer, bad response)."""


class OfflineError(RefreshError):
    """The host cannot be reached (no internet connection, DNS failure, firewall)."""


class MissingKeyError(RefreshError):
    """A source needs a key that is not set in the environment."""


@dataclass(frozen=True)
class RetryPolicy:
    """How downloads retry and pace their requests.

    Parameters
    ----------
    max_retries : int
        Retries after the first attempt on HTTP 429, HTTP 5xx, connection errors and truncated
        transfers.
    backoff : float
        Seconds before the first retry; doubled at each further retry (exponential backoff),
        capped at ``max_backoff``. A ``Retry-After`` header (seconds) takes precedence.
    max_backoff : float
        Cap of one wait, in seconds.
    timeout : float
        Seconds to wait for the server to answer or send more data.
    min_interval : float
        Minimum seconds between two requests to the same API (throttling; Comtrade's free tier
        allows about one call per second).
    sleep : callable
        Function used to wait (tests pass a recorder instead of ``time.sleep``).

    Examples
    --------
    >>> [RetryPolicy(backoff=2).wait(n) for n in range(4)]
    [2.0, 4.0, 8.0, 16.0]
    """

    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    timeout: float = 60.0
    min_interval: float = 1.1
    sleep: Callable[[float], Any] = field(default=time.sleep, repr=False)

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry number ``attempt + 1`` (0-based ``attempt``).

        Examples
        --------
        >>> RetryPolicy(backoff=1).wait(0, retry_after="7")
        7.0
        """
        if retry_after is not None:
            try:
                return min(float(retry_after), self.max_backoff)
            except ValueError:
                pass
        return float(min(self.backoff * 2**attempt, self.max_backoff))


@dataclass(frozen=True)
class Download:
    """One file obtained by :func:`download`.

    ``status`` is ``"downloaded"`` (a new vintage), ``"cached"`` (the recorded file of that URL
    and vintage, not downloaded again) or ``"unchanged"`` (downloaded, identical to a recorded
    vintage, which is returned).
    """

    dataset: str
    url: str
    vintage: str
    path: Path
    sha256: str
    bytes: int
    status: str


# --------------------------------------------------------------------------------------------
# data/datapackage.json (written through potash.data.datapackage.register_resource)


def _recorded(url: str | None = None) -> list[dict]:
    """Resources of ``data/datapackage.json`` as ``path, url, vintage, sha256`` (optionally one URL).

    The package is the data layer's Frictionless descriptor: the URL is the first ``sources``
    path, the vintage is ``version``, the checksum is ``hash`` (``sha256:...``).
    """
    from potash.data.datapackage import datapackage_path

    p = datapackage_path()
    if not p.is_file():
        return []
    try:
        pkg = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PotashDataError(f"not valid JSON: {exc.msg}", file=p, row=exc.lineno) from exc
    out = []
    for r in pkg.get("resources", []):
        sources = r.get("sources") or [{}]
        src = sources[0].get("path")
        sha = str(r.get("hash", "")).removeprefix("sha256:")
        if url is not None and src != url:
            continue
        out.append({"path": r.get("path"), "url": src, "vintage": str(r.get("version")),
                    "sha256": sha, "bytes": r.get("bytes")})
    return out


def _register(path: Path, url: str, vintage: str, dataset: str, licence: str | None) -> None:
    from potash.data.datapackage import register_resource

    register_resource(
        path,
        source_url=url,
        license=licence or _LICENCES.get(dataset, "see source"),
        version=vintage,
        description=f"{dataset}: vintage {vintage} downloaded {_today()} by potash.pipeline.refresh",
        title=path.name,
    )


def _sha256(path: Path) -> str:
    return file_sha256(path)


def verify_vintages(dataset: str | None = None) -> pd.DataFrame:
    """Check every vintage folder recorded in ``data/datapackage.json`` against its sha256.

    Covers ``data/raw/<dataset>/vintage_*/`` files, shipped or downloaded by this module.

    Parameters
    ----------
    dataset : str, optional
        Check only this folder of ``data/raw`` (e.g. ``"worldbank_cmo"``).

    Returns
    -------
    DataFrame
        ``dataset, vintage, path, url, sha256, bytes``, sorted by dataset and vintage.

    Raises
    ------
    PotashDataError
        A recorded file is missing or its content changed (expected and found hash named).

    Examples
    --------
    >>> sorted(set(verify_vintages("worldbank_cmo")["vintage"]))[:2]
    ['2026-05-04', '2026-06-02']
    """
    rows = []
    root = project_root() / "data"
    for r in _recorded():
        m = re.fullmatch(r"raw/([^/]+)/vintage_[^/]+/.+", str(r["path"]))
        if not m or (dataset is not None and m.group(1) != dataset):
            continue
        path = root / r["path"]
        if not path.exists():
            raise PotashDataError("recorded vintage is missing", file=path)
        got = _sha256(path)
        if got != r["sha256"]:
            raise PotashDataError(
                f"changed checksum: recorded sha256 {r['sha256']}, file has {got}; the file was "
                "modified after download (raw files are never edited: download it again)",
                file=path,
            )
        rows.append({"dataset": m.group(1), **r})
    cols = ["dataset", "vintage", "path", "url", "sha256", "bytes"]
    return pd.DataFrame(rows, columns=cols).sort_values(["dataset", "vintage"], ignore_index=True)


# --------------------------------------------------------------------------------------------
# HTTP


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


_last_call: dict[str, float] = {}


def _throttle(url: str, policy: RetryPolicy) -> None:
    host = _host(url)
    if policy.min_interval > 0 and host in _last_call:
        wait = _last_call[host] + policy.min_interval - time.monotonic()
        if wait > 0:
            policy.sleep(wait)
    _last_call[host] = time.monotonic()


def _get(
    session: requests.Session,
    url: str,
    policy: RetryPolicy,
    *,
    headers: dict | None = None,
    attempt_hook: Callable[[requests.Response], Any] | None = None,
) -> Any:
    """GET ``url`` with retries; call ``attempt_hook(response)`` on a 2xx and return its result.

    Retries on connection errors, HTTP 429 and 5xx, and on :class:`_Transient` raised by the
    hook (truncated body). Raises :class:`OfflineError` when the host never answered.
    """
    last: str = ""
    for attempt in range(policy.max_retries + 1):
        _throttle(url, policy)
        retry_after = None
        try:
            resp = session.get(url, headers=headers, stream=True, timeout=policy.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            last = f"connection failed ({type(exc).__name__})"
            if attempt == policy.max_retries:
                raise OfflineError(
                    f"cannot reach {_host(url)} ({last}) after {attempt + 1} attempts: are you "
                    "offline? potash keeps working on the shipped snapshots in data/raw; run "
                    "the refresh again with an internet connection"
                ) from exc
        else:
            try:
                code = resp.status_code
                if code == 429 or code >= 500:
                    retry_after = resp.headers.get("Retry-After")
                    last = f"HTTP {code} {resp.reason or ''}".strip()
                elif code >= 400:
                    raise RefreshError(_http_message(url, resp, headers))
                else:
                    try:
                        return attempt_hook(resp) if attempt_hook else resp
                    except _Transient as exc:
                        last = str(exc)
            finally:
                if attempt_hook is not None:
                    resp.close()
        if attempt < policy.max_retries:
            policy.sleep(policy.wait(attempt, retry_after))
    raise RefreshError(f"{_redact(url)}: {last}; gave up after {policy.max_retries + 1} attempts")


def _redact(url: str) -> str:
    return re.sub(r"(?i)(subscription-key|token|key)=[^&]+", r"\1=***", url)


def _http_message(url: str, resp: requests.Response, headers: dict | None = None) -> str:
    body = ""
    try:
        body = resp.text[:300]
    except Exception:
        body = ""
    hint = ""
    if resp.status_code in (401, 403) and "Ocp-Apim-Subscription-Key" in (headers or {}):
        hint = f" (the subscription key in {COMTRADE_KEY_ENV} was refused)"
    if resp.status_code == 404:
        hint = " (the file moved: pass the current URL with url=...)"
    return f"{_redact(url)}: HTTP {resp.status_code}{hint} {body}".strip()


class _Transient(Exception):
    """A failure worth retrying (truncated body)."""


def _stream_to(resp: requests.Response, tmp: Path, progress: bool, label: str) -> tuple[str, int]:
    """Write the body to ``tmp``; return (sha256, bytes). Raise _Transient when truncated."""
    total = resp.headers.get("Content-Length")
    total_n = int(total) if total and total.isdigit() else None
    h = hashlib.sha256()
    n = 0
    bar = _progress_bar(total_n, label, progress)
    try:
        with open(tmp, "wb") as fh:
            try:
                for chunk in resp.iter_content(_CHUNK):
                    if not chunk:
                        continue
                    fh.write(chunk)
                    h.update(chunk)
                    n += len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as exc:
                raise _Transient(
                    f"truncated download: {n} of {total_n if total_n is not None else '?'} "
                    f"bytes ({type(exc).__name__})"
                ) from exc
    finally:
        if bar is not None:
            bar.close()
    if total_n is not None and n != total_n and not resp.headers.get("Content-Encoding"):
        raise _Transient(f"truncated download: {n} of {total_n} bytes")
    return h.hexdigest(), n


def _progress_bar(total: int | None, label: str, progress: bool):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=label,
                file=sys.stderr, leave=False, disable=None)


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


# --------------------------------------------------------------------------------------------
# cache


def download(
    url: str,
    dataset: str,
    filename: str,
    *,
    vintage: str | None = None,
    vintage_of: Callable[[Path], str] | None = None,
    expected_sha256: str | None = None,
    headers: dict | None = None,
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
    progress: bool = True,
    licence: str | None = None,
    accept: Callable[[Path], Any] | None = None,
) -> Download:
    """Download ``url`` into ``data/raw/<dataset>/vintage_<vintage>/<filename>`` and record it.

    The cache is keyed by URL and vintage: if ``vintage`` is given and that URL's vintage is
    already recorded (and its file still has the recorded sha256), nothing is downloaded. Else
    the body is streamed to a temporary file (progress bar for long downloads), checked
    (complete, not empty, ``expected_sha256`` if given), and moved into place; an existing file is
    never overwritten. Content identical to a recorded vintage of the same URL is not stored
    again (``status="unchanged"``).

    Parameters
    ----------
    url : str
        What to download (no secrets in it: keys go in ``headers``).
    dataset : str
        Folder under ``data/raw``.
    filename : str
        File name inside the vintage folder.
    vintage : str, optional
        Vintage label (default: ``vintage_of(file)``, else today's UTC date ``YYYY-MM-DD``).
    vintage_of : callable, optional
        Derives the vintage from the downloaded file (e.g. the workbook's "Updated on" date).
    expected_sha256 : str, optional
        Refuse the file if its sha256 differs.
    headers : dict, optional
        Extra request headers.
    session : requests.Session, optional
        HTTP session (default a new one).
    policy : RetryPolicy, optional
        Retries, backoff, throttling.
    progress : bool
        Show a progress bar (tqdm) while downloading.
    licence : str, optional
        Recorded in the data package.
    accept : callable, optional
        Called with the downloaded (temporary) file before it is stored; an exception it raises
        leaves nothing stored or recorded (used to refuse Comtrade responses cut at the row limit).

    Returns
    -------
    Download

    Raises
    ------
    OfflineError, RefreshError
        Network failures after the retries (HTTP errors, truncated transfer).
    PotashDataError
        Empty body, a checksum that differs from ``expected_sha256``, or a recorded file whose
        content changed.

    Examples
    --------
    >>> download("https://example.org/a.csv", "x", "a.csv")  # doctest: +SKIP
    """
    root = project_root()
    policy = policy or RetryPolicy()
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", dataset) or not re.fullmatch(r"[^/\\]+", filename):
        raise ValueError(f"dataset {dataset!r} / filename {filename!r}: plain names only")
    recorded = _recorded(_redact(url))
    if vintage is not None:
        for r in recorded:
            if r["vintage"] == vintage and (root / "data" / r["path"]).exists():
                path = root / "data" / r["path"]
                got = _sha256(path)
                if got != r["sha256"]:
                    raise PotashDataError(
                        f"changed checksum: recorded sha256 {r['sha256']}, file has {got}",
                        file=path,
                    )
                return Download(dataset, url, vintage, path, got, path.stat().st_size, "cached")
    folder = root / "data" / "raw" / dataset
    created = not folder.exists()  # a failed first download must not leave an empty folder
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    session = session or requests.Session()
    try:
        sha, nbytes = _get(
            session,
            url,
            policy,
            headers=headers,
            attempt_hook=lambda resp: _stream_to(resp, tmp, progress, filename),
        )
        if nbytes == 0:
            raise PotashDataError(f"empty download from {_redact(url)}: 0 bytes", file=filename)
        if expected_sha256 is not None and sha != expected_sha256.lower():
            raise PotashDataError(
                f"changed checksum: expected sha256 {expected_sha256}, downloaded {sha} "
                f"from {_redact(url)}",
                file=filename,
            )
        if accept is not None:
            accept(tmp)
        for r in recorded:
            if r["sha256"] == sha and (root / "data" / r["path"]).exists():
                return Download(
                    dataset, url, r["vintage"], root / "data" / r["path"], sha, nbytes, "unchanged"
                )
        if vintage is None:
            vintage = vintage_of(tmp) if vintage_of else _today()
        final = folder / f"vintage_{vintage}" / filename
        suffix = 2
        while final.exists() and _sha256(final) != sha:
            final = folder / f"vintage_{vintage}_{suffix}" / filename
            suffix += 1
        label = final.parent.name.removeprefix("vintage_")
        if final.exists():  # the same bytes are already there (e.g. a shipped vintage)
            rel = final.relative_to(root / "data").as_posix()
            if any(r["path"] == rel and r["sha256"] == sha for r in _recorded()):
                return Download(dataset, url, label, final, sha, nbytes, "unchanged")
        final.parent.mkdir(parents=True, exist_ok=True)
        if not final.exists():
            os.replace(tmp, final)
        _register(final, _redact(url), final.parent.name.removeprefix("vintage_"), dataset,
                  licence)
        return Download(
            dataset, url, final.parent.name.removeprefix("vintage_"), final, sha, nbytes,
            "downloaded",
        )
    finally:
        tmp.unlink(missing_ok=True)
        if created and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


# --------------------------------------------------------------------------------------------
# World Bank, FAOSTAT, BACI


def _worldbank_vintage(path: Path) -> str:
    """The "Updated on <Month DD, YYYY>" date of a Pink Sheet workbook, as YYYY-MM-DD."""
    import openpyxl

    try:
        with open(path, "rb") as fh:
            data = io.BytesIO(fh.read())
        wb = openpyxl.load_workbook(data, read_only=True, data_only=True)
    except Exception as exc:
        raise PotashDataError(f"not a readable xlsx workbook ({exc})", file=path) from exc
    try:
        if "Monthly Prices" not in wb.sheetnames:
            raise PotashDataError(
                f"no sheet 'Monthly Prices' (sheets: {wb.sheetnames})", file=path
            )
        ws = wb["Monthly Prices"]
        for row in ws.iter_rows(min_row=1, max_row=6, max_col=3, values_only=True):
            for cell in row:
                m = re.search(r"Updated on\s+([A-Za-z]+ \d{1,2},? \d{4})", str(cell or ""))
                if m:
                    text = m.group(1).replace(",", "")
                    return dt.datetime.strptime(text, "%B %d %Y").date().isoformat()
    finally:
        wb.close()
    return _today()


def fetch_worldbank_cmo(
    *,
    url: str = WORLDBANK_CMO_URL,
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
    progress: bool = True,
) -> Download:
    """Download the World Bank Pink Sheet workbook as a new vintage of ``worldbank_cmo``.

    The vintage is the workbook's own "Updated on" date, so the file lands in
    ``data/raw/worldbank_cmo/vintage_YYYY-MM-DD/CMO-Historical-Data-Monthly.xlsx`` beside the
    shipped vintages and ``load_prices(vintage=...)`` finds it.

    Examples
    --------
    >>> fetch_worldbank_cmo()  # doctest: +SKIP
    """
    return download(
        url, "worldbank_cmo", "CMO-Historical-Data-Monthly.xlsx", vintage_of=_worldbank_vintage,
        session=session, policy=policy, progress=progress,
    )


def fetch_faostat(
    domains: Sequence[str] = ("RFB", "RFN"),
    *,
    vintage: str | None = None,
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
    progress: bool = True,
) -> list[Download]:
    """Download FAOSTAT bulk zips (fertilizers by product RFB, by nutrient RFN).

    Examples
    --------
    >>> fetch_faostat(["RFB"])  # doctest: +SKIP
    """
    out = []
    for d in domains:
        if d not in FAOSTAT_URLS:
            raise ValueError(f"domains: unknown FAOSTAT domain {d!r}; allowed {sorted(FAOSTAT_URLS)}")
        url = FAOSTAT_URLS[d]
        out.append(
            download(url, "faostat_bulk", url.rsplit("/", 1)[1], vintage=vintage,
                     session=session, policy=policy, progress=progress)
        )
    return out


def fetch_baci(
    version: str = "202601",
    *,
    hs: str = "HS17",
    url: str | None = None,
    ingest: bool = True,
    out_dir: str | Path | None = None,
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
    progress: bool = True,
) -> Download:
    """Download a CEPII BACI release archive (vintage = release) and ingest it to Parquet.

    The archive (several GB) is cached under ``data/raw/baci_release/vintage_<version>/``; a
    second call with the same version does not download again. With ``ingest=True`` the potash
    rows (HS 3104, 3105) are written by :func:`potash.pipeline.ingest.ingest_baci` to
    ``data/processed/baci/<hs>_V<version>/year=YYYY/``, which ``load_trade("baci", path=...)``
    reads.

    Examples
    --------
    >>> fetch_baci("202601")  # doctest: +SKIP
    """
    if not re.fullmatch(r"\d{6}[a-z]?", version) or not re.fullmatch(r"HS\d{2}", hs):
        raise ValueError(f"version {version!r} / hs {hs!r}: expected e.g. '202601' and 'HS17'")
    url = url or BACI_URL.format(hs=hs, version=version)
    dl = download(
        url, "baci_release", f"BACI_{hs}_V{version}.zip", vintage=version,
        session=session, policy=policy, progress=progress,
    )
    if ingest:
        from potash.pipeline.ingest import ingest_baci

        ingest_baci(dl.path, Path(out_dir) if out_dir else processed_dir() / "baci" / f"{hs}_V{version}")
    return dl


# --------------------------------------------------------------------------------------------
# UN Comtrade API v1

_TRADE_COLUMNS = [
    "year", "period", "reporter_iso3", "partner_iso3", "flow", "product", "hs_code",
    "quantity_t", "value_usd", "source", "flag",
]  # fmt: skip


def comtrade_to_trade(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn Comtrade API v1 records into the trade schema, keeping totals only.

    Rows with ``motCode != 0``, ``customsCode != "C00"``, ``partner2Code != 0`` or
    ``mosCode != "0"`` are breakdowns of a total (by transport mode, customs procedure, second
    partner) and are dropped; so are flows other than X/M and non-country areas. Partner ``W00``
    (World) becomes ``WLD``. Values are USD (``primaryValue``); ``netWgt`` (kg) becomes tonnes.

    Parameters
    ----------
    records : DataFrame
        The ``data`` records of API v1 responses (47 fields).

    Returns
    -------
    trade : DataFrame
        Trade schema rows.
    dropped : DataFrame
        ``reason, rows`` for what was left out.

    Examples
    --------
    >>> recs = pd.DataFrame({"refYear": [2024, 2024], "period": ["2024", "2024"],
    ...     "reporterISO": ["BRA", "BRA"], "partnerISO": ["CHN", "CHN"], "partner2Code": [0, 0],
    ...     "flowCode": ["X", "X"], "cmdCode": ["310420", "310420"], "customsCode": ["C00", "C00"],
    ...     "motCode": [0, 2100], "mosCode": ["0", "0"], "netWgt": [5000.0, 4000.0],
    ...     "primaryValue": [900.0, 700.0]})
    >>> trade, dropped = comtrade_to_trade(recs)
    >>> trade[["quantity_t", "value_usd"]].to_numpy().tolist(), dropped["rows"].tolist()
    ([[5.0, 900.0]], [1])
    """
    from potash.data.trade import comtrade_monthly, comtrade_value_basis, hs_product

    if records.empty:
        return (
            pd.DataFrame({c: pd.Series(dtype="float64" if c in ("quantity_t", "value_usd")
                                       else "int64" if c == "year" else "string")
                          for c in _TRADE_COLUMNS}),
            pd.DataFrame({"reason": pd.Series(dtype=str), "rows": pd.Series(dtype="int64")}),
        )
    need = ["refYear", "reporterISO", "partnerISO", "flowCode", "cmdCode", "primaryValue"]
    missing = [c for c in need if c not in records.columns]
    if missing:
        raise PotashDataError(
            "missing field in Comtrade records", file="Comtrade API response", column=missing[0]
        )
    r = records
    n = len(r)

    def col(name: str, default: Any) -> pd.Series:
        return r[name] if name in r.columns else pd.Series([default] * n, index=r.index)

    total = (
        (pd.to_numeric(col("motCode", 0), errors="coerce").fillna(0) == 0)
        & (col("customsCode", "C00").fillna("C00").astype(str) == "C00")
        & (pd.to_numeric(col("partner2Code", 0), errors="coerce").fillna(0) == 0)
        & (col("mosCode", "0").fillna("0").astype(str) == "0")
    )
    flow = r["flowCode"].astype(str).str.upper().map({"X": "export", "M": "import"})
    rep = r["reporterISO"].astype(str).str.strip()
    par = r["partnerISO"].astype(str).str.strip().replace({"W00": "WLD"})
    iso = rep.str.fullmatch(r"[A-Z]{3}") & par.str.fullmatch(r"[A-Z]{3}") & (rep != "WLD")
    reasons = pd.Series(pd.NA, index=r.index, dtype="string")
    reasons = reasons.mask(~iso, "not a country (aggregate or no ISO3)")
    reasons = reasons.mask(flow.isna(), "flow other than export/import")
    reasons = reasons.mask(~total, "breakdown row (motCode/customsCode/partner2Code/mosCode)")
    keep = reasons.isna()
    hs = r["cmdCode"].astype(str).str.strip()
    # as the loaders: net weight (kg) where positive, else the quantity when its unit is kg
    weight = pd.to_numeric(col("netWgt", None), errors="coerce").astype("float64")
    weight = weight.where(weight > 0)
    if "qty" in r.columns:
        kg = (pd.to_numeric(col("qtyUnitCode", None), errors="coerce") == 8) | (
            col("qtyUnitAbbr", "").astype(str) == "kg")
        weight = weight.fillna(pd.to_numeric(r["qty"], errors="coerce").where(kg))
    estimated = pd.Series(False, index=r.index)
    for c in ("isQtyEstimated", "isNetWgtEstimated"):
        estimated |= col(c, False).astype(str).str.lower().isin(["true", "1"])
    period = col("period", None).astype("string").str.strip().fillna(
        r["refYear"].astype("string"))
    monthly = comtrade_monthly(r, period, file="Comtrade API response")
    period = period.where(period.str.len() != 6, period.str[:4] + "-" + period.str[4:])
    trade = pd.DataFrame(
        {
            "year": pd.to_numeric(r["refYear"], errors="raise").astype("int64"),
            "period": period,
            "reporter_iso3": rep.astype("string"),
            "partner_iso3": par.astype("string"),
            "flow": flow.astype("string"),
            "product": hs_product(hs),
            "hs_code": hs.astype("string"),
            "quantity_t": (weight / 1000.0).astype("float64"),
            "value_usd": pd.to_numeric(r["primaryValue"], errors="coerce").astype("float64"),
            "source": pd.Series("comtrade", index=r.index, dtype="string"),
            "flag": pd.Series(pd.NA, index=r.index, dtype="string").mask(estimated, "estimated"),
        }
    )[keep.to_numpy()]
    dropped = (
        reasons[~keep].value_counts().rename_axis("reason").reset_index(name="rows")
        .sort_values("reason", ignore_index=True)
    )
    trade = trade.sort_values(
        ["year", "reporter_iso3", "partner_iso3", "flow", "hs_code", "period"], ignore_index=True
    )
    if monthly:  # the monthly schema, as load_trade("comtrade") and the customs sources
        trade.insert(trade.columns.get_loc("value_usd") + 1, "value_basis",
                     comtrade_value_basis(trade["flow"]))
    return trade, dropped


@dataclass(frozen=True)
class ComtradeResult:
    """Records, tidy totals and provenance of one :func:`fetch_comtrade` call."""

    records: pd.DataFrame = field(repr=False)
    trade: pd.DataFrame = field(repr=False)
    dropped: pd.DataFrame = field(repr=False)
    downloads: list[Download] = field(default_factory=list, repr=False)
    requests: int = 0


def _as_list(x: str | int | Iterable | None) -> list[str] | None:
    if x is None:
        return None
    if isinstance(x, str | int):
        return [str(x)]
    return [str(v) for v in x]


def fetch_comtrade(
    *,
    cmd: Sequence[str] | str = ("3104", "310420", "310430", "310490"),
    period: Sequence[int | str] | int | str = tuple(range(2015, 2026)),
    reporter: Sequence[int | str] | int | str | None = None,
    partner: Sequence[int | str] | int | str | None = None,
    flow: Sequence[str] | str = ("X", "M"),
    freq: str = "A",
    key: str | None = None,
    max_records: int = 100_000,
    totals_filter: bool = True,
    url: str | None = None,
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
    vintage: str | None = None,
    progress: bool = True,
) -> ComtradeResult:
    """Query the UN Comtrade API v1 (goods, HS) and return records and tidy totals.

    The subscription key comes from ``key`` or the environment variable
    ``COMTRADE_SUBSCRIPTION_KEY`` (sent as the ``Ocp-Apim-Subscription-Key`` header, never
    stored). Requests are throttled (``policy.min_interval``) and retried with exponential
    backoff on HTTP 429 and 5xx. The API has no offset paging: a response that reaches
    ``max_records`` is split (periods, then commodity codes, reporters, partners, flows) and
    asked again, so no row beyond the limit is lost. Each response is saved as raw JSON in
    ``data/raw/comtrade_api/vintage_<vintage>/`` and recorded in the data package.

    Parameters
    ----------
    cmd : sequence of str
        HS codes (strings).
    period : sequence of int or str
        Years (``freq="A"``) or ``YYYYMM`` months (``freq="M"``).
    reporter, partner : sequence of int, optional
        Comtrade (M49) codes; None for all. ``partner=0`` is the World total.
    flow : sequence of str
        ``X`` exports, ``M`` imports.
    freq : {"A", "M"}
        Annual or monthly.
    key : str, optional
        Subscription key (default from the environment).
    max_records : int
        Row limit of one call (100,000 for the free subscription).
    totals_filter : bool
        Ask the API for totals only (``motCode=0``, ``customsCode=C00``, ``partner2Code=0``);
        breakdown rows that still come back are dropped in :func:`comtrade_to_trade`.
    url, session, policy, vintage, progress
        As in :func:`download`.

    Returns
    -------
    ComtradeResult
        ``records`` (raw API fields), ``trade`` (trade schema, totals), ``dropped``,
        ``downloads``, ``requests``.

    Raises
    ------
    MissingKeyError
        No key given and ``COMTRADE_SUBSCRIPTION_KEY`` unset.
    RefreshError, OfflineError
        After the retries.

    Examples
    --------
    >>> fetch_comtrade(cmd=["310420"], period=[2021], reporter=[112])  # doctest: +SKIP
    """
    if freq not in ("A", "M"):
        raise ValueError(f"freq: allowed values are 'A', 'M'; got {freq!r}")
    key = key or os.environ.get(COMTRADE_KEY_ENV)
    if not key:
        raise MissingKeyError(
            f"UN Comtrade needs a subscription key: register at https://comtradedeveloper.un.org,"
            f" subscribe to the free 'comtrade - v1' product, then set {COMTRADE_KEY_ENV}=<key> "
            "in the environment (the key is sent as a header and never written to disk)"
        )
    cmd_l = _as_list(cmd)
    if not cmd_l or any(not re.fullmatch(r"\d{2,6}", c) for c in cmd_l):
        raise ValueError(f"cmd: HS codes are strings of 2 to 6 digits; got {cmd!r}")
    base = url or COMTRADE_URL.format(type="C", freq=freq, cl="HS")
    policy = policy or RetryPolicy()
    session = session or requests.Session()
    query: dict[str, list[str] | None] = {
        "period": _as_list(period),
        "cmdCode": cmd_l,
        "reporterCode": _as_list(reporter),
        "partnerCode": _as_list(partner),
        "flowCode": _as_list(flow),
    }
    frames: list[pd.DataFrame] = []
    downloads: list[Download] = []
    pending = [query]
    n_requests = 0
    while pending:
        q = pending.pop(0)
        params = {k: ",".join(v) for k, v in q.items() if v}
        if totals_filter:
            params.update({"motCode": "0", "customsCode": "C00", "partner2Code": "0"})
        params.update({"maxRecords": str(max_records), "format": "JSON",
                       "breakdownMode": "classic", "includeDesc": "true"})
        full = f"{base}?{urlencode(sorted(params.items()), safe=',')}"
        name = "comtrade_" + hashlib.sha256(full.encode()).hexdigest()[:16] + ".json"
        def _complete(path: Path) -> None:
            n = len(_comtrade_data(path))
            if n >= max_records:  # cut at the row limit: never stored, asked again in parts
                raise _LimitReached(n)

        try:
            dl = download(
                full, "comtrade_api", name, vintage=vintage or _today(), session=session,
                policy=policy, progress=False, headers={"Ocp-Apim-Subscription-Key": key},
                accept=_complete,
            )
        except _LimitReached as exc:
            n_requests += 1
            halves = _split_query(q)
            if halves is None:
                raise RefreshError(
                    f"{full}: {exc.args[0]} rows reach the row limit ({max_records}) and the "
                    "query cannot be split further: pass explicit reporter and partner lists"
                ) from None
            pending = [*halves, *pending]
            continue
        n_requests += dl.status != "cached"
        data = _comtrade_data(dl.path)
        downloads.append(dl)
        if data:
            frames.append(pd.DataFrame.from_records(data))
    records = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if records.empty:
        warnings.warn(
            f"UN Comtrade returned no rows for cmd={cmd_l}, period={query['period']}, "
            f"reporter={query['reporterCode'] or 'all'}, partner={query['partnerCode'] or 'all'}",
            stacklevel=2,
        )
    trade, dropped = comtrade_to_trade(records)
    return ComtradeResult(records, trade, dropped, downloads, n_requests)


class _LimitReached(Exception):
    """A Comtrade response holds as many rows as the limit: it may be cut."""


def _comtrade_data(path: Path) -> list[dict]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PotashDataError(f"Comtrade response is not JSON ({exc})", file=path) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("data", None), list):
        err = payload.get("error") if isinstance(payload, dict) else None
        raise PotashDataError(
            f"Comtrade response has no 'data' list{f': {err}' if err else ''}",
            file=path,
            column="data",
        )
    if payload.get("error"):
        raise RefreshError(f"Comtrade API error: {payload['error']} (response {path})")
    return payload["data"]


def _split_query(q: dict[str, list[str] | None]) -> list[dict] | None:
    for k in ("period", "cmdCode", "reporterCode", "partnerCode", "flowCode"):
        v = q.get(k)
        if v and len(v) > 1:
            mid = len(v) // 2
            return [{**q, k: v[:mid]}, {**q, k: v[mid:]}]
    return None


# --------------------------------------------------------------------------------------------
# all

DEFAULT_DATASETS = ("worldbank_cmo", "faostat", "comtrade")


def refresh_all(
    datasets: Sequence[str] | None = None,
    *,
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
    progress: bool = True,
    baci_version: str = "202601",
) -> pd.DataFrame:
    """Download new vintages of every source (what ``potash data --refresh`` runs).

    Parameters
    ----------
    datasets : sequence of str, optional
        Any of ``"worldbank_cmo"``, ``"faostat"``, ``"comtrade"``, ``"baci"``. Default: the first
        three, plus ``"baci"`` when the environment variable ``POTASH_REFRESH_BACI=1`` is set (the
        release archive is several GB).
    session, policy, progress
        As in :func:`download`.
    baci_version : str
        BACI release (``"202601"``).

    Returns
    -------
    DataFrame
        One row per file: ``dataset, status, vintage, path, sha256, bytes, message``. Comtrade
        without a key is ``skipped`` with the message saying how to set one.

    Raises
    ------
    OfflineError
        When a host cannot be reached (stops at the first one, with a clear message).

    Examples
    --------
    >>> refresh_all()  # doctest: +SKIP
    """
    allowed = ("worldbank_cmo", "faostat", "comtrade", "baci")
    if datasets is None:
        datasets = list(DEFAULT_DATASETS)
        if os.environ.get("POTASH_REFRESH_BACI") == "1":
            datasets.append("baci")
    for d in datasets:
        if d not in allowed:
            raise ValueError(f"datasets: unknown {d!r}; allowed values are {list(allowed)}")
    kw = {"session": session, "policy": policy, "progress": progress}
    rows: list[dict] = []

    def add(dls: Iterable[Download], message: str = "") -> None:
        for dl in dls:
            rows.append({"dataset": dl.dataset, "status": dl.status, "vintage": dl.vintage,
                         "path": str(dl.path), "sha256": dl.sha256, "bytes": dl.bytes,
                         "message": message})

    for d in datasets:
        try:
            if d == "worldbank_cmo":
                add([fetch_worldbank_cmo(**kw)])
            elif d == "faostat":
                add(fetch_faostat(**kw))
            elif d == "comtrade":
                res = fetch_comtrade(**kw)
                add(res.downloads, f"{len(res.trade)} total rows, {res.requests} requests")
            elif d == "baci":
                add([fetch_baci(baci_version, **kw)])
        except MissingKeyError as exc:
            warnings.warn(str(exc), stacklevel=2)
            rows.append({"dataset": d, "status": "skipped", "vintage": None, "path": None,
                         "sha256": None, "bytes": None, "message": str(exc)})
        except OfflineError:
            raise
        except (RefreshError, PotashDataError) as exc:
            rows.append({"dataset": d, "status": "failed", "vintage": None, "path": None,
                         "sha256": None, "bytes": None, "message": str(exc)})
    out = pd.DataFrame(rows, columns=["dataset", "status", "vintage", "path", "sha256", "bytes",
                                      "message"])
    for _, r in out.iterrows():
        print(f"refresh {r['dataset']}: {r['status']} {r['vintage'] or ''} {r['message'] or ''}",
              file=sys.stderr)
    if (out["status"] == "failed").any():
        failed = out[out["status"] == "failed"]
        raise RefreshError(
            "refresh failed for: "
            + "; ".join(f"{a}: {m}" for a, m in zip(failed["dataset"], failed["message"],
                                                      strict=True))
        )
    return out
