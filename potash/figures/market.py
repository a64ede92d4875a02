"""Figures of the market structure: shares, concentration, share shift, unit values, routes.

Every function takes ``ax=None`` (draws on a new styled figure otherwise on ``ax``), applies
:func:`potash_style` in a context manager and returns the Figure.
"""

from __future__ import annotations

import textwrap
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from potash.core.errors import PotashDataError
from potash.data.events import normalise_events
from potash.figures._style import add_source, mark_events, new_axes, potash_style

__all__ = [
    "plot_hhi",
    "plot_klaipeda_throughput",
    "plot_market_share",
    "plot_route_mix",
    "plot_share_shift",
    "plot_unit_value_gap",
]

_FAO = "FAOSTAT Fertilizers by Product (via agData); world = sum over countries"


def _key_events(events: object) -> pd.DataFrame:
    """The events to mark (with readable labels); none when ``events`` is None."""
    if events is None:
        return pd.DataFrame({"date": pd.Series([], dtype="datetime64[ns]"),
                             "label": pd.Series([], dtype=str)})
    return normalise_events(events).drop_duplicates("date")


def _mark(ax: Axes, events: pd.DataFrame | None) -> str:
    """Dashed lines at the key sanctions dates, numbered above the axes (the key of the
    numbers is written under the figure by ``add_source``); returns "" (kept for callers)."""
    ev = _key_events(events).sort_values("date")
    mark_events(ax, ev)
    return ""


def _year_dates(years: pd.Series) -> pd.DatetimeIndex:
    """Plot annual values at mid-year (1 July), so event dates fall inside their year."""
    return pd.to_datetime(years.astype(int).astype(str) + "-07-01")


def _time_axis_note(ax: Axes) -> None:
    ax.set_xlabel("year (annual values plotted at mid-year)")


def plot_market_share(
    shares: Any,
    countries: tuple[str, ...] = ("BLR", "CAN", "RUS"),
    *,
    events: pd.DataFrame | None = None,
    source: str = _FAO,
    ax: Axes | None = None,
) -> Figure:
    """Export shares over time of a few countries, with the sanctions dates marked.

    Parameters
    ----------
    shares : MarketShares (:func:`potash.market_shares`)
        Output of :func:`potash.market_shares` (one product).
    countries : tuple of str
        ISO3 codes to draw; each must be in the table.
    events : DataFrame, optional
        ``date`` (+ ``label``, ``type``), e.g. :func:`potash.headline_events`; None marks none.
    source : str
        Source line.
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import pandas as pd, potash
    >>> t = pd.DataFrame({"year": [2021, 2021, 2022, 2022], "reporter_iso3": ["BLR", "CAN"] * 2,
    ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [2.0, 2.0, 1.0, 3.0]})
    >>> fig = plot_market_share(potash.market_shares(t), countries=("BLR", "CAN"))
    >>> fig.axes[0].get_ylabel()
    'share of world exports (%)'
    """
    tab = shares.table
    if tab["product"].nunique() > 1:
        raise ValueError("plot_market_share: pass shares of one product (products=...)")
    by = shares.by
    unknown = [c for c in countries if c not in set(tab[by])]
    if unknown:
        raise PotashDataError(f"countries {unknown} not in the shares table", column=by)
    with potash_style():
        fig, ax = new_axes(ax)
        for c in countries:
            s = tab[tab[by] == c].sort_values("year")
            ax.plot(_year_dates(s["year"]), 100 * s["share"], marker="o", markersize=3, label=c)
        events_note = _mark(ax, events)
        what = "exports" if shares.flow == "export" else "imports"
        unit = "tonnes" if shares.measure == "quantity_t" else "US dollars"
        ax.set_ylabel(f"share of world {what} (%)")
        _time_axis_note(ax)
        ax.set_ylim(bottom=0)
        ax.set_title(f"Share of world {tab['product'].iloc[0].replace('_', ' ')} {what} ({unit})")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        add_source(fig, source + events_note)
    return fig


def plot_hhi(
    concentration: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    source: str = _FAO,
    ax: Axes | None = None,
) -> Figure:
    """The Herfindahl-Hirschman index path, with the number of countries and sanctions dates.

    Parameters
    ----------
    concentration : DataFrame
        Output of :func:`potash.hhi` (one product).
    events : DataFrame, optional
    source : str
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import pandas as pd, potash
    >>> s = pd.DataFrame({"year": [2021, 2021, 2022], "country": ["A", "B", "A"],
    ...                   "share": [0.5, 0.5, 1.0]})
    >>> fig = plot_hhi(potash.hhi(s))
    >>> fig.axes[0].get_ylabel()
    'HHI (0 to 10,000)'
    """
    if concentration["product"].nunique() > 1:
        raise ValueError("plot_hhi: pass the HHI of one product")
    h = concentration.sort_values("year")
    with potash_style():
        fig, ax = new_axes(ax)
        x = _year_dates(h["year"])
        ax.plot(x, h["hhi"], marker="o", markersize=3, color="#1f4e79", label="HHI")
        top = 1.08 * float(h["hhi"].max())
        # the number of countries in a row of its own at the foot of the axes, on two
        # alternating lines, kept clear of the HHI line by the lower y limit
        bottom = min(0.0, float(h["hhi"].min()) - 0.22 * top)
        ax.set_ylim(bottom, top)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 0 else ""))
        ax.axhspan(bottom, bottom + 0.16 * (top - bottom), color="#f2f2f2", lw=0, zorder=0)
        ax.text(0.0, 0.165, " countries (n):", transform=ax.transAxes, fontsize=6,
                color="#555555", va="bottom", ha="left")
        for i, (xi, n) in enumerate(zip(x, h["n_countries"], strict=True)):
            ax.text(
                xi,
                0.09 if i % 2 == 0 else 0.025,
                f"{n}",
                transform=ax.get_xaxis_transform(),
                fontsize=6,
                ha="center",
                va="bottom",
                color="#555555",
                gid="potash-hhi-n",
            )
        events_note = _mark(ax, events)
        ax.set_ylabel("HHI (0 to 10,000)")
        _time_axis_note(ax)
        ax.set_title("Concentration of exporters (Herfindahl-Hirschman index)")
        add_source(fig, source + "; n = countries with a positive share (grey row)" + events_note)
    return fig


def plot_share_shift(
    shift: pd.DataFrame,
    *,
    year: int | None = None,
    top: int = 10,
    source: str = _FAO,
    ax: Axes | None = None,
) -> Figure:
    """Who replaced whom: change of export shares (percentage points) against the base year.

    The ``top`` countries by absolute change are drawn; the rest are summed into "others" so
    the bars still add to zero.

    Parameters
    ----------
    shift : DataFrame
        Output of :func:`potash.share_shift`.
    year : int, optional
        Which comparison year (default: the last).
    top : int
    source : str
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import pandas as pd, potash
    >>> t = pd.DataFrame({"year": [2021, 2021, 2022, 2022], "reporter_iso3": ["BLR", "CAN"] * 2,
    ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [2.0, 2.0, 1.0, 3.0]})
    >>> fig = plot_share_shift(potash.share_shift(t, 2021, 2022))
    >>> fig.axes[0].get_xlabel()
    'change in share of world exports (percentage points)'
    """
    year = int(shift["year"].max()) if year is None else int(year)
    s = shift[shift["year"] == year]
    if s.empty:
        raise PotashDataError(f"no share shift for year {year}", column="year")
    by = next(c for c in ("reporter_iso3", "partner_iso3") if c in s.columns)
    s = s.reindex(s["share_change_pp"].abs().sort_values(ascending=False).index)
    head, rest = s.iloc[:top], s.iloc[top:]
    labels = head[by].tolist()
    vals = head["share_change_pp"].tolist()
    if len(rest):
        labels.append(f"{len(rest)} others")
        vals.append(float(rest["share_change_pp"].sum()))
    order = np.argsort(vals)
    with potash_style():
        fig, ax = new_axes(ax)
        colors = ["#2e8b57" if vals[i] >= 0 else "#c0392b" for i in order]
        ax.barh([labels[i] for i in order], [vals[i] for i in order], color=colors)
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlabel("change in share of world exports (percentage points)")
        ax.set_ylabel("exporter (ISO3)")
        ax.set_title(f"Who replaced whom: export shares {year} vs {int(s['base_year'].iloc[0])}")
        add_source(fig, source + "; bars sum to zero")
    return fig


def plot_unit_value_gap(
    uv: Any,
    *,
    events: pd.DataFrame | None = None,
    source: str = _FAO + "; unit value = export value / export quantity",
    ax: Axes | None = None,
) -> Figure:
    """Export unit values (USD/t) of the exporter and its benchmarks, gap shaded.

    Parameters
    ----------
    uv : UnitValues (:func:`potash.unit_values`)
        Output of :func:`potash.unit_values` (one product).
    events : DataFrame, optional
    source : str
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import pandas as pd, potash
    >>> t = pd.DataFrame({"year": [2021, 2021, 2022, 2022], "reporter_iso3": ["BLR", "CAN"] * 2,
    ...     "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
    ...     "quantity_t": [1.0, 1.0, 1.0, 1.0], "value_usd": [200.0, 250.0, 500.0, 700.0]})
    >>> fig = plot_unit_value_gap(potash.unit_values(t))
    >>> fig.axes[0].get_ylabel()
    'unit value (nominal US$ per tonne)'
    """
    d = uv.discount.sort_values("year")
    if d["product"].nunique() > 1:
        raise ValueError("plot_unit_value_gap: pass unit values of one product")
    with potash_style():
        fig, ax = new_axes(ax)
        first = d[d["benchmark"] == d["benchmark"].iloc[0]]
        x0 = _year_dates(first["year"])
        ax.plot(
            x0, first["uv_exporter"], marker="o", markersize=3, label=uv.exporter, color="#c0392b"
        )
        palette = ["#1f4e79", "#5d6d7e", "#2e8b57", "#6c3483"]
        for i, (b, g) in enumerate(d.groupby("benchmark", sort=True)):
            x = _year_dates(g["year"])
            name = "world average" if b == "world" else b
            color = palette[i % len(palette)]
            ax.plot(
                x,
                g["uv_benchmark"],
                marker="o",
                markersize=3,
                label=name,
                color=color,
                linestyle="-" if b != "world" else ":",
            )
            ax.fill_between(x, g["uv_exporter"], g["uv_benchmark"], alpha=0.08, color=color,
                            label=f"gap {uv.exporter} vs {name}")
        events_note = _mark(ax, events)
        ax.set_ylabel("unit value (nominal US$ per tonne)")
        _time_axis_note(ax)
        ax.set_title(f"Export unit values: {uv.exporter} against benchmarks")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        add_source(fig, source + events_note)
    return fig


def plot_klaipeda_throughput(
    cargo: pd.DataFrame,
    *,
    cutoff: str | pd.Timestamp = "2022-02-01",
    ax: Axes | None = None,
) -> Figure:
    """Port of Klaipeda annual cargo (total and fertilisers) before and after 2022-02-01.

    Bars are the annual ``level`` figures of :func:`potash.klaipeda_cargo` (one bar per year;
    when several releases print the same year, they agree and the figure is shown once with
    the number of releases). Years ending before ``cutoff`` are "before", the others "after"
    (2022 had one month of Belarusian potash, January).

    Parameters
    ----------
    cargo : DataFrame, optional
        Output of :func:`potash.klaipeda_cargo`.
    cutoff : date
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import potash
    >>> fig = plot_klaipeda_throughput(potash.klaipeda_cargo())
    >>> fig.axes[0].get_ylabel()
    'cargo handled (million tonnes)'
    """
    if not isinstance(cargo, pd.DataFrame):
        raise TypeError("cargo must be the table of potash.klaipeda_cargo()")
    k = cargo
    k = k[(k["measure"] == "level") & (k["n_months"] == 12) & (k["qualifier"] == "exact")]
    ann = (
        k.groupby(["cargo", "period"], sort=True)
        .agg(
            quantity_t=("quantity_t", "max"),
            low=("quantity_t", "min"),
            n=("url", "nunique"),
            period_end=("period_end", "first"),
        )
        .reset_index()
    )
    if (ann["quantity_t"] != ann["low"]).any():
        bad = ann[ann["quantity_t"] != ann["low"]].iloc[0]
        raise PotashDataError(
            f"releases disagree on {bad['cargo']} cargo {bad['period']}", column="quantity_t"
        )
    cutoff = pd.Timestamp(cutoff)
    tot = ann[ann["cargo"] == "total"].sort_values("period")
    fert = ann[ann["cargo"] == "fertilizer"].set_index("period")
    with potash_style():
        fig, ax = new_axes(ax)
        x = tot["period"].astype(int).to_numpy()  # calendar years on a numeric time axis
        before = (tot["period_end"] < cutoff).to_numpy()
        lo, hi = x.min() - 0.6, x.max() + 0.6
        edge = cutoff.year + (cutoff.day_of_year - 1) / 365.0 - 0.5  # the cutoff on the bar axis
        ax.axvspan(lo, min(edge, hi), color="#1f4e79", alpha=0.06, lw=0,
                   label=f"years before {cutoff.date()}")
        if edge < hi:
            ax.axvspan(edge, hi, color="#c0392b", alpha=0.06, lw=0,
                       label=f"{cutoff.year} and after")
        ax.bar(
            x[before],
            tot["quantity_t"][before] / 1e6,
            color="#1f4e79",
            width=0.6,
            label=f"total, before {cutoff.date()}",
        )
        ax.bar(
            x[~before],
            tot["quantity_t"][~before] / 1e6,
            color="#c0392b",
            width=0.6,
            label=f"total, {cutoff.year} and after",
        )
        fert_label = "fertilisers (Lithuanian producers only)"
        for xi, (_, r) in zip(x, tot.iterrows(), strict=True):
            ax.text(
                xi,
                r["quantity_t"] / 1e6,
                f"{r['quantity_t'] / 1e6:.1f}\n({r['n']} rel.)",
                ha="center",
                va="bottom",
                fontsize=6.5,
            )
            if r["period"] in fert.index:
                f = fert.loc[r["period"], "quantity_t"] / 1e6
                ax.bar(xi, f, width=0.3, color="#d68910", label=fert_label)
                fert_label = None
                ax.text(xi, f, f"{f:.2f}", ha="center", va="bottom", fontsize=6.5)
        ax.set_xlim(lo, hi)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
        ax.axvline(edge, color="#c0392b", linestyle="--", linewidth=0.9)
        ax.set_ylabel("cargo handled (million tonnes)")
        ax.set_xlabel("calendar year (gaps: no release prints the year)")
        ax.set_title("Port of Klaipeda cargo before and after Belarusian potash transit ended")
        ax.legend(loc="upper center", bbox_to_anchor=(0.45, 1.0), frameon=True, framealpha=0.9)
        ax.margins(y=0.15)
        add_source(
            fig,
            "Klaipeda State Seaport Authority press releases, figures extracted by "
            "potash.klaipeda_cargo (rel. = releases printing the figure)",
        )
    return fig


def plot_route_mix(
    mix: pd.DataFrame,
    *,
    ax: Axes | None = None,
) -> Figure:
    """Belarus's potash volumes by route, before and after 2022-02-01, each bar with its source.

    One bar per row of :func:`potash.route_mix` (nothing added or averaged: where two pages
    give a figure for the same route and year, both bars are shown). Bars of a year that more
    than one source page covers are hatched and marked "overlapping sources" (their volumes
    overlap and must not be added). Bars are numbered; the numbers are listed with the source
    site in the source line, and the full URL and quote are in the ``route_mix()`` table
    (returned on the figure as ``fig.potash_table``).

    Parameters
    ----------
    mix : DataFrame, optional
        Output of :func:`potash.route_mix` (sub-annual rows, from ``annual_only=False``, are
        labelled with their months and the axis reads "in the period").
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> import potash
    >>> fig = plot_route_mix(potash.route_mix())
    >>> fig.axes[0].get_xlabel()
    'volume (million tonnes per year)'
    >>> list(fig.potash_table.columns[:3])
    ['ref', 'period', 'n_months']
    """
    if not isinstance(mix, pd.DataFrame):
        raise TypeError("mix must be the table of potash.route_mix()")
    m = mix
    if m.empty:
        raise PotashDataError("no route rows to plot", file="route table")
    m = m.sort_values(["period", "route", "node"]).reset_index(drop=True)
    m.insert(0, "ref", np.arange(1, len(m) + 1))
    colors = {"before": "#1f4e79", "spanning": "#d68910", "after": "#c0392b"}
    with potash_style():
        fig, ax = new_axes(ax, figsize=(7.5, 0.35 * len(m) + 1.6))
        y = np.arange(len(m))[::-1]
        pages = m.groupby("period")["source_url"].transform("nunique")
        m["overlapping"] = (pages > 1).to_numpy()
        bars = ax.barh(y, m["quantity_t"] / 1e6, color=[colors[p] for p in m["phase"]])
        for bar, over in zip(bars, m["overlapping"], strict=True):
            if over:
                bar.set_hatch("///")
                bar.set_edgecolor("white")
        labels = [
            f"{r.period} {r.route}"
            + (f" ({r.n_months} mo.)" if r.n_months != 12 else "")
            + f" [{r.ref}]"
            for r in m.itertuples()
        ]
        ax.set_yticks(y, labels, fontsize=7)
        for yi, q, over in zip(y, m["quantity_t"], m["overlapping"], strict=True):
            note = "  (overlapping sources)" if over else ""
            ax.text(q / 1e6, yi, f" {q / 1e6:.1f}{note}", va="center", fontsize=6.5)
        ax.set_xlim(0, 1.35 * float(m["quantity_t"].max()) / 1e6)
        names = {
            "before": "before 2022-02-01",
            "spanning": "year spanning 2022-02-01",
            "after": "after 2022-02-01",
        }
        handles = [
            Patch(color=c, label=names[p]) for p, c in colors.items() if (m["phase"] == p).any()
        ]
        if m["overlapping"].any():
            handles.append(Patch(facecolor="#999999", edgecolor="white", hatch="///",
                                 label="overlapping sources\n(same year, several pages:\ndo not add)"))
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(1.0, 0.0))
        annual = bool((m["n_months"] == 12).all())
        ax.set_xlabel(
            "volume (million tonnes per year)" if annual else "volume (million tonnes in period)"
        )
        ax.set_ylabel("year, route [source ref]")
        ax.set_title("Belarusian potash by route (curated figures, one bar per source)")
        refs = "; ".join(f"[{r.ref}] {urlparse(r.source_url).netloc}" for r in m.itertuples())
        add_source(
            fig,
            textwrap.fill(
                "curated press and company figures (data/raw/bilateral_curated; the URL and "
                "quote of each bar are in the route table): " + refs,
                width=130,
            ),
        )
        fig.potash_table = m
    return fig
