"""Findings and publish: the plumbing that keeps report numbers tied to results."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pytest

from potash.pipeline.report import REPORTS_ENV, Findings, publish


def test_findings_fill_and_store(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(REPORTS_ENV, str(tmp_path))
    f = Findings("nb")
    f.add("share", 0.19344, "{:.1%}")
    f.add("tonnes", 12_345_678.0, "{:,.0f}")
    md = f.say("Share {share}, volume {tonnes} t.")
    assert md.data == "Share 19.3%, volume 12,345,678 t."
    stored = json.loads((tmp_path / "findings" / "nb.json").read_text())
    assert stored["values"] == {"share": 0.19344, "tonnes": 12_345_678.0}
    assert stored["sentences"] == ["Share 19.3%, volume 12,345,678 t."]


def test_findings_pvalue_format() -> None:
    f = Findings("nb", write=False)
    f.add("small", 0.00002, "pvalue")
    f.add("large", 0.5912, "pvalue")
    assert f.text("{small}; {large}") == "p < 0.001; p = 0.591"


def test_findings_refuse_unknown_placeholder() -> None:
    f = Findings("nb", write=False)
    with pytest.raises(ValueError, match=r"no value recorded for \['missing'\]"):
        f.text("x {missing}")


def test_publish_checks_name_and_writes_both_formats(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(REPORTS_ENV, str(tmp_path))
    fig = plt.figure()
    with pytest.raises(ValueError, match="lower case"):
        publish(fig, "Bad Name")
    publish(fig, "ok_1")
    plt.close(fig)
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["ok_1.pdf", "ok_1.png"]
