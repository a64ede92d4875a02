"""Core helpers: error messages, option checks, deterministic figures."""

from __future__ import annotations

import hashlib
from typing import Literal

import matplotlib.pyplot as plt
import pytest

from potash import PotashDataError
from potash.core.options import check_option
from potash.figures import add_source, new_axes, potash_style, save_figure


def test_error_names_file_column_row() -> None:
    err = PotashDataError("not a number: 'x'", file="a.csv", column="value", row=3)
    assert str(err) == "a.csv, column 'value', row 3: not a number: 'x'"
    assert isinstance(err, ValueError)
    assert (err.file, err.column, err.row) == ("a.csv", "value", 3)


def test_check_option_lists_allowed_values() -> None:
    assert check_option("kind", "log", Literal["simple", "log"]) == "log"
    with pytest.raises(
        ValueError, match=r"kind='cubic' is not allowed; choose one of 'simple', 'log'"
    ):
        check_option("kind", "cubic", Literal["simple", "log"])


def _draw(path):
    with potash_style():
        fig, ax = new_axes()
        ax.plot([1, 2, 3], [3, 1, 2])
        ax.set_title("t")
        add_source(fig, "test")
    paths = save_figure(fig, path)
    plt.close(fig)
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_save_figure_is_byte_identical(tmp_path) -> None:
    assert _draw(tmp_path / "a") == _draw(tmp_path / "b")


def test_style_leaves_global_state_alone() -> None:
    before = plt.rcParams["axes.spines.top"]
    with potash_style():
        assert plt.rcParams["axes.spines.top"] is False
    assert plt.rcParams["axes.spines.top"] == before


def test_cli_refresh_offline_exits_with_a_message(monkeypatch, capsys) -> None:
    import potash.pipeline.build as build
    from potash.pipeline.cli import main
    from potash.pipeline.refresh import OfflineError

    def offline(refresh: bool = False) -> None:
        raise OfflineError("cannot reach the World Bank host: are you offline?")

    monkeypatch.setattr(build, "build_processed", offline)
    assert main(["data", "--refresh"]) == 1
    assert "are you offline?" in capsys.readouterr().err


def test_cli_data_error_is_a_message_not_a_traceback(monkeypatch, capsys) -> None:
    import potash.pipeline.build as build
    from potash.core.errors import PotashDataError
    from potash.pipeline.cli import main

    def changed(refresh: bool = False) -> None:
        raise PotashDataError("sha256 differs from data/datapackage.json", file="data/raw/x.csv")

    monkeypatch.setattr(build, "build_processed", changed)
    assert main(["data"]) == 1
    assert "data/raw/x.csv" in capsys.readouterr().err
