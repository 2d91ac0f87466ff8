"""Connections to the facts store, schema creation, and idempotent batch upserts.

DuckDB lets one process write a file at a time, and a writer excludes readers in other
processes. M3 therefore keeps every connection short (one request, one batch) and retries a
locked file with backoff for up to `M3_FACTS_LOCK_TIMEOUT` seconds, so the server and a CLI
import can share one DuckDB file. PostgreSQL has no such limit.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from m3.errors import ConfigError, FactsBusy, InputError
from m3.facts.schema import KEY, TABLES


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
    def engine(self) -> str:
        """The engine name: duckdb or postgres."""
        if self.url.startswith("duckdb://"):
            return "duckdb"
        if self.url.startswith(("postgres://", "postgresql://")):
            return "postgres"
        raise ConfigError(f"M3_FACTS_URL={self.url!r}: use duckdb:///PATH or postgresql://….")

    @property
    def duckdb_path(self) -> Path:
        """The DuckDB file of a duckdb:/// URL."""
        # As in SQLAlchemy URLs: duckdb:///relative/path, duckdb:////absolute/path.
        return Path(self.url.removeprefix("duckdb:///")).expanduser()

    def _open(self, write: bool) -> BaseBackend:
        if self.engine == "duckdb":
            path = self.duckdb_path
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.exists():
                raise FactsBusy(
                    f"The facts store {path} does not exist yet: run `m3 init` (or `m3 demo`)."
                )
            return ibis.duckdb.connect(database=str(path), read_only=not write)
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
            con.disconnect()

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
        """Insert new rows and replace changed ones, keyed on (source, id), in one transaction."""
        if table not in TABLES:
            raise InputError(f"Unknown fact table {table!r}; use one of {', '.join(TABLES)}.")
        schema = TABLES[table]
        frame = batch.to_pandas() if isinstance(batch, pa.Table) else batch
        missing = [c for c in schema.names if c not in frame.columns]
        if missing:
            raise InputError(f"A {table} batch lacks column(s): {', '.join(missing)}.")
        frame = frame[list(schema.names)]
        if frame.duplicated(list(KEY)).any():
            dupes = frame[frame.duplicated(list(KEY), keep=False)].head(3)
            raise InputError(
                f"The {table} batch repeats (source, id): "
                f"{list(dupes[list(KEY)].itertuples(index=False, name=None))}; keep one row each."
            )
        arrow = pa.Table.from_pandas(frame, schema=schema.to_pyarrow(), preserve_index=False)
        with self.connect(write=True) as con:
            return _upsert_sql(con, self.engine, table, list(schema.names), arrow)


def _upsert_sql(
    con: BaseBackend, engine: str, table: str, columns: list[str], arrow: pa.Table
) -> UpsertCounts:
    staging = f"m3_staging_{uuid.uuid4().hex[:12]}"
    key_match = " AND ".join(f"t.{k} = s.{k}" for k in KEY)
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in columns if c not in KEY)
    cols = ", ".join(columns)
    if engine == "duckdb":
        # A registered Arrow table is read in place: no copy into a staging table.
        con.con.register(staging, arrow)  # type: ignore[attr-defined]
    else:
        con.create_table(staging, arrow, temp=True)
    raw: Any = con.raw_sql
    try:
        counts_sql = (
            f"SELECT count(*) FILTER (WHERE t.id IS NULL), "
            f"count(*) FILTER (WHERE t.id IS NOT NULL AND ({differs})), "
            f"count(*) FILTER (WHERE t.id IS NOT NULL AND NOT ({differs})) "
            f"FROM {staging} s LEFT JOIN {table} t ON {key_match}"
        )
        statements = [
            f"DELETE FROM {table} t USING {staging} s WHERE {key_match} AND ({differs})",
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {staging} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} t WHERE {key_match})",
        ]
        if engine == "duckdb":
            duck = con.con  # type: ignore[attr-defined]
            added, updated, unchanged = duck.execute(counts_sql).fetchone()
            duck.execute("BEGIN TRANSACTION")
            try:
                for sql in statements:
                    duck.execute(sql)
                duck.execute("COMMIT")
            except Exception:
                duck.execute("ROLLBACK")
                raise
        else:
            pg = con.con  # type: ignore[attr-defined]
            with pg.transaction(), pg.cursor() as cur:
                cur.execute(counts_sql)
                added, updated, unchanged = cur.fetchone()
                for sql in statements:
                    cur.execute(sql)
    finally:
        if engine == "duckdb":
            con.con.unregister(staging)  # type: ignore[attr-defined]
        else:
            raw(f"DROP TABLE IF EXISTS {staging}")
    return UpsertCounts(int(added), int(updated), int(unchanged))


def facts_store_from_settings() -> FactsStore:
    """The facts store the running M3 is configured with (M3_FACTS_URL)."""
    from django.conf import settings

    return FactsStore(settings.M3.facts_url, settings.M3.facts_lock_timeout)
