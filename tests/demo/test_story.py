"""The demo story as a whole: seeded, dated from today, validated and frozen.

Each part (organisation, facts, touchpoints, pulses, restatements, initiative) has its own
test module; the session-wide `story` they read is in conftest.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from m3.demo.story import Story, story_generate
from m3.errors import InputError

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


def test_the_story_is_frozen(story: Story) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        story.start = TODAY  # type: ignore[misc]
