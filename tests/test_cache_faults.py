"""Fault suite of the processed cache (issue 14): each fault ends in a correct rebuild or a
clear error, and ``data/raw`` is byte-identical afterwards."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from potash.core.errors import PotashDataError
from potash.core.paths import raw_dir
from potash.data import load_events, load_trade
from potash.data.datapackage import datapackage_path

FAO = ("faostat_agdata", "agData_FAO_Fertilizers_potash.csv.gz")
BACI = ("baci_dictionaries", "country_codes.csv")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    r = tmp_path / "proj"
    for parts in (("events", "sanctions_events.csv"), FAO, BACI):
        (r / "data" / "raw" / parts[0]).mkdir(parents=True, exist_ok=True)
        shutil.copy(raw_dir().joinpath(*parts), r / "data" / "raw" / parts[0])
    shutil.copy(datapackage_path(), r / "data" / "datapackage.json")
    monkeypatch.setenv("POTASH_ROOT", str(r))
    return r


def _raw_digest(r: Path) -> dict[str, str]:
    return {str(p.relative_to(r)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((r / "data" / "raw").rglob("*")) if p.is_file()}


def _proc(r: Path, name: str) -> Path:
    return r / "data" / "processed" / name


def test_wrong_table_copied_over_is_rebuilt(root: Path) -> None:
    before = _raw_digest(root)
    truth = load_events()
    load_trade("faostat")
    shutil.copy(_proc(root, "trade_faostat.parquet"), _proc(root, "events.parquet"))
    pd.testing.assert_frame_equal(load_events(), truth)
    assert _raw_digest(root) == before


def test_corrupt_parquet_is_rebuilt(root: Path) -> None:
    truth = load_events()
    p = _proc(root, "events.parquet")
    p.write_bytes(p.read_bytes()[: 200])
    pd.testing.assert_frame_equal(load_events(), truth)
    p.write_bytes(b"not a parquet file at all")
    pd.testing.assert_frame_equal(load_events(), truth)


def test_deleted_dropped_sidecar_is_rebuilt(root: Path) -> None:
    _, ex = load_trade("faostat", return_excluded=True)
    assert ex is not None and len(ex) > 0
    _proc(root, "trade_faostat__dropped.parquet").unlink()
    _, again = load_trade("faostat", return_excluded=True)
    assert again is not None
    pd.testing.assert_frame_equal(again, ex)


def test_deleted_meta_or_table_is_rebuilt(root: Path) -> None:
    truth = load_events()
    _proc(root, "events.meta.json").unlink()
    pd.testing.assert_frame_equal(load_events(), truth)
    _proc(root, "events.parquet").unlink()
    pd.testing.assert_frame_equal(load_events(), truth)


def test_replaced_raw_file_with_an_older_mtime_is_rebuilt(root: Path) -> None:
    """A new calendar registered in the datapackage, copied with an *older* mtime (cp -p)."""
    old = load_events()
    raw = root / "data/raw/events/sanctions_events.csv"
    text = raw.read_text().replace("Belarus presidential election", "Belarusian presidential vote", 1)
    stamp = raw.stat().st_mtime_ns - 10**12
    raw.write_text(text)
    os.utime(raw, ns=(stamp, stamp))
    dp = json.loads((root / "data/datapackage.json").read_text())
    for res in dp["resources"]:
        if res["path"].endswith("events/sanctions_events.csv"):
            res["hash"] = "sha256:" + hashlib.sha256(raw.read_bytes()).hexdigest()
            res["bytes"] = raw.stat().st_size
    (root / "data/datapackage.json").write_text(json.dumps(dp, indent=2))
    new = load_events()
    assert new.loc[0, "description"] != old.loc[0, "description"]
    assert "Belarusian presidential vote" in new.loc[0, "description"]


def test_changed_raw_file_not_registered_is_a_clear_error(root: Path) -> None:
    load_events()
    raw = root / "data/raw/events/sanctions_events.csv"
    raw.write_text(raw.read_text().replace("2020-08-09", "2020-08-10", 1))
    with pytest.raises(PotashDataError, match="sanctions_events.csv"):
        load_events()


def test_deleted_raw_file_is_a_clear_error_not_a_stale_table(root: Path) -> None:
    load_events()
    (root / "data/raw/events/sanctions_events.csv").unlink()
    with pytest.raises(PotashDataError, match="sanctions_events.csv"):
        load_events()


def test_killed_write_leaves_no_temporary_file(root: Path) -> None:
    load_events()
    stale = _proc(root, ".events.parquet.abc123.tmp")
    stale.write_bytes(b"half a file")
    load_events()
    assert not stale.exists()
    assert not list(_proc(root, "").glob(".*.tmp"))


def test_processed_files_are_byte_identical_on_rebuild(root: Path) -> None:
    load_events()
    files = ("events.parquet", "events.meta.json")
    first = {f: _proc(root, f).read_bytes() for f in files}
    for f in files:
        _proc(root, f).unlink()
    load_events()
    assert {f: _proc(root, f).read_bytes() for f in files} == first


def test_a_reader_waits_for_a_live_writer_and_keeps_its_temporary_file(root: Path) -> None:
    """The CI failure of stop 16: a second worker's ``cached`` removed the first worker's
    temporary file mid-write. While a writer holds the table's lock, another caller blocks
    and leaves the writer's temporary file alone; once the lock is free it serves the table."""
    import threading

    from potash.data import _cache

    truth = load_events()  # the cache is fresh: an unlocked reader would return at once
    live = _proc(root, ".events.parquet.live123.tmp")
    got: list[pd.DataFrame] = []
    with _cache._lock("events"):
        live.write_bytes(b"being written")
        reader = threading.Thread(target=lambda: got.append(load_events()), daemon=True)
        reader.start()
        reader.join(timeout=2.0)
        assert reader.is_alive(), "the reader did not wait for the writer's lock"
        assert live.exists(), "the reader removed a live writer's temporary file"
    reader.join(timeout=60)
    assert not reader.is_alive()
    pd.testing.assert_frame_equal(got[0], truth)
    assert not live.exists()  # stale once no writer holds the lock: cleaned


def _build_in_child(q) -> None:  # runs in a spawned process (POTASH_ROOT is inherited)
    from potash.data import load_trade

    q.put(load_trade("faostat").shape)


def test_two_processes_building_one_cold_table_both_succeed(root: Path) -> None:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_build_in_child, args=(q,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    shapes = [q.get(timeout=5) for _ in procs]
    assert shapes[0] == shapes[1] == load_trade("faostat").shape
    assert not list(_proc(root, "").glob(".*.tmp"))


def test_read_only_processed_serves_an_exact_cache_else_builds_in_memory(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the lock file cannot be created (a read-only checkout), an exact cache is still
    served, and without one the table is built in memory and nothing is written."""
    import contextlib

    from potash.data import _cache

    truth = load_events()

    @contextlib.contextmanager
    def denied(name: str):
        raise PermissionError(13, "Permission denied", f".{name}.lock")
        yield  # pragma: no cover

    writes: list[str] = []
    real_write = _cache._write
    monkeypatch.setattr(_cache, "_lock", denied)
    monkeypatch.setattr(_cache, "_write", lambda name, *a, **k: writes.append(name)
                        or real_write(name, *a, **k))
    pd.testing.assert_frame_equal(load_events(), truth)  # the exact cache, read
    for f in _proc(root, "").glob("events*"):
        f.unlink()
    pd.testing.assert_frame_equal(load_events(), truth)  # built in memory
    assert not list(_proc(root, "").glob("events*")) and writes == []
