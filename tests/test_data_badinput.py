"""Bad input: every loader answers a broken file with a PotashDataError naming file, column,
row and problem. Broken copies are built in tmp_path; data/raw is never written."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

import potash
from potash import PotashDataError
from potash.core.paths import project_root, raw_dir
from potash.data import load_trade, verify_all, verify_resource
from potash.data.datapackage import datapackage_path

RAW = raw_dir()
EVENTS = RAW / "events" / "sanctions_events.csv"
MOP = RAW / "faostat_agdata" / "agData_FAO_Fertilizers_MOP.csv"
CURATED = RAW / "bilateral_curated" / "potash_bilateral_curated.csv"
FIX = project_root() / "tests" / "fixtures" / "comtrade"


def expect(call: Callable[[], object], *, file: str, problem: str, column: str | None = None,
           row: int | None = None) -> PotashDataError:
    """Run ``call`` and check the error names file, column, row and problem."""
    with pytest.raises(PotashDataError) as info:
        call()
    msg = str(info.value)
    assert file in msg, msg
    assert problem in msg, msg
    if column is not None:
        assert f"column '{column}'" in msg, msg
    if row is not None:
        assert f"row {row}," in msg or f"row {row}:" in msg, msg
    return info.value


def edit_lines(src: Path, dst: Path, fn: Callable[[list[str]], list[str]]) -> Path:
    lines = src.read_text(encoding="utf-8-sig").splitlines()
    dst.write_text("\n".join(fn(lines)) + "\n", encoding="utf-8")
    return dst


def replace_line(n: int, old: str, new: str) -> Callable[[list[str]], list[str]]:
    """Replace ``old`` by ``new`` in 1-based line ``n``."""
    def fn(lines: list[str]) -> list[str]:
        assert old in lines[n - 1]
        lines[n - 1] = lines[n - 1].replace(old, new, 1)
        return lines
    return fn


# ----------------------------------------------------------------------------- events
def test_events_missing_column(tmp_path: Path) -> None:
    p = edit_lines(EVENTS, tmp_path / "ev.csv", replace_line(1, ",type,", ",kind,"))
    expect(lambda: potash.load_events(p), file="ev.csv", column="type", row=1,
           problem="missing column(s) ['type']")


def test_events_bad_date_and_type(tmp_path: Path) -> None:
    p = edit_lines(EVENTS, tmp_path / "ev.csv", replace_line(3, "2020-08-17", "2020-17-08"))
    expect(lambda: potash.load_events(p), file="ev.csv", column="date", row=3,
           problem="not a date in format %Y-%m-%d: '2020-17-08'")
    p = edit_lines(EVENTS, tmp_path / "ev2.csv", replace_line(3, ",geopolitical,", ",rumour,"))
    expect(lambda: potash.load_events(p), file="ev2.csv", column="type", row=3,
           problem="unknown value 'rumour'")


def test_events_duplicated_id(tmp_path: Path) -> None:
    def dup(lines: list[str]) -> list[str]:
        return [*lines, lines[1]]
    p = edit_lines(EVENTS, tmp_path / "ev.csv", dup)
    expect(lambda: potash.load_events(p), file="ev.csv", column="event_id", row=55,
           problem="duplicated key {'event_id': 'by_presidential_election_2020'} (same as row 2)")


def test_events_empty_and_truncated(tmp_path: Path) -> None:
    (tmp_path / "e0.csv").write_bytes(b"")
    expect(lambda: potash.load_events(tmp_path / "e0.csv"), file="e0.csv", problem="file is empty")
    (tmp_path / "e1.csv").write_text("date,event_id,actor,type,description,source_url,verified\n")
    expect(lambda: potash.load_events(tmp_path / "e1.csv"), file="e1.csv", row=2,
           problem="header but no data rows")
    text = EVENTS.read_text()
    cut = text[: text.index("\n", len(text) // 2) + 40]  # mid-line, inside the description
    (tmp_path / "e2.csv").write_text(cut)
    expect(lambda: potash.load_events(tmp_path / "e2.csv"), file="e2.csv",
           problem="last line is incomplete (file truncated?)")


# --------------------------------------------------------------------- changed hash
@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project tree in tmp_path with the shipped datapackage.json (POTASH_ROOT points to it)."""
    root = tmp_path / "proj"
    (root / "data").mkdir(parents=True)
    shutil.copy(datapackage_path(), root / "data" / "datapackage.json")
    monkeypatch.setenv("POTASH_ROOT", str(root))
    return root


def _copy_raw(root: Path, rel: str) -> Path:
    dst = root / "data" / "raw" / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(RAW / rel, dst)
    return dst


def test_changed_byte_fails_loudly(project_copy: Path) -> None:
    p = _copy_raw(project_copy, "events/sanctions_events.csv")
    assert len(potash.load_events()) == 53  # the intact copy passes
    data = bytearray(p.read_bytes())
    data[200] = ord("X") if data[200] != ord("X") else ord("Y")
    p.write_bytes(bytes(data))
    expect(potash.load_events, file="data/raw/events/sanctions_events.csv",
           problem="sha256 mismatch")


def test_changed_workbook_and_equity_fail(project_copy: Path) -> None:
    p = _copy_raw(project_copy, "worldbank_cmo/vintage_2026-06-02/CMO-Historical-Data-Monthly.xlsx")
    with p.open("ab") as fh:
        fh.write(b"\0")
    expect(potash.load_prices, file="CMO-Historical-Data-Monthly.xlsx", problem="sha256 mismatch")
    for f in (RAW / "yahoo_adjclose_dsturdy").glob("*.csv"):
        _copy_raw(project_copy, f"yahoo_adjclose_dsturdy/{f.name}")
    spy = project_copy / "data/raw/yahoo_adjclose_dsturdy/SPY.csv"
    spy.write_text(spy.read_text().replace("1993-01-29,24.1", "1993-01-29,25.1", 1))
    expect(potash.load_equity_prices, file="SPY.csv", problem="sha256 mismatch")


def test_unregistered_raw_file_refused(project_copy: Path) -> None:
    p = project_copy / "data" / "raw" / "events" / "new.csv"
    p.parent.mkdir(parents=True)
    shutil.copy(EVENTS, p)
    expect(lambda: potash.load_events(p), file="data/raw/events/new.csv",
           problem="not registered in data/datapackage.json")


def test_datapackage_hashes_match() -> None:
    pkg = json.loads(datapackage_path().read_text())
    assert verify_all() == len(pkg["resources"])
    files = {f.relative_to(RAW.parent).as_posix() for f in RAW.rglob("*")
             if f.is_file() and f.name not in {"SOURCE.md", "README.md"}}
    assert files == {r["path"] for r in pkg["resources"]}
    for r in pkg["resources"]:
        assert r["hash"].startswith("sha256:") and r["bytes"] > 0 and r["licenses"] and r["sources"]
    assert verify_resource(EVENTS)["bytes"] == EVENTS.stat().st_size


def test_register_resource_then_verify(project_copy: Path) -> None:
    from potash.data import register_resource

    p = project_copy / "data" / "raw" / "new" / "x.csv"
    p.parent.mkdir(parents=True)
    p.write_text("a,b\n1,2\n")
    res = register_resource(p, source_url="https://example.org/x.csv", license="CC-BY-4.0",
                            version="2026-12-01", description="test vintage")
    assert res["path"] == "raw/new/x.csv"
    assert verify_resource(p)["version"] == "2026-12-01"
    p.write_text("a,b\n1,3\n")
    expect(lambda: verify_resource(p), file="data/raw/new/x.csv", problem="sha256 mismatch")


# ---------------------------------------------------------------------- World Bank xlsx
_SERIES = ["Crude oil, Brent", "Natural gas, US", "Natural gas, Europe", "Phosphate rock", "DAP",
           "TSP", "Urea ", "Potassium chloride **"]


def _mini_pink_sheet(path: Path, *, sheet: str = "Monthly Prices", cell: tuple | None = None,
                     header: str | None = None, dup_month: bool = False) -> Path:
    """A small workbook in the published Pink Sheet layout (title rows, names, units, months)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws["A1"] = "World Bank Commodity Price Data (The Pink Sheet)"
    ws["A4"] = "Updated on June 02, 2026"
    for j, name in enumerate(_SERIES, start=2):
        ws.cell(row=5, column=j, value=name)
        ws.cell(row=6, column=j, value="($/mt)")
    months = ["2026M03", "2026M04", "2026M04" if dup_month else "2026M05"]
    for i, m in enumerate(months, start=7):
        ws.cell(row=i, column=1, value=m)
        for j in range(2, len(_SERIES) + 2):
            ws.cell(row=i, column=j, value=float(100 * i + j))
    ws.cell(row=7, column=3, value="\u2026")
    if cell is not None:
        ws[cell[0]] = cell[1]
    if header is not None:
        ws.cell(row=5, column=len(_SERIES) + 1, value=header)
    wb.save(path)
    return path


def test_worldbank_mini_layout_parses(tmp_path: Path) -> None:
    p = potash.load_prices(path=_mini_pink_sheet(tmp_path / "ok.xlsx"))
    kcl = p[p["series"] == "potassium_chloride"]
    assert kcl["value"].tolist() == [709.0, 809.0, 909.0]
    assert len(p[p["series"] == "natural_gas_us"]) == 2  # the '…' cell is missing, not NaN


def test_worldbank_bad_inputs(tmp_path: Path) -> None:
    col = openpyxl.utils.get_column_letter(len(_SERIES) + 1)
    v = {
        "nonnumeric": _mini_pink_sheet(tmp_path / "nonnumeric.xlsx", cell=(f"{col}8", "n/a")),
        "dupmonth": _mini_pink_sheet(tmp_path / "dupmonth.xlsx", dup_month=True),
        "missingseries": _mini_pink_sheet(tmp_path / "missingseries.xlsx", header="Potash"),
        "badmonth": _mini_pink_sheet(tmp_path / "badmonth.xlsx", cell=("A8", "April 2026")),
        "renamed": _mini_pink_sheet(tmp_path / "renamed.xlsx", sheet="Prices"),
    }
    src = RAW / "worldbank_cmo" / "vintage_2026-06-02" / "CMO-Historical-Data-Monthly.xlsx"
    data = src.read_bytes()
    v["truncated"] = tmp_path / "truncated.xlsx"
    v["truncated"].write_bytes(data[: len(data) // 2])
    v["empty"] = tmp_path / "empty.xlsx"
    v["empty"].write_bytes(b"")
    expect(lambda: potash.load_prices(path=v["nonnumeric"]), file="nonnumeric.xlsx",
           column=f"{col}8", row=8, problem="not a number: 'n/a'")
    expect(lambda: potash.load_prices(path=v["dupmonth"]), file="dupmonth.xlsx", column="A9",
           row=9, problem="month 2026M04 appears twice")
    expect(lambda: potash.load_prices(path=v["badmonth"]), file="badmonth.xlsx", column="A8",
           row=8, problem="not a month in YYYYMmm form: 'April 2026'")
    expect(lambda: potash.load_prices(path=v["missingseries"]), file="missingseries.xlsx",
           column="potassium_chloride", row=5, problem="not found in the header row")
    expect(lambda: potash.load_prices(path=v["renamed"]), file="renamed.xlsx",
           problem="sheet 'Monthly Prices' not found; sheets: ['Prices']")
    expect(lambda: potash.load_prices(path=v["truncated"]), file="truncated.xlsx",
           problem="cannot open as an xlsx workbook (truncated or corrupt?)")
    expect(lambda: potash.load_prices(path=v["empty"]), file="empty.xlsx", problem="file is empty")


def _mini_ecuador(path: Path, *, sheet: str = "histórico_mensual", bad: object = None) -> Path:
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["Grupo", "Ingrediente Activo", "Concentración", "Presentación",
               dt.datetime(2021, 1, 1), dt.datetime(2021, 2, 1)])
    ws.append(["Fungicidas", "Propiconazol ", 0.25, "1 litro", 26.1, 26.6])
    ws.append(["Fertilizantes", "Muriato de Potasio", "0-0-60", "50 kg", 21.5,
               22.0 if bad is None else bad])
    wb.save(path)
    return path


def test_ecuador_bad_inputs(tmp_path: Path) -> None:
    ok = potash.load_prices("ecuador", path=_mini_ecuador(tmp_path / "ok.xlsx"))
    assert ok["value"].tolist() == [21.5, 22.0] and set(ok["unit"]) == {"USD/50 kg bag"}
    p = _mini_ecuador(tmp_path / "ec.xlsx", bad="s/d")
    expect(lambda: potash.load_prices("ecuador", path=p), file="ec.xlsx", column="F3", row=3,
           problem="not a number: 's/d'")
    p = _mini_ecuador(tmp_path / "ec2.xlsx", sheet="mensual")
    expect(lambda: potash.load_prices("ecuador", path=p), file="ec2.xlsx",
           problem="sheet 'histórico_mensual' not found")


def test_usda_bad_inputs(tmp_path: Path) -> None:
    src = RAW / "usda_ams_state_fertilizer" / "us_state_potash_retail_biweekly.csv"
    p = edit_lines(src, tmp_path / "u.csv", replace_line(2, ",566", ",abc"))
    expect(lambda: potash.load_prices("usda", path=p), file="u.csv",
           column="price_avg_usd_per_short_ton", row=2, problem="not a number: 'abc")
    p = edit_lines(src, tmp_path / "u2.csv", lambda ls: [*ls, ls[3]])
    expect(lambda: potash.load_prices("usda", path=p), file="u2.csv", row=len(src.read_text().splitlines()) + 1,
           problem="duplicated key")
    p = edit_lines(src, tmp_path / "u3.csv", replace_line(1, ",state,", ",region,"))
    expect(lambda: potash.load_prices("usda", path=p), file="u3.csv", column="state", row=1,
           problem="missing column")


# ------------------------------------------------------------------------------ equity
def test_equity_bad_inputs(tmp_path: Path) -> None:
    src = RAW / "yahoo_adjclose_dsturdy" / "NTR.csv"
    p = edit_lines(src, tmp_path / "NTR.csv", replace_line(5, ",", ",x"))
    expect(lambda: potash.load_equity_prices(path=p), file="NTR.csv", column="Close", row=5,
           problem="not a number")
    p = edit_lines(src, tmp_path / "A.csv", replace_line(1, "Close", "Adj Close"))
    expect(lambda: potash.load_equity_prices(path=p), file="A.csv", column="Close", row=1,
           problem="missing column")
    p = edit_lines(src, tmp_path / "B.csv", lambda ls: [ls[0], ls[1], ls[1], *ls[2:]])
    expect(lambda: potash.load_equity_prices(path=p), file="B.csv", column="date", row=3,
           problem="duplicated key")
    (tmp_path / "C.csv").write_bytes(b"")
    expect(lambda: potash.load_equity_prices(path=tmp_path / "C.csv"), file="C.csv",
           problem="file is empty")
    text = src.read_text()
    (tmp_path / "D.csv").write_text(text[: text.rindex(",") + 1])
    expect(lambda: potash.load_equity_prices(path=tmp_path / "D.csv"), file="D.csv",
           column="Close", row=len(text.splitlines()), problem="last line is incomplete")
    with pytest.raises(ValueError, match="unknown ticker"):
        potash.load_equity_prices(["KPLUY"])


def test_returns_bad_inputs() -> None:
    import pandas as pd

    px = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-02"]), "ticker": ["A", "A"],
                       "adj_close": [1.0, 2.0]})
    expect(lambda: potash.to_returns(px), file="prices", column="date+ticker", row=1,
           problem="duplicated (date, ticker)")
    expect(lambda: potash.to_returns(px.drop(columns="ticker")), file="prices", column="ticker",
           problem="missing column")
    px2 = px.assign(date=pd.to_datetime(["2024-01-02", "2024-01-03"]), adj_close=[1.0, 0.0])
    expect(lambda: potash.to_returns(px2), file="prices", column="adj_close", row=1,
           problem="positive number")


# ----------------------------------------------------------------------------- FAOSTAT
def test_faostat_bad_inputs(tmp_path: Path) -> None:
    p = edit_lines(MOP, tmp_path / "f.csv", replace_line(2, "Afghanistan", "Atlantis"))
    expect(lambda: load_trade("faostat", p), file="f.csv", column="Area", row=2,
           problem="unknown country or area name 'Atlantis'")
    p = edit_lines(MOP, tmp_path / "f2.csv", replace_line(3, "262.92", "262.9x"))
    expect(lambda: load_trade("faostat", p), file="f2.csv", column="Value", row=3,
           problem="not a number: '262.9x'")
    p = edit_lines(MOP, tmp_path / "f3.csv", lambda ls: [*ls[:3], ls[2], *ls[3:]])
    expect(lambda: load_trade("faostat", p), file="f3.csv", row=4, problem="duplicated key")
    p = edit_lines(MOP, tmp_path / "f4.csv", replace_line(1, "Measurement", "Element"))
    expect(lambda: load_trade("faostat", p), file="f4.csv", column="Measurement", row=1,
           problem="missing column")
    p = edit_lines(MOP, tmp_path / "f5.csv", replace_line(2, "Potassium chloride (muriate of potash) (MOP)", "Potash salt"))
    expect(lambda: load_trade("faostat", p), file="f5.csv", column="Item", row=2,
           problem="unknown FAOSTAT item 'Potash salt'")
    gz = RAW / "faostat_agdata" / "agData_FAO_Fertilizers_potash.csv.gz"
    data = gz.read_bytes()
    (tmp_path / "t.csv.gz").write_bytes(data[: len(data) // 3])
    expect(lambda: load_trade("faostat", tmp_path / "t.csv.gz"), file="t.csv.gz",
           problem="cannot decompress the gzip file (truncated or corrupt)")
    (tmp_path / "e.csv.gz").write_bytes(gzip.compress(b""))
    expect(lambda: load_trade("faostat", tmp_path / "e.csv.gz"), file="e.csv.gz",
           problem="file is empty")


# ----------------------------------------------------------------------------- curated
def test_curated_bad_inputs(tmp_path: Path) -> None:
    p = edit_lines(CURATED, tmp_path / "c.csv", replace_line(4, "2021-Q1,WLD", "2021-Q5,WLD"))
    expect(lambda: load_trade("curated", p), file="c.csv", column="period", row=4,
           problem="period '2021-Q5' is not")
    p = edit_lines(CURATED, tmp_path / "c2.csv", replace_line(5, "2021-Q1,CAN", "2021-Q1,XYZ"))
    expect(lambda: load_trade("curated", p), file="c2.csv", column="exporter_iso3", row=5,
           problem="unknown country code 'XYZ'")
    p = edit_lines(CURATED, tmp_path / "c3.csv", replace_line(5, ",789000,", ",789k,"))
    expect(lambda: load_trade("curated", p), file="c3.csv", column="quantity_tonnes", row=5,
           problem="not a number: '789k'")
    p = edit_lines(CURATED, tmp_path / "c4.csv", lambda ls: [*ls, ls[4]])
    expect(lambda: load_trade("curated", p), file="c4.csv", row=98, problem="duplicated key")


# ---------------------------------------------------------------------------- Comtrade
def _records() -> list[dict]:
    return json.loads((FIX / "apiv1_comercio_sample_response.json").read_text())["data"]


def test_comtrade_bad_inputs(tmp_path: Path) -> None:
    recs = _records()
    recs[0]["partnerCode"] = 99999
    (tmp_path / "a.json").write_text(json.dumps({"data": recs}))
    expect(lambda: load_trade("comtrade", tmp_path / "a.json"), file="a.json",
           column="partnerCode", row=1, problem="unknown country code 99999")
    recs = [{k: v for k, v in r.items() if k != "netWgt"} for r in _records()]
    (tmp_path / "b.json").write_text(json.dumps({"data": recs}))
    expect(lambda: load_trade("comtrade", tmp_path / "b.json"), file="b.json", column="netWgt",
           problem="missing field(s) ['netWgt']")
    text = (FIX / "apiv1_comercio_sample_response.json").read_text()
    (tmp_path / "c.json").write_text(text[: len(text) // 2])
    expect(lambda: load_trade("comtrade", tmp_path / "c.json"), file="c.json",
           problem="not valid JSON (truncated?)")
    (tmp_path / "d.json").write_text('{"data": []}')
    expect(lambda: load_trade("comtrade", tmp_path / "d.json"), file="d.json",
           problem="'data' list is empty")
    recs = _records()
    recs.append(dict(recs[0]))
    (tmp_path / "e.json").write_text(json.dumps({"data": recs}))
    expect(lambda: load_trade("comtrade", tmp_path / "e.json"), file="e.json", row=9,
           problem="duplicated total row")
    import pandas as pd

    df = pd.DataFrame(_records())
    df["primaryValue"] = df["primaryValue"].astype(object)
    df.loc[0, "primaryValue"] = "lots"
    df.to_csv(tmp_path / "f.csv", index=False)
    expect(lambda: load_trade("comtrade", tmp_path / "f.csv"), file="f.csv", column="primaryValue",
           row=2, problem="not a number: 'lots'")


# -------------------------------------------------------------------------------- BACI
def test_baci_bad_inputs(tmp_path: Path) -> None:
    def write(name: str, body: str) -> Path:
        (tmp_path / name).write_text("t,i,j,k,v,q\n" + body)
        return tmp_path / name

    expect(lambda: load_trade("baci", write("a.csv", "2022,112,999,310420,1,1\n")), file="a.csv",
           column="j", row=2, problem="unknown BACI country code 999")
    expect(lambda: load_trade("baci", write("b.csv", "2022,112,156,310420,1k,1\n")), file="b.csv",
           column="v", row=2, problem="not a number: '1k'")
    expect(lambda: load_trade("baci", write("c.csv", "2022,112,156,310420,1,1\n2022,112,156,310420,2,2\n")),
           file="c.csv", row=3, problem="duplicated key (t, i, j, k)")
    (tmp_path / "d.csv").write_text("t,i,j,k,value,q\n2022,112,156,310420,1,1\n")
    expect(lambda: load_trade("baci", tmp_path / "d.csv"), file="d.csv", column="v", row=1,
           problem="missing column")
    (tmp_path / "e.csv").write_text("t,i,j,k,v,q\n2022,112,156")
    expect(lambda: load_trade("baci", tmp_path / "e.csv"), file="e.csv", column="k", row=2,
           problem="last line is incomplete")


# -------------------------------------------------------------------------- production
def test_production_bad_inputs(tmp_path: Path) -> None:
    src = RAW / "usgs_mcs2026_potash" / "mcs2026_potash_world_production.csv"
    p = edit_lines(src, tmp_path / "u.csv", replace_line(3, "Belarus", "Belarussia"))
    expect(lambda: potash.load_production("usgs", path=p), file="u.csv", column="country", row=3,
           problem="unknown country or area name 'Belarussia'")
    p = edit_lines(src, tmp_path / "u2.csv", lambda ls: [*ls, ls[2]])
    expect(lambda: potash.load_production("usgs", path=p), file="usgs_mcs2026",
           column="country_iso3", problem="two rows for BLR 2024")
    wsrc = next((RAW / "wmd_world_mining_data").glob("*.csv"))
    p = edit_lines(wsrc, tmp_path / "w.csv", replace_line(2, "5306000.0", "5.306 Mt"))
    expect(lambda: potash.load_production("wmd", path=p), file="w.csv", column="2011", row=2,
           problem="not a number: '5.306 Mt'")
