"""The demo's message story: restatements per team, and the health page naming Ember and Summit."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.demo.archetype import Archetype
from m3.demo.build import demo_build
from m3.demo.story import story_generate
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.message.models import Restatement, TouchpointScore
from m3.message.selectors import initiative_message_health
from m3.org.scope import Scope
from m3.vocabulary import Role

TODAY = dt.date(2026, 6, 3)
EVERYTHING = Scope(Role.ADMIN, None, frozenset(), frozenset(), everything=True)


def test_reps_recall_follows_their_team() -> None:
    story = story_generate(reps=60, weeks=20, seed=3, today=TODAY)
    team_of = {m.person: m.unit for m in story.memberships if m.end is None}
    last = max(r.date for r in story.restatements)
    late = [r for r in story.restatements if (last - r.date).days < 14]

    def recall(archetype: Archetype) -> float:
        team = story.team(archetype)
        mine = [r for r in late if team_of.get(r.person) == team]
        return sum(len(r.points) for r in mine) / (4 * len(mine))

    assert recall(Archetype.EXEMPLARY) > 0.8 > recall(Archetype.STEADY)
    assert recall(Archetype.FADED) < 0.3
    summit = story.team(Archetype.TWO_VOICES)
    assert any(r.contradicts == (1,) for r in story.restatements if team_of.get(r.person) == summit)


@pytest.mark.django_db
def test_the_demo_health_puts_ember_first_and_names_summits_two_voices(facts: FactsStore) -> None:
    built = demo_build(reps=36, weeks=20, seed=7, today=TODAY, facts=facts)
    initiative = Initiative.objects.get()
    assert TouchpointScore.objects.count() == built.counts["touchpoints"]
    assert Restatement.objects.exclude(method="").count() == built.counts["restatements"] > 0
    health = initiative_message_health(initiative, EVERYTHING, today=TODAY)
    assert health.units[0].name == "Team Ember"
    assert health.units[0].findings[0].text.startswith("Not reinforced for ")
    summit = next(u for u in health.units if u.name == "Team Summit")
    assert summit.findings[0].text.startswith("Two leaders disagree on point")
    assert health.leaders[0].contradicts and health.leaders[0].kinds == ("overlay",)
