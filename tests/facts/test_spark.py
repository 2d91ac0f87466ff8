"""A pyspark:// facts store: M3 reads the tables in place and refuses row-level writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from m3.attribution import Attribution
from m3.errors import InputError
from m3.facts.spark import facts_table_load
from m3.facts.store import FactsStore
from m3.measure.catalogue import catalogue_load
from m3.measure.compile import metric_evaluate
from m3.measure.query import Window
from m3.weeks import Grain

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def calls() -> pd.DataFrame:
    return pd.DataFrame({
        "source": "t", "id": ["1", "2", "3"], "rep_id": [1, 1, 2], "owner": None, "type": "call",
        "occurred_at": pd.to_datetime(["2026-01-05 10:00", "2026-01-13 10:00",
                                       "2026-01-06 09:00"]),
        "product": None, "account": "A", "opportunity": None, "amount": [None, 5.0, None],
        "currency": "USD",
    })


def test_metrics_read_spark_tables_through_the_store(spark: Any) -> None:
    store = FactsStore("pyspark://local")
    store.schema_create()
    assert store.tables_present() == {"activities", "opportunities"}
    with store.connect() as con:
        facts_table_load(con, "activities", calls())
        result = metric_evaluate(con, catalogue_load(None), ["calls"],
                                 [Attribution("Team", 1), Attribution("Team", 2)],
                                 Window(Grain.WEEK, dt.date(2026, 1, 5), dt.date(2026, 1, 18)))
    assert result.frame["value"].tolist() == [2, 1]


def test_row_level_writes_are_refused_with_what_to_do_instead(spark: Any) -> None:
    store = FactsStore("pyspark://local")
    with pytest.raises(InputError, match="reads the activities and opportunities tables in place"):
        store.upsert("activities", calls())
