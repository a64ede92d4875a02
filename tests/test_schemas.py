"""Bad values in every tidy table are errors naming file, column and row (issue 14).

Each case starts from a valid row of the table, replaces one value by an impossible one, and
checks the error class and that the message names the column and the row; then the same
through the loaders' ``path=`` inputs (Parquet and CSV), which must validate what they read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from potash.core.errors import PotashDataError
from potash.data import load_events, load_trade
from potash.data.schemas import EQUITY, EVENTS, PRICES, PRODUCTION, TRADE, validate

VALID = {
    "prices": (PRICES, {"date": pd.Timestamp("2024-01-01"), "series": "urea", "value": 300.0,
                        "unit": "$/mt"}),
    "equity": (EQUITY, {"date": pd.Timestamp("2024-01-02"), "ticker": "NTR", "adj_close": 50.0}),
    "trade": (TRADE, {"year": 2022, "period": "2022", "reporter_iso3": "CAN",
                      "partner_iso3": "WLD", "flow": "export", "product": "potassium_chloride",
                      "hs_code": "310420", "quantity_t": 1.0e6, "value_usd": 4.0e8,
                      "source": "test"}),
    "production": (PRODUCTION, {"year": 2022, "country_iso3": "BLR", "product": "potash",
                                "basis": "K2O", "quantity_t": 5.0e6, "source": "test"}),
    "events": (EVENTS, {"date": pd.Timestamp("2022-02-01"), "event_id": "klaipeda_transit_ends",
                        "label": "Klaipeda closed", "type": "logistics"}),
}

NUMBER_FAULTS = [-1.0, np.inf, -np.inf, np.nan, 1e300, "12,5", "n/a", True]
YEAR_FAULTS = [3006, -2006, 99999, 2024.5, 1815, np.nan, "twenty"]
DATE_FAULTS = [pd.Timestamp("1815-03-31"), pd.Timestamp("2262-01-01"), pd.NaT]
STRING_FAULTS = ["", "   ", None]
ISO_FAULTS = ["ca", "CANADA", "12", "", None]

CASES = []
for table, (schema, _row) in VALID.items():
    for col in schema.columns:
        if col.kind == "float":
            faults = list(NUMBER_FAULTS)
            if col.nullable:
                faults = [f for f in faults if not (isinstance(f, float) and np.isnan(f))]
            if table in ("prices", "equity"):
                faults.append(0.0)  # a price of zero is impossible
        elif col.kind == "int":
            faults = YEAR_FAULTS
        elif col.kind == "date":
            faults = DATE_FAULTS
        elif col.pattern == r"^[A-Z][A-Z0-9]{2,3}$":
            faults = ISO_FAULTS
        elif col.allowed is not None:
            faults = ["exports", "k2o", *STRING_FAULTS]
        elif col.pattern is not None:
            faults = ["2022-13x", "bad id", *STRING_FAULTS]
        else:
            faults = STRING_FAULTS
        for f in faults:
            if f is None and col.nullable:
                continue
            CASES.append(pytest.param(table, col.name, f, id=f"{table}-{col.name}-{f!r}"))


def _frame(table: str, col: str, value: object) -> pd.DataFrame:
    schema, row = VALID[table]
    rows = [dict(row) for _ in range(4)]
    rows[2][col] = value  # the bad value in row 2
    df = pd.DataFrame(rows)
    if table in ("prices", "equity", "events") and col == "date":
        df["date"] = pd.to_datetime(df["date"])
    return df


@pytest.mark.parametrize(("table", "col", "value"), CASES)
def test_bad_value_is_an_error_naming_column_and_row(table: str, col: str, value: object) -> None:
    df = _frame(table, col, value)
    with pytest.raises(PotashDataError) as err:
        validate(df, VALID[table][0], file=f"{table}.csv")
    msg = str(err.value)
    assert f"{table}.csv" in msg and col in msg and "row 2" in msg, msg


@pytest.mark.parametrize("table", sorted(VALID))
def test_valid_rows_pass(table: str) -> None:
    schema, row = VALID[table]
    df = pd.DataFrame([row] * 3)
    assert validate(df, schema) is df


@pytest.mark.parametrize("table", sorted(VALID))
def test_missing_column_is_named(table: str) -> None:
    schema, row = VALID[table]
    col = schema.columns[-1].name
    with pytest.raises(PotashDataError, match=col):
        validate(pd.DataFrame([row]).drop(columns=col), schema, file="x.csv")


def _baci_parquet(tmp_path: Path, **bad: object) -> Path:
    schema, row = VALID["trade"]
    df = pd.DataFrame([dict(row, **bad), row]).assign(flag=pd.NA)
    d = tmp_path / "baci" / "year=2022"
    d.mkdir(parents=True)
    df.drop(columns=["year"]).to_parquet(d / "part-0.parquet")
    return tmp_path / "baci"


@pytest.mark.parametrize(("col", "value"), [("quantity_t", -5.0), ("quantity_t", np.inf),
                                            ("value_usd", 1e300), ("flow", "exports"),
                                            ("reporter_iso3", "canada")])
def test_trade_parquet_input_is_validated(tmp_path: Path, col: str, value: object) -> None:
    path = _baci_parquet(tmp_path, **{col: value})
    with pytest.raises(PotashDataError, match=col):
        load_trade("baci", path=path)


def test_valid_trade_parquet_input_loads(tmp_path: Path) -> None:
    out = load_trade("baci", path=_baci_parquet(tmp_path))
    assert len(out) == 2 and out["year"].eq(2022).all()


@pytest.mark.parametrize("date", ["3006-01-01", "1815-03-31"])
def test_events_path_input_is_validated(tmp_path: Path, date: str) -> None:
    src = Path(__file__).resolve().parents[1] / "data/raw/events/sanctions_events.csv"
    lines = src.read_text().splitlines()
    lines[3] = date + lines[3][10:]
    p = tmp_path / "ev.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(PotashDataError, match="date"):
        load_events(p)
