"""The facts store: schema, idempotent upserts, and sharing a DuckDB file between processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
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


def test_a_first_import_of_a_source_beside_another_counts_every_row_as_added(
    facts: FactsStore,
) -> None:
    facts.upsert("activities", activities(["1", "2"], [1.0, 2.0]).assign(source="demo"))
    # The same ids under another source are other rows: all added, the demo rows untouched.
    assert facts.upsert("activities", activities(["1", "2", "3"], [5.0, None, 3.0])) == (
        UpsertCounts(3, 0, 0)
    )
    assert facts.upsert("activities", activities(["1", "2", "3"], [5.0, None, 4.0])) == (
        UpsertCounts(0, 1, 2)
    )
    with facts.connect() as con:
        rows = con.table("activities").order_by(["source", "id"]).execute()
    assert list(zip(rows["source"], rows["id"], rows["amount"].fillna(-1), strict=True)) == [
        ("demo", "1", 1.0), ("demo", "2", 2.0),
        ("test", "1", 5.0), ("test", "2", -1), ("test", "3", 4.0),
    ]


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


def test_an_arrow_batch_is_upserted_as_is_with_nanosecond_times_truncated(
    facts: FactsStore,
) -> None:
    frame = activities(["1", "2"], [10.0, None])
    frame["occurred_at"] = pd.Series(pd.Timestamp("2026-02-02 10:00:00.000001234"),
                                     index=frame.index, dtype="datetime64[ns]")
    arrow = pa.Table.from_pandas(frame, preserve_index=False)  # ns times, a null-typed column
    assert arrow.schema.field("occurred_at").type == pa.timestamp("ns")
    assert facts.upsert("activities", arrow) == UpsertCounts(2, 0, 0)
    assert facts.upsert("activities", arrow) == UpsertCounts(0, 0, 2)
    with facts.connect() as con:
        times = con.table("activities").occurred_at.execute()
    assert times.tolist() == [pd.Timestamp("2026-02-02 10:00:00.000001")] * 2


def test_an_arrow_batch_with_a_column_of_the_wrong_kind_is_refused(facts: FactsStore) -> None:
    arrow = pa.Table.from_pandas(activities(["1"], [1.0]), preserve_index=False)
    arrow = arrow.set_column(arrow.schema.get_field_index("amount"), "amount", pa.array(["x"]))
    with pytest.raises(pa.ArrowInvalid):
        facts.upsert("activities", arrow)


def test_an_empty_string_stays_apart_from_null(facts: FactsStore) -> None:
    frame = activities(["1", "2"], [1.0, 2.0])
    frame["product"] = ["", None]
    facts.upsert("activities", frame)
    with facts.connect() as con:
        rows = con.table("activities").order_by("id").execute()
    assert rows["product"].tolist()[0] == "" and rows["product"].tolist()[1] is None


def parquet_write(path: Path, frame: pd.DataFrame) -> Path:
    """The frame as a Parquet file with an extra column, as the importer's staging file has."""
    arrow = pa.Table.from_pandas(frame.assign(__row__=range(len(frame))), preserve_index=False)
    pq.write_table(arrow, path, row_group_size=2)
    return path


def test_upsert_parquet_counts_like_upsert_and_ignores_extra_columns(
    facts: FactsStore, tmp_path: Path
) -> None:
    first = parquet_write(tmp_path / "a.parquet", activities(["1", "2", "3"], [1.0, None, 3.0]))
    assert facts.upsert_parquet("activities", first) == UpsertCounts(3, 0, 0)
    assert facts.upsert_parquet("activities", first) == UpsertCounts(0, 0, 3)
    second = parquet_write(tmp_path / "b.parquet", activities(["1", "2", "4"], [1.5, None, 4.0]))
    assert facts.upsert_parquet("activities", second) == UpsertCounts(1, 1, 1)
    with facts.connect() as con:
        rows = con.table("activities").order_by("id").execute()
    assert rows["id"].tolist() == ["1", "2", "3", "4"]
    assert rows["amount"].tolist()[0] == 1.5


def test_upsert_parquet_with_a_repeated_key_writes_nothing(
    facts: FactsStore, tmp_path: Path
) -> None:
    path = parquet_write(tmp_path / "d.parquet", activities(["1", "2", "3", "1"], [1, 2, 3, 4]))
    with pytest.raises(InputError, match="repeats"):
        facts.upsert_parquet("activities", path)
    with facts.connect() as con:
        assert con.table("activities").count().execute() == 0


def test_upsert_parquet_names_the_missing_columns(facts: FactsStore, tmp_path: Path) -> None:
    path = parquet_write(tmp_path / "m.parquet", activities(["1"], [1.0]).drop(columns="type"))
    with pytest.raises(InputError, match="lacks column.*type"):
        facts.upsert_parquet("activities", path)


@pytest.mark.postgres
def test_upsert_parquet_on_postgres_streams_batches_in_one_transaction(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import m3.facts.store as store_module

    monkeypatch.setattr(store_module, "COPY_BATCH_ROWS", 2)  # several COPY batches
    store = FactsStore(pg_url, 10)
    store.schema_create()
    good = parquet_write(tmp_path / "g.parquet", activities(["1", "2", "3"], [1.0, None, 3.0]))
    assert store.upsert_parquet("activities", good) == UpsertCounts(3, 0, 0)
    assert store.upsert_parquet("activities", good) == UpsertCounts(0, 0, 3)
    other = parquet_write(tmp_path / "o.parquet", activities(["1", "9"], [1.5, 9.0]))
    assert store.upsert_parquet("activities", other) == UpsertCounts(1, 1, 0)
    bad = parquet_write(tmp_path / "b.parquet", activities(["4", "5", "6", "4"], [1, 2, 3, 4]))
    with pytest.raises(InputError, match="repeats"):
        store.upsert_parquet("activities", bad)
    with store.connect() as con:
        assert con.table("activities").count().execute() == 4
