"""Apache Spark (PySpark) as a facts engine, beside DuckDB and PostgreSQL.

`pyspark://local` (or `pyspark://local[4]`) starts Spark in local mode; any other master URL
after `pyspark://` (e.g. `pyspark://spark-master:7077`) is passed to Spark as is. Sessions use
UTC, as M3 stores naive UTC timestamps. Spark keeps a float NaN as a value (a SUM becomes NaN)
where DuckDB and PostgreSQL hold NULL, so `facts_table_load` writes missing amounts as NULL and
the metric compiler also treats NaN as missing on Spark.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from m3.errors import ConfigError
from m3.facts.schema import TABLES


def spark_session(url: str = "pyspark://local", warehouse: Path | None = None) -> Any:
    """A SparkSession for `url` (getOrCreate: one per process), UTC, small shuffles; managed
    tables go to `warehouse` (default: Spark's, ./spark-warehouse)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(f"M3_FACTS_URL={url!r} needs PySpark: pip install 'm3[spark]' "
                          "(and Java 17).") from None
    master = url.removeprefix("pyspark://") or "local"
    if master.startswith("local"):
        master = master if "[" in master else "local[2]"
    else:
        master = f"spark://{master}"
    # Workers must run this interpreter (with pandas), not whatever `python3` is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder
    if warehouse is not None:
        builder = builder.config("spark.sql.warehouse.dir", str(warehouse))
    return (
        builder.master(master)
        .config("spark.pyspark.python", sys.executable)
        .appName("m3")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


@contextmanager
def spark_connect(url: str = "pyspark://local") -> Iterator[BaseBackend]:
    """An Ibis backend over the Spark session of `url` (the session outlives it)."""
    import ibis

    yield ibis.pyspark.connect(spark_session(url))


def facts_table_load(con: BaseBackend, table: str, frame: pd.DataFrame) -> None:
    """Create (replace) fact table `table` on any Ibis backend from `frame`, NaN as NULL."""
    schema = TABLES[table]
    arrow = pa.Table.from_pandas(frame[list(schema.names)], schema=schema.to_pyarrow(),
                                 preserve_index=False)  # NaN → null here
    con.create_table(table, arrow, schema=schema, overwrite=True)
