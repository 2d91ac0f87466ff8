"""The facts store: schema, idempotent upserts, and sharing a DuckDB file between processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from m3.errors import FactsBusy, InputError
from m3.facts.store import FactsStore, UpsertCounts


def activities(ids: list[str], amounts: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": "test",
            "id": ids,
            "rep_id": [1] * len(ids),
            "owner": "005R1",
            "type": "call",
            "occurred_at": pd.Timestamp("2026-02-02 10:00"),
            "product": None,
            "account": "Acme",
            "opportunity": None,
            "amount": amounts,
            "currency": "USD",
        }
    )


def test_schema_create_is_idempotent(facts: FactsStore) -> None:
    facts.schema_create()
    assert facts.tables_present() == {"activities", "opportunities"}


def test_upsert_adds_then_updates_only_changed_rows(facts: FactsStore) -> None:
    assert facts.upsert("activities", activities(["1", "2"], [10.0, None])) == UpsertCounts(2, 0, 0)
    assert facts.upsert("activities", activities(["1", "2"], [10.0, None])) == UpsertCounts(0, 0, 2)
    assert facts.upsert("activities", activities(["1", "2", "3"], [11.0, None, 1.0])) == (
        UpsertCounts(1, 1, 1)
    )
    with facts.connect() as con:
        rows = con.table("activities").order_by("id").execute()
    assert rows["amount"].tolist()[0] == 11.0 and pd.isna(rows["amount"].tolist()[1])
    assert len(rows) == 3


def test_a_batch_that_repeats_a_key_is_refused_and_writes_nothing(facts: FactsStore) -> None:
    with pytest.raises(InputError, match="repeats"):
        facts.upsert("activities", activities(["1", "1"], [1.0, 2.0]))
    with facts.connect() as con:
        assert con.table("activities").count().execute() == 0


def test_a_reader_waits_for_a_writer_in_another_process(tmp_path: Path) -> None:
    store = FactsStore(f"duckdb:///{tmp_path}/f.duckdb", lock_timeout=20)
    store.schema_create()
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, time
            con = duckdb.connect({str(tmp_path / 'f.duckdb')!r})
            con.execute("INSERT INTO activities (source, id) VALUES ('cli', '1')")
            print('locked', flush=True)
            time.sleep(1.5)
            con.close()
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
    started = time.monotonic()
    with store.connect() as con:
        count = con.table("activities").count().execute()
    writer.wait(10)
    assert count == 1
    assert time.monotonic() - started > 0.3  # it waited for the writer instead of failing


def test_a_writer_gives_up_with_a_clear_message_after_the_timeout(tmp_path: Path) -> None:
    store = FactsStore(f"duckdb:///{tmp_path}/f.duckdb", lock_timeout=0.5)
    store.schema_create()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, time
            con = duckdb.connect({str(tmp_path / 'f.duckdb')!r})
            print('locked', flush=True)
            time.sleep(5)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(FactsBusy, match="M3_FACTS_LOCK_TIMEOUT"):
            store.upsert("activities", activities(["9"], [1.0]))
    finally:
        holder.kill()
        holder.wait()
