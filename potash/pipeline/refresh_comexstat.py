"""Download Brazil's ComexStat bulk import files (MDIC/SECEX open data) as new vintages.

Each file ``IMP_<year>.csv`` (``;``-separated, one row per month, NCM, origin, state, transport
mode, customs office) goes to ``data/raw/brazil_comexstat/vintage_<vintage>/IMP_<year>.csv`` and
is recorded in ``data/datapackage.json`` (URL, vintage, bytes, sha256) through
:func:`potash.refresh.download`, like the other refreshes; the shipped ``imp_fert_cat.csv`` stays.
``load_trade("comexstat", path=...)`` reads a downloaded file (the seven fertilizer NCM codes;
all states, not only the shipped extract's eight).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import requests

from potash.core.errors import PotashDataError
from potash.pipeline.refresh import Download, RetryPolicy, download

__all__ = ["COMEXSTAT_IMP_URL", "fetch_comexstat"]

#: Bulk import file per year (ComexStat "base de dados", NCM detail).
COMEXSTAT_IMP_URL = "https://balanca.economia.gov.br/balanca/bd/comexstat-bd/ncm/IMP_{year}.csv"
_LICENCE = "Brazilian government open data (ComexStat, MDIC/SECEX)"
_HEADER = ("CO_ANO", "CO_MES", "CO_NCM", "CO_PAIS", "SG_UF_NCM", "CO_URF", "KG_LIQUIDO",
           "VL_FOB", "VL_FRETE", "VL_SEGURO")


def _check_header(path: Path) -> None:
    """Refuse a body that is not a ComexStat bulk CSV (e.g. an HTML error page)."""
    with open(path, "rb") as fh:
        first = fh.readline(4096).decode("utf-8-sig", errors="replace").strip()
    cols = [c.strip().strip('"') for c in first.split(";")]
    missing = [c for c in _HEADER if c not in cols]
    if missing:
        raise PotashDataError(f"not a ComexStat bulk import file: header lacks {missing}; "
                              f"first line {first[:120]!r}", file=path.name, column=missing[0],
                              row=1)


def fetch_comexstat(
    years: int | Iterable[int],
    *,
    url: str = COMEXSTAT_IMP_URL,
    vintage: str | None = None,
    session: requests.Session | None = None,
    policy: RetryPolicy | None = None,
    progress: bool = True,
) -> list[Download]:
    """Download ComexStat bulk import files ``IMP_<year>.csv`` as a new vintage.

    Parameters
    ----------
    years : int or iterable of int
        Calendar years (1997 onwards).
    url : str
        URL template with ``{year}`` (default :data:`COMEXSTAT_IMP_URL`; pass the current one if
        the ministry moves the files).
    vintage : str, optional
        Vintage label (default today's UTC date); a URL already recorded with this vintage is
        not downloaded again.
    session, policy, progress
        As in :func:`potash.refresh.download`.

    Returns
    -------
    list of Download
        One per year (``status`` downloaded, cached or unchanged).

    Raises
    ------
    ValueError
        A year before 1997 or a template without ``{year}``.
    PotashDataError
        The body is not a ComexStat bulk CSV (nothing is stored).
    OfflineError, RefreshError
        Network failures after the retries.

    Examples
    --------
    >>> fetch_comexstat(2024)  # doctest: +SKIP
    >>> fetch_comexstat([1997], url="http://127.0.0.1:1/{year}.csv")[0]  # doctest: +SKIP
    """
    ys = [years] if isinstance(years, int) else list(years)
    if "{year}" not in url:
        raise ValueError(f"url must contain '{{year}}': {url!r}")
    out = []
    for y in ys:
        if not isinstance(y, int) or y < 1997 or not re.fullmatch(r"\d{4}", str(y)):
            raise ValueError(f"years: ComexStat bulk files start in 1997; got {y!r}")
        out.append(download(url.format(year=y), "brazil_comexstat", f"IMP_{y}.csv",
                            vintage=vintage, session=session, policy=policy, progress=progress,
                            licence=_LICENCE, accept=_check_header))
    return out
