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

from potash.core.formatting import round_sig
from potash.core.io import atomic_write
from potash.core.paths import project_root, reports_dir

__all__ = [
    "Findings",
    "PublishedFigure",
    "Table",
    "publish",
    "publishing",
    "round_sig",
    "show_table",
    "build_report",
    "execute_notebook",
    "notebook_paths",
    "readme_findings",
    "update_readme",
]

#: Set by build_report so that notebooks write into the report folder being built.
REPORTS_ENV = "POTASH_REPORTS_DIR"
#: Set to 1 by build_report: a notebook run by hand writes nothing into reports/ unless asked.
PUBLISH_ENV = "POTASH_PUBLISH"


def _out_dir() -> Path:
    env = os.environ.get(REPORTS_ENV)
    return Path(env) if env else reports_dir()


def publishing() -> bool:
    """True when figures, tables and findings are written to disk.

    That is when the report builder runs the notebook (it sets ``POTASH_PUBLISH=1`` and
    ``POTASH_REPORTS_DIR``), or when either is set by hand. A notebook opened in JupyterLab
    shows its figures and writes nothing, so it never overwrites ``reports/``.

    Examples
    --------
    >>> import os
    >>> saved = {k: os.environ.pop(k, None) for k in (PUBLISH_ENV, REPORTS_ENV)}
    >>> publishing()
    False
    >>> os.environ[PUBLISH_ENV] = "1"; publishing()
    True
    >>> _ = [os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v) for k, v in saved.items()]
    """
    flag = os.environ.get(PUBLISH_ENV)
    if flag is not None:
        return flag.strip() not in ("", "0", "false", "no")
    return REPORTS_ENV in os.environ


class PublishedFigure:
    """What :func:`publish` returns: shows the figure once, with its caption and alt text.

    It renders as a PNG whose output metadata carries ``{"potash": {"figure": name, "caption":
    ..., "alt": ...}}``; the report builder turns that into a numbered ``<figure>`` with
    ``Figure N. caption`` and the alt text. Any other attribute is the matplotlib figure's, so
    code written for the figure returned by the old ``publish`` keeps working.
    """

    def __init__(self, fig: Any, name: str, caption: str | None, alt: str | None, png: bytes,
                 has_data: bool = False) -> None:
        self.has_data = has_data
        self.figure = fig
        self.name = name
        self.caption = caption
        self.alt = alt
        self._png = png

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.__dict__["figure"], attr)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        meta = {"figure": self.name, "caption": self.caption or "", "alt": self.alt or ""}
        if self.has_data:
            meta["data"] = True
        data = {"image/png": self._png, "text/plain": f"<Figure {self.name}>"}
        return data, {"image/png": {"alt": self.alt or self.caption or self.name}, "potash": meta}


def publish(
    fig: Any,
    name: str,
    *,
    caption: str | None = None,
    alt: str | None = None,
    data: Any = None,
) -> PublishedFigure:
    """Save ``fig`` as ``reports/figures/<name>.png`` (300 dpi) and ``.pdf``; return it for display.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from :mod:`potash.figures`.
    name : str
        File stem: lower case letters, digits and underscores.
    caption : str, optional
        What is shown, from which data, by which method. The report prints it as
        ``Figure N. caption``; ``[@key]`` citations are allowed.
    alt : str, optional
        Alt text for screen readers: what the figure shows and its main message, in words.
        Default: the caption.
    data : pandas.DataFrame, optional
        The numbers drawn; written beside the figure as ``reports/figures/<name>.csv``.

    Returns
    -------
    PublishedFigure
        Shows the figure once when it ends a notebook cell; other attributes are ``fig``'s.
        Files are written only when :func:`publishing` (the report build); a notebook run by
        hand only shows the figure.

    Examples
    --------
    >>> import os, tempfile, matplotlib.pyplot as plt, pandas as pd
    >>> os.environ["POTASH_REPORTS_DIR"] = tempfile.mkdtemp()
    >>> fig = plt.figure()
    >>> _ = publish(fig, "example", caption="An empty figure.", alt="Nothing drawn.",
    ...             data=pd.DataFrame({"x": [1, 2]}))
    >>> sorted(p.name for p in (_out_dir() / "figures").iterdir())
    ['example.csv', 'example.pdf', 'example.png']
    >>> del os.environ["POTASH_REPORTS_DIR"]
    """
    import io

    import matplotlib.pyplot as plt

    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"publish: figure name {name!r} must be lower case letters, digits, underscores")
    for label, value in (("caption", caption), ("alt", alt)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"publish: {label}= must be a non-empty string, got {value!r}")
    if data is not None and not hasattr(data, "to_csv"):
        raise TypeError(f"publish: data= must be a pandas DataFrame, got {type(data).__name__}")
    if publishing():
        from potash.figures import save_figure

        figures = _out_dir() / "figures"
        save_figure(fig, figures / name)
        if data is not None:
            text = _csv_text(data)
            atomic_write(figures / f"{name}.csv", lambda p: p.write_text(text, encoding="utf-8"))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)  # shown once, as the cell's value, not again by the inline backend
    title, described = _describe(fig)
    if caption is None and title:
        caption = title if title.endswith(".") else title + "."
    return PublishedFigure(fig, name, caption, alt or described or caption, buf.getvalue(),
                           has_data=data is not None)


def _describe(fig: Any) -> tuple[str, str]:
    """The figure's title, and a plain description (title, panels, axes) for default alt text.

    Notebooks should pass ``alt=`` saying what the figure shows; this only keeps a figure
    published without one from being described as nothing.
    """
    sup = getattr(fig, "_suptitle", None)
    title = sup.get_text().strip() if sup is not None else ""
    axes = [ax for ax in fig.get_axes() if ax.get_visible() and ax.get_label() != "<colorbar>"]
    title = title or (axes[0].get_title().strip() if axes else "")
    parts = []
    for ax in axes[:4]:
        head = ax.get_title().strip()
        bits = [b for b in (head if head != title else "", ax.get_ylabel().strip()) if b]
        xlab = ax.get_xlabel().strip()
        if bits or xlab:
            parts.append(": ".join(bits) + (f" against {xlab}" if xlab else ""))
    text = "; ".join(p for p in parts if p)
    described = f"Chart: {title}" if title else "Chart"
    if text and text != title:
        described += f" ({text})"
    return title, described + "." if (title or text) else ""


def _csv_text(df: Any) -> str:
    import pandas as pd

    keep_index = not isinstance(df.index, pd.RangeIndex)
    return df.to_csv(index=keep_index, lineterminator="\n")


class Table:
    """What :func:`show_table` returns: an HTML table without index, numbers formatted for reading."""

    def __init__(self, shown: Any, caption: str | None, name: str | None) -> None:
        self.shown = shown
        self.caption = caption
        self.name = name

    def to_html(self) -> str:
        body = self.shown.to_html(index=False, border=0, classes="potash-table", escape=True)
        body = body.replace(' style="text-align: right;"', "")
        return body

    def to_markdown(self) -> str:
        return self.shown.to_markdown(index=False)

    def __repr__(self) -> str:
        return self.shown.to_string(index=False)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        meta = {"table": self.name or "", "caption": self.caption or ""}
        return {"text/html": self.to_html(), "text/plain": repr(self)}, {"potash": meta}


def show_table(
    df: Any,
    *,
    caption: str | None = None,
    name: str | None = None,
    formats: dict[str, str] | None = None,
    digits: int = 3,
    index: bool = False,
    rename: dict[str, str] | None = None,
) -> Table:
    """Show ``df`` as a report table: no index column, thousands separators, sensible rounding.

    Parameters
    ----------
    df : pandas.DataFrame
    caption : str, optional
        Printed above the table as ``Table N. caption`` (with units, e.g. "tonnes").
    name : str, optional
        File stem; when publishing, the full-precision table is written to
        ``reports/tables/<name>.csv`` and listed in the exhibit map.
    formats : dict, optional
        ``{column: str.format pattern}`` for columns that need their own (``"{:.1%}"``).
    digits : int
        Significant digits for other float columns; values of 1,000 or more are shown whole
        with separators (``1,202``), integers always with separators.
    index : bool
        Keep the index as the first column(s) (for a meaningful index such as years).
    rename : dict, optional
        Readable column headers, applied after formatting.

    Examples
    --------
    >>> import pandas as pd
    >>> t = show_table(pd.DataFrame({"tonnes": [12345678.4, 2.0], "share": [0.19144, 0.5]}),
    ...                formats={"share": "{:.1%}"})
    >>> print(t)
        tonnes share
    12,345,678 19.1%
             2 50.0%
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df)
    if index:
        df = df.reset_index()
    formats = formats or {}
    unknown = sorted(set(formats) - set(df.columns))
    if unknown:
        raise ValueError(f"show_table: formats= names columns {unknown} that the table lacks")
    shown = pd.DataFrame(index=range(len(df)))
    for col in df.columns:
        values = df[col].reset_index(drop=True)
        shown[col] = [_cell(v, formats.get(col), digits) for v in values]
    if rename:
        shown = shown.rename(columns=rename)
    if publishing() and name:
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValueError(f"show_table: name {name!r} must be lower case letters, digits, underscores")
        text = _csv_text(df)
        atomic_write(_out_dir() / "tables" / f"{name}.csv", lambda p: p.write_text(text, encoding="utf-8"))
    return Table(shown, caption, name)


def _cell(value: Any, fmt: str | None, digits: int) -> str:
    import math

    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if fmt:
        return fmt.format(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if (value.hour, value.minute) == (0, 0) else str(value)
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        return f"{int(value):,}"
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        return round_sig(float(value), digits)
    return str(value)


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
    >>> f.say("Belarus held {share_2021} of world exports in 2021.", headline=True).data
    'Belarus held 19.3% of world exports in 2021.'
    >>> f.result("price_step", estimate=0.54, ci_low=0.31, ci_high=0.77, n=76,
    ...          method="OLS, Newey-West HAC (4 lags)", label="Potash price step, 2021-08",
    ...          design="price", fmt="{:+.0%}")
    >>> f.results["price_step"]["n"]
    76

    Headline sentences (``headline=True``) form the report's executive summary; results
    recorded with :meth:`result` form its main-results table.
    """

    def __init__(self, notebook: str, *, write: bool = True) -> None:
        self.notebook = notebook
        self.write = write
        self.values: dict[str, Any] = {}
        self.formats: dict[str, str] = {}
        self.sentences: list[str] = []
        self.templates: list[str] = []
        self.headlines: list[int] = []
        self.results: dict[str, dict[str, Any]] = {}

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

    def say(self, template: str, *, headline: bool = False) -> Any:
        """Return a Markdown display object of the filled sentence, and record it.

        ``headline=True`` puts the sentence in the report's executive summary (when a notebook
        marks none, its first sentence is used). ``[@key]`` citations are allowed.
        """
        from IPython.display import Markdown

        text = self.text(template)
        if headline:
            self.headlines.append(len(self.sentences))
        self.sentences.append(text)
        self.templates.append(template)
        self._save()
        return Markdown(text)

    def result(
        self,
        name: str,
        *,
        estimate: float,
        method: str,
        se: float | None = None,
        ci_low: float | None = None,
        ci_high: float | None = None,
        n: int | None = None,
        label: str | None = None,
        design: str | None = None,
        fmt: str | None = None,
        p_value: float | None = None,
        level: float = 0.95,
        n_label: str = "observations",
    ) -> None:
        """Record a main result for the report's main-results table.

        Parameters
        ----------
        name : str
            Identifier of the result (a Python identifier), e.g. ``"step_2021_08"``.
        estimate : float
            The point estimate, in the unit ``fmt`` shows (a log-point effect converted to a
            percent change is recorded as that percent change, as a fraction).
        method : str
            The inference: estimator and standard errors, e.g. ``"PPML, exporter-clustered
            (HC1)"`` or ``"GRANK"``.
        se, ci_low, ci_high : float, optional
            A standard error and/or the interval bounds (``level``, default 95%).
        n : int, optional
            Number of observations (``n_label`` says of what: months, firms, exporter-years).
        label : str, optional
            Readable name of the result (default: ``name``).
        design : str, optional
            ``"price"``, ``"equity"`` or ``"trade"`` (default: from the notebook, see
            :data:`potash.pipeline.main_results.DESIGNS`).
        fmt : str, optional
            ``str.format`` pattern for estimate, SE and interval (default 3 significant digits).
        p_value : float, optional
            Shown beside the estimate when given.
        """
        if not name.isidentifier():
            raise ValueError(f"Findings.result: name {name!r} must be a Python identifier")
        if not isinstance(method, str) or not method.strip():
            raise ValueError("Findings.result: method= must say the inference, e.g. 'OLS, Newey-West HAC'")
        if (ci_low is None) != (ci_high is None):
            raise ValueError("Findings.result: give both ci_low= and ci_high=, or neither")

        def num(x: Any) -> Any:
            return None if x is None else (x.item() if hasattr(x, "item") else x)

        self.results[name] = {
            "label": label or name,
            "design": design,
            "estimate": num(estimate),
            "se": num(se),
            "ci_low": num(ci_low),
            "ci_high": num(ci_high),
            "level": level,
            "n": None if n is None else int(n),
            "n_label": n_label,
            "method": method,
            "fmt": fmt,
            "p_value": num(p_value),
        }
        self._save()

    def _save(self) -> None:
        if not self.write or not publishing():
            return
        path = _out_dir() / "findings" / f"{self.notebook}.json"
        payload = {
            "values": self.values,
            "formats": self.formats,
            "sentences": self.sentences,
            "templates": self.templates,
            "headlines": self.headlines,
            "results": self.results,
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

    The kernel talks over the IPC transport (local sockets, no TCP warning), publishes into
    ``out_dir`` (``POTASH_PUBLISH=1``), and every cell gets a stable id
    (``<notebook>-<index>``), so the saved notebook is byte-identical from one run to the next.

    Raises
    ------
    RuntimeError
        When a cell fails; the message names the notebook, the cell number and its first line.

    Examples
    --------
    >>> execute_notebook  # doctest: +ELLIPSIS
    <function execute_notebook at ...>
    """
    import shutil
    import tempfile

    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    stable_cell_ids(nb, source.stem)
    ipc = Path(tempfile.mkdtemp(prefix="potash-kernel-"))
    config = Config()  # applies to the (async) kernel manager nbclient creates, owns and shuts down
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(ipc / "kernel")
    client = NotebookClient(
        nb,
        config=config,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(source.parent)}},
    )
    # the kernel imports the same potash tree as the builder, and writes into out_dir
    saved = {k: os.environ.get(k) for k in (REPORTS_ENV, PUBLISH_ENV, "PYTHONPATH", "MPLBACKEND")}
    os.environ[REPORTS_ENV] = str(out_dir)
    os.environ[PUBLISH_ENV] = "1"
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
        shutil.rmtree(ipc, ignore_errors=True)
    _strip_volatile(nb)
    target = out_dir / "notebooks" / f"{source.stem}.ipynb"
    atomic_write(target, lambda p: nbformat.write(nb, str(p)))
    return nb


def stable_cell_ids(nb: Any, stem: str) -> Any:
    """Give every cell the id ``<stem>-<index>`` (nbformat 4.5), instead of a random one.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x")])
    >>> stable_cell_ids(nb, "01_data tour").cells[0].id
    '01_data-tour-0'
    """
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", stem)[:50]
    nb.nbformat, nb.nbformat_minor = 4, max(int(nb.get("nbformat_minor", 5)), 5)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{safe}-{i}"
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
    """Run one build step and print one line for it: ``[i/n] label ... 4.2 s``."""
    t0 = time.perf_counter()
    print(f"[{i}/{n}] {label} ...", end="", flush=True)
    try:
        result = fn()
    except BaseException:
        print(f" failed after {time.perf_counter() - t0:.1f} s", flush=True)
        raise
    print(f" {time.perf_counter() - t0:.1f} s", flush=True)
    return result


def _select(sources: list[Path], only: list[str] | None) -> list[Path]:
    if not only:
        return sources
    chosen = []
    for key in only:
        hits = [s for s in sources if s.stem == key or s.stem.startswith(f"{key}_") or s.name == key]
        if len(hits) != 1:
            names = ", ".join(s.stem for s in sources)
            raise ValueError(f"--only {key!r} matches {len(hits)} notebooks; choose from {names}")
        chosen += [h for h in hits if h not in chosen]
    return chosen


def build_report(
    out_dir: str | Path | None = None,
    *,
    build_data: bool = True,
    only: list[str] | None = None,
    quiet: bool = False,
) -> Path:
    """Build processed data, execute the notebooks, and write the figures and ``report.html``.

    Everything is built in a temporary folder beside ``out_dir`` and moved into place only when
    every notebook succeeded, so a failing notebook leaves the last good report untouched, and
    files no notebook writes any more disappear. With ``only``, just those notebooks run and
    their outputs replace theirs in ``out_dir``; ``report.html`` is then rebuilt from every
    executed notebook found there.

    Parameters
    ----------
    out_dir : str or Path, optional
        Where to write (default ``reports/``): ``figures/*.png|pdf|csv``, ``tables/``,
        ``notebooks/*.ipynb``, ``findings/*.json`` and ``report.html``.
    build_data : bool
        Rebuild ``data/processed`` first (as ``make data``).
    only : list of str, optional
        Notebook numbers or stems (``["04"]``, ``["04_prices"]``).
    quiet : bool
        Do not print the summary of paths at the end.

    Returns
    -------
    Path
        The path of ``report.html``.

    Examples
    --------
    >>> build_report  # doctest: +ELLIPSIS
    <function build_report at ...>
    """
    import shutil
    import tempfile

    from potash.pipeline.appendix import methods_notebook
    from potash.pipeline.render import write_html

    t_start = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else reports_dir()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    sources = _select(notebook_paths(), only)
    n = len(sources) + 2 + (1 if build_data else 0)
    i = 0
    if build_data:
        from potash.data import build_processed

        i += 1
        _step("data: build data/processed", build_processed, i, n)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        if only and (out / "notebooks").is_dir():  # keep the other notebooks' outputs
            shutil.copytree(out, work, dirs_exist_ok=True, ignore=shutil.ignore_patterns("report.html"))
            for src in sources:
                _remove_outputs_of(work, src.stem)
        for src in sources:
            i += 1
            _step(f"notebook {src.name}", lambda src=src: execute_notebook(src, work), i, n)
        import nbformat

        executed = [
            (p.stem, nbformat.read(str(p), as_version=4))
            for p in sorted((work / "notebooks").glob("*.ipynb"))
        ]
        i += 1
        appendix = _step("methods appendix", methods_notebook, i, n)
        i += 1
        html = _step("report.html", lambda: write_html(executed, appendix, work), i, n)
        _swap_into(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    html = out / html.name
    if out_dir is None and not only:  # the project's own report: refresh README findings, figures
        update_readme(out)
    if not quiet:
        _summary(out, time.perf_counter() - t_start)
    return html


def _remove_outputs_of(folder: Path, stem: str) -> None:
    """Delete what notebook ``stem`` wrote last time (its figures and tables are found in its ipynb)."""
    import nbformat

    ipynb = folder / "notebooks" / f"{stem}.ipynb"
    if ipynb.is_file():
        nb = nbformat.read(str(ipynb), as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                meta = output.get("metadata", {}).get("potash", {})
                if meta.get("figure"):
                    for ext in ("png", "pdf", "csv"):
                        (folder / "figures" / f"{meta['figure']}.{ext}").unlink(missing_ok=True)
                if meta.get("table"):
                    (folder / "tables" / f"{meta['table']}.csv").unlink(missing_ok=True)
        ipynb.unlink()
    (folder / "findings" / f"{stem}.json").unlink(missing_ok=True)


def _swap_into(work: Path, out: Path) -> None:
    """Replace ``out`` by ``work`` with two renames (the old tree is removed afterwards)."""
    import shutil

    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    work.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _summary(out: Path, seconds: float) -> None:
    files = sorted(p for p in out.rglob("*") if p.is_file())
    groups: dict[str, list[Path]] = {}
    for p in files:
        groups.setdefault(p.parent.relative_to(out).as_posix(), []).append(p)
    print(f"done in {seconds:.1f} s; wrote {len(files)} files in {out}:")
    for folder, paths in sorted(groups.items()):
        if folder == ".":
            for p in paths:
                print(f"  {p}")
        else:
            exts = sorted({p.suffix.lstrip('.') for p in paths})
            print(f"  {out / folder}/  ({len(paths)} files: {', '.join(exts)})")


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
    from potash.pipeline.bibliography import cite_plain

    lines = [_START, "<!-- written by `make report` from reports/findings/*.json: do not edit -->"]
    for f in sorted((report / "findings").glob("*.json")):
        payload = json.loads(f.read_text(encoding="utf-8"))
        title = f.stem.split("_", 1)[1].replace("_", " ").capitalize()
        lines.append(f"\n**{title}** (`notebooks/{f.stem}.py`)\n")
        lines += [f"- {cite_plain(sentence)}" for sentence in payload["sentences"]]
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
