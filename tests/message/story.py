"""A small message story for page, API, CLI and health tests: two teams of North, one heard twice
by two voices (Team A), one heard once long ago (Team B)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from m3.initiatives.models import Initiative
from m3.initiatives.services import CadenceInput, initiative_save
from m3.message.services import (
    RestatementInput,
    TouchpointInput,
    restatement_submit,
    touchpoint_log,
)
from m3.org.models import Person
from m3.vocabulary import CadenceKind
from tests.factories import SmallOrg, small_org
from tests.initiatives.test_services import roi_input

FAITHFUL = ("Start with the customer's cost, use the ROI calculator with them, and put the "
            "number in the proposal.")
AGAINST = "Honestly, skip the ROI calculator; just demo the product."


@dataclass(frozen=True)
class Story:
    org: SmallOrg
    initiative: Initiative
    today: dt.date


def client_for(person: Person) -> Client:
    client = Client()
    person.refresh_from_db()
    assert person.user is not None
    client.force_login(person.user)
    return client


def story_build() -> Story:
    """North (Team A, Team B) hears the message: Team A from two voices, Team B only once."""
    org = small_org()
    today = timezone.localdate()
    start = today - dt.timedelta(days=120)
    plan = (CadenceInput(CadenceKind.DELIVER, ("manager",), due=start + dt.timedelta(days=7)),
            CadenceInput(CadenceKind.REINFORCE, ("manager",), every_days=14))
    initiative = initiative_save(roi_input(org, unit_ids=(org.north.pk,), start=start,
                                           end=today + dt.timedelta(days=200), cadence=plan))
    for leader, unit, content, days_ago in (
        (org.manager_a, org.team_a, FAITHFUL, 10), (org.manager_a, org.team_a, FAITHFUL, 3),
        (org.overlay_a, org.team_a, AGAINST, 8), (org.overlay_a, org.team_a, AGAINST, 2),
        (org.manager_b, org.team_b, FAITHFUL, 115),
    ):
        touchpoint_log(TouchpointInput(initiative.pk, leader.pk, "meeting",
                                       today - dt.timedelta(days=days_ago), content,
                                       unit_id=unit.pk), today)
    restatement_submit(RestatementInput(initiative.pk, org.rep_a1.pk, today, FAITHFUL), today)
    return Story(org, initiative, today)
