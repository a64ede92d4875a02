"""Seeded synthetic BACI-format files for tests and the ingest benchmark (never for analysis).

The generator mimics a BACI yearly file (``t,i,j,k,v,q``): one year, about 200 exporters and
importers taken from the real BACI country dictionary, about 5000 HS6 codes (all HS 3104 and 3105
subheadings, other chapter-31 codes and codes across chapters 01-97; BACI writes codes without the
leading zero, so ``010121`` appears as ``10121``), skewed (log-normal) country and product
weights, unique (i, j, k) triples sorted like the real files, values in thousand USD and
quantities in tonnes with 3 decimals, and about 2% of quantities ``NA``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from potash.core.paths import raw_dir

POTASH_HS6 = (
    "310420", "310430", "310490",
    "310510", "310520", "310530", "310540", "310551", "310559", "310560", "310590",
)  # fmt: skip


def _codes(rng: np.random.Generator, n_products: int, n_countries: int):
    cc = pd.read_csv(
        raw_dir() / "baci_dictionaries" / "country_codes.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    ok = cc[cc["iso_3digit_alpha"].str.fullmatch(r"[A-Z]{3}")].copy()
    ok["code"] = ok["country_code"].astype(int)
    # one code per ISO3, as in a BACI year (276 Germany, not also 280 "Fed. Rep. of Germany")
    ok = ok.sort_values("code").drop_duplicates("iso_3digit_alpha")
    codes = ok["code"].to_numpy()
    must = np.array([112, 124, 643, 156, 76, 842, 616, 440, 276, 376, 400, 699])
    rest = rng.permutation(np.setdiff1d(codes, must))[: n_countries - len(must)]
    countries = np.sort(np.concatenate([must, rest]))
    fixed = np.array([int(c) for c in POTASH_HS6] + [310210, 310230, 310311, 310390])
    ch = rng.integers(1, 98, 4 * n_products)
    heading = rng.integers(1, 100, 4 * n_products)
    sub = rng.integers(10, 100, 4 * n_products)
    pool = np.setdiff1d(np.unique(ch * 10000 + heading * 100 + sub), fixed)
    pool = pool[(pool // 100) % 100 != 4]  # leave headings 3104/3105 (and xx04) to `fixed`
    products = np.sort(
        np.concatenate([fixed, rng.permutation(pool)[: n_products - len(fixed)]])
    )
    return countries, products


def synthetic_baci_table(
    n_rows: int, *, seed: int = 20260101, year: int = 2022, n_products: int = 5000,
    n_countries: int = 200,
) -> pa.Table:
    """Return a seeded BACI-format Arrow table ``t,i,j,k,v,q`` with ``n_rows`` unique flows.

    Examples
    --------
    >>> t = synthetic_baci_table(1000, seed=1)
    >>> t.num_rows, t.column_names
    (1000, ['t', 'i', 'j', 'k', 'v', 'q'])
    """
    rng = np.random.default_rng(seed)
    countries, products = _codes(rng, n_products, n_countries)
    nc, npd = len(countries), len(products)
    wc_e = rng.lognormal(0, 1.2, nc)
    wc_m = rng.lognormal(0, 1.2, nc)
    wp = rng.lognormal(0, 1.0, npd)
    keys = np.empty(0, dtype=np.int64)
    draw = int(n_rows * 1.3) + 1000
    while len(keys) < n_rows:
        e = rng.choice(nc, draw, p=wc_e / wc_e.sum())
        m = rng.choice(nc, draw, p=wc_m / wc_m.sum())
        k = rng.choice(npd, draw, p=wp / wp.sum())
        ok = e != m
        new = (e[ok].astype(np.int64) * nc + m[ok]) * npd + k[ok]
        keys = np.unique(np.concatenate([keys, new]))
        draw = max(draw // 2, 1000)
    keys = np.sort(rng.choice(keys, n_rows, replace=False))
    k_idx = keys % npd
    em = keys // npd
    e_idx, m_idx = em // nc, em % nc
    v = np.round(rng.lognormal(2.0, 2.5, n_rows), 3) + 0.001
    q = np.round(v * rng.lognormal(0.5, 1.5, n_rows), 3)
    q_valid = rng.random(n_rows) >= 0.02
    return pa.table(
        {
            "t": pa.array(np.full(n_rows, year, dtype=np.int32)),
            "i": pa.array(countries[e_idx].astype(np.int32)),
            "j": pa.array(countries[m_idx].astype(np.int32)),
            "k": pa.array(products[k_idx].astype(np.int32)),
            "v": pa.array(v),
            "q": pa.array(q, mask=~q_valid),
        }
    )


def write_synthetic_baci(path: str | Path, n_rows: int, *, seed: int = 20260101, **kw) -> Path:
    """Write :func:`synthetic_baci_table` as a BACI CSV (``NA`` for missing quantities).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_synthetic_baci(pathlib.Path(tempfile.mkdtemp()) / "b.csv", 10, seed=1)
    >>> p.read_text().splitlines()[0]
    't,i,j,k,v,q'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = synthetic_baci_table(n_rows, seed=seed, **kw)
    opts = pacsv.WriteOptions(null_string="NA", quoting_header="none", quoting_style="needed")
    pacsv.write_csv(table, path, write_options=opts)
    return path
