"""Every raw read goes through the checksum-verified path (issue 14).

All loaders run from scratch on the shipped data/raw (a fresh processed cache in a temporary
project root) while every file-opening call is recorded; each raw file opened must have been
verified against data/datapackage.json first. Then the converse: a changed byte in any read
raw file makes the loader that reads it fail, naming the file.
"""

from __future__ import annotations

import builtins
import gzip
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

import potash.data.datapackage as dp
from potash.core.errors import PotashDataError
from potash.core.paths import raw_dir

REAL_RAW = raw_dir()
REAL_DP = REAL_RAW.parent / "datapackage.json"


def _run_every_loader() -> None:
    import potash
    from potash.data import build

    build.build_processed()
    potash.load_routes()
    potash.klaipeda_cargo()
    potash.baci_country_table()
    for src in ("worldbank", "usda", "ecuador"):
        potash.load_prices(src)
    potash.load_prices(vintage="2026-05-04")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = tmp_path / "proj"
    shutil.copytree(REAL_RAW, r / "data" / "raw")
    shutil.copy(REAL_DP, r / "data" / "datapackage.json")
    monkeypatch.setenv("POTASH_ROOT", str(r))
    return r


def test_every_raw_file_opened_was_verified_first(root: Path, monkeypatch) -> None:
    raw = (root / "data" / "raw").resolve()
    opened: list[Path] = []
    verified: set[Path] = set()

    def note(arg) -> None:
        try:
            p = Path(arg).resolve()
        except TypeError:
            return
        if p.is_relative_to(raw) and p.is_file():
            if p not in verified:
                opened.append(p)

    def spy(fn):
        def inner(*args, **kwargs):
            if args:
                note(args[0])
            return fn(*args, **kwargs)
        return inner

    real_verify = dp.verify_resource

    def verify(path):
        verified.add(Path(path).resolve())
        return real_verify(path)

    monkeypatch.setattr(dp, "verify_resource", verify)
    for mod, name in ((builtins, "open"), (io, "open"), (gzip, "open"), (pd, "read_csv"),
                      (pd, "read_excel"), (pq, "read_table"), (openpyxl, "load_workbook")):
        monkeypatch.setattr(mod, name, spy(getattr(mod, name)))
    _run_every_loader()
    unverified = sorted({str(p.relative_to(raw)) for p in opened})
    assert unverified == [], f"raw files read before their sha256 was checked: {unverified}"
    assert len(verified) >= 40


def test_a_changed_byte_in_a_read_raw_file_is_caught(tmp_path: Path, monkeypatch) -> None:
    """The Klaipeda workbook (read by an analysis) and the calendar: one changed byte fails."""
    r = tmp_path / "proj"
    shutil.copytree(REAL_RAW, r / "data" / "raw")
    shutil.copy(REAL_DP, r / "data" / "datapackage.json")
    monkeypatch.setenv("POTASH_ROOT", str(r))
    import potash

    for rel, call in (("klaipeda_port_news/klaipeda_port_scraper.xlsx", potash.klaipeda_cargo),
                      ("events/sanctions_events.csv", potash.load_events)):
        f = r / "data" / "raw" / rel
        good = f.read_bytes()
        f.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
        with pytest.raises(PotashDataError, match=Path(rel).name):
            call()
        f.write_bytes(good)
    assert json.loads((r / "data/datapackage.json").read_text()) == json.loads(REAL_DP.read_text())
