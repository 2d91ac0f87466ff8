"""Connections to the facts store, schema creation, and idempotent batch upserts.

DuckDB lets one process write a file at a time, and a writer excludes readers in other
processes. M3 therefore keeps every connection short (one request, one batch) and retries a
locked file with backoff for up to `M3_FACTS_LOCK_TIMEOUT` seconds, so the server and a CLI
import can share one DuckDB file. PostgreSQL has no such limit.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.schema as sch
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from m3.errors import ConfigError, FactsBusy, InputError
from m3.facts.schema import KEY, TABLES
from m3.vocabulary import Engine


@dataclass(frozen=True)
class UpsertCounts:
    """What an upsert did, keyed on (source, id)."""

    added: int
    updated: int
    unchanged: int


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflict" in text or "could not set" in text)


@dataclass(frozen=True)
class FactsStore:
    """The facts store at `url` (duckdb:///PATH or postgresql://…)."""

    url: str
    lock_timeout: float = 30.0

    @property
    def engine(self) -> Engine:
        """The engine name: duckdb, postgres or pyspark."""
        if self.url.startswith("duckdb://"):
            return Engine.DUCKDB
        if self.url.startswith(("postgres://", "postgresql://")):
            return Engine.POSTGRES
        if self.url.startswith("pyspark://"):
            return Engine.PYSPARK
        raise ConfigError(f"M3_FACTS_URL={self.url!r}: use duckdb:///PATH, postgresql://… or "
                          "pyspark://local.")

    @property
    def duckdb_path(self) -> Path:
        """The DuckDB file of a duckdb:/// URL."""
        # As in SQLAlchemy URLs: duckdb:///relative/path, duckdb:////absolute/path.
        return Path(self.url.removeprefix("duckdb:///")).expanduser()

    def _open(self, write: bool) -> BaseBackend:
        if self.engine is Engine.DUCKDB:
            path = self.duckdb_path
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.exists():
                raise FactsBusy(
                    f"The facts store {path} does not exist yet: run `m3 init` (or `m3 demo`)."
                )
            return ibis.duckdb.connect(database=str(path), read_only=not write)
        if self.engine is Engine.PYSPARK:
            from m3.facts.spark import spark_session

            return ibis.pyspark.connect(spark_session(self.url))
        url = self.url.replace("postgres://", "postgresql://", 1)
        return ibis.connect(url)

    @contextmanager
    def connect(self, *, write: bool = False) -> Iterator[BaseBackend]:
        """A short-lived Ibis connection; waits while another process holds a DuckDB file."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        while True:
            try:
                con = self._open(write)
                break
            except Exception as exc:
                if not _is_lock_error(exc):
                    raise
                if time.monotonic() > deadline:
                    raise FactsBusy(
                        f"The facts store is busy (another M3 process is writing it) and stayed "
                        f"so for {self.lock_timeout:g} s: try again when the import ends, or "
                        "raise M3_FACTS_LOCK_TIMEOUT."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        try:
            yield con
        finally:
            if self.engine is not Engine.PYSPARK:  # one Spark session serves the whole process
                con.disconnect()

    def _writable(self) -> None:
        """Refuse row-level writes where the engine has no transactions to make them safe."""
        if self.engine is Engine.PYSPARK:
            raise InputError(
                "On Spark, M3 reads the activities and opportunities tables in place: load them "
                "with your data pipeline (columns in docs/concepts.md, 'Facts'), or replace a "
                "whole table with m3.facts.spark.facts_table_load. Imports need DuckDB or "
                "PostgreSQL."
            )

    def schema_create(self) -> None:
        """Create the fact tables that do not exist yet (idempotent)."""
        with self.connect(write=True) as con:
            existing = set(con.list_tables())
            for name, schema in TABLES.items():
                if name not in existing:
                    con.create_table(name, schema=schema)

    def tables_present(self) -> set[str]:
        """Names of the fact tables that exist."""
        with self.connect() as con:
            return set(con.list_tables()) & set(TABLES)

    def upsert(self, table: str, batch: pd.DataFrame | pa.Table) -> UpsertCounts:
        """Insert new rows and replace changed ones, keyed on (source, id), in one transaction.

        A pyarrow Table stays Arrow end to end (DuckDB reads it in place; PostgreSQL receives it
        through COPY); a pandas DataFrame is converted to Arrow once.
        """
        schema = _table_schema(table)
        self._writable()
        arrow = _arrow_conformed(table, batch, schema.to_pyarrow())
        with self.connect(write=True) as con:
            if self.engine is Engine.DUCKDB:
                duck = con.con
                staging = _staging_name()
                # A registered Arrow table is read in place: no copy into a staging table.
                duck.register(staging, arrow)
                try:
                    return _duckdb_upsert(duck, table, list(schema.names), staging)
                finally:
                    duck.unregister(staging)
            return _postgres_upsert(con.con, table, list(schema.names),
                                    iter(arrow.to_batches(COPY_BATCH_ROWS)))

    def upsert_parquet(
        self, table: str, path: Path, *, keys_checked: bool = False
    ) -> UpsertCounts:
        """`upsert` of the rows of a Parquet file, with memory bounded by a batch, not the file.

        DuckDB reads the file in place (`read_parquet`); PostgreSQL receives it batch by batch
        through COPY into a temporary table. Columns beyond the table's are ignored.
        `keys_checked`: the caller has already refused repeated (source, id) keys (the importer
        does, naming their rows), so the store does not check them again.
        """
        import pyarrow.parquet as pq

        schema = _table_schema(table)
        self._writable()
        columns = list(schema.names)
        target = schema.to_pyarrow()
        handle = pq.ParquetFile(path)
        missing = [c for c in columns if c not in handle.schema_arrow.names]
        if missing:
            raise InputError(f"{path.name}: a {table} file lacks column(s): {', '.join(missing)}.")
        with self.connect(write=True) as con:
            if self.engine is Engine.DUCKDB:
                duck = con.con
                staging = _staging_name()
                literal = str(path).replace("'", "''")
                types = dict(duck.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = ?", [table]).fetchall())
                select = ", ".join(f"CAST({c} AS {types[c]}) AS {c}" for c in columns)
                duck.execute(f"CREATE TEMP VIEW {staging} AS SELECT {select} "
                             f"FROM read_parquet('{literal}')")
                try:
                    return _duckdb_upsert(duck, table, columns, staging, keys_checked)
                finally:
                    duck.execute(f"DROP VIEW IF EXISTS {staging}")
            batches = (
                _arrow_conformed(table, pa.Table.from_batches([b]), target).to_batches()[0]
                for b in handle.iter_batches(COPY_BATCH_ROWS, columns=columns)
                if b.num_rows
            )
            return _postgres_upsert(con.con, table, columns, batches,
                                    keys_checked)


COPY_BATCH_ROWS = 100_000


def _staging_name() -> str:
    return f"m3_staging_{uuid.uuid4().hex[:12]}"


def _table_schema(table: str) -> sch.Schema:
    if table not in TABLES:
        raise InputError(f"Unknown fact table {table!r}; use one of {', '.join(TABLES)}.")
    return TABLES[table]


def _arrow_conformed(table: str, batch: pd.DataFrame | pa.Table, target: pa.Schema) -> pa.Table:
    """The batch as an Arrow table with exactly the fact table's columns and types."""
    names = batch.column_names if isinstance(batch, pa.Table) else list(batch.columns)
    missing = [c for c in target.names if c not in names]
    if missing:
        raise InputError(f"A {table} batch lacks column(s): {', '.join(missing)}.")
    if not isinstance(batch, pa.Table):
        return pa.Table.from_pandas(batch[target.names], schema=target, preserve_index=False)
    arrow = batch.select(target.names)
    if arrow.schema.equals(target):
        return arrow
    columns = []
    for name, column in zip(target.names, arrow.columns, strict=True):
        want = target.field(name).type
        if column.type != want:
            # Sub-microsecond digits of a timestamp are dropped, as from pandas; anything else
            # that does not fit (an overflowing integer, text in a number column) is an error.
            column = column.cast(want, safe=not pa.types.is_timestamp(want))
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=target)


def _upsert_statements(table: str, columns: list[str], staging: str) -> dict[str, str]:
    key_match = " AND ".join(f"t.{k} = s.{k}" for k in KEY)
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in columns if c not in KEY)
    cols = ", ".join(columns)
    keys = ", ".join(KEY)
    return {
        "duplicates": f"SELECT {keys} FROM {staging} GROUP BY {keys} HAVING count(*) > 1 LIMIT 3",
        "counts": (
            f"SELECT count(*) FILTER (WHERE t.id IS NULL), "
            f"count(*) FILTER (WHERE t.id IS NOT NULL AND ({differs})), "
            f"count(*) FILTER (WHERE t.id IS NOT NULL AND NOT ({differs})) "
            f"FROM {staging} s LEFT JOIN {table} t ON {key_match}"
        ),
        "delete": f"DELETE FROM {table} t USING {staging} s WHERE {key_match} AND ({differs})",
        "insert": (
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {staging} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} t WHERE {key_match})"
        ),
        "insert_all": f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {staging} s",
        # Does the table hold any row of the batch's sources? (One column of the batch read.)
        "overlap": (
            f"SELECT count(*) FROM (SELECT 1 FROM {table} t WHERE t.source IN "
            f"(SELECT DISTINCT source FROM {staging}) LIMIT 1) AS o"
        ),
    }


def _duplicates_refuse(table: str, dupes: list[tuple[Any, ...]]) -> None:
    if dupes:
        raise InputError(
            f"The {table} batch repeats (source, id): "
            f"{[tuple(d) for d in dupes]}; keep one row each."
        )


def _counts_apply(cur: Any, sql: dict[str, str], inserted: Callable[[], int]) -> UpsertCounts:
    """Count, then delete changed rows and insert new and changed ones (skipping idle steps).

    When the table holds no row of the batch's sources (a first import), every row is new: one
    plain insert, its row count is `added`, and the batch is read once instead of twice.
    `inserted` returns the row count of the INSERT just executed on `cur`.
    """
    cur.execute(sql["overlap"])
    if not cur.fetchone()[0]:
        cur.execute(sql["insert_all"])
        return UpsertCounts(inserted(), 0, 0)
    cur.execute(sql["counts"])
    added, updated, unchanged = (int(v) for v in cur.fetchone())
    if updated:
        cur.execute(sql["delete"])
    if added or updated:
        # With no unchanged row, every row is new or deleted above: no anti-join needed.
        cur.execute(sql["insert" if unchanged else "insert_all"])
    return UpsertCounts(added, updated, unchanged)


def _duckdb_upsert(
    duck: Any, table: str, columns: list[str], staging: str, keys_checked: bool = False
) -> UpsertCounts:
    """Upsert the rows of relation `staging` (a registered Arrow table or a view) into `table`."""
    sql = _upsert_statements(table, columns, staging)
    if not keys_checked:
        _duplicates_refuse(table, duck.execute(sql["duplicates"]).fetchall())
    # Row order in a fact table means nothing; not keeping it lets DuckDB insert in parallel.
    duck.execute("SET preserve_insertion_order = false")
    duck.execute("BEGIN TRANSACTION")
    try:
        # DuckDB answers an INSERT with one row: the number of rows it inserted.
        counts = _counts_apply(duck, sql, lambda: int(duck.fetchone()[0]))
        duck.execute("COMMIT")
    except BaseException:
        duck.execute("ROLLBACK")
        raise
    return counts


def _postgres_upsert(
    pg: Any, table: str, columns: list[str], batches: Iterator[pa.RecordBatch],
    keys_checked: bool = False,
) -> UpsertCounts:
    """Stream `batches` through COPY into a temporary table, then upsert from it; one
    transaction, so a failure anywhere (a bad batch, a repeated key) writes nothing."""
    import pyarrow.csv as pacsv

    staging = _staging_name()
    sql = _upsert_statements(table, columns, staging)
    cols = ", ".join(columns)
    # Quoting every value keeps an empty string apart from NULL (an unquoted empty field).
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    with pg.transaction(), pg.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE {staging} (LIKE {table}) ON COMMIT DROP")
        with cur.copy(f"COPY {staging} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            for batch in batches:
                sink = pa.BufferOutputStream()
                pacsv.write_csv(batch, sink, options)
                copy.write(sink.getvalue().to_pybytes())
        if not keys_checked:
            cur.execute(sql["duplicates"])
            _duplicates_refuse(table, cur.fetchall())
        return _counts_apply(cur, sql, lambda: int(cur.rowcount))


def facts_store_from_settings() -> FactsStore:
    """The facts store the running M3 is configured with (M3_FACTS_URL)."""
    from django.conf import settings

    return FactsStore(settings.M3.facts_url, settings.M3.facts_lock_timeout)
