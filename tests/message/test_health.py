"""Message health on tiny exact cases: the frequency part, the score and the findings."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.message.alignment import ScoredTouch, Supporter, unit_alignment
from m3.message.cadence import DueItem, PlanStep
from m3.message.comprehension import unit_comprehension
from m3.message.health import (
    FindingKind,
    HealthParts,
    consistency_part,
    frequency_part,
    health_score,
    unit_findings,
)
from m3.vocabulary import CadenceKind

DAY = dt.date(2026, 6, 1)
DELIVER = PlanStep(CadenceKind.DELIVER, frozenset({"manager"}), due=dt.date(2026, 1, 12))
REINFORCE = PlanStep(CadenceKind.REINFORCE, frozenset({"manager"}), every_days=14)


def item(step: PlanStep, overdue: int, last: dt.date | None = None) -> DueItem:
    return DueItem(1, step.kind, step.leader_kinds, (7,), last, DAY, overdue)


def test_frequency_is_zero_while_the_message_was_never_delivered() -> None:
    assert frequency_part([(DELIVER, item(DELIVER, 3)), (REINFORCE, item(REINFORCE, 0))]) == 0.0


def test_frequency_loses_a_full_interval_late_linearly() -> None:
    on_time = (DELIVER, item(DELIVER, 0))
    assert frequency_part([on_time, (REINFORCE, item(REINFORCE, 0))]) == 100.0
    assert frequency_part([on_time, (REINFORCE, item(REINFORCE, 7))]) == pytest.approx(50.0)
    assert frequency_part([on_time, (REINFORCE, item(REINFORCE, 30))]) == 0.0
    assert frequency_part([on_time]) == 100.0
    assert frequency_part([]) is None


def test_health_is_half_the_weighted_mean_and_half_the_weakest_part() -> None:
    parts = HealthParts(clarity=100, comprehension=80, frequency=0, consistency=60)
    mean = (0.1 * 100 + 0.3 * 80 + 0.3 * 0 + 0.3 * 60) / 1.0
    assert health_score(parts) == pytest.approx(0.5 * mean + 0.5 * 0)
    only = HealthParts(clarity=90, comprehension=None, frequency=None, consistency=None)
    assert health_score(only) == pytest.approx(90)
    assert health_score(HealthParts(None, None, None, None)) is None


def test_a_unit_never_reinforced_says_so_in_days_first() -> None:
    last = dt.date(2026, 1, 14)
    steps = [(DELIVER, item(DELIVER, 0, last)), (REINFORCE, item(REINFORCE, 124, last))]
    alignment = unit_alignment(1, [Supporter(7, "manager", 14)], [], 3, 91)
    comprehension = unit_comprehension([1, 2], [], [], 3, DAY, DAY)
    findings = unit_findings(steps, alignment, comprehension, {7: "Mia"}, DAY, last)
    assert findings[0].kind is FindingKind.NOT_REINFORCED
    assert findings[0].text == f"Not reinforced for {(DAY - last).days} days"
    assert findings[-1].text == "2 of 2 reps have not restated the message"


def test_two_leaders_disagreeing_is_named_with_the_contradicting_leader_and_quote() -> None:
    touches = [ScoredTouch(1, 7, DAY, 0.9, (True, True), (None, None)),
               ScoredTouch(2, 8, DAY, 0.0, (False, False), (None, "skip the ROI calculator")),
               ScoredTouch(3, 8, DAY, 0.0, (False, False), (None, None))]
    alignment = unit_alignment(1, [Supporter(7, "manager"), Supporter(8, "overlay")], touches,
                               2, 91)
    comprehension = unit_comprehension([], [], [], 2, DAY, DAY)
    findings = unit_findings([], alignment, comprehension, {7: "Mia", 8: "Oli"}, DAY, DAY)
    assert [f.text for f in findings] == [
        "Two leaders disagree on point 2: Oli says “skip the ROI calculator”",
        "Oli never mentions point 1",
    ]
    assert consistency_part(alignment, 0.25) == pytest.approx(
        100 * (0.6 * (0.5 * 0.45 + 0.5 * 0.0) + 0.2 * 0.25) / 0.8)
