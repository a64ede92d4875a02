"""Command-line interface: ``potash data`` and ``potash report``."""

from __future__ import annotations

import argparse
import sys


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
    parser = argparse.ArgumentParser(prog="potash", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_data = sub.add_parser("data", help="build data/processed/*.parquet from data/raw")
    p_data.add_argument("--refresh", action="store_true", help="download new vintages first")
    sub.add_parser("report", help="build processed data, run notebooks, write reports/")
    args = parser.parse_args(argv)
    if args.command == "data":
        from potash.pipeline.build import build_processed
        from potash.pipeline.refresh import RefreshError

        try:
            build_processed(refresh=args.refresh)
        except RefreshError as exc:  # offline, missing key, a source that moved: say so plainly
            print(f"potash data --refresh: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "report":
        from potash.pipeline.report import build_report

        build_report()
        return 0
    parser.print_help(sys.stderr)
    return 2
