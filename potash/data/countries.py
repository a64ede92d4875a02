"""Country codes: FAO names, M49 / UN Comtrade / BACI numeric codes and ISO3.

Every source is mapped to ISO 3166 alpha-3. Aggregates (World, continents, regions, the EU,
economic groups) are recognised and flagged so that loaders can exclude them; they are never
summed with countries. An unknown name or code is a :class:`~potash.PotashDataError` naming it.

Historical areas keep their own (ISO 3166-3 or FAO) codes so that they are never merged with
their successors: USSR ``SUN``, Czechoslovakia ``CSK``, Yugoslav SFR ``YUG``, Serbia and
Montenegro ``SCG``, Belgium-Luxembourg ``BLX`` (FAO's code). Sudan (former) and Ethiopia PDR
do not overlap in time with their successors and map to ``SDN`` and ``ETH``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from potash.core.errors import PotashDataError
from potash.data._common import raw_path, read_csv_text, rel

__all__ = [
    "baci_country_table",
    "country_name",
    "fao_area_to_iso3",
    "is_fao_aggregate",
    "m49_to_iso3",
    "to_iso3",
]

#: Pseudo ISO3 codes for BACI/Comtrade areas without an ISO code (``N/A`` in the dictionary).
BACI_PSEUDO_ISO3 = {490: "X490", 697: "X697", 849: "X849"}

# FAO area names (official FAOSTAT names and agData's shortened names) not in the BACI list.
_FAO_ALIASES: dict[str, str] = {
    "Bolivia": "BOL",
    "Bolivia (Plurinational State of)": "BOL",
    "Bosnia and Herzegovina": "BIH",
    "C?te d'Ivoire": "CIV",  # '?' as written in the ONE FAOSTAT export (encoding loss)
    "Cote d'Ivoire": "CIV",
    "Côte d'Ivoire": "CIV",
    "China, Taiwan Province of": "TWN",
    "Taiwan": "TWN",
    "China, mainland": "CHN",
    "China, Hong Kong SAR": "HKG",
    "Hong Kong": "HKG",
    "China, Macao SAR": "MAC",
    "Macao": "MAC",
    "Eswatini": "SWZ",
    "Ethiopia PDR": "ETH",
    "Faroe Islands": "FRO",
    "French Guiana": "GUF",
    "Guadeloupe": "GLP",
    "Iran": "IRN",
    "Iran (Islamic Republic of)": "IRN",
    "Lao People's Democratic Republic": "LAO",
    "Laos": "LAO",
    "Martinique": "MTQ",
    "Micronesia (Federated States of)": "FSM",
    "Netherlands (Kingdom of the)": "NLD",
    "Netherlands": "NLD",
    "North Korea": "PRK",
    "Democratic People's Republic of Korea": "PRK",
    "North Macedonia": "MKD",
    "Palestine": "PSE",
    "Puerto Rico": "PRI",
    "Russia": "RUS",
    "Russian Federation": "RUS",
    "Réunion": "REU",
    "Sudan (former)": "SDN",
    "Syrian Arab Republic": "SYR",
    "Syria": "SYR",
    "Türkiye": "TUR",
    "TÃ¼rkiye": "TUR",  # mojibake of 'Türkiye' as written in the agData file
    "Turkey": "TUR",
    "UK": "GBR",
    "United Kingdom": "GBR",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "USA": "USA",
    "United States of America": "USA",
    "United States": "USA",
    "USSR": "SUN",
    "Czechoslovakia": "CSK",
    "Yugoslav SFR": "YUG",
    "Serbia and Montenegro": "SCG",
    "Belgium-Luxembourg": "BLX",
    "Venezuela": "VEN",
    "Venezuela (Bolivarian Republic of)": "VEN",
    "Viet Nam": "VNM",
    "Vietnam": "VNM",
    "Republic of Korea": "KOR",
    "South Korea": "KOR",
    "Republic of Moldova": "MDA",
    "United Republic of Tanzania": "TZA",
    "Democratic Republic of the Congo": "COD",
    "Congo": "COG",
    "Cabo Verde": "CPV",
    "Brunei Darussalam": "BRN",
    "Kyrgyzstan": "KGZ",
    "Czechia": "CZE",
    "Gambia": "GMB",
    "Bahamas": "BHS",
    "Timor-Leste": "TLS",
    "Sao Tome and Principe": "STP",
    "Saint Kitts and Nevis": "KNA",
    "Saint Lucia": "LCA",
    "Saint Vincent and the Grenadines": "VCT",
    "Central African Republic": "CAF",
    "Myanmar": "MMR",
    "Libya": "LBY",
    "Egypt": "EGY",
    "Yemen": "YEM",
    "Serbia": "SRB",
    "Montenegro": "MNE",
    "South Sudan": "SSD",
    "Sudan": "SDN",
    "Ethiopia": "ETH",
    "Belgium": "BEL",
    "Luxembourg": "LUX",
}

# FAO aggregates (continents, M49 regions, economic groups, the EU); also any name ending in
# "(excluding intra-trade)".
_FAO_AGGREGATES = {
    "World", "Africa", "Americas", "Asia", "Europe", "Oceania",
    "Australia and New Zealand", "Caribbean", "Central America", "Central Asia",
    "Eastern Africa", "Eastern Asia", "Eastern Europe", "Melanesia", "Micronesia",
    "Middle Africa", "Northern Africa", "Northern America", "Northern Europe", "Polynesia",
    "South America", "South-eastern Asia", "South-Eastern Asia", "Southern Africa",
    "Southern Asia", "Southern Europe", "Western Africa", "Western Asia", "Western Europe",
    "European Union (27)", "European Union (28)", "European Union",
    "Land Locked Developing Countries", "Land Locked Developing Countries (LLDCs)",
    "Least Developed Countries", "Least Developed Countries (LDCs)",
    "Low Income Food Deficit Countries", "Low Income Food Deficit Countries (LIFDCs)",
    "Net Food Importing Developing Countries", "Net Food Importing Developing Countries (NFIDCs)",
    "Small Island Developing States", "Small Island Developing States (SIDS)",
}
_INTRA = re.compile(r"\(excluding intra-trade\)\s*$")

#: FAO areas that are countries' sums: FAO "China" (area code 351) = mainland + Hong Kong +
#: Macao + Taiwan, which are also given separately. agData's "China" is this aggregate (its
#: values equal FAO code 351, e.g. K2O imports 2018 4,970,983 t = mainland 4,768,041 + Taiwan
#: 202,643), so it is excluded like a region; "China, mainland" is the country CHN.
_FAO_COUNTRY_GROUPS = {"China": "FAO 'China' (code 351) = mainland + Hong Kong + Macao + Taiwan"}

# Comtrade / M49 codes that are aggregates or 'not elsewhere specified' areas.
COMTRADE_AGGREGATES = {
    0: "World", 97: "EU", 492: "Europe EU, nes", 568: "Other Europe, nes",
    577: "Other Africa, nes", 636: "Rest of America, nes", 637: "North America and Central America, nes",
    527: "Oceania, nes", 838: "Free Zones", 839: "Special Categories", 837: "Bunkers",
    899: "Areas, nes", 473: "LAIA, nes", 471: "CACM, nes", 472: "Africa CAMEU region, nes",
    129: "Caribbean, nes", 221: "Eastern Europe, nes", 290: "Northern Africa, nes",
    536: "Neutral Zone", 879: "Western Asia, nes",
}


def is_fao_aggregate(name: str) -> bool:
    """Return True for FAO aggregates (World, regions, economic groups, EU, FAO 'China').

    Examples
    --------
    >>> is_fao_aggregate("World"), is_fao_aggregate("Africa (excluding intra-trade)")
    (True, True)
    >>> is_fao_aggregate("China, mainland"), is_fao_aggregate("China")
    (False, True)
    """
    return name in _FAO_AGGREGATES or bool(_INTRA.search(name)) or name in _FAO_COUNTRY_GROUPS


def fao_aggregate_reason(name: str) -> str:
    """Why an FAO area is treated as an aggregate (empty string for a country).

    Parameters
    ----------
    name : str
        FAO area name.

    Returns
    -------
    str
        The reason, or ``""`` for a country.

    Examples
    --------
    >>> fao_aggregate_reason("European Union (27)")
    'aggregate (world, region, economic group or EU)'
    >>> fao_aggregate_reason("Belarus")
    ''
    """
    if name in _FAO_COUNTRY_GROUPS:
        return _FAO_COUNTRY_GROUPS[name]
    if _INTRA.search(name):
        return "regional aggregate (excluding intra-trade)"
    if name in _FAO_AGGREGATES:
        return "aggregate (world, region, economic group or EU)"
    return ""


@functools.lru_cache(maxsize=4)
def _baci_frame(path: str) -> pd.DataFrame:
    df = read_csv_text(
        path,
        ["country_code", "country_name_abbreviation", "country_name_full", "iso_3digit_alpha"],
        keep_default_na=False,
    )
    f = rel(path)
    code = pd.to_numeric(df["country_code"], errors="coerce")
    if code.isna().any():
        i = code.isna().to_numpy().nonzero()[0][0]
        raise PotashDataError(f"not an integer code: {df['country_code'].iloc[i]!r}",
                              file=f, column="country_code", row=int(df["_line"].iloc[i]))
    df["country_code"] = code.astype("int64")
    dup = df["country_code"].duplicated()
    if dup.any():
        i = dup.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"duplicated code {df['country_code'].iloc[i]}", file=f,
                              column="country_code", row=int(df["_line"].iloc[i]))
    iso = df["iso_3digit_alpha"].str.strip()
    na = iso.isin(["N/A", ""])
    iso = iso.where(~na, df["country_code"].map(lambda c: BACI_PSEUDO_ISO3.get(c, f"X{c}")))
    bad = ~iso.str.fullmatch(r"[A-Z][A-Z0-9]{2}|X\d+")
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise PotashDataError(f"not an ISO3 code: {iso.iloc[i]!r}", file=f,
                              column="iso_3digit_alpha", row=int(df["_line"].iloc[i]))
    df["iso3"] = iso
    return df


def _baci_path(path: str | Path | None) -> str:
    return str(path if path is not None else raw_path("baci_dictionaries", "country_codes.csv"))


def baci_country_table(path: str | Path | None = None) -> pd.Series:
    """BACI / UN Comtrade numeric country code -> ISO3, from the BACI dictionary.

    Codes are Comtrade reporter codes, not pure M49 (India 699, USA 842, France 251); several
    codes share an ISO3 (Germany 276 and 280). Areas without an ISO code get ``X`` + code
    (``490`` "Other Asia, nes" -> ``X490``).

    Parameters
    ----------
    path : str or Path, optional
        A BACI ``country_codes.csv`` (default: the shipped dictionary).

    Returns
    -------
    Series
        Index ``code`` (int), values ISO3 strings, name ``iso3``.

    Examples
    --------
    >>> t = baci_country_table()
    >>> t[112], t[699], t[842], t[490]
    ('BLR', 'IND', 'USA', 'X490')
    """
    df = _baci_frame(_baci_path(path))
    return pd.Series(df["iso3"].to_numpy(), index=pd.Index(df["country_code"].to_numpy(), name="code"),
                     name="iso3")


@functools.lru_cache(maxsize=1)
def _name_table() -> dict[str, str]:
    df = _baci_frame(_baci_path(None))
    table: dict[str, str] = {}
    ok = ~df["iso3"].str.startswith("X")
    for col in ("country_name_full", "country_name_abbreviation"):
        table.update(dict(zip(df.loc[ok, col], df.loc[ok, "iso3"], strict=True)))
    table.update(_FAO_ALIASES)
    return table


#: Short English names where the BACI dictionary's are long or official.
_SHORT_NAMES = {"USA": "the US", "RUS": "Russia", "LAO": "Laos", "GBR": "the UK",
                "KOR": "South Korea", "IRN": "Iran", "CIV": "Cote d'Ivoire", "BOL": "Bolivia",
                "VNM": "Vietnam", "TZA": "Tanzania", "SYR": "Syria", "MDA": "Moldova"}


def country_name(iso3: str) -> str:
    """A readable English country name for an ISO3 code (for findings and tables).

    From the shipped BACI dictionary (``country_name_abbreviation``), with short forms for a
    few long official names; an unknown or non-country code is returned as it is.

    Examples
    --------
    >>> country_name("CAN"), country_name("RUS"), country_name("USA"), country_name("XXX")
    ('Canada', 'Russia', 'the US', 'XXX')
    """
    code = str(iso3)
    if code in _SHORT_NAMES:
        return _SHORT_NAMES[code]
    df = _baci_frame(_baci_path(None))
    hit = df.loc[df["iso3"] == code, "country_name_abbreviation"]
    return str(hit.iloc[0]) if len(hit) else code


def fao_area_to_iso3(
    names: Iterable[str], *, file: str | None = None, column: str | None = "Area",
    rows: Iterable[int] | None = None, fao_china: bool = True,
) -> pd.Series:
    """Map FAO area names to ISO3; aggregates map to ``<NA>``; an unknown name raises.

    Also used for other sources' English country names (USGS, World Mining Data) with
    ``fao_china=False``, where "China" means the mainland.

    Parameters
    ----------
    names : iterable of str
        FAO area names (official FAOSTAT or agData's short names).
    file, column : str, optional
        Where the names come from, for the error message.
    rows : iterable of int, optional
        Line numbers of the names, for the error message.
    fao_china : bool
        Treat "China" as FAO's area 351 (mainland + Hong Kong + Macao + Taiwan, an aggregate);
        if False, "China" is ``CHN``.

    Returns
    -------
    Series
        ISO3 codes (string dtype), ``<NA>`` for aggregates (see :func:`is_fao_aggregate`).

    Examples
    --------
    >>> fao_area_to_iso3(["China, mainland", "Russia", "World", "Belarus"]).tolist()
    ['CHN', 'RUS', <NA>, 'BLR']
    """
    s = pd.Series(list(names), dtype="string")
    table = _name_table()
    uniq = pd.unique(s.dropna())
    mapping = {}
    for n in uniq:
        if not fao_china and n == "China":
            mapping[n] = "CHN"
        elif is_fao_aggregate(n):
            mapping[n] = pd.NA
        elif n in table:
            mapping[n] = table[n]
        else:
            idx = s.index[s == n][0]
            row = list(rows)[idx] if rows is not None else None
            raise PotashDataError(f"unknown country or area name {n!r}", file=file, column=column, row=row)
    return s.map(mapping).astype("string")


def m49_to_iso3(
    codes: Iterable[int], *, file: str | None = None, column: str | None = None,
    rows: Iterable[int] | None = None,
) -> pd.Series:
    """Map UN Comtrade / M49 / BACI numeric codes to ISO3; aggregates (0 World, 97 EU, nes
    areas) map to ``<NA>`` except 0, which maps to ``WLD``; an unknown code raises.

    Parameters
    ----------
    codes : iterable of int
        Numeric codes (Comtrade reporter/partner codes, M49, BACI ``i``/``j``).
    file, column : str, optional
        Where the codes come from, for the error message.
    rows : iterable of int, optional
        Line numbers, for the error message.

    Returns
    -------
    Series
        ISO3 strings (string dtype).

    Examples
    --------
    >>> m49_to_iso3([112, 0, 156, 699, 356, 840, 97]).tolist()
    ['BLR', 'WLD', 'CHN', 'IND', 'IND', 'USA', <NA>]
    """
    s = pd.Series(list(codes))
    table = baci_country_table().to_dict()
    # pure M49 codes where Comtrade uses its own (India 356 vs 699, USA 840 vs 842, ...)
    table.update({356: "IND", 840: "USA", 250: "FRA", 756: "CHE", 578: "NOR", 0: "WLD"})
    out = {}
    for c in pd.unique(s):
        try:
            ci = int(c)
        except (TypeError, ValueError):
            ci = None
        if ci in table:
            out[c] = table[ci]
        elif ci in COMTRADE_AGGREGATES:
            out[c] = pd.NA
        else:
            idx = s.index[s == c][0]
            row = list(rows)[idx] if rows is not None else None
            shown = ci if ci is not None else c
            raise PotashDataError(f"unknown country code {shown!r}", file=file, column=column, row=row)
    return s.map(out).astype("string")


def to_iso3(values: Iterable[str | int], scheme: str = "fao") -> pd.Series:
    """Map names or codes of a given ``scheme`` to ISO3.

    Parameters
    ----------
    values : iterable
        Names or codes.
    scheme : {"fao", "m49", "comtrade", "baci", "iso3"}
        ``fao``: FAO area names; ``m49``/``comtrade``/``baci``: numeric codes; ``iso3``: checked
        against the known ISO3 codes.

    Returns
    -------
    Series
        ISO3 strings; ``<NA>`` for aggregates.

    Examples
    --------
    >>> to_iso3(["Belarus", "Lao People's Democratic Republic"]).tolist()
    ['BLR', 'LAO']
    >>> to_iso3([643, 124], scheme="baci").tolist()
    ['RUS', 'CAN']
    """
    from potash.core.options import check_option

    check_option("scheme", scheme, ("fao", "m49", "comtrade", "baci", "iso3"))
    if scheme == "fao":
        return fao_area_to_iso3(values)
    if scheme in ("m49", "comtrade", "baci"):
        return m49_to_iso3(values)
    known = set(_name_table().values()) | {"WLD"} | set(baci_country_table())
    s = pd.Series(list(values), dtype="string")
    bad = ~s.isin(known)
    if bad.any():
        raise PotashDataError(f"unknown ISO3 code {s[bad].iloc[0]!r}")
    return s


# ------------------------------------------------------------------ monthly customs (issue 12)
#: Pseudo codes of partners that are not countries, in the monthly customs sources. They are
#: kept as rows (never dropped), so totals stay complete: ``XXX`` origin/destination not declared
#: or not determined (ComexStat 999 "Nao Declarados", TDM "Unidentified", "Not Determined ...");
#: the others follow the ``X`` + Comtrade code convention of :data:`BACI_PSEUDO_ISO3`.
CUSTOMS_PSEUDO_ISO3: dict[str, str] = {
    "XXX": "not declared / unidentified / not determined",
    "X839": "confidential or suppressed by the reporter (Comtrade 839 'Special Categories')",
    "X837": "ship stores and provisions, high seas (Comtrade 837 'Bunkers')",
    "X838": "free zones and special economic zones (Comtrade 838 'Free Zones')",
    "X577": "Other Africa, nes (Comtrade 577)",
    "X527": "Other Oceania, nes (Comtrade 527)",
    "X97": "European Union, member state not given (Comtrade 97)",
    "XFA": "French Antilles (Guadeloupe and Martinique, not separated)",
}

#: Names of the Trade Data Monitor customs files (``customs_partner_monthly``) that are not in the
#: BACI/FAO name table, mapped explicitly. Reporter names with a "Customs" suffix are the
#: country's customs office.
CUSTOMS_NAME_ALIASES: dict[str, str] = {
    "Germany Customs": "DEU", "Poland Customs": "POL", "Spain Customs": "ESP",
    "Antarctica": "ATA", "Bonaire, Sint Eustatius and Saba": "BES", "Bouvet Island": "BVT",
    "British Indian Ocean Territory": "IOT", "Canary Isles": "ESP", "Congo (DROC)": "COD",
    "Congo (ROC)": "COG", "Curacao": "CUW", "Czech Republic": "CZE",
    "French Southern and Antarctic Lands": "ATF", "Gaza Strip and West Bank": "PSE",
    "West Bank": "PSE", "Heard Island and McDonald Islands": "HMD", "Kosovo": "XKX",
    "Liechtenstein": "LIE", "Micronesia": "FSM", "Moldova": "MDA", "Monaco": "MCO",
    "Norfolk Island": "NFK", "Northern Ireland": "GBR", "Reunion": "REU",
    "Saint Barthelemy": "BLM", "Samoa (Western Samoa)": "WSM", "Sint Maarten": "SXM",
    "Tanzania": "TZA", "United States Minor Outlying Islands": "UMI",
    "Virgin Islands, United States": "VIR", "Wallis and Futuna": "WLF",
    # not countries: pseudo codes (CUSTOMS_PSEUDO_ISO3)
    "Unidentified": "XXX", "Not Determined Extra EU": "XXX", "Not Determined Intra EU": "XXX",
    "Confidential": "X839", "Suppressed Countries Extra EU": "X839",
    "Suppressed Countries Intra EU": "X839", "High Seas": "X837",
    "Stores and Provisions": "X837", "Stores and Provisions Extra": "X837",
    "Stores and Provisions Intra": "X837", "Colombia Free Zones": "X838",
    "Pars Special Economic Energy Zone (Assaluyeh)": "X838",
    "Shahid Rajai Port Special Economic Zone": "X838", "Other Africa, nes": "X577",
    "Other Oceania": "X527", "European Union": "X97", "French Antilles": "XFA",
}

#: ComexStat ``CO_PAIS`` codes whose ``CO_PAIS_ISOA3`` in PAIS.csv is ``ZZZ`` (no ISO code).
COMEXSTAT_OVERRIDES: dict[str, str] = {
    "999": "XXX",   # Nao Declarados (not declared)
    "000": "XXX",   # Nao Definido (not defined)
    "994": "XXX",   # A Designar (to define)
    "998": "XXX",   # Sem informacao (no information)
    "990": "X837",  # Provisao de Navios e Aeronaves (ship and aircraft provisions)
    "995": "X839",  # Bancos Centrais (central banks)
    "997": "X839",  # Organizacoes Internacionais (international organisations)
    "393": "JEY", "489": "MYT", "698": "MAF", "785": "X785", "840": "SUN",
}


def customs_name_to_iso3(
    names: Iterable[str], *, file: str | None = None, column: str | None = "PARTNER",
    rows: Iterable[int] | None = None,
) -> pd.Series:
    """Map the English country names of the monthly customs files to ISO3 (explicitly).

    Names are looked up in :data:`CUSTOMS_NAME_ALIASES` first, then in the BACI/FAO name table
    ("China" is the mainland here, not FAO's aggregate). Partners that are not countries get a
    pseudo code of :data:`CUSTOMS_PSEUDO_ISO3` (``XXX`` = not declared): they are never dropped.
    Surrounding spaces are ignored. A name that maps nowhere raises, naming it.

    Parameters
    ----------
    names : iterable of str
        Names as written in the file.
    file, column : str, optional
        Where the names come from, for the error message.
    rows : iterable of int, optional
        Row numbers of the names, for the error message.

    Returns
    -------
    Series
        ISO3 or pseudo codes (string dtype).

    Raises
    ------
    PotashDataError
        A name is not known (file, column, row and name given).

    Examples
    --------
    >>> customs_name_to_iso3(["China", "Korea, South", "Unidentified", "Germany Customs"]).tolist()
    ['CHN', 'KOR', 'XXX', 'DEU']
    """
    s = pd.Series(list(names), dtype="string")
    table = _name_table()
    extra = {"Korea, South": "KOR", "Korea, North": "PRK"}
    mapping: dict[str, str] = {}
    for n in pd.unique(s.dropna()):
        key = str(n).strip()
        code = CUSTOMS_NAME_ALIASES.get(key) or extra.get(key) or table.get(key)
        if code is None:
            idx = s.index[s == n][0]
            row = list(rows)[idx] if rows is not None else None
            raise PotashDataError(f"unknown country or partner name {n!r} (add it to "
                                  "CUSTOMS_NAME_ALIASES in potash/data/countries.py)",
                                  file=file, column=column, row=row)
        mapping[n] = code
    if s.isna().any():
        idx = s.index[s.isna()][0]
        row = list(rows)[idx] if rows is not None else None
        raise PotashDataError("empty country name", file=file, column=column, row=row)
    return s.map(mapping).astype("string")
