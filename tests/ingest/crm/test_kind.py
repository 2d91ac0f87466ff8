"""`--kind` must fit the file: an activities file is never imported as opportunities."""

from __future__ import annotations

from pathlib import Path

import pytest

from m3.errors import InputError
from m3.facts.store import FactsStore
from m3.ingest.crm.importer import crm_import
from tests.ingest.crm.test_importer import ACTIVITY_HEADER, write_csv

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


def test_a_file_that_is_not_what_its_name_says_is_a_clear_error(
    facts: FactsStore, tmp_path: Path
) -> None:
    fake = tmp_path / "export.parquet"
    fake.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(InputError, match="export.parquet: not a readable Parquet file"):
        crm_import([fake], profile="m3", store=facts, data_dir=tmp_path / "data")
    cp1252 = write_csv(tmp_path / "acts.csv", ACTIVITY_HEADER,
                       [["a1", "x@acme.test", "call", "2026-01-05T10:00:00", "Café", "Açme",
                         "", ""]], encoding="cp1252")
    with pytest.raises(InputError, match="acts.csv"):
        crm_import([cp1252], profile="m3", store=facts, data_dir=tmp_path / "data",
                   encoding="utf-8")
