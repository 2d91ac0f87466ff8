"""`--kind` must fit the file: an activities file is never imported as opportunities."""

from __future__ import annotations

from pathlib import Path

import pytest

from m3.errors import InputError
from m3.facts.store import FactsStore
from m3.ingest.crm.importer import crm_import
from tests.ingest.test_importer import ACTIVITY_HEADER, write_csv

pytestmark = pytest.mark.django_db


def test_an_activities_file_given_as_opportunities_is_refused(
    facts: FactsStore, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "acts.csv", ACTIVITY_HEADER,
                     [["a1", "x@acme.test", "call", "2026-01-05T10:00:00", "", "A", "", ""]])
    with pytest.raises(InputError, match="--kind opportunities needs the column"):
        crm_import([path], profile="m3", kind="opportunities", store=facts,
                   data_dir=tmp_path / "data")
    with facts.connect() as con:
        assert con.table("opportunities").count().execute() == 0
