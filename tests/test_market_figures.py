"""The market figures render under Agg, carry titles, unit labels and a source line, and save
byte-identically."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import potash
from potash.figures import (
    plot_hhi,
    plot_klaipeda_throughput,
    plot_market_share,
    plot_route_mix,
    plot_share_shift,
    plot_unit_value_gap,
    save_figure,
)

KCL = "potassium_chloride"


@pytest.fixture(scope="module")
def trade() -> pd.DataFrame:
    """Seeded synthetic exports of four countries, 2018-2024 (known shares)."""
    rows = []
    for y in range(2018, 2025):
        blr = 10.0 if y < 2022 else 4.0
        for c, q in (("BLR", blr), ("CAN", 20.0), ("RUS", 12.0 + (y >= 2022) * 3), ("ISR", 4.0)):
            rows.append((y, c, q, q * (250.0 if c == "BLR" and y >= 2022 else 300.0)))
    t = pd.DataFrame(rows, columns=["year", "reporter_iso3", "quantity_t", "value_usd"])
    return t.assign(partner_iso3="WLD", flow="export", product=KCL, period=t["year"].astype(str))


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts)


def _figures(trade):
    ms = potash.market_shares(trade)
    return {
        "share": plot_market_share(ms, events=potash.headline_events()),
        "hhi": plot_hhi(potash.hhi(ms)),
        "shift": plot_share_shift(potash.share_shift(trade, 2021, [2022, 2023])),
        "uv": plot_unit_value_gap(potash.unit_values(trade)),
        "klaipeda": plot_klaipeda_throughput(potash.klaipeda_cargo()),
        "routes": plot_route_mix(potash.route_mix()),
    }


def test_figures_render_with_labels_and_source(trade):
    figs = _figures(trade)
    try:
        for name, fig in figs.items():
            ax = fig.axes[0]
            assert ax.get_title(), name
            assert "(" in ax.get_ylabel() or "(" in ax.get_xlabel(), name  # units in a label
            assert "Source:" in _texts(fig), name
        # time charts mark the sanctions dates (dashed vertical lines at event dates)
        share_ax = figs["share"].axes[0]
        dashed = [ln for ln in share_ax.get_lines() if ln.get_linestyle() == "--"]
        assert len(dashed) >= 4
        # share-shift bars add to zero
        heights = [p.get_width() for p in figs["shift"].axes[0].patches]
        assert sum(heights) == pytest.approx(0.0, abs=1e-9)
        # route-mix: one bar per table row, every bar with url and quote
        table = figs["routes"].potash_table
        assert len(figs["routes"].axes[0].patches) == len(table)
        assert table["source_url"].notna().all() and table["quote"].notna().all()
        assert all(f"[{r}]" in _texts(figs["routes"]) for r in table["ref"])
    finally:
        for fig in figs.values():
            plt.close(fig)


def test_plot_on_given_axes(trade):
    fig, ax = plt.subplots()
    out = plot_hhi(potash.hhi(potash.market_shares(trade)), ax=ax)
    assert out is fig
    plt.close(fig)


def test_figures_save_deterministically(tmp_path):
    fig, ax = plt.subplots(figsize=(3.0, 2.0))  # small: 300-dpi PNG + PDF, twice
    plot_klaipeda_throughput(potash.klaipeda_cargo(), ax=ax)
    a = save_figure(fig, tmp_path / "klaipeda_a")
    b = save_figure(fig, tmp_path / "klaipeda_b")
    plt.close(fig)
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_plot_market_share_unknown_country(trade):
    with pytest.raises(potash.PotashDataError, match="XXX"):
        plot_market_share(potash.market_shares(trade), countries=("XXX",))
