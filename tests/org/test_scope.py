"""Scope: who sees what and who may do what, answered in one place for every role."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.org.scope import NOBODY, scope_for_person
from tests.factories import START, small_org

pytestmark = pytest.mark.django_db
DAY = START + dt.timedelta(days=3)


def test_a_rep_sees_only_themself_and_may_edit_nothing() -> None:
    org = small_org()
    scope = scope_for_person(org.rep_a1, DAY)
    assert scope.person_ids == {org.rep_a1.pk} and not scope.unit_ids
    assert not scope.can_see_person(org.rep_a2.pk) and scope.sees_whole_history(org.rep_a1.pk)
    assert not scope.may_create_initiatives() and not scope.may_edit_units([])


def test_a_director_sees_their_region_and_its_teams_but_not_another_region() -> None:
    org = small_org()
    scope = scope_for_person(org.director_north, DAY)
    assert scope.unit_ids == {org.north.pk, org.team_a.pk, org.team_b.pk}
    assert scope.can_see_person(org.rep_b1.pk) and not scope.can_see_person(org.rep_c1.pk)
    assert scope.can_see_person(org.manager_a.pk)  # the leaders of their units too
    assert not scope.sees_whole_history(org.rep_b1.pk)


def test_leaders_edit_initiatives_only_inside_the_units_they_lead() -> None:
    org = small_org()
    manager = scope_for_person(org.manager_a, DAY)
    assert manager.may_create_initiatives()
    assert manager.may_edit_units([org.team_a.pk])
    assert not manager.may_edit_units([org.team_a.pk, org.team_b.pk])
    assert scope_for_person(org.executive, DAY).may_edit_units(
        [org.team_a.pk, org.team_c.pk, org.company.pk])


def test_an_admin_sees_and_edits_everything_and_nobody_sees_nothing() -> None:
    org = small_org()
    admin = scope_for_person(org.admin, DAY)
    assert admin.everything and admin.can_see_unit(org.team_c.pk)
    assert admin.may_edit_units([org.company.pk])
    assert not NOBODY.can_see_unit(org.team_a.pk) and not NOBODY.may_create_initiatives()


def test_scope_is_taken_on_the_day_asked() -> None:
    org = small_org()
    before = scope_for_person(org.manager_a, START - dt.timedelta(days=1))
    assert not before.unit_ids  # the leadership starts on START
