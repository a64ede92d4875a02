"""References of the report, and the ``[@key]`` citations that notebooks write in Markdown.

A notebook's Markdown (or a finding sentence) cites with ``[@mackinlay1997]`` or several at once,
``[@baiperron1998; @baiperron2003]``. At build time :func:`cite` replaces each citation by an
author-year link to the bibliography section (``<a href="#ref-key">MacKinlay 1997</a>``) and
:func:`bibliography_markdown` writes that section. An unknown key is an error, so a typo never
reaches the report.
"""

from __future__ import annotations

import html
import re

__all__ = ["REFERENCES", "cite", "cite_plain", "cited_keys", "bibliography_markdown"]

#: key -> (author-year label, full reference in Markdown). Sorted by key for stable output.
REFERENCES: dict[str, tuple[str, str]] = {
    "abadie2010": (
        "Abadie, Diamond and Hainmueller 2010",
        "Abadie, A., A. Diamond and J. Hainmueller (2010). Synthetic control methods for "
        "comparative case studies: estimating the effect of California's tobacco control "
        "program. *Journal of the American Statistical Association* 105(490), 493-505.",
    ),
    "andrews1993": (
        "Andrews 1993",
        "Andrews, D. W. K. (1993). Tests for parameter instability and structural change with "
        "unknown change point. *Econometrica* 61(4), 821-856.",
    ),
    "baiperron1998": (
        "Bai and Perron 1998",
        "Bai, J. and P. Perron (1998). Estimating and testing linear models with multiple "
        "structural changes. *Econometrica* 66(1), 47-78.",
    ),
    "baiperron2003": (
        "Bai and Perron 2003",
        "Bai, J. and P. Perron (2003). Computation and analysis of multiple structural change "
        "models. *Journal of Applied Econometrics* 18(1), 1-22.",
    ),
    "conleytaber2011": (
        "Conley and Taber 2011",
        "Conley, T. G. and C. R. Taber (2011). Inference with \"difference in differences\" "
        "with a small number of policy changes. *Review of Economics and Statistics* 93(1), "
        "113-125.",
    ),
    "kolaripynnonen2010": (
        "Kolari and Pynnönen 2010",
        "Kolari, J. W. and S. Pynnönen (2010). Event study testing with cross-sectional "
        "correlation of abnormal returns. *Review of Financial Studies* 23(11), 3996-4025.",
    ),
    "lazarus2018": (
        "Lazarus, Lewis, Stock and Watson 2018",
        "Lazarus, E., D. J. Lewis, J. H. Stock and M. W. Watson (2018). HAR inference: "
        "recommendations for practice. *Journal of Business & Economic Statistics* 36(4), "
        "541-559.",
    ),
    "mackinlay1997": (
        "MacKinlay 1997",
        "MacKinlay, A. C. (1997). Event studies in economics and finance. *Journal of Economic "
        "Literature* 35(1), 13-39.",
    ),
    "mackinnonwebb2017": (
        "MacKinnon and Webb 2017",
        "MacKinnon, J. G. and M. D. Webb (2017). Wild bootstrap inference for wildly different "
        "cluster sizes. *Journal of Applied Econometrics* 32(2), 233-254.",
    ),
    "neweywest1987": (
        "Newey and West 1987",
        "Newey, W. K. and K. D. West (1987). A simple, positive semi-definite, "
        "heteroskedasticity and autocorrelation consistent covariance matrix. *Econometrica* "
        "55(3), 703-708.",
    ),
    "neweywest1994": (
        "Newey and West 1994",
        "Newey, W. K. and K. D. West (1994). Automatic lag selection in covariance matrix "
        "estimation. *Review of Economic Studies* 61(4), 631-653.",
    ),
    "osw": (
        "OSW",
        "Centre for Eastern Studies (OSW, Ośrodek Studiów Wschodnich). Analyses of the "
        "Belarusian potash industry under sanctions (Belaruskali exports, routes through Russia "
        "and to China), Warsaw, 2021-2023.",
    ),
    "santossilva2006": (
        "Santos Silva and Tenreyro 2006",
        "Santos Silva, J. M. C. and S. Tenreyro (2006). The log of gravity. *Review of "
        "Economics and Statistics* 88(4), 641-658.",
    ),
    "simonsohn2020": (
        "Simonsohn, Simmons and Nelson 2020",
        "Simonsohn, U., J. P. Simmons and L. D. Nelson (2020). Specification curve analysis. "
        "*Nature Human Behaviour* 4, 1208-1214.",
    ),
}

_CITE = re.compile(r"\[(@[A-Za-z0-9_:-]+(?:\s*;\s*@[A-Za-z0-9_:-]+)*)\]")


def _keys(group: str) -> list[str]:
    keys = [k.strip().lstrip("@") for k in group.split(";")]
    unknown = [k for k in keys if k not in REFERENCES]
    if unknown:
        raise KeyError(f"unknown citation key(s) {unknown}; known: {sorted(REFERENCES)}")
    return keys


def cite(text: str) -> str:
    """Replace ``[@key]`` citations in Markdown ``text`` by author-year links to the references.

    Examples
    --------
    >>> cite("Textbook tests [@mackinlay1997].")
    'Textbook tests (<a href="#ref-mackinlay1997">MacKinlay 1997</a>).'
    >>> cite("[@baiperron1998; @baiperron2003]").count("<a ")
    2
    """

    def repl(m: re.Match[str]) -> str:
        links = [
            f'<a href="#ref-{k}">{html.escape(REFERENCES[k][0])}</a>' for k in _keys(m.group(1))
        ]
        return "(" + "; ".join(links) + ")"

    return _CITE.sub(repl, text)


def cite_plain(text: str) -> str:
    """Replace citations by plain ``(Author Year)`` text (for the README and plain files).

    Examples
    --------
    >>> cite_plain("as reported [@osw]")
    'as reported (OSW)'
    """
    return _CITE.sub(lambda m: "(" + "; ".join(REFERENCES[k][0] for k in _keys(m.group(1))) + ")", text)


def cited_keys(text: str) -> list[str]:
    """Return the keys cited in ``text``, in order of first citation.

    Examples
    --------
    >>> cited_keys("[@osw] and [@andrews1993; @osw]")
    ['osw', 'andrews1993']
    """
    seen: list[str] = []
    for m in _CITE.finditer(text):
        for k in _keys(m.group(1)):
            if k not in seen:
                seen.append(k)
    return seen


def bibliography_markdown(cited: list[str] | None = None) -> str:
    """Return the References section: every reference, sorted by author, each with an anchor.

    ``cited`` (keys cited in the report) is used only to mark references the text never cites,
    so nothing silently drops out of the list.

    Examples
    --------
    >>> md = bibliography_markdown()
    >>> md.splitlines()[0]
    '# References'
    >>> 'id="ref-mackinlay1997"' in md
    True
    """
    lines = ["# References", ""]
    for key, (_, full) in sorted(REFERENCES.items(), key=lambda kv: kv[1][1].lower()):
        lines.append(f'<p class="reference" id="ref-{key}">{_md_italics(full)}</p>')
        lines.append("")
    if cited is not None:
        lines.append(f"The text cites {len(set(cited))} of these {len(REFERENCES)} references.")
    return "\n".join(lines).rstrip() + "\n"


def _md_italics(text: str) -> str:
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", html.escape(text, quote=False))
