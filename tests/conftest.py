"""Fixtures shared by the whole suite: a facts store per test, PostgreSQL, the org factories."""

from __future__ import annotations

import dataclasses
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from m3.facts.schema import TABLES
from m3.facts.store import FactsStore

PG_HELP = (
    "needs a PostgreSQL server: run `bash scripts/test.sh` (it starts one), or set "
    "M3_TEST_PG_URL=postgresql://USER@HOST:PORT/postgres"
)


def _pg_database_create(server_url: str) -> str:
    import psycopg

    name = f"m3_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


def _pg_database_drop(server_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(server_url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """URL of a PostgreSQL server's maintenance database (skips when there is none)."""
    url = os.environ.get("M3_TEST_PG_URL")
    if not url:
        pytest.skip(PG_HELP)
    return url


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    url = _pg_database_create(pg_server_url)
    yield url
    _pg_database_drop(pg_server_url, url)


def _facts_reset(store: FactsStore) -> None:
    with store.connect(write=True) as con:
        for name in TABLES:
            con.drop_table(name, force=True)
    store.schema_create()


@pytest.fixture
def facts(tmp_path: Path, settings: object) -> Iterator[FactsStore]:
    """An empty facts store on this run's engine (DuckDB file, or PostgreSQL in the PG run).

    The Django settings point at it, so views and commands use it too.
    """
    from django.conf import settings as django_settings

    engine_url = django_settings.M3.facts_url
    if engine_url.startswith("postgres"):
        store = FactsStore(engine_url, 10)
        _facts_reset(store)
    else:
        store = FactsStore(f"duckdb:///{tmp_path}/facts.duckdb", 10)
        store.schema_create()
    settings.M3 = dataclasses.replace(django_settings.M3, facts_url=store.url)  # type: ignore[attr-defined]
    yield store


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local SparkSession for the whole run (about 15 s to start), its warehouse in tmp."""
    pytest.importorskip("pyspark", reason="needs PySpark: pip install 'm3[spark]'")
    if shutil.which("java") is None:
        pytest.skip("needs Java 17 for Spark local mode: apt-get install openjdk-17-jre-headless")
    from m3.facts.spark import spark_session

    session = spark_session("pyspark://local", tmp_path_factory.mktemp("spark-warehouse"))
    yield session
    session.stop()
