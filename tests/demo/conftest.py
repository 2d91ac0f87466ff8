"""The demo story the tests of its parts read: 60 reps (6 teams), 16 weeks since the rollout."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.demo.story import Story, story_generate

TODAY = dt.date(2026, 3, 4)  # a Wednesday


@pytest.fixture(scope="session")
def story() -> Story:
    """One story for every demo test module; it is frozen, so sharing it is safe."""
    return story_generate(reps=60, weeks=16, seed=7, today=TODAY)
