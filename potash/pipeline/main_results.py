"""The report's main-results table: one row per result a notebook recorded with ``Findings.result``.

Columns: design, result, estimate, SE, interval, N, inference. Written into the HTML and as
``reports/tables/main_results.md`` and ``.tex`` for a paper. A design (price, equity, trade) that
recorded no result gets a row saying so, so the table never silently drops a design.

Built with pandas (``to_markdown`` through tabulate, ``to_latex``) rather than ``maketables``:
maketables formats fitted model objects (pyfixest, statsmodels, linearmodels) and pulls in
great-tables and python-docx, while these rows come from several estimators (ITS, event-study
tests, PPML) as already computed numbers, which need only formatting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from potash.core.formatting import round_sig
from potash.core.io import atomic_write

__all__ = ["DESIGNS", "main_results_frame", "main_results_markdown", "write_main_results"]

#: design -> (readable name, the notebook that records it by default)
DESIGNS: dict[str, tuple[str, str]] = {
    "price": ("Commodity prices (interrupted time series)", "04_prices"),
    "equity": ("Producer equities (event study)", "05_equities"),
    "trade": ("Trade flows (PPML panel, synthetic control)", "06_trade_panel"),
}
COLUMNS = ["Design", "Result", "Estimate", "SE", "Interval", "N", "Inference"]


def _fmt(x: Any, fmt: str | None) -> str:
    if x is None:
        return ""
    return fmt.format(x) if fmt else round_sig(float(x), 3)


def main_results_frame(findings: dict[str, dict[str, Any]]) -> Any:
    """Return the table (strings, ready to show) from the findings payloads by notebook stem.

    Examples
    --------
    >>> payload = {"results": {"step": {"label": "Potash step", "design": None,
    ...     "estimate": 0.5391, "se": 0.08, "ci_low": 0.31, "ci_high": 0.77, "level": 0.95,
    ...     "n": 76, "n_label": "months", "method": "OLS, Newey-West HAC", "fmt": "{:+.0%}",
    ...     "p_value": 0.0001}}}
    >>> t = main_results_frame({"04_prices": payload})
    >>> t.iloc[0][["Estimate", "Interval", "N"]].tolist()
    ['+54% (p < 0.001)', '95%: +31% to +77%', '76 months']
    >>> t.iloc[1]["Result"]
    'no main result recorded yet'
    """
    import pandas as pd

    by_notebook = {nb: d for d, (_, nb) in DESIGNS.items()}
    rows: dict[str, list[dict[str, str]]] = {d: [] for d in DESIGNS}
    for stem, payload in sorted(findings.items()):
        for res in (payload.get("results") or {}).values():
            design = res.get("design") or by_notebook.get(stem) or stem
            fmt = res.get("fmt")
            est = _fmt(res["estimate"], fmt)
            if res.get("p_value") is not None:
                p = res["p_value"]
                est += " (p < 0.001)" if p < 0.001 else f" (p = {p:.3f})"
            interval = ""
            if res.get("ci_low") is not None:
                level = f"{res.get('level', 0.95):.0%}"
                interval = f"{level}: {_fmt(res['ci_low'], fmt)} to {_fmt(res['ci_high'], fmt)}"
            n = "" if res.get("n") is None else f"{res['n']:,} {res.get('n_label') or ''}".strip()
            rows.setdefault(design, []).append(
                {
                    "Design": DESIGNS.get(design, (design, ""))[0],
                    "Result": res.get("label") or "",
                    "Estimate": est,
                    "SE": _fmt(res.get("se"), fmt),
                    "Interval": interval,
                    "N": n,
                    "Inference": res.get("method") or "",
                }
            )
    out = []
    for design, found in rows.items():
        if found:
            out += found
        else:
            name = DESIGNS.get(design, (design, ""))[0]
            out.append({c: "" for c in COLUMNS} | {"Design": name, "Result": "no main result recorded yet"})
    return pd.DataFrame(out, columns=COLUMNS)


def main_results_markdown(findings: dict[str, dict[str, Any]]) -> str:
    """The table as a report section (Markdown with a heading and a note on reading it).

    Examples
    --------
    >>> main_results_markdown({}).splitlines()[0]
    '# Main results'
    """
    t = main_results_frame(findings)
    return (
        "# Main results\n\n"
        "**Main results.** One row per headline estimate, as recorded by the notebooks "
        "from the fitted results. Intervals are those of the inference named in the last column; "
        "effects in percent are percent changes. Also in `reports/tables/main_results.md` and "
        "`.tex`.\n\n" + t.to_markdown(index=False) + "\n"
    )


def write_main_results(findings: dict[str, dict[str, Any]], folder: Path) -> list[Path]:
    """Write ``main_results.md`` and ``main_results.tex`` into ``folder``; return the paths."""
    t = main_results_frame(findings)
    md = t.to_markdown(index=False) + "\n"
    tex = t.to_latex(
        index=False,
        escape=True,
        caption="Main results: estimate, standard error or interval, observations and inference.",
        label="tab:main_results",
        column_format="ll" + "r" * 4 + "l",
    )
    paths = [folder / "main_results.md", folder / "main_results.tex"]
    atomic_write(paths[0], lambda p: p.write_text(md, encoding="utf-8"))
    atomic_write(paths[1], lambda p: p.write_text(tex, encoding="utf-8"))
    return paths
