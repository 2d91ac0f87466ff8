"""The reps' weekly pulses: who answers, and how the scores move with each team's archetype."""

from __future__ import annotations

from m3.demo.archetype import Archetype
from m3.demo.pulses import PULSE_QUESTIONS
from m3.demo.story import Story


def test_pulses_come_weekly_from_about_seventy_percent_of_reps(story: Story) -> None:
    pulses = story.pulses
    assert set(pulses["question"]) == set(PULSE_QUESTIONS)
    assert pulses["score"].between(1, 5).all()
    answered = pulses.groupby(["person", "week"]).ngroups
    assert 0.6 < answered / (60 * 16) < 0.8
    assert (pulses["comment"] != "").any()


def test_pulses_rise_in_the_exemplary_team_and_drop_in_the_faded_one(story: Story) -> None:
    team = {m.person: story.archetypes[m.unit] for m in story.memberships if m.end is None}
    pulses = story.pulses.assign(archetype=story.pulses["person"].map(team),
                                 late=[(w - story.start).days >= 56 for w in story.pulses["week"]])
    mean = pulses.groupby(["archetype", "question", "late"])["score"].mean()
    assert mean[Archetype.EXEMPLARY, "clarity", True] > mean[Archetype.EXEMPLARY, "clarity", False]
    assert mean[Archetype.FADED, "clarity", True] < mean[Archetype.FADED, "clarity", False] - 0.5
    consistency = mean.xs("consistency", level="question").groupby("archetype").mean()
    assert consistency.idxmin() is Archetype.TWO_VOICES
