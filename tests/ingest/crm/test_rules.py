"""The row rules, cell by cell: how each field is read and every problem it names (and, through
an import, the rules beyond single cells on both check paths)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from m3.facts.store import FactsStore
from m3.ingest.crm.importer import crm_import
from m3.ingest.crm.mapping import mapping_from_dict
from m3.ingest.crm.rules import cells_checked
from m3.ingest.problems import ImportRejected
from tests.ingest.crm.test_importer import OPP_HEADER, write_csv

DEALS = mapping_from_dict({
    "kind": "opportunities", "source": "crm", "null_values": ["N/A"],
    "skip_rows_where": {"Deleted": "1"},
    "fields": {"id": "Id", "owner": "Owner", "stage": {"coalesce": ["Stage", "Status"]},
               "amount": {"column": "Value", "scale": 1000},
               "created_at": {"column": "Created", "format": ["%d/%m/%Y", "%Y-%m-%d"]},
               "closed_at": "Closed",
               "won": {"column": "Result", "values": {"Won": True, "Lost": False, "Open": None}}},
}, "deals.yaml")
COLUMNS = ["Id", "Owner", "Stage", "Status", "Value", "Created", "Closed", "Result", "Deleted"]


def checked(*rows: list[str]):  # type: ignore[no-untyped-def]
    cells = pd.DataFrame([list(r) for r in rows], columns=COLUMNS, dtype="object")
    return cells_checked(DEALS, cells, file="d.csv", rows=np.arange(2, 2 + len(rows)))


def test_each_field_is_read_as_the_mapping_says() -> None:
    result = checked(
        ["d1", " ana@x.test ", "", "Open deal", "1.5", "03/02/2026", "", "Open", "0"],
        ["d2", "N/A", "Won", "", "2", "2026-02-04", "2026-03-01", "Won", "0"],
        ["d3", "bo", "Won", "", "2", "2026-02-04", "2026-03-01", "Won", "1"])
    rows = result.table.to_pylist()
    assert (result.rejected, result.skipped, result.problems) == (0, 1, ())
    assert [(r["id"], r["owner"], r["stage"], r["amount"], str(r["created_at"]), r["won"],
             r["__row__"]) for r in rows] == [
        ("d1", "ana@x.test", "Open deal", 1500.0, "2026-02-03 00:00:00", None, 2),
        ("d2", None, "Won", 2000.0, "2026-02-04 00:00:00", True, 3)]


def test_every_unreadable_cell_is_named_with_its_row_column_and_fix() -> None:
    result = checked(["", "a", "", "", "-1", "31/31/2026", "", "Maybe", "0"],
                     ["d2", "a", "", "", "1e20", "", "", "Open", "0"])
    assert result.rejected == 2
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "Created", "'31/31/2026' is not a date in the format %d/%m/%Y or %Y-%m-%d; fix the "
                       "cell or set the field's format in the mapping."),
        (2, "Id", "the id is empty; every row needs one."),
        (2, "Result", "'Maybe' has no won in the mapping's values/patterns (Lost, Open, Won); "
                      "add it to the mapping or give a default."),
        (2, "Value", "'-1' is negative; amounts must be 0 or more (record a refund as a separate "
                     "deal)."),
        (3, "Value", "'1e20' is larger than 1,000,000,000,000; check the cell (a slipped "
                     "decimal, or an id in the amount column?)."),
    ]


@pytest.mark.django_db
def test_a_deal_closed_before_it_was_created_or_worth_a_trillion_is_named(
    facts: FactsStore, tmp_path: Path
) -> None:
    rows = [
        ["o1", "x@acme.test", "A", "P", "closed_won", "100", "USD", "2026-02-01", "2026-01-15",
         "true"],
        ["o2", "x@acme.test", "A", "P", "open", "1e15", "USD", "2026-02-01", "", ""],
        ["o3", "x@acme.test", "A", "P", "open", "500", "USD", "2026-02-01", "", ""],
    ]
    path = write_csv(tmp_path / "opps.csv", OPP_HEADER, rows)
    with pytest.raises(ImportRejected) as rejected:
        crm_import([path], profile="m3", store=facts, data_dir=tmp_path / "data")
    found = {(p.row, p.column) for p in rejected.value.problems}
    assert found == {(2, "closed_at"), (3, "amount")}
    assert "before the creation date" in rejected.value.message
    with facts.connect() as con:
        assert con.table("opportunities").count().execute() == 0
