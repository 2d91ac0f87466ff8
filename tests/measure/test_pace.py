"""Output pace: an initiative's output against its forecast, over the viewer's part of the scope."""

from __future__ import annotations

import pytest

from m3.facts.store import FactsStore
from m3.measure.pace import output_pace
from m3.org.scope import scope_for_person
from tests.measure.test_asks import LAST_WEEK, TODAY, setup

pytestmark = pytest.mark.django_db


def test_output_pace_sums_the_scope_over_the_last_four_weeks(facts: FactsStore) -> None:
    org = setup(facts)
    initiative = org.north.initiatives.get()
    pace = output_pace(initiative, facts, TODAY, scope_for_person(org.executive, TODAY))
    assert pace.whole_scope and pace.last4_actual == 300 and pace.last4_forecast == 400
    assert pace.pace == pytest.approx(0.75)
    assert pace.weekly["week"].iloc[-1] == LAST_WEEK


def test_output_pace_counts_only_the_viewers_part_of_the_scope(facts: FactsStore) -> None:
    org = setup(facts)
    initiative = org.north.initiatives.get()
    pace = output_pace(initiative, facts, TODAY, scope_for_person(org.manager_a, TODAY))
    assert not pace.whole_scope and pace.pace is None  # Team B's deals are not Team A's
    assert pace.weekly["actual"].fillna(0).sum() == 0
