"""The methods appendix of the report, generated from the shipped data package and calendar."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from potash.core.paths import project_root

__all__ = [
    "computing_requirements",
    "data_availability",
    "data_files_table",
    "exhibit_map",
    "methods_notebook",
    "replication_cells",
]

FORMULAS = r"""
### Models, conventions and test statistics

**Returns event study** (`potash.event_study`). Market model
$R_{it} = \alpha_i + \beta_i R_{mt} + \varepsilon_{it}$ estimated by OLS on the estimation window
of $M_i$ trading days; abnormal return $AR_{it} = R_{it} - \hat\alpha_i - \hat\beta_i R_{mt}$;
$CAR_i(\tau_1,\tau_2) = \sum_{t=\tau_1}^{\tau_2} AR_{it}$; $AAR_t = N^{-1}\sum_i AR_{it}$,
$CAAR = \sum_t AAR_t$. Textbook convention [@mackinlay1997]: $\hat\sigma^2_i = \frac{1}{M_i-2}\sum \hat\varepsilon^2_{it}$
and the forecast-error variance $\hat\sigma^2_i\,[1 + 1/M_i + (R_{mt}-\bar R_m)^2/\sum_s (R_{ms}-\bar R_m)^2]$
for standardised abnormal returns $SAR_{it}$. Parametric tests: cross-sectional
$t = \sqrt N\, \overline{AR}_t / s_{AR_t}$; Patell $Z = \sum_i SAR_{it} / \sqrt{\sum_i (M_i-2)/(M_i-4)}$;
BMP $t = \sqrt N\, \overline{SAR}_t / s_{SAR_t}$; the Kolari-Pynnönen adjustment
[@kolaripynnonen2010] multiplies BMP by $\sqrt{(1-\bar r)/(1+(N-1)\bar r)}$ and Patell by
$1/\sqrt{1+(N-1)\bar r}$ (Patell's variance comes from the time series, so under a common
correlation $\bar r$ it is $N(1+(N-1)\bar r)$), with $\bar r$ the mean pairwise correlation of
estimation-window residuals matched by calendar date. Every test's size is calibrated on
placebo dates of the real data, and the headline is the producers-minus-contrast portfolio. Non-parametric: sign, generalized sign,
Corrado rank, Corrado-Zivney, GRANK, Wilcoxon. When events share a calendar date, the
statistics robust to cross-correlation (adjusted BMP, adjusted Patell, GRANK, Brown-Warner 1985,
Lamb) are reported first.

**Commodity prices** (`potash.price_event_study`). Interrupted time series on monthly log prices:
$\ln p_t = a + b\,t + \sum_k \gamma_k \ln c_{kt} + \sum_j [\delta_j S_{jt} + \rho_j R_{jt} + \pi_j P_{jt}] + u_t$
with step $S_{jt} = 1[t \ge t_j]$, ramp $R_{jt} = (t - t_j)\,1[t \ge t_j]$, pulse $P_{jt} = 1[t = t_j]$;
Newey-West HAC standard errors with the Bartlett kernel [@neweywest1987; @neweywest1994], read with the caution of [@lazarus2018] in short samples. Structural breaks: Chow F at a known date;
sup-F, ave-F and exp-F [@andrews1993] (Andrews-Ploberger 1994) with Hansen (1997) p-values;
Bai-Perron multiple breaks [@baiperron1998; @baiperron2003] by dynamic programming with BIC and Bai (1997) confidence intervals.

**Trade flows** (`potash.trade_event_study`). PPML [@santossilva2006]: $E[y_{it}] = \exp(\mu_i + \lambda_t + \beta D_{it})$
with exporter and year fixed effects, $D_{it} = 1[i=\text{BLR}, t \ge t_0]$; effect
$100(e^{\beta}-1)$ percent; cluster-robust standard errors by exporter, to be read with care with one treated unit [@mackinnonwebb2017; @conleytaber2011]. Synthetic control [@abadie2010]: convex
donor weights minimising pre-period RMSPE; in-space placebos and the post/pre RMSPE ratio. Robustness over analysis choices: specification curves [@simonsohn2020].
"""


def data_files_table() -> pd.DataFrame:
    """Return the shipped data files with source, vintage, bytes and sha256 (from ``datapackage.json``).

    Examples
    --------
    >>> t = data_files_table()
    >>> {"path", "sha256"} <= set(t.columns)
    True
    """
    pkg = json.loads((project_root() / "data" / "datapackage.json").read_text(encoding="utf-8"))
    rows = []
    for res in pkg.get("resources", []):
        rows.append(
            {
                "path": res.get("path"),
                "source": (res.get("sources") or [{}])[0].get("title", ""),
                "version": res.get("version", ""),
                "bytes": res.get("bytes"),
                "sha256": (res.get("hash") or "").removeprefix("sha256:"),
            }
        )
    return pd.DataFrame(rows)


def _events_table() -> pd.DataFrame:
    """The calendar with, for each event, the analyses that use it (read from their defaults)."""
    import inspect

    from potash.analyses.equities import sanctions_event_study
    from potash.analyses.overview import HEADLINE_EVENTS
    from potash.data import load_events

    ev = load_events()
    study_types = inspect.signature(sanctions_event_study).parameters["event_types"].default
    ev["equity_event_study"] = ev["type"].isin(list(study_types)).map({True: "used", False: "-"})
    ev["headline_marks"] = ev["event_id"].isin(list(HEADLINE_EVENTS)).map({True: "yes", False: "-"})
    cols = ["date", "label", "event_id", "type", "verified", "equity_event_study", "headline_marks"]
    return ev[[c for c in cols if c in ev.columns]].rename(columns={"label": "event", "event_id": "id in code"})


def methods_notebook() -> Any:
    """Return the methods appendix as a notebook of Markdown cells.

    Examples
    --------
    >>> nb = methods_notebook()
    >>> nb.cells[0].source.startswith("# Methods appendix")
    True
    """
    import nbformat

    files = data_files_table()
    files["sha256"] = files["sha256"].str.slice(0, 12) + "…"
    files["bytes"] = [f"{int(b):,}" if b == b and b is not None else "" for b in files["bytes"]]
    # one row per source folder for the long source titles, one short row per file
    path = files["path"].astype(str).str.removeprefix("raw/")
    files["folder"] = path.str.split("/").str[0]
    files["file"] = path.str.split("/", n=1).str[1].fillna(path)
    sources = (files.groupby("folder", sort=True)
               .agg(source=("source", "first"), files=("file", "size")).reset_index())
    files = files[["folder", "file", "version", "bytes", "sha256"]]
    # long names may break after an underscore (<wbr>: a break point, nothing to copy)
    for col in ("folder", "file"):
        files[col] = files[col].str.replace("_", "_<wbr>", regex=False)
    sources["folder"] = sources["folder"].str.replace("_", "_<wbr>", regex=False)
    ev = _events_table()
    ev["date"] = ev["date"].dt.strftime("%Y-%m-%d")
    cells = [
        nbformat.v4.new_markdown_cell("# Methods appendix"),
        nbformat.v4.new_markdown_cell(
            "## Data files\n\nEvery raw file is verified against its sha256 before it is read "
            "(the full hashes are in `data/datapackage.json`). The sources, one per folder of "
            "`data/raw/`:\n\n" + sources.to_markdown(index=False)
            + "\n\nThe files:\n\n" + files.to_markdown(index=False)
        ),
        nbformat.v4.new_markdown_cell(
            "## Sanctions calendar: events used and excluded\n\nThe equity event study "
            "(`sanctions_event_study`) uses the event types marked `used`; events on one trading "
            "date are studied once. The price interrupted time series uses steps at the months "
            "of the headline events chosen in notebook 4; the trade panel's post period starts in "
            "the first full year after the sanctions and logistics events (2022). Other events are "
            "context, shown on the figures' time axes where marked.\n\n"
            + ev.to_markdown(index=False)
        ),
        nbformat.v4.new_markdown_cell(FORMULAS.strip()),
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


# --- replication package (AEA template) -----------------------------------------------------


def _terms(text: str) -> str:
    """The licence or terms-of-use paragraph of a ``SOURCE.md``."""
    import re

    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^#+\s*(licen[cs]e|terms)", line, re.I):
            body = []
            for nxt in lines[i + 1 :]:
                if nxt.startswith("#") or (body and not nxt.strip()):
                    break
                if nxt.strip():
                    body.append(nxt.strip())
            return " ".join(body)
        m = re.match(r"^\s*[-*]\s*(licen[cs]e|terms[^:]*):\s*(.*)", line, re.I)
        if m:
            body = [m.group(2).strip()]
            for nxt in lines[i + 1 :]:
                if not nxt.startswith("  ") or not nxt.strip():
                    break
                body.append(nxt.strip())
            return " ".join(body)
    paragraphs = re.split(r"\n\s*\n", text)
    for para in paragraphs:
        if re.search(r"licen[cs]e|terms of use|terms apply", para, re.I):
            return " ".join(ln.strip() for ln in para.splitlines())
    return ""


def data_availability() -> pd.DataFrame:
    """One row per source folder of ``data/raw``: title, files, licence and terms, where from.

    Terms are quoted from the folder's ``SOURCE.md``; licences and URLs from ``datapackage.json``.

    Examples
    --------
    >>> t = data_availability()
    >>> {"source", "terms", "licence"} <= set(t.columns)
    True
    """
    root = project_root() / "data"
    pkg = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    by_dir: dict[str, list[dict]] = {}
    for res in pkg.get("resources", []):
        parts = (res.get("path") or "").split("/")
        folder = parts[1] if len(parts) > 2 and parts[0] == "raw" else parts[0]
        by_dir.setdefault(folder, []).append(res)
    rows = []
    for folder, resources in sorted(by_dir.items()):
        src_md = root / "raw" / folder / "SOURCE.md"
        text = src_md.read_text(encoding="utf-8") if src_md.is_file() else ""
        title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), "")
        title = title or (resources[0].get("sources") or [{}])[0].get("title", folder)
        licences = sorted({lic.get("name", "") for r in resources for lic in r.get("licenses", [])} - {""})
        urls = []
        for r in resources:
            for s in r.get("sources", []):
                url = s.get("path", "")
                if url.startswith("http") and url not in urls:
                    urls.append(url)
        rows.append(
            {
                "folder": f"data/raw/{folder}",
                "source": title,
                "files": len(resources),
                "licence": ", ".join(licences),
                "terms": _terms(text) if text else "see data/datapackage.json",
                "obtained from": " ".join(f"<{u}>" for u in urls[:2]),
            }
        )
    return pd.DataFrame(rows)


def computing_requirements() -> dict[str, Any]:
    """Python, platform, processors, memory and the versions of potash's dependencies.

    Examples
    --------
    >>> "python" in computing_requirements()
    True
    """
    import os
    import platform
    import re
    from importlib.metadata import PackageNotFoundError, requires, version

    packages = {}
    try:
        reqs = requires("potash") or []
    except PackageNotFoundError:
        reqs = []
    for req in reqs:
        if "extra ==" in req:
            continue
        name = re.split(r"[\s<>=!~\[;]", req, maxsplit=1)[0]
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = "not installed"
    for name in ("latex2mathml", "jupyter_client", "ipykernel"):
        try:
            packages.setdefault(name, version(name))
        except PackageNotFoundError:
            pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            kb = int(fh.readline().split()[1])
        mem = f"{kb / 1024 ** 2:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "processors": os.cpu_count(),
        "memory": mem,
        "packages": dict(sorted(packages.items(), key=lambda kv: kv[0].lower())),
    }


def exhibit_map(exhibits: list[dict[str, Any]]) -> pd.DataFrame:
    """Map each numbered figure and table to its notebook cell and the function that makes it.

    ``exhibits`` are the records of :func:`potash.pipeline.render.number_exhibits`; the function
    is read from the cell's source with ``ast``: the call inside ``publish(...)`` or
    ``show_table(...)`` (or the call assigned to the name passed there).

    Examples
    --------
    >>> ex = [{"kind": "Figure", "number": 1, "name": "x", "notebook": "04_prices", "cell": 3,
    ...        "source": "publish(plot_price_its(its), 'x')"}]
    >>> exhibit_map(ex)["made by"].tolist()
    ['`plot_price_its`']
    """
    rows = []
    for ex in exhibits:
        func = _maker(ex.get("source", ""))
        files = ""
        if ex.get("name"):
            folder = "figures" if ex["kind"] == "Figure" else "tables"
            exts = ("png, pdf, csv" if ex.get("has_data") else "png, pdf") if ex["kind"] == "Figure" else "csv"
            files = f"`reports/{folder}/{ex['name']}.*` ({exts})"
        rows.append(
            {
                "exhibit": f"{ex['kind']} {ex['number']}",
                "notebook cell": f"`notebooks/{ex['notebook']}.py`, cell {ex['cell'] + 1}",
                "made by": f"`{func}`" if func else "",
                "files": files,
            }
        )
    return pd.DataFrame(rows, columns=["exhibit", "notebook cell", "made by", "files"])


def _maker(source: str) -> str:
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    assigned: dict[str, str] = {}
    found = ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = _call_name(node.value)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in ("publish", "show_table") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Call):
                found = _call_name(first)
            elif isinstance(first, ast.Name):
                found = assigned.get(first.id, first.id)
            break
    if not found:
        calls = [_call_name(n) for n in ast.walk(tree) if isinstance(n, ast.Call)]
        found = next((c for c in calls if c.split(".")[-1].startswith("plot")), "")
    return found


def _call_name(call: Any) -> str:
    import ast

    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return ast.unparse(f)
    return ""


def replication_cells(exhibits: list[dict[str, Any]]) -> list[str]:
    """The replication package in the AEA template's order, as Markdown cells.

    Examples
    --------
    >>> cells = replication_cells([])
    >>> cells[0].startswith("# Replication package")
    True
    """
    avail = data_availability()
    avail["terms"] = avail["terms"].str.replace("|", "/", regex=False)
    comp = computing_requirements()
    pkgs = pd.DataFrame(list(comp["packages"].items()), columns=["package", "version"])
    intro = (
        "# Replication package\n\nThis appendix follows the template of the AEA Data Editor "
        "(social-science-data-editors.github.io/template_README): data availability, computing "
        "requirements, and a map from each exhibit to the code that makes it. Every number and "
        "exhibit in this report is rebuilt from the shipped files by one command, `make report` "
        "(or `potash report`); `potash report --only 04 --output DIR` rebuilds one notebook."
    )
    data = (
        "## Data availability and provenance statements\n\nThe replicator has legitimate access "
        "to all data used here: every raw file is shipped unchanged in `data/raw/`, verified by "
        "sha256 against `data/datapackage.json` before it is read. Terms of use, per source, are "
        "quoted from each folder's `SOURCE.md`; where a source states no licence the terms say "
        "so, and republishing those data may need the publisher's permission.\n\n"
        + avail.to_markdown(index=False)
    )
    computing = (
        "## Computing requirements\n\n"
        f"- Software: Python {comp['python']}, with the packages below (from `pyproject.toml`; "
        "install with `make setup`).\n"
        f"- Machine used for this build: {comp['platform']}, {comp['processors']} processors"
        + (f", {comp['memory']} memory" if comp["memory"] else "")
        + ". No network is needed: the report is built offline from the shipped files.\n"
        "- Run time: a few minutes for the whole report on two cores "
        "(`make report` prints the time of each step).\n\n" + pkgs.to_markdown(index=False)
    )
    emap = exhibit_map(exhibits)
    exhibits_md = (
        "## List of exhibits and programs\n\nEach figure and table, the notebook cell that "
        "makes it and the potash function called there. Notebooks are jupytext `py:percent` "
        "files; cell numbers count every cell from 1.\n\n"
        + (emap.to_markdown(index=False) if len(emap) else "No exhibits.")
    )
    return [intro, data, computing, exhibits_md]
