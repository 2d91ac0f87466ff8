"""The Arrow path of an import: it types rows and names problems exactly as the per-cell rules,
and sends every cell it cannot read surely to them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from m3.facts.store import FactsStore
from m3.ingest.crm.mapping import ImportMapping, mapping_load
from m3.ingest.crm.profiles import file_kind
from m3.ingest.crm.readers import csv_text_batches, text_cells
from m3.ingest.crm.rules import cells_checked
from m3.ingest.crm.transform import batch_transform
from m3.ingest.problems import ImportRejected
from tests.factories import small_org
from tests.ingest.crm.test_importer import (
    ACTIVITY_HEADER,
    OPP_HEADER,
    rows_of,
    run_import,
    write_csv,
)

PLAIN_ACTIVITIES = [
    ["a1", " rep@x.test ", "call", "2026-01-06", "X", "Acme", "", "12.50"],
    ["a2", "REP@x.test", "email", "2026-01-06 10:30", "", " Acme ", "o1", ""],
    ["a3", "nobody@x.test", "demo", "2026-01-06T10:30:05", "Y", "", "", "0"],
    ["a4", "", "meeting", "2026-01-07 08:00:00.250", "", "", "", "7"],
]
PLAIN_OPPORTUNITIES = [
    ["o1", "rep@x.test", "Acme", "X", "won", "100", "USD", "2026-01-02", "2026-01-09", "Yes"],
    ["o2", "rep@x.test", "Acme", "", "lost", "", "EUR", "2026-01-02", "2026-01-09", "0"],
    ["o3", "rep@x.test", "", "", "open", "3.25", "", "", "", ""],
]


MAVEN_US = ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date",
            "close_date", "close_value"]
MAVEN_ROWS = [
    ["d1", "Moses Frase", "GTX", "Cancity", "Won", "10/20/2016", "3/1/2017", "1054"],
    ["d2", "Moses Frase", "GTX", "Cancity", "Lost", "2016-10-20", "03/01/2017", "0"],
    ["d3", "Moses Frase", "GTX", "", "Engaging", "1/5/2017", "", ""],
    ["d4", "Moses Frase", "", "", "Prospecting", "", "", ""],
    ["d5", "Moses Frase", "GTX", "Cancity", "Won", "2/ 3/2017", "12/31/2017", "7.5"],
]
MAVEN_BAD = [
    ["d6", "Moses Frase", "GTX", "Cancity", "Won", "2/30/2017", "3/1/2017", "1"],
    ["d7", "Moses Frase", "GTX", "Cancity", "Won", "1/5/17", "3/1/2017", "1"],
    ["d8", "Moses Frase", "GTX", "Cancity", "Maybe", "1/5/2017", "3/1/2017", "1"],
    ["d9", "Moses Frase", "GTX", "Cancity", "Won", "1/5/2017", "", "-4"],
    ["", "Moses Frase", "GTX", "Cancity", "Won", "1/5/2017", "3/1/2017", "1e3"],
]
SF_TASK = ["Id", "OwnerId", "AccountId", "Type", "Subject", "ActivityDate", "CompletedDateTime",
           "CreatedDate", "WhatId", "CurrencyIsoCode", "IsDeleted", "IsClosed"]
SF_TASK_ROWS = [
    ["t1", "005A", "001A", "", "Llamada con cliente", "2023-03-02 00:00:00", "", "", "006X", "MXN",
     "0", "1"],
    ["t2", "005A", "000000000000000AAA", "Email", "x", "", "2023-03-03 15:00:00", "", "0XB1", "",
     "0", "1"],
    ["t3", "005A", "", "", "Seguimiento", "", "", "2023-03-04", "", "", "0", "1"],
    ["t4", "005A", "", "", "Demo", "2023-03-05", "", "", "", "", "1", "1"],
    ["t5", "005A", "", "", "Demo", "2023-03-05", "", "", "", "", "0", "0"],
    ["t6", "005A", "", "", "Cita", "2023-02-30", "", "", "", "", "0", "1"],
]


def _mapping_for(case: str, header: list[str]) -> ImportMapping:
    if case == "maven":
        return mapping_load(Path(__file__).resolve().parents[3] / "docs" / "mappings" /
                            "maven-crm.yaml")
    profile, kind = {"m3-activities": ("m3", "activities"),
                     "m3-opportunities": ("m3", "opportunities"),
                     "salesforce": ("salesforce", None)}[case]
    mapping = file_kind(profile, tuple(header), "f.csv", kind).mapping
    assert mapping is not None
    return mapping


@pytest.mark.parametrize(("case", "header", "rows"), [
    ("m3-activities", ACTIVITY_HEADER, PLAIN_ACTIVITIES),
    ("m3-opportunities", OPP_HEADER, PLAIN_OPPORTUNITIES),
    ("maven", MAVEN_US, MAVEN_ROWS + MAVEN_BAD),
    ("salesforce", SF_TASK, SF_TASK_ROWS),
])
def test_the_arrow_path_types_rows_and_names_problems_as_the_per_cell_path(
    tmp_path: Path, case: str, header: list[str], rows: list[list[str]]
) -> None:
    path = write_csv(tmp_path / "f.csv", header, rows)
    mapping = _mapping_for(case, header)
    (batch,) = csv_text_batches(path)
    fast = batch_transform(mapping, batch.table, file=path.name, first_row=2)
    slow = cells_checked(mapping, text_cells(batch).cells, file=path.name,
                         rows=np.arange(2, 2 + len(rows)))
    assert fast.table.equals(slow.table)
    assert (fast.rejected, fast.skipped, fast.problems) == (slow.rejected, slow.skipped,
                                                            slow.problems)


def test_us_dates_are_read_by_arrow_and_impossible_days_are_named() -> None:
    mapping = _mapping_for("maven", MAVEN_US)
    table = pa.table({c: [r[i] for r in MAVEN_ROWS + MAVEN_BAD] for i, c in enumerate(MAVEN_US)})
    result = batch_transform(mapping, table, file="f.csv", first_row=2)
    assert result.table["id"].to_pylist() == ["d1", "d2", "d3", "d4", "d5"]
    assert [str(d) for d in result.table["created_at"].to_pylist()] == [
        "2016-10-20 00:00:00", "2016-10-20 00:00:00", "2017-01-05 00:00:00", "None",
        "2017-02-03 00:00:00"]
    assert [(p.row, p.column) for p in result.problems] == [
        (7, "engage_date"), (8, "engage_date"), (9, "deal_stage"), (10, "close_date"),
        (10, "close_value"), (11, "opportunity_id")]  # 1e3 is a number, as pandas reads it
    assert result.problems[0].message.startswith("'2/30/2017' is not a date in the format")


@pytest.mark.django_db
@pytest.mark.parametrize("cell", ["2026-01-06Z", "06/01/2026", "2026-02-30", "2026-01-06 +1"])
def test_a_date_the_arrow_check_cannot_read_goes_to_the_full_checks(
    facts: FactsStore, tmp_path: Path, cell: str
) -> None:
    org = small_org()
    path = write_csv(tmp_path / "a.csv", ACTIVITY_HEADER, [
        ["a1", org.rep_a1.email, "call", "2026-01-06", "", "", "", ""],
        ["a2", org.rep_a1.email, "call", cell, "", "", "", ""],
    ])
    with pytest.raises(ImportRejected) as caught:
        run_import([path], facts, tmp_path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "occurred_at")
    assert rows_of(facts, "activities").empty
