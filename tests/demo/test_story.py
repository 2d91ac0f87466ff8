"""The demo story: pure, seeded, and each team behaves as its archetype says (docs/demo.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from m3.demo.archetype import Archetype
from m3.demo.story import PULSE_QUESTIONS, Story, story_generate
from m3.errors import InputError
from m3.message.clarity import message_clarity
from m3.message.text import CanonicalMessage

TODAY = dt.date(2026, 3, 4)  # a Wednesday


def test_the_same_seed_gives_the_same_story_and_another_seed_another() -> None:
    first = story_generate(reps=24, weeks=8, seed=3, today=TODAY)
    again = story_generate(reps=24, weeks=8, seed=3, today=TODAY)
    other = story_generate(reps=24, weeks=8, seed=4, today=TODAY)
    pd.testing.assert_frame_equal(first.activities, again.activities)
    pd.testing.assert_frame_equal(first.opportunities, again.opportunities)
    pd.testing.assert_frame_equal(first.pulses, again.pulses)
    assert first.touchpoints == again.touchpoints and first.people == again.people
    assert first.logins == again.logins
    assert len(first.activities) != len(other.activities)


def test_the_rollout_is_weeks_before_the_monday_of_today(story: Story) -> None:
    assert story.as_of == dt.date(2026, 3, 2)
    assert story.start == dt.date(2026, 3, 2) - dt.timedelta(weeks=16)
    assert story.activities["occurred_at"].min() >= pd.Timestamp(story.history_start)
    assert story.activities["occurred_at"].max() < pd.Timestamp(story.as_of)


def test_too_few_reps_or_weeks_are_refused_with_what_to_change() -> None:
    with pytest.raises(InputError, match="at least 12 reps"):
        story_generate(reps=5, today=TODAY)
    with pytest.raises(InputError, match="8-104 weeks"):
        story_generate(weeks=3, today=TODAY)


def test_the_canonical_message_is_clear() -> None:
    spec = story_generate(reps=12, weeks=8, today=TODAY).initiative
    message = CanonicalMessage(spec.why, spec.how, spec.what, spec.key_points)
    assert message_clarity(message).score >= 80


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


def test_the_initiative_has_key_points_asks_cadence_and_a_rising_forecast(story: Story) -> None:
    spec = story.initiative
    assert len(spec.key_points) == 4
    assert {a.lever_metric: a.target_per_rep_per_week for a in spec.asks} == {
        "meetings": 5, "demos": 2, "proposals": 1}
    assert {c.kind for c in spec.cadence} == {"deliver", "reinforce", "redeliver"}
    values = [v for _, v in spec.forecast]
    assert spec.forecast[0][0] == story.start and all(w.weekday() == 0 for w, _ in spec.forecast)
    assert values[-1] > values[0] > 0


def test_the_story_is_frozen(story: Story) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        story.start = TODAY  # type: ignore[misc]
