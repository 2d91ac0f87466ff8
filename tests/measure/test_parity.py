"""The same catalogue over the same fixture gives the same numbers on DuckDB, PostgreSQL and
Spark (local mode), including missing amounts (NULL and a pandas NaN, which Spark keeps)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from m3.attribution import Attribution
from m3.facts.store import FactsStore
from m3.measure.catalogue import catalogue_load
from m3.measure.compile import metric_evaluate
from m3.measure.query import Window
from m3.weeks import Grain
from tests.measure.conftest import fact_frame

START, END = dt.date(2024, 11, 25), dt.date(2025, 2, 16)
RATES = {"USD": 1.0, "EUR": 1.1}
ATTRIBUTION = [
    Attribution("Team A", 1), Attribution("Team A", 2, None, dt.date(2025, 1, 6)),
    Attribution("Team B", 2, dt.date(2025, 1, 6)), Attribution("Team B", 3),
    Attribution("Company", 1), Attribution("Company", 2), Attribution("Company", 3),
    Attribution("rep2@x.test", 2),
]
TYPES = ["call", "email", "meeting", "demo", "proposal", "other"]


def fixture_frames() -> dict[str, pd.DataFrame]:
    """Deterministic facts across a year end, with NULL and NaN amounts and two currencies."""
    rng = np.random.default_rng(7)
    span = (END - START).days * 24 * 3600
    acts = []
    for i in range(600):
        when = pd.Timestamp(START) + pd.Timedelta(seconds=int(rng.integers(0, span)))
        acts.append({"rep_id": int(rng.integers(1, 5)), "type": TYPES[i % 6],
                     "occurred_at": when.isoformat(), "product": "X" if i % 3 else "Y",
                     "amount": [None, math_nan(), 10.25][i % 3]})
    opps = []
    for i in range(200):
        created = pd.Timestamp(START) + pd.Timedelta(days=int(rng.integers(0, 60)))
        state = i % 4
        closed = created + pd.Timedelta(days=int(rng.integers(1, 40))) if state < 3 else None
        amount: Any = round(float(rng.uniform(0, 5000)), 2)
        if i % 7 == 0:
            amount = None
        elif i % 11 == 0:
            amount = math_nan()
        opps.append({"rep_id": int(rng.integers(1, 4)), "amount": amount,
                     "currency": "EUR" if i % 5 == 0 else "USD",
                     "created_at": None if i % 13 == 0 else created.isoformat(),
                     "closed_at": closed.isoformat() if closed is not None else None,
                     "won": [True, False, True, None][state]})
    return {"activities": fact_frame("activities", acts),
            "opportunities": fact_frame("opportunities", opps)}


def math_nan() -> float:
    return float("nan")


def evaluate_all(con: Any) -> pd.DataFrame:
    catalogue = catalogue_load()
    frames = []
    for grain in Grain:
        result = metric_evaluate(con, catalogue, [m.name for m in catalogue], ATTRIBUTION,
                                 Window(grain, START, END), rates=RATES)
        frames.append(result.frame.assign(grain=grain.value))
    return pd.concat(frames, ignore_index=True)


def duckdb_values(tmp_path: Path) -> pd.DataFrame:
    store = FactsStore(f"duckdb:///{tmp_path}/parity.duckdb", 10)
    store.schema_create()
    for table, frame in fixture_frames().items():
        store.upsert(table, frame)
    with store.connect() as con:
        return evaluate_all(con)


def test_the_fixture_has_missing_amounts_of_both_kinds() -> None:
    amounts = fixture_frames()["opportunities"]["amount"]
    assert amounts.isna().sum() > 20 and np.isnan(amounts.to_numpy()).any()


@pytest.mark.postgres
def test_postgresql_gives_the_same_numbers_as_duckdb(tmp_path: Path, pg_url: str) -> None:
    store = FactsStore(pg_url, 10)
    store.schema_create()
    for table, frame in fixture_frames().items():
        store.upsert(table, frame)
    with store.connect() as con:
        pg = evaluate_all(con)
    pd.testing.assert_frame_equal(pg, duckdb_values(tmp_path), check_exact=False, rtol=1e-9)


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.parametrize("nan_as_value", [False, True], ids=["loaded", "raw-nan"])
def test_spark_gives_the_same_numbers_as_duckdb(
    tmp_path: Path, spark: Any, nan_as_value: bool
) -> None:
    import ibis

    from m3.facts.spark import facts_table_load

    con = ibis.pyspark.connect(spark)
    for table, frame in fixture_frames().items():
        if nan_as_value:
            # As a careless loader would: Spark keeps pandas NaN as a float value.
            empty = [c for c in frame.columns if frame[c].isna().all()]
            con.create_table(table, frame.fillna({c: "n/a" for c in empty}), overwrite=True)
            assert con.sql(f"SELECT count(*) AS n FROM {table} WHERE isnan(amount)"
                           ).execute()["n"][0] > 0
        else:
            facts_table_load(con, table, frame)
    pd.testing.assert_frame_equal(evaluate_all(con), duckdb_values(tmp_path),
                                  check_exact=False, rtol=1e-9)
