"""The methods appendix of the report, generated from the shipped data package and calendar."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from potash.core.paths import project_root

__all__ = ["data_files_table", "methods_notebook"]

FORMULAS = r"""
### Models, conventions and test statistics

**Returns event study** (`potash.event_study`). Market model
$R_{it} = \alpha_i + \beta_i R_{mt} + \varepsilon_{it}$ estimated by OLS on the estimation window
of $M_i$ trading days; abnormal return $AR_{it} = R_{it} - \hat\alpha_i - \hat\beta_i R_{mt}$;
$CAR_i(\tau_1,\tau_2) = \sum_{t=\tau_1}^{\tau_2} AR_{it}$; $AAR_t = N^{-1}\sum_i AR_{it}$,
$CAAR = \sum_t AAR_t$. Textbook convention (MacKinlay 1997): $\hat\sigma^2_i = \frac{1}{M_i-2}\sum \hat\varepsilon^2_{it}$
and the forecast-error variance $\hat\sigma^2_i\,[1 + 1/M_i + (R_{mt}-\bar R_m)^2/\sum_s (R_{ms}-\bar R_m)^2]$
for standardised abnormal returns $SAR_{it}$. Parametric tests: cross-sectional
$t = \sqrt N\, \overline{AR}_t / s_{AR_t}$; Patell $Z = \sum_i SAR_{it} / \sqrt{\sum_i (M_i-2)/(M_i-4)}$;
BMP $t = \sqrt N\, \overline{SAR}_t / s_{SAR_t}$; Kolari-Pynnönen adjustments multiply by
$\sqrt{(1-\bar r)/(1+(N-1)\bar r)}$ with $\bar r$ the mean pairwise correlation of
estimation-window residuals matched by calendar date. Non-parametric: sign, generalized sign,
Corrado rank, Corrado-Zivney, GRANK, Wilcoxon. When events share a calendar date, the
statistics robust to cross-correlation (adjusted BMP, adjusted Patell, GRANK, Brown-Warner 1985,
Lamb) are reported first.

**Commodity prices** (`potash.price_event_study`). Interrupted time series on monthly log prices:
$\ln p_t = a + b\,t + \sum_k \gamma_k \ln c_{kt} + \sum_j [\delta_j S_{jt} + \rho_j R_{jt} + \pi_j P_{jt}] + u_t$
with step $S_{jt} = 1[t \ge t_j]$, ramp $R_{jt} = (t - t_j)\,1[t \ge t_j]$, pulse $P_{jt} = 1[t = t_j]$;
Newey-West HAC standard errors with the Bartlett kernel. Structural breaks: Chow F at a known date;
sup-F, ave-F and exp-F (Andrews 1993, Andrews-Ploberger 1994) with Hansen (1997) p-values;
Bai-Perron multiple breaks by dynamic programming with BIC and Bai (1997) confidence intervals.

**Trade flows** (`potash.trade_event_study`). PPML: $E[y_{it}] = \exp(\mu_i + \lambda_t + \beta D_{it})$
with exporter and year fixed effects, $D_{it} = 1[i=\text{BLR}, t \ge t_0]$; effect
$100(e^{\beta}-1)$ percent; cluster-robust standard errors by exporter. Synthetic control: convex
donor weights minimising pre-period RMSPE; in-space placebos and the post/pre RMSPE ratio.
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
    return ev[["date", "event_id", "type", "verified", "equity_event_study", "headline_marks"]]


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
    files["sha256"] = files["sha256"].str.slice(0, 16) + "…"
    ev = _events_table()
    ev["date"] = ev["date"].dt.strftime("%Y-%m-%d")
    cells = [
        nbformat.v4.new_markdown_cell("# Methods appendix"),
        nbformat.v4.new_markdown_cell(
            "## Data files\n\nEvery raw file is verified against its sha256 before it is read.\n\n"
            + files.to_markdown(index=False)
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
