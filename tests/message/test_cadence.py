"""Cadence on tiny exact cases: what is due, how late, touches vs plan, reach."""

from __future__ import annotations

import datetime as dt

from m3.message.cadence import Carrier, DueItem, PlanStep, Touch, due_items, reach, touches_vs_plan
from m3.vocabulary import CadenceKind

START = dt.date(2026, 1, 5)
TEAM, REGION = 10, 1
MANAGER, DIRECTOR = 100, 200
CARRIERS = {TEAM: [Carrier(MANAGER, "manager"), Carrier(DIRECTOR, "director")]}
PLAN = [
    PlanStep(CadenceKind.DELIVER, frozenset({"manager"}), due=START + dt.timedelta(days=7)),
    PlanStep(CadenceKind.REINFORCE, frozenset({"manager"}), every_days=14),
    PlanStep(CadenceKind.REDELIVER, frozenset({"director"}), every_days=28),
]


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def by_step(items: list[DueItem], step: CadenceKind) -> DueItem:
    return next(i for i in items if i.step is step)


def test_a_team_never_touched_is_overdue_on_every_step() -> None:
    items = due_items(PLAN, CARRIERS, [], START, day(40))
    deliver = by_step(items, CadenceKind.DELIVER)
    assert deliver.days_overdue == 33
    assert by_step(items, CadenceKind.REINFORCE).days_overdue == 26
    assert by_step(items, CadenceKind.REDELIVER).days_overdue == 12


def test_reinforcement_runs_from_the_last_touch_by_the_right_kind() -> None:
    touches = [Touch(MANAGER, day(3), frozenset({TEAM})),
               Touch(MANAGER, day(17), frozenset({TEAM})),
               Touch(DIRECTOR, day(30), frozenset({REGION, TEAM}))]
    items = due_items(PLAN, CARRIERS, touches, START, day(40))
    deliver = by_step(items, CadenceKind.DELIVER)
    assert deliver.last_touch == day(3) and deliver.days_overdue == 0
    reinforce = by_step(items, CadenceKind.REINFORCE)
    assert reinforce.last_touch == day(17)
    assert reinforce.due == day(31) and reinforce.days_overdue == 9
    redeliver = by_step(items, CadenceKind.REDELIVER)
    assert redeliver.days_overdue == 0 and redeliver.due == day(58)


def test_a_touch_to_another_team_or_a_person_does_not_count_for_the_team() -> None:
    touches = [Touch(MANAGER, day(3), frozenset({99})), Touch(MANAGER, day(4), frozenset(), 555)]
    items = due_items(PLAN, CARRIERS, touches, START, day(10))
    assert by_step(items, CadenceKind.DELIVER).last_touch is None


def test_touches_vs_plan_counts_the_window_against_the_interval() -> None:
    touches = [Touch(MANAGER, day(n), frozenset({TEAM})) for n in (0, 14, 28)]
    assert touches_vs_plan(touches, TEAM, [MANAGER], 14, day(0), day(55)) == 3 / 4


def test_reach_is_everyone_for_a_team_touch_and_the_share_for_one_to_ones() -> None:
    members = [1, 2, 3, 4]
    one_to_ones = [Touch(MANAGER, day(2), frozenset(), 1), Touch(MANAGER, day(3), frozenset(), 2)]
    assert reach(one_to_ones, TEAM, members, day(0), day(7)) == 0.5
    assert reach([Touch(MANAGER, day(2), frozenset({TEAM}))], TEAM, members, day(0), day(7)) == 1
    assert reach([], TEAM, [], day(0), day(7)) is None
