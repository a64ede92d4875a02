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


# --- issue 13: the notebook-facing API ---------------------------------------------------------

import base64  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402
import pandas as pd  # noqa: E402

from potash.pipeline import report as report_mod  # noqa: E402
from potash.pipeline.report import PUBLISH_ENV, show_table  # noqa: E402


def _no_publish_env(monkeypatch) -> None:
    monkeypatch.delenv(REPORTS_ENV, raising=False)
    monkeypatch.delenv(PUBLISH_ENV, raising=False)


def test_notebook_run_by_hand_writes_nothing(tmp_path, monkeypatch) -> None:
    _no_publish_env(monkeypatch)
    monkeypatch.setattr(report_mod, "reports_dir", lambda: tmp_path / "reports")
    fig = plt.figure()
    shown = publish(fig, "by_hand", caption="A caption.", data=pd.DataFrame({"x": [1]}))
    f = Findings("nb")
    f.add("x", 1.0)
    f.say("x is {x}.")
    assert not (tmp_path / "reports").exists()
    data, meta = shown._repr_mimebundle_()
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert meta["potash"] == {"figure": "by_hand", "caption": "A caption.", "alt": "A caption.", "data": True}


def test_publish_writes_csv_caption_and_alt(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(REPORTS_ENV, str(tmp_path))
    fig = plt.figure()
    df = pd.DataFrame({"year": [2021, 2022], "share": [0.191, 0.087]})
    shown = publish(fig, "share", caption="Belarus's share.", alt="A line falling from 19% to 9%.", data=df)
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["share.csv", "share.pdf", "share.png"]
    assert (tmp_path / "figures" / "share.csv").read_text() == "year,share\n2021,0.191\n2022,0.087\n"
    assert shown._repr_mimebundle_()[1]["image/png"]["alt"] == "A line falling from 19% to 9%."
    assert shown.axes == fig.axes  # the old return value's attributes still work
    with pytest.raises(TypeError, match="DataFrame"):
        publish(plt.figure(), "x", data=[1, 2])
    with pytest.raises(ValueError, match="caption"):
        publish(plt.figure(), "x", caption="  ")


def test_show_table_has_no_index_separators_and_rounding() -> None:
    df = pd.DataFrame(
        {"event": ["a", "b"], "caar": [0.191428, -0.0123456], "value": [-6314439.75, 1202.0],
         "n": [12000, 3], "date": pd.to_datetime(["2021-08-09", "2022-03-02"])},
        index=[7, 9],
    )
    t = show_table(df, caption="CAARs.", formats={"caar": "{:+.1%}"}, rename={"n": "firms"})
    html = t.to_html()
    assert "<th>event</th>" in html and ">7<" not in html  # no index column
    assert "+19.1%" in html and "-6,314,440" in html and "1,202" in html and "12,000" in html
    assert "2021-08-09" in html and "firms" in html
    assert t._repr_mimebundle_()[1]["potash"] == {"table": "", "caption": "CAARs."}
    with pytest.raises(ValueError, match="lacks"):
        show_table(df, formats={"nope": "{}"})


def test_findings_result_and_headline_are_stored(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(REPORTS_ENV, str(tmp_path))
    f = Findings("04_prices")
    f.add("x", 0.5, "{:.0%}")
    f.say("First {x}.")
    f.say("Second {x}.", headline=True)
    f.result("step", estimate=0.54, ci_low=0.31, ci_high=0.77, n=76, n_label="months",
             method="OLS, Newey-West HAC", label="Potash step 2021-08", fmt="{:+.0%}")
    stored = json.loads((tmp_path / "findings" / "04_prices.json").read_text())
    assert stored["headlines"] == [1]
    assert stored["results"]["step"]["ci_high"] == 0.77
    with pytest.raises(ValueError, match="both"):
        f.result("bad", estimate=1.0, ci_low=0.0, method="x")
    with pytest.raises(ValueError, match="method"):
        f.result("bad", estimate=1.0, method="")


def test_main_results_table_degrades_and_writes_md_and_tex(tmp_path) -> None:
    from potash.pipeline.main_results import main_results_frame, write_main_results

    findings = {"05_equities": {"results": {"caar": {
        "label": "CAAR, 2021-08-09", "design": None, "estimate": 0.0701, "se": None,
        "ci_low": None, "ci_high": None, "level": 0.95, "n": 5, "n_label": "producers",
        "method": "GRANK", "fmt": "{:+.1%}", "p_value": 0.071}}}}
    t = main_results_frame(findings)
    assert t["Design"].tolist()[1] == "Producer equities (event study)"
    assert t.loc[1, "Estimate"] == "+7.0% (p = 0.071)" and t.loc[1, "N"] == "5 producers"
    assert (t["Result"] == "no main result recorded yet").sum() == 2
    md, tex = write_main_results(findings, tmp_path)
    assert "GRANK" in md.read_text() and "\\begin{tabular}" in tex.read_text()
    assert "+7.0\\%" in tex.read_text()


def test_citations_link_and_unknown_keys_fail() -> None:
    from potash.pipeline.bibliography import REFERENCES, bibliography_markdown, cite

    assert cite("[@mackinlay1997]") == '(<a href="#ref-mackinlay1997">MacKinlay 1997</a>)'
    with pytest.raises(KeyError, match="unknown citation"):
        cite("[@nobody2020]")
    bib = bibliography_markdown()
    for key in REFERENCES:
        assert f'id="ref-{key}"' in bib
    for wanted in ("mackinlay1997", "kolaripynnonen2010", "baiperron1998", "baiperron2003",
                   "andrews1993", "neweywest1987", "neweywest1994", "santossilva2006",
                   "abadie2010", "simonsohn2020", "mackinnonwebb2017", "osw",
                   "conleytaber2011", "lazarus2018"):
        assert wanted in REFERENCES


def _fake_sections(tmp_path: Path) -> tuple[list, Path]:
    """Two executed-looking notebooks (a figure, a table, formulas, a citation) and findings."""
    fig = plt.figure(figsize=(2, 1))
    shown = publish(fig, "tiny", caption="A tiny figure [@osw].", alt="An empty square.")
    data, meta = shown._repr_mimebundle_()
    png = base64.b64encode(data["image/png"]).decode()
    table = show_table(pd.DataFrame({"a": [1234.5]}), caption="A table.")
    tdata, tmeta = table._repr_mimebundle_()
    nb1 = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("publish(plot_tiny(x), 'tiny')")
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png}, metadata=meta),
                    nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"})]
    plain = nbformat.v4.new_code_cell("plt.plot()")
    plain.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png})]
    tab = nbformat.v4.new_code_cell("show_table(df)")
    tab.outputs = [nbformat.v4.new_output("execute_result", data=tdata, metadata=tmeta, execution_count=1)]
    nb1.cells = [nbformat.v4.new_markdown_cell("# 4. Prices\n\nModel $y_t = a + b\\,t$ and\n\n"
                                               "$$\\sum_{i=1}^N x_i$$\n\ncosts $5 and $6 [@andrews1993]."),
                 code, plain, tab]
    findings = tmp_path / "findings"
    findings.mkdir()
    (findings / "04_prices.json").write_text(json.dumps({
        "sentences": ["Prices rose 54%.", "A second sentence."], "headlines": [], "results": {}}))
    return [("04_prices", nb1)], findings


def test_rendered_html_is_offline_numbered_and_byte_identical(tmp_path, monkeypatch) -> None:
    from potash.pipeline.render import external_resources, render_html

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    sections, findings = _fake_sections(tmp_path)
    first = render_html(sections, None, findings)
    second = render_html(sections, None, findings)
    assert first == second
    assert external_resources(first) == []
    assert not re.search(r"<script[^>]+src=", first)
    assert "No description has been provided" not in first
    assert "<strong>Figure 1.</strong> A tiny figure" in first and 'alt="An empty square."' in first
    assert "<strong>Figure 2.</strong>" in first  # a plain plt figure is numbered too
    assert "<strong>Table 1.</strong> A table." in first and "1,234" in first
    assert first.count("<math") == 2 and "$y_t" not in first and "costs $5 and $6" in first
    assert 'href="#ref-andrews1993"' in first and 'id="ref-andrews1993"' in first
    assert 'href="#ref-osw"' in first  # citations in captions too
    assert "2026-01-01" in first and 'href="#sec-04_prices"' in first and 'id="sec-04_prices"' in first
    assert "Prices rose 54%." in first and "no main result recorded yet" in first
    assert "Replication package" in first and "Data availability" in first
    assert "`plot_tiny`" in first or "<code>plot_tiny</code>" in first


def test_build_swaps_only_when_every_notebook_succeeds(tmp_path, monkeypatch) -> None:
    import potash.pipeline.appendix as appendix_mod

    out = tmp_path / "reports"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "stale.png").write_bytes(b"old")
    (out / "report.html").write_text("old report")
    srcs = [tmp_path / "01_a.py", tmp_path / "02_b.py"]
    monkeypatch.setattr(report_mod, "notebook_paths", lambda: srcs)
    monkeypatch.setattr(appendix_mod, "methods_notebook", lambda: None)

    def fake_execute(src, work):
        if src.stem == "02_b" and fail["now"]:
            raise RuntimeError("notebook 02_b.py, cell 2 failed")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {src.stem}")])
        (work / "notebooks").mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(work / "notebooks" / f"{src.stem}.ipynb"))
        (work / "figures").mkdir(exist_ok=True)
        (work / "figures" / f"{src.stem}.png").write_bytes(b"new")
        return nb

    monkeypatch.setattr(report_mod, "execute_notebook", fake_execute)
    fail = {"now": True}
    with pytest.raises(RuntimeError, match="02_b"):
        report_mod.build_report(out, build_data=False, quiet=True)
    assert (out / "report.html").read_text() == "old report"  # untouched
    assert not list(tmp_path.glob(".reports.building-*"))  # temp folder removed
    fail["now"] = False
    report_mod.build_report(out, build_data=False, quiet=True)
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["01_a.png", "02_b.png"]  # stale gone
    assert "<html" in (out / "report.html").read_text()
    (out / "figures" / "01_a.png").write_bytes(b"keep")
    report_mod.build_report(out, build_data=False, only=["02"], quiet=True)
    assert (out / "figures" / "01_a.png").read_bytes() == b"keep"  # --only keeps the others
    with pytest.raises(ValueError, match="matches 0 notebooks"):
        report_mod.build_report(out, build_data=False, only=["09"], quiet=True)


def test_execute_tiny_notebook_ipc_stable_ids_no_tcp_warning(tmp_path, capfd) -> None:
    src = tmp_path / "01_tiny.py"
    src.write_text(
        "# %% [markdown]\n# # Tiny\n\n# %%\nimport matplotlib.pyplot as plt\n"
        "from potash.pipeline.report import publish\n\n# %%\nfig = plt.figure(figsize=(1, 1))\n"
        "publish(fig, 'tiny', caption='Tiny.')\n"
    )
    out = tmp_path / "out"
    nb = report_mod.execute_notebook(src, out)
    err = capfd.readouterr().err
    assert "IPKernelApp" not in err and "without encryption" not in err
    assert [c.id for c in nb.cells] == ["01_tiny-0", "01_tiny-1", "01_tiny-2"]
    assert (out / "figures" / "tiny.png").is_file()
    first = (out / "notebooks" / "01_tiny.ipynb").read_bytes()
    report_mod.execute_notebook(src, out)
    assert (out / "notebooks" / "01_tiny.ipynb").read_bytes() == first
    meta = nb.cells[2].outputs[0]["metadata"]["potash"]
    assert meta["caption"] == "Tiny."


def test_cli_version_help_plain_and_fast() -> None:
    exe = [sys.executable, "-m", "potash"]
    v = subprocess.run([*exe, "--version"], capture_output=True, text=True, check=True)
    assert re.fullmatch(r"potash \d+\.\d+\.\d+\S*\n", v.stdout)
    t0 = time.perf_counter()
    h = subprocess.run([*exe, "--help"], capture_output=True, text=True, check=True)
    assert time.perf_counter() - t0 < 1.0
    assert "``" not in h.stdout and ":func:" not in h.stdout
    assert "--only 04" in h.stdout
    r = subprocess.run([*exe, "report", "--help"], capture_output=True, text=True, check=True)
    assert "--output DIR" in r.stdout and "--only NB" in r.stdout
