"""`m3 initiatives import | list` and `m3 pulse import` through the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from m3.ingest.problems import ImportRejected
from m3.initiatives.cli import initiatives_group
from m3.initiatives.models import Initiative
from m3.pulse.cli import pulse_group
from tests.factories import small_org
from tests.initiatives.test_file import write

pytestmark = pytest.mark.django_db


def test_import_reports_added_then_unchanged_and_list_shows_it(tmp_path: Path) -> None:
    small_org()
    path = str(write(tmp_path))
    first = CliRunner().invoke(initiatives_group, ["import", path])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Lead with value: added (1 unit(s) in scope, 3 key points, "
                                   "2 ask(s), 2 cadence step(s), 3 forecast week(s), 1 unit(s) "
                                   "with their own forecast).")
    again = CliRunner().invoke(initiatives_group, ["import", path])
    assert again.output.startswith("Lead with value: unchanged")
    listed = CliRunner().invoke(initiatives_group, ["list"])
    assert listed.output == "2026-01-05  2026-07-06  Lead with value  [North]\n"


def test_a_rejected_file_is_an_error_that_writes_nothing(tmp_path: Path) -> None:
    small_org()
    path = str(write(tmp_path, forecast="week_start,value\n2026-01-05,-1\n"))
    result = CliRunner().invoke(initiatives_group, ["import", path])
    assert isinstance(result.exception, ImportRejected)
    assert Initiative.objects.count() == 0


def test_pulse_import_counts_person_weeks(tmp_path: Path) -> None:
    small_org()
    CliRunner().invoke(initiatives_group, ["import", str(write(tmp_path))])
    csv = tmp_path / "pulse.csv"
    csv.write_text("email,date,clarity,consistency,confidence,energy\n"
                   "rae.rep@example.test,2026-01-05,4,4,4,4\n", encoding="utf-8")
    result = CliRunner().invoke(pulse_group, ["import", str(csv), "--initiative",
                                              "Lead with value"])
    assert result.exit_code == 0, result.output
    assert result.output == "Pulse answers (person-weeks): 1 added, 0 updated, 0 unchanged.\n"
