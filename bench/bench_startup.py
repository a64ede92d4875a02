"""Start-up cost: ``import potash`` and ``potash --help`` in fresh processes (issue 10).

Each is timed in a new interpreter (nothing cached in the process), best and median of N runs,
and compared with what a bare ``python -c pass`` costs on the same machine, so the figure is
the package's own cost. Also reported: the heavy modules ``import potash`` loads (it should
load none of pandas, numpy, statsmodels, duckdb, requests, matplotlib). Writes its section of
``bench/README.md`` between ``<!-- startup:start -->`` and ``<!-- startup:end -->``.

    python bench/bench_startup.py [--repeats 15] [--no-readme]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from _readme import replace_marked

HERE = Path(__file__).resolve().parent
HEAVY = ("pandas", "numpy", "statsmodels", "duckdb", "requests", "matplotlib", "scipy", "pyarrow")


def _time(cmd: list[str], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd=HERE.parent)
        out.append(time.perf_counter() - t0)
    return out


def _heavy_loaded() -> list[str]:
    code = ("import sys, potash; "
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=HERE.parent)
    return res.stdout.split()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--no-readme", action="store_true")
    args = ap.parse_args()
    py = sys.executable
    bare = _time([py, "-c", "pass"], args.repeats)
    imp = _time([py, "-c", "import potash"], args.repeats)
    hlp = _time([py, "-m", "potash", "--help"], args.repeats)
    heavy = _heavy_loaded()
    rows = [("bare `python -c pass`", bare), ("`python -c 'import potash'`", imp),
            ("`python -m potash --help`", hlp)]
    lines = [
        "<!-- startup:start -->",
        "## Start-up",
        "",
        f"Command: `python bench/bench_startup.py` (fresh interpreter per run, {args.repeats} "
        f"runs each). Last run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python "
        f"{sys.version.split()[0]}.",
        "",
        "| what | best (s) | median (s) | median minus bare interpreter (s) | target |",
        "|---|---|---|---|---|",
    ]
    base = statistics.median(bare)
    for name, ts in rows:
        med = statistics.median(ts)
        target = "" if "bare" in name else ("< 1 s: met" if med < 1 else "< 1 s: NOT met")
        lines.append(f"| {name} | {min(ts):.3f} | {med:.3f} | {med - base:.3f} | {target} |")
    lines += [
        "",
        "Heavy modules loaded by `import potash`: "
        + (", ".join(heavy) if heavy else "none of " + ", ".join(HEAVY))
        + ". Public names load on first use (`potash.__getattr__`); before the layout change "
        "(issue 10) `import potash` took about 3 s and `potash --help` up to 10 s on this machine.",
        "<!-- startup:end -->",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_readme:
        replace_marked(text, "<!-- startup:start -->", "<!-- startup:end -->", HERE / "README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
