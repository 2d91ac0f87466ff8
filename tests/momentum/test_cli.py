"""`m3 momentum`, `m3 alerts` and `m3 diagnose` through the CLI runner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from m3.diagnose.cli import diagnose_command
from m3.errors import InputError, NotFound
from m3.facts.store import FactsStore
from m3.momentum.cli import alerts_command, momentum_command
from tests.momentum.test_selectors import CUT, build

pytestmark = pytest.mark.django_db


def test_diagnose_lists_every_unit_in_the_issues_json_shape(facts: FactsStore) -> None:
    build(facts)
    result = CliRunner().invoke(diagnose_command, ["lead with value", "--as-of", str(CUT),
                                                   "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == str(CUT) and data["initiative"] == "Lead with value"
    units = {u["unit"]: u for u in data["units"]}
    assert set(units) == {"North", "Team A", "Team B"}
    assert units["Team A"]["path"] == ["Company", "North", "Team A"]
    assert set(units["North"]) == {"unit_id", "unit", "path", "level", "status", "cause",
                                   "detail", "momentum", "output_to_date_vs_forecast",
                                   "projected_vs_forecast", "evidence"}
    assert (units["North"]["level"], units["Team A"]["level"]) == (0, 1)
    # every step of the chain names the page its finding can be checked on
    assert all(set(e) == {"step", "finding", "url"} and e["url"].startswith("/")
               for u in data["units"] for e in u["evidence"])
    # Team B never recorded a demo: the chain stops at the reporting
    assert (units["Team B"]["cause"], units["Team B"]["detail"]) == ("measure", "coverage")


def test_momentum_and_alerts_answer_for_one_unit_or_all(facts: FactsStore) -> None:
    build(facts)
    one = CliRunner().invoke(momentum_command, ["Lead with value", "--unit", "team a",
                                                "--as-of", str(CUT), "--format", "json"])
    assert [u["unit"] for u in json.loads(one.output)["units"]] == ["Team A"]
    alerts = CliRunner().invoke(alerts_command, ["Lead with value", "--as-of", str(CUT)])
    assert alerts.exit_code == 0, alerts.output


def test_an_as_of_before_the_start_is_refused_with_the_fix(facts: FactsStore) -> None:
    build(facts)
    result = CliRunner().invoke(diagnose_command, ["Lead with value", "--as-of", "2020-01-01"])
    assert isinstance(result.exception, InputError)
    assert "choose a date from then on" in str(result.exception)


def test_an_unknown_unit_is_named_with_the_closest_ones(facts: FactsStore) -> None:
    build(facts)
    result = CliRunner().invoke(diagnose_command, ["Lead with value", "--unit", "Team AA",
                                                   "--as-of", str(CUT)])
    assert isinstance(result.exception, NotFound)
    assert "Did you mean Team A" in str(result.exception)


def test_an_as_of_before_the_first_week_ends_says_which_date_to_use(facts: FactsStore) -> None:
    build(facts)
    result = CliRunner().invoke(momentum_command, ["Lead with value", "--as-of", "2026-01-07"])
    assert isinstance(result.exception, InputError)
    assert "use --as-of 2026-01-11 or later" in str(result.exception)


def test_an_initiative_without_facts_says_what_is_missing(facts: FactsStore) -> None:
    from m3.initiatives.services import initiative_save
    from tests.factories import small_org
    from tests.initiatives.test_services import roi_input

    initiative_save(roi_input(small_org()))
    result = CliRunner().invoke(diagnose_command, ["Lead with value", "--as-of", str(CUT),
                                                   "--format", "json"])
    assert result.exit_code == 0, result.output
    [team] = json.loads(result.output)["units"]
    assert (team["cause"], team["detail"]) == ("measure", "coverage")
