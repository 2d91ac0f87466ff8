"""Reads for message health: one query per table for any number of teams; only what is asked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from m3.message.models import Restatement
from m3.message.selectors import health_inputs, initiative_message_health
from m3.message.services import TouchpointInput, touchpoint_log
from m3.org.scope import scope_for_person
from m3.org.services import leadership_start, membership_move, person_create, unit_create
from m3.vocabulary import LeadershipKind, Role
from tests.message.story import FAITHFUL, Story

pytestmark = pytest.mark.django_db


def read_queries(story: Story, **options: object) -> int:
    with CaptureQueriesContext(connection) as queries:
        health_inputs(story.initiative, story.today, **options)  # type: ignore[arg-type]
    return len(queries)


def test_the_inputs_take_the_same_queries_for_two_teams_as_for_twelve(story: Story) -> None:
    before = read_queries(story)
    for n in range(10):
        team = unit_create(f"Team N{n}", story.org.north)
        manager = person_create(f"Manager {n}", f"m{n}@example.test", Role.LEADER)
        leadership_start(manager, team, LeadershipKind.MANAGER, story.today - dt.timedelta(90))
        for k in range(3):
            rep = person_create(f"Rep {n}.{k}", f"r{n}.{k}@example.test")
            membership_move(rep, team, story.today - dt.timedelta(days=90))
        touchpoint_log(TouchpointInput(story.initiative.pk, manager.pk, "meeting",
                                       story.today - dt.timedelta(days=5), FAITHFUL,
                                       unit_id=team.pk), story.today)
    assert read_queries(story) == before
    assert read_queries(story, since=story.today - dt.timedelta(weeks=25)) == before
    assert len(health_inputs(story.initiative, story.today).teams_on(story.today)) == 12


def test_inputs_for_one_team_hold_its_rows_and_those_above_it_only(story: Story) -> None:
    org = story.org
    team_b = health_inputs(story.initiative, story.today, unit_ids={org.team_b.pk})
    assert team_b.teams_on(story.today) == [org.team_b.pk]
    assert {t.touch.leader_id for t in team_b.touches} == {org.manager_b.pk}
    assert {s.person_id for s in team_b.leaderships} == {
        org.manager_b.pk, org.director_north.pk, org.executive.pk}
    assert team_b.restatements == ()  # Rae (Team A) restated; Bea did not
    everyone = health_inputs(story.initiative, story.today)
    assert everyone.teams_on(story.today) == [org.team_a.pk, org.team_b.pk]
    assert [r.person_id for r in everyone.restatements] == [org.rep_a1.pk]


def test_touches_carry_their_stored_scores_and_unscored_restatements_are_left_out(
        story: Story) -> None:
    Restatement.objects.create(initiative=story.initiative, person=story.org.rep_a2,
                               date=story.today, text="Not scored yet")
    inputs = health_inputs(story.initiative, story.today)
    against = [t.score for t in inputs.touches if t.touch.leader_id == story.org.overlay_a.pk]
    assert [s.contradictions[1] for s in against if s] == ["skip the ROI calculator"] * 2
    assert {r.person_id for r in inputs.restatements} == {story.org.rep_a1.pk}
    assert inputs.key_points[1] == "Use the ROI calculator"
    page = initiative_message_health(story.initiative, scope_for_person(story.org.admin,
                                                                        story.today))
    assert page.method == "lexical"
