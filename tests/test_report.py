"""`make report` end to end: notebooks execute, figures and HTML exist, numbers come from results.

The report is built once per test session (all tests here run on one xdist worker).
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

import pytest

from potash.core.paths import project_root
from potash.pipeline.report import build_report, execute_notebook, notebook_paths

pytestmark = [pytest.mark.xdist_group(name="report"), pytest.mark.slow]

NOTEBOOKS = project_root() / "notebooks"


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    build_report(out, build_data=True)
    return out


def _published_names() -> list[str]:
    """The figure names passed to ``publish(fig, "name")`` in the notebook sources."""
    names = []
    for src in notebook_paths():
        for node in ast.walk(ast.parse(src.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "publish":
                names.append(node.args[1].value)
    return names


def test_every_notebook_executed(report_dir: Path) -> None:
    sources = notebook_paths()
    assert len(sources) >= 7
    for src in sources:
        assert (report_dir / "notebooks" / f"{src.stem}.ipynb").is_file(), src.name


def test_every_published_figure_exists_as_png_and_pdf(report_dir: Path) -> None:
    names = _published_names()
    assert len(names) >= 10
    assert len(names) == len(set(names)), "two notebooks publish the same figure name"
    for name in names:
        png = report_dir / "figures" / f"{name}.png"
        pdf = report_dir / "figures" / f"{name}.pdf"
        assert png.is_file() and pdf.is_file(), name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert pdf.read_bytes()[:5] == b"%PDF-"


def test_html_hides_code_and_has_methods_appendix(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "Methods appendix" in html
    assert "import potash" not in html  # input cells are hidden
    assert "Traceback" not in html


def test_report_sentences_are_the_recorded_findings(report_dir: Path) -> None:
    """Every finding is a template whose only typed numbers are calendar years or dates."""
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    files = sorted((report_dir / "findings").glob("*.json"))
    assert len(files) == len(notebook_paths())
    for f in files:
        payload = json.loads(f.read_text())
        assert payload["sentences"], f"{f.name}: a notebook must end with its findings"
        for template, sentence in zip(payload["templates"], payload["sentences"], strict=True):
            typed = re.sub(r"\{[^}]*\}", "", template)
            typed = re.sub(r"\b(19|20)\d\d(-\d\d){0,2}\b", "", typed)  # years and dates
            typed = re.sub(r"\b[A-Z]+\d+[A-Z]*\b", "", typed)  # names such as EO14038, K2O
            assert not re.search(r"\d", typed), f"{f.name}: number typed by hand in {template!r}"
            assert sentence.split(".")[0][:40] in html.replace("&#x27;", "'").replace("&amp;", "&")


def test_findings_match_a_direct_computation(report_dir: Path) -> None:
    import potash

    tour = json.loads((report_dir / "findings" / "01_data_tour.json").read_text())["values"]
    kcl = potash.load_prices().query("series == 'potassium_chloride'").dropna(subset=["value"])
    assert tour["price_last"] == pytest.approx(405.0)
    assert tour["price_peak"] == pytest.approx(kcl["value"].max())
    assert tour["n_events"] == 53


def test_figures_rebuild_byte_identical(report_dir: Path, tmp_path: Path) -> None:
    src = NOTEBOOKS / "01_data_tour.py"
    execute_notebook(src, tmp_path)
    for png in sorted((tmp_path / "figures").glob("*")):
        first = report_dir / "figures" / png.name
        digest = hashlib.sha256(png.read_bytes()).hexdigest()
        assert digest == hashlib.sha256(first.read_bytes()).hexdigest(), png.name


def test_failing_notebook_names_notebook_and_cell(tmp_path: Path) -> None:
    bad = tmp_path / "99_broken.py"
    bad.write_text("# %%\nx = 1\n\n# %%\nraise ValueError('boom')\n")
    with pytest.raises(RuntimeError, match=r"notebook 99_broken.py, cell 2 \(\"raise ValueError\('boom'\)\"\) failed"):
        execute_notebook(bad, tmp_path)


def test_readme_findings_are_the_built_findings(report_dir: Path) -> None:
    """The README's findings section is what `make report` writes from the results."""
    from potash.pipeline.report import README_FIGURES, readme_findings

    readme = (project_root() / "README.md").read_text(encoding="utf-8")
    assert readme_findings(report_dir) in readme, "README findings are stale: run `make report`"
    for name in README_FIGURES:
        shown = project_root() / "docs" / "figures" / f"{name}.png"
        built = report_dir / "figures" / f"{name}.png"
        assert shown.read_bytes() == built.read_bytes(), f"{shown} is stale: run `make report`"


def test_html_is_offline_and_self_contained(report_dir: Path) -> None:
    """No resource from the network (hyperlinks to sources in the text are fine)."""
    from potash.pipeline.render import external_resources

    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert external_resources(html) == []
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert "mathjax" not in html.lower() and "require.js" not in html.lower()
    assert "No description has been provided" not in html
    assert "<math" in html and "$R_{it}" not in html  # formulas are MathML, rendered offline


def test_front_page_main_results_exhibits_appendix_and_references(report_dir: Path) -> None:
    from potash.pipeline.render import TITLE

    html = (report_dir / "report.html").read_text(encoding="utf-8")
    for text in (TITLE, "Executive summary", "Contents", 'id="main-results"', "Main results",
                 "Replication package", "Data availability", "Computing requirements",
                 "List of exhibits", 'id="references"', 'id="ref-mackinlay1997"'):
        assert text in html, text
    for src in notebook_paths():
        assert f'href="#sec-{src.stem}"' in html and f'id="sec-{src.stem}"' in html
    n_fig = len(re.findall(r"<strong>Figure \d+\.</strong>", html))
    assert n_fig >= len(_published_names())
    imgs = re.findall(r"<img [^>]*>", html)
    assert imgs and all(re.search(r'\balt="[^"]+"', i) and 'src="data:image/png;base64,' in i for i in imgs)
    assert (report_dir / "tables" / "main_results.md").is_file()
    assert "\\begin{tabular}" in (report_dir / "tables" / "main_results.tex").read_text()


def test_html_rebuilds_byte_identical(report_dir: Path, tmp_path: Path) -> None:
    """A notebook re-executed gives the same .ipynb bytes; the HTML re-rendered the same bytes."""
    import shutil

    import nbformat

    from potash.pipeline.appendix import methods_notebook
    from potash.pipeline.render import write_html

    src = NOTEBOOKS / "01_data_tour.py"
    execute_notebook(src, tmp_path / "again")
    first = (report_dir / "notebooks" / f"{src.stem}.ipynb").read_bytes()
    assert (tmp_path / "again" / "notebooks" / f"{src.stem}.ipynb").read_bytes() == first
    copy = tmp_path / "copy"
    shutil.copytree(report_dir, copy)
    executed = [(p.stem, nbformat.read(str(p), as_version=4))
                for p in sorted((copy / "notebooks").glob("*.ipynb"))]
    html = write_html(executed, methods_notebook(), copy)
    assert html.read_bytes() == (report_dir / "report.html").read_bytes()
