"""The org selectors on a small org with dated moves."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.org.selectors import (
    leaders_of_person_on,
    person_unit_on,
    unit_ids_with_descendants,
    unit_members_on,
    units_led_by,
)
from m3.org.services import leadership_end, leadership_start, membership_move
from m3.vocabulary import LeadershipKind
from tests.factories import START, small_org

pytestmark = pytest.mark.django_db
MOVE = dt.date(2026, 3, 2)


def test_units_led_include_every_descendant() -> None:
    org = small_org()
    led = units_led_by(org.executive, START)
    assert led == {org.company.pk, org.north.pk, org.south.pk, org.team_a.pk, org.team_b.pk,
                   org.team_c.pk}
    assert units_led_by(org.director_north, START) == {org.north.pk, org.team_a.pk, org.team_b.pk}
    assert units_led_by(org.manager_a, START) == {org.team_a.pk}
    assert units_led_by(org.rep_a1, START) == frozenset()


def test_nobody_leads_before_the_leadership_starts() -> None:
    org = small_org()
    assert units_led_by(org.manager_a, START - dt.timedelta(days=1)) == frozenset()


def test_a_move_keeps_history_on_both_sides_of_the_date() -> None:
    org = small_org()
    membership_move(org.rep_a1, org.team_c, MOVE)
    assert person_unit_on(org.rep_a1, MOVE - dt.timedelta(days=1)) == org.team_a
    assert person_unit_on(org.rep_a1, MOVE) == org.team_c
    assert org.rep_a1 in unit_members_on(org.team_a, MOVE - dt.timedelta(days=1))
    assert org.rep_a1 not in unit_members_on(org.team_a, MOVE)
    assert org.rep_a1 in unit_members_on(org.south, MOVE)
    assert org.rep_a1.memberships.count() == 2


def test_members_of_a_unit_include_its_descendants_unless_asked_not_to() -> None:
    org = small_org()
    assert set(unit_members_on(org.north, START)) == {org.rep_a1, org.rep_a2, org.rep_b1}
    assert set(unit_members_on(org.north, START, descendants=False)) == set()


def test_leaders_of_a_person_are_nearest_first_and_follow_moves() -> None:
    org = small_org()
    leaders = leaders_of_person_on(org.rep_a1, START)
    assert [(lo.leader, lo.kind, lo.distance) for lo in leaders] == [
        (org.manager_a, LeadershipKind.MANAGER, 0),
        (org.overlay_a, LeadershipKind.OVERLAY, 0),
        (org.director_north, LeadershipKind.DIRECTOR, 1),
        (org.executive, LeadershipKind.DIRECTOR, 2),
    ]
    membership_move(org.rep_a1, org.team_c, MOVE)
    after = {lo.leader for lo in leaders_of_person_on(org.rep_a1, MOVE)}
    assert after == {org.manager_c, org.executive}


def test_an_ended_leadership_stops_on_its_end_date() -> None:
    org = small_org()
    lead = org.overlay_a.leaderships.get()
    leadership_end(lead, MOVE)
    assert units_led_by(org.overlay_a, MOVE - dt.timedelta(days=1)) == {org.team_a.pk}
    assert units_led_by(org.overlay_a, MOVE) == frozenset()
    again = leadership_start(org.overlay_a, org.team_b, LeadershipKind.OVERLAY, MOVE)
    assert units_led_by(org.overlay_a, MOVE) == {org.team_b.pk}
    assert again.start == MOVE


def test_descendants_of_several_units_are_unioned() -> None:
    org = small_org()
    assert unit_ids_with_descendants([org.team_a.pk, org.south.pk]) == {
        org.team_a.pk, org.south.pk, org.team_c.pk
    }
