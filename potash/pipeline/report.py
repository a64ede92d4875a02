"""Build the potash report: processed data, executed notebooks, figures and one HTML file.

``make report`` and ``potash report`` call :func:`build_report`. Each notebook in
``notebooks/`` is a jupytext ``py:percent`` source; it is executed headless with nbclient, its
figures are written to ``reports/figures`` through :func:`potash.pipeline.report.publish`, and its
findings (sentences whose numbers come from computed results) through :class:`Findings`.
All executed notebooks and a generated methods appendix are joined into
``reports/report.html`` with the input cells hidden.
"""

from __future__ import annotations

import json
import os
import re
import string
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from potash.core.io import atomic_write
from potash.core.paths import project_root, reports_dir

__all__ = [
    "Findings",
    "publish",
    "build_report",
    "execute_notebook",
    "notebook_paths",
    "readme_findings",
    "update_readme",
]

#: Set by build_report so that notebooks write into the report folder being built.
REPORTS_ENV = "POTASH_REPORTS_DIR"


def _out_dir() -> Path:
    env = os.environ.get(REPORTS_ENV)
    return Path(env) if env else reports_dir()


def publish(fig: Any, name: str) -> Any:
    """Save ``fig`` as ``reports/figures/<name>.png`` (300 dpi) and ``.pdf``; return it for display.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from :mod:`potash.figures`.
    name : str
        File stem: lower case letters, digits and underscores.

    Returns
    -------
    Figure
        ``fig``, so a notebook cell ending in ``publish(fig, "x")`` shows it.

    Examples
    --------
    >>> import os, tempfile, matplotlib.pyplot as plt
    >>> os.environ["POTASH_REPORTS_DIR"] = tempfile.mkdtemp()
    >>> fig = plt.figure()
    >>> _ = publish(fig, "example")
    >>> sorted(p.name for p in (_out_dir() / "figures").iterdir())
    ['example.pdf', 'example.png']
    >>> del os.environ["POTASH_REPORTS_DIR"]
    """
    from potash.figures import save_figure

    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"publish: figure name {name!r} must be lower case letters, digits, underscores")
    save_figure(fig, _out_dir() / "figures" / name)
    import matplotlib.pyplot as plt

    plt.close(fig)  # shown once, as the cell's value, not again by the inline backend
    return fig


class Findings:
    """Sentences whose numbers come from computed results, recorded for the report and tests.

    A notebook adds named values with :meth:`add`, then writes sentences with ``{name}``
    placeholders through :meth:`say`. The values are stored with full precision in
    ``reports/findings/<notebook>.json``, so a test can recompute each from the package and
    check that no number in the report was typed by hand.

    Parameters
    ----------
    notebook : str
        Notebook stem, e.g. ``"02_market_share"``.

    Examples
    --------
    >>> f = Findings("example", write=False)
    >>> f.add("share_2021", 0.1934, "{:.1%}")
    >>> f.say("Belarus held {share_2021} of world exports in 2021.").data
    'Belarus held 19.3% of world exports in 2021.'
    """

    def __init__(self, notebook: str, *, write: bool = True) -> None:
        self.notebook = notebook
        self.write = write
        self.values: dict[str, Any] = {}
        self.formats: dict[str, str] = {}
        self.sentences: list[str] = []
        self.templates: list[str] = []

    def add(self, name: str, value: Any, fmt: str = "{}") -> None:
        """Record ``value`` under ``name``, shown with ``fmt``.

        ``fmt`` is a ``str.format`` pattern, or ``"pvalue"``: ``p < 0.001`` below 0.001, else
        ``p = 0.123``.
        """
        if not name.isidentifier():
            raise ValueError(f"Findings.add: name {name!r} must be a Python identifier")
        if hasattr(value, "item"):
            value = value.item()
        self.values[name] = value
        self.formats[name] = fmt
        self._save()

    def text(self, template: str) -> str:
        """Fill ``{name}`` placeholders in ``template`` with the formatted values."""
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
        missing = [n for n in names if n not in self.values]
        if missing:
            raise ValueError(f"Findings.say: no value recorded for {missing}")
        return template.format(**{n: _show(self.values[n], self.formats[n]) for n in names})

    def say(self, template: str) -> Any:
        """Return a Markdown display object of the filled sentence, and record it."""
        from IPython.display import Markdown

        text = self.text(template)
        self.sentences.append(text)
        self.templates.append(template)
        self._save()
        return Markdown(text)

    def _save(self) -> None:
        if not self.write:
            return
        path = _out_dir() / "findings" / f"{self.notebook}.json"
        payload = {
            "values": self.values,
            "formats": self.formats,
            "sentences": self.sentences,
            "templates": self.templates,
        }
        text = json.dumps(payload, indent=2, sort_keys=True, default=str)
        atomic_write(path, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def _show(value: Any, fmt: str) -> str:
    if fmt == "pvalue":
        return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"
    return fmt.format(value)


def notebook_paths(root: Path | None = None) -> list[Path]:
    """Return the notebook sources ``notebooks/NN_*.py`` in order.

    Examples
    --------
    >>> [p.name for p in notebook_paths()][:1]
    ['01_data_tour.py']
    """
    root = root or project_root()
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.py"))


def execute_notebook(source: Path, out_dir: Path, *, timeout: int = 900) -> Any:
    """Execute a jupytext ``py:percent`` notebook headless and save the ``.ipynb`` in ``out_dir``.

    Raises
    ------
    RuntimeError
        When a cell fails; the message names the notebook, the cell number and its first line.

    Examples
    --------
    >>> execute_notebook  # doctest: +ELLIPSIS
    <function execute_notebook at ...>
    """
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
    )
    # the kernel imports the same potash tree as the builder, and writes into out_dir
    saved = {k: os.environ.get(k) for k in (REPORTS_ENV, "PYTHONPATH", "MPLBACKEND")}
    os.environ[REPORTS_ENV] = str(out_dir)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(project_root()), saved["PYTHONPATH"]) if p
    )
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        client.execute()
    except CellExecutionError as exc:
        cell_no, first = _failed_cell(nb)
        raise RuntimeError(
            f"notebook {source.name}, cell {cell_no} ({first!r}) failed:\n{_short(str(exc))}"
        ) from None
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    _strip_volatile(nb)
    target = out_dir / "notebooks" / f"{source.stem}.ipynb"
    atomic_write(target, lambda p: nbformat.write(nb, str(p)))
    return nb


def _failed_cell(nb: Any) -> tuple[int, str]:
    for i, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return i, cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return -1, ""


def _short(text: str, lines: int = 25) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # ANSI colours of IPython tracebacks
    kept = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])


def _strip_volatile(nb: Any) -> None:
    """Remove execution timestamps so executed notebooks are byte-identical across runs."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def _step(label: str, fn: Callable[[], Any], i: int, n: int) -> Any:
    t0 = time.perf_counter()
    print(f"[{i}/{n}] {label} ...", flush=True)
    result = fn()
    print(f"[{i}/{n}] {label} done in {time.perf_counter() - t0:.1f} s", flush=True)
    return result


def build_report(out_dir: str | Path | None = None, *, build_data: bool = True) -> Path:
    """Build processed data, execute every notebook, and write the figures and ``report.html``.

    Parameters
    ----------
    out_dir : str or Path, optional
        Where to write (default ``reports/``): ``figures/*.png|pdf``, ``notebooks/*.ipynb``,
        ``findings/*.json`` and ``report.html``.
    build_data : bool
        Rebuild ``data/processed`` first (as ``make data``).

    Returns
    -------
    Path
        The path of ``report.html``.

    Examples
    --------
    >>> build_report  # doctest: +ELLIPSIS
    <function build_report at ...>
    """
    from potash.pipeline.appendix import methods_notebook

    out = Path(out_dir) if out_dir is not None else reports_dir()
    out.mkdir(parents=True, exist_ok=True)
    sources = notebook_paths()
    n = len(sources) + 2 + (1 if build_data else 0)
    i = 0
    if build_data:
        from potash.data import build_processed

        i += 1
        _step("data: build data/processed", build_processed, i, n)
    executed = []
    for src in sources:
        i += 1
        executed.append(_step(f"notebook {src.name}", lambda src=src: execute_notebook(src, out), i, n))
    i += 1
    appendix = _step("methods appendix", methods_notebook, i, n)
    i += 1
    html = _step("report.html", lambda: _write_html(executed + [appendix], out), i, n)
    if out_dir is None:  # the project's own report: refresh the README's findings and figures
        update_readme(out)
    return html


#: Figures shown in the README (copied to docs/figures by ``make report``).
README_FIGURES = ("market_share", "price_its", "sanctions_caar")
_START, _END = "<!-- findings:start -->", "<!-- findings:end -->"


def readme_findings(report: Path) -> str:
    """Return the README's findings section built from ``report/findings/*.json``.

    Examples
    --------
    >>> readme_findings  # doctest: +ELLIPSIS
    <function readme_findings at ...>
    """
    lines = [_START, "<!-- written by `make report` from reports/findings/*.json: do not edit -->"]
    for f in sorted((report / "findings").glob("*.json")):
        payload = json.loads(f.read_text(encoding="utf-8"))
        title = f.stem.split("_", 1)[1].replace("_", " ").capitalize()
        lines.append(f"\n**{title}** (`notebooks/{f.stem}.py`)\n")
        lines += [f"- {sentence}" for sentence in payload["sentences"]]
    lines.append(_END)
    return "\n".join(lines)


def update_readme(report: Path, readme: Path | None = None) -> Path:
    """Rewrite the README's findings section and copy its figures to ``docs/figures``.

    Examples
    --------
    >>> update_readme  # doctest: +ELLIPSIS
    <function update_readme at ...>
    """
    import shutil

    readme = readme or project_root() / "README.md"
    text = readme.read_text(encoding="utf-8")
    if _START not in text or _END not in text:
        raise ValueError(f"{readme}: no {_START} ... {_END} section to fill")
    head, rest = text.split(_START, 1)
    _, tail = rest.split(_END, 1)
    new = head + readme_findings(report) + tail
    atomic_write(readme, lambda p: p.write_text(new, encoding="utf-8"))
    docs = project_root() / "docs" / "figures"
    docs.mkdir(parents=True, exist_ok=True)
    for name in README_FIGURES:
        src = report / "figures" / f"{name}.png"
        atomic_write(docs / src.name, lambda p, src=src: shutil.copyfile(src, p))
    return readme


def _write_html(notebooks: list[Any], out: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    merged = nbformat.v4.new_notebook()
    merged.metadata = notebooks[0].metadata if notebooks else {}
    for nb in notebooks:
        merged.cells.extend(nb.cells)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(merged, resources={"metadata": {"name": "potash report"}})
    path = out / "report.html"
    atomic_write(path, lambda p: p.write_text(body, encoding="utf-8"))
    return path
