"""Routes of Belarusian potash: the curated route table, Klaipeda cargo results, transport modes.

- :func:`load_routes` (the data layer's loader, :func:`potash.data.load_routes`) reads
  ``data/raw/bilateral_curated/potash_routes_curated.csv``: one figure read on one public
  page per row, with the page address and an exact quote.
- :func:`klaipeda_cargo` extracts total and fertiliser cargo figures from the Port of
  Klaipeda press releases (``data/raw/klaipeda_port_news/klaipeda_port_scraper.xlsx``) by
  deterministic regular expressions over the text; every row keeps the article url, date
  and the sentence it came from.
- :func:`route_table` puts the two in one traceable table; :func:`route_mix` selects
  Belarus's route volumes before and after 2022-02-01 (the Klaipeda closure).
- :func:`route_shares` splits a trade flow by Comtrade transport mode (``mot_code``) or by
  second partner (``partner2_iso3``, the consignment country).

Examples
--------
>>> t = route_table()
>>> sorted(t["table"].unique())
['curated_routes', 'klaipeda_releases']
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.paths import raw_dir
from potash.data import load_routes
from potash.data.klaipeda import load_klaipeda_articles
from potash.data.periods import period_bounds

__all__ = [
    "KLAIPEDA_CLOSURE",
    "MOT_CODES",
    "klaipeda_cargo",
    "load_routes",
    "route_table",
    "route_mix",
    "route_shares",
]

#: Date Lithuania stopped Belarusian potash transit through Klaipeda.
KLAIPEDA_CLOSURE = pd.Timestamp("2022-02-01")

#: Comtrade API v1 transport-mode codes (motCode) and labels.
MOT_CODES: dict[int, str] = {
    0: "TOTAL MOT",
    1000: "Air",
    2000: "Water",
    2100: "Sea",
    2200: "Inland waterway",
    3000: "Land",
    3100: "Rail",
    3200: "Road",
    9000: "Other",
    9100: "Pipelines and cables",
    9200: "Postal or mail",
    9300: "Self propelled",
    9900: "Unknown",
}


# --------------------------------------------------------------------------- curated routes
def _route_kind(r: pd.DataFrame) -> pd.Series:
    """Refine the loader's ``measure_kind``: only ``flow`` rows are volumes that happened in
    the stated period and can be compared; ranges, run-rates, per-month rates, all-cargo and
    part-of rows are set apart too."""
    m = r["measure"].astype(str)
    kind = r["measure_kind"].astype(str).copy()
    rules = [
        (r["quantity_t"].isna(), "no_number"),
        (m.str.contains("per MONTH"), "per_month"),
        (m.str.contains("run-rate", case=False), "run_rate"),
        (m.str.contains("all Belarusian cargo|all kinds|all cargo", case=False), "all_cargo"),
        (m.str.contains(r"^part of", case=False), "part_of"),
        (
            (r["period_kind"] == "annual_average")
            | m.str.contains(r"\brange\b|approx\.", case=False),
            "range",
        ),
    ]
    for mask, label in rules:
        kind[mask.to_numpy() & (kind == "flow").to_numpy()] = label
    return kind


def _n_months(start: pd.Series, end: pd.Series) -> pd.Series:
    return (end.dt.year - start.dt.year) * 12 + end.dt.month - start.dt.month + 1


def _curated_rows(r: pd.DataFrame) -> pd.DataFrame:
    """The curated route table in the layout of :func:`route_table`."""
    need = [
        "period",
        "period_start",
        "period_end",
        "period_kind",
        "exporter",
        "route",
        "node",
        "quantity_t",
        "measure",
        "measure_kind",
        "basis",
        "source_url",
        "quote",
    ]
    missing = [c for c in need if c not in r.columns]
    if missing:
        raise PotashDataError(
            f"missing column(s) {missing}: pass potash.load_routes() output",
            file="route table",
            column=missing[0],
        )
    return pd.DataFrame(
        {
            "table": "curated_routes",
            "period": r["period"].astype(str),
            "period_start": r["period_start"],
            "period_end": r["period_end"],
            "n_months": _n_months(r["period_start"], r["period_end"]),
            "exporter": r["exporter"].astype(str),
            "route": r["route"].astype(str),
            "node": r["node"].astype(str),
            "quantity_t": r["quantity_t"].astype(float),
            "measure": r["measure"].astype(str),
            "kind": _route_kind(r),
            "basis": r["basis"].astype(str),
            "source_url": r["source_url"].astype(str),
            "quote": r["quote"].astype(str),
            "source_date": pd.NaT,
        }
    )


def route_table(
    routes: pd.DataFrame | None = None, cargo: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The curated route figures and the Klaipeda release figures in one traceable table.

    Parameters
    ----------
    routes : DataFrame, optional
        Output of :func:`load_routes` (read if not given).
    cargo : DataFrame, optional
        Output of :func:`klaipeda_cargo` (extracted if not given).

    Returns
    -------
    DataFrame
        ``table`` ("curated_routes" | "klaipeda_releases"), ``period, period_start,
        period_end, n_months, exporter`` (``BLR``, ``ALL`` = all origins, ``RUS+BLR``),
        ``route, node, quantity_t, measure, kind`` (``flow`` = a volume that happened in the
        period; ``change``, ``capacity``, ``contract``, ``forecast``, ``estimate``,
        ``decrease``, ``range``, ``run_rate``, ``per_month``, ``all_cargo``, ``part_of``,
        ``no_number`` must not be added to flows), ``basis``, ``source_url``, ``quote`` (the
        page's words: the curated quote or the release sentence), ``source_date`` (release
        date; NaT for curated rows).

    Examples
    --------
    >>> t = route_table()
    >>> k = t[(t["table"] == "klaipeda_releases") & (t["period"] == "2022") & (t["kind"] == "flow")]
    >>> k[["node", "quantity_t"]].values.tolist()
    [['Klaipeda port, all cargo', 36100000.0]]
    """
    cur = _curated_rows(load_routes() if routes is None else routes)
    k = klaipeda_cargo() if cargo is None else cargo
    qual = k["qualifier"].map({"exact": "", "approx": " (approx.)", "at_least": " (at least)"})
    kl = pd.DataFrame(
        {
            "table": "klaipeda_releases",
            "period": k["period"],
            "period_start": k["period_start"],
            "period_end": k["period_end"],
            "n_months": k["n_months"],
            "exporter": "ALL",
            "route": "Klaipeda (LTU)",
            "node": np.where(
                k["cargo"] == "total",
                "Klaipeda port, all cargo",
                "Klaipeda port, " + k["item"].str.lower(),
            ),
            "quantity_t": k["quantity_t"],
            "measure": np.where(k["measure"] == "level", "cargo handled", "y/y change of cargo")
            + qual,
            "kind": np.where(
                k["measure"] == "change",
                "change",
                np.where(k["qualifier"] == "exact", "flow", "range"),
            ),
            "basis": "port authority release",
            "source_url": k["url"],
            "quote": k["sentence"],
            "source_date": k["article_date"],
        }
    )
    out = pd.concat([cur, kl], ignore_index=True)
    return out.sort_values(
        ["table", "period_start", "period_end", "route", "node", "source_url"], kind="mergesort"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- Klaipeda releases
_KLAIPEDA_FILE = ("klaipeda_port_news", "klaipeda_port_scraper.xlsx")

_NUM = r"(?P<num>\d{1,3}(?:[ ,]\d{3})+|\d+(?:[.,]\d+)?)"
_QTY = re.compile(
    r"(?:(?P<mil>\d+)\s+million\s+(?=\d+\s+thousand))?"
    + _NUM
    + r"\s*(?P<unit>million|mln\.?|thousand)\s+(?:additional\s+)?(?:tonnes|tons|tns\.?|tn|t)\b",
    re.IGNORECASE,
)
# cargo groups other than the port total; the nearest one before a figure decides its group
_GROUPS: list[tuple[str, str]] = [
    ("fertilizer", r"(?:liquid |bulk )?fertili[sz]er\w*"),
    ("container", r"container\w*|TEU"),
    ("general", r"general cargo\w*"),
    ("bulk", r"bulk cargo\w*|dry bulk"),
    ("liquid", r"liquid cargo\w*"),
    ("lng", r"LNG|liquefied natural gas"),
    ("oil", r"oil products?|petroleum products?"),
    ("grain", r"grain|agricultural products?"),
    ("roro", r"ro-?ro|Ro/Ro|roll-on|vehicles|ferr(?:y|ies)"),
    ("construction", r"construction materials?|minerals|metal constructions?"),
    ("timber", r"timber|forestry"),
    ("metal", r"iron|steel|scrap"),
    ("other_port", r"Baltic (?:country )?ports|Riga|Tallinn|Liepaja|Ventspils|Latvian|terminals"),
    ("partner", r"Germany|Sweden|Poland|Netherlands|Belgium|United States|USA|to and from"),
]
_GROUP_RE = re.compile("|".join(rf"(?P<{g}>\b(?:{p})\b)" for g, p in _GROUPS), re.IGNORECASE)
_ANAPHOR = re.compile(
    r"^(?:Last year, the total amount|The cargo handling|In total, this cargo)|this segment"
    r"|these cargo|this volume",
    re.IGNORECASE,
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_SUBPERIOD = re.compile(
    r"(?P<q1>first quarter|1st quarter)|(?P<q34>3rd and 4th quarters)"
    r"|(?P<h1>first half(?:-year)?|January\s*[-–]\s*June|six months)"
    r"|(?P<m9>three quarters|3 quarters|first (?:9|nine) months|January\s*[-–]\s*September)"
    r"|(?P<month>\b(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\b)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(20\d\d)\b")
_BASE_YEAR = re.compile(
    r"(?:compar\w*(?:\s+(?:to|with))?|than(?:\s+in)?|period of|from)\s+(?:the\s+)?(?:\w+\s+){0,3}?"
    r"(20\d\d)\b",
    re.IGNORECASE,
)
_DECREASE = re.compile(r"decreas|declin|drop|fell|fall|less|lower|loss|\(-\s*$|-\s*$", re.I)
_CHANGE_BEFORE = re.compile(
    r"(?:\bby|\bor|\bor by|\(\s*[-+]|[-+])\s*(?:almost|nearly|about)?\s*$", re.IGNORECASE
)
_APPROX = re.compile(r"(?:nearly|almost|approximately|about|around)\s*$", re.IGNORECASE)
_ATLEAST = re.compile(r"(?:more than|over|exceed\w*|just over|slightly over)\s*$", re.I)


def _sentences(text: str) -> list[str]:
    """Split into sentences at . ! ? followed by space and a capital letter or digit."""
    parts: list[str] = []
    for para in str(text).splitlines():
        para = para.strip()
        if para:
            parts.extend(
                s.strip()
                for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9“\"])|(?<=[a-z]{3}\.)(?=[A-Z])", para)
                if s.strip()
            )
    return parts


def _to_tonnes(m: re.Match[str]) -> float:
    s = m.group("num").strip()
    if re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+", s):
        value = Decimal(re.sub(r"[ ,]", "", s))
    else:
        value = Decimal(s.replace(",", "."))
    unit = m.group("unit").lower()
    scale = Decimal(10**6 if unit.startswith(("million", "mln")) else 10**3)
    extra = (
        Decimal(m.group("mil")) * 10**6 if m.group("mil") else Decimal(0)
    )  # "1 million 40 thousand"
    return float(extra + value * scale)  # exact decimal arithmetic: 32.7 million -> 32700000.0


_AFTER_STOP = re.compile(
    r"[,;(–—]|\.(?:\s|$)|\b(?:and|were|was|is|in|to|compared|recording|while|handled)\b"
)


def _group_of(before: str, after: str, previous: str) -> tuple[str | None, str]:
    """Cargo group of a figure: the group named nearest before it in the sentence, else named
    right after it ("... tonnes of grain"), else the previous sentence's group when the sentence
    refers back to it ("this segment")."""
    hits = list(_GROUP_RE.finditer(before))
    if hits:
        return hits[-1].lastgroup, hits[-1].group(0)
    stop = _AFTER_STOP.search(after)
    hit = _GROUP_RE.search(after[: stop.start() if stop else len(after)])
    if hit:
        return hit.lastgroup, hit.group(0)
    if _ANAPHOR.search(before):
        prev = list(_GROUP_RE.finditer(previous))
        if prev:
            return prev[-1].lastgroup, prev[-1].group(0)
    return None, ""


def _periods(
    sentence: str, start: int, end: int, article_date: pd.Timestamp
) -> tuple[list[str], bool]:
    """Period(s) a figure refers to and whether the sentence states it (else the date rule)."""
    after = sentence[end:]
    m = re.match(r"\s*(?:of cargo\w*\s+)?(?:\w+\s+){0,4}?in (20\d\d)\b", after)
    base_years = {int(b.group(1)) for b in _BASE_YEAR.finditer(sentence)}
    years_all = [int(y.group(1)) for y in _YEAR.finditer(sentence[:start])]
    years_before = [y for y in years_all if y not in base_years] or years_all[-1:]
    explicit = True
    if m and not re.search(r"compar|than", after[: m.start(1)]):
        year = int(m.group(1))
    elif years_before:
        year = years_before[-1]
    elif "this year" in sentence.lower() or article_date.month > 2:
        year, explicit = article_date.year, False
    else:  # annual results published in January/February are about the year before
        year, explicit = article_date.year - 1, False
    subs = list(_SUBPERIOD.finditer(sentence))
    before_subs = [s for s in subs if s.start() < start]
    chosen = before_subs[-1] if before_subs else (subs[0] if subs else None)
    if chosen is None:
        return [str(year)], explicit
    kind = chosen.lastgroup
    if kind == "q1":
        return [f"{year}-Q1"], True
    if kind == "q34":
        return [f"{year}-Q3", f"{year}-Q4"], True
    if kind == "h1":
        return [f"{year}-H1"], True
    if kind == "m9":
        return [f"{year}-01/{year}-09"], True
    names = [chosen.group(0)]
    follow = re.match(r"\s+and\s+(\w+)", sentence[chosen.end() :])
    if not before_subs and follow and follow.group(1).lower() in _MONTHS:
        names.append(follow.group(1))
    return [f"{year}-{_MONTHS[n.lower()]:02d}" for n in names], True


def _months(period: str) -> int:
    lo, hi = period_bounds(period)
    a, b = pd.Timestamp(lo), pd.Timestamp(hi)
    return (b.year - a.year) * 12 + b.month - a.month + 1


def _scan_article(text: str, adate: pd.Timestamp) -> list[dict[str, Any]]:
    """All total and fertiliser figures of one article (see :func:`klaipeda_cargo`)."""
    found: list[dict[str, Any]] = []
    sents = _sentences(text)
    for k, sent in enumerate(sents):
        previous = sents[k - 1] if k else ""
        matches = list(_QTY.finditer(sent))
        for j, m in enumerate(matches):
            if re.match(r"\s*barrier", sent[m.end() :]):
                continue  # a threshold ("the 3 million tonne barrier"), not a figure
            lo = matches[j - 1].end() if j else 0
            hi = matches[j + 1].start() if j + 1 < len(matches) else len(sent)
            group, item = _group_of(sent[: m.start()], sent[m.end() : hi], previous)
            if group is None and re.search(r"cargo|handl|stevedor|volume|load", sent, re.I):
                group, item = "total", "cargo"
            if group not in ("total", "fertilizer"):
                continue
            between, tail = sent[lo : m.start()], sent[m.end() : m.end() + 25]
            change = bool(
                _CHANGE_BEFORE.search(between[-20:])
                or "additional" in m.group(0).lower()
                or re.match(r"\s*(?:or\s+\d+(?:[.,]\d+)?\s*%\s*)?(?:more|less)\b", tail)
            )
            qty = _to_tonnes(m)
            if change and _DECREASE.search(between + " " + tail[:12]):
                qty = -qty
            qual = (
                "approx"
                if _APPROX.search(between[-25:])
                else "at_least"
                if _ATLEAST.search(between[-25:])
                else "exact"
            )
            periods, explicit = _periods(sent, m.start(), m.end(), adate)
            for period in periods:
                found.append(
                    {
                        "cargo": "fertilizer" if group == "fertilizer" else "total",
                        "item": item,
                        "period": period,
                        "explicit": explicit,
                        "measure": "change" if change else "level",
                        "qualifier": qual,
                        "quantity_t": qty,
                        "text": m.group(0),
                        "sentence": sent,
                    }
                )
    # figures whose sentence names no period take the release's headline period: that of its
    # first total-cargo level, if the sentence states it and it covers three months or more
    first = next((r for r in found if r["cargo"] == "total" and r["measure"] == "level"), None)
    head = None
    if first is not None and first["explicit"] and _months(first["period"]) >= 3:
        head = first["period"]
    for r in found:
        if not r["explicit"] and head is not None:
            r["period"] = head
        del r["explicit"]
    return found


def klaipeda_cargo(path: str | Path | None = None) -> pd.DataFrame:
    """Total and fertiliser cargo figures of the Port of Klaipeda, extracted from its releases.

    Every sentence of every article is scanned for ``<number> million|mln|thousand
    tonnes|tons|tn``. A figure belongs to the cargo group named nearest before it in the
    sentence (fertilisers, containers, grain, other ports, partner countries, ...), else named
    right after it ("tonnes of grain"); a sentence that refers back ("this segment", "these
    cargo") takes the previous sentence's group. Only ``total`` (the whole port) and
    ``fertilizer`` figures are kept. The period comes from the sentence ("in 2021", "first
    quarter", "January-June", month names; base years of comparisons are skipped), else from
    the release's headline period, else from the article date (January/February releases
    report the year before). ``+13%``-style figures and "by 201 thousand tonnes" are changes
    (``measure == "change"``, signed), the rest levels.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to ``data/raw/klaipeda_port_news/klaipeda_port_scraper.xlsx``.

    Returns
    -------
    DataFrame
        ``cargo`` ("total"|"fertilizer"), ``item`` (the words naming the cargo), ``period``,
        ``period_start``, ``period_end``, ``n_months``, ``measure`` ("level"|"change"),
        ``qualifier`` ("exact", "approx", "at_least"), ``quantity_t``, ``text`` (the figure
        as printed), ``sentence``, ``article_date``, ``url``, ``title``.

    Examples
    --------
    >>> k = klaipeda_cargo()
    >>> tot = k[(k["cargo"] == "total") & (k["measure"] == "level") & (k["n_months"] == 12)]
    >>> tot.groupby("period")["quantity_t"].max().loc["2021":"2024"].tolist()
    [45600000.0, 36100000.0, 32700000.0, 35500000.0]
    """
    arts = load_klaipeda_articles(path)
    path = Path(path) if path is not None else raw_dir().joinpath(*_KLAIPEDA_FILE)
    dates = pd.to_datetime(arts["date"], format="%b %d %Y", errors="coerce")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna())[0])
        raise PotashDataError(
            f"cannot read date {arts['date'].iloc[row]!r} (expected e.g. 'Jan 23 2025')",
            file=path,
            column="date",
            row=row + 2,
        )
    rows: list[dict[str, Any]] = []
    for art, adate in zip(arts.itertuples(index=False), dates, strict=True):
        for r in _scan_article(art.text, adate):
            rows.append({**r, "article_date": adate, "url": art.url, "title": art.title})
    out = pd.DataFrame(rows)
    bounds = [period_bounds(p) for p in out["period"]]
    out.insert(3, "period_start", pd.to_datetime([b[0] for b in bounds]))
    out.insert(4, "period_end", pd.to_datetime([b[1] for b in bounds]))
    out.insert(5, "n_months", [_months(p) for p in out["period"]])
    return out.sort_values(
        ["cargo", "period_start", "period_end", "measure", "article_date", "quantity_t"]
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- route mix
def route_mix(
    routes: pd.DataFrame | None = None,
    *,
    cutoff: str | pd.Timestamp = KLAIPEDA_CLOSURE,
    annual_only: bool = True,
) -> pd.DataFrame:
    """Belarus's potash volumes by route, before and after the Klaipeda closure.

    Uses ``flow`` rows of Belarusian cargo (``exporter == "BLR"``) from the curated route
    table: no capacity, contract, forecast, range, run-rate or all-cargo rows, and nothing
    added across rows or periods. Where several pages give a figure for the same route, node
    and period, each is kept as its own row (nothing averaged); ``source_url`` and ``quote``
    trace every bar.

    Parameters
    ----------
    routes : DataFrame, optional
        Output of :func:`load_routes` (read if not given).
    cutoff : date
        Rows whose period ends before ``cutoff`` are ``before``; rows starting on or after it
        are ``after``; a period spanning it is ``spanning`` (2022 spans 2022-02-01 by one
        month of Klaipeda shipments).
    annual_only : bool
        Keep calendar years only (default). ``False`` also keeps the sub-annual flows (e.g.
        Russian ports January-June 2023), each with its ``n_months``; never compare them with
        annual rows as if they were annual.

    Returns
    -------
    DataFrame
        ``period, n_months, phase, route, node, measure, quantity_t, basis, source_url,
        quote``.

    Examples
    --------
    >>> m = route_mix()
    >>> sorted(m["phase"].unique())
    ['before', 'spanning']
    """
    t = _curated_rows(load_routes() if routes is None else routes)
    cutoff = pd.Timestamp(cutoff)
    keep = (t["kind"] == "flow") & (t["exporter"] == "BLR")
    if annual_only:
        keep &= (t["n_months"] == 12) & (t["period_start"].dt.month == 1)
    out = t[keep].copy()
    out["phase"] = np.where(
        out["period_end"] < cutoff,
        "before",
        np.where(out["period_start"] >= cutoff, "after", "spanning"),
    )
    cols = [
        "period",
        "n_months",
        "phase",
        "route",
        "node",
        "measure",
        "quantity_t",
        "basis",
        "source_url",
        "quote",
    ]
    return out[cols].sort_values(["period", "route", "node", "source_url"]).reset_index(drop=True)


# --------------------------------------------------------------------------- transport modes
def route_shares(
    trade: pd.DataFrame,
    *,
    by: Literal["mot", "partner2"] = "mot",
    measure: Literal["quantity_t", "value_usd"] = "quantity_t",
) -> pd.DataFrame:
    """Split each trade flow by transport mode or by second partner (consignment country).

    The input carries Comtrade breakdown rows beside the totals: ``mot_code`` (0 = total of all
    modes) and/or ``partner2_iso3`` (``"W00"``/``"WLD"`` = all second partners); the Comtrade
    names ``motCode``/``partner2Code`` (0 = all) that ``load_trade("comtrade", path,
    totals_only=False)`` keeps are accepted, and only ``customsCode == "C00"`` and
    ``mosCode == "0"`` rows are used. Each
    breakdown row is divided by its flow's total row (``mot_code == 0`` and
    ``partner2_iso3`` all); the part of the total that no breakdown row covers is reported as
    ``unallocated``. If the breakdown rows add to more than the total (hierarchical codes such
    as Sea inside Water both listed), ``overlap`` is True and shares must not be added.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade rows plus ``mot_code`` (int) and/or ``partner2_iso3`` (str), e.g. the
        Comtrade loader with breakdown rows kept.
    by : {"mot", "partner2"}
    measure : {"quantity_t", "value_usd"}

    Returns
    -------
    DataFrame
        ``year, period, reporter_iso3, partner_iso3, flow, product, key, label, value, total,
        share, unallocated, overlap``.

    Examples
    --------
    >>> t = pd.DataFrame({"year": 2024, "reporter_iso3": "BLR", "partner_iso3": "CHN",
    ...     "flow": "export", "product": "potassium_chloride", "partner2_iso3": "W00",
    ...     "mot_code": [0, 3100, 2100], "quantity_t": [10.0, 6.0, 3.0]})
    >>> route_shares(t)[["label", "share", "unallocated"]].values.tolist()
    [['Sea', 0.3, 1.0], ['Rail', 0.6, 1.0]]
    """
    check_option("by", by, Literal["mot", "partner2"])
    check_option("measure", measure, Literal["quantity_t", "value_usd"])
    if not isinstance(trade, pd.DataFrame):
        raise PotashDataError("expected a DataFrame", file="trade table")
    # accept the Comtrade field names kept by load_trade("comtrade", totals_only=False)
    df = trade.rename(columns={"motCode": "mot_code"})
    if "partner2_iso3" not in df.columns and "partner2Code" in df.columns:
        df = df.rename(columns={"partner2Code": "partner2_iso3"})
    col = "mot_code" if by == "mot" else "partner2_iso3"
    need = ["year", "reporter_iso3", "partner_iso3", "flow", "product", measure, col]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise PotashDataError(
            f"missing column(s) {missing}: route_shares needs Comtrade breakdown rows "
            "(mot_code/motCode, partner2_iso3/partner2Code) kept beside the totals, e.g. "
            'load_trade("comtrade", path, totals_only=False)',
            file="trade table",
            column=missing[0],
        )
    df = df.copy()
    # other breakdowns (customs procedure, mode of supply) would double count: keep totals
    if "customsCode" in df.columns:
        df = df[df["customsCode"].astype(str) == "C00"]
    if "mosCode" in df.columns:
        df = df[df["mosCode"].astype(str) == "0"]
    df["period"] = df["period"].astype(str) if "period" in df.columns else df["year"].astype(str)
    p2_all = {"W00", "WLD", "0", "nan", "<NA>", "None"}
    mot_total = df["mot_code"].fillna(0).astype(int) == 0 if "mot_code" in df.columns else True
    p2_total = (
        df["partner2_iso3"].astype(str).isin(p2_all) if "partner2_iso3" in df.columns else True
    )
    is_total = pd.Series(mot_total & p2_total, index=df.index)
    keys = ["year", "period", "reporter_iso3", "partner_iso3", "flow", "product"]
    tot = df[is_total]
    if tot.duplicated(keys).any():
        raise PotashDataError(
            "several total rows for the same flow (customs procedures not filtered?)",
            file="trade table",
            column=col,
        )
    if by == "mot":
        brk = df[(df["mot_code"].fillna(0).astype(int) != 0) & p2_total]
        brk = brk.assign(key=brk["mot_code"].astype(int))
        brk["label"] = brk["key"].map(MOT_CODES).fillna("code " + brk["key"].astype(str))
    else:
        brk = df[~df["partner2_iso3"].astype(str).isin(p2_all) & mot_total]
        brk = brk.assign(key=brk["partner2_iso3"].astype(str))
        brk["label"] = brk["key"]
    if brk.empty:
        raise PotashDataError(
            f"no {col} breakdown rows in the table", file="trade table", column=col
        )
    out = brk[keys + ["key", "label", measure]].merge(
        tot[keys + [measure]].rename(columns={measure: "total"}), on=keys, how="left"
    )
    if out["total"].isna().any():
        row = out[out["total"].isna()].iloc[0][keys].to_dict()
        raise PotashDataError(
            f"breakdown rows without a total row: {row}", file="trade table", column=col
        )
    out = out.rename(columns={measure: "value"})
    out["share"] = out["value"] / out["total"]
    covered = out.groupby(keys)["value"].transform("sum")
    out["unallocated"] = out["total"] - covered
    out["overlap"] = covered > out["total"] * (1 + 1e-9)
    return out.sort_values(keys + ["key"]).reset_index(drop=True)
