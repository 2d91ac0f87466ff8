"""Row rules beyond single cells: dates in order, amounts that can be deals (both check paths)."""

from __future__ import annotations

from pathlib import Path

import pytest

from m3.facts.store import FactsStore
from m3.ingest.crm.importer import crm_import
from m3.ingest.problems import ImportRejected
from tests.ingest.test_importer import OPP_HEADER, write_csv

pytestmark = pytest.mark.django_db


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
