"""The potash command line: build the processed data, or the whole report.

Commands:
  potash data                    build data/processed/*.parquet from data/raw
  potash data --refresh          download new vintages first (needs the network)
  potash report                  build data, run every notebook, write reports/
  potash report --only 04        rerun one notebook (number or name) and rebuild report.html
  potash report --output DIR     write into DIR instead of reports/
  potash --version               print the package version

Heavy modules (pandas, nbconvert) load only inside a command, so --help and --version are fast.
"""

from __future__ import annotations

import argparse
import sys
import time

__all__ = ["main"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("potash")
    except PackageNotFoundError:
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="potash",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1].strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"potash {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="{data,report}")
    p_data = sub.add_parser("data", help="build data/processed/*.parquet from data/raw",
                            description="Build data/processed/*.parquet from data/raw.")
    p_data.add_argument("--refresh", action="store_true", help="download new vintages first")
    p_rep = sub.add_parser(
        "report",
        help="build processed data, run the notebooks, write reports/",
        description="Build processed data, run the notebooks and write figures, tables, "
        "findings and report.html. Everything is built in a temporary folder and moved into "
        "place only when every notebook succeeded.",
    )
    p_rep.add_argument("--only", action="append", metavar="NB",
                       help="run only this notebook (number such as 04, or name); repeatable")
    p_rep.add_argument("--output", metavar="DIR", help="write here instead of reports/")
    p_rep.add_argument("--no-data", action="store_true", help="do not rebuild data/processed first")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the potash command line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status.

    Examples
    --------
    >>> main(["--help"])  # doctest: +SKIP
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "data":
        from potash.core.errors import PotashDataError
        from potash.pipeline.build import build_processed
        from potash.pipeline.refresh import RefreshError

        t0 = time.perf_counter()
        try:
            paths = build_processed(refresh=args.refresh)
        except RefreshError as exc:  # offline, missing key, a source that moved: say so plainly
            print(f"potash data --refresh: {exc}", file=sys.stderr)
            return 1
        except (PotashDataError, PermissionError) as exc:  # a changed raw file, read-only tree
            print(f"potash data: {exc}", file=sys.stderr)
            return 1
        _say_built(paths, time.perf_counter() - t0)
        return 0
    if args.command == "report":
        from potash.pipeline.report import build_report

        try:
            build_report(args.output, build_data=not args.no_data, only=args.only)
        except (RuntimeError, ValueError) as exc:  # a failing notebook, an unknown --only
            print(f"potash report: {exc}", file=sys.stderr)
            print("potash report: the previous report (if any) was left unchanged", file=sys.stderr)
            return 1
        return 0
    parser.print_help(sys.stderr)
    return 2


def _say_built(paths: list, seconds: float) -> None:
    from pathlib import Path

    paths = [Path(p) for p in paths]
    tables = [p for p in paths if not p.stem.endswith("__dropped")]
    size = sum(p.stat().st_size for p in paths if p.exists())
    folder = paths[0].parent if paths else "data/processed"
    print(f"potash data: wrote {len(tables)} tables (+{len(paths) - len(tables)} tables of dropped "
          f"rows), {size / 1e6:.1f} MB, in {folder} in {seconds:.1f} s:")
    for p in tables:
        print(f"  {p.name}")
