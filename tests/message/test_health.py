"""Message health on tiny exact cases: the parts, the score, the findings, a team on any day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from m3.message.alignment import ScoredTouch, Supporter, unit_alignment
from m3.message.cadence import DueItem, PlanStep
from m3.message.comprehension import unit_comprehension
from m3.message.health import (
    FindingKind,
    HealthParts,
    consistency_part,
    frequency_part,
    health_score,
    initiative_health,
    unit_findings,
    unit_health,
)
from m3.message.matrix import leader_matrix
from m3.message.selectors import health_inputs, initiative_message_health
from m3.org.scope import Scope
from m3.vocabulary import CadenceKind, Role
from m3.weeks import week_bounds
from tests.message.story import Story
from tests.message.tiny import NORTH, RAE, RAY, SOUTH, TEAM_A, TEAM_B, day, tiny_inputs

DAY = dt.date(2026, 6, 1)
DELIVER = PlanStep(CadenceKind.DELIVER, frozenset({"manager"}), due=dt.date(2026, 1, 12))
REINFORCE = PlanStep(CadenceKind.REINFORCE, frozenset({"manager"}), every_days=14)
EVERYTHING = Scope(Role.ADMIN, None, frozenset(), frozenset(), everything=True)


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


# --- a team's health from inputs read once (tests/message/tiny.py) --------------------------


def test_a_teams_health_on_a_day_is_exact_from_its_inputs() -> None:
    inputs = tiny_inputs()
    row = unit_health(inputs, TEAM_A, day(20))
    assert row is not None and row.members == (RAE, RAY)
    # Reinforce was due 14 days after Mia's delivery on day 2: 4 days late on day 20.
    assert row.parts.frequency == pytest.approx(100 * (1 - 4 / 14))
    # Mia 0.8, Dan 0.2: content = 0.5 * 0.5 + 0.5 * 0.2; delivery 1 (one planned leader);
    # voices (3 - 1) / 4.
    assert row.alignment.content == pytest.approx(0.35) and row.alignment.delivery == 1.0
    assert row.voices == 0.5 and row.energy is None
    assert row.parts.consistency == pytest.approx(100 * (0.6 * 0.35 + 0.2 * 1.0 + 0.2 * 0.5))
    # Rae states point 1 only; Ray's clarity pulse is 5.
    assert row.comprehension.point_share == (1.0, 0.0)
    assert row.parts.comprehension == pytest.approx(100 * (0.75 * 0.5 + 0.25 * 1.0))
    clarity = float(inputs.clarity.score)
    assert row.parts.clarity == clarity
    parts = (clarity, 62.5, 100 * 10 / 14, 51.0)
    mean = (0.1 * parts[0] + 0.3 * parts[1] + 0.3 * parts[2] + 0.3 * parts[3]) / 1.0
    assert row.health == pytest.approx(0.5 * mean + 0.5 * min(parts))
    assert [f.text for f in row.findings] == [
        "Two leaders disagree on point 2: Dan says “skip it”",
        "Only 0% of reps can state point 2",
        "1 of 2 reps have not restated the message",
    ]
    assert (row.last_touch, row.days_since_touch, row.days_since_reinforcement) == (day(5), 15, 18)
    assert row.touches_vs_plan == pytest.approx(1 / (28 / 14)) and row.reach == 1.0


def test_the_same_inputs_give_each_day_only_what_was_known_by_then() -> None:
    inputs = tiny_inputs()
    rows = {n: unit_health(inputs, TEAM_A, day(n)) for n in (1, 20, 40)}
    # Day 1: nothing delivered yet, but not due; day 40: Mia's unscored touch of day 30 counts
    # for the cadence, not for consistency.
    assert [r.days_since_reinforcement for r in rows.values() if r] == [1, 18, 10]
    assert [r.parts.frequency for r in rows.values() if r] == [100.0, pytest.approx(
        100 * 10 / 14), 100.0]
    assert [r.alignment.leaders[0].touches for r in rows.values() if r] == [0, 1, 1]
    assert rows[1] is not None and rows[1].comprehension.answered == 0


def test_a_unit_is_not_a_team_outside_the_initiative_or_without_members() -> None:
    inputs = tiny_inputs()
    assert unit_health(inputs, SOUTH, day(20)) is None
    assert unit_health(inputs, NORTH, day(20)) is None  # in scope, but nobody belongs to it
    assert unit_health(inputs, TEAM_A, day(-1)) is None  # before anyone joined


def test_the_initiatives_health_lists_the_least_healthy_team_first_and_filters_units() -> None:
    inputs = tiny_inputs()
    rows = initiative_health(inputs, day(20))
    assert [r.unit_id for r in rows] == [TEAM_B, TEAM_A]
    assert rows[0].health is not None and rows[1].health is not None
    assert rows[0].health < rows[1].health
    assert [r.unit_id for r in initiative_health(inputs, day(20), {TEAM_B})] == [TEAM_B]
    team_b = next(r for r in rows if r.unit_id == TEAM_B)
    # Max's one-to-one with Bea reaches Bea, but the cadence counts only touches to the team.
    assert team_b.findings[0].text == "Message never delivered (13 days late)"
    assert team_b.reach == 1.0  # Dan's touch to North reached everyone


@pytest.mark.django_db
def test_one_read_gives_the_pages_numbers_for_every_week_without_reading_again(
        story: Story) -> None:
    weeks = [story.today - dt.timedelta(weeks=k) for k in (0, 1, 4, 9, 16)]
    inputs = health_inputs(story.initiative, story.today, since=weeks[-1] - dt.timedelta(days=7))
    with CaptureQueriesContext(connection) as queries:
        computed = {}
        for week in weeks:
            _, as_of = week_bounds(week, story.today)
            computed[week] = (initiative_health(inputs, as_of),
                              leader_matrix(inputs, as_of, inputs.teams_on(as_of)))
    assert len(queries) == 0
    for week in weeks:
        page = initiative_message_health(story.initiative, EVERYTHING, week, story.today)
        assert computed[week] == (page.units, page.leaders), week
    assert [len(rows) for rows, _ in computed.values()] == [2, 2, 2, 2, 2]
    assert computed[weeks[0]][0] != computed[weeks[-1]][0]  # the weeks differ
