"""Importing an initiative from a YAML or JSON file: round trip, update, and every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from m3.errors import InputError
from m3.ingest.problems import ImportRejected
from m3.initiatives.file import initiative_import
from m3.initiatives.models import Initiative, UnitForecastPoint
from m3.initiatives.selectors import initiative_input_of
from tests.factories import SmallOrg, small_org

pytestmark = pytest.mark.django_db

FILE = """\
title: Lead with value
owner: dan.director@example.test
scope: [North]
start: 2026-01-05
end: 2026-07-06
why: Buyers cut budgets; only a quantified case gets signed.
how: Open every discovery with the ROI calculator.
what: Run two ROI demos a week and send a proposal with the number in it.
key_points:
  - Start with the customer's cost
  - Use the ROI calculator
  - Put the number in the proposal
output_metric: won_revenue
asks:
  - {behaviour: Run an ROI demo, metric: demos, per_rep_per_week: 2}
  - {behaviour: Send a proposal, metric: proposals, per_rep_per_week: 1}
cadence:
  - {kind: deliver, due: 2026-01-09, leaders: [manager]}
  - {kind: reinforce, every_days: 14, leaders: [manager, director]}
forecast: forecast.csv
"""

FORECAST = """\
week_start,value,unit
2026-01-05,1000,
2026-01-12,1200,
2026-01-19,1400,
2026-01-05,600,Team A
2026-01-12,700,Team A
2026-01-19,800,Team A
"""


def write(folder: Path, text: str = FILE, forecast: str | None = FORECAST,
          name: str = "initiative.yaml") -> Path:
    if forecast is not None:
        (folder / "forecast.csv").write_text(forecast, encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def changed(**keys: object) -> str:
    data = yaml.safe_load(FILE)
    for key, value in keys.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return yaml.safe_dump(data, sort_keys=False)


def rejected(path: Path) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        initiative_import(path)
    assert Initiative.objects.count() == 0
    assert "--skip-invalid" not in caught.value.message
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def org() -> SmallOrg:
    return small_org()


def test_a_yaml_file_is_imported_with_every_part(org: SmallOrg, tmp_path: Path) -> None:
    result = initiative_import(write(tmp_path))
    assert result.outcome == "added"
    saved = Initiative.objects.get()
    assert saved.owner == org.director_north and list(saved.units.all()) == [org.north]
    assert [kp.text for kp in saved.key_points.all()][2] == "Put the number in the proposal"
    assert [(a.lever_metric, a.target_per_rep_per_week) for a in saved.asks.all()] == [
        ("demos", 2.0), ("proposals", 1.0)]
    assert [f.value for f in saved.forecast.all()] == [1000.0, 1200.0, 1400.0]
    assert [(f.unit, f.value) for f in UnitForecastPoint.objects.all()] == [
        (org.team_a, 600.0), (org.team_a, 700.0), (org.team_a, 800.0)]
    steps = {s.kind: s for s in saved.cadence.all()}
    assert steps["reinforce"].every_days == 14
    assert steps["reinforce"].leader_kind_list() == ["manager", "director"]


def test_the_same_file_again_is_unchanged(org: SmallOrg, tmp_path: Path) -> None:
    path = write(tmp_path)
    first = initiative_import(path)
    before = initiative_input_of(Initiative.objects.get())
    again = initiative_import(path)
    assert again.outcome == "unchanged" and again.initiative_id == first.initiative_id
    assert initiative_input_of(Initiative.objects.get()) == before


def test_a_json_file_says_the_same_as_the_yaml(org: SmallOrg, tmp_path: Path) -> None:
    initiative_import(write(tmp_path))
    data = yaml.safe_load(FILE)
    data.update(start="2026-01-05", end="2026-07-06")
    data["cadence"][0]["due"] = "2026-01-09"
    path = write(tmp_path, json.dumps(data), name="initiative.json")
    assert initiative_import(path).outcome == "unchanged"


def test_importing_the_title_again_updates_it(org: SmallOrg, tmp_path: Path) -> None:
    initiative_import(write(tmp_path))
    text = changed(title="lead with value", key_points=["One", "Two", "Three", "Four"],
                   forecast=[{"week_start": "2026-01-05", "value": 900}])
    result = initiative_import(write(tmp_path, text))
    assert result.outcome == "updated"
    saved = Initiative.objects.get()
    assert saved.title == "lead with value" and saved.key_points.count() == 4
    assert [f.value for f in saved.forecast.all()] == [900.0]
    assert UnitForecastPoint.objects.count() == 0


def test_a_forecast_by_unit_only_sums_to_the_scope(org: SmallOrg, tmp_path: Path) -> None:
    text = changed(scope=["Team A", "Team B"])
    forecast = "week_start,value,unit\n2026-01-05,10,Team A\n2026-01-05,5,team b\n"
    initiative_import(write(tmp_path, text, forecast))
    assert [(f.week.isoformat(), f.value) for f in Initiative.objects.get().forecast.all()] == [
        ("2026-01-05", 15.0)]


@pytest.mark.parametrize(("keys", "says"), [
    ({"owner": "dan.directr@example.test"},
     "initiative.yaml: owner: no person with the email 'dan.directr@example.test' (closest: "
     "dan.director@example.test); check it or import the org first (m3 org import)."),
    ({"scope": ["Nrth", "South"]},
     "initiative.yaml: scope item 1: no unit called 'Nrth' (closest: North); use a unit's name "
     "as in the org (m3 org import)."),
    ({"key_points": ["One", "Two"]},
     "initiative.yaml: key_points: Give 3–5 key points (you gave 2): every rep must be able "
     "to say them."),
    ({"key_points": ["1", "2", "3", "4", "5", "6"]},
     "initiative.yaml: key_points: Give 3–5 key points (you gave 6): every rep must be able "
     "to say them."),
    ({"owner": None}, "initiative.yaml: owner: missing; give the email of the person who owns "
                      "the initiative."),
    ({"start": "soon"}, "initiative.yaml: start: expected a date, YYYY-MM-DD (not 'soon')."),
    ({"start": 20260105}, "initiative.yaml: start: expected a date, YYYY-MM-DD (not 20260105)."),
    ({"asks": [{"behaviour": "Demo", "metric": "demos", "per_rep_per_week": "two"}]},
     "initiative.yaml: asks item 1: per_rep_per_week: per_rep_per_week must be a number (the "
     "weekly target of one rep), not 'two'."),
    ({"titel": "x"}, "initiative.yaml: unknown key 'titel' (did you mean 'title'?); allowed "
                     "keys are title, owner, scope, start, end, why, how, what, key_points, "
                     "asks, output_metric, cadence, forecast."),
    ({"asks": [{"behaviour": "Demo", "metric": "demos", "target": 2}]},
     "initiative.yaml: asks item 1: target: an initiative file gives per_rep_per_week (the "
     "weekly target of one rep, a number) instead of target."),
    ({"asks": [{"behaviour": "Demo", "metric": "demos"}]},
     "initiative.yaml: asks item 1: per_rep_per_week: per_rep_per_week is missing; give the "
     "weekly target of one rep, e.g. 2."),
    ({"asks": [{"behaviour": "Demo", "metric": "", "per_rep_per_week": 2}]},
     "initiative.yaml: asks item 1: The ask 'Demo' needs a lever metric that measures it."),
    ({"cadence": [{"kind": "remind", "every_days": 7, "leaders": ["manager"]}]},
     "initiative.yaml: cadence item 1: kind: kind is 'remind'; use one of deliver, redeliver, "
     "reinforce."),
    ({"cadence": [{"kind": "reinforce", "leaders": ["manager"]}]},
     "initiative.yaml: cadence item 1: The reinforce step needs an interval in days."),
    ({"cadence": [{"kind": "deliver", "due": "2026-01-09", "leaders": ["boss"]}]},
     "initiative.yaml: cadence item 1: Unknown leader kind 'boss' in the cadence plan; use one "
     "of director, enablement, manager, overlay."),
    ({"forecast": 12}, "initiative.yaml: forecast must be a CSV file's path or a list of rows "
                       "(week_start, value, unit); got int."),
    ({"forecast": "missing.csv"},
     "initiative.yaml: forecast: no file 'missing.csv' next to initiative.yaml; give its path "
     "relative to initiative.yaml, or list the rows in the file."),
    ({"forecast": [{"week_start": "2026-01-05", "value": -5}]},
     "initiative.yaml: forecast item 1: value: The forecast of the week of 2026-01-05 is -5; a "
     "forecast is 0 or more."),
])
def test_a_bad_key_is_named_with_its_fix_and_nothing_is_written(
        org: SmallOrg, tmp_path: Path, keys: dict[str, object], says: str) -> None:
    assert says in rejected(write(tmp_path, changed(**keys)))


@pytest.mark.parametrize(("forecast", "says"), [
    ("week_start,value\n2026-01-05,1\n2026-01-26,1\n",
     "forecast.csv, row 3, column 'week_start': The forecast skips 2 week(s) between 2026-01-05 "
     "and 2026-01-26; give a value for every week (0 when nothing is expected)."),
    ("week_start,value\n2026-01-05,1\n2026-01-05,2\n",
     "forecast.csv, row 3, column 'week_start': The forecast lists the week of 2026-01-05 twice; "
     "keep one value per week."),
    ("week_start,value\n2026-01-05,-1\n",
     "forecast.csv, row 2, column 'value': The forecast of the week of 2026-01-05 is -1; a "
     "forecast is 0 or more."),
    ("week_start,value\n2026-01-07,1\n",
     "forecast.csv, row 2, column 'week_start': Forecast weeks must be Mondays (the start of the "
     "ISO week): 2026-01-07 is a Wednesday; use 2026-01-05."),
    ("week_start,value\n2026-01-05,lots\n",
     "forecast.csv, row 2, column 'value': expected a number (not 'lots')."),
    ("week_start,value\nJan 5,1\n",
     "forecast.csv, row 2, column 'week_start': expected a date, YYYY-MM-DD (not 'Jan 5')."),
    ("week_start,value,unit\n2026-01-05,1,\n2026-01-05,1,Team Z\n",
     "forecast.csv, row 3, column 'unit': no unit called 'Team Z' (closest: Team C, Team B, "
     "Team A); use a unit's name as in the org (m3 org import)."),
    ("week_start,value,unit\n2026-01-05,1,\n2026-01-05,1,Team C\n",
     "forecast.csv, row 3: Team C is not in the initiative's scope; forecast units of the scope "
     "only (or add Team C to the scope)."),
    ("week_start,value,unit\n2026-01-05,1,\n2026-01-12,1,\n2026-01-05,1,Team A\n",
     "forecast.csv, row 4: The forecast of Team A covers 2026-01-05 to 2026-01-05 but the "
     "scope's covers 2026-01-05 to 2026-01-12; give a unit the same weeks as the scope."),
    ("week_start,value,unit\n2026-01-05,1,Team A\n",
     "initiative.yaml: forecast: no rows for the whole scope (with an empty unit); add them, or "
     "give a forecast for each unit of the scope (North)."),
    ("week_start,value,weight\n2026-01-05,1,2\n",
     "forecast.csv, row 1, column 'weight': unknown column(s) weight; the forecast has "
     "week_start, value, unit (unit optional)."),
])
def test_a_bad_forecast_row_is_named_and_nothing_is_written(
        org: SmallOrg, tmp_path: Path, forecast: str, says: str) -> None:
    assert says in rejected(write(tmp_path, forecast=forecast))


def test_every_problem_is_listed_at_once(org: SmallOrg, tmp_path: Path) -> None:
    text = changed(owner="nobody@example.test", key_points=["One"])
    problems = rejected(write(tmp_path, text, "week_start,value\n2026-01-05,-1\n"))
    assert len(problems) == 3


def test_a_file_that_does_not_parse_names_the_line(org: SmallOrg, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"initiative.json: not valid JSON at line 2"):
        initiative_import(write(tmp_path, '{"title": "x",\n oops}', name="initiative.json"))
    assert Initiative.objects.count() == 0
