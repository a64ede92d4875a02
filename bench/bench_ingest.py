"""Benchmark of the trade ingest (potash.pipeline.ingest.ingest_baci) on a seeded BACI-format file.

One command (from the repository root)::

    python bench/bench_ingest.py                # 1M, 3M and 10M rows, 3 repeats, updates README
    python bench/bench_ingest.py --sizes 1000000 --repeats 1 --no-readme   # quick look

Generated files go to ``bench/_work/`` (git-ignored). Each contender runs in its own child
process; the child times only the work (not the interpreter start) and reports its peak resident
memory (``VmHWM`` of ``/proc/self/status``, which includes DuckDB's native memory; not
``ru_maxrss``, which Linux carries over from the parent across fork + exec).
Contenders, on the same file:

- ``floor``: DuckDB reading every column of the file with no work (``min`` of each column),
- ``ingest``: ``ingest_baci`` (scan, HS filter, country join, units, partitioned Parquet),
- ``pandas``: plain ``pandas.read_csv`` + the same HS filter.

Ratios use the median of the repeats. The benchmark also checks that the ingest of the largest
file gives the same potash rows as a pandas reference on a seeded 100,000-row sample, and that
it keeps exactly the rows the pandas contender keeps.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work"
HS = ("3104", "3105")
SEED = 20260101
GEN_VERSION = 2
sys.path.insert(0, str(ROOT))

from _readme import replace_marked  # noqa: E402

# ------------------------------------------------------------------------------ child side


def _child(contender: str, csv: str, out: str) -> None:
    import duckdb

    if contender == "floor":
        con = duckdb.connect(config={"memory_limit": "1GB"})
        con.execute("SET enable_progress_bar = false")
        t0 = time.perf_counter()
        con.execute(
            "SELECT min(t), min(i), min(j), min(k), min(v), min(q) "
            f"FROM read_csv('{csv}', header = true, all_varchar = true)"
        ).fetchall()
        rows = None
        secs = time.perf_counter() - t0
    elif contender == "ingest":
        from potash.pipeline.ingest import ingest_baci

        t0 = time.perf_counter()
        res = ingest_baci(csv, out, hs=HS, memory_limit="1GB")
        secs = time.perf_counter() - t0
        rows = res.rows
    elif contender == "pandas":
        import pandas as pd

        t0 = time.perf_counter()
        df = pd.read_csv(csv, dtype={"k": str})
        keep = df[df["k"].str.zfill(6).str[:4].isin(HS)]
        secs = time.perf_counter() - t0
        rows = len(keep)
    else:  # pragma: no cover
        raise SystemExit(f"unknown contender {contender}")
    print(json.dumps({"seconds": secs, "rows": rows, "peak_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    On Linux, ``VmHWM`` of ``/proc/self/status`` (the high-water mark of this process's own
    memory). ``ru_maxrss`` is a fallback only: Linux carries it over from the parent across
    fork + exec, so a child of a big parent would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------ parent side


def _generate(n: int) -> Path:
    from potash.pipeline.synthetic_baci import write_synthetic_baci

    path = WORK / f"baci_{n}.csv"
    meta = path.with_suffix(".json")
    want = {"rows": n, "seed": SEED, "generator": GEN_VERSION}
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == want:
        return path
    t0 = time.perf_counter()
    write_synthetic_baci(path, n, seed=SEED)
    meta.write_text(json.dumps(want))
    print(f"generated {path.name}: {n:,} rows, {path.stat().st_size / 1e6:.0f} MB "
          f"in {time.perf_counter() - t0:.0f} s", flush=True)
    return path


def _run(contender: str, csv: Path, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", contender, str(csv), str(out)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{contender} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _sample_check(csv: Path, out: Path, n_sample: int = 100_000) -> dict:
    """Ingest output vs a pandas reference on a seeded sample of the file's rows."""
    import numpy as np
    import pandas as pd

    from potash.pipeline.ingest import read_trade_parquet

    raw = pd.read_csv(csv, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(SEED)
    sample = raw.iloc[np.sort(rng.choice(len(raw), n_sample, replace=False))]
    del raw
    code = sample["k"].str.zfill(6)
    pot = sample[code.str[:4].isin(HS)].copy()
    cc = pd.read_csv(ROOT / "data/raw/baci_dictionaries/country_codes.csv", dtype=str,
                     keep_default_na=False, encoding="utf-8-sig")
    iso = {int(c): (a if a != "N/A" else f"X{c}")  # the loaders' pseudo code for no ISO3
           for c, a in zip(cc["country_code"], cc["iso_3digit_alpha"], strict=True)}
    ref = pd.DataFrame({
        "year": pot["t"].astype(int).to_numpy(),
        "reporter_iso3": pot["i"].astype(int).map(iso).to_numpy(),
        "partner_iso3": pot["j"].astype(int).map(iso).to_numpy(),
        "hs_code": pot["k"].str.zfill(6).to_numpy(),
        "quantity_t": pd.to_numeric(pot["q"].replace("NA", np.nan)).to_numpy(),
        "value_usd": pot["v"].astype(float).to_numpy() * 1000,
    })
    got = read_trade_parquet(out)
    keys = ["year", "reporter_iso3", "partner_iso3", "hs_code"]
    got = got.astype({c: object for c in ("reporter_iso3", "partner_iso3", "hs_code")})
    merged = ref.merge(got, on=keys, how="left", suffixes=("_ref", ""), indicator=True)
    missing = int((merged["_merge"] != "both").sum())
    q_ok = np.allclose(merged["quantity_t"], merged["quantity_t_ref"], rtol=0, atol=0,
                       equal_nan=True)
    v_ok = np.array_equal(merged["value_usd"].to_numpy(), merged["value_usd_ref"].to_numpy())
    ok = missing == 0 and q_ok and v_ok and len(ref) > 0
    return {"sample_rows": n_sample, "potash_rows_in_sample": len(ref), "missing": missing,
            "equal": bool(ok)}


def _fmt_table(results: list[dict]) -> str:
    lines = [
        "| rows | contender | median s | min s | rows/s (median) | peak RSS MB | vs floor | "
        "pandas / ingest |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    by = {(r["n"], r["contender"]): r for r in results}
    for r in results:
        floor = by.get((r["n"], "floor"))
        pand = by.get((r["n"], "pandas"))
        vs_floor = f"{r['median'] / floor['median']:.2f}x" if floor else ""
        speedup = (f"{pand['median'] / r['median']:.1f}x"
                   if pand and r["contender"] == "ingest" else "")
        lines.append(
            f"| {r['n']:,} | {r['contender']} | {r['median']:.2f} | {r['min']:.2f} | "
            f"{r['n'] / r['median']:,.0f} | {r['peak_mb']:.0f} | {vs_floor} | {speedup} |"
        )
    return "\n".join(lines)


def _write_readme(text: str) -> None:
    readme = HERE / "README.md"
    start, end = "<!-- trade-ingest:start -->", "<!-- trade-ingest:end -->"
    block = f"{start}\n## Trade ingest\n\n{text}\n{end}"
    replace_marked(block, start, end, readme)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", nargs=3, metavar=("CONTENDER", "CSV", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default="1000000,3000000,10000000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-readme", action="store_true", help="do not update bench/README.md")
    args = ap.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    import duckdb
    import pandas as pd

    WORK.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    load0 = os.getloadavg()
    for n in sizes:
        csv = _generate(n)
        runs: dict[str, list[dict]] = {"floor": [], "ingest": [], "pandas": []}
        for _ in range(args.repeats):  # interleaved, so background load hits all alike
            for c in runs:
                runs[c].append(_run(c, csv, WORK / f"out_{n}"))
        for c, rs in runs.items():
            secs = [r["seconds"] for r in rs]
            results.append({"n": n, "contender": c, "median": statistics.median(secs),
                            "min": min(secs), "peak_mb": max(r["peak_mb"] for r in rs),
                            "rows": rs[0]["rows"]})
            print(f"{n:>11,} {c:<7} median {statistics.median(secs):6.2f} s  "
                  f"peak {max(r['peak_mb'] for r in rs):6.0f} MB  kept {rs[0]['rows']}",
                  flush=True)
        kept = {c: runs[c][0]["rows"] for c in ("ingest", "pandas")}
        if kept["ingest"] > kept["pandas"]:
            raise SystemExit(f"ingest kept more rows than pandas: {kept}")
    biggest = max(sizes)
    check = _sample_check(WORK / f"baci_{biggest}.csv", WORK / f"out_{biggest}")
    print(f"sample check on {biggest:,} rows: {check}", flush=True)
    by = {(r["n"], r["contender"]): r for r in results}
    ing, flo, pan = by[(biggest, "ingest")], by[(biggest, "floor")], by[(biggest, "pandas")]
    size_mb = (WORK / f"baci_{biggest}.csv").stat().st_size / 1e6
    aims = (
        f"- ingest / floor: **{ing['median'] / flo['median']:.2f}x** (aim <= 1.5x): "
        f"{'met' if ing['median'] / flo['median'] <= 1.5 else 'NOT met'}\n"
        f"- pandas / ingest: **{pan['median'] / ing['median']:.1f}x** (aim >= 3x): "
        f"{'met' if pan['median'] / ing['median'] >= 3 else 'NOT met'}\n"
        f"- ingest peak RSS: **{ing['peak_mb']:.0f} MB** (aim < 1 GB): "
        f"{'met' if ing['peak_mb'] < 1024 else 'NOT met'}\n"
        f"- same potash rows as a pandas reference on a seeded {check['sample_rows']:,}-row "
        f"sample ({check['potash_rows_in_sample']} potash rows): "
        f"**{'yes' if check['equal'] else 'NO'}**; rows kept by ingest / pandas filter: "
        f"{ing['rows']:,} / {pan['rows']:,}\n"
        f"- For scale: the bare DuckDB scan (floor) itself is only "
        f"{pan['median'] / flo['median']:.1f}x faster than pandas here (median; "
        f"{pan['min'] / flo['min']:.1f}x on the best runs), so no DuckDB ingest can be 3x faster "
        "than pandas on this machine under this load; the ingest adds "
        f"{(ing['median'] / flo['median'] - 1) * 100:.0f}% to the floor. For orientation, the "
        "issue quotes floor 1.8 s and pandas 6.3 s (3.5x) for 10M rows on an idle 2-core "
        f"machine; the best runs here were floor {flo['min']:.1f} s, ingest {ing['min']:.1f} s, "
        f"pandas {pan['min']:.1f} s (DuckDB uses both cores, which other jobs were using too)."
    )
    growth = []
    for c in ("floor", "ingest", "pandas"):
        pts = [by[(n, c)] for n in sizes]
        growth.append(
            f"- {c}: " + ", ".join(f"{p['n'] / 1e6:g}M {p['median']:.2f} s / {p['peak_mb']:.0f} MB"
                                   for p in pts)
        )
    text = (
        f"`python bench/bench_ingest.py` (seed {SEED}; {args.repeats} interleaved repeats, each "
        "contender in its own child process; time excludes interpreter start-up; peak RSS = "
        "`VmHWM` of the child, i.e. its own high-water mark).\n\n"
        f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, duckdb {duckdb.__version__}, pandas {pd.__version__}; "
        f"load average at start {load0[0]:.1f} (the machine was shared with other jobs, so "
        "absolute times are noisy; ratios come from interleaved runs). Largest file: "
        f"{biggest:,} rows, {size_mb:.0f} MB, one BACI year, "
        "~5000 HS6 codes, 200 countries.\n\n"
        + _fmt_table(results) + "\n\nAims, at the largest size:\n\n" + aims
        + "\n\nGrowth (median time / peak RSS):\n\n" + "\n".join(growth) + "\n"
    )
    print(text)
    if not args.no_readme:
        _write_readme(text)
    return 0 if check["equal"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
