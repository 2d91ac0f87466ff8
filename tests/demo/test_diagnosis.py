"""The demo makes each case visible and the diagnosis names it (DESIGN.md, "Demo")."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.demo.build import demo_build
from m3.diagnose.report import initiative_diagnosis
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 4)


def test_the_diagnosis_names_the_case_each_special_team_was_built_to_show(
        facts: FactsStore) -> None:
    # the smallest demo whose teams have enough reps for their output to tell: 6 teams of 10
    demo_build(reps=60, weeks=12, seed=7, today=TODAY, facts=facts)
    rows = {r.unit.signals.name: r.diagnosis
            for r in initiative_diagnosis(Initiative.objects.get(), facts, TODAY)}
    found = {team: (str(rows[team].status), str(rows[team].cause), rows[team].detail)
             for team in ("Team Harbor", "Team Ember", "Team Summit", "Team Quarry",
                          "Team Delta")}
    assert found["Team Harbor"] == ("on_track", "none", "")
    assert found["Team Ember"][1:] == ("message", "frequency")
    assert found["Team Summit"][1:] == ("message", "consistency")
    assert found["Team Quarry"][1:] == ("measure", "coverage")
    assert found["Team Delta"][1] == "opportunity"
    assert found["Team Delta"][2] in ("win_rate", "deal_size")
    for team in ("Team Ember", "Team Summit", "Team Delta"):
        assert found[team][0] in ("at_risk", "behind"), team
    # each with its evidence: the chain walked to the step that names the cause
    assert [e.step for e in rows["Team Delta"].evidence][-1] == "opportunity"
    assert "against" in rows["Team Delta"].evidence[-1].finding  # like units' figures
    assert "consistency" in rows["Team Summit"].evidence[-1].finding
