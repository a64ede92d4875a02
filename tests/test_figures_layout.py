"""Figures read as a paper's figures: plain log ticks, readable numbered events, no colliding
labels, nothing clipped by a plain ``fig.savefig``, a real time axis for annual bars, and the
sanctions figure drawing the test the text reports (issue 13)."""

from __future__ import annotations

import io
import itertools
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.text import Text

import potash
from potash.analyses.overview import headline_events
from potash.estimators.breaks import bai_perron
from potash.estimators.its import price_event_study
from potash.figures import (
    plain_log_axis,
    plot_breaks,
    plot_hhi,
    plot_klaipeda_throughput,
    plot_market_share,
    plot_price_comparison,
    plot_price_history,
    plot_price_its,
    plot_route_mix,
)

matplotlib.use("Agg")
KCL = "potassium_chloride"
PLAIN = re.compile(r"^[0-9][0-9,]*(\.[0-9]+)?$")


def _prices() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    d = pd.date_range("2020-01-01", periods=72, freq="MS")
    out = []
    for s, lvl in ((KCL, 250.0), ("urea", 300.0), ("dap", 400.0)):
        v = lvl * np.exp(np.cumsum(rng.normal(0, 0.04, len(d))) + 1.2 * (d >= "2021-08-01"))
        out.append(pd.DataFrame({"date": d, "series": s, "value": v, "unit": "$/mt"}))
    return pd.concat(out, ignore_index=True)


def _trade(years=range(2002, 2024)) -> pd.DataFrame:
    rows = []
    for y in years:
        for i, c in enumerate(("BLR", "CAN", "RUS", "ISR", "JOR", "DEU", "CHL", "LAO")):
            q = 10.0 + 3 * i + (y % 3) + (c == "LAO") * (y - 2000)
            rows.append((y, c, q, q * 300.0))
    t = pd.DataFrame(rows, columns=["year", "reporter_iso3", "quantity_t", "value_usd"])
    return t.assign(partner_iso3="WLD", flow="export", product=KCL, period=t["year"].astype(str))


def _drawn(fig) -> object:
    """Save with a plain savefig (no bbox='tight', default rc) and return the renderer."""
    with matplotlib.rc_context({"savefig.bbox": None}):
        fig.savefig(io.BytesIO(), format="png", dpi=100)
    return fig.canvas.get_renderer()


def _texts(fig) -> list[Text]:
    """Visible texts other than tick labels (those are checked through the tight box)."""
    ticks = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            ticks |= {id(t) for t in axis.get_ticklabels(which="both")}
            ticks |= {id(t.label1) for t in axis.get_major_ticks() + axis.get_minor_ticks()}
            ticks |= {id(t.label2) for t in axis.get_major_ticks() + axis.get_minor_ticks()}
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in ticks]


def _inside(fig) -> list[str]:
    """Texts (and the tight box) that fall outside the figure after a plain savefig."""
    renderer = _drawn(fig)
    W, H = fig.bbox.width, fig.bbox.height
    bad = []
    for t in _texts(fig):
        b = t.get_window_extent(renderer)
        if b.x0 < -1 or b.y0 < -1 or b.x1 > W + 1 or b.y1 > H + 1:
            bad.append(t.get_text()[:40])
    tight = fig.get_tightbbox(renderer)
    dpi = fig.dpi
    if tight.x0 * dpi < -1 or tight.y0 * dpi < -1 or tight.x1 * dpi > W + 1 or (
        tight.y1 * dpi > H + 1
    ):
        bad.append(f"tight bbox {tight.bounds} outside {fig.get_size_inches()}")
    return bad


@pytest.fixture(scope="module")
def figures() -> dict[str, object]:
    p = _prices()
    ms = potash.market_shares(_trade())
    y = np.log(p[p["series"] == KCL].set_index("date")["value"]).rename(KCL)
    its = price_event_study(p, headline_events().iloc[:2], series=KCL)
    figs = {
        "comparison": plot_price_comparison(p, (KCL, "urea", "dap"), events=headline_events()),
        "history": plot_price_history(p, events=headline_events()),
        "its": plot_price_its(its),
        "breaks": plot_breaks(bai_perron(y, events=potash.load_events()),
                              events=headline_events()),
        "share": plot_market_share(ms, ("BLR", "CAN"), events=headline_events()),
        "hhi": plot_hhi(potash.hhi(ms), events=headline_events()),
        "klaipeda": plot_klaipeda_throughput(potash.klaipeda_cargo()),
        "routes": plot_route_mix(potash.route_mix()),
    }
    yield figs
    for f in figs.values():
        plt.close(f)


def test_log_axes_have_plain_tick_labels(figures) -> None:
    for name in ("comparison", "its"):
        fig = figures[name]
        _drawn(fig)
        ax = fig.axes[0]
        assert ax.get_yscale() == "log"
        labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
        assert len(labels) >= 2, name
        assert all(PLAIN.match(s) for s in labels), (name, labels)  # no 2x10^2, no mathtext


def test_plain_log_axis_uses_thousands_separators() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [300, 4000])
    plain_log_axis(ax)
    _drawn(fig)
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "1,000" in labels and all(PLAIN.match(s) for s in labels), labels
    plt.close(fig)


def test_events_are_numbered_with_readable_labels_not_ids(figures) -> None:
    head = headline_events()
    for name in ("comparison", "share", "hhi", "breaks"):
        fig = figures[name]
        text = " ".join(t.get_text() for t in fig.texts)
        numbers = [t for t in fig.findobj(Text) if t.get_gid() == "potash-event-number"]
        assert numbers, name
        shown = [lab for lab in head["label"] if lab in text]
        assert shown, (name, text)
        for eid in head["event_id"]:
            assert eid not in text, (name, eid)
        # the numbers sit above the axes (never on the data)
        renderer = _drawn(fig)
        top = fig.axes[0].get_window_extent(renderer).y1
        assert all(t.get_window_extent(renderer).y0 >= top for t in numbers), name


def test_breaks_figure_marks_only_the_events_passed(figures) -> None:
    fig = figures["breaks"]
    numbers = [t for t in fig.findobj(Text) if t.get_gid() == "potash-event-number"]
    assert len(numbers) <= len(headline_events())
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Potash (KCl), log of nominal USD/t"
    legend = ax.get_legend()
    renderer = _drawn(fig)
    assert legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1 - 1


def test_hhi_country_counts_do_not_collide(figures) -> None:
    fig = figures["hhi"]
    renderer = _drawn(fig)
    boxes = [t.get_window_extent(renderer) for t in fig.findobj(Text)
             if t.get_gid() == "potash-hhi-n"]
    assert len(boxes) == len(range(2002, 2024))
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    line = fig.axes[0].get_lines()[0]
    ys = line.get_transform().transform(np.c_[np.arange(len(boxes)), line.get_ydata()])[:, 1]
    assert min(ys) > max(b.y1 for b in boxes)  # the row sits under the HHI line


def test_klaipeda_has_a_numeric_time_axis(figures) -> None:
    ax = figures["klaipeda"].axes[0]
    assert ax.xaxis.get_units() is None  # not a categorical axis
    lo, hi = ax.get_xlim()
    assert 2000 < lo < hi < 2030
    xs = sorted({round(p.get_x() + p.get_width() / 2, 6) for p in ax.patches
                 if hasattr(p, "get_width") and p.get_width() == pytest.approx(0.6)})
    assert all(float(x).is_integer() for x in xs) and 2021 in xs
    labels = ax.get_legend_handles_labels()[1]
    assert any("before" in s for s in labels) and any("and after" in s for s in labels)


def test_route_mix_marks_overlapping_sources_and_names_no_attribute(figures) -> None:
    fig = figures["routes"]
    text = " ".join(t.get_text() for t in fig.texts)
    assert "potash_table" not in text and "fig." not in text
    ax = fig.axes[0]
    assert any(p.get_hatch() for p in ax.patches)
    assert any("overlapping sources" in t.get_text() for t in ax.texts)


def test_nominal_prices_say_so_and_a_deflator_gives_the_real_price() -> None:
    p = _prices()
    fig = plot_price_history(p)
    assert "nominal" in fig.axes[0].get_ylabel()
    plt.close(fig)
    defl = pd.Series(np.linspace(100, 130, 7), index=range(2019, 2026))
    fig = plot_price_history(p, deflator=defl, deflator_name="MUV index")
    lines = fig.axes[0].get_lines()
    real = lines[1].get_ydata()
    nominal = lines[0].get_ydata()
    assert real[0] == pytest.approx(nominal[0] * 130 / defl.loc[2020])
    assert real[-1] == pytest.approx(nominal[-1])
    plt.close(fig)


def test_figures_survive_a_plain_savefig(figures) -> None:
    for name, fig in figures.items():
        assert _inside(fig) == [], name


def test_sanctions_caar_draws_the_long_short_test() -> None:
    from potash.analyses.equities import sanctions_event_study

    res = sanctions_event_study(n_placebo=40)
    fig = res.plot()
    try:
        ax = fig.axes[0]
        sf = res.summary_frame()
        bars = [p for p in ax.patches if p.get_width() == pytest.approx(0.6)]
        heights = sorted(round(100 * v, 6) for v in sf["estimate"])
        assert sorted(round(b.get_height(), 6) for b in bars) == heights
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert not any("_" in t for t in ticks)  # readable names, not event ids
        assert "US relief" in " ".join(ticks)
        scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
        assert len(scatters[0].get_offsets()) == int((sf["p_calibrated"] < 0.05).sum())
        assert len(scatters[1].get_offsets()) == int((sf["p_holm"] < 0.05).sum())
        assert _inside(fig) == []
    finally:
        plt.close(fig)
