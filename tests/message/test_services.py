"""Logging touchpoints: scope checks, idempotent re-logs, problems that say what to fix."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from m3.errors import AccessDenied, InputError
from m3.initiatives.services import CadenceInput, initiative_save
from m3.message.models import Touchpoint
from m3.message.services import TouchpointInput, touchpoint_log
from m3.vocabulary import CadenceKind
from tests.factories import START, SmallOrg, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db
TODAY = START + dt.timedelta(days=60)


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


def test_the_same_touchpoint_logged_twice_is_stored_once() -> None:
    org, initiative_id = setup()
    assert touchpoint_log(touch(org, initiative_id), TODAY).outcome == "added"
    assert touchpoint_log(touch(org, initiative_id), TODAY).outcome == "unchanged"
    assert touchpoint_log(touch(org, initiative_id, content="New notes"), TODAY).outcome == (
        "updated")
    assert Touchpoint.objects.count() == 1


def test_a_leader_cannot_log_a_touchpoint_for_a_unit_they_do_not_lead() -> None:
    org, initiative_id = setup()
    with pytest.raises(AccessDenied, match="does not lead Team B"):
        touchpoint_log(touch(org, initiative_id, unit_id=org.team_b.pk), TODAY)
    with pytest.raises(AccessDenied, match="not in a unit"):
        touchpoint_log(touch(org, initiative_id, unit_id=None, person_id=org.rep_b1.pk), TODAY)
    assert Touchpoint.objects.count() == 0


def test_bad_touchpoints_say_what_to_fix() -> None:
    org, initiative_id = setup()
    with pytest.raises(InputError, match="future"):
        touchpoint_log(touch(org, initiative_id, date=TODAY + dt.timedelta(days=1)), TODAY)
    with pytest.raises(InputError, match="Unknown channel"):
        touchpoint_log(touch(org, initiative_id, channel="pigeon"), TODAY)
    with pytest.raises(InputError, match="characters"):
        touchpoint_log(touch(org, initiative_id, content="x" * 60_000), TODAY)
    with pytest.raises(InputError, match="outside the scope"):
        touchpoint_log(touch(org, initiative_id, leader_id=org.manager_c.pk,
                             unit_id=org.team_c.pk), TODAY)
