"""The metrics commands, through the CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from m3.facts.store import FactsStore
from m3.measure.cli import metrics_group
from m3.measure.metric import CatalogueInvalid
from tests.factories import small_org
from tests.measure.conftest import fact_frame

pytestmark = pytest.mark.django_db


def test_metrics_validate_reports_a_valid_catalogue() -> None:
    result = CliRunner().invoke(metrics_group, ["validate"])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_metrics_validate_lists_the_problems_of_a_user_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("metrics:\n  x:\n    type: nope\n", encoding="utf-8")
    result = CliRunner().invoke(metrics_group, ["validate", str(path)])
    assert isinstance(result.exception, CatalogueInvalid)
    assert "type is 'nope'" in str(result.exception)


def test_metrics_list_shows_every_metric_as_json() -> None:
    result = CliRunner().invoke(metrics_group, ["list", "--format", "json"])
    names = {row["name"] for row in json.loads(result.output)}
    assert {"win_rate", "calls"} <= names


def test_metrics_eval_prints_csv_and_json_with_the_sql(facts: FactsStore) -> None:
    org = small_org()
    facts.upsert("activities", fact_frame("activities", [
        {"rep_id": org.rep_a1.pk, "type": "demo", "occurred_at": "2026-01-07 10:00"}]))
    args = ["eval", "demos", "calls", "--node", "Team A", "--from", "2026-01-05",
            "--to", "2026-01-11"]
    csv_out = CliRunner().invoke(metrics_group, [*args, "--format", "csv"])
    assert csv_out.output.splitlines() == [
        "node,period_start,metric,value,target",
        "Team A,2026-01-05,calls,0.0,",
        "Team A,2026-01-05,demos,1.0,",
    ]
    js = CliRunner().invoke(metrics_group, [*args, "--format", "json", "--explain"])
    payload = json.loads(js.output)
    assert payload["values"][1]["value"] == 1.0
    assert "SELECT" in payload["sql"]["activities by occurred_at"]
    table = CliRunner().invoke(metrics_group, [*args, "--explain"])
    assert "demos" in table.output and "SELECT" in table.output


def test_metrics_rate_saves_an_exchange_rate() -> None:
    result = CliRunner().invoke(metrics_group, ["rate", "eur", "1.1"])
    assert "1 EUR = 1.1" in result.output
