"""Processed tables: deterministic, atomic, rebuilt when raw or code is newer."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from potash.core.paths import raw_dir
from potash.data._cache import _registry, _write, cached
from potash.data.datapackage import datapackage_path


@pytest.fixture
def small_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "data" / "raw" / "events").mkdir(parents=True)
    shutil.copy(datapackage_path(), root / "data" / "datapackage.json")
    shutil.copy(raw_dir() / "events" / "sanctions_events.csv", root / "data/raw/events/")
    monkeypatch.setenv("POTASH_ROOT", str(root))
    return root


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_processed_is_deterministic_and_cached(small_root: Path) -> None:
    ev = cached("events")
    out = small_root / "data" / "processed" / "events.parquet"
    first = _sha(out)
    mtime = out.stat().st_mtime_ns
    again = cached("events")  # fresh: read, not rebuilt
    assert out.stat().st_mtime_ns == mtime
    pd.testing.assert_frame_equal(ev, again)
    _write("events", _registry()["events"])  # rebuild: byte-identical
    assert _sha(out) == first
    # the cache is keyed on content: touching a raw file (same bytes) rebuilds nothing
    raw = small_root / "data/raw/events/sanctions_events.csv"
    later = out.stat().st_mtime_ns + 10**9
    os.utime(raw, ns=(later, later))
    cached("events")
    assert _sha(out) == first


