"""Due lists: the cadence steps a leader carries that are overdue, by initiative and team.

A leader carries a step for a team when they lead the team or a unit above it in one of the
step's leader kinds; so their due list only needs the teams they lead (with the units below),
and only those are read (`health_inputs` with `unit_ids`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from m3.initiatives.models import Initiative
from m3.message.cadence import DueItem
from m3.message.inputs import HealthInputs
from m3.message.selectors import health_inputs
from m3.org.models import Person
from m3.org.selectors import units_led_by


@dataclass(frozen=True)
class DueRow:
    """One overdue cadence step a leader carries, for their due list."""

    initiative_id: int
    initiative: str
    unit_id: int
    unit: str
    step: str
    due: dt.date
    last_touch: dt.date | None
    days_overdue: int


def overdue_items(inputs: HealthInputs, leader_id: int, today: dt.date) -> list[DueItem]:
    """The steps `leader_id` carries that are overdue on `today`, most overdue first (pure).

    Ties keep the order of the teams (by id) and of the plan's steps.
    """
    items = []
    for team in sorted(inputs.teams_on(today)):
        members = inputs.members_on(team, today)
        carriers = inputs.carriers_on(team, today)
        touches = inputs.touches_reaching(team, members, today)
        items += [item for _, item in inputs.due_on(team, carriers, touches, today)
                  if leader_id in item.carriers and item.overdue]
    return sorted(items, key=lambda item: -item.days_overdue)


def leader_due_list(leader: Person, initiative: Initiative, today: dt.date) -> list[DueItem]:
    """The steps this leader carries that are overdue, most overdue first."""
    led = units_led_by(leader, today)
    if not led:
        return []
    return overdue_items(health_inputs(initiative, today, unit_ids=led, cadence_only=True),
                         leader.pk, today)


def person_due_list(person: Person | None, initiatives: Iterable[Initiative],
                    today: dt.date) -> list[DueRow]:
    """The cadence steps `person` carries that are overdue on `today`, most overdue first."""
    if person is None:
        return []
    led = units_led_by(person, today)
    if not led:  # a rep, or a leader between units: nothing is theirs to carry
        return []
    rows = []
    for initiative in initiatives:
        if not initiative.start <= today <= initiative.end:
            continue
        inputs = health_inputs(initiative, today, unit_ids=led, cadence_only=True)
        rows += [DueRow(initiative.pk, initiative.title, item.team_id,
                        inputs.unit_name(item.team_id), str(item.step), item.due,
                        item.last_touch, item.days_overdue)
                 for item in overdue_items(inputs, person.pk, today)]
    return sorted(rows, key=lambda r: (-r.days_overdue, r.unit, r.step))
