"""Assemble ``reports/report.html``: front page, sections, numbered exhibits, formulas, references.

Called by :func:`potash.pipeline.report.build_report` with the executed notebooks. The HTML is
self-contained and offline (the ``potash`` nbconvert template drops every CDN script; formulas
are converted to MathML at build time with ``latex2mathml``; figures are inline data URIs) and
deterministic: the date is the last commit's (or ``SOURCE_DATE_EPOCH``), cell ids are stable,
so two builds of one commit are byte-identical.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import html
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from potash.core.io import atomic_write
from potash.core.paths import project_root

__all__ = [
    "build_info",
    "external_resources",
    "math_to_mathml",
    "number_exhibits",
    "render_html",
    "write_html",
]

TITLE = "What sanctions on Belarusian potash did to the potash market"
QUESTION = (
    "What did the 2021-2022 sanctions on Belarusian potash, and the US relief of 2025-12-13, "
    "do to the potash market: to prices, to the shares of rival producers on the stock "
    "market, and to the volume and routes of trade?"
)
TEMPLATES = Path(__file__).parent / "templates"


def _git(*args: str) -> str:
    try:
        res = subprocess.run(
            ["git", *args], cwd=project_root(), capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return res.stdout.strip() if res.returncode == 0 else ""


def build_info() -> dict[str, str]:
    """Date, version and commit for the front page; never the wall clock.

    The date is ``SOURCE_DATE_EPOCH`` (UTC) when set, else the date of the last commit.

    Examples
    --------
    >>> sorted(build_info())
    ['commit', 'date', 'version']
    """
    from importlib.metadata import PackageNotFoundError, version

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        date = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).strftime("%Y-%m-%d")
    else:
        date = _git("log", "-1", "--format=%cs") or "undated"
    try:
        ver = version("potash")
    except PackageNotFoundError:
        ver = "unknown"
    commit = _git("rev-parse", "--short=12", "HEAD") or "unknown"
    if commit != "unknown" and _git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {"date": date, "version": ver, "commit": commit}


# --- formulas -------------------------------------------------------------------------------

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\d$])")


def math_to_mathml(text: str, store: list[str]) -> str:
    """Replace ``$...$`` and ``$$...$$`` outside code by placeholders; append their MathML to ``store``.

    Placeholders (``POTASHMATH<n>X``) survive Markdown rendering untouched and are swapped for
    the MathML in the final HTML. A formula latex2mathml cannot read stays as code.

    Examples
    --------
    >>> store = []
    >>> math_to_mathml("cost $5 and $x_1$, `$y$`", store)
    'cost $5 and POTASHMATH0X, `$y$`'
    >>> store[0][:5]
    '<math'
    """
    from latex2mathml.converter import convert

    def sub(m: re.Match[str], display: bool) -> str:
        latex = m.group(1).strip()
        try:
            mathml = convert(latex, display="block" if display else "inline")
        except Exception:  # an unsupported macro: show the LaTeX rather than fail the build
            mathml = f"<code>{html.escape(latex)}</code>"
        store.append(mathml)
        return f"POTASHMATH{len(store) - 1}X"

    parts = _CODE.split(text)
    for k in range(0, len(parts), 2):  # even parts are outside code
        part = _DISPLAY.sub(lambda m: sub(m, True), parts[k])
        parts[k] = _INLINE.sub(lambda m: sub(m, False), part)
    return "".join(parts)


# --- exhibits -------------------------------------------------------------------------------


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def number_exhibits(sections: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Number figures and tables in order and rewrite their outputs as captioned HTML.

    Every PNG output becomes ``<figure>`` with ``Figure N. caption`` and an alt attribute
    (from :func:`publish`'s ``caption=``/``alt=``; a figure shown without publish gets its
    cell's first comment line, or the notebook's name). Every :func:`show_table` output gets
    ``Table N. caption``. Returns one record per exhibit, for the exhibit map.
    """
    from potash.pipeline.bibliography import cite, cite_plain

    exhibits: list[dict[str, Any]] = []
    counts = {"figure": 0, "table": 0}
    for stem, nb in sections:
        for idx, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                meta = out.get("metadata", {}).get("potash", {})
                if "image/png" in data:
                    counts["figure"] += 1
                    num = counts["figure"]
                    name = meta.get("figure") or ""
                    caption = meta.get("caption") or (_humanise(name) + "." if name else "")
                    alt = cite_plain(meta.get("alt") or caption or f"Figure {num} of notebook {stem}")
                    png = data["image/png"]
                    png = png if isinstance(png, str) else base64.b64encode(png).decode()
                    png = png.replace("\n", "")
                    body = (
                        f'<figure class="potash-figure" id="figure-{num}">'
                        f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}">'
                        f"<figcaption><strong>Figure {num}.</strong> {cite(caption)}</figcaption></figure>"
                    )
                    _as_html(out, body)
                    exhibits.append(
                        {"kind": "Figure", "number": num, "name": name, "caption": caption,
                         "notebook": stem, "cell": idx, "source": cell.source,
                         "has_data": bool(meta.get("data"))}
                    )
                elif "table" in meta and "text/html" in data:
                    counts["table"] += 1
                    num = counts["table"]
                    caption = meta.get("caption") or ""
                    head = (
                        f'<p class="potash-table-caption" id="table-{num}"><strong>Table {num}.'
                        f"</strong> {cite(caption)}</p>"
                    )
                    _as_html(out, head + data["text/html"])
                    exhibits.append(
                        {"kind": "Table", "number": num, "name": meta.get("table") or "",
                         "caption": caption, "notebook": stem, "cell": idx, "source": cell.source}
                    )
    return exhibits


def _as_html(out: Any, body: str) -> None:
    out["data"] = {"text/html": body}
    out["metadata"] = {}


# --- front page -----------------------------------------------------------------------------


def _section_title(nb: Any, stem: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return _humanise(stem.split("_", 1)[-1])


def _findings(findings_dir: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for f in sorted(findings_dir.glob("*.json")):
        out[f.stem] = json.loads(f.read_text(encoding="utf-8"))
    return out


def front_page(sections: list[tuple[str, Any]], findings: dict[str, dict], info: dict[str, str],
               extra_toc: list[tuple[str, str]]) -> str:
    """Markdown of the front page: title, date, version, question, summary and contents."""
    lines = [
        '<div class="potash-front" id="front">',
        "",
        f"# {TITLE}",
        "",
        f"**{info['date']}** · potash {info['version']} · commit `{info['commit']}`",
        "",
        f"**The question.** {QUESTION}",
        "",
        "## Executive summary",
        "",
    ]
    for stem, nb in sections:
        payload = findings.get(stem)
        if not payload or not payload.get("sentences"):
            continue
        picks = payload.get("headlines") or [0]
        text = " ".join(payload["sentences"][k] for k in picks)
        title = _section_title(nb, stem)
        lines.append(f"- **{title}{'' if title.endswith(('?', '.', '!')) else '.'}** {text}")
    lines += ["", "The headline estimates with their intervals are in the "
              "[main-results table](#main-results).", "", "## Contents", ""]
    lines.append("- [Main results](#main-results)")
    for stem, nb in sections:
        lines.append(f"- [{_section_title(nb, stem)}](#sec-{stem})")
    for label, anchor in extra_toc:
        lines.append(f"- [{label}](#{anchor})")
    lines += ["", "</div>"]
    return "\n".join(lines)


# --- assembly -------------------------------------------------------------------------------


def render_html(sections: list[tuple[str, Any]], appendix: Any | None, findings_dir: Path,
                info: dict[str, str] | None = None) -> str:
    """Return the report's HTML for executed notebooks ``sections`` (``(stem, notebook)`` pairs)."""
    import nbformat
    from nbconvert import HTMLExporter

    from potash.pipeline.appendix import replication_cells
    from potash.pipeline.bibliography import bibliography_markdown, cite, cited_keys
    from potash.pipeline.main_results import main_results_markdown

    info = info or build_info()
    sections = [(stem, copy.deepcopy(nb)) for stem, nb in sections]
    findings = _findings(findings_dir)
    exhibits = number_exhibits(sections)
    md = nbformat.v4.new_markdown_cell
    cells = []
    extra_toc = [("Methods appendix", "methods"), ("Replication package", "replication"),
                 ("References", "references")]
    cells.append(md(front_page(sections, findings, info, extra_toc)))
    cells.append(md('<div id="main-results"></div>\n\n' + main_results_markdown(findings)))
    for stem, nb in sections:
        cells.append(md(f'<div id="sec-{stem}"></div>'))
        cells.extend(nb.cells)
    if appendix is not None:
        cells.append(md('<div id="methods"></div>'))
        cells.extend(copy.deepcopy(appendix).cells)
    cells.append(md('<div id="replication"></div>'))
    cells.extend(md(text) for text in replication_cells(exhibits))
    all_text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    all_text += "\n".join(_markdown_outputs(cells))
    cells.append(md('<div id="references"></div>\n\n' + bibliography_markdown(cited_keys(all_text))))

    store: list[str] = []
    for i, cell in enumerate(cells):
        cell["id"] = f"report-{i}"
        if cell.cell_type == "markdown":
            cell.source = math_to_mathml(cite(cell.source), store)
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                data["text/markdown"] = math_to_mathml(cite(data["text/markdown"]), store)
    merged = nbformat.v4.new_notebook()
    merged.metadata = copy.deepcopy(sections[0][1].metadata) if sections else {}
    merged.metadata.pop("jupytext", None)
    merged.cells = cells
    exporter = HTMLExporter(
        template_name="potash",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(merged, resources={"metadata": {"name": TITLE}})
    body = re.sub(r"POTASHMATH(\d+)X", lambda m: store[int(m.group(1))], body)
    return body


def _markdown_outputs(cells: list[Any]) -> list[str]:
    texts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            if "text/markdown" in out.get("data", {}):
                texts.append(out["data"]["text/markdown"])
    return texts


_RESOURCE = re.compile(
    r"""<(?!a\b)[a-z][a-z0-9]*\b[^>]*?\s(?:src|href|srcset|data|poster)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)"""
    r"""|url\(\s*["']?((?:https?:)?//[^"')\s]+)"""
    r"""|@import\s+["']((?:https?:)?//[^"']+)""",
    re.I,
)


def external_resources(text: str) -> list[str]:
    """Network resources an HTML page would load: ``src=``/``href=`` of any tag but ``<a>``,
    CSS ``url(...)`` and ``@import`` pointing to http(s) or ``//``. Hyperlinks are not resources.

    Examples
    --------
    >>> external_resources('<a href="https://x.org">x</a><script src="https://cdn/x.js"></script>')
    ['https://cdn/x.js']
    >>> external_resources('<link rel="stylesheet" href="//fonts/x.css"><p>see https://y.org</p>')
    ['//fonts/x.css']
    """
    return [next(g for g in m.groups() if g) for m in _RESOURCE.finditer(text)]


def write_html(sections: list[tuple[str, Any]], appendix: Any | None, out: Path) -> Path:
    """Write ``out/report.html`` and ``out/tables/main_results.{md,tex}``; return the HTML path."""
    from potash.pipeline.main_results import write_main_results

    write_main_results(_findings(out / "findings"), out / "tables")
    body = render_html(sections, appendix, out / "findings")
    leaks = external_resources(body)
    if leaks:
        raise RuntimeError(f"report.html would load from the network: {leaks[:5]}")
    path = out / "report.html"
    atomic_write(path, lambda p: p.write_text(body, encoding="utf-8"))
    return path
