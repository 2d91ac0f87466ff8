"""Due lists: the steps a leader carries that are overdue, on the tiny world and in the app DB."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from m3.initiatives.models import Initiative
from m3.initiatives.services import CadenceInput, initiative_save
from m3.message.due import leader_due_list, overdue_items, person_due_list
from m3.message.services import TouchpointInput, touchpoint_log
from m3.vocabulary import CadenceKind
from tests.factories import START, SmallOrg, small_org
from tests.initiatives.test_services import roi_input
from tests.message.tiny import DAN, MAX, MIA, TEAM_A, TEAM_B, day, tiny_inputs

TODAY = START + dt.timedelta(days=60)


def test_a_managers_due_list_holds_their_teams_late_steps_most_late_first() -> None:
    inputs = tiny_inputs()
    # Max only met Bea one to one: his deliver step is 13 days late. Dan's touch to North on day
    # 5 started Team B's reinforce clock, so reinforcing was due on day 19.
    assert [(i.team_id, i.step.value, i.days_overdue) for i in overdue_items(
        inputs, MAX, day(20))] == [(TEAM_B, "deliver", 13), (TEAM_B, "reinforce", 1)]
    assert [(i.team_id, i.days_overdue) for i in overdue_items(inputs, MIA, day(20))] == [
        (TEAM_A, 4)]
    assert overdue_items(inputs, DAN, day(20)) == []  # the plan asks nothing of directors


def setup() -> tuple[SmallOrg, int]:
    org = small_org()
    plan = (CadenceInput(CadenceKind.DELIVER, ("manager",), due=START + dt.timedelta(days=7)),
            CadenceInput(CadenceKind.REINFORCE, ("manager", "overlay"), every_days=14))
    initiative = initiative_save(roi_input(org, unit_ids=(org.north.pk,), cadence=plan))
    return org, initiative.pk


def touch(org: SmallOrg, initiative_id: int, **changes: object) -> TouchpointInput:
    data = TouchpointInput(initiative_id=initiative_id, leader_id=org.manager_a.pk,
                           channel="meeting", date=START + dt.timedelta(days=3),
                           content="Start with the customer's cost.", unit_id=org.team_a.pk)
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_due_list_names_the_team_whose_reinforcement_is_late() -> None:
    org, initiative_id = setup()
    touchpoint_log(touch(org, initiative_id), TODAY)  # day 3: delivered to Team A
    touchpoint_log(touch(org, initiative_id, leader_id=org.manager_b.pk, unit_id=org.team_b.pk,
                         date=START + dt.timedelta(days=50)), TODAY)
    initiative = Initiative.objects.get(pk=initiative_id)
    due_a = leader_due_list(org.manager_a, initiative, TODAY)
    assert [(i.team_id, i.step.value, i.days_overdue) for i in due_a] == [
        (org.team_a.pk, "reinforce", 60 - 3 - 14)]
    assert leader_due_list(org.manager_b, initiative, TODAY) == []
    overlay = leader_due_list(org.overlay_a, initiative, TODAY)
    assert [i.team_id for i in overlay] == [org.team_a.pk]


@pytest.mark.django_db
def test_a_rep_leads_nothing_so_their_due_list_is_empty_without_reading_the_initiative() -> None:
    org, initiative_id = setup()
    initiatives = list(Initiative.objects.filter(pk=initiative_id))
    with CaptureQueriesContext(connection) as queries:
        assert person_due_list(org.rep_a1, initiatives, TODAY) == []
    assert len(queries) == 2  # the rep's leaderships, and the unit tree
    rows = person_due_list(org.manager_a, initiatives, TODAY)
    assert [(r.unit, r.step, r.days_overdue) for r in rows] == [
        ("Team A", "deliver", 60 - 7), ("Team A", "reinforce", 60 - 14)]
