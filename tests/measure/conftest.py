"""Builders for the measure tests: fact rows with defaults, loaded into a facts store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from m3.facts.schema import TABLES
from m3.facts.store import FactsStore

Loader = Callable[..., None]


def fact_frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A frame of `table` with every column, defaults filled, ids numbered."""
    defaults: dict[str, Any] = {"source": "test", "owner": "x", "currency": "USD",
                                "account": "acme", "product": "p"}
    out = []
    for i, row in enumerate(rows):
        full = {c: None for c in TABLES[table].names}
        full.update({k: v for k, v in defaults.items() if k in full})
        full["id"] = str(i + 1)
        full.update(row)
        out.append(full)
    frame = pd.DataFrame(out, columns=list(TABLES[table].names))
    for col in TABLES[table].names:
        dtype = str(TABLES[table][col])
        if dtype.startswith("timestamp"):
            frame[col] = pd.to_datetime(frame[col], format="ISO8601")
        elif dtype.startswith("float"):
            frame[col] = frame[col].astype("float64")
        elif dtype.startswith("int"):
            frame[col] = frame[col].astype("Int64")
        elif dtype == "boolean":
            frame[col] = frame[col].astype("boolean")
    return frame


@pytest.fixture
def duck(tmp_path: Path) -> FactsStore:
    """An empty DuckDB facts store in a temporary file."""
    store = FactsStore(f"duckdb:///{tmp_path}/facts.duckdb", 10)
    store.schema_create()
    return store


@pytest.fixture
def load(duck: FactsStore) -> Loader:
    """Load rows into the DuckDB store: load(activities=[...], opportunities=[...])."""

    def loader(**tables: list[dict[str, Any]]) -> None:
        for table, rows in tables.items():
            duck.upsert(table, fact_frame(table, rows))

    return loader


def day(text: str) -> dt.date:
    """A date from YYYY-MM-DD."""
    return dt.date.fromisoformat(text)
