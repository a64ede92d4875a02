"""Provenance of the raw data: ``data/datapackage.json`` (a Frictionless Data Package).

Every raw file is listed with its source URL, licence, version (vintage), size in bytes and
sha256. Loaders call :func:`verify_if_registered` before reading a shipped file and refuse a
file whose bytes changed. :func:`write_datapackage` regenerates the JSON from the table of
source metadata kept in this module (:data:`SOURCES`), so the file is reproducible;
:func:`register_resource` adds a new file (e.g. a freshly downloaded vintage).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from pathlib import Path
from typing import Any

from potash.core.errors import PotashDataError
from potash.core.io import atomic_write
from potash.core.paths import project_root, raw_dir

__all__ = [
    "SOURCES",
    "build_datapackage",
    "datapackage_path",
    "file_sha256",
    "register_resource",
    "verify_all",
    "verify_resource",
    "write_datapackage",
]

_CC_BY_4 = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0"}

#: Source metadata per folder of ``data/raw`` (facts from each folder's SOURCE.md).
SOURCES: dict[str, dict[str, Any]] = {
    "worldbank_cmo": {
        "title": "World Bank Commodity Price Data (The Pink Sheet), monthly",
        "source_url": "https://www.worldbank.org/en/research/commodity-markets",
        "via": "GitHub klaus0005/ClaudiuP-SIA2026, data/CMO-Historical-Data-Monthly.xlsx",
        "license": _CC_BY_4,
        "version": {"vintage_2026-05-04": "2026-05-04", "vintage_2026-06-02": "2026-06-02"},
        "description": "Monthly commodity prices in nominal USD, sheet 'Monthly Prices'.",
    },
    "yahoo_adjclose_dsturdy": {
        "title": "Daily adjusted closing prices (Yahoo Finance via yfinance)",
        "source_url": "https://github.com/dsturdy/Factor_Attribution_5_csvs/tree/a206574f380c69cb147d5900c6115d54c74ce8d0/data",
        "license": {"name": "Yahoo-terms", "path": "https://legal.yahoo.com/us/en/yahoo/terms/otos/index.html",
                    "title": "Yahoo Finance terms (personal, non-commercial use); repository states no licence"},
        "version": "2026-07-14",
        "description": "Date, adjusted Close per ticker; rows dated 2026-07-14 are intraday.",
    },
    "faostat_agdata": {
        "title": "FAOSTAT fertilizer statistics, potash subset, via the agData R package",
        "source_url": "https://www.fao.org/faostat/",
        "via": "GitHub derekmichaelwright/agData, Data/agData_FAO_Fertilizers.RData at 8bb087841cf447a2d7e5e3bf1f34a80b229106a3",
        "license": _CC_BY_4,
        "version": "agData 2026-04-27",
        "description": "Area, Year, Item, Measurement, Unit, Value for potash items (RFB, RFN, archives).",
    },
    "faostat_one_datadive": {
        "title": "FAOSTAT raw UI exports (Fertilizers by Product / by Nutrient), ONE Campaign",
        "source_url": "https://www.fao.org/faostat/",
        "via": "GitHub ONEcampaign/DataDive_Ukraine, raw_data/ at 2205bf8e38921c84b1c8486509b1ca85bc936d84",
        "license": _CC_BY_4,
        "version": "2022-05-09",
        "description": "FAOSTAT UI export layout with area codes and flags, 2017-2019.",
    },
    "usgs_mcs2026_potash": {
        "title": "USGS Mineral Commodity Summaries 2026, Potash",
        "source_url": "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-potash.pdf",
        "via": "GitHub pranava0x0/usgs-mineral-commodity-summaries at 25031d0f60fa0c508068145d6be6228fc4933d51",
        "license": {"name": "public-domain", "title": "U.S. Government work, public domain"},
        "version": "MCS 2026 (February 2026)",
        "description": "World mine production 2024-2025e (kt K2O), US salient statistics.",
    },
    "wmd_world_mining_data": {
        "title": "World Mining Data 2017, Potash (K2O) production by country",
        "source_url": "https://www.world-mining-data.info",
        "via": "GitHub doqlee/mining at 88674b81bd2b62424850f97ab1074247c96af08f",
        "license": {"name": "WMD-free", "title": "Published free of charge by the Austrian ministry; cite Reichl & Schatz, World Mining Data"},
        "version": "WMD 2017 (data 2011-2015)",
        "description": "Potash production in t K2O by country, 2011-2015.",
    },
    "klaipeda_port_news": {
        "title": "Port of Klaipeda news articles (cargo results)",
        "source_url": "https://portofklaipeda.lt/en/community/news",
        "via": "GitHub tubrikas/Scraper_klaipeda_port at a588203354ac5190fa6df1eb0c31e990e43a2ec2",
        "license": {"name": "publisher-copyright", "title": "Press releases of the Klaipeda State Seaport Authority; quote with attribution"},
        "version": "2025-06-01",
        "description": "url, title, date, text of 55 press releases 2022-01..2025-04.",
    },
    "bilateral_curated": {
        "title": "Curated bilateral potash flows and route volumes (hand-read from public pages)",
        "source_url": "(see source_url of each row)",
        "license": {"name": "project-use", "title": "Facts from third-party pages with short quotes; selection usable inside this project"},
        "version": "2026-11",
        "description": "One figure per row with page URL and exact quote.",
    },
    "usda_ams_state_fertilizer": {
        "title": "USDA AMS state production cost reports, potash retail prices",
        "source_url": "https://mymarketnews.ams.usda.gov/",
        "via": "GitHub labombademario/Dehesa-Index (21cf9398) and Data4ThePeople/Sulfur (2aba9a5a)",
        "license": {"name": "public-domain", "title": "U.S. Government work, public domain"},
        "version": "2026-10-02",
        "description": "Bi-weekly distributor ask prices, USD per short ton.",
    },
    "ecuador_mag_sipa": {
        "title": "Ecuador MAG/SIPA retail fertilizer prices",
        "source_url": "https://github.com/IFTrejoM/time-series-fertilizer-price-predictor/blob/8528cc07b230757c1e457c86386e769aeb1c395a/data/precios-agroquimicos-fertilizantes.xlsx",
        "via": "Ministerio de Agricultura y Ganaderia del Ecuador (MAG), SIPA",
        "license": {"name": "EC-open-government-data", "title": "Ecuadorian government open data; no explicit licence; cite MAG-SIPA"},
        "version": "2024-09",
        "description": "Monthly national weighted average retail prices, USD per 50 kg bag, 2013-01..2024-08.",
    },
    "baci_dictionaries": {
        "title": "CEPII BACI dictionaries (HS17), release 202201",
        "source_url": "http://www.cepii.fr/CEPII/en/bdd_modele/presentation.asp?id=37",
        "via": "GitHub ONEcampaign/DataDive_Ukraine at 6fb9228032ec711041921a7e11c4d63060fc0a6d",
        "license": {"name": "etalab-2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
                    "title": "Etalab Open Licence 2.0"},
        "version": "202201",
        "description": "Country codes (Comtrade numeric -> ISO3) and chapter-31 product codes.",
    },
    "events": {
        "title": "Potash sanctions calendar (compiled for this project)",
        "source_url": "(see source_url of each row)",
        "license": {"name": "project-use", "title": "Compiled for this project from the cited pages"},
        "version": "2026-11",
        "description": "date, event_id, actor, type, description, source_url, verified (53 events).",
    },
    # monthly partner customs data (issue 12): Belarus does not report, so its exports are seen
    # through its partners' imports (mirror data)
    "customs_partner_monthly": {
        "title": "Monthly partner-reported fertilizer trade, HS4 chapter 31, 2014-01..2026-04 "
                 "(national customs statistics compiled by Trade Data Monitor)",
        "source_url": "https://github.com/virataryaa/fertilizer-tradeflows/tree/0ff2172431dfe8c5e6bb9b2630a57c658a501992/Database",
        "via": "GitHub virataryaa/fertilizer-tradeflows, Database/ at 0ff2172431dfe8c5e6bb9b2630a57c658a501992 (files last changed in 79098e11)",
        "license": {"name": "official-statistics-via-TDM",
                    "title": "Repository states no licence; TDM's compilation is a paid product; the "
                             "figures are official statistics of each national office: verify against "
                             "the national sources (or UN Comtrade) or hold TDM terms before republishing"},
        "version": "2026-05-29",
        "description": "Imports of 14 importers by origin and exports of 14 exporters by destination, "
                       "HS4 3101-3105, monthly, VALUE USD (reporter's customs value), QTY1 tonnes. "
                       "Belarus does not report: its exports are seen through partners (mirror data).",
    },
    "brazil_comexstat": {
        "title": "Brazil ComexStat monthly fertilizer imports by origin, state and customs office "
                 "(FOB, freight, insurance), 1997-01..2024-07",
        "source_url": "https://balanca.economia.gov.br/balanca/bd/comexstat-bd/ncm/",
        "via": "GitHub AndreCoutinhoBueno/Pricing-Fertilizer at 6ad6c9dcf129d289db74b542ada2af8d2fee756d "
               "(DB/temp/imp_fert_cat.csv, DB/Comexstat/tab_complementares/)",
        "license": {"name": "BR-open-government-data",
                    "title": "Brazilian government open statistics (MDIC/SECEX ComexStat); cite "
                             "'ComexStat, MDIC/SECEX'; the copying repository states no licence"},
        # shipped files by name; a refreshed vintage folder is named by itself
        "version": {"imp_fert_cat.csv": "2024-09-21", "PAIS.csv": "2024-10-09",
                    "URF.csv": "2024-10-09", "UF.csv": "2024-10-09",
                    "tab_name_ncm.csv": "2024-10-09"},
        "description": "Brazil (8 states) imports of seven fertilizer NCM codes (31042090 potassium "
                       "chloride) by month, origin (CO_PAIS), state and customs office: net kg, "
                       "VL_FOB, VL_FRETE, VL_SEGURO in USD; and the ComexStat code tables.",
    },
}

_SKIP = {"SOURCE.md", "README.md"}


def datapackage_path() -> Path:
    """Return the path of ``data/datapackage.json``.

    Examples
    --------
    >>> datapackage_path().name
    'datapackage.json'
    """
    return project_root() / "data" / "datapackage.json"


_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def file_sha256(path: str | Path) -> str:
    """Return the hex sha256 of a file (cached on path, size and modification time).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> file_sha256(p)[:16]
    'ba7816bf8f01cfea'
    """
    p = Path(path).resolve()
    st = p.stat()
    key = (str(p), st.st_size, st.st_mtime_ns)
    if key not in _HASH_CACHE:
        with p.open("rb") as fh:
            _HASH_CACHE[key] = hashlib.file_digest(fh, "sha256").hexdigest()
    return _HASH_CACHE[key]


def _resource_path(path: str | Path) -> str:
    """Path of a file relative to ``data/`` (as written in datapackage.json)."""
    p = Path(path).resolve()
    data = (project_root() / "data").resolve()
    try:
        return p.relative_to(data).as_posix()
    except ValueError:
        raise PotashDataError(
            "file is not inside the project's data/ folder", file=str(p)
        ) from None


def _resource(path: Path, meta: dict[str, Any], version: str) -> dict[str, Any]:
    rel_path = _resource_path(path)
    name = rel_path.lower().replace("/", "-").replace("_", "-").replace(" ", "-")
    fmt = "".join(path.suffixes).lstrip(".").lower() or "bin"
    media, _ = mimetypes.guess_type(path.name)
    res: dict[str, Any] = {
        "name": "".join(ch for ch in name if ch.isalnum() or ch in "-._"),
        "path": rel_path,
        "title": meta["title"],
        "description": meta["description"],
        "format": fmt,
        "mediatype": media or "application/octet-stream",
        "bytes": path.stat().st_size,
        "hash": "sha256:" + file_sha256(path),
        "version": version,
        "sources": [{"title": meta["title"], "path": meta["source_url"]}],
        "licenses": [meta["license"]],
    }
    if meta.get("via"):
        res["sources"].append({"title": "copied from", "path": meta["via"]})
    return res


def build_datapackage(existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the data package dict from :data:`SOURCES` and the files in ``data/raw``.

    Resources registered earlier with :func:`register_resource` (files not covered by
    :data:`SOURCES`) are kept from ``existing``.

    Parameters
    ----------
    existing : dict, optional
        The current datapackage.json content.

    Returns
    -------
    dict
        The Frictionless Data Package descriptor.

    Examples
    --------
    >>> pkg = build_datapackage()
    >>> pkg["profile"], len(pkg["resources"]) > 40
    ('data-package', True)
    """
    resources = []
    covered: set[str] = set()
    root = raw_dir()
    for folder, meta in sorted(SOURCES.items()):
        for f in sorted((root / folder).rglob("*")):
            if not f.is_file() or f.name in _SKIP:
                continue
            version = meta["version"]
            if isinstance(version, dict):  # one version per vintage folder; a new folder
                sub = f.relative_to(root / folder).parts[0]  # (a refresh) is named by itself
                version = version.get(sub, sub.removeprefix("vintage_"))
            res = _resource(f, meta, version)
            covered.add(res["path"])
            resources.append(res)
    for res in (existing or {}).get("resources", []):
        if res["path"] not in covered and (project_root() / "data" / res["path"]).is_file():
            resources.append(res)
    resources.sort(key=lambda r: r["path"])
    return {
        "profile": "data-package",
        "name": "potash-raw-data",
        "title": "Raw data of the potash project (immutable snapshots)",
        "description": "Every file under data/raw with provenance, licence and sha256. "
        "See data/raw/README.md and each folder's SOURCE.md.",
        "resources": resources,
    }


def _read_package(required: bool = True) -> dict[str, Any]:
    p = datapackage_path()
    if not p.is_file():
        if required:
            raise PotashDataError(
                "data package missing; run potash.data.write_datapackage()", file="data/datapackage.json"
            )
        return {"resources": []}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PotashDataError(f"not valid JSON: {exc}", file="data/datapackage.json",
                              row=exc.lineno) from None


def _dump(pkg: dict[str, Any]) -> None:
    text = json.dumps(pkg, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    atomic_write(datapackage_path(), lambda t: t.write_text(text, encoding="utf-8"))
    _PKG_CACHE.clear()


def write_datapackage() -> Path:
    """(Re)generate ``data/datapackage.json`` from :data:`SOURCES` and the raw files.

    Deterministic: the same files give byte-identical JSON.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> write_datapackage().name  # doctest: +SKIP
    'datapackage.json'
    """
    pkg = build_datapackage(_read_package(required=False))
    _dump(pkg)
    return datapackage_path()


_PKG_CACHE: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}


def _index() -> dict[str, dict[str, Any]]:
    p = datapackage_path()
    if not p.is_file():
        return _read_package(required=True)  # raises
    key = (str(p.resolve()), p.stat().st_mtime_ns)
    if key not in _PKG_CACHE:
        _PKG_CACHE.clear()
        _PKG_CACHE[key] = {r["path"]: r for r in _read_package()["resources"]}
    return _PKG_CACHE[key]


def verify_resource(path: str | Path) -> dict[str, Any]:
    """Check a file's size and sha256 against ``data/datapackage.json``.

    Parameters
    ----------
    path : str or Path
        A file inside ``data/``.

    Returns
    -------
    dict
        The file's resource entry.

    Raises
    ------
    PotashDataError
        The file is not registered, or its bytes differ from the registered hash.

    Examples
    --------
    >>> from potash.core.paths import raw_dir
    >>> verify_resource(raw_dir() / "events" / "sanctions_events.csv")["format"]
    'csv'
    """
    p = Path(path)
    key = _resource_path(p)
    res = _index().get(key)
    if res is None:
        raise PotashDataError(
            "file is not registered in data/datapackage.json; add it with "
            "potash.data.register_resource(path, source_url=..., license=..., version=..., description=...)",
            file=f"data/{key}",
        )
    got = "sha256:" + file_sha256(p)
    if got != res["hash"] or p.stat().st_size != res["bytes"]:
        raise PotashDataError(
            f"sha256 mismatch: data/datapackage.json records {res['hash']} ({res['bytes']} bytes) "
            f"but the file has {got} ({p.stat().st_size} bytes); raw files must not change. "
            "Restore the original (git checkout) or register a new vintage under a new path.",
            file=f"data/{key}",
        )
    return res


def verify_if_registered(path: str | Path) -> None:
    """Verify ``path`` if it lies under ``data/raw`` (files elsewhere, e.g. user downloads, pass).

    Examples
    --------
    >>> verify_if_registered("/tmp/not-in-the-project.csv")
    """
    p = Path(path).resolve()
    try:
        p.relative_to(raw_dir().resolve())
    except ValueError:
        return
    verify_resource(p)


def verify_all() -> int:
    """Verify every resource of ``data/datapackage.json``; return how many were checked.

    Examples
    --------
    >>> verify_all() > 40
    True
    """
    n = 0
    for key in _index():
        p = project_root() / "data" / key
        if not p.is_file():
            raise PotashDataError("file listed in data/datapackage.json is missing", file=f"data/{key}")
        verify_resource(p)
        n += 1
    return n


def register_resource(
    path: str | Path,
    *,
    source_url: str,
    license: str | dict[str, str],
    version: str,
    description: str,
    title: str | None = None,
) -> dict[str, Any]:
    """Add (or update) a file under ``data/`` in ``data/datapackage.json``.

    Use it for a newly downloaded vintage: the file's bytes and sha256 are recorded, so
    loaders accept it and refuse any later change.

    Parameters
    ----------
    path : str or Path
        The new file, inside the project's ``data/`` folder.
    source_url : str
        Where it was downloaded from.
    license : str or dict
        Licence name (e.g. ``"CC-BY-4.0"``) or a Frictionless licence dict.
    version : str
        Version or vintage (e.g. the download date).
    description : str
        What the file holds.
    title : str, optional
        A title (default: the file name).

    Returns
    -------
    dict
        The resource entry written.

    Examples
    --------
    >>> register_resource("data/raw/new/file.csv", source_url="https://x", license="CC-BY-4.0",
    ...                   version="2026-12-01", description="new vintage")  # doctest: +SKIP
    """
    p = Path(path)
    if not p.is_absolute():
        p = project_root() / p
    if not p.is_file():
        raise PotashDataError("cannot register: file not found", file=str(p))
    lic = {"name": license} if isinstance(license, str) else dict(license)
    meta = {"title": title or p.name, "description": description, "source_url": source_url,
            "license": lic}
    res = _resource(p, meta, version)
    pkg = _read_package(required=False)
    pkg.setdefault("profile", "data-package")
    pkg.setdefault("name", "potash-raw-data")
    others = [r for r in pkg.get("resources", []) if r["path"] != res["path"]]
    pkg["resources"] = sorted([*others, res], key=lambda r: r["path"])
    _dump(pkg)
    return res


if __name__ == "__main__":  # pragma: no cover - ``python -m potash.data.datapackage``
    print(write_datapackage())
