"""Market structure: shares, concentration, who replaced whom, unit values, buyers, mirrors.

Every function works on the tidy trade table of the data layer (``potash.load_trade``):
``year, period, reporter_iso3, partner_iso3, flow, product, hs_code, quantity_t, value_usd,
source, flag`` (country totals have ``partner_iso3 == "WLD"``).

Conventions
-----------
- A world total is the **sum over country rows**, never an aggregate row. Rows whose reporter
  is an aggregate code (``WLD``, EU, ...) or whose measure is missing are not summed; they are
  listed in the ``excluded`` frame of the result with the reason.
- Different products are never added: every result is per product (``products`` filters).
- Periods of different length (a year, a quarter, January-August) are never added together.
- Bad input raises :class:`~potash.core.errors.PotashDataError` (data) or ``ValueError``
  (arguments) with the table, column, row and problem; never a NaN table.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"year": [2021, 2021], "period": ["2021", "2021"],
...     "reporter_iso3": ["BLR", "CAN"], "partner_iso3": ["WLD", "WLD"],
...     "flow": ["export", "export"], "product": ["potassium_chloride"] * 2,
...     "quantity_t": [1.0, 3.0], "value_usd": [100.0, 400.0]})
>>> market_shares(t).table[["reporter_iso3", "share"]].values.tolist()
[['CAN', 0.75], ['BLR', 0.25]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from potash.core.errors import PotashDataError
from potash.core.options import check_option
from potash.core.results import ResultsBase
from potash.data.periods import period_bounds

__all__ = [
    "AGGREGATE_CODES",
    "MarketShares",
    "UnitValues",
    "buyer_mix",
    "hhi",
    "import_shares",
    "market_shares",
    "mirror_flows",
    "share_shift",
    "unit_values",
]

Flow = Literal["export", "import"]
Measure = Literal["quantity_t", "value_usd"]
By = Literal["reporter_iso3", "partner_iso3"]

#: Codes that denote aggregates (world, EU, regions, "areas nes"), never summed as countries.
AGGREGATE_CODES: frozenset[str] = frozenset(
    {"WLD", "W00", "EUN", "EU", "EU27", "EU28", "EUR", "_X", "X1", "XX", "ZZZ", "ALL"}
)

_TABLE = "trade table"


# --------------------------------------------------------------------------- helpers
def _require(trade: Any, columns: Iterable[str], name: str = _TABLE) -> pd.DataFrame:
    """Check ``trade`` is a DataFrame with ``columns``; raise a PotashDataError naming them."""
    if not isinstance(trade, pd.DataFrame):
        raise PotashDataError(
            f"expected a pandas DataFrame in the tidy trade schema, got {type(trade).__name__}",
            file=name,
        )
    missing = [c for c in columns if c not in trade.columns]
    if missing:
        raise PotashDataError(
            f"missing column(s) {missing}; the table has {list(trade.columns)}. Build it with "
            "potash.load_trade() (tidy schema: year, period, reporter_iso3, partner_iso3, flow, "
            "product, quantity_t, value_usd, ...)",
            file=name,
            column=missing[0],
        )
    return trade


def _period_col(df: pd.DataFrame) -> pd.Series:
    if "period" in df.columns:
        return df["period"].astype("string").fillna(df["year"].astype("string"))
    return df["year"].astype("string")


def _bilateral(trade: Any, measures: list[str], exporter: str,
               products: str | Sequence[str] | None) -> pd.DataFrame:
    """The bilateral rows of ``products`` with a ``period`` column; ``exporter`` must be a
    reporter or partner of the table (else a PotashDataError naming it)."""
    df = _require(trade, ["year", "reporter_iso3", "partner_iso3", "flow", "product", *measures])
    df = _select_products(df, products)
    df = df.assign(period=_period_col(df))
    known = set(df["reporter_iso3"].astype(str)) | set(df["partner_iso3"].astype(str))
    if exporter not in known:
        raise PotashDataError(
            f"exporter {exporter!r} is not in the table", file=_TABLE, column="reporter_iso3"
        )
    return df


def _select_products(df: pd.DataFrame, products: str | Sequence[str] | None) -> pd.DataFrame:
    available = sorted(df["product"].dropna().astype(str).unique())
    if products is None:
        return df
    wanted = [products] if isinstance(products, str) else list(products)
    unknown = [p for p in wanted if p not in available]
    if unknown:
        raise PotashDataError(
            f"product(s) {unknown} not in the table; available: {available}",
            file=_TABLE,
            column="product",
        )
    return df[df["product"].isin(wanted)]


def _check_years(df: pd.DataFrame, years: Iterable[int] | None, what: str) -> None:
    if years is None:
        return
    have = sorted(int(y) for y in df["year"].unique())
    missing = [int(y) for y in years if int(y) not in have]
    if missing:
        shown = have if len(have) <= 6 else [*have[:3], "...", *have[-3:]]
        raise PotashDataError(
            f"no {what} data for year(s) {missing}; years with data: {shown}",
            file=_TABLE,
            column="year",
        )


def _check_duplicates(df: pd.DataFrame, keys: list[str]) -> None:
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        first = df.loc[dup, keys].iloc[0].to_dict()
        raise PotashDataError(
            f"{int(dup.sum())} duplicated rows for the same {keys} (first: {first}); adding "
            "them would double count (Comtrade breakdown rows? keep motCode 0 totals only)",
            file=_TABLE,
            row=str(df.index[dup][0]),
        )


# --------------------------------------------------------------------------- shares
class MarketShares(ResultsBase):
    """Shares of a world total summed over countries (result of :func:`market_shares`).

    Attributes
    ----------
    table : DataFrame
        One row per year, period, product and country: ``value``, ``world_total``, ``share``.
    world : DataFrame
        One row per year, period and product: ``world_total``, ``n_countries`` and
        ``countries`` (the sorted codes that were summed).
    excluded : DataFrame
        Rows not summed, with a ``reason`` column.
    """

    _title = "Market shares (world total = sum over countries)"

    def __init__(
        self,
        table: pd.DataFrame,
        world: pd.DataFrame,
        excluded: pd.DataFrame,
        *,
        flow: str,
        measure: str,
        by: str,
    ) -> None:
        self._table = table
        self._world = world
        self._excluded = excluded
        self.flow = flow
        self.measure = measure
        self.by = by

    @property
    def table(self) -> pd.DataFrame:
        """Country rows with value, world total and share (copy)."""
        return self._table.copy()

    @property
    def world(self) -> pd.DataFrame:
        """World totals per year and the countries summed (copy)."""
        return self._world.copy()

    @property
    def excluded(self) -> pd.DataFrame:
        """Rows that were not summed and why (copy)."""
        return self._excluded.copy()

    def share_of(self, country: str, product: str | None = None) -> pd.Series:
        """Share of one country by year (0..1); raises if the country never appears.

        Examples
        --------
        >>> t = pd.DataFrame({"year": [2021, 2021], "reporter_iso3": ["BLR", "CAN"],
        ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
        ...     "quantity_t": [1.0, 3.0]})
        >>> market_shares(t).share_of("BLR").tolist()
        [0.25]
        """
        rows = self._table[self._table[self.by] == country]
        if product is not None:
            rows = rows[rows["product"] == product]
        elif rows["product"].nunique() > 1:
            raise ValueError(
                f"share_of: the table has several products {sorted(rows['product'].unique())};"
                " pass product=..."
            )
        if rows.empty:
            raise PotashDataError(
                f"{country!r} has no rows; countries: {sorted(self._table[self.by].unique())}",
                file=_TABLE,
                column=self.by,
            )
        return rows.set_index("year")["share"].rename(country)

    def summary_frame(self) -> pd.DataFrame:
        """World totals per year with the number of countries summed.

        Examples
        --------
        >>> t = pd.DataFrame({"year": [2021, 2021], "reporter_iso3": ["BLR", "CAN"],
        ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
        ...     "quantity_t": [1.0, 3.0]})
        >>> print(market_shares(t).summary.as_text().splitlines()[0].strip())
        Market shares (world total = sum over countries)
        """
        return self._world[["year", "period", "product", "world_total", "n_countries"]]

    def _notes(self) -> list[str]:
        unit = "tonnes" if self.measure == "quantity_t" else "US dollars"
        out = [f"{self.flow} {unit}; world total = sum over the country rows listed in .world"]
        if len(self._excluded):
            reasons = self._excluded["reason"].value_counts().sort_index()
            out.append("not summed: " + ", ".join(f"{n} rows {r}" for r, n in reasons.items()))
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Plot shares over time (see :func:`potash.figures.plot_market_share`)."""
        from potash.figures.market import plot_market_share

        return plot_market_share(self, ax=ax, **kwargs)


def market_shares(
    trade: pd.DataFrame,
    *,
    flow: Flow = "export",
    measure: Measure = "quantity_t",
    by: By = "reporter_iso3",
    products: str | Sequence[str] | None = None,
    years: Iterable[int] | None = None,
) -> MarketShares:
    """Each country's share of the world total, per year, period and product.

    The world total is the sum of the country rows (``partner_iso3 == "WLD"`` country totals
    when ``by="reporter_iso3"``; if the table has no such rows, bilateral rows are summed over
    partners first). Aggregate codes (:data:`AGGREGATE_CODES`) and rows with a missing measure
    are not summed and are listed in ``excluded``.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade table (``potash.load_trade``).
    flow : {"export", "import"}
        Which flow's rows to use.
    measure : {"quantity_t", "value_usd"}
        Tonnes or US dollars.
    by : {"reporter_iso3", "partner_iso3"}
        The country whose share is measured.
    products : str or list of str, optional
        Keep only these products (each product gets its own world total).
    years : iterable of int, optional
        Keep these years; a year with no data raises :class:`PotashDataError`.

    Returns
    -------
    MarketShares
        ``.table`` (country rows with ``value``, ``world_total``, ``share``), ``.world``
        (totals and the countries summed), ``.excluded``.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2021] * 3, "reporter_iso3": ["BLR", "CAN", "WLD"],
    ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [1.0, 3.0, 99.0]})
    >>> ms = market_shares(t)
    >>> ms.world[["world_total", "n_countries", "countries"]].values.tolist()
    [[4.0, 2, 'BLR CAN']]
    >>> ms.excluded["reason"].tolist()
    ['aggregate code, not a country']
    """
    check_option("flow", flow, Flow)
    check_option("measure", measure, Measure)
    check_option("by", by, By)
    df = _require(trade, ["year", "reporter_iso3", "partner_iso3", "flow", "product", measure])
    df = df[df["flow"] == flow]
    if df.empty:
        raise PotashDataError(
            f"no rows with flow == {flow!r}; flows present: "
            f"{sorted(trade['flow'].dropna().unique())}",
            file=_TABLE,
            column="flow",
        )
    df = _select_products(df, products)
    if years is not None:
        years = [int(y) for y in years]
        _check_years(df, years, flow)
        df = df[df["year"].astype(int).isin(years)]
    df = df.assign(period=_period_col(df), year=df["year"].astype(int))
    other = "partner_iso3" if by == "reporter_iso3" else "reporter_iso3"

    excluded = []
    is_agg = df[by].astype(str).isin(AGGREGATE_CODES) | df[by].isna()
    excluded.append(df[is_agg].assign(reason="aggregate code, not a country"))
    df = df[~is_agg]
    totals = df[df[other] == "WLD"]
    if totals.empty:  # bilateral only: sum over partners (excluding aggregates as partners)
        bil = df[~df[other].astype(str).isin(AGGREGATE_CODES)]
        excluded.append(
            df[df[other].astype(str).isin(AGGREGATE_CODES)].assign(reason="aggregate partner")
        )
        totals = bil.groupby(["year", "period", "product", by], as_index=False, sort=True).agg(
            **{measure: (measure, lambda s: s.sum(min_count=1))}
        )
    else:
        excluded.append(df[df[other] != "WLD"].assign(reason="bilateral row; country totals used"))
    missing = totals[measure].isna()
    excluded.append(totals[missing].assign(reason=f"missing {measure}"))
    totals = totals[~missing]
    keys = ["year", "period", "product", by]
    _check_duplicates(totals, keys)
    infinite = ~np.isfinite(totals[measure].to_numpy(dtype=float))
    if infinite.any():
        bad = totals[infinite].iloc[0]
        raise PotashDataError(
            f"non-finite {measure} {bad[measure]} for {bad[by]} in {bad['year']}",
            file=_TABLE,
            column=measure,
            row=str(totals.index[infinite][0]),
        )
    negative = totals[measure] < 0
    if negative.any():
        raise PotashDataError(
            f"negative {measure} {totals.loc[negative, measure].iloc[0]}",
            file=_TABLE,
            column=measure,
            row=str(totals.index[negative][0]),
        )
    if totals.empty:
        raise PotashDataError(
            f"no country rows with a {measure} for flow {flow!r}", file=_TABLE, column=measure
        )

    table = totals[keys + [measure]].rename(columns={measure: "value"}).copy()
    table["value"] = table["value"].astype(float)
    grp = table.groupby(["year", "period", "product"], sort=True)
    table["world_total"] = grp["value"].transform("sum")
    if (table["world_total"] <= 0).any():
        bad = table.loc[table["world_total"] <= 0, ["year", "product"]].iloc[0].to_dict()
        raise PotashDataError(f"world total is zero for {bad}", file=_TABLE, column=measure)
    table["share"] = table["value"] / table["world_total"]
    table = table.sort_values(
        ["product", "year", "period", "share", by], ascending=[True, True, True, False, True]
    ).reset_index(drop=True)
    world = (
        table.groupby(["year", "period", "product"], sort=True)
        .agg(
            world_total=("value", "sum"),
            n_countries=(by, "size"),
            countries=(by, lambda s: " ".join(sorted(s.astype(str)))),
        )
        .reset_index()
    )
    exc = (
        pd.concat([e for e in excluded if not e.empty], ignore_index=True)
        if any(not e.empty for e in excluded)
        else pd.DataFrame(columns=[*df.columns, "reason"])
    )
    return MarketShares(table, world, exc, flow=flow, measure=measure, by=by)


def import_shares(
    trade: pd.DataFrame,
    *,
    measure: Measure = "quantity_t",
    products: str | Sequence[str] | None = None,
    years: Iterable[int] | None = None,
) -> MarketShares:
    """Each importer's share of world imports, from country totals (``partner_iso3 == "WLD"``).

    Same conventions as :func:`market_shares` with ``flow="import"``.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2022, 2022], "reporter_iso3": ["BRA", "USA"],
    ...     "partner_iso3": "WLD", "flow": "import", "product": "potassium_chloride",
    ...     "quantity_t": [12.0, 4.0]})
    >>> import_shares(t).table["share"].tolist()
    [0.75, 0.25]
    """
    return market_shares(
        trade, flow="import", measure=measure, by="reporter_iso3", products=products, years=years
    )


def _as_share_table(shares: MarketShares | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(shares, MarketShares):
        return shares.table, shares.by
    df = _require(shares, ["year", "share"], name="shares table")
    by = next((c for c in ("reporter_iso3", "partner_iso3", "country") if c in df.columns), None)
    if by is None:
        raise PotashDataError(
            "needs a country column (reporter_iso3, partner_iso3 or country)", file="shares table"
        )
    df = df.copy()
    for col, default in (("period", None), ("product", "all")):
        if col not in df.columns:
            df[col] = df["year"].astype(str) if default is None else default
    return df, by


def hhi(shares: MarketShares | pd.DataFrame) -> pd.DataFrame:
    """Herfindahl-Hirschman index (0..10,000) per year, with the number of countries behind it.

    ``HHI = sum_i (100 * s_i)^2`` over the countries with a positive share.

    Parameters
    ----------
    shares : MarketShares or DataFrame
        Output of :func:`market_shares`, or a frame with ``year``, ``share`` (0..1) and a
        country column; the shares of each year must sum to 1.

    Returns
    -------
    DataFrame
        ``year, period, product, hhi, n_countries``.

    Examples
    --------
    >>> s = pd.DataFrame({"year": [2021, 2021, 2022], "country": ["A", "B", "A"],
    ...                   "share": [0.5, 0.5, 1.0]})
    >>> hhi(s)[["year", "hhi", "n_countries"]].to_dict("list")
    {'year': [2021, 2022], 'hhi': [5000.0, 10000.0], 'n_countries': [2, 1]}
    """
    df, by = _as_share_table(shares)
    if not pd.api.types.is_numeric_dtype(df["share"]) or pd.api.types.is_bool_dtype(df["share"]):
        num = pd.to_numeric(df["share"], errors="coerce")
        bad = num.isna() & df["share"].notna()
        if bad.any() or pd.api.types.is_bool_dtype(df["share"]):
            row = df.index[bad.to_numpy()][0] if bad.any() else df.index[0]
            raise PotashDataError(
                f"not a number: {df['share'].loc[row]!r}",
                file="shares table",
                column="share",
                row=str(row),
            )
        df = df.assign(share=num.astype(float))
    dup = df.duplicated(["year", "period", "product", by], keep=False)
    if dup.any():
        first = df.loc[dup].iloc[0]
        raise PotashDataError(
            f"country {first[by]!r} appears {int(dup.sum())} times in year {first['year']} "
            f"(product {first['product']!r}): one row per country and year, or its share would "
            "count twice",
            file="shares table",
            column=by,
            row=str(df.index[dup][0]),
        )
    if df["share"].isna().any() or (df["share"] < 0).any() or (df["share"] > 1 + 1e-9).any():
        row = df.index[df["share"].isna() | (df["share"] < 0) | (df["share"] > 1 + 1e-9)][0]
        raise PotashDataError(
            "shares must be numbers in 0..1", file="shares table", column="share", row=str(row)
        )
    keys = ["year", "period", "product"]
    sums = df.groupby(keys)["share"].sum()
    off = sums[(sums - 1).abs() > 1e-6]
    if len(off):
        raise PotashDataError(
            f"shares of {off.index[0]} sum to {off.iloc[0]:.6f}, not 1: pass the complete "
            "market (market_shares output)",
            file="shares table",
            column="share",
        )
    pos = df[df["share"] > 0]
    out = (
        pos.assign(sq=(100.0 * pos["share"]) ** 2)
        .groupby(keys, sort=True)
        .agg(hhi=("sq", "sum"), n_countries=(by, "size"))
        .reset_index()
    )
    return out


def share_shift(
    trade: pd.DataFrame,
    base_year: int,
    years: int | Iterable[int],
    *,
    flow: Flow = "export",
    measure: Measure = "quantity_t",
    products: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Who replaced whom: change of each country's share and volume against a base year.

    Countries present in only one of the two years count with share 0 in the other (column
    ``in_base``/``in_year`` says which), so the share changes sum to zero across countries.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade table.
    base_year : int
        The reference year (e.g. 2021).
    years : int or iterable of int
        The later years.
    flow, measure, products
        As in :func:`market_shares`.

    Returns
    -------
    DataFrame
        ``product, base_year, year, <country>, value_base, value_year, value_change,
        share_base, share_year, share_change, share_change_pp, in_base, in_year``.

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2021, 2021, 2022, 2022], "reporter_iso3": ["BLR", "CAN"] * 2,
    ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [2.0, 2.0, 1.0, 3.0]})
    >>> share_shift(t, 2021, [2022])[["reporter_iso3", "share_change_pp"]].values.tolist()
    [['CAN', 25.0], ['BLR', -25.0]]
    """
    years_l = [int(years)] if isinstance(years, (int, np.integer)) else [int(y) for y in years]
    if not years_l:
        raise ValueError("years: give at least one year to compare with base_year")
    ms = market_shares(
        trade, flow=flow, measure=measure, products=products, years=[int(base_year), *years_l]
    )
    tab = ms.table
    by = ms.by
    if tab["period"].ne(tab["year"].astype(str)).any():
        raise PotashDataError(
            "share_shift compares calendar years; the table has sub-annual periods "
            f"{sorted(tab.loc[tab['period'] != tab['year'].astype(str), 'period'].unique())[:5]}",
            file=_TABLE,
            column="period",
        )
    base = tab[tab["year"] == int(base_year)][["product", by, "value", "share"]]
    out = []
    for y in years_l:
        cur = tab[tab["year"] == y][["product", by, "value", "share"]]
        m = base.merge(
            cur, on=["product", by], how="outer", suffixes=("_base", "_year"), indicator=True
        )
        m["in_base"] = m["_merge"] != "right_only"
        m["in_year"] = m["_merge"] != "left_only"
        m = m.drop(columns="_merge")
        for c in ("value_base", "value_year", "share_base", "share_year"):
            m[c] = m[c].fillna(0.0)
        m.insert(1, "base_year", int(base_year))
        m.insert(2, "year", y)
        out.append(m)
    res = pd.concat(out, ignore_index=True)
    res["value_change"] = res["value_year"] - res["value_base"]
    res["share_change"] = res["share_year"] - res["share_base"]
    res["share_change_pp"] = 100.0 * res["share_change"]
    cols = [
        "product",
        "base_year",
        "year",
        by,
        "value_base",
        "value_year",
        "value_change",
        "share_base",
        "share_year",
        "share_change",
        "share_change_pp",
        "in_base",
        "in_year",
    ]
    return (
        res[cols]
        .sort_values(["product", "year", "share_change", by], ascending=[True, True, False, True])
        .reset_index(drop=True)
    )


# --------------------------------------------------------------------------- unit values
class UnitValues(ResultsBase):
    """Unit values (USD per tonne) and an exporter's discount (result of :func:`unit_values`).

    Attributes
    ----------
    table : DataFrame
        ``year, period, product, reporter_iso3, partner_iso3, value_usd, quantity_t,
        unit_value`` (USD/t); ``partner_iso3 == "WLD"`` rows are exporter totals, others
        bilateral (by destination).
    world : DataFrame
        World average unit value per year: total value / total quantity over the countries
        that report both.
    discount : DataFrame
        ``year, period, product, exporter, benchmark, uv_exporter, uv_benchmark, gap_usd_t,
        discount_pct`` (negative = the exporter sells below the benchmark).
    excluded : DataFrame
        Rows without both value and quantity > 0, with the reason.
    """

    _title = "Unit values (USD per tonne)"

    def __init__(self, table, world, discount, excluded, exporter):
        self._table, self._world, self._discount = table, world, discount
        self._excluded, self.exporter = excluded, exporter

    table = property(lambda self: self._table.copy(), doc="Unit values by country (copy).")
    world = property(lambda self: self._world.copy(), doc="World average unit value (copy).")
    discount = property(lambda self: self._discount.copy(), doc="Exporter discount (copy).")
    excluded = property(lambda self: self._excluded.copy(), doc="Rows not used (copy).")

    def summary_frame(self) -> pd.DataFrame:
        """The discount table."""
        return self._discount

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Plot the unit-value gap (see :func:`potash.figures.plot_unit_value_gap`)."""
        from potash.figures.market import plot_unit_value_gap

        return plot_unit_value_gap(self, ax=ax, **kwargs)


def unit_values(
    trade: pd.DataFrame,
    *,
    exporter: str = "BLR",
    benchmarks: Sequence[str] = ("CAN", "world"),
    flow: Flow = "export",
    products: str | Sequence[str] | None = None,
) -> UnitValues:
    """USD per tonne by exporter and year (and by destination where bilateral) and a discount.

    ``unit_value = value_usd / quantity_t`` on rows with both > 0. The world average is the sum
    of values over the sum of quantities of the countries with both (country totals only).
    The discount of ``exporter`` against each benchmark is ``uv_exporter / uv_benchmark - 1``.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade table with ``value_usd`` and ``quantity_t``.
    exporter : str
        ISO3 code of the exporter whose discount is measured.
    benchmarks : sequence of str
        ISO3 codes and/or ``"world"`` (the world average).
    flow : {"export", "import"}
        Exports (FOB) or imports (CIF); never mixed.
    products : str or list of str, optional
        Keep these products.

    Returns
    -------
    UnitValues

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2022] * 3, "reporter_iso3": ["BLR", "CAN", "RUS"],
    ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [10.0, 10.0, 20.0], "value_usd": [4000.0, 5000.0, 9000.0]})
    >>> uv = unit_values(t)
    >>> uv.discount[["benchmark", "uv_exporter", "uv_benchmark", "discount_pct"]].round(2).values.tolist()
    [['CAN', 400.0, 500.0, -20.0], ['world', 400.0, 450.0, -11.11]]
    """
    check_option("flow", flow, Flow)
    df = _require(
        trade,
        ["year", "reporter_iso3", "partner_iso3", "flow", "product", "quantity_t", "value_usd"],
    )
    df = _select_products(df[df["flow"] == flow], products)
    df = df.assign(period=_period_col(df), year=df["year"].astype(int))
    df = df[~df["reporter_iso3"].astype(str).isin(AGGREGATE_CODES)]
    ok = (df["quantity_t"] > 0) & (df["value_usd"] > 0)
    excluded = df[~ok].assign(reason="needs value_usd > 0 and quantity_t > 0")
    df = df[ok]
    keys = ["year", "period", "product", "reporter_iso3", "partner_iso3"]
    _check_duplicates(df, keys)
    table = df[keys + ["value_usd", "quantity_t"]].copy()
    table["unit_value"] = table["value_usd"] / table["quantity_t"]
    table = table.sort_values(keys).reset_index(drop=True)
    totals = table[table["partner_iso3"] == "WLD"]
    if exporter not in set(totals["reporter_iso3"]):
        raise PotashDataError(
            f"exporter {exporter!r} has no {flow} totals with value and quantity; exporters: "
            f"{sorted(totals['reporter_iso3'].unique())}",
            file=_TABLE,
            column="reporter_iso3",
        )
    gk = ["year", "period", "product"]
    world = totals.groupby(gk, sort=True).agg(
        value_usd=("value_usd", "sum"),
        quantity_t=("quantity_t", "sum"),
        n_countries=("reporter_iso3", "size"),
    )
    world["unit_value"] = world["value_usd"] / world["quantity_t"]
    world = world.reset_index()
    ex = totals[totals["reporter_iso3"] == exporter][gk + ["unit_value"]]
    parts = []
    for b in benchmarks:
        if b == "world":
            ref = world[gk + ["unit_value"]]
        else:
            ref = totals[totals["reporter_iso3"] == b][gk + ["unit_value"]]
            if ref.empty:
                raise PotashDataError(
                    f"benchmark {b!r} has no {flow} totals with value and quantity",
                    file=_TABLE,
                    column="reporter_iso3",
                )
        m = ex.merge(ref, on=gk, suffixes=("_exporter", "_benchmark"))
        m.insert(3, "exporter", exporter)
        m.insert(4, "benchmark", b)
        parts.append(m)
    disc = pd.concat(parts, ignore_index=True).rename(
        columns={"unit_value_exporter": "uv_exporter", "unit_value_benchmark": "uv_benchmark"}
    )
    disc["gap_usd_t"] = disc["uv_exporter"] - disc["uv_benchmark"]
    disc["discount_pct"] = 100.0 * disc["gap_usd_t"] / disc["uv_benchmark"]
    disc = disc.sort_values(["product", "year", "period", "benchmark"]).reset_index(drop=True)
    return UnitValues(table, world, disc, excluded, exporter)


# --------------------------------------------------------------------------- buyers, mirrors
def _period_bounds(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``period_start``/``period_end`` (from the table or parsed from ``period``)."""
    df = df.copy()
    if "period_start" in df.columns and "period_end" in df.columns:
        df["period_start"] = pd.to_datetime(df["period_start"])
        df["period_end"] = pd.to_datetime(df["period_end"])
    else:
        bounds = [period_bounds(p) for p in df["period"]]
        df["period_start"] = pd.to_datetime([b[0] for b in bounds])
        df["period_end"] = pd.to_datetime([b[1] for b in bounds])
    if df["period_start"].isna().any():
        row = df.index[df["period_start"].isna()][0]
        raise PotashDataError(
            f"cannot read period {df.loc[row, 'period']!r}",
            file=_TABLE,
            column="period",
            row=str(row),
        )
    df["n_months"] = (
        (df["period_end"].dt.year - df["period_start"].dt.year) * 12
        + df["period_end"].dt.month
        - df["period_start"].dt.month
        + 1
    )
    return df


def buyer_mix(
    trade: pd.DataFrame,
    exporter: str = "BLR",
    *,
    measure: Measure = "quantity_t",
    products: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Destination shares of one exporter, per period, where bilateral data exist.

    Uses export rows of ``exporter`` to named partners and, for destinations it does not
    report, import rows of partners from ``exporter`` (column ``side`` says which; the two are
    never mixed for the same destination and period). Shares are computed within one period
    (same start and end): periods of different length are never added. ``share_listed`` is the
    share among the destinations listed for that period; ``share_total`` is the share of the
    exporter's own world total for exactly that period, where the table has one.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade table with bilateral rows (Comtrade, BACI or the curated table).
    exporter : str
        ISO3 code.
    measure : {"quantity_t", "value_usd"}
    products : str or list of str, optional

    Returns
    -------
    DataFrame
        ``product, period, period_start, period_end, n_months, destination, side, value,
        listed_total, share_listed, exporter_total, share_total, n_destinations``.

    Examples
    --------
    >>> t = pd.DataFrame({"year": 2021, "period": ["2021", "2021", "2021-Q1"],
    ...     "reporter_iso3": ["BLR", "BLR", "CHN"], "partner_iso3": ["CHN", "IND", "BLR"],
    ...     "flow": ["export", "export", "import"], "product": "potassium_chloride",
    ...     "quantity_t": [3.0, 1.0, 0.5]})
    >>> buyer_mix(t)[["period", "destination", "share_listed"]].values.tolist()
    [['2021-Q1', 'CHN', 1.0], ['2021', 'CHN', 0.75], ['2021', 'IND', 0.25]]
    """
    check_option("measure", measure, Measure)
    df = _bilateral(trade, [measure], exporter, products)
    df = df[df[measure].notna()]
    exp = df[(df["flow"] == "export") & (df["reporter_iso3"] == exporter)]
    own_total = exp[exp["partner_iso3"] == "WLD"]
    exp = exp[~exp["partner_iso3"].astype(str).isin(AGGREGATE_CODES)].assign(
        destination=lambda d: d["partner_iso3"], side="exporter-reported"
    )
    imp = df[
        (df["flow"] == "import")
        & (df["partner_iso3"] == exporter)
        & ~df["reporter_iso3"].astype(str).isin(AGGREGATE_CODES)
    ].assign(destination=lambda d: d["reporter_iso3"], side="importer-reported")
    exp, imp = _period_bounds(exp), _period_bounds(imp)
    pk = ["product", "period_start", "period_end", "destination"]
    if not exp.empty and not imp.empty:
        imp = imp.merge(exp[pk].drop_duplicates(), on=pk, how="left", indicator=True)
        imp = imp[imp["_merge"] == "left_only"].drop(columns="_merge")
    rows = pd.concat([exp, imp], ignore_index=True)
    dup_keys = ["product", "period_start", "period_end", "destination", "side"]
    dup = rows.duplicated(dup_keys, keep=False)
    if dup.any():
        first = rows.loc[dup, ["product", "period", "destination", "side"]].iloc[0].to_dict()
        raise PotashDataError(
            f"{int(dup.sum())} rows give the same flow and period (first: {first}), e.g. two "
            "sources for one corridor (curated duplicate_group): choose one, never add them",
            file=_TABLE,
            column="partner_iso3",
        )
    if rows.empty:
        raise PotashDataError(
            f"no bilateral rows for exporter {exporter!r} (only country totals?)",
            file=_TABLE,
            column="partner_iso3",
        )
    rows = rows.groupby(
        ["product", "period", "period_start", "period_end", "n_months", "destination", "side"],
        as_index=False,
        sort=True,
    )[measure].sum()
    rows = rows.rename(columns={measure: "value"})
    gk = ["product", "period_start", "period_end"]
    rows["listed_total"] = rows.groupby(gk)["value"].transform("sum")
    rows["share_listed"] = rows["value"] / rows["listed_total"]
    rows["n_destinations"] = rows.groupby(gk)["value"].transform("size")
    if not own_total.empty:
        ot = _period_bounds(own_total).groupby(gk, as_index=False)[measure].sum()
        rows = rows.merge(ot.rename(columns={measure: "exporter_total"}), on=gk, how="left")
    else:
        rows["exporter_total"] = np.nan
    rows["share_total"] = rows["value"] / rows["exporter_total"]
    return rows.sort_values(
        ["product", "period_start", "period_end", "value", "destination"],
        ascending=[True, True, True, False, True],
    ).reset_index(drop=True)


def mirror_flows(
    trade: pd.DataFrame,
    exporter: str,
    *,
    cif_fob: float,
    products: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rebuild an exporter's bilateral exports from partners' imports where it did not report.

    For every product, period and destination, the exporter's own export row is kept if it
    exists (``mirrored == False``); otherwise the destination's import row from the exporter is
    turned into an export row: same tonnes, ``value_usd = import value * cif_fob``,
    ``flag = "mirror"``, ``mirrored == True``. The same flow is never given both values.

    Parameters
    ----------
    trade : DataFrame
        Tidy trade table with bilateral rows.
    exporter : str
        ISO3 code (e.g. ``"BLR"``, which stopped reporting detailed trade after 2021).
    cif_fob : float
        FOB/CIF ratio applied to mirrored values (e.g. ``1 / 1.1`` for a 10% CIF margin). Must
        be given explicitly, in (0, 1].
    products : str or list of str, optional

    Returns
    -------
    DataFrame
        Tidy trade rows (``flow == "export"``, ``reporter_iso3 == exporter``) plus
        ``mirrored`` (bool), ``cif_fob`` (factor used, NaN on reported rows),
        ``value_usd_cif`` (the partner's CIF value on mirrored rows) and
        ``overlaps_reported`` (a mirrored row whose period overlaps a reported row of the same
        destination, e.g. January-August against Q1: never add the two).

    Examples
    --------
    >>> t = pd.DataFrame({"year": [2021, 2022], "period": ["2021", "2022"],
    ...     "reporter_iso3": ["BLR", "BRA"], "partner_iso3": ["BRA", "BLR"],
    ...     "flow": ["export", "import"], "product": "potassium_chloride",
    ...     "quantity_t": [10.0, 8.0], "value_usd": [2000.0, 4400.0]})
    >>> m = mirror_flows(t, "BLR", cif_fob=1 / 1.1)
    >>> m[["year", "partner_iso3", "value_usd", "mirrored"]].values.tolist()
    [[2021, 'BRA', 2000.0, False], [2022, 'BRA', 4000.0, True]]
    """
    if not isinstance(cif_fob, (int, float, np.floating)) or not (0 < float(cif_fob) <= 1):
        raise ValueError(f"cif_fob={cif_fob!r}: give the FOB/CIF ratio, a number in (0, 1]")
    df = _bilateral(trade, ["quantity_t", "value_usd"], exporter, products)
    keys = ["product", "year", "period", "destination"]
    rep = df[
        (df["flow"] == "export")
        & (df["reporter_iso3"] == exporter)
        & ~df["partner_iso3"].astype(str).isin(AGGREGATE_CODES)
    ]
    rep = rep.assign(
        destination=rep["partner_iso3"], mirrored=False, cif_fob=np.nan, value_usd_cif=np.nan
    )
    imp = df[
        (df["flow"] == "import")
        & (df["partner_iso3"] == exporter)
        & ~df["reporter_iso3"].astype(str).isin(AGGREGATE_CODES)
    ]
    imp = imp.assign(destination=imp["reporter_iso3"])
    _check_duplicates(rep, keys)
    _check_duplicates(imp, keys)
    for part, who in ((rep, "reporter_iso3"), (imp, "reporter_iso3")):
        for col in ("quantity_t", "value_usd"):
            v = pd.to_numeric(part[col], errors="coerce").to_numpy(dtype=float)
            bad = np.isinf(v) | (v < 0)
            if col == "value_usd":
                bad |= np.isnan(v)  # a mirrored value of NaN would be silently missing
            if bad.any():
                row = part.iloc[int(np.flatnonzero(bad)[0])]
                raise PotashDataError(
                    f"{'missing' if np.isnan(v[bad][0]) else 'impossible'} {col} "
                    f"{float(v[bad][0])} for {row[who]} "
                    f"({row['flow']} with {row['partner_iso3']}) in {row['period']}: "
                    "mirror flows need finite, non-negative values",
                    file=_TABLE,
                    column=col,
                    row=str(part.index[int(np.flatnonzero(bad)[0])]),
                )
    have = imp.merge(rep[keys], on=keys, how="left", indicator=True)["_merge"].eq("both")
    mir = imp[~have.to_numpy()].copy()
    mir["value_usd_cif"] = mir["value_usd"]
    mir["value_usd"] = mir["value_usd"] * float(cif_fob)
    mir["reporter_iso3"], mir["partner_iso3"] = exporter, mir["destination"]
    mir["flow"] = "export"
    mir["flag"] = "mirror"
    mir["mirrored"] = True
    mir["cif_fob"] = float(cif_fob)
    if "source" in mir.columns:
        mir["source"] = "mirror:" + mir["source"].astype(str)
    # a mirrored period that overlaps a reported one (Jan-Aug vs Q1) is a different flow but
    # must not be added to it: say so on the row
    mir["overlaps_reported"] = False
    if not mir.empty and not rep.empty:
        mb = _period_bounds(mir)[["product", "destination", "period_start", "period_end"]]
        rb = _period_bounds(rep)[["product", "destination", "period_start", "period_end"]]
        pairs = mb.reset_index().merge(rb, on=["product", "destination"], suffixes=("", "_r"))
        hit = (pairs["period_start"] <= pairs["period_end_r"]) & (
            pairs["period_start_r"] <= pairs["period_end"]
        )
        mir.loc[pairs.loc[hit, "index"].unique(), "overlaps_reported"] = True
    rep["overlaps_reported"] = False
    out = pd.concat([rep, mir], ignore_index=True).drop(columns="destination")
    if out.empty:
        raise PotashDataError(
            f"no bilateral export or partner-import rows for {exporter!r}",
            file=_TABLE,
            column="partner_iso3",
        )
    return out.sort_values(["product", "year", "period", "partner_iso3"]).reset_index(drop=True)
